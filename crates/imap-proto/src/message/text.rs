//! How header text becomes IMAP strings: unfolded, and for display names and subjects with
//! white space folded, as Dovecot writes them.

use crate::types::NString;

use super::envelope::istring;

/// A header value with its line breaks removed (RFC 5322 §2.2.3 unfolding); a line break
/// not followed by white space becomes one space. NUL becomes U+FFFD.
pub(super) fn nolf(value: &[u8]) -> NString {
    let mut out = Vec::with_capacity(value.len());
    for (i, &b) in value.iter().enumerate() {
        match b {
            b'\r' | b'\n' => {
                if !matches!(value.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
                    out.push(b' ');
                }
            }
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            _ => out.push(b),
        }
    }
    NString(Some(istring(out)))
}

/// Text for humans: every run of white space and line breaks becomes one space, leading and
/// trailing white space go, NUL becomes 0x80 (Dovecot's `imap_append_string_for_humans`).
pub(super) fn for_humans(value: &[u8]) -> NString {
    let mut out = Vec::with_capacity(value.len());
    let mut pending_space = false;
    for &b in value {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => pending_space = !out.is_empty(),
            _ => {
                if pending_space {
                    out.push(b' ');
                    pending_space = false;
                }
                out.push(if b == 0 { 0x80 } else { b });
            }
        }
    }
    NString(Some(istring(out)))
}

/// An nstring of optional bytes.
pub(super) fn nstring(value: Option<&[u8]>) -> NString {
    NString(value.map(|v| istring(v.to_vec())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: &NString) -> &[u8] {
        n.0.as_ref().map_or(&b"NIL"[..], |s| &s.as_bytes()[..])
    }

    #[test]
    fn unfolding_and_humans() {
        assert_eq!(s(&nolf(b"a\r\n b")), b"a b");
        assert_eq!(s(&nolf(b"a\rb")), b"a b");
        assert_eq!(s(&for_humans(b"  a \t b\r\n\tc  ")), b"a b c");
        assert_eq!(s(&for_humans(b"   ")), b"");
        assert_eq!(s(&for_humans(b"x\0y")), b"x\x80y");
    }
}

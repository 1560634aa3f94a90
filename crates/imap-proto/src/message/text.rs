//! How header text becomes IMAP strings: unfolded, and for display names and subjects with
//! white space folded, as Dovecot writes them.

use bytes::Bytes;
use mail_core::mime::MimeTree;

use crate::types::{IString, NString};

/// The bytes strings are taken from (a message or a header value), and whether they may
/// hold NUL, found once rather than for every string.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source<'a> {
    bytes: &'a Bytes,
    nul: bool,
}

impl<'a> Source<'a> {
    /// `bytes`, scanned once for NUL.
    pub(super) fn new(bytes: &'a Bytes) -> Self {
        Self {
            bytes,
            nul: memchr::memchr(0, bytes).is_some(),
        }
    }

    /// `bytes`, known to hold no NUL (no scan).
    pub(super) const fn without_nul(bytes: &'a Bytes) -> Self {
        Self { bytes, nul: false }
    }

    /// Whether the bytes may hold NUL: when not, no part of them needs a scan for it.
    pub(super) const fn may_hold_nul(&self) -> bool {
        self.nul
    }

    /// The walked message.
    pub(super) fn message(tree: &'a MimeTree) -> Self {
        Self {
            bytes: tree.message(),
            nul: tree.has_nul(),
        }
    }

    /// The bytes.
    pub(super) const fn bytes(&self) -> &'a Bytes {
        self.bytes
    }

    /// `bytes[start..end]` as an `IString` without a copy (empty when out of range).
    pub(super) fn range(&self, start: usize, end: usize) -> IString {
        if start < end && end <= self.bytes.len() {
            let part = self.bytes.get(start..end).unwrap_or_default();
            if !self.nul || memchr::memchr(0, part).is_none() {
                return IString(self.bytes.slice(start..end));
            }
            return istring(part.to_vec());
        }
        IString(Bytes::new())
    }
}

/// `part` as an `IString`: a zero-copy slice of `src` when `part` lies within it and holds
/// no NUL (the usual case), else a copy with NUL replaced by U+FFFD.
pub(super) fn shared(src: Source<'_>, part: &[u8]) -> IString {
    if part.is_empty() {
        return IString(Bytes::new());
    }
    match within(src.bytes, part) {
        // `part` is that range of the bytes: no need to check it again.
        Some(range) if !src.nul || memchr::memchr(0, part).is_none() => {
            IString(src.bytes.slice(range))
        }
        _ => istring(part.to_vec()),
    }
}

/// `part` as a zero-copy slice of `src` when it lies within it, else a copy.
pub(super) fn slice_of(src: &Bytes, part: &[u8]) -> Bytes {
    match within(src, part) {
        Some(range) => src.slice(range),
        None => Bytes::copy_from_slice(part),
    }
}

/// Where `part` lies in `src`, when it does.
fn within(src: &Bytes, part: &[u8]) -> Option<core::ops::Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= src.len()).then_some(start..end)
}

/// An `IString` of built bytes, NUL replaced by U+FFFD (a string cannot hold NUL,
/// RFC 9051 §4.3).
pub(super) fn istring(bytes: Vec<u8>) -> IString {
    if memchr::memchr(0, &bytes).is_some() {
        return IString(Bytes::from(replace_nul(&bytes)));
    }
    IString(Bytes::from(bytes))
}

/// `value` with NUL replaced by U+FFFD, as Dovecot copies header values.
pub(super) fn replace_nul(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    for &b in value {
        if b == 0 {
            out.extend_from_slice("\u{FFFD}".as_bytes());
        } else {
            out.push(b);
        }
    }
    out
}

/// A header value with its line breaks removed (RFC 5322 §2.2.3 unfolding); a line break
/// not followed by white space becomes one space. NUL becomes U+FFFD. A value on one line
/// is a slice of `src`.
pub(super) fn nolf(src: Source<'_>, value: &[u8]) -> NString {
    if memchr::memchr3(b'\r', b'\n', 0, value).is_none()
        && let Some(range) = within(src.bytes, value)
    {
        return NString(Some(IString(src.bytes.slice(range))));
    }
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

/// Whether `value` is already text for humans: no white space but single spaces between
/// words, and no NUL.
fn is_for_humans(value: &[u8]) -> bool {
    if matches!(value.first(), Some(b' ')) || matches!(value.last(), Some(b' ')) {
        return false;
    }
    let mut prev_space = false;
    for &b in value {
        match b {
            b'\t' | b'\r' | b'\n' | 0 => return false,
            b' ' if prev_space => return false,
            _ => {}
        }
        prev_space = b == b' ';
    }
    true
}

/// Text for humans: every run of white space and line breaks becomes one space, leading and
/// trailing white space go, NUL becomes 0x80 (Dovecot's `imap_append_string_for_humans`).
/// Text that is already so is a slice of `src`.
pub(super) fn for_humans(src: Source<'_>, value: &[u8]) -> NString {
    if is_for_humans(value)
        && let Some(range) = within(src.bytes, value)
    {
        return NString(Some(IString(src.bytes.slice(range))));
    }
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
    NString(Some(IString(Bytes::from(out))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(v: &'static [u8]) -> Bytes {
        Bytes::from_static(v)
    }

    fn n(text: NString) -> Vec<u8> {
        text.0.unwrap().into_bytes().to_vec()
    }

    #[test]
    fn unfolding_and_humans() {
        let b = src(b"a\r\n b");
        assert_eq!(n(nolf(Source::new(&b), &b)), b"a b");
        let b = src(b"a\rb");
        assert_eq!(n(nolf(Source::new(&b), &b)), b"a b");
        let b = src(b"  a \t b\r\n\tc  ");
        assert_eq!(n(for_humans(Source::new(&b), &b)), b"a b c");
        let b = src(b"   ");
        assert_eq!(n(for_humans(Source::new(&b), &b)), b"");
        let b = src(b"x\0y");
        assert_eq!(n(for_humans(Source::new(&b), &b)), b"x\x80y");
        let b = src(b"x\0y");
        assert_eq!(n(nolf(Source::new(&b), &b)), "x\u{FFFD}y".as_bytes());
    }

    #[test]
    fn clean_text_is_a_slice_of_the_message() {
        let b = src(b"Subject: Hello world\r\n");
        let value = &b[9..20];
        for t in [
            nolf(Source::new(&b), value),
            for_humans(Source::new(&b), value),
        ] {
            let got = t.0.unwrap().into_bytes();
            assert_eq!(got, "Hello world");
            // Same memory: no copy was made.
            assert_eq!(got.as_ptr(), value.as_ptr());
        }
        // Text outside the source is copied.
        let other = b"Hello".to_vec();
        assert_eq!(shared(Source::new(&b), &other).into_bytes(), "Hello");
        // So is text holding NUL, which becomes U+FFFD; the rest of such a source is a slice.
        let b = src(b"a\0b cd");
        let got = shared(Source::new(&b), &b[..3]).into_bytes();
        assert_eq!(got, "a\u{FFFD}b".as_bytes());
        let got = shared(Source::new(&b), &b[4..]).into_bytes();
        assert_eq!((got.as_ref(), got.as_ptr()), (&b"cd"[..], b[4..].as_ptr()));
    }
}

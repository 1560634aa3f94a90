//! Mailbox names (RFC 9051 §5.1), their modified UTF-7 form (RFC 3501 §5.1.3) and LIST
//! patterns.

use bytes::Bytes;

use super::parser::{Encode, Encoder, PResult, Parser, class, is_list_char, parse_all};
use super::string::AString;
use crate::error::{ParseError, ValueError};

/// A mailbox name (RFC 9051 §5.1, §9).
///
/// ```abnf
/// mailbox = "INBOX" / astring
///             ; INBOX is case-insensitive. All case variants of INBOX (e.g., "iNbOx")
///             ; MUST be interpreted as INBOX not as an astring.
/// ```
///
/// The name is kept in its wire form: modified UTF-7 (RFC 3501 §5.1.3) from IMAP4rev1
/// clients, or UTF-8 once UTF8=ACCEPT is enabled (RFC 6855 §3, RFC 9051 §5.1). Use
/// [`Mailbox::from_utf8`] to build one from a display name and [`Mailbox::to_utf8`] to read
/// one back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mailbox {
    /// `INBOX`, in any case.
    Inbox,
    /// Any other name, as sent on the wire.
    Other(MailboxName),
}

/// A mailbox name other than INBOX, in wire form (any octets but NUL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxName(AString);

impl MailboxName {
    /// Returns the wire form.
    pub fn as_bytes(&self) -> &Bytes {
        self.0.as_bytes()
    }
}

impl Mailbox {
    /// Parses a whole input as a mailbox.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        AString::read(p).map(Self::from_astring)
    }

    fn from_astring(s: AString) -> Self {
        if s.as_bytes().eq_ignore_ascii_case(b"INBOX") {
            Self::Inbox
        } else {
            Self::Other(MailboxName(s))
        }
    }

    /// Returns the mailbox for a display name, encoded in modified UTF-7 (RFC 3501 §5.1.3),
    /// which every server understands.
    ///
    /// # Errors
    /// [`ValueError`] when the name holds NUL.
    pub fn from_utf8(name: &str) -> Result<Self, ValueError> {
        if name.contains('\0') {
            return Err(ValueError::Byte {
                what: "mailbox name",
                byte: 0,
                offset: name.find('\0').unwrap_or_default(),
            });
        }
        AString::try_from(encode_modified_utf7(name).as_str()).map(Self::from_astring)
    }

    /// Returns the mailbox for a display name sent as UTF-8, for a session where UTF8=ACCEPT
    /// is enabled (RFC 6855 §3).
    ///
    /// # Errors
    /// [`ValueError`] when the name holds NUL.
    pub fn from_utf8_raw(name: &str) -> Result<Self, ValueError> {
        AString::try_from(name).map(Self::from_astring)
    }

    /// Returns the wire form (`INBOX` for the inbox).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inbox => b"INBOX",
            Self::Other(n) => n.as_bytes(),
        }
    }

    /// Returns the display name: modified UTF-7 decoded, or the UTF-8 name as is when the
    /// wire form holds 8-bit octets (UTF8=ACCEPT, RFC 6855 §3).
    ///
    /// An all-ASCII name is read as modified UTF-7, so in a UTF8=ACCEPT session a name such
    /// as `A&B` (not valid modified UTF-7) is an error here; read such names with
    /// [`Mailbox::as_bytes`].
    ///
    /// # Errors
    /// [`ValueError::Encoding`] when the name is neither valid modified UTF-7 nor UTF-8.
    pub fn to_utf8(&self) -> Result<String, ValueError> {
        let raw = self.as_bytes();
        if raw.is_ascii() {
            decode_modified_utf7(raw)
        } else {
            String::from_utf8(raw.to_vec()).map_err(|_| ValueError::Encoding("UTF-8"))
        }
    }
}

impl TryFrom<&str> for Mailbox {
    type Error = ValueError;
    /// Reads `value` as the wire form of a name (not as a display name: see
    /// [`Mailbox::from_utf8`]).
    fn try_from(value: &str) -> Result<Self, ValueError> {
        AString::try_from(value).map(Self::from_astring)
    }
}

impl Encode for Mailbox {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Inbox => out.raw(b"INBOX"),
            Self::Other(n) => n.0.encode(out),
        }
    }
}

/// A LIST or LSUB mailbox pattern (RFC 9051 §6.3.9), where `%` and `*` are wildcards.
///
/// ```abnf
/// list-mailbox   = 1*list-char / string
/// list-char      = ATOM-CHAR / list-wildcards / resp-specials
/// list-wildcards = "%" / "*"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListMailbox(Bytes);

impl ListMailbox {
    /// Parses a whole input as a list-mailbox.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        match p.peek() {
            Some(b'"' | b'{') => p.string().map(Self),
            _ => {
                let start = p.pos();
                if p.take_class(class::LIST).is_empty() {
                    return Err(p.err("list-mailbox"));
                }
                Ok(Self(p.slice(start, p.pos())))
            }
        }
    }

    /// Returns the pattern's octets.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

impl TryFrom<&str> for ListMailbox {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        AString::try_from(value).map(|a| Self(a.into_bytes()))
    }
}

impl Encode for ListMailbox {
    fn encode(&self, out: &mut Encoder) {
        if !self.0.is_empty() && self.0.iter().all(|&b| is_list_char(b)) {
            out.raw(&self.0);
        } else {
            out.string(&self.0);
        }
    }
}

/// The base64 alphabet of modified UTF-7: `,` in place of `/` (RFC 3501 §5.1.3).
const MUTF7_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// Appends modified base64 (no padding) of `data` to `out`.
fn mbase64_encode(data: &[u8], out: &mut String) {
    let sym = |v: u32| {
        char::from(
            MUTF7_ALPHABET
                .get((v & 63) as usize)
                .copied()
                .unwrap_or(b'A'),
        )
    };
    for chunk in data.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let v = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(v >> 18));
        out.push(sym(v >> 12));
        if chunk.len() > 1 {
            out.push(sym(v >> 6));
        }
        if chunk.len() > 2 {
            out.push(sym(v));
        }
    }
}

/// Decodes modified base64; `None` for a character outside the alphabet, a dangling
/// sextet, or non-zero trailing bits.
fn mbase64_decode(run: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(run.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in run {
        let v = MUTF7_ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // At most 4 leftover bits, all zero (RFC 4648 §3.5 canonical encoding).
    if bits >= 6 || acc != 0 {
        return None;
    }
    Some(out)
}

/// Returns `name` in modified UTF-7 (RFC 3501 §5.1.3).
///
/// Printable US-ASCII stands for itself, `&` is written `&-`, and every run of other
/// characters is written `&` + modified base64 of its UTF-16BE form + `-`.
///
/// ```
/// use imap_proto::types::encode_modified_utf7;
/// assert_eq!(encode_modified_utf7("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
/// ```
pub fn encode_modified_utf7(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u8> = Vec::new();
    let flush = |pending: &mut Vec<u8>, out: &mut String| {
        if !pending.is_empty() {
            out.push('&');
            mbase64_encode(pending, out);
            out.push('-');
            pending.clear();
        }
    };
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut pending, &mut out);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                pending.extend_from_slice(&unit.to_be_bytes());
            }
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Returns the name a modified UTF-7 string stands for (RFC 3501 §5.1.3).
///
/// Strict, as the RFC asks: octets outside printable US-ASCII, a `&` run not closed by `-`,
/// base64 that encodes printable US-ASCII ("MUST NOT be used to represent any printing
/// US-ASCII character which can represent itself"), non-zero trailing bits and unpaired
/// surrogates are all errors.
///
/// # Errors
/// [`ValueError::Encoding`] for anything that is not modified UTF-7.
pub fn decode_modified_utf7(input: &[u8]) -> Result<String, ValueError> {
    let bad = ValueError::Encoding("modified UTF-7");
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'&' => {
                let end = memchr::memchr(b'-', rest).ok_or(bad.clone())?;
                let (run, after) = rest.split_at_checked(end).ok_or(bad.clone())?;
                rest = after.get(1..).unwrap_or_default();
                if run.is_empty() {
                    out.push('&');
                    continue;
                }
                let bytes = mbase64_decode(run).ok_or(bad.clone())?;
                if bytes.len() % 2 != 0 {
                    return Err(bad);
                }
                let units = bytes.chunks_exact(2).map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                });
                for ch in char::decode_utf16(units) {
                    let ch = ch.map_err(|_| bad.clone())?;
                    if (' '..='~').contains(&ch) {
                        return Err(bad);
                    }
                    out.push(ch);
                }
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => return Err(bad),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_example_both_ways() {
        let wire = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
        assert_eq!(
            decode_modified_utf7(wire.as_bytes()).unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(encode_modified_utf7("~peter/mail/台北/日本語"), wire);
    }

    #[test]
    fn ampersand_and_errors() {
        assert_eq!(encode_modified_utf7("a&b"), "a&-b");
        assert_eq!(decode_modified_utf7(b"a&-b").unwrap(), "a&b");
        assert_eq!(encode_modified_utf7("😀"), "&2D3eAA-");
        assert_eq!(decode_modified_utf7(b"&2D3eAA-").unwrap(), "😀");
        // Unclosed, printable ASCII in base64, unpaired surrogate, 8-bit, '/' alphabet.
        for bad in [
            &b"&U,BTFw"[..],
            b"&AGE-",
            b"&2D0-",
            b"\xc3\xa9",
            b"&U/BTFw-",
            b"&U,BTFx-",
        ] {
            assert!(decode_modified_utf7(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn inbox_is_case_insensitive() {
        assert_eq!(Mailbox::parse(b"iNbOx").unwrap(), Mailbox::Inbox);
        assert_eq!(Mailbox::parse(b"\"INBOX\"").unwrap(), Mailbox::Inbox);
        assert_ne!(Mailbox::parse(b"INBOX.Sent").unwrap(), Mailbox::Inbox);
        assert_eq!(Mailbox::Inbox.to_wire(), b"INBOX");
        let m = Mailbox::from_utf8("Entwürfe").unwrap();
        assert_eq!(m.to_wire(), b"Entw&APw-rfe");
        assert_eq!(m.to_utf8().unwrap(), "Entwürfe");
        let raw = Mailbox::from_utf8_raw("Entwürfe").unwrap();
        assert_eq!(raw.to_utf8().unwrap(), "Entwürfe");
    }

    #[test]
    fn list_mailbox_wildcards_stay_atoms() {
        let l = ListMailbox::parse(b"*").unwrap();
        assert_eq!(l.to_wire(), b"*");
        assert_eq!(ListMailbox::parse(b"foo/%").unwrap().to_wire(), b"foo/%");
        assert_eq!(ListMailbox::parse(b"\"\"").unwrap().to_wire(), b"\"\"");
    }
}

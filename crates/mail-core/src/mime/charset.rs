//! Text in a declared charset to UTF-8: the charsets mail most often declares, by hand.
//!
//! UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and Windows-1252 (with their common aliases) are
//! converted; ASCII-only text in any other part of ISO 8859 converts too, since every part is
//! ASCII below 0x80. Any other charset is reported as unknown ([`Charset::Unknown`]), never
//! guessed. RFC 2047 encoded words ([`crate::address::encoded_word`]), RFC 2231 parameter
//! values and the bodies searched by IMAP SEARCH share this one table.

/// A charset this module knows how to convert to UTF-8 (RFC 2046 §4.1.2 `charset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Charset {
    /// UTF-8 (RFC 3629).
    Utf8,
    /// US-ASCII: only bytes below 0x80 are valid.
    UsAscii,
    /// ISO-8859-1 (Latin-1): every byte is the code point of the same value.
    Latin1,
    /// ISO-8859-15 (Latin-9): Latin-1 with eight code points replaced.
    Latin9,
    /// Windows-1252: Latin-1 with printable characters in 0x80–0x9F.
    Windows1252,
    /// Another part of ISO 8859: only its ASCII half converts.
    Iso8859Other,
    /// A charset without a table here.
    Unknown,
}

/// Windows-1252 code points for bytes 0x80–0x9F; the five unassigned bytes map to the C1
/// control of the same value, as the WHATWG Encoding Standard does.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

impl Charset {
    /// Returns the charset `name` stands for, matched case-insensitively (RFC 2046 §4.1.2:
    /// charset names are case-insensitive).
    pub fn from_name(name: &[u8]) -> Self {
        // Lower-cased on the stack: this runs for every encoded word a SEARCH decodes.
        let mut buf = [0u8; 32];
        let heap: Vec<u8>;
        let lower: &[u8] = match buf.get_mut(..name.len()) {
            Some(b) => {
                b.copy_from_slice(name);
                b.make_ascii_lowercase();
                b
            }
            None => {
                heap = name.to_ascii_lowercase();
                &heap
            }
        };
        match lower {
            b"utf-8" | b"utf8" => Self::Utf8,
            b"us-ascii" | b"ascii" | b"ansi_x3.4-1968" => Self::UsAscii,
            b"iso-8859-1" | b"iso_8859-1" | b"iso8859-1" | b"latin1" | b"l1" => Self::Latin1,
            b"iso-8859-15" | b"iso_8859-15" | b"iso8859-15" | b"latin-9" | b"latin9" => {
                Self::Latin9
            }
            b"windows-1252" | b"cp1252" => Self::Windows1252,
            other if is_iso_8859(other) => Self::Iso8859Other,
            _ => Self::Unknown,
        }
    }

    /// Converts `bytes` to text, or `None` when the charset is unknown or the bytes are not
    /// valid in it.
    pub fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Self::Utf8 => String::from_utf8(bytes.to_vec()).ok(),
            Self::UsAscii | Self::Iso8859Other => bytes
                .is_ascii()
                .then(|| bytes.iter().map(|&b| char::from(b)).collect()),
            Self::Latin1 => Some(bytes.iter().map(|&b| char::from(b)).collect()),
            Self::Latin9 => Some(bytes.iter().map(|&b| latin9_char(b)).collect()),
            Self::Windows1252 => Some(bytes.iter().map(|&b| windows_1252_char(b)).collect()),
            Self::Unknown => None,
        }
    }

    /// Appends `bytes` converted to text to `out` and returns `true`, or returns `false`
    /// (appending nothing) when the charset is unknown or the bytes are not valid in it:
    /// [`Charset::decode`] without a `String` of its own.
    ///
    /// ```
    /// use mail_core::mime::charset::Charset;
    ///
    /// let mut out = String::from("caf");
    /// assert!(Charset::Latin1.decode_into(b"\xe9", &mut out));
    /// assert!(!Charset::Utf8.decode_into(b"\xe9", &mut out));
    /// assert_eq!(out, "café");
    /// ```
    pub fn decode_into(self, bytes: &[u8], out: &mut String) -> bool {
        match self {
            Self::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => out.push_str(s),
                Err(_) => return false,
            },
            Self::UsAscii | Self::Iso8859Other => match std::str::from_utf8(bytes) {
                Ok(s) if s.is_ascii() => out.push_str(s),
                _ => return false,
            },
            Self::Latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
            Self::Latin9 => out.extend(bytes.iter().map(|&b| latin9_char(b))),
            Self::Windows1252 => out.extend(bytes.iter().map(|&b| windows_1252_char(b))),
            Self::Unknown => return false,
        }
        true
    }

    /// Appends `bytes` converted to UTF-8 to `out`, replacing what is invalid in the charset
    /// with U+FFFD; returns `false` (appending nothing) for an unknown charset.
    pub fn decode_lossy_into(self, bytes: &[u8], out: &mut String) -> bool {
        match self {
            Self::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
            Self::UsAscii | Self::Iso8859Other => out.extend(
                bytes
                    .iter()
                    .map(|&b| if b < 0x80 { char::from(b) } else { '\u{FFFD}' }),
            ),
            Self::Latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
            Self::Latin9 => out.extend(bytes.iter().map(|&b| latin9_char(b))),
            Self::Windows1252 => out.extend(bytes.iter().map(|&b| windows_1252_char(b))),
            Self::Unknown => return false,
        }
        true
    }
}

/// Returns whether the lower-case charset `name` is a part of ISO 8859.
fn is_iso_8859(name: &[u8]) -> bool {
    [&b"iso-8859-"[..], b"iso_8859-", b"iso8859-"]
        .iter()
        .filter_map(|p| name.strip_prefix(*p))
        .any(|part| !part.is_empty() && part.iter().all(u8::is_ascii_digit))
}

/// Maps an ISO-8859-15 byte to its character: ISO-8859-1 with eight code points replaced.
fn latin9_char(b: u8) -> char {
    match b {
        0xA4 => '\u{20AC}',
        0xA6 => '\u{0160}',
        0xA8 => '\u{0161}',
        0xB4 => '\u{017D}',
        0xB8 => '\u{017E}',
        0xBC => '\u{0152}',
        0xBD => '\u{0153}',
        0xBE => '\u{0178}',
        _ => char::from(b),
    }
}

/// Maps a Windows-1252 byte to its character.
fn windows_1252_char(b: u8) -> char {
    match b.checked_sub(0x80) {
        Some(i) => WINDOWS_1252_HIGH
            .get(usize::from(i))
            .copied()
            .unwrap_or(char::from(b)),
        None => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_with_aliases() {
        assert_eq!(Charset::from_name(b"UTF-8"), Charset::Utf8);
        assert_eq!(Charset::from_name(b"Latin1"), Charset::Latin1);
        assert_eq!(Charset::from_name(b"CP1252"), Charset::Windows1252);
        assert_eq!(Charset::from_name(b"iso-8859-2"), Charset::Iso8859Other);
        assert_eq!(Charset::from_name(b"iso-8859-"), Charset::Unknown);
        assert_eq!(Charset::from_name(b"koi8-r"), Charset::Unknown);
        // Names longer than the stack buffer are read too.
        let long = format!("ISO-8859-{}2", "0".repeat(40));
        assert_eq!(Charset::from_name(long.as_bytes()), Charset::Iso8859Other);
        let edge = format!("iso-8859-{}", "1".repeat(23));
        assert_eq!(edge.len(), 32);
        assert_eq!(Charset::from_name(edge.as_bytes()), Charset::Iso8859Other);
        assert_eq!(Charset::from_name(b""), Charset::Unknown);
    }

    #[test]
    fn conversions() {
        assert_eq!(Charset::Latin1.decode(b"caf\xe9").as_deref(), Some("café"));
        assert_eq!(Charset::Latin9.decode(b"\xa4").as_deref(), Some("€"));
        assert_eq!(
            Charset::Windows1252.decode(b"\x80\x96").as_deref(),
            Some("€–")
        );
        assert_eq!(Charset::UsAscii.decode(b"a\xe9"), None);
        assert_eq!(Charset::Utf8.decode(b"\xff"), None);
        let mut s = String::new();
        assert!(Charset::Utf8.decode_lossy_into(b"a\xffb", &mut s));
        assert_eq!(s, "a\u{FFFD}b");
        assert!(!Charset::Unknown.decode_lossy_into(b"x", &mut s));
    }
}

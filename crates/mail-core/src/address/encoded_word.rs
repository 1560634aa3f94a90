//! RFC 2047 encoded words: decoding display names and unstructured text, encoding phrases.
//!
//! An encoded word carries non-ASCII text through 7-bit header fields (RFC 2047 §2):
//!
//! ```abnf
//! encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
//! charset      = token    ; see section 3
//! encoding     = token    ; see section 4
//! token        = 1*<Any CHAR except SPACE, CTLs, and especials>
//! especials    = "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "
//!                <"> / "/" / "[" / "]" / "?" / "." / "="
//! encoded-text = 1*<Any printable ASCII character other than "?"
//!                   or SPACE>
//! ```
//!
//! Decoding supports the `Q` and `B` encodings (either case, RFC 2047 §4) and the charsets
//! UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and Windows-1252 (with their common aliases), plus
//! ASCII-only text in any other part of ISO 8859 (all of them are ASCII below 0x80). An
//! RFC 2231 §5 language suffix (`=?UTF-8*en?Q?…?=`) is accepted and ignored. A word with an
//! unknown charset, an unknown encoding or a malformed body is not an error: it stays as it is,
//! which RFC 2047 §6.2 allows ("display the 'encoded-word' as ordinary text").
//!
//! Tolerances: the 75-character limit of RFC 2047 §2 is not enforced when decoding (real
//! mailers exceed it), `Q` text may contain any printable ASCII but `?` (RFC 2047 §5 (3)
//! narrows it inside phrases, and real mailers ignore that), and base64 padding may be missing.

use base64::Engine as _;

use crate::mime::charset::Charset;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Longest encoded word RFC 2047 §2 allows, in characters.
pub const MAX_ENCODED_WORD_LEN: usize = 75;

/// Base64 as RFC 2047 §4.1 uses it, tolerant of missing padding when decoding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Returns the text an encoded word stands for, or `None` if `word` is not one that can be
/// decoded (RFC 2047 §2–§4).
///
/// `word` must be exactly one encoded word, `=?charset?encoding?encoded-text?=`, with no
/// surrounding white space. `None` means: not an encoded word, an unknown charset or encoding,
/// bad `Q` escapes or base64, or bytes that are invalid in the charset.
///
/// The decoded text is returned as it is, control characters included; the RFC 5322 display
/// name parser rejects words that decode to control characters (see
/// [`crate::address::rfc5322`]).
///
/// ```
/// use mail_core::address::encoded_word::decode_encoded_word;
/// assert_eq!(decode_encoded_word("=?ISO-8859-1?Q?Andr=E9?=").as_deref(), Some("André"));
/// assert_eq!(decode_encoded_word("=?utf-8?b?w6k=?=").as_deref(), Some("é"));
/// assert_eq!(decode_encoded_word("=?x-unknown?Q?a?="), None);
/// ```
pub fn decode_encoded_word(word: &str) -> Option<String> {
    let mut out = String::new();
    decode_encoded_word_into(word, &mut out).then_some(out)
}

/// Appends the text the encoded word `word` stands for to `out` and returns `true`, or
/// returns `false` and leaves `out` as it was when `word` is not one that can be decoded
/// (RFC 2047 §2–§4): [`decode_encoded_word`] into a caller's buffer, for callers that decode
/// many words (SEARCH decodes every subject of a mailbox).
///
/// The word is decoded on the stack when it is short (RFC 2047 §2 limits it to 75
/// characters), so a decoded word costs no allocation beyond the growth of `out`.
///
/// ```
/// use mail_core::address::encoded_word::decode_encoded_word_into;
/// let mut out = String::from("Re: ");
/// assert!(decode_encoded_word_into("=?ISO-8859-1?Q?Andr=E9?=", &mut out));
/// assert!(!decode_encoded_word_into("=?x-unknown?Q?a?=", &mut out));
/// assert_eq!(out, "Re: André");
/// ```
pub fn decode_encoded_word_into(word: &str, out: &mut String) -> bool {
    let Some((charset, encoding, text)) = split_word(word) else {
        return false;
    };
    // Decoded Q text is at most as long as the text, base64 shorter; the base64 engine
    // wants room for its estimate, which is at most two octets more.
    let room = text.len() + 3;
    let mut stack = [0u8; 128];
    let mut heap = Vec::new();
    let buf: &mut [u8] = match stack.get_mut(..room) {
        Some(b) => b,
        None => {
            heap.resize(room, 0);
            &mut heap
        }
    };
    let len = match encoding {
        "Q" | "q" => decode_q_into(text, buf),
        // The base64 alphabet and `=` are all `encoded-text`: what base64 accepts needs
        // no check of its own.
        "B" | "b" => BASE64.decode_slice(text, buf).ok(),
        _ => None,
    };
    let Some(bytes) = len.and_then(|n| buf.get(..n)) else {
        return false;
    };
    // The charset table is [`crate::mime::charset`]'s.
    Charset::from_name(charset.as_bytes()).decode_into(bytes, out)
}

/// The charset (without an RFC 2231 §5 language), encoding and text of an encoded word, if
/// `word` has the form of one (RFC 2047 §2). The text is not checked here: the decoders
/// check it as they read it ([`decode_q_into`]; base64 takes nothing but its alphabet).
fn split_word(word: &str) -> Option<(&str, &str, &str)> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    // Byte loops, not `split`: the parts are a few octets long, too short for a searcher.
    let b = inner.as_bytes();
    let first = b.iter().position(|&c| c == b'?')?;
    let second = first + 1 + b.get(first + 1..)?.iter().position(|&c| c == b'?')?;
    let charset = inner.get(..first)?;
    let encoding = inner.get(first + 1..second)?;
    let text = inner.get(second + 1..)?;
    // RFC 2231 §5: `charset*language`; the language only tags the text.
    let charset = match charset.bytes().position(|c| c == b'*') {
        Some(star) => charset.get(..star)?,
        None => charset,
    };
    if !is_token(charset) || text.is_empty() {
        return None;
    }
    Some((charset, encoding, text))
}

/// Whether `text` is RFC 2047 §2 `encoded-text`: printable ASCII but `?` (and not empty,
/// which [`split_word`] checks).
#[cfg(test)]
fn is_encoded_text(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b'!'..=b'~') && b != b'?')
}

/// Returns whether `s` is an RFC 2047 §2 `token`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            matches!(b, b'!'..=b'~')
                && !matches!(
                    b,
                    b'(' | b')'
                        | b'<'
                        | b'>'
                        | b'@'
                        | b','
                        | b';'
                        | b':'
                        | b'"'
                        | b'/'
                        | b'['
                        | b']'
                        | b'?'
                        | b'.'
                        | b'='
                )
        })
}

/// Decodes the `Q` encoding (RFC 2047 §4.2) into `out`: `_` is a space, `=XX` a byte.
/// Returns the decoded length, or `None` for a bad escape, an octet that is not
/// `encoded-text` (RFC 2047 §2: printable ASCII but `?`) or an `out` too short.
fn decode_q_into(text: &str, out: &mut [u8]) -> Option<usize> {
    let mut len = 0;
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        let decoded = match b {
            b'_' => b' ',
            // Hexadecimal digits are `encoded-text`.
            b'=' => {
                let hi = hex_value(bytes.next()?)?;
                let lo = hex_value(bytes.next()?)?;
                hi << 4 | lo
            }
            b'?' => return None,
            b'!'..=b'~' => b,
            _ => return None,
        };
        *out.get_mut(len)? = decoded;
        len += 1;
    }
    Some(len)
}

/// Returns the value of one hexadecimal digit, either case.
const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Returns unstructured header text (RFC 5322 §3.2.5, e.g. a `Subject:` body) with its
/// encoded words decoded (RFC 2047 §5 (1), §6.2).
///
/// An encoded word is recognised only when white space or the start or end of the text
/// delimits it. White space between two adjacent encoded words is dropped (RFC 2047 §6.2);
/// all other text and white space is kept as it is. Words that cannot be decoded stay
/// literally. The input should already be unfolded; CR and LF are treated as white space.
///
/// The decoded text may contain any character, control characters included: it is meant for
/// display, not for re-insertion into a header.
///
/// ```
/// use mail_core::address::encoded_word::decode_encoded_words;
/// assert_eq!(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?="), "a b");
/// assert_eq!(decode_encoded_words("Re: =?utf-8?q?caf=C3=A9?= now"), "Re: café now");
/// ```
pub fn decode_encoded_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_ws = "";
    let mut last_was_encoded = false;
    let mut rest = text;
    while !rest.is_empty() {
        let ws_len = rest.find(|c: char| !is_lwsp(c)).unwrap_or(rest.len());
        let (ws, after_ws) = rest.split_at_checked(ws_len).unwrap_or((rest, ""));
        if !ws.is_empty() {
            pending_ws = ws;
            rest = after_ws;
            continue;
        }
        let word_len = rest.find(is_lwsp).unwrap_or(rest.len());
        let (word, after_word) = rest.split_at_checked(word_len).unwrap_or((rest, ""));
        match decode_encoded_word(word) {
            Some(decoded) => {
                if !last_was_encoded {
                    out.push_str(pending_ws);
                }
                out.push_str(&decoded);
                last_was_encoded = true;
            }
            None => {
                out.push_str(pending_ws);
                out.push_str(word);
                last_was_encoded = false;
            }
        }
        pending_ws = "";
        rest = after_word;
    }
    out.push_str(pending_ws);
    out
}

/// Returns whether `c` is part of RFC 822 `linear-white-space`.
const fn is_lwsp(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Returns whether `b` may appear unescaped in `Q` text inside a phrase (RFC 2047 §5 (3)).
const fn is_phrase_q_safe(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'!' | b'*' | b'+' | b'-' | b'/')
}

/// Cost in characters of `b` in `Q` text inside a phrase.
const fn q_cost(b: u8) -> usize {
    if is_phrase_q_safe(b) || b == b' ' {
        1
    } else {
        3
    }
}

/// Prefix of every word [`encode_phrase`] produces; the encoding letter follows it.
const UTF8_PREFIX: &str = "=?UTF-8?";

/// Room for encoded text in one word: 75 minus `=?UTF-8?X?` and `?=`.
const MAX_ENCODED_TEXT: usize = MAX_ENCODED_WORD_LEN - UTF8_PREFIX.len() - 2 - 2;

/// Returns `text` as a sequence of UTF-8 encoded words that can stand for a display name
/// (RFC 2047 §5 (3)) in a 7-bit header field.
///
/// Each word is at most 75 characters (RFC 2047 §2) and holds whole characters (§5). The `Q`
/// encoding (restricted to the characters §5 (3) allows in a phrase) is used when it is no
/// longer than `B`; otherwise `B`. Words are separated by one space, which a decoder drops
/// (§6.2), so a caller may fold the header at those spaces. The empty string encodes to the
/// empty string (which is not a valid phrase by itself).
///
/// ```
/// use mail_core::address::encoded_word::{decode_encoded_words, encode_phrase};
/// assert_eq!(encode_phrase("André Pirard"), "=?UTF-8?Q?Andr=C3=A9_Pirard?=");
/// assert_eq!(decode_encoded_words(&encode_phrase("日本語")), "日本語");
/// ```
pub fn encode_phrase(text: &str) -> String {
    let q_total: usize = text.bytes().map(q_cost).sum();
    let b_total = text.len().div_ceil(3).saturating_mul(4);
    let use_q = q_total <= b_total;
    let mut out = String::new();
    let mut chunk_start = 0;
    let mut chunk_cost = 0;
    let mut chunk_bytes = 0;
    for (i, c) in text.char_indices() {
        let len = c.len_utf8();
        let fits = if use_q {
            let mut buf = [0u8; 4];
            let cost: usize = c.encode_utf8(&mut buf).bytes().map(q_cost).sum();
            let fits = chunk_cost + cost <= MAX_ENCODED_TEXT;
            if fits {
                chunk_cost += cost;
            } else {
                chunk_cost = cost;
            }
            fits
        } else {
            let fits = (chunk_bytes + len).div_ceil(3) * 4 <= MAX_ENCODED_TEXT;
            if fits {
                chunk_bytes += len;
            } else {
                chunk_bytes = len;
            }
            fits
        };
        if !fits {
            push_word(&mut out, text.get(chunk_start..i).unwrap_or(""), use_q);
            chunk_start = i;
        }
    }
    push_word(&mut out, text.get(chunk_start..).unwrap_or(""), use_q);
    out
}

/// Appends one encoded word holding `chunk` to `out`, preceded by a space unless it is first.
fn push_word(out: &mut String, chunk: &str, use_q: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if chunk.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(UTF8_PREFIX);
    if use_q {
        out.push_str("Q?");
        for b in chunk.bytes() {
            if is_phrase_q_safe(b) {
                out.push(char::from(b));
            } else if b == b' ' {
                out.push('_');
            } else {
                out.push('=');
                out.push(char::from(
                    HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
                ));
                out.push(char::from(
                    HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0'),
                ));
            }
        }
    } else {
        out.push_str("B?");
        BASE64.encode_string(chunk, out);
    }
    out.push_str("?=");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder as it was before `decode_encoded_word_into`: a `Vec` for the octets and
    /// [`Charset::decode`] for the text.
    fn reference(word: &str) -> Option<String> {
        let (charset, encoding, text) = split_word(word)?;
        if !is_encoded_text(text) {
            return None;
        }
        let bytes = match encoding {
            "Q" | "q" => {
                let mut out = Vec::new();
                let mut it = text.bytes();
                while let Some(b) = it.next() {
                    out.push(match b {
                        b'_' => b' ',
                        b'=' => hex_value(it.next()?)? << 4 | hex_value(it.next()?)?,
                        _ => b,
                    });
                }
                out
            }
            "B" | "b" => BASE64.decode(text).ok()?,
            _ => return None,
        };
        Charset::from_name(charset.as_bytes()).decode(&bytes)
    }

    #[test]
    fn into_agrees_with_the_owned_decoder_and_keeps_the_buffer_on_failure() {
        let long_q = format!("=?utf-8?q?{}?=", "caf=C3=A9_".repeat(40));
        let long_b = format!("=?utf-8?b?{}?=", BASE64.encode("é long text ".repeat(30)));
        let long_bad = format!("=?utf-8?q?{}=FF?=", "a".repeat(200));
        let words = [
            "=?US-ASCII?Q?Keith_Moore?=",
            "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=",
            "=?iso-8859-15?q?=A4?=",
            "=?windows-1252?q?=80=96?=",
            "=?us-ascii?q?=E9?=",
            "=?iso-8859-2?q?_b?=",
            "=?iso-8859-2?q?=E9?=",
            "=?utf-8?q?=FF?=",
            "=?UTF-8*en?Q?hi?=",
            "=?utf-8?b?w6k=?=",
            "=?utf-8?b?w6k?=",
            "=?utf-8?B?w6k===?=",
            "=?utf-8?b?!!?=",
            "=?utf-8?x?a?=",
            "=?x-unknown?Q?a?=",
            "=?utf-8?q?=4?=",
            "=?utf-8?q??=",
            "=?utf-8?q?a b?=",
            "=?utf-8?q?a\tb?=",
            "=?utf-8?q?caf\u{e9}?=",
            "=?utf-8?b?w6k\u{e9}?=",
            "=?utf-8?b?w6 k?=",
            "=?utf-8?b?w6k?x?=",
            "=?utf-8?q?a?b?=",
            "=?utf-8?b?====?=",
            "=?utf-8?b?w=6k?=",
            "=?utf*?q?a?=",
            "=?*en?q?a?=",
            "=??q?a?=",
            "=?utf-8??a?=",
            "=?.?q?a?=",
            "plain",
            &long_q,
            &long_b,
            &long_bad,
        ];
        for w in words {
            let mut out = String::from("prefix ");
            let ok = decode_encoded_word_into(w, &mut out);
            let want = reference(w);
            assert_eq!(ok, want.is_some(), "{w}");
            assert_eq!(
                out,
                format!("prefix {}", want.clone().unwrap_or_default()),
                "{w}"
            );
            assert_eq!(decode_encoded_word(w), want, "{w}");
        }
        assert!(decode_encoded_word(&long_q).is_some_and(|s| s.starts_with("café café")));
        assert!(decode_encoded_word(&long_b).is_some());
    }

    #[test]
    fn rfc2047_section8_words() {
        assert_eq!(
            decode_encoded_word("=?US-ASCII?Q?Keith_Moore?=").unwrap(),
            "Keith Moore"
        );
        assert_eq!(
            decode_encoded_word("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=").unwrap(),
            "Keld Jørn Simonsen"
        );
        assert_eq!(
            decode_encoded_words(
                "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
            ),
            "If you can read this you understand the example."
        );
    }

    #[test]
    fn charsets() {
        assert_eq!(decode_encoded_word("=?iso-8859-15?q?=A4?=").unwrap(), "€");
        assert_eq!(
            decode_encoded_word("=?windows-1252?q?=80=96?=").unwrap(),
            "€–"
        );
        assert_eq!(decode_encoded_word("=?us-ascii?q?=E9?="), None);
        assert_eq!(decode_encoded_word("=?iso-8859-2?q?_b?=").unwrap(), " b");
        assert_eq!(decode_encoded_word("=?iso-8859-2?q?=E9?="), None);
        assert_eq!(decode_encoded_word("=?utf-8?q?=FF?="), None);
        assert_eq!(decode_encoded_word("=?UTF-8*en?Q?hi?=").unwrap(), "hi");
    }

    #[test]
    fn malformed_words() {
        for w in [
            "=?utf-8?q?a",
            "=?utf-8?x?a?=",
            "=??q?a?=",
            "=?utf-8?q??=",
            "=?utf-8?q?a b?=",
            "=?utf-8?q?=G0?=",
            "=?utf-8?q?a?b?=",
        ] {
            assert_eq!(decode_encoded_word(w), None, "{w}");
        }
    }

    #[test]
    fn encoder_word_length() {
        let s = "é".repeat(200);
        let enc = encode_phrase(&s);
        assert!(enc.split(' ').all(|w| w.len() <= MAX_ENCODED_WORD_LEN));
        assert_eq!(decode_encoded_words(&enc), s);
        let a = "a b".repeat(100);
        let enc = encode_phrase(&a);
        assert!(
            enc.split(' ')
                .all(|w| w.len() <= MAX_ENCODED_WORD_LEN && w.starts_with("=?UTF-8?Q?"))
        );
        assert_eq!(decode_encoded_words(&enc), a);
    }
}

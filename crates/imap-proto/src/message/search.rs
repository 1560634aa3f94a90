//! What SEARCH needs of a message (RFC 9051 §6.4.4): header, body and text matching after
//! decoding, and the sent date, read as Dovecot reads them (its answers over the message set
//! of `tests/data/mime/` are the reference).

use mail_core::address::encoded_word::decode_encoded_word;
use mail_core::mime::charset::Charset;
use mail_core::mime::decode::{Decoder, Encoding};
use mail_core::mime::{MimeTree, PartKind, grammar};

use crate::response::Address;
use crate::types::{Date, NString};

use super::body_structure::{binary_encoding, charset};
use super::envelope::parse_addresses;
use super::text::{Source, slice_of};

/// Lower-cases `text` for a case-insensitive comparison (RFC 9051 §6.4.4: "all searching
/// is case-insensitive"), Unicode-aware.
fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// `text` with every RFC 2047 encoded word decoded wherever it stands, even inside a quoted
/// string or a parameter value and not delimited by white space (Dovecot decodes them so
/// for searching, unlike a display name where RFC 2047 §5 rules apply); white space between
/// two decoded words is dropped (RFC 2047 §6.2). A word that does not decode stays as it is.
pub(super) fn decode_words_anywhere(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        // White space between two encoded words is not text.
        if !(after_word
            && before
                .chars()
                .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')))
        {
            out.push_str(before);
        }
        match encoded_word_len(candidate)
            .and_then(|len| Some((len, decode_encoded_word(candidate.get(..len)?)?)))
        {
            Some((len, decoded)) => {
                out.push_str(&decoded);
                rest = candidate.get(len..).unwrap_or_default();
                after_word = true;
            }
            None => {
                out.push_str("=?");
                rest = candidate.get(2..).unwrap_or_default();
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of the `=?charset?encoding?text?=` that starts `s`, if one does (RFC 2047 §2).
fn encoded_word_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let charset_end = 2 + b.get(2..)?.iter().position(|&c| c == b'?')?;
    let encoding_end =
        charset_end + 1 + b.get(charset_end + 1..)?.iter().position(|&c| c == b'?')?;
    let text = b.get(encoding_end + 1..)?;
    let close = text.windows(2).position(|w| w == b"?=")?;
    Some(encoding_end + 1 + close + 2)
}

/// An unfolded header value with its encoded words decoded.
fn header_text(value: &[u8]) -> String {
    let unfolded: Vec<u8> = value
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    decode_words_anywhere(&String::from_utf8_lossy(&unfolded))
}

/// Whether `name` holds addresses (RFC 5322 §3.6.2, §3.6.3, §3.6.6): such a field is
/// searched in its parsed form, as Dovecot does, so a broken address matches only what
/// could be read of it.
fn is_address_field(name: &[u8]) -> bool {
    [
        &b"from"[..],
        b"sender",
        b"reply-to",
        b"to",
        b"cc",
        b"bcc",
        b"resent-from",
        b"resent-sender",
        b"resent-to",
        b"resent-cc",
        b"resent-bcc",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
}

/// An address list as its parsed addresses write it: `name <mailbox@domain>`, or
/// `mailbox@domain` without a name, a source route before the mailbox, `group: …;` for a
/// group, one address after the other separated by `, `.
fn written_addresses(tree: &MimeTree, value: &[u8]) -> String {
    let src = slice_of(tree.message(), value);
    let mut list = Vec::new();
    parse_addresses(Source::new(&src), &mut list);
    let text = |n: &NString| {
        n.0.as_ref()
            .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
    };
    let mut out = String::new();
    let mut in_group_start = false;
    for a in &list {
        let Address {
            name,
            adl,
            mailbox,
            host,
        } = a;
        if a.is_group_end() {
            out.push(';');
            in_group_start = false;
            continue;
        }
        if !out.is_empty() && !in_group_start {
            out.push_str(", ");
        }
        in_group_start = false;
        if a.is_group_start() {
            out.push_str(&text(mailbox).unwrap_or_default());
            out.push_str(": ");
            in_group_start = true;
            continue;
        }
        let spec = format!(
            "{}{}@{}",
            text(adl).map(|r| r + ":").unwrap_or_default(),
            text(mailbox).unwrap_or_default(),
            text(host).unwrap_or_default()
        );
        match text(name) {
            Some(n) if !n.is_empty() => {
                out.push_str(&n);
                out.push_str(" <");
                out.push_str(&spec);
                out.push('>');
            }
            _ => out.push_str(&spec),
        }
    }
    header_text(out.as_bytes())
}

/// The searchable text of one header field's value: decoded, and for address fields the
/// parsed addresses.
fn field_text(tree: &MimeTree, name: &[u8], value: &[u8]) -> String {
    if is_address_field(name) {
        written_addresses(tree, value)
    } else {
        header_text(value)
    }
}

/// Whether a field named `name` of the message header contains `needle`; an empty needle
/// matches any such field (RFC 9051 §6.4.4 HEADER).
pub(super) fn header_contains(tree: &MimeTree, name: &str, needle: &str) -> bool {
    let mut folded: Option<String> = None;
    tree.fields(0).iter().any(|f| {
        if !(f.has_colon() && tree.name(f).eq_ignore_ascii_case(name.as_bytes())) {
            return false;
        }
        let value = tree.raw_value(f);
        if needle.is_ascii()
            && !is_address_field(tree.name(f))
            && let Some(found) = plain_ascii_contains(value, needle.as_bytes())
        {
            return found;
        }
        let needle = folded.get_or_insert_with(|| fold(needle));
        fold(&field_text(tree, tree.name(f), value)).contains(needle.as_str())
    })
}

/// [`header_text`] + [`fold`] + `contains` without building either string, for the usual
/// field: all ASCII, on one line, no encoded word. Its text is then the value itself, and
/// lower-casing it is ASCII lower-casing. `None` for any other value.
fn plain_ascii_contains(value: &[u8], needle: &[u8]) -> Option<bool> {
    if !value.is_ascii()
        || memchr::memchr2(b'\r', b'\n', value).is_some()
        || memchr::memmem::find(value, b"=?").is_some()
    {
        return None;
    }
    if needle.is_empty() {
        return Some(true);
    }
    Some(
        value
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle)),
    )
}

/// Whether the body of part `index` is text to search: a `text/*` or `message/*` part, or a
/// part without a usable type (Dovecot searches those and skips the rest).
fn is_searched(tree: &MimeTree, index: usize) -> bool {
    match tree.part(index).map(|p| p.kind()) {
        Some(PartKind::Text) => true,
        Some(PartKind::Other) => tree
            .first(index, "content-type")
            .map(|f| grammar::content_type_head(tree.raw_value(f)).0)
            .is_some_and(|t| t.eq_ignore_ascii_case(b"message")),
        _ => false,
    }
}

/// The decoded text of every searched part (see [`is_searched`]): decoded from its
/// transfer encoding (the first `Content-Transfer-Encoding`, even without MIME-Version, as
/// Dovecot decodes; a broken encoding as far as it decodes, see
/// [`Decoder::finish_lenient`]) and from its charset to UTF-8 where the charset is known.
fn body_texts(tree: &MimeTree) -> Vec<String> {
    let mut out = Vec::new();
    for (index, part) in tree.parts().iter().enumerate() {
        if !is_searched(tree, index) {
            continue;
        }
        let Some(body) = tree.message().get(part.body_start()..part.end()) else {
            continue;
        };
        let encoding = binary_encoding(tree, index)
            .and_then(|e| Encoding::from_mechanism(&e))
            .unwrap_or(Encoding::Identity);
        let mut decoder = Decoder::new(encoding);
        let mut bytes = Vec::with_capacity(body.len());
        if decoder.feed(body, &mut bytes).is_err() || decoder.finish(&mut bytes).is_err() {
            decoder.finish_lenient(&mut bytes);
        }
        let cs = charset(tree, index).map_or(Charset::UsAscii, |c| Charset::from_name(&c));
        let mut text = String::with_capacity(bytes.len());
        if !cs.decode_lossy_into(&bytes, &mut text) {
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        out.push(text);
    }
    out
}

/// Whether the body text contains `needle` (RFC 9051 §6.4.4 BODY).
pub(super) fn body_contains(tree: &MimeTree, needle: &str) -> bool {
    let needle = fold(needle);
    body_texts(tree).iter().any(|t| fold(t).contains(&needle))
}

/// Whether a header (of the message or of any part in it, as written) or the body contains
/// `needle` (RFC 9051 §6.4.4 TEXT).
pub(super) fn text_contains(tree: &MimeTree, needle: &str) -> bool {
    let folded = fold(needle);
    (0..tree.parts().len()).any(|index| {
        tree.fields(index).iter().any(|f| {
            let mut line = String::from_utf8_lossy(tree.name(f)).into_owned();
            line.push_str(": ");
            // TEXT reads the header as written (encoded words decoded), address fields
            // included: Dovecot parses addresses only for HEADER-type searches.
            line.push_str(&header_text(tree.raw_value(f)));
            fold(&line).contains(&folded)
        })
    }) || body_contains(tree, needle)
}

/// The calendar date of the last `Date:` field (RFC 5322 §3.3), time and zone disregarded
/// as SENTBEFORE/SENTON/SENTSINCE want (RFC 9051 §6.4.4); `None` when it is missing or
/// cannot be read.
pub(super) fn sent_date(tree: &MimeTree) -> Option<Date> {
    let f = tree.last(0, "date")?;
    let text = String::from_utf8_lossy(tree.raw_value(f)).into_owned();
    let mut words = text
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|w| !w.is_empty());
    let mut first = words.next()?;
    if first.chars().all(|c| c.is_ascii_alphabetic()) {
        first = words.next()?;
    }
    let day: u8 = first.parse().ok()?;
    let month_name = words.next()?;
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| month_name.eq_ignore_ascii_case(m))?;
    let year: u16 = words.next()?.parse().ok()?;
    // RFC 5322 §4.3: two-digit years.
    let year = match year {
        0..=49 => year + 2000,
        50..=999 => year + 1900,
        _ => year,
    };
    Date::new(year, u8::try_from(month + 1).ok()?, day).ok()
}

/// The date SENTBEFORE, SENTON and SENTSINCE compare: the sent date, or 1 January 1970 for
/// a message without a readable `Date:` (Dovecot's reading: such a message was sent before
/// any date a client asks about).
pub(super) fn search_sent_date(tree: &MimeTree) -> Date {
    sent_date(tree).unwrap_or(EPOCH)
}

/// 1 January 1970.
const EPOCH: Date = match Date::new(1970, 1, 1) {
    Ok(d) => d,
    Err(_) => panic!("1 January 1970 is a date"),
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use bytes::Bytes;

    fn tree(m: &str) -> MimeTree {
        MimeTree::parse(Bytes::copy_from_slice(m.as_bytes()))
    }

    const HEAD: &str = "From: Ann Example <ann@example.com>\r\nTo: bob@example.org\r\n";

    #[test]
    fn header_matching_is_case_insensitive_and_decodes_words() {
        let t = tree(&format!(
            "{HEAD}Subject: =?utf-8?q?Caf=C3=A9?= news\r\nX-Tag: Alpha\r\n\r\nbody\r\n"
        ));
        assert!(header_contains(&t, "subject", "CAFÉ"));
        assert!(header_contains(&t, "SUBJECT", "é news"));
        assert!(header_contains(&t, "x-tag", "lph"));
        assert!(!header_contains(&t, "x-tag", "beta"));
        // An empty needle matches a field that is there, and only then.
        assert!(header_contains(&t, "X-Tag", ""));
        assert!(!header_contains(&t, "X-Missing", ""));
        // Only the message header is searched, not the body.
        assert!(!header_contains(&t, "subject", "body"));
    }

    #[test]
    fn address_fields_are_searched_as_parsed() {
        let t = tree("From: Ann Example <ann@example.com>\r\nTo: a@b <bob@example.org>\r\n\r\n");
        assert!(header_contains(&t, "From", "ann example <ann@"));
        // What the parser could not read is not found: the route after a bare address is
        // lost, as Dovecot loses it.
        assert!(!header_contains(&t, "To", "bob"));
        let t = tree("Cc: Team: x@example.com, y@example.com;\r\n\r\n");
        assert!(header_contains(
            &t,
            "cc",
            "team: x@example.com, y@example.com;"
        ));
    }

    #[test]
    fn encoded_words_decode_anywhere() {
        assert_eq!(decode_words_anywhere("name==?utf-8?q?a?="), "name=a");
        assert_eq!(
            decode_words_anywhere("\"=?UTF-8?Q?caf=C3=A9?=.txt\""),
            "\"café.txt\""
        );
        assert_eq!(decode_words_anywhere("=?utf-8?q?a?= =?utf-8?q?b?="), "ab");
        assert_eq!(decode_words_anywhere("x =?bogus"), "x =?bogus");
        assert_eq!(
            decode_words_anywhere("=?x-unknown?q?a?="),
            "=?x-unknown?q?a?="
        );
    }

    #[test]
    fn body_is_decoded_from_base64_qp_and_charset() {
        let b64 = tree(&format!(
            "{HEAD}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nY2Fmw6kgb3BlbgoK\r\n"
        ));
        assert!(body_contains(&b64, "CAFÉ OPEN"));
        assert!(!body_contains(&b64, "Y2Fm"));
        let qp = tree(&format!(
            "{HEAD}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nl'=E9l=E8ve =\r\nest l=E0\r\n"
        ));
        assert!(body_contains(&qp, "élève est là"));
        // Without MIME-Version the encoding is still decoded, as Dovecot decodes it.
        let bare = tree(&format!(
            "{HEAD}Content-Transfer-Encoding: base64\r\n\r\naGVsbG8K\r\n"
        ));
        assert!(body_contains(&bare, "hello"));
    }

    #[test]
    fn broken_base64_is_searched_as_far_as_it_decodes() {
        for (body, found, lost) in [
            ("aGVsbG8gd29ybGQ", "hello world", ""),
            ("aGVsbG8*gd29y!bGQK", "hello", "world"),
            ("aGVsbG8=gd29ybGQK", "hello", "world"),
            ("QQ==\r\nQg==", "a", "qq"),
        ] {
            let t = tree(&format!(
                "{HEAD}MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
            ));
            assert!(body_contains(&t, found), "{body}");
            assert!(lost.is_empty() || !body_contains(&t, lost), "{body}");
        }
    }

    #[test]
    fn only_text_and_message_parts_are_searched() {
        let t = tree(&format!(
            "{HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\npreamble\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nbinary words\r\n--b\r\nContent-Type: message/global\r\n\r\nSubject: inner\r\n\r\nglobal words\r\n--b--\r\nepilogue\r\n"
        ));
        assert!(!body_contains(&t, "preamble") && !body_contains(&t, "epilogue"));
        assert!(!body_contains(&t, "binary words"));
        assert!(body_contains(&t, "global words") && body_contains(&t, "subject: inner"));
        // TEXT also reads the headers of the parts, as written.
        assert!(text_contains(&t, "octet-stream"));
        assert!(!body_contains(&t, "octet-stream"));
        let commented = tree("From: Ann (c) Example <ann@example.com>\r\n\r\n");
        assert!(!text_contains(&commented, "Ann Example"));
        assert!(text_contains(&commented, "Ann (c) Example"));
        assert!(header_contains(&commented, "From", "Ann Example"));
    }

    #[test]
    fn sent_date_reads_rfc5322_dates() {
        let d = |v: &str| sent_date(&tree(&format!("Date: {v}\r\n\r\n")));
        assert_eq!(
            d("Tue, 1 Oct 2024 10:00:00 +0000"),
            Date::new(2024, 10, 1).ok()
        );
        assert_eq!(d("1 oct 24 23:59 -1200"), Date::new(2024, 10, 1).ok());
        assert_eq!(d("30 Sep 99 00:00 +0000"), Date::new(1999, 9, 30).ok());
        assert_eq!(d("one"), None);
        assert_eq!(d("31 Feb 2024 00:00 +0000"), None);
        // The last Date field counts; none at all is the epoch for SEARCH.
        let two = tree("Date: 1 Jan 2020 00:00 +0000\r\nDate: 2 Jan 2020 00:00 +0000\r\n\r\n");
        assert_eq!(sent_date(&two), Date::new(2020, 1, 2).ok());
        assert_eq!(search_sent_date(&tree("Subject: x\r\n\r\n")), EPOCH);
    }

    #[test]
    fn the_plain_ascii_path_agrees_with_the_general_one() {
        let values: [&[u8]; 8] = [
            b" Meeting tomorrow at 10:00",
            b" MEETING",
            b" meetinG notes",
            b" nothing here",
            b" Re: [list] meeting",
            b"",
            b" tab\there",
            b" 100% =sign",
        ];
        for value in values {
            for needle in ["meeting", "MEET", "", "tab\th", "= s", "x", "100% =SIGN"] {
                let general = fold(&header_text(value)).contains(&fold(needle));
                assert_eq!(
                    plain_ascii_contains(value, needle.as_bytes()),
                    Some(general),
                    "{needle:?} in {value:?}"
                );
            }
        }
        // Folded, encoded or 8-bit values take the general path.
        for value in [&b" a\r\n b"[..], b" =?utf-8?q?x?=", " caf\u{e9}".as_bytes()] {
            assert_eq!(plain_ascii_contains(value, b"a"), None);
        }
    }
}

//! What SEARCH needs of a message (RFC 9051 §6.4.4): header, body and text matching after
//! decoding, and the sent date, read as Dovecot reads them (its answers over the message set
//! of `tests/data/mime/` are the reference).

use std::borrow::Cow;

use mail_core::address::encoded_word::decode_encoded_word_into;
use mail_core::mime::charset::Charset;
use mail_core::mime::decode::{Decoder, Encoding};
use mail_core::mime::grammar::FieldName;
use mail_core::mime::{Field, MimeTree, PartKind, grammar};
use memchr::memmem;

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
    while let Some(start) = word_start(rest) {
        let (before, candidate) = rest.split_at(start);
        // White space between two encoded words is not text.
        if !(after_word
            && before
                .chars()
                .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')))
        {
            out.push_str(before);
        }
        // Decoded straight into `out`, which a failed word leaves as it was.
        match encoded_word_len(candidate).filter(|&len| {
            candidate
                .get(..len)
                .is_some_and(|word| decode_encoded_word_into(word, &mut out))
        }) {
            Some(len) => {
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

/// Where the first `=?` of `s` is: at each `=` in turn, not with a substring searcher built
/// per call.
fn word_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    memchr::memchr_iter(b'=', b).find(|&i| b.get(i + 1) == Some(&b'?'))
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
    let unfolded: Cow<'_, [u8]> = if memchr::memchr2(b'\r', b'\n', value).is_some() {
        let mut v = Vec::with_capacity(value.len());
        v.extend(value.iter().filter(|&&b| b != b'\r' && b != b'\n'));
        Cow::Owned(v)
    } else {
        Cow::Borrowed(value)
    };
    // Checked as UTF-8 first: most values are, and that check is cheaper than the lossy
    // conversion's.
    match std::str::from_utf8(&unfolded) {
        Ok(text) => decode_words_anywhere(text),
        Err(_) => decode_words_anywhere(&String::from_utf8_lossy(&unfolded)),
    }
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
    // Each part is written straight into `out`, without a string of its own, and checked
    // as UTF-8 first: that check is cheaper than the lossy conversion's.
    let push = |out: &mut String, n: &NString| {
        if let Some(s) = &n.0 {
            match std::str::from_utf8(s.as_bytes()) {
                Ok(text) => out.push_str(text),
                Err(_) => out.push_str(&String::from_utf8_lossy(s.as_bytes())),
            }
        }
    };
    // The written list is about as long as the field: one allocation, not a growth per
    // part.
    let mut out = String::with_capacity(value.len() + 16);
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
            push(&mut out, mailbox);
            out.push_str(": ");
            in_group_start = true;
            continue;
        }
        let named = name.0.as_ref().is_some_and(|n| !n.as_bytes().is_empty());
        if named {
            push(&mut out, name);
            out.push_str(" <");
        }
        if adl.0.is_some() {
            push(&mut out, adl);
            out.push(':');
        }
        push(&mut out, mailbox);
        out.push('@');
        push(&mut out, host);
        if named {
            out.push('>');
        }
    }
    // `header_text` of the list: it unfolds only text with a line break and decodes only
    // text with an encoded word, and `out` is already UTF-8; most address lists have
    // neither, and are returned as they are, not copied.
    if memchr::memchr2(b'\r', b'\n', out.as_bytes()).is_some() {
        header_text(out.as_bytes())
    } else if word_start(&out).is_some() {
        decode_words_anywhere(&out)
    } else {
        out
    }
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

/// A SEARCH key on one header field (HEADER, and FROM, TO, CC, BCC, SUBJECT, which are
/// HEADER searches of those fields; RFC 9051 §6.4.4), prepared once for many messages: the
/// needle is lower-cased and its searcher built once, not per message.
///
/// ```
/// use bytes::Bytes;
/// use imap_proto::message::{HeaderSearch, MessageStructure};
///
/// let key = HeaderSearch::new("Subject", "MEETING");
/// let msg = MessageStructure::parse(Bytes::from_static(b"Subject: Team meeting\r\n\r\n"));
/// assert!(msg.header_matches(&key));
/// ```
#[derive(Debug, Clone)]
pub struct HeaderSearch {
    /// The field name, as given.
    name: Box<str>,
    /// The field name as a [`FieldName`], compared a word at a time ignoring ASCII case
    /// (RFC 5322 §1.2.2); `None` for a name over 32 octets, compared octet by octet.
    field: Option<FieldName>,
    /// Whether the field holds addresses ([`is_address_field`]).
    address: bool,
    /// Whether the needle is all ASCII: then the folded needle is its ASCII lower-casing.
    ascii: bool,
    /// The needle lower-cased as [`fold`] lower-cases text.
    folded: Box<str>,
    /// Finds `folded` in folded text.
    finder: memmem::Finder<'static>,
}

impl HeaderSearch {
    /// Prepares the search of fields named `name` (any case) for `needle` (any case); an
    /// empty needle matches any field of that name.
    pub fn new(name: &str, needle: &str) -> Self {
        let folded = fold(needle);
        Self {
            name: name.into(),
            field: (name.len() <= 32).then(|| FieldName::new(name)),
            address: is_address_field(name.as_bytes()),
            ascii: needle.is_ascii(),
            finder: memmem::Finder::new(folded.as_bytes()).into_owned(),
            folded: folded.into_boxed_str(),
        }
    }

    /// The field name searched, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a field of this name in the header of `tree`'s message contains the needle.
    pub(super) fn matches(&self, tree: &MimeTree) -> bool {
        let name = self.name.as_bytes();
        let is_name = |field: &[u8]| match &self.field {
            Some(f) => f.matches(field),
            None => field.eq_ignore_ascii_case(name),
        };
        tree.fields(0)
            .iter()
            .any(|f| f.has_colon() && is_name(tree.name(f)) && self.value_matches(tree, f))
    }

    /// Whether the searchable text of `field` ([`field_text`]) contains the needle,
    /// ignoring case.
    fn value_matches(&self, tree: &MimeTree, field: &Field) -> bool {
        let value = tree.raw_value(field);
        let needle = self.folded.as_bytes();
        if self.ascii && !self.address && is_plain_ascii(value) {
            // The text is the value itself, and lower-casing it is ASCII lower-casing.
            return contains_ascii_folded(value, needle);
        }
        let text = field_text(tree, tree.name(field), value);
        // Lower-casing keeps every ASCII letter's place among the other ASCII octets and
        // turns a non-ASCII character into non-ASCII ones, except these two (Unicode's
        // case mapping, checked over every character in the tests): so an ASCII needle is
        // found in the lower-cased text exactly where it is found ignoring ASCII case.
        if self.ascii && !lower_cases_to_ascii(&text) {
            return contains_ascii_folded(text.as_bytes(), needle);
        }
        self.finder.find(fold(&text).as_bytes()).is_some()
    }
}

/// Whether `text` holds one of the two non-ASCII characters whose lower case has ASCII in
/// it: U+0130 (`İ`, UTF-8 C4 B0) and U+212A (Kelvin sign, UTF-8 E2 84 AA).
fn lower_cases_to_ascii(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr2_iter(0xC4, 0xE2, b).any(|i| {
        let next = b.get(i + 1..).unwrap_or_default();
        next.starts_with(&[0xB0]) && b.get(i) == Some(&0xC4)
            || next.starts_with(&[0x84, 0xAA]) && b.get(i) == Some(&0xE2)
    })
}

/// Whether a field named `name` of the message header contains `needle`; an empty needle
/// matches any such field (RFC 9051 §6.4.4 HEADER).
#[cfg(test)]
fn header_contains(tree: &MimeTree, name: &str, needle: &str) -> bool {
    HeaderSearch::new(name, needle).matches(tree)
}

/// Whether `value` is the usual field value: all ASCII, on one line, no encoded word. Its
/// searchable text ([`header_text`]) is then the value itself.
fn is_plain_ascii(value: &[u8]) -> bool {
    value.is_ascii()
        && memchr::memchr3_iter(b'\r', b'\n', b'=', value)
            .all(|i| value.get(i) == Some(&b'=') && value.get(i + 1) != Some(&b'?'))
}

/// Whether `haystack` contains `needle` (lower-case ASCII letters or any other octets),
/// ASCII letters of `haystack` compared ignoring case.
fn contains_ascii_folded(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
        return false;
    };
    let Some(window) = haystack.get(..=last_start) else {
        return false;
    };
    let upper = first.to_ascii_uppercase();
    let tail = |i: usize| {
        haystack
            .get(i + 1..i + needle.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(rest))
    };
    if upper == first {
        memchr::memchr_iter(first, window).any(tail)
    } else {
        memchr::memchr2_iter(first, upper, window).any(tail)
    }
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
    let text = String::from_utf8_lossy(tree.raw_value(f));
    let d = mail_core::date::DateTime::parse(&text)?;
    Date::new(u16::try_from(d.year).ok()?, d.month, d.day).ok()
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
    fn field_names_match_a_word_at_a_time_and_past_32_octets() {
        let long = "X-A-Field-Name-Longer-Than-Thirty-Two-Octets";
        let t = tree(&format!(
            "X-Tag: a\r\nX-Tah: b\r\nX-Tag-: c\r\nX-Ta\u{e9}: d\r\n{long}: e\r\n\r\n"
        ));
        assert!(header_contains(&t, "x-TAG", "a"));
        assert!(!header_contains(&t, "x-tag", "b"));
        assert!(header_contains(&t, "X-TAG-", "c"));
        assert!(!header_contains(&t, "X-Tag-", "a"));
        assert!(header_contains(&t, "x-ta\u{e9}", "d"));
        assert!(!header_contains(&t, "x-ta\u{c9}", "d"));
        assert!(header_contains(&t, &long.to_ascii_uppercase(), "e"));
        assert!(!header_contains(&t, &long[..long.len() - 1], ""));
        assert!(HeaderSearch::new(long, "E").name() == long);
    }

    #[test]
    fn address_lists_written_with_line_breaks_names_and_routes() {
        // A folded display name and an encoded word in an address list are read as
        // the written addresses show them.
        let t = tree(
            "From: \"Ann\r\n Example\" <ann@example.com>\r\n\
             To: =?utf-8?q?Andr=C3=A9?= <andre@example.org>, <@route.example:bob@example.net>\r\n\r\n",
        );
        assert!(header_contains(&t, "From", "ann example <ann@example.com>"));
        assert!(header_contains(&t, "to", "andré <andre@example.org>"));
        assert!(header_contains(
            &t,
            "to",
            ", @route.example:bob@example.net"
        ));
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
        let values: [&[u8]; 9] = [
            b" Meeting tomorrow at 10:00",
            b" MEETING",
            b" meetinG notes",
            b" nothing here",
            b" Re: [list] meeting",
            b"",
            b" tab\there",
            b" 100% =sign",
            b"x=",
        ];
        for value in values {
            assert!(is_plain_ascii(value), "{value:?}");
            for needle in [
                "meeting",
                "MEET",
                "",
                "tab\th",
                "= s",
                "x",
                "100% =SIGN",
                "x=",
            ] {
                let general = fold(&header_text(value)).contains(&fold(needle));
                assert_eq!(
                    contains_ascii_folded(value, fold(needle).as_bytes()),
                    general,
                    "{needle:?} in {value:?}"
                );
            }
        }
        // Folded, encoded or 8-bit values take the general path.
        for value in [
            &b" a\r\n b"[..],
            b" a\n b",
            b" =?utf-8?q?x?=",
            " caf\u{e9}".as_bytes(),
        ] {
            assert!(!is_plain_ascii(value), "{value:?}");
        }
    }

    #[test]
    fn only_two_characters_lower_case_to_ascii() {
        // What the ASCII comparison of decoded text in `HeaderSearch` relies on.
        let odd: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| !c.is_ascii() && c.to_lowercase().any(|l| l.is_ascii()))
            .collect();
        assert_eq!(odd, ['\u{130}', '\u{212A}']);
        for text in ["\u{130}", "a\u{212A}b", "\u{e9}\u{130}"] {
            assert!(lower_cases_to_ascii(text), "{text}");
        }
        for text in [
            "",
            "abc",
            "\u{129}\u{131}\u{2129}\u{212B}\u{e9}",
            "\u{2000}\u{e84}",
        ] {
            assert!(!lower_cases_to_ascii(text), "{text}");
        }
    }

    #[test]
    fn a_prepared_key_answers_as_the_general_reading() {
        let t = tree(concat!(
            "From: =?utf-8?q?Ren=C3=A9?= <rene@example.com>\r\n",
            "Subject: =?utf-8?q?Caf=C3=A9_=E2=80=94?= MEETING\r\n",
            "X-Kelvin: =?utf-8?q?5_=E2=84=AA?=\r\n",
            "X-Dot: =?utf-8?q?=C4=B0stanbul?=\r\n",
            "X-Folded: one\r\n two\r\n",
            "\r\n"
        ));
        for (name, needle) in [
            ("subject", "meeting"),
            ("subject", "café — m"),
            ("subject", "CAFÉ"),
            ("subject", "cafe"),
            ("Subject", ""),
            ("From", "rené <rene@"),
            ("from", "RENE@EXAMPLE"),
            ("X-Kelvin", "5 k"),
            ("X-Kelvin", "\u{212A}"),
            ("X-Dot", "i\u{307}stanbul"),
            ("X-Dot", "istanbul"),
            ("X-Dot", "i"),
            ("x-folded", "one two"),
            ("x-folded", "onetwo"),
            ("X-Missing", ""),
        ] {
            let general = t.fields(0).iter().any(|f| {
                f.has_colon()
                    && t.name(f).eq_ignore_ascii_case(name.as_bytes())
                    && fold(&field_text(&t, t.name(f), t.raw_value(f))).contains(&fold(needle))
            });
            let key = HeaderSearch::new(name, needle);
            assert_eq!(key.matches(&t), general, "{name} {needle:?}");
            assert_eq!(
                header_contains(&t, name, needle),
                general,
                "{name} {needle:?}"
            );
        }
        assert!(HeaderSearch::new("X-Kelvin", "5 K").matches(&t));
        assert!(HeaderSearch::new("X-Dot", "İSTANBUL").matches(&t));
        assert!(!HeaderSearch::new("X-Dot", "istanbul").matches(&t));
    }

    #[test]
    fn ascii_search_ignores_case_only_of_letters() {
        assert!(contains_ascii_folded(b"Hello World", b"o w"));
        assert!(contains_ascii_folded(b"HELLO", b"hello"));
        assert!(!contains_ascii_folded(b"HELL", b"hello"));
        assert!(contains_ascii_folded(b"", b""));
        assert!(!contains_ascii_folded(b"", b"a"));
        assert!(contains_ascii_folded(b"a[b", b"[b"));
        assert!(!contains_ascii_folded(b"a{b", b"[b"));
        assert!(contains_ascii_folded(b"xxab", b"ab"));
        assert!(contains_ascii_folded("caf\u{e9} ok".as_bytes(), b" ok"));
    }
}

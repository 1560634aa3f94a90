//! What SEARCH needs of a message (RFC 9051 §6.4.4): header, body and text matching after
//! decoding, and the date of the `Date:` field.

use mail_core::address::encoded_word::decode_encoded_words;
use mail_core::mime::charset::Charset;
use mail_core::mime::decode::{Decoder, Encoding};
use mail_core::mime::{MimeTree, PartKind};

use crate::types::Date;

use super::body_structure::{charset, transfer_encoding};

/// Lower-cases `text` for a case-insensitive comparison (RFC 9051 §6.4.4: "all searching
/// is case-insensitive"), Unicode-aware.
fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// An unfolded header value with its encoded words decoded (RFC 2047 §6).
fn header_text(value: &[u8]) -> String {
    let unfolded: Vec<u8> = value
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    decode_encoded_words(&String::from_utf8_lossy(&unfolded))
}

/// Whether a field named `name` of the message header contains `needle`; an empty needle
/// matches any such field (RFC 9051 §6.4.4 HEADER).
pub(super) fn header_contains(tree: &MimeTree, name: &str, needle: &str) -> bool {
    let needle = fold(needle);
    tree.fields(0).iter().any(|f| {
        f.has_colon()
            && tree.name(f).eq_ignore_ascii_case(name.as_bytes())
            && fold(&header_text(tree.raw_value(f))).contains(&needle)
    })
}

/// The decoded text of every text part, in UTF-8 where the charset is known.
fn body_texts(tree: &MimeTree) -> Vec<String> {
    let mut out = Vec::new();
    for (index, part) in tree.parts().iter().enumerate() {
        if part.kind() != PartKind::Text {
            continue;
        }
        let Some(body) = tree.message().get(part.body_start()..part.end()) else {
            continue;
        };
        let encoding =
            Encoding::from_mechanism(&transfer_encoding(tree, index)).unwrap_or(Encoding::Identity);
        let mut decoder = Decoder::new(encoding);
        let mut bytes = Vec::with_capacity(body.len());
        if decoder.feed(body, &mut bytes).is_err() || decoder.finish(&mut bytes).is_err() {
            // Broken encoding: search what could be read, as the octets stand.
            bytes = body.to_vec();
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

/// Whether the body text (decoded from base64 or quoted-printable and from its charset)
/// contains `needle` (RFC 9051 §6.4.4 BODY).
pub(super) fn body_contains(tree: &MimeTree, needle: &str) -> bool {
    let needle = fold(needle);
    body_texts(tree).iter().any(|t| fold(t).contains(&needle))
}

/// Whether the header or the body contains `needle` (RFC 9051 §6.4.4 TEXT).
pub(super) fn text_contains(tree: &MimeTree, needle: &str) -> bool {
    let folded = fold(needle);
    tree.fields(0).iter().any(|f| {
        let mut line = String::from_utf8_lossy(tree.name(f)).into_owned();
        line.push_str(": ");
        line.push_str(&header_text(tree.raw_value(f)));
        fold(&line).contains(&folded)
    }) || body_contains(tree, needle)
}

/// The calendar date of the last `Date:` field (RFC 5322 §3.3), time and zone disregarded
/// as SENTBEFORE/SENTON/SENTSINCE want (RFC 9051 §6.4.4).
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

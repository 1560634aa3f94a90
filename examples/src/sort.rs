//! SORT and THREAD (RFC 5256) over a mailbox's messages: base subject extraction (§2.1), the
//! sent date (§2.2), the sort keys (§3 SORT) and the ORDEREDSUBJECT and REFERENCES threading
//! algorithms (§3 THREAD).
//!
//! The logic works on [`SortMessage`]s, which hold only what SORT and THREAD look at, so it
//! knows nothing of the store. Every walk over a thread tree uses an explicit list, never
//! recursion: References fields are peer input and can make trees of any depth.
//!
//! Collation: subjects compare by their Unicode upper case (close to i;unicode-casemap's
//! titlecase, RFC 5051, without its decomposition), addresses by i;ascii-casemap.

use std::collections::HashMap;
use std::num::NonZeroU32;

use imap_proto::command::{SortCriterion, SortKey};
use imap_proto::message::MessageStructure;
use imap_proto::response::{Address, Thread};
use imap_proto::types::{AString, NString, Section, SectionText};
use mail_core::address::encoded_word::decode_encoded_words;

/// What SORT and THREAD know of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortMessage {
    /// The number to answer with: the sequence number (SORT, THREAD) or the UID.
    pub number: NonZeroU32,
    /// INTERNALDATE, seconds since 1970 (ARRIVAL).
    pub arrival: i64,
    /// The sent date (RFC 5256 §2.2) in seconds since 1970 UTC; the arrival when the `Date:`
    /// field is missing or cannot be read.
    pub sent: i64,
    /// RFC822.SIZE.
    pub size: u64,
    /// The base subject (§2.1), in upper case for comparison.
    pub base_subject: String,
    /// Whether base subject extraction found a reply or forward (§3 REFERENCES).
    pub reply_or_forward: bool,
    /// The addr-mailbox of the first From, To and Cc address, in ASCII upper case; empty when
    /// absent.
    pub from: String,
    /// See [`from`](Self::from).
    pub to: String,
    /// See [`from`](Self::from).
    pub cc: String,
    /// The normalised Message-ID, if valid.
    pub message_id: Option<String>,
    /// The references (§3 REFERENCES): the References field's Message IDs, else the first of
    /// In-Reply-To.
    pub references: Vec<String>,
}

impl SortMessage {
    /// Reads what SORT and THREAD need from a parsed message.
    pub fn new(number: NonZeroU32, arrival: i64, structure: &MessageStructure) -> Self {
        let env = structure.envelope();
        let text = |s: &NString| {
            s.0.as_ref()
                .map(|b| String::from_utf8_lossy(b.as_bytes()).into_owned())
                .unwrap_or_default()
        };
        let (base_subject, reply_or_forward) = base_subject(&text(&env.subject));
        // RFC 5256 §3: the addr-mailbox of the first address, which for a group is the
        // group's start marker, whose addr-mailbox is the group name.
        let first = |list: &[Address]| {
            list.first()
                .map(|a| text(&a.mailbox).to_ascii_uppercase())
                .unwrap_or_default()
        };
        let date = text(&env.date);
        let references = header_field(structure, "References");
        let mut refs = msg_ids(&references);
        if refs.is_empty() {
            refs = msg_ids(&text(&env.in_reply_to))
                .into_iter()
                .take(1)
                .collect();
        }
        Self {
            number,
            arrival,
            sent: parse_date(&date).unwrap_or(arrival),
            size: structure.rfc822_size(),
            base_subject: upper(&base_subject),
            reply_or_forward,
            from: first(env.from()),
            to: first(env.to()),
            cc: first(env.cc()),
            message_id: msg_ids(&text(&env.message_id)).into_iter().next(),
            references: refs,
        }
    }
}

/// The value of a header field of the message's top-level header, unfolded; empty if absent.
fn header_field(structure: &MessageStructure, name: &str) -> String {
    let Ok(field) = AString::try_from(name) else {
        return String::new();
    };
    let Ok(section) = Section::new(Vec::new(), Some(SectionText::HeaderFields(vec![field]))) else {
        return String::new();
    };
    let raw = structure.section(&section);
    let text = String::from_utf8_lossy(&raw);
    let value = text
        .split_once(':')
        .map_or("", |(_, v)| v)
        .replace(['\r', '\n'], " ");
    value.trim().to_owned()
}

/// The comparison form of subjects, after i;unicode-casemap (RFC 5051 §2, as RFC 5256 §7
/// requires): each character in upper case (close to its titlecase), then decomposed (NFKD)
/// where [`DECOMPOSED`] knows it, so `Été` sorts with `Ete` rather than after `Z`.
fn upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_uppercase) {
        match DECOMPOSED.binary_search_by_key(&c, |&(k, _)| k) {
            Ok(i) => out.push_str(DECOMPOSED.get(i).map_or("", |&(_, d)| d)),
            Err(_) => out.push(c),
        }
    }
    out
}

/// The compatibility decompositions (NFKD, Unicode 14) of the characters of U+00A0-U+024F and
/// U+1E00-U+1EFF that are their own upper case, sorted by character: the Latin letters with
/// diacritics mail subjects carry. Generated with Python's `unicodedata.normalize("NFKD", c)`.
/// Characters outside these ranges compare undecomposed.
#[rustfmt::skip]
const DECOMPOSED: &[(char, &str)] = &[
    ('\u{a0}', " "), ('\u{a8}', " \u{308}"), ('\u{aa}', "a"), ('\u{af}', " \u{304}"),
    ('\u{b2}', "2"), ('\u{b3}', "3"), ('\u{b4}', " \u{301}"), ('\u{b8}', " \u{327}"),
    ('\u{b9}', "1"), ('\u{ba}', "o"), ('\u{bc}', "1\u{2044}4"), ('\u{bd}', "1\u{2044}2"),
    ('\u{be}', "3\u{2044}4"), ('\u{c0}', "A\u{300}"), ('\u{c1}', "A\u{301}"),
    ('\u{c2}', "A\u{302}"), ('\u{c3}', "A\u{303}"), ('\u{c4}', "A\u{308}"),
    ('\u{c5}', "A\u{30a}"), ('\u{c7}', "C\u{327}"), ('\u{c8}', "E\u{300}"),
    ('\u{c9}', "E\u{301}"), ('\u{ca}', "E\u{302}"), ('\u{cb}', "E\u{308}"),
    ('\u{cc}', "I\u{300}"), ('\u{cd}', "I\u{301}"), ('\u{ce}', "I\u{302}"),
    ('\u{cf}', "I\u{308}"), ('\u{d1}', "N\u{303}"), ('\u{d2}', "O\u{300}"),
    ('\u{d3}', "O\u{301}"), ('\u{d4}', "O\u{302}"), ('\u{d5}', "O\u{303}"),
    ('\u{d6}', "O\u{308}"), ('\u{d9}', "U\u{300}"), ('\u{da}', "U\u{301}"),
    ('\u{db}', "U\u{302}"), ('\u{dc}', "U\u{308}"), ('\u{dd}', "Y\u{301}"),
    ('\u{100}', "A\u{304}"), ('\u{102}', "A\u{306}"), ('\u{104}', "A\u{328}"),
    ('\u{106}', "C\u{301}"), ('\u{108}', "C\u{302}"), ('\u{10a}', "C\u{307}"),
    ('\u{10c}', "C\u{30c}"), ('\u{10e}', "D\u{30c}"), ('\u{112}', "E\u{304}"),
    ('\u{114}', "E\u{306}"), ('\u{116}', "E\u{307}"), ('\u{118}', "E\u{328}"),
    ('\u{11a}', "E\u{30c}"), ('\u{11c}', "G\u{302}"), ('\u{11e}', "G\u{306}"),
    ('\u{120}', "G\u{307}"), ('\u{122}', "G\u{327}"), ('\u{124}', "H\u{302}"),
    ('\u{128}', "I\u{303}"), ('\u{12a}', "I\u{304}"), ('\u{12c}', "I\u{306}"),
    ('\u{12e}', "I\u{328}"), ('\u{130}', "I\u{307}"), ('\u{132}', "IJ"),
    ('\u{134}', "J\u{302}"), ('\u{136}', "K\u{327}"), ('\u{139}', "L\u{301}"),
    ('\u{13b}', "L\u{327}"), ('\u{13d}', "L\u{30c}"), ('\u{13f}', "L\u{b7}"),
    ('\u{143}', "N\u{301}"), ('\u{145}', "N\u{327}"), ('\u{147}', "N\u{30c}"),
    ('\u{14c}', "O\u{304}"), ('\u{14e}', "O\u{306}"), ('\u{150}', "O\u{30b}"),
    ('\u{154}', "R\u{301}"), ('\u{156}', "R\u{327}"), ('\u{158}', "R\u{30c}"),
    ('\u{15a}', "S\u{301}"), ('\u{15c}', "S\u{302}"), ('\u{15e}', "S\u{327}"),
    ('\u{160}', "S\u{30c}"), ('\u{162}', "T\u{327}"), ('\u{164}', "T\u{30c}"),
    ('\u{168}', "U\u{303}"), ('\u{16a}', "U\u{304}"), ('\u{16c}', "U\u{306}"),
    ('\u{16e}', "U\u{30a}"), ('\u{170}', "U\u{30b}"), ('\u{172}', "U\u{328}"),
    ('\u{174}', "W\u{302}"), ('\u{176}', "Y\u{302}"), ('\u{178}', "Y\u{308}"),
    ('\u{179}', "Z\u{301}"), ('\u{17b}', "Z\u{307}"), ('\u{17d}', "Z\u{30c}"),
    ('\u{1a0}', "O\u{31b}"), ('\u{1af}', "U\u{31b}"), ('\u{1c4}', "DZ\u{30c}"),
    ('\u{1c7}', "LJ"), ('\u{1ca}', "NJ"), ('\u{1cd}', "A\u{30c}"), ('\u{1cf}', "I\u{30c}"),
    ('\u{1d1}', "O\u{30c}"), ('\u{1d3}', "U\u{30c}"), ('\u{1d5}', "U\u{308}\u{304}"),
    ('\u{1d7}', "U\u{308}\u{301}"), ('\u{1d9}', "U\u{308}\u{30c}"),
    ('\u{1db}', "U\u{308}\u{300}"), ('\u{1de}', "A\u{308}\u{304}"),
    ('\u{1e0}', "A\u{307}\u{304}"), ('\u{1e2}', "\u{c6}\u{304}"), ('\u{1e6}', "G\u{30c}"),
    ('\u{1e8}', "K\u{30c}"), ('\u{1ea}', "O\u{328}"), ('\u{1ec}', "O\u{328}\u{304}"),
    ('\u{1ee}', "\u{1b7}\u{30c}"), ('\u{1f1}', "DZ"), ('\u{1f4}', "G\u{301}"),
    ('\u{1f8}', "N\u{300}"), ('\u{1fa}', "A\u{30a}\u{301}"), ('\u{1fc}', "\u{c6}\u{301}"),
    ('\u{1fe}', "\u{d8}\u{301}"), ('\u{200}', "A\u{30f}"), ('\u{202}', "A\u{311}"),
    ('\u{204}', "E\u{30f}"), ('\u{206}', "E\u{311}"), ('\u{208}', "I\u{30f}"),
    ('\u{20a}', "I\u{311}"), ('\u{20c}', "O\u{30f}"), ('\u{20e}', "O\u{311}"),
    ('\u{210}', "R\u{30f}"), ('\u{212}', "R\u{311}"), ('\u{214}', "U\u{30f}"),
    ('\u{216}', "U\u{311}"), ('\u{218}', "S\u{326}"), ('\u{21a}', "T\u{326}"),
    ('\u{21e}', "H\u{30c}"), ('\u{226}', "A\u{307}"), ('\u{228}', "E\u{327}"),
    ('\u{22a}', "O\u{308}\u{304}"), ('\u{22c}', "O\u{303}\u{304}"), ('\u{22e}', "O\u{307}"),
    ('\u{230}', "O\u{307}\u{304}"), ('\u{232}', "Y\u{304}"), ('\u{1e00}', "A\u{325}"),
    ('\u{1e02}', "B\u{307}"), ('\u{1e04}', "B\u{323}"), ('\u{1e06}', "B\u{331}"),
    ('\u{1e08}', "C\u{327}\u{301}"), ('\u{1e0a}', "D\u{307}"), ('\u{1e0c}', "D\u{323}"),
    ('\u{1e0e}', "D\u{331}"), ('\u{1e10}', "D\u{327}"), ('\u{1e12}', "D\u{32d}"),
    ('\u{1e14}', "E\u{304}\u{300}"), ('\u{1e16}', "E\u{304}\u{301}"), ('\u{1e18}', "E\u{32d}"),
    ('\u{1e1a}', "E\u{330}"), ('\u{1e1c}', "E\u{327}\u{306}"), ('\u{1e1e}', "F\u{307}"),
    ('\u{1e20}', "G\u{304}"), ('\u{1e22}', "H\u{307}"), ('\u{1e24}', "H\u{323}"),
    ('\u{1e26}', "H\u{308}"), ('\u{1e28}', "H\u{327}"), ('\u{1e2a}', "H\u{32e}"),
    ('\u{1e2c}', "I\u{330}"), ('\u{1e2e}', "I\u{308}\u{301}"), ('\u{1e30}', "K\u{301}"),
    ('\u{1e32}', "K\u{323}"), ('\u{1e34}', "K\u{331}"), ('\u{1e36}', "L\u{323}"),
    ('\u{1e38}', "L\u{323}\u{304}"), ('\u{1e3a}', "L\u{331}"), ('\u{1e3c}', "L\u{32d}"),
    ('\u{1e3e}', "M\u{301}"), ('\u{1e40}', "M\u{307}"), ('\u{1e42}', "M\u{323}"),
    ('\u{1e44}', "N\u{307}"), ('\u{1e46}', "N\u{323}"), ('\u{1e48}', "N\u{331}"),
    ('\u{1e4a}', "N\u{32d}"), ('\u{1e4c}', "O\u{303}\u{301}"), ('\u{1e4e}', "O\u{303}\u{308}"),
    ('\u{1e50}', "O\u{304}\u{300}"), ('\u{1e52}', "O\u{304}\u{301}"), ('\u{1e54}', "P\u{301}"),
    ('\u{1e56}', "P\u{307}"), ('\u{1e58}', "R\u{307}"), ('\u{1e5a}', "R\u{323}"),
    ('\u{1e5c}', "R\u{323}\u{304}"), ('\u{1e5e}', "R\u{331}"), ('\u{1e60}', "S\u{307}"),
    ('\u{1e62}', "S\u{323}"), ('\u{1e64}', "S\u{301}\u{307}"), ('\u{1e66}', "S\u{30c}\u{307}"),
    ('\u{1e68}', "S\u{323}\u{307}"), ('\u{1e6a}', "T\u{307}"), ('\u{1e6c}', "T\u{323}"),
    ('\u{1e6e}', "T\u{331}"), ('\u{1e70}', "T\u{32d}"), ('\u{1e72}', "U\u{324}"),
    ('\u{1e74}', "U\u{330}"), ('\u{1e76}', "U\u{32d}"), ('\u{1e78}', "U\u{303}\u{301}"),
    ('\u{1e7a}', "U\u{304}\u{308}"), ('\u{1e7c}', "V\u{303}"), ('\u{1e7e}', "V\u{323}"),
    ('\u{1e80}', "W\u{300}"), ('\u{1e82}', "W\u{301}"), ('\u{1e84}', "W\u{308}"),
    ('\u{1e86}', "W\u{307}"), ('\u{1e88}', "W\u{323}"), ('\u{1e8a}', "X\u{307}"),
    ('\u{1e8c}', "X\u{308}"), ('\u{1e8e}', "Y\u{307}"), ('\u{1e90}', "Z\u{302}"),
    ('\u{1e92}', "Z\u{323}"), ('\u{1e94}', "Z\u{331}"), ('\u{1ea0}', "A\u{323}"),
    ('\u{1ea2}', "A\u{309}"), ('\u{1ea4}', "A\u{302}\u{301}"), ('\u{1ea6}', "A\u{302}\u{300}"),
    ('\u{1ea8}', "A\u{302}\u{309}"), ('\u{1eaa}', "A\u{302}\u{303}"),
    ('\u{1eac}', "A\u{323}\u{302}"), ('\u{1eae}', "A\u{306}\u{301}"),
    ('\u{1eb0}', "A\u{306}\u{300}"), ('\u{1eb2}', "A\u{306}\u{309}"),
    ('\u{1eb4}', "A\u{306}\u{303}"), ('\u{1eb6}', "A\u{323}\u{306}"), ('\u{1eb8}', "E\u{323}"),
    ('\u{1eba}', "E\u{309}"), ('\u{1ebc}', "E\u{303}"), ('\u{1ebe}', "E\u{302}\u{301}"),
    ('\u{1ec0}', "E\u{302}\u{300}"), ('\u{1ec2}', "E\u{302}\u{309}"),
    ('\u{1ec4}', "E\u{302}\u{303}"), ('\u{1ec6}', "E\u{323}\u{302}"), ('\u{1ec8}', "I\u{309}"),
    ('\u{1eca}', "I\u{323}"), ('\u{1ecc}', "O\u{323}"), ('\u{1ece}', "O\u{309}"),
    ('\u{1ed0}', "O\u{302}\u{301}"), ('\u{1ed2}', "O\u{302}\u{300}"),
    ('\u{1ed4}', "O\u{302}\u{309}"), ('\u{1ed6}', "O\u{302}\u{303}"),
    ('\u{1ed8}', "O\u{323}\u{302}"), ('\u{1eda}', "O\u{31b}\u{301}"),
    ('\u{1edc}', "O\u{31b}\u{300}"), ('\u{1ede}', "O\u{31b}\u{309}"),
    ('\u{1ee0}', "O\u{31b}\u{303}"), ('\u{1ee2}', "O\u{31b}\u{323}"), ('\u{1ee4}', "U\u{323}"),
    ('\u{1ee6}', "U\u{309}"), ('\u{1ee8}', "U\u{31b}\u{301}"), ('\u{1eea}', "U\u{31b}\u{300}"),
    ('\u{1eec}', "U\u{31b}\u{309}"), ('\u{1eee}', "U\u{31b}\u{303}"),
    ('\u{1ef0}', "U\u{31b}\u{323}"), ('\u{1ef2}', "Y\u{300}"), ('\u{1ef4}', "Y\u{323}"),
    ('\u{1ef6}', "Y\u{309}"), ('\u{1ef8}', "Y\u{303}"),
];

/// Returns the base subject of `subject` (RFC 5256 §2.1) and whether extraction removed a
/// `subj-refwd`, a `(fwd)` trailer or a `subj-fwd-hdr`/`subj-fwd-trl` pair (a reply or
/// forward, §3 REFERENCES).
///
/// ```abnf
/// subj-refwd      = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
/// subj-blob       = "[" *BLOBCHAR "]" *WSP
/// subj-fwd-hdr    = "[fwd:"
/// subj-fwd-trl    = "]"
/// subj-leader     = (*subj-blob subj-refwd) / WSP
/// subj-trailer    = "(fwd)" / WSP
/// ```
pub fn base_subject(subject: &str) -> (String, bool) {
    // (1) Encoded words to UTF-8, tabs and continuations to space, runs of spaces to one.
    let decoded = decode_encoded_words(subject);
    let mut s = String::with_capacity(decoded.len());
    for c in decoded.chars() {
        let c = if matches!(c, '\t' | '\r' | '\n') {
            ' '
        } else {
            c
        };
        if !(c == ' ' && s.ends_with(' ')) {
            s.push(c);
        }
    }
    let mut reply = false;
    let mut s = s.as_str();
    loop {
        // (2) subj-trailer, repeated.
        loop {
            if let Some(rest) = s.strip_suffix(' ') {
                s = rest;
            } else if s.len() >= 5
                && let Some(tail) = s.get(s.len() - 5..)
                && tail.eq_ignore_ascii_case("(fwd)")
            {
                s = s.get(..s.len() - 5).unwrap_or_default();
                reply = true;
            } else {
                break;
            }
        }
        // (3)-(5) subj-leader and subj-blob, repeated.
        loop {
            let before = s.len();
            if let Some(rest) = s.strip_prefix(' ') {
                s = rest;
            } else if let Some(rest) = strip_refwd(s) {
                s = rest;
                reply = true;
            }
            if let Some(rest) = strip_blob(s)
                && !rest.is_empty()
            {
                s = rest;
            }
            if s.len() == before {
                break;
            }
        }
        // (6) subj-fwd-hdr and subj-fwd-trl.
        if s.len() >= 6
            && s.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("[fwd:"))
            && s.ends_with(']')
        {
            s = s.get(5..s.len() - 1).unwrap_or_default();
            reply = true;
            continue;
        }
        break;
    }
    (s.to_owned(), reply)
}

/// Removes a leading `subj-blob`: `"[" *BLOBCHAR "]" *WSP`.
fn strip_blob(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('[')?;
    let end = rest.find(['[', ']'])?;
    let rest = rest.get(end..)?.strip_prefix(']')?;
    Some(rest.trim_start_matches([' ', '\t']))
}

/// Removes a leading `*subj-blob subj-refwd`.
fn strip_refwd(s: &str) -> Option<&str> {
    let mut rest = s;
    while let Some(r) = strip_blob(rest) {
        rest = r;
    }
    let lower = rest.get(..3).map(str::to_ascii_lowercase);
    let lower2 = rest.get(..2).map(str::to_ascii_lowercase);
    rest = if lower.as_deref() == Some("fwd") {
        rest.get(3..)?
    } else if matches!(lower2.as_deref(), Some("re" | "fw")) {
        rest.get(2..)?
    } else {
        return None;
    };
    rest = rest.trim_start_matches([' ', '\t']);
    if let Some(r) = strip_blob(rest) {
        rest = r;
    }
    rest.strip_prefix(':')
}

/// Parses an RFC 5322 §3.3 date-time to seconds since 1970 UTC (RFC 5256 §2.2: a bad zone
/// counts as UTC, a bad time as 00:00:00); `None` without a readable date. The reading is
/// mail-core's [`DateTime::parse`](mail_core::date::DateTime::parse).
pub fn parse_date(text: &str) -> Option<i64> {
    let d = mail_core::date::DateTime::parse(text)?;
    let days = crate::imap::days_from_civil(d.year, d.month, d.day);
    Some(days * 86_400 + d.time.unwrap_or(0) - d.zone.unwrap_or(0))
}

/// Returns the normalised Message IDs in `text` (RFC 5322 §3.6.4 `msg-id`, RFC 5256 §3:
/// quoting removed, so `<"a"@b>` equals `<a@b>`); an id without `@` or with an empty side is
/// not valid and skipped.
///
/// ```abnf
/// msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]
/// ```
pub fn msg_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '<' {
            continue;
        }
        let mut id = String::new();
        let mut quoted = false;
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if quoted => {
                    if let Some(n) = chars.next() {
                        id.push(n);
                    }
                }
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    closed = true;
                    break;
                }
                '<' if !quoted => id.clear(),
                c if c.is_whitespace() && !quoted => {}
                c => id.push(c),
            }
        }
        if closed
            && let Some((left, right)) = id.rsplit_once('@')
            && !left.is_empty()
            && !right.is_empty()
        {
            out.push(id);
        }
    }
    out
}

/// Returns the indexes of `messages` (in sequence order) sorted by `criteria` (RFC 5256 §3
/// SORT); ties keep sequence order.
pub fn sort(messages: &[SortMessage], criteria: &[SortCriterion]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..messages.len()).collect();
    order.sort_by(|&a, &b| {
        let (Some(x), Some(y)) = (messages.get(a), messages.get(b)) else {
            return a.cmp(&b);
        };
        for c in criteria {
            let o = match c.key {
                SortKey::Arrival => x.arrival.cmp(&y.arrival),
                SortKey::Cc => x.cc.cmp(&y.cc),
                SortKey::Date => x.sent.cmp(&y.sent),
                SortKey::From | SortKey::DisplayFrom => x.from.cmp(&y.from),
                SortKey::Size => x.size.cmp(&y.size),
                SortKey::Subject => x.base_subject.cmp(&y.base_subject),
                SortKey::To | SortKey::DisplayTo => x.to.cmp(&y.to),
                _ => core::cmp::Ordering::Equal,
            };
            let o = if c.reverse { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        a.cmp(&b)
    });
    order
}

/// A thread tree under construction: nodes are messages (by index) or dummies.
#[derive(Debug, Default)]
struct Tree {
    /// The message of each node; `None` for a dummy.
    message: Vec<Option<usize>>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
}

impl Tree {
    fn add(&mut self, message: Option<usize>) -> usize {
        self.message.push(message);
        self.parent.push(None);
        self.children.push(Vec::new());
        self.message.len() - 1
    }

    fn message_of(&self, n: usize) -> Option<usize> {
        self.message.get(n).copied().flatten()
    }

    fn is_dummy(&self, n: usize) -> bool {
        self.message_of(n).is_none()
    }

    fn kids(&self, n: usize) -> &[usize] {
        self.children.get(n).map_or(&[], Vec::as_slice)
    }

    fn parent_of(&self, n: usize) -> Option<usize> {
        self.parent.get(n).copied().flatten()
    }

    fn unlink(&mut self, child: usize) {
        if let Some(p) = self.parent_of(child) {
            if let Some(list) = self.children.get_mut(p) {
                list.retain(|&c| c != child);
            }
            if let Some(slot) = self.parent.get_mut(child) {
                *slot = None;
            }
        }
    }

    fn link(&mut self, parent: usize, child: usize) {
        self.unlink(child);
        if let Some(list) = self.children.get_mut(parent) {
            list.push(child);
        }
        if let Some(slot) = self.parent.get_mut(child) {
            *slot = Some(parent);
        }
    }

    /// Whether `a` is `b` or a descendant of `b` (walks up from `a`).
    fn is_within(&self, a: usize, b: usize) -> bool {
        if a != b && self.kids(b).is_empty() {
            // A leaf has no descendants: no walk, so long reply chains stay linear.
            return false;
        }
        let mut at = Some(a);
        let mut steps = 0usize;
        while let Some(n) = at {
            if n == b {
                return true;
            }
            steps += 1;
            if steps > self.parent.len() {
                return true; // a loop: treat as within, so no link is made
            }
            at = self.parent_of(n);
        }
        false
    }
}

/// THREAD=ORDEREDSUBJECT (RFC 5256 §3): by base subject, then sent date; each subject's
/// first message heads its thread with the others as its children; threads by the sent date
/// of their first message.
pub fn thread_ordered_subject(messages: &[SortMessage]) -> Vec<Thread> {
    let by = [
        SortCriterion {
            reverse: false,
            key: SortKey::Subject,
        },
        SortCriterion {
            reverse: false,
            key: SortKey::Date,
        },
    ];
    let order = sort(messages, &by);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut last: Option<&str> = None;
    for i in order {
        let Some(m) = messages.get(i) else { continue };
        match groups.last_mut() {
            Some(g) if last == Some(m.base_subject.as_str()) => g.push(i),
            _ => groups.push(vec![i]),
        }
        last = Some(m.base_subject.as_str());
    }
    let key = |i: usize| messages.get(i).map_or((0, i), |m| (m.sent, i));
    groups.sort_by_key(|g| g.first().map_or((0, 0), |&i| key(i)));
    let number = |i: usize| messages.get(i).map(|m| m.number);
    groups
        .into_iter()
        .filter_map(|g| {
            let (&head, rest) = g.split_first()?;
            let head = number(head)?;
            Some(match rest {
                [] => Thread::new(vec![head], Vec::new()),
                [one] => Thread::new(vec![head, number(*one)?], Vec::new()),
                more => Thread::new(
                    vec![head],
                    more.iter()
                        .filter_map(|&i| Some(Thread::new(vec![number(i)?], Vec::new())))
                        .collect(),
                ),
            })
        })
        .collect()
}

/// THREAD=REFERENCES (RFC 5256 §3, steps 1 to 6).
pub fn thread_references(messages: &[SortMessage]) -> Vec<Thread> {
    let mut tree = Tree::default();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut node_of = vec![0usize; messages.len()];
    // (1) Links from each message's references.
    for (i, m) in messages.iter().enumerate() {
        // (1A) A message without a valid Message-ID, or a duplicate's later message, gets a
        // unique one: a node reachable by no reference.
        let node = match m.message_id.as_deref() {
            Some(id) => match by_id.get(id) {
                Some(&n) if tree.message.get(n).copied().flatten().is_none() => {
                    if let Some(slot) = tree.message.get_mut(n) {
                        *slot = Some(i);
                    }
                    n
                }
                Some(_) => tree.add(Some(i)),
                None => {
                    let n = tree.add(Some(i));
                    by_id.insert(id, n);
                    n
                }
            },
            None => tree.add(Some(i)),
        };
        if let Some(slot) = node_of.get_mut(i) {
            *slot = node;
        }
        let mut refs = Vec::with_capacity(m.references.len());
        for r in &m.references {
            let n = match by_id.get(r.as_str()) {
                Some(&n) => n,
                None => {
                    let n = tree.add(None);
                    by_id.insert(r.as_str(), n);
                    n
                }
            };
            refs.push(n);
        }
        for pair in refs.windows(2) {
            if let [a, b] = *pair
                && tree.parent_of(b).is_none()
                && !tree.is_within(a, b)
            {
                tree.link(a, b);
            }
        }
        // (1B) The last reference becomes the parent, replacing any earlier parent.
        tree.unlink(node);
        if let Some(&last) = refs.last()
            && !tree.is_within(last, node)
        {
            tree.link(last, node);
        }
    }
    // (2) The root's children: every node without a parent.
    let mut root: Vec<usize> = (0..tree.message.len())
        .filter(|&n| tree.parent_of(n).is_none())
        .collect();
    // (3) Prune dummies.
    let mut stack: Vec<Option<usize>> = vec![None];
    while let Some(parent) = stack.pop() {
        let mut queue: std::collections::VecDeque<usize> = match parent {
            None => std::mem::take(&mut root).into(),
            Some(p) => tree
                .children
                .get_mut(p)
                .map(std::mem::take)
                .unwrap_or_default()
                .into(),
        };
        let mut kept = Vec::new();
        while let Some(c) = queue.pop_front() {
            if !tree.is_dummy(c) {
                kept.push(c);
                continue;
            }
            let kids = tree.kids(c).to_vec();
            if kids.is_empty() {
                continue;
            }
            if parent.is_none() && kids.len() > 1 {
                kept.push(c);
                continue;
            }
            for k in kids.into_iter().rev() {
                queue.push_front(k);
            }
        }
        for &k in &kept {
            if let Some(slot) = tree.parent.get_mut(k) {
                *slot = parent;
            }
            stack.push(Some(k));
        }
        match parent {
            None => root = kept,
            Some(p) => {
                if let Some(list) = tree.children.get_mut(p) {
                    *list = kept;
                }
            }
        }
    }
    // (4) Sort the root's children by sent date; a dummy by its first child's.
    for &r in &root {
        if tree.is_dummy(r) {
            let mut kids = tree.kids(r).to_vec();
            kids.sort_by_key(|&k| sent_key(&tree, k, messages));
            if let Some(list) = tree.children.get_mut(r) {
                *list = kids;
            }
        }
    }
    root.sort_by_key(|&n| sent_key(&tree, n, messages));
    // (5) Merge threads with the same base subject.
    let mut table: HashMap<&str, usize> = HashMap::new();
    for &n in &root {
        let s = thread_subject(&tree, n, messages);
        if s.is_empty() {
            continue;
        }
        match table.get(s) {
            None => {
                table.insert(s, n);
            }
            Some(&t) => {
                if !tree.is_dummy(t)
                    && (tree.is_dummy(n)
                        || (is_reply(&tree, t, messages) && !is_reply(&tree, n, messages)))
                {
                    table.insert(s, n);
                }
            }
        }
    }
    for i in 0..root.len() {
        let Some(&n) = root.get(i) else { break };
        if tree.parent_of(n).is_some() {
            continue;
        }
        let s = thread_subject(&tree, n, messages);
        if s.is_empty() {
            continue;
        }
        let Some(&t) = table.get(s) else { continue };
        if t == n {
            continue;
        }
        if tree.is_dummy(t) && tree.is_dummy(n) {
            for k in tree.kids(n).to_vec() {
                tree.link(t, k);
            }
        } else if tree.is_dummy(t)
            || (is_reply(&tree, n, messages) && !is_reply(&tree, t, messages))
        {
            tree.link(t, n);
        } else {
            // A new dummy holds both and takes the table message's place.
            let d = tree.add(None);
            if let Some(slot) = root.iter_mut().find(|x| **x == t) {
                *slot = d;
            }
            tree.link(d, t);
            tree.link(d, n);
            table.insert(s, d);
        }
    }
    let root: Vec<usize> = root
        .into_iter()
        .filter(|&n| tree.parent_of(n).is_none() && !(tree.is_dummy(n) && tree.kids(n).is_empty()))
        .collect();
    // (6) Sort every set of siblings by sent date, the youngest sets first.
    let mut order = Vec::new();
    let mut walk: Vec<usize> = root.clone();
    while let Some(n) = walk.pop() {
        order.push(n);
        walk.extend(tree.kids(n).iter().copied());
    }
    for &n in order.iter().rev() {
        let mut kids = tree.kids(n).to_vec();
        kids.sort_by_key(|&k| sent_key(&tree, k, messages));
        if let Some(list) = tree.children.get_mut(n) {
            *list = kids;
        }
    }
    let mut root = root;
    root.sort_by_key(|&n| sent_key(&tree, n, messages));
    flatten_deep(&mut tree, &root, MAX_NESTING);
    to_threads(&tree, &root, messages)
}

/// The message a node's thread subject comes from: its own, or a dummy's first child's.
fn subject_message(tree: &Tree, n: usize) -> Option<usize> {
    tree.message_of(n)
        .or_else(|| tree.kids(n).first().and_then(|&c| tree.message_of(c)))
}

/// The thread subject of a node (RFC 5256 §3 REFERENCES step 5.B.i).
fn thread_subject<'a>(tree: &Tree, n: usize, messages: &'a [SortMessage]) -> &'a str {
    subject_message(tree, n)
        .and_then(|i| messages.get(i))
        .map_or("", |m| m.base_subject.as_str())
}

/// Whether a node is a message that is a reply or forward.
fn is_reply(tree: &Tree, n: usize, messages: &[SortMessage]) -> bool {
    tree.message_of(n)
        .and_then(|i| messages.get(i))
        .is_some_and(|m| m.reply_or_forward)
}

/// The sort key of a node by sent date (a dummy by its first child's), ties by sequence.
fn sent_key(tree: &Tree, n: usize, messages: &[SortMessage]) -> (i64, usize) {
    subject_message(tree, n)
        .and_then(|i| messages.get(i).map(|m| (m.sent, i)))
        .unwrap_or((i64::MAX, usize::MAX))
}

/// How deep THREAD data nests (`thread-nested` within `thread-nested`) before the rest of a
/// thread is listed flat: the response is encoded, and dropped, recursively, and References
/// fields are peer input.
const MAX_NESTING: usize = 100;

/// Lists every descendant of a node at nesting depth `max` as its direct child, in tree order,
/// so that no THREAD data nests deeper than `max`.
fn flatten_deep(tree: &mut Tree, root: &[usize], max: usize) {
    // (node, nesting depth of its thread-list)
    let mut walk: Vec<(usize, usize)> = root.iter().map(|&r| (r, 0)).collect();
    while let Some((n, depth)) = walk.pop() {
        let kids = tree.kids(n).to_vec();
        let chain = kids.len() == 1 && !tree.is_dummy(n);
        let below = if chain { depth } else { depth + 1 };
        if below < max || kids.len() < 2 {
            walk.extend(kids.into_iter().map(|k| (k, below)));
            continue;
        }
        let mut all = Vec::new();
        let mut stack: Vec<usize> = kids.into_iter().rev().collect();
        while let Some(d) = stack.pop() {
            all.push(d);
            let grand = tree
                .children
                .get_mut(d)
                .map(std::mem::take)
                .unwrap_or_default();
            stack.extend(grand.into_iter().rev());
        }
        for &d in &all {
            if let Some(slot) = tree.parent.get_mut(d) {
                *slot = Some(n);
            }
        }
        if let Some(list) = tree.children.get_mut(n) {
            *list = all;
        }
    }
}

/// Turns the tree under `root` into THREAD data (RFC 5256 §4 `thread-list`): a chain of only
/// children is one list of members; a node with several children nests them. Built from the
/// leaves up, without recursion.
fn to_threads(tree: &Tree, root: &[usize], messages: &[SortMessage]) -> Vec<Thread> {
    // Every node below the root, parents before children.
    let mut order = Vec::new();
    let mut walk: Vec<usize> = root.to_vec();
    while let Some(n) = walk.pop() {
        order.push(n);
        walk.extend(tree.kids(n).iter().copied());
    }
    // Per node: its members in reverse, and its nested threads.
    let mut built: HashMap<usize, (Vec<NonZeroU32>, Vec<Thread>)> = HashMap::new();
    let finish = |(mut rev, kids): (Vec<NonZeroU32>, Vec<Thread>)| {
        rev.reverse();
        Thread::new(rev, kids)
    };
    for &n in order.iter().rev() {
        let number = tree
            .message
            .get(n)
            .copied()
            .flatten()
            .and_then(|i| messages.get(i))
            .map(|m| m.number);
        let kids = tree.kids(n);
        let (mut rev, nested) = match (kids, number) {
            ([only], Some(_)) => built.remove(only).unwrap_or_default(),
            _ => {
                let nested = kids
                    .iter()
                    .filter_map(|k| built.remove(k))
                    .map(finish)
                    .collect();
                (Vec::new(), nested)
            }
        };
        if let Some(num) = number {
            rev.push(num);
        }
        built.insert(n, (rev, nested));
    }
    root.iter()
        .filter_map(|r| built.remove(r))
        .map(finish)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> (String, bool) {
        base_subject(s)
    }

    #[test]
    fn base_subject_removes_leaders_trailers_and_blobs() {
        assert_eq!(base("Hello"), ("Hello".into(), false));
        assert_eq!(base("Re: Hello"), ("Hello".into(), true));
        assert_eq!(base("RE: re: Fwd: Hello"), ("Hello".into(), true));
        assert_eq!(base("Fw: Hello (fwd)"), ("Hello".into(), true));
        assert_eq!(base("Hello (fwd) (FWD)  "), ("Hello".into(), true));
        assert_eq!(base("[list] Re: Hello"), ("Hello".into(), true));
        assert_eq!(base("Re[2]: Hello"), ("Hello".into(), true));
        assert_eq!(base("[list] [other] Hello"), ("Hello".into(), false));
        // A blob is kept when it is all that is left (step 4).
        assert_eq!(base("[list]"), ("[list]".into(), false));
        assert_eq!(base("Re: [list]"), ("[list]".into(), true));
        // subj-fwd-hdr and subj-fwd-trl, then again from step 2.
        assert_eq!(base("[Fwd: Re: Hello (fwd)]"), ("Hello".into(), true));
        // Not a leader: "re" without the colon, "Reply:".
        assert_eq!(base("Really: x"), ("Really: x".into(), false));
        assert_eq!(base("re x"), ("re x".into(), false));
        // Whitespace: tabs and runs collapse.
        assert_eq!(base("Re:\tA \t  b"), ("A b".into(), true));
        assert_eq!(base(""), (String::new(), false));
    }

    #[test]
    fn base_subject_decodes_encoded_words_first() {
        assert_eq!(base("=?utf-8?q?Re=3A_caf=C3=A9?="), ("café".into(), true));
        assert_eq!(
            base("=?ISO-8859-1?Q?Fwd:_Andr=E9?= (fwd)"),
            ("André".into(), true)
        );
    }

    #[test]
    fn subjects_compare_by_unicode_casemap() {
        // RFC 5051: titlecase, then decomposition: "Été" sorts with "E", before "F".
        assert_eq!(upper("Été"), "E\u{301}TE\u{301}");
        assert!(upper("Été") < upper("f"));
        assert_eq!(upper("apple"), upper("APPLE"));
        assert!(DECOMPOSED.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn dates_normalise_to_utc() {
        // RFC 5256 §2.2's example.
        assert_eq!(
            parse_date("31 Dec 2000 16:01:33 -0800"),
            parse_date("Mon, 1 Jan 2001 00:01:33 +0000")
        );
        assert_eq!(parse_date("Thu, 1 Jan 1970 00:00:10 GMT"), Some(10));
        // A bad zone counts as UTC, a bad time as midnight.
        assert_eq!(parse_date("1 Jan 1970 00:00:10 +99x"), Some(10));
        assert_eq!(parse_date("2 Jan 1970 xx"), Some(86_400));
        assert_eq!(parse_date("not a date"), None);
    }

    #[test]
    fn message_ids_are_normalised() {
        assert_eq!(
            msg_ids(r#"<"01KF8JCEOCBS0045PS"@xxx.yyy.com> <01KF8JCEOCBS0045PS@xxx.yyy.com>"#),
            vec!["01KF8JCEOCBS0045PS@xxx.yyy.com"; 2]
        );
        assert_eq!(msg_ids("<a@b> (comment) <no-at> <c@d>"), vec!["a@b", "c@d"]);
        assert!(msg_ids("nothing").is_empty());
    }

    fn msg(n: u32, sent: i64, subject: &str, id: &str, refs: &[&str]) -> SortMessage {
        let (base_subject, reply_or_forward) = base_subject(subject);
        SortMessage {
            number: NonZeroU32::new(n).unwrap(),
            arrival: i64::from(n),
            sent,
            size: 100_000 - u64::from(n),
            base_subject: upper(&base_subject),
            reply_or_forward,
            from: String::new(),
            to: String::new(),
            cc: String::new(),
            message_id: (!id.is_empty()).then(|| id.to_owned()),
            references: refs.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn encode(threads: &[Thread]) -> String {
        let data = imap_proto::response::Data::Thread(threads.to_vec());
        let r = imap_proto::response::Response::Data(data);
        String::from_utf8(r.to_bytes().to_vec()).unwrap()
    }

    #[test]
    fn sort_keys_reverse_and_ties_by_sequence() {
        let m = [
            msg(1, 30, "b", "", &[]),
            msg(2, 10, "a", "", &[]),
            msg(3, 20, "Re: b", "", &[]),
            msg(4, 10, "A", "", &[]),
        ];
        let sorted = |c: &[SortCriterion]| -> Vec<u32> {
            sort(&m, c).into_iter().map(|i| m[i].number.get()).collect()
        };
        let key = |key, reverse| SortCriterion { reverse, key };
        assert_eq!(sorted(&[key(SortKey::Date, false)]), [2, 4, 3, 1]);
        // REVERSE reverses the key only, not the sequence-number tie-break.
        assert_eq!(sorted(&[key(SortKey::Date, true)]), [1, 3, 2, 4]);
        assert_eq!(sorted(&[key(SortKey::Subject, false)]), [2, 4, 1, 3]);
        assert_eq!(
            sorted(&[key(SortKey::Subject, false), key(SortKey::Date, true)]),
            [2, 4, 1, 3]
        );
        assert_eq!(sorted(&[key(SortKey::Size, false)]), [4, 3, 2, 1]);
        assert_eq!(sorted(&[key(SortKey::Arrival, true)]), [4, 3, 2, 1]);
    }

    #[test]
    fn ordered_subject_threads() {
        let m = [
            msg(1, 50, "Hello", "", &[]),
            msg(2, 10, "Other", "", &[]),
            msg(3, 60, "Re: hello", "", &[]),
            msg(4, 40, "Re: Hello", "", &[]),
            msg(5, 70, "other", "", &[]),
            msg(6, 5, "Lone", "", &[]),
        ];
        // Hello: 4 (40) first, then 1 (50), 3 (60); threads by their first message's date.
        assert_eq!(
            encode(&thread_ordered_subject(&m)),
            "* THREAD (6)(2 5)(4 (1)(3))\r\n"
        );
    }

    #[test]
    fn references_threads_with_dummies_and_subject_merging() {
        let m = [
            msg(1, 10, "A", "a@x", &[]),
            msg(2, 20, "Re: A", "b@x", &["a@x"]),
            msg(3, 30, "Re: A", "c@x", &["a@x", "b@x"]),
            // Replies to a message not in the mailbox: siblings under a dummy.
            msg(4, 40, "Re: Gone", "d@x", &["gone@x"]),
            msg(5, 50, "Re: Gone", "e@x", &["gone@x"]),
            // A reply to a missing message alone: the dummy is pruned.
            msg(6, 60, "Re: Solo", "f@x", &["missing@x"]),
            // No references, same subject as 1's thread, a reply: merged under 1.
            msg(7, 70, "Re: A", "g@x", &[]),
            // Two non-replies with one subject: a new dummy holds both.
            msg(8, 80, "Same", "h@x", &[]),
            msg(9, 90, "Same", "i@x", &[]),
            // A loop in the references is not made: 10 names 11 (not yet seen) as its
            // parent, so 11's reference to 10 would make a loop and is dropped.
            msg(10, 100, "Loop", "j@x", &["k@x"]),
            msg(11, 110, "Loop", "k@x", &["j@x"]),
        ];
        assert_eq!(
            encode(&thread_references(&m)),
            "* THREAD (1 (2 3)(7))((4)(5))(6)((8)(9))(11 10)\r\n"
        );
    }

    #[test]
    fn deep_reference_trees_nest_no_deeper_than_the_limit() {
        // A spine of odd messages, each with the next odd one and an even leaf as replies:
        // nesting as deep as half the mailbox, without the limit.
        let n = 2001u32;
        let m: Vec<SortMessage> = (1..=n)
            .map(|i| {
                let parent = if i % 2 == 1 {
                    i.saturating_sub(2)
                } else {
                    i - 1
                };
                let parent = format!("{parent}@x");
                let refs: Vec<&str> = if i == 1 {
                    vec![]
                } else {
                    vec![parent.as_str()]
                };
                msg(i, i64::from(i), "T", &format!("{i}@x"), &refs)
            })
            .collect();
        let threads = thread_references(&m);
        assert_eq!(threads.len(), 1);
        let mut depth = 0;
        let mut level: Vec<&Thread> = threads.iter().collect();
        let mut count = 0;
        while !level.is_empty() {
            count += level.iter().map(|t| t.members.len()).sum::<usize>();
            level = level.iter().flat_map(|t| t.children.iter()).collect();
            depth += 1;
        }
        assert_eq!(count, n as usize, "every message is answered once");
        assert_eq!(depth, MAX_NESTING + 1);
        // Above the limit the structure is exact: 1 has 2 and 3 as replies.
        assert!(encode(&threads).starts_with("* THREAD (1 (2)(3 (4)(5 (6)(7 "));
    }

    #[test]
    fn a_long_reply_chain_threads_in_linear_time() {
        let n = 50_000u32;
        let m: Vec<SortMessage> = (1..=n)
            .map(|i| {
                let parent = format!("{}@x", i - 1);
                let refs: Vec<&str> = if i == 1 {
                    vec![]
                } else {
                    vec![parent.as_str()]
                };
                msg(i, i64::from(i), "T", &format!("{i}@x"), &refs)
            })
            .collect();
        let start = std::time::Instant::now();
        let threads = thread_references(&m);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(threads.len(), 1);
        assert_eq!(threads[0].members.len(), n as usize);
    }

    #[test]
    fn references_rfc_rules() {
        // Duplicate Message-IDs: only the first keeps it; without References the first
        // In-Reply-To id is the parent (set by the caller); a truncated References chain
        // does not move an existing parent.
        let m = [
            msg(1, 10, "P", "p@x", &[]),
            msg(2, 20, "Q", "p@x", &[]),
            msg(3, 30, "Re: P", "r@x", &["p@x"]),
            msg(4, 40, "Re: P", "s@x", &["r@x"]),
            msg(5, 50, "Re: P", "t@x", &["p@x", "s@x"]),
        ];
        assert_eq!(encode(&thread_references(&m)), "* THREAD (1 3 4 5)(2)\r\n");
    }
}

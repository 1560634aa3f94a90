#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]
//! Ours against Dovecot's, byte for byte: ENVELOPE, BODYSTRUCTURE, BODY, RFC822.SIZE, body
//! sections, BINARY and BINARY.SIZE of the messages in `tests/data/mime/` (written by
//! `generate.py`, answered by a real Dovecot 2.3 through `capture.py`).
//!
//! Every answer is compared as bytes. Where the bytes differ, the two answers are compared
//! token by token, and the test accepts exactly two named differences:
//!
//! 1. **String form.** RFC 9051 §4.3: "A string is in one of two forms: either literal or
//!    quoted string." Dovecot sends a subject or display name as a literal whenever it
//!    folded its white space or it holds `"` or `\`, body sections always as literals, and
//!    decoded BINARY content as `literal8`; our encoder picks the shortest form the octets
//!    allow. The octets of every string must still be identical.
//! 2. **RFC 2231 charsets in BODYSTRUCTURE parameters.** RFC 9051 §7.5.2: "if the message
//!    contains parameters "foo*0*" and "foo*1*", the server should decode them per
//!    [RFC2231], convert to UTF-8, concatenate, and return the resulting value as a
//!    parameter "foo*"." Dovecot returns the undecoded `charset'lang'%XX` value; we decode
//!    it when the charset is known. The test checks that our value is Dovecot's decoded.
//! 3. **BINARY of the whole message** or of a part with parts: see [`whole_message_binary`].
//! 4. **BINARY of a sound part beside a broken one**: see [`sibling_fails`].
//!
//! Messages that Dovecot stored re-encoded are left out: see [`stored_reencoded`].

use std::num::NonZeroU32;
use std::path::PathBuf;

use bytes::Bytes;
use imap_proto::message::{BinaryError, MessageStructure};
use imap_proto::response::{Data, FetchItem, Response};
use imap_proto::types::{NString, Partial};
use mail_core::mime::PartKind;
use mail_core::mime::grammar::decode_ext_value;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/mime")
}

/// One entry of a `.dovecot` file: a FETCH answer, or a command Dovecot refused.
enum Entry {
    Answer(Vec<u8>),
    Refused { item: String, answer: String },
}

/// Splits a `.dovecot` file into its answers (each with its literals).
fn entries(raw: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut pos = 0;
    let line_at = |pos: usize| -> usize {
        raw[pos..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(raw.len(), |i| pos + i + 2)
    };
    while pos < raw.len() {
        if raw[pos..].starts_with(b"# ") {
            let end = line_at(pos);
            let item = String::from_utf8_lossy(&raw[pos + 2..end - 2]).into_owned();
            let next = line_at(end);
            let answer = String::from_utf8_lossy(&raw[end..next]).into_owned();
            out.push(Entry::Refused { item, answer });
            pos = next;
            continue;
        }
        let start = pos;
        loop {
            let end = line_at(pos);
            let line = &raw[pos..end - 2];
            pos = end;
            if line.ends_with(b"}")
                && let Some(open) = line.iter().rposition(|&b| b == b'{')
                && let Ok(n) = std::str::from_utf8(&line[open + 1..line.len() - 1])
                    .unwrap_or("")
                    .trim_end_matches('+')
                    .parse::<usize>()
            {
                pos += n;
                continue;
            }
            break;
        }
        out.push(Entry::Answer(raw[start..pos].to_vec()));
    }
    out
}

/// IMAP tokens, with each string's octets and form.
#[derive(Debug, PartialEq, Eq, Clone)]
enum Token {
    Open,
    Close,
    Atom(Vec<u8>),
    Str { octets: Vec<u8>, literal: bool },
}

fn tokens(raw: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b' ' | b'\r' | b'\n' => i += 1,
            b'(' => {
                out.push(Token::Open);
                i += 1;
            }
            b')' => {
                out.push(Token::Close);
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                while i < raw.len() && raw[i] != b'"' {
                    if raw[i] == b'\\' {
                        i += 1;
                    }
                    s.push(raw[i]);
                    i += 1;
                }
                out.push(Token::Str {
                    octets: s,
                    literal: false,
                });
                i += 1;
            }
            b'{' | b'~' if raw[i..].starts_with(b"~{") || raw[i] == b'{' => {
                let open = i + usize::from(raw[i] == b'~');
                let close = open + raw[open..].iter().position(|&b| b == b'}').unwrap();
                let n: usize = std::str::from_utf8(&raw[open + 1..close])
                    .unwrap()
                    .trim_end_matches('+')
                    .parse()
                    .unwrap();
                let start = close + 3;
                out.push(Token::Str {
                    octets: raw[start..start + n].to_vec(),
                    literal: true,
                });
                i = start + n;
            }
            _ => {
                let start = i;
                while i < raw.len() && !b" ()\r\n".contains(&raw[i]) {
                    i += 1;
                }
                out.push(Token::Atom(raw[start..i].to_vec()));
            }
        }
    }
    out
}

/// How two answers differ, when only by the named differences.
#[derive(Default, Debug)]
struct Allowed {
    string_form: usize,
    rfc2231: usize,
    whole_binary: usize,
    sibling: usize,
    stored_reencoded: usize,
}

/// Difference 4: Dovecot refuses BINARY of a sound part when another part of the message
/// has a broken or unknown encoding (it converts the whole message at once); RFC 3516 §4.2
/// decodes "the section's Content-Transfer-Encoding", so we answer the sound part. The test
/// checks that another part does fail for us with the same reason.
fn sibling_fails(msg: &MessageStructure, answer: &str) -> bool {
    (1..msg.tree().parts().len()).any(|i| {
        let path = path_of(msg, i);
        match msg.binary_size(&path) {
            Err(BinaryError::UnknownCte) => answer.contains("UNKNOWN-CTE"),
            Err(BinaryError::Invalid(_)) => !answer.contains("UNKNOWN-CTE"),
            _ => false,
        }
    })
}

/// The section-part of part `index` (children of multiparts only).
fn path_of(msg: &MessageStructure, index: usize) -> Vec<NonZeroU32> {
    let tree = msg.tree();
    let mut path = Vec::new();
    let mut i = index;
    while let Some(parent) = tree.part(i).and_then(|p| p.parent()) {
        let n = tree.children(parent).position(|c| c == i).unwrap_or(0) + 1;
        path.push(NonZeroU32::new(u32::try_from(n).unwrap()).unwrap());
        i = parent;
    }
    path.reverse();
    path
}

/// Messages APPENDed as `literal8` with binary parts: Dovecot stores them re-encoded in
/// base64 (RFC 3516 §4.4 lets a server do so), so its answers describe another message.
fn stored_reencoded(message: &[u8]) -> bool {
    message.contains(&0)
        && message
            .windows(33)
            .any(|w| w.eq_ignore_ascii_case(b"Content-Transfer-Encoding: binary"))
}

/// Difference 3: `BINARY` and `BINARY.SIZE` of the whole message or of a part that has
/// parts (a multipart or message/rfc822). Dovecot rewrites every part inside to
/// `Content-Transfer-Encoding: binary` (its binary converter); RFC 3516 §4.2 asks for the
/// section "after performing decoding of the section's Content-Transfer-Encoding", and
/// such a section has no encoding of its own to decode, so we send it as it is.
fn whole_message_binary(msg: &MessageStructure, item: &FetchItem) -> bool {
    let (FetchItem::Binary { section, .. } | FetchItem::BinarySize { section, .. }) = item else {
        return false;
    };
    section.is_empty()
        || msg.find_part(section).is_some_and(|i| {
            msg.tree().children(i).next().is_some()
                || !matches!(
                    msg.tree().part(i).map(|p| p.kind()),
                    Some(PartKind::Text | PartKind::Other)
                )
        })
}

/// Compares token streams; `Err` describes the first real difference.
fn same_tokens(ours: &[u8], theirs: &[u8], allowed: &mut Allowed) -> Result<(), String> {
    let (a, b) = (tokens(ours), tokens(theirs));
    if a.len() != b.len() {
        return Err(format!("{} tokens against Dovecot's {}", a.len(), b.len()));
    }
    let mut prev: Option<&Token> = None;
    for (x, y) in a.iter().zip(&b) {
        match (x, y) {
            (
                Token::Str {
                    octets: o,
                    literal: lo,
                },
                Token::Str {
                    octets: t,
                    literal: lt,
                },
            ) => {
                if o != t {
                    let extended_param =
                        matches!(prev, Some(Token::Str { octets, .. }) if octets.ends_with(b"*"));
                    if extended_param
                        && decode_ext_value(t).is_some_and(|d| d.as_bytes() == o.as_slice())
                    {
                        allowed.rfc2231 += 1;
                    } else {
                        return Err(format!(
                            "string {:?} against Dovecot's {:?}",
                            String::from_utf8_lossy(o),
                            String::from_utf8_lossy(t)
                        ));
                    }
                } else if lo != lt {
                    allowed.string_form += 1;
                }
            }
            (x, y) if x == y => {}
            (x, y) => return Err(format!("{x:?} against Dovecot's {y:?}")),
        }
        prev = Some(x);
    }
    Ok(())
}

fn encode(seq: NonZeroU32, item: FetchItem) -> Vec<u8> {
    Response::Data(Data::Fetch {
        seq,
        items: vec![item],
    })
    .to_bytes()
    .to_vec()
}

fn parse_answer(raw: &[u8]) -> (NonZeroU32, FetchItem) {
    // The 105-level messages nest deeper than the default budget.
    let line = raw.strip_suffix(b"\r\n").unwrap_or(raw);
    match Response::parse_bytes(&Bytes::copy_from_slice(line), 1000) {
        Ok(Response::Data(Data::Fetch { seq, mut items })) => (seq, items.remove(0)),
        other => panic!("{other:?}"),
    }
}

/// Our answer to the item Dovecot answered.
fn ours(msg: &MessageStructure, item: &FetchItem) -> Option<FetchItem> {
    Some(match item {
        FetchItem::Envelope(_) => FetchItem::Envelope(Box::new(msg.envelope())),
        FetchItem::BodyStructure(_) => FetchItem::BodyStructure(Box::new(msg.body_structure(true))),
        FetchItem::Body(_) => FetchItem::Body(Box::new(msg.body_structure(false))),
        FetchItem::Rfc822Size(_) => FetchItem::Rfc822Size(msg.rfc822_size()),
        FetchItem::BodySection {
            section, origin, ..
        } => {
            // capture.py asks `BODY.PEEK[]<2.10>` and `BODY.PEEK[TEXT]<0.5>`.
            let partial = origin.map(|o| Partial {
                offset: u64::from(o),
                length: std::num::NonZeroU64::new(if o == 2 { 10 } else { 5 }).unwrap(),
            });
            let data = msg.section_partial(section, partial);
            FetchItem::BodySection {
                section: section.clone(),
                origin: *origin,
                data: NString(Some(imap_proto::types::IString::try_from(data).ok()?)),
            }
        }
        FetchItem::BinarySize { section, .. } => FetchItem::BinarySize {
            section: section.clone(),
            size: u32::try_from(msg.binary_size(section).ok()?).ok()?,
        },
        FetchItem::Binary {
            section, origin, ..
        } => FetchItem::Binary {
            section: section.clone(),
            origin: *origin,
            data: Some(msg.binary(section).ok()?.read_all().ok()?),
        },
        _ => return None,
    })
}

fn binary_path(item: &str) -> Vec<NonZeroU32> {
    let inner = &item[item.find('[').unwrap() + 1..item.find(']').unwrap()];
    inner
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn ours_equals_dovecot_byte_for_byte() {
    let dir = data_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    names.sort();
    assert!(names.len() >= 200, "{} messages", names.len());
    let mut allowed = Allowed::default();
    let (mut exact, mut failures) = (0usize, Vec::new());
    for name in &names {
        let message = Bytes::from(std::fs::read(dir.join(name)).unwrap());
        let answers = std::fs::read(dir.join(name.replace(".eml", ".dovecot"))).unwrap();
        if stored_reencoded(&message) {
            allowed.stored_reencoded += 1;
            continue;
        }
        let msg = MessageStructure::parse(message);
        for entry in entries(&answers) {
            match entry {
                Entry::Refused { item, answer } => {
                    let path = binary_path(&item);
                    let probe = FetchItem::BinarySize {
                        section: path.clone(),
                        size: 0,
                    };
                    if whole_message_binary(&msg, &probe) {
                        // Difference 3: Dovecot decodes the parts inside, we do not.
                        allowed.whole_binary += 1;
                        continue;
                    }
                    let got = msg.binary_size(&path);
                    let ok = if answer.contains("UNKNOWN-CTE") {
                        got == Err(BinaryError::UnknownCte)
                    } else if answer.contains("[PARSE]") || answer.contains("disconnected") {
                        matches!(got, Err(BinaryError::Invalid(_)))
                    } else {
                        false
                    };
                    if !ok && got.is_ok() && sibling_fails(&msg, &answer) {
                        // Difference 4: see sibling_fails.
                        allowed.sibling += 1;
                    } else if !ok {
                        failures.push(format!("{name} {item}: Dovecot {answer:?}, ours {got:?}"));
                    }
                }
                Entry::Answer(raw) => {
                    let (seq, item) = parse_answer(&raw);
                    if matches!(item, FetchItem::Uid(_)) {
                        // Dovecot's untagged `UID n` before a refusal.
                        continue;
                    }
                    if whole_message_binary(&msg, &item) {
                        // Difference 3: see whole_message_binary.
                        allowed.whole_binary += 1;
                        continue;
                    }
                    let Some(our_item) = ours(&msg, &item) else {
                        failures.push(format!(
                            "{name}: no answer of ours to {}",
                            String::from_utf8_lossy(&raw[..raw.len().min(80)])
                        ));
                        continue;
                    };
                    let wire = encode(seq, our_item);
                    if wire == raw {
                        exact += 1;
                    } else if let Err(why) = same_tokens(&wire, &raw, &mut allowed) {
                        failures.push(format!(
                            "{name}: {why}\n  ours:    {:?}\n  Dovecot: {:?}",
                            String::from_utf8_lossy(&wire[..wire.len().min(300)]),
                            String::from_utf8_lossy(&raw[..raw.len().min(300)])
                        ));
                    }
                }
            }
        }
    }
    println!("{exact} answers identical, {allowed:?}");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(exact > 3000, "{exact}");
}

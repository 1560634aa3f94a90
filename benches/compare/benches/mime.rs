//! The MIME structure of a message set, ours next to `mailparse` and `mail-parser` in one
//! run: the 324 messages of imap-proto's Dovecot comparison (every MIME pitfall, nested
//! multiparts, digests, message/rfc822 in message/rfc822, binary parts).
//!
//! Every side produces the same data, what an IMAP server answers to FETCH ENVELOPE
//! BODYSTRUCTURE, so that none wins by leaving work undone:
//!
//! - **the part tree**, embedded message/rfc822 messages included;
//! - **the envelope fields** of the message and of every embedded message: Date, Subject,
//!   Message-ID and In-Reply-To as text, From, Sender, Reply-To, To, Cc and Bcc parsed into
//!   addresses;
//! - **the structure fields** of every part: the parsed Content-Type with its parameters,
//!   Content-Transfer-Encoding, -ID, -Description, -Disposition, -Language, -Location and
//!   -MD5, and the encoded body's size and line count.
//!
//! Ours: `MessageStructure::parse`, then `envelope()` and `body_structure(true)` (which
//! builds the envelope of every embedded message), all of it as IMAP response values.
//! `mailparse`: `parse_mail` (part tree with parsed headers and content types; it does not
//! descend into message/rfc822, so each embedded message is parsed with `parse_mail` too),
//! `addrparse_header` for the six address fields, raw values for the other fields, and a
//! line count of each encoded body. `mail-parser`: `MessageParser::parse` (it parses every
//! header field, embedded messages included, while it walks), then every accessor of the
//! same fields, and a line count of each encoded body. Each bench returns its part count,
//! checked before timing, so none wins by stopping early.
//!
//! `mime_phases` times our three products alone (walk, ENVELOPE, BODYSTRUCTURE), to show
//! where the time of `mime_structure/mail-proto` goes.
//!
//! `MAIL_COMPARE_ONCE=1 <bench binary>` runs each side once instead of benchmarking, for
//! `valgrind --tool=callgrind --toggle-collect=mime::callgrind::<side>` (`callgrind_mime.sh`
//! does it and prints the instructions of one pass of each side).

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group};
use imap_proto::message::MessageStructure;
use mailparse::MailHeaderMap;
use std::hint::black_box;
use std::time::Duration;

fn corpus() -> Vec<Bytes> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../crates/imap-proto/tests/data/mime"
    );
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("the message set")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| Bytes::from(std::fs::read(p).expect("a message")))
        .collect()
}

/// Ours: tree + ENVELOPE + BODYSTRUCTURE; returns the number of parts. The answers are
/// observed by reference, as the other sides' are: `black_box` of the value itself would add
/// a copy of the whole answer that no user makes.
#[inline(never)]
fn count_ours(messages: &[Bytes]) -> usize {
    let mut parts = 0;
    for m in messages {
        let msg = MessageStructure::parse(m.clone());
        black_box(&msg.envelope());
        black_box(&msg.body_structure(true));
        parts += msg.tree().parts().len();
    }
    parts
}

/// ENVELOPE's text fields and address fields.
const TEXT_FIELDS: [&str; 4] = ["Date", "Subject", "In-Reply-To", "Message-ID"];
const ADDRESS_FIELDS: [&str; 6] = ["From", "Sender", "Reply-To", "To", "Cc", "Bcc"];
/// BODYSTRUCTURE's fields besides the Content-Type.
const CONTENT: [&str; 7] = [
    "Content-Transfer-Encoding",
    "Content-ID",
    "Content-Description",
    "Content-Disposition",
    "Content-Language",
    "Content-Location",
    "Content-MD5",
];

/// The encoded body of a mailparse part.
fn mailparse_body<'a>(p: &'a mailparse::ParsedMail<'a>) -> &'a [u8] {
    match p.get_body_encoded() {
        mailparse::body::Body::Base64(b) | mailparse::body::Body::QuotedPrintable(b) => b.get_raw(),
        mailparse::body::Body::SevenBit(b) | mailparse::body::Body::EightBit(b) => b.get_raw(),
        mailparse::body::Body::Binary(b) => b.get_raw(),
    }
}

/// mailparse: one message (or embedded message) and its parts; returns the number of parts.
fn mailparse_message(raw: &[u8], depth: usize) -> usize {
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return 0;
    };
    for f in TEXT_FIELDS {
        black_box(mail.headers.get_first_header(f).map(|h| h.get_value_raw()));
    }
    for f in ADDRESS_FIELDS {
        for h in mail.headers.get_all_headers(f) {
            black_box(mailparse::addrparse_header(h).ok());
        }
    }
    let mut parts = 0;
    let mut stack = vec![&mail];
    while let Some(p) = stack.pop() {
        parts += 1;
        black_box(&p.ctype);
        for f in CONTENT {
            black_box(p.headers.get_first_value(f));
        }
        let body = mailparse_body(p);
        black_box((body.len(), memchr::memchr_iter(b'\n', body).count()));
        if p.ctype.mimetype.eq_ignore_ascii_case("message/rfc822") && depth < 100 {
            parts += mailparse_message(body, depth + 1);
        }
        stack.extend(p.subparts.iter());
    }
    parts
}

/// mailparse: the part tree, the envelope fields and the structure fields; returns the
/// number of parts.
#[inline(never)]
fn count_mailparse(messages: &[Bytes]) -> usize {
    messages.iter().map(|m| mailparse_message(m, 0)).sum()
}

/// mail-parser: a full parse, then the envelope and structure fields of every part and
/// embedded message; returns the number of parts.
#[inline(never)]
fn count_mail_parser(messages: &[Bytes]) -> usize {
    use mail_parser::{MimeHeaders, PartType};
    let parser = mail_parser::MessageParser::default();
    let mut parts = 0;
    for m in messages {
        let Some(msg) = parser.parse(m.as_ref()) else {
            continue;
        };
        let mut stack = vec![&msg];
        while let Some(msg) = stack.pop() {
            black_box((
                msg.date(),
                msg.subject(),
                msg.message_id(),
                msg.in_reply_to(),
            ));
            black_box((msg.from(), msg.sender(), msg.reply_to()));
            black_box((msg.to(), msg.cc(), msg.bcc()));
            let raw = msg.raw_message();
            for part in &msg.parts {
                parts += 1;
                black_box(part.content_type());
                black_box(part.content_transfer_encoding());
                black_box((part.content_id(), part.content_description()));
                black_box((part.content_disposition(), part.content_language()));
                let md5 = part
                    .headers()
                    .iter()
                    .find(|h| h.name().eq_ignore_ascii_case("Content-MD5"));
                black_box((part.content_location(), md5.map(|h| h.value())));
                let body = raw
                    .get(part.offset_body as usize..part.offset_end as usize)
                    .unwrap_or_default();
                black_box((body.len(), memchr::memchr_iter(b'\n', body).count()));
                if let PartType::Message(inner) = &part.body {
                    stack.push(inner);
                }
            }
        }
    }
    parts
}

fn mime(c: &mut Criterion) {
    let messages = corpus();
    let bytes: u64 = messages.iter().map(|m| m.len() as u64).sum();
    assert!(messages.len() >= 200);
    let ours = count_ours(&messages);
    let theirs = count_mailparse(&messages);
    let mp = count_mail_parser(&messages);
    assert!(ours > messages.len() && theirs > messages.len() && mp > messages.len());
    let mut group = c.benchmark_group("mime_structure");
    group.throughput(Throughput::Bytes(bytes));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("mail-proto", |b| {
        b.iter(|| count_ours(black_box(&messages)))
    });
    group.bench_function("mailparse", |b| {
        b.iter(|| count_mailparse(black_box(&messages)))
    });
    group.bench_function("mail-parser", |b| {
        b.iter(|| count_mail_parser(black_box(&messages)))
    });
    group.finish();
}

/// Ours, each product timed alone over the message set: the walk (parse and drop), ENVELOPE
/// and BODYSTRUCTURE of walked messages (built and dropped). Where the time of
/// `mime_structure/mail-proto` goes; their sum is less than that run, which does the three
/// one message at a time.
fn phases(c: &mut Criterion) {
    let messages = corpus();
    let walked: Vec<MessageStructure> = messages
        .iter()
        .map(|m| MessageStructure::parse(m.clone()))
        .collect();
    let mut group = c.benchmark_group("mime_phases");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("walk", |b| {
        b.iter(|| {
            black_box(&messages)
                .iter()
                .map(|m| MessageStructure::parse(m.clone()).tree().parts().len())
                .sum::<usize>()
        })
    });
    group.bench_function("envelope", |b| {
        b.iter(|| {
            for msg in black_box(&walked) {
                black_box(&msg.envelope());
            }
        })
    });
    group.bench_function("body_structure", |b| {
        b.iter(|| {
            for msg in black_box(&walked) {
                black_box(&msg.body_structure(true));
            }
        })
    });
    group.finish();
}

/// A hostile message: 98 nested multiparts whose boundaries share 60 octets, then 20 000
/// `--` lines that share those octets too but equal none. Ours only (no other crate bounds
/// its boundary search): the throughput shows that such lines cost about what plain body
/// lines do, not a comparison with every open boundary.
fn hostile(c: &mut Criterion) {
    let prefix = "x".repeat(60);
    let mut m = String::new();
    for i in 0..98 {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{prefix}{i:02}\"\r\n\r\n--{prefix}{i:02}\r\n"
        ));
    }
    m.push_str("\r\n");
    m.push_str(&format!("--{prefix}zz\r\n").repeat(20_000));
    let message = Bytes::from(m);
    let mut group = c.benchmark_group("mime_hostile_boundaries");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("mail-proto", |b| {
        b.iter(|| {
            MessageStructure::parse(black_box(message.clone()))
                .tree()
                .parts()
                .len()
        })
    });
    group.finish();
}

/// One call of each side, each behind its own out-of-line function that nothing else calls,
/// so that `callgrind --toggle-collect=mime::callgrind::<side>` counts exactly one pass.
mod callgrind {
    use bytes::Bytes;

    /// Ours, once.
    #[inline(never)]
    pub(super) fn ours(messages: &[Bytes]) -> usize {
        super::count_ours(messages)
    }

    /// mailparse, once.
    #[inline(never)]
    pub(super) fn mailparse(messages: &[Bytes]) -> usize {
        super::count_mailparse(messages)
    }

    /// mail-parser, once.
    #[inline(never)]
    pub(super) fn mail_parser(messages: &[Bytes]) -> usize {
        super::count_mail_parser(messages)
    }
}

/// Runs each side once (after a warm-up pass), checking that each saw more parts than
/// messages: the callgrind mode.
fn once() {
    let messages = corpus();
    let n = messages.len();
    // A first pass outside the counted ones, as criterion's warm-up: the first clone of each
    // message's `Bytes` makes its buffer shared (one allocation), which no later pass
    // repeats, and each side's lazily built tables get built.
    black_box((
        count_ours(&messages),
        count_mailparse(&messages),
        count_mail_parser(&messages),
    ));
    assert!(callgrind::ours(&messages) > n, "ours");
    assert!(callgrind::mailparse(&messages) > n, "mailparse");
    assert!(callgrind::mail_parser(&messages) > n, "mail-parser");
}

criterion_group!(benches, mime, phases, hostile);

fn main() {
    if std::env::var_os("MAIL_COMPARE_ONCE").is_some() {
        once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

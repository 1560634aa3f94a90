//! The MIME structure of a message set, ours next to `mailparse` and `mail-parser` in one
//! run: the 324 messages of imap-proto's Dovecot comparison (every MIME pitfall, nested
//! multiparts, digests, message/rfc822 in message/rfc822, binary parts), each walked into its
//! part tree with the header fields an IMAP server needs.
//!
//! Ours computes what FETCH answers: the tree, ENVELOPE and BODYSTRUCTURE (with extension
//! data). `mailparse` builds its part tree with parsed headers and content types, and is
//! then asked, for every part, for the fields ENVELOPE and BODYSTRUCTURE read. `mail-parser`
//! parses everything it parses (it decodes while it walks). Each bench checks its part count,
//! so none wins by stopping early.
//!
//! `valgrind --tool=callgrind <bench binary> --bench no-such-bench` runs only the `count_*`
//! checks, once each, for instruction counts.

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

/// Ours: tree + ENVELOPE + BODYSTRUCTURE; returns the number of parts.
#[inline(never)]
fn count_ours(messages: &[Bytes]) -> usize {
    let mut parts = 0;
    for m in messages {
        let msg = MessageStructure::parse(m.clone());
        black_box(msg.envelope());
        black_box(msg.body_structure(true));
        parts += msg.tree().parts().len();
    }
    parts
}

const FIELDS: [&str; 10] = [
    "Date",
    "Subject",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "In-Reply-To",
    "Message-ID",
];
const CONTENT: [&str; 6] = [
    "Content-Transfer-Encoding",
    "Content-ID",
    "Content-Description",
    "Content-Disposition",
    "Content-Language",
    "Content-Location",
];

/// mailparse: the part tree, every part's content type, and the fields ENVELOPE and
/// BODYSTRUCTURE read; returns the number of parts.
#[inline(never)]
fn count_mailparse(messages: &[Bytes]) -> usize {
    let mut parts = 0;
    for m in messages {
        let Ok(mail) = mailparse::parse_mail(m) else {
            continue;
        };
        for (i, f) in FIELDS.iter().enumerate() {
            if i >= 2 && i < 8 {
                black_box(mail.headers.get_all_values(f));
            } else {
                black_box(mail.headers.get_first_value(f));
            }
        }
        let mut stack = vec![&mail];
        while let Some(p) = stack.pop() {
            parts += 1;
            black_box(&p.ctype);
            for f in CONTENT {
                black_box(p.headers.get_first_value(f));
            }
            stack.extend(p.subparts.iter());
        }
    }
    parts
}

/// mail-parser: a full parse; returns the number of parts.
#[inline(never)]
fn count_mail_parser(messages: &[Bytes]) -> usize {
    let parser = mail_parser::MessageParser::default();
    let mut parts = 0;
    for m in messages {
        if let Some(msg) = parser.parse(m.as_ref()) {
            black_box(msg.subject());
            black_box(msg.from());
            parts += msg.parts.len();
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

criterion_group!(benches, mime);
criterion_main!(benches);

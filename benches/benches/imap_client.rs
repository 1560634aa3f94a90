//! The IMAP client consuming 10 000 `* n FETCH (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE
//! INTERNALDATE)` responses (what a mail client asks for to list a mailbox), reported in MB/s:
//! framing, parsing, the mailbox view's UID/FLAGS update and the events, through the driven
//! client of a selected mailbox.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imap_proto::client::{Config, Connection, Event};
use imap_proto::command::{FetchAttribute, FetchItems};
use imap_proto::prelude::*;
use imap_proto::types::{Mailbox, SequenceSet};

const MESSAGES: usize = 10_000;

/// The server's answer to `A002 FETCH 1:* (…)`: one realistic FETCH response per message.
fn wire() -> Vec<u8> {
    let mut out = Vec::new();
    for n in 1..=MESSAGES {
        out.extend_from_slice(
            format!(
                "* {n} FETCH (UID {uid} FLAGS (\\Seen $Forwarded) ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700\" \
                 \"Re: the minutes of meeting {n}\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
                 ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
                 ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") \
                 (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL \"<B27397-{n}@cac.washington.edu>\" \
                 \"<B27397-{n}@cac.washington.edu>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \
                 \"QUOTED-PRINTABLE\" 3028 92 NIL NIL NIL NIL) (\"APPLICATION\" \"PDF\" (\"NAME\" \"minutes.pdf\") NIL NIL \
                 \"BASE64\" 40960 NIL (\"ATTACHMENT\" (\"FILENAME\" \"minutes.pdf\")) NIL NIL) \"MIXED\" \
                 (\"BOUNDARY\" \"b1_{n}\") NIL NIL NIL) RFC822.SIZE {size} INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n",
                uid = n + 1000,
                size = 44_000 + n,
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(b"A002 OK FETCH completed\r\n");
    out
}

/// A client with INBOX selected (10 000 messages) and the FETCH sent.
fn client_fetch_sent() -> Connection {
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    let mut conn = Connection::new(config);
    conn.receive(b"* PREAUTH ready\r\n");
    while conn.next_event().is_some() {}
    conn.select(Mailbox::from_utf8("INBOX").unwrap()).unwrap();
    conn.receive(format!("* {MESSAGES} EXISTS\r\nA001 OK [READ-WRITE] done\r\n").as_bytes());
    while conn.next_event().is_some() {}
    use FetchAttribute as A;
    let items = vec![
        A::Uid,
        A::Flags,
        A::Envelope,
        A::BodyStructure,
        A::Rfc822Size,
        A::InternalDate,
    ];
    conn.fetch(
        SequenceSet::parse(b"1:*").unwrap(),
        FetchItems::Attributes(items),
    )
    .unwrap();
    conn.take_output();
    conn
}

fn fetch(c: &mut Criterion) {
    let wire = wire();
    let mut group = c.benchmark_group("imap_client_fetch_10k");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.sample_size(20);
    group.bench_function("client", |b| {
        b.iter_batched(
            client_fetch_sent,
            |mut conn| {
                conn.receive(black_box(&wire));
                let mut fetched = 0;
                while let Some(event) = conn.next_event() {
                    if let Event::Fetch { .. } = event {
                        fetched += 1;
                    }
                }
                assert_eq!(fetched, MESSAGES);
                conn
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, fetch);
criterion_main!(benches);

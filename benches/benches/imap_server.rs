//! IMAP server throughput: encoding the answer to
//! `UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)` for 10 000
//! messages (what a client sends when it opens a mailbox for the first time), in MB/s of
//! output. The application's items (envelope and body structure computed from a multipart
//! message) are built before the timed part; what is measured is the server turning them
//! into responses: sequence numbers, the UID, and the encoding of every item.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imap_proto::message::MessageStructure;
use imap_proto::prelude::*;
use imap_proto::response::FetchItem;
use imap_proto::server::{Config, Connection, Event, MailboxSnapshot, MessageInfo};
use imap_proto::types::{DateTime, Flag};
use mail_core::sasl::server::Answer;

const MESSAGES: u32 = 10_000;

const MESSAGE: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe minutes.\r\n\
--b1\r\nContent-Type: application/pdf; name=\"minutes.pdf\"\r\n\
Content-Disposition: attachment; filename=\"minutes.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";

fn uid(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// A server with 10 000 messages selected, the FETCH read, and the items of every message.
fn fetching(items: &[FetchItem]) -> (Connection, Vec<NonZeroU32>, Vec<Vec<FetchItem>>) {
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    let mut conn = Connection::new(config);
    conn.receive(b"a LOGIN bench bench\r\nb SELECT INBOX\r\n");
    while let Some(event) = conn.next_event() {
        match event {
            Event::AuthVerify(_) => conn.auth_answer(Answer::Accept).unwrap(),
            Event::Select { .. } => {
                let messages = (1..=MESSAGES)
                    .map(|n| MessageInfo::new(uid(n), vec![Flag::Seen]))
                    .collect();
                conn.select(MailboxSnapshot::new(uid(1), uid(MESSAGES + 1), messages))
                    .unwrap();
            }
            _ => {}
        }
    }
    conn.take_output();
    conn.receive(
        b"c UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)\r\n",
    );
    let Some(Event::Fetch { uids, .. }) = conn.next_event() else {
        panic!("no FETCH")
    };
    let per_message = uids
        .iter()
        .map(|u| {
            let mut v = vec![FetchItem::Uid(*u)];
            v.extend(items.iter().cloned());
            v
        })
        .collect();
    (conn, uids, per_message)
}

/// Answers the FETCH; returns the octets written.
fn answer(mut conn: Connection, uids: Vec<NonZeroU32>, items: Vec<Vec<FetchItem>>) -> usize {
    let mut written = 0;
    for (u, items) in uids.into_iter().zip(items) {
        conn.fetch(u, items).unwrap();
        if conn.wants_write() {
            written += black_box(conn.take_output()).len();
        }
    }
    conn.done().unwrap();
    written + black_box(conn.take_output()).len()
}

fn bench(c: &mut Criterion) {
    let structure = MessageStructure::parse(Bytes::from_static(MESSAGE));
    let date = DateTime::parse(b"\"17-Jul-1996 02:44:25 -0700\"").unwrap();
    let items = vec![
        FetchItem::Flags(vec![Flag::Seen]),
        FetchItem::Envelope(Box::new(structure.envelope())),
        FetchItem::BodyStructure(Box::new(structure.body_structure(true))),
        FetchItem::Rfc822Size(structure.rfc822_size()),
        FetchItem::InternalDate(date),
    ];
    let (conn, uids, per_message) = fetching(&items);
    let total = answer(conn, uids, per_message);
    let mut group = c.benchmark_group("imap_server");
    group.throughput(Throughput::Bytes(total as u64));
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(20);
    group.bench_function("fetch_10k_envelope_bodystructure", |b| {
        b.iter_batched(
            || fetching(&items),
            |(conn, uids, per_message)| answer(conn, uids, per_message),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

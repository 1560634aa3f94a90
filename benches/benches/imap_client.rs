//! The IMAP client consuming 10 000 `* n FETCH (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE
//! INTERNALDATE)` responses (what a mail client asks for to list a mailbox), reported in MB/s:
//! framing, parsing, the mailbox view's UID/FLAGS update and the events, through the driven
//! client of a selected mailbox.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imap_proto::client::Event;
use imap_proto::prelude::*;

const MESSAGES: usize = 10_000;

fn wire() -> Vec<u8> {
    mail_benches::imap_fetch_stream(MESSAGES, "A002")
}

fn fetch(c: &mut Criterion) {
    let wire = wire();
    let mut group = c.benchmark_group("imap_client_fetch_10k");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.sample_size(20);
    group.bench_function("client", |b| {
        b.iter_batched(
            || mail_benches::imap_client_fetch_sent(MESSAGES),
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

//! IMAP server throughput: encoding the answer to
//! `UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)` for 10 000
//! messages (what a client sends when it opens a mailbox for the first time), in MB/s of
//! output. The application's items (envelope and body structure computed from a multipart
//! message) are built before the timed part; what is measured is the server turning them
//! into responses: sequence numbers, the UID, and the encoding of every item.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mail_benches::{imap_server_answer, imap_server_fetching, imap_server_items};

const MESSAGES: u32 = 10_000;

fn bench(c: &mut Criterion) {
    let items = imap_server_items();
    let (conn, uids, per_message) = imap_server_fetching(MESSAGES, &items);
    let total = imap_server_answer(conn, uids, per_message);
    let mut group = c.benchmark_group("imap_server");
    group.throughput(Throughput::Bytes(total as u64));
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(20);
    group.bench_function("fetch_10k_envelope_bodystructure", |b| {
        b.iter_batched(
            || imap_server_fetching(MESSAGES, &items),
            |(conn, uids, per_message)| imap_server_answer(conn, uids, per_message),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

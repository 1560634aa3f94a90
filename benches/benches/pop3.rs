//! POP3 throughput: RETR of a 25 MiB message through the server (dot-stuffing the
//! application's 64 KiB chunks) and through the client (un-stuffing into chunk events; once
//! with `receive`, which copies each read into the connection, once with the zero-copy
//! `receive_buf`), beside `memchr_newlines`, the ceiling (counting the LFs of the same
//! bytes); and UIDL of
//! 100 000 messages, encoded by the server and parsed by the client.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mail_benches::stuffed_body;
use mail_core::dot::{BareNewline, DotDecoder, DotEvent};
use mail_core::sasl::server::Answer;
use pop3_proto::client::{self, Login};
use pop3_proto::command::MessageNumber;
use pop3_proto::prelude::*;
use pop3_proto::server::{self, Maildrop, MaildropEntry};

const SIZE: usize = 25 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
const UIDS: usize = 100_000;

fn server_in_transaction(maildrop: Maildrop) -> server::Connection {
    let mut config = server::Config::default();
    config.allow_plaintext_auth = true;
    let mut conn = server::Connection::new(config);
    conn.receive(b"USER bench\r\nPASS bench\r\n");
    while let Some(event) = conn.next_event() {
        match event {
            server::Event::CheckPassword { .. } => conn.auth_answer(Answer::Accept).unwrap(),
            server::Event::Authorized { .. } => conn.open_maildrop(maildrop.clone()).unwrap(),
            _ => {}
        }
    }
    conn.take_output();
    conn
}

fn client_in_transaction() -> client::Connection {
    let mut config = client::Config::default();
    config.allow_plaintext_auth = true;
    let mut conn = client::Connection::new(config);
    conn.receive(b"+OK ready\r\n");
    while let Some(event) = conn.next_event() {
        if let client::Event::Greeting(_) = event {
            conn.login(Login::new("bench", "bench")).unwrap();
        }
    }
    conn.receive(b"+OK\r\n+OK\r\n");
    while conn.next_event().is_some() {}
    conn.take_output();
    conn
}

/// A client in the transaction state that has sent `RETR 1`.
fn client_retr_sent() -> client::Connection {
    let mut conn = client_in_transaction();
    conn.retr(MessageNumber::new(1).unwrap()).unwrap();
    conn.take_output();
    conn
}

/// Takes every ready event and returns the octets of message data among them.
fn message_data_len(conn: &mut client::Connection) -> usize {
    let mut total = 0;
    while let Some(event) = conn.next_event() {
        if let client::Event::MessageData(data) = event {
            total += data.len();
        }
    }
    total
}

fn uid(i: usize) -> String {
    format!("{i:08x}-4f1c-9a3e-{:012x}", i.wrapping_mul(0x9e37_79b9))
}

fn retr(c: &mut Criterion) {
    let stuffed = stuffed_body(SIZE);
    let mut content = Vec::with_capacity(stuffed.len());
    let mut decoder = DotDecoder::new(BareNewline::Reject);
    let mut input = BytesMut::from(stuffed.as_slice());
    while let Some(DotEvent::Data(chunk)) = decoder.decode(&mut input) {
        content.extend_from_slice(&chunk);
    }
    let maildrop = Maildrop::new(vec![MaildropEntry::new(
        content.len() as u64,
        "big".parse().unwrap(),
    )]);
    let mut response = format!("+OK {} octets\r\n", content.len()).into_bytes();
    response.extend_from_slice(&stuffed);

    let mut group = c.benchmark_group("pop3_retr");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Bytes(stuffed.len() as u64));

    group.bench_function("memchr_newlines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(&stuffed)).count());
    });
    group.bench_function("server_retr", |b| {
        b.iter_batched(
            || {
                let mut conn = server_in_transaction(maildrop.clone());
                conn.receive(b"RETR 1\r\n");
                let event = conn.next_event();
                assert!(matches!(event, Some(server::Event::Retrieve { .. })));
                conn
            },
            |mut conn| {
                let mut written = 0usize;
                for chunk in black_box(&content).chunks(CHUNK) {
                    conn.message_data(chunk).unwrap();
                    written += conn.take_output().len(); // the adapter writes it out
                }
                conn.message_end().unwrap();
                written += conn.take_output().len();
                (written, conn)
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("client_retr", |b| {
        b.iter_batched(
            client_retr_sent,
            |mut conn| {
                let mut total = 0usize;
                for chunk in black_box(&response).chunks(CHUNK) {
                    conn.receive(chunk);
                    total += message_data_len(&mut conn);
                }
                assert_eq!(total, content.len());
                (total, conn)
            },
            BatchSize::LargeInput,
        );
    });
    // The zero-copy path: the reads of 64 KiB were done by the socket into one buffer
    // (setup, as the copy into the decoder's buffer is in `dot_decode`), and each is handed
    // over with `receive_buf`; the message data events are slices of that buffer.
    group.bench_function("client_retr_receive_buf", |b| {
        b.iter_batched(
            || (client_retr_sent(), BytesMut::from(response.as_slice())),
            |(mut conn, mut socket)| {
                let mut total = 0usize;
                while !socket.is_empty() {
                    let mut read = socket.split_to(CHUNK.min(socket.len()));
                    conn.receive_buf(&mut read);
                    total += message_data_len(&mut conn);
                }
                assert_eq!(total, content.len());
                (total, conn)
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

fn uidl(c: &mut Criterion) {
    let maildrop = Maildrop::new(
        (0..UIDS)
            .map(|i| MaildropEntry::new(1000 + i as u64, uid(i).parse().unwrap()))
            .collect(),
    );
    let mut server = server_in_transaction(maildrop.clone());
    server.receive(b"UIDL\r\n");
    while server.next_event().is_some() {}
    let wire = server.take_output();

    let mut group = c.benchmark_group("pop3_uidl");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(UIDS as u64));
    group.bench_function("server_encode", |b| {
        b.iter_batched(
            || {
                let mut conn = server_in_transaction(maildrop.clone());
                conn.receive(b"UIDL\r\n");
                conn
            },
            |mut conn| {
                while conn.next_event().is_some() {}
                (conn.take_output(), conn)
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("client_parse", |b| {
        b.iter_batched(
            || {
                let mut conn = client_in_transaction();
                conn.uidl(None).unwrap();
                conn.take_output();
                conn
            },
            |mut conn| {
                conn.receive(black_box(&wire));
                let mut n = 0;
                while let Some(event) = conn.next_event() {
                    if let client::Event::UidList(list) = event {
                        n = list.len();
                    }
                }
                assert_eq!(n, UIDS);
                (n, conn)
            },
            BatchSize::LargeInput,
        );
    });
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("client_parse_bytes", |b| {
        b.iter_batched(
            || {
                let mut conn = client_in_transaction();
                conn.uidl(None).unwrap();
                conn.take_output();
                conn
            },
            |mut conn| {
                conn.receive(black_box(&wire));
                while conn.next_event().is_some() {}
                conn
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, retr, uidl);
criterion_main!(benches);

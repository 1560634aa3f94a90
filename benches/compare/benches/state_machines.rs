//! The IMAP state machines next to imap-next 0.3 (the sans-IO client and server flows over
//! imap-codec), on the same work and the same bytes:
//!
//! | group | ours | imap-next |
//! |---|---|---|
//! | `state_client_fetch_10k` | `imap_proto::client::Connection` consuming the answer to `FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)` for 10 000 messages (framing, parsing, the mailbox view's update, one event per message) | `imap_next::client::Client`: `enqueue_input`, then `next` until it needs input (one `DataReceived` per message) |
//! | `state_server_fetch_10k` | `imap_proto::server::Connection` answering that FETCH: sequence numbers, encoding, output | `imap_next::server::Server`: `enqueue_data` of the same 10 000 `Data::Fetch` values, then `next` until every response is written |
//!
//! imap-next does less in both: its client keeps no mailbox view and attributes nothing to a
//! command; its server takes data already numbered by the application. The values its server
//! sends are decoded by imap-codec from our server's own output, so both encode the same
//! responses.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use imap_next::imap_types::IntoStatic;
use imap_next::imap_types::response::{Data, Greeting, Response};
use imap_next::{Interrupt, Io, State};
use imap_proto::prelude::*;
use mail_benches::{
    imap_client_fetch_sent, imap_fetch_stream, imap_server_answer, imap_server_fetching,
    imap_server_items,
};

const MESSAGES: usize = 10_000;

fn next_client() -> imap_next::client::Client {
    let mut options = imap_next::client::Options::default();
    options.max_response_size = 1 << 20;
    let mut client = imap_next::client::Client::new(options);
    client.enqueue_input(b"* OK ready\r\n");
    match client.next() {
        Ok(imap_next::client::Event::GreetingReceived { .. }) => client,
        other => panic!("imap-next client: {other:?}"),
    }
}

/// imap-next's client reads the whole stream; returns the FETCH responses it gave.
fn next_client_consume(mut client: imap_next::client::Client, wire: &[u8]) -> usize {
    client.enqueue_input(black_box(wire));
    let mut fetched = 0;
    loop {
        match client.next() {
            Ok(imap_next::client::Event::DataReceived {
                data: Data::Fetch { .. },
            }) => fetched += 1,
            Ok(_) => {}
            Err(Interrupt::Io(Io::NeedMoreInput)) => return fetched,
            Err(e) => panic!("imap-next client: {e:?}"),
        }
    }
}

/// Our server's answer to the FETCH, as bytes.
fn our_server_output() -> Vec<u8> {
    let items = imap_server_items();
    let (mut conn, uids, per_message) = imap_server_fetching(MESSAGES as u32, &items);
    let mut out = Vec::new();
    for (uid, items) in uids.into_iter().zip(per_message) {
        conn.fetch(uid, items).unwrap();
        out.extend_from_slice(&conn.take_output());
    }
    out
}

/// The same responses as imap-types values, decoded by imap-codec.
fn next_server_data() -> Vec<Data<'static>> {
    let output = our_server_output();
    let mut rest = &output[..];
    let mut data = Vec::with_capacity(MESSAGES);
    while !rest.is_empty() {
        let (remaining, response) = ResponseCodec::default().decode(rest).unwrap();
        match response {
            Response::Data(d @ Data::Fetch { .. }) => data.push(d.into_static()),
            other => panic!("not a FETCH response: {other:?}"),
        }
        rest = remaining;
    }
    assert_eq!(data.len(), MESSAGES);
    data
}

fn next_server() -> imap_next::server::Server {
    let mut server = imap_next::server::Server::new(
        imap_next::server::Options::default(),
        Greeting::ok(None, "ready").unwrap(),
    );
    loop {
        match server.next() {
            Ok(imap_next::server::Event::GreetingSent { .. }) => return server,
            Err(Interrupt::Io(Io::Output(_))) => {}
            other => panic!("imap-next server: {other:?}"),
        }
    }
}

/// imap-next's server sends every response; returns the octets written.
fn next_server_answer(mut server: imap_next::server::Server, data: Vec<Data<'static>>) -> usize {
    for d in data {
        let _ = server.enqueue_data(d);
    }
    let mut written = 0;
    loop {
        match server.next() {
            Err(Interrupt::Io(Io::Output(bytes))) => written += black_box(bytes).len(),
            Ok(imap_next::server::Event::ResponseSent { .. }) => {}
            Err(Interrupt::Io(Io::NeedMoreInput)) => return written,
            other => panic!("imap-next server: {other:?}"),
        }
    }
}

fn client(c: &mut Criterion) {
    let wire = imap_fetch_stream(MESSAGES, "A002");
    // Both read every response.
    let mut ours = imap_client_fetch_sent(MESSAGES);
    ours.receive(&wire);
    let mut ours_fetched = 0;
    while let Some(event) = ours.next_event() {
        if let imap_proto::client::Event::Fetch { .. } = event {
            ours_fetched += 1;
        }
    }
    assert_eq!(ours_fetched, MESSAGES);
    assert_eq!(next_client_consume(next_client(), &wire), MESSAGES);

    let mut group = c.benchmark_group("state_client_fetch_10k");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("mail-proto", |b| {
        b.iter_batched(
            || imap_client_fetch_sent(MESSAGES),
            |mut conn| {
                conn.receive(black_box(&wire));
                let mut fetched = 0;
                while let Some(event) = conn.next_event() {
                    if let imap_proto::client::Event::Fetch { .. } = event {
                        fetched += 1;
                    }
                }
                assert_eq!(fetched, MESSAGES);
                conn
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("imap-next", |b| {
        b.iter_batched(
            next_client,
            |client| assert_eq!(next_client_consume(client, &wire), MESSAGES),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

fn server(c: &mut Criterion) {
    let items = imap_server_items();
    let data = next_server_data();
    let (conn, uids, per_message) = imap_server_fetching(MESSAGES as u32, &items);
    let ours_total = imap_server_answer(conn, uids, per_message);
    let next_total = next_server_answer(next_server(), data.clone());
    // The same responses, but for our tagged OK at the end.
    assert!(
        ours_total > next_total && ours_total - next_total < 64,
        "{ours_total} {next_total}"
    );

    let mut group = c.benchmark_group("state_server_fetch_10k");
    group.throughput(Throughput::Bytes(next_total as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("mail-proto", |b| {
        b.iter_batched(
            || imap_server_fetching(MESSAGES as u32, &items),
            |(conn, uids, per_message)| imap_server_answer(conn, uids, per_message),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("imap-next", |b| {
        b.iter_batched(
            || (next_server(), data.clone()),
            |(server, data)| next_server_answer(server, data),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, client, server);
criterion_main!(benches);

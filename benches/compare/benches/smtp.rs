//! smtp-proto next to Stalwart's `smtp-proto` 0.2.5 on the same bytes: command parsing, EHLO
//! reply parsing, and DATA un-stuffing (with a plain memchr scan as the ceiling).

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mail_compare_benches::{COMMANDS_PER_SESSION, command_mix, ehlo_reply};
use mail_core::dot::{DotDecoder, DotEvent};
use mail_core::line::{BareNewline, LineFramer};
use smtp_proto::capability::EhloReply;
use smtp_proto::command::Command;
use smtp_proto::reply::ReplyParser;
use std::hint::black_box;
use std::time::Duration;

fn commands(c: &mut Criterion) {
    let sessions = 1000;
    let input = command_mix(sessions);
    let mut group = c.benchmark_group("smtp_command_parse");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("mail-proto", |b| {
        b.iter_batched(
            || BytesMut::from(&input[..]),
            |mut buf| {
                // As the server reads commands: each line is parsed where it lies in the
                // input buffer (`next_line_with`), then dropped from it. Like Stalwart's
                // loop below, each parsed command is checked and dropped where it was made.
                let mut framer = LineFramer::new(512, BareNewline::Reject);
                let mut n = 0;
                while let Some(Ok(ok)) =
                    framer.next_line_with(&mut buf, |line| Command::parse(line).is_ok())
                {
                    if ok {
                        n += 1;
                    }
                }
                assert_eq!(n, sessions * COMMANDS_PER_SESSION);
                n
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| {
            let mut receiver = stalwart_smtp_proto::request::receiver::RequestReceiver::default();
            let mut iter = input.iter();
            let mut n = 0;
            while iter.len() > 0 {
                if receiver.ingest(&mut iter).is_ok() {
                    n += 1;
                }
            }
            assert_eq!(n, sessions * COMMANDS_PER_SESSION);
            n
        });
    });
    group.finish();
}

fn ehlo(c: &mut Criterion) {
    let input = ehlo_reply();
    let mut group = c.benchmark_group("smtp_ehlo_reply_parse");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("mail-proto", |b| {
        b.iter(|| {
            let mut parser = ReplyParser::default();
            let mut rest = black_box(&input[..]);
            let mut out = None;
            while let Some(lf) = memchr::memchr(b'\n', rest) {
                let (line, tail) = rest.split_at(lf);
                rest = &tail[1..];
                if let Ok(Some(reply)) = parser.push_line(line.strip_suffix(b"\r").unwrap_or(line))
                {
                    out = EhloReply::from_reply(&reply).ok();
                }
            }
            assert_eq!(out.as_ref().map(EhloReply::len), Some(11));
            out
        });
    });
    // The same bytes through `EhloReply::parse`, which reads the reply without building the
    // `Reply` (and its per-line Strings) in between.
    group.bench_function("mail-proto-direct", |b| {
        b.iter(|| {
            let out = EhloReply::parse(black_box(&input[..])).ok();
            assert_eq!(out.as_ref().map(EhloReply::len), Some(11));
            out
        });
    });
    group.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| {
            let mut iter = black_box(&input[..]).iter();
            let reply = stalwart_smtp_proto::EhloResponse::parse(&mut iter).ok();
            assert!(reply.is_some());
            reply
        });
    });
    group.finish();
}

fn data(c: &mut Criterion) {
    for (name, size) in [("1MiB", 1 << 20), ("25MiB", 25 << 20)] {
        let body = mail_benches::stuffed_body(size);
        let mut group = c.benchmark_group(format!("smtp_data_unstuff_{name}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(4));
        group.bench_function("memchr_ceiling", |b| {
            b.iter(|| memchr::memchr_iter(b'\n', black_box(&body)).count());
        });
        group.bench_function("mail-proto", |b| {
            b.iter_batched(
                || BytesMut::from(&body[..]),
                |mut buf| {
                    let mut decoder = DotDecoder::new(BareNewline::Reject);
                    let mut total = 0;
                    while let Some(event) = decoder.decode(&mut buf) {
                        match event {
                            DotEvent::Data(chunk) => total += chunk.len(),
                            DotEvent::End(_) => break,
                            _ => {}
                        }
                    }
                    // Returning the buffer moves its deallocation out of the measurement.
                    (total, buf)
                },
                BatchSize::LargeInput,
            );
        });
        group.bench_function("stalwart-smtp-proto", |b| {
            b.iter_batched(
                || Vec::with_capacity(body.len()),
                |mut out| {
                    let mut receiver = stalwart_smtp_proto::request::receiver::DataReceiver::new();
                    let mut iter = body.iter();
                    let done = receiver.ingest(&mut iter, &mut out);
                    assert!(done);
                    // As above: the output is freed outside the measurement.
                    (out.len(), out)
                },
                BatchSize::LargeInput,
            );
        });
        group.finish();
    }
}

criterion_group!(benches, commands, ehlo, data);
criterion_main!(benches);

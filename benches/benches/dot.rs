//! Dot-stuffing throughput on 10 MiB message bodies: a typical one (one line in 500 starts
//! with a dot) and a dot-heavy one (every tenth line), each in its own group.
//!
//! `memchr_newlines` is the ceiling: counting the LFs is the least work any decoder must do
//! (memchr counts with runtime-selected AVX2 and never stops at a match).
//! `memchr_lines` visits every LF one search at a time, as a line-by-line scanner would; it
//! shows what the decoder's block fast path saves.
//! `dot_decode` un-stuffs the same bytes to the terminator, `dot_encode` stuffs the decoded
//! content back. All three report bytes per second over the same input.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mail_benches::stuffed_body_with;
use mail_core::dot::{BareNewline, DotDecoder, DotEncoder, DotEvent};

const SIZE: usize = 10 * 1024 * 1024;

/// Decodes `input` to its terminator and returns the content length.
fn decode_len(input: &mut BytesMut) -> usize {
    let mut decoder = DotDecoder::new(BareNewline::Reject);
    let mut total = 0usize;
    while let Some(event) = decoder.decode(input) {
        match event {
            DotEvent::Data(chunk) => total += chunk.len(),
            DotEvent::End(_) => break,
            _ => {}
        }
    }
    total
}

fn dot(c: &mut Criterion) {
    for (name, dot_every) in [("dot/typical", 500), ("dot/dot-heavy", 10)] {
        dot_group(c, name, dot_every);
    }
}

fn dot_group(c: &mut Criterion, name: &str, dot_every: usize) {
    let stuffed = stuffed_body_with(SIZE, dot_every);
    let mut content = Vec::with_capacity(stuffed.len());
    let mut decoder = DotDecoder::new(BareNewline::Reject);
    let mut input = BytesMut::from(stuffed.as_slice());
    while let Some(DotEvent::Data(chunk)) = decoder.decode(&mut input) {
        content.extend_from_slice(&chunk);
    }

    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Bytes(stuffed.len() as u64));

    group.bench_function("memchr_newlines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(&stuffed)).count());
    });
    group.bench_function("memchr_lines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(&stuffed)).fold(0usize, |n, _| n + 1));
    });
    group.bench_function("dot_decode", |b| {
        b.iter_batched(
            || BytesMut::from(stuffed.as_slice()),
            // Returning the buffer moves its deallocation out of the measurement.
            |mut input| (decode_len(black_box(&mut input)), input),
            BatchSize::LargeInput,
        );
    });
    group.throughput(Throughput::Bytes(content.len() as u64));
    group.bench_function("dot_encode", |b| {
        let mut out = BytesMut::with_capacity(stuffed.len() + 16);
        b.iter(|| {
            out.clear();
            let mut encoder = DotEncoder::new();
            encoder.encode(black_box(&content), &mut out);
            encoder.finish(&mut out);
            out.len()
        });
    });
    group.finish();
}

criterion_group!(benches, dot);
criterion_main!(benches);

//! imap-proto next to imap-codec 2.0.0-alpha.10 (duesee) and imap-proto 0.17 (djc) on the same
//! bytes: a 1000-message FETCH stream with ENVELOPE and BODYSTRUCTURE, one 50 MiB literal, a
//! 100 000-UID SEARCH, and a client command stream (djc has no command parser, so commands are
//! compared with imap-codec only).
//!
//! Ours is timed as a client or server runs it: `Framer::next_frame` splits each message off a
//! `BytesMut` (the copy of the corpus into that buffer is setup, not timed, and so is freeing
//! the buffer afterwards), then
//! `Response::parse` / `Command::parse`. The others decode from one `&[u8]` that holds the
//! whole corpus, which is their streaming API when the input is complete. Every bench asserts
//! that every message was parsed into what it should be, so no parser wins by stopping early.
//!
//! The `count_*` checks and the command loops are kept out of line so that
//! `valgrind --tool=callgrind <bench binary> --bench no-such-bench` (which runs only the checks,
//! once each) gives a noise-free instruction count per parser and corpus.

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::decode::Decoder;
use imap_codec::imap_types::command::CommandBody as CodecCommandBody;
use imap_codec::imap_types::fetch::MessageDataItem as CodecItem;
use imap_codec::imap_types::response::{Data as CodecData, Response as CodecResponse};
use imap_codec::{CommandCodec, IdleDoneCodec, ResponseCodec};
use imap_proto::command::{Command, CommandBody, parse_idle_done};
use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
use imap_proto::response::{Data, FetchItem, Response};
use mail_compare_benches::{
    IMAP_LINES_PER_SESSION, IMAP_LITERAL_SIZE, IMAP_SEARCH_UIDS, imap_command_mix,
    imap_fetch_stream, imap_literal_fetch, imap_search,
};
use std::hint::black_box;
use std::time::Duration;

/// A client's framer for responses. The line limit is raised to 1 MiB for the 100 000-UID
/// SEARCH line (about 700 KB), which the default 64 KiB refuses.
fn response_framer() -> Framer {
    let mut config = FramerConfig::client();
    config.max_line = 1 << 20;
    Framer::new(config)
}

/// Frames and parses every response of `input` with imap-proto; sums `score` over them.
///
/// The input buffer is filled in setup, untimed, and handed back with the count so that
/// criterion frees it after timing too: the other parsers read a borrowed slice that is never
/// freed in the loop, and freeing the 50 MiB literal's buffer (an munmap) took longer than
/// parsing it. Every response, and every `Bytes` it holds, is still dropped inside the loop.
fn ours_responses(
    input: &[u8],
    score: impl Fn(&Response) -> usize,
) -> impl FnMut(&mut criterion::Bencher<'_>) {
    move |b| {
        b.iter_batched(
            || BytesMut::from(input),
            |mut buf| {
                let mut framer = response_framer();
                let mut n = 0;
                while let Some(event) = framer.next_frame(&mut buf) {
                    if let Ok(FrameEvent::Frame(frame)) = event
                        && let Ok(response) = Response::parse(&frame)
                    {
                        n += score(&response);
                    }
                }
                assert!(buf.is_empty());
                (n, buf)
            },
            BatchSize::LargeInput,
        )
    }
}

/// Decodes every response of `input` with imap-codec; sums `score` over them.
fn codec_responses<'i>(
    input: &'i [u8],
    score: impl Fn(&CodecResponse<'_>) -> usize + 'i,
) -> impl FnMut(&mut criterion::Bencher<'_>) + 'i {
    move |b| {
        b.iter(|| {
            let mut rest = black_box(input);
            let mut n = 0;
            while let Ok((tail, response)) = ResponseCodec::default().decode(rest) {
                n += score(&response);
                rest = tail;
            }
            assert!(rest.is_empty());
            n
        })
    }
}

/// Parses every response of `input` with djc's imap-proto; sums `score` over them.
fn djc_responses<'i>(
    input: &'i [u8],
    score: impl Fn(&djc_imap_proto::Response<'_>) -> usize + 'i,
) -> impl FnMut(&mut criterion::Bencher<'_>) + 'i {
    move |b| {
        b.iter(|| {
            let mut rest = black_box(input);
            let mut n = 0;
            while let Ok((tail, response)) = djc_imap_proto::Response::parse(rest) {
                n += score(&response);
                rest = tail;
            }
            assert!(rest.is_empty());
            n
        })
    }
}

fn fetch_stream(c: &mut Criterion) {
    let messages = 1000;
    let input = imap_fetch_stream(messages);
    let want = messages + 1;
    let mut group = c.benchmark_group("imap_fetch_envelope_bodystructure");
    group.throughput(Throughput::ElementsAndBytes {
        elements: want as u64,
        bytes: input.len() as u64,
    });
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    // A FETCH counts when it holds all five items, BODYSTRUCTURE among them; the tagged OK
    // counts once.
    let check = |n: usize| assert_eq!(n, want);
    let ours_score = |r: &Response| match r {
        Response::Data(Data::Fetch { items, .. }) => usize::from(
            items.len() == 5
                && items
                    .iter()
                    .any(|i| matches!(i, FetchItem::BodyStructure(_))),
        ),
        Response::Status(_) => 1,
        _ => 0,
    };
    check(count_ours(&input, ours_score));
    group.bench_function("imap-proto (ours)", ours_responses(&input, ours_score));
    let codec_score = |r: &CodecResponse<'_>| match r {
        CodecResponse::Data(CodecData::Fetch { items, .. }) => usize::from(
            items.as_ref().len() == 5
                && items
                    .as_ref()
                    .iter()
                    .any(|i| matches!(i, CodecItem::BodyStructure(_))),
        ),
        CodecResponse::Status(_) => 1,
        _ => 0,
    };
    check(count_codec(&input, codec_score));
    group.bench_function("imap-codec", codec_responses(&input, codec_score));
    let djc_score = |r: &djc_imap_proto::Response<'_>| match r {
        djc_imap_proto::Response::Fetch(_, attrs) => usize::from(
            attrs.len() == 5
                && attrs
                    .iter()
                    .any(|a| matches!(a, djc_imap_proto::AttributeValue::BodyStructure(_))),
        ),
        djc_imap_proto::Response::Done { .. } => 1,
        _ => 0,
    };
    check(count_djc(&input, djc_score));
    group.bench_function("djc-imap-proto", djc_responses(&input, djc_score));
    group.finish();
}

fn literal(c: &mut Criterion) {
    let input = imap_literal_fetch();
    let mut group = c.benchmark_group("imap_fetch_literal_50MiB");
    group.throughput(Throughput::ElementsAndBytes {
        elements: 1,
        bytes: input.len() as u64,
    });
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let ours_score = |r: &Response| match r {
        Response::Data(Data::Fetch { items, .. }) => match items.as_slice() {
            [FetchItem::BodySection { data, .. }] => {
                usize::from(data.0.as_ref().map(|s| s.as_bytes().len()) == Some(IMAP_LITERAL_SIZE))
            }
            _ => 0,
        },
        _ => 0,
    };
    assert_eq!(count_ours(&input, ours_score), 1);
    group.bench_function("imap-proto (ours)", ours_responses(&input, ours_score));
    let codec_score = |r: &CodecResponse<'_>| match r {
        CodecResponse::Data(CodecData::Fetch { items, .. }) => {
            match AsRef::<[CodecItem<'_>]>::as_ref(items) {
                [CodecItem::BodyExt { data, .. }] => usize::from(
                    data.0.as_ref().map(|s| s.as_ref().len()) == Some(IMAP_LITERAL_SIZE),
                ),
                _ => 0,
            }
        }
        _ => 0,
    };
    assert_eq!(count_codec(&input, codec_score), 1);
    group.bench_function("imap-codec", codec_responses(&input, codec_score));
    let djc_score = |r: &djc_imap_proto::Response<'_>| match r {
        djc_imap_proto::Response::Fetch(_, attrs) => match attrs.as_slice() {
            [djc_imap_proto::AttributeValue::BodySection { data, .. }] => {
                usize::from(data.as_ref().map(|d| d.len()) == Some(IMAP_LITERAL_SIZE))
            }
            _ => 0,
        },
        _ => 0,
    };
    assert_eq!(count_djc(&input, djc_score), 1);
    group.bench_function("djc-imap-proto", djc_responses(&input, djc_score));
    group.finish();
}

fn search(c: &mut Criterion) {
    let input = imap_search();
    let mut group = c.benchmark_group("imap_search_100k_uids");
    group.throughput(Throughput::ElementsAndBytes {
        elements: IMAP_SEARCH_UIDS as u64,
        bytes: input.len() as u64,
    });
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    let ours_score = |r: &Response| match r {
        Response::Data(Data::Search { numbers, .. }) => numbers.len(),
        _ => 0,
    };
    assert_eq!(count_ours(&input, ours_score), IMAP_SEARCH_UIDS);
    group.bench_function("imap-proto (ours)", ours_responses(&input, ours_score));
    let codec_score = |r: &CodecResponse<'_>| match r {
        CodecResponse::Data(CodecData::Search(numbers, ..)) => numbers.len(),
        _ => 0,
    };
    assert_eq!(count_codec(&input, codec_score), IMAP_SEARCH_UIDS);
    group.bench_function("imap-codec", codec_responses(&input, codec_score));
    let djc_score = |r: &djc_imap_proto::Response<'_>| match r {
        djc_imap_proto::Response::MailboxData(djc_imap_proto::MailboxDatum::Search(numbers)) => {
            numbers.len()
        }
        _ => 0,
    };
    assert_eq!(count_djc(&input, djc_score), IMAP_SEARCH_UIDS);
    group.bench_function("djc-imap-proto", djc_responses(&input, djc_score));
    group.finish();
}

/// Frames and parses a command stream as a server does: it accepts each synchronising literal
/// (after writing `+`), and reads the line after IDLE as `DONE`. Returns the messages parsed.
#[inline(never)]
fn ours_commands(buf: &mut BytesMut) -> usize {
    let mut framer = Framer::new(FramerConfig::server());
    let mut idling = false;
    let mut n = 0;
    while let Some(event) = framer.next_frame(buf) {
        match event {
            Ok(FrameEvent::LiteralAnnounced { .. }) => framer.accept_literal(),
            Ok(FrameEvent::Frame(frame)) if idling => {
                idling = false;
                if parse_idle_done(frame.bytes()).is_ok() {
                    n += 1;
                }
            }
            Ok(FrameEvent::Frame(frame)) => {
                if let Ok(command) = Command::parse(&frame) {
                    idling = matches!(command.body, CommandBody::Idle);
                    n += 1;
                }
            }
            _ => {}
        }
    }
    n
}

/// The same with imap-codec: `CommandCodec`, and `IdleDoneCodec` after IDLE.
#[inline(never)]
fn codec_commands(input: &[u8]) -> usize {
    let mut rest = input;
    let mut idling = false;
    let mut n = 0;
    while !rest.is_empty() {
        if idling {
            let Ok((tail, _done)) = IdleDoneCodec::default().decode(rest) else {
                break;
            };
            idling = false;
            rest = tail;
        } else {
            let Ok((tail, command)) = CommandCodec::default().decode(rest) else {
                break;
            };
            idling = matches!(command.body, CodecCommandBody::Idle);
            rest = tail;
        }
        n += 1;
    }
    n
}

fn commands(c: &mut Criterion) {
    let sessions = 1000;
    let input = imap_command_mix(sessions);
    let want = sessions * IMAP_LINES_PER_SESSION;
    let mut group = c.benchmark_group("imap_command_parse");
    group.throughput(Throughput::ElementsAndBytes {
        elements: want as u64,
        bytes: input.len() as u64,
    });
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    assert_eq!(ours_commands(&mut BytesMut::from(&input[..])), want);
    assert_eq!(codec_commands(&input), want);
    group.bench_function("imap-proto (ours)", |b| {
        b.iter_batched(
            || BytesMut::from(&input[..]),
            |mut buf| {
                let n = ours_commands(&mut buf);
                assert_eq!(n, want);
                // Freed after timing, as in `ours_responses`.
                (n, buf)
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("imap-codec", |b| {
        b.iter(|| {
            let n = codec_commands(black_box(&input));
            assert_eq!(n, want);
            n
        });
    });
    group.finish();
}

#[inline(never)]
fn count_ours(input: &[u8], score: impl Fn(&Response) -> usize) -> usize {
    let mut buf = BytesMut::from(input);
    let mut framer = response_framer();
    let mut n = 0;
    while let Some(event) = framer.next_frame(&mut buf) {
        match event.map(|e| match e {
            FrameEvent::Frame(frame) => Response::parse(&frame).map_err(|e| format!("{e:?}")),
            other => Err(format!("{other:?}")),
        }) {
            Ok(Ok(response)) => n += score(&response),
            Ok(Err(e)) => eprintln!("imap-proto failed: {e}"),
            Err(e) => eprintln!("imap-proto framing failed: {e:?}"),
        }
    }
    n
}

#[inline(never)]
fn count_codec(input: &[u8], score: impl Fn(&CodecResponse<'_>) -> usize) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match ResponseCodec::default().decode(rest) {
            Ok((tail, response)) => {
                n += score(&response);
                rest = tail;
            }
            Err(e) => {
                eprintln!(
                    "imap-codec failed: {e:?} at {:?}",
                    String::from_utf8_lossy(&rest[..rest.len().min(200)])
                );
                break;
            }
        }
    }
    n
}

#[inline(never)]
fn count_djc(input: &[u8], score: impl Fn(&djc_imap_proto::Response<'_>) -> usize) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match djc_imap_proto::Response::parse(rest) {
            Ok((tail, response)) => {
                n += score(&response);
                rest = tail;
            }
            Err(e) => {
                eprintln!(
                    "djc failed: {:?}",
                    e.map_input(|i| String::from_utf8_lossy(&i[..i.len().min(200)]).into_owned())
                );
                break;
            }
        }
    }
    n
}

criterion_group!(benches, fetch_stream, literal, search, commands);
criterion_main!(benches);

//! Our parsers next to the comparable crates on traffic captured from real clients talking to
//! real servers (`data/`, made by `capture/capture.py`; `data/MANIFEST.md` says what is in
//! it). This is the bench to judge by: a synthetic mix can say "parity" where real traffic
//! says 0.8×.
//!
//! | group | ours | anchor(s) |
//! |---|---|---|
//! | `captured_smtp_commands` | `LineFramer::next_line_with` + `Command::parse_with`, as the server reads | Stalwart `Request::parse` |
//! | `captured_smtp_replies` | `LineFramer::next_line_with` + `ReplyParser::push_line` | Stalwart `ResponseReceiver::parse` |
//! | `captured_smtp_ehlo` | `EhloReply::parse` | Stalwart `EhloResponse::parse` |
//! | `captured_imap_responses_4k` | `Framer::next_frame` + `Response::parse` | imap-codec `ResponseCodec`, djc `Response::parse` |
//! | `captured_imap_commands` | `Framer::next_frame` + `Command::parse` | imap-codec `CommandCodec` |
//!
//! Every parser is fed the same units: at start-up each captured unit is parsed alone by every
//! parser of its group, and only the units that all of them accept are kept (the number left
//! out, and by whom, is printed). Each loop counts the units it parsed and the bench asserts
//! the count, so no parser wins by stopping early; each result is inspected and dropped where
//! it is made.
//!
//! `MAIL_COMPARE_SHOW=1` prints each unit left out.
//! `MAIL_COMPARE_ONCE=1 <bench binary>` runs each loop once instead of benchmarking, for
//! `valgrind --tool=callgrind --toggle-collect=captured::callgrind::<loop>` (`callgrind.sh`
//! does it for every loop): the loops are named `ours_*`, `stalwart_*`, `codec_*`, `djc_*`.

use std::hint::black_box;
use std::time::Duration;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput};
use imap_codec::decode::Decoder;
use imap_codec::{CommandCodec, ResponseCodec};
use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
use mail_core::line::{BareNewline, LineFramer};
use smtp_proto::capability::EhloReply;
use smtp_proto::command::{Command, EnvelopeSyntax};
use smtp_proto::reply::ReplyParser;

const SMTP_COMMANDS: &[u8] = include_bytes!("../data/smtp_commands.txt");
const SMTP_REPLIES: &[u8] = include_bytes!("../data/smtp_replies.txt");
const SMTP_EHLO: &[u8] = include_bytes!("../data/smtp_ehlo_replies.txt");
const IMAP_RESPONSES: &[u8] = include_bytes!("../data/imap_responses_4k.txt");
const IMAP_COMMANDS: &[u8] = include_bytes!("../data/imap_commands.txt");

/// The SMTP server's command line limit for AUTH lines (RFC 4954 §4), which is also more
/// than any other captured line.
const SMTP_LINE: usize = 12288;
/// The SMTP client's reply line limit (`client::Config::default`).
const SMTP_REPLY_LINE: usize = 2048;

// ---------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------

/// Splits at LF, keeping each line's CRLF.
fn lines(stream: &[u8]) -> Vec<&[u8]> {
    stream.split_inclusive(|&b| b == b'\n').collect()
}

/// Groups reply lines into whole replies (`ddd-` continues, anything else ends one).
fn replies(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in lines(stream) {
        at += line.len();
        if line.get(3) != Some(&b'-') {
            out.push(&stream[start..at]);
            start = at;
        }
    }
    out
}

/// Splits an IMAP stream into messages: a line, and after a literal announcement at its end
/// the literal and the rest of the message.
fn imap_messages(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        let start = pos;
        loop {
            let Some(lf) = memchr::memchr(b'\n', &stream[pos..]) else {
                return out;
            };
            let line = &stream[pos..pos + lf];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            pos += lf + 1;
            match literal_size(line) {
                Some(n) => pos += n,
                None => break,
            }
        }
        out.push(&stream[start..pos]);
    }
    out
}

/// The size of the literal announced at the end of `line` (`{n}`, `{n+}`, `~{n}`).
fn literal_size(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// A parser's name and whether it accepts one unit alone.
type Acceptor<'f> = (&'static str, &'f dyn Fn(&[u8]) -> bool);

/// Keeps the units every `accept` takes; prints how many each one refused.
fn common(what: &str, units: Vec<&[u8]>, accept: &[Acceptor<'_>]) -> (Vec<u8>, usize) {
    let total = units.len();
    let mut refused = vec![0usize; accept.len()];
    let mut kept = Vec::new();
    let mut n = 0;
    for unit in units {
        let mut all = true;
        for (i, (_, f)) in accept.iter().enumerate() {
            if !f(unit) {
                refused[i] += 1;
                all = false;
            }
        }
        if !all && std::env::var_os("MAIL_COMPARE_SHOW").is_some() {
            eprintln!(
                "refused: {:?}",
                String::from_utf8_lossy(&unit[..unit.len().min(300)])
            );
        }
        if all {
            kept.extend_from_slice(unit);
            n += 1;
        }
    }
    let who: Vec<String> = accept
        .iter()
        .zip(&refused)
        .map(|((name, _), r)| format!("{name} refused {r}"))
        .collect();
    eprintln!(
        "{what}: {n} of {total} captured units, {} octets ({})",
        kept.len(),
        who.join(", ")
    );
    (kept, n)
}

// ---------------------------------------------------------------------------------------
// The loops (out of line, so callgrind can count each one)
// ---------------------------------------------------------------------------------------

/// As the server reads commands: each line parsed where it lies in the input buffer.
#[inline(never)]
fn ours_smtp_commands(buf: &mut BytesMut) -> usize {
    let mut framer = LineFramer::new(SMTP_LINE, BareNewline::Reject);
    let mut n = 0;
    while let Some(read) = framer.next_line_with(buf, |line| {
        Command::parse_with(line, EnvelopeSyntax::postfix()).is_ok()
    }) {
        n += usize::from(read == Ok(true));
    }
    n
}

#[inline(never)]
fn stalwart_smtp_commands(input: &[u8]) -> usize {
    let mut iter = input.iter();
    let mut n = 0;
    while iter.len() > 0 {
        n += usize::from(stalwart_smtp_proto::Request::parse(&mut iter).is_ok());
    }
    n
}

/// As a client reads replies: each line lent to the parser where it lies in the input buffer
/// (`next_line_with`, the hand-off the server uses for commands), since the parser copies
/// what it keeps.
#[inline(never)]
fn ours_smtp_replies(buf: &mut BytesMut) -> usize {
    let mut framer = LineFramer::new(SMTP_REPLY_LINE, BareNewline::Reject);
    let mut parser = ReplyParser::default();
    let mut n = 0;
    while let Some(read) = framer.next_line_with(buf, |line| match parser.push_line(line) {
        Ok(Some(reply)) => usize::from(reply.code().get() != 0),
        _ => 0,
    }) {
        n += read.unwrap_or(0);
    }
    n
}

#[inline(never)]
fn stalwart_smtp_replies(input: &[u8]) -> usize {
    let mut receiver = stalwart_smtp_proto::response::parser::ResponseReceiver::default();
    let mut iter = input.iter();
    let mut n = 0;
    while iter.len() > 0 {
        match receiver.parse(&mut iter) {
            Ok(reply) => n += usize::from(reply.code != 0),
            Err(stalwart_smtp_proto::Error::NeedsMoreData { .. }) => break,
            Err(_) => {}
        }
        receiver.reset();
    }
    n
}

#[inline(never)]
fn ours_ehlo(replies: &[&[u8]]) -> usize {
    replies
        .iter()
        .map(|r| EhloReply::parse(black_box(r)).map_or(0, |e| e.len()))
        .sum()
}

#[inline(never)]
fn stalwart_ehlo(replies: &[&[u8]]) -> usize {
    replies
        .iter()
        .map(|r| {
            stalwart_smtp_proto::EhloResponse::parse(&mut black_box(r).iter()).map_or(0, |e| {
                e.capabilities.count_ones() as usize + e.auth_mechanisms.count_ones() as usize
            })
        })
        .sum()
}

fn response_framer() -> Framer {
    Framer::new(FramerConfig::client())
}

#[inline(never)]
fn ours_imap_responses(buf: &mut BytesMut) -> usize {
    let mut framer = response_framer();
    let mut n = 0;
    while let Some(event) = framer.next_frame(buf) {
        if let Ok(FrameEvent::Frame(frame)) = event {
            n += usize::from(imap_proto::response::Response::parse(&frame).is_ok());
        }
    }
    n
}

#[inline(never)]
fn codec_imap_responses(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok((tail, response)) = ResponseCodec::default().decode(rest) {
        black_box(&response);
        n += 1;
        rest = tail;
    }
    n
}

#[inline(never)]
fn djc_imap_responses(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok((tail, response)) = djc_imap_proto::Response::parse(rest) {
        black_box(&response);
        n += 1;
        rest = tail;
    }
    n
}

/// As a server reads commands: literals accepted as they are announced.
#[inline(never)]
fn ours_imap_commands(buf: &mut BytesMut) -> usize {
    let mut framer = Framer::new(FramerConfig::server());
    let mut n = 0;
    while let Some(event) = framer.next_frame(buf) {
        match event {
            Ok(FrameEvent::LiteralAnnounced { .. }) => framer.accept_literal(),
            Ok(FrameEvent::Frame(frame)) => {
                n += usize::from(imap_proto::command::Command::parse(&frame).is_ok());
            }
            _ => {}
        }
    }
    n
}

#[inline(never)]
fn codec_imap_commands(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while let Ok((tail, command)) = CommandCodec::default().decode(rest) {
        black_box(&command);
        n += 1;
        rest = tail;
    }
    n
}

// ---------------------------------------------------------------------------------------
// Acceptance of one unit alone, for `common`
// ---------------------------------------------------------------------------------------

fn ours_accepts_smtp_command(unit: &[u8]) -> bool {
    ours_smtp_commands(&mut BytesMut::from(unit)) == 1
}

fn stalwart_accepts_smtp_command(unit: &[u8]) -> bool {
    stalwart_smtp_commands(unit) == 1
}

fn ours_accepts_smtp_reply(unit: &[u8]) -> bool {
    ours_smtp_replies(&mut BytesMut::from(unit)) == 1
}

fn stalwart_accepts_smtp_reply(unit: &[u8]) -> bool {
    stalwart_smtp_replies(unit) == 1
}

fn ours_accepts_response(unit: &[u8]) -> bool {
    ours_imap_responses(&mut BytesMut::from(unit)) == 1
}

fn codec_accepts_response(unit: &[u8]) -> bool {
    matches!(ResponseCodec::default().decode(unit), Ok((rest, _)) if rest.is_empty())
}

fn djc_accepts_response(unit: &[u8]) -> bool {
    matches!(djc_imap_proto::Response::parse(unit), Ok((rest, _)) if rest.is_empty())
}

fn ours_accepts_command(unit: &[u8]) -> bool {
    ours_imap_commands(&mut BytesMut::from(unit)) == 1
}

fn codec_accepts_command(unit: &[u8]) -> bool {
    matches!(CommandCodec::default().decode(unit), Ok((rest, _)) if rest.is_empty())
}

// ---------------------------------------------------------------------------------------
// Corpora
// ---------------------------------------------------------------------------------------

struct Corpora {
    smtp_commands: (Vec<u8>, usize),
    smtp_replies: (Vec<u8>, usize),
    ehlo: Vec<&'static [u8]>,
    ehlo_capabilities: usize,
    imap_responses: (Vec<u8>, usize),
    imap_commands: (Vec<u8>, usize),
}

fn corpora() -> Corpora {
    let smtp_commands = common(
        "smtp commands",
        lines(SMTP_COMMANDS),
        &[
            ("mail-proto", &ours_accepts_smtp_command),
            ("stalwart", &stalwart_accepts_smtp_command),
        ],
    );
    let smtp_replies = common(
        "smtp replies",
        replies(SMTP_REPLIES),
        &[
            ("mail-proto", &ours_accepts_smtp_reply),
            ("stalwart", &stalwart_accepts_smtp_reply),
        ],
    );
    let ehlo: Vec<&'static [u8]> = replies(SMTP_EHLO)
        .into_iter()
        .filter(|r| EhloReply::parse(r).is_ok() && stalwart_ehlo(&[r]) > 0)
        .collect();
    eprintln!(
        "smtp EHLO replies: {} of {} captured",
        ehlo.len(),
        replies(SMTP_EHLO).len()
    );
    let ehlo_capabilities = ours_ehlo(&ehlo);
    let imap_responses = common(
        "imap responses <= 4 KiB",
        imap_messages(IMAP_RESPONSES),
        &[
            ("imap-proto", &ours_accepts_response),
            ("imap-codec", &codec_accepts_response),
            ("djc", &djc_accepts_response),
        ],
    );
    let imap_commands = common(
        "imap commands",
        imap_messages(IMAP_COMMANDS),
        &[
            ("imap-proto", &ours_accepts_command),
            ("imap-codec", &codec_accepts_command),
        ],
    );
    Corpora {
        smtp_commands,
        smtp_replies,
        ehlo,
        ehlo_capabilities,
        imap_responses,
        imap_commands,
    }
}

/// Times `ours` on a fresh copy of `input` in a `BytesMut`, as a connection holds its input;
/// the copy is set-up, and freeing the buffer happens after timing. The copy is made right
/// before each timed pass (`PerIteration`), so the input is as warm as the slice the other
/// parsers read again and again: batching copies up front (`SmallInput`) would leave each one
/// cold in memory by the time it is parsed.
fn bench_ours(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    input: &[u8],
    want: usize,
    ours: fn(&mut BytesMut) -> usize,
) {
    group.bench_function(name, |b| {
        b.iter_batched(
            || BytesMut::from(input),
            |mut buf| {
                let n = ours(&mut buf);
                assert_eq!(n, want);
                (n, buf)
            },
            BatchSize::PerIteration,
        );
    });
}

fn bench_theirs(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    input: &[u8],
    want: usize,
    theirs: fn(&[u8]) -> usize,
) {
    group.bench_function(name, |b| {
        b.iter(|| {
            let n = theirs(black_box(input));
            assert_eq!(n, want);
            n
        });
    });
}

fn group<'c>(
    c: &'c mut Criterion,
    name: &str,
    units: usize,
    octets: usize,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::ElementsAndBytes {
        elements: units as u64,
        bytes: octets as u64,
    });
    g.sample_size(60);
    g.measurement_time(Duration::from_secs(4));
    g
}

fn benches(c: &mut Criterion, k: &Corpora) {
    let (input, want) = (&k.smtp_commands.0, k.smtp_commands.1);
    let mut g = group(c, "captured_smtp_commands", want, input.len());
    bench_ours(&mut g, "mail-proto", input, want, ours_smtp_commands);
    bench_theirs(
        &mut g,
        "stalwart-smtp-proto",
        input,
        want,
        stalwart_smtp_commands,
    );
    g.finish();

    let (input, want) = (&k.smtp_replies.0, k.smtp_replies.1);
    let mut g = group(c, "captured_smtp_replies", want, input.len());
    bench_ours(&mut g, "mail-proto", input, want, ours_smtp_replies);
    bench_theirs(
        &mut g,
        "stalwart-smtp-proto",
        input,
        want,
        stalwart_smtp_replies,
    );
    g.finish();

    let octets = k.ehlo.iter().map(|r| r.len()).sum();
    let mut g = group(c, "captured_smtp_ehlo", k.ehlo.len(), octets);
    g.bench_function("mail-proto", |b| {
        b.iter(|| assert_eq!(ours_ehlo(&k.ehlo), k.ehlo_capabilities));
    });
    let stalwart_want = stalwart_ehlo(&k.ehlo);
    g.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| assert_eq!(stalwart_ehlo(&k.ehlo), stalwart_want));
    });
    g.finish();

    let (input, want) = (&k.imap_responses.0, k.imap_responses.1);
    let mut g = group(c, "captured_imap_responses_4k", want, input.len());
    bench_ours(
        &mut g,
        "imap-proto (ours)",
        input,
        want,
        ours_imap_responses,
    );
    bench_theirs(&mut g, "imap-codec", input, want, codec_imap_responses);
    bench_theirs(&mut g, "djc-imap-proto", input, want, djc_imap_responses);
    g.finish();

    let (input, want) = (&k.imap_commands.0, k.imap_commands.1);
    let mut g = group(c, "captured_imap_commands", want, input.len());
    bench_ours(&mut g, "imap-proto (ours)", input, want, ours_imap_commands);
    bench_theirs(&mut g, "imap-codec", input, want, codec_imap_commands);
    g.finish();
}

/// One call of each loop, each behind its own out-of-line function that nothing else calls,
/// so that `callgrind --toggle-collect=captured::callgrind::<loop>` counts exactly one pass
/// (the set-up's per-unit checks call the loops too, but not through these).
mod callgrind {
    use super::*;

    macro_rules! once {
        ($($name:ident($arg:ty) => $inner:path;)*) => {
            $(
                #[inline(never)]
                pub(super) fn $name(input: $arg) -> usize {
                    $inner(input)
                }
            )*
        };
    }

    once! {
        ours_smtp_commands(&mut BytesMut) => super::ours_smtp_commands;
        stalwart_smtp_commands(&[u8]) => super::stalwart_smtp_commands;
        ours_smtp_replies(&mut BytesMut) => super::ours_smtp_replies;
        stalwart_smtp_replies(&[u8]) => super::stalwart_smtp_replies;
        ours_ehlo(&[&[u8]]) => super::ours_ehlo;
        stalwart_ehlo(&[&[u8]]) => super::stalwart_ehlo;
        ours_imap_responses(&mut BytesMut) => super::ours_imap_responses;
        codec_imap_responses(&[u8]) => super::codec_imap_responses;
        djc_imap_responses(&[u8]) => super::djc_imap_responses;
        ours_imap_commands(&mut BytesMut) => super::ours_imap_commands;
        codec_imap_commands(&[u8]) => super::codec_imap_commands;
    }
}

/// Runs every loop once, checking its count: the callgrind mode.
fn once(k: &Corpora) {
    use callgrind as cg;
    let check = |what: &str, got: usize, want: usize| {
        assert_eq!(got, want, "{what}");
    };
    let buf = |v: &Vec<u8>| BytesMut::from(&v[..]);
    let (cmds, replies) = (&k.smtp_commands, &k.smtp_replies);
    let (responses, commands) = (&k.imap_responses, &k.imap_commands);
    check(
        "ours smtp commands",
        cg::ours_smtp_commands(&mut buf(&cmds.0)),
        cmds.1,
    );
    check(
        "stalwart smtp commands",
        cg::stalwart_smtp_commands(&cmds.0),
        cmds.1,
    );
    check(
        "ours smtp replies",
        cg::ours_smtp_replies(&mut buf(&replies.0)),
        replies.1,
    );
    check(
        "stalwart smtp replies",
        cg::stalwart_smtp_replies(&replies.0),
        replies.1,
    );
    check("ours ehlo", cg::ours_ehlo(&k.ehlo), k.ehlo_capabilities);
    black_box(cg::stalwart_ehlo(&k.ehlo));
    check(
        "ours imap responses",
        cg::ours_imap_responses(&mut buf(&responses.0)),
        responses.1,
    );
    check(
        "codec imap responses",
        cg::codec_imap_responses(&responses.0),
        responses.1,
    );
    check(
        "djc imap responses",
        cg::djc_imap_responses(&responses.0),
        responses.1,
    );
    check(
        "ours imap commands",
        cg::ours_imap_commands(&mut buf(&commands.0)),
        commands.1,
    );
    check(
        "codec imap commands",
        cg::codec_imap_commands(&commands.0),
        commands.1,
    );
}

fn main() {
    let k = corpora();
    if std::env::var_os("MAIL_COMPARE_ONCE").is_some() {
        once(&k);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &k);
    c.final_summary();
}

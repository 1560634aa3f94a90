//! The framer: messages fed whole, byte by byte and at random splits; limits one under and
//! over; recovery after refused literals and over-long lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bytes::BytesMut;
use imap_proto::error::{FramingError, FramingErrorKind};
use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
use imap_proto::types::Tag;
use mail_core::line::BareNewline;
use proptest::prelude::*;

/// What the framer reported, with frames as text for readable assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Frame(Vec<u8>),
    Announced(u64, bool),
    Error(Option<String>, FramingErrorKind),
}

/// Feeds `chunks` one after the other; a synchronising literal is accepted when `accept`
/// says so (by size) and rejected otherwise.
fn run(config: FramerConfig, chunks: &[&[u8]], accept: impl Fn(u64) -> bool) -> Vec<Seen> {
    let mut framer = Framer::new(config);
    let mut buf = BytesMut::new();
    let mut seen = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(ev) = framer.next_frame(&mut buf) {
            match ev {
                Ok(FrameEvent::Frame(f)) => seen.push(Seen::Frame(f.bytes().to_vec())),
                Ok(FrameEvent::LiteralAnnounced { size, binary, .. }) => {
                    seen.push(Seen::Announced(size, binary));
                    if accept(size) {
                        framer.accept_literal();
                    } else {
                        framer.reject_literal(&mut buf);
                    }
                }
                Ok(_) => unreachable!(),
                Err(FramingError { tag, kind, .. }) => {
                    seen.push(Seen::Error(tag.map(|t| t.as_str().to_owned()), kind));
                }
            }
        }
    }
    seen
}

fn frame(s: &[u8]) -> Seen {
    Seen::Frame(s.to_vec())
}

const TRANSCRIPT: &[u8] = b"A001 CAPABILITY\r\nA002 LOGIN {4}\r\nfred {6}\r\nsecret\r\n\
A003 APPEND INBOX (\\Seen) {11+}\r\nhello\r\nworld\r\nA004 APPEND INBOX ~{3}\r\na\0b\r\n\
A005 SEARCH TEXT \"x}\"\r\nA006 NOOP\r\n";

fn transcript_expected() -> Vec<Seen> {
    vec![
        frame(b"A001 CAPABILITY"),
        Seen::Announced(4, false),
        Seen::Announced(6, false),
        frame(b"A002 LOGIN {4}\r\nfred {6}\r\nsecret"),
        frame(b"A003 APPEND INBOX (\\Seen) {11+}\r\nhello\r\nworld"),
        Seen::Announced(3, true),
        frame(b"A004 APPEND INBOX ~{3}\r\na\0b"),
        frame(b"A005 SEARCH TEXT \"x}\""),
        frame(b"A006 NOOP"),
    ]
}

#[test]
fn transcript_whole() {
    assert_eq!(
        run(FramerConfig::server(), &[TRANSCRIPT], |_| true),
        transcript_expected()
    );
}

#[test]
fn transcript_byte_by_byte() {
    let chunks: Vec<&[u8]> = TRANSCRIPT.chunks(1).collect();
    assert_eq!(
        run(FramerConfig::server(), &chunks, |_| true),
        transcript_expected()
    );
}

proptest! {
    #[test]
    fn transcript_random_splits(mut cuts in proptest::collection::vec(0..TRANSCRIPT.len(), 0..12)) {
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for c in cuts {
            chunks.push(&TRANSCRIPT[last..c]);
            last = c;
        }
        chunks.push(&TRANSCRIPT[last..]);
        prop_assert_eq!(run(FramerConfig::server(), &chunks, |_| true), transcript_expected());
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_respect_limits(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        split in 1usize..40,
    ) {
        let mut config = FramerConfig::server();
        config.max_line = 64;
        config.max_literal = 100;
        config.max_message = 200;
        let mut framer = Framer::new(config);
        let mut buf = BytesMut::new();
        for chunk in data.chunks(split) {
            buf.extend_from_slice(chunk);
            while let Some(ev) = framer.next_frame(&mut buf) {
                if let Ok(FrameEvent::Frame(f)) = &ev {
                    prop_assert!(f.bytes().len() <= 200);
                }
                if let Ok(FrameEvent::LiteralAnnounced { size, .. }) = ev {
                    prop_assert!(size <= 100);
                    if size % 2 == 0 { framer.accept_literal() } else { framer.reject_literal(&mut buf) }
                }
            }
            // Never more buffered than a message plus a line.
            prop_assert!(buf.len() <= 200 + 64 + split);
        }
    }
}

#[test]
fn client_mode_does_not_announce() {
    let got = run(
        FramerConfig::client(),
        &[b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n"],
        |_| false,
    );
    assert_eq!(got, vec![frame(b"* 1 FETCH (BODY[] {5}\r\nhello)")]);
}

fn limited(max_literal: u64) -> FramerConfig {
    let mut c = FramerConfig::server();
    c.max_literal = max_literal;
    c
}

#[test]
fn sync_literal_at_limit_and_one_over() {
    let got = run(
        limited(10),
        &[b"A1 LOGIN {10}\r\n", b"0123456789 x\r\n"],
        |_| true,
    );
    assert_eq!(
        got,
        vec![
            Seen::Announced(10, false),
            frame(b"A1 LOGIN {10}\r\n0123456789 x")
        ]
    );
    // Over the limit: refused before any octet; the client waits for a `+` that never
    // comes and sends its next command.
    let got = run(limited(10), &[b"A1 LOGIN {11}\r\n", b"A2 NOOP\r\n"], |_| {
        true
    });
    assert_eq!(
        got,
        vec![
            Seen::Error(
                Some("A1".into()),
                FramingErrorKind::LiteralTooLarge { size: 11, max: 10 }
            ),
            frame(b"A2 NOOP"),
        ]
    );
}

#[test]
fn rejected_sync_literal_then_more_commands() {
    let got = run(
        FramerConfig::server(),
        &[b"A1 APPEND INBOX {500}\r\n", b"A2 NOOP\r\nA3 LOGOUT\r\n"],
        |s| s < 100,
    );
    assert_eq!(
        got,
        vec![
            Seen::Announced(500, false),
            frame(b"A2 NOOP"),
            frame(b"A3 LOGOUT")
        ]
    );
}

#[test]
fn non_sync_literal_over_limit_is_consumed() {
    let got = run(
        limited(10),
        &[b"A1 APPEND INBOX {11+}\r\nA2 NOOP\r\nX)\r\nA3 NOOP\r\n"],
        |_| true,
    );
    // The 11 octets "A2 NOOP\r\nX)" are literal data, never a command; the rest of A1's
    // line ends its message.
    assert_eq!(
        got,
        vec![
            Seen::Error(
                Some("A1".into()),
                FramingErrorKind::LiteralTooLarge { size: 11, max: 10 }
            ),
            frame(b"A3 NOOP"),
        ]
    );
}

#[test]
fn non_sync_over_limit_followed_by_more_literals_in_same_message() {
    let chunks: &[&[u8]] = &[b"A1 X {11+}\r\n0123456789A {3+}\r\nabc\r\nA2 NOOP\r\n"];
    let got = run(limited(10), chunks, |_| true);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], frame(b"A2 NOOP"));
    // Byte by byte, the same.
    let bytes: Vec<&[u8]> = chunks[0].chunks(1).collect();
    assert_eq!(run(limited(10), &bytes, |_| true), got);
}

#[test]
fn client_consumes_an_over_limit_literal_of_a_response() {
    let mut c = FramerConfig::client();
    c.max_literal = 4;
    let chunks: &[&[u8]] = &[b"* 1 FETCH (BODY[] {5}\r\n* 2 F)\r\n* 3 EXISTS\r\n"];
    assert_eq!(
        run(c, chunks, |_| true),
        vec![
            Seen::Error(None, FramingErrorKind::LiteralTooLarge { size: 5, max: 4 }),
            frame(b"* 3 EXISTS"),
        ]
    );
}

#[test]
fn message_limit_exactly() {
    let mut c = FramerConfig::client();
    // "A1 X {10}\r\n" (11) + 10 octets + ")\r\n" (3) = 24 octets.
    let msg: &[u8] = b"A1 X {10}\r\n0123456789)\r\nA2 NOOP\r\n";
    c.max_message = 24;
    assert_eq!(
        run(c.clone(), &[msg], |_| true),
        vec![frame(b"A1 X {10}\r\n0123456789)"), frame(b"A2 NOOP")]
    );
    c.max_message = 23;
    assert_eq!(
        run(c, &[msg], |_| true),
        vec![
            Seen::Error(
                Some("A1".into()),
                FramingErrorKind::MessageTooLarge { max: 23 }
            ),
            frame(b"A2 NOOP")
        ]
    );
}

#[test]
fn literal_minus_limit() {
    let mut c = FramerConfig::server();
    c.literal_minus = true;
    let mut at_limit = b"A1 APPEND INBOX {4096+}\r\n".to_vec();
    at_limit.extend(std::iter::repeat_n(b'x', 4096));
    at_limit.extend_from_slice(b"\r\n");
    let got = run(c.clone(), &[&at_limit], |_| true);
    assert!(matches!(&got[..], [Seen::Frame(f)] if f.len() == at_limit.len() - 2));
    let mut over = b"A1 APPEND INBOX {4097+}\r\n".to_vec();
    over.extend(std::iter::repeat_n(b'x', 4097));
    over.extend_from_slice(b"\r\nA2 NOOP\r\n");
    assert_eq!(
        run(c.clone(), &[&over], |_| true),
        vec![
            Seen::Error(
                Some("A1".into()),
                FramingErrorKind::LiteralTooLarge {
                    size: 4097,
                    max: 4096
                }
            ),
            frame(b"A2 NOOP"),
        ]
    );
    // Synchronising literals are not bound by LITERAL-.
    assert_eq!(
        run(c, &[b"A1 APPEND INBOX {5000}\r\n"], |_| true),
        vec![Seen::Announced(5000, false)]
    );
}

#[test]
fn literal_size_overflow_is_refused() {
    let got = run(
        FramerConfig::server(),
        &[b"A1 LOGIN {99999999999999999999999}\r\nA2 NOOP\r\n"],
        |_| true,
    );
    assert!(matches!(
        &got[0],
        Seen::Error(_, FramingErrorKind::LiteralTooLarge { size: u64::MAX, .. })
    ));
    assert_eq!(got[1], frame(b"A2 NOOP"));
}

#[test]
fn line_at_limit_and_one_over() {
    let mut c = FramerConfig::server();
    c.max_line = 16;
    // 14 octets + CRLF = 16: fits.
    assert_eq!(
        run(c.clone(), &[b"A1 NOOP 345678\r\n"], |_| true),
        vec![frame(b"A1 NOOP 345678")]
    );
    // 15 + CRLF = 17: refused, and the tail never becomes a command.
    let got = run(c.clone(), &[b"A1 NOOP 3456789\r\nA2 NOOP\r\n"], |_| true);
    assert_eq!(
        got,
        vec![
            Seen::Error(Some("A1".into()), FramingErrorKind::LineTooLong { max: 16 }),
            frame(b"A2 NOOP")
        ]
    );
    // Over-long across many chunks, hiding a command after padding.
    let got = run(
        c,
        &[
            b"A1 NOOP xxxxxxxxxxxxxxxx",
            b"yyyyyyyyyyyy A9 DELETE INBOX",
            b"\r\nA2 NOOP\r\n",
        ],
        |_| true,
    );
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], frame(b"A2 NOOP"));
}

#[test]
fn message_limit() {
    let mut c = FramerConfig::server();
    c.max_message = 30;
    // 15 (line) + 10 literal + 4 ")\r\n"... the literal announcement line counts.
    let got = run(c.clone(), &[b"A1 X {10}\r\n", b"0123456789)\r\n"], |_| true);
    assert_eq!(
        got,
        vec![
            Seen::Announced(10, false),
            frame(b"A1 X {10}\r\n0123456789)")
        ]
    );
    let got = run(c, &[b"A1 X {30}\r\nA2 NOOP\r\n"], |_| true);
    assert_eq!(
        got,
        vec![
            Seen::Error(
                Some("A1".into()),
                FramingErrorKind::MessageTooLarge { max: 30 }
            ),
            frame(b"A2 NOOP")
        ]
    );
}

#[test]
fn bare_newlines_at_every_split() {
    // The line scan keeps what it learnt about CRs across calls: a CR at the end of one
    // chunk may be the first half of CRLF or a bare CR.
    let input: &[u8] = b"A1 NO\rOP\r\nA2 NOOP\r\r\nA3 NOOP\rx\r\nA4 NOOP\r\nA5 X\r";
    let want = vec![
        Seen::Error(Some("A1".into()), FramingErrorKind::BareCr),
        Seen::Error(Some("A2".into()), FramingErrorKind::BareCr),
        Seen::Error(Some("A3".into()), FramingErrorKind::BareCr),
        frame(b"A4 NOOP"),
    ];
    assert_eq!(run(FramerConfig::server(), &[input], |_| true), want);
    for cut in 1..input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(
            run(FramerConfig::server(), &[a, b], |_| true),
            want,
            "cut {cut}"
        );
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(FramerConfig::server(), &bytes, |_| true), want);
}

#[test]
fn bare_newlines() {
    let got = run(
        FramerConfig::server(),
        &[b"A1 NOOP\nA2 NOOP\r\nA3 NO\rOP\r\nA4 NOOP\r\n"],
        |_| true,
    );
    assert_eq!(
        got,
        vec![
            Seen::Error(Some("A1".into()), FramingErrorKind::BareLf),
            frame(b"A2 NOOP"),
            Seen::Error(Some("A3".into()), FramingErrorKind::BareCr),
            frame(b"A4 NOOP"),
        ]
    );
    let mut c = FramerConfig::server();
    c.bare_newline = BareNewline::Normalize;
    let got = run(c, &[b"A1 LOGIN {1}\nx y\nA2 NOOP\r\n"], |_| true);
    assert_eq!(
        got,
        vec![
            Seen::Announced(1, false),
            frame(b"A1 LOGIN {1}\nx y"),
            frame(b"A2 NOOP")
        ]
    );
}

#[test]
fn announcement_carries_tag_and_binary() {
    let mut framer = Framer::new(FramerConfig::server());
    let mut buf = BytesMut::from(&b"T7 APPEND INBOX ~{4}\r\n"[..]);
    let ev = framer.next_frame(&mut buf).unwrap().unwrap();
    assert_eq!(
        ev,
        FrameEvent::LiteralAnnounced {
            tag: Some(Tag::try_from("T7").unwrap()),
            size: 4,
            binary: true
        }
    );
    assert!(framer.is_awaiting_decision());
    // Nothing more until the decision, even with bytes buffered.
    buf.extend_from_slice(b"\0\0\0\0\r\n");
    assert!(framer.next_frame(&mut buf).is_none());
    framer.accept_literal();
    assert!(matches!(
        framer.next_frame(&mut buf),
        Some(Ok(FrameEvent::Frame(_)))
    ));
    assert!(framer.is_at_message_start());
    assert!(buf.is_empty());
}

#[test]
fn not_literals() {
    // A `}` at the end that is no announcement.
    let got = run(
        FramerConfig::server(),
        &[b"A1 X {}\r\nA2 X {a}\r\nA3 X a}\r\n"],
        |_| true,
    );
    assert_eq!(
        got,
        vec![frame(b"A1 X {}"), frame(b"A2 X {a}"), frame(b"A3 X a}")]
    );
}

#[test]
fn reset_forgets_partial_message() {
    let mut framer = Framer::new(FramerConfig::client());
    let mut buf = BytesMut::from(&b"A1 LOGIN {5}\r\nab"[..]);
    assert!(framer.next_frame(&mut buf).is_none());
    buf.clear();
    framer.reset();
    buf.extend_from_slice(b"A2 NOOP\r\n");
    assert!(
        matches!(framer.next_frame(&mut buf), Some(Ok(FrameEvent::Frame(f))) if &f.bytes()[..] == b"A2 NOOP")
    );
}

/// What a streaming client framer reports, literal chunks joined.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Streamed {
    Frame(Vec<u8>),
    Start(Vec<u8>, u64, bool),
    Data(Vec<u8>),
    End,
}

fn run_streaming(config: FramerConfig, input: &[u8], piece: usize) -> (Vec<Streamed>, usize) {
    let mut framer = Framer::new(config);
    let mut buf = BytesMut::new();
    let mut seen: Vec<Streamed> = Vec::new();
    let mut most_buffered = 0;
    for chunk in input.chunks(piece.max(1)) {
        buf.extend_from_slice(chunk);
        while let Some(ev) = framer.next_frame(&mut buf) {
            match ev.unwrap() {
                FrameEvent::Frame(f) => seen.push(Streamed::Frame(f.bytes().to_vec())),
                FrameEvent::LiteralStart { head, size, binary } => {
                    seen.push(Streamed::Start(head.to_vec(), size, binary));
                }
                FrameEvent::LiteralData(d) => match seen.last_mut() {
                    Some(Streamed::Data(all)) => all.extend_from_slice(&d),
                    _ => seen.push(Streamed::Data(d.to_vec())),
                },
                FrameEvent::LiteralEnd => seen.push(Streamed::End),
                other => panic!("unexpected {other:?}"),
            }
        }
        most_buffered = most_buffered.max(buf.len() + framer.held());
    }
    assert!(buf.is_empty());
    (seen, most_buffered)
}

#[test]
fn large_literals_stream_and_small_ones_stay_inline() {
    let mut config = FramerConfig::client();
    config.stream_literals_over = Some(8);
    let body = vec![b'x'; 5000];
    let mut input = b"* 1 FETCH (UID 5 BODY[HEADER] {3}\r\nabc BODY[] {5000}\r\n".to_vec();
    input.extend_from_slice(&body);
    input.extend_from_slice(
        b" BINARY[1] ~{9}\r\n\0\x01\x02\x03\x04\x05\x06\x07\x08 FLAGS ())\r\nA1 OK done\r\n",
    );
    let want = vec![
        Streamed::Start(
            b"* 1 FETCH (UID 5 BODY[HEADER] {3}\r\nabc BODY[] {0}\r\n".to_vec(),
            5000,
            false,
        ),
        Streamed::Data(body.clone()),
        Streamed::End,
        Streamed::Start(
            b"* 1 FETCH (UID 5 BODY[HEADER] {3}\r\nabc BODY[] {0}\r\n BINARY[1] ~{0}\r\n".to_vec(),
            9,
            true,
        ),
        Streamed::Data(b"\0\x01\x02\x03\x04\x05\x06\x07\x08".to_vec()),
        Streamed::End,
        Streamed::Frame(
            b"* 1 FETCH (UID 5 BODY[HEADER] {3}\r\nabc BODY[] {0}\r\n BINARY[1] ~{0}\r\n FLAGS ())"
                .to_vec(),
        ),
        Streamed::Frame(b"A1 OK done".to_vec()),
    ];
    for piece in [1, 2, 7, 64, 100_000] {
        let (seen, most) = run_streaming(config.clone(), &input, piece);
        assert_eq!(seen, want, "pieces of {piece}");
        if piece <= 64 {
            // Never more than the head and one piece: the literal is not buffered.
            assert!(most <= 80 + piece, "{most} buffered with pieces of {piece}");
        }
    }
    // The rebuilt frame parses, with the streamed items empty.
    let Streamed::Frame(frame) = &want[6] else {
        unreachable!()
    };
    let r = imap_proto::response::Response::parse(&imap_proto::framing::Frame::new(
        bytes::Bytes::copy_from_slice(frame),
    ))
    .unwrap();
    assert!(format!("{r:?}").contains("Uid(5)"));
}

#[test]
fn streamed_literal_limit_one_under_and_over() {
    let mut config = FramerConfig::client();
    config.stream_literals_over = Some(4);
    config.max_streamed_literal = 10;
    let (seen, _) = run_streaming(
        config.clone(),
        b"* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n",
        3,
    );
    assert_eq!(seen.len(), 4);
    let mut framer = Framer::new(config);
    let mut buf = BytesMut::from(&b"* 1 FETCH (BODY[] {11}\r\n0123456789A)\r\nA1 OK x\r\n"[..]);
    let first = framer.next_frame(&mut buf).unwrap();
    assert!(matches!(
        first,
        Err(FramingError {
            kind: FramingErrorKind::LiteralTooLarge { size: 11, max: 10 },
            ..
        })
    ));
    // The refused literal is consumed; the next response frames.
    let Some(Ok(FrameEvent::Frame(f))) = framer.next_frame(&mut buf) else {
        panic!()
    };
    assert_eq!(&f.bytes()[..], b"A1 OK x");
}

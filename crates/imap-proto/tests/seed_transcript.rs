//! The seed overview's IMAP exchange, in both roles, at the grammar level (the IMAP state
//! machines come with a later issue): every client line is a command that encodes back to the
//! same bytes, every server line a response that does; both streams are framed identically
//! whole, byte by byte and at random splits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bytes::{Bytes, BytesMut};
use imap_proto::command::{Command, CommandBody};
use imap_proto::framing::{Frame, FrameEvent, Framer, FramerConfig};
use imap_proto::response::Response;
use mail_testkit::Feed;

/// The overview's client lines.
const CLIENT: &[&[u8]] = &[
    b"A001 CAPABILITY\r\n",
    b"A002 LOGIN username password\r\n",
    b"A003 SELECT INBOX\r\n",
    b"A004 FETCH 1:2 ALL\r\n",
];

/// The overview's server lines; its `RFC822 {...}` placeholders are real literals here.
fn server() -> Vec<Vec<u8>> {
    let m1 = b"Subject: one\r\n\r\nfirst\r\n";
    let m2 = b"Subject: two\r\n\r\nsecond\r\n";
    let fetch = |n: u32, flags: &str, date: &str, m: &[u8]| {
        let mut v = format!(
            "* {n} FETCH (FLAGS ({flags}) INTERNALDATE \"{date}\" RFC822 {{{}}}\r\n",
            m.len()
        )
        .into_bytes();
        v.extend_from_slice(m);
        v.extend_from_slice(b")\r\n");
        v
    };
    vec![
        b"* CAPABILITY IMAP4rev1 CHILDREN IDLE NAMES STARTTLS UIDPLUS\r\n".to_vec(),
        b"A001 OK CAPABILITY completed\r\n".to_vec(),
        b"A002 OK Logged in\r\n".to_vec(),
        b"* 1 EXISTS\r\n".to_vec(),
        b"* 2 RECENT\r\n".to_vec(),
        b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n".to_vec(),
        b"A003 OK [READ-WRITE] Selected\r\n".to_vec(),
        fetch(1, "\\Seen", "14-Aug-2012 10:45:01 +0100", m1),
        fetch(2, "\\Recent", "14-Aug-2012 10:46:01 +0100", m2),
        b"A004 OK FETCH completed\r\n".to_vec(),
    ]
}

/// Frames `stream` fed the way `feed` says; returns every frame.
fn frames(config: FramerConfig, stream: &[u8], feed: Feed) -> Vec<Frame> {
    let mut framer = Framer::new(config);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in feed.pieces(stream) {
        buf.extend_from_slice(piece);
        while let Some(event) = framer.next_frame(&mut buf) {
            match event.unwrap() {
                FrameEvent::Frame(f) => out.push(f),
                FrameEvent::LiteralAnnounced { .. } => framer.accept_literal(),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(buf.is_empty(), "{feed:?}: unframed bytes left");
    out
}

fn parse_command(line: &[u8]) -> Command {
    let frames = frames(FramerConfig::server(), line, Feed::Whole);
    assert_eq!(frames.len(), 1);
    Command::parse(&frames[0]).unwrap()
}

fn parse_response(line: &[u8]) -> Response {
    let frames = frames(FramerConfig::client(), line, Feed::Whole);
    assert_eq!(frames.len(), 1, "{}", String::from_utf8_lossy(line));
    Response::parse(&frames[0]).unwrap()
}

#[test]
fn client_role_capability() {
    let c = parse_command(CLIENT[0]);
    assert_eq!(c.tag.as_str(), "A001");
    assert_eq!(c.body, CommandBody::Capability);
    assert_eq!(c.to_bytes(), CLIENT[0]);
}

#[test]
fn client_role_login() {
    let c = parse_command(CLIENT[1]);
    assert!(matches!(c.body, CommandBody::Login { .. }), "{c:?}");
    assert_eq!(c.to_bytes(), CLIENT[1]);
    // The password never shows in Debug output.
    assert!(!format!("{c:?}").contains("password\""), "{c:?}");
}

#[test]
fn client_role_select_inbox() {
    let c = parse_command(CLIENT[2]);
    assert!(matches!(c.body, CommandBody::Select { .. }), "{c:?}");
    assert_eq!(c.to_bytes(), CLIENT[2]);
    // INBOX is case-insensitive (RFC 9051 §5.1).
    assert_eq!(parse_command(b"A003 SELECT inbox\r\n").body, c.body);
}

#[test]
fn client_role_fetch_all() {
    let c = parse_command(CLIENT[3]);
    assert!(matches!(c.body, CommandBody::Fetch { .. }), "{c:?}");
    assert_eq!(c.to_bytes(), CLIENT[3]);
}

#[test]
fn client_stream_frames_the_same_way_for_every_feed() {
    let stream = CLIENT.concat();
    let whole = frames(FramerConfig::server(), &stream, Feed::Whole);
    assert_eq!(whole.len(), 4);
    for feed in Feed::all() {
        let got = frames(FramerConfig::server(), &stream, feed);
        let parsed: Vec<_> = got.iter().map(|f| Command::parse(f).unwrap()).collect();
        let expected: Vec<_> = whole.iter().map(|f| Command::parse(f).unwrap()).collect();
        assert_eq!(parsed, expected, "{feed:?}");
    }
}

#[test]
fn server_role_every_line_round_trips_exactly() {
    for line in server() {
        let r = parse_response(&line);
        assert_eq!(
            String::from_utf8_lossy(&r.to_bytes()),
            String::from_utf8_lossy(&line)
        );
    }
}

#[test]
fn server_role_capability_and_completions() {
    let lines = server();
    let cap = format!("{:?}", parse_response(&lines[0]));
    for name in ["IMAP4rev1", "IDLE", "STARTTLS", "UIDPLUS", "CHILDREN"] {
        assert!(
            cap.to_lowercase().contains(&name.to_lowercase()),
            "{name}: {cap}"
        );
    }
    for i in [1, 2, 6, 9] {
        let r = format!("{:?}", parse_response(&lines[i]));
        assert!(r.contains("Ok"), "{r}");
    }
    assert!(format!("{:?}", parse_response(&lines[6])).contains("ReadWrite"));
}

#[test]
fn server_role_mailbox_sizes_and_flags() {
    let lines = server();
    assert!(format!("{:?}", parse_response(&lines[3])).contains("Exists"));
    assert!(format!("{:?}", parse_response(&lines[4])).contains("Recent"));
    let flags = format!("{:?}", parse_response(&lines[5]));
    for f in ["Seen", "Answered", "Flagged", "Deleted", "Draft"] {
        assert!(flags.contains(f), "{f}: {flags}");
    }
}

#[test]
fn server_role_fetch_with_rfc822_literals() {
    let lines = server();
    let r = parse_response(&lines[7]);
    let shown = format!("{r:?}");
    assert!(
        shown.contains("InternalDate")
            || shown.contains("INTERNALDATE")
            || shown.contains("internal"),
        "{shown}"
    );
    // The literal's bytes are carried whole.
    assert!(r.to_bytes().windows(5).any(|w| w == b"first"));
}

#[test]
fn server_stream_frames_the_same_way_for_every_feed() {
    let stream: Vec<u8> = server().concat();
    let whole = frames(FramerConfig::client(), &stream, Feed::Whole);
    assert_eq!(whole.len(), 10);
    let expected: Vec<_> = whole.iter().map(|f| Response::parse(f).unwrap()).collect();
    for feed in Feed::all() {
        let got: Vec<_> = frames(FramerConfig::client(), &stream, feed)
            .iter()
            .map(|f| Response::parse(f).unwrap())
            .collect();
        assert_eq!(got, expected, "{feed:?}");
    }
    // And the encoded responses are the stream again.
    let encoded: Vec<u8> = expected.iter().flat_map(Response::to_bytes).collect();
    assert_eq!(encoded, stream);
}

#[test]
fn a_literal_announcement_comes_before_its_bytes_on_the_server_side() {
    // A client sending LOGIN with a synchronising literal: the server framer announces it
    // before the bytes arrive, so the server can answer "+ Ready".
    let mut framer = Framer::new(FramerConfig::server());
    let mut buf = BytesMut::from(&b"A002 LOGIN {8}\r\n"[..]);
    match framer.next_frame(&mut buf) {
        Some(Ok(FrameEvent::LiteralAnnounced { size, .. })) => assert_eq!(size, 8),
        other => panic!("{other:?}"),
    }
    framer.accept_literal();
    assert!(framer.next_frame(&mut buf).is_none());
    buf.extend_from_slice(b"username password\r\n");
    let Some(Ok(FrameEvent::Frame(frame))) = framer.next_frame(&mut buf) else {
        panic!()
    };
    let c = Command::parse(&frame).unwrap();
    assert!(matches!(c.body, CommandBody::Login { .. }));
}

#[test]
fn parse_bytes_agrees_with_the_framed_parse() {
    for line in CLIENT {
        let body = Bytes::copy_from_slice(line.strip_suffix(b"\r\n").unwrap());
        assert_eq!(
            Command::parse_bytes(&body, 64).unwrap(),
            parse_command(line)
        );
    }
}

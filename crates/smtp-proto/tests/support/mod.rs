//! Transcript harness shared by the integration tests.
//!
//! A transcript is a list of `C:` (client) and `S:` (server) lines, as the RFCs print them.
//! [`server_transcript`] feeds the `C:` lines to a server [`Connection`] three ways (whole,
//! byte by byte, at seeded random splits) and checks that the server answers with the `S:`
//! replies: every reply code in order, and every text the server wrote by itself when the
//! script marks the line with `S=` instead of `S:`. The application under test answers each
//! event that needs an answer with the very reply the script expects next, so an RFC's own
//! texts can be used verbatim; SASL checks go through `auth`.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bytes::Bytes;
use mail_core::sasl::server::{Answer, Verification};
pub use mail_testkit::{Delivery, Feed, unescape};
use smtp_proto::prelude::*;
use smtp_proto::reply::Reply;
use smtp_proto::server::{Config, Connection, Event};

/// One expected server reply.
#[derive(Debug, Clone)]
pub struct Expected {
    pub wire: Vec<u8>,
    pub exact: bool,
}

/// A parsed transcript.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Client bytes, in segments: a `C: <TLS>` line ends a segment, and each segment is fed
    /// completely (the way under test) before the next, as a client waits for the TLS
    /// handshake before it writes again.
    pub client: Vec<Vec<u8>>,
    pub replies: Vec<Expected>,
}

/// Parses `C:`/`S:`/`S=` lines; other lines (blank, comments) are ignored. A `C:` line may
/// carry `\r`, `\n`, `\0` escapes; a `C:` line ending with `\` gets no CRLF.
pub fn parse_script(text: &str) -> Script {
    let mut script = Script::default();
    script.client.push(Vec::new());
    let mut current: Option<Expected> = None;
    for raw in text.lines() {
        let line = raw.trim_start();
        let (kind, rest) = match line.get(..2) {
            Some("C:") | Some("S:") | Some("S=") => (&line[..2], line.get(3..).unwrap_or("")),
            _ => continue,
        };
        if kind == "C:" && rest.trim() == "<TLS>" {
            script.client.push(Vec::new());
            continue;
        }
        if kind == "C:" {
            let segment = script.client.last_mut().unwrap();
            let (body, crlf) = match rest.strip_suffix('\\') {
                Some(b) => (b, false),
                None => (rest, true),
            };
            segment.extend_from_slice(&unescape(body));
            if crlf {
                segment.extend_from_slice(b"\r\n");
            }
            continue;
        }
        let cur = current.get_or_insert(Expected {
            wire: Vec::new(),
            exact: kind == "S=",
        });
        cur.wire.extend_from_slice(rest.as_bytes());
        cur.wire.extend_from_slice(b"\r\n");
        // The last line of a reply has a space (or nothing) after the code.
        if rest.as_bytes().get(3) != Some(&b'-') {
            script.replies.push(current.take().unwrap());
        }
    }
    assert!(
        current.is_none(),
        "unterminated multi-line reply in the script"
    );
    script
}

/// What the application saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub messages: Vec<Vec<u8>>,
    pub aborted: usize,
    pub discarded: usize,
    pub authenticated: Vec<Option<String>>,
    pub events: Vec<String>,
}

/// Splits the remaining replies' wire bytes into replies (by final line).
fn count_replies(output: &[u8]) -> usize {
    output
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter(|l| l.get(3).is_none_or(|&b| b == b' ' || b == b'\r'))
        .count()
}

/// The test application: answers every event from the script.
pub struct App<'a> {
    pub script: &'a Script,
    pub output: Vec<u8>,
    pub seen: Seen,
    pub current: Vec<u8>,
    pub auth: &'a dyn Fn(&Verification) -> Answer,
}

impl App<'_> {
    fn expected_reply(&self, offset: usize) -> Reply {
        let index = count_replies(&self.output) + offset;
        let expected = self
            .script
            .replies
            .get(index)
            .unwrap_or_else(|| panic!("no expected reply #{index} for an event"));
        Reply::parse(&expected.wire).expect("script reply parses")
    }

    pub fn drive(&mut self, conn: &mut Connection) {
        loop {
            self.output.extend_from_slice(&conn.take_output());
            let Some(event) = conn.next_event() else {
                break;
            };
            // Replies the server wrote while producing this event come before its answer.
            self.output.extend_from_slice(&conn.take_output());
            self.seen.events.push(format!("{event:?}"));
            match event {
                Event::MessageStart { .. } => self.current.clear(),
                Event::MessageData(chunk) => self.current.extend_from_slice(&chunk),
                Event::MessageEnd { envelope } => {
                    self.seen.messages.push(core::mem::take(&mut self.current));
                    let n = if self.is_lmtp(conn) {
                        envelope.recipients.len()
                    } else {
                        1
                    };
                    let replies: Vec<Reply> = (0..n).map(|i| self.expected_reply(i)).collect();
                    for r in replies {
                        conn.send(r).unwrap();
                    }
                }
                Event::MessageAborted { .. } => {
                    self.seen.aborted += 1;
                    self.current.clear();
                }
                Event::InputDiscarded { len } => self.seen.discarded += len,
                Event::Authenticated {
                    authentication_identity,
                    ..
                } => self.seen.authenticated.push(authentication_identity),
                Event::AuthVerify(v) => conn.auth_answer((self.auth)(&v)).unwrap(),
                Event::StartTls => conn.tls_established().unwrap(),
                e if e.needs_answer() => {
                    let reply = self.expected_reply(0);
                    conn.send(reply).unwrap();
                }
                _ => {}
            }
        }
        self.output.extend_from_slice(&conn.take_output());
    }

    fn is_lmtp(&self, conn: &Connection) -> bool {
        conn.is_lmtp()
    }
}

pub fn default_auth(v: &Verification) -> Answer {
    match v {
        Verification::Password { password, .. } if password.expose() == "secret" => Answer::Accept,
        _ => Answer::Reject,
    }
}

/// Runs the script one way and returns the server output and what the application saw.
pub fn run_server(
    config: &Config,
    script: &Script,
    feed: Feed,
    auth: &dyn Fn(&Verification) -> Answer,
) -> (Vec<u8>, Seen) {
    let mut conn = Connection::new(config.clone());
    let mut app = App {
        script,
        output: Vec::new(),
        seen: Seen::default(),
        current: Vec::new(),
        auth,
    };
    app.drive(&mut conn);
    let mut reader = bytes::BytesMut::new();
    for segment in &script.client {
        let mut pos = 0;
        for n in feed.splits(segment.len()) {
            match feed.deliver(&segment[pos..pos + n], &mut reader) {
                Delivery::Copy(piece) => conn.receive(piece),
                Delivery::Buffer(reader) => conn.receive_buf(reader),
            }
            pos += n;
            app.drive(&mut conn);
        }
    }
    (app.output, app.seen)
}

/// Checks the server output against the script's replies.
pub fn check_replies(script: &Script, output: &[u8], how: &str) {
    let mut rest = output;
    for (i, expected) in script.replies.iter().enumerate() {
        let want = Reply::parse(&expected.wire).unwrap();
        // Take one reply's worth of lines from the output.
        let mut end = 0;
        loop {
            let nl = rest[end..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or_else(|| {
                    panic!(
                        "{how}: output ended before reply #{i} {:?}; output: {:?}",
                        String::from_utf8_lossy(&expected.wire),
                        String::from_utf8_lossy(output)
                    )
                });
            let line = &rest[end..end + nl + 1];
            end += nl + 1;
            if line.get(3) != Some(&b'-') {
                break;
            }
        }
        let got_wire = &rest[..end];
        let got = Reply::parse(got_wire).unwrap_or_else(|e| {
            panic!(
                "{how}: reply #{i} unparsable {e}: {:?}",
                String::from_utf8_lossy(got_wire)
            )
        });
        if expected.exact {
            assert_eq!(
                String::from_utf8_lossy(got_wire),
                String::from_utf8_lossy(&expected.wire),
                "{how}: reply #{i}"
            );
        } else {
            assert_eq!(
                got.code(),
                want.code(),
                "{how}: reply #{i}: got {got}, want {want}"
            );
        }
        rest = &rest[end..];
    }
    assert!(
        rest.is_empty(),
        "{how}: unexpected extra output {:?}",
        String::from_utf8_lossy(rest)
    );
}

/// Runs a server transcript whole, byte by byte and at 8 random splittings, checking that
/// each run gives the expected replies and that all runs agree.
pub fn server_transcript(config: &Config, text: &str) -> Seen {
    server_transcript_with(config, text, &default_auth)
}

pub fn server_transcript_with(
    config: &Config,
    text: &str,
    auth: &dyn Fn(&Verification) -> Answer,
) -> Seen {
    let script = parse_script(text);
    let (whole_out, whole_seen) = run_server(config, &script, Feed::Whole, auth);
    check_replies(&script, &whole_out, "whole");
    let feeds = Feed::all().into_iter().filter(|f| *f != Feed::Whole);
    for feed in feeds {
        let (out, seen) = run_server(config, &script, feed, auth);
        let how = format!("{feed:?}");
        check_replies(&script, &out, &how);
        assert_eq!(out, whole_out, "{how}: output differs from the whole run");
        assert_eq!(seen.messages, whole_seen.messages, "{how}: messages differ");
        assert_eq!(seen.aborted, whole_seen.aborted, "{how}: aborts differ");
    }
    whole_seen
}

pub fn bytes(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

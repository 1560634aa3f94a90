//! Transcript harness shared by the integration tests.
//!
//! A transcript is a list of `C:` (client) and `S:` (server) lines, as the RFCs print them.
//! [`server_transcript`] feeds the `C:` lines to a server [`Connection`] three ways (whole,
//! byte by byte, at seeded random splits) and checks the server's output line by line: a
//! status line marked `S:` must have the expected status (`+OK`/`-ERR`) and response code, a
//! line marked `S=` must match exactly, and every other line (listings, message content) must
//! match exactly. `S: <message N>` stands for message N of the fixture, dot-stuffed, and
//! `S: <top N k>` for its `TOP`. The test application answers each event from the fixture.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bytes::BytesMut;
use mail_core::sasl::server::{Answer, Verification};
pub use mail_testkit::{ClientScript, ClientSegments, Feed, Point, script_lines};
use pop3_proto::prelude::*;
use pop3_proto::response::StatusLine;
use pop3_proto::server::{Config, Connection, Event, Maildrop, MaildropEntry, Refusal};

/// The test maildrop and user database.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub user: String,
    pub password: String,
    pub messages: Vec<(String, Vec<u8>)>,
    pub locked: bool,
    /// Size of the pieces the application hands to `message_data`.
    pub chunk: usize,
}

impl Default for Fixture {
    fn default() -> Self {
        Self {
            user: "username".into(),
            password: "password".into(),
            messages: vec![
                ("uid-1".into(), message(500, 1)),
                ("uid-2".into(), message(300, 2)),
            ],
            locked: false,
            chunk: 7,
        }
    }
}

/// Returns a message of exactly `size` octets with headers, a blank line and body lines,
/// one of them starting with a dot.
pub fn message(size: usize, seed: u8) -> Vec<u8> {
    let mut m = format!("Subject: message {seed}\r\nFrom: a@example.org\r\n\r\n.dotted line\r\n")
        .into_bytes();
    let mut n = 0u32;
    while m.len() + 40 < size {
        n += 1;
        m.extend_from_slice(format!("body line {n} of message {seed}\r\n").as_bytes());
    }
    while m.len() + 2 < size {
        m.push(b'x');
    }
    m.extend_from_slice(b"\r\n");
    m.truncate(size.max(2));
    if !m.ends_with(b"\r\n") {
        m.extend_from_slice(b"\r\n");
    }
    m
}

impl Fixture {
    pub fn maildrop(&self) -> Maildrop {
        Maildrop::new(
            self.messages
                .iter()
                .map(|(uid, m)| MaildropEntry::new(m.len() as u64, uid.parse().unwrap()))
                .collect(),
        )
    }

    fn stuffed_lines(content: &[u8]) -> Vec<String> {
        let mut out = BytesMut::new();
        mail_core::dot::encode_message(content, &mut out);
        let text = String::from_utf8(out.to_vec()).unwrap();
        let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
        lines.pop(); // after the last CRLF
        lines.pop(); // the "." terminator is in the script
        lines
    }

    fn top(content: &[u8], n: usize) -> Vec<u8> {
        let text = String::from_utf8(content.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut out = format!("{head}\r\n\r\n");
        for line in body.split_inclusive("\r\n").take(n) {
            out.push_str(line);
        }
        out.into_bytes()
    }
}

/// One expected server line.
#[derive(Debug, Clone)]
pub struct Expected {
    pub line: String,
    pub exact: bool,
}

/// A parsed transcript.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Client bytes in segments separated by `C: <TLS>`.
    pub client: ClientSegments,
    /// Client lines, one per `C:` line (without CRLF).
    pub client_lines: Vec<String>,
    pub server: Vec<Expected>,
}

/// Parses `C:`/`S:`/`S=` lines (leading whitespace and the spaces after the marker are
/// ignored). A `C:` line may carry `\r`, `\n`, `\0` escapes; a `C:` line ending with `\`
/// gets no CRLF.
pub fn parse_script(text: &str, fixture: &Fixture) -> Script {
    let mut script = Script::default();
    for line in script_lines(text, &["C:", "S:", "S="]) {
        let (kind, rest) = (line.marker, line.text);
        if kind == "C:" {
            let rest = rest.trim_start();
            script.client.push_line(rest);
            if rest.trim() != "<TLS>" {
                script
                    .client_lines
                    .push(rest.strip_suffix('\\').unwrap_or(rest).to_owned());
            }
            continue;
        }
        let rest = rest.trim_start();
        if let Some(spec) = rest
            .strip_prefix("<message ")
            .and_then(|r| r.strip_suffix('>'))
        {
            let n: usize = spec.parse().unwrap();
            for l in Fixture::stuffed_lines(&fixture.messages[n - 1].1) {
                script.server.push(Expected {
                    line: l,
                    exact: true,
                });
            }
            continue;
        }
        if let Some(spec) = rest.strip_prefix("<top ").and_then(|r| r.strip_suffix('>')) {
            let (n, k) = spec.split_once(' ').unwrap();
            let (n, k): (usize, usize) = (n.parse().unwrap(), k.parse().unwrap());
            let top = Fixture::top(&fixture.messages[n - 1].1, k);
            for l in Fixture::stuffed_lines(&top) {
                script.server.push(Expected {
                    line: l,
                    exact: true,
                });
            }
            continue;
        }
        let is_status = rest.starts_with("+OK") || rest.starts_with("-ERR");
        script.server.push(Expected {
            line: rest.to_owned(),
            exact: kind == "S=" || !is_status,
        });
    }
    script
}

/// What the application saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub authorized: Vec<String>,
    pub deleted: Vec<Vec<u32>>,
    pub aborted: usize,
    pub discarded: usize,
    pub retrieved: Vec<u32>,
    pub events: Vec<String>,
    pub start_tls: bool,
    /// How the session ended, once it did (exactly once: a second `Closed` fails the run).
    pub closed: Option<CloseReason>,
}

pub type AuthFn = dyn Fn(&Verification) -> Answer;

pub fn default_auth(v: &Verification) -> Answer {
    match v {
        Verification::Password { password, .. } if password.expose() == "secret" => Answer::Accept,
        _ => Answer::Reject,
    }
}

/// Answers every event from the fixture.
pub fn drive(
    conn: &mut Connection,
    fixture: &Fixture,
    auth: &AuthFn,
    seen: &mut Seen,
    out: &mut Vec<u8>,
) {
    loop {
        out.extend_from_slice(&conn.take_output());
        let Some(event) = conn.next_event() else {
            break;
        };
        out.extend_from_slice(&conn.take_output());
        seen.events.push(format!("{event:?}"));
        match event {
            Event::CheckPassword { user, password } => {
                let ok = user.as_str() == fixture.user && password.expose() == &fixture.password;
                conn.auth_answer(if ok { Answer::Accept } else { Answer::Reject })
                    .unwrap();
            }
            Event::ApopSecret { user } => {
                let answer = if user.as_str() == fixture.user {
                    Answer::Password(fixture.password.clone().into())
                } else {
                    Answer::Reject
                };
                conn.auth_answer(answer).unwrap();
            }
            Event::AuthVerify(v) => conn.auth_answer(auth(&v)).unwrap(),
            Event::Authorized { user, .. } => {
                seen.authorized.push(user);
                if fixture.locked {
                    conn.refuse(Refusal::InUse).unwrap();
                } else {
                    conn.open_maildrop(fixture.maildrop()).unwrap();
                }
            }
            Event::Retrieve { msg, index, .. } => {
                seen.retrieved.push(msg.get());
                let content = &fixture.messages[index].1;
                for piece in content.chunks(fixture.chunk) {
                    if !conn.wants_message_data() {
                        break;
                    }
                    conn.message_data(piece).unwrap();
                }
                conn.message_end().unwrap();
            }
            Event::Update { deleted } => {
                seen.deleted
                    .push(deleted.iter().map(|(m, _)| m.get()).collect());
                conn.update_done().unwrap();
            }
            Event::Aborted => seen.aborted += 1,
            Event::InputDiscarded { len } => seen.discarded += len,
            // The handshake happens once the client's plaintext segment is all sent, so that
            // bytes injected behind STLS reach the connection first, as on a real wire.
            Event::StartTls => seen.start_tls = true,
            Event::Closed { reason } => {
                assert!(seen.closed.is_none(), "Closed reported twice");
                seen.closed = Some(reason);
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    out.extend_from_slice(&conn.take_output());
}

/// Runs the script one way; returns the server output and what the application saw.
pub fn run_server(
    config: &Config,
    fixture: &Fixture,
    script: &Script,
    feed: Feed,
    auth: &AuthFn,
) -> (Vec<u8>, Seen) {
    let mut conn = Connection::new(config.clone());
    let mut seen = Seen::default();
    let mut out = Vec::new();
    drive(&mut conn, fixture, auth, &mut seen, &mut out);
    // The handshake happens once the client's plaintext segment is all sent.
    let handshake = |conn: &mut Connection, seen: &mut Seen, out: &mut Vec<u8>| {
        if core::mem::take(&mut seen.start_tls) {
            conn.tls_established().unwrap();
            drive(conn, fixture, auth, seen, out);
        }
    };
    script
        .client
        .feed(feed, &mut conn, |conn, point| match point {
            Point::Fed(_) => drive(conn, fixture, auth, &mut seen, &mut out),
            Point::Handshake => handshake(conn, &mut seen, &mut out),
        });
    handshake(&mut conn, &mut seen, &mut out);
    conn.receive_eof();
    drive(&mut conn, fixture, auth, &mut seen, &mut out);
    (out, seen)
}

/// Checks the server output against the script, line by line.
pub fn check_output(script: &Script, output: &[u8], how: &str) {
    let text = String::from_utf8_lossy(output);
    assert!(text.is_empty() || text.ends_with("\r\n"), "{how}: {text:?}");
    let lines: Vec<&str> = text.split("\r\n").collect();
    let lines = &lines[..lines.len().saturating_sub(1)];
    for (i, want) in script.server.iter().enumerate() {
        let got = lines.get(i).unwrap_or_else(|| {
            panic!("{how}: output ended before line #{i} {want:?}; output: {text}")
        });
        if want.exact {
            assert_eq!(*got, want.line, "{how}: line #{i}; output: {text}");
        } else {
            let g = StatusLine::parse(got.as_bytes())
                .unwrap_or_else(|e| panic!("{how}: line #{i} {got:?}: {e}"));
            let w = StatusLine::parse(want.line.as_bytes()).unwrap();
            assert_eq!(
                g.status(),
                w.status(),
                "{how}: line #{i} {got:?} vs {:?}",
                want.line
            );
            assert_eq!(
                g.code(),
                w.code(),
                "{how}: line #{i} {got:?} vs {:?}",
                want.line
            );
        }
    }
    assert_eq!(
        lines.len(),
        script.server.len(),
        "{how}: extra output {:?}",
        &lines[script.server.len().min(lines.len())..]
    );
}

/// Runs a server transcript whole, byte by byte and at 8 random splittings; every run must
/// match the script and give the same output and events.
pub fn server_transcript(config: &Config, fixture: &Fixture, text: &str) -> Seen {
    server_transcript_with(config, fixture, text, &default_auth)
}

pub fn server_transcript_with(
    config: &Config,
    fixture: &Fixture,
    text: &str,
    auth: &AuthFn,
) -> Seen {
    let script = parse_script(text, fixture);
    let (whole_out, whole_seen) = run_server(config, fixture, &script, Feed::Whole, auth);
    check_output(&script, &whole_out, "whole");
    let feeds = Feed::all().into_iter().filter(|f| *f != Feed::Whole);
    for feed in feeds {
        let (out, seen) = run_server(config, fixture, &script, feed, auth);
        let how = format!("{feed:?}");
        check_output(&script, &out, &how);
        assert_eq!(out, whole_out, "{how}: output differs from the whole run");
        assert_eq!(seen.deleted, whole_seen.deleted, "{how}");
        assert_eq!(seen.retrieved, whole_seen.retrieved, "{how}");
        assert_eq!(seen.authorized, whole_seen.authorized, "{how}");
    }
    whole_seen
}

/// A plaintext-allowing config (most RFC transcripts run without TLS).
pub fn plain_config() -> Config {
    let mut c = Config::default();
    c.allow_plaintext_auth = true;
    c
}

// ----- client transcripts -----

use pop3_proto::client::{self, Login};
use pop3_proto::command::Command;

/// Parses a client script: `S:` lines are what the server sends; `C:` lines are commands the
/// application issues (once every server line before them has arrived); `C=` lines are lines
/// the client writes by itself (`PASS` after `USER`, SASL responses).
pub fn parse_client_script(text: &str) -> ClientScript {
    ClientScript::parse(text)
}

/// What the client application saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSeen {
    pub events: Vec<String>,
    pub messages: Vec<Vec<u8>>,
    pub error: Option<String>,
}

fn issue(conn: &mut client::Connection, line: &str, login: &Login) {
    let command = Command::parse(line.as_bytes()).unwrap();
    let result = match command {
        Command::User(_) | Command::Apop { .. } | Command::Auth(_) => conn.login(login.clone()),
        Command::Stat => conn.stat(),
        Command::List(m) => conn.list(m),
        Command::Uidl(m) => conn.uidl(m),
        Command::Retr(m) => conn.retr(m),
        Command::Top { msg, lines } => conn.top(msg, lines),
        Command::Dele(m) => conn.dele(m),
        Command::Rset => conn.rset(),
        Command::Noop => conn.noop(),
        Command::Quit => conn.quit(),
        Command::Capa => conn.capa(),
        Command::Stls => conn.stls(),
        Command::Utf8 => conn.utf8(),
        Command::Lang(tag) => conn.lang(tag),
        other => conn.send(other),
    };
    result.unwrap_or_else(|e| panic!("issuing {line:?}: {e}"));
}

pub fn run_client(
    config: &client::Config,
    login: &Login,
    script: &ClientScript,
    feed: Feed,
) -> (Vec<u8>, ClientSeen) {
    let mut conn = client::Connection::new(config.clone());
    let mut seen = ClientSeen::default();
    let mut out = Vec::new();
    let mut next = 0;
    let mut current: Vec<u8> = Vec::new();
    let mut step = |conn: &mut client::Connection,
                    fed: usize,
                    seen: &mut ClientSeen,
                    out: &mut Vec<u8>| loop {
        let mut progressed = false;
        while let Some(event) = conn.next_event() {
            progressed = true;
            match &event {
                client::Event::MessageStart { .. } => current.clear(),
                client::Event::MessageData(d) => current.extend_from_slice(d),
                client::Event::MessageEnd { .. } => {
                    seen.messages.push(core::mem::take(&mut current));
                }
                client::Event::StartTls => conn.tls_established().unwrap(),
                _ => {}
            }
            if !matches!(event, client::Event::MessageData(_)) {
                seen.events.push(format!("{event:?}"));
            }
        }
        while let Some(line) = script.client.get(next) {
            if line.before > fed {
                break;
            }
            if line.by_application {
                issue(conn, line.text.trim_start(), login);
                progressed = true;
            }
            next += 1;
        }
        out.extend_from_slice(&conn.take_output());
        if !progressed {
            break;
        }
    };
    // A server answers only what it was sent: the server's bytes are fed up to each command
    // the application issues, then the rest, each span split the way under test.
    let mut fed = 0;
    script.feed(feed, &mut conn, |conn, point| {
        if let Point::Fed(n) = point {
            fed = n;
        }
        step(conn, fed, &mut seen, &mut out);
    });
    conn.receive_eof();
    step(&mut conn, fed, &mut seen, &mut out);
    (out, seen)
}

/// Runs a client transcript whole, byte by byte and at 8 random splittings: the client
/// must write exactly the `C:`/`C=` lines, and every run must see the same events.
pub fn client_transcript(config: &client::Config, login: &Login, text: &str) -> ClientSeen {
    let script = parse_client_script(text);
    let want = String::from_utf8_lossy(&script.client_output()).into_owned();
    let (whole_out, whole_seen) = run_client(config, login, &script, Feed::Whole);
    assert_eq!(String::from_utf8_lossy(&whole_out), want, "whole");
    assert_eq!(whole_seen.error, None, "whole");
    let feeds = Feed::all().into_iter().filter(|f| *f != Feed::Whole);
    for feed in feeds {
        let (out, seen) = run_client(config, login, &script, feed);
        assert_eq!(String::from_utf8_lossy(&out), want, "{feed:?}");
        assert_eq!(seen, whole_seen, "{feed:?}");
    }
    whole_seen
}

pub fn plain_client() -> client::Config {
    let mut c = client::Config::default();
    c.allow_plaintext_auth = true;
    c
}

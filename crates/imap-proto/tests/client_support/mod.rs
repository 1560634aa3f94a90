//! Client transcripts for the IMAP client: `S:` lines are what the server sends, `C:` lines
//! commands the application issues (parsed, then given to the client's typed methods with
//! the script's tag), `C=` lines what the client writes by itself (SASL responses, the rest
//! of a command after `+`). The client must write exactly the `C:`/`C=` lines, whole, byte
//! by byte and at random splits, and see the same events in every run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use imap_proto::client::{Config, Connection, Event};
use imap_proto::command::{Command, CommandBody};
use imap_proto::prelude::*;
use mail_core::sasl::Nonce;
use mail_core::sasl::client::Credentials;
use mail_testkit::{ClientScript, Feed, Point};

/// What the application saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Every event but the streamed octets, as `Debug` text.
    pub(crate) events: Vec<String>,
    /// Each streamed FETCH body, joined.
    pub(crate) bodies: Vec<Vec<u8>>,
    /// `Debug` of the mailbox view at the end of the run (before `Closed` it was whatever
    /// the last command left).
    pub(crate) view: String,
}

impl Seen {
    /// Returns whether an event's text contains every one of `parts`.
    pub(crate) fn has(&self, parts: &[&str]) -> bool {
        self.events
            .iter()
            .any(|e| parts.iter().all(|p| e.contains(p)))
    }
}

/// What the application answers with: the credentials AUTHENTICATE uses.
#[derive(Debug, Clone)]
pub(crate) struct Fixture {
    pub(crate) credentials: Credentials,
    pub(crate) nonce: Nonce,
}

impl Default for Fixture {
    fn default() -> Self {
        Self {
            credentials: Credentials::password("tim", "tanstaaftanstaaf"),
            nonce: "rOprNGfwEbeRWgbNEkqO".parse().unwrap(),
        }
    }
}

/// A plaintext-allowing config (the RFC transcripts run without TLS).
pub(crate) fn plain() -> Config {
    let mut c = Config::default();
    c.allow_plaintext_auth = true;
    c
}

fn issue(conn: &mut Connection, line: &str, fixture: &Fixture) {
    if line.trim().eq_ignore_ascii_case("DONE") {
        conn.done().unwrap_or_else(|e| panic!("DONE: {e}"));
        return;
    }
    let wire = mail_testkit::unescape(line);
    let command = Command::parse_bytes(&wire.into(), 64)
        .unwrap_or_else(|e| panic!("script command {line:?}: {e}"));
    conn.set_next_tag(command.tag.clone()).unwrap();
    let result = match command.body {
        CommandBody::Login { username, password } => conn.login(
            username.to_str().unwrap(),
            password.expose().to_str().unwrap(),
        ),
        CommandBody::Authenticate {
            mechanism,
            initial_response,
        } => conn.authenticate_with(
            mechanism,
            fixture.credentials.clone(),
            &fixture.nonce,
            initial_response.is_some(),
        ),
        CommandBody::Capability => conn.capability(),
        CommandBody::Noop => conn.noop(),
        CommandBody::Logout => conn.logout(),
        CommandBody::StartTls => conn.starttls(),
        CommandBody::Idle => conn.idle(),
        CommandBody::Enable(caps) => conn.enable(caps),
        CommandBody::Select { mailbox, params } => conn.select_with(mailbox, params),
        CommandBody::Examine { mailbox, params } if params == Default::default() => {
            conn.examine(mailbox)
        }
        CommandBody::Fetch {
            uid,
            set,
            items,
            modifiers,
        } => conn.fetch_with(uid, set, items, modifiers),
        CommandBody::Store {
            uid,
            set,
            unchanged_since,
            flags,
        } => conn.store_with(uid, set, unchanged_since, flags),
        CommandBody::Search {
            uid,
            return_options: None,
            charset: None,
            criteria,
        } => {
            if uid {
                conn.uid_search(criteria)
            } else {
                conn.search(criteria)
            }
        }
        CommandBody::Expunge => conn.expunge(),
        CommandBody::UidExpunge(set) => conn.uid_expunge(set),
        CommandBody::Copy { uid, set, mailbox } => {
            if uid {
                conn.uid_copy(set, mailbox)
            } else {
                conn.copy(set, mailbox)
            }
        }
        CommandBody::Move { uid, set, mailbox } => {
            if uid {
                conn.uid_move(set, mailbox)
            } else {
                conn.move_(set, mailbox)
            }
        }
        CommandBody::Close => conn.close(),
        CommandBody::Unselect => conn.unselect(),
        CommandBody::Create {
            mailbox,
            special_use: None,
        } => conn.create(mailbox),
        CommandBody::Delete(mailbox) => conn.delete(mailbox),
        CommandBody::Status { mailbox, items } => conn.status(mailbox, items),
        other => conn.send(other),
    };
    let tag = result.unwrap_or_else(|e| panic!("issuing {line:?}: {e}"));
    assert_eq!(tag, command.tag);
}

/// Runs the script once with `feed`; returns what the client wrote and what it saw.
pub(crate) fn run(
    config: &Config,
    fixture: &Fixture,
    script: &ClientScript,
    feed: Feed,
) -> (Vec<u8>, Seen) {
    let mut conn = Connection::new(config.clone());
    let mut seen = Seen::default();
    let mut out = Vec::new();
    let mut next = 0;
    let mut body: Option<Vec<u8>> = None;
    let mut step = |conn: &mut Connection, fed: usize, seen: &mut Seen, out: &mut Vec<u8>| loop {
        let mut progressed = false;
        while let Some(event) = conn.next_event() {
            progressed = true;
            match &event {
                Event::FetchBodyStart { .. } => body = Some(Vec::new()),
                Event::FetchBodyData(d) => body.as_mut().unwrap().extend_from_slice(d),
                Event::FetchBodyEnd { .. } => seen.bodies.push(body.take().unwrap()),
                _ => {}
            }
            if !matches!(event, Event::FetchBodyData(_)) {
                seen.events.push(format!("{event:?}"));
            }
        }
        while let Some(line) = script.client.get(next) {
            // Commands after STARTTLS wait for the handshake.
            if line.before > fed || conn.wants_tls_handshake() {
                break;
            }
            if line.by_application {
                issue(conn, line.text.trim_start(), fixture);
                progressed = true;
            }
            next += 1;
        }
        out.extend_from_slice(&conn.take_output());
        if !progressed {
            break;
        }
    };
    let mut fed = 0;
    script.feed(feed, &mut conn, |conn, point| match point {
        Point::Fed(n) => {
            fed = n;
            step(conn, fed, &mut seen, &mut out);
        }
        Point::Handshake => conn.tls_established().unwrap(),
    });
    seen.view = format!("{:?}", conn.mailbox());
    conn.receive_eof();
    step(&mut conn, fed, &mut seen, &mut out);
    (out, seen)
}

/// Runs a client transcript whole, byte by byte and at 8 random splittings.
pub(crate) fn transcript_with(config: &Config, fixture: &Fixture, text: &str) -> Seen {
    let script = ClientScript::parse(text);
    let want = String::from_utf8_lossy(&script.client_output()).into_owned();
    let (whole_out, whole_seen) = run(config, fixture, &script, Feed::Whole);
    assert_eq!(String::from_utf8_lossy(&whole_out), want, "whole");
    for feed in Feed::all().into_iter().filter(|f| *f != Feed::Whole) {
        let (out, seen) = run(config, fixture, &script, feed);
        assert_eq!(String::from_utf8_lossy(&out), want, "{feed:?}");
        assert_eq!(seen, whole_seen, "{feed:?}");
    }
    whole_seen
}

/// [`transcript_with`] with [`plain`] and the default fixture.
pub(crate) fn transcript(text: &str) -> Seen {
    transcript_with(&plain(), &Fixture::default(), text)
}

//! The client's API: greetings, pipelining and attribution, literals (refused, LITERAL+),
//! STARTTLS injection, the mailbox view, streamed FETCH bodies and APPEND.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::NonZeroU32;

use imap_proto::client::{Config, Connection, Event, State};
use imap_proto::command::{FetchAttribute, FetchItems};
use imap_proto::error::{ClientError, SendError};
use imap_proto::prelude::*;
use imap_proto::response::{Data, StatusKind};
use imap_proto::types::{Mailbox, SequenceSet, Tag};

fn plain() -> Config {
    let mut c = Config::default();
    c.allow_plaintext_auth = true;
    c
}

fn events(conn: &mut Connection) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = conn.next_event() {
        out.push(e);
    }
    out
}

fn connected(config: Config, greeting: &[u8]) -> (Connection, Vec<Event>) {
    let mut conn = Connection::new(config);
    conn.receive(greeting);
    let seen = events(&mut conn);
    (conn, seen)
}

fn out(conn: &mut Connection) -> String {
    String::from_utf8(conn.take_output().to_vec()).unwrap()
}

fn inbox() -> Mailbox {
    Mailbox::from_utf8("INBOX").unwrap()
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::parse(s.as_bytes()).unwrap()
}

fn completed(events: &[Event]) -> Vec<(String, StatusKind)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Completed(c) => Some((c.tag.as_str().to_owned(), c.status)),
            _ => None,
        })
        .collect()
}

#[test]
fn preauth_greeting_is_authenticated() {
    let (mut conn, seen) = connected(plain(), b"* PREAUTH [CAPABILITY IMAP4rev2] welcome\r\n");
    assert!(matches!(&seen[0], Event::Greeting(s) if s.kind() == StatusKind::PreAuth));
    assert!(matches!(&seen[1], Event::Capabilities(_)));
    assert_eq!(conn.state(), State::Authenticated);
    assert_eq!(conn.login("a", "b"), Err(SendError::NotAllowed));
    assert_eq!(conn.select(inbox()).unwrap().as_str(), "A001");
    assert_eq!(out(&mut conn), "A001 SELECT INBOX\r\n");
}

#[test]
fn bye_greeting_closes() {
    let (conn, seen) = connected(plain(), b"* BYE go away\r\n");
    assert!(matches!(
        &seen[..],
        [Event::Closed {
            reason: CloseReason::ServerClosed,
            bye: Some(_),
            ..
        }]
    ));
    assert!(conn.is_closed());
}

#[test]
fn commands_before_the_greeting_wait_for_it() {
    let mut conn = Connection::new(plain());
    assert_eq!(conn.capability(), Err(SendError::NotAllowed));
    assert_eq!(out(&mut conn), "");
}

#[test]
fn pipelined_commands_get_their_untagged_data() {
    let (mut conn, _) = connected(plain(), b"* OK ready\r\n");
    let login = conn.login("fred", "secret word").unwrap();
    let select = conn.select(inbox()).unwrap();
    let fetch = conn
        .fetch(
            set("1:2"),
            FetchItems::Attributes(vec![FetchAttribute::Uid]),
        )
        .unwrap();
    assert_eq!(
        out(&mut conn),
        "A001 LOGIN fred \"secret word\"\r\nA002 SELECT INBOX\r\nA003 FETCH 1:2 UID\r\n"
    );
    conn.receive(
        b"A001 OK [CAPABILITY IMAP4rev2 LITERAL+] in\r\n* 2 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n\
          A002 OK [READ-WRITE] sel\r\n* 1 FETCH (UID 10)\r\n* 2 FETCH (UID 11)\r\nA003 OK done\r\n",
    );
    let seen = events(&mut conn);
    let exists_tag = seen.iter().find_map(|e| match e {
        Event::Untagged {
            tag,
            data: Data::Exists(2),
        } => Some(tag.clone()),
        _ => None,
    });
    assert_eq!(exists_tag, Some(Some(select.clone())));
    let fetch_tags: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Fetch { tag, .. } => Some(tag.clone().unwrap()),
            _ => None,
        })
        .collect();
    assert_eq!(fetch_tags, vec![fetch.clone(), fetch.clone()]);
    assert_eq!(
        completed(&seen),
        vec![
            (login.as_str().to_owned(), StatusKind::Ok),
            (select.as_str().to_owned(), StatusKind::Ok),
            (fetch.as_str().to_owned(), StatusKind::Ok)
        ]
    );
    // Capabilities volunteered with the login's OK are kept.
    assert!(!conn.needs_capabilities());
    let view = conn.mailbox().unwrap();
    assert_eq!(
        view.seq_of(NonZeroU32::new(11).unwrap()),
        NonZeroU32::new(2)
    );
    assert_eq!(conn.state(), State::Selected { read_only: false });
}

#[test]
fn capabilities_are_forgotten_after_login_unless_volunteered() {
    let (mut conn, _) = connected(plain(), b"* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
    assert!(!conn.needs_capabilities());
    conn.login("u", "p").unwrap();
    conn.receive(b"A001 OK logged in\r\n");
    events(&mut conn);
    assert!(conn.needs_capabilities());
    conn.capability().unwrap();
    conn.receive(b"* CAPABILITY IMAP4rev1 MOVE\r\nA002 OK\r\n");
    events(&mut conn);
    assert!(!conn.needs_capabilities());
}

#[test]
fn literal_waits_for_plus_and_a_refusal_completes_the_command() {
    let (mut conn, _) = connected(plain(), b"* OK ready\r\n");
    conn.login("fred", "pass\u{e9}word").unwrap();
    conn.noop().unwrap();
    // The password needs a literal: the line up to it, then nothing until `+`; NOOP waits.
    assert_eq!(out(&mut conn), "A001 LOGIN fred {10}\r\n");
    conn.receive(b"A001 NO [AUTHENTICATIONFAILED] no literals today\r\n");
    let seen = events(&mut conn);
    assert_eq!(completed(&seen), vec![("A001".to_owned(), StatusKind::No)]);
    // The refused literal is not sent; the queued NOOP goes.
    assert_eq!(out(&mut conn), "A002 NOOP\r\n");
    assert_eq!(conn.state(), State::NotAuthenticated);

    // Accepted: the octets follow the `+`.
    conn.receive(b"A002 OK\r\n");
    events(&mut conn);
    conn.login("fred", "pass\u{e9}word").unwrap();
    assert_eq!(out(&mut conn), "A003 LOGIN fred {10}\r\n");
    conn.receive(b"+ go ahead\r\n");
    events(&mut conn);
    assert_eq!(out(&mut conn), "pass\u{e9}word\r\n");
}

#[test]
fn literal_plus_is_used_when_offered() {
    let (mut conn, _) = connected(plain(), b"* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
    conn.login("fred", "pass\u{e9}word").unwrap();
    conn.noop().unwrap();
    assert_eq!(
        out(&mut conn),
        "A001 LOGIN fred {10+}\r\npass\u{e9}word\r\nA002 NOOP\r\n"
    );
    let (mut conn, _) = connected(plain(), b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL-] hi\r\n");
    conn.append_start(inbox(), None, None, 5000).unwrap();
    // LITERAL- allows `{n+}` only up to 4096 octets.
    assert_eq!(out(&mut conn), "A001 APPEND INBOX {5000}\r\n");
}

#[test]
fn starttls_injection_is_refused() {
    let (mut conn, _) = connected(
        Config::default(),
        b"* OK [CAPABILITY IMAP4rev2 STARTTLS] hi\r\n",
    );
    // No credentials in plaintext.
    assert_eq!(conn.login("u", "p"), Err(SendError::NotAllowed));
    conn.starttls().unwrap();
    assert_eq!(conn.noop(), Err(SendError::NotAllowed));
    assert_eq!(out(&mut conn), "A001 STARTTLS\r\n");
    conn.receive(b"A001 OK begin TLS\r\n* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] injected\r\n");
    let seen = events(&mut conn);
    let last = seen.last().unwrap();
    assert!(
        matches!(
            last,
            Event::Closed {
                reason: CloseReason::ProtocolViolation,
                error: Some(ClientError::DataAfterStartTls),
                ..
            }
        ),
        "{seen:?}"
    );
    assert!(!seen.iter().any(|e| matches!(e, Event::StartTls)));

    // Split: the injected bytes come after the OK was read; still refused.
    let (mut conn, _) = connected(Config::default(), b"* OK hi\r\n");
    conn.starttls().unwrap();
    conn.receive(b"A001 OK begin TLS\r\n");
    let seen = events(&mut conn);
    assert!(matches!(seen.last(), Some(Event::StartTls)));
    conn.receive(b"* OK injected\r\n");
    let seen = events(&mut conn);
    assert!(matches!(
        seen.last(),
        Some(Event::Closed {
            error: Some(ClientError::DataAfterStartTls),
            ..
        })
    ));

    // Clean: after the handshake the capabilities are unknown.
    let (mut conn, _) = connected(
        Config::default(),
        b"* OK [CAPABILITY IMAP4rev2 STARTTLS] hi\r\n",
    );
    conn.starttls().unwrap();
    conn.receive(b"A001 OK begin TLS\r\n");
    events(&mut conn);
    assert!(conn.wants_tls_handshake());
    conn.tls_established().unwrap();
    assert!(conn.needs_capabilities());
    conn.login("u", "p").unwrap();
    assert_eq!(out(&mut conn), "A001 STARTTLS\r\nA002 LOGIN u p\r\n");
}

#[test]
fn expunge_shifts_the_view_and_reports_the_uid() {
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    conn.select(inbox()).unwrap();
    conn.receive(
        b"* 4 EXISTS\r\nA001 OK [READ-WRITE] ok\r\n* 1 FETCH (UID 5 FLAGS (\\Seen))\r\n\
          * 2 FETCH (UID 6 FLAGS ())\r\n* 3 FETCH (UID 8 FLAGS ())\r\n* 4 FETCH (UID 9 FLAGS ())\r\n\
          * 2 EXPUNGE\r\n* 2 EXPUNGE\r\n",
    );
    let seen = events(&mut conn);
    let expunged: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Expunged {
                tag: None,
                seq,
                uid,
            } => Some((seq.get(), uid.map(NonZeroU32::get))),
            _ => None,
        })
        .collect();
    assert_eq!(expunged, vec![(2, Some(6)), (2, Some(8))]);
    let view = conn.mailbox().unwrap();
    assert_eq!(view.exists(), 2);
    let uids: Vec<_> = view
        .messages()
        .iter()
        .map(|m| m.uid.unwrap().get())
        .collect();
    assert_eq!(uids, vec![5, 9]);
    // An EXPUNGE beyond the mailbox is a violation.
    conn.receive(b"* 3 EXPUNGE\r\n");
    let seen = events(&mut conn);
    assert!(matches!(
        seen.last(),
        Some(Event::Closed {
            error: Some(ClientError::NoSuchMessage(3)),
            ..
        })
    ));
}

#[test]
fn vanished_earlier_and_uidvalidity_change() {
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    conn.select(inbox()).unwrap();
    conn.receive(
        b"* 3 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\nA001 OK ok\r\n* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n\
          * 3 FETCH (UID 3)\r\n",
    );
    events(&mut conn);
    conn.uid_fetch(
        set("1:*"),
        FetchItems::Attributes(vec![FetchAttribute::Flags]),
    )
    .unwrap();
    conn.receive(b"* VANISHED (EARLIER) 2\r\nA002 OK\r\n");
    let seen = events(&mut conn);
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Vanished { earlier: true, .. }))
    );
    assert_eq!(conn.mailbox().unwrap().exists(), 2);
    conn.receive(b"* OK [UIDVALIDITY 2] changed\r\n");
    let seen = events(&mut conn);
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::MailboxReset { uid_validity } if uid_validity.get() == 2))
    );
    assert!(
        conn.mailbox()
            .unwrap()
            .messages()
            .iter()
            .all(|m| m.uid.is_none())
    );
}

#[test]
fn ten_mib_fetch_body_is_streamed_with_bounded_buffering() {
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    conn.select(inbox()).unwrap();
    conn.receive(b"* 1 EXISTS\r\nA001 OK ok\r\n");
    events(&mut conn);
    let tag = conn
        .fetch(set("1"), FetchItems::Attributes(vec![FetchAttribute::Uid]))
        .unwrap();
    let size = 10 * 1024 * 1024;
    let mut stream = format!("* 1 FETCH (UID 7 BODY[] {{{size}}}\r\n").into_bytes();
    stream.extend((0..size).map(|i| b"abcdefghijklmnopqrstuvwxyz\r\n"[i % 28]));
    stream.extend_from_slice(b" FLAGS (\\Seen))\r\n");
    stream.extend_from_slice(format!("{tag} OK done\r\n").as_bytes());
    let mut body = Vec::with_capacity(size);
    let mut most = 0;
    let mut chunks = 0;
    let mut order = Vec::new();
    for piece in stream.chunks(64 * 1024) {
        conn.receive(piece);
        most = most.max(conn.buffered());
        while let Some(e) = conn.next_event() {
            match e {
                Event::FetchBodyStart { size: s, seq, .. } => {
                    assert_eq!((s, seq.get()), (size as u64, 1));
                    order.push("start");
                }
                Event::FetchBodyData(d) => {
                    chunks += 1;
                    body.extend_from_slice(&d);
                }
                Event::FetchBodyEnd { .. } => order.push("end"),
                Event::Fetch { items, .. } => {
                    order.push("fetch");
                    assert!(format!("{items:?}").contains("Uid(7)"));
                }
                Event::Completed(_) => order.push("completed"),
                other => panic!("unexpected {other:?}"),
            }
        }
        most = most.max(conn.buffered());
    }
    assert_eq!(order, ["start", "end", "fetch", "completed"]);
    assert_eq!(body.len(), size);
    assert!(body.starts_with(b"abcdefghijklmnopqrstuvwxyz\r\nabc"));
    assert!(chunks >= 160, "{chunks} chunks");
    // Never more than one read (64 KiB) plus the response's head.
    assert!(most <= 64 * 1024 + 64, "{most} octets buffered");
    assert_eq!(
        conn.mailbox()
            .unwrap()
            .message(NonZeroU32::new(1).unwrap())
            .unwrap()
            .uid,
        NonZeroU32::new(7)
    );
}

#[test]
fn append_is_streamed_after_the_continuation() {
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    let message = b"Subject: hi\r\n\r\nhello\r\n";
    let tag = conn
        .append_start(
            inbox(),
            Some(vec![imap_proto::types::Flag::Seen]),
            None,
            message.len() as u64,
        )
        .unwrap();
    conn.noop().unwrap();
    assert_eq!(out(&mut conn), "A001 APPEND INBOX (\\Seen) {22}\r\n");
    // Not ready yet.
    assert_eq!(conn.append_data(b"x"), Err(SendError::NotAllowed));
    conn.receive(b"+ Ready\r\n");
    let seen = events(&mut conn);
    assert!(matches!(&seen[..], [Event::AppendReady { tag: t }] if *t == tag));
    for chunk in message.chunks(5) {
        conn.append_data(chunk).unwrap();
    }
    assert_eq!(conn.append_data(b"!"), Err(SendError::NotAllowed));
    conn.append_end().unwrap();
    assert_eq!(
        out(&mut conn),
        "Subject: hi\r\n\r\nhello\r\n\r\nA002 NOOP\r\n"
    );
    conn.receive(b"A001 OK [APPENDUID 9 12] done\r\nA002 OK\r\n");
    let seen = events(&mut conn);
    assert_eq!(
        completed(&seen),
        vec![
            ("A001".to_owned(), StatusKind::Ok),
            ("A002".to_owned(), StatusKind::Ok)
        ]
    );

    // Refused before `+`: nothing more is sent.
    conn.append_start(inbox(), None, None, 10).unwrap();
    assert_eq!(out(&mut conn), "A003 APPEND INBOX {10}\r\n");
    conn.receive(b"A003 NO [TRYCREATE] no such mailbox\r\n");
    let seen = events(&mut conn);
    assert_eq!(completed(&seen), vec![("A003".to_owned(), StatusKind::No)]);
    assert_eq!(conn.append_data(b"0123456789"), Err(SendError::NotAllowed));
    assert!(conn.is_idle());
}

#[test]
fn unknown_tag_and_unexpected_continuation_are_violations() {
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    conn.receive(b"+ what\r\n");
    let seen = events(&mut conn);
    assert!(matches!(
        seen.last(),
        Some(Event::Closed {
            error: Some(ClientError::UnexpectedContinuation),
            ..
        })
    ));
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    conn.receive(b"Z9 OK who\r\n");
    let seen = events(&mut conn);
    assert!(matches!(
        seen.last(),
        Some(Event::Closed { error: Some(ClientError::UnknownTag(t)), .. }) if *t == Tag::try_from("Z9").unwrap()
    ));
}

#[test]
fn idle_blocks_other_commands_until_done() {
    let (mut conn, _) = connected(plain(), b"* PREAUTH hi\r\n");
    conn.select(inbox()).unwrap();
    conn.receive(b"* 0 EXISTS\r\nA001 OK ok\r\n");
    events(&mut conn);
    conn.idle().unwrap();
    assert_eq!(conn.noop(), Err(SendError::NotAllowed));
    // DONE before `+` waits for it.
    conn.done().unwrap();
    assert_eq!(out(&mut conn), "A001 SELECT INBOX\r\nA002 IDLE\r\n");
    conn.receive(b"+ idling\r\n* 1 EXISTS\r\nA002 OK done\r\n");
    let seen = events(&mut conn);
    assert!(matches!(&seen[0], Event::Idling { .. }));
    assert_eq!(out(&mut conn), "DONE\r\n");
    assert_eq!(conn.mailbox().unwrap().exists(), 1);
    conn.noop().unwrap();
}

#[test]
fn debug_never_shows_the_password() {
    let (mut conn, _) = connected(plain(), b"* OK hi\r\n");
    conn.login("fred", "hunter2").unwrap();
    assert!(!format!("{conn:?}").contains("hunter2"));
}

#[test]
fn an_exists_over_the_limit_ends_the_session_without_sizing_the_view() {
    let mut config = plain();
    config.max_messages = 1000;
    let (mut conn, _) = connected(config, b"* PREAUTH hi\r\n");
    conn.select(inbox()).unwrap();
    out(&mut conn);
    // At the limit: the view holds every message.
    conn.receive(b"* 1000 EXISTS\r\nA001 OK [READ-WRITE] done\r\n");
    events(&mut conn);
    assert_eq!(conn.mailbox().unwrap().messages().len(), 1000);
    // Over it (a hostile server's `* 4294967295 EXISTS` would ask for about 200 GB).
    conn.receive(b"* 4294967295 EXISTS\r\n");
    let seen = events(&mut conn);
    assert!(
        matches!(
            seen.last(),
            Some(Event::Closed {
                reason: CloseReason::ProtocolViolation,
                error: Some(ClientError::TooManyMessages(4_294_967_295)),
                ..
            })
        ),
        "{seen:?}"
    );
    assert!(conn.is_closed());
}

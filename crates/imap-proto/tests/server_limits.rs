//! Security rules and limits of the IMAP server: STARTTLS injection, literals refused before
//! `+`, input pipelined after IDLE's DONE, a 100 MiB APPEND streamed through a bounded
//! buffer, the line limit, the BAD and failed-login limits, and commands in the wrong state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use bytes::BytesMut;
use imap_proto::prelude::*;
use imap_proto::response::StatusKind;
use imap_proto::server::{Config, Connection, Event};
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Answer;
use support::{App, Fixture, plain_config, server_transcript};

fn out(c: &mut Connection) -> String {
    String::from_utf8(c.take_output().to_vec()).unwrap()
}

/// A connection past LOGIN, its output taken.
fn logged_in(config: Config) -> Connection {
    let mut c = Connection::new(config);
    c.receive(b"a0 LOGIN mrc secret\r\n");
    assert!(matches!(c.next_event(), Some(Event::AuthVerify(_))));
    c.auth_answer(Answer::Accept).unwrap();
    assert!(matches!(c.next_event(), Some(Event::Authenticated { .. })));
    assert_eq!(c.next_event(), None);
    out(&mut c);
    c
}

#[test]
fn commands_pipelined_behind_starttls_are_discarded_not_run_under_tls() {
    let mut config = Config::default();
    config.starttls = true;
    config.sasl_mechanisms = vec![Mechanism::Plain];
    let app = server_transcript(
        &config,
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 NO [PRIVACYREQUIRED] LOGIN disabled without TLS
        C: a1 STARTTLS
        C: a2 LOGIN mrc secret
        C: a3 SELECT INBOX
        S: a1 OK Begin TLS negotiation now
        C: <TLS>
        C: a4 CAPABILITY
        S: * CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT
        S: a4 OK CAPABILITY completed
        C: a5 STARTTLS
        S: a5 BAD STARTTLS not available
        "#,
    );
    assert!(
        app.seen.authenticated.is_empty(),
        "the injected LOGIN never ran"
    );
    assert_eq!(
        app.seen.discarded,
        "a2 LOGIN mrc secret\r\na3 SELECT INBOX\r\n".len()
    );
}

#[test]
fn a_synchronising_literal_is_refused_before_plus() {
    let mut c = logged_in(plain_config());
    c.receive(b"a1 LOGIN {5}\r\n");
    let Some(Event::LiteralAnnounced { tag, size }) = c.next_event() else {
        panic!("no LiteralAnnounced")
    };
    assert_eq!((tag.unwrap().as_str(), size), ("a1", 5));
    assert_eq!(c.next_event(), None, "the application owes an answer");
    assert_eq!(out(&mut c), "", "no + before the application decides");
    c.refuse(StatusKind::No, None, "Literal refused").unwrap();
    // The client never sends the literal: the next command is read as one.
    c.receive(b"a2 NOOP\r\n");
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "a1 NO Literal refused\r\na2 OK NOOP completed\r\n"
    );
}

#[test]
fn a_literal_over_the_limit_is_refused_without_asking() {
    let mut config = plain_config();
    config.max_literal = 100;
    let mut c = logged_in(config);
    // One under the limit: the application is asked.
    c.receive(b"a1 STATUS {100}\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::LiteralAnnounced { size: 100, .. })
    ));
    c.refuse(StatusKind::No, None, "no").unwrap();
    out(&mut c);
    // One over: refused by the library, before `+`.
    c.receive(b"a2 STATUS {101}\r\na3 NOOP\r\n");
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(!text.contains('+'), "{text}");
    assert!(
        text.starts_with("a2 BAD") || text.starts_with("a2 NO"),
        "{text}"
    );
    assert!(text.ends_with("a3 OK NOOP completed\r\n"), "{text}");
    // A non-synchronising one over the limit comes anyway: it is read past, then refused.
    let mut line = b"a4 STATUS {101+}\r\n".to_vec();
    line.extend_from_slice(&[b'x'; 101]);
    line.extend_from_slice(b" (MESSAGES)\r\na5 NOOP\r\n");
    c.receive(&line);
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(
        text.starts_with("a4 BAD") || text.starts_with("a4 NO"),
        "{text}"
    );
    assert!(text.ends_with("a5 OK NOOP completed\r\n"), "{text}");
}

#[test]
fn before_login_only_small_literals_are_announced() {
    let mut config = plain_config();
    config.max_literal_unauthenticated = 64;
    config.max_literal = 1 << 20;
    let mut c = Connection::new(config);
    out(&mut c);
    // Over the pre-login limit: refused by the library, the application never asked.
    c.receive(b"a1 LOGIN {65}\r\na2 NOOP\r\n");
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(!text.contains('+'), "{text}");
    assert!(text.starts_with("a1 BAD"), "{text}");
    assert!(text.ends_with("a2 OK NOOP completed\r\n"), "{text}");
    // A non-synchronising one is read past and refused too.
    let mut line = b"a3 LOGIN {65+}\r\n".to_vec();
    line.extend_from_slice(&[b'x'; 65]);
    line.extend_from_slice(b" secret\r\na4 NOOP\r\n");
    c.receive(&line);
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(text.starts_with("a3 BAD"), "{text}");
    assert!(text.ends_with("a4 OK NOOP completed\r\n"), "{text}");
    // At the limit: the application decides, and LOGIN with literals works.
    c.receive(b"a5 LOGIN {3}\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::LiteralAnnounced { size: 3, .. })
    ));
    c.accept_literal().unwrap();
    assert_eq!(out(&mut c), "+ Ready for literal data\r\n");
    c.receive(b"mrc {6}\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::LiteralAnnounced { size: 6, .. })
    ));
    c.accept_literal().unwrap();
    out(&mut c);
    c.receive(b"secret\r\n");
    assert!(matches!(c.next_event(), Some(Event::AuthVerify(_))));
    c.auth_answer(Answer::Accept).unwrap();
    assert!(matches!(c.next_event(), Some(Event::Authenticated { .. })));
    assert_eq!(c.next_event(), None);
    out(&mut c);
    // Authenticated: the full limit applies.
    c.receive(b"a6 STATUS {100000}\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::LiteralAnnounced { size: 100_000, .. })
    ));
}

#[test]
fn commands_pipelined_after_idle_done_are_run() {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: a3 IDLE
        S= + idling
        X: nothing
        C: DONE
        C: a4 NOOP
        C: a5 IDLE
        C: done
        S: a3 OK IDLE terminated
        S: a4 OK NOOP completed
        S= + idling
        S: a5 OK IDLE terminated
        C: a6 IDLE
        S= + idling
        X: nothing
        C: a7 NOOP
        S: a6 BAD Expected DONE
        C: a8 NOOP
        S: a8 OK NOOP completed
        "#,
    );
}

#[test]
fn a_100_mib_append_streams_through_less_than_1_mib_of_buffer() {
    const SIZE: usize = 100 * 1024 * 1024;
    const PIECE: usize = 64 * 1024;
    let mut config = plain_config();
    config.max_append = 2 * SIZE as u64;
    let mut c = logged_in(config);
    c.receive(format!("a1 APPEND INBOX {{{SIZE}}}\r\n").as_bytes());
    assert!(matches!(
        c.next_event(),
        Some(Event::AppendStart { size, .. }) if size == SIZE as u64
    ));
    c.accept_append().unwrap();
    assert_eq!(out(&mut c), "+ Ready for literal data\r\n");
    let piece = vec![b'x'; PIECE];
    let mut reader = BytesMut::new();
    let (mut sent, mut received, mut peak, mut ended) = (0usize, 0usize, 0usize, false);
    let mut i = 0;
    while sent < SIZE + 2 {
        let n = PIECE.min(SIZE + 2 - sent);
        let mut bytes = piece[..n].to_vec();
        if sent + n > SIZE {
            // The command's CRLF after the literal.
            let at = SIZE.saturating_sub(sent);
            bytes[at..].copy_from_slice(&b"\r\n"[..n - at]);
        }
        // Both input paths: copied in, and the reader buffer taken over.
        if i % 2 == 0 {
            c.receive(&bytes);
        } else {
            reader.extend_from_slice(&bytes);
            c.receive_buf(&mut reader);
        }
        i += 1;
        sent += n;
        peak = peak.max(c.core().input_len());
        while let Some(event) = c.next_event() {
            match event {
                Event::AppendData(d) => received += d.len(),
                Event::AppendEnd => ended = true,
                Event::AppendDone => c.append_done(None).unwrap(),
                other => panic!("unexpected {other:?}"),
            }
        }
        peak = peak.max(c.core().input_len());
    }
    assert!(ended);
    assert_eq!(received, SIZE);
    assert!(peak < 1024 * 1024, "peak buffered input {peak}");
    assert_eq!(out(&mut c), "a1 OK APPEND completed\r\n");
}

#[test]
fn the_line_limit_one_under_and_one_over() {
    let mut config = plain_config();
    config.max_line = 100;
    let mut c = logged_in(config);
    let line = |n: usize, tag: &str| {
        let head = format!("{tag} STATUS ");
        let tail = " (MESSAGES)\r\n";
        let name = "x".repeat(n - head.len() - tail.len());
        format!("{head}{name}{tail}")
    };
    let under = line(100, "a1");
    assert_eq!(under.len(), 100);
    c.receive(under.as_bytes());
    assert!(matches!(c.next_event(), Some(Event::Command(_))));
    c.complete(StatusKind::No, None, "No such mailbox").unwrap();
    assert_eq!(out(&mut c), "a1 NO No such mailbox\r\n");
    let over = line(101, "a2");
    c.receive(over.as_bytes());
    c.receive(b"a3 NOOP\r\n");
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(text.contains(" BAD "), "{text}");
    assert!(text.ends_with("a3 OK NOOP completed\r\n"), "{text}");
}

#[test]
fn too_many_bad_commands_end_the_session() {
    let mut config = plain_config();
    config.max_bad_commands = 3;
    // One under: a good command in between resets the count.
    let mut app = App::new(Fixture::default());
    let mut c = Connection::new(config.clone());
    let mut output = Vec::new();
    c.receive(b"x1 FOO\r\nx2 BAR\r\nx3 NOOP\r\nx4 FOO\r\nx5 BAR\r\n");
    app.drive(&mut c, &mut output);
    assert!(!c.is_closed());
    // Over: three in a row.
    c.receive(b"x6 BAZ\r\n");
    app.drive(&mut c, &mut output);
    let text = String::from_utf8(output).unwrap();
    assert_eq!(text.matches(" BAD ").count(), 5, "{text}");
    assert!(
        text.ends_with("x6 BAD Authenticate first\r\n* BYE Too many invalid commands\r\n"),
        "{text}"
    );
    assert_eq!(app.seen.closed, Some(CloseReason::TooManyErrors));
    assert!(c.is_closed());
}

#[test]
fn too_many_failed_logins_end_the_session() {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a1 LOGIN mrc wrong
        S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
        C: a2 AUTHENTICATE PLAIN AG1yYwB3cm9uZw==
        S: a2 NO [AUTHENTICATIONFAILED] Authentication failed
        C: a3 NOOP
        S: a3 OK NOOP completed
        C: a4 LOGIN mrc wrong
        S: a4 NO [AUTHENTICATIONFAILED] Authentication failed
        S: * BYE Too many authentication failures
        C: a5 LOGIN mrc secret
        "#,
    );
    // One under: two failures, then the right password.
    let app = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a1 LOGIN mrc wrong
        S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
        C: a2 LOGIN mrc wrong
        S: a2 NO [AUTHENTICATIONFAILED] Authentication failed
        C: a3 LOGIN mrc secret
        S: a3 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        "#,
    );
    assert_eq!(app.seen.authenticated, ["mrc"]);
    assert_eq!(app.seen.closed, Some(CloseReason::PeerClosed));
}

#[test]
fn commands_in_the_wrong_state_get_bad_or_no() {
    let mut config = plain_config();
    config.capabilities = vec![imap_proto::types::Capability::Move];
    server_transcript(
        &config,
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT MOVE] ready
        C: a1 SELECT INBOX
        S: a1 BAD Authenticate first
        C: a2 FETCH 1 FLAGS
        S: a2 BAD Authenticate first
        C: a3 ENABLE IMAP4rev2
        S: a3 BAD Authenticate first
        C: a4 LIST "" *
        S: a4 BAD Authenticate first
        C: a5 IDLE
        S: a5 BAD Authenticate first
        C: a6 STARTTLS
        S: a6 BAD STARTTLS not available
        C: a7 LOGIN mrc secret
        S: a7 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT MOVE] done
        C: b1 LOGIN mrc secret
        S: b1 BAD Already authenticated
        C: b2 AUTHENTICATE PLAIN AG1yYwBzZWNyZXQ=
        S: b2 BAD Already authenticated
        C: b3 STARTTLS
        S: b3 BAD STARTTLS not available
        C: b4 FETCH 1 FLAGS
        S: b4 BAD No mailbox selected
        C: b5 EXPUNGE
        S: b5 BAD No mailbox selected
        C: b6 CLOSE
        S: b6 BAD No mailbox selected
        C: b7 UID FETCH 1 FLAGS
        S: b7 BAD No mailbox selected
        C: c0 EXAMINE INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: c0 OK [READ-ONLY] EXAMINE completed
        C: c1 STORE 1 +FLAGS (\Seen)
        S: c1 NO [READ-ONLY] Mailbox is read-only
        C: c2 EXPUNGE
        S: c2 NO [READ-ONLY] Mailbox is read-only
        C: c3 MOVE 1 INBOX
        S: c3 NO [READ-ONLY] Mailbox is read-only
        C: c4 UID EXPUNGE 1
        S: c4 NO [READ-ONLY] Mailbox is read-only
        C: c5 ENABLE IMAP4rev2
        S: c5 BAD ENABLE before SELECT
        C: c6 COPY 1 INBOX
        S: c6 OK [COPYUID 3857529045 1 4] COPY completed
        "#,
    );
}

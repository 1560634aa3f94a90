//! Hostile and broken client input against the server: each vector of ARCHITECTURE.md and of the
//! smtp-proto issue is a test, run whole, byte by byte and at random splits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use mail_core::line::BareNewline;
use mail_core::sasl::Mechanism;
use smtp_proto::prelude::*;
use smtp_proto::server::{AbortReason, Config, Connection, Event, State};
use support::{Fixture, server_transcript};

/// Returns whether a `MAIL` event named `who` (a smuggled command that ran).
fn ran_mail_from(seen: &support::Seen, who: &str) -> bool {
    seen.events
        .iter()
        .any(|e| e.starts_with("Mail {") && e.contains(who))
}

fn config() -> Config {
    let mut c = Config::default();
    c.hostname = "mx.example".into();
    c
}

/// mx.example takes mail from a@client.example for b@mx.example, nothing else.
fn fixture() -> Fixture {
    Fixture::new()
        .sender("<a@client.example>")
        .mailboxes(&["<b@mx.example>"])
}

const START: &str = r"
    S: 220 mx.example ESMTP
    C: EHLO client.example
    S: 250 mx.example
    C: MAIL FROM:<a@client.example>
    S: 250 OK
    C: RCPT TO:<b@mx.example>
    S: 250 OK
    C: DATA
    S: 354 go ahead
";

/// The end-of-data smuggling vectors (ARCHITECTURE.md, security rules): none of them may end the message.
const VECTORS: [&str; 11] = [
    r"\n.\n",
    r"\n.\r\n",
    r"\r\n.\n",
    r"\r.\r",
    r"\r.\r\n",
    r"\n.\r",
    r"\r.\n",
    r"\r\n.\r\r\n",
    r"\r\r\n.\r\r\n",
    r"\r\n\0.\r\n",
    r"\r\n.\0\r\n",
];

#[test]
fn no_smuggling_vector_ends_the_data_under_reject() {
    for vector in VECTORS {
        // The NUL vectors hold no bare CR or LF: the data is valid and is accepted whole.
        let has_bare_newline = !vector.contains(r"\0");
        let verdict = if has_bare_newline {
            "S= 550 5.5.2 Bare CR or LF in message data"
        } else {
            "S: 250 OK"
        };
        let script = format!(
            "{START}
            C: body{vector}MAIL FROM:<evil@x.example>\\r\\nRCPT TO:<victim@mx.example>\\r\\nDATA\\r\\nsmuggled\\r\\n.\\r\\n\\
            {verdict}
            C: QUIT
            S= 221 2.0.0 mx.example Bye
            "
        );
        let seen = server_transcript(&config(), &fixture(), CloseReason::Quit, &script);
        assert!(!ran_mail_from(&seen, "evil"), "{vector}: smuggled MAIL ran");
        if has_bare_newline {
            assert!(
                seen.messages.is_empty(),
                "{vector}: a message was delivered"
            );
            assert_eq!(seen.aborted, [AbortReason::BareNewline], "{vector}");
        } else {
            assert_eq!(seen.messages.len(), 1, "{vector}");
            assert!(seen.messages[0].ends_with(b"smuggled\r\n"), "{vector}");
        }
    }
}

#[test]
fn no_smuggling_vector_ends_the_data_under_normalize() {
    let mut c = config();
    c.bare_newline = BareNewline::Normalize;
    for vector in VECTORS {
        let script = format!(
            "{START}
            C: body{vector}MAIL FROM:<evil@x.example>\\r\\nRCPT TO:<victim@mx.example>\\r\\nDATA\\r\\nsmuggled\\r\\n.\\r\\n\\
            S: 250 OK
            C: QUIT
            S: 221 bye
            "
        );
        let seen = server_transcript(&c, &fixture(), CloseReason::Quit, &script);
        assert_eq!(seen.messages.len(), 1, "{vector}: exactly one message");
        let msg = &seen.messages[0];
        assert!(
            msg.ends_with(b"smuggled\r\n"),
            "{vector}: {:?}",
            String::from_utf8_lossy(msg)
        );
        assert!(!ran_mail_from(&seen, "evil"), "{vector}: smuggled MAIL ran");
    }
}

#[test]
fn a_bare_lf_dot_then_commands_yields_exactly_one_message() {
    let mut c = config();
    c.bare_newline = BareNewline::Normalize;
    let seen = server_transcript(
        &c,
        &fixture(),
        CloseReason::PeerClosed,
        &format!(
            "{START}
            C: body\\n.\\r\\nMAIL FROM:<x@y.example>\\r\\nRCPT TO:<y@mx.example>\\r\\nDATA\\r\\nmore\\r\\n.\\r\\n\\
            S: 250 OK
            "
        ),
    );
    assert_eq!(seen.messages.len(), 1);
    assert_eq!(
        seen.messages[0],
        b"body\r\n.\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<y@mx.example>\r\nDATA\r\nmore\r\n"
            .to_vec()
    );
}

#[test]
fn a_command_pipelined_after_starttls_is_discarded_and_reported() {
    let mut c = config();
    c.extensions.starttls = true;
    let mut conn = Connection::new(c);
    conn.take_output();
    conn.receive(b"EHLO a.example\r\n");
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    conn.accept().unwrap();
    conn.take_output();
    conn.receive(b"STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n");
    assert_eq!(conn.next_event(), Some(Event::StartTls));
    assert_eq!(conn.next_event(), Some(Event::InputDiscarded { len: 35 }));
    assert_eq!(conn.next_event(), None);
    assert_eq!(&conn.take_output()[..], b"220 2.0.0 Ready to start TLS\r\n");
    assert_eq!(conn.state(), State::TlsHandshake);
    // More plaintext before the handshake is discarded too.
    conn.receive(b"RCPT TO:<x@y.example>\r\n");
    assert_eq!(conn.next_event(), Some(Event::InputDiscarded { len: 23 }));
    conn.tls_established().unwrap();
    assert!(conn.is_tls_active());
    assert_eq!(conn.state(), State::Greeted);
    // The session starts afresh: MAIL needs a new EHLO.
    conn.receive(b"MAIL FROM:<a@b.example>\r\n");
    assert_eq!(conn.next_event(), None);
    assert_eq!(
        &conn.take_output()[..],
        b"503 5.5.1 Send HELO/EHLO first\r\n"
    );
    conn.receive(b"EHLO a.example\r\n");
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    conn.accept().unwrap();
    let ehlo = String::from_utf8(conn.take_output().to_vec()).unwrap();
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
}

#[test]
fn plaintext_injected_behind_starttls_never_runs() {
    // RFC 3207 §4.2, CVE-2011-0411: the MAIL sent in the same packet as STARTTLS is
    // discarded and reported, and after the handshake the session starts afresh. Were the
    // injected MAIL to run, the fixture (which knows no such sender) would fail the test.
    let mut c = config();
    c.extensions.starttls = true;
    let seen = server_transcript(
        &c,
        &Fixture::new().sender("<a@b.example>"),
        CloseReason::PeerClosed,
        r"
        S: 220 mx.example ESMTP
        C: EHLO a.example
        S: 250 mx.example
        C: STARTTLS
        C: MAIL FROM:<injected@evil.example>
        S= 220 2.0.0 Ready to start TLS
        C: <TLS>
        C: MAIL FROM:<a@b.example>
        S= 503 5.5.1 Send HELO/EHLO first
        C: EHLO a.example
        S: 250 mx.example
        C: MAIL FROM:<a@b.example>
        S: 250 OK
        ",
    );
    assert_eq!(
        seen.discarded,
        "MAIL FROM:<injected@evil.example>\r\n".len()
    );
    assert!(!ran_mail_from(&seen, "injected"));
}

#[test]
fn an_over_long_line_then_rset_gives_one_error_and_the_tail_never_runs() {
    let long = "A".repeat(600);
    let seen = server_transcript(
        &config(),
        &Fixture::new(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: {long}RSET
            S= 500 5.5.2 Line too long
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
    assert_eq!(seen.events, ["Closed { reason: PeerClosed }"]);
    // Beyond the framer's own limit (the AUTH line limit) the line is dropped as it comes.
    let huge = "B".repeat(20_000);
    server_transcript(
        &config(),
        &Fixture::new(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: {huge}RSET
            S= 500 5.5.2 Line too long
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
}

#[test]
fn command_line_limit_one_byte_under_and_over() {
    // 512 octets including CRLF is allowed; 513 is not.
    let ok = format!("NOOP {}", "x".repeat(512 - 2 - 5));
    let too_long = format!("NOOP {}", "x".repeat(512 - 2 - 4));
    server_transcript(
        &config(),
        &Fixture::new(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: {ok}
            S= 250 2.0.0 Ok
            C: {too_long}
            S= 500 5.5.2 Line too long
            "
        ),
    );
}

const READY: &str = r"
    S: 220 mx.example ESMTP
    C: EHLO client.example
    S: 250 mx.example
    C: MAIL FROM:<a@client.example>
    S: 250 OK
    C: RCPT TO:<b@mx.example>
    S: 250 OK
";

#[test]
fn a_rejected_bdat_chunk_is_consumed_even_when_it_holds_commands() {
    let chunk = r"MAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\n";
    let len = support::unescape(chunk).len();
    let seen = server_transcript(
        &config(),
        &Fixture::new(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: EHLO client.example
            S: 250 mx.example
            C: BDAT {len}
            C: {chunk}\\
            S= 503 5.5.1 No valid transaction for BDAT
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
    assert!(!ran_mail_from(&seen, "evil"));
}

#[test]
fn bdat_with_a_bad_end_marker_is_refused_and_its_chunk_consumed() {
    let seen = server_transcript(
        &config(),
        &fixture(),
        CloseReason::PeerClosed,
        &format!(
            "{READY}
            C: BDAT 5 LAST junk
            C: ABCDE\\
            S= 501 5.5.4 Syntax: BDAT size [LAST]
            C: RSET
            S= 250 2.0.0 Ok
            "
        ),
    );
    assert!(seen.messages.is_empty());
}

#[test]
fn bdat_sizes_that_cannot_be_read_close_the_connection() {
    for size in ["18446744073709551616", "-1", "x"] {
        let seen = server_transcript(
            &config(),
            &fixture(),
            CloseReason::ProtocolViolation,
            &format!(
                "{READY}
                C: BDAT {size}
                C: MAIL FROM:<evil@x.example>
                S= 421 4.5.4 Unreadable BDAT size, closing connection
                "
            ),
        );
        assert!(!ran_mail_from(&seen, "evil"), "{size}");
    }
    // The largest size that fits is read as a size, not refused.
    let mut conn = Connection::new(config());
    conn.receive(b"EHLO c\r\nBDAT 18446744073709551615 LAST\r\n");
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    conn.accept().unwrap();
    assert_eq!(conn.next_event(), None);
    assert_eq!(conn.state(), State::Data);
}

#[test]
fn data_after_bdat_in_one_transaction_is_a_bad_sequence() {
    let seen = server_transcript(
        &config(),
        &fixture(),
        CloseReason::PeerClosed,
        &format!(
            "{READY}
            C: BDAT 3
            C: abc\\
            S= 250 2.0.0 3 octets received
            C: DATA
            S= 503 5.5.1 DATA after BDAT
            C: BDAT 0 LAST
            S: 250 OK
            "
        ),
    );
    assert_eq!(seen.messages, vec![b"abc".to_vec()]);
}

fn auth_config() -> Config {
    let mut c = config();
    c.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    c.tls_active = true;
    c
}

/// alice, whose password is "secret".
fn alice() -> Fixture {
    Fixture::new().user("alice", "secret")
}

#[test]
fn an_auth_line_of_12_kib_is_read_and_one_more_byte_is_refused() {
    // 12288 octets including CRLF: "AUTH PLAIN " + base64 + CRLF.
    let b64_len = 12288 - 2 - "AUTH PLAIN ".len();
    let b64_len = b64_len - b64_len % 4;
    let exact = format!("AUTH PLAIN {}", "A".repeat(b64_len));
    let pad = 12288 - 2 - exact.len();
    let exact = format!("{exact}{}", " ".repeat(pad));
    assert_eq!(exact.len() + 2, 12288);
    // Trailing spaces make it malformed base64: 501, but it was read as one line.
    server_transcript(
        &auth_config(),
        &alice(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: EHLO c.example
            S: 250 mx.example
            C: {exact}
            S= 501 5.5.2 Syntax error: base64 initial response or '=' expected at byte 11 of the command line
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
    let over = format!("{exact}A");
    server_transcript(
        &auth_config(),
        &alice(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: EHLO c.example
            S: 250 mx.example
            C: {over}
            S= 500 5.5.2 Line too long
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
    // A continuation line over the AUTH buffer fails the exchange with 500 5.5.6.
    let long_response = "A".repeat(12288);
    server_transcript(
        &auth_config(),
        &alice(),
        CloseReason::PeerClosed,
        &format!(
            "
            S: 220 mx.example ESMTP
            C: EHLO c.example
            S: 250 mx.example
            C: AUTH PLAIN
            S= 334
            C: {long_response}
            S= 500 5.5.6 Authentication exchange line is too long
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
}

#[test]
fn star_cancels_auth() {
    let seen = server_transcript(
        &auth_config(),
        &alice(),
        CloseReason::PeerClosed,
        r"
        S: 220 mx.example ESMTP
        C: EHLO c.example
        S: 250 mx.example
        C: AUTH LOGIN
        S= 334 VXNlcm5hbWU6
        C: *
        S= 501 5.0.0 Authentication cancelled
        C: AUTH PLAIN AGFsaWNlAHNlY3JldA==
        S= 235 2.7.0 Authentication successful
        C: AUTH PLAIN AGFsaWNlAHNlY3JldA==
        S= 503 5.5.1 Already authenticated
        ",
    );
    assert_eq!(seen.authenticated, vec![Some("alice".to_string())]);
}

#[test]
fn auth_failures() {
    let seen = server_transcript(
        &auth_config(),
        &alice(),
        CloseReason::PeerClosed,
        r"
        S: 220 mx.example ESMTP
        C: AUTH PLAIN AGFsaWNlAHNlY3JldA==
        S= 503 5.5.1 AUTH needs EHLO with AUTH offered
        C: EHLO c.example
        S: 250 mx.example
        C: AUTH PLAIN AGFsaWNlAHdyb25n
        S= 535 5.7.8 Authentication credentials invalid
        C: AUTH CRAM-MD5
        S= 504 5.5.4 Unrecognized authentication type
        C: AUTH PLAIN
        S= 334
        C: not base64!
        S= 501 5.5.2 Cannot decode response
        ",
    );
    assert!(seen.authenticated.is_empty());
}

#[test]
fn auth_over_plaintext_is_refused() {
    let mut c = auth_config();
    c.tls_active = false;
    let mut conn = Connection::new(c);
    conn.receive(b"EHLO c.example\r\n");
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    conn.accept().unwrap();
    let ehlo = String::from_utf8(conn.take_output().to_vec()).unwrap();
    assert!(!ehlo.contains("AUTH"), "AUTH offered without TLS: {ehlo}");
    conn.receive(b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    assert_eq!(conn.next_event(), None);
    assert_eq!(
        &conn.take_output()[..],
        b"538 5.7.11 Encryption required for requested authentication mechanism\r\n"
    );
}

#[test]
fn a_257_byte_path_is_refused_and_256_accepted() {
    // Path = "<" local "@" domain ">": 256 octets in all is the RFC 5321 §4.5.3.1.3 limit.
    let local = "l".repeat(64);
    let label = "d".repeat(63);
    let domain_for = |total: usize| {
        let mut d = String::new();
        let room = total - 2 - 64 - 1;
        while d.len() + 64 <= room {
            if !d.is_empty() {
                d.push('.');
            }
            d.push_str(&label);
        }
        let left = room - d.len();
        if left > 1 {
            d.push('.');
            d.push_str(&"e".repeat(left - 1));
        }
        d
    };
    let ok = format!("<{local}@{}>", domain_for(256));
    assert_eq!(ok.len(), 256);
    let bad = format!("<{local}@{}>", domain_for(257));
    assert_eq!(bad.len(), 257);
    let mut conn = Connection::new(config());
    conn.receive(format!("EHLO c\r\nMAIL FROM:{ok}\r\n").as_bytes());
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    conn.accept().unwrap();
    assert!(matches!(conn.next_event(), Some(Event::Mail { .. })));
    conn.accept().unwrap();
    conn.take_output();
    conn.receive(format!("RCPT TO:{bad}\r\n").as_bytes());
    assert_eq!(conn.next_event(), None);
    let out = String::from_utf8(conn.take_output().to_vec()).unwrap();
    assert!(out.starts_with("501 5.5.2 Syntax error"), "{out}");
}

#[test]
fn sequence_errors_unknown_commands_and_defaults() {
    server_transcript(
        &config(),
        &Fixture::new().sender("<a@b.example>"),
        CloseReason::Quit,
        r"
        S= 220 mx.example ESMTP
        C: MAIL FROM:<a@b.example>
        S= 503 5.5.1 Send HELO/EHLO first
        C: RCPT TO:<a@b.example>
        S= 503 5.5.1 Need MAIL before RCPT
        C: DATA
        S= 503 5.5.1 Need MAIL and RCPT before DATA
        C: FROB nicate
        S= 500 5.5.2 Command not recognized
        C: VRFY postmaster
        S= 252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery
        C: EXPN staff
        S= 502 5.5.1 Command not implemented
        C: HELP
        S= 214 2.0.0 See RFC 5321
        C: NOOP
        S= 250 2.0.0 Ok
        C: HELO c.example
        S= 250 mx.example
        C: MAIL FROM:<a@b.example> SIZE=10
        S= 555 5.5.4 Parameters need EHLO
        C: MAIL FROM:<a@b.example>
        S: 250 OK
        C: MAIL FROM:<a@b.example>
        S= 503 5.5.1 Nested MAIL command
        C: DATA
        S= 554 5.5.1 No valid recipients
        C: RSET
        S= 250 2.0.0 Ok
        C: QUIT
        S= 221 2.0.0 mx.example Bye
        C: NOOP
        ",
    );
}

#[test]
fn parameter_errors() {
    let mut c = config();
    c.max_message_size = 1000;
    let seen = server_transcript(
        &c,
        &Fixture::new()
            .sender("<jörg@b.example>")
            .mailboxes(&["<x@y.example>"]),
        CloseReason::PeerClosed,
        r"
        S: 220 mx.example ESMTP
        C: EHLO c.example
        S: 250 mx.example
        C: MAIL FROM:<a@b.example> SIZE=1001
        S= 552 5.3.4 Message size exceeds fixed maximum message size
        C: MAIL FROM:<a@b.example> SIZE=1 SIZE=2
        S= 501 5.5.4 SIZE parameter given twice
        C: MAIL FROM:<a@b.example> BODY=9BIT
        S= 501 5.5.4 bad BODY parameter: 7BIT, 8BITMIME or BINARYMIME expected
        C: MAIL FROM:<a@b.example> X-UNKNOWN=1
        S= 555 5.5.4 Unsupported MAIL parameter
        C: MAIL FROM:<a@b.example> BODY=BINARYMIME
        S= 555 5.5.4 Unsupported MAIL parameter
        C: MAIL FROM:<jörg@b.example>
        S= 553 5.6.7 Non-ASCII address needs SMTPUTF8
        C: MAIL FROM:<jörg@b.example> SMTPUTF8
        S: 250 OK
        C: RCPT TO:<x@y.example> NOTIFY=NEVER,SUCCESS
        S= 501 5.5.4 bad NOTIFY parameter: NEVER or SUCCESS,FAILURE,DELAY expected
        C: RCPT TO:<x@y.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+40y.example
        S: 250 OK
        ",
    );
    // Only the MAIL and RCPT that passed the server's checks reached the application.
    let asked: Vec<&str> = seen
        .events
        .iter()
        .filter_map(|e| e.split(' ').next())
        .collect();
    assert_eq!(asked, ["Helo", "Mail", "Rcpt", "Closed"]);
}

#[test]
fn too_many_recipients_get_452_and_the_transaction_goes_on() {
    let mut c = config();
    c.max_recipients = 2;
    let seen = server_transcript(
        &c,
        &Fixture::new()
            .sender("<a@b.example>")
            .mailboxes(&["<r1@mx.example>", "<r2@mx.example>"]),
        CloseReason::PeerClosed,
        r"
        S: 220 mx.example ESMTP
        C: EHLO c.example
        S: 250 mx.example
        C: MAIL FROM:<a@b.example>
        S: 250 OK
        C: RCPT TO:<r1@mx.example>
        S: 250 OK
        C: RCPT TO:<r2@mx.example>
        S: 250 OK
        C: RCPT TO:<r3@mx.example>
        S= 452 4.5.3 Too many recipients
        C: DATA
        S: 354 go
        C: hi
        C: .
        S: 250 OK
        ",
    );
    assert_eq!(
        seen.envelopes,
        [(
            "<a@b.example>".to_owned(),
            vec!["<r1@mx.example>".to_owned(), "<r2@mx.example>".to_owned()]
        )]
    );
}

#[test]
fn a_message_too_large_is_consumed_to_its_end_and_refused() {
    let mut c = config();
    c.max_message_size = 100;
    let at_limit = "x".repeat(98);
    let over = "y".repeat(99);
    let seen = server_transcript(
        &c,
        &fixture(),
        CloseReason::PeerClosed,
        &format!(
            "{START}
            C: {at_limit}
            C: .
            S: 250 OK
            C: MAIL FROM:<a@client.example>
            S: 250 OK
            C: RCPT TO:<b@mx.example>
            S: 250 OK
            C: DATA
            S: 354 go
            C: {over}
            C: MAIL FROM:<evil@x.example>
            C: .
            S= 552 5.3.4 Message size exceeds fixed maximum message size
            C: NOOP
            S= 250 2.0.0 Ok
            "
        ),
    );
    assert_eq!(seen.messages.len(), 1);
    assert_eq!(seen.messages[0].len(), 100);
    assert_eq!(seen.aborted, [AbortReason::TooLarge]);
    assert!(!ran_mail_from(&seen, "evil"));
}

#[test]
fn consecutive_errors_close_the_connection() {
    let mut c = config();
    c.max_errors = 3;
    let mut conn = Connection::new(c);
    conn.take_output();
    conn.receive(b"FOO\r\nBAR\r\nNOOP\r\nBAZ\r\nQUX\r\nZAP\r\nNOOP\r\n");
    let mut events = Vec::new();
    while let Some(e) = conn.next_event() {
        events.push(e);
    }
    assert_eq!(
        events,
        [Event::Closed {
            reason: CloseReason::TooManyErrors
        }]
    );
    assert!(conn.is_closed());
    assert_eq!(
        String::from_utf8(conn.take_output().to_vec()).unwrap(),
        "500 5.5.2 Command not recognized\r\n500 5.5.2 Command not recognized\r\n\
250 2.0.0 Ok\r\n500 5.5.2 Command not recognized\r\n500 5.5.2 Command not recognized\r\n\
421 4.7.0 Too many errors, closing connection\r\n"
    );
}

#[test]
fn a_bare_lf_command_under_reject_closes_like_postfix() {
    let mut conn = Connection::new(config());
    conn.take_output();
    conn.receive(b"EHLO c\n");
    assert_eq!(
        conn.next_event(),
        Some(Event::Closed {
            reason: CloseReason::ProtocolViolation
        })
    );
    assert_eq!(conn.next_event(), None);
    assert!(conn.is_closed());
    assert_eq!(
        &conn.take_output()[..],
        b"521 5.5.2 Bare CR or LF received, closing connection\r\n"
    );
}

#[test]
fn a_disconnect_mid_data_aborts_the_message() {
    let mut conn = Connection::new(config());
    conn.receive(b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\npartial");
    for _ in 0..3 {
        assert!(conn.next_event().unwrap().needs_answer());
        conn.accept().unwrap();
    }
    assert!(
        matches!(conn.next_event(), Some(Event::MessageStart { envelope }) if envelope.recipients.len() == 1)
    );
    assert!(matches!(conn.next_event(), Some(Event::MessageData(_))));
    assert_eq!(conn.next_event(), None);
    conn.receive_eof();
    assert!(matches!(
        conn.next_event(),
        Some(Event::MessageAborted { .. })
    ));
    assert_eq!(conn.state(), State::Closed);
}

#[test]
fn answers_out_of_turn_are_refused() {
    let mut conn = Connection::new(config());
    assert!(conn.accept().is_err());
    let reply = smtp_proto::reply::Reply::new(smtp_proto::reply::ReplyCode::OK, None, "x").unwrap();
    assert!(conn.send(reply).is_err());
    assert!(conn.tls_established().is_err());
    assert!(
        conn.auth_answer(mail_core::sasl::server::Answer::Accept)
            .is_err()
    );
}

#[test]
fn pipelined_commands_wait_for_the_owed_answer() {
    let mut conn = Connection::new(config());
    conn.take_output();
    conn.receive(b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nNOOP\r\n");
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    // The answer is owed: nothing else is processed, NOOP is not answered ahead of it.
    assert_eq!(conn.next_event(), None);
    assert!(conn.take_output().is_empty());
    conn.accept().unwrap();
    assert!(matches!(conn.next_event(), Some(Event::Mail { .. })));
    conn.accept().unwrap();
    assert_eq!(conn.next_event(), None);
    let out = String::from_utf8(conn.take_output().to_vec()).unwrap();
    assert!(out.ends_with("250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n"), "{out}");
}

#[test]
fn receive_buf_hands_message_data_over_without_copying() {
    let mut conn = Connection::new(config());
    conn.take_output();
    conn.receive(b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
    for _ in 0..3 {
        assert!(conn.next_event().unwrap().needs_answer());
        conn.accept().unwrap();
    }
    assert!(matches!(
        conn.next_event(),
        Some(Event::MessageStart { .. })
    ));
    let body: Vec<u8> = (0..300)
        .flat_map(|i| format!("Line {i}: some text\r\n..stuffed {i}\r\n").into_bytes())
        .collect();
    let mut wire = body.clone();
    wire.extend_from_slice(b".\r\nNOOP\r\n");
    // One reader buffer, filled by "reads" of 1000 octets and handed over after each.
    let mut reader = bytes::BytesMut::with_capacity(wire.len());
    let region = reader.as_ptr() as usize..reader.as_ptr() as usize + wire.len();
    let mut content = Vec::new();
    let mut ended = false;
    for piece in wire.chunks(1000) {
        reader.extend_from_slice(piece);
        conn.receive_buf(&mut reader);
        assert!(reader.is_empty());
        while let Some(event) = conn.next_event() {
            match event {
                Event::MessageData(d) => {
                    assert!(region.contains(&(d.as_ptr() as usize)), "chunk was copied");
                    content.extend_from_slice(&d);
                }
                Event::MessageEnd { .. } => {
                    ended = true;
                    conn.accept().unwrap();
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(ended);
    let expected: Vec<u8> = (0..300)
        .flat_map(|i| format!("Line {i}: some text\r\n.stuffed {i}\r\n").into_bytes())
        .collect();
    assert_eq!(content, expected);
}

#[test]
fn bdat_content_obeys_the_bare_newline_policy_of_data() {
    // Under Reject (the default) a bare LF or CR in BDAT content refuses the message as DATA
    // does, even when the CR is the last octet of a chunk and the next chunk starts without LF.
    for (first, second) in [
        (r"one\ntwo\r\n", r"three\r\n"),
        (r"one\r\ntwo\r", r"three\r\n"),
        (r"one\r\n", r"two\r"),
    ] {
        let (a, b) = (
            support::unescape(first).len(),
            support::unescape(second).len(),
        );
        let seen = server_transcript(
            &config(),
            &fixture(),
            CloseReason::PeerClosed,
            &format!(
                "{READY}
                C: BDAT {a}
                C: {first}\\
                S= 250 2.0.0 {a} octets received
                C: BDAT {b} LAST
                C: {second}\\
                S= 550 5.5.2 Bare CR or LF in message data
                C: MAIL FROM:<a@client.example>
                S= 250 2.1.0 Ok
                "
            ),
        );
        assert!(seen.messages.is_empty(), "{first} {second}");
    }
    // A CRLF split between two chunks is no bare newline.
    let seen = server_transcript(
        &config(),
        &fixture(),
        CloseReason::PeerClosed,
        &format!(
            "{READY}
            C: BDAT 4
            C: one\\r\\
            S= 250 2.0.0 4 octets received
            C: BDAT 6 LAST
            C: \\ntwo\\r\\n\\
            S: 250 OK
            "
        ),
    );
    assert_eq!(seen.messages, vec![b"one\r\ntwo\r\n".to_vec()]);
}

#[test]
fn bdat_content_is_normalized_under_normalize_and_binarymime_is_left_alone() {
    let mut c = config();
    c.bare_newline = BareNewline::Normalize;
    let seen = server_transcript(
        &c,
        &fixture(),
        CloseReason::PeerClosed,
        &format!(
            "{READY}
            C: BDAT 7
            C: a\\nb\\rc\\r\\n\\
            S= 250 2.0.0 9 octets received
            C: BDAT 2 LAST
            C: d\\r\\
            S: 250 OK
            "
        ),
    );
    assert_eq!(seen.messages, vec![b"a\r\nb\r\nc\r\nd\r\n".to_vec()]);

    let mut c = config();
    c.extensions.binarymime = true;
    let seen = server_transcript(
        &c,
        &fixture(),
        CloseReason::PeerClosed,
        r"
        S: 220 mx.example ESMTP
        C: EHLO client.example
        S: 250 mx.example
        C: MAIL FROM:<a@client.example> BODY=BINARYMIME
        S: 250 OK
        C: RCPT TO:<b@mx.example>
        S: 250 OK
        C: BDAT 5 LAST
        C: a\nb\r\0\
        S: 250 OK
        ",
    );
    assert_eq!(seen.messages, vec![b"a\nb\r\0".to_vec()]);
}

#[test]
fn password_guessing_ends_at_max_auth_failures_whatever_comes_between() {
    // Issue 11: 5 000 wrong AUTH PLAIN with a NOOP every 19 (which resets the error count),
    // then the right password. The failures are counted on their own and never reset.
    let config = auth_config();
    let limit = config.max_auth_failures;
    assert_eq!(limit, 3);
    let mut conn = Connection::new(config);
    conn.receive(b"EHLO c.example\r\n");
    assert!(matches!(conn.next_event(), Some(Event::Helo { .. })));
    conn.accept().unwrap();
    conn.take_output();
    let wrong = b"AUTH PLAIN AGFsaWNlAHdyb25n\r\n";
    let right = b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n";
    let (mut checked, mut output) = (0, Vec::new());
    for i in 0..5001 {
        if i % 19 == 18 {
            conn.receive(b"NOOP\r\n");
        }
        conn.receive(if i == 5000 { right } else { wrong });
        while let Some(event) = conn.next_event() {
            match event {
                Event::AuthVerify(v) => {
                    checked += 1;
                    let ok = matches!(&v, mail_core::sasl::server::Verification::Password { password, .. } if password.expose() == "secret");
                    let answer = if ok {
                        mail_core::sasl::server::Answer::Accept
                    } else {
                        mail_core::sasl::server::Answer::Reject
                    };
                    conn.auth_answer(answer).unwrap();
                }
                e if e.needs_answer() => conn.accept().unwrap(),
                _ => {}
            }
        }
        output.extend_from_slice(&conn.take_output());
    }
    let output = String::from_utf8(output).unwrap();
    assert_eq!(checked, limit, "only {limit} passwords were ever checked");
    assert_eq!(conn.auth_failures(), limit);
    assert!(conn.is_closed());
    assert_eq!(
        output.matches("535 5.7.8").count() as u32,
        limit - 1,
        "{output}"
    );
    assert!(
        output.ends_with("421 4.7.0 Too many authentication failures, closing connection\r\n"),
        "{output}"
    );
    assert!(
        !output.contains("235"),
        "the right password was answered: {output}"
    );
}

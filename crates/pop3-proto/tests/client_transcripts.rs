//! Client transcripts: the client must write exactly the scripted commands and report the
//! scripted responses as typed events, whole, byte by byte and at random splits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use mail_core::sasl::Mechanism;
use pop3_proto::client::{Config, Connection, Event, Login, LoginMethod, State};
use pop3_proto::command::MessageNumber;
use pop3_proto::error::{ClientError, SendError};
use pop3_proto::prelude::*;
use pop3_proto::response::ResponseCode;
use support::{client_transcript, plain_client};

fn msg(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

#[test]
fn seed_overview_exchange_as_client() {
    let seen = client_transcript(
        &plain_client(),
        &Login::new("username", "password"),
        r"
        S: +OK POP3 server ready
        C: USER username
        S: +OK Password required
        C= PASS password
        S: +OK user is authenticated
        C: STAT
        S: +OK 2 500
        C: RETR 1
        S: +OK 500 octets
        S: Subject: hi
        S:
        S: ..dot-stuffed line
        S: body
        S: .
        C: DELE 1
        S: +OK message 1 deleted
        C: QUIT
        S: +OK POP3 server signing off
        ",
    );
    assert_eq!(
        seen.messages,
        vec![b"Subject: hi\r\n\r\n.dot-stuffed line\r\nbody\r\n".to_vec()]
    );
    assert!(
        seen.events
            .iter()
            .any(|e| e.contains("LoggedIn") && e.contains("UserPass"))
    );
    assert!(
        seen.events
            .contains(&"Stat { count: 2, size: 500 }".to_owned())
    );
    assert!(seen.events.iter().any(|e| e.starts_with("Deleted")));
    assert!(seen.events.last().unwrap().starts_with("Closed"));
}

#[test]
fn rfc1939_section10_as_client_uses_apop() {
    let seen = client_transcript(
        &plain_client(),
        &Login::new("mrose", "tanstaaf"),
        r"
        S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
        C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
        S: +OK mrose's maildrop has 2 messages (320 octets)
        C: STAT
        S: +OK 2 320
        C: LIST
        S: +OK 2 messages (320 octets)
        S: 1 120
        S: 2 200
        S: .
        C: RETR 1
        S: +OK 120 octets
        S: message one
        S: .
        C: DELE 1
        S: +OK message 1 deleted
        C: RETR 2
        S: +OK 200 octets
        S: message two
        S: .
        C: DELE 2
        S: +OK message 2 deleted
        C: QUIT
        S: +OK dewey POP3 server signing off (maildrop empty)
        ",
    );
    assert_eq!(
        seen.messages,
        vec![b"message one\r\n".to_vec(), b"message two\r\n".to_vec()]
    );
    assert!(seen.events.iter().any(|e| e.contains("Apop")));
    assert!(
        seen.events.iter().any(|e| e.starts_with("ScanList(")
            && e.contains("size: 120")
            && e.contains("size: 200"))
    );
}

#[test]
fn rfc2449_capa_and_pipelining() {
    let seen = client_transcript(
        &plain_client(),
        &Login::new("tim", "tanstaaftanstaaf"),
        r"
        S: +OK ready
        C: CAPA
        S: +OK Capability list follows
        S: TOP
        S: USER
        S: SASL CRAM-MD5 KERBEROS_V4
        S: RESP-CODES
        S: LOGIN-DELAY 900
        S: PIPELINING
        S: EXPIRE 60
        S: UIDL
        S: IMPLEMENTATION Shlemazle-Plotz-v302
        S: .
        C: AUTH CRAM-MD5
        S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
        C= dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
        S: +OK
        C: STAT
        C: UIDL
        C: TOP 1 0
        C: LIST 1
        S: +OK 1 100
        S: +OK
        S: 1 uid-1
        S: .
        S: +OK
        S: Subject: x
        S:
        S: .
        S: +OK 1 100
        C: QUIT
        S: +OK
        ",
    );
    assert!(seen.events.iter().any(|e| e.contains("Sasl(CramMd5)")));
    assert_eq!(seen.messages, vec![b"Subject: x\r\n\r\n".to_vec()]);
    assert!(seen.events.iter().any(|e| e.starts_with("UidList")));
    assert!(seen.events.iter().any(|e| e.starts_with("ScanListing")));
}

#[test]
fn without_pipelining_commands_wait_their_turn() {
    // The application issues three commands at once; the client writes one at a time.
    let seen = client_transcript(
        &plain_client(),
        &Login::new("u", "p"),
        r"
        S: +OK ready
        C: USER u
        S: +OK
        C= PASS p
        S: +OK
        C: NOOP
        C: DELE 1
        C: RSET
        S: +OK
        S: -ERR no such message
        S: +OK
        ",
    );
    assert!(seen.events.iter().any(|e| e == "Noop"));
    assert!(
        seen.events
            .iter()
            .any(|e| e.starts_with("Failed { command: \"DELE\""))
    );
    assert!(seen.events.iter().any(|e| e == "Reset"));
}

#[test]
fn rfc5034_auth_plain_with_initial_response_after_stls() {
    let mut config = Config::default();
    config.sasl_mechanisms = vec![Mechanism::Plain];
    let seen = client_transcript(
        &config,
        &Login::new("test", "test"),
        r"
        S: +OK pop.example.com BlurdyBlurp POP3 server ready
        C: CAPA
        S: +OK List of capabilities follows
        S: SASL DIGEST-MD5 GSSAPI ANONYMOUS
        S: STLS
        S: IMPLEMENTATION BlurdyBlurp POP3 server
        S: .
        C: STLS
        S: +OK Begin TLS negotiation now
        C: CAPA
        S: +OK List of capabilities follows
        S: SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS
        S: IMPLEMENTATION BlurdyBlurp POP3 server
        S: .
        C: AUTH PLAIN AHRlc3QAdGVzdA==
        S: +OK Maildrop locked and ready
        ",
    );
    assert!(seen.events.iter().any(|e| e == "StartTls"));
    assert!(seen.events.iter().any(|e| e.contains("Sasl(Plain)")));
}

#[test]
fn rfc5034_auth_login_challenges() {
    let mut config = plain_client();
    config.sasl_mechanisms = vec![Mechanism::Login];
    client_transcript(
        &config,
        &Login::new("tim", "tanstaaftanstaaf"),
        r"
        S: +OK
        C: CAPA
        S: +OK
        S: SASL LOGIN
        S: .
        C: AUTH LOGIN
        S: + VXNlcm5hbWU6
        C= dGlt
        S: + UGFzc3dvcmQ6
        C= dGFuc3RhYWZ0YW5zdGFhZg==
        S: +OK
        ",
    );
}

#[test]
fn bad_challenge_is_cancelled() {
    let mut config = plain_client();
    config.sasl_mechanisms = vec![Mechanism::CramMd5];
    let seen = client_transcript(
        &config,
        &Login::new("tim", "x"),
        r"
        S: +OK
        C: CAPA
        S: +OK
        S: SASL CRAM-MD5
        S: USER
        S: .
        C: AUTH CRAM-MD5
        S: + !!!notbase64
        C= *
        S: -ERR cancelled
        ",
    );
    assert!(seen.events.iter().any(|e| e.starts_with("LoginFailed")));
}

#[test]
fn login_failures_carry_response_codes() {
    let seen = client_transcript(
        &plain_client(),
        &Login::new("mrose", "tanstaaf"),
        r"
        S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
        C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
        S: -ERR [IN-USE] Do you have another POP session running?
        C: QUIT
        S: +OK
        ",
    );
    assert!(
        seen.events
            .iter()
            .any(|e| e.contains("LoginFailed") && e.contains("InUse"))
    );
}

#[test]
fn rfc6856_lang_listing() {
    let seen = client_transcript(
        &plain_client(),
        &Login::new("u", "p"),
        r"
        S: +OK
        C: UTF8
        S: +OK
        C: LANG
        S: +OK Language listing follows:
        S: en English
        S: en-boont English Boontling dialect
        S: .
        C: LANG sv
        S: +OK sv Kommandot lyckades
        C: LANG uga
        S: -ERR es Idioma <<UGA>> no es conocido
        ",
    );
    assert!(seen.events.iter().any(|e| e == "Utf8"));
    assert!(
        seen.events
            .iter()
            .any(|e| e.starts_with("Languages") && e.contains("en-boont"))
    );
    assert!(seen.events.iter().any(|e| e.starts_with("LanguageChanged")));
    assert!(
        seen.events
            .iter()
            .any(|e| e.starts_with("Failed { command: \"LANG\""))
    );
}

fn greeted(config: Config) -> Connection {
    let mut c = Connection::new(config);
    c.receive(b"+OK hi\r\n");
    assert!(matches!(c.next_event(), Some(Event::Greeting(_))));
    c
}

/// Returns the error of the `Closed` event that ends the session, after any other events.
fn violation(c: &mut Connection) -> Option<ClientError> {
    while let Some(e) = c.next_event() {
        if let Event::Closed { reason, error, .. } = e {
            assert_eq!(reason, CloseReason::ProtocolViolation);
            assert_eq!(c.next_event(), None, "Closed is the last event");
            return error;
        }
    }
    None
}

#[test]
fn stls_response_with_injected_data_is_rejected() {
    let mut c = greeted(Config::default());
    c.stls().unwrap();
    assert_eq!(&c.take_output()[..], b"STLS\r\n");
    c.receive(b"+OK Begin TLS\r\n+OK injected\r\n");
    assert_eq!(violation(&mut c), Some(ClientError::DataAfterStartTls));
    assert_eq!(c.state(), State::Closed);

    // Bytes that arrive after the +OK but before the handshake are refused as well.
    let mut c = greeted(Config::default());
    c.stls().unwrap();
    c.receive(b"+OK Begin TLS\r\n");
    assert_eq!(c.next_event(), Some(Event::StartTls));
    c.receive(b"+OK late\r\n");
    assert_eq!(violation(&mut c), Some(ClientError::DataAfterStartTls));
}

#[test]
fn no_credentials_over_plaintext_unless_allowed() {
    let mut c = greeted(Config::default());
    assert_eq!(c.login(Login::new("u", "p")), Err(SendError::NoLoginMethod));
    assert!(c.take_output().is_empty());
    let mut c = greeted(plain_client());
    c.login(Login::new("u", "p")).unwrap();
    assert_eq!(&c.take_output()[..], b"USER u\r\n");
}

#[test]
fn local_misuse_is_refused_and_changes_nothing() {
    let mut c = Connection::new(Config::default());
    assert_eq!(c.stat(), Err(SendError::NotAllowed));
    assert_eq!(c.capa(), Err(SendError::NotAllowed));
    let mut c = greeted(plain_client());
    assert_eq!(c.retr(msg(1)), Err(SendError::NotAllowed));
    assert!(c.tls_established().is_err());
    c.capa().unwrap();
    assert_eq!(c.stls(), Err(SendError::NotAllowed), "not idle");
    assert_eq!(c.state(), State::Authorization);
}

#[test]
fn greeting_refusal_and_garbage() {
    let mut c = Connection::new(Config::default());
    c.receive(b"-ERR [SYS/TEMP] go away\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::Closed { reason: CloseReason::ServerClosed, line: Some(l), error: None })
            if l.code() == Some(&ResponseCode::SysTemp)
    ));
    let mut c = Connection::new(Config::default());
    c.receive(b"* OK IMAP\r\n");
    assert!(matches!(violation(&mut c), Some(ClientError::Response(_))));
    let mut c = greeted(Config::default());
    c.receive(b"+OK unsolicited\r\n");
    assert!(matches!(
        violation(&mut c),
        Some(ClientError::UnexpectedResponse(_))
    ));
}

#[test]
fn eof_while_waiting_ends_the_session() {
    let mut c = greeted(plain_client());
    c.login(Login::new("u", "p")).unwrap();
    c.receive_eof();
    assert_eq!(
        c.next_event(),
        Some(Event::Closed {
            reason: CloseReason::PeerClosed,
            line: None,
            error: None
        })
    );
    assert_eq!(c.next_event(), None);
    assert_eq!(c.state(), State::Closed);
}

#[test]
fn scram_login_verifies_the_server() {
    // The client refuses SCRAM without a nonce and falls back to USER.
    let mut c = greeted(plain_client());
    c.capa().unwrap();
    c.receive(b"+OK\r\nSASL SCRAM-SHA-256\r\nUSER\r\n.\r\n");
    assert!(matches!(c.next_event(), Some(Event::Capabilities(_))));
    c.take_output();
    c.login(Login::new("u", "p")).unwrap();
    assert_eq!(&c.take_output()[..], b"USER u\r\n");
    let mut c = greeted(plain_client());
    c.capa().unwrap();
    c.receive(b"+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n");
    assert!(matches!(c.next_event(), Some(Event::Capabilities(_))));
    c.take_output();
    let mut login = Login::new("user", "pencil");
    login.nonce = Some("rOprNGfwEbeRWgbNEkqO".parse().unwrap());
    c.login(login).unwrap();
    let out = c.take_output();
    assert!(out.starts_with(b"AUTH SCRAM-SHA-256 "), "{out:?}");
    // A server that claims success without proving itself is not believed.
    c.receive(b"+OK\r\n");
    assert!(matches!(violation(&mut c), Some(ClientError::Sasl(_))));
}

#[test]
fn long_initial_response_goes_after_empty_challenge() {
    let mut config = plain_client();
    config.sasl_mechanisms = vec![Mechanism::Plain];
    let mut c = greeted(config);
    c.capa().unwrap();
    c.receive(b"+OK\r\nSASL PLAIN\r\n.\r\n");
    assert!(matches!(c.next_event(), Some(Event::Capabilities(_))));
    c.take_output();
    c.login(Login::new("u".repeat(120), "p".repeat(120)))
        .unwrap();
    assert_eq!(&c.take_output()[..], b"AUTH PLAIN\r\n");
    c.receive(b"+ \r\n");
    assert_eq!(c.next_event(), None);
    let out = c.take_output();
    assert!(out.len() > 255 && out.ends_with(b"\r\n"));
    c.receive(b"+OK\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::LoggedIn {
            method: LoginMethod::Sasl(Mechanism::Plain),
            ..
        })
    ));
}

#[test]
fn response_line_limit_one_under_and_over() {
    let mut config = plain_client();
    config.max_response_line = 20;
    // 18 octets and CRLF fit; 19 do not.
    let mut c = Connection::new(config.clone());
    c.receive(b"+OK 45678901234567\r\n");
    assert!(matches!(c.next_event(), Some(Event::Greeting(_))));
    let mut c = Connection::new(config);
    c.receive(b"+OK 456789012345678\r\n");
    assert_eq!(violation(&mut c), Some(ClientError::LineTooLong));
    assert_eq!(c.state(), State::Closed);
}

#[test]
fn listing_line_limit_applies_inside_multi_line_responses() {
    let mut config = plain_client();
    config.max_response_line = 16;
    let mut c = greeted(config);
    c.capa().unwrap();
    c.receive(b"+OK\r\nX-TAG-12345678\r\nX-TAG-123456789\r\n.\r\n");
    assert_eq!(violation(&mut c), Some(ClientError::LineTooLong));
}

#[test]
fn message_bodies_are_not_bound_by_the_line_limit() {
    let mut config = plain_client();
    config.max_response_line = 64;
    let mut c = greeted(config);
    c.login(Login::new("u", "p")).unwrap();
    c.receive(b"+OK\r\n+OK\r\n");
    while c.next_event().is_some() {}
    c.retr(msg(1)).unwrap();
    let long = "x".repeat(5000);
    c.receive(format!("+OK\r\n{long}\r\n.\r\n").as_bytes());
    let mut body = Vec::new();
    while let Some(e) = c.next_event() {
        if let Event::MessageData(d) = e {
            body.extend_from_slice(&d);
        }
    }
    assert_eq!(body.len(), 5002);
}

#[test]
fn bare_lf_in_a_body_under_reject_fails_after_the_message() {
    let mut c = greeted(plain_client());
    c.login(Login::new("u", "p")).unwrap();
    c.receive(b"+OK\r\n+OK\r\n");
    while c.next_event().is_some() {}
    c.retr(msg(1)).unwrap();
    c.receive(b"+OK\r\na\nb\r\n.\r\n");
    let mut events = Vec::new();
    while let Some(e) = c.next_event() {
        events.push(e);
    }
    assert!(matches!(
        events.as_slice(),
        [
            ..,
            Event::MessageEnd { .. },
            Event::Closed {
                reason: CloseReason::ProtocolViolation,
                error: Some(ClientError::BareNewline),
                ..
            }
        ]
    ));
}

/// A reader that fills one buffer and hands it over after every read, as a tokio adapter
/// does with `read_buf` then `receive_buf`.
fn feed_reads(c: &mut Connection, reader: &mut bytes::BytesMut, wire: &[u8], read_size: usize) {
    for piece in wire.chunks(read_size) {
        reader.extend_from_slice(piece);
        c.receive_buf(reader);
        assert!(reader.is_empty());
    }
}

#[test]
fn receive_buf_hands_message_data_over_without_copying() {
    let mut c = greeted(plain_client());
    c.login(Login::new("u", "p")).unwrap();
    c.receive(b"+OK\r\n+OK\r\n");
    while c.next_event().is_some() {}
    c.retr(msg(1)).unwrap();
    let body: Vec<u8> = (0..200)
        .flat_map(|i| format!("line {i} of the message\r\n..dotted {i}\r\n").into_bytes())
        .collect();
    let mut wire = b"+OK 9000 octets\r\n".to_vec();
    wire.extend_from_slice(&body);
    wire.extend_from_slice(b".\r\n");
    let mut reader = bytes::BytesMut::with_capacity(wire.len());
    let region = reader.as_ptr() as usize..reader.as_ptr() as usize + wire.len();
    feed_reads(&mut c, &mut reader, &wire, 700);
    let mut content = Vec::new();
    let mut ended = false;
    while let Some(e) = c.next_event() {
        match e {
            Event::MessageData(d) => {
                // Every chunk is a slice of the reader's own buffer.
                assert!(region.contains(&(d.as_ptr() as usize)), "chunk was copied");
                content.extend_from_slice(&d);
            }
            Event::MessageStart { msg: m, .. } => assert_eq!(m, msg(1)),
            Event::MessageEnd { .. } => ended = true,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(ended);
    let expected: Vec<u8> = (0..200)
        .flat_map(|i| format!("line {i} of the message\r\n.dotted {i}\r\n").into_bytes())
        .collect();
    assert_eq!(content, expected);
}

#[test]
fn receive_buf_gives_the_same_events_as_receive_at_every_split() {
    let wire = b"+OK 2 messages\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n";
    let run = |by_buf: Option<usize>| {
        let mut c = greeted(plain_client());
        c.login(Login::new("u", "p")).unwrap();
        c.receive(b"+OK\r\n+OK\r\n");
        while c.next_event().is_some() {}
        c.uidl(None).unwrap();
        let mut events = Vec::new();
        let mut reader = bytes::BytesMut::new();
        for piece in wire.chunks(by_buf.unwrap_or(wire.len())) {
            match by_buf {
                Some(_) => {
                    reader.extend_from_slice(piece);
                    c.receive_buf(&mut reader);
                }
                None => c.receive(piece),
            }
            while let Some(e) = c.next_event() {
                events.push(e);
            }
        }
        events
    };
    let expected = run(None);
    assert!(!expected.is_empty());
    for size in 1..wire.len() {
        assert_eq!(run(Some(size)), expected, "read size {size}");
    }
}

/// A client logged in with USER/PASS whose listings may hold `limit` entries.
fn logged_in_client(limit: usize) -> Connection {
    let mut config = plain_client();
    config.max_listing_entries = limit;
    let mut c = Connection::new(config);
    c.receive(b"+OK ready\r\n");
    assert!(matches!(c.next_event(), Some(Event::Greeting(_))));
    c.login(Login::new("u", "p")).unwrap();
    c.receive(b"+OK\r\n+OK logged in\r\n");
    assert!(matches!(c.next_event(), Some(Event::LoggedIn { .. })));
    c.take_output();
    c
}

#[test]
fn a_listing_at_the_limit_is_read_and_one_more_entry_ends_the_session() {
    for (entries, over) in [(3, false), (4, true)] {
        let mut c = logged_in_client(3);
        c.uidl(None).unwrap();
        let mut listing = String::from("+OK\r\n");
        for n in 1..=entries {
            listing.push_str(&format!("{n} uid-{n}\r\n"));
        }
        listing.push_str(".\r\n");
        c.receive(listing.as_bytes());
        match c.next_event() {
            Some(Event::UidList(list)) if !over => assert_eq!(list.len(), 3),
            Some(Event::Closed { error, .. }) if over => assert!(
                matches!(error, Some(ClientError::ListingTooLong { limit: 3 })),
                "{error:?}"
            ),
            other => panic!("{entries} entries: {other:?}"),
        }
        assert_eq!(c.is_closed(), over);
    }
    // The same bound holds for LIST, and for a listing that never ends.
    let mut c = logged_in_client(1000);
    c.list(None).unwrap();
    c.receive(b"+OK\r\n");
    for n in 1..=5000 {
        c.receive(format!("{n} 100\r\n").as_bytes());
        if c.is_closed() {
            break;
        }
    }
    assert!(matches!(
        c.next_event(),
        Some(Event::Closed {
            error: Some(ClientError::ListingTooLong { limit: 1000 }),
            ..
        })
    ));
}

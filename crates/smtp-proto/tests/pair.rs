//! The client state machine talking to the server state machine in memory, and client
//! behaviour against scripted servers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mail_core::address::rfc5321::ForwardPath;
use mail_core::sasl::client::Credentials;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
use mail_core::sasl::{Mechanism, Nonce};
use smtp_proto::client::{self, MailTransaction};
use smtp_proto::command::HeloDomain;
use smtp_proto::error::SendError;
use smtp_proto::prelude::*;
use smtp_proto::reply::{EnhancedStatusCode, Reply, ReplyCode};
use smtp_proto::server;

/// What the in-memory server application decided and stored.
#[derive(Default, Debug)]
struct ServerSide {
    messages: Vec<(Vec<String>, Vec<u8>)>,
    current: Vec<u8>,
    authenticated: Option<String>,
    discarded: usize,
}

/// What the client application saw.
#[derive(Default, Debug)]
struct ClientSide {
    events: Vec<client::Event>,
    body: Vec<u8>,
    chunk: usize,
    actions: Vec<Action>,
}

#[derive(Debug, Clone)]
enum Action {
    StartTls,
    Auth(Credentials),
    Send(MailTransaction),
    Quit,
}

fn salt() -> Vec<u8> {
    b"0123456789abcdef".to_vec()
}

fn server_app(conn: &mut server::Connection, side: &mut ServerSide) {
    loop {
        let Some(event) = conn.next_event() else {
            return;
        };
        match event {
            server::Event::Rcpt { forward_path, .. }
                if forward_path.to_string().contains("nobody") =>
            {
                conn.send(
                    Reply::new(
                        ReplyCode::MAILBOX_UNAVAILABLE,
                        EnhancedStatusCode::new(5, 1, 1),
                        "No such user",
                    )
                    .unwrap(),
                )
                .unwrap();
            }
            server::Event::MessageStart { .. } => side.current.clear(),
            server::Event::MessageData(d) => side.current.extend_from_slice(&d),
            server::Event::MessageEnd { envelope } => {
                let rcpts = envelope
                    .recipients
                    .iter()
                    .map(|r| r.forward_path.to_string())
                    .collect();
                side.messages
                    .push((rcpts, std::mem::take(&mut side.current)));
                conn.accept().unwrap();
            }
            server::Event::AuthVerify(v) => {
                let answer = match v {
                    Verification::Password {
                        authentication_identity,
                        password,
                        ..
                    } => {
                        if authentication_identity == "alice" && password.expose() == "secret" {
                            Answer::Accept
                        } else {
                            Answer::Reject
                        }
                    }
                    Verification::CramMd5 { username } if username == "alice" => {
                        Answer::Password(mail_core::Secret::new("secret".into()))
                    }
                    Verification::Scram { username, .. } if username == "alice" => {
                        Answer::ScramCredentials(
                            ScramCredentials::derive("secret", &salt(), 4096).unwrap(),
                        )
                    }
                    _ => Answer::Reject,
                };
                conn.auth_answer(answer).unwrap();
            }
            server::Event::Authenticated {
                authentication_identity,
                ..
            } => side.authenticated = authentication_identity,
            server::Event::StartTls => conn.tls_established().unwrap(),
            server::Event::InputDiscarded { len } => side.discarded += len,
            e if e.needs_answer() => conn.accept().unwrap(),
            _ => {}
        }
    }
}

fn client_app(conn: &mut client::Connection, side: &mut ClientSide) {
    loop {
        let Some(event) = conn.next_event() else {
            return;
        };
        side.events.push(event.clone());
        match event {
            client::Event::Ready(_)
            | client::Event::MessageSent { .. }
            | client::Event::TransactionFailed(_)
            | client::Event::Authenticated(_)
            | client::Event::AuthenticationFailed { .. } => next_action(conn, side),
            client::Event::StartTls => {
                conn.tls_established().unwrap();
            }
            client::Event::SendBody => {
                let chunk = side.chunk.max(1);
                for piece in side.body.clone().chunks(chunk) {
                    conn.send_body(piece).unwrap();
                }
                conn.finish_body().unwrap();
            }
            _ => {}
        }
    }
}

fn next_action(conn: &mut client::Connection, side: &mut ClientSide) {
    if side.actions.is_empty() {
        return;
    }
    match side.actions.remove(0) {
        Action::StartTls => conn.starttls().unwrap(),
        Action::Auth(creds) => conn
            .authenticate(creds, &"rOprNGfwEbeRWgbNEkqO".parse::<Nonce>().unwrap())
            .unwrap(),
        Action::Send(mail) => conn.send_mail(mail).unwrap(),
        Action::Quit => conn.quit().unwrap(),
    }
}

/// Runs both machines until neither has anything to say; returns the bytes exchanged.
fn run(
    server_config: server::Config,
    client_config: client::Config,
    side: ClientSide,
) -> (ServerSide, ClientSide, usize) {
    let mut server_config = server_config;
    server_config.nonce = Some("3rfcNHYJY1ZVvWVs7j".parse().unwrap());
    let mut server = server::Connection::new(server_config);
    let mut client = client::Connection::new(client_config);
    let mut s = ServerSide::default();
    let mut c = side;
    let mut wire = 0;
    for _ in 0..1000 {
        server_app(&mut server, &mut s);
        let to_client = server.take_output();
        // The client reads through the zero-copy path, the server through `receive`.
        client.receive_buf(&mut bytes::BytesMut::from(&to_client[..]));
        client_app(&mut client, &mut c);
        let to_server = client.take_output();
        wire += to_client.len() + to_server.len();
        if to_client.is_empty() && to_server.is_empty() {
            break;
        }
        // Feed the server in small pieces to exercise partial input.
        for piece in to_server.chunks(7) {
            server.receive(piece);
        }
    }
    (s, c, wire)
}

fn fp(s: &str) -> ForwardPath {
    s.parse().unwrap()
}

fn mail(to: &[&str]) -> MailTransaction {
    MailTransaction::new(
        "<sender@client.example>".parse().unwrap(),
        to.iter().map(|t| fp(t)),
    )
}

fn client_config() -> client::Config {
    client::Config::new(HeloDomain::parse(b"client.example").unwrap())
}

fn server_config() -> server::Config {
    let mut c = server::Config::default();
    c.hostname = "mx.example".into();
    c
}

const BODY: &[u8] =
    b"Subject: test\r\n\r\n.leading dot\r\n..two dots\r\nbare lf\nlast line without crlf";
const BODY_ON_THE_WIRE: &[u8] =
    b"Subject: test\r\n\r\n.leading dot\r\n..two dots\r\nbare lf\r\nlast line without crlf\r\n";

fn recipients_of(events: &[client::Event]) -> Vec<(String, u16)> {
    events
        .iter()
        .filter_map(|e| match e {
            client::Event::Recipient {
                forward_path,
                reply,
            } => Some((forward_path.to_string(), reply.code().get())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_message_with_one_rejected_recipient_reaches_the_others() {
    for pipelining in [true, false] {
        let mut sc = server_config();
        sc.extensions.pipelining = pipelining;
        let side = ClientSide {
            body: BODY.to_vec(),
            chunk: 5,
            actions: vec![
                Action::Send(mail(&[
                    "<a@mx.example>",
                    "<nobody@mx.example>",
                    "<b@mx.example>",
                ])),
                Action::Quit,
            ],
            ..ClientSide::default()
        };
        let (s, c, _) = run(sc, client_config(), side);
        assert_eq!(s.messages.len(), 1, "pipelining={pipelining}");
        assert_eq!(s.messages[0].0, vec!["<a@mx.example>", "<b@mx.example>"]);
        assert_eq!(s.messages[0].1, BODY_ON_THE_WIRE);
        assert_eq!(
            recipients_of(&c.events),
            vec![
                ("<a@mx.example>".into(), 250),
                ("<nobody@mx.example>".into(), 550),
                ("<b@mx.example>".into(), 250)
            ]
        );
        let sent = c.events.iter().find_map(|e| match e {
            client::Event::MessageSent { replies } => Some(replies.clone()),
            _ => None,
        });
        assert_eq!(sent.unwrap().len(), 2);
        assert!(
            matches!(c.events.last(), Some(client::Event::Closed { reason: CloseReason::Quit, reply: Some(r), .. }) if r.code() == ReplyCode::CLOSING)
        );
    }
}

#[test]
fn pipelining_sends_fewer_round_trips_but_the_same_bytes_arrive() {
    let side = || ClientSide {
        body: BODY.to_vec(),
        chunk: 1000,
        actions: vec![
            Action::Send(mail(&["<a@mx.example>", "<b@mx.example>"])),
            Action::Quit,
        ],
        ..ClientSide::default()
    };
    let (s1, _, _) = run(server_config(), client_config(), side());
    let mut no_pipe = server_config();
    no_pipe.extensions.pipelining = false;
    let (s2, _, _) = run(no_pipe, client_config(), side());
    assert_eq!(s1.messages, s2.messages);
}

#[test]
fn all_recipients_rejected_fails_the_transaction_and_resets() {
    for pipelining in [true, false] {
        let mut sc = server_config();
        sc.extensions.pipelining = pipelining;
        let side = ClientSide {
            body: BODY.to_vec(),
            actions: vec![
                Action::Send(mail(&["<nobody@mx.example>"])),
                Action::Send(mail(&["<a@mx.example>"])),
                Action::Quit,
            ],
            ..ClientSide::default()
        };
        let (s, c, _) = run(sc, client_config(), side);
        assert!(
            c.events
                .iter()
                .any(|e| matches!(e, client::Event::TransactionFailed(_))),
            "pipelining={pipelining}"
        );
        // The second message still goes through: the client reset the server's state.
        assert_eq!(
            s.messages.len(),
            1,
            "pipelining={pipelining}: {:?}",
            c.events
        );
    }
}

#[test]
fn bdat_chunking_carries_the_body_with_crlf_line_ends_and_no_stuffing() {
    // RFC 5321 §2.3.8: without BODY=BINARYMIME, BDAT content is text like DATA's. Chunks of
    // 10 octets cut CRLFs in two; the client makes the bare LF and the unfinished last line
    // CRLF (the server refuses a bare LF by default), and adds no dots.
    let mut cc = client_config();
    cc.chunking = true;
    for pipelining in [true, false] {
        cc.pipelining = pipelining;
        let side = ClientSide {
            body: BODY.to_vec(),
            chunk: 10,
            actions: vec![Action::Send(mail(&["<a@mx.example>"])), Action::Quit],
            ..ClientSide::default()
        };
        let (s, c, _) = run(server_config(), cc.clone(), side);
        assert_eq!(s.messages.len(), 1, "{:?}", c.events);
        assert_eq!(s.messages[0].1, BODY_ON_THE_WIRE, "pipelining={pipelining}");
    }
}

#[test]
fn starttls_then_auth_with_the_strongest_shared_mechanism() {
    let mut sc = server_config();
    sc.extensions.starttls = true;
    sc.sasl_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ];
    let side = ClientSide {
        body: b"hi\r\n".to_vec(),
        actions: vec![
            Action::StartTls,
            Action::Auth(Credentials::password("alice", "secret")),
            Action::Send(mail(&["<a@mx.example>"])),
            Action::Quit,
        ],
        ..ClientSide::default()
    };
    let (s, c, _) = run(sc, client_config(), side);
    assert_eq!(s.authenticated.as_deref(), Some("alice"));
    assert!(
        c.events
            .contains(&client::Event::Authenticated(Mechanism::ScramSha256)),
        "{:?}",
        c.events
    );
    assert_eq!(s.messages.len(), 1);
    assert_eq!(s.discarded, 0);
    assert_eq!(
        c.events
            .iter()
            .filter(|e| matches!(e, client::Event::Ready(_)))
            .count(),
        2
    );
}

#[test]
fn every_password_mechanism_authenticates_and_a_wrong_password_fails() {
    for mech in [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ] {
        for (password, ok) in [("secret", true), ("wrong", false)] {
            let mut sc = server_config();
            sc.tls_active = true;
            sc.sasl_mechanisms = vec![mech.clone()];
            let mut cc = client_config();
            cc.tls_active = true;
            let side = ClientSide {
                actions: vec![
                    Action::Auth(Credentials::password("alice", password)),
                    Action::Quit,
                ],
                ..ClientSide::default()
            };
            let (s, c, _) = run(sc, cc, side);
            let authenticated = c
                .events
                .contains(&client::Event::Authenticated(mech.clone()));
            assert_eq!(authenticated, ok, "{mech}: {password}: {:?}", c.events);
            assert_eq!(s.authenticated.is_some(), ok, "{mech}");
            if !ok {
                assert!(c.events.iter().any(|e| matches!(e, client::Event::AuthenticationFailed { reply, .. } if reply.code() == ReplyCode::AUTH_INVALID)));
            }
        }
    }
}

#[test]
fn the_client_refuses_to_authenticate_in_plaintext() {
    let mut sc = server_config();
    sc.allow_plaintext_auth = true;
    sc.sasl_mechanisms = vec![Mechanism::Plain];
    let mut server = server::Connection::new(sc);
    let mut client = client::Connection::new(client_config());
    let mut s = ServerSide::default();
    let mut c = ClientSide::default();
    for _ in 0..3 {
        server_app(&mut server, &mut s);
        client.receive(&server.take_output());
        client_app(&mut client, &mut c);
        server.receive(&client.take_output());
    }
    assert_eq!(client.state(), client::State::Ready);
    let nonce: Nonce = "abcdefgh".parse().unwrap();
    assert_eq!(
        client.authenticate(Credentials::password("alice", "secret"), &nonce),
        Err(SendError::NotAllowed)
    );
}

#[test]
fn lmtp_gives_one_final_reply_per_recipient() {
    let mut sc = server::Config::lmtp();
    sc.hostname = "lmtp.example".into();
    let mut cc = client_config();
    cc.lmtp = true;
    let side = ClientSide {
        body: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
        actions: vec![
            Action::Send(mail(&[
                "<a@mx.example>",
                "<nobody@mx.example>",
                "<b@mx.example>",
            ])),
            Action::Quit,
        ],
        ..ClientSide::default()
    };
    let (s, c, _) = run(sc, cc, side);
    assert_eq!(s.messages.len(), 1);
    let replies = c
        .events
        .iter()
        .find_map(|e| match e {
            client::Event::MessageSent { replies } => Some(replies.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        replies
            .iter()
            .map(|(f, _)| f.to_string())
            .collect::<Vec<_>>(),
        vec!["<a@mx.example>", "<b@mx.example>"]
    );
}

#[test]
fn size_is_declared_when_offered_and_too_large_refused_locally() {
    let mut sc = server_config();
    sc.max_message_size = 1000;
    let mut big = mail(&["<a@mx.example>"]);
    big.size = Some(5000);
    let mut small = mail(&["<a@mx.example>"]);
    small.size = Some(4);
    let mut server = server::Connection::new(sc);
    let mut client = client::Connection::new(client_config());
    let mut s = ServerSide::default();
    let mut c = ClientSide {
        body: b"hi\r\n".to_vec(),
        ..ClientSide::default()
    };
    for _ in 0..3 {
        server_app(&mut server, &mut s);
        client.receive(&server.take_output());
        client_app(&mut client, &mut c);
        server.receive(&client.take_output());
    }
    assert_eq!(
        client.send_mail(big),
        Err(SendError::TooLarge {
            size: 5000,
            max: 1000
        })
    );
    client.send_mail(small).unwrap();
    let wire = client.take_output();
    assert!(
        String::from_utf8_lossy(&wire).starts_with("MAIL FROM:<sender@client.example> SIZE=4\r\n")
    );
}

#[test]
fn utf8_addresses_need_smtputf8() {
    let mut sc = server_config();
    sc.extensions.smtputf8 = false;
    let mut server = server::Connection::new(sc);
    let mut client = client::Connection::new(client_config());
    let (mut s, mut c) = (ServerSide::default(), ClientSide::default());
    for _ in 0..3 {
        server_app(&mut server, &mut s);
        client.receive(&server.take_output());
        client_app(&mut client, &mut c);
        server.receive(&client.take_output());
    }
    let m = mail(&["<j\u{f6}rg@mx.example>"]);
    assert_eq!(client.send_mail(m), Err(SendError::NotOffered("SMTPUTF8")));
    // With SMTPUTF8 offered the parameter is added.
    let side = ClientSide {
        body: b"hi\r\n".to_vec(),
        actions: vec![
            Action::Send(mail(&["<j\u{f6}rg@mx.example>"])),
            Action::Quit,
        ],
        ..ClientSide::default()
    };
    let (s, _, _) = run(server_config(), client_config(), side);
    assert_eq!(s.messages.len(), 1);
}

/// Feeds a scripted server's bytes to a client and returns its output and events.
fn scripted(
    server_lines: &[&str],
    act: impl Fn(&mut client::Connection, &client::Event),
) -> (
    String,
    Vec<client::Event>,
    Option<smtp_proto::error::ClientError>,
) {
    let mut client = client::Connection::new(client_config());
    let mut events = Vec::new();
    let mut error = None;
    for line in server_lines {
        client.receive(line.as_bytes());
        while let Some(e) = client.next_event() {
            if let client::Event::Closed { error: Some(e), .. } = &e {
                error = Some(e.clone());
            }
            act(&mut client, &e);
            events.push(e);
        }
    }
    (
        String::from_utf8(client.take_output().to_vec()).unwrap(),
        events,
        error,
    )
}

#[test]
fn ehlo_falls_back_to_helo() {
    let (out, events, error) = scripted(
        &[
            "220 old.example\r\n",
            "502 what?\r\n",
            "250 old.example\r\n",
        ],
        |_, _| {},
    );
    assert!(error.is_none());
    assert_eq!(out, "EHLO client.example\r\nHELO client.example\r\n");
    assert!(matches!(events.last(), Some(client::Event::Ready(caps)) if caps.is_empty()));
}

#[test]
fn a_reply_arriving_with_the_starttls_220_is_rejected() {
    let (out, events, error) = scripted(
        &[
            "220 mx.example ESMTP\r\n",
            "250-mx.example\r\n250 STARTTLS\r\n",
            "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n",
        ],
        |c, e| {
            if matches!(e, client::Event::Ready(_)) {
                c.starttls().unwrap();
            }
        },
    );
    assert_eq!(out, "EHLO client.example\r\nSTARTTLS\r\n");
    assert!(events.contains(&client::Event::StartTls));
    assert_eq!(
        error,
        Some(smtp_proto::error::ClientError::DataAfterStartTls)
    );
}

#[test]
fn a_malformed_or_unasked_reply_is_an_error() {
    let (_, _, error) = scripted(&["220 mx\r\n", "250 mx\r\n", "250 unasked\r\n"], |_, _| {});
    assert!(matches!(
        error,
        Some(smtp_proto::error::ClientError::UnexpectedReply(_))
    ));
    let (_, _, error) = scripted(&["220 mx\r\n", "25x mx\r\n"], |_, _| {});
    assert!(matches!(
        error,
        Some(smtp_proto::error::ClientError::Reply(_))
    ));
    let (_, events, error) = scripted(&["554 go away\r\n"], |_, _| {});
    assert!(error.is_none());
    assert!(matches!(
        events.last(),
        Some(client::Event::Closed {
            reason: CloseReason::ServerClosed,
            reply: Some(_),
            error: None
        })
    ));
}

#[test]
fn a_421_closes_the_session() {
    let (_, events, error) = scripted(
        &["220 mx\r\n", "250 mx\r\n", "421 4.3.2 shutting down\r\n"],
        |_, _| {},
    );
    assert!(error.is_none());
    assert!(
        matches!(events.last(), Some(client::Event::Closed { reason: CloseReason::ServerClosed, reply: Some(r), .. }) if r.code().get() == 421)
    );
}

#[test]
fn seed_overview_smtp_handshake_client_role() {
    // The seed overview's SMTP exchange, from the client's side: the client's bytes must be
    // the overview's client lines (with EHLO, as a modern client says it).
    let mut client = client::Connection::new(client::Config::new(
        HeloDomain::parse(b"mydomain.com").unwrap(),
    ));
    let mut out = String::new();
    let step = |server: &str, client: &mut client::Connection, out: &mut String| {
        client.receive(server.as_bytes());
        while let Some(e) = client.next_event() {
            match e {
                client::Event::Ready(_) => client
                    .send_mail(MailTransaction::new(
                        "<sender@mydomain.com>".parse().unwrap(),
                        [fp("<recipient@example.com>")],
                    ))
                    .unwrap(),
                client::Event::SendBody => {
                    client.send_body(b"(email content)\r\n").unwrap();
                    client.finish_body().unwrap();
                }
                client::Event::MessageSent { .. } => client.quit().unwrap(),
                _ => {}
            }
        }
        out.push_str(core::str::from_utf8(&client.take_output()).unwrap());
    };
    step("220 mydomain.com ESMTP\r\n", &mut client, &mut out);
    step(
        "250 mydomain.com, pleased to meet you\r\n",
        &mut client,
        &mut out,
    );
    step("250 OK\r\n", &mut client, &mut out);
    step("250 OK\r\n", &mut client, &mut out);
    step("354 Go ahead\r\n", &mut client, &mut out);
    step("250 OK\r\n", &mut client, &mut out);
    step("221 bye\r\n", &mut client, &mut out);
    assert_eq!(
        out,
        "EHLO mydomain.com\r\nMAIL FROM:<sender@mydomain.com>\r\nRCPT TO:<recipient@example.com>\r\nDATA\r\n\
(email content)\r\n.\r\nQUIT\r\n"
    );
    assert_eq!(client.state(), client::State::Closed);
}

//! The crate's client talking to its own server, in memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use mail_core::sasl::Mechanism;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
use pop3_proto::client::{self, Event, Login, LoginMethod};
use pop3_proto::command::MessageNumber;
use pop3_proto::prelude::*;
use pop3_proto::server;
use support::{Fixture, Seen, drive, message};

struct Pair {
    server: server::Connection,
    client: client::Connection,
    fixture: Fixture,
    seen: Seen,
    events: Vec<Event>,
    body: Vec<u8>,
    bodies: Vec<Vec<u8>>,
    wire: Vec<u8>,
}

fn auth(v: &Verification) -> Answer {
    match v {
        Verification::Password { password, .. } if password.expose() == "password" => {
            Answer::Accept
        }
        Verification::CramMd5 { .. } => Answer::Password("password".to_owned().into()),
        Verification::Scram { .. } => {
            Answer::ScramCredentials(ScramCredentials::derive("password", b"salty", 4096).unwrap())
        }
        _ => Answer::Reject,
    }
}

impl Pair {
    fn new(server_config: server::Config, client_config: client::Config) -> Self {
        Self {
            server: server::Connection::new(server_config),
            client: client::Connection::new(client_config),
            fixture: Fixture::default(),
            seen: Seen::default(),
            events: Vec::new(),
            body: Vec::new(),
            bodies: Vec::new(),
            wire: Vec::new(),
        }
    }

    /// Moves bytes both ways until neither side has anything to say.
    fn pump(&mut self) {
        loop {
            let mut out = Vec::new();
            drive(
                &mut self.server,
                &self.fixture,
                &auth,
                &mut self.seen,
                &mut out,
            );
            if core::mem::take(&mut self.seen.start_tls) {
                self.server.tls_established().unwrap();
            }
            self.wire.extend_from_slice(&out);
            self.client.receive(&out);
            let mut progressed = !out.is_empty();
            while let Some(event) = self.client.next_event() {
                progressed = true;
                match &event {
                    Event::MessageStart { .. } => self.body.clear(),
                    Event::MessageData(d) => self.body.extend_from_slice(d),
                    Event::MessageEnd { .. } => self.bodies.push(core::mem::take(&mut self.body)),
                    Event::StartTls => self.client.tls_established().unwrap(),
                    _ => {}
                }
                self.events.push(event);
            }
            let to_server = self.client.take_output();
            if !to_server.is_empty() {
                progressed = true;
                self.server.receive(&to_server);
            }
            if !progressed {
                break;
            }
        }
    }

    fn logged_in(&self) -> Option<LoginMethod> {
        self.events.iter().find_map(|e| match e {
            Event::LoggedIn { method, .. } => Some(method.clone()),
            _ => None,
        })
    }
}

fn m(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

fn configs() -> (server::Config, client::Config) {
    let mut s = server::Config::default();
    s.allow_plaintext_auth = true;
    s.sasl_mechanisms = Mechanism::IMPLEMENTED.to_vec();
    s.nonce = Some("servernonce".parse().unwrap());
    let mut c = client::Config::default();
    c.allow_plaintext_auth = true;
    (s, c)
}

fn login(pair: &mut Pair, with_nonce: bool) {
    pair.pump();
    pair.client.capa().unwrap();
    pair.pump();
    let mut l = Login::new("username", "password");
    if with_nonce {
        l.nonce = Some("clientnonce".parse().unwrap());
    }
    pair.client.login(l).unwrap();
    pair.pump();
}

#[test]
fn scram_login_then_full_session() {
    let (s, c) = configs();
    let mut pair = Pair::new(s, c);
    login(&mut pair, true);
    assert_eq!(
        pair.logged_in(),
        Some(LoginMethod::Sasl(Mechanism::ScramSha256))
    );
    assert_eq!(pair.server.state(), server::State::Transaction);
    for call in [
        pair.client.stat(),
        pair.client.list(None),
        pair.client.uidl(None),
        pair.client.retr(m(1)),
        pair.client.top(m(2), 1),
        pair.client.dele(m(1)),
        pair.client.quit(),
    ] {
        call.unwrap();
    }
    pair.pump();
    assert!(pair.events.contains(&Event::Stat {
        count: 2,
        size: 800
    }));
    assert_eq!(pair.bodies[0], pair.fixture.messages[0].1);
    assert!(pair.bodies[1].starts_with(b"Subject: message 2\r\n"));
    assert!(pair.bodies[1].ends_with(b"\r\n\r\n.dotted line\r\n"));
    assert_eq!(pair.seen.deleted, vec![vec![1]]);
    assert!(matches!(
        pair.events.last(),
        Some(Event::Closed {
            reason: CloseReason::Quit,
            ..
        })
    ));
    assert!(pair.server.is_closed());
    // PIPELINING was offered: the five commands left in one write, before any answer.
    let wire = String::from_utf8_lossy(&pair.wire);
    assert!(wire.contains("+OK 2 800\r\n"));
}

#[test]
fn cram_md5_without_client_nonce() {
    let (s, c) = configs();
    let mut pair = Pair::new(s, c);
    login(&mut pair, false);
    assert_eq!(
        pair.logged_in(),
        Some(LoginMethod::Sasl(Mechanism::CramMd5))
    );
}

#[test]
fn apop_when_sasl_is_not_offered() {
    let (mut s, c) = configs();
    s.sasl_mechanisms.clear();
    s.apop_timestamp = Some("<42.1@pair.example>".into());
    let mut pair = Pair::new(s, c);
    login(&mut pair, true);
    assert_eq!(pair.logged_in(), Some(LoginMethod::Apop));
}

#[test]
fn user_pass_as_last_resort_and_wrong_password() {
    let (mut s, c) = configs();
    s.sasl_mechanisms.clear();
    let mut pair = Pair::new(s, c);
    pair.pump();
    pair.client.login(Login::new("username", "nope")).unwrap();
    pair.pump();
    assert!(matches!(pair.events.last(), Some(Event::LoginFailed(_))));
    pair.client
        .login(Login::new("username", "password"))
        .unwrap();
    pair.pump();
    assert_eq!(pair.logged_in(), Some(LoginMethod::UserPass));
}

#[test]
fn stls_then_login() {
    let (mut s, mut c) = configs();
    s.allow_plaintext_auth = false;
    s.stls = true;
    c.allow_plaintext_auth = false;
    let mut pair = Pair::new(s, c);
    pair.pump();
    pair.client.capa().unwrap();
    pair.pump();
    assert!(pair.client.capabilities().unwrap().stls());
    assert!(pair.client.capabilities().unwrap().sasl().is_empty());
    pair.client.stls().unwrap();
    pair.pump();
    assert!(pair.client.is_tls_active() && pair.server.is_tls_active());
    assert!(pair.client.capabilities().is_none());
    login(&mut pair, true);
    assert_eq!(
        pair.logged_in(),
        Some(LoginMethod::Sasl(Mechanism::ScramSha256))
    );
}

#[test]
fn large_message_with_dot_lines_survives_the_round_trip() {
    let (s, c) = configs();
    let mut pair = Pair::new(s, c);
    let mut content = Vec::new();
    for i in 0..5000 {
        if i % 3 == 0 {
            content.extend_from_slice(b".");
        }
        content.extend_from_slice(format!("line {i} .\r\n").as_bytes());
    }
    content.extend_from_slice(b".\r\n..\r\n");
    pair.fixture.messages = vec![
        ("big".into(), content.clone()),
        ("m2".into(), message(10, 2)),
    ];
    pair.fixture.chunk = 4093;
    login(&mut pair, true);
    pair.client.retr(m(1)).unwrap();
    pair.client.top(m(1), 0).unwrap();
    pair.pump();
    assert_eq!(pair.bodies[0], content);
    assert_eq!(
        pair.bodies[1], content,
        "no header/body separator: TOP sends it all"
    );
}

#[test]
fn errors_from_the_server_become_failed_events() {
    let (s, c) = configs();
    let mut pair = Pair::new(s, c);
    login(&mut pair, true);
    pair.client.retr(m(9)).unwrap();
    pair.client.dele(m(1)).unwrap();
    pair.client.dele(m(1)).unwrap();
    pair.client.list(Some(m(1))).unwrap();
    pair.client.rset().unwrap();
    pair.client.list(Some(m(1))).unwrap();
    pair.pump();
    let failed: Vec<&str> = pair
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Failed { command, .. } => Some(*command),
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec!["RETR", "DELE", "LIST"]);
    assert!(pair.events.contains(&Event::Reset));
}

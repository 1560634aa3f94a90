//! No `Debug` output shows a credential: the client and server connections, their events and
//! the commands on the wire are formatted at every step of each login method, and neither the
//! password nor any base64 form of it (alone, or inside the PLAIN message) may appear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use mail_core::sasl::Mechanism;
use mail_core::sasl::client::Credentials;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
use smtp_proto::client;
use smtp_proto::command::{Command, HeloDomain};
use smtp_proto::prelude::*;
use smtp_proto::server;

const USER: &str = "alice";
const PASSWORD: &str = "Tr0ub4dor&3-horse-battery";

/// Every form in which the password could leak.
fn forbidden() -> Vec<String> {
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = vec![PASSWORD.to_owned(), b64(PASSWORD.as_bytes())];
    for authz in ["", USER] {
        out.push(b64(format!("{authz}\0{USER}\0{PASSWORD}").as_bytes()));
    }
    // Base64 of the password at the three alignments it can take inside a longer message.
    for pad in ["", "x", "xx"] {
        let encoded = b64(format!("{pad}{PASSWORD}").as_bytes());
        out.push(encoded.get(4..20).unwrap().to_owned());
    }
    out
}

fn check(what: &str, shown: &str) {
    for f in forbidden() {
        assert!(!shown.contains(&f), "{what} shows {f:?}: {shown}");
    }
}

fn login(mechanism: Mechanism) -> usize {
    let mut sc = server::Config::default();
    sc.allow_plaintext_auth = true;
    sc.sasl_mechanisms = vec![mechanism.clone()];
    sc.nonce = Some("server-nonce-1234".parse().unwrap());
    let mut server = server::Connection::new(sc);
    let mut cc = client::Config::new(HeloDomain::parse(b"client.example").unwrap());
    cc.allow_plaintext_auth = true;
    cc.sasl_mechanisms = vec![mechanism.clone()];
    let mut client = client::Connection::new(cc);
    let salt = b"0123456789abcdef";
    let mut checked = 0;
    let mut authenticated = false;
    for _ in 0..50 {
        let to_client = server.take_output();
        client.receive(&to_client);
        while let Some(event) = client.next_event() {
            check("a client event", &format!("{event:?}"));
            match event {
                client::Event::Ready(_) if !authenticated => {
                    let nonce = "client-nonce-5678".parse().unwrap();
                    client
                        .authenticate(Credentials::password(USER, PASSWORD), &nonce)
                        .unwrap();
                }
                client::Event::Authenticated(m) => {
                    assert_eq!(m, mechanism);
                    authenticated = true;
                    client.quit().unwrap();
                }
                client::Event::AuthenticationFailed { reply, .. } => panic!("{reply}"),
                _ => {}
            }
            check("the client", &format!("{client:?}"));
            checked += 1;
        }
        let to_server = client.take_output();
        // The AUTH command carries the initial response (continuation lines are no commands).
        for line in to_server.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Ok(command @ Command::Auth { .. }) = Command::parse(line) {
                check("the AUTH command", &format!("{command:?}"));
            }
        }
        server.receive(&to_server);
        check("the server with input", &format!("{server:?}"));
        while let Some(event) = server.next_event() {
            check("a server event", &format!("{event:?}"));
            match event {
                server::Event::AuthVerify(v) => {
                    let answer = match v {
                        Verification::Password { password, .. } => {
                            assert_eq!(password.expose(), PASSWORD);
                            Answer::Accept
                        }
                        Verification::CramMd5 { .. } => {
                            Answer::Password(mail_core::Secret::new(PASSWORD.to_owned()))
                        }
                        Verification::Scram { .. } => Answer::ScramCredentials(
                            ScramCredentials::derive(PASSWORD, salt, 4096).unwrap(),
                        ),
                        other => panic!("{other:?}"),
                    };
                    server.auth_answer(answer).unwrap();
                }
                e if e.needs_answer() => server.accept().unwrap(),
                _ => {}
            }
            check("the server", &format!("{server:?}"));
            checked += 1;
        }
        if client.is_closed() && server.is_closed() {
            break;
        }
    }
    assert!(authenticated, "{mechanism} did not authenticate");
    checked
}

#[test]
fn no_debug_output_shows_the_password_after_any_login() {
    for mechanism in [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ] {
        assert!(login(mechanism) > 4);
    }
}

#[test]
fn the_forbidden_forms_would_be_found() {
    // The check itself must be able to fail: the PLAIN line a client sends holds one.
    let plain = base64::engine::general_purpose::STANDARD
        .encode(format!("\0{USER}\0{PASSWORD}").as_bytes());
    let line = format!("AUTH PLAIN {plain}");
    assert!(forbidden().iter().any(|f| line.contains(f)));
    let login_line = base64::engine::general_purpose::STANDARD.encode(PASSWORD);
    assert!(forbidden().iter().any(|f| login_line.contains(f)));
}

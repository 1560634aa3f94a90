//! No `Debug` output shows a credential: the client and server connections, their events and
//! the commands on the wire are formatted at every step of each login method (USER/PASS, APOP,
//! and AUTH with PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256), and neither the password nor any
//! base64 form of it may appear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use mail_core::sasl::Mechanism;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
use pop3_proto::client::{self, Login, LoginMethod};
use pop3_proto::command::Command;
use pop3_proto::prelude::*;
use pop3_proto::server::{self, Maildrop};

const USER: &str = "alice";
const PASSWORD: &str = "Tr0ub4dor&3-horse-battery";

/// Every form in which the password could leak.
fn forbidden() -> Vec<String> {
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = vec![PASSWORD.to_owned(), b64(PASSWORD.as_bytes())];
    for authz in ["", USER] {
        out.push(b64(format!("{authz}\0{USER}\0{PASSWORD}").as_bytes()));
    }
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

/// Logs in with whatever the server's configuration leaves the client, and returns how.
fn login(mechanisms: Vec<Mechanism>, apop: bool) -> LoginMethod {
    let mut sc = server::Config::default();
    sc.allow_plaintext_auth = true;
    sc.sasl_mechanisms = mechanisms.clone();
    sc.nonce = Some("server-nonce-1234".parse().unwrap());
    sc.apop_timestamp = apop.then(|| "<1896.697170952@dbc.mtview.ca.us>".to_owned());
    let mut server = server::Connection::new(sc);
    let mut cc = client::Config::default();
    cc.allow_plaintext_auth = true;
    cc.sasl_mechanisms = mechanisms;
    let mut client = client::Connection::new(cc);
    let salt = b"0123456789abcdef";
    let mut method = None;
    for _ in 0..50 {
        let to_client = server.take_output();
        client.receive(&to_client);
        while let Some(event) = client.next_event() {
            check("a client event", &format!("{event:?}"));
            match event {
                client::Event::Greeting(_) => client.capa().unwrap(),
                client::Event::Capabilities(_) => {
                    let mut login = Login::new(USER, PASSWORD);
                    login.nonce = Some("client-nonce-5678".parse().unwrap());
                    client.login(login).unwrap();
                }
                client::Event::LoggedIn { method: m, .. } => {
                    method = Some(m);
                    client.quit().unwrap();
                }
                client::Event::LoginFailed(line) => panic!("{line:?}"),
                _ => {}
            }
            check("the client", &format!("{client:?}"));
        }
        let to_server = client.take_output();
        for line in to_server.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Ok(command @ (Command::Pass(_) | Command::Auth(_) | Command::Apop { .. })) =
                Command::parse(line)
            {
                check("a login command", &format!("{command:?}"));
            }
        }
        server.receive(&to_server);
        check("the server with input", &format!("{server:?}"));
        while let Some(event) = server.next_event() {
            check("a server event", &format!("{event:?}"));
            match event {
                server::Event::CheckPassword { password, .. } => {
                    assert_eq!(password.expose(), PASSWORD);
                    server.auth_answer(Answer::Accept).unwrap();
                }
                server::Event::ApopSecret { .. } => server
                    .auth_answer(Answer::Password(mail_core::Secret::new(
                        PASSWORD.to_owned(),
                    )))
                    .unwrap(),
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
                server::Event::Authorized { .. } => {
                    server.open_maildrop(Maildrop::default()).unwrap();
                }
                server::Event::Update { .. } => server.update_done().unwrap(),
                _ => {}
            }
            check("the server", &format!("{server:?}"));
        }
        if client.is_closed() && server.is_closed() {
            break;
        }
    }
    method.expect("logged in")
}

#[test]
fn no_debug_output_shows_the_password_after_any_login() {
    assert_eq!(login(Vec::new(), false), LoginMethod::UserPass);
    assert_eq!(login(Vec::new(), true), LoginMethod::Apop);
    for mechanism in [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ] {
        assert_eq!(
            login(vec![mechanism.clone()], false),
            LoginMethod::Sasl(mechanism)
        );
    }
}

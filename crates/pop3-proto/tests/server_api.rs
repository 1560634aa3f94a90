//! The server's answering methods, misuse, limits and hostile input, driven by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::time::Duration;
use pop3_proto::prelude::*;

use mail_core::sasl::server::Answer;
use pop3_proto::error::SendError;
use pop3_proto::response::{ResponseCode, StatusLine};
use pop3_proto::server::{
    Config, Connection, Event, LoginMethod, Maildrop, MaildropEntry, Refusal, State,
};

fn config() -> Config {
    let mut c = Config::default();
    c.allow_plaintext_auth = true;
    c
}

fn maildrop() -> Maildrop {
    Maildrop::new(vec![
        MaildropEntry::new(12, "a".parse().unwrap()),
        MaildropEntry::new(30, "b".parse().unwrap()),
    ])
}

fn out(c: &mut Connection) -> String {
    String::from_utf8(c.take_output().to_vec()).unwrap()
}

/// A connection in TRANSACTION, its output taken.
fn logged_in() -> Connection {
    let mut c = Connection::new(config());
    c.receive(b"USER u\r\nPASS p\r\n");
    assert!(matches!(c.next_event(), Some(Event::CheckPassword { .. })));
    c.auth_answer(Answer::Accept).unwrap();
    assert_eq!(
        c.next_event(),
        Some(Event::Authorized {
            user: "u".into(),
            method: LoginMethod::UserPass
        })
    );
    c.open_maildrop(maildrop()).unwrap();
    assert_eq!(c.state(), State::Transaction);
    assert_eq!(c.user(), Some("u"));
    c.take_output();
    c
}

#[test]
fn greeting_carries_the_apop_timestamp() {
    let mut c = config();
    c.apop_timestamp = Some("<7.8@host>".into());
    assert_eq!(
        out(&mut Connection::new(c)),
        "+OK POP3 server ready <7.8@host>\r\n"
    );
}

#[test]
fn an_invalid_timestamp_disables_apop() {
    let mut c = config();
    c.apop_timestamp = Some("no brackets".into());
    let mut conn = Connection::new(c);
    assert_eq!(out(&mut conn), "+OK POP3 server ready\r\n");
    conn.receive(b"APOP u 00000000000000000000000000000000\r\n");
    assert_eq!(conn.next_event(), None);
    assert!(out(&mut conn).starts_with("-ERR"));
}

#[test]
fn answers_out_of_turn_are_refused() {
    let mut c = Connection::new(config());
    assert_eq!(c.auth_answer(Answer::Accept), Err(SendError::NotAllowed));
    assert_eq!(c.open_maildrop(maildrop()), Err(SendError::NotAllowed));
    assert_eq!(c.refuse(Refusal::InUse), Err(SendError::NotAllowed));
    assert_eq!(c.message_data(b"x"), Err(SendError::NotAllowed));
    assert_eq!(c.message_end(), Err(SendError::NotAllowed));
    assert_eq!(c.update_done(), Err(SendError::NotAllowed));
    assert_eq!(c.send(StatusLine::err("x")), Err(SendError::NotAllowed));
    assert!(c.tls_established().is_err());
    assert_eq!(c.state(), State::Authorization);
}

#[test]
fn authorized_may_not_be_answered_with_ok_line() {
    let mut c = Connection::new(config());
    c.receive(b"USER u\r\nPASS p\r\n");
    c.next_event().unwrap();
    c.auth_answer(Answer::Accept).unwrap();
    c.next_event().unwrap();
    assert_eq!(c.send(StatusLine::ok("fine")), Err(SendError::NotAllowed));
    c.send(StatusLine::err_with(ResponseCode::SysTemp, "storage down"))
        .unwrap();
    assert!(out(&mut c).ends_with("-ERR [SYS/TEMP] storage down\r\n"));
    assert_eq!(c.state(), State::Authorization);
}

#[test]
fn refusals_carry_their_codes() {
    for (refusal, code) in [
        (Refusal::InUse, "[IN-USE]"),
        (Refusal::LoginDelay, "[LOGIN-DELAY]"),
        (Refusal::SysTemp, "[SYS/TEMP]"),
        (Refusal::SysPerm, "[SYS/PERM]"),
        (Refusal::Auth, "[AUTH]"),
    ] {
        let mut c = Connection::new(config());
        c.receive(b"USER u\r\nPASS p\r\n");
        c.next_event().unwrap();
        c.auth_answer(Answer::Accept).unwrap();
        c.next_event().unwrap();
        c.take_output();
        c.refuse(refusal).unwrap();
        assert!(
            out(&mut c).starts_with(&format!("-ERR {code}")),
            "{refusal:?}"
        );
        assert_eq!(c.user(), None);
    }
}

#[test]
fn retrieve_can_be_refused_or_given_its_own_first_line() {
    let mut c = logged_in();
    c.receive(b"RETR 1\r\nRETR 2\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::Retrieve {
            index: 0,
            lines: None,
            ..
        })
    ));
    c.send(StatusLine::err_with(ResponseCode::SysTemp, "cannot read"))
        .unwrap();
    assert!(matches!(
        c.next_event(),
        Some(Event::Retrieve { index: 1, .. })
    ));
    c.send(StatusLine::ok("here it comes")).unwrap();
    assert_eq!(c.send(StatusLine::ok("twice")), Err(SendError::NotAllowed));
    c.message_data(b"no final newline").unwrap();
    c.message_end().unwrap();
    assert_eq!(
        out(&mut c),
        "-ERR [SYS/TEMP] cannot read\r\n+OK here it comes\r\nno final newline\r\n.\r\n"
    );
}

#[test]
fn pipelined_commands_wait_for_the_owed_answer() {
    let mut c = logged_in();
    c.receive(b"RETR 1\r\nSTAT\r\nNOOP\r\n");
    assert!(matches!(c.next_event(), Some(Event::Retrieve { .. })));
    assert_eq!(c.next_event(), None);
    assert_eq!(c.next_event(), None);
    assert_eq!(out(&mut c), "", "nothing may overtake the RETR answer");
    c.message_data(b"x\r\n").unwrap();
    c.message_end().unwrap();
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "+OK 12 octets\r\nx\r\n.\r\n+OK 2 42\r\n+OK\r\n"
    );
}

#[test]
fn top_without_a_blank_line_sends_everything() {
    let mut c = logged_in();
    c.receive(b"TOP 1 0\r\n");
    c.next_event().unwrap();
    assert!(c.wants_message_data());
    c.message_data(b"Only: headers\r\nNo: body").unwrap();
    assert!(c.wants_message_data());
    c.message_end().unwrap();
    assert_eq!(
        out(&mut c),
        "+OK 12 octets\r\nOnly: headers\r\nNo: body\r\n.\r\n"
    );
}

#[test]
fn top_stops_wanting_data_once_done() {
    let mut c = logged_in();
    c.receive(b"TOP 2 1\r\n");
    c.next_event().unwrap();
    c.message_data(b"A: b\n\n.one\ntwo\nthree\n").unwrap();
    assert!(!c.wants_message_data());
    c.message_data(b"ignored\r\n").unwrap();
    c.message_end().unwrap();
    // Bare LFs from storage go out as CRLF, and the dot is stuffed.
    assert_eq!(out(&mut c), "+OK 30 octets\r\nA: b\r\n\r\n..one\r\n.\r\n");
}

#[test]
fn update_may_report_a_failure() {
    let mut c = logged_in();
    c.receive(b"DELE 2\r\nQUIT\r\n");
    let event = c.next_event().unwrap();
    let Event::Update { deleted } = event else {
        panic!("{event:?}")
    };
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].1.uid.as_str(), "b");
    assert_eq!(c.state(), State::Update);
    c.send(StatusLine::err_with(
        ResponseCode::SysTemp,
        "some deleted messages not removed",
    ))
    .unwrap();
    assert!(c.is_closed());
    assert!(out(&mut c).ends_with("-ERR [SYS/TEMP] some deleted messages not removed\r\n"));
}

#[test]
fn quit_with_nothing_deleted_still_asks_for_update() {
    let mut c = logged_in();
    c.receive(b"QUIT\r\n");
    assert_eq!(c.next_event(), Some(Event::Update { deleted: vec![] }));
    c.update_done().unwrap();
    assert_eq!(
        out(&mut c),
        "+OK POP3 server signing off (2 messages left)\r\n"
    );
}

#[test]
fn idle_timeout_is_at_least_ten_minutes_and_ends_silently() {
    let mut c = logged_in();
    assert!(c.timeout() >= Duration::from_secs(600));
    c.receive(b"DELE 1\r\n");
    c.timed_out();
    assert_eq!(c.next_event(), Some(Event::Aborted));
    assert!(c.is_closed());
    assert_eq!(out(&mut c), "", "RFC 1939 §3: no response on autologout");
}

#[test]
fn input_after_close_is_ignored() {
    let mut c = Connection::new(config());
    c.receive(b"QUIT\r\n");
    assert_eq!(
        c.next_event(),
        Some(Event::Closed {
            reason: CloseReason::Quit
        })
    );
    assert_eq!(c.next_event(), None);
    assert!(c.is_closed());
    c.receive(b"USER u\r\n");
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "+OK POP3 server ready\r\n+OK POP3 server signing off\r\n"
    );
}

#[test]
fn capa_in_transaction_drops_login_capabilities() {
    let mut c = logged_in();
    c.receive(b"CAPA\r\n");
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(!text.contains("USER\r\n") && !text.contains("SASL") && !text.contains("STLS"));
    assert!(text.contains("TOP\r\n") && text.contains("UIDL\r\n"));
}

#[test]
fn stls_is_refused_unless_configured_and_in_authorization() {
    let mut c = Connection::new(config());
    c.receive(b"STLS\r\n");
    assert_eq!(c.next_event(), None);
    assert!(out(&mut c).ends_with("-ERR STLS not available\r\n"));
    let mut c = logged_in();
    c.receive(b"STLS\r\n");
    assert_eq!(c.next_event(), None);
    assert!(out(&mut c).starts_with("-ERR"));
}

#[test]
fn stls_purges_input_and_reports_it() {
    let mut cfg = Config::default();
    cfg.stls = true;
    let mut c = Connection::new(cfg);
    c.take_output();
    c.receive(b"STLS\r\nCAPA\r\n");
    assert_eq!(c.next_event(), Some(Event::StartTls));
    assert_eq!(c.next_event(), Some(Event::InputDiscarded { len: 6 }));
    assert_eq!(c.state(), State::TlsHandshake);
    c.receive(b"USER late\r\n");
    assert_eq!(c.next_event(), Some(Event::InputDiscarded { len: 11 }));
    c.tls_established().unwrap();
    assert!(c.is_tls_active());
    assert_eq!(out(&mut c), "+OK Begin TLS negotiation now\r\n");
}

#[test]
fn too_many_failed_logins_report_closed_once() {
    let mut cfg = config();
    cfg.max_auth_failures = 1;
    let mut c = Connection::new(cfg);
    c.receive(b"USER u\r\nPASS p\r\nUSER u\r\n");
    c.next_event().unwrap();
    c.auth_answer(Answer::Reject).unwrap();
    assert_eq!(
        c.next_event(),
        Some(Event::Closed {
            reason: CloseReason::TooManyAuthFailures
        })
    );
    assert_eq!(c.next_event(), None);
    assert!(c.is_closed());
    assert!(out(&mut c).ends_with("-ERR [AUTH] Too many failed logins, closing\r\n"));
}

#[test]
fn cancelled_auth_does_not_count_as_a_failed_login() {
    let mut cfg = config();
    cfg.max_auth_failures = 1;
    cfg.sasl_mechanisms = vec![mail_core::sasl::Mechanism::Plain];
    let mut c = Connection::new(cfg);
    c.receive(b"AUTH PLAIN\r\n*\r\nAUTH PLAIN\r\n*\r\nNOOP\r\n");
    assert_eq!(c.next_event(), None);
    assert!(!c.is_closed());
    let text = out(&mut c);
    assert_eq!(text.matches("-ERR").count(), 3, "{text}");
}

#[test]
fn bare_cr_inside_a_command_is_an_error() {
    let mut c = Connection::new(config());
    c.take_output();
    c.receive(b"US\rER u\r\nNOOP\r\n");
    assert_eq!(c.next_event(), None);
    let text = out(&mut c);
    assert!(text.starts_with("-ERR Bare CR or LF"), "{text}");
}

#[test]
fn eof_inside_authorization_is_quiet() {
    let mut c = Connection::new(config());
    c.receive(b"USER u\r\n");
    c.receive_eof();
    assert_eq!(
        c.next_event(),
        Some(Event::Closed {
            reason: CloseReason::PeerClosed
        })
    );
    assert_eq!(c.next_event(), None);
    assert!(c.is_closed());
}

#[test]
fn utf8_mode_and_language_are_tracked() {
    let mut cfg = config();
    cfg.utf8 = true;
    cfg.languages = vec![pop3_proto::response::Language::parse(b"en English").unwrap()];
    let mut c = Connection::new(cfg);
    c.receive(b"UTF8\r\nLANG en\r\n");
    assert_eq!(c.next_event(), None);
    assert!(c.is_utf8());
    assert_eq!(c.language().unwrap().tag.as_str(), "en");
}

#[test]
fn password_guessing_ends_at_max_auth_failures_whatever_comes_between() {
    // Issue 11: thousands of wrong passwords with other commands in between, then the right
    // one: the failures are counted on their own (default 3) and the connection closes.
    let mut cfg = config();
    cfg.sasl_mechanisms = vec![mail_core::sasl::Mechanism::Plain];
    let limit = cfg.max_auth_failures;
    assert_eq!(limit, 3);
    let mut c = Connection::new(cfg);
    c.take_output();
    let (mut checked, mut text) = (0, String::new());
    for i in 0..5001 {
        if i % 19 == 18 {
            c.receive(b"NOOP\r\nCAPA\r\n");
        }
        let password = if i == 5000 { "secret" } else { "wrong" };
        if i % 2 == 0 {
            c.receive(format!("USER alice\r\nPASS {password}\r\n").as_bytes());
        } else {
            // base64 of "\0alice\0wrong" and "\0alice\0secret".
            let plain = if i == 5000 {
                "AGFsaWNlAHNlY3JldA=="
            } else {
                "AGFsaWNlAHdyb25n"
            };
            c.receive(format!("AUTH PLAIN {plain}\r\n").as_bytes());
        }
        while let Some(event) = c.next_event() {
            let ok = match event {
                Event::CheckPassword { password, .. } => password.expose() == "secret",
                Event::AuthVerify(mail_core::sasl::server::Verification::Password {
                    password,
                    ..
                }) => password.expose() == "secret",
                _ => continue,
            };
            checked += 1;
            c.auth_answer(if ok { Answer::Accept } else { Answer::Reject })
                .unwrap();
        }
        text.push_str(&out(&mut c));
    }
    assert_eq!(checked, limit, "only {limit} passwords were ever checked");
    assert_eq!(c.auth_failures(), limit);
    assert!(c.is_closed());
    assert!(
        text.ends_with("-ERR [AUTH] Too many failed logins, closing\r\n"),
        "{text}"
    );
    assert_eq!(c.state(), State::Closed, "never logged in");
}

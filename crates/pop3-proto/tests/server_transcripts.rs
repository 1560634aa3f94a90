//! Server transcripts from the RFCs and the project's seed overview, each run whole, byte by
//! byte and at random splits (see `support`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use mail_core::sasl::Mechanism;
use mail_core::sasl::server::{Answer, Verification};
use pop3_proto::capability::Expire;
use pop3_proto::prelude::*;
use pop3_proto::response::Language;
use pop3_proto::server::Config;
use support::{Fixture, message, plain_config, server_transcript, server_transcript_with};

#[test]
fn seed_overview_exchange() {
    let seen = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK POP3 server ready
        C: USER username
        S: +OK Password required
        C: PASS password
        S: +OK user is authenticated
        C: STAT
        S= +OK 2 800
        C: RETR 1
        S= +OK 500 octets
        S: <message 1>
        S: .
        C: DELE 1
        S= +OK message 1 deleted
        C: QUIT
        S: +OK POP3 server signing off
        ",
    );
    assert_eq!(seen.authorized, vec!["username".to_owned()]);
    assert_eq!(seen.retrieved, vec![1]);
    assert_eq!(seen.deleted, vec![vec![1]]);
    assert_eq!(seen.aborted, 0);
}

fn rfc1939_fixture() -> Fixture {
    Fixture {
        user: "mrose".into(),
        password: "tanstaaf".into(),
        messages: vec![
            ("whqtswO00WBw418f9t5JxYwZ".into(), message(120, 1)),
            ("QhdPYR:00WBw1Ph7x7".into(), message(200, 2)),
        ],
        ..Fixture::default()
    }
}

fn apop_config() -> Config {
    let mut c = plain_config();
    c.apop_timestamp = Some("<1896.697170952@dbc.mtview.ca.us>".into());
    c
}

#[test]
fn rfc1939_section10_example_session() {
    let seen = server_transcript(
        &apop_config(),
        &rfc1939_fixture(),
        r"
        S= +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
        C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
        S: +OK mrose's maildrop has 2 messages (320 octets)
        C: STAT
        S= +OK 2 320
        C: LIST
        S= +OK 2 messages (320 octets)
        S: 1 120
        S: 2 200
        S: .
        C: RETR 1
        S= +OK 120 octets
        S: <message 1>
        S: .
        C: DELE 1
        S= +OK message 1 deleted
        C: RETR 2
        S= +OK 200 octets
        S: <message 2>
        S: .
        C: DELE 2
        S= +OK message 2 deleted
        C: QUIT
        S: +OK dewey POP3 server signing off (maildrop empty)
        ",
    );
    assert_eq!(seen.authorized, vec!["mrose".to_owned()]);
    assert_eq!(seen.deleted, vec![vec![1, 2]]);
}

#[test]
fn rfc1939_uidl_and_top_examples() {
    server_transcript(
        &apop_config(),
        &rfc1939_fixture(),
        r"
        S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
        C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
        S: +OK
        C: UIDL
        S: +OK
        S: 1 whqtswO00WBw418f9t5JxYwZ
        S: 2 QhdPYR:00WBw1Ph7x7
        S: .
        C: UIDL 2
        S= +OK 2 QhdPYR:00WBw1Ph7x7
        C: UIDL 3
        S: -ERR no such message, only 2 messages in maildrop
        C: LIST 2
        S= +OK 2 200
        C: LIST 3
        S: -ERR no such message, only 2 messages in maildrop
        C: TOP 1 0
        S: +OK
        S: <top 1 0>
        S: .
        C: TOP 2 2
        S: +OK
        S: <top 2 2>
        S: .
        C: TOP 1 100000
        S: +OK
        S: <message 1>
        S: .
        C: QUIT
        S: +OK
        ",
    );
}

#[test]
fn apop_with_a_wrong_digest_or_unknown_user_fails_with_auth_code() {
    let seen = server_transcript(
        &apop_config(),
        &rfc1939_fixture(),
        r"
        S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
        C: APOP mrose c4c9334bac560ecc979e58001b3e22fc
        S: -ERR [AUTH] permission denied
        C: APOP nobody c4c9334bac560ecc979e58001b3e22fb
        S: -ERR [AUTH] permission denied
        C: APOP mrose C4C9334BAC560ECC979E58001B3E22FB
        S: +OK
        ",
    );
    assert_eq!(seen.authorized, vec!["mrose".to_owned()]);
}

#[test]
fn apop_without_timestamp_is_refused() {
    server_transcript(
        &plain_config(),
        &rfc1939_fixture(),
        r"
        S: +OK POP3 server ready
        C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
        S: -ERR not supported
        ",
    );
}

#[test]
fn rfc2449_capa_example() {
    let mut config = plain_config();
    config.sasl_mechanisms = vec![Mechanism::CramMd5];
    config.nonce = Some("abc".parse().unwrap());
    config.login_delay = Some(900);
    config.expire = Some(Expire::Days(60));
    config.implementation = Some("Shlemazle-Plotz-v302".into());
    server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: CAPA
        S= +OK Capability list follows
        S: TOP
        S: UIDL
        S: RESP-CODES
        S: AUTH-RESP-CODE
        S: PIPELINING
        S: USER
        S: SASL CRAM-MD5
        S: EXPIRE 60
        S: LOGIN-DELAY 900
        S: IMPLEMENTATION Shlemazle-Plotz-v302
        S: .
        ",
    );
}

#[test]
fn capa_without_tls_hides_credentials_and_offers_stls() {
    let mut config = Config::default();
    config.stls = true;
    config.sasl_mechanisms = vec![Mechanism::Plain];
    server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: CAPA
        S: +OK
        S: TOP
        S: UIDL
        S: RESP-CODES
        S: AUTH-RESP-CODE
        S: PIPELINING
        S: STLS
        S: .
        C: USER username
        S: -ERR Plaintext authentication disallowed
        C: AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=
        S: -ERR
        C: AUTH
        S: -ERR
        ",
    );
}

fn plain_auth(v: &Verification) -> Answer {
    match v {
        Verification::Password {
            authentication_identity,
            password,
            ..
        } if authentication_identity == "test" && password.expose() == "test" => Answer::Accept,
        _ => Answer::Reject,
    }
}

#[test]
fn rfc5034_examples_after_stls() {
    let mut config = Config::default();
    config.stls = true;
    config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Anonymous];
    config.implementation = Some("BlurdyBlurp POP3 server".into());
    let seen = server_transcript_with(
        &config,
        &Fixture::default(),
        r"
        S: +OK pop.example.com BlurdyBlurp POP3 server ready
        C: CAPA
        S: +OK List of capabilities follows
        S: TOP
        S: UIDL
        S: RESP-CODES
        S: AUTH-RESP-CODE
        S: PIPELINING
        S: STLS
        S: IMPLEMENTATION BlurdyBlurp POP3 server
        S: .
        C: STLS
        S: +OK Begin TLS negotiation now
        C: <TLS>
        C: CAPA
        S: +OK List of capabilities follows
        S: TOP
        S: UIDL
        S: RESP-CODES
        S: AUTH-RESP-CODE
        S: PIPELINING
        S: USER
        S: SASL PLAIN ANONYMOUS
        S: IMPLEMENTATION BlurdyBlurp POP3 server
        S: .
        C: AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=
        S: +OK Maildrop locked and ready
        C: QUIT
        S: +OK
        ",
        &plain_auth,
    );
    assert_eq!(seen.authorized, vec!["test".to_owned()]);
}

#[test]
fn rfc5034_empty_challenge_then_response() {
    let mut config = plain_config();
    config.sasl_mechanisms = vec![Mechanism::Plain];
    let seen = server_transcript_with(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: AUTH PLAIN
        S= + 
        C: dGVzdAB0ZXN0AHRlc3Q=
        S: +OK Maildrop locked and ready
        ",
        &plain_auth,
    );
    assert_eq!(seen.authorized, vec!["test".to_owned()]);
}

#[test]
fn auth_cancel_bad_base64_and_wrong_password() {
    let mut config = plain_config();
    config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    config.max_auth_failures = 5;
    server_transcript_with(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: AUTH PLAIN
        S= + 
        C: *
        S: -ERR
        C: AUTH PLAIN
        S= + 
        C: !!!!
        S: -ERR
        C: AUTH PLAIN dGVzdAB0ZXN0AHdyb25n
        S: -ERR [AUTH] bad
        C: AUTH LOGIN
        S= + VXNlcm5hbWU6
        C: dGVzdA==
        S= + UGFzc3dvcmQ6
        C: dGVzdA==
        S: +OK
        ",
        &plain_auth,
    );
}

#[test]
fn auth_lists_mechanisms_and_refuses_unknown_ones() {
    let mut config = plain_config();
    config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::CramMd5];
    server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: AUTH
        S: +OK
        S: PLAIN
        S: .
        C: AUTH CRAM-MD5
        S: -ERR no nonce configured, so not offered
        C: AUTH GSSAPI
        S: -ERR
        C: AUTH PLAIN ====
        S: -ERR syntax
        ",
    );
}

#[test]
fn stls_discards_injected_commands() {
    let mut config = Config::default();
    config.stls = true;
    let seen = server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: STLS\r\nUSER evil\r\nPASS evil
        S: +OK Begin TLS negotiation now
        C: <TLS>
        C: CAPA
        S: +OK
        S: TOP
        S: UIDL
        S: RESP-CODES
        S: AUTH-RESP-CODE
        S: PIPELINING
        S: USER
        S: .
        C: STLS
        S: -ERR already under TLS
        ",
    );
    // Every feed has the injected bytes arrive before the handshake completes.
    assert_eq!(seen.discarded, "USER evil\r\nPASS evil\r\n".len());
    assert!(seen.authorized.is_empty());
}

#[test]
fn message_zero_and_out_of_range() {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: USER username
        S: +OK
        C: PASS password
        S: +OK
        C: RETR 0
        S: -ERR
        C: RETR 3
        S: -ERR
        C: TOP 0 1
        S: -ERR
        C: TOP 3 1
        S: -ERR
        C: DELE 0
        S: -ERR
        C: DELE 4294967295
        S: -ERR
        C: LIST 0
        S: -ERR
        C: UIDL 3
        S: -ERR
        C: RETR 99999999999
        S: -ERR
        C: STAT
        S= +OK 2 800
        ",
    );
}

#[test]
fn deleted_messages_vanish_until_rset() {
    let seen = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: USER username
        S: +OK
        C: PASS password
        S: +OK
        C: DELE 1
        S= +OK message 1 deleted
        C: DELE 1
        S: -ERR message 1 already deleted
        C: STAT
        S= +OK 1 300
        C: LIST
        S= +OK 1 messages (300 octets)
        S: 2 300
        S: .
        C: UIDL
        S: +OK
        S: 2 uid-2
        S: .
        C: LIST 1
        S: -ERR
        C: UIDL 1
        S: -ERR
        C: RETR 1
        S: -ERR
        C: TOP 1 0
        S: -ERR
        C: RSET
        S= +OK maildrop has 2 messages (800 octets)
        C: STAT
        S= +OK 2 800
        C: DELE 2
        S: +OK
        C: NOOP
        S= +OK
        C: QUIT
        S= +OK POP3 server signing off (1 messages left)
        ",
    );
    assert_eq!(seen.deleted, vec![vec![2]]);
}

#[test]
fn password_with_spaces() {
    let fixture = Fixture {
        password: "correct horse battery staple ".into(),
        ..Fixture::default()
    };
    let seen = server_transcript(
        &plain_config(),
        &fixture,
        r"
        S: +OK
        C: USER username
        S: +OK
        C: PASS correct horse battery staple
        S: -ERR [AUTH]
        C: USER username
        S: +OK
        C: PASS correct horse battery staple \
        C: 
        S: +OK
        ",
    );
    assert_eq!(seen.authorized.len(), 1);
}

#[test]
fn pass_needs_user_and_a_failed_pass_forgets_it() {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: PASS password
        S: -ERR
        C: USER username
        S: +OK
        C: PASS wrong
        S: -ERR [AUTH]
        C: PASS password
        S: -ERR USER first
        ",
    );
}

#[test]
fn failed_login_limit_closes() {
    let seen = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: USER username
        S: +OK
        C: PASS a
        S: -ERR [AUTH]
        C: USER username
        S: +OK
        C: PASS b
        S: -ERR [AUTH]
        C: USER username
        S: +OK
        C: PASS c
        S: -ERR [AUTH] too many
        C: USER username
        C: PASS password
        ",
    );
    assert!(seen.authorized.is_empty());
    assert_eq!(seen.closed, Some(CloseReason::TooManyAuthFailures));
}

#[test]
fn locked_maildrop_answers_in_use() {
    let fixture = Fixture {
        locked: true,
        ..Fixture::default()
    };
    server_transcript(
        &plain_config(),
        &fixture,
        r"
        S: +OK
        C: USER username
        S: +OK
        C: PASS password
        S: -ERR [IN-USE] Do you have another POP session running?
        C: STAT
        S: -ERR
        ",
    );
}

#[test]
fn commands_in_the_wrong_state() {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: STAT
        S: -ERR
        C: NOOP
        S: -ERR
        C: RETR 1
        S: -ERR
        C: USER username
        S: +OK
        C: PASS password
        S: +OK
        C: USER username
        S: -ERR
        C: APOP a 00000000000000000000000000000000
        S: -ERR
        C: STLS
        S: -ERR
        C: UTF8
        S: -ERR
        C: XTND XMIT
        S: -ERR
        C: stat
        S: +OK
        ",
    );
}

#[test]
fn command_line_limit_one_under_and_over() {
    // 255 octets with CRLF pass; 256 do not, and the tail is never read as a command.
    let ok_line = format!("USER {}", "a".repeat(248));
    let long_line = format!("USER {}", "a".repeat(249));
    assert_eq!(ok_line.len() + 2, 255);
    let script = format!(
        "S: +OK\nC: {ok_line}\nS: +OK\nC: {long_line}\nS: -ERR line too long\nC: NOOP\nS: -ERR\n"
    );
    server_transcript(&plain_config(), &Fixture::default(), &script);
    let padded = format!(
        "C: USER {}STAT\nS: -ERR\nC: QUIT\nS: +OK\n",
        "x".repeat(300)
    );
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        &format!("S: +OK\n{padded}"),
    );
}

#[test]
fn configurable_command_line_limit() {
    let mut config = plain_config();
    config.max_command_line = 10;
    server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: USER abc
        S: +OK
        C: USER abcd
        S: -ERR
        ",
    );
}

#[test]
fn auth_continuation_line_limit_one_under_and_over() {
    let mut config = plain_config();
    config.sasl_mechanisms = vec![Mechanism::Plain];
    config.max_auth_line = 30;
    // 28 base64 characters and CRLF fill the limit exactly: the response is read (and is a
    // malformed PLAIN message); 29 are one over and the line is refused as too long.
    let at_limit = "A".repeat(28);
    let over = "A".repeat(29);
    let script = format!(
        "S: +OK\nC: AUTH PLAIN\nS= + \nC: {at_limit}\nS= -ERR Authentication failed: malformed response: PLAIN message has more than two NUL separators\n\
         C: AUTH PLAIN\nS= + \nC: {over}\nS= -ERR Authentication line too long\nC: NOOP\nS: -ERR\n"
    );
    server_transcript_with(&config, &Fixture::default(), &script, &plain_auth);
}

#[test]
fn too_many_errors_close_the_connection() {
    let mut config = plain_config();
    config.max_errors = 3;
    let seen = server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: FOO
        S: -ERR
        C: BAR
        S: -ERR
        C: BAZ
        S: -ERR [SYS/PERM] too many errors
        C: USER username
        ",
    );
    assert_eq!(seen.closed, Some(CloseReason::TooManyErrors));
}

#[test]
fn quit_in_authorization_does_not_update() {
    let seen = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: QUIT
        S: +OK
        C: USER username
        ",
    );
    assert!(seen.deleted.is_empty());
    assert_eq!(seen.aborted, 0);
}

#[test]
fn eof_in_transaction_aborts_without_update() {
    let seen = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: USER username
        S: +OK
        C: PASS password
        S: +OK
        C: DELE 1
        S: +OK
        ",
    );
    assert_eq!(seen.aborted, 1);
    assert!(seen.deleted.is_empty());
}

#[test]
fn rfc6856_utf8_and_lang() {
    let mut config = plain_config();
    config.utf8 = true;
    config.languages = [
        "en English",
        "en-boont English Boontling dialect",
        "de Deutsch",
        "it Italiano",
        "es Espanol",
        "sv Svenska",
    ]
    .iter()
    .map(|l| Language::parse(l.as_bytes()).unwrap())
    .collect();
    server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: UTF8
        S: +OK UTF8 enabled
        C: LANG
        S: +OK Language listing follows:
        S: en English
        S: en-boont English Boontling dialect
        S: de Deutsch
        S: it Italiano
        S: es Espanol
        S: sv Svenska
        S: .
        C: LANG MUL
        S: -ERR invalid language MUL
        C: LANG es
        S= +OK es Language changed
        C: LANG *
        S= +OK en Language changed
        C: USER username
        S: +OK
        C: PASS password
        S: +OK
        C: LANG sv
        S= +OK sv Language changed
        ",
    );
}

#[test]
fn bare_lf_commands_under_both_policies() {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r"
        S: +OK
        C: NOOP\n\
        S: -ERR bare newline
        C: QUIT
        S: +OK
        ",
    );
    let mut config = plain_config();
    config.bare_newline = mail_core::line::BareNewline::Normalize;
    server_transcript(
        &config,
        &Fixture::default(),
        r"
        S: +OK
        C: QUIT\n\
        S: +OK
        ",
    );
}

//! Server transcripts from the RFCs and the project's seed overview, each run whole, byte by
//! byte and at random splits (see `support`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use mail_core::line::BareNewline;
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::{Answer, Verification};
use smtp_proto::prelude::*;
use smtp_proto::server::Config;
use support::{server_transcript, server_transcript_with};

fn config(host: &str, greeting: &str) -> Config {
    let mut c = Config::default();
    c.hostname = host.into();
    c.greeting = greeting.into();
    c
}

#[test]
fn seed_overview_smtp_handshake() {
    let seen = server_transcript(
        &config("mydomain.com", "ESMTP"),
        r"
        S: 220 mydomain.com ESMTP
        C: HELO mydomain.com
        S: 250 mydomain.com, pleased to meet you
        C: MAIL FROM:<sender@mydomain.com>
        S: 250 OK
        C: RCPT TO:<recipient@example.com>
        S: 250 OK
        C: DATA
        S: 354 Go ahead
        C: Subject: hello
        C:
        C: (email content)
        C: .
        S: 250 OK
        ",
    );
    assert_eq!(
        seen.messages,
        vec![b"Subject: hello\r\n\r\n(email content)\r\n".to_vec()]
    );
}

#[test]
fn rfc5321_appendix_d1_typical_transaction() {
    let seen = server_transcript(
        &config("foo.com", "Simple Mail Transfer Service Ready"),
        r"
        S= 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<Smith@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@foo.com>
        S: 250 OK
        C: RCPT TO:<Green@foo.com>
        S: 550 No such user here
        C: RCPT TO:<Brown@foo.com>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Blah blah blah...
        C: ...etc. etc. etc.
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    // The RFC prints the wire: "...etc." starts with a dot, so one is un-stuffed.
    assert_eq!(
        seen.messages,
        vec![b"Blah blah blah...\r\n..etc. etc. etc.\r\n".to_vec()]
    );
    let end = seen
        .events
        .iter()
        .find(|e| e.starts_with("MessageEnd"))
        .unwrap();
    assert!(
        end.contains("Jones") && end.contains("Brown") && !end.contains("Green"),
        "{end}"
    );
}

#[test]
fn rfc5321_appendix_d2_aborted_transaction() {
    let seen = server_transcript(
        &config("foo.com", "Simple Mail Transfer Service Ready"),
        r"
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<Smith@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@foo.com>
        S: 250 OK
        C: RCPT TO:<Green@foo.com>
        S: 550 No such user here
        C: RSET
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    assert!(seen.messages.is_empty());
}

#[test]
fn rfc5321_appendix_d3_relayed_mail() {
    let seen = server_transcript(
        &config("foo.com", "Simple Mail Transfer Service Ready"),
        r"
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<JQP@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@XYZ.COM>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Date: Thu, 21 May 1998 05:33:29 -0700
        C: From: John Q. Public <JQP@bar.com>
        C: Subject: The Next Meeting of the Board
        C: To: Jones@xyz.com
        C:
        C: Bill:
        C: The next meeting of the board of directors will be
        C: on Tuesday.
        C: John.
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    let msg = String::from_utf8(seen.messages[0].clone()).unwrap();
    assert!(msg.starts_with("Date: Thu, 21 May 1998"));
    assert!(msg.ends_with("John.\r\n"));
}

#[test]
fn rfc5321_appendix_d4_verifying_and_sending() {
    let mut c = config("foo.com", "Simple Mail Transfer Service Ready");
    c.application_vrfy = true;
    server_transcript(
        &c,
        r"
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250-VRFY
        S: 250 HELP
        C: VRFY Crispin
        S: 250 Mark Crispin <Admin.MRC@foo.com>
        C: MAIL FROM:<EAK@bar.com>
        S: 250 OK
        C: RCPT TO:<Admin.MRC@foo.com>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Blah blah blah...
        C: ...etc. etc. etc.
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
}

#[test]
fn rfc2920_section_3_2_without_pipelining() {
    server_transcript(
        &config("Innosoft.com", "SMTP service ready"),
        r#"
        S= 220 Innosoft.com SMTP service ready
        C: HELO dbc.mtview.ca.us
        S: 250 Innosoft.com
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        C: RCPT TO:<ned@innosoft.com>
        S: 250 recipient <ned@innosoft.com> OK
        C: RCPT TO:<dan@innosoft.com>
        S: 250 recipient <dan@innosoft.com> OK
        C: RCPT TO:<kvc@innosoft.com>
        S: 250 recipient <kvc@innosoft.com> OK
        C: DATA
        S: 354 enter mail, end with line containing only "."
        C: .
        S: 250 message sent
        C: QUIT
        S: 221 goodbye
        "#,
    );
}

#[test]
fn rfc2920_section_3_2_pipelined() {
    let seen = server_transcript(
        &config("innosoft.com", "SMTP service ready"),
        r#"
        S: 220 innosoft.com SMTP service ready
        C: EHLO dbc.mtview.ca.us
        S: 250-innosoft.com
        S: 250 PIPELINING
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<ned@innosoft.com>
        C: RCPT TO:<dan@innosoft.com>
        C: RCPT TO:<kvc@innosoft.com>
        C: DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 250 recipient <ned@innosoft.com> OK
        S: 250 recipient <dan@innosoft.com> OK
        S: 250 recipient <kvc@innosoft.com> OK
        S: 354 enter mail, end with line containing only "."
        C: .
        C: QUIT
        S: 250 message sent
        S: 221 goodbye
        "#,
    );
    assert_eq!(seen.messages, vec![Vec::<u8>::new()]);
}

#[test]
fn rfc2920_section_3_2_pipelined_with_no_valid_recipients() {
    let seen = server_transcript(
        &config("innosoft.com", "SMTP service ready"),
        r"
        S: 220 innosoft.com SMTP service ready
        C: EHLO dbc.mtview.ca.us
        S: 250-innosoft.com
        S: 250 PIPELINING
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<nsb@thumper.bellcore.com>
        C: RCPT TO:<galvin@tis.com>
        C: DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
        S: 550 remote mail to <galvin@tis.com> not allowed
        S: 554 no valid recipients given
        C: QUIT
        S: 221 goodbye
        ",
    );
    assert!(seen.messages.is_empty());
}

#[test]
fn rfc3030_section_4_1_simple_chunking() {
    let seen = server_transcript(
        &config("cnri.reston.va.us", "SMTP service ready"),
        r"
        S: 220 cnri.reston.va.us SMTP service ready
        C: EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250 CHUNKING
        C: MAIL FROM:<Sam@Random.com>
        S: 250 <Sam@Random.com> Sender ok
        C: RCPT TO:<Susan@Random.com>
        S: 250 <Susan@random.com> Recipient ok
        C: BDAT 86 LAST
        C: To: Susan@random.com
        C: From: Sam@random.com
        C: Subject: This is a bodyless test message\r\n\
        S: 250 Message OK, 86 octets received
        C: QUIT
        S: 221 Goodbye
        ",
    );
    assert_eq!(
        seen.messages,
        vec![b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n".to_vec()]
    );
}

#[test]
fn rfc3030_section_4_2_pipelining_binarymime() {
    let mut c = config("cnri.reston.va.us", "SMTP service ready");
    c.extensions.binarymime = true;
    // The RFC's "(First 10000 octets …)" stands for 100000 octets of binary data.
    let first: String = (0..100_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let second: String = "Z".repeat(324);
    let script = format!(
        r"
        S: 220 cnri.reston.va.us SMTP service ready
        C: EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250-PIPELINING
        S: 250-BINARYMIME
        S: 250 CHUNKING
        C: MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME
        C: RCPT TO:<gvaudre@cnri.reston.va.us>
        C: RCPT TO:<jstewart@cnri.reston.va.us>
        S: 250 <ned@ymir.claremont.edu>... Sender and BINARYMIME ok
        S: 250 <gvaudre@cnri.reston.va.us>... Recipient ok
        S: 250 <jstewart@cnri.reston.va.us>... Recipient ok
        C: BDAT 100000
        C: {first}\
        C: BDAT 324
        C: {second}\
        C: BDAT 0 LAST
        S= 250 2.0.0 100000 octets received
        S= 250 2.0.0 100324 octets received
        S: 250 Message OK, 100324 octets received
        C: QUIT
        S: 221 Goodbye
        "
    );
    let seen = server_transcript(&c, &script);
    assert_eq!(seen.messages.len(), 1);
    assert_eq!(seen.messages[0].len(), 100_324);
}

fn auth_config() -> Config {
    let mut c = config("smtp.example.com", "ESMTP Server");
    c.extensions.starttls = true;
    c.sasl_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::External,
        Mechanism::CramMd5,
        Mechanism::Login,
    ];
    c
}

fn rfc4954_auth(v: &Verification) -> Answer {
    match v {
        Verification::Password {
            authorization_identity,
            authentication_identity,
            password,
        } => {
            if authorization_identity.as_deref() == Some("test")
                && authentication_identity == "test"
                && password.expose() == "1234"
            {
                Answer::Accept
            } else {
                Answer::Reject
            }
        }
        Verification::External { .. } => Answer::Accept,
        Verification::CramMd5 { .. } => {
            Answer::Password(mail_core::Secret::new("not rjs3's".into()))
        }
        _ => Answer::Reject,
    }
}

#[test]
fn rfc4954_section_8_plain_with_initial_response_after_starttls() {
    let seen = server_transcript_with(
        &auth_config(),
        r"
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250-AUTH GSSAPI DIGEST-MD5
        S: 250-ENHANCEDSTATUSCODES
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 Ready to start TLS
        C: <TLS>
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250 AUTH GSSAPI DIGEST-MD5 PLAIN
        C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
        S= 235 2.7.0 Authentication successful
        ",
        &rfc4954_auth,
    );
    assert_eq!(seen.authenticated, vec![Some("test".to_string())]);
    assert_eq!(seen.discarded, 0);
}

#[test]
fn rfc4954_section_8_plain_with_empty_challenge() {
    let mut c = auth_config();
    c.tls_active = true;
    server_transcript_with(
        &c,
        r"
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250 AUTH GSSAPI DIGEST-MD5 PLAIN
        C: AUTH PLAIN
        S= 334
        C: dGVzdAB0ZXN0ADEyMzQ=
        S= 235 2.7.0 Authentication successful
        ",
        &rfc4954_auth,
    );
}

#[test]
fn rfc4954_section_8_cram_md5_challenge_and_a_wrong_secret() {
    let mut c = auth_config();
    c.hostname = "sourcefour.andrew.cmu.edu".into();
    c.allow_plaintext_auth = true;
    let script = support::parse_script(
        r"
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250-AUTH DIGEST-MD5 CRAM-MD5
        S: 250-ENHANCEDSTATUSCODES
        S: 250 STARTTLS
        C: AUTH CRAM-MD5
        S= 334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=
        C: cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==
        S= 535 5.7.8 Authentication credentials invalid
        ",
    );
    c.nonce = Some("4192942341.12828472".parse().unwrap());
    let mut conn = smtp_proto::server::Connection::new(c);
    let mut app = support::App {
        script: &script,
        output: Vec::new(),
        seen: support::Seen::default(),
        current: Vec::new(),
        auth: &rfc4954_auth,
    };
    app.drive(&mut conn);
    conn.receive(&script.client[0]);
    app.drive(&mut conn);
    support::check_replies(&script, &app.output, "cram-md5");
}

#[test]
fn rfc4954_section_8_external_after_starttls() {
    server_transcript_with(
        &auth_config(),
        r"
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250-AUTH GSSAPI DIGEST-MD5
        S: 250-ENHANCEDSTATUSCODES
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 Ready to start TLS
        C: <TLS>
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250 AUTH EXTERNAL GSSAPI DIGEST-MD5 PLAIN
        C: AUTH EXTERNAL =
        S: 235 2.7.0 Authentication successful
        ",
        &rfc4954_auth,
    );
}

#[test]
fn rfc4954_section_5_auth_parameter_of_mail() {
    let seen = server_transcript(
        &config("x.example", "ESMTP"),
        r"
        S: 220 x.example ESMTP
        C: EHLO client.example.com
        S: 250 x.example
        C: MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com
        S: 250 OK
        C: RSET
        S: 250 OK
        C: MAIL FROM:<john+@example.org> AUTH=<>
        S: 250 OK
        ",
    );
    assert!(
        seen.events
            .iter()
            .any(|e| e.contains(r#"auth: Some("e=mc2@example.com")"#)),
        "{:?}",
        seen.events
    );
    assert!(
        seen.events
            .iter()
            .any(|e| e.contains(r#"auth: Some("<>")"#))
    );
}

#[test]
fn rfc2033_section_4_2_lmtp_session() {
    let mut c = Config::lmtp();
    c.hostname = "foo.edu".into();
    c.greeting = "LMTP server ready".into();
    let seen = server_transcript(
        &c,
        r"
        S= 220 foo.edu LMTP server ready
        C: LHLO foo.edu
        S: 250-foo.edu
        S: 250-PIPELINING
        S: 250 SIZE
        C: MAIL FROM:<chris@bar.com>
        S: 250 OK
        C: RCPT TO:<pat@foo.edu>
        S: 250 OK
        C: RCPT TO:<jones@foo.edu>
        S: 550 No such user here
        C: RCPT TO:<green@foo.edu>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Blah blah blah...
        C: ...etc. etc. etc.
        C: .
        S: 250 OK
        S: 452 <green@foo.edu> is temporarily over quota
        C: QUIT
        S: 221 foo.edu closing connection
        ",
    );
    assert_eq!(seen.messages.len(), 1);
}

#[test]
fn lmtp_refuses_helo_and_ehlo() {
    let mut c = Config::lmtp();
    c.hostname = "foo.edu".into();
    server_transcript(
        &c,
        r"
        S: 220 foo.edu LMTP
        C: EHLO foo.edu
        S= 500 5.5.1 Command not recognized
        C: HELO foo.edu
        S= 500 5.5.1 Command not recognized
        ",
    );
}

#[test]
fn normalize_policy_accepts_bare_lf_commands() {
    let mut c = config("x.example", "ESMTP");
    c.bare_newline = BareNewline::Normalize;
    let seen = server_transcript(
        &c,
        "
        S: 220 x.example ESMTP
        C: HELO a.example\\n\\
        S: 250 x.example
        C: MAIL FROM:<a@a.example>\\n\\
        S: 250 OK
        C: RCPT TO:<b@x.example>\\n\\
        S: 250 OK
        C: DATA\\n\\
        S: 354 go
        C: line one\\nline two\\r\\n.\\r\\n\\
        S: 250 OK
        ",
    );
    assert_eq!(seen.messages, vec![b"line one\r\nline two\r\n".to_vec()]);
}

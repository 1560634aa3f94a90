//! Server transcripts from the RFCs and the project's seed overview, each run whole, byte by
//! byte and at random splits (see `support`). The test application answers from each test's
//! `Fixture`, never from the script; the RFCs' reply texts stay in the scripts, compared by
//! code where the application chose the reply (`S:`) and in full where the script says `S=`.
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
use smtp_proto::server::Config;
use support::{Fixture, Seen, server_transcript};

fn config(host: &str, greeting: &str) -> Config {
    let mut c = Config::default();
    c.hostname = host.into();
    c.greeting = greeting.into();
    c
}

/// Returns the recipients of the `n`th message the application took.
fn recipients(seen: &Seen, n: usize) -> Vec<&str> {
    seen.envelopes[n].1.iter().map(String::as_str).collect()
}

#[test]
fn seed_overview_smtp_handshake() {
    let seen = server_transcript(
        &config("mydomain.com", "ESMTP"),
        &Fixture::new()
            .sender("<sender@mydomain.com>")
            .mailboxes(&["<recipient@example.com>"]),
        CloseReason::PeerClosed,
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
    assert_eq!(recipients(&seen, 0), ["<recipient@example.com>"]);
}

/// foo.com of RFC 5321 Appendix D: Jones and Brown have mailboxes, Green has none.
fn foo_com() -> Fixture {
    Fixture::new()
        .sender("<Smith@bar.com>")
        .mailboxes(&["<Jones@foo.com>", "<Brown@foo.com>"])
        .refuse("<Green@foo.com>", "550 No such user here")
}

#[test]
fn rfc5321_appendix_d1_typical_transaction() {
    let seen = server_transcript(
        &config("foo.com", "Simple Mail Transfer Service Ready"),
        &foo_com(),
        CloseReason::Quit,
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
        S= 550 No such user here
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
    assert_eq!(seen.envelopes[0].0, "<Smith@bar.com>");
    assert_eq!(recipients(&seen, 0), ["<Jones@foo.com>", "<Brown@foo.com>"]);
}

#[test]
fn rfc5321_appendix_d2_aborted_transaction() {
    let seen = server_transcript(
        &config("foo.com", "Simple Mail Transfer Service Ready"),
        &foo_com(),
        CloseReason::Quit,
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
    assert!(seen.aborted.is_empty());
}

#[test]
fn rfc5321_appendix_d3_relayed_mail_first_hop() {
    let seen = server_transcript(
        &config("foo.com", "Simple Mail Transfer Service Ready"),
        &Fixture::new()
            .sender("<JQP@bar.com>")
            .mailboxes(&["<Jones@XYZ.COM>"]),
        CloseReason::Quit,
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
    assert_eq!(recipients(&seen, 0), ["<Jones@XYZ.COM>"]);
}

#[test]
fn rfc5321_appendix_d3_relayed_mail_second_hop() {
    // The relay's Received line is folded, and the signature is indented: both reach the
    // application as sent.
    let seen = server_transcript(
        &config("xyz.com", "Simple Mail Transfer Service Ready"),
        &Fixture::new()
            .sender("<JQP@bar.com>")
            .mailboxes(&["<Jones@XYZ.COM>"]),
        CloseReason::Quit,
        r"
        S: 220 xyz.com Simple Mail Transfer Service Ready
        C: EHLO foo.com
        S: 250 xyz.com is on the air
        C: MAIL FROM:<JQP@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@XYZ.COM>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Received: from bar.com by foo.com ; Thu, 21 May 1998
        C:     05:33:29 -0700
        C: Date: Thu, 21 May 1998 05:33:22 -0700
        C: From: John Q. Public <JQP@bar.com>
        C: Subject:  The Next Meeting of the Board
        C: To: Jones@xyz.com
        C:
        C: Bill:
        C: The next meeting of the board of directors will be
        C: on Tuesday.
        C:                         John.
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    let msg = String::from_utf8(seen.messages[0].clone()).unwrap();
    assert!(
        msg.starts_with("Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n    05:33:29"),
        "{msg}"
    );
    assert!(
        msg.ends_with("\r\n                        John.\r\n"),
        "{msg}"
    );
}

#[test]
fn rfc5321_appendix_d4_verifying_and_sending() {
    let mut c = config("foo.com", "Simple Mail Transfer Service Ready");
    c.application_vrfy = true;
    let seen = server_transcript(
        &c,
        &Fixture::new()
            .vrfy("Crispin", "250 Mark Crispin <Admin.MRC@foo.com>")
            .sender("<EAK@bar.com>")
            .mailboxes(&["<Admin.MRC@foo.com>"]),
        CloseReason::Quit,
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
        S= 250 Mark Crispin <Admin.MRC@foo.com>
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
    assert_eq!(recipients(&seen, 0), ["<Admin.MRC@foo.com>"]);
}

#[test]
fn rfc5321_section_3_5_1_expn_lists_and_refusals() {
    let mut c = config("foo.com", "ESMTP");
    c.application_expn = true;
    let seen = server_transcript(
        &c,
        &Fixture::new()
            .expn(
                "Example-People",
                "250-Jon Postel <Postel@isi.edu>\n\
                 250-Fred Fonebone <Fonebone@physics.foo-u.edu>\n\
                 250 Sam Q. Smith <SQSmith@specific.generic.com>",
            )
            .expn("Executive-Washroom-List", "550 Access Denied to You."),
        CloseReason::PeerClosed,
        r"
        S: 220 foo.com ESMTP
        C: EHLO bar.com
        S: 250 foo.com
        C: EXPN Example-People
        S= 250-Jon Postel <Postel@isi.edu>
        S= 250-Fred Fonebone <Fonebone@physics.foo-u.edu>
        S= 250 Sam Q. Smith <SQSmith@specific.generic.com>
        C: EXPN Executive-Washroom-List
        S= 550 Access Denied to You.
        ",
    );
    assert_eq!(
        seen.events.iter().filter(|e| e.starts_with("Expn")).count(),
        2
    );
}

/// innosoft.com of RFC 2920 §4: ned, dan and kvc have mailboxes; remote mail is refused.
fn innosoft() -> Fixture {
    Fixture::new()
        .sender("<mrose@dbc.mtview.ca.us>")
        .mailboxes(&[
            "<ned@innosoft.com>",
            "<dan@innosoft.com>",
            "<kvc@innosoft.com>",
        ])
        .refuse(
            "<nsb@thumper.bellcore.com>",
            "550 remote mail to <nsb@thumper.bellore.com> not allowed",
        )
        .refuse(
            "<galvin@tis.com>",
            "550 remote mail to <galvin@tis.com> not allowed",
        )
}

#[test]
fn rfc2920_section_3_2_without_pipelining() {
    let seen = server_transcript(
        &config("Innosoft.com", "SMTP service ready"),
        &innosoft(),
        CloseReason::Quit,
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
    assert_eq!(seen.messages, vec![Vec::<u8>::new()]);
    assert_eq!(recipients(&seen, 0).len(), 3);
}

#[test]
fn rfc2920_section_3_2_pipelined() {
    let seen = server_transcript(
        &config("innosoft.com", "SMTP service ready"),
        &innosoft(),
        CloseReason::Quit,
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
    assert_eq!(
        recipients(&seen, 0),
        [
            "<ned@innosoft.com>",
            "<dan@innosoft.com>",
            "<kvc@innosoft.com>"
        ]
    );
}

#[test]
fn rfc2920_section_3_2_pipelined_with_no_valid_recipients() {
    // RFC 2920 §3.2 (3): the server itself refuses DATA when no recipient was accepted; the
    // application never sees a message (a MessageStart or MessageEnd here fails the test).
    let seen = server_transcript(
        &config("innosoft.com", "SMTP service ready"),
        &innosoft(),
        CloseReason::Quit,
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
        S= 550 remote mail to <nsb@thumper.bellore.com> not allowed
        S= 550 remote mail to <galvin@tis.com> not allowed
        S: 554 no valid recipients given
        C: QUIT
        S: 221 goodbye
        ",
    );
    assert!(seen.messages.is_empty());
    assert!(
        !seen.events.iter().any(|e| e.starts_with("Message")),
        "{:?}",
        seen.events
    );
}

#[test]
fn rfc3030_section_4_1_simple_chunking() {
    let seen = server_transcript(
        &config("cnri.reston.va.us", "SMTP service ready"),
        &Fixture::new()
            .sender("<Sam@Random.com>")
            .mailboxes(&["<Susan@Random.com>"])
            .message_reply("250 Message OK"),
        CloseReason::Quit,
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
    let seen = server_transcript(
        &c,
        &Fixture::new()
            .sender("<ned@ymir.claremont.edu>")
            .mailboxes(&[
                "<gvaudre@cnri.reston.va.us>",
                "<jstewart@cnri.reston.va.us>",
            ]),
        CloseReason::Quit,
        &script,
    );
    assert_eq!(seen.messages.len(), 1);
    assert_eq!(seen.messages[0], format!("{first}{second}").into_bytes());
    assert_eq!(recipients(&seen, 0).len(), 2);
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

/// The user of RFC 4954 §4.1's PLAIN examples: "test" with password "1234".
fn rfc4954_user() -> Fixture {
    Fixture::new().user("test", "1234")
}

#[test]
fn rfc4954_section_8_plain_with_initial_response_after_starttls() {
    let seen = server_transcript(
        &auth_config(),
        &rfc4954_user(),
        CloseReason::PeerClosed,
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
    );
    assert_eq!(seen.authenticated, vec![Some("test".to_string())]);
    assert_eq!(seen.discarded, 0);
}

#[test]
fn rfc4954_section_8_plain_with_empty_challenge() {
    let mut c = auth_config();
    c.tls_active = true;
    let seen = server_transcript(
        &c,
        &rfc4954_user(),
        CloseReason::PeerClosed,
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
    );
    assert_eq!(seen.authenticated, vec![Some("test".to_string())]);
}

#[test]
fn rfc4954_section_8_cram_md5_challenge_and_a_wrong_secret() {
    // RFC 4954 does not give rjs3's secret: the fixture's is another, so the digest fails.
    let mut c = auth_config();
    c.hostname = "sourcefour.andrew.cmu.edu".into();
    c.allow_plaintext_auth = true;
    c.nonce = Some("4192942341.12828472".parse().unwrap());
    let seen = server_transcript(
        &c,
        &Fixture::new().user("rjs3", "not the RFC's secret"),
        CloseReason::PeerClosed,
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
    assert!(seen.authenticated.is_empty());
}

#[test]
fn rfc2195_cram_md5_example_over_smtp() {
    // RFC 2195 §2's exchange (tim, "tanstaaftanstaaf"), with SMTP's 334 instead of IMAP's +.
    let mut c = auth_config();
    c.hostname = "postoffice.reston.mci.net".into();
    c.allow_plaintext_auth = true;
    c.nonce = Some("1896.697170952".parse().unwrap());
    let seen = server_transcript(
        &c,
        &Fixture::new().user("tim", "tanstaaftanstaaf"),
        CloseReason::PeerClosed,
        r"
        S: 220 postoffice.reston.mci.net ESMTP
        C: EHLO client.example.com
        S: 250-postoffice.reston.mci.net
        S: 250 AUTH CRAM-MD5
        C: AUTH CRAM-MD5
        S= 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
        C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
        S= 235 2.7.0 Authentication successful
        ",
    );
    assert_eq!(seen.authenticated, vec![Some("tim".to_string())]);
}

#[test]
fn rfc7677_scram_sha_256_example_over_smtp_with_stored_credentials() {
    // RFC 7677 §3: user "user", password "pencil"; the application answers with credentials
    // derived from the fixture's password, salt and iteration count.
    let mut c = auth_config();
    c.tls_active = true;
    c.sasl_mechanisms = vec![Mechanism::ScramSha256];
    c.nonce = Some("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".parse().unwrap());
    let salt = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "W22ZaJ0SNY7soEsUEjb6gQ==",
    )
    .unwrap();
    let seen = server_transcript(
        &c,
        &Fixture::new().user("user", "pencil").scram(&salt, 4096),
        CloseReason::PeerClosed,
        r"
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com
        S: 250 AUTH SCRAM-SHA-256
        C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
        S= 334 cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=
        C: Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
        S= 334 dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==
        C:
        S= 235 2.7.0 Authentication successful
        ",
    );
    assert_eq!(seen.authenticated, vec![Some("user".to_string())]);
}

#[test]
fn rfc4954_section_8_external_after_starttls() {
    let seen = server_transcript(
        &auth_config(),
        &Fixture::new().external("client.example.com"),
        CloseReason::PeerClosed,
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
    );
    // EXTERNAL has no authentication identity of its own: the certificate is it.
    assert_eq!(seen.authenticated, vec![None]);
}

#[test]
fn rfc4954_section_5_auth_parameter_of_mail() {
    let seen = server_transcript(
        &config("x.example", "ESMTP"),
        &Fixture::new()
            .sender("<e=mc2@example.com>")
            .sender("<john+@example.org>"),
        CloseReason::PeerClosed,
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
        &Fixture::new()
            .sender("<chris@bar.com>")
            .mailboxes(&["<pat@foo.edu>", "<green@foo.edu>"])
            .refuse("<jones@foo.edu>", "550 No such user here")
            .delivery(
                "<green@foo.edu>",
                "452 <green@foo.edu> is temporarily over quota",
            ),
        CloseReason::Quit,
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
        S= 452 <green@foo.edu> is temporarily over quota
        C: QUIT
        S: 221 foo.edu closing connection
        ",
    );
    assert_eq!(seen.messages.len(), 1);
    assert_eq!(recipients(&seen, 0), ["<pat@foo.edu>", "<green@foo.edu>"]);
}

#[test]
fn lmtp_refuses_helo_and_ehlo() {
    let mut c = Config::lmtp();
    c.hostname = "foo.edu".into();
    let seen = server_transcript(
        &c,
        &Fixture::new(),
        CloseReason::PeerClosed,
        r"
        S: 220 foo.edu LMTP
        C: EHLO foo.edu
        S= 500 5.5.1 Command not recognized
        C: HELO foo.edu
        S= 500 5.5.1 Command not recognized
        ",
    );
    assert_eq!(seen.events, ["Closed { reason: PeerClosed }"]);
}

#[test]
fn a_refused_helo_name_leaves_the_session_unnamed() {
    let seen = server_transcript(
        &config("mx.example", "ESMTP"),
        &Fixture::new()
            .refuse_helo("mx.example", "550 5.7.1 You are not me")
            .sender("<a@b.example>"),
        CloseReason::Quit,
        r"
        S: 220 mx.example ESMTP
        C: EHLO mx.example
        S= 550 5.7.1 You are not me
        C: MAIL FROM:<a@b.example>
        S= 503 5.5.1 Send HELO/EHLO first
        C: EHLO client.example
        S: 250 mx.example
        C: MAIL FROM:<a@b.example>
        S: 250 OK
        C: QUIT
        S: 221 bye
        ",
    );
    assert_eq!(
        seen.events.iter().filter(|e| e.starts_with("Helo")).count(),
        2
    );
}

#[test]
fn normalize_policy_accepts_bare_lf_commands() {
    let mut c = config("x.example", "ESMTP");
    c.bare_newline = BareNewline::Normalize;
    let seen = server_transcript(
        &c,
        &Fixture::new()
            .sender("<a@a.example>")
            .mailboxes(&["<b@x.example>"]),
        CloseReason::PeerClosed,
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

// ----- the harness itself can fail -----

/// A session of the seed overview, for the harness's own tests.
const SEED: &str = r"
    S: 220 mydomain.com ESMTP
    C: HELO mydomain.com
    S: 250 mydomain.com
    C: MAIL FROM:<sender@mydomain.com>
    S: 250 OK
    C: RCPT TO:<recipient@example.com>
    S: 250 OK
    C: DATA
    S: 354 Go ahead
    C: (email content)
    C: .
    S: 250 OK
    C: QUIT
    S: 221 bye
";

fn seed_fixture() -> Fixture {
    Fixture::new()
        .sender("<sender@mydomain.com>")
        .mailboxes(&["<recipient@example.com>"])
}

#[test]
fn the_harness_passes_the_seed_session() {
    server_transcript(
        &config("mydomain.com", "ESMTP"),
        &seed_fixture(),
        CloseReason::Quit,
        SEED,
    );
}

#[test]
#[should_panic(expected = "unplanned RCPT TO:<recipient@example.com>")]
fn the_harness_fails_on_a_recipient_the_fixture_does_not_know() {
    server_transcript(
        &config("mydomain.com", "ESMTP"),
        &Fixture::new().sender("<sender@mydomain.com>"),
        CloseReason::Quit,
        SEED,
    );
}

#[test]
#[should_panic(expected = "unplanned MAIL FROM:<sender@mydomain.com>")]
fn the_harness_fails_on_a_sender_the_fixture_does_not_know() {
    server_transcript(
        &config("mydomain.com", "ESMTP"),
        &Fixture::new().mailboxes(&["<recipient@example.com>"]),
        CloseReason::Quit,
        SEED,
    );
}

#[test]
#[should_panic(expected = "reply #3: got 550")]
fn the_harness_fails_when_the_fixture_refuses_what_the_script_accepts() {
    // The script's 250 to RCPT is not what the application answers: the reply differs.
    server_transcript(
        &config("mydomain.com", "ESMTP"),
        &Fixture::new()
            .sender("<sender@mydomain.com>")
            .refuse("<recipient@example.com>", "550 no"),
        CloseReason::Quit,
        SEED,
    );
}

#[test]
#[should_panic(expected = "the session must end with one Closed event")]
fn the_harness_fails_on_another_close_reason() {
    server_transcript(
        &config("mydomain.com", "ESMTP"),
        &seed_fixture(),
        CloseReason::PeerClosed,
        SEED,
    );
}

#[test]
#[should_panic(expected = "reply #2")]
fn the_harness_compares_exact_text_where_the_script_says_so() {
    let script = SEED.replace("S: 250 OK\n    C: RCPT", "S= 250 OK\n    C: RCPT");
    server_transcript(
        &config("mydomain.com", "ESMTP"),
        &seed_fixture(),
        CloseReason::Quit,
        &script,
    );
}

#[test]
#[should_panic(expected = "reply #5: got 554")]
fn the_harness_fails_when_data_with_no_recipient_is_not_refused() {
    // The script wrongly expects 354 to DATA after every recipient was refused.
    server_transcript(
        &config("innosoft.com", "SMTP service ready"),
        &innosoft(),
        CloseReason::PeerClosed,
        r#"
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
        S: 354 enter mail, end with line containing only "."
        C: .
        S: 250 OK
        "#,
    );
}

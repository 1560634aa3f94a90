//! Client transcripts: the client must write exactly the scripted lines, each just after the
//! server bytes that precede it, and report the same events whether the server's bytes come
//! whole, byte by byte or at random splits (see `support`).
//!
//! `C:` lines are what the application asks for (the message, credentials and nonce come
//! from the test's `ClientFixture`), `C=` lines what the client writes on its own: EHLO, the
//! RCPT and DATA of a transaction, the content it dot-stuffs or chunks, SASL responses, and
//! RSET after a failed transaction. Where the RFC's client does something else, a comment
//! says what and why.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use mail_core::address::rfc5321::ForwardPath;
use mail_core::sasl::Mechanism;
use mail_core::sasl::client::Credentials;
use smtp_proto::client::MailTransaction;
use support::{ClientFixture, client_config, client_transcript};

#[test]
fn seed_overview_smtp_exchange_as_client() {
    // The overview's server knows HELO only: the client's EHLO is refused and it falls back.
    let seen = client_transcript(
        &client_config("mydomain.com"),
        &ClientFixture::default().mail(
            "<sender@mydomain.com>",
            &["<recipient@example.com>"],
            b"(email content)\r\n",
        ),
        r"
        S: 220 mydomain.com Service ready
        C= EHLO mydomain.com
        S: 500 5.5.1 Command unrecognized
        C= HELO mydomain.com
        S: 250 mydomain.com, pleased to meet you
        C: MAIL FROM:<sender@mydomain.com>
        S: 250 OK
        C= RCPT TO:<recipient@example.com>
        S: 250 OK
        C= DATA
        S: 354 Go ahead
        C= (email content)
        C= .
        S: 250 OK
        ",
    );
    assert_eq!(
        seen.events,
        [
            "Greeting 220 mydomain.com Service ready",
            "Ready mydomain.com,",
            "Recipient <recipient@example.com> 250 OK",
            "SendBody",
            "MessageSent <recipient@example.com> 250 OK",
            "Closed PeerClosed",
        ]
    );
}

#[test]
fn rfc5321_appendix_d1_typical_transaction_as_client() {
    // The RFC's content line "...etc. etc. etc." is the dot-stuffed form of "..etc.".
    let seen = client_transcript(
        &client_config("bar.com"),
        &ClientFixture::default().mail(
            "<Smith@bar.com>",
            &["<Jones@foo.com>", "<Green@foo.com>", "<Brown@foo.com>"],
            b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
        ),
        r"
        S: 220 foo.com Simple Mail Transfer Service Ready
        C= EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<Smith@bar.com>
        S: 250 OK
        C= RCPT TO:<Jones@foo.com>
        S: 250 OK
        C= RCPT TO:<Green@foo.com>
        S: 550 No such user here
        C= RCPT TO:<Brown@foo.com>
        S: 250 OK
        C= DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C= Blah blah blah...
        C= ...etc. etc. etc.
        C= .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    assert_eq!(
        seen.events,
        [
            "Greeting 220 foo.com Simple Mail Transfer Service Ready",
            // The keywords in EhloReply's fixed order, not as sent.
            "Ready foo.com: SIZE, 8BITMIME, DSN, HELP",
            "Recipient <Jones@foo.com> 250 OK",
            "Recipient <Green@foo.com> 550 No such user here",
            "Recipient <Brown@foo.com> 250 OK",
            "SendBody",
            "MessageSent <Jones@foo.com> 250 OK; <Brown@foo.com> 250 OK",
            "Closed Quit 221 foo.com Service closing transmission channel",
        ]
    );
}

#[test]
fn rfc5321_appendix_d3_relayed_mail_as_client_both_hops() {
    let first_hop = client_transcript(
        &client_config("bar.com"),
        &ClientFixture::default().mail(
            "<JQP@bar.com>",
            &["<Jones@XYZ.COM>"],
            b"Date: Thu, 21 May 1998 05:33:29 -0700\r\n\
              From: John Q. Public <JQP@bar.com>\r\n\
              Subject: The Next Meeting of the Board\r\n\
              To: Jones@xyz.com\r\n\
              \r\n\
              Bill:\r\n\
              The next meeting of the board of directors will be\r\n\
              on Tuesday.\r\n\
              John.\r\n",
        ),
        r"
        S: 220 foo.com Simple Mail Transfer Service Ready
        C= EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<JQP@bar.com>
        S: 250 OK
        C= RCPT TO:<Jones@XYZ.COM>
        S: 250 OK
        C= DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C= Date: Thu, 21 May 1998 05:33:29 -0700
        C= From: John Q. Public <JQP@bar.com>
        C= Subject: The Next Meeting of the Board
        C= To: Jones@xyz.com
        C=
        C= Bill:
        C= The next meeting of the board of directors will be
        C= on Tuesday.
        C= John.
        C= .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    assert!(
        first_hop
            .events
            .contains(&"MessageSent <Jones@XYZ.COM> 250 OK".to_owned())
    );
    // The relay adds its Received line, folded; the signature keeps its indentation.
    let second_hop = client_transcript(
        &client_config("foo.com"),
        &ClientFixture::default().mail(
            "<JQP@bar.com>",
            &["<Jones@XYZ.COM>"],
            b"Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n    05:33:29 -0700\r\n\
              Date: Thu, 21 May 1998 05:33:22 -0700\r\n\
              From: John Q. Public <JQP@bar.com>\r\n\
              Subject:  The Next Meeting of the Board\r\n\
              To: Jones@xyz.com\r\n\
              \r\n\
              Bill:\r\n\
              The next meeting of the board of directors will be\r\n\
              on Tuesday.\r\n                        John.\r\n",
        ),
        r"
        S: 220 xyz.com Simple Mail Transfer Service Ready
        C= EHLO foo.com
        S: 250 xyz.com is on the air
        C: MAIL FROM:<JQP@bar.com>
        S: 250 OK
        C= RCPT TO:<Jones@XYZ.COM>
        S: 250 OK
        C= DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C= Received: from bar.com by foo.com ; Thu, 21 May 1998
        C=     05:33:29 -0700
        C= Date: Thu, 21 May 1998 05:33:22 -0700
        C= From: John Q. Public <JQP@bar.com>
        C= Subject:  The Next Meeting of the Board
        C= To: Jones@xyz.com
        C=
        C= Bill:
        C= The next meeting of the board of directors will be
        C= on Tuesday.
        C=                         John.
        C= .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    assert_eq!(
        second_hop.events[1], "Ready xyz.com",
        "an EHLO reply without keywords"
    );
}

#[test]
fn rfc5321_appendix_d4_verifying_and_sending_as_client() {
    let seen = client_transcript(
        &client_config("bar.com"),
        &ClientFixture::default().mail(
            "<EAK@bar.com>",
            &["<Admin.MRC@foo.com>"],
            b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
        ),
        r"
        S: 220 foo.com Simple Mail Transfer Service Ready
        C= EHLO bar.com
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
        C= RCPT TO:<Admin.MRC@foo.com>
        S: 250 OK
        C= DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C= Blah blah blah...
        C= ...etc. etc. etc.
        C= .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel
        ",
    );
    assert_eq!(
        seen.events[2], "Reply 250 Mark Crispin <Admin.MRC@foo.com>",
        "{:?}",
        seen.events
    );
}

fn innosoft() -> ClientFixture {
    ClientFixture::default().mail(
        "<mrose@dbc.mtview.ca.us>",
        &[
            "<ned@innosoft.com>",
            "<dan@innosoft.com>",
            "<kvc@innosoft.com>",
        ],
        b"",
    )
}

#[test]
fn rfc2920_section_4_without_pipelining_as_client() {
    // The RFC's client says HELO; this one says EHLO first and falls back when refused.
    let seen = client_transcript(
        &client_config("dbc.mtview.ca.us"),
        &innosoft(),
        r#"
        S: 220 Innosoft.com SMTP service ready
        C= EHLO dbc.mtview.ca.us
        S: 500 Command unrecognized
        C= HELO dbc.mtview.ca.us
        S: 250 Innosoft.com
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        C= RCPT TO:<ned@innosoft.com>
        S: 250 recipient <ned@innosoft.com> OK
        C= RCPT TO:<dan@innosoft.com>
        S: 250 recipient <dan@innosoft.com> OK
        C= RCPT TO:<kvc@innosoft.com>
        S: 250 recipient <kvc@innosoft.com> OK
        C= DATA
        S: 354 enter mail, end with line containing only "."
        C= .
        S: 250 message sent
        C: QUIT
        S: 221 goodbye
        "#,
    );
    assert_eq!(seen.events.len(), 8, "{:?}", seen.events);
    assert_eq!(seen.events[1], "Ready Innosoft.com");
    assert_eq!(
        seen.events[6],
        "MessageSent <ned@innosoft.com> 250 message sent; <dan@innosoft.com> 250 message sent; \
         <kvc@innosoft.com> 250 message sent"
    );
}

#[test]
fn rfc2920_section_4_pipelined_as_client() {
    // MAIL, the RCPTs and DATA leave in one group; QUIT follows the content without waiting.
    let seen = client_transcript(
        &client_config("dbc.mtview.ca.us"),
        &innosoft(),
        r#"
        S: 220 innosoft.com SMTP service ready
        C= EHLO dbc.mtview.ca.us
        S: 250-innosoft.com
        S: 250 PIPELINING
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C= RCPT TO:<ned@innosoft.com>
        C= RCPT TO:<dan@innosoft.com>
        C= RCPT TO:<kvc@innosoft.com>
        C= DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 250 recipient <ned@innosoft.com> OK
        S: 250 recipient <dan@innosoft.com> OK
        S: 250 recipient <kvc@innosoft.com> OK
        S: 354 enter mail, end with line containing only "."
        C= .
        C: QUIT
        S: 250 message sent
        S: 221 goodbye
        "#,
    );
    assert_eq!(
        &seen.events[2..],
        [
            "Recipient <ned@innosoft.com> 250 recipient <ned@innosoft.com> OK",
            "Recipient <dan@innosoft.com> 250 recipient <dan@innosoft.com> OK",
            "Recipient <kvc@innosoft.com> 250 recipient <kvc@innosoft.com> OK",
            "SendBody",
            "MessageSent <ned@innosoft.com> 250 message sent; <dan@innosoft.com> 250 message sent; \
             <kvc@innosoft.com> 250 message sent",
            "Closed Quit 221 goodbye",
        ]
    );
}

fn remote_only() -> ClientFixture {
    ClientFixture::default().mail(
        "<mrose@dbc.mtview.ca.us>",
        &["<nsb@thumper.bellcore.com>", "<galvin@tis.com>"],
        b"",
    )
}

#[test]
fn rfc2920_section_4_pipelined_with_no_valid_recipients_as_client() {
    // RFC 2920 §3.1: "If the DATA command was properly rejected the client SMTP can just
    // issue RSET": this client does, so the server's transaction is gone before QUIT.
    let seen = client_transcript(
        &client_config("dbc.mtview.ca.us"),
        &remote_only(),
        r"
        S: 220 innosoft.com SMTP service ready
        C= EHLO dbc.mtview.ca.us
        S: 250-innosoft.com
        S: 250 PIPELINING
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C= RCPT TO:<nsb@thumper.bellcore.com>
        C= RCPT TO:<galvin@tis.com>
        C= DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
        S: 550 remote mail to <galvin@tis.com> not allowed
        S: 554 no valid recipients given
        C= RSET
        S: 250 OK
        C: QUIT
        S: 221 goodbye
        ",
    );
    assert_eq!(
        &seen.events[2..],
        [
            "Recipient <nsb@thumper.bellcore.com> 550 remote mail to <nsb@thumper.bellore.com> not allowed",
            "Recipient <galvin@tis.com> 550 remote mail to <galvin@tis.com> not allowed",
            "TransactionFailed 554 no valid recipients given",
            "Closed Quit 221 goodbye",
        ]
    );
}

#[test]
fn rfc2920_section_3_1_data_accepted_with_no_valid_recipients_gets_a_single_dot() {
    // RFC 2920 §4's last example: the server wrongly accepts DATA; "if the DATA command was
    // accepted the client SMTP should send a single dot" (§3.1), and the message fails.
    let seen = client_transcript(
        &client_config("dbc.mtview.ca.us"),
        &remote_only(),
        r#"
        S: 220 innosoft.com SMTP service ready
        C= EHLO dbc.mtview.ca.us
        S: 250-innosoft.com
        S: 250 PIPELINING
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C= RCPT TO:<nsb@thumper.bellcore.com>
        C= RCPT TO:<galvin@tis.com>
        C= DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
        S: 550 remote mail to <galvin@tis.com> not allowed
        S: 354 enter mail, end with line containing only "."
        C= .
        C: QUIT
        S: 554 no valid recipients
        S: 221 goodbye
        "#,
    );
    assert_eq!(
        &seen.events[4..],
        [
            "TransactionFailed 554 no valid recipients",
            "Closed Quit 221 goodbye"
        ]
    );
    assert!(!seen.events.contains(&"SendBody".to_owned()));
}

/// The content of RFC 3030 §4.2: 100000 octets, then 324.
fn binary_parts() -> (String, String) {
    let first: String = (0..100_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    (first, "Z".repeat(324))
}

#[test]
fn rfc3030_section_4_2_pipelining_binarymime_as_client() {
    let mut config = client_config("ymir.claremont.edu");
    config.chunking = true;
    let (first, second) = binary_parts();
    let mut transaction = MailTransaction::new(
        "<ned@ymir.claremont.edu>".parse().unwrap(),
        [
            "<gvaudre@cnri.reston.va.us>",
            "<jstewart@cnri.reston.va.us>",
        ]
        .map(|r| r.parse::<ForwardPath>().unwrap()),
    );
    transaction.binary = true;
    let seen = client_transcript(
        &config,
        &ClientFixture::default()
            .transaction(transaction, format!("{first}{second}").as_bytes())
            .chunk(100_000),
        &format!(
            r"
            S: 220 cnri.reston.va.us SMTP service ready
            C= EHLO ymir.claremont.edu
            S: 250-cnri.reston.va.us says hello
            S: 250-PIPELINING
            S: 250-BINARYMIME
            S: 250 CHUNKING
            C: MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME
            C= RCPT TO:<gvaudre@cnri.reston.va.us>
            C= RCPT TO:<jstewart@cnri.reston.va.us>
            S: 250 <ned@ymir.claremont.edu>... Sender and BINARYMIME ok
            S: 250 <gvaudre@cnri.reston.va.us>... Recipient ok
            S: 250 <jstewart@cnri.reston.va.us>... Recipient ok
            C= BDAT 100000
            C= {first}\
            C= BDAT 324
            C= {second}\
            C= BDAT 0 LAST
            S: 250 100000 octets received
            S: 250 324 octets received
            S: 250 Message OK, 100324 octets received
            C: QUIT
            S: 221 Goodbye
            "
        ),
    );
    assert_eq!(
        &seen.events[4..],
        [
            "SendBody",
            "MessageSent <gvaudre@cnri.reston.va.us> 250 Message OK, 100324 octets received; \
             <jstewart@cnri.reston.va.us> 250 Message OK, 100324 octets received",
            "Closed Quit 221 Goodbye",
        ]
    );
}

#[test]
fn rfc3030_section_4_1_chunks_wait_for_their_reply_without_pipelining() {
    // The server offers CHUNKING but not PIPELINING. The client cannot know the last chunk
    // before `finish_body`, so it ends with `BDAT 0 LAST` (RFC 3030 §2 allows a zero-size
    // last chunk); but each BDAT must wait for the reply to the one before.
    let mut config = client_config("ymir.claremont.edu");
    config.chunking = true;
    let body = "To: Susan@random.com\r\nFrom: Sam@random.com\r\n\
                Subject: This is a bodyless test message\r\n";
    assert_eq!(body.len(), 86);
    client_transcript(
        &config,
        &ClientFixture::default()
            .mail("<Sam@Random.com>", &["<Susan@Random.com>"], body.as_bytes())
            .chunk(86),
        r"
        S: 220 cnri.reston.va.us SMTP service ready
        C= EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250 CHUNKING
        C: MAIL FROM:<Sam@Random.com>
        S: 250 <Sam@Random.com> Sender ok
        C= RCPT TO:<Susan@Random.com>
        S: 250 <Susan@random.com> Recipient ok
        C= BDAT 86
        C= To: Susan@random.com
        C= From: Sam@random.com
        C= Subject: This is a bodyless test message\r\n\
        S: 250 86 octets received
        C= BDAT 0 LAST
        S: 250 Message OK, 86 octets received
        C: QUIT
        S: 221 Goodbye
        ",
    );
}

#[test]
fn a_refused_chunk_stops_the_chunks_after_it_and_resets_without_pipelining() {
    // RFC 3030 §2: after a 4xx or 5xx to a BDAT chunk the client "MUST NOT send any
    // additional BDAT segments". The chunks the application already gave are dropped, and
    // the transaction ends with RSET.
    let mut config = client_config("ymir.claremont.edu");
    config.chunking = true;
    let body = "To: Susan@random.com\r\nFrom: Sam@random.com\r\n";
    let seen = client_transcript(
        &config,
        &ClientFixture::default()
            .mail("<Sam@Random.com>", &["<Susan@Random.com>"], body.as_bytes())
            .chunk(22),
        r"
        S: 220 cnri.reston.va.us SMTP service ready
        C= EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250 CHUNKING
        C: MAIL FROM:<Sam@Random.com>
        S: 250 <Sam@Random.com> Sender ok
        C= RCPT TO:<Susan@Random.com>
        S: 250 <Susan@random.com> Recipient ok
        C= BDAT 22
        C= To: Susan@random.com
        S: 452 4.3.1 Insufficient system storage
        C= RSET
        S: 250 OK
        C: QUIT
        S: 221 Goodbye
        ",
    );
    assert!(
        seen.events
            .iter()
            .any(|e| e == "TransactionFailed 452 4.3.1 Insufficient system storage"),
        "{:?}",
        seen.events
    );
}

#[test]
fn bdat_content_gets_crlf_line_ends_as_data_content_does() {
    // Our server (and Postfix) refuse a bare LF in BDAT content that is not BINARYMIME:
    // the client makes every line end CRLF, across chunks, and ends an unfinished last line.
    // A CR at the end of a piece waits for the next piece, which tells CRLF from a bare CR.
    let mut config = client_config("ymir.claremont.edu");
    config.chunking = true;
    client_transcript(
        &config,
        &ClientFixture::default()
            .mail("<Sam@Random.com>", &["<Susan@Random.com>"], b"a\nb\rc\r")
            .chunk(2),
        r"
        S: 220 cnri.reston.va.us SMTP service ready
        C= EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250-PIPELINING
        S: 250 CHUNKING
        C: MAIL FROM:<Sam@Random.com>
        C= RCPT TO:<Susan@Random.com>
        S: 250 Sender ok
        S: 250 Recipient ok
        C= BDAT 3
        C= a
        C= BDAT 1
        C= b\
        C= BDAT 3
        C= \r\nc\
        C= BDAT 2 LAST
        C= \r\n\
        S: 250 3 octets received
        S: 250 1 octets received
        S: 250 3 octets received
        S: 250 Message OK
        C: QUIT
        S: 221 Goodbye
        ",
    );
}

#[test]
fn rfc4954_plain_with_initial_response_after_starttls_as_client() {
    // RFC 4954 §4.1. The RFC's greeting "220-smtp.example.com ESMTP Server" is the first
    // line of a reply it never finishes; here it is one line.
    let seen = client_transcript(
        &client_config("client.example.com"),
        &ClientFixture::default().credentials(Credentials::Password {
            authorization_identity: Some("test".into()),
            username: "test".into(),
            password: mail_core::Secret::new("1234".into()),
        }),
        r"
        S: 220 smtp.example.com ESMTP Server
        C= EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250-AUTH GSSAPI DIGEST-MD5
        S: 250-ENHANCEDSTATUSCODES
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 Ready to start TLS
        S: <TLS>
        C= EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250 AUTH GSSAPI DIGEST-MD5 PLAIN
        C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
        S: 235 2.7.0 Authentication successful
        ",
    );
    assert_eq!(
        seen.events,
        [
            "Greeting 220 smtp.example.com ESMTP Server",
            // Fixed keyword order; mechanisms of Mechanism's own variants before the others.
            "Ready smtp.example.com: ENHANCEDSTATUSCODES, STARTTLS, AUTH GSSAPI DIGEST-MD5",
            "StartTls",
            "Ready smtp.example.com: AUTH PLAIN GSSAPI DIGEST-MD5",
            "Authenticated PLAIN",
            "Closed PeerClosed",
        ]
    );
}

/// A client that may authenticate without TLS, with one mechanism.
fn plaintext_auth(mechanism: Mechanism) -> smtp_proto::client::Config {
    let mut config = client_config("client.example.com");
    config.allow_plaintext_auth = true;
    config.sasl_mechanisms = vec![mechanism];
    config
}

fn tim() -> ClientFixture {
    ClientFixture::default().credentials(Credentials::password("tim", "tanstaaftanstaaf"))
}

#[test]
fn auth_login_answers_the_two_prompts() {
    let seen = client_transcript(
        &plaintext_auth(Mechanism::Login),
        &tim(),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example.com
        S: 250-mx.example
        S: 250 AUTH LOGIN
        C: AUTH LOGIN
        S: 334 VXNlcm5hbWU6
        C= dGlt
        S: 334 UGFzc3dvcmQ6
        C= dGFuc3RhYWZ0YW5zdGFhZg==
        S: 235 2.7.0 Authentication successful
        C: QUIT
        S: 221 2.0.0 Bye
        ",
    );
    assert_eq!(seen.events[2], "Authenticated LOGIN");
}

#[test]
fn rfc2195_cram_md5_over_smtp_as_client() {
    let seen = client_transcript(
        &plaintext_auth(Mechanism::CramMd5),
        &tim(),
        r"
        S: 220 postoffice.reston.mci.net ESMTP
        C= EHLO client.example.com
        S: 250-postoffice.reston.mci.net
        S: 250 AUTH CRAM-MD5
        C: AUTH CRAM-MD5
        S: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
        C= dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
        S: 235 2.7.0 Authentication successful
        ",
    );
    assert_eq!(seen.events[2], "Authenticated CRAM-MD5");
}

#[test]
fn the_strongest_shared_mechanism_is_chosen_and_a_refusal_reported() {
    // The server offers LOGIN, CRAM-MD5 and PLAIN; the default configuration prefers
    // CRAM-MD5. A 535 is reported, and the session goes on.
    let mut config = client_config("client.example.com");
    config.allow_plaintext_auth = true;
    let seen = client_transcript(
        &config,
        &ClientFixture::default().credentials(Credentials::password("tim", "wrong")),
        r"
        S: 220 postoffice.reston.mci.net ESMTP
        C= EHLO client.example.com
        S: 250-postoffice.reston.mci.net
        S: 250 AUTH LOGIN CRAM-MD5 PLAIN
        C: AUTH CRAM-MD5
        S: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
        C= dGltIGRmNjE1NmE5ZjVmNmJhMWE5NzYyMzM3MzM0Mzg1YzJl
        S: 535 5.7.8 Authentication credentials invalid
        C: NOOP
        S: 250 2.0.0 Ok
        ",
    );
    assert_eq!(
        &seen.events[2..],
        [
            "AuthenticationFailed 535 5.7.8 Authentication credentials invalid",
            "Reply 250 2.0.0 Ok",
            "Closed PeerClosed",
        ]
    );
}

#[test]
fn rfc7677_scram_sha_256_over_smtp_as_client() {
    let seen = client_transcript(
        &plaintext_auth(Mechanism::ScramSha256),
        &ClientFixture::default()
            .credentials(Credentials::password("user", "pencil"))
            .nonce("rOprNGfwEbeRWgbNEkqO"),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example.com
        S: 250-mx.example
        S: 250 AUTH SCRAM-SHA-256
        C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
        S: 334 cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=
        C= Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
        S: 334 dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==
        C=
        S: 235 2.7.0 Authentication successful
        ",
    );
    assert_eq!(seen.events[2], "Authenticated SCRAM-SHA-256");
}

#[test]
fn a_scram_server_signature_that_does_not_verify_is_cancelled() {
    // RFC 4954 §4: a client that cannot go on "MUST cancel the authentication using the '*'
    // response". The last 334 carries a v= (32 zero octets) that is not the server's proof.
    let seen = client_transcript(
        &plaintext_auth(Mechanism::ScramSha256),
        &ClientFixture::default()
            .credentials(Credentials::password("user", "pencil"))
            .nonce("rOprNGfwEbeRWgbNEkqO"),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example.com
        S: 250-mx.example
        S: 250 AUTH SCRAM-SHA-256
        C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
        S: 334 cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=
        C= Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
        S: 334 dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBPQ==
        C= *
        S: 501 5.0.0 Authentication cancelled
        ",
    );
    assert_eq!(
        seen.events[2],
        "AuthenticationFailed 501 5.0.0 Authentication cancelled"
    );
}

#[test]
fn starttls_then_ehlo_again_and_a_refused_starttls() {
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default(),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250-mx.example
        S: 250 STARTTLS
        C: STARTTLS
        S: 454 4.7.0 TLS not available due to temporary reason
        C: STARTTLS
        S: 220 2.0.0 Ready to start TLS
        S: <TLS>
        C= EHLO client.example
        S: 250-mx.example
        S: 250 AUTH PLAIN
        C: QUIT
        S: 221 2.0.0 Bye
        ",
    );
    assert_eq!(
        seen.events,
        [
            "Greeting 220 mx.example ESMTP",
            "Ready mx.example: STARTTLS",
            "StartTlsRefused 454 4.7.0 TLS not available due to temporary reason",
            "StartTls",
            "Ready mx.example: AUTH PLAIN",
            "Closed Quit 221 2.0.0 Bye",
        ]
    );
}

#[test]
fn a_reply_injected_behind_the_starttls_220_ends_the_session() {
    // RFC 3207 §4.2 and the 2021 "NO STARTTLS" study: bytes that arrive with or after the
    // 220 were sent in plaintext, maybe by an attacker; the client refuses to go on, so no
    // EHLO follows and the injected capabilities are never believed.
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default(),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250-mx.example
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 2.0.0 Ready to start TLS
        S: 250-mx.example
        S: 250 AUTH PLAIN LOGIN
        S: <TLS>
        ",
    );
    assert_eq!(&seen.events[2..3], ["StartTls"]);
    let closed = seen.events.last().unwrap();
    assert!(
        closed.starts_with("Closed ProtocolViolation error:"),
        "{closed}"
    );
    assert_eq!(seen.events.len(), 4, "{:?}", seen.events);
}

#[test]
fn ehlo_refused_with_502_falls_back_to_helo() {
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default().mail("<a@client.example>", &["<b@mx.example>"], b"hi\r\n"),
        r"
        S: 220 mx.example Old SMTP
        C= EHLO client.example
        S: 502 5.5.2 Error: command not recognized
        C= HELO client.example
        S: 250 mx.example
        C: MAIL FROM:<a@client.example>
        S: 250 2.1.0 Ok
        C= RCPT TO:<b@mx.example>
        S: 250 2.1.5 Ok
        C= DATA
        S: 354 End data with <CR><LF>.<CR><LF>
        C= hi
        C= .
        S: 250 2.0.0 Ok: queued
        C: QUIT
        S: 221 2.0.0 Bye
        ",
    );
    assert_eq!(seen.events[1], "Ready mx.example");
}

#[test]
fn every_recipient_refused_without_pipelining_fails_before_data() {
    // No DATA is sent when no recipient was accepted; RSET clears the server's transaction.
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default().mail(
            "<a@client.example>",
            &["<x@mx.example>", "<y@mx.example>"],
            b"hi\r\n",
        ),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250 mx.example
        C: MAIL FROM:<a@client.example>
        S: 250 2.1.0 Ok
        C= RCPT TO:<x@mx.example>
        S: 550 5.1.1 No such user
        C= RCPT TO:<y@mx.example>
        S: 450 4.2.0 Mailbox busy
        C= RSET
        S: 250 2.0.0 Ok
        ",
    );
    assert_eq!(
        &seen.events[2..],
        [
            "Recipient <x@mx.example> 550 5.1.1 No such user",
            "Recipient <y@mx.example> 450 4.2.0 Mailbox busy",
            "TransactionFailed 554 no recipient accepted",
            "Closed PeerClosed",
        ]
    );
}

#[test]
fn a_refused_data_resets_and_fails_the_transaction() {
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default()
            .mail("<a@client.example>", &["<b@mx.example>"], b"one\r\n")
            .mail("<a@client.example>", &["<b@mx.example>"], b"two\r\n"),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250 mx.example
        C: MAIL FROM:<a@client.example>
        S: 250 2.1.0 Ok
        C= RCPT TO:<b@mx.example>
        S: 250 2.1.5 Ok
        C= DATA
        S: 554 5.5.1 Error: no valid recipients
        C= RSET
        S: 250 2.0.0 Ok
        C: MAIL FROM:<a@client.example>
        S: 250 2.1.0 Ok
        C= RCPT TO:<b@mx.example>
        S: 250 2.1.5 Ok
        C= DATA
        S: 354 go ahead
        C= two
        C= .
        S: 552 5.3.4 Message too big
        ",
    );
    assert_eq!(
        &seen.events[2..],
        [
            "Recipient <b@mx.example> 250 2.1.5 Ok",
            "TransactionFailed 554 5.5.1 Error: no valid recipients",
            "Recipient <b@mx.example> 250 2.1.5 Ok",
            "SendBody",
            "MessageSent <b@mx.example> 552 5.3.4 Message too big",
            "Closed PeerClosed",
        ]
    );
}

#[test]
fn a_421_in_the_middle_of_a_transaction_closes_the_session() {
    // RFC 5321 §3.8: 421 may answer any command; the server then closes the connection.
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default().mail("<a@client.example>", &["<b@mx.example>"], b"hi\r\n"),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250-mx.example
        S: 250 PIPELINING
        C: MAIL FROM:<a@client.example>
        C= RCPT TO:<b@mx.example>
        C= DATA
        S: 250 2.1.0 Ok
        S: 250 2.1.5 Ok
        S: 421 4.3.2 Service shutting down, closing transmission channel
        ",
    );
    assert_eq!(
        &seen.events[2..],
        [
            "Recipient <b@mx.example> 250 2.1.5 Ok",
            "Closed ServerClosed 421 4.3.2 Service shutting down, closing transmission channel",
        ]
    );
}

#[test]
fn an_unasked_421_while_idle_closes_the_session() {
    let seen = client_transcript(
        &client_config("client.example"),
        &ClientFixture::default(),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250 mx.example
        S: 421 4.4.2 mx.example Error: timeout exceeded
        ",
    );
    assert_eq!(
        seen.events.last().unwrap(),
        "Closed ServerClosed 421 4.4.2 mx.example Error: timeout exceeded"
    );
}

#[test]
fn rfc2033_section_4_2_lmtp_replies_per_recipient_as_client() {
    // The RFC's client waits for each reply although the server offers PIPELINING: this
    // client does the same with pipelining turned off.
    let mut config = client_config("foo.edu");
    config.lmtp = true;
    config.pipelining = false;
    let seen = client_transcript(
        &config,
        &ClientFixture::default().mail(
            "<chris@bar.com>",
            &["<pat@foo.edu>", "<jones@foo.edu>", "<green@foo.edu>"],
            b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
        ),
        r"
        S: 220 foo.edu LMTP server ready
        C= LHLO foo.edu
        S: 250-foo.edu
        S: 250-PIPELINING
        S: 250 SIZE
        C: MAIL FROM:<chris@bar.com>
        S: 250 OK
        C= RCPT TO:<pat@foo.edu>
        S: 250 OK
        C= RCPT TO:<jones@foo.edu>
        S: 550 No such user here
        C= RCPT TO:<green@foo.edu>
        S: 250 OK
        C= DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C= Blah blah blah...
        C= ...etc. etc. etc.
        C= .
        S: 250 OK
        S: 452 <green@foo.edu> is temporarily over quota
        C: QUIT
        S: 221 foo.edu closing connection
        ",
    );
    assert_eq!(
        &seen.events[5..],
        [
            "SendBody",
            "MessageSent <pat@foo.edu> 250 OK; <green@foo.edu> 452 <green@foo.edu> is temporarily over quota",
            "Closed Quit 221 foo.edu closing connection",
        ]
    );
}

// ----- the harness itself can fail -----

#[test]
#[should_panic(expected = "written after")]
fn the_harness_fails_when_a_line_comes_at_another_place() {
    // Without PIPELINING the client waits for the MAIL reply before RCPT: a script that
    // puts RCPT right after MAIL is wrong, and the harness says so.
    client_transcript(
        &client_config("client.example"),
        &ClientFixture::default().mail("<a@client.example>", &["<b@mx.example>"], b""),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250 mx.example
        C: MAIL FROM:<a@client.example>
        C= RCPT TO:<b@mx.example>
        S: 250 2.1.0 Ok
        S: 250 2.1.5 Ok
        C= DATA
        S: 354 go
        C= .
        S: 250 ok
        ",
    );
}

#[test]
#[should_panic(expected = "client output")]
fn the_harness_fails_when_the_client_writes_something_else() {
    client_transcript(
        &client_config("client.example"),
        &ClientFixture::default(),
        r"
        S: 220 mx.example ESMTP
        C= HELO client.example
        S: 250 mx.example
        ",
    );
}

#[test]
#[should_panic(expected = "the fixture has messages the script never sends")]
fn the_harness_fails_when_a_planned_message_is_never_sent() {
    client_transcript(
        &client_config("client.example"),
        &ClientFixture::default().mail("<a@client.example>", &["<b@mx.example>"], b""),
        r"
        S: 220 mx.example ESMTP
        C= EHLO client.example
        S: 250 mx.example
        ",
    );
}

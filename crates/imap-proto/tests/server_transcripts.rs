//! Server transcripts from RFC 9051 and the extensions the server implements, each run whole,
//! byte by byte and at random splits against a test application that answers from its own
//! fixture (see `support`).
//!
//! Where an RFC example cannot be reproduced as printed (server-chosen text, the capability
//! list of this server, the order of SELECT's untagged data, values the RFC invents), the
//! script keeps the protocol content and a comment says what was adapted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use imap_proto::server::Config;
use imap_proto::types::Capability;
use imap_proto::types::Flag;
use mail_core::connection::CloseReason;
use mail_core::sasl::Mechanism;
use support::{Fixture, Mbox, config_with, plain_config, server_transcript};

/// The message of RFC 9051 §8: its header as printed, and a body of 92 lines (the RFC's
/// sizes are not consistent with each other; these are the fixture's own).
fn rfc9051_message() -> bytes::Bytes {
    let mut m = String::from(
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n",
    );
    for n in 0..92 {
        m.push_str(&format!("minutes line {n}\r\n"));
    }
    m.into()
}

fn rfc9051_fixture() -> Fixture {
    let mut inbox = Mbox::new("INBOX", 3_857_529_045, 1..=18);
    let m = inbox.messages.iter_mut().find(|m| m.uid == 12).unwrap();
    m.raw = rfc9051_message();
    m.flags = vec![Flag::Seen];
    Fixture {
        user: "user".into(),
        password: "pencil".into(),
        // RFC 7677 §3's salt, base64 "W22ZaJ0SNY7soEsUEjb6gQ==".
        scram: (
            mail_core::sasl::decode_challenge(b"W22ZaJ0SNY7soEsUEjb6gQ==", 64).unwrap(),
            4096,
        ),
        mailboxes: vec![inbox],
        ..Fixture::default()
    }
}

#[test]
fn rfc9051_8_sample_session() {
    let mut config = Config::default();
    config.starttls = true;
    config.sasl_mechanisms = vec![Mechanism::ScramSha256];
    // The server half of RFC 7677's nonce, which RFC 9051 §8 uses.
    config.nonce = Some("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".parse().unwrap());
    let app = server_transcript(
        &config,
        &rfc9051_fixture(),
        r#"
        # Adapted: this server's capability list (it also offers IMAP4rev1 and the
        # extensions it implements); SCRAM is offered only under TLS.
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED LITERAL+ ENABLE IDLE ID UNSELECT] IMAP4rev2 Service Ready
        C: a000 starttls
        S: a000 OK Proceed with TLS negotiation
        C: <TLS>
        C: A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
        S= + cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=
        C: Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
        S= + dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==
        C:
        # Adapted: the OK carries the new capabilities (RFC 9051 §6.2.2 allows it).
        S: A001 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] SCRAM-SHA-256 authentication successful
        C: babc ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: babc OK Some capabilities enabled
        C: a002 select inbox
        # Adapted: the order of SELECT's untagged data is free (§6.3.2); this server also
        # sends UIDNEXT and PERMANENTFLAGS; INBOX is not a denormalized name, so no OLDNAME.
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 18 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 19] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * LIST () "/" INBOX
        S: a002 OK [READ-WRITE] SELECT completed
        C: a003 fetch 12 full
        # Adapted: the fixture's sizes, the Message-Id as the header has it, "7bit" as
        # Dovecot writes the default encoding, and no space between addresses (RFC 9051 §9
        # `env-cc = "(" 1*address ")"`).
        S: * 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 1896 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7bit" 1554 92))
        S: a003 OK FETCH completed
        C: a004 fetch 12 body[header]
        S: * 12 FETCH (BODY[HEADER] {342}
        S: Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
        S: From: Terry Gray <gray@cac.washington.edu>
        S: Subject: IMAP4rev2 WG mtg summary and minutes
        S: To: imap@cac.washington.edu
        S: cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>
        S: Message-Id: <B27397-0100000@cac.washington.edu>
        S: MIME-Version: 1.0
        S: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
        S:
        S: )
        S: a004 OK FETCH completed
        C: a005 store 12 +flags \deleted
        # Adapted: this server puts the UID in every FETCH of an IMAP4rev2 session.
        S: * 12 FETCH (UID 12 FLAGS (\Seen \Deleted))
        S: a005 OK +FLAGS completed
        C: a006 logout
        S: * BYE IMAP4rev2 server terminating connection
        S: a006 OK LOGOUT completed
        "#,
    );
    assert_eq!(app.seen.authenticated, ["user"]);
    assert_eq!(app.seen.closed, Some(CloseReason::Quit));
    let inbox = app.store.mailbox("INBOX").unwrap();
    assert_eq!(inbox.find(12).unwrap().flags, [Flag::Seen, Flag::Deleted]);
}

fn tls_config() -> Config {
    let mut config = Config::default();
    config.starttls = true;
    config.sasl_mechanisms = vec![Mechanism::Plain];
    config
}

fn test_user() -> Fixture {
    Fixture {
        user: "test".into(),
        password: "test".into(),
        ..Fixture::default()
    }
}

#[test]
fn rfc9051_6_1_capability_starttls_authenticate_plain() {
    let app = server_transcript(
        &tls_config(),
        &test_user(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a001 CAPABILITY
        # Adapted: this server's capability list, here and below.
        S: * CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED LITERAL+ ENABLE IDLE ID UNSELECT
        S: a001 OK CAPABILITY completed
        C: a002 STARTTLS
        S: a002 OK Begin TLS negotiation now
        C: <TLS>
        C: a003 CAPABILITY
        S: * CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT
        S: a003 OK CAPABILITY completed
        C: a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=
        S: a004 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] Success (tls protection)
        C: a005 NOOP
        S: a005 OK NOOP completed
        C: A023 LOGOUT
        S: * BYE IMAP4rev2 Server logging out
        S: A023 OK LOGOUT completed
        "#,
    );
    assert_eq!(app.seen.authenticated, ["test"]);
    assert_eq!(app.seen.closed, Some(CloseReason::Quit));
}

#[test]
fn rfc9051_6_2_2_authenticate_without_initial_response() {
    let mut config = tls_config();
    config.tls_active = true;
    server_transcript(
        &config,
        &test_user(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: C01 CAPABILITY
        S: * CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT
        S: C01 OK Completed
        C: A01 AUTHENTICATE PLAIN
        S= + 
        C: dGVzdAB0ZXN0AHRlc3Q=
        S: A01 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] Success (tls protection)
        "#,
    );
}

#[test]
fn rfc9051_6_2_3_login_and_wrong_password() {
    let fixture = Fixture {
        user: "SMITH".into(),
        password: "SESAME".into(),
        ..Fixture::default()
    };
    let app = server_transcript(
        &plain_config(),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a000 LOGIN SMITH sesame
        S: a000 NO [AUTHENTICATIONFAILED] Authentication failed
        C: a001 LOGIN SMITH SESAME
        S: a001 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] LOGIN completed
        C: a002 LOGIN SMITH SESAME
        S: a002 BAD Already authenticated
        "#,
    );
    assert_eq!(app.seen.authenticated, ["SMITH"]);
}

#[test]
fn rfc9051_6_1_2_noop_reports_changes() {
    // 23 messages; message 14 is UID 1305, message 22 UID 1313.
    let inbox = Mbox::new("INBOX", 7, (1..=13).chain(1305..=1314));
    let fixture = Fixture {
        mailboxes: vec![inbox],
        ..Fixture::default()
    };
    server_transcript(
        &plain_config(),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a000 LOGIN mrc secret
        S: a000 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: a001 ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: a001 OK done
        C: a002 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 23 EXISTS
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 1315] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * LIST () "/" INBOX
        S: a002 OK [READ-WRITE] SELECT completed
        C: a003 NOOP
        S: a003 OK NOOP completed
        X: expunge 1313
        X: deliver
        X: flags 1305 \Seen \Deleted
        C: a047 NOOP
        S: * 22 EXPUNGE
        S: * 23 EXISTS
        S: * 14 FETCH (UID 1305 FLAGS (\Seen \Deleted))
        S: a047 OK NOOP completed
        "#,
    );
}

#[test]
fn rfc5161_enable() {
    // RFC 5161 §4: a server without CONDSTORE enables nothing of `CONDSTORE X-GOOD-IDEA`
    // (adapted: this server does not know X-GOOD-IDEA either); one with CONDSTORE enables it.
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: t2 ENABLE CONDSTORE X-GOOD-IDEA
        S= * ENABLED
        S: t2 OK foo
        "#,
    );
    server_transcript(
        &config_with(&[Capability::CondStore]),
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE] done
        C: a1 ENABLE CONDSTORE
        S: * ENABLED CONDSTORE
        S: a1 OK Conditional Store enabled
        C: a2 ENABLE CONDSTORE
        S= * ENABLED
        S: a2 OK nothing new
        C: a3 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * OK [NOMODSEQ] No mod-sequences
        S: a3 OK [READ-WRITE] SELECT completed
        C: a4 ENABLE IMAP4rev2
        S: a4 BAD ENABLE is valid in the authenticated state only
        "#,
    );
}

#[test]
fn rfc9051_6_3_2_select_closes_the_previous_mailbox_and_examine() {
    let mut fixture = Fixture::default();
    fixture
        .mailboxes
        .push(Mbox::new("Drafts", 987_741, 97..=101));
    fixture
        .mailboxes
        .push(Mbox::new("blurdybloop", 3_857_529_045, 4375..=4391));
    server_transcript(
        &plain_config(),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: a1 ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: a1 OK done
        C: A142 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Limited
        S: * LIST () "/" INBOX
        S: A142 OK [READ-WRITE] SELECT completed
        C: A143 SELECT Drafts
        S: * OK [CLOSED] Previous mailbox is now closed
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 5 EXISTS
        S: * OK [UIDVALIDITY 987741] UIDs valid
        S: * OK [UIDNEXT 102] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Limited
        S: * LIST () "/" Drafts
        S: A143 OK [READ-WRITE] SELECT completed
        C: A932 EXAMINE blurdybloop
        S: * OK [CLOSED] Previous mailbox is now closed
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 17 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4392] Predicted next UID
        S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
        S: * LIST () "/" blurdybloop
        S: A932 OK [READ-ONLY] EXAMINE completed
        C: A933 STORE 1 +FLAGS (\Seen)
        S: A933 NO [READ-ONLY] Mailbox is read-only
        C: A934 SELECT nosuch
        S: * OK [CLOSED] Previous mailbox is now closed
        S: A934 NO [NONEXISTENT] No such mailbox
        C: A935 FETCH 1 FLAGS
        S: A935 BAD No mailbox selected
        "#,
    );
}

#[test]
fn rfc9051_6_3_mailbox_commands_through_the_application() {
    let mut fixture = Fixture::default();
    fixture.mailboxes.push(Mbox::new("blurdybloop", 1, 1..=231));
    let app = server_transcript(
        &plain_config(),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: A004 CREATE owatagusiam/blurdybloop
        S: A004 OK CREATE completed
        C: A005 CREATE owatagusiam/blurdybloop
        S: A005 NO [ALREADYEXISTS] Mailbox exists
        C: A682 LIST "" *
        S: * LIST () "/" INBOX
        S: * LIST () "/" blurdybloop
        S: * LIST () "/" owatagusiam/blurdybloop
        S: A682 OK LIST completed
        C: A683 RENAME blurdybloop sarasoop
        S: A683 OK RENAME completed
        C: A684 LIST "" %
        S: * LIST () "/" INBOX
        S: * LIST () "/" sarasoop
        S: A684 OK LIST completed
        C: A685 LIST "" ""
        S: * LIST (\Noselect) "/" ""
        S: A685 OK LIST completed
        C: A002 SUBSCRIBE sarasoop
        S: A002 OK SUBSCRIBE completed
        C: A003 LSUB "" *
        S: * LSUB () "/" sarasoop
        S: A003 OK LSUB completed
        C: A686 DELETE owatagusiam/blurdybloop
        S: A686 OK DELETE Completed
        C: A687 DELETE owatagusiam/blurdybloop
        S: A687 NO [NONEXISTENT] No such mailbox
        C: A001 NAMESPACE
        S: * NAMESPACE (("" "/")) NIL NIL
        S: A001 OK NAMESPACE command completed
        C: A042 STATUS sarasoop (UIDNEXT MESSAGES)
        S: * STATUS sarasoop (UIDNEXT 232 MESSAGES 231)
        S: A042 OK STATUS completed
        "#,
    );
    let names: Vec<&str> = app
        .store
        .mailboxes
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["INBOX", "sarasoop"]);
    assert!(app.store.mailbox("sarasoop").unwrap().subscribed);
}

const APPEND_326: &str = r#"
        C: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
        C: From: Fred Foobar <foobar@Blurdybloop.example>
        C: Subject: afternoon meeting
        C: To: mooch@owatagu.siam.edu.example
        C: Message-Id: <B27397-0100000@Blurdybloop.example>
        C: MIME-Version: 1.0
        C: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
        C:
        C: Hello Joe, do you think we can meet at 3:30 tomorrow?
        C:
"#;

#[test]
fn rfc9051_6_3_12_append() {
    let mut fixture = Fixture::default();
    fixture
        .mailboxes
        .push(Mbox::new("saved-messages", 38505, 1..=3954));
    fixture.uidplus = false;
    let script = format!(
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: A003 APPEND saved-messages (\Seen) {{326}}
        # Adapted: this server's continuation text.
        S: + Ready for literal data
        {APPEND_326}
        S: A003 OK APPEND completed
        C: A004 APPEND nosuch {{326}}
        S: A004 NO [TRYCREATE] No such mailbox
        "#
    );
    let app = server_transcript(&plain_config(), &fixture, &script);
    let saved = app.store.mailbox("saved-messages").unwrap();
    let m = saved.find(3955).unwrap();
    assert_eq!(m.raw.len(), 326);
    assert!(m.raw.ends_with(b"3:30 tomorrow?\r\n"));
    assert_eq!(m.flags, [Flag::Seen]);
}

#[test]
fn rfc4315_uidplus_append_copy_and_uid_expunge() {
    // INBOX: messages 2:4 are UIDs 304, 319, 320.
    let mut inbox = Mbox::new("INBOX", 7, [1, 304, 319, 320, 321]);
    inbox.messages[4].flags = vec![Flag::Deleted];
    let mut fixture = Fixture {
        mailboxes: vec![inbox],
        ..Fixture::default()
    };
    fixture
        .mailboxes
        .push(Mbox::new("saved-messages", 38505, 1..=3954));
    fixture
        .mailboxes
        .push(Mbox::new("meeting", 38505, 1..=3955));
    let script = format!(
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT UIDPLUS] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT UIDPLUS] done
        C: A003 APPEND saved-messages (\Seen) {{326+}}
        {APPEND_326}
        S: A003 OK [APPENDUID 38505 3955] APPEND completed
        C: a1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 5 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 322] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: a1 OK [READ-WRITE] SELECT completed
        C: A004 COPY 2:4 meeting
        S: A004 OK [COPYUID 38505 304,319:320 3956:3958] Done
        C: A005 UID COPY 305:310 meeting
        S: A005 OK No matching messages, so nothing copied
        C: A006 COPY 2 nosuch
        S: A006 NO [TRYCREATE] No such mailbox
        C: A007 UID EXPUNGE 1:320
        S: A007 OK UID EXPUNGE completed
        C: A008 UID EXPUNGE 321
        S: * 5 EXPUNGE
        S: A008 OK UID EXPUNGE completed
        "#
    );
    let app = server_transcript(&config_with(&[Capability::UidPlus]), &fixture, &script);
    let meeting = app.store.mailbox("meeting").unwrap();
    assert_eq!(meeting.messages.len(), 3958);
    assert_eq!(
        meeting.find(3957).unwrap().raw,
        app.store.mailbox("INBOX").unwrap().find(319).unwrap().raw
    );
}

#[test]
fn rfc9051_6_3_13_and_rfc2177_idle() {
    let app = server_transcript(
        &plain_config(),
        &Fixture::default(),
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: a1 ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: a1 OK done
        C: A001 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * LIST () "/" INBOX
        S: A001 OK [READ-WRITE] SELECT completed
        C: A002 IDLE
        S= + idling
        X: deliver
        S: * 4 EXISTS
        C: DONE
        S: A002 OK IDLE terminated
        C: A003 FETCH 4 ALL
        S: * 4 FETCH (FLAGS () INTERNALDATE "17-Jul-1996 03:00:00 -0700" RFC822.SIZE 274 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "message 4" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) NIL NIL NIL "<4@example.org>"))
        S: A003 OK FETCH completed
        X: expunge 2
        C: A004 IDLE
        # Adapted: this server sends the continuation first, then what happened before.
        S= + idling
        S: * 2 EXPUNGE
        X: expunge 3
        S: * 2 EXPUNGE
        X: deliver
        S: * 3 EXISTS
        C: DONE
        S: A004 OK IDLE terminated
        C: A005 FETCH 3 (UID FLAGS)
        S: * 3 FETCH (UID 5 FLAGS ())
        S: A005 OK FETCH completed
        "#,
    );
    let idles = app
        .seen
        .events
        .iter()
        .filter(|e| *e == "IdleStarted")
        .count();
    assert_eq!(idles, 2);
}

#[test]
fn rfc9051_6_4_1_close_unselect_and_6_4_3_expunge() {
    // \Deleted on messages 3, 4, 7 and 11: EXPUNGE reports 3, 3, 5, 8.
    let mut inbox = Mbox::new("INBOX", 7, 1..=11);
    for n in [3, 4, 7, 11] {
        inbox = inbox.flag(n, &[Flag::Deleted]);
    }
    let mut other = Mbox::new("other", 8, 1..=2);
    other = other.flag(2, &[Flag::Deleted]);
    let fixture = Fixture {
        mailboxes: vec![inbox, other],
        ..Fixture::default()
    };
    let app = server_transcript(
        &plain_config(),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: a1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 11 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 12] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: a1 OK [READ-WRITE] SELECT completed
        C: A202 EXPUNGE
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 5 EXPUNGE
        S: * 8 EXPUNGE
        S: A202 OK EXPUNGE completed
        C: A342 UNSELECT
        S: A342 OK Unselect completed
        C: A343 EXPUNGE
        S: A343 BAD No mailbox selected
        C: a2 SELECT other
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 2 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 8] UIDs valid
        S: * OK [UIDNEXT 3] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: a2 OK [READ-WRITE] SELECT completed
        C: A341 CLOSE
        S: A341 OK CLOSE completed
        C: A344 CLOSE
        S: A344 BAD No mailbox selected
        "#,
    );
    let inbox: Vec<u32> = app
        .store
        .mailbox("INBOX")
        .unwrap()
        .messages
        .iter()
        .map(|m| m.uid)
        .collect();
    assert_eq!(inbox, [1, 2, 5, 6, 8, 9, 10]);
    let other: Vec<u32> = app
        .store
        .mailbox("other")
        .unwrap()
        .messages
        .iter()
        .map(|m| m.uid)
        .collect();
    assert_eq!(other, [1], "CLOSE removed the \\Deleted message silently");
}

/// 43 messages: UIDs 7 to 48 and 3800; \Seen on 1:3, \Flagged on 2, 10 and 11, \Deleted on
/// 20:34; message 43 is UTF-8 text holding "отпуск".
fn search_fixture() -> Fixture {
    let mut inbox = Mbox::new("INBOX", 7, (7..=48).chain([3800]));
    for (i, m) in inbox.messages.iter_mut().enumerate() {
        let seq = i + 1;
        if seq <= 3 {
            m.flags.push(Flag::Seen);
        }
        if [2, 10, 11].contains(&seq) {
            m.flags.push(Flag::Flagged);
        }
        if (20..=34).contains(&seq) {
            m.flags.push(Flag::Deleted);
        }
    }
    inbox.messages[42].raw = bytes::Bytes::from(
        "From: a@example.org\r\nSubject: holiday\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
Ich bin im отпуск.\r\n",
    );
    Fixture {
        mailboxes: vec![inbox],
        ..Fixture::default()
    }
}

const REV2_LOGIN_SELECT_43: &str = r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT ESEARCH SEARCHRES] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT ESEARCH SEARCHRES] done
        C: a1 ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: a1 OK done
        C: a2 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 43 EXISTS
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 3801] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * LIST () "/" INBOX
        S: a2 OK [READ-WRITE] SELECT completed
"#;

#[test]
fn rfc9051_6_4_4_search_and_esearch() {
    let script = format!(
        r#"{REV2_LOGIN_SELECT_43}
        C: A282 SEARCH RETURN (MIN COUNT) FLAGGED
        S: * ESEARCH (TAG "A282") MIN 2 COUNT 3
        S: A282 OK SEARCH completed
        C: A283 SEARCH RETURN () FLAGGED
        S: * ESEARCH (TAG "A283") ALL 2,10:11
        S: A283 OK SEARCH completed
        C: A284 SEARCH TEXT "string not in mailbox"
        S: * ESEARCH (TAG "A284")
        S: A284 OK SEARCH completed
        C: A285 SEARCH CHARSET UTF-8 TEXT {{12}}
        S: +
        C: отпуск
        S: * ESEARCH (TAG "A285") ALL 43
        S: A285 OK SEARCH completed
        C: A286 SEARCH RETURN (MIN) UNSEEN
        S: * ESEARCH (TAG "A286") MIN 4
        S: A286 OK SEARCH completed
        # Adapted: RFC 9051 §9 says a sequence number above the message count gets BAD, so
        # the range is a UID range here.
        C: A287 UID SEARCH RETURN (MIN MAX) UID 1:5000
        S: * ESEARCH (TAG "A287") UID MIN 7 MAX 3800
        S: A287 OK SEARCH completed
        C: A288 SEARCH RETURN (COUNT) DELETED
        S: * ESEARCH (TAG "A288") COUNT 15
        S: A288 OK SEARCH completed
        C: A289 SEARCH 1:5000
        S: A289 BAD Invalid message sequence number
        "#
    );
    server_transcript(
        &config_with(&[Capability::ESearch, Capability::SearchRes]),
        &search_fixture(),
        &script,
    );
}

#[test]
fn rfc9051_6_4_4_4_saved_search_results() {
    let script = format!(
        r#"{REV2_LOGIN_SELECT_43}
        C: A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994
        S: A282 OK SEARCH completed, result saved
        C: A283 FETCH $ (UID FLAGS)
        S: * 2 FETCH (UID 8 FLAGS (\Seen \Flagged))
        S: * 10 FETCH (UID 16 FLAGS (\Flagged))
        S: * 11 FETCH (UID 17 FLAGS (\Flagged))
        S: A283 OK completed
        # Example 2: pipelined; answered in order.
        C: B282 SEARCH RETURN (SAVE) SEEN
        C: B283 UID SEARCH UID $ SMALLER 4096
        S: B282 OK SEARCH completed
        S: * ESEARCH (TAG "B283") UID ALL 7:9
        S: B283 OK completed
        C: C283 SEARCH RETURN (ALL SAVE) FLAGGED
        S: * ESEARCH (TAG "C283") ALL 2,10:11
        S: C283 OK SEARCH completed
        C: C284 SEARCH RETURN (SAVE MIN) FLAGGED
        S: * ESEARCH (TAG "C284") MIN 2
        S: C284 OK SEARCH completed
        C: C285 SEARCH RETURN (MAX SAVE MIN COUNT) $
        S: * ESEARCH (TAG "C285") MIN 2 MAX 11 COUNT 3
        S: C285 OK SEARCH completed
        "#
    );
    server_transcript(
        &config_with(&[Capability::ESearch, Capability::SearchRes]),
        &search_fixture(),
        &script,
    );
}

#[test]
fn rfc9051_6_4_5_fetch_and_6_4_6_store() {
    let app = server_transcript(
        &plain_config(),
        &Fixture {
            mailboxes: vec![Mbox::new("INBOX", 7, 1..=4).flag(4, &[Flag::Flagged])],
            ..Fixture::default()
        },
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
        C: a1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 4 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 5] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: a1 OK [READ-WRITE] SELECT completed
        C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
        S: * 2 FETCH (FLAGS (\Seen) BODY[HEADER.FIELDS (DATE FROM)] {91}
        S: Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
        S: From: Terry Gray <gray@cac.washington.edu>
        S:
        S: )
        S: * 3 FETCH (FLAGS (\Seen) BODY[HEADER.FIELDS (DATE FROM)] {91}
        S: Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
        S: From: Terry Gray <gray@cac.washington.edu>
        S:
        S: )
        S: * 4 FETCH (FLAGS (\Flagged \Seen) BODY[HEADER.FIELDS (DATE FROM)] {91}
        S: Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
        S: From: Terry Gray <gray@cac.washington.edu>
        S:
        S: )
        S: A654 OK FETCH completed
        # Adapted: the flags are those the FETCH above left.
        C: A003 STORE 2:4 +FLAGS (\Deleted)
        S: * 2 FETCH (FLAGS (\Seen \Deleted))
        S: * 3 FETCH (FLAGS (\Seen \Deleted))
        S: * 4 FETCH (FLAGS (\Flagged \Seen \Deleted))
        S: A003 OK STORE completed
        C: A004 STORE 1 FLAGS.SILENT (\Answered)
        S: A004 OK STORE completed
        C: A005 FETCH 1 (BODY.PEEK[TEXT] FLAGS)
        S: * 1 FETCH (BODY[TEXT] {42}
        S: line 0 of message 1
        S: line 1 of message 1
        S:  FLAGS (\Answered))
        S: A005 OK FETCH completed
        C: A006 FETCH 5 FLAGS
        S: A006 BAD Invalid message sequence number
        "#,
    );
    let inbox = app.store.mailbox("INBOX").unwrap();
    assert_eq!(
        inbox.find(1).unwrap().flags,
        [Flag::Answered],
        "PEEK left \\Seen alone"
    );
}

#[test]
fn rfc6851_move_and_rfc9051_6_4_9_uid_fetch() {
    let inbox = Mbox::new("INBOX", 7, (1..=21).chain(42..=69)).flag(42, &[Flag::Seen]);
    let mut foo = Mbox::new("foo", 432_432, core::iter::empty());
    foo.uid_next = 1202;
    let fixture = Fixture {
        mailboxes: vec![inbox, foo],
        ..Fixture::default()
    };
    let expunges = "        S: * 22 EXPUNGE\n".repeat(28);
    let script = format!(
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT MOVE UIDPLUS] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT MOVE UIDPLUS] done
        C: a1 EXAMINE INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 49 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 70] Predicted next UID
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: a1 OK [READ-ONLY] EXAMINE completed
        C: A999 UID FETCH 40:45 FLAGS
        S: * 22 FETCH (UID 42 FLAGS (\Seen))
        S: * 23 FETCH (UID 43 FLAGS ())
        S: * 24 FETCH (UID 44 FLAGS ())
        S: * 25 FETCH (UID 45 FLAGS ())
        S: A999 OK UID FETCH completed
        C: b UID MOVE 42:69 foo
        S: b NO [READ-ONLY] Mailbox is read-only
        C: a2 SELECT INBOX
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 49 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 70] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: a2 OK [READ-WRITE] SELECT completed
        C: a UID MOVE 42:69 foo
        S: * OK [COPYUID 432432 42:69 1202:1229]
{expunges}        S: a OK Done
        C: c MOVE 1 nosuch
        S: c NO [TRYCREATE] No such mailbox
        "#
    );
    let app = server_transcript(
        &config_with(&[Capability::Move, Capability::UidPlus]),
        &fixture,
        &script,
    );
    assert_eq!(app.store.mailbox("INBOX").unwrap().messages.len(), 21);
    let foo = app.store.mailbox("foo").unwrap();
    assert_eq!(foo.messages.len(), 28);
    assert_eq!(foo.find(1202).unwrap().flags, [Flag::Seen]);
}

#[test]
fn rfc7162_condstore() {
    let mut inbox = Mbox::new("INBOX", 7, 1..=10)
        .flag(7, &[Flag::Seen, Flag::Deleted])
        .flag(9, &[Flag::Answered]);
    inbox.mod_seq = true;
    for m in &mut inbox.messages {
        m.mod_seq = match m.uid {
            7 => 320_162_342,
            9 => 320_162_349,
            _ => 320_162_338,
        };
    }
    inbox.highest_mod_seq = 320_162_349;
    let fixture = Fixture {
        mailboxes: vec![inbox],
        ..Fixture::default()
    };
    let app = server_transcript(
        &config_with(&[Capability::CondStore]),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE] done
        C: A142 SELECT INBOX (CONDSTORE)
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 10 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 11] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Limited
        S: * OK [HIGHESTMODSEQ 320162349] Highest
        S: A142 OK [READ-WRITE] SELECT completed, CONDSTORE is now enabled
        # Example 6, adapted: this server puts the UID in STORE's FETCH responses once
        # CONDSTORE is in use.
        C: d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)
        S: * 5 FETCH (UID 5 MODSEQ (320162350))
        S: d105 OK [MODIFIED 7,9] Conditional STORE failed
        C: a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS (\Seen)
        S: a102 BAD Invalid message sequence number
        C: a103 STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\Seen)
        S: a103 OK [MODIFIED 1] Conditional STORE failed
        C: a FETCH 1:3 (MODSEQ)
        S: * 1 FETCH (MODSEQ (320162338))
        S: * 2 FETCH (MODSEQ (320162338))
        S: * 3 FETCH (MODSEQ (320162338))
        S: a OK Fetch complete
        C: s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 320162340)
        S: * 5 FETCH (UID 5 FLAGS (\Deleted) MODSEQ (320162350))
        S: * 7 FETCH (UID 7 FLAGS (\Seen \Deleted) MODSEQ (320162342))
        S: * 9 FETCH (UID 9 FLAGS (\Answered) MODSEQ (320162349))
        S: s100 OK FETCH completed
        C: a SEARCH MODSEQ 320162345
        S: * SEARCH 5 9 (MODSEQ 320162350)
        S: a OK Search complete
        C: A042 STATUS INBOX (UIDNEXT MESSAGES HIGHESTMODSEQ)
        S: * STATUS INBOX (UIDNEXT 11 MESSAGES 10 HIGHESTMODSEQ 320162350)
        S: A042 OK STATUS completed
        X: flags 3 \Flagged
        C: C180 NOOP
        S: * 3 FETCH (UID 3 FLAGS (\Flagged) MODSEQ (320162351))
        S: C180 OK Noop completed
        "#,
    );
    let inbox = app.store.mailbox("INBOX").unwrap();
    assert_eq!(inbox.find(5).unwrap().flags, [Flag::Deleted]);
    assert_eq!(
        inbox.find(1).unwrap().flags,
        [] as [Flag; 0],
        "UNCHANGEDSINCE 0 changed nothing"
    );
}

#[test]
fn rfc7162_qresync() {
    let keywords: Vec<Flag> = ["$NoJunk", "$AutoJunk", "$MDNSent"]
        .iter()
        .map(|k| Flag::keyword(k).unwrap())
        .collect();
    let mut inbox = Mbox::new("INBOX", 3_857_529_045, [6, 9, 16])
        .flag(6, &[Flag::Deleted])
        .flag(9, &keywords)
        .flag(16, &[Flag::Seen]);
    inbox.keywords = keywords;
    inbox.mod_seq = true;
    inbox.uid_next = 201;
    for m in &mut inbox.messages {
        m.mod_seq = match m.uid {
            6 => 20_010_715_205_008_000,
            9 => 20_010_715_195_517_000,
            _ => 20_010_715_194_032_001,
        };
    }
    inbox.highest_mod_seq = 20_010_715_205_008_000;
    inbox.expunged = (1..=5)
        .chain([7, 8])
        .chain(10..=15)
        .chain([199])
        .map(|u| (u, 20_010_715_194_045_000))
        .collect();
    let fixture = Fixture {
        mailboxes: vec![inbox],
        ..Fixture::default()
    };
    server_transcript(
        &config_with(&[Capability::CondStore, Capability::QResync]),
        &fixture,
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE QRESYNC] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE QRESYNC] done
        C: A00 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))
        S: A00 BAD QRESYNC is not enabled
        C: A01 ENABLE QRESYNC
        S: * ENABLED QRESYNC
        S: A01 OK done
        # RFC 7162 §3.2.5.2's example; the fixture holds UIDs 6, 9 and 16 (UID 199, expunged
        # too, is not among the client's known UIDs 1:198).
        C: A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $NoJunk $AutoJunk $MDNSent)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 201] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $NoJunk $AutoJunk $MDNSent \*)] Limited
        S: * OK [HIGHESTMODSEQ 20010715205008000] Highest
        S: * VANISHED (EARLIER) 1:5,7:8,10:15
        S: * 1 FETCH (UID 6 FLAGS (\Deleted) MODSEQ (20010715205008000))
        S: * 2 FETCH (UID 9 FLAGS ($NoJunk $AutoJunk $MDNSent) MODSEQ (20010715195517000))
        S: A142 OK [READ-WRITE] SELECT completed
        # §3.2.6: only the vanished UIDs of the set asked about.
        C: s100 UID FETCH 1:20 (FLAGS) (CHANGEDSINCE 20010715194032001 VANISHED)
        S: * VANISHED (EARLIER) 1:5,7:8,10:15
        S: * 1 FETCH (UID 6 FLAGS (\Deleted) MODSEQ (20010715205008000))
        S: * 2 FETCH (UID 9 FLAGS ($NoJunk $AutoJunk $MDNSent) MODSEQ (20010715195517000))
        S: s100 OK FETCH completed
        C: s101 UID FETCH 1:20 (FLAGS) (VANISHED)
        S: s101 BAD VANISHED needs CHANGEDSINCE
        C: s102 FETCH 1:2 (FLAGS) (CHANGEDSINCE 1 VANISHED)
        S: s102 BAD VANISHED needs UID FETCH
        # §3.2.10: VANISHED instead of EXPUNGE.
        C: A202 EXPUNGE
        S: * VANISHED 6
        S: A202 OK EXPUNGE completed
        X: expunge 16
        C: n NOOP
        S: * VANISHED 16
        S: n OK done
        # §3.2.5: another UIDVALIDITY: no VANISHED, no FETCH.
        C: A03 SELECT INBOX (QRESYNC (67890007 20010715194032001))
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $NoJunk $AutoJunk $MDNSent)
        S: * 1 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 201] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $NoJunk $AutoJunk $MDNSent \*)] Limited
        S: * OK [HIGHESTMODSEQ 20010715205008002] Highest
        S: A03 OK [READ-WRITE] Sorry, UIDVALIDITY mismatch
        "#,
    );
}

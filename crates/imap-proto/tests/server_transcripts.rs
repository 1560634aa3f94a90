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
use imap_proto::types::Flag;
use mail_core::connection::CloseReason;
use mail_core::sasl::Mechanism;
use support::{Fixture, Mbox, server_transcript};

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
        S:  a003 OK FETCH completed
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

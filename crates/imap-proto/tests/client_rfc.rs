//! RFC examples from the client's side (transcripts): RFC 9051 §8 and §6, RFC 2177 IDLE,
//! RFC 4315 UIDPLUS, RFC 5161 ENABLE, RFC 6851 MOVE, RFC 7162 CONDSTORE/QRESYNC. Where an
//! RFC elides data (`...`, `(more expunges)`) or breaks lines for print, the script has real
//! data on one line; command names are in the encoder's upper case (case does not matter to
//! a server, RFC 9051 §9 note 1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod client_support;

use client_support::{Fixture, plain, transcript, transcript_with};
use mail_core::sasl::Mechanism;
use mail_core::sasl::client::Credentials;

#[test]
fn rfc9051_section8_sample_connection() {
    let mut config = plain();
    config.sasl_mechanisms = vec![Mechanism::ScramSha256];
    let fixture = Fixture {
        credentials: Credentials::password("user", "pencil"),
        nonce: "rOprNGfwEbeRWgbNEkqO".parse().unwrap(),
    };
    let seen = transcript_with(
        &config,
        &fixture,
        r#"
        S: * OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready
        C: a000 STARTTLS
        S: a000 OK Proceed with TLS negotiation
        S: <TLS>
        C: A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
        S: + cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=
        C= Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
        S: + dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==
        C=
        S: A001 OK SCRAM-SHA-256 authentication successful
        C: babc ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: babc OK Some capabilities enabled
        C: a002 SELECT INBOX
        S: * 18 EXISTS
        S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * LIST () "/" INBOX ("OLDNAME" ("inbox"))
        S: a002 OK [READ-WRITE] SELECT completed
        C: a003 FETCH 12 FULL
        S: * 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US") ("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.ed>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))
        S: a003 OK FETCH completed
        C: a004 FETCH 12 BODY[HEADER]
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
        C: a005 STORE 12 +FLAGS (\\Deleted)
        S: * 12 FETCH (FLAGS (\\Seen \\Deleted))
        S: a005 OK +FLAGS completed
        C: a006 LOGOUT
        S: * BYE IMAP4rev2 server terminating connection
        S: a006 OK LOGOUT completed
        "#,
    );
    assert!(seen.has(&["Greeting", "LoginDisabled"]));
    assert!(seen.has(&["StartTls"]));
    assert!(seen.has(&["Completed", "A001", "AUTHENTICATE", "Ok"]));
    assert!(seen.has(&["Untagged", "babc", "Enabled([Imap4rev2])"]));
    assert!(seen.has(&["Untagged", "a002", "List("]));
    assert!(seen.has(&["Fetch", "a003", "seq: 12", "Envelope", "Terry Gray"]));
    assert!(seen.has(&["Fetch", "a004", "BodySection", "Message-Id"]));
    assert!(seen.has(&["Fetch", "a005", "seq: 12", "Deleted"]));
    assert!(
        seen.view.contains("uid_validity: Some(3857529045)"),
        "{}",
        seen.view
    );
    assert!(
        seen.view.contains("flags: Some([Seen, Deleted])"),
        "{}",
        seen.view
    );
    assert!(
        seen.events
            .last()
            .unwrap()
            .starts_with("Closed { reason: Quit")
    );
}

#[test]
fn rfc9051_section6_examples() {
    // §6.1.1 CAPABILITY, §6.3.9 LIST, §6.3.11 STATUS, §6.4.4 SEARCH, §6.4.7 COPY,
    // §6.3.2 SELECT refused (the view is gone), pipelined.
    let seen = transcript(
        r#"
        S: * PREAUTH IMAP4rev2 server logged in as Smith
        C: abcd CAPABILITY
        S: * CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED
        S: abcd OK CAPABILITY completed
        C: A101 LIST "" ""
        S: * LIST (\\Noselect) "/" ""
        S: A101 OK LIST Completed
        C: A042 STATUS blurdybloop (UIDNEXT MESSAGES)
        S: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
        S: A042 OK STATUS completed
        C: A142 SELECT INBOX
        S: * 172 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4392] Predicted next UID
        S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
        S: * OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited
        S: * LIST () "/" INBOX
        S: A142 OK [READ-WRITE] SELECT completed
        C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith
        S: * SEARCH 2 84 88
        S: A282 OK SEARCH completed
        C: A003 COPY 2:4 MEETING
        S: A003 OK COPY completed
        C: A932 EXAMINE blurdybloop
        S: A932 NO [NONEXISTENT] no such mailbox
        "#,
    );
    assert!(seen.has(&["Greeting", "PreAuth"]));
    assert!(seen.has(&["Untagged", "A101", "List(", "NoSelect"]));
    assert!(seen.has(&["Untagged", "A042", "Status {", "231"]));
    assert!(seen.has(&["Untagged", "A282", "Search {", "84"]));
    assert!(seen.has(&["Completed", "A932", "EXAMINE", "No", "NonExistent"]));
    // A failed SELECT leaves no mailbox selected (RFC 9051 §6.3.2).
    assert_eq!(seen.view, "None");
}

#[test]
fn rfc2177_idle_example() {
    let seen = transcript(
        r#"
        S: * PREAUTH ready
        C: A001 SELECT INBOX
        S: * FLAGS (Deleted Seen)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UIDVALIDITY 1]
        S: A001 OK SELECT completed
        C: A002 IDLE
        S: + idling
        S: * 4 EXISTS
        C: DONE
        S: A002 OK IDLE terminated
        C: A003 FETCH 4 ALL
        S: * 4 FETCH (FLAGS () INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 44 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))
        S: A003 OK FETCH completed
        C: A004 IDLE
        S: * 2 EXPUNGE
        S: * 3 EXISTS
        S: + idling
        S: * 3 EXPUNGE
        S: * 2 EXISTS
        S: * 3 EXISTS
        C: DONE
        S: A004 OK IDLE terminated
        C: A005 FETCH 3 ALL
        S: * 3 FETCH (FLAGS (Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 44 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))
        S: A005 OK FETCH completed
        "#,
    );
    assert!(seen.has(&["Idling", "A002"]));
    assert!(seen.has(&["Untagged", "A002", "Exists(4)"]));
    assert!(seen.has(&["Expunged", "A004", "seq: 2"]));
    assert!(seen.has(&["Expunged", "A004", "seq: 3"]));
    assert!(seen.has(&["Idling", "A004"]));
    assert!(seen.has(&["Fetch", "A005", "seq: 3"]));
    assert!(seen.view.contains("\"Seen\""), "{}", seen.view);
    // 3, +1, -1, 3, -1, 2, 3: three messages.
    assert_eq!(
        seen.view.matches("MessageView {").count(),
        3,
        "{}",
        seen.view
    );
}

#[test]
fn rfc4315_uidplus_examples() {
    let seen = transcript(
        r#"
        S: * PREAUTH ready
        C: A001 SELECT INBOX
        S: * 5 EXISTS
        S: * OK [UIDVALIDITY 38505] UIDs valid
        S: A001 OK [READ-WRITE] done
        C: A002 UID FETCH 1:* FLAGS
        S: * 1 FETCH (UID 1000 FLAGS ())
        S: * 2 FETCH (UID 2000 FLAGS ())
        S: * 3 FETCH (UID 3000 FLAGS (\\Deleted))
        S: * 4 FETCH (UID 3001 FLAGS (\\Deleted))
        S: * 5 FETCH (UID 3002 FLAGS (\\Deleted))
        S: A002 OK done
        C: A003 UID EXPUNGE 3000:3002
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: A003 OK UID EXPUNGE completed
        C: A004 COPY 2 meeting
        S: A004 OK [COPYUID 38505 2000 3956] Done
        C: A005 UID COPY 305:310 meeting
        S: A005 OK No matching messages, so nothing copied
        C: A006 SELECT funny
        S: * 1 EXISTS
        S: * 1 RECENT
        S: * OK [UNSEEN 1] Message 1 is first unseen
        S: * OK [UIDVALIDITY 3857529045] Validity session-only
        S: * OK [UIDNEXT 2] Predicted next UID
        S: * NO [UIDNOTSTICKY] Non-persistent UIDs
        S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
        S: * OK [PERMANENTFLAGS (\\Deleted \\Seen)] Limited
        S: A006 OK [READ-WRITE] SELECT completed
        "#,
    );
    for uid in [3000, 3001, 3002] {
        assert!(seen.has(&["Expunged", "A003", "seq: 3", &format!("uid: Some({uid})")]));
    }
    assert!(seen.has(&["Completed", "A004", "CopyUid"]));
    assert!(seen.has(&["Condition", "A006", "No", "UidNotSticky"]));
    // The view is the newly selected mailbox.
    assert!(
        seen.view.contains("uid_validity: Some(3857529045)"),
        "{}",
        seen.view
    );
    assert!(seen.view.contains("uid_next: Some(2)"), "{}", seen.view);
    assert_eq!(
        seen.view.matches("MessageView {").count(),
        1,
        "{}",
        seen.view
    );
}

#[test]
fn rfc4315_uid_expunge_view_before_reselect() {
    let seen = transcript(
        r#"
        S: * PREAUTH ready
        C: A001 SELECT INBOX
        S: * 5 EXISTS
        S: A001 OK [READ-WRITE] done
        C: A002 UID FETCH 1:* UID
        S: * 1 FETCH (UID 1000)
        S: * 2 FETCH (UID 2000)
        S: * 3 FETCH (UID 3000)
        S: * 4 FETCH (UID 3001)
        S: * 5 FETCH (UID 3002)
        S: A002 OK done
        C: A003 UID EXPUNGE 3000:3002
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: A003 OK UID EXPUNGE completed
        "#,
    );
    assert!(seen.view.contains("uid: Some(1000)") && seen.view.contains("uid: Some(2000)"));
    assert!(!seen.view.contains("uid: Some(300"), "{}", seen.view);
}

#[test]
fn rfc5161_enable_example() {
    let seen = transcript(
        r#"
        S: * PREAUTH ready
        C: t1 CAPABILITY
        S: * CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA
        S: t1 OK foo
        C: t2 ENABLE CONDSTORE X-GOOD-IDEA
        S: * ENABLED X-GOOD-IDEA
        S: t2 OK foo
        C: t3 CAPABILITY
        S: * CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA
        S: t3 OK foo again
        "#,
    );
    assert!(seen.has(&["Untagged", "t2", "Enabled([Other(Atom(\"X-GOOD-IDEA\"))])"]));
    assert_eq!(
        seen.events
            .iter()
            .filter(|e| e.starts_with("Capabilities"))
            .count(),
        2
    );
}

#[test]
fn rfc6851_move_example() {
    let seen = transcript(
        r#"
        S: * PREAUTH ready
        C: a0 SELECT INBOX
        S: * 3 EXISTS
        S: * OK [UIDVALIDITY 432432] ok
        S: a0 OK [READ-WRITE] done
        C: a1 FETCH 1:3 UID
        S: * 1 FETCH (UID 42)
        S: * 2 FETCH (UID 43)
        S: * 3 FETCH (UID 70)
        S: a1 OK done
        C: a UID MOVE 42:69 foo
        S: * OK [COPYUID 432432 42:43 1202:1203]
        S: * 1 EXPUNGE
        S: * 1 EXPUNGE
        S: a OK Done
        "#,
    );
    assert!(seen.has(&["Condition", "Some(Tag(\"a\"))", "CopyUid"]));
    assert!(seen.has(&["Expunged", "uid: Some(42)"]));
    assert!(seen.has(&["Expunged", "uid: Some(43)"]));
    assert!(seen.view.contains("uid: Some(70)"), "{}", seen.view);
    assert_eq!(seen.view.matches("MessageView {").count(), 1);
}

#[test]
fn rfc7162_qresync_select_and_condstore() {
    let seen = transcript(
        r#"
        S: * PREAUTH ready
        C: A01 ENABLE QRESYNC
        S: * ENABLED QRESYNC
        S: A01 OK done
        C: A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))
        S: * OK [CLOSED]
        S: * 100 EXISTS
        S: * 11 RECENT
        S: * OK [UIDVALIDITY 67890007] UIDVALIDITY
        S: * OK [UIDNEXT 600] Predicted next UID
        S: * OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence
        S: * OK [UNSEEN 7] There are some unseen messages in the mailbox
        S: * FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)
        S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)] Permanent flags
        S: * VANISHED (EARLIER) 41,43:116,118,120:211,214:540
        S: * 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))
        S: * 50 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))
        S: * 51 FETCH (UID 541 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045001))
        S: A03 OK [READ-WRITE] mailbox selected
        C: A04 UID FETCH 1:* FLAGS (CHANGEDSINCE 90060115194045308 VANISHED)
        S: * VANISHED (EARLIER) 300:310,405,411
        S: * 1 FETCH (UID 404 MODSEQ (90060115194045310) FLAGS (\\Deleted \\Answered))
        S: A04 OK done
        C: A05 NOOP
        S: * VANISHED 404,541
        S: A05 OK done
        "#,
    );
    assert!(seen.has(&["Untagged", "A01", "Enabled([QResync])"]));
    assert!(seen.has(&["Vanished", "A03", "earlier: true"]));
    assert!(seen.has(&["Vanished", "A05", "earlier: false"]));
    assert!(
        seen.view
            .contains("highest_mod_seq: Some(90060115205545359)"),
        "{}",
        seen.view
    );
    // 100 messages, two vanished (404 at 1, 541 at 51).
    assert_eq!(
        seen.view.matches("MessageView {").count(),
        98,
        "{}",
        seen.view
    );
    assert!(seen.view.contains(
        "uid: Some(117), flags: Some([Seen, Answered]), mod_seq: Some(90060115194045001)"
    ));
    assert!(!seen.view.contains("uid: Some(541)"));
}

//! The server's ordering rules (RFC 9051 §5.5, §7.5.1, RFC 7162), each in its own test: a
//! transcript in which another session changes the mailbox (`X:` lines) at the moment that
//! puts the rule to work, run whole, byte by byte and at random splits (see `support`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use imap_proto::types::{Capability, Flag};
use support::{Fixture, Mbox, config_with, plain_config, server_transcript};

const LOGIN: &str = r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] done
"#;

/// IMAP4rev1 SELECT of the default fixture's INBOX (UIDs 1 to 3, none seen).
const SELECT_REV1: &str = r#"
        C: s1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: s1 OK [READ-WRITE] SELECT completed
"#;

/// IMAP4rev2 SELECT of the default fixture's INBOX.
const SELECT_REV2: &str = r#"
        C: e1 ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: e1 OK done
        C: s1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * LIST () "/" INBOX
        S: s1 OK [READ-WRITE] SELECT completed
"#;

fn rev1(body: &str) {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        &format!("{LOGIN}{SELECT_REV1}{body}"),
    );
}

fn rev2(body: &str) {
    server_transcript(
        &plain_config(),
        &Fixture::default(),
        &format!("{LOGIN}{SELECT_REV2}{body}"),
    );
}

#[test]
fn no_expunge_during_fetch_store_or_search() {
    // Message 2 is expunged by another session: FETCH, STORE and SEARCH still see it as
    // message 2 (its data is gone, so FETCH answers nothing for it), and the EXPUNGE waits
    // for NOOP.
    rev1(
        r#"
        X: expunge 2
        C: f1 FETCH 1:3 FLAGS
        S: * 1 FETCH (FLAGS ())
        S: * 3 FETCH (FLAGS ())
        S: f1 OK FETCH completed
        C: f2 STORE 3 +FLAGS (\Seen)
        S: * 3 FETCH (FLAGS (\Seen))
        S: f2 OK STORE completed
        C: f3 SEARCH UNSEEN
        S: * SEARCH 1
        S: f3 OK SEARCH completed
        C: f4 NOOP
        S: * 2 EXPUNGE
        S: f4 OK NOOP completed
        "#,
    );
}

#[test]
fn expunge_may_come_during_uid_fetch_store_and_search() {
    rev1(
        r#"
        X: expunge 2
        C: u1 UID FETCH 1 FLAGS
        S: * 1 FETCH (UID 1 FLAGS ())
        S: * 2 EXPUNGE
        S: u1 OK FETCH completed
        X: expunge 1
        C: u2 UID STORE 3 +FLAGS (\Seen)
        S: * 2 FETCH (UID 3 FLAGS (\Seen))
        S: * 1 EXPUNGE
        S: u2 OK STORE completed
        X: deliver
        X: expunge 3
        # The new message is not known before EXISTS: the search answers about UID 3,
        # which is gone from the store.
        C: u3 UID SEARCH ALL
        S= * SEARCH
        S: * 1 EXPUNGE
        S: * 1 EXISTS
        S: u3 OK SEARCH completed
        "#,
    );
}

#[test]
fn nothing_is_sent_while_no_command_is_in_progress() {
    // The changes are reported between commands; they come out with the next one only.
    rev1(
        r#"
        C: n1 NOOP
        S: n1 OK NOOP completed
        X: expunge 3
        X: deliver
        X: flags 1 \Seen
        X: keyword $Forwarded
        C: n2 NOOP
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded)
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded \*)] Flags
        S: * 3 EXPUNGE
        S: * 3 EXISTS
        S: * 1 FETCH (FLAGS (\Seen))
        S: n2 OK NOOP completed
        "#,
    );
}

#[test]
fn exists_comes_before_a_fetch_about_a_new_message() {
    rev1(
        r#"
        X: deliver
        X: flags 4 \Flagged
        C: f0 FETCH 4 FLAGS
        S: f0 BAD Invalid message sequence number
        C: n1 NOOP
        S: * 4 EXISTS
        S: * 4 FETCH (FLAGS (\Flagged))
        S: n1 OK NOOP completed
        C: f1 FETCH 4 FLAGS
        S: * 4 FETCH (FLAGS (\Flagged))
        S: f1 OK FETCH completed
        "#,
    );
}

#[test]
fn flags_and_permanentflags_come_before_a_new_keyword_is_used() {
    // The keyword this session's STORE creates is announced before the FETCH that shows it;
    // so is one another session created, before this session's FETCH.
    let app = server_transcript(
        &plain_config(),
        &Fixture::default(),
        &format!(
            r#"{LOGIN}{SELECT_REV1}
        C: k1 STORE 1 +FLAGS ($Forwarded)
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded)
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded \*)] Flags
        S: * 1 FETCH (FLAGS ($Forwarded))
        S: k1 OK STORE completed
        X: keyword $Junk
        X: flags 2 $Junk
        C: k2 FETCH 3 FLAGS
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded $Junk)
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded $Junk \*)] Flags
        S: * 3 FETCH (FLAGS ())
        S: * 2 FETCH (FLAGS ($Junk))
        S: k2 OK FETCH completed
        "#
        ),
    );
    let inbox = app.store.mailbox("INBOX").unwrap();
    assert_eq!(inbox.keywords.len(), 2);
}

#[test]
fn unsolicited_fetch_carries_the_uid_under_imap4rev2() {
    rev1(
        r#"
        X: flags 2 \Seen
        C: n1 NOOP
        S: * 2 FETCH (FLAGS (\Seen))
        S: n1 OK NOOP completed
        "#,
    );
    rev2(
        r#"
        X: flags 2 \Seen
        C: n1 NOOP
        S: * 2 FETCH (UID 2 FLAGS (\Seen))
        S: n1 OK NOOP completed
        "#,
    );
}

#[test]
fn unsolicited_fetch_carries_uid_and_modseq_once_condstore_is_enabled() {
    let mut inbox = Mbox::new("INBOX", 3_857_529_045, 1..=3);
    inbox.mod_seq = true;
    inbox.highest_mod_seq = 5;
    server_transcript(
        &config_with(&[Capability::CondStore]),
        &Fixture {
            mailboxes: vec![inbox],
            ..Fixture::default()
        },
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE] done
        C: s1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: s1 OK [READ-WRITE] SELECT completed
        X: flags 2 \Seen
        C: n1 NOOP
        S: * 2 FETCH (FLAGS (\Seen))
        S: n1 OK NOOP completed
        C: e1 FETCH 1 (MODSEQ)
        S: * 1 FETCH (MODSEQ (1))
        S: e1 OK FETCH completed
        X: flags 3 \Answered
        C: n2 NOOP
        S: * 3 FETCH (UID 3 FLAGS (\Answered) MODSEQ (7))
        S: n2 OK NOOP completed
        "#,
    );
}

#[test]
fn vanished_replaces_expunge_after_enable_qresync() {
    let mut inbox = Mbox::new("INBOX", 3_857_529_045, 1..=5);
    inbox.mod_seq = true;
    server_transcript(
        &config_with(&[Capability::CondStore, Capability::QResync]),
        &Fixture {
            mailboxes: vec![inbox],
            ..Fixture::default()
        },
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE QRESYNC] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE QRESYNC] done
        C: e1 ENABLE QRESYNC
        S: * ENABLED QRESYNC
        S: e1 OK done
        C: s1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 5 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 6] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * OK [HIGHESTMODSEQ 1] Highest
        S: s1 OK [READ-WRITE] SELECT completed
        X: expunge 2 4
        C: n1 NOOP
        S: * VANISHED 2,4
        S: n1 OK NOOP completed
        C: f1 FETCH 2 (UID)
        S: * 2 FETCH (UID 3)
        S: f1 OK FETCH completed
        "#,
    );
}

#[test]
fn select_of_another_mailbox_sends_closed() {
    let mut fixture = Fixture::default();
    fixture.mailboxes.push(Mbox::new("Drafts", 9, 1..=1));
    server_transcript(
        &plain_config(),
        &fixture,
        &format!(
            r#"{LOGIN}{SELECT_REV1}
        C: s2 SELECT Drafts
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 1 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 9] UIDs valid
        S: * OK [UIDNEXT 2] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: s2 OK [READ-WRITE] SELECT completed
        C: u1 UNSELECT
        S: u1 OK UNSELECT completed
        C: s3 SELECT Drafts
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 1 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY 9] UIDs valid
        S: * OK [UIDNEXT 2] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: s3 OK [READ-WRITE] SELECT completed
        "#
        ),
    );
}

#[test]
fn recent_and_unseen_go_to_imap4rev1_clients_only() {
    let mut inbox = Mbox::new("INBOX", 3_857_529_045, 1..=3).flag(1, &[Flag::Seen]);
    inbox.recent = vec![3];
    let fixture = Fixture {
        mailboxes: vec![inbox],
        ..Fixture::default()
    };
    server_transcript(
        &plain_config(),
        &fixture,
        &format!(
            r#"{LOGIN}
        C: s1 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * 1 RECENT
        S: * OK [UNSEEN 2] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: s1 OK [READ-WRITE] SELECT completed
        C: u1 UNSELECT
        S: u1 OK UNSELECT completed
        C: e1 ENABLE IMAP4rev2
        S: * ENABLED IMAP4rev2
        S: e1 OK done
        C: s2 SELECT INBOX
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
        S: * LIST () "/" INBOX
        S: s2 OK [READ-WRITE] SELECT completed
        "#
        ),
    );
}

#[test]
fn a_body_fetch_without_peek_sets_seen_and_reports_it() {
    let app = server_transcript(
        &plain_config(),
        &Fixture::default(),
        &format!(
            r#"{LOGIN}{SELECT_REV1}
        C: f1 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]
        S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {{22}}
        S: Subject: message 1
        S:
        S: )
        S: f1 OK FETCH completed
        C: f2 FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]
        S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {{22}}
        S: Subject: message 1
        S:
        S:  FLAGS (\Seen))
        S: f2 OK FETCH completed
        C: f3 FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]
        S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {{22}}
        S: Subject: message 1
        S:
        S: )
        S: f3 OK FETCH completed
        C: f4 FETCH 2 RFC822.TEXT
        S: * 2 FETCH (RFC822.TEXT {{63}}
        S: line 0 of message 2
        S: line 1 of message 2
        S: line 2 of message 2
        S:  FLAGS (\Seen))
        S: f4 OK FETCH completed
        C: x1 EXAMINE INBOX
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 3] First unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: x1 OK [READ-ONLY] EXAMINE completed
        C: f5 FETCH 3 BODY[HEADER.FIELDS (SUBJECT)]
        S: * 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {{22}}
        S: Subject: message 3
        S:
        S: )
        S: f5 OK FETCH completed
        "#
        ),
    );
    let inbox = app.store.mailbox("INBOX").unwrap();
    assert_eq!(inbox.find(1).unwrap().flags, [Flag::Seen]);
    assert_eq!(inbox.find(2).unwrap().flags, [Flag::Seen]);
    assert_eq!(
        inbox.find(3).unwrap().flags,
        [] as [Flag; 0],
        "EXAMINE sets no \\Seen"
    );
}

#[test]
fn qresync_select_parameters_and_vanished_earlier() {
    let mut inbox = Mbox::new("INBOX", 3_857_529_045, [3, 5]);
    inbox.mod_seq = true;
    inbox.messages[1].mod_seq = 20;
    inbox.messages[1].flags = vec![Flag::Seen];
    inbox.highest_mod_seq = 20;
    inbox.expunged = vec![(1, 12), (2, 8), (4, 15)];
    server_transcript(
        &config_with(&[Capability::CondStore, Capability::QResync]),
        &Fixture {
            mailboxes: vec![inbox],
            ..Fixture::default()
        },
        r#"
        S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE QRESYNC] ready
        C: a0 LOGIN mrc secret
        S: a0 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT CONDSTORE QRESYNC] done
        C: e1 ENABLE QRESYNC IMAP4rev2
        S: * ENABLED QRESYNC IMAP4rev2
        S: e1 OK done
        C: s1 EXAMINE INBOX (QRESYNC (3857529045 10 1:5))
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * 2 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 6] Predicted next UID
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: * LIST () "/" INBOX
        S: * OK [HIGHESTMODSEQ 20] Highest
        S: * VANISHED (EARLIER) 1,4
        S: * 2 FETCH (UID 5 FLAGS (\Seen) MODSEQ (20))
        S: s1 OK [READ-ONLY] EXAMINE completed
        "#,
    );
}

#[test]
fn sort_gets_resolved_search_keys_and_no_expunge_uid_sort_may() {
    // SORT's search keys reach the application as UID sets, as SEARCH's do ("2:3" is
    // UIDs 2 and 3 here); SORT answers with sequence numbers, so an EXPUNGE waits for the
    // next command (RFC 5256 §3 "identical to SEARCH", RFC 9051 §7.5.1), while UID SORT may
    // carry it.
    rev1(
        r#"
        C: o1 SORT (REVERSE ARRIVAL) UTF-8 2:3
        S: * SORT 3 2
        S: o1 OK SORT completed
        X: expunge 2
        C: o2 SORT (ARRIVAL) UTF-8 ALL
        S: * SORT 1 3
        S: o2 OK SORT completed
        C: o3 UID SORT (REVERSE ARRIVAL) UTF-8 1:*
        S: * SORT 3 1
        S: * 2 EXPUNGE
        S: o3 OK SORT completed
        C: o4 SORT (ARRIVAL) UTF-8 2
        S: * SORT 2
        S: o4 OK SORT completed
        "#,
    );
}

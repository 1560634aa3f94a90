//! First checks of the IMAP server state machine: a whole session, step by step.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::NonZeroU32;

use imap_proto::prelude::*;
use imap_proto::response::{FetchItem, StatusKind};
use imap_proto::server::{
    Config, Connection, Event, MailboxSnapshot, MailboxUpdate, MessageInfo, State, StreamedSection,
};
use imap_proto::types::{Flag, Section};
use mail_core::connection::CloseReason;
use mail_core::sasl::server::{Answer, Verification};

fn uid(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn out(c: &mut Connection) -> String {
    String::from_utf8(c.take_output().to_vec()).unwrap()
}

fn config() -> Config {
    let mut c = Config::default();
    c.allow_plaintext_auth = true;
    c
}

fn login(c: &mut Connection) {
    c.receive(b"a1 LOGIN alice secret\r\n");
    match c.next_event() {
        Some(Event::AuthVerify(Verification::Password {
            authentication_identity,
            password,
            ..
        })) => {
            assert_eq!(authentication_identity, "alice");
            assert_eq!(password.expose(), "secret");
        }
        other => panic!("{other:?}"),
    }
    c.auth_answer(Answer::Accept).unwrap();
    assert!(matches!(c.next_event(), Some(Event::Authenticated { .. })));
    assert_eq!(c.next_event(), None);
    let text = out(c);
    assert!(
        text.starts_with("a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2"),
        "{text}"
    );
}

fn select(c: &mut Connection, uids: &[u32]) -> String {
    c.receive(b"a2 SELECT INBOX\r\n");
    assert!(matches!(
        c.next_event(),
        Some(Event::Select {
            read_only: false,
            ..
        })
    ));
    let messages = uids
        .iter()
        .map(|&n| MessageInfo::new(uid(n), if n == 1 { vec![Flag::Seen] } else { vec![] }))
        .collect();
    c.select(MailboxSnapshot::new(uid(7), uid(100), messages))
        .unwrap();
    assert_eq!(c.next_event(), None);
    out(c)
}

#[test]
fn greeting_capability_login_select_fetch_logout() {
    let mut c = Connection::new(config());
    let greeting = out(&mut c);
    assert!(
        greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2"),
        "{greeting}"
    );
    assert!(!greeting.contains("LOGINDISABLED"));
    c.receive(b"a0 CAPABILITY\r\n");
    assert_eq!(c.next_event(), None);
    let caps = out(&mut c);
    assert!(
        caps.starts_with("* CAPABILITY IMAP4rev1 IMAP4rev2"),
        "{caps}"
    );
    assert!(caps.ends_with("a0 OK CAPABILITY completed\r\n"), "{caps}");
    login(&mut c);
    assert_eq!(c.state(), State::Authenticated);
    let sel = select(&mut c, &[1, 2]);
    assert_eq!(
        sel,
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 2 EXISTS\r\n* 0 RECENT\r\n\
* OK [UNSEEN 2] First unseen\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n\
* OK [UIDNEXT 100] Predicted next UID\r\n\
* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n\
a2 OK [READ-WRITE] SELECT completed\r\n"
    );
    c.receive(b"a3 FETCH 1:* (FLAGS UID)\r\n");
    let Some(Event::Fetch { uids, .. }) = c.next_event() else {
        panic!()
    };
    assert_eq!(uids, [uid(1), uid(2)]);
    c.fetch(uid(1), vec![FetchItem::Flags(vec![Flag::Seen])])
        .unwrap();
    c.fetch(uid(2), vec![FetchItem::Flags(vec![])]).unwrap();
    c.done().unwrap();
    assert_eq!(
        out(&mut c),
        "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS ())\r\na3 OK FETCH completed\r\n"
    );
    c.receive(b"a4 LOGOUT\r\n");
    assert_eq!(
        c.next_event(),
        Some(Event::MailboxClosed { expunge: false })
    );
    assert_eq!(
        c.next_event(),
        Some(Event::Closed {
            reason: CloseReason::Quit
        })
    );
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "* BYE Logging out\r\na4 OK LOGOUT completed\r\n"
    );
}

#[test]
fn expunges_wait_for_a_command_that_allows_them() {
    let mut c = Connection::new(config());
    out(&mut c);
    login(&mut c);
    select(&mut c, &[1, 2, 3]);
    // Another session expunges message 2 and adds message 4.
    c.mailbox_changed(MailboxUpdate::Expunged(vec![uid(2)]));
    c.mailbox_changed(MailboxUpdate::Added(vec![MessageInfo::new(uid(4), vec![])]));
    assert_eq!(out(&mut c), "", "no command in progress: nothing is sent");
    c.receive(b"a3 FETCH 3 FLAGS\r\n");
    let Some(Event::Fetch { uids, .. }) = c.next_event() else {
        panic!()
    };
    assert_eq!(
        uids,
        [uid(3)],
        "message 3 is still UID 3: the expunge is held back"
    );
    c.fetch(uid(3), vec![FetchItem::Flags(vec![])]).unwrap();
    c.done().unwrap();
    assert_eq!(
        out(&mut c),
        "* 3 FETCH (FLAGS ())\r\n* 4 EXISTS\r\na3 OK FETCH completed\r\n"
    );
    c.receive(b"a4 NOOP\r\n");
    assert_eq!(c.next_event(), None);
    assert_eq!(out(&mut c), "* 2 EXPUNGE\r\na4 OK NOOP completed\r\n");
    assert_eq!(c.selected_uids().unwrap(), [uid(1), uid(3), uid(4)]);
}

#[test]
fn idle_sends_changes_at_once_and_reads_commands_pipelined_after_done() {
    let mut c = Connection::new(config());
    out(&mut c);
    login(&mut c);
    select(&mut c, &[1]);
    c.receive(b"a3 IDLE\r\n");
    assert_eq!(c.next_event(), Some(Event::IdleStarted));
    assert_eq!(c.next_event(), None);
    assert_eq!(out(&mut c), "+ idling\r\n");
    c.mailbox_changed(MailboxUpdate::Added(vec![MessageInfo::new(uid(2), vec![])]));
    assert_eq!(out(&mut c), "* 2 EXISTS\r\n");
    c.receive(b"DONE\r\na4 NOOP\r\n");
    assert_eq!(c.next_event(), Some(Event::IdleDone));
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "a3 OK IDLE terminated\r\na4 OK NOOP completed\r\n"
    );
}

#[test]
fn append_is_announced_before_plus_and_streamed() {
    let mut c = Connection::new(config());
    out(&mut c);
    login(&mut c);
    c.receive(b"a3 APPEND INBOX (\\Seen) {11}\r\n");
    let Some(Event::AppendStart { size, flags, .. }) = c.next_event() else {
        panic!()
    };
    assert_eq!(size, 11);
    assert_eq!(flags, Some(vec![Flag::Seen]));
    assert_eq!(out(&mut c), "", "no + before the application accepts");
    c.accept_append().unwrap();
    assert_eq!(out(&mut c), "+ Ready for literal data\r\n");
    c.receive(b"Hello");
    assert_eq!(c.next_event(), Some(Event::AppendData("Hello".into())));
    c.receive(b" world\r\na4 NOOP\r\n");
    assert_eq!(c.next_event(), Some(Event::AppendData(" world".into())));
    assert_eq!(c.next_event(), Some(Event::AppendEnd));
    assert_eq!(c.next_event(), Some(Event::AppendDone));
    c.append_done(Some(imap_proto::server::CopyUid::new(
        uid(7),
        vec![uid(100)],
    )))
    .unwrap();
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "a3 OK [APPENDUID 7 100] APPEND completed\r\na4 OK NOOP completed\r\n"
    );
    // Refused before `+`: the client never sends the octets.
    c.receive(b"a5 APPEND nosuch {5}\r\na6 NOOP\r\n");
    assert!(matches!(c.next_event(), Some(Event::AppendStart { .. })));
    c.refuse(
        StatusKind::No,
        Some(imap_proto::response::Code::TryCreate),
        "No such mailbox",
    )
    .unwrap();
    assert_eq!(c.next_event(), None);
    assert_eq!(
        out(&mut c),
        "a5 NO [TRYCREATE] No such mailbox\r\na6 OK NOOP completed\r\n"
    );
}

#[test]
fn a_body_section_is_streamed() {
    let mut c = Connection::new(config());
    out(&mut c);
    login(&mut c);
    select(&mut c, &[1]);
    c.receive(b"a3 UID FETCH 1 BODY.PEEK[]\r\n");
    let Some(Event::Fetch { sets_seen, .. }) = c.next_event() else {
        panic!()
    };
    assert!(!sets_seen);
    let section = StreamedSection::Body {
        section: Section::default(),
        origin: None,
    };
    c.fetch_literal(uid(1), vec![], section, 10).unwrap();
    c.fetch_data(b"abcde").unwrap();
    c.fetch_data(b"fghij").unwrap();
    assert!(c.fetch_data(b"k").is_err(), "beyond the announced size");
    c.fetch_end().unwrap();
    c.done().unwrap();
    assert_eq!(
        out(&mut c),
        "* 1 FETCH (UID 1 BODY[] {10}\r\nabcdefghij)\r\na3 OK FETCH completed\r\n"
    );
}

#[test]
fn abort_ends_the_session_with_bye_and_drops_the_pending_answer() {
    let mut c = Connection::new(config());
    out(&mut c);
    login(&mut c);
    select(&mut c, &[1]);
    assert!(!c.is_answer_pending());
    c.receive(b"a3 FETCH 1 BODY[]\r\na4 NOOP\r\n");
    assert!(matches!(c.next_event(), Some(Event::Fetch { .. })));
    assert!(c.is_answer_pending());
    // The storage failed and the application cannot answer.
    c.abort("Internal error");
    assert!(!c.is_answer_pending());
    assert_eq!(out(&mut c), "* BYE Internal error\r\n");
    assert!(c.is_closed());
    assert_eq!(c.close_reason(), Some(CloseReason::Local));
    assert!(matches!(c.next_event(), Some(Event::MailboxClosed { .. })));
    assert!(matches!(
        c.next_event(),
        Some(Event::Closed {
            reason: CloseReason::Local
        })
    ));
    assert_eq!(c.next_event(), None, "a4 is never read");
}

#[test]
fn abort_inside_a_streamed_section_sends_no_bye() {
    let mut c = Connection::new(config());
    out(&mut c);
    login(&mut c);
    select(&mut c, &[1]);
    c.receive(b"a3 UID FETCH 1 BODY.PEEK[]\r\n");
    assert!(matches!(c.next_event(), Some(Event::Fetch { .. })));
    let section = StreamedSection::Body {
        section: Section::default(),
        origin: None,
    };
    c.fetch_literal(uid(1), vec![], section, 10).unwrap();
    c.fetch_data(b"abc").unwrap();
    // Reading the rest failed: a BYE now would be read as the literal's bytes.
    c.abort("Internal error");
    assert_eq!(out(&mut c), "* 1 FETCH (UID 1 BODY[] {10}\r\nabc");
    assert!(c.is_closed());
}

#[test]
fn select_qresync_sends_changes_only_for_the_same_uidvalidity() {
    use imap_proto::types::Capability;
    let qresync_select = |validity: u32| {
        let mut config = config();
        config.capabilities = vec![Capability::CondStore, Capability::QResync];
        let mut c = Connection::new(config);
        out(&mut c);
        login(&mut c);
        c.receive(b"e ENABLE QRESYNC\r\n");
        assert_eq!(c.next_event(), None);
        assert!(out(&mut c).contains("* ENABLED QRESYNC"));
        c.receive(format!("s SELECT INBOX (QRESYNC ({validity} 5))\r\n").as_bytes());
        assert!(matches!(
            c.next_event(),
            Some(Event::Select {
                qresync: Some(_),
                ..
            })
        ));
        let mut changed = MessageInfo::new(uid(2), vec![Flag::Seen]);
        changed.mod_seq = 9;
        let mut old = MessageInfo::new(uid(3), vec![]);
        old.mod_seq = 4;
        let mut snapshot = MailboxSnapshot::new(uid(7), uid(100), vec![changed, old]);
        snapshot.highest_mod_seq = Some(9);
        snapshot.vanished = Some(imap_proto::types::SequenceSet::single(uid(1)));
        c.select(snapshot).unwrap();
        out(&mut c)
    };
    // RFC 7162 §3.2.5.1: the same UIDVALIDITY gets what changed since mod-sequence 5.
    let same = qresync_select(7);
    assert!(same.contains("* VANISHED (EARLIER) 1\r\n"), "{same}");
    assert!(
        same.contains("* 1 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (9))\r\n"),
        "{same}"
    );
    assert!(!same.contains("UID 3"), "{same}");
    // Another UIDVALIDITY: the client's cache is void, nothing of it is answered.
    let other = qresync_select(8);
    assert!(
        !other.contains("VANISHED") && !other.contains("FETCH"),
        "{other}"
    );
    assert!(other.contains("[HIGHESTMODSEQ 9]"), "{other}");
}

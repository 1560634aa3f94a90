//! Fuzzes the IMAP server state machine: arbitrary client bytes, split at arbitrary points,
//! with arbitrary application answers and mailbox changes chosen from the input. It must
//! never panic, must end every session with exactly one `Closed` event (the last), and
//! everything it writes must end with CRLF.
#![no_main]

use core::num::NonZeroU32;

use imap_proto::prelude::*;
use imap_proto::response::{Code, Data, FetchItem, StatusKind};
use imap_proto::server::{
    Config, Connection, CopyUid, Event, LiteralPlus, MailboxSnapshot, MailboxUpdate, MessageInfo,
    StreamedSection,
};
use imap_proto::types::{Capability, Flag, FlagPerm, SequenceSet};
use mail_core::line::BareNewline;
use mail_core::sasl::Mechanism;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
use mail_testkit::Delivery;

fn uid(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// The application's decisions, read from the fuzz input.
struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self) -> u8 {
        let b = self.bytes.get(self.at % self.bytes.len().max(1)).copied();
        self.at = self.at.wrapping_add(1);
        b.unwrap_or(0)
    }

    fn yes(&mut self) -> bool {
        self.next() & 1 == 0
    }
}

fn snapshot(c: &mut Choices<'_>) -> MailboxSnapshot {
    let messages = (1..=u32::from(c.next() % 5))
        .map(|n| {
            let mut m =
                MessageInfo::new(uid(n * 2), if c.yes() { vec![Flag::Seen] } else { vec![] });
            m.mod_seq = u64::from(n);
            m
        })
        .collect();
    let mut s = MailboxSnapshot::new(uid(7), uid(100), messages);
    s.highest_mod_seq = c.yes().then_some(9);
    s.read_only = c.next() % 4 == 0;
    s.vanished = SequenceSet::from_bounds(&[(1, 1), (3, u32::from(c.next()))]);
    s.recent = vec![uid(2)];
    s
}

fn answer(conn: &mut Connection, event: Event, c: &mut Choices<'_>, at_eof: bool) {
    let yes = !at_eof && c.yes();
    match event {
        Event::AuthVerify(v) => {
            let answer = match v {
                Verification::Scram { .. } if yes => Answer::ScramCredentials(
                    ScramCredentials::derive("secret", b"salt", 1).expect("valid credentials"),
                ),
                Verification::CramMd5 { .. } if yes => Answer::Password("secret".to_owned().into()),
                _ if yes => Answer::Accept,
                _ => Answer::Reject,
            };
            if conn.auth_answer(answer).is_err() {
                let _ = conn.auth_answer(Answer::Reject);
            }
        }
        Event::LiteralAnnounced { .. } => {
            if yes {
                let _ = conn.accept_literal();
            } else {
                let _ = conn.refuse(StatusKind::No, None, "refused");
            }
        }
        Event::Select { .. } => {
            if yes {
                let snap = snapshot(c);
                let _ = conn.select(snap);
            } else {
                let _ = conn.refuse(StatusKind::No, Some(Code::TryCreate), "no");
            }
        }
        Event::MailboxClosed { expunge: true } => {
            let _ = conn.done();
        }
        Event::Fetch { uids, vanished, .. } => {
            if vanished {
                let last = u32::from(c.next());
                if let Some(set) = SequenceSet::from_bounds(&[(1, 1), (3, last), (last, 1 << 20)]) {
                    let _ = conn.vanished(&set);
                }
            }
            for u in uids.iter().take(if at_eof { 0 } else { 8 }) {
                match c.next() % 4 {
                    0 => {
                        let _ = conn.fetch(*u, vec![FetchItem::Flags(vec![Flag::Seen])]);
                    }
                    1 => {
                        let _ = conn.fetch_literal(
                            *u,
                            vec![FetchItem::Uid(*u)],
                            StreamedSection::Rfc822,
                            5,
                        );
                        let _ = conn.fetch_data(b"ab\r\n");
                        if c.yes() {
                            let _ = conn.fetch_data(b"c");
                        }
                        let _ = conn.fetch_end();
                    }
                    2 => {
                        // Misuse: a UID the client may not know.
                        let _ = conn.fetch(uid(u32::from(c.next())), vec![]);
                    }
                    _ => {}
                }
            }
            if c.next() % 8 == 0 {
                let _ = conn.refuse(StatusKind::No, None, "no");
            }
            if conn.done().is_err() {
                let _ = conn.fetch_end();
                let _ = conn.done();
            }
        }
        Event::Store { uids, .. } => {
            for u in &uids {
                if c.yes() {
                    let mut info =
                        MessageInfo::new(*u, vec![Flag::keyword("$K").expect("keyword")]);
                    info.mod_seq = 11;
                    let _ = conn.stored(info);
                } else {
                    let _ = conn.store_failed(*u);
                }
            }
            let _ = conn.done();
        }
        Event::Search { .. } => {
            let uids = (0..c.next() % 4)
                .map(|_| uid(u32::from(c.next())))
                .collect();
            let mod_seq = c.yes().then_some(12);
            let _ = conn.search_result(uids, mod_seq);
        }
        Event::Expunge { uids } => {
            let gone = match uids {
                Some(u) if yes => u,
                _ => vec![uid(2), uid(u32::from(c.next()))],
            };
            let _ = conn.expunged(gone);
            let _ = conn.done();
        }
        Event::Copy { uids, .. } => {
            if yes {
                let destination = (0..uids.len()).map(|i| uid(500 + i as u32)).collect();
                let _ = conn.copied(c.yes().then(|| CopyUid::new(uid(9), destination)));
            } else {
                let _ = conn.refuse(StatusKind::No, Some(Code::TryCreate), "no");
            }
        }
        Event::AppendStart { .. } => {
            if yes {
                let _ = conn.accept_append();
            } else {
                let _ = conn.refuse(StatusKind::No, Some(Code::TryCreate), "no");
            }
        }
        Event::AppendDone => {
            if yes {
                let _ = conn.append_done(Some(CopyUid::new(uid(9), vec![uid(300), uid(301)])));
            } else {
                let _ = conn.refuse(StatusKind::No, None, "no");
            }
        }
        Event::Command(_) => {
            if yes {
                let _ = conn.data(Data::Exists(3));
                let _ = conn.complete(StatusKind::Ok, None, "done");
            } else {
                let _ = conn.refuse(StatusKind::Bad, None, "no");
            }
        }
        Event::StartTls => {
            let _ = conn.tls_established();
        }
        _ => {}
    }
}

/// Another session changes the selected mailbox.
fn change(conn: &mut Connection, c: &mut Choices<'_>) {
    let n = u32::from(c.next());
    let update = match c.next() % 5 {
        0 => MailboxUpdate::Added(vec![MessageInfo::new(uid(100 + n), vec![])]),
        1 => MailboxUpdate::Expunged(vec![uid(n % 10)]),
        2 => MailboxUpdate::Flags(MessageInfo::new(uid(n % 10), vec![Flag::Deleted])),
        3 => MailboxUpdate::Keywords {
            flags: vec![Flag::Seen, Flag::keyword("$K").expect("keyword")],
            permanent_flags: vec![FlagPerm::Wildcard],
        },
        _ => return,
    };
    conn.mailbox_changed(update);
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let Some((&len, rest)) = rest.split_first() else {
        return;
    };
    let (decisions, input) = rest.split_at(usize::from(len % 32).min(rest.len()));
    let mut choices = Choices {
        bytes: decisions,
        at: 0,
    };
    let mut config = Config::default();
    config.bare_newline = if knobs & 1 == 0 {
        BareNewline::Reject
    } else {
        BareNewline::Normalize
    };
    config.allow_plaintext_auth = knobs & 2 == 0;
    config.starttls = knobs & 4 != 0;
    config.literal_plus = match knobs >> 3 & 3 {
        0 => LiteralPlus::None,
        1 => LiteralPlus::Minus,
        _ => LiteralPlus::Plus,
    };
    config.max_line = 512;
    config.max_literal = 300;
    config.max_append = 1000;
    config.max_bad_commands = 5;
    config.application_unknown = knobs & 32 != 0;
    config.nonce = Some("fuzznonce".parse().expect("valid nonce"));
    config.sasl_mechanisms = Mechanism::IMPLEMENTED.to_vec();
    config.capabilities = vec![
        Capability::CondStore,
        Capability::QResync,
        Capability::UidPlus,
        Capability::Move,
        Capability::ESearch,
        Capability::SearchRes,
        Capability::MultiAppend,
        Capability::Utf8Accept,
    ];
    let mut conn = Connection::new(config);
    let mut output = conn.take_output().to_vec();
    let step = usize::from(knobs >> 6) * 7 + 1;
    let mut reader = bytes::BytesMut::new();
    let mut closed = 0;
    for (i, chunk) in input.chunks(step).enumerate() {
        match Delivery::of(chunk, &mut reader, i % 2 == 1) {
            Delivery::Copy(chunk) => conn.receive(chunk),
            Delivery::Buffer(reader) => conn.receive_buf(reader),
        }
        if choices.next() % 4 == 0 {
            change(&mut conn, &mut choices);
        }
        while let Some(event) = conn.next_event() {
            assert_eq!(closed, 0, "an event after Closed");
            if matches!(event, Event::Closed { .. }) {
                closed += 1;
            }
            answer(&mut conn, event, &mut choices, false);
        }
        output.extend_from_slice(&conn.take_output());
    }
    conn.receive_eof();
    // Everything is answered at the end, so that the session can close.
    for _ in 0..10_000 {
        let Some(event) = conn.next_event() else {
            break;
        };
        assert_eq!(closed, 0, "an event after Closed");
        if matches!(event, Event::Closed { .. }) {
            closed += 1;
        }
        answer(&mut conn, event, &mut choices, true);
    }
    output.extend_from_slice(&conn.take_output());
    assert_eq!(closed, 1, "one Closed event ends every session");
    assert!(
        output.is_empty() || output.ends_with(b"\r\n"),
        "output ends mid-line"
    );
});

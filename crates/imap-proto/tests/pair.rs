//! Our IMAP client drives our IMAP server through random command sequences while "another
//! session" changes the mailbox (new messages, expunges, flag changes reported with
//! `mailbox_changed`). After every completed command the client's view must agree with what
//! the server has told it (its session's UID list); after a NOOP and a `FETCH 1:*` (which
//! flush and report everything) it must equal the application's mailbox: count, UIDs, flags,
//! and mod-sequences with CONDSTORE.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::NonZeroU32;

use imap_proto::client;
use imap_proto::command::{FetchAttribute, FetchItems, StoreFlags, StoreMode};
use imap_proto::prelude::*;
use imap_proto::response::{FetchItem, StatusKind};
use imap_proto::server::{self, MailboxSnapshot, MailboxUpdate, MessageInfo};
use imap_proto::types::{Capability, Flag, Mailbox, SequenceSet, Tag};
use mail_core::sasl::server::Answer;
use proptest::prelude::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

#[derive(Debug, Clone)]
struct Msg {
    uid: NonZeroU32,
    flags: Vec<Flag>,
    mod_seq: u64,
}

/// The application behind the server: one mailbox.
#[derive(Debug)]
struct App {
    messages: Vec<Msg>,
    next_uid: u32,
    mod_seq: u64,
}

impl App {
    fn new() -> Self {
        let mut app = Self {
            messages: Vec::new(),
            next_uid: 1,
            mod_seq: 1,
        };
        for _ in 0..3 {
            app.add();
        }
        app
    }

    fn add(&mut self) -> Msg {
        self.mod_seq += 1;
        let m = Msg {
            uid: nz(self.next_uid),
            flags: Vec::new(),
            mod_seq: self.mod_seq,
        };
        self.next_uid += 1;
        self.messages.push(m.clone());
        m
    }

    fn info(m: &Msg) -> MessageInfo {
        let mut info = MessageInfo::new(m.uid, m.flags.clone());
        info.mod_seq = m.mod_seq;
        info
    }

    fn set_flags(&mut self, uid: NonZeroU32, mode: StoreMode, flags: &[Flag]) -> Option<Msg> {
        self.mod_seq += 1;
        let ms = self.mod_seq;
        let m = self.messages.iter_mut().find(|m| m.uid == uid)?;
        match mode {
            StoreMode::Replace => m.flags = flags.to_vec(),
            StoreMode::Add => {
                for f in flags {
                    if !m.flags.contains(f) {
                        m.flags.push(f.clone());
                    }
                }
            }
            StoreMode::Remove => m.flags.retain(|f| !flags.contains(f)),
        }
        m.mod_seq = ms;
        Some(m.clone())
    }

    /// Answers the server's events.
    fn serve(&mut self, s: &mut server::Connection) {
        while let Some(event) = s.next_event() {
            match event {
                server::Event::AuthVerify(_) => s.auth_answer(Answer::Accept).unwrap(),
                server::Event::Select { .. } => {
                    let mut snap = MailboxSnapshot::new(
                        nz(42),
                        nz(self.next_uid),
                        self.messages.iter().map(Self::info).collect(),
                    );
                    snap.highest_mod_seq = Some(self.mod_seq);
                    s.select(snap).unwrap();
                }
                server::Event::Fetch { uids, items, .. } => {
                    for uid in uids {
                        // A message another session removed is still in this session's
                        // view until the expunge is reported: it has its last flags.
                        let Some(m) = self.messages.iter().find(|m| m.uid == uid) else {
                            continue;
                        };
                        let mut out = Vec::new();
                        if items.contains(&FetchAttribute::Flags) {
                            out.push(FetchItem::Flags(m.flags.clone()));
                        }
                        if items.contains(&FetchAttribute::ModSeq) {
                            out.push(FetchItem::ModSeq(m.mod_seq));
                        }
                        s.fetch(uid, out).unwrap();
                    }
                    s.done().unwrap();
                }
                server::Event::Store { uids, flags, .. } => {
                    for uid in uids {
                        if let Some(m) = self.set_flags(uid, flags.mode, &flags.flags) {
                            s.stored(Self::info(&m)).unwrap();
                        }
                    }
                    s.done().unwrap();
                }
                server::Event::Expunge { uids } => {
                    let gone: Vec<NonZeroU32> = self
                        .messages
                        .iter()
                        .filter(|m| m.flags.contains(&Flag::Deleted))
                        .filter(|m| uids.as_ref().is_none_or(|u| u.contains(&m.uid)))
                        .map(|m| m.uid)
                        .collect();
                    self.messages.retain(|m| !gone.contains(&m.uid));
                    s.expunged(gone).unwrap();
                    s.done().unwrap();
                }
                server::Event::MailboxClosed { expunge: true } => s.done().unwrap(),
                server::Event::Command(_) => s.complete(StatusKind::Ok, None, "done").unwrap(),
                _ => {}
            }
        }
    }
}

/// One step of the random session.
#[derive(Debug, Clone)]
enum Op {
    Noop,
    Fetch(u32, u32),
    Store(u32, u8, u8),
    Expunge,
    Idle,
    /// Another session adds a message.
    OtherAdd,
    /// Another session expunges the message at this index.
    OtherExpunge(usize),
    /// Another session changes the flags of the message at this index.
    OtherFlags(usize, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Noop),
        (1u32..6, 0u32..4).prop_map(|(a, n)| Op::Fetch(a, n)),
        (1u32..6, 0u8..3, 0u8..4).prop_map(|(a, m, f)| Op::Store(a, m, f)),
        Just(Op::Expunge),
        Just(Op::Idle),
        Just(Op::OtherAdd),
        (0usize..8).prop_map(Op::OtherExpunge),
        (0usize..8, 0u8..4).prop_map(|(i, f)| Op::OtherFlags(i, f)),
    ]
}

fn flag(n: u8) -> Flag {
    match n % 4 {
        0 => Flag::Seen,
        1 => Flag::Deleted,
        2 => Flag::Flagged,
        _ => Flag::Answered,
    }
}

struct Pair {
    client: client::Connection,
    server: server::Connection,
    app: App,
    completed: Vec<(Tag, StatusKind)>,
    idling: bool,
    condstore: bool,
}

impl Pair {
    /// Moves bytes both ways until neither side has anything more to say.
    fn pump(&mut self) {
        for _ in 0..1000 {
            let to_server = self.client.take_output();
            if !to_server.is_empty() {
                self.server.receive(&to_server);
            }
            self.app.serve(&mut self.server);
            let to_client = self.server.take_output();
            if !to_client.is_empty() {
                self.client.receive(&to_client);
            }
            let mut any = false;
            while let Some(e) = self.client.next_event() {
                any = true;
                match e {
                    client::Event::Completed(c) => self.completed.push((c.tag, c.status)),
                    client::Event::Idling { .. } => self.idling = true,
                    client::Event::Closed { reason, error, .. } => {
                        panic!("client closed: {reason:?} {error:?}")
                    }
                    _ => {}
                }
            }
            if to_server.is_empty() && to_client.is_empty() && !any {
                return;
            }
        }
        panic!("the pair does not settle");
    }

    fn run(&mut self, tag: Tag) -> StatusKind {
        self.pump();
        let status = self
            .completed
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("{tag} did not complete"));
        self.check_told();
        status
    }

    /// The client's view agrees with the server session's: the same UIDs where the client
    /// knows them, the same count.
    fn check_told(&self) {
        let view = self.client.mailbox().unwrap();
        let told = self.server.selected_uids().unwrap();
        assert_eq!(view.exists() as usize, told.len(), "count");
        for (m, uid) in view.messages().iter().zip(told) {
            if let Some(u) = m.uid {
                assert_eq!(u, *uid, "uid at the same position");
            }
        }
    }

    /// After NOOP and FETCH 1:*, everything is told: the view equals the application's
    /// mailbox.
    fn check_all(&mut self) {
        let t = self.client.noop().unwrap();
        assert_eq!(self.run(t), StatusKind::Ok);
        if self.client.mailbox().unwrap().exists() > 0 {
            let mut items = vec![FetchAttribute::Uid, FetchAttribute::Flags];
            if self.condstore {
                items.push(FetchAttribute::ModSeq);
            }
            let t = self
                .client
                .fetch(
                    SequenceSet::parse(b"1:*").unwrap(),
                    FetchItems::Attributes(items),
                )
                .unwrap();
            assert_eq!(self.run(t), StatusKind::Ok);
        }
        let view = self.client.mailbox().unwrap();
        let want: Vec<_> = self
            .app
            .messages
            .iter()
            .map(|m| {
                (
                    Some(m.uid),
                    Some(sorted(&m.flags)),
                    self.condstore.then_some(m.mod_seq),
                )
            })
            .collect();
        let got: Vec<_> = view
            .messages()
            .iter()
            .map(|m| {
                (
                    m.uid,
                    m.flags.as_deref().map(sorted),
                    if self.condstore { m.mod_seq } else { None },
                )
            })
            .collect();
        assert_eq!(got, want);
    }

    fn step(&mut self, op: &Op) {
        let exists = self.client.mailbox().unwrap().exists();
        match op {
            Op::Noop => {
                let t = self.client.noop().unwrap();
                assert_eq!(self.run(t), StatusKind::Ok);
            }
            Op::Fetch(a, n) if exists > 0 => {
                let a = (*a - 1) % exists + 1;
                let b = (a + n).min(exists);
                let set = SequenceSet::parse(format!("{a}:{b}").as_bytes()).unwrap();
                let t = self
                    .client
                    .fetch(set, FetchItems::Attributes(vec![FetchAttribute::Flags]))
                    .unwrap();
                assert_eq!(self.run(t), StatusKind::Ok);
            }
            Op::Store(a, m, f) if exists > 0 => {
                let a = (*a - 1) % exists + 1;
                let mode = [StoreMode::Add, StoreMode::Remove, StoreMode::Replace][*m as usize];
                let flags = StoreFlags {
                    mode,
                    silent: false,
                    flags: vec![flag(*f)],
                };
                let t = self
                    .client
                    .store(SequenceSet::single(nz(a)), flags)
                    .unwrap();
                assert_eq!(self.run(t), StatusKind::Ok);
            }
            Op::Expunge => {
                let t = self.client.expunge().unwrap();
                assert_eq!(self.run(t), StatusKind::Ok);
            }
            Op::Idle => {
                let t = self.client.idle().unwrap();
                self.pump();
                assert!(self.idling);
                // Changes during IDLE go out at once.
                let m = self.app.add();
                self.server
                    .mailbox_changed(MailboxUpdate::Added(vec![App::info(&m)]));
                self.pump();
                self.check_told();
                self.client.done().unwrap();
                self.idling = false;
                assert_eq!(self.run(t), StatusKind::Ok);
            }
            Op::OtherAdd => {
                let m = self.app.add();
                self.server
                    .mailbox_changed(MailboxUpdate::Added(vec![App::info(&m)]));
            }
            Op::OtherExpunge(i) if !self.app.messages.is_empty() => {
                let m = self.app.messages.remove(i % self.app.messages.len());
                self.server
                    .mailbox_changed(MailboxUpdate::Expunged(vec![m.uid]));
            }
            Op::OtherFlags(i, f) if !self.app.messages.is_empty() => {
                let uid = self.app.messages[i % self.app.messages.len()].uid;
                let m = self
                    .app
                    .set_flags(uid, StoreMode::Replace, &[flag(*f)])
                    .unwrap();
                self.server
                    .mailbox_changed(MailboxUpdate::Flags(App::info(&m)));
            }
            _ => {}
        }
    }
}

fn sorted(flags: &[Flag]) -> Vec<String> {
    let mut v: Vec<String> = flags.iter().map(|f| format!("{f:?}")).collect();
    v.sort();
    v
}

fn session(condstore: bool) -> Pair {
    let mut sc = server::Config::default();
    sc.allow_plaintext_auth = true;
    let mut cc = client::Config::default();
    cc.allow_plaintext_auth = true;
    let mut pair = Pair {
        client: client::Connection::new(cc),
        server: server::Connection::new(sc),
        app: App::new(),
        completed: Vec::new(),
        idling: false,
        condstore,
    };
    pair.pump();
    let t = pair.client.login("alice", "secret").unwrap();
    assert_eq!(pair.run_unselected(t), StatusKind::Ok);
    if condstore {
        let t = pair.client.enable(vec![Capability::CondStore]).unwrap();
        assert_eq!(pair.run_unselected(t), StatusKind::Ok);
    }
    let t = pair
        .client
        .select(Mailbox::from_utf8("INBOX").unwrap())
        .unwrap();
    assert_eq!(pair.run(t), StatusKind::Ok);
    pair
}

impl Pair {
    fn run_unselected(&mut self, tag: Tag) -> StatusKind {
        self.pump();
        self.completed
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, s)| *s)
            .unwrap()
    }
}

#[test]
fn a_plain_session_agrees() {
    let mut pair = session(false);
    pair.check_all();
    for op in [
        Op::OtherAdd,
        Op::Store(1, 0, 1),
        Op::OtherExpunge(0),
        Op::Fetch(1, 3),
        Op::Expunge,
        Op::Idle,
        Op::OtherFlags(1, 2),
        Op::Noop,
    ] {
        pair.step(&op);
        pair.check_all();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_sessions_agree(condstore in any::<bool>(), ops in proptest::collection::vec(op(), 1..30)) {
        let mut pair = session(condstore);
        for op in &ops {
            pair.step(op);
        }
        pair.check_all();
    }
}

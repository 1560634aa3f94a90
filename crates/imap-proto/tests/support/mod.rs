//! Transcript harness of the IMAP server tests.
//!
//! A transcript is a list of lines as the RFCs print them:
//!
//! - `C:` what the client sends, as text without escapes (IMAP flags start with `\`); a
//!   trailing lone `\` sends no CRLF;
//!   `C: <TLS>` is where the TLS handshake happens, once every byte before it has arrived;
//! - `S:` a line the server sends. A status response (`* OK`, `a1 NO [CODE]`, `* BYE` …) must
//!   have the same tag, status and response code, its human-readable text may differ; `S: +`
//!   alone matches any continuation request; every other line must match exactly;
//! - `S=` a line that must match exactly, text included;
//! - `X:` something another session does to the mailbox store at that point (after every
//!   client byte before it has arrived and been answered): `deliver`, `expunge UID…`,
//!   `flags UID FLAG…`, `keyword NAME`; `nothing` only cuts the client's input there.
//!
//! [`server_transcript`] runs a transcript whole, byte by byte and at eight random splits
//! (through `receive` and the zero-copy `receive_buf`, see [`mail_testkit::Feed`]); every run
//! must give the script's output, the same output as the others and the same final store.
//! The test application ([`App`]) answers every event from its own [`Fixture`]: a small
//! in-memory mail store with messages that have UIDs, flags, internal dates, mod-sequences
//! and raw bytes. It fails on any event it did not expect.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::NonZeroU32;

use bytes::{Bytes, BytesMut};
use imap_proto::command::{
    Command, CommandBody, FetchAttribute, SearchKey, SortKey, StatusItem, StoreMode,
};
use imap_proto::message::MessageStructure;
use imap_proto::prelude::*;
use imap_proto::response::{
    Code, Condition, Data, FetchItem, MailboxAttribute, MailboxList, NamespaceDescr, Response,
    StatusAttribute, StatusKind,
};
use imap_proto::server::{
    Config, Connection, CopyUid, Event, MailboxSnapshot, MailboxUpdate, MessageInfo,
};
use imap_proto::types::Capability;
use imap_proto::types::{
    DateTime, Flag, FlagPerm, IString, ListMailbox, Mailbox, NString, Section,
};
use mail_core::sasl::Mechanism;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
pub use mail_testkit::{Feed, script_lines};

/// The UIDs `uids` (any order) as a sequence set of ranges; `None` when there are none.
pub fn uid_set(uids: impl Iterator<Item = u32>) -> Option<imap_proto::types::SequenceSet> {
    let mut uids: Vec<NonZeroU32> = uids.map(uid).collect();
    uids.sort_unstable();
    imap_proto::types::SequenceSet::from_sorted(&uids)
}

/// Returns a UID.
pub fn uid(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub uid: u32,
    pub flags: Vec<Flag>,
    pub date: DateTime,
    pub raw: Bytes,
    pub mod_seq: u64,
}

impl Msg {
    fn info(&self) -> MessageInfo {
        let mut info = MessageInfo::new(uid(self.uid), self.flags.clone());
        info.mod_seq = self.mod_seq;
        info
    }

    fn structure(&self) -> MessageStructure {
        MessageStructure::parse(self.raw.clone())
    }
}

/// One mailbox of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mbox {
    pub name: String,
    pub uid_validity: u32,
    pub uid_next: u32,
    pub messages: Vec<Msg>,
    pub subscribed: bool,
    /// Keywords defined in the mailbox (FLAGS beside the system flags).
    pub keywords: Vec<Flag>,
    /// The mailbox keeps mod-sequences (CONDSTORE); `highest_mod_seq` is its counter.
    pub mod_seq: bool,
    pub highest_mod_seq: u64,
    /// `\Recent` for this session (IMAP4rev1).
    pub recent: Vec<u32>,
    /// Expunged UIDs and the mod-sequence of their expunge (QRESYNC).
    pub expunged: Vec<(u32, u64)>,
    pub read_only: bool,
}

impl Mbox {
    /// A mailbox with messages of these UIDs (made by [`message`], dated 1996).
    pub fn new(name: &str, uid_validity: u32, uids: impl IntoIterator<Item = u32>) -> Self {
        let messages: Vec<Msg> = uids
            .into_iter()
            .map(|u| Msg {
                uid: u,
                flags: Vec::new(),
                date: date("17-Jul-1996 02:44:25 -0700"),
                raw: message(u),
                mod_seq: 1,
            })
            .collect();
        let uid_next = messages.last().map_or(1, |m| m.uid + 1);
        Self {
            name: name.to_owned(),
            uid_validity,
            uid_next,
            messages,
            subscribed: false,
            keywords: Vec::new(),
            mod_seq: false,
            highest_mod_seq: 1,
            recent: Vec::new(),
            expunged: Vec::new(),
            read_only: false,
        }
    }

    /// Sets the flags of the message with this UID.
    pub fn flag(mut self, u: u32, flags: &[Flag]) -> Self {
        self.find_mut(u).unwrap().flags = flags.to_vec();
        self
    }

    pub fn find(&self, u: u32) -> Option<&Msg> {
        self.messages.iter().find(|m| m.uid == u)
    }

    fn find_mut(&mut self, u: u32) -> Option<&mut Msg> {
        self.messages.iter_mut().find(|m| m.uid == u)
    }

    fn bump(&mut self) -> u64 {
        self.highest_mod_seq += 1;
        self.highest_mod_seq
    }

    fn all_flags(&self) -> Vec<Flag> {
        let mut flags = vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft,
        ];
        flags.extend(self.keywords.iter().cloned());
        flags
    }

    fn add(&mut self, raw: Bytes, flags: Vec<Flag>, date: DateTime) -> u32 {
        let u = self.uid_next;
        self.uid_next += 1;
        let mod_seq = self.bump();
        self.messages.push(Msg {
            uid: u,
            flags,
            date,
            raw,
            mod_seq,
        });
        u
    }

    fn remove(&mut self, uids: &[u32]) {
        let mod_seq = self.bump();
        self.messages.retain(|m| !uids.contains(&m.uid));
        self.expunged.extend(uids.iter().map(|&u| (u, mod_seq)));
    }
}

/// A message whose content depends on its UID: headers, a blank line and some body lines.
pub fn message(u: u32) -> Bytes {
    let mut m = format!(
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: message {u}\r\nTo: imap@cac.washington.edu\r\nMessage-Id: <{u}@example.org>\r\n\r\n"
    );
    for line in 0..(u % 5 + 1) {
        m.push_str(&format!("line {line} of message {u}\r\n"));
    }
    Bytes::from(m)
}

/// Parses an IMAP date-time (without quotes).
pub fn date(s: &str) -> DateTime {
    DateTime::parse(format!("\"{s}\"").as_bytes()).unwrap()
}

/// The store and the users the test application answers from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub user: String,
    pub password: String,
    /// SCRAM salt and iteration count.
    pub scram: (Vec<u8>, u32),
    pub mailboxes: Vec<Mbox>,
    /// Give COPYUID and APPENDUID (UIDPLUS).
    pub uidplus: bool,
    /// Size of the pieces a big body section is streamed in (`fetch_literal`) from this
    /// size on; 0: never streamed.
    pub stream_from: usize,
}

impl Default for Fixture {
    fn default() -> Self {
        Self {
            user: "mrc".into(),
            password: "secret".into(),
            scram: (b"salty salt".to_vec(), 4096),
            mailboxes: vec![Mbox::new("INBOX", 3_857_529_045, 1..=3)],
            uidplus: true,
            stream_from: 0,
        }
    }
}

impl Fixture {
    pub fn mailbox(&self, name: &str) -> Option<&Mbox> {
        self.mailboxes.iter().find(|m| m.name == name)
    }

    fn mailbox_mut(&mut self, name: &str) -> Option<&mut Mbox> {
        self.mailboxes.iter_mut().find(|m| m.name == name)
    }
}

/// The name of a mailbox as the store keeps it.
pub fn name_of(m: &Mailbox) -> String {
    match m {
        Mailbox::Inbox => "INBOX".into(),
        Mailbox::Other(n) => String::from_utf8_lossy(n.as_bytes()).into_owned(),
    }
}

fn mailbox_of(name: &str) -> Mailbox {
    if name.eq_ignore_ascii_case("INBOX") {
        Mailbox::Inbox
    } else {
        Mailbox::parse(format!("\"{name}\"").as_bytes()).unwrap()
    }
}

/// What the test application saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// Every event, in order (AppendData merged into one per message).
    pub events: Vec<String>,
    pub authenticated: Vec<String>,
    pub discarded: usize,
    pub start_tls: bool,
    pub closed: Option<CloseReason>,
    /// Set after `Closed`: any later event fails the run.
    pub finished: bool,
}

/// An APPEND in progress: mailbox, flags, date and the octets so far.
type Appending = (String, Option<Vec<Flag>>, Option<DateTime>, Vec<u8>);

/// The test application.
#[derive(Debug)]
pub struct App {
    pub store: Fixture,
    pub seen: Seen,
    selected: Option<String>,
    /// The APPEND in progress: mailbox, flags, date, octets, and the UIDs it gave.
    appending: Option<Appending>,
    appended: Vec<NonZeroU32>,
    append_box: Option<String>,
}

impl App {
    pub fn new(store: Fixture) -> Self {
        Self {
            store,
            seen: Seen::default(),
            selected: None,
            appending: None,
            appended: Vec::new(),
            append_box: None,
        }
    }

    fn selected_mut(&mut self) -> &mut Mbox {
        let name = self.selected.clone().expect("a mailbox is selected");
        self.store.mailbox_mut(&name).unwrap()
    }

    /// Answers events until the connection needs input; collects the output in `out`.
    pub fn drive(&mut self, conn: &mut Connection, out: &mut Vec<u8>) {
        loop {
            out.extend_from_slice(&conn.take_output());
            let Some(event) = conn.next_event() else {
                break;
            };
            assert!(!self.seen.finished, "an event after Closed: {event:?}");
            match &event {
                Event::AppendData(d) => {
                    let a = self.appending.as_mut().expect("AppendData outside APPEND");
                    a.3.extend_from_slice(d);
                }
                // How discarded input is cut depends on the feed; `seen.discarded` counts it.
                Event::InputDiscarded { .. } => {}
                other => self.seen.events.push(format!("{other:?}")),
            }
            self.answer(conn, event);
        }
        out.extend_from_slice(&conn.take_output());
    }

    fn answer(&mut self, conn: &mut Connection, event: Event) {
        match event {
            Event::AuthVerify(v) => {
                let answer = self.verify(&v);
                conn.auth_answer(answer).unwrap();
            }
            Event::Authenticated { user, .. } => self.seen.authenticated.push(user),
            Event::LiteralAnnounced { .. } => conn.accept_literal().unwrap(),
            Event::Select {
                mailbox, qresync, ..
            } => {
                let name = name_of(&mailbox);
                let Some(mbox) = self.store.mailbox(&name) else {
                    return conn
                        .refuse(
                            StatusKind::No,
                            Some(Code::Condition(Condition::NonExistent)),
                            "No such mailbox",
                        )
                        .unwrap();
                };
                let mut snap = MailboxSnapshot::new(
                    uid(mbox.uid_validity),
                    uid(mbox.uid_next),
                    mbox.messages.iter().map(Msg::info).collect(),
                );
                snap.flags = mbox.all_flags();
                let mut perm: Vec<FlagPerm> =
                    snap.flags.iter().cloned().map(FlagPerm::Flag).collect();
                perm.push(FlagPerm::Wildcard);
                snap.permanent_flags = perm;
                snap.highest_mod_seq = mbox.mod_seq.then_some(mbox.highest_mod_seq);
                snap.recent = mbox.recent.iter().map(|&u| uid(u)).collect();
                snap.read_only = mbox.read_only;
                snap.list = Some(MailboxList::new(
                    Vec::new(),
                    Some('/'),
                    mailbox_of(&mbox.name),
                ));
                if let Some(q) = qresync
                    && q.uid_validity.get() == mbox.uid_validity
                {
                    snap.vanished = uid_set(
                        mbox.expunged
                            .iter()
                            .filter(|(u, m)| {
                                *m > q.mod_seq
                                    && q.known_uids
                                        .as_ref()
                                        .is_none_or(|k| k.contains(*u, u32::MAX))
                            })
                            .map(|&(u, _)| u),
                    );
                }
                self.selected = Some(name);
                conn.select(snap).unwrap();
            }
            Event::MailboxClosed { expunge } => {
                if expunge {
                    // CLOSE: the \Deleted messages go, silently.
                    let mbox = self.selected_mut();
                    let gone: Vec<u32> = mbox
                        .messages
                        .iter()
                        .filter(|m| m.flags.contains(&Flag::Deleted))
                        .map(|m| m.uid)
                        .collect();
                    mbox.remove(&gone);
                    self.selected = None;
                    conn.done().unwrap();
                } else {
                    self.selected = None;
                }
            }
            Event::Fetch {
                uids,
                items,
                changed_since,
                vanished,
                sets_seen,
            } => self.fetch(conn, &uids, &items, changed_since, vanished, sets_seen),
            Event::Store {
                uids,
                flags,
                unchanged_since,
            } => {
                let mbox = self.selected_mut();
                let mut answers = Vec::new();
                let mut new_keywords = Vec::new();
                for u in &uids {
                    let m = mbox
                        .find(u.get())
                        .expect("STORE of a known message")
                        .clone();
                    if unchanged_since.is_some_and(|n| m.mod_seq > n) {
                        answers.push(Err(*u));
                        continue;
                    }
                    let mut f = m.flags.clone();
                    match flags.mode {
                        StoreMode::Replace => f = flags.flags.clone(),
                        StoreMode::Add => {
                            for x in &flags.flags {
                                if !f.contains(x) {
                                    f.push(x.clone());
                                }
                            }
                        }
                        StoreMode::Remove => f.retain(|x| !flags.flags.contains(x)),
                    }
                    for x in &f {
                        if matches!(x, Flag::Keyword(_))
                            && !mbox.keywords.contains(x)
                            && !new_keywords.contains(x)
                        {
                            new_keywords.push(x.clone());
                        }
                    }
                    let changed = f != m.flags;
                    let mod_seq = if changed { mbox.bump() } else { m.mod_seq };
                    let stored = mbox.find_mut(u.get()).unwrap();
                    stored.flags = f;
                    stored.mod_seq = mod_seq;
                    answers.push(Ok(stored.info()));
                }
                if !new_keywords.is_empty() {
                    mbox.keywords.extend(new_keywords);
                    let update = keywords_update(mbox);
                    conn.mailbox_changed(update);
                }
                for a in answers {
                    match a {
                        Ok(info) => conn.stored(info).unwrap(),
                        Err(u) => conn.store_failed(u).unwrap(),
                    }
                }
                conn.done().unwrap();
            }
            Event::Search {
                criteria,
                return_options: _,
                charset: _,
            } => {
                let mbox = self.selected_mut();
                let matching: Vec<&Msg> = mbox
                    .messages
                    .iter()
                    .filter(|m| criteria.iter().all(|k| matches(k, m, mbox)))
                    .collect();
                let mod_seq = criteria
                    .iter()
                    .any(uses_modseq)
                    .then(|| matching.iter().map(|m| m.mod_seq).max())
                    .flatten();
                let uids = matching.iter().map(|m| uid(m.uid)).collect();
                conn.search_result(uids, mod_seq).unwrap();
            }
            Event::Expunge { uids } => {
                let mbox = self.selected_mut();
                let gone: Vec<u32> = mbox
                    .messages
                    .iter()
                    .filter(|m| m.flags.contains(&Flag::Deleted))
                    .filter(|m| uids.as_ref().is_none_or(|u| u.contains(&uid(m.uid))))
                    .map(|m| m.uid)
                    .collect();
                mbox.remove(&gone);
                conn.expunged(gone.iter().map(|&u| uid(u)).collect())
                    .unwrap();
                conn.done().unwrap();
            }
            Event::Copy {
                uids,
                mailbox,
                move_,
            } => {
                let dest = name_of(&mailbox);
                if self.store.mailbox(&dest).is_none() {
                    return conn
                        .refuse(StatusKind::No, Some(Code::TryCreate), "No such mailbox")
                        .unwrap();
                }
                let source: Vec<Msg> = uids
                    .iter()
                    .map(|u| self.selected_mut().find(u.get()).unwrap().clone())
                    .collect();
                let target = self.store.mailbox_mut(&dest).unwrap();
                let validity = target.uid_validity;
                let mut new = Vec::new();
                for m in &source {
                    new.push(uid(target.add(m.raw.clone(), m.flags.clone(), m.date)));
                }
                if move_ {
                    let gone: Vec<u32> = source.iter().map(|m| m.uid).collect();
                    self.selected_mut().remove(&gone);
                }
                let code = self.store.uidplus.then(|| CopyUid::new(uid(validity), new));
                conn.copied(code).unwrap();
            }
            Event::AppendStart {
                mailbox,
                flags,
                date,
                ..
            } => {
                let name = name_of(&mailbox);
                if self.store.mailbox(&name).is_none() {
                    return conn
                        .refuse(StatusKind::No, Some(Code::TryCreate), "No such mailbox")
                        .unwrap();
                }
                self.append_box = Some(name.clone());
                self.appending = Some((name, flags, date, Vec::new()));
                conn.accept_append().unwrap();
            }
            Event::AppendEnd => {
                let (name, flags, date, raw) = self.appending.take().expect("AppendEnd");
                let mbox = self.store.mailbox_mut(&name).unwrap();
                let date = date.unwrap_or_else(date_now);
                let u = mbox.add(Bytes::from(raw), flags.unwrap_or_default(), date);
                self.appended.push(uid(u));
                if self.selected.as_deref() == Some(name.as_str()) {
                    let info = self.store.mailbox(&name).unwrap().find(u).unwrap().info();
                    conn.mailbox_changed(MailboxUpdate::Added(vec![info]));
                }
            }
            Event::AppendDone => {
                let uids = core::mem::take(&mut self.appended);
                let name = self
                    .append_box
                    .take()
                    .expect("AppendDone after AppendStart");
                let validity = self.store.mailbox(&name).unwrap().uid_validity;
                let code = self
                    .store
                    .uidplus
                    .then(|| CopyUid::new(uid(validity), uids));
                conn.append_done(code).unwrap();
            }
            Event::IdleStarted | Event::IdleDone | Event::AppendData(_) => {}
            Event::Command(command) => self.command(conn, command),
            Event::StartTls => self.seen.start_tls = true,
            Event::InputDiscarded { len } => self.seen.discarded += len,
            Event::Closed { reason } => {
                assert!(self.seen.closed.is_none(), "Closed reported twice");
                self.seen.closed = Some(reason);
                self.seen.finished = true;
            }
            other => panic!("unexpected event {other:?}"),
        }
    }

    fn verify(&self, v: &Verification) -> Answer {
        match v {
            Verification::Password {
                authentication_identity,
                password,
                authorization_identity,
            } => {
                let ok = *authentication_identity == self.store.user
                    && password.expose() == &self.store.password
                    && authorization_identity
                        .as_ref()
                        .is_none_or(|a| *a == self.store.user);
                if ok { Answer::Accept } else { Answer::Reject }
            }
            Verification::Scram { username, .. } if *username == self.store.user => {
                let (salt, iterations) = &self.store.scram;
                Answer::ScramCredentials(
                    ScramCredentials::derive(&self.store.password, salt, *iterations).unwrap(),
                )
            }
            Verification::CramMd5 { username } if *username == self.store.user => {
                Answer::Password(self.store.password.clone().into())
            }
            _ => Answer::Reject,
        }
    }

    fn fetch(
        &mut self,
        conn: &mut Connection,
        uids: &[NonZeroU32],
        items: &[FetchAttribute],
        changed_since: Option<u64>,
        vanished: bool,
        sets_seen: bool,
    ) {
        let stream_from = self.store.stream_from;
        let mbox = self.selected_mut();
        if vanished {
            let since = changed_since.unwrap_or(0);
            let gone = uid_set(
                mbox.expunged
                    .iter()
                    .filter(|(_, m)| *m > since)
                    .map(|&(u, _)| u),
            );
            if let Some(gone) = gone {
                conn.vanished(&gone).unwrap();
            }
        }
        for u in uids {
            let Some(m) = mbox.find(u.get()).cloned() else {
                // Expunged by another session and not yet reported: RFC 9051 §7.5.1 lets the
                // server answer what it still has or nothing; this store has nothing.
                continue;
            };
            if changed_since.is_some_and(|c| m.mod_seq <= c) {
                continue;
            }
            let mut flags = m.flags.clone();
            let mut mod_seq = m.mod_seq;
            let mut seen_set = false;
            if sets_seen && !flags.contains(&Flag::Seen) {
                flags.push(Flag::Seen);
                mod_seq = mbox.bump();
                let stored = mbox.find_mut(u.get()).unwrap();
                stored.flags = flags.clone();
                stored.mod_seq = mod_seq;
                seen_set = true;
            }
            let structure = m.structure();
            let mut out = Vec::new();
            let mut streamed = None;
            for item in items {
                out.push(match item {
                    FetchAttribute::Flags => FetchItem::Flags(flags.clone()),
                    FetchAttribute::Uid => FetchItem::Uid(*u),
                    FetchAttribute::InternalDate => FetchItem::InternalDate(m.date),
                    FetchAttribute::Rfc822Size => FetchItem::Rfc822Size(structure.rfc822_size()),
                    FetchAttribute::Envelope => FetchItem::Envelope(Box::new(structure.envelope())),
                    FetchAttribute::BodyStructure => {
                        FetchItem::BodyStructure(Box::new(structure.body_structure(true)))
                    }
                    FetchAttribute::Body => {
                        FetchItem::Body(Box::new(structure.body_structure(false)))
                    }
                    FetchAttribute::ModSeq => FetchItem::ModSeq(mod_seq),
                    FetchAttribute::BodySection {
                        section, partial, ..
                    } => {
                        let data = structure.section_partial(section, *partial);
                        let origin = partial.map(|p| u32::try_from(p.offset).unwrap());
                        if stream_from > 0 && data.len() >= stream_from {
                            streamed = Some((
                                imap_proto::server::StreamedSection::Body {
                                    section: section.clone(),
                                    origin,
                                },
                                data,
                            ));
                            continue;
                        }
                        FetchItem::BodySection {
                            section: section.clone(),
                            origin,
                            data: nstring(data),
                        }
                    }
                    FetchAttribute::Binary { part, partial, .. } => {
                        let data = structure.binary(part).unwrap().read_all().unwrap();
                        let origin = partial.map(|p| u32::try_from(p.offset).unwrap());
                        let data = match partial {
                            Some(p) => {
                                let start = (p.offset as usize).min(data.len());
                                let end = (start + p.length.get() as usize).min(data.len());
                                data.slice(start..end)
                            }
                            None => data,
                        };
                        FetchItem::Binary {
                            section: part.clone(),
                            origin,
                            data: Some(data),
                        }
                    }
                    FetchAttribute::BinarySize { part } => FetchItem::BinarySize {
                        section: part.clone(),
                        size: u32::try_from(structure.binary_size(part).unwrap()).unwrap(),
                    },
                    FetchAttribute::Rfc822 => FetchItem::Rfc822(nstring(m.raw.clone())),
                    FetchAttribute::Rfc822Header => FetchItem::Rfc822Header(nstring(
                        structure.section(&Section::parse(b"[HEADER]").unwrap()),
                    )),
                    FetchAttribute::Rfc822Text => FetchItem::Rfc822Text(nstring(
                        structure.section(&Section::parse(b"[TEXT]").unwrap()),
                    )),
                    other => panic!("FETCH item the fixture does not serve: {other:?}"),
                });
            }
            // RFC 9051 §6.4.5: the \Seen a body fetch set is reported in the same response.
            if seen_set && !items.iter().any(|i| matches!(i, FetchAttribute::Flags)) {
                out.push(FetchItem::Flags(flags.clone()));
            }
            match streamed {
                Some((section, data)) => {
                    conn.fetch_literal(*u, out, section, data.len() as u64)
                        .unwrap();
                    for piece in data.chunks(stream_from) {
                        conn.fetch_data(piece).unwrap();
                    }
                    conn.fetch_end().unwrap();
                }
                None => conn.fetch(*u, out).unwrap(),
            }
        }
        conn.done().unwrap();
    }

    fn command(&mut self, conn: &mut Connection, command: Command) {
        let ok = |conn: &mut Connection, text: &str| {
            conn.complete(StatusKind::Ok, None, text).unwrap();
        };
        match command.body {
            CommandBody::Create { mailbox, .. } => {
                let name = name_of(&mailbox);
                if self.store.mailbox(&name).is_some() {
                    return conn
                        .complete(
                            StatusKind::No,
                            Some(Code::Condition(Condition::AlreadyExists)),
                            "Exists",
                        )
                        .unwrap();
                }
                let validity = 1000 + self.store.mailboxes.len() as u32;
                self.store
                    .mailboxes
                    .push(Mbox::new(&name, validity, core::iter::empty()));
                ok(conn, "CREATE completed");
            }
            CommandBody::Delete(mailbox) => {
                let name = name_of(&mailbox);
                if name == "INBOX" || self.store.mailbox(&name).is_none() {
                    return conn
                        .complete(
                            StatusKind::No,
                            Some(Code::Condition(Condition::NonExistent)),
                            "No such mailbox",
                        )
                        .unwrap();
                }
                self.store.mailboxes.retain(|m| m.name != name);
                ok(conn, "DELETE completed");
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (name_of(&from), name_of(&to));
                if self.store.mailbox(&to).is_some() {
                    return conn
                        .complete(
                            StatusKind::No,
                            Some(Code::Condition(Condition::AlreadyExists)),
                            "Exists",
                        )
                        .unwrap();
                }
                let Some(m) = self.store.mailbox_mut(&from) else {
                    return conn
                        .complete(
                            StatusKind::No,
                            Some(Code::Condition(Condition::NonExistent)),
                            "No such mailbox",
                        )
                        .unwrap();
                };
                m.name = to;
                ok(conn, "RENAME completed");
            }
            CommandBody::Subscribe(mailbox) => self.subscribe(conn, &mailbox, true),
            CommandBody::Unsubscribe(mailbox) => self.subscribe(conn, &mailbox, false),
            CommandBody::List {
                reference,
                patterns,
                ..
            } => {
                self.list(conn, &reference, &patterns, false);
                ok(conn, "LIST completed");
            }
            CommandBody::Lsub { reference, pattern } => {
                self.list(conn, &reference, &[pattern], true);
                ok(conn, "LSUB completed");
            }
            CommandBody::Namespace => {
                let personal = NamespaceDescr::new(IString::try_from("").unwrap(), Some('/'));
                conn.data(Data::Namespace {
                    personal: vec![personal],
                    other: Vec::new(),
                    shared: Vec::new(),
                })
                .unwrap();
                ok(conn, "NAMESPACE completed");
            }
            CommandBody::Status { mailbox, items } => {
                let name = name_of(&mailbox);
                let Some(m) = self.store.mailbox(&name) else {
                    return conn
                        .complete(
                            StatusKind::No,
                            Some(Code::Condition(Condition::NonExistent)),
                            "No such mailbox",
                        )
                        .unwrap();
                };
                let attributes = items
                    .iter()
                    .map(|i| {
                        let n = match i {
                            StatusItem::Messages => m.messages.len() as u64,
                            StatusItem::UidNext => u64::from(m.uid_next),
                            StatusItem::UidValidity => u64::from(m.uid_validity),
                            StatusItem::Unseen => m
                                .messages
                                .iter()
                                .filter(|x| !x.flags.contains(&Flag::Seen))
                                .count() as u64,
                            StatusItem::Deleted => m
                                .messages
                                .iter()
                                .filter(|x| x.flags.contains(&Flag::Deleted))
                                .count() as u64,
                            StatusItem::Size => m.messages.iter().map(|x| x.raw.len() as u64).sum(),
                            StatusItem::Recent => m.recent.len() as u64,
                            StatusItem::HighestModSeq => m.highest_mod_seq,
                            other => panic!("STATUS item the fixture does not serve: {other:?}"),
                        };
                        StatusAttribute::Count(*i, n)
                    })
                    .collect();
                conn.data(Data::Status {
                    mailbox,
                    attributes,
                })
                .unwrap();
                ok(conn, "STATUS completed");
            }
            CommandBody::Sort {
                uid,
                criteria,
                search,
                ..
            } => {
                // The fixture sorts by ARRIVAL only (UID order), maybe reversed.
                assert!(
                    criteria.len() == 1 && criteria[0].key == SortKey::Arrival,
                    "the fixture sorts by ARRIVAL only: {criteria:?}"
                );
                let mbox = self.selected_mut();
                let mut uids: Vec<u32> = mbox
                    .messages
                    .iter()
                    .filter(|m| search.iter().all(|k| matches(k, m, mbox)))
                    .map(|m| m.uid)
                    .collect();
                if criteria[0].reverse {
                    uids.reverse();
                }
                let numbers = uids
                    .into_iter()
                    .filter_map(|u| {
                        let u = NonZeroU32::new(u)?;
                        if uid { Some(u) } else { conn.seq(u) }
                    })
                    .collect();
                conn.data(Data::Sort {
                    numbers,
                    mod_seq: None,
                })
                .unwrap();
                ok(conn, "SORT completed");
            }
            other => panic!("command the fixture does not serve: {other:?}"),
        }
    }

    fn subscribe(&mut self, conn: &mut Connection, mailbox: &Mailbox, on: bool) {
        match self.store.mailbox_mut(&name_of(mailbox)) {
            Some(m) => {
                m.subscribed = on;
                conn.complete(StatusKind::Ok, None, "completed").unwrap();
            }
            None => conn
                .complete(
                    StatusKind::No,
                    Some(Code::Condition(Condition::NonExistent)),
                    "No such mailbox",
                )
                .unwrap(),
        }
    }

    fn list(
        &self,
        conn: &mut Connection,
        reference: &Mailbox,
        patterns: &[ListMailbox],
        lsub: bool,
    ) {
        let reference = name_of(reference);
        for pattern in patterns {
            let pattern = format!("{reference}{}", String::from_utf8_lossy(pattern.as_bytes()));
            if pattern.is_empty() {
                // RFC 9051 §6.3.9: the hierarchy delimiter and the root.
                let list = MailboxList::new(
                    vec![MailboxAttribute::NoSelect],
                    Some('/'),
                    Mailbox::parse(b"\"\"").unwrap(),
                );
                conn.data(Data::List(list)).unwrap();
                continue;
            }
            for m in &self.store.mailboxes {
                if (lsub && !m.subscribed) || !glob(pattern.as_bytes(), m.name.as_bytes()) {
                    continue;
                }
                let mut attributes = Vec::new();
                if m.subscribed && !lsub {
                    attributes.push(MailboxAttribute::Subscribed);
                }
                let list = MailboxList::new(attributes, Some('/'), mailbox_of(&m.name));
                conn.data(if lsub {
                    Data::Lsub(list)
                } else {
                    Data::List(list)
                })
                .unwrap();
            }
        }
    }

    /// Performs an `X:` line: what another session does to the selected mailbox.
    pub fn external(&mut self, conn: &mut Connection, action: &str) {
        let mut words = action.split_whitespace();
        let verb = words.next().unwrap();
        let rest: Vec<&str> = words.collect();
        if verb == "nothing" {
            // Only cuts the client's input here: what follows arrives in a later packet.
            return;
        }
        let mbox = self.selected_mut();
        match verb {
            "deliver" => {
                let u = mbox.uid_next;
                mbox.add(message(u), Vec::new(), date("17-Jul-1996 03:00:00 -0700"));
                let info = mbox.find(u).unwrap().info();
                conn.mailbox_changed(MailboxUpdate::Added(vec![info]));
            }
            "expunge" => {
                let uids: Vec<u32> = rest.iter().map(|s| s.parse().unwrap()).collect();
                mbox.remove(&uids);
                conn.mailbox_changed(MailboxUpdate::Expunged(
                    uids.iter().map(|&u| uid(u)).collect(),
                ));
            }
            "flags" => {
                let u: u32 = rest[0].parse().unwrap();
                let flags: Vec<Flag> = rest[1..]
                    .iter()
                    .map(|f| Flag::parse(f.as_bytes()).unwrap())
                    .collect();
                let mod_seq = mbox.bump();
                let m = mbox.find_mut(u).unwrap();
                m.flags = flags;
                m.mod_seq = mod_seq;
                let info = m.info();
                conn.mailbox_changed(MailboxUpdate::Flags(info));
            }
            "keyword" => {
                mbox.keywords.push(Flag::parse(rest[0].as_bytes()).unwrap());
                let update = keywords_update(mbox);
                conn.mailbox_changed(update);
            }
            other => panic!("unknown X: action {other}"),
        }
    }
}

fn keywords_update(mbox: &Mbox) -> MailboxUpdate {
    let flags = mbox.all_flags();
    let mut permanent_flags: Vec<FlagPerm> = flags.iter().cloned().map(FlagPerm::Flag).collect();
    permanent_flags.push(FlagPerm::Wildcard);
    MailboxUpdate::Keywords {
        flags,
        permanent_flags,
    }
}

fn date_now() -> DateTime {
    date("01-Jan-2024 00:00:00 +0000")
}

fn nstring(data: Bytes) -> NString {
    NString(Some(IString::try_from(data).unwrap()))
}

/// `*` matches anything, `%` anything but the delimiter (RFC 9051 §6.3.9).
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| glob(rest, &name[i..])),
        Some((b'%', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != b'/')
            .any(|i| glob(rest, &name[i..])),
        Some((c, rest)) => name
            .split_first()
            .is_some_and(|(n, tail)| n.eq_ignore_ascii_case(c) && glob(rest, tail)),
    }
}

fn uses_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) => uses_modseq(k),
        SearchKey::Or(a, b) => uses_modseq(a) || uses_modseq(b),
        SearchKey::And(keys) => keys.iter().any(uses_modseq),
        _ => false,
    }
}

/// Evaluates a search key against a message of the fixture.
fn matches(key: &SearchKey, m: &Msg, mbox: &Mbox) -> bool {
    let has = |f: Flag| m.flags.contains(&f);
    let s = || m.structure();
    let text = |a: &imap_proto::types::AString| String::from_utf8_lossy(a.as_bytes()).into_owned();
    match key {
        SearchKey::All => true,
        SearchKey::Answered => has(Flag::Answered),
        SearchKey::Deleted => has(Flag::Deleted),
        SearchKey::Draft => has(Flag::Draft),
        SearchKey::Flagged => has(Flag::Flagged),
        SearchKey::Seen => has(Flag::Seen),
        SearchKey::Unanswered => !has(Flag::Answered),
        SearchKey::Undeleted => !has(Flag::Deleted),
        SearchKey::Undraft => !has(Flag::Draft),
        SearchKey::Unflagged => !has(Flag::Flagged),
        SearchKey::Unseen => !has(Flag::Seen),
        SearchKey::Recent => mbox.recent.contains(&m.uid),
        SearchKey::New => mbox.recent.contains(&m.uid) && !has(Flag::Seen),
        SearchKey::Old => !mbox.recent.contains(&m.uid),
        SearchKey::Keyword(k) => has(Flag::Keyword(k.clone())),
        SearchKey::Unkeyword(k) => !has(Flag::Keyword(k.clone())),
        SearchKey::Larger(n) => m.raw.len() as u64 > *n,
        SearchKey::Smaller(n) => (m.raw.len() as u64) < *n,
        SearchKey::Uid(set) => set.contains(m.uid, u32::MAX),
        SearchKey::Not(k) => !matches(k, m, mbox),
        SearchKey::Or(a, b) => matches(a, m, mbox) || matches(b, m, mbox),
        SearchKey::And(keys) => keys.iter().all(|k| matches(k, m, mbox)),
        SearchKey::Subject(a) => s().header_contains("Subject", &text(a)),
        SearchKey::From(a) => s().header_contains("From", &text(a)),
        SearchKey::To(a) => s().header_contains("To", &text(a)),
        SearchKey::Cc(a) => s().header_contains("Cc", &text(a)),
        SearchKey::Bcc(a) => s().header_contains("Bcc", &text(a)),
        SearchKey::Header(h, v) => s().header_contains(&text(h), &text(v)),
        SearchKey::Body(a) => s().body_contains(&text(a)),
        SearchKey::Text(a) => s().text_contains(&text(a)),
        SearchKey::Since(d) => m.date.date() >= *d,
        SearchKey::Before(d) => m.date.date() < *d,
        SearchKey::On(d) => m.date.date() == *d,
        SearchKey::SentSince(d) => s().sent_since(*d),
        SearchKey::SentBefore(d) => s().sent_before(*d),
        SearchKey::SentOn(d) => s().sent_on(*d),
        SearchKey::ModSeq { modseq, .. } => m.mod_seq >= *modseq,
        other => panic!("search key the fixture does not serve: {other:?}"),
    }
}

// ----- scripts -----

/// What a run does at a point of the client's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Client bytes.
    Send(Vec<u8>),
    /// The TLS handshake.
    Tls,
    /// Another session changes the store.
    External(String),
}

/// One expected server line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub line: String,
    pub exact: bool,
}

/// A parsed transcript.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub steps: Vec<Step>,
    pub server: Vec<Expected>,
}

/// Parses `C:`, `S:`, `S=` and `X:` lines (see the module docs).
pub fn parse_script(text: &str) -> Script {
    let mut script = Script::default();
    for line in script_lines(text, &["C:", "S:", "S=", "X:"]) {
        let rest = line.text.trim_start();
        match line.marker {
            "C:" if rest.trim() == "<TLS>" => script.steps.push(Step::Tls),
            "C:" => {
                // IMAP flags start with `\`: script lines have no escapes; a trailing lone
                // `\` sends the line without CRLF.
                let wire = match rest.strip_suffix('\\') {
                    Some(body) => body.as_bytes().to_vec(),
                    None => format!("{rest}\r\n").into_bytes(),
                };
                match script.steps.last_mut() {
                    Some(Step::Send(bytes)) => bytes.extend_from_slice(&wire),
                    _ => script.steps.push(Step::Send(wire)),
                }
            }
            "X:" => script.steps.push(Step::External(rest.trim().to_owned())),
            // Server lines keep their indentation after the marker's space: literal
            // content may start with white space.
            marker => script.server.push(Expected {
                line: line.text.to_owned(),
                exact: marker == "S=",
            }),
        }
    }
    script
}

/// Runs the script one way; returns the output, the application (its store and what it saw).
pub fn run_server(
    config: &Config,
    fixture: &Fixture,
    script: &Script,
    feed: Feed,
) -> (Vec<u8>, App) {
    let mut conn = Connection::new(config.clone());
    let mut app = App::new(fixture.clone());
    let mut out = Vec::new();
    app.drive(&mut conn, &mut out);
    let mut reader = BytesMut::new();
    for step in &script.steps {
        match step {
            Step::Send(bytes) => feed.feed(&mut conn, bytes, &mut reader, |conn, _| {
                app.drive(conn, &mut out);
            }),
            Step::Tls => {
                if core::mem::take(&mut app.seen.start_tls) {
                    conn.tls_established().unwrap();
                }
                app.drive(&mut conn, &mut out);
            }
            Step::External(action) => {
                app.external(&mut conn, action);
                app.drive(&mut conn, &mut out);
            }
        }
    }
    conn.receive_eof();
    app.drive(&mut conn, &mut out);
    assert!(
        app.seen.closed.is_some(),
        "{feed:?}: the session never closed"
    );
    (out, app)
}

/// Checks the output against the script, line by line.
pub fn check_output(script: &Script, output: &[u8], how: &str) {
    let text = String::from_utf8_lossy(output);
    assert!(text.is_empty() || text.ends_with("\r\n"), "{how}: {text:?}");
    let lines: Vec<&str> = text.split("\r\n").collect();
    let lines = &lines[..lines.len().saturating_sub(1)];
    for (i, want) in script.server.iter().enumerate() {
        let got = lines.get(i).unwrap_or_else(|| {
            panic!("{how}: output ended before line #{i} {want:?}; output:\n{text}")
        });
        if !want.exact && lines_match(got, &want.line) {
            continue;
        }
        assert_eq!(*got, want.line, "{how}: line #{i}; output:\n{text}");
    }
    assert_eq!(
        lines.len(),
        script.server.len(),
        "{how}: extra output {:?}; output:\n{text}",
        &lines[script.server.len().min(lines.len())..]
    );
}

/// `S:` matching: status responses by tag, status and code; `+` alone any continuation.
fn lines_match(got: &str, want: &str) -> bool {
    if want == "+" {
        return got.starts_with('+');
    }
    let parse = |s: &str| Response::parse_bytes(&Bytes::copy_from_slice(s.as_bytes()), 64).ok();
    match (parse(got), parse(want)) {
        (Some(Response::Status(g)), Some(Response::Status(w))) => {
            g.tag() == w.tag() && g.kind() == w.kind() && g.code() == w.code()
        }
        _ => got == want,
    }
}

/// Runs a transcript whole, byte by byte and at 8 random splittings; every run must match
/// the script and give the same output, events and final store. Returns the whole run's
/// application.
pub fn server_transcript(config: &Config, fixture: &Fixture, text: &str) -> App {
    let script = parse_script(text);
    let (whole_out, whole) = run_server(config, fixture, &script, Feed::Whole);
    check_output(&script, &whole_out, "whole");
    for feed in Feed::all().into_iter().filter(|f| *f != Feed::Whole) {
        let (out, app) = run_server(config, fixture, &script, feed);
        let how = format!("{feed:?}");
        check_output(&script, &out, &how);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&whole_out),
            "{how}: output differs from the whole run"
        );
        assert_eq!(app.store, whole.store, "{how}: the store differs");
        assert_eq!(app.seen, whole.seen, "{how}: the events differ");
    }
    whole
}

/// A config that allows LOGIN without TLS (most RFC transcripts run without TLS).
pub fn plain_config() -> Config {
    let mut c = Config::default();
    c.allow_plaintext_auth = true;
    c.sasl_mechanisms = vec![Mechanism::Plain];
    c
}

/// [`plain_config`] serving these extensions too.
pub fn config_with(capabilities: &[Capability]) -> Config {
    let mut c = plain_config();
    c.capabilities = capabilities.to_vec();
    c
}

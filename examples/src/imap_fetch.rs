//! The `imap-fetch` client session: downloads the new messages of one IMAP mailbox into a
//! local Maildir, incrementally, and with IDLE keeps waiting for more.
//!
//! The session logs in (after STARTTLS when asked), opens the mailbox read-only (`EXAMINE`:
//! downloading changes no flag) and compares its UIDVALIDITY with the one recorded in the
//! state file of the output directory ([`SyncState`]): the same one means every UID up to the
//! recorded last one is already here; another one means the UIDs were renumbered (RFC 9051
//! §2.3.1.1) and everything is downloaded again. It then asks for the sizes of the messages
//! above the last UID (`UID FETCH n:* (UID RFC822.SIZE)`), skips those over the size limit,
//! and fetches the others one command each, a few at a time (`UID FETCH u (UID BODY.PEEK[])`).
//!
//! What a server cannot do to this client:
//!
//! - **Grow its memory.** Bodies over [`STREAM_OVER`] (or over the size limit, if smaller)
//!   arrive in chunks that go straight to a `tmp/` file; a body announced larger than the
//!   limit ends the session before any of it is read, whatever size the server claimed
//!   before.
//! - **Leave half a message.** A message reaches `new/` only once it is complete and synced
//!   ([`crate::maildir::Delivery::commit`]); an abandoned one is removed from `tmp/`.
//! - **Make it skip mail.** The last UID recorded advances only over messages stored (or
//!   refused for their size, and reported), in UID order, and the state file is replaced by
//!   a rename after each step, so an interrupted run resumes where it stopped.

use std::collections::VecDeque;
use std::io::IsTerminal as _;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use imap_proto::client::{Config, Connection, Event};
use imap_proto::command::{FetchAttribute, FetchItems};
use imap_proto::prelude::*;
use imap_proto::response::{Data, FetchItem};
use imap_proto::types::{Capability, Mailbox, Section, SeqNumber, SeqRange, SequenceSet, Tag};

use crate::maildir::{Delivery, Maildir};
use crate::session::{Progress, Session};

/// The default of `imap-fetch --max-message-size`: 64 MiB (as `pop3-fetch`).
pub const DEFAULT_MAX_FETCH_SIZE: u64 = crate::pop3::DEFAULT_MAX_FETCH_SIZE;

/// Bodies larger than this are streamed to their file, never held whole: 64 KiB.
pub const STREAM_OVER: u64 = 64 * 1024;

/// How many message fetches are in flight at once.
const WINDOW: usize = 8;

/// The default of `imap-fetch --idle-renew`: an IDLE is ended and started again after 25
/// minutes, before the server's inactivity timer (at least 30 minutes, RFC 2177 §3, RFC 9051
/// §5.4) and the client's own time limit.
pub const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

/// The name of the state file in the output directory.
pub const STATE_FILE: &str = "imap-fetch.state";

/// What the state file records: which mailbox, its UIDVALIDITY, and the last UID stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    /// The mailbox name as given on the command line.
    pub mailbox: String,
    /// The mailbox's UIDVALIDITY when the UIDs below were seen; 0 before the first run.
    pub uid_validity: u32,
    /// Every message up to this UID is stored (or was refused for its size).
    pub last_uid: u32,
}

impl SyncState {
    /// Reads the state file at `path`; a missing file is the empty state.
    ///
    /// # Errors
    /// When the file cannot be read or is not a state file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let bad = || format!("{}: not an imap-fetch state file", path.display());
        let mut state = Self::default();
        let mut lines = text.lines();
        if lines.next() != Some("imap-fetch 1") {
            return Err(bad());
        }
        for line in lines {
            let (key, value) = line.split_once(' ').ok_or_else(bad)?;
            match key {
                "mailbox" => value.clone_into(&mut state.mailbox),
                "uidvalidity" => state.uid_validity = value.parse().map_err(|_| bad())?,
                "last-uid" => state.last_uid = value.parse().map_err(|_| bad())?,
                _ => return Err(bad()),
            }
        }
        Ok(state)
    }

    /// Replaces the state file at `path`: written beside it, synced, renamed over it, and
    /// the directory synced, so a crash leaves the old state or the new one.
    ///
    /// # Errors
    /// When writing, syncing or renaming fails.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = format!(
            "imap-fetch 1\nmailbox {}\nuidvalidity {}\nlast-uid {}\n",
            self.mailbox, self.uid_validity, self.last_uid
        );
        crate::maildir::replace_file(path, text.as_bytes())
    }
}

/// What `imap-fetch` was asked to do.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: mail_core::Secret<String>,
    /// The mailbox to download (`INBOX` by default).
    pub mailbox: String,
    /// Upgrade with STARTTLS first, and fail if the server cannot.
    pub starttls: bool,
    /// Keep waiting for new mail with IDLE once everything is downloaded.
    pub idle: bool,
    /// How long one IDLE lasts before it is ended and started again ([`IDLE_RENEW`]).
    pub idle_renew: Duration,
    /// The Maildir to write into, with the state file at its top.
    pub out: PathBuf,
    /// The largest message accepted, in octets.
    pub max_message_size: u64,
}

/// Where a planned message is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Not asked for yet.
    Pending,
    /// Its UID FETCH is in flight.
    Fetching(Tag),
    /// Stored, refused for its size, or gone from the server.
    Done,
}

/// A message to download.
#[derive(Debug)]
struct Planned {
    uid: NonZeroU32,
    step: Step,
    stored: bool,
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the mailbox is open.
    Opening,
    /// Asking for the sizes of the new messages.
    Listing,
    /// Fetching the messages of the plan.
    Fetching,
    /// Asking for the capabilities before IDLE.
    Capabilities,
    /// In IDLE since this time; `true` once DONE was sent.
    Idling,
    /// LOGOUT sent.
    LoggingOut,
}

/// A streamed body being written.
#[derive(Debug)]
struct Streamed {
    seq: NonZeroU32,
    delivery: Delivery,
}

/// The `imap-fetch` session; see the [module docs](self).
#[derive(Debug)]
pub struct ImapFetchSession {
    conn: Connection,
    options: FetchOptions,
    maildir: Maildir,
    state_path: PathBuf,
    state: SyncState,
    phase: Phase,
    /// The UID FETCH listing sizes, while in flight.
    listing: Option<Tag>,
    /// The sizes it gave, by UID.
    sizes: std::collections::BTreeMap<NonZeroU32, u64>,
    plan: VecDeque<Planned>,
    streamed: Option<Streamed>,
    idle_tag: Option<Tag>,
    idle_since: Instant,
    done_sent: bool,
    wake: Option<tokio::sync::watch::Receiver<u64>>,
    terminal: bool,
    /// Messages and octets downloaded in this round, and the round's totals.
    progress: (usize, usize, u64),
    /// Octets received in this round.
    received: u64,
    /// How many messages were stored.
    pub stored: usize,
    /// Why the session failed, if it did.
    pub failure: Option<String>,
    /// The session ended as planned: LOGOUT answered.
    finished: bool,
    /// New messages were announced (EXISTS) while a round was under way: with IDLE, another
    /// round follows at once instead of waiting for the next announcement.
    announced: bool,
}

impl ImapFetchSession {
    /// Returns the session: opens (creates) the Maildir `options.out` and reads its state
    /// file. `wake` is a receiver that changes now and then (a timer), so that an IDLE is
    /// renewed while no input comes.
    ///
    /// # Errors
    /// When the Maildir cannot be created or the state file is unreadable.
    pub fn new(
        mut config: Config,
        options: FetchOptions,
        wake: Option<tokio::sync::watch::Receiver<u64>>,
    ) -> Result<Self, crate::Error> {
        if options.mailbox.contains(['\r', '\n']) {
            return Err("a mailbox name cannot hold CR or LF".into());
        }
        // Any body over the limit is streamed, so it is refused before any of it is held.
        config.stream_literals_over = STREAM_OVER.min(options.max_message_size.max(1));
        let maildir = Maildir::open(&options.out)?;
        let state_path = options.out.join(STATE_FILE);
        let state = SyncState::load(&state_path)?;
        Ok(Self {
            conn: Connection::new(config),
            maildir,
            state_path,
            state,
            phase: Phase::Opening,
            listing: None,
            sizes: std::collections::BTreeMap::new(),
            plan: VecDeque::new(),
            streamed: None,
            idle_tag: None,
            idle_since: Instant::now(),
            done_sent: false,
            wake,
            terminal: std::io::stderr().is_terminal(),
            progress: (0, 0, 0),
            received: 0,
            stored: 0,
            failure: None,
            finished: false,
            announced: false,
            options,
        })
    }

    fn login(&mut self) -> Result<(), String> {
        self.conn
            .login(&self.options.user, self.options.password.expose())
            .map_err(|e| format!("LOGIN: {e}"))?;
        let mailbox = Mailbox::from_utf8(&self.options.mailbox).map_err(|e| e.to_string())?;
        self.conn
            .examine(mailbox)
            .map_err(|e| format!("EXAMINE: {e}"))?;
        Ok(())
    }

    /// The mailbox is open (or IDLE ended): compares UIDVALIDITY with the state, then lists
    /// the sizes of the messages above the last UID.
    fn start_round(&mut self) -> Result<(), String> {
        let validity = self
            .conn
            .mailbox()
            .and_then(|v| v.uid_validity())
            .ok_or("the server sent no UIDVALIDITY")?
            .get();
        if validity != self.state.uid_validity || self.state.mailbox != self.options.mailbox {
            if self.state.uid_validity != 0 {
                self.note(&format!(
                    "UIDVALIDITY of {} is {validity}, was {}: downloading everything again",
                    self.options.mailbox, self.state.uid_validity
                ));
            }
            self.state = SyncState {
                mailbox: self.options.mailbox.clone(),
                uid_validity: validity,
                last_uid: 0,
            };
            self.save_state()?;
        }
        if self.conn.mailbox().is_some_and(|v| v.exists() == 0) {
            return self.after_round();
        }
        let first = self.state.last_uid.saturating_add(1);
        let first = NonZeroU32::new(first).ok_or("no UID is left above the last one")?;
        let set = SequenceSet::new(vec![SeqRange::new(
            SeqNumber::Value(first),
            SeqNumber::Largest,
        )])
        .map_err(|e| e.to_string())?;
        let tag = self
            .conn
            .uid_fetch(
                set,
                FetchItems::Attributes(vec![FetchAttribute::Uid, FetchAttribute::Rfc822Size]),
            )
            .map_err(|e| format!("UID FETCH: {e}"))?;
        self.listing = Some(tag);
        self.announced = false;
        self.sizes.clear();
        self.phase = Phase::Listing;
        Ok(())
    }

    /// The sizes are known: plans the messages above the last UID, refusing those over the
    /// limit.
    fn plan_round(&mut self) -> Result<(), String> {
        let sizes = std::mem::take(&mut self.sizes);
        let mut total = 0u64;
        for (uid, size) in sizes {
            if uid.get() <= self.state.last_uid {
                continue;
            }
            let over = size > self.options.max_message_size;
            if over {
                self.note(&format!(
                    "UID {uid}: {size} octets, over --max-message-size ({}): not downloaded",
                    self.options.max_message_size
                ));
            } else {
                total = total.saturating_add(size);
            }
            self.plan.push_back(Planned {
                uid,
                step: if over { Step::Done } else { Step::Pending },
                stored: false,
            });
        }
        let count = self.plan.iter().filter(|p| p.step == Step::Pending).count();
        self.progress = (0, count, total);
        self.received = 0;
        self.phase = Phase::Fetching;
        self.advance()
    }

    /// Records the messages done at the front of the plan, asks for more, and moves on when
    /// the plan is empty.
    fn advance(&mut self) -> Result<(), String> {
        let mut last = self.state.last_uid;
        while self.plan.front().is_some_and(|p| p.step == Step::Done) {
            if let Some(p) = self.plan.pop_front() {
                last = last.max(p.uid.get());
            }
        }
        if last != self.state.last_uid {
            self.state.last_uid = last;
            self.save_state()?;
        }
        let mut in_flight = self
            .plan
            .iter()
            .filter(|p| matches!(p.step, Step::Fetching(_)))
            .count();
        for i in 0..self.plan.len() {
            if in_flight >= WINDOW {
                break;
            }
            let Some(p) = self.plan.get(i) else { break };
            if p.step != Step::Pending {
                continue;
            }
            let items = FetchItems::Attributes(vec![
                FetchAttribute::Uid,
                FetchAttribute::BodySection {
                    peek: true,
                    section: Section::default(),
                    partial: None,
                },
            ]);
            let tag = self
                .conn
                .uid_fetch(SequenceSet::single(p.uid), items)
                .map_err(|e| format!("UID FETCH: {e}"))?;
            if let Some(p) = self.plan.get_mut(i) {
                p.step = Step::Fetching(tag);
            }
            in_flight += 1;
        }
        if self.plan.is_empty() {
            self.end_progress();
            return self.after_round();
        }
        Ok(())
    }

    /// Everything is downloaded: IDLE, or LOGOUT.
    fn after_round(&mut self) -> Result<(), String> {
        if !self.options.idle {
            self.phase = Phase::LoggingOut;
            return self
                .conn
                .logout()
                .map(drop)
                .map_err(|e| format!("LOGOUT: {e}"));
        }
        if std::mem::take(&mut self.announced) {
            return self.start_round();
        }
        if self.conn.needs_capabilities() {
            self.phase = Phase::Capabilities;
            return self
                .conn
                .capability()
                .map(drop)
                .map_err(|e| format!("CAPABILITY: {e}"));
        }
        if !self.conn.has_capability(&Capability::Idle) {
            return Err("the server does not offer IDLE".into());
        }
        self.idle_tag = Some(self.conn.idle().map_err(|e| format!("IDLE: {e}"))?);
        self.idle_since = Instant::now();
        self.done_sent = false;
        self.phase = Phase::Idling;
        Ok(())
    }

    /// Ends the IDLE in progress (once).
    fn end_idle(&mut self) -> Result<(), String> {
        if self.phase == Phase::Idling && !self.done_sent {
            self.done_sent = true;
            self.conn.done().map_err(|e| format!("DONE: {e}"))?;
        }
        Ok(())
    }

    fn save_state(&self) -> Result<(), String> {
        self.state
            .save(&self.state_path)
            .map_err(|e| format!("{}: {e}", self.state_path.display()))
    }

    /// Checks a body's announced or received size against the limit.
    fn check_size(&self, size: u64, seq: NonZeroU32) -> Result<(), String> {
        if size > self.options.max_message_size {
            let uid = self
                .conn
                .mailbox()
                .and_then(|v| v.message(seq))
                .and_then(|m| m.uid)
                .map_or_else(|| format!("message {seq}"), |u| format!("UID {u}"));
            return Err(format!(
                "{uid}: the server sends {size} octets, over --max-message-size ({}); refused",
                self.options.max_message_size
            ));
        }
        Ok(())
    }

    /// A whole FETCH response: stores its body if it is one the plan waits for.
    fn fetched(&mut self, seq: NonZeroU32, items: Vec<FetchItem>) -> Result<(), String> {
        let mut uid = None;
        let mut body = None;
        for item in items {
            match item {
                FetchItem::Uid(u) => uid = Some(u),
                FetchItem::BodySection {
                    section,
                    origin: None,
                    data,
                } if section == Section::default() => {
                    body = Some(data.0.map(|s| s.into_bytes()).unwrap_or_default());
                }
                _ => {}
            }
        }
        let streamed = self.streamed.take_if(|s| s.seq == seq);
        let uid = uid.or_else(|| {
            self.conn
                .mailbox()
                .and_then(|v| v.message(seq))
                .and_then(|m| m.uid)
        });
        let wanted = uid.and_then(|u| {
            self.plan
                .iter()
                .position(|p| p.uid == u && !p.stored && matches!(p.step, Step::Fetching(_)))
        });
        let (Some(index), Some(uid)) = (wanted, uid) else {
            // A flag update, or a body nobody asked for: dropped (a streamed one is removed
            // from tmp/ with its delivery).
            return Ok(());
        };
        let delivery = match (streamed, body) {
            (Some(s), _) => s.delivery,
            (None, Some(bytes)) => {
                self.check_size(bytes.len() as u64, seq)?;
                let mut d = self.maildir.begin().map_err(|e| e.to_string())?;
                d.write(&bytes).map_err(|e| e.to_string())?;
                self.progress_bytes(bytes.len());
                d
            }
            (None, None) => return Ok(()),
        };
        let size = delivery.size();
        let name = delivery
            .commit(&[&self.maildir])
            .map_err(|e| format!("storing UID {uid}: {e}"))?;
        if let Some(p) = self.plan.get_mut(index) {
            p.stored = true;
        }
        self.progress.0 += 1;
        self.stored += 1;
        let path = self.maildir.root().join("new").join(name);
        // At once, not at the end: with --idle there is no end.
        if self.terminal {
            #[allow(clippy::print_stderr)]
            {
                eprint!("\r\x1b[K");
            }
        }
        #[allow(clippy::print_stdout)]
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{uid} {size} {}", path.display());
            let _ = out.flush();
        }
        self.show_progress();
        Ok(())
    }

    /// A command completed.
    fn completed(&mut self, done: imap_proto::client::Completion) -> Result<(), String> {
        let failed = || {
            format!(
                "{} failed: {:?} {}",
                done.command,
                done.status,
                done.text.to_string().trim()
            )
        };
        match done.command {
            "LOGIN" | "STARTTLS" | "EXAMINE" | "CAPABILITY" if !done.is_ok() => Err(failed()),
            "EXAMINE" => self.start_round(),
            "CAPABILITY" if self.phase == Phase::Capabilities => self.after_round(),
            "UID FETCH" if self.listing.as_ref() == Some(&done.tag) => {
                self.listing = None;
                if !done.is_ok() {
                    return Err(failed());
                }
                self.plan_round()
            }
            "UID FETCH" => {
                if !done.is_ok() {
                    return Err(failed());
                }
                let uid = match self
                    .plan
                    .iter_mut()
                    .find(|p| p.step == Step::Fetching(done.tag.clone()))
                {
                    Some(p) => {
                        p.step = Step::Done;
                        (!p.stored).then_some(p.uid)
                    }
                    None => None,
                };
                if let Some(uid) = uid {
                    self.note(&format!("UID {uid}: not sent by the server (expunged?)"));
                }
                self.advance()
            }
            "IDLE" if self.idle_tag.as_ref() == Some(&done.tag) => {
                self.idle_tag = None;
                if !done.is_ok() {
                    return Err(failed());
                }
                self.start_round()
            }
            _ => Ok(()),
        }
    }

    /// Handles one event.
    fn handle(&mut self, event: Event) -> Result<(), String> {
        match event {
            Event::Greeting(_) => {
                if self.options.starttls {
                    self.conn
                        .starttls()
                        .map(drop)
                        .map_err(|e| format!("STARTTLS: {e}"))
                } else {
                    self.login()
                }
            }
            Event::FetchBodyStart { seq, size, .. } => {
                self.check_size(size, seq)?;
                let delivery = self.maildir.begin().map_err(|e| e.to_string())?;
                self.streamed = Some(Streamed { seq, delivery });
                Ok(())
            }
            Event::FetchBodyData(chunk) => {
                let max = self.options.max_message_size;
                if let Some(s) = &mut self.streamed {
                    if s.delivery.size().saturating_add(chunk.len() as u64) > max {
                        return Err(format!("a message over {max} octets; refused"));
                    }
                    s.delivery.write(&chunk).map_err(|e| e.to_string())?;
                }
                self.progress_bytes(chunk.len());
                Ok(())
            }
            Event::Fetch { seq, items, .. } => {
                if self.phase == Phase::Listing {
                    let uid = items.iter().find_map(|i| match i {
                        FetchItem::Uid(u) => Some(*u),
                        _ => None,
                    });
                    let size = items.iter().find_map(|i| match i {
                        FetchItem::Rfc822Size(s) => Some(*s),
                        _ => None,
                    });
                    if let (Some(uid), Some(size)) = (uid, size) {
                        // No more than one entry per message: a server cannot grow the map
                        // past the mailbox it described.
                        let exists = self.conn.mailbox().map_or(0, |v| v.exists());
                        if !self.sizes.contains_key(&uid) && self.sizes.len() >= exists as usize {
                            return Err(format!(
                                "the server lists more messages than the {exists} it said exist"
                            ));
                        }
                        self.sizes.insert(uid, size);
                    }
                    return Ok(());
                }
                self.fetched(seq, items)
            }
            Event::Untagged {
                data: Data::Exists(_),
                ..
            } => {
                match self.phase {
                    Phase::Idling => return self.end_idle(),
                    // The listing in flight may not cover it.
                    Phase::Listing | Phase::Fetching | Phase::Capabilities => self.announced = true,
                    _ => {}
                }
                Ok(())
            }
            Event::MailboxReset { .. } => {
                // Handled where UIDVALIDITY is compared: the next round starts over.
                self.end_idle()
            }
            Event::Completed(done) => self.completed(done),
            Event::Closed { reason, bye, error } => {
                if reason == CloseReason::Quit && self.phase == Phase::LoggingOut {
                    self.finished = true;
                } else {
                    let bye = bye.map(|b| format!(" {b:?}")).unwrap_or_default();
                    let error = error.map(|e| format!(": {e}")).unwrap_or_default();
                    self.failure
                        .get_or_insert(format!("connection closed ({reason}){bye}{error}"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Returns why the session did not complete, if it did not: its failure, or the
    /// connection ended early (a TLS handshake or a write failed: the log says which).
    pub fn outcome(&self) -> Result<(), String> {
        match &self.failure {
            Some(f) => Err(f.clone()),
            None if self.finished => Ok(()),
            None => Err("the connection ended before the download completed".into()),
        }
    }

    fn progress_bytes(&mut self, n: usize) {
        self.received = self.received.saturating_add(n as u64);
        self.show_progress();
    }

    /// Shows how far the round is on stderr, when it is a terminal.
    fn show_progress(&self) {
        if self.terminal && self.progress.1 > 0 {
            let (done, count, total) = self.progress;
            let received = self.received;
            #[allow(clippy::print_stderr)]
            {
                eprint!("\r\x1b[Kimap-fetch: {done}/{count} messages, {received}/{total} octets");
            }
        }
    }

    fn end_progress(&self) {
        if self.terminal && self.progress.1 > 0 {
            #[allow(clippy::print_stderr)]
            {
                eprintln!();
            }
        }
    }

    /// Says something to the user, on stderr.
    fn note(&self, text: &str) {
        #[allow(clippy::print_stderr)]
        {
            if self.terminal {
                eprint!("\r\x1b[K");
            }
            eprintln!("imap-fetch: {text}");
        }
    }
}

impl Session for ImapFetchSession {
    type Connection = Connection;

    fn connection(&self) -> &Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        if let Some(w) = &mut self.wake {
            w.mark_unchanged();
        }
        if self.phase == Phase::Idling
            && self.idle_since.elapsed() >= self.options.idle_renew
            && let Err(e) = self.end_idle()
        {
            self.failure.get_or_insert(e);
            self.conn.core_mut().close(CloseReason::Local);
        }
        while let Some(event) = self.conn.next_event() {
            tracing::debug!(?event, "IMAP client event");
            if let Err(e) = self.handle(event) {
                self.end_progress();
                self.failure.get_or_insert(e);
                self.streamed = None;
                self.conn.core_mut().close(CloseReason::Local);
            }
        }
        Progress::NeedInput
    }

    fn wake(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.wake.clone()
    }

    fn tls_established(&mut self) {
        // RFC 9051 §6.2.1: the capabilities are forgotten; LOGIN does not need them (a
        // server that says LOGINDISABLED after TLS refuses the LOGIN).
        if let Err(e) = self.conn.tls_established() {
            tracing::debug!(error = %e, "tls_established refused");
        }
        if let Err(e) = self.login() {
            self.failure.get_or_insert(e);
            self.conn.core_mut().close(CloseReason::Local);
        }
    }
}

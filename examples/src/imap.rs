//! The IMAP side of the `mail-server` example: imap-proto's server state machine over the
//! Dovecot-compatible Maildir store of [`crate::mailstore`].
//!
//! The library keeps the session's view of the selected mailbox and decides when changes may
//! be sent; this adapter keeps what the store looked like when the session last looked, scans
//! again when the store may have changed (another session, an SMTP delivery, a POP3 `DELE`,
//! another program) and reports the difference with `mailbox_changed`. A [`Hub`] shared by
//! every session of the server wakes the sessions that have a mailbox selected when it
//! changes, so a session in IDLE hears of new mail at once.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use imap_proto::command::{
    Command, CommandBody, FetchAttribute, ListReturnOption, ListSelectOption, QResync, SearchKey,
    SortKey, StatusItem, StoreFlags, StoreMode, ThreadAlgorithm,
};
use imap_proto::message::{HeaderSearch, MessageStructure};
use imap_proto::response::{
    Code, Condition, Data, FetchItem, MailboxAttribute, MailboxList, NamespaceDescr,
    StatusAttribute, StatusKind,
};
use imap_proto::server::{
    Config, Connection, CopyUid, Event, MailboxSnapshot, MailboxUpdate, MessageInfo,
    StreamedSection, Uid,
};
use imap_proto::types::{
    Capability, Date, DateTime, Flag, FlagPerm, IString, Mailbox, NString, Section, SectionText,
};
use mail_core::connection::Connection as _;
use mail_core::sasl::Mechanism;

use crate::maildir::Store;
use crate::mailstore::flags::{Keywords, NameFlags, SharedFlags};
use crate::mailstore::headers::{HeaderCache, MailboxHeaders};
use crate::mailstore::scans::ScanCache;
use crate::mailstore::uidlist::UidListLock;
use crate::mailstore::{DELIMITER, Folder, MailStore, Saving, Scan};
use crate::session::{Progress, Session};
use crate::users::Users;

/// Sections larger than this are streamed rather than put in a response whole.
const STREAM_ABOVE: usize = 16 * 1024;

pub use crate::maildir::Hub;

/// What every IMAP session of a server shares.
#[derive(Debug, Clone)]
pub struct ImapService {
    hostname: String,
    users: Arc<Users>,
    store: Store,
    tls: bool,
    allow_plaintext_auth: bool,
    max_append: u64,
    hub: Arc<Hub>,
    /// The header blocks every session of the store shares (FETCH ENVELOPE, header SEARCH).
    headers: Arc<HeaderCache>,
    /// Each mailbox's last scan, shared by the sessions that see it alike.
    scans: Arc<ScanCache>,
    guard: Arc<crate::guard::AuthGuard>,
    timeout: Option<std::time::Duration>,
}

impl ImapService {
    /// Returns the service; `tls` offers STARTTLS (a certificate is configured). Sessions
    /// hear of changes through the store's [`Hub`], which SMTP deliveries and POP3 also tell.
    pub fn new(
        hostname: &str,
        users: Arc<Users>,
        store: Store,
        tls: bool,
        allow_plaintext_auth: bool,
    ) -> Self {
        Self {
            hostname: hostname.to_owned(),
            users,
            hub: store.hub(),
            headers: store.headers(),
            scans: store.scans(),
            store,
            tls,
            allow_plaintext_auth,
            max_append: 64 * 1024 * 1024,
            guard: Arc::new(crate::guard::AuthGuard::default()),
            timeout: None,
        }
    }

    /// Returns the service with the failed-login limits `guard` (shared with the server's
    /// other listeners) instead of its own.
    #[must_use]
    pub fn with_auth_guard(mut self, guard: Arc<crate::guard::AuthGuard>) -> Self {
        self.guard = guard;
        self
    }

    /// Returns the service with an idle timeout other than the library's (3 minutes before
    /// login, 30 after, RFC 9051 §5.4).
    #[must_use]
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Returns the capabilities this adapter serves beyond those the library implements.
    fn capabilities() -> Vec<Capability> {
        vec![
            Capability::UidPlus,
            Capability::Move,
            Capability::MultiAppend,
            Capability::Namespace,
            Capability::SpecialUse,
            Capability::ListExtended,
            Capability::ListStatus,
            Capability::Children,
            Capability::ESearch,
            Capability::SearchRes,
            Capability::StatusSize,
            Capability::Binary,
            Capability::CondStore,
            Capability::QResync,
            Capability::Sort,
            Capability::ThreadOrderedSubject,
            Capability::ThreadReferences,
        ]
    }

    /// Returns a new session; `implicit_tls` for an IMAPS listener.
    pub fn session(&self, peer: String, nonce: &str, implicit_tls: bool) -> ImapSession {
        let mut config = Config::default();
        config.hostname.clone_from(&self.hostname);
        config.nonce = nonce.parse().ok();
        config.starttls = self.tls && !implicit_tls;
        config.tls_active = implicit_tls;
        config.allow_plaintext_auth = self.allow_plaintext_auth;
        config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::ScramSha256];
        config.capabilities = Self::capabilities();
        config.max_append = self.max_append;
        if let Some(timeout) = self.timeout {
            // One idle limit for both states, as the other protocols have.
            config.timeout_unauthenticated = timeout;
            config.timeout_authenticated = timeout;
        }
        ImapSession {
            service: self.clone(),
            conn: Connection::new(config),
            store: None,
            selected: None,
            appending: None,
            fetching: None,
            logins: crate::guard::LoginWatch::new(self.guard.clone(), &peer),
            peer,
        }
    }
}

/// The selected mailbox as this session last saw it on disk.
#[derive(Debug)]
struct Open {
    folder: Folder,
    /// The messages at the last scan, with this session's changes since.
    seen: Seen,
    recent: HashSet<u32>,
    keywords: Vec<Flag>,
    watch: Option<tokio::sync::watch::Receiver<u64>>,
    /// [`Folder::stamp`] taken just before the last scan.
    stamp: Option<[SystemTime; 2]>,
}

/// What a session last saw of its mailbox: the scan, shared with the sessions that saw the
/// same ([`ScanCache`]), and this session's own changes since (flags it stored or set,
/// messages it expunged or moved). An idle session holds a handle, not a copy per message.
#[derive(Debug)]
struct Seen {
    scan: Arc<Scan>,
    /// UID → (file, flags, mod-sequence) changed by this session.
    changed: HashMap<u32, (PathBuf, NameFlags, u64)>,
    removed: HashSet<u32>,
}

impl Seen {
    fn new(scan: Arc<Scan>) -> Self {
        Self {
            scan,
            changed: HashMap::new(),
            removed: HashSet::new(),
        }
    }

    /// The index of `uid` in the shared list.
    fn index(&self, uid: u32) -> Option<usize> {
        if self.removed.contains(&uid) {
            return None;
        }
        self.scan
            .messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
    }

    /// The file and flags of `uid`.
    fn get(&self, uid: u32) -> Option<(&PathBuf, &NameFlags)> {
        let i = self.index(uid)?;
        if let Some((p, f, _)) = self.changed.get(&uid) {
            return Some((p, f));
        }
        let m = self.scan.messages.get(i)?;
        Some((&m.path, &m.flags))
    }

    /// The mod-sequence of `uid`.
    fn mod_seq(&self, uid: u32) -> Option<u64> {
        self.index(uid)?;
        if let Some((_, _, m)) = self.changed.get(&uid) {
            return Some(*m);
        }
        Some(self.scan.mod_seqs.get(uid))
    }

    /// Records a change this session made to a message it has.
    fn set(&mut self, uid: u32, path: PathBuf, flags: NameFlags, mod_seq: u64) {
        if self.index(uid).is_some() {
            self.changed.insert(uid, (path, flags, mod_seq));
        }
    }

    fn remove(&mut self, uid: u32) {
        self.changed.remove(&uid);
        self.removed.insert(uid);
    }

    /// The UIDs, ascending.
    /// The messages, ascending by UID, with their files and flags as [`get`](Self::get)
    /// gives them, in one walk of the scan instead of a search per UID.
    fn messages(&self) -> impl Iterator<Item = (u32, &PathBuf, &NameFlags)> + '_ {
        self.scan.messages.iter().filter_map(|m| {
            if self.removed.contains(&m.uid) {
                return None;
            }
            match self.changed.get(&m.uid) {
                Some((p, f, _)) => Some((m.uid, p, f)),
                None => Some((m.uid, &m.path, &m.flags)),
            }
        })
    }

    fn uids(&self) -> impl Iterator<Item = u32> + '_ {
        self.scan
            .messages
            .iter()
            .map(|m| m.uid)
            .filter(|u| !self.removed.contains(u))
    }
}

/// An APPEND in progress.
#[derive(Debug)]
struct Appending {
    folder: Folder,
    flags: Vec<Flag>,
    date: Option<SystemTime>,
    saving: Option<Saving>,
    /// The messages received whole, still in `tmp/`, with their flags and internal dates:
    /// they move into `cur/` together when the command completes, so a crash or a failure
    /// before the answer leaves none of them in the mailbox (RFC 3502 §3: all or none).
    complete: Vec<(Saving, NameFlags, Option<SystemTime>)>,
    failed: bool,
}

/// A FETCH in progress: the messages still to answer and what to answer with. Answered while
/// the output is below its high-water mark, so `FETCH 1:* BODY[]` of a large mailbox holds
/// one message at a time, not the mailbox, when the client reads slowly or not at all.
#[derive(Debug)]
struct FetchJob {
    uids: Vec<Uid>,
    next: usize,
    items: Vec<FetchAttribute>,
    sets_seen: bool,
    changed_since: Option<u64>,
}

/// One IMAP connection.
#[derive(Debug)]
pub struct ImapSession {
    service: ImapService,
    conn: Connection,
    store: Option<MailStore>,
    selected: Option<Open>,
    appending: Option<Appending>,
    /// A FETCH being answered a message at a time, paused while the output is full.
    fetching: Option<FetchJob>,
    /// Failed logins: the pause before answering, the limits across connections.
    logins: crate::guard::LoginWatch,
    peer: String,
}

/// Returns the base of a message's file name (see [`crate::mailstore::flags::base_of`]).
fn base_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .map_or("", crate::mailstore::flags::base_of)
}

/// [`base_name`] as octets, for a lookup per message (the header cache's key): the octets
/// after the last `/` up to `:2,`, without `Path::file_name`'s walk of the components or a
/// UTF-8 check. A message's path is always `mailbox/cur/name` (or `new/`).
fn base_octets(path: &Path) -> &[u8] {
    let octets = path.as_os_str().as_encoded_bytes();
    let name =
        memchr::memrchr(b'/', octets).map_or(octets, |i| octets.get(i + 1..).unwrap_or_default());
    memchr::memchr_iter(b':', name)
        .find(|&colon| name.get(colon + 1..colon + 3) == Some(b"2,"))
        .and_then(|colon| name.get(..colon))
        .unwrap_or(name)
}

/// Returns the display name of a mailbox as the client sent it.
fn name_of(mailbox: &Mailbox) -> String {
    match mailbox {
        Mailbox::Inbox => String::from("INBOX"),
        other => other
            .to_utf8()
            .unwrap_or_else(|_| String::from_utf8_lossy(other.as_bytes()).into_owned()),
    }
}

/// Returns the wire form of a display name.
fn mailbox_of(name: &str) -> Option<Mailbox> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Some(Mailbox::Inbox);
    }
    Mailbox::from_utf8(name).ok()
}

/// Returns the IMAP date-time of a file time, in UTC.
fn date_time(t: SystemTime) -> Option<DateTime> {
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    let days = i64::try_from(secs / 86_400).ok()?;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let date = Date::new(u16::try_from(y).ok()?, m, d).ok()?;
    DateTime::new(
        date,
        (rem / 3600) as u8,
        ((rem % 3600) / 60) as u8,
        (rem % 60) as u8,
        0,
    )
    .ok()
}

/// Returns the file time of an IMAP date-time.
fn system_time(dt: &DateTime) -> Option<SystemTime> {
    let d = dt.date();
    let days = days_from_civil(i64::from(d.year()), d.month(), d.day());
    let (h, mi, s) = dt.time();
    let secs = days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)
        - i64::from(dt.zone_minutes()) * 60;
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub(crate) fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Matches a LIST pattern (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the
/// hierarchy delimiter. Iterative, so a hostile pattern cannot recurse.
fn matches(pattern: &str, name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    // reach[i]: the pattern read so far can end just before name[i].
    let mut reach = vec![false; name.len() + 1];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    for c in pattern.chars() {
        let mut next = vec![false; name.len() + 1];
        if c == '*' || c == '%' {
            let mut open = false;
            for (i, slot) in next.iter_mut().enumerate() {
                open |= reach.get(i).copied().unwrap_or(false);
                *slot = open;
                if c == '%' && name.get(i) == Some(&DELIMITER) {
                    open = false;
                }
            }
        } else {
            for (i, &n) in name.iter().enumerate() {
                if reach.get(i).copied().unwrap_or(false)
                    && n.to_lowercase().eq(c.to_lowercase())
                    && let Some(slot) = next.get_mut(i + 1)
                {
                    *slot = true;
                }
            }
        }
        reach = next;
    }
    reach.last().copied().unwrap_or(false)
}

impl ImapSession {
    /// Rescans the selected mailbox and reports what changed since the last look.
    fn resync(&mut self) {
        let Some(open) = &mut self.selected else {
            return;
        };
        open.stamp = open.folder.stamp();
        let validity = || self.store.as_ref().map_or(1, MailStore::next_uid_validity);
        let Some(open) = &self.selected else { return };
        let Ok(scan) = self.service.scans.scan(&open.folder, false, validity) else {
            return;
        };
        let now = Seen::new(scan.clone());
        let Some(open) = &mut self.selected else {
            return;
        };
        let gone: Vec<Uid> = open
            .seen
            .uids()
            .filter(|&u| now.index(u).is_none())
            .filter_map(NonZeroU32::new)
            .collect();
        let keywords = scan.keywords.all();
        let mut updates = Vec::new();
        if keywords != open.keywords {
            open.keywords.clone_from(&keywords);
            updates.push(MailboxUpdate::Keywords {
                flags: system_flags().into_iter().chain(keywords.clone()).collect(),
                permanent_flags: permanent(&keywords),
            });
        }
        if !gone.is_empty() {
            updates.push(MailboxUpdate::Expunged(gone));
        }
        let mut added = Vec::new();
        for m in &scan.messages {
            let Some(uid) = NonZeroU32::new(m.uid) else {
                continue;
            };
            let mut info = MessageInfo::new(uid, m.flags.to_imap(&scan.keywords));
            info.mod_seq = scan.mod_seqs.get(m.uid);
            match open.seen.get(m.uid) {
                None => added.push(info),
                // Flags changed, or changed and changed back (a new mod-sequence).
                Some((_, old))
                    if *old != m.flags
                        || open.seen.mod_seq(m.uid).is_some_and(|s| s != info.mod_seq) =>
                {
                    updates.push(MailboxUpdate::Flags(info));
                }
                Some(_) => {}
            }
        }
        if !added.is_empty() {
            updates.insert(0, MailboxUpdate::Added(added));
        }
        open.seen = now;
        for u in updates {
            self.conn.mailbox_changed(u);
        }
    }

    fn open_mailbox(
        &mut self,
        mailbox: &Mailbox,
        read_only: bool,
        qresync: Option<&QResync>,
    ) -> Result<MailboxSnapshot, &'static str> {
        let name = name_of(mailbox);
        let store = self.store.as_ref().ok_or("not logged in")?;
        let folder = store.folder(&name).ok_or("No such mailbox")?;
        let stamp = folder.stamp();
        let scan = self
            .service
            .scans
            .scan(&folder, !read_only, || store.next_uid_validity())
            .map_err(|_| "Cannot open the mailbox")?;
        let keywords = scan.keywords.all();
        let mut snapshot = snapshot(&scan, read_only, qresync.is_some());
        // RFC 9051 §6.3.2: an IMAP4rev2 client gets the mailbox's LIST response.
        snapshot.list =
            mailbox_of(&name).map(|mailbox| MailboxList::new(Vec::new(), Some(DELIMITER), mailbox));
        if let Some(q) = qresync
            && q.uid_validity.get() == scan.uid_validity
        {
            // RFC 7162 §3.2.5.1: the UIDs expunged since the client's mod-sequence (of those
            // it knows, when it says which).
            let gone = scan.mod_seqs.expunged_since(q.mod_seq, scan.uid_next);
            snapshot.vanished = match (gone, &q.known_uids) {
                (Some(gone), Some(known)) => gone.intersection(known, u32::MAX),
                (gone, _) => gone,
            };
        }
        let watch = self.service.hub.watch(folder.dir());
        self.selected = Some(Open {
            seen: Seen::new(scan.clone()),
            recent: scan.recent.iter().copied().collect(),
            keywords,
            folder,
            watch,
            stamp,
        });
        Ok(snapshot)
    }

    /// Starts answering FETCH: VANISHED first, then the messages (see [`FetchJob`]).
    fn fetch_start(
        &mut self,
        uids: Vec<Uid>,
        items: Vec<FetchAttribute>,
        sets_seen: bool,
        changed_since: Option<u64>,
        vanished: bool,
    ) -> Result<(), String> {
        if let (Some(since), true, Some(open)) = (changed_since, vanished, &self.selected) {
            // RFC 7162 §3.2.6: the UIDs of the set expunged since CHANGEDSINCE. The library
            // resolves the set against the UIDs that exist, so the set's expunged ones are
            // not known here: every UID expunged since is reported (a client ignores UIDs it
            // never had, §3.2.10).
            let validity = || self.store.as_ref().map_or(1, MailStore::next_uid_validity);
            let scan = self
                .service
                .scans
                .scan(&open.folder, false, validity)
                .map_err(|e| e.to_string())?;
            if let Some(gone) = scan.mod_seqs.expunged_since(since, scan.uid_next) {
                self.conn.vanished(&gone).map_err(|e| e.to_string())?;
            }
        }
        self.fetching = Some(FetchJob {
            uids,
            next: 0,
            items,
            sets_seen,
            changed_since,
        });
        self.fetch_continue()
    }

    /// Answers the messages of the FETCH in progress while the output has room; ends the
    /// command (`done`) after the last. Returns with the job kept when the output is full:
    /// the connection loop writes it and calls [`Session::process`] again.
    fn fetch_continue(&mut self) -> Result<(), String> {
        let Some(job) = self.fetching.take() else {
            return Ok(());
        };
        let FetchJob {
            uids,
            mut next,
            items,
            sets_seen,
            changed_since,
        } = job;
        let result = self.fetch_some(&uids, &mut next, &items, sets_seen, changed_since);
        if result.is_ok() && next < uids.len() {
            self.fetching = Some(FetchJob {
                uids,
                next,
                items,
                sets_seen,
                changed_since,
            });
            return Ok(());
        }
        match result {
            Ok(()) => self.conn.done().map_err(|e| e.to_string()),
            // What was sent stays sent; the command ends with NO (then `process` has nothing
            // left to answer).
            Err(err) => {
                let _ = self.conn.refuse(
                    StatusKind::No,
                    Some(Code::Condition(Condition::ServerBug)),
                    "Cannot read the message",
                );
                Err(err)
            }
        }
    }

    /// After `err` from answering an event: the answer the client waits for is never left
    /// owed. It becomes `NO [SERVERBUG]`, or when even that cannot be sent (inside a streamed
    /// section) the session ends with `BYE`, so a failing disk never leaves a client waiting
    /// until the idle timeout.
    fn failed(&mut self, err: &str) {
        tracing::error!(peer = %self.peer, error = %err, "IMAP answer failed");
        self.fetching = None;
        if self.conn.is_answer_pending()
            && self
                .conn
                .refuse(
                    StatusKind::No,
                    Some(Code::Condition(Condition::ServerBug)),
                    "Internal error",
                )
                .is_err()
        {
            self.conn.abort("Internal error");
        }
    }

    /// Answers `uids[*next..]` until the output reaches its high-water mark.
    fn fetch_some(
        &mut self,
        uids: &[Uid],
        next: &mut usize,
        items: &[FetchAttribute],
        sets_seen: bool,
        changed_since: Option<u64>,
    ) -> Result<(), String> {
        let wants_mod_seq =
            changed_since.is_some() || items.iter().any(|i| matches!(i, FetchAttribute::ModSeq));
        let needs_body = items.iter().any(|i| {
            !matches!(
                i,
                FetchAttribute::Flags | FetchAttribute::Uid | FetchAttribute::InternalDate
            )
        });
        // ENVELOPE needs only the header, which the shared cache holds.
        let header_only = needs_body
            && items.iter().all(|i| {
                matches!(
                    i,
                    FetchAttribute::Flags
                        | FetchAttribute::Uid
                        | FetchAttribute::InternalDate
                        | FetchAttribute::ModSeq
                        | FetchAttribute::Envelope
                )
            });
        let keywords_scan = match &self.selected {
            Some(open) => {
                crate::mailstore::flags::Keywords::load(open.folder.dir()).unwrap_or_default()
            }
            None => {
                *next = uids.len();
                return Ok(());
            }
        };
        while let Some(&uid) = uids.get(*next) {
            if self.conn.wants_write() {
                break;
            }
            *next += 1;
            let Some(open) = &self.selected else {
                *next = uids.len();
                break;
            };
            let Some((path, flags)) = open.seen.get(uid.get()) else {
                continue;
            };
            let (path, flags) = (path.clone(), flags.clone());
            let mut mod_seq = open.seen.mod_seq(uid.get()).unwrap_or(0);
            if changed_since.is_some_and(|since| mod_seq <= since) {
                continue;
            }
            let mut flags = flags;
            let mut path = path;
            if sets_seen && !flags.seen() {
                // RFC 9051 §6.4.5: fetching a body without PEEK sets \Seen.
                let updated = open.folder.update_flags(base_name(&path), |current| {
                    let mut kw = keywords_scan.clone();
                    let mut now = current.to_imap(&kw);
                    now.push(Flag::Seen);
                    current.with_imap(&now, &mut kw)
                });
                if let Ok(Some((p, changed))) = updated {
                    path = p;
                    flags = changed;
                    // The change gets its mod-sequence now, reported with it (RFC 7162
                    // §3.1.4), so this session does not hear of it again as another's.
                    let validity = || self.store.as_ref().map_or(1, MailStore::next_uid_validity);
                    if let Ok(scan) = self.service.scans.scan(&open.folder, false, validity) {
                        mod_seq = scan.mod_seqs.get(uid.get());
                    }
                    self.service.hub.changed(open.folder.dir());
                }
            }
            let structure = if header_only {
                let dir = self.selected.as_ref().map(|o| o.folder.dir());
                match dir.map(|d| self.service.headers.header(d, base_octets(&path), &path)) {
                    Some(Ok(d)) => Some(d),
                    Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(format!("reading {}: {e}", path.display()));
                    }
                    // Removed since the last look (another session's EXPUNGE, another
                    // program): nothing to answer for it, as for an expunged message.
                    _ => continue,
                }
            } else if needs_body {
                match std::fs::read(&path) {
                    Ok(d) => Some(Arc::new(MessageStructure::parse(Bytes::from(d)))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    // Anything else is a failing store: the command must not say OK.
                    Err(e) => return Err(format!("reading {}: {e}", path.display())),
                }
            } else {
                None
            };
            let mut out = Vec::new();
            let mut streamed: Option<(StreamedSection, Bytes)> = None;
            let sections: Vec<&FetchAttribute> = items
                .iter()
                .filter(|i| {
                    matches!(
                        i,
                        FetchAttribute::BodySection { .. }
                            | FetchAttribute::Binary { .. }
                            | FetchAttribute::Rfc822
                            | FetchAttribute::Rfc822Text
                            | FetchAttribute::Rfc822Header
                    )
                })
                .collect();
            let last_section = sections.last().copied();
            for item in items {
                match item {
                    FetchAttribute::Flags => {
                        out.push(FetchItem::Flags(flags.to_imap(&keywords_scan)))
                    }
                    FetchAttribute::Uid | FetchAttribute::ModSeq => {}
                    FetchAttribute::InternalDate => {
                        if let Some(dt) = std::fs::metadata(&path)
                            .and_then(|m| m.modified())
                            .ok()
                            .and_then(date_time)
                        {
                            out.push(FetchItem::InternalDate(dt));
                        }
                    }
                    FetchAttribute::Rfc822Size => {
                        if let Some(s) = &structure {
                            out.push(FetchItem::Rfc822Size(s.rfc822_size()));
                        }
                    }
                    FetchAttribute::Envelope => {
                        if let Some(s) = &structure {
                            out.push(FetchItem::Envelope(Box::new(s.envelope())));
                        }
                    }
                    FetchAttribute::BodyStructure => {
                        if let Some(s) = &structure {
                            out.push(FetchItem::BodyStructure(Box::new(s.body_structure(true))));
                        }
                    }
                    FetchAttribute::Body => {
                        if let Some(s) = &structure {
                            out.push(FetchItem::Body(Box::new(s.body_structure(false))));
                        }
                    }
                    FetchAttribute::BinarySize { part } => {
                        if let Some(size) =
                            structure.as_ref().and_then(|s| s.binary_size(part).ok())
                        {
                            out.push(FetchItem::BinarySize {
                                section: part.clone(),
                                size: u32::try_from(size).unwrap_or(u32::MAX),
                            });
                        }
                    }
                    FetchAttribute::SaveDate => out.push(FetchItem::SaveDate(None)),
                    section => {
                        let Some(s) = &structure else { continue };
                        let (name, bytes) = match section_of(s, section) {
                            Some(x) => x,
                            None => continue,
                        };
                        let is_last = last_section.is_some_and(|l| std::ptr::eq(l, section));
                        if is_last && (bytes.len() > STREAM_ABOVE || bytes.contains(&0)) {
                            streamed = Some((name, bytes));
                        } else if let Some(item) = inline_section(name, bytes) {
                            out.push(item);
                        }
                    }
                }
            }
            if wants_mod_seq {
                out.push(FetchItem::ModSeq(mod_seq));
            }
            let result = match streamed {
                Some((section, bytes)) => self
                    .conn
                    .fetch_literal(uid, out, section, bytes.len() as u64)
                    .and_then(|()| self.conn.fetch_data(&bytes))
                    .and_then(|()| self.conn.fetch_end()),
                None if out.is_empty() => Ok(()),
                None => self.conn.fetch(uid, out),
            };
            result.map_err(|e| e.to_string())?;
            if let Some(open) = &mut self.selected
                && open.seen.get(uid.get()).is_none_or(|(p, _)| *p != path)
            {
                open.seen.set(uid.get(), path, flags, mod_seq);
            }
        }
        Ok(())
    }

    /// Applies STORE to each message, from the flags its file name holds at the moment of
    /// the change, so that concurrent changes by other sessions are not lost. The whole STORE
    /// runs under the `dovecot-uidlist` lock: new keywords get their letters there, as Dovecot
    /// assigns them, `UNCHANGEDSINCE` (RFC 7162 §3.1.3) compares with mod-sequences no session
    /// of this server can change meanwhile, and each change gets the next mod-sequence.
    fn store_flags(
        &mut self,
        uids: &[Uid],
        change: &StoreFlags,
        unchanged_since: Option<u64>,
    ) -> Result<(), String> {
        let Some(open) = &self.selected else {
            return Ok(());
        };
        let folder = open.folder.clone();
        let targets: Vec<(Uid, String)> = uids
            .iter()
            .filter_map(|&uid| {
                let (path, _) = open.seen.get(uid.get())?;
                Some((uid, base_name(path).to_owned()))
            })
            .collect();
        let adds_keywords = change.mode != StoreMode::Remove
            && change.flags.iter().any(|f| matches!(f, Flag::Keyword(_)));
        let store = self.store.clone();
        let validity = || store.as_ref().map_or(1, MailStore::next_uid_validity);
        let ((modified, keywords), after) = folder
            .locked(validity, |now| {
                let mut keywords = now.keywords.clone();
                // Letters for new keywords are named on disk before any file name uses them.
                if adds_keywords {
                    for f in &change.flags {
                        if let Flag::Keyword(k) = f {
                            keywords.letter_for(k.as_str());
                        }
                    }
                }
                keywords.save(folder.dir())?;
                let mut modified = Vec::new();
                for (uid, base) in &targets {
                    if unchanged_since.is_some_and(|n| now.mod_seqs.get(uid.get()) > n) {
                        modified.push(*uid);
                        continue;
                    }
                    folder.update_flags(base, |flags| {
                        let mut now = flags.to_imap(&keywords);
                        match change.mode {
                            StoreMode::Replace => now.clone_from(&change.flags),
                            StoreMode::Add => {
                                for f in &change.flags {
                                    if !now.contains(f) {
                                        now.push(f.clone());
                                    }
                                }
                            }
                            StoreMode::Remove => now.retain(|f| !change.flags.contains(f)),
                        }
                        now.retain(|f| *f != Flag::Recent);
                        // Every keyword has its letter already: nothing is added here.
                        flags.with_imap(&now, &mut keywords.clone())
                    })?;
                }
                Ok((modified, keywords))
            })
            .map_err(|e| e.to_string())?;
        for &uid in &modified {
            self.conn.store_failed(uid).map_err(|e| e.to_string())?;
        }
        for (uid, _) in &targets {
            if modified.contains(uid) {
                continue;
            }
            let Ok(i) = after.messages.binary_search_by_key(&uid.get(), |m| m.uid) else {
                continue;
            };
            let Some(m) = after.messages.get(i) else {
                continue;
            };
            let mut info = MessageInfo::new(*uid, m.flags.to_imap(&keywords));
            info.mod_seq = after.mod_seqs.get(m.uid);
            if let Some(open) = &mut self.selected {
                open.seen
                    .set(uid.get(), m.path.clone(), m.flags.clone(), info.mod_seq);
            }
            self.conn.stored(info).map_err(|e| e.to_string())?;
        }
        self.service.hub.changed(folder.dir());
        Ok(())
    }

    /// Evaluates SEARCH over the selected mailbox.
    fn search(&self, criteria: &[SearchKey]) -> Vec<Uid> {
        let Some(open) = &self.selected else {
            return Vec::new();
        };
        let keywords =
            crate::mailstore::flags::Keywords::load(open.folder.dir()).unwrap_or_default();
        let criteria: Vec<Prepared<'_>> = criteria.iter().map(Prepared::new).collect();
        let mut headers = self.service.headers.mailbox(open.folder.dir());
        let mut out = Vec::new();
        for (uid, path, name_flags) in open.seen.messages() {
            let mut msg = Candidate {
                uid,
                path,
                open,
                headers: &mut headers,
                head: None,
                name_flags,
                keywords: &keywords,
                flags: None,
                structure: None,
            };
            if criteria.iter().all(|k| msg.matches(k))
                && let Some(u) = NonZeroU32::new(uid)
            {
                out.push(u);
            }
        }
        out
    }

    /// Removes the `\Deleted` messages (of `only`, when given) of the selected mailbox.
    fn expunge(&mut self, only: Option<&[Uid]>) -> Vec<Uid> {
        let Some(open) = &mut self.selected else {
            return Vec::new();
        };
        let mut gone = Vec::new();
        let uids: Vec<u32> = open.seen.uids().collect();
        for uid in uids {
            let Some(u) = NonZeroU32::new(uid) else {
                continue;
            };
            if only.is_some_and(|o| !o.contains(&u)) {
                continue;
            }
            let Some((path, flags)) = open.seen.get(uid) else {
                continue;
            };
            if !flags.deleted() {
                continue;
            }
            let path = path.clone();
            let base = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| crate::mailstore::flags::base_of(n).to_owned())
                .unwrap_or_default();
            // The file as last seen; when it was renamed (flags) since, found by its base.
            let removed = match std::fs::remove_file(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => open
                    .folder
                    .find(&base)
                    .ok()
                    .flatten()
                    .is_some_and(|current| std::fs::remove_file(current).is_ok()),
                other => other.is_ok(),
            };
            if removed {
                open.seen.remove(uid);
                gone.push(u);
            }
        }
        if !gone.is_empty() {
            self.service.hub.changed(open.folder.dir());
        }
        gone
    }

    /// Copies (and moves) messages into another mailbox; returns their new UIDs.
    fn copy(
        &mut self,
        uids: &[Uid],
        mailbox: &Mailbox,
        move_: bool,
    ) -> Result<CopyUid, (Option<Code>, &'static str)> {
        let name = name_of(mailbox);
        let store = self.store.as_ref().ok_or((None, "not logged in"))?;
        let dest = store
            .folder(&name)
            .ok_or((Some(Code::TryCreate), "No such mailbox"))?;
        let Some(open) = &self.selected else {
            return Err((None, "No mailbox selected"));
        };
        // Keyword letters are per mailbox: each copy gets the destination's letters, given
        // under its uidlist lock.
        let from_keywords =
            crate::mailstore::flags::Keywords::load(open.folder.dir()).unwrap_or_default();
        let lock = UidListLock::take(dest.dir()).map_err(|_| (None, "Copy failed"))?;
        let mut to_keywords = crate::mailstore::flags::Keywords::load(dest.dir())
            .map_err(|_| (None, "Copy failed"))?;
        let copies: Vec<(Uid, PathBuf, NameFlags)> = uids
            .iter()
            .filter_map(|&uid| {
                let (path, flags) = open.seen.get(uid.get())?;
                let flags = flags.for_mailbox(&from_keywords, &mut to_keywords);
                Some((uid, path.clone(), flags))
            })
            .collect();
        to_keywords
            .save(dest.dir())
            .map_err(|_| (None, "Copy failed"))?;
        drop(lock);
        let mut bases = Vec::new();
        let mut sources = Vec::new();
        for (uid, path, flags) in copies {
            // The file as last seen; when it was renamed (flags) since, found by its base.
            let (base, current) = match dest.copy_in(&path, &flags) {
                Ok(base) => (base, path),
                Err(_) => {
                    let current = open
                        .folder
                        .find(base_name(&path))
                        .ok()
                        .flatten()
                        .ok_or((None, "Copy failed"))?;
                    let base = dest
                        .copy_in(&current, &flags)
                        .map_err(|_| (None, "Copy failed"))?;
                    (base, current)
                }
            };
            bases.push(base);
            sources.push((uid, current));
        }
        let (validity, new) = dest
            .assign(&bases, || store.next_uid_validity())
            .map_err(|_| (None, "Copy failed"))?;
        self.service.hub.changed(dest.dir());
        if move_ {
            let src = open.folder.dir().to_owned();
            let Some(open) = &mut self.selected else {
                return Err((None, "No mailbox selected"));
            };
            for (uid, path) in &sources {
                let _ = std::fs::remove_file(path);
                open.seen.remove(uid.get());
            }
            self.service.hub.changed(&src);
        }
        let validity = NonZeroU32::new(validity).ok_or((None, "UIDVALIDITY"))?;
        Ok(CopyUid::new(
            validity,
            new.into_iter().filter_map(NonZeroU32::new).collect(),
        ))
    }

    /// Answers the commands the library leaves to the application.
    fn command(&mut self, command: Command) -> Result<(), String> {
        let e = |e: imap_proto::error::SendError| e.to_string();
        let Some(store) = self.store.clone() else {
            return self
                .conn
                .complete(StatusKind::No, None, "Not logged in")
                .map_err(e);
        };
        match command.body {
            CommandBody::Create { mailbox, .. } => {
                let name = name_of(&mailbox);
                let name = name.trim_end_matches(DELIMITER);
                match store.create(name) {
                    Ok(true) => self.conn.complete(StatusKind::Ok, None, "CREATE completed"),
                    Ok(false) => self.conn.complete(
                        StatusKind::No,
                        Some(Code::Condition(Condition::AlreadyExists)),
                        "Mailbox exists",
                    ),
                    Err(_) => self.conn.complete(
                        StatusKind::No,
                        Some(Code::Condition(Condition::Cannot)),
                        "Invalid mailbox name",
                    ),
                }
            }
            CommandBody::Delete(mailbox) => match store.delete(&name_of(&mailbox)) {
                Ok(()) => self.conn.complete(StatusKind::Ok, None, "DELETE completed"),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => self.conn.complete(
                    StatusKind::No,
                    Some(Code::Condition(Condition::NonExistent)),
                    "No such mailbox",
                ),
                Err(_) => self
                    .conn
                    .complete(StatusKind::No, None, "Cannot delete the mailbox"),
            },
            CommandBody::Rename { from, to } => {
                match store.rename(&name_of(&from), &name_of(&to)) {
                    Ok(()) => self.conn.complete(StatusKind::Ok, None, "RENAME completed"),
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        self.conn.complete(
                            StatusKind::No,
                            Some(Code::Condition(Condition::AlreadyExists)),
                            "Target mailbox exists",
                        )
                    }
                    Err(_) => self.conn.complete(
                        StatusKind::No,
                        Some(Code::Condition(Condition::NonExistent)),
                        "Cannot rename the mailbox",
                    ),
                }
            }
            CommandBody::Subscribe(mailbox) => {
                let _ = store.subscribe(&name_of(&mailbox), true);
                self.conn
                    .complete(StatusKind::Ok, None, "SUBSCRIBE completed")
            }
            CommandBody::Unsubscribe(mailbox) => {
                let _ = store.subscribe(&name_of(&mailbox), false);
                self.conn
                    .complete(StatusKind::Ok, None, "UNSUBSCRIBE completed")
            }
            CommandBody::Namespace => {
                let personal = NamespaceDescr::new(
                    IString::try_from("").map_err(|x| x.to_string())?,
                    Some(DELIMITER),
                );
                self.conn
                    .data(Data::Namespace {
                        personal: vec![personal],
                        other: Vec::new(),
                        shared: Vec::new(),
                    })
                    .map_err(e)?;
                self.conn
                    .complete(StatusKind::Ok, None, "NAMESPACE completed")
            }
            CommandBody::List {
                selection,
                reference,
                patterns,
                return_options,
            } => self.list(
                &store,
                selection,
                &reference,
                &patterns,
                return_options,
                false,
            ),
            CommandBody::Lsub { reference, pattern } => self.list(
                &store,
                Some(vec![ListSelectOption::Subscribed]),
                &reference,
                &[pattern],
                None,
                true,
            ),
            CommandBody::Status { mailbox, items } => {
                let name = name_of(&mailbox);
                match self.status(&store, &name, &items) {
                    Some(attributes) => {
                        self.conn
                            .data(Data::Status {
                                mailbox,
                                attributes,
                            })
                            .map_err(e)?;
                        self.conn.complete(StatusKind::Ok, None, "STATUS completed")
                    }
                    None => self.conn.complete(
                        StatusKind::No,
                        Some(Code::Condition(Condition::NonExistent)),
                        "No such mailbox",
                    ),
                }
            }
            CommandBody::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            } => {
                if return_options.is_some()
                    || criteria
                        .iter()
                        .any(|c| matches!(c.key, SortKey::DisplayFrom | SortKey::DisplayTo))
                {
                    return self
                        .conn
                        .complete(
                            StatusKind::Bad,
                            None,
                            "ESORT and SORT=DISPLAY not supported",
                        )
                        .map_err(e);
                }
                if !known_charset(&charset) {
                    return self.bad_charset().map_err(e);
                }
                let (messages, highest) = self.sort_messages(&search, uid);
                let numbers = crate::sort::sort(&messages, &criteria)
                    .into_iter()
                    .filter_map(|i| messages.get(i).map(|m| m.number))
                    .collect();
                self.conn
                    .data(Data::Sort {
                        numbers,
                        mod_seq: highest,
                    })
                    .map_err(e)?;
                self.conn.complete(StatusKind::Ok, None, "SORT completed")
            }
            CommandBody::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => {
                if !known_charset(&charset) {
                    return self.bad_charset().map_err(e);
                }
                let threads = match algorithm {
                    ThreadAlgorithm::OrderedSubject => crate::sort::thread_ordered_subject,
                    ThreadAlgorithm::References => crate::sort::thread_references,
                    _ => {
                        return self
                            .conn
                            .complete(StatusKind::Bad, None, "Unknown threading algorithm")
                            .map_err(e);
                    }
                };
                let (messages, _) = self.sort_messages(&search, uid);
                self.conn
                    .data(Data::Thread(threads(&messages)))
                    .map_err(e)?;
                self.conn.complete(StatusKind::Ok, None, "THREAD completed")
            }
            _ => self
                .conn
                .complete(StatusKind::Bad, None, "Command not supported"),
        }
        .map_err(e)
    }

    /// Answers SORT or THREAD with an unknown charset (RFC 5256 §3: US-ASCII and UTF-8).
    fn bad_charset(&mut self) -> Result<(), imap_proto::error::SendError> {
        let supported = ["UTF-8", "US-ASCII"]
            .iter()
            .filter_map(|c| imap_proto::types::AString::try_from(*c).ok())
            .collect();
        self.conn.complete(
            StatusKind::No,
            Some(Code::BadCharset(supported)),
            "Charset not supported",
        )
    }

    /// The messages of the selected mailbox matching `search`, in sequence order, as SORT and
    /// THREAD look at them, numbered by UID (`uid`) or sequence number; and for a search by
    /// MODSEQ, the highest mod-sequence among them (RFC 7162 §3.1.5).
    fn sort_messages(
        &self,
        search: &[SearchKey],
        uid: bool,
    ) -> (Vec<crate::sort::SortMessage>, Option<u64>) {
        let found = self.search(search);
        let Some(open) = &self.selected else {
            return (Vec::new(), None);
        };
        let highest = search
            .iter()
            .any(uses_mod_seq)
            .then(|| {
                found
                    .iter()
                    .filter_map(|u| open.seen.mod_seq(u.get()))
                    .max()
            })
            .flatten();
        let mut out = Vec::with_capacity(found.len());
        for u in found {
            let Some((path, _)) = open.seen.get(u.get()) else {
                continue;
            };
            let number = if uid { Some(u) } else { self.conn.seq(u) };
            let (Some(number), Ok(data)) = (number, std::fs::read(path)) else {
                continue;
            };
            let arrival = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok())
                .unwrap_or(0);
            let structure = MessageStructure::parse(Bytes::from(data));
            out.push(crate::sort::SortMessage::new(number, arrival, &structure));
        }
        (out, highest)
    }

    /// LIST and LSUB (RFC 9051 §6.3.9, RFC 5258, RFC 6154, RFC 5819).
    fn list(
        &mut self,
        store: &MailStore,
        selection: Option<Vec<ListSelectOption>>,
        reference: &Mailbox,
        patterns: &[imap_proto::types::ListMailbox],
        return_options: Option<Vec<ListReturnOption>>,
        lsub: bool,
    ) -> Result<(), imap_proto::error::SendError> {
        let selection = selection.unwrap_or_default();
        let returns = return_options.unwrap_or_default();
        let subscribed_only = selection.contains(&ListSelectOption::Subscribed);
        let special_only = selection.contains(&ListSelectOption::SpecialUse);
        let reference = match reference {
            Mailbox::Inbox => String::from("INBOX"),
            other => String::from_utf8_lossy(other.as_bytes()).into_owned(),
        };
        // An empty pattern asks for the delimiter (RFC 9051 §6.3.9).
        if patterns.len() == 1 && patterns.first().is_some_and(|p| p.as_bytes().is_empty()) {
            let Ok(root) = Mailbox::from_utf8_raw("") else {
                return self.conn.complete(StatusKind::No, None, "LIST failed");
            };
            let entry = MailboxList::new(vec![MailboxAttribute::NoSelect], Some(DELIMITER), root);
            self.conn.data(if lsub {
                Data::Lsub(entry)
            } else {
                Data::List(entry)
            })?;
            return self.conn.complete(StatusKind::Ok, None, "LIST completed");
        }
        let Ok(entries) = store.list() else {
            return self
                .conn
                .complete(StatusKind::No, None, "Cannot list mailboxes");
        };
        let status_items = returns.iter().find_map(|r| match r {
            ListReturnOption::Status(items) => Some(items.clone()),
            _ => None,
        });
        for entry in &entries {
            let matched = patterns.iter().any(|p| {
                let p = String::from_utf8_lossy(p.as_bytes());
                let p = imap_proto::types::decode_modified_utf7(p.as_bytes())
                    .unwrap_or_else(|_| p.into_owned());
                matches(&format!("{reference}{p}"), &entry.name)
                    || (entry.name == "INBOX" && matches(&format!("{reference}{p}"), "inbox"))
            });
            if !matched
                || (subscribed_only && !entry.subscribed)
                || (special_only && entry.special_use.is_none())
            {
                continue;
            }
            let mut attributes = Vec::new();
            if entry.nonexistent {
                attributes.push(if lsub {
                    MailboxAttribute::NoSelect
                } else {
                    MailboxAttribute::NonExistent
                });
            }
            attributes.push(if entry.children {
                MailboxAttribute::HasChildren
            } else {
                MailboxAttribute::HasNoChildren
            });
            if entry.subscribed
                && (subscribed_only || returns.contains(&ListReturnOption::Subscribed))
                && !lsub
            {
                attributes.push(MailboxAttribute::Subscribed);
            }
            if let Some(u) = entry.special_use.and_then(special_use) {
                attributes.push(MailboxAttribute::SpecialUse(u));
            }
            let Some(mailbox) = mailbox_of(&entry.name) else {
                continue;
            };
            let list = MailboxList::new(attributes, Some(DELIMITER), mailbox.clone());
            self.conn.data(if lsub {
                Data::Lsub(list)
            } else {
                Data::List(list)
            })?;
            if let Some(items) = &status_items
                && !entry.nonexistent
                && let Some(attributes) = self.status(store, &entry.name, items)
            {
                self.conn.data(Data::Status {
                    mailbox,
                    attributes,
                })?;
            }
        }
        self.conn.complete(
            StatusKind::Ok,
            None,
            if lsub {
                "LSUB completed"
            } else {
                "LIST completed"
            },
        )
    }

    /// STATUS items of a mailbox (RFC 9051 §6.3.11, RFC 8438 SIZE).
    fn status(
        &self,
        store: &MailStore,
        name: &str,
        items: &[StatusItem],
    ) -> Option<Vec<StatusAttribute>> {
        let folder = store.folder(name)?;
        let scan = self
            .service
            .scans
            .scan(&folder, false, || store.next_uid_validity())
            .ok()?;
        let mut out = Vec::new();
        for item in items {
            let n = match item {
                StatusItem::Messages => scan.messages.len() as u64,
                StatusItem::UidNext => u64::from(scan.uid_next),
                StatusItem::UidValidity => u64::from(scan.uid_validity),
                StatusItem::Unseen => {
                    scan.messages.iter().filter(|m| !m.flags.seen()).count() as u64
                }
                StatusItem::Deleted => {
                    scan.messages.iter().filter(|m| m.flags.deleted()).count() as u64
                }
                StatusItem::Recent => 0,
                StatusItem::HighestModSeq => scan.mod_seqs.highest(),
                StatusItem::Size => scan
                    .messages
                    .iter()
                    .filter_map(|m| m.rfc822_size().ok())
                    .sum(),
                _ => continue,
            };
            out.push(StatusAttribute::Count(*item, n));
        }
        Some(out)
    }

    fn handle(&mut self, event: Event) -> Result<(), String> {
        let e = |e: imap_proto::error::SendError| e.to_string();
        match event {
            Event::AuthVerify(v) => {
                let named = crate::smtp::verification_user(&v);
                tracing::info!(peer = %self.peer, user = %named.map_or_else(String::new, crate::smtp::log_safe), "IMAP authentication attempt");
                // Over the failed-login limits: refused without looking at the password.
                let answer = if self.logins.attempt(named) {
                    mail_core::sasl::server::Answer::Reject
                } else {
                    self.service.users.answer(&v).0
                };
                self.conn.auth_answer(answer).map_err(e)
            }
            Event::Authenticated { user, .. } => {
                let root = self.service.store.root().join(&user);
                match MailStore::open(root) {
                    Ok(store) => self.store = Some(store),
                    Err(err) => {
                        tracing::error!(peer = %self.peer, error = %err, "cannot open the mail store")
                    }
                }
                Ok(())
            }
            Event::LiteralAnnounced { size, .. } => {
                if size <= 1024 * 1024 {
                    self.conn.accept_literal().map_err(e)
                } else {
                    self.conn
                        .refuse(
                            StatusKind::No,
                            Some(Code::Condition(Condition::Limit)),
                            "Literal too large",
                        )
                        .map_err(e)
                }
            }
            Event::Select {
                mailbox,
                read_only,
                qresync,
                ..
            } => match self.open_mailbox(&mailbox, read_only, qresync.as_ref()) {
                Ok(snapshot) => self.conn.select(snapshot).map_err(e),
                Err(text) => {
                    self.selected = None;
                    self.conn
                        .refuse(
                            StatusKind::No,
                            Some(Code::Condition(Condition::NonExistent)),
                            text,
                        )
                        .map_err(e)
                }
            },
            Event::MailboxClosed { expunge } => {
                if expunge {
                    self.expunge(None);
                    self.selected = None;
                    return self.conn.done().map_err(e);
                }
                self.selected = None;
                Ok(())
            }
            Event::Fetch {
                uids,
                items,
                sets_seen,
                changed_since,
                vanished,
            } => self.fetch_start(uids, items, sets_seen, changed_since, vanished),
            Event::Store {
                uids,
                flags,
                unchanged_since,
            } => {
                self.store_flags(&uids, &flags, unchanged_since)?;
                self.conn.done().map_err(e)
            }
            Event::Search { criteria, .. } => {
                let found = self.search(&criteria);
                // RFC 7162 §3.1.5: a search by MODSEQ reports the highest mod-sequence of
                // the messages found.
                let highest = criteria.iter().any(uses_mod_seq).then(|| {
                    let open = self.selected.as_ref();
                    found
                        .iter()
                        .filter_map(|u| open?.seen.mod_seq(u.get()))
                        .max()
                });
                self.conn.search_result(found, highest.flatten()).map_err(e)
            }
            Event::Expunge { uids } => {
                let gone = self.expunge(uids.as_deref());
                self.conn.expunged(gone).map_err(e)?;
                self.conn.done().map_err(e)
            }
            Event::Copy {
                uids,
                mailbox,
                move_,
            } => match self.copy(&uids, &mailbox, move_) {
                Ok(uid) => self.conn.copied(Some(uid)).map_err(e),
                Err((code, text)) => self.conn.refuse(StatusKind::No, code, text).map_err(e),
            },
            Event::AppendStart {
                mailbox,
                flags,
                date,
                ..
            } => {
                let name = name_of(&mailbox);
                let folder = self.store.as_ref().and_then(|s| s.folder(&name));
                let Some(folder) = folder else {
                    return self
                        .conn
                        .refuse(StatusKind::No, Some(Code::TryCreate), "No such mailbox")
                        .map_err(e);
                };
                let saving = folder.begin();
                let failed = saving.is_err();
                let a = self.appending.get_or_insert_with(|| Appending {
                    folder: folder.clone(),
                    flags: Vec::new(),
                    date: None,
                    saving: None,
                    complete: Vec::new(),
                    failed: false,
                });
                a.folder = folder;
                a.flags = flags.unwrap_or_default();
                a.date = date.as_ref().and_then(system_time);
                a.saving = saving.ok();
                a.failed |= failed;
                self.conn.accept_append().map_err(e)
            }
            Event::AppendData(chunk) => {
                if let Some(a) = &mut self.appending
                    && let Some(s) = &mut a.saving
                    && s.write(&chunk).is_err()
                {
                    a.failed = true;
                    a.saving = None;
                }
                Ok(())
            }
            Event::AppendEnd => {
                if let Some(a) = &mut self.appending {
                    match a.saving.take() {
                        Some(saving) => {
                            // New keywords get their letters under the uidlist lock.
                            let lock = a
                                .flags
                                .iter()
                                .any(|f| matches!(f, Flag::Keyword(_)))
                                .then(|| UidListLock::take(a.folder.dir()));
                            let mut keywords =
                                crate::mailstore::flags::Keywords::load(a.folder.dir())
                                    .unwrap_or_default();
                            let flags = NameFlags::default().with_imap(&a.flags, &mut keywords);
                            if matches!(lock, Some(Err(_)))
                                || keywords.save(a.folder.dir()).is_err()
                            {
                                a.failed = true;
                            }
                            drop(lock);
                            a.complete.push((saving, flags, a.date));
                        }
                        None => a.failed = true,
                    }
                }
                Ok(())
            }
            Event::AppendDone => {
                let Some(a) = self.appending.take() else {
                    return self
                        .conn
                        .refuse(StatusKind::No, None, "APPEND failed")
                        .map_err(e);
                };
                let mut stored = Vec::with_capacity(a.complete.len());
                let mut failed = a.failed;
                if !failed {
                    for (saving, flags, date) in a.complete {
                        match saving.commit(&a.folder, &flags, date) {
                            Ok(base) => stored.push(base),
                            Err(_) => {
                                failed = true;
                                break;
                            }
                        }
                    }
                }
                if failed {
                    // Nothing half-stored is acknowledged: what was stored is removed (the
                    // rest is still in tmp/, removed when its `Saving` drops).
                    for base in &stored {
                        if let Ok(Some(p)) = a.folder.find(base) {
                            let _ = std::fs::remove_file(p);
                        }
                    }
                    return self
                        .conn
                        .refuse(
                            StatusKind::No,
                            Some(Code::Condition(Condition::ServerBug)),
                            "Cannot store the message",
                        )
                        .map_err(e);
                }
                let store = self.store.clone();
                let assigned = a.folder.assign(&stored, || {
                    store.as_ref().map_or(1, MailStore::next_uid_validity)
                });
                self.service.hub.changed(a.folder.dir());
                match assigned {
                    Ok((validity, uids)) => {
                        let uid = NonZeroU32::new(validity).map(|v| {
                            CopyUid::new(v, uids.into_iter().filter_map(NonZeroU32::new).collect())
                        });
                        self.conn.append_done(uid).map_err(e)
                    }
                    Err(_) => self.conn.append_done(None).map_err(e),
                }
            }
            Event::Command(command) => self.command(command),
            Event::InputDiscarded { len } => {
                tracing::warn!(peer = %self.peer, len, "discarded plaintext injected before TLS");
                Ok(())
            }
            Event::Closed { reason } => {
                tracing::info!(peer = %self.peer, %reason, "IMAP session over");
                self.selected = None;
                self.appending = None;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Returns a receiver woken when the selected mailbox changes, for the connection loop.
    pub fn watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.selected.as_ref().and_then(|o| o.watch.clone())
    }
}

impl Session for ImapSession {
    type Connection = Connection;

    fn connection(&self) -> &Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        // Changes made elsewhere since the last look go to the library, which sends them
        // when the protocol allows.
        let woken = self
            .selected
            .as_mut()
            .and_then(|o| o.watch.as_mut())
            .is_some_and(|w| w.has_changed().unwrap_or(false));
        // Another program (Dovecot, a delivery agent, a user's shell) tells no hub: the
        // directories' times say that something changed.
        let outside = self
            .selected
            .as_ref()
            .is_some_and(|o| o.folder.stamp() != o.stamp);
        if woken || outside {
            if let Some(w) = self.selected.as_mut().and_then(|o| o.watch.as_mut()) {
                w.mark_unchanged();
            }
            self.resync();
        }
        loop {
            if let Err(err) = self.fetch_continue() {
                self.failed(&err);
            }
            if self.fetching.is_some() {
                // The output is full: written first, then more messages.
                self.logins.update(self.conn.auth_failures());
                return Progress::MoreWork;
            }
            let Some(event) = self.conn.next_event() else {
                break;
            };
            if let Err(err) = self.handle(event) {
                self.failed(&err);
            }
        }
        self.logins.update(self.conn.auth_failures());
        Progress::NeedInput
    }

    fn take_delay(&mut self) -> Option<std::time::Duration> {
        self.logins.take_delay()
    }

    fn wake(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.watch()
    }

    /// During IDLE the directories' times are looked at every `IDLE_POLL` (2 s): changes made
    /// by other programs reach the client without a command (the hub tells of ours at once).
    fn poll_interval(&self) -> Option<std::time::Duration> {
        (self.selected.is_some() && self.conn.state() == imap_proto::server::State::Idle)
            .then_some(IDLE_POLL)
    }
}

/// How often a session in IDLE looks for changes made by other programs (two `stat`s).
const IDLE_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Returns the special-use attribute of a store's name for it.
fn special_use(name: &str) -> Option<imap_proto::command::SpecialUse> {
    use imap_proto::command::SpecialUse as U;
    Some(match name {
        "\\Sent" => U::Sent,
        "\\Drafts" => U::Drafts,
        "\\Trash" => U::Trash,
        "\\Junk" => U::Junk,
        "\\Archive" => U::Archive,
        _ => return None,
    })
}

/// The system flags, for `FLAGS`.
fn system_flags() -> Vec<Flag> {
    vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ]
}

/// `PERMANENTFLAGS`: every flag, and new keywords while letters are left.
fn permanent(keywords: &[Flag]) -> Vec<FlagPerm> {
    let mut out: Vec<FlagPerm> = system_flags()
        .into_iter()
        .chain(keywords.iter().cloned())
        .map(FlagPerm::Flag)
        .collect();
    if keywords.len() < 26 {
        out.push(FlagPerm::Wildcard);
    }
    out
}

/// The snapshot SELECT answers with; each message's mod-sequence only `with_mod_seqs` (the
/// library reads them for SELECT's QRESYNC changes alone, RFC 7162 §3.2.5.1).
fn snapshot(scan: &Scan, read_only: bool, with_mod_seqs: bool) -> MailboxSnapshot {
    let mut mod_seqs = with_mod_seqs.then(|| {
        scan.mod_seqs
            .get_sorted(scan.messages.iter().map(|m| m.uid))
    });
    // Issue 14: no allocation per message, every message with the same flags shares a list.
    let mut flags = SharedFlags::new(&scan.keywords);
    // Sized once: `filter_map` cannot tell `collect` how many there are.
    let mut messages = Vec::with_capacity(scan.messages.len());
    messages.extend(scan.messages.iter().filter_map(|m| {
        let mod_seq = mod_seqs.as_mut().and_then(Iterator::next).unwrap_or(0);
        let mut info = MessageInfo::new(NonZeroU32::new(m.uid)?, flags.get(&m.flags));
        info.mod_seq = mod_seq;
        Some(info)
    }));
    let validity = NonZeroU32::new(scan.uid_validity).unwrap_or(NonZeroU32::MIN);
    let next = NonZeroU32::new(scan.uid_next).unwrap_or(NonZeroU32::MIN);
    let mut snapshot = MailboxSnapshot::new(validity, next, messages);
    let keywords = scan.keywords.all();
    snapshot.flags = system_flags().into_iter().chain(keywords.clone()).collect();
    snapshot.permanent_flags = permanent(&keywords);
    snapshot.recent = scan
        .recent
        .iter()
        .filter_map(|&u| NonZeroU32::new(u))
        .collect();
    snapshot.read_only = read_only;
    snapshot.highest_mod_seq = Some(scan.mod_seqs.highest());
    snapshot
}

/// Whether SORT and THREAD can read `charset`'s strings: US-ASCII and UTF-8 (RFC 5256 §3).
fn known_charset(charset: &imap_proto::command::Charset) -> bool {
    ["UTF-8", "US-ASCII"]
        .iter()
        .any(|c| charset.as_str().eq_ignore_ascii_case(c))
}

/// Returns whether a search key uses MODSEQ. The key's depth was bounded by the parser.
fn uses_mod_seq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) => uses_mod_seq(k),
        SearchKey::Or(a, b) => uses_mod_seq(a) || uses_mod_seq(b),
        SearchKey::And(keys) => keys.iter().any(uses_mod_seq),
        _ => false,
    }
}

/// Returns the name and octets of a body section item.
fn section_of(s: &MessageStructure, item: &FetchAttribute) -> Option<(StreamedSection, Bytes)> {
    Some(match item {
        FetchAttribute::BodySection {
            section, partial, ..
        } => {
            let bytes = s.section_partial(section, *partial);
            let origin = partial.map(|p| u32::try_from(p.offset).unwrap_or(u32::MAX));
            (
                StreamedSection::Body {
                    section: section.clone(),
                    origin,
                },
                bytes,
            )
        }
        FetchAttribute::Binary { part, partial, .. } => {
            let mut bytes = s.binary(part).ok()?.read_all().ok()?;
            let origin = partial.map(|p| u32::try_from(p.offset).unwrap_or(u32::MAX));
            if let Some(p) = partial {
                let start = usize::try_from(p.offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let count = usize::try_from(p.length.get()).unwrap_or(usize::MAX);
                let end = start.saturating_add(count).min(bytes.len());
                bytes = bytes.slice(start..end);
            }
            (
                StreamedSection::Binary {
                    part: part.clone(),
                    origin,
                },
                bytes,
            )
        }
        FetchAttribute::Rfc822 => (StreamedSection::Rfc822, s.section(&Section::default())),
        FetchAttribute::Rfc822Header => (
            StreamedSection::Rfc822Header,
            s.section(&Section::new(Vec::new(), Some(SectionText::Header)).ok()?),
        ),
        FetchAttribute::Rfc822Text => (
            StreamedSection::Rfc822Text,
            s.section(&Section::new(Vec::new(), Some(SectionText::Text)).ok()?),
        ),
        _ => return None,
    })
}

/// Returns a small section as a response item.
fn inline_section(name: StreamedSection, bytes: Bytes) -> Option<FetchItem> {
    let data = NString(Some(IString::try_from(bytes).ok()?));
    Some(match name {
        StreamedSection::Body { section, origin } => FetchItem::BodySection {
            section,
            origin,
            data,
        },
        StreamedSection::Binary { part, origin } => FetchItem::Binary {
            section: part,
            origin,
            data: data.0.map(IString::into_bytes),
        },
        StreamedSection::Rfc822 => FetchItem::Rfc822(data),
        StreamedSection::Rfc822Header => FetchItem::Rfc822Header(data),
        StreamedSection::Rfc822Text => FetchItem::Rfc822Text(data),
        _ => return None,
    })
}

/// A SEARCH key prepared once for all the messages of a SEARCH: a header key with its
/// needle folded and its searcher built ([`HeaderSearch`]); any other key as parsed.
enum Prepared<'k> {
    Header(Box<HeaderSearch>),
    Not(Box<Prepared<'k>>),
    Or(Box<Prepared<'k>>, Box<Prepared<'k>>),
    And(Vec<Prepared<'k>>),
    Key(&'k SearchKey),
}

impl<'k> Prepared<'k> {
    /// Prepares `key`; its depth was bounded by the parser, which bounds this recursion.
    fn new(key: &'k SearchKey) -> Self {
        use SearchKey as K;
        let text = |s: &'k imap_proto::types::AString| String::from_utf8_lossy(s.as_bytes());
        let header = |name: &str, needle: &'k imap_proto::types::AString| {
            Self::Header(Box::new(HeaderSearch::new(name, &text(needle))))
        };
        match key {
            K::From(s) => header("From", s),
            K::To(s) => header("To", s),
            K::Cc(s) => header("Cc", s),
            K::Bcc(s) => header("Bcc", s),
            K::Subject(s) => header("Subject", s),
            K::Header(name, value) => header(&text(name), value),
            K::Not(k) => Self::Not(Box::new(Self::new(k))),
            K::Or(a, b) => Self::Or(Box::new(Self::new(a)), Box::new(Self::new(b))),
            K::And(keys) => Self::And(keys.iter().map(Self::new).collect()),
            other => Self::Key(other),
        }
    }
}

/// One message as SEARCH looks at it; its structure is parsed, its flags listed, on first
/// need.
struct Candidate<'a, 'c> {
    uid: u32,
    path: &'a Path,
    open: &'a Open,
    /// The selected mailbox's header blocks in the shared cache, keyed by base name.
    headers: &'a mut MailboxHeaders<'c>,
    /// The header alone, for header keys while the whole message was not needed.
    head: Option<Arc<MessageStructure>>,
    name_flags: &'a NameFlags,
    keywords: &'a Keywords,
    /// `name_flags` as IMAP flags, once a key asked.
    flags: Option<Vec<Flag>>,
    structure: Option<MessageStructure>,
}

impl Candidate<'_, '_> {
    fn structure(&mut self) -> Option<&MessageStructure> {
        if self.structure.is_none() {
            self.headers.release();
            let data = std::fs::read(self.path).ok()?;
            self.structure = Some(MessageStructure::parse(Bytes::from(data)));
        }
        self.structure.as_ref()
    }

    fn internal_date(&mut self) -> Option<Date> {
        self.headers.release();
        let t = std::fs::metadata(self.path)
            .and_then(|m| m.modified())
            .ok()?;
        date_time(t).map(|d| d.date())
    }

    fn flags(&mut self) -> &[Flag] {
        let (names, keywords) = (self.name_flags, self.keywords);
        self.flags.get_or_insert_with(|| names.to_imap(keywords))
    }

    fn has(&mut self, flag: &Flag) -> bool {
        self.flags().contains(flag)
    }

    fn recent(&self) -> bool {
        self.open.recent.contains(&self.uid)
    }

    /// Returns whether the message matches `key` (RFC 9051 §6.4.4). The key's depth was
    /// bounded by the parser, which bounds this recursion.
    fn matches(&mut self, key: &Prepared<'_>) -> bool {
        match key {
            Prepared::Header(h) => self.header(h),
            Prepared::Not(k) => !self.matches(k),
            Prepared::Or(a, b) => self.matches(a) || self.matches(b),
            Prepared::And(keys) => keys.iter().all(|k| self.matches(k)),
            Prepared::Key(k) => self.matches_key(k),
        }
    }

    /// Returns whether the message matches `key`, a key other than those [`Prepared`]
    /// prepares (RFC 9051 §6.4.4).
    fn matches_key(&mut self, key: &SearchKey) -> bool {
        use SearchKey as K;
        let text =
            |s: &imap_proto::types::AString| String::from_utf8_lossy(s.as_bytes()).into_owned();
        match key {
            K::All => true,
            K::Answered => self.has(&Flag::Answered),
            K::Unanswered => !self.has(&Flag::Answered),
            K::Deleted => self.has(&Flag::Deleted),
            K::Undeleted => !self.has(&Flag::Deleted),
            K::Draft => self.has(&Flag::Draft),
            K::Undraft => !self.has(&Flag::Draft),
            K::Flagged => self.has(&Flag::Flagged),
            K::Unflagged => !self.has(&Flag::Flagged),
            K::Seen => self.has(&Flag::Seen),
            K::Unseen => !self.has(&Flag::Seen),
            K::Recent => self.recent(),
            K::New => self.recent() && !self.has(&Flag::Seen),
            K::Old => !self.recent(),
            K::Keyword(k) => self
                .flags()
                .iter()
                .any(|f| matches!(f, Flag::Keyword(a) if a.eq_ignore_case(k.as_str()))),
            K::Unkeyword(k) => !self
                .flags()
                .iter()
                .any(|f| matches!(f, Flag::Keyword(a) if a.eq_ignore_case(k.as_str()))),
            K::Uid(set) => set.contains(self.uid, u32::MAX),
            // RFC 7162 §3.1.5: the metadata entry names flags this store does not tell apart;
            // the message's mod-sequence counts for all of them.
            K::ModSeq { modseq, .. } => self.open.seen.mod_seq(self.uid).unwrap_or(0) >= *modseq,
            K::Larger(n) => self.structure().is_some_and(|s| s.rfc822_size() > *n),
            K::Smaller(n) => self.structure().is_some_and(|s| s.rfc822_size() < *n),
            K::Before(d) => self.internal_date().is_some_and(|x| x < *d),
            K::On(d) => self.internal_date().is_some_and(|x| x == *d),
            K::Since(d) => self.internal_date().is_some_and(|x| x >= *d),
            K::SentBefore(d) => self
                .structure()
                .and_then(MessageStructure::sent_date)
                .is_some_and(|x| x < *d),
            K::SentOn(d) => self
                .structure()
                .and_then(MessageStructure::sent_date)
                .is_some_and(|x| x == *d),
            K::SentSince(d) => self
                .structure()
                .and_then(MessageStructure::sent_date)
                .is_some_and(|x| x >= *d),
            K::Body(s) => {
                let needle = text(s);
                self.structure().is_some_and(|m| m.body_contains(&needle))
            }
            K::Text(s) => {
                let needle = text(s);
                self.structure().is_some_and(|m| m.text_contains(&needle))
            }
            K::Older(secs) | K::Younger(secs) => {
                self.headers.release();
                let age = std::fs::metadata(self.path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok());
                let limit = Duration::from_secs(u64::from(secs.get()));
                age.is_some_and(|a| {
                    if matches!(key, K::Older(_)) {
                        a >= limit
                    } else {
                        a <= limit
                    }
                })
            }
            // Header keys, NOT, OR and lists are [`Prepared`]; sequence sets were rewritten
            // as UID sets by the library; the rest is not supported.
            _ => false,
        }
    }

    fn header(&mut self, key: &HeaderSearch) -> bool {
        if let Some(s) = &self.structure {
            return s.header_matches(key);
        }
        if self.head.is_none() {
            let Ok(header) = self.headers.header(base_octets(self.path), self.path) else {
                return false;
            };
            self.head = Some(header);
        }
        self.head.as_ref().is_some_and(|s| s.header_matches(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_patterns() {
        assert!(matches("*", "Work.Projects"));
        assert!(matches("%", "Work"));
        assert!(!matches("%", "Work.Projects"));
        assert!(matches("Work.%", "Work.Projects"));
        assert!(matches("w*s", "Work.Projects"));
        assert!(!matches("Work", "Work.Projects"));
        assert!(matches(&"*".repeat(1000), "x"));
    }

    #[test]
    fn base_octets_are_the_base_name() {
        for path in [
            "/m/cur/1.M2P3.h,S=10:2,S",
            "/m/new/1.M2P3.h",
            "/m/cur/a:b:2,",
            "/m/cur/x:2",
            "rel",
            "/m/cur/caf\u{e9}:2,FS",
        ] {
            let p = Path::new(path);
            assert_eq!(base_octets(p), base_name(p).as_bytes(), "{path}");
        }
    }

    #[test]
    fn dates_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_345_000_000);
        let dt = date_time(t).unwrap();
        assert_eq!(dt.to_string(), "\"15-Aug-2012 03:06:40 +0000\"");
        assert_eq!(system_time(&dt), Some(t));
    }
}

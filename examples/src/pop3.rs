//! The POP3 side of the `mail-server` example (pop3-proto's server state machine over the
//! Maildirs), and the `pop3-fetch` client session.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use mail_core::connection::{CloseReason, Connection as _};
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Answer;
use pop3_proto::command::UniqueId;
use pop3_proto::server::{Config, Connection, Event, Maildrop, MaildropEntry, Refusal};

use crate::guard::{AuthGuard, LoginWatch};
use crate::maildir::{Entry, Store};
use crate::session::{Progress, Session};
use crate::users::Users;

/// What every POP3 session of a server shares, including the maildrop locks: one session
/// per maildrop (RFC 1939 §8 "exclusive-access lock"), `-ERR [IN-USE]` for a second one.
#[derive(Debug, Clone)]
pub struct Pop3Service {
    hostname: String,
    users: Arc<Users>,
    store: Store,
    tls: bool,
    allow_plaintext_auth: bool,
    locks: Arc<Mutex<HashSet<String>>>,
    guard: Arc<AuthGuard>,
    timeout: Option<std::time::Duration>,
}

impl Pop3Service {
    /// Returns the service; `tls` offers STLS (a certificate is configured).
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
            store,
            tls,
            allow_plaintext_auth,
            locks: Arc::new(Mutex::new(HashSet::new())),
            guard: Arc::new(AuthGuard::default()),
            timeout: None,
        }
    }

    /// Returns the service with an idle timeout other than the library's (10 minutes,
    /// RFC 1939 §3).
    #[must_use]
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Returns the service with the failed-login limits `guard` (shared with the server's
    /// other listeners) instead of its own.
    #[must_use]
    pub fn with_auth_guard(mut self, guard: Arc<AuthGuard>) -> Self {
        self.guard = guard;
        self
    }

    /// Returns a new session; `implicit_tls` for a POP3S listener.
    pub fn session(&self, peer: String, nonce: &str, implicit_tls: bool) -> Pop3Session {
        let mut config = Config::default();
        config.hostname = self.hostname.clone();
        config.apop_timestamp = Some(format!("<{nonce}@{}>", self.hostname));
        config.nonce = nonce.parse().ok();
        config.stls = self.tls && !implicit_tls;
        config.tls_active = implicit_tls;
        config.allow_plaintext_auth = self.allow_plaintext_auth;
        config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::ScramSha256];
        if let Some(timeout) = self.timeout {
            config.timeout = timeout;
        }
        Pop3Session {
            service: self.clone(),
            conn: Connection::new(config),
            user: None,
            entries: Vec::new(),
            retrieving: None,
            chunk: Vec::new(),
            watch: LoginWatch::new(self.guard.clone(), &peer),
            peer,
        }
    }
}

/// One POP3 connection.
#[derive(Debug)]
pub struct Pop3Session {
    service: Pop3Service,
    conn: Connection,
    /// The locked maildrop's user.
    user: Option<String>,
    /// The maildrop as listed at login; message n is entry n-1.
    entries: Vec<Entry>,
    /// The message being sent for `RETR`/`TOP`, read from its file piece by piece.
    retrieving: Option<std::fs::File>,
    /// The buffer those pieces are read into, reused.
    chunk: Vec<u8>,
    /// Failed logins: the pause before answering, the limits across connections.
    watch: LoginWatch,
    peer: String,
}

impl Pop3Session {
    /// Locks and lists `user`'s maildrop.
    fn open(&mut self, user: &str) -> Result<Maildrop, Refusal> {
        {
            let mut locks = self.service.locks.lock().map_err(|_| Refusal::SysTemp)?;
            if !locks.insert(user.to_owned()) {
                return Err(Refusal::InUse);
            }
        }
        self.user = Some(user.to_owned());
        let listing = self.service.store.maildir(user).and_then(|m| m.list());
        let entries = listing.map_err(|e| {
            tracing::error!(error = %e, "cannot list the maildrop");
            Refusal::SysTemp
        })?;
        let mut messages = Vec::with_capacity(entries.len());
        let mut kept = Vec::with_capacity(entries.len());
        for entry in entries {
            // `Maildir::list` derives ids that always fit; should one still not, that one
            // file is left out rather than the whole maildrop refused.
            let Ok(uid) = UniqueId::new(entry.uid.clone().into_bytes()) else {
                tracing::warn!(peer = %self.peer, path = %crate::smtp::log_safe(&entry.path.display().to_string()), "skipped a message with an unusable name");
                continue;
            };
            // RFC 1939 §5: the size as sent, with CRLF line ends (a file may hold bare
            // LFs and CRs): the rule the dot encoder follows when RETR sends it.
            let Ok(size) = crlf_size(&entry.path) else {
                tracing::warn!(peer = %self.peer, path = %crate::smtp::log_safe(&entry.path.display().to_string()), "skipped a message that cannot be read");
                continue;
            };
            messages.push(MaildropEntry::new(size, uid));
            kept.push(entry);
        }
        self.entries = kept;
        Ok(Maildrop::new(messages))
    }

    fn release(&mut self) {
        if let Some(user) = self.user.take()
            && let Ok(mut locks) = self.service.locks.lock()
        {
            locks.remove(&user);
        }
    }

    fn path(&self, index: usize) -> Option<PathBuf> {
        self.entries.get(index).map(|e| e.path.clone())
    }
}

/// Returns the size of the message in `path` as RETR sends it ([`mail_core::dot::CrlfSize`]),
/// reading it in pieces (a large message is never held whole).
fn crlf_size(path: &std::path::Path) -> std::io::Result<u64> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut size = mail_core::dot::CrlfSize::new();
    loop {
        let n = file.read(&mut buf)?;
        match buf.get(..n).filter(|p| !p.is_empty()) {
            Some(piece) => size.update(piece),
            None => return Ok(size.finish()),
        }
    }
}

/// How much of a message is read from its file at a time.
const CHUNK: usize = 64 * 1024;

/// What sending the next pieces of a message came to.
enum Sent {
    /// The message is out (or the connection gave up on it).
    Done,
    /// The output is full: write it, then send more.
    OutputFull,
}

impl Pop3Session {
    /// Sends pieces of the message being retrieved until it is out or the output is full.
    fn send_more(&mut self) -> Sent {
        let Some(file) = &mut self.retrieving else {
            return Sent::Done;
        };
        self.chunk.resize(CHUNK, 0);
        loop {
            // TOP: the library says when the lines asked for are out.
            if !self.conn.wants_message_data() {
                break;
            }
            if self.conn.wants_write() {
                return Sent::OutputFull;
            }
            match file.read(&mut self.chunk) {
                Ok(0) => break,
                Ok(n) => {
                    let piece = self.chunk.get(..n).unwrap_or_default();
                    if let Err(e) = self.conn.message_data(piece) {
                        tracing::error!(peer = %self.peer, error = %e, "message data refused");
                        break;
                    }
                }
                Err(e) => {
                    // Part of the message may be out already: a `-ERR` cannot follow it,
                    // and a short message must not look complete. Drop the connection.
                    tracing::error!(peer = %self.peer, error = %e, "cannot read a message");
                    self.retrieving = None;
                    self.conn.core_mut().close(CloseReason::Local);
                    self.release();
                    return Sent::Done;
                }
            }
        }
        self.retrieving = None;
        if let Err(e) = self.conn.message_end() {
            tracing::error!(peer = %self.peer, error = %e, "message end refused");
        }
        Sent::Done
    }
}

impl Drop for Pop3Session {
    fn drop(&mut self) {
        self.release();
    }
}

impl Session for Pop3Session {
    type Connection = Connection;

    fn connection(&self) -> &Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        let progress = self.handle_events();
        self.watch.update(self.conn.auth_failures());
        progress
    }

    fn take_delay(&mut self) -> Option<std::time::Duration> {
        self.watch.take_delay()
    }
}

impl Pop3Session {
    /// Handles every event that is ready; see [`Session::process`].
    fn handle_events(&mut self) -> Progress {
        loop {
            if let Sent::OutputFull = self.send_more() {
                return Progress::MoreWork;
            }
            let Some(event) = self.conn.next_event() else {
                return Progress::NeedInput;
            };
            let result = match event {
                Event::CheckPassword { user, password } => {
                    // Over the failed-login limits: refused without looking at the password.
                    let ok = !self.watch.attempt(Some(user.as_str()))
                        && self.service.users.check(user.as_str(), password.expose());
                    self.conn
                        .auth_answer(if ok { Answer::Accept } else { Answer::Reject })
                }
                Event::ApopSecret { user } => {
                    let users = &self.service.users;
                    if self.watch.attempt(Some(user.as_str())) {
                        self.conn.auth_answer(Answer::Reject)
                    } else {
                        // An unknown user gets a decoy secret: the digest fails as for a
                        // wrong password, and nothing tells the two apart.
                        let secret = users
                            .password(user.as_str())
                            .cloned()
                            .unwrap_or_else(|| users.decoy_password(user.as_str()));
                        self.conn.auth_answer(Answer::Password(secret))
                    }
                }
                Event::AuthVerify(v) => {
                    let named = crate::smtp::verification_user(&v);
                    let answer = if self.watch.attempt(named) {
                        Answer::Reject
                    } else {
                        self.service.users.answer(&v).0
                    };
                    self.conn.auth_answer(answer)
                }
                Event::Authorized { user, method } => {
                    tracing::info!(peer = %self.peer, user = %crate::smtp::log_safe(&user), ?method, "POP3 login");
                    match self.open(&user) {
                        Ok(maildrop) => self.conn.open_maildrop(maildrop),
                        Err(refusal) => {
                            if refusal != Refusal::InUse {
                                self.release();
                            }
                            self.conn.refuse(refusal)
                        }
                    }
                }
                Event::Retrieve { index, .. } => {
                    // Sent in pieces by `send_more`: the library stuffs and cuts TOP on the
                    // fly, and the message is never held whole.
                    match self.path(index).map(std::fs::File::open) {
                        Some(Ok(file)) => {
                            self.retrieving = Some(file);
                            Ok(())
                        }
                        _ => self
                            .conn
                            .send(pop3_proto::response::StatusLine::err("message unavailable")),
                    }
                }
                Event::Update { deleted } => {
                    let mut failed = 0;
                    for (msg, _) in &deleted {
                        if let Some(path) = self.path(msg.index())
                            && std::fs::remove_file(&path).is_err()
                        {
                            failed += 1;
                        }
                    }
                    if !deleted.is_empty()
                        && let Some(user) = &self.user
                        && let Ok(maildir) = self.service.store.maildir(user)
                    {
                        // IMAP sessions with the inbox selected report the expunges.
                        self.service.store.hub().changed(maildir.root());
                    }
                    self.release();
                    if failed == 0 {
                        self.conn.update_done()
                    } else {
                        self.conn.send(pop3_proto::response::StatusLine::err(
                            "some deleted messages not removed",
                        ))
                    }
                }
                Event::Aborted => {
                    self.release();
                    Ok(())
                }
                Event::InputDiscarded { len } => {
                    tracing::warn!(peer = %self.peer, len, "discarded plaintext injected before TLS");
                    Ok(())
                }
                Event::Closed { reason } => {
                    self.release();
                    tracing::info!(peer = %self.peer, %reason, "POP3 session over");
                    Ok(())
                }
                _ => Ok(()),
            };
            if let Err(e) = result {
                tracing::error!(peer = %self.peer, error = %e, "answer refused");
            }
        }
    }
}

/// The `pop3-fetch` client: logs in, downloads every message into `out`, optionally deletes
/// them, and records one line per message.
///
/// Each message is written to its file as it arrives (never held whole), and one larger than
/// [`max_message_size`](Self::new) ends the session: a hostile server streaming an endless
/// message cannot take the client's memory or disk. Listings are bounded by the library
/// (`Config::max_listing_entries`).
#[derive(Debug)]
pub struct FetchSession {
    conn: pop3_proto::client::Connection,
    login: Option<pop3_proto::client::Login>,
    stls: bool,
    delete: bool,
    out: PathBuf,
    max_message_size: u64,
    /// The messages still to fetch: number and unique-id.
    queue: std::collections::VecDeque<(pop3_proto::command::MessageNumber, String)>,
    current: Option<Download>,
    /// One line per message fetched: the unique-id, the size and the file written.
    pub lines: Vec<String>,
    /// Why the session failed, if it did.
    pub failure: Option<String>,
    /// The session ended as planned: QUIT answered.
    finished: bool,
}

/// A message being written: to a hidden part file, renamed once complete.
#[derive(Debug)]
struct Download {
    uid: String,
    part: PathBuf,
    file: std::fs::File,
    size: u64,
}

impl Drop for Download {
    fn drop(&mut self) {
        // Removed unless renamed into place (then this fails harmlessly).
        let _ = std::fs::remove_file(&self.part);
    }
}

/// The default of `pop3-fetch --max-message-size`: 64 MiB.
pub const DEFAULT_MAX_FETCH_SIZE: u64 = 64 * 1024 * 1024;

impl FetchSession {
    /// Returns a session that writes messages under `out` (created if needed), refusing any
    /// message over `max_message_size` octets.
    pub fn new(
        config: pop3_proto::client::Config,
        login: pop3_proto::client::Login,
        stls: bool,
        delete: bool,
        out: PathBuf,
        max_message_size: u64,
    ) -> Self {
        Self {
            conn: pop3_proto::client::Connection::new(config),
            login: Some(login),
            stls,
            delete,
            out,
            max_message_size,
            queue: std::collections::VecDeque::new(),
            current: None,
            lines: Vec::new(),
            failure: None,
            finished: false,
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

    fn next_message(&mut self) -> Result<(), String> {
        match self.queue.front() {
            Some((msg, _)) => self.conn.retr(*msg).map_err(|e| e.to_string()),
            None => self.conn.quit().map_err(|e| e.to_string()),
        }
    }

    /// Returns the file a message with `uid` is saved as.
    fn path_for(&self, uid: &str) -> PathBuf {
        // Unique-ids are 0x21-0x7E; keep file names tame anyway.
        let name: String = uid
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.out.join(format!("{name}.eml"))
    }

    fn start(&mut self, uid: String) -> Result<(), String> {
        std::fs::create_dir_all(&self.out).map_err(|e| e.to_string())?;
        let part = self.out.join(format!(
            ".{}.part",
            self.path_for(&uid)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let file = std::fs::File::create(&part).map_err(|e| e.to_string())?;
        self.current = Some(Download {
            uid,
            part,
            file,
            size: 0,
        });
        Ok(())
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        use std::io::Write as _;
        let Some(d) = &mut self.current else {
            return Ok(());
        };
        d.size = d.size.saturating_add(chunk.len() as u64);
        if d.size > self.max_message_size {
            return Err(format!(
                "message {} is larger than {} octets (--max-message-size)",
                d.uid, self.max_message_size
            ));
        }
        d.file.write_all(chunk).map_err(|e| e.to_string())
    }

    fn finish(&mut self) -> Result<(), String> {
        let Some(d) = self.current.take() else {
            return Ok(());
        };
        d.file.sync_all().map_err(|e| e.to_string())?;
        let path = self.path_for(&d.uid);
        std::fs::rename(&d.part, &path).map_err(|e| e.to_string())?;
        self.lines
            .push(format!("{} {} {}", d.uid, d.size, path.display()));
        Ok(())
    }
}

impl Session for FetchSession {
    type Connection = pop3_proto::client::Connection;

    fn connection(&self) -> &Self::Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Self::Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        use pop3_proto::client::Event as E;
        while let Some(event) = self.conn.next_event() {
            tracing::debug!(?event, "POP3 client event");
            let step: Result<(), String> = match event {
                E::Greeting(_) => self.conn.capa().map_err(|e| e.to_string()),
                E::Capabilities(caps) => {
                    if self.stls && !self.conn.is_tls_active() {
                        if caps.stls() {
                            self.conn.stls().map_err(|e| e.to_string())
                        } else {
                            Err("the server does not offer STLS".into())
                        }
                    } else {
                        match self.login.take() {
                            Some(login) => self.conn.login(login).map_err(|e| e.to_string()),
                            None => Ok(()),
                        }
                    }
                }
                E::LoggedIn { .. } => self.conn.uidl(None).map_err(|e| e.to_string()),
                E::LoginFailed(line) => Err(format!("login failed: {line:?}")),
                E::UidList(list) => {
                    self.queue = list
                        .into_iter()
                        .map(|l| (l.msg, l.uid.as_str().to_owned()))
                        .collect();
                    self.next_message()
                }
                E::MessageStart { .. } => {
                    let uid = self
                        .queue
                        .front()
                        .map(|(_, u)| u.clone())
                        .unwrap_or_default();
                    self.start(uid)
                }
                E::MessageData(chunk) => self.write(&chunk),
                E::MessageEnd { msg } => self.finish().and_then(|()| {
                    if self.delete {
                        self.conn.dele(msg).map_err(|e| e.to_string())
                    } else {
                        self.queue.pop_front();
                        self.next_message()
                    }
                }),
                E::Deleted(_) => {
                    self.queue.pop_front();
                    self.next_message()
                }
                E::Failed { command, line } => Err(format!("{command} failed: {line:?}")),
                E::Closed {
                    reason,
                    line,
                    error,
                } => {
                    if reason == CloseReason::Quit {
                        self.finished = true;
                    } else {
                        let line = line.map(|l| format!(" {l:?}")).unwrap_or_default();
                        let error = error.map(|e| format!(": {e}")).unwrap_or_default();
                        self.failure
                            .get_or_insert(format!("connection closed ({reason}){line}{error}"));
                    }
                    Ok(())
                }
                _ => Ok(()),
            };
            if let Err(e) = step {
                self.failure.get_or_insert(e);
                self.current = None;
                self.conn.core_mut().close(CloseReason::Local);
            }
        }
        Progress::NeedInput
    }

    fn tls_established(&mut self) {
        // RFC 2595 §4: after STLS the client forgets the capabilities and asks again.
        if let Err(e) = self.conn.tls_established() {
            tracing::debug!(error = %e, "tls_established refused");
        }
        if let Err(e) = self.conn.capa() {
            tracing::debug!(error = %e, "CAPA refused");
            self.failure = Some(e.to_string());
        }
    }
}

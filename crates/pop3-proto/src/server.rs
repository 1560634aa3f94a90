//! The POP3 server state machine: bytes in, events out, bytes out.
//!
//! [`Connection`] walks a session through the AUTHORIZATION, TRANSACTION and UPDATE states
//! of RFC 1939 §3–6. It answers by itself everything that needs no decision of yours:
//! syntax errors, commands in the wrong state, `CAPA`, `NOOP`, `STAT`, `LIST`, `UIDL`,
//! `DELE`, `RSET`, `UTF8`, `LANG`, over-long lines, the SASL exchange and the APOP digest
//! comparison. You answer credential checks, open (lock) the maildrop, supply message
//! bytes for `RETR`/`TOP` (the connection dot-stuffs them and applies `TOP`'s line count),
//! and expunge at `QUIT`.
//!
//! # The calling contract
//!
//! 1. [`Connection::new`] queues the `+OK` greeting: write [`take_output`] to the socket.
//! 2. Loop: [`receive`] what the socket gives (or [`receive_eof`]); call [`next_event`]
//!    until `Ok(None)`, answering each event that needs it ([`Event::needs_answer`]) with
//!    the method its documentation names; write [`take_output`] to the socket.
//! 3. On [`Event::StartTls`]: write the output, do the TLS handshake, call
//!    [`tls_established`], and read through TLS from then on.
//! 4. Close the socket when [`is_closed`] and the output is written. Call [`timed_out`] when
//!    the client was silent for [`idle_timeout`] (RFC 1939 §3: at least 10 minutes).
//!
//! Commands are answered strictly in order (RFC 2449 §6.6): while an answer is owed,
//! [`next_event`] returns `None` even if more pipelined commands are buffered.
//!
//! [`take_output`]: Connection::take_output
//! [`receive`]: Connection::receive
//! [`receive_eof`]: Connection::receive_eof
//! [`next_event`]: Connection::next_event
//! [`tls_established`]: Connection::tls_established
//! [`is_closed`]: Connection::is_closed
//! [`timed_out`]: Connection::timed_out
//! [`idle_timeout`]: Connection::idle_timeout

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use core::time::Duration;
use mail_core::Secret;
use mail_core::dot::DotEncoder;
use mail_core::line::{BareNewline, LineError, LineFramer};
use mail_core::sasl::server::{
    Answer, Authentication, ContinuationError, ServerConfig, Step, Verification,
};
use mail_core::sasl::{Mechanism, Nonce};
use memchr::memchr_iter;

use crate::capability::{Capability, Expire};
use crate::command::{ApopDigest, Argument, Command, MessageNumber, UniqueId};
use crate::error::{SendError, ServerError};
use crate::response::{
    Language, Response, ResponseCode, ScanListing, Status, StatusLine, Text, UidListing,
    encode_continuation,
};

/// The server's policy and limits. [`Config::default`] gives RFC values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The server's name, used by CRAM-MD5 (RFC 2195 §2).
    pub hostname: String,
    /// The greeting text after `+OK` (the APOP timestamp is appended).
    pub greeting: String,
    /// The APOP timestamp for this connection, angle brackets included, e.g.
    /// `<1896.697170952@dbc.mtview.ca.us>` (RFC 1939 §7: "MUST be different each time the
    /// POP3 server issues a banner greeting"). `None`: no `APOP`.
    pub apop_timestamp: Option<String>,
    /// The nonce CRAM-MD5 and SCRAM-SHA-256 need; give every connection a fresh random one.
    /// Without it those two are not offered.
    pub nonce: Option<Nonce>,
    /// The longest command line, CRLF included (RFC 2449 §4: 255).
    pub max_command_line: usize,
    /// The longest SASL continuation line, CRLF included (RFC 5034 §4: not subject to the
    /// 255-octet limit).
    pub max_auth_line: usize,
    /// Failed logins after which the server answers `-ERR` and closes.
    pub max_failed_logins: usize,
    /// Errors (bad syntax, unknown commands, wrong state) after which the server closes.
    pub max_errors: usize,
    /// What to do with a bare CR or LF in a command line.
    pub bare_newline: BareNewline,
    /// Accept `USER`/`PASS` (offered as the `USER` capability).
    pub user_pass: bool,
    /// The SASL mechanisms offered with `AUTH`; empty for none.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Accept `USER`, `PASS`, `APOP` and `AUTH` without TLS. Default off (RFC 2595 §2.2).
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (RFC 8314 implicit TLS, port 995).
    pub tls_active: bool,
    /// Offer `STLS` (RFC 2595). Default off: turn it on when the adapter has a certificate.
    pub stls: bool,
    /// Offer `PIPELINING` (RFC 2449 §6.6). Default on.
    pub pipelining: bool,
    /// Offer and accept `UTF8` (RFC 6856 §2). Default off.
    pub utf8: bool,
    /// The languages for `LANG` (RFC 6856 §3), the first being the default; empty for no
    /// `LANG`.
    pub languages: Vec<Language>,
    /// The `EXPIRE` capability (RFC 2449 §6.7), if any.
    pub expire: Option<Expire>,
    /// The `LOGIN-DELAY` capability in seconds (RFC 2449 §6.5), if any.
    pub login_delay: Option<u32>,
    /// The `IMPLEMENTATION` capability (RFC 2449 §6.9), if any.
    pub implementation: Option<String>,
    /// The inactivity autologout time (RFC 1939 §3: at least 10 minutes).
    pub idle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hostname: String::from("localhost"),
            greeting: String::from("POP3 server ready"),
            apop_timestamp: None,
            nonce: None,
            max_command_line: 255,
            max_auth_line: 24 * 1024,
            max_failed_logins: 3,
            max_errors: 10,
            bare_newline: BareNewline::Reject,
            user_pass: true,
            sasl_mechanisms: Vec::new(),
            allow_plaintext_auth: false,
            tls_active: false,
            stls: false,
            pipelining: true,
            utf8: false,
            languages: Vec::new(),
            expire: None,
            login_delay: None,
            implementation: None,
            idle_timeout: Duration::from_secs(600),
        }
    }
}

/// One message of a maildrop, as the application lists it at login.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MaildropEntry {
    /// The exact size in octets, as the message will be sent: CRLF line ends, before
    /// dot-stuffing (RFC 1939 §5).
    pub size: u64,
    /// The unique-id (RFC 1939 §7).
    pub uid: UniqueId,
}

/// The maildrop the application opened (and locked) for the session (RFC 1939 §4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Maildrop {
    /// The messages; message number `n` is entry `n - 1`.
    pub messages: Vec<MaildropEntry>,
}

impl Maildrop {
    /// Returns a maildrop of these messages.
    pub fn new(messages: Vec<MaildropEntry>) -> Self {
        Self { messages }
    }
}

/// How the client authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LoginMethod {
    /// `USER` and `PASS`.
    UserPass,
    /// `APOP`.
    Apop,
    /// `AUTH` with this mechanism.
    Sasl(Mechanism),
}

/// Why the application refuses to open the maildrop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The maildrop is locked by another session: `-ERR [IN-USE]` (RFC 2449 §8.1.1).
    InUse,
    /// The user logged in too recently: `-ERR [LOGIN-DELAY]` (RFC 2449 §8.1.2).
    LoginDelay,
    /// A temporary problem: `-ERR [SYS/TEMP]` (RFC 3206 §4).
    SysTemp,
    /// A permanent problem: `-ERR [SYS/PERM]` (RFC 3206 §4).
    SysPerm,
    /// The user may not log in: `-ERR [AUTH]` (RFC 3206 §5); counts as a failed login.
    Auth,
}

/// What the server has done, or what the application must decide.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `PASS` after `USER`: check the password and answer with
    /// [`Connection::auth_answer`] ([`Answer::Accept`] or [`Answer::Reject`]).
    CheckPassword {
        /// The `USER` name.
        user: Argument,
        /// The password.
        password: Secret<String>,
    },
    /// `APOP`: answer with [`Connection::auth_answer`]: [`Answer::Password`] with the
    /// user's shared secret (the connection compares digests in constant time), or
    /// [`Answer::Reject`] for an unknown user.
    ApopSecret {
        /// The user name.
        user: Argument,
    },
    /// `AUTH`: check these credentials and answer with [`Connection::auth_answer`].
    AuthVerify(Verification),
    /// The credentials are good: open and lock the maildrop with
    /// [`Connection::open_maildrop`] or [`Connection::refuse`] (e.g. [`Refusal::InUse`]).
    Authorized {
        /// The user (for SASL: the authorization identity, else the authentication
        /// identity; empty for EXTERNAL and ANONYMOUS without one).
        user: String,
        /// How the user authenticated.
        method: LoginMethod,
    },
    /// `RETR` (`lines: None`) or `TOP` (`lines: Some(n)`): send the message with
    /// [`Connection::message_data`] and [`Connection::message_end`], or refuse it with
    /// [`Connection::send`] (`-ERR`). The message exists and is not deleted.
    Retrieve {
        /// The message number.
        msg: MessageNumber,
        /// Its zero-based index in the [`Maildrop`].
        index: usize,
        /// For `TOP`: the number of body lines.
        lines: Option<u32>,
    },
    /// `QUIT` in TRANSACTION (RFC 1939 §6): remove these messages and release the lock,
    /// then call [`Connection::update_done`] (or [`Connection::send`] a `-ERR`).
    Update {
        /// The messages marked as deleted, with their maildrop entries.
        deleted: Vec<(MessageNumber, MaildropEntry)>,
    },
    /// The session ended in TRANSACTION without `QUIT` (connection closed, timeout, too many
    /// errors): release the lock and delete nothing (RFC 1939 §6). No answer.
    Aborted,
    /// `STLS` was accepted and `+OK` queued: write the output, do the TLS handshake, then
    /// call [`Connection::tls_established`]. No answer.
    StartTls,
    /// Plaintext that arrived after `STLS` and before the TLS handshake was discarded
    /// (RFC 2595 §4; CVE-2011-0411). No answer; worth logging.
    InputDiscarded {
        /// How many octets.
        len: usize,
    },
}

impl Event {
    /// Returns whether the application must answer this event before the server goes on.
    pub fn needs_answer(&self) -> bool {
        !matches!(
            self,
            Self::Aborted | Self::StartTls | Self::InputDiscarded { .. }
        )
    }
}

/// Where the session is (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// AUTHORIZATION: the client must identify itself (RFC 1939 §4).
    Authorization,
    /// TRANSACTION: the maildrop is open (RFC 1939 §5).
    Transaction,
    /// UPDATE: `QUIT` was sent; the application expunges (RFC 1939 §6).
    Update,
    /// `+OK` to `STLS` sent; waiting for [`Connection::tls_established`].
    TlsHandshake,
    /// The session is over: close the connection once the output is written.
    Closed,
}

#[derive(Debug)]
enum Phase {
    Authorization { user: Option<Argument> },
    Sasl(Box<Authentication>, Mechanism),
    Transaction,
    TlsHandshake,
    Closed,
}

/// `TOP`'s filter: headers, the blank line, then `n` body lines (RFC 1939 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TopFilter {
    in_header: bool,
    line_has_content: bool,
    lines_left: u32,
    done: bool,
}

impl TopFilter {
    const fn new(lines: u32) -> Self {
        Self {
            in_header: true,
            line_has_content: false,
            lines_left: lines,
            done: false,
        }
    }

    /// Returns how much of `chunk` belongs to the top of the message.
    fn take(&mut self, chunk: &[u8]) -> usize {
        if self.done {
            return 0;
        }
        let mut start = 0;
        for lf in memchr_iter(b'\n', chunk) {
            if self.in_header {
                let line = chunk.get(start..lf).unwrap_or_default();
                let content = self.line_has_content || line.iter().any(|&b| b != b'\r');
                if !content {
                    self.in_header = false;
                    if self.lines_left == 0 {
                        self.done = true;
                        return lf + 1;
                    }
                }
            } else {
                self.lines_left = self.lines_left.saturating_sub(1);
                if self.lines_left == 0 {
                    self.done = true;
                    return lf + 1;
                }
            }
            self.line_has_content = false;
            start = lf + 1;
        }
        if self.in_header {
            let tail = chunk.get(start..).unwrap_or_default();
            self.line_has_content |= tail.iter().any(|&b| b != b'\r');
        }
        chunk.len()
    }
}

#[derive(Debug)]
enum Pending {
    Password {
        user: Argument,
    },
    Apop {
        user: Argument,
        digest: ApopDigest,
    },
    Sasl,
    Authorized,
    Retrieve {
        size: u64,
        top: Option<TopFilter>,
        started: bool,
        encoder: DotEncoder,
    },
    Update,
}

/// A POP3 server connection. See the [module docs](self) for the calling contract.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    input: BytesMut,
    output: BytesMut,
    framer: LineFramer,
    phase: Phase,
    pending: Option<Pending>,
    events: VecDeque<Event>,
    tls_active: bool,
    utf8: bool,
    language: Option<usize>,
    maildrop: Vec<MaildropEntry>,
    deleted: Vec<bool>,
    live_count: u32,
    live_size: u64,
    failed_logins: usize,
    errors: usize,
    auth_attempts: u32,
    user: Option<String>,
    eof: bool,
    /// The server closed the connection outside `next_event`: report it once.
    report_closed: bool,
}

impl Connection {
    /// Returns a connection and queues the greeting (RFC 1939 §4), with the APOP timestamp
    /// when one is configured.
    pub fn new(config: Config) -> Self {
        let framer = LineFramer::new(
            config.max_auth_line.max(config.max_command_line),
            config.bare_newline,
        );
        let tls_active = config.tls_active;
        let mut conn = Self {
            config,
            input: BytesMut::new(),
            output: BytesMut::new(),
            framer,
            phase: Phase::Authorization { user: None },
            pending: None,
            events: VecDeque::new(),
            tls_active,
            utf8: false,
            language: None,
            maildrop: Vec::new(),
            deleted: Vec::new(),
            live_count: 0,
            live_size: 0,
            failed_logins: 0,
            errors: 0,
            auth_attempts: 0,
            user: None,
            eof: false,
            report_closed: false,
        };
        // A timestamp that is no `<VCHAR*>` would not read back: APOP is then off.
        if conn
            .config
            .apop_timestamp
            .as_deref()
            .is_some_and(|t| !valid_timestamp(t))
        {
            conn.config.apop_timestamp = None;
        }
        let text = match &conn.config.apop_timestamp {
            Some(ts) => format!("{} {ts}", conn.config.greeting),
            None => conn.config.greeting.clone(),
        };
        conn.ok(&text);
        conn
    }

    /// Appends bytes read from the client. Never parses, never fails.
    pub fn receive(&mut self, bytes: &[u8]) {
        if !matches!(self.phase, Phase::Closed) {
            self.input.extend_from_slice(bytes);
        }
    }

    /// Like [`receive`](Self::receive), without copying: takes the filled part of `buf`
    /// (the buffer the socket was read into) and leaves `buf` empty with its spare capacity
    /// for the next read. Message data then reaches the application as slices of the
    /// buffers the socket filled. With tokio: `stream.read_buf(&mut buf).await?` then
    /// `conn.receive_buf(&mut buf)`.
    pub fn receive_buf(&mut self, buf: &mut BytesMut) {
        if !matches!(self.phase, Phase::Closed) {
            mail_core::buffer::take_received(&mut self.input, buf);
        } else {
            buf.clear();
        }
    }

    /// Records that the client closed its side of the connection.
    pub fn receive_eof(&mut self) {
        self.eof = true;
    }

    /// Returns everything ready to be written to the client, maybe nothing.
    pub fn take_output(&mut self) -> Bytes {
        self.output.split().freeze()
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        match (&self.phase, &self.pending) {
            (Phase::Closed, _) => State::Closed,
            (_, Some(Pending::Update)) => State::Update,
            (Phase::TlsHandshake, _) => State::TlsHandshake,
            (Phase::Transaction, _) => State::Transaction,
            (Phase::Authorization { .. } | Phase::Sasl(..), _) => State::Authorization,
        }
    }

    /// Returns whether the session is over: close the socket once the output is written.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Returns whether TLS is active.
    pub fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// Returns whether the client enabled UTF-8 mode (RFC 6856 §2.1).
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// Returns the user of the open maildrop, once in TRANSACTION.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Returns the language selected with `LANG`, if any.
    pub fn language(&self) -> Option<&Language> {
        self.language.and_then(|i| self.config.languages.get(i))
    }

    /// Returns the inactivity autologout time (RFC 1939 §3) the adapter enforces between
    /// commands; on expiry it calls [`Connection::timed_out`].
    pub fn idle_timeout(&self) -> Duration {
        self.config.idle_timeout
    }

    /// Ends the session after the autologout timer expired. RFC 1939 §3: "the session does
    /// NOT enter the UPDATE state--the server should close the TCP connection without
    /// removing any messages or sending any response to the client."
    pub fn timed_out(&mut self) {
        self.abort_session();
    }

    /// Returns whether the pending `TOP` still wants message bytes: `false` once the
    /// requested lines are out, so the application can stop reading the message.
    pub fn wants_message_data(&self) -> bool {
        match &self.pending {
            Some(Pending::Retrieve { top, .. }) => !top.is_some_and(|t| t.done),
            _ => false,
        }
    }

    /// Call after the TLS handshake that followed [`Event::StartTls`]: the session starts
    /// again in AUTHORIZATION.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no STLS handshake is in progress.
    pub fn tls_established(&mut self) -> Result<(), SendError> {
        if !matches!(self.phase, Phase::TlsHandshake) {
            return Err(SendError::NotAllowed);
        }
        // RFC 2595 §4: bytes received before the handshake are not part of the TLS
        // session; whatever is buffered was injected in plaintext.
        self.discard_input();
        self.tls_active = true;
        self.utf8 = false;
        self.framer.reset();
        self.phase = Phase::Authorization { user: None };
        Ok(())
    }

    /// Returns the next event, answering by itself whatever needs no decision.
    ///
    /// Returns `Ok(None)` when more input is needed, when the application owes an answer to
    /// the last event, or when the session is over.
    ///
    /// # Errors
    /// [`ServerError::Closed`] once, when the server closed the connection because of the
    /// client (too many errors or failed logins); the closing `-ERR` is in the output.
    pub fn next_event(&mut self) -> Result<Option<Event>, ServerError> {
        loop {
            if core::mem::take(&mut self.report_closed) {
                return Err(ServerError::Closed);
            }
            if let Some(event) = self.events.pop_front() {
                return Ok(Some(event));
            }
            if self.pending.is_some() {
                return Ok(None);
            }
            let step = match &self.phase {
                Phase::Closed => return Ok(None),
                Phase::TlsHandshake => {
                    self.discard_input();
                    if self.events.is_empty() {
                        return Ok(None);
                    }
                    Ok(true)
                }
                Phase::Sasl(..) => self.step_sasl(),
                Phase::Authorization { .. } | Phase::Transaction => self.step_command(),
            };
            let progressed = match step {
                Ok(p) => p,
                Err(e) => {
                    self.report_closed = false;
                    return Err(e);
                }
            };
            if !progressed {
                if self.eof {
                    self.abort_session();
                    if let Some(event) = self.events.pop_front() {
                        return Ok(Some(event));
                    }
                }
                return Ok(None);
            }
        }
    }

    /// Ends the session without UPDATE.
    fn abort_session(&mut self) {
        if matches!(self.phase, Phase::Transaction) || self.user.is_some() {
            self.events.push_back(Event::Aborted);
            self.user = None;
        }
        self.phase = Phase::Closed;
        self.pending = None;
        self.input.clear();
    }

    fn discard_input(&mut self) {
        if !self.input.is_empty() {
            let len = self.input.len();
            self.input.clear();
            self.events.push_back(Event::InputDiscarded { len });
        }
    }

    // ----- responses -----

    fn line(&mut self, status: Status, code: Option<ResponseCode>, text: &str) {
        let line = match code {
            Some(code) => {
                StatusLine::new(status, Some(code), Text::try_from(text).unwrap_or_default())
                    .unwrap_or_else(|_| StatusLine::err(""))
            }
            None if status == Status::Ok => StatusLine::ok(text),
            None => StatusLine::err(text),
        };
        line.encode(&mut self.output);
    }

    fn ok(&mut self, text: &str) {
        self.line(Status::Ok, None, text);
    }

    /// Answers `-ERR` and counts the error; closes after too many.
    fn error(&mut self, code: Option<ResponseCode>, text: &str) -> Result<(), ServerError> {
        self.errors = self.errors.saturating_add(1);
        if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
            self.close_with(Some(ResponseCode::SysPerm), "Too many errors, closing");
            return Err(ServerError::Closed);
        }
        self.line(Status::Err, code, text);
        Ok(())
    }

    fn close_with(&mut self, code: Option<ResponseCode>, text: &str) {
        self.report_closed = true;
        self.line(Status::Err, code, text);
        self.abort_session();
    }

    /// Counts a failed login and answers `-ERR [AUTH]`; closes after too many.
    fn login_failed(&mut self, text: &str) -> Result<(), ServerError> {
        self.phase = Phase::Authorization { user: None };
        self.failed_logins = self.failed_logins.saturating_add(1);
        if self.config.max_failed_logins > 0 && self.failed_logins >= self.config.max_failed_logins
        {
            self.close_with(Some(ResponseCode::Auth), "Too many failed logins, closing");
            return Err(ServerError::Closed);
        }
        self.line(Status::Err, Some(ResponseCode::Auth), text);
        Ok(())
    }

    // ----- commands -----

    fn step_command(&mut self) -> Result<bool, ServerError> {
        let max_command_line = self.config.max_command_line;
        // The line is parsed where it lies in the input buffer: no `Bytes` per command.
        let parsed = self.framer.next_line_with(&mut self.input, |line| {
            // RFC 2449 §4: "Commands ... MUST NOT exceed 255 octets, including the terminating
            // CRLF." RFC 5034 §4 keeps the limit for AUTH with an initial response.
            (line.len().saturating_add(2) <= max_command_line).then(|| Command::parse(line))
        });
        match parsed {
            None => return Ok(false),
            Some(Ok(Some(Ok(command)))) => self.handle(command)?,
            Some(Ok(Some(Err(e)))) => self.error(None, &format!("Syntax error: {e}"))?,
            Some(Ok(None) | Err(LineError::TooLong { .. })) => self.error(None, "Line too long")?,
            Some(Err(_)) => self.error(None, "Bare CR or LF in command line")?,
        }
        Ok(true)
    }

    fn auth_allowed(&self) -> bool {
        self.tls_active || self.config.allow_plaintext_auth
    }

    fn offered_mechanisms(&self) -> Vec<Mechanism> {
        if !self.auth_allowed() {
            return Vec::new();
        }
        self.config
            .sasl_mechanisms
            .iter()
            .filter(|m| m.is_implemented())
            .filter(|m| {
                self.config.nonce.is_some()
                    || !matches!(m, Mechanism::CramMd5 | Mechanism::ScramSha256)
            })
            .cloned()
            .collect()
    }

    fn handle(&mut self, command: Command) -> Result<(), ServerError> {
        let in_transaction = matches!(self.phase, Phase::Transaction);
        match command {
            Command::Capa => {
                let capabilities = self.capabilities();
                Response::Capabilities {
                    line: StatusLine::ok("Capability list follows"),
                    capabilities,
                }
                .encode(&mut self.output);
            }
            Command::Quit if !in_transaction => {
                // RFC 1939 §4: QUIT in AUTHORIZATION ends the session without UPDATE.
                self.ok("POP3 server signing off");
                self.phase = Phase::Closed;
                self.input.clear();
            }
            Command::Quit => {
                let deleted = self
                    .maildrop
                    .iter()
                    .zip(&self.deleted)
                    .enumerate()
                    .filter(|(_, (_, d))| **d)
                    .filter_map(|(i, (e, _))| Some((MessageNumber::from_index(i)?, e.clone())))
                    .collect();
                self.pending = Some(Pending::Update);
                self.events.push_back(Event::Update { deleted });
            }
            Command::Lang(tag) => self.lang(tag)?,
            command if in_transaction => self.transaction(command)?,
            command => self.authorization(command)?,
        }
        Ok(())
    }

    fn capabilities(&self) -> Vec<Capability> {
        let mut caps = vec![Capability::Top, Capability::Uidl, Capability::RespCodes];
        caps.push(Capability::AuthRespCode);
        if self.config.pipelining {
            caps.push(Capability::Pipelining);
        }
        if matches!(self.phase, Phase::Authorization { .. }) {
            if self.config.user_pass && self.auth_allowed() {
                caps.push(Capability::User);
            }
            let mechanisms = self.offered_mechanisms();
            if !mechanisms.is_empty() {
                caps.push(Capability::Sasl(mechanisms));
            }
            if self.config.stls && !self.tls_active {
                caps.push(Capability::Stls);
            }
            if self.config.utf8 {
                caps.push(Capability::Utf8 {
                    user: self.config.user_pass && self.auth_allowed(),
                });
            }
        }
        if !self.config.languages.is_empty() {
            caps.push(Capability::Lang);
        }
        if let Some(policy) = self.config.expire {
            caps.push(Capability::Expire {
                policy,
                per_user: false,
            });
        }
        if let Some(seconds) = self.config.login_delay {
            caps.push(Capability::LoginDelay {
                seconds,
                per_user: false,
            });
        }
        if let Some(text) = self
            .config
            .implementation
            .as_deref()
            .and_then(|t| Text::try_from(t).ok())
        {
            caps.push(Capability::Implementation(text));
        }
        caps
    }

    fn lang(&mut self, tag: Option<Argument>) -> Result<(), ServerError> {
        if self.config.languages.is_empty() {
            return self.error(None, "LANG not supported");
        }
        match tag {
            None => Response::Languages {
                line: StatusLine::ok("Language listing follows"),
                languages: self.config.languages.clone(),
            }
            .encode(&mut self.output),
            Some(tag) => {
                // RFC 6856 §3: "*" asks the server to pick; the default is the first.
                let found = if tag.as_str() == "*" {
                    Some(0)
                } else {
                    self.config
                        .languages
                        .iter()
                        .position(|l| l.tag.as_str().eq_ignore_ascii_case(tag.as_str()))
                };
                match found.and_then(|i| Some((i, self.config.languages.get(i)?.tag.clone()))) {
                    Some((i, chosen)) => {
                        self.language = Some(i);
                        self.ok(&format!("{chosen} Language changed"));
                    }
                    None => self.error(None, &format!("Unknown language {tag}"))?,
                }
            }
        }
        Ok(())
    }

    fn authorization(&mut self, command: Command) -> Result<(), ServerError> {
        let user = match &mut self.phase {
            Phase::Authorization { user } => user.take(),
            _ => None,
        };
        match command {
            Command::User(name) => {
                if !self.config.user_pass {
                    return self.error(None, "USER not supported");
                }
                if !self.auth_allowed() {
                    return self.error(None, "Plaintext authentication disallowed, use STLS");
                }
                self.ok("send PASS");
                self.phase = Phase::Authorization { user: Some(name) };
            }
            Command::Pass(password) => match user {
                Some(user) => {
                    self.pending = Some(Pending::Password { user: user.clone() });
                    self.events.push_back(Event::CheckPassword {
                        user,
                        password: password.into_secret(),
                    });
                }
                None => self.error(None, "USER first")?,
            },
            Command::Apop { name, digest } => {
                if self.config.apop_timestamp.is_none() {
                    return self.error(None, "APOP not supported");
                }
                if !self.auth_allowed() {
                    return self.error(None, "Plaintext authentication disallowed, use STLS");
                }
                self.pending = Some(Pending::Apop {
                    user: name.clone(),
                    digest,
                });
                self.events.push_back(Event::ApopSecret { user: name });
            }
            Command::Auth(None) => {
                let mechanisms = self.offered_mechanisms();
                if mechanisms.is_empty() {
                    return self.error(None, "No authentication mechanism available");
                }
                self.ok("Supported mechanisms follow");
                for m in mechanisms {
                    self.output.put_slice(m.as_str().as_bytes());
                    self.output.put_slice(b"\r\n");
                }
                self.output.put_slice(b".\r\n");
            }
            Command::Auth(Some(start)) => {
                let mechanism = start.mechanism;
                if !self.offered_mechanisms().contains(&mechanism) {
                    return self.error(None, "Unrecognized authentication type");
                }
                let Some(nonce) = self.next_nonce() else {
                    return self.error(Some(ResponseCode::SysTemp), "No nonce");
                };
                let sasl_config = {
                    let mut c = ServerConfig::default();
                    c.hostname.clone_from(&self.config.hostname);
                    c.mechanisms = self.offered_mechanisms();
                    c.max_response_len = self.config.max_auth_line;
                    c
                };
                let initial = start
                    .initial_response
                    .as_ref()
                    .map(|r| r.expose().as_slice());
                let (auth, step) =
                    Authentication::start(mechanism.clone(), initial, &sasl_config, &nonce);
                self.phase = Phase::Sasl(Box::new(auth), mechanism);
                self.sasl_step(step)?;
            }
            Command::Stls => {
                if !self.config.stls || self.tls_active {
                    return self.error(None, "STLS not available");
                }
                self.ok("Begin TLS negotiation now");
                self.phase = Phase::TlsHandshake;
                self.events.push_back(Event::StartTls);
                // RFC 2595 §4 / DESIGN: anything after the STLS line is injected plaintext.
                self.discard_input();
            }
            Command::Utf8 => {
                if !self.config.utf8 {
                    return self.error(None, "UTF8 not supported");
                }
                self.utf8 = true;
                self.ok("UTF8 enabled");
            }
            Command::Unknown { .. } => self.error(None, "Unknown command")?,
            _ => self.error(None, "Not allowed in AUTHORIZATION state")?,
        }
        Ok(())
    }

    fn next_nonce(&mut self) -> Option<Nonce> {
        let attempt = self.auth_attempts;
        self.auth_attempts = self.auth_attempts.saturating_add(1);
        match &self.config.nonce {
            Some(n) if attempt == 0 => Some(n.clone()),
            Some(n) => format!("{n}.{attempt}").parse().ok(),
            // Only mechanisms that need no nonce are offered; they ignore it.
            None => "unused".parse().ok(),
        }
    }

    fn sasl_step(&mut self, step: Step) -> Result<(), ServerError> {
        match step {
            Step::Challenge(challenge) => encode_continuation(&challenge, &mut self.output),
            Step::Verify(verification) => {
                self.pending = Some(Pending::Sasl);
                self.events.push_back(Event::AuthVerify(verification));
            }
            Step::Success(outcome) => {
                let mechanism = match &self.phase {
                    Phase::Sasl(_, m) => m.clone(),
                    _ => Mechanism::Plain,
                };
                self.phase = Phase::Authorization { user: None };
                let user = outcome
                    .authorization_identity
                    .or(outcome.authentication_identity)
                    .unwrap_or_default();
                self.authorized(user, LoginMethod::Sasl(mechanism));
            }
            Step::Failure(failure) => {
                self.phase = Phase::Authorization { user: None };
                if failure.is_syntax_error() {
                    // RFC 5034 §4: cancel and undecodable responses fail AUTH with -ERR.
                    self.error(None, &format!("Authentication failed: {failure}"))?;
                } else {
                    self.login_failed("Authentication failed")?;
                }
            }
            _ => {
                self.phase = Phase::Authorization { user: None };
                self.error(None, "Authentication failed")?;
            }
        }
        Ok(())
    }

    fn step_sasl(&mut self) -> Result<bool, ServerError> {
        let line = match self.framer.next_line(&mut self.input) {
            None => return Ok(false),
            Some(Ok(line)) => line,
            Some(Err(_)) => {
                self.phase = Phase::Authorization { user: None };
                self.error(None, "Bad authentication line")?;
                return Ok(true);
            }
        };
        let Phase::Sasl(auth, _) = &mut self.phase else {
            return Ok(true);
        };
        match auth.respond_line(&line, self.config.max_auth_line) {
            Ok(step) => self.sasl_step(step)?,
            Err(ContinuationError::TooLong { .. }) => {
                self.phase = Phase::Authorization { user: None };
                self.error(None, "Authentication line too long")?;
            }
            // RFC 5034 §4: "If the server cannot Base64 decode a client response, it MUST
            // reject the AUTH command with an -ERR reply."
            Err(_) => {
                self.phase = Phase::Authorization { user: None };
                self.error(None, "Cannot decode response")?;
            }
        }
        Ok(true)
    }

    fn authorized(&mut self, user: String, method: LoginMethod) {
        self.user = Some(user.clone());
        self.pending = Some(Pending::Authorized);
        self.events.push_back(Event::Authorized { user, method });
    }

    fn message(&self, msg: MessageNumber) -> Option<&MaildropEntry> {
        let index = msg.index();
        if self.deleted.get(index).copied().unwrap_or(true) {
            return None;
        }
        self.maildrop.get(index)
    }

    fn transaction(&mut self, command: Command) -> Result<(), ServerError> {
        match command {
            Command::Stat => Response::Stat {
                count: self.live_count,
                size: self.live_size,
            }
            .encode(&mut self.output),
            Command::Noop => self.ok(""),
            Command::List(None) => {
                let listings = self
                    .live()
                    .map(|(msg, e)| ScanListing { msg, size: e.size });
                let listings: Vec<_> = listings.collect();
                let text = format!("{} messages ({} octets)", self.live_count, self.live_size);
                Response::ScanList {
                    line: StatusLine::ok(&text),
                    listings,
                }
                .encode(&mut self.output);
            }
            Command::Uidl(None) => {
                let mut out = core::mem::take(&mut self.output);
                self.ok_into(&mut out);
                for (msg, e) in self.live() {
                    UidListing {
                        msg,
                        uid: e.uid.clone(),
                    }
                    .encode(&mut out);
                    out.put_slice(b"\r\n");
                }
                out.put_slice(b".\r\n");
                self.output = out;
            }
            Command::List(Some(msg)) => match self.message(msg) {
                Some(e) => {
                    Response::Scan(ScanListing { msg, size: e.size }).encode(&mut self.output)
                }
                None => self.no_such_message()?,
            },
            Command::Uidl(Some(msg)) => match self.message(msg).cloned() {
                Some(e) => {
                    Response::UniqueId(UidListing { msg, uid: e.uid }).encode(&mut self.output)
                }
                None => self.no_such_message()?,
            },
            Command::Retr(msg) => self.retrieve(msg, None)?,
            Command::Top { msg, lines } => self.retrieve(msg, Some(lines))?,
            Command::Dele(msg) => match self.message(msg).map(|e| e.size) {
                Some(size) => {
                    if let Some(d) = self.deleted.get_mut(msg.index()) {
                        *d = true;
                    }
                    self.live_count = self.live_count.saturating_sub(1);
                    self.live_size = self.live_size.saturating_sub(size);
                    self.ok(&format!("message {msg} deleted"));
                }
                None => self.no_such_message()?,
            },
            Command::Rset => {
                // RFC 1939 §5: "any messages marked as deleted by the POP3 server are
                // unmarked."
                self.deleted.iter_mut().for_each(|d| *d = false);
                self.recount();
                let text = format!(
                    "maildrop has {} messages ({} octets)",
                    self.live_count, self.live_size
                );
                self.ok(&text);
            }
            Command::Unknown { .. } => self.error(None, "Unknown command")?,
            _ => self.error(None, "Not allowed in TRANSACTION state")?,
        }
        Ok(())
    }

    fn ok_into(&self, out: &mut BytesMut) {
        StatusLine::ok(&format!(
            "{} messages ({} octets)",
            self.live_count, self.live_size
        ))
        .encode(out);
    }

    fn live(&self) -> impl Iterator<Item = (MessageNumber, &MaildropEntry)> {
        self.maildrop
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, d))| !**d)
            .filter_map(|(i, (e, _))| Some((MessageNumber::from_index(i)?, e)))
    }

    fn recount(&mut self) {
        let (count, size) = self.live().fold((0u32, 0u64), |(c, s), (_, e)| {
            (c.saturating_add(1), s.saturating_add(e.size))
        });
        self.live_count = count;
        self.live_size = size;
    }

    fn no_such_message(&mut self) -> Result<(), ServerError> {
        self.error(None, "no such message")
    }

    fn retrieve(&mut self, msg: MessageNumber, lines: Option<u32>) -> Result<(), ServerError> {
        let Some(size) = self.message(msg).map(|e| e.size) else {
            return self.no_such_message();
        };
        self.pending = Some(Pending::Retrieve {
            size,
            top: lines.map(TopFilter::new),
            started: false,
            encoder: DotEncoder::new(),
        });
        self.events.push_back(Event::Retrieve {
            msg,
            index: msg.index(),
            lines,
        });
        Ok(())
    }

    // ----- answers -----

    /// Answers [`Event::CheckPassword`], [`Event::ApopSecret`] or [`Event::AuthVerify`].
    ///
    /// For `PASS`: [`Answer::Accept`] or [`Answer::Reject`]. For `APOP`:
    /// [`Answer::Password`] with the shared secret, or [`Answer::Reject`]. For `AUTH`: what
    /// the [`Verification`] asks for. On success [`Event::Authorized`] follows; a failure
    /// answers `-ERR [AUTH]` and counts towards [`Config::max_failed_logins`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no credential check is pending.
    pub fn auth_answer(&mut self, answer: Answer) -> Result<(), SendError> {
        match self.pending.take() {
            Some(Pending::Password { user }) => {
                if answer == Answer::Accept {
                    self.authorized(user.as_str().to_owned(), LoginMethod::UserPass);
                } else {
                    let _ = self.login_failed("Invalid credentials");
                }
            }
            Some(Pending::Apop { user, digest }) => {
                let timestamp = self.config.apop_timestamp.clone().unwrap_or_default();
                let good = match &answer {
                    Answer::Password(secret) => {
                        digest.verify(timestamp.as_bytes(), secret.expose().as_bytes())
                    }
                    _ => false,
                };
                if good {
                    self.authorized(user.as_str().to_owned(), LoginMethod::Apop);
                } else {
                    let _ = self.login_failed("Invalid credentials");
                }
            }
            Some(Pending::Sasl) => {
                let Phase::Sasl(auth, _) = &mut self.phase else {
                    return Err(SendError::NotAllowed);
                };
                let step = auth.answer(answer).map_err(|_| SendError::NotAllowed)?;
                let _ = self.sasl_step(step);
            }
            other => {
                self.pending = other;
                return Err(SendError::NotAllowed);
            }
        }
        Ok(())
    }

    /// Answers [`Event::Authorized`]: the maildrop is open and locked; the session enters
    /// TRANSACTION (RFC 1939 §4).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Authorized`] is pending.
    pub fn open_maildrop(&mut self, maildrop: Maildrop) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Authorized)) {
            return Err(SendError::NotAllowed);
        }
        self.pending = None;
        self.deleted = vec![false; maildrop.messages.len()];
        self.maildrop = maildrop.messages;
        self.recount();
        self.phase = Phase::Transaction;
        let text = format!(
            "maildrop has {} messages ({} octets)",
            self.live_count, self.live_size
        );
        self.ok(&text);
        Ok(())
    }

    /// Answers [`Event::Authorized`] with a refusal; the session stays in AUTHORIZATION.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Authorized`] is pending.
    pub fn refuse(&mut self, refusal: Refusal) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Authorized)) {
            return Err(SendError::NotAllowed);
        }
        self.pending = None;
        self.user = None;
        let (code, text) = match refusal {
            Refusal::InUse => (ResponseCode::InUse, "Maildrop already locked"),
            Refusal::LoginDelay => (ResponseCode::LoginDelay, "Login too soon"),
            Refusal::SysTemp => (ResponseCode::SysTemp, "Temporary failure, try later"),
            Refusal::SysPerm => (ResponseCode::SysPerm, "Maildrop unavailable"),
            Refusal::Auth => {
                let _ = self.login_failed("Not allowed to log in");
                return Ok(());
            }
        };
        self.line(Status::Err, Some(code), text);
        Ok(())
    }

    /// Sends the next piece of the message for the pending [`Event::Retrieve`]: the first
    /// call writes `+OK`. Pieces may split lines anywhere; they are dot-stuffed on the fly
    /// and, for `TOP`, cut after the requested lines (further pieces are dropped; see
    /// [`Connection::wants_message_data`]).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Retrieve`] is pending.
    pub fn message_data(&mut self, chunk: &[u8]) -> Result<(), SendError> {
        let Some(Pending::Retrieve {
            size,
            top,
            started,
            encoder,
        }) = &mut self.pending
        else {
            return Err(SendError::NotAllowed);
        };
        if !*started {
            *started = true;
            StatusLine::ok(&format!("{size} octets")).encode(&mut self.output);
        }
        let chunk = match top {
            Some(filter) => chunk.get(..filter.take(chunk)).unwrap_or_default(),
            None => chunk,
        };
        encoder.encode(chunk, &mut self.output);
        Ok(())
    }

    /// Ends the message of the pending [`Event::Retrieve`] (the terminating `.`).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Retrieve`] is pending.
    pub fn message_end(&mut self) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Retrieve { .. })) {
            return Err(SendError::NotAllowed);
        }
        self.message_data(&[])?;
        if let Some(Pending::Retrieve { encoder, .. }) = &mut self.pending {
            encoder.finish(&mut self.output);
        }
        self.pending = None;
        Ok(())
    }

    /// Answers [`Event::Update`]: the deleted messages are gone and the lock released;
    /// `+OK` is sent and the session ends (RFC 1939 §6).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Update`] is pending.
    pub fn update_done(&mut self) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Update)) {
            return Err(SendError::NotAllowed);
        }
        let text = format!(
            "POP3 server signing off ({} messages left)",
            self.live_count
        );
        self.ok(&text);
        self.finish_update();
        Ok(())
    }

    fn finish_update(&mut self) {
        self.pending = None;
        self.user = None;
        self.phase = Phase::Closed;
        self.input.clear();
    }

    /// Answers the pending event with a status line of the application's choosing:
    ///
    /// - [`Event::Retrieve`] before any data: `-ERR` refuses the message; `+OK` replaces the
    ///   default first line, then send the data.
    /// - [`Event::Update`]: the line ends the session (RFC 1939 §6: `-ERR` when some
    ///   deleted messages could not be removed).
    /// - [`Event::Authorized`]: a `-ERR` refuses the login (not counted as failed).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] for any other pending event, for `+OK` to
    /// [`Event::Authorized`], and after message data was sent.
    pub fn send(&mut self, line: StatusLine) -> Result<(), SendError> {
        match &mut self.pending {
            Some(Pending::Retrieve { started, .. }) if !*started => {
                line.encode(&mut self.output);
                if line.is_ok() {
                    *started = true;
                } else {
                    self.pending = None;
                }
            }
            Some(Pending::Update) => {
                line.encode(&mut self.output);
                self.finish_update();
            }
            Some(Pending::Authorized) if !line.is_ok() => {
                line.encode(&mut self.output);
                self.pending = None;
                self.user = None;
            }
            _ => return Err(SendError::NotAllowed),
        }
        Ok(())
    }
}

fn valid_timestamp(t: &str) -> bool {
    t.len() >= 2
        && t.starts_with('<')
        && t.ends_with('>')
        && t.bytes().all(|b| (0x21..=0x7e).contains(&b))
        && t.bytes().filter(|&b| b == b'<' || b == b'>').count() == 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(lines: u32, chunks: &[&[u8]]) -> Vec<u8> {
        let mut f = TopFilter::new(lines);
        let mut out = Vec::new();
        for c in chunks {
            let n = f.take(c);
            out.extend_from_slice(&c[..n]);
        }
        out
    }

    #[test]
    fn top_filter_counts_lines_across_chunks() {
        let msg: &[u8] = b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
        assert_eq!(top(0, &[msg]), b"A: 1\r\nB: 2\r\n\r\n");
        assert_eq!(top(2, &[msg]), b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
        assert_eq!(top(9, &[msg]), msg);
        for split in 0..msg.len() {
            let (a, b) = msg.split_at(split);
            assert_eq!(top(1, &[a, b]), b"A: 1\r\nB: 2\r\n\r\nl1\r\n", "{split}");
        }
    }
}

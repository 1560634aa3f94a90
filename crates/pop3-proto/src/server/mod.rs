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
//! The connection is driven through [`mail_core::connection::Connection`], the contract
//! every connection of this project shares (its documentation gives the call order):
//!
//! 1. [`Connection::new`] queues the `+OK` greeting: write `take_output` to the socket.
//! 2. Loop: `receive_buf` what the socket gives (or `receive_eof`); call `next_event`
//!    until `None`, answering each event that needs it ([`Event::needs_answer`]) with
//!    the method its documentation names; write `take_output` to the socket. While sending
//!    a message for [`Event::Retrieve`], write whenever `wants_write` says so: the message
//!    is never held whole.
//! 3. When `wants_tls_handshake` (after [`Event::StartTls`]): write the output, do the TLS
//!    handshake, call `tls_established`, and read through TLS from then on.
//! 4. [`Event::Closed`] is the last event: write the output, then close the socket. Call
//!    `timed_out` when the client was silent for `timeout` (RFC 1939 §3: at least 10
//!    minutes).
//!
//! Commands are answered strictly in order (RFC 2449 §6.6): while an answer is owed,
//! `next_event` returns `None` even if more pipelined commands are buffered.
//!
//!
//! The module is split by state: `config`, `event`, `authorization` (USER/PASS, APOP, AUTH,
//! STLS), `transaction` (listings, RETR/TOP, DELE, RSET, UPDATE), `top` (TOP's filter).

mod authorization;
mod config;
mod event;
mod top;
mod transaction;

pub use config::{Config, LoginMethod, Maildrop, MaildropEntry, Refusal};
pub use event::{Event, State};

use core::time::Duration;
use mail_core::connection::{self, CloseReason, Core, StateError};
use mail_core::dot::DotEncoder;
use mail_core::line::{LineError, LineFramer};
use mail_core::sasl::authenticator::Authenticator;
use mail_core::sasl::server::ServerConfig;

use crate::capability::Capability;
use crate::command::{ApopDigest, Argument, Command, MessageNumber};
use crate::response::{Language, Response, ResponseCode, Status, StatusLine, Text};
use top::TopFilter;

/// What the server is reading.
enum Phase {
    Authorization {
        user: Option<Argument>,
    },
    /// A SASL exchange: continuation lines go to the [`Authenticator`].
    Sasl,
    Transaction,
    TlsHandshake,
}

/// The decision the application owes.
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
pub struct Connection {
    config: Config,
    core: Core<Event>,
    framer: LineFramer,
    phase: Phase,
    pending: Option<Pending>,
    tls_active: bool,
    utf8: bool,
    language: Option<usize>,
    maildrop: Vec<MaildropEntry>,
    deleted: Vec<bool>,
    live_count: u32,
    live_size: u64,
    /// Consecutive errors; a successful command resets it.
    errors: usize,
    sasl: Authenticator,
    user: Option<String>,
}

impl core::fmt::Debug for Connection {
    /// Shows where the session is, never the buffers or credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state())
            .field("tls_active", &self.tls_active)
            .field("user", &self.user)
            .field("messages", &self.maildrop.len())
            .field("errors", &self.errors)
            .field("sasl", &self.sasl)
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Returns a connection and queues the greeting (RFC 1939 §4), with the APOP timestamp
    /// when one is configured.
    pub fn new(mut config: Config) -> Self {
        // A timestamp that is no `<VCHAR*>` would not read back: APOP is then off.
        if config
            .apop_timestamp
            .as_deref()
            .is_some_and(|t| !valid_timestamp(t))
        {
            config.apop_timestamp = None;
        }
        let mut sasl_config = ServerConfig::default();
        sasl_config.hostname.clone_from(&config.hostname);
        sasl_config.mechanisms.clone_from(&config.sasl_mechanisms);
        sasl_config.max_response_len = config.max_auth_line;
        let mut conn = Self {
            core: Core::new(config.output_high_water),
            framer: LineFramer::new(
                config.max_auth_line.max(config.max_command_line),
                config.bare_newline,
            ),
            phase: Phase::Authorization { user: None },
            pending: None,
            tls_active: config.tls_active,
            utf8: false,
            language: None,
            maildrop: Vec::new(),
            deleted: Vec::new(),
            live_count: 0,
            live_size: 0,
            errors: 0,
            sasl: Authenticator::new(sasl_config, config.nonce.clone(), config.max_auth_failures),
            user: None,
            config,
        };
        let text = match &conn.config.apop_timestamp {
            Some(ts) => format!("{} {ts}", conn.config.greeting),
            None => conn.config.greeting.clone(),
        };
        conn.ok(&text);
        conn
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.core.is_closed() {
            return State::Closed;
        }
        match (&self.phase, &self.pending) {
            (_, Some(Pending::Update)) => State::Update,
            (Phase::TlsHandshake, _) => State::TlsHandshake,
            (Phase::Transaction, _) => State::Transaction,
            (Phase::Authorization { .. } | Phase::Sasl, _) => State::Authorization,
        }
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

    /// Returns whether the pending `TOP` still wants message bytes: `false` once the
    /// requested lines are out, so the application can stop reading the message.
    pub fn wants_message_data(&self) -> bool {
        match &self.pending {
            Some(Pending::Retrieve { top, .. }) => !top.is_some_and(|t| t.done),
            _ => false,
        }
    }

    /// Returns how many logins failed on this connection.
    pub fn auth_failures(&self) -> u32 {
        self.sasl.failures()
    }

    /// Ends the session without UPDATE (RFC 1939 §6): an open maildrop is reported
    /// [`Event::Aborted`] so that its lock is released and nothing deleted.
    fn end_session(&mut self, reason: CloseReason) {
        if matches!(self.phase, Phase::Transaction) || self.user.is_some() {
            self.core.push_event(Event::Aborted);
            self.user = None;
        }
        self.pending = None;
        self.sasl.abort();
        self.core.close(reason);
    }

    /// Reports plaintext the client sent after `STLS` and before the handshake.
    fn discard_input(&mut self) {
        let len = self.core.discard_input();
        if len > 0 {
            self.core.push_event(Event::InputDiscarded { len });
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
        line.encode(self.core.output());
    }

    fn ok(&mut self, text: &str) {
        self.line(Status::Ok, None, text);
    }

    /// Answers `-ERR` and counts the error; closes after too many.
    fn error(&mut self, code: Option<ResponseCode>, text: &str) {
        self.errors = self.errors.saturating_add(1);
        if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
            self.close_with(
                CloseReason::TooManyErrors,
                Some(ResponseCode::SysPerm),
                "Too many errors, closing",
            );
            return;
        }
        self.line(Status::Err, code, text);
    }

    /// Answers `-ERR` and ends the session for `reason`.
    fn close_with(&mut self, reason: CloseReason, code: Option<ResponseCode>, text: &str) {
        self.line(Status::Err, code, text);
        self.end_session(reason);
    }

    // ----- commands -----

    /// Reads and handles one command line. Returns false when no complete line is buffered.
    fn step_command(&mut self) -> bool {
        let max_command_line = self.config.max_command_line;
        // The line is parsed where it lies in the input buffer: no `Bytes` per command.
        let parsed = self.framer.next_line_with(self.core.input(), |line| {
            // RFC 2449 §4: "Commands ... MUST NOT exceed 255 octets, including the terminating
            // CRLF." RFC 5034 §4 keeps the limit for AUTH with an initial response.
            (line.len().saturating_add(2) <= max_command_line).then(|| Command::parse(line))
        });
        match parsed {
            None => return false,
            Some(Ok(Some(Ok(command)))) => self.handle(command),
            Some(Ok(Some(Err(e)))) => self.error(None, &format!("Syntax error: {e}")),
            Some(Ok(None) | Err(LineError::TooLong { .. })) => self.error(None, "Line too long"),
            Some(Err(_)) => self.error(None, "Bare CR or LF in command line"),
        }
        true
    }

    fn handle(&mut self, command: Command) {
        let in_transaction = matches!(self.phase, Phase::Transaction);
        match command {
            Command::Capa => {
                let capabilities = self.capabilities();
                Response::Capabilities {
                    line: StatusLine::ok("Capability list follows"),
                    capabilities,
                }
                .encode(self.core.output());
            }
            Command::Quit if !in_transaction => {
                // RFC 1939 §4: QUIT in AUTHORIZATION ends the session without UPDATE.
                self.ok("POP3 server signing off");
                self.end_session(CloseReason::Quit);
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
                self.core.push_event(Event::Update { deleted });
            }
            Command::Lang(tag) => self.lang(tag),
            command if in_transaction => self.transaction(command),
            command => self.authorization(command),
        }
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

    fn lang(&mut self, tag: Option<Argument>) {
        if self.config.languages.is_empty() {
            return self.error(None, "LANG not supported");
        }
        match tag {
            None => Response::Languages {
                line: StatusLine::ok("Language listing follows"),
                languages: self.config.languages.clone(),
            }
            .encode(self.core.output()),
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
                    None => self.error(None, &format!("Unknown language {tag}")),
                }
            }
        }
    }
}

impl connection::Connection for Connection {
    type Event = Event;

    fn core(&self) -> &Core<Event> {
        &self.core
    }

    fn core_mut(&mut self) -> &mut Core<Event> {
        &mut self.core
    }

    /// Returns the next event, answering by itself whatever needs no decision.
    ///
    /// Returns `None` when more input is needed, when the application owes an answer to
    /// the last event, when the output reached [`Config::output_high_water`] (take it, then
    /// call again), or once [`Event::Closed`] was returned.
    fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.core.pop_event(|reason| Event::Closed { reason }) {
                return Some(event);
            }
            if self.pending.is_some() || !self.core.can_read() {
                return None;
            }
            let progressed = match &self.phase {
                Phase::TlsHandshake => {
                    self.discard_input();
                    false
                }
                Phase::Sasl => self.step_sasl(),
                Phase::Authorization { .. } | Phase::Transaction => self.step_command(),
            };
            if !progressed && !self.core.has_events() {
                if !self.core.is_eof() {
                    return None;
                }
                self.end_session(CloseReason::PeerClosed);
            }
        }
    }

    fn wants_tls_handshake(&self) -> bool {
        matches!(self.phase, Phase::TlsHandshake) && !self.core.is_closed()
    }

    /// The session starts again in AUTHORIZATION (RFC 2595 §4).
    fn tls_established(&mut self) -> Result<(), StateError> {
        if !self.wants_tls_handshake() {
            return Err(StateError);
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

    fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// The inactivity autologout time (RFC 1939 §3).
    fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// Ends the session after the autologout timer expired. RFC 1939 §3: "the session does
    /// NOT enter the UPDATE state--the server should close the TCP connection without
    /// removing any messages or sending any response to the client."
    fn timed_out(&mut self) {
        self.end_session(CloseReason::TimedOut);
    }
}

fn valid_timestamp(t: &str) -> bool {
    t.len() >= 2
        && t.starts_with('<')
        && t.ends_with('>')
        && t.bytes().all(|b| (0x21..=0x7e).contains(&b))
        && t.bytes().filter(|&b| b == b'<' || b == b'>').count() == 2
}

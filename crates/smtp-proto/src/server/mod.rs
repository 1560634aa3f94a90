//! The SMTP (and LMTP) server state machine: bytes in, events out, bytes out.
//!
//! [`Connection`] reads commands from the bytes you receive, answers by itself everything
//! that needs no decision of yours (syntax errors, bad sequences, unknown commands, NOOP,
//! RSET, HELP, over-long lines, too many recipients, messages too large, the SASL exchange),
//! and hands you an [`Event`] for everything else. While you owe an answer to the last
//! event, `next_event` returns `None` even if more pipelined commands are buffered, so
//! replies always leave in command order (RFC 2920 §3.1).
//!
//! # The calling contract
//!
//! The connection is driven through [`mail_core::connection::Connection`], the contract
//! every connection of this project shares (its documentation gives the call order):
//!
//! 1. [`Connection::new`] queues the `220` greeting: write `take_output` to the socket.
//! 2. Loop: read bytes from the socket into `receive_buf` (or call `receive_eof`); then call
//!    `next_event` until it returns `None`, answering each event that asks for an answer
//!    ([`Event::needs_answer`]) with [`accept`](Connection::accept) or
//!    [`send`](Connection::send) (or [`auth_answer`](Connection::auth_answer) for
//!    [`Event::AuthVerify`]); then write `take_output` to the socket.
//! 3. When `wants_tls_handshake` (after [`Event::StartTls`]), write the output, do the TLS
//!    handshake, then call `tls_established` and go on reading through TLS.
//! 4. [`Event::Closed`] is the last event: write the output, then close the socket. Enforce
//!    `timeout` between reads and call `timed_out` when it passes.
//!
//! The module is split by sub-protocol: `config` (policy and limits), `event` (what the
//! application sees), `command` (the command loop: HELO, MAIL, RCPT, STARTTLS…), `auth`
//! (AUTH through mail-core's SASL driver), `data` (DATA and BDAT content), `answer` (the
//! application's answers and the EHLO reply).

mod answer;
mod auth;
mod command;
mod config;
mod data;
mod event;

pub use config::{Config, Extensions};
pub use event::{AbortReason, Event, State};

use core::time::Duration;
use mail_core::connection::{self, CloseReason, Core, StateError};
use mail_core::dot::DotDecoder;
use mail_core::line::LineFramer;
use mail_core::message::Envelope;
use mail_core::sasl::authenticator::Authenticator;
use mail_core::sasl::server::ServerConfig;

use mail_core::address::rfc5321::{ForwardPath, ReversePath};

use crate::command::{HeloDomain, MailParameters, RcptParameters};
use crate::reply::{EnhancedStatusCode, Reply, ReplyCode};

/// What the server is reading.
enum Phase {
    Command,
    Data(DotDecoder),
    Bdat {
        remaining: u64,
        last: bool,
        discard: bool,
    },
    /// A SASL exchange: continuation lines go to the [`Authenticator`].
    Auth,
    TlsHandshake,
}

/// The decision the application owes.
#[derive(Clone, PartialEq, Eq)]
enum Pending {
    Helo {
        domain: HeloDomain,
        extended: bool,
    },
    Mail {
        reverse_path: ReversePath,
        parameters: MailParameters,
    },
    Rcpt {
        forward_path: ForwardPath,
        parameters: RcptParameters,
    },
    MessageEnd {
        replies_left: usize,
    },
    Auth,
    Free,
}

/// The transaction in progress.
struct Transaction {
    envelope: Envelope,
    /// Octets of content received so far.
    size: u64,
    /// Set once content exceeded the limit: the rest is read and dropped.
    too_large: bool,
    /// `BDAT` was used: `DATA` is now a bad sequence (RFC 3030 §3).
    bdat: bool,
    /// A `BDAT` chunk failed: the rest of the message is read and dropped until RSET.
    failed: bool,
    /// Bare CR and LF seen in `BDAT` content, across chunks.
    newlines: data::BdatNewlines,
}

/// An SMTP or LMTP server connection. See the [module docs](self) for the calling contract.
pub struct Connection {
    config: Config,
    core: Core<Event>,
    framer: LineFramer,
    phase: Phase,
    pending: Option<Pending>,
    helo: Option<HeloDomain>,
    esmtp: bool,
    transaction: Option<Transaction>,
    tls_active: bool,
    authenticated: bool,
    /// Consecutive errors; a positive reply resets it.
    errors: usize,
    sasl: Authenticator,
}

impl core::fmt::Debug for Connection {
    /// Shows where the session is, never the buffers: they may hold credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state())
            .field("lmtp", &self.config.lmtp)
            .field("tls_active", &self.tls_active)
            .field("authenticated", &self.authenticated)
            .field("errors", &self.errors)
            .field("sasl", &self.sasl)
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

fn esc(class: u8, subject: u16, detail: u16) -> Option<EnhancedStatusCode> {
    EnhancedStatusCode::new(class, subject, detail)
}

impl Connection {
    /// Returns a connection and queues the `220` greeting.
    pub fn new(config: Config) -> Self {
        // One framer serves commands and AUTH lines, with the larger limit; each kind of
        // line is then held to its own limit, so an over-long line is always consumed whole.
        let framer = LineFramer::new(
            config.max_auth_line.max(config.max_command_line),
            config.bare_newline,
        );
        let mut sasl_config = ServerConfig::default();
        sasl_config.hostname.clone_from(&config.hostname);
        sasl_config.mechanisms.clone_from(&config.sasl_mechanisms);
        let sasl = Authenticator::new(sasl_config, config.nonce.clone(), config.max_auth_failures);
        let mut conn = Self {
            core: Core::new(config.output_high_water),
            framer,
            phase: Phase::Command,
            pending: None,
            helo: None,
            esmtp: false,
            transaction: None,
            tls_active: config.tls_active,
            authenticated: false,
            errors: 0,
            sasl,
            config,
        };
        let text = format!("{} {}", conn.config.hostname, conn.config.greeting);
        conn.reply(ReplyCode::SERVICE_READY, None, &text);
        conn
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.core.is_closed() {
            return State::Closed;
        }
        match &self.phase {
            Phase::TlsHandshake => State::TlsHandshake,
            Phase::Auth => State::Auth,
            Phase::Data(_) | Phase::Bdat { .. } => State::Data,
            Phase::Command => match (&self.helo, &self.transaction) {
                (None, _) => State::Greeted,
                (Some(_), None) => State::Ready,
                (Some(_), Some(t)) if t.envelope.recipients.is_empty() => State::Mail,
                (Some(_), Some(_)) => State::Rcpt,
            },
        }
    }

    /// Returns whether the connection speaks LMTP.
    pub fn is_lmtp(&self) -> bool {
        self.config.lmtp
    }

    /// Returns whether the client has authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Returns how many authentications failed on this connection.
    pub fn auth_failures(&self) -> u32 {
        self.sasl.failures()
    }

    /// Reports plaintext the client sent after `STARTTLS` and before the handshake.
    pub(super) fn discard_input(&mut self) {
        let len = self.core.discard_input();
        if len > 0 {
            self.core.push_event(Event::InputDiscarded { len });
        }
    }

    // ----- replies -----

    pub(super) fn enhanced(&self, code: Option<EnhancedStatusCode>) -> Option<EnhancedStatusCode> {
        if self.config.extensions.enhanced_status_codes {
            code
        } else {
            None
        }
    }

    pub(super) fn reply(
        &mut self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) {
        let enhanced = self.enhanced(enhanced);
        match Reply::new(code, enhanced, text) {
            Ok(r) => r.encode(self.core.output()),
            Err(_) => {
                if let Ok(r) = Reply::new(code, enhanced, "") {
                    r.encode(self.core.output());
                }
            }
        }
    }

    /// A positive reply: resets the error count.
    pub(super) fn ok(&mut self, enhanced: Option<EnhancedStatusCode>, text: &str) {
        self.ok_code(ReplyCode::OK, enhanced, text);
    }

    pub(super) fn ok_code(
        &mut self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) {
        self.errors = 0;
        self.reply(code, enhanced, text);
    }

    /// Replies with an error and counts it; closes after too many in a row.
    pub(super) fn error(
        &mut self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) {
        self.errors = self.errors.saturating_add(1);
        if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
            self.abort_message(AbortReason::ConnectionClosed);
            self.close(
                CloseReason::TooManyErrors,
                esc(4, 7, 0),
                "Too many errors, closing connection",
            );
            return;
        }
        self.reply(code, enhanced, text);
    }

    pub(super) fn bad_sequence(&mut self, text: &str) {
        self.error(ReplyCode::BAD_SEQUENCE, esc(5, 5, 1), text);
    }

    /// Queues `421` (RFC 5321 §3.8) and ends the session for `reason`.
    pub(super) fn close(
        &mut self,
        reason: CloseReason,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) {
        self.close_with(reason, ReplyCode::SERVICE_NOT_AVAILABLE, enhanced, text);
    }

    pub(super) fn close_with(
        &mut self,
        reason: CloseReason,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) {
        if self.core.is_closed() {
            return;
        }
        self.reply(code, enhanced, text);
        self.pending = None;
        self.sasl.abort();
        self.core.close(reason);
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
                Phase::Command => self.step_command(),
                Phase::Auth => self.step_auth(),
                Phase::Data(_) => self.step_data(),
                Phase::Bdat { .. } => self.step_bdat(),
            };
            if !progressed && !self.core.has_events() {
                if !self.core.is_eof() {
                    return None;
                }
                // No progress is possible at end of input: the session is over.
                self.abort_message(AbortReason::ConnectionClosed);
                self.sasl.abort();
                self.core.close_at_eof();
            }
        }
    }

    fn wants_tls_handshake(&self) -> bool {
        matches!(self.phase, Phase::TlsHandshake) && !self.core.is_closed()
    }

    /// The session starts afresh (RFC 3207 §4.2: "the server MUST discard any knowledge
    /// obtained from the client"), and the client must send `EHLO` again.
    fn tls_established(&mut self) -> Result<(), StateError> {
        if !self.wants_tls_handshake() {
            return Err(StateError);
        }
        // Bytes received between the 220 and the handshake are plaintext someone injected.
        self.discard_input();
        self.tls_active = true;
        self.helo = None;
        self.esmtp = false;
        self.transaction = None;
        self.authenticated = false;
        self.framer.reset();
        self.phase = Phase::Command;
        Ok(())
    }

    fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// How long to wait for the client (RFC 5321 §4.5.3.2.7).
    fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// Queues `421 4.4.2` and ends the session.
    fn timed_out(&mut self) {
        self.abort_message(AbortReason::ConnectionClosed);
        self.close(
            CloseReason::TimedOut,
            esc(4, 4, 2),
            "Timeout, closing connection",
        );
    }
}

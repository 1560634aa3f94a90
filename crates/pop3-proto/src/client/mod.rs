//! The POP3 client state machine: bytes in, events out, bytes out.
//!
//! [`Connection`] reads the greeting (keeping the APOP timestamp), and then does what the
//! application asks: [`capa`], [`stls`], [`login`] (SASL with the strongest shared
//! mechanism, then APOP, then USER/PASS), [`stat`], [`list`], [`uidl`], [`retr`], [`top`],
//! [`dele`], [`rset`], [`noop`], [`quit`], and the RFC 6856 [`utf8`] and [`lang`]. Each
//! result comes back as a typed [`Event`]; message bodies arrive un-stuffed, in chunks, as
//! [`Event::MessageData`].
//!
//! # The calling contract
//!
//! The connection is driven through [`mail_core::connection::Connection`], the contract
//! every connection of this project shares:
//!
//! 1. [`Connection::new`]; then loop: `receive_buf` what the socket gives (or
//!    `receive_eof`), call `next_event` until `None`, write `take_output`.
//! 2. After [`Event::Greeting`], issue commands. In TRANSACTION, commands may be issued
//!    at any time: they are written at once when the server offers `PIPELINING` (RFC 2449
//!    §6.6; learn it with [`capa`]) and one at a time otherwise. Results come in order.
//! 3. [`stls`] and [`login`] need an idle connection (no command outstanding). When
//!    `wants_tls_handshake` (after [`Event::StartTls`]), do the TLS handshake, then call
//!    `tls_established`.
//! 4. [`Event::Closed`] is the last event, with its reason; then close the socket. Wait at
//!    most `timeout` for each response and call `timed_out` when it passes.
//!
//! The module is split into `config`, `event`, `commands` (what the application issues) and
//! `response` (reading what the server answers).
//!
//! [`capa`]: Connection::capa
//! [`stls`]: Connection::stls
//! [`login`]: Connection::login
//! [`stat`]: Connection::stat
//! [`list`]: Connection::list
//! [`uidl`]: Connection::uidl
//! [`retr`]: Connection::retr
//! [`top`]: Connection::top
//! [`dele`]: Connection::dele
//! [`rset`]: Connection::rset
//! [`noop`]: Connection::noop
//! [`quit`]: Connection::quit
//! [`utf8`]: Connection::utf8
//! [`lang`]: Connection::lang

mod commands;
mod config;
mod event;
mod response;

pub use crate::server::LoginMethod;
pub use config::{Config, Login};
pub use event::{Event, State};

use core::time::Duration;
use std::collections::VecDeque;

use bytes::Bytes;
use mail_core::Secret;
use mail_core::connection::{self, CloseReason, Core, StateError};
use mail_core::dot::DotDecoder;
use mail_core::line::LineFramer;
use mail_core::sasl::client::Authentication;

use crate::capability::{Capabilities, Capability};
use crate::command::{Command, MessageNumber, Password};
use crate::error::{ClientError, SendError};
use crate::response::{Expect, Greeting, Language, ScanListing, StatusLine, UidListing};

/// A command whose answer is awaited.
enum Op {
    Greeting,
    Capa,
    Stls,
    User {
        password: Password,
    },
    Pass,
    Apop,
    Auth {
        auth: Box<Authentication>,
        held: Option<Secret<Vec<u8>>>,
        cancelled: bool,
    },
    Stat,
    List(Option<MessageNumber>),
    Uidl(Option<MessageNumber>),
    Retrieve(MessageNumber),
    Dele(MessageNumber),
    Rset,
    Noop,
    Quit,
    Utf8,
    Lang(bool),
    Other(&'static str),
}

impl Op {
    fn expect(&self) -> Expect {
        match self {
            Self::Greeting => Expect::Greeting,
            Self::Capa => Expect::Capabilities,
            Self::Stat => Expect::Stat,
            Self::List(Some(_)) => Expect::Scan,
            Self::List(None) => Expect::ScanList,
            Self::Uidl(Some(_)) => Expect::UniqueId,
            Self::Uidl(None) => Expect::UniqueIdList,
            Self::Retrieve(_) => Expect::Message,
            Self::Auth { .. } => Expect::Auth,
            Self::Lang(true) => Expect::Languages,
            _ => Expect::Status,
        }
    }

    fn keyword(&self) -> &'static str {
        match self {
            Self::Greeting => "greeting",
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::User { .. } => "USER",
            Self::Pass => "PASS",
            Self::Apop => "APOP",
            Self::Auth { .. } => "AUTH",
            Self::Stat => "STAT",
            Self::List(_) => "LIST",
            Self::Uidl(_) => "UIDL",
            Self::Retrieve(_) => "RETR",
            Self::Dele(_) => "DELE",
            Self::Rset => "RSET",
            Self::Noop => "NOOP",
            Self::Quit => "QUIT",
            Self::Utf8 => "UTF8",
            Self::Lang(_) => "LANG",
            Self::Other(k) => k,
        }
    }
}

/// What the client is reading.
enum Body {
    None,
    Message(MessageNumber, DotDecoder),
    List(Listing),
}

/// The lines of a multi-line listing read so far, typed by the command that asked for it.
enum Listing {
    Capabilities(Vec<Capability>),
    Scan(Vec<ScanListing>),
    Uid(Vec<UidListing>),
    Languages(Vec<Language>),
}

impl Listing {
    fn len(&self) -> usize {
        match self {
            Self::Capabilities(items) => items.len(),
            Self::Scan(items) => items.len(),
            Self::Uid(items) => items.len(),
            Self::Languages(items) => items.len(),
        }
    }
}

/// A POP3 client connection. See the [module docs](self) for the calling contract.
pub struct Connection {
    config: Config,
    core: Core<Event>,
    framer: LineFramer,
    /// Where the session is, until it is over (then [`Core::is_closed`]).
    state: State,
    body: Body,
    in_flight: VecDeque<Op>,
    queued: VecDeque<(Command, Op)>,
    capabilities: Option<Capabilities>,
    greeting: Option<Greeting>,
    tls_active: bool,
    /// Message content just decoded, returned without a trip through the event queue.
    data: Option<Bytes>,
    /// The status line that ended the session, for [`Event::Closed`].
    closing_line: Option<StatusLine>,
    /// The server's protocol violation that ended the session, for [`Event::Closed`].
    close_error: Option<ClientError>,
}

impl core::fmt::Debug for Connection {
    /// Shows where the session is, never the buffers or the commands in flight: they may
    /// hold credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state())
            .field("tls_active", &self.tls_active)
            .field("in_flight", &self.in_flight.len())
            .field("queued", &self.queued.len())
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Returns a connection waiting for the greeting.
    pub fn new(config: Config) -> Self {
        Self {
            core: Core::new(config.output_high_water),
            framer: LineFramer::new(
                config.max_response_line.max(config.max_auth_line),
                config.bare_newline,
            ),
            state: State::Connecting,
            body: Body::None,
            in_flight: VecDeque::from([Op::Greeting]),
            queued: VecDeque::new(),
            capabilities: None,
            greeting: None,
            tls_active: config.tls_active,
            data: None,
            closing_line: None,
            close_error: None,
            config,
        }
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.core.is_closed() {
            State::Closed
        } else {
            self.state
        }
    }

    /// Returns the server's capabilities, once `CAPA` was answered (since the last STLS).
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// Returns the greeting, once received.
    pub fn greeting(&self) -> Option<&Greeting> {
        self.greeting.as_ref()
    }

    /// Returns whether no command is awaiting its answer.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_empty() && self.queued.is_empty()
    }

    fn pipelining(&self) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(Capabilities::pipelining)
    }

    /// Writes the command now, or queues it until the server answered the previous one.
    fn issue(&mut self, command: Command, op: Op) {
        if self.in_flight.is_empty() || (self.pipelining() && self.queued.is_empty()) {
            command.encode(self.core.output());
            self.in_flight.push_back(op);
        } else {
            self.queued.push_back((command, op));
        }
    }

    fn flush_queue(&mut self) {
        while let Some((command, op)) = self.queued.pop_front() {
            command.encode(self.core.output());
            self.in_flight.push_back(op);
            if !self.pipelining() {
                break;
            }
        }
    }

    fn require(&self, state: State) -> Result<(), SendError> {
        if self.state() == state {
            Ok(())
        } else {
            Err(SendError::NotAllowed)
        }
    }

    fn require_idle_authorization(&self) -> Result<(), SendError> {
        self.require(State::Authorization)?;
        if self.is_idle() {
            Ok(())
        } else {
            Err(SendError::NotAllowed)
        }
    }

    /// Ends the session.
    fn end(&mut self, reason: CloseReason, line: Option<StatusLine>, error: Option<ClientError>) {
        self.closing_line = line;
        self.close_error = error;
        self.in_flight.clear();
        self.queued.clear();
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

    /// Returns the next event; `None` when more input is needed or once [`Event::Closed`]
    /// was returned. A server that breaks the protocol ends the session: [`Event::Closed`]
    /// with [`CloseReason::ProtocolViolation`] and the error.
    fn next_event(&mut self) -> Option<Event> {
        loop {
            let (line, error) = (&mut self.closing_line, &mut self.close_error);
            let event = self.core.pop_event(|reason| Event::Closed {
                reason,
                line: line.take(),
                error: error.take(),
            });
            if event.is_some() {
                return event;
            }
            if self.core.is_closed() {
                return None;
            }
            match self.step() {
                // Message content skips the event queue: it is the hot path of RETR.
                Ok(true) if self.data.is_some() => return self.data.take().map(Event::MessageData),
                Ok(true) => {}
                Ok(false) => {
                    if self.core.has_events() {
                        continue;
                    }
                    if self.core.close_at_eof() {
                        self.in_flight.clear();
                        self.queued.clear();
                        continue;
                    }
                    return None;
                }
                Err(e) => self.end(CloseReason::ProtocolViolation, None, Some(e)),
            }
        }
    }

    fn wants_tls_handshake(&self) -> bool {
        self.state() == State::TlsHandshake
    }

    /// The capabilities are forgotten (RFC 2595 §4: the client MUST discard them); send
    /// [`capa`](Connection::capa) again.
    fn tls_established(&mut self) -> Result<(), StateError> {
        if !self.wants_tls_handshake() {
            return Err(StateError);
        }
        self.tls_active = true;
        self.capabilities = None;
        self.framer.reset();
        self.state = State::Authorization;
        Ok(())
    }

    fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// The server did not answer in time: the session ends.
    fn timed_out(&mut self) {
        self.end(CloseReason::TimedOut, None, None);
    }
}

//! The IMAP client state machine: bytes in, events out, bytes out, with the selected
//! mailbox tracked by the library.
//!
//! [`Connection`] reads the greeting, then sends what the application asks: a typed method
//! per common command ([`login`], [`authenticate`], [`select`], [`fetch`], [`store`],
//! [`search`], [`idle`], [`append_start`], …) or any command with [`send`]. Each returns the
//! [`Tag`] the client generated; the command's untagged data comes as typed [`Event`]s
//! attributed to it, then [`Event::Completed`] with its tagged status. Commands may be
//! pipelined: each is written at once unless an earlier one still waits for the server's
//! `+` (a synchronising literal, AUTHENTICATE, IDLE, a streamed APPEND) or for STARTTLS;
//! then it waits its turn.
//!
//! The client keeps what the server told it:
//!
//! - **capabilities**, from the greeting, `CAPABILITY` responses and `[CAPABILITY …]` codes;
//!   forgotten after STARTTLS (RFC 9051 §6.2.1) and after authentication unless the server
//!   sent them again then (§6.2.2, §6.2.3): [`needs_capabilities`] says when to ask;
//! - what `ENABLE` turned on ([`enabled`], RFC 5161);
//! - the selected mailbox ([`mailbox`]): message count, the sequence number → UID map
//!   through EXPUNGE (with the shift of later numbers) and VANISHED (RFC 7162), FLAGS and
//!   MODSEQ per message from FETCH, UIDVALIDITY (a change resets the view and says so with
//!   [`Event::MailboxReset`]), UIDNEXT, HIGHESTMODSEQ.
//!
//! Literals: the client waits for `+` before each synchronising literal, and uses `{n+}`
//! when the server offers LITERAL+ (or LITERAL- for literals up to 4096 octets, RFC 7888). A
//! tagged `NO`/`BAD` instead of `+` refuses the literal: the command completes with it.
//! FETCH bodies larger than [`Config::stream_literals_over`] arrive in chunks, never whole;
//! an APPEND's message is streamed from the application ([`append_start`],
//! [`append_data`], [`append_end`]).
//!
//! # The calling contract
//!
//! Driven through [`mail_core::connection::Connection`] like every connection of this
//! project (`use imap_proto::prelude::*`):
//!
//! 1. [`Connection::new`]; then loop: `receive_buf` what the socket gives (or
//!    `receive_eof`), call `next_event` until `None`, write `take_output`.
//! 2. After [`Event::Greeting`], issue commands; each ends with [`Event::Completed`].
//! 3. After [`Event::StartTls`], do the TLS handshake and call `tls_established`; bytes the
//!    server sent after its `OK` and before the handshake end the session
//!    ([`ClientError::DataAfterStartTls`]).
//! 4. [`Event::Closed`] is the last event; then close the socket. Wait at most `timeout` for
//!    the server and call `timed_out` when it passes.
//!
//! Pipelining is the application's judgement: RFC 9051 §5.5 forbids sending some commands
//! together (a FETCH by sequence numbers after a command that may expunge).
//!
//! The module is split into `config`, `event`, `view` (the selected mailbox), `commands`
//! (what the application issues) and `response` (reading what the server answers).
//!
//! [`login`]: Connection::login
//! [`authenticate`]: Connection::authenticate
//! [`select`]: Connection::select
//! [`fetch`]: Connection::fetch
//! [`store`]: Connection::store
//! [`search`]: Connection::search
//! [`idle`]: Connection::idle
//! [`append_start`]: Connection::append_start
//! [`append_data`]: Connection::append_data
//! [`append_end`]: Connection::append_end
//! [`send`]: Connection::send
//! [`needs_capabilities`]: Connection::needs_capabilities
//! [`enabled`]: Connection::enabled
//! [`mailbox`]: Connection::mailbox
//! [`ClientError::DataAfterStartTls`]: crate::error::ClientError::DataAfterStartTls

mod commands;
mod config;
mod event;
mod response;
mod view;

pub use config::Config;
pub use event::{Completion, Event, State};
pub use view::{MailboxView, MessageView};

use core::num::NonZeroU32;
use core::time::Duration;
use std::collections::VecDeque;

use bytes::Bytes;
use mail_core::Secret;
use mail_core::connection::{self, CloseReason, Core, StateError};
use mail_core::sasl::client::Authentication;

use crate::error::ClientError;
use crate::framing::Framer;
use crate::response::Status;
use crate::types::{Capability, Fragment, Mailbox, Tag};

/// What a command in flight is, for what its completion changes.
#[derive(Debug)]
enum Kind {
    Capability,
    Login,
    Authenticate,
    StartTls,
    Select {
        mailbox: Mailbox,
        read_only: bool,
    },
    /// CLOSE or UNSELECT.
    Close,
    Unauthenticate,
    Logout,
    Idle,
    Other,
}

/// A command written and awaiting its tagged response.
#[derive(Debug)]
struct InFlight {
    tag: Tag,
    name: &'static str,
    kind: Kind,
}

/// What the command written last still waits for; later commands queue behind it.
enum Blocked {
    /// The rest of a command after a synchronising literal's announcement, sent on `+`.
    Literal {
        tag: Tag,
        rest: VecDeque<Fragment>,
        /// What the command waits for once its literals are sent.
        then: Option<Box<Blocked>>,
    },
    /// The SASL exchange of AUTHENTICATE, until its completion.
    Auth {
        tag: Tag,
        auth: Box<Authentication>,
        /// The initial response, sent after the first (empty) challenge without SASL-IR.
        held: Option<Secret<Vec<u8>>>,
        cancelled: bool,
    },
    /// IDLE: `+` starts it, `DONE` ends it.
    Idle {
        tag: Tag,
        idling: bool,
        done_wanted: bool,
    },
    /// A streamed APPEND: the message's octets, once the server is ready.
    Append {
        tag: Tag,
        ready: bool,
        remaining: u64,
    },
    /// STARTTLS: nothing is sent until the handshake (RFC 9051 §6.2.1).
    StartTls { tag: Tag },
}

impl Blocked {
    fn tag(&self) -> &Tag {
        match self {
            Self::Literal { tag, .. }
            | Self::Auth { tag, .. }
            | Self::Idle { tag, .. }
            | Self::Append { tag, .. }
            | Self::StartTls { tag } => tag,
        }
    }
}

/// A command issued while another blocks: written once it is out of the way.
struct Queued {
    op: InFlight,
    fragments: Vec<Fragment>,
    then: Option<Blocked>,
}

/// An IMAP client connection. See the [module docs](self) for the calling contract.
pub struct Connection {
    config: Config,
    core: Core<Event>,
    framer: Framer,
    state: State,
    tls_active: bool,
    in_flight: VecDeque<InFlight>,
    blocked: Option<Blocked>,
    queued: VecDeque<Queued>,
    next_tag: u32,
    tag_override: Option<Tag>,
    capabilities: Option<Vec<Capability>>,
    /// The server sent capabilities during the authentication in progress.
    capabilities_during_auth: bool,
    enabled: Vec<Capability>,
    view: Option<MailboxView>,
    /// A SELECT at the front of `in_flight` whose view was started.
    select_started: bool,
    /// The streamed FETCH body in progress: the message it belongs to.
    streaming: Option<NonZeroU32>,
    /// Streamed octets, returned without a trip through the event queue.
    data: Option<Bytes>,
    bye: Option<Status>,
    close_error: Option<ClientError>,
}

impl core::fmt::Debug for Connection {
    /// Shows where the session is, never the buffers or the commands: they may hold
    /// credentials.
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
            framer: Framer::new(config.framer()),
            state: State::Greeting,
            tls_active: config.tls_active,
            in_flight: VecDeque::new(),
            blocked: None,
            queued: VecDeque::new(),
            next_tag: 1,
            tag_override: None,
            capabilities: None,
            capabilities_during_auth: false,
            enabled: Vec::new(),
            view: None,
            select_started: false,
            streaming: None,
            data: None,
            bye: None,
            close_error: None,
            config,
        }
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.core.is_closed() {
            State::Logout
        } else {
            self.state
        }
    }

    /// Returns the server's capabilities, while known (see [`needs_capabilities`](Self::needs_capabilities)).
    pub fn capabilities(&self) -> Option<&[Capability]> {
        self.capabilities.as_deref()
    }

    /// Returns whether the server offers `capability` (as far as the client knows).
    pub fn has_capability(&self, capability: &Capability) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.contains(capability))
    }

    /// Returns whether the client does not know the server's capabilities: none were sent
    /// yet, or they were forgotten after STARTTLS or authentication (RFC 9051 §6.2.1–§6.2.3)
    /// because the server did not volunteer them. Send [`capability`](Self::capability).
    pub fn needs_capabilities(&self) -> bool {
        self.capabilities.is_none()
    }

    /// Returns what `ENABLE` turned on (RFC 5161 `ENABLED`).
    pub fn enabled(&self) -> &[Capability] {
        &self.enabled
    }

    /// Returns the selected mailbox as the server has described it.
    pub fn mailbox(&self) -> Option<&MailboxView> {
        self.view.as_ref()
    }

    /// Returns whether no command is awaiting its completion.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_empty() && self.queued.is_empty() && self.blocked.is_none()
    }

    /// Returns how many octets of the server's input the client holds: the unparsed input
    /// plus the part of a response before a streamed literal. A streamed FETCH body never
    /// counts more than what one read delivered.
    pub fn buffered(&self) -> usize {
        self.core.input_len().saturating_add(self.framer.held())
    }

    /// Ends the session with `reason`.
    fn end(&mut self, reason: CloseReason, error: Option<ClientError>) {
        if self.close_error.is_none() {
            self.close_error = error;
        }
        self.in_flight.clear();
        self.queued.clear();
        self.blocked = None;
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

    /// Returns the next event; `None` when more input is needed, the output must be written
    /// first, or once [`Event::Closed`] was returned. A server that breaks the protocol ends
    /// the session: [`Event::Closed`] with [`CloseReason::ProtocolViolation`] and the error.
    fn next_event(&mut self) -> Option<Event> {
        loop {
            let (bye, error) = (&mut self.bye, &mut self.close_error);
            let event = self.core.pop_event(|reason| Event::Closed {
                reason,
                bye: bye.take(),
                error: error.take(),
            });
            if event.is_some() {
                return event;
            }
            if !self.core.can_read() {
                return None;
            }
            match self.step() {
                // Streamed octets skip the event queue: they are the hot path of FETCH.
                Ok(true) if self.data.is_some() => {
                    return self.data.take().map(Event::FetchBodyData);
                }
                Ok(true) => {}
                Ok(false) => {
                    if self.core.has_events() {
                        continue;
                    }
                    if self.core.is_eof() {
                        let reason = if self.bye.is_some() {
                            if self.state == State::Logout {
                                CloseReason::Quit
                            } else {
                                CloseReason::ServerClosed
                            }
                        } else {
                            CloseReason::PeerClosed
                        };
                        self.end(reason, None);
                        continue;
                    }
                    return None;
                }
                Err(e) => self.end(CloseReason::ProtocolViolation, Some(e)),
            }
        }
    }

    fn wants_tls_handshake(&self) -> bool {
        self.state() == State::TlsHandshake
    }

    /// The capabilities are forgotten (RFC 9051 §6.2.1: the client MUST discard them); send
    /// [`capability`](Connection::capability) again.
    fn tls_established(&mut self) -> Result<(), StateError> {
        if !self.wants_tls_handshake() {
            return Err(StateError);
        }
        self.tls_active = true;
        self.capabilities = None;
        self.framer.reset();
        self.state = State::NotAuthenticated;
        self.blocked = None;
        self.flush();
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
        self.end(CloseReason::TimedOut, None);
    }
}

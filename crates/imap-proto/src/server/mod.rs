//! The IMAP server state machine: bytes in, events out, bytes out, with the selected mailbox
//! tracked by the library.
//!
//! [`Connection`] frames and parses commands, answers by itself everything that needs no
//! decision of the application (CAPABILITY, NOOP, CHECK, LOGOUT, ID, ENABLE, STARTTLS, the
//! SASL exchange, commands in the wrong state, syntax errors, limits), and hands the
//! application an [`Event`] for the rest. The application only ever deals in UIDs and
//! mailbox changes: the library keeps the session's sequence-number ↔ UID map, resolves
//! sequence sets (with `*`, `$` and reversed ranges) before the application sees a command,
//! and sends the changes the application reports ([`Connection::mailbox_changed`]) only where
//! the protocol allows them (RFC 9051 §5.2, §7.5.1): no `EXPUNGE` during FETCH, STORE or
//! SEARCH (their UID forms may have them) nor when no command is in progress, `EXISTS`
//! before any FETCH about a new message, `FLAGS` before a new keyword is used, everything at
//! once during IDLE.
//!
//! # The calling contract
//!
//! The connection is driven through [`mail_core::connection::Connection`], the contract every
//! connection of this project shares (bring it into scope with `use imap_proto::prelude::*`):
//!
//! 1. [`Connection::new`] queues the greeting: write `take_output` to the socket.
//! 2. Loop: `receive_buf` what the socket gives (or `receive_eof`); call `next_event` until
//!    `None`, answering each event that needs it ([`Event::needs_answer`]) with the methods its
//!    documentation names; write `take_output`.
//! 3. Report changes of the selected mailbox whenever they happen with
//!    [`Connection::mailbox_changed`]; during IDLE they go out at once (write the output).
//! 4. When `wants_tls_handshake` (after [`Event::StartTls`]), do the TLS handshake and call
//!    `tls_established`.
//! 5. [`Event::Closed`] is the last event: write the output, then close the socket.
//!
//! The module is split by job: `config`, `event`, `mailbox` (the session's view of the
//! selected mailbox), `command` (reading and dispatching commands), `auth` (LOGIN,
//! AUTHENTICATE, STARTTLS), `append` (APPEND, streamed), `answer` (the application's
//! answers), `encode` (responses).

mod answer;
mod append;
mod auth;
mod command;
mod config;
mod encode;
mod event;
mod mailbox;

pub use answer::{CopyUid, StreamedSection};
pub use config::{Config, Greeting, LiteralPlus};
pub use event::{Event, MailboxSnapshot, MailboxUpdate, MessageInfo, State, Uid};

use core::time::Duration;
use mail_core::connection::{self, CloseReason, Core, StateError};
use mail_core::line::LineFramer;
use mail_core::sasl::authenticator::Authenticator;
use mail_core::sasl::server::ServerConfig;

use crate::command::SearchReturn;
use crate::framing::{Framer, FramerConfig};
use crate::response::{Code, StatusKind};
use crate::types::Tag;
use mailbox::{Flush, Selected};

/// What the server is reading.
#[derive(Debug)]
enum Reading {
    /// Commands, through the framer.
    Commands,
    /// AUTHENTICATE's continuation lines.
    Auth,
    /// IDLE: waiting for `DONE`.
    Idle,
    /// APPEND: a message's octets or the rest of the command line.
    Append(append::Appending),
    /// `OK` to STARTTLS sent: nothing is read until the handshake.
    TlsHandshake,
}

/// The answer the application owes, and what the library needs to finish the command.
#[derive(Debug)]
enum Pending {
    /// A synchronising literal of a command other than APPEND.
    Literal {
        tag: Option<Tag>,
    },
    /// A credential check; `login` for LOGIN (else AUTHENTICATE).
    Auth {
        tag: Tag,
        login: bool,
    },
    Select {
        tag: Tag,
        read_only: bool,
        condstore: bool,
        qresync: bool,
    },
    /// CLOSE: the application expunges silently.
    Close {
        tag: Tag,
    },
    Fetch {
        tag: Tag,
        uid: bool,
        /// A streamed section is being written.
        streaming: bool,
        /// UID FETCH (VANISHED): the UID set the client asked about.
        vanished: Option<crate::types::SequenceSet>,
    },
    Store {
        tag: Tag,
        uid: bool,
        silent: bool,
        modified: Vec<Uid>,
    },
    Search {
        tag: Tag,
        uid: bool,
        return_options: Option<Vec<SearchReturn>>,
    },
    Expunge {
        tag: Tag,
    },
    Copy {
        tag: Tag,
        move_: bool,
        uids: Vec<Uid>,
    },
    /// APPEND: accept or refuse the announced message.
    AppendStart,
    /// APPEND complete.
    AppendDone {
        tag: Tag,
    },
    /// Any other command: untagged data, then the completion.
    Command {
        tag: Tag,
        /// What may be sent before the completion: no expunges after SORT and THREAD,
        /// which answer with sequence numbers (RFC 5256 §3, as SEARCH, RFC 9051 §7.5.1).
        flush: Flush,
    },
}

/// What the client turned on with ENABLE (RFC 5161).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Enabled {
    rev2: bool,
    condstore: bool,
    qresync: bool,
    utf8: bool,
}

/// An IMAP server connection. See the [module docs](self) for the calling contract.
pub struct Connection {
    config: Config,
    core: Core<Event>,
    framer: Framer,
    /// Reads AUTHENTICATE continuations and IDLE's DONE.
    lines: LineFramer,
    reading: Reading,
    pending: Option<Pending>,
    authenticated: bool,
    selected: Option<Selected>,
    enabled: Enabled,
    tls_active: bool,
    sasl: Authenticator,
    /// The tag of the AUTHENTICATE or LOGIN in progress.
    auth_tag: Option<Tag>,
    /// LOGIN's user name while its password is checked.
    login_user: Option<String>,
    /// The tag of IDLE while idling.
    idle: Option<Tag>,
    /// The result saved by `SEARCH RETURN (SAVE)` (RFC 5182), for `$`.
    saved_search: Option<Vec<Uid>>,
    /// Consecutive `BAD` answers.
    bad_commands: usize,
    /// The client's UIDVALIDITY and mod-sequence of a SELECT (QRESYNC …) being answered.
    qresync_since: Option<(core::num::NonZeroU32, u64)>,
    /// The FETCH being answered asked for `UID`.
    fetch_wants_uid: bool,
    /// Octets still to come in a streamed FETCH section.
    fetch_remaining: u64,
    /// The text buffer responses are encoded in, kept from one response to the next.
    scratch: Vec<u8>,
}

impl core::fmt::Debug for Connection {
    /// Shows where the session is, never the buffers: they may hold credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state())
            .field("tls_active", &self.tls_active)
            .field("selected", &self.selected.as_ref().map(Selected::exists))
            .field("enabled", &self.enabled)
            .field("sasl", &self.sasl)
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Returns a connection and queues the greeting (RFC 9051 §7.1).
    pub fn new(config: Config) -> Self {
        let mut framer_config = FramerConfig::server();
        framer_config.max_line = config.max_line;
        // Until the client authenticates, the smaller literal limit (raised by
        // `authenticated_limits`).
        let max_literal = config.max_literal.min(config.max_literal_unauthenticated);
        framer_config.max_literal = max_literal;
        framer_config.max_message = max_literal.saturating_add(config.max_line as u64);
        framer_config.literal_minus = config.literal_plus == LiteralPlus::Minus;
        framer_config.bare_newline = config.bare_newline;
        let mut sasl_config = ServerConfig::default();
        sasl_config.hostname.clone_from(&config.hostname);
        sasl_config.mechanisms.clone_from(&config.sasl_mechanisms);
        let sasl = Authenticator::new(sasl_config, config.nonce.clone(), config.max_auth_failures);
        let mut conn = Self {
            core: Core::new(config.output_high_water),
            framer: Framer::new(framer_config),
            lines: LineFramer::new(config.max_line, config.bare_newline),
            reading: Reading::Commands,
            pending: None,
            authenticated: false,
            selected: None,
            enabled: Enabled::default(),
            tls_active: config.tls_active,
            sasl,
            auth_tag: None,
            login_user: None,
            idle: None,
            saved_search: None,
            bad_commands: 0,
            qresync_since: None,
            fetch_wants_uid: false,
            fetch_remaining: 0,
            scratch: Vec::new(),
            config,
        };
        conn.greet();
        conn
    }

    /// Grants an authenticated client the full literal limit.
    pub(super) fn authenticated_limits(&mut self) {
        let max_literal = self.config.max_literal;
        self.framer.set_limits(
            max_literal,
            max_literal.saturating_add(self.config.max_line as u64),
        );
    }

    fn greet(&mut self) {
        let text = self.config.greeting_text.clone();
        match self.config.greeting.clone() {
            Greeting::Ok => {
                let code = Code::Capability(self.capabilities());
                self.untagged(StatusKind::Ok, Some(code), &text);
            }
            Greeting::PreAuth(_) => {
                self.authenticated = true;
                self.authenticated_limits();
                let code = Code::Capability(self.capabilities());
                self.untagged(StatusKind::PreAuth, Some(code), &text);
            }
            Greeting::Bye => {
                self.untagged(StatusKind::Bye, None, &text);
                self.core.close(CloseReason::Local);
            }
        }
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.core.is_closed() {
            State::Logout
        } else if matches!(self.reading, Reading::TlsHandshake) {
            State::TlsHandshake
        } else if self.idle.is_some() {
            State::Idle
        } else if let Some(s) = &self.selected {
            State::Selected {
                read_only: s.read_only,
            }
        } else if self.authenticated {
            State::Authenticated
        } else {
            State::NotAuthenticated
        }
    }

    /// Returns the UIDVALIDITY of the selected mailbox.
    pub fn uid_validity(&self) -> Option<core::num::NonZeroU32> {
        self.selected.as_ref().map(|s| s.uid_validity)
    }

    /// Returns the UIDs of the selected mailbox in sequence order, as the client knows them.
    pub fn selected_uids(&self) -> Option<&[Uid]> {
        self.selected.as_ref().map(Selected::uids)
    }

    /// Returns whether the client enabled IMAP4rev2 (RFC 9051 §6.3.1): it then gets no
    /// `RECENT`, and unsolicited FETCH responses carry the UID.
    pub fn is_rev2(&self) -> bool {
        self.enabled.rev2
    }

    /// Returns whether CONDSTORE is in use for this session (enabled, or turned on by a
    /// CONDSTORE-aware command, RFC 7162 §3.1).
    pub fn is_condstore(&self) -> bool {
        self.enabled.condstore || self.selected.as_ref().is_some_and(|s| s.condstore)
    }

    /// Returns how many authentications failed on this connection.
    pub fn auth_failures(&self) -> u32 {
        self.sasl.failures()
    }

    /// Reports a change of the selected mailbox, at any time: it is sent when the protocol
    /// allows (at once during IDLE). Changes reported while no mailbox is selected are
    /// ignored.
    pub fn mailbox_changed(&mut self, update: MailboxUpdate) {
        let Some(selected) = &mut self.selected else {
            return;
        };
        selected.report(update);
        if self.idle.is_some() {
            // RFC 2177: while idling, changes are sent as they happen.
            self.flush_updates(Flush::All);
        }
    }

    /// Returns whether the application owes an answer to the last event
    /// ([`Event::needs_answer`]): until it answers, [`next_event`](connection::Connection::next_event)
    /// returns nothing.
    pub fn is_answer_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Ends the session at once with an untagged `BYE text` (RFC 9051 §7.1.5): for an
    /// application that cannot go on, such as a server whose storage failed in the middle of
    /// an answer that [`refuse`](Self::refuse) can no longer end (a streamed FETCH section).
    /// The pending answer, if any, is dropped; the session closes with
    /// [`CloseReason::Local`] once the output is written.
    /// Inside a streamed section no `BYE` is sent (the peer would read it as message data):
    /// the session just ends.
    pub fn abort(&mut self, text: &str) {
        if matches!(
            self.pending,
            Some(Pending::Fetch {
                streaming: true,
                ..
            })
        ) {
            self.end(CloseReason::Local);
        } else {
            self.bye(CloseReason::Local, text);
        }
    }

    /// Ends the session for `reason` after an untagged `BYE`.
    fn bye(&mut self, reason: CloseReason, text: &str) {
        if self.core.is_closed() {
            return;
        }
        self.untagged(StatusKind::Bye, None, text);
        self.end(reason);
    }

    /// Ends the session: a selected mailbox is closed first.
    fn end(&mut self, reason: CloseReason) {
        if self.selected.take().is_some() {
            self.core
                .push_event(Event::MailboxClosed { expunge: false });
        }
        self.pending = None;
        self.idle = None;
        self.sasl.abort();
        self.core.close(reason);
    }

    /// Sends the queued mailbox changes that `mode` allows.
    fn flush_updates(&mut self, mode: Flush) {
        let vanished = self.enabled.qresync;
        let Some(selected) = &mut self.selected else {
            return;
        };
        if !selected.has_updates(mode) {
            return;
        }
        let updates = selected.flush(mode, vanished);
        for update in updates {
            self.encode_update(update);
        }
    }

    /// Sends the tagged completion of a command and counts `BAD`s (closing after too many in a
    /// row, RFC 9051 §7.1.3 leaves the policy to the server).
    fn complete_with(&mut self, tag: Tag, kind: StatusKind, code: Option<Code>, text: &str) {
        self.tagged(tag, kind, code, text);
        if kind == StatusKind::Bad {
            self.bad_commands = self.bad_commands.saturating_add(1);
            if self.config.max_bad_commands > 0 && self.bad_commands >= self.config.max_bad_commands
            {
                self.bye(CloseReason::TooManyErrors, "Too many invalid commands");
            }
        } else {
            self.bad_commands = 0;
        }
    }

    /// Refuses a message that is not a command, or a command in the wrong state, with `BAD`.
    fn bad(&mut self, tag: Option<Tag>, text: &str) {
        match tag {
            Some(tag) => self.complete_with(tag, StatusKind::Bad, None, text),
            None => {
                self.untagged(StatusKind::Bad, None, text);
                self.bad_commands = self.bad_commands.saturating_add(1);
                if self.config.max_bad_commands > 0
                    && self.bad_commands >= self.config.max_bad_commands
                {
                    self.bye(CloseReason::TooManyErrors, "Too many invalid commands");
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
    /// Returns `None` when more input is needed, when the application owes an answer to the
    /// last event, when the output reached [`Config::output_high_water`] (take it, then call
    /// again), or once [`Event::Closed`] was returned.
    fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.core.pop_event(|reason| Event::Closed { reason }) {
                return Some(event);
            }
            if self.pending.is_some() || !self.core.can_read() {
                return None;
            }
            let progressed = match &self.reading {
                Reading::TlsHandshake => {
                    self.discard_input();
                    false
                }
                Reading::Commands => self.step_command(),
                Reading::Auth => self.step_auth(),
                Reading::Idle => self.step_idle(),
                Reading::Append(_) => self.step_append(),
            };
            if !progressed && !self.core.has_events() {
                if !self.core.is_eof() {
                    return None;
                }
                self.end(CloseReason::PeerClosed);
            }
        }
    }

    fn wants_tls_handshake(&self) -> bool {
        matches!(self.reading, Reading::TlsHandshake) && !self.core.is_closed()
    }

    /// RFC 9051 §6.2.1: the server forgets what it learned and discards anything the client
    /// sent before the handshake.
    fn tls_established(&mut self) -> Result<(), StateError> {
        if !self.wants_tls_handshake() {
            return Err(StateError);
        }
        self.discard_input();
        self.tls_active = true;
        self.framer.reset();
        self.lines.reset();
        self.reading = Reading::Commands;
        Ok(())
    }

    fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// The autologout timer (RFC 9051 §5.4): short before authentication, at least 30
    /// minutes after.
    fn timeout(&self) -> Duration {
        if self.authenticated {
            self.config.timeout_authenticated
        } else {
            self.config.timeout_unauthenticated
        }
    }

    /// Says `BYE` and ends the session (RFC 9051 §5.4).
    fn timed_out(&mut self) {
        self.bye(CloseReason::TimedOut, "Autologout; idle for too long");
    }
}

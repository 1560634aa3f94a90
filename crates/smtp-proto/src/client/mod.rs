//! The SMTP (and LMTP) client state machine: bytes in, events out, bytes out.
//!
//! [`Connection`] reads the greeting, says `EHLO` (falling back to `HELO`), tracks the
//! server's capabilities, and then does what the application asks: [`starttls`],
//! [`authenticate`] (choosing the strongest mechanism both sides allow), [`send_mail`]
//! (pipelined when the server offers PIPELINING, with a result per recipient), message
//! content through [`send_body`] / [`finish_body`] (dot-stuffed on the fly, or in `BDAT`
//! chunks), [`reset`], [`quit`], or any raw [`Command`] with [`send`].
//!
//! # The calling contract
//!
//! The connection is driven through [`mail_core::connection::Connection`], the contract
//! every connection of this project shares:
//!
//! 1. [`Connection::new`]; then loop: `receive_buf` what the socket gives (or
//!    `receive_eof`), call `next_event` until `None`, write `take_output`.
//! 2. Act on [`Event::Ready`] (the session is usable), [`Event::SendBody`] (send the
//!    content; write whenever `wants_write` says the output is full). When
//!    `wants_tls_handshake` (after [`Event::StartTls`]), do the TLS handshake, then call
//!    `tls_established`.
//! 3. Wait for each operation's result before starting another: the methods return
//!    [`SendError::NotAllowed`] while one is in progress.
//! 4. [`Event::Closed`] is the last event, with its reason; then close the socket. Wait at
//!    most `timeout` for each reply (RFC 5321 §4.5.3.2) and call `timed_out` when it passes.
//!
//! The module is split by sub-protocol: `config`, `event`, `transaction` (MAIL, RCPT,
//! DATA/BDAT), `auth` (AUTH).
//!
//! [`starttls`]: Connection::starttls
//! [`authenticate`]: Connection::authenticate
//! [`send_mail`]: Connection::send_mail
//! [`send_body`]: Connection::send_body
//! [`finish_body`]: Connection::finish_body
//! [`reset`]: Connection::reset
//! [`quit`]: Connection::quit
//! [`send`]: Connection::send

mod auth;
mod config;
mod event;
mod transaction;

pub use config::{Config, MailTransaction};
pub use event::{Event, State};

use core::time::Duration;
use std::collections::VecDeque;

use bytes::Bytes;
use mail_core::address::rfc5321::ForwardPath;
use mail_core::connection::{self, CloseReason, Core, StateError};
use mail_core::dot::DotEncoder;
use mail_core::line::{BareNewline, LineError, LineFramer};
use mail_core::sasl::client::Authentication;

use crate::capability::{Capability, EhloReply};
use crate::command::{Command, RcptParameters};
use crate::error::{ClientError, SendError};
use crate::reply::{Reply, ReplyCode, ReplyParser};

/// A reply the client waits for, in the order the commands were sent.
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt(usize),
    Data,
    DataEnd,
    Bdat {
        last: bool,
    },
    /// RSET sent by the client itself after a failed transaction; when its reply comes the
    /// failure (this reply) is reported, so the session is idle again by then.
    ResetAfter(Reply),
    /// A command from the application; its reply becomes [`Event::Reply`].
    Plain,
    Quit,
}

/// The transaction in progress.
struct Outgoing {
    recipients: Vec<ForwardPath>,
    accepted: Vec<usize>,
    answered: usize,
    mail_ok: bool,
    failed: Option<Reply>,
    bdat: bool,
    /// Whether BDAT chunks may follow each other without waiting (the server offers
    /// PIPELINING and the configuration allows it).
    pipelined: bool,
    /// Without pipelining: a chunk is on its way and its reply has not come yet.
    chunk_pending: bool,
    /// Without pipelining: chunks the application gave while one was pending, sent one per
    /// reply (RFC 3030 §2 lets only a PIPELINING server expect chunks in a row).
    held: VecDeque<Bytes>,
    /// Without pipelining: the content of `BDAT … LAST` (empty or the CRLF that ends the
    /// last line), when `finish_body` came while a chunk was pending.
    held_last: Option<Bytes>,
    /// `BODY=BINARYMIME`: BDAT content goes as it is; otherwise its line ends are made CRLF
    /// (by `encoder`, without dot-stuffing), as DATA's are.
    binary: bool,
    data_sent: bool,
    in_body: bool,
    encoder: DotEncoder,
    final_replies: Vec<(ForwardPath, Reply)>,
}

/// An SMTP or LMTP client connection. See the [module docs](self) for the calling contract.
pub struct Connection {
    config: Config,
    core: Core<Event>,
    framer: LineFramer,
    parser: ReplyParser,
    expect: VecDeque<Expect>,
    capabilities: Option<EhloReply>,
    tls_active: bool,
    authenticated: bool,
    auth: Option<Box<Authentication>>,
    outgoing: Option<Outgoing>,
    /// RCPTs still to send one by one when the server does not pipeline.
    unpipelined: VecDeque<(usize, ForwardPath, RcptParameters)>,
    tls_pending: bool,
    /// The reply that ended the session, for [`Event::Closed`].
    closing_reply: Option<Reply>,
    /// The server's protocol violation that ended the session, for [`Event::Closed`].
    close_error: Option<ClientError>,
}

impl core::fmt::Debug for Connection {
    /// Shows where the session is, never the buffers or the SASL exchange: they may hold
    /// credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state())
            .field("lmtp", &self.config.lmtp)
            .field("tls_active", &self.tls_active)
            .field("authenticated", &self.authenticated)
            .field("awaiting", &self.expect.len())
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Returns a connection waiting for the server's greeting.
    pub fn new(config: Config) -> Self {
        Self {
            core: Core::new(config.output_high_water),
            framer: LineFramer::new(config.max_reply_line, BareNewline::Reject),
            parser: ReplyParser::new(config.reply_limits),
            expect: VecDeque::from([Expect::Greeting]),
            capabilities: None,
            tls_active: config.tls_active,
            authenticated: false,
            auth: None,
            outgoing: None,
            unpipelined: VecDeque::new(),
            tls_pending: false,
            closing_reply: None,
            close_error: None,
            config,
        }
    }

    /// Returns the server's capabilities from the last EHLO, if any.
    pub fn capabilities(&self) -> Option<&EhloReply> {
        self.capabilities.as_ref()
    }

    /// Returns whether the client has authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.core.is_closed() {
            State::Closed
        } else if self.tls_pending {
            State::TlsHandshake
        } else if self.outgoing.as_ref().is_some_and(|o| o.in_body) {
            State::Body
        } else if self.capabilities.is_none() {
            State::Connecting
        } else if self.expect.is_empty() && self.outgoing.is_none() {
            State::Ready
        } else {
            State::Busy
        }
    }

    fn ready_for_command(&self) -> bool {
        !self.core.is_closed()
            && self.capabilities.is_some()
            && self.expect.is_empty()
            && self.outgoing.is_none()
            && !self.tls_pending
    }

    fn has(&self, cap: &Capability) -> bool {
        self.capabilities.as_ref().is_some_and(|c| c.has(cap))
    }

    fn command(&mut self, command: &Command, expect: Expect) {
        command.encode(self.core.output());
        self.expect.push_back(expect);
    }

    /// Sends `STARTTLS` (RFC 3207).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when busy, when TLS is active, or when the server did not
    /// offer STARTTLS.
    pub fn starttls(&mut self) -> Result<(), SendError> {
        if !self.ready_for_command() || self.tls_active || !self.has(&Capability::StartTls) {
            return Err(SendError::NotAllowed);
        }
        self.command(&Command::StartTls, Expect::StartTls);
        Ok(())
    }

    fn send_ehlo(&mut self) {
        let name = self.config.hostname.clone();
        if self.config.lmtp {
            self.command(&Command::Lhlo(name), Expect::Ehlo);
        } else {
            self.command(&Command::Ehlo(name), Expect::Ehlo);
        }
    }

    /// Sends `RSET`; its reply comes as [`Event::Reply`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] while another operation is in progress.
    pub fn reset(&mut self) -> Result<(), SendError> {
        self.send(Command::Rset)
    }

    /// Sends `NOOP`; its reply comes as [`Event::Reply`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] while another operation is in progress.
    pub fn noop(&mut self) -> Result<(), SendError> {
        self.send(Command::Noop(None))
    }

    /// Sends `QUIT`; [`Event::Closed`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] once closed or while the content is being sent.
    pub fn quit(&mut self) -> Result<(), SendError> {
        if self.core.is_closed() || self.outgoing.as_ref().is_some_and(|o| o.in_body) {
            return Err(SendError::NotAllowed);
        }
        self.command(&Command::Quit, Expect::Quit);
        Ok(())
    }

    /// Sends any command whose reply the application reads itself (`VRFY`, `EXPN`, `HELP`,
    /// `ETRN`, `NOOP`, `RSET`, unknown verbs): [`Event::Reply`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] while another operation is in progress, or for a command
    /// that has its own method (EHLO, MAIL, RCPT, DATA, BDAT, AUTH, STARTTLS, QUIT).
    pub fn send(&mut self, command: Command) -> Result<(), SendError> {
        if !self.ready_for_command() {
            return Err(SendError::NotAllowed);
        }
        match command {
            Command::Vrfy(_)
            | Command::Expn(_)
            | Command::Help(_)
            | Command::Noop(_)
            | Command::Rset
            | Command::Etrn(_)
            | Command::Unknown { .. } => {
                self.command(&command, Expect::Plain);
                Ok(())
            }
            _ => Err(SendError::NotAllowed),
        }
    }

    /// Ends the session: the server broke the protocol.
    fn fail(&mut self, e: ClientError) {
        self.close_error = Some(e);
        self.core.close(CloseReason::ProtocolViolation);
    }

    /// Ends the session with the server's reply.
    fn end(&mut self, reason: CloseReason, reply: Reply) {
        self.closing_reply = Some(reply);
        self.core.close(reason);
    }

    fn on_reply(&mut self, reply: Reply) {
        let Some(expect) = self.expect.pop_front() else {
            // Only 421 may come unasked (RFC 5321 §3.8).
            if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE {
                return self.end(CloseReason::ServerClosed, reply);
            }
            return self.fail(ClientError::UnexpectedReply(reply));
        };
        if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE && !matches!(expect, Expect::Rcpt(_)) {
            // The server is shutting the connection down.
            return self.end(CloseReason::ServerClosed, reply);
        }
        match expect {
            Expect::Greeting => {
                if reply.code() != ReplyCode::SERVICE_READY {
                    return self.end(CloseReason::ServerClosed, reply);
                }
                self.core.push_event(Event::Greeting(reply));
                self.send_ehlo();
            }
            Expect::Ehlo => {
                if reply.code().is_positive_completion() {
                    let caps = match EhloReply::from_reply(&reply) {
                        Ok(caps) => caps,
                        Err(e) => return self.fail(ClientError::Reply(e)),
                    };
                    self.capabilities = Some(caps.clone());
                    self.core.push_event(Event::Ready(caps));
                } else if !self.config.lmtp && matches!(reply.code().get(), 500 | 502) {
                    // RFC 5321 §4.1.4: an old server; fall back to HELO.
                    let name = self.config.hostname.clone();
                    self.command(&Command::Helo(name), Expect::Helo);
                } else {
                    self.fail(ClientError::Refused(reply));
                }
            }
            Expect::Helo => {
                if !reply.code().is_positive_completion() {
                    return self.fail(ClientError::Refused(reply));
                }
                let domain = reply
                    .text_lines()
                    .next()
                    .and_then(|l| l.split(' ').next())
                    .unwrap_or_default();
                let caps = EhloReply::new(domain, []);
                self.capabilities = Some(caps.clone());
                self.core.push_event(Event::Ready(caps));
            }
            Expect::StartTls => {
                if reply.code() == ReplyCode::SERVICE_READY {
                    self.tls_pending = true;
                    self.core.push_event(Event::StartTls);
                } else {
                    self.core.push_event(Event::StartTlsRefused(reply));
                }
            }
            Expect::Auth => self.on_auth_reply(reply),
            Expect::Mail => {
                if let Some(o) = &mut self.outgoing {
                    o.mail_ok = reply.code().is_positive_completion();
                    if !o.mail_ok {
                        o.failed = Some(reply);
                    }
                }
                self.after_mail_or_rcpt();
            }
            Expect::Rcpt(i) => {
                if let Some(o) = &mut self.outgoing {
                    o.answered += 1;
                    if reply.code().is_positive_completion() && o.mail_ok {
                        o.accepted.push(i);
                    }
                    if o.mail_ok
                        && let Some(fp) = o.recipients.get(i)
                    {
                        self.core.push_event(Event::Recipient {
                            forward_path: fp.clone(),
                            reply,
                        });
                    }
                }
                self.after_mail_or_rcpt();
            }
            Expect::Data => self.on_data_reply(reply),
            Expect::DataEnd | Expect::Bdat { last: true } => self.on_final_reply(reply),
            Expect::Bdat { last: false } => self.on_chunk_reply(reply),
            Expect::ResetAfter(failure) => self.core.push_event(Event::TransactionFailed(failure)),
            Expect::Plain => self.core.push_event(Event::Reply(reply)),
            Expect::Quit => self.end(CloseReason::Quit, reply),
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

    /// Returns the next event; `None` when more input is needed or once [`Event::Closed`]
    /// was returned. A server that breaks the protocol (a malformed or unexpected reply,
    /// bytes after the STARTTLS `220`) ends the session: [`Event::Closed`] with
    /// [`CloseReason::ProtocolViolation`] and the error.
    fn next_event(&mut self) -> Option<Event> {
        loop {
            let (reply, error) = (&mut self.closing_reply, &mut self.close_error);
            let event = self.core.pop_event(|reason| Event::Closed {
                reason,
                reply: reply.take(),
                error: error.take(),
            });
            if event.is_some() {
                return event;
            }
            if self.core.is_closed() {
                return None;
            }
            if self.tls_pending {
                if self.core.has_input() {
                    // RFC 3207 §4.2 / the 2021 "NO STARTTLS" study: bytes that came with or
                    // after the 220 are plaintext an attacker may have injected.
                    self.fail(ClientError::DataAfterStartTls);
                    continue;
                }
                return None;
            }
            let line = match self.framer.next_line(self.core.input()) {
                None => {
                    if self.core.close_at_eof() {
                        continue;
                    }
                    return None;
                }
                Some(Ok(line)) => line,
                Some(Err(LineError::TooLong { .. })) => {
                    self.fail(ClientError::LineTooLong);
                    continue;
                }
                Some(Err(_)) => {
                    self.fail(ClientError::BareNewline);
                    continue;
                }
            };
            match self.parser.push_line(&line) {
                Ok(None) => {}
                Ok(Some(reply)) => self.on_reply(reply),
                Err(e) => self.fail(ClientError::Reply(e)),
            }
        }
    }

    fn wants_tls_handshake(&self) -> bool {
        self.tls_pending && !self.core.is_closed()
    }

    /// The client forgets what it knew and says EHLO again (RFC 3207 §4.2);
    /// [`Event::Ready`] follows.
    fn tls_established(&mut self) -> Result<(), StateError> {
        if !self.wants_tls_handshake() {
            return Err(StateError);
        }
        self.tls_pending = false;
        self.tls_active = true;
        self.capabilities = None;
        self.authenticated = false;
        self.core.discard_input();
        self.framer.reset();
        self.parser.reset();
        self.send_ehlo();
        Ok(())
    }

    fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// How long to wait for the server's next reply (RFC 5321 §4.5.3.2): 5 minutes for the
    /// greeting, MAIL and RCPT, 2 for DATA, 3 per content block, 10 after the end of the
    /// content; [`Config::timeout`] otherwise.
    fn timeout(&self) -> Duration {
        let minutes = match self.expect.front() {
            Some(Expect::Greeting | Expect::Mail | Expect::Rcpt(_)) => 5,
            Some(Expect::Data) => 2,
            Some(Expect::DataEnd | Expect::Bdat { last: true }) => 10,
            Some(Expect::Bdat { last: false }) => 3,
            None if self.outgoing.as_ref().is_some_and(|o| o.in_body) => 3,
            _ => return self.config.timeout,
        };
        Duration::from_secs(60 * minutes)
    }

    /// The server did not answer in time: the session ends (RFC 5321 §4.5.3.2).
    fn timed_out(&mut self) {
        self.core.close(CloseReason::TimedOut);
    }
}

//! The SMTP (and LMTP) server state machine: bytes in, events out, bytes out.
//!
//! [`Connection`] reads commands from the bytes you [`receive`](Connection::receive), answers
//! by itself everything that needs no decision of yours (syntax errors, bad sequences,
//! unknown commands, NOOP, RSET, HELP, over-long lines, too many recipients, messages too
//! large, the SASL exchange), and hands you an [`Event`] for everything else. While you owe
//! an answer to the last event, [`next_event`](Connection::next_event) returns `None` even if
//! more pipelined commands are buffered, so replies always leave in command order
//! (RFC 2920 §3.1).
//!
//! # The calling contract
//!
//! 1. [`Connection::new`] queues the `220` greeting: write [`take_output`] to the socket.
//! 2. Loop: read bytes from the socket into [`receive`] (or call [`receive_eof`]); then call
//!    [`next_event`] until it returns `Ok(None)`, answering each event that asks for an
//!    answer ([`Event::needs_answer`]) with [`accept`] or [`send`] (or [`auth_answer`] for
//!    [`Event::AuthVerify`]); then write [`take_output`] to the socket.
//! 3. On [`Event::StartTls`], write the output, do the TLS handshake, then call
//!    [`tls_established`] and go on reading through TLS.
//! 4. Close the socket when [`is_closed`] is true and the output is written. Enforce
//!    [`timeout`] between reads.
//!
//! [`take_output`]: Connection::take_output
//! [`receive`]: Connection::receive
//! [`receive_eof`]: Connection::receive_eof
//! [`next_event`]: Connection::next_event
//! [`accept`]: Connection::accept
//! [`send`]: Connection::send
//! [`auth_answer`]: Connection::auth_answer
//! [`tls_established`]: Connection::tls_established
//! [`is_closed`]: Connection::is_closed
//! [`timeout`]: Connection::timeout

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::dot::{DotDecoder, DotEvent};
use mail_core::line::{BareNewline, LineError, LineFramer};
use mail_core::message::{Envelope, EsmtpParameter, Recipient};
use mail_core::sasl::server::{
    Answer, Authentication, ContinuationError, ServerConfig, Step, Verification,
};
use mail_core::sasl::{self, Mechanism, Nonce};

use crate::capability::{Capability, EhloReply};
use crate::command::{
    Argument, Body, Command, EnvelopeSyntax, HeloDomain, MailParameters, RcptParameters,
};
use crate::error::{CommandError, SendError, ServerError};
use crate::reply::{EnhancedStatusCode, Reply, ReplyCode};

/// Which ESMTP extensions the server offers in its EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extensions {
    /// `PIPELINING` (RFC 2920). Default on.
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152). Default on.
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531). Default on.
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030): `BDAT`. Default on.
    pub chunking: bool,
    /// `BINARYMIME` (RFC 3030); only offered with `chunking`. Default off.
    pub binarymime: bool,
    /// `DSN` (RFC 3461): accept `RET`, `ENVID`, `NOTIFY`, `ORCPT`. Default on.
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034): the server's own replies carry them. Default on.
    pub enhanced_status_codes: bool,
    /// `STARTTLS` (RFC 3207), offered until TLS is active. Default off: turn it on when
    /// the adapter has a certificate.
    pub starttls: bool,
    /// `REQUIRETLS` (RFC 8689), offered only once TLS is active. Default off.
    pub requiretls: bool,
    /// `HELP`. Default on.
    pub help: bool,
    /// Keywords the application offers itself, appended to the EHLO reply.
    pub other: Vec<Capability>,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            pipelining: true,
            eight_bit_mime: true,
            smtputf8: true,
            chunking: true,
            binarymime: false,
            dsn: true,
            enhanced_status_codes: true,
            starttls: false,
            requiretls: false,
            help: true,
            other: Vec::new(),
        }
    }
}

/// The server's policy and limits. [`Config::default`] gives RFC 5321 values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The server's own name, in the greeting and the EHLO reply.
    pub hostname: String,
    /// Text after the name in the greeting. Default `ESMTP` (`LMTP` in LMTP mode).
    pub greeting: String,
    /// LMTP (RFC 2033): `LHLO` instead of `HELO`/`EHLO`, and one reply per recipient after
    /// the message.
    pub lmtp: bool,
    /// The longest command line, CRLF included (RFC 5321 §4.5.3.1.4: 512).
    pub max_command_line: usize,
    /// The longest line during an AUTH exchange, CRLF included (RFC 4954 §4: 12288).
    pub max_auth_line: usize,
    /// The largest message, in octets; `0` for no limit. Declared as `SIZE`.
    pub max_message_size: u64,
    /// The most recipients per transaction (RFC 5321 §4.5.3.1.8: at least 100).
    pub max_recipients: usize,
    /// Consecutive errors after which the server answers `421` and closes.
    pub max_errors: usize,
    /// What to do with a bare CR or LF, in commands and in message data.
    pub bare_newline: BareNewline,
    /// The ESMTP extensions offered.
    pub extensions: Extensions,
    /// The SASL mechanisms offered with `AUTH`; empty for no `AUTH` at all.
    pub auth_mechanisms: Vec<Mechanism>,
    /// Refuse `MAIL` until the client has authenticated (`530 5.7.0`), as a submission
    /// server (RFC 6409) does. Default off.
    pub require_auth: bool,
    /// Offer and accept `AUTH` on a connection without TLS. Default off (RFC 4954 §4:
    /// credentials must not cross an unprotected channel).
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (implicit TLS, RFC 8314 submissions on port 465).
    pub tls_active: bool,
    /// Hand `VRFY` to the application instead of answering `252` (RFC 5321 §3.5.3).
    pub application_vrfy: bool,
    /// Hand `EXPN` to the application instead of answering `502`.
    pub application_expn: bool,
    /// Hand `ETRN` to the application instead of answering `502`.
    pub application_etrn: bool,
    /// Hand unknown verbs to the application instead of answering `500`.
    pub application_unknown: bool,
    /// Accept `MAIL`/`RCPT` parameters the server does not know (they reach the
    /// application in `other`); off by default: `555` (RFC 5321 §4.1.1.11).
    pub accept_unknown_parameters: bool,
    /// How long to wait for the client (RFC 5321 §4.5.3.2.7: at least 5 minutes).
    pub timeout: Duration,
    /// The `HELP` text.
    pub help: String,
    /// Which `MAIL FROM:` / `RCPT TO:` forms outside RFC 5321 are accepted; default
    /// [`EnvelopeSyntax::postfix`] (a space after the colon, a path without brackets).
    pub envelope_syntax: EnvelopeSyntax,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hostname: String::from("localhost"),
            greeting: String::from("ESMTP"),
            lmtp: false,
            max_command_line: 512,
            max_auth_line: 12288,
            max_message_size: 35 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 20,
            bare_newline: BareNewline::Reject,
            extensions: Extensions::default(),
            auth_mechanisms: Vec::new(),
            require_auth: false,
            allow_plaintext_auth: false,
            tls_active: false,
            application_vrfy: false,
            application_expn: false,
            application_etrn: false,
            application_unknown: false,
            accept_unknown_parameters: false,
            timeout: Duration::from_secs(300),
            help: String::from("See RFC 5321"),
            envelope_syntax: EnvelopeSyntax::postfix(),
        }
    }
}

impl Config {
    /// Returns the default configuration for LMTP (RFC 2033).
    pub fn lmtp() -> Self {
        Self {
            lmtp: true,
            greeting: String::from("LMTP"),
            ..Self::default()
        }
    }
}

/// What the server has done, or what the application must decide.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `HELO`, `EHLO` or `LHLO`. Answer with [`Connection::accept`] (the server builds the
    /// EHLO reply from [`Config::extensions`]) or [`Connection::send`] a rejection.
    Helo {
        /// The client's name for itself.
        domain: HeloDomain,
        /// `EHLO`/`LHLO` rather than `HELO`.
        extended: bool,
    },
    /// `MAIL FROM`. Accept to start the transaction.
    Mail {
        /// The reverse path.
        reverse_path: ReversePath,
        /// Its parameters, already checked against the offered extensions.
        parameters: MailParameters,
    },
    /// `RCPT TO`. Accept to add the recipient.
    Rcpt {
        /// The recipient.
        forward_path: ForwardPath,
        /// Its parameters, already checked against the offered extensions.
        parameters: RcptParameters,
    },
    /// The message content starts (after `354`, or with the first `BDAT` chunk): the
    /// envelope is complete, so storage can be chosen now. No answer.
    MessageStart {
        /// The transaction's envelope, with the accepted recipients.
        envelope: Envelope,
    },
    /// A piece of the message content, in order: un-stuffed after `DATA`, as sent with
    /// `BDAT`. The message is never buffered whole by the server. No answer.
    MessageData(Bytes),
    /// The message is complete. Answer with [`Connection::accept`] or [`Connection::send`]
    /// (`250` = accepted for delivery); in LMTP mode send one reply per accepted recipient,
    /// in recipient order.
    MessageEnd {
        /// The transaction's envelope, with the accepted recipients.
        envelope: Envelope,
    },
    /// The message in progress is void: it was too large, held bare newlines, the client
    /// sent `RSET` between `BDAT` chunks, or the connection ended. The server has replied;
    /// discard what was stored. No answer.
    MessageAborted {
        /// Why.
        reason: AbortReason,
    },
    /// `AUTH`: check these credentials and call [`Connection::auth_answer`].
    AuthVerify(Verification),
    /// The client authenticated (the server sent `235`). No answer.
    Authenticated {
        /// The mechanism used.
        mechanism: Mechanism,
        /// The identity to act as, if different from the authentication identity.
        authorization_identity: Option<String>,
        /// The identity whose credentials were checked, when the mechanism has one.
        authentication_identity: Option<String>,
    },
    /// `STARTTLS` was accepted and `220` queued: write the output, do the TLS handshake,
    /// then call [`Connection::tls_established`].
    StartTls,
    /// Plaintext that arrived after `STARTTLS` and before the TLS handshake was discarded
    /// (RFC 3207 §4.2; CVE-2011-0411). No answer; worth logging.
    InputDiscarded {
        /// How many octets.
        len: usize,
    },
    /// `VRFY` (only with [`Config::application_vrfy`]): send the answer.
    Vrfy(Argument),
    /// `EXPN` (only with [`Config::application_expn`]): send the answer.
    Expn(Argument),
    /// `ETRN` (only with [`Config::application_etrn`]): send the answer.
    Etrn(Argument),
    /// An unknown verb (only with [`Config::application_unknown`]): send the answer.
    Unknown {
        /// The verb.
        verb: String,
        /// Its arguments.
        arguments: Option<Argument>,
    },
}

impl Event {
    /// Returns whether the application must answer this event before the server goes on.
    pub fn needs_answer(&self) -> bool {
        !matches!(
            self,
            Self::MessageStart { .. }
                | Self::MessageData(_)
                | Self::MessageAborted { .. }
                | Self::Authenticated { .. }
                | Self::StartTls
                | Self::InputDiscarded { .. }
        )
    }
}

/// Why a message was abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AbortReason {
    /// Larger than [`Config::max_message_size`]; the server answered `552 5.3.4`.
    TooLarge,
    /// A bare CR or LF under [`BareNewline::Reject`]; the server answered `550 5.5.2`.
    BareNewline,
    /// `RSET` (or `HELO`/`EHLO`) between `BDAT` chunks.
    Reset,
    /// The connection ended inside the message.
    ConnectionClosed,
}

/// Where the session is (RFC 5321 §4.1.4 command order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Greeting sent; no `HELO`/`EHLO` yet.
    Greeted,
    /// `HELO`/`EHLO` done; no transaction.
    Ready,
    /// `MAIL` accepted; no recipient yet.
    Mail,
    /// At least one recipient accepted.
    Rcpt,
    /// Reading message content after `DATA` or `BDAT`.
    Data,
    /// In a SASL exchange.
    Auth,
    /// `220` to `STARTTLS` sent; waiting for [`Connection::tls_established`].
    TlsHandshake,
    /// `221` or `421` sent: close the connection once the output is written.
    Closed,
}

/// What one command line held, as [`Connection::step_command`] reads it.
enum CommandLine {
    /// A command.
    Command(Command),
    /// A line over the command-line limit.
    TooLong,
    /// A line that does not parse, copied for the error reply.
    Invalid(Bytes, CommandError),
}

/// What the server is reading.
#[derive(Debug)]
enum Phase {
    Command,
    Data(DotDecoder),
    Bdat {
        remaining: u64,
        last: bool,
        discard: bool,
    },
    Auth(Box<Authentication>),
    TlsHandshake,
    Closed,
}

/// The decision the application owes.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// An SMTP or LMTP server connection. See the [module docs](self) for the calling contract.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    input: BytesMut,
    output: BytesMut,
    framer: LineFramer,
    phase: Phase,
    events: std::collections::VecDeque<Event>,
    pending: Option<Pending>,
    helo: Option<HeloDomain>,
    esmtp: bool,
    transaction: Option<Transaction>,
    tls_active: bool,
    authenticated: bool,
    errors: usize,
    nonce: Option<Nonce>,
    auth_attempts: u32,
    eof: bool,
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
        let tls_active = config.tls_active;
        let mut conn = Self {
            config,
            input: BytesMut::new(),
            output: BytesMut::new(),
            framer,
            phase: Phase::Command,
            events: std::collections::VecDeque::new(),
            pending: None,
            helo: None,
            esmtp: false,
            transaction: None,
            tls_active,
            authenticated: false,
            errors: 0,
            nonce: None,
            auth_attempts: 0,
            eof: false,
        };
        let text = format!("{} {}", conn.config.hostname, conn.config.greeting);
        conn.reply_plain(ReplyCode::SERVICE_READY, &text);
        conn
    }

    /// Sets the nonce that CRAM-MD5 and SCRAM-SHA-256 need (RFC 2195 §2, RFC 5802 §5.1).
    /// Give every connection a fresh random one; each AUTH attempt on the connection appends
    /// a counter so no exchange reuses it. Without a nonce these two mechanisms are not
    /// offered.
    pub fn set_nonce(&mut self, nonce: Nonce) {
        self.nonce = Some(nonce);
    }

    /// Appends bytes read from the client. Never parses, never fails.
    pub fn receive(&mut self, bytes: &[u8]) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.input.extend_from_slice(bytes);
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
        match &self.phase {
            Phase::Closed => State::Closed,
            Phase::TlsHandshake => State::TlsHandshake,
            Phase::Auth(_) => State::Auth,
            Phase::Data(_) | Phase::Bdat { .. } => State::Data,
            Phase::Command => match (&self.helo, &self.transaction) {
                (None, _) => State::Greeted,
                (Some(_), None) => State::Ready,
                (Some(_), Some(t)) if t.envelope.recipients.is_empty() => State::Mail,
                (Some(_), Some(_)) => State::Rcpt,
            },
        }
    }

    /// Returns whether the connection is over: close the socket once the output is written.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Returns whether the connection speaks LMTP.
    pub fn is_lmtp(&self) -> bool {
        self.config.lmtp
    }

    /// Returns whether TLS is active.
    pub fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// Returns whether the client has authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Returns how long to wait for the client before giving up (RFC 5321 §4.5.3.2.7). When
    /// it passes, call [`Connection::timed_out`] and write the output.
    pub fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// Queues `421 4.4.2` and closes the connection: the client was silent for too long.
    pub fn timed_out(&mut self) {
        self.abort_message(AbortReason::ConnectionClosed);
        self.close(
            ReplyCode::SERVICE_NOT_AVAILABLE,
            esc(4, 4, 2),
            "Timeout, closing connection",
        );
    }

    /// Call after the TLS handshake that followed [`Event::StartTls`]: the session starts
    /// afresh (RFC 3207 §4.2: "the server MUST discard any knowledge obtained from the
    /// client"), and the client must send `EHLO` again.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no STARTTLS handshake is in progress.
    pub fn tls_established(&mut self) -> Result<(), SendError> {
        if !matches!(self.phase, Phase::TlsHandshake) {
            return Err(SendError::NotAllowed);
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

    /// Returns the next event, answering by itself whatever needs no decision.
    ///
    /// Returns `Ok(None)` when more input is needed, when the application owes an answer to
    /// the last event, or when the connection is closed.
    ///
    /// # Errors
    /// [`ServerError::Closed`] once, when the server closed the connection because of the
    /// client (too many errors, a `BDAT` whose size cannot be read, a bare newline under
    /// [`BareNewline::Reject`]); the closing reply is in the output.
    pub fn next_event(&mut self) -> Result<Option<Event>, ServerError> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Ok(Some(event));
            }
            if self.pending.is_some() {
                return Ok(None);
            }
            match &mut self.phase {
                Phase::Closed => return Ok(None),
                Phase::TlsHandshake => {
                    self.discard_input();
                    if self.events.is_empty() {
                        return Ok(None);
                    }
                }
                Phase::Command => {
                    if !self.step_command()? {
                        return self.finish_at_eof();
                    }
                }
                Phase::Auth(_) => {
                    if !self.step_auth() {
                        return self.finish_at_eof();
                    }
                }
                Phase::Data(_) => {
                    if !self.step_data() {
                        return self.finish_at_eof();
                    }
                }
                Phase::Bdat { .. } => {
                    if !self.step_bdat() {
                        return self.finish_at_eof();
                    }
                }
            }
        }
    }

    /// Called when no progress is possible: at end of input, the session is over.
    fn finish_at_eof(&mut self) -> Result<Option<Event>, ServerError> {
        if self.eof && !matches!(self.phase, Phase::Closed) {
            self.abort_message(AbortReason::ConnectionClosed);
            self.phase = Phase::Closed;
            if let Some(event) = self.events.pop_front() {
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    fn discard_input(&mut self) {
        if !self.input.is_empty() {
            let len = self.input.len();
            self.input.clear();
            self.events.push_back(Event::InputDiscarded { len });
        }
    }

    // ----- replies -----

    fn enhanced(&self, code: Option<EnhancedStatusCode>) -> Option<EnhancedStatusCode> {
        if self.config.extensions.enhanced_status_codes {
            code
        } else {
            None
        }
    }

    fn reply(&mut self, code: ReplyCode, enhanced: Option<EnhancedStatusCode>, text: &str) {
        let enhanced = self.enhanced(enhanced);
        match Reply::new(code, enhanced, text) {
            Ok(r) => r.encode(&mut self.output),
            Err(_) => {
                if let Ok(r) = Reply::new(code, enhanced, "") {
                    r.encode(&mut self.output);
                }
            }
        }
    }

    fn reply_plain(&mut self, code: ReplyCode, text: &str) {
        self.reply(code, None, text);
    }

    /// Replies with an error and counts it; closes after too many in a row.
    fn error(
        &mut self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) -> Result<(), ServerError> {
        self.errors += 1;
        if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
            self.close(
                ReplyCode::SERVICE_NOT_AVAILABLE,
                esc(4, 7, 0),
                "Too many errors, closing connection",
            );
            return Err(ServerError::Closed);
        }
        self.reply(code, enhanced, text);
        Ok(())
    }

    fn close(&mut self, code: ReplyCode, enhanced: Option<EnhancedStatusCode>, text: &str) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.reply(code, enhanced, text);
        self.phase = Phase::Closed;
        self.pending = None;
        self.input.clear();
    }

    fn abort_message(&mut self, reason: AbortReason) {
        let in_message = matches!(self.phase, Phase::Data(_) | Phase::Bdat { .. })
            || self
                .transaction
                .as_ref()
                .is_some_and(|t| t.bdat && !t.failed);
        if in_message {
            self.events.push_back(Event::MessageAborted { reason });
        }
    }

    // ----- commands -----

    /// Reads and handles one command line. Returns false when no complete line is buffered.
    fn step_command(&mut self) -> Result<bool, ServerError> {
        let max_command_line = self.config.max_command_line;
        let envelope_syntax = self.config.envelope_syntax;
        // The line is parsed where it lies in the input buffer; only a line that fails to
        // parse is copied out, for the error reply.
        let read = self.framer.next_line_with(&mut self.input, |line| {
            let is_auth = line
                .get(..5)
                .is_some_and(|v| v.eq_ignore_ascii_case(b"AUTH "));
            // RFC 5321 §4.5.3.1.4: 512 octets with CRLF; RFC 4954 §4 lets AUTH be longer.
            if !is_auth && line.len() + 2 > max_command_line {
                return CommandLine::TooLong;
            }
            match Command::parse_with(line, envelope_syntax) {
                Ok(command) => CommandLine::Command(command),
                Err(e) => CommandLine::Invalid(Bytes::copy_from_slice(line), e),
            }
        });
        let read = match read {
            None => return Ok(false),
            Some(Ok(read)) => read,
            Some(Err(LineError::TooLong { .. })) => CommandLine::TooLong,
            Some(Err(LineError::BareLf | LineError::BareCr { .. })) | Some(Err(_)) => {
                // Postfix `smtpd_forbid_bare_newline = reject`: reply and disconnect.
                self.close(
                    ReplyCode::NO_MAIL_ACCEPTED,
                    esc(5, 5, 2),
                    "Bare CR or LF received, closing connection",
                );
                return Err(ServerError::Closed);
            }
        };
        match read {
            CommandLine::Command(command) => self.handle(command)?,
            CommandLine::TooLong => {
                self.error(ReplyCode::SYNTAX_ERROR, esc(5, 5, 2), "Line too long")?;
            }
            CommandLine::Invalid(line, e) => self.parse_error(&line, &e)?,
        }
        Ok(true)
    }

    fn parse_error(&mut self, line: &[u8], e: &CommandError) -> Result<(), ServerError> {
        let verb = line.split(|&b| b == b' ').next().unwrap_or_default();
        if verb.eq_ignore_ascii_case(b"BDAT") {
            // RFC 3030 §2: the chunk follows whatever we think of the command; read it.
            let args = line.get(5..).unwrap_or_default();
            match crate::command::bdat_size(args) {
                Some(size) => {
                    self.phase = Phase::Bdat {
                        remaining: size,
                        last: false,
                        discard: true,
                    };
                    if let Some(t) = &mut self.transaction {
                        t.failed = true;
                    }
                    return self.error(
                        ReplyCode::PARAMETER_SYNTAX_ERROR,
                        esc(5, 5, 4),
                        "Syntax: BDAT size [LAST]",
                    );
                }
                None => {
                    // Without a size the chunk cannot be told from commands: stop here.
                    self.abort_message(AbortReason::ConnectionClosed);
                    self.close(
                        ReplyCode::SERVICE_NOT_AVAILABLE,
                        esc(4, 5, 4),
                        "Unreadable BDAT size, closing connection",
                    );
                    return Err(ServerError::Closed);
                }
            }
        }
        match e {
            CommandError::DuplicateParameter { .. } | CommandError::Parameter { .. } => {
                let text = e.to_string();
                self.error(ReplyCode::PARAMETER_SYNTAX_ERROR, esc(5, 5, 4), &text)
            }
            CommandError::Syntax { .. } => {
                let text = format!("Syntax error: {e}");
                self.error(ReplyCode::PARAMETER_SYNTAX_ERROR, esc(5, 5, 2), &text)
            }
        }
    }

    fn bad_sequence(&mut self, text: &str) -> Result<(), ServerError> {
        self.error(ReplyCode::BAD_SEQUENCE, esc(5, 5, 1), text)
    }

    fn handle(&mut self, command: Command) -> Result<(), ServerError> {
        let lmtp = self.config.lmtp;
        match command {
            Command::Helo(domain) if !lmtp => self.ask(Pending::Helo {
                domain,
                extended: false,
            }),
            Command::Ehlo(domain) if !lmtp => self.ask(Pending::Helo {
                domain,
                extended: true,
            }),
            Command::Lhlo(domain) if lmtp => self.ask(Pending::Helo {
                domain,
                extended: true,
            }),
            Command::Helo(_) | Command::Ehlo(_) | Command::Lhlo(_) => self.error(
                ReplyCode::SYNTAX_ERROR,
                esc(5, 5, 1),
                "Command not recognized",
            ),
            Command::Mail {
                reverse_path,
                parameters,
            } => self.mail(reverse_path, parameters),
            Command::Rcpt {
                forward_path,
                parameters,
            } => self.rcpt(forward_path, parameters),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.abort_message(AbortReason::Reset);
                self.transaction = None;
                self.ok(esc(2, 0, 0), "Ok");
                Ok(())
            }
            Command::Noop(_) => {
                self.ok(esc(2, 0, 0), "Ok");
                Ok(())
            }
            Command::Quit => {
                self.abort_message(AbortReason::ConnectionClosed);
                let text = format!("{} Bye", self.config.hostname);
                self.close(ReplyCode::CLOSING, esc(2, 0, 0), &text);
                Ok(())
            }
            Command::Help(_) => {
                let text = self.config.help.clone();
                self.ok_code(ReplyCode::HELP, esc(2, 0, 0), &text);
                Ok(())
            }
            Command::Vrfy(arg) if self.config.application_vrfy => self.ask_free(Event::Vrfy(arg)),
            Command::Vrfy(_) => {
                self.ok_code(
                    ReplyCode::CANNOT_VRFY,
                    esc(2, 5, 2),
                    "Cannot VRFY user, but will accept message and attempt delivery",
                );
                Ok(())
            }
            Command::Expn(arg) if self.config.application_expn => self.ask_free(Event::Expn(arg)),
            Command::Etrn(arg) if self.config.application_etrn => self.ask_free(Event::Etrn(arg)),
            Command::Expn(_) | Command::Etrn(_) => self.error(
                ReplyCode::NOT_IMPLEMENTED,
                esc(5, 5, 1),
                "Command not implemented",
            ),
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(
                mechanism,
                initial_response.as_ref().map(|r| r.expose().as_slice()),
            ),
            Command::Unknown { verb, arguments } if self.config.application_unknown => {
                self.ask_free(Event::Unknown { verb, arguments })
            }
            _ => self.error(
                ReplyCode::SYNTAX_ERROR,
                esc(5, 5, 2),
                "Command not recognized",
            ),
        }
    }

    /// A positive reply: resets the error count.
    fn ok(&mut self, enhanced: Option<EnhancedStatusCode>, text: &str) {
        self.ok_code(ReplyCode::OK, enhanced, text);
    }

    fn ok_code(&mut self, code: ReplyCode, enhanced: Option<EnhancedStatusCode>, text: &str) {
        self.errors = 0;
        self.reply(code, enhanced, text);
    }

    fn ask(&mut self, pending: Pending) -> Result<(), ServerError> {
        let event = match &pending {
            Pending::Helo { domain, extended } => Event::Helo {
                domain: domain.clone(),
                extended: *extended,
            },
            Pending::Mail {
                reverse_path,
                parameters,
            } => Event::Mail {
                reverse_path: reverse_path.clone(),
                parameters: parameters.clone(),
            },
            Pending::Rcpt {
                forward_path,
                parameters,
            } => Event::Rcpt {
                forward_path: forward_path.clone(),
                parameters: parameters.clone(),
            },
            Pending::MessageEnd { .. } | Pending::Auth | Pending::Free => return Ok(()),
        };
        self.events.push_back(event);
        self.pending = Some(pending);
        Ok(())
    }

    fn ask_free(&mut self, event: Event) -> Result<(), ServerError> {
        self.events.push_back(event);
        self.pending = Some(Pending::Free);
        Ok(())
    }

    fn mail(
        &mut self,
        reverse_path: ReversePath,
        parameters: MailParameters,
    ) -> Result<(), ServerError> {
        if self.helo.is_none() {
            return self.bad_sequence("Send HELO/EHLO first");
        }
        if self.transaction.is_some() {
            return self.bad_sequence("Nested MAIL command");
        }
        if self.config.require_auth && !self.authenticated {
            // RFC 4954 §6: 530 Authentication required.
            return self.error(
                ReplyCode::AUTH_REQUIRED,
                esc(5, 7, 0),
                "Authentication required",
            );
        }
        let ext = &self.config.extensions;
        let non_esmtp = !self.esmtp && (parameters != MailParameters::default());
        if non_esmtp {
            return self.error(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                "Parameters need EHLO",
            );
        }
        if let Some(size) = parameters.size
            && self.config.max_message_size > 0
            && size > self.config.max_message_size
        {
            // RFC 1870 §6.1: 552 for a declared size over the fixed maximum.
            return self.error(
                ReplyCode::EXCEEDED_STORAGE,
                esc(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            );
        }
        let unsupported = match parameters.body {
            Some(Body::EightBitMime) => !ext.eight_bit_mime,
            Some(Body::BinaryMime) => !(ext.binarymime && ext.chunking),
            _ => false,
        } || (parameters.smtputf8 && !ext.smtputf8)
            || ((parameters.ret.is_some() || parameters.envid.is_some()) && !ext.dsn)
            || (parameters.requiretls && !(ext.requiretls && self.tls_active))
            || parameters.mt_priority.is_some()
            || parameters.by.is_some()
            || parameters.hold_for.is_some()
            || parameters.hold_until.is_some()
            || (!parameters.other.is_empty() && !self.config.accept_unknown_parameters);
        if unsupported {
            return self.error(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                "Unsupported MAIL parameter",
            );
        }
        if reverse_path.needs_smtputf8() && !parameters.smtputf8 {
            // RFC 6531 §3.4: a non-ASCII path needs the SMTPUTF8 parameter.
            return self.error(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                esc(5, 6, 7),
                "Non-ASCII address needs SMTPUTF8",
            );
        }
        self.ask(Pending::Mail {
            reverse_path,
            parameters,
        })
    }

    fn rcpt(
        &mut self,
        forward_path: ForwardPath,
        parameters: RcptParameters,
    ) -> Result<(), ServerError> {
        let Some(t) = &self.transaction else {
            return self.bad_sequence("Need MAIL before RCPT");
        };
        if t.bdat {
            return self.bad_sequence("RCPT after BDAT");
        }
        if t.envelope.recipients.len() >= self.config.max_recipients {
            // RFC 5321 §4.5.3.1.10: 452 for too many recipients, and the client goes on.
            self.reply(
                ReplyCode::INSUFFICIENT_STORAGE,
                esc(4, 5, 3),
                "Too many recipients",
            );
            return Ok(());
        }
        let smtputf8 = t.envelope.parameters.iter().any(|p| p.is("SMTPUTF8"));
        let unsupported = ((parameters.notify.is_some() || parameters.orcpt.is_some())
            && !self.config.extensions.dsn)
            || parameters.rrvs.is_some()
            || (!parameters.other.is_empty() && !self.config.accept_unknown_parameters);
        if unsupported {
            return self.error(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                "Unsupported RCPT parameter",
            );
        }
        if forward_path.needs_smtputf8() && !smtputf8 {
            return self.error(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                esc(5, 6, 7),
                "Non-ASCII address needs SMTPUTF8",
            );
        }
        self.ask(Pending::Rcpt {
            forward_path,
            parameters,
        })
    }

    fn data(&mut self) -> Result<(), ServerError> {
        let Some(t) = &mut self.transaction else {
            return self.bad_sequence("Need MAIL and RCPT before DATA");
        };
        if t.bdat {
            // RFC 3030 §3: "DATA and BDAT commands cannot be used in the same transaction".
            return self.bad_sequence("DATA after BDAT");
        }
        if t.envelope.recipients.is_empty() {
            return self.error(
                ReplyCode::TRANSACTION_FAILED,
                esc(5, 5, 1),
                "No valid recipients",
            );
        }
        t.size = 0;
        t.too_large = false;
        let envelope = t.envelope.clone();
        self.errors = 0;
        self.reply(
            ReplyCode::START_MAIL_INPUT,
            None,
            "End data with <CR><LF>.<CR><LF>",
        );
        self.phase = Phase::Data(DotDecoder::new(self.config.bare_newline));
        self.events.push_back(Event::MessageStart { envelope });
        Ok(())
    }

    fn bdat(&mut self, size: u64, last: bool) -> Result<(), ServerError> {
        let usable = self.config.extensions.chunking
            && self
                .transaction
                .as_ref()
                .is_some_and(|t| !t.envelope.recipients.is_empty() && !t.failed);
        if !usable {
            // RFC 3030 §2: the chunk is read even though the command is refused.
            self.phase = Phase::Bdat {
                remaining: size,
                last,
                discard: true,
            };
            let text = if self.config.extensions.chunking {
                "No valid transaction for BDAT"
            } else {
                "BDAT not offered"
            };
            return self.bad_sequence(text);
        }
        if let Some(t) = &mut self.transaction
            && !t.bdat
        {
            t.bdat = true;
            t.size = 0;
            t.too_large = false;
            let envelope = t.envelope.clone();
            self.events.push_back(Event::MessageStart { envelope });
        }
        self.phase = Phase::Bdat {
            remaining: size,
            last,
            discard: false,
        };
        Ok(())
    }

    fn starttls(&mut self) -> Result<(), ServerError> {
        if !self.config.extensions.starttls || self.tls_active {
            return self.error(
                ReplyCode::BAD_SEQUENCE,
                esc(5, 5, 1),
                "TLS already active or not available",
            );
        }
        if self.transaction.is_some() {
            return self.bad_sequence("STARTTLS inside a transaction");
        }
        self.ok_code(ReplyCode::SERVICE_READY, esc(2, 0, 0), "Ready to start TLS");
        self.phase = Phase::TlsHandshake;
        self.events.push_back(Event::StartTls);
        // RFC 3207 §4.2: "the server MUST discard any knowledge obtained from the client" —
        // and any bytes the client sent before the handshake.
        self.discard_input();
        Ok(())
    }

    /// Returns the mechanisms offered now: none without TLS unless plaintext AUTH is allowed.
    fn offered_mechanisms(&self) -> Vec<Mechanism> {
        if !(self.tls_active || self.config.allow_plaintext_auth) {
            return Vec::new();
        }
        self.config
            .auth_mechanisms
            .iter()
            .filter(|m| {
                self.nonce.is_some() || !matches!(m, Mechanism::CramMd5 | Mechanism::ScramSha256)
            })
            .cloned()
            .collect()
    }

    fn auth(
        &mut self,
        mechanism: Mechanism,
        initial_response: Option<&[u8]>,
    ) -> Result<(), ServerError> {
        if !self.esmtp || self.config.auth_mechanisms.is_empty() {
            return self.bad_sequence("AUTH needs EHLO with AUTH offered");
        }
        if self.authenticated {
            // RFC 4954 §4: "the server MUST reject any further AUTH commands with a 503".
            return self.bad_sequence("Already authenticated");
        }
        if self.transaction.is_some() {
            return self.bad_sequence("AUTH not permitted during a mail transaction");
        }
        if !(self.tls_active || self.config.allow_plaintext_auth) {
            // RFC 4954 §6: 538 Encryption required for requested authentication mechanism.
            return self.error(
                ReplyCode::ENCRYPTION_REQUIRED,
                esc(5, 7, 11),
                "Encryption required for requested authentication mechanism",
            );
        }
        if !self.offered_mechanisms().contains(&mechanism) {
            return self.error(
                ReplyCode::PARAMETER_NOT_IMPLEMENTED,
                esc(5, 5, 4),
                "Unrecognized authentication type",
            );
        }
        self.auth_attempts = self.auth_attempts.saturating_add(1);
        let nonce = self
            .nonce
            .as_ref()
            .and_then(|n| match self.auth_attempts {
                // The first exchange uses the nonce as given; later ones append a counter.
                1 => Some(n.clone()),
                k => format!("{}.{k}", n.as_str()).parse::<Nonce>().ok(),
            })
            .or_else(|| "unused".parse().ok());
        let Some(nonce) = nonce else {
            return self.error(
                ReplyCode::LOCAL_ERROR,
                esc(4, 3, 0),
                "Authentication unavailable",
            );
        };
        let mut sasl_config = ServerConfig::default();
        sasl_config.hostname = self.config.hostname.clone();
        sasl_config.mechanisms = self.offered_mechanisms();
        let (auth, step) = Authentication::start(mechanism, initial_response, &sasl_config, &nonce);
        self.phase = Phase::Auth(Box::new(auth));
        self.auth_step(step);
        Ok(())
    }

    fn auth_step(&mut self, step: Step) {
        match step {
            Step::Challenge(data) => {
                let mut text = Vec::new();
                sasl::encode_challenge(&data, &mut text);
                let text = String::from_utf8(text).unwrap_or_default();
                self.reply_plain(ReplyCode::AUTH_CHALLENGE, &text);
            }
            Step::Verify(v) => {
                self.events.push_back(Event::AuthVerify(v));
                self.pending = Some(Pending::Auth);
            }
            Step::Success(outcome) => {
                let mechanism = match &self.phase {
                    Phase::Auth(a) => a.mechanism().clone(),
                    _ => Mechanism::Plain,
                };
                self.end_auth();
                self.authenticated = true;
                self.ok_code(
                    ReplyCode::AUTH_SUCCEEDED,
                    esc(2, 7, 0),
                    "Authentication successful",
                );
                self.events.push_back(Event::Authenticated {
                    mechanism,
                    authorization_identity: outcome.authorization_identity,
                    authentication_identity: outcome.authentication_identity,
                });
            }
            Step::Failure(failure) => {
                self.end_auth();
                use mail_core::sasl::server::Failure;
                let _ = match failure {
                    Failure::Cancelled => self.error(
                        ReplyCode::PARAMETER_SYNTAX_ERROR,
                        esc(5, 0, 0),
                        "Authentication cancelled",
                    ),
                    Failure::Malformed(_) => self.error(
                        ReplyCode::PARAMETER_SYNTAX_ERROR,
                        esc(5, 5, 2),
                        "Malformed authentication response",
                    ),
                    Failure::TooLong { .. } => self.error(
                        ReplyCode::SYNTAX_ERROR,
                        esc(5, 5, 6),
                        "Authentication exchange line is too long",
                    ),
                    Failure::InitialResponseNotAllowed => self.error(
                        ReplyCode::PARAMETER_SYNTAX_ERROR,
                        esc(5, 5, 2),
                        "Initial response not allowed",
                    ),
                    Failure::UnsupportedMechanism(_) => self.error(
                        ReplyCode::PARAMETER_NOT_IMPLEMENTED,
                        esc(5, 5, 4),
                        "Unrecognized authentication type",
                    ),
                    _ => self.error(
                        ReplyCode::AUTH_INVALID,
                        esc(5, 7, 8),
                        "Authentication credentials invalid",
                    ),
                };
            }
            _ => {
                self.end_auth();
                let _ = self.error(
                    ReplyCode::AUTH_INVALID,
                    esc(5, 7, 8),
                    "Authentication failed",
                );
            }
        }
    }

    fn end_auth(&mut self) {
        if matches!(self.phase, Phase::Auth(_)) {
            self.phase = Phase::Command;
        }
    }

    /// Reads one line of the SASL exchange. Returns false when no line is buffered.
    fn step_auth(&mut self) -> bool {
        let line = match self.framer.next_line(&mut self.input) {
            None => return false,
            Some(Ok(line)) => line,
            Some(Err(LineError::TooLong { .. })) => {
                // RFC 4954 §4: a line longer than the authentication buffer fails AUTH with 500.
                self.end_auth();
                let _ = self.error(
                    ReplyCode::SYNTAX_ERROR,
                    esc(5, 5, 6),
                    "Authentication exchange line is too long",
                );
                return true;
            }
            Some(Err(_)) => {
                self.end_auth();
                let _ = self.error(
                    ReplyCode::PARAMETER_SYNTAX_ERROR,
                    esc(5, 5, 2),
                    "Bare CR or LF in authentication response",
                );
                return true;
            }
        };
        let Phase::Auth(auth) = &mut self.phase else {
            return true;
        };
        match auth.respond_line(&line, self.config.max_auth_line) {
            Ok(step) => self.auth_step(step),
            Err(ContinuationError::TooLong { .. }) => {
                self.end_auth();
                let _ = self.error(
                    ReplyCode::SYNTAX_ERROR,
                    esc(5, 5, 6),
                    "Authentication exchange line is too long",
                );
            }
            // RFC 4954 §4: "it MUST reject the AUTH command with a 501 reply".
            Err(_) => {
                self.end_auth();
                let _ = self.error(
                    ReplyCode::PARAMETER_SYNTAX_ERROR,
                    esc(5, 5, 2),
                    "Cannot decode response",
                );
            }
        }
        true
    }

    /// Answers the pending [`Event::AuthVerify`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no verification is pending or the answer does not fit
    /// it; nothing changes then.
    pub fn auth_answer(&mut self, answer: Answer) -> Result<(), SendError> {
        if self.pending != Some(Pending::Auth) {
            return Err(SendError::NotAllowed);
        }
        let Phase::Auth(auth) = &mut self.phase else {
            return Err(SendError::NotAllowed);
        };
        let step = auth.answer(answer).map_err(|_| SendError::NotAllowed)?;
        self.pending = None;
        self.auth_step(step);
        Ok(())
    }

    // ----- message content -----

    /// Decodes DATA content. Returns false when more input is needed.
    fn step_data(&mut self) -> bool {
        let Phase::Data(decoder) = &mut self.phase else {
            return false;
        };
        match decoder.decode(&mut self.input) {
            None => false,
            Some(DotEvent::Data(chunk)) => {
                self.content(chunk);
                true
            }
            Some(DotEvent::End(result)) => {
                self.phase = Phase::Command;
                self.framer.reset();
                let too_large = self.transaction.as_ref().is_some_and(|t| t.too_large);
                if too_large {
                    self.transaction = None;
                    let _ = self.error(
                        ReplyCode::EXCEEDED_STORAGE,
                        esc(5, 3, 4),
                        "Message size exceeds fixed maximum message size",
                    );
                } else if result.is_err() {
                    self.events.push_back(Event::MessageAborted {
                        reason: AbortReason::BareNewline,
                    });
                    self.transaction = None;
                    let _ = self.error(
                        ReplyCode::MAILBOX_UNAVAILABLE,
                        esc(5, 5, 2),
                        "Bare CR or LF in message data",
                    );
                } else {
                    self.message_end();
                }
                true
            }
            Some(_) => true,
        }
    }

    /// Counts and forwards a piece of content, or drops it once the message is too large.
    fn content(&mut self, chunk: Bytes) {
        let max = self.config.max_message_size;
        let Some(t) = &mut self.transaction else {
            return;
        };
        if t.too_large || t.failed {
            return;
        }
        t.size = t.size.saturating_add(chunk.len() as u64);
        if max > 0 && t.size > max {
            t.too_large = true;
            self.events.push_back(Event::MessageAborted {
                reason: AbortReason::TooLarge,
            });
            return;
        }
        self.events.push_back(Event::MessageData(chunk));
    }

    fn message_end(&mut self) {
        let Some(t) = &self.transaction else {
            return;
        };
        let replies_left = if self.config.lmtp {
            t.envelope.recipients.len().max(1)
        } else {
            1
        };
        self.events.push_back(Event::MessageEnd {
            envelope: t.envelope.clone(),
        });
        self.pending = Some(Pending::MessageEnd { replies_left });
    }

    /// Reads BDAT content. Returns false when more input is needed.
    fn step_bdat(&mut self) -> bool {
        let Phase::Bdat {
            remaining,
            last,
            discard,
        } = &mut self.phase
        else {
            return false;
        };
        if *remaining > 0 {
            if self.input.is_empty() {
                return false;
            }
            let take = usize::try_from(*remaining)
                .unwrap_or(usize::MAX)
                .min(self.input.len());
            let chunk = self.input.split_to(take).freeze();
            *remaining -= take as u64;
            if !*discard {
                self.content(chunk);
            }
            return true;
        }
        let (last, discard) = (*last, *discard);
        self.phase = Phase::Command;
        self.framer.reset();
        if discard {
            // The refusal was already sent with the command.
            return true;
        }
        let (too_large, failed) = self
            .transaction
            .as_ref()
            .map_or((false, true), |t| (t.too_large, t.failed));
        if too_large {
            if let Some(t) = &mut self.transaction {
                t.failed = true;
            }
            let _ = self.error(
                ReplyCode::EXCEEDED_STORAGE,
                esc(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            );
            if last {
                self.transaction = None;
            }
        } else if failed {
            let _ = self.bad_sequence("No valid transaction for BDAT");
        } else if last {
            self.message_end();
        } else {
            let size = self.transaction.as_ref().map_or(0, |t| t.size);
            let text = format!("{size} octets received");
            self.ok(esc(2, 0, 0), &text);
        }
        true
    }

    // ----- the application's answers -----

    /// Answers the pending event with the server's standard positive reply: the EHLO
    /// capability list, `250 2.1.0 Ok` for MAIL, `250 2.1.5 Ok` for RCPT, `250 2.0.0 Ok`
    /// (per recipient in LMTP) for a message.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no event awaits an answer, or the pending event
    /// has no standard positive reply (VRFY, EXPN, ETRN, unknown commands, AUTH).
    pub fn accept(&mut self) -> Result<(), SendError> {
        let reply = match &self.pending {
            Some(Pending::Helo { extended: true, .. }) => self.ehlo_reply()?,
            Some(Pending::Helo {
                extended: false, ..
            }) => Reply::new(ReplyCode::OK, None, &self.config.hostname)
                .map_err(|_| SendError::InvalidReply)?,
            Some(Pending::Mail { .. }) => self.standard(ReplyCode::OK, esc(2, 1, 0), "Ok")?,
            Some(Pending::Rcpt { .. }) => self.standard(ReplyCode::OK, esc(2, 1, 5), "Ok")?,
            Some(Pending::MessageEnd { replies_left }) => {
                let n = *replies_left;
                let reply = self.standard(ReplyCode::OK, esc(2, 0, 0), "Ok: queued")?;
                for _ in 0..n {
                    self.send(reply.clone())?;
                }
                return Ok(());
            }
            _ => return Err(SendError::NotAllowed),
        };
        self.send(reply)
    }

    fn standard(
        &self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) -> Result<Reply, SendError> {
        Reply::new(code, self.enhanced(enhanced), text).map_err(|_| SendError::InvalidReply)
    }

    /// Returns the EHLO reply the server would send now.
    fn ehlo_reply(&self) -> Result<Reply, SendError> {
        let ext = &self.config.extensions;
        let mut caps = Vec::new();
        if ext.pipelining {
            caps.push(Capability::Pipelining);
        }
        caps.push(Capability::Size(
            (self.config.max_message_size > 0).then_some(self.config.max_message_size),
        ));
        if ext.eight_bit_mime {
            caps.push(Capability::EightBitMime);
        }
        if ext.chunking {
            caps.push(Capability::Chunking);
            if ext.binarymime {
                caps.push(Capability::BinaryMime);
            }
        }
        if ext.smtputf8 {
            caps.push(Capability::SmtpUtf8);
        }
        if ext.enhanced_status_codes {
            caps.push(Capability::EnhancedStatusCodes);
        }
        if ext.dsn {
            caps.push(Capability::Dsn);
        }
        if ext.starttls && !self.tls_active {
            caps.push(Capability::StartTls);
        }
        if ext.requiretls && self.tls_active {
            caps.push(Capability::RequireTls);
        }
        let mechs = self.offered_mechanisms();
        if !mechs.is_empty() && !self.authenticated {
            caps.push(Capability::Auth(mechs));
        }
        if ext.help {
            caps.push(Capability::Help);
        }
        caps.extend(ext.other.iter().cloned());
        EhloReply {
            domain: self.config.hostname.clone(),
            greeting: None,
            capabilities: caps,
        }
        .to_reply()
        .map_err(|_| SendError::InvalidReply)
    }

    /// Answers the pending event with `reply`. A `2yz` reply accepts (starts the
    /// transaction, adds the recipient, takes the message); anything else refuses.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no event awaits an answer (nothing is sent then), or
    /// the pending event is an [`Event::AuthVerify`] (use [`Connection::auth_answer`]).
    pub fn send(&mut self, reply: Reply) -> Result<(), SendError> {
        let Some(pending) = self.pending.take() else {
            return Err(SendError::NotAllowed);
        };
        let positive = reply.code().is_positive_completion();
        match pending {
            Pending::Auth => {
                self.pending = Some(Pending::Auth);
                return Err(SendError::NotAllowed);
            }
            Pending::Helo { domain, extended } => {
                if positive {
                    // RFC 5321 §4.1.4: EHLO/HELO resets any transaction, like RSET.
                    self.abort_message(AbortReason::Reset);
                    self.transaction = None;
                    self.helo = Some(domain);
                    self.esmtp = extended;
                }
            }
            Pending::Mail {
                reverse_path,
                parameters,
            } => {
                if positive {
                    let mut envelope = Envelope::new(reverse_path);
                    envelope.parameters = wire_parameters(|w| parameters.encode(w));
                    self.transaction = Some(Transaction {
                        envelope,
                        size: 0,
                        too_large: false,
                        bdat: false,
                        failed: false,
                    });
                }
            }
            Pending::Rcpt {
                forward_path,
                parameters,
            } => {
                if positive && let Some(t) = &mut self.transaction {
                    t.envelope.recipients.push(Recipient {
                        forward_path,
                        parameters: wire_parameters(|w| parameters.encode(w)),
                    });
                }
            }
            Pending::MessageEnd { replies_left } => {
                if replies_left > 1 {
                    self.pending = Some(Pending::MessageEnd {
                        replies_left: replies_left - 1,
                    });
                } else {
                    self.transaction = None;
                }
            }
            Pending::Free => {}
        }
        if positive {
            self.errors = 0;
        }
        reply.encode(&mut self.output);
        Ok(())
    }
}

/// Returns the parameters that `encode` writes, in wire form, for the envelope.
fn wire_parameters(encode: impl FnOnce(&mut BytesMut)) -> Vec<EsmtpParameter> {
    let mut wire = BytesMut::new();
    encode(&mut wire);
    wire[..]
        .split(|&b| b == b' ')
        .filter(|p| !p.is_empty())
        .filter_map(|p| EsmtpParameter::parse(p).ok())
        .collect()
}

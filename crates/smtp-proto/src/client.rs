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
//! 1. [`Connection::new`]; then loop: [`receive`] what the socket gives (or
//!    [`receive_eof`]), call [`next_event`] until `Ok(None)`, write [`take_output`].
//! 2. Act on [`Event::Ready`] (the session is usable), [`Event::StartTls`] (do the TLS
//!    handshake, then [`tls_established`]), [`Event::SendBody`] (send the content).
//! 3. Wait for each operation's result before starting another: the methods return
//!    [`SendError::NotAllowed`] while one is in progress.
//!
//! [`starttls`]: Connection::starttls
//! [`authenticate`]: Connection::authenticate
//! [`send_mail`]: Connection::send_mail
//! [`send_body`]: Connection::send_body
//! [`finish_body`]: Connection::finish_body
//! [`reset`]: Connection::reset
//! [`quit`]: Connection::quit
//! [`send`]: Connection::send
//! [`receive`]: Connection::receive
//! [`receive_eof`]: Connection::receive_eof
//! [`next_event`]: Connection::next_event
//! [`take_output`]: Connection::take_output
//! [`tls_established`]: Connection::tls_established

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use std::collections::VecDeque;

use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::dot::DotEncoder;
use mail_core::line::{BareNewline, LineError, LineFramer};
use mail_core::sasl::client::{Authentication, Credentials};
use mail_core::sasl::{self, Mechanism, Nonce, ResponseKind};

use crate::capability::{Capability, EhloReply};
use crate::command::{Body, Command, HeloDomain, MailParameters, RcptParameters};
use crate::error::{ClientError, SendError};
use crate::reply::{Reply, ReplyCode, ReplyLimits, ReplyParser};

/// The client's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The name sent with `EHLO`/`HELO`/`LHLO`.
    pub hostname: HeloDomain,
    /// Speak LMTP (RFC 2033): `LHLO`, and one final reply per recipient.
    pub lmtp: bool,
    /// The longest reply line accepted, CRLF included (RFC 5321 §4.5.3.1.5 says 512;
    /// real servers send longer ones, so the default is 2048).
    pub max_reply_line: usize,
    /// Limits on one reply.
    pub reply_limits: ReplyLimits,
    /// Pipeline MAIL, RCPT and DATA when the server offers PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// Send content with `BDAT` when the server offers CHUNKING (RFC 3030), instead of
    /// `DATA`. Always used for `BODY=BINARYMIME`.
    pub chunking: bool,
    /// The mechanisms [`Connection::authenticate`] may use.
    pub mechanisms: Vec<Mechanism>,
    /// Let [`Connection::authenticate`] send credentials without TLS. Default off.
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (implicit TLS, RFC 8314).
    pub tls_active: bool,
}

impl Config {
    /// Returns the default settings for a client that calls itself `hostname`.
    pub fn new(hostname: HeloDomain) -> Self {
        Self {
            hostname,
            lmtp: false,
            max_reply_line: 2048,
            reply_limits: ReplyLimits::default(),
            pipelining: true,
            chunking: false,
            mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::OAuthBearer,
                Mechanism::XOAuth2,
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::External,
            ],
            allow_plaintext_auth: false,
            tls_active: false,
        }
    }
}

/// A message to send: the envelope and what the content needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTransaction {
    /// The reverse path (`<>` for bounces).
    pub reverse_path: ReversePath,
    /// The recipients, each with its `RCPT` parameters.
    pub recipients: Vec<(ForwardPath, RcptParameters)>,
    /// `MAIL` parameters to send as given (SIZE, BODY and SMTPUTF8 are added from the
    /// fields below when the server offers them).
    pub parameters: MailParameters,
    /// The content's size in octets, declared with `SIZE` when offered (RFC 1870).
    pub size: Option<u64>,
    /// The content has 8-bit octets: `BODY=8BITMIME` (RFC 6152).
    pub eight_bit: bool,
    /// The content is binary: `BODY=BINARYMIME` with `BDAT` (RFC 3030).
    pub binary: bool,
}

impl MailTransaction {
    /// Returns a transaction from `reverse_path` to `recipients`, no parameters.
    pub fn new(
        reverse_path: ReversePath,
        recipients: impl IntoIterator<Item = ForwardPath>,
    ) -> Self {
        Self {
            reverse_path,
            recipients: recipients
                .into_iter()
                .map(|r| (r, RcptParameters::default()))
                .collect(),
            parameters: MailParameters::default(),
            size: None,
            eight_bit: false,
            binary: false,
        }
    }
}

/// What the client learned, or what the application should do now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server's greeting arrived (the client answers it with EHLO by itself).
    Greeting(Reply),
    /// The session is usable: EHLO (or HELO) succeeded, after the greeting or after
    /// STARTTLS. `capabilities` is empty after a HELO fallback.
    Ready(EhloReply),
    /// The server agreed to STARTTLS: write the output, do the TLS handshake, then call
    /// [`Connection::tls_established`].
    StartTls,
    /// STARTTLS was refused; the session goes on in plaintext.
    StartTlsRefused(Reply),
    /// Authentication succeeded with this mechanism.
    Authenticated(Mechanism),
    /// Authentication failed, with the server's reply (or the client gave up, e.g. the
    /// SCRAM server signature did not verify: `reply` is then the server's `235`).
    AuthenticationFailed {
        /// The final reply.
        reply: Reply,
        /// The local reason, when the client rejected the exchange itself.
        reason: Option<String>,
    },
    /// A recipient's result, in the order the recipients were given.
    Recipient {
        /// The recipient.
        forward_path: ForwardPath,
        /// The server's reply to `RCPT`.
        reply: Reply,
    },
    /// The server waits for the content: call [`Connection::send_body`] and
    /// [`Connection::finish_body`].
    SendBody,
    /// The message was answered. In SMTP `replies` has one entry, for all accepted
    /// recipients; in LMTP one per accepted recipient.
    MessageSent {
        /// Each accepted recipient's final reply.
        replies: Vec<(ForwardPath, Reply)>,
    },
    /// The transaction failed before the content: `MAIL` refused, no recipient accepted,
    /// or `DATA` refused. The client has reset the server's state if needed.
    TransactionFailed(Reply),
    /// The reply to a command sent with [`Connection::send`], [`Connection::reset`] or
    /// [`Connection::noop`].
    Reply(Reply),
    /// The session ended: the server's `221` or `421`, or `None` for end of input.
    Closed(Option<Reply>),
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting, or for the EHLO/HELO reply.
    Connecting,
    /// Idle: an operation may start.
    Ready,
    /// An operation is in progress: wait for its event.
    Busy,
    /// The server waits for message content.
    Body,
    /// `220` to STARTTLS received: do the handshake.
    TlsHandshake,
    /// The session is over.
    Closed,
}

/// A reply the client waits for, in the order the commands were sent.
#[derive(Debug)]
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
#[derive(Debug)]
struct Outgoing {
    recipients: Vec<ForwardPath>,
    accepted: Vec<usize>,
    answered: usize,
    mail_ok: bool,
    failed: Option<Reply>,
    bdat: bool,
    data_sent: bool,
    in_body: bool,
    encoder: DotEncoder,
    final_replies: Vec<(ForwardPath, Reply)>,
}

/// An SMTP or LMTP client connection. See the [module docs](self) for the calling contract.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    input: BytesMut,
    output: BytesMut,
    framer: LineFramer,
    parser: ReplyParser,
    expect: VecDeque<Expect>,
    events: VecDeque<Event>,
    capabilities: Option<EhloReply>,
    tls_active: bool,
    authenticated: bool,
    auth: Option<Box<Authentication>>,
    outgoing: Option<Outgoing>,
    /// RCPTs still to send one by one when the server does not pipeline.
    unpipelined: VecDeque<(usize, ForwardPath, RcptParameters)>,
    tls_pending: bool,
    closed: bool,
    eof: bool,
}

impl Connection {
    /// Returns a connection waiting for the server's greeting.
    pub fn new(config: Config) -> Self {
        let framer = LineFramer::new(config.max_reply_line, BareNewline::Reject);
        let parser = ReplyParser::new(config.reply_limits);
        let tls_active = config.tls_active;
        Self {
            config,
            input: BytesMut::new(),
            output: BytesMut::new(),
            framer,
            parser,
            expect: VecDeque::from([Expect::Greeting]),
            events: VecDeque::new(),
            capabilities: None,
            tls_active,
            authenticated: false,
            auth: None,
            outgoing: None,
            unpipelined: VecDeque::new(),
            tls_pending: false,
            closed: false,
            eof: false,
        }
    }

    /// Appends bytes read from the server. Never parses, never fails.
    pub fn receive(&mut self, bytes: &[u8]) {
        if !self.closed {
            self.input.extend_from_slice(bytes);
        }
    }

    /// Like [`receive`](Self::receive), without copying: takes the filled part of `buf`
    /// (the buffer the socket was read into) and leaves `buf` empty with its spare capacity
    /// for the next read. Message data then reaches the application as slices of the
    /// buffers the socket filled. With tokio: `stream.read_buf(&mut buf).await?` then
    /// `conn.receive_buf(&mut buf)`.
    pub fn receive_buf(&mut self, buf: &mut BytesMut) {
        if !self.closed {
            mail_core::buffer::take_received(&mut self.input, buf);
        } else {
            buf.clear();
        }
    }

    /// Records that the server closed the connection.
    pub fn receive_eof(&mut self) {
        self.eof = true;
    }

    /// Returns everything ready to be written to the server, maybe nothing.
    pub fn take_output(&mut self) -> Bytes {
        self.output.split().freeze()
    }

    /// Returns the server's capabilities from the last EHLO, if any.
    pub fn capabilities(&self) -> Option<&EhloReply> {
        self.capabilities.as_ref()
    }

    /// Returns whether TLS is active.
    pub fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// Returns whether the client has authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        if self.closed {
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

    /// Returns how long to wait for the server's next reply (RFC 5321 §4.5.3.2): 5 minutes
    /// for the greeting, MAIL and RCPT, 2 for DATA, 3 per content block, 10 after the end
    /// of the content.
    pub fn timeout(&self) -> Duration {
        let minutes = match self.expect.front() {
            Some(Expect::Data) => 2,
            Some(Expect::DataEnd | Expect::Bdat { last: true }) => 10,
            Some(Expect::Bdat { last: false }) => 3,
            None if self.outgoing.as_ref().is_some_and(|o| o.in_body) => 3,
            _ => 5,
        };
        Duration::from_secs(60 * minutes)
    }

    fn ready_for_command(&self) -> bool {
        !self.closed
            && self.capabilities.is_some()
            && self.expect.is_empty()
            && self.outgoing.is_none()
            && !self.tls_pending
    }

    fn has(&self, cap: &Capability) -> bool {
        self.capabilities.as_ref().is_some_and(|c| c.has(cap))
    }

    fn command(&mut self, command: &Command, expect: Expect) {
        command.encode(&mut self.output);
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

    /// Call after the TLS handshake that followed [`Event::StartTls`]: the client forgets
    /// what it knew and says EHLO again (RFC 3207 §4.2); [`Event::Ready`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no handshake is pending.
    pub fn tls_established(&mut self) -> Result<(), SendError> {
        if !self.tls_pending {
            return Err(SendError::NotAllowed);
        }
        self.tls_pending = false;
        self.tls_active = true;
        self.capabilities = None;
        self.authenticated = false;
        self.input.clear();
        self.framer.reset();
        self.parser.reset();
        self.send_ehlo();
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

    /// Authenticates with the strongest mechanism that the server offers, that
    /// [`Config::mechanisms`] allows and that fits `credentials` (RFC 4954).
    ///
    /// `nonce` is the SCRAM client nonce: fresh and random for every exchange.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when busy, already authenticated, or without TLS (unless
    /// [`Config::allow_plaintext_auth`]); [`SendError::NoMechanism`] when no mechanism fits.
    pub fn authenticate(
        &mut self,
        credentials: Credentials,
        nonce: &Nonce,
    ) -> Result<(), SendError> {
        if !self.ready_for_command() || self.authenticated {
            return Err(SendError::NotAllowed);
        }
        if !(self.tls_active || self.config.allow_plaintext_auth) {
            return Err(SendError::NotAllowed);
        }
        let offered = self
            .capabilities
            .as_ref()
            .map(EhloReply::auth_mechanisms)
            .unwrap_or_default();
        let fitting: Vec<Mechanism> = self
            .config
            .mechanisms
            .iter()
            .filter(|m| fits(m, &credentials))
            .cloned()
            .collect();
        let mechanism = Mechanism::strongest(&offered, &fitting).ok_or(SendError::NoMechanism)?;
        let mut auth = Authentication::new(mechanism.clone(), credentials.clone(), nonce)
            .map_err(|_| SendError::NoMechanism)?;
        let initial = auth.initial_response();
        let mut line = BytesMut::new();
        line.extend_from_slice(b"AUTH ");
        line.extend_from_slice(mechanism.as_str().as_bytes());
        let mut deferred = false;
        if let Some(ir) = &initial {
            let mut encoded = Vec::new();
            sasl::encode_response(ir.expose(), ResponseKind::Initial, &mut encoded);
            // RFC 4954 §4: an initial response that would make the line longer than 512
            // octets is not sent; the client answers the server's empty challenge instead.
            if line.len() + 1 + encoded.len() + 2 <= 512 {
                line.extend_from_slice(b" ");
                line.extend_from_slice(&encoded);
            } else {
                deferred = true;
            }
        }
        line.extend_from_slice(b"\r\n");
        if deferred {
            // Rebuild the exchange so the first step answers the empty challenge.
            auth = Authentication::new(mechanism, credentials, nonce)
                .map_err(|_| SendError::NoMechanism)?;
        }
        self.output.extend_from_slice(&line);
        self.expect.push_back(Expect::Auth);
        self.auth = Some(Box::new(auth));
        Ok(())
    }

    /// Starts sending a message: `MAIL`, every `RCPT`, and `DATA` (all at once when the
    /// server offers PIPELINING). Each recipient's result comes as [`Event::Recipient`];
    /// then [`Event::SendBody`] or [`Event::TransactionFailed`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when busy or without recipients;
    /// [`SendError::NotOffered`] when the message needs an extension the server lacks
    /// (SMTPUTF8 for non-ASCII addresses, 8BITMIME, BINARYMIME and CHUNKING).
    pub fn send_mail(&mut self, mail: MailTransaction) -> Result<(), SendError> {
        if !self.ready_for_command() || mail.recipients.is_empty() {
            return Err(SendError::NotAllowed);
        }
        let mut parameters = mail.parameters.clone();
        let needs_utf8 = mail.reverse_path.needs_smtputf8()
            || mail.recipients.iter().any(|(r, _)| r.needs_smtputf8());
        if needs_utf8 || parameters.smtputf8 {
            if !self.has(&Capability::SmtpUtf8) {
                return Err(SendError::NotOffered("SMTPUTF8"));
            }
            parameters.smtputf8 = true;
        }
        if mail.binary {
            if !(self.has(&Capability::BinaryMime) && self.has(&Capability::Chunking)) {
                return Err(SendError::NotOffered("BINARYMIME"));
            }
            parameters.body = Some(Body::BinaryMime);
        } else if mail.eight_bit {
            if !self.has(&Capability::EightBitMime) {
                return Err(SendError::NotOffered("8BITMIME"));
            }
            parameters.body = Some(Body::EightBitMime);
        }
        if let Some(size) = mail.size
            && self.has(&Capability::Size(None))
        {
            if let Some(max) = self.capabilities.as_ref().and_then(EhloReply::size)
                && size > max
            {
                return Err(SendError::TooLarge { size, max });
            }
            parameters.size = Some(size);
        }
        let dsn = self.has(&Capability::Dsn);
        if !dsn {
            // RFC 3461 §4: DSN parameters only go to servers that offer DSN.
            parameters.ret = None;
            parameters.envid = None;
        }
        let bdat = self.has(&Capability::Chunking) && (self.config.chunking || mail.binary);
        let pipelining = self.config.pipelining && self.has(&Capability::Pipelining);
        let recipients: Vec<ForwardPath> = mail.recipients.iter().map(|(r, _)| r.clone()).collect();
        self.command(
            &Command::Mail {
                reverse_path: mail.reverse_path,
                parameters,
            },
            Expect::Mail,
        );
        let mut pending_rcpts = VecDeque::new();
        for (i, (forward_path, mut parameters)) in mail.recipients.into_iter().enumerate() {
            if !dsn {
                parameters.notify = None;
                parameters.orcpt = None;
            }
            pending_rcpts.push_back((i, forward_path, parameters));
        }
        self.outgoing = Some(Outgoing {
            recipients,
            accepted: Vec::new(),
            answered: 0,
            mail_ok: false,
            failed: None,
            bdat,
            data_sent: false,
            in_body: false,
            encoder: DotEncoder::new(),
            final_replies: Vec::new(),
        });
        if pipelining {
            for (i, forward_path, parameters) in pending_rcpts {
                self.command(
                    &Command::Rcpt {
                        forward_path,
                        parameters,
                    },
                    Expect::Rcpt(i),
                );
            }
            if !bdat {
                self.command(&Command::Data, Expect::Data);
                if let Some(o) = &mut self.outgoing {
                    o.data_sent = true;
                }
            }
        } else {
            self.unpipelined = pending_rcpts;
        }
        Ok(())
    }

    /// Sends a piece of the message content: dot-stuffed after `DATA` (bare LF and CR
    /// become CRLF), or as one `BDAT` chunk.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::SendBody`] came and the body is not
    /// finished.
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), SendError> {
        let Some(o) = self.outgoing.as_mut().filter(|o| o.in_body) else {
            return Err(SendError::NotAllowed);
        };
        if o.bdat {
            if chunk.is_empty() {
                return Ok(());
            }
            self.output
                .extend_from_slice(format!("BDAT {}\r\n", chunk.len()).as_bytes());
            self.output.extend_from_slice(chunk);
            self.expect.push_back(Expect::Bdat { last: false });
        } else {
            o.encoder.encode(chunk, &mut self.output);
        }
        Ok(())
    }

    /// Ends the message content (`CRLF.CRLF`, or `BDAT 0 LAST`).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless the body is in progress.
    pub fn finish_body(&mut self) -> Result<(), SendError> {
        let Some(o) = self.outgoing.as_mut().filter(|o| o.in_body) else {
            return Err(SendError::NotAllowed);
        };
        o.in_body = false;
        if o.bdat {
            self.output.extend_from_slice(b"BDAT 0 LAST\r\n");
            self.expect.push_back(Expect::Bdat { last: true });
        } else {
            o.encoder.finish(&mut self.output);
            self.expect.push_back(Expect::DataEnd);
        }
        Ok(())
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
        if self.closed || self.outgoing.as_ref().is_some_and(|o| o.in_body) {
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

    /// Returns the next event.
    ///
    /// # Errors
    /// [`ClientError`] when the server breaks the protocol (a malformed or unexpected reply,
    /// bytes after the STARTTLS `220`); the connection is then closed and should be
    /// dropped.
    pub fn next_event(&mut self) -> Result<Option<Event>, ClientError> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Ok(Some(e));
            }
            if self.closed {
                return Ok(None);
            }
            if self.tls_pending {
                if !self.input.is_empty() {
                    // RFC 3207 §4.2 / the 2021 "NO STARTTLS" study: bytes that came with or
                    // after the 220 are plaintext an attacker may have injected.
                    return Err(self.fail(ClientError::DataAfterStartTls));
                }
                return Ok(None);
            }
            let line = match self.framer.next_line(&mut self.input) {
                None => {
                    if self.eof {
                        self.closed = true;
                        self.events.push_back(Event::Closed(None));
                        continue;
                    }
                    return Ok(None);
                }
                Some(Ok(line)) => line,
                Some(Err(LineError::TooLong { .. })) => {
                    return Err(self.fail(ClientError::ReplyTooLong));
                }
                Some(Err(_)) => return Err(self.fail(ClientError::BareNewline)),
            };
            let reply = match self.parser.push_line(&line) {
                Ok(None) => continue,
                Ok(Some(reply)) => reply,
                Err(e) => return Err(self.fail(ClientError::Reply(e))),
            };
            self.on_reply(reply)?;
        }
    }

    fn fail(&mut self, e: ClientError) -> ClientError {
        self.closed = true;
        self.input.clear();
        e
    }

    fn on_reply(&mut self, reply: Reply) -> Result<(), ClientError> {
        let Some(expect) = self.expect.pop_front() else {
            // Only 421 may come unasked (RFC 5321 §3.8).
            if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE {
                self.closed = true;
                self.events.push_back(Event::Closed(Some(reply)));
                return Ok(());
            }
            return Err(self.fail(ClientError::UnexpectedReply(reply)));
        };
        if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE && !matches!(expect, Expect::Rcpt(_)) {
            // The server is shutting the connection down.
            self.closed = true;
            self.events.push_back(Event::Closed(Some(reply)));
            return Ok(());
        }
        match expect {
            Expect::Greeting => {
                if reply.code() != ReplyCode::SERVICE_READY {
                    self.closed = true;
                    self.events.push_back(Event::Closed(Some(reply)));
                    return Ok(());
                }
                self.events.push_back(Event::Greeting(reply));
                self.send_ehlo();
            }
            Expect::Ehlo => {
                if reply.code().is_positive_completion() {
                    let caps = EhloReply::from_reply(&reply)
                        .map_err(|e| self.fail(ClientError::Reply(e)))?;
                    self.capabilities = Some(caps.clone());
                    self.events.push_back(Event::Ready(caps));
                } else if !self.config.lmtp && matches!(reply.code().get(), 500 | 502) {
                    // RFC 5321 §4.1.4: an old server; fall back to HELO.
                    let name = self.config.hostname.clone();
                    self.command(&Command::Helo(name), Expect::Helo);
                } else {
                    return Err(self.fail(ClientError::Refused(reply)));
                }
            }
            Expect::Helo => {
                if !reply.code().is_positive_completion() {
                    return Err(self.fail(ClientError::Refused(reply)));
                }
                let caps = EhloReply {
                    domain: reply
                        .lines()
                        .first()
                        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
                        .unwrap_or_default(),
                    greeting: None,
                    capabilities: Vec::new(),
                };
                self.capabilities = Some(caps.clone());
                self.events.push_back(Event::Ready(caps));
            }
            Expect::StartTls => {
                if reply.code() == ReplyCode::SERVICE_READY {
                    self.tls_pending = true;
                    self.events.push_back(Event::StartTls);
                } else {
                    self.events.push_back(Event::StartTlsRefused(reply));
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
                        self.events.push_back(Event::Recipient {
                            forward_path: fp.clone(),
                            reply,
                        });
                    }
                }
                self.after_mail_or_rcpt();
            }
            Expect::Data => self.on_data_reply(reply),
            Expect::DataEnd | Expect::Bdat { last: true } => self.on_final_reply(reply),
            Expect::Bdat { last: false } => {
                if !reply.code().is_positive_completion()
                    && let Some(o) = &mut self.outgoing
                    && o.failed.is_none()
                {
                    o.failed = Some(reply);
                }
            }
            Expect::ResetAfter(failure) => self.events.push_back(Event::TransactionFailed(failure)),
            Expect::Plain => self.events.push_back(Event::Reply(reply)),
            Expect::Quit => {
                self.closed = true;
                self.events.push_back(Event::Closed(Some(reply)));
            }
        }
        Ok(())
    }

    /// After the MAIL reply or a RCPT reply: send the next command when not pipelining, and
    /// decide the transaction when every RCPT has been answered.
    fn after_mail_or_rcpt(&mut self) {
        let Some(o) = &self.outgoing else {
            return;
        };
        let total = o.recipients.len();
        if !o.mail_ok {
            // Pipelined RCPTs and DATA after a refused MAIL get 503s; wait for them all.
            if self
                .expect
                .iter()
                .any(|e| matches!(e, Expect::Rcpt(_) | Expect::Data))
            {
                return;
            }
            self.unpipelined.clear();
            if let Some(o) = self.outgoing.take() {
                let reply = o.failed.unwrap_or_else(|| local_reply("MAIL refused"));
                self.events.push_back(Event::TransactionFailed(reply));
            }
            return;
        }
        if let Some((i, forward_path, parameters)) = self.unpipelined.pop_front() {
            self.command(
                &Command::Rcpt {
                    forward_path,
                    parameters,
                },
                Expect::Rcpt(i),
            );
            return;
        }
        if o.answered < total {
            return;
        }
        let any = !o.accepted.is_empty();
        let (bdat, data_sent) = (o.bdat, o.data_sent);
        if data_sent {
            // The DATA reply decides; it is on its way.
            return;
        }
        if !any {
            self.fail_transaction(local_reply("no recipient accepted"));
            return;
        }
        if bdat {
            if let Some(o) = &mut self.outgoing {
                o.in_body = true;
            }
            self.events.push_back(Event::SendBody);
        } else {
            self.command(&Command::Data, Expect::Data);
            if let Some(o) = &mut self.outgoing {
                o.data_sent = true;
            }
        }
    }

    /// Ends a failed transaction and resets the server's side of it.
    fn fail_transaction(&mut self, reply: Reply) {
        self.outgoing = None;
        self.command(&Command::Rset, Expect::ResetAfter(reply));
    }

    fn on_data_reply(&mut self, reply: Reply) {
        let Some(o) = &mut self.outgoing else {
            return;
        };
        if !o.mail_ok {
            self.after_mail_or_rcpt();
            return;
        }
        if reply.code() == ReplyCode::START_MAIL_INPUT {
            if o.accepted.is_empty() {
                // RFC 2920 §3.1: DATA was accepted although no recipient was; the client
                // must end the (empty) content, and the transaction fails.
                self.output.extend_from_slice(b".\r\n");
                o.failed = Some(reply);
                self.expect.push_back(Expect::DataEnd);
                return;
            }
            o.in_body = true;
            self.events.push_back(Event::SendBody);
        } else {
            // The server keeps the MAIL transaction after a refused DATA: reset it.
            self.fail_transaction(reply);
        }
    }

    fn on_final_reply(&mut self, reply: Reply) {
        let Some(o) = &mut self.outgoing else {
            return;
        };
        if let Some(failed) = o.failed.take() {
            if failed.code() == ReplyCode::START_MAIL_INPUT {
                // The empty content after a 354 with no recipient: the transaction failed
                // (a server that accepted it has nobody to deliver to).
                self.outgoing = None;
                self.events.push_back(Event::TransactionFailed(reply));
                return;
            }
            // An earlier BDAT chunk failed: report that reply for everyone.
            o.failed = Some(failed);
        }
        let index = if self.config.lmtp {
            o.final_replies.len()
        } else {
            0
        };
        let reply = o.failed.clone().unwrap_or(reply);
        if self.config.lmtp {
            if let Some(fp) = o.accepted.get(index).and_then(|&i| o.recipients.get(i)) {
                o.final_replies.push((fp.clone(), reply));
            }
            if o.final_replies.len() < o.accepted.len() {
                // LMTP: one reply per accepted recipient (RFC 2033 §4.2).
                self.expect.push_front(Expect::DataEnd);
                return;
            }
        } else {
            for &i in &o.accepted {
                if let Some(fp) = o.recipients.get(i) {
                    o.final_replies.push((fp.clone(), reply.clone()));
                }
            }
        }
        if let Some(o) = self.outgoing.take() {
            self.events.push_back(Event::MessageSent {
                replies: o.final_replies,
            });
        }
    }

    fn on_auth_reply(&mut self, reply: Reply) {
        let Some(auth) = &mut self.auth else {
            self.events.push_back(Event::AuthenticationFailed {
                reply,
                reason: None,
            });
            return;
        };
        if reply.code() == ReplyCode::AUTH_CHALLENGE {
            let text = reply
                .lines()
                .first()
                .map(String::as_str)
                .unwrap_or_default();
            let response =
                sasl::decode_challenge(text.as_bytes(), sasl::server::DEFAULT_MAX_RESPONSE_LEN)
                    .map_err(|_| ())
                    .and_then(|challenge| auth.step(&challenge).map_err(|_| ()));
            match response {
                Ok(data) => {
                    let mut encoded = Vec::new();
                    sasl::encode_response(data.expose(), ResponseKind::Continuation, &mut encoded);
                    self.output.extend_from_slice(&encoded);
                }
                // RFC 4954 §4: a client that cannot go on "MUST cancel the authentication
                // using the '*' response".
                Err(()) => self.output.extend_from_slice(b"*"),
            }
            self.output.extend_from_slice(b"\r\n");
            self.expect.push_front(Expect::Auth);
            return;
        }
        let mut auth = self.auth.take();
        if reply.code() == ReplyCode::AUTH_SUCCEEDED {
            let verified = auth.as_mut().map(|a| a.finish(None));
            match verified {
                Some(Ok(())) => {
                    self.authenticated = true;
                    let mechanism = auth
                        .map(|a| a.mechanism().clone())
                        .unwrap_or(Mechanism::Plain);
                    self.events.push_back(Event::Authenticated(mechanism));
                }
                Some(Err(e)) => self.events.push_back(Event::AuthenticationFailed {
                    reply,
                    reason: Some(e.to_string()),
                }),
                None => {}
            }
        } else {
            self.events.push_back(Event::AuthenticationFailed {
                reply,
                reason: None,
            });
        }
    }
}

/// Returns whether `mechanism` can use `credentials`.
fn fits(mechanism: &Mechanism, credentials: &Credentials) -> bool {
    matches!(
        (mechanism, credentials),
        (
            Mechanism::Plain | Mechanism::Login | Mechanism::CramMd5 | Mechanism::ScramSha256,
            Credentials::Password { .. }
        ) | (
            Mechanism::OAuthBearer | Mechanism::XOAuth2,
            Credentials::Bearer { .. }
        ) | (Mechanism::External, Credentials::External { .. })
            | (Mechanism::Anonymous, Credentials::Anonymous { .. })
    )
}

/// A reply the client makes up to report a local decision.
fn local_reply(text: &'static str) -> Reply {
    Reply::trusted(ReplyCode::TRANSACTION_FAILED, text)
}

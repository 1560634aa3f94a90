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
//! 1. [`Connection::new`]; then loop: [`receive`] what the socket gives (or
//!    [`receive_eof`]), call [`next_event`] until `Ok(None)`, write [`take_output`].
//! 2. After [`Event::Greeting`], issue commands. In TRANSACTION, commands may be issued
//!    at any time: they are written at once when the server offers `PIPELINING` (RFC 2449
//!    §6.6; learn it with [`capa`]) and one at a time otherwise. Results come in order.
//! 3. [`stls`] and [`login`] need an idle connection (no command outstanding). On
//!    [`Event::StartTls`], do the TLS handshake, then call [`tls_established`].
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
//! [`receive`]: Connection::receive
//! [`receive_eof`]: Connection::receive_eof
//! [`next_event`]: Connection::next_event
//! [`take_output`]: Connection::take_output
//! [`tls_established`]: Connection::tls_established

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use mail_core::Secret;
use mail_core::dot::{DotDecoder, DotEvent};
use mail_core::line::{BareNewline, LineError, LineFramer};
use mail_core::sasl::client::{Authentication, Credentials};
use mail_core::sasl::{self, Mechanism, Nonce, ResponseKind};

use crate::capability::{Capabilities, Capability};
use crate::command::{ApopDigest, Argument, Command, MessageNumber, Password, SaslStart};
use crate::error::{ClientError, ResponseError, SendError};
use crate::response::{
    Expect, Greeting, Language, ScanListing, StatusLine, UidListing, parse_continuation,
};
pub use crate::server::LoginMethod;

/// The client's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The longest response line accepted outside message bodies, CRLF included (RFC 2449
    /// §4 says 512; real servers send longer ones, so the default is 4096).
    pub max_response_line: usize,
    /// The longest SASL challenge line, CRLF included.
    pub max_auth_line: usize,
    /// What to do with a bare CR or LF: in response lines, `Reject` fails the connection;
    /// in message bodies, `Normalize` rewrites it to CRLF and `Reject` fails the connection
    /// after the message.
    pub bare_newline: BareNewline,
    /// The SASL mechanisms the client may use, any order (the strongest shared one is
    /// picked; see [`Mechanism::strongest`]). Default: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Use `APOP` when the greeting carries a timestamp and SASL is not possible. Default on.
    pub apop: bool,
    /// Use `USER`/`PASS` as the last resort. Default on.
    pub user_pass: bool,
    /// Send credentials without TLS. Default off (RFC 2595 §2.2).
    pub allow_plaintext_login: bool,
    /// The connection starts inside TLS (RFC 8314 implicit TLS, port 995).
    pub tls_active: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_response_line: 4096,
            max_auth_line: 24 * 1024,
            bare_newline: BareNewline::Reject,
            sasl_mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
            ],
            apop: true,
            user_pass: true,
            allow_plaintext_login: false,
            tls_active: false,
        }
    }
}

/// What [`Connection::login`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The user name.
    pub user: String,
    /// The password (or shared secret for APOP).
    pub password: Secret<String>,
    /// A fresh random nonce for SCRAM-SHA-256 (RFC 5802 §5.1); without one SCRAM is not
    /// used.
    pub nonce: Option<Nonce>,
}

impl Login {
    /// Returns login data for a user name and password, without a SCRAM nonce.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: Secret::new(password.into()),
            nonce: None,
        }
    }
}

/// What the server said, or what the application must do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server's `+OK` greeting (RFC 1939 §4), with its APOP timestamp if any.
    Greeting(Greeting),
    /// The answer to `CAPA` (RFC 2449 §5).
    Capabilities(Capabilities),
    /// `+OK` to `STLS`: do the TLS handshake, then call [`Connection::tls_established`].
    StartTls,
    /// The login succeeded; the session is in TRANSACTION.
    LoggedIn {
        /// How.
        method: LoginMethod,
        /// The server's `+OK`.
        line: StatusLine,
    },
    /// The login failed (see the line's [`ResponseCode`](crate::response::ResponseCode):
    /// `[AUTH]`, `[IN-USE]`, …); the session stays in AUTHORIZATION.
    LoginFailed(StatusLine),
    /// `STAT`'s drop listing.
    Stat {
        /// Messages, deleted ones excluded.
        count: u32,
        /// Their size in octets.
        size: u64,
    },
    /// `LIST msg`'s scan listing.
    ScanListing(ScanListing),
    /// `LIST`'s scan listings.
    ScanList(Vec<ScanListing>),
    /// `UIDL msg`'s unique-id listing.
    UidListing(UidListing),
    /// `UIDL`'s unique-id listings.
    UidList(Vec<UidListing>),
    /// `RETR`/`TOP` succeeded; the content follows as [`Event::MessageData`].
    MessageStart {
        /// The message.
        msg: MessageNumber,
        /// The `+OK` line.
        line: StatusLine,
    },
    /// Un-stuffed message content, in order.
    MessageData(Bytes),
    /// The message is complete.
    MessageEnd {
        /// The message.
        msg: MessageNumber,
    },
    /// `DELE` succeeded.
    Deleted(MessageNumber),
    /// `RSET` succeeded.
    Reset,
    /// `NOOP` succeeded.
    Noop,
    /// `UTF8` succeeded (RFC 6856 §2.1).
    Utf8,
    /// `LANG tag` succeeded (RFC 6856 §3).
    LanguageChanged(StatusLine),
    /// `LANG`'s language list.
    Languages(Vec<Language>),
    /// The answer to a command sent with [`Connection::send`] that has no typed result.
    Status(StatusLine),
    /// A command failed with `-ERR`.
    Failed {
        /// The command's keyword.
        command: &'static str,
        /// The `-ERR` line.
        line: StatusLine,
    },
    /// `+OK` to `QUIT`: the session is over (RFC 1939 §6). `-ERR` comes as
    /// [`Event::Failed`] and also ends it.
    Closed(StatusLine),
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting.
    Connecting,
    /// AUTHORIZATION (RFC 1939 §4).
    Authorization,
    /// TRANSACTION (RFC 1939 §5).
    Transaction,
    /// `+OK` to `STLS` received; waiting for [`Connection::tls_established`].
    TlsHandshake,
    /// The session is over.
    Closed,
}

/// A command whose answer is awaited.
#[derive(Debug)]
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
#[derive(Debug)]
enum Body {
    None,
    Message(MessageNumber, DotDecoder),
    List(Listing),
}

/// The lines of a multi-line listing read so far, typed by the command that asked for it.
#[derive(Debug)]
enum Listing {
    Capabilities(Vec<Capability>),
    Scan(Vec<ScanListing>),
    Uid(Vec<UidListing>),
    Languages(Vec<Language>),
}

/// A POP3 client connection. See the [module docs](self) for the calling contract.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    input: BytesMut,
    output: BytesMut,
    framer: LineFramer,
    state: State,
    body: Body,
    in_flight: VecDeque<Op>,
    queued: VecDeque<(Command, Op)>,
    events: VecDeque<Event>,
    capabilities: Option<Capabilities>,
    greeting: Option<Greeting>,
    tls_active: bool,
    eof: bool,
    /// Message content just decoded, returned without a trip through `events`.
    data: Option<Bytes>,
    /// An error to report once the events before it are delivered.
    failure: Option<ClientError>,
}

impl Connection {
    /// Returns a connection waiting for the greeting.
    pub fn new(config: Config) -> Self {
        let framer = LineFramer::new(
            config.max_response_line.max(config.max_auth_line),
            config.bare_newline,
        );
        let tls_active = config.tls_active;
        let mut in_flight = VecDeque::new();
        in_flight.push_back(Op::Greeting);
        Self {
            config,
            input: BytesMut::new(),
            output: BytesMut::new(),
            framer,
            state: State::Connecting,
            body: Body::None,
            in_flight,
            queued: VecDeque::new(),
            events: VecDeque::new(),
            capabilities: None,
            greeting: None,
            tls_active,
            eof: false,
            data: None,
            failure: None,
        }
    }

    /// Appends bytes read from the server. Never parses, never fails.
    pub fn receive(&mut self, bytes: &[u8]) {
        if self.state != State::Closed {
            self.input.extend_from_slice(bytes);
        }
    }

    /// Like [`receive`](Self::receive), without copying: takes the filled part of `buf`
    /// (the buffer the socket was read into) and leaves `buf` empty with its spare capacity
    /// for the next read. Message data then reaches the application as slices of the
    /// buffers the socket filled. With tokio: `stream.read_buf(&mut buf).await?` then
    /// `conn.receive_buf(&mut buf)`.
    pub fn receive_buf(&mut self, buf: &mut BytesMut) {
        if self.state != State::Closed {
            mail_core::buffer::take_received(&mut self.input, buf);
        } else {
            buf.clear();
        }
    }

    /// Records that the server closed the connection.
    pub fn receive_eof(&mut self) {
        self.eof = true;
    }

    /// Returns the commands ready to be written to the server, maybe nothing.
    pub fn take_output(&mut self) -> Bytes {
        self.output.split().freeze()
    }

    /// Returns where the session is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Returns the server's capabilities, once `CAPA` was answered (since the last STLS).
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// Returns the greeting, once received.
    pub fn greeting(&self) -> Option<&Greeting> {
        self.greeting.as_ref()
    }

    /// Returns whether TLS is active.
    pub fn is_tls_active(&self) -> bool {
        self.tls_active
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
            command.encode(&mut self.output);
            self.in_flight.push_back(op);
        } else {
            self.queued.push_back((command, op));
        }
    }

    fn flush_queue(&mut self) {
        while let Some((command, op)) = self.queued.pop_front() {
            command.encode(&mut self.output);
            self.in_flight.push_back(op);
            if !self.pipelining() {
                break;
            }
        }
    }

    fn require(&self, state: State) -> Result<(), SendError> {
        if self.state == state {
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

    /// Sends `CAPA` (RFC 2449 §5); [`Event::Capabilities`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] before the greeting or after the session ended.
    pub fn capa(&mut self) -> Result<(), SendError> {
        if !matches!(self.state, State::Authorization | State::Transaction) {
            return Err(SendError::NotAllowed);
        }
        self.issue(Command::Capa, Op::Capa);
        Ok(())
    }

    /// Sends `STLS` (RFC 2595 §4); [`Event::StartTls`] or [`Event::Failed`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside an idle AUTHORIZATION state or under TLS.
    pub fn stls(&mut self) -> Result<(), SendError> {
        self.require_idle_authorization()?;
        if self.tls_active {
            return Err(SendError::NotAllowed);
        }
        self.issue(Command::Stls, Op::Stls);
        Ok(())
    }

    /// Call after the TLS handshake that followed [`Event::StartTls`]. The capabilities are
    /// forgotten (RFC 2595 §4: the client MUST discard them); send [`capa`](Self::capa)
    /// again.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no handshake is in progress.
    pub fn tls_established(&mut self) -> Result<(), SendError> {
        self.require(State::TlsHandshake)?;
        self.tls_active = true;
        self.capabilities = None;
        self.framer.reset();
        self.state = State::Authorization;
        Ok(())
    }

    /// Logs in with the best method available (RFC 1939 §7, RFC 5034): SASL with the
    /// strongest mechanism both the server (per `CAPA`) and [`Config::sasl_mechanisms`]
    /// allow, else `APOP` if the greeting had a timestamp, else `USER`/`PASS`.
    /// [`Event::LoggedIn`] or [`Event::LoginFailed`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside an idle AUTHORIZATION state;
    /// [`SendError::NoLoginMethod`] when nothing fits, or without TLS unless
    /// [`Config::allow_plaintext_login`].
    pub fn login(&mut self, login: Login) -> Result<(), SendError> {
        self.require_idle_authorization()?;
        if !self.tls_active && !self.config.allow_plaintext_login {
            return Err(SendError::NoLoginMethod);
        }
        let offered = self
            .capabilities
            .as_ref()
            .map(Capabilities::sasl)
            .unwrap_or_default();
        let allowed: Vec<Mechanism> = self
            .config
            .sasl_mechanisms
            .iter()
            .filter(|m| login.nonce.is_some() || **m != Mechanism::ScramSha256)
            .filter(|m| m.is_implemented())
            .cloned()
            .collect();
        if let Some(mechanism) = Mechanism::strongest(offered, &allowed) {
            let nonce = match &login.nonce {
                Some(n) => n.clone(),
                None => "unused".parse().map_err(|_| SendError::NoLoginMethod)?,
            };
            let credentials =
                Credentials::password(login.user.clone(), login.password.expose().clone());
            if let Ok(mut auth) = Authentication::new(mechanism.clone(), credentials, &nonce) {
                let ir = auth.initial_response();
                // RFC 5034 §4: the AUTH line with its initial response stays within 255
                // octets; otherwise the response goes after an empty challenge.
                let fits = ir.as_ref().is_some_and(|r| {
                    7 + mechanism.as_str().len() + sasl::encoded_len(r.expose().len()).max(1) + 2
                        <= 255
                });
                let (initial_response, held) = if fits { (ir, None) } else { (None, ir) };
                self.issue(
                    Command::Auth(Some(SaslStart {
                        mechanism,
                        initial_response,
                    })),
                    Op::Auth {
                        auth: Box::new(auth),
                        held,
                        cancelled: false,
                    },
                );
                return Ok(());
            }
        }
        let timestamp = self.greeting.as_ref().and_then(|g| g.timestamp.clone());
        if let (true, Some(ts)) = (self.config.apop, timestamp) {
            let name = Argument::new(login.user.clone()).map_err(|_| SendError::NoLoginMethod)?;
            let digest = ApopDigest::compute(&ts, login.password.expose().as_bytes());
            self.issue(Command::Apop { name, digest }, Op::Apop);
            return Ok(());
        }
        let user_offered = self.capabilities.as_ref().is_none_or(Capabilities::user);
        if self.config.user_pass && user_offered {
            let name = Argument::new(login.user).map_err(|_| SendError::NoLoginMethod)?;
            let password = Password::new(login.password.expose().clone())
                .map_err(|_| SendError::NoLoginMethod)?;
            self.issue(Command::User(name), Op::User { password });
            return Ok(());
        }
        Err(SendError::NoLoginMethod)
    }

    fn transaction(&mut self, command: Command, op: Op) -> Result<(), SendError> {
        self.require(State::Transaction)?;
        self.issue(command, op);
        Ok(())
    }

    /// Sends `STAT`; [`Event::Stat`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn stat(&mut self) -> Result<(), SendError> {
        self.transaction(Command::Stat, Op::Stat)
    }

    /// Sends `LIST [msg]`; [`Event::ScanList`] or [`Event::ScanListing`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn list(&mut self, msg: Option<MessageNumber>) -> Result<(), SendError> {
        self.transaction(Command::List(msg), Op::List(msg))
    }

    /// Sends `UIDL [msg]`; [`Event::UidList`] or [`Event::UidListing`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn uidl(&mut self, msg: Option<MessageNumber>) -> Result<(), SendError> {
        self.transaction(Command::Uidl(msg), Op::Uidl(msg))
    }

    /// Sends `RETR msg`; [`Event::MessageStart`], [`Event::MessageData`]… and
    /// [`Event::MessageEnd`] follow.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn retr(&mut self, msg: MessageNumber) -> Result<(), SendError> {
        self.transaction(Command::Retr(msg), Op::Retrieve(msg))
    }

    /// Sends `TOP msg lines` (RFC 1939 §7); events as for [`retr`](Self::retr).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn top(&mut self, msg: MessageNumber, lines: u32) -> Result<(), SendError> {
        self.transaction(Command::Top { msg, lines }, Op::Retrieve(msg))
    }

    /// Sends `DELE msg`; [`Event::Deleted`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn dele(&mut self, msg: MessageNumber) -> Result<(), SendError> {
        self.transaction(Command::Dele(msg), Op::Dele(msg))
    }

    /// Sends `RSET`; [`Event::Reset`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn rset(&mut self) -> Result<(), SendError> {
        self.transaction(Command::Rset, Op::Rset)
    }

    /// Sends `NOOP`; [`Event::Noop`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn noop(&mut self) -> Result<(), SendError> {
        self.transaction(Command::Noop, Op::Noop)
    }

    /// Sends `UTF8` (RFC 6856 §2.1); [`Event::Utf8`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside an idle AUTHORIZATION state.
    pub fn utf8(&mut self) -> Result<(), SendError> {
        self.require_idle_authorization()?;
        self.issue(Command::Utf8, Op::Utf8);
        Ok(())
    }

    /// Sends `LANG [tag]` (RFC 6856 §3); [`Event::Languages`] or
    /// [`Event::LanguageChanged`] follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] before the greeting or after the session ended.
    pub fn lang(&mut self, tag: Option<Argument>) -> Result<(), SendError> {
        if !matches!(self.state, State::Authorization | State::Transaction) {
            return Err(SendError::NotAllowed);
        }
        let list = tag.is_none();
        self.issue(Command::Lang(tag), Op::Lang(list));
        Ok(())
    }

    /// Sends `QUIT`; [`Event::Closed`] follows (RFC 1939 §6: in TRANSACTION the server
    /// then removes the deleted messages).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] before the greeting or after the session ended.
    pub fn quit(&mut self) -> Result<(), SendError> {
        if !matches!(self.state, State::Authorization | State::Transaction) {
            return Err(SendError::NotAllowed);
        }
        self.issue(Command::Quit, Op::Quit);
        Ok(())
    }

    /// Sends any other command; its single-line answer comes as [`Event::Status`] (or
    /// [`Event::Failed`]). Commands with typed results go through their own methods.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] for commands that have their own method, or when the
    /// session is not in AUTHORIZATION or TRANSACTION.
    pub fn send(&mut self, command: Command) -> Result<(), SendError> {
        if !matches!(self.state, State::Authorization | State::Transaction)
            || Expect::for_command(&command) != Expect::Status
            || matches!(
                command,
                Command::User(_)
                    | Command::Pass(_)
                    | Command::Apop { .. }
                    | Command::Stls
                    | Command::Quit
            )
        {
            return Err(SendError::NotAllowed);
        }
        let keyword = match &command {
            Command::Unknown { .. } => "unknown",
            Command::Dele(_) => "DELE",
            Command::Noop => "NOOP",
            Command::Rset => "RSET",
            Command::Utf8 => "UTF8",
            Command::Lang(_) => "LANG",
            _ => "command",
        };
        self.issue(command, Op::Other(keyword));
        Ok(())
    }

    /// Returns the next event.
    ///
    /// # Errors
    /// [`ClientError`] when the server breaks the protocol; the connection is then closed
    /// and should be dropped.
    pub fn next_event(&mut self) -> Result<Option<Event>, ClientError> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Ok(Some(event));
            }
            if let Some(e) = self.failure.take() {
                self.state = State::Closed;
                self.input.clear();
                self.in_flight.clear();
                self.queued.clear();
                return Err(e);
            }
            match self.step() {
                // Message content skips the event queue: it is the hot path of RETR.
                Ok(true) if self.data.is_some() => {
                    return Ok(self.data.take().map(Event::MessageData));
                }
                Ok(true) => {}
                Ok(false) => {
                    if self.eof && self.state != State::Closed {
                        let waiting = !self.in_flight.is_empty();
                        self.state = State::Closed;
                        if waiting {
                            return Err(ClientError::Eof);
                        }
                    }
                    return Ok(self.events.pop_front());
                }
                Err(e) => {
                    self.state = State::Closed;
                    self.input.clear();
                    self.in_flight.clear();
                    self.queued.clear();
                    return Err(e);
                }
            }
        }
    }

    fn step(&mut self) -> Result<bool, ClientError> {
        match self.state {
            State::Closed => return Ok(false),
            State::TlsHandshake => {
                if !self.input.is_empty() {
                    // RFC 2595 §4 / DESIGN: bytes before the handshake are injected.
                    return Err(ClientError::DataAfterStls);
                }
                return Ok(false);
            }
            _ => {}
        }
        if let Body::Message(msg, decoder) = &mut self.body {
            let msg = *msg;
            return match decoder.decode(&mut self.input) {
                None => Ok(false),
                Some(DotEvent::Data(data)) => {
                    self.data = Some(data);
                    Ok(true)
                }
                Some(DotEvent::End(result)) => {
                    self.body = Body::None;
                    self.framer.reset();
                    self.events.push_back(Event::MessageEnd { msg });
                    self.answered();
                    if result.is_err() {
                        // The message is framed correctly but broke the policy: hand it
                        // over, then fail the connection.
                        self.failure = Some(ClientError::BareNewline);
                    }
                    Ok(true)
                }
                Some(_) => Ok(true),
            };
        }
        let line = match self.framer.next_line(&mut self.input) {
            None => return Ok(false),
            Some(Ok(line)) => line,
            Some(Err(LineError::TooLong { .. })) => return Err(ClientError::LineTooLong),
            Some(Err(_)) => return Err(ClientError::BareNewline),
        };
        if !matches!(self.body, Body::None) {
            self.list_line(&line)?;
            return Ok(true);
        }
        let is_auth = matches!(self.in_flight.front(), Some(Op::Auth { .. }));
        if !is_auth && line.len().saturating_add(2) > self.config.max_response_line {
            return Err(ClientError::LineTooLong);
        }
        if is_auth && let Some(challenge) = parse_continuation(&line, self.config.max_auth_line) {
            self.challenge(challenge);
            return Ok(true);
        }
        let status = StatusLine::parse(&line).map_err(ClientError::Response)?;
        let Some(op) = self.in_flight.pop_front() else {
            return Err(ClientError::Unexpected(status));
        };
        self.status(op, status)?;
        Ok(true)
    }

    /// A response is complete: send the next queued command if it waited.
    fn answered(&mut self) {
        if self.in_flight.is_empty() {
            self.flush_queue();
        }
    }

    fn challenge(&mut self, challenge: Result<Vec<u8>, ResponseError>) {
        let Some(Op::Auth {
            auth,
            held,
            cancelled,
        }) = self.in_flight.front_mut()
        else {
            return;
        };
        let response = match (held.take(), challenge) {
            (_, _) if *cancelled => None,
            (Some(ir), _) => Some(ir),
            (None, Ok(c)) => auth.step(&c).ok(),
            (None, Err(_)) => None,
        };
        match response {
            Some(r) => {
                let mut line = Vec::new();
                sasl::encode_response(r.expose(), ResponseKind::Continuation, &mut line);
                self.output.put_slice(&line);
            }
            None => {
                // RFC 5034 §4: a client that cannot decode a challenge "MUST cancel the
                // authentication using the "*" response".
                *cancelled = true;
                self.output.put_u8(b'*');
            }
        }
        self.output.put_slice(b"\r\n");
    }

    fn status(&mut self, op: Op, line: StatusLine) -> Result<(), ClientError> {
        let ok = line.is_ok();
        let keyword = op.keyword();
        let expect = op.expect();
        match op {
            Op::Greeting => {
                if !ok {
                    return Err(ClientError::Refused(line));
                }
                let greeting = Greeting::new(line);
                self.greeting = Some(greeting.clone());
                self.state = State::Authorization;
                self.events.push_back(Event::Greeting(greeting));
            }
            Op::Stls if ok => {
                // RFC 2595 §4: nothing may follow the +OK before the handshake.
                if !self.input.is_empty() {
                    return Err(ClientError::DataAfterStls);
                }
                self.state = State::TlsHandshake;
                self.events.push_back(Event::StartTls);
            }
            Op::User { password } if ok => {
                // USER accepted: PASS goes next, before anything queued.
                Command::Pass(password).encode(&mut self.output);
                self.in_flight.push_front(Op::Pass);
                return Ok(());
            }
            Op::Pass | Op::Apop | Op::Auth { .. } | Op::User { .. } => {
                let method = match &op {
                    Op::Apop => LoginMethod::Apop,
                    Op::Auth { auth, .. } => LoginMethod::Sasl(auth.mechanism().clone()),
                    _ => LoginMethod::UserPass,
                };
                if let (true, Op::Auth { mut auth, .. }) = (ok, op) {
                    auth.finish(None).map_err(ClientError::Sasl)?;
                }
                if ok {
                    self.state = State::Transaction;
                    self.events.push_back(Event::LoggedIn { method, line });
                } else {
                    self.events.push_back(Event::LoginFailed(line));
                }
            }
            op if !ok => {
                self.events.push_back(Event::Failed {
                    command: keyword,
                    line,
                });
                if matches!(op, Op::Quit) {
                    self.state = State::Closed;
                }
            }
            op if expect.is_multi_line() => {
                self.body = match op {
                    Op::Retrieve(msg) => {
                        self.events.push_back(Event::MessageStart { msg, line });
                        let policy = self.config.bare_newline;
                        Body::Message(msg, DotDecoder::new(policy))
                    }
                    Op::Capa => Body::List(Listing::Capabilities(Vec::new())),
                    Op::List(_) => Body::List(Listing::Scan(Vec::new())),
                    Op::Uidl(_) => Body::List(Listing::Uid(Vec::new())),
                    _ => Body::List(Listing::Languages(Vec::new())),
                };
                return Ok(());
            }
            Op::Stat => {
                let text = line.text().as_bytes();
                let mut words = text.split(|&b| b == b' ');
                let count = words.next().and_then(crate::command::parse_u32);
                let size = words.next().and_then(crate::command::parse_u64);
                let (Some(count), Some(size)) = (count, size) else {
                    return Err(ClientError::Response(ResponseError::syntax(
                        4,
                        "count size",
                    )));
                };
                self.events.push_back(Event::Stat { count, size });
            }
            Op::List(Some(_)) => {
                let s =
                    ScanListing::parse(line.text().as_bytes()).map_err(ClientError::Response)?;
                self.events.push_back(Event::ScanListing(s));
            }
            Op::Uidl(Some(_)) => {
                let u = UidListing::parse(line.text().as_bytes()).map_err(ClientError::Response)?;
                self.events.push_back(Event::UidListing(u));
            }
            Op::Dele(msg) => self.events.push_back(Event::Deleted(msg)),
            Op::Rset => self.events.push_back(Event::Reset),
            Op::Noop => self.events.push_back(Event::Noop),
            Op::Utf8 => self.events.push_back(Event::Utf8),
            Op::Lang(_) => self.events.push_back(Event::LanguageChanged(line)),
            Op::Quit => {
                self.state = State::Closed;
                self.events.push_back(Event::Closed(line));
            }
            _ => self.events.push_back(Event::Status(line)),
        }
        self.answered();
        Ok(())
    }

    fn list_line(&mut self, line: &Bytes) -> Result<(), ClientError> {
        if line.as_ref() == b"." {
            let body = core::mem::replace(&mut self.body, Body::None);
            if let Body::List(listing) = body {
                let event = match listing {
                    Listing::Capabilities(caps) => {
                        let caps = Capabilities(caps);
                        self.capabilities = Some(caps.clone());
                        Event::Capabilities(caps)
                    }
                    Listing::Scan(items) => Event::ScanList(items),
                    Listing::Uid(items) => Event::UidList(items),
                    Listing::Languages(items) => Event::Languages(items),
                };
                self.events.push_back(event);
            }
            self.answered();
            return Ok(());
        }
        // RFC 1939 §3: a line starting with the termination octet is byte-stuffed.
        let line = if line.first() == Some(&b'.') {
            line.slice(1..)
        } else {
            line.clone()
        };
        if line.len().saturating_add(2) > self.config.max_response_line {
            return Err(ClientError::LineTooLong);
        }
        let Body::List(listing) = &mut self.body else {
            return Ok(());
        };
        match listing {
            Listing::Capabilities(items) => {
                items.push(Capability::parse(&line).map_err(ClientError::Response)?);
            }
            Listing::Scan(items) => {
                items.push(ScanListing::parse(&line).map_err(ClientError::Response)?);
            }
            Listing::Uid(items) => {
                items.push(UidListing::from_line(&line).map_err(ClientError::Response)?);
            }
            Listing::Languages(items) => {
                items.push(Language::parse(&line).map_err(ClientError::Response)?);
            }
        }
        Ok(())
    }
}

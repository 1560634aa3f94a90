//! The commands the application issues (RFC 9051 §6 and the extensions): each gets a tag and
//! is written now, or queued until the command before it no longer waits for the server.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes};
use mail_core::Secret;
use mail_core::sasl::client::{Authentication, Credentials};
use mail_core::sasl::{Mechanism, Nonce};

use super::{Blocked, Connection, Event, InFlight, Kind, Queued, State};
use crate::command::{
    AppendData, AppendMessage, Command, CommandBody, FetchItems, FetchModifiers, SearchKey,
    SelectParams, StatusItem, StoreFlags,
};
use crate::error::SendError;
use crate::framing::LITERAL_MINUS_MAX;
use crate::types::{
    AString, Capability, DateTime, Encoder, Flag, Fragment, ListMailbox, Mailbox, SequenceSet, Tag,
};

/// The name a command's completion reports.
fn name_of(body: &CommandBody) -> &'static str {
    use CommandBody as B;
    match body {
        B::Capability => "CAPABILITY",
        B::Noop => "NOOP",
        B::Logout => "LOGOUT",
        B::StartTls => "STARTTLS",
        B::Authenticate { .. } => "AUTHENTICATE",
        B::Login { .. } => "LOGIN",
        B::Enable(_) => "ENABLE",
        B::Select { .. } => "SELECT",
        B::Examine { .. } => "EXAMINE",
        B::Create { .. } => "CREATE",
        B::Delete(_) => "DELETE",
        B::Rename { .. } => "RENAME",
        B::Subscribe(_) => "SUBSCRIBE",
        B::Unsubscribe(_) => "UNSUBSCRIBE",
        B::List { .. } => "LIST",
        B::Lsub { .. } => "LSUB",
        B::Namespace => "NAMESPACE",
        B::Status { .. } => "STATUS",
        B::Append { .. } => "APPEND",
        B::Idle => "IDLE",
        B::Check => "CHECK",
        B::Close => "CLOSE",
        B::Unselect => "UNSELECT",
        B::Expunge => "EXPUNGE",
        B::UidExpunge(_) => "UID EXPUNGE",
        B::Search { uid: false, .. } => "SEARCH",
        B::Search { uid: true, .. } => "UID SEARCH",
        B::Fetch { uid: false, .. } => "FETCH",
        B::Fetch { uid: true, .. } => "UID FETCH",
        B::Store { uid: false, .. } => "STORE",
        B::Store { uid: true, .. } => "UID STORE",
        B::Copy { uid: false, .. } => "COPY",
        B::Copy { uid: true, .. } => "UID COPY",
        B::Move { uid: false, .. } => "MOVE",
        B::Move { uid: true, .. } => "UID MOVE",
        B::Id(_) => "ID",
        B::GetQuota(_) => "GETQUOTA",
        B::GetQuotaRoot(_) => "GETQUOTAROOT",
        B::SetQuota { .. } => "SETQUOTA",
        B::Sort { uid: false, .. } => "SORT",
        B::Sort { uid: true, .. } => "UID SORT",
        B::Thread { uid: false, .. } => "THREAD",
        B::Thread { uid: true, .. } => "UID THREAD",
        B::Compress(_) => "COMPRESS",
        B::GetMetadata { .. } => "GETMETADATA",
        B::SetMetadata { .. } => "SETMETADATA",
        B::Unauthenticate => "UNAUTHENTICATE",
        B::Notify(_) => "NOTIFY",
        _ => "command",
    }
}

/// What the command needs the session to be in.
enum Needs {
    Any,
    NotAuthenticated,
    Authenticated,
    Selected,
}

fn needs(body: &CommandBody) -> Needs {
    use CommandBody as B;
    match body {
        B::Capability | B::Noop | B::Logout | B::Id(_) | B::Other(_) | B::Compress(_) => Needs::Any,
        B::StartTls | B::Authenticate { .. } | B::Login { .. } => Needs::NotAuthenticated,
        B::Check
        | B::Close
        | B::Unselect
        | B::Expunge
        | B::UidExpunge(_)
        | B::Search { .. }
        | B::Fetch { .. }
        | B::Store { .. }
        | B::Copy { .. }
        | B::Move { .. }
        | B::Sort { .. }
        | B::Thread { .. } => Needs::Selected,
        _ => Needs::Authenticated,
    }
}

fn kind_of(body: &CommandBody) -> Kind {
    use CommandBody as B;
    match body {
        B::Capability => Kind::Capability,
        B::Login { .. } => Kind::Login,
        B::Authenticate { .. } => Kind::Authenticate,
        B::StartTls => Kind::StartTls,
        B::Select { mailbox, .. } => Kind::Select {
            mailbox: mailbox.clone(),
            read_only: false,
        },
        B::Examine { mailbox, .. } => Kind::Select {
            mailbox: mailbox.clone(),
            read_only: true,
        },
        B::Close | B::Unselect => Kind::Close,
        B::Unauthenticate => Kind::Unauthenticate,
        B::Logout => Kind::Logout,
        B::Idle => Kind::Idle,
        _ => Kind::Other,
    }
}

impl Connection {
    /// Uses `tag` for the next command instead of a generated one (an application that
    /// keeps its own tags, or a transcript).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when a command in flight or queued has that tag.
    pub fn set_next_tag(&mut self, tag: Tag) -> Result<(), SendError> {
        let taken = self.in_flight.iter().any(|op| op.tag == tag)
            || self.queued.iter().any(|q| q.op.tag == tag);
        if taken {
            return Err(SendError::NotAllowed);
        }
        self.tag_override = Some(tag);
        Ok(())
    }

    fn take_tag(&mut self) -> Tag {
        if let Some(tag) = self.tag_override.take() {
            return tag;
        }
        loop {
            let n = self.next_tag;
            self.next_tag = self.next_tag.wrapping_add(1).max(1);
            let text = format!("{}{n:03}", self.config.tag_prefix);
            let tag = Tag::try_from(text.as_str())
                .or_else(|_| Tag::try_from(format!("A{n:03}").as_str()));
            if let Ok(tag) = tag
                && !self.in_flight.iter().any(|op| op.tag == tag)
            {
                return tag;
            }
        }
    }

    /// The state the session will be in once every command in flight and queued succeeded:
    /// what a new command is checked against, so that LOGIN and SELECT may be pipelined.
    fn planned(&self) -> State {
        let kinds = self
            .in_flight
            .iter()
            .map(|op| &op.kind)
            .chain(self.queued.iter().map(|q| &q.op.kind));
        kinds.fold(self.state, |state, kind| match kind {
            Kind::Login | Kind::Authenticate => State::Authenticated,
            Kind::Select { read_only, .. } => State::Selected {
                read_only: *read_only,
            },
            Kind::Close => State::Authenticated,
            Kind::Unauthenticate => State::NotAuthenticated,
            Kind::Logout => State::Logout,
            _ => state,
        })
    }

    fn check(&self, body: &CommandBody) -> Result<(), SendError> {
        if self.core.is_closed()
            || matches!(
                self.blocked,
                Some(Blocked::Idle { .. } | Blocked::StartTls { .. })
            )
            || self.queued.iter().any(|q| {
                matches!(
                    q.then,
                    Some(Blocked::Idle { .. } | Blocked::StartTls { .. })
                )
            })
        {
            return Err(SendError::NotAllowed);
        }
        let planned = self.planned();
        let fits = match needs(body) {
            _ if matches!(
                planned,
                State::Greeting | State::TlsHandshake | State::Logout
            ) =>
            {
                false
            }
            Needs::Any => true,
            Needs::NotAuthenticated => planned == State::NotAuthenticated,
            Needs::Authenticated => {
                matches!(planned, State::Authenticated | State::Selected { .. })
            }
            Needs::Selected => matches!(planned, State::Selected { .. }),
        };
        if fits {
            Ok(())
        } else {
            Err(SendError::NotAllowed)
        }
    }

    /// The encoder for the literals the server accepts: `{n+}` with LITERAL+, and with
    /// LITERAL- up to 4096 octets (RFC 7888); `{n}` otherwise.
    fn encoder(&self) -> Encoder {
        if self.has_capability(&Capability::LiteralPlus) {
            Encoder::non_synchronizing(false)
        } else if self.has_capability(&Capability::LiteralMinus) {
            Encoder::non_synchronizing(true)
        } else {
            Encoder::new()
        }
    }

    /// Sends any command (RFC 9051 §6): the typed methods are shorthands for it. Its literals
    /// wait for `+` unless the server offers LITERAL+ / LITERAL-. Returns the tag its
    /// [`Event::Completed`] will carry.
    ///
    /// `STARTTLS`, `IDLE` and `AUTHENTICATE` need their own methods ([`starttls`](Self::starttls),
    /// [`idle`](Self::idle), [`authenticate`](Self::authenticate)).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] before the greeting, after LOGOUT, during IDLE or STARTTLS,
    /// for a command the session's state (once the commands in flight succeed) does not
    /// allow, and for `AUTHENTICATE`.
    pub fn send(&mut self, body: CommandBody) -> Result<Tag, SendError> {
        match body {
            CommandBody::Idle => self.idle(),
            CommandBody::StartTls => self.starttls(),
            CommandBody::Authenticate { .. } => Err(SendError::NotAllowed),
            body => self.issue(body, None),
        }
    }

    fn issue(&mut self, body: CommandBody, then: Option<Blocked>) -> Result<Tag, SendError> {
        self.issue_then(body, |_| then)
    }

    /// Issues a command that, once written, waits for what `then` returns (given its tag).
    fn issue_then(
        &mut self,
        body: CommandBody,
        then: impl FnOnce(&Tag) -> Option<Blocked>,
    ) -> Result<Tag, SendError> {
        self.check(&body)?;
        let tag = self.take_tag();
        let then = then(&tag);
        let op = InFlight {
            tag: tag.clone(),
            name: name_of(&body),
            kind: kind_of(&body),
        };
        let mut fragments = Vec::new();
        Command::new(tag.clone(), body).encode_with(self.encoder(), &mut fragments);
        self.submit(op, fragments, then);
        Ok(tag)
    }

    fn submit(&mut self, op: InFlight, fragments: Vec<Fragment>, then: Option<Blocked>) {
        let ready = self.state != State::Greeting && self.state != State::TlsHandshake;
        if self.blocked.is_some() || !self.queued.is_empty() || !ready {
            self.queued.push_back(Queued {
                op,
                fragments,
                then,
            });
        } else {
            self.write(op, fragments, then);
        }
    }

    /// Writes a command: up to its first synchronising literal, if it has one.
    fn write(&mut self, op: InFlight, fragments: Vec<Fragment>, then: Option<Blocked>) {
        let tag = op.tag.clone();
        self.in_flight.push_back(op);
        let mut rest: VecDeque<Fragment> = fragments.into();
        if self.write_fragments(&mut rest) {
            self.blocked = Some(Blocked::Literal {
                tag,
                rest,
                then: then.map(Box::new),
            });
        } else {
            self.set_blocked(then);
        }
    }

    /// Blocks on what a command waits for once written; a non-synchronising APPEND is
    /// ready at once.
    pub(super) fn set_blocked(&mut self, then: Option<Blocked>) {
        if let Some(Blocked::Append {
            tag, ready: true, ..
        }) = &then
        {
            self.core
                .push_event(Event::AppendReady { tag: tag.clone() });
        }
        self.blocked = then;
    }

    /// Writes fragments up to the next synchronising literal; returns whether it stopped at
    /// one (then it is the front of `rest`).
    pub(super) fn write_fragments(&mut self, rest: &mut VecDeque<Fragment>) -> bool {
        while let Some(fragment) = rest.pop_front() {
            match fragment {
                Fragment::Literal {
                    mode: crate::framing::LiteralMode::Sync,
                    ..
                } => {
                    rest.push_front(fragment);
                    return true;
                }
                other => self.core.output().put_slice(other.as_bytes()),
            }
        }
        false
    }

    /// Writes queued commands while nothing blocks them.
    pub(super) fn flush(&mut self) {
        while self.blocked.is_none()
            && !matches!(self.state, State::Greeting | State::TlsHandshake)
            && !self.core.is_closed()
        {
            let Some(q) = self.queued.pop_front() else {
                break;
            };
            self.write(q.op, q.fragments, q.then);
        }
    }

    /// Sends `CAPABILITY` (RFC 9051 §6.1.1); [`Event::Capabilities`] follows.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn capability(&mut self) -> Result<Tag, SendError> {
        self.issue(CommandBody::Capability, None)
    }

    /// Sends `NOOP` (RFC 9051 §6.1.2): a chance for the server to report mailbox updates.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn noop(&mut self) -> Result<Tag, SendError> {
        self.issue(CommandBody::Noop, None)
    }

    /// Sends `LOGOUT` (RFC 9051 §6.1.3); the session ends with [`CloseReason::Quit`](mail_core::connection::CloseReason::Quit)
    /// after its completion.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn logout(&mut self) -> Result<Tag, SendError> {
        self.issue(CommandBody::Logout, None)
    }

    /// Sends `STARTTLS` (RFC 9051 §6.2.1); [`Event::StartTls`] follows its `OK`. Nothing is
    /// sent after it until the handshake.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] under TLS, outside the not-authenticated state, or when
    /// other commands are in flight.
    pub fn starttls(&mut self) -> Result<Tag, SendError> {
        if self.tls_active || !self.is_idle() {
            return Err(SendError::NotAllowed);
        }
        self.issue_then(CommandBody::StartTls, |tag| {
            Some(Blocked::StartTls { tag: tag.clone() })
        })
    }

    fn check_credentials(&self) -> Result<(), SendError> {
        if !(self.tls_active || self.config.allow_plaintext_auth) {
            return Err(SendError::NotAllowed);
        }
        Ok(())
    }

    /// Sends `LOGIN user password` (RFC 9051 §6.2.3); the strings go as atoms, quoted or
    /// literals as their content needs.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside the not-authenticated state, when the server
    /// says `LOGINDISABLED`, or without TLS unless [`Config::allow_plaintext_auth`](super::Config::allow_plaintext_auth);
    /// [`SendError::Value`] for a NUL in either.
    pub fn login(&mut self, user: &str, password: &str) -> Result<Tag, SendError> {
        self.check_credentials()?;
        if self.has_capability(&Capability::LoginDisabled) {
            return Err(SendError::NotAllowed);
        }
        let username = AString::try_from(user).map_err(SendError::Value)?;
        let password = AString::try_from(password).map_err(SendError::Value)?;
        self.issue(
            CommandBody::Login {
                username,
                password: Secret::new(password),
            },
            None,
        )
    }

    /// Sends `AUTHENTICATE` (RFC 9051 §6.2.2) with the strongest mechanism that the server
    /// offers (`AUTH=`), that [`Config::sasl_mechanisms`](super::Config::sasl_mechanisms)
    /// allows and that fits `credentials`, through mail-core's SASL client; the initial
    /// response goes on the command line with SASL-IR (RFC 4959), after the first empty
    /// challenge otherwise. `nonce` is SCRAM's client nonce: fresh for every exchange.
    ///
    /// # Errors
    /// As [`login`](Self::login); [`SendError::NoMechanism`] when no mechanism fits.
    pub fn authenticate(
        &mut self,
        credentials: Credentials,
        nonce: &Nonce,
    ) -> Result<Tag, SendError> {
        self.check_credentials()?;
        let offered: Vec<Mechanism> = self
            .capabilities
            .iter()
            .flatten()
            .filter_map(|c| match c {
                Capability::Auth(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        let fitting: Vec<Mechanism> = self
            .config
            .sasl_mechanisms
            .iter()
            .filter(|m| Authentication::new((*m).clone(), credentials.clone(), nonce).is_ok())
            .cloned()
            .collect();
        let mechanism = Mechanism::strongest(&offered, &fitting).ok_or(SendError::NoMechanism)?;
        // IMAP4rev2 includes SASL-IR (RFC 9051 §6.2.2).
        let sasl_ir =
            self.has_capability(&Capability::SaslIr) || self.has_capability(&Capability::Imap4rev2);
        self.authenticate_with(mechanism, credentials, nonce, sasl_ir)
    }

    /// Sends `AUTHENTICATE mechanism` with the mechanism the application chose (it may know
    /// what the server takes without the capabilities, e.g. right after STARTTLS), the
    /// initial response on the command line when `initial_response` (SASL-IR, RFC 4959;
    /// part of IMAP4rev2), else after the first empty challenge.
    ///
    /// # Errors
    /// As [`login`](Self::login); [`SendError::NoMechanism`] when the mechanism is not
    /// implemented or does not fit `credentials`.
    pub fn authenticate_with(
        &mut self,
        mechanism: Mechanism,
        credentials: Credentials,
        nonce: &Nonce,
        initial_response: bool,
    ) -> Result<Tag, SendError> {
        self.check_credentials()?;
        let mut auth = Authentication::new(mechanism.clone(), credentials, nonce)
            .map_err(|_| SendError::NoMechanism)?;
        let initial = auth.initial_response();
        let (initial_response, held) = if initial_response {
            (initial, None)
        } else {
            (None, initial)
        };
        let body = CommandBody::Authenticate {
            mechanism,
            initial_response,
        };
        self.issue_then(body, |tag| {
            Some(Blocked::Auth {
                tag: tag.clone(),
                auth: Box::new(auth),
                held,
                cancelled: false,
            })
        })
    }

    /// Sends `ENABLE` (RFC 5161); [`enabled`](Self::enabled) records what the server turned on.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn enable(&mut self, capabilities: Vec<Capability>) -> Result<Tag, SendError> {
        self.issue(CommandBody::Enable(capabilities), None)
    }

    /// Sends `SELECT mailbox` (RFC 9051 §6.3.2): the [mailbox view](Self::mailbox) starts
    /// afresh with its first response.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn select(&mut self, mailbox: Mailbox) -> Result<Tag, SendError> {
        self.select_with(mailbox, SelectParams::default())
    }

    /// Sends `SELECT mailbox (params)`: CONDSTORE, QRESYNC (RFC 7162).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn select_with(
        &mut self,
        mailbox: Mailbox,
        params: SelectParams,
    ) -> Result<Tag, SendError> {
        self.issue(CommandBody::Select { mailbox, params }, None)
    }

    /// Sends `EXAMINE mailbox` (RFC 9051 §6.3.3): SELECT, read-only.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn examine(&mut self, mailbox: Mailbox) -> Result<Tag, SendError> {
        let params = SelectParams::default();
        self.issue(CommandBody::Examine { mailbox, params }, None)
    }

    /// Sends `CREATE mailbox` (RFC 9051 §6.3.4).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn create(&mut self, mailbox: Mailbox) -> Result<Tag, SendError> {
        let body = CommandBody::Create {
            mailbox,
            special_use: None,
        };
        self.issue(body, None)
    }

    /// Sends `DELETE mailbox` (RFC 9051 §6.3.5).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn delete(&mut self, mailbox: Mailbox) -> Result<Tag, SendError> {
        self.issue(CommandBody::Delete(mailbox), None)
    }

    /// Sends `LIST reference pattern` (RFC 9051 §6.3.9); each mailbox comes as
    /// [`Event::Untagged`] with [`Data::List`](crate::response::Data::List).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn list(&mut self, reference: Mailbox, pattern: ListMailbox) -> Result<Tag, SendError> {
        let body = CommandBody::List {
            selection: None,
            reference,
            patterns: vec![pattern],
            return_options: None,
        };
        self.issue(body, None)
    }

    /// Sends `STATUS mailbox (items)` (RFC 9051 §6.3.11).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn status(&mut self, mailbox: Mailbox, items: Vec<StatusItem>) -> Result<Tag, SendError> {
        self.issue(CommandBody::Status { mailbox, items }, None)
    }

    /// Sends `APPEND mailbox message` with the message in memory (RFC 9051 §6.3.12); for a
    /// message streamed from elsewhere use [`append_start`](Self::append_start).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn append(&mut self, mailbox: Mailbox, message: AppendMessage) -> Result<Tag, SendError> {
        let body = CommandBody::Append {
            mailbox,
            messages: vec![message],
        };
        self.issue(body, None)
    }

    /// Starts `APPEND mailbox [flags] [date] {size}` (RFC 9051 §6.3.12) whose message the
    /// application streams: once [`Event::AppendReady`] comes (after the server's `+`, or at
    /// once with LITERAL+, or LITERAL- for up to 4096 octets), send exactly `size` octets
    /// with [`append_data`](Self::append_data), then [`append_end`](Self::append_end). A
    /// tagged `NO` instead of `+` refuses the message: [`Event::Completed`] comes instead.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn append_start(
        &mut self,
        mailbox: Mailbox,
        flags: Option<Vec<Flag>>,
        date: Option<DateTime>,
        size: u64,
    ) -> Result<Tag, SendError> {
        let body = CommandBody::Append {
            mailbox,
            messages: vec![AppendMessage {
                flags,
                date,
                data: AppendData::Literal(Bytes::new()),
            }],
        };
        self.check(&body)?;
        let tag = self.take_tag();
        let op = InFlight {
            tag: tag.clone(),
            name: "APPEND",
            kind: Kind::Other,
        };
        let mut fragments = Vec::new();
        Command::new(tag.clone(), body).encode_with(self.encoder(), &mut fragments);
        // The encoder wrote `{0}` and an empty literal for the message: announce its size.
        fragments.truncate(fragments.len().saturating_sub(2));
        let sync = !(self.has_capability(&Capability::LiteralPlus)
            || (self.has_capability(&Capability::LiteralMinus) && size <= LITERAL_MINUS_MAX));
        if let Some(Fragment::Line(line)) = fragments.pop() {
            let keep = line
                .strip_suffix(b"{0}\r\n")
                .or_else(|| line.strip_suffix(b"{0+}\r\n"))
                .unwrap_or(&line);
            let mut announced = keep.to_vec();
            announced.push(b'{');
            mail_core::buffer::put_decimal(&mut announced, size);
            if !sync {
                announced.push(b'+');
            }
            announced.extend_from_slice(b"}\r\n");
            fragments.push(Fragment::Line(Bytes::from(announced)));
        }
        let then = Blocked::Append {
            tag: tag.clone(),
            ready: !sync,
            remaining: size,
        };
        self.submit(op, fragments, Some(then));
        Ok(tag)
    }

    /// Sends the next octets of the streamed APPEND message. Respect `wants_write`: write
    /// the output before sending more.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] before [`Event::AppendReady`], after the announced size,
    /// or without a streamed APPEND.
    pub fn append_data(&mut self, chunk: &[u8]) -> Result<(), SendError> {
        match &mut self.blocked {
            Some(Blocked::Append {
                ready: true,
                remaining,
                ..
            }) if chunk.len() as u64 <= *remaining => {
                *remaining = remaining.saturating_sub(chunk.len() as u64);
                self.core.output().put_slice(chunk);
                Ok(())
            }
            _ => Err(SendError::NotAllowed),
        }
    }

    /// Ends the streamed APPEND message; the completion follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] before all the announced octets were sent.
    pub fn append_end(&mut self) -> Result<(), SendError> {
        match &self.blocked {
            Some(Blocked::Append {
                ready: true,
                remaining: 0,
                ..
            }) => {
                self.core.output().put_slice(b"\r\n");
                self.blocked = None;
                self.flush();
                Ok(())
            }
            _ => Err(SendError::NotAllowed),
        }
    }

    /// Sends `IDLE` (RFC 2177, RFC 9051 §6.3.13); [`Event::Idling`] follows the server's `+`,
    /// then updates as they happen. End it with [`done`](Self::done); no other command may be
    /// sent until then.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn idle(&mut self) -> Result<Tag, SendError> {
        self.issue_then(CommandBody::Idle, |tag| {
            Some(Blocked::Idle {
                tag: tag.clone(),
                idling: false,
                done_wanted: false,
            })
        })
    }

    /// Ends IDLE with `DONE` (at once, or as soon as the server's `+` came).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no IDLE is in progress.
    pub fn done(&mut self) -> Result<(), SendError> {
        match &mut self.blocked {
            Some(Blocked::Idle { idling: true, .. }) => {
                self.core.output().put_slice(b"DONE\r\n");
                self.blocked = None;
                self.flush();
                Ok(())
            }
            Some(Blocked::Idle {
                idling: false,
                done_wanted,
                ..
            }) => {
                *done_wanted = true;
                Ok(())
            }
            _ => Err(SendError::NotAllowed),
        }
    }

    /// Sends `FETCH set items` (RFC 9051 §6.4.5).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn fetch(&mut self, set: SequenceSet, items: FetchItems) -> Result<Tag, SendError> {
        self.fetch_with(false, set, items, FetchModifiers::default())
    }

    /// Sends `UID FETCH set items` (RFC 9051 §6.4.9).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn uid_fetch(&mut self, set: SequenceSet, items: FetchItems) -> Result<Tag, SendError> {
        self.fetch_with(true, set, items, FetchModifiers::default())
    }

    /// Sends `[UID] FETCH set items (modifiers)`: CHANGEDSINCE, VANISHED (RFC 7162).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn fetch_with(
        &mut self,
        uid: bool,
        set: SequenceSet,
        items: FetchItems,
        modifiers: FetchModifiers,
    ) -> Result<Tag, SendError> {
        let body = CommandBody::Fetch {
            uid,
            set,
            items,
            modifiers,
        };
        self.issue(body, None)
    }

    /// Sends `STORE set flags` (RFC 9051 §6.4.6).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn store(&mut self, set: SequenceSet, flags: StoreFlags) -> Result<Tag, SendError> {
        self.store_with(false, set, None, flags)
    }

    /// Sends `UID STORE set flags`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn uid_store(&mut self, set: SequenceSet, flags: StoreFlags) -> Result<Tag, SendError> {
        self.store_with(true, set, None, flags)
    }

    /// Sends `[UID] STORE set [(UNCHANGEDSINCE n)] flags` (RFC 7162 §3.1.3).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn store_with(
        &mut self,
        uid: bool,
        set: SequenceSet,
        unchanged_since: Option<u64>,
        flags: StoreFlags,
    ) -> Result<Tag, SendError> {
        let body = CommandBody::Store {
            uid,
            set,
            unchanged_since,
            flags,
        };
        self.issue(body, None)
    }

    /// Sends `SEARCH keys` (RFC 9051 §6.4.4).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn search(&mut self, criteria: Vec<SearchKey>) -> Result<Tag, SendError> {
        self.search_inner(false, criteria)
    }

    /// Sends `UID SEARCH keys`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn uid_search(&mut self, criteria: Vec<SearchKey>) -> Result<Tag, SendError> {
        self.search_inner(true, criteria)
    }

    fn search_inner(&mut self, uid: bool, criteria: Vec<SearchKey>) -> Result<Tag, SendError> {
        let body = CommandBody::Search {
            uid,
            return_options: None,
            charset: None,
            criteria,
        };
        self.issue(body, None)
    }

    /// Sends `EXPUNGE` (RFC 9051 §6.4.3).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn expunge(&mut self) -> Result<Tag, SendError> {
        self.issue(CommandBody::Expunge, None)
    }

    /// Sends `UID EXPUNGE set` (RFC 4315 §2.1).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn uid_expunge(&mut self, set: SequenceSet) -> Result<Tag, SendError> {
        self.issue(CommandBody::UidExpunge(set), None)
    }

    /// Sends `COPY set mailbox` (RFC 9051 §6.4.7).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn copy(&mut self, set: SequenceSet, mailbox: Mailbox) -> Result<Tag, SendError> {
        let body = CommandBody::Copy {
            uid: false,
            set,
            mailbox,
        };
        self.issue(body, None)
    }

    /// Sends `UID COPY set mailbox`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn uid_copy(&mut self, set: SequenceSet, mailbox: Mailbox) -> Result<Tag, SendError> {
        let body = CommandBody::Copy {
            uid: true,
            set,
            mailbox,
        };
        self.issue(body, None)
    }

    /// Sends `MOVE set mailbox` (RFC 6851, RFC 9051 §6.4.8).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn move_(&mut self, set: SequenceSet, mailbox: Mailbox) -> Result<Tag, SendError> {
        let body = CommandBody::Move {
            uid: false,
            set,
            mailbox,
        };
        self.issue(body, None)
    }

    /// Sends `UID MOVE set mailbox`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn uid_move(&mut self, set: SequenceSet, mailbox: Mailbox) -> Result<Tag, SendError> {
        let body = CommandBody::Move {
            uid: true,
            set,
            mailbox,
        };
        self.issue(body, None)
    }

    /// Sends `CLOSE` (RFC 9051 §6.4.1): the mailbox view ends with its `OK`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn close(&mut self) -> Result<Tag, SendError> {
        self.issue(CommandBody::Close, None)
    }

    /// Sends `UNSELECT` (RFC 3691, RFC 9051 §6.4.2).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn unselect(&mut self) -> Result<Tag, SendError> {
        self.issue(CommandBody::Unselect, None)
    }
}

//! The commands the application issues (RFC 1939 §4–7, RFC 2449, RFC 2595, RFC 5034,
//! RFC 6856): each writes its line now, or queues it until the server may take it.

use mail_core::sasl::client::{Authentication, Credentials};
use mail_core::sasl::{self, Mechanism};

use super::{Connection, Login, Op, State};
use crate::capability::Capabilities;
use crate::command::{ApopDigest, Argument, Command, MessageNumber, Password, SaslStart};
use crate::error::SendError;
use crate::response::Expect;

impl Connection {
    /// Sends `CAPA` (RFC 2449 §5); [`Event::Capabilities`](super::Event::Capabilities) follows.
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

    /// Sends `STLS` (RFC 2595 §4); [`Event::StartTls`](super::Event::StartTls) or [`Event::Failed`](super::Event::Failed) follows.
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

    /// Logs in with the best method available (RFC 1939 §7, RFC 5034): SASL with the
    /// strongest mechanism both the server (per `CAPA`) and [`Config::sasl_mechanisms`](super::Config::sasl_mechanisms)
    /// allow, else `APOP` if the greeting had a timestamp, else `USER`/`PASS`.
    /// [`Event::LoggedIn`](super::Event::LoggedIn) or [`Event::LoginFailed`](super::Event::LoginFailed) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside an idle AUTHORIZATION state;
    /// [`SendError::NoLoginMethod`] when nothing fits, or without TLS unless
    /// [`Config::allow_plaintext_auth`](super::Config::allow_plaintext_auth).
    pub fn login(&mut self, login: Login) -> Result<(), SendError> {
        self.require_idle_authorization()?;
        if !self.tls_active && !self.config.allow_plaintext_auth {
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

    pub(super) fn transaction(&mut self, command: Command, op: Op) -> Result<(), SendError> {
        self.require(State::Transaction)?;
        self.issue(command, op);
        Ok(())
    }

    /// Sends `STAT`; [`Event::Stat`](super::Event::Stat) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn stat(&mut self) -> Result<(), SendError> {
        self.transaction(Command::Stat, Op::Stat)
    }

    /// Sends `LIST [msg]`; [`Event::ScanList`](super::Event::ScanList) or [`Event::ScanListing`](super::Event::ScanListing) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn list(&mut self, msg: Option<MessageNumber>) -> Result<(), SendError> {
        self.transaction(Command::List(msg), Op::List(msg))
    }

    /// Sends `UIDL [msg]`; [`Event::UidList`](super::Event::UidList) or [`Event::UidListing`](super::Event::UidListing) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn uidl(&mut self, msg: Option<MessageNumber>) -> Result<(), SendError> {
        self.transaction(Command::Uidl(msg), Op::Uidl(msg))
    }

    /// Sends `RETR msg`; [`Event::MessageStart`](super::Event::MessageStart), [`Event::MessageData`](super::Event::MessageData)… and
    /// [`Event::MessageEnd`](super::Event::MessageEnd) follow.
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

    /// Sends `DELE msg`; [`Event::Deleted`](super::Event::Deleted) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn dele(&mut self, msg: MessageNumber) -> Result<(), SendError> {
        self.transaction(Command::Dele(msg), Op::Dele(msg))
    }

    /// Sends `RSET`; [`Event::Reset`](super::Event::Reset) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn rset(&mut self) -> Result<(), SendError> {
        self.transaction(Command::Rset, Op::Rset)
    }

    /// Sends `NOOP`; [`Event::Noop`](super::Event::Noop) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside TRANSACTION.
    pub fn noop(&mut self) -> Result<(), SendError> {
        self.transaction(Command::Noop, Op::Noop)
    }

    /// Sends `UTF8` (RFC 6856 §2.1); [`Event::Utf8`](super::Event::Utf8) follows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] outside an idle AUTHORIZATION state.
    pub fn utf8(&mut self) -> Result<(), SendError> {
        self.require_idle_authorization()?;
        self.issue(Command::Utf8, Op::Utf8);
        Ok(())
    }

    /// Sends `LANG [tag]` (RFC 6856 §3); [`Event::Languages`](super::Event::Languages) or
    /// [`Event::LanguageChanged`](super::Event::LanguageChanged) follows.
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

    /// Sends `QUIT`; [`Event::Closed`](super::Event::Closed) follows (RFC 1939 §6: in TRANSACTION the server
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

    /// Sends any other command; its single-line answer comes as [`Event::Status`](super::Event::Status) (or
    /// [`Event::Failed`](super::Event::Failed)). Commands with typed results go through their own methods.
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
}

//! The AUTHORIZATION state (RFC 1939 §4): `USER`/`PASS`, `APOP` (§7), `AUTH` through
//! mail-core's SASL driver (RFC 5034), `STLS` (RFC 2595), `UTF8` (RFC 6856), and the count
//! of failed logins that all of them share.

use mail_core::connection::CloseReason;
use mail_core::sasl::Mechanism;
use mail_core::sasl::authenticator::Progress;
use mail_core::sasl::server::{Answer, Failure};

use super::{Connection, Event, LoginMethod, Maildrop, Pending, Phase, Refusal};
use crate::command::Command;
use crate::error::SendError;
use crate::response::{ResponseCode, Status, encode_continuation};

impl Connection {
    /// Returns whether credentials may cross this connection: TLS is active or the
    /// configuration allows plaintext logins (RFC 2595 §2.2).
    pub(super) fn auth_allowed(&self) -> bool {
        self.tls_active || self.config.allow_plaintext_auth
    }

    /// Returns the SASL mechanisms offered now.
    pub(super) fn offered_mechanisms(&self) -> Vec<Mechanism> {
        self.sasl.offered(self.auth_allowed())
    }

    pub(super) fn authorization(&mut self, command: Command) {
        let user = match &mut self.phase {
            Phase::Authorization { user } => user.take(),
            _ => None,
        };
        match command {
            Command::User(name) => {
                if !self.config.user_pass {
                    return self.error(None, "USER not supported");
                }
                if !self.auth_allowed() {
                    return self.error(None, "Plaintext authentication disallowed, use STLS");
                }
                self.ok("send PASS");
                self.phase = Phase::Authorization { user: Some(name) };
            }
            Command::Pass(password) => match user {
                Some(user) => {
                    self.pending = Some(Pending::Password { user: user.clone() });
                    self.core.push_event(Event::CheckPassword {
                        user,
                        password: password.into_secret(),
                    });
                }
                None => self.error(None, "USER first"),
            },
            Command::Apop { name, digest } => {
                if self.config.apop_timestamp.is_none() {
                    return self.error(None, "APOP not supported");
                }
                if !self.auth_allowed() {
                    return self.error(None, "Plaintext authentication disallowed, use STLS");
                }
                self.pending = Some(Pending::Apop {
                    user: name.clone(),
                    digest,
                });
                self.core.push_event(Event::ApopSecret { user: name });
            }
            Command::Auth(None) => {
                let mechanisms = self.offered_mechanisms();
                if mechanisms.is_empty() {
                    return self.error(None, "No authentication mechanism available");
                }
                self.ok("Supported mechanisms follow");
                let out = self.core.output();
                for m in mechanisms {
                    out.extend_from_slice(m.as_str().as_bytes());
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b".\r\n");
            }
            Command::Auth(Some(start)) => {
                let initial = start
                    .initial_response
                    .as_ref()
                    .map(|r| r.expose().as_slice());
                self.phase = Phase::Sasl;
                let progress = self
                    .sasl
                    .start(start.mechanism, initial, self.auth_allowed());
                self.sasl_progress(progress);
            }
            Command::Stls => {
                if !self.config.stls || self.tls_active {
                    return self.error(None, "STLS not available");
                }
                self.ok("Begin TLS negotiation now");
                self.phase = Phase::TlsHandshake;
                self.core.push_event(Event::StartTls);
                // RFC 2595 §4: anything after the STLS line is injected plaintext.
                self.discard_input();
            }
            Command::Utf8 => {
                if !self.config.utf8 {
                    return self.error(None, "UTF8 not supported");
                }
                self.utf8 = true;
                self.ok("UTF8 enabled");
            }
            Command::Unknown { .. } => self.error(None, "Unknown command"),
            _ => self.error(None, "Not allowed in AUTHORIZATION state"),
        }
    }

    fn sasl_progress(&mut self, progress: Progress) {
        match progress {
            Progress::Challenge(challenge) => encode_continuation(&challenge, self.core.output()),
            Progress::Verify(verification) => {
                self.pending = Some(Pending::Sasl);
                self.core.push_event(Event::AuthVerify(verification));
            }
            Progress::Success { mechanism, outcome } => {
                self.phase = Phase::Authorization { user: None };
                let user = outcome
                    .authorization_identity
                    .or(outcome.authentication_identity)
                    .unwrap_or_default();
                self.authorized(user, LoginMethod::Sasl(mechanism));
            }
            Progress::Failure(Failure::UnsupportedMechanism(_)) => {
                self.phase = Phase::Authorization { user: None };
                self.error(None, "Unrecognized authentication type");
            }
            Progress::Failure(failure) if failure.is_syntax_error() => {
                self.phase = Phase::Authorization { user: None };
                // RFC 5034 §4: "If the server cannot Base64 decode a client response, it
                // MUST reject the AUTH command with an -ERR reply"; so for `*`.
                let text = match failure {
                    Failure::TooLong { .. } => "Authentication line too long".to_owned(),
                    Failure::Undecodable => "Cannot decode response".to_owned(),
                    other => format!("Authentication failed: {other}"),
                };
                self.error(None, &text);
            }
            // The driver counted this failure already.
            _ => self.login_refused("Authentication failed"),
        }
    }

    /// Reads one continuation line of the SASL exchange. Returns false when none is
    /// buffered.
    pub(super) fn step_sasl(&mut self) -> bool {
        let max_auth_line = self.config.max_auth_line;
        let Some(progress) =
            self.sasl
                .read_line(&mut self.framer, self.core.input(), max_auth_line)
        else {
            return false;
        };
        self.sasl_progress(progress);
        true
    }

    pub(super) fn authorized(&mut self, user: String, method: LoginMethod) {
        self.user = Some(user.clone());
        self.pending = Some(Pending::Authorized);
        self.core.push_event(Event::Authorized { user, method });
    }

    /// Answers [`Event::CheckPassword`], [`Event::ApopSecret`] or [`Event::AuthVerify`].
    ///
    /// For `PASS`: [`Answer::Accept`] or [`Answer::Reject`]. For `APOP`:
    /// [`Answer::Password`] with the shared secret, or [`Answer::Reject`]. For `AUTH`: what
    /// the [`Verification`](mail_core::sasl::server::Verification) asks for. On success
    /// [`Event::Authorized`] follows; a failure answers `-ERR [AUTH]` and counts towards
    /// [`Config::max_auth_failures`](super::Config::max_auth_failures).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no credential check is pending.
    pub fn auth_answer(&mut self, answer: Answer) -> Result<(), SendError> {
        match self.pending.take() {
            Some(Pending::Password { user }) => {
                if answer == Answer::Accept {
                    self.authorized(user.as_str().to_owned(), LoginMethod::UserPass);
                } else {
                    self.login_failed("Invalid credentials");
                }
            }
            Some(Pending::Apop { user, digest }) => {
                let timestamp = self.config.apop_timestamp.clone().unwrap_or_default();
                let good = match &answer {
                    Answer::Password(secret) => {
                        digest.verify(timestamp.as_bytes(), secret.expose().as_bytes())
                    }
                    _ => false,
                };
                if good {
                    self.authorized(user.as_str().to_owned(), LoginMethod::Apop);
                } else {
                    self.login_failed("Invalid credentials");
                }
            }
            Some(Pending::Sasl) => match self.sasl.answer(answer) {
                Ok(progress) => self.sasl_progress(progress),
                Err(_) => {
                    self.pending = Some(Pending::Sasl);
                    return Err(SendError::NotAllowed);
                }
            },
            other => {
                self.pending = other;
                return Err(SendError::NotAllowed);
            }
        }
        Ok(())
    }

    /// Counts a failed login that did not go through SASL and answers it.
    fn login_failed(&mut self, text: &str) {
        self.sasl.record_failure();
        self.login_refused(text);
    }

    /// Answers a counted failed login with `-ERR [AUTH]` (RFC 3206 §5); closes once the
    /// limit is reached: password guessing gets no more tries on this connection.
    fn login_refused(&mut self, text: &str) {
        self.phase = Phase::Authorization { user: None };
        if self.sasl.is_exhausted() {
            self.close_with(
                CloseReason::TooManyAuthFailures,
                Some(ResponseCode::Auth),
                "Too many failed logins, closing",
            );
            return;
        }
        self.line(Status::Err, Some(ResponseCode::Auth), text);
    }

    /// Answers [`Event::Authorized`]: the maildrop is open and locked; the session enters
    /// TRANSACTION (RFC 1939 §4).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Authorized`] is pending.
    pub fn open_maildrop(&mut self, maildrop: Maildrop) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Authorized)) {
            return Err(SendError::NotAllowed);
        }
        self.pending = None;
        self.deleted = vec![false; maildrop.messages.len()];
        self.maildrop = maildrop.messages;
        self.recount();
        self.phase = Phase::Transaction;
        let text = format!(
            "maildrop has {} messages ({} octets)",
            self.live_count, self.live_size
        );
        self.ok(&text);
        Ok(())
    }

    /// Answers [`Event::Authorized`] with a refusal; the session stays in AUTHORIZATION.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Authorized`] is pending.
    pub fn refuse(&mut self, refusal: Refusal) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Authorized)) {
            return Err(SendError::NotAllowed);
        }
        self.pending = None;
        self.user = None;
        let (code, text) = match refusal {
            Refusal::InUse => (ResponseCode::InUse, "Maildrop already locked"),
            Refusal::LoginDelay => (ResponseCode::LoginDelay, "Login too soon"),
            Refusal::SysTemp => (ResponseCode::SysTemp, "Temporary failure, try later"),
            Refusal::SysPerm => (ResponseCode::SysPerm, "Maildrop unavailable"),
            Refusal::Auth => {
                self.login_failed("Not allowed to log in");
                return Ok(());
            }
        };
        self.line(Status::Err, Some(code), text);
        Ok(())
    }
}

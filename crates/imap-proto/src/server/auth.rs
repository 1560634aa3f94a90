//! STARTTLS (RFC 9051 §6.2.1), AUTHENTICATE (§6.2.2, RFC 4959 SASL-IR) and LOGIN (§6.2.3),
//! through mail-core's SASL driver: the application only answers credential checks.

use mail_core::Secret;
use mail_core::connection::CloseReason;
use mail_core::sasl::Mechanism;
use mail_core::sasl::authenticator::Progress;
use mail_core::sasl::server::{Answer, Failure, Verification};

use super::{Connection, Event, Pending, Reading};
use crate::error::SendError;
use crate::response::{Code, Condition, StatusKind};
use crate::types::{AString, Tag};

impl Connection {
    pub(super) fn starttls(&mut self, tag: Tag) {
        if self.authenticated || self.tls_active || !self.config.starttls {
            return self.complete_with(tag, StatusKind::Bad, None, "STARTTLS not available");
        }
        self.tagged(tag, StatusKind::Ok, None, "Begin TLS negotiation now");
        self.reading = Reading::TlsHandshake;
        self.core.push_event(Event::StartTls);
        // RFC 9051 §6.2.1: anything the client sent after STARTTLS came in plaintext and is
        // not part of the TLS session.
        self.discard_input();
    }

    pub(super) fn authenticate(
        &mut self,
        tag: Tag,
        mechanism: Mechanism,
        initial_response: Option<&[u8]>,
    ) {
        if self.authenticated {
            return self.complete_with(tag, StatusKind::Bad, None, "Already authenticated");
        }
        if !self.auth_allowed() {
            // RFC 9051 §6.2.2: no AUTHENTICATE over an unprotected channel when the policy
            // forbids it; the capability list offered none.
            return self.complete_with(
                tag,
                StatusKind::No,
                Some(Code::Condition(Condition::PrivacyRequired)),
                "Authentication needs TLS",
            );
        }
        self.pending = None;
        self.reading = Reading::Auth;
        self.auth_tag = Some(tag);
        let progress = self.sasl.start(mechanism, initial_response, true);
        self.auth_progress(progress, false);
    }

    /// Reads one continuation line of AUTHENTICATE. Returns false when none is buffered.
    pub(super) fn step_auth(&mut self) -> bool {
        let max_line = self.config.max_line;
        let Some(progress) = self
            .sasl
            .read_line(&mut self.lines, self.core.input(), max_line)
        else {
            return false;
        };
        self.auth_progress(progress, false);
        true
    }

    pub(super) fn login(&mut self, tag: Tag, username: &AString, password: &Secret<AString>) {
        if self.authenticated {
            return self.complete_with(tag, StatusKind::Bad, None, "Already authenticated");
        }
        if !self.auth_allowed() {
            // RFC 9051 §6.2.3: with LOGINDISABLED advertised, LOGIN fails.
            return self.complete_with(
                tag,
                StatusKind::No,
                Some(Code::Condition(Condition::PrivacyRequired)),
                "LOGIN disabled without TLS",
            );
        }
        let user = String::from_utf8_lossy(username.as_bytes()).into_owned();
        let pass = String::from_utf8_lossy(password.expose().as_bytes()).into_owned();
        self.login_user = Some(user.clone());
        self.pending = Some(Pending::Auth { tag, login: true });
        self.core
            .push_event(Event::AuthVerify(Verification::Password {
                authorization_identity: None,
                authentication_identity: user,
                password: Secret::new(pass),
            }));
    }

    /// Acts on the SASL driver's answer. `login` for LOGIN's check.
    fn auth_progress(&mut self, progress: Progress, login: bool) {
        let tag = match self.auth_tag.clone() {
            Some(t) => t,
            None => return,
        };
        match progress {
            Progress::Challenge(data) => {
                let mut line = Vec::with_capacity(data.len() * 4 / 3 + 4);
                line.extend_from_slice(b"+ ");
                mail_core::sasl::encode_challenge(&data, &mut line);
                line.extend_from_slice(b"\r\n");
                self.core.output().extend_from_slice(&line);
            }
            Progress::Verify(v) => {
                self.pending = Some(Pending::Auth { tag, login });
                self.core.push_event(Event::AuthVerify(v));
            }
            Progress::Success { mechanism, outcome } => {
                let user = outcome
                    .authorization_identity
                    .or(outcome.authentication_identity)
                    .unwrap_or_default();
                self.authenticated(tag, (!login).then_some(mechanism), user);
            }
            Progress::Failure(failure) => {
                self.auth_tag = None;
                self.reading = Reading::Commands;
                self.auth_failed(tag, &failure);
            }
            _ => {
                self.auth_tag = None;
                self.reading = Reading::Commands;
                self.complete_with(tag, StatusKind::No, None, "Authentication failed");
            }
        }
    }

    fn authenticated(&mut self, tag: Tag, mechanism: Option<Mechanism>, user: String) {
        self.auth_tag = None;
        self.reading = Reading::Commands;
        self.authenticated = true;
        self.authenticated_limits();
        // RFC 9051 §6.2.2: the capabilities change; send them with the OK.
        let code = Code::Capability(self.capabilities());
        self.complete_with(tag, StatusKind::Ok, Some(code), "Authenticated");
        self.core
            .push_event(Event::Authenticated { mechanism, user });
    }

    /// Answers a failed exchange: `BAD` for a broken or cancelled one (RFC 9051 §6.2.2),
    /// `NO [AUTHENTICATIONFAILED]` otherwise, and `BYE` once the failure limit is reached.
    fn auth_failed(&mut self, tag: Tag, failure: &Failure) {
        if self.sasl.is_exhausted() {
            self.tagged(
                tag,
                StatusKind::No,
                Some(Code::Condition(Condition::AuthenticationFailed)),
                "Authentication failed",
            );
            self.bye(
                CloseReason::TooManyAuthFailures,
                "Too many authentication failures",
            );
            return;
        }
        match failure {
            Failure::UnsupportedMechanism(_) => self.complete_with(
                tag,
                StatusKind::No,
                Some(Code::Condition(Condition::Cannot)),
                "Unsupported authentication mechanism",
            ),
            f if f.is_syntax_error() => {
                let text = format!("Authentication failed: {f}");
                self.complete_with(tag, StatusKind::Bad, None, &text);
            }
            _ => self.complete_with(
                tag,
                StatusKind::No,
                Some(Code::Condition(Condition::AuthenticationFailed)),
                "Authentication failed",
            ),
        }
    }

    /// Answers the pending [`Event::AuthVerify`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no credential check is pending or the answer does not
    /// fit it; nothing changes then.
    pub fn auth_answer(&mut self, answer: Answer) -> Result<(), SendError> {
        let Some(Pending::Auth { tag, login }) = self.pending.take() else {
            return Err(SendError::NotAllowed);
        };
        if login {
            self.auth_tag = Some(tag.clone());
            if answer == Answer::Accept {
                let user = self.login_user.take().unwrap_or_default();
                self.authenticated(tag, None, user);
            } else {
                self.login_user = None;
                self.sasl.record_failure();
                self.auth_tag = None;
                self.auth_failed(tag, &Failure::Rejected);
            }
            return Ok(());
        }
        match self.sasl.answer(answer) {
            Ok(progress) => {
                self.auth_progress(progress, false);
                Ok(())
            }
            Err(_) => {
                self.pending = Some(Pending::Auth { tag, login });
                Err(SendError::NotAllowed)
            }
        }
    }
}

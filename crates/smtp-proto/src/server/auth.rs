//! `AUTH` (RFC 4954) through mail-core's SASL driver: the server's side of the exchange
//! and its replies.

use mail_core::connection::CloseReason;
use mail_core::sasl::authenticator::Progress;
use mail_core::sasl::server::{Answer, Failure};
use mail_core::sasl::{self, Mechanism};

use super::{Connection, Event, Pending, Phase, esc};
use crate::error::SendError;
use crate::reply::ReplyCode;

impl Connection {
    /// Returns whether credentials may cross this connection: TLS is active or the
    /// configuration allows plaintext authentication (RFC 4954 §4).
    pub(super) fn auth_allowed(&self) -> bool {
        self.tls_active || self.config.allow_plaintext_auth
    }

    /// Returns the mechanisms offered now, for the EHLO reply.
    pub(super) fn offered_mechanisms(&self) -> Vec<Mechanism> {
        self.sasl.offered(self.auth_allowed())
    }

    pub(super) fn auth(&mut self, mechanism: Mechanism, initial_response: Option<&[u8]>) {
        if !self.esmtp || !self.sasl.has_mechanisms() {
            return self.bad_sequence("AUTH needs EHLO with AUTH offered");
        }
        if self.authenticated {
            // RFC 4954 §4: "the server MUST reject any further AUTH commands with a 503".
            return self.bad_sequence("Already authenticated");
        }
        if self.transaction.is_some() {
            return self.bad_sequence("AUTH not permitted during a mail transaction");
        }
        if !self.auth_allowed() {
            // RFC 4954 §6: 538 Encryption required for requested authentication mechanism.
            return self.error(
                ReplyCode::ENCRYPTION_REQUIRED,
                esc(5, 7, 11),
                "Encryption required for requested authentication mechanism",
            );
        }
        self.phase = Phase::Auth;
        let progress = self.sasl.start(mechanism, initial_response, true);
        self.auth_progress(progress);
    }

    pub(super) fn auth_progress(&mut self, progress: Progress) {
        match progress {
            Progress::Challenge(data) => {
                let mut text = Vec::new();
                sasl::encode_challenge(&data, &mut text);
                let text = String::from_utf8(text).unwrap_or_default();
                self.reply(ReplyCode::AUTH_CHALLENGE, None, &text);
            }
            Progress::Verify(v) => {
                self.core.push_event(Event::AuthVerify(v));
                self.pending = Some(Pending::Auth);
            }
            Progress::Success { mechanism, outcome } => {
                self.phase = Phase::Command;
                self.authenticated = true;
                self.ok_code(
                    ReplyCode::AUTH_SUCCEEDED,
                    esc(2, 7, 0),
                    "Authentication successful",
                );
                self.core.push_event(Event::Authenticated {
                    mechanism,
                    authorization_identity: outcome.authorization_identity,
                    authentication_identity: outcome.authentication_identity,
                });
            }
            Progress::Failure(failure) => {
                self.phase = Phase::Command;
                if self.sasl.is_exhausted() {
                    // Password guessing: the count survives every other command.
                    self.close(
                        CloseReason::TooManyAuthFailures,
                        esc(4, 7, 0),
                        "Too many authentication failures, closing connection",
                    );
                    return;
                }
                self.auth_failure(&failure);
            }
            _ => {
                self.phase = Phase::Command;
                self.error(
                    ReplyCode::AUTH_INVALID,
                    esc(5, 7, 8),
                    "Authentication failed",
                );
            }
        }
    }

    /// Answers a failed exchange (RFC 4954 §4, §6).
    pub(super) fn auth_failure(&mut self, failure: &Failure) {
        let (code, enhanced, text) = match failure {
            Failure::Cancelled => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                esc(5, 0, 0),
                "Authentication cancelled",
            ),
            // RFC 4954 §4: a line longer than the authentication buffer fails AUTH with 500.
            Failure::TooLong { .. } => (
                ReplyCode::SYNTAX_ERROR,
                esc(5, 5, 6),
                "Authentication exchange line is too long",
            ),
            // RFC 4954 §4: an undecodable response "MUST reject the AUTH command with a 501".
            Failure::Undecodable => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                esc(5, 5, 2),
                "Cannot decode response",
            ),
            Failure::Malformed("bare CR or LF") => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                esc(5, 5, 2),
                "Bare CR or LF in authentication response",
            ),
            Failure::Malformed(_) | Failure::OutOfSequence => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                esc(5, 5, 2),
                "Malformed authentication response",
            ),
            Failure::InitialResponseNotAllowed => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                esc(5, 5, 2),
                "Initial response not allowed",
            ),
            Failure::UnsupportedMechanism(_) => (
                ReplyCode::PARAMETER_NOT_IMPLEMENTED,
                esc(5, 5, 4),
                "Unrecognized authentication type",
            ),
            _ => (
                ReplyCode::AUTH_INVALID,
                esc(5, 7, 8),
                "Authentication credentials invalid",
            ),
        };
        self.error(code, enhanced, text);
    }

    /// Reads one line of the SASL exchange. Returns false when no line is buffered.
    pub(super) fn step_auth(&mut self) -> bool {
        let max_auth_line = self.config.max_auth_line;
        let Some(progress) =
            self.sasl
                .read_line(&mut self.framer, self.core.input(), max_auth_line)
        else {
            return false;
        };
        self.auth_progress(progress);
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
        let progress = self
            .sasl
            .answer(answer)
            .map_err(|_| SendError::NotAllowed)?;
        self.pending = None;
        self.auth_progress(progress);
        Ok(())
    }
}

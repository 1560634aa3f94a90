//! The SASL server driver that SMTP `AUTH`, POP3 `AUTH` and IMAP `AUTHENTICATE` share: which
//! mechanisms to offer, one [`Authentication`] at a time with a fresh nonce each, the
//! continuation lines, and the count of failed authentications.
//!
//! A protocol server keeps one [`Authenticator`] per connection and maps its [`Progress`] to
//! the protocol's replies (`334`/`235`/`535`, `+`/`+OK`/`-ERR`, `+`/`OK`/`NO`). Logins that do
//! not go through SASL (POP3 `USER`/`PASS` and `APOP`, IMAP `LOGIN`) report their failures
//! with [`Authenticator::record_failure`], so one limit covers every way to guess a password.

use super::Nonce;
use crate::line::{LineError, LineFramer};
use bytes::BytesMut;

use super::mechanism::Mechanism;
use super::server::{
    Answer, AnswerError, Authentication, ContinuationError, Failure, Outcome, ServerConfig, Step,
    Verification,
};

/// The default limit on failed authentications per connection.
pub const DEFAULT_MAX_AUTH_FAILURES: u32 = 3;

/// What the protocol does next in an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Send this challenge (raw bytes: base64-encode it in the protocol's continuation
    /// line) and pass the client's next line to [`Authenticator::respond_line`].
    Challenge(Vec<u8>),
    /// Ask the application to check these credentials; pass its answer to
    /// [`Authenticator::answer`].
    Verify(Verification),
    /// The client authenticated.
    Success {
        /// The mechanism used.
        mechanism: Mechanism,
        /// The identities.
        outcome: Outcome,
    },
    /// The exchange failed. [`Failure::is_syntax_error`] tells a broken exchange (SMTP
    /// `501`, IMAP `BAD`) from a failed authentication (SMTP `535`, IMAP `NO`); only the
    /// latter counts towards the failure limit.
    Failure(Failure),
}

/// The per-connection SASL server: offers mechanisms and runs one exchange at a time.
#[derive(Clone, PartialEq, Eq)]
pub struct Authenticator {
    config: ServerConfig,
    nonce: Option<Nonce>,
    attempts: u32,
    failures: u32,
    max_failures: u32,
    exchange: Option<Box<Authentication>>,
}

impl core::fmt::Debug for Authenticator {
    /// Shows the counts and the mechanism in progress, never exchange data.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authenticator")
            .field("mechanisms", &self.config.mechanisms)
            .field("attempts", &self.attempts)
            .field("failures", &self.failures)
            .field("exchange", &self.exchange.as_ref().map(|e| e.mechanism()))
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Returns a driver for the mechanisms of `config`.
    ///
    /// `nonce` is the connection's fresh random nonce; CRAM-MD5 and SCRAM-SHA-256 need one and
    /// are not offered without it. Each exchange after the first appends a counter to it, so
    /// no two exchanges share a nonce. `max_failures` is the number of failed authentications
    /// after which [`is_exhausted`](Self::is_exhausted) turns true (`0`: no limit).
    pub fn new(config: ServerConfig, nonce: Option<Nonce>, max_failures: u32) -> Self {
        Self {
            config,
            nonce,
            attempts: 0,
            failures: 0,
            max_failures,
            exchange: None,
        }
    }

    /// Returns the mechanisms to offer now: the configured ones that are implemented and,
    /// for CRAM-MD5 and SCRAM-SHA-256, have a nonce; none when `channel_ok` is false (no TLS
    /// and plaintext authentication not allowed: RFC 4954 §4, RFC 2595 §2.2, RFC 9051 §6.2).
    pub fn offered(&self, channel_ok: bool) -> Vec<Mechanism> {
        if !channel_ok {
            return Vec::new();
        }
        self.config
            .mechanisms
            .iter()
            .filter(|m| self.usable(m))
            .cloned()
            .collect()
    }

    /// Returns whether `mechanism` would be offered on an acceptable channel.
    pub fn is_offered(&self, mechanism: &Mechanism) -> bool {
        self.config.mechanisms.contains(mechanism) && self.usable(mechanism)
    }

    fn usable(&self, mechanism: &Mechanism) -> bool {
        mechanism.is_implemented()
            && (self.nonce.is_some()
                || !matches!(mechanism, Mechanism::CramMd5 | Mechanism::ScramSha256))
    }

    /// Returns whether any mechanism is configured at all.
    pub fn has_mechanisms(&self) -> bool {
        !self.config.mechanisms.is_empty()
    }

    /// Starts an exchange with the mechanism the client named and its initial response, if
    /// any (`Some(&[])` for `=`), and returns what to do. A mechanism that is not offered now
    /// (see [`offered`](Self::offered) with the same `channel_ok`) fails with
    /// [`Failure::UnsupportedMechanism`], which counts as no attempt.
    pub fn start(
        &mut self,
        mechanism: Mechanism,
        initial_response: Option<&[u8]>,
        channel_ok: bool,
    ) -> Progress {
        self.exchange = None;
        if !channel_ok || !self.is_offered(&mechanism) {
            return Progress::Failure(Failure::UnsupportedMechanism(mechanism));
        }
        self.attempts = self.attempts.saturating_add(1);
        let nonce = self
            .nonce
            .as_ref()
            .and_then(|n| match self.attempts {
                1 => Some(n.clone()),
                k => format!("{}.{k}", n.as_str()).parse().ok(),
            })
            // Mechanisms without a nonce ignore it.
            .or_else(|| "unused".parse().ok());
        let Some(nonce) = nonce else {
            return Progress::Failure(Failure::Malformed("nonce"));
        };
        let (auth, step) = Authentication::start(mechanism, initial_response, &self.config, &nonce);
        self.exchange = Some(Box::new(auth));
        self.progress(step)
    }

    /// Feeds one continuation line as the client sent it, CRLF removed (`*` cancels), held
    /// to `max_line` octets with its CRLF.
    pub fn respond_line(&mut self, line: &[u8], max_line: usize) -> Progress {
        let Some(auth) = &mut self.exchange else {
            return Progress::Failure(Failure::OutOfSequence);
        };
        let step = match auth.respond_line(line, max_line) {
            Ok(step) => step,
            Err(ContinuationError::TooLong { limit }) => Step::Failure(Failure::TooLong { limit }),
            Err(_) => Step::Failure(Failure::Undecodable),
        };
        self.progress(step)
    }

    /// Reads the next continuation line of the exchange from `input` with the protocol's
    /// `framer` (the line is read where it lies; nothing is copied) and feeds it to
    /// [`respond_line`](Self::respond_line). Returns `None` while no complete line is
    /// buffered. A line over `max_line` octets with its CRLF fails with
    /// [`Failure::TooLong`] (RFC 4954 §4), one with a bare CR or LF with
    /// [`Failure::Malformed`]; both end the exchange and count as no failed authentication.
    pub fn read_line(
        &mut self,
        framer: &mut LineFramer,
        input: &mut BytesMut,
        max_line: usize,
    ) -> Option<Progress> {
        let read = framer.next_line_with(input, |line| self.respond_line(line, max_line))?;
        Some(read.unwrap_or_else(|e| {
            self.abort();
            Progress::Failure(match e {
                LineError::TooLong { .. } => Failure::TooLong { limit: max_line },
                _ => Failure::Malformed("bare CR or LF"),
            })
        }))
    }

    /// Gives the application's answer to the pending [`Progress::Verify`].
    ///
    /// # Errors
    /// [`AnswerError`] when no verification is pending or the answer does not fit it;
    /// nothing changes then.
    pub fn answer(&mut self, answer: Answer) -> Result<Progress, AnswerError> {
        let auth = self
            .exchange
            .as_mut()
            .ok_or(AnswerError::NotAwaitingAnswer)?;
        let step = auth.answer(answer)?;
        Ok(self.progress(step))
    }

    /// Abandons the exchange in progress, if any (the connection closed, or STARTTLS reset
    /// the session).
    pub fn abort(&mut self) {
        self.exchange = None;
    }

    /// Returns whether an exchange is in progress (continuation lines are expected or an
    /// answer is owed).
    pub fn in_progress(&self) -> bool {
        self.exchange.is_some()
    }

    /// Returns whether the application owes an answer to a [`Progress::Verify`].
    pub fn awaits_answer(&self) -> bool {
        self.exchange
            .as_ref()
            .is_some_and(|a| a.is_awaiting_answer())
    }

    /// Counts a failed authentication that did not go through SASL (POP3 `PASS`, `APOP`,
    /// IMAP `LOGIN`). Returns whether the limit is now reached.
    pub fn record_failure(&mut self) -> bool {
        self.failures = self.failures.saturating_add(1);
        self.is_exhausted()
    }

    /// Returns how many authentications failed on this connection.
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// Returns whether the failure limit is reached: the protocol closes the connection.
    pub const fn is_exhausted(&self) -> bool {
        self.max_failures > 0 && self.failures >= self.max_failures
    }

    fn progress(&mut self, step: Step) -> Progress {
        match step {
            Step::Challenge(data) => Progress::Challenge(data),
            Step::Verify(v) => Progress::Verify(v),
            Step::Success(outcome) => {
                let mechanism = self
                    .exchange
                    .take()
                    .map_or(Mechanism::Plain, |a| a.mechanism().clone());
                Progress::Success { mechanism, outcome }
            }
            Step::Failure(failure) => {
                self.exchange = None;
                if !failure.is_syntax_error()
                    && !matches!(failure, Failure::UnsupportedMechanism(_))
                {
                    self.failures = self.failures.saturating_add(1);
                }
                Progress::Failure(failure)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver(mechanisms: Vec<Mechanism>, nonce: Option<&str>) -> Authenticator {
        let config = ServerConfig {
            mechanisms,
            ..ServerConfig::default()
        };
        Authenticator::new(config, nonce.map(|n| n.parse().unwrap()), 2)
    }

    #[test]
    fn offers_only_implemented_mechanisms_with_what_they_need() {
        let mechanisms = vec![
            "GSSAPI".parse::<Mechanism>().unwrap(),
            Mechanism::Plain,
            Mechanism::ScramSha256,
            Mechanism::CramMd5,
        ];
        let without_nonce = driver(mechanisms.clone(), None);
        assert_eq!(without_nonce.offered(true), vec![Mechanism::Plain]);
        assert!(without_nonce.offered(false).is_empty());
        let with_nonce = driver(mechanisms, Some("abc"));
        assert_eq!(
            with_nonce.offered(true),
            vec![Mechanism::Plain, Mechanism::ScramSha256, Mechanism::CramMd5]
        );
        let mut gssapi = with_nonce.clone();
        assert!(matches!(
            gssapi.start("GSSAPI".parse::<Mechanism>().unwrap(), None, true),
            Progress::Failure(Failure::UnsupportedMechanism(_))
        ));
    }

    #[test]
    fn plain_success_and_failures_are_counted() {
        let mut auth = driver(vec![Mechanism::Plain], None);
        let Progress::Verify(_) = auth.start(Mechanism::Plain, Some(b"\0alice\0wrong"), true)
        else {
            panic!("verify expected");
        };
        assert!(auth.awaits_answer());
        assert_eq!(
            auth.answer(Answer::Reject).unwrap(),
            Progress::Failure(Failure::Rejected)
        );
        assert_eq!(auth.failures(), 1);
        assert!(!auth.is_exhausted());
        // A cancelled exchange is a syntax error, not a failed guess.
        assert!(matches!(
            auth.start(Mechanism::Plain, None, true),
            Progress::Challenge(c) if c.is_empty()
        ));
        assert_eq!(
            auth.respond_line(b"*", 100),
            Progress::Failure(Failure::Cancelled)
        );
        assert_eq!(auth.failures(), 1);
        auth.start(Mechanism::Plain, Some(b"\0alice\0right"), true);
        let Progress::Success { mechanism, outcome } = auth.answer(Answer::Accept).unwrap() else {
            panic!("success expected");
        };
        assert_eq!(mechanism, Mechanism::Plain);
        assert_eq!(outcome.authentication_identity.as_deref(), Some("alice"));
        assert!(auth.record_failure());
        assert!(auth.is_exhausted());
    }

    #[test]
    fn every_exchange_gets_its_own_nonce() {
        let mut auth = driver(vec![Mechanism::CramMd5], Some("n0"));
        let Progress::Challenge(first) = auth.start(Mechanism::CramMd5, None, true) else {
            panic!()
        };
        let Progress::Challenge(second) = auth.start(Mechanism::CramMd5, None, true) else {
            panic!()
        };
        assert_eq!(first, b"<n0@localhost>");
        assert_eq!(second, b"<n0.2@localhost>");
    }

    #[test]
    fn bad_continuations_end_the_exchange() {
        let mut auth = driver(vec![Mechanism::Login], None);
        assert!(matches!(
            auth.start(Mechanism::Login, None, true),
            Progress::Challenge(_)
        ));
        assert_eq!(
            auth.respond_line(b"not base64!", 100),
            Progress::Failure(Failure::Undecodable)
        );
        assert!(!auth.in_progress());
        auth.start(Mechanism::Login, None, true);
        assert_eq!(
            auth.respond_line(&[b'A'; 200], 100),
            Progress::Failure(Failure::TooLong { limit: 100 })
        );
        assert_eq!(
            auth.respond_line(b"YQ==", 100),
            Progress::Failure(Failure::OutOfSequence)
        );
        assert_eq!(auth.failures(), 0);
    }

    #[test]
    fn continuation_lines_are_read_from_the_input() {
        let mut auth = driver(vec![Mechanism::Plain], None);
        let mut framer = LineFramer::new(64, crate::line::BareNewline::Reject);
        auth.start(Mechanism::Plain, None, true);
        let mut input = BytesMut::from(&b"AGFsaWNlAHNl"[..]);
        assert_eq!(auth.read_line(&mut framer, &mut input, 64), None);
        input.extend_from_slice(b"Y3JldA==\r\nNOOP\r\n");
        assert!(matches!(
            auth.read_line(&mut framer, &mut input, 64),
            Some(Progress::Verify(Verification::Password { .. }))
        ));
        assert_eq!(&input[..], b"NOOP\r\n");
        // A line over the limit fails the exchange; a bare LF too.
        auth.start(Mechanism::Plain, None, true);
        let mut input = BytesMut::from(&[b'A'; 80][..]);
        input.extend_from_slice(b"\r\n");
        assert_eq!(
            auth.read_line(&mut framer, &mut input, 32),
            Some(Progress::Failure(Failure::TooLong { limit: 32 }))
        );
        assert!(!auth.in_progress());
        auth.start(Mechanism::Plain, None, true);
        let mut input = BytesMut::from(&b"AGE\n"[..]);
        assert_eq!(
            auth.read_line(&mut framer, &mut input, 64),
            Some(Progress::Failure(Failure::Malformed("bare CR or LF")))
        );
        assert_eq!(auth.failures(), 0);
    }

    #[test]
    fn debug_shows_no_exchange_data() {
        let mut auth = driver(vec![Mechanism::Plain], None);
        auth.start(Mechanism::Plain, Some(b"\0alice\0hunter2"), true);
        let shown = format!("{auth:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

//! The server side of a SASL exchange: one state machine per `AUTH` / `AUTHENTICATE`.
//!
//! # Calling contract
//!
//! 1. [`Authentication::start`] with the mechanism the client named and its initial
//!    response, if any (decoded with [`decode_response`](super::decode_response)).
//! 2. Act on the returned [`Step`]:
//!    - [`Step::Challenge`]: encode it with [`encode_challenge`](super::encode_challenge),
//!      send it (`334 `, `+ `), read the client's line, decode it, and call
//!      [`Authentication::step`] with the data, or [`Authentication::cancel`] on `*`;
//!    - [`Step::Verify`]: check what the [`Verification`] asks and call
//!      [`Authentication::answer`];
//!    - [`Step::Success`] or [`Step::Failure`]: the exchange is over; send the protocol's
//!      success or failure reply.
//!
//! The library never sees a password it does not need: PLAIN and LOGIN hand the password to
//! the application to check; CRAM-MD5 asks the application for the password to compute the
//! digest with; SCRAM-SHA-256 asks for [`ScramCredentials`], never a password.
//!
//! A SCRAM failure ends the exchange without a `server-final-message` carrying `e=`, which
//! RFC 5802 §5.1 allows ("a server implementation MAY conclude the SASL exchange with a
//! failure without sending the server-final-message"); the [`Failure`] says why.
//!
//! To avoid revealing which users exist, an application can answer
//! [`Verification::CramMd5`] and [`Verification::Scram`] for an unknown user with a
//! password or [`ScramCredentials`] derived from a server secret instead of
//! [`Answer::Reject`]: the exchange then fails with [`Failure::InvalidProof`], exactly as
//! for a wrong password.

use core::mem;

use super::cram_md5;
use super::framing::encode_inner;
use super::mechanism::Mechanism;
use super::oauth::{self, BearerRequest};
use super::plain::{self, LOGIN_PASSWORD_PROMPT, LOGIN_USERNAME_PROMPT};
use super::saslprep::saslprep;
use super::scram::{self, ClientFirst, MessageError, ScramCredentials};
use super::{ClientResponse, Nonce, ResponseKind};
use crate::Secret;

/// The default limit on one decoded client response: room for a large OAuth token.
pub const DEFAULT_MAX_RESPONSE_LEN: usize = 16 * 1024;

/// Longest ANONYMOUS trace, in characters (RFC 4505 §3: `1*255TCHAR`).
const MAX_TRACE_CHARS: usize = 255;

/// Server policy for SASL exchanges.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The largest decoded client response accepted, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_LEN`]). Larger responses fail the exchange.
    pub max_response_len: usize,
    /// The host name in the CRAM-MD5 challenge `<nonce@hostname>` (RFC 2195 §2).
    pub hostname: String,
    /// The mechanisms the server accepts (default: all of [`Mechanism::IMPLEMENTED`]).
    /// The protocol layer decides which of them to offer, e.g. none before TLS.
    pub mechanisms: Vec<Mechanism>,
    /// Whether the protocol can carry additional data with its success reply (RFC 4422
    /// §3.6). SMTP (RFC 4954 §4), POP3 (RFC 5034 §4) and IMAP4rev1 cannot, so the default is
    /// `false`: the SCRAM `v=` message is then sent as a last challenge, answered by an
    /// empty response, before [`Step::Success`].
    pub success_data: bool,
    /// Whether the server also advertises a channel-binding (`-PLUS`) mechanism, so that a
    /// SCRAM client's `y` flag reveals a downgrade (RFC 5802 §6). Default `false`.
    pub channel_binding_advertised: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_response_len: DEFAULT_MAX_RESPONSE_LEN,
            hostname: String::from("localhost"),
            mechanisms: Mechanism::IMPLEMENTED.to_vec(),
            success_data: false,
            channel_binding_advertised: false,
        }
    }
}

/// What the server does next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Send this challenge (raw bytes; base64-encode it) and wait for the client's response.
    Challenge(Vec<u8>),
    /// The application must check credentials and call [`Authentication::answer`].
    Verify(Verification),
    /// Authentication succeeded.
    Success(Outcome),
    /// Authentication failed; the exchange is over.
    Failure(Failure),
}

/// A credential check the application performs, and the [`Answer`]s it may give.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// PLAIN or LOGIN: check the password. Answer [`Answer::Accept`] or [`Answer::Reject`].
    /// Also reject if `authentication_identity` may not act as `authorization_identity`.
    Password {
        /// The identity to act as (RFC 4616 `authzid`); `None` means the same as the
        /// authentication identity. Always `None` for LOGIN.
        authorization_identity: Option<String>,
        /// The user name whose password this is (RFC 4616 `authcid`).
        authentication_identity: String,
        /// The password.
        password: Secret<String>,
    },
    /// CRAM-MD5: answer [`Answer::Password`] with the user's password, which the library
    /// uses to verify the digest, or [`Answer::Reject`] for an unknown user.
    CramMd5 {
        /// The user name from the client's response.
        username: String,
    },
    /// SCRAM-SHA-256: answer [`Answer::ScramCredentials`] with the user's stored
    /// credentials, or [`Answer::Reject`] (unknown user, or not authorized to act as
    /// `authorization_identity`).
    Scram {
        /// The `a=` identity to act as; `None` means the user itself.
        authorization_identity: Option<String>,
        /// The `n=` user name, unescaped and prepared with
        /// [`saslprep`].
        username: String,
    },
    /// OAUTHBEARER or XOAUTH2: validate the bearer token. Answer [`Answer::Accept`],
    /// [`Answer::RejectWithError`] with the JSON error (RFC 7628 §3.2.2), or
    /// [`Answer::Reject`].
    Bearer {
        /// OAUTHBEARER's gs2 `a=` authzid or XOAUTH2's `user=`.
        user: Option<String>,
        /// The token. Empty when the client asked for the error and scope with an empty
        /// `auth=` (RFC 7628 §4.3).
        token: Secret<String>,
        /// The `host` key, which the server MUST check against its own name if present
        /// (RFC 7628 §3.2).
        host: Option<String>,
        /// The `port` key.
        port: Option<u16>,
    },
    /// EXTERNAL: decide from the external identity (e.g. the TLS client certificate).
    /// Answer [`Answer::Accept`] or [`Answer::Reject`].
    External {
        /// The identity the client asks to act as; `None` means the one derived from the
        /// external credentials (RFC 4422 Appendix A).
        authorization_identity: Option<String>,
    },
    /// ANONYMOUS: answer [`Answer::Accept`] or [`Answer::Reject`].
    Anonymous {
        /// The client's trace information (RFC 4505 §2), if it sent any.
        trace: Option<String>,
    },
}

/// The application's answer to a [`Verification`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// The credentials are valid.
    Accept,
    /// The credentials are invalid, the user is unknown, or the authorization is refused.
    Reject,
    /// The CRAM-MD5 user's password.
    Password(Secret<String>),
    /// The SCRAM-SHA-256 user's stored credentials.
    ScramCredentials(ScramCredentials),
    /// OAUTHBEARER / XOAUTH2: reject, sending this JSON error as a challenge first
    /// (RFC 7628 §3.2.2), e.g. `{"status":"invalid_token"}`.
    RejectWithError(Vec<u8>),
}

/// The result of a successful exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// The identity the client asked to act as (RFC 4422 §2); `None` when it asked for none
    /// and the authentication identity applies. For OAUTHBEARER / XOAUTH2 this is the user
    /// the client named; the token establishes who it really is.
    pub authorization_identity: Option<String>,
    /// The identity whose credentials were checked; `None` for EXTERNAL (the identity is
    /// the external one), ANONYMOUS, OAUTHBEARER and XOAUTH2 (the token is the credential).
    pub authentication_identity: Option<String>,
    /// Data to send with the success reply (SCRAM `v=`), only with
    /// [`ServerConfig::success_data`].
    pub additional_data: Option<Vec<u8>>,
}

/// Why an exchange failed. The protocol maps these to replies: [`Failure::Cancelled`] and
/// [`Failure::Malformed`] to a syntax error (SMTP `501`, IMAP `BAD`), the others to an
/// authentication failure (SMTP `535`, IMAP `NO [AUTHENTICATIONFAILED]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// The client cancelled with `*`.
    #[error("authentication cancelled by the client")]
    Cancelled,
    /// The mechanism is not implemented or not enabled in [`ServerConfig::mechanisms`].
    #[error("unsupported mechanism {0}")]
    UnsupportedMechanism(Mechanism),
    /// The client sent an initial response to a server-first mechanism (RFC 4954 §4:
    /// "the server MUST reject the AUTH command").
    #[error("initial response not allowed with this mechanism")]
    InitialResponseNotAllowed,
    /// A response exceeded [`ServerConfig::max_response_len`].
    #[error("response longer than {limit} bytes")]
    TooLong {
        /// The limit.
        limit: usize,
    },
    /// A response did not follow the mechanism's syntax.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
    /// A continuation line was neither `*` nor strict base64 (RFC 4954 §4, RFC 5034 §4,
    /// RFC 9051 §6.2.2: the server "MUST reject the AUTH command").
    #[error("response is not base64")]
    Undecodable,
    /// The application rejected the credentials.
    #[error("credentials rejected")]
    Rejected,
    /// The CRAM-MD5 digest or the SCRAM proof did not verify.
    #[error("invalid proof")]
    InvalidProof,
    /// The SCRAM client asked for channel binding (`p=`), which is not implemented
    /// (RFC 5802 §6).
    #[error("channel binding not supported")]
    ChannelBindingNotSupported,
    /// The SCRAM client sent `y` although the server advertises channel binding: a
    /// downgrade (RFC 5802 §6: "the server MUST fail authentication").
    #[error("channel binding downgrade detected")]
    ChannelBindingDowngrade,
    /// The SCRAM `c=` attribute does not match the gs2-header (RFC 5802 §6).
    #[error("channel bindings don't match")]
    ChannelBindingMismatch,
    /// The SCRAM client sent a mandatory extension (`m=`, RFC 5802 §5.1).
    #[error("extensions not supported")]
    ExtensionsNotSupported,
    /// The SCRAM user name is badly escaped or fails SASLprep (RFC 5802 §5.1).
    #[error("invalid username encoding")]
    InvalidUsernameEncoding,
    /// A response arrived when none was expected (after the end, or while the application
    /// owed an answer).
    #[error("response out of sequence")]
    OutOfSequence,
}

impl Failure {
    /// Returns `true` if the client broke the exchange's syntax or cancelled it, rather than
    /// failing to authenticate: SMTP answers these with `501` (RFC 4954 §4) and the others
    /// with `535`/`504`, IMAP with `BAD` rather than `NO`.
    pub const fn is_syntax_error(&self) -> bool {
        matches!(
            self,
            Self::Cancelled
                | Self::InitialResponseNotAllowed
                | Self::TooLong { .. }
                | Self::Malformed(_)
                | Self::Undecodable
                | Self::OutOfSequence
        )
    }
}

/// Misuse of [`Authentication::answer`]; the state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// No [`Step::Verify`] is pending.
    #[error("no verification is pending")]
    NotAwaitingAnswer,
    /// The answer does not fit the pending [`Verification`].
    #[error("answer does not fit the pending verification; expected {expected}")]
    Mismatch {
        /// The answers that fit.
        expected: &'static str,
    },
}

/// A client continuation line that ends the exchange before it reaches the mechanism
/// ([`Authentication::respond_line`]); the protocol answers it with its own failure reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContinuationError {
    /// The line with its CRLF is longer than the protocol's limit for authentication lines
    /// (RFC 4954 §4: 12288 octets for SMTP; RFC 5034 §4 for POP3).
    #[error("authentication line longer than {limit} octets")]
    TooLong {
        /// The limit, CRLF included.
        limit: usize,
    },
    /// The line is not `*` and not strict base64 (RFC 4954 §4 and RFC 5034 §4: the server
    /// "MUST reject the AUTH command").
    #[error("authentication response is not valid base64")]
    Undecodable,
}

/// One server-side SASL exchange. See the [module documentation](self) for the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    mechanism: Mechanism,
    state: State,
    max_response_len: usize,
    success_data: bool,
    channel_binding_advertised: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Plain,
    LoginUsername,
    LoginPassword {
        username: String,
    },
    CramMd5 {
        challenge: Vec<u8>,
    },
    ScramFirst {
        server_nonce: String,
    },
    ScramFinal {
        first: ClientFirst,
        server_first: String,
        combined_nonce: String,
        credentials: ScramCredentials,
    },
    /// `v=` was sent as a challenge; an empty response completes the exchange.
    ScramAcknowledge {
        outcome: Outcome,
    },
    Bearer,
    /// The JSON error was sent; the client's dummy response ends the exchange in failure.
    BearerFailed,
    External,
    Anonymous,
    Pending(Pending),
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    /// Accept or reject yields the outcome or a failure.
    Decision { outcome: Outcome, bearer: bool },
    CramMd5 {
        username: String,
        challenge: Vec<u8>,
        digest: [u8; cram_md5::DIGEST_LEN],
    },
    Scram {
        first: ClientFirst,
        combined_nonce: String,
    },
}

impl Authentication {
    /// Starts an exchange for `mechanism`, with the client's initial response if it sent one
    /// (`Some(&[])` for `=`), and returns the first [`Step`].
    ///
    /// `nonce` is used by CRAM-MD5 (the challenge is `<nonce@hostname>`, RFC 2195 §2; put a
    /// timestamp in it as the RFC does) and SCRAM-SHA-256 (the server half of the nonce,
    /// RFC 5802 §5.1); other mechanisms ignore it. It must be unpredictable and never reused.
    ///
    /// Tolerated: an initial response to LOGIN is taken as the user name, as many clients
    /// send `AUTH LOGIN <base64 user>` and Postfix and Exim accept it.
    pub fn start(
        mechanism: Mechanism,
        initial_response: Option<&[u8]>,
        config: &ServerConfig,
        nonce: &Nonce,
    ) -> (Self, Step) {
        let mut auth = Self {
            mechanism: mechanism.clone(),
            state: State::Done,
            max_response_len: config.max_response_len,
            success_data: config.success_data,
            channel_binding_advertised: config.channel_binding_advertised,
        };
        if !mechanism.is_implemented() || !config.mechanisms.contains(&mechanism) {
            return (
                auth,
                Step::Failure(Failure::UnsupportedMechanism(mechanism)),
            );
        }
        auth.state = match &mechanism {
            Mechanism::Plain => State::Plain,
            Mechanism::Login => State::LoginUsername,
            Mechanism::XOAuth2 | Mechanism::OAuthBearer => State::Bearer,
            Mechanism::External => State::External,
            Mechanism::Anonymous => State::Anonymous,
            Mechanism::ScramSha256 => State::ScramFirst {
                server_nonce: nonce.as_str().to_owned(),
            },
            Mechanism::CramMd5 => {
                if initial_response.is_some() {
                    return (auth, Step::Failure(Failure::InitialResponseNotAllowed));
                }
                let challenge = format!("<{}@{}>", nonce.as_str(), config.hostname).into_bytes();
                auth.state = State::CramMd5 {
                    challenge: challenge.clone(),
                };
                return (auth, Step::Challenge(challenge));
            }
            Mechanism::Other(_) => State::Done,
        };
        let step = match initial_response {
            Some(ir) => auth.step(ir),
            None if mechanism == Mechanism::Login => {
                Step::Challenge(LOGIN_USERNAME_PROMPT.to_vec())
            }
            // RFC 4422 §5 item 2a: a client-first mechanism without an initial response
            // starts with an empty challenge.
            None => Step::Challenge(Vec::new()),
        };
        (auth, step)
    }

    /// Returns the mechanism of this exchange.
    pub const fn mechanism(&self) -> &Mechanism {
        &self.mechanism
    }

    /// Returns `true` while the application owes an [`Answer`].
    pub const fn is_awaiting_answer(&self) -> bool {
        matches!(self.state, State::Pending(_))
    }

    /// Returns `true` once the exchange has ended in success or failure.
    pub const fn is_finished(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Feeds the client's decoded response to the last challenge and returns the next step.
    ///
    /// A response that is too long, malformed, or out of sequence ends the exchange with
    /// [`Step::Failure`]; this never panics.
    pub fn step(&mut self, response: &[u8]) -> Step {
        if response.len() > self.max_response_len {
            self.state = State::Done;
            return Step::Failure(Failure::TooLong {
                limit: self.max_response_len,
            });
        }
        let state = mem::replace(&mut self.state, State::Done);
        match self.transition(state, response) {
            Ok(step) => step,
            Err(failure) => {
                self.state = State::Done;
                Step::Failure(failure)
            }
        }
    }

    /// Feeds one continuation line as the client sent it, CRLF removed: `*` cancels
    /// ([`cancel`](Self::cancel)), anything else is decoded as base64
    /// ([`decode_response`](super::decode_response), [`ResponseKind::Continuation`]) and
    /// given to [`step`](Self::step). `max_line` is the protocol's limit for the line with
    /// its CRLF. This is the server side of the continuation exchange that SMTP `AUTH`
    /// (RFC 4954 §4), POP3 `AUTH` (RFC 5034 §4) and IMAP `AUTHENTICATE` (RFC 9051 §6.2.2)
    /// share.
    ///
    /// # Errors
    /// [`ContinuationError`] for a line that is too long or not base64; the exchange is then over.
    pub fn respond_line(
        &mut self,
        line: &[u8],
        max_line: usize,
    ) -> Result<Step, ContinuationError> {
        if line.len().saturating_add(2) > max_line {
            self.state = State::Done;
            return Err(ContinuationError::TooLong { limit: max_line });
        }
        match super::decode_response(line, ResponseKind::Continuation, max_line) {
            Ok(ClientResponse::Cancel) => Ok(self.cancel()),
            Ok(ClientResponse::Data(data)) => Ok(self.step(data.expose())),
            Err(_) => {
                self.state = State::Done;
                Err(ContinuationError::Undecodable)
            }
        }
    }

    /// Ends the exchange because the client sent `*` (RFC 4954 §4, RFC 5034 §4,
    /// RFC 3501 §6.2.2).
    pub fn cancel(&mut self) -> Step {
        self.state = State::Done;
        Step::Failure(Failure::Cancelled)
    }

    /// Gives the application's answer to the pending [`Step::Verify`] and returns the next
    /// step.
    ///
    /// # Errors
    /// [`AnswerError`] if no verification is pending or the answer does not fit it; the
    /// exchange is then unchanged.
    pub fn answer(&mut self, answer: Answer) -> Result<Step, AnswerError> {
        let State::Pending(pending) = &self.state else {
            return Err(AnswerError::NotAwaitingAnswer);
        };
        let fits = match (pending, &answer) {
            (_, Answer::Reject) => true,
            (Pending::Decision { bearer, .. }, Answer::RejectWithError(_)) => *bearer,
            (Pending::Decision { .. }, Answer::Accept) => true,
            (Pending::CramMd5 { .. }, Answer::Password(_)) => true,
            (Pending::Scram { .. }, Answer::ScramCredentials(_)) => true,
            _ => false,
        };
        if !fits {
            return Err(AnswerError::Mismatch {
                expected: match pending {
                    Pending::Decision { bearer: true, .. } => "Accept, Reject or RejectWithError",
                    Pending::Decision { .. } => "Accept or Reject",
                    Pending::CramMd5 { .. } => "Password or Reject",
                    Pending::Scram { .. } => "ScramCredentials or Reject",
                },
            });
        }
        let State::Pending(pending) = mem::replace(&mut self.state, State::Done) else {
            return Err(AnswerError::NotAwaitingAnswer);
        };
        Ok(match (pending, answer) {
            (_, Answer::Reject) => Step::Failure(Failure::Rejected),
            (Pending::Decision { outcome, .. }, Answer::Accept) => Step::Success(outcome),
            (Pending::Decision { .. }, Answer::RejectWithError(json)) => {
                // RFC 7628 §3.2.3: the error goes in a challenge; the client's dummy
                // response lets the server finish the exchange.
                self.state = State::BearerFailed;
                Step::Challenge(json)
            }
            (
                Pending::CramMd5 {
                    username,
                    challenge,
                    digest,
                },
                Answer::Password(password),
            ) => {
                let expected = cram_md5::digest(password.expose().as_bytes(), &challenge);
                if scram::constant_time_eq(&expected, &digest) {
                    Step::Success(Outcome {
                        authorization_identity: None,
                        authentication_identity: Some(username),
                        additional_data: None,
                    })
                } else {
                    Step::Failure(Failure::InvalidProof)
                }
            }
            (
                Pending::Scram {
                    first,
                    combined_nonce,
                },
                Answer::ScramCredentials(credentials),
            ) => {
                let server_first = scram::server_first(&combined_nonce, &credentials);
                let challenge = server_first.clone().into_bytes();
                self.state = State::ScramFinal {
                    first,
                    server_first,
                    combined_nonce,
                    credentials,
                };
                Step::Challenge(challenge)
            }
            // Excluded by `fits` above.
            _ => Step::Failure(Failure::OutOfSequence),
        })
    }

    fn transition(&mut self, state: State, response: &[u8]) -> Result<Step, Failure> {
        Ok(match state {
            State::Plain => {
                let message = plain::parse_plain(response).map_err(Failure::Malformed)?;
                self.verify(
                    Verification::Password {
                        authorization_identity: message.authzid.clone(),
                        authentication_identity: message.authcid.clone(),
                        password: message.passwd,
                    },
                    Outcome {
                        authorization_identity: message.authzid,
                        authentication_identity: Some(message.authcid),
                        additional_data: None,
                    },
                    false,
                )
            }
            State::LoginUsername => {
                let username = plain::parse_login_field(response, "empty or invalid user name")
                    .map_err(Failure::Malformed)?;
                self.state = State::LoginPassword { username };
                Step::Challenge(LOGIN_PASSWORD_PROMPT.to_vec())
            }
            State::LoginPassword { username } => {
                let password = plain::parse_login_field(response, "empty or invalid password")
                    .map_err(Failure::Malformed)?;
                self.verify(
                    Verification::Password {
                        authorization_identity: None,
                        authentication_identity: username.clone(),
                        password: Secret::new(password),
                    },
                    Outcome {
                        authorization_identity: None,
                        authentication_identity: Some(username),
                        additional_data: None,
                    },
                    false,
                )
            }
            State::CramMd5 { challenge } => {
                let (username, digest) =
                    cram_md5::parse_response(response).map_err(Failure::Malformed)?;
                self.state = State::Pending(Pending::CramMd5 {
                    username: username.clone(),
                    challenge,
                    digest,
                });
                Step::Verify(Verification::CramMd5 { username })
            }
            State::ScramFirst { server_nonce } => self.scram_first(response, &server_nonce)?,
            State::ScramFinal {
                first,
                server_first,
                combined_nonce,
                credentials,
            } => self.scram_final(
                response,
                &first,
                &server_first,
                &combined_nonce,
                &credentials,
            )?,
            State::ScramAcknowledge { outcome } => {
                if !response.is_empty() {
                    return Err(Failure::Malformed("expected an empty response after v="));
                }
                Step::Success(outcome)
            }
            State::Bearer => {
                let request = if self.mechanism == Mechanism::XOAuth2 {
                    oauth::parse_xoauth2(response)
                } else {
                    oauth::parse_oauthbearer(response)
                }
                .map_err(Failure::Malformed)?;
                let BearerRequest {
                    user,
                    token,
                    host,
                    port,
                } = request;
                self.verify(
                    Verification::Bearer {
                        user: user.clone(),
                        token,
                        host,
                        port,
                    },
                    Outcome {
                        authorization_identity: user,
                        authentication_identity: None,
                        additional_data: None,
                    },
                    true,
                )
            }
            // RFC 7628 §3.2.3: whatever the client answers (`%x01`, or empty for XOAUTH2),
            // the exchange fails.
            State::BearerFailed => Step::Failure(Failure::Rejected),
            State::External => {
                let authzid = core::str::from_utf8(response)
                    .ok()
                    .filter(|s| !s.contains('\0'))
                    .ok_or(Failure::Malformed("authzid is not UTF-8 without NUL"))?;
                let authzid = Some(authzid.to_owned()).filter(|a| !a.is_empty());
                self.verify(
                    Verification::External {
                        authorization_identity: authzid.clone(),
                    },
                    Outcome {
                        authorization_identity: authzid,
                        authentication_identity: None,
                        additional_data: None,
                    },
                    false,
                )
            }
            State::Anonymous => {
                let trace = parse_trace(response).map_err(Failure::Malformed)?;
                self.verify(
                    Verification::Anonymous { trace },
                    Outcome {
                        authorization_identity: None,
                        authentication_identity: None,
                        additional_data: None,
                    },
                    false,
                )
            }
            State::Pending(_) | State::Done => return Err(Failure::OutOfSequence),
        })
    }

    fn verify(&mut self, verification: Verification, outcome: Outcome, bearer: bool) -> Step {
        self.state = State::Pending(Pending::Decision { outcome, bearer });
        Step::Verify(verification)
    }

    /// Handles `client-first-message` (RFC 5802 §5, §7).
    fn scram_first(&mut self, response: &[u8], server_nonce: &str) -> Result<Step, Failure> {
        let (first, flag) = scram::parse_client_first(response).map_err(scram_failure)?;
        // RFC 5802 §6: "If the flag is set to 'y' and the server supports channel binding,
        // the server MUST fail authentication."
        if flag == b'y' && self.channel_binding_advertised {
            return Err(Failure::ChannelBindingDowngrade);
        }
        // RFC 5802 §5.1: the server MUST prepare the user name (or compare SASLprep-aware);
        // it SHOULD abort if preparation fails or yields an empty string.
        let username = saslprep(&first.username)
            .ok()
            .filter(|u| !u.is_empty())
            .ok_or(Failure::InvalidUsernameEncoding)?;
        let mut combined_nonce = first.nonce.clone();
        combined_nonce.push_str(server_nonce);
        let verification = Verification::Scram {
            authorization_identity: first.authzid.clone(),
            username,
        };
        self.state = State::Pending(Pending::Scram {
            first,
            combined_nonce,
        });
        Ok(Step::Verify(verification))
    }

    /// Handles `client-final-message`: checks `c=`, the nonce and the proof (RFC 5802 §5).
    fn scram_final(
        &mut self,
        response: &[u8],
        first: &ClientFirst,
        server_first: &str,
        combined_nonce: &str,
        credentials: &ScramCredentials,
    ) -> Result<Step, Failure> {
        let last = scram::parse_client_final(response).map_err(scram_failure)?;
        // RFC 5802 §6: "The server MUST always validate the client's 'c=' field."
        if last.channel_binding != encode_inner(first.gs2_header.as_bytes()) {
            return Err(Failure::ChannelBindingMismatch);
        }
        // RFC 5802 §5.1: "The server MUST verify that the nonce sent by the client in the
        // second message is the same as the one sent by the server in its first message."
        if last.nonce != combined_nonce {
            return Err(Failure::Malformed("nonce does not match"));
        }
        let auth_message = [
            first.bare.as_bytes(),
            b",",
            server_first.as_bytes(),
            b",",
            last.without_proof.as_bytes(),
        ];
        let stored_key = credentials.stored_key().expose();
        let client_signature = scram::hmac_sha256(stored_key, &auth_message);
        let client_key = scram::xor(&last.proof, &client_signature);
        let computed = <sha2::Sha256 as sha2::Digest>::digest(client_key);
        if !scram::constant_time_eq(&computed, stored_key) {
            return Err(Failure::InvalidProof);
        }
        let server_signature = scram::hmac_sha256(credentials.server_key().expose(), &auth_message);
        let server_final = format!("v={}", encode_inner(&server_signature)).into_bytes();
        let mut outcome = Outcome {
            authorization_identity: first.authzid.clone(),
            authentication_identity: saslprep(&first.username).ok(),
            additional_data: None,
        };
        if self.success_data {
            outcome.additional_data = Some(server_final);
            Ok(Step::Success(outcome))
        } else {
            self.state = State::ScramAcknowledge { outcome };
            Ok(Step::Challenge(server_final))
        }
    }
}

fn scram_failure(error: MessageError) -> Failure {
    match error {
        MessageError::Malformed(reason) => Failure::Malformed(reason),
        MessageError::MandatoryExtension => Failure::ExtensionsNotSupported,
        MessageError::ChannelBinding => Failure::ChannelBindingNotSupported,
        MessageError::UsernameEncoding => Failure::InvalidUsernameEncoding,
    }
}

/// Parses the ANONYMOUS trace (RFC 4505 §3).
///
/// ```abnf
/// message   = [ email / token ]
/// TCHAR     = %x20-3F / %x41-7E      ;; ASCII except '@' and CTLs
///           / UTF8-2 / UTF8-3 / UTF8-4
/// token     = 1*255TCHAR
/// ```
///
/// Tolerated: the `email` alternative is not checked beyond being UTF-8 without controls
/// and at most 255 characters.
fn parse_trace(response: &[u8]) -> Result<Option<String>, &'static str> {
    let trace = core::str::from_utf8(response).map_err(|_| "trace is not UTF-8")?;
    if trace.chars().any(char::is_control) {
        return Err("control character in trace");
    }
    if trace.chars().count() > MAX_TRACE_CHARS {
        return Err("trace longer than 255 characters");
    }
    Ok(Some(trace.to_owned()).filter(|t| !t.is_empty()))
}

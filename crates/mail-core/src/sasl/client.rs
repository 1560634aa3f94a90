//! The client side of a SASL exchange: one state machine per `AUTH` / `AUTHENTICATE`.
//!
//! # Calling contract
//!
//! 1. [`Authentication::new`] with the mechanism (see [`Mechanism::strongest`]) and the
//!    [`Credentials`].
//! 2. If the protocol allows an initial response (SMTP `AUTH`, POP3 `AUTH`, IMAP with
//!    SASL-IR), send [`Authentication::initial_response`] with the command, encoded with
//!    [`encode_response`](super::encode_response) and [`ResponseKind::Initial`].
//! 3. For each challenge (`334 `, `+ `), decode it and send what [`Authentication::step`]
//!    returns; on `Err`, send `*` to cancel (RFC 4954 §4).
//! 4. When the server reports success, call [`Authentication::finish`]: for SCRAM it fails
//!    unless the server proved it knows the password (RFC 5802 §5: "the client MUST
//!    consider the authentication exchange to be unsuccessful").
//!
//! [`ResponseKind::Initial`]: super::ResponseKind::Initial

use super::Nonce;
use super::cram_md5;
use super::framing::encode_inner;
use super::mechanism::Mechanism;
use super::oauth::{self, KVSEP};
use super::plain;
use super::saslprep::{SaslPrepError, saslprep};
use super::scram::{self, DEFAULT_MAX_ITERATIONS, Keys, MIN_ITERATIONS, ServerFinal};
use crate::Secret;

/// The credentials a client authenticates with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A user name and password: PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256.
    Password {
        /// The identity to act as, if not the user's own (PLAIN and SCRAM only).
        authorization_identity: Option<String>,
        /// The user name.
        username: String,
        /// The password.
        password: Secret<String>,
    },
    /// An OAuth 2.0 bearer token: OAUTHBEARER, XOAUTH2.
    Bearer {
        /// The user (OAUTHBEARER `a=`, XOAUTH2 `user=`).
        user: String,
        /// The access token.
        token: Secret<String>,
        /// The server's host name, sent as `host` by OAUTHBEARER (RFC 7628 §3.1).
        host: Option<String>,
        /// The server's port, sent as `port` by OAUTHBEARER.
        port: Option<u16>,
    },
    /// EXTERNAL: the identity comes from outside SASL, e.g. a TLS client certificate.
    External {
        /// The identity to act as; `None` to use the one derived from the external
        /// credentials.
        authorization_identity: Option<String>,
    },
    /// ANONYMOUS (RFC 4505).
    Anonymous {
        /// Trace information, e.g. an email address, at most 255 characters.
        trace: Option<String>,
    },
}

impl Credentials {
    /// Returns password credentials without an authorization identity.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Password {
            authorization_identity: None,
            username: username.into(),
            password: Secret::new(password.into()),
        }
    }

    /// Returns bearer-token credentials without host and port.
    pub fn bearer(user: impl Into<String>, token: impl Into<String>) -> Self {
        Self::Bearer {
            user: user.into(),
            token: Secret::new(token.into()),
            host: None,
            port: None,
        }
    }
}

/// A client-side failure. After any error the exchange is over: cancel it with `*`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The mechanism is not implemented.
    #[error("mechanism {0} is not implemented")]
    UnsupportedMechanism(Mechanism),
    /// The credentials do not suit the mechanism (e.g. a token for PLAIN).
    #[error("{0} needs other credentials")]
    WrongCredentials(Mechanism),
    /// The credentials cannot be sent with this mechanism.
    #[error("invalid credentials: {0}")]
    InvalidCredentials(&'static str),
    /// The user name or password fails SASLprep (SCRAM).
    #[error("credentials fail SASLprep: {0}")]
    SaslPrep(#[from] SaslPrepError),
    /// The server's challenge does not follow the mechanism's syntax.
    #[error("malformed challenge: {0}")]
    MalformedChallenge(&'static str),
    /// The SCRAM server nonce does not start with the client nonce, or adds nothing to it
    /// (RFC 5802 §5.1: "The client MUST verify that the initial part of the nonce used in
    /// subsequent messages is the same as the nonce it initially specified").
    #[error("server nonce does not extend the client nonce")]
    NonceMismatch,
    /// The SCRAM iteration count is below [`MIN_ITERATIONS`].
    #[error("iteration count {iterations} below the minimum {minimum}")]
    IterationCountTooLow {
        /// The server's count.
        iterations: u32,
        /// The minimum.
        minimum: u32,
    },
    /// The SCRAM iteration count is above the client's limit.
    #[error("iteration count {iterations} above the limit {maximum}")]
    IterationCountTooHigh {
        /// The server's count.
        iterations: u32,
        /// The limit.
        maximum: u32,
    },
    /// The SCRAM server signature is wrong: the server does not know the password.
    #[error("server signature mismatch")]
    ServerSignatureMismatch,
    /// The SCRAM server sent `e=` (RFC 5802 §7 `server-error-value`).
    #[error("server error: {0}")]
    ServerError(String),
    /// A challenge arrived when the mechanism expects none.
    #[error("unexpected challenge")]
    UnexpectedChallenge,
    /// The server reported success without proving itself (SCRAM without `v=`).
    #[error("server not authenticated")]
    ServerNotVerified,
    /// [`Authentication::finish`] was called after [`Authentication::step`] failed.
    #[error("the exchange already failed")]
    ExchangeFailed,
}

/// One client-side SASL exchange. See the [module documentation](self) for the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    mechanism: Mechanism,
    state: State,
    max_iterations: u32,
    server_error: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// One message, sent as initial response or after an empty challenge.
    Single {
        message: Secret<Vec<u8>>,
        sent: bool,
    },
    LoginUsername {
        username: String,
        password: Secret<String>,
    },
    LoginPassword {
        password: Secret<String>,
    },
    CramMd5 {
        username: String,
        password: Secret<String>,
    },
    ScramFirst(ScramStart),
    ScramSentFirst(ScramStart),
    ScramSentFinal {
        server_signature: Secret<[u8; 32]>,
    },
    ScramVerified,
    /// Waiting for the server's outcome.
    Done,
    /// A step failed; the exchange cannot succeed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ScramStart {
    gs2_header: String,
    bare: String,
    nonce: String,
    password: Secret<String>,
}

impl Authentication {
    /// Prepares an exchange with `mechanism` and `credentials`.
    ///
    /// `nonce` is the SCRAM client nonce (RFC 5802 §5.1); other mechanisms ignore it. It
    /// must be unpredictable and never reused.
    ///
    /// # Errors
    /// [`Error::UnsupportedMechanism`], [`Error::WrongCredentials`],
    /// [`Error::InvalidCredentials`] (an empty user name or password, a NUL, an
    /// authorization identity LOGIN or CRAM-MD5 cannot carry, a bearer value with control
    /// characters, a trace over 255 characters), or [`Error::SaslPrep`].
    pub fn new(
        mechanism: Mechanism,
        credentials: Credentials,
        nonce: &Nonce,
    ) -> Result<Self, Error> {
        let state = match (&mechanism, credentials) {
            (Mechanism::Other(_), _) => return Err(Error::UnsupportedMechanism(mechanism)),
            (
                Mechanism::Plain,
                Credentials::Password {
                    authorization_identity,
                    username,
                    password,
                },
            ) => {
                check_text(&username, "empty user name or NUL in user name")?;
                check_text(password.expose(), "empty password or NUL in password")?;
                if authorization_identity
                    .as_deref()
                    .is_some_and(|a| a.contains('\0'))
                {
                    return Err(Error::InvalidCredentials("NUL in authorization identity"));
                }
                State::Single {
                    message: Secret::new(plain::encode_plain(
                        authorization_identity.as_deref(),
                        &username,
                        password.expose(),
                    )),
                    sent: false,
                }
            }
            (
                Mechanism::Login | Mechanism::CramMd5,
                Credentials::Password {
                    authorization_identity,
                    username,
                    password,
                },
            ) => {
                if authorization_identity.is_some() {
                    return Err(Error::InvalidCredentials(
                        "LOGIN and CRAM-MD5 cannot carry an authorization identity",
                    ));
                }
                check_text(&username, "empty user name or NUL in user name")?;
                check_text(password.expose(), "empty password or NUL in password")?;
                if mechanism == Mechanism::Login {
                    State::LoginUsername { username, password }
                } else {
                    State::CramMd5 { username, password }
                }
            }
            (
                Mechanism::ScramSha256,
                Credentials::Password {
                    authorization_identity,
                    username,
                    password,
                },
            ) => State::ScramFirst(scram_start(
                authorization_identity.as_deref(),
                &username,
                &password,
                nonce,
            )?),
            (
                Mechanism::OAuthBearer | Mechanism::XOAuth2,
                Credentials::Bearer {
                    user,
                    token,
                    host,
                    port,
                },
            ) => {
                let token = token.expose();
                if token.is_empty() || !oauth::is_value(token) {
                    return Err(Error::InvalidCredentials(
                        "token must be non-empty printable ASCII",
                    ));
                }
                if !oauth::is_value(&user) || host.as_deref().is_some_and(|h| !oauth::is_value(h)) {
                    return Err(Error::InvalidCredentials(
                        "user and host must be printable ASCII",
                    ));
                }
                let message = if mechanism == Mechanism::XOAuth2 {
                    if user.is_empty() {
                        return Err(Error::InvalidCredentials("XOAUTH2 needs a user"));
                    }
                    oauth::encode_xoauth2(&user, token)
                } else {
                    oauth::encode_oauthbearer(&user, token, host.as_deref(), port)
                };
                State::Single {
                    message: Secret::new(message),
                    sent: false,
                }
            }
            (
                Mechanism::External,
                Credentials::External {
                    authorization_identity,
                },
            ) => {
                let authzid = authorization_identity.unwrap_or_default();
                if authzid.contains('\0') {
                    return Err(Error::InvalidCredentials("NUL in authorization identity"));
                }
                State::Single {
                    message: Secret::new(authzid.into_bytes()),
                    sent: false,
                }
            }
            (Mechanism::Anonymous, Credentials::Anonymous { trace }) => {
                let trace = trace.unwrap_or_default();
                if trace.chars().any(char::is_control) || trace.chars().count() > 255 {
                    return Err(Error::InvalidCredentials(
                        "trace must be at most 255 characters without controls",
                    ));
                }
                State::Single {
                    message: Secret::new(trace.into_bytes()),
                    sent: false,
                }
            }
            (m, _) => return Err(Error::WrongCredentials(m.clone())),
        };
        Ok(Self {
            mechanism,
            state,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            server_error: None,
        })
    }

    /// Sets the largest SCRAM iteration count the client will compute (default
    /// [`DEFAULT_MAX_ITERATIONS`]); a larger count
    /// fails with [`Error::IterationCountTooHigh`].
    #[must_use]
    pub const fn with_max_iterations(mut self, max_iterations: u32) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Returns the mechanism of this exchange.
    pub const fn mechanism(&self) -> &Mechanism {
        &self.mechanism
    }

    /// Returns the initial response, for protocols that send it with the command, or `None`
    /// for server-first mechanisms (LOGIN, CRAM-MD5) or if it was already produced.
    ///
    /// If the protocol cannot send one, do not call this: the first [`step`](Self::step)
    /// with the server's empty challenge returns the same message.
    pub fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
        match &mut self.state {
            State::Single { message, sent } if !*sent => {
                *sent = true;
                Some(message.clone())
            }
            State::ScramFirst(start) => {
                let start = start.clone();
                let message = format!("{}{}", start.gs2_header, start.bare).into_bytes();
                self.state = State::ScramSentFirst(start);
                Some(Secret::new(message))
            }
            _ => None,
        }
    }

    /// Returns the JSON error an OAUTHBEARER / XOAUTH2 server sent before failing
    /// (RFC 7628 §3.2.2), once [`step`](Self::step) has answered it.
    pub fn server_error(&self) -> Option<&[u8]> {
        self.server_error.as_deref()
    }

    /// Returns the response to the server's decoded `challenge`.
    ///
    /// Tolerated: the content of the go-ahead challenge before a client-first message
    /// (some servers put text there instead of nothing), and the LOGIN prompts' wording
    /// (answered by position: user name first, then password).
    ///
    /// # Errors
    /// [`Error`] when the challenge is malformed, unexpected, or (SCRAM) fails verification;
    /// the exchange is then over and the caller should cancel it with `*`.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, Error> {
        let result = self.transition(challenge);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    fn transition(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, Error> {
        let state = core::mem::replace(&mut self.state, State::Done);
        match state {
            State::Single {
                message,
                sent: false,
            } => {
                self.state = State::Single {
                    message: message.clone(),
                    sent: true,
                };
                Ok(message)
            }
            State::Single { sent: true, .. } => match self.mechanism {
                // RFC 7628 §3.2.3: answer the error with a single %x01; XOAUTH2 clients
                // answer with an empty response.
                Mechanism::OAuthBearer => {
                    self.server_error = Some(challenge.to_vec());
                    Ok(Secret::new(vec![KVSEP]))
                }
                Mechanism::XOAuth2 => {
                    self.server_error = Some(challenge.to_vec());
                    Ok(Secret::new(Vec::new()))
                }
                _ => Err(Error::UnexpectedChallenge),
            },
            State::LoginUsername { username, password } => {
                self.state = State::LoginPassword { password };
                Ok(Secret::new(username.into_bytes()))
            }
            State::LoginPassword { password } => {
                Ok(Secret::new(password.into_inner().into_bytes()))
            }
            State::CramMd5 { username, password } => {
                if challenge.is_empty() {
                    return Err(Error::MalformedChallenge("empty CRAM-MD5 challenge"));
                }
                let digest = cram_md5::digest(password.expose().as_bytes(), challenge);
                Ok(Secret::new(cram_md5::response(&username, &digest)))
            }
            State::ScramFirst(start) => {
                let message = format!("{}{}", start.gs2_header, start.bare).into_bytes();
                self.state = State::ScramSentFirst(start);
                Ok(Secret::new(message))
            }
            State::ScramSentFirst(start) => self.scram_final(&start, challenge),
            State::ScramSentFinal { server_signature } => {
                self.verify_server_final(&server_signature, challenge)?;
                self.state = State::ScramVerified;
                Ok(Secret::new(Vec::new()))
            }
            State::ScramVerified | State::Done | State::Failed => Err(Error::UnexpectedChallenge),
        }
    }

    /// Completes the exchange when the server reports success, with the additional data
    /// that came with the success reply, if any.
    ///
    /// # Errors
    /// For SCRAM-SHA-256, [`Error::ServerNotVerified`] unless the server signature was
    /// checked (in a challenge or in `additional_data`), and the errors of a bad `v=`;
    /// [`Error::ExchangeFailed`] after a failed [`step`](Self::step).
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), Error> {
        let state = core::mem::replace(&mut self.state, State::Done);
        let result = match (state, additional_data) {
            (State::Failed, _) => Err(Error::ExchangeFailed),
            (State::ScramSentFinal { server_signature }, Some(data)) => {
                self.verify_server_final(&server_signature, data)
            }
            (State::ScramVerified, _) => Ok(()),
            (State::ScramFirst(_) | State::ScramSentFirst(_) | State::ScramSentFinal { .. }, _) => {
                Err(Error::ServerNotVerified)
            }
            _ => Ok(()),
        };
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// Handles `server-first-message` and returns `client-final-message` (RFC 5802 §5).
    fn scram_final(
        &mut self,
        start: &ScramStart,
        challenge: &[u8],
    ) -> Result<Secret<Vec<u8>>, Error> {
        let challenge = core::str::from_utf8(challenge)
            .map_err(|_| Error::MalformedChallenge("server-first-message is not UTF-8"))?;
        let first = scram::parse_server_first(challenge).map_err(Error::MalformedChallenge)?;
        if !first.nonce.starts_with(&start.nonce) || first.nonce.len() == start.nonce.len() {
            return Err(Error::NonceMismatch);
        }
        if first.iterations < MIN_ITERATIONS {
            return Err(Error::IterationCountTooLow {
                iterations: first.iterations,
                minimum: MIN_ITERATIONS,
            });
        }
        if first.iterations > self.max_iterations {
            return Err(Error::IterationCountTooHigh {
                iterations: first.iterations,
                maximum: self.max_iterations,
            });
        }
        let keys = Keys::derive(
            start.password.expose().as_bytes(),
            &first.salt,
            first.iterations,
        );
        let without_proof = format!(
            "c={},r={}",
            encode_inner(start.gs2_header.as_bytes()),
            first.nonce
        );
        let auth_message = [
            start.bare.as_bytes(),
            b",",
            challenge.as_bytes(),
            b",",
            without_proof.as_bytes(),
        ];
        let client_signature = scram::hmac_sha256(&keys.stored_key, &auth_message);
        let proof = scram::xor(&keys.client_key, &client_signature);
        let server_signature = scram::hmac_sha256(&keys.server_key, &auth_message);
        self.state = State::ScramSentFinal {
            server_signature: Secret::new(server_signature),
        };
        Ok(Secret::new(
            format!("{without_proof},p={}", encode_inner(&proof)).into_bytes(),
        ))
    }

    /// Checks `server-final-message` (RFC 5802 §5: "If the two are different, the client
    /// MUST consider the authentication exchange to be unsuccessful").
    fn verify_server_final(
        &mut self,
        expected: &Secret<[u8; 32]>,
        message: &[u8],
    ) -> Result<(), Error> {
        match scram::parse_server_final(message).map_err(Error::MalformedChallenge)? {
            ServerFinal::Verifier(v) if scram::constant_time_eq(&v, expected.expose()) => Ok(()),
            ServerFinal::Verifier(_) => Err(Error::ServerSignatureMismatch),
            ServerFinal::Error(e) => Err(Error::ServerError(e)),
        }
    }
}

/// Rejects empty values and NULs, which no password mechanism can carry.
fn check_text(value: &str, error: &'static str) -> Result<(), Error> {
    if value.is_empty() || value.contains('\0') {
        return Err(Error::InvalidCredentials(error));
    }
    Ok(())
}

/// Builds `gs2-header` and `client-first-message-bare` (RFC 5802 §7).
fn scram_start(
    authzid: Option<&str>,
    username: &str,
    password: &Secret<String>,
    nonce: &Nonce,
) -> Result<ScramStart, Error> {
    // RFC 5802 §5.1: the client SHOULD prepare the user name with SASLprep and abort if
    // that fails or yields an empty string; the password is prepared for Hi() (§2.2).
    let username = saslprep(username)?;
    let password = saslprep(password.expose())?;
    if username.is_empty() || password.is_empty() {
        return Err(Error::SaslPrep(SaslPrepError::Empty));
    }
    let gs2_header = match authzid {
        Some(a) if !a.is_empty() => {
            let a = saslprep(a)?;
            format!("n,a={},", scram::escape_saslname(&a))
        }
        _ => String::from("n,,"),
    };
    let bare = format!(
        "n={},r={}",
        scram::escape_saslname(&username),
        nonce.as_str()
    );
    Ok(ScramStart {
        gs2_header,
        bare,
        nonce: nonce.as_str().to_owned(),
        password: Secret::new(password),
    })
}

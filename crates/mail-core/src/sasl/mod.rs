//! SASL (RFC 4422) for SMTP `AUTH`, POP3 `AUTH` and IMAP `AUTHENTICATE`: mechanism names,
//! base64 framing, and sans-IO client and server state machines.
//!
//! | mechanism       | specification          | client | server |
//! |-----------------|------------------------|--------|--------|
//! | `PLAIN`         | RFC 4616               | yes    | yes    |
//! | `LOGIN`         | draft-murchison-sasl-login | yes | yes   |
//! | `CRAM-MD5`      | RFC 2195               | yes    | yes    |
//! | `SCRAM-SHA-256` | RFC 5802, RFC 7677 (no channel binding, no `-PLUS`) | yes | yes |
//! | `OAUTHBEARER`   | RFC 7628 (bearer tokens) | yes  | yes    |
//! | `XOAUTH2`       | Google / Microsoft documentation | yes | yes |
//! | `EXTERNAL`      | RFC 4422 Appendix A    | yes    | yes    |
//! | `ANONYMOUS`     | RFC 4505               | yes    | yes    |
//!
//! - [`Mechanism`]: names, parsing, and the client's [`Mechanism::strongest`] choice.
//! - [`decode_response`], [`encode_response`], [`decode_challenge`], [`encode_challenge`]:
//!   the base64 lines the three protocols share (RFC 4954 §4, RFC 5034 §4, RFC 4959), with
//!   `*` (cancel) and `=` (empty initial response).
//! - [`server::Authentication`]: asks the application to verify credentials
//!   ([`server::Verification`]) and never sees a password it does not need.
//! - [`client::Authentication`]: produces responses; for SCRAM it checks the server's
//!   signature.
//! - [`scram::ScramCredentials`]: what a server stores for SCRAM instead of a password.
//! - [`saslprep::saslprep`]: RFC 4013, without NFKC (see that module for what is covered).
//!
//! Nothing here reads a clock or a random source: the caller supplies every [`Nonce`].
//!
//! # Example
//!
//! A client and a server completing PLAIN and SCRAM-SHA-256 against each other in memory.
//! A real protocol puts the base64 lines of [`encode_challenge`] / [`encode_response`] on
//! the wire between them.
//!
//! ```
//! use mail_core::sasl::{client, server, Mechanism, Nonce};
//! use mail_core::sasl::scram::ScramCredentials;
//! use mail_core::sasl::server::{Answer, Step, Verification};
//!
//! // The user database: the server stores a SCRAM verifier and checks PLAIN passwords.
//! let stored = ScramCredentials::derive("pencil", b"salt of user", 4096)?;
//! let check = |verification: &Verification| match verification {
//!     Verification::Password { authentication_identity, password, .. } => {
//!         if authentication_identity == "user" && password.expose() == "pencil" {
//!             Answer::Accept
//!         } else {
//!             Answer::Reject
//!         }
//!     }
//!     Verification::Scram { username, .. } if username == "user" => {
//!         Answer::ScramCredentials(stored.clone())
//!     }
//!     _ => Answer::Reject,
//! };
//!
//! for mechanism in [Mechanism::Plain, Mechanism::ScramSha256] {
//!     let client_nonce: Nonce = "fyko+d2lbbFgONRv9qkxdawL".parse()?;
//!     let server_nonce: Nonce = "3rfcNHYJY1ZVvWVs7j".parse()?;
//!     let mut client = client::Authentication::new(
//!         mechanism.clone(),
//!         client::Credentials::password("user", "pencil"),
//!         &client_nonce,
//!     )?;
//!     // SMTP `AUTH <mechanism> <initial response>`.
//!     let initial = client.initial_response();
//!     let (mut server, mut step) = server::Authentication::start(
//!         mechanism,
//!         initial.as_ref().map(|r| r.expose().as_slice()),
//!         &server::ServerConfig::default(),
//!         &server_nonce,
//!     );
//!     let outcome = loop {
//!         step = match step {
//!             Step::Challenge(challenge) => server.step(client.step(&challenge)?.expose()),
//!             Step::Verify(verification) => server.answer(check(&verification))?,
//!             Step::Success(outcome) => break outcome,
//!             Step::Failure(failure) => return Err(failure.into()),
//!             _ => unreachable!(),
//!         };
//!     };
//!     // The SCRAM client refuses to finish unless the server proved itself.
//!     client.finish(outcome.additional_data.as_deref())?;
//!     assert_eq!(outcome.authentication_identity.as_deref(), Some("user"));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::str::FromStr;

pub mod authenticator;
pub mod client;
mod cram_md5;
mod framing;
mod mechanism;
mod oauth;
mod plain;
pub mod saslprep;
pub mod scram;
pub mod server;

pub use framing::{
    ClientResponse, FramingError, ResponseKind, decode_challenge, decode_response, encode_cancel,
    encode_challenge, encode_response, encoded_len,
};
pub use mechanism::{Mechanism, MechanismError, OtherMechanism};

/// Longest accepted [`Nonce`], in bytes.
pub const MAX_NONCE_LEN: usize = 255;

/// A caller-supplied nonce: the SCRAM client or server nonce (RFC 5802 §5.1), or the
/// unique part of the CRAM-MD5 challenge `<nonce@hostname>` (RFC 2195 §2).
///
/// It holds 1 to [`MAX_NONCE_LEN`] characters of SCRAM `printable` (RFC 5802 §7):
///
/// ```abnf
/// printable       = %x21-2B / %x2D-7E
///                   ;; Printable ASCII except ",".
/// ```
///
/// Generate it from a cryptographic random source for every exchange, e.g. 18 random
/// bytes in base64. It must never repeat.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nonce(String);

/// A string that is not a valid [`Nonce`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nonce must be 1 to 255 printable ASCII characters other than ','")]
pub struct InvalidNonce;

impl Nonce {
    /// Returns the nonce.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Nonce {
    type Err = InvalidNonce;

    /// Validates a nonce (RFC 5802 §7 `printable`, at most [`MAX_NONCE_LEN`] bytes).
    ///
    /// # Errors
    /// [`InvalidNonce`] if it is empty, too long, or holds a comma, space or non-printable.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() <= MAX_NONCE_LEN && scram::is_printable(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidNonce)
        }
    }
}

impl TryFrom<String> for Nonce {
    type Error = InvalidNonce;

    /// Validates a nonce; see [`Nonce::from_str`].
    ///
    /// # Errors
    /// [`InvalidNonce`] as for [`Nonce::from_str`].
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.len() <= MAX_NONCE_LEN && scram::is_printable(&s) {
            Ok(Self(s))
        } else {
            Err(InvalidNonce)
        }
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

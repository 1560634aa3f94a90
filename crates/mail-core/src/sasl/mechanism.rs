//! SASL mechanism names (RFC 4422 §3.1) and the client's "strongest first" choice.

use core::fmt;
use core::str::FromStr;

/// A SASL mechanism name.
///
/// The eight mechanisms this module implements have their own variants; any other name that
/// is a valid `sasl-mech` (RFC 4422 §3.1) is kept as [`Mechanism::Other`], so that a client
/// can see and skip mechanisms it does not know (for example `GSSAPI` or
/// `SCRAM-SHA-256-PLUS`) and a server can refuse them by name.
///
/// ```abnf
/// sasl-mech    = 1*20mech-char
/// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// ```
///
/// Parsing is case-insensitive (IMAP and SMTP peers send `auth=plain` and `AUTH login`);
/// `Display` always emits the canonical upper-case name.
///
/// ```
/// use mail_core::sasl::Mechanism;
/// let m: Mechanism = "scram-sha-256".parse().unwrap();
/// assert_eq!(m, Mechanism::ScramSha256);
/// assert_eq!(m.to_string(), "SCRAM-SHA-256");
/// let gssapi: Mechanism = "gssapi".parse().unwrap();
/// assert_eq!(gssapi.to_string(), "GSSAPI");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN`: authzid, authcid and password in one message (RFC 4616).
    Plain,
    /// `LOGIN`: user name and password in answer to two server prompts (not an RFC;
    /// draft-murchison-sasl-login).
    Login,
    /// `XOAUTH2`: Google's and Microsoft's OAuth 2.0 bearer-token mechanism (not an RFC).
    XOAuth2,
    /// `OAUTHBEARER`: OAuth 2.0 bearer tokens (RFC 7628).
    OAuthBearer,
    /// `EXTERNAL`: identity established outside SASL, e.g. a TLS client certificate
    /// (RFC 4422 Appendix A).
    External,
    /// `ANONYMOUS`: no identity; an optional trace string (RFC 4505).
    Anonymous,
    /// `CRAM-MD5`: HMAC-MD5 challenge-response (RFC 2195).
    CramMd5,
    /// `SCRAM-SHA-256`: salted challenge-response with mutual authentication
    /// (RFC 5802, RFC 7677). Channel binding (`-PLUS`) is not implemented.
    ScramSha256,
    /// Any other valid mechanism name, upper-cased.
    Other(OtherMechanism),
}

/// A valid mechanism name that is none of the [`Mechanism`] variants this module implements.
///
/// It exists only through [`Mechanism::from_str`], so it always holds 1 to 20 characters of
/// `A-Z`, `0-9`, `-` and `_` (RFC 4422 §3.1) and never the name of an implemented mechanism.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OtherMechanism(String);

impl OtherMechanism {
    /// Returns the upper-case name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A string that is not a valid `sasl-mech` (RFC 4422 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MechanismError {
    /// The name is empty.
    #[error("empty mechanism name")]
    Empty,
    /// The name is longer than 20 characters.
    #[error("mechanism name longer than 20 characters")]
    TooLong,
    /// The name holds a character other than a letter, digit, `-` or `_`.
    #[error("invalid character in mechanism name at byte {offset}")]
    InvalidCharacter {
        /// Byte offset of the first invalid character.
        offset: usize,
    },
}

/// Longest `sasl-mech` (RFC 4422 §3.1: `1*20mech-char`).
const MAX_NAME_LEN: usize = 20;

impl Mechanism {
    /// Every mechanism this module implements, strongest first (see [`Mechanism::strength`]).
    pub const IMPLEMENTED: [Mechanism; 8] = [
        Mechanism::External,
        Mechanism::ScramSha256,
        Mechanism::CramMd5,
        Mechanism::OAuthBearer,
        Mechanism::XOAuth2,
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::Anonymous,
    ];

    /// Returns the canonical upper-case name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::XOAuth2 => "XOAUTH2",
            Self::OAuthBearer => "OAUTHBEARER",
            Self::External => "EXTERNAL",
            Self::Anonymous => "ANONYMOUS",
            Self::CramMd5 => "CRAM-MD5",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::Other(other) => other.as_str(),
        }
    }

    /// Returns `true` for the mechanisms this module implements (all but [`Mechanism::Other`]).
    pub const fn is_implemented(&self) -> bool {
        !matches!(self, Self::Other(_))
    }

    /// Returns `true` if the client sends the first message (RFC 4422 §5 item 2a), so that an
    /// initial response (SMTP `AUTH <mech> <ir>`, POP3 `AUTH`, IMAP SASL-IR) can carry it.
    ///
    /// `LOGIN` and `CRAM-MD5` are server-first: the server speaks before the client.
    pub const fn is_client_first(&self) -> bool {
        !matches!(self, Self::Login | Self::CramMd5 | Self::Other(_))
    }

    /// Returns `true` if the mechanism sends a password or a bearer token that an eavesdropper
    /// could replay, so that it must only be used under TLS (RFC 4616 §5, RFC 7628 §3).
    pub const fn exposes_secret(&self) -> bool {
        matches!(
            self,
            Self::Plain | Self::Login | Self::XOAuth2 | Self::OAuthBearer
        )
    }

    /// Returns the mechanism's rank for "strongest first" selection; higher is stronger.
    ///
    /// The order, and why:
    ///
    /// 1. `EXTERNAL` — the identity is a TLS client certificate; nothing replayable crosses
    ///    the wire. A client only allows it when it holds such a certificate.
    /// 2. `SCRAM-SHA-256` — the password never crosses the wire, the server stores only a
    ///    salted verifier, and the client authenticates the server (RFC 5802 §9).
    /// 3. `CRAM-MD5` — the password never crosses the wire, but the server must store a
    ///    plaintext-equivalent secret and MD5 is weak (RFC 2195 §4).
    /// 4. `OAUTHBEARER`, then 5. `XOAUTH2` — a bearer token is replayable but scoped, expiring
    ///    and revocable; OAUTHBEARER is the standard (RFC 7628) form of the same thing.
    /// 6. `PLAIN`, then 7. `LOGIN` — the password itself crosses the wire; PLAIN carries an
    ///    authorization identity and has a specification, LOGIN has neither.
    /// 8. `ANONYMOUS` — no authentication at all.
    ///
    /// Mechanisms this module does not implement rank 0, below everything.
    pub const fn strength(&self) -> u8 {
        match self {
            Self::External => 8,
            Self::ScramSha256 => 7,
            Self::CramMd5 => 6,
            Self::OAuthBearer => 5,
            Self::XOAuth2 => 4,
            Self::Plain => 3,
            Self::Login => 2,
            Self::Anonymous => 1,
            Self::Other(_) => 0,
        }
    }

    /// Returns the strongest mechanism that the server `offered` and the client `allowed`
    /// (both lists, in any order), or `None` if they share none.
    ///
    /// Ties (only possible between unimplemented mechanisms) go to the first one offered.
    ///
    /// ```
    /// use mail_core::sasl::Mechanism;
    /// let offered: Vec<Mechanism> =
    ///     ["PLAIN", "LOGIN", "SCRAM-SHA-256", "GSSAPI"].iter().map(|m| m.parse().unwrap()).collect();
    /// let allowed = [Mechanism::Plain, Mechanism::ScramSha256, Mechanism::CramMd5];
    /// assert_eq!(Mechanism::strongest(&offered, &allowed), Some(Mechanism::ScramSha256));
    /// ```
    pub fn strongest<'a>(
        offered: impl IntoIterator<Item = &'a Mechanism>,
        allowed: &[Mechanism],
    ) -> Option<Mechanism> {
        let mut best: Option<&Mechanism> = None;
        for candidate in offered {
            if !allowed.contains(candidate) {
                continue;
            }
            if best.is_none_or(|b| candidate.strength() > b.strength()) {
                best = Some(candidate);
            }
        }
        best.cloned()
    }
}

impl FromStr for Mechanism {
    type Err = MechanismError;

    /// Parses a `sasl-mech` (RFC 4422 §3.1), case-insensitively.
    ///
    /// ```abnf
    /// sasl-mech    = 1*20mech-char
    /// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
    /// ```
    ///
    /// Tolerated: lower-case letters, which are upper-cased.
    ///
    /// # Errors
    /// [`MechanismError`] if the name is empty, longer than 20 characters, or holds another
    /// character.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(MechanismError::Empty);
        }
        if let Some(offset) = s
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err(MechanismError::InvalidCharacter { offset });
        }
        if s.len() > MAX_NAME_LEN {
            return Err(MechanismError::TooLong);
        }
        // Upper-cased on the stack: the implemented mechanisms (what `AUTH PLAIN` names)
        // cost no allocation; only another name becomes a `String`.
        let mut buf = [0u8; MAX_NAME_LEN];
        let upper = buf.get_mut(..s.len()).unwrap_or_default();
        upper.copy_from_slice(s.as_bytes());
        upper.make_ascii_uppercase();
        Ok(match &*upper {
            b"PLAIN" => Self::Plain,
            b"LOGIN" => Self::Login,
            b"XOAUTH2" => Self::XOAuth2,
            b"OAUTHBEARER" => Self::OAuthBearer,
            b"EXTERNAL" => Self::External,
            b"ANONYMOUS" => Self::Anonymous,
            b"CRAM-MD5" => Self::CramMd5,
            b"SCRAM-SHA-256" => Self::ScramSha256,
            _ => Self::Other(OtherMechanism(s.to_ascii_uppercase())),
        })
    }
}

impl TryFrom<&[u8]> for Mechanism {
    type Error = MechanismError;

    /// Parses a mechanism name from the bytes of a command line; see [`Mechanism::from_str`].
    ///
    /// # Errors
    /// [`MechanismError`] as for [`Mechanism::from_str`]; bytes that are not ASCII are
    /// invalid characters.
    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        match core::str::from_utf8(bytes) {
            Ok(s) => s.parse(),
            Err(e) => Err(MechanismError::InvalidCharacter {
                offset: e.valid_up_to(),
            }),
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for OtherMechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_implemented_name_case_insensitively() {
        for m in Mechanism::IMPLEMENTED {
            assert_eq!(m.as_str().parse::<Mechanism>().unwrap(), m);
            assert_eq!(m.as_str().to_lowercase().parse::<Mechanism>().unwrap(), m);
            assert!(m.is_implemented());
        }
    }

    #[test]
    fn name_of_exactly_twenty_characters_is_accepted_and_twenty_one_rejected() {
        let twenty = "A".repeat(20);
        assert_eq!(twenty.parse::<Mechanism>().unwrap().as_str(), twenty);
        assert_eq!(
            "A".repeat(21).parse::<Mechanism>(),
            Err(MechanismError::TooLong)
        );
    }

    #[test]
    fn invalid_names_are_rejected() {
        assert_eq!("".parse::<Mechanism>(), Err(MechanismError::Empty));
        assert_eq!(
            "PL AIN".parse::<Mechanism>(),
            Err(MechanismError::InvalidCharacter { offset: 2 })
        );
        assert!("PLAIN\r\n".parse::<Mechanism>().is_err());
        assert!(Mechanism::try_from(&b"\xffPLAIN"[..]).is_err());
    }

    #[test]
    fn strongest_respects_both_lists() {
        let offered = [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
        assert_eq!(
            Mechanism::strongest(&offered, &[Mechanism::Login, Mechanism::Plain]),
            Some(Mechanism::Plain)
        );
        assert_eq!(
            Mechanism::strongest(&offered, &[Mechanism::ScramSha256]),
            None
        );
    }
}

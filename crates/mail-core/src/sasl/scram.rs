//! SCRAM-SHA-256 (RFC 5802, RFC 7677): key derivation, stored credentials, and the
//! messages' syntax, shared by the client and server state machines.
//!
//! ```text
//! SaltedPassword  := Hi(Normalize(password), salt, i)
//! ClientKey       := HMAC(SaltedPassword, "Client Key")
//! StoredKey       := H(ClientKey)
//! AuthMessage     := client-first-message-bare + "," +
//!                    server-first-message + "," +
//!                    client-final-message-without-proof
//! ClientSignature := HMAC(StoredKey, AuthMessage)
//! ClientProof     := ClientKey XOR ClientSignature
//! ServerKey       := HMAC(SaltedPassword, "Server Key")
//! ServerSignature := HMAC(ServerKey, AuthMessage)
//! ```
//! (RFC 5802 §3, with H = SHA-256 and HMAC = HMAC-SHA-256 per RFC 7677 §3.)
//!
//! Channel binding (`SCRAM-SHA-256-PLUS`, gs2 flag `p=`) is not implemented: a server
//! fails a `p=` client with `channel-binding-not-supported`-style [`Failure`], and a client
//! always sends `n` (RFC 5802 §6: "If the client does not support channel binding, then it
//! MUST use an 'n' gs2-cbind-flag").
//!
//! [`Failure`]: super::server::Failure

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::framing::{decode_inner, encode_inner};
use super::saslprep::{SaslPrepError, saslprep};
use crate::Secret;

/// The smallest iteration count a client accepts (RFC 7677 §3: "SHOULD be at least 4096").
pub const MIN_ITERATIONS: u32 = 4096;

/// The default largest iteration count a client accepts, so that a hostile server cannot
/// make it spend minutes in PBKDF2.
pub const DEFAULT_MAX_ITERATIONS: u32 = 10_000_000;

/// Output length of SHA-256.
const KEY_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// What a server stores for SCRAM-SHA-256 instead of a password (RFC 5802 §3): the salt,
/// the iteration count, `StoredKey` and `ServerKey`.
///
/// `StoredKey` lets the server verify a client's proof without being able to produce one;
/// `ServerKey` lets it prove itself to the client. Both are kept in [`Secret`]: whoever
/// holds `ServerKey` can impersonate the server, and `StoredKey` is a dictionary-attack target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramCredentials {
    salt: Vec<u8>,
    iterations: u32,
    stored_key: Secret<[u8; KEY_LEN]>,
    server_key: Secret<[u8; KEY_LEN]>,
}

/// Invalid SCRAM credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScramError {
    /// The salt is empty.
    #[error("empty salt")]
    EmptySalt,
    /// The iteration count is zero (RFC 5802 §7: `posit-number`).
    #[error("iteration count must be positive")]
    ZeroIterations,
    /// The password fails SASLprep.
    #[error("password fails SASLprep: {0}")]
    SaslPrep(#[from] SaslPrepError),
}

impl ScramCredentials {
    /// Derives the stored credentials from a password, for an application that registers or
    /// changes a user's password (RFC 5802 §3). The password is prepared with
    /// [`saslprep`] first.
    ///
    /// Use a random salt of at least 16 bytes per user and an iteration count of at least
    /// [`MIN_ITERATIONS`]; clients of this crate refuse fewer.
    ///
    /// # Errors
    /// [`ScramError`] for an empty salt, zero iterations, or a password that SASLprep
    /// prohibits.
    pub fn derive(password: &str, salt: &[u8], iterations: u32) -> Result<Self, ScramError> {
        check_parameters(salt, iterations)?;
        let prepared = saslprep(password)?;
        let keys = Keys::derive(prepared.as_bytes(), salt, iterations);
        Ok(Self {
            salt: salt.to_vec(),
            iterations,
            stored_key: Secret::new(keys.stored_key),
            server_key: Secret::new(keys.server_key),
        })
    }

    /// Builds credentials from values the application stored earlier.
    ///
    /// # Errors
    /// [`ScramError::EmptySalt`] or [`ScramError::ZeroIterations`].
    pub fn new(
        salt: Vec<u8>,
        iterations: u32,
        stored_key: [u8; 32],
        server_key: [u8; 32],
    ) -> Result<Self, ScramError> {
        check_parameters(&salt, iterations)?;
        Ok(Self {
            salt,
            iterations,
            stored_key: Secret::new(stored_key),
            server_key: Secret::new(server_key),
        })
    }

    /// Returns the salt.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// Returns the iteration count.
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Returns `StoredKey` = H(ClientKey).
    pub const fn stored_key(&self) -> &Secret<[u8; 32]> {
        &self.stored_key
    }

    /// Returns `ServerKey` = HMAC(SaltedPassword, "Server Key").
    pub const fn server_key(&self) -> &Secret<[u8; 32]> {
        &self.server_key
    }
}

fn check_parameters(salt: &[u8], iterations: u32) -> Result<(), ScramError> {
    if salt.is_empty() {
        return Err(ScramError::EmptySalt);
    }
    if iterations == 0 {
        return Err(ScramError::ZeroIterations);
    }
    Ok(())
}

/// The keys derived from a salted password.
pub(crate) struct Keys {
    pub(crate) client_key: [u8; KEY_LEN],
    pub(crate) stored_key: [u8; KEY_LEN],
    pub(crate) server_key: [u8; KEY_LEN],
}

impl Keys {
    /// `Hi()` then the key schedule of RFC 5802 §3; `password` is already prepared.
    pub(crate) fn derive(password: &[u8], salt: &[u8], iterations: u32) -> Self {
        let mut salted = [0u8; KEY_LEN];
        // Hi() is PBKDF2 with HMAC as the PRF and dkLen the hash length (RFC 5802 §2.2).
        pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut salted);
        let client_key = hmac_sha256(&salted, &[b"Client Key"]);
        let server_key = hmac_sha256(&salted, &[b"Server Key"]);
        let stored_key: [u8; KEY_LEN] = Sha256::digest(client_key).into();
        Self {
            client_key,
            stored_key,
            server_key,
        }
    }
}

/// HMAC-SHA-256 over the concatenation of `parts`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; KEY_LEN] {
    // HMAC takes keys of any length (RFC 2104 §2): longer ones are hashed, shorter padded.
    // `new_from_slice` therefore cannot fail; the fallback only keeps the code panic-free.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else {
        return [0; KEY_LEN];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings in time that depends only on their lengths (`subtle`), so
/// that a digest or proof comparison reveals nothing about where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

/// XOR of two keys.
pub(crate) fn xor(a: &[u8; KEY_LEN], b: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

/// Why a SCRAM message was refused; the server maps these to `e=` values
/// (RFC 5802 §7 `server-error-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageError {
    /// `invalid-encoding`: the message does not follow RFC 5802 §7.
    Malformed(&'static str),
    /// `extensions-not-supported`: an `m=` attribute (RFC 5802 §5.1).
    MandatoryExtension,
    /// `channel-binding-not-supported`: gs2 flag `p=`.
    ChannelBinding,
    /// `invalid-username-encoding`: bad `=` escape, or SASLprep failed.
    UsernameEncoding,
}

/// Escapes a user name for `saslname` (RFC 5802 §5.1: "The characters ',' or '=' in
/// usernames are sent as '=2C' and '=3D' respectively").
pub fn escape_saslname(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape_saslname`].
///
/// ```abnf
/// saslname        = 1*(value-safe-char / "=2C" / "=3D")
/// ```
///
/// Returns `None` for an empty name, a NUL, or a `=` not followed by `2C` or `3D`
/// (RFC 5802 §5.1: "the server MUST fail the authentication").
pub fn unescape_saslname(escaped: &str) -> Option<String> {
    if escaped.is_empty() || escaped.contains('\0') {
        return None;
    }
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(pos) = rest.find('=') {
        let (head, tail) = rest.split_at_checked(pos)?;
        out.push_str(head);
        if let Some(after) = tail.strip_prefix("=2C") {
            out.push(',');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("=3D") {
            out.push('=');
            rest = after;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Returns `true` for SCRAM `printable` (RFC 5802 §7: `%x21-2B / %x2D-7E`).
pub(crate) fn is_printable(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

/// Returns `true` for an `attr-val` extension (RFC 5802 §7: `ALPHA "=" value`).
fn is_attr_val(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b, [name, b'=', value @ ..] if name.is_ascii_alphabetic() && !value.is_empty() && !value.contains(&0))
}

/// A parsed `client-first-message` (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientFirst {
    /// `gs2-header`, verbatim, to compare with the `c=` attribute later.
    pub(crate) gs2_header: String,
    /// The `a=` authorization identity, unescaped.
    pub(crate) authzid: Option<String>,
    /// The `n=` user name, unescaped but not SASLprepped.
    pub(crate) username: String,
    /// The client nonce.
    pub(crate) nonce: String,
    /// `client-first-message-bare`, verbatim, for the `AuthMessage`.
    pub(crate) bare: String,
}

/// Parses a `client-first-message`.
///
/// ```abnf
/// gs2-cbind-flag  = ("p=" cb-name) / "n" / "y"
/// gs2-header      = gs2-cbind-flag "," [ authzid ] ","
/// client-first-message-bare =
///                   [reserved-mext ","]
///                   username "," nonce ["," extensions]
/// client-first-message =
///                   gs2-header client-first-message-bare
/// ```
///
/// `y` is accepted: it means the client supports channel binding but believes the server
/// does not, which is true of this implementation (RFC 5802 §6); the caller fails it if the
/// application advertises a `-PLUS` mechanism.
pub(crate) fn parse_client_first(message: &[u8]) -> Result<(ClientFirst, u8), MessageError> {
    let message = core::str::from_utf8(message)
        .map_err(|_| MessageError::Malformed("client-first-message is not UTF-8"))?;
    let (flag, rest) = message
        .split_once(',')
        .ok_or(MessageError::Malformed("missing gs2-header"))?;
    let flag = match flag {
        "n" => b'n',
        "y" => b'y',
        f if f.starts_with("p=") => return Err(MessageError::ChannelBinding),
        _ => return Err(MessageError::Malformed("invalid gs2-cbind-flag")),
    };
    let (authzid, bare) = rest
        .split_once(',')
        .ok_or(MessageError::Malformed("missing gs2-header"))?;
    let authzid = match authzid {
        "" => None,
        a => {
            let escaped = a
                .strip_prefix("a=")
                .ok_or(MessageError::Malformed("invalid authzid in gs2-header"))?;
            Some(unescape_saslname(escaped).ok_or(MessageError::UsernameEncoding)?)
        }
    };
    // `bare` is a suffix of `message`, so the gs2-header is everything before it.
    let gs2_len = message.len().saturating_sub(bare.len());
    let gs2_header = message
        .get(..gs2_len)
        .ok_or(MessageError::Malformed("missing gs2-header"))?
        .to_owned();
    let mut attrs = bare.split(',');
    let first = attrs.next().unwrap_or_default();
    if first.starts_with("m=") {
        return Err(MessageError::MandatoryExtension);
    }
    let username = first
        .strip_prefix("n=")
        .ok_or(MessageError::Malformed("missing username"))?;
    let username = unescape_saslname(username).ok_or(MessageError::UsernameEncoding)?;
    let nonce = attrs
        .next()
        .and_then(|a| a.strip_prefix("r="))
        .filter(|n| is_printable(n))
        .ok_or(MessageError::Malformed("missing or invalid nonce"))?;
    if !attrs.all(is_attr_val) {
        return Err(MessageError::Malformed("invalid extension"));
    }
    Ok((
        ClientFirst {
            gs2_header,
            authzid,
            username,
            nonce: nonce.to_owned(),
            bare: bare.to_owned(),
        },
        flag,
    ))
}

/// Returns `server-first-message`:
/// `r=<client nonce><server nonce>,s=<salt>,i=<iterations>` (RFC 5802 §7).
pub(crate) fn server_first(combined_nonce: &str, credentials: &ScramCredentials) -> String {
    format!(
        "r={combined_nonce},s={},i={}",
        encode_inner(&credentials.salt),
        credentials.iterations
    )
}

/// A parsed `client-final-message`.
pub(crate) struct ClientFinal<'a> {
    pub(crate) channel_binding: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) without_proof: &'a str,
    pub(crate) proof: [u8; KEY_LEN],
}

/// Parses a `client-final-message`.
///
/// ```abnf
/// client-final-message-without-proof =
///                   channel-binding "," nonce [","
///                   extensions]
/// client-final-message =
///                   client-final-message-without-proof "," proof
/// ```
pub(crate) fn parse_client_final(message: &[u8]) -> Result<ClientFinal<'_>, MessageError> {
    let message = core::str::from_utf8(message)
        .map_err(|_| MessageError::Malformed("client-final-message is not UTF-8"))?;
    let (without_proof, proof) = message
        .rsplit_once(",p=")
        .ok_or(MessageError::Malformed("missing proof"))?;
    let proof: [u8; KEY_LEN] = decode_inner(proof.as_bytes())
        .and_then(|p| p.try_into().ok())
        .ok_or(MessageError::Malformed("invalid proof"))?;
    let mut attrs = without_proof.split(',');
    let channel_binding = attrs
        .next()
        .and_then(|a| a.strip_prefix("c="))
        .ok_or(MessageError::Malformed("missing channel-binding"))?;
    let nonce = attrs
        .next()
        .and_then(|a| a.strip_prefix("r="))
        .ok_or(MessageError::Malformed("missing nonce"))?;
    if !attrs.all(is_attr_val) {
        return Err(MessageError::Malformed("invalid extension"));
    }
    Ok(ClientFinal {
        channel_binding,
        nonce,
        without_proof,
        proof,
    })
}

/// A parsed `server-first-message`.
pub(crate) struct ServerFirst<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) salt: Vec<u8>,
    pub(crate) iterations: u32,
}

/// Parses a `server-first-message`.
///
/// ```abnf
/// server-first-message =
///                   [reserved-mext ","] nonce "," salt ","
///                   iteration-count ["," extensions]
/// posit-number = %x31-39 *DIGIT
/// ```
pub(crate) fn parse_server_first(message: &str) -> Result<ServerFirst<'_>, &'static str> {
    let mut attrs = message.split(',');
    let first = attrs.next().unwrap_or_default();
    if first.starts_with("m=") {
        return Err("server requires an unsupported mandatory extension");
    }
    let nonce = first
        .strip_prefix("r=")
        .filter(|n| is_printable(n))
        .ok_or("missing or invalid nonce")?;
    let salt = attrs
        .next()
        .and_then(|a| a.strip_prefix("s="))
        .and_then(|s| decode_inner(s.as_bytes()))
        .filter(|s| !s.is_empty())
        .ok_or("missing or invalid salt")?;
    let iterations = attrs
        .next()
        .and_then(|a| a.strip_prefix("i="))
        .filter(|i| !i.starts_with('0') && i.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|i| i.parse::<u32>().ok())
        .ok_or("missing or invalid iteration count")?;
    if !attrs.all(is_attr_val) {
        return Err("invalid extension");
    }
    Ok(ServerFirst {
        nonce,
        salt,
        iterations,
    })
}

/// A parsed `server-final-message`.
pub(crate) enum ServerFinal {
    /// `v=`: the server signature.
    Verifier(Vec<u8>),
    /// `e=`: the server's error value.
    Error(String),
}

/// Parses a `server-final-message`.
///
/// ```abnf
/// server-final-message = (server-error / verifier)
///                   ["," extensions]
/// ```
pub(crate) fn parse_server_final(message: &[u8]) -> Result<ServerFinal, &'static str> {
    let message = core::str::from_utf8(message).map_err(|_| "server-final-message is not UTF-8")?;
    let mut attrs = message.split(',');
    let first = attrs.next().unwrap_or_default();
    if !attrs.all(is_attr_val) {
        return Err("invalid extension");
    }
    if let Some(v) = first.strip_prefix("v=") {
        decode_inner(v.as_bytes())
            .map(ServerFinal::Verifier)
            .ok_or("invalid verifier")
    } else if let Some(e) = first.strip_prefix("e=") {
        Ok(ServerFinal::Error(e.to_owned()))
    } else {
        Err("missing verifier")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saslname_escaping_round_trips() {
        assert_eq!(escape_saslname("a,b=c"), "a=2Cb=3Dc");
        assert_eq!(unescape_saslname("a=2Cb=3Dc").unwrap(), "a,b=c");
        assert_eq!(unescape_saslname("a=2"), None);
        assert_eq!(unescape_saslname("a=41"), None);
        assert_eq!(unescape_saslname(""), None);
    }

    #[test]
    fn client_first_with_authzid() {
        let (cf, flag) = parse_client_first(b"n,a=ad=2Cmin,n=user,r=abc,x=ext").unwrap();
        assert_eq!(flag, b'n');
        assert_eq!(cf.gs2_header, "n,a=ad=2Cmin,");
        assert_eq!(cf.authzid.as_deref(), Some("ad,min"));
        assert_eq!(cf.username, "user");
        assert_eq!(cf.nonce, "abc");
        assert_eq!(cf.bare, "n=user,r=abc,x=ext");
    }

    #[test]
    fn client_first_rejections() {
        assert_eq!(
            parse_client_first(b"p=tls-unique,,n=user,r=abc").unwrap_err(),
            MessageError::ChannelBinding
        );
        assert_eq!(
            parse_client_first(b"n,,m=x,n=user,r=abc").unwrap_err(),
            MessageError::MandatoryExtension
        );
        assert_eq!(
            parse_client_first(b"n,,n=us=er,r=abc").unwrap_err(),
            MessageError::UsernameEncoding
        );
        assert!(parse_client_first(b"x,,n=user,r=abc").is_err());
        assert!(parse_client_first(b"n,,n=user,r=a,b").is_err());
        assert!(parse_client_first(b"n,,n=user").is_err());
    }
}

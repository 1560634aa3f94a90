//! OAUTHBEARER (RFC 7628 §3.1) and XOAUTH2 messages.
//!
//! XOAUTH2 is not an RFC; Google and Microsoft document it as
//! `"user=" user %x01 "auth=Bearer " token %x01 %x01`, with a base64 JSON error as the
//! failure challenge, answered by an empty client response.

use super::scram::{escape_saslname, unescape_saslname};
use crate::Secret;

/// The key/value separator (RFC 7628 §3.1: `kvsep = %x01`).
pub(crate) const KVSEP: u8 = 0x01;

/// A parsed OAUTHBEARER or XOAUTH2 initial response.
pub(crate) struct BearerRequest {
    /// OAUTHBEARER's gs2 `a=` authzid, or XOAUTH2's `user=`.
    pub(crate) user: Option<String>,
    /// The bearer token; empty when the client sent an empty `auth=` to ask for the error
    /// and its scope (RFC 7628 §4.3).
    pub(crate) token: Secret<String>,
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
}

/// Parses an OAUTHBEARER client response (RFC 7628 §3.1).
///
/// ```abnf
/// kvsep          = %x01
/// key            = 1*(ALPHA)
/// value          = *(VCHAR / SP / HTAB / CR / LF )
/// kvpair         = key "=" value kvsep
/// ;;gs2-header     = See RFC 5801
/// client-resp    = (gs2-header kvsep *kvpair kvsep) / kvsep
/// ```
///
/// Unknown keys are ignored, as §3.1 requires. Tolerated: a gs2 authzid field that does not
/// start with `a=` (RFC 7628 §4.4's own example sends `n,user=someuser@example.com,`) is
/// ignored. The lone-`kvsep` form is only valid after an error (§3.1) and is refused here.
pub(crate) fn parse_oauthbearer(message: &[u8]) -> Result<BearerRequest, &'static str> {
    let header_end = message
        .iter()
        .position(|&b| b == KVSEP)
        .ok_or("missing kvsep after gs2-header")?;
    let (header, pairs) = message
        .split_at_checked(header_end)
        .ok_or("missing gs2-header")?;
    let header = core::str::from_utf8(header).map_err(|_| "gs2-header is not UTF-8")?;
    let rest = header
        .strip_prefix("n,")
        .or_else(|| header.strip_prefix("y,"))
        .ok_or("gs2-header must start with n, or y,")?;
    let authzid = rest
        .strip_suffix(',')
        .ok_or("gs2-header must end with a comma")?;
    let user = match authzid.strip_prefix("a=") {
        Some(a) => Some(unescape_saslname(a).ok_or("invalid authzid")?),
        None => None,
    };
    let pairs = pairs.get(1..).unwrap_or_default();
    let mut request = parse_pairs(pairs)?;
    request.user = user;
    Ok(request)
}

/// Parses an XOAUTH2 initial response: `user=… ^A auth=Bearer … ^A ^A`.
pub(crate) fn parse_xoauth2(message: &[u8]) -> Result<BearerRequest, &'static str> {
    let request = parse_pairs(message)?;
    if request.user.as_deref().is_none_or(str::is_empty) {
        return Err("missing user");
    }
    Ok(request)
}

/// Parses `*kvpair kvsep`. A `user` key fills [`BearerRequest::user`] (XOAUTH2).
fn parse_pairs(pairs: &[u8]) -> Result<BearerRequest, &'static str> {
    let body = pairs
        .strip_suffix(&[KVSEP])
        .ok_or("client response must end with kvsep")?;
    let mut user = None;
    let mut auth = None;
    let mut host = None;
    let mut port = None;
    if !body.is_empty() {
        let body = body
            .strip_suffix(&[KVSEP])
            .ok_or("kvpair must end with kvsep")?;
        for pair in body.split(|&b| b == KVSEP) {
            let eq = pair
                .iter()
                .position(|&b| b == b'=')
                .ok_or("kvpair without '='")?;
            let (key, value) = pair.split_at_checked(eq).ok_or("kvpair without '='")?;
            let value = value.get(1..).unwrap_or_default();
            if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
                return Err("invalid key");
            }
            if !value
                .iter()
                .all(|&b| matches!(b, 0x21..=0x7e | b' ' | b'\t' | b'\r' | b'\n'))
            {
                return Err("invalid value");
            }
            // Only VCHAR, SP, HTAB, CR, LF remain: ASCII, hence UTF-8.
            let value = String::from_utf8_lossy(value).into_owned();
            match key {
                b"auth" => auth = Some(value),
                b"host" => host = Some(value),
                b"port" => {
                    port = Some(
                        value
                            .parse::<u16>()
                            .ok()
                            .filter(|_| !value.starts_with('0') && !value.starts_with('+'))
                            .ok_or("invalid port")?,
                    );
                }
                b"user" => user = Some(value),
                // RFC 7628 §3.1: "Unknown key/value pairs MUST be ignored by the server."
                _ => {}
            }
        }
    }
    let auth = auth.ok_or("missing auth")?;
    let token = if auth.is_empty() {
        String::new()
    } else {
        // RFC 7628 §4: the scheme name is case-insensitive.
        let (scheme, token) = auth
            .split_once(' ')
            .ok_or("auth must be \"Bearer <token>\"")?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err("auth must be \"Bearer <token>\"");
        }
        token.to_owned()
    };
    Ok(BearerRequest {
        user,
        token: Secret::new(token),
        host,
        port,
    })
}

/// Builds an OAUTHBEARER initial response; the caller has validated the parts.
pub(crate) fn encode_oauthbearer(
    user: &str,
    token: &str,
    host: Option<&str>,
    port: Option<u16>,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"n,");
    if !user.is_empty() {
        out.extend_from_slice(b"a=");
        out.extend_from_slice(escape_saslname(user).as_bytes());
    }
    out.push(b',');
    out.push(KVSEP);
    if let Some(host) = host {
        out.extend_from_slice(b"host=");
        out.extend_from_slice(host.as_bytes());
        out.push(KVSEP);
    }
    if let Some(port) = port {
        out.extend_from_slice(format!("port={port}").as_bytes());
        out.push(KVSEP);
    }
    out.extend_from_slice(b"auth=Bearer ");
    out.extend_from_slice(token.as_bytes());
    out.push(KVSEP);
    out.push(KVSEP);
    out
}

/// Builds an XOAUTH2 initial response.
pub(crate) fn encode_xoauth2(user: &str, token: &str) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"user=");
    out.extend_from_slice(user.as_bytes());
    out.push(KVSEP);
    out.extend_from_slice(b"auth=Bearer ");
    out.extend_from_slice(token.as_bytes());
    out.push(KVSEP);
    out.push(KVSEP);
    out
}

/// Returns `true` if `s` may appear as a kvpair value (RFC 7628 §3.1), excluding CR and LF
/// which a client has no reason to send.
pub(crate) fn is_value(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, 0x21..=0x7e | b' ' | b'\t'))
}

//! The PLAIN message (RFC 4616 §2), and the LOGIN prompts.

use crate::Secret;

/// The LOGIN mechanism's first server prompt (draft-murchison-sasl-login §2).
pub(crate) const LOGIN_USERNAME_PROMPT: &[u8] = b"Username:";
/// The LOGIN mechanism's second server prompt.
pub(crate) const LOGIN_PASSWORD_PROMPT: &[u8] = b"Password:";

/// A parsed PLAIN message.
pub(crate) struct PlainMessage {
    pub(crate) authzid: Option<String>,
    pub(crate) authcid: String,
    pub(crate) passwd: Secret<String>,
}

/// Parses a PLAIN message (RFC 4616 §2).
///
/// ```abnf
/// message   = [authzid] UTF8NUL authcid UTF8NUL passwd
/// authcid   = 1*SAFE ; MUST accept up to 255 octets
/// authzid   = 1*SAFE ; MUST accept up to 255 octets
/// passwd    = 1*SAFE ; MUST accept up to 255 octets
/// UTF8NUL   = %x00 ; UTF-8 encoded NUL character
/// SAFE      = UTF1 / UTF2 / UTF3 / UTF4
///             ;; any UTF-8 encoded Unicode character except NUL
/// ```
///
/// No length limit beyond the caller's response limit: RFC 4616 only sets a floor.
pub(crate) fn parse_plain(message: &[u8]) -> Result<PlainMessage, &'static str> {
    let mut parts = message.splitn(3, |&b| b == 0);
    let (Some(authzid), Some(authcid), Some(passwd)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("PLAIN message needs two NUL separators");
    };
    if passwd.contains(&0) {
        return Err("PLAIN message has more than two NUL separators");
    }
    let text = |b: &[u8]| core::str::from_utf8(b).map(str::to_owned);
    let authzid = text(authzid).map_err(|_| "authzid is not UTF-8")?;
    let authcid = text(authcid).map_err(|_| "authcid is not UTF-8")?;
    let passwd = text(passwd).map_err(|_| "passwd is not UTF-8")?;
    if authcid.is_empty() {
        return Err("empty authcid");
    }
    if passwd.is_empty() {
        return Err("empty passwd");
    }
    Ok(PlainMessage {
        authzid: Some(authzid).filter(|a| !a.is_empty()),
        authcid,
        passwd: Secret::new(passwd),
    })
}

/// Builds a PLAIN message; the caller has checked that no part holds a NUL.
pub(crate) fn encode_plain(authzid: Option<&str>, authcid: &str, passwd: &str) -> Vec<u8> {
    let authzid = authzid.unwrap_or_default();
    let mut out = Vec::with_capacity(
        authzid
            .len()
            .saturating_add(authcid.len())
            .saturating_add(passwd.len())
            .saturating_add(2),
    );
    out.extend_from_slice(authzid.as_bytes());
    out.push(0);
    out.extend_from_slice(authcid.as_bytes());
    out.push(0);
    out.extend_from_slice(passwd.as_bytes());
    out
}

/// Validates a LOGIN user name or password: non-empty UTF-8 without NUL.
pub(crate) fn parse_login_field(field: &[u8], what: &'static str) -> Result<String, &'static str> {
    if field.is_empty() {
        return Err(what);
    }
    match core::str::from_utf8(field) {
        Ok(s) if !s.contains('\0') => Ok(s.to_owned()),
        _ => Err(what),
    }
}

//! CRAM-MD5 (RFC 2195): the keyed digest and the response syntax.

use hmac::{Hmac, Mac};
use md5::Md5;

/// Length of an MD5 digest.
pub(crate) const DIGEST_LEN: usize = 16;

/// Returns HMAC-MD5(secret, challenge) (RFC 2195 §2, RFC 2104).
pub(crate) fn digest(secret: &[u8], challenge: &[u8]) -> [u8; DIGEST_LEN] {
    // HMAC accepts keys of any length (RFC 2104 §2); the fallback only keeps this panic-free.
    let Ok(mut mac) = <Hmac<Md5> as Mac>::new_from_slice(secret) else {
        return [0; DIGEST_LEN];
    };
    mac.update(challenge);
    mac.finalize().into_bytes().into()
}

/// Returns the client response `user SP digest`, the digest in lower-case hex (RFC 2195 §2).
pub(crate) fn response(username: &str, digest: &[u8; DIGEST_LEN]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(username.len().saturating_add(1 + 2 * DIGEST_LEN));
    out.extend_from_slice(username.as_bytes());
    out.push(b' ');
    for byte in digest {
        for nibble in [byte >> 4, byte & 0x0f] {
            out.push(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
        }
    }
    out
}

/// Parses the client response (RFC 2195 §2): the user name, a space, and 32 hex digits.
///
/// The user name is everything before the *last* space, since the digest has none.
/// Tolerated: upper-case hex digits (RFC 2195 asks for lower case).
pub(crate) fn parse_response(response: &[u8]) -> Result<(String, [u8; DIGEST_LEN]), &'static str> {
    let space = response
        .iter()
        .rposition(|&b| b == b' ')
        .ok_or("CRAM-MD5 response needs a space before the digest")?;
    let (user, hex) = response.split_at_checked(space).ok_or("missing digest")?;
    let hex = hex.get(1..).unwrap_or_default();
    if hex.len() != 2 * DIGEST_LEN {
        return Err("CRAM-MD5 digest must be 32 hex digits");
    }
    let mut digest = [0u8; DIGEST_LEN];
    for (out, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
        let [hi, lo] = pair else {
            return Err("CRAM-MD5 digest must be 32 hex digits");
        };
        *out = (hex_value(*hi).ok_or("invalid hex digit")? << 4)
            | hex_value(*lo).ok_or("invalid hex digit")?;
    }
    if user.is_empty() {
        return Err("empty user name");
    }
    let user = core::str::from_utf8(user).map_err(|_| "user name is not UTF-8")?;
    if user.contains('\0') {
        return Err("NUL in user name");
    }
    Ok((user.to_owned(), digest))
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2195_section2_example() {
        let challenge = b"<1896.697170952@postoffice.reston.mci.net>";
        let d = digest(b"tanstaaftanstaaf", challenge);
        assert_eq!(
            response("tim", &d),
            b"tim b913a602c7eda7a495b4e6e7334d3890".to_vec()
        );
        let (user, parsed) = parse_response(b"tim b913a602c7eda7a495b4e6e7334d3890").unwrap();
        assert_eq!(user, "tim");
        assert_eq!(parsed, d);
    }
}

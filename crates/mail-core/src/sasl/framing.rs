//! Base64 framing of SASL challenges and responses, as SMTP, POP3 and IMAP share it.
//!
//! All three protocols carry SASL messages as one base64 line each (RFC 4954 §4,
//! RFC 5034 §4, RFC 3501 §6.2.2 / RFC 4959): the server's challenge after SMTP `334 ` or
//! the POP3 and IMAP continuation `+ `, and the client's response on a line of its own,
//! where a lone `*` cancels the exchange. An initial response sent with the command itself uses a lone `=` for "present
//! but empty", so that it can be told apart from "absent".
//!
//! The functions here take and give the line *without* its CRLF and without the protocol's
//! prefix (`334 `, `+ `, the command and mechanism name).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Secret;

/// Where a client response appears, which decides how an empty one is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseKind {
    /// The initial response, sent as an argument of `AUTH` / `AUTHENTICATE`
    /// (RFC 4954 §4, RFC 5034 §4, RFC 4959 §3). Empty is written `=`.
    Initial,
    /// A response on its own line, answering a challenge. Empty is an empty line.
    Continuation,
}

/// A decoded client response line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientResponse {
    /// The client sent `*`: it cancels the exchange (RFC 4954 §4, RFC 5034 §4,
    /// RFC 3501 §6.2.2). The server must fail it (SMTP `501`, POP3 `-ERR`, IMAP `BAD`).
    Cancel,
    /// The decoded response; it may carry a password, so it is kept in a [`Secret`].
    Data(Secret<Vec<u8>>),
}

/// A line that is not valid SASL base64 framing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// The decoded data would exceed the caller's limit.
    #[error("decoded response longer than {limit} bytes")]
    TooLong {
        /// The limit, in decoded bytes.
        limit: usize,
    },
    /// The line is not strict base64 (RFC 4648 §4): a character outside the alphabet, a
    /// length that is not a multiple of 4, padding in the middle, or non-zero pad bits.
    #[error("invalid base64")]
    InvalidBase64,
    /// An initial response was empty; it must be `=` when it carries no data (RFC 4954 §4).
    #[error("empty initial response (an empty one is sent as \"=\")")]
    EmptyInitialResponse,
}

/// Decodes a client response line: `*` (cancel), `=` (empty) or strict base64.
///
/// ```abnf
/// ; RFC 4954 §8
/// base64          = base64-terminal /
///                   ( 1*(4base64-char) [base64-terminal] )
/// base64-char     = ALPHA / DIGIT / "+" / "/"
/// base64-terminal = (2base64-char "==") / (3base64-char "=")
/// initial-response= base64 / "="
/// cancel-response = "*"
/// ```
///
/// RFC 4954 §4: servers "MUST reject (and not ignore) any character not explicitly allowed
/// by the BASE64 alphabet", and padding anywhere but the end. `max_len` bounds the *decoded*
/// length and is checked before anything is allocated.
///
/// Tolerated: `=` on a continuation line means an empty response, as in an initial response
/// (it cannot mean anything else). An empty continuation line is an empty response.
///
/// # Errors
/// [`FramingError::TooLong`] beyond `max_len`, [`FramingError::InvalidBase64`] for anything
/// that is not strict base64 (including `*` as an initial response), and
/// [`FramingError::EmptyInitialResponse`] for an empty initial response.
pub fn decode_response(
    line: &[u8],
    kind: ResponseKind,
    max_len: usize,
) -> Result<ClientResponse, FramingError> {
    match (line, kind) {
        (b"*", ResponseKind::Continuation) => Ok(ClientResponse::Cancel),
        (b"=", _) | (b"", ResponseKind::Continuation) => {
            Ok(ClientResponse::Data(Secret::new(Vec::new())))
        }
        (b"", ResponseKind::Initial) => Err(FramingError::EmptyInitialResponse),
        _ => decode_base64(line, max_len).map(|d| ClientResponse::Data(Secret::new(d))),
    }
}

/// Decodes a server challenge line: strict base64, or empty for an empty challenge
/// (RFC 4954 §4: "a server challenge that contains no data is defined as a 334 reply with
/// no text part").
///
/// # Errors
/// [`FramingError::TooLong`] beyond `max_len`; [`FramingError::InvalidBase64`] otherwise.
/// RFC 4954 §4: a client that cannot decode a challenge "MUST cancel the authentication
/// using the `*` response".
pub fn decode_challenge(line: &[u8], max_len: usize) -> Result<Vec<u8>, FramingError> {
    if line.is_empty() {
        return Ok(Vec::new());
    }
    decode_base64(line, max_len)
}

/// Appends the base64 form of a server challenge to `out`; an empty challenge appends
/// nothing (SMTP `334 `, IMAP `+ `, POP3 `+ `).
pub fn encode_challenge(challenge: &[u8], out: &mut Vec<u8>) {
    append_base64(challenge, out);
}

/// Appends the base64 form of a client response to `out`: `=` for an empty initial
/// response (RFC 4954 §4, RFC 5034 §4, RFC 4959 §3), nothing for an empty continuation.
pub fn encode_response(response: &[u8], kind: ResponseKind, out: &mut Vec<u8>) {
    if response.is_empty() && kind == ResponseKind::Initial {
        out.push(b'=');
    } else {
        append_base64(response, out);
    }
}

/// Appends a cancellation (`*`) to `out`.
pub fn encode_cancel(out: &mut Vec<u8>) {
    out.push(b'*');
}

/// Returns the number of base64 characters that encode `decoded_len` bytes, so that a
/// protocol can size its line limit for the longest response it accepts.
pub const fn encoded_len(decoded_len: usize) -> usize {
    decoded_len.div_ceil(3).saturating_mul(4)
}

/// Appends base64 to `out` without an intermediate allocation.
fn append_base64(data: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start.saturating_add(encoded_len(data.len())), 0);
    if let Some(dst) = out.get_mut(start..) {
        // The destination has exactly the encoded length, so this cannot fail.
        let written = STANDARD.encode_slice(data, dst).unwrap_or(0);
        out.truncate(start.saturating_add(written));
    }
}

/// Strict base64 decode with a limit checked on the input length before allocating.
fn decode_base64(line: &[u8], max_len: usize) -> Result<Vec<u8>, FramingError> {
    if !line.len().is_multiple_of(4) {
        return Err(FramingError::InvalidBase64);
    }
    let padding = line.iter().rev().take(2).filter(|&&b| b == b'=').count();
    let decoded_len = (line.len() / 4).saturating_mul(3).saturating_sub(padding);
    if decoded_len > max_len {
        return Err(FramingError::TooLong { limit: max_len });
    }
    // The STANDARD engine requires canonical padding and zero trailing bits, and rejects
    // every byte outside the alphabet, as RFC 4954 §4 asks.
    STANDARD
        .decode(line)
        .map_err(|_| FramingError::InvalidBase64)
}

/// Strict base64 decode without a limit, for values inside already-bounded messages.
pub(crate) fn decode_inner(value: &[u8]) -> Option<Vec<u8>> {
    STANDARD.decode(value).ok()
}

/// Base64 encode into a new string, for values inside SCRAM messages.
pub(crate) fn encode_inner(value: &[u8]) -> String {
    STANDARD.encode(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_len_matches_encoder() {
        for n in 0..10 {
            let mut out = Vec::new();
            encode_challenge(&vec![0u8; n], &mut out);
            assert_eq!(out.len(), encoded_len(n));
        }
    }

    #[test]
    fn padding_in_the_middle_is_rejected() {
        assert_eq!(
            decode_response(b"=AAA", ResponseKind::Continuation, 100),
            Err(FramingError::InvalidBase64)
        );
        assert_eq!(
            decode_response(b"AA==AAAA", ResponseKind::Continuation, 100),
            Err(FramingError::InvalidBase64)
        );
    }
}

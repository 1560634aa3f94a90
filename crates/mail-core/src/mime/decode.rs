//! Streaming decoders of the MIME content transfer encodings (RFC 2045 §6.7, §6.8).
//!
//! Each decoder takes the encoded body in pieces of any size ([`Decoder::feed`]) and appends
//! the decoded octets to a caller's buffer, keeping only the few bytes of an unfinished
//! quantum or escape between calls, so a large attachment is never held twice. Line breaks
//! of quoted-printable text come out as CRLF (RFC 2045 §6.7 rule 4), whatever the stored
//! message used.

use thiserror::Error;

use super::grammar::hex;

/// Why an encoded body could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A byte that the encoding does not allow, at this offset of the encoded body.
    #[error("invalid {encoding} data at offset {offset}")]
    Invalid {
        /// `base64` or `quoted-printable`.
        encoding: &'static str,
        /// Offset in the encoded body.
        offset: u64,
    },
    /// The base64 data stopped in the middle of a quantum.
    #[error("base64 data ends in the middle of a quantum")]
    Truncated,
}

/// A content transfer encoding this module decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// `7bit`, `8bit` and `binary`: the body is its own content (RFC 2045 §6.2).
    Identity,
    /// `base64` (RFC 2045 §6.8).
    Base64,
    /// `quoted-printable` (RFC 2045 §6.7).
    QuotedPrintable,
}

impl Encoding {
    /// Returns the encoding a `Content-Transfer-Encoding` mechanism names (case-insensitive),
    /// or `None` for one unknown here (RFC 3516 §4.3 answers those with `[UNKNOWN-CTE]`).
    pub fn from_mechanism(name: &[u8]) -> Option<Self> {
        let lower: Vec<u8> = name.iter().map(u8::to_ascii_lowercase).collect();
        match lower.as_slice() {
            b"7bit" | b"8bit" | b"binary" => Some(Self::Identity),
            b"base64" => Some(Self::Base64),
            b"quoted-printable" => Some(Self::QuotedPrintable),
            _ => None,
        }
    }
}

/// A streaming decoder for one body.
#[derive(Debug, Clone)]
pub struct Decoder {
    encoding: Encoding,
    /// Base64: the sextets of the unfinished quantum; QP: the pending bytes of a line.
    pending: Vec<u8>,
    /// Base64: `=` padding seen (only padding and white space may follow).
    padded: usize,
    /// Offset of the next input byte in the encoded body.
    offset: u64,
    /// QP: the line so far ended with a CR that may start a CRLF.
    cr: bool,
}

/// Base64 value of an alphabet byte (RFC 2045 §6.8 Table 1).
const fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

impl Decoder {
    /// Returns a decoder for `encoding`.
    pub const fn new(encoding: Encoding) -> Self {
        Self {
            encoding,
            pending: Vec::new(),
            padded: 0,
            offset: 0,
            cr: false,
        }
    }

    /// Decodes `input`, the next piece of the body, appending to `out`.
    ///
    /// # Errors
    /// [`DecodeError::Invalid`] at the first byte the encoding does not allow.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
        match self.encoding {
            Encoding::Identity => {
                out.extend_from_slice(input);
                self.offset += input.len() as u64;
                Ok(())
            }
            Encoding::Base64 => self.feed_base64(input, out),
            Encoding::QuotedPrintable => {
                for &b in input {
                    self.qp_byte(b, out)?;
                    self.offset += 1;
                }
                Ok(())
            }
        }
    }

    /// Ends the body, flushing what is pending.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] when base64 data stops inside a quantum;
    /// [`DecodeError::Invalid`] for a quoted-printable escape cut short.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        match self.encoding {
            Encoding::Identity => Ok(()),
            Encoding::Base64 => {
                if self.pending.is_empty() {
                    Ok(())
                } else {
                    Err(DecodeError::Truncated)
                }
            }
            Encoding::QuotedPrintable => {
                if self.cr {
                    self.pending.push(b'\r');
                    self.cr = false;
                }
                self.qp_line(false, out)
            }
        }
    }

    /// Ends a decode that [`feed`](Self::feed) or [`finish`](Self::finish) stopped with an
    /// error, keeping what can be read: a base64 quantum cut short gives the octets its
    /// sextets hold (two or three sextets: one or two octets), a quoted-printable line in
    /// progress is kept as written. What readers of broken mail do, and what Dovecot
    /// searches in such a body: everything decoded before the damage, nothing after.
    pub fn finish_lenient(&mut self, out: &mut Vec<u8>) {
        match self.encoding {
            Encoding::Identity => {}
            Encoding::Base64 => {
                if self.pending.len() >= 2 {
                    self.flush_quantum(out);
                }
                self.pending.clear();
            }
            Encoding::QuotedPrintable => {
                out.append(&mut self.pending);
                if self.cr {
                    out.push(b'\r');
                    self.cr = false;
                }
            }
        }
    }

    fn feed_base64(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
        for &b in input {
            let at = self.offset;
            self.offset += 1;
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                continue;
            }
            let invalid = DecodeError::Invalid {
                encoding: "base64",
                offset: at,
            };
            if b == b'=' {
                // Padding completes a quantum of two or three sextets (RFC 2045 §6.8).
                if self.pending.len() < 2 || self.padded >= 2 {
                    return Err(invalid);
                }
                self.padded += 1;
                if self.pending.len() + self.padded == 4 {
                    self.flush_quantum(out);
                }
                continue;
            }
            let v = sextet(b).ok_or(invalid)?;
            if self.padded > 0 {
                // RFC 2045 §6.8: the padding ends the data; Dovecot refuses what follows.
                return Err(invalid);
            }
            self.pending.push(v);
            if self.pending.len() == 4 {
                self.flush_quantum(out);
            }
        }
        Ok(())
    }

    /// Writes the octets of a full (possibly padded) quantum.
    fn flush_quantum(&mut self, out: &mut Vec<u8>) {
        let s = |i: usize| u32::from(self.pending.get(i).copied().unwrap_or(0));
        let n = s(0) << 18 | s(1) << 12 | s(2) << 6 | s(3);
        let bytes = n.to_be_bytes();
        let count = self.pending.len().saturating_sub(1);
        out.extend_from_slice(bytes.get(1..1 + count).unwrap_or_default());
        self.pending.clear();
    }

    fn qp_byte(&mut self, b: u8, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        if self.cr {
            self.cr = false;
            if b == b'\n' {
                return self.qp_line(true, out);
            }
            self.pending.push(b'\r');
        }
        match b {
            b'\r' => self.cr = true,
            b'\n' => self.qp_line(true, out)?,
            _ => self.pending.push(b),
        }
        Ok(())
    }

    /// Decodes one line of quoted-printable text (RFC 2045 §6.7): trailing white space is
    /// dropped (rule 3), a final `=` is a soft line break (rule 5), `=XX` an octet (rule 1).
    fn qp_line(&mut self, line_break: bool, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        let line = core::mem::take(&mut self.pending);
        let start_offset = self.offset.saturating_sub(line.len() as u64);
        let trimmed_len = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |p| p + 1);
        let mut body = line.get(..trimmed_len).unwrap_or_default();
        let soft = body.last() == Some(&b'=');
        if soft {
            body = body.get(..body.len() - 1).unwrap_or_default();
        }
        let mut i = 0;
        while let Some(&b) = body.get(i) {
            if b == b'=' {
                let (Some(hi), Some(lo)) = (
                    body.get(i + 1).copied().and_then(hex),
                    body.get(i + 2).copied().and_then(hex),
                ) else {
                    // The rest of the line stays pending, as written, for `finish_lenient`.
                    self.pending = body.get(i..).unwrap_or_default().to_vec();
                    return Err(DecodeError::Invalid {
                        encoding: "quoted-printable",
                        offset: start_offset + i as u64,
                    });
                };
                out.push(hi << 4 | lo);
                i += 3;
            } else {
                out.push(b);
                i += 1;
            }
        }
        if line_break && !soft {
            out.extend_from_slice(b"\r\n");
        }
        self.pending = line;
        self.pending.clear();
        Ok(())
    }
}

/// Decodes a whole body at once: [`Decoder::feed`] then [`Decoder::finish`].
///
/// # Errors
/// As [`Decoder::feed`] and [`Decoder::finish`].
pub fn decode(encoding: Encoding, body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut d = Decoder::new(encoding);
    let mut out = Vec::with_capacity(body.len());
    d.feed(body, &mut out)?;
    d.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> Result<Vec<u8>, DecodeError> {
        decode(Encoding::Base64, s.as_bytes())
    }

    fn qp(s: &str) -> Result<Vec<u8>, DecodeError> {
        decode(Encoding::QuotedPrintable, s.as_bytes())
    }

    /// Feeds `s` whole, then ends leniently after any error.
    fn lenient(encoding: Encoding, s: &str) -> Vec<u8> {
        let mut d = Decoder::new(encoding);
        let mut out = Vec::new();
        if d.feed(s.as_bytes(), &mut out).is_err() || d.finish(&mut out).is_err() {
            d.finish_lenient(&mut out);
        }
        out
    }

    #[test]
    fn lenient_end_keeps_what_decoded_before_the_damage() {
        // A quantum cut short gives its octets.
        assert_eq!(lenient(Encoding::Base64, "aGVsbG8gd29ybGQ"), b"hello world");
        assert_eq!(lenient(Encoding::Base64, "aGVsbG8gd29ybA"), b"hello worl");
        // A lone sextet holds no octet.
        assert_eq!(lenient(Encoding::Base64, "aGVsb"), b"hel");
        // An invalid character or padding inside ends the data.
        assert_eq!(lenient(Encoding::Base64, "aGVsbG8*gd29y"), b"hello");
        assert_eq!(lenient(Encoding::Base64, "aGVsbG8=gd29y"), b"hello");
        // A broken quoted-printable escape keeps the line as written from there.
        assert_eq!(
            lenient(Encoding::QuotedPrintable, "caf=E9 =ZZ!"),
            b"caf\xe9 =ZZ!"
        );
        // A sound body decodes as finish() decodes it.
        assert_eq!(lenient(Encoding::Base64, "QQ=="), b"A");
    }

    #[test]
    fn base64_rfc2045() {
        assert_eq!(b64("aGVsbG8gd29ybGQK").unwrap(), b"hello world\n");
        assert_eq!(
            b64("aGVs bG8g\r\nd2 9y\tbGQK\r\n").unwrap(),
            b"hello world\n"
        );
        assert_eq!(b64("QQ==").unwrap(), b"A");
        assert_eq!(b64("QUI=").unwrap(), b"AB");
        assert_eq!(b64("").unwrap(), b"");
        assert_eq!(b64("aGVsbG8gd29ybGQ"), Err(DecodeError::Truncated));
        assert!(b64("aGVsbG8*").is_err());
        assert!(b64("====").is_err());
        assert!(b64("QQ==Qg==").is_err());
        assert!(b64("aGVsbG8=gd29ybGQK").is_err());
    }

    #[test]
    fn qp_rfc2045_rules() {
        assert_eq!(
            qp("caf=C3=A9 soft=\r\nline\r\n").unwrap(),
            "café softline\r\n".as_bytes()
        );
        assert_eq!(qp("trailing   \nend\n").unwrap(), b"trailing\r\nend\r\n");
        assert_eq!(qp("a=20\nb=\t\nc= \n").unwrap(), b"a \r\nbc");
        assert_eq!(qp("lower =c3=a9").unwrap(), "lower é".as_bytes());
        assert_eq!(qp("x=3D=\n").unwrap(), b"x=");
        assert_eq!(qp("=\n").unwrap(), b"");
        assert_eq!(qp("a\rb").unwrap(), b"a\rb");
        assert!(qp("bad =ZZ").is_err());
        assert!(qp("cut =4").is_err());
    }

    #[test]
    fn any_split_gives_the_same_octets() {
        let text = "caf=C3=A9 soft=\r\nline  \r\nx=3D=\r\n=41\r\n";
        let whole = qp(text).unwrap();
        let b = "aGVs bG8g\r\nd29ybGQK\r\nQUI=\r\n";
        let whole_b = b64(b).unwrap();
        for cut in 0..text.len() {
            let mut d = Decoder::new(Encoding::QuotedPrintable);
            let mut out = Vec::new();
            d.feed(&text.as_bytes()[..cut], &mut out).unwrap();
            d.feed(&text.as_bytes()[cut..], &mut out).unwrap();
            d.finish(&mut out).unwrap();
            assert_eq!(out, whole, "cut at {cut}");
        }
        for cut in 0..b.len() {
            let mut d = Decoder::new(Encoding::Base64);
            let mut out = Vec::new();
            d.feed(&b.as_bytes()[..cut], &mut out).unwrap();
            d.feed(&b.as_bytes()[cut..], &mut out).unwrap();
            d.finish(&mut out).unwrap();
            assert_eq!(out, whole_b, "cut at {cut}");
        }
    }
}

//! Helpers the protocol crates' transcript tests share: reading `C:`/`S:` script lines with
//! escapes, and the three ways every transcript is fed (whole, byte by byte, at random splits).
//!
//! A dev-dependency only; nothing here is published.
#![forbid(unsafe_code)]

use bytes::BytesMut;

/// How one piece of input reaches a connection (see [`Feed::deliver`]).
#[derive(Debug)]
pub enum Delivery<'a> {
    /// Hand it over with `receive(&[u8])`.
    Copy(&'a [u8]),
    /// Hand this reader buffer over with `receive_buf(&mut BytesMut)`.
    Buffer(&'a mut BytesMut),
}

impl<'a> Delivery<'a> {
    /// `piece` as a copy, or, when `by_buffer`, appended to `reader` for the connection to
    /// take over.
    pub fn of(piece: &'a [u8], reader: &'a mut BytesMut, by_buffer: bool) -> Self {
        if by_buffer {
            reader.extend_from_slice(piece);
            Self::Buffer(reader)
        } else {
            Self::Copy(piece)
        }
    }
}

/// How a transcript's input is cut before it is handed to a state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// All at once.
    Whole,
    /// One byte per call.
    ByteByByte,
    /// Pieces of 1 to 17 bytes, from this seed (a fixed LCG, so failures reproduce).
    Random(u64),
}

impl Feed {
    /// Returns the feeds every transcript runs: whole, byte by byte, and eight random
    /// splittings.
    pub fn all() -> Vec<Self> {
        let mut feeds = vec![Self::Whole, Self::ByteByByte];
        feeds.extend((1..=8).map(Self::Random));
        feeds
    }

    /// Returns the lengths of the pieces `len` bytes are cut into.
    pub fn splits(self, len: usize) -> Vec<usize> {
        match self {
            Self::Whole => vec![len],
            Self::ByteByByte => vec![1; len],
            Self::Random(mut seed) => {
                let mut out = Vec::new();
                let mut left = len;
                while left > 0 {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let n = usize::try_from((seed >> 33) % 17).unwrap_or(0) + 1;
                    let n = n.min(left);
                    out.push(n);
                    left -= n;
                }
                out
            }
        }
    }

    /// Says how `piece` reaches the connection in a run with this feed: copied in with
    /// `receive`, or (the random splittings with an even seed) appended to the run's one
    /// `reader` buffer, which is then handed over with the zero-copy `receive_buf`, so that
    /// both input paths see every transcript at random splits.
    pub fn deliver<'a>(self, piece: &'a [u8], reader: &'a mut BytesMut) -> Delivery<'a> {
        Delivery::of(
            piece,
            reader,
            matches!(self, Self::Random(seed) if seed % 2 == 0),
        )
    }

    /// Returns `bytes` cut into pieces (see [`Feed::splits`]).
    pub fn pieces(self, bytes: &[u8]) -> Vec<&[u8]> {
        let mut rest = bytes;
        let mut out = Vec::new();
        for n in self.splits(bytes.len()) {
            let (piece, tail) = rest.split_at(n.min(rest.len()));
            out.push(piece);
            rest = tail;
        }
        out
    }
}

/// An escape in a script line that [`unescape`] does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEscape(pub char);

/// Returns the bytes of a script line: `\r`, `\n`, `\0` and `\\` are escapes, the rest is
/// UTF-8 text; a trailing lone `\` stays.
///
/// # Errors
/// [`UnknownEscape`] for any other backslash escape.
pub fn try_unescape(s: &str) -> Result<Vec<u8>, UnknownEscape> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('r') => out.push(b'\r'),
                Some('n') => out.push(b'\n'),
                Some('0') => out.push(0),
                Some('\\') => out.push(b'\\'),
                Some(other) => return Err(UnknownEscape(other)),
                None => out.push(b'\\'),
            }
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Ok(out)
}

/// [`try_unescape`] for tests: a bad escape in a script is a bug in the test.
///
/// # Panics
/// On an unknown escape.
#[allow(clippy::panic)]
pub fn unescape(s: &str) -> Vec<u8> {
    try_unescape(s).unwrap_or_else(|UnknownEscape(c)| panic!("unknown escape \\{c} in a script"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feed_covers_the_input_exactly() {
        for feed in Feed::all() {
            let pieces = feed.pieces(b"hello, transcript");
            assert_eq!(pieces.concat(), b"hello, transcript");
            assert!(pieces.iter().all(|p| !p.is_empty()));
        }
        assert_eq!(Feed::ByteByByte.splits(3), vec![1, 1, 1]);
        assert_eq!(Feed::Whole.splits(0), vec![0]);
        assert_eq!(Feed::Random(3).splits(40), Feed::Random(3).splits(40));
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"a\r\nb\0\\"), b"a\r\nb\0\\");
        assert_eq!(unescape("tail\\"), b"tail\\");
        assert_eq!(try_unescape(r"\x"), Err(UnknownEscape('x')));
        assert_eq!(unescape("j\u{f6}rg"), "j\u{f6}rg".as_bytes());
    }
}

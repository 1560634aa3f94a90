//! Buffer plumbing shared by the connections: handing received bytes over without copying
//! them, and writing numbers without allocating.
//!
//! Every connection keeps the peer's unparsed bytes in a `BytesMut`. The contract's
//! `receive(&[u8])` copies into it; [`take_received`] instead moves the filled part of the
//! caller's read buffer in, so that a message body read from the socket reaches the
//! application as slices of the very buffer the socket filled.

use bytes::{BufMut, BytesMut};

/// Moves the filled part of `received` to the end of `input`, leaving `received` empty with
/// its spare capacity for the next read.
///
/// No octet is copied when `input` is empty, or when it ends where `received` starts in the
/// same allocation, which is the case when the caller reads into one buffer and hands it
/// over after every read (`read_buf`, then this): `BytesMut::split` and
/// `BytesMut::unsplit` only move pointers then. Otherwise the octets are appended.
///
/// ```
/// use bytes::{BufMut, BytesMut};
/// use mail_core::buffer::take_received;
///
/// let mut input = BytesMut::new();
/// let mut read = BytesMut::with_capacity(64);
/// read.put_slice(b"+OK ready\r\n");
/// let start = read.as_ptr();
/// take_received(&mut input, &mut read);
/// read.put_slice(b"+OK 2 320\r\n"); // the next read lands right after the first
/// take_received(&mut input, &mut read);
/// assert_eq!(&input[..], b"+OK ready\r\n+OK 2 320\r\n");
/// assert_eq!(input.as_ptr(), start); // still the reader's buffer: nothing was copied
/// assert!(read.is_empty());
/// ```
pub fn take_received(input: &mut BytesMut, received: &mut BytesMut) {
    let filled = received.split();
    if input.is_empty() {
        *input = filled;
    } else {
        input.unsplit(filled);
    }
}

/// Appends the decimal digits of `n` to a `BytesMut` or `Vec<u8>`, without allocating:
/// numbers on the wire (POP3 message numbers and sizes, IMAP numbers) are written this way.
///
/// ```
/// use bytes::BytesMut;
/// use mail_core::buffer::put_decimal;
///
/// let mut out = BytesMut::new();
/// put_decimal(&mut out, 0);
/// put_decimal(&mut out, 18_446_744_073_709_551_615);
/// assert_eq!(&out[..], b"018446744073709551615");
/// ```
pub fn put_decimal(out: &mut impl BufMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start = start.saturating_sub(1);
        if n == 0 {
            break;
        }
    }
    out.put_slice(digits.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BufMut;

    #[test]
    fn appends_after_unconsumed_input() {
        let mut input = BytesMut::from(&b"USER a"[..]);
        let mut read = BytesMut::from(&b"lice\r\n"[..]);
        take_received(&mut input, &mut read);
        assert_eq!(&input[..], b"USER alice\r\n");
        assert!(read.is_empty());
    }

    #[test]
    fn consumed_input_is_replaced_without_copy() {
        let mut input = BytesMut::from(&b"old"[..]);
        let _ = input.split_to(3);
        let mut read = BytesMut::with_capacity(16);
        read.put_slice(b"new\r\n");
        let start = read.as_ptr();
        take_received(&mut input, &mut read);
        assert_eq!(input.as_ptr(), start);
        assert_eq!(&input[..], b"new\r\n");
    }

    #[test]
    fn decimals_match_display() {
        for n in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            4_294_967_295,
            10_000_000_000,
            u64::MAX,
        ] {
            let mut out = BytesMut::new();
            put_decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }

    #[test]
    fn empty_read_changes_nothing() {
        let mut input = BytesMut::from(&b"partial"[..]);
        let mut read = BytesMut::with_capacity(8);
        take_received(&mut input, &mut read);
        assert_eq!(&input[..], b"partial");
        assert_eq!(read.capacity(), 8);
    }
}

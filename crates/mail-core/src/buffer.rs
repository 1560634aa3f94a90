//! Handing received bytes to a connection without copying them.
//!
//! Every connection keeps the peer's unparsed bytes in a `BytesMut`. The DESIGN-wide
//! `receive(&[u8])` copies into it; [`take_received`] instead moves the filled part of the
//! caller's read buffer in, so that a message body read from the socket reaches the
//! application as slices of the very buffer the socket filled.

use bytes::BytesMut;

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
    fn empty_read_changes_nothing() {
        let mut input = BytesMut::from(&b"partial"[..]);
        let mut read = BytesMut::with_capacity(8);
        take_received(&mut input, &mut read);
        assert_eq!(&input[..], b"partial");
        assert_eq!(read.capacity(), 8);
    }
}

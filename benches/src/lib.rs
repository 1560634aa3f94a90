//! Corpora shared by the criterion benches in `benches/benches/`.
//!
//! Each bench builds its input with a function from here, so that every comparison in one
//! run reads the same bytes.
#![forbid(unsafe_code)]

/// Returns a message body of at least `size` bytes made of realistic 76-character text lines,
/// with every tenth line starting with a dot so that a decoder has stuffing to undo.
///
/// The body is already dot-stuffed and ends with the `CRLF.CRLF` terminator, as it would
/// arrive after an SMTP `DATA` or a POP3 `RETR`.
pub fn stuffed_body(size: usize) -> Vec<u8> {
    const LINE: &[u8] =
        b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod te";
    let mut out = Vec::with_capacity(size + 128);
    let mut n = 0usize;
    while out.len() < size {
        if n % 10 == 9 {
            out.extend_from_slice(b"..");
        }
        out.extend_from_slice(LINE);
        out.extend_from_slice(b"\r\n");
        n += 1;
    }
    out.extend_from_slice(b".\r\n");
    out
}

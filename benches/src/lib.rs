//! Corpora shared by the criterion benches in `benches/benches/`.
//!
//! Each bench builds its input with a function from here, so that every comparison in one
//! run reads the same bytes.
#![forbid(unsafe_code)]

/// Returns a message body of at least `size` bytes of realistic 76-character text lines, one
/// line in 500 starting with a dot (quoted text, ellipses), so that a decoder has some
/// stuffing to undo.
///
/// The body is already dot-stuffed and ends with the `CRLF.CRLF` terminator, as it would
/// arrive after an SMTP `DATA` or a POP3 `RETR`.
pub fn stuffed_body(size: usize) -> Vec<u8> {
    stuffed_body_with(size, 500)
}

/// Returns a body like [`stuffed_body`] with one line in `dot_every` starting with a dot:
/// `10` gives a dot-heavy worst case where every tenth line must be un-stuffed.
pub fn stuffed_body_with(size: usize, dot_every: usize) -> Vec<u8> {
    const LINE: &[u8] =
        b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod te";
    let dot_every = dot_every.max(1);
    let mut out = Vec::with_capacity(size + 128);
    let mut n = 0usize;
    while out.len() < size {
        if n % dot_every == dot_every - 1 {
            out.extend_from_slice(b"..");
        }
        out.extend_from_slice(LINE);
        out.extend_from_slice(b"\r\n");
        n += 1;
    }
    out.extend_from_slice(b".\r\n");
    out
}

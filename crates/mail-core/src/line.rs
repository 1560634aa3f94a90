//! CRLF line framing with a length limit and an explicit bare-newline policy.
//!
//! SMTP, POP3 and IMAP commands and replies are lines ended by CRLF (RFC 5321 §2.3.8,
//! RFC 1939 §3, RFC 9051 §2.2). [`LineFramer`] splits complete lines off the front of the
//! connection's input buffer, zero-copy, enforcing a maximum length and a [`BareNewline`]
//! policy. [`is_line_safe`] and [`check_line_safe`] let encoders refuse arguments that would
//! break the framing on the other side.
//!
//! RFC 5321 §2.3.8:
//!
//! > Conforming implementations MUST NOT recognize or generate any other character or
//! > character sequence as a line terminator.
//!
//! Real peers do send bare LF, so the policy chooses between refusing it and reading it as
//! CRLF; it is never accepted silently.

use bytes::{Buf, Bytes, BytesMut};
use memchr::{memchr, memchr2, memchr3};

use crate::ParseError;

/// What to do with a "bare" LF or CR: one without the other (RFC 5321 §2.3.8).
///
/// The two choices follow Postfix's `smtpd_forbid_bare_newline` (`yes` and `normalize`).
/// There is deliberately no "accept" choice: treating a bare LF as a line end in one place
/// and as data in another is what SMTP smuggling exploits.
///
/// - In line framing ([`LineFramer`]), `Reject` makes a line ended by a bare LF an error and
///   `Normalize` reads the bare LF as CRLF. A bare CR inside a line is an error under both.
/// - In message data ([`crate::dot::DotDecoder`]), `Reject` passes the data through but
///   reports the violation when the data ends, and `Normalize` rewrites each bare LF and
///   each bare CR to CRLF. Under both, only a real `CRLF.CRLF` ends the data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum BareNewline {
    /// A bare LF or bare CR is a protocol error (Postfix `smtpd_forbid_bare_newline = yes`).
    #[default]
    Reject,
    /// A bare LF is read as CRLF; in message data a bare CR is also rewritten to CRLF
    /// (Postfix `smtpd_forbid_bare_newline = normalize`).
    Normalize,
}

/// A line that [`LineFramer`] could not deliver.
///
/// Every error consumes the offending line, so that framing continues with the next one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The line, CRLF included, is longer than the framer's limit. Its bytes are dropped,
    /// and so is the rest of it up to the next LF, however late that arrives.
    #[error("line longer than {max_len} octets")]
    TooLong {
        /// The limit that was crossed, in octets including the CRLF.
        max_len: usize,
    },
    /// The line ended with an LF not preceded by CR, and the policy is
    /// [`BareNewline::Reject`].
    #[error("line ended by a bare LF")]
    BareLf,
    /// The line contains a CR that is not followed by LF.
    #[error("bare CR at octet {offset} of the line")]
    BareCr {
        /// Offset of the first bare CR from the start of the line.
        offset: usize,
    },
}

/// Splits CRLF-terminated lines off the front of an input buffer.
///
/// A connection keeps its unread input in one `BytesMut` and alternates between line mode
/// (commands, replies) and other consumers of the same buffer (the
/// [`DotDecoder`](crate::dot::DotDecoder) after `DATA`, IMAP literals, `BDAT` chunks). The
/// framer therefore does not own the buffer: each [`next_line`](Self::next_line) call takes
/// it by `&mut` and splits at most one line off its front.
///
/// # Length limit
///
/// `max_len` counts the whole line *including* its CRLF, as RFC 5321 §4.5.3.1.4 does ("The
/// maximum total length of a command line including the command word and the `<CRLF>` is 512
/// octets"): with `max_len = 512`, a line of 510 octets plus CRLF passes and one of 511 plus
/// CRLF does not. Typical values: SMTP commands 512 (§4.5.3.1.4), SMTP replies 512
/// (§4.5.3.1.5), POP3 responses 512 (RFC 1939 §3), IMAP 8 KiB or more (RFC 2683 §3.2.1.5).
///
/// The limit is enforced on buffered input, not on complete lines: as soon as `max_len`
/// octets are buffered without an LF among them, [`LineError::TooLong`] is returned once, the
/// buffered bytes are dropped, and everything up to and including the next LF is discarded
/// silently, so a peer cannot make the buffer grow without bound. The tail of an over-long
/// line never comes out as a line: a peer cannot hide a command behind 600 octets of padding.
///
/// # Bare CR and LF
///
/// A line ended by a bare LF is an error ([`LineError::BareLf`]) under
/// [`BareNewline::Reject`] and is returned as a line under [`BareNewline::Normalize`]. A CR
/// not followed by LF inside a line is an error ([`LineError::BareCr`]) under both policies:
/// reading it as a line end would let a peer split what a CRLF-only component (a proxy, a
/// filter, the other end of a relay) sees as one line into two commands.
///
/// # Scanning
///
/// The framer remembers how much of a partial line it has already searched, so feeding a
/// long line in small pieces costs O(n), not O(n²). If something other than the framer takes
/// bytes from the buffer, call [`reset`](Self::reset) before the next `next_line`.
///
/// ```
/// use bytes::BytesMut;
/// use mail_core::line::{BareNewline, LineError, LineFramer};
///
/// let mut framer = LineFramer::new(512, BareNewline::Reject);
/// let mut buf = BytesMut::from(&b"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT"[..]);
/// assert_eq!(framer.next_line(&mut buf), Some(Ok("EHLO client.example".into())));
/// assert_eq!(framer.next_line(&mut buf), Some(Ok("MAIL FROM:<a@b.example>".into())));
/// assert_eq!(framer.next_line(&mut buf), None); // "RCPT" waits for its CRLF
/// buf.extend_from_slice(b" TO:<c@d.example>\n");
/// assert_eq!(framer.next_line(&mut buf), Some(Err(LineError::BareLf)));
/// assert!(buf.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineFramer {
    max_len: usize,
    policy: BareNewline,
    /// Octets at the front of the buffer already searched for an LF (none found).
    scanned: usize,
    /// Dropping the rest of an over-long line up to its LF.
    discarding: bool,
}

impl LineFramer {
    /// Returns a framer for lines of at most `max_len` octets including the CRLF.
    ///
    /// A `max_len` below 2 leaves no room for a CRLF: every non-empty input is then
    /// [`LineError::TooLong`].
    pub const fn new(max_len: usize, policy: BareNewline) -> Self {
        Self {
            max_len,
            policy,
            scanned: 0,
            discarding: false,
        }
    }

    /// Returns the next complete line from the front of `buf`, without its terminator.
    ///
    /// The line is split off `buf` (`split_to(..).freeze()`), so it shares `buf`'s
    /// allocation and the rest of `buf` is left for the next call or another consumer.
    /// Returns `None` when `buf` holds no complete line yet; call again after appending
    /// input.
    ///
    /// # Errors
    ///
    /// - [`LineError::TooLong`] once per over-long line (see the type's docs).
    /// - [`LineError::BareLf`] for a line ended by a bare LF under [`BareNewline::Reject`].
    /// - [`LineError::BareCr`] for a line containing a CR not followed by LF.
    ///
    /// The offending line is consumed in every case.
    pub fn next_line(&mut self, buf: &mut BytesMut) -> Option<Result<Bytes, LineError>> {
        Some(self.find_line(buf)?.map(|(len, total)| {
            let mut line = buf.split_to(total);
            // Truncating the BytesMut is a length change; on the frozen Bytes it is a call.
            line.truncate(len);
            line.freeze()
        }))
    }

    /// Like [`next_line`](Self::next_line), but lends the line to `read` instead of splitting
    /// it off as `Bytes`, then drops it from `buf`; returns what `read` returned.
    ///
    /// For a parser that copies what it keeps (an SMTP command, a POP3 command), this saves
    /// the reference counting of a `Bytes` per line: the line is only ever a slice of `buf`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mail_core::line::{BareNewline, LineFramer};
    ///
    /// let mut framer = LineFramer::new(512, BareNewline::Reject);
    /// let mut buf = BytesMut::from(&b"NOOP\r\nQUIT\r\n"[..]);
    /// assert_eq!(framer.next_line_with(&mut buf, |line| line.len()), Some(Ok(4)));
    /// assert_eq!(&buf[..], b"QUIT\r\n");
    /// ```
    ///
    /// # Errors
    /// As [`next_line`](Self::next_line); `read` is not called then.
    #[inline]
    pub fn next_line_with<T>(
        &mut self,
        buf: &mut BytesMut,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Option<Result<T, LineError>> {
        // The usual case first, inline: a whole CRLF line at the front of a buffer that was
        // not searched before.
        if !self.discarding
            && self.scanned == 0
            && let Some(cr) = crlf_line(buf, buf.len().min(self.max_len))
        {
            let value = read(buf.get(..cr).unwrap_or_default());
            buf.advance(cr.saturating_add(2));
            return Some(Ok(value));
        }
        match self.find_line(buf)? {
            Ok((len, total)) => {
                let value = read(buf.get(..len).unwrap_or_default());
                buf.advance(total);
                Some(Ok(value))
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// Finds the next complete line at the front of `buf` and returns its length without
    /// the terminator and with it, consuming nothing; or consumes an offending line and
    /// returns its error.
    fn find_line(&mut self, buf: &mut BytesMut) -> Option<Result<(usize, usize), LineError>> {
        if self.discarding {
            // The rest of an over-long line: drop it without ever reporting it as a line.
            match memchr(b'\n', buf) {
                Some(lf) => {
                    buf.advance(lf.saturating_add(1));
                    self.discarding = false;
                    self.scanned = 0;
                }
                None => {
                    buf.clear();
                    return None;
                }
            }
        }
        if buf.is_empty() {
            return None;
        }
        // An LF at index i makes a line of i + 1 octets, so only the first max_len octets can
        // hold the end of an acceptable line.
        let window = buf.len().min(self.max_len);
        if self.scanned == 0
            && let Some(cr) = crlf_line(buf, window)
        {
            return Some(Ok((cr, cr.saturating_add(2))));
        }
        let start = self.scanned.min(window);
        let found = buf
            .get(start..window)
            .and_then(|w| memchr(b'\n', w))
            .map(|i| i.saturating_add(start));
        match found {
            Some(lf) => {
                self.scanned = 0;
                Some(self.check_line(buf, lf))
            }
            None if buf.len() >= self.max_len => {
                self.scanned = 0;
                match buf.get(window..).and_then(|rest| memchr(b'\n', rest)) {
                    Some(lf) => buf.advance(window.saturating_add(lf).saturating_add(1)),
                    None => {
                        buf.clear();
                        self.discarding = true;
                    }
                }
                Some(Err(LineError::TooLong {
                    max_len: self.max_len,
                }))
            }
            None => {
                self.scanned = window;
                None
            }
        }
    }

    /// Checks the newlines of the line ending with the LF at `lf`: returns its length without
    /// and with the terminator, or consumes it and returns its error.
    fn check_line(&self, buf: &mut BytesMut, lf: usize) -> Result<(usize, usize), LineError> {
        let total = lf.saturating_add(1);
        let error = match lf.checked_sub(1) {
            Some(cr) if buf.get(cr) == Some(&b'\r') => {
                // RFC 5321 §2.3.8: a CR is only ever part of CRLF.
                match buf.get(..cr).and_then(|line| memchr(b'\r', line)) {
                    None => return Ok((cr, total)),
                    Some(offset) => LineError::BareCr { offset },
                }
            }
            _ if self.policy == BareNewline::Reject => LineError::BareLf,
            _ => match buf.get(..lf).and_then(|line| memchr(b'\r', line)) {
                None => return Ok((lf, total)),
                Some(offset) => LineError::BareCr { offset },
            },
        };
        buf.advance(total);
        Err(error)
    }

    /// Forgets any partial-line state: the scan offset and the discarding of an over-long
    /// line's tail.
    ///
    /// Call it when bytes were taken from the buffer by something other than
    /// [`next_line`](Self::next_line): a dot decoder, an IMAP literal, a `BDAT` chunk, or the
    /// purge of plaintext input at a STARTTLS upgrade (RFC 3207 §4.2).
    pub const fn reset(&mut self) {
        self.scanned = 0;
        self.discarding = false;
    }

    /// Returns whether the framer is dropping the tail of an over-long line, i.e. the input
    /// is not at a line start.
    pub const fn is_discarding(&self) -> bool {
        self.discarding
    }

    /// Returns the maximum line length, in octets including the CRLF.
    pub const fn max_len(&self) -> usize {
        self.max_len
    }

    /// Sets the maximum line length, in octets including the CRLF, for the lines that
    /// follow (for example once an extension has raised it).
    pub const fn set_max_len(&mut self, max_len: usize) {
        self.max_len = max_len;
    }

    /// Returns the bare-newline policy.
    pub const fn policy(&self) -> BareNewline {
        self.policy
    }

    /// Sets the bare-newline policy for the lines that follow.
    pub const fn set_policy(&mut self, policy: BareNewline) {
        self.policy = policy;
    }
}

/// The common case in one scan: the first CR or LF in `buf[..window]` is the CR of a CRLF.
/// Returns that CR's index (the line's length), or `None` for every other case, which the
/// general path then handles.
#[inline(always)]
fn crlf_line(buf: &[u8], window: usize) -> Option<usize> {
    let window = buf.get(..window)?;
    let cr = first_cr_or_lf(window)?;
    let lf = cr.checked_add(1).filter(|&lf| lf < window.len())?;
    // No CR or LF before `cr`, so the line holds no bare CR.
    (window.get(cr) == Some(&b'\r') && window.get(lf) == Some(&b'\n')).then_some(cr)
}

/// How far [`first_cr_or_lf`] looks a word at a time before it calls `memchr2`: command
/// and reply lines are short, and for them the words cost less than the call's set-up.
const SHORT_LINE: usize = 64;

/// Returns the index of the first CR or LF in `window`.
#[inline(always)]
fn first_cr_or_lf(window: &[u8]) -> Option<usize> {
    const LO: u64 = u64::from_le_bytes([0x01; 8]);
    const HI: u64 = u64::from_le_bytes([0x80; 8]);
    // One test for both: marks the octets below 0x0E, the lowest of them exactly (a borrow
    // only ever spreads upwards), and CR (0x0D) and LF (0x0A) are among them.
    let low = |w: u64| w.wrapping_sub(LO * 0x0E) & !w & HI;
    // The lowest marked octet of the word at `at`, if CR or LF, is the answer; another
    // control octet (a TAB, a NUL) may come before it, and the search goes on from there.
    let found = |at: usize, marks: u64| {
        let i = at + (marks.trailing_zeros() / 8) as usize;
        match window.get(i) {
            Some(b'\r' | b'\n') => Some(i),
            _ => first_cr_or_lf_from(window, i),
        }
    };
    let mut at = 0;
    while let Some(word) = window.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let marks = low(u64::from_le_bytes(*word));
        if marks != 0 {
            return found(at, marks);
        }
        at += 8;
        if at >= SHORT_LINE {
            return first_cr_or_lf_from(window, at);
        }
    }
    // Fewer than eight octets left: the last eight, which overlap octets already found to
    // be no control octet, or one by one in a window shorter than a word.
    if at >= window.len() {
        return None;
    }
    match window.last_chunk::<8>() {
        Some(word) => {
            let marks = low(u64::from_le_bytes(*word));
            (marks != 0).then(|| found(window.len() - 8, marks))?
        }
        None => window.iter().position(|&b| b == b'\r' || b == b'\n'),
    }
}

/// The index of the first CR or LF in `window` from `at` on: [`first_cr_or_lf`] past its
/// words, out of line so that the word loop stays small enough to inline.
#[cold]
#[inline(never)]
fn first_cr_or_lf_from(window: &[u8], at: usize) -> Option<usize> {
    memchr2(b'\r', b'\n', window.get(at..)?).map(|i| i + at)
}

/// Returns whether `arg` can be placed in a protocol line: it contains no CR, LF or NUL.
///
/// Every encoder checks the free-form parts it writes (reply text, arguments, mailbox names)
/// with this or [`check_line_safe`], so that no value can inject a second command or reply
/// (RFC 5321 §2.3.8; RFC 9051 §4.3 forbids NUL, CR and LF outside literals).
///
/// ```
/// use mail_core::line::is_line_safe;
/// assert!(is_line_safe(b"Hello, world"));
/// assert!(!is_line_safe(b"x\r\nRCPT TO:<victim@example.net>"));
/// assert!(!is_line_safe(b"nul\0"));
/// ```
pub fn is_line_safe(arg: &[u8]) -> bool {
    memchr3(b'\r', b'\n', 0, arg).is_none()
}

/// Checks that `arg` contains no CR, LF or NUL, like [`is_line_safe`], and says where.
///
/// # Errors
///
/// [`ParseError`] at the offset of the first CR, LF or NUL.
pub fn check_line_safe(arg: &[u8]) -> Result<(), ParseError> {
    match memchr3(b'\r', b'\n', 0, arg) {
        Some(offset) => Err(ParseError::new(offset, "octet other than CR, LF or NUL")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_cr_or_lf_agrees_with_memchr2_at_every_offset() {
        // Every position of a CR or LF before, at and after the word-at-a-time limit, with
        // bytes around it that differ from CR and LF by one bit (0x0C, 0x0B, 0x8D, 0x8A), and
        // other octets below 0x0E (NUL, TAB) that the word test stops at before the CR or LF.
        for len in 0..SHORT_LINE + 20 {
            for at in 0..=len {
                for stop in [b'\r', b'\n'] {
                    let mut w: Vec<u8> = (0..len)
                        .map(|i| [b'a', 0x0c, 0x0b, 0x8d, 0x8a, 0x00, 0xff, b'\t', 0x0e][i % 9])
                        .collect();
                    if at < len {
                        w[at] = stop;
                    }
                    assert_eq!(first_cr_or_lf(&w), memchr2(b'\r', b'\n', &w), "{len} {at}");
                    if at + 1 < len {
                        w[at + 1] = b'\r';
                        assert_eq!(first_cr_or_lf(&w), memchr2(b'\r', b'\n', &w), "{len} {at}");
                    }
                }
            }
        }
    }

    /// Runs the framer over `chunks` fed one after the other, draining after each.
    fn frame(
        max_len: usize,
        policy: BareNewline,
        chunks: &[&[u8]],
    ) -> (Vec<Result<Bytes, LineError>>, BytesMut) {
        let mut framer = LineFramer::new(max_len, policy);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for chunk in chunks {
            buf.extend_from_slice(chunk);
            while let Some(item) = framer.next_line(&mut buf) {
                out.push(item);
            }
        }
        (out, buf)
    }

    fn frame_bytewise(
        max_len: usize,
        policy: BareNewline,
        input: &[u8],
    ) -> (Vec<Result<Bytes, LineError>>, BytesMut) {
        let chunks: Vec<&[u8]> = input.chunks(1).collect();
        frame(max_len, policy, &chunks)
    }

    fn ok(s: &str) -> Result<Bytes, LineError> {
        Ok(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn rfc5321_appendix_d1_client_lines() {
        let input =
            b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\nDATA\r\n";
        let expected = vec![
            ok("EHLO bar.com"),
            ok("MAIL FROM:<Smith@bar.com>"),
            ok("RCPT TO:<Jones@foo.com>"),
            ok("DATA"),
        ];
        for policy in [BareNewline::Reject, BareNewline::Normalize] {
            let (lines, rest) = frame(512, policy, &[input]);
            assert_eq!(lines, expected);
            assert!(rest.is_empty());
            let (lines, rest) = frame_bytewise(512, policy, input);
            assert_eq!(lines, expected);
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn empty_line_and_partial_line() {
        let (lines, rest) = frame(512, BareNewline::Reject, &[b"\r\nQUIT"]);
        assert_eq!(lines, vec![ok("")]);
        assert_eq!(&rest[..], b"QUIT");
    }

    #[test]
    fn lines_are_zero_copy_slices_of_the_buffer() {
        let mut buf = BytesMut::from(&b"NOOP\r\nQUIT\r\n"[..]);
        let base = buf.as_ptr() as usize;
        let mut framer = LineFramer::new(512, BareNewline::Reject);
        let first = framer.next_line(&mut buf).unwrap().unwrap();
        let second = framer.next_line(&mut buf).unwrap().unwrap();
        assert_eq!(first.as_ptr() as usize, base);
        assert_eq!(second.as_ptr() as usize, base + 6);
    }

    #[test]
    fn bare_lf_rejected_or_normalized() {
        let input = b"NOOP\nQUIT\r\n";
        let (lines, _) = frame(512, BareNewline::Reject, &[input]);
        assert_eq!(lines, vec![Err(LineError::BareLf), ok("QUIT")]);
        let (lines, _) = frame(512, BareNewline::Normalize, &[input]);
        assert_eq!(lines, vec![ok("NOOP"), ok("QUIT")]);
        let (lines, _) = frame(512, BareNewline::Normalize, &[b"\n"]);
        assert_eq!(lines, vec![ok("")]);
    }

    #[test]
    fn bare_cr_is_an_error_under_both_policies() {
        for policy in [BareNewline::Reject, BareNewline::Normalize] {
            // "\r" must not split one line into two commands.
            let input = b"MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\nNOOP\r\n";
            let (lines, _) = frame(512, policy, &[input]);
            assert_eq!(
                lines,
                vec![Err(LineError::BareCr { offset: 15 }), ok("NOOP")]
            );
            let (lines, _) = frame_bytewise(512, policy, input);
            assert_eq!(
                lines,
                vec![Err(LineError::BareCr { offset: 15 }), ok("NOOP")]
            );
            // CR CR LF: the first CR is bare.
            let (lines, _) = frame(512, policy, &[b"NOOP\r\r\n"]);
            assert_eq!(lines, vec![Err(LineError::BareCr { offset: 4 })]);
        }
        // A bare CR on a line that also ends with a bare LF, under Normalize.
        let (lines, _) = frame(512, BareNewline::Normalize, &[b"a\rb\n"]);
        assert_eq!(lines, vec![Err(LineError::BareCr { offset: 1 })]);
    }

    #[test]
    fn over_long_line_tail_never_becomes_a_line() {
        let mut input = vec![b'A'; 600];
        input.extend_from_slice(b"RSET\r\nNOOP\r\n");
        let expected = vec![Err(LineError::TooLong { max_len: 512 }), ok("NOOP")];
        for policy in [BareNewline::Reject, BareNewline::Normalize] {
            let (lines, rest) = frame(512, policy, &[&input]);
            assert_eq!(lines, expected);
            assert!(rest.is_empty());
            let (lines, rest) = frame_bytewise(512, policy, &input);
            assert_eq!(lines, expected);
            assert!(rest.is_empty());
            let (lines, _) = frame(
                512,
                policy,
                &[&input[..300], &input[300..610], &input[610..]],
            );
            assert_eq!(lines, expected);
        }
    }

    #[test]
    fn over_long_line_reported_before_its_lf_arrives() {
        let mut framer = LineFramer::new(16, BareNewline::Reject);
        let mut buf = BytesMut::from(&[b'x'; 15][..]);
        assert_eq!(framer.next_line(&mut buf), None);
        buf.extend_from_slice(b"x");
        assert_eq!(
            framer.next_line(&mut buf),
            Some(Err(LineError::TooLong { max_len: 16 }))
        );
        assert!(buf.is_empty());
        assert!(framer.is_discarding());
        // The buffer stays empty however much of the tail arrives.
        buf.extend_from_slice(&[b'y'; 1000]);
        assert_eq!(framer.next_line(&mut buf), None);
        assert!(buf.is_empty());
        buf.extend_from_slice(b"yy\r\nQUIT\r\n");
        assert_eq!(framer.next_line(&mut buf), Some(ok("QUIT")));
        assert!(!framer.is_discarding());
    }

    #[test]
    fn limit_counts_the_crlf() {
        // 510 octets + CRLF = 512: at the limit, accepted.
        let mut at = vec![b'a'; 510];
        at.extend_from_slice(b"\r\n");
        let (lines, _) = frame(512, BareNewline::Reject, &[&at]);
        assert_eq!(lines, vec![Ok(Bytes::from(vec![b'a'; 510]))]);
        let (lines, _) = frame_bytewise(512, BareNewline::Reject, &at);
        assert_eq!(lines, vec![Ok(Bytes::from(vec![b'a'; 510]))]);
        // 509 + CRLF: one under.
        let (lines, _) = frame(512, BareNewline::Reject, &[&at[1..]]);
        assert_eq!(lines, vec![Ok(Bytes::from(vec![b'a'; 509]))]);
        // 511 + CRLF = 513: one over.
        let mut over = vec![b'a'; 511];
        over.extend_from_slice(b"\r\nNOOP\r\n");
        let expected = vec![Err(LineError::TooLong { max_len: 512 }), ok("NOOP")];
        assert_eq!(frame(512, BareNewline::Reject, &[&over]).0, expected);
        assert_eq!(frame_bytewise(512, BareNewline::Reject, &over).0, expected);
        // A bare-LF line under Normalize counts its octets as received.
        let mut lf_at = vec![b'a'; 511];
        lf_at.push(b'\n');
        let (lines, _) = frame(512, BareNewline::Normalize, &[&lf_at]);
        assert_eq!(lines, vec![Ok(Bytes::from(vec![b'a'; 511]))]);
    }

    #[test]
    fn partial_line_is_not_rescanned() {
        let mut framer = LineFramer::new(1000, BareNewline::Reject);
        let mut buf = BytesMut::from(&b"abc"[..]);
        assert_eq!(framer.next_line(&mut buf), None);
        assert_eq!(framer.scanned, 3);
        buf.extend_from_slice(b"def");
        assert_eq!(framer.next_line(&mut buf), None);
        assert_eq!(framer.scanned, 6);
        buf.extend_from_slice(b"\r\n");
        assert_eq!(framer.next_line(&mut buf), Some(ok("abcdef")));
        assert_eq!(framer.scanned, 0);
    }

    #[test]
    fn reset_after_another_consumer_took_bytes() {
        let mut framer = LineFramer::new(16, BareNewline::Reject);
        let mut buf = BytesMut::from(&[b'z'; 20][..]);
        assert!(matches!(
            framer.next_line(&mut buf),
            Some(Err(LineError::TooLong { .. }))
        ));
        assert!(framer.is_discarding());
        // STARTTLS-style purge: the new session starts at a line start.
        framer.reset();
        buf.extend_from_slice(b"EHLO x\r\n");
        assert_eq!(framer.next_line(&mut buf), Some(ok("EHLO x")));
    }

    #[test]
    fn setters_and_tiny_limits() {
        let mut framer = LineFramer::new(2, BareNewline::Reject);
        let mut buf = BytesMut::from(&b"\r\nx\r\n"[..]);
        assert_eq!(framer.next_line(&mut buf), Some(ok("")));
        assert_eq!(
            framer.next_line(&mut buf),
            Some(Err(LineError::TooLong { max_len: 2 }))
        );
        framer.set_max_len(0);
        framer.set_policy(BareNewline::Normalize);
        assert_eq!(framer.max_len(), 0);
        assert_eq!(framer.policy(), BareNewline::Normalize);
        let mut buf = BytesMut::from(&b"\n"[..]);
        assert_eq!(
            framer.next_line(&mut buf),
            Some(Err(LineError::TooLong { max_len: 0 }))
        );
        assert!(buf.is_empty());
        assert_eq!(framer.next_line(&mut buf), None);
    }

    #[test]
    fn line_safety() {
        assert!(is_line_safe(b""));
        assert!(is_line_safe("UTF-8 ✓ and \t tabs".as_bytes()));
        assert!(!is_line_safe(b"a\rb"));
        assert!(!is_line_safe(b"a\nb"));
        assert_eq!(check_line_safe(b"ok"), Ok(()));
        assert_eq!(
            check_line_safe(b"abc\0"),
            Err(ParseError::new(3, "octet other than CR, LF or NUL"))
        );
    }

    #[test]
    fn error_messages_are_lowercase() {
        assert_eq!(
            LineError::TooLong { max_len: 512 }.to_string(),
            "line longer than 512 octets"
        );
        assert_eq!(LineError::BareLf.to_string(), "line ended by a bare LF");
    }
}

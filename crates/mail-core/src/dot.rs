//! Dot-stuffing: the transparency procedure of SMTP `DATA` and POP3 multi-line responses.
//!
//! RFC 5321 §4.5.2 and RFC 1939 §3 send a message, or any multi-line response, as lines
//! ended by `<CRLF>.<CRLF>`; a line of the content that starts with `.` gets one more `.` in
//! front. [`DotEncoder`] turns content into that wire form, [`DotDecoder`] turns it back and
//! finds the end, both streaming and without buffering the whole message.
//!
//! RFC 5321 §4.5.2:
//!
//! > Before sending a line of mail text, the SMTP client checks the first character of the
//! > line. If it is a period, one additional period is inserted at the beginning of the line.
//! >
//! > When a line of mail text is received by the SMTP server, it checks the line. If the line
//! > is composed of a single period, it is treated as the end of mail indicator. If the first
//! > character is a period and there are other characters on the line, the first character
//! > is deleted.
//!
//! Only the five octets `CRLF . CRLF` end the data. Every other spelling of the end (`LF . LF`,
//! `CR . CR`, `CRLF . LF`, …) is content, whatever the [`BareNewline`] policy: a receiver that
//! ends the data at a spelling that another hop reads as content lets a sender smuggle a
//! second message through (SMTP smuggling, 2023).

use bytes::{Buf, BufMut, Bytes, BytesMut};
use memchr::memchr2;

pub use crate::line::BareNewline;

/// A bare CR or LF that the [`DotDecoder`] found under [`BareNewline::Reject`].
///
/// Offsets count octets of the dot-stuffed data as received, from the first octet after the
/// line that started it (the `DATA` command or the `+OK` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DotError {
    /// An LF not preceded by CR (RFC 5321 §2.3.8).
    #[error("bare LF in message data at octet {offset}")]
    BareLf {
        /// Offset of the LF.
        offset: u64,
    },
    /// A CR not followed by LF (RFC 5321 §2.3.8).
    #[error("bare CR in message data at octet {offset}")]
    BareCr {
        /// Offset of the CR.
        offset: u64,
    },
}

/// What [`DotDecoder::decode`] found next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DotEvent {
    /// Un-stuffed content, in order. Concatenating every `Data` gives the message (or the
    /// multi-line response body) with its final CRLF.
    Data(Bytes),
    /// The `CRLF.CRLF` terminator was consumed; input after it is left in the buffer.
    ///
    /// Under [`BareNewline::Reject`], `Err` carries the first bare CR or LF of the data: the
    /// data was framed correctly but must be refused (Postfix answers
    /// `521 5.5.2 Error: bare <LF> received`). Under [`BareNewline::Normalize`] it is always
    /// `Ok`.
    End(Result<(), DotError>),
}

/// Where the decoder is in the line structure of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum State {
    /// At the first octet of a line. `after_crlf` is false when the previous line ended with
    /// a bare CR or LF: such a line start can never begin the terminator.
    LineStart { after_crlf: bool },
    /// Inside a line.
    Mid,
    /// The terminator has been consumed.
    Done,
}

/// What to do at the point where the scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The rest of the buffer (at most `.`, `.CR` or `CR`) cannot be classified yet.
    Wait,
    /// A `..` at a line start: drop the first dot.
    Unstuff,
    /// A bare CR or LF to replace with CRLF ([`BareNewline::Normalize`]).
    Newline,
    /// `.CRLF` after a real CRLF: the end of the data.
    End,
}

/// Octets checked at a time by the decoder's fast path.
const BLOCK: usize = 64;

/// Octets checked at a time before single blocks are looked at.
const SPAN: usize = 2 * BLOCK;

/// The first `N` octets of `data`, and the `N` that start one and two octets later: each
/// octet with its two successors, as [`is_irregular`] takes them. `None` when `data` is
/// shorter than `N + 2`.
fn with_successors<const N: usize>(data: &[u8]) -> Option<(&[u8; N], &[u8; N], &[u8; N])> {
    Some((
        data.first_chunk()?,
        data.get(1..)?.first_chunk()?,
        data.get(2..)?.first_chunk()?,
    ))
}

/// Returns whether the octet `c`, followed by `n` and then `nn`, needs the line scan: a CR
/// not followed by LF, an LF not preceded by CR (seen at the octet before it), or a CRLF
/// followed by a dot.
///
/// The dot is looked for two octets after the CR rather than one after the LF: where the
/// first half holds, a CR is followed by its LF anyway, and each octet is then compared
/// against one constant only, which spares a register copy per compare in SSE2 code.
const fn is_irregular(c: u8, n: u8, nn: u8) -> bool {
    let cr = c == b'\r';
    (cr != (n == b'\n')) | (cr & (nn == b'.'))
}

/// Returns whether any octet `octets[i]`, followed by `next[i]` and `after[i]`, is
/// irregular (see [`is_irregular`]).
///
/// Written as a branch-free fold over fixed-size arrays so that it compiles to a few SIMD
/// compares per 16 octets.
fn any_irregular<const N: usize>((octets, next, after): (&[u8; N], &[u8; N], &[u8; N])) -> bool {
    let bad = octets
        .iter()
        .zip(next)
        .zip(after)
        .fold(0u8, |bad, ((&c, &n), &nn)| {
            bad | u8::from(is_irregular(c, n, nn))
        });
    bad != 0
}

/// Returns the index of the first irregular octet of a block (given with its successors,
/// see [`with_successors`]), or `None` if the block holds only text and CRLF pairs with no
/// line starting with a dot, and so passes through the decoder unchanged.
fn first_irregular(block: (&[u8; BLOCK], &[u8; BLOCK], &[u8; BLOCK])) -> Option<usize> {
    if !any_irregular(block) {
        return None;
    }
    let (octets, next, after) = block;
    // One flag octet per position, computed with SIMD compares, read back eight at a time:
    // the first non-zero octet of the first non-zero word is the first irregular octet.
    let mut flags = [0u8; BLOCK];
    for (((flag, &c), &n), &nn) in flags.iter_mut().zip(octets).zip(next).zip(after) {
        *flag = u8::from(is_irregular(c, n, nn));
    }
    flags.chunks_exact(8).enumerate().find_map(|(k, word)| {
        let word = u64::from_le_bytes(word.try_into().ok()?);
        (word != 0).then(|| k * 8 + (word.trailing_zeros() / 8) as usize)
    })
}

/// Returns the length of the prefix of `data` that a codec can pass through unchanged:
/// text and CRLF pairs with no line starting with a dot. Only whole [`BLOCK`]s are checked,
/// so up to `BLOCK + 1` octets at the end are left to the line scan, and 0 is returned when
/// `data` starts with CR or LF (whose context the caller knows).
///
/// If the prefix ends right after a CR, the LF that follows it is next in `data`; if it
/// ends right after an LF, that LF ends a CRLF and the next octet is not a dot. A line that
/// starts with a dot stops the prefix before the CRLF that ends the line before it.
///
/// This is what makes the codecs run at close to memory speed: most of a message is lines
/// ended by CRLF that do not start with a dot, and checking that for 64 octets at a time
/// compiles to a few vector instructions instead of a search per line. In a block that
/// does hold something, the octets before it are included too, so the line scan only ever
/// starts right at the stuffed dot or bare newline.
fn plain_prefix_len(data: &[u8]) -> usize {
    if matches!(data.first(), None | Some(b'\r' | b'\n')) {
        return 0;
    }
    let mut end = 0usize;
    // Long stretches of plain lines are checked a span at a time, with one reduction per
    // span; the span that holds something is then searched block by block.
    while let Some(span) = data.get(end..).and_then(with_successors::<SPAN>) {
        if any_irregular(span) {
            break;
        }
        end = end.saturating_add(SPAN);
    }
    while let Some(block) = data.get(end..).and_then(with_successors::<BLOCK>) {
        if let Some(i) = first_irregular(block) {
            return end.saturating_add(i);
        }
        end = end.saturating_add(BLOCK);
    }
    end
}

/// Streaming decoder of dot-stuffed data (RFC 5321 §4.5.2, RFC 1939 §3).
///
/// Create one when the data starts (after the `354` reply to `DATA`, or after the `+OK` line
/// of a POP3 multi-line response; the data starts at a line start) and call
/// [`decode`](Self::decode) with the connection's input buffer until it returns `None` (more
/// input needed) or [`DotEvent::End`].
///
/// - Content comes out as [`DotEvent::Data`] chunks as soon as it arrives; the whole message
///   is never buffered. Chunks are zero-copy slices of the input (`split_to(..).freeze()`):
///   a chunk ends where a stuffed dot is dropped or where a bare newline is rewritten, or at
///   the end of the input. At most two octets (`.CR` at a line start, or a CR) are kept in
///   the buffer until the next octet says what they are.
/// - The data ends only at `CRLF.CRLF`; the data starts at a line start, so `.CRLF` as the
///   first line is an empty message. The CRLF before the final dot belongs to the content:
///   `body CRLF . CRLF` decodes to `body CRLF`. Whatever follows the terminator (pipelined
///   commands) stays in the buffer, and the framer reading it needs no
///   [`reset`](crate::line::LineFramer::reset) as long as it was not inside a partial line.
/// - A line starting with `..` loses its first dot.
/// - **Tolerance**: a line starting with a `.` followed by anything other than `.` or CRLF
///   keeps its dot. RFC 5321 §4.5.2 and RFC 1939 §3 would delete it, but a conforming sender
///   never produces such a line (it would have doubled the dot), so it comes from a sender
///   that did not stuff at all, and keeping the dot keeps that sender's text intact.
///
/// Bare CR and LF (RFC 5321 §2.3.8) never end a line that could begin the terminator, so
/// `LF.LF`, `LF.CRLF`, `CRLF.LF`, `CR.CR`, `CRLF.CR CRLF` and every other near miss are
/// content. A `..` after a bare newline is still un-stuffed, and a `.CRLF` line after a bare
/// newline is content `.CRLF`. Then, per [`BareNewline`]:
///
/// - [`BareNewline::Reject`]: the data is passed through unchanged and the first violation
///   is reported in [`DotEvent::End`]; decoding continues to the real terminator, so the
///   session stays framed and the server can answer the `DATA` with an error.
/// - [`BareNewline::Normalize`]: each bare LF and each bare CR comes out as CRLF. The
///   content can then contain `CRLF.CRLF` (from, say, `LF.CRLF`); relay it with
///   [`DotEncoder`], which stuffs it.
///
/// A message-size limit is the caller's: count the `Data` lengths, and once over the limit
/// keep calling `decode` and drop the chunks until `End`, so that framing survives.
///
/// ```
/// use bytes::BytesMut;
/// use mail_core::dot::{BareNewline, DotDecoder, DotEvent};
///
/// let mut input = BytesMut::from(&b"Subject: hi\r\n\r\n..dotted\r\n.\r\nQUIT\r\n"[..]);
/// let mut decoder = DotDecoder::new(BareNewline::Reject);
/// let mut message = Vec::new();
/// while let Some(event) = decoder.decode(&mut input) {
///     match event {
///         DotEvent::Data(chunk) => message.extend_from_slice(&chunk),
///         DotEvent::End(result) => {
///             assert_eq!(result, Ok(()));
///             break;
///         }
///         _ => {}
///     }
/// }
/// assert_eq!(message, b"Subject: hi\r\n\r\n.dotted\r\n");
/// assert_eq!(&input[..], b"QUIT\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DotDecoder {
    policy: BareNewline,
    state: State,
    /// Octets of wire data consumed so far, for error offsets.
    consumed: u64,
    /// First violation found under `Reject`.
    violation: Option<DotError>,
    /// Bare newlines rewritten under `Normalize`.
    normalized: u64,
}

impl DotDecoder {
    /// Returns a decoder positioned at the start of the data, which is a line start.
    pub const fn new(policy: BareNewline) -> Self {
        Self {
            policy,
            state: State::LineStart { after_crlf: true },
            consumed: 0,
            violation: None,
            normalized: 0,
        }
    }

    /// Consumes data from the front of `buf` and returns the next event, or `None` when `buf`
    /// holds nothing more to decode (append input and call again) or the end was already
    /// returned.
    ///
    /// Call it in a loop: one call returns at most one chunk, and several may be ready.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<DotEvent> {
        loop {
            let (pos, stop) = self.scan(buf);
            if pos > 0 {
                // The stop point is re-found at the front of the buffer by the next call.
                self.consumed = self.consumed.saturating_add(pos as u64);
                return Some(DotEvent::Data(buf.split_to(pos).freeze()));
            }
            match stop {
                Stop::Wait => return None,
                Stop::Unstuff => {
                    buf.advance(1);
                    self.consumed = self.consumed.saturating_add(1);
                    self.state = State::Mid;
                }
                Stop::Newline => {
                    buf.advance(1);
                    self.consumed = self.consumed.saturating_add(1);
                    self.normalized = self.normalized.saturating_add(1);
                    self.state = State::LineStart { after_crlf: false };
                    return Some(DotEvent::Data(Bytes::from_static(b"\r\n")));
                }
                Stop::End => {
                    buf.advance(3);
                    self.consumed = self.consumed.saturating_add(3);
                    self.state = State::Done;
                    return Some(DotEvent::End(self.violation.take().map_or(Ok(()), Err)));
                }
            }
        }
    }

    /// Scans `buf` from its front in the current state. Returns how many octets at the front
    /// are content to pass through unchanged, and what stopped the scan; leaves `self.state`
    /// at the stop point.
    fn scan(&mut self, buf: &[u8]) -> (usize, Stop) {
        let mut pos = 0usize;
        let mut state = self.state;
        let stop = loop {
            match state {
                State::Done => break Stop::Wait,
                State::Mid => {
                    if buf.get(pos) == Some(&b'\r')
                        && buf.get(pos.saturating_add(1)) == Some(&b'\n')
                    {
                        pos = pos.saturating_add(2);
                        state = State::LineStart { after_crlf: true };
                        continue;
                    }
                    let skip = plain_prefix_len(buf.get(pos..).unwrap_or_default());
                    if skip > 0 {
                        pos = pos.saturating_add(skip);
                        // The block check guarantees that the octet at `pos` fits the one
                        // before it: an LF ends a line whose successor is not a dot, a CR is
                        // followed by its LF.
                        match buf.get(pos.wrapping_sub(1)) {
                            Some(b'\n') => {
                                state = State::LineStart { after_crlf: true };
                                continue;
                            }
                            Some(b'\r') => {
                                pos = pos.saturating_add(1);
                                state = State::LineStart { after_crlf: true };
                                continue;
                            }
                            _ => {}
                        }
                    }
                    let rest = buf.get(pos..).unwrap_or_default();
                    let Some(i) = memchr2(b'\r', b'\n', rest) else {
                        pos = buf.len();
                        break Stop::Wait;
                    };
                    let at = pos.saturating_add(i);
                    if rest.get(i) == Some(&b'\r') {
                        match buf.get(at.saturating_add(1)) {
                            Some(b'\n') => {
                                pos = at.saturating_add(2);
                                state = State::LineStart { after_crlf: true };
                                continue;
                            }
                            // Keep the CR until the next octet says whether it is bare.
                            None => {
                                pos = at;
                                break Stop::Wait;
                            }
                            Some(_) => {
                                let offset = self.consumed.saturating_add(at as u64);
                                self.note(DotError::BareCr { offset });
                            }
                        }
                    } else {
                        let offset = self.consumed.saturating_add(at as u64);
                        self.note(DotError::BareLf { offset });
                    }
                    // A bare CR or LF: never a line start that can begin the terminator.
                    state = State::LineStart { after_crlf: false };
                    if self.policy == BareNewline::Normalize {
                        pos = at;
                        state = State::Mid;
                        break Stop::Newline;
                    }
                    pos = at.saturating_add(1);
                }
                State::LineStart { after_crlf } => {
                    if buf.get(pos) != Some(&b'.') {
                        if pos >= buf.len() {
                            break Stop::Wait;
                        }
                        state = State::Mid;
                        continue;
                    }
                    match buf.get(pos.saturating_add(1)) {
                        None => break Stop::Wait,
                        Some(b'.') => break Stop::Unstuff,
                        Some(b'\r') => match buf.get(pos.saturating_add(2)) {
                            None => break Stop::Wait,
                            Some(b'\n') if after_crlf => break Stop::End,
                            Some(b'\n') => {
                                // `.CRLF` after a bare newline: content, and a real line end.
                                pos = pos.saturating_add(3);
                                state = State::LineStart { after_crlf: true };
                            }
                            // `.` then a bare CR: the dot is kept, `Mid` handles the CR.
                            Some(_) => {
                                pos = pos.saturating_add(1);
                                state = State::Mid;
                            }
                        },
                        // Tolerance: a dot that was not stuffed is kept (see the type docs).
                        Some(_) => {
                            pos = pos.saturating_add(1);
                            state = State::Mid;
                        }
                    }
                }
            }
        };
        self.state = state;
        (pos, stop)
    }

    /// Records a bare-newline violation under `Reject`; `Normalize` rewrites instead.
    fn note(&mut self, error: DotError) {
        if self.policy == BareNewline::Reject && self.violation.is_none() {
            self.violation = Some(error);
        }
    }

    /// Returns whether the terminator has been consumed.
    pub const fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Returns the number of octets of wire data consumed so far, terminator included.
    pub const fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Returns how many bare CRs and LFs were rewritten to CRLF under
    /// [`BareNewline::Normalize`], for logging.
    pub const fn normalized(&self) -> u64 {
        self.normalized
    }

    /// Returns the bare-newline policy.
    pub const fn policy(&self) -> BareNewline {
        self.policy
    }

    /// Makes the decoder ready for new data at a line start, keeping its policy.
    pub const fn reset(&mut self) {
        *self = Self::new(self.policy);
    }
}

/// Streaming dot-stuffing encoder (RFC 5321 §4.5.2, RFC 1939 §3).
///
/// Feed the content in chunks of any size with [`encode`](Self::encode), then call
/// [`finish`](Self::finish). The output is valid wire data whatever the input:
///
/// - a line starting with `.` gets a second `.`, also when the dot is the first octet of a
///   chunk;
/// - a bare LF and a bare CR each become CRLF (RFC 5321 §2.3.8: "SMTP client implementations
///   MUST NOT transmit these characters except when they are intended as line terminators"),
///   so maildir files with LF line ends can be sent as they are;
/// - state is carried across chunks: a chunk ending in CR waits for the next one to know
///   whether the CR starts a CRLF.
///
/// [`finish`](Self::finish) adds a CRLF if the content did not end with one, then the
/// terminating `.CRLF`. Empty content encodes as `.CRLF`, the empty message. Decoding the
/// output with [`DotDecoder`] gives back the content (with CRLF line ends, and a final CRLF
/// if it lacked one).
///
/// Output is appended to the caller's buffer; nothing else is allocated.
///
/// ```
/// use bytes::BytesMut;
/// use mail_core::dot::DotEncoder;
///
/// let mut out = BytesMut::new();
/// let mut encoder = DotEncoder::new();
/// encoder.encode(b"Subject: hi\n\n", &mut out);
/// encoder.encode(b".leading dot\r", &mut out);
/// encoder.encode(b"\nlast line", &mut out);
/// encoder.finish(&mut out);
/// assert_eq!(&out[..], b"Subject: hi\r\n\r\n..leading dot\r\nlast line\r\n.\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DotEncoder {
    /// The next octet starts a line.
    at_line_start: bool,
    /// The last chunk ended with a CR whose meaning depends on the next octet.
    pending_cr: bool,
    /// Whether a line that starts with `.` gets another (false for `BDAT` content, which
    /// only needs its line ends made CRLF).
    stuff: bool,
}

impl Default for DotEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DotEncoder {
    /// Returns an encoder at the start of the content.
    pub const fn new() -> Self {
        Self {
            at_line_start: true,
            pending_cr: false,
            stuff: true,
        }
    }

    /// Returns an encoder that only makes every line end CRLF (a bare LF or CR becomes
    /// CRLF) and adds no dots: for content counted in `BDAT` chunks (RFC 3030), where no
    /// terminator is looked for. End it with [`end_line`](Self::end_line).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mail_core::dot::DotEncoder;
    ///
    /// let mut out = BytesMut::new();
    /// let mut encoder = DotEncoder::crlf_only();
    /// encoder.encode(b".dot\nbare CR\r", &mut out);
    /// encoder.end_line(&mut out);
    /// assert_eq!(&out[..], b".dot\r\nbare CR\r\n");
    /// ```
    pub const fn crlf_only() -> Self {
        Self {
            at_line_start: true,
            pending_cr: false,
            stuff: false,
        }
    }

    /// Appends the dot-stuffed form of `chunk`, the next part of the content, to `out`.
    pub fn encode(&mut self, chunk: &[u8], out: &mut BytesMut) {
        let mut rest = chunk;
        if self.pending_cr {
            let Some((&first, tail)) = rest.split_first() else {
                return;
            };
            // CR LF split across chunks, or a bare CR: CRLF either way.
            self.pending_cr = false;
            self.at_line_start = true;
            out.put_slice(b"\r\n");
            if first == b'\n' {
                rest = tail;
            }
        }
        out.reserve(rest.len().saturating_add(2));
        while let Some(&first) = rest.first() {
            if self.stuff && self.at_line_start && first == b'.' {
                out.put_u8(b'.');
            }
            self.at_line_start = false;
            let mut skip = plain_prefix_len(rest);
            if skip > 0 {
                // A prefix ending in CR is followed by its LF: take the pair whole.
                if rest.get(skip.wrapping_sub(1)) == Some(&b'\r') {
                    skip = skip.saturating_add(1);
                }
                if let Some((plain, after)) = rest.split_at_checked(skip) {
                    out.put_slice(plain);
                    self.at_line_start = plain.last() == Some(&b'\n');
                    rest = after;
                    continue;
                }
            }
            let Some((text, newline)) =
                memchr2(b'\r', b'\n', rest).and_then(|i| rest.split_at_checked(i))
            else {
                out.put_slice(rest);
                return;
            };
            out.put_slice(text);
            rest = match newline.split_first() {
                Some((b'\r', after)) => match after.split_first() {
                    Some((b'\n', after_lf)) => after_lf,
                    Some(_) => after,
                    None => {
                        self.pending_cr = true;
                        return;
                    }
                },
                Some((_, after)) => after,
                None => newline,
            };
            out.put_slice(b"\r\n");
            self.at_line_start = true;
        }
    }

    /// Ends the content: appends a CRLF if the content did not end with a line end, then the
    /// terminating `.CRLF`. The encoder is then ready for new content.
    pub fn finish(&mut self, out: &mut BytesMut) {
        self.end_line(out);
        out.put_slice(b".\r\n");
    }

    /// Ends the content without a terminator: appends a CRLF if the content did not end
    /// with a line end (or ended with a CR whose LF never came). The encoder is then ready
    /// for new content of the same kind.
    pub fn end_line(&mut self, out: &mut BytesMut) {
        if self.pending_cr || !self.at_line_start {
            out.put_slice(b"\r\n");
        }
        self.at_line_start = true;
        self.pending_cr = false;
    }
}

/// Appends the complete dot-stuffed form of `content`, terminator included, to `out`:
/// [`DotEncoder::encode`] then [`DotEncoder::finish`] in one call.
pub fn encode_message(content: &[u8], out: &mut BytesMut) {
    let mut encoder = DotEncoder::new();
    encoder.encode(content, out);
    encoder.finish(out);
}

/// Counts the octets of content once sent with CRLF line ends, the way [`DotEncoder`] sends
/// it: a bare CR and a bare LF each count as CRLF, and content that does not end with a line
/// end gets one. Dot-stuffing and the terminator are not counted.
///
/// This is the message size of RFC 1939 §5 (`LIST`, `STAT`: "the exact size of the message
/// in octets" as the client will receive it), computed in one pass over content of any
/// size fed in chunks, without holding it.
///
/// ```
/// use mail_core::dot::CrlfSize;
///
/// let mut size = CrlfSize::new();
/// size.update(b"Subject: hi\n\nbare CR\rsplit CRLF\r");
/// size.update(b"\nlast line");
/// // Sent as "Subject: hi\r\n\r\nbare CR\r\nsplit CRLF\r\nlast line\r\n".
/// assert_eq!(size.finish(), 47);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CrlfSize {
    /// Octets counted so far.
    size: u64,
    /// The last octet seen was a CR whose meaning depends on the next octet.
    pending_cr: bool,
    /// The last octet seen ended a line (or nothing was seen yet).
    at_line_start: bool,
}

impl CrlfSize {
    /// Returns a counter at the start of the content.
    pub const fn new() -> Self {
        Self {
            size: 0,
            pending_cr: false,
            at_line_start: true,
        }
    }

    /// Counts `chunk`, the next part of the content.
    pub fn update(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        while let Some(&first) = rest.first() {
            if self.pending_cr {
                // CR LF (possibly split across chunks) or a bare CR: two octets either way.
                self.pending_cr = false;
                self.size = self.size.saturating_add(2);
                self.at_line_start = true;
                if first == b'\n' {
                    rest = rest.get(1..).unwrap_or_default();
                }
                continue;
            }
            let text = memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
            self.size = self.size.saturating_add(text as u64);
            if text > 0 {
                self.at_line_start = false;
            }
            match rest.get(text) {
                Some(b'\r') => self.pending_cr = true,
                Some(_) => {
                    // A bare LF is sent as CRLF.
                    self.size = self.size.saturating_add(2);
                    self.at_line_start = true;
                }
                None => return,
            }
            rest = rest.get(text.saturating_add(1)..).unwrap_or_default();
        }
    }

    /// Ends the content and returns its size as sent (with the line end [`DotEncoder::finish`]
    /// adds when the content lacks one).
    pub const fn finish(&self) -> u64 {
        if self.pending_cr || !self.at_line_start {
            self.size.saturating_add(2)
        } else {
            self.size
        }
    }
}

/// Returns the octets `content` takes once sent with CRLF line ends: [`CrlfSize`] in one call.
pub fn crlf_size(content: &[u8]) -> u64 {
    let mut size = CrlfSize::new();
    size.update(content);
    size.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `chunks` fed one by one; returns the content, the end events and the rest.
    fn decode(
        policy: BareNewline,
        chunks: &[&[u8]],
    ) -> (Vec<u8>, Vec<Result<(), DotError>>, BytesMut) {
        let mut decoder = DotDecoder::new(policy);
        let mut buf = BytesMut::new();
        let mut content = Vec::new();
        let mut ends = Vec::new();
        for chunk in chunks {
            buf.extend_from_slice(chunk);
            while let Some(event) = decoder.decode(&mut buf) {
                match event {
                    DotEvent::Data(data) => {
                        assert!(!data.is_empty());
                        content.extend_from_slice(&data);
                    }
                    DotEvent::End(result) => ends.push(result),
                }
            }
        }
        (content, ends, buf)
    }

    fn encode(chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = BytesMut::new();
        let mut encoder = DotEncoder::new();
        for chunk in chunks {
            encoder.encode(chunk, &mut out);
        }
        encoder.finish(&mut out);
        out.to_vec()
    }

    #[test]
    fn rfc5321_unstuffing_and_end() {
        let input = b"line 1\r\n..line 2\r\n...\r\n.\r\nQUIT\r\n";
        for policy in [BareNewline::Reject, BareNewline::Normalize] {
            let (content, ends, rest) = decode(policy, &[input]);
            assert_eq!(content, b"line 1\r\n.line 2\r\n..\r\n");
            assert_eq!(ends, vec![Ok(())]);
            assert_eq!(&rest[..], b"QUIT\r\n");
        }
    }

    #[test]
    fn rfc1939_retr_example() {
        // RFC 1939 §5 RETR: "S: <the POP3 server sends the entire message here>" then ".".
        let input = b"From: a@b\r\n\r\nHello\r\n.\r\n";
        let (content, ends, rest) = decode(BareNewline::Reject, &[input]);
        assert_eq!(content, b"From: a@b\r\n\r\nHello\r\n");
        assert_eq!(ends, vec![Ok(())]);
        assert!(rest.is_empty());
    }

    #[test]
    fn empty_message() {
        let (content, ends, rest) = decode(BareNewline::Reject, &[b".\r\nNOOP\r\n"]);
        assert!(content.is_empty());
        assert_eq!(ends, vec![Ok(())]);
        assert_eq!(&rest[..], b"NOOP\r\n");
        // An empty line then the end: the content is that CRLF.
        let (content, ends, _) = decode(BareNewline::Reject, &[b"\r\n.\r\n"]);
        assert_eq!(content, b"\r\n");
        assert_eq!(ends, vec![Ok(())]);
    }

    #[test]
    fn unstuffed_dot_is_kept() {
        let (content, ends, _) = decode(BareNewline::Reject, &[b".hidden\r\n.\r\n"]);
        assert_eq!(content, b".hidden\r\n");
        assert_eq!(ends, vec![Ok(())]);
    }

    #[test]
    fn chunks_are_slices_of_the_input() {
        let mut buf = BytesMut::from(&b"abc\r\n..def\r\n.\r\n"[..]);
        let base = buf.as_ptr() as usize;
        let mut decoder = DotDecoder::new(BareNewline::Reject);
        let Some(DotEvent::Data(first)) = decoder.decode(&mut buf) else {
            panic!("expected data")
        };
        assert_eq!(&first[..], b"abc\r\n");
        assert_eq!(first.as_ptr() as usize, base);
        let Some(DotEvent::Data(second)) = decoder.decode(&mut buf) else {
            panic!("expected data")
        };
        assert_eq!(&second[..], b".def\r\n");
        assert_eq!(second.as_ptr() as usize, base + 6);
        assert_eq!(decoder.decode(&mut buf), Some(DotEvent::End(Ok(()))));
        assert!(decoder.is_done());
        assert_eq!(decoder.consumed(), 15);
        assert_eq!(decoder.decode(&mut buf), None);
    }

    #[test]
    fn holds_at_most_two_octets() {
        let mut decoder = DotDecoder::new(BareNewline::Reject);
        let mut buf = BytesMut::from(&b"abc\r"[..]);
        assert_eq!(decoder.decode(&mut buf), Some(DotEvent::Data("abc".into())));
        assert_eq!(decoder.decode(&mut buf), None);
        assert_eq!(&buf[..], b"\r");
        buf.extend_from_slice(b"\n.");
        assert_eq!(
            decoder.decode(&mut buf),
            Some(DotEvent::Data("\r\n".into()))
        );
        assert_eq!(decoder.decode(&mut buf), None);
        buf.extend_from_slice(b"\r");
        assert_eq!(decoder.decode(&mut buf), None);
        assert_eq!(&buf[..], b".\r");
        buf.extend_from_slice(b"\n");
        assert_eq!(decoder.decode(&mut buf), Some(DotEvent::End(Ok(()))));
    }

    #[test]
    fn reject_reports_first_violation_at_the_end() {
        let (content, ends, rest) = decode(BareNewline::Reject, &[b"a\nb\rc\r\n.\r\nQUIT\r\n"]);
        assert_eq!(content, b"a\nb\rc\r\n");
        assert_eq!(ends, vec![Err(DotError::BareLf { offset: 1 })]);
        assert_eq!(&rest[..], b"QUIT\r\n");
        let (_, ends, _) = decode(BareNewline::Reject, &[b"ab\r\r\n.\r\n"]);
        assert_eq!(ends, vec![Err(DotError::BareCr { offset: 2 })]);
    }

    #[test]
    fn normalize_rewrites_bare_newlines() {
        let mut decoder = DotDecoder::new(BareNewline::Normalize);
        let mut buf = BytesMut::from(&b"a\nb\rc\r\r\n.\r\n"[..]);
        let mut content = Vec::new();
        let mut end = None;
        while let Some(event) = decoder.decode(&mut buf) {
            match event {
                DotEvent::Data(d) => content.extend_from_slice(&d),
                DotEvent::End(r) => end = Some(r),
            }
        }
        assert_eq!(content, b"a\r\nb\r\nc\r\n\r\n");
        assert_eq!(end, Some(Ok(())));
        assert_eq!(decoder.normalized(), 3);
        assert_eq!(decoder.policy(), BareNewline::Normalize);
    }

    #[test]
    fn normalize_keeps_near_miss_terminators_as_content() {
        let (content, ends, _) = decode(BareNewline::Normalize, &[b"body\n.\r\nmore\r\n.\r\n"]);
        assert_eq!(content, b"body\r\n.\r\nmore\r\n");
        assert_eq!(ends, vec![Ok(())]);
        // Relaying that content stuffs the dot.
        assert_eq!(encode(&[&content]), b"body\r\n..\r\nmore\r\n.\r\n");
    }

    #[test]
    fn reset_starts_new_data() {
        let mut decoder = DotDecoder::new(BareNewline::Reject);
        let mut buf = BytesMut::from(&b"x\n.\r\n"[..]);
        while decoder.decode(&mut buf).is_some() {}
        decoder.reset();
        assert!(!decoder.is_done());
        assert_eq!(decoder.consumed(), 0);
        let mut buf = BytesMut::from(&b".\r\n"[..]);
        assert_eq!(decoder.decode(&mut buf), Some(DotEvent::End(Ok(()))));
    }

    #[test]
    fn encoder_stuffs_and_terminates() {
        assert_eq!(encode(&[]), b".\r\n");
        assert_eq!(encode(&[b""]), b".\r\n");
        assert_eq!(encode(&[b"a"]), b"a\r\n.\r\n");
        assert_eq!(encode(&[b"a\r\n"]), b"a\r\n.\r\n");
        assert_eq!(encode(&[b"."]), b"..\r\n.\r\n");
        assert_eq!(encode(&[b".\r\n.."]), b"..\r\n...\r\n.\r\n");
        assert_eq!(encode(&[b"a\r\n", b".b"]), b"a\r\n..b\r\n.\r\n");
        assert_eq!(encode(&[b"a.b\r\n"]), b"a.b\r\n.\r\n");
    }

    #[test]
    fn encoder_fixes_bare_newlines() {
        assert_eq!(encode(&[b"a\nb\rc"]), b"a\r\nb\r\nc\r\n.\r\n");
        assert_eq!(encode(&[b"\n.\n"]), b"\r\n..\r\n.\r\n");
        assert_eq!(encode(&[b"a\r", b"\nb"]), b"a\r\nb\r\n.\r\n");
        assert_eq!(encode(&[b"a\r", b"", b".b"]), b"a\r\n..b\r\n.\r\n");
        assert_eq!(encode(&[b"a\r"]), b"a\r\n.\r\n");
        assert_eq!(encode(&[b"a\r\r\n"]), b"a\r\n\r\n.\r\n");
        assert_eq!(encode(&[b"\r", b"\r", b"\n"]), b"\r\n\r\n.\r\n");
    }

    #[test]
    fn encoder_is_reusable_after_finish() {
        let mut out = BytesMut::new();
        let mut encoder = DotEncoder::default();
        encoder.encode(b"x\r", &mut out);
        encoder.finish(&mut out);
        encoder.encode(b".y", &mut out);
        encoder.finish(&mut out);
        assert_eq!(&out[..], b"x\r\n.\r\n..y\r\n.\r\n");
        let mut out = BytesMut::new();
        encode_message(b"..", &mut out);
        assert_eq!(&out[..], b"...\r\n.\r\n");
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            DotError::BareLf { offset: 7 }.to_string(),
            "bare LF in message data at octet 7"
        );
        assert_eq!(
            DotError::BareCr { offset: 0 }.to_string(),
            "bare CR in message data at octet 0"
        );
    }
}

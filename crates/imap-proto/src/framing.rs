//! Splitting a byte stream into complete IMAP messages: a line plus the literals it announces.
//!
//! RFC 9051 §2.2: an IMAP command or response is a line ended by CRLF, except that a line
//! ending with a literal announcement (`{n}`, and the extensions below) continues after the
//! `n` octets of the literal. [`Framer`] finds where each message ends *before* anything is
//! parsed, enforcing the line, literal and message limits before buffering, so that the
//! parsers in [`crate::command`] and [`crate::types`] always see a complete message.
//!
//! | announcement | meaning | RFC |
//! |---|---|---|
//! | `{n}`   | synchronising literal: the client waits for `+` before sending the octets | 9051 §4.3 |
//! | `{n+}`  | non-synchronising literal: the octets follow at once (LITERAL+, LITERAL-) | 7888 |
//! | `~{n}`  | literal8, may hold NUL (BINARY) | 3516 §4.2, 9051 §4.3.1 |
//! | `~{n+}` | non-synchronising literal8 | 7888, 3516 |
//!
//! Both directions use the framer: a server frames commands, a client frames responses,
//! which carry literals too. Only a server waits for a decision on each synchronising literal
//! ([`FramerConfig::announce_sync_literals`]).

use bytes::{Buf, Bytes, BytesMut};
use mail_core::line::BareNewline;
use memchr::{memchr, memchr2_iter};

use crate::error::{FramingError, FramingErrorKind};
use crate::types::Tag;

/// The default line limit: 64 KiB including the CRLF. RFC 7162 §4 asks clients to keep
/// command lines under 8192 octets and servers to accept at least that much; long UID sets
/// from real clients exceed 8 KiB, so the default is more generous.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;
/// The default literal limit: 64 MiB.
pub const DEFAULT_MAX_LITERAL: u64 = 64 * 1024 * 1024;
/// The default message limit (all lines and literals of one command or response): 65 MiB.
pub const DEFAULT_MAX_MESSAGE: u64 = 65 * 1024 * 1024;
/// The default limit of a streamed literal ([`FramerConfig::stream_literals_over`]): 16 GiB.
pub const DEFAULT_MAX_STREAMED_LITERAL: u64 = 16 * 1024 * 1024 * 1024;
/// The largest non-synchronising literal LITERAL- allows (RFC 7888 §5).
pub const LITERAL_MINUS_MAX: u64 = 4096;

/// How a literal is announced (RFC 9051 §4.3, RFC 7888, RFC 3516).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralMode {
    /// `{n}`: the sender waits for a continuation request (`+`) before sending the octets.
    Sync,
    /// `{n+}`: the octets follow at once (LITERAL+ / LITERAL-, RFC 7888).
    NonSync,
}

/// The limits and policies of a [`Framer`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FramerConfig {
    /// Longest line, CRLF included ([`DEFAULT_MAX_LINE`]).
    pub max_line: usize,
    /// Largest literal ([`DEFAULT_MAX_LITERAL`]).
    pub max_literal: u64,
    /// Largest message: all lines and literals of one command or response
    /// ([`DEFAULT_MAX_MESSAGE`]).
    pub max_message: u64,
    /// Refuse non-synchronising literals over 4096 octets: the server advertises LITERAL-
    /// rather than LITERAL+ (RFC 7888 §5). Off by default.
    pub literal_minus: bool,
    /// Report each synchronising literal with [`FrameEvent::LiteralAnnounced`] and wait for
    /// [`Framer::accept_literal`] or [`Framer::reject_literal`]. A server sets it (it must
    /// answer `+` or refuse, RFC 9051 §7.5); a client framing responses leaves it off, since
    /// a server sends its literals at once.
    pub announce_sync_literals: bool,
    /// What to do with a line ended by a bare LF. Under [`BareNewline::Normalize`] it ends the
    /// line like CRLF (a tolerance some servers extend to old clients). A bare CR inside a
    /// line is an error under both policies.
    pub bare_newline: BareNewline,
    /// Stream every literal larger than this many octets instead of buffering it: its
    /// octets come as [`FrameEvent::LiteralStart`], [`FrameEvent::LiteralData`] chunks and
    /// [`FrameEvent::LiteralEnd`], and the message's [`Frame`] holds an empty literal in its
    /// place. `None` (the default) buffers every literal. A client reading large FETCH
    /// bodies sets it; a literal the peer waits on ([`announce_sync_literals`](Self::announce_sync_literals))
    /// is never streamed.
    pub stream_literals_over: Option<u64>,
    /// Largest streamed literal ([`DEFAULT_MAX_STREAMED_LITERAL`]): streaming needs no
    /// memory, but a bound still ends a runaway peer.
    pub max_streamed_literal: u64,
}

impl Default for FramerConfig {
    fn default() -> Self {
        Self {
            max_line: DEFAULT_MAX_LINE,
            max_literal: DEFAULT_MAX_LITERAL,
            max_message: DEFAULT_MAX_MESSAGE,
            literal_minus: false,
            announce_sync_literals: false,
            bare_newline: BareNewline::Reject,
            stream_literals_over: None,
            max_streamed_literal: DEFAULT_MAX_STREAMED_LITERAL,
        }
    }
}

impl FramerConfig {
    /// Returns the configuration of a server framing commands: it announces synchronising
    /// literals so that the application can answer `+` or refuse them.
    pub fn server() -> Self {
        Self {
            announce_sync_literals: true,
            ..Self::default()
        }
    }

    /// Returns the configuration of a client framing responses.
    pub fn client() -> Self {
        Self::default()
    }
}

/// A complete message: its lines and literals exactly as received, without the final line
/// ending. Literal octets stay inline after their announcement (`{5}\r\nhello`), so the
/// parsers read the frame front to back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame(Bytes);

impl Frame {
    /// Wraps bytes that hold one complete message without its final CRLF (tests, or input
    /// framed elsewhere).
    pub const fn new(bytes: Bytes) -> Self {
        Self(bytes)
    }

    /// Returns the message bytes.
    pub const fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// Returns the message bytes, consuming the frame.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

/// What [`Framer::next_frame`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameEvent {
    /// A complete message.
    Frame(Frame),
    /// A line ends with a synchronising literal announcement, within the limits. The framer
    /// waits: call [`Framer::accept_literal`] after sending `+ Ready` (RFC 9051 §7.5), or
    /// [`Framer::reject_literal`] after sending `tag NO`/`BAD` (the client then does not send
    /// the octets, RFC 9051 §4.3).
    LiteralAnnounced {
        /// The tag of the command, if readable.
        tag: Option<Tag>,
        /// The announced number of octets.
        size: u64,
        /// Whether it is a `literal8` (`~{n}`, RFC 3516).
        binary: bool,
    },
    /// A literal over [`FramerConfig::stream_literals_over`] starts; its octets follow as
    /// [`FrameEvent::LiteralData`] and [`FrameEvent::LiteralEnd`], then the rest of the
    /// message, whose [`Frame`] holds an empty literal (`{0}` or `~{0}`) in its place.
    LiteralStart {
        /// The message up to the literal, the announcement already replaced by `{0}\r\n`
        /// (or `~{0}\r\n`), so that the message so far can be read (`head` plus `)` is a
        /// complete FETCH response when the literal is a FETCH item).
        head: Bytes,
        /// The announced number of octets.
        size: u64,
        /// Whether it is a `literal8` (`~{n}`, RFC 3516).
        binary: bool,
    },
    /// Octets of the streamed literal, in order: a slice of the input, without a copy.
    LiteralData(Bytes),
    /// The streamed literal is complete.
    LiteralEnd,
}

/// Where the framer is inside the current message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum State {
    /// Looking for the end of a line.
    Line,
    /// Waiting for `remaining` literal octets.
    Literal { remaining: u64 },
    /// Waiting for the application's decision on a synchronising literal.
    Announced { size: u64 },
    /// Dropping the rest of an over-long line, up to its LF.
    SkipLine,
    /// Handing over `remaining` octets of a streamed literal as they come.
    Streaming { remaining: u64 },
}

/// What one step of line framing led to.
enum Step {
    /// An event or error for the caller.
    Report(Result<FrameEvent, FramingError>),
    /// The line is incomplete.
    NeedInput,
    /// The state moved on; keep framing.
    Continue,
}

/// Splits complete IMAP messages off the front of an input buffer.
///
/// Like [`mail_core::line::LineFramer`], the framer does not own the buffer: the connection
/// keeps its unread input in one `BytesMut` and passes it to each
/// [`next_frame`](Self::next_frame) call. Bytes of an incomplete message stay at the front of
/// the buffer; the framer remembers how far it has looked, so feeding a message in small
/// pieces costs O(n), not O(n²).
///
/// # Limits and recovery
///
/// Every limit is checked when the line or the literal announcement is seen, before the
/// octets are buffered. A refused message is dropped and reported once as a
/// [`FramingError`] (with its tag, for the `BAD` answer); framing then continues:
///
/// - an over-long line: everything up to the next LF is discarded;
/// - a synchronising literal over the limit: the peer does not send its octets (it waits for
///   `+`, which never comes), so the next byte starts a new message;
/// - a non-synchronising literal over the limit: the peer sends the octets anyway, so they
///   and the rest of the message (up to a line that announces no literal) are consumed and
///   discarded, as RFC 7888 §4 requires of a server. Without
///   [`FramerConfig::announce_sync_literals`] (a client reading responses), every literal is
///   treated so, since a server never waits for `+`.
///
/// ```
/// use bytes::BytesMut;
/// use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
///
/// let mut framer = Framer::new(FramerConfig::server());
/// let mut buf = BytesMut::from(&b"A1 LOGIN {4}\r\n"[..]);
/// let Some(Ok(FrameEvent::LiteralAnnounced { size: 4, .. })) = framer.next_frame(&mut buf) else {
///     panic!("expected an announcement");
/// };
/// framer.accept_literal(); // and write "+ Ready\r\n"
/// buf.extend_from_slice(b"fred secret\r\nA2 NOOP\r\n");
/// let Some(Ok(FrameEvent::Frame(f))) = framer.next_frame(&mut buf) else { panic!() };
/// assert_eq!(&f.bytes()[..], b"A1 LOGIN {4}\r\nfred secret");
/// let Some(Ok(FrameEvent::Frame(f))) = framer.next_frame(&mut buf) else { panic!() };
/// assert_eq!(&f.bytes()[..], b"A2 NOOP");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framer {
    config: FramerConfig,
    state: State,
    /// Octets of the current message already framed, at the front of the buffer.
    framed: usize,
    /// Octets after `framed` already searched for an LF (none found).
    scanned: usize,
    /// The current message was refused: its remaining octets are dropped as they come.
    discarding: bool,
    /// The scanned part of the current line holds a CR not followed by LF.
    bare_cr: bool,
    /// The current message up to its last streamed literal, already split off the input
    /// (empty unless a literal of this message was streamed).
    head: BytesMut,
}

impl Framer {
    /// Returns a framer with the given limits.
    pub fn new(config: FramerConfig) -> Self {
        Self {
            config,
            state: State::Line,
            framed: 0,
            scanned: 0,
            discarding: false,
            bare_cr: false,
            head: BytesMut::new(),
        }
    }

    /// Returns the configuration.
    pub const fn config(&self) -> &FramerConfig {
        &self.config
    }

    /// Returns the configuration for changes that apply to the messages that follow (a limit
    /// raised after authentication, LITERAL- once the capability is known).
    pub const fn config_mut(&mut self) -> &mut FramerConfig {
        &mut self.config
    }

    /// Returns whether the framer waits for [`accept_literal`](Self::accept_literal) or
    /// [`reject_literal`](Self::reject_literal).
    pub const fn is_awaiting_decision(&self) -> bool {
        matches!(self.state, State::Announced { .. })
    }

    /// Changes the literal and message limits; they apply from the next literal or message
    /// on (a server raises them once the client has authenticated).
    pub const fn set_limits(&mut self, max_literal: u64, max_message: u64) {
        self.config.max_literal = max_literal;
        self.config.max_message = max_message;
    }

    /// Returns whether the front of the buffer is the start of a new message (nothing of a
    /// message is pending).
    pub fn is_at_message_start(&self) -> bool {
        matches!(self.state, State::Line)
            && self.framed == 0
            && !self.discarding
            && self.head.is_empty()
    }

    /// Returns how many octets of the current message the framer holds itself (the part
    /// before a streamed literal); the rest of a partial message stays in the caller's
    /// buffer.
    pub fn held(&self) -> usize {
        self.head.len()
    }

    /// Lets the announced synchronising literal come: the server has sent `+`.
    /// Does nothing when no literal is awaiting a decision.
    pub const fn accept_literal(&mut self) {
        if let State::Announced { size } = self.state {
            self.state = State::Literal { remaining: size };
        }
    }

    /// Refuses the announced synchronising literal: the server has sent `tag NO` or
    /// `tag BAD`, so the client will not send its octets (RFC 9051 §4.3) and the message so far
    /// is dropped from `buf`. Does nothing when no literal is awaiting a decision.
    pub fn reject_literal(&mut self, buf: &mut BytesMut) {
        if matches!(self.state, State::Announced { .. }) {
            buf.advance(self.framed.min(buf.len()));
            self.framed = 0;
            self.scanned = 0;
            self.bare_cr = false;
            self.state = State::Line;
        }
    }

    /// Forgets any partial message, for when the buffer was cleared or taken by something
    /// else (the purge of plaintext input at STARTTLS, RFC 9051 §6.2.1; a COMPRESS switch).
    pub fn reset(&mut self) {
        self.state = State::Line;
        self.framed = 0;
        self.scanned = 0;
        self.discarding = false;
        self.bare_cr = false;
        self.head.clear();
    }

    /// Returns the next complete message from the front of `buf`, or an announcement, or
    /// `None` when more input is needed (or a decision on an announced literal is pending).
    ///
    /// A returned [`Frame`] is split off `buf` without a copy.
    ///
    /// # Errors
    /// [`FramingError`] once per refused message (see the type's docs); the framer has
    /// already recovered when it returns one.
    pub fn next_frame(&mut self, buf: &mut BytesMut) -> Option<Result<FrameEvent, FramingError>> {
        loop {
            match self.state {
                State::Announced { .. } => return None,
                State::Streaming { remaining: 0 } => {
                    self.state = State::Line;
                    self.scanned = 0;
                    return Some(Ok(FrameEvent::LiteralEnd));
                }
                State::Streaming { remaining } => {
                    if buf.is_empty() {
                        return None;
                    }
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(buf.len());
                    self.state = State::Streaming {
                        remaining: remaining.saturating_sub(take as u64),
                    };
                    return Some(Ok(FrameEvent::LiteralData(buf.split_to(take).freeze())));
                }
                State::SkipLine => match memchr(b'\n', buf) {
                    Some(lf) => {
                        buf.advance(lf.saturating_add(1));
                        self.state = State::Line;
                    }
                    None => {
                        buf.clear();
                        return None;
                    }
                },
                State::Literal { remaining } => {
                    let available = buf.len().saturating_sub(self.framed);
                    if self.discarding {
                        let take = usize::try_from(remaining)
                            .unwrap_or(usize::MAX)
                            .min(available);
                        buf.advance(take);
                        let left = remaining.saturating_sub(take as u64);
                        if left > 0 {
                            self.state = State::Literal { remaining: left };
                            return None;
                        }
                    } else {
                        match usize::try_from(remaining) {
                            Ok(n) if n <= available => self.framed = self.framed.saturating_add(n),
                            _ => return None,
                        }
                    }
                    self.state = State::Line;
                    self.scanned = 0;
                }
                State::Line => match self.line(buf) {
                    Step::Report(event) => return Some(event),
                    Step::NeedInput => return None,
                    Step::Continue => {}
                },
            }
        }
    }

    /// Frames one line of the current message.
    fn line(&mut self, buf: &mut BytesMut) -> Step {
        let start = self.framed;
        let max = self.config.max_line;
        let end = buf.len().min(start.saturating_add(max));
        let from = start.saturating_add(self.scanned).min(end);
        // One pass for both line-ending bytes: a CR followed by LF ends the line, any other
        // CR is remembered as bare (reported once the line is complete).
        let window = buf.get(from..end).unwrap_or_default();
        let mut found = None;
        let mut resume = window.len();
        for i in memchr2_iter(b'\r', b'\n', window) {
            if window.get(i) == Some(&b'\n') {
                found = Some(i);
                break;
            }
            match window.get(i.saturating_add(1)) {
                Some(b'\n') => {
                    found = Some(i.saturating_add(1));
                    break;
                }
                Some(_) => self.bare_cr = true,
                // The CR ends the window: look at it again when more input comes.
                None => resume = i,
            }
        }
        let found = found.map(|i| i.saturating_add(from));
        let Some(lf) = found else {
            if buf.len().saturating_sub(start) >= max {
                let tag = if self.discarding { None } else { self.tag(buf) };
                self.head.clear();
                let was_discarding = self.discarding;
                // Drop the message so far; the over-long line itself is dropped up to its
                // LF in `SkipLine`, so that whatever follows the LF is still framed.
                buf.advance(start.min(buf.len()));
                self.framed = 0;
                self.scanned = 0;
                self.discarding = false;
                self.bare_cr = false;
                self.state = State::SkipLine;
                if was_discarding {
                    // Part of a message already refused and reported.
                    return Step::Continue;
                }
                return Step::Report(Err(FramingError {
                    tag,
                    kind: FramingErrorKind::LineTooLong { max },
                }));
            }
            self.scanned = from.saturating_add(resume).saturating_sub(start);
            return Step::NeedInput;
        };
        self.scanned = 0;
        let bare_cr = core::mem::take(&mut self.bare_cr);
        let line = buf.get(start..lf).unwrap_or_default();
        let (line, bare_lf) = match line.strip_suffix(b"\r") {
            Some(l) => (l, false),
            None => (line, true),
        };
        let mut error = None;
        if bare_lf && self.config.bare_newline == BareNewline::Reject {
            error = Some(FramingErrorKind::BareLf);
        } else if bare_cr {
            error = Some(FramingErrorKind::BareCr);
        }
        let line_end = lf.saturating_add(1);
        let announced = literal_announcement(line);
        let held = self.head.len() as u64;
        let streamed = |size: u64, sync: bool| {
            !(sync && self.config.announce_sync_literals)
                && self
                    .config
                    .stream_literals_over
                    .is_some_and(|over| size > over)
        };
        if error.is_none() {
            if let Some((size, sync, _)) = announced {
                let literal_max = if streamed(size, sync) {
                    self.config.max_streamed_literal
                } else if !sync && self.config.literal_minus {
                    self.config.max_literal.min(LITERAL_MINUS_MAX)
                } else {
                    self.config.max_literal
                };
                // A streamed literal is not held, so it does not count towards the message.
                let counted = if streamed(size, sync) { 0 } else { size };
                let total = (line_end as u64)
                    .saturating_add(held)
                    .saturating_add(counted);
                if size > literal_max {
                    error = Some(FramingErrorKind::LiteralTooLarge {
                        size,
                        max: literal_max,
                    });
                } else if total > self.config.max_message {
                    error = Some(FramingErrorKind::MessageTooLarge {
                        max: self.config.max_message,
                    });
                }
            } else if (line_end as u64).saturating_add(held) > self.config.max_message {
                error = Some(FramingErrorKind::MessageTooLarge {
                    max: self.config.max_message,
                });
            }
        }
        if let Some(kind) = error {
            let tag = if self.discarding { None } else { self.tag(buf) };
            self.head.clear();
            let was_discarding = self.discarding;
            buf.advance(line_end.min(buf.len()));
            self.framed = 0;
            // A non-synchronising literal comes anyway: consume it. So does every literal
            // of a peer that does not wait for `+` (a server's responses, read by a client).
            // A synchronising one sent to a server never comes once refused.
            let comes_anyway = |sync: bool| !sync || !self.config.announce_sync_literals;
            match announced {
                Some((size, sync, _)) if comes_anyway(sync) => {
                    self.discarding = true;
                    self.state = State::Literal { remaining: size };
                }
                _ => {
                    self.discarding = false;
                    self.state = State::Line;
                }
            }
            if was_discarding {
                return Step::Continue;
            }
            return Step::Report(Err(FramingError { tag, kind }));
        }
        if self.discarding {
            buf.advance(line_end.min(buf.len()));
            match announced {
                Some((size, _, _)) => self.state = State::Literal { remaining: size },
                None => self.discarding = false,
            }
            return Step::Continue;
        }
        self.framed = line_end;
        match announced {
            None => {
                let mut frame = buf.split_to(line_end.min(buf.len()));
                frame.truncate(if bare_lf { lf } else { lf.saturating_sub(1) });
                self.framed = 0;
                if !self.head.is_empty() {
                    let mut whole = core::mem::take(&mut self.head);
                    whole.extend_from_slice(&frame);
                    frame = whole;
                }
                Step::Report(Ok(FrameEvent::Frame(Frame(frame.freeze()))))
            }
            Some((size, sync, binary)) if streamed(size, sync) => {
                // The message so far moves to `head`, with `{0}` for the literal, so that
                // the literal's octets can be handed over as they come.
                let brace = line.iter().rposition(|&b| b == b'{').unwrap_or(0);
                let cut = start.saturating_add(brace);
                let mut part = buf.split_to(line_end.min(buf.len()));
                part.truncate(cut);
                self.head.extend_from_slice(&part);
                self.head.extend_from_slice(b"{0}\r\n");
                self.framed = 0;
                self.state = State::Streaming { remaining: size };
                Step::Report(Ok(FrameEvent::LiteralStart {
                    head: Bytes::copy_from_slice(&self.head),
                    size,
                    binary,
                }))
            }
            Some((size, true, binary)) if self.config.announce_sync_literals => {
                self.state = State::Announced { size };
                Step::Report(Ok(FrameEvent::LiteralAnnounced {
                    tag: self.tag(buf),
                    size,
                    binary,
                }))
            }
            Some((size, _, _)) => {
                self.state = State::Literal { remaining: size };
                Step::Continue
            }
        }
    }

    /// Returns the tag at the front of the message (the held head, else the buffer), if valid.
    fn tag(&self, buf: &BytesMut) -> Option<Tag> {
        let buf = if self.head.is_empty() {
            buf
        } else {
            &self.head
        };
        let first = buf.get(..buf.len().min(self.config.max_line))?;
        let end = first
            .iter()
            .position(|&b| b == b' ' || b == b'\r' || b == b'\n')?;
        Tag::try_from(first.get(..end)?).ok()
    }
}

/// Returns the literal a line announces at its end: `(size, synchronising, binary)`.
///
/// ```abnf
/// literal  = "{" number64 ["+"] "}" CRLF *CHAR8   ; RFC 9051 §9, RFC 7888 §8
/// literal8 = "~{" number64 ["+"] "}" CRLF *OCTET  ; RFC 3516 §4.2
/// ```
///
/// A line ends with a literal announcement when its last byte is `}` and a `{` precedes
/// only digits (and an optional `+`); sizes that do not fit in 64 bits are read as
/// `u64::MAX`, so that the limit refuses them.
pub fn literal_announcement(line: &[u8]) -> Option<(u64, bool, bool)> {
    let body = line.strip_suffix(b"}")?;
    let (body, sync) = match body.strip_suffix(b"+") {
        Some(b) => (b, false),
        None => (body, true),
    };
    let digits = body.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let (head, number) = body.split_at_checked(body.len().checked_sub(digits)?)?;
    let head = head.strip_suffix(b"{")?;
    let binary = head.last() == Some(&b'~');
    let size = number.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?
            .checked_add(u64::from(d.wrapping_sub(b'0')))
    });
    Some((size.unwrap_or(u64::MAX), sync, binary))
}

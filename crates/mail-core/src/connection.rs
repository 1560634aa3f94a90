//! The driving contract that every protocol connection shares, server and client alike, and
//! the part of it that is the same everywhere, written once.
//!
//! Each protocol crate has a server and a client `Connection` (SMTP, POP3, IMAP). They differ
//! in their events and in the answers the application gives, but they are driven the same
//! way, through the [`Connection`] trait of this module:
//!
//! | method | kind | what it does |
//! |---|---|---|
//! | [`receive`](Connection::receive), [`receive_buf`](Connection::receive_buf) | input | append what the peer sent; never parses, never fails |
//! | [`receive_eof`](Connection::receive_eof) | input | the peer closed its side |
//! | [`next_event`](Connection::next_event) | events | parse and act; the next event, or `None` when nothing more can happen now |
//! | the protocol's answer methods (`accept`, `send`, …) | answers | the application's decision on the last event |
//! | [`take_output`](Connection::take_output) | output | the bytes to write to the peer |
//! | [`wants_write`](Connection::wants_write) | output | the output reached its high-water mark: write before anything else |
//! | [`wants_tls_handshake`](Connection::wants_tls_handshake), [`tls_established`](Connection::tls_established) | TLS | STARTTLS/STLS: do the handshake, then say so |
//! | [`timeout`](Connection::timeout), [`timed_out`](Connection::timed_out) | time | how long the peer may stay silent; it was |
//! | [`is_closed`](Connection::is_closed), [`close_reason`](Connection::close_reason) | end | the session is over and why |
//!
//! # Call order
//!
//! ```text
//! new(config)                       a server queues its greeting here
//! loop {
//!     while let Some(event) = next_event() {      // None: needs input, an answer, or a write
//!         handle the event; answer it if it asks for an answer
//!     }
//!     write take_output() to the socket
//!     if is_closed()            { close the socket; stop }
//!     if wants_tls_handshake()  { TLS handshake; tls_established(); continue }
//!     if wants_write()          { continue }       // output taken: events may flow again
//!     read with timeout() → receive_buf() / receive_eof() / timed_out()
//! }
//! ```
//!
//! Three rules hold in every crate:
//!
//! - **Answers in order.** While the application owes an answer to the last event,
//!   `next_event` returns `None` even if more pipelined input is buffered.
//! - **Bounded output.** While the output holds [`Core::output_high_water`] octets or more,
//!   `next_event` reads no further input (events already decided still come out): a peer that
//!   pipelines commands without reading the answers cannot make the output grow without
//!   bound. Take the output and write it; then events flow again.
//! - **One end.** However a session ends (the protocol's goodbye, the peer closing, a
//!   timeout, too many errors or failed logins, a protocol violation), the last event is the
//!   protocol's `Closed` event with its [`CloseReason`], exactly once; then
//!   [`is_closed`](Connection::is_closed) is true. Write the output that is left, then close
//!   the socket.
//!
//! [`Core`] holds the input and output buffers, the event queue and the end of the session,
//! so that the receive/output code exists once: a protocol connection owns a `Core`, and the
//! trait's buffer methods work on it.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use core::time::Duration;

/// The default output high-water mark: 256 KiB.
pub const DEFAULT_OUTPUT_HIGH_WATER: usize = 256 * 1024;

/// Why a session ended, as the last event of every connection reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// The protocol's own goodbye: `QUIT` or `LOGOUT` was answered.
    Quit,
    /// The peer closed the connection (end of input) without the protocol's goodbye.
    PeerClosed,
    /// The peer was silent for longer than [`Connection::timeout`].
    TimedOut,
    /// The server closed the session after too many consecutive errors.
    TooManyErrors,
    /// The server closed the session after too many failed authentications.
    TooManyAuthFailures,
    /// The peer sent what cannot be followed (a bare newline under a rejecting policy, a
    /// `BDAT` chunk of unreadable size, a malformed or unexpected reply, bytes after the
    /// STARTTLS reply before the handshake); the protocol's `Closed` event may say more.
    ProtocolViolation,
    /// The server refused the session or ended it on its own: a greeting that is no
    /// greeting, SMTP `421`, POP3 `-ERR` to the greeting, IMAP `BYE`.
    ServerClosed,
    /// The application closed the session itself.
    Local,
}

impl CloseReason {
    /// Returns a short lowercase description, for logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::PeerClosed => "peer closed the connection",
            Self::TimedOut => "timed out",
            Self::TooManyErrors => "too many errors",
            Self::TooManyAuthFailures => "too many failed authentications",
            Self::ProtocolViolation => "protocol violation",
            Self::ServerClosed => "closed by the server",
            Self::Local => "closed locally",
        }
    }
}

impl core::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A method of the contract was called in a state that does not allow it (e.g.
/// [`Connection::tls_established`] without a pending handshake); nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("not allowed in the current state")]
pub struct StateError;

/// The contract every protocol connection implements, server and client alike. See the
/// [module documentation](self) for the call order. Events stay typed per protocol.
///
/// The buffer methods are written once, here, over the connection's [`Core`]; a protocol
/// implements the rest. Bring the trait into scope to drive a connection:
/// `use mail_core::connection::Connection as _;` (each protocol crate's `prelude` does).
pub trait Connection {
    /// The protocol's event.
    type Event;

    /// Returns the connection's shared core. For implementers; an application has no use
    /// for it.
    fn core(&self) -> &Core<Self::Event>;
    /// Returns the connection's shared core, mutably. For implementers; an application that
    /// changes it breaks the protocol.
    fn core_mut(&mut self) -> &mut Core<Self::Event>;

    /// Returns the next event; `None` when more input is needed, when the application owes
    /// an answer to the last event, when the output must be written first
    /// ([`wants_write`](Self::wants_write)), or once the session is over and its `Closed`
    /// event was returned.
    fn next_event(&mut self) -> Option<Self::Event>;
    /// Returns whether the connection waits for a TLS handshake (after STARTTLS or STLS
    /// was agreed): write the output, do the handshake, then call
    /// [`tls_established`](Self::tls_established).
    fn wants_tls_handshake(&self) -> bool;
    /// Records that the TLS handshake completed. The connection forgets what it learned
    /// in plaintext, as RFC 3207 §4.2, RFC 2595 §4 and RFC 9051 §6.2.1 ask.
    ///
    /// # Errors
    /// [`StateError`] when no handshake was pending; nothing changes then.
    fn tls_established(&mut self) -> Result<(), StateError>;
    /// Returns whether the connection runs inside TLS.
    fn is_tls_active(&self) -> bool;
    /// Returns how long the peer may stay silent before [`timed_out`](Self::timed_out).
    fn timeout(&self) -> Duration;
    /// Records that the peer was silent for [`timeout`](Self::timeout): the session ends
    /// with [`CloseReason::TimedOut`] (a server may queue a last reply first).
    fn timed_out(&mut self);

    /// Appends bytes the peer sent. Never parses, never fails; ignored once closed.
    fn receive(&mut self, bytes: &[u8]) {
        self.core_mut().receive(bytes);
    }
    /// Like [`receive`](Self::receive), without copying: takes the filled part of `buf` (the
    /// buffer the socket was read into) and leaves `buf` empty with its spare capacity, so
    /// that message data reaches the application as slices of the buffers the socket
    /// filled. With tokio: `stream.read_buf(&mut buf).await?` then `conn.receive_buf(&mut buf)`.
    fn receive_buf(&mut self, buf: &mut BytesMut) {
        self.core_mut().receive_buf(buf);
    }
    /// Records that the peer closed its side: once the buffered input is used up, the
    /// session ends with [`CloseReason::PeerClosed`] (unless it ended otherwise first).
    fn receive_eof(&mut self) {
        self.core_mut().receive_eof();
    }
    /// Returns everything ready to be written to the peer, maybe nothing.
    fn take_output(&mut self) -> Bytes {
        self.core_mut().take_output()
    }
    /// Returns whether the output reached its high-water mark: write it before reading or
    /// processing anything else.
    fn wants_write(&self) -> bool {
        self.core().wants_write()
    }
    /// Returns whether the session is over: close the socket once the output is written.
    fn is_closed(&self) -> bool {
        self.core().is_closed()
    }
    /// Returns why the session ended, once it has.
    fn close_reason(&self) -> Option<CloseReason> {
        self.core().close_reason()
    }
}

/// What every connection holds the same way: the peer's unparsed input, the output not yet
/// taken, the events decided but not yet returned, and the end of the session.
///
/// A protocol connection owns one and returns it from [`Connection::core`]; its
/// `next_event` starts with [`Core::pop_event`] and [`Core::can_read`].
pub struct Core<E> {
    input: BytesMut,
    output: BytesMut,
    events: VecDeque<E>,
    eof: bool,
    closed: Option<CloseReason>,
    close_reported: bool,
    output_high_water: usize,
}

impl<E> core::fmt::Debug for Core<E> {
    /// Shows sizes and flags, never the bytes: they may hold credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Core")
            .field("input_len", &self.input.len())
            .field("output_len", &self.output.len())
            .field("events", &self.events.len())
            .field("eof", &self.eof)
            .field("closed", &self.closed)
            .finish()
    }
}

impl<E> Core<E> {
    /// Returns an empty core whose output high-water mark is `output_high_water` octets
    /// (`0` for none).
    pub fn new(output_high_water: usize) -> Self {
        Self {
            input: BytesMut::new(),
            output: BytesMut::new(),
            events: VecDeque::new(),
            eof: false,
            closed: None,
            close_reported: false,
            output_high_water,
        }
    }

    /// Appends bytes the peer sent, unless the session is over.
    pub fn receive(&mut self, bytes: &[u8]) {
        if self.closed.is_none() {
            self.input.extend_from_slice(bytes);
        }
    }

    /// Takes the filled part of `buf` without copying (see
    /// [`take_received`](crate::buffer::take_received)), unless the session is over;
    /// leaves `buf` empty either way.
    pub fn receive_buf(&mut self, buf: &mut BytesMut) {
        if self.closed.is_none() {
            crate::buffer::take_received(&mut self.input, buf);
        } else {
            buf.clear();
        }
    }

    /// Records that the peer closed its side.
    pub fn receive_eof(&mut self) {
        self.eof = true;
    }

    /// Returns whether the peer closed its side.
    pub const fn is_eof(&self) -> bool {
        self.eof
    }

    /// Returns the output not yet taken.
    pub fn take_output(&mut self) -> Bytes {
        self.output.split().freeze()
    }

    /// Returns the output buffer, to encode into.
    pub fn output(&mut self) -> &mut BytesMut {
        &mut self.output
    }

    /// Returns how many octets of output wait to be taken.
    pub fn output_len(&self) -> usize {
        self.output.len()
    }

    /// Returns the output high-water mark (`0`: none).
    pub const fn output_high_water(&self) -> usize {
        self.output_high_water
    }

    /// Returns whether the output reached its high-water mark.
    pub fn wants_write(&self) -> bool {
        self.output_high_water > 0 && self.output.len() >= self.output_high_water
    }

    /// Returns whether `next_event` may read further input now: the session is open and
    /// the output is below its high-water mark.
    pub fn can_read(&self) -> bool {
        self.closed.is_none() && !self.wants_write()
    }

    /// Returns the peer's unparsed input, for the protocol's framer.
    pub fn input(&mut self) -> &mut BytesMut {
        &mut self.input
    }

    /// Returns how many octets of the peer's input are buffered, not yet parsed: what a
    /// test asserts to prove that a connection streams (an APPEND, a DATA) rather than
    /// gathering it.
    pub fn input_len(&self) -> usize {
        self.input.len()
    }

    /// Returns whether unparsed input is buffered.
    pub fn has_input(&self) -> bool {
        !self.input.is_empty()
    }

    /// Drops the unparsed input and returns how many octets it held: after a STARTTLS
    /// reply, whatever is buffered was sent in plaintext before the handshake.
    pub fn discard_input(&mut self) -> usize {
        let len = self.input.len();
        self.input.clear();
        len
    }

    /// Queues an event.
    pub fn push_event(&mut self, event: E) {
        self.events.push_back(event);
    }

    /// Queues an event to be returned before all others.
    pub fn push_event_front(&mut self, event: E) {
        self.events.push_front(event);
    }

    /// Returns whether events are queued.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Returns the next queued event; once the queue is empty and the session is over, the
    /// `Closed` event that `closed` makes from the reason, exactly once.
    pub fn pop_event(&mut self, closed: impl FnOnce(CloseReason) -> E) -> Option<E> {
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        match self.closed {
            Some(reason) if !self.close_reported => {
                self.close_reported = true;
                Some(closed(reason))
            }
            _ => None,
        }
    }

    /// Ends the session for `reason` and drops the unparsed input. The first reason given
    /// stands; queued events and output stay.
    pub fn close(&mut self, reason: CloseReason) {
        if self.closed.is_none() {
            self.closed = Some(reason);
        }
        self.input.clear();
    }

    /// Returns whether the session is over.
    pub const fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Returns why the session ended, once it has.
    pub const fn close_reason(&self) -> Option<CloseReason> {
        self.closed
    }

    /// Ends the session with [`CloseReason::PeerClosed`] if the peer closed its side and the
    /// caller found no more work in the buffered input. Returns whether it did.
    pub fn close_at_eof(&mut self) -> bool {
        if self.eof && self.closed.is_none() {
            self.close(CloseReason::PeerClosed);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BufMut;

    #[test]
    fn closed_event_comes_once_after_the_queue() {
        let mut core: Core<&str> = Core::new(0);
        core.push_event("a");
        core.close(CloseReason::Quit);
        core.close(CloseReason::TimedOut);
        assert_eq!(core.pop_event(|_| "closed"), Some("a"));
        assert_eq!(
            core.pop_event(|r| if r == CloseReason::Quit {
                "quit"
            } else {
                "other"
            }),
            Some("quit")
        );
        assert_eq!(core.pop_event(|_| "again"), None);
        assert_eq!(core.close_reason(), Some(CloseReason::Quit));
    }

    #[test]
    fn input_is_refused_once_closed() {
        let mut core: Core<()> = Core::new(0);
        core.receive(b"abc");
        core.close(CloseReason::PeerClosed);
        assert!(!core.has_input());
        core.receive(b"def");
        let mut buf = BytesMut::from(&b"ghi"[..]);
        core.receive_buf(&mut buf);
        assert!(buf.is_empty());
        assert!(!core.has_input());
    }

    #[test]
    fn high_water_mark_stops_reading_until_output_is_taken() {
        let mut core: Core<()> = Core::new(4);
        core.output().put_slice(b"abc");
        assert!(core.can_read());
        core.output().put_slice(b"d");
        assert!(core.wants_write());
        assert!(!core.can_read());
        assert_eq!(&core.take_output()[..], b"abcd");
        assert!(core.can_read());
        let mut unbounded: Core<()> = Core::new(0);
        unbounded.output().put_slice(&[0; 1 << 20]);
        assert!(!unbounded.wants_write());
    }

    #[test]
    fn eof_closes_only_when_asked() {
        let mut core: Core<()> = Core::new(0);
        assert!(!core.close_at_eof());
        core.receive_eof();
        assert!(core.is_eof() && !core.is_closed());
        assert!(core.close_at_eof());
        assert_eq!(core.close_reason(), Some(CloseReason::PeerClosed));
        assert!(!core.close_at_eof());
    }

    #[test]
    fn debug_never_shows_bytes() {
        let mut core: Core<()> = Core::new(0);
        core.receive(b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
        core.output().put_slice(b"secret");
        let shown = format!("{core:?}");
        assert!(
            !shown.contains("AGFsaWNl") && !shown.contains("secret"),
            "{shown}"
        );
    }
}

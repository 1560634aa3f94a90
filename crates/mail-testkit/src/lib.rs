//! Helpers the protocol crates' transcript tests share: reading `C:`/`S:` script lines with
//! escapes, the three ways every transcript is fed (whole, byte by byte, at random splits), and
//! the feeding loops of server and client transcripts.
//!
//! A dev-dependency only; nothing here is published.
#![forbid(unsafe_code)]

use bytes::BytesMut;
use mail_core::connection::Connection;

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

    /// Hands `bytes` to `conn` in the pieces this feed cuts (through `receive` or
    /// `receive_buf`, as [`Feed::deliver`] says, with `reader` as the run's one reader
    /// buffer), and calls `after` with the piece's length after each piece.
    pub fn feed<C: Connection + ?Sized>(
        self,
        conn: &mut C,
        bytes: &[u8],
        reader: &mut BytesMut,
        mut after: impl FnMut(&mut C, usize),
    ) {
        let mut rest = bytes;
        for n in self.splits(bytes.len()) {
            let (piece, tail) = rest.split_at(n.min(rest.len()));
            match self.deliver(piece, reader) {
                Delivery::Copy(piece) => conn.receive(piece),
                Delivery::Buffer(reader) => conn.receive_buf(reader),
            }
            rest = tail;
            after(conn, piece.len());
        }
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

/// One line of a transcript script: its two-character marker and the text after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLine<'a> {
    /// `C:`, `C=`, `S:`, `S=`, … as the line starts.
    pub marker: &'a str,
    /// The rest of the line, without the one space that follows the marker.
    pub text: &'a str,
}

/// Returns the lines of `script` that start (after indentation) with one of `markers`;
/// other lines (blank ones, comments, `...`) are skipped. Only the first space after the
/// marker is dropped, so content lines keep their own indentation.
pub fn script_lines<'a>(
    script: &'a str,
    markers: &'a [&'a str],
) -> impl Iterator<Item = ScriptLine<'a>> + 'a {
    script.lines().filter_map(move |raw| {
        let line = raw.trim_start();
        let marker = line.get(..2).filter(|m| markers.contains(m))?;
        let rest = line.get(2..).unwrap_or_default();
        Some(ScriptLine {
            marker,
            text: rest.strip_prefix(' ').unwrap_or(rest),
        })
    })
}

/// Returns the wire bytes of a script line's text: the escapes of [`unescape`] resolved, and
/// CRLF appended unless the text ends with a lone `\` (which is dropped).
pub fn wire_line(text: &str) -> Vec<u8> {
    match text.strip_suffix('\\') {
        Some(body) => unescape(body),
        None => {
            let mut wire = unescape(text);
            wire.extend_from_slice(b"\r\n");
            wire
        }
    }
}

/// What the client sends in a server transcript, in segments: a `<TLS>` line ends one, and
/// a run feeds each segment completely before the TLS handshake and the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSegments(pub Vec<Vec<u8>>);

impl Default for ClientSegments {
    fn default() -> Self {
        Self(vec![Vec::new()])
    }
}

impl ClientSegments {
    /// Appends a client line (see [`wire_line`]), or starts a new segment for `<TLS>`.
    pub fn push_line(&mut self, text: &str) {
        if text.trim() == "<TLS>" {
            self.0.push(Vec::new());
        } else if let Some(segment) = self.0.last_mut() {
            segment.extend_from_slice(&wire_line(text));
        }
    }

    /// Feeds every segment to `conn` the way `feed` cuts it, calling `at` after each piece
    /// and at the end of each segment but the last (where the client wrote `<TLS>`).
    pub fn feed<C: Connection + ?Sized>(
        &self,
        feed: Feed,
        conn: &mut C,
        mut at: impl FnMut(&mut C, Point),
    ) {
        let mut reader = BytesMut::new();
        let mut fed = 0;
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                at(conn, Point::Handshake);
            }
            feed.feed(conn, segment, &mut reader, |conn, n| {
                fed += n;
                at(conn, Point::Fed(fed));
            });
        }
    }
}

/// Where a transcript's feeding loop stands, for its callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// A piece was handed over; this many octets in all so far.
    Fed(usize),
    /// The TLS handshake happens here: everything before it has arrived.
    Handshake,
}

/// One line the client writes in a client transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLine {
    /// How many octets of the server's output come before it in the script.
    pub before: usize,
    /// The line's text as the script gives it.
    pub text: String,
    /// The line on the wire (see [`wire_line`]).
    pub wire: Vec<u8>,
    /// `C:`: the application asks for it through the client's API; `C=`: the client writes
    /// it on its own (EHLO, SASL responses, what follows from one call).
    pub by_application: bool,
}

/// A client transcript: `S:` lines are what the server sends (`S: <TLS>` is where the TLS
/// handshake happens), `C:` and `C=` lines what the client writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientScript {
    /// Everything the server sends.
    pub server: Vec<u8>,
    /// Offsets into `server` where the TLS handshake happens.
    pub handshakes: Vec<usize>,
    /// The client's lines, in order.
    pub client: Vec<ClientLine>,
}

impl ClientScript {
    /// Parses `C:`, `C=` and `S:` lines (see [`script_lines`] and [`wire_line`]).
    pub fn parse(text: &str) -> Self {
        let mut script = Self::default();
        for line in script_lines(text, &["C:", "C=", "S:"]) {
            if line.marker == "S:" {
                if line.text.trim() == "<TLS>" {
                    script.handshakes.push(script.server.len());
                } else {
                    script.server.extend_from_slice(&wire_line(line.text));
                }
                continue;
            }
            script.client.push(ClientLine {
                before: script.server.len(),
                text: line.text.to_owned(),
                wire: wire_line(line.text),
                by_application: line.marker == "C:",
            });
        }
        script
    }

    /// Returns what the client must write in all: every `C:` and `C=` line.
    pub fn client_output(&self) -> Vec<u8> {
        self.client.iter().flat_map(|l| l.wire.clone()).collect()
    }

    /// Feeds the server's output to `conn`: a server answers only what it was sent, so the
    /// bytes are cut at every client line and every handshake, and each span between is cut
    /// the way `feed` cuts it. `at` runs first (with `Fed(0)`), after each piece, and at each
    /// `S: <TLS>` once the bytes before it are in (then `Fed` again).
    pub fn feed<C: Connection + ?Sized>(
        &self,
        feed: Feed,
        conn: &mut C,
        mut at: impl FnMut(&mut C, Point),
    ) {
        let mut bounds: Vec<(usize, bool)> =
            self.client.iter().map(|l| (l.before, false)).collect();
        bounds.extend(self.handshakes.iter().map(|&offset| (offset, true)));
        bounds.push((self.server.len(), false));
        bounds.sort_unstable();
        let mut reader = BytesMut::new();
        let mut fed = 0;
        at(conn, Point::Fed(fed));
        for (bound, is_handshake) in bounds {
            let span = self.server.get(fed..bound.max(fed)).unwrap_or_default();
            feed.feed(conn, span, &mut reader, |conn, n| {
                fed += n;
                at(conn, Point::Fed(fed));
            });
            if is_handshake {
                at(conn, Point::Handshake);
                at(conn, Point::Fed(fed));
            }
        }
    }
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
    fn script_lines_keep_indentation_after_the_marker() {
        let lines: Vec<_> = script_lines(
            "  S: 220 hi\n  comment\n  C:     folded\n  C=x\n",
            &["C:", "C=", "S:"],
        )
        .collect();
        assert_eq!(
            lines,
            [
                ScriptLine {
                    marker: "S:",
                    text: "220 hi"
                },
                ScriptLine {
                    marker: "C:",
                    text: "    folded"
                },
                ScriptLine {
                    marker: "C=",
                    text: "x"
                },
            ]
        );
        assert_eq!(wire_line("a"), b"a\r\n");
        assert_eq!(wire_line(r"a\r\nb\"), b"a\r\nb");
    }

    #[test]
    fn client_scripts_place_lines_and_handshakes() {
        let script = ClientScript::parse(
            "S: 220 a\nC= EHLO b\nS: 250 a\nC: STARTTLS\nS: 220 go\nS: <TLS>\nC= EHLO b\n",
        );
        assert_eq!(script.server, b"220 a\r\n250 a\r\n220 go\r\n");
        assert_eq!(script.handshakes, [22]);
        let placed: Vec<_> = script
            .client
            .iter()
            .map(|l| (l.before, l.text.as_str(), l.by_application))
            .collect();
        assert_eq!(
            placed,
            [
                (7, "EHLO b", false),
                (14, "STARTTLS", true),
                (22, "EHLO b", false)
            ]
        );
        assert_eq!(script.client_output(), b"EHLO b\r\nSTARTTLS\r\nEHLO b\r\n");
        let mut segments = ClientSegments::default();
        for text in ["EHLO a", "STARTTLS", "<TLS>", r"BDAT 1\r\nx\"] {
            segments.push_line(text);
        }
        assert_eq!(
            segments.0,
            [b"EHLO a\r\nSTARTTLS\r\n".to_vec(), b"BDAT 1\r\nx".to_vec()]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"a\r\nb\0\\"), b"a\r\nb\0\\");
        assert_eq!(unescape("tail\\"), b"tail\\");
        assert_eq!(try_unescape(r"\x"), Err(UnknownEscape('x')));
        assert_eq!(unescape("j\u{f6}rg"), "j\u{f6}rg".as_bytes());
    }
}

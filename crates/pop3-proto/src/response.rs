//! POP3 responses (server → client): status lines, the greeting, multi-line listings and
//! message bodies, SASL continuations; parsing and encoding.
//!
//! ```abnf
//! ; RFC 2449 §3
//! response     =  greeting / single-line / capa-resp / multi-line
//! greeting     =  "+OK" [resp-code] *gchar [timestamp] *gchar CRLF
//! multi-line   =  single-line *dot-stuffed "." CRLF
//! single-line  =  status [SP text] CRLF       ;512 octets maximum
//! status       =  "+OK" / "-ERR"
//! text         =  *schar / resp-code *CHAR
//! resp-code    =  "[" resp-level *("/" resp-level) "]"
//! resp-level   =  1*rchar
//! rchar        =  %x21-2E / %x30-5C / %x5E-7F
//! timestamp    =  "<" *VCHAR ">"
//! ```
//!
//! A POP3 response does not say which command it answers: whether a `+OK` line is followed by
//! a multi-line body depends on the command. [`Response::parse`] is therefore told what to
//! expect ([`Expect`], usually [`Expect::for_command`]).

use core::fmt;

use bytes::{BufMut, Bytes, BytesMut};
use mail_core::buffer::put_decimal;
use mail_core::dot::{self, BareNewline, DotDecoder, DotEvent};
use mail_core::sasl;
use memchr::memchr;

use crate::capability::Capability;
use crate::command::{Argument, Command, MessageNumber, UniqueId, parse_u32, parse_u64};
use crate::error::{ResponseError, ValueError};

/// The longest response line by default, CRLF included (RFC 2449 §4: 512 octets).
pub const MAX_RESPONSE_LINE: usize = 512;

/// `+OK` or `-ERR` (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`: positive.
    Ok,
    /// `-ERR`: negative.
    Err,
}

impl Status {
    /// Returns the status indicator as sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "+OK",
            Self::Err => "-ERR",
        }
    }
}

/// Text on a response line: any octets but CR, LF and NUL.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(Bytes);

impl Text {
    /// Returns the text, or why it cannot be sent.
    ///
    /// # Errors
    /// [`ValueError::Forbidden`] at the first CR, LF or NUL.
    pub fn new(value: impl Into<Bytes>) -> Result<Self, ValueError> {
        let value = value.into();
        if let Some(offset) = value.iter().position(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(ValueError::Forbidden { offset });
        }
        Ok(Self(value))
    }

    /// Returns empty text.
    pub const fn empty() -> Self {
        Self(Bytes::new())
    }

    /// Returns the octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Returns the text as a string, replacing invalid UTF-8.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// Returns whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({:?})", String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl TryFrom<&str> for Text {
    type Error = ValueError;
    fn try_from(s: &str) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(s.as_bytes()))
    }
}

/// An extended response code (RFC 2449 §8), in square brackets after the status.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode {
    /// `[IN-USE]` (RFC 2449 §8.1.1): the maildrop is locked by another session.
    InUse,
    /// `[LOGIN-DELAY]` (RFC 2449 §8.1.2): the user logged in too recently.
    LoginDelay,
    /// `[SYS/TEMP]` (RFC 3206 §4): a temporary system problem; try again later.
    SysTemp,
    /// `[SYS/PERM]` (RFC 3206 §4): a permanent system problem.
    SysPerm,
    /// `[AUTH]` (RFC 3206 §5): the credentials are wrong.
    Auth,
    /// `[UTF8]` (RFC 6856 §5): the failure is due to the lack of UTF-8 mode.
    Utf8,
    /// Any other code, kept as sent (without brackets), e.g. `XYZ/ABC`.
    Other(String),
}

fn is_rchar(b: u8) -> bool {
    matches!(b, 0x21..=0x2e | 0x30..=0x5c | 0x5e..=0x7f)
}

impl ResponseCode {
    /// Returns the code text without brackets.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InUse => "IN-USE",
            Self::LoginDelay => "LOGIN-DELAY",
            Self::SysTemp => "SYS/TEMP",
            Self::SysPerm => "SYS/PERM",
            Self::Auth => "AUTH",
            Self::Utf8 => "UTF8",
            Self::Other(s) => s,
        }
    }

    /// Returns the code for `text` (without brackets): a known one, matched
    /// case-insensitively, or [`ResponseCode::Other`].
    ///
    /// ```abnf
    /// resp-code    =  "[" resp-level *("/" resp-level) "]"
    /// resp-level   =  1*rchar
    /// ```
    ///
    /// # Errors
    /// [`ValueError::Empty`] for an empty level, [`ValueError::Forbidden`] for an octet that
    /// is no `rchar`.
    pub fn new(text: &str) -> Result<Self, ValueError> {
        let mut offset = 0;
        for level in text.split('/') {
            if level.is_empty() {
                return Err(ValueError::Empty);
            }
            if let Some(at) = level.bytes().position(|b| !is_rchar(b)) {
                return Err(ValueError::Forbidden {
                    offset: offset + at,
                });
            }
            offset += level.len() + 1;
        }
        let known = [
            Self::InUse,
            Self::LoginDelay,
            Self::SysTemp,
            Self::SysPerm,
            Self::Auth,
            Self::Utf8,
        ];
        Ok(known
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text))
            .unwrap_or_else(|| Self::Other(text.to_owned())))
    }
}

/// Splits a response code off the front of `text`, if it starts with a complete one.
fn split_code(text: &[u8]) -> Option<(ResponseCode, &[u8])> {
    let inner = text.strip_prefix(b"[")?;
    let close = memchr(b']', inner)?;
    let (code, rest) = inner.split_at_checked(close)?;
    let code = ResponseCode::new(core::str::from_utf8(code).ok()?).ok()?;
    let rest = rest.get(1..).unwrap_or_default();
    Some((code, rest.strip_prefix(b" ").unwrap_or(rest)))
}

/// A single-line response: status, optional response code, text (RFC 1939 §3,
/// RFC 2449 §8).
///
/// ```abnf
/// single-line  =  status [SP text] CRLF       ;512 octets maximum
/// text         =  *schar / resp-code *CHAR
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusLine {
    status: Status,
    code: Option<ResponseCode>,
    text: Text,
}

impl StatusLine {
    /// Returns a status line.
    ///
    /// # Errors
    /// [`ValueError::AmbiguousText`] when `code` is `None` and `text` starts with something
    /// that reads as a response code (it would come back as one).
    pub fn new(status: Status, code: Option<ResponseCode>, text: Text) -> Result<Self, ValueError> {
        if code.is_none() && split_code(text.as_bytes()).is_some() {
            return Err(ValueError::AmbiguousText);
        }
        Ok(Self { status, code, text })
    }

    /// Returns `+OK text`; text that cannot be sent is dropped.
    pub fn ok(text: &str) -> Self {
        Self::lossy(Status::Ok, None, text)
    }

    /// Returns `-ERR text`; text that cannot be sent is dropped.
    pub fn err(text: &str) -> Self {
        Self::lossy(Status::Err, None, text)
    }

    /// Returns `-ERR [code] text`; text that cannot be sent is dropped.
    pub fn err_with(code: ResponseCode, text: &str) -> Self {
        Self::lossy(Status::Err, Some(code), text)
    }

    fn lossy(status: Status, code: Option<ResponseCode>, text: &str) -> Self {
        let text = Text::try_from(text).unwrap_or_default();
        Self::new(status, code.clone(), text).unwrap_or(Self {
            status,
            code,
            text: Text::empty(),
        })
    }

    /// Returns the status.
    pub const fn status(&self) -> Status {
        self.status
    }

    /// Returns whether the status is `+OK`.
    pub const fn is_ok(&self) -> bool {
        matches!(self.status, Status::Ok)
    }

    /// Returns the response code, if any.
    pub const fn code(&self) -> Option<&ResponseCode> {
        self.code.as_ref()
    }

    /// Returns the text after the status (and after the response code).
    pub const fn text(&self) -> &Text {
        &self.text
    }

    /// Returns the greeting's APOP timestamp (RFC 1939 §7), angle brackets included: the
    /// first `<`, up to the next `>`, with only `VCHAR`s between.
    ///
    /// ```abnf
    /// timestamp    =  "<" *VCHAR ">"
    ///                     ;MUST conform to RFC-822 msg-id
    /// ```
    pub fn timestamp(&self) -> Option<Bytes> {
        let text = &self.text.0;
        let start = memchr(b'<', text)?;
        let after = text.get(start + 1..)?;
        let len = memchr(b'>', after)?;
        let inner = after.get(..len)?;
        if inner
            .iter()
            .any(|&b| !(0x21..=0x7e).contains(&b) || b == b'<')
        {
            return None;
        }
        Some(text.slice(start..start + len + 2))
    }

    /// Parses a status line without its CRLF.
    ///
    /// Tolerated: the status in any case (`+ok`), an empty text after `SP`, an unknown
    /// response code (kept as [`ResponseCode::Other`]); a `[` that starts no valid code is
    /// text.
    ///
    /// # Errors
    /// [`ResponseError::Syntax`] when the line starts with neither `+OK` nor `-ERR`, or the
    /// status runs into the text without a space.
    pub fn parse(line: &[u8]) -> Result<Self, ResponseError> {
        let (status, rest) = if line
            .get(..3)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"+OK"))
        {
            (Status::Ok, line.get(3..).unwrap_or_default())
        } else if line
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"-ERR"))
        {
            (Status::Err, line.get(4..).unwrap_or_default())
        } else {
            return Err(ResponseError::syntax(0, "+OK or -ERR"));
        };
        let text = match rest.split_first() {
            None => &[][..],
            Some((b' ', text)) => text,
            Some(_) => return Err(ResponseError::syntax(line.len() - rest.len(), "SP")),
        };
        if let Some(at) = text.iter().position(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(ResponseError::syntax(
                line.len() - text.len() + at,
                "text octet",
            ));
        }
        let (code, text) = match split_code(text) {
            Some((code, rest)) => (Some(code), rest),
            None => (None, text),
        };
        Ok(Self {
            status,
            code,
            text: Text(Bytes::copy_from_slice(text)),
        })
    }

    /// Appends the line and its CRLF to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_slice(self.status.as_str().as_bytes());
        if let Some(code) = &self.code {
            out.put_slice(b" [");
            out.put_slice(code.as_str().as_bytes());
            out.put_u8(b']');
        }
        if !self.text.is_empty() {
            out.put_u8(b' ');
            out.put_slice(&self.text.0);
        }
        out.put_slice(b"\r\n");
    }
}

/// The server greeting (RFC 1939 §4), with its APOP timestamp if it has one (§7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Greeting {
    /// The greeting line.
    pub line: StatusLine,
    /// The timestamp, angle brackets included: `APOP` needs it.
    pub timestamp: Option<Bytes>,
}

impl Greeting {
    /// Returns the greeting for a status line.
    pub fn new(line: StatusLine) -> Self {
        let timestamp = line.timestamp();
        Self { line, timestamp }
    }
}

/// A scan listing (RFC 1939 §5, `LIST`): message number and exact size in octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message number.
    pub msg: MessageNumber,
    /// The size in octets.
    pub size: u64,
}

impl ScanListing {
    /// Parses `msg SP size`; whatever follows the size is ignored (RFC 1939 §5: "This memo
    /// makes no requirement on what follows the message size in the scan listing").
    ///
    /// # Errors
    /// [`ResponseError::Syntax`] if the line does not start with two numbers.
    pub fn parse(line: &[u8]) -> Result<Self, ResponseError> {
        let (msg, size) = two_numbers(line)?;
        let msg = u32::try_from(msg)
            .ok()
            .and_then(MessageNumber::new)
            .ok_or(ResponseError::syntax(0, "nz-number"))?;
        Ok(Self { msg, size })
    }

    /// Appends `msg SP size` (no CRLF).
    pub fn encode(&self, out: &mut BytesMut) {
        put_decimal(out, u64::from(self.msg.get()));
        out.put_u8(b' ');
        put_decimal(out, self.size);
    }
}

/// Reads `number SP number`, ignoring what follows the second number after a space.
fn two_numbers(line: &[u8]) -> Result<(u64, u64), ResponseError> {
    let mut words = line.split(|&b| b == b' ');
    let first = words.next().unwrap_or_default();
    let a = parse_u64(first).ok_or(ResponseError::syntax(0, "number"))?;
    let second = words.next().unwrap_or_default();
    let b = parse_u64(second).ok_or(ResponseError::syntax(first.len() + 1, "number"))?;
    Ok((a, b))
}

/// A unique-id listing (RFC 1939 §7, `UIDL`): message number and unique-id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UidListing {
    /// The message number.
    pub msg: MessageNumber,
    /// The unique-id.
    pub uid: UniqueId,
}

impl UidListing {
    /// Parses `msg SP unique-id`.
    ///
    /// Tolerated: trailing spaces.
    ///
    /// # Errors
    /// [`ResponseError::Syntax`] for a bad number or unique-id.
    pub fn parse(line: &[u8]) -> Result<Self, ResponseError> {
        Self::from_line(&Bytes::copy_from_slice(line))
    }

    /// Like [`parse`](Self::parse), with the unique-id a zero-copy slice of `line` (the
    /// line as the framer returned it).
    ///
    /// # Errors
    /// [`ResponseError::Syntax`] for a bad number or unique-id.
    pub fn from_line(line: &Bytes) -> Result<Self, ResponseError> {
        let sp = memchr(b' ', line).ok_or(ResponseError::syntax(line.len(), "SP"))?;
        let msg = line
            .get(..sp)
            .and_then(parse_u32)
            .and_then(MessageNumber::new)
            .ok_or(ResponseError::syntax(0, "nz-number"))?;
        let uid = trim_end_spaces(line.get(sp + 1..).unwrap_or_default());
        let uid = UniqueId::new(line.slice_ref(uid))
            .map_err(|_| ResponseError::syntax(sp + 1, "unique-id"))?;
        Ok(Self { msg, uid })
    }

    /// Appends `msg SP unique-id` (no CRLF).
    pub fn encode(&self, out: &mut BytesMut) {
        put_decimal(out, u64::from(self.msg.get()));
        out.put_u8(b' ');
        out.put_slice(self.uid.as_bytes());
    }
}

fn trim_end_spaces(mut s: &[u8]) -> &[u8] {
    while let Some(rest) = s.strip_suffix(b" ") {
        s = rest;
    }
    s
}

/// A language in a `LANG` listing (RFC 6856 §3): a tag and a description.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language {
    /// The language tag (RFC 5646), e.g. `en`.
    pub tag: Argument,
    /// The description, e.g. `English`.
    pub description: Text,
}

impl Language {
    /// Parses `tag [SP description]`.
    ///
    /// # Errors
    /// [`ResponseError::Syntax`] for a missing or bad tag.
    pub fn parse(line: &[u8]) -> Result<Self, ResponseError> {
        let sp = memchr(b' ', line).unwrap_or(line.len());
        let (tag, rest) = line.split_at_checked(sp).unwrap_or((line, &[]));
        let tag = core::str::from_utf8(tag)
            .ok()
            .and_then(|t| Argument::new(t).ok())
            .ok_or(ResponseError::syntax(0, "language tag"))?;
        let description = Text::new(Bytes::copy_from_slice(rest.get(1..).unwrap_or_default()))
            .map_err(|_| ResponseError::syntax(sp, "text"))?;
        Ok(Self { tag, description })
    }

    /// Appends `tag [SP description]` (no CRLF).
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_slice(self.tag.as_str().as_bytes());
        if !self.description.is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.description.as_bytes());
        }
    }
}

/// What response to read next: the client knows it from the command it sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expect {
    /// The greeting.
    Greeting,
    /// A single status line (`USER`, `PASS`, `APOP`, `DELE`, `NOOP`, `RSET`, `QUIT`, `STLS`,
    /// `UTF8`, `LANG tag`, unknown commands).
    Status,
    /// `STAT`'s drop listing.
    Stat,
    /// `LIST msg`'s scan listing.
    Scan,
    /// `LIST`'s multi-line scan listings.
    ScanList,
    /// `UIDL msg`'s unique-id listing.
    UniqueId,
    /// `UIDL`'s multi-line unique-id listings.
    UniqueIdList,
    /// `CAPA`'s capability list.
    Capabilities,
    /// `LANG`'s language list.
    Languages,
    /// `RETR`/`TOP`: a status line and a dot-stuffed message.
    Message,
    /// During `AUTH`: a continuation (`+ base64`) or the final status line.
    Auth,
}

impl Expect {
    /// Returns what answers `command`.
    pub fn for_command(command: &Command) -> Self {
        match command {
            Command::Stat => Self::Stat,
            Command::List(Some(_)) => Self::Scan,
            Command::List(None) => Self::ScanList,
            Command::Uidl(Some(_)) => Self::UniqueId,
            Command::Uidl(None) => Self::UniqueIdList,
            Command::Capa => Self::Capabilities,
            Command::Lang(None) => Self::Languages,
            Command::Retr(_) | Command::Top { .. } => Self::Message,
            Command::Auth(Some(_)) => Self::Auth,
            // A bare AUTH lists mechanisms like CAPA lists capabilities; read it as a
            // list of single-word lines, which `Capabilities` does.
            Command::Auth(None) => Self::Capabilities,
            _ => Self::Status,
        }
    }

    /// Returns whether a `+OK` to this is followed by a multi-line body.
    pub const fn is_multi_line(self) -> bool {
        matches!(
            self,
            Self::ScanList
                | Self::UniqueIdList
                | Self::Capabilities
                | Self::Languages
                | Self::Message
        )
    }
}

/// A complete POP3 response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// The greeting.
    Greeting(Greeting),
    /// A single status line; also every `-ERR`, whatever was expected.
    Status(StatusLine),
    /// `+OK nn mm` to `STAT` (RFC 1939 §5): messages and octets, deleted ones excluded.
    Stat {
        /// The number of messages.
        count: u32,
        /// Their total size in octets.
        size: u64,
    },
    /// `+OK msg size` to `LIST msg`.
    Scan(ScanListing),
    /// The listings after `LIST`.
    ScanList {
        /// The first line.
        line: StatusLine,
        /// One per message.
        listings: Vec<ScanListing>,
    },
    /// `+OK msg unique-id` to `UIDL msg`.
    UniqueId(UidListing),
    /// The listings after `UIDL`.
    UniqueIdList {
        /// The first line.
        line: StatusLine,
        /// One per message.
        listings: Vec<UidListing>,
    },
    /// The capabilities after `CAPA` (RFC 2449 §5).
    Capabilities {
        /// The first line.
        line: StatusLine,
        /// One per line.
        capabilities: Vec<Capability>,
    },
    /// The languages after `LANG` (RFC 6856 §3).
    Languages {
        /// The first line.
        line: StatusLine,
        /// One per line.
        languages: Vec<Language>,
    },
    /// A message (or the top of one) after `RETR`/`TOP`, un-stuffed, ending with CRLF
    /// unless empty.
    Message {
        /// The first line.
        line: StatusLine,
        /// The content.
        body: Bytes,
    },
    /// A SASL challenge, decoded (RFC 5034 §4: `"+" SP base64`).
    Continuation(Vec<u8>),
}

/// Parses an `AUTH` continuation line (without CRLF): `+ base64`, or a bare `+` / `+ ` for an
/// empty challenge. Returns `None` when the line is no continuation.
///
/// RFC 5034 §4: "an empty server challenge is defined as a line with only a "+", followed by
/// a single space". Tolerated: the bare `+` without the space.
///
/// # Errors
/// [`ResponseError::Syntax`] when the base64 is invalid.
pub fn parse_continuation(line: &[u8], max_len: usize) -> Option<Result<Vec<u8>, ResponseError>> {
    let rest = line.strip_prefix(b"+")?;
    if rest.first().is_some_and(|&b| b != b' ') {
        return None;
    }
    let b64 = rest.get(1..).unwrap_or_default();
    Some(sasl::decode_challenge(b64, max_len).map_err(|_| ResponseError::syntax(2, "base64")))
}

/// Appends the continuation line `+ base64` (RFC 5034 §4) with its CRLF to `out`.
pub fn encode_continuation(challenge: &[u8], out: &mut BytesMut) {
    let mut b64 = Vec::with_capacity(sasl::encoded_len(challenge.len()));
    sasl::encode_challenge(challenge, &mut b64);
    out.put_slice(b"+ ");
    out.put_slice(&b64);
    out.put_slice(b"\r\n");
}

/// Splits one CRLF line off `input` at `pos`: returns the line and the position after it.
fn take_line(input: &[u8], pos: usize) -> Result<(&[u8], usize), ResponseError> {
    let rest = input.get(pos..).unwrap_or_default();
    let lf = memchr(b'\n', rest).ok_or(ResponseError::Incomplete)?;
    let line = rest
        .get(..lf)
        .and_then(|l| l.strip_suffix(b"\r"))
        .ok_or(ResponseError::syntax(pos + lf, "CRLF"))?;
    if let Some(at) = memchr(b'\r', line) {
        return Err(ResponseError::syntax(pos + at, "CRLF"));
    }
    Ok((line, pos + lf + 1))
}

/// Parses lines up to `.` into items, un-stuffing leading dots (RFC 1939 §3).
fn parse_list<T>(
    input: &[u8],
    mut pos: usize,
    item: impl Fn(&[u8]) -> Result<T, ResponseError>,
) -> Result<(Vec<T>, usize), ResponseError> {
    let mut out = Vec::new();
    loop {
        let (line, next) = take_line(input, pos)?;
        if line == b"." {
            return Ok((out, next));
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        out.push(item(line).map_err(|e| match e {
            ResponseError::Syntax { offset, expected } => {
                ResponseError::syntax(pos + offset, expected)
            }
            other => other,
        })?);
        pos = next;
    }
}

impl Response {
    /// Parses one complete response from the front of `input` and returns it with the number
    /// of octets it took.
    ///
    /// `-ERR` is always a single line. Multi-line bodies end at `CRLF.CRLF` and are
    /// un-stuffed (RFC 1939 §3). Lines must end with CRLF.
    ///
    /// # Errors
    /// [`ResponseError::Incomplete`] when `input` ends inside the response;
    /// [`ResponseError::Syntax`] with the offset of the offending byte.
    pub fn parse(expect: Expect, input: &[u8]) -> Result<(Self, usize), ResponseError> {
        let (first, pos) = take_line(input, 0)?;
        if expect == Expect::Auth
            && let Some(challenge) = parse_continuation(first, usize::MAX)
        {
            return Ok((Self::Continuation(challenge?), pos));
        }
        let line = StatusLine::parse(first)?;
        if !line.is_ok() {
            return Ok((Self::Status(line), pos));
        }
        let offset = |e: ResponseError| match e {
            ResponseError::Syntax { offset, expected } => {
                ResponseError::syntax(offset + 4, expected)
            }
            other => other,
        };
        let response = match expect {
            Expect::Greeting => (Self::Greeting(Greeting::new(line)), pos),
            Expect::Status | Expect::Auth => (Self::Status(line), pos),
            Expect::Stat => {
                let (count, size) = two_numbers(line.text().as_bytes()).map_err(offset)?;
                let count = u32::try_from(count).map_err(|_| ResponseError::syntax(4, "count"))?;
                (Self::Stat { count, size }, pos)
            }
            Expect::Scan => (
                Self::Scan(ScanListing::parse(line.text().as_bytes()).map_err(offset)?),
                pos,
            ),
            Expect::UniqueId => (
                Self::UniqueId(UidListing::parse(line.text().as_bytes()).map_err(offset)?),
                pos,
            ),
            Expect::ScanList => {
                let (listings, end) = parse_list(input, pos, ScanListing::parse)?;
                (Self::ScanList { line, listings }, end)
            }
            Expect::UniqueIdList => {
                let (listings, end) = parse_list(input, pos, UidListing::parse)?;
                (Self::UniqueIdList { line, listings }, end)
            }
            Expect::Capabilities => {
                let (capabilities, end) = parse_list(input, pos, Capability::parse)?;
                (Self::Capabilities { line, capabilities }, end)
            }
            Expect::Languages => {
                let (languages, end) = parse_list(input, pos, Language::parse)?;
                (Self::Languages { line, languages }, end)
            }
            Expect::Message => {
                let mut buf = BytesMut::from(input.get(pos..).unwrap_or_default());
                let mut decoder = DotDecoder::new(BareNewline::Reject);
                let mut body = BytesMut::new();
                loop {
                    match decoder.decode(&mut buf) {
                        Some(DotEvent::Data(d)) => body.extend_from_slice(&d),
                        Some(DotEvent::End(Ok(()))) => break,
                        Some(DotEvent::End(Err(_))) => {
                            return Err(ResponseError::syntax(pos, "CRLF line ends"));
                        }
                        Some(_) => {}
                        None => return Err(ResponseError::Incomplete),
                    }
                }
                let used = usize::try_from(decoder.consumed()).unwrap_or(usize::MAX);
                let end = pos.saturating_add(used);
                (
                    Self::Message {
                        line,
                        body: body.freeze(),
                    },
                    end,
                )
            }
        };
        Ok(response)
    }

    /// Appends the response, every line with its CRLF, multi-line bodies dot-stuffed and
    /// terminated, to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        fn list<T>(out: &mut BytesMut, items: &[T], enc: impl Fn(&T, &mut BytesMut)) {
            for item in items {
                let start = out.len();
                enc(item, out);
                // RFC 1939 §3: a line starting with "." is byte-stuffed.
                if out.get(start) == Some(&b'.') {
                    let tail = out.split_off(start);
                    out.put_u8(b'.');
                    out.unsplit(tail);
                }
                out.put_slice(b"\r\n");
            }
            out.put_slice(b".\r\n");
        }
        match self {
            Self::Greeting(g) => g.line.encode(out),
            Self::Status(line) => line.encode(out),
            Self::Stat { count, size } => {
                out.put_slice(format!("+OK {count} {size}\r\n").as_bytes());
            }
            Self::Scan(s) => {
                out.put_slice(b"+OK ");
                s.encode(out);
                out.put_slice(b"\r\n");
            }
            Self::UniqueId(u) => {
                out.put_slice(b"+OK ");
                u.encode(out);
                out.put_slice(b"\r\n");
            }
            Self::ScanList { line, listings } => {
                line.encode(out);
                list(out, listings, ScanListing::encode);
            }
            Self::UniqueIdList { line, listings } => {
                line.encode(out);
                list(out, listings, UidListing::encode);
            }
            Self::Capabilities { line, capabilities } => {
                line.encode(out);
                list(out, capabilities, Capability::encode);
            }
            Self::Languages { line, languages } => {
                line.encode(out);
                list(out, languages, Language::encode);
            }
            Self::Message { line, body } => {
                line.encode(out);
                dot::encode_message(body, out);
            }
            Self::Continuation(challenge) => encode_continuation(challenge, out),
        }
    }

    /// Returns the encoded response.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_with_codes() {
        let l =
            StatusLine::parse(b"-ERR [IN-USE] Do you have another POP session running?").unwrap();
        assert_eq!(l.code(), Some(&ResponseCode::InUse));
        assert_eq!(
            l.text().as_bytes(),
            b"Do you have another POP session running?"
        );
        let l = StatusLine::parse(b"-ERR [SYS/TEMP] later").unwrap();
        assert_eq!(l.code(), Some(&ResponseCode::SysTemp));
        let l = StatusLine::parse(b"-ERR [X-FOO/BAR] x").unwrap();
        assert_eq!(l.code(), Some(&ResponseCode::Other("X-FOO/BAR".into())));
        let l = StatusLine::parse(b"+OK [not a code").unwrap();
        assert_eq!(l.code(), None);
        assert!(StatusLine::parse(b"+OKAY").is_err());
        assert!(StatusLine::parse(b"OK").is_err());
    }

    #[test]
    fn greeting_timestamp() {
        let wire = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";
        let (r, n) = Response::parse(Expect::Greeting, wire).unwrap();
        assert_eq!(n, wire.len());
        let Response::Greeting(g) = r else { panic!() };
        assert_eq!(
            g.timestamp.as_deref(),
            Some(&b"<1896.697170952@dbc.mtview.ca.us>"[..])
        );
    }

    #[test]
    fn ambiguous_text_is_refused() {
        assert_eq!(
            StatusLine::new(Status::Ok, None, Text::try_from("[AUTH] x").unwrap()),
            Err(ValueError::AmbiguousText)
        );
    }

    #[test]
    fn continuation_forms() {
        assert_eq!(parse_continuation(b"+ ", 100), Some(Ok(vec![])));
        assert_eq!(parse_continuation(b"+", 100), Some(Ok(vec![])));
        assert_eq!(parse_continuation(b"+ aGk=", 100), Some(Ok(b"hi".to_vec())));
        assert_eq!(parse_continuation(b"+OK", 100), None);
        assert!(matches!(parse_continuation(b"+ !!", 100), Some(Err(_))));
    }
}

//! APPEND's messages: literals, literal8, UTF-8 data and CATENATE parts (RFC 9051 §6.3.12,
//! RFC 3502 MULTIAPPEND, RFC 3516 BINARY, RFC 4469 CATENATE, RFC 6855 §4 UTF8=ACCEPT).

use bytes::Bytes;

use super::mailbox::encode_list;
use crate::types::parser::{PResult, Parser, Upper};
use crate::types::{AString, DateTime, Encode, Encoder, Flag};

/// One message of APPEND (RFC 9051 §6.3.12; several with MULTIAPPEND, RFC 3502).
///
/// ```abnf
/// append-message = append-opts SP append-data      ; RFC 4466 §2.4
/// append-opts    = [SP flag-list] [SP date-time]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppendMessage {
    /// The flags to set; `None` when absent, `Some(vec![])` for `()`.
    pub flags: Option<Vec<Flag>>,
    /// The internal date to set.
    pub date: Option<DateTime>,
    /// The message, or the parts to catenate into it.
    pub data: AppendData,
}

impl AppendMessage {
    /// Returns a message without flags or date.
    pub const fn new(data: AppendData) -> Self {
        Self {
            flags: None,
            date: None,
            data,
        }
    }

    /// Returns the message with `flags` to set (`vec![]` sends `()`).
    #[must_use]
    pub fn with_flags(mut self, flags: Vec<Flag>) -> Self {
        self.flags = Some(flags);
        self
    }

    /// Returns the message with an internal date to set.
    #[must_use]
    pub fn with_date(mut self, date: DateTime) -> Self {
        self.date = Some(date);
        self
    }
}

/// What APPEND stores for one message (RFC 4466 §2.4 `append-data` and its extensions).
///
/// ```abnf
/// append-data  = literal / literal8 / append-data-ext             ; RFC 4466, RFC 3516
/// append-data  =/ utf8-literal                                    ; RFC 6855 §4
/// append-data  =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"   ; RFC 4469 §5
/// utf8-literal = "UTF8" SP "(" literal8 ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppendData {
    /// A `literal`. One holding NUL can only travel as `literal8` (RFC 3516 §4.2), so the
    /// encoder sends it as one and it reads back as [`AppendData::Literal8`].
    Literal(Bytes),
    /// A `literal8` (`~{n}`, BINARY, RFC 3516): it may hold NUL.
    Literal8(Bytes),
    /// `UTF8 (~{n})`: a message with UTF-8 header fields (UTF8=ACCEPT, RFC 6855 §4).
    Utf8(Bytes),
    /// `CATENATE (…)` (RFC 4469 §3): the message is these parts, one after the other.
    Catenate(Vec<CatenatePart>),
}

impl AppendData {
    /// Returns the message octets when they travel inline (every form but CATENATE).
    pub fn octets(&self) -> Option<&Bytes> {
        match self {
            Self::Literal(b) | Self::Literal8(b) | Self::Utf8(b) => Some(b),
            Self::Catenate(_) => None,
        }
    }
}

/// One part of a CATENATE message (RFC 4469 §5, RFC 6855 §4).
///
/// ```abnf
/// cat-part     = text-literal / url
/// cat-part     =/ utf8-literal                    ; RFC 6855 §4
/// text-literal = "TEXT" SP literal
/// url          = "URL" SP astring
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatenatePart {
    /// `URL astring`: a relative IMAP URL (RFC 5092) of a message or part on this server,
    /// whose octets the server copies in.
    Url(AString),
    /// `TEXT literal`: octets sent with the command. Tolerance: a `literal8` after `TEXT`;
    /// the encoder sends one only for octets holding NUL, which a `literal` cannot carry.
    Text(Bytes),
    /// `UTF8 (~{n})`: octets with UTF-8 header fields (RFC 6855 §4).
    Utf8(Bytes),
}

/// Reads `"UTF8" SP "(" literal8 ")"` after the `UTF8` keyword. Tolerance: a `literal`
/// inside the parentheses.
fn read_utf8_literal(p: &mut Parser<'_>) -> PResult<Bytes> {
    p.sp()?;
    p.byte(b'(', "'(' after UTF8")?;
    let (data, _) = match p.peek() {
        Some(b'{' | b'~') => p.literal(true)?,
        _ => return Err(p.err("literal8")),
    };
    p.byte(b')', "')' closing UTF8")?;
    Ok(data)
}

impl CatenatePart {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let name = Upper::new(p.atom()?);
        Ok(match name.as_bytes() {
            b"URL" => {
                p.sp()?;
                Self::Url(AString::read(p)?)
            }
            b"TEXT" => {
                p.sp()?;
                match p.peek() {
                    Some(b'{' | b'~') => Self::Text(p.literal(true)?.0),
                    _ => return Err(p.err("literal")),
                }
            }
            b"UTF8" => Self::Utf8(read_utf8_literal(p)?),
            _ => {
                return Err(crate::error::ParseError::syntax(
                    at,
                    "URL, TEXT or UTF8 (a CATENATE part)",
                ));
            }
        })
    }
}

impl Encode for CatenatePart {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Url(url) => {
                e.raw(b"URL ");
                url.encode(e);
            }
            Self::Text(data) => {
                e.raw(b"TEXT ");
                e.literal(data, memchr::memchr(0, data).is_some());
            }
            Self::Utf8(data) => {
                e.raw(b"UTF8 (");
                e.literal(data, true);
                e.raw(b")");
            }
        }
    }
}

impl AppendData {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.keyword(b"CATENATE") {
            p.sp()?;
            return p.list(true, CatenatePart::read).map(Self::Catenate);
        }
        if p.keyword(b"UTF8") {
            return read_utf8_literal(p).map(Self::Utf8);
        }
        match p.peek() {
            Some(b'{' | b'~') => {
                let (data, binary) = p.literal(true)?;
                Ok(if binary {
                    Self::Literal8(data)
                } else {
                    Self::Literal(data)
                })
            }
            _ => Err(p.err("literal, UTF8 or CATENATE")),
        }
    }
}

impl Encode for AppendData {
    fn encode(&self, e: &mut Encoder) {
        match self {
            // A message holding NUL can only travel as literal8 (RFC 3516 §4.2).
            Self::Literal(data) => e.literal(data, memchr::memchr(0, data).is_some()),
            Self::Literal8(data) => e.literal(data, true),
            Self::Utf8(data) => {
                e.raw(b"UTF8 (");
                e.literal(data, true);
                e.raw(b")");
            }
            Self::Catenate(parts) => {
                e.raw(b"CATENATE ");
                encode_list(parts, e);
            }
        }
    }
}

/// Reads the messages of APPEND after the mailbox (RFC 9051 §6.3.12, RFC 3502 §6.3.11).
///
/// ```abnf
/// append         = "APPEND" SP mailbox 1*append-message
/// append-message = append-opts SP append-data
/// append-opts    = [SP flag-list] [SP date-time]
/// ```
pub(super) fn read_messages(p: &mut Parser<'_>) -> PResult<Vec<AppendMessage>> {
    let mut messages = Vec::new();
    loop {
        p.sp()?;
        let flags = if p.peek() == Some(b'(') {
            let f = Flag::read_list(p)?;
            p.sp()?;
            Some(f)
        } else {
            None
        };
        let date = if p.peek() == Some(b'"') {
            let d = DateTime::read(p)?;
            p.sp()?;
            Some(d)
        } else {
            None
        };
        let data = AppendData::read(p)?;
        messages.push(AppendMessage { flags, date, data });
        // MULTIAPPEND: another message follows after SP.
        let save = p.pos();
        let more = p.eat_sp()
            && matches!(
                p.peek(),
                Some(b'(' | b'"' | b'{' | b'~' | b'U' | b'u' | b'C' | b'c')
            );
        p.seek(save);
        if !more {
            break;
        }
    }
    Ok(messages)
}

/// Writes the messages of APPEND after the mailbox, each preceded by SP.
pub(super) fn encode_messages(messages: &[AppendMessage], e: &mut Encoder) {
    for m in messages {
        if let Some(flags) = &m.flags {
            e.sp();
            encode_list(flags, e);
        }
        if let Some(d) = &m.date {
            e.sp();
            d.encode(e);
        }
        e.sp();
        m.data.encode(e);
    }
}

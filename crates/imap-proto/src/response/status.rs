//! Status responses and continuation requests (RFC 9051 §7.1, §7.5).

use bytes::Bytes;

use crate::error::{ParseError, ValueError};
use crate::types::parser::{Encoder, PResult, Parser};
use crate::types::{Encode, Tag};

use super::code::Code;
use super::value::Text;

/// The condition of a status response (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`.
    Ok,
    /// `NO`.
    No,
    /// `BAD`.
    Bad,
    /// `PREAUTH` (greeting only).
    PreAuth,
    /// `BYE` (untagged only).
    Bye,
}

impl StatusKind {
    /// Returns the keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::No => "NO",
            Self::Bad => "BAD",
            Self::PreAuth => "PREAUTH",
            Self::Bye => "BYE",
        }
    }
}

/// A status response: a greeting, a command's completion, or an untagged condition
/// (RFC 9051 §7.1).
///
/// ```abnf
/// greeting        = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
/// resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
/// resp-cond-bye   = "BYE" SP resp-text
/// resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
/// response-tagged = tag SP resp-cond-state CRLF
/// resp-text       = ["[" resp-text-code "]" SP] [text]
/// ```
///
/// A valid status has a tag only with OK, NO and BAD ([`Status::new`] checks it). The text
/// must not start with `[` when there is no code (it would read as one). Tolerances: no
/// text at all (`A1 OK`), no space between the code and the text, a `[` that does not
/// start a well-formed code read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    tag: Option<Tag>,
    kind: StatusKind,
    code: Option<Code>,
    text: Text,
}

impl Status {
    /// Returns a status response.
    ///
    /// # Errors
    /// [`ValueError`] for a tagged PREAUTH or BYE, or a text starting with `[` without a code.
    pub fn new(
        tag: Option<Tag>,
        kind: StatusKind,
        code: Option<Code>,
        text: Text,
    ) -> Result<Self, ValueError> {
        if tag.is_some() && matches!(kind, StatusKind::PreAuth | StatusKind::Bye) {
            return Err(ValueError::Range("tagged PREAUTH or BYE"));
        }
        if code.is_none() && text.as_bytes().first() == Some(&b'[') {
            return Err(ValueError::Byte {
                what: "response text without a code",
                byte: b'[',
                offset: 0,
            });
        }
        Ok(Self {
            tag,
            kind,
            code,
            text,
        })
    }

    /// Returns an untagged status with a text.
    ///
    /// # Errors
    /// [`ValueError`] when `text` holds CR, LF or NUL, or starts with `[`.
    pub fn untagged(kind: StatusKind, code: Option<Code>, text: &str) -> Result<Self, ValueError> {
        Self::new(None, kind, code, Text::try_from(text)?)
    }

    /// Returns a tagged OK, NO or BAD.
    ///
    /// # Errors
    /// [`ValueError`] for PREAUTH or BYE, or a text holding CR, LF or NUL or starting with `[`.
    pub fn tagged(
        tag: Tag,
        kind: StatusKind,
        code: Option<Code>,
        text: &str,
    ) -> Result<Self, ValueError> {
        Self::new(Some(tag), kind, code, Text::try_from(text)?)
    }

    /// Returns a status read by the parser, which may hold what [`Status::new`] refuses to
    /// build but reads back the same (a text starting with a `[` that starts no code).
    pub(crate) const fn from_parts(
        tag: Option<Tag>,
        kind: StatusKind,
        code: Option<Code>,
        text: Text,
    ) -> Self {
        Self {
            tag,
            kind,
            code,
            text,
        }
    }

    /// Returns the tag (`None` for an untagged response).
    pub const fn tag(&self) -> Option<&Tag> {
        self.tag.as_ref()
    }

    /// Returns the condition.
    pub const fn kind(&self) -> StatusKind {
        self.kind
    }

    /// Returns the response code.
    pub const fn code(&self) -> Option<&Code> {
        self.code.as_ref()
    }

    /// Returns the human-readable text.
    pub const fn text(&self) -> &Text {
        &self.text
    }

    /// Reads `resp-text` after the condition keyword.
    pub(crate) fn read_resp_text(p: &mut Parser<'_>) -> PResult<(Option<Code>, Text)> {
        if !p.eat_sp() {
            // Tolerance: `A1 OK` with no text.
            return Ok((None, Text::default()));
        }
        let mut code = None;
        if p.peek() == Some(b'[') {
            let save = p.pos();
            match Code::read(p) {
                Ok(c) => {
                    code = Some(c);
                    p.eat_sp();
                }
                // Tolerance: a bracket that starts no well-formed code is text, unless the
                // code was too deep (never silently accept a budget overrun).
                Err(e @ ParseError::TooDeep { .. }) => return Err(e),
                Err(_) => p.seek(save),
            }
        }
        Ok((code, Text::read_rest(p)?))
    }
}

impl Encode for Status {
    fn encode(&self, e: &mut Encoder) {
        match &self.tag {
            Some(t) => t.encode(e),
            None => e.raw(b"*"),
        }
        e.sp();
        e.raw(self.kind.as_str().as_bytes());
        if let Some(c) = &self.code {
            e.sp();
            c.encode(e);
        }
        if !self.text.is_empty() {
            e.sp();
            e.raw(self.text.as_bytes());
        }
    }
}

/// A continuation request (RFC 9051 §7.5): the server is ready for a literal, or sends a
/// SASL challenge.
///
/// ```abnf
/// continue-req = "+" SP (resp-text / base64) CRLF
/// ```
///
/// The grammar is ambiguous (`+ abcd` is both text and base64): the parser reads the rest
/// as [`Continuation::Base64`] when it has no code and is non-empty strict base64
/// (RFC 4648 with padding), else as text. A text that is valid base64 therefore reads back
/// as a challenge. Tolerance: `+` without a space.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Continuation {
    /// Human-readable text, e.g. `+ Ready for literal data`.
    Text {
        /// The response code.
        code: Option<Code>,
        /// The text (may be empty: `+ `).
        text: Text,
    },
    /// A SASL challenge, decoded.
    Base64(Bytes),
}

impl Continuation {
    /// Returns the SASL challenge: the decoded octets, or nothing for an empty `+ `.
    pub fn challenge(&self) -> Option<&[u8]> {
        match self {
            Self::Base64(b) => Some(b),
            Self::Text { code: None, text } if text.is_empty() => Some(&[]),
            Self::Text { .. } => None,
        }
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let (code, text) = Status::read_resp_text(p)?;
        if code.is_none() && !text.is_empty() {
            let raw = text.as_bytes();
            match mail_core::sasl::decode_challenge(raw, raw.len()) {
                Ok(data) if !data.is_empty() => return Ok(Self::Base64(Bytes::from(data))),
                _ => {}
            }
        }
        Ok(Self::Text { code, text })
    }
}

impl Encode for Continuation {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"+ ");
        match self {
            Self::Text { code, text } => {
                if let Some(c) = code {
                    c.encode(e);
                    if !text.is_empty() {
                        e.sp();
                    }
                }
                e.raw(text.as_bytes());
            }
            Self::Base64(data) => {
                let mut out = Vec::new();
                mail_core::sasl::encode_challenge(data, &mut out);
                e.raw(&out);
            }
        }
    }
}

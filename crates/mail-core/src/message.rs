//! A raw message with header access, and the SMTP envelope that carries it.
//!
//! [`Message`] wraps the bytes of an RFC 5322 message without copying them: header fields are
//! `Bytes` slices of the message, unfolded only when asked. [`Envelope`] is what SMTP moves
//! along with the message (RFC 5321 §2.3.1): the reverse path, the recipients and the ESMTP
//! parameters of `MAIL` and `RCPT`.

use bytes::{Bytes, BytesMut};
use core::fmt;
use core::str::FromStr;

use crate::ParseError;
use crate::address::rfc5321::{ForwardPath, ReversePath};

/// A message as it travels: header section, empty line, body (RFC 5322 §2.1).
///
/// Construction never fails: whatever the bytes are, they are a message to a mail system, and
/// a server must store what it accepted byte for byte. What cannot be read as a header field
/// ends the header section (see [`Message::new`]).
///
/// ```
/// use bytes::Bytes;
/// use mail_core::message::Message;
///
/// let msg = Message::new(Bytes::from_static(
///     b"Subject: a long\r\n  subject\r\nfrom: a@example.com\r\n\r\nHello\r\n",
/// ));
/// assert_eq!(msg.get("SUBJECT").unwrap().unfolded_value(), &b"a long  subject"[..]);
/// assert_eq!(msg.get("From").unwrap().name(), &b"from"[..]);
/// assert_eq!(msg.body(), &b"Hello\r\n"[..]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    raw: Bytes,
    body_start: usize,
    fields: Vec<HeaderField>,
}

/// One header field (RFC 5322 §2.2): a name and its raw, possibly folded, value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    name: Bytes,
    raw_value: Bytes,
}

impl HeaderField {
    /// Returns the field name as it appeared, without the colon or any white space before it.
    pub fn name(&self) -> &Bytes {
        &self.name
    }

    /// Returns whether the field's name is `name`, compared case-insensitively (RFC 5322 §1.2.2:
    /// header field names are case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }

    /// Returns the value exactly as it appeared after the colon, folding and the final line
    /// break included.
    pub fn raw_value(&self) -> &Bytes {
        &self.raw_value
    }

    /// Returns the unfolded value: every CRLF (or bare LF) that is followed by white space is
    /// removed (RFC 5322 §2.2.3), leading white space after the colon and the final line break
    /// are dropped. Trailing white space is kept, as it is part of the value.
    ///
    /// A value that was not folded is returned without a copy.
    pub fn unfolded_value(&self) -> Bytes {
        let v = trim_line_end(&self.raw_value);
        let start = v
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(v.len());
        let v = v.get(start..).unwrap_or_default();
        if memchr::memchr(b'\n', v).is_none() {
            return self.raw_value.slice_ref(v);
        }
        let mut out = BytesMut::with_capacity(v.len());
        let mut rest = v;
        while let Some(lf) = memchr::memchr(b'\n', rest) {
            let (line, tail) = rest.split_at(lf);
            out.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
            rest = tail.get(1..).unwrap_or_default();
        }
        out.extend_from_slice(rest);
        out.freeze()
    }

    /// Returns the unfolded value as text when it is valid UTF-8 (RFC 6532 allows UTF-8 in
    /// header values), or `None`.
    pub fn unfolded_str(&self) -> Option<String> {
        String::from_utf8(self.unfolded_value().to_vec()).ok()
    }
}

/// Returns `line` without one trailing CRLF or LF.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Returns whether `b` may appear in a field name: `ftext = %d33-57 / %d59-126`
/// (RFC 5322 §3.6.8).
const fn is_ftext(b: u8) -> bool {
    matches!(b, 33..=57 | 59..=126)
}

/// Returns the length of the field name at the start of `line` and the offset just after its
/// colon, or `None` when the line is not the start of a header field.
///
/// ```abnf
/// optional-field = field-name ":" unstructured CRLF      ; RFC 5322 §3.6.8
/// field-name     = 1*ftext
/// obs-optional   = field-name *WSP ":" unstructured CRLF ; RFC 5322 §4.5.8
/// ```
fn field_name(line: &[u8]) -> Option<(usize, usize)> {
    let name_len = line.iter().position(|&b| !is_ftext(b))?;
    if name_len == 0 {
        return None;
    }
    let after = line.get(name_len..)?;
    let ws = after.iter().position(|&b| b != b' ' && b != b'\t')?;
    (after.get(ws) == Some(&b':')).then_some((name_len, name_len + ws + 1))
}

impl Message {
    /// Splits `raw` into header fields and body (RFC 5322 §2.1, §2.2).
    ///
    /// ```abnf
    /// message = (fields / obs-fields) [CRLF body]
    /// ```
    ///
    /// The header section ends at the first empty line. Tolerances, each needed for real mail:
    /// - a bare LF is accepted as a line end, as Maildir files store messages with LF;
    /// - white space between the field name and the colon is accepted (`obs-optional`);
    /// - a line that is neither a field nor a continuation (an mbox `From ` line in the middle,
    ///   a missing empty line) ends the header section, and the body starts at that line, so
    ///   no byte is ever lost or attributed to the wrong field;
    /// - a message without an empty line is all header, with an empty body.
    pub fn new(raw: Bytes) -> Self {
        let mut fields: Vec<HeaderField> = Vec::new();
        let mut pos = 0usize;
        let mut body_start = raw.len();
        // Start of the field being read, and the offsets of its name and value.
        let mut current: Option<(usize, usize, usize)> = None;
        while pos < raw.len() {
            let rest = raw.get(pos..).unwrap_or_default();
            let line_len = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            let line = rest.get(..line_len).unwrap_or_default();
            let is_continuation = matches!(line.first(), Some(b' ' | b'\t'));
            if is_continuation && current.is_some() {
                pos += line_len;
                continue;
            }
            if let Some((start, name_end, value_start)) = current.take() {
                fields.push(HeaderField {
                    name: raw.slice(start..name_end),
                    raw_value: raw.slice(value_start..pos),
                });
            }
            if trim_line_end(line).is_empty() {
                body_start = pos + line_len;
                break;
            }
            match field_name(line) {
                Some((name_len, value_off)) => {
                    current = Some((pos, pos + name_len, pos + value_off));
                    pos += line_len;
                }
                None => {
                    body_start = pos;
                    break;
                }
            }
        }
        if let Some((start, name_end, value_start)) = current {
            fields.push(HeaderField {
                name: raw.slice(start..name_end),
                raw_value: raw.slice(value_start..pos),
            });
        }
        Self {
            raw,
            body_start,
            fields,
        }
    }

    /// Returns the whole message, unchanged.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// Returns the header section, including the empty line that ends it when there is one.
    pub fn header(&self) -> Bytes {
        self.raw.slice(..self.body_start)
    }

    /// Returns the body: everything after the empty line that ends the header section.
    pub fn body(&self) -> Bytes {
        self.raw.slice(self.body_start..)
    }

    /// Returns the byte offset at which the body starts.
    pub fn body_offset(&self) -> usize {
        self.body_start
    }

    /// Returns every header field, in order.
    pub fn fields(&self) -> &[HeaderField] {
        &self.fields
    }

    /// Returns the first field named `name` (case-insensitive), if any.
    pub fn get(&self, name: &str) -> Option<&HeaderField> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// Returns every field named `name` (case-insensitive), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a HeaderField> + 'a {
        self.fields.iter().filter(move |f| f.is(name))
    }
}

/// An ESMTP parameter of `MAIL` or `RCPT` in its wire form (RFC 5321 §4.1.2), such as
/// `SIZE=1000` or `SMTPUTF8`.
///
/// ```abnf
/// esmtp-param   = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value   = 1*(%d33-60 / %d62-126)          ; RFC 5321 §4.1.2
/// esmtp-value   =/ UTF8-non-ascii                  ; RFC 6531 §3.3
/// ```
///
/// `smtp-proto` gives the parameters it knows typed meanings; this type keeps any parameter
/// as it was, so that an envelope can carry extensions nobody here has heard of. The keyword
/// is kept as sent; [`EsmtpParameter::is`] compares it case-insensitively (§2.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EsmtpParameter {
    keyword: String,
    value: Option<String>,
}

/// Why a string is not a valid ESMTP parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParameterError {
    /// The keyword is empty or holds a character outside `ALPHA / DIGIT / "-"`, or starts
    /// with `-`.
    #[error("invalid esmtp-keyword")]
    Keyword,
    /// The value is empty or holds a space, `=`, a control character or invalid UTF-8.
    #[error("invalid esmtp-value")]
    Value,
}

fn is_esmtp_keyword(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}

fn is_esmtp_value(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| matches!(c, 33..=60 | 62..=126) || crate::address::is_utf8_non_ascii(c))
}

impl EsmtpParameter {
    /// Returns the parameter `keyword[=value]`.
    ///
    /// # Errors
    /// [`ParameterError`] when the keyword or the value breaks the ABNF above.
    pub fn new(keyword: &str, value: Option<&str>) -> Result<Self, ParameterError> {
        if !is_esmtp_keyword(keyword) {
            return Err(ParameterError::Keyword);
        }
        if let Some(v) = value
            && !is_esmtp_value(v)
        {
            return Err(ParameterError::Value);
        }
        Ok(Self {
            keyword: keyword.to_owned(),
            value: value.map(str::to_owned),
        })
    }

    /// Parses one `esmtp-param` (the ABNF above) from `input`, e.g. `BODY=8BITMIME`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that breaks the rule.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        let key_len = input
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
            .unwrap_or(input.len());
        let (key, rest) = input.split_at(key_len);
        if !key.first().is_some_and(u8::is_ascii_alphanumeric) {
            return Err(ParseError::new(0, "esmtp-keyword"));
        }
        let keyword = String::from_utf8_lossy(key).into_owned();
        let value = match rest.split_first() {
            None => None,
            Some((b'=', v)) => {
                if let Some(bad) = v
                    .iter()
                    .position(|&c| !(matches!(c, 33..=60 | 62..=126) || c >= 0x80))
                {
                    return Err(ParseError::new(key_len + 1 + bad, "esmtp-value"));
                }
                if v.is_empty() {
                    return Err(ParseError::new(key_len + 1, "esmtp-value"));
                }
                let v = core::str::from_utf8(v)
                    .map_err(|e| ParseError::new(key_len + 1 + e.valid_up_to(), "UTF-8"))?;
                Some(v.to_owned())
            }
            Some(_) => return Err(ParseError::new(key_len, "'=' or end of parameter")),
        };
        Ok(Self { keyword, value })
    }

    /// Returns the keyword as sent.
    pub fn keyword(&self) -> &str {
        &self.keyword
    }

    /// Returns whether the keyword is `keyword`, compared case-insensitively.
    pub fn is(&self, keyword: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(keyword)
    }

    /// Returns the value, if the parameter has one.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

impl fmt::Display for EsmtpParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.keyword)?;
        if let Some(v) = &self.value {
            write!(f, "={v}")?;
        }
        Ok(())
    }
}

impl FromStr for EsmtpParameter {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

/// One recipient of an [`Envelope`]: the forward path of `RCPT TO` and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recipient {
    /// Where the message goes.
    pub forward_path: ForwardPath,
    /// The `RCPT` parameters (`NOTIFY`, `ORCPT`, …), in the order they were given.
    pub parameters: Vec<EsmtpParameter>,
}

impl Recipient {
    /// Returns a recipient without parameters.
    pub fn new(forward_path: ForwardPath) -> Self {
        Self {
            forward_path,
            parameters: Vec::new(),
        }
    }
}

/// The SMTP envelope (RFC 5321 §2.3.1): who the message is from, for bounces, and who it is
/// for, separate from the `From:`/`To:` header fields of the message itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope {
    /// The `MAIL FROM` path; [`ReversePath::Null`] for bounces.
    pub reverse_path: ReversePath,
    /// The `MAIL` parameters (`SIZE`, `BODY`, `SMTPUTF8`, …), in the order they were given.
    pub parameters: Vec<EsmtpParameter>,
    /// The accepted recipients, in the order they were given.
    pub recipients: Vec<Recipient>,
}

impl Envelope {
    /// Returns an envelope from `reverse_path` with no parameters and no recipients yet.
    pub fn new(reverse_path: ReversePath) -> Self {
        Self {
            reverse_path,
            parameters: Vec::new(),
            recipients: Vec::new(),
        }
    }

    /// Returns the first `MAIL` parameter named `keyword` (case-insensitive).
    pub fn parameter(&self, keyword: &str) -> Option<&EsmtpParameter> {
        self.parameters.iter().find(|p| p.is(keyword))
    }

    /// Returns whether delivering this envelope needs the SMTPUTF8 extension (RFC 6531):
    /// a path with UTF-8 in it, or an explicit `SMTPUTF8` parameter.
    pub fn needs_smtputf8(&self) -> bool {
        self.parameter("SMTPUTF8").is_some()
            || self.reverse_path.needs_smtputf8()
            || self
                .recipients
                .iter()
                .any(|r| r.forward_path.needs_smtputf8())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(s: &'static [u8]) -> Message {
        Message::new(Bytes::from_static(s))
    }

    #[test]
    fn splits_rfc5322_appendix_a_1_1() {
        let m = msg(b"From: John Doe <jdoe@machine.example>\r\n\
To: Mary Smith <mary@example.net>\r\n\
Subject: Saying Hello\r\n\
Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n\
Message-ID: <1234@local.machine.example>\r\n\
\r\n\
This is a message just to say hello.\r\n\
So, \"Hello\".\r\n");
        assert_eq!(m.fields().len(), 5);
        assert_eq!(
            m.get("subject").unwrap().unfolded_value(),
            &b"Saying Hello"[..]
        );
        assert_eq!(
            m.get("MESSAGE-ID").unwrap().unfolded_str().as_deref(),
            Some("<1234@local.machine.example>")
        );
        assert_eq!(
            m.body(),
            &b"This is a message just to say hello.\r\nSo, \"Hello\".\r\n"[..]
        );
        assert!(m.header().ends_with(b"\r\n\r\n"));
        assert_eq!(m.header().len() + m.body().len(), m.raw().len());
    }

    #[test]
    fn unfolds_rfc5322_section_2_2_3() {
        let m = msg(b"Subject: This\r\n is a test\r\n\r\n");
        assert_eq!(
            m.get("Subject").unwrap().unfolded_value(),
            &b"This is a test"[..]
        );
        assert_eq!(
            m.get("Subject").unwrap().raw_value(),
            &b" This\r\n is a test\r\n"[..]
        );
    }

    #[test]
    fn unfolded_value_without_folding_is_a_slice_of_the_message() {
        let m = msg(b"X: value \r\n\r\n");
        let v = m.get("x").unwrap().unfolded_value();
        assert_eq!(v, &b"value "[..]);
        let raw = m.raw();
        let start = raw.as_ptr() as usize;
        let end = start + raw.len();
        assert!((start..end).contains(&(v.as_ptr() as usize)));
    }

    #[test]
    fn accepts_bare_lf_line_ends() {
        let m = msg(b"A: 1\nB: two\n  lines\n\nbody\n");
        assert_eq!(m.fields().len(), 2);
        assert_eq!(m.get("b").unwrap().unfolded_value(), &b"two  lines"[..]);
        assert_eq!(m.body(), &b"body\n"[..]);
    }

    #[test]
    fn accepts_white_space_before_the_colon() {
        let m = msg(b"Subject  : old style\r\n\r\n");
        let f = m.get("subject").unwrap();
        assert_eq!(f.name(), &b"Subject"[..]);
        assert_eq!(f.unfolded_value(), &b"old style"[..]);
    }

    #[test]
    fn a_line_that_is_no_field_starts_the_body() {
        let m = msg(b"A: 1\r\nnot a header line\r\nmore\r\n");
        assert_eq!(m.fields().len(), 1);
        assert_eq!(m.body(), &b"not a header line\r\nmore\r\n"[..]);
        assert_eq!(m.header(), &b"A: 1\r\n"[..]);
    }

    #[test]
    fn a_message_without_an_empty_line_is_all_header() {
        let m = msg(b"A: 1\r\nB: 2");
        assert_eq!(m.fields().len(), 2);
        assert_eq!(m.get("B").unwrap().unfolded_value(), &b"2"[..]);
        assert!(m.body().is_empty());
    }

    #[test]
    fn an_empty_message_and_a_body_only_message() {
        let empty = msg(b"");
        assert!(empty.fields().is_empty());
        assert!(empty.body().is_empty());
        let body_only = msg(b"\r\nbody");
        assert!(body_only.fields().is_empty());
        assert_eq!(body_only.body(), &b"body"[..]);
    }

    #[test]
    fn a_continuation_line_before_any_field_starts_the_body() {
        let m = msg(b" leading space\r\nA: 1\r\n");
        assert!(m.fields().is_empty());
        assert_eq!(m.body(), m.raw());
    }

    #[test]
    fn get_all_returns_every_field_of_a_name_in_order() {
        let m = msg(b"Received: one\r\nX: y\r\nreceived: two\r\n\r\n");
        let all: Vec<_> = m.get_all("RECEIVED").map(|f| f.unfolded_value()).collect();
        assert_eq!(
            all,
            vec![Bytes::from_static(b"one"), Bytes::from_static(b"two")]
        );
        assert!(m.get("missing").is_none());
    }

    #[test]
    fn an_empty_field_value() {
        let m = msg(b"Empty:\r\nNext: 1\r\n\r\n");
        assert_eq!(m.get("empty").unwrap().unfolded_value(), &b""[..]);
        assert_eq!(m.fields().len(), 2);
    }

    #[test]
    fn esmtp_parameters_parse_and_display() {
        let p: EsmtpParameter = "SIZE=1000".parse().unwrap();
        assert_eq!(p.keyword(), "SIZE");
        assert_eq!(p.value(), Some("1000"));
        assert!(p.is("size"));
        assert_eq!(p.to_string(), "SIZE=1000");
        let flag: EsmtpParameter = "SMTPUTF8".parse().unwrap();
        assert_eq!(flag.value(), None);
        assert_eq!(flag.to_string(), "SMTPUTF8");
        let utf8: EsmtpParameter = "X-NAME=J\u{f6}rg".parse().unwrap();
        assert_eq!(utf8.value(), Some("J\u{f6}rg"));
    }

    #[test]
    fn esmtp_parameters_reject_bad_syntax_with_offsets() {
        assert_eq!(
            "-X=1".parse::<EsmtpParameter>(),
            Err(ParseError::new(0, "esmtp-keyword"))
        );
        assert_eq!(
            "X=".parse::<EsmtpParameter>(),
            Err(ParseError::new(2, "esmtp-value"))
        );
        assert_eq!(
            "X=a=b".parse::<EsmtpParameter>(),
            Err(ParseError::new(3, "esmtp-value"))
        );
        assert_eq!(
            "X=a b".parse::<EsmtpParameter>(),
            Err(ParseError::new(3, "esmtp-value"))
        );
        assert_eq!(
            "X_Y".parse::<EsmtpParameter>(),
            Err(ParseError::new(1, "'=' or end of parameter"))
        );
        assert_eq!(
            EsmtpParameter::parse(b"X=\xff"),
            Err(ParseError::new(2, "UTF-8"))
        );
        assert!(EsmtpParameter::parse(b"X=a\r\nRSET").is_err());
        assert!(EsmtpParameter::parse(b"X=a\0").is_err());
    }

    #[test]
    fn esmtp_parameter_constructor_validates() {
        assert!(EsmtpParameter::new("BODY", Some("8BITMIME")).is_ok());
        assert_eq!(EsmtpParameter::new("", None), Err(ParameterError::Keyword));
        assert_eq!(
            EsmtpParameter::new("A", Some("x\r\ny")),
            Err(ParameterError::Value)
        );
        assert_eq!(
            EsmtpParameter::new("A", Some("")),
            Err(ParameterError::Value)
        );
    }

    #[test]
    fn envelope_collects_recipients_and_parameters() {
        let mut env = Envelope::new("<a@b.example>".parse().unwrap());
        env.parameters.push("SIZE=10".parse().unwrap());
        env.recipients
            .push(Recipient::new("<c@d.example>".parse().unwrap()));
        let mut r = Recipient::new(ForwardPath::Postmaster);
        r.parameters.push("NOTIFY=NEVER".parse().unwrap());
        env.recipients.push(r);
        assert_eq!(
            env.parameter("size").and_then(EsmtpParameter::value),
            Some("10")
        );
        assert!(env.parameter("BODY").is_none());
        assert_eq!(env.recipients.len(), 2);
        assert!(!env.needs_smtputf8());
    }

    #[test]
    fn envelope_needs_smtputf8_for_utf8_paths_or_the_parameter() {
        let mut env = Envelope::new(ReversePath::Null);
        assert!(!env.needs_smtputf8());
        env.recipients
            .push(Recipient::new("<j\u{f6}rg@example.com>".parse().unwrap()));
        assert!(env.needs_smtputf8());
        let mut env = Envelope::new("<a@b.example>".parse().unwrap());
        env.parameters.push("SMTPUTF8".parse().unwrap());
        assert!(env.needs_smtputf8());
        let env = Envelope::new("<\u{4f60}\u{597d}@example.com>".parse().unwrap());
        assert!(env.needs_smtputf8());
    }
}

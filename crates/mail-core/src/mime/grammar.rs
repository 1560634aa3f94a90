//! The structured-field grammar of MIME header fields, written with `nom`: white space and
//! comments, tokens, atoms and quoted strings (RFC 5322 §3.2, RFC 2045 §5.1), and on top of
//! them `Content-Type`, `Content-Disposition`, `Content-Transfer-Encoding`,
//! `Content-Language` and RFC 2231 parameters.
//!
//! Every parser here is lenient the way Dovecot's is, because IMAP clients compare what they
//! see with what Dovecot shows: a broken field yields as much as could be read, never an
//! error. Each tolerance is named where it is implemented.

use std::borrow::Cow;

use nom::bytes::complete::{take_while, take_while1};
use nom::{IResult, Parser};

use super::charset::Charset;

/// Whether `b` is RFC 5322 `atext` (RFC 5322 §3.2.3), 8-bit bytes included.
const fn atext_rule(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | 0x80..=0xff)
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
}

/// Bit 0: `atext`; bit 1: MIME `token` character. One table lookup per byte: these run on
/// every byte of every structured field.
// `i < 256` indexes a 256-entry table: it cannot be out of range.
#[allow(clippy::indexing_slicing)]
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let atext = atext_rule(b);
        let token = (atext && !matches!(b, b'/' | b'=' | b'?')) || b == b'.';
        table[i] = (atext as u8) | ((token as u8) << 1);
        i += 1;
    }
    table
};

/// A byte of RFC 5322 `atext` (RFC 5322 §3.2.3), with 8-bit bytes accepted as RFC 6532 §3.2
/// allows UTF-8 there.
#[inline]
pub fn is_atext(b: u8) -> bool {
    CLASS.get(usize::from(b)).is_some_and(|c| c & 1 != 0)
}

/// A byte of a MIME `token` (RFC 2045 §5.1): `atext` without the tspecials `/`, `=` and `?`,
/// plus `.` (which RFC 2045 allows and RFC 5322 `atext` does not).
#[inline]
pub fn is_token_char(b: u8) -> bool {
    CLASS.get(usize::from(b)).is_some_and(|c| c & 2 != 0)
}

/// A header field name to compare others with, case-insensitively (RFC 5322 §1.2.2), eight
/// octets at a time: a field name is matched with a length test and a few word comparisons
/// instead of a loop over its octets.
///
/// ```
/// use mail_core::mime::grammar::FieldName;
///
/// const CONTENT_TYPE: FieldName = FieldName::new("content-type");
/// assert!(CONTENT_TYPE.matches(b"Content-TYPE"));
/// assert!(!CONTENT_TYPE.matches(b"Content-Typo"));
/// assert!(!CONTENT_TYPE.matches(b"Content\rType"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldName {
    /// The length; `usize::MAX` (matching nothing) for a name over 32 octets.
    len: usize,
    /// The name in lower case, little-endian words, zero-padded.
    words: [u64; 4],
    /// `0x20` at each letter: or-ed into a word of a name, it makes the letters lower case
    /// and leaves every other octet as it is, so only the letters compare case-insensitively.
    masks: [u64; 4],
}

impl FieldName {
    /// The name `name` (ASCII, at most 32 octets; a longer one matches nothing).
    // `i < bytes.len() <= 32`, so `i / 8 < 4`: no index is out of range.
    #[allow(clippy::indexing_slicing)]
    pub const fn new(name: &str) -> Self {
        let bytes = name.as_bytes();
        let mut words = [0u64; 4];
        let mut masks = [0u64; 4];
        if bytes.len() > 32 {
            return Self {
                len: usize::MAX,
                words,
                masks,
            };
        }
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i].to_ascii_lowercase();
            let shift = 8 * (i % 8);
            words[i / 8] |= (b as u64) << shift;
            if b.is_ascii_lowercase() {
                masks[i / 8] |= 0x20 << shift;
            }
            i += 1;
        }
        Self {
            len: bytes.len(),
            words,
            masks,
        }
    }

    /// Whether `name` is this name, ignoring the case of its letters.
    #[inline]
    pub fn matches(&self, name: &[u8]) -> bool {
        if name.len() != self.len {
            return false;
        }
        let words = self.words.iter().zip(&self.masks);
        name.chunks(8)
            .zip(words)
            .all(|(chunk, (&want, &mask))| word(chunk) | mask == want)
    }
}

/// The first eight octets of `bytes` (fewer if it is shorter) as a little-endian word,
/// zero-padded: field names here, boundary line heads in the walker.
#[inline]
pub(super) fn word(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    if let (Some(dst), Some(src)) = (buf.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    u64::from_le_bytes(buf)
}

/// One parameter: its attribute and value as written (quoted strings unescaped), borrowed
/// from the field value unless unescaping or an RFC 2231 merge had to build them.
pub type Param<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// A token or atom read, the input after it and its white space, and whether input remains.
pub type Lexeme<'a> = (&'a [u8], &'a [u8], Rest);

/// What is left after white space and comments: more input, or the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rest {
    /// Input remains.
    More,
    /// The input ended.
    End,
}

/// A failure that ends a parse: an unterminated comment or quoted string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Broken;

/// Skips one comment that starts at `input[0] == '('` (RFC 5322 §3.2.2):
///
/// ```abnf
/// comment  = "(" *([FWS] ccontent) [FWS] ")"
/// ccontent = ctext / quoted-pair / comment
/// ```
///
/// Nested comments are counted, not recursed into. The comment's text (without the outer
/// parentheses, with quoted-pairs unescaped and line breaks removed) is appended to `text`
/// when it is given: an address without a display name uses its last comment as the name.
pub fn comment<'a>(input: &'a [u8], mut text: Option<&mut Vec<u8>>) -> Result<&'a [u8], Broken> {
    if let Some(t) = text.as_deref_mut() {
        t.clear();
    }
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&b) = input.get(i) {
        match b {
            b'(' => {
                depth += 1;
                if depth > 1
                    && let Some(t) = text.as_deref_mut()
                {
                    t.push(b);
                }
            }
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(input.get(i + 1..).unwrap_or_default());
                }
                if let Some(t) = text.as_deref_mut() {
                    t.push(b);
                }
            }
            b'\\' => {
                // A quoted-pair, except before a line break or NUL, where the backslash is
                // plain text (Dovecot's reading).
                match input.get(i + 1) {
                    None => return Err(Broken),
                    Some(b'\r' | b'\n' | 0) => {
                        if let Some(t) = text.as_deref_mut() {
                            t.push(b);
                        }
                    }
                    Some(&next) => {
                        if let Some(t) = text.as_deref_mut() {
                            t.push(next);
                        }
                        i += 1;
                    }
                }
            }
            b'\n' => {
                if let Some(t) = text.as_deref_mut()
                    && t.last() == Some(&b'\r')
                {
                    t.pop();
                }
            }
            0 => {
                if let Some(t) = text.as_deref_mut() {
                    t.extend_from_slice("\u{FFFD}".as_bytes());
                }
            }
            _ => {
                if let Some(t) = text.as_deref_mut() {
                    t.push(b);
                }
            }
        }
        i += 1;
    }
    Err(Broken)
}

/// Skips white space, line breaks and comments (RFC 5322 `CFWS`); returns the rest and
/// whether any input remains.
#[inline]
pub fn cfws(input: &[u8]) -> Result<(&[u8], Rest), Broken> {
    cfws_with(input, None)
}

/// [`cfws`], keeping the text of the last comment in `last_comment`.
#[inline]
pub fn cfws_with<'a>(
    input: &'a [u8],
    last_comment: Option<&mut Vec<u8>>,
) -> Result<(&'a [u8], Rest), Broken> {
    // Most calls find a token straight away: answer without entering the combinator.
    match input.first() {
        None => Ok((input, Rest::End)),
        Some(b' ' | b'\t' | b'\r' | b'\n' | b'(') => cfws_slow(input, last_comment),
        Some(_) => Ok((input, Rest::More)),
    }
}

/// [`cfws_with`] when there is white space or a comment to skip.
fn cfws_slow<'a>(
    mut input: &'a [u8],
    mut last_comment: Option<&mut Vec<u8>>,
) -> Result<(&'a [u8], Rest), Broken> {
    loop {
        let (rest, _) = ws(input);
        input = rest;
        match input.first() {
            None => return Ok((input, Rest::End)),
            Some(b'(') => input = comment(input, last_comment.as_deref_mut())?,
            Some(_) => return Ok((input, Rest::More)),
        }
    }
}

/// White space and line breaks: `*(SP / HTAB / CR / LF)`.
fn ws(input: &[u8]) -> (&[u8], &[u8]) {
    let r: IResult<&[u8], &[u8]> =
        take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).parse(input);
    r.unwrap_or((input, &[]))
}

/// Reads a MIME `token` (RFC 2045 §5.1), possibly empty, then [`cfws`] unless the token
/// reached the end.
#[inline]
pub fn token(input: &[u8]) -> Result<Lexeme<'_>, Broken> {
    let len = input
        .iter()
        .position(|&b| !is_token_char(b))
        .unwrap_or(input.len());
    let (tok, rest) = input.split_at_checked(len).unwrap_or((input, &[]));
    if rest.is_empty() {
        return Ok((tok, rest, Rest::End));
    }
    let (rest, more) = cfws(rest)?;
    Ok((tok, rest, more))
}

/// Reads an RFC 5322 `atom` (at least one `atext`), then [`cfws`] unless it reached the end;
/// `None` when no `atext` starts the input.
pub fn atom(input: &[u8]) -> Option<Result<Lexeme<'_>, Broken>> {
    let r: IResult<&[u8], &[u8]> = take_while1(is_atext).parse(input);
    let (rest, tok) = r.ok()?;
    if rest.is_empty() {
        return Some(Ok((tok, rest, Rest::End)));
    }
    Some(cfws(rest).map(|(rest, more)| (tok, rest, more)))
}

/// Reads a quoted string that starts at `input[0] == '"'` (RFC 5322 §3.2.4), appending its
/// content to `out`: quoted-pairs unescaped, folding line breaks removed, NUL replaced by
/// U+FFFD. Then [`cfws`].
///
/// ```abnf
/// quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
/// qcontent      = qtext / quoted-pair
/// ```
///
/// Tolerance: a backslash before a line break or NUL is kept as text.
pub fn quoted_string<'a>(input: &'a [u8], out: &mut Vec<u8>) -> Result<(&'a [u8], Rest), Broken> {
    let body = input.get(1..).unwrap_or_default();
    let mut i = 0usize;
    while let Some(&b) = body.get(i) {
        match b {
            b'"' => {
                let rest = body.get(i + 1..).unwrap_or_default();
                if rest.is_empty() {
                    return Ok((rest, Rest::End));
                }
                return cfws(rest);
            }
            b'\n' => {
                if out.last() == Some(&b'\r') {
                    out.pop();
                }
            }
            b'\\' => match body.get(i + 1) {
                None => return Err(Broken),
                Some(b'\r' | b'\n' | 0) => out.push(b),
                Some(&next) => {
                    out.push(next);
                    i += 1;
                }
            },
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            _ => out.push(b),
        }
        i += 1;
    }
    Err(Broken)
}

/// A value read, the input after it, and whether input remains.
type Value<'a> = (Cow<'a, [u8]>, &'a [u8], Rest);

/// One parameter as read (attribute and value), or `None` when broken; then the rest.
type ParamRead<'a> = (Option<(&'a [u8], Cow<'a, [u8]>)>, &'a [u8]);

/// [`quoted_string`] without a copy when the content needs no unescaping (no backslash,
/// line break or NUL), which is how almost every parameter value is written.
fn quoted_value(input: &[u8]) -> Result<Value<'_>, Broken> {
    let body = input.get(1..).unwrap_or_default();
    // Values are short: one plain pass finds the closing quote or what needs unescaping.
    let stop = body
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0));
    if let Some(close) = stop
        && body.get(close) == Some(&b'"')
        && let Some(content) = body.get(..close)
    {
        let rest = body.get(close + 1..).unwrap_or_default();
        if rest.is_empty() {
            return Ok((Cow::Borrowed(content), rest, Rest::End));
        }
        let (rest, more) = cfws(rest)?;
        return Ok((Cow::Borrowed(content), rest, more));
    }
    let mut out = Vec::new();
    let (rest, more) = quoted_string(input, &mut out)?;
    Ok((Cow::Owned(out), rest, more))
}

/// A `Content-Type` value (RFC 2045 §5.1) as far as it could be read, borrowed from the
/// field value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContentType<'a> {
    /// The media type as written (`text`), empty when broken.
    pub media_type: &'a [u8],
    /// The subtype as written (`plain`), empty when missing or broken.
    pub subtype: &'a [u8],
    /// The parameters in order, RFC 2231 continuations merged (see [`parameters`]); empty
    /// when the type itself was broken.
    pub params: Vec<Param<'a>>,
}

impl ContentType<'_> {
    /// Returns whether the media type is `t` and the subtype `s` (case-insensitive, RFC 2045
    /// §5.1).
    pub fn is(&self, t: &str, s: &str) -> bool {
        self.media_type.eq_ignore_ascii_case(t.as_bytes())
            && self.subtype.eq_ignore_ascii_case(s.as_bytes())
    }

    /// Returns the first parameter named `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&[u8]> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_ref())
    }
}

/// Parses a `Content-Type` field value (RFC 2045 §5.1).
///
/// ```abnf
/// content   := "Content-Type" ":" type "/" subtype *(";" parameter)
/// parameter := attribute "=" value
/// value     := token / quoted-string
/// ```
///
/// Tolerances, as Dovecot reads them: comments and white space anywhere between the parts;
/// a type without `/subtype` keeps the type with an empty subtype and no parameters; any
/// other damage before the parameters (`text/`, `/plain`, `text/plain garbage`) gives an
/// empty type and subtype, so that it is shown as it is rather than as `text/plain`.
pub fn content_type(value: &[u8]) -> ContentType<'_> {
    let (media_type, subtype, rest) = content_type_head(value);
    ContentType {
        media_type,
        subtype,
        params: rest.map(parameters).unwrap_or_default(),
    }
}

/// A Content-Type's type, subtype and parameter text (see [`content_type_head`]).
pub type ContentTypeHead<'a> = (&'a [u8], &'a [u8], Option<&'a [u8]>);

/// [`content_type`] without the parameters: the type, the subtype, and the input where the
/// parameters start (`None` when the type is broken and parameters do not count). What the
/// MIME walker needs, without building the parameter list.
pub fn content_type_head(value: &[u8]) -> ContentTypeHead<'_> {
    simple_content_type_head(value).unwrap_or_else(|| general_content_type_head(value))
}

/// The common form of [`content_type_head`]'s input, read in one pass: `type/subtype`,
/// both non-empty tokens, straight away and followed by the end or `;`. What the general
/// reader gives for such input, exactly; `None` for any other input.
fn simple_content_type_head(value: &[u8]) -> Option<ContentTypeHead<'_>> {
    let slash = value.iter().position(|&b| !is_token_char(b))?;
    if slash == 0 || value.get(slash) != Some(&b'/') {
        return None;
    }
    let after = value.get(slash + 1..)?;
    let sub_len = after
        .iter()
        .position(|&b| !is_token_char(b))
        .unwrap_or(after.len());
    let rest = after.get(sub_len..)?;
    if sub_len == 0 || !(rest.is_empty() || rest.first() == Some(&b';')) {
        return None;
    }
    Some((value.get(..slash)?, after.get(..sub_len)?, Some(rest)))
}

/// [`content_type_head`] for any input.
fn general_content_type_head(value: &[u8]) -> ContentTypeHead<'_> {
    let empty: &[u8] = &[];
    let broken = (empty, empty, None);
    let Ok((input, Rest::More)) = cfws(value) else {
        return broken;
    };
    let Ok((media, rest, more)) = token(input) else {
        return broken;
    };
    if media.is_empty() || more == Rest::End {
        return (media, empty, None);
    }
    let Some(after_slash) = rest.strip_prefix(b"/") else {
        return broken;
    };
    let Ok((after_slash, Rest::More)) = cfws(after_slash) else {
        return broken;
    };
    let Ok((sub, rest, _)) = token(after_slash) else {
        return broken;
    };
    if sub.is_empty() || !(rest.is_empty() || rest.first() == Some(&b';')) {
        return broken;
    }
    (media, sub, Some(rest))
}

/// The first parameter named `name` (case-insensitive) in `input` (`*(";" parameter)`),
/// when it is a plain parameter, found without building the list; `None` when it is absent
/// or written with RFC 2231 sections, which only [`parameters`] merges.
pub fn find_parameter<'a>(mut input: &'a [u8], name: &str) -> Option<Cow<'a, [u8]>> {
    let mut sections = false;
    while !input.is_empty() {
        let (param, rest) = parameter(input);
        input = rest;
        match param {
            Some((key, value)) if key.eq_ignore_ascii_case(name.as_bytes()) => {
                return (!sections).then_some(value);
            }
            Some((key, _)) => {
                sections |= key
                    .get(..name.len())
                    .is_some_and(|k| k.eq_ignore_ascii_case(name.as_bytes()))
                    && key.get(name.len()) == Some(&b'*');
            }
            None => input = skip_broken(input),
        }
    }
    None
}

/// After a broken parameter: skips one byte and looks for the next `;` (Dovecot's reading).
fn skip_broken(input: &[u8]) -> &[u8] {
    let input = input.get(1..).unwrap_or_default();
    let next = memchr::memchr(b';', input).unwrap_or(input.len());
    input.get(next..).unwrap_or_default()
}

/// Parses a `Content-Disposition` value (RFC 2183 §2): the disposition type and its
/// parameters, or `None` when not even the type could be read.
///
/// ```abnf
/// disposition := "Content-Disposition" ":" disposition-type *(";" disposition-parm)
/// ```
pub fn content_disposition(value: &[u8]) -> Option<(&[u8], Vec<Param<'_>>)> {
    let (input, _) = cfws(value).unwrap_or((value, Rest::End));
    let (kind, rest, _) = token(input).ok()?;
    Some((kind, parameters(rest)))
}

/// Parses a `Content-Transfer-Encoding` value (RFC 2045 §6.1): one token and nothing but
/// white space and comments after it, or `None`.
///
/// ```abnf
/// encoding := "Content-Transfer-Encoding" ":" mechanism
/// ```
pub fn transfer_encoding(value: &[u8]) -> Option<&[u8]> {
    let (input, _) = cfws(value).unwrap_or((value, Rest::End));
    let (tok, rest, _) = token(input).ok()?;
    let (_, more) = cfws(rest).ok()?;
    (more == Rest::End && !tok.is_empty()).then_some(tok)
}

/// Parses a `Content-Language` value (RFC 3282 §2): the language tags, comma separated,
/// up to the first that is not an atom.
///
/// ```abnf
/// Content-Language = "Content-Language" ":" 1#Language-tag
/// ```
pub fn content_language(value: &[u8]) -> Vec<&[u8]> {
    let mut tags = Vec::new();
    let (mut input, _) = cfws(value).unwrap_or((value, Rest::End));
    while let Some(Ok((tag, rest, _))) = atom(input) {
        tags.push(tag);
        match rest.strip_prefix(b",") {
            Some(after) => input = cfws(after).map_or(after, |(r, _)| r),
            None => break,
        }
    }
    tags
}

/// One `;` parameter: its attribute and value, or `None` for a broken one.
fn parameter(input: &[u8]) -> ParamRead<'_> {
    let Some(after) = input.strip_prefix(b";") else {
        return (None, input);
    };
    simple_parameter(after).unwrap_or_else(|| general_parameter(after))
}

/// [`parameter`] after its `;`, for any input.
fn general_parameter(after: &[u8]) -> ParamRead<'_> {
    let Ok((after, Rest::More)) = cfws(after) else {
        return (None, after_end(after));
    };
    let Ok((key, rest, more)) = token(after) else {
        return (None, after_end(after));
    };
    if more == Rest::End {
        return (None, rest);
    }
    let Some(rest) = rest.strip_prefix(b"=") else {
        return (None, rest);
    };
    let Ok((rest, more)) = cfws(rest) else {
        return (None, after_end(rest));
    };
    if more == Rest::End {
        return (Some((key, Cow::Borrowed(&[]))), rest);
    }
    match rest.first() {
        Some(b'"') => match quoted_value(rest) {
            Ok((value, rest, _)) => (Some((key, value)), rest),
            Err(Broken) => (None, after_end(rest)),
        },
        // Tolerance: `name==?utf-8?b?…?=` (an encoded word where a token belongs) runs to
        // the next `;` or white space.
        Some(b'=') => {
            let len = rest
                .iter()
                .position(|b| matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n'))
                .unwrap_or(rest.len());
            (
                Some((key, Cow::Borrowed(rest.get(..len).unwrap_or_default()))),
                rest.get(len..).unwrap_or_default(),
            )
        }
        _ => match token(rest) {
            Ok((tok, rest, _)) => (Some((key, Cow::Borrowed(tok))), rest),
            Err(Broken) => (None, after_end(rest)),
        },
    }
}

/// The common form of a parameter after its `;`, read in one pass: white space and line
/// breaks, a non-empty `attribute`, `=` at once, then a non-empty token or a quoted string
/// with nothing to unescape, followed by the end or the next `;`. What [`parameter`] reads
/// from such input, exactly; `None` for any other input, which [`parameter`] then reads.
fn simple_parameter(after: &[u8]) -> Option<ParamRead<'_>> {
    let lead = after
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))?;
    let input = after.get(lead..)?;
    let key_len = input.iter().position(|&b| !is_token_char(b))?;
    if key_len == 0 || input.get(key_len) != Some(&b'=') {
        return None;
    }
    let key = input.get(..key_len)?;
    let value = input.get(key_len + 1..)?;
    let (content, rest) = if value.first() == Some(&b'"') {
        let body = value.get(1..)?;
        let close = body
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0))?;
        if body.get(close) != Some(&b'"') {
            return None;
        }
        (body.get(..close)?, body.get(close + 1..)?)
    } else {
        let len = value
            .iter()
            .position(|&b| !is_token_char(b))
            .unwrap_or(value.len());
        if len == 0 {
            return None;
        }
        (value.get(..len)?, value.get(len..)?)
    };
    if !(rest.is_empty() || rest.first() == Some(&b';')) {
        return None;
    }
    Some((Some((key, Cow::Borrowed(content))), rest))
}

/// The empty rest of `input`, after an unterminated comment or quoted string.
fn after_end(input: &[u8]) -> &[u8] {
    input.get(input.len()..).unwrap_or_default()
}

/// An RFC 2231 section: `name*n` or `name*n*` or `name*`.
struct Section<'a> {
    name: &'a [u8],
    index: u32,
    extended: bool,
    value: Cow<'a, [u8]>,
    order: usize,
}

/// Parses `*(";" parameter)` and merges RFC 2231 sections (RFC 2231 §3, §4).
///
/// ```abnf
/// parameter        := regular-parameter / extended-parameter
/// extended-parameter := (ext-param-name "*" "=" ext-value) / (name "*0*=" ext-value)
///                       / (name "*" other-sections "*=" ext-octets) ...
/// ```
///
/// Plain parameters keep their order; RFC 2231 ones follow, sorted by name. Sections
/// numbered 0, 1, 2, … without a gap are concatenated into one parameter, named `name*` when
/// any section carried a charset (`*=`) and `name` otherwise; the charset and language prefix
/// and the `%XX` escapes are kept, and `%` of plain sections is escaped, so that the merged
/// value is one RFC 2231 `ext-value`. Sections with a gap are kept apart, each under its own
/// name. A broken parameter is skipped up to the next `;`. RFC 2047 encoded words in values
/// are left as they are (IMAP clients decode them).
pub fn parameters(mut input: &[u8]) -> Vec<Param<'_>> {
    let mut plain: Vec<Param<'_>> = Vec::new();
    let mut sections: Vec<Section<'_>> = Vec::new();
    // Dovecot's reading: a bare `name*` reuses the index of the section before it.
    let mut index = 0u32;
    while !input.is_empty() {
        let (param, rest) = parameter(input);
        input = rest;
        let Some((key, value)) = param else {
            input = skip_broken(input);
            continue;
        };
        match split_section(key, &mut index) {
            Some((name, extended)) => sections.push(Section {
                name,
                index,
                extended,
                value,
                order: sections.len(),
            }),
            None => plain.push((Cow::Borrowed(key), value)),
        }
    }
    if sections.is_empty() {
        return plain;
    }
    sections.sort_by(|a, b| {
        a.name
            .cmp(b.name)
            .then(a.index.cmp(&b.index))
            .then(a.order.cmp(&b.order))
    });
    let mut i = 0;
    while let Some(first) = sections.get(i) {
        let group_len = sections
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|s| s.name.eq_ignore_ascii_case(first.name))
            .count();
        let group = sections.get(i..i + group_len).unwrap_or_default();
        let contiguous = group
            .iter()
            .enumerate()
            .all(|(n, s)| u32::try_from(n).is_ok_and(|n| n == s.index));
        let any_extended = group.iter().any(|s| s.extended);
        if contiguous {
            let mut value = Vec::new();
            if any_extended && !first.extended {
                value.extend_from_slice(b"''");
            }
            for s in group {
                if any_extended && !s.extended {
                    for &b in s.value.iter() {
                        if b == b'%' {
                            value.extend_from_slice(b"%25");
                        } else {
                            value.push(b);
                        }
                    }
                } else {
                    value.extend_from_slice(&s.value);
                }
            }
            let mut name = first.name.to_vec();
            if any_extended {
                name.push(b'*');
            }
            plain.push((Cow::Owned(name), Cow::Owned(value)));
        } else {
            for s in group {
                let mut name = s.name.to_vec();
                name.push(b'*');
                name.extend_from_slice(s.index.to_string().as_bytes());
                if s.extended {
                    name.push(b'*');
                }
                plain.push((Cow::Owned(name), s.value.clone()));
            }
        }
        i += group_len.max(1);
    }
    plain
}

/// Reads `*(";" parameter)` as [`parameters`] does, handing each parameter to `each` in
/// order without building a list, as long as none is an RFC 2231 section (`name*`,
/// `name*n`, `name*n*`). Returns `false` at the first section, after handing over the
/// parameters before it: only [`parameters`] merges sections, so read the input with it
/// then. Without sections the parameters handed over are exactly those [`parameters`]
/// returns.
pub fn plain_parameters<'a>(
    mut input: &'a [u8],
    mut each: impl FnMut(&'a [u8], Cow<'a, [u8]>),
) -> bool {
    let mut index = 0u32;
    while !input.is_empty() {
        let (param, rest) = parameter(input);
        input = rest;
        let Some((key, value)) = param else {
            input = skip_broken(input);
            continue;
        };
        if split_section(key, &mut index).is_some() {
            return false;
        }
        each(key, value);
    }
    true
}

/// Splits an RFC 2231 parameter name `name*`, `name*n` or `name*n*` into the name and
/// whether it is extended, updating `index`; `None` for a plain name.
fn split_section<'a>(key: &'a [u8], index: &mut u32) -> Option<(&'a [u8], bool)> {
    let star = key.iter().position(|&b| b == b'*')?;
    let name = key.get(..star)?;
    let mut rest = key.get(star..)?;
    if rest.len() > 1 {
        rest = rest.get(1..)?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut n = 0u32;
        for &d in rest.get(..digits)? {
            n = n.wrapping_mul(10).wrapping_add(u32::from(d - b'0'));
        }
        *index = n;
        rest = rest.get(digits..)?;
    }
    let extended = rest.first() == Some(&b'*');
    if extended {
        rest = rest.get(1..)?;
    }
    rest.is_empty().then_some((name, extended))
}

/// Decodes a merged RFC 2231 `ext-value` (`charset'language'%XX…`, RFC 2231 §4) to UTF-8,
/// or `None` when the charset is unknown or the value is malformed.
///
/// ```abnf
/// ext-value   := [charset] "'" [language] "'" extended-other-values
/// ```
pub fn decode_ext_value(value: &[u8]) -> Option<String> {
    let first = value.iter().position(|&b| b == b'\'')?;
    let charset = value.get(..first)?;
    let after = value.get(first + 1..)?;
    let second = after.iter().position(|&b| b == b'\'')?;
    let encoded = after.get(second + 1..)?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while let Some(&b) = encoded.get(i) {
        if b == b'%' {
            let hi = hex(*encoded.get(i + 1)?)?;
            let lo = hex(*encoded.get(i + 2)?)?;
            bytes.push(hi << 4 | lo);
            i += 3;
        } else {
            bytes.push(b);
            i += 1;
        }
    }
    // RFC 2231 §4: an empty charset leaves the octets as they are; read them as UTF-8.
    let charset = if charset.is_empty() {
        Charset::Utf8
    } else {
        Charset::from_name(charset)
    };
    charset.decode(&bytes)
}

/// Returns the value of one hexadecimal digit, either case.
pub(crate) const fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass reading of the common Content-Type form gives what the general reader
    /// gives, for every input it accepts.
    #[test]
    fn simple_content_type_head_reads_as_the_general_reader() {
        let types = ["text", "", "te(x)t", " text", "multi.part", "a=b"];
        let seps = ["/", " /", "/ ", "//", ""];
        let subs = ["plain", "", "pl ain", "x-y", "a/b"];
        let tails = ["", ";", "; charset=x", " ;", "x", "\r\n", " (c)", "\t;"];
        let mut accepted = 0;
        for t in types {
            for s in seps {
                for u in subs {
                    for r in tails {
                        let v = format!("{t}{s}{u}{r}");
                        if let Some(fast) = simple_content_type_head(v.as_bytes()) {
                            accepted += 1;
                            assert_eq!(fast, general_content_type_head(v.as_bytes()), "{v:?}");
                        }
                    }
                }
            }
        }
        assert!(accepted > 10, "{accepted}");
    }

    /// The one-pass reading of the common parameter form gives what the general reader
    /// gives, for every input it accepts.
    #[test]
    fn simple_parameter_reads_as_the_general_reader() {
        let leads = ["", " ", "\r\n\t", "\n ", " (c) ", "\t"];
        let keys = ["charset", "name*", "a.b", "", "x y", "k(c)", "n*0*"];
        let eqs = ["=", " =", "= "];
        let values = [
            "utf-8",
            "\"a b\"",
            "\"\"",
            "\"a\\\"b\"",
            "\"a\r\n b\"",
            "\"open",
            "",
            "=?utf-8?q?x?=",
            "a/b",
            "\"x\"y",
            "tok (c)",
            "\"q\" ",
        ];
        let tails = ["", ";", "; x=y", " ;", "x", "\r\n"];
        let mut accepted = 0;
        for l in leads {
            for k in keys {
                for e in eqs {
                    for v in values {
                        for t in tails {
                            let after = format!("{l}{k}{e}{v}{t}");
                            if let Some(fast) = simple_parameter(after.as_bytes()) {
                                accepted += 1;
                                assert_eq!(fast, general_parameter(after.as_bytes()), "{after:?}");
                            }
                        }
                    }
                }
            }
        }
        assert!(accepted > 100, "{accepted}");
    }

    fn params(s: &str) -> Vec<(String, String)> {
        parameters(s.as_bytes())
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn content_type_rfc2045_and_broken_forms() {
        let ct = content_type(b" text/plain; charset=\"us-ascii\" (Plain text)");
        assert!(ct.is("TEXT", "PLAIN"));
        assert_eq!(ct.param("CHARSET"), Some(&b"us-ascii"[..]));
        let ct = content_type(b"(c) text / html ; a=b");
        assert_eq!((ct.media_type, ct.subtype), (&b"text"[..], &b"html"[..]));
        assert_eq!(content_type(b"text").media_type, b"text");
        assert!(content_type(b"text").subtype.is_empty());
        for broken in [&b"text/"[..], b"/plain", b"text/plain garbage", b"", b"  "] {
            let ct = content_type(broken);
            assert!(
                ct.media_type.is_empty() && ct.subtype.is_empty(),
                "{broken:?}"
            );
        }
    }

    #[test]
    fn parameters_lenient() {
        assert_eq!(params("; a=1; A=2"), vec![p("a", "1"), p("A", "2")]);
        assert_eq!(params("; charset="), vec![p("charset", "")]);
        assert_eq!(params("; =x"), vec![p("", "x")]);
        assert_eq!(params(";; charset=x"), vec![]);
        // Dovecot skips to the next `;` after a broken parameter, so `b=c` is lost.
        assert_eq!(params("; charset; b=c"), vec![]);
        assert_eq!(params("; charset x; b=c"), vec![p("b", "c")]);
        assert_eq!(
            params("; name==?utf-8?q?a?= ; x=y"),
            vec![p("name", "=?utf-8?q?a?="), p("x", "y")]
        );
        assert_eq!(params("; a=\"x\\\"y\""), vec![p("a", "x\"y")]);
        assert_eq!(params("; a=\"unterminated"), vec![]);
        assert_eq!(params("; a=\"fol\r\n ded\""), vec![p("a", "fol ded")]);
    }

    #[test]
    fn rfc2231_sections_merge() {
        // RFC 2231 §3 and §4.1 examples.
        assert_eq!(
            params(
                "; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\""
            ),
            vec![p(
                "URL",
                "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"
            )]
        );
        assert_eq!(
            params(
                "; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\""
            ),
            vec![p(
                "title*",
                "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn't it!"
            )]
        );
        assert_eq!(params("; f*1=\"b\"; f*0=\"a\""), vec![p("f", "ab")]);
        assert_eq!(
            params("; f*0=\"a\"; f*2=\"c\""),
            vec![p("f*0", "a"), p("f*2", "c")]
        );
        assert_eq!(params("; f*0=\"1%\"; f*1*=%41"), vec![p("f*", "''1%25%41")]);
        assert_eq!(
            params("; a=1; z*=x; b=2"),
            vec![p("a", "1"), p("b", "2"), p("z*", "x")]
        );
        assert_eq!(
            decode_ext_value(b"us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A").as_deref(),
            Some("This is ***fun***")
        );
        assert_eq!(
            decode_ext_value(b"iso-8859-1''caf%E9").as_deref(),
            Some("café")
        );
        assert_eq!(decode_ext_value(b"koi8-r''x"), None);
        assert_eq!(decode_ext_value(b"utf-8''%zz"), None);
    }

    #[test]
    fn disposition_encoding_language() {
        let (kind, ps) = content_disposition(b"attachment; filename=\"a b.txt\"").unwrap();
        assert_eq!(kind, b"attachment");
        assert_eq!(
            ps,
            vec![(
                Cow::Borrowed(&b"filename"[..]),
                Cow::Borrowed(&b"a b.txt"[..])
            )]
        );
        assert_eq!(
            transfer_encoding(b" base64 (comment)"),
            Some(&b"base64"[..])
        );
        assert_eq!(transfer_encoding(b"base64 garbage"), None);
        assert_eq!(transfer_encoding(b""), None);
        assert_eq!(
            content_language(b"en, de-AT (Austrian), fr"),
            vec![&b"en"[..], b"de-AT", b"fr"]
        );
        assert_eq!(content_language(b"en,,de"), vec![&b"en"[..]]);
        assert!(content_language(b"\"en\"").is_empty());
    }

    #[test]
    fn comments_nest_without_recursion() {
        let deep = "(".repeat(100_000) + &")".repeat(100_000) + "x";
        assert_eq!(cfws(deep.as_bytes()).unwrap().0, b"x");
        assert!(cfws(b"(unterminated").is_err());
        let mut text = Vec::new();
        comment(b"(a \\) (b) c)", Some(&mut text)).unwrap();
        assert_eq!(text, b"a ) (b) c");
    }
}

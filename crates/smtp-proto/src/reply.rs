//! Server → client: SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 2034, 3463).
//!
//! A [`Reply`] is a code and one or more text lines. It is parsed one line at a time with
//! [`ReplyParser`] (the caller frames the lines, so that a reply can never be longer than the
//! configured limits), and encoded with [`Reply::encode`].

use bytes::{Bytes, BytesMut};
use core::fmt;
use core::str::FromStr;

use mail_core::text::CompactText;

use crate::error::ReplyError;

/// A three-digit SMTP reply code (RFC 5321 §4.2).
///
/// ```abnf
/// Reply-code = %x32-35 %x30-35 %x30-39
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

/// The kind of answer a reply code gives, from its first digit (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// `2yz`: the action completed.
    PositiveCompletion,
    /// `3yz`: go on, send more (after `DATA`, during `AUTH`).
    PositiveIntermediate,
    /// `4yz`: not done this time; the client may try again later.
    TransientNegative,
    /// `5yz`: not done, and trying again the same way will not help.
    PermanentNegative,
}

impl ReplyCode {
    /// `211` System status, or system help reply.
    pub const SYSTEM_STATUS: Self = Self(211);
    /// `214` Help message.
    pub const HELP: Self = Self(214);
    /// `220` `<domain>` Service ready.
    pub const SERVICE_READY: Self = Self(220);
    /// `221` `<domain>` Service closing transmission channel.
    pub const CLOSING: Self = Self(221);
    /// `235` Authentication succeeded (RFC 4954 §6).
    pub const AUTH_SUCCEEDED: Self = Self(235);
    /// `250` Requested mail action okay, completed.
    pub const OK: Self = Self(250);
    /// `251` User not local; will forward.
    pub const USER_NOT_LOCAL_WILL_FORWARD: Self = Self(251);
    /// `252` Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VRFY: Self = Self(252);
    /// `334` Server challenge during `AUTH` (RFC 4954 §4).
    pub const AUTH_CHALLENGE: Self = Self(334);
    /// `354` Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Self = Self(354);
    /// `421` Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: Self = Self(421);
    /// `450` Requested mail action not taken: mailbox unavailable.
    pub const MAILBOX_BUSY: Self = Self(450);
    /// `451` Requested action aborted: local error in processing.
    pub const LOCAL_ERROR: Self = Self(451);
    /// `452` Requested action not taken: insufficient system storage (also too many
    /// recipients, RFC 5321 §4.5.3.1.10).
    pub const INSUFFICIENT_STORAGE: Self = Self(452);
    /// `454` TLS not available / temporary authentication failure (RFC 3207, 4954).
    pub const TEMPORARY_FAILURE: Self = Self(454);
    /// `455` Server unable to accommodate parameters.
    pub const UNABLE_TO_ACCOMMODATE_PARAMETERS: Self = Self(455);
    /// `500` Syntax error, command unrecognized (also: line too long).
    pub const SYNTAX_ERROR: Self = Self(500);
    /// `501` Syntax error in parameters or arguments.
    pub const PARAMETER_SYNTAX_ERROR: Self = Self(501);
    /// `502` Command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);
    /// `503` Bad sequence of commands.
    pub const BAD_SEQUENCE: Self = Self(503);
    /// `504` Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: Self = Self(504);
    /// `521` Server does not accept mail (RFC 7504); Postfix also closes with it on a bare
    /// newline.
    pub const NO_MAIL_ACCEPTED: Self = Self(521);
    /// `530` Authentication required (RFC 4954 §6).
    pub const AUTH_REQUIRED: Self = Self(530);
    /// `535` Authentication credentials invalid (RFC 4954 §6).
    pub const AUTH_INVALID: Self = Self(535);
    /// `538` Encryption required for requested authentication mechanism (RFC 4954 §6).
    pub const ENCRYPTION_REQUIRED: Self = Self(538);
    /// `550` Requested action not taken: mailbox unavailable.
    pub const MAILBOX_UNAVAILABLE: Self = Self(550);
    /// `551` User not local.
    pub const USER_NOT_LOCAL: Self = Self(551);
    /// `552` Requested mail action aborted: exceeded storage allocation.
    pub const EXCEEDED_STORAGE: Self = Self(552);
    /// `553` Requested action not taken: mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: Self = Self(553);
    /// `554` Transaction failed (or, in a greeting, no SMTP service here).
    pub const TRANSACTION_FAILED: Self = Self(554);
    /// `555` MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMETERS_NOT_RECOGNIZED: Self = Self(555);

    /// Returns the code `value` when it fits `Reply-code` (first digit 2–5, second 0–5).
    pub const fn new(value: u16) -> Option<Self> {
        let (a, b) = (value / 100, (value / 10) % 10);
        if a >= 2 && a <= 5 && b <= 5 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// Returns the code as a number.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// Returns what kind of answer the code gives.
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// Returns whether the code is `2yz`.
    pub const fn is_positive_completion(self) -> bool {
        self.0 / 100 == 2
    }

    /// Returns whether the code is `4yz` or `5yz`.
    pub const fn is_negative(self) -> bool {
        self.0 >= 400
    }

    /// Returns the code's three ASCII digits.
    pub const fn digits(self) -> [u8; 3] {
        [
            b'0' + (self.0 / 100) as u8,
            b'0' + ((self.0 / 10) % 10) as u8,
            b'0' + (self.0 % 10) as u8,
        ]
    }

    /// Reads the three digits of a line's first four octets, as one word: a byte-wise
    /// range test by carries, which stay inside each octet because every octet added to is
    /// below 0x80 once bit 7 is known clear.
    #[inline(always)]
    fn from_head(head: [u8; 4]) -> Option<Self> {
        const HI: u32 = 0x0080_8080;
        let w = u32::from_le_bytes(head) & 0x00ff_ffff;
        // An octet is at least its lower bound ('2', '0', '0') when adding 0x80 - bound
        // sets bit 7, and at most its upper bound ('5', '5', '9') when adding
        // 0x7f - bound leaves bit 7 clear (the lowest octet is the first digit).
        let ge = w.wrapping_add(0x0050_504e) & HI;
        let le = w.wrapping_add(0x0046_4a4a) & HI;
        if w & HI != 0 || ge != HI || le != 0 {
            return None;
        }
        let d = w - 0x0030_3030;
        let (a, b, c) = (d & 0xff, (d >> 8) & 0xff, d >> 16);
        Some(Self((a * 100 + b * 10 + c) as u16))
    }

    /// Reads three digits (`Reply-code`).
    #[inline(always)]
    fn from_digits(a: u8, b: u8, c: u8) -> Option<Self> {
        let (a, b, c) = (
            a.wrapping_sub(b'0'),
            b.wrapping_sub(b'0'),
            c.wrapping_sub(b'0'),
        );
        // Non-short-circuit `&`: one branch for the three ranges.
        if (a.wrapping_sub(2) <= 3) & (b <= 5) & (c <= 9) {
            Some(Self(u16::from(a) * 100 + u16::from(b) * 10 + u16::from(c)))
        } else {
            None
        }
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced mail system status code (RFC 3463 §2), such as `5.1.1`.
///
/// ```abnf
/// status-code = class "." subject "." detail
/// class       = "2" / "4" / "5"
/// subject     = 1*3digit
/// detail      = 1*3digit
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedStatusCode {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatusCode {
    /// Returns the code `class.subject.detail` when the class is 2, 4 or 5 and the other
    /// parts have at most three digits.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999 {
            Some(Self {
                class,
                subject,
                detail,
            })
        } else {
            None
        }
    }

    /// Returns the class: 2 (success), 4 (persistent transient failure) or 5 (permanent).
    pub const fn class(self) -> u8 {
        self.class
    }

    /// Returns the subject (RFC 3463 §3: 0 other, 1 addressing, 2 mailbox, 3 mail system,
    /// 4 network and routing, 5 mail delivery protocol, 6 message content, 7 security).
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// Returns the detail number.
    pub const fn detail(self) -> u16 {
        self.detail
    }

    /// Parses a status code at the start of `input` and returns it with the number of bytes it
    /// took. Nothing is consumed unless the code is followed by a space or the end of input.
    fn parse_prefix(input: &[u8]) -> Option<(Self, usize)> {
        let (&class, rest) = input.split_first()?;
        let class = match class {
            b'2' | b'4' | b'5' => class - b'0',
            _ => return None,
        };
        let rest = rest.strip_prefix(b".")?;
        let (subject, n1) = three_digits(rest)?;
        let rest = rest.get(n1..)?.strip_prefix(b".")?;
        let (detail, n2) = three_digits(rest)?;
        let used = 1 + 1 + n1 + 1 + n2;
        match input.get(used) {
            None | Some(b' ') => Some((
                Self {
                    class,
                    subject,
                    detail,
                },
                used,
            )),
            _ => None,
        }
    }
}

/// Reads one to three digits; more than three is no `subject`/`detail`.
fn three_digits(input: &[u8]) -> Option<(u16, usize)> {
    let n = input
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n == 0 || n > 3 {
        return None;
    }
    let value = input
        .iter()
        .take(n)
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    Some((value, n))
}

impl fmt::Display for EnhancedStatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl FromStr for EnhancedStatusCode {
    type Err = ReplyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Self::parse_prefix(s.as_bytes()) {
            Some((code, n)) if n == s.len() => Ok(code),
            _ => Err(ReplyError::Syntax {
                offset: 0,
                expected: "enhanced status code class.subject.detail",
            }),
        }
    }
}

/// Returns whether `line` may be sent as reply text: no CR, LF or NUL, valid UTF-8.
///
/// RFC 5321 §4.2 allows `textstring = 1*(%d09 / %d32-126)`; RFC 6531 §3.7.4.2 lets an
/// SMTPUTF8 server send UTF-8 text, so UTF-8 is accepted. Other control characters are
/// refused as well, so that a reply never carries terminal escapes a peer did not send.
fn is_text(line: &str) -> bool {
    line.bytes().all(|b| b == b'\t' || b >= 0x20 && b != 0x7f)
}

/// A complete SMTP reply: a code and its text lines (RFC 5321 §4.2).
///
/// ```abnf
/// Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///              Reply-code [ SP textstring ] CRLF
/// ```
///
/// The text lines are kept as sent, enhanced status code included: [`Reply::enhanced_code`]
/// and [`Reply::text`] read it back. Keeping the lines whole is what makes
/// `parse(encode(reply)) == reply` hold for every reply.
///
/// The lines are held as one text, joined by LF (no line can hold one), inline when short:
/// reading `250 2.1.5 Ok` allocates nothing. [`Reply::text_lines`] reads them without
/// allocating; [`Reply::lines`] collects them.
#[derive(Clone)]
pub struct Reply {
    code: ReplyCode,
    /// The text lines joined by LF.
    text: ReplyText,
}

/// The text of a reply, inline up to [`INLINE_TEXT`] octets: nine replies in ten from real
/// servers (`250 OK`, `354 End data with <CR><LF>.<CR><LF>`, `250 2.0.0 Ok: queued as 4Dq…`).
/// With the code, a [`Reply`] is 64 octets.
type ReplyText = CompactText<INLINE_TEXT>;

/// How long a reply text may be and still be held inline.
const INLINE_TEXT: usize = 54;

impl Reply {
    /// Returns a reply with one text line, prefixed with the enhanced status code when one is
    /// given (RFC 2034 §4: every line of a reply starts with it).
    ///
    /// # Errors
    /// [`ReplyError::Text`] when `text` holds CR, LF or another control character.
    pub fn new(
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) -> Result<Self, ReplyError> {
        Self::multiline(code, enhanced, [text])
    }

    /// Returns a reply with one line per item of `lines`, each prefixed with the enhanced
    /// status code when one is given. An empty `lines` gives one empty line.
    ///
    /// # Errors
    /// [`ReplyError::Text`] when a line holds CR, LF or another control character.
    pub fn multiline<'a>(
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, ReplyError> {
        let mut text = String::new();
        let mut count = 0;
        for line in lines {
            if !is_text(line) {
                return Err(ReplyError::Text);
            }
            if count > 0 {
                text.push('\n');
            }
            count += 1;
            match (enhanced, line.is_empty()) {
                (Some(e), true) => text.push_str(&e.to_string()),
                (Some(e), false) => text.push_str(&format!("{e} {line}")),
                (None, _) => text.push_str(line),
            }
        }
        if count == 0
            && let Some(e) = enhanced
        {
            text.push_str(&e.to_string());
        }
        Ok(Self::from_text(code, ReplyText::from_string(text)))
    }

    /// Returns a one-line reply from text known to be valid (no control characters).
    pub(crate) fn trusted(code: ReplyCode, text: &'static str) -> Self {
        debug_assert!(is_text(text));
        Self::from_text(code, ReplyText::new(text))
    }

    fn from_text(code: ReplyCode, text: ReplyText) -> Self {
        Self { code, text }
    }

    /// Returns the reply code.
    pub const fn code(&self) -> ReplyCode {
        self.code
    }

    /// Returns the text lines as sent, enhanced status codes included. There is always at
    /// least one line; a line may be empty.
    ///
    /// The `Vec` is made on each call; [`Reply::text_lines`] reads the same lines without
    /// allocating.
    pub fn lines(&self) -> Vec<&str> {
        self.text_lines().collect()
    }

    /// Returns the text lines as sent, enhanced status codes included, without allocating:
    /// at least one line, maybe empty.
    pub fn text_lines(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        self.text.as_str().split('\n')
    }

    /// Returns the enhanced status code at the start of the first line, when it has one whose
    /// class matches the reply code's first digit (RFC 3463 §2: "the class … MUST match").
    pub fn enhanced_code(&self) -> Option<EnhancedStatusCode> {
        let first = self.text_lines().next()?;
        let (code, _) = EnhancedStatusCode::parse_prefix(first.as_bytes())?;
        (u16::from(code.class) == self.code.0 / 100).then_some(code)
    }

    /// Returns the text lines with the enhanced status code (when [`Reply::enhanced_code`]
    /// finds one) and the space after it removed from each line that starts with it.
    pub fn text(&self) -> impl Iterator<Item = &str> + '_ {
        let prefix = self.enhanced_code().map(|e| e.to_string());
        self.text_lines().map(move |line| match &prefix {
            Some(p) => line
                .strip_prefix(p.as_str())
                .map_or(line, |rest| rest.strip_prefix(' ').unwrap_or(rest)),
            None => line,
        })
    }

    /// Appends the reply in wire form to `out`: `code-text CRLF` for every line but the last,
    /// `code SP text CRLF` (or `code CRLF` when the text is empty) for the last.
    pub fn encode(&self, out: &mut BytesMut) {
        let digits = self.code.digits();
        let mut lines = self.text_lines().peekable();
        while let Some(line) = lines.next() {
            out.extend_from_slice(&digits);
            if lines.peek().is_some() {
                out.extend_from_slice(b"-");
            } else if !line.is_empty() {
                out.extend_from_slice(b" ");
            }
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }

    /// Returns the reply in wire form.
    pub fn to_bytes(&self) -> Bytes {
        let len = self.text_lines().map(|l| l.len() + 6).sum();
        let mut out = BytesMut::with_capacity(len);
        self.encode(&mut out);
        out.freeze()
    }
}

impl PartialEq for Reply {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.text == other.text
    }
}

impl Eq for Reply {}

impl core::hash::Hash for Reply {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.code.hash(state);
        self.text.hash(state);
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("code", &self.code)
            .field("lines", &self.text_lines().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Display for Reply {
    /// Shows the reply as on the wire, lines separated by `\n` instead of CRLF.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = self.text_lines().peekable();
        let mut first = true;
        while let Some(line) = lines.next() {
            let sep = if lines.peek().is_some() { "-" } else { " " };
            if !core::mem::take(&mut first) {
                f.write_str("\n")?;
            }
            write!(f, "{}{sep}{line}", self.code)?;
        }
        Ok(())
    }
}

/// One line of a reply, as [`ReplyParser`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplyLine<'a> {
    pub(crate) code: ReplyCode,
    pub(crate) last: bool,
    pub(crate) text: &'a str,
}

/// Parses one reply line without its CRLF.
///
/// Tolerances, each seen from real servers:
/// - `code` alone on a line ends the reply (the ABNF's `[ SP textstring ]`);
/// - `code-` with no text continues it;
/// - a last line `code SP` with nothing after it has empty text;
/// - UTF-8 text (RFC 6531 §3.7.4.2) and HT are accepted; other control characters are not.
pub(crate) fn parse_line(line: &[u8]) -> Result<ReplyLine<'_>, ReplyError> {
    let (code, last, text) = line_head(line)?;
    let text = core::str::from_utf8(text).map_err(|e| ReplyError::Syntax {
        offset: 4 + e.valid_up_to(),
        expected: "UTF-8 text",
    })?;
    line_text(code, last, text)
}

/// One reply line whose text passed [`parse_line`]'s checks but is still bytes: ASCII text
/// needs no UTF-8 check at all.
pub(crate) struct RawLine<'a> {
    pub(crate) code: ReplyCode,
    pub(crate) last: bool,
    pub(crate) text: &'a [u8],
    /// Whether `text` is ASCII (else it was checked as UTF-8).
    pub(crate) ascii: bool,
}

/// [`parse_line`] without the `&str`: the same checks, errors and error order.
#[inline(always)]
pub(crate) fn parse_raw_line(line: &[u8]) -> Result<RawLine<'_>, ReplyError> {
    let (code, last, text) = line_head(line)?;
    // The code and its separator are ASCII digits and ' ' or '-', so the whole line is
    // checked in place of its text: the line is at least four octets whenever there is text,
    // which spares a short-text path.
    if !is_ascii_text(line) {
        // Non-ASCII or a control character: the general path finds the error, UTF-8 first.
        let parsed = parse_line(line)?;
        return Ok(RawLine {
            code: parsed.code,
            last: parsed.last,
            text: parsed.text.as_bytes(),
            ascii: false,
        });
    }
    Ok(RawLine {
        code,
        last,
        text,
        ascii: true,
    })
}

/// Returns whether `text` is ASCII without control characters other than HT: a
/// `textstring` that needs no UTF-8 check (RFC 5321 §4.2).
///
/// Sixteen octets at a time, as vector operations the compiler makes of fixed-size arrays
/// (SSE2 on every x86-64): an octet is flagged when it lies outside `0x20..=0x7E`, which also
/// flags HT; flagged text is looked at again octet by octet, which only happens for the rare
/// text that holds a tab or is not ASCII. Up to 64 octets (nearly every reply line) the
/// chunks are a fixed set that may overlap: no loop whose end the branch predictor has to
/// guess.
#[inline(always)]
fn is_ascii_text(text: &[u8]) -> bool {
    let exact = |bytes: &[u8]| {
        bytes
            .iter()
            .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
    };
    let n = text.len();
    let flagged = match n {
        0..4 => return exact(text),
        // Four words of four octets, clamped so that they overlap at the end.
        4..=16 => {
            let word = |at: usize| {
                text.get(at.min(n - 4)..)
                    .and_then(<[u8]>::first_chunk::<4>)
                    .map_or(0, |w| u64::from(u32::from_le_bytes(*w)))
            };
            swar_flags(word(0) | word(4) << 32) | swar_flags(word(8) | word(12) << 32) != 0
        }
        17..=64 => {
            let mut max = [0u8; 16];
            for k in 0..4 {
                let at = (16 * k).min(n - 16);
                if let Some(src) = text.get(at..).and_then(<[u8]>::first_chunk::<16>) {
                    max = max16(&max, &shift16(src));
                }
            }
            flagged16(max)
        }
        _ => {
            let mut max = text.last_chunk::<16>().map_or([0xff; 16], shift16);
            for c in text.chunks_exact(16) {
                if let Some(c) = c.first_chunk::<16>() {
                    max = max16(&max, &shift16(c));
                }
            }
            flagged16(max)
        }
    };
    !flagged || exact(text)
}

/// Eight octets at once: bit 7 of an octet is set when the octet is not ASCII, is below
/// 0x20, or is 0x7F. Exact per octet: no borrow or carry crosses an octet.
#[inline(always)]
fn swar_flags(w: u64) -> u64 {
    const LO: u64 = u64::from_le_bytes([0x01; 8]);
    const HI: u64 = u64::from_le_bytes([0x80; 8]);
    let below_space = !((w | HI).wrapping_sub(LO * 0x20)) & HI;
    let del = (w & !HI).wrapping_add(LO) & HI;
    (w & HI) | below_space | del
}

/// Each octet minus 0x20, wrapping: `0x20..=0x7E` becomes `0..=0x5E`, every other octet more.
#[inline(always)]
fn shift16(c: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, b) in out.iter_mut().zip(c) {
        *o = b.wrapping_sub(0x20);
    }
    out
}

/// The octet-wise maximum of two chunks.
#[inline(always)]
fn max16(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = (*x).max(*y);
    }
    out
}

/// Whether a shifted octet lies outside `0..=0x5E`: an octet that is not printable ASCII.
#[inline(always)]
fn flagged16(shifted: [u8; 16]) -> bool {
    shifted.iter().fold(0u8, |acc, &b| acc | u8::from(b > 0x5e)) != 0
}

/// Reads the reply code and the separator; returns them with the text bytes.
#[inline(always)]
fn line_head(line: &[u8]) -> Result<(ReplyCode, bool, &[u8]), ReplyError> {
    let code = match line {
        [a, b, c, d, ..] => ReplyCode::from_head([*a, *b, *c, *d]),
        [a, b, c] => ReplyCode::from_digits(*a, *b, *c),
        _ => None,
    }
    .ok_or(ReplyError::Syntax {
        offset: 0,
        expected: "reply code of three digits 2-5, 0-5, 0-9",
    })?;
    let rest = line.get(3..).unwrap_or_default();
    match rest.split_first() {
        None => Ok((code, true, &b""[..])),
        Some((b' ', text)) => Ok((code, true, text)),
        Some((b'-', text)) => Ok((code, false, text)),
        Some(_) => Err(ReplyError::Syntax {
            offset: 3,
            expected: "' ', '-' or end of line after the reply code",
        }),
    }
}

/// Checks the text of a reply line for control characters.
fn line_text(code: ReplyCode, last: bool, text: &str) -> Result<ReplyLine<'_>, ReplyError> {
    if is_ascii_text(text.as_bytes()) {
        return Ok(ReplyLine { code, last, text });
    }
    // A branch-free pass the compiler vectorises; the position is looked for only on failure.
    let any_bad = text.bytes().fold(false, |bad, b| {
        bad | ((b < 0x20) & (b != b'\t')) | (b == 0x7f)
    });
    if any_bad
        && let Some(bad) = text
            .bytes()
            .position(|b| b != b'\t' && (b < 0x20 || b == 0x7f))
    {
        return Err(ReplyError::Syntax {
            offset: 4 + bad,
            expected: "textstring character",
        });
    }
    Ok(ReplyLine { code, last, text })
}

/// Limits on a reply, checked line by line before anything is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// The most lines one reply may have. The default, 100, is far above any real EHLO reply.
    pub max_lines: usize,
    /// The most text bytes one reply may have, over all its lines. Default 64 KiB.
    pub max_bytes: usize,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self {
            max_lines: 100,
            max_bytes: 64 * 1024,
        }
    }
}

/// Assembles replies from lines: feed each line (without CRLF) to [`ReplyParser::push_line`]
/// until it returns a complete [`Reply`].
///
/// The caller frames lines (with `mail_core::line`), so a line is never longer than the
/// framer's limit; the parser bounds the number of lines and bytes per reply. A reply longer
/// than [`ReplyLimits`] is an error, never a truncation.
///
/// ```
/// use smtp_proto::reply::{ReplyCode, ReplyParser};
///
/// let mut parser = ReplyParser::default();
/// assert!(parser.push_line(b"250-mx.example.com").unwrap().is_none());
/// let reply = parser.push_line(b"250 SIZE 1000").unwrap().unwrap();
/// assert_eq!(reply.code(), ReplyCode::OK);
/// assert_eq!(reply.lines(), ["mx.example.com", "SIZE 1000"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReplyParser {
    limits: ReplyLimits,
    code: Option<ReplyCode>,
    /// The text of a multi-line reply so far, lines joined by LF; kept between replies so
    /// that its allocation is made once.
    text: Vec<u8>,
    lines: usize,
    bytes: usize,
    /// Whether a line so far was not ASCII.
    non_ascii: bool,
}

/// Returns checked reply text as a [`ReplyText`]: short ASCII without a UTF-8 check, else
/// checked again (every line was checked already, so this cannot fail).
fn reply_text(text: &[u8], ascii: bool) -> Result<ReplyText, ReplyError> {
    // `is_ascii_text` checked ASCII text octet by octet already.
    if ascii
        && text.len() <= INLINE_TEXT
        && let Some(t) = ReplyText::from_scanned_ascii(text)
    {
        return Ok(t);
    }
    // Longer text goes to the heap: one UTF-8 pass (which `from_scanned_ascii` would make
    // after an ASCII pass of its own) to make it a `&str`.
    core::str::from_utf8(text)
        .map(ReplyText::new)
        .map_err(|e| ReplyError::Syntax {
            offset: 4 + e.valid_up_to(),
            expected: "UTF-8 text",
        })
}

impl ReplyParser {
    /// Returns a parser with the given limits.
    pub fn new(limits: ReplyLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Returns whether a multi-line reply has started and is not complete yet.
    pub fn is_partial(&self) -> bool {
        self.code.is_some()
    }

    /// Takes one line of a reply, without its CRLF, and returns the reply when this line was
    /// its last.
    ///
    /// # Errors
    /// [`ReplyError::Syntax`] for a line that is no reply line, [`ReplyError::CodeMismatch`]
    /// when a continuation line carries another code than the first line (RFC 5321 §4.2.1
    /// requires the same code), [`ReplyError::TooLong`] when the reply crosses a limit. After
    /// an error the partial reply is dropped and the parser starts afresh.
    pub fn push_line(&mut self, line: &[u8]) -> Result<Option<Reply>, ReplyError> {
        if self.lines == 0
            && let Some(reply) = self.one_line_reply(line)
        {
            return Ok(Some(reply));
        }
        self.push_line_general(line)
    }

    /// The usual line, read with nothing but straight-line checks: a whole one-line reply
    /// (`code SP text`) of ASCII text short enough to be held inline, within the limits.
    /// `None` for any other line, which [`ReplyParser::push_line_general`] then reads (and
    /// reads the same way when it is such a line).
    #[inline(always)]
    fn one_line_reply(&self, line: &[u8]) -> Option<Reply> {
        let (&head, text) = line.split_first_chunk::<4>()?;
        let code = ReplyCode::from_head(head)?;
        if head[3] != b' '
            || text.len() > INLINE_TEXT
            || self.limits.max_lines == 0
            || text.len() > self.limits.max_bytes
            || !is_ascii_text(line)
        {
            return None;
        }
        Some(Reply::from_text(code, ReplyText::from_scanned_ascii(text)?))
    }

    /// [`ReplyParser::push_line`] for every line: resets the parser after an error.
    #[inline(never)]
    fn push_line_general(&mut self, line: &[u8]) -> Result<Option<Reply>, ReplyError> {
        let result = self.push_line_inner(line);
        if result.is_err() {
            self.reset();
        }
        result
    }

    #[inline]
    fn push_line_inner(&mut self, line: &[u8]) -> Result<Option<Reply>, ReplyError> {
        let parsed = parse_raw_line(line)?;
        if parsed.last && self.lines == 0 {
            // A one-line reply, the usual kind: made straight from the line. No reply is
            // partial, so no code to compare and no earlier line or byte counted.
            if self.limits.max_lines == 0 || parsed.text.len() > self.limits.max_bytes {
                return Err(ReplyError::TooLong);
            }
            let text = reply_text(parsed.text, parsed.ascii)?;
            return Ok(Some(Reply::from_text(parsed.code, text)));
        }
        self.push_multiline(&parsed)
    }

    /// A line of a multi-line reply: the first, a continuation or the last.
    fn push_multiline(&mut self, parsed: &RawLine<'_>) -> Result<Option<Reply>, ReplyError> {
        if let Some(code) = self.code
            && code != parsed.code
        {
            return Err(ReplyError::CodeMismatch {
                first: code.get(),
                line: parsed.code.get(),
            });
        }
        self.bytes = self.bytes.saturating_add(parsed.text.len());
        if self.lines >= self.limits.max_lines || self.bytes > self.limits.max_bytes {
            return Err(ReplyError::TooLong);
        }
        self.code = Some(parsed.code);
        if self.lines > 0 {
            self.text.push(b'\n');
        }
        self.text.extend_from_slice(parsed.text);
        self.lines += 1;
        self.non_ascii |= !parsed.ascii;
        if !parsed.last {
            return Ok(None);
        }
        let text = reply_text(&self.text, !self.non_ascii)?;
        self.reset();
        Ok(Some(Reply::from_text(parsed.code, text)))
    }

    /// Drops any partial reply.
    pub fn reset(&mut self) {
        self.code = None;
        self.text.clear();
        self.lines = 0;
        self.bytes = 0;
        self.non_ascii = false;
    }
}

impl Reply {
    /// Parses a complete reply from `input`, every line ended by CRLF.
    ///
    /// # Errors
    /// [`ReplyError`] for a malformed line, a missing final CRLF, bytes after the last line,
    /// or a reply over the default [`ReplyLimits`].
    pub fn parse(input: &[u8]) -> Result<Self, ReplyError> {
        let mut parser = ReplyParser::default();
        let mut rest = input;
        while !rest.is_empty() {
            let Some(lf) = memchr::memchr(b'\n', rest) else {
                return Err(ReplyError::Incomplete);
            };
            let (line, tail) = rest.split_at(lf);
            let line = line.strip_suffix(b"\r").ok_or(ReplyError::Syntax {
                offset: input.len() - rest.len() + lf,
                expected: "CRLF",
            })?;
            rest = tail.get(1..).unwrap_or_default();
            if let Some(reply) = parser.push_line(line)? {
                return if rest.is_empty() {
                    Ok(reply)
                } else {
                    Err(ReplyError::Syntax {
                        offset: input.len() - rest.len(),
                        expected: "end of input after the last reply line",
                    })
                };
            }
        }
        Err(ReplyError::Incomplete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_check_agrees_with_the_octet_definition() {
        let slow = |t: &[u8]| t.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b));
        // Every octet value at every position of texts of every length up to 80 (each
        // chunk layout: octet by octet, four words, four chunks, the loop).
        for len in 0..81 {
            for at in 0..len.max(1) {
                for b in 0..=255u8 {
                    let mut t = vec![b'a'; len];
                    if let Some(slot) = t.get_mut(at) {
                        *slot = b;
                    }
                    assert_eq!(is_ascii_text(&t), slow(&t), "{len} {at} {b:#x}");
                }
            }
        }
    }

    fn code(n: u16) -> ReplyCode {
        ReplyCode::new(n).unwrap()
    }

    #[test]
    fn reply_code_word_read_agrees_with_the_digit_read() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in [0u8, b'0', b'5', b'9', b':', 0x2f, 0xb0, 0xff] {
                    for d in [b' ', b'-', 0xff] {
                        let slow = match (a, b, c) {
                            (b'2'..=b'5', b'0'..=b'5', b'0'..=b'9') => Some(
                                u16::from(a - b'0') * 100
                                    + u16::from(b - b'0') * 10
                                    + u16::from(c - b'0'),
                            ),
                            _ => None,
                        };
                        assert_eq!(ReplyCode::from_head([a, b, c, d]).map(ReplyCode::get), slow);
                        assert_eq!(
                            ReplyCode::from_head([c, a, b, d]).map(ReplyCode::get),
                            match (c, a, b) {
                                (b'2'..=b'5', b'0'..=b'5', b'0'..=b'9') => Some(
                                    u16::from(c - b'0') * 100
                                        + u16::from(a - b'0') * 10
                                        + u16::from(b - b'0'),
                                ),
                                _ => None,
                            }
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn reply_code_ranges_follow_the_abnf() {
        assert!(ReplyCode::new(250).is_some());
        assert!(ReplyCode::new(559).is_some());
        assert!(ReplyCode::new(199).is_none());
        assert!(ReplyCode::new(600).is_none());
        assert!(ReplyCode::new(260).is_none());
        assert!(ReplyCode::new(1250).is_none());
        assert_eq!(code(354).class(), ReplyClass::PositiveIntermediate);
        assert_eq!(code(421).class(), ReplyClass::TransientNegative);
        assert_eq!(code(550).class(), ReplyClass::PermanentNegative);
        assert!(code(250).is_positive_completion());
        assert!(code(452).is_negative());
        assert_eq!(code(503).digits(), *b"503");
    }

    #[test]
    fn parses_a_single_line_reply() {
        let r = Reply::parse(b"250 OK\r\n").unwrap();
        assert_eq!(r.code(), ReplyCode::OK);
        assert_eq!(r.lines(), ["OK"]);
        assert_eq!(r.enhanced_code(), None);
    }

    #[test]
    fn parses_rfc5321_appendix_d1_ehlo_reply() {
        let r = Reply::parse(
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
        )
        .unwrap();
        assert_eq!(
            r.lines(),
            ["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"]
        );
    }

    #[test]
    fn reads_enhanced_status_codes_rfc2034() {
        let r = Reply::parse(b"550-5.1.1 No such user\r\n550 5.1.1 here\r\n").unwrap();
        let e = r.enhanced_code().unwrap();
        assert_eq!((e.class(), e.subject(), e.detail()), (5, 1, 1));
        assert_eq!(r.text().collect::<Vec<_>>(), ["No such user", "here"]);
        assert_eq!(r.lines()[0], "5.1.1 No such user");
    }

    #[test]
    fn an_enhanced_code_of_another_class_is_text() {
        let r = Reply::parse(b"250 5.1.1 odd\r\n").unwrap();
        assert_eq!(r.enhanced_code(), None);
        assert_eq!(r.text().next(), Some("5.1.1 odd"));
    }

    #[test]
    fn enhanced_code_syntax_edges() {
        assert_eq!(
            "2.0.0".parse::<EnhancedStatusCode>().unwrap(),
            EnhancedStatusCode::new(2, 0, 0).unwrap()
        );
        assert_eq!(
            "5.999.999"
                .parse::<EnhancedStatusCode>()
                .unwrap()
                .to_string(),
            "5.999.999"
        );
        for bad in ["3.0.0", "2.0", "2.1000.0", "2.0.0x", "2..0", "x.0.0", ""] {
            assert!(bad.parse::<EnhancedStatusCode>().is_err(), "{bad}");
        }
        assert!(EnhancedStatusCode::new(2, 1000, 0).is_none());
        let r = Reply::parse(b"250 2.0.0Ok\r\n").unwrap();
        assert_eq!(r.enhanced_code(), None);
    }

    #[test]
    fn tolerates_bare_code_and_empty_continuations() {
        let r = Reply::parse(b"250-\r\n250\r\n").unwrap();
        assert_eq!(r.lines(), ["", ""]);
        let r = Reply::parse(b"354 \r\n").unwrap();
        assert_eq!(r.lines(), [""]);
    }

    #[test]
    fn rejects_malformed_lines() {
        assert!(matches!(
            Reply::parse(b"25 OK\r\n"),
            Err(ReplyError::Syntax { offset: 0, .. })
        ));
        assert!(matches!(
            Reply::parse(b"250OK\r\n"),
            Err(ReplyError::Syntax { offset: 3, .. })
        ));
        assert!(matches!(
            Reply::parse(b"650 OK\r\n"),
            Err(ReplyError::Syntax { .. })
        ));
        assert!(matches!(
            Reply::parse(b"250 a\x1bb\r\n"),
            Err(ReplyError::Syntax { offset: 5, .. })
        ));
        assert!(matches!(
            Reply::parse(b"250 \xff\r\n"),
            Err(ReplyError::Syntax { offset: 4, .. })
        ));
        assert!(matches!(
            Reply::parse(b"250 OK\n"),
            Err(ReplyError::Syntax { .. })
        ));
        assert_eq!(Reply::parse(b"250-OK\r\n"), Err(ReplyError::Incomplete));
        assert_eq!(Reply::parse(b"250 OK"), Err(ReplyError::Incomplete));
        assert!(Reply::parse(b"250 OK\r\n250 again\r\n").is_err());
    }

    #[test]
    fn continuation_lines_must_keep_the_code() {
        assert_eq!(
            Reply::parse(b"250-a\r\n251 b\r\n"),
            Err(ReplyError::CodeMismatch {
                first: 250,
                line: 251
            })
        );
    }

    #[test]
    fn limits_are_errors_not_truncations() {
        let limits = ReplyLimits {
            max_lines: 3,
            max_bytes: 10,
        };
        let mut p = ReplyParser::new(limits);
        assert_eq!(p.push_line(b"250-a").unwrap(), None);
        assert_eq!(p.push_line(b"250-b").unwrap(), None);
        let r = p.push_line(b"250 c").unwrap().unwrap();
        assert_eq!(r.lines().len(), 3);
        assert_eq!(p.push_line(b"250-a").unwrap(), None);
        assert_eq!(p.push_line(b"250-b").unwrap(), None);
        assert_eq!(p.push_line(b"250-c").unwrap(), None);
        assert_eq!(p.push_line(b"250 d"), Err(ReplyError::TooLong));
        assert!(!p.is_partial());
        // Bytes: exactly at the limit, then one over.
        let mut p = ReplyParser::new(limits);
        assert!(p.push_line(b"250 0123456789").unwrap().is_some());
        assert_eq!(p.push_line(b"250 0123456789X"), Err(ReplyError::TooLong));
    }

    #[test]
    fn encodes_single_and_multi_line_replies() {
        let r = Reply::new(ReplyCode::OK, None, "OK").unwrap();
        assert_eq!(&r.to_bytes()[..], b"250 OK\r\n");
        let r = Reply::multiline(
            ReplyCode::OK,
            None,
            ["mx.example.com", "PIPELINING", "SIZE 10240000"],
        )
        .unwrap();
        assert_eq!(
            &r.to_bytes()[..],
            b"250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n"
        );
        let r = Reply::new(
            ReplyCode::MAILBOX_UNAVAILABLE,
            EnhancedStatusCode::new(5, 1, 1),
            "User unknown",
        )
        .unwrap();
        assert_eq!(&r.to_bytes()[..], b"550 5.1.1 User unknown\r\n");
        let r = Reply::new(ReplyCode::START_MAIL_INPUT, None, "").unwrap();
        assert_eq!(&r.to_bytes()[..], b"354\r\n");
        assert_eq!(r.to_string(), "354 ");
    }

    #[test]
    fn cr_or_lf_in_reply_text_is_unrepresentable() {
        for bad in ["a\r\n250 injected", "a\rb", "a\nb", "a\0b", "\x1b[2J"] {
            assert_eq!(
                Reply::new(ReplyCode::OK, None, bad),
                Err(ReplyError::Text),
                "{bad:?}"
            );
        }
        assert!(Reply::new(ReplyCode::OK, None, "tab\tand UTF-8 \u{e9}").is_ok());
    }

    #[test]
    fn parse_of_encode_is_identity_for_examples() {
        for r in [
            Reply::new(ReplyCode::SERVICE_READY, None, "mx ESMTP").unwrap(),
            Reply::multiline(
                ReplyCode::OK,
                EnhancedStatusCode::new(2, 0, 0),
                ["one", "", "three"],
            )
            .unwrap(),
            Reply::multiline(ReplyCode::HELP, None, [] as [&str; 0]).unwrap(),
        ] {
            assert_eq!(Reply::parse(&r.to_bytes()).unwrap(), r);
        }
    }
}

//! Client → server: SMTP and LMTP commands (RFC 5321 §4.1 and the ESMTP extensions).
//!
//! [`Command::parse`] reads one command line (without its CRLF, as the line framer of
//! `mail_core::line` delivers it); [`Command::encode`] writes one. Every value a command
//! carries is validated on construction, so an encoded command is always one line: CR, LF
//! and NUL cannot get into an argument.

pub mod params;

use bytes::{Bytes, BytesMut};
use mail_core::Secret;
use mail_core::address::rfc5321::{ForwardPath, Host, Limits, ReversePath};
use mail_core::message::EsmtpParameter;
use mail_core::sasl::Mechanism;
use mail_core::sasl::{self as framing, ClientResponse, ResponseKind};

pub use params::{
    Body, DeliverBy, MailExtras, MailParameters, Notify, OriginalRecipient, RcptExtras,
    RcptParameters, Ret,
};

use crate::error::CommandError;

/// The largest decoded `AUTH` initial response [`Command::parse`] accepts. The line framer's
/// limit bounds it first; this keeps a server configured with a long AUTH line bounded too.
pub const MAX_INITIAL_RESPONSE: usize = 16 * 1024;

/// The argument of `HELO`, `EHLO` and `LHLO` (RFC 5321 §4.1.1.1).
///
/// ```abnf
/// helo = "HELO" SP Domain CRLF
/// ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeloDomain {
    /// A valid domain or address literal.
    Host(Host),
    /// Tolerance: anything else without white space or control characters, such as
    /// `my_laptop` or a bare IP address. Real clients send these, and RFC 5321 §4.1.4 says a
    /// server "MUST NOT refuse to accept a message" because the HELO argument is wrong; the
    /// application decides what to make of it.
    Other(String),
}

impl HeloDomain {
    /// Reads a HELO argument: a [`Host`] when it is one, else [`HeloDomain::Other`].
    ///
    /// # Errors
    /// [`CommandError::Syntax`] when the argument is empty or holds white space, control
    /// characters or invalid UTF-8.
    pub fn parse(input: &[u8]) -> Result<Self, CommandError> {
        if let Ok(host) = Host::parse(input) {
            return Ok(Self::Host(host));
        }
        if input.is_empty() {
            return Err(CommandError::syntax(0, "domain"));
        }
        if let Some(bad) = input.iter().position(|&b| b <= b' ' || b == 0x7f) {
            return Err(CommandError::syntax(bad, "domain character"));
        }
        let s = core::str::from_utf8(input)
            .map_err(|e| CommandError::syntax(e.valid_up_to(), "UTF-8"))?;
        Ok(Self::Other(s.to_owned()))
    }

    /// Returns the argument as text.
    pub fn to_text(&self) -> String {
        match self {
            Self::Host(h) => h.to_string(),
            Self::Other(s) => s.clone(),
        }
    }
}

impl core::fmt::Display for HeloDomain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Host(h) => write!(f, "{h}"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// A free-text command argument (`VRFY`, `EXPN`, `HELP`, `NOOP`, `ETRN`, unknown commands):
/// any text without CR, LF, NUL or other control characters except HT.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Argument(String);

impl Argument {
    /// Returns `text` as an argument.
    ///
    /// # Errors
    /// [`CommandError::Syntax`] at the first control character or invalid UTF-8 byte.
    pub fn new(text: &[u8]) -> Result<Self, CommandError> {
        if let Some(bad) = text
            .iter()
            .position(|&b| (b < b' ' && b != b'\t') || b == 0x7f)
        {
            return Err(CommandError::syntax(bad, "text without control characters"));
        }
        core::str::from_utf8(text)
            .map(|s| Self(s.to_owned()))
            .map_err(|e| CommandError::syntax(e.valid_up_to(), "UTF-8"))
    }

    /// Returns the text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Argument {
    type Error = CommandError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s.as_bytes())
    }
}

/// An SMTP or LMTP command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `HELO domain` (RFC 5321 §4.1.1.1).
    Helo(HeloDomain),
    /// `EHLO domain` (RFC 5321 §4.1.1.1).
    Ehlo(HeloDomain),
    /// `LHLO domain` (RFC 2033 §4.1), LMTP's EHLO.
    Lhlo(HeloDomain),
    /// `MAIL FROM:<reverse-path> [parameters]` (RFC 5321 §4.1.1.2).
    Mail {
        /// Where bounces go; `<>` for bounces themselves.
        reverse_path: ReversePath,
        /// The ESMTP parameters.
        parameters: MailParameters,
    },
    /// `RCPT TO:<forward-path> [parameters]` (RFC 5321 §4.1.1.3).
    Rcpt {
        /// The recipient.
        forward_path: ForwardPath,
        /// The ESMTP parameters.
        parameters: RcptParameters,
    },
    /// `DATA` (RFC 5321 §4.1.1.4).
    Data,
    /// `BDAT chunk-size [LAST]` (RFC 3030 §2).
    Bdat {
        /// The exact number of octets that follow the command line.
        size: u64,
        /// Whether this is the last chunk of the message.
        last: bool,
    },
    /// `RSET` (RFC 5321 §4.1.1.5).
    Rset,
    /// `VRFY string` (RFC 5321 §4.1.1.6).
    Vrfy(Argument),
    /// `EXPN string` (RFC 5321 §4.1.1.7).
    Expn(Argument),
    /// `HELP [string]` (RFC 5321 §4.1.1.8).
    Help(Option<Argument>),
    /// `NOOP [string]` (RFC 5321 §4.1.1.9); the argument has no meaning.
    Noop(Option<Argument>),
    /// `QUIT` (RFC 5321 §4.1.1.10).
    Quit,
    /// `STARTTLS` (RFC 3207 §4).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism,
        /// The decoded initial response; `Some` of an empty vector for `=`.
        initial_response: Option<Secret<Vec<u8>>>,
    },
    /// `ETRN node` (RFC 1985 §5): start the queue for a node (`@domain`, `#queue` or
    /// `domain`).
    Etrn(Argument),
    /// A command this crate does not know, for the application to answer.
    Unknown {
        /// The verb, as sent.
        verb: String,
        /// Everything after the verb and one space, as sent.
        arguments: Option<Argument>,
    },
}

/// Returns whether `verb` (ASCII letters) is `expected` (upper case), ignoring case.
fn is_verb(verb: &[u8], expected: &[u8]) -> bool {
    verb.eq_ignore_ascii_case(expected)
}

/// A four-letter verb as a number, for one `match` over all of them.
const fn verb4(verb: &[u8; 4]) -> u32 {
    u32::from_be_bytes(*verb)
}

/// Returns the four-byte `verb` with its letters upper-cased, as [`verb4`] numbers it.
///
/// Clearing bit 5 upper-cases a letter; a byte that is no letter never becomes one, so the
/// result equals `verb4` of an upper-case verb exactly when `verb` is that verb in any case.
fn verb4_upper(verb: &[u8]) -> Option<u32> {
    let bytes: [u8; 4] = verb.try_into().ok()?;
    Some(u32::from_be_bytes(bytes) & 0xDFDF_DFDF)
}

const MAIL: u32 = verb4(b"MAIL");
const RCPT: u32 = verb4(b"RCPT");
const DATA: u32 = verb4(b"DATA");
const BDAT: u32 = verb4(b"BDAT");
const RSET: u32 = verb4(b"RSET");
const QUIT: u32 = verb4(b"QUIT");
const NOOP: u32 = verb4(b"NOOP");
const HELP: u32 = verb4(b"HELP");
const EHLO: u32 = verb4(b"EHLO");
const HELO: u32 = verb4(b"HELO");
const LHLO: u32 = verb4(b"LHLO");
const VRFY: u32 = verb4(b"VRFY");
const EXPN: u32 = verb4(b"EXPN");
const ETRN: u32 = verb4(b"ETRN");
const AUTH: u32 = verb4(b"AUTH");

/// Returns whether one of four octets is a space: one word test, not the `memchr` call
/// `contains` makes (a zero octet of `x` sets a mark; without one, none is set).
fn has_space(four: &[u8; 4]) -> bool {
    let x = u32::from_ne_bytes(*four) ^ 0x2020_2020;
    x.wrapping_sub(0x0101_0101) & !x & 0x8080_8080 != 0
}

/// Splits `line` at the first space: the verb, and what follows the space (if any).
///
/// Verbs are short, so a plain scan beats a `memchr` call here.
fn split_verb(line: &[u8]) -> (&[u8], Option<&[u8]>) {
    // Nearly every verb has four letters: one look at the fifth octet then, rather than a
    // scan whose end the branch predictor has to guess.
    if let Some((verb, rest)) = line.split_first_chunk::<4>()
        && !has_space(verb)
    {
        match rest.split_first() {
            None => return (line, None),
            Some((b' ', args)) => return (verb.as_slice(), Some(args)),
            Some(_) => {}
        }
    }
    match line.iter().position(|&b| b == b' ') {
        Some(i) => (
            line.get(..i).unwrap_or_default(),
            Some(line.get(i + 1..).unwrap_or_default()),
        ),
        None => (line, None),
    }
}

/// One `esmtp-param` as it appears in the command line, checked but not copied.
///
/// ```abnf
/// esmtp-param   = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value   = 1*(%d33-60 / %d62-126)          ; RFC 5321 §4.1.2
/// esmtp-value   =/ UTF8-non-ascii                  ; RFC 6531 §3.3
/// ```
///
/// The checks are those of [`EsmtpParameter::parse`], with the same offsets, so that a known
/// keyword can be read into its typed field without the two allocations an
/// [`EsmtpParameter`] costs; only unknown keywords become one.
#[derive(Clone, Copy)]
pub(crate) struct WireParam<'a> {
    /// The keyword, ASCII letters, digits and `-`.
    pub(crate) keyword: &'a [u8],
    /// The value after `=`, valid UTF-8.
    pub(crate) value: Option<&'a [u8]>,
    /// The whole parameter as sent.
    pub(crate) raw: &'a [u8],
}

impl WireParam<'_> {
    /// Returns the parameter as an owned [`EsmtpParameter`].
    pub(crate) fn to_owned_param(self) -> Result<EsmtpParameter, CommandError> {
        EsmtpParameter::parse(self.raw).map_err(|e| CommandError::syntax(e.offset, e.expected))
    }
}

/// `esmtp-keyword` characters after the first: `ALPHA / DIGIT / "-"`.
const KEYWORD: u8 = 1;
/// `esmtp-value` bytes: `%d33-60 / %d62-126`, or any byte of `UTF8-non-ascii` (checked as
/// UTF-8 separately).
const VALUE: u8 = 2;

/// The classes of every byte value, one bit each.
const CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut rest: &mut [u8] = &mut table;
    let mut b: u8 = 0;
    while let [slot, tail @ ..] = rest {
        if b.is_ascii_alphanumeric() || b == b'-' {
            *slot |= KEYWORD;
        }
        if matches!(b, 33..=60 | 62..=126) || b >= 0x80 {
            *slot |= VALUE;
        }
        b = b.wrapping_add(1);
        rest = tail;
    }
    table
};

/// Returns whether byte `b` belongs to `class`.
fn is_class(b: u8, class: u8) -> bool {
    CLASSES.get(usize::from(b)).is_some_and(|c| c & class != 0)
}

/// Checks the `esmtp-param` at the start of `input`, which ends at the first space or at
/// the end of `input` (see [`WireParam`]); an error carries the offset in `input`.
fn wire_param(input: &[u8]) -> Result<WireParam<'_>, CommandError> {
    let key_len = input
        .iter()
        .position(|&b| !is_class(b, KEYWORD))
        .unwrap_or(input.len());
    if !input.first().is_some_and(u8::is_ascii_alphanumeric) {
        return Err(CommandError::syntax(0, "esmtp-keyword"));
    }
    let (keyword, rest) = input.split_at_checked(key_len).unwrap_or((input, &[]));
    let (value, len) = match rest.split_first() {
        None | Some((b' ', _)) => (None, key_len),
        Some((b'=', after)) => {
            let value_len = after
                .iter()
                .position(|&c| !is_class(c, VALUE))
                .unwrap_or(after.len());
            let (v, tail) = after.split_at_checked(value_len).unwrap_or((after, &[]));
            if !matches!(tail.first(), None | Some(b' ')) {
                return Err(CommandError::syntax(key_len + 1 + value_len, "esmtp-value"));
            }
            if v.is_empty() {
                return Err(CommandError::syntax(key_len + 1, "esmtp-value"));
            }
            // ASCII, the usual case, needs no UTF-8 check.
            if !v.is_ascii() {
                core::str::from_utf8(v)
                    .map_err(|e| CommandError::syntax(key_len + 1 + e.valid_up_to(), "UTF-8"))?;
            }
            (Some(v), key_len + 1 + value_len)
        }
        Some(_) => return Err(CommandError::syntax(key_len, "'=' or end of parameter")),
    };
    Ok(WireParam {
        keyword,
        value,
        raw: input.get(..len).unwrap_or(input),
    })
}

/// Reads the `esmtp-param *(SP esmtp-param)` list after a path, handing each parameter to
/// `each`. A syntax error anywhere in the list wins over a bad value in an earlier parameter:
/// once `each` has failed, the rest of the list is still checked, and only a syntax error
/// there replaces that failure.
///
/// Tolerance: several spaces between parameters, and trailing spaces, as Postfix accepts.
fn esmtp_params<'a>(
    input: &'a [u8],
    base: usize,
    mut each: impl FnMut(WireParam<'a>) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let mut failed = None;
    let mut at = 0;
    loop {
        let rest = input.get(at..).unwrap_or_default();
        let spaces = rest.iter().take_while(|&&b| b == b' ').count();
        at += spaces;
        let Some(word) = rest.get(spaces..).filter(|w| !w.is_empty()) else {
            break;
        };
        let param = wire_param(word).map_err(|e| e.shifted(base + at))?;
        at += param.raw.len();
        if failed.is_none()
            && let Err(e) = each(param)
        {
            failed = Some(e);
        }
    }
    failed.map_or(Ok(()), Err)
}

/// How far `MAIL` and `RCPT` lines may stray from RFC 5321's `FROM:<path>` / `TO:<path>`.
///
/// RFC 5321 §4.1.1.2 and §3.3 allow no space after the colon and require the angle brackets
/// ("spaces are not permitted on either side of the colon"). Older clients and scripts send
/// both forms anyway, and the large MTAs take them:
///
/// | option | example | Postfix | RFC 5321 |
/// |---|---|---|---|
/// | [`space_after_colon`](Self::space_after_colon) | `MAIL FROM: <a@b.example>` | accepted (its tokenizer reads `FROM:` and the path as two words, whatever `strict_rfc821_envelopes` says); Exim and Sendmail too | refused |
/// | [`missing_brackets`](Self::missing_brackets) | `MAIL FROM:a@b.example`, `RCPT TO:postmaster` | accepted unless `strict_rfc821_envelopes = yes`; Postfix's smtp-sink and aiosmtpd too | refused |
///
/// [`EnvelopeSyntax::postfix`] (the [`Default`]) takes both, as Postfix does by default;
/// [`EnvelopeSyntax::strict`] takes exactly RFC 5321. Either way the path is the same typed
/// value and is encoded strictly, with brackets and without the space.
///
/// ```
/// use smtp_proto::command::{Command, EnvelopeSyntax};
///
/// let line = b"MAIL FROM: alice@example.test SIZE=3518";
/// assert!(Command::parse_with(line, EnvelopeSyntax::postfix()).is_ok());
/// assert!(Command::parse_with(line, EnvelopeSyntax::strict()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EnvelopeSyntax {
    /// Accept spaces between `FROM:` / `TO:` and the path (`MAIL FROM: <a@b.example>`).
    pub space_after_colon: bool,
    /// Accept a path without its angle brackets (`MAIL FROM:a@b.example`), and a bare
    /// `Postmaster` as a forward path; the path then ends where the mailbox cannot go on
    /// (the space before the parameters). See
    /// [`Limits::allow_missing_brackets`](mail_core::address::rfc5321::Limits::allow_missing_brackets).
    pub missing_brackets: bool,
}

impl EnvelopeSyntax {
    /// Postfix's default (`strict_rfc821_envelopes = no`): both tolerances.
    pub const fn postfix() -> Self {
        Self {
            space_after_colon: true,
            missing_brackets: true,
        }
    }

    /// RFC 5321 §4.1.1.2 exactly: `FROM:<path>`, no tolerance.
    pub const fn strict() -> Self {
        Self {
            space_after_colon: false,
            missing_brackets: false,
        }
    }

    /// Returns these options with [`space_after_colon`](Self::space_after_colon) set.
    #[must_use]
    pub const fn with_space_after_colon(mut self, on: bool) -> Self {
        self.space_after_colon = on;
        self
    }

    /// Returns these options with [`missing_brackets`](Self::missing_brackets) set.
    #[must_use]
    pub const fn with_missing_brackets(mut self, on: bool) -> Self {
        self.missing_brackets = on;
        self
    }

    /// The path limits that carry [`missing_brackets`](Self::missing_brackets): a static
    /// value, not one built on the stack for every `MAIL` and `RCPT`.
    fn limits(self) -> &'static Limits {
        static RFC: Limits = Limits::RFC;
        static BRACKETLESS: Limits = {
            let mut limits = Limits::RFC;
            limits.allow_missing_brackets = true;
            limits
        };
        if self.missing_brackets {
            &BRACKETLESS
        } else {
            &RFC
        }
    }
}

impl Default for EnvelopeSyntax {
    fn default() -> Self {
        Self::postfix()
    }
}

/// Skips the `FROM:` / `TO:` keyword of MAIL / RCPT and returns the offset after it, and
/// after the spaces that follow it when `syntax` allows them.
fn path_start(
    args: &[u8],
    keyword: &'static [u8],
    expected: &'static str,
    syntax: EnvelopeSyntax,
) -> Result<usize, CommandError> {
    let head = args
        .get(..keyword.len())
        .ok_or(CommandError::syntax(0, expected))?;
    // The keyword is letters and a final ':'; clearing bit 5 upper-cases a letter and
    // turns no other byte into one (see `verb4_upper`), and ':' is compared as is.
    let matches = match (head, keyword) {
        // `FROM:` and `TO:` as one word compare each, their letters' bit 5 cleared.
        ([a, b, c, d, e], [k0, k1, k2, k3, b':']) => {
            u32::from_be_bytes([*a, *b, *c, *d]) & 0xDFDF_DFDF
                == u32::from_be_bytes([*k0, *k1, *k2, *k3])
                && *e == b':'
        }
        ([a, b, c], [k0, k1, b':']) => {
            u16::from_be_bytes([*a, *b]) & 0xDFDF == u16::from_be_bytes([*k0, *k1]) && *c == b':'
        }
        _ => head
            .iter()
            .zip(keyword)
            .all(|(&b, &k)| b == k || (k.is_ascii_uppercase() && b & 0xDF == k)),
    };
    if !matches {
        return Err(CommandError::syntax(0, expected));
    }
    if !syntax.space_after_colon {
        return Ok(keyword.len());
    }
    let rest = args.get(keyword.len()..).unwrap_or_default();
    Ok(keyword.len() + rest.iter().take_while(|&&b| b == b' ').count())
}

/// Reads the text after the path: nothing, or SP and parameters, handed to `each`.
fn after_path<'a>(
    args: &'a [u8],
    at: usize,
    each: impl FnMut(WireParam<'a>) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    match args.get(at..).unwrap_or_default() {
        [] => Ok(()),
        [b' ', params @ ..] => esmtp_params(params, at + 1, each),
        _ => Err(CommandError::syntax(at, "SP or end of line after the path")),
    }
}

/// Reads the arguments of `MAIL` (`args`, at offset `base` of the line), out of line: the
/// command is written straight into the caller's result, and the verbs without a path do
/// not pay for this one's stack frame.
///
/// ```abnf
/// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF   ; RFC 5321 §4.1.1.2
/// ```
#[inline(never)]
fn mail(args: &[u8], base: usize, syntax: EnvelopeSyntax) -> Result<Command, CommandError> {
    let shift = |e: CommandError| e.shifted(base);
    let at = path_start(args, b"FROM:", "FROM:", syntax).map_err(shift)?;
    let (reverse_path, used) =
        ReversePath::parse_prefix_with(args.get(at..).unwrap_or_default(), syntax.limits())
            .map_err(|e| CommandError::syntax(base + at + e.offset, e.expected))?;
    // The parameters are read where the command holds them: moving them in afterwards
    // took two `memcpy` calls.
    let mut command = Command::Mail {
        reverse_path,
        parameters: MailParameters::default(),
    };
    if let Command::Mail { parameters, .. } = &mut command {
        after_path(args, at + used, |p| parameters.set_wire(p)).map_err(shift)?;
        parameters.check()?;
    }
    Ok(command)
}

/// Reads the arguments of `RCPT`, as [`mail`] does those of `MAIL`.
///
/// ```abnf
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///        Forward-path ) [SP Rcpt-parameters] CRLF              ; RFC 5321 §4.1.1.3
/// ```
#[inline(never)]
fn rcpt(args: &[u8], base: usize, syntax: EnvelopeSyntax) -> Result<Command, CommandError> {
    let shift = |e: CommandError| e.shifted(base);
    let at = path_start(args, b"TO:", "TO:", syntax).map_err(shift)?;
    let (forward_path, used) =
        ForwardPath::parse_prefix_with(args.get(at..).unwrap_or_default(), syntax.limits())
            .map_err(|e| CommandError::syntax(base + at + e.offset, e.expected))?;
    let mut parameters = RcptParameters::default();
    after_path(args, at + used, |p| parameters.set_wire(p)).map_err(shift)?;
    Ok(Command::Rcpt {
        forward_path,
        parameters,
    })
}

/// Reads the `chunk-size [SP end-marker]` of `BDAT` (RFC 3030 §2).
///
/// ```abnf
/// bdat-cmd   ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF
/// chunk-size ::= 1*DIGIT
/// end-marker ::= "LAST"
/// ```
///
/// A size that does not fit in `u64` is an error: the server cannot know how much to read.
fn bdat(args: &[u8]) -> Result<Command, CommandError> {
    let digits = args.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(CommandError::syntax(0, "chunk-size digits"));
    }
    let size = bdat_size(args).ok_or(CommandError::syntax(0, "chunk-size that fits in 64 bits"))?;
    let last = match args.get(digits..).unwrap_or_default() {
        [] => false,
        [b' ', marker @ ..] if marker.eq_ignore_ascii_case(b"LAST") => true,
        _ => return Err(CommandError::syntax(digits, "SP LAST or end of line")),
    };
    Ok(Command::Bdat { size, last })
}

/// Returns the chunk size a `BDAT` argument string declares, even when the rest of the
/// command is malformed, or `None` when no size can be read.
///
/// RFC 3030 §2: a server that rejects a `BDAT` must still read the chunk it announced, or the
/// chunk's content would be taken for commands. A server state machine calls this for a
/// `BDAT` line that [`Command::parse`] refused.
pub fn bdat_size(args: &[u8]) -> Option<u64> {
    let digits = args.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    args.iter().take(digits).try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

impl Command {
    /// Parses one command line, without its CRLF, with Postfix's envelope tolerances
    /// ([`EnvelopeSyntax::postfix`]).
    ///
    /// The verb is matched case-insensitively (RFC 5321 §2.4). A verb this crate does not
    /// know becomes [`Command::Unknown`]; a known verb with bad arguments is an error.
    ///
    /// # Errors
    /// [`CommandError::Syntax`] (reply `501`) with the offset in the line of the first byte
    /// that breaks the grammar; [`CommandError::Parameter`] or
    /// [`CommandError::DuplicateParameter`] (reply `501`/`555`) for bad ESMTP parameters.
    pub fn parse(line: &[u8]) -> Result<Self, CommandError> {
        Self::parse_with(line, EnvelopeSyntax::postfix())
    }

    /// Parses one command line, without its CRLF, accepting the `MAIL` / `RCPT` forms that
    /// `syntax` allows.
    ///
    /// ```abnf
    /// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF   ; RFC 5321 §4.1.1.2
    /// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
    ///        Forward-path ) [SP Rcpt-parameters] CRLF              ; RFC 5321 §4.1.1.3
    /// ```
    ///
    /// # Errors
    /// As [`Command::parse`].
    pub fn parse_with(line: &[u8], syntax: EnvelopeSyntax) -> Result<Self, CommandError> {
        let (verb, args) = split_verb(line);
        let base = verb.len() + 1;
        let shift = |e: CommandError| e.shifted(base);
        // Checks only, so that the command is built once, in place (a closure taking and
        // returning the whole `Command` copied it twice).
        let no_args = || match args {
            None => Ok(()),
            // Tolerance: trailing spaces after an argument-less verb.
            Some(a) if a.iter().all(|&b| b == b' ') => Ok(()),
            Some(_) => Err(CommandError::syntax(verb.len(), "end of line")),
        };
        let required = |expected| args.ok_or(CommandError::syntax(verb.len(), expected));
        match (verb.len(), verb4_upper(verb).unwrap_or(0)) {
            (4, MAIL) => mail(required("SP FROM:")?, base, syntax),
            (4, RCPT) => rcpt(required("SP TO:")?, base, syntax),
            (4, DATA) => no_args().map(|()| Self::Data),
            (4, BDAT) => bdat(required("SP chunk-size")?).map_err(shift),
            (4, RSET) => no_args().map(|()| Self::Rset),
            (4, QUIT) => no_args().map(|()| Self::Quit),
            (4, NOOP) => Ok(Self::Noop(optional_argument(args).map_err(shift)?)),
            (4, HELP) => Ok(Self::Help(optional_argument(args).map_err(shift)?)),
            (4, EHLO) => Ok(Self::Ehlo(
                helo_domain(required("SP domain")?).map_err(shift)?,
            )),
            (4, HELO) => Ok(Self::Helo(
                helo_domain(required("SP domain")?).map_err(shift)?,
            )),
            (4, LHLO) => Ok(Self::Lhlo(
                helo_domain(required("SP domain")?).map_err(shift)?,
            )),
            (4, VRFY) => Ok(Self::Vrfy(
                required_argument(required("SP string")?).map_err(shift)?,
            )),
            (4, EXPN) => Ok(Self::Expn(
                required_argument(required("SP string")?).map_err(shift)?,
            )),
            (4, ETRN) => Ok(Self::Etrn(
                required_argument(required("SP node")?).map_err(shift)?,
            )),
            (4, AUTH) => auth(required("SP mechanism")?).map_err(shift),
            (8, _) if is_verb(verb, b"STARTTLS") => no_args().map(|()| Self::StartTls),
            _ => {
                if verb.is_empty() {
                    return Err(CommandError::syntax(0, "command verb"));
                }
                let verb_text = Argument::new(verb)?;
                if verb_text.as_str().contains(' ') {
                    return Err(CommandError::syntax(0, "command verb"));
                }
                Ok(Self::Unknown {
                    verb: verb_text.0,
                    arguments: args.map(Argument::new).transpose().map_err(shift)?,
                })
            }
        }
    }

    /// Appends the command line, CRLF included, to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Self::Helo(d) => line(out, b"HELO ", d.to_text().as_bytes()),
            Self::Ehlo(d) => line(out, b"EHLO ", d.to_text().as_bytes()),
            Self::Lhlo(d) => line(out, b"LHLO ", d.to_text().as_bytes()),
            Self::Mail {
                reverse_path,
                parameters,
            } => {
                out.extend_from_slice(b"MAIL FROM:");
                out.extend_from_slice(reverse_path.to_string().as_bytes());
                parameters.encode(out);
                out.extend_from_slice(b"\r\n");
            }
            Self::Rcpt {
                forward_path,
                parameters,
            } => {
                out.extend_from_slice(b"RCPT TO:");
                out.extend_from_slice(forward_path.to_string().as_bytes());
                parameters.encode(out);
                out.extend_from_slice(b"\r\n");
            }
            Self::Data => out.extend_from_slice(b"DATA\r\n"),
            Self::Bdat { size, last } => {
                let marker = if *last { " LAST" } else { "" };
                out.extend_from_slice(format!("BDAT {size}{marker}\r\n").as_bytes());
            }
            Self::Rset => out.extend_from_slice(b"RSET\r\n"),
            Self::Vrfy(a) => line(out, b"VRFY ", a.as_str().as_bytes()),
            Self::Expn(a) => line(out, b"EXPN ", a.as_str().as_bytes()),
            Self::Help(None) => out.extend_from_slice(b"HELP\r\n"),
            Self::Help(Some(a)) => line(out, b"HELP ", a.as_str().as_bytes()),
            Self::Noop(None) => out.extend_from_slice(b"NOOP\r\n"),
            Self::Noop(Some(a)) => line(out, b"NOOP ", a.as_str().as_bytes()),
            Self::Quit => out.extend_from_slice(b"QUIT\r\n"),
            Self::StartTls => out.extend_from_slice(b"STARTTLS\r\n"),
            Self::Auth {
                mechanism,
                initial_response,
            } => {
                out.extend_from_slice(b"AUTH ");
                out.extend_from_slice(mechanism.as_str().as_bytes());
                if let Some(ir) = initial_response {
                    out.extend_from_slice(b" ");
                    let mut encoded = Vec::new();
                    framing::encode_response(ir.expose(), ResponseKind::Initial, &mut encoded);
                    out.extend_from_slice(&encoded);
                }
                out.extend_from_slice(b"\r\n");
            }
            Self::Etrn(a) => line(out, b"ETRN ", a.as_str().as_bytes()),
            Self::Unknown { verb, arguments } => {
                out.extend_from_slice(verb.as_bytes());
                if let Some(a) = arguments {
                    out.extend_from_slice(b" ");
                    out.extend_from_slice(a.as_str().as_bytes());
                }
                out.extend_from_slice(b"\r\n");
            }
        }
    }

    /// Returns the command line, CRLF included.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(64);
        self.encode(&mut out);
        out.freeze()
    }
}

fn line(out: &mut BytesMut, verb: &[u8], arg: &[u8]) {
    out.extend_from_slice(verb);
    out.extend_from_slice(arg);
    out.extend_from_slice(b"\r\n");
}

/// Reads a HELO argument. Tolerance: trailing spaces.
fn helo_domain(args: &[u8]) -> Result<HeloDomain, CommandError> {
    let trimmed = args.trim_ascii_end();
    HeloDomain::parse(trimmed)
}

fn required_argument(args: &[u8]) -> Result<Argument, CommandError> {
    if args.trim_ascii().is_empty() {
        return Err(CommandError::syntax(0, "argument"));
    }
    Argument::new(args)
}

fn optional_argument(args: Option<&[u8]>) -> Result<Option<Argument>, CommandError> {
    match args {
        None => Ok(None),
        Some(a) if a.trim_ascii().is_empty() => Ok(None),
        Some(a) => Argument::new(a).map(Some),
    }
}

/// Reads `AUTH mechanism [initial-response]` (RFC 4954 §4).
///
/// ```abnf
/// auth-command     = "AUTH" SP sasl-mech [SP initial-response] *(CRLF [base64]) [CRLF cancel-response] CRLF
/// initial-response = base64 / "="
/// ```
fn auth(args: &[u8]) -> Result<Command, CommandError> {
    let (mech, rest) = split_verb(args);
    let mechanism = core::str::from_utf8(mech)
        .ok()
        .and_then(|m| m.parse::<Mechanism>().ok())
        .ok_or(CommandError::syntax(0, "sasl-mech"))?;
    let initial_response = match rest {
        None => None,
        Some(ir) => match framing::decode_response(ir, ResponseKind::Initial, MAX_INITIAL_RESPONSE)
        {
            Ok(ClientResponse::Data(d)) => Some(d),
            Ok(ClientResponse::Cancel) | Err(_) => {
                return Err(CommandError::syntax(
                    mech.len() + 1,
                    "base64 initial response or '='",
                ));
            }
        },
    };
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The parameter reading as it was before the typed fast path: every parameter through
    /// [`EsmtpParameter::parse`], then `from_esmtp`.
    fn reference(line: &[u8]) -> Result<Command, CommandError> {
        let (verb, args) = split_verb(line);
        let args = args.unwrap_or_default();
        let is_mail = verb.eq_ignore_ascii_case(b"MAIL");
        let at = if is_mail { 5 } else { 3 };
        let rest = args.get(at..).unwrap_or_default();
        let (path, used) = if is_mail {
            let (p, n) = ReversePath::parse_prefix(rest).unwrap();
            (Ok(p), n)
        } else {
            let (p, n) = ForwardPath::parse_prefix(rest).unwrap();
            (Err(p), n)
        };
        let base = verb.len() + 1 + at + used + 1;
        let mut params = Vec::new();
        let list = rest.get(used + 1..).unwrap_or_default();
        let mut pos = 0;
        for word in list.split(|&b| b == b' ') {
            if !word.is_empty() {
                let p = EsmtpParameter::parse(word)
                    .map_err(|e| CommandError::syntax(base + pos + e.offset, e.expected))?;
                params.push(p);
            }
            pos += word.len() + 1;
        }
        Ok(match path {
            Ok(reverse_path) => Command::Mail {
                reverse_path,
                parameters: MailParameters::from_esmtp(params)?,
            },
            Err(forward_path) => Command::Rcpt {
                forward_path,
                parameters: RcptParameters::from_esmtp(params)?,
            },
        })
    }

    fn param() -> impl Strategy<Value = String> {
        let keyword = prop_oneof![
            Just("SIZE"),
            Just("size"),
            Just("BODY"),
            Just("SMTPUTF8"),
            Just("RET"),
            Just("ENVID"),
            Just("AUTH"),
            Just("REQUIRETLS"),
            Just("MT-PRIORITY"),
            Just("BY"),
            Just("HOLDFOR"),
            Just("HOLDUNTIL"),
            Just("NOTIFY"),
            Just("ORCPT"),
            Just("RRVS"),
            Just("X-FOO"),
            Just("-BAD"),
            Just(""),
        ];
        let value = prop_oneof![
            Just(None),
            Just(Some("")),
            Just(Some("100")),
            Just(Some("8bitmime")),
            Just(Some("FULL")),
            Just(Some("hdrs")),
            Just(Some("a+2Bb")),
            Just(Some("+zz")),
            Just(Some("-3")),
            Just(Some("120;rt")),
            Just(Some("SUCCESS,DELAY")),
            Just(Some("rfc822;a@b")),
            Just(Some("2026-01-01T00:00:00Z")),
            Just(Some("ü")),
            Just(Some("a=b")),
            Just(Some("\u{7f}")),
        ];
        (keyword, value).prop_map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.to_owned(),
        })
    }

    proptest! {
        #[test]
        fn typed_parameters_match_the_esmtp_parameter_path(
            mail in any::<bool>(),
            params in proptest::collection::vec(param(), 0..12),
            gaps in proptest::collection::vec(1usize..3, 12),
        ) {
            let mut line = String::from(if mail { "MAIL FROM:<a@b.example>" } else { "RCPT TO:<c@d.example>" });
            for (p, gap) in params.iter().zip(&gaps) {
                line.push_str(&" ".repeat(*gap));
                line.push_str(p);
            }
            prop_assert_eq!(Command::parse(line.as_bytes()), reference(line.as_bytes()), "{}", line);
        }
    }

    #[test]
    fn a_syntax_error_in_a_later_parameter_wins_over_a_bad_value() {
        assert_eq!(
            Command::parse(b"MAIL FROM:<a@b> SIZE=x -BAD"),
            Err(CommandError::syntax(23, "esmtp-keyword"))
        );
    }

    #[test]
    fn split_verb_splits_at_the_first_space() {
        for line in [
            &b""[..],
            b" ",
            b"DATA",
            b"DATA ",
            b"DATA  x",
            b"RCPT TO:<a@b>",
            b"RC T TO",
            b"R    x",
            b"STARTTLS",
            b"STARTTLS x",
            b"AB",
            b"ABC D",
            b"ABCDE",
        ] {
            let want = match line.iter().position(|&b| b == b' ') {
                Some(i) => (&line[..i], Some(&line[i + 1..])),
                None => (line, None),
            };
            assert_eq!(
                split_verb(line),
                want,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn verb_numbers_match_exactly_the_case_insensitive_verb() {
        for verb in [b"MAIL", b"RCPT", b"DATA", b"QUIT", b"EHLO", b"AUTH"] {
            for pos in 0..4 {
                for b in 0..=255u8 {
                    let mut v = *verb;
                    v[pos] = b;
                    assert_eq!(
                        verb4_upper(&v) == Some(verb4(verb)),
                        v.eq_ignore_ascii_case(verb),
                        "{v:?}"
                    );
                }
            }
        }
        assert_eq!(verb4_upper(b"MAI"), None);
    }

    #[test]
    fn has_space_finds_a_space_in_any_of_four_octets() {
        for pos in 0..4 {
            for b in 0..=255u8 {
                let mut four = *b"ABCD";
                four[pos] = b;
                assert_eq!(has_space(&four), four.contains(&b' '), "{four:?}");
            }
        }
        assert!(has_space(b"    "));
        assert!(!has_space(&[0; 4]));
    }

    #[test]
    fn path_keywords_match_exactly_the_case_insensitive_keyword() {
        for keyword in [&b"FROM:"[..], b"TO:"] {
            for pos in 0..keyword.len() {
                for b in 0..=255u8 {
                    let mut args = keyword.to_vec();
                    args[pos] = b;
                    args.extend_from_slice(b"<a@b>");
                    let want = args[..keyword.len()].eq_ignore_ascii_case(keyword);
                    let got = path_start(&args, keyword, "kw", EnvelopeSyntax::strict());
                    assert_eq!(got.is_ok(), want, "{args:?}");
                }
            }
        }
    }
}

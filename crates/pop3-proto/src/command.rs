//! POP3 commands (client → server): types, parsing and encoding.
//!
//! ```abnf
//! ; RFC 2449 §3
//! command      =  keyword *(SP param) CRLF    ;255 octets maximum
//! keyword      =  3*4VCHAR
//! param        =  1*VCHAR
//! ```
//!
//! [`Command::parse`] reads one line (without its CRLF) and dispatches on the upper-cased
//! keyword; [`Command::encode`] appends the line and its CRLF. Every argument type validates
//! on construction, so an encoded command can never carry CR, LF or NUL inside an argument.

use core::fmt;
use core::num::NonZeroU32;
use core::str::FromStr;

use bytes::{BufMut, Bytes, BytesMut};
use mail_core::Secret;
use mail_core::buffer::put_decimal;
use mail_core::sasl::{self, ClientResponse, Mechanism, ResponseKind};
use md5::{Digest as _, Md5};

use crate::error::{CommandError, ValueError};

/// A message number (RFC 1939 §5): `1` is the first message of the maildrop.
///
/// Message numbers are `nz-number`s; `0` does not exist, and a number past the end of the
/// maildrop is answered `-ERR` by the server, not rejected here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageNumber(NonZeroU32);

impl MessageNumber {
    /// Returns the number, or `None` for `0`.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// Returns the number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// Returns the zero-based index of the message in the maildrop listing.
    pub const fn index(self) -> usize {
        (self.0.get() as usize).saturating_sub(1)
    }

    /// Returns the number of the message at zero-based `index`, or `None` past `u32::MAX`.
    pub fn from_index(index: usize) -> Option<Self> {
        u32::try_from(index.checked_add(1)?)
            .ok()
            .and_then(Self::new)
    }
}

impl fmt::Display for MessageNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for MessageNumber {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let n = parse_u32(s.as_bytes()).ok_or(ValueError::OutOfRange)?;
        Self::new(n).ok_or(ValueError::OutOfRange)
    }
}

/// Parses `1*DIGIT` into a `u32`, refusing overflow and anything but digits.
pub(crate) fn parse_u32(digits: &[u8]) -> Option<u32> {
    u32::try_from(parse_u64(digits)?).ok()
}

/// Parses `1*DIGIT` into a `u64`, refusing overflow and anything but digits.
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}

/// The longest unique-id (RFC 1939 §7).
pub const MAX_UNIQUE_ID_LEN: usize = 70;

/// A message's unique-id (RFC 1939 §7, UIDL): 1 to 70 octets in the range `0x21`–`0x7E`.
///
/// > The unique-id of a message is an arbitrary server-determined string, consisting of one
/// > to 70 characters in the range 0x21 to 0x7E.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueId(Bytes);

impl UniqueId {
    /// Returns the unique-id, or why `value` is not one.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] past 70 octets, or
    /// [`ValueError::Forbidden`] for an octet outside `0x21`–`0x7E`.
    pub fn new(value: impl Into<Bytes>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.len() > MAX_UNIQUE_ID_LEN {
            return Err(ValueError::TooLong);
        }
        // A branch-free check first (it vectorizes); the offset only for the error.
        if !value
            .iter()
            .fold(true, |ok, b| ok & (0x21..=0x7e).contains(b))
            && let Some(offset) = value.iter().position(|b| !(0x21..=0x7e).contains(b))
        {
            return Err(ValueError::Forbidden { offset });
        }
        Ok(Self(value))
    }

    /// Returns the octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Returns the unique-id as text (it is always ASCII).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for UniqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UniqueId({:?})", self.as_str())
    }
}

impl fmt::Display for UniqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UniqueId {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl TryFrom<&[u8]> for UniqueId {
    type Error = ValueError;
    fn try_from(b: &[u8]) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(b))
    }
}

/// The longest [`Argument`], in octets: a whole command line is 255 (RFC 2449 §4).
pub const MAX_ARGUMENT_LEN: usize = 255;

/// A command argument (RFC 2449 §3 `param = 1*VCHAR`): a user name, a language tag, an
/// argument of an unknown command.
///
/// Besides `VCHAR`, UTF-8 is allowed (RFC 6856 §2: user names and passwords may be UTF-8 once
/// the `UTF8` command was accepted). Never empty; never SP, CR, LF, NUL or another control.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Argument(String);

impl Argument {
    /// Returns the argument, or why `value` is not one.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`], or [`ValueError::Forbidden`] at the
    /// first space or control character.
    pub fn new(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.len() > MAX_ARGUMENT_LEN {
            return Err(ValueError::TooLong);
        }
        if let Some(offset) = value.bytes().position(|b| b <= b' ' || b == 0x7f) {
            return Err(ValueError::Forbidden { offset });
        }
        Ok(Self(value))
    }

    /// Returns the argument as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parse(bytes: &[u8], offset: usize) -> Result<Self, CommandError> {
        let text = core::str::from_utf8(bytes)
            .map_err(|e| CommandError::syntax(offset + e.valid_up_to(), "UTF-8"))?;
        Self::new(text).map_err(|e| match e {
            ValueError::Forbidden { offset: at } => CommandError::syntax(offset + at, "VCHAR"),
            _ => CommandError::syntax(offset, "argument"),
        })
    }
}

impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Argument {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::new(s)
    }
}

/// A `PASS` password (RFC 1939 §7): any text up to the end of the line, spaces included.
///
/// RFC 1939 §7: "Since the PASS command has exactly one argument, a POP3 server may treat
/// spaces in the argument as part of the password, instead of as argument separators." This
/// crate does. Never empty; never CR, LF or NUL. `Debug` redacts it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Password(Secret<String>);

impl Password {
    /// Returns the password, or why `value` cannot be sent.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] (past 250 octets, so that the command
    /// line fits 255), or [`ValueError::Forbidden`] for CR, LF or NUL.
    pub fn new(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.len() > MAX_ARGUMENT_LEN - 5 {
            return Err(ValueError::TooLong);
        }
        if let Some(offset) = value.bytes().position(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(ValueError::Forbidden { offset });
        }
        Ok(Self(Secret::new(value)))
    }

    /// Returns the password.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Returns it as a [`Secret`].
    pub fn into_secret(self) -> Secret<String> {
        self.0
    }
}

/// The `APOP` digest (RFC 1939 §7): MD5 of the greeting's timestamp followed by the shared
/// secret, sent as 32 lower-case hex digits.
///
/// ```
/// use pop3_proto::command::ApopDigest;
/// // RFC 1939 §7's example.
/// let digest = ApopDigest::compute(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf");
/// assert_eq!(digest.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApopDigest([u8; 16]);

impl ApopDigest {
    /// Returns the digest of `timestamp` (with its angle brackets) and `secret`.
    pub fn compute(timestamp: &[u8], secret: &[u8]) -> Self {
        let mut hasher = Md5::new();
        hasher.update(timestamp);
        hasher.update(secret);
        Self(hasher.finalize().into())
    }

    /// Returns the digest's 16 octets.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Returns the digest of these 16 octets.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Returns whether this digest is the one `timestamp` and `secret` give, comparing in
    /// constant time so that the comparison reveals nothing about where they differ.
    pub fn verify(&self, timestamp: &[u8], secret: &[u8]) -> bool {
        let expected = Self::compute(timestamp, secret);
        mail_core::sasl::scram::constant_time_eq(&self.0, &expected.0)
    }

    fn parse(hex: &[u8]) -> Option<Self> {
        if hex.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            let mut value = 0u8;
            for &c in pair {
                let nibble = match c {
                    b'0'..=b'9' => c - b'0',
                    b'a'..=b'f' => c - b'a' + 10,
                    b'A'..=b'F' => c - b'A' + 10,
                    _ => return None,
                };
                value = (value << 4) | nibble;
            }
            *byte = value;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApopDigest({self})")
    }
}

impl fmt::Display for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for ApopDigest {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::parse(s.as_bytes()).ok_or(ValueError::Forbidden { offset: 0 })
    }
}

/// The start of a SASL exchange: `AUTH mechanism [initial-response]` (RFC 5034 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaslStart {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The decoded initial response, if the client sent one (`=` is an empty one).
    pub initial_response: Option<Secret<Vec<u8>>>,
}

/// The verb of a command this crate does not know: 1 to 20 `VCHAR`s (RFC 2449 §3 says 3 or
/// 4; longer ones are tolerated), never one of the known keywords.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Keyword(String);

const KNOWN: [&str; 18] = [
    "USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL",
    "CAPA", "STLS", "AUTH", "UTF8", "LANG", "",
];

impl Keyword {
    /// Returns the keyword, or why `value` is not an unknown one.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] past 20 octets,
    /// [`ValueError::Forbidden`] for a non-`VCHAR`, or for a keyword this crate knows.
    pub fn new(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.len() > 20 {
            return Err(ValueError::TooLong);
        }
        if let Some(offset) = value.bytes().position(|b| !(0x21..=0x7e).contains(&b)) {
            return Err(ValueError::Forbidden { offset });
        }
        if KNOWN.iter().any(|k| k.eq_ignore_ascii_case(&value)) {
            return Err(ValueError::Forbidden { offset: 0 });
        }
        Ok(Self(value))
    }

    /// Returns the keyword as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A POP3 command.
///
/// | command | RFC |
/// |---|---|
/// | `USER`, `PASS`, `APOP`, `STAT`, `LIST`, `RETR`, `DELE`, `NOOP`, `RSET`, `QUIT`, `TOP`, `UIDL` | 1939 §4–7 |
/// | `CAPA` | 2449 §5 |
/// | `STLS` | 2595 §4 |
/// | `AUTH` | 5034 §4 |
/// | `UTF8`, `LANG` | 6856 §2.1, §3 |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `USER name` (RFC 1939 §7).
    User(Argument),
    /// `PASS string` (RFC 1939 §7); the password may contain spaces.
    Pass(Password),
    /// `APOP name digest` (RFC 1939 §7).
    Apop {
        /// The mailbox name.
        name: Argument,
        /// MD5 of the greeting's timestamp and the shared secret.
        digest: ApopDigest,
    },
    /// `STAT` (RFC 1939 §5).
    Stat,
    /// `LIST [msg]` (RFC 1939 §5).
    List(Option<MessageNumber>),
    /// `RETR msg` (RFC 1939 §5).
    Retr(MessageNumber),
    /// `DELE msg` (RFC 1939 §5).
    Dele(MessageNumber),
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5).
    Rset,
    /// `QUIT` (RFC 1939 §4, §6).
    Quit,
    /// `TOP msg n` (RFC 1939 §7): the headers, the blank line and `n` lines of the body.
    Top {
        /// The message.
        msg: MessageNumber,
        /// How many body lines.
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7).
    Uidl(Option<MessageNumber>),
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `AUTH [mechanism [initial-response]]` (RFC 5034 §4). A bare `AUTH` asks for the
    /// mechanism list (the RFC 1734 practice some clients still follow).
    Auth(Option<SaslStart>),
    /// `UTF8` (RFC 6856 §2.1).
    Utf8,
    /// `LANG [lang-or-wild]` (RFC 6856 §3): no argument asks for the list.
    Lang(Option<Argument>),
    /// A command this crate does not know, kept as sent.
    Unknown {
        /// The keyword.
        keyword: Keyword,
        /// Its arguments, split at spaces.
        arguments: Vec<Argument>,
    },
}

/// Splits `input` at runs of spaces, giving each word with its offset.
fn words(input: &[u8], base: usize) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0usize;
    core::iter::from_fn(move || {
        let rest = input.get(pos..)?;
        let skip = rest.iter().position(|&b| b != b' ')?;
        let start = pos + skip;
        let word = input.get(start..)?;
        let len = word.iter().position(|&b| b == b' ').unwrap_or(word.len());
        pos = start + len;
        Some((base + start, word.get(..len)?))
    })
}

fn message_number(word: Option<(usize, &[u8])>, at: usize) -> Result<MessageNumber, CommandError> {
    let (offset, digits) = word.ok_or(CommandError::syntax(at, "message number"))?;
    parse_u32(digits)
        .and_then(MessageNumber::new)
        .ok_or(CommandError::syntax(offset, "nz-number"))
}

fn end(word: Option<(usize, &[u8])>) -> Result<(), CommandError> {
    match word {
        None => Ok(()),
        Some((offset, _)) => Err(CommandError::syntax(offset, "end of line")),
    }
}

impl Command {
    /// Parses one command line, without its CRLF (RFC 2449 §3, RFC 1939 §§4–7).
    ///
    /// ```abnf
    /// command      =  keyword *(SP param) CRLF    ;255 octets maximum
    /// keyword      =  3*4VCHAR
    /// param        =  1*VCHAR
    /// ```
    ///
    /// Keywords are case-insensitive (RFC 1939 §3). Tolerated: several spaces between
    /// arguments and trailing spaces (except in `PASS`, whose argument is the rest of the
    /// line after one space, spaces included); leading zeros in numbers; upper-case hex in the
    /// `APOP` digest. The line length is the caller's to enforce (the server does).
    ///
    /// # Errors
    /// [`CommandError::Syntax`] with the offset of the offending byte.
    pub fn parse(line: &[u8]) -> Result<Self, CommandError> {
        let verb_len = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
        let (verb, rest) = line.split_at_checked(verb_len).unwrap_or((line, &[]));
        if verb.is_empty() {
            return Err(CommandError::syntax(0, "keyword"));
        }
        if let Some(at) = verb.iter().position(|b| !(0x21..=0x7e).contains(b)) {
            return Err(CommandError::syntax(at, "VCHAR"));
        }
        let mut upper = [0u8; 4];
        let known = verb.len() <= 4;
        if known {
            for (u, v) in upper.iter_mut().zip(verb) {
                *u = v.to_ascii_uppercase();
            }
        }
        let key = upper.get(..verb.len()).filter(|_| known).unwrap_or(b"");
        let base = verb_len;
        let mut args = words(rest, base);
        let command = match key {
            b"USER" => {
                let (offset, name) = args.next().ok_or(CommandError::syntax(base, "name"))?;
                let name = Argument::parse(name, offset)?;
                end(args.next())?;
                Self::User(name)
            }
            b"PASS" => {
                // RFC 1939 §7: the rest of the line, spaces included, is the password.
                let password = rest
                    .strip_prefix(b" ")
                    .filter(|p| !p.is_empty())
                    .ok_or(CommandError::syntax(base, "password"))?;
                if let Some(at) = password
                    .iter()
                    .position(|&b| matches!(b, b'\r' | b'\n' | 0))
                {
                    return Err(CommandError::syntax(base + 1 + at, "password octet"));
                }
                let text = core::str::from_utf8(password)
                    .map_err(|e| CommandError::syntax(base + 1 + e.valid_up_to(), "UTF-8"))?;
                Self::Pass(Password(Secret::new(text.to_owned())))
            }
            b"APOP" => {
                let (offset, name) = args.next().ok_or(CommandError::syntax(base, "name"))?;
                let name = Argument::parse(name, offset)?;
                let (offset, hex) = args
                    .next()
                    .ok_or(CommandError::syntax(line.len(), "digest"))?;
                let digest =
                    ApopDigest::parse(hex).ok_or(CommandError::syntax(offset, "32 hex digits"))?;
                end(args.next())?;
                Self::Apop { name, digest }
            }
            b"STAT" => Self::no_args(Self::Stat, args.next())?,
            b"NOOP" => Self::no_args(Self::Noop, args.next())?,
            b"RSET" => Self::no_args(Self::Rset, args.next())?,
            b"QUIT" => Self::no_args(Self::Quit, args.next())?,
            b"CAPA" => Self::no_args(Self::Capa, args.next())?,
            b"STLS" => Self::no_args(Self::Stls, args.next())?,
            b"UTF8" => Self::no_args(Self::Utf8, args.next())?,
            b"LIST" | b"UIDL" => {
                let msg = match args.next() {
                    None => None,
                    some => Some(message_number(some, base)?),
                };
                end(args.next())?;
                if key == b"LIST" {
                    Self::List(msg)
                } else {
                    Self::Uidl(msg)
                }
            }
            b"RETR" | b"DELE" => {
                let msg = message_number(args.next(), base)?;
                end(args.next())?;
                if key == b"RETR" {
                    Self::Retr(msg)
                } else {
                    Self::Dele(msg)
                }
            }
            b"TOP" => {
                let msg = message_number(args.next(), base)?;
                let (offset, n) = args
                    .next()
                    .ok_or(CommandError::syntax(line.len(), "line count"))?;
                let lines = parse_u32(n).ok_or(CommandError::syntax(offset, "number"))?;
                end(args.next())?;
                Self::Top { msg, lines }
            }
            b"AUTH" => match args.next() {
                None => Self::Auth(None),
                Some((offset, name)) => {
                    let mechanism = Mechanism::try_from(name)
                        .map_err(|_| CommandError::syntax(offset, "sasl-mech"))?;
                    let initial_response = match args.next() {
                        None => None,
                        Some((offset, ir)) => {
                            match sasl::decode_response(ir, ResponseKind::Initial, usize::MAX) {
                                Ok(ClientResponse::Data(data)) => Some(data),
                                Ok(ClientResponse::Cancel) | Err(_) => {
                                    return Err(CommandError::syntax(offset, "base64"));
                                }
                            }
                        }
                    };
                    end(args.next())?;
                    Self::Auth(Some(SaslStart {
                        mechanism,
                        initial_response,
                    }))
                }
            },
            b"LANG" => {
                let tag = match args.next() {
                    None => None,
                    Some((offset, tag)) => Some(Argument::parse(tag, offset)?),
                };
                end(args.next())?;
                Self::Lang(tag)
            }
            _ => {
                let keyword = core::str::from_utf8(verb)
                    .ok()
                    .and_then(|v| Keyword::new(v).ok())
                    .ok_or(CommandError::syntax(0, "keyword"))?;
                let arguments = args
                    .map(|(offset, a)| Argument::parse(a, offset))
                    .collect::<Result<Vec<_>, _>>()?;
                Self::Unknown { keyword, arguments }
            }
        };
        Ok(command)
    }

    fn no_args(command: Self, next: Option<(usize, &[u8])>) -> Result<Self, CommandError> {
        end(next)?;
        Ok(command)
    }

    /// Returns the command's keyword, upper-case for known commands.
    pub fn keyword(&self) -> &str {
        match self {
            Self::User(_) => "USER",
            Self::Pass(_) => "PASS",
            Self::Apop { .. } => "APOP",
            Self::Stat => "STAT",
            Self::List(_) => "LIST",
            Self::Retr(_) => "RETR",
            Self::Dele(_) => "DELE",
            Self::Noop => "NOOP",
            Self::Rset => "RSET",
            Self::Quit => "QUIT",
            Self::Top { .. } => "TOP",
            Self::Uidl(_) => "UIDL",
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::Auth(_) => "AUTH",
            Self::Utf8 => "UTF8",
            Self::Lang(_) => "LANG",
            Self::Unknown { keyword, .. } => keyword.as_str(),
        }
    }

    /// Appends the command line and its CRLF to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_slice(self.keyword().as_bytes());
        let mut arg = |s: &[u8]| {
            out.put_u8(b' ');
            out.put_slice(s);
        };
        match self {
            Self::User(name) => arg(name.as_str().as_bytes()),
            Self::Pass(p) => arg(p.expose().as_bytes()),
            Self::Apop { name, digest } => {
                arg(name.as_str().as_bytes());
                arg(digest.to_string().as_bytes());
            }
            Self::List(Some(m)) | Self::Uidl(Some(m)) | Self::Retr(m) | Self::Dele(m) => {
                out.put_u8(b' ');
                put_decimal(out, u64::from(m.get()));
            }
            Self::Top { msg, lines } => {
                out.put_u8(b' ');
                put_decimal(out, u64::from(msg.get()));
                out.put_u8(b' ');
                put_decimal(out, u64::from(*lines));
            }
            Self::Auth(Some(start)) => {
                arg(start.mechanism.as_str().as_bytes());
                if let Some(ir) = &start.initial_response {
                    let mut b64 = Vec::new();
                    sasl::encode_response(ir.expose(), ResponseKind::Initial, &mut b64);
                    arg(&b64);
                }
            }
            Self::Lang(Some(tag)) => arg(tag.as_str().as_bytes()),
            Self::Unknown { arguments, .. } => {
                for a in arguments {
                    arg(a.as_str().as_bytes());
                }
            }
            Self::Stat
            | Self::List(None)
            | Self::Uidl(None)
            | Self::Noop
            | Self::Rset
            | Self::Quit
            | Self::Capa
            | Self::Stls
            | Self::Auth(None)
            | Self::Utf8
            | Self::Lang(None) => {}
        }
        out.put_slice(b"\r\n");
    }

    /// Returns the encoded command line, CRLF included.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Command {
        Command::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn rfc1939_examples() {
        assert_eq!(p("USER mrose"), Command::User("mrose".parse().unwrap()));
        assert_eq!(p("STAT"), Command::Stat);
        assert_eq!(p("LIST 2"), Command::List(MessageNumber::new(2)));
        assert_eq!(
            p("TOP 10 0"),
            Command::Top {
                msg: MessageNumber::new(10).unwrap(),
                lines: 0
            }
        );
        assert_eq!(
            p("APOP mrose c4c9334bac560ecc979e58001b3e22fb"),
            Command::Apop {
                name: "mrose".parse().unwrap(),
                digest: "c4c9334bac560ecc979e58001b3e22fb".parse().unwrap(),
            }
        );
    }

    #[test]
    fn keyword_is_case_insensitive() {
        assert_eq!(p("stat"), Command::Stat);
        assert_eq!(p("rEtR 1"), Command::Retr(MessageNumber::new(1).unwrap()));
    }

    #[test]
    fn password_keeps_spaces() {
        let Command::Pass(pw) = p("PASS  my secret  pass ") else {
            panic!()
        };
        assert_eq!(pw.expose(), " my secret  pass ");
    }

    #[test]
    fn message_zero_is_a_syntax_error() {
        assert!(Command::parse(b"RETR 0").is_err());
        assert!(Command::parse(b"RETR 4294967296").is_err());
        assert!(Command::parse(b"RETR -1").is_err());
    }

    #[test]
    fn apop_digest_of_rfc1939() {
        let d = ApopDigest::compute(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf");
        assert_eq!(d.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
        assert!(d.verify(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf"));
        assert!(!d.verify(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaF"));
    }

    #[test]
    fn unique_id_limits() {
        assert!(UniqueId::try_from(&[b'a'; 70][..]).is_ok());
        assert_eq!(
            UniqueId::try_from(&[b'a'; 71][..]),
            Err(ValueError::TooLong)
        );
        assert!(UniqueId::try_from(&b"a b"[..]).is_err());
        assert!(UniqueId::try_from(&b""[..]).is_err());
    }
}

//! EHLO keywords: the typed capability list of an EHLO (or LHLO) reply (RFC 5321 §4.1.1.1).
//!
//! ```abnf
//! ehlo-ok-rsp  = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//!              / ( "250-" Domain [ SP ehlo-greet ] CRLF
//!                  *( "250-" ehlo-line CRLF )
//!                  "250" SP ehlo-line CRLF )
//! ehlo-line    = ehlo-keyword *( SP ehlo-param )
//! ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//! ehlo-param   = 1*(%d33-126)
//! ```
//!
//! Keywords are recognised case-insensitively (§4.1.1.1 "MUST always be recognized and
//! processed in a case-insensitive manner"); unknown keywords are kept with their parameters.

use mail_core::sasl::Mechanism;
use mail_core::text::CompactText;

use crate::command::params::is_word;
use crate::error::ReplyError;
use crate::reply::{Reply, ReplyCode, ReplyLimits, parse_raw_line};

/// One EHLO keyword with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `SIZE [n]` (RFC 1870): the largest message accepted; `None` or `Some(0)` for no
    /// fixed limit.
    Size(Option<u64>),
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `CHUNKING` (RFC 3030): `BDAT`.
    Chunking,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `AUTH mech …` (RFC 4954 §3).
    Auth(Vec<Mechanism>),
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `DELIVERBY [min-by-time]` (RFC 2852 §3).
    DeliverBy(Option<u64>),
    /// `FUTURERELEASE max-interval max-date-time` (RFC 4865 §3).
    FutureRelease {
        /// The longest `HOLDFOR`, in seconds.
        max_interval: u64,
        /// The latest `HOLDUNTIL`, as sent.
        max_date_time: String,
    },
    /// `MT-PRIORITY [profile]` (RFC 6710 §5).
    MtPriority(Option<String>),
    /// `LIMITS name=value …` (RFC 9422 §3): `RCPTMAX`, `MAILMAX`, `RCPTDOMAINMAX`, others.
    Limits(Vec<(String, u64)>),
    /// `HELP`.
    Help,
    /// `VRFY`.
    Vrfy,
    /// `EXPN`.
    Expn,
    /// `ETRN` (RFC 1985).
    Etrn,
    /// Any other keyword, upper-cased, with its parameters as sent.
    Other(OtherCapability),
}

/// An EHLO keyword this crate does not type, with its parameters (RFC 5321 §4.1.1.1).
///
/// Held as one `ehlo-line` (the keyword upper-cased, each parameter after one space),
/// inline up to 46 octets (`XFORWARD NAME ADDR PROTO HELO`): no allocation for the usual
/// ones, one for a longer line however many parameters it has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCapability {
    line: CompactText<46>,
}

impl OtherCapability {
    /// Returns a capability from its keyword (upper-cased here) and parameters.
    ///
    /// ```
    /// use smtp_proto::capability::OtherCapability;
    ///
    /// let x = OtherCapability::new("x-exps", ["GSSAPI", "NTLM"])?;
    /// assert_eq!(x.keyword(), "X-EXPS");
    /// assert_eq!(x.params().collect::<Vec<_>>(), ["GSSAPI", "NTLM"]);
    /// # Ok::<(), smtp_proto::error::ReplyError>(())
    /// ```
    ///
    /// # Errors
    /// [`ReplyError::Syntax`] when `keyword` is no `ehlo-keyword` or a parameter is no
    /// `ehlo-param` (`1*(%d33-126)`).
    pub fn new<'a>(
        keyword: &str,
        params: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, ReplyError> {
        let keyword_ok = keyword
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && keyword
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !keyword_ok {
            return Err(ReplyError::Syntax {
                offset: 0,
                expected: "ehlo-keyword",
            });
        }
        let params: Vec<&str> = params.into_iter().collect();
        if params
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| (33..=126).contains(&b)))
        {
            return Err(ReplyError::Syntax {
                offset: keyword.len(),
                expected: "ehlo-param",
            });
        }
        Ok(Self::from_words(keyword, params))
    }

    /// Builds the value straight from an `ehlo-line` already checked that is in the held
    /// form already but for the keyword's case (the keyword is `key_len` octets, the words are
    /// separated by single spaces, no space ends the line) and fits inline; `None` otherwise,
    /// for [`OtherCapability::from_words`].
    fn from_line(bytes: &[u8], key_len: usize) -> Option<Self> {
        // Copied into a zero-padded buffer that is read a word at a time; the padding is no
        // space and is ASCII.
        let mut buf = [0u8; 48];
        buf.get_mut(..bytes.len())
            .filter(|_| bytes.len() <= 46)?
            .copy_from_slice(bytes);
        if bytes.last() == Some(&b' ') || !is_ascii_single_spaced(&buf) {
            return None;
        }
        buf.get_mut(..key_len)?.make_ascii_uppercase();
        // Checked ASCII just above.
        CompactText::from_scanned_ascii(buf.get(..bytes.len())?).map(|line| Self { line })
    }

    /// Builds the line from words already checked.
    fn from_words<'a>(keyword: &str, params: impl IntoIterator<Item = &'a str> + Clone) -> Self {
        // Assembled on the stack when it fits and is ASCII (as an `ehlo-param` is).
        let mut buf = [0u8; 46];
        let mut len = 0;
        let mut push = |word: &[u8], space: bool| {
            let start = len + usize::from(space);
            match buf.get_mut(len..start + word.len()) {
                Some(dst) => {
                    if let Some((first, rest)) = dst.split_first_mut().filter(|_| space) {
                        *first = b' ';
                        rest.copy_from_slice(word);
                    } else {
                        dst.copy_from_slice(word);
                    }
                    len = start + word.len();
                    true
                }
                None => false,
            }
        };
        let mut fits = push(keyword.as_bytes(), false);
        for p in params.clone() {
            fits = fits && push(p.as_bytes(), true);
        }
        if fits && let Some(line) = buf.get_mut(..len) {
            if let Some(k) = line.get_mut(..keyword.len()) {
                k.make_ascii_uppercase();
            }
            if let Some(line) = CompactText::from_ascii(line) {
                return Self { line };
            }
        }
        let mut line = String::from(keyword);
        line.make_ascii_uppercase();
        for p in params {
            line.push(' ');
            line.push_str(p);
        }
        Self {
            line: CompactText::from_string(line),
        }
    }

    /// Returns the keyword, upper-cased.
    pub fn keyword(&self) -> &str {
        self.line.as_str().split(' ').next().unwrap_or_default()
    }

    /// Returns the parameters, as sent.
    pub fn params(&self) -> impl Iterator<Item = &str> + '_ {
        self.line.as_str().split(' ').skip(1)
    }

    /// Returns the `ehlo-line`: the keyword, then each parameter after one space.
    pub fn as_line(&self) -> &str {
        self.line.as_str()
    }
}

/// The mechanisms of [`Mechanism`] that have a variant of their own, so that the usual
/// `AUTH` line is read without the allocation of `Mechanism::from_str`.
const NAMED_MECHANISMS: [Mechanism; 8] = [
    Mechanism::Plain,
    Mechanism::Login,
    Mechanism::XOAuth2,
    Mechanism::OAuthBearer,
    Mechanism::External,
    Mechanism::Anonymous,
    Mechanism::CramMd5,
    Mechanism::ScramSha256,
];

/// Reads one `AUTH` parameter as a mechanism name (case-insensitively).
fn mechanism(name: &str) -> Option<Mechanism> {
    NAMED_MECHANISMS
        .iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(name))
        .cloned()
        .or_else(|| name.parse().ok())
}

/// The words of an `ehlo-line`: what the spaces separate, runs of spaces counting as one.
#[derive(Clone)]
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        // Spaces are ASCII, so every cut below is on a character boundary.
        let start = self.0.bytes().position(|b| b != b' ')?;
        let rest = self.0.get(start..)?;
        let len = rest.bytes().position(|b| b == b' ').unwrap_or(rest.len());
        let (word, tail) = rest.split_at_checked(len)?;
        self.0 = tail;
        Some(word)
    }
}

/// The longest keyword [`Capability`] types: `ENHANCEDSTATUSCODES`.
const KEYWORD_MAX: usize = 19;

/// For each octet: its upper-case form when it may be part of an `ehlo-keyword` (ALPHA,
/// DIGIT, "-"), else 0.
const KEYWORD_CHARS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut rest: &mut [u8] = &mut table;
    let mut c: u8 = 0;
    while let [slot, tail @ ..] = rest {
        if c.is_ascii_alphanumeric() || c == b'-' {
            *slot = c.to_ascii_uppercase();
        }
        c = c.wrapping_add(1);
        rest = tail;
    }
    table
};

/// [`number`] for bytes: at most 20 digits, without the overflow `u64` cannot hold.
fn number_bytes(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        let digit = d.wrapping_sub(b'0');
        (digit <= 9)
            .then_some(())
            .and_then(|()| acc.checked_mul(10)?.checked_add(u64::from(digit)))
    })
}

/// Parses a number of at most 20 digits.
fn number(s: &str) -> Option<u64> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// The parameters of an `ehlo-line`, as [`Words`] after an optional first one.
type Params<'a> = core::iter::Chain<core::option::IntoIter<&'a str>, Words<'a>>;

/// What [`Capability::scan`] read from one `ehlo-line`.
enum Scanned<'a> {
    /// Any keyword but `AUTH`.
    Capability(Capability),
    /// `AUTH`, with its parameters not read yet: a [`Capability::Other`] unless every one is a
    /// mechanism name.
    Auth {
        /// The keyword as sent.
        keyword: &'a str,
        /// The parameters.
        params: Params<'a>,
    },
}

impl Capability {
    /// Reads one `ehlo-line`.
    ///
    /// Tolerances: `AUTH=LOGIN PLAIN` (the pre-RFC 4954 form some servers still send next to
    /// the standard one) is read as `AUTH`; a known keyword whose parameters do not parse is
    /// kept as [`Capability::Other`] rather than failing the whole reply; runs of spaces
    /// separate parameters like one.
    ///
    /// # Errors
    /// [`ReplyError::Syntax`] when the line does not start with an `ehlo-keyword`.
    pub fn parse(line: &str) -> Result<Self, ReplyError> {
        Ok(match Self::scan(line)? {
            Scanned::Capability(cap) => cap,
            Scanned::Auth { keyword, params } => params
                .clone()
                .map(mechanism)
                .collect::<Option<Vec<_>>>()
                .map_or_else(
                    || Self::Other(OtherCapability::from_words(keyword, params)),
                    Self::Auth,
                ),
        })
    }

    /// Reads one `ehlo-line` as [`Capability::parse`] does, but hands the parameters of an
    /// `AUTH` line back unread, so that [`EhloReply`] can merge them without a `Vec`.
    fn scan(line: &str) -> Result<Scanned<'_>, ReplyError> {
        let spaces = line.bytes().take_while(|&b| b == b' ').count();
        let line = line.get(spaces..).unwrap_or_default();
        // ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), upper-cased on the stack as
        // it is scanned: one `match` over the known ones then. A keyword longer than the
        // longest known one is no known one.
        let mut buf = [0u8; KEYWORD_MAX];
        let mut key_len = 0;
        for &b in line.as_bytes() {
            let class = KEYWORD_CHARS.get(usize::from(b)).copied().unwrap_or(0);
            if class == 0 {
                break;
            }
            if let Some(slot) = buf.get_mut(key_len) {
                *slot = class;
            }
            key_len += 1;
        }
        let upper = buf.get(..key_len).unwrap_or_default();
        let (keyword, rest) = line.split_at_checked(key_len).unwrap_or((line, ""));
        let invalid = || ReplyError::Syntax {
            offset: 0,
            expected: "ehlo-keyword",
        };
        if !keyword
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            return Err(invalid());
        }
        // The keywords without parameters first: the usual lines, read without splitting
        // the rest into words.
        let flag = match upper {
            b"DSN" => Some(Self::Dsn),
            b"HELP" => Some(Self::Help),
            b"VRFY" => Some(Self::Vrfy),
            b"EXPN" => Some(Self::Expn),
            b"ETRN" => Some(Self::Etrn),
            b"8BITMIME" => Some(Self::EightBitMime),
            b"CHUNKING" => Some(Self::Chunking),
            b"STARTTLS" => Some(Self::StartTls),
            b"SMTPUTF8" => Some(Self::SmtpUtf8),
            b"PIPELINING" => Some(Self::Pipelining),
            b"BINARYMIME" => Some(Self::BinaryMime),
            b"REQUIRETLS" => Some(Self::RequireTls),
            b"ENHANCEDSTATUSCODES" => Some(Self::EnhancedStatusCodes),
            _ => None,
        };
        let is_flag = flag.is_some();
        if let Some(cap) = flag
            && rest.bytes().all(|b| b == b' ')
        {
            return Ok(Scanned::Capability(cap));
        }
        let mut words = Words(rest);
        let first_param = match rest.bytes().next() {
            None | Some(b' ') => None,
            // `AUTH=LOGIN PLAIN`: the rest of the first word is the first mechanism.
            Some(b'=') if upper == b"AUTH" => {
                let first = words.next().unwrap_or_default();
                Some(first.get(1..).unwrap_or_default())
            }
            Some(_) => return Err(invalid()),
        };
        let params = first_param.into_iter().chain(words);
        if upper == b"AUTH" {
            return Ok(Scanned::Auth { keyword, params });
        }
        let typed = if is_flag {
            // A keyword without parameters sent with some: kept as it came.
            None
        } else {
            Self::typed(upper, params.clone())
        };
        Ok(Scanned::Capability(typed.unwrap_or_else(|| {
            Self::Other(
                OtherCapability::from_line(line.as_bytes(), key_len)
                    .unwrap_or_else(|| OtherCapability::from_words(keyword, params)),
            )
        })))
    }

    /// Returns the typed capability for the upper-cased `keyword`, one that takes
    /// parameters, or `None` when the keyword is unknown or its parameters do not fit.
    fn typed<'a>(keyword: &[u8], params: impl Iterator<Item = &'a str> + Clone) -> Option<Self> {
        let mut first_two = params.clone();
        let (p1, p2) = (first_two.next(), first_two.next());
        // At most one parameter: `Some(None)` for none, `Some(Some(p))` for one.
        let optional = if p2.is_none() { Some(p1) } else { None };
        match keyword {
            b"SIZE" => match optional? {
                None => Some(Self::Size(None)),
                Some(n) => number(n).map(|n| Self::Size(Some(n))),
            },
            b"LIMITS" if p1.is_some() => params
                .map(|l| {
                    let (name, value) = l.split_once('=')?;
                    Some((name.to_ascii_uppercase(), number(value)?))
                })
                .collect::<Option<Vec<_>>>()
                .map(Self::Limits),
            b"DELIVERBY" => match optional? {
                None => Some(Self::DeliverBy(None)),
                Some(n) => number(n).map(|n| Self::DeliverBy(Some(n))),
            },
            b"MT-PRIORITY" => optional.map(|profile| Self::MtPriority(profile.map(str::to_owned))),
            b"FUTURERELEASE" => match (p1, p2, params.clone().nth(2)) {
                (Some(interval), Some(date), None) => {
                    number(interval).map(|max_interval| Self::FutureRelease {
                        max_interval,
                        max_date_time: date.to_owned(),
                    })
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Returns the `ehlo-line` for this capability.
    pub fn to_line(&self) -> String {
        match self {
            Self::Size(None) => "SIZE".into(),
            Self::Size(Some(n)) => format!("SIZE {n}"),
            Self::Pipelining => "PIPELINING".into(),
            Self::EightBitMime => "8BITMIME".into(),
            Self::BinaryMime => "BINARYMIME".into(),
            Self::Chunking => "CHUNKING".into(),
            Self::Dsn => "DSN".into(),
            Self::EnhancedStatusCodes => "ENHANCEDSTATUSCODES".into(),
            Self::StartTls => "STARTTLS".into(),
            Self::SmtpUtf8 => "SMTPUTF8".into(),
            Self::Auth(mechs) => {
                let mut s = String::from("AUTH");
                for m in mechs {
                    s.push(' ');
                    s.push_str(m.as_str());
                }
                s
            }
            Self::RequireTls => "REQUIRETLS".into(),
            Self::DeliverBy(None) => "DELIVERBY".into(),
            Self::DeliverBy(Some(n)) => format!("DELIVERBY {n}"),
            Self::FutureRelease {
                max_interval,
                max_date_time,
            } => format!("FUTURERELEASE {max_interval} {max_date_time}"),
            Self::MtPriority(None) => "MT-PRIORITY".into(),
            Self::MtPriority(Some(p)) => format!("MT-PRIORITY {p}"),
            Self::Limits(limits) => {
                let mut s = String::from("LIMITS");
                for (name, value) in limits {
                    s.push_str(&format!(" {name}={value}"));
                }
                s
            }
            Self::Help => "HELP".into(),
            Self::Vrfy => "VRFY".into(),
            Self::Expn => "EXPN".into(),
            Self::Etrn => "ETRN".into(),
            Self::Other(other) => other.as_line().to_owned(),
        }
    }
}

/// The keywords [`EhloReply`] holds as bits, in the order [`EhloReply::capabilities`] lists
/// them (the order in which this crate's server announces them).
static KNOWN: [Capability; 16] = [
    Capability::Pipelining,
    Capability::Size(None),
    Capability::EightBitMime,
    Capability::Chunking,
    Capability::BinaryMime,
    Capability::SmtpUtf8,
    Capability::EnhancedStatusCodes,
    Capability::Dsn,
    Capability::StartTls,
    Capability::RequireTls,
    Capability::Auth(Vec::new()),
    Capability::Help,
    Capability::Vrfy,
    Capability::Expn,
    Capability::Etrn,
    Capability::DeliverBy(None),
];

/// The bit of [`KNOWN`] `cap` has, if it is one of them.
fn known_bit(cap: &Capability) -> Option<u32> {
    Some(match cap {
        Capability::Pipelining => 0,
        Capability::Size(_) => 1,
        Capability::EightBitMime => 2,
        Capability::Chunking => 3,
        Capability::BinaryMime => 4,
        Capability::SmtpUtf8 => 5,
        Capability::EnhancedStatusCodes => 6,
        Capability::Dsn => 7,
        Capability::StartTls => 8,
        Capability::RequireTls => 9,
        Capability::Auth(_) => 10,
        Capability::Help => 11,
        Capability::Vrfy => 12,
        Capability::Expn => 13,
        Capability::Etrn => 14,
        Capability::DeliverBy(_) => 15,
        _ => return None,
    })
}

/// The bit of `AUTH` in [`KNOWN`].
const AUTH_BIT: u32 = 10;

/// Returns whether `word` is `name` in any case, for a `name` of upper-case letters,
/// digits and `-`, and a `word` from reply text that passed the `textstring` check (no
/// octet below 0x20 but HT).
///
/// Both sides are compared with bit 5 set, a word (or two overlapping words) at a time.
/// Setting bit 5 lower-cases a letter and leaves digits, `-` and every octet from 0x80 as
/// they are; the only other octets it maps onto a name's octets are controls below 0x20
/// (onto digits and `-`), which checked text cannot hold. So for such text this is
/// [`is_word`], without a loop whose end the branch predictor has to guess.
#[inline(always)]
fn is_folded_word(word: &[u8], name: &[u8]) -> bool {
    const FOLD8: u64 = u64::from_le_bytes([0x20; 8]);
    const FOLD4: u32 = u32::from_le_bytes([0x20; 4]);
    let n = word.len();
    if n != name.len() {
        return false;
    }
    let w8 = |s: &[u8], at: usize| {
        s.get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|c| u64::from_le_bytes(*c) | FOLD8)
    };
    let w4 = |s: &[u8], at: usize| {
        s.get(at..)
            .and_then(<[u8]>::first_chunk::<4>)
            .map(|c| u32::from_le_bytes(*c) | FOLD4)
    };
    match n {
        0..4 => is_word(word, name),
        4..=8 => w4(word, 0) == w4(name, 0) && w4(word, n - 4) == w4(name, n - 4),
        9..=16 => w8(word, 0) == w8(name, 0) && w8(word, n - 8) == w8(name, n - 8),
        17..=24 => {
            w8(word, 0) == w8(name, 0)
                && w8(word, 8) == w8(name, 8)
                && w8(word, n - 8) == w8(name, n - 8)
        }
        _ => is_word(word, name),
    }
}

/// The bit in [`KNOWN`] of a line that is a keyword without parameters alone (trailing
/// spaces allowed), in any case: the usual `ehlo-line`, read without a [`Capability`].
/// `None` sends the line to [`Capability::scan`].
#[inline(always)]
fn flag_bit(line: &[u8]) -> Option<u32> {
    // Trailing spaces are rare: trimmed from the end, so that the usual line is not scanned
    // for a space before the match; `is_word` refuses a keyword with a space inside.
    let mut keyword = line;
    while let [rest @ .., b' '] = keyword {
        keyword = rest;
    }
    let len = keyword.len();
    // The length and the first two octets (bit 5 cleared, which upper-cases a letter) leave
    // at most one candidate to compare.
    let (&a, tail) = keyword.split_first()?;
    let b = *tail.first()?;
    let (name, bit): (&[u8], u32) = match (len, a & 0xDF, b & 0xDF) {
        (3, b'D', _) => (b"DSN", 7),
        (4, b'H', _) => (b"HELP", 11),
        (4, b'V', _) => (b"VRFY", 12),
        (4, b'E', b'X') => (b"EXPN", 13),
        (4, b'E', b'T') => (b"ETRN", 14),
        (8, 0x18, _) => (b"8BITMIME", 2),
        (8, b'C', _) => (b"CHUNKING", 3),
        (8, b'S', b'T') => (b"STARTTLS", 8),
        (8, b'S', b'M') => (b"SMTPUTF8", 5),
        (10, b'P', _) => (b"PIPELINING", 0),
        (10, b'B', _) => (b"BINARYMIME", 4),
        (10, b'R', _) => (b"REQUIRETLS", 9),
        (19, b'E', _) => (b"ENHANCEDSTATUSCODES", 6),
        _ => return None,
    };
    is_folded_word(keyword, name).then_some(bit)
}

/// The mechanisms offered with `AUTH`, over every `AUTH` line, each once: the ones of
/// [`NAMED_MECHANISMS`] as 4-bit indexes (plus one) in the order first sent, the others in
/// a `Vec` that stays empty (no allocation) for the usual servers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
struct AuthMechanisms {
    /// Up to eight nibbles, lowest first; 0 ends the list.
    named: u32,
    /// Mechanisms outside [`NAMED_MECHANISMS`], in the order first sent.
    others: Vec<Mechanism>,
}

/// Returns the index in [`NAMED_MECHANISMS`] of the mechanism called `name`, in any case.
#[inline(always)]
fn named_index(name: &[u8]) -> Option<u32> {
    // The length and the first letter leave at most one candidate to compare.
    let first = name.first()? & 0xDF;
    let index = match (name.len(), first) {
        (5, b'P') => 0,
        (5, b'L') => 1,
        (7, b'X') => 2,
        (11, b'O') => 3,
        (8, b'E') => 4,
        (9, b'A') => 5,
        (8, b'C') => 6,
        (13, b'S') => 7,
        _ => return None,
    };
    let m = NAMED_MECHANISMS.get(index)?;
    // The names are upper case, digits and '-'.
    is_folded_word(name, m.as_str().as_bytes()).then_some(index as u32)
}

impl AuthMechanisms {
    /// Adds mechanism `index` of [`NAMED_MECHANISMS`] unless it is there already.
    fn insert_named(&mut self, index: u32) {
        self.named = Self::with_named(self.named, index);
    }

    /// Returns the list of nibbles `named` with mechanism `index` added unless it is there
    /// already.
    #[inline(always)]
    fn with_named(mut named: u32, index: u32) -> u32 {
        let nibble = index + 1;
        let mut shift = 0;
        while shift < 32 {
            match (named >> shift) & 0xF {
                0 => {
                    named |= nibble << shift;
                    return named;
                }
                n if n == nibble => return named,
                _ => shift += 4,
            }
        }
        named
    }

    /// Returns a copy of the named mechanisms only (no allocation).
    fn clone_named(&self) -> Self {
        Self {
            named: self.named,
            others: Vec::new(),
        }
    }

    /// Adds `m` unless it is there already.
    fn insert(&mut self, m: Mechanism) {
        match NAMED_MECHANISMS.iter().position(|n| *n == m) {
            Some(i) => self.insert_named(i as u32),
            None if !self.others.contains(&m) => self.others.push(m),
            None => {}
        }
    }

    /// Adds every mechanism of an `AUTH` line when all of them are mechanism names; returns
    /// whether they were.
    fn insert_line<'a>(&mut self, params: impl Iterator<Item = &'a str> + Clone) -> bool {
        // The usual line: every mechanism one of ours, added in one pass.
        let mut named = self.clone_named();
        if params.clone().all(|p| match named_index(p.as_bytes()) {
            Some(i) => {
                named.insert_named(i);
                true
            }
            None => false,
        }) {
            self.named = named.named;
            return true;
        }
        if !params
            .clone()
            .all(|p| named_index(p.as_bytes()).is_some() || p.parse::<Mechanism>().is_ok())
        {
            return false;
        }
        for p in params {
            match named_index(p.as_bytes()) {
                Some(i) => self.insert_named(i),
                None => {
                    if let Ok(m) = p.parse() {
                        self.insert(m);
                    }
                }
            }
        }
        true
    }

    /// Returns the mechanisms: the named ones in the order sent, then the others.
    fn to_vec(&self) -> Vec<Mechanism> {
        let mut out = Vec::with_capacity(8 + self.others.len());
        let mut named = self.named;
        while named & 0xF != 0 {
            if let Some(m) = NAMED_MECHANISMS.get((named & 0xF) as usize - 1) {
                out.push(m.clone());
            }
            named >>= 4;
        }
        out.extend(self.others.iter().cloned());
        out
    }
}

/// Returns whether `buf` is ASCII with no two spaces in a row: eight octets at a time, an
/// octet's space mark exact (no carry crosses an octet), a pair found within a word or across
/// two.
fn is_ascii_single_spaced(buf: &[u8; 48]) -> bool {
    const LO: u64 = u64::from_le_bytes([0x01; 8]);
    const HI: u64 = u64::from_le_bytes([0x80; 8]);
    let mut bad = 0;
    let mut prev = 0u64;
    for chunk in buf.chunks_exact(8) {
        let Some(&word) = chunk.first_chunk::<8>() else {
            return false;
        };
        let w = u64::from_le_bytes(word);
        let x = w ^ (LO * u64::from(b' '));
        // Bit 7 set for an octet of `x` that is not zero, that is, not a space in `w`.
        let nonzero = (((x & !HI) + !HI) | x) & HI;
        let spaces = !nonzero & HI;
        bad |= (w & HI) | (spaces & (spaces >> 8)) | (spaces & (prev >> 56));
        prev = spaces;
    }
    bad == 0
}

/// Returns the index of the first LF in `input`. EHLO lines are short: eight octets at a
/// time for the first few words costs less than the set-up of a `memchr` call, which takes
/// the rest.
fn find_lf(input: &[u8]) -> Option<usize> {
    const SHORT: usize = 64;
    const LO: u64 = u64::from_le_bytes([0x01; 8]);
    const HI: u64 = u64::from_le_bytes([0x80; 8]);
    let mut at = 0;
    while at < SHORT {
        let Some(word) = input.get(at..).and_then(<[u8]>::first_chunk::<8>) else {
            break;
        };
        let x = u64::from_le_bytes(*word) ^ (LO * u64::from(b'\n'));
        // Marks the zero octets of `x` (the LFs); the lowest mark is always a true one.
        let marks = x.wrapping_sub(LO) & !x & HI;
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = input.get(at..)?;
    if rest.len() < 8 {
        // A short tail (the end of the usual last line): the word that ends with the input,
        // overlapping octets already known to hold no LF, so its lowest mark is the LF.
        let n = input.len();
        return match n
            .checked_sub(8)
            .and_then(|start| input.get(start..)?.first_chunk::<8>())
        {
            Some(word) => {
                let x = u64::from_le_bytes(*word) ^ (LO * u64::from(b'\n'));
                let marks = x.wrapping_sub(LO) & !x & HI;
                (marks != 0).then(|| n - 8 + (marks.trailing_zeros() / 8) as usize)
            }
            None => rest.iter().position(|&b| b == b'\n').map(|i| i + at),
        };
    }
    memchr::memchr(b'\n', rest).map(|i| i + at)
}

/// A positive EHLO/LHLO reply, typed: the server's domain, its greeting and its keywords.
///
/// Held compactly, so that reading the usual reply allocates nothing: the first line inline
/// (up to 62 octets), the keywords this crate types without parameters as bits, `SIZE` and
/// `DELIVERBY` as numbers, the `AUTH` mechanisms of [`Mechanism`]'s own variants as small
/// indexes; only other keywords ([`Capability::Other`], `LIMITS`, …) and other mechanisms
/// take a `Vec`.
///
/// The capabilities are listed in a fixed order, not the order sent: the known keywords
/// first (as [`EhloReply::capabilities`] documents), then the others as sent. A keyword sent
/// twice counts once; the first `SIZE` or `DELIVERBY` line gives the value, and every
/// `AUTH` line adds its mechanisms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EhloReply {
    /// The first line: the domain, then a space and the greeting when there is one.
    first: CompactText<62>,
    /// The length of the domain in `first`.
    domain_len: usize,
    /// One bit per entry of [`KNOWN`].
    known: u32,
    /// The parameter of `SIZE`.
    size: Option<u64>,
    /// The parameter of `DELIVERBY`.
    deliver_by: Option<u64>,
    /// The mechanisms of every `AUTH` line.
    auth: AuthMechanisms,
    /// The other keywords, in the order sent.
    other: Vec<Capability>,
}

impl EhloReply {
    /// Returns the reply of a server called `domain` that offers `capabilities`.
    pub fn new(domain: &str, capabilities: impl IntoIterator<Item = Capability>) -> Self {
        let mut out = Self {
            first: CompactText::new(domain),
            domain_len: domain.len(),
            ..Self::default()
        };
        for cap in capabilities {
            out.push(cap);
        }
        out
    }

    /// Returns the reply with the first line `first` (domain and greeting), checked by
    /// [`EhloReply::first_line`].
    fn with_first_line(first: &str) -> Result<Self, ReplyError> {
        let (domain, _) = Self::first_line(first)?;
        Ok(Self {
            first: CompactText::new(first),
            domain_len: domain.len(),
            ..Self::default()
        })
    }

    /// Adds a capability. A known keyword given before stays as it was, except that `AUTH`
    /// adds its mechanisms.
    pub fn push(&mut self, cap: Capability) {
        let Some(bit) = known_bit(&cap) else {
            self.other.push(cap);
            return;
        };
        let fresh = self.known & (1 << bit) == 0;
        self.known |= 1 << bit;
        match cap {
            Capability::Size(n) if fresh => self.size = n,
            Capability::DeliverBy(n) if fresh => self.deliver_by = n,
            Capability::Auth(mechs) => {
                for m in mechs {
                    self.auth.insert(m);
                }
            }
            _ => {}
        }
    }

    /// Reads one `ehlo-line`; a line that is no `ehlo-line` is skipped (see
    /// [`EhloReply::from_reply`]).
    fn push_line(&mut self, line: &str) {
        if !self.push_usual_line(line.as_bytes()) {
            self.push_other_line(line);
        }
    }

    /// [`EhloReply::push_line`] for text a reply line check passed (ASCII, or UTF-8): the
    /// usual lines read as bytes, only the others made a `&str`.
    fn push_line_bytes(&mut self, line: &[u8]) {
        // An empty line (a last `250 ` some servers send) is no `ehlo-line`: skipped.
        if !line.is_empty()
            && !self.push_usual_line(line)
            && let Ok(line) = core::str::from_utf8(line)
        {
            self.push_other_line(line);
        }
    }

    /// Reads a flag line, `SIZE n` or `AUTH` with named mechanisms; returns whether `line` was
    /// one of them.
    #[inline(always)]
    fn push_usual_line(&mut self, line: &[u8]) -> bool {
        if let Some(bit) = flag_bit(line) {
            self.known |= 1 << bit;
            return true;
        }
        self.push_common_line(line) || self.push_x_line(line)
    }

    /// Reads a line whose keyword starts with `X` (`XCLIENT`, `XFORWARD`): no keyword this
    /// crate types does, so it is a [`Capability::Other`], held as sent when it is in held form
    /// already (see [`OtherCapability::from_line`]); returns whether it was read here.
    fn push_x_line(&mut self, line: &[u8]) -> bool {
        if line.first().is_none_or(|&b| b & 0xDF != b'X') {
            return false;
        }
        let key_len = line
            .iter()
            .position(|&b| KEYWORD_CHARS.get(usize::from(b)).is_none_or(|&c| c == 0))
            .unwrap_or(line.len());
        if !matches!(line.get(key_len), None | Some(b' ')) {
            return false;
        }
        match OtherCapability::from_line(line, key_len) {
            Some(other) => {
                self.other.push(Capability::Other(other));
                true
            }
            None => false,
        }
    }

    /// Reads any other line through [`Capability::scan`].
    fn push_other_line(&mut self, line: &str) {
        match Capability::scan(line) {
            Ok(Scanned::Capability(cap)) => self.push(cap),
            Ok(Scanned::Auth { keyword, params }) => {
                if self.auth.insert_line(params.clone()) {
                    self.known |= 1 << AUTH_BIT;
                } else {
                    self.other
                        .push(Capability::Other(OtherCapability::from_words(
                            keyword, params,
                        )));
                }
            }
            Err(_) => {}
        }
    }

    /// Reads the usual `SIZE n` and `AUTH mech …` lines (single spaces, named mechanisms
    /// only) without [`Capability::scan`]; returns whether the line was one, else leaves
    /// `self` as it was.
    fn push_common_line(&mut self, line: &[u8]) -> bool {
        let Some((keyword, rest)) = line.split_at_checked(4) else {
            return false;
        };
        let Some(params) = rest.strip_prefix(b" ").filter(|p| !p.is_empty()) else {
            return false;
        };
        // Checked reply text: `is_folded_word` is `is_word` here.
        if is_folded_word(keyword, b"SIZE") {
            if self.known & (1 << 1) != 0 {
                return false;
            }
            let Some(n) = number_bytes(params) else {
                return false;
            };
            self.known |= 1 << 1;
            self.size = Some(n);
            return true;
        }
        if !is_folded_word(keyword, b"AUTH") {
            return false;
        }
        let mut named = self.auth.named;
        for p in params.split(|&b| b == b' ') {
            match named_index(p) {
                Some(i) => named = AuthMechanisms::with_named(named, i),
                None => return false,
            }
        }
        self.auth.named = named;
        self.known |= 1 << AUTH_BIT;
        true
    }

    /// Returns the domain on the first line.
    pub fn domain(&self) -> &str {
        self.first
            .as_str()
            .get(..self.domain_len)
            .unwrap_or_default()
    }

    /// Returns the free text after the domain, if any (`ehlo-greet`).
    pub fn greeting(&self) -> Option<&str> {
        self.first
            .as_str()
            .get(self.domain_len..)?
            .strip_prefix(' ')
    }

    /// Returns the number of capabilities, as [`EhloReply::capabilities`] lists them.
    pub fn len(&self) -> usize {
        self.known.count_ones() as usize + self.other.len()
    }

    /// Returns whether the server offers no capability at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the capabilities: the known keywords in the order `PIPELINING`, `SIZE`,
    /// `8BITMIME`, `CHUNKING`, `BINARYMIME`, `SMTPUTF8`, `ENHANCEDSTATUSCODES`, `DSN`,
    /// `STARTTLS`, `REQUIRETLS`, `AUTH`, `HELP`, `VRFY`, `EXPN`, `ETRN`, `DELIVERBY`, then
    /// every other keyword in the order sent.
    pub fn capabilities(&self) -> impl Iterator<Item = Capability> + '_ {
        KNOWN
            .iter()
            .zip(0u32..)
            .filter(|&(_, bit)| self.known & (1 << bit) != 0)
            .map(|(cap, _)| match cap {
                Capability::Size(_) => Capability::Size(self.size),
                Capability::DeliverBy(_) => Capability::DeliverBy(self.deliver_by),
                Capability::Auth(_) => Capability::Auth(self.auth.to_vec()),
                other => other.clone(),
            })
            .chain(self.other.iter().cloned())
    }

    /// Reads a `250` reply to EHLO.
    ///
    /// Tolerance: a keyword line that is no `ehlo-line` (seen from broken middleboxes) is
    /// skipped rather than failing the whole reply: one bad line must not cost the client
    /// every extension.
    ///
    /// # Errors
    /// [`ReplyError::Syntax`] when the reply is not `250` or has no domain.
    pub fn from_reply(reply: &Reply) -> Result<Self, ReplyError> {
        if reply.code() != ReplyCode::OK {
            return Err(ReplyError::Syntax {
                offset: 0,
                expected: "250 reply to EHLO",
            });
        }
        let mut lines = reply.text_lines();
        let mut out = Self::with_first_line(lines.next().unwrap_or_default())?;
        for line in lines {
            out.push_line(line);
        }
        Ok(out)
    }

    /// Reads a complete `250` reply to EHLO straight from its wire form, every line ended by
    /// CRLF, without building the [`Reply`] in between.
    ///
    /// The result, errors included, is that of [`Reply::parse`] followed by
    /// [`EhloReply::from_reply`], with the same tolerances and the default
    /// [`ReplyLimits`]; a client that has the reply's bytes at hand
    /// saves the copy of every line.
    ///
    /// ```
    /// use smtp_proto::capability::{Capability, EhloReply};
    ///
    /// let ehlo = EhloReply::parse(b"250-mx.example.com hi\r\n250-PIPELINING\r\n250 SIZE 1000\r\n")?;
    /// assert_eq!(ehlo.domain(), "mx.example.com");
    /// assert_eq!(
    ///     ehlo.capabilities().collect::<Vec<_>>(),
    ///     [Capability::Pipelining, Capability::Size(Some(1000))]
    /// );
    /// # Ok::<(), smtp_proto::error::ReplyError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Reply::parse`], then as [`EhloReply::from_reply`].
    pub fn parse(input: &[u8]) -> Result<Self, ReplyError> {
        let limits = ReplyLimits::default();
        let mut code: Option<ReplyCode> = None;
        let mut first = None;
        // The keywords go straight into the reply; the first line is set at the end, once
        // the reply is known to be whole.
        let mut out = Self::default();
        let (mut lines, mut bytes) = (0usize, 0usize);
        let mut rest = input;
        while !rest.is_empty() {
            let Some(lf) = find_lf(rest) else {
                return Err(ReplyError::Incomplete);
            };
            let (line, tail) = rest.split_at_checked(lf).unwrap_or((rest, &[]));
            let line = line.strip_suffix(b"\r").ok_or(ReplyError::Syntax {
                offset: input.len() - rest.len() + lf,
                expected: "CRLF",
            })?;
            rest = tail.get(1..).unwrap_or_default();
            // The checks of `ReplyParser::push_line`, in its order.
            // The checks of `parse_line`; ASCII text, the usual kind, without a UTF-8 pass
            // (`Reply::parse` makes the same checks in the same order).
            let parsed = parse_raw_line(line)?;
            if let Some(code) = code
                && code != parsed.code
            {
                return Err(ReplyError::CodeMismatch {
                    first: code.get(),
                    line: parsed.code.get(),
                });
            }
            bytes = bytes.saturating_add(parsed.text.len());
            if lines >= limits.max_lines || bytes > limits.max_bytes {
                return Err(ReplyError::TooLong);
            }
            lines += 1;
            code = Some(parsed.code);
            if first.is_none() {
                first = Some((parsed.text, parsed.ascii));
            } else {
                out.push_line_bytes(parsed.text);
            }
            if parsed.last {
                if !rest.is_empty() {
                    return Err(ReplyError::Syntax {
                        offset: input.len() - rest.len(),
                        expected: "end of input after the last reply line",
                    });
                }
                if code != Some(ReplyCode::OK) {
                    return Err(ReplyError::Syntax {
                        offset: 0,
                        expected: "250 reply to EHLO",
                    });
                }
                // Checked by `parse_raw_line`: ASCII (no UTF-8 pass needed when it fits
                // inline), or UTF-8.
                let (first, ascii) = first.unwrap_or_default();
                let text = match ascii.then(|| CompactText::from_scanned_ascii(first)) {
                    Some(Some(text)) => text,
                    _ => CompactText::new(core::str::from_utf8(first).unwrap_or_default()),
                };
                // The domain ends at the first space (`Self::first_line`, on bytes: a space
                // is ASCII, so the cut falls on a character boundary).
                out.domain_len = first.iter().position(|&b| b == b' ').unwrap_or(first.len());
                if out.domain_len == 0 {
                    return Err(ReplyError::Syntax {
                        offset: 4,
                        expected: "domain",
                    });
                }
                out.first = text;
                return Ok(out);
            }
        }
        Err(ReplyError::Incomplete)
    }

    /// Splits the first line into the domain and the greeting.
    fn first_line(first: &str) -> Result<(&str, Option<&str>), ReplyError> {
        // A byte scan: the domain is short, and a space is ASCII, so both cuts fall on
        // character boundaries.
        let (domain, greeting) = match first.bytes().position(|b| b == b' ') {
            Some(i) => (first.get(..i).unwrap_or_default(), first.get(i + 1..)),
            None => (first, None),
        };
        if domain.is_empty() {
            return Err(ReplyError::Syntax {
                offset: 4,
                expected: "domain",
            });
        }
        Ok((domain, greeting))
    }

    /// Returns the `250` reply that announces this EHLO response.
    ///
    /// # Errors
    /// [`ReplyError::Text`] when the domain, greeting or a keyword holds a control character.
    pub fn to_reply(&self) -> Result<Reply, ReplyError> {
        let lines: Vec<String> = core::iter::once(self.first.as_str().to_owned())
            .chain(self.capabilities().map(|c| c.to_line()))
            .collect();
        Reply::multiline(ReplyCode::OK, None, lines.iter().map(String::as_str))
    }

    /// Returns whether the server offers `cap` (compared by kind, ignoring parameters).
    pub fn has(&self, cap: &Capability) -> bool {
        match known_bit(cap) {
            Some(bit) => self.known & (1 << bit) != 0,
            None => self
                .other
                .iter()
                .any(|c| core::mem::discriminant(c) == core::mem::discriminant(cap)),
        }
    }

    /// Returns the `SIZE` limit, when the server declared a non-zero one.
    pub fn size(&self) -> Option<u64> {
        self.size.filter(|&n| n > 0)
    }

    /// Returns the SASL mechanisms offered with `AUTH`, merged over every AUTH line: the
    /// mechanisms of [`Mechanism`]'s own variants in the order sent, then the others.
    pub fn auth_mechanisms(&self) -> Vec<Mechanism> {
        self.auth.to_vec()
    }

    /// Returns the value of an RFC 9422 `LIMITS` entry, such as `RCPTMAX`.
    pub fn limit(&self, name: &str) -> Option<u64> {
        self.other.iter().find_map(|c| match c {
            Capability::Limits(l) => l
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_space_check_agrees_with_the_octet_definition() {
        let slow = |b: &[u8; 48]| b.is_ascii() && !b.windows(2).any(|w| w == b"  ");
        // One or two chosen octets at every pair of positions, over a text of letters and
        // single spaces (each word boundary, within a word and across two).
        let base: [u8; 48] = core::array::from_fn(|i| if i % 3 == 2 { b' ' } else { b'a' });
        for at in 0..48 {
            for b in [b' ', 0x00, 0x1f, b'!', 0x7f, 0x80, 0xa0, 0xff] {
                for at2 in [
                    None,
                    Some(0),
                    Some(7),
                    Some(8),
                    Some(15),
                    Some(16),
                    Some(47),
                ] {
                    let mut buf = base;
                    buf[at] = b;
                    if let Some(j) = at2 {
                        buf[j] = b' ';
                    }
                    assert_eq!(
                        is_ascii_single_spaced(&buf),
                        slow(&buf),
                        "{at} {b:#x} {at2:?}"
                    );
                }
            }
        }
        for at in 0..47 {
            let mut buf = [b'a'; 48];
            buf[at] = b' ';
            buf[at + 1] = b' ';
            assert!(!is_ascii_single_spaced(&buf), "{at}");
        }
    }

    #[test]
    fn reads_the_rfc5321_appendix_d_ehlo_reply() {
        let reply = Reply::parse(
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
        )
        .unwrap();
        let ehlo = EhloReply::from_reply(&reply).unwrap();
        assert_eq!(ehlo.domain(), "foo.com");
        assert_eq!(ehlo.greeting(), Some("greets bar.com"));
        // Listed in the fixed order, not as sent.
        assert_eq!(
            ehlo.capabilities().collect::<Vec<_>>(),
            [
                Capability::Size(None),
                Capability::EightBitMime,
                Capability::Dsn,
                Capability::Help
            ]
        );
        assert_eq!(ehlo.size(), None);
    }

    #[test]
    fn reads_a_postfix_style_reply() {
        let reply = Reply::parse(
            b"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n\
250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n\
250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
        )
        .unwrap();
        let ehlo = EhloReply::from_reply(&reply).unwrap();
        assert_eq!(ehlo.size(), Some(10_240_000));
        assert!(ehlo.has(&Capability::Pipelining));
        assert!(ehlo.has(&Capability::Chunking));
        assert!(ehlo.has(&Capability::SmtpUtf8));
        assert_eq!(ehlo.auth_mechanisms(), [Mechanism::Plain, Mechanism::Login]);
    }

    #[test]
    fn auth_lines_merge_and_bad_ones_are_kept_as_other() {
        let ehlo = EhloReply::parse(
            b"250-mx\r\n250-AUTH login PLAIN GSSAPI\r\n250-AUTH=PLAIN CRAM-MD5\r\n\
250-AUTH PLAIN b@d\r\n250 SIZE 5\r\n",
        )
        .unwrap();
        assert_eq!(
            ehlo.auth_mechanisms(),
            [
                Mechanism::Login,
                Mechanism::Plain,
                Mechanism::CramMd5,
                "GSSAPI".parse().unwrap()
            ]
        );
        assert_eq!(ehlo.len(), 3);
        assert_eq!(
            ehlo.capabilities().last(),
            Some(Capability::Other(
                OtherCapability::new("AUTH", ["PLAIN", "b@d"]).unwrap()
            ))
        );
        assert!(ehlo.has(&Capability::Auth(Vec::new())));
        assert_eq!(ehlo.greeting(), None);
    }

    #[test]
    fn folded_words_are_is_word_on_checked_text() {
        let names: Vec<&[u8]> = vec![
            b"DSN",
            b"HELP",
            b"8BITMIME",
            b"PIPELINING",
            b"ENHANCEDSTATUSCODES",
            b"SCRAM-SHA-256",
            b"CRAM-MD5",
            b"XOAUTH2",
            b"ABCDEFGHIJKLMNOPQRSTUVWX",
        ];
        // Every octet checked text can hold, at every position of every name.
        let octets = (0x20..=0xffu8).chain([b'\t']);
        for name in names {
            for at in 0..name.len() {
                for b in octets.clone() {
                    let mut word = name.to_vec();
                    word[at] = b;
                    assert_eq!(
                        is_folded_word(&word, name),
                        is_word(&word, name),
                        "{:?}",
                        String::from_utf8_lossy(&word)
                    );
                }
            }
            assert!(!is_folded_word(&name[1..], name));
        }
    }

    #[test]
    fn find_lf_finds_the_first_lf_at_any_position() {
        for len in 0..150 {
            for lf in 0..=len {
                let mut input = vec![b'a'; len];
                if let Some(b) = input.get_mut(lf) {
                    *b = b'\n';
                }
                // A second LF after the first, and octets with bit 7 set, change nothing.
                input.push(b'\n');
                input.insert(0, 0x8a);
                let want = input.iter().position(|&b| b == b'\n');
                assert_eq!(find_lf(&input), want, "{len} {lf}");
            }
        }
        assert_eq!(find_lf(b""), None);
        assert_eq!(find_lf(&[0x0b; 70]), None);
    }

    #[test]
    fn flag_lines_give_the_bit_of_their_capability() {
        for cap in &KNOWN {
            let line = cap.to_line();
            let bit = flag_bit(line.as_bytes());
            match cap {
                Capability::Size(_) | Capability::Auth(_) | Capability::DeliverBy(_) => {
                    assert_eq!(bit, None, "{line}");
                }
                _ => {
                    assert_eq!(bit, known_bit(cap), "{line}");
                    let lower = format!("{}  ", line.to_lowercase());
                    assert_eq!(flag_bit(lower.as_bytes()), known_bit(cap), "{lower}");
                    assert_eq!(flag_bit(format!(" {line}").as_bytes()), None);
                    assert_eq!(flag_bit(format!("{line} x").as_bytes()), None);
                    assert_eq!(flag_bit(&line.as_bytes()[1..]), None);
                }
            }
        }
        for other in ["", "D", "EXPX", "STARTTLX", "8BITMIMEX", "ETRN=1"] {
            assert_eq!(flag_bit(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn named_mechanisms_are_found_by_length_and_first_letter() {
        for (i, m) in NAMED_MECHANISMS.iter().enumerate() {
            assert_eq!(named_index(m.as_str().as_bytes()), Some(i as u32));
            assert_eq!(
                named_index(m.as_str().to_lowercase().as_bytes()),
                Some(i as u32)
            );
            assert_eq!(named_index(&m.as_str().as_bytes()[1..]), None);
        }
        assert_eq!(named_index(b""), None);
        assert_eq!(named_index(b"PLAIM"), None);
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(
            Capability::parse("pipelining").unwrap(),
            Capability::Pipelining
        );
        assert_eq!(
            Capability::parse("auth scram-sha-256").unwrap(),
            Capability::Auth(vec![Mechanism::ScramSha256])
        );
    }

    #[test]
    fn reads_every_typed_keyword() {
        for (line, cap) in [
            ("SIZE 0", Capability::Size(Some(0))),
            ("BINARYMIME", Capability::BinaryMime),
            ("REQUIRETLS", Capability::RequireTls),
            ("DELIVERBY 240", Capability::DeliverBy(Some(240))),
            ("DELIVERBY", Capability::DeliverBy(None)),
            (
                "FUTURERELEASE 604800 2026-12-04T12:00:00Z",
                Capability::FutureRelease {
                    max_interval: 604_800,
                    max_date_time: "2026-12-04T12:00:00Z".into(),
                },
            ),
            (
                "MT-PRIORITY MIXER",
                Capability::MtPriority(Some("MIXER".into())),
            ),
            (
                "LIMITS RCPTMAX=20 MAILMAX=5",
                Capability::Limits(vec![("RCPTMAX".into(), 20), ("MAILMAX".into(), 5)]),
            ),
            ("EXPN", Capability::Expn),
            ("ETRN", Capability::Etrn),
            ("VRFY", Capability::Vrfy),
        ] {
            assert_eq!(Capability::parse(line).unwrap(), cap, "{line}");
            assert_eq!(Capability::parse(&cap.to_line()).unwrap(), cap, "{line}");
        }
    }

    #[test]
    fn unknown_or_malformed_keywords_are_kept() {
        assert_eq!(
            Capability::parse("x-exps  GSSAPI NTLM").unwrap(),
            Capability::Other(OtherCapability::new("X-EXPS", ["GSSAPI", "NTLM"]).unwrap())
        );
        assert_eq!(
            Capability::parse("SIZE huge").unwrap(),
            Capability::Other(OtherCapability::new("SIZE", ["huge"]).unwrap())
        );
        let bare = OtherCapability::new("XCLIENT", []).unwrap();
        assert_eq!((bare.keyword(), bare.params().count()), ("XCLIENT", 0));
        assert!(OtherCapability::new("-X", []).is_err());
        assert!(OtherCapability::new("X", ["a b"]).is_err());
        assert!(OtherCapability::new("X", [""]).is_err());
        assert!(Capability::parse("-bad").is_err());
        assert!(Capability::parse("").is_err());
    }

    #[test]
    fn limits_lookup_is_case_insensitive() {
        let ehlo = EhloReply::new("x", [Capability::Limits(vec![("RCPTMAX".into(), 3)])]);
        assert_eq!(ehlo.limit("rcptmax"), Some(3));
        assert_eq!(ehlo.limit("MAILMAX"), None);
    }

    #[test]
    fn to_reply_round_trips() {
        let mut ehlo = EhloReply::with_first_line("mx.example hello").unwrap();
        for cap in [
            Capability::Size(Some(1000)),
            Capability::Auth(vec![Mechanism::Plain, Mechanism::ScramSha256]),
            Capability::Limits(vec![("RCPTMAX".into(), 100)]),
        ] {
            ehlo.push(cap);
        }
        assert_eq!(
            (ehlo.domain(), ehlo.greeting()),
            ("mx.example", Some("hello"))
        );
        let wire = ehlo.to_reply().unwrap().to_bytes();
        assert_eq!(
            &wire[..],
            b"250-mx.example hello\r\n250-SIZE 1000\r\n250-AUTH PLAIN SCRAM-SHA-256\r\n250 LIMITS RCPTMAX=100\r\n"
        );
        let back = EhloReply::from_reply(&Reply::parse(&wire).unwrap()).unwrap();
        assert_eq!(back, ehlo);
    }

    #[test]
    fn a_non_250_reply_is_no_ehlo_reply() {
        let reply = Reply::parse(b"502 Command not implemented\r\n").unwrap();
        assert!(EhloReply::from_reply(&reply).is_err());
    }

    mod equivalence {
        use super::*;
        use proptest::prelude::*;

        /// `Capability::parse` as it was before it matched keywords in place: a collected
        /// parameter list and an upper-cased keyword.
        fn reference(line: &str) -> Result<Capability, ReplyError> {
            let mut words = line.split(' ').filter(|w| !w.is_empty());
            let first = words.next().unwrap_or_default();
            let (keyword, first_param) = match first.split_once('=') {
                Some((k, p)) if k.eq_ignore_ascii_case("AUTH") => (k, Some(p)),
                _ => (first, None),
            };
            let valid = keyword
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric())
                && keyword
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                return Err(ReplyError::Syntax {
                    offset: 0,
                    expected: "ehlo-keyword",
                });
            }
            let params: Vec<&str> = first_param.into_iter().chain(words).collect();
            let upper = keyword.to_ascii_uppercase();
            let bare = params.is_empty();
            let typed = match (upper.as_str(), params.as_slice()) {
                ("SIZE", []) => Some(Capability::Size(None)),
                ("SIZE", [n]) => number(n).map(|n| Capability::Size(Some(n))),
                ("PIPELINING", _) if bare => Some(Capability::Pipelining),
                ("8BITMIME", _) if bare => Some(Capability::EightBitMime),
                ("BINARYMIME", _) if bare => Some(Capability::BinaryMime),
                ("CHUNKING", _) if bare => Some(Capability::Chunking),
                ("DSN", _) if bare => Some(Capability::Dsn),
                ("ENHANCEDSTATUSCODES", _) if bare => Some(Capability::EnhancedStatusCodes),
                ("STARTTLS", _) if bare => Some(Capability::StartTls),
                ("SMTPUTF8", _) if bare => Some(Capability::SmtpUtf8),
                ("REQUIRETLS", _) if bare => Some(Capability::RequireTls),
                ("HELP", _) if bare => Some(Capability::Help),
                ("VRFY", _) if bare => Some(Capability::Vrfy),
                ("EXPN", _) if bare => Some(Capability::Expn),
                ("ETRN", _) if bare => Some(Capability::Etrn),
                ("AUTH", mechs) => mechs
                    .iter()
                    .map(|m| m.parse::<Mechanism>().ok())
                    .collect::<Option<Vec<_>>>()
                    .map(Capability::Auth),
                ("DELIVERBY", []) => Some(Capability::DeliverBy(None)),
                ("DELIVERBY", [n]) => number(n).map(|n| Capability::DeliverBy(Some(n))),
                ("FUTURERELEASE", [interval, date]) => {
                    number(interval).map(|max_interval| Capability::FutureRelease {
                        max_interval,
                        max_date_time: (*date).to_owned(),
                    })
                }
                ("MT-PRIORITY", []) => Some(Capability::MtPriority(None)),
                ("MT-PRIORITY", [p]) => Some(Capability::MtPriority(Some((*p).to_owned()))),
                ("LIMITS", limits) if !limits.is_empty() => limits
                    .iter()
                    .map(|l| {
                        let (name, value) = l.split_once('=')?;
                        Some((name.to_ascii_uppercase(), number(value)?))
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(Capability::Limits),
                _ => None,
            };
            Ok(typed.unwrap_or_else(|| {
                Capability::Other(OtherCapability::new(&upper, params.iter().copied()).unwrap())
            }))
        }

        fn word() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec![
                    "SIZE",
                    "size",
                    "PIPELINING",
                    "8BITMIME",
                    "BINARYMIME",
                    "CHUNKING",
                    "DSN",
                    "ENHANCEDSTATUSCODES",
                    "STARTTLS",
                    "SMTPUTF8",
                    "REQUIRETLS",
                    "HELP",
                    "VRFY",
                    "EXPN",
                    "ETRN",
                    "AUTH",
                    "auth=login",
                    "AUTH=PLAIN",
                    "DELIVERBY",
                    "FUTURERELEASE",
                    "MT-PRIORITY",
                    "LIMITS",
                    "plain",
                    "SCRAM-SHA-256",
                    "X-FOO",
                    "GSSAPI",
                    "RCPTMAX=5",
                    "mailmax=x",
                    "=",
                    "12",
                    "",
                    "-bad",
                    "2026-01-01T00:00:00Z",
                    "123456789012345678901",
                    "a_b",
                ])
                .prop_map(str::to_owned),
                "[ -~]{0,6}",
            ]
        }

        fn line() -> impl Strategy<Value = String> {
            prop::collection::vec(word(), 0..5).prop_map(|w| w.join(" "))
        }

        proptest! {
            #[test]
            fn capability_parse_matches_the_previous_reading(line in line()) {
                prop_assert_eq!(Capability::parse(&line), reference(&line), "{:?}", line);
            }

            #[test]
            fn ehlo_fast_paths_match_capability_parse(lines in prop::collection::vec(line(), 0..4)) {
                let mut wire = b"250-mx\r\n".to_vec();
                let mut expected = EhloReply::new("mx", []);
                for line in &lines {
                    wire.extend_from_slice(format!("250-{line}\r\n").as_bytes());
                    if let Ok(cap) = Capability::parse(line) {
                        expected.push(cap);
                    }
                }
                wire.extend_from_slice(b"250 DSN\r\n");
                expected.push(Capability::Dsn);
                prop_assert_eq!(EhloReply::parse(&wire), Ok(expected), "{:?}", lines);
            }

            #[test]
            fn ehlo_parse_matches_reply_parse_then_from_reply(
                code in prop::sample::select(vec!["250", "250", "250", "220", "25x"]),
                first in prop::sample::select(vec!["mx.example.com", "mx hello there", "", " x"]),
                lines in prop::collection::vec((line(), 0u8..12), 0..6),
                tail in prop::sample::select(vec!["", "", "x", "250 extra\r\n"]),
            ) {
                let mut wire = Vec::new();
                let all: Vec<(String, u8)> = core::iter::once((first.to_owned(), 0)).chain(lines).collect();
                for (i, (text, noise)) in all.iter().enumerate() {
                    let last = i + 1 == all.len();
                    // Mostly well-formed, sometimes a wrong code, separator or line end.
                    let code = if *noise == 1 { "251" } else { code };
                    let sep = if last || *noise == 2 { " " } else { "-" };
                    let end = if *noise == 3 { "\n" } else { "\r\n" };
                    wire.extend_from_slice(format!("{code}{sep}{text}").as_bytes());
                    // Sometimes bytes that are no text: invalid UTF-8, a control character.
                    match noise {
                        4 => wire.push(0xff),
                        5 => wire.push(0x01),
                        6 => wire.extend_from_slice("é".as_bytes()),
                        _ => {}
                    }
                    wire.extend_from_slice(end.as_bytes());
                }
                wire.extend_from_slice(tail.as_bytes());
                let expected = Reply::parse(&wire).and_then(|r| EhloReply::from_reply(&r));
                prop_assert_eq!(EhloReply::parse(&wire), expected, "{:?}", String::from_utf8_lossy(&wire));
            }
        }

        #[test]
        fn ehlo_parse_reads_the_bench_reply() {
            let wire = b"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n\
250-AUTH PLAIN LOGIN SCRAM-SHA-256\r\n250 CHUNKING\r\n";
            let ehlo = EhloReply::parse(wire).unwrap();
            assert_eq!(
                ehlo,
                EhloReply::from_reply(&Reply::parse(wire).unwrap()).unwrap()
            );
            assert_eq!(ehlo.size(), Some(52_428_800));
            assert_eq!(
                EhloReply::parse(b"250-a\r\n250 B"),
                Err(ReplyError::Incomplete)
            );
            assert_eq!(EhloReply::parse(b"250-a\r\n"), Err(ReplyError::Incomplete));
        }

        #[test]
        fn ehlo_parse_keeps_the_reply_limits() {
            let mut wire = b"250-x\r\n".repeat(100);
            wire.extend_from_slice(b"250 DSN\r\n");
            assert_eq!(EhloReply::parse(&wire), Err(ReplyError::TooLong));
            let mut wire = b"250-x\r\n".repeat(99);
            wire.extend_from_slice(b"250 DSN\r\n");
            assert_eq!(EhloReply::parse(&wire).unwrap().len(), 99);
        }
    }
}

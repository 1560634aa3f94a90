//! Typed `MAIL` and `RCPT` parameters of the ESMTP extensions (RFC 5321 §4.1.2 `esmtp-param`).
//!
//! Each parameter the crate knows gets a field; any other keyword is kept, in wire form, in
//! `other`, so an application can act on extensions this crate does not know. A keyword given
//! twice is an error (RFC 1870 §6, RFC 3461 §4: "MUST NOT appear more than once").

use bytes::BytesMut;
use core::fmt::Write as _;
use mail_core::message::EsmtpParameter;

use super::WireParam;
use crate::error::CommandError;

/// The message body type (`BODY=`, RFC 6152 §2 and RFC 3030 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`: only 7-bit lines of at most 1000 octets.
    SevenBit,
    /// `8BITMIME` (RFC 6152): 8-bit octets in lines.
    EightBitMime,
    /// `BINARYMIME` (RFC 3030): arbitrary octets; needs `BDAT`.
    BinaryMime,
}

impl Body {
    /// Returns the parameter value as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SevenBit => "7BIT",
            Self::EightBitMime => "8BITMIME",
            Self::BinaryMime => "BINARYMIME",
        }
    }
}

/// How much of the message a DSN returns (`RET=`, RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: the whole message.
    Full,
    /// `HDRS`: only the header.
    Headers,
}

/// When a DSN is asked for (`NOTIFY=`, RFC 3461 §4.1).
///
/// ```abnf
/// notify-esmtp-value  = "NEVER" / 1#notify-list-element
/// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Notify {
    /// Report successful delivery.
    pub success: bool,
    /// Report failed delivery.
    pub failure: bool,
    /// Report delayed delivery.
    pub delay: bool,
}

impl Notify {
    /// `NEVER`: no DSN at all.
    pub const NEVER: Self = Self {
        success: false,
        failure: false,
        delay: false,
    };

    /// Returns whether this is `NEVER`.
    pub const fn is_never(self) -> bool {
        !(self.success || self.failure || self.delay)
    }
}

/// The original recipient (`ORCPT=`, RFC 3461 §4.2).
///
/// ```abnf
/// orcpt-parameter            = "ORCPT=" original-recipient-address
/// original-recipient-address = addr-type ";" xtext
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalRecipient {
    /// The address type, usually `rfc822`.
    pub addr_type: String,
    /// The address, xtext-decoded.
    pub address: String,
}

/// Deliver-by request (`BY=`, RFC 2852 §4).
///
/// ```abnf
/// by-value = by-time ";" by-mode [ by-trace ]
/// by-time  = [ "-" / "+" ] 1*9digit
/// by-mode  = "N" / "R"
/// by-trace = "T"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliverBy {
    /// Seconds from now; may be negative in mode `N` per the RFC's rules.
    pub time: i32,
    /// `R` (return the message when the deadline passes) rather than `N` (notify).
    pub return_on_expiry: bool,
    /// `T`: trace the delivery-by request.
    pub trace: bool,
}

/// The parameters of `MAIL FROM` (RFC 5321 §4.1.1.2 and extensions).
///
/// The parameters real clients send (`SIZE`, `BODY`, `SMTPUTF8`, `REQUIRETLS`) are fields;
/// the rest live in [`MailExtras`], boxed and absent until one is given, so that a `MAIL`
/// command stays small to move and cheap to drop. Read them with [`MailParameters::extras`],
/// set them with [`MailParameters::extras_mut`]. Equality looks through the box: no extras
/// and empty extras are equal.
///
/// ```
/// use smtp_proto::command::{MailParameters, Ret};
///
/// let mut p = MailParameters::default();
/// p.size = Some(3518);
/// p.extras_mut().ret = Some(Ret::Headers);
/// assert_eq!(p.extras().ret, Some(Ret::Headers));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct MailParameters {
    /// `SIZE=` (RFC 1870): the declared message size in octets.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// `REQUIRETLS` (RFC 8689 §4).
    pub requiretls: bool,
    /// Every other parameter, when one was given.
    pub extras: Option<Box<MailExtras>>,
}

/// The less common `MAIL` parameters: DSN, submission, priority and hold requests, and
/// parameters this crate does not know (see [`MailParameters`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MailExtras {
    /// `RET=` (RFC 3461 §4.3).
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461 §4.4), xtext-decoded.
    pub envid: Option<String>,
    /// `AUTH=` (RFC 4954 §5), xtext-decoded: a mailbox, or `<>` when the submitter is not
    /// authenticated or not trusted.
    pub auth: Option<String>,
    /// `MT-PRIORITY=` (RFC 6710): -9 to 9.
    pub mt_priority: Option<i8>,
    /// `BY=` (RFC 2852).
    pub by: Option<DeliverBy>,
    /// `HOLDFOR=` (RFC 4865): seconds to hold the message.
    pub hold_for: Option<u64>,
    /// `HOLDUNTIL=` (RFC 4865): the release time, an RFC 3339 date-time kept as sent.
    pub hold_until: Option<String>,
    /// Every other parameter, in the order given.
    pub other: Vec<EsmtpParameter>,
}

/// No extras: what [`MailParameters::extras`] lends when none were given.
static NO_MAIL_EXTRAS: MailExtras = MailExtras {
    ret: None,
    envid: None,
    auth: None,
    mt_priority: None,
    by: None,
    hold_for: None,
    hold_until: None,
    other: Vec::new(),
};

impl PartialEq for MailParameters {
    fn eq(&self, other: &Self) -> bool {
        self.size == other.size
            && self.body == other.body
            && self.smtputf8 == other.smtputf8
            && self.requiretls == other.requiretls
            && self.extras() == other.extras()
    }
}

impl Eq for MailParameters {}

/// The parameters of `RCPT TO` (RFC 5321 §4.1.1.3 and extensions).
///
/// `NOTIFY` is a field; the rest live in [`RcptExtras`], boxed and absent until one is
/// given, as for [`MailParameters`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RcptParameters {
    /// `NOTIFY=` (RFC 3461 §4.1).
    pub notify: Option<Notify>,
    /// Every other parameter, when one was given.
    pub extras: Option<Box<RcptExtras>>,
}

/// The less common `RCPT` parameters (see [`RcptParameters`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RcptExtras {
    /// `ORCPT=` (RFC 3461 §4.2).
    pub orcpt: Option<OriginalRecipient>,
    /// `RRVS=` (RFC 7293): the date-time (kept as sent) and the optional `;C` / `;R` mode.
    pub rrvs: Option<String>,
    /// Every other parameter, in the order given.
    pub other: Vec<EsmtpParameter>,
}

/// No extras: what [`RcptParameters::extras`] lends when none were given.
static NO_RCPT_EXTRAS: RcptExtras = RcptExtras {
    orcpt: None,
    rrvs: None,
    other: Vec::new(),
};

impl PartialEq for RcptParameters {
    fn eq(&self, other: &Self) -> bool {
        self.notify == other.notify && self.extras() == other.extras()
    }
}

impl Eq for RcptParameters {}

/// Decodes `xtext` (RFC 3461 §4).
///
/// ```abnf
/// xtext   = *( xchar / hexchar )
/// xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "="
/// hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits
/// ```
///
/// Tolerance: lower-case hex digits after `+` are accepted (some clients send them).
///
/// # Errors
/// [`CommandError::Parameter`] naming `keyword` on a character outside xtext, a broken
/// `+XX`, or a result that is not UTF-8.
pub fn xtext_decode(value: &str, keyword: &'static str) -> Result<String, CommandError> {
    let bad = || CommandError::Parameter {
        keyword,
        reason: "invalid xtext",
    };
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => {
                let hi = bytes.next().and_then(hex_value).ok_or_else(bad)?;
                let lo = bytes.next().and_then(hex_value).ok_or_else(bad)?;
                out.push(hi << 4 | lo);
            }
            b'=' => return Err(bad()),
            33..=126 => out.push(b),
            _ => return Err(bad()),
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Appends `value` encoded as `xtext` (RFC 3461 §4) to `out`: `+`, `=`, controls, space and
/// non-ASCII octets become `+XX`.
pub fn xtext_encode(value: &str, out: &mut BytesMut) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            out.extend_from_slice(&[b]);
        } else {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'+', hi, lo]);
        }
    }
}

/// Returns whether `input` is `upper` in any ASCII case, as `eq_ignore_ascii_case` does, for
/// an `upper` without lower-case letters: a byte matches its twin in `upper`, or differs from
/// an upper-case letter there in bit 5 only (its lower-case form).
pub(crate) fn is_word(input: &[u8], upper: &[u8]) -> bool {
    input.len() == upper.len()
        && input.iter().zip(upper).all(|(&a, &u)| {
            let diff = a ^ u;
            diff == 0 || (diff == 0x20 && u.is_ascii_uppercase())
        })
}

/// The keywords this crate gives typed meaning to, so that one `match` picks the field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Size,
    Body,
    SmtpUtf8,
    Ret,
    Envid,
    Auth,
    RequireTls,
    MtPriority,
    By,
    HoldFor,
    HoldUntil,
    Notify,
    Orcpt,
    Rrvs,
}

/// Returns the known keyword `keyword` is, in any case (RFC 5321 §2.4: "verbs and argument
/// values ... are not case sensitive").
fn keyword(keyword: &[u8]) -> Option<Keyword> {
    // The length and the first letter leave at most one candidate to compare.
    let first = keyword.first()? & 0xDF;
    let (name, known): (&[u8], Keyword) = match (keyword.len(), first) {
        (4, b'S') => (b"SIZE", Keyword::Size),
        (4, b'B') => (b"BODY", Keyword::Body),
        (8, b'S') => (b"SMTPUTF8", Keyword::SmtpUtf8),
        (3, b'R') => (b"RET", Keyword::Ret),
        (5, b'E') => (b"ENVID", Keyword::Envid),
        (4, b'A') => (b"AUTH", Keyword::Auth),
        (10, b'R') => (b"REQUIRETLS", Keyword::RequireTls),
        (11, b'M') => (b"MT-PRIORITY", Keyword::MtPriority),
        (2, b'B') => (b"BY", Keyword::By),
        (7, b'H') => (b"HOLDFOR", Keyword::HoldFor),
        (9, b'H') => (b"HOLDUNTIL", Keyword::HoldUntil),
        (6, b'N') => (b"NOTIFY", Keyword::Notify),
        (5, b'O') => (b"ORCPT", Keyword::Orcpt),
        (4, b'R') => (b"RRVS", Keyword::Rrvs),
        _ => return None,
    };
    is_word(keyword, name).then_some(known)
}

fn number(
    value: Option<&[u8]>,
    keyword: &'static str,
    max_digits: usize,
) -> Result<u64, CommandError> {
    let err = CommandError::Parameter {
        keyword,
        reason: "a number expected",
    };
    let v = value.ok_or(err.clone())?;
    if v.is_empty() || v.len() > max_digits {
        return Err(err);
    }
    v.iter()
        .try_fold(0u64, |acc, &b| {
            let digit = b.is_ascii_digit().then(|| u64::from(b - b'0'))?;
            acc.checked_mul(10)?.checked_add(digit)
        })
        .ok_or(err)
}

/// Returns a parameter value as text. Values reach the parameter readers already checked as
/// UTF-8; the check here only keeps the conversion safe.
fn text(value: Option<&[u8]>) -> Option<&str> {
    value.and_then(|v| core::str::from_utf8(v).ok())
}

fn no_value(value: Option<&[u8]>, keyword: &'static str) -> Result<(), CommandError> {
    match value {
        None => Ok(()),
        Some(_) => Err(CommandError::Parameter {
            keyword,
            reason: "takes no value",
        }),
    }
}

fn once<T>(slot: &Option<T>, keyword: &'static str) -> Result<(), CommandError> {
    match slot {
        None => Ok(()),
        Some(_) => Err(CommandError::DuplicateParameter { keyword }),
    }
}

fn once_flag(flag: bool, keyword: &'static str) -> Result<(), CommandError> {
    if flag {
        Err(CommandError::DuplicateParameter { keyword })
    } else {
        Ok(())
    }
}

/// Reads an RFC 3339 `date-time` loosely: printable ASCII without `;`, as RFC 4865 and
/// RFC 7293 carry it. The application interprets it; the parser only keeps it safe to re-send.
fn date_time(value: Option<&str>, keyword: &'static str) -> Result<String, CommandError> {
    match value {
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()) => Ok(v.to_owned()),
        _ => Err(CommandError::Parameter {
            keyword,
            reason: "a date-time expected",
        }),
    }
}

impl MailParameters {
    /// Returns the less common parameters; empty ones when none were given.
    pub fn extras(&self) -> &MailExtras {
        self.extras.as_deref().unwrap_or(&NO_MAIL_EXTRAS)
    }

    /// Returns the less common parameters for changing, making them on first use.
    pub fn extras_mut(&mut self) -> &mut MailExtras {
        self.extras.get_or_insert_default()
    }

    /// Gives typed meaning to the `MAIL` parameters in `params`.
    ///
    /// # Errors
    /// [`CommandError::Parameter`] for a known keyword with a bad value,
    /// [`CommandError::DuplicateParameter`] for a keyword given twice.
    pub fn from_esmtp(params: Vec<EsmtpParameter>) -> Result<Self, CommandError> {
        let mut out = Self::default();
        for p in params {
            if !out.set(p.keyword().as_bytes(), p.value().map(str::as_bytes))? {
                out.extras_mut().other.push(p);
            }
        }
        out.check()?;
        Ok(out)
    }

    /// Reads one parameter straight from the command line: known keywords into their fields,
    /// without an [`EsmtpParameter`] in between.
    pub(crate) fn set_wire(&mut self, p: WireParam<'_>) -> Result<(), CommandError> {
        if !self.set(p.keyword, p.value)? {
            self.extras_mut().other.push(p.to_owned_param()?);
        }
        Ok(())
    }

    /// Gives typed meaning to one parameter; `Ok(false)` when the keyword is not one of ours.
    fn set(&mut self, keyword: &[u8], value: Option<&[u8]>) -> Result<bool, CommandError> {
        let kw = self::keyword(keyword);
        let is = |name: Keyword| kw == Some(name);
        if is(Keyword::Size) {
            once(&self.size, "SIZE")?;
            // RFC 1870 §3: size-value = 1*20DIGIT.
            self.size = Some(number(value, "SIZE", 20)?);
        } else if is(Keyword::Body) {
            once(&self.body, "BODY")?;
            let v = value.unwrap_or_default();
            self.body = Some(if is_word(v, b"7BIT") {
                Body::SevenBit
            } else if is_word(v, b"8BITMIME") {
                Body::EightBitMime
            } else if is_word(v, b"BINARYMIME") {
                Body::BinaryMime
            } else {
                return Err(CommandError::Parameter {
                    keyword: "BODY",
                    reason: "7BIT, 8BITMIME or BINARYMIME expected",
                });
            });
        } else if is(Keyword::SmtpUtf8) {
            once_flag(self.smtputf8, "SMTPUTF8")?;
            no_value(value, "SMTPUTF8")?;
            self.smtputf8 = true;
        } else if is(Keyword::Ret) {
            once(&self.extras().ret, "RET")?;
            let v = value.unwrap_or_default();
            self.extras_mut().ret = Some(if is_word(v, b"FULL") {
                Ret::Full
            } else if is_word(v, b"HDRS") {
                Ret::Headers
            } else {
                return Err(CommandError::Parameter {
                    keyword: "RET",
                    reason: "FULL or HDRS expected",
                });
            });
        } else if is(Keyword::Envid) {
            once(&self.extras().envid, "ENVID")?;
            let v = xtext_decode(text(value).unwrap_or_default(), "ENVID")?;
            // RFC 3461 §4.4: at most 100 characters, printable US-ASCII.
            if v.is_empty() || v.len() > 100 || !v.bytes().all(|b| (32..=126).contains(&b)) {
                return Err(CommandError::Parameter {
                    keyword: "ENVID",
                    reason: "1 to 100 printable characters expected",
                });
            }
            self.extras_mut().envid = Some(v);
        } else if is(Keyword::Auth) {
            once(&self.extras().auth, "AUTH")?;
            let v = xtext_decode(text(value).unwrap_or_default(), "AUTH")?;
            if v.is_empty() {
                return Err(CommandError::Parameter {
                    keyword: "AUTH",
                    reason: "a mailbox or <> expected",
                });
            }
            self.extras_mut().auth = Some(v);
        } else if is(Keyword::RequireTls) {
            once_flag(self.requiretls, "REQUIRETLS")?;
            no_value(value, "REQUIRETLS")?;
            self.requiretls = true;
        } else if is(Keyword::MtPriority) {
            once(&self.extras().mt_priority, "MT-PRIORITY")?;
            self.extras_mut().mt_priority = Some(priority(value)?);
        } else if is(Keyword::By) {
            once(&self.extras().by, "BY")?;
            self.extras_mut().by = Some(deliver_by(text(value))?);
        } else if is(Keyword::HoldFor) {
            once(&self.extras().hold_for, "HOLDFOR")?;
            self.extras_mut().hold_for = Some(number(value, "HOLDFOR", 10)?);
        } else if is(Keyword::HoldUntil) {
            once(&self.extras().hold_until, "HOLDUNTIL")?;
            self.extras_mut().hold_until = Some(date_time(text(value), "HOLDUNTIL")?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Checks the rules that span parameters, once all are read.
    pub(crate) fn check(&self) -> Result<(), CommandError> {
        let extras = self.extras();
        if extras.hold_for.is_some() && extras.hold_until.is_some() {
            // RFC 4865 §5.2: the two are mutually exclusive.
            return Err(CommandError::Parameter {
                keyword: "HOLDUNTIL",
                reason: "HOLDFOR and HOLDUNTIL together",
            });
        }
        Ok(())
    }

    /// Appends ` KEY=VALUE` for every parameter to `out`, known ones first in a fixed order.
    pub fn encode(&self, out: &mut BytesMut) {
        if let Some(size) = self.size {
            let _ = write!(Buf(out), " SIZE={size}");
        }
        if let Some(body) = self.body {
            out.extend_from_slice(b" BODY=");
            out.extend_from_slice(body.as_str().as_bytes());
        }
        if self.smtputf8 {
            out.extend_from_slice(b" SMTPUTF8");
        }
        let extras = self.extras();
        if let Some(ret) = extras.ret {
            out.extend_from_slice(match ret {
                Ret::Full => b" RET=FULL",
                Ret::Headers => b" RET=HDRS",
            });
        }
        if let Some(envid) = &extras.envid {
            out.extend_from_slice(b" ENVID=");
            xtext_encode(envid, out);
        }
        if let Some(auth) = &extras.auth {
            out.extend_from_slice(b" AUTH=");
            xtext_encode(auth, out);
        }
        if self.requiretls {
            out.extend_from_slice(b" REQUIRETLS");
        }
        if let Some(p) = extras.mt_priority {
            let _ = write!(Buf(out), " MT-PRIORITY={p}");
        }
        if let Some(by) = extras.by {
            let mode = if by.return_on_expiry { 'R' } else { 'N' };
            let trace = if by.trace { "T" } else { "" };
            let _ = write!(Buf(out), " BY={};{mode}{trace}", by.time);
        }
        if let Some(s) = extras.hold_for {
            let _ = write!(Buf(out), " HOLDFOR={s}");
        }
        if let Some(t) = &extras.hold_until {
            out.extend_from_slice(b" HOLDUNTIL=");
            out.extend_from_slice(t.as_bytes());
        }
        encode_other(&extras.other, out);
    }
}

fn encode_other(other: &[EsmtpParameter], out: &mut BytesMut) {
    for p in other {
        let _ = write!(Buf(out), " {p}");
    }
}

/// `MT-PRIORITY` value (RFC 6710 §3): `[ "-" / "+" ] 1DIGIT`.
fn priority(value: Option<&[u8]>) -> Result<i8, CommandError> {
    let err = CommandError::Parameter {
        keyword: "MT-PRIORITY",
        reason: "-9 to 9 expected",
    };
    let v = value.ok_or(err.clone())?;
    let (neg, digits) = match v {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    match digits {
        [d @ b'0'..=b'9'] => {
            let n = (d - b'0') as i8;
            Ok(if neg { -n } else { n })
        }
        _ => Err(err),
    }
}

/// `BY` value (RFC 2852 §4): `by-time ";" by-mode [ by-trace ]`.
fn deliver_by(value: Option<&str>) -> Result<DeliverBy, CommandError> {
    let err = CommandError::Parameter {
        keyword: "BY",
        reason: "by-time;by-mode expected",
    };
    let v = value.ok_or(err.clone())?;
    let (time, mode) = v.split_once(';').ok_or(err.clone())?;
    let digits = time.strip_prefix(['-', '+']).unwrap_or(time);
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err);
    }
    let time: i32 = time.parse().map_err(|_| err.clone())?;
    let (return_on_expiry, trace) = match mode.as_bytes() {
        [m, rest @ ..] if rest.len() <= 1 => {
            let trace = match rest {
                [] => false,
                [b'T' | b't'] => true,
                _ => return Err(err),
            };
            match m {
                b'N' | b'n' => (false, trace),
                b'R' | b'r' => (true, trace),
                _ => return Err(err),
            }
        }
        _ => return Err(err),
    };
    Ok(DeliverBy {
        time,
        return_on_expiry,
        trace,
    })
}

impl RcptParameters {
    /// Returns the less common parameters; empty ones when none were given.
    pub fn extras(&self) -> &RcptExtras {
        self.extras.as_deref().unwrap_or(&NO_RCPT_EXTRAS)
    }

    /// Returns the less common parameters for changing, making them on first use.
    pub fn extras_mut(&mut self) -> &mut RcptExtras {
        self.extras.get_or_insert_default()
    }

    /// Gives typed meaning to the `RCPT` parameters in `params`.
    ///
    /// # Errors
    /// [`CommandError::Parameter`] for a known keyword with a bad value,
    /// [`CommandError::DuplicateParameter`] for a keyword given twice.
    pub fn from_esmtp(params: Vec<EsmtpParameter>) -> Result<Self, CommandError> {
        let mut out = Self::default();
        for p in params {
            if !out.set(p.keyword().as_bytes(), p.value().map(str::as_bytes))? {
                out.extras_mut().other.push(p);
            }
        }
        Ok(out)
    }

    /// Reads one parameter straight from the command line: known keywords into their fields,
    /// without an [`EsmtpParameter`] in between.
    pub(crate) fn set_wire(&mut self, p: WireParam<'_>) -> Result<(), CommandError> {
        if !self.set(p.keyword, p.value)? {
            self.extras_mut().other.push(p.to_owned_param()?);
        }
        Ok(())
    }

    /// Gives typed meaning to one parameter; `Ok(false)` when the keyword is not one of ours.
    fn set(&mut self, keyword: &[u8], value: Option<&[u8]>) -> Result<bool, CommandError> {
        let kw = self::keyword(keyword);
        let is = |name: Keyword| kw == Some(name);
        if is(Keyword::Notify) {
            once(&self.notify, "NOTIFY")?;
            self.notify = Some(notify(value)?);
        } else if is(Keyword::Orcpt) {
            once(&self.extras().orcpt, "ORCPT")?;
            let err = CommandError::Parameter {
                keyword: "ORCPT",
                reason: "addr-type;xtext expected",
            };
            let (addr_type, xtext) = text(value)
                .and_then(|v| v.split_once(';'))
                .ok_or(err.clone())?;
            // addr-type is an atom (RFC 3464 §2.1.2 / RFC 5321 Atom).
            if addr_type.is_empty() || !addr_type.bytes().all(mail_core::address::is_atext) {
                return Err(err);
            }
            self.extras_mut().orcpt = Some(OriginalRecipient {
                addr_type: addr_type.to_owned(),
                address: xtext_decode(xtext, "ORCPT")?,
            });
        } else if is(Keyword::Rrvs) {
            once(&self.extras().rrvs, "RRVS")?;
            let value = text(value);
            self.extras_mut().rrvs = Some(date_time(value, "RRVS").or_else(|_| {
                // `;C` / `;R` after the date-time (RFC 7293 §3.1) is fine.
                value
                    .filter(|v| v.bytes().all(|b| b.is_ascii_graphic()) && !v.is_empty())
                    .map(str::to_owned)
                    .ok_or(CommandError::Parameter {
                        keyword: "RRVS",
                        reason: "a date-time expected",
                    })
            })?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Appends ` KEY=VALUE` for every parameter to `out`, known ones first in a fixed order.
    pub fn encode(&self, out: &mut BytesMut) {
        if let Some(n) = self.notify {
            out.extend_from_slice(b" NOTIFY=");
            if n.is_never() {
                out.extend_from_slice(b"NEVER");
            } else {
                let mut first = true;
                for (on, name) in [
                    (n.success, "SUCCESS"),
                    (n.failure, "FAILURE"),
                    (n.delay, "DELAY"),
                ] {
                    if on {
                        if !first {
                            out.extend_from_slice(b",");
                        }
                        out.extend_from_slice(name.as_bytes());
                        first = false;
                    }
                }
            }
        }
        let extras = self.extras();
        if let Some(o) = &extras.orcpt {
            out.extend_from_slice(b" ORCPT=");
            out.extend_from_slice(o.addr_type.as_bytes());
            out.extend_from_slice(b";");
            xtext_encode(&o.address, out);
        }
        if let Some(r) = &extras.rrvs {
            out.extend_from_slice(b" RRVS=");
            out.extend_from_slice(r.as_bytes());
        }
        encode_other(&extras.other, out);
    }
}

/// `NOTIFY` value (RFC 3461 §4.1): `NEVER`, or a comma list of SUCCESS, FAILURE, DELAY.
fn notify(value: Option<&[u8]>) -> Result<Notify, CommandError> {
    let err = CommandError::Parameter {
        keyword: "NOTIFY",
        reason: "NEVER or SUCCESS,FAILURE,DELAY expected",
    };
    let v = value.ok_or(err.clone())?;
    if is_word(v, b"NEVER") {
        return Ok(Notify::NEVER);
    }
    let mut n = Notify::default();
    for item in v.split(|&b| b == b',') {
        let slot = if is_word(item, b"SUCCESS") {
            &mut n.success
        } else if is_word(item, b"FAILURE") {
            &mut n.failure
        } else if is_word(item, b"DELAY") {
            &mut n.delay
        } else {
            // Includes NEVER inside a list, which §4.1 forbids.
            return Err(err);
        };
        if *slot {
            return Err(err);
        }
        *slot = true;
    }
    Ok(n)
}

/// `fmt::Write` over a `BytesMut`, for numbers.
struct Buf<'a>(&'a mut BytesMut);

impl core::fmt::Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_word_is_eq_ignore_ascii_case_for_words_without_lower_case() {
        for u in (0..=255u8).filter(|u| !u.is_ascii_lowercase()) {
            for a in 0..=255u8 {
                assert_eq!(
                    is_word(&[a], &[u]),
                    [a].eq_ignore_ascii_case(&[u]),
                    "{a} {u}"
                );
            }
        }
        assert!(is_word(b"8bitMime", b"8BITMIME"));
        assert!(!is_word(b"8BITMIM", b"8BITMIME"));
    }

    #[test]
    fn keywords_are_recognised_in_any_case_and_only_exactly() {
        let known = [
            ("SIZE", Keyword::Size),
            ("BODY", Keyword::Body),
            ("SMTPUTF8", Keyword::SmtpUtf8),
            ("RET", Keyword::Ret),
            ("ENVID", Keyword::Envid),
            ("AUTH", Keyword::Auth),
            ("REQUIRETLS", Keyword::RequireTls),
            ("MT-PRIORITY", Keyword::MtPriority),
            ("BY", Keyword::By),
            ("HOLDFOR", Keyword::HoldFor),
            ("HOLDUNTIL", Keyword::HoldUntil),
            ("NOTIFY", Keyword::Notify),
            ("ORCPT", Keyword::Orcpt),
            ("RRVS", Keyword::Rrvs),
        ];
        for (name, kw) in known {
            assert!(keyword(name.as_bytes()) == Some(kw), "{name}");
            assert!(
                keyword(name.to_lowercase().as_bytes()) == Some(kw),
                "{name}"
            );
            let mut longer = name.to_owned();
            longer.push('X');
            assert!(keyword(longer.as_bytes()).is_none(), "{longer}");
            assert!(keyword(&name.as_bytes()[1..]).is_none(), "{name}");
        }
        for other in ["", "X-FOO", "SIZF", "RSET", "BYE", "MT_PRIORITY", "\u{e9}"] {
            assert!(keyword(other.as_bytes()).is_none(), "{other}");
        }
    }
}

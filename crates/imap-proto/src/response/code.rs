//! Response codes: the bracketed `[CODE …]` at the start of a response text (RFC 9051 §7.1,
//! RFC 5530, RFC 4315, RFC 7162, RFC 5464, RFC 8474, RFC 4469, RFC 5465).

use core::num::NonZeroU32;

use bytes::Bytes;

use crate::command::NotifyEvent;
use crate::error::ValueError;
use crate::types::parser::{Encoder, PResult, Parser, Upper, is_atom_char};
use crate::types::{AString, Atom, Capability, Encode, Flag, FlagPerm, ObjectId, SequenceSet};

use super::value::write_sp_separated;

/// A response code (RFC 9051 §7.1 and the extensions).
///
/// ```abnf
/// resp-text-code  = "ALERT" /
///                   "BADCHARSET" [SP "(" charset *(SP charset) ")" ] /
///                   capability-data / "PARSE" /
///                   "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
///                   "READ-ONLY" / "READ-WRITE" / "TRYCREATE" /
///                   "UIDNEXT" SP nz-number /
///                   "UIDVALIDITY" SP nz-number /
///                   resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" /
///                   "UNAVAILABLE" / "AUTHENTICATIONFAILED" /
///                   "AUTHORIZATIONFAILED" / "EXPIRED" /
///                   "PRIVACYREQUIRED" / "CONTACTADMIN" / "NOPERM" /
///                   "INUSE" / "EXPUNGEISSUED" / "CORRUPTION" /
///                   "SERVERBUG" / "CLIENTBUG" / "CANNOT" /
///                   "LIMIT" / "OVERQUOTA" / "ALREADYEXISTS" /
///                   "NONEXISTENT" / "NOTSAVED" / "HASCHILDREN" /
///                   "CLOSED" / "UNKNOWN-CTE" /
///                   atom [SP 1*<any TEXT-CHAR except "]">]
/// resp-code-apnd  = "APPENDUID" SP nz-number SP append-uid          ; RFC 4315, 9051
/// resp-code-copy  = "COPYUID" SP nz-number SP uid-set SP uid-set    ; RFC 4315, 9051
/// resp-text-code  =/ "UNSEEN" SP nz-number                           ; RFC 3501
/// resp-text-code  =/ "HIGHESTMODSEQ" SP mod-sequence-value / "NOMODSEQ" /
///                    "MODIFIED" SP sequence-set                      ; RFC 7162 §7
/// resp-text-code  =/ "METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number /
///                    "TOOMANY" / "NOPRIVATE")                        ; RFC 5464 §6
/// resp-text-code  =/ "MAILBOXID" SP "(" objectid ")"                 ; RFC 8474 §7
/// resp-text-code  =/ "TOOBIG" / "BADURL" SP url-resp-text            ; RFC 4469 §5
/// url-resp-text   = 1*(%x01-09 / %x0B-0C / %x0E-5B / %x5D-FE)
/// resp-text-code  =/ "NOTIFICATIONOVERFLOW" /
///                    "BADEVENT" SP "(" event-name *(SP event-name) ")" ; RFC 5465 §8
/// ```
///
/// Codes are matched case-insensitively. An unknown code is kept as [`Code::Other`] with its
/// raw data, as §7.1 asks ("client implementations MUST ignore response codes that they
/// do not recognize"). Tolerances: `BADCHARSET` with an empty list or without parentheses;
/// an `APPENDUID`,
/// `COPYUID` or `MODIFIED` set holding `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `ALERT`: the text must be shown to the user.
    Alert,
    /// `BADCHARSET (…)`: the charsets the server supports (maybe none listed).
    BadCharset(Vec<AString>),
    /// `CAPABILITY …`: the capabilities, saving a CAPABILITY command.
    Capability(Vec<Capability>),
    /// `PARSE`: a message could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (…)`.
    PermanentFlags(Vec<FlagPerm>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`: the target mailbox does not exist but can be created.
    TryCreate,
    /// `UIDNEXT n`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY n`.
    UidValidity(NonZeroU32),
    /// `UNSEEN n`: the first unseen message (RFC 3501 only).
    Unseen(NonZeroU32),
    /// `CLOSED`: the previous mailbox is closed (RFC 7162 §3.2.11, RFC 9051).
    Closed,
    /// `UIDNOTSTICKY` (RFC 4315).
    UidNotSticky,
    /// `APPENDUID uidvalidity uids` (RFC 4315 §3).
    AppendUid {
        /// The UIDVALIDITY of the target mailbox.
        uid_validity: NonZeroU32,
        /// The UIDs given to the appended messages.
        uids: SequenceSet,
    },
    /// `COPYUID uidvalidity source destination` (RFC 4315 §3).
    CopyUid {
        /// The UIDVALIDITY of the target mailbox.
        uid_validity: NonZeroU32,
        /// The UIDs of the source messages.
        source: SequenceSet,
        /// The UIDs of the copies, in the same order.
        destination: SequenceSet,
    },
    /// `HIGHESTMODSEQ n` (RFC 7162 §3.1.2.1).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162 §3.1.2.2).
    NoModSeq,
    /// `MODIFIED set`: messages that failed the UNCHANGEDSINCE test (RFC 7162 §3.1.3).
    Modified(SequenceSet),
    /// A code of RFC 5530 (and RFC 9051 §7.1) that carries no data.
    Condition(Condition),
    /// `METADATA …` (RFC 5464 §6).
    Metadata(MetadataCode),
    /// `MAILBOXID (id)` (RFC 8474 §4).
    MailboxId(ObjectId),
    /// `BADURL url`: the first CATENATE URL the server could not use (RFC 4469 §4.1).
    BadUrl(CodeData),
    /// `BADEVENT (event-name …)`: the NOTIFY events the server does not support
    /// (RFC 5465 §5). Event names carry no fetch attributes: the encoder writes the names
    /// only.
    BadEvent(Vec<NotifyEvent>),
    /// An unknown code: its name and the raw text up to `]`. The name is never one of the
    /// codes above (the parser reads those as their variants; built by hand, such a value
    /// would read back as the known code).
    Other {
        /// The code's name, as sent.
        name: Atom,
        /// The text after the name and a space, if any.
        data: Option<CodeData>,
    },
}

macro_rules! conditions {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// The data-less response codes of RFC 5530 and RFC 9051 §7.1.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Condition {
            $( $(#[$doc])* $variant, )*
        }

        impl Condition {
            /// Returns the code's name.
            pub const fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $name, )* }
            }

            fn from_upper(name: &[u8]) -> Option<Self> {
                match name { $( x if x == $name.as_bytes() => Some(Self::$variant), )* _ => None }
            }

            /// Every condition, for tests and tables.
            pub const ALL: &'static [Condition] = &[ $( Self::$variant, )* ];
        }
    };
}

conditions! {
    /// `UNAVAILABLE`: a subsystem is down.
    Unavailable => "UNAVAILABLE",
    /// `AUTHENTICATIONFAILED`.
    AuthenticationFailed => "AUTHENTICATIONFAILED",
    /// `AUTHORIZATIONFAILED`.
    AuthorizationFailed => "AUTHORIZATIONFAILED",
    /// `EXPIRED`: the credentials have expired.
    Expired => "EXPIRED",
    /// `PRIVACYREQUIRED`: the operation needs TLS.
    PrivacyRequired => "PRIVACYREQUIRED",
    /// `CONTACTADMIN`.
    ContactAdmin => "CONTACTADMIN",
    /// `NOPERM`: no access right.
    NoPerm => "NOPERM",
    /// `INUSE`: someone else holds the resource.
    InUse => "INUSE",
    /// `EXPUNGEISSUED`: another session expunged messages.
    ExpungeIssued => "EXPUNGEISSUED",
    /// `CORRUPTION`.
    Corruption => "CORRUPTION",
    /// `SERVERBUG`.
    ServerBug => "SERVERBUG",
    /// `CLIENTBUG`.
    ClientBug => "CLIENTBUG",
    /// `CANNOT`: the operation violates an invariant.
    Cannot => "CANNOT",
    /// `LIMIT`: a server limit was hit.
    Limit => "LIMIT",
    /// `OVERQUOTA`.
    OverQuota => "OVERQUOTA",
    /// `ALREADYEXISTS`.
    AlreadyExists => "ALREADYEXISTS",
    /// `NONEXISTENT`.
    NonExistent => "NONEXISTENT",
    /// `NOTSAVED` (RFC 9051 §7.1).
    NotSaved => "NOTSAVED",
    /// `HASCHILDREN` (RFC 9051 §7.1).
    HasChildren => "HASCHILDREN",
    /// `UNKNOWN-CTE` (RFC 3516 §4.3).
    UnknownCte => "UNKNOWN-CTE",
    /// `COMPRESSIONACTIVE` (RFC 4978 §3).
    CompressionActive => "COMPRESSIONACTIVE",
    /// `USEATTR` (RFC 6154 §6).
    UseAttr => "USEATTR",
    /// `TOOBIG`: the catenated message would be too large (RFC 4469 §4.2).
    TooBig => "TOOBIG",
    /// `NOTIFICATIONOVERFLOW`: the server stopped sending NOTIFY events (RFC 5465 §5.8).
    NotificationOverflow => "NOTIFICATIONOVERFLOW",
}

/// The `METADATA` response code's forms (RFC 5464 §4.2.1, §4.3).
///
/// ```abnf
/// resp-text-code =/ "METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number /
///                   "TOOMANY" / "NOPRIVATE")
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetadataCode {
    /// `LONGENTRIES n`: the longest value that was not returned.
    LongEntries(u32),
    /// `MAXSIZE n`: the largest value the server accepts.
    MaxSize(u32),
    /// `TOOMANY`: too many annotations.
    TooMany,
    /// `NOPRIVATE`: private annotations are not supported.
    NoPrivate,
}

/// The raw data of an unknown response code: `1*<any TEXT-CHAR except "]">`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeData(Bytes);

impl CodeData {
    /// Returns the octets.
    pub const fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

impl TryFrom<&str> for CodeData {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        if value.is_empty() {
            return Err(ValueError::Empty("response code data"));
        }
        match value
            .bytes()
            .position(|b| matches!(b, 0 | b'\r' | b'\n' | b']'))
        {
            Some(offset) => Err(ValueError::Byte {
                what: "response code data",
                byte: value.as_bytes().get(offset).copied().unwrap_or_default(),
                offset,
            }),
            None => Ok(Self(Bytes::copy_from_slice(value.as_bytes()))),
        }
    }
}

/// Reads `charset = atom / quoted` (RFC 9051 §9); an atom stops at `]`. Tolerance: a
/// literal.
fn read_charset(p: &mut Parser<'_>) -> PResult<AString> {
    if matches!(p.peek(), Some(b'"' | b'{')) {
        return p.string().map(AString);
    }
    let start = p.pos();
    p.atom()?;
    Ok(AString(p.slice(start, p.pos())))
}

/// Reads `flag-perm`.
pub(crate) fn read_flag_perm(p: &mut Parser<'_>) -> PResult<FlagPerm> {
    if p.rest().starts_with(b"\\*") && !p.peek_at(2).is_some_and(is_atom_char) {
        p.advance(2);
        Ok(FlagPerm::Wildcard)
    } else {
        Flag::read(p).map(FlagPerm::Flag)
    }
}

/// Reads capabilities after `CAPABILITY` (no leading SP consumed): `*(SP capability)`.
pub(crate) fn read_capabilities(p: &mut Parser<'_>, stop: &[u8]) -> PResult<Vec<Capability>> {
    // Room for one capability per space up to the stop byte (a server sends forty or
    // more), reserved once.
    let rest = p.rest();
    let end = match stop {
        [b] => memchr::memchr(*b, rest).unwrap_or(rest.len()),
        _ => rest.len(),
    };
    let words = rest
        .get(..end)
        .map_or(0, crate::types::parser::count_spaces);
    let mut caps = Vec::with_capacity(words.min(256));
    loop {
        let save = p.pos();
        if !p.eat_sp() {
            break;
        }
        if p.at_end() || p.peek().is_some_and(|b| stop.contains(&b)) {
            // Tolerance: trailing spaces.
            p.seek(save);
            break;
        }
        caps.push(Capability::read(p)?);
    }
    Ok(caps)
}

impl Code {
    /// Reads `"[" resp-text-code "]"`; the caller checked the `[`.
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'[', "'['")?;
        let at = p.pos();
        let name = p.atom()?;
        let code = match Upper::new(name).as_bytes() {
            b"ALERT" => Self::Alert,
            b"BADCHARSET" => {
                let save = p.pos();
                if p.eat_sp() && p.peek() == Some(b'(') {
                    Self::BadCharset(p.list(false, read_charset)?)
                } else if p.peek().is_some_and(|b| b != b']') && save != p.pos() {
                    // Tolerance: charsets without parentheses, as in RFC 9051 §6.4.4's own
                    // example `[BADCHARSET UTF-8]`.
                    let mut list = vec![read_charset(p)?];
                    while p.peek() == Some(b' ') && p.peek_at(1).is_some_and(|b| b != b']') {
                        p.sp()?;
                        list.push(read_charset(p)?);
                    }
                    Self::BadCharset(list)
                } else {
                    p.seek(save);
                    Self::BadCharset(Vec::new())
                }
            }
            b"CAPABILITY" => Self::Capability(read_capabilities(p, b"]")?),
            b"PARSE" => Self::Parse,
            b"PERMANENTFLAGS" => {
                p.sp()?;
                Self::PermanentFlags(p.list(false, read_flag_perm)?)
            }
            b"READ-ONLY" => Self::ReadOnly,
            b"READ-WRITE" => Self::ReadWrite,
            b"TRYCREATE" => Self::TryCreate,
            b"UIDNEXT" => {
                p.sp()?;
                Self::UidNext(p.nz_number()?)
            }
            b"UIDVALIDITY" => {
                p.sp()?;
                Self::UidValidity(p.nz_number()?)
            }
            b"UNSEEN" => {
                p.sp()?;
                Self::Unseen(p.nz_number()?)
            }
            b"CLOSED" => Self::Closed,
            b"UIDNOTSTICKY" => Self::UidNotSticky,
            b"APPENDUID" => {
                p.sp()?;
                let uid_validity = p.nz_number()?;
                p.sp()?;
                Self::AppendUid {
                    uid_validity,
                    uids: SequenceSet::read(p)?,
                }
            }
            b"COPYUID" => {
                p.sp()?;
                let uid_validity = p.nz_number()?;
                p.sp()?;
                let source = SequenceSet::read(p)?;
                p.sp()?;
                Self::CopyUid {
                    uid_validity,
                    source,
                    destination: SequenceSet::read(p)?,
                }
            }
            b"HIGHESTMODSEQ" => {
                p.sp()?;
                Self::HighestModSeq(p.number64()?)
            }
            b"NOMODSEQ" => Self::NoModSeq,
            b"MODIFIED" => {
                p.sp()?;
                Self::Modified(SequenceSet::read(p)?)
            }
            b"METADATA" => {
                p.sp()?;
                let kat = p.pos();
                let kind = p.atom()?;
                Self::Metadata(match Upper::new(kind).as_bytes() {
                    b"LONGENTRIES" => {
                        p.sp()?;
                        MetadataCode::LongEntries(p.number()?)
                    }
                    b"MAXSIZE" => {
                        p.sp()?;
                        MetadataCode::MaxSize(p.number()?)
                    }
                    b"TOOMANY" => MetadataCode::TooMany,
                    b"NOPRIVATE" => MetadataCode::NoPrivate,
                    _ => {
                        return Err(crate::error::ParseError::syntax(
                            kat,
                            "LONGENTRIES, MAXSIZE, TOOMANY or NOPRIVATE",
                        ));
                    }
                })
            }
            b"MAILBOXID" => {
                p.sp()?;
                p.byte(b'(', "'(' before the mailbox id")?;
                let id = ObjectId::read(p)?;
                p.byte(b')', "')' after the mailbox id")?;
                Self::MailboxId(id)
            }
            b"BADURL" => {
                p.sp()?;
                let start = p.pos();
                p.take_while(|b| !matches!(b, 0 | b'\r' | b'\n' | b']'));
                let raw = p.slice(start, p.pos());
                if raw.is_empty() {
                    return Err(p.err("url-resp-text"));
                }
                Self::BadUrl(CodeData(raw))
            }
            b"BADEVENT" => {
                p.sp()?;
                Self::BadEvent(p.list(true, NotifyEvent::read_name)?)
            }
            upper => match Condition::from_upper(upper) {
                Some(c) => Self::Condition(c),
                None => {
                    let name = Atom::try_from(name)
                        .map_err(|_| crate::error::ParseError::syntax(at, "atom"))?;
                    let data = if p.eat(b' ') {
                        let start = p.pos();
                        p.take_while(|b| !matches!(b, 0 | b'\r' | b'\n' | b']'));
                        let raw = p.slice(start, p.pos());
                        (!raw.is_empty()).then_some(CodeData(raw))
                    } else {
                        None
                    };
                    Self::Other { name, data }
                }
            },
        };
        // Tolerance: spaces before "]".
        p.eat_sp();
        p.byte(b']', "']' ending the response code")?;
        Ok(code)
    }
}

impl Encode for Code {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"[");
        match self {
            Self::Alert => e.raw(b"ALERT"),
            Self::BadCharset(list) => {
                e.raw(b"BADCHARSET");
                if !list.is_empty() {
                    e.raw(b" (");
                    // `charset = atom / quoted`: never an astring's `]`.
                    write_sp_separated(e, list, |c, e| {
                        let b = c.as_bytes();
                        if !b.is_empty() && b.iter().all(|&x| is_atom_char(x)) {
                            e.raw(b);
                        } else {
                            e.string(b);
                        }
                    });
                    e.raw(b")");
                }
            }
            Self::Capability(caps) => {
                e.raw(b"CAPABILITY");
                for c in caps {
                    e.sp();
                    c.encode(e);
                }
            }
            Self::Parse => e.raw(b"PARSE"),
            Self::PermanentFlags(flags) => {
                e.raw(b"PERMANENTFLAGS (");
                write_sp_separated(e, flags, FlagPerm::encode);
                e.raw(b")");
            }
            Self::ReadOnly => e.raw(b"READ-ONLY"),
            Self::ReadWrite => e.raw(b"READ-WRITE"),
            Self::TryCreate => e.raw(b"TRYCREATE"),
            Self::UidNext(n) => {
                e.raw(b"UIDNEXT ");
                e.number(u64::from(n.get()));
            }
            Self::UidValidity(n) => {
                e.raw(b"UIDVALIDITY ");
                e.number(u64::from(n.get()));
            }
            Self::Unseen(n) => {
                e.raw(b"UNSEEN ");
                e.number(u64::from(n.get()));
            }
            Self::Closed => e.raw(b"CLOSED"),
            Self::UidNotSticky => e.raw(b"UIDNOTSTICKY"),
            Self::AppendUid { uid_validity, uids } => {
                e.raw(b"APPENDUID ");
                e.number(u64::from(uid_validity.get()));
                e.sp();
                uids.encode(e);
            }
            Self::CopyUid {
                uid_validity,
                source,
                destination,
            } => {
                e.raw(b"COPYUID ");
                e.number(u64::from(uid_validity.get()));
                e.sp();
                source.encode(e);
                e.sp();
                destination.encode(e);
            }
            Self::HighestModSeq(n) => {
                e.raw(b"HIGHESTMODSEQ ");
                e.number(*n);
            }
            Self::NoModSeq => e.raw(b"NOMODSEQ"),
            Self::Modified(set) => {
                e.raw(b"MODIFIED ");
                set.encode(e);
            }
            Self::Condition(c) => e.raw(c.as_str().as_bytes()),
            Self::Metadata(m) => {
                e.raw(b"METADATA ");
                match m {
                    MetadataCode::LongEntries(n) => {
                        e.raw(b"LONGENTRIES ");
                        e.number(u64::from(*n));
                    }
                    MetadataCode::MaxSize(n) => {
                        e.raw(b"MAXSIZE ");
                        e.number(u64::from(*n));
                    }
                    MetadataCode::TooMany => e.raw(b"TOOMANY"),
                    MetadataCode::NoPrivate => e.raw(b"NOPRIVATE"),
                }
            }
            Self::MailboxId(id) => {
                e.raw(b"MAILBOXID (");
                id.encode(e);
                e.raw(b")");
            }
            Self::BadUrl(url) => {
                e.raw(b"BADURL ");
                e.raw(&url.0);
            }
            Self::BadEvent(events) => {
                e.raw(b"BADEVENT (");
                write_sp_separated(e, events, |event, e| e.raw(event.name().as_bytes()));
                e.raw(b")");
            }
            Self::Other { name, data } => {
                name.encode(e);
                if let Some(d) = data {
                    e.sp();
                    e.raw(&d.0);
                }
            }
        }
        e.raw(b"]");
    }
}

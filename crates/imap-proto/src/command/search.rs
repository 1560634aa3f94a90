//! SEARCH keys and ESEARCH return options (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 4731,
//! RFC 5182, RFC 7162 §3.1.5, RFC 5032, RFC 8474, RFC 8514).

use core::num::NonZeroU32;

use crate::types::parser::{PResult, Parser, Upper, is_atom_char};
use crate::types::{
    AString, Atom, Date, Encode, Encoder, ObjectId, PartialRange, Quoted, SequenceSet,
};

/// The `entry-type-req` of a `MODSEQ` search key (RFC 7162 §3.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `priv`.
    Private,
    /// `shared`.
    Shared,
    /// `all`.
    All,
}

/// A search key (RFC 9051 §6.4.4; RFC 3501 §6.4.4 for the rev1-only keys).
///
/// ```abnf
/// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
///              "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring /
///              "KEYWORD" SP flag-keyword / "ON" SP date / "SEEN" / "SINCE" SP date /
///              "SUBJECT" SP astring / "TEXT" SP astring / "TO" SP astring / "UNANSWERED" /
///              "UNDELETED" / "UNFLAGGED" / "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" /
///              "HEADER" SP header-fld-name SP astring / "LARGER" SP number64 /
///              "NOT" SP search-key / "OR" SP search-key SP search-key /
///              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
///              "SMALLER" SP number64 / "UID" SP sequence-set / "UNDRAFT" / sequence-set /
///              "(" search-key *(SP search-key) ")"
/// ; RFC 3501:    "NEW" / "OLD" / "RECENT"
/// ; RFC 7162:    search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
/// ;              search-modseq-ext  = SP entry-name SP entry-type-req
/// ; RFC 5032:    "OLDER" SP nz-number / "YOUNGER" SP nz-number
/// ; RFC 8474:    "EMAILID" SP objectid / "THREADID" SP objectid
/// ; RFC 8514 §5: "SAVEDBEFORE" SP date / "SAVEDON" SP date / "SAVEDSINCE" SP date /
/// ;              "SAVEDATESUPPORTED"
/// ```
///
/// Keys are matched case-insensitively. Nesting (`NOT`, `OR`, parentheses) is bounded by
/// the parser's depth budget.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchKey {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC string`.
    Bcc(AString),
    /// `BEFORE date` (internal date).
    Before(Date),
    /// `BODY string`.
    Body(AString),
    /// `CC string`.
    Cc(AString),
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `FROM string`.
    From(AString),
    /// `HEADER field-name string`.
    Header(AString, AString),
    /// `KEYWORD flag`.
    Keyword(Atom),
    /// `LARGER n`.
    Larger(u64),
    /// `NEW` (RFC 3501).
    New,
    /// `NOT key`.
    Not(Box<SearchKey>),
    /// `OLD` (RFC 3501).
    Old,
    /// `ON date`.
    On(Date),
    /// `OR key1 key2`.
    Or(Box<SearchKey>, Box<SearchKey>),
    /// `RECENT` (RFC 3501).
    Recent,
    /// `SEEN`.
    Seen,
    /// `SENTBEFORE date`.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`.
    Since(Date),
    /// `SMALLER n`.
    Smaller(u64),
    /// `SUBJECT string`.
    Subject(AString),
    /// `TEXT string`.
    Text(AString),
    /// `TO string`.
    To(AString),
    /// `UID set`.
    Uid(SequenceSet),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag`.
    Unkeyword(Atom),
    /// `UNSEEN`.
    Unseen,
    /// A bare sequence set: these message numbers.
    SequenceSet(SequenceSet),
    /// `( key … )`: all of these (at least one).
    And(Vec<SearchKey>),
    /// `MODSEQ ["entry" type] n` (RFC 7162 §3.1.5).
    ModSeq {
        /// The metadata entry (`"/flags/\\Seen"`) and its type.
        entry: Option<(Quoted, EntryType)>,
        /// The mod-sequence.
        modseq: u64,
    },
    /// `OLDER seconds` (RFC 5032).
    Older(NonZeroU32),
    /// `YOUNGER seconds` (RFC 5032).
    Younger(NonZeroU32),
    /// `EMAILID id` (RFC 8474 §6).
    EmailId(ObjectId),
    /// `THREADID id` (RFC 8474 §6).
    ThreadId(ObjectId),
    /// `SAVEDBEFORE date` (RFC 8514 §4.3): saved in the mailbox before the date.
    SavedBefore(Date),
    /// `SAVEDON date` (RFC 8514 §4.3): saved in the mailbox on the date.
    SavedOn(Date),
    /// `SAVEDSINCE date` (RFC 8514 §4.3): saved in the mailbox on or after the date.
    SavedSince(Date),
    /// `SAVEDATESUPPORTED` (RFC 8514 §4.3): every message when the mailbox keeps save
    /// dates, none otherwise.
    SaveDateSupported,
}

/// Reads a search keyword (letters only).
fn word<'a>(p: &mut Parser<'a>) -> &'a [u8] {
    p.take_while(|b| b.is_ascii_alphanumeric())
}

impl SearchKey {
    /// Reads one search key.
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        match p.peek() {
            Some(b'(') => return p.list(true, Self::read).map(Self::And),
            Some(b'0'..=b'9' | b'*' | b'$') => return SequenceSet::read(p).map(Self::SequenceSet),
            _ => {}
        }
        let at = p.pos();
        let w = word(p);
        if p.peek()
            .is_some_and(|b| is_atom_char(b) && !b.is_ascii_alphanumeric())
        {
            return Err(p.err("search key"));
        }
        let astr = |p: &mut Parser<'_>| -> PResult<AString> {
            p.sp()?;
            AString::read(p)
        };
        let date = |p: &mut Parser<'_>| -> PResult<Date> {
            p.sp()?;
            Date::read(p)
        };
        let num = |p: &mut Parser<'_>| -> PResult<u64> {
            p.sp()?;
            p.number64()
        };
        let atom = |p: &mut Parser<'_>| -> PResult<Atom> {
            p.sp()?;
            Atom::read(p)
        };
        Ok(match Upper::new(w).as_bytes() {
            b"ALL" => Self::All,
            b"ANSWERED" => Self::Answered,
            b"BCC" => Self::Bcc(astr(p)?),
            b"BEFORE" => Self::Before(date(p)?),
            b"BODY" => Self::Body(astr(p)?),
            b"CC" => Self::Cc(astr(p)?),
            b"DELETED" => Self::Deleted,
            b"DRAFT" => Self::Draft,
            b"FLAGGED" => Self::Flagged,
            b"FROM" => Self::From(astr(p)?),
            b"HEADER" => {
                let name = astr(p)?;
                Self::Header(name, astr(p)?)
            }
            b"KEYWORD" => Self::Keyword(atom(p)?),
            b"LARGER" => Self::Larger(num(p)?),
            b"NEW" => Self::New,
            b"NOT" => {
                p.sp()?;
                p.enter()?;
                let k = Self::read(p)?;
                p.leave();
                Self::Not(Box::new(k))
            }
            b"OLD" => Self::Old,
            b"ON" => Self::On(date(p)?),
            b"OR" => {
                p.sp()?;
                p.enter()?;
                let a = Self::read(p)?;
                p.sp()?;
                let b = Self::read(p)?;
                p.leave();
                Self::Or(Box::new(a), Box::new(b))
            }
            b"RECENT" => Self::Recent,
            b"SEEN" => Self::Seen,
            b"SENTBEFORE" => Self::SentBefore(date(p)?),
            b"SENTON" => Self::SentOn(date(p)?),
            b"SENTSINCE" => Self::SentSince(date(p)?),
            b"SINCE" => Self::Since(date(p)?),
            b"SMALLER" => Self::Smaller(num(p)?),
            b"SUBJECT" => Self::Subject(astr(p)?),
            b"TEXT" => Self::Text(astr(p)?),
            b"TO" => Self::To(astr(p)?),
            b"UID" => {
                p.sp()?;
                Self::Uid(SequenceSet::read(p)?)
            }
            b"UNANSWERED" => Self::Unanswered,
            b"UNDELETED" => Self::Undeleted,
            b"UNDRAFT" => Self::Undraft,
            b"UNFLAGGED" => Self::Unflagged,
            b"UNKEYWORD" => Self::Unkeyword(atom(p)?),
            b"UNSEEN" => Self::Unseen,
            b"MODSEQ" => {
                p.sp()?;
                let entry = if p.peek() == Some(b'"') {
                    let qat = p.pos();
                    let name = p.quoted()?;
                    let name = core::str::from_utf8(&name)
                        .ok()
                        .and_then(|s| Quoted::try_from(s).ok())
                        .ok_or(p.invalid(qat, "entry-name"))?;
                    p.sp()?;
                    let t = match Upper::new(word(p)).as_bytes() {
                        b"PRIV" => EntryType::Private,
                        b"SHARED" => EntryType::Shared,
                        b"ALL" => EntryType::All,
                        _ => return Err(p.err("priv, shared or all")),
                    };
                    p.sp()?;
                    Some((name, t))
                } else {
                    None
                };
                Self::ModSeq {
                    entry,
                    modseq: p.number64()?,
                }
            }
            b"OLDER" => {
                p.sp()?;
                Self::Older(p.nz_number()?)
            }
            b"EMAILID" => {
                p.sp()?;
                Self::EmailId(ObjectId::read(p)?)
            }
            b"THREADID" => {
                p.sp()?;
                Self::ThreadId(ObjectId::read(p)?)
            }
            b"YOUNGER" => {
                p.sp()?;
                Self::Younger(p.nz_number()?)
            }
            b"SAVEDBEFORE" => Self::SavedBefore(date(p)?),
            b"SAVEDON" => Self::SavedOn(date(p)?),
            b"SAVEDSINCE" => Self::SavedSince(date(p)?),
            b"SAVEDATESUPPORTED" => Self::SaveDateSupported,
            _ => return Err(crate::error::ParseError::syntax(at, "search key")),
        })
    }
}

impl Encode for SearchKey {
    fn encode(&self, out: &mut Encoder) {
        let kw_a = |out: &mut Encoder, kw: &[u8], a: &AString| {
            out.raw(kw);
            out.sp();
            a.encode(out);
        };
        let kw_d = |out: &mut Encoder, kw: &[u8], d: &Date| {
            out.raw(kw);
            out.sp();
            d.encode(out);
        };
        match self {
            Self::All => out.raw(b"ALL"),
            Self::Answered => out.raw(b"ANSWERED"),
            Self::Bcc(a) => kw_a(out, b"BCC", a),
            Self::Before(d) => kw_d(out, b"BEFORE", d),
            Self::Body(a) => kw_a(out, b"BODY", a),
            Self::Cc(a) => kw_a(out, b"CC", a),
            Self::Deleted => out.raw(b"DELETED"),
            Self::Draft => out.raw(b"DRAFT"),
            Self::Flagged => out.raw(b"FLAGGED"),
            Self::From(a) => kw_a(out, b"FROM", a),
            Self::Header(n, v) => {
                kw_a(out, b"HEADER", n);
                out.sp();
                v.encode(out);
            }
            Self::Keyword(k) => {
                out.raw(b"KEYWORD ");
                k.encode(out);
            }
            Self::Larger(n) => {
                out.raw(b"LARGER ");
                out.number(*n);
            }
            Self::New => out.raw(b"NEW"),
            Self::Not(k) => {
                out.raw(b"NOT ");
                k.encode(out);
            }
            Self::Old => out.raw(b"OLD"),
            Self::On(d) => kw_d(out, b"ON", d),
            Self::Or(a, b) => {
                out.raw(b"OR ");
                a.encode(out);
                out.sp();
                b.encode(out);
            }
            Self::Recent => out.raw(b"RECENT"),
            Self::Seen => out.raw(b"SEEN"),
            Self::SentBefore(d) => kw_d(out, b"SENTBEFORE", d),
            Self::SentOn(d) => kw_d(out, b"SENTON", d),
            Self::SentSince(d) => kw_d(out, b"SENTSINCE", d),
            Self::Since(d) => kw_d(out, b"SINCE", d),
            Self::Smaller(n) => {
                out.raw(b"SMALLER ");
                out.number(*n);
            }
            Self::Subject(a) => kw_a(out, b"SUBJECT", a),
            Self::Text(a) => kw_a(out, b"TEXT", a),
            Self::To(a) => kw_a(out, b"TO", a),
            Self::Uid(s) => {
                out.raw(b"UID ");
                s.encode(out);
            }
            Self::Unanswered => out.raw(b"UNANSWERED"),
            Self::Undeleted => out.raw(b"UNDELETED"),
            Self::Undraft => out.raw(b"UNDRAFT"),
            Self::Unflagged => out.raw(b"UNFLAGGED"),
            Self::Unkeyword(k) => {
                out.raw(b"UNKEYWORD ");
                k.encode(out);
            }
            Self::Unseen => out.raw(b"UNSEEN"),
            Self::SequenceSet(s) => s.encode(out),
            Self::And(keys) => {
                out.raw(b"(");
                encode_keys(keys, out);
                out.raw(b")");
            }
            Self::ModSeq { entry, modseq } => {
                out.raw(b"MODSEQ ");
                if let Some((name, t)) = entry {
                    name.encode(out);
                    out.raw(match t {
                        EntryType::Private => b" priv ",
                        EntryType::Shared => b" shared ",
                        EntryType::All => b" all ",
                    });
                }
                out.number(*modseq);
            }
            Self::Older(n) => {
                out.raw(b"OLDER ");
                out.number(u64::from(n.get()));
            }
            Self::Younger(n) => {
                out.raw(b"YOUNGER ");
                out.number(u64::from(n.get()));
            }
            Self::EmailId(id) => {
                out.raw(b"EMAILID ");
                id.encode(out);
            }
            Self::ThreadId(id) => {
                out.raw(b"THREADID ");
                id.encode(out);
            }
            Self::SavedBefore(d) => kw_d(out, b"SAVEDBEFORE", d),
            Self::SavedOn(d) => kw_d(out, b"SAVEDON", d),
            Self::SavedSince(d) => kw_d(out, b"SAVEDSINCE", d),
            Self::SaveDateSupported => out.raw(b"SAVEDATESUPPORTED"),
        }
    }
}

/// Writes keys separated by SP.
pub(crate) fn encode_keys(keys: &[SearchKey], out: &mut Encoder) {
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.sp();
        }
        k.encode(out);
    }
}

/// Reads `search-key *(SP search-key)` up to the end of the frame.
pub(crate) fn read_keys(p: &mut Parser<'_>) -> PResult<Vec<SearchKey>> {
    let mut keys = vec![SearchKey::read(p)?];
    // Tolerance: trailing spaces.
    while p.eat_sp() && !p.at_end() {
        keys.push(SearchKey::read(p)?);
    }
    Ok(keys)
}

/// An ESEARCH return option (RFC 4731 §3.1, RFC 5182 §2, RFC 9051 §6.4.4).
///
/// ```abnf
/// search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" / search-ret-data-ext
/// search-return-opt =/ modifier-partial                  ; RFC 9394 §4
/// modifier-partial  = "PARTIAL" SP partial-range
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchReturn {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (RFC 5182): keep the result for `$`.
    Save,
    /// `PARTIAL range` (RFC 9394 §3.1): one page of the result.
    Partial(PartialRange),
    /// Another option without a value, as sent (must not be one of the above).
    Other(Atom),
}

impl SearchReturn {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let a = Atom::read(p)?;
        Ok(match Upper::new(a.as_str().as_bytes()).as_bytes() {
            b"MIN" => Self::Min,
            b"MAX" => Self::Max,
            b"ALL" => Self::All,
            b"COUNT" => Self::Count,
            b"SAVE" => Self::Save,
            b"PARTIAL" => {
                p.sp()?;
                Self::Partial(PartialRange::read(p)?)
            }
            _ => Self::Other(a),
        })
    }
}

impl Encode for SearchReturn {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Min => out.raw(b"MIN"),
            Self::Max => out.raw(b"MAX"),
            Self::All => out.raw(b"ALL"),
            Self::Count => out.raw(b"COUNT"),
            Self::Save => out.raw(b"SAVE"),
            Self::Partial(r) => {
                out.raw(b"PARTIAL ");
                r.encode(out);
            }
            Self::Other(a) => a.encode(out),
        }
    }
}

/// A charset name of SEARCH, SORT and THREAD (RFC 9051 §9 `charset = atom / quoted`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Charset(String);

impl Charset {
    /// Returns the name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        if p.peek() == Some(b'"') {
            let q = p.quoted()?;
            let s = core::str::from_utf8(&q).map_err(|_| p.invalid(at, "charset"))?;
            Self::try_from(s).map_err(|_| p.invalid(at, "charset"))
        } else {
            Ok(Self(String::from_utf8_lossy(p.atom()?).into_owned()))
        }
    }
}

impl TryFrom<&str> for Charset {
    type Error = crate::error::ValueError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let q = Quoted::try_from(value)?;
        if let Some(offset) = value.bytes().position(|b| !b.is_ascii()) {
            return Err(crate::error::ValueError::Byte {
                what: "charset",
                byte: value.as_bytes().get(offset).copied().unwrap_or_default(),
                offset,
            });
        }
        if value.is_empty() {
            return Err(crate::error::ValueError::Empty("charset"));
        }
        Ok(Self(q.as_str().to_owned()))
    }
}

impl Encode for Charset {
    fn encode(&self, out: &mut Encoder) {
        if self.0.bytes().all(is_atom_char) {
            out.raw(self.0.as_bytes());
        } else {
            out.quoted(self.0.as_bytes());
        }
    }
}

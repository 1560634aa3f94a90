//! Arguments of the extension commands: SORT and THREAD (RFC 5256), QUOTA (RFC 9208) and
//! METADATA (RFC 5464).

use bytes::Bytes;

use crate::types::parser::{PResult, Parser, Upper};
use crate::types::{AString, Atom, Encode, Encoder};

/// A sort key (RFC 5256 §3, RFC 5957 for DISPLAYFROM/DISPLAYTO).
///
/// ```abnf
/// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"   ; RFC 5957
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortKey {
    /// `ARRIVAL`.
    Arrival,
    /// `CC`.
    Cc,
    /// `DATE`.
    Date,
    /// `FROM`.
    From,
    /// `SIZE`.
    Size,
    /// `SUBJECT`.
    Subject,
    /// `TO`.
    To,
    /// `DISPLAYFROM` (RFC 5957).
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957).
    DisplayTo,
}

/// A sort criterion: a key, maybe reversed (RFC 5256 §3).
///
/// ```abnf
/// sort-criterion = ["REVERSE" SP] sort-key
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortCriterion {
    /// `REVERSE`.
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

impl SortCriterion {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let reverse = p.keyword(b"REVERSE");
        if reverse {
            p.sp()?;
        }
        let at = p.pos();
        let key = match Upper::new(p.atom()?).as_bytes() {
            b"ARRIVAL" => SortKey::Arrival,
            b"CC" => SortKey::Cc,
            b"DATE" => SortKey::Date,
            b"FROM" => SortKey::From,
            b"SIZE" => SortKey::Size,
            b"SUBJECT" => SortKey::Subject,
            b"TO" => SortKey::To,
            b"DISPLAYFROM" => SortKey::DisplayFrom,
            b"DISPLAYTO" => SortKey::DisplayTo,
            _ => return Err(crate::error::ParseError::syntax(at, "sort-key")),
        };
        Ok(Self { reverse, key })
    }
}

impl Encode for SortCriterion {
    fn encode(&self, out: &mut Encoder) {
        if self.reverse {
            out.raw(b"REVERSE ");
        }
        out.raw(match self.key {
            SortKey::Arrival => b"ARRIVAL",
            SortKey::Cc => b"CC",
            SortKey::Date => b"DATE",
            SortKey::From => b"FROM",
            SortKey::Size => b"SIZE",
            SortKey::Subject => b"SUBJECT",
            SortKey::To => b"TO",
            SortKey::DisplayFrom => b"DISPLAYFROM",
            SortKey::DisplayTo => b"DISPLAYTO",
        });
    }
}

/// A threading algorithm (RFC 5256 §3).
///
/// ```abnf
/// thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext
/// thread-alg-ext = atom
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadAlgorithm {
    /// `ORDEREDSUBJECT`.
    OrderedSubject,
    /// `REFERENCES`.
    References,
    /// Another algorithm, as sent (not one of the above).
    Other(Atom),
}

impl ThreadAlgorithm {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let a = Atom::read(p)?;
        Ok(match Upper::new(a.as_str().as_bytes()).as_bytes() {
            b"ORDEREDSUBJECT" => Self::OrderedSubject,
            b"REFERENCES" => Self::References,
            _ => Self::Other(a),
        })
    }
}

impl Encode for ThreadAlgorithm {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::OrderedSubject => out.raw(b"ORDEREDSUBJECT"),
            Self::References => out.raw(b"REFERENCES"),
            Self::Other(a) => a.encode(out),
        }
    }
}

/// One resource limit of SETQUOTA (RFC 9208 §4.2.3).
///
/// ```abnf
/// setquota-resource = resource-name SP resource-limit
/// resource-name     = "STORAGE" / "MESSAGE" / "MAILBOX" / "ANNOTATION-STORAGE" / resource-name-ext
/// resource-limit    = number64
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaLimit {
    /// The resource, e.g. `STORAGE` (kept as sent).
    pub resource: Atom,
    /// The limit.
    pub limit: u64,
}

impl QuotaLimit {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let resource = Atom::read(p)?;
        p.sp()?;
        Ok(Self {
            resource,
            limit: p.number64()?,
        })
    }
}

impl Encode for QuotaLimit {
    fn encode(&self, out: &mut Encoder) {
        self.resource.encode(out);
        out.sp();
        out.number(self.limit);
    }
}

/// The `DEPTH` of GETMETADATA (RFC 5464 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataDepth {
    /// `0`: only the entry.
    Zero,
    /// `1`: the entry and its children.
    One,
    /// `infinity`: the whole subtree.
    Infinity,
}

/// The options of GETMETADATA (RFC 5464 §4.2).
///
/// ```abnf
/// getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
/// getmetadata-option  = "MAXSIZE" SP number / "DEPTH" SP ("0" / "1" / "infinity")
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MetadataOptions {
    /// `MAXSIZE n`.
    pub max_size: Option<u32>,
    /// `DEPTH …`.
    pub depth: Option<MetadataDepth>,
}

impl MetadataOptions {
    pub(crate) const fn is_empty(&self) -> bool {
        self.max_size.is_none() && self.depth.is_none()
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mut o = Self::default();
        p.list(true, |p| {
            if p.keyword(b"MAXSIZE") {
                p.sp()?;
                o.max_size = Some(p.number()?);
            } else if p.keyword(b"DEPTH") {
                p.sp()?;
                o.depth = Some(if p.keyword(b"infinity") {
                    MetadataDepth::Infinity
                } else if p.keyword(b"0") {
                    MetadataDepth::Zero
                } else if p.keyword(b"1") {
                    MetadataDepth::One
                } else {
                    return Err(p.err("0, 1 or infinity"));
                });
            } else {
                return Err(p.err("MAXSIZE or DEPTH"));
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Encode for MetadataOptions {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"(");
        if let Some(n) = self.max_size {
            out.raw(b"MAXSIZE ");
            out.number(u64::from(n));
            if self.depth.is_some() {
                out.sp();
            }
        }
        if let Some(d) = self.depth {
            out.raw(match d {
                MetadataDepth::Zero => b"DEPTH 0",
                MetadataDepth::One => b"DEPTH 1",
                MetadataDepth::Infinity => b"DEPTH infinity",
            });
        }
        out.raw(b")");
    }
}

/// A metadata value of SETMETADATA (RFC 5464 §4.3): NIL removes the entry.
///
/// ```abnf
/// entry-value = entry SP value
/// value       = nstring / literal8
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetadataValue {
    /// `NIL`: remove the entry.
    Nil,
    /// A string value (no NUL).
    String(crate::types::IString),
    /// A `literal8` value (may hold NUL).
    Binary(Bytes),
}

/// One `entry SP value` of SETMETADATA.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetadataEntry {
    /// The entry name, e.g. `/private/comment`.
    pub entry: AString,
    /// The value.
    pub value: MetadataValue,
}

impl MetadataEntry {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let entry = AString::read(p)?;
        p.sp()?;
        let value = match p.peek() {
            Some(b'~') => MetadataValue::Binary(p.literal(true)?.0),
            Some(b'"' | b'{') => MetadataValue::String(crate::types::IString::read(p)?),
            _ if p.nil() => MetadataValue::Nil,
            _ => return Err(p.err("nstring or literal8")),
        };
        Ok(Self { entry, value })
    }
}

impl Encode for MetadataEntry {
    fn encode(&self, out: &mut Encoder) {
        self.entry.encode(out);
        out.sp();
        match &self.value {
            MetadataValue::Nil => out.raw(b"NIL"),
            MetadataValue::String(s) => s.encode(out),
            MetadataValue::Binary(b) => out.literal(b, true),
        }
    }
}

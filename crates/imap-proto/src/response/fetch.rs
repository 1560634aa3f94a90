//! FETCH response data items (RFC 9051 §7.5.2): flags, dates, sizes, body sections,
//! ENVELOPE and BODYSTRUCTURE.

use core::num::NonZeroU32;

use bytes::Bytes;

use crate::types::parser::{Encoder, PResult, Parser, Upper, class, is_atom_char, kw};
use crate::types::{DateTime, Encode, Flag, NString, ObjectId, Section};

use super::body::BodyStructure;
use super::envelope::Envelope;
use super::value::{ExtValue, write_sp_separated};

/// One data item of a FETCH response (RFC 9051 §7.5.2, RFC 3501 §7.4.2, RFC 3516, RFC 7162).
///
/// ```abnf
/// msg-att         = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
/// msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
/// msg-att-static  = "ENVELOPE" SP envelope /
///                   "INTERNALDATE" SP date-time /
///                   "RFC822.SIZE" SP number64 /
///                   "BODY" ["STRUCTURE"] SP body /
///                   "BODY" section ["<" number ">"] SP nstring /
///                   "BINARY" section-binary SP (nstring / literal8) /
///                   "BINARY.SIZE" section-binary SP number /
///                   "UID" SP uniqueid
/// msg-att-static  =/ "RFC822" SP nstring / "RFC822.HEADER" SP nstring /
///                    "RFC822.TEXT" SP nstring                          ; RFC 3501
/// fetch-mod-resp  = "MODSEQ" SP "(" permsg-modsequence ")"             ; RFC 7162
/// fetch-emailid-resp  = "EMAILID" SP "(" objectid ")"                  ; RFC 8474 §7
/// fetch-threadid-resp = "THREADID" SP ( "(" objectid ")" / nil )       ; RFC 8474 §7
/// msg-att-dynamic =/ "SAVEDATE" SP (date-time / nil)                   ; RFC 8514 §4
/// msg-att-dynamic =/ "PREVIEW" SP nstring                              ; RFC 8970 §7
/// ```
///
/// Items come in any order (servers differ: Gmail and Dovecot put `UID` first). Names are
/// matched case-insensitively. Unknown items (`X-GM-MSGID`, `X-GM-LABELS`, …) are kept as
/// [`FetchItem::Other`]. Tolerance: spaces inside the parentheses of `MODSEQ`, `EMAILID`
/// and `THREADID`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchItem {
    /// `FLAGS (…)`.
    Flags(Vec<Flag>),
    /// `INTERNALDATE "…"`.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`.
    Rfc822Size(u64),
    /// `RFC822 nstring` (RFC 3501): the whole message.
    Rfc822(NString),
    /// `RFC822.HEADER nstring` (RFC 3501).
    Rfc822Header(NString),
    /// `RFC822.TEXT nstring` (RFC 3501).
    Rfc822Text(NString),
    /// `BODY[section]<origin> nstring`.
    BodySection {
        /// The section (`BODY[]` is the empty section).
        section: Section,
        /// The origin octet of a partial fetch.
        origin: Option<u32>,
        /// The octets, or NIL.
        data: NString,
    },
    /// `BINARY[part]<origin> (nstring / literal8)` (RFC 3516 §4.2). The data is sent as a
    /// `literal8` when it holds NUL.
    Binary {
        /// The part numbers.
        section: Vec<NonZeroU32>,
        /// The origin octet of a partial fetch.
        origin: Option<u32>,
        /// The decoded octets, or `None` for NIL.
        data: Option<Bytes>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516 §4.2).
    BinarySize {
        /// The part numbers.
        section: Vec<NonZeroU32>,
        /// The decoded size.
        size: u32,
    },
    /// `UID n`.
    Uid(NonZeroU32),
    /// `MODSEQ (n)` (RFC 7162 §3.1.4.1).
    ModSeq(u64),
    /// `ENVELOPE (…)`.
    Envelope(Box<Envelope>),
    /// `BODYSTRUCTURE (…)`: the structure with extension data.
    BodyStructure(Box<BodyStructure>),
    /// `BODY (…)`: the structure without extension data.
    Body(Box<BodyStructure>),
    /// `EMAILID (id)` (RFC 8474 §5.1).
    EmailId(ObjectId),
    /// `THREADID (id)`, or `None` for `THREADID NIL` when the server does not thread this
    /// message (RFC 8474 §5.2).
    ThreadId(Option<ObjectId>),
    /// `SAVEDATE date-time`, or `None` for `SAVEDATE NIL` when the mailbox keeps no save
    /// date (RFC 8514 §4).
    SaveDate(Option<DateTime>),
    /// `PREVIEW nstring` (RFC 8970 §3): the preview text, or NIL when a `LAZY` preview is
    /// not available yet.
    Preview(NString),
    /// An item this crate does not know, with its value.
    Other {
        /// The item name as sent (`X-GM-LABELS`).
        name: FetchItemName,
        /// The value.
        value: ExtValue,
    },
}

/// The name of an unknown FETCH item: atom characters, plus `[`…`]` sections as in
/// `X-BODY[1]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FetchItemName(String);

impl FetchItemName {
    /// Returns the name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for FetchItemName {
    type Error = crate::error::ValueError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        if value.is_empty() {
            return Err(crate::error::ValueError::Empty("fetch item name"));
        }
        match value.bytes().position(|b| !is_atom_char(b)) {
            Some(offset) => Err(crate::error::ValueError::Byte {
                what: "fetch item name",
                byte: value.as_bytes().get(offset).copied().unwrap_or_default(),
                offset,
            }),
            None if is_known_item(value.as_bytes()) => Err(crate::error::ValueError::Range(
                "name of a known fetch item",
            )),
            None => Ok(Self(value.to_owned())),
        }
    }
}

fn is_known_item(name: &[u8]) -> bool {
    matches!(
        Upper::new(name).as_bytes(),
        b"FLAGS"
            | b"INTERNALDATE"
            | b"RFC822.SIZE"
            | b"RFC822"
            | b"RFC822.HEADER"
            | b"RFC822.TEXT"
            | b"BODY"
            | b"BINARY"
            | b"BINARY.SIZE"
            | b"UID"
            | b"MODSEQ"
            | b"ENVELOPE"
            | b"BODYSTRUCTURE"
            | b"EMAILID"
            | b"THREADID"
            | b"SAVEDATE"
            | b"PREVIEW"
    )
}

/// Reads `"(" objectid ")"` (RFC 8474 §7).
fn read_paren_objectid(p: &mut Parser<'_>) -> PResult<ObjectId> {
    p.byte(b'(', "'(' before the objectid")?;
    p.eat_sp();
    let id = ObjectId::read(p)?;
    p.eat_sp();
    p.byte(b')', "')' after the objectid")?;
    Ok(id)
}

/// Writes `"(" objectid ")"`.
fn write_paren_objectid(e: &mut Encoder, id: &ObjectId) {
    e.raw(b"(");
    e.raw(id.as_str().as_bytes());
    e.raw(b")");
}

/// Reads an optional `"<" number ">"` origin.
fn read_origin(p: &mut Parser<'_>) -> PResult<Option<u32>> {
    if p.eat(b'<') {
        let n = p.number()?;
        p.byte(b'>', "'>' after the origin octet")?;
        Ok(Some(n))
    } else {
        Ok(None)
    }
}

impl FetchItem {
    /// Reads `msg-att`: `"(" item *(SP item) ")"`.
    pub(crate) fn read_list(p: &mut Parser<'_>) -> PResult<Vec<Self>> {
        // Clients commonly fetch five to eight items (UID FLAGS ENVELOPE BODYSTRUCTURE
        // RFC822.SIZE …): reserve for eight rather than grow from four.
        p.list_with_capacity(false, 8, Self::read)
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        // `[` is an ATOM-CHAR, but here it starts the section of `BODY[…]`.
        let (name, word) = p.take_keyword(class::ITEM_NAME);
        if name.is_empty() {
            return Err(p.err("fetch item name"));
        }
        const K_FLAGS: u128 = kw(b"FLAGS");
        const K_INTERNALDATE: u128 = kw(b"INTERNALDATE");
        const K_RFC822_SIZE: u128 = kw(b"RFC822.SIZE");
        const K_RFC822: u128 = kw(b"RFC822");
        const K_RFC822_HEADER: u128 = kw(b"RFC822.HEADER");
        const K_RFC822_TEXT: u128 = kw(b"RFC822.TEXT");
        const K_UID: u128 = kw(b"UID");
        const K_MODSEQ: u128 = kw(b"MODSEQ");
        const K_ENVELOPE: u128 = kw(b"ENVELOPE");
        const K_BODYSTRUCTURE: u128 = kw(b"BODYSTRUCTURE");
        const K_EMAILID: u128 = kw(b"EMAILID");
        const K_THREADID: u128 = kw(b"THREADID");
        const K_SAVEDATE: u128 = kw(b"SAVEDATE");
        const K_PREVIEW: u128 = kw(b"PREVIEW");
        const K_BODY: u128 = kw(b"BODY");
        const K_BINARY: u128 = kw(b"BINARY");
        const K_BINARY_SIZE: u128 = kw(b"BINARY.SIZE");
        let item = match word.0 {
            K_FLAGS => {
                p.sp()?;
                Self::Flags(Flag::read_list(p)?)
            }
            K_INTERNALDATE => {
                p.sp()?;
                Self::InternalDate(DateTime::read(p)?)
            }
            K_RFC822_SIZE => {
                p.sp()?;
                Self::Rfc822Size(p.number64()?)
            }
            K_RFC822 => {
                p.sp()?;
                Self::Rfc822(NString::read(p)?)
            }
            K_RFC822_HEADER => {
                p.sp()?;
                Self::Rfc822Header(NString::read(p)?)
            }
            K_RFC822_TEXT => {
                p.sp()?;
                Self::Rfc822Text(NString::read(p)?)
            }
            K_UID => {
                p.sp()?;
                Self::Uid(p.nz_number()?)
            }
            K_MODSEQ => {
                p.sp()?;
                p.byte(b'(', "'(' before the mod-sequence")?;
                p.eat_sp();
                let n = p.number64()?;
                p.eat_sp();
                p.byte(b')', "')' after the mod-sequence")?;
                Self::ModSeq(n)
            }
            K_ENVELOPE => {
                p.sp()?;
                Self::Envelope(Box::new(Envelope::read(p)?))
            }
            K_BODYSTRUCTURE => {
                p.sp()?;
                Self::BodyStructure(Box::new(BodyStructure::read(p)?))
            }
            K_EMAILID => {
                p.sp()?;
                Self::EmailId(read_paren_objectid(p)?)
            }
            K_THREADID => {
                p.sp()?;
                if p.nil() {
                    Self::ThreadId(None)
                } else {
                    Self::ThreadId(Some(read_paren_objectid(p)?))
                }
            }
            K_SAVEDATE => {
                p.sp()?;
                if p.nil() {
                    Self::SaveDate(None)
                } else {
                    Self::SaveDate(Some(DateTime::read(p)?))
                }
            }
            K_PREVIEW => {
                p.sp()?;
                Self::Preview(NString::read(p)?)
            }
            K_BODY if p.peek() == Some(b'[') => {
                let section = Section::read(p)?;
                let origin = read_origin(p)?;
                p.sp()?;
                Self::BodySection {
                    section,
                    origin,
                    data: NString::read(p)?,
                }
            }
            K_BODY => {
                p.sp()?;
                Self::Body(Box::new(BodyStructure::read(p)?))
            }
            K_BINARY => {
                let section = Section::read_binary(p)?;
                let origin = read_origin(p)?;
                p.sp()?;
                let data = if p.peek() == Some(b'~') {
                    Some(p.literal(true)?.0)
                } else {
                    p.nstring_bytes()?
                };
                Self::Binary {
                    section,
                    origin,
                    data,
                }
            }
            K_BINARY_SIZE => {
                let section = Section::read_binary(p)?;
                p.sp()?;
                Self::BinarySize {
                    section,
                    size: p.number()?,
                }
            }
            _ => {
                // Unknown items may carry a section, e.g. `X-FOO[1]`: keep it in the name.
                let mut end = p.pos();
                if p.peek() == Some(b'[') {
                    let rest = p.rest();
                    let n = rest
                        .iter()
                        .position(|&b| b == b']')
                        .ok_or(p.err("']' closing the item's section"))?;
                    p.advance(n.saturating_add(1));
                    end = p.pos();
                }
                let raw = p.slice(at, end);
                let name = core::str::from_utf8(&raw)
                    .ok()
                    .filter(|s| !s.bytes().any(|b| matches!(b, 0..=0x20 | 0x7f..)))
                    .ok_or(p.invalid(at, "fetch item name"))?;
                let name = FetchItemName(name.to_owned());
                p.sp()?;
                Self::Other {
                    name,
                    value: ExtValue::read(p)?,
                }
            }
        };
        Ok(item)
    }
}

fn write_binary_section(e: &mut Encoder, section: &[NonZeroU32]) {
    e.raw(b"[");
    crate::types::encode_part(section, e);
    e.raw(b"]");
}

fn write_origin(e: &mut Encoder, origin: Option<u32>) {
    if let Some(o) = origin {
        e.raw(b"<");
        e.number(u64::from(o));
        e.raw(b">");
    }
}

impl Encode for FetchItem {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Flags(flags) => {
                e.raw(b"FLAGS (");
                write_sp_separated(e, flags, Flag::encode);
                e.raw(b")");
            }
            Self::InternalDate(d) => {
                e.raw(b"INTERNALDATE ");
                d.encode(e);
            }
            Self::Rfc822Size(n) => {
                e.raw(b"RFC822.SIZE ");
                e.number(*n);
            }
            Self::Rfc822(s) => {
                e.raw(b"RFC822 ");
                s.encode(e);
            }
            Self::Rfc822Header(s) => {
                e.raw(b"RFC822.HEADER ");
                s.encode(e);
            }
            Self::Rfc822Text(s) => {
                e.raw(b"RFC822.TEXT ");
                s.encode(e);
            }
            Self::BodySection {
                section,
                origin,
                data,
            } => {
                e.raw(b"BODY");
                section.encode(e);
                write_origin(e, *origin);
                e.sp();
                data.encode(e);
            }
            Self::Binary {
                section,
                origin,
                data,
            } => {
                e.raw(b"BINARY");
                write_binary_section(e, section);
                write_origin(e, *origin);
                e.sp();
                match data {
                    None => e.raw(b"NIL"),
                    Some(d) if memchr::memchr(0, d).is_some() => e.literal(d, true),
                    Some(d) => e.string(d),
                }
            }
            Self::BinarySize { section, size } => {
                e.raw(b"BINARY.SIZE");
                write_binary_section(e, section);
                e.sp();
                e.number(u64::from(*size));
            }
            Self::Uid(n) => {
                e.raw(b"UID ");
                e.number(u64::from(n.get()));
            }
            Self::ModSeq(n) => {
                e.raw(b"MODSEQ (");
                e.number(*n);
                e.raw(b")");
            }
            Self::Envelope(env) => {
                e.raw(b"ENVELOPE ");
                env.encode(e);
            }
            Self::BodyStructure(b) => {
                e.raw(b"BODYSTRUCTURE ");
                b.encode(e);
            }
            Self::Body(b) => {
                e.raw(b"BODY ");
                b.encode(e);
            }
            Self::EmailId(id) => {
                e.raw(b"EMAILID ");
                write_paren_objectid(e, id);
            }
            Self::ThreadId(None) => e.raw(b"THREADID NIL"),
            Self::ThreadId(Some(id)) => {
                e.raw(b"THREADID ");
                write_paren_objectid(e, id);
            }
            Self::SaveDate(None) => e.raw(b"SAVEDATE NIL"),
            Self::SaveDate(Some(d)) => {
                e.raw(b"SAVEDATE ");
                d.encode(e);
            }
            Self::Preview(s) => {
                e.raw(b"PREVIEW ");
                s.encode(e);
            }
            Self::Other { name, value } => {
                e.raw(name.0.as_bytes());
                e.sp();
                value.write(e);
            }
        }
    }
}

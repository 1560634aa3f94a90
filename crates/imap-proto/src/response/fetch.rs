//! FETCH response data items (RFC 9051 §7.5.2): flags, dates, sizes, body sections,
//! ENVELOPE and BODYSTRUCTURE.

use core::num::NonZeroU32;

use bytes::Bytes;

use crate::types::parser::{Encoder, PResult, Parser, Upper, is_atom_char};
use crate::types::{DateTime, Encode, Flag, IString, NString, Section};

use super::value::{ExtValue, open, write_sp_separated};

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
/// ```
///
/// Items come in any order (servers differ: Gmail and Dovecot put `UID` first). Names are
/// matched case-insensitively. Unknown items (`X-GM-MSGID`, `X-GM-LABELS`, `EMAILID`, …) are
/// kept as [`FetchItem::Other`].
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
    )
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
        p.list(false, Self::read)
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        // `[` is an ATOM-CHAR, but here it starts the section of `BODY[…]`.
        let name = p.take_while(|b| is_atom_char(b) && b != b'[');
        if name.is_empty() {
            return Err(p.err("fetch item name"));
        }
        let upper = Upper::new(name);
        let item = match upper.as_bytes() {
            b"FLAGS" => {
                p.sp()?;
                Self::Flags(Flag::read_list(p)?)
            }
            b"INTERNALDATE" => {
                p.sp()?;
                Self::InternalDate(DateTime::read(p)?)
            }
            b"RFC822.SIZE" => {
                p.sp()?;
                Self::Rfc822Size(p.number64()?)
            }
            b"RFC822" => {
                p.sp()?;
                Self::Rfc822(NString::read(p)?)
            }
            b"RFC822.HEADER" => {
                p.sp()?;
                Self::Rfc822Header(NString::read(p)?)
            }
            b"RFC822.TEXT" => {
                p.sp()?;
                Self::Rfc822Text(NString::read(p)?)
            }
            b"UID" => {
                p.sp()?;
                Self::Uid(p.nz_number()?)
            }
            b"MODSEQ" => {
                p.sp()?;
                p.byte(b'(', "'(' before the mod-sequence")?;
                p.eat_sp();
                let n = p.number64()?;
                p.eat_sp();
                p.byte(b')', "')' after the mod-sequence")?;
                Self::ModSeq(n)
            }
            b"ENVELOPE" => {
                p.sp()?;
                Self::Envelope(Box::new(Envelope::read(p)?))
            }
            b"BODYSTRUCTURE" => {
                p.sp()?;
                Self::BodyStructure(Box::new(BodyStructure::read(p)?))
            }
            b"BODY" if p.peek() == Some(b'[') => {
                let section = Section::read(p)?;
                let origin = read_origin(p)?;
                p.sp()?;
                Self::BodySection {
                    section,
                    origin,
                    data: NString::read(p)?,
                }
            }
            b"BODY" => {
                p.sp()?;
                Self::Body(Box::new(BodyStructure::read(p)?))
            }
            b"BINARY" => {
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
            b"BINARY.SIZE" => {
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
            Self::Other { name, value } => {
                e.raw(name.0.as_bytes());
                e.sp();
                value.write(e);
            }
        }
    }
}

/// An address of an envelope (RFC 9051 §7.5.2, §9).
///
/// ```abnf
/// address      = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
/// addr-adl     = nstring
/// addr-host    = nstring   ; NIL indicates RFC 5322 group syntax.
/// addr-mailbox = nstring   ; NIL indicates end of RFC 5322 group; if non-NIL and
///                          ; addr-host is NIL, holds RFC 5322 group name.
/// addr-name    = nstring
/// ```
///
/// A group (RFC 3501 §7.4.2) is a start marker ([`Address::is_group_start`]: host NIL,
/// mailbox the group name), its members, and an end marker ([`Address::is_group_end`]:
/// mailbox and host NIL); the list keeps that wire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Address {
    /// The display name.
    pub name: NString,
    /// The source route (obsolete).
    pub adl: NString,
    /// The local part, or the group name.
    pub mailbox: NString,
    /// The domain; NIL for group markers.
    pub host: NString,
}

impl Address {
    /// Returns whether this is the start of a group: host NIL, mailbox the group name.
    pub const fn is_group_start(&self) -> bool {
        self.host.0.is_none() && self.mailbox.0.is_some()
    }

    /// Returns whether this ends a group: mailbox and host NIL.
    pub const fn is_group_end(&self) -> bool {
        self.host.0.is_none() && self.mailbox.0.is_none()
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'(', "'(' starting an address")?;
        p.eat_sp();
        let name = NString::read(p)?;
        p.sp()?;
        let adl = NString::read(p)?;
        p.sp()?;
        let mailbox = NString::read(p)?;
        p.sp()?;
        let host = NString::read(p)?;
        p.eat_sp();
        p.byte(b')', "')' ending an address")?;
        Ok(Self {
            name,
            adl,
            mailbox,
            host,
        })
    }
}

impl Encode for Address {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        self.name.encode(e);
        e.sp();
        self.adl.encode(e);
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        self.host.encode(e);
        e.raw(b")");
    }
}

/// Reads `"(" 1*address ")" / nil`. Tolerances: `()` for none, spaces between addresses.
fn read_addresses(p: &mut Parser<'_>) -> PResult<Vec<Address>> {
    if p.keyword(b"NIL") {
        return Ok(Vec::new());
    }
    p.byte(b'(', "'(' or NIL for an address list")?;
    let mut out = Vec::new();
    loop {
        p.eat_sp();
        if p.eat(b')') {
            return Ok(out);
        }
        out.push(Address::read(p)?);
    }
}

fn write_addresses(e: &mut Encoder, list: &[Address]) {
    if list.is_empty() {
        e.raw(b"NIL");
    } else {
        e.raw(b"(");
        for a in list {
            a.encode(e);
        }
        e.raw(b")");
    }
}

/// The envelope of a message (RFC 9051 §7.5.2): its main header fields, parsed by the server.
///
/// ```abnf
/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
///            env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
/// env-from = "(" 1*address ")" / nil      ; and so on for the other address lists
/// ```
///
/// Address lists are empty for NIL. Tolerance: `()` for an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Envelope {
    /// `Date:`.
    pub date: NString,
    /// `Subject:`.
    pub subject: NString,
    /// `From:`.
    pub from: Vec<Address>,
    /// `Sender:`.
    pub sender: Vec<Address>,
    /// `Reply-To:`.
    pub reply_to: Vec<Address>,
    /// `To:`.
    pub to: Vec<Address>,
    /// `Cc:`.
    pub cc: Vec<Address>,
    /// `Bcc:`.
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`.
    pub in_reply_to: NString,
    /// `Message-ID:`.
    pub message_id: NString,
}

impl Envelope {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        open(p, "'(' starting an envelope")?;
        p.eat_sp();
        let date = NString::read(p)?;
        p.sp()?;
        let subject = NString::read(p)?;
        let mut lists: [Vec<Address>; 6] = Default::default();
        for l in &mut lists {
            p.sp()?;
            *l = read_addresses(p)?;
        }
        p.sp()?;
        let in_reply_to = NString::read(p)?;
        p.sp()?;
        let message_id = NString::read(p)?;
        p.eat_sp();
        p.byte(b')', "')' ending the envelope")?;
        p.leave();
        let [from, sender, reply_to, to, cc, bcc] = lists;
        Ok(Self {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        })
    }
}

impl Encode for Envelope {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        self.date.encode(e);
        e.sp();
        self.subject.encode(e);
        for l in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            e.sp();
            write_addresses(e, l);
        }
        e.sp();
        self.in_reply_to.encode(e);
        e.sp();
        self.message_id.encode(e);
        e.raw(b")");
    }
}

/// A parameter list `("name" "value" …)` of a body part (RFC 9051 §9 `body-fld-param`).
pub type BodyParams = Vec<(IString, IString)>;

/// A `Content-Disposition` (RFC 9051 §9 `body-fld-dsp`, RFC 2183).
///
/// ```abnf
/// body-fld-dsp = "(" string SP body-fld-param ")" / nil
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Disposition {
    /// `inline`, `attachment`, ….
    pub kind: IString,
    /// Its parameters (`filename`, …).
    pub params: BodyParams,
}

/// The extension data shared by single parts and multiparts after their first extension
/// field (RFC 9051 §9 `body-ext-1part`, `body-ext-mpart`).
///
/// ```abnf
/// body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
/// body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
/// body-fld-lang  = nstring / "(" string *(SP string) ")"
/// body-fld-loc   = nstring
/// ```
///
/// An absent field reads as its NIL value; the encoder writes fields up to the last one
/// that is not NIL, so `BODY` (no extension data) and a `BODYSTRUCTURE` whose extension
/// data is all NIL encode alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BodyExtension {
    /// `Content-Disposition`.
    pub disposition: Option<Disposition>,
    /// `Content-Language` tags (empty for NIL).
    pub language: Vec<IString>,
    /// `Content-Location`.
    pub location: NString,
    /// Future extension data.
    pub extensions: Vec<ExtValue>,
}

impl BodyExtension {
    /// How many of the four fields the encoder writes.
    fn needed(&self) -> usize {
        if !self.extensions.is_empty() {
            4
        } else if self.location.0.is_some() {
            3
        } else if !self.language.is_empty() {
            2
        } else {
            usize::from(self.disposition.is_some())
        }
    }

    /// Reads `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mut ext = Self::default();
        if !sp_then_value(p) {
            return Ok(ext);
        }
        ext.disposition = read_disposition(p)?;
        if !sp_then_value(p) {
            return Ok(ext);
        }
        ext.language = read_language(p)?;
        if !sp_then_value(p) {
            return Ok(ext);
        }
        ext.location = NString::read(p)?;
        while sp_then_value(p) {
            ext.extensions.push(ExtValue::read(p)?);
        }
        Ok(ext)
    }

    fn write(&self, e: &mut Encoder) {
        let n = self.needed();
        if n >= 1 {
            e.sp();
            match &self.disposition {
                None => e.raw(b"NIL"),
                Some(d) => {
                    e.raw(b"(");
                    d.kind.encode(e);
                    e.sp();
                    write_params(e, &d.params);
                    e.raw(b")");
                }
            }
        }
        if n >= 2 {
            e.sp();
            match self.language.as_slice() {
                [] => e.raw(b"NIL"),
                [one] => one.encode(e),
                many => {
                    e.raw(b"(");
                    write_sp_separated(e, many, IString::encode);
                    e.raw(b")");
                }
            }
        }
        if n >= 3 {
            e.sp();
            self.location.encode(e);
        }
        for x in &self.extensions {
            e.sp();
            x.write(e);
        }
    }
}

/// Consumes spaces when a value follows them (not `)` or the end); returns whether one does.
/// Tolerance: trailing spaces before `)`.
fn sp_then_value(p: &mut Parser<'_>) -> bool {
    let save = p.pos();
    if !p.eat_sp() {
        return false;
    }
    if p.at_end() || p.peek() == Some(b')') {
        p.seek(save);
        return false;
    }
    true
}

/// Reads `body-fld-param`. Tolerance: `()` for none.
fn read_params(p: &mut Parser<'_>) -> PResult<BodyParams> {
    if p.keyword(b"NIL") {
        return Ok(Vec::new());
    }
    p.list(false, |p| {
        let k = IString::read(p)?;
        p.sp()?;
        Ok((k, IString::read(p)?))
    })
}

fn write_params(e: &mut Encoder, params: &BodyParams) {
    if params.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.raw(b"(");
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            e.sp();
        }
        k.encode(e);
        e.sp();
        v.encode(e);
    }
    e.raw(b")");
}

fn read_disposition(p: &mut Parser<'_>) -> PResult<Option<Disposition>> {
    if p.keyword(b"NIL") {
        return Ok(None);
    }
    open(p, "'(' or NIL for a disposition")?;
    p.eat_sp();
    let kind = IString::read(p)?;
    p.sp()?;
    let params = read_params(p)?;
    p.eat_sp();
    p.byte(b')', "')' ending the disposition")?;
    p.leave();
    Ok(Some(Disposition { kind, params }))
}

fn read_language(p: &mut Parser<'_>) -> PResult<Vec<IString>> {
    if p.peek() == Some(b'(') {
        p.list(false, IString::read)
    } else {
        Ok(NString::read(p)?.0.into_iter().collect())
    }
}

/// What follows the common fields of a single part (RFC 9051 §9).
///
/// ```abnf
/// body-type-basic = media-basic SP body-fields
/// body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
/// body-type-text  = media-text SP body-fields SP body-fld-lines
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SinglePartKind {
    /// Any type without more fields.
    Basic,
    /// `text/*`: the number of lines.
    Text {
        /// Lines of the encoded body.
        lines: u64,
    },
    /// `message/rfc822` or `message/global`: the embedded message.
    Message {
        /// Its envelope.
        envelope: Box<Envelope>,
        /// Its structure.
        body: Box<BodyStructure>,
        /// Lines of the encoded body.
        lines: u64,
    },
}

/// The structure of a message or part, as FETCH BODYSTRUCTURE and BODY return it
/// (RFC 9051 §7.5.2, §9).
///
/// ```abnf
/// body            = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
/// ```
///
/// Nesting (multiparts and message/rfc822 parts) spends the parser's depth budget.
/// Tolerances: NIL for the media type, subtype and encoding (kept as empty strings: Exchange
/// and some Dovecot versions send them for broken MIME); `()` for empty parameter lists;
/// spaces between the parts of a multipart; lines after any single part (not only text);
/// a message/rfc822 part without envelope read as a basic part.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyStructure {
    /// A single part.
    Single {
        /// The media type, e.g. `TEXT`.
        media_type: IString,
        /// The subtype, e.g. `PLAIN`.
        subtype: IString,
        /// The `Content-Type` parameters.
        params: BodyParams,
        /// `Content-ID`.
        id: NString,
        /// `Content-Description`.
        description: NString,
        /// `Content-Transfer-Encoding`.
        encoding: IString,
        /// The size of the encoded body in octets.
        octets: u32,
        /// What the media type adds.
        kind: SinglePartKind,
        /// `Content-MD5`.
        md5: NString,
        /// The extension data after the MD5.
        extension: BodyExtension,
    },
    /// A multipart.
    Multipart {
        /// The parts (at least one).
        parts: Vec<BodyStructure>,
        /// The subtype, e.g. `MIXED`.
        subtype: IString,
        /// The `Content-Type` parameters (extension data).
        params: BodyParams,
        /// The extension data after the parameters.
        extension: BodyExtension,
    },
}

/// Reads a `string`, with NIL tolerated as the empty string.
fn read_string_or_nil(p: &mut Parser<'_>) -> PResult<IString> {
    if p.keyword(b"NIL") {
        Ok(IString(Bytes::new()))
    } else {
        IString::read(p)
    }
}

/// Reads a number; tolerance: NIL or a negative number read as 0 (seen from broken
/// servers for unknown sizes).
fn read_lenient_number(p: &mut Parser<'_>) -> PResult<u32> {
    if p.keyword(b"NIL") {
        return Ok(0);
    }
    if p.eat(b'-') {
        p.number64()?;
        return Ok(0);
    }
    p.number()
}

impl BodyStructure {
    /// Reads `body`.
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        open(p, "'(' starting a body")?;
        p.eat_sp();
        let body = if p.peek() == Some(b'(') {
            Self::read_multipart(p)?
        } else {
            Self::read_single(p)?
        };
        p.eat_sp();
        p.byte(b')', "')' ending a body")?;
        p.leave();
        Ok(body)
    }

    fn read_multipart(p: &mut Parser<'_>) -> PResult<Self> {
        let mut parts = Vec::new();
        while p.peek() == Some(b'(') {
            parts.push(Self::read(p)?);
            p.eat_sp();
        }
        let subtype = read_string_or_nil(p)?;
        let mut params = Vec::new();
        let mut extension = BodyExtension::default();
        if sp_then_value(p) {
            params = read_params(p)?;
            extension = BodyExtension::read(p)?;
        }
        Ok(Self::Multipart {
            parts,
            subtype,
            params,
            extension,
        })
    }

    fn read_single(p: &mut Parser<'_>) -> PResult<Self> {
        let media_type = read_string_or_nil(p)?;
        p.sp()?;
        let subtype = read_string_or_nil(p)?;
        p.sp()?;
        let params = read_params(p)?;
        p.sp()?;
        let id = NString::read(p)?;
        p.sp()?;
        let description = NString::read(p)?;
        p.sp()?;
        let encoding = read_string_or_nil(p)?;
        p.sp()?;
        let octets = read_lenient_number(p)?;
        let is_message = media_type.as_bytes().eq_ignore_ascii_case(b"MESSAGE")
            && (subtype.as_bytes().eq_ignore_ascii_case(b"RFC822")
                || subtype.as_bytes().eq_ignore_ascii_case(b"GLOBAL"));
        let save = p.pos();
        let kind = if is_message && p.eat_sp() && p.peek() == Some(b'(') {
            let envelope = Box::new(Envelope::read(p)?);
            p.sp()?;
            let body = Box::new(Self::read(p)?);
            p.sp()?;
            SinglePartKind::Message {
                envelope,
                body,
                lines: p.number64()?,
            }
        } else {
            p.seek(save);
            if p.eat_sp() && p.peek().is_some_and(|b| b.is_ascii_digit()) {
                SinglePartKind::Text {
                    lines: p.number64()?,
                }
            } else {
                p.seek(save);
                SinglePartKind::Basic
            }
        };
        let mut md5 = NString(None);
        let mut extension = BodyExtension::default();
        if sp_then_value(p) {
            md5 = NString::read(p)?;
            extension = BodyExtension::read(p)?;
        }
        Ok(Self::Single {
            media_type,
            subtype,
            params,
            id,
            description,
            encoding,
            octets,
            kind,
            md5,
            extension,
        })
    }
}

impl Encode for BodyStructure {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        match self {
            Self::Multipart {
                parts,
                subtype,
                params,
                extension,
            } => {
                for part in parts {
                    part.encode(e);
                }
                e.sp();
                subtype.encode(e);
                if !params.is_empty() || extension.needed() > 0 {
                    e.sp();
                    write_params(e, params);
                    extension.write(e);
                }
            }
            Self::Single {
                media_type,
                subtype,
                params,
                id,
                description,
                encoding,
                octets,
                kind,
                md5,
                extension,
            } => {
                media_type.encode(e);
                e.sp();
                subtype.encode(e);
                e.sp();
                write_params(e, params);
                e.sp();
                id.encode(e);
                e.sp();
                description.encode(e);
                e.sp();
                encoding.encode(e);
                e.sp();
                e.number(u64::from(*octets));
                match kind {
                    SinglePartKind::Basic => {}
                    SinglePartKind::Text { lines } => {
                        e.sp();
                        e.number(*lines);
                    }
                    SinglePartKind::Message {
                        envelope,
                        body,
                        lines,
                    } => {
                        e.sp();
                        envelope.encode(e);
                        e.sp();
                        body.encode(e);
                        e.sp();
                        e.number(*lines);
                    }
                }
                if md5.0.is_some() || extension.needed() > 0 {
                    e.sp();
                    md5.encode(e);
                    extension.write(e);
                }
            }
        }
        e.raw(b")");
    }
}

//! BODY and BODYSTRUCTURE of FETCH (RFC 9051 §7.5.2, §9): the MIME structure of a message.

use bytes::Bytes;

use crate::types::parser::{Encoder, PResult, Parser};
use crate::types::{Encode, IString, NString};

use super::envelope::Envelope;
use super::value::{ExtValue, open, write_sp_separated};

/// A parameter list `("name" "value" …)` of a body part (RFC 9051 §9 `body-fld-param`),
/// read as a slice of `(name, value)` pairs.
///
/// A list of one pair is held inline: nearly every part has exactly one (`charset` or
/// `boundary`), and then building the list allocates nothing. Other lists live in a `Vec`.
/// It reads and changes as a slice (`Deref`, `DerefMut`); [`into_vec`](Self::into_vec)
/// and `into_iter` take the pairs out.
/// Equality and hashing see only the pairs, however they are held.
///
/// ```
/// use imap_proto::response::BodyParams;
/// use imap_proto::types::IString;
///
/// # fn main() -> Result<(), imap_proto::error::ValueError> {
/// let (charset, utf8) = (IString::try_from("charset")?, IString::try_from("utf-8")?);
/// let (format, flowed) = (IString::try_from("format")?, IString::try_from("flowed")?);
/// let mut params = BodyParams::new();
/// params.push((charset.clone(), utf8.clone()));
/// assert_eq!(params.len(), 1);
/// params.push((format.clone(), flowed.clone()));
/// assert_eq!(params[1].1, flowed);
/// assert_eq!(params, BodyParams::from(vec![(charset, utf8), (format, flowed)]));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct BodyParams(Pairs);

/// How a [`BodyParams`] holds its pairs: two variants only, so that the enum needs no tag
/// beside the pair (64 octets in all).
#[derive(Clone)]
enum Pairs {
    /// Exactly one pair.
    One((IString, IString)),
    /// Any other number (none without an allocation).
    Many(Vec<(IString, IString)>),
}

impl BodyParams {
    /// An empty list (no allocation).
    pub const fn new() -> Self {
        Self(Pairs::Many(Vec::new()))
    }

    /// A list of the one pair `name`, `value` (no allocation).
    pub const fn one(name: IString, value: IString) -> Self {
        Self(Pairs::One((name, value)))
    }

    /// Appends a pair.
    pub fn push(&mut self, pair: (IString, IString)) {
        match &mut self.0 {
            Pairs::Many(v) if v.is_empty() => self.0 = Pairs::One(pair),
            Pairs::Many(v) => v.push(pair),
            Pairs::One(_) => {
                if let Pairs::One(first) = core::mem::replace(&mut self.0, Self::new().0) {
                    let mut v = Vec::with_capacity(4);
                    v.push(first);
                    v.push(pair);
                    self.0 = Pairs::Many(v);
                }
            }
        }
    }

    /// The pairs.
    pub fn as_slice(&self) -> &[(IString, IString)] {
        match &self.0 {
            Pairs::One(pair) => core::slice::from_ref(pair),
            Pairs::Many(v) => v,
        }
    }

    /// The pairs, to change in place.
    pub fn as_mut_slice(&mut self) -> &mut [(IString, IString)] {
        match &mut self.0 {
            Pairs::One(pair) => core::slice::from_mut(pair),
            Pairs::Many(v) => v,
        }
    }

    /// The pairs as a `Vec` (a list of one pair is moved into a new one).
    pub fn into_vec(self) -> Vec<(IString, IString)> {
        match self.0 {
            Pairs::One(pair) => vec![pair],
            Pairs::Many(v) => v,
        }
    }
}

impl core::ops::DerefMut for BodyParams {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.as_mut_slice()
    }
}

impl From<BodyParams> for Vec<(IString, IString)> {
    fn from(params: BodyParams) -> Self {
        params.into_vec()
    }
}

impl IntoIterator for BodyParams {
    type Item = (IString, IString);
    type IntoIter = std::vec::IntoIter<(IString, IString)>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl Default for BodyParams {
    fn default() -> Self {
        Self::new()
    }
}

impl core::ops::Deref for BodyParams {
    type Target = [(IString, IString)];

    fn deref(&self) -> &Self::Target {
        self.as_slice()
    }
}

impl From<Vec<(IString, IString)>> for BodyParams {
    fn from(mut v: Vec<(IString, IString)>) -> Self {
        if v.len() == 1
            && let Some(pair) = v.pop()
        {
            return Self(Pairs::One(pair));
        }
        Self(Pairs::Many(v))
    }
}

impl FromIterator<(IString, IString)> for BodyParams {
    fn from_iter<I: IntoIterator<Item = (IString, IString)>>(iter: I) -> Self {
        let mut params = Self::new();
        for pair in iter {
            params.push(pair);
        }
        params
    }
}

impl<'a> IntoIterator for &'a BodyParams {
    type Item = &'a (IString, IString);
    type IntoIter = core::slice::Iter<'a, (IString, IString)>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl core::fmt::Debug for BodyParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl PartialEq for BodyParams {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for BodyParams {}

impl PartialEq<[(IString, IString)]> for BodyParams {
    fn eq(&self, other: &[(IString, IString)]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<(IString, IString)>> for BodyParams {
    fn eq(&self, other: &Vec<(IString, IString)>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl core::hash::Hash for BodyParams {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

/// A `Content-Disposition` (RFC 9051 §9 `body-fld-dsp`, RFC 2183).
///
/// ```abnf
/// body-fld-dsp = "(" string SP body-fld-param ")" / nil
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Disposition {
    /// `inline`, `attachment`, ….
    pub kind: IString,
    /// Its parameters (`filename`, …).
    pub params: BodyParams,
}

impl Disposition {
    /// Returns a disposition of `kind` with `params`.
    pub const fn new(kind: IString, params: BodyParams) -> Self {
        Self { kind, params }
    }
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
/// One representation for parser and encoder, so that `parse(encode(x)) == x`: a structure
/// whose extension is `None` is written without these fields (as `BODY` is, or a
/// BODYSTRUCTURE that stops after the MD5 or the multipart parameters); one whose extension
/// is `Some` is written with disposition, language and location, NIL where empty, as
/// Dovecot, Cyrus and Gmail send BODYSTRUCTURE. The parser returns `Some` exactly when at
/// least one of these fields is on the wire, NIL or not, and reads a field that is absent
/// as its NIL value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct BodyExtension {
    /// `Content-Disposition`. Boxed: most parts have none, and the extension is held inline
    /// in its [`BodyStructure`], so its NIL fields cost no allocation.
    pub disposition: Option<Box<Disposition>>,
    /// `Content-Language` tags (empty for NIL).
    pub language: Vec<IString>,
    /// `Content-Location`.
    pub location: NString,
    /// Future extension data.
    pub extensions: Vec<ExtValue>,
}

impl BodyExtension {
    /// Reads `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`;
    /// `None` when no field follows (which allocates nothing), `Some` when at least one
    /// does, even NIL: the encoder writes `Some` back as fields, so the value round-trips.
    fn read(p: &mut Parser<'_>) -> PResult<Option<Self>> {
        if !sp_then_value(p) {
            return Ok(None);
        }
        let mut ext = Self {
            disposition: read_disposition(p)?,
            ..Self::default()
        };
        if sp_then_value(p) {
            ext.language = read_language(p)?;
            if sp_then_value(p) {
                ext.location = NString::read(p)?;
                while sp_then_value(p) {
                    ext.extensions.push(ExtValue::read(p)?);
                }
            }
        }
        Ok(Some(ext))
    }

    fn write(&self, e: &mut Encoder) {
        // Present extension data is written in full: disposition, language and location.
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
        e.sp();
        // Always a list, as Dovecot and Cyrus send it (RFC 9051 §9 allows one string).
        match self.language.as_slice() {
            [] => e.raw(b"NIL"),
            many => {
                e.raw(b"(");
                write_sp_separated(e, many, IString::encode);
                e.raw(b")");
            }
        }
        e.sp();
        self.location.encode(e);
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
    let mut params = BodyParams::new();
    if p.nil() {
        return Ok(params);
    }
    // Most parameter lists hold one pair (CHARSET, BOUNDARY, NAME), which is held inline.
    p.list_each(false, |p| {
        let k = IString::read(p)?;
        p.sp()?;
        params.push((k, IString::read(p)?));
        Ok(())
    })?;
    Ok(params)
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

fn read_disposition(p: &mut Parser<'_>) -> PResult<Option<Box<Disposition>>> {
    if p.nil() {
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
    Ok(Some(Box::new(Disposition { kind, params })))
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
        /// The extension data after the MD5; `None` when absent from the wire, `Some` (with
        /// NIL fields as their empty values) when present (see [`BodyExtension`]). Inline:
        /// servers send it for every part, mostly all NIL, which then allocates nothing.
        extension: Option<BodyExtension>,
    },
    /// A multipart.
    Multipart {
        /// The parts (at least one).
        parts: Vec<BodyStructure>,
        /// The subtype, e.g. `MIXED`.
        subtype: IString,
        /// The `Content-Type` parameters (extension data).
        params: BodyParams,
        /// The extension data after the parameters; `None` when absent from the wire (see
        /// [`BodyExtension`]).
        extension: Option<BodyExtension>,
    },
}

/// Reads a `string`, with NIL tolerated as the empty string.
fn read_string_or_nil(p: &mut Parser<'_>) -> PResult<IString> {
    if p.nil() {
        Ok(IString(Bytes::new()))
    } else {
        IString::read(p)
    }
}

/// Reads a number; tolerance: NIL or a negative number read as 0 (seen from broken
/// servers for unknown sizes).
fn read_lenient_number(p: &mut Parser<'_>) -> PResult<u32> {
    if p.nil() {
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
        // Each branch reads the closing `)` itself, so that its value is built once, in
        // place, rather than moved through here (the type is large).
        if p.peek() == Some(b'(') {
            Self::read_multipart(p)
        } else {
            Self::read_single(p)
        }
    }

    /// Reads the `)` that ends a body and closes its nesting level.
    fn close(p: &mut Parser<'_>) -> PResult<()> {
        p.eat_sp();
        p.byte(b')', "')' ending a body")?;
        p.leave();
        Ok(())
    }

    fn read_multipart(p: &mut Parser<'_>) -> PResult<Self> {
        // Most multiparts hold two parts (alternative text and HTML, a text and an
        // attachment): reserve two rather than the four a first push would.
        let mut parts = Vec::with_capacity(2);
        while p.peek() == Some(b'(') {
            parts.push(Self::read(p)?);
            p.eat_sp();
        }
        let subtype = read_string_or_nil(p)?;
        let mut params = BodyParams::new();
        let mut extension = None;
        if sp_then_value(p) {
            params = read_params(p)?;
            extension = BodyExtension::read(p)?;
        }
        Self::close(p)?;
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
        let mut extension = None;
        if sp_then_value(p) {
            md5 = NString::read(p)?;
            extension = BodyExtension::read(p)?;
        }
        Self::close(p)?;
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
                if !params.is_empty() || extension.is_some() {
                    e.sp();
                    write_params(e, params);
                    if let Some(x) = extension {
                        x.write(e);
                    }
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
                if md5.0.is_some() || extension.is_some() {
                    e.sp();
                    md5.encode(e);
                    if let Some(x) = extension {
                        x.write(e);
                    }
                }
            }
        }
        e.raw(b")");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::response::{Data, FetchItem, Response};

    fn s(v: &'static str) -> IString {
        IString(Bytes::from_static(v.as_bytes()))
    }

    fn text(md5: NString, extension: Option<BodyExtension>) -> BodyStructure {
        BodyStructure::Single {
            media_type: s("text"),
            subtype: s("plain"),
            params: BodyParams::one(s("charset"), s("us-ascii")),
            id: NString(None),
            description: NString(None),
            encoding: s("7bit"),
            octets: 3,
            kind: SinglePartKind::Text { lines: 1 },
            md5,
            extension,
        }
    }

    /// Encodes `b` in a FETCH response, parses it back, and returns the wire form of the
    /// structure and the value read.
    fn round_trip(b: &BodyStructure) -> (String, BodyStructure) {
        let wire = Response::Data(Data::Fetch {
            seq: core::num::NonZeroU32::MIN,
            items: vec![FetchItem::BodyStructure(Box::new(b.clone()))],
        })
        .to_bytes();
        let line = Bytes::copy_from_slice(wire.strip_suffix(b"\r\n").unwrap());
        let Response::Data(Data::Fetch { mut items, .. }) =
            Response::parse_bytes(&line, 100).unwrap()
        else {
            panic!("not a FETCH");
        };
        let Some(FetchItem::BodyStructure(back)) = items.pop() else {
            panic!("not a BODYSTRUCTURE");
        };
        let text = String::from_utf8_lossy(&wire).into_owned();
        let structure = text
            .split_once("BODYSTRUCTURE ")
            .map(|(_, r)| r.trim_end().trim_end_matches(')').to_owned())
            .unwrap();
        (structure, *back)
    }

    #[test]
    fn all_nil_extension_round_trips_exactly() {
        let b = text(NString(None), Some(BodyExtension::default()));
        let (wire, back) = round_trip(&b);
        assert!(wire.ends_with("1 NIL NIL NIL NIL"), "{wire}");
        assert_eq!(back, b);
    }

    #[test]
    fn absent_extension_round_trips_exactly() {
        let b = text(NString(None), None);
        let (wire, back) = round_trip(&b);
        assert!(wire.ends_with("\"7bit\" 3 1"), "{wire}");
        assert_eq!(back, b);
        // MD5 alone: the extension stays absent.
        let b = text(NString(Some(s("Q2hlY2sgSW50ZWdyaXR5IQ=="))), None);
        let (wire, back) = round_trip(&b);
        assert!(wire.ends_with("1 \"Q2hlY2sgSW50ZWdyaXR5IQ==\""), "{wire}");
        assert_eq!(back, b);
    }

    #[test]
    fn params_hold_one_pair_inline_and_compare_by_their_pairs() {
        // The pair itself, no tag beside it.
        assert_eq!(core::mem::size_of::<BodyParams>(), 64);
        let pairs = [(s("a"), s("1")), (s("b"), s("2")), (s("c"), s("3"))];
        let mut pushed = BodyParams::new();
        assert!(pushed.is_empty());
        for (n, pair) in pairs.iter().enumerate() {
            pushed.push(pair.clone());
            // Built by pushing or from a Vec, held inline or not: the same list.
            let from_vec = BodyParams::from(pairs[..=n].to_vec());
            assert_eq!(pushed, from_vec);
            assert_eq!(pushed, pairs[..=n]);
            assert_eq!(&*pushed, &pairs[..=n]);
        }
        assert_eq!(BodyParams::one(s("a"), s("1")), vec![(s("a"), s("1"))]);
        // Changed in place and taken apart, held inline or not.
        for n in 1..=pairs.len() {
            let mut params = BodyParams::from(pairs[..n].to_vec());
            params[0].1 = s("x");
            let mut want = pairs[..n].to_vec();
            want[0].1 = s("x");
            assert_eq!(params, want);
            assert_eq!(params.clone().into_vec(), want);
            assert_eq!(params.into_iter().collect::<Vec<_>>(), want);
        }
        assert_eq!(BodyParams::from(Vec::new()), BodyParams::new());
        assert_ne!(BodyParams::one(s("a"), s("1")), BodyParams::new());
    }

    #[test]
    fn multipart_params_without_extension_round_trip() {
        for extension in [None, Some(BodyExtension::default())] {
            for params in [BodyParams::new(), BodyParams::one(s("boundary"), s("x"))] {
                let b = BodyStructure::Multipart {
                    parts: vec![text(NString(None), None)],
                    subtype: s("mixed"),
                    params,
                    extension: extension.clone(),
                };
                assert_eq!(round_trip(&b).1, b);
            }
        }
    }

    #[test]
    fn partial_extension_on_the_wire_reads_as_present() {
        // A server that stops after the disposition: the absent fields read as NIL, and
        // the value is written back with all three.
        let line = Bytes::from_static(
            b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1 NIL (\"inline\" NIL)))",
        );
        let Response::Data(Data::Fetch { mut items, .. }) =
            Response::parse_bytes(&line, 100).unwrap()
        else {
            panic!("not a FETCH");
        };
        let Some(FetchItem::BodyStructure(b)) = items.pop() else {
            panic!("not a BODYSTRUCTURE");
        };
        let BodyStructure::Single { extension, .. } = &*b else {
            panic!("not single");
        };
        let ext = extension.as_ref().unwrap();
        assert_eq!(ext.disposition.as_ref().unwrap().kind, s("inline"));
        assert!(ext.language.is_empty() && ext.location.0.is_none());
        let (wire, back) = round_trip(&b);
        assert!(wire.ends_with("NIL (\"inline\" NIL) NIL NIL"), "{wire}");
        assert_eq!(back, *b);
    }
}

//! Body section specifiers and partial ranges of FETCH (RFC 9051 §6.4.5, §9).

use core::num::{NonZeroU32, NonZeroU64};

use super::parser::{
    Encode, Encoder, PResult, Parser, Upper, count_spaces, is_astring_char, parse_all,
};
use super::string::AString;
use crate::error::{ParseError, ValueError};

/// The text part a section names (RFC 9051 §6.4.5).
///
/// ```abnf
/// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
/// section-text    = section-msgtext / "MIME"
/// header-list     = "(" header-fld-name *(SP header-fld-name) ")"
/// header-fld-name = astring
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionText {
    /// `HEADER`: the header of the message or of an embedded message/rfc822 part.
    Header,
    /// `HEADER.FIELDS (…)`: only these fields (at least one).
    HeaderFields(Vec<AString>),
    /// `HEADER.FIELDS.NOT (…)`: all but these fields (at least one).
    HeaderFieldsNot(Vec<AString>),
    /// `TEXT`: the body without the header.
    Text,
    /// `MIME`: the MIME header of a part (only after a part number).
    Mime,
}

/// A section specifier: `BODY[1.2.HEADER.FIELDS (Subject)]` and its kin (RFC 9051 §6.4.5).
///
/// ```abnf
/// section         = "[" [section-spec] "]"
/// section-spec    = section-msgtext / (section-part ["." section-text])
/// section-part    = nz-number *("." nz-number)
/// ```
///
/// An empty section (`BODY[]`) is the whole message. Keywords are matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Section {
    part: Vec<NonZeroU32>,
    text: Option<SectionText>,
}

impl Section {
    /// Returns a section, checked: `MIME` needs a part number and header lists may not be
    /// empty.
    ///
    /// # Errors
    /// [`ValueError`] for a section the grammar cannot express.
    pub fn new(part: Vec<NonZeroU32>, text: Option<SectionText>) -> Result<Self, ValueError> {
        match &text {
            Some(SectionText::Mime) if part.is_empty() => {
                Err(ValueError::Range("MIME section without a part"))
            }
            Some(SectionText::HeaderFields(l) | SectionText::HeaderFieldsNot(l))
                if l.is_empty() =>
            {
                Err(ValueError::Empty("header-list"))
            }
            _ => Ok(Self { part, text }),
        }
    }

    /// Returns the part numbers (empty for the top level).
    pub fn part(&self) -> &[NonZeroU32] {
        &self.part
    }

    /// Returns the text specifier.
    pub const fn text(&self) -> Option<&SectionText> {
        self.text.as_ref()
    }

    /// Parses a whole input as `"[" [section-spec] "]"`.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'[', "'['")?;
        let mut part = Vec::new();
        let mut text = None;
        if p.peek().is_some_and(|b| b.is_ascii_digit()) {
            part = read_part(p)?;
            if p.eat(b'.') {
                text = Some(read_text(p, true)?);
            }
        } else if p.peek() != Some(b']') {
            text = Some(read_text(p, false)?);
        }
        p.byte(b']', "']' closing the section")?;
        Ok(Self { part, text })
    }

    /// Reads `"[" [section-part] "]"` of BINARY (RFC 9051 §9 `section-binary`).
    pub(crate) fn read_binary(p: &mut Parser<'_>) -> PResult<Vec<NonZeroU32>> {
        p.byte(b'[', "'['")?;
        let part = if p.peek() == Some(b']') {
            Vec::new()
        } else {
            read_part(p)?
        };
        p.byte(b']', "']' closing the section")?;
        Ok(part)
    }
}

/// Reads `section-part`.
fn read_part(p: &mut Parser<'_>) -> PResult<Vec<NonZeroU32>> {
    let mut part = vec![p.nz_number()?];
    while p.peek() == Some(b'.') && p.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        p.advance(1);
        part.push(p.nz_number()?);
    }
    Ok(part)
}

/// Reads `section-text` (with `MIME` when `after_part`) or `section-msgtext`.
fn read_text(p: &mut Parser<'_>, after_part: bool) -> PResult<SectionText> {
    let at = p.pos();
    let word = Upper::new(p.atom()?);
    Ok(match word.as_bytes() {
        b"HEADER" => SectionText::Header,
        b"TEXT" => SectionText::Text,
        b"MIME" if after_part => SectionText::Mime,
        b"HEADER.FIELDS" => {
            p.sp()?;
            SectionText::HeaderFields(read_header_list(p)?)
        }
        b"HEADER.FIELDS.NOT" => {
            p.sp()?;
            SectionText::HeaderFieldsNot(read_header_list(p)?)
        }
        _ => {
            return Err(ParseError::syntax(
                at,
                "HEADER, HEADER.FIELDS, TEXT or MIME",
            ));
        }
    })
}

/// Reads `header-list = "(" header-fld-name *(SP header-fld-name) ")"`.
fn read_header_list(p: &mut Parser<'_>) -> PResult<Vec<AString>> {
    match read_atom_header_list(p) {
        Some(list) => Ok(list),
        None => p.list_sized(true, AString::read),
    }
}

/// `0x01` in every lane of a word.
const LANES_LO: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x7f` in every lane of a word.
const LANES_LOW7: u64 = u64::from_le_bytes([0x7f; 8]);
/// `0x80` in every lane of a word.
const LANES_HI: u64 = u64::from_le_bytes([0x80; 8]);

/// The eight octets of `data` from `i`, the ones past its end read as `a` (an ASTRING-CHAR
/// that is not a space, so that the padding neither splits nor refuses a name).
#[inline]
fn word_at(data: &[u8], i: usize) -> u64 {
    let rest = data.get(i..).unwrap_or_default();
    match rest.first_chunk::<8>() {
        Some(chunk) => u64::from_le_bytes(*chunk),
        None => {
            let mut buf = [b'a'; 8];
            for (d, s) in buf.iter_mut().zip(rest) {
                *d = *s;
            }
            u64::from_le_bytes(buf)
        }
    }
}

/// Marks (high bit of the lane) each lane of `w` that holds exactly `b`; no borrow spreads.
#[inline]
const fn lanes_equal(w: u64, b: u8) -> u64 {
    let x = w ^ (LANES_LO * b as u64);
    !(((x & LANES_LOW7).wrapping_add(LANES_LOW7) | x) | LANES_LOW7)
}

/// Marks each lane of `w` that is an ASTRING-CHAR or a space. The lanes from `-` (0x2D) to
/// `z` (0x7A) other than the backslash are all ASTRING-CHARs (letters, digits, `-`, `.`,
/// `:`, `_`, `]` …), which is what field names are made of; any other lane is left to the
/// class table.
#[inline]
fn header_lanes(w: u64, spaces: u64) -> u64 {
    let low = w & LANES_LOW7;
    // High bit set when the lane is at least 0x2D, and when it is at least 0x7B: the
    // additions stay inside each lane (at most 0x7F + 0x53).
    let from_dash = low.wrapping_add(LANES_LO * (0x80 - 0x2d));
    let past_z = low.wrapping_add(LANES_LO * (0x80 - 0x7b));
    let plain = from_dash & !past_z & !w & !lanes_equal(w, b'\\');
    (plain | spaces) & LANES_HI
}

/// [`read_header_list`] for what every client and server sends: field names as atoms, one
/// space apart, read in one pass. `None`, with nothing consumed, for anything else (strings,
/// more spaces, an empty list, the nesting budget spent), which the general list reader
/// then reads, with its tolerances and errors.
///
/// The names are checked and cut at the spaces eight octets at a time (SWAR).
fn read_atom_header_list(p: &mut Parser<'_>) -> Option<Vec<AString>> {
    if !p.can_nest() {
        return None;
    }
    let base = p.pos().saturating_add(1);
    let inner = p.rest().strip_prefix(b"(")?;
    let close = memchr::memchr(b')', inner)?;
    let inner = inner.get(..close)?;
    let mut list = Vec::with_capacity(count_spaces(inner).saturating_add(1));
    // Every octet an ASTRING-CHAR or a space; cut at each space. An empty name (a leading,
    // trailing or doubled space, or `()`) is left to the general reader.
    let mut from = 0usize;
    let mut i = 0usize;
    while i < inner.len() {
        let w = word_at(inner, i);
        let mut spaces = lanes_equal(w, b' ');
        if header_lanes(w, spaces) != LANES_HI {
            let bytes = inner.get(i..).unwrap_or_default().iter().take(8);
            if !bytes.into_iter().all(|&b| b == b' ' || is_astring_char(b)) {
                return None;
            }
        }
        while spaces != 0 {
            let at = i.saturating_add((spaces.trailing_zeros() / 8) as usize);
            spaces &= spaces.wrapping_sub(1);
            if at <= from {
                return None;
            }
            list.push(AString(
                p.slice(base.saturating_add(from), base.saturating_add(at)),
            ));
            from = at.saturating_add(1);
        }
        i = i.saturating_add(8);
    }
    if from >= inner.len() {
        return None;
    }
    list.push(AString(p.slice(
        base.saturating_add(from),
        base.saturating_add(inner.len()),
    )));
    // "(", the names, ")".
    p.advance(close.saturating_add(2));
    Some(list)
}

/// Writes `section-part`.
pub(crate) fn encode_part(part: &[NonZeroU32], out: &mut Encoder) {
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            out.raw(b".");
        }
        out.number(u64::from(n.get()));
    }
}

impl Encode for Section {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"[");
        encode_part(&self.part, out);
        if let Some(text) = &self.text {
            if !self.part.is_empty() {
                out.raw(b".");
            }
            let list = |out: &mut Encoder, l: &[AString]| {
                out.raw(b" (");
                for (i, f) in l.iter().enumerate() {
                    if i > 0 {
                        out.sp();
                    }
                    f.encode(out);
                }
                out.raw(b")");
            };
            match text {
                SectionText::Header => out.raw(b"HEADER"),
                SectionText::Text => out.raw(b"TEXT"),
                SectionText::Mime => out.raw(b"MIME"),
                SectionText::HeaderFields(l) => {
                    out.raw(b"HEADER.FIELDS");
                    list(out, l);
                }
                SectionText::HeaderFieldsNot(l) => {
                    out.raw(b"HEADER.FIELDS.NOT");
                    list(out, l);
                }
            }
        }
        out.raw(b"]");
    }
}

/// A partial range `<offset.length>` of FETCH BODY[] and BINARY[] (RFC 9051 §6.4.5).
///
/// ```abnf
/// partial = "<" number64 "." nz-number64 ">"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partial {
    /// The first octet, counting from 0.
    pub offset: u64,
    /// The number of octets.
    pub length: NonZeroU64,
}

impl Partial {
    /// Parses a whole input as a partial range.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'<', "'<'")?;
        let offset = p.number64()?;
        p.byte(b'.', "'.' in the partial range")?;
        let at = p.pos();
        let length = NonZeroU64::new(p.number64()?).ok_or(p.invalid(at, "nz-number64"))?;
        p.byte(b'>', "'>'")?;
        Ok(Self { offset, length })
    }
}

impl Encode for Partial {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"<");
        out.number(self.offset);
        out.raw(b".");
        out.number(self.length.get());
        out.raw(b">");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_header_lists_read_as_the_general_list_reader() {
        use bytes::Bytes;
        let lists = [
            "(FROM)",
            "(FROM TO CC BCC SUBJECT DATE MESSAGE-ID PRIORITY X-PRIORITY REFERENCES)",
            "(from \"To\")",
            "(A  B)",
            "( A B)",
            "(A B )",
            "()",
            "(A",
            "(A B",
            "(A]B C)",
            "(A {1}\r\nB)",
            "(A\x01B)",
            "(A (B))",
            "x",
            "",
        ];
        for list in lists {
            for tail in ["", "]", "] rest"] {
                let src = Bytes::from(format!("{list}{tail}"));
                for depth in [0, 1, 3] {
                    let mut fast = Parser::new(&src).with_max_depth(depth);
                    let mut general = Parser::new(&src).with_max_depth(depth);
                    let want = general.list_sized(true, AString::read);
                    assert_eq!(
                        read_header_list(&mut fast),
                        want,
                        "{list:?}{tail:?} {depth}"
                    );
                    if want.is_ok() {
                        assert_eq!(fast.pos(), general.pos(), "{list:?}{tail:?}");
                    }
                }
            }
        }
    }

    /// The word-at-a-time checks of the fast path against the general reader: every octet
    /// at every position of lists that cross one, two and three words.
    #[test]
    fn atom_header_lists_agree_with_the_general_reader_for_every_octet() {
        use bytes::Bytes;
        let base = b"FROM TO MESSAGE-ID X-PRIORITY";
        for len in 1..=base.len() {
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut list = vec![b'('];
                    list.extend_from_slice(base.get(..len).unwrap_or_default());
                    list[1 + pos] = b;
                    list.extend_from_slice(b")]");
                    let src = Bytes::from(list);
                    let mut fast = Parser::new(&src);
                    let mut general = Parser::new(&src);
                    let want = general.list_sized(true, AString::read);
                    assert_eq!(read_header_list(&mut fast), want, "{src:?}");
                    if want.is_ok() {
                        assert_eq!(fast.pos(), general.pos(), "{src:?}");
                    }
                }
            }
        }
    }

    fn rt(s: &[u8]) -> Section {
        let sec = Section::parse(s).unwrap();
        assert_eq!(sec.to_wire(), s, "{}", String::from_utf8_lossy(s));
        sec
    }

    #[test]
    fn rfc9051_section_examples() {
        assert_eq!(rt(b"[]"), Section::default());
        rt(b"[HEADER]");
        rt(b"[TEXT]");
        rt(b"[1]");
        rt(b"[1.2.MIME]");
        rt(b"[4.2.2.1]");
        rt(b"[3.HEADER]");
        rt(b"[4.1.TEXT]");
        rt(b"[HEADER.FIELDS (DATE FROM)]");
        rt(b"[HEADER.FIELDS.NOT (Subject \"X y\")]");
        assert_eq!(
            Section::parse(b"[header.fields (date)]").unwrap().to_wire(),
            b"[HEADER.FIELDS (date)]"
        );
        for bad in [
            &b"[MIME]"[..],
            b"[0]",
            b"[1.]",
            b"[HEADER.FIELDS ()]",
            b"[FOO]",
            b"[1",
        ] {
            assert!(Section::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn partials() {
        let p = Partial::parse(b"<0.2048>").unwrap();
        assert_eq!(p.offset, 0);
        assert_eq!(p.to_wire(), b"<0.2048>");
        assert!(Partial::parse(b"<1.0>").is_err());
        assert!(Partial::parse(b"<1>").is_err());
    }
}

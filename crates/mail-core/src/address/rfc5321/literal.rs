//! Address literals: `[192.0.2.1]`, `[IPv6:2001:db8::1]`, `[tag:content]` (RFC 5321 §4.1.3).

use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::Limits;
use super::parse::{complete, is_let_dig, standalone_literal};
use crate::ParseError;

/// An `address-literal`: a host given by its address instead of a domain name
/// (RFC 5321 §4.1.3).
///
/// ```abnf
/// address-literal  = "[" ( IPv4-address-literal /
///                  IPv6-address-literal /
///                  General-address-literal ) "]"
/// IPv4-address-literal  = Snum 3("."  Snum)
/// IPv6-address-literal  = "IPv6:" IPv6-addr
/// General-address-literal  = Standardized-tag ":" 1*dcontent
/// ```
///
/// `Display` writes the bracketed canonical form: IPv4 without leading zeros, IPv6 in the
/// RFC 5952 form (which is always one of the RFC 5321 forms) after the tag `IPv6:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressLiteral {
    /// `[192.0.2.1]`
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`, in any of the four forms of RFC 5321 §4.1.3.
    Ipv6(Ipv6Addr),
    /// `[tag:content]` for another standardized address type. Boxed: it is rare, and its two
    /// strings inline would make every [`Host`](super::Host), and so every mailbox, larger.
    General(Box<GeneralAddressLiteral>),
}

impl AddressLiteral {
    /// Parses a complete bracketed address literal such as `[IPv6:::1]`.
    ///
    /// The literal counts as a domain for the 255-octet limit of RFC 5321 §4.5.3.1.2.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that fits no alternative.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        complete(input, |i| standalone_literal(i, &Limits::default()))
    }

    /// Returns the length in bytes of the canonical form, brackets included.
    pub(super) fn encoded_len(&self) -> usize {
        let mut counter = LenCounter(0);
        // Writing into a counter never fails.
        let _ = fmt::write(&mut counter, format_args!("{self}"));
        counter.0
    }
}

struct LenCounter(usize);

impl fmt::Write for LenCounter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}

impl fmt::Display for AddressLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ipv4(a) => write!(f, "[{a}]"),
            Self::Ipv6(a) => write!(f, "[IPv6:{a}]"),
            Self::General(g) => write!(f, "[{}:{}]", g.tag, g.content),
        }
    }
}

impl FromStr for AddressLiteral {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for AddressLiteral {
    type Error = ParseError;
    fn try_from(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse(input)
    }
}

impl From<Ipv4Addr> for AddressLiteral {
    fn from(a: Ipv4Addr) -> Self {
        Self::Ipv4(a)
    }
}

impl From<Ipv6Addr> for AddressLiteral {
    fn from(a: Ipv6Addr) -> Self {
        Self::Ipv6(a)
    }
}

impl From<std::net::IpAddr> for AddressLiteral {
    fn from(a: std::net::IpAddr) -> Self {
        match a {
            std::net::IpAddr::V4(a) => Self::Ipv4(a),
            std::net::IpAddr::V6(a) => Self::Ipv6(a),
        }
    }
}

/// A `General-address-literal`: `Standardized-tag ":" 1*dcontent` (RFC 5321 §4.1.3).
///
/// ```abnf
/// General-address-literal  = Standardized-tag ":" 1*dcontent
/// Standardized-tag  = Ldh-str
/// dcontent       = %d33-90 / ; Printable US-ASCII
///                %d94-126 ; excl. "[", "\", "]"
/// ```
///
/// The tag `IPv6` (any case) is reserved for [`AddressLiteral::Ipv6`] and refused here.
/// Tags compare case-insensitively (RFC 5321 §2.4: only local parts are case-sensitive);
/// content compares exactly, since its syntax belongs to the tag's own standard.
#[derive(Debug, Clone)]
pub struct GeneralAddressLiteral {
    tag: String,
    content: String,
}

impl GeneralAddressLiteral {
    /// Returns a general literal built from its tag and content, after validation.
    ///
    /// # Errors
    /// [`ParseError`] whose offset counts bytes of `tag`, then of `content` as if they were
    /// joined by the `:`.
    pub fn new(tag: &str, content: &str) -> Result<Self, ParseError> {
        let tag_end = check_tag(tag.as_bytes(), 0)?;
        if tag_end != tag.len() {
            return Err(ParseError::new(tag_end, "Ldh-str (Standardized-tag)"));
        }
        if tag.eq_ignore_ascii_case("IPv6") {
            return Err(ParseError::new(
                0,
                "a tag other than IPv6 (use AddressLiteral::Ipv6)",
            ));
        }
        let base = tag.len().saturating_add(1);
        let content_end = scan_dcontent(content.as_bytes(), 0);
        if content.is_empty() || content_end != content.len() {
            return Err(ParseError::new(
                base.saturating_add(content_end),
                "dcontent",
            ));
        }
        Ok(Self {
            tag: tag.to_owned(),
            content: content.to_owned(),
        })
    }

    /// Returns the `Standardized-tag`, as received.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Returns the address after the `:`.
    pub fn content(&self) -> &str {
        &self.content
    }
}

impl PartialEq for GeneralAddressLiteral {
    fn eq(&self, other: &Self) -> bool {
        self.tag.eq_ignore_ascii_case(&other.tag) && self.content == other.content
    }
}

impl Eq for GeneralAddressLiteral {}

impl Hash for GeneralAddressLiteral {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Consistent with the case-insensitive `eq` on the tag.
        state.write_usize(self.tag.len());
        for b in self.tag.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        self.content.hash(state);
    }
}

/// `dcontent = %d33-90 / %d94-126`
const fn is_dcontent(b: u8) -> bool {
    matches!(b, 33..=90 | 94..=126)
}

fn scan_dcontent(input: &[u8], mut pos: usize) -> usize {
    while input.get(pos).copied().is_some_and(is_dcontent) {
        pos = pos.saturating_add(1);
    }
    pos
}

/// Scans an `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig` from `start`; returns its end.
fn check_tag(input: &[u8], start: usize) -> Result<usize, ParseError> {
    let mut pos = start;
    while input.get(pos).is_some_and(|&b| is_let_dig(b) || b == b'-') {
        pos = pos.saturating_add(1);
    }
    if pos == start {
        return Err(ParseError::new(pos, "Ldh-str (Standardized-tag)"));
    }
    let last = pos.saturating_sub(1);
    if input.get(last) == Some(&b'-') {
        return Err(ParseError::new(last, "letter or digit ending the tag"));
    }
    Ok(pos)
}

/// Parses `address-literal` at `start` (which holds `[`); returns it and the position after `]`.
pub(super) fn address_literal(
    input: &[u8],
    start: usize,
) -> Result<(AddressLiteral, usize), ParseError> {
    let pos = start.saturating_add(1);
    let mut colon = pos;
    while input
        .get(colon)
        .is_some_and(|&b| is_let_dig(b) || b == b'-')
    {
        colon = colon.saturating_add(1);
    }
    let (literal, end) = if input.get(colon) == Some(&b':') {
        check_tag(input, pos)?;
        let tag = input.get(pos..colon).unwrap_or_default();
        let body = colon.saturating_add(1);
        if tag.eq_ignore_ascii_case(b"IPv6") {
            let (addr, end) = ipv6(input, body)?;
            (AddressLiteral::Ipv6(addr), end)
        } else {
            let end = scan_dcontent(input, body);
            if end == body {
                return Err(ParseError::new(end, "dcontent"));
            }
            // Tag and dcontent are ASCII, so the conversions cannot fail.
            let tag = core::str::from_utf8(tag).unwrap_or_default();
            let content = input.get(body..end).unwrap_or_default();
            let content = core::str::from_utf8(content).unwrap_or_default();
            let general = GeneralAddressLiteral {
                tag: tag.to_owned(),
                content: content.to_owned(),
            };
            (AddressLiteral::General(Box::new(general)), end)
        }
    } else if input
        .get(pos..colon)
        .is_some_and(|run| run.iter().any(|b| !b.is_ascii_digit()))
    {
        // Letters or hyphens: this can only be a Standardized-tag, so the ':' is missing.
        return Err(ParseError::new(colon, "':' after the Standardized-tag"));
    } else {
        let (octets, end) = ipv4(input, pos)?;
        (AddressLiteral::Ipv4(Ipv4Addr::from(octets)), end)
    };
    if input.get(end) != Some(&b']') {
        return Err(ParseError::new(end, "']' closing the address literal"));
    }
    Ok((literal, end.saturating_add(1)))
}

/// `IPv4-address-literal = Snum 3("."  Snum)`, `Snum = 1*3DIGIT` in 0–255.
///
/// Leading zeros are accepted, as `1*3DIGIT` allows, and read as decimal ("representing a
/// decimal integer value", RFC 5321 §4.1.3) — never as octal.
fn ipv4(input: &[u8], start: usize) -> Result<([u8; 4], usize), ParseError> {
    let mut octets = [0u8; 4];
    let mut pos = start;
    for (i, octet) in octets.iter_mut().enumerate() {
        if i > 0 {
            if input.get(pos) != Some(&b'.') {
                return Err(ParseError::new(pos, "'.' between IPv4 octets"));
            }
            pos = pos.saturating_add(1);
        }
        let snum_start = pos;
        let mut value: u16 = 0;
        while let Some(&b) = input.get(pos) {
            if !b.is_ascii_digit() {
                break;
            }
            if pos.saturating_sub(snum_start) == 3 {
                return Err(ParseError::new(pos, "end of Snum (at most 3 digits)"));
            }
            value = value.saturating_mul(10).saturating_add(u16::from(b - b'0'));
            pos = pos.saturating_add(1);
        }
        if pos == snum_start {
            return Err(ParseError::new(pos, "decimal digit (Snum)"));
        }
        *octet = u8::try_from(value).map_err(|_| ParseError::new(snum_start, "Snum in 0-255"))?;
    }
    Ok((octets, pos))
}

const fn hex_value(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as u16),
        b'a'..=b'f' => Some((b - b'a' + 10) as u16),
        b'A'..=b'F' => Some((b - b'A' + 10) as u16),
        _ => None,
    }
}

/// `IPv6-addr` (RFC 5321 §4.1.3), with the group counts each form allows.
///
/// ```abnf
/// IPv6-addr      = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
/// IPv6-hex       = 1*4HEXDIG
/// IPv6-full      = IPv6-hex 7(":" IPv6-hex)
/// IPv6-comp      = [IPv6-hex *5(":" IPv6-hex)] "::"
///                [IPv6-hex *5(":" IPv6-hex)]
///                ; The "::" represents at least 2 16-bit groups of
///                ; zeros.  No more than 6 groups in addition to the
///                ; "::" may be present.
/// IPv6v4-full    = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
/// IPv6v4-comp    = [IPv6-hex *3(":" IPv6-hex)] "::"
///                [IPv6-hex *3(":" IPv6-hex) ":"]
///                IPv4-address-literal
///                ; The "::" represents at least 2 16-bit groups of
///                ; zeros.  No more than 4 groups in addition to the
///                ; "::" and IPv4-address-literal may be present.
/// ```
///
/// Stricter than RFC 4291 on one point, as RFC 5321 asks: `::` must stand for at least two
/// groups, so `1:2:3:4:5:6:7::` is refused.
fn ipv6(input: &[u8], start: usize) -> Result<(Ipv6Addr, usize), ParseError> {
    let mut groups = [0u16; 8];
    let mut starts = [start; 8];
    let mut n = 0usize;
    let mut gap: Option<usize> = None;
    let mut v4_at: Option<usize> = None;
    let mut after_gap = false;
    let mut pos = start;
    if input.get(pos) == Some(&b':') {
        let next = pos.saturating_add(1);
        if input.get(next) != Some(&b':') {
            return Err(ParseError::new(
                next,
                "':' (IPv6 address starting with '::')",
            ));
        }
        gap = Some(0);
        after_gap = true;
        pos = pos.saturating_add(2);
    }
    loop {
        let group_start = pos;
        let mut end = pos;
        let mut value: u16 = 0;
        while let Some(digit) = input.get(end).copied().and_then(hex_value) {
            if end.saturating_sub(pos) == 4 {
                return Err(ParseError::new(
                    end,
                    "end of IPv6-hex (at most 4 hex digits)",
                ));
            }
            value = (value << 4) | digit;
            end = end.saturating_add(1);
        }
        if input.get(end) == Some(&b'.') {
            if n > 6 {
                return Err(ParseError::new(
                    group_start,
                    "end of IPv6 address (too many groups)",
                ));
            }
            let ([a, b, c, d], v4_end) = ipv4(input, group_start)?;
            for v in [u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])] {
                if let (Some(g), Some(s)) = (groups.get_mut(n), starts.get_mut(n)) {
                    *g = v;
                    *s = group_start;
                }
                n = n.saturating_add(1);
            }
            v4_at = Some(group_start);
            pos = v4_end;
            break;
        }
        if end == pos {
            if after_gap {
                break;
            }
            return Err(ParseError::new(pos, "IPv6-hex group"));
        }
        match (groups.get_mut(n), starts.get_mut(n)) {
            (Some(g), Some(s)) => {
                *g = value;
                *s = group_start;
            }
            _ => {
                return Err(ParseError::new(
                    group_start,
                    "end of IPv6 address (at most 8 groups)",
                ));
            }
        }
        n = n.saturating_add(1);
        after_gap = false;
        pos = end;
        if input.get(pos) != Some(&b':') {
            break;
        }
        let next = pos.saturating_add(1);
        if input.get(next) == Some(&b':') {
            if gap.is_some() {
                return Err(ParseError::new(
                    next,
                    "IPv6-hex group (only one '::' is allowed)",
                ));
            }
            gap = Some(n);
            after_gap = true;
            pos = pos.saturating_add(2);
        } else {
            pos = next;
        }
    }
    let start_of = |i: usize| starts.get(i).copied().unwrap_or(pos);
    match (gap, v4_at) {
        (None, None) if n != 8 => {
            return Err(ParseError::new(
                pos,
                "':' and another group (IPv6-full has 8 groups)",
            ));
        }
        (None, Some(at)) if n != 8 => {
            return Err(ParseError::new(
                at,
                "IPv6-hex group (IPv6v4-full has 6 groups before the IPv4 part)",
            ));
        }
        (Some(_), None) if n > 6 => {
            return Err(ParseError::new(
                start_of(6),
                "end of IPv6 address (IPv6-comp allows at most 6 groups besides '::')",
            ));
        }
        (Some(_), Some(_)) if n > 6 => {
            return Err(ParseError::new(
                start_of(4),
                "IPv4 part (IPv6v4-comp allows at most 4 groups besides '::')",
            ));
        }
        _ => {}
    }
    let mut out = [0u16; 8];
    let tail_shift = 8usize.saturating_sub(n);
    for (i, v) in groups.iter().take(n).enumerate() {
        let dst = match gap {
            Some(g) if i >= g => i.saturating_add(tail_shift),
            _ => i,
        };
        if let Some(slot) = out.get_mut(dst) {
            *slot = *v;
        }
    }
    Ok((Ipv6Addr::from(out), pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> Result<Ipv6Addr, ParseError> {
        let (addr, end) = ipv6(s.as_bytes(), 0)?;
        if end == s.len() {
            Ok(addr)
        } else {
            Err(ParseError::new(end, "end"))
        }
    }

    #[test]
    fn ipv6_full() {
        assert_eq!(
            v6("1:2:3:4:5:6:7:8").unwrap(),
            "1:2:3:4:5:6:7:8".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            v6("FFFF:0:0:0:0:0:0:1").unwrap(),
            "ffff::1".parse::<Ipv6Addr>().unwrap()
        );
    }

    #[test]
    fn ipv6_comp_forms() {
        for (s, want) in [
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("1:2::7:8", "1:2::7:8"),
            ("1:2:3::5:6:7", "1:2:3:0:0:5:6:7"),
            ("1:2:3:4:5:6::", "1:2:3:4:5:6::"),
            ("::3:4:5:6:7:8", "::3:4:5:6:7:8"),
        ] {
            assert_eq!(v6(s).unwrap(), want.parse::<Ipv6Addr>().unwrap(), "{s}");
        }
    }

    #[test]
    fn ipv6_v4_forms() {
        for (s, want) in [
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
            ("::1.2.3.4", "::102:304"),
            ("::ffff:192.0.2.1", "::ffff:c000:201"),
            ("1:2:3:4::192.0.2.1", "1:2:3:4:0:0:c000:201"),
            ("1::2:3:4:192.0.2.1", "1:0:0:2:3:4:c000:201"),
        ] {
            assert_eq!(v6(s).unwrap(), want.parse::<Ipv6Addr>().unwrap(), "{s}");
        }
    }

    #[test]
    fn ipv6_invalid_with_offsets() {
        for (s, offset) in [
            ("1:2:3:4:5:6:7:8:9", 16),     // nine groups
            ("1:2:3:4:5:6:7", 13),         // seven groups, no '::'
            ("1::2::3", 5),                // two '::'
            ("1:2:3:4:5:6:7::", 12),       // '::' standing for one group
            ("1:2:3:4:5::6:7", 13),        // seven groups with '::'
            (":1::", 1),                   // lone leading ':'
            ("1:", 2),                     // trailing ':'
            ("12345::", 4),                // five hex digits
            ("1:2:3:4:5:1.2.3.4", 10),     // IPv6v4-full with five groups
            ("1:2:3:4:5:6:7:1.2.3.4", 14), // IPv6v4-full with seven groups
            ("1:2:3:4:5::1.2.3.4", 8),     // IPv6v4-comp with five groups
            ("::1.2.3", 7),                // short IPv4
            ("::1.2.3.256", 8),            // octet out of range
            ("::1.2.3.4.5", 9),            // IPv4 part not last
            (":::", 2),
            ("", 0),
        ] {
            assert_eq!(v6(s).unwrap_err().offset, offset, "{s}");
        }
    }

    #[test]
    fn ipv4_leading_zeros_are_decimal() {
        assert_eq!(ipv4(b"010.001.0.9", 0).unwrap(), ([10, 1, 0, 9], 11));
        assert_eq!(ipv4(b"1.2.3.0001", 0).unwrap_err().offset, 9);
    }
}

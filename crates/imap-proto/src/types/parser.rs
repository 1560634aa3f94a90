//! The byte cursor every parser of this crate reads frames with, and the encoder every type
//! writes to.

use bytes::Bytes;

use crate::error::ParseError;
use crate::framing::LiteralMode;

/// The default nesting budget for parenthesised lists and search keys: deep enough for any
/// real client, shallow enough that recursion can never exhaust a stack.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// `ATOM-CHAR` (RFC 9051 §9): any CHAR except atom-specials; the rule the class table is
/// built from.
///
/// ```abnf
/// ATOM-CHAR       = <any CHAR except atom-specials>
/// atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
/// ```
const fn atom_char_rule(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// The character classes of [`CLASSES`], one bit each.
pub(crate) mod class {
    /// `ATOM-CHAR` (RFC 9051 §9).
    pub(crate) const ATOM: u8 = 1;
    /// `ASTRING-CHAR = ATOM-CHAR / resp-specials` (RFC 9051 §9).
    pub(crate) const ASTRING: u8 = 1 << 1;
    /// `list-char = ATOM-CHAR / list-wildcards / resp-specials` (RFC 9051 §9).
    pub(crate) const LIST: u8 = 1 << 2;
    /// A `tag` character: `ASTRING-CHAR` except `+` (RFC 9051 §9).
    pub(crate) const TAG: u8 = 1 << 3;
    /// An octet of `text` (RFC 9051 §9, 8-bit tolerated): anything but NUL, CR and LF.
    pub(crate) const TEXT: u8 = 1 << 4;
    /// The name of a FETCH response item: `ATOM-CHAR` except `[`, which starts a section.
    pub(crate) const ITEM_NAME: u8 = 1 << 5;
    /// A letter, a digit or `.`: the names of FETCH and STORE command items.
    pub(crate) const ALNUM_DOT: u8 = 1 << 6;
}

/// The classes (bits of [`class`]) of every octet, so that a scanner tests one table entry
/// per byte instead of a chain of comparisons.
// Built at compile time: `i < 256` indexes the 256 entries, and an out-of-bounds index would
// be a compile error, never a run-time panic (`get_mut` is not usable in a constant).
#[allow(clippy::indexing_slicing)]
static CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0usize;
    while i < 256 {
        let b = i as u8;
        let mut c = 0u8;
        let atom = atom_char_rule(b);
        if atom {
            c |= class::ATOM;
        }
        if atom && b != b'[' {
            c |= class::ITEM_NAME;
        }
        if atom || b == b']' {
            c |= class::ASTRING;
            if b != b'+' {
                c |= class::TAG;
            }
        }
        if atom || b == b']' || b == b'%' || b == b'*' {
            c |= class::LIST;
        }
        if !matches!(b, 0 | b'\r' | b'\n') {
            c |= class::TEXT;
        }
        if b.is_ascii_alphanumeric() || b == b'.' {
            c |= class::ALNUM_DOT;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// Returns whether `b` is in any of the classes of `mask` (bits of [`class`]).
#[inline(always)]
pub(crate) fn is_class(b: u8, mask: u8) -> bool {
    // A `u8` index is always within the 256 entries; `get` keeps the lint quiet and the
    // compiler drops the check.
    CLASSES.get(usize::from(b)).is_some_and(|&c| c & mask != 0)
}

/// Returns the length of the run of bytes of class `mask` at the front of `data`.
#[inline]
pub(crate) fn class_run(data: &[u8], mask: u8) -> usize {
    data.iter()
        .position(|&b| !is_class(b, mask))
        .unwrap_or(data.len())
}

/// `ATOM-CHAR` (RFC 9051 §9).
#[inline]
pub(crate) fn is_atom_char(b: u8) -> bool {
    is_class(b, class::ATOM)
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials` (RFC 9051 §9).
#[inline]
pub(crate) fn is_astring_char(b: u8) -> bool {
    is_class(b, class::ASTRING)
}

/// `list-char = ATOM-CHAR / list-wildcards / resp-specials` (RFC 9051 §9).
#[inline]
pub(crate) fn is_list_char(b: u8) -> bool {
    is_class(b, class::LIST)
}

/// `TEXT-CHAR` without the quoted-specials, i.e. what a quoted string holds unescaped.
pub(crate) const fn is_quoted_plain(b: u8) -> bool {
    matches!(b, 0x01..=0x7f) && !matches!(b, b'\r' | b'\n' | b'"' | b'\\')
}

/// `0x01` in every byte of a word.
const LANES_LO: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in every byte of a word.
const LANES_HI: u64 = u64::from_le_bytes([0x80; 8]);

/// Marks (with its high bit) each byte of `w`, eight bytes of a quoted string in wire
/// order, that may end its plain run: DQUOTE, backslash, and every byte below 0x0E (NUL, CR
/// and LF among them; TAB and the other controls are checked again by the caller). Returns
/// those marks and, separately, the DQUOTE marks. The lowest mark is always such a byte, and
/// it is a DQUOTE exactly when it is also a DQUOTE mark: the borrows of the subtractions only
/// spread upwards from a true match. Bytes from 0x80 up are never marked (8-bit text).
#[inline]
const fn quoted_stops(w: u64) -> (u64, u64) {
    let dquote = w ^ (LANES_LO * b'"' as u64);
    let backslash = w ^ (LANES_LO * b'\\' as u64);
    let zero_dquote = dquote.wrapping_sub(LANES_LO) & !dquote & LANES_HI;
    let zero_backslash = backslash.wrapping_sub(LANES_LO) & !backslash;
    let below_0e = w.wrapping_sub(LANES_LO * 0x0e) & !w;
    (
        zero_dquote | ((zero_backslash | below_0e) & LANES_HI),
        zero_dquote,
    )
}

/// Returns whether every byte of `data` is [`is_quoted_plain`], eight at a time: a word
/// without 8-bit bytes, controls below 0x0e, DQUOTE or backslash passes at once; one with
/// any of them is checked byte by byte (TAB and the like are plain).
pub(crate) fn all_quoted_plain(data: &[u8]) -> bool {
    let (words, tail) = data.as_chunks::<8>();
    for chunk in words {
        let w = u64::from_le_bytes(*chunk);
        if w & LANES_HI != 0 {
            return false;
        }
        if quoted_stops(w).0 != 0 && !chunk.iter().all(|&b| is_quoted_plain(b)) {
            return false;
        }
    }
    tail.iter().all(|&b| is_quoted_plain(b))
}

/// Counts the spaces in `data`, eight octets at a time (SWAR).
pub(crate) fn count_spaces(data: &[u8]) -> usize {
    const L: u64 = u64::from_le_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_le_bytes([0x7f; 8]);
    let (words, tail) = data.as_chunks::<8>();
    let mut n = 0usize;
    for chunk in words {
        let x = u64::from_le_bytes(*chunk) ^ (L * u64::from(b' '));
        // The high bit of each lane is set when the lane is non-zero (exact, no borrows).
        let non_zero = ((x & LOW7).wrapping_add(LOW7) | x) & !LOW7;
        // One in each lane that held a space; the multiplication sums the lanes into the
        // top one (at most eight, so no lane carries). Cheaper than a popcount, which the
        // baseline x86-64 target emulates in a dozen instructions.
        let spaces = (!non_zero & !LOW7) >> 7;
        n = n.saturating_add((spaces.wrapping_mul(L) >> 56) as usize);
    }
    n.saturating_add(tail.iter().filter(|&&b| b == b' ').count())
}

/// A keyword upper-cased on the stack, so that keywords are matched without allocating.
/// A word longer than the buffer matches no keyword (it reads as empty).
pub(crate) struct Upper {
    buf: [u8; 32],
    len: usize,
}

impl Upper {
    pub(crate) fn new(word: &[u8]) -> Self {
        let mut buf = [0u8; 32];
        let len = match buf.get_mut(..word.len()) {
            Some(dst) => {
                for (d, s) in dst.iter_mut().zip(word) {
                    *d = s.to_ascii_uppercase();
                }
                word.len()
            }
            None => 0,
        };
        Self { buf, len }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// A word of at most 16 octets, upper-cased and packed into a `u128` (first octet lowest),
/// so that a keyword is matched by one comparison against a constant built by [`kw`].
/// Longer words pack to [`Packed::LONG`], which no keyword packs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed(pub(crate) u128);

impl Packed {
    /// What a word longer than 16 octets packs to: all octets 0xFF, never an ASCII keyword.
    pub(crate) const LONG: Self = Self(u128::MAX);

    /// Packs `word`, whose octets are ASCII (atom characters): the caller scanned them.
    #[inline]
    pub(crate) fn new(word: &[u8]) -> Self {
        let mut buf = [0u8; 16];
        match buf.get_mut(..word.len()) {
            Some(dst) => dst.copy_from_slice(word),
            None => return Self::LONG,
        }
        Self::upper(u128::from_le_bytes(buf))
    }

    /// Packs the `len` octets at the front of `rest` (ASCII, `len <= rest.len()`), reading
    /// 16 octets at once when the frame holds them.
    #[inline]
    fn from_front(rest: &[u8], len: usize) -> Self {
        if len > 16 {
            return Self::LONG;
        }
        let Some(chunk) = rest.first_chunk::<16>() else {
            return Self::new(rest.get(..len).unwrap_or_default());
        };
        let w = u128::from_le_bytes(*chunk);
        // Keep the word's own octets: what follows it may be anything.
        let w = match 1u128.checked_shl((len as u32).saturating_mul(8)) {
            Some(bit) => w & bit.wrapping_sub(1),
            None => w,
        };
        Self::upper(w)
    }

    /// Upper-cases the ASCII letters of a packed word at once (SWAR): a lane from `a` to `z`
    /// loses 0x20. Every lane is below 0x80, so the additions never carry between lanes.
    #[inline]
    const fn upper(w: u128) -> Self {
        const L: u128 = u128::from_le_bytes([0x01; 16]);
        const H: u128 = u128::from_le_bytes([0x80; 16]);
        let at_least_a = w.wrapping_add(L * (0x80 - 0x61));
        let above_z = w.wrapping_add(L * (0x80 - 0x7b));
        let lower = at_least_a & !above_z & H;
        Self(w.wrapping_sub(lower >> 2))
    }
}

/// Packs an upper-case keyword constant for matching against [`Packed`] words.
pub(crate) const fn kw(word: &[u8]) -> u128 {
    assert!(word.len() <= 16);
    let mut w = 0u128;
    let mut shift = 0u32;
    let mut rest = word;
    while let [first, tail @ ..] = rest {
        w |= (first.to_ascii_uppercase() as u128) << shift;
        shift += 8;
        rest = tail;
    }
    w
}

/// The most items [`Parser::list_sized`] reserves room for at once.
const MAX_RESERVE: usize = 64;

/// A cursor over one complete frame.
#[derive(Debug)]
pub(crate) struct Parser<'a> {
    src: &'a Bytes,
    pos: usize,
    depth: usize,
    max_depth: usize,
}

pub(crate) type PResult<T> = Result<T, ParseError>;

impl<'a> Parser<'a> {
    pub(crate) const fn new(src: &'a Bytes) -> Self {
        Self {
            src,
            pos: 0,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    pub(crate) const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.src.get(self.pos..).unwrap_or_default()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, n: usize) -> Option<u8> {
        self.src.get(self.pos.saturating_add(n)).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    pub(crate) const fn err(&self, expected: &'static str) -> ParseError {
        ParseError::Syntax {
            offset: self.pos,
            expected,
        }
    }

    pub(crate) const fn invalid(&self, at: usize, what: &'static str) -> ParseError {
        ParseError::Invalid { offset: at, what }
    }

    /// Moves back to a position read earlier with [`pos`](Self::pos).
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.src.len());
    }

    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.src.len());
    }

    #[inline]
    pub(crate) fn slice(&self, from: usize, to: usize) -> Bytes {
        if from <= to && to <= self.src.len() {
            self.src.slice(from..to)
        } else {
            Bytes::new()
        }
    }

    /// Consumes `b` if it is next.
    #[inline]
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            // The byte exists, so the position stays within the frame.
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `b` or fails with `expected`.
    pub(crate) fn byte(&mut self, b: u8, expected: &'static str) -> PResult<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.err(expected))
        }
    }

    /// Reads `SP`. Tolerance: several spaces where one is required.
    pub(crate) fn sp(&mut self) -> PResult<()> {
        if !self.eat(b' ') {
            return Err(self.err("SP"));
        }
        while self.eat(b' ') {}
        Ok(())
    }

    /// Consumes spaces if there are any; returns whether there were.
    pub(crate) fn eat_sp(&mut self) -> bool {
        let mut any = false;
        while self.eat(b' ') {
            any = true;
        }
        any
    }

    /// Checks that the frame ends here. Tolerance: trailing spaces (sent by several clients).
    pub(crate) fn end(&mut self) -> PResult<()> {
        self.eat_sp();
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err("end of line"))
        }
    }

    /// Returns whether the next byte is `)` (spaces before it are skipped: a tolerance).
    pub(crate) fn at_close(&mut self) -> bool {
        let save = self.pos;
        self.eat_sp();
        if self.peek() == Some(b')') {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// Opens a nesting level. Every recursive or repeated-list parser calls it, so that
    /// hostile input meets [`ParseError::TooDeep`] instead of a stack overflow.
    pub(crate) fn enter(&mut self) -> PResult<()> {
        if self.depth >= self.max_depth {
            return Err(ParseError::TooDeep {
                offset: self.pos,
                max: self.max_depth,
            });
        }
        self.depth = self.depth.saturating_add(1);
        Ok(())
    }

    /// Returns whether a list may open here without crossing the nesting budget (what
    /// [`enter`](Self::enter) would refuse).
    pub(crate) const fn can_nest(&self) -> bool {
        self.depth < self.max_depth
    }

    /// Closes a nesting level.
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Reads the longest run of bytes satisfying `f` (maybe empty).
    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let rest = self.rest();
        let n = rest.iter().take_while(|&&b| f(b)).count();
        self.advance(n);
        rest.get(..n).unwrap_or_default()
    }

    /// Reads the longest run of bytes of class `mask` (bits of [`class`]; maybe empty).
    #[inline]
    pub(crate) fn take_class(&mut self, mask: u8) -> &'a [u8] {
        let rest = self.rest();
        let n = class_run(rest, mask);
        // The run lies within the rest of the frame.
        self.pos = self.pos.saturating_add(n);
        rest.get(..n).unwrap_or_default()
    }

    /// [`take_class`](Self::take_class), also returning the run packed for keyword matching.
    #[inline]
    pub(crate) fn take_keyword(&mut self, mask: u8) -> (&'a [u8], Packed) {
        let rest = self.rest();
        let n = class_run(rest, mask);
        // The run lies within the rest of the frame.
        self.pos = self.pos.saturating_add(n);
        (
            rest.get(..n).unwrap_or_default(),
            Packed::from_front(rest, n),
        )
    }

    /// Reads `1*ATOM-CHAR`.
    pub(crate) fn atom(&mut self) -> PResult<&'a [u8]> {
        let a = self.take_class(class::ATOM);
        if a.is_empty() {
            Err(self.err("atom"))
        } else {
            Ok(a)
        }
    }

    /// Reads a keyword (letters, digits, `.`, `-`, …: atom characters) and returns it
    /// without consuming it when it is not `kw` (compared case-insensitively). Tolerance:
    /// lower-case keywords. `kw` is a constant made of atom characters.
    #[inline]
    pub(crate) fn keyword(&mut self, kw: &[u8]) -> bool {
        debug_assert!(kw.iter().all(|&b| is_atom_char(b)));
        // Compare the prefix first and look at one byte after it, instead of measuring the
        // whole atom: most calls test for a keyword that is not there (`NIL` before a quoted
        // string), and they now fail on the first byte.
        let rest = self.rest();
        let Some((head, tail)) = rest.split_at_checked(kw.len()) else {
            return false;
        };
        let matches = head.iter().zip(kw).all(|(a, b)| a.eq_ignore_ascii_case(b))
            && !tail.first().is_some_and(|&b| is_atom_char(b));
        if matches {
            // The keyword's octets are the front of the rest.
            self.pos = self.pos.saturating_add(kw.len());
        }
        matches
    }

    /// Consumes `NIL` (any case) when it is next as a whole atom: [`keyword`](Self::keyword)
    /// for the most frequent keyword, compared at once. Out of line: inlined at its many call
    /// sites it made the FETCH parsers larger and slower.
    #[inline]
    pub(crate) fn nil(&mut self) -> bool {
        // Nearly every caller meets a string or a list instead: settle that here, inline.
        if !matches!(self.peek(), Some(b'N' | b'n')) {
            return false;
        }
        self.nil_slow()
    }

    /// [`nil`](Self::nil) once the first byte is an `N`. Out of line: inlined at its many
    /// call sites it made the FETCH parsers larger and slower.
    #[inline(never)]
    fn nil_slow(&mut self) -> bool {
        let rest = self.rest();
        // Four octets at once while the frame holds them (it nearly always does: NIL is
        // followed by a space or a parenthesis). `| 0x20` folds only `N`/`I`/`L` onto the
        // lower-case letters they are compared with.
        if let Some(w) = rest.first_chunk::<4>() {
            let w = u32::from_le_bytes(*w);
            let is_nil = ((w | 0x0020_2020) & 0x00ff_ffff) == u32::from_le_bytes(*b"nil\0")
                && !is_atom_char((w >> 24) as u8);
            if is_nil {
                // Four octets of the rest were read.
                self.pos = self.pos.saturating_add(3);
            }
            return is_nil;
        }
        let is_nil = match rest.first_chunk::<3>() {
            Some(&[n, i, l]) => {
                (n | 0x20) == b'n'
                    && (i | 0x20) == b'i'
                    && (l | 0x20) == b'l'
                    && !rest.get(3).is_some_and(|&b| is_atom_char(b))
            }
            None => false,
        };
        if is_nil {
            self.advance(3);
        }
        is_nil
    }

    /// Reads a keyword that must be `kw`.
    pub(crate) fn expect_keyword(&mut self, kw: &[u8], expected: &'static str) -> PResult<()> {
        if self.keyword(kw) {
            Ok(())
        } else {
            Err(self.err(expected))
        }
    }

    /// Reads `number` (RFC 9051 §9): an unsigned 32-bit integer.
    pub(crate) fn number(&mut self) -> PResult<u32> {
        let at = self.pos;
        let n = self.number64()?;
        u32::try_from(n).map_err(|_| self.invalid(at, "number (32 bits)"))
    }

    /// Reads `nz-number` (RFC 9051 §9).
    pub(crate) fn nz_number(&mut self) -> PResult<core::num::NonZeroU32> {
        let at = self.pos;
        let n = self.number()?;
        core::num::NonZeroU32::new(n).ok_or(self.invalid(at, "nz-number"))
    }

    /// Reads `number64` (RFC 9051 §9): up to 2^63 - 1.
    pub(crate) fn number64(&mut self) -> PResult<u64> {
        let at = self.pos;
        let rest = self.rest();
        // One pass: up to 18 digits cannot overflow (10^18 < 2^63), so only longer numbers
        // pay for checked arithmetic.
        let mut value: u64 = 0;
        let mut len = 0usize;
        let mut overflow = false;
        for &b in rest {
            if !b.is_ascii_digit() {
                break;
            }
            let d = u64::from(b - b'0');
            if len < 18 {
                value = value * 10 + d;
            } else if !overflow {
                match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
                    Some(v) => value = v,
                    None => overflow = true,
                }
            }
            len += 1;
        }
        if len == 0 {
            return Err(self.err("number"));
        }
        // The digits are the front of the rest.
        self.pos = self.pos.saturating_add(len);
        if overflow || value > i64::MAX as u64 {
            return Err(self.invalid(at, "number64"));
        }
        Ok(value)
    }

    /// Reads a quoted string and returns its unescaped content.
    ///
    /// ```abnf
    /// quoted          = DQUOTE *QUOTED-CHAR DQUOTE
    /// QUOTED-CHAR     = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
    /// quoted-specials = DQUOTE / "\"
    /// ```
    ///
    /// Tolerance: any 8-bit byte other than NUL, CR and LF (RFC 3501 clients send Latin-1).
    pub(crate) fn quoted(&mut self) -> PResult<Bytes> {
        // The common case first, with few live values: no escape, and the closing DQUOTE is
        // found a word at a time before the last eight octets of the frame. Anything else
        // (escapes, controls, errors, the frame's tail) is left to the complete reader.
        if self.peek() == Some(b'"') {
            let start = self.pos.saturating_add(1);
            let rest = self.src.get(start..).unwrap_or_default();
            // Whole words only, walked by one pointer: the tail is the complete reader's.
            let (words, _) = rest.as_chunks::<8>();
            for (k, chunk) in words.iter().enumerate() {
                let (stops, dquotes) = quoted_stops(u64::from_le_bytes(*chunk));
                if stops != 0 {
                    if stops & stops.wrapping_neg() & dquotes == 0 {
                        break;
                    }
                    let end = start
                        .saturating_add(k.saturating_mul(8))
                        .saturating_add((stops.trailing_zeros() / 8) as usize);
                    // The closing DQUOTE at `end` is within the frame.
                    self.pos = end.saturating_add(1);
                    return Ok(self.slice(start, end));
                }
            }
        }
        self.quoted_full()
    }

    /// [`quoted`](Self::quoted) for every case: escapes, controls, errors, the frame's end.
    #[inline(never)]
    fn quoted_full(&mut self) -> PResult<Bytes> {
        self.byte(b'"', "quoted string")?;
        let start = self.pos;
        let rest = self.rest();
        let mut escaped = false;
        let mut i = 0usize;
        loop {
            // Find the next byte that may stop the plain run, eight at a time. The strings of
            // ENVELOPE and BODYSTRUCTURE are short, so this beats the fixed cost of a vector
            // search per string; the last bytes of the frame are looked at one by one.
            let (at, closing) = match rest.get(i..).and_then(<[u8]>::first_chunk::<8>) {
                Some(chunk) => {
                    let (stops, dquotes) = quoted_stops(u64::from_le_bytes(*chunk));
                    if stops == 0 {
                        i = i.saturating_add(8);
                        continue;
                    }
                    let lowest = stops & stops.wrapping_neg();
                    let at = i.saturating_add((stops.trailing_zeros() / 8) as usize);
                    (at, lowest & dquotes != 0)
                }
                None => (i, rest.get(i) == Some(&b'"')),
            };
            // The closing DQUOTE is by far the most common stop: the masks tell it apart
            // without looking at the byte again.
            if closing {
                self.advance(at.saturating_add(1));
                if !escaped {
                    return Ok(self.slice(start, start.saturating_add(at)));
                }
                let raw = rest.get(..at).unwrap_or_default();
                return unescape(raw).ok_or(self.invalid(start, "quoted string escape"));
            }
            let Some(&b) = rest.get(at) else {
                self.advance(rest.len());
                return Err(self.err("closing DQUOTE"));
            };
            match b {
                b'\\' => {
                    // A backslash must escape a quoted-special; skip the escaped byte so that
                    // `\"` does not end the string.
                    if !matches!(rest.get(at.saturating_add(1)), Some(b'"' | b'\\')) {
                        self.advance(at.saturating_add(1));
                        return Err(self.err("quoted-specials after backslash"));
                    }
                    escaped = true;
                    i = at.saturating_add(2);
                }
                0 | b'\r' | b'\n' => {
                    self.advance(at);
                    return Err(self.err("QUOTED-CHAR"));
                }
                // Another control character below 0x0E (TAB…): plain after all.
                _ => i = at.saturating_add(1),
            }
        }
    }

    /// Reads a literal or literal8 and returns its octets and whether it was a literal8.
    ///
    /// ```abnf
    /// literal  = "{" number64 ["+"] "}" CRLF *CHAR8   ; RFC 9051 §9, RFC 7888
    /// literal8 = "~{" number64 ["+"] "}" CRLF *OCTET  ; RFC 3516
    /// ```
    ///
    /// A `literal` holding NUL is refused (`CHAR8 = %x01-ff`). Tolerance: LF without CR after
    /// the announcement (the framer's bare-LF policy decided already).
    pub(crate) fn literal(&mut self, allow_binary: bool) -> PResult<(Bytes, bool)> {
        let at = self.pos;
        let binary = self.eat(b'~');
        if binary && !allow_binary {
            return Err(self.invalid(at, "literal8 where only a literal is allowed"));
        }
        self.byte(b'{', "literal")?;
        let size = self.number64()?;
        self.eat(b'+');
        self.byte(b'}', "'}' ending the literal size")?;
        self.eat(b'\r');
        self.byte(b'\n', "CRLF after the literal size")?;
        let start = self.pos;
        let len = usize::try_from(size).map_err(|_| self.invalid(at, "literal size"))?;
        let end = start.checked_add(len).filter(|&e| e <= self.src.len());
        let Some(end) = end else {
            return Err(ParseError::Syntax {
                offset: self.src.len(),
                expected: "the literal's octets",
            });
        };
        let data = self.slice(start, end);
        if !binary && memchr::memchr(0, &data).is_some() {
            return Err(self.invalid(start, "literal without NUL"));
        }
        self.pos = end;
        Ok((data, binary))
    }

    /// Reads `string = quoted / literal`.
    pub(crate) fn string(&mut self) -> PResult<Bytes> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') => self.literal(false).map(|(d, _)| d),
            _ => Err(self.err("string")),
        }
    }

    /// Reads `astring = 1*ASTRING-CHAR / string` and returns the bytes.
    pub(crate) fn astring_bytes(&mut self) -> PResult<Bytes> {
        match self.peek() {
            Some(b'"' | b'{') => self.string(),
            _ => {
                let start = self.pos;
                let a = self.take_class(class::ASTRING);
                if a.is_empty() {
                    Err(self.err("astring"))
                } else {
                    Ok(self.slice(start, self.pos))
                }
            }
        }
    }

    /// Reads `nstring = string / nil` and returns the bytes or `None` for NIL.
    pub(crate) fn nstring_bytes(&mut self) -> PResult<Option<Bytes>> {
        // Dispatch on the first byte: a string is far more common than NIL.
        match self.peek() {
            Some(b'"') => self.quoted().map(Some),
            Some(b'{') => self.literal(false).map(|(d, _)| Some(d)),
            _ if self.nil() => Ok(None),
            _ => Err(self.err("string")),
        }
    }

    /// Reads `"(" [item *(SP item)] ")"` with `item` parsed by `f`; `nonempty` refuses `()`.
    /// The depth budget is checked before the `(` is consumed, so that
    /// [`ParseError::TooDeep`] points at the `(` that crossed it.
    pub(crate) fn list<T>(
        &mut self,
        nonempty: bool,
        f: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        self.list_with_capacity(nonempty, 0, f)
    }

    /// [`list`](Self::list) sized by the spaces before the first `)`: room for every item
    /// of a flat list of words (header field names, flags), reserved once instead of grown
    /// four, eight, sixteen. The count is only a capacity; nested or quoted items still read
    /// right.
    pub(crate) fn list_sized<T>(
        &mut self,
        nonempty: bool,
        f: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        let rest = self.rest();
        let close = memchr::memchr(b')', rest).unwrap_or(rest.len());
        let words = rest.get(..close).map_or(0, |r| count_spaces(r) + 1);
        self.list_with_capacity(nonempty, words.min(MAX_RESERVE), f)
    }

    /// [`list`](Self::list) that reserves room for `capacity` items once the `(` is read,
    /// for lists that usually hold more than the first allocation's four.
    pub(crate) fn list_with_capacity<T>(
        &mut self,
        nonempty: bool,
        capacity: usize,
        mut f: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        // An empty list allocates nothing, whatever the capacity asked for.
        let mut out = Vec::new();
        self.list_each(nonempty, |p| {
            if out.capacity() == 0 {
                out.reserve_exact(capacity);
            }
            out.push(f(p)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads a parenthesized list, handing each item's position to `item` to read it where
    /// the caller keeps it (for a list that is not a `Vec`).
    pub(crate) fn list_each(
        &mut self,
        nonempty: bool,
        mut item: impl FnMut(&mut Self) -> PResult<()>,
    ) -> PResult<()> {
        if self.peek() != Some(b'(') {
            return Err(self.err("'('"));
        }
        self.enter()?;
        // The `(` was peeked.
        self.pos = self.pos.saturating_add(1);
        // Tolerance: spaces after "(" and before ")".
        self.eat_sp();
        let mut count = 0usize;
        if !self.eat(b')') {
            loop {
                item(self)?;
                count += 1;
                // The separating spaces are read once: before `)` they are a tolerance.
                let spaced = self.eat_sp();
                if self.eat(b')') {
                    break;
                }
                if !spaced {
                    return Err(self.err("SP"));
                }
            }
        }
        self.leave();
        if nonempty && count == 0 {
            return Err(self.err("at least one list item"));
        }
        Ok(())
    }
}

/// Removes the backslash escapes of a quoted string.
fn unescape(raw: &[u8]) -> Option<Bytes> {
    let mut out = Vec::with_capacity(raw.len());
    let mut iter = raw.iter();
    while let Some(&b) = iter.next() {
        if b == b'\\' {
            out.push(*iter.next()?);
        } else {
            out.push(b);
        }
    }
    Some(Bytes::from(out))
}

/// Runs `f` over the whole of `input` and checks that nothing is left.
pub(crate) fn parse_all<T>(
    input: &[u8],
    f: impl FnOnce(&mut Parser<'_>) -> PResult<T>,
) -> PResult<T> {
    let bytes = Bytes::copy_from_slice(input);
    let mut p = Parser::new(&bytes);
    let v = f(&mut p)?;
    if p.at_end() {
        Ok(v)
    } else {
        Err(p.err("end of input"))
    }
}

/// One piece of an encoded command or response (RFC 9051 §4.3, §7.5).
///
/// A synchronising literal must wait for the server's `+` before its octets are sent, so an
/// encoder yields the text up to and including the literal announcement as one
/// [`Fragment::Line`] and the octets as a [`Fragment::Literal`]. Concatenated, the fragments
/// are the wire form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fragment {
    /// Text to send as is: up to a literal announcement (`… {5}\r\n`) or the end of the
    /// message (`…\r\n`).
    Line(Bytes),
    /// Literal octets, after the announcement in the previous line.
    Literal {
        /// The octets.
        data: Bytes,
        /// Whether the sender waits for `+` first.
        mode: LiteralMode,
        /// Whether it is a `literal8` (`~{n}`, RFC 3516).
        binary: bool,
    },
}

impl Fragment {
    /// Returns the fragment's octets as they appear on the wire.
    pub fn as_bytes(&self) -> &Bytes {
        match self {
            Self::Line(b) | Self::Literal { data: b, .. } => b,
        }
    }
}

/// Concatenates fragments into the wire form.
pub fn fragments_to_bytes(fragments: &[Fragment]) -> Vec<u8> {
    let len = fragments.iter().map(|f| f.as_bytes().len()).sum();
    let mut out = Vec::with_capacity(len);
    for f in fragments {
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// Writes the wire form of commands and types as [`Fragment`]s.
///
/// Every type of this crate implements [`Encode`]; encoding is strict RFC 9051 syntax. The
/// literal mode decides how literals are announced: `{n}` ([`LiteralMode::Sync`], the
/// default, always allowed) or `{n+}` ([`LiteralMode::NonSync`], when the server offers
/// LITERAL+, or LITERAL- for literals up to 4096 octets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoder {
    fragments: Vec<Fragment>,
    line: Vec<u8>,
    mode: LiteralMode,
    literal_minus: bool,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    /// Returns an encoder using synchronising literals.
    pub const fn new() -> Self {
        Self {
            fragments: Vec::new(),
            line: Vec::new(),
            mode: LiteralMode::Sync,
            literal_minus: false,
        }
    }

    /// Returns an encoder using non-synchronising literals (LITERAL+, RFC 7888). With
    /// `literal_minus`, literals over 4096 octets stay synchronising (LITERAL-, RFC 7888 §5).
    pub const fn non_synchronizing(literal_minus: bool) -> Self {
        Self {
            fragments: Vec::new(),
            line: Vec::new(),
            mode: LiteralMode::NonSync,
            literal_minus,
        }
    }

    /// Appends raw protocol text (keywords, numbers, separators).
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.line.extend_from_slice(bytes);
    }

    pub(crate) fn sp(&mut self) {
        self.line.push(b' ');
    }

    pub(crate) fn number(&mut self, n: u64) {
        mail_core::buffer::put_decimal(&mut self.line, n);
    }

    /// Writes a quoted string; the caller checked that every byte is a TEXT-CHAR. The runs
    /// between quoted-specials are copied whole (most strings have none).
    pub(crate) fn quoted(&mut self, data: &[u8]) {
        self.line.reserve(data.len().saturating_add(2));
        self.line.push(b'"');
        // Short strings (most of an ENVELOPE) are searched byte by byte: a vector search
        // costs more to set up than they take.
        if data.len() < 32 && !data.iter().any(|&b| b == b'"' || b == b'\\') {
            self.line.extend_from_slice(data);
            self.line.push(b'"');
            return;
        }
        let mut rest = data;
        while let Some(i) = memchr::memchr2(b'"', b'\\', rest) {
            let (run, tail) = rest.split_at(i);
            self.line.extend_from_slice(run);
            self.line.push(b'\\');
            // `tail` starts with the special itself, written after its backslash.
            self.line
                .extend_from_slice(tail.get(..1).unwrap_or_default());
            rest = tail.get(1..).unwrap_or_default();
        }
        self.line.extend_from_slice(rest);
        self.line.push(b'"');
    }

    /// Writes a literal announcement and its octets as separate fragments.
    pub(crate) fn literal(&mut self, data: &Bytes, binary: bool) {
        let len = data.len() as u64;
        let mode = if self.literal_minus && len > crate::framing::LITERAL_MINUS_MAX {
            LiteralMode::Sync
        } else {
            self.mode
        };
        if binary {
            self.line.push(b'~');
        }
        self.line.push(b'{');
        self.number(len);
        if mode == LiteralMode::NonSync {
            self.line.push(b'+');
        }
        self.line.extend_from_slice(b"}\r\n");
        let line = core::mem::take(&mut self.line);
        self.fragments.push(Fragment::Line(Bytes::from(line)));
        self.fragments.push(Fragment::Literal {
            data: data.clone(),
            mode,
            binary,
        });
    }

    /// Writes `string` in the shortest form its content allows: quoted when every byte is
    /// a 7-bit TEXT-CHAR (and it is not too long to read), else a literal.
    pub(crate) fn string(&mut self, data: &Bytes) {
        if data.len() <= 1024 && all_quoted_plain(data) {
            // No quoted-special either: copied whole.
            self.line.reserve(data.len().saturating_add(2));
            self.line.push(b'"');
            self.line.extend_from_slice(data);
            self.line.push(b'"');
        } else if data.len() <= 1024
            && data
                .iter()
                .all(|&b| is_quoted_plain(b) || b == b'"' || b == b'\\')
        {
            self.quoted(data);
        } else {
            self.literal(data, false);
        }
    }

    /// Writes `astring`: an atom when it can be one, else as [`string`](Self::string).
    pub(crate) fn astring(&mut self, data: &Bytes) {
        if !data.is_empty() && data.iter().all(|&b| is_astring_char(b)) {
            self.raw(data);
        } else {
            self.string(data);
        }
    }

    /// Ends the message with CRLF.
    pub(crate) fn crlf(&mut self) {
        self.line.extend_from_slice(b"\r\n");
    }

    /// Returns an encoder using synchronising literals that writes its text into `line`
    /// (cleared first): a caller encoding many messages hands the same buffer back each
    /// time ([`finish_into`](Self::finish_into) returns it) instead of growing a new one.
    pub(crate) fn with_line(mut line: Vec<u8>) -> Self {
        line.clear();
        Self {
            fragments: Vec::new(),
            line,
            mode: LiteralMode::Sync,
            literal_minus: false,
        }
    }

    /// Appends everything written, literals inline, to `out`; returns the text buffer for
    /// the next [`with_line`](Self::with_line).
    pub(crate) fn finish_into(self, out: &mut bytes::BytesMut) -> Vec<u8> {
        for f in &self.fragments {
            out.extend_from_slice(f.as_bytes());
        }
        out.extend_from_slice(&self.line);
        self.line
    }

    /// Returns the fragments written so far, flushing pending text.
    pub fn finish(mut self) -> Vec<Fragment> {
        if !self.line.is_empty() {
            let line = core::mem::take(&mut self.line);
            self.fragments.push(Fragment::Line(Bytes::from(line)));
        }
        self.fragments
    }
}

/// A value with a wire form.
pub trait Encode {
    /// Appends the wire form to `out`.
    fn encode(&self, out: &mut Encoder);

    /// Returns the wire form as bytes (fragments concatenated).
    fn to_wire(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        self.encode(&mut e);
        fragments_to_bytes(&e.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_of_lists(p: &mut Parser<'_>) -> PResult<usize> {
        p.list(false, list_of_lists).map(|v| v.len())
    }

    #[test]
    fn packed_words_match_their_upper_case_keyword() {
        let words: [&[u8]; 12] = [
            b"",
            b"a",
            b"ok",
            b"Ok",
            b"FETCH",
            b"fetch",
            b"rfc822.size",
            b"BODYSTRUCTURE",
            b"abcdefghijklmnop",
            b"abcdefghijklmnopq",
            b"az{`@[AZ09.-=+",
            b"x-gm-labels",
        ];
        for w in words {
            let upper = w.to_ascii_uppercase();
            let want = if w.len() <= 16 {
                Packed(kw(&upper))
            } else {
                Packed::LONG
            };
            assert_eq!(Packed::new(w), want, "{w:?}");
            // Packed from the front of a longer frame, whatever follows the word.
            for tail in [
                &b""[..],
                b" ",
                b"\xff\xfe rest of the line, long enough",
                b"[1]",
            ] {
                let mut frame = w.to_vec();
                frame.extend_from_slice(tail);
                assert_eq!(Packed::from_front(&frame, w.len()), want, "{w:?} {tail:?}");
            }
        }
        assert_ne!(Packed::new(b"OK").0, kw(b"NO"));
        assert_ne!(Packed::new(b"BODY").0, kw(b"BODY.PEEK"));
    }

    #[test]
    fn nil_is_read_in_any_case_as_a_whole_atom() {
        for word in [
            "NIL", "nil", "Nil", "nIl", "NIX", "NI", "N", "MIL", "NIM", "nIL1", "NILS", "NIL]",
        ] {
            for tail in ["", " ", ")", "x", " rest"] {
                let input = format!("{word}{tail}");
                let src = Bytes::from(input.clone());
                let mut p = Parser::new(&src);
                let upper = input.to_ascii_uppercase();
                let want = upper.starts_with("NIL")
                    && !upper.as_bytes().get(3).is_some_and(|&b| is_atom_char(b));
                assert_eq!(p.nil(), want, "{input:?}");
                assert_eq!(p.pos(), if want { 3 } else { 0 }, "{input:?}");
            }
        }
    }

    #[test]
    fn count_spaces_agrees_with_a_byte_count() {
        for len in 0..40 {
            for pos in 0..len {
                for b in [b' ', 0, 0x7f, 0x80, 0xa0, 0xff, b'a', 0x1f, 0x21] {
                    let mut data: Vec<u8> = (0..len).map(|i| b" ab  c"[i % 6]).collect();
                    data[pos] = b;
                    let want = data.iter().filter(|&&x| x == b' ').count();
                    assert_eq!(count_spaces(&data), want, "{data:?}");
                }
            }
        }
    }

    #[test]
    fn class_table_agrees_with_the_abnf_rules() {
        for b in 0..=255u8 {
            let atom = matches!(b, 0x21..=0x7e)
                && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']');
            let astring = atom || b == b']';
            assert_eq!(is_atom_char(b), atom, "{b:#x}");
            assert_eq!(is_astring_char(b), astring, "{b:#x}");
            assert_eq!(is_list_char(b), astring || b == b'%' || b == b'*', "{b:#x}");
            assert_eq!(is_class(b, class::TAG), astring && b != b'+', "{b:#x}");
            assert_eq!(is_class(b, class::ITEM_NAME), atom && b != b'[', "{b:#x}");
            assert_eq!(
                is_class(b, class::ALNUM_DOT),
                b.is_ascii_alphanumeric() || b == b'.',
                "{b:#x}"
            );
            assert_eq!(
                is_class(b, class::TEXT),
                !matches!(b, 0 | b'\r' | b'\n'),
                "{b:#x}"
            );
        }
        assert_eq!(class_run(b"abc def", class::ATOM), 3);
        assert_eq!(class_run(b"", class::ATOM), 0);
        assert_eq!(class_run(b"a]b", class::ASTRING), 3);
    }

    #[test]
    fn all_quoted_plain_agrees_with_the_byte_rule_everywhere() {
        // Every byte value at every position of strings around the word size.
        for len in 1..20 {
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut data = vec![b'a'; len];
                    data[pos] = b;
                    assert_eq!(
                        all_quoted_plain(&data),
                        data.iter().all(|&x| is_quoted_plain(x)),
                        "{b:#x} at {pos} of {len}"
                    );
                }
            }
        }
        assert!(all_quoted_plain(b""));
    }

    #[test]
    fn too_deep_points_at_the_paren_that_crossed_the_budget() {
        let src = Bytes::from_static(b"(((())))");
        let mut p = Parser::new(&src).with_max_depth(3);
        let e = list_of_lists(&mut p).unwrap_err();
        assert_eq!(e, ParseError::TooDeep { offset: 3, max: 3 });
        // Exactly at the limit.
        let src = Bytes::from_static(b"((()))");
        let mut p = Parser::new(&src).with_max_depth(3);
        assert_eq!(list_of_lists(&mut p).unwrap(), 1);
        assert!(p.at_end());
    }

    fn quoted(input: &[u8]) -> PResult<(Bytes, usize)> {
        let src = Bytes::copy_from_slice(input);
        let mut p = Parser::new(&src);
        p.quoted().map(|q| (q, p.pos()))
    }

    #[test]
    fn quoted_reads_every_length_and_position() {
        // The word-at-a-time scan must stop at the right byte wherever the stop falls.
        for len in 0..40 {
            let body: Vec<u8> = (0..len).map(|i| b"a\t\x01\x0e\xe9z"[i % 6]).collect();
            let mut wire = vec![b'"'];
            wire.extend_from_slice(&body);
            wire.extend_from_slice(b"\" rest");
            assert_eq!(quoted(&wire).unwrap(), (Bytes::from(body.clone()), len + 2));
            for (bad, what) in [
                (0u8, "QUOTED-CHAR"),
                (b'\r', "QUOTED-CHAR"),
                (b'\n', "QUOTED-CHAR"),
            ] {
                let mut wire = vec![b'"'];
                wire.extend_from_slice(&body);
                wire.push(bad);
                wire.extend_from_slice(b"x\"");
                let e = quoted(&wire).unwrap_err();
                assert_eq!(
                    e,
                    ParseError::Syntax {
                        offset: len + 1,
                        expected: what
                    }
                );
            }
            let mut wire = vec![b'"'];
            wire.extend_from_slice(&body);
            assert_eq!(
                quoted(&wire).unwrap_err(),
                ParseError::Syntax {
                    offset: len + 1,
                    expected: "closing DQUOTE"
                }
            );
            let mut wire = vec![b'"'];
            wire.extend_from_slice(&body);
            wire.extend_from_slice(b"\\\"x\\\\\"");
            let mut want = body.clone();
            want.extend_from_slice(b"\"x\\");
            assert_eq!(quoted(&wire).unwrap(), (Bytes::from(want), len + 7));
            let mut wire = vec![b'"'];
            wire.extend_from_slice(&body);
            wire.extend_from_slice(b"\\a\"");
            assert_eq!(
                quoted(&wire).unwrap_err(),
                ParseError::Syntax {
                    offset: len + 2,
                    expected: "quoted-specials after backslash"
                }
            );
        }
    }

    #[test]
    fn list_without_paren_is_a_syntax_error_at_the_byte() {
        let src = Bytes::from_static(b"x");
        let mut p = Parser::new(&src);
        let e = p.list(false, |p| p.atom().map(<[u8]>::len)).unwrap_err();
        assert_eq!(
            e,
            ParseError::Syntax {
                offset: 0,
                expected: "'('"
            }
        );
    }
}

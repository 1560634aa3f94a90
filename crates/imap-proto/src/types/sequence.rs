//! Sequence sets (RFC 9051 §9, RFC 5182 `$`).

use core::num::NonZeroU32;

use super::parser::{Encode, Encoder, PResult, Parser, parse_all};
use crate::error::{ParseError, ValueError};

/// One end of a sequence range: a message number or UID, or `*`, the largest in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNumber {
    /// A message sequence number or UID.
    Value(NonZeroU32),
    /// `*`: the largest number in use (RFC 9051 §9 `seq-number`).
    Largest,
}

impl SeqNumber {
    /// Returns the number, with `*` resolved to `largest`.
    pub fn resolve(self, largest: u32) -> u32 {
        match self {
            Self::Value(n) => n.get(),
            Self::Largest => largest,
        }
    }

    /// Orders `*` above every number (RFC 9051 §9: "`*` represents the largest number in
    /// use"), for putting a range in canonical order.
    const fn rank(self) -> u64 {
        match self {
            Self::Value(n) => n.get() as u64,
            Self::Largest => u64::MAX,
        }
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.eat(b'*') {
            Ok(Self::Largest)
        } else {
            p.nz_number().map(Self::Value)
        }
    }
}

/// A contiguous range `first:last`, a single number when both ends are equal.
///
/// RFC 9051 §9: "`2:4` and `4:2` are equivalent". A range is kept with its smaller end first
/// (`*` counting as the largest), which is how it is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeqRange {
    first: SeqNumber,
    last: SeqNumber,
}

impl SeqRange {
    /// Returns the range between `a` and `b`, in either order.
    pub const fn new(a: SeqNumber, b: SeqNumber) -> Self {
        if a.rank() <= b.rank() {
            Self { first: a, last: b }
        } else {
            Self { first: b, last: a }
        }
    }

    /// Returns the single-number range `n`.
    pub const fn single(n: SeqNumber) -> Self {
        Self { first: n, last: n }
    }

    /// Returns the smaller end.
    pub const fn first(&self) -> SeqNumber {
        self.first
    }

    /// Returns the larger end.
    pub const fn last(&self) -> SeqNumber {
        self.last
    }

    /// Returns whether `n` is in the range, with `*` resolved to `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let (a, b) = (self.first.resolve(largest), self.last.resolve(largest));
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        (lo..=hi).contains(&n)
    }
}

/// A `sequence-set` (RFC 9051 §9): message numbers or UIDs, or `$`, the result saved by the
/// last `SEARCH … RETURN (SAVE)` (RFC 9051 §6.4.4.1, RFC 5182).
///
/// ```abnf
/// sequence-set     = (seq-number / seq-range) ["," sequence-set]
/// sequence-set     =/ seq-last-command
/// seq-last-command = "$"
/// seq-number       = nz-number / "*"
/// seq-range        = seq-number ":" seq-number
/// ```
///
/// Ranges keep the client's order in the set; each range is written smaller end first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SequenceSet(Repr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    Saved,
    Ranges(Vec<SeqRange>),
}

impl SequenceSet {
    /// Returns `$`, the saved search result.
    pub const fn saved() -> Self {
        Self(Repr::Saved)
    }

    /// Returns the set of these ranges.
    ///
    /// # Errors
    /// [`ValueError::Empty`] when there are none.
    pub fn new(ranges: Vec<SeqRange>) -> Result<Self, ValueError> {
        if ranges.is_empty() {
            return Err(ValueError::Empty("sequence-set"));
        }
        Ok(Self(Repr::Ranges(ranges)))
    }

    /// Returns the set holding only `n`.
    pub fn single(n: NonZeroU32) -> Self {
        Self(Repr::Ranges(vec![SeqRange::single(SeqNumber::Value(n))]))
    }

    /// Returns the shortest set of these numbers (ascending; duplicates allowed): runs of
    /// consecutive numbers become ranges, `1,2,3,7` becomes `1:3,7`. `None` when there are
    /// none.
    pub fn from_sorted(numbers: &[NonZeroU32]) -> Option<Self> {
        Self::from_ascending(numbers.iter().map(|&n| (n, n)))
    }

    /// Returns the shortest set of the numbers in these `(first, last)` bounds, in any order,
    /// touching or overlapping (they are merged); a pair with `first > last` is empty and 0
    /// is left out. `None` when the bounds hold no number.
    pub fn from_bounds(bounds: &[(u32, u32)]) -> Option<Self> {
        let mut sorted = bounds.to_vec();
        sorted.sort_unstable();
        Self::from_ascending(sorted.into_iter().filter_map(|(first, last)| {
            let first = NonZeroU32::new(first.max(1))?;
            let last = NonZeroU32::new(last)?;
            (first <= last).then_some((first, last))
        }))
    }

    /// The set of `bounds`, ordered by their first number: touching or overlapping ones
    /// become one range.
    fn from_ascending(bounds: impl Iterator<Item = (NonZeroU32, NonZeroU32)>) -> Option<Self> {
        let mut ranges: Vec<SeqRange> = Vec::new();
        let mut run: Option<(NonZeroU32, NonZeroU32)> = None;
        for (first, last) in bounds {
            run = match run {
                Some((start, end)) if first.get() <= end.get().saturating_add(1) => {
                    Some((start, end.max(last)))
                }
                Some((start, end)) => {
                    ranges.push(SeqRange::new(
                        SeqNumber::Value(start),
                        SeqNumber::Value(end),
                    ));
                    Some((first, last))
                }
                None => Some((first, last)),
            };
        }
        if let Some((start, end)) = run {
            ranges.push(SeqRange::new(
                SeqNumber::Value(start),
                SeqNumber::Value(end),
            ));
        }
        Self::new(ranges).ok()
    }

    /// Returns the set's numbers as ascending, disjoint `(first, last)` bounds, with `*`
    /// resolved to `largest` (a range written `5:*` with `largest` 3 is `3:5`, RFC 9051 §9);
    /// empty for `$`.
    pub fn bounds(&self, largest: u32) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = self
            .ranges()
            .unwrap_or_default()
            .iter()
            .map(|r| {
                let (a, b) = (r.first.resolve(largest), r.last.resolve(largest));
                (a.min(b), a.max(b))
            })
            .collect();
        out.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(out.len());
        for (first, last) in out {
            match merged.last_mut() {
                Some((_, end)) if first <= end.saturating_add(1) => *end = (*end).max(last),
                _ => merged.push((first, last)),
            }
        }
        merged
    }

    /// Returns the numbers in both sets, with `*` resolved to `largest` in each, as the
    /// shortest set; `None` when they have none in common (or either is `$`).
    pub fn intersection(&self, other: &Self, largest: u32) -> Option<Self> {
        let (a, b) = (self.bounds(largest), other.bounds(largest));
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
            let (first, last) = (a0.max(b0), a1.min(b1));
            if first <= last {
                out.push((first, last));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Self::from_bounds(&out)
    }

    /// Returns whether this is `$`.
    pub const fn is_saved(&self) -> bool {
        matches!(self.0, Repr::Saved)
    }

    /// Returns the ranges, or `None` for `$`.
    pub fn ranges(&self) -> Option<&[SeqRange]> {
        match &self.0 {
            Repr::Saved => None,
            Repr::Ranges(r) => Some(r),
        }
    }

    /// Returns whether `n` is in the set, with `*` resolved to `largest` (`false` for `$`).
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.ranges()
            .is_some_and(|r| r.iter().any(|r| r.contains(n, largest)))
    }

    /// Parses a whole input as a sequence set.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.eat(b'$') {
            return Ok(Self::saved());
        }
        let read_range = |p: &mut Parser<'_>| -> PResult<SeqRange> {
            let a = SeqNumber::read(p)?;
            Ok(if p.eat(b':') {
                SeqRange::new(a, SeqNumber::read(p)?)
            } else {
                SeqRange::single(a)
            })
        };
        let first = read_range(p)?;
        if !p.eat(b',') {
            // Most sets are one range (`1:*`, a UID): one allocation of exactly one.
            return Ok(Self(Repr::Ranges(vec![first])));
        }
        let mut ranges = vec![first];
        loop {
            ranges.push(read_range(p)?);
            if !p.eat(b',') {
                break;
            }
        }
        Ok(Self(Repr::Ranges(ranges)))
    }
}

impl Encode for SeqNumber {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Value(n) => out.number(u64::from(n.get())),
            Self::Largest => out.raw(b"*"),
        }
    }
}

impl Encode for SequenceSet {
    fn encode(&self, out: &mut Encoder) {
        match &self.0 {
            Repr::Saved => out.raw(b"$"),
            Repr::Ranges(ranges) => {
                for (i, r) in ranges.iter().enumerate() {
                    if i > 0 {
                        out.raw(b",");
                    }
                    r.first.encode(out);
                    if r.first != r.last {
                        out.raw(b":");
                        r.last.encode(out);
                    }
                }
            }
        }
    }
}

impl core::str::FromStr for SequenceSet {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl core::fmt::Display for SequenceSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_wire()))
    }
}

/// A range of positions in a search result (PARTIAL, RFC 9394 §3.1): 1 is the first result
/// counting from the oldest end (`First`) or from the newest end (`Last`).
///
/// ```abnf
/// partial-range       = partial-range-first / partial-range-last
/// partial-range-first = nz-number ":" nz-number
/// partial-range-last  = MINUS nz-number ":" MINUS nz-number
/// ```
///
/// The two numbers are kept in the order sent; `500:400` means the same as `400:500`
/// ([`bounds`](Self::bounds) orders them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialRange {
    /// `a:b`: positions counted from the oldest (lowest) result.
    First(NonZeroU32, NonZeroU32),
    /// `-a:-b`: positions counted from the newest (highest) result; the numbers are held
    /// without their minus signs.
    Last(NonZeroU32, NonZeroU32),
}

impl PartialRange {
    /// Returns the positions as `(low, high)`, whichever order they were sent in.
    pub fn bounds(self) -> (NonZeroU32, NonZeroU32) {
        let (Self::First(a, b) | Self::Last(a, b)) = self;
        (a.min(b), a.max(b))
    }

    /// Returns whether positions count from the newest result (`-a:-b`).
    pub const fn from_last(self) -> bool {
        matches!(self, Self::Last(..))
    }

    /// Parses a whole input as `partial-range`.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar; a zero is invalid.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let last = p.eat(b'-');
        let a = p.nz_number()?;
        p.byte(b':', "':' in partial-range")?;
        if last {
            p.byte(b'-', "'-' before the second number of partial-range-last")?;
        }
        let b = p.nz_number()?;
        Ok(if last {
            Self::Last(a, b)
        } else {
            Self::First(a, b)
        })
    }
}

impl Encode for PartialRange {
    fn encode(&self, out: &mut Encoder) {
        let (minus, a, b): (&[u8], _, _) = match *self {
            Self::First(a, b) => (b"", a, b),
            Self::Last(a, b) => (b"-", a, b),
        };
        out.raw(minus);
        out.number(u64::from(a.get()));
        out.raw(b":");
        out.raw(minus);
        out.number(u64::from(b.get()));
    }
}

#[cfg(test)]
mod from_sorted_tests {
    use super::*;

    #[test]
    fn runs_become_ranges() {
        let n = |v: u32| NonZeroU32::new(v).unwrap();
        let set = SequenceSet::from_sorted(&[n(1), n(2), n(3), n(3), n(7), n(9), n(10)]).unwrap();
        assert_eq!(set.to_wire(), b"1:3,7,9:10");
        assert_eq!(SequenceSet::from_sorted(&[]), None);
    }

    #[test]
    fn bounds_resolve_star_and_merge() {
        let s = SequenceSet::parse(b"9:*,1,2,4:3,7").unwrap();
        assert_eq!(s.bounds(12), [(1, 4), (7, 7), (9, 12)]);
        // `5:*` with 3 the largest in use is `3:5` (RFC 9051 §9).
        assert_eq!(SequenceSet::parse(b"5:*").unwrap().bounds(3), [(3, 5)]);
        assert!(SequenceSet::saved().bounds(3).is_empty());
        let back = SequenceSet::from_bounds(&[(0, 2), (3, 4), (6, 6), (5, 5), (9, 8)]).unwrap();
        assert_eq!(back.to_string(), "1:6");
        assert_eq!(SequenceSet::from_bounds(&[(0, 0)]), None);
    }

    #[test]
    fn intersection_keeps_what_both_hold() {
        let a = SequenceSet::parse(b"1:10,20:*").unwrap();
        let b = SequenceSet::parse(b"5:25,40").unwrap();
        assert_eq!(a.intersection(&b, 30).unwrap().to_string(), "5:10,20:25");
        assert_eq!(a.intersection(&SequenceSet::saved(), 30), None);
        let c = SequenceSet::parse(b"11:19").unwrap();
        assert_eq!(a.intersection(&c, 30), None);
        // Brute force over small sets agrees.
        for (x, y) in [(&b"1,3,5:9"[..], &b"2:6,8,*"[..]), (b"4:*", b"1:3,5")] {
            let (x, y) = (
                SequenceSet::parse(x).unwrap(),
                SequenceSet::parse(y).unwrap(),
            );
            let both = x.intersection(&y, 12);
            for n in 1..=14 {
                let want = x.contains(n, 12) && y.contains(n, 12);
                let got = both.as_ref().is_some_and(|s| s.contains(n, 12));
                assert_eq!(got, want, "{n} in {x} and {y}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9051_examples() {
        // RFC 9051 §9: "a sequence set `2,4:7,9,12:*` for a mailbox with 15 messages is
        // equivalent to `2,4,5,6,7,9,12,13,14,15`".
        let s = SequenceSet::parse(b"2,4:7,9,12:*").unwrap();
        let members: Vec<u32> = (1..=15).filter(|&n| s.contains(n, 15)).collect();
        assert_eq!(members, [2, 4, 5, 6, 7, 9, 12, 13, 14, 15]);
        assert_eq!(s.to_string(), "2,4:7,9,12:*");
    }

    #[test]
    fn reversed_ranges_are_canonical() {
        assert_eq!(SequenceSet::parse(b"4:2").unwrap().to_string(), "2:4");
        assert_eq!(SequenceSet::parse(b"*:4").unwrap().to_string(), "4:*");
        assert_eq!(SequenceSet::parse(b"3:3").unwrap().to_string(), "3");
        assert_eq!(SequenceSet::parse(b"*").unwrap().to_string(), "*");
        assert!(SequenceSet::parse(b"$").unwrap().is_saved());
    }

    #[test]
    fn bad_sets() {
        for bad in [
            &b"0"[..],
            b"1,",
            b",1",
            b"1:",
            b"1::2",
            b"",
            b"4294967296",
            b"$,1",
            b"1 2",
        ] {
            assert!(SequenceSet::parse(bad).is_err(), "{bad:?}");
        }
        assert!(SequenceSet::new(Vec::new()).is_err());
    }
}

#[cfg(test)]
mod partial_range_tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn rfc9394_ranges() {
        let r = PartialRange::parse(b"-1:-100").unwrap();
        assert_eq!(r, PartialRange::Last(nz(1), nz(100)));
        assert!(r.from_last());
        assert_eq!(r.to_wire(), b"-1:-100");
        let r = PartialRange::parse(b"24000:23500").unwrap();
        assert_eq!(r.bounds(), (nz(23500), nz(24000)));
        assert_eq!(r.to_wire(), b"24000:23500");
        for bad in [
            &b"0:5"[..],
            b"1:0",
            b"-1:5",
            b"1:-5",
            b"1",
            b"*:5",
            b"1:4294967296",
            b"--1:-2",
        ] {
            assert!(PartialRange::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            PartialRange::parse(b"4294967295:1").unwrap().bounds(),
            (nz(1), nz(u32::MAX))
        );
    }
}

//! [`Text`]: the validated UTF-8 storage behind [`LocalPart`](super::LocalPart) and
//! [`Domain`](super::Domain).
//!
//! Nearly every local part and domain an SMTP server reads is a few dozen bytes long. Holding
//! those inline saves a heap allocation (and a free) per address part, which is most of what
//! parsing `RCPT TO:<alice@example.com>` used to cost; longer values go to the heap once.

use core::fmt;

/// The longest text held without a heap allocation, so that a [`Text`] is 32 bytes.
const INLINE: usize = 30;

/// Valid UTF-8 text, inline up to [`INLINE`] bytes.
///
/// Every constructor takes text that is already valid UTF-8 (a `&str`, or bytes the caller's
/// scanner checked), so [`Text::as_str`] never fails; the check it repeats on inline bytes
/// only keeps the conversion free of `unsafe`.
#[derive(Clone)]
pub(super) struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Text {
    /// Returns `s` as a `Text`.
    pub(super) fn new(s: &str) -> Self {
        Self::inline(s.as_bytes()).unwrap_or_else(|| Self(Repr::Heap(s.into())))
    }

    /// Returns `s` as a `Text`, reusing its allocation when it is too long to be inline.
    pub(super) fn from_string(s: String) -> Self {
        Self::inline(s.as_bytes()).unwrap_or_else(|| Self(Repr::Heap(s.into_boxed_str())))
    }

    /// Returns ASCII `bytes` as a `Text`; `None` if they are not ASCII.
    pub(super) fn from_ascii(bytes: &[u8]) -> Option<Self> {
        if !bytes.is_ascii() {
            return None;
        }
        Self::inline(bytes).or_else(|| {
            core::str::from_utf8(bytes)
                .ok()
                .map(|s| Self(Repr::Heap(s.into())))
        })
    }

    /// Copies `bytes` (valid UTF-8) inline, if they fit.
    fn inline(bytes: &[u8]) -> Option<Self> {
        let len = u8::try_from(bytes.len())
            .ok()
            .filter(|&l| usize::from(l) <= INLINE)?;
        let mut buf = [0; INLINE];
        // From 8 octets up, two fixed-size copies that overlap in the middle: a few vector
        // or word moves instead of a `memcpy` call (whose result the move into the enum
        // would read back at other widths).
        let n = bytes.len();
        match (bytes.first_chunk::<16>(), bytes.last_chunk::<16>()) {
            (Some(head), Some(tail)) => {
                *buf.first_chunk_mut::<16>()? = *head;
                *buf.get_mut(n.saturating_sub(16)..n)?
                    .first_chunk_mut::<16>()? = *tail;
            }
            _ => match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
                (Some(head), Some(tail)) => {
                    *buf.first_chunk_mut::<8>()? = *head;
                    *buf.get_mut(n.saturating_sub(8)..n)?
                        .first_chunk_mut::<8>()? = *tail;
                }
                _ => buf.get_mut(..n)?.copy_from_slice(bytes),
            },
        }
        Some(Self(Repr::Inline { len, bytes: buf }))
    }

    /// Returns the text as bytes.
    pub(super) fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// Returns the text.
    pub(super) fn as_str(&self) -> &str {
        match &self.0 {
            // Built from valid UTF-8 only, so the check always passes.
            Repr::Inline { .. } => core::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Heap(s) => s,
        }
    }

    /// Returns the length in bytes.
    pub(super) fn len(&self) -> usize {
        match &self.0 {
            Repr::Inline { len, .. } => usize::from(*len),
            Repr::Heap(s) => s.len(),
        }
    }

    /// Returns whether the text is all ASCII.
    pub(super) fn is_ascii(&self) -> bool {
        self.as_bytes().is_ascii()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl core::hash::Hash for Text {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        // As `str` hashes, so that the containing types hash as they did with a `String`.
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_hold_the_same_text() {
        for s in [
            "",
            "a",
            "ü",
            &"x".repeat(INLINE),
            &"y".repeat(INLINE + 1),
            "ü".repeat(40).as_str(),
        ] {
            let t = Text::new(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(t.as_bytes(), s.as_bytes());
            assert_eq!(t.len(), s.len());
            assert_eq!(t, Text::from_string(s.to_owned()));
            assert_eq!(format!("{t:?}"), format!("{s:?}"));
            assert_eq!(t.is_ascii(), s.is_ascii());
            if s.is_ascii() {
                assert_eq!(Text::from_ascii(s.as_bytes()), Some(t));
            } else {
                assert_eq!(Text::from_ascii(s.as_bytes()), None);
            }
        }
        assert_eq!(core::mem::size_of::<Text>(), 32);
        // Every inline length, whichever copy it takes.
        for n in 0..=INLINE + 1 {
            let s: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let t = Text::new(&s);
            assert_eq!(t.as_str(), s);
            assert_eq!(Text::from_ascii(s.as_bytes()).unwrap().as_str(), s);
        }
    }
}

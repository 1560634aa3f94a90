//! Commands this crate does not know, kept with their raw arguments.

use bytes::Bytes;

use crate::error::ValueError;
use crate::framing::literal_announcement;
use crate::types::Atom;

/// A command this crate does not know (an `X` command or another extension), kept for the
/// application: the name and the raw arguments, literals inline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCommand {
    pub(super) name: Atom,
    pub(super) arguments: Option<Bytes>,
}

impl OtherCommand {
    /// Returns an unknown command with raw arguments (which may hold literals written as
    /// `{n}\r\n` followed by `n` octets).
    ///
    /// # Errors
    /// [`ValueError`] when a CR or LF in `arguments` is not the end of a literal
    /// announcement, a literal is cut short, or a NUL appears outside a literal8.
    pub fn new(name: Atom, arguments: Option<Bytes>) -> Result<Self, ValueError> {
        let arguments = match arguments {
            Some(a) => {
                let pieces =
                    split_raw(&a).ok_or(ValueError::Encoding("arguments with literals"))?;
                Some(canonical_raw(a, &pieces))
            }
            None => None,
        };
        Ok(Self { name, arguments })
    }

    /// Returns the command name, as sent.
    pub const fn name(&self) -> &Atom {
        &self.name
    }

    /// Returns the raw arguments after the name and one space. Literal announcements are
    /// kept in the canonical synchronising form (`{n}`, `~{n}`): whether a literal was sent
    /// with `+` is transport, not content.
    pub const fn arguments(&self) -> Option<&Bytes> {
        self.arguments.as_ref()
    }
}

/// Returns `raw` with every literal announced as `{n}` / `~{n}` (no copy when it holds no
/// literal).
fn canonical_raw(raw: Bytes, pieces: &[RawPiece]) -> Bytes {
    if pieces.len() <= 1 {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len());
    for (text, literal) in pieces {
        out.extend_from_slice(text);
        if let Some((data, binary)) = literal {
            if *binary {
                out.push(b'~');
            }
            out.extend_from_slice(format!("{{{}}}\r\n", data.len()).as_bytes());
            out.extend_from_slice(data);
        }
    }
    Bytes::from(out)
}

/// A run of raw argument text and the literal (octets, binary) that follows it, if any.
pub(super) type RawPiece = (Bytes, Option<(Bytes, bool)>);

/// Splits raw arguments into text runs and literals: `(text, Some(literal))…, (text, None)`.
pub(super) fn split_raw(raw: &Bytes) -> Option<Vec<RawPiece>> {
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let rest = raw.get(start..)?;
        match memchr::memchr2(b'\r', b'\n', rest) {
            None => {
                if memchr::memchr(0, rest).is_some() {
                    return None;
                }
                out.push((raw.slice(start..), None));
                return Some(out);
            }
            Some(i) => {
                let text = rest.get(..i)?;
                if memchr::memchr(0, text).is_some() {
                    return None;
                }
                let (size, _, binary) = literal_announcement(text)?;
                let after = if rest.get(i..i.checked_add(2)?) == Some(b"\r\n") {
                    i.checked_add(2)?
                } else {
                    return None;
                };
                // Drop the announcement from the text; the encoder writes it again.
                let ann = text.iter().rposition(|&b| b == b'{')?;
                let ann = if binary { ann.checked_sub(1)? } else { ann };
                let lit_start = start.checked_add(after)?;
                let lit_end = lit_start.checked_add(usize::try_from(size).ok()?)?;
                if lit_end > raw.len() {
                    return None;
                }
                out.push((
                    raw.slice(start..start.checked_add(ann)?),
                    Some((raw.slice(lit_start..lit_end), binary)),
                ));
                start = lit_end;
            }
        }
    }
}

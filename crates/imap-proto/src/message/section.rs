//! Body sections (RFC 9051 §6.4.5) and BINARY content (RFC 3516) of a walked message.

use core::num::NonZeroU32;

use bytes::{Bytes, BytesMut};
use mail_core::mime::decode::{DecodeError, Decoder, Encoding};
use mail_core::mime::{MimeTree, PartKind};

use crate::types::{Section, SectionText};

use super::body_structure::binary_encoding;

/// The part a `section-part` names (RFC 9051 §6.4.5): each number picks a part of a
/// multipart; a message/rfc822 part is entered first, so `n.1` of a message/rfc822 part is
/// the first part of the embedded message, or its body when it is not a multipart; `1` of a
/// part that is not a multipart is the part itself.
pub(super) fn find_part(tree: &MimeTree, path: &[NonZeroU32]) -> Option<usize> {
    let mut index = 0usize;
    for (i, n) in path.iter().enumerate() {
        let mut p = index;
        // A message/rfc822 part is entered when a number follows it; the message itself is
        // never entered (`1` of a top-level message/rfc822 is its body, as in Dovecot).
        if i > 0 && tree.part(p)?.kind() == PartKind::Message {
            p = tree.children(p).next()?;
        }
        if matches!(tree.part(p)?.kind(), PartKind::Multipart { .. }) {
            let nth = usize::try_from(n.get() - 1).ok()?;
            index = tree.children(p).nth(nth)?;
        } else if n.get() == 1 {
            index = p;
        } else {
            return None;
        }
    }
    Some(index)
}

/// `msg[a..b]` as IMAP serves it: a zero-copy slice when it holds neither a bare LF nor a
/// NUL, else a copy with bare LF made CRLF and NUL made 0x80 (a `literal` cannot hold NUL,
/// RFC 9051 §4.3; Dovecot substitutes 0x80 the same way).
pub(super) fn served(message: &Bytes, a: usize, b: usize, keep_nul: bool) -> Bytes {
    let Some(slice) = message.get(a..b) else {
        return Bytes::new();
    };
    let bare_lf = memchr::memchr_iter(b'\n', slice).any(|i| {
        if i == 0 {
            a == 0 || message.get(a - 1) != Some(&b'\r')
        } else {
            slice.get(i - 1) != Some(&b'\r')
        }
    });
    let nul = !keep_nul && memchr::memchr(0, slice).is_some();
    if !bare_lf && !nul {
        return message.slice(a..b);
    }
    let mut out = BytesMut::with_capacity(slice.len() + slice.len() / 32);
    for (i, &c) in slice.iter().enumerate() {
        match c {
            b'\n' => {
                let prev_cr = if i == 0 {
                    a > 0 && message.get(a - 1) == Some(&b'\r')
                } else {
                    slice.get(i - 1) == Some(&b'\r')
                };
                if !prev_cr {
                    out.extend_from_slice(b"\r");
                }
                out.extend_from_slice(b"\n");
            }
            0 if !keep_nul => out.extend_from_slice(&[0x80]),
            _ => out.extend_from_slice(&[c]),
        }
    }
    out.freeze()
}

/// The header fields of part `index` whose names are (or, with `not`, are not) in `names`,
/// in message order, then the empty line that ends the header (RFC 9051 §6.4.5
/// HEADER.FIELDS: "the blank line is always included as part of the header data, except
/// in the case of a message that has no body and no blank line").
fn header_fields(tree: &MimeTree, index: usize, names: &[&[u8]], not: bool) -> Bytes {
    let mut out = BytesMut::new();
    let Some(part) = tree.part(index) else {
        return Bytes::new();
    };
    // The header ends where the body starts: a line end taken by a boundary is not in it.
    let header_end = part.body_start();
    let mut fields_end = part.header_start();
    for f in tree.fields(index) {
        let end = f.end().min(header_end);
        fields_end = end;
        let name = tree.name(f);
        let listed = f.has_colon() && names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if listed != not {
            out.extend_from_slice(&served(tree.message(), f.start(), end, false));
        }
    }
    // The empty line that ended the header; HEADER.FIELDS adds one when the header had
    // none, HEADER.FIELDS.NOT does not (as Dovecot answers).
    let eoh = served(tree.message(), fields_end, header_end, false);
    if eoh.is_empty() && !not {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&eoh);
    out.freeze()
}

/// The octets of `section` (RFC 9051 §6.4.5); empty when the part does not exist, as
/// Dovecot answers.
pub(super) fn section(tree: &MimeTree, section: &Section) -> Bytes {
    let msg = tree.message();
    let Some(index) = find_part(tree, section.part()) else {
        return Bytes::new();
    };
    let Some(part) = tree.part(index) else {
        return Bytes::new();
    };
    // HEADER, TEXT and HEADER.FIELDS of a part name its embedded message.
    let message_index = || {
        if section.part().is_empty() {
            Some(0)
        } else if part.kind() == PartKind::Message {
            tree.children(index).next()
        } else {
            None
        }
    };
    match section.text() {
        None if section.part().is_empty() => served(msg, 0, msg.len(), false),
        None => served(msg, part.body_start(), part.end(), false),
        Some(SectionText::Mime) => served(msg, part.header_start(), part.body_start(), false),
        Some(SectionText::Header) => match message_index().and_then(|i| tree.part(i)) {
            Some(m) => served(msg, m.header_start(), m.body_start(), false),
            None => Bytes::new(),
        },
        Some(SectionText::Text) => match message_index().and_then(|i| tree.part(i)) {
            Some(m) => served(msg, m.body_start(), m.end(), false),
            None => Bytes::new(),
        },
        Some(SectionText::HeaderFields(list) | SectionText::HeaderFieldsNot(list)) => {
            let not = matches!(section.text(), Some(SectionText::HeaderFieldsNot(_)));
            let names: Vec<&[u8]> = list.iter().map(|n| &n.as_bytes()[..]).collect();
            match message_index() {
                Some(i) => header_fields(tree, i, &names, not),
                None => Bytes::new(),
            }
        }
    }
}

/// Why BINARY content cannot be given (RFC 3516 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BinaryError {
    /// The part's Content-Transfer-Encoding is not one the server decodes: answered with
    /// the `UNKNOWN-CTE` response code.
    #[error("unknown content transfer encoding")]
    UnknownCte,
    /// The encoded body is broken.
    #[error(transparent)]
    Invalid(#[from] DecodeError),
}

/// A reader of a part's decoded content (RFC 3516 `BINARY[part]`): yields the octets in
/// chunks, decoding a bounded piece of the encoded body at a time, so a large attachment is
/// never decoded into one buffer.
#[derive(Debug, Clone)]
pub struct BinaryReader {
    message: Bytes,
    pos: usize,
    end: usize,
    decoder: Decoder,
    identity: bool,
    finished: bool,
}

/// How much encoded input one chunk decodes.
const CHUNK: usize = 64 * 1024;

impl BinaryReader {
    /// Returns the next decoded chunk, `Ok(None)` at the end.
    ///
    /// # Errors
    /// [`DecodeError`] when the encoded body is broken.
    pub fn next_chunk(&mut self) -> Result<Option<Bytes>, DecodeError> {
        if self.finished {
            return Ok(None);
        }
        if self.identity {
            self.finished = true;
            return Ok(Some(served(&self.message, self.pos, self.end, true)));
        }
        let mut out = Vec::new();
        while out.is_empty() && !self.finished {
            let to = self.end.min(self.pos + CHUNK);
            let input = self.message.get(self.pos..to).unwrap_or_default();
            self.decoder.feed(input, &mut out)?;
            self.pos = to;
            if self.pos >= self.end {
                self.decoder.finish(&mut out)?;
                self.finished = true;
            }
        }
        Ok(Some(Bytes::from(out)))
    }

    /// Reads everything that is left into one buffer.
    ///
    /// # Errors
    /// As [`next_chunk`](Self::next_chunk).
    pub fn read_all(mut self) -> Result<Bytes, DecodeError> {
        let mut all = BytesMut::new();
        while let Some(chunk) = self.next_chunk()? {
            if all.is_empty() && self.finished {
                return Ok(chunk);
            }
            all.extend_from_slice(&chunk);
        }
        Ok(all.freeze())
    }
}

/// A reader of the decoded content of the part `path` names (RFC 3516 §4.2); the empty path
/// is the whole message, not decoded.
pub(super) fn binary(tree: &MimeTree, path: &[NonZeroU32]) -> Result<BinaryReader, BinaryError> {
    let message = tree.message().clone();
    if path.is_empty() {
        let end = message.len();
        return Ok(BinaryReader {
            message,
            pos: 0,
            end,
            decoder: Decoder::new(Encoding::Identity),
            identity: true,
            finished: false,
        });
    }
    // A part that does not exist has no content (Dovecot answers it empty).
    let Some(part) = find_part(tree, path).and_then(|i| tree.part(i).map(|p| (i, p))) else {
        return Ok(BinaryReader {
            message,
            pos: 0,
            end: 0,
            decoder: Decoder::new(Encoding::Identity),
            identity: true,
            finished: false,
        });
    };
    let (index, part) = part;
    let encoding = binary_encoding(tree, index)
        .and_then(|e| Encoding::from_mechanism(&e))
        .ok_or(BinaryError::UnknownCte)?;
    Ok(BinaryReader {
        message,
        pos: part.body_start(),
        end: part.end(),
        decoder: Decoder::new(encoding),
        identity: encoding == Encoding::Identity,
        finished: false,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const M: &str = "From: a@b\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nplain\r\n--c\r\nContent-Type: text/html\r\n\r\n<p>\r\n--c--\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =\r\nau lait\r\n--b\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--b--\r\n";

    fn tree() -> MimeTree {
        MimeTree::parse(Bytes::from_static(M.as_bytes()))
    }

    fn sec(t: &MimeTree, s: &str) -> String {
        let s = Section::parse(s.as_bytes()).unwrap();
        String::from_utf8(section(t, &s).to_vec()).unwrap()
    }

    fn path(p: &[u32]) -> Vec<NonZeroU32> {
        p.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect()
    }

    #[test]
    fn whole_header_text_and_mime() {
        let t = tree();
        assert_eq!(sec(&t, "[]"), M);
        assert_eq!(
            sec(&t, "[HEADER]"),
            "From: a@b\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        );
        assert!(sec(&t, "[TEXT]").starts_with("pre\r\n--b\r\n"));
        assert_eq!(sec(&t, "[1]"), "one");
        assert_eq!(sec(&t, "[1.MIME]"), "Content-Type: text/plain\r\n\r\n");
        assert_eq!(sec(&t, "[2.MIME]"), "Content-Type: message/rfc822\r\n\r\n");
    }

    #[test]
    fn header_fields_and_fields_not() {
        let t = tree();
        assert_eq!(
            sec(&t, "[HEADER.FIELDS (subject FROM)]"),
            "From: a@b\r\nSubject: s\r\n\r\n"
        );
        assert_eq!(
            sec(&t, "[HEADER.FIELDS.NOT (From Subject Content-Type)]"),
            "MIME-Version: 1.0\r\n\r\n"
        );
        // The blank line is always there, even when no field matched.
        assert_eq!(sec(&t, "[HEADER.FIELDS (X-None)]"), "\r\n");
        // Of an embedded message.
        assert_eq!(
            sec(&t, "[2.HEADER.FIELDS (Subject)]"),
            "Subject: inner\r\n\r\n"
        );
    }

    #[test]
    fn nested_parts_enter_message_rfc822() {
        let t = tree();
        assert_eq!(sec(&t, "[2.1]"), "plain");
        assert_eq!(sec(&t, "[2.2]"), "<p>");
        assert_eq!(sec(&t, "[2.2.MIME]"), "Content-Type: text/html\r\n\r\n");
        assert!(sec(&t, "[2.HEADER]").starts_with("Subject: inner\r\n"));
        assert!(sec(&t, "[2.TEXT]").starts_with("--c\r\n"));
        // A part that does not exist is empty, as Dovecot answers.
        assert_eq!(sec(&t, "[9]"), "");
        assert_eq!(sec(&t, "[1.2]"), "");
        assert_eq!(find_part(&t, &path(&[1, 1])), find_part(&t, &path(&[1])));
    }

    #[test]
    fn sections_are_zero_copy_slices() {
        let t = tree();
        let one = section(&t, &Section::parse(b"[1]").unwrap());
        let base = t.message().as_ptr() as usize;
        let at = one.as_ptr() as usize;
        assert!(at >= base && at + one.len() <= base + t.message().len());
    }

    #[test]
    fn bare_lf_and_nul_are_served_as_crlf_and_0x80() {
        let t = MimeTree::parse(Bytes::from_static(b"Subject: x\n\na\0b\nc\r\n"));
        let text = section(&t, &Section::parse(b"[TEXT]").unwrap());
        assert_eq!(&text[..], b"a\x80b\r\nc\r\n");
        assert_eq!(
            &section(&t, &Section::parse(b"[HEADER]").unwrap())[..],
            b"Subject: x\r\n\r\n"
        );
    }

    #[test]
    fn binary_decodes_base64_and_qp_in_chunks() {
        let t = tree();
        let all = |p: &[u32]| binary(&t, &path(p)).unwrap().read_all().unwrap();
        assert_eq!(&all(&[3])[..], b"hello");
        assert_eq!(&all(&[4])[..], b"caf\xe9 au lait");
        // Identity is served as it is.
        assert_eq!(&all(&[1])[..], b"one");
        // An unknown encoding is UNKNOWN-CTE (RFC 3516 §4.3).
        assert_eq!(binary(&t, &path(&[5])).err(), Some(BinaryError::UnknownCte));
        // A long base64 body is decoded a bounded chunk at a time.
        let line = "QUJD".repeat(19) + "\r\n";
        let body = line.repeat(4000);
        let m = format!("Content-Transfer-Encoding: base64\r\nMIME-Version: 1.0\r\n\r\n{body}");
        let t = MimeTree::parse(Bytes::from(m));
        let mut reader = binary(&t, &path(&[1])).unwrap();
        let (mut chunks, mut total) = (0, 0);
        while let Some(c) = reader.next_chunk().unwrap() {
            assert!(c.len() <= CHUNK);
            chunks += 1;
            total += c.len();
        }
        assert!(chunks > 1);
        assert_eq!(total, 4000 * 57);
    }

    #[test]
    fn broken_encoding_is_an_error() {
        let t = MimeTree::parse(Bytes::from_static(
            b"MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs*\r\n",
        ));
        let r = binary(&t, &path(&[1])).unwrap().read_all();
        assert!(matches!(r, Err(DecodeError::Invalid { .. })));
    }
}

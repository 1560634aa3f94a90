//! What an IMAP server answers about a stored message: ENVELOPE, BODYSTRUCTURE and BODY,
//! body sections, BINARY content and sizes, and what SEARCH needs (RFC 9051 §6.4.4,
//! §6.4.5, §7.5.2, RFC 3516), computed from the raw message as Dovecot computes them.
//!
//! [`MessageStructure::parse`] walks the message once ([`mail_core::mime::MimeTree`]); the
//! products are then computed on demand and returned as the response types of
//! [`crate::response`], ready for a [`FetchItem`](crate::response::FetchItem).
//!
//! ```
//! use bytes::Bytes;
//! use imap_proto::message::MessageStructure;
//! use imap_proto::types::{Encode, Section};
//!
//! let msg = MessageStructure::parse(Bytes::from_static(
//!     b"From: Ann <ann@example.com>\r\nSubject: hi\r\n\r\nHello\r\n",
//! ));
//! assert_eq!(
//!     msg.body_structure(false).to_wire(),
//!     b"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 7 1)"
//! );
//! assert_eq!(msg.envelope().subject.0.unwrap().as_bytes(), "hi");
//! assert_eq!(msg.section(&Section::parse(b"[TEXT]").unwrap()), "Hello\r\n");
//! assert_eq!(msg.rfc822_size(), 51);
//! ```

mod body_structure;
mod envelope;
mod search;
mod section;
mod text;

use core::num::NonZeroU32;

use bytes::Bytes;
use mail_core::mime::{Limits, MimeTree};

use crate::response::{BodyStructure, Envelope};
use crate::types::{Date, Partial, Section};

pub use search::HeaderSearch;
pub use section::{BinaryError, BinaryReader};

/// A message walked into its MIME structure, answering FETCH and SEARCH about it.
///
/// Sections are served with CRLF line ends and NUL as 0x80, as IMAP requires; for a message
/// stored with CRLF and without NUL (the usual case), every section is a zero-copy slice of
/// the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStructure {
    tree: MimeTree,
}

impl MessageStructure {
    /// Walks `message` with Dovecot's limits (nesting 100, 10 000 parts).
    pub fn parse(message: Bytes) -> Self {
        Self {
            tree: MimeTree::parse(message),
        }
    }

    /// Walks `message` within `limits`.
    pub fn parse_with(message: Bytes, limits: &Limits) -> Self {
        Self {
            tree: MimeTree::parse_with(message, limits),
        }
    }

    /// The part tree.
    pub const fn tree(&self) -> &MimeTree {
        &self.tree
    }

    /// ENVELOPE (RFC 9051 §7.5.2) of the message.
    pub fn envelope(&self) -> Envelope {
        envelope::envelope(&self.tree, 0)
    }

    /// BODYSTRUCTURE (`extended`, with MD5, disposition, language and location) or BODY
    /// (RFC 9051 §7.5.2).
    pub fn body_structure(&self, extended: bool) -> BodyStructure {
        body_structure::body_structure(&self.tree, 0, extended)
    }

    /// RFC822.SIZE: the message's size with CRLF line ends (RFC 9051 §2.3.4).
    pub fn rfc822_size(&self) -> u64 {
        let root = self.tree.root();
        root.header_size().octets + root.body_size().octets
    }

    /// The index in [`tree`](Self::tree) of the part `path` names (RFC 9051 §6.4.5
    /// `section-part`); the empty path is the message.
    pub fn find_part(&self, path: &[NonZeroU32]) -> Option<usize> {
        section::find_part(&self.tree, path)
    }

    /// The octets of `BODY[section]`: empty when the part does not exist (as Dovecot
    /// answers).
    pub fn section(&self, section: &Section) -> Bytes {
        section::section(&self.tree, section)
    }

    /// `BODY[section]<partial>`: the substring of the section (RFC 9051 §6.4.5), and the
    /// origin to answer with.
    pub fn section_partial(&self, section: &Section, partial: Option<Partial>) -> Bytes {
        let data = self.section(section);
        cut(data, partial)
    }

    /// A reader of `BINARY[path]` (RFC 3516 §4.2): the part's content decoded from its
    /// Content-Transfer-Encoding, in chunks.
    ///
    /// # Errors
    /// [`BinaryError::UnknownCte`] for an encoding the server cannot decode (answer with
    /// `[UNKNOWN-CTE]`, RFC 3516 §4.3). A part that does not exist reads as empty, as
    /// Dovecot answers; [`find_part`](Self::find_part) tells whether it exists.
    pub fn binary(&self, path: &[NonZeroU32]) -> Result<BinaryReader, BinaryError> {
        section::binary(&self.tree, path)
    }

    /// `BINARY.SIZE[path]` (RFC 3516 §4.2): the decoded size, found by decoding in chunks.
    ///
    /// # Errors
    /// As [`binary`](Self::binary), and [`BinaryError::Invalid`] for a broken encoding.
    pub fn binary_size(&self, path: &[NonZeroU32]) -> Result<u64, BinaryError> {
        let mut reader = self.binary(path)?;
        let mut size = 0u64;
        while let Some(chunk) = reader.next_chunk()? {
            size += chunk.len() as u64;
        }
        Ok(size)
    }

    /// SEARCH HEADER `name` `needle` (RFC 9051 §6.4.4), and FROM, TO, CC, BCC and SUBJECT,
    /// which are HEADER searches of those fields: a field of that name in the message header
    /// whose unfolded value, encoded words decoded wherever they stand, contains `needle`,
    /// ignoring case. An address field is matched in its parsed form (`name
    /// <mailbox@domain>`, as Dovecot matches it), so what its parser could not read is not
    /// found.
    ///
    /// To search many messages for one key, prepare it once with [`HeaderSearch::new`] and
    /// call [`header_matches`](Self::header_matches).
    pub fn header_contains(&self, name: &str, needle: &str) -> bool {
        HeaderSearch::new(name, needle).matches(&self.tree)
    }

    /// [`header_contains`](Self::header_contains) with a key prepared once for many
    /// messages; the same answer.
    pub fn header_matches(&self, key: &HeaderSearch) -> bool {
        key.matches(&self.tree)
    }

    /// SEARCH BODY `needle`: a `text/*` or `message/*` part (or one without a usable type)
    /// whose content, decoded from its transfer encoding (a broken one as far as it decodes)
    /// and charset (UTF-8, US-ASCII, ISO-8859-1/15, Windows-1252), contains `needle`,
    /// ignoring case. Preamble, epilogue and other media types are not searched, as in
    /// Dovecot.
    pub fn body_contains(&self, needle: &str) -> bool {
        search::body_contains(&self.tree, needle)
    }

    /// SEARCH TEXT `needle`: the header of the message or of any part in it, or the body
    /// (as [`body_contains`](Self::body_contains)) contains it.
    pub fn text_contains(&self, needle: &str) -> bool {
        search::text_contains(&self.tree, needle)
    }

    /// The calendar date of the last `Date:` field, time and zone disregarded; `None` when
    /// it is missing or cannot be read.
    pub fn sent_date(&self) -> Option<Date> {
        search::sent_date(&self.tree)
    }

    /// SEARCH SENTBEFORE `date` (RFC 9051 §6.4.4): the `Date:` field, disregarding time and
    /// timezone, is earlier than `date`. A message without a readable `Date:` counts as sent
    /// on 1 January 1970, as Dovecot counts it.
    pub fn sent_before(&self, date: Date) -> bool {
        search::search_sent_date(&self.tree) < date
    }

    /// SEARCH SENTON `date` (RFC 9051 §6.4.4), read as [`sent_before`](Self::sent_before).
    pub fn sent_on(&self, date: Date) -> bool {
        search::search_sent_date(&self.tree) == date
    }

    /// SEARCH SENTSINCE `date` (RFC 9051 §6.4.4): on or after `date`, read as
    /// [`sent_before`](Self::sent_before).
    pub fn sent_since(&self, date: Date) -> bool {
        search::search_sent_date(&self.tree) >= date
    }
}

/// The `<origin.count>` substring of `data` (RFC 9051 §6.4.5).
fn cut(data: Bytes, partial: Option<Partial>) -> Bytes {
    let Some(p) = partial else {
        return data;
    };
    let start = usize::try_from(p.offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let len = usize::try_from(p.length.get()).unwrap_or(usize::MAX);
    data.slice(start..start.saturating_add(len).min(data.len()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use core::num::NonZeroU64;

    fn msg(m: &'static str) -> MessageStructure {
        MessageStructure::parse(Bytes::from_static(m.as_bytes()))
    }

    #[test]
    fn partial_is_a_substring_of_the_section() {
        let m = msg("Subject: x\r\n\r\n0123456789");
        let text = Section::parse(b"[TEXT]").unwrap();
        let p = |offset, length| {
            Some(Partial {
                offset,
                length: NonZeroU64::new(length).unwrap(),
            })
        };
        assert_eq!(m.section_partial(&text, p(2, 3)), "234");
        // A count past the end stops at the end; an origin past the end gives nothing.
        assert_eq!(m.section_partial(&text, p(8, 100)), "89");
        assert_eq!(m.section_partial(&text, p(100, 1)), "");
        assert_eq!(m.section_partial(&text, None), "0123456789");
    }

    #[test]
    fn rfc822_size_counts_line_ends_as_crlf() {
        assert_eq!(msg("Subject: x\r\n\r\nbody\r\n").rfc822_size(), 20);
        assert_eq!(msg("Subject: x\n\nbody\n").rfc822_size(), 20);
    }

    #[test]
    fn binary_size_is_the_decoded_size() {
        let m = msg(
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b\r\nContent-Transfer-Encoding: x-custom\r\n\r\n??\r\n--b--\r\n",
        );
        let one = [NonZeroU32::MIN];
        assert_eq!(m.binary_size(&one).unwrap(), 5);
        let two = [NonZeroU32::new(2).unwrap()];
        assert_eq!(m.binary_size(&two), Err(BinaryError::UnknownCte));
        // A part that does not exist reads as empty; find_part tells that it is missing.
        let nine = [NonZeroU32::new(9).unwrap()];
        assert_eq!(m.binary_size(&nine).unwrap(), 0);
        assert_eq!(m.find_part(&nine), None);
    }
}

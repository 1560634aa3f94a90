//! Arguments of the mailbox commands: SELECT parameters (RFC 7162), CREATE's USE
//! (RFC 6154), LIST options (RFC 5258, RFC 6154, RFC 5819) and STATUS items (RFC 9051
//! §6.3.11, RFC 7162, RFC 8438).

use core::num::NonZeroU32;

use crate::types::parser::{PResult, Parser, Upper};
use crate::types::{Atom, Encode, Encoder, SequenceSet};

/// The QRESYNC parameter of SELECT / EXAMINE (RFC 7162 §3.2.5).
///
/// ```abnf
/// select-param   =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
///                   [SP seq-match-data] ")"
/// known-uids     = sequence-set
/// seq-match-data = "(" known-sequence-set SP known-uid-set ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QResync {
    /// The last known UIDVALIDITY.
    pub uid_validity: NonZeroU32,
    /// The last known mod-sequence.
    pub mod_seq: u64,
    /// The UIDs the client knows.
    pub known_uids: Option<SequenceSet>,
    /// Message numbers and the UIDs they map to.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// The parameters of SELECT and EXAMINE (RFC 4466 §2.1, RFC 7162).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SelectParams {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    pub condstore: bool,
    /// `QRESYNC (…)` (RFC 7162 §3.2.5).
    pub qresync: Option<QResync>,
}

impl SelectParams {
    pub(crate) const fn is_empty(&self) -> bool {
        !self.condstore && self.qresync.is_none()
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mut params = Self::default();
        p.list(true, |p| {
            if p.keyword(b"CONDSTORE") {
                params.condstore = true;
            } else if p.keyword(b"QRESYNC") {
                p.sp()?;
                p.byte(b'(', "'('")?;
                let at = p.pos();
                let uid_validity = p.nz_number()?;
                p.sp()?;
                let mod_seq = p.number64()?;
                if mod_seq == 0 {
                    return Err(p.invalid(at, "mod-sequence-value"));
                }
                let mut q = QResync {
                    uid_validity,
                    mod_seq,
                    known_uids: None,
                    seq_match: None,
                };
                if p.eat_sp() && p.peek() != Some(b'(') && p.peek() != Some(b')') {
                    q.known_uids = Some(SequenceSet::read(p)?);
                    p.eat_sp();
                }
                if p.eat(b'(') {
                    let seqs = SequenceSet::read(p)?;
                    p.sp()?;
                    let uids = SequenceSet::read(p)?;
                    p.byte(b')', "')'")?;
                    q.seq_match = Some((seqs, uids));
                }
                p.eat_sp();
                p.byte(b')', "')' closing QRESYNC")?;
                params.qresync = Some(q);
            } else {
                return Err(p.err("CONDSTORE or QRESYNC"));
            }
            Ok(())
        })?;
        Ok(params)
    }
}

impl Encode for SelectParams {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"(");
        if self.condstore {
            out.raw(b"CONDSTORE");
            if self.qresync.is_some() {
                out.sp();
            }
        }
        if let Some(q) = &self.qresync {
            out.raw(b"QRESYNC (");
            out.number(u64::from(q.uid_validity.get()));
            out.sp();
            out.number(q.mod_seq);
            if let Some(k) = &q.known_uids {
                out.sp();
                k.encode(out);
            }
            if let Some((s, u)) = &q.seq_match {
                out.raw(b" (");
                s.encode(out);
                out.sp();
                u.encode(out);
                out.raw(b")");
            }
            out.raw(b")");
        }
        out.raw(b")");
    }
}

/// A special-use attribute (RFC 6154 §2), for CREATE's `USE` and LIST's selection.
///
/// ```abnf
/// use-attr = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" / "\Trash" / use-attr-ext
/// use-attr-ext = "\" atom
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpecialUse {
    /// `\All`.
    All,
    /// `\Archive`.
    Archive,
    /// `\Drafts`.
    Drafts,
    /// `\Flagged`.
    Flagged,
    /// `\Junk`.
    Junk,
    /// `\Sent`.
    Sent,
    /// `\Trash`.
    Trash,
    /// Another `\Name` (without the backslash; not one of the above).
    Other(Atom),
}

impl SpecialUse {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'\\', "'\\' starting a special-use attribute")?;
        let a = Atom::read(p)?;
        Ok(match Upper::new(a.as_str().as_bytes()).as_bytes() {
            b"ALL" => Self::All,
            b"ARCHIVE" => Self::Archive,
            b"DRAFTS" => Self::Drafts,
            b"FLAGGED" => Self::Flagged,
            b"JUNK" => Self::Junk,
            b"SENT" => Self::Sent,
            b"TRASH" => Self::Trash,
            _ => Self::Other(a),
        })
    }
}

impl Encode for SpecialUse {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::All => out.raw(b"\\All"),
            Self::Archive => out.raw(b"\\Archive"),
            Self::Drafts => out.raw(b"\\Drafts"),
            Self::Flagged => out.raw(b"\\Flagged"),
            Self::Junk => out.raw(b"\\Junk"),
            Self::Sent => out.raw(b"\\Sent"),
            Self::Trash => out.raw(b"\\Trash"),
            Self::Other(a) => {
                out.raw(b"\\");
                a.encode(out);
            }
        }
    }
}

/// A STATUS data item (RFC 9051 §6.3.11, RFC 3501, RFC 7162, RFC 8438).
///
/// ```abnf
/// status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE"
/// status-att =/ "RECENT"          ; RFC 3501
/// status-att =/ "HIGHESTMODSEQ"   ; RFC 7162
/// status-att =/ "DELETED-STORAGE" ; RFC 9208
/// status-att =/ "MAILBOXID"       ; RFC 8474
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusItem {
    /// `MESSAGES`.
    Messages,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`.
    Unseen,
    /// `DELETED`.
    Deleted,
    /// `SIZE`.
    Size,
    /// `RECENT` (RFC 3501).
    Recent,
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq,
    /// `DELETED-STORAGE` (RFC 9208 §4.2.5).
    DeletedStorage,
    /// `MAILBOXID` (RFC 8474 §4).
    MailboxId,
}

impl StatusItem {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let w = Upper::new(p.atom()?);
        Ok(match w.as_bytes() {
            b"MESSAGES" => Self::Messages,
            b"UIDNEXT" => Self::UidNext,
            b"UIDVALIDITY" => Self::UidValidity,
            b"UNSEEN" => Self::Unseen,
            b"DELETED" => Self::Deleted,
            b"SIZE" => Self::Size,
            b"RECENT" => Self::Recent,
            b"HIGHESTMODSEQ" => Self::HighestModSeq,
            b"DELETED-STORAGE" => Self::DeletedStorage,
            b"MAILBOXID" => Self::MailboxId,
            _ => return Err(crate::error::ParseError::syntax(at, "status-att")),
        })
    }

    /// Returns the item's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Messages => "MESSAGES",
            Self::UidNext => "UIDNEXT",
            Self::UidValidity => "UIDVALIDITY",
            Self::Unseen => "UNSEEN",
            Self::Deleted => "DELETED",
            Self::Size => "SIZE",
            Self::Recent => "RECENT",
            Self::HighestModSeq => "HIGHESTMODSEQ",
            Self::DeletedStorage => "DELETED-STORAGE",
            Self::MailboxId => "MAILBOXID",
        }
    }
}

impl Encode for StatusItem {
    fn encode(&self, out: &mut Encoder) {
        out.raw(self.as_str().as_bytes());
    }
}

/// A LIST selection option (RFC 5258 §3.1, RFC 6154 §5.2).
///
/// ```abnf
/// list-select-base-opt = "SUBSCRIBED" / option-extension
/// list-select-mod-opt  = "RECURSIVEMATCH" / option-extension
/// list-select-independent-opt = "REMOTE" / option-extension
/// list-select-opt =/ "SPECIAL-USE"                  ; RFC 6154
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListSelectOption {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// Another option without a value, as sent (not one of the above).
    Other(Atom),
}

impl ListSelectOption {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let a = Atom::read(p)?;
        Ok(match Upper::new(a.as_str().as_bytes()).as_bytes() {
            b"SUBSCRIBED" => Self::Subscribed,
            b"REMOTE" => Self::Remote,
            b"RECURSIVEMATCH" => Self::RecursiveMatch,
            b"SPECIAL-USE" => Self::SpecialUse,
            _ => Self::Other(a),
        })
    }
}

impl Encode for ListSelectOption {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Subscribed => out.raw(b"SUBSCRIBED"),
            Self::Remote => out.raw(b"REMOTE"),
            Self::RecursiveMatch => out.raw(b"RECURSIVEMATCH"),
            Self::SpecialUse => out.raw(b"SPECIAL-USE"),
            Self::Other(a) => a.encode(out),
        }
    }
}

/// A LIST return option (RFC 5258 §3.2, RFC 6154 §5.2, RFC 5819).
///
/// ```abnf
/// return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" /
///                 "STATUS" SP "(" status-att *(SP status-att) ")" / option-extension
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListReturnOption {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `CHILDREN`.
    Children,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// `STATUS (…)` (LIST-STATUS, RFC 5819): at least one item.
    Status(Vec<StatusItem>),
    /// Another option without a value, as sent (not one of the above).
    Other(Atom),
}

impl ListReturnOption {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let a = Atom::read(p)?;
        Ok(match Upper::new(a.as_str().as_bytes()).as_bytes() {
            b"SUBSCRIBED" => Self::Subscribed,
            b"CHILDREN" => Self::Children,
            b"SPECIAL-USE" => Self::SpecialUse,
            b"STATUS" => {
                p.sp()?;
                Self::Status(p.list(true, StatusItem::read)?)
            }
            _ => Self::Other(a),
        })
    }
}

impl Encode for ListReturnOption {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Subscribed => out.raw(b"SUBSCRIBED"),
            Self::Children => out.raw(b"CHILDREN"),
            Self::SpecialUse => out.raw(b"SPECIAL-USE"),
            Self::Status(items) => {
                out.raw(b"STATUS ");
                encode_list(items, out);
            }
            Self::Other(a) => a.encode(out),
        }
    }
}

/// Writes `"(" item *(SP item) ")"`.
pub(crate) fn encode_list<T: Encode>(items: &[T], out: &mut Encoder) {
    out.raw(b"(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.sp();
        }
        item.encode(out);
    }
    out.raw(b")");
}

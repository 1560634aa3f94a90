//! Arguments of the mailbox commands: SELECT parameters (RFC 7162), CREATE's USE
//! (RFC 6154), LIST options (RFC 5258, RFC 6154, RFC 5819) and STATUS items (RFC 9051
//! §6.3.11, RFC 7162, RFC 8438).

use core::num::NonZeroU32;

use crate::error::ValueError;
use crate::response::ExtValue;
use crate::types::parser::{PResult, Parser, Upper};
use crate::types::{Atom, Encode, Encoder, SequenceSet, short_text};

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

/// Whether `b` may start a `tagged-ext-label` (RFC 4466 §2.1).
const fn is_label_fchar(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.')
}

/// Whether `b` may continue a `tagged-ext-label` (RFC 4466 §2.1).
const fn is_label_char(b: u8) -> bool {
    is_label_fchar(b) || b.is_ascii_digit() || b == b':'
}

/// Whether a parameter value starts with `b`: a list, or the `tagged-ext-simple` forms
/// (`sequence-set`, `number`; `$` of RFC 5182). A label never starts so, which is what tells
/// a value from the next parameter's name.
const fn starts_value(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'(' | b'*' | b'$')
}

/// Whether `v` encodes as a value [`starts_value`] recognises, so that it reads back.
fn is_param_value(v: &ExtValue) -> bool {
    match v {
        ExtValue::List(_) => true,
        ExtValue::Token(t) => t.first().is_some_and(|&b| starts_value(b)),
        _ => false,
    }
}

/// A SELECT / EXAMINE parameter this crate does not type (RFC 4466 §2.1), kept for the
/// application, which answers `BAD` to one it does not support.
///
/// ```abnf
/// select-param       = select-param-name [SP select-param-value]
/// select-param-name  = tagged-ext-label
/// select-param-value = tagged-ext-val
/// tagged-ext-label   = tagged-label-fchar *tagged-label-char
/// tagged-label-fchar = ALPHA / "-" / "_" / "."
/// tagged-label-char  = tagged-label-fchar / DIGIT / ":"
/// tagged-ext-val     = tagged-ext-simple / "(" [tagged-ext-comp] ")"
/// tagged-ext-simple  = sequence-set / number
/// ```
///
/// `CONDSTORE` and `QRESYNC` are never held here: they are the typed fields of
/// [`SelectParams`]. Tolerance: `$` (RFC 5182) as a simple value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SelectParam {
    name: Atom,
    value: Option<ExtValue>,
}

impl SelectParam {
    /// Returns a parameter.
    ///
    /// # Errors
    /// [`ValueError`] when `name` is not a `tagged-ext-label`, is `CONDSTORE` or `QRESYNC`
    /// (typed in [`SelectParams`]), or `value` is a string or a token that is not a
    /// `tagged-ext-simple` (it would read back as the next parameter's name).
    pub fn new(name: Atom, value: Option<ExtValue>) -> Result<Self, ValueError> {
        let bytes = name.as_str().as_bytes();
        if let Some(offset) = bytes.iter().enumerate().position(|(i, &b)| {
            if i == 0 {
                !is_label_fchar(b)
            } else {
                !is_label_char(b)
            }
        }) {
            return Err(ValueError::Byte {
                what: "tagged-ext-label",
                byte: bytes.get(offset).copied().unwrap_or_default(),
                offset,
            });
        }
        if bytes.eq_ignore_ascii_case(b"CONDSTORE") || bytes.eq_ignore_ascii_case(b"QRESYNC") {
            return Err(ValueError::Range(
                "select-param-name (CONDSTORE and QRESYNC are typed)",
            ));
        }
        if value.as_ref().is_some_and(|v| !is_param_value(v)) {
            return Err(ValueError::Range("select-param-value"));
        }
        Ok(Self { name, value })
    }

    /// Returns the parameter's name, as sent.
    pub const fn name(&self) -> &Atom {
        &self.name
    }

    /// Returns the parameter's value.
    pub const fn value(&self) -> Option<&ExtValue> {
        self.value.as_ref()
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        if !p.peek().is_some_and(is_label_fchar) {
            return Err(p.err("select-param-name"));
        }
        p.take_while(is_label_char);
        let name = Atom(short_text(&p.slice(at, p.pos())));
        let save = p.pos();
        let value = if p.eat_sp() && p.peek().is_some_and(starts_value) {
            Some(ExtValue::read(p)?)
        } else {
            p.seek(save);
            None
        };
        Ok(Self { name, value })
    }
}

impl Encode for SelectParam {
    fn encode(&self, out: &mut Encoder) {
        self.name.encode(out);
        if let Some(v) = &self.value {
            out.sp();
            v.write(out);
        }
    }
}

/// The parameters of SELECT and EXAMINE (RFC 4466 §2.1, RFC 7162).
///
/// ```abnf
/// select-params = SP "(" select-param *(SP select-param) ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SelectParams {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    pub condstore: bool,
    /// `QRESYNC (…)` (RFC 7162 §3.2.5).
    pub qresync: Option<QResync>,
    /// The other parameters, in the order sent (RFC 4466 §2.1).
    pub other: Vec<SelectParam>,
}

impl SelectParams {
    pub(crate) fn is_empty(&self) -> bool {
        !self.condstore && self.qresync.is_none() && self.other.is_empty()
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
                params.other.push(SelectParam::read(p)?);
            }
            Ok(())
        })?;
        Ok(params)
    }
}

impl Encode for SelectParams {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"(");
        let mut first = true;
        let mut sep = |out: &mut Encoder| {
            if !core::mem::take(&mut first) {
                out.sp();
            }
        };
        if self.condstore {
            sep(out);
            out.raw(b"CONDSTORE");
        }
        if let Some(q) = &self.qresync {
            sep(out);
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
        for param in &self.other {
            sep(out);
            param.encode(out);
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
/// option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]
/// option-value     = "(" option-val-comp ")"
/// option-val-comp  = astring / option-val-comp *(SP option-val-comp) / "(" option-val-comp ")"
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
    /// Another option with its `option-value` (RFC 5258 §6): the items between the
    /// parentheses. Tolerance: `()` reads as an empty vector.
    OtherWithValue(Atom, Vec<ExtValue>),
}

/// Reads the `[SP option-value]` of an `option-extension` (RFC 5258 §6): a value is always
/// parenthesised, so `SP "("` after the name is a value, never the next option.
fn read_option_value(p: &mut Parser<'_>) -> PResult<Option<Vec<ExtValue>>> {
    let save = p.pos();
    if p.eat_sp() && p.peek() == Some(b'(') {
        p.list(false, ExtValue::read).map(Some)
    } else {
        p.seek(save);
        Ok(None)
    }
}

/// Writes `name [SP "(" value ")"]`.
fn write_option(name: &Atom, value: &[ExtValue], out: &mut Encoder) {
    name.encode(out);
    out.raw(b" (");
    for (i, v) in value.iter().enumerate() {
        if i > 0 {
            out.sp();
        }
        v.write(out);
    }
    out.raw(b")");
}

impl ListSelectOption {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let a = Atom::read(p)?;
        Ok(match Upper::new(a.as_str().as_bytes()).as_bytes() {
            b"SUBSCRIBED" => Self::Subscribed,
            b"REMOTE" => Self::Remote,
            b"RECURSIVEMATCH" => Self::RecursiveMatch,
            b"SPECIAL-USE" => Self::SpecialUse,
            _ => match read_option_value(p)? {
                Some(v) => Self::OtherWithValue(a, v),
                None => Self::Other(a),
            },
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
            Self::OtherWithValue(a, v) => write_option(a, v, out),
        }
    }
}

/// A LIST return option (RFC 5258 §3.2, RFC 6154 §5.2, RFC 5819).
///
/// ```abnf
/// return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" /
///                 "STATUS" SP "(" status-att *(SP status-att) ")" / option-extension
/// option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]
/// option-value     = "(" option-val-comp ")"
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
    /// Another option with its `option-value` (RFC 5258 §6): the items between the
    /// parentheses. Tolerance: `()` reads as an empty vector.
    OtherWithValue(Atom, Vec<ExtValue>),
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
            _ => match read_option_value(p)? {
                Some(v) => Self::OtherWithValue(a, v),
                None => Self::Other(a),
            },
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
            Self::OtherWithValue(a, v) => write_option(a, v, out),
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

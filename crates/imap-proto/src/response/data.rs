//! The data of untagged mailbox responses: LIST, NAMESPACE, STATUS, ESEARCH, THREAD, QUOTA,
//! METADATA and ID (RFC 9051 §7.2–§7.3 and the extensions).

use core::num::NonZeroU32;

use crate::command::{MetadataEntry, SpecialUse, StatusItem};
use crate::types::parser::{Encoder, PResult, Parser, Upper};
use crate::types::{
    AString, Atom, Encode, IString, Mailbox, NString, ObjectId, PartialRange, SequenceSet, Tag,
};

use super::value::{ExtValue, open, write_sp_separated};

/// A mailbox attribute of a LIST or LSUB response (RFC 9051 §7.3.1, RFC 5258 §3, RFC 6154 §2).
///
/// ```abnf
/// mbx-list-flags  = *(mbx-list-oflag SP) mbx-list-sflag *(SP mbx-list-oflag) / mbx-list-oflag *(SP mbx-list-oflag)
/// mbx-list-oflag  = "\Noinferiors" / child-mbox-flag / "\Subscribed" / "\Remote" / flag-extension
/// mbx-list-sflag  = "\NonExistent" / "\Noselect" / "\Marked" / "\Unmarked"
/// child-mbox-flag = "\HasChildren" / "\HasNoChildren"
/// mbx-list-oflag  =/ "\NoAccess"                                      ; RFC 5465 §8
/// use-attr        = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" / "\Trash"
/// ```
///
/// Matched case-insensitively. [`MailboxAttribute::SpecialUse`] never holds
/// [`SpecialUse::Other`]: unknown attributes are [`MailboxAttribute::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MailboxAttribute {
    /// `\Noinferiors`.
    NoInferiors,
    /// `\Noselect`.
    NoSelect,
    /// `\Marked`.
    Marked,
    /// `\Unmarked`.
    Unmarked,
    /// `\NonExistent`.
    NonExistent,
    /// `\Subscribed`.
    Subscribed,
    /// `\Remote`.
    Remote,
    /// `\HasChildren`.
    HasChildren,
    /// `\HasNoChildren`.
    HasNoChildren,
    /// `\NoAccess`: the user may not look at the mailbox (RFC 5465 §6).
    NoAccess,
    /// A special use (RFC 6154): `\Sent`, `\Trash`, ….
    SpecialUse(SpecialUse),
    /// Another `\Name` (without the backslash), never one of the names above.
    Other(Atom),
}

impl MailboxAttribute {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let save = p.pos();
        p.byte(b'\\', "'\\' starting a mailbox attribute")?;
        let name = p.atom()?;
        Ok(match Upper::new(name).as_bytes() {
            b"NOINFERIORS" => Self::NoInferiors,
            b"NOSELECT" => Self::NoSelect,
            b"MARKED" => Self::Marked,
            b"UNMARKED" => Self::Unmarked,
            b"NONEXISTENT" => Self::NonExistent,
            b"SUBSCRIBED" => Self::Subscribed,
            b"REMOTE" => Self::Remote,
            b"HASCHILDREN" => Self::HasChildren,
            b"HASNOCHILDREN" => Self::HasNoChildren,
            b"NOACCESS" => Self::NoAccess,
            _ => {
                p.seek(save);
                match SpecialUse::read(p)? {
                    SpecialUse::Other(a) => Self::Other(a),
                    known => Self::SpecialUse(known),
                }
            }
        })
    }
}

impl Encode for MailboxAttribute {
    fn encode(&self, e: &mut Encoder) {
        let name: &[u8] = match self {
            Self::NoInferiors => b"\\Noinferiors",
            Self::NoSelect => b"\\Noselect",
            Self::Marked => b"\\Marked",
            Self::Unmarked => b"\\Unmarked",
            Self::NonExistent => b"\\NonExistent",
            Self::Subscribed => b"\\Subscribed",
            Self::Remote => b"\\Remote",
            Self::HasChildren => b"\\HasChildren",
            Self::HasNoChildren => b"\\HasNoChildren",
            Self::NoAccess => b"\\NoAccess",
            Self::SpecialUse(s) => return s.encode(e),
            Self::Other(a) => {
                e.raw(b"\\");
                return a.encode(e);
            }
        };
        e.raw(name);
    }
}

/// An extended data item of a LIST response (RFC 5258 §3.5, RFC 9051 §7.3.1).
///
/// ```abnf
/// mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
/// mbox-list-oldname       = "OLDNAME" SP "(" mailbox ")"
/// childinfo-extended-item = "CHILDINFO" SP "(" list-select-base-opt-quoted *(SP list-select-base-opt-quoted) ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListExtendedItem {
    /// `CHILDINFO ("SUBSCRIBED" …)`: children match the selection options.
    ChildInfo(Vec<AString>),
    /// `OLDNAME (mailbox)`: the name before a RENAME.
    OldName(Mailbox),
    /// Another item: its tag (not `CHILDINFO` or `OLDNAME`) and value.
    Other(AString, ExtValue),
}

impl ListExtendedItem {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let tag = AString::read(p)?;
        p.sp()?;
        Ok(match Upper::new(tag.as_bytes()).as_bytes() {
            b"CHILDINFO" => Self::ChildInfo(p.list(true, AString::read)?),
            b"OLDNAME" => {
                p.byte(b'(', "'(' before the old name")?;
                p.eat_sp();
                let m = Mailbox::read(p)?;
                p.eat_sp();
                p.byte(b')', "')' after the old name")?;
                Self::OldName(m)
            }
            _ => Self::Other(tag, ExtValue::read(p)?),
        })
    }
}

impl Encode for ListExtendedItem {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::ChildInfo(opts) => {
                e.raw(b"CHILDINFO (");
                // "The selection options are always returned quoted" (RFC 9051 §9 note 2).
                for (i, o) in opts.iter().enumerate() {
                    if i > 0 {
                        e.sp();
                    }
                    e.string(o.as_bytes());
                }
                e.raw(b")");
            }
            Self::OldName(m) => {
                e.raw(b"OLDNAME (");
                m.encode(e);
                e.raw(b")");
            }
            Self::Other(tag, v) => {
                tag.encode(e);
                e.sp();
                v.write(e);
            }
        }
    }
}

/// The data of a LIST or LSUB response (RFC 9051 §7.3.1, RFC 3501 §7.2.3, RFC 5258).
///
/// ```abnf
/// mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
///                [SP mbox-list-extended]
/// mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxList {
    /// The attributes.
    pub attributes: Vec<MailboxAttribute>,
    /// The hierarchy delimiter; `None` for a flat name space (NIL).
    pub delimiter: Option<char>,
    /// The mailbox name, in wire form.
    pub mailbox: Mailbox,
    /// Extended data items (LIST-EXTENDED); an empty list is not sent.
    pub extended: Vec<ListExtendedItem>,
}

impl MailboxList {
    /// Returns the data of a LIST response without extended items.
    pub const fn new(
        attributes: Vec<MailboxAttribute>,
        delimiter: Option<char>,
        mailbox: Mailbox,
    ) -> Self {
        Self {
            attributes,
            delimiter,
            mailbox,
            extended: Vec::new(),
        }
    }
}

impl MailboxList {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let attributes = p.list(false, MailboxAttribute::read)?;
        p.sp()?;
        let delimiter = read_delimiter(p)?;
        p.sp()?;
        let mailbox = Mailbox::read(p)?;
        let mut extended = Vec::new();
        let save = p.pos();
        if p.eat_sp() && p.peek() == Some(b'(') {
            extended = p.list(false, ListExtendedItem::read)?;
        } else {
            p.seek(save);
        }
        Ok(Self {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
    }
}

/// Reads `DQUOTE QUOTED-CHAR DQUOTE / nil` as a character.
fn read_delimiter(p: &mut Parser<'_>) -> PResult<Option<char>> {
    if p.nil() {
        return Ok(None);
    }
    let at = p.pos();
    let q = p.quoted()?;
    let s = core::str::from_utf8(&q).map_err(|_| p.invalid(at, "UTF-8 delimiter"))?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some(c)),
        _ => Err(p.invalid(at, "one-character delimiter")),
    }
}

fn write_delimiter(e: &mut Encoder, d: Option<char>) {
    match d {
        None => e.raw(b"NIL"),
        Some(c) => {
            let mut buf = [0u8; 4];
            e.quoted(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

impl Encode for MailboxList {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        write_sp_separated(e, &self.attributes, MailboxAttribute::encode);
        e.raw(b") ");
        write_delimiter(e, self.delimiter);
        e.sp();
        self.mailbox.encode(e);
        if !self.extended.is_empty() {
            e.raw(b" (");
            write_sp_separated(e, &self.extended, ListExtendedItem::encode);
            e.raw(b")");
        }
    }
}

/// One namespace of a NAMESPACE response (RFC 2342 §5, RFC 9051 §7.3.3).
///
/// ```abnf
/// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"
/// namespace-response-extension = SP string SP "(" string *(SP string) ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NamespaceDescr {
    /// The prefix, e.g. `""` or `"#shared/"`.
    pub prefix: IString,
    /// The hierarchy delimiter.
    pub delimiter: Option<char>,
    /// Extensions: a name and its values (at least one).
    pub extensions: Vec<(IString, Vec<IString>)>,
}

impl NamespaceDescr {
    /// Returns a namespace of `prefix` with `delimiter` and no extensions.
    pub const fn new(prefix: IString, delimiter: Option<char>) -> Self {
        Self {
            prefix,
            delimiter,
            extensions: Vec::new(),
        }
    }
}

impl NamespaceDescr {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        open(p, "'(' starting a namespace")?;
        p.eat_sp();
        let prefix = IString::read(p)?;
        p.sp()?;
        let delimiter = read_delimiter(p)?;
        let mut extensions = Vec::new();
        while !p.at_close() {
            p.sp()?;
            let name = IString::read(p)?;
            p.sp()?;
            extensions.push((name, p.list(true, IString::read)?));
        }
        p.byte(b')', "')' ending a namespace")?;
        p.leave();
        Ok(Self {
            prefix,
            delimiter,
            extensions,
        })
    }
}

impl Encode for NamespaceDescr {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        self.prefix.encode(e);
        e.sp();
        write_delimiter(e, self.delimiter);
        for (name, values) in &self.extensions {
            e.sp();
            name.encode(e);
            e.raw(b" (");
            write_sp_separated(e, values, IString::encode);
            e.raw(b")");
        }
        e.raw(b")");
    }
}

/// Reads `namespace = nil / "(" 1*namespace-descr ")"`. Tolerance: `()` and spaces
/// between descriptions.
pub(crate) fn read_namespace(p: &mut Parser<'_>) -> PResult<Vec<NamespaceDescr>> {
    if p.nil() {
        return Ok(Vec::new());
    }
    open(p, "'(' or NIL for a namespace")?;
    let mut out = Vec::new();
    loop {
        p.eat_sp();
        if p.eat(b')') {
            break;
        }
        out.push(NamespaceDescr::read(p)?);
    }
    p.leave();
    Ok(out)
}

pub(crate) fn write_namespace(e: &mut Encoder, ns: &[NamespaceDescr]) {
    if ns.is_empty() {
        e.raw(b"NIL");
    } else {
        e.raw(b"(");
        for d in ns {
            d.encode(e);
        }
        e.raw(b")");
    }
}

/// One attribute of a STATUS response (RFC 9051 §7.2.4).
///
/// ```abnf
/// status-att-val  = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) /
///                   ("UIDVALIDITY" SP nz-number) / ("UNSEEN" SP number) /
///                   ("DELETED" SP number) / ("SIZE" SP number64)
/// status-att-val  =/ "RECENT" SP number / "HIGHESTMODSEQ" SP mod-sequence-valzer /
///                    "DELETED-STORAGE" SP number64 / "MAILBOXID" SP "(" objectid ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusAttribute {
    /// A counter: every [`StatusItem`] but [`StatusItem::MailboxId`].
    Count(StatusItem, u64),
    /// `MAILBOXID (id)` (RFC 8474).
    MailboxId(ObjectId),
}

impl StatusAttribute {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let item = StatusItem::read(p)?;
        p.sp()?;
        if item == StatusItem::MailboxId {
            p.byte(b'(', "'(' before the mailbox id")?;
            let id = ObjectId::read(p)?;
            p.byte(b')', "')' after the mailbox id")?;
            Ok(Self::MailboxId(id))
        } else {
            Ok(Self::Count(item, p.number64()?))
        }
    }
}

impl Encode for StatusAttribute {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Count(item, n) => {
                item.encode(e);
                e.sp();
                e.number(*n);
            }
            Self::MailboxId(id) => {
                e.raw(b"MAILBOXID (");
                id.encode(e);
                e.raw(b")");
            }
        }
    }
}

/// One return item of an ESEARCH response (RFC 4731 §3.1, RFC 9051 §7.3.4, RFC 7162).
///
/// ```abnf
/// search-return-data = "MIN" SP nz-number / "MAX" SP nz-number / "ALL" SP sequence-set /
///                      "COUNT" SP number / search-ret-data-ext
/// search-ret-data-ext = search-modifier-name SP search-return-value
/// search-return-data =/ "MODSEQ" SP mod-sequence-value          ; RFC 7162
/// search-return-data =/ ret-data-partial                        ; RFC 9394 §4
/// ret-data-partial    = "PARTIAL" SP "(" partial-range SP partial-results ")"
/// partial-results     = sequence-set / "NIL"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ESearchItem {
    /// `MIN n`.
    Min(NonZeroU32),
    /// `MAX n`.
    Max(NonZeroU32),
    /// `ALL set`.
    All(SequenceSet),
    /// `COUNT n`.
    Count(u32),
    /// `MODSEQ n`.
    ModSeq(u64),
    /// `PARTIAL (range results)` (RFC 9394 §3.1): the range asked for and the numbers in
    /// it, `None` for `NIL` when the range is past the end of the result.
    Partial {
        /// The range the command asked for.
        range: PartialRange,
        /// The message numbers or UIDs in that range.
        results: Option<SequenceSet>,
    },
    /// Another item: its name (not one of the above) and value.
    Other(Atom, ExtValue),
}

impl ESearchItem {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let name = Atom::read(p)?;
        p.sp()?;
        Ok(match Upper::new(name.as_str().as_bytes()).as_bytes() {
            b"MIN" => Self::Min(p.nz_number()?),
            b"MAX" => Self::Max(p.nz_number()?),
            b"ALL" => Self::All(SequenceSet::read(p)?),
            b"COUNT" => Self::Count(p.number()?),
            b"MODSEQ" => Self::ModSeq(p.number64()?),
            b"PARTIAL" => {
                // Tolerance: spaces inside the parentheses.
                p.byte(b'(', "'(' before the partial-range")?;
                p.eat_sp();
                let range = PartialRange::read(p)?;
                p.sp()?;
                let results = if p.nil() {
                    None
                } else {
                    Some(SequenceSet::read(p)?)
                };
                p.eat_sp();
                p.byte(b')', "')' after the partial-results")?;
                Self::Partial { range, results }
            }
            _ => Self::Other(name, ExtValue::read(p)?),
        })
    }
}

impl Encode for ESearchItem {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Min(n) => {
                e.raw(b"MIN ");
                e.number(u64::from(n.get()));
            }
            Self::Max(n) => {
                e.raw(b"MAX ");
                e.number(u64::from(n.get()));
            }
            Self::All(s) => {
                e.raw(b"ALL ");
                s.encode(e);
            }
            Self::Count(n) => {
                e.raw(b"COUNT ");
                e.number(u64::from(*n));
            }
            Self::ModSeq(n) => {
                e.raw(b"MODSEQ ");
                e.number(*n);
            }
            Self::Partial { range, results } => {
                e.raw(b"PARTIAL (");
                range.encode(e);
                e.sp();
                match results {
                    Some(s) => s.encode(e),
                    None => e.raw(b"NIL"),
                }
                e.raw(b")");
            }
            Self::Other(name, v) => {
                name.encode(e);
                e.sp();
                v.write(e);
            }
        }
    }
}

/// An ESEARCH response (RFC 4731 §3.1, RFC 9051 §7.3.4).
///
/// ```abnf
/// esearch-response  = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
/// search-correlator = SP "(" "TAG" SP tag-string ")"
/// tag-string        = astring
/// ```
///
/// Tolerance: the correlator's tag as an atom, a quoted string or a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ESearch {
    /// The tag of the command this answers.
    pub tag: Option<Tag>,
    /// Whether the numbers are UIDs.
    pub uid: bool,
    /// The return items.
    pub items: Vec<ESearchItem>,
}

impl ESearch {
    /// Returns an ESEARCH response.
    pub const fn new(tag: Option<Tag>, uid: bool, items: Vec<ESearchItem>) -> Self {
        Self { tag, uid, items }
    }
}

impl ESearch {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mut out = Self {
            tag: None,
            uid: false,
            items: Vec::new(),
        };
        let save = p.pos();
        if p.eat_sp() && p.peek() == Some(b'(') {
            p.advance(1);
            p.eat_sp();
            p.expect_keyword(b"TAG", "TAG")?;
            p.sp()?;
            let at = p.pos();
            let raw = p.astring_bytes()?;
            out.tag = Some(Tag::try_from(raw.as_ref()).map_err(|_| p.invalid(at, "tag"))?);
            p.eat_sp();
            p.byte(b')', "')' after the search correlator")?;
        } else {
            p.seek(save);
        }
        let save = p.pos();
        if p.eat_sp() && p.keyword(b"UID") {
            out.uid = true;
        } else {
            p.seek(save);
        }
        loop {
            let save = p.pos();
            if !p.eat_sp() || p.at_end() {
                p.seek(save);
                break;
            }
            out.items.push(ESearchItem::read(p)?);
        }
        Ok(out)
    }
}

impl Encode for ESearch {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"ESEARCH");
        if let Some(t) = &self.tag {
            e.raw(b" (TAG ");
            e.quoted(t.as_str().as_bytes());
            e.raw(b")");
        }
        if self.uid {
            e.raw(b" UID");
        }
        for i in &self.items {
            e.sp();
            i.encode(e);
        }
    }
}

/// One thread of a THREAD response (RFC 5256 §4).
///
/// ```abnf
/// thread-list    = "(" (thread-members / thread-nested) ")"
/// thread-members = nz-number *(SP nz-number) [SP thread-nested]
/// thread-nested  = 2*thread-list
/// ```
///
/// `members` is the chain of messages, `children` the branches below its last member.
/// Tolerance: a single nested list and spaces between nested lists. Nesting spends the
/// parser's depth budget. Strict output needs no child or at least two (`thread-nested =
/// 2*thread-list`): a thread with one child is sent as built, as some servers do, rather
/// than merged into its parent, so that it reads back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Thread {
    /// Messages where each is the parent of the next.
    pub members: Vec<NonZeroU32>,
    /// The sub-threads.
    pub children: Vec<Thread>,
}

impl Thread {
    /// Returns a thread of `members`, with `children` below its last member.
    pub const fn new(members: Vec<NonZeroU32>, children: Vec<Self>) -> Self {
        Self { members, children }
    }
}

impl Thread {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        open(p, "'(' starting a thread")?;
        let mut t = Self::default();
        loop {
            p.eat_sp();
            match p.peek() {
                Some(b')') => {
                    p.advance(1);
                    break;
                }
                Some(b'(') => t.children.push(Self::read(p)?),
                Some(b) if b.is_ascii_digit() && t.children.is_empty() => {
                    t.members.push(p.nz_number()?);
                }
                _ => return Err(p.err("nz-number, '(' or ')' in a thread")),
            }
        }
        p.leave();
        Ok(t)
    }
}

impl Encode for Thread {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        write_sp_separated(e, &self.members, |n, e| e.number(u64::from(n.get())));
        if !self.members.is_empty() && !self.children.is_empty() {
            e.sp();
        }
        for c in &self.children {
            c.encode(e);
        }
        e.raw(b")");
    }
}

/// One resource of a QUOTA response (RFC 9208 §5.1).
///
/// ```abnf
/// quota-resource = resource-name SP resource-usage SP resource-limit
/// resource-usage = number64
/// resource-limit = number64
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct QuotaResource {
    /// `STORAGE`, `MESSAGE`, … (kept as sent).
    pub name: Atom,
    /// Current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

impl QuotaResource {
    /// Returns a resource with its usage and limit.
    pub const fn new(name: Atom, usage: u64, limit: u64) -> Self {
        Self { name, usage, limit }
    }
}

impl QuotaResource {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let name = Atom::read(p)?;
        p.sp()?;
        let usage = p.number64()?;
        p.sp()?;
        Ok(Self {
            name,
            usage,
            limit: p.number64()?,
        })
    }

    pub(crate) fn read_list(p: &mut Parser<'_>) -> PResult<Vec<Self>> {
        p.list(false, Self::read)
    }
}

impl Encode for QuotaResource {
    fn encode(&self, e: &mut Encoder) {
        self.name.encode(e);
        e.sp();
        e.number(self.usage);
        e.sp();
        e.number(self.limit);
    }
}

/// The entries of a METADATA response (RFC 5464 §4.4).
///
/// ```abnf
/// metadata-resp = "METADATA" SP mailbox SP (entry-values / entry-list)
/// entry-values  = "(" entry-value *(SP entry-value) ")"
/// entry-list    = entry *(SP entry)      ; unsolicited: these entries changed
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataResponse {
    /// Entries and their values (an answer to GETMETADATA).
    Values(Vec<MetadataEntry>),
    /// Names of entries that changed (unsolicited).
    Changed(Vec<AString>),
}

impl MetadataResponse {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.peek() == Some(b'(') {
            return p.list(true, MetadataEntry::read).map(Self::Values);
        }
        let mut names = vec![AString::read(p)?];
        loop {
            let save = p.pos();
            if !p.eat_sp() || p.at_end() {
                p.seek(save);
                break;
            }
            names.push(AString::read(p)?);
        }
        Ok(Self::Changed(names))
    }
}

impl Encode for MetadataResponse {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Values(v) => {
                e.raw(b"(");
                write_sp_separated(e, v, MetadataEntry::encode);
                e.raw(b")");
            }
            Self::Changed(names) => write_sp_separated(e, names, AString::encode),
        }
    }
}

/// Reads `id-params-list = "(" *(string SP nstring) ")" / nil` (RFC 2971 §4). Tolerance: an
/// astring key (some servers send atoms).
pub(crate) fn read_id_params(p: &mut Parser<'_>) -> PResult<Option<Vec<(IString, NString)>>> {
    if p.nil() {
        return Ok(None);
    }
    p.list(false, |p| {
        let k = IString(p.astring_bytes()?);
        p.sp()?;
        Ok((k, NString::read(p)?))
    })
    .map(Some)
}

pub(crate) fn write_id_params(e: &mut Encoder, params: Option<&[(IString, NString)]>) {
    match params {
        None => e.raw(b"NIL"),
        Some(list) => {
            e.raw(b"(");
            for (i, (k, v)) in list.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                k.encode(e);
                e.sp();
                v.encode(e);
            }
            e.raw(b")");
        }
    }
}

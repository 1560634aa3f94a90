//! Server → client: every IMAP response (RFC 9051 §7, RFC 3501 §7 and the extensions),
//! parsed from a complete frame and encoded as [`Fragment`]s.
//!
//! [`Response::parse`] reads one frame from a client's [`crate::framing::Framer`] (a line
//! plus the literals it carries); [`Response::encode`] writes one in strict RFC 9051 syntax:
//! each string as an atom, quoted string or literal as its content needs, literals as
//! separate fragments, never CR or LF inside a quoted string.
//!
//! | module item | responses |
//! |---|---|
//! | [`Status`] | greeting, tagged and untagged `OK` / `NO` / `BAD`, `PREAUTH`, `BYE` |
//! | [`Code`] | every response code of RFC 9051 §7.1, RFC 5530, RFC 4315, RFC 7162, RFC 5464 |
//! | [`Continuation`] | `+ text` and `+ base64` |
//! | [`Data`] | CAPABILITY, ENABLED, LIST/LSUB, NAMESPACE, STATUS, SEARCH, ESEARCH, SORT, THREAD, FLAGS, EXISTS, RECENT, EXPUNGE, VANISHED, FETCH, ID, QUOTA, QUOTAROOT, METADATA |
//! | [`FetchItem`] | every FETCH data item, with [`Envelope`] and [`BodyStructure`] |
//!
//! ```
//! use bytes::BytesMut;
//! use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
//! use imap_proto::response::{Code, Data, FetchItem, Response, Status, StatusKind};
//! use imap_proto::types::{Flag, Tag};
//!
//! // A client frames what the server sent, then parses each frame.
//! let mut framer = Framer::new(FramerConfig::client());
//! let mut input = BytesMut::from(
//!     &b"* 1 FETCH (UID 5 FLAGS (\\Seen) BODY[] {5}\r\nhello)\r\nA1 OK [READ-WRITE] done\r\n"[..],
//! );
//! let mut responses = Vec::new();
//! while let Some(Ok(FrameEvent::Frame(frame))) = framer.next_frame(&mut input) {
//!     responses.push(Response::parse(&frame).unwrap());
//! }
//! let Response::Data(Data::Fetch { items, .. }) = &responses[0] else { unreachable!() };
//! assert_eq!(items[1], FetchItem::Flags(vec![Flag::Seen]));
//! let Response::Status(done) = &responses[1] else { unreachable!() };
//! assert_eq!(done.code(), Some(&Code::ReadWrite));
//!
//! // A server encodes: literals come out as separate fragments.
//! let ok = Status::tagged(Tag::try_from("A2").unwrap(), StatusKind::Ok, None, "LOGOUT completed").unwrap();
//! assert_eq!(&Response::Status(ok).to_bytes()[..], b"A2 OK LOGOUT completed\r\n");
//! ```
//!
//! # Tolerances
//!
//! What real servers send and this parser accepts (the encoder never emits it):
//! keywords in any case; several spaces where one is required; trailing spaces; spaces after
//! `(` and before `)`; a status response without text (`* OK`, `A1 OK`); a response code
//! without the space before the text; NIL or `()` for empty lists and NIL for body fields
//! (see [`BodyStructure`]); FETCH items in any order and unknown items (`X-GM-LABELS`) kept;
//! unknown response codes and unknown untagged responses kept; 8-bit text.

mod body;
mod code;
mod data;
mod envelope;
mod fetch;
mod status;
mod value;

use core::num::NonZeroU32;

use bytes::{Bytes, BytesMut};

pub use body::{BodyExtension, BodyParams, BodyStructure, Disposition, SinglePartKind};
pub use code::{Code, CodeData, Condition, MetadataCode};
pub use data::{
    ESearch, ESearchItem, ListExtendedItem, MailboxAttribute, MailboxList, MetadataResponse,
    NamespaceDescr, QuotaResource, StatusAttribute, Thread,
};
pub use envelope::{Address, Envelope};
pub use fetch::{FetchItem, FetchItemName};
pub use status::{Continuation, Status, StatusKind};
pub use value::{ExtValue, Text};

use crate::error::ParseError;
use crate::framing::Frame;
use crate::types::parser::{DEFAULT_MAX_DEPTH, PResult, Parser, class, kw};
use crate::types::{
    AString, Atom, Capability, Encode, Encoder, Flag, Fragment, IString, Mailbox, NString,
    SequenceSet, Tag, fragments_to_bytes,
};

/// Untagged data (RFC 9051 §7.2–§7.5 and the extensions).
///
/// ```abnf
/// response-data   = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
///                   capability-data / enable-data) CRLF
/// mailbox-data    = "FLAGS" SP flag-list / "LIST" SP mailbox-list / esearch-response /
///                   "STATUS" SP mailbox SP "(" [status-att-list] ")" / number SP "EXISTS" /
///                   namespace-response / obsolete-search-response / obsolete-recent-response
/// message-data    = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
/// capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev2" *(SP capability)
/// enable-data     = "ENABLED" *(SP capability)
/// obsolete-search-response = "SEARCH" *(SP nz-number)
/// obsolete-recent-response = number SP "RECENT"
/// mailbox-data    =/ "LSUB" SP mailbox-list                              ; RFC 3501
/// mailbox-data    =/ "SEARCH" [1*(SP nz-number) SP search-sort-mod-seq]  ; RFC 7162
/// search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"
/// sort-data       = "SORT" *(SP nz-number)                               ; RFC 5256
/// thread-data     = "THREAD" [SP 1*thread-list]                          ; RFC 5256
/// expunged-resp   = "VANISHED" [SP "(EARLIER)"] SP known-uids            ; RFC 7162
/// namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace ; RFC 2342
/// id-response     = "ID" SP id-params-list                               ; RFC 2971
/// quota-response  = "QUOTA" SP quota-root-name SP quota-list             ; RFC 9208
/// quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)      ; RFC 9208
/// metadata-resp   = "METADATA" SP mailbox SP (entry-values / entry-list)  ; RFC 5464
/// ```
///
/// Tolerance: CAPABILITY without IMAP4rev2 (IMAP4rev1 servers).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Data {
    /// `CAPABILITY …`.
    Capability(Vec<Capability>),
    /// `ENABLED …` (RFC 5161).
    Enabled(Vec<Capability>),
    /// `LIST …`.
    List(MailboxList),
    /// `LSUB …` (RFC 3501).
    Lsub(MailboxList),
    /// `NAMESPACE personal other shared` (empty for NIL).
    Namespace {
        /// Personal namespaces.
        personal: Vec<NamespaceDescr>,
        /// Other users' namespaces.
        other: Vec<NamespaceDescr>,
        /// Shared namespaces.
        shared: Vec<NamespaceDescr>,
    },
    /// `STATUS mailbox (…)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The attributes.
        attributes: Vec<StatusAttribute>,
    },
    /// `SEARCH n…` with CONDSTORE's `(MODSEQ n)` (sent only with at least one number).
    Search {
        /// The matching numbers.
        numbers: Vec<NonZeroU32>,
        /// The highest mod-sequence of the matches.
        mod_seq: Option<u64>,
    },
    /// `ESEARCH …` (RFC 4731).
    ESearch(ESearch),
    /// `SORT n…` (RFC 5256) with CONDSTORE's `(MODSEQ n)`.
    Sort {
        /// The numbers in sort order.
        numbers: Vec<NonZeroU32>,
        /// The highest mod-sequence of the matches.
        mod_seq: Option<u64>,
    },
    /// `THREAD …` (RFC 5256).
    Thread(Vec<Thread>),
    /// `FLAGS (…)`.
    Flags(Vec<Flag>),
    /// `n EXISTS`.
    Exists(u32),
    /// `n RECENT` (RFC 3501).
    Recent(u32),
    /// `n EXPUNGE`.
    Expunge(NonZeroU32),
    /// `VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10).
    Vanished {
        /// Whether this answers a FETCH (`(EARLIER)`) rather than reporting expunges.
        earlier: bool,
        /// The UIDs.
        uids: SequenceSet,
    },
    /// `n FETCH (…)`.
    Fetch {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The data items (at least one).
        items: Vec<FetchItem>,
    },
    /// `ID (…)` or `ID NIL` (RFC 2971).
    Id(Option<Vec<(IString, NString)>>),
    /// `QUOTA root (…)` (RFC 9208).
    Quota {
        /// The quota root.
        root: AString,
        /// The resources.
        resources: Vec<QuotaResource>,
    },
    /// `QUOTAROOT mailbox root…` (RFC 9208).
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox,
        /// Its quota roots.
        roots: Vec<AString>,
    },
    /// `METADATA mailbox …` (RFC 5464); the mailbox is `""` for server annotations.
    Metadata {
        /// The mailbox.
        mailbox: Mailbox,
        /// The entries.
        entries: MetadataResponse,
    },
    /// An untagged response this crate does not know: its name (never one of the names
    /// above) and arguments.
    Other {
        /// The response name.
        name: Atom,
        /// The arguments.
        arguments: Vec<ExtValue>,
    },
}

/// Reads `*(SP nz-number) [SP "(" "MODSEQ" SP n ")"]` of SEARCH and SORT.
///
/// A SEARCH result can hold 100 000 numbers, so the common number (1 to 10 digits, within 32
/// bits, not zero, after one or more spaces) is read by a loop over the bytes; anything else
/// goes through [`Parser::nz_number`] for the same error as before.
fn read_numbers_modseq(p: &mut Parser<'_>) -> PResult<(Vec<NonZeroU32>, Option<u64>)> {
    let base = p.pos();
    let rest = p.rest();
    // One SP before each number: counting them (a vector scan) sizes the Vec exactly, where
    // half the line's length would reserve (and fault in) several times what is needed.
    let mut numbers = Vec::with_capacity(memchr::memchr_iter(b' ', rest).count());
    // Index into `rest` of the byte after the last number read.
    let mut done = 0usize;
    // The common shape first: one SP, then 1 to 7 digits and a non-digit, all within the
    // next nine octets. Anything else (the last numbers of the line, more spaces, longer
    // numbers, MODSEQ, errors) is left to the loop below, from the same place.
    while let Some((&b' ', digits)) = rest
        .get(done..)
        .and_then(<[u8]>::first_chunk::<9>)
        .and_then(|c| c.split_first())
    {
        let Some((n, len)) = digits
            .first_chunk::<8>()
            .and_then(|w| swar_nz_number(u64::from_le_bytes(*w)))
        else {
            break;
        };
        numbers.push(n);
        done = done.saturating_add(1).saturating_add(len);
    }
    loop {
        let tail = rest.get(done..).unwrap_or_default();
        // Nearly always exactly one SP; more only with a lenient sender.
        let spaces = match tail {
            [b' ', next, ..] if *next != b' ' => 1,
            _ => tail.iter().take_while(|&&b| b == b' ').count(),
        };
        let digits = tail.get(spaces..).unwrap_or_default();
        if spaces == 0 || digits.is_empty() {
            // No SP, or only trailing spaces (left for the end-of-line check).
            p.seek(base.saturating_add(done));
            return Ok((numbers, None));
        }
        if let Some((n, len)) = small_nz_number(digits) {
            numbers.push(n);
            done = done.saturating_add(spaces).saturating_add(len);
            continue;
        }
        // The MODSEQ item, or a number the loop leaves to the general parser.
        p.seek(base.saturating_add(done).saturating_add(spaces));
        if p.peek() == Some(b'(') {
            p.advance(1);
            p.eat_sp();
            p.expect_keyword(b"MODSEQ", "MODSEQ")?;
            p.sp()?;
            let mod_seq = p.number64()?;
            p.eat_sp();
            p.byte(b')', "')' after the mod-sequence")?;
            return Ok((numbers, Some(mod_seq)));
        }
        numbers.push(p.nz_number()?);
        done = p.pos().saturating_sub(base);
    }
}

/// Converts the 1 to 7 digits at the front of `word` (eight octets in wire order, the first
/// in the lowest byte) when a non-digit follows them within the word, at once (SWAR); `None`
/// for no digit, eight digits, or zero.
#[inline]
fn swar_nz_number(word: u64) -> Option<(NonZeroU32, usize)> {
    const LANES: u64 = u64::from_le_bytes([1; 8]);
    let d = word.wrapping_sub(LANES * u64::from(b'0'));
    // High bit set in each byte that is not a digit; the lowest one is exact, since borrows
    // and carries only start at a non-digit.
    let non_digit = (d.wrapping_add(LANES * 0x76) | d) & (LANES * 0x80);
    let len = (non_digit.trailing_zeros() / 8) as usize;
    if len == 0 || len >= 8 {
        return None;
    }
    // Shift the digits to the top so that the number reads as eight digits with leading
    // zeros (the first digit is the lowest byte), then add neighbours: pairs, quads, then
    // the whole.
    let v = d << (8 * (8 - len));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8) & 0x00ff_00ff_00ff_00ff;
    let v = v.wrapping_mul(100).wrapping_add(v >> 16) & 0x0000_ffff_0000_ffff;
    let v = v.wrapping_mul(10_000).wrapping_add(v >> 32) & 0xffff_ffff;
    NonZeroU32::new(u32::try_from(v).ok()?).map(|n| (n, len))
}

/// Reads the digits at the front of `rest` as a non-zero 32-bit number when there are 1 to 10
/// of them and their value fits; returns it with the number of digits. `None` leaves every
/// other case (and its error) to [`Parser::nz_number`].
#[inline]
fn small_nz_number(rest: &[u8]) -> Option<(NonZeroU32, usize)> {
    // Up to seven digits followed by a non-digit: convert the eight bytes at once (SWAR).
    if let Some(chunk) = rest.first_chunk::<8>() {
        let word = u64::from_le_bytes(*chunk);
        if let Some(found) = swar_nz_number(word) {
            return Some(found);
        }
        if word
            .to_le_bytes()
            .first()
            .is_none_or(|b| !b.is_ascii_digit())
        {
            return None;
        }
    }
    let mut value: u64 = 0;
    let mut len = 0usize;
    for &b in rest.iter().take(11) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        // At most eleven digits: below 10^11, no overflow in 64 bits.
        value = value * 10 + u64::from(d);
        len += 1;
    }
    if len > 10 {
        return None;
    }
    let n = NonZeroU32::new(u32::try_from(value).ok()?)?;
    Some((n, len))
}

fn write_numbers_modseq(e: &mut Encoder, numbers: &[NonZeroU32], mod_seq: Option<u64>) {
    for n in numbers {
        e.sp();
        e.number(u64::from(n.get()));
    }
    if let Some(m) = mod_seq {
        e.raw(b" (MODSEQ ");
        e.number(m);
        e.raw(b")");
    }
}

impl Data {
    /// Reads what follows `* ` when it is not a status response.
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Self::read_numbered(p);
        }
        let at = p.pos();
        let (name, word) = p.take_keyword(class::ATOM);
        if name.is_empty() {
            return Err(p.err("atom"));
        }
        const K_CAPABILITY: u128 = kw(b"CAPABILITY");
        const K_ENABLED: u128 = kw(b"ENABLED");
        const K_LIST: u128 = kw(b"LIST");
        const K_LSUB: u128 = kw(b"LSUB");
        const K_NAMESPACE: u128 = kw(b"NAMESPACE");
        const K_STATUS: u128 = kw(b"STATUS");
        const K_SEARCH: u128 = kw(b"SEARCH");
        const K_SORT: u128 = kw(b"SORT");
        const K_ESEARCH: u128 = kw(b"ESEARCH");
        const K_THREAD: u128 = kw(b"THREAD");
        const K_FLAGS: u128 = kw(b"FLAGS");
        const K_VANISHED: u128 = kw(b"VANISHED");
        const K_ID: u128 = kw(b"ID");
        const K_QUOTA: u128 = kw(b"QUOTA");
        const K_QUOTAROOT: u128 = kw(b"QUOTAROOT");
        const K_METADATA: u128 = kw(b"METADATA");
        Ok(match word.0 {
            K_CAPABILITY => Self::Capability(code::read_capabilities(p, b"")?),
            K_ENABLED => Self::Enabled(code::read_capabilities(p, b"")?),
            K_LIST => {
                p.sp()?;
                Self::List(MailboxList::read(p)?)
            }
            K_LSUB => {
                p.sp()?;
                Self::Lsub(MailboxList::read(p)?)
            }
            K_NAMESPACE => {
                p.sp()?;
                let personal = data::read_namespace(p)?;
                p.sp()?;
                let other = data::read_namespace(p)?;
                p.sp()?;
                Self::Namespace {
                    personal,
                    other,
                    shared: data::read_namespace(p)?,
                }
            }
            K_STATUS => {
                p.sp()?;
                let mailbox = Mailbox::read(p)?;
                p.sp()?;
                Self::Status {
                    mailbox,
                    attributes: p.list(false, StatusAttribute::read)?,
                }
            }
            K_SEARCH => {
                let (numbers, mod_seq) = read_numbers_modseq(p)?;
                Self::Search { numbers, mod_seq }
            }
            K_SORT => {
                let (numbers, mod_seq) = read_numbers_modseq(p)?;
                Self::Sort { numbers, mod_seq }
            }
            K_ESEARCH => Self::ESearch(ESearch::read(p)?),
            K_THREAD => {
                let mut threads = Vec::new();
                loop {
                    let save = p.pos();
                    p.eat_sp();
                    if p.peek() != Some(b'(') {
                        p.seek(save);
                        break;
                    }
                    threads.push(Thread::read(p)?);
                }
                Self::Thread(threads)
            }
            K_FLAGS => {
                p.sp()?;
                Self::Flags(Flag::read_list(p)?)
            }
            K_VANISHED => {
                p.sp()?;
                let mut earlier = false;
                if p.peek() == Some(b'(') {
                    p.advance(1);
                    p.eat_sp();
                    p.expect_keyword(b"EARLIER", "EARLIER")?;
                    p.eat_sp();
                    p.byte(b')', "')' after EARLIER")?;
                    p.sp()?;
                    earlier = true;
                }
                Self::Vanished {
                    earlier,
                    uids: SequenceSet::read(p)?,
                }
            }
            K_ID => {
                p.sp()?;
                Self::Id(data::read_id_params(p)?)
            }
            K_QUOTA => {
                p.sp()?;
                let root = AString::read(p)?;
                p.sp()?;
                Self::Quota {
                    root,
                    resources: QuotaResource::read_list(p)?,
                }
            }
            K_QUOTAROOT => {
                p.sp()?;
                let mailbox = Mailbox::read(p)?;
                let mut roots = Vec::new();
                loop {
                    let save = p.pos();
                    if !p.eat_sp() || p.at_end() {
                        p.seek(save);
                        break;
                    }
                    roots.push(AString::read(p)?);
                }
                Self::QuotaRoot { mailbox, roots }
            }
            K_METADATA => {
                p.sp()?;
                let mailbox = Mailbox::read(p)?;
                p.sp()?;
                Self::Metadata {
                    mailbox,
                    entries: MetadataResponse::read(p)?,
                }
            }
            _ => {
                let name = Atom::try_from(name).map_err(|_| ParseError::syntax(at, "atom"))?;
                let mut arguments = Vec::new();
                loop {
                    let save = p.pos();
                    if !p.eat_sp() || p.at_end() {
                        p.seek(save);
                        break;
                    }
                    arguments.push(ExtValue::read(p)?);
                }
                Self::Other { name, arguments }
            }
        })
    }

    /// Reads `number SP ("EXISTS" / "RECENT" / "EXPUNGE" / "FETCH" SP msg-att)`.
    fn read_numbered(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let n = p.number()?;
        p.sp()?;
        let kat = p.pos();
        let (name, word) = p.take_keyword(class::ATOM);
        if name.is_empty() {
            return Err(p.err("atom"));
        }
        let nz = || {
            NonZeroU32::new(n).ok_or(ParseError::Invalid {
                offset: at,
                what: "nz-number",
            })
        };
        const K_EXISTS: u128 = kw(b"EXISTS");
        const K_RECENT: u128 = kw(b"RECENT");
        const K_EXPUNGE: u128 = kw(b"EXPUNGE");
        const K_FETCH: u128 = kw(b"FETCH");
        Ok(match word.0 {
            K_EXISTS => Self::Exists(n),
            K_RECENT => Self::Recent(n),
            K_EXPUNGE => Self::Expunge(nz()?),
            K_FETCH => {
                let seq = nz()?;
                p.sp()?;
                let items = FetchItem::read_list(p)?;
                if items.is_empty() {
                    return Err(ParseError::syntax(kat, "at least one FETCH item"));
                }
                Self::Fetch { seq, items }
            }
            _ => return Err(ParseError::syntax(kat, "EXISTS, RECENT, EXPUNGE or FETCH")),
        })
    }
}

impl Encode for Data {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Capability(caps) | Self::Enabled(caps) => {
                e.raw(if matches!(self, Self::Capability(_)) {
                    b"CAPABILITY"
                } else {
                    b"ENABLED"
                });
                for c in caps {
                    e.sp();
                    c.encode(e);
                }
            }
            Self::List(l) => {
                e.raw(b"LIST ");
                l.encode(e);
            }
            Self::Lsub(l) => {
                e.raw(b"LSUB ");
                l.encode(e);
            }
            Self::Namespace {
                personal,
                other,
                shared,
            } => {
                e.raw(b"NAMESPACE ");
                data::write_namespace(e, personal);
                e.sp();
                data::write_namespace(e, other);
                e.sp();
                data::write_namespace(e, shared);
            }
            Self::Status {
                mailbox,
                attributes,
            } => {
                e.raw(b"STATUS ");
                mailbox.encode(e);
                e.raw(b" (");
                value::write_sp_separated(e, attributes, StatusAttribute::encode);
                e.raw(b")");
            }
            Self::Search { numbers, mod_seq } => {
                e.raw(b"SEARCH");
                write_numbers_modseq(e, numbers, *mod_seq);
            }
            Self::Sort { numbers, mod_seq } => {
                e.raw(b"SORT");
                write_numbers_modseq(e, numbers, *mod_seq);
            }
            Self::ESearch(s) => s.encode(e),
            Self::Thread(threads) => {
                e.raw(b"THREAD");
                if !threads.is_empty() {
                    e.sp();
                    for t in threads {
                        t.encode(e);
                    }
                }
            }
            Self::Flags(flags) => {
                e.raw(b"FLAGS (");
                value::write_sp_separated(e, flags, Flag::encode);
                e.raw(b")");
            }
            Self::Exists(n) => {
                e.number(u64::from(*n));
                e.raw(b" EXISTS");
            }
            Self::Recent(n) => {
                e.number(u64::from(*n));
                e.raw(b" RECENT");
            }
            Self::Expunge(n) => {
                e.number(u64::from(n.get()));
                e.raw(b" EXPUNGE");
            }
            Self::Vanished { earlier, uids } => {
                e.raw(if *earlier {
                    b"VANISHED (EARLIER) "
                } else {
                    b"VANISHED "
                });
                uids.encode(e);
            }
            Self::Fetch { seq, items } => {
                e.number(u64::from(seq.get()));
                e.raw(b" FETCH (");
                value::write_sp_separated(e, items, FetchItem::encode);
                e.raw(b")");
            }
            Self::Id(params) => {
                e.raw(b"ID ");
                data::write_id_params(e, params.as_deref());
            }
            Self::Quota { root, resources } => {
                e.raw(b"QUOTA ");
                root.encode(e);
                e.raw(b" (");
                value::write_sp_separated(e, resources, QuotaResource::encode);
                e.raw(b")");
            }
            Self::QuotaRoot { mailbox, roots } => {
                e.raw(b"QUOTAROOT ");
                mailbox.encode(e);
                for r in roots {
                    e.sp();
                    r.encode(e);
                }
            }
            Self::Metadata { mailbox, entries } => {
                e.raw(b"METADATA ");
                mailbox.encode(e);
                e.sp();
                entries.encode(e);
            }
            Self::Other { name, arguments } => {
                name.encode(e);
                for a in arguments {
                    e.sp();
                    a.write(e);
                }
            }
        }
    }
}

/// A response: a status, a continuation request, or untagged data (RFC 9051 §7).
///
/// ```abnf
/// response = *(continue-req / response-data) response-done
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// A greeting, a tagged completion, or an untagged OK / NO / BAD / BYE / PREAUTH.
    Status(Status),
    /// `+ …`.
    Continuation(Continuation),
    /// `* …` data.
    Data(Data),
}

impl Response {
    /// Parses a complete frame from a client's [`Framer`](crate::framing::Framer).
    ///
    /// ```abnf
    /// response-data   = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data /
    ///                   message-data / capability-data / enable-data) CRLF
    /// response-tagged = tag SP resp-cond-state CRLF
    /// continue-req    = "+" SP (resp-text / base64) CRLF
    /// ```
    ///
    /// See the [module documentation](self) for the tolerances.
    ///
    /// # Errors
    /// [`ParseError`] with the offset in the frame of the first byte that breaks the
    /// grammar and what was expected there; [`ParseError::TooDeep`] when lists,
    /// BODYSTRUCTURE or THREAD nest deeper than [`DEFAULT_MAX_DEPTH`].
    pub fn parse(frame: &Frame) -> Result<Self, ParseError> {
        Self::parse_bytes(frame.bytes(), DEFAULT_MAX_DEPTH)
    }

    /// Parses a complete message (without its final CRLF) with a given nesting budget.
    ///
    /// # Errors
    /// As [`Response::parse`].
    pub fn parse_bytes(input: &Bytes, max_depth: usize) -> Result<Self, ParseError> {
        let mut p = Parser::new(input).with_max_depth(max_depth);
        let r = Self::read(&mut p)?;
        p.end()?;
        Ok(r)
    }

    /// Parses a greeting (RFC 9051 §7.1): an untagged OK, PREAUTH or BYE.
    ///
    /// # Errors
    /// As [`Response::parse`], and a syntax error at offset 0 for any other response.
    pub fn parse_greeting(frame: &Frame) -> Result<Status, ParseError> {
        match Self::parse(frame)? {
            Self::Status(s)
                if s.tag().is_none()
                    && matches!(
                        s.kind(),
                        StatusKind::Ok | StatusKind::PreAuth | StatusKind::Bye
                    ) =>
            {
                Ok(s)
            }
            _ => Err(ParseError::syntax(0, "greeting: * OK, * PREAUTH or * BYE")),
        }
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.eat(b'+') {
            return Continuation::read(p).map(Self::Continuation);
        }
        let tag = if p.eat(b'*') {
            None
        } else {
            Some(Tag::read(p)?)
        };
        p.sp()?;
        let save = p.pos();
        let (_, word) = p.take_keyword(class::ATOM);
        const K_OK: u128 = kw(b"OK");
        const K_NO: u128 = kw(b"NO");
        const K_BAD: u128 = kw(b"BAD");
        const K_PREAUTH: u128 = kw(b"PREAUTH");
        const K_BYE: u128 = kw(b"BYE");
        let kind = match word.0 {
            K_OK => Some(StatusKind::Ok),
            K_NO => Some(StatusKind::No),
            K_BAD => Some(StatusKind::Bad),
            K_PREAUTH if tag.is_none() => Some(StatusKind::PreAuth),
            K_BYE if tag.is_none() => Some(StatusKind::Bye),
            _ => None,
        };
        if let Some(kind) = kind {
            let (code, text) = Status::read_resp_text(p)?;
            return Ok(Self::Status(Status::from_parts(tag, kind, code, text)));
        }
        if tag.is_some() {
            return Err(ParseError::syntax(save, "OK, NO or BAD after a tag"));
        }
        p.seek(save);
        Data::read(p).map(Self::Data)
    }

    /// Appends the response's fragments to `out`. A server sends them in order: literals
    /// in responses are never waited on.
    pub fn encode(&self, out: &mut Vec<Fragment>) {
        let mut e = Encoder::new();
        self.encode_to(&mut e);
        out.extend(e.finish());
    }

    /// Appends the whole wire form, CRLF and literals included, to `out`, encoding the text
    /// in `scratch` (whatever it holds is dropped; its allocation is reused, and handed back
    /// for the next response). What a server writing many responses calls.
    pub fn write_to(&self, out: &mut BytesMut, scratch: Vec<u8>) -> Vec<u8> {
        let mut e = Encoder::with_line(scratch);
        self.encode_to(&mut e);
        e.finish_into(out)
    }

    /// Returns the whole wire form, CRLF included (literals inline).
    pub fn to_bytes(&self) -> Bytes {
        let mut f = Vec::new();
        self.encode(&mut f);
        Bytes::from(fragments_to_bytes(&f))
    }

    fn encode_to(&self, e: &mut Encoder) {
        match self {
            Self::Status(s) => s.encode(e),
            Self::Continuation(c) => c.encode(e),
            Self::Data(d) => {
                e.raw(b"* ");
                d.encode(e);
            }
        }
        e.crlf();
    }
}

impl Encode for Response {
    fn encode(&self, out: &mut Encoder) {
        self.encode_to(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general parser makes of `*(SP nz-number)`, for comparison.
    fn general(input: &[u8]) -> PResult<(Vec<NonZeroU32>, usize)> {
        let src = Bytes::copy_from_slice(input);
        let mut p = Parser::new(&src);
        let mut numbers = Vec::new();
        loop {
            let save = p.pos();
            if !p.eat_sp() || p.at_end() {
                p.seek(save);
                break;
            }
            numbers.push(p.nz_number()?);
        }
        Ok((numbers, p.pos()))
    }

    fn fast(input: &[u8]) -> PResult<(Vec<NonZeroU32>, usize)> {
        let src = Bytes::copy_from_slice(input);
        let mut p = Parser::new(&src);
        let (numbers, mod_seq) = read_numbers_modseq(&mut p)?;
        assert_eq!(mod_seq, None);
        Ok((numbers, p.pos()))
    }

    #[test]
    fn search_numbers_read_as_the_general_parser_reads_them() {
        let numbers = [
            "1",
            "9",
            "10",
            "42",
            "0",
            "00",
            "007",
            "1234567",
            "12345678",
            "99999999",
            "123456789",
            "4294967295",
            "4294967296",
            "0004294967295",
            "9999999999",
            "99999999999",
            "18446744073709551616",
            "",
        ];
        let after = ["", " ", "  ", ")", "x", " 5", "  17 ", ":", "(MODSEQ 1)"];
        for n in numbers {
            for a in after {
                for lead in [" ", "  "] {
                    let input = format!("{lead}{n}{a}");
                    let want = general(input.as_bytes());
                    // `(MODSEQ …)` is only read by the fast reader.
                    if a.starts_with('(') {
                        continue;
                    }
                    assert_eq!(fast(input.as_bytes()), want, "{input:?}");
                    // After a run of numbers that the nine-octet fast loop reads, and with
                    // more after it, so that every case is met inside and after that loop.
                    for around in [("", ""), (" 11 222 3333 44444 5", " 6 77 888 9999999 1")] {
                        let input = format!("{}{lead}{n}{a}{}", around.0, around.1);
                        let want = general(input.as_bytes());
                        assert_eq!(fast(input.as_bytes()), want, "{input:?}");
                    }
                }
            }
        }
    }
}

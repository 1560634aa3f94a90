//! Client → server: every IMAP command (RFC 9051 §6, RFC 3501 §6 and the extensions),
//! parsed from a complete frame and encoded as [`Fragment`]s.
//!
//! [`Command::parse`] reads one frame from [`crate::framing::Framer`] (a line plus the
//! literals it announces); [`Command::encode`] writes one, yielding each literal as a
//! separate fragment so that a client can wait for `+` before sending a synchronising one.
//! The command name is dispatched with a `match` on its upper-cased form.

mod ext;
mod fetch;
mod mailbox;
mod search;

use bytes::Bytes;
use mail_core::Secret;
use mail_core::sasl::{self, ClientResponse, Mechanism, ResponseKind};

pub use ext::{
    MetadataDepth, MetadataEntry, MetadataOptions, MetadataValue, QuotaLimit, SortCriterion,
    SortKey, ThreadAlgorithm,
};
pub use fetch::{FetchAttribute, FetchItems, FetchModifiers, StoreFlags, StoreMode};
pub use mailbox::{
    ListReturnOption, ListSelectOption, QResync, SelectParams, SpecialUse, StatusItem,
};
pub use search::{Charset, EntryType, SearchKey, SearchReturn};

use crate::error::{ParseError, ValueError};
use crate::framing::{Frame, literal_announcement};
use crate::types::parser::{DEFAULT_MAX_DEPTH, PResult, Parser, Upper};
use crate::types::{
    AString, Atom, Capability, DateTime, Encode, Encoder, Flag, Fragment, IString, ListMailbox,
    Mailbox, NString, SequenceSet, Tag, fragments_to_bytes,
};
use mailbox::encode_list;

/// The largest decoded SASL initial response [`Command::parse`] accepts (RFC 4959). The
/// framer's line limit bounds it first.
pub const MAX_INITIAL_RESPONSE: usize = 48 * 1024;

/// A command: its tag and what it asks (RFC 9051 §6).
///
/// ```abnf
/// command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The tag the server's completion response repeats.
    pub tag: Tag,
    /// The command itself.
    pub body: CommandBody,
}

/// One message of APPEND (RFC 9051 §6.3.12; several with MULTIAPPEND, RFC 3502).
///
/// ```abnf
/// append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal
/// append-data = literal / literal8                 ; RFC 3516, RFC 4466
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    /// The flags to set; `None` when absent, `Some(vec![])` for `()`.
    pub flags: Option<Vec<Flag>>,
    /// The internal date to set.
    pub date: Option<DateTime>,
    /// The message octets.
    pub data: Bytes,
    /// Whether the message is sent as `literal8` (`~{n}`, BINARY, RFC 3516): it may then
    /// hold NUL.
    pub binary: bool,
    /// Whether the message is sent as `UTF8 (~{n})`: it has UTF-8 headers (UTF8=ACCEPT,
    /// RFC 6855 §4). It is then always a `literal8`.
    pub utf8: bool,
}

/// A command this crate does not know (an `X` command or another extension), kept for the
/// application: the name and the raw arguments, literals inline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCommand {
    name: Atom,
    arguments: Option<Bytes>,
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
type RawPiece = (Bytes, Option<(Bytes, bool)>);

/// Splits raw arguments into text runs and literals: `(text, Some(literal))…, (text, None)`.
fn split_raw(raw: &Bytes) -> Option<Vec<RawPiece>> {
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

/// What a command asks (RFC 9051 §6 and the extensions). The `uid` fields are the `UID`
/// prefix (RFC 9051 §6.4.9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandBody {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    Capability,
    /// `NOOP` (RFC 9051 §6.1.2).
    Noop,
    /// `LOGOUT` (RFC 9051 §6.1.3).
    Logout,
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 §6.2.2, RFC 4959).
    Authenticate {
        /// The SASL mechanism.
        mechanism: Mechanism,
        /// The decoded initial response; `Some` of an empty vector for `=`.
        initial_response: Option<Secret<Vec<u8>>>,
    },
    /// `LOGIN userid password` (RFC 9051 §6.2.3).
    Login {
        /// The user name.
        username: AString,
        /// The password.
        password: Secret<AString>,
    },
    /// `ENABLE capability…` (RFC 5161, RFC 9051 §6.3.1): at least one.
    Enable(Vec<Capability>),
    /// `SELECT mailbox [params]` (RFC 9051 §6.3.2, RFC 7162).
    Select {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC.
        params: SelectParams,
    },
    /// `EXAMINE mailbox [params]` (RFC 9051 §6.3.3).
    Examine {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC.
        params: SelectParams,
    },
    /// `CREATE mailbox [(USE (…))]` (RFC 9051 §6.3.4, RFC 6154 §3).
    Create {
        /// The mailbox.
        mailbox: Mailbox,
        /// The special uses asked for; `None` without a `USE` parameter.
        special_use: Option<Vec<SpecialUse>>,
    },
    /// `DELETE mailbox` (RFC 9051 §6.3.5).
    Delete(Mailbox),
    /// `RENAME from to` (RFC 9051 §6.3.6).
    Rename {
        /// The existing name.
        from: Mailbox,
        /// The new name.
        to: Mailbox,
    },
    /// `SUBSCRIBE mailbox` (RFC 9051 §6.3.7).
    Subscribe(Mailbox),
    /// `UNSUBSCRIBE mailbox` (RFC 9051 §6.3.8).
    Unsubscribe(Mailbox),
    /// `LIST [(select-opts)] reference pattern(s) [RETURN (opts)]` (RFC 9051 §6.3.9,
    /// RFC 5258, RFC 6154, RFC 5819).
    List {
        /// Selection options; `None` when absent, `Some(vec![])` for `()`.
        selection: Option<Vec<ListSelectOption>>,
        /// The reference name.
        reference: Mailbox,
        /// The patterns (at least one; one is sent without parentheses).
        patterns: Vec<ListMailbox>,
        /// Return options; `None` when absent, `Some(vec![])` for `RETURN ()`.
        return_options: Option<Vec<ListReturnOption>>,
    },
    /// `LSUB reference pattern` (RFC 3501 §6.3.9).
    Lsub {
        /// The reference name.
        reference: Mailbox,
        /// The pattern.
        pattern: ListMailbox,
    },
    /// `NAMESPACE` (RFC 2342, RFC 9051 §6.3.10).
    Namespace,
    /// `STATUS mailbox (items)` (RFC 9051 §6.3.11).
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The items (at least one).
        items: Vec<StatusItem>,
    },
    /// `APPEND mailbox message…` (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND).
    Append {
        /// The mailbox.
        mailbox: Mailbox,
        /// The messages (at least one).
        messages: Vec<AppendMessage>,
    },
    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13); the client ends it with `DONE`
    /// ([`parse_idle_done`]).
    Idle,
    /// `CHECK` (RFC 3501 §6.4.1).
    Check,
    /// `CLOSE` (RFC 9051 §6.4.1).
    Close,
    /// `UNSELECT` (RFC 3691, RFC 9051 §6.4.2).
    Unselect,
    /// `EXPUNGE` (RFC 9051 §6.4.3).
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315, RFC 9051 §6.4.9).
    UidExpunge(SequenceSet),
    /// `[UID] SEARCH [RETURN (…)] [CHARSET c] keys` (RFC 9051 §6.4.4, RFC 4731).
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// ESEARCH return options; `None` when absent, `Some(vec![])` for `RETURN ()`.
        return_options: Option<Vec<SearchReturn>>,
        /// The charset.
        charset: Option<Charset>,
        /// The keys (at least one), all of which must match.
        criteria: Vec<SearchKey>,
    },
    /// `[UID] FETCH set items [(modifiers)]` (RFC 9051 §6.4.5, RFC 7162).
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// What to fetch.
        items: FetchItems,
        /// CHANGEDSINCE / VANISHED.
        modifiers: FetchModifiers,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] ±FLAGS[.SILENT] flags` (RFC 9051 §6.4.6,
    /// RFC 7162).
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// `UNCHANGEDSINCE n` (CONDSTORE).
        unchanged_since: Option<u64>,
        /// The flag change.
        flags: StoreFlags,
    },
    /// `[UID] COPY set mailbox` (RFC 9051 §6.4.7).
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851, RFC 9051 §6.4.8).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `ID (field value …)` or `ID NIL` (RFC 2971 §3.1).
    Id(Option<Vec<(IString, NString)>>),
    /// `GETQUOTA root` (RFC 9208 §4.2.1).
    GetQuota(AString),
    /// `GETQUOTAROOT mailbox` (RFC 9208 §4.2.2).
    GetQuotaRoot(Mailbox),
    /// `SETQUOTA root (resource limit …)` (RFC 9208 §4.2.3).
    SetQuota {
        /// The quota root.
        root: AString,
        /// The new limits (maybe none).
        limits: Vec<QuotaLimit>,
    },
    /// `[UID] SORT [RETURN (…)] (criteria) charset keys` (RFC 5256 §3, ESORT RFC 5267).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// ESORT return options (RFC 5267 §3.1); `None` when absent.
        return_options: Option<Vec<SearchReturn>>,
        /// The sort criteria (at least one).
        criteria: Vec<SortCriterion>,
        /// The charset.
        charset: Charset,
        /// The search keys (at least one).
        search: Vec<SearchKey>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256 §3).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// The algorithm.
        algorithm: ThreadAlgorithm,
        /// The charset.
        charset: Charset,
        /// The search keys (at least one).
        search: Vec<SearchKey>,
    },
    /// `COMPRESS algorithm` (RFC 4978 §3), e.g. `DEFLATE`.
    Compress(Atom),
    /// `GETMETADATA [(options)] mailbox entries` (RFC 5464 §4.2).
    GetMetadata {
        /// MAXSIZE / DEPTH.
        options: MetadataOptions,
        /// The mailbox (`""` for server metadata).
        mailbox: Mailbox,
        /// The entries (at least one; one is sent without parentheses).
        entries: Vec<AString>,
    },
    /// `SETMETADATA mailbox (entry value …)` (RFC 5464 §4.3).
    SetMetadata {
        /// The mailbox (`""` for server metadata).
        mailbox: Mailbox,
        /// The entries and values (at least one).
        entries: Vec<MetadataEntry>,
    },
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate,
    /// A command this crate does not know, kept for the application.
    Other(OtherCommand),
}

impl Command {
    /// Returns a command.
    pub const fn new(tag: Tag, body: CommandBody) -> Self {
        Self { tag, body }
    }

    /// Parses a complete frame from the [`Framer`](crate::framing::Framer).
    ///
    /// ```abnf
    /// command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    /// ```
    ///
    /// Tolerances, each of which real clients need: command names and keywords in any case;
    /// several spaces where one is required; spaces after `(` and before `)`; trailing
    /// spaces; a bare LF after a literal announcement (when the framer's policy let it
    /// through); 8-bit octets in quoted strings.
    ///
    /// # Errors
    /// [`ParseError`] with the offset in the frame of the first byte that breaks the
    /// grammar; [`ParseError::TooDeep`] when lists or search keys nest deeper than
    /// [`DEFAULT_MAX_DEPTH`].
    pub fn parse(frame: &Frame) -> Result<Self, ParseError> {
        Self::parse_bytes(frame.bytes(), DEFAULT_MAX_DEPTH)
    }

    /// Parses a complete message (without its final CRLF) with a given nesting budget.
    ///
    /// # Errors
    /// As [`Command::parse`].
    pub fn parse_bytes(input: &Bytes, max_depth: usize) -> Result<Self, ParseError> {
        let mut p = Parser::new(input).with_max_depth(max_depth);
        let tag = Tag::read(&mut p)?;
        p.sp()?;
        let body = CommandBody::read(&mut p)?;
        p.end()?;
        Ok(Self { tag, body })
    }

    /// Appends the command's fragments to `out`, announcing literals as synchronising.
    ///
    /// A client sends each [`Fragment::Line`], and before each synchronising
    /// [`Fragment::Literal`] waits for the server's `+` (RFC 9051 §7.5):
    ///
    /// ```
    /// use imap_proto::command::{Command, CommandBody};
    /// use imap_proto::types::{AString, Fragment, Tag};
    ///
    /// let login = Command::new(
    ///     Tag::try_from("A1").unwrap(),
    ///     CommandBody::Login {
    ///         username: AString::try_from("fred").unwrap(),
    ///         password: AString::try_from("sec\"ret\r\n").unwrap().into(),
    ///     },
    /// );
    /// let mut fragments = Vec::new();
    /// login.encode(&mut fragments);
    /// assert_eq!(fragments.len(), 3);
    /// assert_eq!(&fragments[0].as_bytes()[..], b"A1 LOGIN fred {9}\r\n"); // send, await "+"
    /// assert!(matches!(&fragments[1], Fragment::Literal { data, .. } if &data[..] == b"sec\"ret\r\n"));
    /// assert_eq!(&fragments[2].as_bytes()[..], b"\r\n");
    /// ```
    pub fn encode(&self, out: &mut Vec<Fragment>) {
        let mut e = Encoder::new();
        self.encode_to(&mut e);
        out.extend(e.finish());
    }

    /// Appends the command's fragments to `out` through a configured [`Encoder`]
    /// (LITERAL+ / LITERAL-).
    pub fn encode_with(&self, mut encoder: Encoder, out: &mut Vec<Fragment>) {
        self.encode_to(&mut encoder);
        out.extend(encoder.finish());
    }

    /// Returns the whole wire form, CRLF included (literals inline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut f = Vec::new();
        self.encode(&mut f);
        fragments_to_bytes(&f)
    }

    fn encode_to(&self, e: &mut Encoder) {
        self.tag.encode(e);
        e.sp();
        self.body.encode(e);
        e.crlf();
    }
}

impl Encode for Command {
    fn encode(&self, out: &mut Encoder) {
        self.encode_to(out);
    }
}

/// Returns the tag at the start of a frame, so that a server can answer `tag BAD` to a
/// command it cannot parse.
pub fn tag_of(frame: &[u8]) -> Option<Tag> {
    let end = frame.iter().position(|&b| b == b' ').unwrap_or(frame.len());
    Tag::try_from(frame.get(..end)?).ok()
}

/// Reads the end of IDLE: `DONE` (RFC 2177 §3, RFC 9051 §6.3.13), a line without its CRLF.
///
/// ```abnf
/// idle = "IDLE" CRLF "DONE"
/// ```
///
/// Tolerance: any case and trailing spaces.
///
/// # Errors
/// [`ParseError`] for anything else.
pub fn parse_idle_done(line: &[u8]) -> Result<(), ParseError> {
    if line.trim_ascii_end().eq_ignore_ascii_case(b"DONE") {
        Ok(())
    } else {
        Err(ParseError::syntax(0, "DONE"))
    }
}

/// Reads a client's answer to an AUTHENTICATE challenge: a base64 line, `*` to cancel,
/// without its CRLF (RFC 9051 §6.2.2).
///
/// ```abnf
/// authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] *(CRLF base64)
/// ```
///
/// `max_len` bounds the decoded length.
///
/// # Errors
/// [`mail_core::sasl::FramingError`] for anything that is not strict base64 or `*`, or is
/// longer than `max_len` decoded.
pub fn parse_authenticate_response(
    line: &[u8],
    max_len: usize,
) -> Result<ClientResponse, sasl::FramingError> {
    sasl::decode_response(line, ResponseKind::Continuation, max_len)
}

/// Reads `SP mailbox`.
fn sp_mailbox(p: &mut Parser<'_>) -> PResult<Mailbox> {
    p.sp()?;
    Mailbox::read(p)
}

/// Reads `SP sequence-set`.
fn sp_set(p: &mut Parser<'_>) -> PResult<SequenceSet> {
    p.sp()?;
    SequenceSet::read(p)
}

impl CommandBody {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let name = p.atom()?;
        let upper = Upper::new(name);
        Ok(match upper.as_bytes() {
            b"CAPABILITY" => Self::Capability,
            b"NOOP" => Self::Noop,
            b"LOGOUT" => Self::Logout,
            b"STARTTLS" => Self::StartTls,
            b"AUTHENTICATE" => read_authenticate(p)?,
            b"LOGIN" => {
                p.sp()?;
                let username = AString::read(p)?;
                p.sp()?;
                let password = Secret::new(AString::read(p)?);
                Self::Login { username, password }
            }
            b"ENABLE" => {
                let mut caps = Vec::new();
                p.sp()?;
                caps.push(Capability::read(p)?);
                while p.eat_sp() && !p.at_end() {
                    caps.push(Capability::read(p)?);
                }
                Self::Enable(caps)
            }
            b"SELECT" | b"EXAMINE" => {
                let mailbox = sp_mailbox(p)?;
                let params = if p.eat_sp() && p.peek() == Some(b'(') {
                    SelectParams::read(p)?
                } else {
                    SelectParams::default()
                };
                if upper.as_bytes() == b"SELECT" {
                    Self::Select { mailbox, params }
                } else {
                    Self::Examine { mailbox, params }
                }
            }
            b"CREATE" => {
                let mailbox = sp_mailbox(p)?;
                let mut special_use = None;
                if p.eat_sp() && p.peek() == Some(b'(') {
                    p.list(true, |p| {
                        p.expect_keyword(b"USE", "USE")?;
                        p.sp()?;
                        special_use = Some(p.list(false, SpecialUse::read)?);
                        Ok(())
                    })?;
                }
                Self::Create {
                    mailbox,
                    special_use,
                }
            }
            b"DELETE" => Self::Delete(sp_mailbox(p)?),
            b"RENAME" => {
                let from = sp_mailbox(p)?;
                let to = sp_mailbox(p)?;
                Self::Rename { from, to }
            }
            b"SUBSCRIBE" => Self::Subscribe(sp_mailbox(p)?),
            b"UNSUBSCRIBE" => Self::Unsubscribe(sp_mailbox(p)?),
            b"LIST" => read_list(p)?,
            b"LSUB" => {
                let reference = sp_mailbox(p)?;
                p.sp()?;
                Self::Lsub {
                    reference,
                    pattern: ListMailbox::read(p)?,
                }
            }
            b"NAMESPACE" => Self::Namespace,
            b"STATUS" => {
                let mailbox = sp_mailbox(p)?;
                p.sp()?;
                Self::Status {
                    mailbox,
                    items: p.list(true, StatusItem::read)?,
                }
            }
            b"APPEND" => read_append(p)?,
            b"IDLE" => Self::Idle,
            b"CHECK" => Self::Check,
            b"CLOSE" => Self::Close,
            b"UNSELECT" => Self::Unselect,
            b"EXPUNGE" => Self::Expunge,
            b"UNAUTHENTICATE" => Self::Unauthenticate,
            b"SEARCH" => read_search(p, false)?,
            b"FETCH" => read_fetch(p, false)?,
            b"STORE" => read_store(p, false)?,
            b"COPY" => read_copy_move(p, false, false)?,
            b"MOVE" => read_copy_move(p, false, true)?,
            b"SORT" => read_sort(p, false)?,
            b"THREAD" => read_thread(p, false)?,
            b"UID" => {
                p.sp()?;
                let sub_at = p.pos();
                let sub = Upper::new(p.atom()?);
                match sub.as_bytes() {
                    b"FETCH" => read_fetch(p, true)?,
                    b"STORE" => read_store(p, true)?,
                    b"COPY" => read_copy_move(p, true, false)?,
                    b"MOVE" => read_copy_move(p, true, true)?,
                    b"SEARCH" => read_search(p, true)?,
                    b"SORT" => read_sort(p, true)?,
                    b"THREAD" => read_thread(p, true)?,
                    b"EXPUNGE" => Self::UidExpunge(sp_set(p)?),
                    _ => {
                        return Err(ParseError::syntax(
                            sub_at,
                            "FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD or EXPUNGE after UID",
                        ));
                    }
                }
            }
            b"ID" => {
                p.sp()?;
                if p.keyword(b"NIL") {
                    Self::Id(None)
                } else {
                    Self::Id(Some(p.list(false, |p| {
                        let k = IString::read(p)?;
                        p.sp()?;
                        Ok((k, NString::read(p)?))
                    })?))
                }
            }
            b"GETQUOTA" => {
                p.sp()?;
                Self::GetQuota(AString::read(p)?)
            }
            b"GETQUOTAROOT" => Self::GetQuotaRoot(sp_mailbox(p)?),
            b"SETQUOTA" => {
                p.sp()?;
                let root = AString::read(p)?;
                p.sp()?;
                Self::SetQuota {
                    root,
                    limits: p.list(false, QuotaLimit::read)?,
                }
            }
            b"COMPRESS" => {
                p.sp()?;
                Self::Compress(Atom::read(p)?)
            }
            b"GETMETADATA" => read_getmetadata(p)?,
            b"SETMETADATA" => {
                let mailbox = sp_mailbox(p)?;
                p.sp()?;
                Self::SetMetadata {
                    mailbox,
                    entries: p.list(true, MetadataEntry::read)?,
                }
            }
            _ => {
                let name =
                    Atom::try_from(name).map_err(|_| ParseError::syntax(at, "command name"))?;
                let arguments = if p.eat(b' ') {
                    let start = p.pos();
                    let all = p.slice(start, start.saturating_add(p.rest().len()));
                    p.advance(all.len());
                    Some(all)
                } else {
                    None
                };
                let at_args = p.pos();
                Self::Other(
                    OtherCommand::new(name, arguments)
                        .map_err(|_| ParseError::syntax(at_args, "arguments"))?,
                )
            }
        })
    }
}

/// Reads `SP auth-type [SP initial-resp]` (RFC 9051 §6.2.2, RFC 4959 §3).
///
/// ```abnf
/// initial-resp = (base64 / "=")
/// ```
fn read_authenticate(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let at = p.pos();
    let mech = p.atom()?;
    let mechanism = core::str::from_utf8(mech)
        .ok()
        .and_then(|m| m.parse::<Mechanism>().ok())
        .ok_or(ParseError::syntax(at, "auth-type"))?;
    let initial_response = if p.eat_sp() && !p.at_end() {
        let ir_at = p.pos();
        let ir = p.take_while(|b| b != b' ');
        match sasl::decode_response(ir, ResponseKind::Initial, MAX_INITIAL_RESPONSE) {
            Ok(ClientResponse::Data(d)) => Some(d),
            _ => return Err(ParseError::syntax(ir_at, "base64 initial response or '='")),
        }
    } else {
        None
    };
    Ok(CommandBody::Authenticate {
        mechanism,
        initial_response,
    })
}

/// Reads the arguments of LIST (RFC 9051 §6.3.9, RFC 5258 §6).
///
/// ```abnf
/// list             = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// list-select-opts = "(" [ list-select-opt *(SP list-select-opt) ] ")"
/// mbox-or-pat      = list-mailbox / patterns
/// patterns         = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
fn read_list(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let selection = if p.peek() == Some(b'(') {
        let s = p.list(false, ListSelectOption::read)?;
        // Tolerance: no SP between the options and the reference, as in the example of
        // RFC 5819 §2 (`LIST (SUBSCRIBED RECURSIVEMATCH)"" %`).
        p.eat_sp();
        Some(s)
    } else {
        None
    };
    let reference = Mailbox::read(p)?;
    p.sp()?;
    let patterns = if p.peek() == Some(b'(') {
        p.list(true, ListMailbox::read)?
    } else {
        vec![ListMailbox::read(p)?]
    };
    let return_options = if p.eat_sp() && p.keyword(b"RETURN") {
        p.sp()?;
        Some(p.list(false, ListReturnOption::read)?)
    } else {
        None
    };
    Ok(CommandBody::List {
        selection,
        reference,
        patterns,
        return_options,
    })
}

/// Reads the messages of APPEND (RFC 9051 §6.3.12, RFC 3502 §6.3.11).
///
/// ```abnf
/// append         = "APPEND" SP mailbox 1*append-message
/// append-message = append-opts SP append-data
/// append-opts    = [SP flag-list] [SP date-time]
/// append-data    = literal / literal8
/// append-data    =/ utf8-literal                   ; RFC 6855 §4
/// utf8-literal   = "UTF8" SP "(" literal8 ")"
/// ```
///
/// Tolerance: a `literal` inside `UTF8 (…)`.
fn read_append(p: &mut Parser<'_>) -> PResult<CommandBody> {
    let mailbox = sp_mailbox(p)?;
    let mut messages = Vec::new();
    loop {
        p.sp()?;
        let flags = if p.peek() == Some(b'(') {
            let f = Flag::read_list(p)?;
            p.sp()?;
            Some(f)
        } else {
            None
        };
        let date = if p.peek() == Some(b'"') {
            let d = DateTime::read(p)?;
            p.sp()?;
            Some(d)
        } else {
            None
        };
        let utf8 = p.keyword(b"UTF8");
        if utf8 {
            p.sp()?;
            p.byte(b'(', "'(' after UTF8")?;
        }
        let (data, binary) = match p.peek() {
            Some(b'{' | b'~') => p.literal(true)?,
            _ => return Err(p.err("literal")),
        };
        if utf8 {
            p.byte(b')', "')' closing UTF8")?;
        }
        messages.push(AppendMessage {
            flags,
            date,
            data,
            binary: binary || utf8,
            utf8,
        });
        // MULTIAPPEND: another message follows after SP.
        let save = p.pos();
        if !(p.eat_sp() && matches!(p.peek(), Some(b'(' | b'"' | b'{' | b'~' | b'U' | b'u'))) {
            p.seek(save);
            break;
        }
        p.seek(save);
    }
    Ok(CommandBody::Append { mailbox, messages })
}

/// Reads SEARCH after its name.
///
/// ```abnf
/// search             = "SEARCH" [search-return-opts] SP search-program
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// search-program     = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
fn read_search(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let return_options = if p.keyword(b"RETURN") {
        p.sp()?;
        let r = p.list(false, SearchReturn::read)?;
        p.sp()?;
        Some(r)
    } else {
        None
    };
    let charset = if p.keyword(b"CHARSET") {
        p.sp()?;
        let c = Charset::read(p)?;
        p.sp()?;
        Some(c)
    } else {
        None
    };
    Ok(CommandBody::Search {
        uid,
        return_options,
        charset,
        criteria: search::read_keys(p)?,
    })
}

/// Reads GETMETADATA after its name (RFC 5464 §4.2).
///
/// ```abnf
/// getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
/// entries     = entry / "(" entry *(SP entry) ")"
/// ```
///
/// Tolerances, both from the RFC's own examples (§4.2.2, §5): the options after the
/// mailbox, and several entries without parentheses.
fn read_getmetadata(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mut options = MetadataOptions::default();
    if p.peek() == Some(b'(') {
        options = MetadataOptions::read(p)?;
        p.sp()?;
    }
    let mailbox = Mailbox::read(p)?;
    p.sp()?;
    if options.is_empty() && p.peek() == Some(b'(') {
        let save = p.pos();
        p.advance(1);
        p.eat_sp();
        let is_options = p.keyword(b"MAXSIZE") || p.keyword(b"DEPTH");
        p.seek(save);
        if is_options {
            options = MetadataOptions::read(p)?;
            p.sp()?;
        }
    }
    let entries = if p.peek() == Some(b'(') {
        p.list(true, AString::read)?
    } else {
        let mut entries = vec![AString::read(p)?];
        while p.eat_sp() && !p.at_end() {
            entries.push(AString::read(p)?);
        }
        entries
    };
    Ok(CommandBody::GetMetadata {
        options,
        mailbox,
        entries,
    })
}

/// Reads FETCH after its name.
///
/// ```abnf
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// ```
fn read_fetch(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    let set = sp_set(p)?;
    p.sp()?;
    let items = FetchItems::read(p)?;
    let modifiers = if p.eat_sp() && p.peek() == Some(b'(') {
        FetchModifiers::read(p)?
    } else {
        FetchModifiers::default()
    };
    Ok(CommandBody::Fetch {
        uid,
        set,
        items,
        modifiers,
    })
}

/// Reads STORE after its name.
///
/// ```abnf
/// store           = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
/// store-modifier  = "UNCHANGEDSINCE" SP mod-sequence-valzer
/// ```
fn read_store(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    let set = sp_set(p)?;
    p.sp()?;
    let mut unchanged_since = None;
    if p.peek() == Some(b'(') {
        p.list(true, |p| {
            p.expect_keyword(b"UNCHANGEDSINCE", "UNCHANGEDSINCE")?;
            p.sp()?;
            unchanged_since = Some(p.number64()?);
            Ok(())
        })?;
        p.sp()?;
    }
    Ok(CommandBody::Store {
        uid,
        set,
        unchanged_since,
        flags: StoreFlags::read(p)?,
    })
}

/// Reads COPY or MOVE after the name: `SP sequence-set SP mailbox`.
fn read_copy_move(p: &mut Parser<'_>, uid: bool, is_move: bool) -> PResult<CommandBody> {
    let set = sp_set(p)?;
    let mailbox = sp_mailbox(p)?;
    Ok(if is_move {
        CommandBody::Move { uid, set, mailbox }
    } else {
        CommandBody::Copy { uid, set, mailbox }
    })
}

/// Reads SORT after its name (RFC 5256 §5).
///
/// ```abnf
/// sort            = ["UID" SP] "SORT" [sort-return-opts] SP sort-criteria SP search-criteria
/// sort-return-opts = SP "RETURN" SP "(" [sort-return-opt *(SP sort-return-opt)] ")"  ; RFC 5267
/// sort-criteria   = "(" sort-criterion *(SP sort-criterion) ")"
/// search-criteria = charset 1*(SP search-key)
/// ```
fn read_sort(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let return_options = if p.keyword(b"RETURN") {
        p.sp()?;
        let r = p.list(false, SearchReturn::read)?;
        p.sp()?;
        Some(r)
    } else {
        None
    };
    let criteria = p.list(true, SortCriterion::read)?;
    p.sp()?;
    let charset = Charset::read(p)?;
    p.sp()?;
    Ok(CommandBody::Sort {
        uid,
        return_options,
        criteria,
        charset,
        search: search::read_keys(p)?,
    })
}

/// Reads THREAD after its name (RFC 5256 §5).
///
/// ```abnf
/// thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
/// ```
fn read_thread(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let algorithm = ThreadAlgorithm::read(p)?;
    p.sp()?;
    let charset = Charset::read(p)?;
    p.sp()?;
    Ok(CommandBody::Thread {
        uid,
        algorithm,
        charset,
        search: search::read_keys(p)?,
    })
}

fn uid_prefix(uid: bool, e: &mut Encoder) {
    if uid {
        e.raw(b"UID ");
    }
}

impl Encode for CommandBody {
    #[allow(clippy::too_many_lines)]
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Capability => e.raw(b"CAPABILITY"),
            Self::Noop => e.raw(b"NOOP"),
            Self::Logout => e.raw(b"LOGOUT"),
            Self::StartTls => e.raw(b"STARTTLS"),
            Self::Authenticate {
                mechanism,
                initial_response,
            } => {
                e.raw(b"AUTHENTICATE ");
                e.raw(mechanism.as_str().as_bytes());
                if let Some(ir) = initial_response {
                    e.sp();
                    let mut b = Vec::new();
                    sasl::encode_response(ir.expose(), ResponseKind::Initial, &mut b);
                    e.raw(&b);
                }
            }
            Self::Login { username, password } => {
                e.raw(b"LOGIN ");
                username.encode(e);
                e.sp();
                password.expose().encode(e);
            }
            Self::Enable(caps) => {
                e.raw(b"ENABLE");
                for c in caps {
                    e.sp();
                    c.encode(e);
                }
            }
            Self::Select { mailbox, params } | Self::Examine { mailbox, params } => {
                e.raw(if matches!(self, Self::Select { .. }) {
                    b"SELECT "
                } else {
                    b"EXAMINE "
                });
                mailbox.encode(e);
                if !params.is_empty() {
                    e.sp();
                    params.encode(e);
                }
            }
            Self::Create {
                mailbox,
                special_use,
            } => {
                e.raw(b"CREATE ");
                mailbox.encode(e);
                if let Some(uses) = special_use {
                    e.raw(b" (USE ");
                    encode_list(uses, e);
                    e.raw(b")");
                }
            }
            Self::Delete(m) => {
                e.raw(b"DELETE ");
                m.encode(e);
            }
            Self::Rename { from, to } => {
                e.raw(b"RENAME ");
                from.encode(e);
                e.sp();
                to.encode(e);
            }
            Self::Subscribe(m) => {
                e.raw(b"SUBSCRIBE ");
                m.encode(e);
            }
            Self::Unsubscribe(m) => {
                e.raw(b"UNSUBSCRIBE ");
                m.encode(e);
            }
            Self::List {
                selection,
                reference,
                patterns,
                return_options,
            } => {
                e.raw(b"LIST ");
                if let Some(s) = selection {
                    encode_list(s, e);
                    e.sp();
                }
                reference.encode(e);
                e.sp();
                match patterns.as_slice() {
                    [one] => one.encode(e),
                    many => encode_list(many, e),
                }
                if let Some(r) = return_options {
                    e.raw(b" RETURN ");
                    encode_list(r, e);
                }
            }
            Self::Lsub { reference, pattern } => {
                e.raw(b"LSUB ");
                reference.encode(e);
                e.sp();
                pattern.encode(e);
            }
            Self::Namespace => e.raw(b"NAMESPACE"),
            Self::Status { mailbox, items } => {
                e.raw(b"STATUS ");
                mailbox.encode(e);
                e.sp();
                encode_list(items, e);
            }
            Self::Append { mailbox, messages } => {
                e.raw(b"APPEND ");
                mailbox.encode(e);
                for m in messages {
                    if let Some(flags) = &m.flags {
                        e.sp();
                        encode_list(flags, e);
                    }
                    if let Some(d) = &m.date {
                        e.sp();
                        d.encode(e);
                    }
                    e.sp();
                    if m.utf8 {
                        e.raw(b"UTF8 (");
                        e.literal(&m.data, true);
                        e.raw(b")");
                    } else {
                        // A message holding NUL can only travel as literal8 (RFC 3516 §4.2).
                        let binary = m.binary || memchr::memchr(0, &m.data).is_some();
                        e.literal(&m.data, binary);
                    }
                }
            }
            Self::Idle => e.raw(b"IDLE"),
            Self::Check => e.raw(b"CHECK"),
            Self::Close => e.raw(b"CLOSE"),
            Self::Unselect => e.raw(b"UNSELECT"),
            Self::Expunge => e.raw(b"EXPUNGE"),
            Self::Unauthenticate => e.raw(b"UNAUTHENTICATE"),
            Self::UidExpunge(set) => {
                e.raw(b"UID EXPUNGE ");
                set.encode(e);
            }
            Self::Search {
                uid,
                return_options,
                charset,
                criteria,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"SEARCH ");
                if let Some(r) = return_options {
                    e.raw(b"RETURN ");
                    encode_list(r, e);
                    e.sp();
                }
                if let Some(c) = charset {
                    e.raw(b"CHARSET ");
                    c.encode(e);
                    e.sp();
                }
                search::encode_keys(criteria, e);
            }
            Self::Fetch {
                uid,
                set,
                items,
                modifiers,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"FETCH ");
                set.encode(e);
                e.sp();
                items.encode(e);
                if !modifiers.is_empty() {
                    e.sp();
                    modifiers.encode(e);
                }
            }
            Self::Store {
                uid,
                set,
                unchanged_since,
                flags,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"STORE ");
                set.encode(e);
                e.sp();
                if let Some(n) = unchanged_since {
                    e.raw(b"(UNCHANGEDSINCE ");
                    e.number(*n);
                    e.raw(b") ");
                }
                flags.encode(e);
            }
            Self::Copy { uid, set, mailbox } | Self::Move { uid, set, mailbox } => {
                uid_prefix(*uid, e);
                e.raw(if matches!(self, Self::Copy { .. }) {
                    b"COPY "
                } else {
                    b"MOVE "
                });
                set.encode(e);
                e.sp();
                mailbox.encode(e);
            }
            Self::Id(params) => {
                e.raw(b"ID ");
                match params {
                    None => e.raw(b"NIL"),
                    Some(params) => {
                        e.raw(b"(");
                        for (i, (k, v)) in params.iter().enumerate() {
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
            Self::GetQuota(root) => {
                e.raw(b"GETQUOTA ");
                root.encode(e);
            }
            Self::GetQuotaRoot(m) => {
                e.raw(b"GETQUOTAROOT ");
                m.encode(e);
            }
            Self::SetQuota { root, limits } => {
                e.raw(b"SETQUOTA ");
                root.encode(e);
                e.sp();
                encode_list(limits, e);
            }
            Self::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"SORT ");
                if let Some(r) = return_options {
                    e.raw(b"RETURN ");
                    encode_list(r, e);
                    e.sp();
                }
                encode_list(criteria, e);
                e.sp();
                charset.encode(e);
                e.sp();
                search::encode_keys(search, e);
            }
            Self::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"THREAD ");
                algorithm.encode(e);
                e.sp();
                charset.encode(e);
                e.sp();
                search::encode_keys(search, e);
            }
            Self::Compress(a) => {
                e.raw(b"COMPRESS ");
                a.encode(e);
            }
            Self::GetMetadata {
                options,
                mailbox,
                entries,
            } => {
                e.raw(b"GETMETADATA ");
                if !options.is_empty() {
                    options.encode(e);
                    e.sp();
                }
                mailbox.encode(e);
                e.sp();
                match entries.as_slice() {
                    [one] => one.encode(e),
                    [first, rest @ ..] => {
                        // An atom MAXSIZE or DEPTH first in the list would read back as
                        // options after the mailbox (a tolerance of the parser): quote it.
                        let word = first.as_bytes();
                        e.raw(b"(");
                        if word.eq_ignore_ascii_case(b"MAXSIZE")
                            || word.eq_ignore_ascii_case(b"DEPTH")
                        {
                            e.string(word);
                        } else {
                            first.encode(e);
                        }
                        for entry in rest {
                            e.sp();
                            entry.encode(e);
                        }
                        e.raw(b")");
                    }
                    [] => e.raw(b"()"),
                }
            }
            Self::SetMetadata { mailbox, entries } => {
                e.raw(b"SETMETADATA ");
                mailbox.encode(e);
                e.sp();
                encode_list(entries, e);
            }
            Self::Other(o) => {
                o.name.encode(e);
                if let Some(args) = &o.arguments {
                    e.sp();
                    for (text, literal) in split_raw(args).unwrap_or_default() {
                        e.raw(&text);
                        if let Some((data, binary)) = literal {
                            e.literal(&data, binary);
                        }
                    }
                }
            }
        }
    }
}

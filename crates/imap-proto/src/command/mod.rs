//! Client → server: every IMAP command (RFC 9051 §6, RFC 3501 §6 and the extensions),
//! parsed from a complete frame and encoded as [`Fragment`]s.
//!
//! [`Command::parse`] reads one frame from [`crate::framing::Framer`] (a line plus the
//! literals it announces); [`Command::encode`] writes one, yielding each literal as a
//! separate fragment so that a client can wait for `+` before sending a synchronising one.
//! The command name is dispatched with a `match` on its upper-cased form.

mod append;
mod encode;
mod ext;
mod fetch;
mod mailbox;
mod notify;
mod other;
mod parse;
mod search;

use bytes::Bytes;
use mail_core::Secret;
use mail_core::sasl::{self, ClientResponse, Mechanism, ResponseKind};

pub use append::{AppendData, AppendMessage, CatenatePart};
pub use ext::{
    MetadataDepth, MetadataEntry, MetadataOptions, MetadataValue, QuotaLimit, SortCriterion,
    SortKey, ThreadAlgorithm,
};
pub use fetch::{FetchAttribute, FetchItems, FetchModifiers, StoreFlags, StoreMode};
pub use mailbox::{
    ListReturnOption, ListSelectOption, QResync, SelectParam, SelectParams, SpecialUse, StatusItem,
};
pub use notify::{EventGroup, FilterMailboxes, Notify, NotifyEvent};
pub use other::OtherCommand;
pub use search::{Charset, EntryType, SearchKey, SearchReturn};

use crate::error::ParseError;
use crate::framing::Frame;
use crate::types::parser::{DEFAULT_MAX_DEPTH, Parser};
use crate::types::{
    AString, Atom, Capability, Encode, Encoder, Fragment, IString, ListMailbox, Mailbox, NString,
    SequenceSet, Tag, fragments_to_bytes,
};

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
    /// `APPEND mailbox message…` (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 4469
    /// CATENATE).
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
    /// `NOTIFY SET …` / `NOTIFY NONE` (RFC 5465 §3).
    Notify(Notify),
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
    pub fn to_bytes(&self) -> Bytes {
        let mut f = Vec::new();
        self.encode(&mut f);
        Bytes::from(fragments_to_bytes(&f))
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

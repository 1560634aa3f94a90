//! What the server reports to the application, what the application hands it about a
//! mailbox, and where the session is.

use core::num::NonZeroU32;
use std::sync::Arc;

use bytes::Bytes;
use mail_core::connection::CloseReason;
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Verification;

use crate::command::{
    Charset, Command, FetchAttribute, QResync, SearchKey, SearchReturn, StoreFlags,
};
use crate::response::MailboxList;
use crate::types::{DateTime, Flag, FlagPerm, Mailbox, SequenceSet, Tag};

/// A message's unique identifier (RFC 9051 §2.3.1.1). The library translates between
/// message sequence numbers and UIDs: the application only ever sees UIDs.
pub type Uid = NonZeroU32;

/// What the server has done, or what the application must decide. Each event that needs an
/// answer ([`Event::needs_answer`]) names the methods that answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `LOGIN`, or `AUTHENTICATE` reached a credential check: answer with
    /// [`Connection::auth_answer`](super::Connection::auth_answer).
    AuthVerify(Verification),
    /// The client authenticated (the server sent `OK`). No answer.
    Authenticated {
        /// The SASL mechanism, `None` for `LOGIN`.
        mechanism: Option<Mechanism>,
        /// The identity to act as.
        user: String,
    },
    /// A command announced a synchronising literal: accept it
    /// ([`accept_literal`](super::Connection::accept_literal), the server sends `+`) or
    /// refuse it ([`refuse`](super::Connection::refuse), the client will not send it). APPEND's
    /// messages come as [`Event::AppendStart`] instead.
    LiteralAnnounced {
        /// The command's tag, when it could be read.
        tag: Option<Tag>,
        /// The literal's size.
        size: u64,
    },
    /// `SELECT` or `EXAMINE`: open the mailbox and answer with
    /// [`select`](super::Connection::select), or [`refuse`](super::Connection::refuse) it.
    Select {
        /// The mailbox.
        mailbox: Mailbox,
        /// `EXAMINE`.
        read_only: bool,
        /// `CONDSTORE` asked for (RFC 7162 §3.1.8), or enabled.
        condstore: bool,
        /// `QRESYNC (…)` (RFC 7162 §3.2.5): the client's cached state.
        qresync: Option<QResync>,
    },
    /// The selected mailbox is closed (`CLOSE`, `UNSELECT`, a `SELECT` of another mailbox, a
    /// failed `SELECT`, `LOGOUT`, the end of the session). With `expunge` (CLOSE of a
    /// read-write mailbox, RFC 9051 §6.4.1) remove the `\Deleted` messages silently, then
    /// answer [`done`](super::Connection::done); otherwise no answer.
    MailboxClosed {
        /// Remove the messages flagged `\Deleted`.
        expunge: bool,
    },
    /// `[UID] FETCH`: for each message, answer [`fetch`](super::Connection::fetch) (and
    /// [`fetch_literal`](super::Connection::fetch_literal) for streamed sections), then
    /// [`done`](super::Connection::done).
    Fetch {
        /// The messages, in sequence order.
        uids: Vec<Uid>,
        /// What to send about each (macros expanded, `MODSEQ` added for `CHANGEDSINCE` as RFC
        /// 7162 §3.1.4.1 says; `UID` is added by the library).
        items: Vec<FetchAttribute>,
        /// `CHANGEDSINCE n` (RFC 7162): only messages whose mod-sequence is larger.
        changed_since: Option<u64>,
        /// `VANISHED` (RFC 7162 §3.2.6): also report the UIDs of the set expunged since
        /// `changed_since` with [`vanished`](super::Connection::vanished).
        vanished: bool,
        /// A BODY[…] or BINARY[…] without PEEK: set `\Seen` on each message (RFC 9051 §6.4.5)
        /// and include the new FLAGS in its answer.
        sets_seen: bool,
    },
    /// `[UID] STORE`: change the flags, report each message's new flags with
    /// [`stored`](super::Connection::stored) (and [`store_failed`] for UNCHANGEDSINCE
    /// failures), then [`done`](super::Connection::done).
    ///
    /// [`store_failed`]: super::Connection::store_failed
    Store {
        /// The messages, in sequence order.
        uids: Vec<Uid>,
        /// The flag change (the library sends FETCH FLAGS unless `.SILENT`).
        flags: StoreFlags,
        /// `UNCHANGEDSINCE n` (RFC 7162 §3.1.3).
        unchanged_since: Option<u64>,
    },
    /// `[UID] SEARCH`: answer [`search_result`](super::Connection::search_result). Sequence
    /// sets in the keys are already UID sets ([`SearchKey::Uid`]).
    Search {
        /// All of these must match.
        criteria: Vec<SearchKey>,
        /// The charset.
        charset: Option<Charset>,
        /// ESEARCH return options (the library builds the response from them).
        return_options: Option<Vec<SearchReturn>>,
    },
    /// `EXPUNGE` or `UID EXPUNGE`: remove the `\Deleted` messages (of `uids` only, for
    /// UID EXPUNGE), report them with [`expunged`](super::Connection::expunged), then
    /// [`done`](super::Connection::done).
    Expunge {
        /// `UID EXPUNGE`'s messages; `None` for every `\Deleted` message.
        uids: Option<Vec<Uid>>,
    },
    /// `[UID] COPY` or `[UID] MOVE`: copy (and remove) the messages, then answer
    /// [`copied`](super::Connection::copied), or [`refuse`](super::Connection::refuse)
    /// (`NO [TRYCREATE]` for a mailbox that does not exist).
    Copy {
        /// The messages, in sequence order.
        uids: Vec<Uid>,
        /// The destination.
        mailbox: Mailbox,
        /// `MOVE` (RFC 6851): the library reports the source messages expunged.
        move_: bool,
    },
    /// One message of `APPEND`: accept it ([`accept_append`](super::Connection::accept_append),
    /// its octets follow as [`Event::AppendData`]) or [`refuse`](super::Connection::refuse)
    /// it before the client sends it (`NO [TRYCREATE]`, `NO [OVERQUOTA]`).
    AppendStart {
        /// The mailbox.
        mailbox: Mailbox,
        /// The flags to set.
        flags: Option<Vec<Flag>>,
        /// The internal date to set.
        date: Option<DateTime>,
        /// The message's size.
        size: u64,
        /// Sent as `literal8` (BINARY): may hold NUL.
        binary: bool,
        /// Sent as `UTF8 (…)` (RFC 6855).
        utf8: bool,
    },
    /// A piece of the message being appended, a zero-copy slice of the input. No answer.
    AppendData(Bytes),
    /// The message being appended is complete; another may follow (MULTIAPPEND). No answer.
    AppendEnd,
    /// The `APPEND` command is complete: store what was received and answer
    /// [`append_done`](super::Connection::append_done), or
    /// [`refuse`](super::Connection::refuse).
    AppendDone,
    /// `IDLE` started (RFC 2177): report mailbox changes as they happen; they are sent at
    /// once. No answer.
    IdleStarted,
    /// `DONE` ended the IDLE. No answer.
    IdleDone,
    /// Any other command (CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB,
    /// STATUS, NAMESPACE, GETQUOTA…, SORT, THREAD, GETMETADATA…, unknown ones with
    /// [`Config::application_unknown`](super::Config::application_unknown)): answer with
    /// [`data`](super::Connection::data) for each untagged response, then
    /// [`complete`](super::Connection::complete). SORT's and THREAD's search keys arrive
    /// with their sequence sets resolved to UID sets, as [`Event::Search`]'s; the answer
    /// gives sequence numbers through [`seq`](super::Connection::seq) (UIDs for UID SORT and
    /// UID THREAD), and no EXPUNGE is sent before a (not UID) SORT or THREAD completes.
    Command(Command),
    /// `STARTTLS` was accepted and `OK` queued: write the output, do the TLS handshake, then
    /// call `tls_established`. No answer.
    StartTls,
    /// Plaintext that arrived after `STARTTLS` and before the handshake was discarded
    /// (RFC 9051 §6.2.1). No answer; worth logging.
    InputDiscarded {
        /// How many octets.
        len: usize,
    },
    /// The session is over: the last event, exactly once (a [`Event::MailboxClosed`] came
    /// first if a mailbox was selected). Write the output that is left, then close.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

impl Event {
    /// Returns whether the application must answer this event before the server goes on.
    pub fn needs_answer(&self) -> bool {
        match self {
            Self::MailboxClosed { expunge } => *expunge,
            Self::Authenticated { .. }
            | Self::AppendData(_)
            | Self::AppendEnd
            | Self::IdleStarted
            | Self::IdleDone
            | Self::StartTls
            | Self::InputDiscarded { .. }
            | Self::Closed { .. } => false,
            _ => true,
        }
    }
}

/// Where the session is (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Not authenticated (§3.1).
    NotAuthenticated,
    /// Authenticated, no mailbox selected (§3.2).
    Authenticated,
    /// A mailbox is selected (§3.3).
    Selected {
        /// Opened with `EXAMINE`.
        read_only: bool,
    },
    /// In `IDLE` (RFC 2177).
    Idle,
    /// `OK` to `STARTTLS` sent; waiting for the TLS handshake.
    TlsHandshake,
    /// The session is over (§3.4).
    Logout,
}

/// One message of a selected mailbox, as the application hands it to the library.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageInfo {
    /// Its UID.
    pub uid: Uid,
    /// Its flags, for `\Seen` counts and FETCH FLAGS. Shared: the messages of a mailbox have
    /// few distinct flag sets, so an application can hand every message with the same flags
    /// one list (`Arc::clone`) and build a large snapshot without an allocation per message.
    pub flags: Arc<[Flag]>,
    /// Its mod-sequence (CONDSTORE), `0` when the mailbox keeps none.
    pub mod_seq: u64,
}

impl MessageInfo {
    /// Returns a message with these flags (a `Vec<Flag>`, or an `Arc<[Flag]>` shared with
    /// other messages) and no mod-sequence.
    pub fn new(uid: Uid, flags: impl Into<Arc<[Flag]>>) -> Self {
        Self {
            uid,
            flags: flags.into(),
            mod_seq: 0,
        }
    }
}

/// A mailbox the application opened for `SELECT`/`EXAMINE` (RFC 9051 §6.3.2): the library
/// sends the untagged data and the completion from it, and keeps the sequence-number ↔ UID
/// map from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxSnapshot {
    /// `UIDVALIDITY`.
    pub uid_validity: NonZeroU32,
    /// `UIDNEXT`.
    pub uid_next: NonZeroU32,
    /// The messages, in UID order.
    pub messages: Vec<MessageInfo>,
    /// `FLAGS`: the flags defined in the mailbox (system flags and keywords).
    pub flags: Vec<Flag>,
    /// `PERMANENTFLAGS`.
    pub permanent_flags: Vec<FlagPerm>,
    /// `HIGHESTMODSEQ` (CONDSTORE); `None` sends `NOMODSEQ` to a CONDSTORE client.
    pub highest_mod_seq: Option<u64>,
    /// Messages that are `\Recent` for this session (IMAP4rev1 only, RFC 3501 §2.3.2).
    pub recent: Vec<Uid>,
    /// The application cannot write to the mailbox: `[READ-ONLY]` even for SELECT.
    pub read_only: bool,
    /// For QRESYNC (RFC 7162 §3.2.5.1): UIDs expunged since the client's mod-sequence, sent as
    /// `VANISHED (EARLIER)`. Neither these nor the changed flags are sent when the client's
    /// UIDVALIDITY is not the mailbox's (RFC 7162 §3.2.5). A set, because a server that no
    /// longer remembers expunges that far back answers with every UID below UIDNEXT that does
    /// not exist (RFC 7162 §5.3), which only ranges keep small.
    pub vanished: Option<SequenceSet>,
    /// The mailbox's `LIST` response (its attributes and hierarchy delimiter), which RFC 9051
    /// §6.3.2 requires in the answer to SELECT and EXAMINE; sent to IMAP4rev2 clients.
    pub list: Option<MailboxList>,
}

impl MailboxSnapshot {
    /// Returns a snapshot of these messages; the flag lists default to the system flags.
    pub fn new(uid_validity: NonZeroU32, uid_next: NonZeroU32, messages: Vec<MessageInfo>) -> Self {
        let system = vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft,
        ];
        let mut permanent: Vec<FlagPerm> = system.iter().cloned().map(FlagPerm::Flag).collect();
        permanent.push(FlagPerm::Wildcard);
        Self {
            uid_validity,
            uid_next,
            messages,
            flags: system,
            permanent_flags: permanent,
            highest_mod_seq: None,
            recent: Vec::new(),
            read_only: false,
            vanished: None,
            list: None,
        }
    }
}

/// A change to the selected mailbox the application reports, whenever it happens
/// ([`Connection::mailbox_changed`](super::Connection::mailbox_changed)); the library sends it
/// when the protocol allows (RFC 9051 §5.2, §7.5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailboxUpdate {
    /// New messages, with UIDs above every known one: `EXISTS`.
    Added(Vec<MessageInfo>),
    /// Messages removed: `EXPUNGE` (or `VANISHED` after `ENABLE QRESYNC`).
    Expunged(Vec<Uid>),
    /// A message's flags changed (by another session, or a non-PEEK body fetch set `\Seen`):
    /// an unsolicited `FETCH (FLAGS …)`.
    Flags(MessageInfo),
    /// The flags defined in the mailbox changed (a new keyword): `FLAGS` and
    /// `PERMANENTFLAGS`, sent before any FETCH that uses it.
    Keywords {
        /// `FLAGS`.
        flags: Vec<Flag>,
        /// `PERMANENTFLAGS`.
        permanent_flags: Vec<FlagPerm>,
    },
}

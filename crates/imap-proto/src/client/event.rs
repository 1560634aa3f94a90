//! What the client reports to the application, and where the session is.

use core::num::NonZeroU32;

use bytes::Bytes;
use mail_core::connection::CloseReason;

use crate::error::ClientError;
use crate::response::{Code, Data, FetchItem, Status, StatusKind, Text};
use crate::types::{Capability, SequenceSet, Tag};

/// What the server said, or what the application may do now.
///
/// Untagged data carries `tag`: the command in progress it is attributed to (the oldest
/// one awaiting completion), or `None` when no command was in progress: an unsolicited
/// update (RFC 9051 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting (RFC 9051 §7.1.1): `* OK` (not authenticated) or `* PREAUTH`
    /// (authenticated). A `* BYE` greeting ends the session instead.
    Greeting(Status),
    /// The server's capabilities were learned (greeting code, `CAPABILITY` response or
    /// `[CAPABILITY …]` code); [`Connection::capabilities`](super::Connection::capabilities)
    /// returns them from now on.
    Capabilities(Vec<Capability>),
    /// An untagged `OK`, `NO` or `BAD` (RFC 9051 §7.1): a warning, an `[ALERT]` to show the
    /// user, or a code that updated the mailbox view (`UIDVALIDITY`, `UIDNEXT`,
    /// `HIGHESTMODSEQ`, `PERMANENTFLAGS`).
    Condition {
        /// The command it is attributed to.
        tag: Option<Tag>,
        /// The response.
        status: Status,
    },
    /// A `FETCH` response (RFC 9051 §7.5.2), after the mailbox view took its UID, FLAGS and
    /// MODSEQ. A body item streamed through [`Event::FetchBodyStart`] is here with empty
    /// data.
    Fetch {
        /// The command it is attributed to.
        tag: Option<Tag>,
        /// The message sequence number.
        seq: NonZeroU32,
        /// The data items.
        items: Vec<FetchItem>,
    },
    /// A FETCH body item larger than [`Config::stream_literals_over`](super::Config::stream_literals_over)
    /// starts: its octets follow as [`Event::FetchBodyData`], then
    /// [`Event::FetchBodyEnd`], then the whole response as [`Event::Fetch`].
    FetchBodyStart {
        /// The command it is attributed to.
        tag: Option<Tag>,
        /// The message sequence number.
        seq: NonZeroU32,
        /// The item (`BodySection`, `Binary`, `Rfc822`, …) with empty data: which part this is.
        item: FetchItem,
        /// The announced size in octets.
        size: u64,
    },
    /// Octets of the streamed body item, in order: slices of the input, not copies.
    FetchBodyData(Bytes),
    /// The streamed body item is complete.
    FetchBodyEnd {
        /// The message sequence number.
        seq: NonZeroU32,
    },
    /// `n EXPUNGE` (RFC 9051 §7.5.1): the message left the mailbox view, and the numbers of
    /// the messages after it went down by one.
    Expunged {
        /// The command it is attributed to.
        tag: Option<Tag>,
        /// Its sequence number before the expunge.
        seq: NonZeroU32,
        /// Its UID, when the view knew it.
        uid: Option<NonZeroU32>,
    },
    /// `VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10): without `earlier`, these messages
    /// left the mailbox view now; with it, they had left before (a QRESYNC answer).
    Vanished {
        /// The command it is attributed to.
        tag: Option<Tag>,
        /// `(EARLIER)`.
        earlier: bool,
        /// The UIDs.
        uids: SequenceSet,
    },
    /// The mailbox's UIDVALIDITY changed (RFC 9051 §2.3.1.1): every UID the application
    /// cached for it is void, and the view forgot the UIDs, flags and mod-sequences it held.
    MailboxReset {
        /// The new UIDVALIDITY.
        uid_validity: NonZeroU32,
    },
    /// Any other untagged data (RFC 9051 §7.2–§7.4): LIST, STATUS, SEARCH, ESEARCH, FLAGS,
    /// EXISTS, RECENT, ENABLED, NAMESPACE, ID, QUOTA, …, after the view and the client's
    /// records took what concerns them.
    Untagged {
        /// The command it is attributed to.
        tag: Option<Tag>,
        /// The response.
        data: Data,
    },
    /// The server accepted `IDLE` (RFC 2177 `+`): updates come as they happen; end it with
    /// [`Connection::done`](super::Connection::done).
    Idling {
        /// The IDLE command's tag.
        tag: Tag,
    },
    /// The server is ready for the message of a streamed APPEND: send it with
    /// [`append_data`](super::Connection::append_data), then
    /// [`append_end`](super::Connection::append_end).
    AppendReady {
        /// The APPEND command's tag.
        tag: Tag,
    },
    /// The server accepted `STARTTLS`: write the output, do the TLS handshake, then call
    /// `tls_established`.
    StartTls,
    /// A command completed (its tagged response, RFC 9051 §7.1): last of its events.
    Completed(Completion),
    /// The session is over: the last event, exactly once. Close the socket.
    Closed {
        /// Why: [`CloseReason::Quit`] after LOGOUT, [`CloseReason::ServerClosed`] after an
        /// unsolicited `BYE` (or a `BYE` greeting), [`CloseReason::ProtocolViolation`] with
        /// `error`, [`CloseReason::PeerClosed`], [`CloseReason::TimedOut`].
        reason: CloseReason,
        /// The server's `BYE`, if it sent one.
        bye: Option<Status>,
        /// What the server did wrong, when it broke the protocol.
        error: Option<ClientError>,
    },
}

/// A command's completion: its tagged `OK`, `NO` or `BAD` (RFC 9051 §7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Completion {
    /// The command's tag.
    pub tag: Tag,
    /// The command's name (`SELECT`, `UID FETCH`, …).
    pub command: &'static str,
    /// `OK`, `NO` or `BAD`.
    pub status: StatusKind,
    /// The response code (`APPENDUID`, `COPYUID`, `READ-WRITE`, `TRYCREATE`, …).
    pub code: Option<Code>,
    /// The human-readable text.
    pub text: Text,
}

impl Completion {
    /// Returns whether the command succeeded.
    pub fn is_ok(&self) -> bool {
        self.status == StatusKind::Ok
    }
}

/// Where the session is (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting.
    Greeting,
    /// Not authenticated (§3.1).
    NotAuthenticated,
    /// Authenticated, no mailbox selected (§3.2).
    Authenticated,
    /// A mailbox is selected (§3.3).
    Selected {
        /// Opened with EXAMINE, or the server said `[READ-ONLY]`.
        read_only: bool,
    },
    /// The server accepted STARTTLS; waiting for `tls_established`.
    TlsHandshake,
    /// The session is over (§3.4).
    Logout,
}

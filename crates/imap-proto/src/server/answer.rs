//! The application's answers to events.

use core::num::NonZeroU32;

use super::mailbox::{Flush, Selected};
use super::{Connection, MailboxSnapshot, MessageInfo, Pending, Uid};
use crate::command::SearchReturn;
use crate::error::SendError;
use crate::response::{Code, Data, ESearch, ESearchItem, FetchItem, StatusKind};
use crate::types::parser::Encoder;
use crate::types::{Encode, Flag, Section, SequenceSet, Tag};

/// The UIDs that COPY or MOVE gave the copies, or that APPEND gave the messages (RFC 4315 §3
/// `COPYUID`, `APPENDUID`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyUid {
    /// The UIDVALIDITY of the destination mailbox.
    pub uid_validity: NonZeroU32,
    /// The UIDs of the copies (or appended messages), in the order of the sources.
    pub destination: Vec<Uid>,
}

impl CopyUid {
    /// Returns the UIDs the copies (or appended messages) got in `uid_validity`.
    pub fn new(uid_validity: NonZeroU32, destination: Vec<Uid>) -> Self {
        Self {
            uid_validity,
            destination,
        }
    }
}

/// A body section sent as a literal written in pieces
/// ([`Connection::fetch_literal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamedSection {
    /// `BODY[section]<origin>`.
    Body {
        /// The section.
        section: Section,
        /// The origin octet of a partial fetch.
        origin: Option<u32>,
    },
    /// `BINARY[part]<origin>`, decoded (RFC 3516); sent as `literal8`.
    Binary {
        /// The part numbers.
        part: Vec<NonZeroU32>,
        /// The origin octet of a partial fetch.
        origin: Option<u32>,
    },
    /// `RFC822` (RFC 3501).
    Rfc822,
    /// `RFC822.HEADER` (RFC 3501).
    Rfc822Header,
    /// `RFC822.TEXT` (RFC 3501).
    Rfc822Text,
}

impl StreamedSection {
    fn write_name(&self, e: &mut Encoder) {
        match self {
            Self::Body { section, origin } => {
                e.raw(b"BODY");
                section.encode(e);
                if let Some(o) = origin {
                    e.raw(b"<");
                    e.number(u64::from(*o));
                    e.raw(b">");
                }
            }
            Self::Binary { part, origin } => {
                e.raw(b"BINARY[");
                crate::types::section::encode_part(part, e);
                e.raw(b"]");
                if let Some(o) = origin {
                    e.raw(b"<");
                    e.number(u64::from(*o));
                    e.raw(b">");
                }
            }
            Self::Rfc822 => e.raw(b"RFC822"),
            Self::Rfc822Header => e.raw(b"RFC822.HEADER"),
            Self::Rfc822Text => e.raw(b"RFC822.TEXT"),
        }
    }
}

impl Connection {
    /// Answers [`Event::Select`](super::Event::Select): the mailbox is open. The library sends
    /// `FLAGS`, `EXISTS`, `UIDVALIDITY`, `UIDNEXT`, `PERMANENTFLAGS`, `HIGHESTMODSEQ` (or
    /// `NOMODSEQ`) to a CONDSTORE client, `RECENT` and `[UNSEEN n]` to an IMAP4rev1 client,
    /// `LIST` (when the snapshot has it) to an IMAP4rev2 client, the
    /// QRESYNC `VANISHED (EARLIER)` and changed flags, and `OK [READ-WRITE]` or `[READ-ONLY]`
    /// (RFC 9051 §6.3.2, RFC 7162 §3.1.2, §3.2.5).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Select`](super::Event::Select) is pending.
    pub fn select(&mut self, snapshot: MailboxSnapshot) -> Result<(), SendError> {
        let Some(Pending::Select {
            tag,
            read_only,
            condstore,
            qresync,
        }) = self.pending.take()
        else {
            return Err(SendError::NotAllowed);
        };
        let read_only = read_only || snapshot.read_only;
        let rev1 = !self.enabled.rev2;
        let uids: Vec<Uid> = snapshot.messages.iter().map(|m| m.uid).collect();
        let selected = Selected::new(read_only, snapshot.uid_validity, condstore, uids);
        self.untagged_data(Data::Flags(snapshot.flags.clone()));
        self.untagged_data(Data::Exists(selected.exists()));
        if rev1 {
            // RFC 3501 §7.3.2 and §7.1: RECENT and the first unseen message; gone in rev2.
            let recent = u32::try_from(snapshot.recent.len()).unwrap_or(u32::MAX);
            self.untagged_data(Data::Recent(recent));
            let first_unseen = snapshot
                .messages
                .iter()
                .position(|m| !m.flags.contains(&Flag::Seen))
                .and_then(|i| u32::try_from(i.saturating_add(1)).ok())
                .and_then(NonZeroU32::new);
            if let Some(seq) = first_unseen {
                self.untagged(StatusKind::Ok, Some(Code::Unseen(seq)), "First unseen");
            }
        }
        self.untagged(
            StatusKind::Ok,
            Some(Code::UidValidity(snapshot.uid_validity)),
            "UIDs valid",
        );
        self.untagged(
            StatusKind::Ok,
            Some(Code::UidNext(snapshot.uid_next)),
            "Predicted next UID",
        );
        let permanent = if read_only {
            Vec::new()
        } else {
            snapshot.permanent_flags.clone()
        };
        self.untagged(
            StatusKind::Ok,
            Some(Code::PermanentFlags(permanent)),
            "Flags permitted",
        );
        if let Some(list) = snapshot.list.clone().filter(|_| !rev1) {
            // RFC 9051 §6.3.2: "The server MUST return a LIST response with the mailbox name."
            self.untagged_data(Data::List(list));
        }
        if condstore {
            match snapshot.highest_mod_seq {
                Some(n) => self.untagged(StatusKind::Ok, Some(Code::HighestModSeq(n)), "Highest"),
                None => self.untagged(StatusKind::Ok, Some(Code::NoModSeq), "No mod-sequences"),
            }
        }
        self.selected = Some(selected);
        if qresync {
            self.qresync_changes(&snapshot);
        }
        let code = if read_only {
            Code::ReadOnly
        } else {
            Code::ReadWrite
        };
        let text = if read_only {
            "EXAMINE completed"
        } else {
            "SELECT completed"
        };
        self.complete_with(tag, StatusKind::Ok, Some(code), text);
        Ok(())
    }

    /// RFC 7162 §3.2.5.1: after SELECT (QRESYNC …), what changed since the client's state:
    /// `VANISHED (EARLIER)` and a FETCH of the flags of every message changed since.
    fn qresync_changes(&mut self, snapshot: &MailboxSnapshot) {
        // RFC 7162 §3.2.5: with another UIDVALIDITY the server "MUST ignore the remaining
        // parameters and behave as if no dynamic message data changed".
        let Some((uid_validity, since)) = self.qresync_since.take() else {
            return;
        };
        if uid_validity != snapshot.uid_validity {
            return;
        }
        if let Some(uids) = snapshot.vanished.clone() {
            self.untagged_data(Data::Vanished {
                earlier: true,
                uids,
            });
        }
        // The application listed only the messages changed since the client's mod-sequence
        // with a mod-sequence above it; every message is sent with its UID and MODSEQ.
        for m in &snapshot.messages {
            if m.mod_seq > since
                && let Some(seq) = self.seq(m.uid)
            {
                self.untagged_data(Data::Fetch {
                    seq,
                    items: vec![
                        FetchItem::Uid(m.uid),
                        FetchItem::Flags(m.flags.to_vec()),
                        FetchItem::ModSeq(m.mod_seq),
                    ],
                });
            }
        }
    }

    /// Answers [`Event::Fetch`](super::Event::Fetch) for one message: `items` go out as
    /// `* n FETCH (…)` with the message's sequence number (and its UID, for UID FETCH or when
    /// asked). Call once per message, then [`done`](Self::done).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a FETCH is pending and no streamed section is open;
    /// [`SendError::NoSuchMessage`] when the client does not know `uid`.
    pub fn fetch(&mut self, uid: Uid, items: Vec<FetchItem>) -> Result<(), SendError> {
        let seq = self.fetch_seq(uid)?;
        self.announce_keywords();
        let items = self.with_uid(uid, items);
        self.untagged_data(Data::Fetch { seq, items });
        Ok(())
    }

    /// Starts a FETCH response whose last item is a literal of `size` octets written in
    /// pieces with [`fetch_data`](Self::fetch_data) and ended with
    /// [`fetch_end`](Self::fetch_end): a message body is never held whole. `items` are sent
    /// before it.
    ///
    /// # Errors
    /// As [`fetch`](Self::fetch).
    pub fn fetch_literal(
        &mut self,
        uid: Uid,
        items: Vec<FetchItem>,
        section: StreamedSection,
        size: u64,
    ) -> Result<(), SendError> {
        let seq = self.fetch_seq(uid)?;
        self.announce_keywords();
        let items = self.with_uid(uid, items);
        let mut e = Encoder::new();
        e.raw(b"* ");
        e.number(u64::from(seq.get()));
        e.raw(b" FETCH (");
        for item in &items {
            item.encode(&mut e);
            e.raw(b" ");
        }
        section.write_name(&mut e);
        e.raw(b" ");
        if matches!(section, StreamedSection::Binary { .. }) {
            e.raw(b"~");
        }
        e.raw(b"{");
        e.number(size);
        e.raw(b"}\r\n");
        let fragments = e.finish();
        self.write_fragments(&fragments);
        if let Some(Pending::Fetch { streaming, .. }) = &mut self.pending {
            *streaming = true;
        }
        self.fetch_remaining = size;
        Ok(())
    }

    /// Writes the next piece of the streamed section. Write the output whenever
    /// `wants_write` says so.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] without an open streamed section, or beyond its size.
    pub fn fetch_data(&mut self, chunk: &[u8]) -> Result<(), SendError> {
        if !matches!(
            self.pending,
            Some(Pending::Fetch {
                streaming: true,
                ..
            })
        ) || chunk.len() as u64 > self.fetch_remaining
        {
            return Err(SendError::NotAllowed);
        }
        self.fetch_remaining -= chunk.len() as u64;
        self.core.output().extend_from_slice(chunk);
        Ok(())
    }

    /// Ends the streamed section (`)` and CRLF).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] without an open streamed section, or before all of its
    /// announced octets were written.
    pub fn fetch_end(&mut self) -> Result<(), SendError> {
        let Some(Pending::Fetch { streaming, .. }) = &mut self.pending else {
            return Err(SendError::NotAllowed);
        };
        if !*streaming || self.fetch_remaining != 0 {
            return Err(SendError::NotAllowed);
        }
        *streaming = false;
        self.core.output().extend_from_slice(b")\r\n");
        Ok(())
    }

    /// Answers the `VANISHED` modifier of UID FETCH (RFC 7162 §3.2.6): these UIDs were
    /// expunged since `CHANGEDSINCE`; the library keeps those of the command's UID set (the
    /// application cannot tell them from [`Event::Fetch`](super::Event::Fetch)'s `uids`,
    /// which are messages that still exist). Call before the message answers.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a UID FETCH (VANISHED) is pending.
    pub fn vanished(&mut self, uids: &SequenceSet) -> Result<(), SendError> {
        let Some(Pending::Fetch {
            streaming: false,
            vanished: Some(set),
            ..
        }) = &self.pending
        else {
            return Err(SendError::NotAllowed);
        };
        // `*` in a UID set is the largest UID in use; an expunged UID above it still
        // belongs to `n:*`.
        if let Some(uids) = set.intersection(uids, u32::MAX) {
            self.untagged_data(Data::Vanished {
                earlier: true,
                uids,
            });
        }
        Ok(())
    }

    /// Sends a reported change of the mailbox's flags (`FLAGS`, `PERMANENTFLAGS`) before a
    /// FETCH response that may use a new keyword (RFC 9051 §7.3.5: the client learns of a
    /// keyword before it sees it on a message).
    fn announce_keywords(&mut self) {
        if let Some(update) = self.selected.as_mut().and_then(Selected::take_keywords) {
            self.encode_update(update);
        }
    }

    fn fetch_seq(&self, uid: Uid) -> Result<NonZeroU32, SendError> {
        if !matches!(
            self.pending,
            Some(Pending::Fetch {
                streaming: false,
                ..
            })
        ) {
            return Err(SendError::NotAllowed);
        }
        self.seq(uid).ok_or(SendError::NoSuchMessage)
    }

    /// Puts `UID n` first when the command was UID FETCH or asked for it (RFC 9051 §6.4.9:
    /// "UID FETCH ... MUST send the UID").
    fn with_uid(&self, uid: Uid, mut items: Vec<FetchItem>) -> Vec<FetchItem> {
        let wanted =
            matches!(self.pending, Some(Pending::Fetch { uid: true, .. })) || self.fetch_wants_uid;
        if wanted && !items.iter().any(|i| matches!(i, FetchItem::Uid(_))) {
            items.insert(0, FetchItem::Uid(uid));
        }
        items
    }

    /// Answers [`Event::Store`](super::Event::Store) for one message: its flags (and
    /// mod-sequence) after the change. The library sends `FETCH (FLAGS …)` unless `.SILENT`
    /// (RFC 9051 §6.4.6), with `MODSEQ` once CONDSTORE is in use (RFC 7162 §3.1.4).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a STORE is pending; [`SendError::NoSuchMessage`]
    /// when the client does not know `uid`.
    pub fn stored(&mut self, info: MessageInfo) -> Result<(), SendError> {
        let Some(Pending::Store {
            uid: uid_cmd,
            silent,
            ..
        }) = &self.pending
        else {
            return Err(SendError::NotAllowed);
        };
        let (uid_cmd, silent) = (*uid_cmd, *silent);
        let seq = self.seq(info.uid).ok_or(SendError::NoSuchMessage)?;
        self.announce_keywords();
        if let Some(s) = &mut self.selected {
            s.reported_flags(info.uid);
        }
        let condstore = self.is_condstore();
        if silent && !condstore {
            return Ok(());
        }
        let mut items = Vec::with_capacity(3);
        if uid_cmd || self.enabled.rev2 || condstore {
            items.push(FetchItem::Uid(info.uid));
        }
        if !silent {
            items.push(FetchItem::Flags(info.flags.to_vec()));
        }
        if condstore {
            items.push(FetchItem::ModSeq(info.mod_seq));
        }
        self.untagged_data(Data::Fetch { seq, items });
        Ok(())
    }

    /// Answers [`Event::Store`](super::Event::Store) for a message whose mod-sequence was above
    /// `UNCHANGEDSINCE`: it is reported in `[MODIFIED …]` (RFC 7162 §3.1.3).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a STORE is pending.
    pub fn store_failed(&mut self, uid: Uid) -> Result<(), SendError> {
        let Some(Pending::Store { modified, .. }) = &mut self.pending else {
            return Err(SendError::NotAllowed);
        };
        modified.push(uid);
        Ok(())
    }

    /// Answers [`Event::Search`](super::Event::Search) with the matching UIDs (any order).
    /// The library sends `SEARCH` (sequence numbers, or UIDs for UID SEARCH) to an IMAP4rev1
    /// client without RETURN, `ESEARCH` otherwise (RFC 9051 §6.4.4, RFC 4731), keeps the
    /// result for `$` with `RETURN (SAVE)` (RFC 5182), and completes the command.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a SEARCH is pending.
    pub fn search_result(
        &mut self,
        uids: Vec<Uid>,
        highest_mod_seq: Option<u64>,
    ) -> Result<(), SendError> {
        let Some(Pending::Search {
            tag,
            uid: uid_cmd,
            return_options,
        }) = self.pending.take()
        else {
            return Err(SendError::NotAllowed);
        };
        // Only messages the client knows, in sequence order.
        let known: Vec<Uid> = match &self.selected {
            Some(s) => {
                let mut v: Vec<Uid> = uids.into_iter().filter(|u| s.seq(*u).is_some()).collect();
                v.sort_unstable();
                v.dedup();
                v
            }
            None => Vec::new(),
        };
        let numbers: Vec<NonZeroU32> = if uid_cmd {
            known.clone()
        } else {
            known.iter().filter_map(|u| self.seq(*u)).collect()
        };
        let options = return_options.clone().unwrap_or_default();
        let save = options.contains(&SearchReturn::Save);
        if save {
            self.saved_search = Some(known.clone());
        }
        let esearch = return_options.is_some() || self.enabled.rev2;
        if !esearch {
            self.untagged_data(Data::Search {
                numbers,
                mod_seq: highest_mod_seq,
            });
        } else if !(save && options.len() == 1) {
            // RFC 5182 §2.1: SAVE alone returns no ESEARCH; an empty RETURN () means ALL.
            let wanted = |o: SearchReturn| options.is_empty() || options.contains(&o);
            let mut items = Vec::new();
            if wanted(SearchReturn::Min)
                && !options.is_empty()
                && let Some(&n) = numbers.first()
            {
                items.push(ESearchItem::Min(n));
            }
            if wanted(SearchReturn::Max)
                && !options.is_empty()
                && let Some(&n) = numbers.last()
            {
                items.push(ESearchItem::Max(n));
            }
            if wanted(SearchReturn::All)
                && let Some(set) = SequenceSet::from_sorted(&numbers)
            {
                items.push(ESearchItem::All(set));
            }
            if wanted(SearchReturn::Count) && !options.is_empty() {
                items.push(ESearchItem::Count(
                    u32::try_from(numbers.len()).unwrap_or(u32::MAX),
                ));
            }
            if let Some(m) = highest_mod_seq
                && !numbers.is_empty()
            {
                items.push(ESearchItem::ModSeq(m));
            }
            self.untagged_data(Data::ESearch(ESearch {
                tag: Some(tag.clone()),
                uid: uid_cmd,
                items,
            }));
        }
        self.finish_command(tag, Flush::after(uid_cmd), None, "SEARCH completed");
        Ok(())
    }

    /// Answers [`Event::Expunge`](super::Event::Expunge): these messages are gone. The library
    /// sends `EXPUNGE` (or `VANISHED`) for each, with the renumbering (RFC 9051 §7.5.1). Then
    /// call [`done`](Self::done).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless an EXPUNGE is pending.
    pub fn expunged(&mut self, uids: Vec<Uid>) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Expunge { .. })) {
            return Err(SendError::NotAllowed);
        }
        self.report_removed(&uids);
        Ok(())
    }

    /// Sends the EXPUNGE (or VANISHED) responses for messages this session removed.
    fn report_removed(&mut self, uids: &[Uid]) {
        let qresync = self.enabled.qresync;
        let Some(selected) = &mut self.selected else {
            return;
        };
        if qresync {
            let mut known: Vec<Uid> = uids
                .iter()
                .copied()
                .filter(|u| selected.seq(*u).is_some())
                .collect();
            known.sort_unstable();
            selected.remove(&known);
            if let Some(set) = SequenceSet::from_sorted(&known) {
                self.untagged_data(Data::Vanished {
                    earlier: false,
                    uids: set,
                });
            }
        } else {
            for seq in selected.remove(uids) {
                self.untagged_data(Data::Expunge(seq));
            }
        }
    }

    /// Answers [`Event::Copy`](super::Event::Copy): the messages were copied (and, for MOVE,
    /// removed), with the UIDs of the copies when the destination keeps them (UIDPLUS). The
    /// library sends `COPYUID` with the completion (COPY) or before the `EXPUNGE`s (MOVE,
    /// RFC 6851 §4.3), and completes the command.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a COPY or MOVE is pending.
    pub fn copied(&mut self, uid: Option<CopyUid>) -> Result<(), SendError> {
        let Some(Pending::Copy { tag, move_, uids }) = self.pending.take() else {
            return Err(SendError::NotAllowed);
        };
        let code = uid.and_then(|c| {
            let mut source = uids.clone();
            source.sort_unstable();
            let source = SequenceSet::from_sorted(&source)?;
            let destination = SequenceSet::from_sorted(&{
                let mut d = c.destination.clone();
                d.sort_unstable();
                d
            })?;
            Some(Code::CopyUid {
                uid_validity: c.uid_validity,
                source,
                destination,
            })
        });
        if move_ {
            if let Some(code) = code {
                self.untagged(StatusKind::Ok, Some(code), "Moved");
            }
            // RFC 6851 §4.3: the expunges of MOVE are sent even for a non-UID MOVE.
            self.report_removed(&uids);
            self.finish_command(tag, Flush::All, None, "MOVE completed");
        } else {
            self.finish_command(tag, Flush::All, code, "COPY completed");
        }
        Ok(())
    }

    /// Answers [`Event::LiteralAnnounced`](super::Event::LiteralAnnounced): the server sends
    /// `+` and the client sends the literal.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a literal is announced.
    pub fn accept_literal(&mut self) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Literal { .. })) {
            return Err(SendError::NotAllowed);
        }
        self.pending = None;
        self.framer.accept_literal();
        self.continuation("Ready for literal data");
        Ok(())
    }

    /// Sends untagged data for the pending [`Event::Command`](super::Event::Command) (LIST,
    /// STATUS, NAMESPACE…).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a command awaits its answer.
    pub fn data(&mut self, data: Data) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Command { .. })) {
            return Err(SendError::NotAllowed);
        }
        self.untagged_data(data);
        Ok(())
    }

    /// Completes the pending [`Event::Command`](super::Event::Command) with `OK`, `NO` or
    /// `BAD`, after the mailbox changes the protocol allows.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless a command awaits its answer, or for a status kind
    /// other than OK, NO and BAD.
    pub fn complete(
        &mut self,
        kind: StatusKind,
        code: Option<Code>,
        text: &str,
    ) -> Result<(), SendError> {
        if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
            return Err(SendError::NotAllowed);
        }
        let Some(Pending::Command { tag, flush }) = self.pending.take() else {
            return Err(SendError::NotAllowed);
        };
        self.flush_updates(flush);
        self.complete_with(tag, kind, code, text);
        Ok(())
    }

    /// Completes the pending FETCH, STORE, EXPUNGE or CLOSE with `OK` (STORE with
    /// `[MODIFIED …]` for the messages reported with [`store_failed`](Self::store_failed)).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] for any other pending event, or inside a streamed section.
    pub fn done(&mut self) -> Result<(), SendError> {
        match self.pending.take() {
            Some(Pending::Fetch {
                tag,
                uid,
                streaming: false,
                ..
            }) => {
                self.fetch_wants_uid = false;
                self.finish_command(tag, Flush::after(uid), None, "FETCH completed");
            }
            Some(Pending::Store {
                tag, modified, uid, ..
            }) => {
                let code = {
                    let mut m = modified;
                    m.sort_unstable();
                    SequenceSet::from_sorted(&m).map(Code::Modified)
                };
                self.finish_command(tag, Flush::after(uid), code, "STORE completed");
            }
            Some(Pending::Expunge { tag, .. }) => {
                self.finish_command(tag, Flush::All, None, "EXPUNGE completed");
            }
            Some(Pending::Close { tag }) => {
                self.complete_with(tag, StatusKind::Ok, None, "CLOSE completed");
            }
            other => {
                self.pending = other;
                return Err(SendError::NotAllowed);
            }
        }
        Ok(())
    }

    /// Refuses the pending event with `NO` (or `BAD`): a SELECT of a mailbox that cannot be
    /// opened (no mailbox is selected then), a literal or an APPEND message before `+`
    /// (`NO [TRYCREATE]`, `[OVERQUOTA]`, `[LIMIT]`), a COPY, a command.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when nothing may be refused now (a credential check is
    /// answered with `auth_answer`), or for a status kind other than NO and BAD.
    pub fn refuse(
        &mut self,
        kind: StatusKind,
        code: Option<Code>,
        text: &str,
    ) -> Result<(), SendError> {
        if !matches!(kind, StatusKind::No | StatusKind::Bad) {
            return Err(SendError::NotAllowed);
        }
        let tag: Option<Tag> = match self.pending.take() {
            Some(Pending::Literal { tag }) => {
                self.framer.reject_literal(self.core.input());
                match tag {
                    Some(tag) => self.complete_with(tag, kind, code, text),
                    None => self.bad(None, text),
                }
                return Ok(());
            }
            Some(Pending::AppendStart) => {
                self.refuse_append(kind, code, text);
                return Ok(());
            }
            Some(Pending::Select { tag, .. })
            | Some(Pending::Fetch {
                tag,
                streaming: false,
                ..
            })
            | Some(Pending::Store { tag, .. })
            | Some(Pending::Search { tag, .. })
            | Some(Pending::Expunge { tag, .. })
            | Some(Pending::Copy { tag, .. })
            | Some(Pending::AppendDone { tag })
            | Some(Pending::Command { tag, .. })
            | Some(Pending::Close { tag }) => Some(tag),
            other => {
                self.pending = other;
                return Err(SendError::NotAllowed);
            }
        };
        if let Some(tag) = tag {
            self.fetch_wants_uid = false;
            self.complete_with(tag, kind, code, text);
        }
        Ok(())
    }

    /// Completes a command after the changes `flush` allows.
    fn finish_command(&mut self, tag: Tag, flush: Flush, code: Option<Code>, text: &str) {
        self.flush_updates(flush);
        self.complete_with(tag, StatusKind::Ok, code, text);
    }
}

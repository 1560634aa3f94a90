//! Reading commands and deciding, state by state (RFC 9051 §3, §6), which the library
//! answers itself and which go to the application.

use mail_core::connection::CloseReason;

use super::mailbox::{BadSet, Flush};
use super::{Connection, Event, Pending, Reading, Uid};
use crate::command::{Command, CommandBody, FetchAttribute, SearchKey};
use crate::framing::{Frame, FrameEvent};
use crate::response::{Code, Data, StatusKind};
use crate::types::{Capability, SequenceSet, Tag};

/// Why a command cannot run now.
enum Refused {
    /// `BAD` with this text.
    Bad(&'static str),
    /// `NO` with this code and text.
    No(Option<Code>, &'static str),
}

impl Connection {
    /// Reads and handles one command, or the start of an APPEND. Returns false when no
    /// complete command is buffered.
    pub(super) fn step_command(&mut self) -> bool {
        if self.authenticated && self.framer.is_at_message_start() && self.try_append() {
            return true;
        }
        match self.framer.next_frame(self.core.input()) {
            None => false,
            Some(Ok(FrameEvent::Frame(frame))) => {
                self.command_frame(&frame);
                true
            }
            Some(Ok(FrameEvent::LiteralAnnounced { tag, size, .. })) => {
                // RFC 9051 §7.5: the application decides before `+` is sent.
                self.pending = Some(Pending::Literal { tag: tag.clone() });
                self.core.push_event(Event::LiteralAnnounced { tag, size });
                true
            }
            // Streamed literals are a client's option; the server's framer never streams.
            Some(Ok(_)) => true,
            Some(Err(e)) => {
                let text = format!("{}", e.kind);
                self.bad_text(e.tag, &text);
                true
            }
        }
    }

    /// `BAD` with an owned text.
    pub(super) fn bad_text(&mut self, tag: Option<Tag>, text: &str) {
        self.bad(tag, text);
    }

    fn command_frame(&mut self, frame: &Frame) {
        match Command::parse_bytes(frame.bytes(), self.config.max_depth) {
            Ok(command) => self.dispatch(command),
            Err(e) => {
                let tag = tag_of(frame.bytes());
                let text = format!("Error in IMAP command: {e}");
                self.bad_text(tag, &text);
            }
        }
    }

    /// Handles a parsed command.
    pub(super) fn dispatch(&mut self, command: Command) {
        let Command { tag, body } = command;
        match body {
            CommandBody::Capability => {
                let caps = self.capabilities();
                self.untagged_data(Data::Capability(caps));
                self.finish(tag, Flush::All, "CAPABILITY completed");
            }
            CommandBody::Noop => self.finish(tag, Flush::All, "NOOP completed"),
            CommandBody::Logout => {
                self.untagged(StatusKind::Bye, None, "Logging out");
                self.tagged(tag, StatusKind::Ok, None, "LOGOUT completed");
                self.end(CloseReason::Quit);
            }
            CommandBody::Id(_) => {
                // RFC 2971 §3.2: a server may answer NIL.
                self.untagged_data(Data::Id(None));
                self.finish(tag, Flush::All, "ID completed");
            }
            CommandBody::StartTls => self.starttls(tag),
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            } => {
                let ir = initial_response.as_ref().map(|r| r.expose().clone());
                self.authenticate(tag, mechanism, ir.as_deref());
            }
            CommandBody::Login { username, password } => self.login(tag, &username, &password),
            _ if !self.authenticated => {
                self.complete_with(tag, StatusKind::Bad, None, "Authenticate first");
            }
            CommandBody::Enable(caps) => self.enable(tag, &caps),
            CommandBody::Select { mailbox, params } => {
                self.open_mailbox(tag, mailbox, params, false)
            }
            CommandBody::Examine { mailbox, params } => {
                self.open_mailbox(tag, mailbox, params, true)
            }
            CommandBody::Idle => self.start_idle(tag),
            CommandBody::Append { .. } => {
                // A plain APPEND is streamed before it is framed (see `try_append`); a framed
                // one (CATENATE) goes to the application whole.
                self.hand_over(Command::new(tag, body));
            }
            CommandBody::Other(_) if !self.config.application_unknown => {
                self.complete_with(tag, StatusKind::Bad, None, "Unknown command");
            }
            body if Self::needs_selected(&body) => self.selected_command(tag, body),
            body => self.hand_over(Command::new(tag, body)),
        }
    }

    /// Returns whether the command exists only in the selected state (RFC 9051 §6.4).
    fn needs_selected(body: &CommandBody) -> bool {
        matches!(
            body,
            CommandBody::Check
                | CommandBody::Close
                | CommandBody::Unselect
                | CommandBody::Expunge
                | CommandBody::UidExpunge(_)
                | CommandBody::Search { .. }
                | CommandBody::Fetch { .. }
                | CommandBody::Store { .. }
                | CommandBody::Copy { .. }
                | CommandBody::Move { .. }
                | CommandBody::Sort { .. }
                | CommandBody::Thread { .. }
        )
    }

    /// Hands a command to the application ([`Event::Command`]).
    fn hand_over(&mut self, command: Command) {
        self.pending = Some(Pending::Command {
            tag: command.tag.clone(),
            flush: Flush::All,
        });
        self.core.push_event(Event::Command(command));
    }

    /// Completes a command the library answered itself, after the mailbox changes `flush`
    /// allows.
    pub(super) fn finish(&mut self, tag: Tag, flush: Flush, text: &str) {
        self.flush_updates(flush);
        self.complete_with(tag, StatusKind::Ok, None, text);
    }

    fn enable(&mut self, tag: Tag, caps: &[Capability]) {
        if self.selected.is_some() {
            // RFC 5161 §3.1: "ENABLE ... is only valid in the authenticated state".
            return self.complete_with(tag, StatusKind::Bad, None, "ENABLE before SELECT");
        }
        let mut newly = Vec::new();
        for cap in caps {
            let on = match cap {
                Capability::Imap4rev2 => &mut self.enabled.rev2,
                Capability::CondStore if self.config.serves(&Capability::CondStore) => {
                    &mut self.enabled.condstore
                }
                Capability::QResync if self.config.serves(&Capability::QResync) => {
                    // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                    self.enabled.condstore = true;
                    &mut self.enabled.qresync
                }
                Capability::Utf8Accept if self.config.serves(&Capability::Utf8Accept) => {
                    &mut self.enabled.utf8
                }
                _ => continue,
            };
            if !*on {
                *on = true;
                newly.push(cap.clone());
            }
        }
        self.untagged_data(Data::Enabled(newly));
        self.finish(tag, Flush::All, "ENABLE completed");
    }

    fn start_idle(&mut self, tag: Tag) {
        self.continuation("idling");
        self.idle = Some(tag);
        self.reading = Reading::Idle;
        self.core.push_event(Event::IdleStarted);
        // RFC 2177: changes already known go out at once.
        self.flush_updates(Flush::All);
    }

    /// Reads the line that ends IDLE. Commands the client pipelined after `DONE` stay in the
    /// input for the command reader.
    pub(super) fn step_idle(&mut self) -> bool {
        let read = self.lines.next_line_with(self.core.input(), |line| {
            crate::command::parse_idle_done(line).is_ok()
        });
        let done = match read {
            None => return false,
            Some(Ok(done)) => done,
            Some(Err(_)) => false,
        };
        let Some(tag) = self.idle.take() else {
            return true;
        };
        self.reading = Reading::Commands;
        self.core.push_event(Event::IdleDone);
        if done {
            self.finish(tag, Flush::All, "IDLE terminated");
        } else {
            self.complete_with(tag, StatusKind::Bad, None, "Expected DONE");
        }
        true
    }

    /// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3).
    fn open_mailbox(
        &mut self,
        tag: Tag,
        mailbox: crate::types::Mailbox,
        params: crate::command::SelectParams,
        read_only: bool,
    ) {
        if params.qresync.is_some() && !self.enabled.qresync {
            // RFC 7162 §3.2.5: QRESYNC parameters need ENABLE QRESYNC first.
            return self.complete_with(tag, StatusKind::Bad, None, "QRESYNC is not enabled");
        }
        let condstore = params.condstore || self.enabled.condstore;
        let qresync = params.qresync.is_some();
        self.qresync_since = params.qresync.as_ref().map(|q| (q.uid_validity, q.mod_seq));
        // The selected mailbox, if any, is closed whatever the outcome (RFC 9051 §6.3.2).
        if self.selected.take().is_some() {
            self.core
                .push_event(Event::MailboxClosed { expunge: false });
            // RFC 7162 §3.2.11 / RFC 9051 §7.1: the client learns where the old mailbox's
            // responses end.
            self.untagged(
                StatusKind::Ok,
                Some(Code::Closed),
                "Previous mailbox closed",
            );
        }
        self.pending = Some(Pending::Select {
            tag,
            read_only,
            condstore,
            qresync,
        });
        self.core.push_event(Event::Select {
            mailbox,
            read_only,
            condstore,
            qresync: params.qresync,
        });
    }

    /// Commands of the selected state (RFC 9051 §6.4).
    fn selected_command(&mut self, tag: Tag, body: CommandBody) {
        if self.selected.is_none() {
            return self.complete_with(tag, StatusKind::Bad, None, "No mailbox selected");
        }
        let read_only = self.selected.as_ref().is_some_and(|s| s.read_only);
        match self.selected_event(&tag, body, read_only) {
            Ok(Some((pending, event))) => {
                self.pending = Some(pending);
                self.core.push_event(event);
            }
            Ok(None) => {}
            Err(Refused::Bad(text)) => self.complete_with(tag, StatusKind::Bad, None, text),
            Err(Refused::No(code, text)) => self.complete_with(tag, StatusKind::No, code, text),
        }
    }

    /// Returns what the application must decide for a selected-state command, or answers it.
    fn selected_event(
        &mut self,
        tag: &Tag,
        body: CommandBody,
        read_only: bool,
    ) -> Result<Option<(Pending, Event)>, Refused> {
        let tag = tag.clone();
        Ok(Some(match body {
            CommandBody::Check => {
                self.finish(tag, Flush::All, "CHECK completed");
                return Ok(None);
            }
            CommandBody::Unselect => {
                self.selected = None;
                self.core
                    .push_event(Event::MailboxClosed { expunge: false });
                self.complete_with(tag, StatusKind::Ok, None, "UNSELECT completed");
                return Ok(None);
            }
            CommandBody::Close => {
                self.selected = None;
                if read_only {
                    self.core
                        .push_event(Event::MailboxClosed { expunge: false });
                    self.complete_with(tag, StatusKind::Ok, None, "CLOSE completed");
                    return Ok(None);
                }
                // RFC 9051 §6.4.1: \Deleted messages are removed, and no EXPUNGE is sent.
                (
                    Pending::Close { tag },
                    Event::MailboxClosed { expunge: true },
                )
            }
            CommandBody::Expunge | CommandBody::UidExpunge(_) if read_only => {
                return Err(Refused::No(Some(Code::ReadOnly), "Mailbox is read-only"));
            }
            CommandBody::Expunge => (Pending::Expunge { tag }, Event::Expunge { uids: None }),
            CommandBody::UidExpunge(set) => {
                let uids = self.resolve(&set, true)?;
                (
                    Pending::Expunge { tag },
                    Event::Expunge { uids: Some(uids) },
                )
            }
            CommandBody::Fetch {
                uid,
                set,
                items,
                modifiers,
            } => {
                let uids = self.resolve(&set, uid)?;
                let mut items = items.expand();
                if modifiers.changed_since.is_some()
                    && !items.iter().any(|i| matches!(i, FetchAttribute::ModSeq))
                {
                    // RFC 7162 §3.1.4.1: CHANGEDSINCE "implicitly adds the MODSEQ FETCH
                    // message data item".
                    items.push(FetchAttribute::ModSeq);
                }
                if modifiers.changed_since.is_some()
                    || items.iter().any(|i| matches!(i, FetchAttribute::ModSeq))
                {
                    self.condstore_on();
                }
                if modifiers.vanished
                    && !(uid && self.enabled.qresync && modifiers.changed_since.is_some())
                {
                    // RFC 7162 §3.2.6: VANISHED is for UID FETCH after ENABLE QRESYNC, and
                    // "MUST only be specified together with the CHANGEDSINCE" modifier.
                    return Err(Refused::Bad(
                        "VANISHED needs UID FETCH, QRESYNC and CHANGEDSINCE",
                    ));
                }
                let sets_seen = !read_only && items.iter().any(sets_seen);
                self.fetch_wants_uid = items.iter().any(|i| matches!(i, FetchAttribute::Uid));
                (
                    Pending::Fetch {
                        tag,
                        uid,
                        streaming: false,
                        vanished: modifiers.vanished.then(|| set.clone()),
                    },
                    Event::Fetch {
                        uids,
                        items,
                        changed_since: modifiers.changed_since,
                        vanished: modifiers.vanished,
                        sets_seen,
                    },
                )
            }
            CommandBody::Store { .. } if read_only => {
                return Err(Refused::No(Some(Code::ReadOnly), "Mailbox is read-only"));
            }
            CommandBody::Store {
                uid,
                set,
                unchanged_since,
                flags,
            } => {
                let uids = self.resolve(&set, uid)?;
                if unchanged_since.is_some() {
                    self.condstore_on();
                }
                (
                    Pending::Store {
                        tag,
                        uid,
                        silent: flags.silent,
                        modified: Vec::new(),
                    },
                    Event::Store {
                        uids,
                        flags,
                        unchanged_since,
                    },
                )
            }
            CommandBody::Search {
                uid,
                return_options,
                charset,
                criteria,
            } => {
                let resolved = self.resolve_keys(criteria)?;
                if resolved.iter().any(uses_modseq) {
                    self.condstore_on();
                }
                (
                    Pending::Search {
                        tag,
                        uid,
                        return_options: return_options.clone(),
                    },
                    Event::Search {
                        criteria: resolved,
                        charset,
                        return_options,
                    },
                )
            }
            CommandBody::Move { .. } if read_only => {
                return Err(Refused::No(Some(Code::ReadOnly), "Mailbox is read-only"));
            }
            CommandBody::Copy { uid, set, mailbox } => {
                let uids = self.resolve(&set, uid)?;
                (
                    Pending::Copy {
                        tag,
                        move_: false,
                        uids: uids.clone(),
                    },
                    Event::Copy {
                        uids,
                        mailbox,
                        move_: false,
                    },
                )
            }
            CommandBody::Move { uid, set, mailbox } => {
                let uids = self.resolve(&set, uid)?;
                (
                    Pending::Copy {
                        tag,
                        move_: true,
                        uids: uids.clone(),
                    },
                    Event::Copy {
                        uids,
                        mailbox,
                        move_: true,
                    },
                )
            }
            CommandBody::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            } => {
                // The application answers with numbers it maps through `Connection::seq`;
                // the search keys are resolved as SEARCH's are.
                let search = self.resolve_keys(search)?;
                let body = CommandBody::Sort {
                    uid,
                    return_options,
                    criteria,
                    charset,
                    search,
                };
                let flush = Flush::after(uid);
                let command = Command::new(tag.clone(), body);
                (Pending::Command { tag, flush }, Event::Command(command))
            }
            CommandBody::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => {
                let search = self.resolve_keys(search)?;
                let body = CommandBody::Thread {
                    uid,
                    algorithm,
                    charset,
                    search,
                };
                let flush = Flush::after(uid);
                let command = Command::new(tag.clone(), body);
                (Pending::Command { tag, flush }, Event::Command(command))
            }
            body => {
                let command = Command::new(tag.clone(), body);
                let flush = Flush::All;
                (Pending::Command { tag, flush }, Event::Command(command))
            }
        }))
    }

    /// Turns CONDSTORE on for the session (RFC 7162 §3.1: a CONDSTORE-enabling command).
    fn condstore_on(&mut self) {
        if let Some(s) = &mut self.selected {
            s.condstore = true;
        }
    }

    /// Resolves a message set (sequence numbers, or UIDs for `uid`) to UIDs.
    fn resolve(&self, set: &SequenceSet, uid: bool) -> Result<Vec<Uid>, Refused> {
        let Some(selected) = &self.selected else {
            return Err(Refused::Bad("No mailbox selected"));
        };
        let saved = self.saved_search.as_deref();
        let resolved = if uid {
            selected.resolve_uid(set, saved)
        } else {
            selected.resolve_seq(set, saved)
        };
        resolved.map_err(|e| match e {
            BadSet::NoSuchMessage => Refused::Bad("Invalid message sequence number"),
            BadSet::NothingSaved => Refused::Bad("No saved search result for $"),
        })
    }

    /// Rewrites the sequence sets of search keys as UID sets (SEARCH, SORT, THREAD).
    fn resolve_keys(&self, keys: Vec<SearchKey>) -> Result<Vec<SearchKey>, Refused> {
        keys.into_iter().map(|k| self.resolve_key(k)).collect()
    }

    /// Rewrites the sequence sets of a search key as UID sets. The key's depth was bounded
    /// by the parser's nesting budget, which bounds this recursion too.
    fn resolve_key(&self, key: SearchKey) -> Result<SearchKey, Refused> {
        Ok(match key {
            SearchKey::SequenceSet(set) => uid_key(self.resolve(&set, false)?),
            SearchKey::Uid(set) => uid_key(self.resolve(&set, true)?),
            SearchKey::Not(k) => SearchKey::Not(Box::new(self.resolve_key(*k)?)),
            SearchKey::Or(a, b) => SearchKey::Or(
                Box::new(self.resolve_key(*a)?),
                Box::new(self.resolve_key(*b)?),
            ),
            SearchKey::And(keys) => SearchKey::And(
                keys.into_iter()
                    .map(|k| self.resolve_key(k))
                    .collect::<Result<_, _>>()?,
            ),
            other => other,
        })
    }

    /// Returns the sequence number of `uid` in the selected mailbox as the client knows it,
    /// for answers the application builds itself (SORT, THREAD).
    pub fn seq(&self, uid: Uid) -> Option<core::num::NonZeroU32> {
        self.selected.as_ref().and_then(|s| s.seq(uid))
    }

    /// Discards input received after `OK` to STARTTLS, reporting it.
    pub(super) fn discard_input(&mut self) {
        let len = self.core.discard_input();
        if len > 0 {
            self.core.push_event(Event::InputDiscarded { len });
        }
    }
}

/// Returns the tag at the start of a message, if it is one.
pub(super) fn tag_of(bytes: &[u8]) -> Option<Tag> {
    let end = bytes.iter().position(|&b| b == b' ')?;
    Tag::try_from(bytes.get(..end)?).ok()
}

/// A search key for exactly these UIDs; one that matches nothing when there are none.
fn uid_key(uids: Vec<Uid>) -> SearchKey {
    let mut uids = uids;
    uids.sort_unstable();
    match SequenceSet::from_sorted(&uids) {
        Some(set) => SearchKey::Uid(set),
        None => SearchKey::Not(Box::new(SearchKey::All)),
    }
}

/// Returns whether fetching `item` sets `\Seen` (RFC 9051 §6.4.5: BODY[…] and BINARY[…]
/// without PEEK; RFC 3501's RFC822 and RFC822.TEXT).
fn sets_seen(item: &FetchAttribute) -> bool {
    match item {
        FetchAttribute::BodySection { peek, .. } | FetchAttribute::Binary { peek, .. } => !peek,
        FetchAttribute::Rfc822 | FetchAttribute::Rfc822Text => true,
        _ => false,
    }
}

/// Returns whether a search key uses MODSEQ (a CONDSTORE-enabling command, RFC 7162 §3.1).
fn uses_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) => uses_modseq(k),
        SearchKey::Or(a, b) => uses_modseq(a) || uses_modseq(b),
        SearchKey::And(keys) => keys.iter().any(uses_modseq),
        _ => false,
    }
}

//! The selected mailbox as this session sees it: the message sequence numbers (RFC 9051
//! §2.3.1.2) mapped to UIDs, and the changes the application reported that the session has
//! not been told about yet.
//!
//! The view changes only when the client is told: a message another session expunged keeps
//! its sequence number until the `EXPUNGE` (or `VANISHED`) response is sent, and a new
//! message has none until `EXISTS` is sent. That is what lets the library send each change
//! only where the protocol allows it (RFC 9051 §5.2, §7.5.1).

use core::num::NonZeroU32;

use super::event::{MessageInfo, Uid};
use crate::types::{Flag, FlagPerm, SeqNumber, SequenceSet};

/// A sequence set that does not fit the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BadSet {
    /// A message sequence number above the number of messages (RFC 9051 §6.4.5: BAD).
    NoSuchMessage,
    /// `$` without a saved search result.
    NothingSaved,
}

/// What may be sent now (RFC 9051 §7.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flush {
    /// Everything: a command in progress other than FETCH, STORE or SEARCH (their UID forms
    /// included), or IDLE.
    All,
    /// Everything but expunges: during FETCH, STORE and SEARCH ("An EXPUNGE response MUST
    /// NOT be sent ... while responding to a FETCH, STORE, or SEARCH command").
    NoExpunge,
}

impl Flush {
    /// What may be sent at the end of FETCH, STORE or SEARCH, or of their UID form (RFC 9051
    /// §7.5.1: "UID FETCH, UID STORE, and UID SEARCH are different commands ... An EXPUNGE
    /// response MAY be sent during a UID command").
    pub(super) const fn after(uid: bool) -> Self {
        if uid { Self::All } else { Self::NoExpunge }
    }
}

/// The selected mailbox.
#[derive(Debug, Clone)]
pub(super) struct Selected {
    pub(super) read_only: bool,
    pub(super) uid_validity: NonZeroU32,
    pub(super) condstore: bool,
    /// The session's view: UIDs in sequence order, ascending.
    uids: Vec<Uid>,
    added: Vec<MessageInfo>,
    expunged: Vec<Uid>,
    flags: Vec<MessageInfo>,
    keywords: Option<(Vec<Flag>, Vec<FlagPerm>)>,
}

/// One untagged response a flush produces, for the connection to encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Update {
    /// `FLAGS` and `PERMANENTFLAGS`.
    Keywords(Vec<Flag>, Vec<FlagPerm>),
    /// `n EXPUNGE`.
    Expunge(NonZeroU32),
    /// `VANISHED uids`.
    Vanished(Vec<Uid>),
    /// `n EXISTS`.
    Exists(u32),
    /// `seq FETCH (FLAGS …)`.
    Flags(NonZeroU32, MessageInfo),
}

impl Selected {
    pub(super) fn new(
        read_only: bool,
        uid_validity: NonZeroU32,
        condstore: bool,
        mut uids: Vec<Uid>,
    ) -> Self {
        uids.sort_unstable();
        uids.dedup();
        Self {
            read_only,
            uid_validity,
            condstore,
            uids,
            added: Vec::new(),
            expunged: Vec::new(),
            flags: Vec::new(),
            keywords: None,
        }
    }

    /// Returns the number of messages the client knows (`EXISTS`).
    pub(super) fn exists(&self) -> u32 {
        u32::try_from(self.uids.len()).unwrap_or(u32::MAX)
    }

    /// Returns the UIDs in sequence order.
    pub(super) fn uids(&self) -> &[Uid] {
        &self.uids
    }

    /// Returns the sequence number of `uid`, if the client knows it.
    pub(super) fn seq(&self, uid: Uid) -> Option<NonZeroU32> {
        let index = self.uids.binary_search(&uid).ok()?;
        NonZeroU32::new(u32::try_from(index.saturating_add(1)).ok()?)
    }

    /// Resolves message sequence numbers to UIDs, in sequence order (RFC 9051 §9
    /// `sequence-set`: `*` is the largest number in use; `4:2` equals `2:4`).
    pub(super) fn resolve_seq(
        &self,
        set: &SequenceSet,
        saved: Option<&[Uid]>,
    ) -> Result<Vec<Uid>, BadSet> {
        let Some(ranges) = set.ranges() else {
            return self.saved(saved);
        };
        let len = self.uids.len();
        let mut pick = vec![false; len];
        for range in ranges {
            // `*` in an empty mailbox names nothing.
            let (a, b) = (range.first(), range.last());
            if len == 0 && (a == SeqNumber::Largest || b == SeqNumber::Largest) {
                continue;
            }
            let (lo, hi) = (a.resolve(len as u32), b.resolve(len as u32));
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            if hi as usize > len {
                return Err(BadSet::NoSuchMessage);
            }
            for slot in pick
                .get_mut((lo as usize).saturating_sub(1)..hi as usize)
                .unwrap_or_default()
            {
                *slot = true;
            }
        }
        Ok(self
            .uids
            .iter()
            .zip(pick)
            .filter_map(|(&u, p)| p.then_some(u))
            .collect())
    }

    /// Resolves UIDs (RFC 9051 §6.4.9: UIDs that do not exist are ignored; `*` is the largest
    /// UID in use, so `n:*` names at least the last message).
    pub(super) fn resolve_uid(
        &self,
        set: &SequenceSet,
        saved: Option<&[Uid]>,
    ) -> Result<Vec<Uid>, BadSet> {
        let Some(ranges) = set.ranges() else {
            return self.saved(saved);
        };
        let Some(&largest) = self.uids.last() else {
            return Ok(Vec::new());
        };
        let mut pick = vec![false; self.uids.len()];
        for range in ranges {
            let (a, b) = (
                range.first().resolve(largest.get()),
                range.last().resolve(largest.get()),
            );
            let (lo, hi) = (a.min(b), a.max(b));
            let start = self.uids.partition_point(|u| u.get() < lo);
            let end = self.uids.partition_point(|u| u.get() <= hi);
            for slot in pick.get_mut(start..end).unwrap_or_default() {
                *slot = true;
            }
        }
        Ok(self
            .uids
            .iter()
            .zip(pick)
            .filter_map(|(&u, p)| p.then_some(u))
            .collect())
    }

    /// `$`: the saved result, restricted to the messages still known.
    fn saved(&self, saved: Option<&[Uid]>) -> Result<Vec<Uid>, BadSet> {
        let saved = saved.ok_or(BadSet::NothingSaved)?;
        Ok(saved
            .iter()
            .copied()
            .filter(|u| self.uids.binary_search(u).is_ok())
            .collect())
    }

    /// Queues a change the application reported.
    pub(super) fn report(&mut self, update: super::event::MailboxUpdate) {
        use super::event::MailboxUpdate as U;
        match update {
            U::Added(messages) => {
                let floor = self
                    .added
                    .last()
                    .map(|m| m.uid)
                    .or(self.uids.last().copied());
                for m in messages {
                    // UIDs only grow (RFC 9051 §2.3.1.1); anything else is no new message.
                    let last = self.added.last().map(|m| m.uid).or(floor);
                    if last.is_none_or(|l| m.uid > l) {
                        self.added.push(m);
                    }
                }
            }
            U::Expunged(uids) => {
                for uid in uids {
                    // A message the session was never told about goes without a word: no
                    // EXISTS for it, no EXPUNGE (an expunge queued for it would be dropped
                    // as unknown at the flush, leaving the EXISTS of its arrival behind).
                    let before = self.added.len();
                    self.added.retain(|m| m.uid != uid);
                    if self.added.len() != before {
                        self.flags.retain(|m| m.uid != uid);
                        continue;
                    }
                    if !self.expunged.contains(&uid) {
                        self.expunged.push(uid);
                    }
                }
            }
            U::Flags(info) => {
                self.flags.retain(|m| m.uid != info.uid);
                self.flags.push(info);
            }
            U::Keywords {
                flags,
                permanent_flags,
            } => self.keywords = Some((flags, permanent_flags)),
        }
    }

    /// Takes a queued change of the mailbox's flags, to send it before a FETCH response.
    pub(super) fn take_keywords(&mut self) -> Option<Update> {
        self.keywords
            .take()
            .map(|(flags, perm)| Update::Keywords(flags, perm))
    }

    /// Forgets a queued flag change the current command reports itself (STORE's answer).
    pub(super) fn reported_flags(&mut self, uid: Uid) {
        self.flags.retain(|m| m.uid != uid);
    }

    /// Returns whether changes wait to be sent under `mode`.
    pub(super) fn has_updates(&self, mode: Flush) -> bool {
        self.keywords.is_some()
            || !self.added.is_empty()
            || !self.flags.is_empty()
            || (mode == Flush::All && !self.expunged.is_empty())
    }

    /// Returns the queued changes that may be sent under `mode`, in the order the client must
    /// see them, and applies them to the view. `vanished`: report expunges as one `VANISHED`
    /// (after `ENABLE QRESYNC`, RFC 7162 §3.2.10).
    pub(super) fn flush(&mut self, mode: Flush, vanished: bool) -> Vec<Update> {
        let mut out = Vec::new();
        // A new keyword is announced before any FETCH uses it (RFC 9051 §7.3.5).
        if let Some((flags, perm)) = self.keywords.take() {
            out.push(Update::Keywords(flags, perm));
        }
        if mode == Flush::All && !self.expunged.is_empty() {
            let mut gone: Vec<Uid> = core::mem::take(&mut self.expunged);
            gone.sort_unstable();
            gone.retain(|u| self.uids.binary_search(u).is_ok());
            self.flags.retain(|m| !gone.contains(&m.uid));
            if vanished {
                self.uids.retain(|u| gone.binary_search(u).is_err());
                if !gone.is_empty() {
                    out.push(Update::Vanished(gone));
                }
            } else {
                // Each EXPUNGE renumbers the messages after it at once (RFC 9051 §7.5.1).
                for uid in gone {
                    if let Ok(index) = self.uids.binary_search(&uid) {
                        self.uids.remove(index);
                        if let Some(seq) = u32::try_from(index.saturating_add(1))
                            .ok()
                            .and_then(NonZeroU32::new)
                        {
                            out.push(Update::Expunge(seq));
                        }
                    }
                }
            }
        }
        if !self.added.is_empty() {
            // EXISTS comes before any FETCH about the new messages.
            for m in core::mem::take(&mut self.added) {
                if self.uids.last().is_none_or(|&l| m.uid > l) {
                    self.uids.push(m.uid);
                }
            }
            out.push(Update::Exists(self.exists()));
        }
        for info in core::mem::take(&mut self.flags) {
            if let Some(seq) = self.seq(info.uid) {
                out.push(Update::Flags(seq, info));
            }
        }
        out
    }

    /// Removes messages from the view at once (the session's own EXPUNGE or MOVE, whose
    /// responses the caller sends itself) and returns the sequence numbers they had, each
    /// valid at the moment its EXPUNGE is sent.
    pub(super) fn remove(&mut self, uids: &[Uid]) -> Vec<NonZeroU32> {
        let mut sorted = uids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        self.expunged.retain(|u| sorted.binary_search(u).is_err());
        self.flags.retain(|m| sorted.binary_search(&m.uid).is_err());
        // A new message not yet announced is dropped with its EXISTS, not announced later.
        self.added.retain(|m| sorted.binary_search(&m.uid).is_err());
        let mut out = Vec::new();
        for uid in sorted {
            if let Ok(index) = self.uids.binary_search(&uid) {
                self.uids.remove(index);
                if let Some(seq) = u32::try_from(index.saturating_add(1))
                    .ok()
                    .and_then(NonZeroU32::new)
                {
                    out.push(seq);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::MailboxUpdate;
    use super::*;

    fn uid(n: u32) -> Uid {
        NonZeroU32::new(n).unwrap()
    }

    fn mailbox(uids: &[u32]) -> Selected {
        Selected::new(false, uid(1), false, uids.iter().map(|&n| uid(n)).collect())
    }

    fn set(s: &str) -> SequenceSet {
        SequenceSet::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn sequence_numbers_resolve_to_uids_in_order() {
        let m = mailbox(&[3, 7, 9, 20]);
        assert_eq!(
            m.resolve_seq(&set("2:*"), None).unwrap(),
            [uid(7), uid(9), uid(20)]
        );
        assert_eq!(
            m.resolve_seq(&set("4:2,1"), None).unwrap(),
            [uid(3), uid(7), uid(9), uid(20)]
        );
        assert_eq!(m.resolve_seq(&set("5"), None), Err(BadSet::NoSuchMessage));
        assert_eq!(m.resolve_seq(&set("$"), None), Err(BadSet::NothingSaved));
        assert!(
            mailbox(&[])
                .resolve_seq(&set("1:*"), None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn uid_sets_ignore_uids_that_do_not_exist() {
        let m = mailbox(&[3, 7, 9, 20]);
        assert_eq!(m.resolve_uid(&set("1:8"), None).unwrap(), [uid(3), uid(7)]);
        assert_eq!(m.resolve_uid(&set("100:*"), None).unwrap(), [uid(20)]);
        assert_eq!(
            m.resolve_uid(&set("*:4"), None).unwrap(),
            [uid(7), uid(9), uid(20)]
        );
        assert_eq!(
            m.resolve_uid(&set("$"), Some(&[uid(9), uid(11)])).unwrap(),
            [uid(9)]
        );
    }

    #[test]
    fn expunges_renumber_one_at_a_time() {
        let mut m = mailbox(&[3, 7, 9, 20]);
        m.report(MailboxUpdate::Expunged(vec![uid(9), uid(7)]));
        assert!(m.flush(Flush::NoExpunge, false).is_empty());
        assert_eq!(m.exists(), 4, "held back: the view keeps the numbers");
        // 7 is message 2, then 9 has become message 2 as well.
        assert_eq!(
            m.flush(Flush::All, false),
            [
                Update::Expunge(NonZeroU32::new(2).unwrap()),
                Update::Expunge(NonZeroU32::new(2).unwrap())
            ]
        );
        assert_eq!(m.uids(), [uid(3), uid(20)]);
    }

    #[test]
    fn exists_before_flags_of_new_messages_and_keywords_first() {
        let mut m = mailbox(&[3]);
        m.report(MailboxUpdate::Flags(MessageInfo::new(
            uid(5),
            vec![Flag::Seen],
        )));
        m.report(MailboxUpdate::Added(vec![MessageInfo::new(uid(5), vec![])]));
        m.report(MailboxUpdate::Keywords {
            flags: vec![Flag::Seen],
            permanent_flags: vec![FlagPerm::Wildcard],
        });
        let out = m.flush(Flush::NoExpunge, false);
        assert!(matches!(out[0], Update::Keywords(..)));
        assert_eq!(out[1], Update::Exists(2));
        assert!(matches!(out[2], Update::Flags(seq, _) if seq.get() == 2));
    }

    #[test]
    fn a_message_added_and_expunged_before_a_flush_is_never_reported() {
        let mut m = mailbox(&[1, 2]);
        m.report(MailboxUpdate::Added(vec![MessageInfo::new(uid(3), vec![])]));
        m.report(MailboxUpdate::Expunged(vec![uid(1), uid(3)]));
        assert_eq!(m.flush(Flush::All, false), [Update::Expunge(uid(1))]);
        assert_eq!(m.uids(), [uid(2)]);
    }

    #[test]
    fn the_sessions_own_expunge_of_an_unannounced_message_drops_its_arrival() {
        let mut m = mailbox(&[1]);
        m.report(MailboxUpdate::Added(vec![MessageInfo::new(uid(2), vec![])]));
        assert!(m.remove(&[uid(2)]).is_empty());
        assert!(m.flush(Flush::All, false).is_empty());
        assert_eq!(m.uids(), [uid(1)]);
    }

    #[test]
    fn vanished_reports_expunges_as_one_set() {
        let mut m = mailbox(&[3, 7, 9]);
        m.report(MailboxUpdate::Expunged(vec![uid(9), uid(3), uid(50)]));
        assert_eq!(
            m.flush(Flush::All, true),
            [Update::Vanished(vec![uid(3), uid(9)])]
        );
        assert_eq!(m.uids(), [uid(7)]);
    }

    #[test]
    fn added_uids_must_grow() {
        let mut m = mailbox(&[3, 7]);
        m.report(MailboxUpdate::Added(vec![
            MessageInfo::new(uid(5), vec![]),
            MessageInfo::new(uid(8), vec![]),
        ]));
        assert_eq!(m.flush(Flush::All, false), [Update::Exists(3)]);
        assert_eq!(m.uids(), [uid(3), uid(7), uid(8)]);
    }
}

//! The client's view of the selected mailbox: what the server has told it, kept up to date
//! from EXISTS, EXPUNGE, VANISHED, FETCH and the response codes (RFC 9051 §7.3.1, §7.5;
//! RFC 7162 §3.1, §3.2.10).

use core::num::NonZeroU32;

use crate::response::FetchItem;
use crate::types::{Flag, FlagPerm, Mailbox, SequenceSet};

/// One message of the selected mailbox as the client knows it: `None` for what the server
/// has not said yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageView {
    /// Its UID, once a FETCH reported it.
    pub uid: Option<NonZeroU32>,
    /// Its flags, once a FETCH reported them.
    pub flags: Option<Vec<Flag>>,
    /// Its mod-sequence (CONDSTORE), once a FETCH reported it.
    pub mod_seq: Option<u64>,
}

/// The selected mailbox as the server has described it (RFC 9051 §6.3.2, §7.3–§7.5).
///
/// Message `n` (a sequence number) is `messages()[n - 1]`. An `EXPUNGE` removes its message
/// and so renumbers every later one, as on the server (RFC 9051 §7.5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxView {
    mailbox: Mailbox,
    read_only: bool,
    uid_validity: Option<NonZeroU32>,
    uid_next: Option<NonZeroU32>,
    highest_mod_seq: Option<u64>,
    flags: Vec<Flag>,
    permanent_flags: Vec<FlagPerm>,
    messages: Vec<MessageView>,
}

impl MailboxView {
    pub(super) fn new(mailbox: Mailbox, read_only: bool) -> Self {
        Self {
            mailbox,
            read_only,
            uid_validity: None,
            uid_next: None,
            highest_mod_seq: None,
            flags: Vec::new(),
            permanent_flags: Vec::new(),
            messages: Vec::new(),
        }
    }

    /// Returns the mailbox name as sent in SELECT or EXAMINE.
    pub const fn mailbox(&self) -> &Mailbox {
        &self.mailbox
    }

    /// Returns whether the mailbox is read-only (EXAMINE, or `[READ-ONLY]`).
    pub const fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Returns the number of messages (the last `EXISTS`, less the expunges since).
    pub fn exists(&self) -> u32 {
        u32::try_from(self.messages.len()).unwrap_or(u32::MAX)
    }

    /// Returns the messages, in sequence order.
    pub fn messages(&self) -> &[MessageView] {
        &self.messages
    }

    /// Returns message `seq`, if it exists.
    pub fn message(&self, seq: NonZeroU32) -> Option<&MessageView> {
        self.messages.get(index(seq))
    }

    /// Returns the sequence number of the message with this UID, if the view knows it.
    pub fn seq_of(&self, uid: NonZeroU32) -> Option<NonZeroU32> {
        // UIDs ascend with sequence numbers (RFC 9051 §2.3.1.1); unknown ones are skipped.
        let i = self.messages.iter().position(|m| m.uid == Some(uid))?;
        NonZeroU32::new(u32::try_from(i).ok()?.checked_add(1)?)
    }

    /// Returns `UIDVALIDITY`, once the server sent it.
    pub const fn uid_validity(&self) -> Option<NonZeroU32> {
        self.uid_validity
    }

    /// Returns `UIDNEXT`, once the server sent it.
    pub const fn uid_next(&self) -> Option<NonZeroU32> {
        self.uid_next
    }

    /// Returns `HIGHESTMODSEQ` (CONDSTORE), once the server sent it.
    pub const fn highest_mod_seq(&self) -> Option<u64> {
        self.highest_mod_seq
    }

    /// Returns the flags defined in the mailbox (`FLAGS`).
    pub fn flags(&self) -> &[Flag] {
        &self.flags
    }

    /// Returns the flags the client can change permanently (`PERMANENTFLAGS`).
    pub fn permanent_flags(&self) -> &[FlagPerm] {
        &self.permanent_flags
    }

    pub(super) fn set_read_only(&mut self, read_only: bool) {
        self.read_only = read_only;
    }

    /// `n EXISTS`: new messages at the end. A smaller count than known (which the protocol
    /// does not allow without expunges) drops the messages past it.
    pub(super) fn set_exists(&mut self, n: u32) {
        self.messages.resize(
            usize::try_from(n).unwrap_or(usize::MAX),
            MessageView::default(),
        );
    }

    /// `n EXPUNGE`: returns the UID of the removed message; `Err` when there is no such
    /// message.
    pub(super) fn expunge(&mut self, seq: NonZeroU32) -> Result<Option<NonZeroU32>, ()> {
        let i = index(seq);
        if i >= self.messages.len() {
            return Err(());
        }
        Ok(self.messages.remove(i).uid)
    }

    /// `VANISHED uids`: removes the messages the view knows with these UIDs; returns how many.
    pub(super) fn vanish(&mut self, uids: &SequenceSet) -> usize {
        let before = self.messages.len();
        self.messages
            .retain(|m| !m.uid.is_some_and(|u| uids.contains(u.get(), u32::MAX)));
        before.saturating_sub(self.messages.len())
    }

    /// A FETCH response: takes its UID, FLAGS and MODSEQ. `Err` when there is no such message.
    pub(super) fn fetch(&mut self, seq: NonZeroU32, items: &[FetchItem]) -> Result<(), ()> {
        let Some(m) = self.messages.get_mut(index(seq)) else {
            return Err(());
        };
        for item in items {
            match item {
                FetchItem::Uid(uid) => m.uid = Some(*uid),
                FetchItem::Flags(flags) => m.flags = Some(flags.clone()),
                FetchItem::ModSeq(n) => {
                    m.mod_seq = Some(*n);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `FLAGS (…)`.
    pub(super) fn set_flags(&mut self, flags: Vec<Flag>) {
        self.flags = flags;
    }

    /// `[PERMANENTFLAGS (…)]`.
    pub(super) fn set_permanent_flags(&mut self, flags: Vec<FlagPerm>) {
        self.permanent_flags = flags;
    }

    /// `[UIDVALIDITY n]`: returns whether it changed from a known value, in which case every
    /// UID, flag list and mod-sequence known is forgotten.
    pub(super) fn set_uid_validity(&mut self, v: NonZeroU32) -> bool {
        let changed = self.uid_validity.is_some_and(|old| old != v);
        self.uid_validity = Some(v);
        if changed {
            for m in &mut self.messages {
                *m = MessageView::default();
            }
            self.uid_next = None;
            self.highest_mod_seq = None;
        }
        changed
    }

    /// `[UIDNEXT n]`.
    pub(super) fn set_uid_next(&mut self, n: NonZeroU32) {
        self.uid_next = Some(n);
    }

    /// `[HIGHESTMODSEQ n]`.
    pub(super) fn set_highest_mod_seq(&mut self, n: u64) {
        self.highest_mod_seq = Some(n);
    }
}

/// The vector index of a sequence number.
fn index(seq: NonZeroU32) -> usize {
    usize::try_from(seq.get().saturating_sub(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn expunge_shifts_later_messages_down() {
        let mut v = MailboxView::new(Mailbox::parse(b"INBOX").unwrap(), false);
        v.set_exists(4);
        for (seq, uid) in [(1, 10), (2, 20), (3, 30), (4, 40)] {
            v.fetch(nz(seq), &[FetchItem::Uid(nz(uid))]).unwrap();
        }
        assert_eq!(v.expunge(nz(2)), Ok(Some(nz(20))));
        assert_eq!(v.seq_of(nz(30)), Some(nz(2)));
        assert_eq!(v.expunge(nz(4)), Err(()));
        assert_eq!(v.exists(), 3);
        let set = SequenceSet::parse(b"10,40").unwrap();
        assert_eq!(v.vanish(&set), 2);
        assert_eq!(v.exists(), 1);
        assert_eq!(v.message(nz(1)).unwrap().uid, Some(nz(30)));
    }
}

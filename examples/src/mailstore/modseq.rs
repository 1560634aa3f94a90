//! Mod-sequences (RFC 7162 CONDSTORE/QRESYNC) for a Maildir, which has none: a sidecar file
//! `mail-proto-modseq` per mailbox.
//!
//! ```text
//! mail-proto-modseq 1 V1275660208 H12 E5
//! 1 3 :S
//! 4 12 :FRa
//! X 2 7
//! ```
//!
//! The header gives the format version, `V` the UIDVALIDITY the record belongs to and `H` the
//! HIGHESTMODSEQ. Each message line is a UID, its mod-sequence and the flag letters of its file
//! name when that mod-sequence was given; each `X` line is an expunged UID and the
//! mod-sequence of its expunge (for `VANISHED (EARLIER)`).
//!
//! The expunges remembered are bounded ([`MAX_EXPUNGED`]), as RFC 7162 §5.3 advises: the
//! oldest are forgotten, and `E` keeps the highest mod-sequence among them. A client asking
//! about expunges since before `E` gets every UID below UIDNEXT that does not exist (a
//! superset, as ranges), which is what §5.3 leaves a server that expired its records.
//!
//! Whoever looks at the mailbox compares the files with the record and gives every difference
//! (a new UID, other letters, a UID gone) the next mod-sequence, so changes made by any
//! session, by SMTP delivery, by POP3 `DELE` or by another program all get one, at the latest
//! when the mailbox is next looked at. The file is replaced (written aside and renamed) only
//! under the `dovecot-uidlist` lock; readers never see half of it. A record that cannot be
//! read, or belongs to another UIDVALIDITY, starts again.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;

use imap_proto::types::SequenceSet;

use super::uidlist::UidListLock;

/// The file name.
pub const FILE: &str = "mail-proto-modseq";

/// The most expunged UIDs remembered with their mod-sequence. Beyond it the oldest tenth is
/// forgotten at once (so that the file is not rewritten smaller by one on every expunge).
pub const MAX_EXPUNGED: usize = 10_000;

/// The mod-sequences of one mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModSeqs {
    uid_validity: u32,
    highest: u64,
    /// UID → (mod-sequence, flag letters then).
    messages: BTreeMap<u32, (u64, String)>,
    /// Expunged UID → the mod-sequence of the expunge.
    expunged: BTreeMap<u32, u64>,
    /// The highest mod-sequence of the expunges no longer in `expunged` (0: none forgotten).
    expired: u64,
}

impl ModSeqs {
    /// Reads the record of the mailbox in `dir`; an empty one when there is none or it
    /// cannot be parsed.
    ///
    /// # Errors
    /// When the file exists but cannot be read.
    pub fn load(dir: &Path) -> io::Result<Self> {
        match fs::read_to_string(dir.join(FILE)) {
            Ok(text) => Ok(Self::parse(&text).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e),
        }
    }

    /// Parses the content of the file; `None` for anything but version 1.
    pub fn parse(text: &str) -> Option<Self> {
        let mut lines = text.lines();
        let mut header = lines.next()?.split(' ');
        if header.next() != Some(FILE) || header.next() != Some("1") {
            return None;
        }
        let mut out = Self::default();
        for f in header {
            if let Some(v) = f.strip_prefix('V') {
                out.uid_validity = v.parse().ok()?;
            } else if let Some(h) = f.strip_prefix('H') {
                out.highest = h.parse().ok()?;
            } else if let Some(e) = f.strip_prefix('E') {
                out.expired = e.parse().ok()?;
            }
        }
        for line in lines {
            if let Some(rest) = line.strip_prefix("X ") {
                let (uid, m) = rest.split_once(' ')?;
                out.expunged.insert(uid.parse().ok()?, m.parse().ok()?);
            } else {
                let (head, letters) = line.split_once(" :")?;
                let (uid, m) = head.split_once(' ')?;
                out.messages
                    .insert(uid.parse().ok()?, (m.parse().ok()?, letters.to_owned()));
            }
        }
        Some(out)
    }

    /// Returns the content of the file.
    pub fn render(&self) -> String {
        let mut out = format!("{FILE} 1 V{} H{}", self.uid_validity, self.highest);
        if self.expired > 0 {
            out.push_str(&format!(" E{}", self.expired));
        }
        out.push('\n');
        for (uid, (m, letters)) in &self.messages {
            out.push_str(&format!("{uid} {m} :{letters}\n"));
        }
        for (uid, m) in &self.expunged {
            out.push_str(&format!("X {uid} {m}\n"));
        }
        out
    }

    /// Brings the record up to the messages as they are now (UID and flag letters): every
    /// new UID, changed letters and vanished UID gets the next mod-sequence. Returns whether
    /// anything changed.
    pub fn update<'a>(
        &mut self,
        uid_validity: u32,
        now: impl IntoIterator<Item = (u32, &'a str)>,
    ) -> bool {
        if self.uid_validity != uid_validity {
            // Another mailbox under the same name: nothing of the old record applies.
            *self = Self {
                uid_validity,
                ..Self::default()
            };
        }
        let next = self.highest.saturating_add(1);
        let mut changed = false;
        let mut present = HashSet::new();
        for (uid, letters) in now {
            present.insert(uid);
            match self.messages.get_mut(&uid) {
                Some((_, l)) if l == letters => {}
                Some(entry) => {
                    *entry = (next, letters.to_owned());
                    changed = true;
                }
                None => {
                    self.messages.insert(uid, (next, letters.to_owned()));
                    self.expunged.remove(&uid);
                    changed = true;
                }
            }
        }
        let gone: Vec<u32> = self
            .messages
            .keys()
            .copied()
            .filter(|u| !present.contains(u))
            .collect();
        for uid in gone {
            self.messages.remove(&uid);
            self.expunged.insert(uid, next);
            changed = true;
        }
        if self.expunged.len() > MAX_EXPUNGED {
            self.expire(MAX_EXPUNGED - MAX_EXPUNGED / 10);
        }
        if changed {
            self.highest = next;
        }
        changed
    }

    /// Writes the record into `dir`; the caller holds the `dovecot-uidlist` lock.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn save(&self, dir: &Path, _lock: &UidListLock) -> io::Result<()> {
        let tmp = dir.join(format!("{FILE}.{}.tmp", super::unique_base()));
        fs::write(&tmp, self.render())?;
        fs::rename(&tmp, dir.join(FILE))
    }

    /// Returns HIGHESTMODSEQ (at least 1: RFC 7162 §3.1.2.1 mod-sequences are positive).
    pub fn highest(&self) -> u64 {
        self.highest.max(1)
    }

    /// Returns the mod-sequence of `uid` (0 when the record does not know it).
    pub fn get(&self, uid: u32) -> u64 {
        self.messages.get(&uid).map_or(0, |(m, _)| *m)
    }

    /// Returns the mod-sequence of each UID of `uids` (ascending), as [`get`](Self::get)
    /// does, in one walk of the record instead of a search per UID.
    pub fn get_sorted<'a>(
        &'a self,
        uids: impl Iterator<Item = u32> + 'a,
    ) -> impl Iterator<Item = u64> + 'a {
        let mut record = self.messages.iter().peekable();
        uids.map(move |uid| {
            while record.next_if(|(u, _)| **u < uid).is_some() {}
            match record.peek() {
                Some((u, (m, _))) if **u == uid => *m,
                _ => 0,
            }
        })
    }

    /// Forgets the oldest expunges until `keep` are left, remembering the highest
    /// mod-sequence forgotten.
    fn expire(&mut self, keep: usize) {
        let excess = self.expunged.len().saturating_sub(keep);
        if excess == 0 {
            return;
        }
        let mut by_age: Vec<(u64, u32)> = self.expunged.iter().map(|(u, m)| (*m, *u)).collect();
        by_age.sort_unstable();
        for &(m, u) in by_age.iter().take(excess) {
            self.expunged.remove(&u);
            self.expired = self.expired.max(m);
        }
    }

    /// Returns the UIDs expunged with a mod-sequence above `since`, for `VANISHED (EARLIER)`
    /// (RFC 7162 §3.2.5.1, §3.2.6); `None` when there are none. When expunges after `since`
    /// may have been forgotten, every UID below `uid_next` that is not in the record (a
    /// superset: RFC 7162 §5.3), as ranges, so the answer stays as small as the mailbox.
    pub fn expunged_since(&self, since: u64, uid_next: u32) -> Option<SequenceSet> {
        if since >= self.expired {
            let uids: Vec<(u32, u32)> = self
                .expunged
                .iter()
                .filter(|(_, m)| **m > since)
                .map(|(u, _)| (*u, *u))
                .collect();
            return SequenceSet::from_bounds(&uids);
        }
        let mut gaps = Vec::new();
        let mut next = 1u32;
        for &uid in self.messages.keys() {
            if uid > next {
                gaps.push((next, uid - 1));
            }
            next = uid.saturating_add(1);
        }
        if uid_next > next {
            gaps.push((next, uid_next - 1));
        }
        SequenceSet::from_bounds(&gaps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_lookups_agree_with_single_ones() {
        let mut m = ModSeqs::default();
        m.update(9, [(2, "S"), (5, ""), (7, "F")]);
        m.update(9, [(2, "S"), (5, "T"), (7, "F"), (8, "")]);
        let uids = [1, 2, 5, 6, 7, 8, 9];
        let one: Vec<u64> = uids.iter().map(|&u| m.get(u)).collect();
        let walked: Vec<u64> = m.get_sorted(uids.into_iter()).collect();
        assert_eq!(walked, one);
        assert_eq!(one, [0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn changes_get_the_next_mod_sequence_and_the_file_round_trips() {
        let mut m = ModSeqs::default();
        assert!(m.update(7, [(1, ""), (2, "S"), (3, "")]));
        assert_eq!((m.highest(), m.get(1), m.get(3)), (1, 1, 1));
        assert!(!m.update(7, [(1, ""), (2, "S"), (3, "")]));
        assert!(m.update(7, [(1, "F"), (3, "")]));
        assert_eq!((m.highest(), m.get(1), m.get(3)), (2, 2, 1));
        assert_eq!(m.expunged_since(1, 4).unwrap().to_string(), "2");
        assert_eq!(m.expunged_since(2, 4), None);
        assert!(m.update(7, [(1, "F"), (3, ""), (4, "")]));
        assert_eq!(m.get(4), 3);
        let again = ModSeqs::parse(&m.render()).unwrap();
        assert_eq!(again, m);
        // Another UIDVALIDITY starts again.
        assert!(m.update(8, [(1, "")]));
        assert_eq!(
            (m.highest(), m.get(1), m.expunged_since(0, 2)),
            (1, 1, None)
        );
        assert!(ModSeqs::parse("something else\n").is_none());
    }

    #[test]
    fn the_expunges_remembered_are_bounded_and_older_questions_get_a_superset() {
        let mut m = ModSeqs::default();
        // UIDs 1..=12 000 and 20 000, then the first 12 000 expunged a thousand at a time.
        let all: Vec<u32> = (1..=12_000).chain([20_000]).collect();
        m.update(5, all.iter().map(|&u| (u, "")));
        for batch in 1..=12u32 {
            let gone = batch * 1000;
            m.update(5, all.iter().filter(|&&u| u > gone).map(|&u| (u, "")));
        }
        assert!(m.expunged.len() <= MAX_EXPUNGED, "{}", m.expunged.len());
        // At 11 000 the oldest 2 000 (two batches) were forgotten, at 12 000 none more.
        assert_eq!(m.expunged.len(), 10_000);
        assert_eq!(m.expired, 3);
        // The file keeps the bound and what was forgotten.
        let again = ModSeqs::parse(&m.render()).unwrap();
        assert_eq!(again, m);
        // Asked since the last expunge but one: exactly the last one.
        let last = m.highest();
        assert_eq!(
            m.expunged_since(last - 1, 20_001).unwrap().to_string(),
            "11001:12000"
        );
        assert_eq!(
            m.expunged_since(m.expired, 20_001).unwrap().to_string(),
            "2001:12000"
        );
        assert_eq!(m.expunged_since(last, 20_001), None);
        // Asked since before what is remembered: every UID that does not exist, as ranges.
        assert_eq!(m.expunged_since(0, 20_001).unwrap().to_string(), "1:19999");
        assert_eq!(
            m.expunged_since(m.expired - 1, 30_000).unwrap().to_string(),
            "1:19999,20001:29999"
        );
    }
}

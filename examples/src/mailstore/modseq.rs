//! Mod-sequences (RFC 7162 CONDSTORE/QRESYNC) for a Maildir, which has none: a sidecar file
//! `mail-proto-modseq` per mailbox.
//!
//! ```text
//! mail-proto-modseq 1 V1275660208 H12
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

use super::uidlist::UidListLock;

/// The file name.
pub const FILE: &str = "mail-proto-modseq";

/// The mod-sequences of one mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModSeqs {
    uid_validity: u32,
    highest: u64,
    /// UID → (mod-sequence, flag letters then).
    messages: BTreeMap<u32, (u64, String)>,
    /// Expunged UID → the mod-sequence of the expunge.
    expunged: BTreeMap<u32, u64>,
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
        let mut out = format!("{FILE} 1 V{} H{}\n", self.uid_validity, self.highest);
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

    /// Returns the UIDs expunged with a mod-sequence above `since`, ascending.
    pub fn expunged_since(&self, since: u64) -> Vec<u32> {
        self.expunged
            .iter()
            .filter(|(_, m)| **m > since)
            .map(|(u, _)| *u)
            .collect()
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
        assert_eq!(m.expunged_since(1), [2]);
        assert!(m.expunged_since(2).is_empty());
        assert!(m.update(7, [(1, "F"), (3, ""), (4, "")]));
        assert_eq!(m.get(4), 3);
        let again = ModSeqs::parse(&m.render()).unwrap();
        assert_eq!(again, m);
        // Another UIDVALIDITY starts again.
        assert!(m.update(8, [(1, "")]));
        assert_eq!(
            (m.highest(), m.get(1), m.expunged_since(0).len()),
            (1, 1, 0)
        );
        assert!(ModSeqs::parse("something else\n").is_none());
    }
}

//! The last scan of each mailbox, shared by every session of the process.
//!
//! [`Folder::scan`] lists `new/` and `cur/` and reads `dovecot-uidlist`, the mod-sequence
//! record and `dovecot-keywords`: tens of milliseconds for 10 000 messages. [`ScanCache`]
//! keeps the result with a [`Signature`] of what it read, and answers the next scan of the
//! mailbox from memory when nothing changed:
//!
//! - the modification times of `new/` and `cur/` (any message added, removed or renamed,
//!   by anyone) are the same, and were already at least [`SETTLED`] old when the kept scan
//!   began, so that a change made within the file system's timestamp granularity after it
//!   cannot leave them unchanged;
//! - the three files have the same inode, size and modification time (each is replaced by a
//!   rename, by this server and by Dovecot, so a new version has another inode);
//! - for a scan that claims `\Recent` messages, the kept scan found none in `new/`.
//!
//! Sessions that scanned the same mailbox alike hold the same [`Arc<Scan>`], so an idle
//! session costs a handle, not a copy of every file name. The cache keeps the scans of at
//! most [`MAX_MAILBOXES`] mailboxes (the least recently used goes); each is as large as its
//! mailbox's listing on disk.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::folder::{Folder, Scan};

/// How old the directories' times must be for a scan to be kept.
pub const SETTLED: Duration = Duration::from_secs(1);

/// The mailboxes whose last scan is kept.
pub const MAX_MAILBOXES: usize = 64;

/// The files besides the message directories that a scan reads.
const FILES: [&str; 3] = ["dovecot-uidlist", super::modseq::FILE, "dovecot-keywords"];

/// What a scan read, as the file system describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The modification times of `new/` and `cur/`.
    dirs: [SystemTime; 2],
    /// Inode, size and modification time of each of [`FILES`], `None` when missing.
    files: [Option<(u64, u64, SystemTime)>; 3],
}

impl Signature {
    /// Returns the signature of the mailbox in `dir`; `None` when a directory is missing.
    pub fn of(dir: &Path) -> Option<Self> {
        let time = |sub: &str| fs::metadata(dir.join(sub)).and_then(|m| m.modified());
        let file = |name: &str| -> Option<(u64, u64, SystemTime)> {
            let m = fs::metadata(dir.join(name)).ok()?;
            Some((inode(&m), m.len(), m.modified().ok()?))
        };
        Some(Self {
            dirs: [time("new").ok()?, time("cur").ok()?],
            files: FILES.map(file),
        })
    }

    /// Whether the directories were last changed at least [`SETTLED`] before `at`.
    fn settled(&self, at: SystemTime) -> bool {
        self.dirs
            .iter()
            .all(|&t| at.duration_since(t).is_ok_and(|age| age >= SETTLED))
    }
}

#[cfg(unix)]
fn inode(m: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn inode(_: &fs::Metadata) -> u64 {
    0
}

#[derive(Debug)]
struct Kept {
    /// `None` while the scan may not be answered from (not settled): it is still shared
    /// with sessions whose own scan finds the same.
    signature: Option<Signature>,
    scan: Arc<Scan>,
    /// No message of the scan is in `new/`.
    none_new: bool,
    used: u64,
}

/// The last scan of each mailbox, bounded; see the module docs.
#[derive(Debug, Default)]
pub struct ScanCache {
    inner: Mutex<(HashMap<PathBuf, Kept>, u64)>,
}

impl ScanCache {
    /// [`Folder::scan`], answered from memory when the mailbox has not changed since the
    /// kept scan.
    ///
    /// # Errors
    /// As [`Folder::scan`].
    pub fn scan(
        &self,
        folder: &Folder,
        claim_recent: bool,
        new_uid_validity: impl FnOnce() -> u32,
    ) -> io::Result<Arc<Scan>> {
        let dir = folder.dir();
        let start = SystemTime::now();
        let before = Signature::of(dir);
        if let Some(sig) = &before {
            let mut guard = self.lock();
            let (map, clock) = &mut *guard;
            *clock += 1;
            let now = *clock;
            if let Some(kept) = map.get_mut(dir)
                && kept.signature.as_ref() == Some(sig)
                && (!claim_recent || kept.none_new)
            {
                kept.used = now;
                return Ok(kept.scan.clone());
            }
        }
        let scan = folder.scan(claim_recent, new_uid_validity)?;
        let after = Signature::of(dir);
        let signature = match (before, after) {
            (Some(b), Some(a)) if a == b && a.settled(start) => Some(a),
            _ => None,
        };
        let none_new = {
            let new = dir.join("new");
            scan.messages.iter().all(|m| !m.path.starts_with(&new))
        };
        let mut guard = self.lock();
        let (map, clock) = &mut *guard;
        *clock += 1;
        let now = *clock;
        if let Some(kept) = map.get_mut(dir)
            && scan.recent.is_empty()
            && *kept.scan == scan
        {
            // The same as the kept one: shared.
            kept.used = now;
            if signature.is_some() {
                kept.signature = signature;
            }
            return Ok(kept.scan.clone());
        }
        let scan = Arc::new(scan);
        if !scan.recent.is_empty() {
            // This session's own view (its \Recent): not for others.
            return Ok(scan);
        }
        if map.len() >= MAX_MAILBOXES
            && !map.contains_key(dir)
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(d, _)| d.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            dir.to_path_buf(),
            Kept {
                signature,
                scan: scan.clone(),
                none_new,
                used: now,
            },
        );
        Ok(scan)
    }

    /// Forgets the kept scan of the mailbox in `dir`.
    pub fn forget(&self, dir: &Path) {
        self.lock().0.remove(dir);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<PathBuf, Kept>, u64)> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    /// A mailbox with `n` messages in `cur/`.
    fn mailbox(tag: &str, n: usize) -> Folder {
        let dir =
            std::env::temp_dir().join(format!("mail-proto-scans-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        for i in 0..n {
            fs::write(
                dir.join("cur").join(format!("100{i}.M{i}P1.host:2,S")),
                b"Subject: x\r\n\r\n",
            )
            .unwrap();
        }
        Folder::new(dir)
    }

    /// Sets the modification time of `new/` and `cur/`.
    fn set_dir_times(folder: &Folder, t: SystemTime) {
        for sub in ["new", "cur"] {
            File::open(folder.dir().join(sub))
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
    }

    #[test]
    fn a_settled_unchanged_mailbox_is_answered_from_memory_and_shared() {
        let folder = mailbox("settled", 3);
        let old = SystemTime::now() - Duration::from_secs(10);
        set_dir_times(&folder, old);
        let cache = ScanCache::default();
        // The first scan writes the uidlist; the second finds the same and is kept.
        let first = cache.scan(&folder, false, || 7).unwrap();
        let second = cache.scan(&folder, true, || 7).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(second.messages.len(), 3);
        // A file removed behind the directory's unchanged time is not seen: memory answers.
        let gone = second.messages[0].path.clone();
        fs::remove_file(&gone).unwrap();
        set_dir_times(&folder, old);
        let third = cache.scan(&folder, false, || 7).unwrap();
        assert!(Arc::ptr_eq(&second, &third));
        // Any change of the directory's time is seen.
        set_dir_times(&folder, old + Duration::from_secs(1));
        let fourth = cache.scan(&folder, false, || 7).unwrap();
        assert_eq!(fourth.messages.len(), 2);
        assert!(!Arc::ptr_eq(&third, &fourth));
    }

    #[test]
    fn a_mailbox_changed_within_the_last_second_is_scanned_every_time() {
        let folder = mailbox("fresh", 2);
        let cache = ScanCache::default();
        let now = SystemTime::now();
        set_dir_times(&folder, now);
        cache.scan(&folder, false, || 7).unwrap();
        cache.scan(&folder, false, || 7).unwrap();
        // A change that leaves the time as it was (the same timestamp tick).
        fs::write(
            folder.dir().join("cur/2000.M9P1.host:2,"),
            b"Subject: y\r\n\r\n",
        )
        .unwrap();
        set_dir_times(&folder, now);
        let scan = cache.scan(&folder, false, || 7).unwrap();
        assert_eq!(scan.messages.len(), 3);
    }

    #[test]
    fn a_replaced_index_file_is_seen() {
        let folder = mailbox("index", 2);
        let old = SystemTime::now() - Duration::from_secs(10);
        set_dir_times(&folder, old);
        let cache = ScanCache::default();
        cache.scan(&folder, false, || 7).unwrap();
        let kept = cache.scan(&folder, false, || 7).unwrap();
        // Another program gives the mailbox a keyword: dovecot-keywords is replaced.
        let tmp = folder.dir().join("dovecot-keywords.tmp");
        fs::write(&tmp, "0 $Important\n").unwrap();
        fs::rename(&tmp, folder.dir().join("dovecot-keywords")).unwrap();
        let after = cache.scan(&folder, false, || 7).unwrap();
        assert!(!Arc::ptr_eq(&kept, &after));
        assert_ne!(kept.keywords, after.keywords);
    }

    #[test]
    fn at_most_the_bound_of_mailboxes_is_kept() {
        let cache = ScanCache::default();
        let folders: Vec<Folder> = (0..MAX_MAILBOXES + 3)
            .map(|i| mailbox(&format!("many{i}"), 1))
            .collect();
        for f in &folders {
            cache.scan(f, false, || 7).unwrap();
        }
        assert_eq!(cache.lock().0.len(), MAX_MAILBOXES);
        for f in &folders {
            let _ = fs::remove_dir_all(f.dir());
        }
    }
}

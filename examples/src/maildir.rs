//! Maildir storage (<https://cr.yp.to/proto/maildir.html>): every user's mailbox is
//! `ROOT/USER` with `tmp/`, `new/` and `cur/`.
//!
//! Delivery writes into `tmp/` and renames (or links) into `new/` only once the whole
//! message is on disk, so a reader never sees half a message, and a delivery that is
//! abandoned (client gone mid-DATA, message refused) leaves nothing behind: the temporary
//! file is removed when its [`Delivery`] is dropped.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Returns a file name no other delivery on this host uses: the one name format (and the one
/// counter) of every store of this process, so an SMTP delivery and an IMAP APPEND in the same
/// microsecond never meet.
fn unique_name() -> String {
    crate::mailstore::unique_base()
}

/// The longest unique-id POP3 allows (RFC 1939 §7 `UIDL`: "1 to 70 characters").
pub const MAX_UNIQUE_ID: usize = 70;

/// Returns the unique-id of the message file `name`: the name up to any `:2,` info when
/// that is a valid POP3 unique-id (1 to 70 octets in 0x21..=0x7E), otherwise `H` and the
/// SHA-256 of the name, hex (65 octets), so every file gets a valid, stable id whatever its
/// name (a long host name, a foreign file).
pub fn unique_id(name: &[u8]) -> String {
    let base = name.split(|&b| b == b':').next().unwrap_or_default();
    let valid =
        (1..=MAX_UNIQUE_ID).contains(&base.len()) && base.iter().all(|b| (0x21..=0x7e).contains(b));
    match std::str::from_utf8(base) {
        Ok(id) if valid => id.to_owned(),
        _ => {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(base);
            let mut id = String::with_capacity(65);
            id.push('H');
            for b in digest {
                id.push_str(&format!("{b:02x}"));
            }
            id
        }
    }
}

/// One user's Maildir.
#[derive(Debug, Clone)]
pub struct Maildir {
    root: PathBuf,
}

/// A message in a Maildir, as POP3 lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file.
    pub path: PathBuf,
    /// The unique name: the file name up to any `:2,` info, stable across sessions.
    pub uid: String,
    /// The size in octets.
    pub size: u64,
}

impl Maildir {
    /// Opens (and creates, if needed) the Maildir at `root`.
    ///
    /// # Errors
    /// When the directories cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(root.join(sub))?;
        }
        Ok(Self { root })
    }

    /// Returns the Maildir's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Starts a delivery: a new file in `tmp/`.
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn begin(&self) -> io::Result<Delivery> {
        let name = unique_name();
        let tmp = self.root.join("tmp").join(&name);
        let file = File::options().write(true).create_new(true).open(&tmp)?;
        Ok(Delivery {
            file: Some(file),
            tmp,
            name,
            size: 0,
        })
    }

    /// Removes the files in `tmp/` last changed more than `max_age` ago: deliveries that a
    /// crash interrupted (the Maildir conventions say 36 hours). Returns how many went.
    ///
    /// # Errors
    /// When `tmp/` cannot be read.
    pub fn clean_tmp(&self, max_age: Duration) -> io::Result<usize> {
        let now = SystemTime::now();
        let mut removed = 0;
        for entry in fs::read_dir(self.root.join("tmp"))? {
            let entry = entry?;
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > max_age));
            if old && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Lists the messages in `new/` and `cur/`, oldest first (by name, which starts with the
    /// delivery time: [`delivery_order`](crate::mailstore::delivery_order)).
    ///
    /// # Errors
    /// When a directory cannot be read.
    pub fn list(&self) -> io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for entry in fs::read_dir(self.root.join(sub))? {
                let entry = entry?;
                let meta = entry.metadata()?;
                if !meta.is_file() {
                    continue;
                }
                let name = entry.file_name();
                let name = name.as_encoded_bytes();
                if name.starts_with(b".") {
                    continue;
                }
                let uid = unique_id(name);
                out.push(Entry {
                    path: entry.path(),
                    uid,
                    size: meta.len(),
                });
            }
        }
        fn name(e: &Entry) -> &str {
            e.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
        }
        out.sort_by(|a, b| crate::mailstore::delivery_order(name(a), name(b)));
        Ok(out)
    }
}

/// A message being delivered.
#[derive(Debug)]
pub struct Delivery {
    file: Option<File>,
    tmp: PathBuf,
    name: String,
    size: u64,
}

impl Delivery {
    /// Appends message content.
    ///
    /// # Errors
    /// When the write fails.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(f) => {
                f.write_all(bytes)?;
                self.size += bytes.len() as u64;
                Ok(())
            }
            None => Err(io::Error::other("delivery already finished")),
        }
    }

    /// Returns the octets written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Finishes the delivery into every Maildir of `targets` (`new/`), and returns the
    /// unique name the message got. Only once this returns is the message on disk for good
    /// (the file and every `new/` directory synced), so only then may it be acknowledged.
    ///
    /// # Errors
    /// When syncing, linking or renaming fails; the temporary file is then removed.
    pub fn commit(mut self, targets: &[&Maildir]) -> io::Result<String> {
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        let mut done: Vec<PathBuf> = Vec::with_capacity(targets.len());
        for target in targets {
            let new = target.root.join("new");
            if done.contains(&new) {
                // The same Maildir twice: one copy, never a second write onto the first.
                continue;
            }
            let dest = new.join(&self.name);
            // One file, several names: a hard link where possible. A link never replaces an
            // existing name (EEXIST is an error), and a copy is made only across devices,
            // into a file that must not exist yet.
            let linked = match fs::hard_link(&self.tmp, &dest) {
                Err(e) if e.kind() == io::ErrorKind::CrossesDevices => copy_new(&self.tmp, &dest),
                other => other,
            };
            if let Err(e) = linked {
                // The message is refused (451) and will come again: take back the names
                // given so far, so no user gets it twice.
                for new in &done {
                    let _ = fs::remove_file(new.join(&self.name));
                }
                return Err(e);
            }
            done.push(new);
        }
        // The temporary name goes last, so a crash leaves the message delivered or in tmp/.
        fs::remove_file(&self.tmp)?;
        // On Linux a new name survives a power loss only once its directory is synced.
        for new in &done {
            sync_dir(new)?;
        }
        if let Some(tmp) = self.tmp.parent() {
            sync_dir(tmp)?;
        }
        Ok(std::mem::take(&mut self.name))
    }
}

/// Copies `from` into `to`, which must not exist yet, and syncs it.
fn copy_new(from: &Path, to: &Path) -> io::Result<()> {
    let mut src = File::open(from)?;
    let mut dst = File::options().write(true).create_new(true).open(to)?;
    let copied = io::copy(&mut src, &mut dst).and_then(|_| dst.sync_all());
    if copied.is_err() {
        let _ = fs::remove_file(to);
    }
    copied
}

/// Replaces the file at `path` with `bytes` so that a crash leaves the old content or the
/// new one, never a mix: written to `path.tmp`, synced, renamed over `path`, and the
/// directory synced.
///
/// # Errors
/// When writing, syncing or renaming fails (the old file is then untouched).
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => sync_dir(dir),
        _ => Ok(()),
    }
}

/// Syncs a directory, so that the names created or removed in it are on disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if !self.name.is_empty() {
            // Abandoned or failed: nothing stays behind in tmp/.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// How old a file in `tmp/` must be to be removed at startup: 36 hours, as the Maildir
/// conventions say.
pub const TMP_MAX_AGE: Duration = Duration::from_secs(36 * 3600);

/// Wakes the sessions that look at a mailbox when it changes: one counter per mailbox
/// directory, bumped by whoever changed it.
#[derive(Debug, Default)]
pub struct Hub {
    folders: Mutex<HashMap<PathBuf, tokio::sync::watch::Sender<u64>>>,
}

impl Hub {
    /// Returns a receiver that sees every change of the mailbox in `dir`.
    pub fn watch(&self, dir: &Path) -> Option<tokio::sync::watch::Receiver<u64>> {
        let mut folders = self.folders.lock().ok()?;
        let sender = folders
            .entry(dir.to_owned())
            .or_insert_with(|| tokio::sync::watch::channel(0).0);
        Some(sender.subscribe())
    }

    /// Tells the sessions looking at the mailbox in `dir` that it changed.
    pub fn changed(&self, dir: &Path) {
        if let Ok(folders) = self.folders.lock()
            && let Some(sender) = folders.get(dir)
        {
            sender.send_modify(|v| *v = v.wrapping_add(1));
        }
    }
}

/// The whole mail store: one Maildir per user under a root directory, and the [`Hub`]
/// that every writer tells when a mailbox changes.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    hub: Arc<Hub>,
    headers: Arc<crate::mailstore::headers::HeaderCache>,
    scans: Arc<crate::mailstore::scans::ScanCache>,
}

impl Store {
    /// Opens the store at `root`, creating it if needed.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            hub: Arc::default(),
            headers: Arc::default(),
            scans: Arc::default(),
        })
    }

    /// Returns the hub that wakes the IMAP sessions looking at a mailbox of this store.
    pub fn hub(&self) -> Arc<Hub> {
        self.hub.clone()
    }

    /// Returns the header cache every IMAP session of this store shares (bounded; see
    /// [`HeaderCache`](crate::mailstore::headers::HeaderCache)).
    pub fn headers(&self) -> Arc<crate::mailstore::headers::HeaderCache> {
        self.headers.clone()
    }

    /// Returns the last scan of each mailbox, which every IMAP session of this store shares
    /// (bounded; see [`ScanCache`](crate::mailstore::scans::ScanCache)).
    pub fn scans(&self) -> Arc<crate::mailstore::scans::ScanCache> {
        self.scans.clone()
    }

    /// Returns the store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Removes stale files from `tmp/` of every Maildir in the store (see
    /// [`Maildir::clean_tmp`]); run at startup. Returns how many went.
    ///
    /// # Errors
    /// When the store's directory cannot be read.
    pub fn clean_tmp(&self, max_age: Duration) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            if entry.file_type().is_ok_and(|t| t.is_dir()) && entry.path().join("tmp").is_dir() {
                removed += Maildir { root: entry.path() }
                    .clean_tmp(max_age)
                    .unwrap_or(0);
            }
        }
        Ok(removed)
    }

    /// Returns `user`'s Maildir, created if needed.
    ///
    /// # Errors
    /// When the directories cannot be created.
    pub fn maildir(&self, user: &str) -> io::Result<Maildir> {
        Maildir::open(self.root.join(user))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    static TEMP: AtomicU64 = AtomicU64::new(0);

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "mail-examples-maildir-{tag}-{}-{}",
            std::process::id(),
            TEMP.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn unique_ids_always_fit_70_octets() {
        let ours = "1733300000.M123456P4242Q10";
        // With a 43-character host name the 11th delivery's name is 71 octets long.
        let host = "h".repeat(43);
        let long = format!("{ours}.{host}");
        assert_eq!(long.len(), 70);
        assert_eq!(unique_id(long.as_bytes()), long);
        assert_eq!(unique_id(format!("{long}:2,S").as_bytes()), long);
        let longer = format!("{long}0");
        let id = unique_id(longer.as_bytes());
        assert_eq!(id.len(), 65);
        assert!(id.starts_with('H') && id.bytes().skip(1).all(|b| b.is_ascii_hexdigit()));
        assert_eq!(id, unique_id(format!("{longer}:2,").as_bytes()), "stable");
        assert_ne!(id, unique_id(format!("{long}1").as_bytes()));
        for bad in [&b"caf\xc3\xa9"[..], b"a b", b"\xff", b""] {
            let id = unique_id(bad);
            assert_eq!(id.len(), 65, "{bad:?}");
        }
    }

    #[test]
    fn the_same_maildir_twice_gets_the_message_once_and_whole() {
        let root = temp("twice");
        let m = Maildir::open(&root).unwrap();
        let mut d = m.begin().unwrap();
        d.write(b"Subject: twice\r\n\r\nbody\r\n").unwrap();
        let name = d.commit(&[&m, &m.clone()]).unwrap();
        assert_eq!(
            fs::read(root.join("new").join(&name)).unwrap(),
            b"Subject: twice\r\n\r\nbody\r\n"
        );
        assert_eq!(fs::read_dir(root.join("tmp")).unwrap().count(), 0);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_name_taken_in_new_fails_the_delivery_and_leaves_the_other_file_alone() {
        let (a, b) = (temp("a"), temp("b"));
        let (ma, mb) = (Maildir::open(&a).unwrap(), Maildir::open(&b).unwrap());
        let mut d = ma.begin().unwrap();
        d.write(b"new message\r\n").unwrap();
        fs::write(b.join("new").join(&d.name), b"older message\r\n").unwrap();
        assert!(d.commit(&[&ma, &mb]).is_err());
        let left: Vec<_> = fs::read_dir(b.join("new")).unwrap().collect();
        assert_eq!(left.len(), 1);
        assert_eq!(
            fs::read(left[0].as_ref().unwrap().path()).unwrap(),
            b"older message\r\n"
        );
        // Taken back from the first Maildir too: the retry delivers it once.
        assert_eq!(fs::read_dir(a.join("new")).unwrap().count(), 0);
        assert_eq!(fs::read_dir(a.join("tmp")).unwrap().count(), 0);
        let _ = (fs::remove_dir_all(&a), fs::remove_dir_all(&b));
    }

    #[test]
    fn messages_are_listed_in_delivery_order() {
        let root = temp("order");
        let m = Maildir::open(&root).unwrap();
        // Delivered in this order in one second: as text, `M100000` comes before `M99999`.
        let names = [
            "1700000000.M5P7Q0.host",
            "1700000000.M99999P7Q1.host",
            "1700000000.M100000P7Q2.host:2,S",
        ];
        fs::write(root.join("new").join(names[0]), b"a\r\n").unwrap();
        fs::write(root.join("new").join(names[1]), b"b\r\n").unwrap();
        fs::write(root.join("cur").join(names[2]), b"c\r\n").unwrap();
        let listed: Vec<String> = m.list().unwrap().into_iter().map(|e| e.uid).collect();
        assert_eq!(
            listed,
            [
                "1700000000.M5P7Q0.host",
                "1700000000.M99999P7Q1.host",
                "1700000000.M100000P7Q2.host"
            ]
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn stale_tmp_files_are_removed_and_fresh_ones_kept() {
        let root = temp("store");
        let store = Store::open(&root).unwrap();
        let m = store.maildir("alice").unwrap();
        let old = m.root().join("tmp").join("old");
        let fresh = m.root().join("tmp").join("fresh");
        fs::write(&old, b"x").unwrap();
        fs::write(&fresh, b"y").unwrap();
        let long_ago = SystemTime::now() - TMP_MAX_AGE - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        assert_eq!(store.clean_tmp(TMP_MAX_AGE).unwrap(), 1);
        assert!(!old.exists());
        assert!(fresh.exists());
        let _ = fs::remove_dir_all(&root);
    }
}

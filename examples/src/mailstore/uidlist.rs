//! Dovecot's `dovecot-uidlist`: the IMAP UIDs of a Maildir's messages, kept so that Dovecot
//! opened on the same directory sees the same UIDs.
//!
//! ```text
//! 3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1
//! 25006 :1276528487.M364837P9451.kurkku,S=1355,W=1394:2,
//! 25017 W2481 :1276533073.M242911P3632.kurkku:2,F
//! ```
//!
//! The header gives the version (3), `V` the UIDVALIDITY, `N` the next UID and `G` the
//! mailbox GUID; each line maps a UID to the last known file name (after `:`), other fields
//! before the `:` are kept. The file is read without locking; it is written only under the
//! lock `dovecot-uidlist.lock` (created exclusively), by writing the new content into the lock
//! file and renaming it over the old one, so a reader never sees half a file and a crash
//! leaves the old one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// One message of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its UID.
    pub uid: u32,
    /// The fields between the UID and the file name, kept as they are (`W2481`).
    pub fields: String,
    /// The last known file name (its base never changes).
    pub name: String,
}

/// A mailbox's `dovecot-uidlist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidList {
    /// `V`: the UIDVALIDITY.
    pub uid_validity: u32,
    /// `N`: the UID the next new message gets.
    pub next_uid: u32,
    /// `G`: the mailbox GUID (hex), kept as it is.
    pub guid: String,
    /// The messages, in UID order.
    pub entries: Vec<Entry>,
}

/// A lock a stale holder left is broken after this long (Dovecot's default is two minutes).
const STALE_LOCK: Duration = Duration::from_secs(120);

impl UidList {
    /// Returns an empty list with this UIDVALIDITY.
    pub fn new(uid_validity: u32) -> Self {
        Self {
            uid_validity,
            next_uid: 1,
            guid: new_guid(uid_validity),
            entries: Vec::new(),
        }
    }

    /// Reads the list of the Maildir `dir`; `None` when there is none yet.
    ///
    /// # Errors
    /// When the file exists but cannot be read or is not a version 3 list.
    pub fn load(dir: &Path) -> io::Result<Option<Self>> {
        let text = match fs::read_to_string(dir.join("dovecot-uidlist")) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Self::parse(&text).map(Some)
    }

    /// Parses the content of a `dovecot-uidlist`.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidData`] for anything but a version 3 list.
    pub fn parse(text: &str) -> io::Result<Self> {
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("dovecot-uidlist: {what}"),
            )
        };
        let mut lines = text.lines();
        let header = lines.next().ok_or_else(|| bad("empty"))?;
        let mut fields = header.split(' ');
        if fields.next() != Some("3") {
            return Err(bad("not version 3"));
        }
        let (mut uid_validity, mut next_uid, mut guid) = (0u32, 1u32, String::new());
        for f in fields {
            if let Some(v) = f.strip_prefix('V') {
                uid_validity = v.parse().map_err(|_| bad("V"))?;
            } else if let Some(n) = f.strip_prefix('N') {
                next_uid = n.parse().map_err(|_| bad("N"))?;
            } else if let Some(g) = f.strip_prefix('G') {
                g.clone_into(&mut guid);
            }
        }
        let mut entries: Vec<Entry> = Vec::new();
        for line in lines {
            let Some((head, name)) = line.split_once(':') else {
                continue;
            };
            let mut head = head.trim_end().splitn(2, ' ');
            let Some(Ok(uid)) = head.next().map(str::parse::<u32>) else {
                continue;
            };
            let fields = head.next().unwrap_or_default().to_owned();
            // Appended lines may repeat or go backwards after a crash: keep the UID order.
            if entries.last().is_some_and(|e| e.uid >= uid) || uid == 0 {
                continue;
            }
            entries.push(Entry {
                uid,
                fields,
                name: name.to_owned(),
            });
        }
        // Dovecot: the next UID is never below what the list already gave out.
        if let Some(last) = entries.last() {
            next_uid = next_uid.max(last.uid.saturating_add(1));
        }
        Ok(Self {
            uid_validity,
            next_uid,
            guid,
            entries,
        })
    }

    /// Returns the content of the file.
    pub fn render(&self) -> String {
        let mut out = format!(
            "3 V{} N{} G{}\n",
            self.uid_validity, self.next_uid, self.guid
        );
        for e in &self.entries {
            out.push_str(&e.uid.to_string());
            if !e.fields.is_empty() {
                out.push(' ');
                out.push_str(&e.fields);
            }
            out.push_str(" :");
            out.push_str(&e.name);
            out.push('\n');
        }
        out
    }

    /// Writes the list into `dir` under its lock (see the module docs).
    ///
    /// # Errors
    /// When the lock cannot be taken or the file cannot be written.
    pub fn save(&self, dir: &Path, mut lock: UidListLock) -> io::Result<()> {
        lock.file.write_all(self.render().as_bytes())?;
        lock.file.sync_all()?;
        fs::rename(&lock.path, dir.join("dovecot-uidlist"))?;
        // The rename is what makes the new list visible: the directory is synced after it.
        File::open(dir)?.sync_all()?;
        Ok(())
    }
}

/// The held `dovecot-uidlist.lock`; dropped without saving, it is removed.
#[derive(Debug)]
pub struct UidListLock {
    path: PathBuf,
    file: File,
}

impl Drop for UidListLock {
    fn drop(&mut self) {
        // After a save the path no longer exists; this removes an abandoned lock.
        let _ = fs::remove_file(&self.path);
    }
}

impl UidListLock {
    /// Takes the lock of `dir`, waiting up to ten seconds for another holder and breaking a
    /// lock older than two minutes.
    ///
    /// # Errors
    /// When the lock stays held, or cannot be created.
    pub fn take(dir: &Path) -> io::Result<Self> {
        let path = dir.join("dovecot-uidlist.lock");
        let mut waited = Duration::ZERO;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok(Self { path, file }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if stale {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if waited >= Duration::from_secs(10) {
                        return Err(io::Error::new(
                            io::ErrorKind::WouldBlock,
                            "dovecot-uidlist is locked",
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    waited += Duration::from_millis(20);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Returns a mailbox GUID: 128 bits from the operating system's random source, in hex.
fn new_guid(uid_validity: u32) -> String {
    let mut raw = [0u8; 16];
    if getrandom::fill(&mut raw).is_err() {
        raw[..4].copy_from_slice(&uid_validity.to_be_bytes());
    }
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dovecots_own_example_reads_and_writes_back() {
        let text = "3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1\n\
25006 :1276528487.M364837P9451.kurkku,S=1355,W=1394:2,\n\
25017 W2481 :1276533073.M242911P3632.kurkku:2,F\n";
        let list = UidList::parse(text).unwrap();
        assert_eq!(list.uid_validity, 1_275_660_208);
        assert_eq!(list.next_uid, 25022);
        assert_eq!(list.entries.len(), 2);
        assert_eq!(list.entries[1].fields, "W2481");
        assert_eq!(list.render(), text);
    }

    #[test]
    fn the_next_uid_never_goes_below_what_was_given() {
        let list = UidList::parse("3 V1 N2 Gx\n5 :a\n").unwrap();
        assert_eq!(list.next_uid, 6);
        assert!(UidList::parse("1 2 3\n").is_err());
    }

    #[test]
    fn the_lock_is_exclusive_and_a_save_replaces_the_file() {
        let dir = std::env::temp_dir().join(format!("uidlist-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let lock = UidListLock::take(&dir).unwrap();
        assert!(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dir.join("dovecot-uidlist.lock"))
                .is_err()
        );
        let mut list = UidList::new(42);
        list.entries.push(Entry {
            uid: 1,
            fields: String::new(),
            name: "1.M1.host:2,S".into(),
        });
        list.next_uid = 2;
        list.save(&dir, lock).unwrap();
        assert!(!dir.join("dovecot-uidlist.lock").exists());
        assert_eq!(UidList::load(&dir).unwrap().unwrap(), list);
        fs::remove_dir_all(&dir).unwrap();
    }
}

//! Maildir storage (<https://cr.yp.to/proto/maildir.html>): every user's mailbox is
//! `ROOT/USER` with `tmp/`, `new/` and `cur/`.
//!
//! Delivery writes into `tmp/` and renames (or links) into `new/` only once the whole
//! message is on disk, so a reader never sees half a message, and a delivery that is
//! abandoned (client gone mid-DATA, message refused) leaves nothing behind: the temporary
//! file is removed when its [`Delivery`] is dropped.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Returns a file name no other delivery on this host uses: time, process, counter, host.
fn unique_name() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}.M{}P{}Q{}.{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        n,
        hostname()
    )
}

fn hostname() -> String {
    let name =
        fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".into());
    // Maildir: '/' and ':' in the host name are encoded.
    name.trim().replace('/', "\\057").replace(':', "\\072")
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

    /// Lists the messages in `new/` and `cur/`, oldest first (by name, which starts with the
    /// delivery time).
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
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let uid = name.split(':').next().unwrap_or_default().to_owned();
                out.push(Entry {
                    path: entry.path(),
                    uid,
                    size: meta.len(),
                });
            }
        }
        out.sort_by(|a, b| a.uid.cmp(&b.uid));
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
    /// unique name the message got.
    ///
    /// # Errors
    /// When syncing, linking or renaming fails; the temporary file is then removed.
    pub fn commit(mut self, targets: &[&Maildir]) -> io::Result<String> {
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        for target in targets {
            let dest = target.root.join("new").join(&self.name);
            // One file, several names: a hard link where possible, a copy across devices.
            if fs::hard_link(&self.tmp, &dest).is_err() {
                fs::copy(&self.tmp, &dest)?;
            }
        }
        // The temporary name goes last, so a crash leaves the message delivered or in tmp/.
        fs::remove_file(&self.tmp)?;
        Ok(std::mem::take(&mut self.name))
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if !self.name.is_empty() {
            // Abandoned or failed: nothing stays behind in tmp/.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The whole mail store: one Maildir per user under a root directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens the store at `root`, creating it if needed.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    /// Returns the store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Returns `user`'s Maildir, created if needed.
    ///
    /// # Errors
    /// When the directories cannot be created.
    pub fn maildir(&self, user: &str) -> io::Result<Maildir> {
        Maildir::open(self.root.join(user))
    }
}

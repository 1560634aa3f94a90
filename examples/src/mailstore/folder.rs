//! One mailbox of the store: a Maildir directory (`tmp/`, `new/`, `cur/`) with Dovecot's
//! `dovecot-uidlist` and `dovecot-keywords`.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::flags::{Keywords, NameFlags, base_of};
use super::modseq::ModSeqs;
use super::uidlist::{Entry, UidList, UidListLock};

/// A message of a mailbox, as a scan found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its UID.
    pub uid: u32,
    /// Its file, in `new/` or `cur/`.
    pub path: PathBuf,
    /// The flags its name holds.
    pub flags: NameFlags,
}

impl Message {
    /// Returns the file name.
    pub fn name(&self) -> &str {
        self.path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    }

    /// Returns the size with CRLF line ends (RFC822.SIZE): `W=` in the name when present
    /// (Dovecot writes it), else counted from the file.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn rfc822_size(&self) -> io::Result<u64> {
        if let Some(w) = field(base_of(self.name()), "W=") {
            return Ok(w);
        }
        let data = fs::read(&self.path)?;
        let mut size = data.len() as u64;
        let mut prev = 0u8;
        for &b in &data {
            if b == b'\n' && prev != b'\r' {
                size += 1;
            }
            prev = b;
        }
        Ok(size)
    }

    /// Returns the internal date (RFC 9051 §2.3.3): the file's modification time, which
    /// Dovecot uses too.
    ///
    /// # Errors
    /// When the file's metadata cannot be read.
    pub fn internal_date(&self) -> io::Result<SystemTime> {
        fs::metadata(&self.path)?.modified()
    }
}

/// Returns the number after `key` in a base name's `,key=value` fields.
fn field(base: &str, key: &str) -> Option<u64> {
    base.split(',')
        .skip(1)
        .find_map(|f| f.strip_prefix(key))
        .and_then(|v| v.parse().ok())
}

/// What a scan of a mailbox found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// `UIDVALIDITY`.
    pub uid_validity: u32,
    /// `UIDNEXT`.
    pub uid_next: u32,
    /// The messages, in UID order.
    pub messages: Vec<Message>,
    /// The UIDs of the messages this scan moved from `new/` to `cur/`: `\Recent` for the
    /// session that asked (only one session can move a file).
    pub recent: Vec<u32>,
    /// The keywords defined.
    pub keywords: Keywords,
    /// The mod-sequences (CONDSTORE), brought up to the messages found.
    pub mod_seqs: ModSeqs,
}

/// One mailbox directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    dir: PathBuf,
}

impl Folder {
    /// Returns the mailbox in `dir` (which must exist with `tmp/`, `new/` and `cur/`).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Returns the directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Returns the modification times of `new/` and `cur/`: they change whenever a message
    /// is added, removed or renamed (its flags), by anyone, so a session that compares them
    /// before each command sees what other programs did without a watcher.
    pub fn stamp(&self) -> Option<[SystemTime; 2]> {
        let time = |sub: &str| fs::metadata(self.dir.join(sub)).and_then(|m| m.modified());
        Some([time("new").ok()?, time("cur").ok()?])
    }

    /// Lists the messages with their UIDs, giving UIDs to files that have none (under the
    /// uidlist lock, so every session and Dovecot agree), and forgetting files that are gone.
    /// With `claim_recent`, messages in `new/` move to `cur/` and are reported recent.
    /// `new_uid_validity` makes the UIDVALIDITY of a mailbox that has no list yet.
    ///
    /// # Errors
    /// When a directory cannot be read or the list cannot be written.
    pub fn scan(
        &self,
        claim_recent: bool,
        new_uid_validity: impl FnOnce() -> u32,
    ) -> io::Result<Scan> {
        let mut recent_names = HashSet::new();
        if claim_recent {
            for name in list_dir(&self.dir.join("new"))? {
                let to = NameFlags::of_name(&name).name(base_of(&name));
                // Only one session's rename succeeds: that session has \Recent.
                if fs::rename(
                    self.dir.join("new").join(&name),
                    self.dir.join("cur").join(&to),
                )
                .is_ok()
                {
                    recent_names.insert(base_of(&to).to_owned());
                }
            }
        }
        let files = self.files()?;
        let existing = UidList::load(&self.dir)?;
        let quick = match existing {
            Some(list) if !stale(&list, &files) => {
                let messages = messages(&list, files);
                let mut mod_seqs = ModSeqs::load(&self.dir)?;
                (!mod_seqs.update(list.uid_validity, letters(&messages)))
                    .then_some((list, messages, mod_seqs))
            }
            _ => None,
        };
        let (list, messages, mod_seqs) = match quick {
            Some(x) => x,
            None => {
                let lock = UidListLock::take(&self.dir)?;
                let (list, changed, messages, mod_seqs) = self.refresh(&lock, new_uid_validity)?;
                if changed {
                    list.save(&self.dir, lock)?;
                }
                (list, messages, mod_seqs)
            }
        };
        let recent = messages
            .iter()
            .filter(|m| recent_names.contains(base_of(m.name())))
            .map(|m| m.uid)
            .collect();
        Ok(Scan {
            uid_validity: list.uid_validity,
            uid_next: list.next_uid,
            messages,
            recent,
            keywords: Keywords::load(&self.dir)?,
            mod_seqs,
        })
    }

    /// Under the held lock: runs `change` on the mailbox as it is now, then brings the
    /// mod-sequences up to what it did (each change it made gets the next mod-sequence) and
    /// returns its result and the mailbox after it. What `change` sees cannot change under
    /// it through this store (STORE `UNCHANGEDSINCE`, RFC 7162 §3.1.3).
    ///
    /// # Errors
    /// When the lock cannot be taken, the lists cannot be written, or `change` fails.
    pub fn locked<T>(
        &self,
        new_uid_validity: impl Fn() -> u32,
        change: impl FnOnce(&Scan) -> io::Result<T>,
    ) -> io::Result<(T, Scan)> {
        let lock = UidListLock::take(&self.dir)?;
        let (list, changed_before, messages, mod_seqs) = self.refresh(&lock, &new_uid_validity)?;
        let keywords = Keywords::load(&self.dir)?;
        let before = Scan {
            uid_validity: list.uid_validity,
            uid_next: list.next_uid,
            messages,
            recent: Vec::new(),
            keywords,
            mod_seqs,
        };
        let out = change(&before)?;
        let (list, changed_after, messages, mod_seqs) = self.refresh(&lock, &new_uid_validity)?;
        if changed_before || changed_after {
            list.save(&self.dir, lock)?;
        }
        let after = Scan {
            uid_validity: list.uid_validity,
            uid_next: list.next_uid,
            messages,
            recent: Vec::new(),
            keywords: Keywords::load(&self.dir)?,
            mod_seqs,
        };
        Ok((out, after))
    }

    /// Under the held lock: gives UIDs to the files that have none and forgets the files that
    /// are gone (the list is returned, with whether it changed, for the caller to save), and
    /// records the mod-sequences (saved here).
    fn refresh(
        &self,
        lock: &UidListLock,
        new_uid_validity: impl FnOnce() -> u32,
    ) -> io::Result<(UidList, bool, Vec<Message>, ModSeqs)> {
        // Read again under the lock: another session may have just given out UIDs.
        let files = self.files()?;
        let existing = UidList::load(&self.dir)?;
        let changed = existing.as_ref().is_none_or(|l| stale(l, &files));
        let mut list = existing.unwrap_or_else(|| UidList::new(new_uid_validity()));
        if changed {
            // Each file by its base name, which never changes for a message.
            let by_base: HashMap<&str, &String> =
                files.iter().map(|(n, _)| (base_of(n), n)).collect();
            let known: HashSet<&str> = list.entries.iter().map(|e| base_of(&e.name)).collect();
            let mut unknown: Vec<&String> = files
                .iter()
                .map(|(n, _)| n)
                .filter(|n| !known.contains(base_of(n)))
                .collect();
            // Oldest first: names start with the delivery time (RFC 9051 §2.3.1.1: a
            // message added later gets a higher UID).
            unknown.sort_by(|a, b| super::delivery_order(a, b));
            list.entries
                .retain(|e| by_base.contains_key(base_of(&e.name)));
            // The latest names, as Dovecot writes them.
            for e in &mut list.entries {
                if let Some(n) = by_base.get(base_of(&e.name)) {
                    e.name.clone_from(n);
                }
            }
            for name in unknown {
                list.entries.push(Entry {
                    uid: list.next_uid,
                    fields: String::new(),
                    name: name.clone(),
                });
                list.next_uid = list.next_uid.saturating_add(1);
            }
        }
        let messages = messages(&list, files);
        let mut mod_seqs = ModSeqs::load(&self.dir)?;
        if mod_seqs.update(list.uid_validity, letters(&messages)) {
            mod_seqs.save(&self.dir, lock)?;
        }
        Ok((list, changed, messages, mod_seqs))
    }

    /// Returns the message files in `new/` and `cur/`: (name, path).
    fn files(&self) -> io::Result<Vec<(String, PathBuf)>> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            for name in list_dir(&self.dir.join(sub))? {
                let path = self.dir.join(sub).join(&name);
                files.push((name, path));
            }
        }
        Ok(files)
    }

    /// Changes a message's flags: renames its file (into `cur/`). The name is read again
    /// when another process renamed it meanwhile, so concurrent changes do not undo each
    /// other. Returns the new path.
    ///
    /// # Errors
    /// When the message is gone or cannot be renamed.
    pub fn set_flags(&self, path: &Path, flags: &NameFlags) -> io::Result<PathBuf> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::other("file name"))?;
        let base = base_of(name).to_owned();
        let to = self.dir.join("cur").join(flags.name(&base));
        if to == path {
            return Ok(to);
        }
        match fs::rename(path, &to) {
            Ok(()) => Ok(to),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Renamed by someone else: find it by its base and try once more.
                let current = self.find(&base)?.ok_or(e)?;
                fs::rename(current, &to)?;
                Ok(to)
            }
            Err(e) => Err(e),
        }
    }

    /// Changes the flags of the message whose base name is `base`: `change` gets the flags
    /// its file name holds now and returns the new ones. The rename succeeds only from the
    /// name just read, so when another session or process renamed the file meanwhile, the
    /// change is made again from its new name and concurrent changes never undo each other.
    /// Returns the new path and flags, or `None` when the message is gone.
    ///
    /// # Errors
    /// When a directory cannot be read, a rename fails, or the file keeps being renamed.
    pub fn update_flags(
        &self,
        base: &str,
        mut change: impl FnMut(&NameFlags) -> NameFlags,
    ) -> io::Result<Option<(PathBuf, NameFlags)>> {
        for _ in 0..100 {
            let Some(current) = self.find(base)? else {
                return Ok(None);
            };
            let name = current
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let new = change(&NameFlags::of_name(name));
            let to = self.dir.join("cur").join(new.name(base));
            if to == current {
                return Ok(Some((to, new)));
            }
            match fs::rename(&current, &to) {
                Ok(()) => return Ok(Some((to, new))),
                // Renamed by someone else since it was read: read it again.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("the message keeps being renamed"))
    }

    /// Returns the current path of the message whose base name is `base`.
    ///
    /// # Errors
    /// When a directory cannot be read.
    pub fn find(&self, base: &str) -> io::Result<Option<PathBuf>> {
        for sub in ["cur", "new"] {
            for name in list_dir(&self.dir.join(sub))? {
                if base_of(&name) == base {
                    return Ok(Some(self.dir.join(sub).join(name)));
                }
            }
        }
        Ok(None)
    }

    /// Starts storing a message in `tmp/`.
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn begin(&self) -> io::Result<Saving> {
        let base = super::unique_base();
        let tmp = self.dir.join("tmp").join(&base);
        let file = File::options().write(true).create_new(true).open(&tmp)?;
        Ok(Saving {
            file: Some(file),
            tmp,
            base,
            size: 0,
            vsize: 0,
            last: 0,
        })
    }

    /// Gives UIDs to messages just placed in `cur/` (APPEND, COPY) at once, so that the
    /// UIDs can be reported (UIDPLUS); returns them in the order of `bases`.
    ///
    /// # Errors
    /// When the list cannot be written.
    pub fn assign(
        &self,
        bases: &[String],
        new_uid_validity: impl FnOnce() -> u32,
    ) -> io::Result<(u32, Vec<u32>)> {
        let lock = UidListLock::take(&self.dir)?;
        let mut list =
            UidList::load(&self.dir)?.unwrap_or_else(|| UidList::new(new_uid_validity()));
        let files = self.files()?;
        let mut uid_of: HashMap<String, u32> = list
            .entries
            .iter()
            .map(|e| (base_of(&e.name).to_owned(), e.uid))
            .collect();
        let name_of: HashMap<&str, &String> = files.iter().map(|(n, _)| (base_of(n), n)).collect();
        let mut uids = Vec::with_capacity(bases.len());
        for base in bases {
            if let Some(uid) = uid_of.get(base.as_str()) {
                uids.push(*uid);
                continue;
            }
            let name = name_of
                .get(base.as_str())
                .map_or_else(|| base.clone(), |n| (*n).clone());
            uids.push(list.next_uid);
            uid_of.insert(base.clone(), list.next_uid);
            list.entries.push(Entry {
                uid: list.next_uid,
                fields: String::new(),
                name,
            });
            list.next_uid = list.next_uid.saturating_add(1);
        }
        let uid_validity = list.uid_validity;
        let messages = messages(&list, files);
        let mut mod_seqs = ModSeqs::load(&self.dir)?;
        if mod_seqs.update(uid_validity, letters(&messages)) {
            mod_seqs.save(&self.dir, &lock)?;
        }
        list.save(&self.dir, lock)?;
        Ok((uid_validity, uids))
    }

    /// Copies a message into this mailbox with `flags`, as a hard link (a copy across
    /// devices); returns the new base name.
    ///
    /// # Errors
    /// When the file cannot be linked or copied.
    pub fn copy_in(&self, from: &Path, flags: &NameFlags) -> io::Result<String> {
        let old = from
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| base_of(n).to_owned())
            .unwrap_or_default();
        // The sizes travel with the name.
        let fields: String = old.split(',').skip(1).map(|f| format!(",{f}")).collect();
        let base = format!("{}{fields}", super::unique_base());
        let tmp = self.dir.join("tmp").join(&base);
        if fs::hard_link(from, &tmp).is_err() {
            fs::copy(from, &tmp)?;
        }
        fs::rename(&tmp, self.dir.join("cur").join(flags.name(&base)))?;
        Ok(base)
    }
}

/// A message being stored by APPEND: written into `tmp/`, moved into `cur/` when complete.
#[derive(Debug)]
pub struct Saving {
    file: Option<File>,
    tmp: PathBuf,
    base: String,
    size: u64,
    vsize: u64,
    last: u8,
}

impl Saving {
    /// Appends message octets.
    ///
    /// # Errors
    /// When the write fails.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let f = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("finished"))?;
        f.write_all(data)?;
        self.size += data.len() as u64;
        let mut prev = self.last;
        let mut vsize = data.len() as u64;
        for &b in data {
            if b == b'\n' && prev != b'\r' {
                vsize += 1;
            }
            prev = b;
        }
        self.last = prev;
        self.vsize += vsize;
        Ok(())
    }

    /// Moves the message into `cur/` of `folder` with `flags` and `date` as its internal
    /// date (the file's modification time), durably; returns its base name.
    ///
    /// # Errors
    /// When the file cannot be synced or renamed.
    pub fn commit(
        mut self,
        folder: &Folder,
        flags: &NameFlags,
        date: Option<SystemTime>,
    ) -> io::Result<String> {
        let file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("finished"))?;
        if let Some(date) = date {
            file.set_modified(date)?;
        }
        file.sync_all()?;
        drop(file);
        let base = format!("{},S={},W={}", self.base, self.size, self.vsize);
        let to = folder.dir.join("cur").join(flags.name(&base));
        fs::rename(&self.tmp, &to)?;
        File::open(folder.dir.join("cur"))?.sync_all()?;
        self.base.clear();
        Ok(base)
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        if !self.base.is_empty() {
            // Abandoned (refused, connection gone): nothing stays in tmp/.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Returns the names of the files in `dir` (not starting with `.`).
fn list_dir(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') || !entry.file_type()?.is_file() {
            continue;
        }
        out.push(name);
    }
    Ok(out)
}

/// Returns whether `list` lacks a file of `files` or lists one that is gone.
fn stale(list: &UidList, files: &[(String, PathBuf)]) -> bool {
    let known: HashSet<&str> = list.entries.iter().map(|e| base_of(&e.name)).collect();
    list.entries.len() != files.len() || files.iter().any(|(n, _)| !known.contains(base_of(n)))
}

/// Returns the files that `list` gives UIDs, in UID order.
fn messages(list: &UidList, files: Vec<(String, PathBuf)>) -> Vec<Message> {
    let uids: HashMap<&str, u32> = list
        .entries
        .iter()
        .map(|e| (base_of(&e.name), e.uid))
        .collect();
    let mut messages: Vec<Message> = files
        .into_iter()
        .filter_map(|(name, path)| {
            let uid = *uids.get(base_of(&name))?;
            Some(Message {
                uid,
                flags: NameFlags::of_name(&name),
                path,
            })
        })
        .collect();
    messages.sort_by_key(|m| m.uid);
    messages
}

/// Returns each message's UID and flag letters, for the mod-sequence record.
fn letters(messages: &[Message]) -> impl Iterator<Item = (u32, &str)> {
    messages.iter().map(|m| (m.uid, m.flags.letters()))
}

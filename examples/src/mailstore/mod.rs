//! The IMAP side of the mail store: a user's Maildir laid out as Dovecot lays it out, so that
//! Dovecot opened on the same directory sees the same mailboxes, UIDs and flags.
//!
//! - Maildir++ folders: INBOX is the user's Maildir itself; `Work.Projects` is the directory
//!   `.Work.Projects` beside `cur/` (`.` is the hierarchy delimiter), its name in modified
//!   UTF-7 on disk, with a `maildirfolder` marker file.
//! - UIDs in `dovecot-uidlist`, keyword letters in `dovecot-keywords` ([`uidlist`], [`flags`]).
//! - Flags in file names (`:2,` and the letters in ASCII order), messages moved from `new/`
//!   to `cur/` by the session that gets them as `\Recent`, INTERNALDATE from the file's
//!   modification time, RFC822.SIZE from Dovecot's `W=` field.
//! - UIDVALIDITY from the time, and never the same twice for one user: the last one given is
//!   kept in `dovecot-uidvalidity`, so a mailbox deleted and created again in the same second
//!   gets a new one.
//! - Subscriptions in `subscriptions`, one name per line.

pub mod flags;
pub mod folder;
pub mod headers;
pub mod modseq;
pub mod scans;
pub mod uidlist;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub use folder::{Folder, Message, Saving, Scan};

/// The mailboxes every new user gets, with their special use (RFC 6154).
pub const SPECIAL: [(&str, &str); 5] = [
    ("Sent", "\\Sent"),
    ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"),
    ("Junk", "\\Junk"),
    ("Archive", "\\Archive"),
];

/// The hierarchy delimiter of Maildir++.
pub const DELIMITER: char = '.';

/// Why a mailbox name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// Empty, or an empty level (`a..b`, `.a`, `a.`).
    Empty,
    /// Holds `/`, `\`, a control character, or a level `.`/`..` on disk.
    Forbidden,
}

/// A user's mail store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailStore {
    root: PathBuf,
}

/// One mailbox, as LIST shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxEntry {
    /// The name (UTF-8; `.` between levels).
    pub name: String,
    /// Whether other mailboxes are below it.
    pub children: bool,
    /// Whether it is subscribed.
    pub subscribed: bool,
    /// Its special use, for the ones every user gets.
    pub special_use: Option<&'static str>,
    /// A level between mailboxes that is not a mailbox itself (`a` of `a.b`).
    pub nonexistent: bool,
}

impl MailStore {
    /// Opens the store of the user whose Maildir is `root`, creating it (and the special-use
    /// mailboxes) when IMAP never opened it: it has no `subscriptions` file yet, even if
    /// SMTP already delivered into it or POP3 read it.
    ///
    /// # Errors
    /// When the directories cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        let fresh = !root.join("subscriptions").exists();
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(root.join(sub))?;
        }
        let store = Self { root };
        if fresh {
            for (name, _) in SPECIAL {
                store.create(name)?;
                store.subscribe(name, true)?;
            }
            store.subscribe("INBOX", true)?;
        }
        Ok(store)
    }

    /// Returns the user's Maildir.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Returns the directory of a mailbox name.
    ///
    /// # Errors
    /// [`NameError`] for a name that cannot be a Maildir++ folder.
    pub fn dir(&self, name: &str) -> Result<PathBuf, NameError> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Ok(self.root.clone());
        }
        if name.is_empty() || name.split(DELIMITER).any(str::is_empty) {
            return Err(NameError::Empty);
        }
        if name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
        {
            return Err(NameError::Forbidden);
        }
        let encoded = imap_proto::types::encode_modified_utf7(name);
        Ok(self.root.join(format!(".{encoded}")))
    }

    /// Returns the mailbox `name`, if it exists.
    pub fn folder(&self, name: &str) -> Option<Folder> {
        let dir = self.dir(name).ok()?;
        dir.join("cur").is_dir().then(|| Folder::new(dir))
    }

    /// Creates a mailbox (RFC 9051 §6.3.4). Returns `false` when it exists.
    ///
    /// # Errors
    /// When the name is refused or the directories cannot be created.
    pub fn create(&self, name: &str) -> io::Result<bool> {
        let dir = self
            .dir(name)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{e:?}")))?;
        if dir.join("cur").is_dir() {
            return Ok(false);
        }
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        fs::write(dir.join("maildirfolder"), b"")?;
        Ok(true)
    }

    /// Deletes a mailbox and its messages (RFC 9051 §6.3.5); mailboxes below it stay.
    ///
    /// # Errors
    /// For INBOX, a mailbox that does not exist, or a failure to remove it.
    pub fn delete(&self, name: &str) -> io::Result<()> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "INBOX cannot be deleted",
            ));
        }
        let dir = self
            .folder(name)
            .ok_or(io::ErrorKind::NotFound)?
            .dir()
            .to_owned();
        // Renamed first, so the mailbox is gone at once even if the removal is slow.
        let trash = self.root.join(format!("..DELETED-{}", unique_base()));
        fs::rename(&dir, &trash)?;
        let _ = self.subscribe(name, false);
        fs::remove_dir_all(trash)
    }

    /// Renames a mailbox and the mailboxes below it (RFC 9051 §6.3.6). Renaming INBOX moves
    /// its messages into a new mailbox and leaves INBOX empty.
    ///
    /// # Errors
    /// When the source is missing, the destination exists, or a rename fails.
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let invalid = |e: NameError| io::Error::new(io::ErrorKind::InvalidInput, format!("{e:?}"));
        if self.folder(to).is_some() {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        if from.eq_ignore_ascii_case("INBOX") {
            self.create(to)?;
            let dest = self.folder(to).ok_or(io::ErrorKind::NotFound)?;
            for sub in ["new", "cur"] {
                for entry in fs::read_dir(self.root.join(sub))? {
                    let entry = entry?;
                    fs::rename(entry.path(), dest.dir().join(sub).join(entry.file_name()))?;
                }
            }
            return Ok(());
        }
        let src = self
            .folder(from)
            .ok_or(io::ErrorKind::NotFound)?
            .dir()
            .to_owned();
        let dst = self.dir(to).map_err(invalid)?;
        fs::rename(&src, &dst)?;
        // The children move with it: `.from.x` becomes `.to.x`.
        let prefix = format!("{from}{DELIMITER}");
        for entry in self.list()? {
            if let Some(rest) = entry.name.strip_prefix(&prefix)
                && !entry.nonexistent
            {
                let child = self.dir(&entry.name).map_err(invalid)?;
                let target = self
                    .dir(&format!("{to}{DELIMITER}{rest}"))
                    .map_err(invalid)?;
                fs::rename(child, target)?;
            }
        }
        Ok(())
    }

    /// Returns every mailbox, INBOX first, with the levels between them.
    ///
    /// # Errors
    /// When the root cannot be read.
    pub fn list(&self) -> io::Result<Vec<MailboxEntry>> {
        let mut names = vec![String::from("INBOX")];
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let Ok(dir) = entry.file_name().into_string() else {
                continue;
            };
            let Some(encoded) = dir.strip_prefix('.') else {
                continue;
            };
            if encoded.is_empty() || encoded.starts_with('.') || !entry.path().join("cur").is_dir()
            {
                continue;
            }
            let name = imap_proto::types::decode_modified_utf7(encoded.as_bytes())
                .unwrap_or_else(|_| encoded.to_owned());
            names.push(name);
        }
        names.sort_by(|a, b| (a != "INBOX").cmp(&(b != "INBOX")).then(a.cmp(b)));
        let subscribed = self.subscriptions()?;
        let mut out: Vec<MailboxEntry> = Vec::new();
        let exists = |n: &str| names.iter().any(|m| m == n);
        let mut levels: Vec<String> = Vec::new();
        for name in &names {
            // The levels above a mailbox that are not mailboxes themselves.
            let mut at = 0;
            while let Some(i) = name.get(at..).and_then(|r| r.find(DELIMITER)) {
                let level = name.get(..at + i).unwrap_or_default().to_owned();
                if !exists(&level) && !levels.contains(&level) {
                    levels.push(level);
                }
                at += i + 1;
            }
        }
        let all: Vec<(String, bool)> = names
            .iter()
            .map(|n| (n.clone(), false))
            .chain(levels.into_iter().map(|l| (l, true)))
            .collect();
        for (name, nonexistent) in &all {
            let prefix = format!("{name}{DELIMITER}");
            out.push(MailboxEntry {
                children: all.iter().any(|(n, _)| n.starts_with(&prefix)),
                subscribed: subscribed.contains(name),
                special_use: SPECIAL.iter().find(|(n, _)| n == name).map(|(_, u)| *u),
                nonexistent: *nonexistent,
                name: name.clone(),
            });
        }
        out.sort_by(|a, b| {
            (a.name != "INBOX")
                .cmp(&(b.name != "INBOX"))
                .then(a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// Returns the subscribed names.
    ///
    /// # Errors
    /// When the file exists but cannot be read.
    pub fn subscriptions(&self) -> io::Result<Vec<String>> {
        match fs::read_to_string(self.root.join("subscriptions")) {
            Ok(text) => Ok(text
                .lines()
                // Dovecot 2.3 writes a "V\t2" header and a blank line first.
                .filter(|l| !l.is_empty() && !l.starts_with("V\t"))
                .map(str::to_owned)
                .collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Subscribes to `name` or unsubscribes (RFC 9051 §6.3.7, §6.3.8).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn subscribe(&self, name: &str, on: bool) -> io::Result<()> {
        // One change at a time in this process (sessions of one user run side by side);
        // the file itself is replaced whole, so readers never see half of it.
        let _one = SUBSCRIPTIONS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut names = self.subscriptions()?;
        names.retain(|n| n != name);
        if on {
            names.push(name.to_owned());
        }
        let mut text = String::new();
        for n in names {
            text.push_str(&n);
            text.push('\n');
        }
        let tmp = self
            .root
            .join(format!("subscriptions.{}.tmp", unique_base()));
        fs::write(&tmp, text)?;
        fs::rename(tmp, self.root.join("subscriptions"))
    }

    /// Returns a UIDVALIDITY this user never had: the time in seconds, or one more than the
    /// last one given when that is later (kept in `dovecot-uidvalidity`, as hex).
    pub fn next_uid_validity(&self) -> u32 {
        let path = self.root.join("dovecot-uidvalidity");
        let last = fs::read_to_string(&path)
            .ok()
            .and_then(|t| u32::from_str_radix(t.trim(), 16).ok())
            .unwrap_or(0);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
        let next = now.max(last.saturating_add(1)).max(1);
        let _ = fs::write(&path, format!("{next:08x}"));
        next
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Serialises changes of `subscriptions` files.
static SUBSCRIPTIONS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Returns a file base name no other delivery on this host uses: time, process, counter,
/// host, in the shape Dovecot's names have.
pub fn unique_base() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let host =
        fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".into());
    let host = host.trim().replace('/', "\\057").replace(':', "\\072");
    format!(
        "{}.M{}P{}Q{}.{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        n,
        host
    )
}

/// Orders Maildir file names by delivery time, oldest first: the seconds before the first
/// `.`, then the microseconds of a `.M<usec>` that follows, then the process and counter of
/// a `P<pid>Q<n>` after them (one process's deliveries within one microsecond), each
/// compared as a number, then the names themselves. No number has leading zeros
/// ([`unique_base`] writes them as Dovecot does), so comparing the names as text puts
/// `1000.M100000…` (0.1 s) before `1000.M99999…` (0.099999 s): messages delivered in the
/// same second would get UIDs (and POP3 numbers) out of the order they arrived in. A name
/// without these numbers sorts before the ones that have them, by its text.
pub fn delivery_order(a: &str, b: &str) -> std::cmp::Ordering {
    /// The leading number of `s` (`None` when there is none or it is too long) and what
    /// follows it.
    fn number(s: &str) -> (Option<u64>, &str) {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, rest) = s.split_at(end);
        (digits.parse().ok(), rest)
    }
    /// The number after `prefix` at the start of `s`, and what follows it.
    fn field<'a>(s: Option<&'a str>, prefix: &str) -> (Option<u64>, Option<&'a str>) {
        match s.and_then(|s| s.strip_prefix(prefix)).map(number) {
            Some((Some(n), rest)) => (Some(n), Some(rest)),
            _ => (None, None),
        }
    }
    fn key(name: &str) -> [Option<u64>; 4] {
        let (secs, rest) = field(Some(name), "");
        let (usecs, rest) = field(rest, ".M");
        let (pid, rest) = field(rest, "P");
        let (counter, _) = field(rest, "Q");
        [secs, usecs, pid, counter]
    }
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(tag: &str) -> (MailStore, PathBuf) {
        let root = std::env::temp_dir().join(format!("mailstore-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        (MailStore::open(&root).unwrap(), root)
    }

    /// Names of messages delivered in this order, within one second and across seconds,
    /// whose microseconds (and counters) have different numbers of digits.
    const DELIVERED: [&str; 8] = [
        "1700000000.M5P7Q0.host",
        "1700000000.M99999P7Q1.host",
        "1700000000.M100000P7Q2.host",
        "1700000000.M100000P7Q9.host",
        "1700000000.M100000P7Q10.host",
        "1700000000.M999999P7Q3.host",
        "1700000001.M12P7Q10.host",
        "1700000010.M3P7Q11.host",
    ];

    #[test]
    fn delivery_order_compares_the_times_as_numbers() {
        let mut names: Vec<&str> = DELIVERED.iter().rev().copied().collect();
        names.sort_by(|a, b| delivery_order(a, b));
        assert_eq!(names, DELIVERED);
        // Flags do not change the place; names without a time come first, by their text.
        let mut names = vec![
            "1700000000.M100000P7Q2.host:2,S",
            "zzz",
            "1700000000.M99999P7Q1.host:2,",
            "1700000000.local1.host",
            "abc",
        ];
        names.sort_by(|a, b| delivery_order(a, b));
        assert_eq!(
            names,
            [
                "abc",
                "zzz",
                "1700000000.local1.host",
                "1700000000.M99999P7Q1.host:2,",
                "1700000000.M100000P7Q2.host:2,S",
            ]
        );
    }

    /// Issue 14's intermittent mbsync failure: five messages delivered within one second
    /// got UIDs out of their delivery order whenever the microseconds of two of them had
    /// different numbers of digits (`M140056` before `M36031`), and a client that expunged
    /// UID 4 expunged another message than the fourth delivered.
    #[test]
    fn uids_follow_the_delivery_order() {
        let (store, root) = store("order");
        // Written in another order than delivered: the order comes from the names.
        for name in DELIVERED.iter().rev() {
            fs::write(root.join("new").join(name), b"Subject: x\r\n\r\n").unwrap();
        }
        let folder = store.folder("INBOX").unwrap();
        let scan = folder.scan(true, || 7).unwrap();
        let order: Vec<(u32, &str)> = scan
            .messages
            .iter()
            .map(|m| (m.uid, flags::base_of(m.name())))
            .collect();
        let expected: Vec<(u32, &str)> = (1..).zip(DELIVERED).collect();
        assert_eq!(order, expected);
        assert_eq!(scan.recent, [1, 2, 3, 4, 5, 6, 7, 8]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_new_store_has_the_special_mailboxes_subscribed() {
        let (store, root) = store("special");
        let list = store.list().unwrap();
        let names: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"]
        );
        assert!(list.iter().all(|e| e.subscribed));
        assert_eq!(list[4].special_use, Some("\\Sent"));
        assert!(root.join(".Sent/maildirfolder").exists());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_maildir_made_by_a_delivery_gets_the_special_mailboxes_at_the_first_login() {
        let root = std::env::temp_dir().join(format!("mailstore-delivered-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
        let store = MailStore::open(&root).unwrap();
        assert_eq!(store.list().unwrap().len(), 6);
        // Deleted later, it stays deleted.
        store.delete("Junk").unwrap();
        let store = MailStore::open(&root).unwrap();
        assert_eq!(store.list().unwrap().len(), 5);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_flag_change_made_meanwhile_elsewhere_is_kept() {
        let (store, root) = store("update");
        let inbox = store.folder("INBOX").unwrap();
        fs::write(root.join("cur/1.M1P1.host:2,"), b"Subject: a\r\n\r\nx\r\n").unwrap();
        let mut calls = 0;
        let updated = inbox
            .update_flags("1.M1P1.host", |flags| {
                calls += 1;
                if calls == 1 {
                    // Another session marks it \Seen between the read and the rename.
                    fs::rename(
                        root.join("cur/1.M1P1.host:2,"),
                        root.join("cur/1.M1P1.host:2,S"),
                    )
                    .unwrap();
                }
                let mut kw = flags::Keywords::default();
                let mut now = flags.to_imap(&kw);
                now.push(imap_proto::types::Flag::Flagged);
                flags.with_imap(&now, &mut kw)
            })
            .unwrap()
            .unwrap();
        assert_eq!(calls, 2);
        assert_eq!(updated.0, root.join("cur/1.M1P1.host:2,FS"));
        assert!(updated.0.exists());
        assert!(inbox.update_flags("gone", |f| f.clone()).unwrap().is_none());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn folders_nest_with_dots_and_rename_with_their_children() {
        let (store, root) = store("nest");
        assert!(store.create("Work.Projects").unwrap());
        assert!(!store.create("Work.Projects").unwrap());
        let work = store
            .list()
            .unwrap()
            .into_iter()
            .find(|e| e.name == "Work")
            .unwrap();
        assert!(work.nonexistent && work.children);
        store.create("Work").unwrap();
        store.rename("Work", "Job").unwrap();
        assert!(store.folder("Job.Projects").is_some());
        assert!(store.folder("Work.Projects").is_none());
        assert_eq!(store.dir("Entwürfe").unwrap(), root.join(".Entw&APw-rfe"));
        assert!(store.dir("a..b").is_err() && store.dir("a/b").is_err());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn uidvalidity_is_new_even_within_one_second() {
        let (store, root) = store("uidv");
        let a = store.next_uid_validity();
        let b = store.next_uid_validity();
        assert!(b > a);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn uids_are_given_once_and_stay() {
        let (store, root) = store("uids");
        let inbox = store.folder("INBOX").unwrap();
        fs::write(root.join("new/1001.M1P1.host"), b"Subject: a\n\nx\n").unwrap();
        fs::write(
            root.join("cur/1000.M1P1.host:2,S"),
            b"Subject: b\r\n\r\ny\r\n",
        )
        .unwrap();
        let scan = inbox.scan(true, || 7).unwrap();
        assert_eq!(scan.uid_validity, 7);
        let uids: Vec<u32> = scan.messages.iter().map(|m| m.uid).collect();
        assert_eq!(uids, [1, 2], "oldest name first");
        assert_eq!(scan.recent, [2]);
        assert!(root.join("cur/1001.M1P1.host:2,").exists());
        // A second session finds the same UIDs and nothing recent.
        let again = inbox.scan(true, || 8).unwrap();
        assert_eq!(
            again.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [1, 2]
        );
        assert!(again.recent.is_empty());
        // 14 octets with bare LFs: 17 sent with CRLF.
        assert_eq!(again.messages[1].rfc822_size().unwrap(), 17);
        // A flag change renames the file; the UID stays.
        let seen = again.messages[1].flags.clone().with_imap(
            &[imap_proto::types::Flag::Seen],
            &mut again.keywords.clone(),
        );
        inbox.set_flags(&again.messages[1].path, &seen).unwrap();
        let third = inbox.scan(false, || 9).unwrap();
        assert_eq!(third.messages[1].uid, 2);
        assert!(third.messages[1].flags.seen());
        fs::remove_dir_all(root).unwrap();
    }
}

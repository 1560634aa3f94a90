//! The header blocks of messages, read once and shared by every session of the process.
//!
//! FETCH ENVELOPE and SEARCH on header fields (FROM, SUBJECT, HEADER …) need only a message's
//! header: [`HeaderCache::header`] reads a file up to its first empty line, in 8 KiB pieces,
//! walks it ([`MessageStructure`]), and keeps both under the mailbox directory and the
//! message's base name, which
//! never changes for a message (a flag change renames the file, keeping the base; a Maildir
//! file's content never changes). Another session, or the next command, answers from memory.
//!
//! The cache is bounded in octets, whatever peers send or store: two generations of at most
//! half the bound each. Entries go into the newer one; when it is full it becomes the older
//! one and the previous older one is dropped, and a hit in the older one moves the entry
//! back into the newer one. So the most recently used headers stay, at most `bound` octets
//! are held, each entry charged its header octets, [`LINE_CHARGE`] per line for the walked
//! fields and [`ENTRY_CHARGE`] for the key and table slot; every operation is O(1). A header
//! longer than [`MAX_HEADER`] is read but not kept.
//!
//! A SEARCH looks up every message of one mailbox: [`HeaderCache::mailbox`] takes the lock
//! once for up to [`BATCH`] lookups in memory instead of once per message, and the tables
//! hash their keys with [`NameHasher`], not SipHash.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};
use imap_proto::message::MessageStructure;

/// The default bound of a cache: 32 MiB, the headers of some 25 000 ordinary messages.
pub const DEFAULT_BOUND: usize = 32 * 1024 * 1024;

/// The longest header kept; a longer one is read whole each time (it is still bounded by
/// the file, which the store accepted).
pub const MAX_HEADER: usize = 256 * 1024;

/// What an entry is charged beyond its octets and lines: the base name, the map slot, the
/// handles.
pub const ENTRY_CHARGE: usize = 192;

/// What an entry is charged per header line, for the walked fields' offsets.
pub const LINE_CHARGE: usize = 64;

/// The size of each read.
const PIECE: usize = 8 * 1024;

/// The lookups in memory a [`MailboxHeaders`] makes under one taking of the lock, before it
/// lets other sessions in.
pub const BATCH: usize = 256;

/// Hashes the cache's keys, mailbox directories and Maildir base names, eight octets per
/// multiplication (the FxHash step). The names are the store's own (a delivery or APPEND
/// names its file; a peer does not choose it), so SipHash's protection against chosen
/// collisions is not needed, and SipHash was a tenth of a header SEARCH.
#[derive(Debug, Default, Clone, Copy)]
pub struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            if let Some(head) = b.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
}

/// Builds [`NameHasher`]s.
type Names = BuildHasherDefault<NameHasher>;

/// Mailbox id ([`Generations::id`]) → base name (as octets: a file name need not be UTF-8)
/// → walked header block. The mailbox is keyed by a number, not its directory, so that a
/// SEARCH's lookups hash a word instead of a path each.
type Generation = HashMap<u64, HashMap<Box<[u8]>, Arc<MessageStructure>, Names>, Names>;

/// What keeping `s` is charged.
fn charge(s: &MessageStructure) -> usize {
    let header = s.tree().message();
    let lines = header.iter().filter(|&&b| b == b'\n').count();
    header.len() + lines * LINE_CHARGE + ENTRY_CHARGE
}

/// The header blocks of recently used messages, bounded in octets; see the module docs.
#[derive(Debug)]
pub struct HeaderCache {
    /// The octets each generation may hold.
    half: usize,
    inner: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    newer: Generation,
    newer_octets: usize,
    older: Generation,
    /// Mailbox directory (hashed as bytes, faster than by path components) → its id in the
    /// generations; an id is never given twice.
    ids: HashMap<OsString, u64, Names>,
    /// The next id to give.
    next_id: u64,
}

impl Default for HeaderCache {
    fn default() -> Self {
        Self::new(DEFAULT_BOUND)
    }
}

impl HeaderCache {
    /// Returns an empty cache that holds at most about `bound` octets.
    pub fn new(bound: usize) -> Self {
        Self {
            half: bound / 2,
            inner: Mutex::new(Generations::default()),
        }
    }

    /// Returns the octets the cache holds now (header octets plus the per-entry charge).
    pub fn octets(&self) -> usize {
        let g = self.lock();
        let count = |g: &Generation| -> usize {
            g.values()
                .flat_map(HashMap::values)
                .map(|s| charge(s))
                .sum()
        };
        count(&g.newer) + count(&g.older)
    }

    /// Returns the header block (the fields and the empty line after them, or the whole
    /// file when it has no empty line) of the message `base` of the mailbox in `dir`, whose
    /// file is now `path`, walked as a message without body (its ENVELOPE and header fields
    /// are the message's): from memory when it was read before, else read from the file.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn header(
        &self,
        dir: &Path,
        base: &[u8],
        path: &Path,
    ) -> io::Result<Arc<MessageStructure>> {
        let found = {
            let mut g = self.lock();
            let id = g.id(dir);
            g.get(self.half, id, base)
        };
        match found {
            Some(h) => Ok(h),
            None => self.read(dir, base, path),
        }
    }

    /// The header blocks of the mailbox in `dir`, for many lookups in a row (a SEARCH): see
    /// [`MailboxHeaders`].
    pub fn mailbox<'c>(&'c self, dir: &'c Path) -> MailboxHeaders<'c> {
        MailboxHeaders {
            cache: self,
            dir,
            guard: None,
            id: 0,
            held: 0,
        }
    }

    /// Reads, walks and keeps the header of a message not in memory.
    fn read(&self, dir: &Path, base: &[u8], path: &Path) -> io::Result<Arc<MessageStructure>> {
        let header = read_header(path)?;
        let keep = header.len() <= MAX_HEADER;
        let walked = Arc::new(MessageStructure::parse(header));
        if keep {
            let mut g = self.lock();
            let id = g.id(dir);
            g.put(self.half, id, base, walked.clone());
        }
        Ok(walked)
    }

    /// Forgets the messages of the mailbox in `dir` (deleted or renamed).
    pub fn forget(&self, dir: &Path) {
        let mut g = self.lock();
        // A later lookup in `dir` gets a new id; a view holding the old one finds only what
        // it put itself, and that goes with its generation.
        let Some(id) = g.ids.remove(dir.as_os_str()) else {
            return;
        };
        if let Some(gone) = g.newer.remove(&id) {
            let octets: usize = gone.values().map(|s| charge(s)).sum();
            g.newer_octets = g.newer_octets.saturating_sub(octets);
        }
        g.older.remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // A session that panicked while holding the lock left whole entries: go on.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Generations {
    /// The id of the mailbox in `dir`, given now if it has none.
    fn id(&mut self, dir: &Path) -> u64 {
        if let Some(&id) = self.ids.get(dir.as_os_str()) {
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.ids.insert(dir.as_os_str().to_owned(), id);
        id
    }

    /// The entry of `base` in mailbox `id`, moved into the newer generation when it was in
    /// the older one.
    fn get(&mut self, half: usize, id: u64, base: &[u8]) -> Option<Arc<MessageStructure>> {
        if let Some(h) = self.newer.get(&id).and_then(|m| m.get(base)) {
            return Some(h.clone());
        }
        let h = self.older.get_mut(&id).and_then(|m| m.remove(base))?;
        self.put(half, id, base, h.clone());
        Some(h)
    }

    /// Keeps `header` in the newer generation, which becomes the older one when it would
    /// hold more than `half` octets.
    fn put(&mut self, half: usize, id: u64, base: &[u8], header: Arc<MessageStructure>) {
        let cost = charge(&header);
        if cost > half {
            return;
        }
        if self.newer_octets + cost > half {
            self.older = std::mem::take(&mut self.newer);
            self.newer_octets = 0;
        }
        let slot = self.newer.entry(id).or_default();
        if slot.insert(base.into(), header).is_none() {
            self.newer_octets += cost;
        }
    }
}

/// The header blocks of one mailbox of a [`HeaderCache`], for a run of lookups: the cache's
/// lock is taken once for up to [`BATCH`] lookups in memory, and let go while a file is
/// read and between batches, so other sessions wait at most a batch.
///
/// While it holds the lock, the same thread must not use the cache otherwise, and should
/// [`release`](Self::release) it before reading files.
#[derive(Debug)]
pub struct MailboxHeaders<'c> {
    cache: &'c HeaderCache,
    dir: &'c Path,
    guard: Option<MutexGuard<'c, Generations>>,
    /// The mailbox's id, looked up each time `guard` is taken (a `forget` in between
    /// gives the directory a new one).
    id: u64,
    /// Lookups made under `guard`.
    held: usize,
}

impl MailboxHeaders<'_> {
    /// Lets the lock go until the next lookup: call it before other work that may wait
    /// (reading a whole message), so that other sessions do not wait on it.
    pub fn release(&mut self) {
        self.guard = None;
    }

    /// [`HeaderCache::header`] of the message `base` of this mailbox, whose file is now
    /// `path`.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn header(&mut self, base: &[u8], path: &Path) -> io::Result<Arc<MessageStructure>> {
        if self.held >= BATCH {
            // Let the other sessions in.
            self.guard = None;
        }
        let guard = match &mut self.guard {
            Some(g) => g,
            None => {
                self.held = 0;
                let g = self.guard.insert(self.cache.lock());
                self.id = g.id(self.dir);
                g
            }
        };
        self.held += 1;
        if let Some(h) = guard.get(self.cache.half, self.id, base) {
            return Ok(h);
        }
        // Not under the lock: reading a file takes a while.
        self.guard = None;
        self.cache.read(self.dir, base, path)
    }
}

/// Reads `path` up to and including its first empty line (CRLF or bare LF line ends), in
/// pieces of 8 KiB; the whole file when it has none.
///
/// # Errors
/// When the file cannot be read.
pub fn read_header(path: &Path) -> io::Result<Bytes> {
    let mut file = File::open(path)?;
    let mut buf = BytesMut::with_capacity(PIECE);
    loop {
        let start = buf.len();
        buf.resize(start + PIECE, 0);
        let n = match file.read(buf.get_mut(start..).unwrap_or_default()) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                buf.truncate(start);
                continue;
            }
            Err(e) => return Err(e),
        };
        buf.truncate(start + n);
        // Look again from just before this piece: the empty line may straddle two pieces.
        if let Some(end) = header_end(&buf, start.saturating_sub(3)) {
            buf.truncate(end);
            return Ok(buf.freeze());
        }
        if n == 0 {
            return Ok(buf.freeze());
        }
    }
}

/// Returns the offset just after the first empty line of `data` at or after `from` (the
/// line end before it is at `from` or later); an empty first line counts too.
fn header_end(data: &[u8], from: usize) -> Option<usize> {
    if from == 0 {
        if data.starts_with(b"\r\n") {
            return Some(2);
        }
        if data.starts_with(b"\n") {
            return Some(1);
        }
    }
    let tail = data.get(from..)?;
    let mut at = 0;
    while let Some(i) = tail.get(at..)?.iter().position(|&b| b == b'\n') {
        let after = at + i + 1;
        let rest = tail.get(after..).unwrap_or_default();
        if rest.starts_with(b"\n") {
            return Some(from + after + 1);
        }
        if rest.starts_with(b"\r\n") {
            return Some(from + after + 2);
        }
        if rest.is_empty() || rest == b"\r" {
            // The next piece decides.
            return None;
        }
        at = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(tag: &str, data: &[u8]) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mail-proto-headers-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m");
        std::fs::write(&path, data).unwrap();
        path
    }

    #[test]
    fn reads_up_to_the_empty_line_with_either_line_end() {
        let p = file("crlf", b"Subject: a\r\nFrom: b\r\n\r\nbody\r\n\r\nmore");
        assert_eq!(
            &read_header(&p).unwrap()[..],
            b"Subject: a\r\nFrom: b\r\n\r\n"
        );
        let p = file("lf", b"Subject: a\nFrom: b\n\nbody\n");
        assert_eq!(&read_header(&p).unwrap()[..], b"Subject: a\nFrom: b\n\n");
        let p = file("none", b"Subject: a\r\nFrom: b");
        assert_eq!(&read_header(&p).unwrap()[..], b"Subject: a\r\nFrom: b");
        let p = file("empty", b"\r\nbody");
        assert_eq!(&read_header(&p).unwrap()[..], b"\r\n");
    }

    #[test]
    fn the_header_alone_gives_the_message_s_envelope_and_header_fields() {
        let messages: [&[u8]; 4] = [
            b"From: A <a@example.org>\r\nTo: b@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?= meeting\r\n\
              Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@x>\r\n\
              Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nSubject: inner\r\n\r\nx\r\n--b--\r\n",
            b"Subject: bare\nFrom: c@example.org\n\nbody\n",
            b"Subject: no body\r\nCc: d@example.org\r\n",
            b"Subject: folded\r\n  over two lines\r\nX-Odd line\r\n\r\nSubject: in the body\r\n",
        ];
        let cache = HeaderCache::default();
        for (n, m) in messages.iter().enumerate() {
            let p = file(&format!("same{n}"), m);
            let whole = MessageStructure::parse(Bytes::copy_from_slice(m));
            let head = cache
                .header(Path::new("/mb"), format!("m{n}").as_bytes(), &p)
                .unwrap();
            assert_eq!(head.envelope(), whole.envelope(), "message {n}");
            for (name, needle) in [
                ("Subject", "café"),
                ("subject", "meeting"),
                ("Subject", "inner"),
                ("Subject", "over two"),
                ("Subject", "in the body"),
                ("From", "c@example"),
                ("Cc", "d@"),
                ("X-Odd", "line"),
            ] {
                assert_eq!(
                    head.header_contains(name, needle),
                    whole.header_contains(name, needle),
                    "message {n}, {name} {needle}"
                );
            }
        }
    }

    #[test]
    fn a_mailbox_view_answers_as_the_cache_across_batches() {
        let p = file("view", b"Subject: viewed\r\n\r\nbody\r\n");
        let cache = HeaderCache::default();
        let dir = Path::new("/view");
        let mut view = cache.mailbox(dir);
        for n in 0..BATCH * 2 + 3 {
            let h = view.header(format!("m{}", n % 300).as_bytes(), &p).unwrap();
            assert!(h.header_contains("subject", "VIEWED"));
            if n % 100 == 0 {
                view.release();
            }
        }
        drop(view);
        // What the view read is in the cache, under the same keys.
        std::fs::remove_file(&p).unwrap();
        assert!(cache.header(dir, b"m299", &p).is_ok());
        let mut view = cache.mailbox(dir);
        assert!(view.header(b"m0", &p).is_ok());
        assert!(view.header(b"m300", &p).is_err());
        assert!(
            cache
                .mailbox(Path::new("/other"))
                .header(b"m0", &p)
                .is_err()
        );
    }

    #[test]
    fn forget_drops_one_mailbox_and_a_view_sees_it_when_it_locks_again() {
        let p = file("forget", b"Subject: x\r\n\r\nbody");
        let cache = HeaderCache::default();
        let (a, b) = (Path::new("/a"), Path::new("/b"));
        cache.header(a, b"m", &p).unwrap();
        let mut view = cache.mailbox(b);
        assert!(
            view.header(b"m", &p)
                .unwrap()
                .header_contains("subject", "x")
        );
        view.release();
        let one = cache.octets() / 2;
        std::fs::remove_file(&p).unwrap();
        cache.forget(a);
        assert_eq!(cache.octets(), one);
        assert!(cache.header(a, b"m", &p).is_err());
        assert!(view.header(b"m", &p).is_ok());
        view.release();
        cache.forget(b);
        assert_eq!(cache.octets(), 0);
        // The view's next lock looks the directory up again: the old entries are gone.
        assert!(view.header(b"m", &p).is_err());
        assert!(cache.header(b, b"m", &p).is_err());
    }

    #[test]
    fn name_hasher_sees_every_octet() {
        use std::hash::Hash;
        let hash = |s: &[u8]| {
            let mut h = NameHasher::default();
            s.hash(&mut h);
            h.finish()
        };
        let names: Vec<Vec<u8>> = (0..2000u32)
            .map(|n| format!("1712345678.M{n}P1.host").into_bytes())
            .collect();
        let distinct: std::collections::HashSet<u64> = names.iter().map(|n| hash(n)).collect();
        assert_eq!(distinct.len(), names.len());
        assert_ne!(hash(b"abcdefgh1"), hash(b"abcdefgh2"));
        assert_ne!(hash(b""), hash(b"\0"));
    }

    #[test]
    fn an_empty_line_across_two_pieces_is_found() {
        for shift in 0..5 {
            let mut data = vec![b'X'; PIECE - 2 + shift];
            data.extend_from_slice(b"\r\n\r\nbody");
            let p = file(&format!("straddle{shift}"), &data);
            let h = read_header(&p).unwrap();
            assert_eq!(h.len(), PIECE - 2 + shift + 4, "shift {shift}");
            assert!(h.ends_with(b"\r\n\r\n"));
        }
    }

    #[test]
    fn stays_within_its_bound_and_keeps_recent_headers() {
        let p = file(
            "bound",
            &[b"Subject: x\r\n".repeat(8), b"\r\nbody".to_vec()].concat(),
        );
        let one = 98 + 9 * LINE_CHARGE + ENTRY_CHARGE;
        let cache = HeaderCache::new(4 * one);
        let dir = Path::new("/mailbox");
        for n in 0..50 {
            let h = cache.header(dir, format!("m{n}").as_bytes(), &p).unwrap();
            assert!(h.tree().message().ends_with(b"\r\n\r\n"));
            assert!(h.header_contains("subject", "x"));
            assert!(cache.octets() <= 4 * one);
            assert!(cache.octets() >= one);
        }
        // The last one is in memory: it is answered even when the file is gone.
        std::fs::remove_file(&p).unwrap();
        assert!(cache.header(dir, b"m49", &p).is_ok());
        assert!(cache.header(dir, b"m0", &p).is_err());
        cache.forget(dir);
        assert_eq!(cache.octets(), 0);
        assert!(cache.header(dir, b"m49", &p).is_err());
    }
}

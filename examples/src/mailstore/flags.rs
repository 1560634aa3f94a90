//! Message flags in Maildir file names (<https://cr.yp.to/proto/maildir.html>) and Dovecot's
//! keyword letters (`dovecot-keywords`).
//!
//! A file name is `base:2,FLAGS`: the standard letters in ASCII order (`D`raft, `F`lagged,
//! `P`assed, `R`eplied, `S`een, `T`rashed), then Dovecot's keyword letters `a`–`z`, whose
//! names `dovecot-keywords` maps (`0 $Junk` is letter `a`). Letters nobody here knows are kept
//! as they are when the flags change.

use std::collections::HashMap;
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::path::Path;
use std::sync::Arc;

use imap_proto::types::{Atom, Flag};

/// The flags of one message as its file name holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameFlags {
    /// The letters, sorted, each once.
    letters: Vec<u8>,
    /// The letters as a set of bits ([`mask_of`]), kept beside them so that a walk over many
    /// messages' flags ([`SharedFlags`]) reads no memory outside the list of messages.
    mask: Option<u64>,
}

/// The standard letter of each IMAP system flag (`\Deleted` is Maildir's "trashed").
const SYSTEM: [(u8, Flag); 5] = [
    (b'D', Flag::Draft),
    (b'F', Flag::Flagged),
    (b'R', Flag::Answered),
    (b'S', Flag::Seen),
    (b'T', Flag::Deleted),
];

impl Default for NameFlags {
    fn default() -> Self {
        Self::from_letters(Vec::new())
    }
}

impl NameFlags {
    /// Reads the flags of a file name (nothing when it has no `:2,` part). Anything after a
    /// further comma is Dovecot's non-standard fields, not flags.
    pub fn of_name(name: &str) -> Self {
        let Some((_, info)) = name.rsplit_once(":2,") else {
            return Self::default();
        };
        let flags = info.split(',').next().unwrap_or_default();
        let mut letters: Vec<u8> = flags.bytes().filter(u8::is_ascii_alphabetic).collect();
        letters.sort_unstable();
        letters.dedup();
        Self::from_letters(letters)
    }

    /// Returns the IMAP flags, with keyword letters named by `keywords`.
    pub fn to_imap(&self, keywords: &Keywords) -> Vec<Flag> {
        let mut out = Vec::new();
        for &l in &self.letters {
            if let Some((_, f)) = SYSTEM.iter().find(|(c, _)| *c == l) {
                out.push(f.clone());
            } else if l.is_ascii_lowercase()
                && let Some(name) = keywords.name(l)
                && let Ok(atom) = Atom::try_from(name)
            {
                out.push(Flag::Keyword(atom));
            }
        }
        out
    }

    /// Returns these flags with the IMAP ones replaced by `flags`: the letters nobody here
    /// knows (`P`, keyword letters without a name) stay. New keywords get letters in
    /// `keywords` (which the caller then saves).
    pub fn with_imap(&self, flags: &[Flag], keywords: &mut Keywords) -> Self {
        let mut letters: Vec<u8> = self
            .letters
            .iter()
            .copied()
            .filter(|&l| {
                let system = SYSTEM.iter().any(|(c, _)| *c == l);
                let named_keyword = l.is_ascii_lowercase() && keywords.name(l).is_some();
                !(system || named_keyword)
            })
            .collect();
        for flag in flags {
            match flag {
                Flag::Keyword(atom) => {
                    if let Some(l) = keywords.letter_for(atom.as_str()) {
                        letters.push(l);
                    }
                }
                other => {
                    if let Some((c, _)) = SYSTEM.iter().find(|(_, f)| f == other) {
                        letters.push(*c);
                    }
                }
            }
        }
        letters.sort_unstable();
        letters.dedup();
        Self::from_letters(letters)
    }

    /// Returns these flags for a copy of the message in another mailbox: each keyword
    /// letter means what `from` names it and gets the letter `to` has for that name (a new
    /// one when needed; the caller saves `to`). Keyword letters `from` does not name mean
    /// nothing elsewhere and are dropped; the other letters stay.
    pub fn for_mailbox(&self, from: &Keywords, to: &mut Keywords) -> Self {
        let mut letters = Vec::with_capacity(self.letters.len());
        for &l in &self.letters {
            if !l.is_ascii_lowercase() {
                letters.push(l);
            } else if let Some(name) = from.name(l)
                && let Some(mapped) = to.letter_for(name)
            {
                letters.push(mapped);
            }
        }
        letters.sort_unstable();
        letters.dedup();
        Self::from_letters(letters)
    }

    /// Returns flags of these letters (sorted, each once).
    fn from_letters(letters: Vec<u8>) -> Self {
        let mask = mask_of(&letters);
        Self { letters, mask }
    }

    /// Returns the letters as a set of bits ([`mask_of`]).
    fn mask(&self) -> Option<u64> {
        self.mask
    }

    /// Returns the letters, as the file name holds them.
    pub fn letters(&self) -> &str {
        std::str::from_utf8(&self.letters).unwrap_or_default()
    }

    /// Returns whether `\Seen` is set.
    pub fn seen(&self) -> bool {
        self.letters.contains(&b'S')
    }

    /// Returns whether `\Deleted` is set.
    pub fn deleted(&self) -> bool {
        self.letters.contains(&b'T')
    }

    /// Returns the file name of `base` with these flags.
    pub fn name(&self, base: &str) -> String {
        let mut name = String::with_capacity(base.len() + 3 + self.letters.len());
        name.push_str(base);
        name.push_str(":2,");
        for &l in &self.letters {
            name.push(char::from(l));
        }
        name
    }
}

/// Returns `letters` as a set of bits (`A`–`Z` bits 0–25, `a`–`z` bits 26–51), or `None`
/// for a letter outside those (which [`NameFlags::of_name`] never keeps).
fn mask_of(letters: &[u8]) -> Option<u64> {
    letters.iter().try_fold(0u64, |mask, &l| {
        let bit = match l {
            b'A'..=b'Z' => l - b'A',
            b'a'..=b'z' => l - b'a' + 26,
            _ => return None,
        };
        Some(mask | 1 << bit)
    })
}

/// IMAP flag lists shared by every message with the same letters: a mailbox has few
/// distinct sets of flags, so a snapshot of a large mailbox turns each set into IMAP flags
/// once and hands every message a handle to it instead of a list of its own (issue 14).
#[derive(Debug)]
pub struct SharedFlags<'a> {
    keywords: &'a Keywords,
    lists: HashMap<u64, Arc<[Flag]>, BuildHasherDefault<MaskHasher>>,
}

impl<'a> SharedFlags<'a> {
    /// Returns an empty table whose keyword letters `keywords` names.
    pub fn new(keywords: &'a Keywords) -> Self {
        Self {
            keywords,
            lists: HashMap::default(),
        }
    }

    /// Returns the IMAP flags of `flags` ([`NameFlags::to_imap`]), shared with every
    /// message that has the same letters.
    pub fn get(&mut self, flags: &NameFlags) -> Arc<[Flag]> {
        let Some(mask) = flags.mask() else {
            return flags.to_imap(self.keywords).into();
        };
        let keywords = self.keywords;
        Arc::clone(
            self.lists
                .entry(mask)
                .or_insert_with(|| flags.to_imap(keywords).into()),
        )
    }
}

/// Hashes a letter mask with one multiplication: the keys are a mailbox's flag sets, not
/// chosen by a peer, so SipHash's protection against collisions is not needed here.
#[derive(Debug, Default)]
struct MaskHasher(u64);

impl Hasher for MaskHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: the high bits, which the table uses, depend on every input bit.
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Returns the base of a Maildir file name: what stays when its flags change.
pub fn base_of(name: &str) -> &str {
    // Each `:` in turn, not `split_once(":2,")`, which builds a substring searcher per call.
    let octets = name.as_bytes();
    memchr::memchr_iter(b':', octets)
        .find(|&colon| octets.get(colon + 1..colon + 3) == Some(b"2,"))
        .and_then(|colon| name.get(..colon))
        .unwrap_or(name)
}

/// The keyword letters of one mailbox (`dovecot-keywords`: `0 $Junk` maps `a`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keywords {
    names: Vec<String>,
    changed: bool,
}

impl Keywords {
    /// Reads `dovecot-keywords` in `dir` (none when it is missing).
    ///
    /// # Errors
    /// When the file exists but cannot be read.
    pub fn load(dir: &Path) -> io::Result<Self> {
        let text = match fs::read_to_string(dir.join("dovecot-keywords")) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(e),
        };
        let mut names: Vec<String> = Vec::new();
        for line in text.lines() {
            let Some((index, name)) = line.split_once(' ') else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            if index < 26 && !name.is_empty() {
                if names.len() <= index {
                    names.resize(index + 1, String::new());
                }
                if let Some(slot) = names.get_mut(index) {
                    *slot = name.to_owned();
                }
            }
        }
        Ok(Self {
            names,
            changed: false,
        })
    }

    /// Writes `dovecot-keywords` in `dir` if keywords were added: a new file renamed over the
    /// old one, never edited in place (Dovecot reads it without locking). Whoever adds
    /// keywords holds the `dovecot-uidlist` lock from [`Keywords::load`] to here, as Dovecot
    /// does, or two writers give one letter two names.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn save(&mut self, dir: &Path) -> io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let mut text = String::new();
        for (i, name) in self.names.iter().enumerate() {
            if !name.is_empty() {
                text.push_str(&format!("{i} {name}\n"));
            }
        }
        let tmp = dir.join(format!("dovecot-keywords.{}.tmp", super::unique_base()));
        fs::write(&tmp, text)?;
        fs::rename(&tmp, dir.join("dovecot-keywords"))?;
        self.changed = false;
        Ok(())
    }

    /// Returns the name of keyword letter `l`.
    pub fn name(&self, l: u8) -> Option<&str> {
        let i = usize::from(l.checked_sub(b'a')?);
        self.names
            .get(i)
            .map(String::as_str)
            .filter(|n| !n.is_empty())
    }

    /// Returns the letter of keyword `name`, giving it the next free letter if it has none;
    /// `None` when all 26 are taken.
    pub fn letter_for(&mut self, name: &str) -> Option<u8> {
        let letter = |i: usize| u8::try_from(i).ok().map(|i| b'a' + i);
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(name)) {
            return letter(i);
        }
        let i = match self.names.iter().position(String::is_empty) {
            Some(i) => i,
            None if self.names.len() < 26 => {
                self.names.push(String::new());
                self.names.len() - 1
            }
            None => return None,
        };
        if let Some(slot) = self.names.get_mut(i) {
            *slot = name.to_owned();
        }
        self.changed = true;
        letter(i)
    }

    /// Returns every keyword defined, for `FLAGS`.
    pub fn all(&self) -> Vec<Flag> {
        self.names
            .iter()
            .filter(|n| !n.is_empty())
            .filter_map(|n| Atom::try_from(n.as_str()).ok().map(Flag::Keyword))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(name: &str) -> Flag {
        Flag::Keyword(Atom::try_from(name).unwrap())
    }

    #[test]
    fn letters_map_to_flags_and_back_in_ascii_order() {
        let mut keywords = Keywords::default();
        keywords.letter_for("$Junk");
        keywords.letter_for("$NonJunk");
        let flags = NameFlags::of_name("123.M1P2.host,S=10,W=11:2,PSb");
        assert_eq!(flags.to_imap(&keywords), [Flag::Seen, kw("$NonJunk")]);
        let changed = flags.with_imap(&[Flag::Deleted, Flag::Answered, kw("$Junk")], &mut keywords);
        // P (passed) has no IMAP flag and is kept; letters stay in ASCII order.
        assert_eq!(
            changed.name("123.M1P2.host,S=10,W=11"),
            "123.M1P2.host,S=10,W=11:2,PRTa"
        );
        assert!(changed.deleted() && !changed.seen());
    }

    #[test]
    fn a_copy_gets_the_letters_the_other_mailbox_has_for_the_same_keywords() {
        let mut from = Keywords::default();
        from.letter_for("$Junk");
        from.letter_for("$Label1");
        let mut to = Keywords::default();
        to.letter_for("Work");
        // b is $Label1 here, c is nothing.
        let flags = NameFlags::of_name("1.M1P1.host:2,PSbc");
        let copied = flags.for_mailbox(&from, &mut to);
        assert_eq!(copied.name("x"), "x:2,PSb");
        assert_eq!(copied.to_imap(&to), [Flag::Seen, kw("$Label1")]);
        assert_eq!(to.name(b'b'), Some("$Label1"));
    }

    #[test]
    fn a_new_keyword_takes_the_next_letter_and_the_file_round_trips() {
        let dir = std::env::temp_dir().join(format!("kw-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut keywords = Keywords::load(&dir).unwrap();
        assert_eq!(keywords.letter_for("$Forwarded"), Some(b'a'));
        assert_eq!(keywords.letter_for("Work"), Some(b'b'));
        assert_eq!(keywords.letter_for("$forwarded"), Some(b'a'));
        keywords.save(&dir).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("dovecot-keywords")).unwrap(),
            "0 $Forwarded\n1 Work\n"
        );
        let again = Keywords::load(&dir).unwrap();
        assert_eq!(again.name(b'b'), Some("Work"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn messages_with_the_same_letters_share_one_flag_list() {
        let mut keywords = Keywords::default();
        keywords.letter_for("$Junk");
        let mut shared = SharedFlags::new(&keywords);
        let seen_junk = shared.get(&NameFlags::of_name("1.M1.h:2,Sa"));
        let again = shared.get(&NameFlags::of_name("2.M2.h:2,aS"));
        let flagged = shared.get(&NameFlags::of_name("3.M3.h:2,F"));
        let none = shared.get(&NameFlags::of_name("4.M4.h"));
        assert_eq!(*seen_junk, [Flag::Seen, kw("$Junk")]);
        assert!(Arc::ptr_eq(&seen_junk, &again));
        assert_eq!(*flagged, [Flag::Flagged]);
        assert!(none.is_empty());
        assert_eq!(NameFlags::default(), NameFlags::of_name("4.M4.h:2,"));
        assert_eq!(NameFlags::default().mask(), Some(0));
        // `A` and `a`, `Z` and `z` are different letters, not one bit.
        assert_ne!(
            NameFlags::of_name("x:2,A").mask(),
            NameFlags::of_name("x:2,a").mask()
        );
        assert_ne!(
            NameFlags::of_name("x:2,Z").mask(),
            NameFlags::of_name("x:2,z").mask()
        );
        assert_eq!(shared.lists.len(), 3);
    }

    #[test]
    fn base_names_ignore_the_flags() {
        assert_eq!(base_of("1.M2.h:2,S"), "1.M2.h");
        assert_eq!(base_of("1.M2.h"), "1.M2.h");
        assert_eq!(
            NameFlags::of_name("1.M2.h:2,ST,extra").name("1.M2.h"),
            "1.M2.h:2,ST"
        );
    }
}

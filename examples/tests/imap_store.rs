//! The IMAP store of `mail-server` over TCP: crash safety (kill -9 during APPEND), changes
//! other programs make to the Maildir, CONDSTORE/QRESYNC mod-sequences, SORT and THREAD.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use mail_examples::mailstore::uidlist::UidList;
use support::{Client, MailServer, flags_by_uid};

/// A small message with this subject.
fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: {subject}\r\n\
Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <{subject}@example.test>\r\n\r\nbody of {subject}\r\n"
    )
    .into_bytes()
}

/// Returns the names of the files in `dir/sub`.
fn names(dir: &Path, sub: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir.join(sub))
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Returns the contents of the messages in `new/` and `cur/`.
fn contents(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        for n in names(dir, sub) {
            out.push(
                String::from_utf8_lossy(&std::fs::read(dir.join(sub).join(n)).unwrap())
                    .into_owned(),
            );
        }
    }
    out.sort();
    out
}

/// Logs in as alice and selects INBOX; returns the client and SELECT's untagged lines.
fn session(port: u16) -> (Client, Vec<String>) {
    let mut c = Client::connect(port);
    c.ok("l", "LOGIN alice secret");
    let selected = c.ok("s", "SELECT INBOX");
    (c, selected)
}

/// Returns UID → subject of every message, through SEARCH on each subject.
fn uids_by_subject(c: &mut Client, subjects: &[String]) -> BTreeMap<String, Vec<u32>> {
    let mut out = BTreeMap::new();
    for (i, s) in subjects.iter().enumerate() {
        let lines = c.ok(
            &format!("q{i}"),
            &format!("UID SEARCH HEADER Subject \"{s}\""),
        );
        let found: Vec<u32> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("* SEARCH"))
            .flat_map(|r| r.split_whitespace().map(|n| n.parse().unwrap()))
            .collect();
        out.insert(s.clone(), found);
    }
    out
}

/// Returns the UID in an `[APPENDUID v uid]` completion.
fn append_uid(done: &str) -> u32 {
    let code = done.split_once("[APPENDUID ").expect(done).1;
    code.split([' ', ']']).nth(1).unwrap().parse().unwrap()
}

#[test]
fn kill_during_append_leaves_no_partial_message_and_keeps_every_uid() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let (mut c, _) = session(server.imap);
    let subjects: Vec<String> = (1..=3).map(|i| format!("kept {i}")).collect();
    let mut uids = BTreeMap::new();
    for (i, s) in subjects.iter().enumerate() {
        let (_, done) = c.append(&format!("a{i}"), "INBOX", &message(s));
        assert!(done.contains("OK"), "{done}");
        uids.insert(s.clone(), vec![append_uid(&done)]);
    }
    let root = server.maildir("alice");
    let before = contents(&root);
    assert_eq!(before.len(), 3);

    // A MULTIAPPEND whose first message is complete and whose second is cut off: neither is
    // acknowledged, so neither may appear.
    let first = message("never acknowledged");
    let big = vec![b'x'; 4 * 1024 * 1024];
    c.write(format!("m APPEND INBOX {{{}}}\r\n", first.len()).as_bytes());
    assert!(c.line().starts_with('+'));
    c.write(&first);
    c.write(format!(" {{{}}}\r\n", big.len() + 2).as_bytes());
    assert!(c.line().starts_with('+'));
    c.write(&big[..big.len() / 2]);
    // The server has written part of it into tmp/.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while names(&root, "tmp").is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let MailServer { dir, mut proc, .. } = server;
    proc.child.kill().unwrap();
    proc.child.wait().unwrap();
    drop(proc);
    drop(c);

    // Nothing of the interrupted APPEND in new/ or cur/; the uidlist parses and is not locked.
    assert_eq!(contents(&root), before);
    let list =
        UidList::parse(&std::fs::read_to_string(root.join("dovecot-uidlist")).unwrap()).unwrap();
    assert_eq!(
        list.entries.iter().map(|e| e.uid).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(!root.join("dovecot-uidlist.lock").exists());

    // After a restart every UID is what it was, and the next one is new.
    let server = MailServer::start_with(dir, &[], &["--allow-plaintext-auth"]);
    let (mut c, selected) = session(server.imap);
    assert!(
        selected.iter().any(|l| l == "* 3 EXISTS\r\n"),
        "{selected:?}"
    );
    assert_eq!(uids_by_subject(&mut c, &subjects), uids);
    let got = flags_by_uid(&c.ok("f", "UID FETCH 1:* (FLAGS)"));
    assert_eq!(got.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    let (_, done) = c.append("n", "INBOX", &message("after the crash"));
    assert_eq!(append_uid(&done), 4, "{done}");
    c.ok("z", "LOGOUT");
}

#[test]
fn files_added_and_removed_by_another_program_keep_every_uid() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let root = server.maildir("alice");
    let (mut c, _) = session(server.imap);
    let subjects: Vec<String> = (1..=4).map(|i| format!("message {i}")).collect();
    for (i, s) in subjects.iter().enumerate() {
        let (_, done) = c.append(&format!("a{i}"), "INBOX", &message(s));
        assert_eq!(append_uid(&done), i as u32 + 1, "{done}");
    }
    let (mut a, selected) = session(server.imap);
    assert!(
        selected.iter().any(|l| l == "* 4 EXISTS\r\n"),
        "{selected:?}"
    );

    // Another program: delivers one message into new/ (through tmp/), removes UID 2's file.
    let list = UidList::load(&root).unwrap().unwrap();
    let second = &list.entries.iter().find(|e| e.uid == 2).unwrap().name;
    std::fs::remove_file(root.join("cur").join(second)).unwrap();
    let name = "1700000000.M1P1.elsewhere";
    std::fs::write(root.join("tmp").join(name), message("from outside")).unwrap();
    std::fs::rename(root.join("tmp").join(name), root.join("new").join(name)).unwrap();

    // The selected session hears of both on its next command.
    let noop = a.ok("n", "NOOP");
    assert!(noop.iter().any(|l| l == "* 2 EXPUNGE\r\n"), "{noop:?}");
    assert!(noop.iter().any(|l| l == "* 4 EXISTS\r\n"), "{noop:?}");
    let got = flags_by_uid(&a.ok("f", "UID FETCH 1:* (FLAGS)"));
    assert_eq!(got.keys().copied().collect::<Vec<_>>(), [1, 3, 4, 5]);
    let mut all = subjects.clone();
    all.push("from outside".into());
    let want: BTreeMap<String, Vec<u32>> = [
        ("message 1", vec![1]),
        ("message 2", vec![]),
        ("message 3", vec![3]),
        ("message 4", vec![4]),
        ("from outside", vec![5]),
    ]
    .into_iter()
    .map(|(s, u)| (s.to_owned(), u))
    .collect();
    assert_eq!(uids_by_subject(&mut a, &all), want);
    // A fresh session sees the same.
    let (mut b, selected) = session(server.imap);
    assert!(
        selected.iter().any(|l| l == "* 4 EXISTS\r\n"),
        "{selected:?}"
    );
    assert_eq!(uids_by_subject(&mut b, &all), want);
    // And the first session, which saw nothing since its APPENDs, too.
    c.ok("s2", "SELECT INBOX");
    assert_eq!(uids_by_subject(&mut c, &all), want);
    for mut x in [a, b, c] {
        x.ok("z", "LOGOUT");
    }
}

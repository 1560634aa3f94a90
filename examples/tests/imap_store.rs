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

/// Another program tells no hub: a session in IDLE still hears of its delivery, from the
/// directory times it looks at while idling.
#[test]
fn idle_hears_of_a_message_another_program_delivers() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let root = server.maildir("alice");
    let (mut c, _) = session(server.imap);
    let (_, done) = c.append("a", "INBOX", &message("first"));
    assert!(done.contains("OK"), "{done}");
    let (mut a, _) = session(server.imap);
    a.write(b"i IDLE\r\n");
    let idling = a.line();
    assert!(idling.starts_with("+ "), "{idling}");
    // The directory times have a one-second grain in some file systems: deliver in a later
    // second than the SELECT looked.
    std::thread::sleep(Duration::from_millis(1100));
    let name = "1700000001.M1P1.elsewhere";
    std::fs::write(root.join("tmp").join(name), message("from outside")).unwrap();
    std::fs::rename(root.join("tmp").join(name), root.join("new").join(name)).unwrap();
    let delivered = std::time::Instant::now();
    let heard = a.line();
    assert_eq!(heard, "* 2 EXISTS\r\n");
    let took = delivered.elapsed();
    eprintln!("IDLE heard of an outside delivery after {took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    a.write(b"DONE\r\n");
    let (_, done) = a.command_rest("i");
    assert!(done.starts_with("i OK"), "{done}");
    a.ok("z", "LOGOUT");
    c.ok("z", "LOGOUT");
}

#[test]
fn a_pop3_session_and_an_imap_session_on_one_maildir_see_each_other() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let subjects: Vec<String> = (1..=3).map(|i| format!("shared {i}")).collect();
    for s in &subjects {
        support::deliver(server.smtp, "alice", &message(s));
    }
    let (mut imap, selected) = session(server.imap);
    assert!(
        selected.iter().any(|l| l == "* 3 EXISTS\r\n"),
        "{selected:?}"
    );
    let before = uids_by_subject(&mut imap, &subjects);
    imap.ok("st", "UID STORE 3 +FLAGS (\\Flagged)");

    // POP3 deletes message 1 (the oldest delivery) while the IMAP session stays selected.
    let mut pop = support::Raw::connect(server.pop3);
    let limit = Duration::from_secs(10);
    assert!(pop.read_until("\r\n", limit).starts_with("+OK"));
    let reply = pop.send(b"USER alice\r\nPASS secret\r\nSTAT\r\nDELE 1\r\nQUIT\r\n");
    assert!(
        reply.matches("+OK").count() >= 4 && !reply.contains("-ERR"),
        "{reply}"
    );
    assert!(pop.closed_within(limit).0);

    // IMAP hears it as an EXPUNGE on its next command; the other UIDs and flags stay.
    let noop = imap.ok("n", "NOOP");
    assert!(noop.iter().any(|l| l == "* 1 EXPUNGE\r\n"), "{noop:?}");
    let after = uids_by_subject(&mut imap, &subjects);
    assert_eq!(after["shared 1"], Vec::<u32>::new());
    assert_eq!(after["shared 2"], before["shared 2"]);
    assert_eq!(after["shared 3"], before["shared 3"]);
    let flags = flags_by_uid(&imap.ok("f", "UID FETCH 1:* (FLAGS)"));
    assert_eq!(flags.len(), 2, "{flags:?}");
    assert!(
        flags[&before["shared 3"][0]].contains(&"\\Flagged".to_owned()),
        "{flags:?}"
    );

    // POP3 sees what IMAP left: two messages, the flagged one among them, whole.
    let mut pop = support::Raw::connect(server.pop3);
    assert!(pop.read_until("\r\n", limit).starts_with("+OK"));
    let reply = pop.send(b"USER alice\r\nPASS secret\r\nSTAT\r\nRETR 2\r\n");
    let mut reply = reply;
    if !reply.contains("\r\n.\r\n") {
        reply += &pop.read_until("\r\n.\r\n", limit);
    }
    assert!(reply.contains("+OK 2 "), "{reply}");
    assert!(reply.contains("Subject: shared 3"), "{reply}");
    pop.send(b"QUIT\r\n");
    imap.ok("z", "LOGOUT");
}

/// Returns the number after `key` in `line` (`HIGHESTMODSEQ 5`, `MODSEQ (5)`).
fn number_after(line: &str, key: &str) -> Option<u64> {
    let rest = line.split_once(key)?.1.trim_start_matches('(');
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Returns the number after `key` in the first of `lines` that has it.
fn find_number(lines: &[String], key: &str) -> u64 {
    lines
        .iter()
        .find_map(|l| number_after(l, key))
        .unwrap_or_else(|| panic!("no {key} in {lines:?}"))
}

/// Returns UID → MODSEQ from FETCH lines.
fn mod_seqs(lines: &[String]) -> BTreeMap<u32, u64> {
    lines
        .iter()
        .filter(|l| l.contains(" FETCH "))
        .map(|l| {
            (
                number_after(l, "UID ").unwrap() as u32,
                number_after(l, "MODSEQ ").unwrap(),
            )
        })
        .collect()
}

#[test]
fn condstore_and_qresync_follow_every_session_s_changes() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let mut c = Client::connect(server.imap);
    let caps = c.ok("c", "CAPABILITY");
    assert!(
        caps[0].contains(" CONDSTORE") && caps[0].contains(" QRESYNC"),
        "{caps:?}"
    );
    c.ok("l", "LOGIN alice secret");
    for i in 1..=4 {
        let (_, done) = c.append(&format!("a{i}"), "INBOX", &message(&format!("m{i}")));
        assert!(done.contains("OK"), "{done}");
    }
    let enabled = c.ok("e", "ENABLE CONDSTORE");
    assert!(
        enabled.iter().any(|l| l.starts_with("* ENABLED CONDSTORE")),
        "{enabled:?}"
    );
    let selected = c.ok("s", "SELECT INBOX");
    let validity = find_number(&selected, "UIDVALIDITY ");
    let h0 = find_number(&selected, "HIGHESTMODSEQ ");
    let first = mod_seqs(&c.ok("f", "FETCH 1:* (UID MODSEQ)"));
    assert_eq!(first.len(), 4, "{first:?}");
    assert!(first.values().all(|&m| m >= 1 && m <= h0), "{first:?} {h0}");

    // A flag change gets a mod-sequence above every earlier one.
    let stored = c.ok("t", "UID STORE 1 +FLAGS (\\Seen)");
    let m1 = find_number(&stored, "MODSEQ ");
    assert!(m1 > h0, "{stored:?}");
    // UNCHANGEDSINCE: UID 1 changed since h0 and is MODIFIED; UID 2 is changed.
    let (lines, done) = c.command(
        "u",
        "UID STORE 1,2 (UNCHANGEDSINCE {h0}) +FLAGS (\\Flagged)"
            .replace("{h0}", &h0.to_string())
            .as_str(),
    );
    assert!(done.starts_with("u OK [MODIFIED 1]"), "{done} {lines:?}");
    let flags = flags_by_uid(&lines);
    assert_eq!(flags.keys().copied().collect::<Vec<_>>(), [2], "{lines:?}");
    assert_eq!(flags[&2], ["\\Flagged"]);
    // CHANGEDSINCE: only what changed after h0.
    let changed = c.ok("g", &format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h0})"));
    let changed_seqs = mod_seqs(&changed);
    assert_eq!(
        changed_seqs.keys().copied().collect::<Vec<_>>(),
        [1, 2],
        "{changed:?}"
    );
    let h1 = *changed_seqs.values().max().unwrap();

    // Another session changes a flag and expunges a message.
    let mut b = Client::connect(server.imap);
    b.ok("l", "LOGIN alice secret");
    b.ok("s", "SELECT INBOX");
    b.ok("t", "UID STORE 3 +FLAGS (\\Answered)");
    b.ok("d", "UID STORE 4 +FLAGS (\\Deleted)");
    b.ok("x", "EXPUNGE");
    // The first session hears of both, with the new mod-sequence.
    let noop = c.ok("n", "NOOP");
    assert!(noop.iter().any(|l| l == "* 4 EXPUNGE\r\n"), "{noop:?}");
    let third = noop.iter().find(|l| l.contains("FETCH")).expect("a FETCH");
    assert!(
        third.contains("\\Answered") && number_after(third, "MODSEQ ").unwrap() > h1,
        "{noop:?}"
    );

    // A client that cached the mailbox at h1 resynchronises: the expunge and the change.
    let mut q = Client::connect(server.imap);
    q.ok("l", "LOGIN alice secret");
    q.ok("e", "ENABLE QRESYNC");
    let selected = q.ok("s", &format!("SELECT INBOX (QRESYNC ({validity} {h1}))"));
    assert!(
        selected.iter().any(|l| l == "* VANISHED (EARLIER) 4\r\n"),
        "{selected:?}"
    );
    let fetched = mod_seqs(&selected);
    assert_eq!(
        fetched.keys().copied().collect::<Vec<_>>(),
        [3],
        "{selected:?}"
    );
    assert!(
        selected
            .iter()
            .any(|l| l.contains("UID 3 ") && l.contains("\\Answered")),
        "{selected:?}"
    );
    let h2 = find_number(&selected, "HIGHESTMODSEQ ");
    assert!(h2 > h1);
    // From the newest state nothing is reported; with another UIDVALIDITY, nothing either.
    q.ok("u", "UNSELECT");
    let selected = q.ok("s2", &format!("SELECT INBOX (QRESYNC ({validity} {h2}))"));
    assert!(
        !selected
            .iter()
            .any(|l| l.contains("VANISHED") || l.contains("FETCH")),
        "{selected:?}"
    );
    q.ok("u2", "UNSELECT");
    let selected = q.ok(
        "s3",
        &format!("SELECT INBOX (QRESYNC ({} 1))", validity + 1),
    );
    assert!(
        !selected
            .iter()
            .any(|l| l.contains("VANISHED") || l.contains("FETCH")),
        "{selected:?}"
    );
    // UID FETCH … (CHANGEDSINCE … VANISHED).
    let fetched = q.ok(
        "v",
        &format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)"),
    );
    assert!(
        fetched.iter().any(|l| l == "* VANISHED (EARLIER) 4\r\n"),
        "{fetched:?}"
    );
    assert_eq!(
        mod_seqs(&fetched).keys().copied().collect::<Vec<_>>(),
        [1, 2, 3]
    );
    // STATUS and SEARCH MODSEQ.
    let status = q.ok("st", "STATUS INBOX (HIGHESTMODSEQ)");
    assert_eq!(find_number(&status, "HIGHESTMODSEQ "), h2, "{status:?}");
    let search = q.ok("se", &format!("UID SEARCH MODSEQ {}", h1 + 1));
    assert!(
        search.iter().any(|l| l.starts_with("* SEARCH 3 (MODSEQ ")),
        "{search:?}"
    );
    for mut x in [b, c, q] {
        x.ok("z", "LOGOUT");
    }
    // The sidecar is where the mailbox is, beside dovecot-uidlist.
    assert!(server.maildir("alice").join("mail-proto-modseq").exists());
}

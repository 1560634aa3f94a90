//! The IMAP side of `mail-server` against real third-party software on 127.0.0.1: Python's
//! imaplib, curl, fetchmail, mbsync (isync) and Dovecot on the same Maildir; IDLE woken by an
//! SMTP delivery; and hostile input over TCP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{
    Client, Dovecot, MailServer, PYTHON, Raw, TempDir, deliver, flags_by_uid, have, py_bytes,
    python, run,
};

const MESSAGE: &[u8] = b"From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: hello imap\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@example.test>\r\n\r\nfirst body line\r\n.starts with a dot\r\nlast line\r\n";

/// Returns `message` with its subject replaced by `subject`.
fn with_subject(subject: &str) -> Vec<u8> {
    String::from_utf8_lossy(MESSAGE)
        .replace("Subject: hello imap", &format!("Subject: {subject}"))
        .into_bytes()
}

/// Returns the message files of the mailbox in `dir` (`new/` and `cur/`), by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            out.push((format!("{sub}/{name}"), std::fs::read(e.path()).unwrap()));
        }
    }
    out.sort();
    out
}

/// Returns the flag letters of a Maildir file name (after `:2,`).
fn letters(name: &str) -> &str {
    name.rsplit_once(":2,").map_or("", |(_, l)| l)
}

/// Returns the keyword named by `letter` in the mailbox in `dir` (`dovecot-keywords`).
fn keyword(dir: &Path, letter: char) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("dovecot-keywords")).ok()?;
    let index = (letter as u8).checked_sub(b'a')?;
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(i, _)| i.parse::<u8>().ok() == Some(index))
        .map(|(_, name)| name.to_owned())
}

#[test]
fn python_imaplib_whole_session() {
    if !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&[]);
    let script = format!(
        r#"
import imaplib, ssl, re, time
MSG = {msg}
ctx = ssl.create_default_context(cafile={cert:?})
M = imaplib.IMAP4("127.0.0.1", {port})
caps = M.capabilities
for c in ["STARTTLS", "LOGINDISABLED", "IDLE", "UIDPLUS", "MOVE"]:
    assert c in caps, (c, caps)
M.starttls(ssl_context=ctx)
assert "LOGINDISABLED" not in M.capabilities, M.capabilities
typ, _ = M.login("alice", "secret")
assert typ == "OK"
typ, data = M.create("Work")
assert typ == "OK", data
typ, data = M.create("Work")
assert typ == "NO" and b"ALREADYEXISTS" in data[0], data
date = imaplib.Time2Internaldate(1577934245)
typ, data = M.append("Work", r"(\Flagged $Label1)", date, MSG)
assert typ == "OK", data
m = re.search(rb"\[APPENDUID (\d+) 1\]", data[0])
assert m, data
work_validity = m.group(1)
typ, data = M.append("Work", None, None, MSG.replace(b"hello imap", b"second"))
assert typ == "OK" and b"APPENDUID " + work_validity + b" 2]" in data[0], data
typ, data = M.select("Work")
assert typ == "OK" and data == [b"2"], data
assert M.response("UIDVALIDITY")[1] == [work_validity]
assert b"$Label1" in M.response("FLAGS")[1][0]
typ, data = M.fetch("1:*", "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
assert typ == "OK", data
first, second = data[0], data[2]
assert b"UID 1 " in first[0] and rb"FLAGS (\Flagged $Label1)" in first[0], first
assert b'INTERNALDATE "02-Jan-2020 03:04:05 +0000"' in first[0], first
assert b"RFC822.SIZE %d" % len(MSG) in first[0], first
assert first[1] == b"Subject: hello imap\r\n\r\n", first
assert second[1] == b"Subject: second\r\n\r\n", second
typ, data = M.fetch("2", "(BODY[])")
assert data[0][1] == MSG.replace(b"hello imap", b"second"), data
typ, data = M.fetch("2", "(FLAGS)")
assert data == [rb"2 (FLAGS (\Seen))"], data
typ, data = M.store("1", "+FLAGS", r"(\Answered)")
assert typ == "OK" and rb"\Answered" in data[0] and rb"\Flagged" in data[0], data
typ, data = M.store("1", "-FLAGS", r"(\Flagged)")
assert typ == "OK" and rb"\Flagged" not in data[0] and b"$Label1" in data[0], data
typ, data = M.copy("1:2", "INBOX")
assert typ == "OK" and b"COPYUID" in data[0], data
typ, data = M.uid("MOVE", "2", "Archive")
assert typ == "OK", data
assert M.response("EXPUNGE")[1] == [b"2"]
typ, data = M.store("1", "+FLAGS", r"(\Deleted)")
typ, data = M.expunge()
assert typ == "OK" and data == [b"1"], data
typ, data = M.select("Work")
assert data == [b"0"], data
typ, data = M.select("INBOX")
assert data == [b"2"], data
typ, data = M.fetch("1:2", "(FLAGS)")
assert data == [rb"1 (FLAGS (\Answered $Label1))", rb"2 (FLAGS (\Seen))"], data
typ, data = M.search(None, 'SUBJECT "hello"')
assert data == [b"1"], data
typ, data = M.search(None, "UNSEEN")
assert data == [b"1"], data
typ, data = M.uid("SEARCH", None, "KEYWORD $Label1")
assert data == [b"1"], data
typ, data = M.status("INBOX", "(MESSAGES UIDNEXT UNSEEN)")
assert data == [b"INBOX (MESSAGES 2 UIDNEXT 3 UNSEEN 1)"], data
typ, data = M.status("Archive", "(MESSAGES UNSEEN)")
assert data == [b"Archive (MESSAGES 1 UNSEEN 0)"], data
typ, data = M.rename("Work", "Projects")
assert typ == "OK", data
typ, data = M.list()
names = [l.split(b' "." ')[1] for l in data]
assert b"Projects" in names and b"Work" not in names, data
typ, data = M.status("Projects", "(UIDVALIDITY UIDNEXT)")
assert data == [b"Projects (UIDVALIDITY " + work_validity + b" UIDNEXT 3)"], data
typ, data = M.delete("Projects")
assert typ == "OK", data
typ, data = M.delete("Projects")
assert typ == "NO", data
typ, data = M.logout()
assert typ == "BYE", data
print("ok")
"#,
        msg = py_bytes(MESSAGE),
        cert = server.cert.to_str().unwrap(),
        port = server.imap,
    );
    let (ok, out, err) = python(&script);
    assert!(ok && out.contains("ok"), "{out}\n{err}\n{}", server.log());
    // The Maildir on disk.
    let root = server.maildir("alice");
    let inbox = files(&root);
    assert_eq!(inbox.len(), 2, "{inbox:?}");
    let second = with_subject("second");
    let (first_name, first) = &inbox[0];
    let (second_name, second_data) = &inbox[1];
    let (first_name, second_name) = if first.as_slice() == MESSAGE {
        assert_eq!(second_data, &second);
        (first_name, second_name)
    } else {
        assert_eq!(first, &second);
        assert_eq!(second_data.as_slice(), MESSAGE);
        (second_name, first_name)
    };
    // \Answered and $Label1 in the letters INBOX's own dovecot-keywords gives it.
    let l = letters(first_name);
    assert!(l.starts_with('R') && l.len() == 2, "{first_name}");
    let kw = l.chars().nth(1).unwrap();
    assert_eq!(keyword(&root, kw).as_deref(), Some("$Label1"));
    assert_eq!(letters(second_name), "S");
    let archive = files(&root.join(".Archive"));
    assert_eq!(archive.len(), 1);
    assert_eq!(archive[0].1, second);
    assert_eq!(letters(&archive[0].0), "S");
    assert!(!root.join(".Work").exists() && !root.join(".Projects").exists());
    assert_eq!(server.tmp_files("alice"), 0);
}

#[test]
fn curl_list_examine_uid_fetch_search_append() {
    if !have("curl") {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(server.smtp, "alice", MESSAGE);
    deliver(server.smtp, "alice", &with_subject("second"));
    let base = format!("imap://alice:secret@127.0.0.1:{}", server.imap);
    let curl = |args: &[&str]| {
        let (ok, out, err) = run(
            Command::new("curl")
                .args(["--silent", "--show-error"])
                .args(args),
            b"",
        );
        assert!(ok, "curl {args:?}: {out}\n{err}\n{}", server.log());
        out
    };
    let list = curl(&[&format!("{base}/")]);
    for name in ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"] {
        assert!(
            list.lines()
                .any(|l| l.starts_with("* LIST (") && l.ends_with(&format!("\".\" {name}"))),
            "{name}: {list}"
        );
    }
    assert!(list.contains("\\Sent) \".\" Sent"), "{list}");
    let examine = curl(&[&format!("{base}/INBOX"), "-X", "EXAMINE INBOX"]);
    assert!(examine.contains("* 2 EXISTS"), "{examine}");
    assert!(examine.contains("[UIDVALIDITY "), "{examine}");
    assert!(examine.contains("[UIDNEXT 3]"), "{examine}");
    assert!(examine.contains("[PERMANENTFLAGS ()]"), "{examine}");
    let fetched = curl(&[&format!("{base}/INBOX;UID=2")]);
    assert_eq!(fetched.as_bytes(), with_subject("second").as_slice());
    // Fetching UID 2 without PEEK set \Seen.
    let found = curl(&[&format!("{base}/INBOX?UNSEEN")]);
    assert_eq!(found.trim_end(), "* SEARCH 1");
    let fetched = curl(&[&format!(
        "{base}/INBOX;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)"
    )]);
    assert_eq!(fetched, "Subject: hello imap\r\n\r\n");
    let found = curl(&[&format!("{base}/INBOX?SUBJECT%20second")]);
    assert_eq!(found.trim_end(), "* SEARCH 2");
    let found = curl(&[&format!("{base}/INBOX?SEEN")]);
    assert_eq!(found.trim_end(), "* SEARCH 1 2");
    let upload = server.dir.path().join("upload.eml");
    let uploaded = with_subject("uploaded");
    std::fs::write(&upload, &uploaded).unwrap();
    curl(&["-T", upload.to_str().unwrap(), &format!("{base}/Sent")]);
    let fetched = curl(&[&format!("{base}/Sent;UID=1")]);
    assert_eq!(fetched.as_bytes(), uploaded.as_slice());
    let sent = files(&server.maildir("alice").join(".Sent"));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, uploaded);
}

#[test]
fn idle_hears_of_an_smtp_delivery_within_a_second() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(server.smtp, "alice", MESSAGE);
    let mut c = Raw::connect(server.imap);
    c.read_until("\r\n", Duration::from_secs(5));
    c.0.write_all_imap(b"a LOGIN alice secret\r\nb SELECT INBOX\r\n");
    let selected = c.read_until("b OK", Duration::from_secs(5));
    assert!(selected.contains("* 1 EXISTS"), "{selected}");
    c.0.write_all_imap(b"c IDLE\r\n");
    let idling = c.read_until("+ ", Duration::from_secs(5));
    assert!(idling.starts_with("+ "), "{idling}");
    // The delivery, timed from the end of its data.
    let mut smtp = Raw::connect(server.smtp);
    smtp.read_until("\r\n", Duration::from_secs(5));
    smtp.0.write_all_imap(
        b"EHLO t\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n",
    );
    let ready = smtp.read_until("354", Duration::from_secs(5));
    assert!(ready.contains("354"), "{ready}");
    smtp.0.write_all_imap(&with_subject("while idle"));
    smtp.0.write_all_imap(b".\r\n");
    let sent = Instant::now();
    let heard = c.read_until("EXISTS\r\n", Duration::from_secs(5));
    let took = sent.elapsed();
    assert!(
        heard.contains("* 2 EXISTS\r\n"),
        "{heard}\n{}",
        server.log()
    );
    assert!(took < Duration::from_secs(1), "EXISTS after {took:?}");
    eprintln!("IDLE: EXISTS {took:?} after the end of the SMTP data");
    let accepted = smtp.read_until("250 ", Duration::from_secs(5));
    assert!(accepted.contains("250 "), "{accepted}");
    c.0.write_all_imap(b"DONE\r\nd FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\ne LOGOUT\r\n");
    let rest = c.read_until("e OK", Duration::from_secs(5));
    assert!(rest.contains("c OK"), "{rest}");
    assert!(rest.contains("Subject: while idle"), "{rest}");
}

/// Writing on the raw socket of a test client.
trait WriteImap {
    fn write_all_imap(&mut self, bytes: &[u8]);
}

impl WriteImap for std::net::TcpStream {
    fn write_all_imap(&mut self, bytes: &[u8]) {
        std::io::Write::write_all(self, bytes).unwrap();
    }
}

#[test]
fn a_hundred_concurrent_sessions_select_fetch_store_on_one_mailbox() {
    const SESSIONS: usize = 100;
    const MESSAGES: usize = 10;
    let server = MailServer::start(&[
        "--allow-plaintext-auth",
        "--max-connections-per-address",
        "200",
    ]);
    for i in 0..MESSAGES {
        deliver(server.smtp, "alice", &with_subject(&format!("message {i}")));
    }
    // Every session marks one message seen, one flagged, and gives one a keyword.
    let plan = |i: usize| {
        (
            i % MESSAGES + 1,
            (i * 3) % MESSAGES + 1,
            (i * 7) % MESSAGES + 1,
            format!("kw{}", i % 4),
        )
    };
    let started = Instant::now();
    let threads: Vec<_> = (0..SESSIONS)
        .map(|i| {
            let port = server.imap;
            std::thread::spawn(move || {
                let (seen, flagged, kw_uid, kw) = plan(i);
                let mut c = Client::connect(port);
                c.ok("a", "LOGIN alice secret");
                let selected = c.ok("b", "SELECT INBOX");
                assert!(
                    selected
                        .iter()
                        .any(|l| l == &format!("* {MESSAGES} EXISTS\r\n")),
                    "{selected:?}"
                );
                let fetched = c.ok("c", "FETCH 1:* (UID FLAGS)");
                assert_eq!(flags_by_uid(&fetched).len(), MESSAGES, "{fetched:?}");
                c.ok("d", &format!("UID STORE {seen} +FLAGS (\\Seen)"));
                c.ok(
                    "e",
                    &format!("UID STORE {flagged} +FLAGS.SILENT (\\Flagged)"),
                );
                c.ok("f", &format!("UID STORE {kw_uid} +FLAGS ({kw})"));
                let fetched = c.ok("g", "UID FETCH 1:* (FLAGS)");
                let now = flags_by_uid(&fetched);
                // What this session set is there.
                assert!(
                    now[&(seen as u32)].contains(&"\\Seen".to_owned()),
                    "{now:?}"
                );
                assert!(now[&(kw_uid as u32)].contains(&kw), "{now:?}");
                c.ok("h", "LOGOUT");
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    eprintln!("{SESSIONS} sessions in {:?}", started.elapsed());
    let mut expected: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    for i in 0..SESSIONS {
        let (seen, flagged, kw_uid, kw) = plan(i);
        expected
            .entry(seen as u32)
            .or_default()
            .push("\\Seen".into());
        expected
            .entry(flagged as u32)
            .or_default()
            .push("\\Flagged".into());
        expected.entry(kw_uid as u32).or_default().push(kw);
    }
    for flags in expected.values_mut() {
        flags.sort();
        flags.dedup();
    }
    let mut c = Client::connect(server.imap);
    c.ok("a", "LOGIN alice secret");
    c.ok("b", "SELECT INBOX");
    let got = flags_by_uid(&c.ok("c", "FETCH 1:* (UID FLAGS)"));
    assert_eq!(got, expected, "{}", server.log());
    // On disk: one file per message, with the letters for those flags.
    let root = server.maildir("alice");
    let on_disk = files(&root);
    assert_eq!(on_disk.len(), MESSAGES, "{on_disk:?}");
    let mut disk_flags: Vec<Vec<String>> = on_disk
        .iter()
        .map(|(name, _)| {
            let mut f: Vec<String> = letters(name)
                .chars()
                .map(|l| match l {
                    'S' => "\\Seen".to_owned(),
                    'F' => "\\Flagged".to_owned(),
                    k => keyword(&root, k).unwrap_or_else(|| format!("unnamed {k}")),
                })
                .collect();
            f.sort();
            f
        })
        .collect();
    disk_flags.sort();
    let mut want: Vec<Vec<String>> = expected.into_values().collect();
    want.sort();
    assert_eq!(disk_flags, want);
    c.ok("d", "LOGOUT");
}

#[test]
fn bad_input_over_tcp() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    // An APPEND literal over the limit is refused before `+`: the client never sends it.
    let mut c = Client::connect(server.imap);
    c.ok("a", "LOGIN alice secret");
    let (untagged, done) = c.command("b", "APPEND INBOX {104857600}");
    assert!(untagged.is_empty(), "{untagged:?}");
    assert!(done.starts_with("b NO [LIMIT]"), "{done}");
    c.ok("c", "NOOP");
    assert_eq!(files(&server.maildir("alice")).len(), 0);
    assert_eq!(server.tmp_files("alice"), 0);
    // A malformed command stream: each command answered BAD, the session goes on.
    let mut raw = Raw::connect(server.imap);
    raw.read_until("\r\n", Duration::from_secs(5));
    let answers = raw.send(
        b"a LOGIN alice secret\r\nx FOO bar (\r\n\x00\x01\x02 garbage\r\n) ) (\r\nb FETCH 1:* (FLAGS\r\nc SELECT \"unterminated\r\nd NOOP\r\n",
    );
    let lines: Vec<&str> = answers.lines().collect();
    assert!(lines[0].starts_with("a OK"), "{answers}");
    assert_eq!(
        lines.iter().filter(|l| l.contains(" BAD ")).count(),
        5,
        "{answers}"
    );
    assert!(
        answers.contains("x BAD") && answers.contains("b BAD") && answers.contains("c BAD"),
        "{answers}"
    );
    assert_eq!(lines.last(), Some(&"d OK NOOP completed"), "{answers}");
    // Ten invalid commands in a row: BYE and the connection closes.
    let mut flood = Vec::new();
    for i in 0..10 {
        flood.extend_from_slice(format!("x{i} FOO (\r\n").as_bytes());
    }
    raw.0.write_all_imap(&flood);
    let rest = raw.read_until("BYE", Duration::from_secs(5));
    assert_eq!(rest.matches(" BAD ").count(), 10, "{rest}");
    assert!(rest.contains("* BYE"), "{rest}");
    let (closed, _) = raw.closed_within(Duration::from_secs(5));
    assert!(closed);
    // The server is still up.
    let mut c = Client::connect(server.imap);
    c.ok("a", "LOGIN alice secret");
    c.ok("b", "LOGOUT");
}

/// Returns the subject of a message.
fn subject(data: &[u8]) -> String {
    String::from_utf8_lossy(data)
        .lines()
        .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
        .unwrap_or_default()
}

/// Returns subject → flag letters of the mailbox in `dir`.
fn by_subject(dir: &Path) -> std::collections::BTreeMap<String, String> {
    files(dir)
        .into_iter()
        .map(|(name, data)| (subject(&data), letters(&name).to_owned()))
        .collect()
}

#[test]
fn fetchmail_over_imap_keep_then_flush() {
    if !have("fetchmail") {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(server.smtp, "alice", &with_subject("one"));
    deliver(server.smtp, "alice", &with_subject("two"));
    let home = TempDir::new("fetchmail-imap");
    let out = home.path().join("delivered");
    let rc = home.path().join("fetchmailrc");
    let fetchmail = |options: &str| {
        std::fs::write(
            &rc,
            format!(
                "set no syslog\npoll 127.0.0.1 with proto IMAP port {port}\n  user \"alice\" there with password \"secret\" is \"root\" here\n  options sslproto '' {options}\n  mda \"/bin/sh -c 'cat >> {out}'\"\n",
                port = server.imap,
                out = out.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut cmd = Command::new("fetchmail");
        cmd.env("FETCHMAILHOME", home.path()).args([
            "--fetchmailrc",
            rc.to_str().unwrap(),
            "--pidfile",
            home.path().join("pid").to_str().unwrap(),
        ]);
        let output = cmd.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let delivered = || {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let mut subjects: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
            .collect();
        subjects.sort();
        subjects
    };
    let inbox = server.maildir("alice");
    // keep: both downloaded, both stay on the server, marked \Seen.
    let (code, err) = fetchmail("keep");
    assert_eq!(code, Some(0), "{err}\n{}", server.log());
    assert_eq!(delivered(), ["one", "two"]);
    let left = by_subject(&inbox);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.values().all(|l| l == "S"), "{left:?}");
    // keep again: nothing new (fetchmail's exit 1: no mail).
    let (code, err) = fetchmail("keep");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(delivered().len(), 2);
    // flush without keep: the new one is downloaded and deleted, the old ones flushed.
    deliver(server.smtp, "alice", &with_subject("three"));
    let (code, err) = fetchmail("flush");
    assert_eq!(code, Some(0), "{err}\n{}", server.log());
    assert_eq!(delivered(), ["one", "three", "two"]);
    assert!(files(&inbox).is_empty(), "{:?}", by_subject(&inbox));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("\n.starts with a dot\n") || text.contains("\r\n.starts with a dot\r\n"),
        "{text}"
    );
}

#[test]
fn mbsync_two_way_sync() {
    if !have("mbsync") {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    for s in ["m1", "m2", "m3", "m4", "m5"] {
        deliver(server.smtp, "alice", &with_subject(s));
    }
    let home = TempDir::new("mbsync");
    let local = home.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let rc = home.path().join("mbsyncrc");
    std::fs::write(
        &rc,
        format!(
            "IMAPAccount ours\nHost 127.0.0.1\nPort {port}\nUser alice\nPass secret\nSSLType None\nAuthMechs LOGIN\n\n\
IMAPStore remote\nAccount ours\n\n\
MaildirStore local\nPath {l}/\nInbox {l}/INBOX\nSubFolders Verbatim\n\n\
Channel sync\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\nRemove Both\nExpunge Both\nSyncState *\n",
            port = server.imap,
            l = local.display()
        ),
    )
    .unwrap();
    // Each run's protocol trace, shown when an assertion fails.
    let traces = std::cell::RefCell::new(String::new());
    let mbsync = || {
        let (ok, out, err) = run(
            Command::new("mbsync")
                .arg("-Dn")
                .arg("-c")
                .arg(&rc)
                .arg("-a"),
            b"",
        );
        traces.borrow_mut().push_str(&format!("{out}\n{err}\n"));
        assert!(ok, "mbsync failed: {}\n{}", traces.borrow(), server.log());
    };
    mbsync();
    let near_inbox = local.join("INBOX");
    let far_inbox = server.maildir("alice");
    let pulled = by_subject(&near_inbox);
    assert_eq!(
        pulled.keys().collect::<Vec<_>>(),
        ["m1", "m2", "m3", "m4", "m5"]
    );
    for name in ["Archive", "Drafts", "Junk", "Sent", "Trash"] {
        assert!(local.join(name).join("cur").is_dir(), "{name}");
    }
    // Far side: m1 flagged, m4 expunged, m5 moved to Archive.
    let mut c = Client::connect(server.imap);
    c.ok("a", "LOGIN alice secret");
    c.ok("b", "SELECT INBOX");
    let uids = c.ok("c", "UID SEARCH ALL");
    assert_eq!(uids, ["* SEARCH 1 2 3 4 5\r\n"]);
    c.ok("d", "UID STORE 1 +FLAGS (\\Flagged)");
    c.ok("e", "UID STORE 4 +FLAGS (\\Deleted)");
    c.ok("f", "EXPUNGE");
    c.ok("g", "UID MOVE 5 Archive");
    c.ok("h", "LOGOUT");
    // Near side: m2 read, m3 deleted, a new message written.
    for (name, _) in files(&near_inbox) {
        let data = std::fs::read(near_inbox.join(&name)).unwrap();
        let flag = match subject(&data).as_str() {
            "m2" => "S",
            "m3" => "T",
            _ => continue,
        };
        let base = name.split_once('/').unwrap().1;
        let base = base.rsplit_once(":2,").map_or(base, |(b, _)| b);
        std::fs::rename(
            near_inbox.join(&name),
            near_inbox.join("cur").join(format!("{base}:2,{flag}")),
        )
        .unwrap();
    }
    std::fs::write(
        near_inbox.join("new/1700000000.local1.host"),
        with_subject("written near"),
    )
    .unwrap();
    mbsync();
    let expected_inbox: std::collections::BTreeMap<String, String> =
        [("m1", "F"), ("m2", "S"), ("written near", "")]
            .into_iter()
            .map(|(s, f)| (s.to_owned(), f.to_owned()))
            .collect();
    let expected_archive: std::collections::BTreeMap<String, String> =
        [("m5".to_owned(), String::new())].into_iter().collect();
    assert_eq!(
        by_subject(&far_inbox),
        expected_inbox,
        "{:?}\n{}\n{}",
        files(&far_inbox)
            .iter()
            .map(|(n, d)| (n, String::from_utf8_lossy(d)))
            .collect::<Vec<_>>(),
        traces.borrow(),
        server.log()
    );
    assert_eq!(
        by_subject(&near_inbox),
        expected_inbox,
        "{}",
        traces.borrow()
    );
    assert_eq!(by_subject(&far_inbox.join(".Archive")), expected_archive);
    assert_eq!(by_subject(&local.join("Archive")), expected_archive);
    // The message written near arrived byte for byte, but for the `X-TUID` header mbsync
    // adds to find its uploads again.
    let up = files(&far_inbox)
        .into_iter()
        .find(|(_, d)| subject(d) == "written near")
        .unwrap();
    let up = String::from_utf8(up.1).unwrap();
    let without: String = up
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("X-TUID: "))
        .collect();
    assert!(up.contains("\r\nX-TUID: "), "{up}");
    assert_eq!(without.as_bytes(), with_subject("written near"));
    // A second sync changes nothing on either side.
    let state = || {
        let mut all = Vec::new();
        for dir in [
            near_inbox.clone(),
            local.join("Archive"),
            far_inbox.clone(),
            far_inbox.join(".Archive"),
        ] {
            all.push(files(&dir));
            all.push(vec![(
                ".mbsyncstate".into(),
                std::fs::read(dir.join(".mbsyncstate")).unwrap_or_default(),
            )]);
        }
        all
    };
    let before = state();
    mbsync();
    assert_eq!(state(), before, "{}", traces.borrow());
}

/// A read-only look at every mailbox over IMAP (EXAMINE), printed the same way whatever
/// the server: UIDVALIDITY, UIDNEXT, and each message's UID, sorted flags, size,
/// INTERNALDATE and content.
fn look(port: u16, mailboxes: &[&str]) -> String {
    let script = format!(
        r#"
import imaplib, re
M = imaplib.IMAP4("127.0.0.1", {port})
M.login("alice", "secret")
out = []
for box in {boxes:?}:
    typ, data = M.select(box, readonly=True)
    assert typ == "OK", (box, data)
    out.append((box, int(data[0]), M.response("UIDVALIDITY")[1], M.response("UIDNEXT")[1]))
    if int(data[0]) == 0:
        continue
    typ, data = M.fetch("1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[])")
    assert typ == "OK", data
    for item in data:
        if not isinstance(item, tuple):
            continue
        head = item[0].decode()
        uid = re.search(r"UID (\d+)", head).group(1)
        flags = sorted(re.search(r"FLAGS \(([^)]*)\)", head).group(1).split())
        size = re.search(r"RFC822.SIZE (\d+)", head).group(1)
        date = re.search(r'INTERNALDATE "([^"]*)"', head).group(1)
        out.append((uid, flags, size, date, item[1]))
M.logout()
for line in out:
    print(repr(line))
"#,
        boxes = mailboxes
    );
    let (ok, out, err) = python(&script);
    assert!(ok, "{out}\n{err}");
    out
}

#[test]
fn dovecot_sees_what_our_session_left_and_we_see_what_dovecot_changes() {
    if !have("dovecot") || !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(server.smtp, "alice", &with_subject("delivered"));
    let script = format!(
        r#"
import imaplib
MSG = {msg}
M = imaplib.IMAP4("127.0.0.1", {port})
M.login("alice", "secret")
M.create("Work")
for i, flags in enumerate([r"(\Seen)", r"(\Flagged $Label1)", None, r"(\Draft Todo)"]):
    typ, data = M.append("INBOX", flags, imaplib.Time2Internaldate(1577934245 + i), MSG.replace(b"hello imap", b"appended %d" % i))
    assert typ == "OK", data
typ, data = M.append("Work", r"(Project)", None, MSG)
assert typ == "OK", data
M.select("INBOX")
typ, data = M.store("1", "+FLAGS", r"(\Answered)")
assert typ == "OK", data
typ, data = M.store("3", "+FLAGS", r"(\Deleted)")
typ, data = M.expunge()
assert data == [b"3"], data
typ, data = M.store("4", "-FLAGS", r"(\Flagged)")
typ, data = M.uid("COPY", "2", "Work")
assert typ == "OK", data
M.logout()
print("ok")
"#,
        msg = py_bytes(MESSAGE),
        port = server.imap,
    );
    let (ok, out, err) = python(&script);
    assert!(ok && out.contains("ok"), "{out}\n{err}\n{}", server.log());
    let boxes = ["INBOX", "Work"];
    let ours = look(server.imap, &boxes);
    assert_eq!(
        ours.lines().filter(|l| l.starts_with("('")).count(),
        8,
        "{ours}"
    );
    assert!(
        ours.contains("'$Label1'") && ours.contains("'Project'"),
        "{ours}"
    );
    let dir = TempDir::new("dovecot-imap");
    let dovecot = Dovecot::start(
        dir.path(),
        "imap",
        &server.dir.path().join("mail"),
        &[("alice", "secret")],
    );
    let theirs = look(dovecot.port, &boxes);
    assert_eq!(theirs, ours, "{}", dovecot.log());
    // And back: Dovecot changes flags, adds a keyword and a message; we see the same.
    let script = format!(
        r#"
import imaplib
M = imaplib.IMAP4("127.0.0.1", {port})
M.login("alice", "secret")
M.select("INBOX")
typ, data = M.store("1", "+FLAGS", r"(\Seen NewFromDovecot)")
assert typ == "OK", data
typ, data = M.append("INBOX", r"(\Seen AlsoNew)", None, b"Subject: from dovecot\r\n\r\nhi\r\n")
assert typ == "OK", data
typ, data = M.store("2", "+FLAGS", r"(\Deleted)")
M.expunge()
M.logout()
print("ok")
"#,
        port = dovecot.port
    );
    let (ok, out, err) = python(&script);
    assert!(ok && out.contains("ok"), "{out}\n{err}\n{}", dovecot.log());
    let theirs = look(dovecot.port, &boxes);
    let ours = look(server.imap, &boxes);
    assert_eq!(ours, theirs, "{}", server.log());
    assert!(
        ours.contains("'NewFromDovecot'") && ours.contains("'AlsoNew'"),
        "{ours}"
    );
}

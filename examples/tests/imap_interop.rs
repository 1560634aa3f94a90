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

use support::{MailServer, PYTHON, Raw, deliver, have, py_bytes, python, run};

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

/// A line-oriented IMAP client over TCP for responses without literals.
struct Client {
    reader: std::io::BufReader<std::net::TcpStream>,
    writer: std::net::TcpStream,
}

impl Client {
    fn connect(port: u16) -> Self {
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut c = Self {
            reader: std::io::BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        let greeting = c.line();
        assert!(greeting.starts_with("* OK"), "{greeting}");
        c
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.reader, &mut line).unwrap();
        line
    }

    /// Sends `tag command` and returns the untagged lines and the tagged one.
    fn command(&mut self, tag: &str, command: &str) -> (Vec<String>, String) {
        std::io::Write::write_all(&mut self.writer, format!("{tag} {command}\r\n").as_bytes())
            .unwrap();
        let mut untagged = Vec::new();
        loop {
            let line = self.line();
            assert!(!line.is_empty(), "closed after {command}: {untagged:?}");
            if line.starts_with(&format!("{tag} ")) {
                return (untagged, line);
            }
            untagged.push(line);
        }
    }

    /// Sends a command that must complete with OK.
    fn ok(&mut self, tag: &str, command: &str) -> Vec<String> {
        let (untagged, done) = self.command(tag, command);
        assert!(
            done.starts_with(&format!("{tag} OK")),
            "{command}: {done} {untagged:?}"
        );
        untagged
    }
}

/// Returns UID → flags from `* n FETCH (UID u FLAGS (...))` lines.
fn flags_by_uid(lines: &[String]) -> std::collections::BTreeMap<u32, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    for l in lines {
        let Some(rest) = l.split_once("UID ").map(|(_, r)| r) else {
            continue;
        };
        let uid: u32 = rest.split(' ').next().unwrap().parse().unwrap();
        let flags = l.split_once("FLAGS (").unwrap().1;
        let flags = flags.split_once(')').unwrap().0;
        let mut flags: Vec<String> = flags.split_whitespace().map(str::to_owned).collect();
        flags.sort();
        out.insert(uid, flags);
    }
    out
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

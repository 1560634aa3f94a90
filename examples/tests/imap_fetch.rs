//! `imap-fetch` against real servers on 127.0.0.1: Dovecot (incremental downloads, a
//! changed UIDVALIDITY, the size limit), `mail-server` (STARTTLS with its self-signed
//! certificate, IDLE woken by an SMTP delivery), and a hostile server that sends a body larger
//! than the limit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Client, Dovecot, MailServer, Proc, TempDir, deliver, example, have, run};

const MESSAGE: &[u8] = b"From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: fetch me\r\n\r\nfirst body line\r\n.starts with a dot\r\nlast line\r\n";

/// A message larger than the client's 64 KiB streaming threshold: its body arrives in chunks.
fn large_message() -> Vec<u8> {
    let mut m = b"Subject: large\r\n\r\n".to_vec();
    for i in 0..4000 {
        m.extend_from_slice(format!("line {i:05} of a message that is streamed\r\n").as_bytes());
    }
    m
}

/// Runs `imap-fetch` with `args` into `out`; returns (success, stdout, stderr).
fn fetch(server: &str, out: &Path, args: &[&str]) -> (bool, String, String) {
    run(
        Command::new(example("imap-fetch"))
            .args(["--server", server, "--out", out.to_str().unwrap()])
            .args(args),
        b"",
    )
}

/// Returns the contents of the messages in the Maildir `dir` (`new/` and `cur/`), sorted.
fn contents(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd {
            out.push(std::fs::read(e.unwrap().path()).unwrap());
        }
    }
    out.sort();
    out
}

/// Returns how many files are in `dir/tmp`.
fn tmp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("tmp")).map_or(0, Iterator::count)
}

/// Returns (UIDVALIDITY, last UID) from the state file in `out`.
fn state(out: &Path) -> (u32, u32) {
    let text = std::fs::read_to_string(out.join("imap-fetch.state")).unwrap();
    let field = |key: &str| -> u32 {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    (field("uidvalidity "), field("last-uid "))
}

/// Writes Maildir `mail/USER` under `root` with `messages` in `new/`.
fn maildir(root: &Path, user: &str, messages: &[&[u8]]) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join("mail").join(user).join(sub)).unwrap();
    }
    for (i, m) in messages.iter().enumerate() {
        std::fs::write(
            root.join("mail")
                .join(user)
                .join("new")
                .join(format!("{}.M{i}.test", i + 1)),
            m,
        )
        .unwrap();
    }
}

#[test]
fn dovecot_incremental_downloads_and_a_changed_uidvalidity() {
    if !have("dovecot") {
        return;
    }
    let dir = TempDir::new("imap-fetch-dovecot");
    let root = dir.path();
    let large = large_message();
    let second = b"Subject: two\r\n\r\nsecond\r\n".to_vec();
    maildir(root, "carol", &[MESSAGE, &second, &large]);
    let dovecot = Dovecot::start(root, "imap", &root.join("mail"), &[("carol", "s3cret")]);
    let server = format!("127.0.0.1:{}", dovecot.port);
    let out = root.join("fetched");
    let login = ["--user", "carol:s3cret", "--allow-plaintext-auth"];

    // First run: every message, byte for byte, one line each on stdout.
    let (ok, stdout, err) = fetch(&server, &out, &login);
    assert!(ok, "{stdout}\n{err}\n{}", dovecot.log());
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    let mut expected = vec![MESSAGE.to_vec(), second.clone(), large.clone()];
    expected.sort();
    assert_eq!(contents(&out), expected);
    assert_eq!(tmp_files(&out), 0);
    let (validity, last) = state(&out);
    assert_eq!(last, 3);
    let uids: Vec<&str> = stdout
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(uids, ["1", "2", "3"]);

    // Second run: nothing new.
    let (ok, stdout, err) = fetch(&server, &out, &login);
    assert!(ok, "{stdout}\n{err}");
    assert_eq!(stdout, "");
    assert_eq!(contents(&out).len(), 3);
    assert_eq!(state(&out), (validity, 3));

    // A message appended: the third run downloads it alone.
    let appended = b"Subject: appended\r\n\r\nnew since the last run\r\n".to_vec();
    let mut c = Client::connect(dovecot.port);
    c.ok("a", "LOGIN carol s3cret");
    let (_, done) = c.append("b", "INBOX", &appended);
    assert!(done.starts_with("b OK"), "{done}");
    c.ok("c", "LOGOUT");
    let (ok, stdout, err) = fetch(&server, &out, &login);
    assert!(ok, "{stdout}\n{err}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("4 "), "{stdout}");
    let path = stdout.trim_end().splitn(3, ' ').nth(2).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), appended);
    assert_eq!(contents(&out).len(), 4);
    assert_eq!(state(&out), (validity, 4));

    // The mailbox's UIDs renumbered (Dovecot's uidlist and index gone): everything again.
    // UIDVALIDITY is a time in seconds: wait for another second.
    std::thread::sleep(Duration::from_millis(1100));
    let carol = root.join("mail/carol");
    for e in std::fs::read_dir(&carol).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if name.starts_with("dovecot") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let (ok, stdout, err) = fetch(&server, &out, &login);
    assert!(ok, "{stdout}\n{err}");
    let (new_validity, last) = state(&out);
    assert_ne!(new_validity, validity);
    assert!(err.contains("UIDVALIDITY"), "{err}");
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    assert_eq!(last, 4);
    // Each message is now in the Maildir twice: once per UIDVALIDITY.
    let mut twice: Vec<Vec<u8>> =
        [expected.clone(), expected, vec![appended.clone(), appended]].concat();
    twice.sort();
    assert_eq!(contents(&out), twice);
}

#[test]
fn dovecot_messages_over_the_size_limit_are_skipped_and_reported() {
    if !have("dovecot") {
        return;
    }
    let dir = TempDir::new("imap-fetch-limit");
    let root = dir.path();
    let large = large_message();
    maildir(root, "carol", &[&large, MESSAGE]);
    let dovecot = Dovecot::start(root, "imap", &root.join("mail"), &[("carol", "s3cret")]);
    let server = format!("127.0.0.1:{}", dovecot.port);
    let out = root.join("fetched");
    let limit = (MESSAGE.len() + 1).to_string();
    let args = [
        "--user",
        "carol:s3cret",
        "--allow-plaintext-auth",
        "--max-message-size",
        &limit,
    ];
    let (ok, stdout, err) = fetch(&server, &out, &args);
    assert!(ok, "{stdout}\n{err}\n{}", dovecot.log());
    assert_eq!(contents(&out), vec![MESSAGE.to_vec()]);
    assert!(stdout.starts_with("2 "), "{stdout}");
    assert!(
        err.contains("UID 1") && err.contains("--max-message-size"),
        "{err}"
    );
    // Refused once: the state moved past it, and the next run does not try again.
    assert_eq!(state(&out).1, 2);
    let (ok, stdout, err) = fetch(&server, &out, &args);
    assert!(
        ok && stdout.is_empty() && !err.contains("UID 1"),
        "{stdout}\n{err}"
    );
}

/// Serves one client on `listener` with a scripted IMAP server: the greeting, then for each
/// command line `answer(tag, LINE IN UPPER CASE, writer)`, until it returns `false` or the
/// client goes away.
fn scripted(
    listener: &std::net::TcpListener,
    mut answer: impl FnMut(&str, &str, &mut std::net::TcpStream) -> bool,
) {
    let (stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    if w.write_all(b"* OK [CAPABILITY IMAP4rev1 IDLE] scripted server ready\r\n")
        .is_err()
    {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        // A line of one word (`DONE`) is all tag.
        let line = line.trim_end();
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        if !answer(tag, &rest.to_ascii_uppercase(), &mut w) {
            return;
        }
    }
}

/// The answers to LOGIN, CAPABILITY, LOGOUT and EXAMINE of a mailbox of `exists` messages (UIDVALIDITY 7), or
/// `None` for another command.
fn open_mailbox(tag: &str, line: &str, exists: u32) -> Option<String> {
    if line.starts_with("LOGIN") {
        Some(format!("{tag} OK logged in\r\n"))
    } else if line.starts_with("EXAMINE") {
        Some(format!(
            "* {exists} EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{tag} OK [READ-ONLY] examined\r\n"
        ))
    } else if line.starts_with("CAPABILITY") {
        Some(format!("* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK\r\n"))
    } else if line.starts_with("LOGOUT") {
        Some(format!("* BYE bye\r\n{tag} OK bye\r\n"))
    } else {
        None
    }
}

/// A server that claims a 10-octet message, then sends a 1 GiB body: the client must stop at
/// the announcement, before reading the body. Returns how many octets the server managed to
/// write before the client went away.
fn lying_server(listener: &std::net::TcpListener) -> u64 {
    let mut written = 0u64;
    scripted(listener, |tag, line, w| {
        if let Some(reply) = open_mailbox(tag, line, 1) {
            return w.write_all(reply.as_bytes()).is_ok();
        }
        if line.contains("RFC822.SIZE") {
            let reply = format!("* 1 FETCH (UID 1 RFC822.SIZE 10)\r\n{tag} OK done\r\n");
            return w.write_all(reply.as_bytes()).is_ok();
        }
        if line.starts_with("UID FETCH") {
            if w.write_all(b"* 1 FETCH (UID 1 BODY[] {1073741824}\r\n")
                .is_err()
            {
                return false;
            }
            let chunk = vec![b'x'; 1 << 20];
            while written < 1 << 30 {
                if w.write_all(&chunk).is_err() {
                    return false;
                }
                written += chunk.len() as u64;
            }
            return false;
        }
        w.write_all(format!("{tag} OK\r\n").as_bytes()).is_ok()
    });
    written
}

#[test]
fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let dir = TempDir::new("imap-fetch-liar");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let liar = std::thread::spawn(move || lying_server(&listener));
    let out = dir.path().join("fetched");
    let started = Instant::now();
    let (ok, stdout, err) = fetch(
        &format!("127.0.0.1:{port}"),
        &out,
        &["--user", "u:p", "--allow-plaintext-auth"],
    );
    let written = liar.join().unwrap();
    eprintln!(
        "liar: {written} octets of the 1 GiB body written before the client left, after {:?}",
        started.elapsed()
    );
    assert!(!ok, "{stdout}\n{err}");
    assert!(
        err.contains("1073741824") && err.contains("--max-message-size"),
        "{err}"
    );
    assert_eq!(stdout, "");
    assert!(contents(&out).is_empty());
    assert_eq!(tmp_files(&out), 0);
    // The server got rid of no more than what the sockets' buffers hold, not the gigabyte.
    assert!(written < 64 << 20, "{written} octets written");
    assert!(started.elapsed() < Duration::from_secs(30));
    // Nothing was stored, so the next run would ask for UID 1 again.
    assert_eq!(state(&out).1, 0);
}

#[test]
fn starttls_against_mail_server_needs_insecure_for_a_self_signed_certificate() {
    let server = MailServer::start(&[]);
    deliver(server.smtp, "alice", MESSAGE);
    let dir = TempDir::new("imap-fetch-tls");
    let out = dir.path().join("fetched");
    let address = format!("localhost:{}", server.imap);
    // Verified by default: the self-signed certificate is refused, and no password is sent.
    let (ok, stdout, err) = fetch(&address, &out, &["--starttls", "--user", "alice:secret"]);
    assert!(!ok, "{stdout}\n{err}");
    assert!(contents(&out).is_empty());
    assert!(
        !server.log().contains("IMAP authentication attempt"),
        "{}",
        server.log()
    );
    // --insecure: downloaded.
    let (ok, stdout, err) = fetch(
        &address,
        &out,
        &["--starttls", "--insecure", "--user", "alice:secret"],
    );
    assert!(ok, "{stdout}\n{err}\n{}", server.log());
    assert!(
        err.contains("--insecure: the server's certificate is not verified"),
        "{err}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_eq!(contents(&out), server.messages("alice"));
    // --ca with the server's certificate: verified, and nothing new.
    let cert = server.cert.to_str().unwrap().to_owned();
    let (ok, stdout, err) = fetch(
        &address,
        &out,
        &["--starttls", "--ca", &cert, "--user", "alice:secret"],
    );
    assert!(ok, "{stdout}\n{err}");
    assert_eq!(stdout, "");
    // Without TLS the password is not sent.
    let (ok, _, err) = fetch(&address, &out, &["--user", "alice:secret"]);
    assert!(!ok, "{err}");
}

#[test]
fn idle_downloads_a_message_delivered_over_smtp_within_seconds() {
    let server = MailServer::start(&[]);
    let dir = TempDir::new("imap-fetch-idle");
    let out = dir.path().join("fetched");
    let stdout_path = dir.path().join("stdout");
    let mut child = Proc {
        child: Command::new(example("imap-fetch"))
            .args(["--server", &format!("127.0.0.1:{}", server.imap)])
            .args([
                "--starttls",
                "--insecure",
                "--user",
                "bob:hunter2",
                "--idle",
            ])
            .args(["--out", out.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .unwrap(),
        name: "imap-fetch".into(),
    };
    // The first round (an empty mailbox) is over once the state file exists.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !out.join("imap-fetch.state").exists() {
        assert!(Instant::now() < deadline, "no state file");
        assert!(
            child.child.try_wait().unwrap().is_none(),
            "imap-fetch ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Give it a moment to enter IDLE, then deliver.
    std::thread::sleep(Duration::from_millis(300));
    deliver(server.smtp, "bob", MESSAGE);
    let delivered = Instant::now();
    while contents(&out).is_empty() {
        assert!(
            delivered.elapsed() < Duration::from_secs(5),
            "not downloaded within 5 s\n{}\n{}",
            std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default(),
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "IDLE: downloaded {:?} after the delivery",
        delivered.elapsed()
    );
    assert_eq!(contents(&out), server.messages("bob"));
    assert!(child.child.try_wait().unwrap().is_none(), "still idling");
    // The line on stdout comes at once, not at exit.
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_to_string(&stdout_path)
        .unwrap()
        .lines()
        .count()
        != 1
    {
        assert!(Instant::now() < deadline, "no line on stdout");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(state(&out).1, 1);
    drop(child);
}

/// Message `uid` of the racing server.
fn racing_message(uid: u32) -> Vec<u8> {
    format!("Subject: message {uid}\r\n\r\nbody {uid}\r\n").into_bytes()
}

#[test]
fn with_idle_a_message_announced_during_a_download_is_fetched_before_idling() {
    let dir = TempDir::new("imap-fetch-race");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Message 2 is announced in the middle of message 1's download; the IDLE that follows
    // gets no update, so the client must not wait for one to fetch message 2.
    let server = std::thread::spawn(move || {
        let mut commands = Vec::new();
        scripted(&listener, |tag, line, w| {
            commands.push(line.to_owned());
            let reply = if let Some(reply) = open_mailbox(tag, line, 1) {
                reply
            } else if line.starts_with("UID FETCH 1:* (UID RFC822.SIZE)") {
                format!("* 1 FETCH (UID 1 RFC822.SIZE 26)\r\n{tag} OK done\r\n")
            } else if line.starts_with("UID FETCH 2:* (UID RFC822.SIZE)") {
                format!("* 2 FETCH (UID 2 RFC822.SIZE 26)\r\n{tag} OK done\r\n")
            } else if let Some(uid) = ["1", "2"]
                .into_iter()
                .find(|u| line.starts_with(&format!("UID FETCH {u} ")))
            {
                let m = racing_message(uid.parse().unwrap());
                let mut reply = format!("* {uid} FETCH (UID {uid} BODY[] {{{}}}\r\n", m.len());
                reply.push_str(std::str::from_utf8(&m).unwrap());
                reply.push_str(")\r\n");
                if uid == "1" {
                    reply.push_str("* 2 EXISTS\r\n");
                }
                reply.push_str(&format!("{tag} OK done\r\n"));
                reply
            } else if line == "IDLE" {
                let _ = w.write_all(b"+ idling\r\n");
                return false;
            } else {
                format!("{tag} BAD unexpected\r\n")
            };
            w.write_all(reply.as_bytes()).is_ok()
        });
        commands
    });
    let out = dir.path().join("fetched");
    let mut child = Proc {
        child: Command::new(example("imap-fetch"))
            .args(["--server", &format!("127.0.0.1:{port}")])
            .args(["--user", "u:p", "--allow-plaintext-auth", "--idle"])
            .args(["--out", out.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        name: "imap-fetch".into(),
    };
    let commands = server.join().unwrap();
    assert_eq!(
        commands.last().map(String::as_str),
        Some("IDLE"),
        "{commands:?}"
    );
    assert_eq!(contents(&out), vec![racing_message(1), racing_message(2)]);
    assert_eq!(state(&out), (7, 2));
    let _ = child.child.kill();
}

#[test]
fn progress_is_shown_on_a_terminal_only() {
    if !have("script") || !have("dovecot") {
        return;
    }
    let dir = TempDir::new("imap-fetch-progress");
    let root = dir.path();
    let large = large_message();
    maildir(root, "carol", &[MESSAGE, &large]);
    let dovecot = Dovecot::start(root, "imap", &root.join("mail"), &[("carol", "s3cret")]);
    let server = format!("127.0.0.1:{}", dovecot.port);
    let login = ["--user", "carol:s3cret", "--allow-plaintext-auth"];
    // Not a terminal: stderr stays quiet.
    let (ok, stdout, err) = fetch(&server, &root.join("plain"), &login);
    assert!(ok, "{stdout}\n{err}");
    assert!(!err.contains("messages,"), "{err}");
    // A terminal (`script` gives the program a pseudo-terminal): progress lines.
    let command = format!(
        "{} --server {server} --out {} {}",
        example("imap-fetch").display(),
        root.join("tty").display(),
        login.join(" ")
    );
    let (ok, stdout, err) = run(
        Command::new("script").args(["-qec", &command, "/dev/null"]),
        b"",
    );
    assert!(ok, "{stdout}\n{err}");
    let total = MESSAGE.len() + large.len();
    assert!(
        stdout.contains(&format!("imap-fetch: 2/2 messages, {total}/{total} octets")),
        "{stdout:?}"
    );
    assert_eq!(contents(&root.join("tty")).len(), 2);
}

#[test]
fn an_idle_is_renewed_after_idle_renew_seconds() {
    let dir = TempDir::new("imap-fetch-renew");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut commands = Vec::new();
        let mut idle: Option<(String, Instant)> = None;
        let mut renewed_after = None;
        scripted(&listener, |tag, line, w| {
            commands.push(format!("{tag} {line}"));
            let reply = if let Some(reply) = open_mailbox(tag, line, 0) {
                reply
            } else if line == "IDLE" {
                if idle.is_some() {
                    // The second IDLE: the renewal is complete.
                    return false;
                }
                idle = Some((tag.to_owned(), Instant::now()));
                "+ idling\r\n".to_owned()
            } else if tag == "DONE" {
                let Some((idle_tag, since)) = idle.as_ref() else {
                    return false;
                };
                renewed_after = Some(since.elapsed());
                format!("{idle_tag} OK idle over\r\n")
            } else {
                format!("{tag} BAD unexpected\r\n")
            };
            w.write_all(reply.as_bytes()).is_ok()
        });
        (commands, renewed_after)
    });
    let mut child = Proc {
        child: Command::new(example("imap-fetch"))
            .args(["--server", &format!("127.0.0.1:{port}")])
            .args(["--user", "u:p", "--allow-plaintext-auth", "--idle"])
            .args(["--idle-renew", "1"])
            .args(["--out", dir.path().join("fetched").to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        name: "imap-fetch".into(),
    };
    let (commands, renewed_after) = server.join().unwrap();
    let _ = child.child.kill();
    let names: Vec<&str> = commands
        .iter()
        .map(|c| {
            c.split_once(' ').map_or(
                c.as_str(),
                |(tag, rest)| if tag == "DONE" { tag } else { rest },
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "LOGIN U P",
            "EXAMINE INBOX",
            "CAPABILITY",
            "IDLE",
            "DONE",
            "IDLE"
        ],
        "{commands:?}"
    );
    let after = renewed_after.unwrap();
    eprintln!("IDLE renewed after {after:?}");
    assert!(
        after >= Duration::from_secs(1) && after < Duration::from_secs(5),
        "{after:?}"
    );
}

#[test]
fn a_listing_longer_than_the_mailbox_ends_the_session() {
    let dir = TempDir::new("imap-fetch-long-listing");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // One message exists, and the size listing goes on without end: the client keeps one
    // entry per message, so it stops at the second.
    let server = std::thread::spawn(move || {
        let mut sent = 0u32;
        scripted(&listener, |tag, line, w| {
            if let Some(reply) = open_mailbox(tag, line, 1) {
                return w.write_all(reply.as_bytes()).is_ok();
            }
            for uid in 1..=1_000_000u32 {
                if w.write_all(format!("* 1 FETCH (UID {uid} RFC822.SIZE 10)\r\n").as_bytes())
                    .is_err()
                {
                    break;
                }
                sent = uid;
            }
            false
        });
        sent
    });
    let out = dir.path().join("fetched");
    let (ok, stdout, err) = fetch(
        &format!("127.0.0.1:{port}"),
        &out,
        &["--user", "u:p", "--allow-plaintext-auth"],
    );
    let sent = server.join().unwrap();
    assert!(!ok, "{stdout}\n{err}");
    assert!(err.contains("more messages than the 1"), "{err}");
    assert!(sent < 1_000_000, "the client read the whole listing");
}

//! The POP3 examples against real third-party software on 127.0.0.1: Python's poplib, curl
//! and fetchmail against `mail-server`; `pop3-fetch` against Dovecot; a message sent over SMTP
//! read back byte for byte over POP3; and hostile input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

mod support;

use std::process::Command;

use support::{Dovecot, MailServer, PYTHON, Raw, TempDir, example, have, py_bytes, python, run};

const MESSAGE: &[u8] = b"From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: round trip\r\n\r\nfirst body line\r\n.starts with a dot\r\n..two dots\r\nlast line\r\n";

/// Delivers `MESSAGE` to `user` over SMTP.
fn deliver(server: &MailServer, user: &str) {
    support::deliver(server.smtp, user, MESSAGE);
}

#[test]
fn python_poplib_stls_user_pass_list_uidl_retr_top_dele() {
    if !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&[]);
    deliver(&server, "bob");
    deliver(&server, "bob");
    let script = format!(
        r#"
import poplib, ssl
ctx = ssl.create_default_context(cafile={cert:?})
p = poplib.POP3("127.0.0.1", {port})
caps = p.capa()
for c in ["STLS", "TOP", "UIDL", "PIPELINING", "RESP-CODES"]:
    assert c in caps, (c, caps)
assert "USER" not in caps and "SASL" not in caps, "login offered before TLS"
p.stls(context=ctx)
caps = p.capa()
for c in ["TOP", "UIDL", "USER", "PIPELINING", "RESP-CODES", "SASL"]:
    assert c in caps, (c, caps)
assert "STLS" not in caps
p.user("bob")
p.pass_("hunter2")
count, size = p.stat()
assert count == 2, count
resp, listing, _ = p.list()
assert len(listing) == 2, listing
resp, uids, _ = p.uidl()
first_uid = uids[0].split()[1]
resp, lines, octets = p.retr(1)
assert b"\r\n".join(lines) + b"\r\n" == {msg}, lines
resp, top, _ = p.top(1, 1)
assert top[-1] == b"first body line", top
assert top[-2] == b"", top
p.dele(1)
count, _ = p.stat()
assert count == 1
p.quit()
p = poplib.POP3("127.0.0.1", {port})
p.stls(context=ctx)
p.user("bob")
p.pass_("hunter2")
assert p.stat()[0] == 1
resp, uids, _ = p.uidl()
assert first_uid not in [u.split()[1] for u in uids], "UIDs must be stable and the deleted one gone"
p.quit()
print("ok")
"#,
        cert = server.cert.to_str().unwrap(),
        port = server.pop3,
        msg = py_bytes(MESSAGE),
    );
    let (ok, out, err) = python(&script);
    assert!(ok && out.contains("ok"), "{out}\n{err}\n{}", server.log());
    assert_eq!(server.messages("bob").len(), 1);
}

#[test]
fn a_message_sent_over_smtp_comes_back_byte_identical_over_pop3() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(&server, "alice");
    let out = TempDir::new("fetched");
    let (ok, stdout, err) = run(
        Command::new(example("pop3-fetch")).args([
            "--server",
            &format!("127.0.0.1:{}", server.pop3),
            "--user",
            "alice:secret",
            "--allow-plaintext-auth",
            "--out",
            out.path().to_str().unwrap(),
        ]),
        b"",
    );
    assert!(ok, "{stdout}\n{err}\n{}", server.log());
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let files: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(files, vec![MESSAGE.to_vec()]);
}

#[test]
fn pop3_fetch_over_stls_and_pop3s_with_delete() {
    let server = MailServer::start(&[]);
    deliver(&server, "alice");
    deliver(&server, "alice");
    let out = TempDir::new("fetched-tls");
    let cert = server.cert.to_str().unwrap().to_owned();
    let (ok, stdout, err) = run(
        Command::new(example("pop3-fetch")).args([
            "--server",
            &format!("localhost:{}", server.pop3),
            "--stls",
            "--ca",
            &cert,
            "--user",
            "alice:secret",
            "--out",
            out.path().to_str().unwrap(),
        ]),
        b"",
    );
    assert!(ok, "{stdout}\n{err}\n{}", server.log());
    assert_eq!(stdout.lines().count(), 2);
    let (ok, stdout, err) = run(
        Command::new(example("pop3-fetch")).args([
            "--server",
            &format!("localhost:{}", server.pop3s),
            "--tls",
            "--ca",
            &cert,
            "--user",
            "alice:secret",
            "--delete",
            "--out",
            out.path().to_str().unwrap(),
        ]),
        b"",
    );
    assert!(ok, "{stdout}\n{err}\n{}", server.log());
    assert_eq!(stdout.lines().count(), 2);
    assert!(server.messages("alice").is_empty(), "DELE applied at QUIT");
}

#[test]
fn curl_pop3_list_and_retrieve() {
    if !have("curl") {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(&server, "alice");
    let url = format!("pop3://alice:secret@127.0.0.1:{}/", server.pop3);
    let (ok, out, err) = run(
        Command::new("curl").args(["--silent", "--show-error", &url]),
        b"",
    );
    assert!(ok, "{out}\n{err}");
    assert!(out.starts_with("1 "), "{out}");
    let (ok, out, err) = run(
        Command::new("curl").args(["--silent", "--show-error", &format!("{url}1")]),
        b"",
    );
    assert!(ok, "{err}");
    assert_eq!(out.as_bytes(), MESSAGE);
}

#[test]
fn fetchmail_one_shot() {
    if !have("fetchmail") {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    deliver(&server, "alice");
    let home = TempDir::new("fetchmail");
    let out = home.path().join("delivered");
    let rc = home.path().join("fetchmailrc");
    std::fs::write(
        &rc,
        format!(
            "set no syslog\npoll 127.0.0.1 with proto POP3 port {port}\n  user \"alice\" there with password \"secret\" is \"root\" here\n  options sslproto '' keep\n  mda \"/bin/sh -c 'cat >> {out}'\"\n",
            port = server.pop3,
            out = out.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ok, stdout, err) = run(
        Command::new("fetchmail")
            .env("FETCHMAILHOME", home.path())
            .args([
                "--fetchmailrc",
                rc.to_str().unwrap(),
                "--pidfile",
                home.path().join("pid").to_str().unwrap(),
            ]),
        b"",
    );
    assert!(ok, "{stdout}\n{err}\n{}", server.log());
    let got = std::fs::read(&out).unwrap();
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.contains("Subject: round trip") && text.contains(".starts with a dot"),
        "{text}"
    );
}

#[test]
fn a_second_session_on_the_same_maildrop_is_in_use() {
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let mut first = Raw::connect(server.pop3);
    first.read();
    let reply = first.send(b"USER alice\r\nPASS secret\r\n");
    assert!(
        reply.ends_with("\r\n") && reply.matches("+OK").count() == 2,
        "{reply}"
    );
    let mut second = Raw::connect(server.pop3);
    second.read();
    let reply = second.send(b"USER alice\r\nPASS secret\r\n");
    assert!(reply.contains("-ERR [IN-USE]"), "{reply}");
    first.send(b"QUIT\r\n");
    let mut third = Raw::connect(server.pop3);
    third.read();
    let reply = third.send(b"USER alice\r\nPASS secret\r\n");
    assert_eq!(
        reply.matches("+OK").count(),
        2,
        "the lock is released at QUIT: {reply}"
    );
}

#[test]
fn stls_injection_is_discarded() {
    if !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&[]);
    let script = format!(
        r#"
import socket, ssl
s = socket.create_connection(("127.0.0.1", {port}))
f = s.makefile("rb")
f.readline()
s.sendall(b"STLS\r\nUSER alice\r\n")
assert f.readline().startswith(b"+OK")
ctx = ssl.create_default_context(cafile={cert:?})
t = ctx.wrap_socket(s, server_hostname="localhost")
tf = t.makefile("rb")
t.sendall(b"PASS secret\r\n")
print(tf.readline())
"#,
        port = server.pop3,
        cert = server.cert.to_str().unwrap()
    );
    let (ok, out, err) = python(&script);
    assert!(ok, "{out}\n{err}");
    // The injected USER was dropped, so PASS comes without USER: refused.
    assert!(out.contains("-ERR"), "{out}");
    assert!(
        server.log().contains("discarded plaintext"),
        "{}",
        server.log()
    );
}

#[test]
fn pop3_fetch_against_dovecot() {
    if !have("dovecot") {
        return;
    }
    let dir = TempDir::new("dovecot");
    let root = dir.path();
    for sub in ["mail/carol/cur", "mail/carol/new", "mail/carol/tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("mail/carol/new/1.M1.test"), MESSAGE).unwrap();
    std::fs::write(
        root.join("mail/carol/new/2.M2.test"),
        b"Subject: two\r\n\r\nsecond\r\n",
    )
    .unwrap();
    let dovecot = Dovecot::start(root, "pop3", &root.join("mail"), &[("carol", "s3cret")]);
    let port = dovecot.port;
    let out = root.join("fetched");
    let (ok, stdout, err) = run(
        Command::new(example("pop3-fetch")).args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--user",
            "carol:s3cret",
            "--allow-plaintext-auth",
            "--delete",
            "--out",
            out.to_str().unwrap(),
        ]),
        b"",
    );
    assert!(ok, "{stdout}\n{err}\n{}", dovecot.log());
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let mut files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    files.sort();
    assert!(files.contains(&MESSAGE.to_vec()), "{files:?}");
    // --delete: Dovecot removed both at QUIT.
    let left = std::fs::read_dir(root.join("mail/carol/cur"))
        .unwrap()
        .count()
        + std::fs::read_dir(root.join("mail/carol/new"))
            .unwrap()
            .count();
    assert_eq!(left, 0);
}

#[test]
fn pop3_fetch_fails_when_the_certificate_is_not_trusted() {
    let server = MailServer::start(&[]);
    deliver(&server, "alice");
    let out = TempDir::new("fetched-untrusted");
    let (ok, stdout, err) = run(
        Command::new(example("pop3-fetch")).args([
            "--server",
            &format!("localhost:{}", server.pop3),
            "--stls",
            "--user",
            "alice:secret",
            "--out",
            out.path().to_str().unwrap(),
        ]),
        b"",
    );
    assert!(
        !ok,
        "a failed TLS handshake must not look like success\n{stdout}\n{err}"
    );
    assert!(err.contains("ended before the download completed"), "{err}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

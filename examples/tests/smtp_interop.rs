//! The SMTP examples against real third-party software on 127.0.0.1: Python's smtplib,
//! swaks and curl against `mail-server`; `smtp-send` against Postfix's smtp-sink and Python's
//! aiosmtpd; and hostile input over TCP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

mod support;

use std::process::Command;
use std::time::Duration;

use support::{
    MailServer, PYTHON, Proc, Raw, TempDir, example, free_port, have, python, run, wait_port,
};

const MESSAGE: &[u8] = b"From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: interop\r\n\r\nHello Bob.\r\n.A line that starts with a dot.\r\n";

#[test]
fn python_smtplib_starttls_login_sendmail() {
    if !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&[]);
    let script = format!(
        r#"
import smtplib, ssl
ctx = ssl.create_default_context(cafile={cert:?})
with smtplib.SMTP("127.0.0.1", {port}) as s:
    code, caps = s.ehlo("python.example")
    assert code == 250, code
    assert s.has_extn("starttls") and s.has_extn("pipelining") and s.has_extn("smtputf8")
    assert not s.has_extn("auth"), "AUTH offered before TLS"
    s.starttls(context=ctx)
    s.ehlo("python.example")
    assert "PLAIN" in s.esmtp_features["auth"].upper(), s.esmtp_features
    s.login("alice", "secret")
    refused = s.sendmail("alice@example.test", ["bob@example.test", "nobody@example.test"], {msg:?})
    assert list(refused) == ["nobody@example.test"], refused
print("ok")
"#,
        cert = server.cert.to_str().unwrap(),
        port = server.smtp,
        msg = String::from_utf8_lossy(MESSAGE),
    );
    let (ok, out, err) = python(&script);
    assert!(ok && out.contains("ok"), "{out}\n{err}\n{}", server.log());
    assert_eq!(server.messages("bob"), vec![MESSAGE.to_vec()]);
}

#[test]
fn python_smtplib_login_is_refused_without_tls() {
    if !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&[]);
    let script = format!(
        r#"
import smtplib
with smtplib.SMTP("127.0.0.1", {port}) as s:
    s.ehlo()
    try:
        s.login("alice", "secret")
        print("logged in")
    except smtplib.SMTPNotSupportedError:
        print("refused")
"#,
        port = server.smtp
    );
    let (_, out, err) = python(&script);
    assert!(out.contains("refused"), "{out} {err}");
}

#[test]
fn python_smtplib_over_implicit_tls() {
    if !have(PYTHON) {
        return;
    }
    let server = MailServer::start(&[]);
    let script = format!(
        r#"
import smtplib, ssl
ctx = ssl.create_default_context(cafile={cert:?})
with smtplib.SMTP_SSL("127.0.0.1", {port}, context=ctx) as s:
    s.login("bob", "hunter2")
    s.sendmail("bob@example.test", ["alice@example.test"], b"Subject: smtps\r\n\r\nvia 465-style TLS\r\n")
print("ok")
"#,
        cert = server.cert.to_str().unwrap(),
        port = server.smtps
    );
    let (ok, out, err) = python(&script);
    assert!(ok && out.contains("ok"), "{out}\n{err}\n{}", server.log());
    assert_eq!(
        server.messages("alice"),
        vec![b"Subject: smtps\r\n\r\nvia 465-style TLS\r\n".to_vec()]
    );
}

#[test]
fn swaks_pipelined_and_with_tls_auth() {
    if !have("swaks") {
        return;
    }
    let server = MailServer::start(&[]);
    let (ok, out, err) = run(
        Command::new("swaks").args([
            "--server",
            "127.0.0.1",
            "--port",
            &server.smtp.to_string(),
            "--from",
            "swaks@example.org",
            "--to",
            "alice@example.test,bob@example.test",
            "--pipeline",
            "--header",
            "Subject: pipelined",
            "--body",
            "sent by swaks --pipeline",
        ]),
        b"",
    );
    assert!(ok, "{out}\n{err}");
    assert_eq!(server.messages("alice").len(), 1);
    assert_eq!(server.messages("bob").len(), 1);
    let (ok, out, err) = run(
        Command::new("swaks").args([
            "--server",
            "127.0.0.1",
            "--port",
            &server.smtp.to_string(),
            "-tls",
            "--auth",
            "PLAIN",
            "--auth-user",
            "alice",
            "--auth-password",
            "secret",
            "--from",
            "alice@example.test",
            "--to",
            "bob@example.test",
        ]),
        b"",
    );
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("235 2.7.0"), "{out}");
    assert_eq!(server.messages("bob").len(), 2);
}

#[test]
fn curl_smtp_upload() {
    if !have("curl") {
        return;
    }
    let server = MailServer::start(&[]);
    let (ok, out, err) = run(
        Command::new("curl").args([
            "--silent",
            "--show-error",
            "--url",
            &format!("smtp://127.0.0.1:{}", server.smtp),
            "--mail-from",
            "curl@example.org",
            "--mail-rcpt",
            "alice@example.test",
            "--upload-file",
            "-",
        ]),
        MESSAGE,
    );
    assert!(ok, "{out}\n{err}\n{}", server.log());
    assert_eq!(server.messages("alice"), vec![MESSAGE.to_vec()]);
}

#[test]
fn smtp_send_to_postfix_smtp_sink() {
    let sink_path = "/usr/sbin/smtp-sink";
    if !have(sink_path) {
        return;
    }
    let dir = TempDir::new("postfix-sink");
    let port = free_port();
    let _sink = Proc {
        child: Command::new(sink_path)
            .current_dir(dir.path())
            .args(["-u", "nobody", "-c", &format!("127.0.0.1:{port}"), "10"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        name: "smtp-sink".into(),
    };
    wait_port(port);
    let (ok, out, err) = run(
        Command::new(example("smtp-send")).args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--from",
            "sender@example.org",
            "--to",
            "one@example.net",
            "--to",
            "two@example.net",
        ]),
        MESSAGE,
    );
    assert!(ok, "{out}\n{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().all(|l| l.contains(": 250")), "{out}");
}

const AIOSMTPD_SERVER: &str = r#"
import asyncio, os, sys, ssl
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, outdir, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

class Handler:
    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(outdir, "msg%d" % len(os.listdir(outdir)))
        with open(name, "wb") as f:
            f.write(envelope.original_content)
        return "250 2.0.0 stored"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"carol" and auth_data.password == b"s3cret"
    # handled=False: aiosmtpd itself answers 535 on failure.
    return AuthResult(success=ok, handled=False)

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
                        auth_required=True, require_starttls=True, tls_context=ctx)
controller.start()
print("ready", flush=True)
try:
    asyncio.get_event_loop().run_forever()
except KeyboardInterrupt:
    pass
"#;

#[test]
fn smtp_send_to_aiosmtpd_with_starttls_and_auth() {
    if !have(PYTHON) {
        return;
    }
    let (has_aiosmtpd, _, _) = python("import aiosmtpd");
    if !has_aiosmtpd {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3-aiosmtpd is missing: .ci/run must install it"
        );
        eprintln!("skipped: python3-aiosmtpd is not installed");
        return;
    }
    let dir = TempDir::new("aiosmtpd");
    let out_dir = dir.path().join("messages");
    std::fs::create_dir_all(&out_dir).unwrap();
    // A certificate for aiosmtpd, made with Python's own tooling is not available: use openssl.
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let (ok, _, err) = run(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                // A server certificate that smtp-send can verify (webpki reads only the
                // subjectAltName, and refuses a CA certificate as the server's).
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        b"",
    );
    assert!(ok, "openssl: {err}");
    let port = free_port();
    let _server = Proc {
        child: Command::new(PYTHON)
            .arg("-c")
            .arg(AIOSMTPD_SERVER)
            .arg(port.to_string())
            .arg(&out_dir)
            .arg(&cert)
            .arg(&key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        name: "aiosmtpd".into(),
    };
    wait_port(port);
    let (ok, out, err) = run(
        Command::new(example("smtp-send")).args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--starttls",
            "--ca",
            cert.to_str().unwrap(),
            "--user",
            "carol:s3cret",
            "--from",
            "carol@example.org",
            "--to",
            "dave@example.net",
        ]),
        MESSAGE,
    );
    assert!(ok, "{out}\n{err}");
    std::thread::sleep(Duration::from_millis(200));
    let stored: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(stored, vec![MESSAGE.to_vec()]);
    // A wrong password: a non-zero exit and no new message.
    let (ok, _, _) = run(
        Command::new(example("smtp-send")).args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--starttls",
            "--ca",
            cert.to_str().unwrap(),
            "--user",
            "carol:wrong",
            "--from",
            "carol@example.org",
            "--to",
            "dave@example.net",
        ]),
        MESSAGE,
    );
    assert!(!ok);
}

#[test]
fn smuggling_vectors_over_tcp_never_end_a_message() {
    let server = MailServer::start(&[]);
    for vector in [
        &b"\n.\n"[..],
        b"\n.\r\n",
        b"\r\n.\n",
        b"\r.\r\n",
        b"\r\n.\r\r\n",
    ] {
        let mut c = Raw::connect(server.smtp);
        c.read();
        let mut session = b"EHLO attacker.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n".to_vec();
        let reply = c.send(&session);
        assert!(reply.contains("354"), "{reply}");
        session.clear();
        session.extend_from_slice(b"Subject: first\r\n\r\nbody");
        session.extend_from_slice(vector);
        session.extend_from_slice(b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n");
        let reply = c.send(&session);
        assert_eq!(
            reply.matches("\r\n").count(),
            1,
            "one reply for one message: {reply}"
        );
        c.send(b"QUIT\r\n");
    }
    assert!(
        server.messages("bob").is_empty(),
        "a smuggled message reached bob"
    );
}

#[test]
fn starttls_injection_is_discarded() {
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
s.sendall(b"EHLO x\r\n")
while True:
    line = f.readline()
    if line[3:4] == b" ": break
# STARTTLS and an injected command in one packet (CVE-2011-0411).
s.sendall(b"STARTTLS\r\nRSET\r\n")
assert f.readline().startswith(b"220"), "no 220"
ctx = ssl.create_default_context(cafile={cert:?})
t = ctx.wrap_socket(s, server_hostname="localhost")
tf = t.makefile("rb")
t.sendall(b"NOOP\r\n")
line = tf.readline()
print(line)
"#,
        port = server.smtp,
        cert = server.cert.to_str().unwrap()
    );
    let (ok, out, err) = python(&script);
    assert!(ok, "{out}\n{err}");
    // The first reply inside TLS answers NOOP; the injected RSET got none.
    assert!(out.contains("250 2.0.0 Ok"), "{out}");
    assert!(
        server.log().contains("discarded plaintext"),
        "{}",
        server.log()
    );
}

#[test]
fn an_over_long_line_gets_one_error_and_the_session_goes_on() {
    let server = MailServer::start(&[]);
    let mut c = Raw::connect(server.smtp);
    c.read();
    let mut line = vec![b'A'; 20_000];
    line.extend_from_slice(b"RSET\r\nNOOP\r\n");
    let reply = c.send(&line);
    assert_eq!(reply, "500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n");
}

#[test]
fn a_client_that_disconnects_mid_data_leaves_nothing_behind() {
    let server = MailServer::start(&[]);
    {
        let mut c = Raw::connect(server.smtp);
        c.read();
        let reply = c.send(
            b"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n",
        );
        assert!(reply.contains("354"));
        c.0.write_all_partial(b"Subject: cut\r\n\r\nhalf a mess");
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.messages("alice").is_empty());
    assert_eq!(
        server.tmp_files("alice"),
        0,
        "a temporary file was left behind"
    );
}

trait WriteAllPartial {
    fn write_all_partial(&mut self, bytes: &[u8]);
}

impl WriteAllPartial for std::net::TcpStream {
    fn write_all_partial(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.write_all(bytes).unwrap();
        self.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_hundred_concurrent_connections() {
    // All from 127.0.0.1: above the default cap per address (20).
    let server = MailServer::start(&["--max-connections-per-address", "100"]);
    let port = server.smtp;
    let threads: Vec<_> = (0..100)
        .map(|i| {
            std::thread::spawn(move || {
                let mut c = Raw::connect(port);
                c.0.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut script = format!(
                    "EHLO c{i}\r\nMAIL FROM:<c{i}@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
                )
                .into_bytes();
                use std::io::{BufRead, BufReader, Write};
                let mut reader = BufReader::new(c.0.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                c.0.write_all(&script).unwrap();
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    if line.starts_with("354") {
                        break;
                    }
                }
                script = format!("Subject: {i}\r\n\r\nmessage {i}\r\n.\r\nQUIT\r\n").into_bytes();
                c.0.write_all(&script).unwrap();
                line.clear();
                reader.read_line(&mut line).unwrap();
                assert!(line.starts_with("250"), "{line}");
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.messages("alice").len(), 100);
}

#[test]
fn ctrl_c_stops_accepting_and_lets_an_open_session_finish() {
    let mut server = MailServer::start(&[]);
    let mut c = Raw::connect(server.smtp);
    c.read();
    let reply =
        c.send(b"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
    assert!(reply.contains("354"), "{reply}");
    server.interrupt();
    std::thread::sleep(Duration::from_millis(300));
    // No new connections…
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", server.smtp)).is_err(),
        "still accepting"
    );
    // …but the open session completes its message.
    let reply = c.send(b"Subject: during shutdown\r\n\r\nstill delivered\r\n.\r\nQUIT\r\n");
    assert!(reply.starts_with("250"), "{reply}");
    drop(c);
    assert!(
        server.wait_exit(Duration::from_secs(15)),
        "the server did not exit"
    );
    assert_eq!(server.messages("alice").len(), 1);
}

#[test]
fn pem_certificate_files_and_the_message_size_limit() {
    if !have(PYTHON) || !have("openssl") {
        return;
    }
    let dir = TempDir::new("pem");
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let (ok, _, err) = run(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
            ])
            .args(["-addext", "subjectAltName=DNS:localhost"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        b"",
    );
    assert!(ok, "openssl: {err}");
    let port = free_port();
    let pop3 = free_port();
    let maildir = dir.path().join("mail");
    let _server = Proc {
        child: Command::new(example("mail-server"))
            .args([
                "--smtp",
                &format!("127.0.0.1:{port}"),
                "--pop3",
                &format!("127.0.0.1:{pop3}"),
            ])
            .args(["--user", "alice:secret", "--max-message-size", "1000"])
            .arg("--maildir")
            .arg(&maildir)
            .arg("--tls-cert")
            .arg(&cert)
            .arg("--tls-key")
            .arg(&key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        name: "mail-server".into(),
    };
    wait_port(port);
    let script = format!(
        r#"
import smtplib, ssl
ctx = ssl.create_default_context(cafile={cert:?})
with smtplib.SMTP("localhost", {port}) as s:
    s.ehlo()
    assert s.esmtp_features["size"] == "1000", s.esmtp_features
    s.starttls(context=ctx)
    s.login("alice", "secret")
    s.sendmail("alice@localhost", ["alice@localhost"], b"Subject: small\r\n\r\nfits\r\n")
    try:
        s.sendmail("alice@localhost", ["alice@localhost"], b"Subject: big\r\n\r\n" + b"x" * 2000 + b"\r\n")
        print("accepted")
    except smtplib.SMTPSenderRefused as e:
        print("refused", e.smtp_code)
"#,
        cert = cert.to_str().unwrap(),
    );
    let (ok, out, err) = python(&script);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("refused 552"), "{out}");
    let stored = std::fs::read_dir(maildir.join("alice/new"))
        .unwrap()
        .count();
    assert_eq!(stored, 1);
}

#[test]
fn smtp_sink_counts_what_it_discards() {
    let port = free_port();
    let dir = TempDir::new("sink");
    let log = dir.path().join("sink.out");
    let sink = Proc {
        child: Command::new(example("smtp-sink"))
            .arg(format!("127.0.0.1:{port}"))
            .args(["--every", "0"])
            .stdout(std::process::Stdio::from(
                std::fs::File::create(&log).unwrap(),
            ))
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        name: "smtp-sink".into(),
    };
    wait_port(port);
    for _ in 0..3 {
        let (ok, out, err) = run(
            Command::new(example("smtp-send")).args([
                "--server",
                &format!("127.0.0.1:{port}"),
                "--from",
                "a@example.org",
                "--to",
                "b@example.net",
                "--to",
                "c@example.net",
            ]),
            MESSAGE,
        );
        assert!(ok, "{out}\n{err}");
    }
    let (ok, _, err) = run(
        Command::new("kill").args(["-INT", &sink.child.id().to_string()]),
        b"",
    );
    assert!(ok, "{err}");
    let mut sink = sink;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while sink.child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = std::fs::read_to_string(&log).unwrap();
    // The wait_port probe is a connection too.
    assert!(out.contains("messages=3 recipients=6"), "{out}");
    assert!(
        out.contains(&format!("octets={}", 3 * MESSAGE.len())),
        "{out}"
    );
}

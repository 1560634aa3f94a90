//! Starting and stopping the example binaries and third-party peers on 127.0.0.1.
//!
//! Every process a test starts is killed when its guard drops. Third-party tools come from
//! Debian's packages (installed by `.ci/run`); when one is missing, a test is skipped with a
//! message on a developer machine and fails under CI (`CI` set), so CI cannot pass by skipping.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed on drop.
pub struct Proc {
    pub child: Child,
    pub name: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "mail-proto-{tag}-{}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos() ^ (free_port() as u128)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Returns a port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Returns the path of a built example.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built; run `cargo test --workspace` (it builds the examples)",
        path.display()
    );
    path
}

/// Returns whether `tool` is on the PATH (or an absolute path that exists). Without it the
/// test is skipped, except under CI, where it fails.
pub fn have(tool: &str) -> bool {
    let found = if tool.starts_with('/') {
        Path::new(tool).exists()
    } else {
        Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is missing: .ci/run must install it"
        );
        eprintln!("skipped: {tool} is not installed");
    }
    found
}

/// Waits until something accepts connections on `port`.
pub fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on {port}");
}

/// A running `mail-server` example with its own Maildir root, ports and certificate.
pub struct MailServer {
    pub smtp: u16,
    pub pop3: u16,
    pub imap: u16,
    pub smtps: u16,
    pub pop3s: u16,
    pub dir: TempDir,
    pub cert: PathBuf,
    pub proc: Proc,
}

impl MailServer {
    /// Starts the server with users alice:secret and bob:hunter2 and a self-signed
    /// certificate; `extra` adds flags.
    pub fn start(extra: &[&str]) -> Self {
        Self::start_with(TempDir::new("server"), &[], extra)
    }

    /// Starts the server in `dir` (whose `mail/` may already hold Maildirs), run through
    /// the command `wrapper` when it is not empty (e.g. `prlimit --nofile=…`).
    pub fn start_with(dir: TempDir, wrapper: &[&str], extra: &[&str]) -> Self {
        let (smtp, pop3, smtps, pop3s) = (free_port(), free_port(), free_port(), free_port());
        let cert = dir.path().join("cert.pem");
        let mut cmd = match wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(example("mail-server"));
                cmd
            }
            None => Command::new(example("mail-server")),
        };
        // Every listener on a port of its own, so that servers of parallel tests never meet.
        let imap = free_port();
        cmd.args(["--smtp", &format!("127.0.0.1:{smtp}")])
            .args(["--imap", &format!("127.0.0.1:{imap}")])
            .args(["--pop3", &format!("127.0.0.1:{pop3}")])
            .args(["--smtps", &format!("127.0.0.1:{smtps}")])
            .args(["--pop3s", &format!("127.0.0.1:{pop3s}")])
            .args(["--maildir", dir.path().join("mail").to_str().unwrap()])
            .args([
                "--user",
                "alice:secret",
                "--user",
                "bob:hunter2",
                "--domain",
                "example.test",
            ])
            .args(["--self-signed", "--write-cert", cert.to_str().unwrap()])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("server.log")).unwrap(),
            ));
        let proc = Proc {
            child: cmd.spawn().unwrap(),
            name: "mail-server".into(),
        };
        for p in [smtp, pop3, smtps, pop3s, imap] {
            wait_port(p);
        }
        Self {
            smtp,
            pop3,
            imap,
            smtps,
            pop3s,
            dir,
            cert,
            proc,
        }
    }

    /// Returns the Maildir of `user`.
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("mail").join(user)
    }

    /// Returns the messages in `user`'s `new/` and `cur/`.
    pub fn messages(&self, user: &str) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(rd) = std::fs::read_dir(self.maildir(user).join(sub)) else {
                continue;
            };
            let mut paths: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
            paths.sort();
            for p in paths {
                out.push(std::fs::read(p).unwrap());
            }
        }
        out
    }

    /// Returns the number of files in `user`'s `tmp/`.
    pub fn tmp_files(&self, user: &str) -> usize {
        std::fs::read_dir(self.maildir(user).join("tmp"))
            .map(|rd| rd.count())
            .unwrap_or(0)
    }

    /// Sends SIGINT (Ctrl-C) to the server.
    pub fn interrupt(&self) {
        let (ok, _, err) = run(
            Command::new("kill").args(["-INT", &self.proc.child.id().to_string()]),
            b"",
        );
        assert!(ok, "{err}");
    }

    /// Waits up to `limit` for the server to exit; returns whether it did.
    pub fn wait_exit(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.proc.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Returns the server's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Returns the server's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        proc_status_kib(self.proc.child.id(), "VmHWM:")
    }

    /// Returns whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.proc.child.try_wait().unwrap().is_none()
    }
}

/// Returns a `/proc/PID/status` field given in kB.
pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Connects to 127.0.0.1:`port` from the source address `from` (any of 127.0.0.0/8), so a
/// test can be several clients.
pub fn connect_from(from: &str, port: u16) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        socket
            .connect(format!("127.0.0.1:{port}").parse().unwrap())
            .await
            .unwrap()
            .into_std()
            .unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    stream
}

/// Runs a command with `stdin`, returns (status success, stdout, stderr), with a timeout.
pub fn run(cmd: &mut Command, stdin: &[u8]) -> (bool, String, String) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} timed out");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Debian's Python, which has the python3-aiosmtpd package.
pub const PYTHON: &str = "/usr/bin/python3";

/// Runs a Python script with Debian's Python.
pub fn python(script: &str) -> (bool, String, String) {
    run(Command::new(PYTHON).arg("-c").arg(script), b"")
}

/// A raw TCP client: writes bytes, reads what comes back until the server is quiet.
pub struct Raw(pub TcpStream);

impl Raw {
    pub fn connect(port: u16) -> Self {
        Self::over(TcpStream::connect(("127.0.0.1", port)).unwrap())
    }

    /// Connects from the source address `from` (see [`connect_from`]).
    pub fn connect_from(from: &str, port: u16) -> Self {
        Self::over(connect_from(from, port))
    }

    fn over(s: TcpStream) -> Self {
        s.set_read_timeout(Some(Duration::from_millis(400)))
            .unwrap();
        Self(s)
    }

    /// Reads until `pattern` has arrived (or `limit` passed, or the server closed).
    pub fn read_until(&mut self, pattern: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        let mut out = String::new();
        while Instant::now() < deadline && !out.contains(pattern) {
            let mut buf = [0u8; 4096];
            match self.0.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        out
    }

    /// Waits up to `limit` for the server to close the connection, reading (and dropping)
    /// what it sends; returns whether it closed, and how many octets came.
    pub fn closed_within(&mut self, limit: Duration) -> (bool, u64) {
        let deadline = Instant::now() + limit;
        let mut got = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        while Instant::now() < deadline {
            match self.0.read(&mut buf) {
                Ok(0) => return (true, got),
                Ok(n) => got += n as u64,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return (true, got),
            }
        }
        (false, got)
    }

    pub fn send(&mut self, bytes: &[u8]) -> String {
        self.0.write_all(bytes).unwrap();
        self.read()
    }

    /// Reads until the server has been quiet for a moment (or closed).
    pub fn read(&mut self) -> String {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match self.0.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Delivers `message` (CRLF line ends) to `user@example.test` over SMTP on `smtp` with a raw
/// client, dot-stuffed as a client must.
pub fn deliver(smtp: u16, user: &str, message: &[u8]) {
    let limit = Duration::from_secs(10);
    let mut c = Raw::connect(smtp);
    c.read_until("\r\n", limit);
    c.0.write_all(
        format!("EHLO t\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<{user}@example.test>\r\nDATA\r\n")
            .as_bytes(),
    )
    .unwrap();
    let mut reply = c.read_until("354 ", limit);
    while reply.contains("354 ") && !reply.ends_with("\r\n") {
        reply.push_str(&c.read_until("\r\n", limit));
    }
    assert!(reply.contains("354"), "{reply}");
    let mut stuffed = Vec::new();
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.first() == Some(&b'.') {
            stuffed.push(b'.');
        }
        stuffed.extend_from_slice(line);
    }
    stuffed.extend_from_slice(b".\r\n");
    c.0.write_all(&stuffed).unwrap();
    let reply = c.read_until("\r\n", limit);
    assert!(reply.starts_with("250"), "{reply}");
    c.0.write_all(b"QUIT\r\n").unwrap();
    c.read_until("\r\n", limit);
}

/// Returns `b` as a Python bytes literal.
pub fn py_bytes(b: &[u8]) -> String {
    let mut s = String::from("b\"");
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(c)),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

/// A throwaway Dovecot on 127.0.0.1 (`dovecot -F -c FILE`): its own configuration, base and
/// state directories under `dir`, no TLS, the users of a passwd file, a static userdb, and
/// the Maildirs `mail/USER` (`maildir:MAIL/%u`), which it takes over for the unprivileged
/// user it runs mail as (Dovecot refuses mail access as root). Killed on drop.
pub struct Dovecot {
    pub port: u16,
    pub dir: PathBuf,
    pub proc: Proc,
}

impl Dovecot {
    /// Starts Dovecot serving `protocol` (`imap` or `pop3`) for `users` (NAME, PASSWORD)
    /// with the Maildirs under `mail`; returns once it listens.
    pub fn start(dir: &Path, protocol: &str, mail: &Path, users: &[(&str, &str)]) -> Self {
        let r = dir.display();
        for sub in ["run", "state"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let passwd: String = users
            .iter()
            .map(|(u, p)| format!("{u}:{{PLAIN}}{p}\n"))
            .collect();
        std::fs::write(dir.join("passwd"), passwd).unwrap();
        let (ok, _, err) = run(
            Command::new("chown").args(["-R", "65534:65534"]).arg(mail),
            b"",
        );
        assert!(ok, "{err}");
        let port = free_port();
        let conf = dir.join("dovecot.conf");
        std::fs::write(
            &conf,
            format!(
                "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\nprotocols = {protocol}\nlisten = 127.0.0.1\n\
ssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\nmail_location = maildir:{m}/%u\n\
service {protocol}-login {{\n  inet_listener {protocol} {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
  inet_listener {protocol}s {{\n    port = 0\n  }}\n}}\n\
passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n\
userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={m}/%u\n}}\n",
                m = mail.display()
            ),
        )
        .unwrap();
        let proc = Proc {
            child: Command::new("dovecot")
                .arg("-F")
                .arg("-c")
                .arg(&conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            name: "dovecot".into(),
        };
        wait_port(port);
        Self {
            port,
            dir: dir.to_owned(),
            proc,
        }
    }

    /// Returns Dovecot's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

/// A line-oriented IMAP client over TCP for responses without literals.
pub struct Client {
    pub reader: std::io::BufReader<std::net::TcpStream>,
    pub writer: std::net::TcpStream,
}

impl Client {
    pub fn connect(port: u16) -> Self {
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

    pub fn line(&mut self) -> String {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.reader, &mut line).unwrap();
        line
    }

    /// Sends `tag command` and returns the untagged lines and the tagged one.
    pub fn command(&mut self, tag: &str, command: &str) -> (Vec<String>, String) {
        self.write(format!("{tag} {command}\r\n").as_bytes());
        self.command_rest(tag)
    }

    /// Writes raw bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        std::io::Write::write_all(&mut self.writer, bytes).unwrap();
    }

    /// Sends `tag APPEND mailbox {n}` and, after the continuation, the message; returns the
    /// untagged lines and the tagged one.
    pub fn append(&mut self, tag: &str, mailbox: &str, message: &[u8]) -> (Vec<String>, String) {
        self.write(format!("{tag} APPEND {mailbox} {{{}}}\r\n", message.len()).as_bytes());
        let go = self.line();
        assert!(go.starts_with('+'), "{go}");
        self.write(message);
        self.write(b"\r\n");
        self.command_rest(tag)
    }

    /// Reads the answer to a command already sent: the untagged lines and the tagged one.
    pub fn command_rest(&mut self, tag: &str) -> (Vec<String>, String) {
        let mut untagged = Vec::new();
        loop {
            let line = self.line();
            assert!(!line.is_empty(), "closed: {untagged:?}");
            if line.starts_with(&format!("{tag} ")) {
                return (untagged, line);
            }
            untagged.push(line);
        }
    }

    /// Sends a command that must complete with OK.
    pub fn ok(&mut self, tag: &str, command: &str) -> Vec<String> {
        let (untagged, done) = self.command(tag, command);
        assert!(
            done.starts_with(&format!("{tag} OK")),
            "{command}: {done} {untagged:?}"
        );
        untagged
    }
}

/// Returns UID → flags from `* n FETCH (UID u FLAGS (...))` lines.
pub fn flags_by_uid(lines: &[String]) -> std::collections::BTreeMap<u32, Vec<String>> {
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

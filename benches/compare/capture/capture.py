#!/usr/bin/python3
"""Regenerates benches/compare/data/: real clients talking to real servers, recorded.

    /usr/bin/python3 benches/compare/capture/capture.py [--keep-raw DIR]

Starts, on free 127.0.0.1 ports and under a temporary directory, Dovecot (IMAP and POP3,
with a Maildir of a few hundred generated messages, see `mailgen.py`), Postfix's smtp-sink and
Python's aiosmtpd. Runs the real clients through a recording relay (`relay.py`): curl, swaks,
msmtp, Python's smtplib and Postfix's smtp-source against both SMTP servers; mbsync, fetchmail,
curl and Python's imaplib (plus a raw-socket client for the commands imaplib cannot send:
NOTIFY, APPEND CATENATE) against Dovecot IMAP; fetchmail, curl and poplib against Dovecot POP3.
Then `split.py` cuts the recorded streams into the protocol units the benches feed, and
writes them with a manifest. Every server and client is stopped before it returns.

Needs Debian's packages: dovecot-imapd dovecot-pop3d postfix swaks curl msmtp fetchmail isync
python3-aiosmtpd (the same as the interoperability tests). Must run as root or as a user that
may chown the Maildir to `nobody` (Dovecot refuses to serve root's mail).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mailgen  # noqa: E402
import split  # noqa: E402
from relay import Relay  # noqa: E402

DATA = HERE.parent / "data"
USER, PASSWORD = "bob", "hunter2"
PYTHON = "/usr/bin/python3"

FOLDERS = {
    # folder: (messages, maildir++ directory)
    "INBOX": (300, ""),
    "Sent": (40, ".Sent"),
    "Archive": (30, ".Archive"),
    "Lists/rust-users": (60, ".Lists.rust-users"),
    "Drafts": (3, ".Drafts"),
    "Trash": (12, ".Trash"),
    "Junk": (6, ".Junk"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, what: str) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} does not listen on {port}")


def run(cmd: list[str], label: str, stdin: bytes = b"", env: dict | None = None, ok=(0,)) -> bytes:
    """Runs a client; fails loudly when it fails, because a failed session is no traffic."""
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=300, env=env)
    if p.returncode not in ok:
        raise SystemExit(
            f"{label}: exit {p.returncode}\n{p.stdout.decode(errors='replace')[-2000:]}\n"
            f"{p.stderr.decode(errors='replace')[-2000:]}"
        )
    return p.stdout


class Servers:
    """Dovecot (IMAP, POP3), smtp-sink and aiosmtpd, on free ports under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[subprocess.Popen] = []
        self.imap, self.pop3 = free_port(), free_port()
        self.sink, self.aiosmtpd = free_port(), free_port()

    def start(self) -> None:
        self._maildir()
        self._dovecot()
        self._smtp_sink()
        self._aiosmtpd()

    def _maildir(self) -> None:
        home = self.root / "mail" / USER
        for folder, (count, sub) in FOLDERS.items():
            d = home / sub if sub else home
            for s in ("cur", "new", "tmp"):
                (d / s).mkdir(parents=True, exist_ok=True)
            for n, (raw, flags, when) in enumerate(mailgen.mailbox(folder, count, seed=1), 1):
                # The newest few INBOX messages are unread and new, as after a delivery.
                new = folder == "INBOX" and n > count - 8
                name = f"{int(when.timestamp())}.M{n}P1.capture,S={len(raw)}"
                path = d / ("new" if new else "cur") / (name if new else f"{name}:2,{flags}")
                path.write_bytes(raw)
                os.utime(path, (when.timestamp(), when.timestamp()))
        (home / "subscriptions").write_text(
            "".join(f"{f}\n" for f in FOLDERS if f not in ("Junk",))
        )
        subprocess.run(["chown", "-R", "65534:65534", str(self.root / "mail")], check=True)

    def _dovecot(self) -> None:
        r = self.root
        for d in ("run", "state"):
            (r / d).mkdir()
        (r / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        special = "".join(
            f"  mailbox {name} {{\n    special_use = \\{use}\n    auto = subscribe\n  }}\n"
            for name, use in [("Sent", "Sent"), ("Drafts", "Drafts"), ("Trash", "Trash"),
                              ("Junk", "Junk"), ("Archive", "Archive")]
        )
        (r / "dovecot.conf").write_text(
            f"base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\n"
            "protocols = imap pop3\nlisten = 127.0.0.1\nssl = no\n"
            "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
            f"mail_location = maildir:{r}/mail/%u\nmailbox_list_index = yes\n"
            "mail_plugins = $mail_plugins notify\n"
            "pop3_uidl_format = %08Xu%08Xv\n"
            f"namespace inbox {{\n  inbox = yes\n  separator = /\n{special}}}\n"
            f"service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n"
            f"    port = {self.imap}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
            f"service pop3-login {{\n  inet_listener pop3 {{\n    address = 127.0.0.1\n"
            f"    port = {self.pop3}\n  }}\n  inet_listener pop3s {{\n    port = 0\n  }}\n}}\n"
            f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n"
            f"userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={r}/mail/%u\n}}\n"
        )
        self._spawn(["dovecot", "-F", "-c", str(r / "dovecot.conf")], "dovecot")
        wait_port(self.imap, "dovecot imap")
        wait_port(self.pop3, "dovecot pop3")

    def _smtp_sink(self) -> None:
        self._spawn(
            ["/usr/sbin/smtp-sink", "-u", "nobody", "-h", "sink.example.test",
             f"127.0.0.1:{self.sink}", "64"],
            "smtp-sink",
        )
        wait_port(self.sink, "smtp-sink")

    def _aiosmtpd(self) -> None:
        script = f"""
import asyncio, signal
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK: queued"

def auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == b"{USER}" and data.password == b"{PASSWORD}"
    return AuthResult(success=ok, handled=False)

c = Controller(Sink(), hostname="127.0.0.1", port={self.aiosmtpd}, server_hostname="aiosmtpd.example.test",
               authenticator=auth, auth_require_tls=False, enable_SMTPUTF8=True,
               data_size_limit=10485760)
c.start()
signal.sigwait([signal.SIGTERM, signal.SIGINT])
c.stop()
"""
        self._spawn([PYTHON, "-c", script], "aiosmtpd")
        wait_port(self.aiosmtpd, "aiosmtpd")

    def _spawn(self, cmd: list[str], name: str) -> None:
        log = open(self.root / f"{name}.out", "wb")
        self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


# ----------------------------------------------------------------------------------------
# SMTP clients
# ----------------------------------------------------------------------------------------

def message_file(root: Path, n: int, eight_bit: bool = False) -> Path:
    """A message to send: one of the generated INBOX messages, or a UTF-8 one."""
    path = root / f"out-{n}.eml"
    if eight_bit:
        path.write_bytes(
            "From: Jürgen Weiß <jürgen@müller.example>\r\nTo: Zoë <zoe@example.test>\r\n"
            f"Subject: Grüße {n}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Schöne Grüße aus München!\r\n".encode()
        )
    else:
        raw = mailgen.mailbox("Outbox", 12, seed=7)[n % 12][0]
        path.write_bytes(raw)
    return path


def smtp_clients(servers: Servers, raw: Path, root: Path) -> None:
    env = dict(os.environ, HOME=str(root))
    for server, port in (("sink", servers.sink), ("aiosmtpd", servers.aiosmtpd)):
        auth = server == "aiosmtpd"

        # swaks: plain, pipelined, several recipients, AUTH PLAIN and LOGIN.
        relay = Relay(port, raw, f"smtp-{server}-swaks")
        base = ["swaks", "--server", f"127.0.0.1:{relay.port}", "--helo", "client.example.test",
                "--from", "alice@example.test", "--header", "Subject: swaks test"]
        for n in range(6):
            run(base + ["--to", "bob@example.test"], "swaks")
            run(base + ["--pipeline", "--to", "bob@example.test,carol@example.test,dave@example.test"], "swaks")
            if auth:
                run(base + ["--to", "bob@example.test", "--auth", "PLAIN",
                            "--auth-user", USER, "--auth-password", PASSWORD], "swaks")
                run(base + ["--to", "bob@example.test", "--auth", "LOGIN",
                            "--auth-user", USER, "--auth-password", PASSWORD], "swaks")
        relay.close()

        # curl: upload with SIZE, several recipients, AUTH, VRFY.
        relay = Relay(port, raw, f"smtp-{server}-curl")
        url = f"smtp://127.0.0.1:{relay.port}/client.example.test"
        for n in range(8):
            cmd = ["curl", "-sS", url, "--mail-from", f"sender{n}@example.test",
                   "--mail-rcpt", "bob@example.test", "-T", str(message_file(root, n))]
            if n % 2:
                cmd += ["--mail-rcpt", "carol@example.test", "--mail-rcpt", "dave@example.test"]
            if auth and n % 3 == 0:
                cmd += ["-u", f"{USER}:{PASSWORD}"]
            run(cmd, "curl smtp")
        run(["curl", "-sS", url, "--mail-rcpt", "bob@example.test"], "curl vrfy", ok=(0, 8, 56))
        relay.close()

        # msmtp: with and without DSN, with AUTH on aiosmtpd.
        relay = Relay(port, raw, f"smtp-{server}-msmtp")
        for n in range(8):
            cmd = ["msmtp", "--host=127.0.0.1", f"--port={relay.port}", "--tls=off",
                   "--domain=laptop.example.test", "--from=alice@example.test"]
            if n % 2 and not auth:
                # aiosmtpd offers no DSN.
                cmd += ["--dsn-notify=failure,delay", "--dsn-return=headers"]
            if auth and n % 2 == 0:
                cmd += ["--auth=plain", f"--user={USER}", f"--passwordeval=echo {PASSWORD}"]
            else:
                cmd += ["--auth=off"]
            rcpts = ["bob@example.test"] + (["carol@example.test"] if n % 3 == 0 else [])
            run(cmd + rcpts, "msmtp", stdin=message_file(root, n + 3).read_bytes(), env=env)
        relay.close()

        # Python's smtplib: lower-case verbs, BODY=8BITMIME, SMTPUTF8, NOOP, RSET, AUTH PLAIN.
        relay = Relay(port, raw, f"smtp-{server}-smtplib")
        script = f"""
import smtplib
for n in range(10):
    s = smtplib.SMTP("127.0.0.1", {relay.port}, local_hostname="client.example.test")
    s.ehlo_or_helo_if_needed()
    if {auth} and n % 2 == 0:
        s.login("{USER}", "{PASSWORD}")
    msg = open({str(message_file(root, n))!r}, "rb").read()
    s.sendmail("bob@example.test", ["alice@example.test"], msg, mail_options=["BODY=8BITMIME"])
    if n % 3 == 0:
        s.noop()
        s.rset()
    # smtp-sink offers no SMTPUTF8.
    if {auth} and n % 3 == 0:
        utf8 = open({str(message_file(root, 100 + n, eight_bit=True))!r}, "rb").read()
        s.sendmail("jürgen@müller.example", ["zoë@example.test", "bob@example.test"], utf8,
                   mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    s.quit()
"""
        run([PYTHON, "-c", script], "smtplib")
        relay.close()

        # Postfix's smtp-source: many transactions per connection (-d), three recipients each.
        relay = Relay(port, raw, f"smtp-{server}-smtp-source")
        run(["smtp-source", "-d", "-s", "2", "-m", "20", "-r", "3", "-l", "1500",
             "-M", "source.example.test", "-f", "loadgen@example.test", "-t", "sink@example.test",
             f"127.0.0.1:{relay.port}"], "smtp-source")
        relay.close()


# ----------------------------------------------------------------------------------------
# IMAP clients
# ----------------------------------------------------------------------------------------

# No ENABLE CONDSTORE here: once it is on, Dovecot adds MODSEQ to every FETCH response, which
# imap-codec cannot read, and the comparison would lose most FLAGS responses. The raw session
# below uses CONDSTORE instead.
IMAPLIB_SESSION = """
import imaplib, time
# Commands this imaplib has no entry for; sent with the same framing as its own.
imaplib.Commands.update({{"ID": ("NONAUTH", "AUTH", "SELECTED"), "MOVE": ("SELECTED",)}})
M = imaplib.IMAP4("127.0.0.1", {port})
M.capability()
M._simple_command("ID", '("name" "capture" "version" "1.0")')
M.login("{user}", "{password}")
M.capability()
M.namespace()
M.list('""', "*")
M.lsub('""', "*")
M._simple_command("LIST", '"" "*" RETURN (SPECIAL-USE SUBSCRIBED CHILDREN)')
for box in ["INBOX", "Sent", "Archive", "Lists/rust-users", "Drafts", "Trash", "Junk"]:
    M.status('"%s"' % box, "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE)")
for box in ["INBOX", "Lists/rust-users", "Sent"]:
    typ, data = M.select('"%s"' % box)
    count = int(data[0])
    # A desktop client's first look: headers and flags, then structure for the list view.
    for start in range(1, count + 1, 50):
        end = min(count, start + 49)
        M.fetch("%d:%d" % (start, end), "(UID RFC822.SIZE FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To List-Id)])")
    for start in range(1, count + 1, 25):
        end = min(count, start + 24)
        M.uid("FETCH", "%d:%d" % (start, end), "(UID FLAGS ENVELOPE BODYSTRUCTURE)")
    for n in range(1, min(count, 40) + 1, 3):
        M.fetch(str(n), "(BODY.PEEK[1]<0.2048> BODY.PEEK[1.MIME])")
        M.fetch(str(n), "(PREVIEW)")
    M.search(None, "UNSEEN")
    M.search(None, "SINCE", "1-Mar-2025", "NOT", "DELETED")
    M.uid("SEARCH", "SAVEDBEFORE 1-Jan-2030")
    M.uid("SEARCH", "RETURN (MIN MAX COUNT) SAVEDSINCE 1-Jan-2020")
    M.uid("SEARCH", "OR FROM alice SUBJECT report")
    M.uid("SEARCH", "CHARSET UTF-8 SUBJECT caf")
    M.sort("(REVERSE DATE)", "UTF-8", "ALL")
    M.thread("REFERENCES", "UTF-8", "ALL")
    M.store("1:5", "+FLAGS.SILENT", "(\\\\Seen)")
    M.uid("STORE", "1,3,5", "+FLAGS", "(\\\\Flagged $Important)")
    M.store("2", "-FLAGS", "(\\\\Seen)")
    M.noop()
M.select("INBOX")
M.uid("COPY", "1:3", "Archive")
M.uid("MOVE", "4", "Trash")
M.uid("FETCH", "1:*", "(UID FLAGS)")
M.check()
M.create("Projects/2026")
M.subscribe("Projects/2026")
M.rename("Projects/2026", "Projects/Next")
M.unsubscribe("Projects/Next")
M.delete("Projects/Next")
M.append("Sent", "(\\\\Seen)", imaplib.Time2Internaldate(time.time()),
         b"From: Bob <bob@example.test>\\r\\nTo: alice@example.test\\r\\nSubject: sent from imaplib\\r\\n\\r\\nHi Alice\\r\\n")
M.expunge()
M.close()
M.logout()
"""

# Commands imaplib cannot send (a literal inside parentheses, NOTIFY), written as a client
# that has them would: LITERAL+ literals, one command at a time, waiting for each tagged reply.
RAW_SESSION = [
    b"r1 LOGIN bob hunter2",
    b"r2 SELECT INBOX (CONDSTORE)",
    b"r3 NOTIFY SET STATUS (selected (MessageNew (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]) MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge MailboxName SubscriptionChange))",
    b"r4 UID SEARCH SAVEDBEFORE 1-Jan-2030",
    b"r4a FETCH 1:30 (FLAGS) (CHANGEDSINCE 1)",
    b"r4b UID FETCH 1:20 (UID FLAGS MODSEQ)",
    b"r5 SEARCH SAVEDON 28-Dec-2014 SAVEDATESUPPORTED",
    b"r6 UID FETCH 1:10 (UID SAVEDATE EMAILID THREADID)",
    b"r7 APPEND Drafts (\\Seen \\Draft) CATENATE (URL \"/INBOX;UIDVALIDITY={uv}/;UID=10/;section=HEADER\" TEXT {{42+}}\r\n\r\n--------------030308070208000400050907\r\n URL \"/INBOX;UIDVALIDITY={uv}/;UID=10/;section=1\" TEXT {{44+}}\r\n\r\n--------------030308070208000400050907--\r\n)",
    b"r8 NOTIFY NONE",
    b"r10 UID EXPUNGE 9999",
    b"r11 UNSELECT",
    b"r12 LOGOUT",
]


def raw_imap(port: int) -> None:
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    f = s.makefile("rb")
    f.readline()
    uidvalidity = b"1"
    for line in RAW_SESSION:
        line = line.replace(b"{uv}", uidvalidity).replace(b"{{", b"{").replace(b"}}", b"}")
        tag = line.split(b" ", 1)[0]
        s.sendall(line + b"\r\n")
        while True:
            reply = f.readline()
            if not reply:
                return
            m = reply.split(b"UIDVALIDITY ")
            if len(m) > 1 and b"[UIDVALIDITY" in reply:
                uidvalidity = m[1].split(b"]")[0]
            if reply.startswith(tag + b" "):
                break
    s.close()


def imap_clients(servers: Servers, raw: Path, root: Path) -> None:
    env = dict(os.environ, HOME=str(root))

    # mbsync: a full pull of every folder, then a second, incremental one.
    relay = Relay(servers.imap, raw, "imap-mbsync")
    local = root / "mbsync"
    local.mkdir()
    rc = root / "mbsyncrc"
    rc.write_text(
        f"IMAPAccount dv\nHost 127.0.0.1\nPort {relay.port}\nUser {USER}\nPass {PASSWORD}\n"
        "SSLType None\nAuthMechs LOGIN\n\n"
        "IMAPStore remote\nAccount dv\n\n"
        f"MaildirStore local\nPath {local}/\nInbox {local}/INBOX\nSubFolders Verbatim\n\n"
        "Channel all\nFar :remote:\nNear :local:\nPatterns *\nCreate Near\nSync Pull\n"
        "SyncState *\nExpunge None\n"
    )
    run(["mbsync", "-c", str(rc), "-a"], "mbsync", env=env)
    run(["mbsync", "-c", str(rc), "-a"], "mbsync again", env=env)
    relay.close()

    # Python's imaplib, as a desktop client's first sync.
    relay = Relay(servers.imap, raw, "imap-imaplib")
    run([PYTHON, "-c", IMAPLIB_SESSION.format(port=relay.port, user=USER, password=PASSWORD)], "imaplib")
    relay.close()

    relay = Relay(servers.imap, raw, "imap-raw")
    raw_imap(relay.port)
    relay.close()

    # curl: LIST, EXAMINE + FETCH of single messages and sections, SEARCH, custom commands.
    relay = Relay(servers.imap, raw, "imap-curl")
    base = f"imap://{USER}:{PASSWORD}@127.0.0.1:{relay.port}"
    run(["curl", "-sS", f"{base}/"], "curl imap list")
    for uid in (1, 2, 7, 12, 40):
        run(["curl", "-sS", f"{base}/INBOX;UID={uid}"], "curl imap fetch")
    run(["curl", "-sS", f"{base}/INBOX;UID=3;SECTION=HEADER"], "curl imap header")
    run(["curl", "-sS", f"{base}/INBOX?SUBJECT%20report"], "curl imap search")
    run(["curl", "-sS", f"{base}/INBOX", "-X", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT)"], "curl imap status")
    run(["curl", "-sS", f"{base}/", "-X", "EXAMINE Sent"], "curl imap examine")
    relay.close()

    # fetchmail over IMAP, keeping the mail; limited to a few dozen messages.
    relay = Relay(servers.imap, raw, "imap-fetchmail")
    fetchmail(relay.port, "IMAP", root, env)
    relay.close()


def fetchmail(port: int, protocol: str, root: Path, env: dict) -> None:
    rc = root / f"fetchmailrc-{protocol}"
    rc.write_text(
        f"set no bouncemail\npoll 127.0.0.1 service {port} protocol {protocol} auth password\n"
        f"  user \"{USER}\" password \"{PASSWORD}\" is root here\n"
        "  keep fetchall fetchlimit 30 sslproto '' mda \"/bin/cat > /dev/null\"\n"
    )
    rc.chmod(0o600)
    run(["fetchmail", "-f", str(rc), "--nodetach", "--norewrite", "--idfile", str(root / f"fetchids-{protocol}")],
        f"fetchmail {protocol}", env=env, ok=(0, 1, 13))  # 13: fetchlimit reached


# ----------------------------------------------------------------------------------------
# POP3 clients
# ----------------------------------------------------------------------------------------

POPLIB_SESSION = """
import poplib
for n in range(4):
    p = poplib.POP3("127.0.0.1", {port})
    p.capa()
    p.user("{user}")
    p.pass_("{password}")
    count, size = p.stat()
    p.list()
    p.uidl()
    for i in range(1, 8):
        p.list(i)
        p.uidl(i)
        p.top(i, 0)
    for i in range(1 + n * 5, 6 + n * 5):
        p.retr(i)
    p.noop()
    p.rset()
    p.quit()
"""


def pop3_clients(servers: Servers, raw: Path, root: Path) -> None:
    env = dict(os.environ, HOME=str(root))
    relay = Relay(servers.pop3, raw, "pop3-poplib")
    run([PYTHON, "-c", POPLIB_SESSION.format(port=relay.port, user=USER, password=PASSWORD)], "poplib")
    relay.close()

    relay = Relay(servers.pop3, raw, "pop3-curl")
    base = f"pop3://{USER}:{PASSWORD}@127.0.0.1:{relay.port}"
    run(["curl", "-sS", f"{base}/"], "curl pop3 list")
    for n in (1, 2, 3):
        run(["curl", "-sS", f"{base}/{n}"], "curl pop3 retr")
    run(["curl", "-sS", f"{base}/", "-X", "UIDL"], "curl pop3 uidl")
    run(["curl", "-sS", f"{base}/", "-X", "TOP 4 0"], "curl pop3 top")
    relay.close()

    relay = Relay(servers.pop3, raw, "pop3-fetchmail")
    fetchmail(relay.port, "POP3", root, env)
    relay.close()


def versions() -> list[str]:
    """The versions of the software that made the traffic, for the manifest."""
    def first_line(cmd: list[str]) -> str:
        p = subprocess.run(cmd, capture_output=True, text=True)
        out = (p.stdout or p.stderr).strip().splitlines()
        return out[0].strip() if out else "?"

    return [
        f"Dovecot {first_line(['dovecot', '--version'])}",
        f"Postfix {first_line(['postconf', '-dh', 'mail_version'])} (smtp-sink, smtp-source)",
        f"aiosmtpd {first_line([PYTHON, '-c', 'import aiosmtpd; print(aiosmtpd.__version__)'])}",
        f"Python {first_line([PYTHON, '--version']).split()[-1]} (smtplib, imaplib, poplib)",
        first_line(["curl", "--version"]).split(" (")[0],
        first_line(["swaks", "--version"]),
        first_line(["msmtp", "--version"]),
        first_line(["mbsync", "--version"]),
        first_line(["fetchmail", "--version"]).split(" (")[0].replace("This is ", ""),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep-raw", type=Path, help="also copy the raw recorded streams here")
    args = ap.parse_args()
    for tool in ("dovecot", "swaks", "curl", "msmtp", "fetchmail", "mbsync", "smtp-source"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is missing (see DEVELOPERS.md for the Debian packages)")
    root = Path(tempfile.mkdtemp(prefix="mail-proto-capture-"))
    os.chmod(root, 0o755)
    raw = root / "raw"
    servers = Servers(root)
    try:
        servers.start()
        smtp_clients(servers, raw, root)
        imap_clients(servers, raw, root)
        pop3_clients(servers, raw, root)
    finally:
        servers.stop()
    if args.keep_raw:
        shutil.copytree(raw, args.keep_raw, dirs_exist_ok=True)
    split.write_units(raw, DATA, versions())
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""mail-server's IMAP next to Dovecot on one 10,000-message mailbox, and idle-session memory.

Issue 14's performance check: the same messages (benches/compare/capture/mailgen.py, the
generator of the captured traffic) in two copies of one Maildir, one served by mail-server
(release build), one by a throwaway Dovecot with its index; on each, over a raw socket so
that no client library's parsing is timed:

  SELECT INBOX
  FETCH 1:* (UID FLAGS ENVELOPE)
  UID SEARCH HEADER Subject "<word>"

Each server answers the whole sequence once untimed (Dovecot builds its index, mail-server its
dovecot-uidlist), then `--runs` times timed; the median of each step and the ratio
mail-server / Dovecot (below 1 is faster) are printed. Then `--idle` sessions log in to
mail-server, SELECT INBOX and stay idle; the server's resident memory before and after is
read from /proc.

    cargo build --release --example mail-server
    /usr/bin/python3 benches/compare/imap_store.py [--messages 10000] [--runs 5] [--idle 1000]

Needs Debian's dovecot-imapd. Run as root: Dovecot serves the mail as `nobody`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "capture"))
import mailgen  # noqa: E402
from capture import free_port, wait_port  # noqa: E402

REPO = HERE.parent.parent
USER, PASSWORD = "bench", "bench-pass"


def fill(maildir: Path, count: int) -> None:
    """Writes `count` generated messages into `maildir/cur` with their flags and dates."""
    for s in ("cur", "new", "tmp"):
        (maildir / s).mkdir(parents=True, exist_ok=True)
    for n, (raw, flags, when) in enumerate(mailgen.mailbox("INBOX", count, seed=7), 1):
        name = f"{int(when.timestamp())}.M{n}P1.bench,S={len(raw)}:2,{flags}"
        path = maildir / "cur" / name
        path.write_bytes(raw)
        os.utime(path, (when.timestamp(), when.timestamp()))


class Imap:
    """A raw IMAP connection: sends a command, reads until its tagged answer."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.n = 0
        self._until(b"\r\n")

    def _until(self, end: bytes) -> bytes:
        while end not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise SystemExit(f"connection closed; last bytes {self.buf[-300:]!r}")
            self.buf += chunk
        i = self.buf.index(end) + len(end)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def run(self, command: str) -> bytes:
        """Returns every byte of the answer; fails unless it ends in OK."""
        self.n += 1
        tag = f"b{self.n}".encode() + b" "
        self.sock.sendall(tag + command.encode() + b"\r\n")
        buf, self.buf = bytearray(self.buf), b""
        marker = b"\r\n" + tag
        found, scanned = -1, 0
        while True:
            if found < 0 and buf.startswith(tag):
                found = 0
            elif found < 0:
                i = buf.find(marker, max(0, scanned - len(marker)))
                found = i + 2 if i >= 0 else -1
            if found >= 0:
                end = buf.find(b"\r\n", found)
                if end >= 0:
                    status = bytes(buf[found + len(tag): end])
                    if not status.startswith(b"OK"):
                        raise SystemExit(f"{command}: {status!r}")
                    self.buf = bytes(buf[end + 2:])
                    return bytes(buf[: end + 2])
            scanned = len(buf)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise SystemExit(f"{command}: connection closed")
            buf += chunk

    def close(self) -> None:
        self.sock.close()


def session(port: int, word: str) -> dict[str, float]:
    c = Imap(port)
    c.run(f"LOGIN {USER} {PASSWORD}")
    times = {}
    for name, command in (
        ("SELECT", "SELECT INBOX"),
        ("FETCH 1:* (UID FLAGS ENVELOPE)", "FETCH 1:* (UID FLAGS ENVELOPE)"),
        (f'UID SEARCH HEADER Subject "{word}"', f'UID SEARCH HEADER Subject "{word}"'),
    ):
        start = time.perf_counter()
        answer = c.run(command)
        times[name] = time.perf_counter() - start
        if name.startswith("FETCH") and answer.count(b" FETCH (") < 1:
            raise SystemExit(f"no FETCH data: {answer[:200]!r}")
    c.run("LOGOUT")
    c.close()
    return times


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def dovecot(root: Path, port: int) -> subprocess.Popen:
    for d in ("run", "state"):
        (root / d).mkdir()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "dovecot.conf").write_text(
        f"base_dir = {root}/run\nstate_dir = {root}/state\nlog_path = {root}/dovecot.log\n"
        "protocols = imap\nlisten = 127.0.0.1\nssl = no\n"
        "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
        f"mail_location = maildir:{root}/mail/%u\n"
        "namespace inbox {\n  inbox = yes\n  separator = /\n}\n"
        f"service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n"
        f"    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
        f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {root}/passwd\n}}\n"
        f"userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={root}/mail/%u\n}}\n"
    )
    subprocess.run(["chown", "-R", "65534:65534", str(root / "mail")], check=True)
    p = subprocess.Popen(["dovecot", "-F", "-c", str(root / "dovecot.conf")])
    wait_port(port, "dovecot")
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--word", default="meeting")
    args = ap.parse_args()

    binary = REPO / "target" / "release" / "examples" / "mail-server"
    if not binary.exists():
        raise SystemExit("build it first: cargo build --release --example mail-server")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    tmp = Path(tempfile.mkdtemp(prefix="imap-store-bench-"))
    # Dovecot's auth and mail processes run as other users: they must reach the files.
    os.chmod(tmp, 0o755)
    procs: list[subprocess.Popen] = []
    try:
        t0 = time.time()
        fill(tmp / "ours" / USER, args.messages)
        shutil.copytree(tmp / "ours" / USER, tmp / "dovecot" / "mail" / USER)
        size = sum(f.stat().st_size for f in (tmp / "ours" / USER / "cur").iterdir())
        print(f"{args.messages} messages, {size / 1e6:.1f} MB, generated in {time.time() - t0:.0f} s")

        ours_port, dove_port = free_port(), free_port()
        ours = subprocess.Popen(
            [str(binary), "--maildir", str(tmp / "ours"), "--user", f"{USER}:{PASSWORD}",
             "--allow-plaintext-auth", "--imap", f"127.0.0.1:{ours_port}",
             "--smtp", f"127.0.0.1:{free_port()}", "--pop3", f"127.0.0.1:{free_port()}",
             "--max-connections", str(args.idle + 100),
             "--max-connections-per-address", str(args.idle + 100)],
            stderr=subprocess.DEVNULL,
        )
        procs.append(ours)
        wait_port(ours_port, "mail-server")
        procs.append(dovecot(tmp / "dovecot", dove_port))

        results: dict[str, dict[str, list[float]]] = {}
        for name, port in (("mail-server", ours_port), ("Dovecot", dove_port)):
            session(port, args.word)  # untimed: builds the index / uidlist
            runs = [session(port, args.word) for _ in range(args.runs)]
            results[name] = {k: [r[k] for r in runs] for k in runs[0]}

        load = os.getloadavg()[0]
        print(f"median of {args.runs} runs, load average {load:.1f}")
        print(f"| step | mail-server | Dovecot | ratio |\n|---|---|---|---|")
        for step in results["mail-server"]:
            a = statistics.median(results["mail-server"][step])
            b = statistics.median(results["Dovecot"][step])
            print(f"| {step} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {a / b:.2f} |")
        # Each run as well: a median can hide a slow run.
        for step in results["mail-server"]:
            ours_ms = " ".join(f"{t * 1000:.1f}" for t in results["mail-server"][step])
            theirs_ms = " ".join(f"{t * 1000:.1f}" for t in results["Dovecot"][step])
            print(f"{step}: mail-server {ours_ms} ms; Dovecot {theirs_ms} ms")

        if args.idle:
            before = rss_kib(ours.pid)
            idle = []
            for _ in range(args.idle):
                c = Imap(ours_port)
                c.run(f"LOGIN {USER} {PASSWORD}")
                c.run("SELECT INBOX")
                idle.append(c)
            time.sleep(1)
            after = rss_kib(ours.pid)
            print(
                f"{args.idle} idle IMAP sessions (logged in, INBOX of {args.messages} selected): "
                f"mail-server RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after, "
                f"{(after - before) / args.idle:.1f} KiB per session"
            )
            for c in idle:
                c.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

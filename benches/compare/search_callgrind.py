#!/usr/bin/env python3
"""Instructions per message of one mail-server IMAP command, by callgrind (issue 14).

Fills a Maildir with `--messages` generated messages (imap_store.py's mailbox), starts the
release mail-server under `valgrind --tool=callgrind`, logs in, SELECTs INBOX and sends the
command once untimed (the header cache fills), zeroes the counters (`callgrind_control`),
sends it `--runs` times, dumps, and prints the instructions per message per run. Wall
times are noisy on a shared machine; instruction counts are not.

    cargo build --release --example mail-server
    /usr/bin/python3 benches/compare/search_callgrind.py [--messages 2000] [--runs 3] \\
        [--command 'UID SEARCH HEADER Subject "meeting"'] [--binary PATH]

The dump is left in `--out` (default /tmp/search-callgrind.out.N) for callgrind_annotate.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import imap_store as bench
from capture import free_port

REPO = Path(__file__).resolve().parent.parent.parent


def untagged(answer: bytes) -> bytes:
    """The answer without its tagged status line."""
    return b"\r\n".join(answer.split(b"\r\n")[:-2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--command", default='UID SEARCH HEADER Subject "meeting"')
    ap.add_argument("--binary", default=str(REPO / "target/release/examples/mail-server"))
    ap.add_argument("--out", default="/tmp/search-callgrind.out")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="search-callgrind-"))
    for old in glob.glob(args.out + "*"):
        os.remove(old)
    server = None
    try:
        bench.fill(tmp / bench.USER, args.messages)
        port = free_port()
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={args.out}",
             args.binary, "--maildir", str(tmp), "--user", f"{bench.USER}:{bench.PASSWORD}",
             "--allow-plaintext-auth", "--imap", f"127.0.0.1:{port}",
             "--smtp", f"127.0.0.1:{free_port()}", "--pop3", f"127.0.0.1:{free_port()}"],
            stderr=subprocess.DEVNULL,
        )
        for _ in range(600):
            try:
                client = bench.Imap(port)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("mail-server did not start under valgrind")
        client.run(f"LOGIN {bench.USER} {bench.PASSWORD}")
        client.run("SELECT INBOX")
        first = client.run(args.command)
        subprocess.run(["callgrind_control", "--zero", str(server.pid)], check=True,
                       capture_output=True)
        for _ in range(args.runs):
            if untagged(client.run(args.command)) != untagged(first):
                raise SystemExit("the answer changed between runs")
        subprocess.run(["callgrind_control", "--dump", str(server.pid)], check=True,
                       capture_output=True)
        client.run("LOGOUT")
        client.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    for dump in sorted(glob.glob(args.out + ".*")):
        m = re.search(r"^(?:summary|totals): (\d+)", Path(dump).read_text(), re.M)
        if m and int(m.group(1)) > 0:
            total = int(m.group(1))
            print(f"{args.messages} messages, {args.runs} x {args.command!r}: {total} instructions, "
                  f"{total / (args.messages * args.runs):.0f} per message per run ({dump})")


if __name__ == "__main__":
    main()

"""Cuts recorded sessions (`relay.py`'s `<label>-<n>.c2s` / `.s2c` files) into the protocol
units the comparison benches feed, and writes them to `benches/compare/data/`:

| file | what | from |
|---|---|---|
| `smtp_commands.txt` | every SMTP command line, CRLF-ended, in session order | client → server, message data and AUTH continuation lines left out |
| `smtp_replies.txt` | every SMTP reply, sessions whole and one after the other | server → client |
| `smtp_ehlo_replies.txt` | each distinct multi-line EHLO reply | server → client |
| `imap_commands.txt` | every IMAP command but APPEND, literals inline | client → server, DONE and AUTHENTICATE continuations left out |
| `imap_responses_4k.txt` | every IMAP response (line plus literals) of at most 4096 octets | server → client |
| `pop3_commands.txt` | every POP3 command line | client → server |

`MANIFEST.md` beside them says which client sessions each file holds and how many units.
Standard library only; no unit is changed, only selected.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

SMTP_VERBS = {
    b"HELO", b"EHLO", b"LHLO", b"MAIL", b"RCPT", b"DATA", b"BDAT", b"RSET", b"VRFY", b"EXPN",
    b"HELP", b"NOOP", b"QUIT", b"STARTTLS", b"AUTH", b"ETRN",
}
LITERAL = re.compile(rb"~?\{(\d+)\+?\}$")
MAX_RESPONSE = 4096


def sessions(raw: Path, prefix: str) -> list[tuple[str, bytes, bytes]]:
    """Returns (label, client bytes, server bytes) of every session whose label has `prefix`."""
    out = []
    for c2s in sorted(raw.glob(f"{prefix}*.c2s")):
        s2c = c2s.with_suffix(".s2c")
        out.append((c2s.stem, c2s.read_bytes(), s2c.read_bytes() if s2c.exists() else b""))
    return out


def lines(stream: bytes) -> list[bytes]:
    """Splits at LF, keeping each line's CRLF; a last line without one is dropped."""
    parts = stream.split(b"\n")
    return [p + b"\n" for p in parts[:-1]]


def smtp_commands(c2s: bytes) -> list[bytes]:
    """The command lines of one SMTP client stream: DATA content (up to the lone `.`) and
    BDAT chunks skipped, and lines that start with no SMTP verb (AUTH continuations)
    dropped."""
    out: list[bytes] = []
    rest = c2s
    in_data = False
    while rest:
        lf = rest.find(b"\n")
        if lf < 0:
            break
        line, rest = rest[: lf + 1], rest[lf + 1 :]
        body = line.rstrip(b"\r\n")
        if in_data:
            in_data = body != b"."
            continue
        verb = body.split(b" ", 1)[0].upper()
        if verb not in SMTP_VERBS:
            continue
        out.append(line)
        if verb == b"DATA" and body.upper() == b"DATA":
            in_data = True
        elif verb == b"BDAT":
            size = body.split(b" ")[1]
            rest = rest[int(size) :]
    return out


def smtp_replies(s2c: bytes) -> list[bytes]:
    """Splits a server stream into whole replies (RFC 5321 §4.2: `ddd-` continues, `ddd `
    or a bare `ddd` ends)."""
    out, current = [], b""
    for line in lines(s2c):
        current += line
        if len(line) < 4 or line[3:4] != b"-":
            out.append(current)
            current = b""
    return out


def imap_messages(stream: bytes) -> list[bytes]:
    """Splits an IMAP stream into messages: a line, and when it ends with a literal
    announcement, the literal's octets and the rest of the message (RFC 9051 §4.3)."""
    out, pos = [], 0
    while pos < len(stream):
        start = pos
        while True:
            lf = stream.find(b"\n", pos)
            if lf < 0:
                return out
            line = stream[pos:lf].rstrip(b"\r")
            m = LITERAL.search(line)
            if not m:
                pos = lf + 1
                break
            pos = lf + 1 + int(m.group(1))
        out.append(stream[start:pos])
    return out


def imap_commands(c2s: bytes) -> list[bytes]:
    """The commands of one IMAP client stream, without APPEND and without the lines that are
    no command (DONE after IDLE, AUTHENTICATE continuations: no SP after a first word)."""
    out = []
    for msg in imap_messages(c2s):
        words = msg.split(b" ", 2)
        if len(words) < 2 or not words[1].strip():
            continue
        name = words[1].rstrip(b"\r\n").upper()
        if name == b"APPEND":
            continue
        out.append(msg)
    return out


def write_units(raw: Path, data: Path, versions: list[str]) -> None:
    data.mkdir(parents=True, exist_ok=True)
    manifest = ["# Captured traffic\n",
                "Written by `capture/capture.py` (see its docstring); do not edit by hand.",
                "Regenerate with `/usr/bin/python3 benches/compare/capture/capture.py`; the",
                "servers' timings and session ids in the replies differ from run to run.\n",
                "Recorded with: " + "; ".join(versions).rstrip(".") + ".\n",
                "| file | units | octets | sessions (client, count) |",
                "|---|---|---|---|"]

    def record(name: str, units: list[bytes], labels: Counter) -> None:
        blob = b"".join(units)
        (data / name).write_bytes(blob)
        who = ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
        manifest.append(f"| `{name}` | {len(units)} | {len(blob)} | {who} |")

    def client_of(label: str) -> str:
        return label.rsplit("-", 1)[0]

    cmds, replies, ehlo = [], [], {}
    cl, rl = Counter(), Counter()
    for label, c2s, s2c in sessions(raw, "smtp-"):
        cmds += smtp_commands(c2s)
        replies += smtp_replies(s2c)
        cl[client_of(label)] += 1
        rl[client_of(label)] += 1
        for reply in smtp_replies(s2c):
            if reply.startswith(b"250-"):
                ehlo.setdefault(reply, label)
    record("smtp_commands.txt", cmds, cl)
    record("smtp_replies.txt", replies, rl)
    record("smtp_ehlo_replies.txt", list(ehlo), Counter(client_of(v) for v in ehlo.values()))

    commands, responses = [], []
    cl, rl = Counter(), Counter()
    for label, c2s, s2c in sessions(raw, "imap-"):
        commands += imap_commands(c2s)
        responses += [r for r in imap_messages(s2c) if len(r) <= MAX_RESPONSE]
        cl[client_of(label)] += 1
        rl[client_of(label)] += 1
    record("imap_commands.txt", commands, cl)
    record("imap_responses_4k.txt", responses, rl)

    pop3 = []
    cl = Counter()
    for label, c2s, _ in sessions(raw, "pop3-"):
        pop3 += lines(c2s)
        cl[client_of(label)] += 1
    record("pop3_commands.txt", pop3, cl)
    (data / "MANIFEST.md").write_text("\n".join(manifest) + "\n")

#!/usr/bin/python3
"""Captures Dovecot's answers for the messages that generate.py wrote.

Starts a throwaway Dovecot (IMAP on a free 127.0.0.1 port, a passwd-file user, a static
userdb and a maildir under a temporary directory), APPENDs every NNN.eml in order, then
FETCHes ENVELOPE, BODYSTRUCTURE, BODY, RFC822.SIZE and the body sections of every part, one
item per command, and writes Dovecot's untagged FETCH answers byte for byte to NNN.dovecot.
A few SEARCH commands go to search.dovecot. Run as root (Dovecot's mail user is nobody):

    /usr/bin/python3 crates/imap-proto/tests/data/mime/capture.py

The Rust test tests/mime_dovecot.rs reads these files; it never needs Dovecot itself.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_dovecot(root, port):
    for sub in ["run", "state", "mail/carol"]:
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    with open(os.path.join(root, "passwd"), "w") as f:
        f.write("carol:{PLAIN}s3cret\n")
    subprocess.run(["chown", "-R", "65534:65534", os.path.join(root, "mail")], check=True)
    conf = os.path.join(root, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(
            "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\n"
            "protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n"
            "auth_mechanisms = plain login\nmail_location = maildir:{r}/mail/%u\n"
            "service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {p}\n  }}\n}}\n"
            "passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n"
            "userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={r}/mail/%u\n}}\n"
            .format(r=root, p=port))
    proc = subprocess.Popen(["dovecot", "-F", "-c", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("dovecot did not start")


class Imap:
    """A minimal IMAP client that keeps every untagged answer as raw bytes."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.tag = 0
        self.read_response()  # greeting

    def read_line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def read_bytes(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self):
        """One response with its literals, as raw bytes."""
        out = b""
        while True:
            line = self.read_line()
            out += line
            stripped = line[:-2]
            if stripped.endswith(b"}") and b"{" in stripped:
                size = stripped[stripped.rindex(b"{") + 1:-1].rstrip(b"+")
                if size.isdigit():
                    out += self.read_bytes(int(size))
                    continue
            return out

    def command(self, text, literal=None, binary=False):
        self.tag += 1
        tag = b"A%d" % self.tag
        if literal is not None:
            prefix = b"~" if binary else b""
            self.sock.sendall(tag + b" " + text + b" " + prefix + b"{%d}\r\n" % len(literal))
            cont = self.read_response()
            if not cont.startswith(b"+"):
                return [], cont
            self.sock.sendall(literal + b"\r\n")
        else:
            self.sock.sendall(tag + b" " + text + b"\r\n")
        untagged = []
        while True:
            resp = self.read_response()
            if resp.startswith(tag + b" "):
                return untagged, resp
            untagged.append(resp)


def tokens(data):
    """Tokens of an IMAP answer: '(' ')' and ('s', bytes) / ('a', atom)."""
    i, out = 0, []
    while i < len(data):
        c = data[i:i + 1]
        if c in b" \r\n":
            i += 1
        elif c in b"()":
            out.append(c.decode())
            i += 1
        elif c == b'"':
            j, s = i + 1, b""
            while data[j:j + 1] != b'"':
                if data[j:j + 1] == b"\\":
                    j += 1
                s += data[j:j + 1]
                j += 1
            out.append(("s", s))
            i = j + 1
        elif c == b"{" or (c == b"~" and data[i + 1:i + 2] == b"{"):
            j = data.index(b"}", i)
            n = int(data[data.index(b"{", i) + 1:j].rstrip(b"+"))
            start = j + 3
            out.append(("s", data[start:start + n]))
            i = start + n
        else:
            j = i
            while j < len(data) and data[j:j + 1] not in b" ()\r\n":
                j += 1
            out.append(("a", data[i:j]))
            i = j
    return out


def tree(toks, i):
    """Reads one parenthesised list from toks[i]; returns (list, next index)."""
    assert toks[i] == "("
    i += 1
    items = []
    while toks[i] != ")":
        if toks[i] == "(":
            sub, i = tree(toks, i)
            items.append(sub)
        else:
            items.append(toks[i])
            i += 1
    return items, i + 1


def text(tok):
    return tok[1].lower() if isinstance(tok, tuple) else b""


def parts(body, prefix, out):
    """Appends (section, is_message) for every part of a BODYSTRUCTURE list."""
    if isinstance(body[0], list):
        n = 0
        for child in body:
            if not isinstance(child, list):
                break
            n += 1
            path = prefix + [n]
            out.append((path, False))
            if isinstance(child[0], list):
                parts(child, path, out)
            else:
                nested_single(child, path, out)
    else:
        nested_single(body, prefix, out)


def nested_single(body, path, out):
    if text(body[0]) == b"message" and text(body[1]) == b"rfc822" and len(body) > 8 and isinstance(body[8], list):
        if path:
            out[-1] = (path, True)
        inner = body[8]
        if isinstance(inner[0], list):
            parts(inner, path, out)
        else:
            sub = path + [1]
            out.append((sub, False))
            nested_single(inner, sub, out)


def login(port):
    imap = Imap(port)
    _, ok = imap.command(b"LOGIN carol s3cret")
    assert b"OK" in ok, ok
    imap.command(b"SELECT INBOX")
    return imap


def main():
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".eml"))
    root = tempfile.mkdtemp(prefix="mime-capture-")
    os.chmod(root, 0o755)
    port = free_port()
    proc = start_dovecot(root, port)
    try:
        imap = Imap(port)
        _, ok = imap.command(b"LOGIN carol s3cret")
        assert b"OK" in ok, ok
        for name in names:
            with open(os.path.join(HERE, name), "rb") as f:
                msg = f.read()
            _, done = imap.command(b"APPEND INBOX", msg, binary=b"\0" in msg)
            assert b" OK" in done, (name, done)
        imap.command(b"SELECT INBOX")
        for seq, name in enumerate(names, 1):
            items = [b"ENVELOPE", b"BODYSTRUCTURE", b"BODY", b"RFC822.SIZE", b"BODY.PEEK[]",
                     b"BODY.PEEK[HEADER]", b"BODY.PEEK[TEXT]", b"BODY.PEEK[]<2.10>",
                     b"BODY.PEEK[HEADER.FIELDS (FROM SUBJECT X-NOT-THERE)]",
                     b"BODY.PEEK[HEADER.FIELDS.NOT (FROM SUBJECT)]", b"BINARY.SIZE[]",
                     b"BINARY.PEEK[]", b"BODY.PEEK[99]", b"BODY.PEEK[TEXT]<0.5>"]
            answers, _ = imap.command(b"FETCH %d BODYSTRUCTURE" % seq)
            toks = tokens(answers[0][answers[0].index(b"BODYSTRUCTURE") + 13:])
            body, _ = tree(toks, 0)
            found = []
            parts(body, [], found)
            if not isinstance(body[0], list) and not any(p == [1] for p, _ in found):
                found.insert(0, ([1], False))
            for path, is_message in found:
                sec = b".".join(b"%d" % n for n in path)
                items += [b"BODY.PEEK[%s]" % sec, b"BODY.PEEK[%s.MIME]" % sec,
                          b"BINARY.SIZE[%s]" % sec, b"BINARY.PEEK[%s]" % sec]
                if is_message:
                    items += [b"BODY.PEEK[%s.HEADER]" % sec, b"BODY.PEEK[%s.TEXT]" % sec,
                              b"BODY.PEEK[%s.HEADER.FIELDS (SUBJECT)]" % sec]
            out = b""
            for item in items:
                try:
                    answers, done = imap.command(b"FETCH %d (%s)" % (seq, item))
                except EOFError:
                    # Dovecot closes the connection on some broken encodings: note it and
                    # go on with a new connection.
                    out += b"# " + item + b"\r\n* disconnected\r\n"
                    imap = login(port)
                    continue
                if b" OK" not in done:
                    # Dovecot refuses some sections (e.g. BINARY of an unknown encoding):
                    # keep the tagged answer so the test sees what it said.
                    out += b"# " + item + b"\r\n" + done
                for a in answers:
                    out += a
            with open(os.path.join(HERE, name[:-4] + ".dovecot"), "wb") as f:
                f.write(out)
        searches = [
            b"BODY hello", b"BODY \"plain text\"", b"TEXT inner", b"TEXT \"Ann Example\"",
            b"HEADER Subject test", b"HEADER X-Long yyyy", b"HEADER Content-Type multipart",
            b"FROM ann", b"TO bob", b"CC example", b"SUBJECT inner", b"SUBJECT \"address 1\"",
            b"BODY world", b"BODY caf", b"CHARSET UTF-8 BODY caf\xc3\xa9", b"CHARSET UTF-8 SUBJECT caf\xc3\xa9",
            b"CHARSET UTF-8 TEXT \xc3\xa9l\xc3\xa8ve", b"LARGER 1000", b"SMALLER 200", b"BODY HELLO",
            b"BODY \"seven bit\"", b"BODY QQ", b"HEADER Message-ID folded", b"SENTBEFORE 1-Oct-2024",
            b"SENTON 1-Oct-2024", b"SENTSINCE 1-Oct-2024", b"HEADER X-NOT-THERE \"\"",
            b"HEADER Content-Description \"\"", b"BODY \"eight bit\"", b"BODY preamble",
            b"BODY epilogue", b"TEXT =?UTF-8?", b"SUBJECT encoded",
        ]
        out = b""
        for s in searches:
            answers, done = imap.command(b"SEARCH " + s)
            out += b"# SEARCH " + s + b"\r\n"
            for a in answers:
                out += a
            if b" OK" not in done:
                out += done
        with open(os.path.join(HERE, "search.dovecot"), "wb") as f:
            f.write(out)
        imap.command(b"LOGOUT")
    finally:
        proc.terminate()
        proc.wait()
        if os.environ.get("KEEP"):
            print(root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("captured %d messages" % len(names), file=sys.stderr)


if __name__ == "__main__":
    main()

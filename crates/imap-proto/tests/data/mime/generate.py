#!/usr/bin/python3
"""Writes the MIME test messages of imap-proto's Dovecot comparison (tests/mime_dovecot.rs).

Every message is written as NNN.eml next to this script; `capture.py` then delivers them to a
throwaway Dovecot and stores its FETCH answers. Run from anywhere:

    /usr/bin/python3 crates/imap-proto/tests/data/mime/generate.py

The set covers the pitfalls of issue 13: defaults, Content-* headers without MIME-Version,
the CRLF before a boundary, boundaries with trailing white space, missing first or final
boundaries, empty multiparts, headers without a body, bare LF, nested multiparts, message/rfc822
inside message/rfc822, digests, 8-bit and UTF-8 headers, encoded words, groups, source routes,
broken addresses, long folded headers, RFC 2231 parameters, every transfer encoding, binary
parts and the nesting limit. Deterministic: the same script writes the same bytes.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
messages = []


def crlf(text):
    """Turns every LF into CRLF."""
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def add(text, lf=False):
    if isinstance(text, str):
        text = text.encode("utf-8")
    messages.append(text if lf else crlf(text))


def both(text):
    """The message once with CRLF and once with bare LF line ends."""
    add(text)
    add(text, lf=True)


HDR = (
    "Date: Tue, 1 Oct 2024 10:00:00 +0000\n"
    "From: Ann Example <ann@example.com>\n"
    "To: bob@example.org\n"
    "Subject: test\n"
    "Message-ID: <m1@example.com>\n"
)

# ---------------------------------------------------------------- simple messages
both(HDR + "\nHello world\n")
both(HDR + "\nline one\nline two\n\nline four without end")
both(HDR + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
     "Content-Transfer-Encoding: 8bit\n\nGr\u00fc\u00dfe, caf\u00e9\n")
add(HDR)  # header only, no empty line, no body
add(HDR + "\n")  # header and empty line, empty body
add("Subject: only a subject")
add("\n")  # empty header, empty body
add("\nbody without header\n")
add(b"X")  # one byte, no header line end (Dovecot refuses an empty message)
add(HDR + "\n\n\n")
# Content-* without MIME-Version and without Content-Type: ignored.
both(HDR + "Content-Transfer-Encoding: base64\nContent-Description: ignored\n"
     "Content-ID: <id@x>\n\naGVsbG8K\n")
# Content-Type without MIME-Version counts as MIME.
both(HDR + "Content-Type: text/html; charset=iso-8859-1\n\n<p>hi</p>\n")
# MIME-Version without Content-Type: defaults.
both(HDR + "MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n\nsoft=\nbreak=3D\n")
# Case of type and parameters kept.
add(HDR + "MIME-Version: 1.0\nContent-Type: TEXT/Plain; CharSet=\"UTF-8\"; Format=Flowed\n\nx\n")
add(HDR + "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii; delsp=yes; format=flowed\n\nx\n")
# Broken Content-Types.
for ct in [
    "text", "text/", "/plain", "text/plain garbage", "text/plain;", "text/plain; charset",
    "text/plain; charset=", "text/plain; =x", "text/plain;; charset=x",
    "text / plain ; charset = utf-8", "text/plain (comment); charset=\"a\\\"b\"",
    "(comment) text/plain; name=\"x y\"", "application/octet-stream; name==?utf-8?q?a?=",
    "image/png; name=\"=?UTF-8?B?w6k=?=\"", "text/plain; charset=\"unterminated",
    "multipart/mixed", "message/rfc822; x=y", "text/plain; a=1; A=2", "x-foo/x-bar",
    "application/pdf; name=caf\u00e9.pdf", "\u00e9/plain", "text/plain; charset=utf-8 (comment)",
]:
    add(HDR + "MIME-Version: 1.0\nContent-Type: " + ct + "\n\nbody\n")
# Duplicates: first Content-* wins, last envelope field wins.
add(HDR + "Subject: second subject\nMIME-Version: 1.0\nContent-Type: text/html\n"
    "Content-Type: text/plain\nContent-Description: one\nContent-Description: two\n\nx\n")
add("From: a@example.com\nFrom: b@example.com\nTo: c@example.com\nTo: d@example.com\n"
    "Date: one\nDate: two\nMessage-ID: <1@x>\nMessage-ID: <2@x>\n\nbody\n")

# ---------------------------------------------------------------- envelope
ADDRESSES = [
    "ann@example.com",
    "Ann Example <ann@example.com>",
    "\"Example, Ann\" <ann@example.com>",
    "\"quoted \\\"name\\\"\" <ann@example.com>",
    "ann@example.com (Ann in a comment)",
    "ann@example.com (first) (second)",
    "(lead comment) ann@example.com",
    "=?UTF-8?Q?Andr=C3=A9?= <andre@example.com>",
    "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
    "Andr\u00e9 <andre@example.com>",
    "\u00e9l\u00e8ve@\u00e9cole.example",
    "<@route1,@route2:ann@example.com>",
    "Ann <@a.example:ann@example.com>",
    "Group: ann@example.com, bob@example.org;",
    "Empty group:;",
    "undisclosed-recipients:;",
    "A Group: Ann <ann@example.com>, (c) bob@example.org;, carol@example.net",
    "Outer: Inner: x@y;;",
    "ann",
    "ann@",
    "@example.com",
    "<>",
    "<ann>",
    "Ann <>",
    "Ann <ann@>",
    "just a display name",
    "\"\" <ann@example.com>",
    "ann@example.com, , bob@example.org",
    "ann@example.com,",
    ",ann@example.com",
    "ann@[192.0.2.1]",
    "\"ann smith\"@example.com",
    "ann.smith@example.com",
    "ann..smith@example.com",
    "ann.@example.com",
    ".ann@example.com",
    "ann @ example . com",
    "Ann\tTab  Spaces <ann@example.com>",
    "ann@example.com <bob@example.org>",
    "Ann <ann@example.com> trailing",
    "Ann <ann@example.com",
    "\"unterminated <ann@example.com>",
    "a@b, c@d, e@f, g@h, i@j",
    "   ",
    "",
    "Ann (comment) Example <ann@example.com>",
    "Ann \\\"x\\\" <ann@example.com>",
    "ann@example.com (comment with \\) paren)",
    "ann@example.com (nested (comment) here)",
    "NIL <nil@example.com>",
    "\"NIL\" <nil@example.com>",
    "\"a\\\\b\\\\c\\\\d\\\\e\\\\f\" <x@example.com>",
]
for i, a in enumerate(ADDRESSES):
    add("Date: Tue, 1 Oct 2024 10:00:00 +0000\nFrom: " + a + "\nTo: " + a + "\nCc: " + a
        + "\nSubject: address " + str(i) + "\n\nbody\n")
add("From: ann@example.com\nSender: sender@example.com\nReply-To: reply@example.com\n"
    "To: a@example.com\nCc: c@example.com\nBcc: b@example.com\nSubject: all fields\n"
    "In-Reply-To: <parent@example.com>\nMessage-ID: <m@example.com>\nDate: x\n\nbody\n")
add("From: ann@example.com\nSender:\nReply-To: \nSubject:\nDate:\nMessage-ID:\n"
    "In-Reply-To:   \nTo:\nCc: \n\nbody\n")
add("Subject: no addresses at all\n\nbody\n")
add("sUbJeCt: lower case names\nfrom: ann@example.com\nTO: bob@example.org\nmessage-id: <x@y>\n\nbody\n")
add("Subject:    leading and trailing spaces   \nFrom: ann@example.com\n\nbody\n")
add("Subject: tab\there  and  double  spaces\n\nbody\n")
add("Subject: \"quotes\" and \\ backslash\n\nbody\n")
add("Subject: a \"b\" c \"d\" e \"f\" g\n\nbody\n")
add("Subject: =?UTF-8?B?w6nDqMOg?= encoded =?ISO-8859-1?Q?caf=E9?=\n\nbody\n")
add("Subject: 8-bit caf\u00e9 \u65e5\u672c\u8a9e\n\nbody\n")
add(b"Subject: latin-1 caf\xe9\nFrom: Andr\xe9 <a@example.com>\n\nbody\n")
add("Subject: a long subject line that is folded\n over several lines\n\tand a tab\n"
    "From: Ann\n Example <ann@example.com>\nTo: a@example.com,\n b@example.com,\n"
    "\t\"c\" <c@example.com>\nMessage-ID:\n <folded@example.com>\nDate: Tue, 1 Oct 2024\n 10:00:00 +0000\n"
    "In-Reply-To: <a@example.com>\n <b@example.com>\n\nbody\n")
add("Subject: " + "word " * 200 + "\n\nbody\n")
add("Subject: x\n" + "X-Long: " + "y" * 3000 + "\nFrom: ann@example.com\n\nbody\n")
add("Subject: header line without colon\nthis is not a header\nFrom: ann@example.com\n\nbody\n")
add("Subject : space before colon\nFrom  :  ann@example.com\n\nbody\n")
add(" leading continuation\nSubject: s\n\nbody\n")
add("Message-ID: <a@b> (comment)\nIn-Reply-To: <x@y> <z@w>\nSubject: ids\n\nbody\n")
add(b"Subject: nul\x00inside\nFrom: ann@example.com\n\nbody\n")

# ---------------------------------------------------------------- multiparts
MP = HDR + "MIME-Version: 1.0\n"


def multipart(subtype, boundary, parts, preamble="", epilogue="", params=""):
    out = MP + "Content-Type: multipart/" + subtype + "; boundary=\"" + boundary + "\"" + params + "\n\n"
    out += preamble
    for p in parts:
        out += "--" + boundary + "\n" + p + "\n"
    out += "--" + boundary + "--\n" + epilogue
    return out


TEXT = "Content-Type: text/plain; charset=us-ascii\n\nplain text\n"
HTML = "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<p>caf=C3=A9</p>\n"
B64 = ("Content-Type: application/octet-stream; name=\"data.bin\"\nContent-Transfer-Encoding: base64\n"
       "Content-Disposition: attachment; filename=\"data.bin\"\n\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
both(multipart("mixed", "b1", [TEXT, HTML]))
both(multipart("alternative", "alt", [TEXT, HTML], preamble="This is a preamble.\n",
               epilogue="This is the epilogue.\n"))
both(multipart("mixed", "b1", [TEXT, B64]))
both(multipart("mixed", "b1", [multipart("alternative", "b2", [TEXT, HTML])[len(MP):], B64]))
# Three levels deep.
inner3 = multipart("related", "b3", [HTML, "Content-Type: image/png\nContent-ID: <img@x>\n"
                                      "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"])[len(MP):]
inner2 = multipart("alternative", "b2", [TEXT, inner3])[len(MP):]
both(multipart("mixed", "b1", [inner2, B64]))
# Same boundary reused in a nested part.
add(multipart("mixed", "same", [multipart("mixed", "same", [TEXT])[len(MP):], TEXT]))
# Boundary prefixes.
add(multipart("mixed", "a", [multipart("mixed", "ab", [TEXT, TEXT])[len(MP):], TEXT]))
add(multipart("mixed", "ab", [multipart("mixed", "a", [TEXT, TEXT])[len(MP):], TEXT]))
# Boundary with trailing white space.
add(MP + "Content-Type: multipart/mixed; boundary=\"tw\"\n\n--tw   \n" + TEXT + "\n--tw\t\n" + TEXT + "\n--tw--  \n")
# Missing first boundary: everything is preamble.
add(MP + "Content-Type: multipart/mixed; boundary=\"nb\"\n\nno boundary at all\n")
# Missing final boundary.
add(MP + "Content-Type: multipart/mixed; boundary=\"nf\"\n\n--nf\n" + TEXT + "\n--nf\n" + HTML)
add(MP + "Content-Type: multipart/mixed; boundary=\"nf\"\n\n--nf\n" + TEXT, lf=True)
# Empty multipart: only the final boundary.
both(MP + "Content-Type: multipart/mixed; boundary=\"e\"\n\n--e--\n")
add(MP + "Content-Type: multipart/mixed; boundary=\"e\"\n\n")
add(MP + "Content-Type: multipart/mixed; boundary=\"e\"\n")
add(MP + "Content-Type: multipart/alternative; boundary=\"e\"\n\npreamble only\n--e--\nepilogue\n")
# Multipart without a boundary parameter.
add(MP + "Content-Type: multipart/mixed\n\n--x\n" + TEXT + "\n--x--\n")
add(MP + "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n" + TEXT + "\n----\n")
# A part without a body (no empty line), a part with an empty header.
add(MP + "Content-Type: multipart/mixed; boundary=\"h\"\n\n--h\nContent-Type: text/plain\n--h\n\nno header\n--h\n\n--h--\n")
add(MP + "Content-Type: multipart/mixed; boundary=\"h\"\n\n--h\n--h\n--h--\n")
# Boundary text inside a body line that is not a boundary.
add(multipart("mixed", "bb", ["Content-Type: text/plain\n\nnot --bb at line start\nx--bb\n--bbx is a prefix match\n"]))
# Content after the final boundary and a second multipart after it.
add(MP + "Content-Type: multipart/mixed; boundary=\"z\"\n\n--z\n" + TEXT + "\n--z--\ntrailer\n--z\n" + HTML + "\n--z--\n")
# Boundary with special characters and quoting.
add(MP + "Content-Type: multipart/mixed;\n boundary=\"=_Part_0.1 (x)?\"\n\n--=_Part_0.1 (x)?\n" + TEXT + "\n--=_Part_0.1 (x)?--\n")
add(MP + "Content-Type: multipart/mixed; boundary=unquoted_boundary\n\n--unquoted_boundary\n" + TEXT + "\n--unquoted_boundary--\n")
# Long boundary (over 70 characters).
lb = "L" * 90
add(multipart("mixed", lb, [TEXT, TEXT]))
# CRLF before a boundary: bodies that end with and without a line break.
add(MP + "Content-Type: multipart/mixed; boundary=\"c\"\n\n--c\nContent-Type: text/plain\n\nno final newline\n--c\nContent-Type: text/plain\n\ntwo newlines\n\n\n--c--")
add(MP + "Content-Type: multipart/mixed; boundary=\"c\"\n\n--c\nContent-Type: text/plain\n\n\n--c\nContent-Type: text/plain\n\n--c--\n")
# Mixed line ends in one message.
add(crlf((MP + "Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\n").encode()) +
    b"Content-Type: text/plain\n\nlf part\nsecond\n--m\r\nContent-Type: text/plain\r\n\r\ncrlf part\r\n--m--\r\n", lf=True)
# Bare CR inside a body.
add(HDR.encode() + b"\nbare\rcr\r\nend\r\n", lf=True)

# ---------------------------------------------------------------- message/rfc822
EMBEDDED = ("From: Inner <inner@example.com>\nTo: x@example.org\nSubject: inner subject\n"
            "Date: Mon, 30 Sep 2024 09:00:00 +0000\nMessage-ID: <inner@example.com>\n\ninner body\nline 2\n")
RFC822 = "Content-Type: message/rfc822\nContent-Description: forwarded\n\n" + EMBEDDED
both(multipart("mixed", "f", [TEXT, RFC822]))
# message/rfc822 at the top level.
both(MP + "Content-Type: message/rfc822\n\n" + EMBEDDED)
# message/rfc822 inside message/rfc822.
both(MP + "Content-Type: message/rfc822\n\n" + "MIME-Version: 1.0\nContent-Type: message/rfc822\n"
     "Subject: middle\n\n" + EMBEDDED)
# message/rfc822 holding a multipart.
inner_mp = multipart("alternative", "in", [TEXT, HTML])
both(multipart("mixed", "out", [TEXT, "Content-Type: message/rfc822\n\n" + inner_mp]))
# message/rfc822 with an empty body, with no header, with only a header.
add(multipart("mixed", "f", ["Content-Type: message/rfc822\n\n"]))
add(multipart("mixed", "f", ["Content-Type: message/rfc822\n\n\nbody of a message without header\n"]))
add(multipart("mixed", "f", ["Content-Type: message/rfc822\n\nSubject: header only"]))
# message/rfc822 encoded in base64 (still parsed as a message by Dovecot?) and message/global.
add(multipart("mixed", "f", ["Content-Type: message/rfc822\nContent-Transfer-Encoding: 7bit\n\n" + EMBEDDED]))
add(multipart("mixed", "f", ["Content-Type: message/global\n\n" + EMBEDDED]))
add(multipart("mixed", "f", ["Content-Type: MESSAGE/RFC822\n\n" + EMBEDDED]))
# Content-Type only, no MIME-Version, at the top: message/rfc822.
add("Subject: s\nContent-Type: message/rfc822\n\n" + EMBEDDED)
# Content-Type in the embedded message without MIME-Version.
add(MP + "Content-Type: message/rfc822\n\nSubject: embedded\nContent-Transfer-Encoding: base64\n\naGk=\n")

# ---------------------------------------------------------------- digests
DIG1 = "\n" + EMBEDDED
DIG2 = "Content-Type: text/plain\n\nexplicit text in a digest\n"
both(multipart("digest", "d", [DIG1, DIG1, DIG2]))
add(multipart("mixed", "o", [multipart("digest", "d", [DIG1, "Content-Type: message/rfc822\n\n" + EMBEDDED])[len(MP):]]))
# A digest part whose Content-Type is not MIME (no type): still message/rfc822.
add(multipart("digest", "d", ["Content-Description: a description\n\n" + EMBEDDED]))

# ---------------------------------------------------------------- transfer encodings
for enc, body in [
    ("7bit", "seven bit\n"), ("8bit", "eight bit caf\u00e9\n"), ("binary", "binary caf\u00e9\n"),
    ("base64", "aGVsbG8gd29ybGQK\n"), ("BASE64", "aGVsbG8g\nd29ybGQK\n"),
    ("base64", "aGVs bG8g\nd2 9y\tbGQK\n"), ("base64", "aGVsbG8gd29ybGQ\n"), ("base64", "aGVsbG8*gd29y!bGQK\n"),
    ("base64", "aGVsbG8=gd29ybGQK\n"), ("base64", "====\n"), ("base64", ""), ("base64", "QQ==\nQg==\n"),
    ("quoted-printable", "caf=C3=A9 soft=\nline\n"), ("quoted-printable", "trailing spaces   \nend\n"),
    ("quoted-printable", "bad =ZZ escape and =\n"), ("quoted-printable", "lower =c3=a9 hex\n"),
    ("quoted-printable", "=\n"), ("quoted-printable", "a=20\nb=\t\nc= \n"), ("Quoted-Printable", "x=3D=\n"),
    ("x-uuencode", "begin 644 x\n#86)C\n`\nend\n"), ("unknown-thing", "what\n"), ("", "empty\n"),
    ("7bit (comment)", "x\n"), ("base64 garbage", "aGk=\n"), ("\"base64\"", "aGk=\n"),
]:
    cte = "Content-Transfer-Encoding: " + enc + "\n"
    add(MP + "Content-Type: text/plain; charset=utf-8\n" + cte + "\n" + body)
    add(multipart("mixed", "e", [TEXT, "Content-Type: application/octet-stream\n" + cte + "\n" + body]))
# A binary part with NUL and high bytes.
blob = bytes(range(256)) * 2
add(crlf((MP + "Content-Type: multipart/mixed; boundary=\"bin\"\n\n--bin\nContent-Type: application/octet-stream\n"
          "Content-Transfer-Encoding: binary\n\n").encode()) + blob + b"\r\n--bin--\r\n", lf=True)
add(crlf((HDR + "\n").encode()) + b"text with a \x00 NUL\r\n", lf=True)
# A long base64 attachment, and QP with long lines.
import base64
big = bytes((i * 7 + 3) % 256 for i in range(6000))
b64 = base64.encodebytes(big).decode()
add(multipart("mixed", "big", [TEXT, "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" + b64]))
add(MP + "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n" + ("a" * 75 + "=\n") * 20 + "end\n")

# ---------------------------------------------------------------- extension data
EXT = [
    "Content-Disposition: attachment; filename=\"report.pdf\"; size=1234",
    "Content-Disposition: inline",
    "Content-Disposition: INLINE; FILENAME=x.txt",
    "Content-Disposition: attachment;\n filename*=UTF-8''%E2%82%AC%20rates.txt",
    "Content-Disposition: attachment; filename*0=\"long\"; filename*1=\"name\"; filename*2=\".txt\"",
    "Content-Disposition: attachment; filename*0*=UTF-8''caf%C3%A9; filename*1=\".txt\"",
    "Content-Disposition: attachment; filename*1=\"second\"; filename*0=\"first\"",
    "Content-Disposition: attachment; filename*0=\"a\"; filename*2=\"c\"",
    "Content-Disposition: attachment; filename*=iso-8859-1'en'caf%E9",
    "Content-Disposition: attachment; filename*='';",
    "Content-Disposition: attachment; filename=\"a\"; filename*=utf-8''b",
    "Content-Disposition: ; filename=x",
    "Content-Disposition: attachment; filename=\"=?UTF-8?Q?caf=C3=A9?=.txt\"",
    "Content-Disposition: attachment (comment); filename=x",
    "Content-Disposition:",
    "Content-Language: en",
    "Content-Language: en, de-AT (Austrian), fr",
    "Content-Language: en,,de",
    "Content-Language: ,en",
    "Content-Language: \"en\"",
    "Content-Language:",
    "Content-Location: http://example.com/a.txt",
    "Content-Location: \"http://example.com/\n folded.txt\"",
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==",
    "Content-ID: <part1@example.com>",
    "Content-ID: <folded@\n example.com>",
    "Content-Description: a description with \"quotes\" and \\ backslash",
    "Content-Description: a description\n folded over two lines",
    "Content-Description: caf\u00e9 in UTF-8",
    "Content-Description: =?UTF-8?Q?caf=C3=A9?=",
    "Content-Description:",
    "Content-Disposition: attachment; filename=x\nContent-Language: de\nContent-Location: loc\nContent-MD5: md5",
    "Content-Type: text/plain; name*0=\"multi\"; name*1=\"part\"; charset=utf-8",
    "Content-Type: text/plain; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
    "Content-Type: text/plain; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
    "Content-Type: text/plain; charset*=utf-8''x",
    "Content-Type: text/plain; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
]
for i, ext in enumerate(EXT):
    hdr = ext if ext.startswith("Content-Type") else "Content-Type: text/plain\n" + ext
    add(MP + hdr + "\n\nbody " + str(i) + "\n")
    add(multipart("mixed", "x", [hdr + "\n\npart body\n", TEXT], params="; x=\"y\""))
# Extension data on a multipart itself.
add(HDR + "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"q\"; charset=x\n"
    "Content-Disposition: inline; a=b\nContent-Language: en\nContent-Location: where\n"
    "Content-MD5: ignored\nContent-ID: <mp@x>\nContent-Description: mp\n\n--q\n" + TEXT + "\n--q--\n")

# ---------------------------------------------------------------- the nesting limit
deep = TEXT
for level in range(105):
    deep = "Content-Type: multipart/mixed; boundary=\"n" + str(level) + "\"\n\n--n" + str(level) + "\n" + deep + "\n--n" + str(level) + "--\n"
add(HDR + "MIME-Version: 1.0\n" + deep)
deep = "Subject: innermost\n\nbody\n"
for level in range(105):
    deep = "Content-Type: message/rfc822\n\n" + deep
add(HDR + "MIME-Version: 1.0\n" + deep)

# ---------------------------------------------------------------- parametric sweeps
TYPES = ["text/plain", "text/html", "text/enriched", "image/gif", "audio/basic", "video/mpeg",
         "application/json", "model/vrml", "font/woff"]
for t in TYPES:
    for enc in ["7bit", "base64"]:
        body = "aGVsbG8K\n" if enc == "base64" else "hello\n"
        add(multipart("mixed", "s", [TEXT, "Content-Type: " + t + "\nContent-Transfer-Encoding: " + enc + "\n\n" + body]))
for n in [1, 2, 5, 20]:
    add(multipart("mixed", "n", ["Content-Type: text/plain\n\npart " + str(i) + "\n" for i in range(n)]))


def main():
    for name in os.listdir(HERE):
        if name.endswith(".eml") or name.endswith(".dovecot"):
            os.remove(os.path.join(HERE, name))
    for i, msg in enumerate(messages, 1):
        with open(os.path.join(HERE, "%03d.eml" % i), "wb") as f:
            f.write(msg)
    print("%d messages" % len(messages), file=sys.stderr)


if __name__ == "__main__":
    main()

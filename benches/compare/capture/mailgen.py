"""Deterministic, realistic mailbox content for the IMAP and POP3 captures.

`messages(n, seed)` yields `n` RFC 5322 messages (CRLF line ends) of the shapes a real mailbox
holds, so that the ENVELOPE and BODYSTRUCTURE responses Dovecot sends about them are real:
plain text, multipart/alternative, multipart/mixed with attachments (RFC 2231 file names,
UTF-8 ones among them), multipart/related HTML with an inline image, forwarded
message/rfc822 parts, replies with In-Reply-To and References, mailing-list mail,
encoded-word subjects and display names, groups and several recipients. The same seed always
gives the same bytes. Standard library only.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

PEOPLE = [
    ("Alice Martin", "alice", "example.test"),
    ("Bob Smith", "bob", "example.test"),
    ("Carol O'Neil", "carol", "mail.example.org"),
    ("Dave Nakamura", "dave.nakamura", "corp.example.net"),
    ("Eve Dubois", "eve", "example.fr"),
    ("Frank Kowalski", "f.kowalski", "example.pl"),
    ("Grace Hopper", "grace", "navy.example.mil"),
    ("Heidi Müller", "heidi.mueller", "example.de"),
    ("Jürgen Weiß", "juergen", "xn--mller-kva.example"),
    ("José Álvarez", "jose", "example.es"),
    ("Zoë Chen", "zoe.chen", "example.cn"),
    ("Smith, John", "john.smith", "example.com"),
    ("", "noreply", "notifications.example.com"),
    ("GitHub", "notifications", "github.example"),
    ("rust-users", "rust-users", "lists.example.org"),
    ("Ops Alerts", "alerts+prod", "ops.example.net"),
]

SUBJECTS = [
    "Quarterly report",
    "Meeting tomorrow at 10:00",
    "[project-x] build #{n} failed",
    "Invoice 2026-{n:04} — payment due",
    "Lunch?",
    "Café order for Friday",
    "Übersicht der Änderungen",
    "Your order #{n} has shipped",
    "Re: design review notes",
    "Photos from the offsite 📷",
    "[rust-users] Borrow checker question about {word}",
    "Weekly digest: {word}, {word2} and more",
    "Security alert: new sign-in",
    "Fwd: contract draft v{n}",
    "Out of office",
    "小组会议记录",
]

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there one all we their can has been if more when "
    "will would who so no project review schedule budget deploy release server mailbox "
    "message client latency throughput parser benchmark lifetime borrow trait async runtime "
    "invoice payment contract meeting agenda notes draft attachment report quarter team "
    "customer support ticket incident outage rollback migration database index cache"
).split()

FLAG_SETS = ["", "S", "S", "S", "RS", "FS", "S", "", "DS", "S"]


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def _wrap(text: str, width: int = 72) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


def _address(p: tuple[str, str, str]) -> Address:
    name, user, domain = p
    return Address(display_name=name, username=user, domain=domain)


def _subject(rng: random.Random, n: int) -> str:
    s = rng.choice(SUBJECTS)
    return s.format(n=n, word=rng.choice(WORDS), word2=rng.choice(WORDS))


def _text_body(rng: random.Random) -> str:
    paras = _paragraphs(rng, rng.randint(1, 5))
    body = "\n\n".join(_wrap(p) for p in paras)
    greeting = rng.choice(["Hi,", "Hello all,", "Dear colleagues,", "Hey Bob,", ""])
    closing = rng.choice(["Thanks,\nAlice", "Best regards,\nHeidi", "-- \nSent from my phone", "Cheers"])
    return f"{greeting}\n\n{body}\n\n{closing}\n" if greeting else f"{body}\n\n{closing}\n"


def _html(text: str) -> str:
    paras = "".join(f"<p>{p.replace(chr(10), ' ')}</p>\n" for p in text.split("\n\n"))
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
        f"<body style=\"font-family: sans-serif\">\n{paras}</body></html>\n"
    )


ATTACHMENTS = [
    ("application", "pdf", ["report-{n}.pdf", "Übersicht Q{q}.pdf", "invoice_{n}.pdf"]),
    ("image", "png", ["screenshot-{n}.png", "diagram.png"]),
    ("image", "jpeg", ["IMG_{n}.JPG", "photo {n}.jpg"]),
    ("application", "zip", ["logs-{n}.zip", "archive.zip"]),
    ("text", "calendar", ["invite.ics"]),
    ("text", "csv", ["export-{n}.csv", "données.csv"]),
    (
        "application",
        "vnd.openxmlformats-officedocument.wordprocessingml.document",
        ["contract draft v{q}.docx"],
    ),
]


def _attach(msg: EmailMessage, rng: random.Random, n: int, inline_cid: str | None = None) -> None:
    maintype, subtype, names = rng.choice(ATTACHMENTS)
    if inline_cid:
        maintype, subtype, names = "image", "png", ["logo.png"]
    name = rng.choice(names).format(n=n, q=rng.randint(1, 4))
    if maintype == "text":
        rows = [",".join(rng.choice(WORDS) for _ in range(5)) for _ in range(rng.randint(5, 40))]
        msg.add_attachment("\n".join(rows) + "\n", subtype=subtype, filename=name)
        return
    data = rng.randbytes(rng.choice([600, 1500, 3000, 6000, 12000]))
    if inline_cid:
        msg.add_related(data, maintype=maintype, subtype=subtype, cid=inline_cid, filename=name, disposition="inline")
    else:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def _headers(msg: EmailMessage, rng: random.Random, n: int, when: datetime, folder: str) -> None:
    sender = rng.choice(PEOPLE)
    me = PEOPLE[1]
    if folder == "Sent":
        sender, me = me, rng.choice(PEOPLE)
    msg["From"] = _address(sender)
    roll = rng.random()
    if roll < 0.08:
        members = [_address(p) for p in rng.sample(PEOPLE, 3)]
        msg["To"] = Group("project-team", members)
    elif roll < 0.3:
        msg["To"] = [_address(me)] + [_address(p) for p in rng.sample(PEOPLE, rng.randint(1, 3))]
    else:
        msg["To"] = _address(me)
    if rng.random() < 0.3:
        msg["Cc"] = [_address(p) for p in rng.sample(PEOPLE, rng.randint(1, 2))]
    if rng.random() < 0.1:
        msg["Reply-To"] = _address(rng.choice(PEOPLE))
    subject = _subject(rng, n)
    if rng.random() < 0.25:
        parent = f"<{max(1, n - rng.randint(1, 30))}.{rng.randint(1000, 9999)}@mail.example.test>"
        msg["In-Reply-To"] = parent
        msg["References"] = f"<root.{n // 10}@mail.example.test> {parent}"
        if not subject.startswith("Re:"):
            subject = "Re: " + subject
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{n}.{rng.randint(1000, 9999)}@mail.example.test>"
    if "[" in subject and rng.random() < 0.8:
        msg["List-Id"] = "Rust users <rust-users.lists.example.org>"
        msg["List-Unsubscribe"] = "<mailto:rust-users-leave@lists.example.org>"
    if rng.random() < 0.2:
        msg["X-Mailer"] = rng.choice(["Thunderbird 128.3.0", "Apple Mail (2.3774)", "K-9 Mail 6.8"])


def _inner(rng: random.Random, n: int, when: datetime) -> EmailMessage:
    inner = EmailMessage(policy=SMTP)
    _headers(inner, rng, n + 5000, when - timedelta(days=rng.randint(1, 60)), "INBOX")
    inner.set_content(_text_body(rng))
    if rng.random() < 0.5:
        inner.add_alternative(_html(_text_body(rng)), subtype="html")
    return inner


def message(n: int, rng: random.Random, when: datetime, folder: str) -> bytes:
    """Returns message number `n` of `folder`, dated `when`."""
    msg = EmailMessage(policy=SMTP)
    _headers(msg, rng, n, when, folder)
    text = _text_body(rng)
    shape = rng.random()
    if shape < 0.30:
        # text/plain, sometimes 8bit UTF-8, sometimes quoted-printable
        cte = rng.choice([None, None, "quoted-printable", "8bit"])
        msg.set_content(text, cte=cte) if cte else msg.set_content(text)
    elif shape < 0.60:
        msg.set_content(text)
        msg.add_alternative(_html(text), subtype="html")
    elif shape < 0.82:
        msg.set_content(text)
        if rng.random() < 0.6:
            msg.add_alternative(_html(text), subtype="html")
        for _ in range(rng.randint(1, 3)):
            _attach(msg, rng, n)
    elif shape < 0.92:
        msg.set_content(text)
        msg.add_attachment(_inner(rng, n, when))
    else:
        msg.set_content(text)
        msg.add_alternative(_html(text).replace("</body>", "<img src=\"cid:logo@example.test\"></body>"), subtype="html")
        html = msg.get_body(("html",))
        _attach(html, rng, n, inline_cid="<logo@example.test>")
    # Fixed boundaries: the email package draws them at random.
    for k, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{n}_{k}")
        payload = part.get_payload() if part.get_content_type() == "message/rfc822" else None
        for j, sub in enumerate((payload or [])):
            for m, inner in enumerate(sub.walk()):
                if inner.is_multipart():
                    inner.set_boundary(f"----=_Inner_{n}_{k}_{j}_{m}")
    return msg.as_bytes(policy=SMTP)


def mailbox(folder: str, count: int, seed: int) -> list[tuple[bytes, str, datetime]]:
    """Returns `count` messages of `folder` with their maildir flags and dates, oldest first."""
    rng = random.Random(f"{folder}/{seed}")
    start = datetime(2025, 1, 6, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    out = []
    when = start
    for n in range(1, count + 1):
        when = when + timedelta(minutes=rng.randint(5, 2000))
        zone = timezone(timedelta(hours=rng.choice([-7, -5, 0, 1, 2, 8, 9])))
        out.append((message(n, rng, when.astimezone(zone), folder), rng.choice(FLAG_SETS), when))
    return out

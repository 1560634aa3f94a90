//! Inputs shared by the comparison benches: realistic SMTP sessions.

/// Returns a realistic client command stream: `sessions` repetitions of EHLO, MAIL with
/// parameters, three RCPTs, DATA, RSET and QUIT, each line CRLF-terminated.
pub fn command_mix(sessions: usize) -> Vec<u8> {
    let one: &[u8] = b"EHLO client.example.org\r\n\
MAIL FROM:<sender.name@client.example.org> SIZE=48213 BODY=8BITMIME\r\n\
RCPT TO:<alice@mx.example.com>\r\n\
RCPT TO:<bob.smith@mx.example.com> NOTIFY=SUCCESS,FAILURE\r\n\
RCPT TO:<carol+tag@mx.example.com>\r\n\
DATA\r\n\
RSET\r\n\
QUIT\r\n";
    one.repeat(sessions)
}

/// The number of commands in one repetition of [`command_mix`].
pub const COMMANDS_PER_SESSION: usize = 8;

/// Returns a realistic EHLO reply, as Postfix sends it.
pub fn ehlo_reply() -> Vec<u8> {
    b"250-mx.example.com\r\n\
250-PIPELINING\r\n\
250-SIZE 52428800\r\n\
250-VRFY\r\n\
250-ETRN\r\n\
250-STARTTLS\r\n\
250-AUTH PLAIN LOGIN SCRAM-SHA-256\r\n\
250-ENHANCEDSTATUSCODES\r\n\
250-8BITMIME\r\n\
250-DSN\r\n\
250-SMTPUTF8\r\n\
250 CHUNKING\r\n"
        .to_vec()
}

// ---------------------------------------------------------------------------------------------
// IMAP corpora. Every generator is deterministic: the same call returns the same bytes, so the
// parsers compared in one bench read exactly the same input.
// ---------------------------------------------------------------------------------------------

const FIRST_NAMES: [&str; 8] = [
    "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi",
];
const LAST_NAMES: [&str; 6] = [
    "Smith",
    "O'Neil",
    "=?UTF-8?Q?M=C3=BCller?=",
    "Nakamura",
    "Dubois",
    "Kowalski",
];
const SUBJECTS: [&str; 6] = [
    "Re: Quarterly report",
    "Meeting tomorrow at 10:00",
    "Fwd: [project-x] build #4821 failed",
    "Invoice 2026-11 \\\\ payment due",
    "Lunch?",
    "=?UTF-8?Q?Caf=C3=A9_order?=",
];

/// An ENVELOPE address: a display name (sometimes with an escaped quoted nickname), NIL
/// route, mailbox and host.
fn imap_address(out: &mut Vec<u8>, k: usize) {
    let first = FIRST_NAMES[k % FIRST_NAMES.len()];
    let last = LAST_NAMES[(k / 3) % LAST_NAMES.len()];
    let name = if k.is_multiple_of(5) {
        // A display name that carried a quoted part in the header: escaped in the quoted string.
        format!("{first} \\\"{}\\\" {last}", &first[..3])
    } else if k.is_multiple_of(7) {
        format!("{last}, {first}")
    } else {
        format!("{first} {last}")
    };
    let mailbox = first.to_ascii_lowercase();
    let host = ["example.com", "mail.example.org", "corp.example.net"][k % 3];
    out.extend_from_slice(format!("(\"{name}\" NIL \"{mailbox}.{k}\" \"{host}\")").as_bytes());
}

/// An ENVELOPE (RFC 9051 §7.5.2): date, subject, from, sender, reply-to, to, cc, bcc,
/// in-reply-to, message-id. Every tenth one sends To to a group (RFC 5322 §3.4 in the
/// RFC 9051 form: a start marker with the group name, the members, an end marker).
fn imap_envelope(out: &mut Vec<u8>, i: usize) {
    let day = 1 + i % 28;
    let subject = SUBJECTS[i % SUBJECTS.len()];
    out.extend_from_slice(
        format!(
            "(\"Tue, {day} Nov 2026 09:{:02}:{:02} +0100\" \"{subject}\" ",
            i % 60,
            (i * 7) % 60
        )
        .as_bytes(),
    );
    // from, sender, reply-to: the same address, as servers fill them.
    for _ in 0..3 {
        out.push(b'(');
        imap_address(out, i);
        out.extend_from_slice(b") ");
    }
    // to
    out.push(b'(');
    if i.is_multiple_of(10) {
        out.extend_from_slice(b"(NIL NIL \"project-team\" NIL)");
        imap_address(out, i + 1);
        imap_address(out, i + 2);
        out.extend_from_slice(b"(NIL NIL NIL NIL)");
    } else {
        imap_address(out, i + 1);
    }
    out.extend_from_slice(b") ");
    // cc: on every third message
    if i.is_multiple_of(3) {
        out.push(b'(');
        imap_address(out, i + 3);
        imap_address(out, i + 4);
        out.extend_from_slice(b") ");
    } else {
        out.extend_from_slice(b"NIL ");
    }
    // bcc NIL, in-reply-to on replies, message-id
    out.extend_from_slice(b"NIL ");
    if subject.starts_with("Re:") {
        out.extend_from_slice(format!("\"<{}.parent@example.com>\" ", i + 17).as_bytes());
    } else {
        out.extend_from_slice(b"NIL ");
    }
    out.extend_from_slice(format!("\"<{i}.{}@mail.example.com>\")", i * 31 % 977).as_bytes());
}

/// A text/plain + text/html multipart/alternative with its extension data.
fn imap_alternative(out: &mut Vec<u8>, i: usize) {
    out.extend_from_slice(
        format!(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" {} {} NIL NIL NIL NIL)\
(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" {} {} NIL NIL NIL NIL) \
\"ALTERNATIVE\" (\"BOUNDARY\" \"----=_Part_{i}_1\") NIL NIL NIL)",
            900 + i % 400,
            20 + i % 30,
            4000 + i % 3000,
            80 + i % 60,
        )
        .as_bytes(),
    );
}

/// A BODYSTRUCTURE (RFC 9051 §7.5.2): multipart/alternative, and every fourth message a
/// multipart/mixed with a PDF attachment, and every fourth (shifted) one a forwarded
/// message/rfc822 part with its own envelope and structure.
fn imap_bodystructure(out: &mut Vec<u8>, i: usize) {
    match i % 4 {
        1 => {
            out.push(b'(');
            imap_alternative(out, i);
            out.extend_from_slice(
                format!(
                    "(\"APPLICATION\" \"PDF\" (\"NAME\" \"report-{i}.pdf\") NIL NIL \"BASE64\" {} NIL \
(\"ATTACHMENT\" (\"FILENAME\" \"report-{i}.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"----=_Part_{i}_0\") NIL NIL NIL)",
                    50_000 + i * 13
                )
                .as_bytes(),
            );
        }
        3 => {
            out.push(b'(');
            imap_alternative(out, i);
            out.extend_from_slice(
                b"(\"MESSAGE\" \"RFC822\" NIL NIL \"forwarded message\" \"7BIT\" 3921 ",
            );
            imap_envelope(out, i + 500);
            out.extend_from_slice(
                b" (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 2400 61 NIL NIL NIL NIL) 88 NIL \
(\"INLINE\" NIL) NIL NIL)",
            );
            out.extend_from_slice(
                format!(" \"MIXED\" (\"BOUNDARY\" \"----=_Part_{i}_0\") NIL NIL NIL)").as_bytes(),
            );
        }
        _ => imap_alternative(out, i),
    }
}

/// Returns a FETCH response stream as a server sends it for
/// `A1 FETCH 1:n (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)`: `messages` untagged FETCH
/// responses, then `A1 OK FETCH completed`. Responses in it: `messages + 1`.
pub fn imap_fetch_stream(messages: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(messages * 1500);
    for i in 1..=messages {
        let uid = 1000 + i * 3;
        let flags = match i % 5 {
            0 => "",
            1 => "\\Seen \\Flagged",
            _ => "\\Seen",
        };
        out.extend_from_slice(
            format!("* {i} FETCH (UID {uid} FLAGS ({flags}) ENVELOPE ").as_bytes(),
        );
        imap_envelope(&mut out, i);
        out.extend_from_slice(b" BODYSTRUCTURE ");
        imap_bodystructure(&mut out, i);
        out.extend_from_slice(format!(" RFC822.SIZE {})\r\n", 5000 + i * 37 % 90_000).as_bytes());
    }
    out.extend_from_slice(b"A1 OK FETCH completed\r\n");
    out
}

/// The literal size of [`imap_literal_fetch`]: 50 MiB.
pub const IMAP_LITERAL_SIZE: usize = 50 << 20;

/// Returns `* 1 FETCH (BODY[] {52428800}\r\n<50 MiB message>)\r\n`: one response whose literal
/// is a message of CRLF-ended text lines (no NUL, which imap-codec refuses in a literal).
pub fn imap_literal_fetch() -> Vec<u8> {
    let head = format!("* 1 FETCH (BODY[] {{{IMAP_LITERAL_SIZE}}}\r\n");
    let mut out = Vec::with_capacity(head.len() + IMAP_LITERAL_SIZE + 3);
    out.extend_from_slice(head.as_bytes());
    let body = stuffed_line_body(IMAP_LITERAL_SIZE);
    out.extend_from_slice(&body);
    out.extend_from_slice(b")\r\n");
    out
}

/// Exactly `size` octets of a message: headers, then base64-looking 76-column lines.
fn stuffed_line_body(size: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(
        b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: big\r\n\
MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut k = 0usize;
    while body.len() < size {
        for _ in 0..76 {
            body.push(alphabet[k % 64]);
            k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345) >> 3;
        }
        body.extend_from_slice(b"\r\n");
    }
    body.truncate(size);
    body
}

/// The number of UIDs in [`imap_search`].
pub const IMAP_SEARCH_UIDS: usize = 100_000;

/// Returns `* SEARCH` with [`IMAP_SEARCH_UIDS`] ascending UIDs with gaps, CRLF-ended.
pub fn imap_search() -> Vec<u8> {
    let mut out = Vec::with_capacity(IMAP_SEARCH_UIDS * 8);
    out.extend_from_slice(b"* SEARCH");
    let mut uid = 4000u32;
    for i in 0..IMAP_SEARCH_UIDS as u32 {
        uid += 1 + (i * 7919) % 5;
        out.extend_from_slice(format!(" {uid}").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Returns a client command stream: `sessions` repetitions of LOGIN, SELECT, UID FETCH with a
/// long sequence set, UID STORE, SEARCH with nested keys, APPEND with a synchronising literal,
/// IDLE, DONE and LOGOUT. Each session holds [`IMAP_COMMANDS_PER_SESSION`] commands plus the
/// `DONE` line ([`IMAP_LINES_PER_SESSION`] messages in all).
pub fn imap_command_mix(sessions: usize) -> Vec<u8> {
    let mut set = String::new();
    for k in 0..120u32 {
        if !set.is_empty() {
            set.push(',');
        }
        let start = 1000 + k * 37;
        if k % 3 == 0 {
            set.push_str(&start.to_string());
        } else {
            set.push_str(&format!("{start}:{}", start + k % 11 + 1));
        }
    }
    let message: &[u8] = b"Date: Fri, 27 Nov 2026 14:00:00 +0000\r\nFrom: Fred Foobar <foobar@example.com>\r\n\
Subject: afternoon meeting\r\nTo: mooch@example.org\r\nMessage-Id: <B27397-0100000@example.com>\r\n\
MIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n";
    let mut one = Vec::new();
    one.extend_from_slice(b"A1 LOGIN \"fred.foobar@example.com\" \"p4ss\\\"w0rd\"\r\n");
    one.extend_from_slice(b"A2 SELECT INBOX\r\n");
    one.extend_from_slice(
        format!(
            "A3 UID FETCH {set} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)] BODYSTRUCTURE)\r\n"
        )
        .as_bytes(),
    );
    one.extend_from_slice(
        b"A4 UID STORE 1000:1004,1011,1037:1040 +FLAGS.SILENT (\\Seen \\Flagged)\r\n",
    );
    one.extend_from_slice(
        b"A5 SEARCH CHARSET UTF-8 OR (FROM \"alice\" SINCE 1-Feb-2026) (NOT SEEN LARGER 10000 (OR SUBJECT \"report\" BODY \"invoice\")) UNDELETED\r\n",
    );
    one.extend_from_slice(
        format!(
            "A6 APPEND \"Sent\" (\\Seen) \"27-Nov-2026 14:00:00 +0000\" {{{}}}\r\n",
            message.len()
        )
        .as_bytes(),
    );
    one.extend_from_slice(message);
    one.extend_from_slice(b"\r\n");
    one.extend_from_slice(b"A7 IDLE\r\nDONE\r\n");
    one.extend_from_slice(b"A8 LOGOUT\r\n");
    one.repeat(sessions)
}

/// The number of commands in one repetition of [`imap_command_mix`].
pub const IMAP_COMMANDS_PER_SESSION: usize = 8;
/// The number of messages (commands and the `DONE` line) in one repetition of
/// [`imap_command_mix`].
pub const IMAP_LINES_PER_SESSION: usize = 9;

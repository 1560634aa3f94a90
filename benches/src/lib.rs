//! Corpora shared by the criterion benches in `benches/benches/`.
//!
//! Each bench builds its input with a function from here, so that every comparison in one
//! run reads the same bytes.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::num::NonZeroU32;

use bytes::Bytes;
use imap_proto::message::MessageStructure;
use imap_proto::prelude::*;
use imap_proto::response::FetchItem;
use imap_proto::server::{Config, Connection, Event, MailboxSnapshot, MessageInfo};
use imap_proto::types::{DateTime, Flag};
use mail_core::sasl::server::Answer;

/// Returns a message body of at least `size` bytes of realistic 76-character text lines, one
/// line in 500 starting with a dot (quoted text, ellipses), so that a decoder has some
/// stuffing to undo.
///
/// The body is already dot-stuffed and ends with the `CRLF.CRLF` terminator, as it would
/// arrive after an SMTP `DATA` or a POP3 `RETR`.
pub fn stuffed_body(size: usize) -> Vec<u8> {
    stuffed_body_with(size, 500)
}

/// Returns a body like [`stuffed_body`] with one line in `dot_every` starting with a dot:
/// `10` gives a dot-heavy worst case where every tenth line must be un-stuffed.
pub fn stuffed_body_with(size: usize, dot_every: usize) -> Vec<u8> {
    const LINE: &[u8] =
        b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod te";
    let dot_every = dot_every.max(1);
    let mut out = Vec::with_capacity(size + 128);
    let mut n = 0usize;
    while out.len() < size {
        if n % dot_every == dot_every - 1 {
            out.extend_from_slice(b"..");
        }
        out.extend_from_slice(LINE);
        out.extend_from_slice(b"\r\n");
        n += 1;
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The server's answer to `TAG FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE
/// INTERNALDATE)` for `messages` messages: one realistic FETCH response per message (UIDs from
/// 1001), then the tagged OK. Strict RFC 9051 syntax (`body-type-mpart = 1*body SP
/// media-subtype`: no space between the parts), so that every parser compared reads it.
pub fn imap_fetch_stream(messages: usize, tag: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for n in 1..=messages {
        out.extend_from_slice(
            format!(
                "* {n} FETCH (UID {uid} FLAGS (\\Seen $Forwarded) ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700\" \
                 \"Re: the minutes of meeting {n}\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
                 ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
                 ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") \
                 (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL \"<B27397-{n}@cac.washington.edu>\" \
                 \"<B27397-{n}@cac.washington.edu>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \
                 \"QUOTED-PRINTABLE\" 3028 92 NIL NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"minutes.pdf\") NIL NIL \
                 \"BASE64\" 40960 NIL (\"ATTACHMENT\" (\"FILENAME\" \"minutes.pdf\")) NIL NIL) \"MIXED\" \
                 (\"BOUNDARY\" \"b1_{n}\") NIL NIL NIL) RFC822.SIZE {size} INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n",
                uid = n + 1000,
                size = 44_000 + n,
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b" OK FETCH completed\r\n");
    out
}

/// The message whose ENVELOPE and BODYSTRUCTURE every message of the IMAP server benches
/// answers with: a multipart with a text part and a PDF attachment.
pub const IMAP_MESSAGE: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe minutes.\r\n\
--b1\r\nContent-Type: application/pdf; name=\"minutes.pdf\"\r\n\
Content-Disposition: attachment; filename=\"minutes.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";

fn uid(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// Returns a server with `messages` messages selected and
/// `UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)` read, the UIDs
/// it asks for, and the items of every message (`UID` first, then `items`).
///
/// # Panics
/// When the server does not ask for the FETCH (a bug in the bench or the server).
pub fn imap_server_fetching(
    messages: u32,
    items: &[FetchItem],
) -> (Connection, Vec<NonZeroU32>, Vec<Vec<FetchItem>>) {
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    let mut conn = Connection::new(config);
    conn.receive(b"a LOGIN bench bench\r\nb SELECT INBOX\r\n");
    while let Some(event) = conn.next_event() {
        match event {
            Event::AuthVerify(_) => conn
                .auth_answer(Answer::Accept)
                .expect("the bench drives the server as documented"),
            Event::Select { .. } => {
                let infos = (1..=messages)
                    .map(|n| MessageInfo::new(uid(n), vec![Flag::Seen]))
                    .collect();
                conn.select(MailboxSnapshot::new(uid(1), uid(messages + 1), infos))
                    .expect("the bench drives the server as documented");
            }
            _ => {}
        }
    }
    conn.take_output();
    conn.receive(
        b"c UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)\r\n",
    );
    let Some(Event::Fetch { uids, .. }) = conn.next_event() else {
        panic!("the server did not ask for the FETCH")
    };
    let per_message = uids
        .iter()
        .map(|u| {
            let mut v = vec![FetchItem::Uid(*u)];
            v.extend(items.iter().cloned());
            v
        })
        .collect();
    (conn, uids, per_message)
}

/// Answers the FETCH read by [`imap_server_fetching`]; returns the octets written.
///
/// # Panics
/// When the server refuses an answer (a bug in the bench or the server).
pub fn imap_server_answer(
    mut conn: Connection,
    uids: Vec<NonZeroU32>,
    items: Vec<Vec<FetchItem>>,
) -> usize {
    let mut written = 0;
    for (u, items) in uids.into_iter().zip(items) {
        conn.fetch(u, items)
            .expect("the bench drives the server as documented");
        if conn.wants_write() {
            written += black_box(conn.take_output()).len();
        }
    }
    conn.done()
        .expect("the bench drives the server as documented");
    written + black_box(conn.take_output()).len()
}

/// Returns the items every message of the IMAP server benches is answered with: FLAGS, the
/// ENVELOPE and BODYSTRUCTURE computed from [`IMAP_MESSAGE`], RFC822.SIZE and INTERNALDATE.
///
/// # Panics
/// Never: the date is a constant.
pub fn imap_server_items() -> Vec<FetchItem> {
    let structure = MessageStructure::parse(Bytes::from_static(IMAP_MESSAGE));
    let date = DateTime::parse(b"\"17-Jul-1996 02:44:25 -0700\"").expect("a valid date");
    vec![
        FetchItem::Flags(vec![Flag::Seen]),
        FetchItem::Envelope(Box::new(structure.envelope())),
        FetchItem::BodyStructure(Box::new(structure.body_structure(true))),
        FetchItem::Rfc822Size(structure.rfc822_size()),
        FetchItem::InternalDate(date),
    ]
}

/// Returns a client with INBOX of `messages` messages selected and
/// `A002 FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)` sent: ready
/// for [`imap_fetch_stream`]`(messages, "A002")`.
///
/// # Panics
/// When the client refuses a command (a bug in the bench or the client).
pub fn imap_client_fetch_sent(messages: usize) -> imap_proto::client::Connection {
    use imap_proto::client::{Config, Connection};
    use imap_proto::command::{FetchAttribute, FetchItems};
    use imap_proto::types::{Mailbox, SequenceSet};
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    let mut conn = Connection::new(config);
    conn.receive(b"* PREAUTH ready\r\n");
    while conn.next_event().is_some() {}
    conn.select(Mailbox::from_utf8("INBOX").expect("the bench drives the client as documented"))
        .expect("the bench drives the client as documented");
    conn.receive(format!("* {messages} EXISTS\r\nA001 OK [READ-WRITE] done\r\n").as_bytes());
    while conn.next_event().is_some() {}
    use FetchAttribute as A;
    let items = vec![
        A::Uid,
        A::Flags,
        A::Envelope,
        A::BodyStructure,
        A::Rfc822Size,
        A::InternalDate,
    ];
    conn.fetch(
        SequenceSet::parse(b"1:*").expect("the bench drives the client as documented"),
        FetchItems::Attributes(items),
    )
    .expect("the bench drives the client as documented");
    conn.take_output();
    conn
}

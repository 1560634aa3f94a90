//! Sans-IO IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with their extensions.
//!
//! | module         | what it holds                                                  | RFCs |
//! |----------------|----------------------------------------------------------------|------|
//! | [`framing`]    | splitting a byte stream into messages: lines plus literals     | 9051 §2.2, §4.3, 7888, 3516 |
//! | [`types`]      | strings, numbers, sequence sets, flags, mailboxes, dates, …    | 9051 §4, §9, 3501 §5.1.3 |
//! | [`command`]    | every command, parsed and encoded                              | 9051 §6 and the extensions |
//! | [`response`]   | every response, parsed and encoded                             | 9051 §7 and the extensions |
//! | [`message`]    | ENVELOPE, BODYSTRUCTURE, sections, BINARY and SEARCH of a stored message | 9051 §6.4.4, §6.4.5, §7.5.2, 3516 |
//! | [`server`]     | the server state machine: the session, the sequence-number map, the ordering rules | 9051 §3, §5.5, §6, §7.5.1 |
//! | [`error`]      | the error enums                                                | |
//! | [`client`]     | the client state machine: tags, pipelining, literals, SASL, IDLE, streamed APPEND and FETCH bodies, the mailbox view | 9051, 2177, 7888, 4959, 5161, 7162 |
//!
//! # Extensions
//!
//! | extension | what is covered |
//! |---|---|
//! | LITERAL+ / LITERAL- (RFC 7888) | `{n+}` framed, LITERAL- 4096-octet limit, encoder mode |
//! | BINARY (RFC 3516) | `~{n}` literal8 in framing, APPEND, `BINARY[…]`, `BINARY.SIZE` |
//! | SASL-IR (RFC 4959) | AUTHENTICATE initial response (`=` for empty) |
//! | ENABLE (RFC 5161) | ENABLE with typed capabilities |
//! | CONDSTORE / QRESYNC (RFC 7162) | SELECT parameters, CHANGEDSINCE, VANISHED, UNCHANGEDSINCE, MODSEQ |
//! | SPECIAL-USE (RFC 6154) | CREATE `USE`, LIST selection and return options |
//! | LIST-EXTENDED / LIST-STATUS (RFC 5258, 5819) | selection, several patterns, RETURN options |
//! | NAMESPACE, UNSELECT, UIDPLUS, MOVE, IDLE, ID | NAMESPACE, UNSELECT, UID EXPUNGE, (UID) MOVE, IDLE/DONE, ID |
//! | ESEARCH, SEARCHRES (RFC 4731, 5182) | RETURN (MIN MAX ALL COUNT SAVE), `$` |
//! | QUOTA (RFC 9208) | GETQUOTA, GETQUOTAROOT, SETQUOTA, `DELETED-STORAGE` |
//! | SORT / THREAD (RFC 5256), ESORT (RFC 5267) | SORT with RETURN, THREAD |
//! | COMPRESS (RFC 4978) | COMPRESS |
//! | METADATA (RFC 5464) | GETMETADATA options, SETMETADATA with literal8 values |
//! | UTF8=ACCEPT (RFC 6855) | UTF-8 mailbox names, APPEND `UTF8 (…)` |
//! | OBJECTID (RFC 8474) | `EMAILID`, `THREADID`, `MAILBOXID` (typed in FETCH responses too) |
//! | SAVEDATE (RFC 8514), PREVIEW (RFC 8970) | FETCH `SAVEDATE`, `PREVIEW [(LAZY)]` and their data items; SEARCH `SAVEDBEFORE`, `SAVEDON`, `SAVEDSINCE`, `SAVEDATESUPPORTED` |
//! | CATENATE (RFC 4469) | APPEND `CATENATE (URL … TEXT {n} UTF8 (…))`, `BADURL` and `TOOBIG` codes |
//! | NOTIFY (RFC 5465) | `NOTIFY SET [STATUS]` / `NONE` with typed filters and events, `NOTIFICATIONOVERFLOW` and `BADEVENT` codes, `\NoAccess` |
//! | PARTIAL (RFC 9394) | SEARCH `RETURN (PARTIAL range)`, ESEARCH `PARTIAL (range set/NIL)` |
//! | generic parameters (RFC 4466, RFC 5258 §6) | unknown SELECT/EXAMINE parameters, LIST option values |
//! | MULTIAPPEND (RFC 3502), WITHIN (RFC 5032) | several APPEND messages, OLDER / YOUNGER |
//!
//! Frame first, parse second: a [`framing::Framer`] finds where a message ends (enforcing
//! the line, literal and message limits before buffering), then
//! [`command::Command::parse`] reads the complete frame. Encoding yields
//! [`types::Fragment`]s so that a client can wait for `+` before each synchronising
//! literal.
//!
//! ```
//! use bytes::BytesMut;
//! use imap_proto::command::{Command, CommandBody};
//! use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
//!
//! let mut framer = Framer::new(FramerConfig::server());
//! let mut input = BytesMut::from(&b"A001 CAPABILITY\r\nA002 LOGIN username password\r\n"[..]);
//! let mut commands = Vec::new();
//! while let Some(event) = framer.next_frame(&mut input) {
//!     if let Ok(FrameEvent::Frame(frame)) = event {
//!         commands.push(Command::parse(&frame).unwrap());
//!     }
//! }
//! assert_eq!(commands[0].body, CommandBody::Capability);
//! assert_eq!(commands[1].tag.as_str(), "A002");
//! assert_eq!(&commands[1].to_bytes()[..], b"A002 LOGIN username password\r\n");
//! ```
//!
//! # A driven server
//!
//! A [`server::Connection`] takes bytes and gives events; the application answers each
//! event that needs it from its own store, in UIDs, and writes what `take_output` gives.
//!
//! ```
//! use core::num::NonZeroU32;
//! use imap_proto::mail_core::sasl::server::{Answer, Verification};
//! use imap_proto::prelude::*;
//! use imap_proto::response::FetchItem;
//! use imap_proto::server::{Config, Connection, Event, MailboxSnapshot, MessageInfo};
//! use imap_proto::types::Flag;
//!
//! let uid = |n| NonZeroU32::new(n).unwrap();
//! let mut config = Config::default();
//! config.allow_plaintext_auth = true; // for the example only: LOGIN belongs under TLS
//! let mut conn = Connection::new(config);
//! let mut wire = conn.take_output().to_vec(); // the greeting
//! conn.receive(b"a1 LOGIN alice secret\r\na2 SELECT INBOX\r\na3 FETCH 1 FLAGS\r\na4 LOGOUT\r\n");
//! while let Some(event) = conn.next_event() {
//!     match event {
//!         Event::AuthVerify(Verification::Password { password, .. }) => {
//!             let ok = password.expose() == "secret";
//!             conn.auth_answer(if ok { Answer::Accept } else { Answer::Reject }).unwrap();
//!         }
//!         Event::Select { .. } => {
//!             // Message 1 is UID 41; the library keeps the sequence-number map from here.
//!             let messages = vec![MessageInfo::new(uid(41), vec![Flag::Seen])];
//!             conn.select(MailboxSnapshot::new(uid(7), uid(42), messages)).unwrap();
//!         }
//!         Event::Fetch { uids, .. } => {
//!             assert_eq!(uids, [uid(41)]);
//!             conn.fetch(uid(41), vec![FetchItem::Flags(vec![Flag::Seen])]).unwrap();
//!             conn.done().unwrap();
//!         }
//!         Event::Closed { reason } => assert_eq!(reason, CloseReason::Quit),
//!         _ => {}
//!     }
//!     wire.extend_from_slice(&conn.take_output());
//! }
//! let wire = String::from_utf8(wire).unwrap();
//! assert!(wire.contains("* 1 FETCH (FLAGS (\\Seen))\r\na3 OK FETCH completed\r\n"));
//! assert!(wire.ends_with("* BYE Logging out\r\na4 OK LOGOUT completed\r\n"));
//! ```
//!
//! # A client, driven
//!
//! ```
//! use imap_proto::prelude::*;
//! use imap_proto::client::{Config, Connection, Event};
//! use imap_proto::command::{FetchAttribute, FetchItems};
//! use imap_proto::types::{Mailbox, SequenceSet};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = Config::default();
//! config.allow_plaintext_auth = true; // a test server without TLS
//! let mut conn = Connection::new(config);
//! let mut sent = String::new();
//! let mut fetched = Vec::new();
//! // Each piece the socket delivers, in order:
//! for server_bytes in [
//!     &b"* OK [CAPABILITY IMAP4rev2 LITERAL+] ready\r\n"[..],
//!     b"A001 OK [CAPABILITY IMAP4rev2 LITERAL+ MOVE] logged in\r\n* 2 EXISTS\r\n",
//!     b"* OK [UIDVALIDITY 7] ok\r\nA002 OK [READ-WRITE] selected\r\n",
//!     b"* 1 FETCH (UID 41 FLAGS (\\Seen))\r\n* 2 FETCH (UID 42 FLAGS ())\r\n",
//!     b"* 1 EXPUNGE\r\nA003 OK fetched\r\n",
//!     b"* BYE bye\r\nA004 OK logged out\r\n",
//! ] {
//!     conn.receive(server_bytes);
//!     while let Some(event) = conn.next_event() {
//!         match event {
//!             Event::Greeting(_) => {
//!                 // Pipelined: each command is written at once.
//!                 conn.login("fred", "secret")?;
//!                 conn.select(Mailbox::from_utf8("INBOX")?)?;
//!                 conn.uid_fetch(
//!                     SequenceSet::parse(b"1:*")?,
//!                     FetchItems::Attributes(vec![FetchAttribute::Flags]),
//!                 )?;
//!             }
//!             Event::Fetch { items, .. } => fetched.push(items),
//!             Event::Completed(done) if done.command == "UID FETCH" => {
//!                 // The view followed the EXPUNGE: UID 42 is message 1 now.
//!                 let view = conn.mailbox().unwrap();
//!                 assert_eq!(view.seq_of(42.try_into()?), Some(1.try_into()?));
//!                 conn.logout()?;
//!             }
//!             Event::Closed { reason, .. } => assert_eq!(reason, CloseReason::Quit),
//!             _ => {}
//!         }
//!     }
//!     sent.push_str(std::str::from_utf8(&conn.take_output())?);
//! }
//! assert_eq!(
//!     sent,
//!     "A001 LOGIN fred secret\r\nA002 SELECT INBOX\r\n\
//!      A003 UID FETCH 1:* FLAGS\r\nA004 LOGOUT\r\n"
//! );
//! assert_eq!(fetched.len(), 2);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod client;
pub mod command;
pub mod error;
pub mod framing;
pub mod message;
pub mod response;
pub mod server;
pub mod types;

pub use mail_core;

/// The driving contract that every connection of this crate implements, and the reason a
/// session ended: `use imap_proto::prelude::*;` to call `receive`, `next_event`,
/// `take_output` and the rest on a connection.
pub mod prelude {
    pub use mail_core::connection::{CloseReason, Connection as _};
}

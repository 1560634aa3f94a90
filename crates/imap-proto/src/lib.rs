//! Sans-IO IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with their extensions.
//!
//! | module         | what it holds                                                  | RFCs |
//! |----------------|----------------------------------------------------------------|------|
//! | [`framing`]    | splitting a byte stream into messages: lines plus literals     | 9051 §2.2, §4.3, 7888, 3516 |
//! | [`types`]      | strings, numbers, sequence sets, flags, mailboxes, dates, …    | 9051 §4, §9, 3501 §5.1.3 |
//! | [`command`]    | every command, parsed and encoded                              | 9051 §6 and the extensions |
//! | [`error`]      | the error enums                                                | |
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
//! assert_eq!(commands[1].to_bytes(), b"A002 LOGIN username password\r\n");
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

pub mod command;
pub mod error;
pub mod framing;
pub mod types;

pub use mail_core;

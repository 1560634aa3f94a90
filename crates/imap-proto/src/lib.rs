//! Sans-IO IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with their extensions.
//!
//! This crate will hold the IMAP framing (lines and literals), every command and response,
//! parsed and encoded in both directions, and later a server and a client state machine. It
//! builds on [`mail_core`] for addresses and SASL.
//!
//! Status: the crate exists so that the workspace has its final shape; its contents land with
//! the imap-proto issue.
#![forbid(unsafe_code)]

pub use mail_core;

//! Sans-IO SMTP (RFC 5321) with its ESMTP extensions, and LMTP (RFC 2033).
//!
//! This crate will hold every SMTP command and reply, parsed and encoded in both directions,
//! and a server and a client state machine driven only with bytes: bytes in, events out,
//! bytes out. It builds on [`mail_core`] for addresses, line framing, dot-stuffing and SASL.
//!
//! Status: the crate exists so that the workspace has its final shape; its contents land with
//! the smtp-proto issue.
#![forbid(unsafe_code)]

pub use mail_core;

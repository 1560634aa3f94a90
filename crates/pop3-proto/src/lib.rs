//! Sans-IO POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034) and UTF8
//! (RFC 6856).
//!
//! This crate will hold every POP3 command and response, parsed and encoded in both
//! directions, and a server and a client state machine driven only with bytes. It builds on
//! [`mail_core`] for line framing, dot-stuffing and SASL.
//!
//! Status: the crate exists so that the workspace has its final shape; its contents land with
//! the pop3-proto issue.
#![forbid(unsafe_code)]

pub use mail_core;

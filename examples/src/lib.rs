//! Code shared by the example adapters: the connection loop, TLS setup and Maildir storage.
//!
//! The examples themselves (`mail-server`, `smtp-sink`, `smtp-send`, `pop3-fetch`) arrive with
//! the examples issue; this library is where the code they share will live, so that no
//! adapter copies another.
#![forbid(unsafe_code)]

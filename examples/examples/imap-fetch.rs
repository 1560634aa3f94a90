//! Downloads the new messages of an IMAP mailbox into a local Maildir, incrementally: the
//! output directory remembers the mailbox's UIDVALIDITY and the last UID stored, so each run
//! fetches only what arrived since (and everything again when UIDVALIDITY changed). With
//! `--idle` it then keeps waiting for new mail (RFC 2177 IDLE).
//!
//! ```text
//! cargo run --example imap-fetch -- --server 127.0.0.1:1143 --user demo:demo --allow-plaintext-auth --out Maildir/
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use imap_proto::client::Config;
use mail_examples::imap_fetch::{
    DEFAULT_MAX_FETCH_SIZE, FetchOptions, IDLE_RENEW, ImapFetchSession,
};
use mail_examples::session::{Limits, connect_client, run};
use mail_examples::{Error, init_tracing};

/// Downloads the new messages of an IMAP mailbox into a local Maildir (only those that
/// arrived since the last run: the Maildir remembers UIDVALIDITY and the last UID), and with
/// --idle keeps waiting for new mail.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The server, HOST:PORT.
    #[arg(long)]
    server: String,
    /// Upgrade with STARTTLS first (and fail if the server cannot).
    #[arg(long, conflicts_with = "tls")]
    starttls: bool,
    /// Implicit TLS from the first byte (IMAPS, RFC 8314).
    #[arg(long)]
    tls: bool,
    /// Also trust this CA certificate (PEM), besides the system's roots.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Do not verify the server's certificate (tests against a self-signed server only:
    /// anyone on the path can then read the password).
    #[arg(long, conflicts_with = "ca")]
    insecure: bool,
    /// NAME:PASSWORD.
    #[arg(long)]
    user: String,
    /// Send the password without TLS.
    #[arg(long)]
    allow_plaintext_auth: bool,
    /// The mailbox to download.
    #[arg(long, default_value = "INBOX")]
    mailbox: String,
    /// The Maildir to write into (created if needed); its state file `imap-fetch.state`
    /// records UIDVALIDITY and the last UID stored.
    #[arg(long)]
    out: PathBuf,
    /// Once everything is downloaded, keep waiting for new mail (IDLE) until killed.
    #[arg(long)]
    idle: bool,
    /// With --idle: end each IDLE and start it again after this many seconds (servers drop
    /// a client silent for 30 minutes).
    #[arg(long, default_value_t = IDLE_RENEW.as_secs(), requires = "idle", value_parser = clap::value_parser!(u64).range(1..))]
    idle_renew: u64,
    /// The largest message accepted, in octets: larger ones are reported and skipped, and a
    /// server that sends one anyway is cut off before it is read. Default 64 MiB.
    #[arg(long, default_value_t = DEFAULT_MAX_FETCH_SIZE)]
    max_message_size: u64,
}

#[tokio::main]
async fn main() -> Result<ExitCode, Error> {
    init_tracing();
    let args = Args::parse();
    let (user, password) = args.user.split_once(':').ok_or("--user is NAME:PASSWORD")?;
    let mut config = Config::default();
    config.allow_plaintext_auth = args.allow_plaintext_auth;
    config.tls_active = args.tls;
    let options = FetchOptions {
        user: user.to_owned(),
        password: mail_core::Secret::new(password.to_owned()),
        mailbox: args.mailbox.clone(),
        starttls: args.starttls,
        idle: args.idle,
        idle_renew: Duration::from_secs(args.idle_renew),
        out: args.out.clone(),
        max_message_size: args.max_message_size,
    };
    // A tick now and then, so that an IDLE is renewed while the server says nothing.
    let tick_every = Duration::from_secs(args.idle_renew.clamp(1, 60));
    let wake = args.idle.then(|| {
        let (tick, wake) = tokio::sync::watch::channel(0u64);
        tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                tokio::time::sleep(tick_every).await;
                n += 1;
                if tick.send(n).is_err() {
                    break;
                }
            }
        });
        wake
    });
    let session = ImapFetchSession::new(config, options, wake)?;
    let (stream, upgrade) =
        connect_client(&args.server, args.tls, args.ca.as_deref(), args.insecure).await?;
    let session = run(
        stream,
        session,
        upgrade,
        Limits::default(),
        args.server.clone(),
    )
    .await;
    if let Err(failure) = session.outcome() {
        eprintln!("imap-fetch: {failure}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

//! Downloads every message of a POP3 maildrop into files under a directory, one line per
//! message; `--delete` removes them from the server afterwards.
//!
//! ```text
//! cargo run --example pop3-fetch -- --server 127.0.0.1:1110 --user demo:demo --allow-plaintext-auth --out fetched/
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mail_examples::pop3::FetchSession;
use mail_examples::session::{Limits, connect_client, nonce, run};
use mail_examples::{Error, init_tracing};
use pop3_proto::client::{Config, Login};

/// Downloads every message of a POP3 maildrop into a directory, one .eml file per message,
/// and deletes them from the server with --delete.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The server, HOST:PORT.
    #[arg(long)]
    server: String,
    /// Upgrade with STLS first (and fail if the server cannot).
    #[arg(long, conflicts_with = "tls")]
    stls: bool,
    /// Implicit TLS from the first byte (POP3S, RFC 8314).
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
    /// Delete each message once it is saved.
    #[arg(long)]
    delete: bool,
    /// Where to write the messages.
    #[arg(long)]
    out: PathBuf,
    /// The largest message accepted, in octets: a larger one ends the session (a server
    /// streaming without end cannot fill the disk). Default 64 MiB.
    #[arg(long, default_value_t = mail_examples::pop3::DEFAULT_MAX_FETCH_SIZE)]
    max_message_size: u64,
}

#[tokio::main]
async fn main() -> Result<ExitCode, Error> {
    init_tracing();
    let args = Args::parse();
    let (name, password) = args.user.split_once(':').ok_or("--user is NAME:PASSWORD")?;
    let mut login = Login::new(name, password);
    login.nonce = nonce().parse().ok();
    let mut config = Config::default();
    config.allow_plaintext_auth = args.allow_plaintext_auth;
    config.tls_active = args.tls;
    let (stream, upgrade) =
        connect_client(&args.server, args.tls, args.ca.as_deref(), args.insecure).await?;
    let session = FetchSession::new(
        config,
        login,
        args.stls,
        args.delete,
        args.out.clone(),
        args.max_message_size,
    );
    let session = run(
        stream,
        session,
        upgrade,
        Limits::default(),
        args.server.clone(),
    )
    .await;
    for line in &session.lines {
        println!("{line}");
    }
    if let Err(failure) = session.outcome() {
        eprintln!("pop3-fetch: {failure}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

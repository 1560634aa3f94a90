//! Sends the message on standard input to an SMTP server: pipelined when offered, one result
//! line per recipient, a non-zero exit when any recipient failed.
//!
//! ```text
//! cargo run --example smtp-send -- --server 127.0.0.1:2525 --from a@example.com --to demo@localhost < message.eml
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use bytes::Bytes;
use clap::Parser;
use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::sasl::client::Credentials;
use mail_examples::session::{Limits, connect_client, run};
use mail_examples::smtp::SendSession;
use mail_examples::{Error, init_tracing};
use smtp_proto::client::{Config, MailTransaction};
use smtp_proto::command::HeloDomain;

/// Sends the message read from standard input to one SMTP server (STARTTLS and AUTH when
/// asked) and prints each recipient's result.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The server, HOST:PORT.
    #[arg(long)]
    server: String,
    /// Upgrade with STARTTLS before sending (and fail if the server cannot).
    #[arg(long, conflicts_with = "tls")]
    starttls: bool,
    /// Implicit TLS from the first byte (SMTPS, RFC 8314).
    #[arg(long)]
    tls: bool,
    /// Also trust this CA certificate (PEM), besides the system's roots.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Do not verify the server's certificate (tests against a self-signed server only:
    /// anyone on the path can then read the password).
    #[arg(long, conflicts_with = "ca")]
    insecure: bool,
    /// Authenticate as NAME:PASSWORD.
    #[arg(long)]
    user: Option<String>,
    /// Allow authentication without TLS.
    #[arg(long)]
    allow_plaintext_auth: bool,
    /// The reverse path (empty for a bounce).
    #[arg(long)]
    from: String,
    /// A recipient (repeatable).
    #[arg(long, required = true)]
    to: Vec<String>,
    /// The name to say EHLO with.
    #[arg(long, default_value = "localhost")]
    helo: String,
    /// Speak LMTP.
    #[arg(long)]
    lmtp: bool,
}

fn bracket(s: &str) -> String {
    if s.starts_with('<') {
        s.to_owned()
    } else {
        format!("<{s}>")
    }
}

#[tokio::main]
async fn main() -> Result<ExitCode, Error> {
    init_tracing();
    let args = Args::parse();
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let reverse_path: ReversePath = bracket(&args.from).parse()?;
    let recipients = args
        .to
        .iter()
        .map(|t| bracket(t).parse::<ForwardPath>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut config = Config::new(HeloDomain::parse(args.helo.as_bytes())?);
    config.lmtp = args.lmtp;
    config.allow_plaintext_auth = args.allow_plaintext_auth;
    config.tls_active = args.tls;
    let credentials = match &args.user {
        Some(spec) => {
            let (name, password) = spec.split_once(':').ok_or("--user is NAME:PASSWORD")?;
            Some(Credentials::password(name, password))
        }
        None => None,
    };
    let (stream, upgrade) =
        connect_client(&args.server, args.tls, args.ca.as_deref(), args.insecure).await?;
    let session = SendSession::new(
        config,
        MailTransaction::new(reverse_path, recipients),
        Bytes::from(body),
        args.starttls,
        credentials,
    );
    let session = run(
        stream,
        session,
        upgrade,
        Limits::default(),
        args.server.clone(),
    )
    .await;
    for (rcpt, reply) in &session.results {
        println!("{rcpt}: {}", reply.to_string().replace('\n', " / "));
    }
    if let Some(failure) = &session.failure {
        eprintln!("smtp-send: {failure}");
    }
    Ok(if session.all_delivered() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

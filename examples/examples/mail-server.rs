//! A Maildir-backed mail server: SMTP (with STARTTLS, AUTH, SMTPS), POP3 (with STLS, POP3S)
//! and IMAP (with STARTTLS, IMAPS), built from the mail-proto state machines.
//!
//! `cargo run --example mail-server` serves SMTP on 127.0.0.1:2525, POP3 on 127.0.0.1:1110 and
//! IMAP on 127.0.0.1:1143, stores mail under `./mail-data`, and creates a demo user.
#![allow(clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use mail_examples::guard::{AuthGuard, AuthLimits};
use mail_examples::maildir::{Store, TMP_MAX_AGE};
use mail_examples::session::{Limits, Listener, accept_loop, nonce};
use mail_examples::smtp::SmtpService;
use mail_examples::users::Users;
use mail_examples::{Error, init_tracing, tls};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// A Maildir-backed mail server: SMTP (STARTTLS, AUTH, SMTPS), POP3 (STLS, POP3S) and IMAP
/// (STARTTLS, IMAPS) for the given users, storing mail under --maildir, one Maildir per user.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// SMTP listener.
    #[arg(long, default_value = "127.0.0.1:2525")]
    smtp: SocketAddr,
    /// POP3 listener.
    #[arg(long, default_value = "127.0.0.1:1110")]
    pop3: SocketAddr,
    /// IMAP listener.
    #[arg(long, default_value = "127.0.0.1:1143")]
    imap: SocketAddr,
    /// IMAP with implicit TLS (RFC 8314), e.g. 127.0.0.1:9993. Needs a certificate.
    #[arg(long)]
    imaps: Option<SocketAddr>,
    /// SMTP with implicit TLS (RFC 8314), e.g. 127.0.0.1:4465. Needs a certificate.
    #[arg(long)]
    smtps: Option<SocketAddr>,
    /// POP3 with implicit TLS (RFC 8314), e.g. 127.0.0.1:9995. Needs a certificate.
    #[arg(long)]
    pop3s: Option<SocketAddr>,
    /// Where the Maildirs live: DIR/USER/{cur,new,tmp}.
    #[arg(long, default_value = "./mail-data")]
    maildir: PathBuf,
    /// A user, NAME:PASSWORD (repeatable). Without any, a demo user is created.
    #[arg(long = "user")]
    users: Vec<String>,
    /// The mail domain: mail for USER@DOMAIN (and USER@localhost) is accepted.
    #[arg(long, default_value = "localhost")]
    domain: String,
    /// TLS certificate chain (PEM).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Use a fresh self-signed certificate (rcgen).
    #[arg(long, conflicts_with = "tls_cert")]
    self_signed: bool,
    /// Write the self-signed certificate (PEM) here, for clients to trust.
    #[arg(long, requires = "self_signed")]
    write_cert: Option<PathBuf>,
    /// Accept AUTH/USER/PASS without TLS (testing only).
    #[arg(long)]
    allow_plaintext_auth: bool,
    /// The largest message accepted, in octets.
    #[arg(long, default_value_t = 35 * 1024 * 1024)]
    max_message_size: u64,
    /// The most connections each listener serves at once (default: 1000, fewer when the
    /// process may open fewer files).
    #[arg(long)]
    max_connections: Option<usize>,
    /// The most connections one client address may hold on each listener.
    #[arg(long, default_value_t = 20)]
    max_connections_per_address: usize,
    /// Seconds a client may stay silent (default: SMTP 300, POP3 600, IMAP 180 before login
    /// and 1 800 after, as the RFCs say).
    #[arg(long)]
    timeout: Option<u64>,
    /// Seconds a TLS handshake may take (implicit TLS, STARTTLS, STLS).
    #[arg(long, default_value_t = 30)]
    tls_handshake_timeout: u64,
    /// Seconds writing one batch of output may take: a client that does not read is dropped.
    #[arg(long, default_value_t = 60)]
    write_timeout: u64,
    /// The slowest a client's request may arrive, octets per second, beyond the timeout.
    #[arg(long, default_value_t = 500)]
    min_data_rate: u64,
    /// Failed logins one client address may have in 15 minutes; then every login from it
    /// is refused without checking the password.
    #[arg(long, default_value_t = 10)]
    auth_failures_per_address: u32,
    /// Failed logins for one user name, from any address, in 15 minutes; then every login
    /// for it is refused without checking the password.
    #[arg(long, default_value_t = 30)]
    auth_failures_per_user: u32,
    /// Milliseconds added to the pause before answering each failed login of a connection
    /// (the n-th waits n times this, at most 5 s).
    #[arg(long, default_value_t = 1000)]
    auth_failure_delay_ms: u64,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let args = Args::parse();

    let mut users = Users::default();
    if args.users.is_empty() {
        users.add("demo", "demo");
        eprintln!("demo user: demo / demo (demo@{})", args.domain);
    }
    for spec in &args.users {
        let name = users.add_spec(spec)?;
        eprintln!("user: {name}@{}", args.domain);
    }
    let users = Arc::new(users);
    let store = Store::open(&args.maildir)?;
    // Deliveries a crash interrupted (Maildir: tmp/ files older than 36 hours).
    match store.clean_tmp(TMP_MAX_AGE) {
        Ok(0) => {}
        Ok(n) => eprintln!("removed {n} stale files from tmp/"),
        Err(e) => eprintln!("cannot clean tmp/: {e}"),
    }
    let guard = Arc::new(AuthGuard::new(AuthLimits {
        per_address: args.auth_failures_per_address,
        per_user: args.auth_failures_per_user,
        delay: Duration::from_millis(args.auth_failure_delay_ms),
        ..AuthLimits::default()
    }));

    let tls_config = match (&args.tls_cert, &args.tls_key, args.self_signed) {
        (Some(cert), Some(key), _) => Some(tls::server_from_pem(cert, key)?),
        (_, _, true) => {
            eprintln!(
                "warning: --self-signed: a fresh self-signed certificate, for testing only; \
                 clients cannot verify it without --ca (or --insecure)"
            );
            let (config, pem) = tls::server_self_signed(&[
                "localhost".into(),
                "127.0.0.1".into(),
                args.domain.clone(),
            ])?;
            if let Some(path) = &args.write_cert {
                std::fs::write(path, pem)?;
            }
            Some(config)
        }
        _ => None,
    };
    if (args.smtps.is_some() || args.pop3s.is_some() || args.imaps.is_some())
        && tls_config.is_none()
    {
        return Err(
            "--smtps, --pop3s and --imaps need --tls-cert/--tls-key or --self-signed".into(),
        );
    }

    let hostname = args.domain.clone();
    let timeout = args.timeout.map(Duration::from_secs);
    let service = |implicit| {
        let mut config = SmtpService::config(
            &hostname,
            tls_config.is_some(),
            implicit,
            args.allow_plaintext_auth,
            args.max_message_size,
        );
        if let Some(t) = timeout {
            config.timeout = t;
        }
        SmtpService {
            config,
            users: users.clone(),
            store: store.clone(),
            domain: args.domain.clone(),
            guard: guard.clone(),
        }
    };
    let mut imap = mail_examples::imap::ImapService::new(
        &hostname,
        users.clone(),
        store.clone(),
        tls_config.is_some(),
        args.allow_plaintext_auth,
    )
    .with_auth_guard(guard.clone());
    let mut pop3 = mail_examples::pop3::Pop3Service::new(
        &hostname,
        users.clone(),
        store.clone(),
        tls_config.is_some(),
        args.allow_plaintext_auth,
    )
    .with_auth_guard(guard.clone());
    if let Some(t) = timeout {
        pop3 = pop3.with_timeout(t);
        imap = imap.with_timeout(t);
    }

    let mut limits = Limits::default();
    if let Some(n) = args.max_connections {
        limits.max_connections = n;
    }
    limits.max_connections_per_address = args.max_connections_per_address;
    limits.tls_handshake = Duration::from_secs(args.tls_handshake_timeout);
    limits.write = Duration::from_secs(args.write_timeout);
    limits.min_data_rate = args.min_data_rate;

    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut listeners = JoinSet::new();
    let mut listen =
        async |addr: SocketAddr, name: &'static str, implicit: bool| -> Result<(), Error> {
            let listener = TcpListener::bind(addr).await?;
            eprintln!("{name:<5} listening on {}", listener.local_addr()?);
            let tls = tls_config.clone();
            if name.starts_with("SMTP") {
                let service = service(implicit);
                let serve = Listener {
                    protocol: name,
                    implicit_tls: implicit,
                    busy: b"421 4.3.2 Too many connections, try again later\r\n",
                    make: move |peer| service.session(peer, &nonce()),
                };
                listeners.spawn(accept_loop(listener, tls, serve, limits, shutdown.clone()));
            } else if name.starts_with("IMAP") {
                let service = imap.clone();
                let serve = Listener {
                    protocol: name,
                    implicit_tls: implicit,
                    busy: b"* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
                    make: move |peer| service.session(peer, &nonce(), implicit),
                };
                listeners.spawn(accept_loop(listener, tls, serve, limits, shutdown.clone()));
            } else {
                let service = pop3.clone();
                let serve = Listener {
                    protocol: name,
                    implicit_tls: implicit,
                    busy: b"-ERR [SYS/TEMP] Too many connections, try again later\r\n",
                    make: move |peer| service.session(peer, &nonce(), implicit),
                };
                listeners.spawn(accept_loop(listener, tls, serve, limits, shutdown.clone()));
            }
            Ok(())
        };
    listen(args.smtp, "SMTP", false).await?;
    listen(args.pop3, "POP3", false).await?;
    listen(args.imap, "IMAP", false).await?;
    if let Some(addr) = args.smtps {
        listen(addr, "SMTPS", true).await?;
    }
    if let Some(addr) = args.pop3s {
        listen(addr, "POP3S", true).await?;
    }
    if let Some(addr) = args.imaps {
        listen(addr, "IMAPS", true).await?;
    }
    eprintln!("mail stored under {}", store.root().display());

    tokio::signal::ctrl_c().await?;
    eprintln!("shutting down: no new connections; open sessions get a moment to finish");
    let _ = stop.send(true);
    // A second Ctrl-C stops at once.
    tokio::select! {
        _ = async { while listeners.join_next().await.is_some() {} } => {}
        _ = tokio::signal::ctrl_c() => listeners.abort_all(),
    }
    Ok(())
}

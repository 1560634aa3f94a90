//! Accepts and discards every message, like Postfix's smtp-sink, for load tests; prints the
//! counts every few seconds and when stopped.
//!
//! ```text
//! cargo run --release --example smtp-sink -- 127.0.0.1:2526
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Parser;
use mail_examples::session::{Limits, Listener, Progress, Session, accept_loop};
use mail_examples::{Error, init_tracing};
use smtp_proto::prelude::*;
use smtp_proto::server::{Config, Connection, Event};

/// Accepts and discards every message, like Postfix's smtp-sink, and prints the counts: a
/// target for load tests.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Where to listen.
    #[arg(default_value = "127.0.0.1:2526")]
    listen: SocketAddr,
    /// Print the counts this often, in seconds (0: only at the end).
    #[arg(long, default_value_t = 5)]
    every: u64,
}

#[derive(Debug, Default)]
struct Counts {
    connections: AtomicU64,
    messages: AtomicU64,
    recipients: AtomicU64,
    octets: AtomicU64,
}

impl Counts {
    fn line(&self) -> String {
        format!(
            "connections={} messages={} recipients={} octets={}",
            self.connections.load(Ordering::Relaxed),
            self.messages.load(Ordering::Relaxed),
            self.recipients.load(Ordering::Relaxed),
            self.octets.load(Ordering::Relaxed)
        )
    }
}

struct Sink {
    conn: Connection,
    counts: Arc<Counts>,
}

impl Session for Sink {
    type Connection = Connection;

    fn connection(&self) -> &Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        while let Some(event) = self.conn.next_event() {
            match event {
                Event::MessageData(chunk) => {
                    self.counts
                        .octets
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                Event::MessageEnd { envelope } => {
                    self.counts.messages.fetch_add(1, Ordering::Relaxed);
                    self.counts
                        .recipients
                        .fetch_add(envelope.recipients.len() as u64, Ordering::Relaxed);
                    let _ = self.conn.accept();
                }
                e if e.needs_answer() => {
                    let _ = self.conn.accept();
                }
                _ => {}
            }
        }
        Progress::NeedInput
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let args = Args::parse();
    let counts = Arc::new(Counts::default());
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("smtp-sink listening on {}", listener.local_addr()?);
    let mut config = Config::default();
    config.hostname = "smtp-sink".into();
    config.max_message_size = 0;
    config.max_recipients = 10_000;
    let c = counts.clone();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let make = move |_peer| {
        c.connections.fetch_add(1, Ordering::Relaxed);
        Sink {
            conn: Connection::new(config.clone()),
            counts: c.clone(),
        }
    };
    let serve = Listener {
        protocol: "SMTP",
        implicit_tls: false,
        busy: b"421 4.3.2 Too many connections, try again later\r\n",
        make,
    };
    let server = tokio::spawn(accept_loop(
        listener,
        None,
        serve,
        Limits::default(),
        shutdown,
    ));
    let c = counts.clone();
    if args.every > 0 {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(args.every));
            tick.tick().await;
            loop {
                tick.tick().await;
                println!("{}", c.line());
            }
        });
    }
    tokio::signal::ctrl_c().await?;
    let _ = stop.send(true);
    let _ = server.await;
    println!("{}", counts.line());
    Ok(())
}

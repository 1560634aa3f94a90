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

use bytes::{Bytes, BytesMut};
use clap::Parser;
use mail_examples::session::{Next, Session, accept_loop};
use mail_examples::{Error, init_tracing};
use smtp_proto::server::{Config, Connection, Event};

/// Accepts and discards mail.
#[derive(Debug, Parser)]
#[command(version, about)]
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
    fn receive(&mut self, buf: &mut BytesMut) {
        self.conn.receive_buf(buf);
    }

    fn receive_eof(&mut self) {
        self.conn.receive_eof();
    }

    fn process(&mut self) -> Next {
        loop {
            match self.conn.next_event() {
                Ok(Some(Event::MessageData(chunk))) => {
                    self.counts
                        .octets
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                Ok(Some(Event::MessageEnd { envelope })) => {
                    self.counts.messages.fetch_add(1, Ordering::Relaxed);
                    self.counts
                        .recipients
                        .fetch_add(envelope.recipients.len() as u64, Ordering::Relaxed);
                    let _ = self.conn.accept();
                }
                Ok(Some(e)) if e.needs_answer() => {
                    let _ = self.conn.accept();
                }
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => break,
            }
        }
        if self.conn.is_closed() {
            Next::Close
        } else {
            Next::Read
        }
    }

    fn take_output(&mut self) -> Bytes {
        self.conn.take_output()
    }

    fn timeout(&self) -> Duration {
        self.conn.timeout()
    }

    fn timed_out(&mut self) {
        self.conn.timed_out();
    }

    fn tls_established(&mut self) {}
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
    let server = tokio::spawn(accept_loop(listener, None, false, "SMTP", make, shutdown));
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

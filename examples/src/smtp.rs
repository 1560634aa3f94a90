//! The SMTP side of the `mail-server` example: smtp-proto's server state machine delivering
//! into Maildirs.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use mail_core::address::rfc5321::ForwardPath;
use mail_core::sasl::Mechanism;
use smtp_proto::reply::{EnhancedStatusCode, Reply, ReplyCode};
use smtp_proto::server::{Config, Connection, Event};

use crate::maildir::{Delivery, Maildir, Store};
use crate::session::{Next, Session};
use crate::users::Users;

/// What every SMTP session of a server shares.
#[derive(Debug, Clone)]
pub struct SmtpService {
    /// The protocol configuration (host name, limits, extensions).
    pub config: Config,
    /// The users mail is accepted for.
    pub users: Arc<Users>,
    /// Where mail goes.
    pub store: Store,
    /// The domain `USER@DOMAIN` addresses use (`USER@localhost` is accepted too).
    pub domain: String,
}

impl SmtpService {
    /// Returns the protocol configuration for a server named `hostname`: the extensions of
    /// the example (SIZE, 8BITMIME, PIPELINING, CHUNKING, SMTPUTF8, ENHANCEDSTATUSCODES, DSN),
    /// and STARTTLS and AUTH PLAIN/LOGIN/SCRAM-SHA-256 when `tls` is true.
    pub fn config(
        hostname: &str,
        tls: bool,
        implicit_tls: bool,
        allow_plaintext_auth: bool,
        max_message_size: u64,
    ) -> Config {
        let mut config = Config::default();
        config.hostname = hostname.to_owned();
        config.max_message_size = max_message_size;
        config.extensions.starttls = tls && !implicit_tls;
        config.tls_active = implicit_tls;
        config.allow_plaintext_auth = allow_plaintext_auth;
        if tls || allow_plaintext_auth {
            config.auth_mechanisms =
                vec![Mechanism::Plain, Mechanism::Login, Mechanism::ScramSha256];
        }
        config
    }

    /// Returns the local user an address is for, when it is one of ours.
    fn local_user(&self, path: &ForwardPath) -> Option<String> {
        let mailbox = match path {
            ForwardPath::Postmaster => return None,
            ForwardPath::Mailbox(m) => m,
        };
        let domain = mailbox.domain()?.as_str();
        let local = mailbox.local_part().as_str();
        let ours =
            domain.eq_ignore_ascii_case(&self.domain) || domain.eq_ignore_ascii_case("localhost");
        (ours && self.users.contains(local)).then(|| local.to_owned())
    }

    /// Returns a new session for a client.
    pub fn session(&self, peer: String, nonce: &str) -> SmtpSession {
        let mut conn = Connection::new(self.config.clone());
        if let Ok(nonce) = nonce.parse() {
            conn.set_nonce(nonce);
        }
        SmtpSession {
            service: self.clone(),
            conn,
            delivery: None,
            failed: false,
            peer,
        }
    }
}

/// One SMTP connection.
#[derive(Debug)]
pub struct SmtpSession {
    service: SmtpService,
    conn: Connection,
    delivery: Option<Delivery>,
    /// Storage failed for the message in progress.
    failed: bool,
    peer: String,
}

fn reply(code: ReplyCode, esc: (u8, u16, u16), text: &str) -> Option<Reply> {
    Reply::new(code, EnhancedStatusCode::new(esc.0, esc.1, esc.2), text).ok()
}

impl SmtpSession {
    fn deliver(&mut self, envelope: &mail_core::message::Envelope) -> Option<Reply> {
        let users: Vec<String> = envelope
            .recipients
            .iter()
            .filter_map(|r| self.service.local_user(&r.forward_path))
            .collect();
        let delivery = self.delivery.take()?;
        if self.failed {
            return reply(ReplyCode::LOCAL_ERROR, (4, 3, 0), "Storage error");
        }
        let maildirs: Result<Vec<Maildir>, _> = users
            .iter()
            .map(|u| self.service.store.maildir(u))
            .collect();
        let result = maildirs.and_then(|m| delivery.commit(&m.iter().collect::<Vec<_>>()));
        match result {
            Ok(name) => {
                tracing::info!(peer = %self.peer, from = %envelope.reverse_path, to = ?users, %name, "delivered");
                reply(ReplyCode::OK, (2, 0, 0), &format!("Ok: queued as {name}"))
            }
            Err(e) => {
                tracing::error!(peer = %self.peer, error = %e, "delivery failed");
                reply(ReplyCode::LOCAL_ERROR, (4, 3, 0), "Storage error")
            }
        }
    }
}

impl Session for SmtpSession {
    fn receive(&mut self, buf: &mut BytesMut) {
        self.conn.receive_buf(buf);
    }

    fn receive_eof(&mut self) {
        self.conn.receive_eof();
    }

    fn process(&mut self) -> Next {
        loop {
            let event = match self.conn.next_event() {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(e) => {
                    tracing::info!(peer = %self.peer, error = %e, "client misbehaved");
                    continue;
                }
            };
            let answered = match event {
                Event::Rcpt { forward_path, .. } => match self.service.local_user(&forward_path) {
                    Some(_) => self.conn.accept(),
                    None => match reply(
                        ReplyCode::MAILBOX_UNAVAILABLE,
                        (5, 1, 1),
                        "No such user here",
                    ) {
                        Some(r) => self.conn.send(r),
                        None => self.conn.accept(),
                    },
                },
                Event::MessageStart { envelope } => {
                    // Maildir: write into tmp/ of the first recipient's Maildir; commit
                    // renames it into new/ there and links it into the others.
                    let first = envelope
                        .recipients
                        .iter()
                        .find_map(|r| self.service.local_user(&r.forward_path));
                    self.delivery = first
                        .map(|u| self.service.store.maildir(&u).and_then(|m| m.begin()))
                        .and_then(|r| {
                            r.map_err(|e| tracing::error!(error = %e, "cannot start a delivery"))
                                .ok()
                        });
                    self.failed = self.delivery.is_none();
                    Ok(())
                }
                Event::MessageData(chunk) => {
                    if let Some(d) = &mut self.delivery
                        && d.write(&chunk).is_err()
                    {
                        self.failed = true;
                    }
                    Ok(())
                }
                Event::MessageEnd { envelope } => match self.deliver(&envelope) {
                    Some(r) => self.conn.send(r),
                    None => self.conn.accept(),
                },
                Event::MessageAborted { reason } => {
                    tracing::info!(peer = %self.peer, ?reason, "message abandoned");
                    self.delivery = None;
                    Ok(())
                }
                Event::AuthVerify(v) => {
                    let (answer, user) = self.service.users.answer(&v);
                    tracing::info!(peer = %self.peer, ?user, "authentication attempt");
                    self.conn.auth_answer(answer)
                }
                Event::StartTls => return Next::StartTls,
                Event::InputDiscarded { len } => {
                    tracing::warn!(peer = %self.peer, len, "discarded plaintext injected before TLS");
                    Ok(())
                }
                e if e.needs_answer() => self.conn.accept(),
                _ => Ok(()),
            };
            if let Err(e) = answered {
                tracing::error!(peer = %self.peer, error = %e, "answer refused");
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

    fn tls_established(&mut self) {
        let _ = self.conn.tls_established();
    }
}

/// The `smtp-send` client: sends one message to one server, and records every recipient's
/// result.
#[derive(Debug)]
pub struct SendSession {
    conn: smtp_proto::client::Connection,
    mail: Option<smtp_proto::client::MailTransaction>,
    body: Bytes,
    starttls: bool,
    credentials: Option<mail_core::sasl::client::Credentials>,
    /// One line per recipient: the address and the server's reply.
    pub results: Vec<(String, Reply)>,
    /// Why the session failed as a whole, if it did.
    pub failure: Option<String>,
    sent: bool,
}

impl SendSession {
    /// Returns a session that sends `body` with `mail`'s envelope; `starttls` upgrades first
    /// (and fails if the server cannot), `credentials` authenticates before sending.
    pub fn new(
        config: smtp_proto::client::Config,
        mail: smtp_proto::client::MailTransaction,
        body: Bytes,
        starttls: bool,
        credentials: Option<mail_core::sasl::client::Credentials>,
    ) -> Self {
        Self {
            conn: smtp_proto::client::Connection::new(config),
            mail: Some(mail),
            body,
            starttls,
            credentials,
            results: Vec::new(),
            failure: None,
            sent: false,
        }
    }

    /// Returns whether the message went to every recipient.
    pub fn all_delivered(&self) -> bool {
        self.failure.is_none()
            && self.sent
            && self
                .results
                .iter()
                .all(|(_, r)| r.code().is_positive_completion())
    }

    fn next_step(&mut self) -> Result<(), String> {
        if self.starttls && !self.conn.is_tls_active() {
            return self.conn.starttls().map_err(|e| format!("STARTTLS: {e}"));
        }
        if let Some(creds) = self.credentials.take() {
            let nonce = crate::session::nonce()
                .parse()
                .map_err(|_| "nonce".to_string())?;
            return self
                .conn
                .authenticate(creds, &nonce)
                .map_err(|e| format!("AUTH: {e}"));
        }
        if let Some(mut mail) = self.mail.take() {
            mail.size = Some(self.body.len() as u64);
            mail.eight_bit = self.body.iter().any(|&b| b >= 0x80);
            return self.conn.send_mail(mail).map_err(|e| format!("MAIL: {e}"));
        }
        self.conn.quit().map_err(|e| format!("QUIT: {e}"))
    }
}

impl Session for SendSession {
    fn receive(&mut self, buf: &mut BytesMut) {
        self.conn.receive_buf(buf);
    }

    fn receive_eof(&mut self) {
        self.conn.receive_eof();
    }

    fn process(&mut self) -> Next {
        use smtp_proto::client::Event as E;
        loop {
            let event = match self.conn.next_event() {
                Ok(Some(e)) => e,
                Ok(None) => break,
                Err(e) => {
                    self.failure = Some(format!("server broke the protocol: {e}"));
                    return Next::Close;
                }
            };
            tracing::debug!(?event, "SMTP client event");
            let step = match event {
                E::Ready(_) | E::Authenticated(_) => self.next_step(),
                E::StartTls => return Next::StartTls,
                E::StartTlsRefused(r) => Err(format!("STARTTLS refused: {r}")),
                E::AuthenticationFailed { reply, reason } => Err(format!(
                    "authentication failed: {reply} {}",
                    reason.unwrap_or_default()
                )),
                E::Recipient {
                    forward_path,
                    reply,
                } => {
                    self.results.push((forward_path.to_string(), reply));
                    Ok(())
                }
                E::SendBody => {
                    let body = self.body.clone();
                    self.conn
                        .send_body(&body)
                        .and_then(|()| self.conn.finish_body())
                        .map_err(|e| e.to_string())
                }
                E::MessageSent { replies } => {
                    self.sent = true;
                    // The final reply is what counts for every accepted recipient.
                    for (path, reply) in replies {
                        let path = path.to_string();
                        if let Some(slot) = self.results.iter_mut().find(|(p, _)| *p == path) {
                            slot.1 = reply;
                        }
                    }
                    self.conn.quit().map_err(|e| e.to_string())
                }
                E::TransactionFailed(reply) => {
                    self.failure = Some(format!("transaction failed: {reply}"));
                    self.conn.quit().map_err(|e| e.to_string())
                }
                E::Closed(reply) => {
                    if !self.sent && self.failure.is_none() {
                        self.failure = Some(format!("connection closed: {reply:?}"));
                    }
                    return Next::Close;
                }
                _ => Ok(()),
            };
            if let Err(e) = step {
                self.failure = Some(e);
                let _ = self.conn.quit();
                return Next::Close;
            }
        }
        if self.conn.state() == smtp_proto::client::State::Closed {
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
        self.failure = Some("timeout".into());
    }

    fn tls_established(&mut self) {
        let _ = self.conn.tls_established();
    }
}

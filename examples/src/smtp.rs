//! The SMTP side of the `mail-server` example: smtp-proto's server state machine delivering
//! into Maildirs.

use std::sync::Arc;

use bytes::Bytes;
use mail_core::address::rfc5321::ForwardPath;
use mail_core::connection::{CloseReason, Connection as _};
use mail_core::sasl::Mechanism;
use smtp_proto::reply::{EnhancedStatusCode, Reply, ReplyCode};
use smtp_proto::server::{Config, Connection, Event};

use crate::guard::{AuthGuard, LoginWatch};
use crate::maildir::{Delivery, Maildir, Store};
use crate::session::{Progress, Session};
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
    /// The failed-login limits every connection of the server shares.
    pub guard: Arc<AuthGuard>,
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
            config.sasl_mechanisms =
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
        let mut config = self.config.clone();
        config.nonce = nonce.parse().ok();
        SmtpSession {
            service: self.clone(),
            conn: Connection::new(config),
            delivery: None,
            failed: false,
            watch: LoginWatch::new(self.guard.clone(), &peer),
            peer,
        }
    }
}

/// One SMTP connection.
#[derive(Debug)]
pub struct SmtpSession {
    service: SmtpService,
    conn: Connection,
    /// The message being stored, with the users it is for.
    delivery: Option<(Delivery, Vec<String>)>,
    /// Storage failed for the message in progress: it is answered 451, never 250.
    failed: bool,
    /// Failed logins: the pause before answering, the limits across connections.
    watch: LoginWatch,
    peer: String,
}

fn reply(code: ReplyCode, esc: (u8, u16, u16), text: &str) -> Option<Reply> {
    Reply::new(code, EnhancedStatusCode::new(esc.0, esc.1, esc.2), text).ok()
}

/// The reply to a message that could not be stored (RFC 3463 4.3.0): the client keeps it
/// and tries again later.
fn storage_error() -> Option<Reply> {
    reply(
        ReplyCode::LOCAL_ERROR,
        (4, 3, 0),
        "Storage error, try again later",
    )
}

impl SmtpSession {
    /// Returns the distinct local users the envelope's recipients name: the same user
    /// twice (`<demo@localhost>`, `<"demo"@LOCALHOST>`) gets the message once.
    fn users(&self, envelope: &mail_core::message::Envelope) -> Vec<String> {
        let mut users: Vec<String> = Vec::new();
        for r in &envelope.recipients {
            if let Some(user) = self.service.local_user(&r.forward_path)
                && !users.contains(&user)
            {
                users.push(user);
            }
        }
        users
    }

    /// Starts storing a message in `tmp/` of the first user's Maildir.
    fn begin(&mut self, envelope: &mail_core::message::Envelope) {
        let users = self.users(envelope);
        let started = users
            .first()
            .ok_or_else(|| std::io::Error::other("no local recipient"))
            .and_then(|u| self.service.store.maildir(u))
            .and_then(|m| m.begin());
        match started {
            Ok(delivery) => {
                self.delivery = Some((delivery, users));
                self.failed = false;
            }
            Err(e) => {
                tracing::error!(peer = %self.peer, error = %e, "cannot start a delivery");
                self.delivery = None;
                self.failed = true;
            }
        }
    }

    /// Stores the finished message in every user's `new/`, or says why not.
    fn deliver(&mut self, envelope: &mail_core::message::Envelope) -> Option<Reply> {
        let Some((delivery, users)) = self.delivery.take() else {
            // Nothing was stored (the delivery could not start): never acknowledge it.
            return storage_error();
        };
        if std::mem::take(&mut self.failed) {
            return storage_error();
        }
        let maildirs: Result<Vec<Maildir>, _> = users
            .iter()
            .map(|u| self.service.store.maildir(u))
            .collect();
        let result = maildirs.and_then(|m| {
            let name = delivery.commit(&m.iter().collect::<Vec<_>>())?;
            // IMAP sessions in IDLE on these inboxes hear of the message at once.
            for maildir in &m {
                self.service.store.hub().changed(maildir.root());
            }
            Ok(name)
        });
        match result {
            Ok(name) => {
                let to = log_safe(&users.join(","));
                tracing::info!(peer = %self.peer, from = %log_safe(&envelope.reverse_path.to_string()), %to, %name, "delivered");
                reply(ReplyCode::OK, (2, 0, 0), &format!("Ok: queued as {name}"))
            }
            Err(e) => {
                tracing::error!(peer = %self.peer, error = %e, "delivery failed");
                storage_error()
            }
        }
    }
}

/// Returns `text` fit for a log line: control characters, bidirectional overrides and
/// other format characters a peer may send (a quoted local part can hold them) are escaped
/// (`\u{202e}`), and text with a space, `=`, `"` or `\\` in it is quoted with those escaped,
/// so that it cannot pass for another field of the line (` user=root`).
pub fn log_safe(text: &str) -> String {
    let suspicious = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
    };
    let quote = text.is_empty()
        || text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '=' | '"' | '\\'));
    let mut out = String::with_capacity(text.len() + 2);
    if quote {
        out.push('"');
    }
    for c in text.chars() {
        if suspicious(c) {
            out.extend(c.escape_unicode());
        } else if quote && matches!(c, '"' | '\\') {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    if quote {
        out.push('"');
    }
    out
}

/// Returns the user name a SASL credential check is for, if it names one.
pub fn verification_user(v: &mail_core::sasl::server::Verification) -> Option<&str> {
    use mail_core::sasl::server::Verification as V;
    match v {
        V::Password {
            authentication_identity,
            ..
        } => Some(authentication_identity),
        V::CramMd5 { username } | V::Scram { username, .. } => Some(username),
        V::Bearer { user, .. } => user.as_deref(),
        _ => None,
    }
}

impl Session for SmtpSession {
    type Connection = Connection;

    fn connection(&self) -> &Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        while let Some(event) = self.conn.next_event() {
            let answered = match event {
                Event::Helo { domain, .. } => {
                    tracing::debug!(peer = %self.peer, helo = %log_safe(&domain.to_string()), "HELO");
                    self.conn.accept()
                }
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
                    // links it into new/ of every recipient.
                    self.begin(&envelope);
                    Ok(())
                }
                Event::MessageData(chunk) => {
                    if let Some((d, _)) = &mut self.delivery
                        && let Err(e) = d.write(&chunk)
                    {
                        tracing::error!(peer = %self.peer, error = %e, "cannot store message data");
                        self.failed = true;
                        self.delivery = None;
                    }
                    Ok(())
                }
                Event::MessageEnd { envelope } => match self.deliver(&envelope) {
                    Some(r) => self.conn.send(r),
                    // No reply could be built: a 451 without text still refuses.
                    None => Reply::new(ReplyCode::LOCAL_ERROR, None, "")
                        .map_err(|_| smtp_proto::error::SendError::InvalidReply)
                        .and_then(|r| self.conn.send(r)),
                },
                Event::MessageAborted { reason } => {
                    tracing::info!(peer = %self.peer, ?reason, "message abandoned");
                    self.delivery = None;
                    self.failed = false;
                    Ok(())
                }
                Event::AuthVerify(v) => {
                    let named = verification_user(&v);
                    tracing::info!(peer = %self.peer, user = %named.map_or_else(String::new, log_safe), "authentication attempt");
                    // Over the failed-login limits: refused without looking at the password.
                    let answer = if self.watch.attempt(named) {
                        mail_core::sasl::server::Answer::Reject
                    } else {
                        self.service.users.answer(&v).0
                    };
                    self.conn.auth_answer(answer)
                }
                Event::InputDiscarded { len } => {
                    tracing::warn!(peer = %self.peer, len, "discarded plaintext injected before TLS");
                    Ok(())
                }
                Event::Closed { reason } => {
                    tracing::info!(peer = %self.peer, %reason, "SMTP session over");
                    Ok(())
                }
                e if e.needs_answer() => self.conn.accept(),
                _ => Ok(()),
            };
            if let Err(e) = answered {
                tracing::error!(peer = %self.peer, error = %e, "answer refused");
            }
        }
        self.watch.update(self.conn.auth_failures());
        Progress::NeedInput
    }

    fn take_delay(&mut self) -> Option<std::time::Duration> {
        self.watch.take_delay()
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
    type Connection = smtp_proto::client::Connection;

    fn connection(&self) -> &Self::Connection {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut Self::Connection {
        &mut self.conn
    }

    fn process(&mut self) -> Progress {
        use smtp_proto::client::Event as E;
        while let Some(event) = self.conn.next_event() {
            tracing::debug!(?event, "SMTP client event");
            let step = match event {
                E::Ready(_) | E::Authenticated(_) => self.next_step(),
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
                E::Closed {
                    reason,
                    reply,
                    error,
                } => {
                    if self.failure.is_none() && (!self.sent || reason != CloseReason::Quit) {
                        let reply = reply.map(|r| r.to_string()).unwrap_or_default();
                        let error = error.map(|e| e.to_string()).unwrap_or_default();
                        self.failure = Some(format!("connection closed ({reason}) {reply}{error}"));
                    }
                    Ok(())
                }
                _ => Ok(()),
            };
            if let Err(e) = step {
                self.failure.get_or_insert(e);
                if self.conn.quit().is_err() {
                    self.conn.core_mut().close(CloseReason::Local);
                }
            }
        }
        Progress::NeedInput
    }
}

#[cfg(test)]
mod tests {
    use super::log_safe;

    #[test]
    fn log_safe_escapes_what_could_fake_or_hide_log_text() {
        assert_eq!(log_safe("alice@example.org"), "alice@example.org");
        assert_eq!(log_safe("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(
            log_safe("a\nb\rc\u{1b}[31m"),
            "\"a\\u{a}b\\u{d}c\\u{1b}[31m\""
        );
        assert_eq!(log_safe("x user=root"), "\"x user=root\"");
        assert_eq!(log_safe("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
        assert_eq!(log_safe(""), "\"\"");
        assert_eq!(log_safe("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }
}

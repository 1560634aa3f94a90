//! Transcript harness shared by the integration tests, for both roles.
//!
//! **Server transcripts** ([`server_transcript`]): `C:` lines are what the client sends, `S:`
//! and `S=` lines what the server must answer. The client's bytes are fed to a server
//! [`Connection`] whole, byte by byte and at seeded random splits; a `C: <TLS>` line is where
//! the TLS handshake happens, once everything before it has arrived (so plaintext injected
//! behind `STARTTLS` reaches the server first, as on a real wire). The test application
//! answers every event from its [`Fixture`], never from the script, and fails the test on any
//! event the fixture did not plan for; every answer it gives must be taken. Each reply is
//! compared by code, and in full where the script says `S=`. The session must end with
//! exactly one `Closed` event, last, with the reason the test states.
//!
//! **Client transcripts** ([`client_transcript`]): `S:` lines are what the server sends
//! (`S: <TLS>` is where the handshake happens), `C:` lines are what the application asks
//! for through the client's API at that point (the verb picks the method, the
//! [`ClientFixture`] gives the message, the credentials and the nonce), and `C=` lines are
//! what the client writes on its own (EHLO, RCPT and DATA of a transaction, the content, the
//! SASL responses, RSET after a failure). The client must write exactly the `C:`/`C=` lines,
//! each one just after the server bytes that precede it in the script (not earlier, not
//! later), and every feed must give the same output and the same events.
#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::VecDeque;

use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::message::Envelope;
use mail_core::sasl::Nonce;
use mail_core::sasl::client::Credentials;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
pub use mail_testkit::{ClientScript, ClientSegments, Feed, Point, script_lines, unescape};
use smtp_proto::client::{self, MailTransaction};
use smtp_proto::command::{Command, HeloDomain};
use smtp_proto::prelude::*;
use smtp_proto::reply::Reply;
use smtp_proto::server::{AbortReason, Config, Connection, Event};

/// Returns the reply whose wire form is `text`, lines separated by `\n` (no final CRLF).
pub fn reply(text: &str) -> Reply {
    let wire = format!("{}\r\n", text.replace('\n', "\r\n"));
    Reply::parse(wire.as_bytes()).unwrap_or_else(|e| panic!("fixture reply {text:?}: {e}"))
}

// ----- server transcripts -----

/// What the test application knows and decides. Addresses are written as paths (`<a@b>`,
/// `<>`), exactly as the server hands them over.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Reverse paths `MAIL` may name; any other is unplanned.
    pub senders: Vec<String>,
    /// Forward paths with a mailbox here: `RCPT` is accepted.
    pub mailboxes: Vec<String>,
    /// Forward paths refused, with the reply; a recipient in neither list is unplanned.
    pub refused: Vec<(String, Reply)>,
    /// `HELO`/`EHLO`/`LHLO` names refused, with the reply; the others are accepted.
    pub refused_helo: Vec<(String, Reply)>,
    /// Users and their passwords, for PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256. Unknown
    /// users and wrong passwords are refused, as a real server refuses them.
    pub users: Vec<(String, String)>,
    /// The salt and iteration count of the stored SCRAM credentials.
    pub scram_salt: Vec<u8>,
    /// See `scram_salt`.
    pub scram_iterations: u32,
    /// The identity the TLS client certificate proves, for EXTERNAL; `None`: EXTERNAL is
    /// unplanned.
    pub external: Option<String>,
    /// The reply to a complete message; `None`: the server's standard acceptance.
    pub message_reply: Option<Reply>,
    /// LMTP: the reply for these recipients' copies, instead of `message_reply`.
    pub delivery: Vec<(String, Reply)>,
    /// Answers to `VRFY`, by argument; any other `VRFY` that reaches the application is
    /// unplanned.
    pub vrfy: Vec<(String, Reply)>,
    /// Answers to `EXPN`, by argument.
    pub expn: Vec<(String, Reply)>,
}

impl Default for Fixture {
    fn default() -> Self {
        Self {
            senders: Vec::new(),
            mailboxes: Vec::new(),
            refused: Vec::new(),
            refused_helo: Vec::new(),
            users: Vec::new(),
            scram_salt: b"0123456789abcdef".to_vec(),
            scram_iterations: 4096,
            external: None,
            message_reply: None,
            delivery: Vec::new(),
            vrfy: Vec::new(),
            expn: Vec::new(),
        }
    }
}

impl Fixture {
    /// Returns an empty fixture: every event that needs a decision is unplanned.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a reverse path that `MAIL` may name.
    pub fn sender(mut self, path: &str) -> Self {
        self.senders.push(path.to_owned());
        self
    }

    /// Adds mailboxes.
    pub fn mailboxes(mut self, paths: &[&str]) -> Self {
        self.mailboxes.extend(paths.iter().map(|p| (*p).to_owned()));
        self
    }

    /// Refuses a recipient with `reply`.
    pub fn refuse(mut self, path: &str, wire: &str) -> Self {
        let r = reply(wire);
        assert!(!r.code().is_positive_completion(), "a refusal must refuse");
        self.refused.push((path.to_owned(), r));
        self
    }

    /// Refuses a HELO name with `reply`.
    pub fn refuse_helo(mut self, name: &str, wire: &str) -> Self {
        self.refused_helo.push((name.to_owned(), reply(wire)));
        self
    }

    /// Adds a user.
    pub fn user(mut self, name: &str, password: &str) -> Self {
        self.users.push((name.to_owned(), password.to_owned()));
        self
    }

    /// Sets the SCRAM salt and iteration count.
    pub fn scram(mut self, salt: &[u8], iterations: u32) -> Self {
        self.scram_salt = salt.to_vec();
        self.scram_iterations = iterations;
        self
    }

    /// Sets the identity a client certificate proves.
    pub fn external(mut self, identity: &str) -> Self {
        self.external = Some(identity.to_owned());
        self
    }

    /// Sets the reply to a complete message.
    pub fn message_reply(mut self, wire: &str) -> Self {
        self.message_reply = Some(reply(wire));
        self
    }

    /// Sets the LMTP reply for one recipient's copy.
    pub fn delivery(mut self, path: &str, wire: &str) -> Self {
        self.delivery.push((path.to_owned(), reply(wire)));
        self
    }

    /// Sets the answer to `VRFY argument`.
    pub fn vrfy(mut self, argument: &str, wire: &str) -> Self {
        self.vrfy.push((argument.to_owned(), reply(wire)));
        self
    }

    /// Sets the answer to `EXPN argument`.
    pub fn expn(mut self, argument: &str, wire: &str) -> Self {
        self.expn.push((argument.to_owned(), reply(wire)));
        self
    }

    fn password(&self, user: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.as_str())
    }

    fn lookup<'a>(list: &'a [(String, Reply)], key: &str) -> Option<&'a Reply> {
        list.iter().find(|(k, _)| k == key).map(|(_, r)| r)
    }

    /// Returns the application's answer to a SASL verification; panics on one the fixture
    /// did not plan for.
    fn verify(&self, v: &Verification) -> Answer {
        // The authorization identity must be the user itself (or none).
        let authz_ok =
            |authz: &Option<String>, user: &str| authz.as_deref().is_none_or(|a| a == user);
        match v {
            Verification::Password {
                authorization_identity,
                authentication_identity,
                password,
            } => {
                let ok = self.password(authentication_identity) == Some(password.expose().as_str())
                    && authz_ok(authorization_identity, authentication_identity);
                if ok { Answer::Accept } else { Answer::Reject }
            }
            Verification::CramMd5 { username } => match self.password(username) {
                Some(p) => Answer::Password(mail_core::Secret::new(p.to_owned())),
                None => Answer::Reject,
            },
            Verification::Scram {
                authorization_identity,
                username,
            } => match self.password(username) {
                Some(p) if authz_ok(authorization_identity, username) => Answer::ScramCredentials(
                    ScramCredentials::derive(p, &self.scram_salt, self.scram_iterations).unwrap(),
                ),
                _ => Answer::Reject,
            },
            Verification::External {
                authorization_identity,
            } => {
                let identity = self
                    .external
                    .as_deref()
                    .unwrap_or_else(|| panic!("unplanned AUTH EXTERNAL: {v:?}"));
                if authz_ok(authorization_identity, identity) {
                    Answer::Accept
                } else {
                    Answer::Reject
                }
            }
            other => panic!("unplanned verification {other:?}"),
        }
    }
}

/// What the server application saw and decided, the same in every run of a transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// The contents of the messages it took, in order.
    pub messages: Vec<Vec<u8>>,
    /// Their envelopes: the reverse path and the recipients.
    pub envelopes: Vec<(String, Vec<String>)>,
    /// The messages reported void, and why.
    pub aborted: Vec<AbortReason>,
    /// Octets of injected plaintext the server reported discarded.
    pub discarded: usize,
    /// The authentication identity of each successful AUTH.
    pub authenticated: Vec<Option<String>>,
    /// Every event but `MessageData` and `InputDiscarded` (whose pieces depend on the feed),
    /// as `Debug` text.
    pub events: Vec<String>,
    /// How the session ended.
    pub closed: Option<CloseReason>,
}

/// The test application of a server transcript.
struct ServerApp<'a> {
    fixture: &'a Fixture,
    seen: Seen,
    output: Vec<u8>,
    /// The transaction as the application accepted it: the sender and the recipients.
    transaction: Option<(String, Vec<String>)>,
    /// The content of the message in progress.
    content: Option<Vec<u8>>,
    /// STARTTLS was accepted and the handshake is owed.
    handshake_owed: bool,
    /// STARTTLS was accepted at some point, so discarded input may be reported.
    starttls: bool,
    /// The last AUTH verification was accepted, so `Authenticated` may follow.
    verified: bool,
}

fn path_of(reverse_path: &ReversePath) -> String {
    reverse_path.to_string()
}

impl<'a> ServerApp<'a> {
    fn new(fixture: &'a Fixture) -> Self {
        Self {
            fixture,
            seen: Seen::default(),
            output: Vec::new(),
            transaction: None,
            content: None,
            handshake_owed: false,
            starttls: false,
            verified: false,
        }
    }

    /// Checks that the server hands over the transaction the application accepted.
    fn check_envelope(&self, envelope: &Envelope, what: &str) {
        let (sender, recipients) = self
            .transaction
            .as_ref()
            .unwrap_or_else(|| panic!("{what} without a MAIL the application accepted"));
        assert!(
            !envelope.recipients.is_empty(),
            "{what} with no recipient: {envelope:?}"
        );
        let got: Vec<String> = envelope
            .recipients
            .iter()
            .map(|r| r.forward_path.to_string())
            .collect();
        assert_eq!(
            (&path_of(&envelope.reverse_path), &got),
            (sender, recipients),
            "{what}: the envelope is not the transaction the application accepted"
        );
    }

    fn answer(conn: &mut Connection, reply: Option<&Reply>, what: &str) {
        let result = match reply {
            Some(r) => conn.send(r.clone()),
            None => conn.accept(),
        };
        result.unwrap_or_else(|e| panic!("answering {what}: {e}"));
    }

    fn on_event(&mut self, conn: &mut Connection, event: Event) {
        assert!(
            self.seen.closed.is_none(),
            "{event:?} after the Closed event"
        );
        if !matches!(event, Event::MessageData(_) | Event::InputDiscarded { .. }) {
            self.seen.events.push(format!("{event:?}"));
        }
        let fixture = self.fixture;
        match event {
            Event::Helo { domain, .. } => {
                let name = domain.to_text();
                let refusal = Fixture::lookup(&fixture.refused_helo, &name);
                if refusal.is_none() {
                    // RFC 5321 §4.1.4: an accepted HELO/EHLO ends any transaction.
                    self.transaction = None;
                }
                Self::answer(conn, refusal, "HELO");
            }
            Event::Mail { reverse_path, .. } => {
                let sender = path_of(&reverse_path);
                assert!(
                    fixture.senders.contains(&sender),
                    "unplanned MAIL FROM:{sender}"
                );
                Self::answer(conn, None, "MAIL");
                self.transaction = Some((sender, Vec::new()));
            }
            Event::Rcpt { forward_path, .. } => {
                let recipient = forward_path.to_string();
                let transaction = self
                    .transaction
                    .as_mut()
                    .unwrap_or_else(|| panic!("RCPT TO:{recipient} without an accepted MAIL"));
                if fixture.mailboxes.contains(&recipient) {
                    Self::answer(conn, None, "RCPT");
                    transaction.1.push(recipient);
                } else {
                    let refusal = Fixture::lookup(&fixture.refused, &recipient)
                        .unwrap_or_else(|| panic!("unplanned RCPT TO:{recipient}"));
                    Self::answer(conn, Some(refusal), "RCPT");
                }
            }
            Event::MessageStart { envelope } => {
                assert!(self.content.is_none(), "MessageStart inside a message");
                self.check_envelope(&envelope, "MessageStart");
                self.content = Some(Vec::new());
            }
            Event::MessageData(chunk) => self
                .content
                .as_mut()
                .expect("MessageData outside a message")
                .extend_from_slice(&chunk),
            Event::MessageEnd { envelope } => {
                let content = self
                    .content
                    .take()
                    .expect("MessageEnd without MessageStart");
                self.check_envelope(&envelope, "MessageEnd");
                let recipients: Vec<String> = envelope
                    .recipients
                    .iter()
                    .map(|r| r.forward_path.to_string())
                    .collect();
                let own_replies = fixture.message_reply.is_some() || !fixture.delivery.is_empty();
                if conn.is_lmtp() && own_replies {
                    // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
                    let standard = reply("250 2.0.0 Ok: delivered");
                    for r in &recipients {
                        let answer = Fixture::lookup(&fixture.delivery, r)
                            .or(fixture.message_reply.as_ref())
                            .unwrap_or(&standard);
                        Self::answer(conn, Some(answer), "the message");
                    }
                } else {
                    Self::answer(conn, fixture.message_reply.as_ref(), "the message");
                }
                self.seen.messages.push(content);
                let sender = path_of(&envelope.reverse_path);
                self.seen.envelopes.push((sender, recipients));
                self.transaction = None;
            }
            Event::MessageAborted { reason } => {
                assert!(
                    self.content.take().is_some(),
                    "MessageAborted ({reason:?}) outside a message"
                );
                self.seen.aborted.push(reason);
                self.transaction = None;
            }
            Event::AuthVerify(v) => {
                let answer = fixture.verify(&v);
                self.verified = answer != Answer::Reject;
                conn.auth_answer(answer)
                    .unwrap_or_else(|e| panic!("answering {v:?}: {e}"));
            }
            Event::Authenticated {
                authentication_identity,
                ..
            } => {
                assert!(
                    core::mem::take(&mut self.verified),
                    "Authenticated without an accepted verification"
                );
                self.seen.authenticated.push(authentication_identity);
            }
            Event::StartTls => {
                assert!(!self.handshake_owed, "StartTls twice");
                self.handshake_owed = true;
                self.starttls = true;
            }
            Event::InputDiscarded { len } => {
                assert!(self.starttls, "InputDiscarded without STARTTLS");
                self.seen.discarded += len;
            }
            Event::Vrfy(argument) => {
                let r = Fixture::lookup(&fixture.vrfy, argument.as_str())
                    .unwrap_or_else(|| panic!("unplanned VRFY {}", argument.as_str()));
                Self::answer(conn, Some(r), "VRFY");
            }
            Event::Expn(argument) => {
                let r = Fixture::lookup(&fixture.expn, argument.as_str())
                    .unwrap_or_else(|| panic!("unplanned EXPN {}", argument.as_str()));
                Self::answer(conn, Some(r), "EXPN");
            }
            Event::Closed { reason } => {
                assert!(
                    self.content.is_none(),
                    "Closed ({reason:?}) with a message in progress not reported aborted"
                );
                self.seen.closed = Some(reason);
            }
            other => panic!("unplanned event {other:?}"),
        }
    }

    /// Takes every event the server has, answering each from the fixture.
    fn drive(&mut self, conn: &mut Connection) {
        loop {
            self.output.extend_from_slice(&conn.take_output());
            let Some(event) = conn.next_event() else {
                break;
            };
            // Replies the server wrote while producing this event come before its answer.
            self.output.extend_from_slice(&conn.take_output());
            self.on_event(conn, event);
        }
        self.output.extend_from_slice(&conn.take_output());
    }

    /// The client finished its plaintext and does the TLS handshake.
    fn handshake(&mut self, conn: &mut Connection) {
        assert!(
            core::mem::take(&mut self.handshake_owed),
            "the script does a TLS handshake that the server did not agree to"
        );
        conn.tls_established()
            .unwrap_or_else(|e| panic!("tls_established: {e}"));
        self.drive(conn);
    }
}

/// One expected server reply.
#[derive(Debug, Clone)]
pub struct Expected {
    pub wire: Vec<u8>,
    pub exact: bool,
}

/// A parsed server transcript.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub client: ClientSegments,
    pub replies: Vec<Expected>,
}

/// Parses `C:`/`S:`/`S=` lines. A `C:` line may carry `\r`, `\n`, `\0` escapes; one ending
/// with `\` gets no CRLF; `C: <TLS>` is the handshake.
pub fn parse_script(text: &str) -> Script {
    let mut script = Script::default();
    let mut current: Option<Expected> = None;
    for line in script_lines(text, &["C:", "S:", "S="]) {
        if line.marker == "C:" {
            script.client.push_line(line.text);
            continue;
        }
        let cur = current.get_or_insert(Expected {
            wire: Vec::new(),
            exact: line.marker == "S=",
        });
        cur.wire.extend_from_slice(line.text.as_bytes());
        cur.wire.extend_from_slice(b"\r\n");
        // The last line of a reply has a space (or nothing) after the code.
        if line.text.as_bytes().get(3) != Some(&b'-') {
            script.replies.push(current.take().unwrap());
        }
    }
    assert!(
        current.is_none(),
        "unterminated multi-line reply in the script"
    );
    script
}

/// Runs the script one way; returns the server's output and what the application saw.
pub fn run_server(
    config: &Config,
    fixture: &Fixture,
    script: &Script,
    feed: Feed,
    closed: CloseReason,
) -> (Vec<u8>, Seen) {
    let mut conn = Connection::new(config.clone());
    let mut app = ServerApp::new(fixture);
    app.drive(&mut conn);
    script
        .client
        .feed(feed, &mut conn, |conn, point| match point {
            Point::Fed(_) => app.drive(conn),
            Point::Handshake => app.handshake(conn),
        });
    conn.receive_eof();
    app.drive(&mut conn);
    assert!(
        !app.handshake_owed,
        "{feed:?}: STARTTLS was accepted but the script has no <TLS>"
    );
    assert_eq!(
        app.seen.closed,
        Some(closed),
        "{feed:?}: the session must end with one Closed event"
    );
    assert_eq!(conn.close_reason(), Some(closed), "{feed:?}");
    assert_eq!(conn.next_event(), None, "{feed:?}: an event after Closed");
    (app.output, app.seen)
}

/// Checks the server output against the script's replies.
pub fn check_replies(script: &Script, output: &[u8], how: &str) {
    let text = String::from_utf8_lossy(output);
    let mut rest = output;
    for (i, expected) in script.replies.iter().enumerate() {
        let want = Reply::parse(&expected.wire).unwrap();
        // Take one reply's worth of lines from the output.
        let mut end = 0;
        loop {
            let nl = rest[end..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or_else(|| {
                    panic!(
                        "{how}: output ended before reply #{i} {:?}; output: {text}",
                        String::from_utf8_lossy(&expected.wire),
                    )
                });
            let line = &rest[end..end + nl + 1];
            end += nl + 1;
            if line.get(3) != Some(&b'-') {
                break;
            }
        }
        let got_wire = &rest[..end];
        let got = Reply::parse(got_wire).unwrap_or_else(|e| {
            panic!(
                "{how}: reply #{i} unparsable {e}: {:?}",
                String::from_utf8_lossy(got_wire)
            )
        });
        if expected.exact {
            assert_eq!(
                String::from_utf8_lossy(got_wire),
                String::from_utf8_lossy(&expected.wire),
                "{how}: reply #{i}; output: {text}"
            );
        } else {
            assert_eq!(
                got.code(),
                want.code(),
                "{how}: reply #{i}: got {got}, want {want}; output: {text}"
            );
        }
        rest = &rest[end..];
    }
    assert!(
        rest.is_empty(),
        "{how}: unexpected extra output {:?}",
        String::from_utf8_lossy(rest)
    );
}

/// Runs a server transcript whole, byte by byte and at 8 random splittings: each run must
/// give the script's replies and end with `closed`, and all runs must agree.
pub fn server_transcript(
    config: &Config,
    fixture: &Fixture,
    closed: CloseReason,
    text: &str,
) -> Seen {
    let script = parse_script(text);
    let (whole_out, whole_seen) = run_server(config, fixture, &script, Feed::Whole, closed);
    check_replies(&script, &whole_out, "Whole");
    for feed in Feed::all().into_iter().filter(|f| *f != Feed::Whole) {
        let (out, seen) = run_server(config, fixture, &script, feed, closed);
        let how = format!("{feed:?}");
        check_replies(&script, &out, &how);
        assert_eq!(out, whole_out, "{how}: output differs from the whole run");
        assert_eq!(
            seen, whole_seen,
            "{how}: the application saw something else"
        );
    }
    whole_seen
}

// ----- client transcripts -----

/// A message the client application sends.
#[derive(Debug, Clone)]
pub struct Mail {
    pub transaction: MailTransaction,
    pub body: Vec<u8>,
}

/// What the client application asks for: the messages (one per `C: MAIL` line, in order),
/// the credentials (for `C: AUTH`), and how it hands the content over.
#[derive(Debug, Clone)]
pub struct ClientFixture {
    pub mails: Vec<Mail>,
    pub credentials: Option<Credentials>,
    /// The SCRAM client nonce.
    pub nonce: Nonce,
    /// Size of the pieces the application hands to `send_body` (each is one `BDAT` chunk).
    pub chunk: usize,
}

impl Default for ClientFixture {
    fn default() -> Self {
        Self {
            mails: Vec::new(),
            credentials: None,
            nonce: "rOprNGfwEbeRWgbNEkqO".parse().unwrap(),
            chunk: 7,
        }
    }
}

impl ClientFixture {
    /// Adds a message from `from` to `to` with `body`.
    pub fn mail(mut self, from: &str, to: &[&str], body: &[u8]) -> Self {
        let transaction = MailTransaction::new(
            from.parse::<ReversePath>().unwrap(),
            to.iter().map(|t| t.parse::<ForwardPath>().unwrap()),
        );
        self.mails.push(Mail {
            transaction,
            body: body.to_vec(),
        });
        self
    }

    /// Adds a message built by the test.
    pub fn transaction(mut self, transaction: MailTransaction, body: &[u8]) -> Self {
        self.mails.push(Mail {
            transaction,
            body: body.to_vec(),
        });
        self
    }

    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets the SCRAM client nonce.
    pub fn nonce(mut self, nonce: &str) -> Self {
        self.nonce = nonce.parse().unwrap();
        self
    }

    /// Sets the size of the content pieces.
    pub fn chunk(mut self, chunk: usize) -> Self {
        self.chunk = chunk;
        self
    }
}

/// Returns the default client configuration for `hostname`.
pub fn client_config(hostname: &str) -> client::Config {
    client::Config::new(HeloDomain::parse(hostname.as_bytes()).unwrap())
}

/// What the client application saw, the same in every run of a transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSeen {
    /// Every event, described by [`describe`].
    pub events: Vec<String>,
}

/// Returns a short description of a client event: its kind and the replies it carries.
pub fn describe(event: &client::Event) -> String {
    use client::Event as E;
    match event {
        E::Greeting(r) => format!("Greeting {r}"),
        E::Ready(caps) => {
            let keywords: Vec<String> = caps.capabilities().map(|c| c.to_line()).collect();
            if keywords.is_empty() {
                format!("Ready {}", caps.domain())
            } else {
                format!("Ready {}: {}", caps.domain(), keywords.join(", "))
            }
        }
        E::StartTls => "StartTls".into(),
        E::StartTlsRefused(r) => format!("StartTlsRefused {r}"),
        E::Authenticated(m) => format!("Authenticated {}", m.as_str()),
        E::AuthenticationFailed { reply, reason } => match reason {
            Some(why) => format!("AuthenticationFailed {reply} ({why})"),
            None => format!("AuthenticationFailed {reply}"),
        },
        E::Recipient {
            forward_path,
            reply,
        } => format!("Recipient {forward_path} {reply}"),
        E::SendBody => "SendBody".into(),
        E::MessageSent { replies } => {
            let each: Vec<String> = replies.iter().map(|(p, r)| format!("{p} {r}")).collect();
            format!("MessageSent {}", each.join("; "))
        }
        E::TransactionFailed(r) => format!("TransactionFailed {r}"),
        E::Reply(r) => format!("Reply {r}"),
        E::Closed {
            reason,
            reply,
            error,
        } => {
            let mut s = format!("Closed {reason:?}");
            if let Some(r) = reply {
                s.push_str(&format!(" {r}"));
            }
            if let Some(e) = error {
                s.push_str(&format!(" error: {e}"));
            }
            s
        }
        other => format!("{other:?}"),
    }
}

/// The test application of a client transcript.
struct ClientApp<'a> {
    fixture: &'a ClientFixture,
    script: &'a ClientScript,
    seen: ClientSeen,
    output: Vec<u8>,
    /// (server octets fed, client octets written) after each step.
    progress: Vec<(usize, usize)>,
    mails: VecDeque<&'a Mail>,
    /// The content of the message whose transaction is under way.
    body: Option<&'a [u8]>,
    /// The next script line to reach.
    next: usize,
    closed: bool,
}

impl<'a> ClientApp<'a> {
    fn on_event(&mut self, conn: &mut client::Connection, event: client::Event) {
        assert!(!self.closed, "{event:?} after the Closed event");
        self.seen.events.push(describe(&event));
        match event {
            client::Event::SendBody => {
                let body = self.body.take().expect("SendBody without a message");
                for piece in body.chunks(self.fixture.chunk.max(1)) {
                    conn.send_body(piece)
                        .unwrap_or_else(|e| panic!("send_body: {e}"));
                }
                conn.finish_body()
                    .unwrap_or_else(|e| panic!("finish_body: {e}"));
            }
            client::Event::Closed { .. } => self.closed = true,
            _ => {}
        }
    }

    /// Calls the API method that a `C:` line stands for.
    fn issue(&mut self, conn: &mut client::Connection, text: &str) {
        let verb = text
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let result = match verb.as_str() {
            "MAIL" => {
                let mail = self
                    .mails
                    .pop_front()
                    .unwrap_or_else(|| panic!("{text}: no message left in the fixture"));
                self.body = Some(&mail.body);
                conn.send_mail(mail.transaction.clone())
            }
            "AUTH" => {
                let credentials = self
                    .fixture
                    .credentials
                    .clone()
                    .expect("AUTH without credentials in the fixture");
                conn.authenticate(credentials, &self.fixture.nonce)
            }
            "STARTTLS" => conn.starttls(),
            "QUIT" => conn.quit(),
            "RSET" => conn.reset(),
            "NOOP" => conn.noop(),
            _ => {
                let command = Command::parse(text.as_bytes())
                    .unwrap_or_else(|e| panic!("{text}: not a command: {e}"));
                conn.send(command)
            }
        };
        result.unwrap_or_else(|e| panic!("the application asks for {text:?}: {e}"));
    }

    /// Takes the client's events and issues the application's commands that are due after
    /// `fed` octets from the server, until nothing more happens.
    fn step(&mut self, conn: &mut client::Connection, fed: usize) {
        loop {
            let mut progressed = false;
            while let Some(event) = conn.next_event() {
                progressed = true;
                self.on_event(conn, event);
            }
            while let Some(line) = self.script.client.get(self.next) {
                if line.before > fed {
                    break;
                }
                if line.by_application {
                    self.issue(conn, &line.text);
                    progressed = true;
                }
                self.next += 1;
            }
            self.output.extend_from_slice(&conn.take_output());
            if !progressed {
                break;
            }
        }
        self.progress.push((fed, self.output.len()));
    }

    fn handshake(&mut self, conn: &mut client::Connection) {
        if conn.wants_tls_handshake() {
            conn.tls_established()
                .unwrap_or_else(|e| panic!("tls_established: {e}"));
        } else {
            // A client that refused to go on (bytes injected behind the 220) has closed.
            assert!(
                conn.is_closed(),
                "the script does a TLS handshake that the client did not ask for"
            );
        }
    }
}

/// Runs a client script one way; returns the client's output, what the application saw,
/// and (server octets fed, client octets written) after each step.
pub fn run_client(
    config: &client::Config,
    fixture: &ClientFixture,
    script: &ClientScript,
    feed: Feed,
) -> (Vec<u8>, ClientSeen, Vec<(usize, usize)>) {
    let mut conn = client::Connection::new(config.clone());
    let mut app = ClientApp {
        fixture,
        script,
        seen: ClientSeen::default(),
        output: Vec::new(),
        progress: Vec::new(),
        mails: fixture.mails.iter().collect(),
        body: None,
        next: 0,
        closed: false,
    };
    script.feed(feed, &mut conn, |conn, point| match point {
        Point::Fed(fed) => app.step(conn, fed),
        Point::Handshake => app.handshake(conn),
    });
    conn.receive_eof();
    app.step(&mut conn, script.server.len());
    assert!(app.closed, "{feed:?}: the session did not end with Closed");
    assert!(
        conn.next_event().is_none(),
        "{feed:?}: an event after Closed"
    );
    assert!(
        app.mails.is_empty(),
        "{feed:?}: the fixture has messages the script never sends"
    );
    (app.output, app.seen, app.progress)
}

/// Checks that every client line was written just after the server bytes that precede it
/// in the script: not before they arrived, and not only after later ones.
fn check_timing(script: &ClientScript, progress: &[(usize, usize)], how: &str) {
    let mut offset = 0;
    for line in &script.client {
        let (fed, _) = progress
            .iter()
            .find(|(_, written)| *written > offset)
            .unwrap_or_else(|| panic!("{how}: {:?} never written", line.text));
        assert_eq!(
            *fed, line.before,
            "{how}: {:?} written after {fed} server octets; the script puts it after {}",
            line.text, line.before
        );
        offset += line.wire.len();
    }
}

/// Runs a client transcript whole, byte by byte and at 8 random splittings: the client must
/// write exactly the `C:`/`C=` lines, each at its place, and every run must see the same
/// events.
pub fn client_transcript(
    config: &client::Config,
    fixture: &ClientFixture,
    text: &str,
) -> ClientSeen {
    let script = ClientScript::parse(text);
    let want = String::from_utf8_lossy(&script.client_output()).into_owned();
    let mut first: Option<ClientSeen> = None;
    for feed in Feed::all() {
        let how = format!("{feed:?}");
        let (out, seen, progress) = run_client(config, fixture, &script, feed);
        assert_eq!(String::from_utf8_lossy(&out), want, "{how}: client output");
        check_timing(&script, &progress, &how);
        match &first {
            Some(whole) => assert_eq!(&seen, whole, "{how}: events differ from the whole run"),
            None => first = Some(seen),
        }
    }
    first.unwrap()
}

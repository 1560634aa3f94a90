//! Reading the server's responses (RFC 1939 §3): status lines, multi-line listings and
//! message bodies (un-stuffed, in chunks), SASL challenges (RFC 5034 §4), each attributed
//! to the command it answers.

use bytes::{BufMut, Bytes};
use mail_core::connection::CloseReason;
use mail_core::dot::{DotDecoder, DotEvent};
use mail_core::line::LineError;
use mail_core::sasl::{self, ResponseKind};

use super::{Body, Connection, Event, Listing, LoginMethod, Op, State};
use crate::capability::{Capabilities, Capability};
use crate::command::Command;
use crate::error::{ClientError, ResponseError};
use crate::response::{
    Greeting, Language, ScanListing, StatusLine, UidListing, parse_continuation,
};

impl Connection {
    pub(super) fn step(&mut self) -> Result<bool, ClientError> {
        match self.state {
            State::Closed => return Ok(false),
            State::TlsHandshake => {
                if self.core.has_input() {
                    // RFC 2595 §4: bytes before the handshake are injected plaintext.
                    return Err(ClientError::DataAfterStartTls);
                }
                return Ok(false);
            }
            _ => {}
        }
        if let Body::Message(msg, decoder) = &mut self.body {
            let msg = *msg;
            return match decoder.decode(self.core.input()) {
                None => Ok(false),
                Some(DotEvent::Data(data)) => {
                    self.data = Some(data);
                    Ok(true)
                }
                Some(DotEvent::End(result)) => {
                    self.body = Body::None;
                    self.framer.reset();
                    self.core.push_event(Event::MessageEnd { msg });
                    self.answered();
                    if result.is_err() {
                        // The message is framed correctly but broke the policy: hand it
                        // over (the events before the end of the session), then fail.
                        return Err(ClientError::BareNewline);
                    }
                    Ok(true)
                }
                Some(_) => Ok(true),
            };
        }
        let line = match self.framer.next_line(self.core.input()) {
            None => return Ok(false),
            Some(Ok(line)) => line,
            Some(Err(LineError::TooLong { .. })) => return Err(ClientError::LineTooLong),
            Some(Err(_)) => return Err(ClientError::BareNewline),
        };
        if !matches!(self.body, Body::None) {
            self.list_line(&line)?;
            return Ok(true);
        }
        let is_auth = matches!(self.in_flight.front(), Some(Op::Auth { .. }));
        if !is_auth && line.len().saturating_add(2) > self.config.max_response_line {
            return Err(ClientError::LineTooLong);
        }
        if is_auth && let Some(challenge) = parse_continuation(&line, self.config.max_auth_line) {
            self.challenge(challenge);
            return Ok(true);
        }
        let status = StatusLine::parse(&line).map_err(ClientError::Response)?;
        let Some(op) = self.in_flight.pop_front() else {
            return Err(ClientError::UnexpectedResponse(status));
        };
        self.status(op, status)?;
        Ok(true)
    }

    /// A response is complete: send the next queued command if it waited.
    pub(super) fn answered(&mut self) {
        if self.in_flight.is_empty() {
            self.flush_queue();
        }
    }

    pub(super) fn challenge(&mut self, challenge: Result<Vec<u8>, ResponseError>) {
        let Some(Op::Auth {
            auth,
            held,
            cancelled,
        }) = self.in_flight.front_mut()
        else {
            return;
        };
        let response = match (held.take(), challenge) {
            (_, _) if *cancelled => None,
            (Some(ir), _) => Some(ir),
            (None, Ok(c)) => auth.step(&c).ok(),
            (None, Err(_)) => None,
        };
        match response {
            Some(r) => {
                let mut line = Vec::new();
                sasl::encode_response(r.expose(), ResponseKind::Continuation, &mut line);
                self.core.output().put_slice(&line);
            }
            None => {
                // RFC 5034 §4: a client that cannot decode a challenge "MUST cancel the
                // authentication using the "*" response".
                *cancelled = true;
                self.core.output().put_u8(b'*');
            }
        }
        self.core.output().put_slice(b"\r\n");
    }

    pub(super) fn status(&mut self, op: Op, line: StatusLine) -> Result<(), ClientError> {
        let ok = line.is_ok();
        let keyword = op.keyword();
        let expect = op.expect();
        match op {
            Op::Greeting => {
                if !ok {
                    self.end(CloseReason::ServerClosed, Some(line), None);
                    return Ok(());
                }
                let greeting = Greeting::new(line);
                self.greeting = Some(greeting.clone());
                self.state = State::Authorization;
                self.core.push_event(Event::Greeting(greeting));
            }
            Op::Stls if ok => {
                // RFC 2595 §4: nothing may follow the +OK before the handshake.
                if self.core.has_input() {
                    return Err(ClientError::DataAfterStartTls);
                }
                self.state = State::TlsHandshake;
                self.core.push_event(Event::StartTls);
            }
            Op::User { password } if ok => {
                // USER accepted: PASS goes next, before anything queued.
                Command::Pass(password).encode(self.core.output());
                self.in_flight.push_front(Op::Pass);
                return Ok(());
            }
            Op::Pass | Op::Apop | Op::Auth { .. } | Op::User { .. } => {
                let method = match &op {
                    Op::Apop => LoginMethod::Apop,
                    Op::Auth { auth, .. } => LoginMethod::Sasl(auth.mechanism().clone()),
                    _ => LoginMethod::UserPass,
                };
                if let (true, Op::Auth { mut auth, .. }) = (ok, op) {
                    auth.finish(None).map_err(ClientError::Sasl)?;
                }
                if ok {
                    self.state = State::Transaction;
                    self.core.push_event(Event::LoggedIn { method, line });
                } else {
                    self.core.push_event(Event::LoginFailed(line));
                }
            }
            op if !ok => {
                self.core.push_event(Event::Failed {
                    command: keyword,
                    line: line.clone(),
                });
                if matches!(op, Op::Quit) {
                    // RFC 1939 §6: the session ends even when the UPDATE failed.
                    self.end(CloseReason::Quit, Some(line), None);
                    return Ok(());
                }
            }
            op if expect.is_multi_line() => {
                self.body = match op {
                    Op::Retrieve(msg) => {
                        self.core.push_event(Event::MessageStart { msg, line });
                        let policy = self.config.bare_newline;
                        Body::Message(msg, DotDecoder::new(policy))
                    }
                    Op::Capa => Body::List(Listing::Capabilities(Vec::new())),
                    Op::List(_) => Body::List(Listing::Scan(Vec::new())),
                    Op::Uidl(_) => Body::List(Listing::Uid(Vec::new())),
                    _ => Body::List(Listing::Languages(Vec::new())),
                };
                return Ok(());
            }
            Op::Stat => {
                let text = line.text().as_bytes();
                let mut words = text.split(|&b| b == b' ');
                let count = words.next().and_then(crate::command::parse_u32);
                let size = words.next().and_then(crate::command::parse_u64);
                let (Some(count), Some(size)) = (count, size) else {
                    return Err(ClientError::Response(ResponseError::syntax(
                        4,
                        "count size",
                    )));
                };
                self.core.push_event(Event::Stat { count, size });
            }
            Op::List(Some(_)) => {
                let s =
                    ScanListing::parse(line.text().as_bytes()).map_err(ClientError::Response)?;
                self.core.push_event(Event::ScanListing(s));
            }
            Op::Uidl(Some(_)) => {
                let u = UidListing::parse(line.text().as_bytes()).map_err(ClientError::Response)?;
                self.core.push_event(Event::UidListing(u));
            }
            Op::Dele(msg) => self.core.push_event(Event::Deleted(msg)),
            Op::Rset => self.core.push_event(Event::Reset),
            Op::Noop => self.core.push_event(Event::Noop),
            Op::Utf8 => self.core.push_event(Event::Utf8),
            Op::Lang(_) => self.core.push_event(Event::LanguageChanged(line)),
            Op::Quit => {
                self.end(CloseReason::Quit, Some(line), None);
                return Ok(());
            }
            _ => self.core.push_event(Event::Status(line)),
        }
        self.answered();
        Ok(())
    }

    pub(super) fn list_line(&mut self, line: &Bytes) -> Result<(), ClientError> {
        if line.as_ref() == b"." {
            let body = core::mem::replace(&mut self.body, Body::None);
            if let Body::List(listing) = body {
                let event = match listing {
                    Listing::Capabilities(caps) => {
                        let caps = Capabilities(caps);
                        self.capabilities = Some(caps.clone());
                        Event::Capabilities(caps)
                    }
                    Listing::Scan(items) => Event::ScanList(items),
                    Listing::Uid(items) => Event::UidList(items),
                    Listing::Languages(items) => Event::Languages(items),
                };
                self.core.push_event(event);
            }
            self.answered();
            return Ok(());
        }
        // RFC 1939 §3: a line starting with the termination octet is byte-stuffed.
        let line = if line.first() == Some(&b'.') {
            line.slice(1..)
        } else {
            line.clone()
        };
        if line.len().saturating_add(2) > self.config.max_response_line {
            return Err(ClientError::LineTooLong);
        }
        let Body::List(listing) = &mut self.body else {
            return Ok(());
        };
        // A hostile server could stream a listing without end: the count is bounded.
        if listing.len() >= self.config.max_listing_entries {
            return Err(ClientError::ListingTooLong {
                limit: self.config.max_listing_entries,
            });
        }
        match listing {
            Listing::Capabilities(items) => {
                items.push(Capability::parse(&line).map_err(ClientError::Response)?);
            }
            Listing::Scan(items) => {
                items.push(ScanListing::parse(&line).map_err(ClientError::Response)?);
            }
            Listing::Uid(items) => {
                items.push(UidListing::from_line(&line).map_err(ClientError::Response)?);
            }
            Listing::Languages(items) => {
                items.push(Language::parse(&line).map_err(ClientError::Response)?);
            }
        }
        Ok(())
    }
}

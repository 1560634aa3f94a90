//! Reading the server's responses (RFC 9051 §7): the greeting, continuation requests,
//! untagged data (attributed to the command in progress and applied to the mailbox view),
//! streamed FETCH bodies, and each command's completion.

use bytes::{BufMut, Bytes, BytesMut};
use mail_core::connection::CloseReason;
use mail_core::sasl::{self, ResponseKind};

use super::{Blocked, Connection, Event, Kind, MailboxView, State, event::Completion};
use crate::error::ClientError;
use crate::framing::FrameEvent;
use crate::response::{Code, Continuation, Data, Response, Status, StatusKind};
use crate::types::{Capability, Tag};

impl Connection {
    /// Reads one response, or a piece of a streamed body. Returns whether anything happened.
    pub(super) fn step(&mut self) -> Result<bool, ClientError> {
        if self.state == State::TlsHandshake {
            if self.core.has_input() {
                // RFC 9051 §6.2.1: nothing may come between the OK and the handshake.
                return Err(ClientError::DataAfterStartTls);
            }
            return Ok(false);
        }
        match self.framer.next_frame(self.core.input()) {
            None => Ok(false),
            Some(Err(e)) => Err(ClientError::Framing(e)),
            Some(Ok(FrameEvent::Frame(frame))) => {
                let parsed = Response::parse_bytes(frame.bytes(), self.config.max_depth)
                    .map_err(ClientError::Parse)?;
                self.response(parsed)?;
                Ok(true)
            }
            Some(Ok(FrameEvent::LiteralStart { head, size, .. })) => {
                self.body_start(&head, size)?;
                Ok(true)
            }
            Some(Ok(FrameEvent::LiteralData(data))) => {
                self.data = Some(data);
                Ok(true)
            }
            Some(Ok(FrameEvent::LiteralEnd)) => {
                if let Some(seq) = self.streaming.take() {
                    self.core.push_event(Event::FetchBodyEnd { seq });
                }
                Ok(true)
            }
            // A client's framer never waits on a literal.
            Some(Ok(_)) => Ok(true),
        }
    }

    /// A FETCH body item too large to buffer starts: `head` plus `)` is the FETCH response
    /// up to it, with the item's data empty.
    fn body_start(&mut self, head: &Bytes, size: u64) -> Result<(), ClientError> {
        let mut closed = BytesMut::with_capacity(head.len().saturating_add(1));
        closed.extend_from_slice(head);
        closed.put_u8(b')');
        let parsed = Response::parse_bytes(&closed.freeze(), self.config.max_depth);
        let Ok(Response::Data(Data::Fetch { seq, mut items })) = parsed else {
            return Err(ClientError::LiteralTooLarge(size));
        };
        let Some(item) = items.pop() else {
            return Err(ClientError::LiteralTooLarge(size));
        };
        self.streaming = Some(seq);
        let tag = self.attributed();
        self.core.push_event(Event::FetchBodyStart {
            tag,
            seq,
            item,
            size,
        });
        Ok(())
    }

    /// The tag untagged data is attributed to: the oldest command awaiting completion.
    fn attributed(&mut self) -> Option<Tag> {
        self.start_select();
        self.in_flight.front().map(|op| op.tag.clone())
    }

    /// A SELECT or EXAMINE at the front gets a fresh view with its first response.
    fn start_select(&mut self) {
        if self.select_started {
            return;
        }
        if let Some(op) = self.in_flight.front()
            && let Kind::Select { mailbox, read_only } = &op.kind
        {
            self.view = Some(MailboxView::new(mailbox.clone(), *read_only));
            self.select_started = true;
        }
    }

    fn response(&mut self, response: Response) -> Result<(), ClientError> {
        if self.state == State::Greeting {
            let Response::Status(status) = response else {
                return Err(ClientError::BadGreeting);
            };
            return self.greeting(status);
        }
        match response {
            Response::Continuation(c) => self.continuation(&c),
            Response::Status(status) if status.tag().is_some() => self.completion(status),
            Response::Status(status) => {
                self.untagged_status(status);
                Ok(())
            }
            Response::Data(data) => self.data(data),
        }
    }

    fn greeting(&mut self, status: Status) -> Result<(), ClientError> {
        if status.tag().is_some() {
            return Err(ClientError::BadGreeting);
        }
        match status.kind() {
            StatusKind::Ok => self.state = State::NotAuthenticated,
            StatusKind::PreAuth => self.state = State::Authenticated,
            StatusKind::Bye => {
                self.bye = Some(status);
                self.end(CloseReason::ServerClosed, None);
                return Ok(());
            }
            _ => return Err(ClientError::BadGreeting),
        }
        let caps = match status.code() {
            Some(Code::Capability(caps)) => Some(caps.clone()),
            _ => None,
        };
        self.core.push_event(Event::Greeting(status));
        if let Some(caps) = caps {
            self.learn_capabilities(caps);
        }
        self.flush();
        Ok(())
    }

    fn learn_capabilities(&mut self, caps: Vec<Capability>) {
        if self
            .in_flight
            .front()
            .is_some_and(|op| matches!(op.kind, Kind::Login | Kind::Authenticate))
        {
            self.capabilities_during_auth = true;
        }
        self.capabilities = Some(caps.clone());
        self.core.push_event(Event::Capabilities(caps));
    }

    /// Applies a response code to the client's records and the mailbox view.
    fn apply_code(&mut self, code: Option<&Code>) {
        let Some(code) = code else { return };
        if let Code::Capability(caps) = code {
            self.learn_capabilities(caps.clone());
            return;
        }
        let Some(view) = self.view.as_mut() else {
            return;
        };
        match code {
            Code::UidValidity(v) if view.set_uid_validity(*v) => {
                self.core
                    .push_event(Event::MailboxReset { uid_validity: *v });
            }
            Code::UidNext(n) => view.set_uid_next(*n),
            Code::HighestModSeq(n) => view.set_highest_mod_seq(*n),
            Code::PermanentFlags(flags) => view.set_permanent_flags(flags.clone()),
            Code::ReadOnly => view.set_read_only(true),
            Code::ReadWrite => view.set_read_only(false),
            _ => {}
        }
    }

    fn untagged_status(&mut self, status: Status) {
        let tag = self.attributed();
        if status.kind() == StatusKind::Bye {
            let logging_out = self
                .in_flight
                .iter()
                .any(|op| matches!(op.kind, Kind::Logout));
            self.bye = Some(status);
            if logging_out {
                // The tagged OK follows (RFC 9051 §6.1.3).
                self.state = State::Logout;
            } else {
                self.end(CloseReason::ServerClosed, None);
            }
            return;
        }
        self.apply_code(status.code());
        self.core.push_event(Event::Condition { tag, status });
    }

    fn data(&mut self, data: Data) -> Result<(), ClientError> {
        let tag = self.attributed();
        match data {
            Data::Capability(caps) => {
                self.learn_capabilities(caps);
                return Ok(());
            }
            Data::Enabled(ref caps) => {
                for c in caps {
                    if !self.enabled.contains(c) {
                        self.enabled.push(c.clone());
                    }
                }
            }
            Data::Exists(n) => {
                if n > self.config.max_messages {
                    return Err(ClientError::TooManyMessages(n));
                }
                if let Some(view) = self.view.as_mut() {
                    view.set_exists(n);
                }
            }
            Data::Flags(ref flags) => {
                if let Some(view) = self.view.as_mut() {
                    view.set_flags(flags.clone());
                }
            }
            Data::Expunge(seq) => {
                let uid = match self.view.as_mut() {
                    Some(view) => view
                        .expunge(seq)
                        .map_err(|()| ClientError::NoSuchMessage(seq.get()))?,
                    None => None,
                };
                self.core.push_event(Event::Expunged { tag, seq, uid });
                return Ok(());
            }
            Data::Vanished { earlier, uids } => {
                if let Some(view) = self.view.as_mut() {
                    view.vanish(&uids);
                }
                self.core.push_event(Event::Vanished { tag, earlier, uids });
                return Ok(());
            }
            Data::Fetch { seq, items } => {
                // Tolerance: a FETCH beyond the last EXISTS (the seed overview's server sends
                // one) is reported but changes no message of the view.
                if let Some(view) = self.view.as_mut() {
                    let _beyond = view.fetch(seq, &items);
                }
                self.core.push_event(Event::Fetch { tag, seq, items });
                return Ok(());
            }
            _ => {}
        }
        self.core.push_event(Event::Untagged { tag, data });
        Ok(())
    }

    /// `+`: the command written last waits for it.
    fn continuation(&mut self, c: &Continuation) -> Result<(), ClientError> {
        let Some(blocked) = self.blocked.as_mut() else {
            return Err(ClientError::UnexpectedContinuation);
        };
        match blocked {
            Blocked::Literal { rest, .. } => {
                if let Some(crate::types::Fragment::Literal { data, .. }) = rest.pop_front() {
                    self.core.output().put_slice(&data);
                }
                let mut rest = core::mem::take(rest);
                if self.write_fragments(&mut rest) {
                    if let Some(Blocked::Literal { rest: r, .. }) = self.blocked.as_mut() {
                        *r = rest;
                    }
                } else {
                    let then = match self.blocked.take() {
                        Some(Blocked::Literal { then, .. }) => then.map(|b| *b),
                        _ => None,
                    };
                    self.set_blocked(then);
                    self.flush();
                }
            }
            Blocked::Auth {
                auth,
                held,
                cancelled,
                ..
            } => {
                let response = match (held.take(), c.challenge()) {
                    _ if *cancelled => None,
                    (Some(ir), _) => Some(ir),
                    (None, Some(challenge)) => auth.step(challenge).ok(),
                    (None, None) => None,
                };
                let mut line = Vec::new();
                match response {
                    Some(r) => {
                        sasl::encode_response(r.expose(), ResponseKind::Continuation, &mut line)
                    }
                    None => {
                        // RFC 9051 §6.2.2: a client that cannot go on cancels with "*".
                        *cancelled = true;
                        sasl::encode_cancel(&mut line);
                    }
                }
                let out = self.core.output();
                out.put_slice(&line);
                if !line.ends_with(b"\r\n") {
                    out.put_slice(b"\r\n");
                }
            }
            Blocked::Idle {
                tag,
                idling,
                done_wanted,
            } => {
                if *idling {
                    return Err(ClientError::UnexpectedContinuation);
                }
                *idling = true;
                let tag = tag.clone();
                let done = *done_wanted;
                self.core.push_event(Event::Idling { tag });
                if done {
                    self.core.output().put_slice(b"DONE\r\n");
                    self.blocked = None;
                    self.flush();
                }
            }
            Blocked::Append { tag, ready, .. } => {
                if *ready {
                    return Err(ClientError::UnexpectedContinuation);
                }
                *ready = true;
                let tag = tag.clone();
                self.core.push_event(Event::AppendReady { tag });
            }
            Blocked::StartTls { .. } => return Err(ClientError::UnexpectedContinuation),
        }
        Ok(())
    }

    /// A tagged response: the command completes.
    fn completion(&mut self, status: Status) -> Result<(), ClientError> {
        let Some(tag) = status.tag().cloned() else {
            return Ok(());
        };
        self.start_select();
        let Some(i) = self.in_flight.iter().position(|op| op.tag == tag) else {
            return Err(ClientError::UnknownTag(tag));
        };
        let Some(op) = self.in_flight.remove(i) else {
            return Ok(());
        };
        if i == 0 {
            self.select_started = false;
        }
        let ok = status.kind() == StatusKind::Ok;
        let mut auth = None;
        if self.blocked.as_ref().is_some_and(|b| b.tag() == &tag) {
            match self.blocked.take() {
                Some(Blocked::Auth { auth: a, .. }) => auth = Some(a),
                // RFC 7888: a non-synchronising message is sent whole whatever the answer.
                Some(b @ Blocked::Append { ready: true, .. }) => self.blocked = Some(b),
                _ => {}
            }
        }
        if matches!(op.kind, Kind::Login | Kind::Authenticate)
            && matches!(status.code(), Some(Code::Capability(_)))
        {
            self.capabilities_during_auth = true;
        }
        self.apply_code(status.code());
        let mut start_tls = false;
        match op.kind {
            Kind::Login | Kind::Authenticate if ok => {
                if let Some(mut auth) = auth {
                    auth.finish(None).map_err(ClientError::Sasl)?;
                }
                self.state = State::Authenticated;
                // RFC 9051 §6.2.2: capabilities may change with authentication.
                if !self.capabilities_during_auth {
                    self.capabilities = None;
                }
            }
            Kind::Select { read_only, .. } => {
                if ok {
                    let read_only = match status.code() {
                        Some(Code::ReadOnly) => true,
                        Some(Code::ReadWrite) => false,
                        _ => self
                            .view
                            .as_ref()
                            .map_or(read_only, MailboxView::is_read_only),
                    };
                    if let Some(view) = self.view.as_mut() {
                        view.set_read_only(read_only);
                    }
                    self.state = State::Selected { read_only };
                } else if status.kind() == StatusKind::No {
                    // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
                    self.view = None;
                    self.state = State::Authenticated;
                }
            }
            Kind::Close if ok => {
                self.view = None;
                self.state = State::Authenticated;
            }
            Kind::Unauthenticate if ok => {
                self.view = None;
                self.capabilities = None;
                self.state = State::NotAuthenticated;
            }
            Kind::StartTls if ok => start_tls = true,
            _ => {}
        }
        if matches!(op.kind, Kind::Login | Kind::Authenticate) {
            self.capabilities_during_auth = false;
        }
        let (code, text) = (status.code().cloned(), status.text().clone());
        self.core.push_event(Event::Completed(Completion {
            tag,
            command: op.name,
            status: status.kind(),
            code,
            text,
        }));
        if matches!(op.kind, Kind::Logout) {
            self.state = State::Logout;
            self.end(CloseReason::Quit, None);
            return Ok(());
        }
        if start_tls {
            if self.core.has_input() {
                return Err(ClientError::DataAfterStartTls);
            }
            self.state = State::TlsHandshake;
            self.core.push_event(Event::StartTls);
            return Ok(());
        }
        self.flush();
        Ok(())
    }
}

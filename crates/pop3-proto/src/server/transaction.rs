//! The TRANSACTION state (RFC 1939 §5): the maildrop's listings, `RETR` and `TOP` with the
//! application's message bytes dot-stuffed on the fly, `DELE`, `RSET`, and the UPDATE
//! state's answer (§6).

use bytes::{BufMut, BytesMut};
use mail_core::connection::CloseReason;
use mail_core::dot::DotEncoder;

use super::top::TopFilter;
use super::{Connection, Event, MaildropEntry, Pending};
use crate::command::{Command, MessageNumber};
use crate::error::SendError;
use crate::response::{Response, ScanListing, StatusLine, UidListing};

impl Connection {
    pub(super) fn message(&self, msg: MessageNumber) -> Option<&MaildropEntry> {
        let index = msg.index();
        if self.deleted.get(index).copied().unwrap_or(true) {
            return None;
        }
        self.maildrop.get(index)
    }

    pub(super) fn transaction(&mut self, command: Command) {
        match command {
            Command::Stat => Response::Stat {
                count: self.live_count,
                size: self.live_size,
            }
            .encode(self.core.output()),
            Command::Noop => self.ok(""),
            Command::List(None) => {
                let listings = self
                    .live()
                    .map(|(msg, e)| ScanListing { msg, size: e.size });
                let listings: Vec<_> = listings.collect();
                let text = format!("{} messages ({} octets)", self.live_count, self.live_size);
                Response::ScanList {
                    line: StatusLine::ok(&text),
                    listings,
                }
                .encode(self.core.output());
            }
            Command::Uidl(None) => {
                let mut out = core::mem::take(self.core.output());
                self.ok_into(&mut out);
                for (msg, e) in self.live() {
                    UidListing {
                        msg,
                        uid: e.uid.clone(),
                    }
                    .encode(&mut out);
                    out.put_slice(b"\r\n");
                }
                out.put_slice(b".\r\n");
                *self.core.output() = out;
            }
            Command::List(Some(msg)) => match self.message(msg) {
                Some(e) => {
                    Response::Scan(ScanListing { msg, size: e.size }).encode(self.core.output())
                }
                None => self.no_such_message(),
            },
            Command::Uidl(Some(msg)) => match self.message(msg).cloned() {
                Some(e) => {
                    Response::UniqueId(UidListing { msg, uid: e.uid }).encode(self.core.output())
                }
                None => self.no_such_message(),
            },
            Command::Retr(msg) => self.retrieve(msg, None),
            Command::Top { msg, lines } => self.retrieve(msg, Some(lines)),
            Command::Dele(msg) => match self.message(msg).map(|e| e.size) {
                Some(size) => {
                    if let Some(d) = self.deleted.get_mut(msg.index()) {
                        *d = true;
                    }
                    self.live_count = self.live_count.saturating_sub(1);
                    self.live_size = self.live_size.saturating_sub(size);
                    self.ok(&format!("message {msg} deleted"));
                }
                None => self.no_such_message(),
            },
            Command::Rset => {
                // RFC 1939 §5: "any messages marked as deleted by the POP3 server are
                // unmarked."
                self.deleted.iter_mut().for_each(|d| *d = false);
                self.recount();
                let text = format!(
                    "maildrop has {} messages ({} octets)",
                    self.live_count, self.live_size
                );
                self.ok(&text);
            }
            Command::Unknown { .. } => self.error(None, "Unknown command"),
            _ => self.error(None, "Not allowed in TRANSACTION state"),
        }
    }

    pub(super) fn ok_into(&self, out: &mut BytesMut) {
        StatusLine::ok(&format!(
            "{} messages ({} octets)",
            self.live_count, self.live_size
        ))
        .encode(out);
    }

    pub(super) fn live(&self) -> impl Iterator<Item = (MessageNumber, &MaildropEntry)> {
        self.maildrop
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, d))| !**d)
            .filter_map(|(i, (e, _))| Some((MessageNumber::from_index(i)?, e)))
    }

    pub(super) fn recount(&mut self) {
        let (count, size) = self.live().fold((0u32, 0u64), |(c, s), (_, e)| {
            (c.saturating_add(1), s.saturating_add(e.size))
        });
        self.live_count = count;
        self.live_size = size;
    }

    pub(super) fn no_such_message(&mut self) {
        self.error(None, "no such message")
    }

    pub(super) fn retrieve(&mut self, msg: MessageNumber, lines: Option<u32>) {
        let Some(size) = self.message(msg).map(|e| e.size) else {
            return self.no_such_message();
        };
        self.pending = Some(Pending::Retrieve {
            size,
            top: lines.map(TopFilter::new),
            started: false,
            encoder: DotEncoder::new(),
        });
        self.core.push_event(Event::Retrieve {
            msg,
            index: msg.index(),
            lines,
        });
    }

    /// Sends the next piece of the message for the pending [`Event::Retrieve`]: the first
    /// call writes `+OK`. Pieces may split lines anywhere; they are dot-stuffed on the fly
    /// and, for `TOP`, cut after the requested lines (further pieces are dropped; see
    /// [`Connection::wants_message_data`]).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Retrieve`] is pending.
    pub fn message_data(&mut self, chunk: &[u8]) -> Result<(), SendError> {
        let Some(Pending::Retrieve {
            size,
            top,
            started,
            encoder,
        }) = &mut self.pending
        else {
            return Err(SendError::NotAllowed);
        };
        if !*started {
            *started = true;
            StatusLine::ok(&format!("{size} octets")).encode(self.core.output());
        }
        let chunk = match top {
            Some(filter) => chunk.get(..filter.take(chunk)).unwrap_or_default(),
            None => chunk,
        };
        encoder.encode(chunk, self.core.output());
        Ok(())
    }

    /// Ends the message of the pending [`Event::Retrieve`] (the terminating `.`).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Retrieve`] is pending.
    pub fn message_end(&mut self) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Retrieve { .. })) {
            return Err(SendError::NotAllowed);
        }
        self.message_data(&[])?;
        if let Some(Pending::Retrieve { encoder, .. }) = &mut self.pending {
            encoder.finish(self.core.output());
        }
        self.pending = None;
        Ok(())
    }

    /// Answers [`Event::Update`]: the deleted messages are gone and the lock released;
    /// `+OK` is sent and the session ends (RFC 1939 §6).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::Update`] is pending.
    pub fn update_done(&mut self) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::Update)) {
            return Err(SendError::NotAllowed);
        }
        let text = format!(
            "POP3 server signing off ({} messages left)",
            self.live_count
        );
        self.ok(&text);
        self.finish_update();
        Ok(())
    }

    /// Ends the session after UPDATE (RFC 1939 §6).
    pub(super) fn finish_update(&mut self) {
        self.pending = None;
        self.user = None;
        self.core.close(CloseReason::Quit);
    }

    /// Answers the pending event with a status line of the application's choosing:
    ///
    /// - [`Event::Retrieve`] before any data: `-ERR` refuses the message; `+OK` replaces the
    ///   default first line, then send the data.
    /// - [`Event::Update`]: the line ends the session (RFC 1939 §6: `-ERR` when some
    ///   deleted messages could not be removed).
    /// - [`Event::Authorized`]: a `-ERR` refuses the login (not counted as failed).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] for any other pending event, for `+OK` to
    /// [`Event::Authorized`], and after message data was sent.
    pub fn send(&mut self, line: StatusLine) -> Result<(), SendError> {
        match &mut self.pending {
            Some(Pending::Retrieve { started, .. }) if !*started => {
                line.encode(self.core.output());
                if line.is_ok() {
                    *started = true;
                } else {
                    self.pending = None;
                }
            }
            Some(Pending::Update) => {
                line.encode(self.core.output());
                self.finish_update();
            }
            Some(Pending::Authorized) if !line.is_ok() => {
                line.encode(self.core.output());
                self.pending = None;
                self.user = None;
            }
            _ => return Err(SendError::NotAllowed),
        }
        Ok(())
    }
}

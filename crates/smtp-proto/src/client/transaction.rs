//! Sending a message: `MAIL`, `RCPT` and `DATA` or `BDAT`, pipelined when the server offers
//! PIPELINING (RFC 2920), with a result per recipient and the content dot-stuffed on the fly
//! (RFC 5321 §4.5.2) or counted in chunks (RFC 3030).

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use mail_core::address::rfc5321::ForwardPath;
use mail_core::dot::DotEncoder;

use super::{Connection, Event, Expect, MailTransaction, Outgoing};
use crate::capability::{Capability, EhloReply};
use crate::command::{Body, Command};
use crate::error::SendError;
use crate::reply::{Reply, ReplyCode};

impl Connection {
    /// Starts sending a message: `MAIL`, every `RCPT`, and `DATA` (all at once when the
    /// server offers PIPELINING). Each recipient's result comes as [`Event::Recipient`];
    /// then [`Event::SendBody`] or [`Event::TransactionFailed`].
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when busy or without recipients;
    /// [`SendError::NotOffered`] when the message needs an extension the server lacks
    /// (SMTPUTF8 for non-ASCII addresses, 8BITMIME, BINARYMIME and CHUNKING).
    pub fn send_mail(&mut self, mail: MailTransaction) -> Result<(), SendError> {
        if !self.ready_for_command() || mail.recipients.is_empty() {
            return Err(SendError::NotAllowed);
        }
        let mut parameters = mail.parameters.clone();
        let needs_utf8 = mail.reverse_path.needs_smtputf8()
            || mail.recipients.iter().any(|(r, _)| r.needs_smtputf8());
        if needs_utf8 || parameters.smtputf8 {
            if !self.has(&Capability::SmtpUtf8) {
                return Err(SendError::NotOffered("SMTPUTF8"));
            }
            parameters.smtputf8 = true;
        }
        if mail.binary {
            if !(self.has(&Capability::BinaryMime) && self.has(&Capability::Chunking)) {
                return Err(SendError::NotOffered("BINARYMIME"));
            }
            parameters.body = Some(Body::BinaryMime);
        } else if mail.eight_bit {
            if !self.has(&Capability::EightBitMime) {
                return Err(SendError::NotOffered("8BITMIME"));
            }
            parameters.body = Some(Body::EightBitMime);
        }
        if let Some(size) = mail.size
            && self.has(&Capability::Size(None))
        {
            if let Some(max) = self.capabilities.as_ref().and_then(EhloReply::size)
                && size > max
            {
                return Err(SendError::TooLarge { size, max });
            }
            parameters.size = Some(size);
        }
        let dsn = self.has(&Capability::Dsn);
        if !dsn {
            // RFC 3461 §4: DSN parameters only go to servers that offer DSN.
            if let Some(extras) = &mut parameters.extras {
                extras.ret = None;
                extras.envid = None;
            }
        }
        let bdat = self.has(&Capability::Chunking) && (self.config.chunking || mail.binary);
        let pipelining = self.config.pipelining && self.has(&Capability::Pipelining);
        let recipients: Vec<ForwardPath> = mail.recipients.iter().map(|(r, _)| r.clone()).collect();
        self.command(
            &Command::Mail {
                reverse_path: mail.reverse_path,
                parameters,
            },
            Expect::Mail,
        );
        let mut pending_rcpts = VecDeque::new();
        for (i, (forward_path, mut parameters)) in mail.recipients.into_iter().enumerate() {
            if !dsn {
                parameters.notify = None;
                if let Some(extras) = &mut parameters.extras {
                    extras.orcpt = None;
                }
            }
            pending_rcpts.push_back((i, forward_path, parameters));
        }
        self.outgoing = Some(Outgoing {
            recipients,
            accepted: Vec::new(),
            answered: 0,
            mail_ok: false,
            failed: None,
            bdat,
            pipelined: pipelining,
            chunk_pending: false,
            held: VecDeque::new(),
            held_last: None,
            binary: mail.binary,
            data_sent: false,
            in_body: false,
            encoder: if bdat {
                DotEncoder::crlf_only()
            } else {
                DotEncoder::new()
            },
            final_replies: Vec::new(),
        });
        if pipelining {
            for (i, forward_path, parameters) in pending_rcpts {
                self.command(
                    &Command::Rcpt {
                        forward_path,
                        parameters,
                    },
                    Expect::Rcpt(i),
                );
            }
            if !bdat {
                self.command(&Command::Data, Expect::Data);
                if let Some(o) = &mut self.outgoing {
                    o.data_sent = true;
                }
            }
        } else {
            self.unpipelined = pending_rcpts;
        }
        Ok(())
    }

    /// Sends a piece of the message content: dot-stuffed after `DATA`, or as one `BDAT`
    /// chunk. Either way a bare LF or CR becomes CRLF, except in `BODY=BINARYMIME` content,
    /// which goes as it is.
    ///
    /// With `BDAT` and a server that does not offer PIPELINING, a chunk goes out only when
    /// the chunk before it has its reply (RFC 3030 §2); until then the connection holds it.
    /// After a chunk is refused, later chunks are dropped: RFC 3030 §2 forbids sending more,
    /// and [`finish_body`](Self::finish_body) then ends the transaction as failed.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::SendBody`] came and the body is not
    /// finished.
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), SendError> {
        let Some(o) = self.outgoing.as_mut().filter(|o| o.in_body) else {
            return Err(SendError::NotAllowed);
        };
        if !o.bdat {
            o.encoder.encode(chunk, self.core.output());
            return Ok(());
        }
        if o.failed.is_some() {
            return Ok(());
        }
        let normalized;
        let chunk = if o.binary {
            chunk
        } else {
            let mut out = BytesMut::with_capacity(chunk.len().saturating_add(2));
            o.encoder.encode(chunk, &mut out);
            normalized = out;
            &normalized[..]
        };
        if chunk.is_empty() {
        } else if o.chunk_pending {
            o.held.push_back(Bytes::copy_from_slice(chunk));
        } else {
            o.chunk_pending = !o.pipelined;
            self.send_chunk(chunk, false);
        }
        Ok(())
    }

    /// Writes one `BDAT` chunk.
    fn send_chunk(&mut self, chunk: &[u8], last: bool) {
        let output = self.core.output();
        output.extend_from_slice(b"BDAT ");
        mail_core::buffer::put_decimal(output, chunk.len() as u64);
        output.extend_from_slice(if last { b" LAST\r\n" } else { b"\r\n" });
        output.extend_from_slice(chunk);
        self.expect.push_back(Expect::Bdat { last });
    }

    /// Ends the message content (`CRLF.CRLF`, or `BDAT … LAST`, which carries the CRLF that
    /// ends the last line when the content lacks one).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless the body is in progress.
    pub fn finish_body(&mut self) -> Result<(), SendError> {
        let Some(o) = self.outgoing.as_mut().filter(|o| o.in_body) else {
            return Err(SendError::NotAllowed);
        };
        o.in_body = false;
        if !o.bdat {
            o.encoder.finish(self.core.output());
            self.expect.push_back(Expect::DataEnd);
            return Ok(());
        }
        if let Some(failed) = o.failed.take() {
            self.fail_transaction(failed);
            return Ok(());
        }
        let mut last = BytesMut::new();
        if !o.binary {
            o.encoder.end_line(&mut last);
        }
        if o.chunk_pending {
            o.held_last = Some(last.freeze());
        } else {
            self.send_chunk(&last, true);
        }
        Ok(())
    }

    /// The reply to a `BDAT` chunk that is not the last: remember a refusal, and without
    /// pipelining send what waited for this reply.
    pub(super) fn on_chunk_reply(&mut self, reply: Reply) {
        let Some(o) = &mut self.outgoing else {
            return;
        };
        o.chunk_pending = false;
        if !reply.code().is_positive_completion() && o.failed.is_none() {
            o.failed = Some(reply);
        }
        if o.failed.is_some() {
            o.held.clear();
            if o.held_last.take().is_some()
                && let Some(failed) = o.failed.take()
            {
                self.fail_transaction(failed);
            }
            return;
        }
        if let Some(chunk) = o.held.pop_front() {
            o.chunk_pending = true;
            self.send_chunk(&chunk, false);
        } else if let Some(last) = o.held_last.take() {
            self.send_chunk(&last, true);
        }
    }

    /// After the MAIL reply or a RCPT reply: send the next command when not pipelining, and
    /// decide the transaction when every RCPT has been answered.
    pub(super) fn after_mail_or_rcpt(&mut self) {
        let Some(o) = &self.outgoing else {
            return;
        };
        let total = o.recipients.len();
        if !o.mail_ok {
            // Pipelined RCPTs and DATA after a refused MAIL get 503s; wait for them all.
            if self
                .expect
                .iter()
                .any(|e| matches!(e, Expect::Rcpt(_) | Expect::Data))
            {
                return;
            }
            self.unpipelined.clear();
            if let Some(o) = self.outgoing.take() {
                let reply = o.failed.unwrap_or_else(|| local_reply("MAIL refused"));
                self.core.push_event(Event::TransactionFailed(reply));
            }
            return;
        }
        if let Some((i, forward_path, parameters)) = self.unpipelined.pop_front() {
            self.command(
                &Command::Rcpt {
                    forward_path,
                    parameters,
                },
                Expect::Rcpt(i),
            );
            return;
        }
        if o.answered < total {
            return;
        }
        let any = !o.accepted.is_empty();
        let (bdat, data_sent) = (o.bdat, o.data_sent);
        if data_sent {
            // The DATA reply decides; it is on its way.
            return;
        }
        if !any {
            self.fail_transaction(local_reply("no recipient accepted"));
            return;
        }
        if bdat {
            if let Some(o) = &mut self.outgoing {
                o.in_body = true;
            }
            self.core.push_event(Event::SendBody);
        } else {
            self.command(&Command::Data, Expect::Data);
            if let Some(o) = &mut self.outgoing {
                o.data_sent = true;
            }
        }
    }

    /// Ends a failed transaction and resets the server's side of it.
    pub(super) fn fail_transaction(&mut self, reply: Reply) {
        self.outgoing = None;
        self.command(&Command::Rset, Expect::ResetAfter(reply));
    }

    pub(super) fn on_data_reply(&mut self, reply: Reply) {
        let Some(o) = &mut self.outgoing else {
            return;
        };
        if !o.mail_ok {
            self.after_mail_or_rcpt();
            return;
        }
        if reply.code() == ReplyCode::START_MAIL_INPUT {
            if o.accepted.is_empty() {
                // RFC 2920 §3.1: DATA was accepted although no recipient was; the client
                // must end the (empty) content, and the transaction fails.
                self.core.output().extend_from_slice(b".\r\n");
                o.failed = Some(reply);
                self.expect.push_back(Expect::DataEnd);
                return;
            }
            o.in_body = true;
            self.core.push_event(Event::SendBody);
        } else {
            // The server keeps the MAIL transaction after a refused DATA: reset it.
            self.fail_transaction(reply);
        }
    }

    pub(super) fn on_final_reply(&mut self, reply: Reply) {
        let Some(o) = &mut self.outgoing else {
            return;
        };
        if let Some(failed) = o.failed.take() {
            if failed.code() == ReplyCode::START_MAIL_INPUT {
                // The empty content after a 354 with no recipient: the transaction failed
                // (a server that accepted it has nobody to deliver to).
                self.outgoing = None;
                self.core.push_event(Event::TransactionFailed(reply));
                return;
            }
            // An earlier BDAT chunk failed: report that reply for everyone.
            o.failed = Some(failed);
        }
        let index = if self.config.lmtp {
            o.final_replies.len()
        } else {
            0
        };
        let reply = o.failed.clone().unwrap_or(reply);
        if self.config.lmtp {
            if let Some(fp) = o.accepted.get(index).and_then(|&i| o.recipients.get(i)) {
                o.final_replies.push((fp.clone(), reply));
            }
            if o.final_replies.len() < o.accepted.len() {
                // LMTP: one reply per accepted recipient (RFC 2033 §4.2).
                self.expect.push_front(Expect::DataEnd);
                return;
            }
        } else {
            for &i in &o.accepted {
                if let Some(fp) = o.recipients.get(i) {
                    o.final_replies.push((fp.clone(), reply.clone()));
                }
            }
        }
        if let Some(o) = self.outgoing.take() {
            self.core.push_event(Event::MessageSent {
                replies: o.final_replies,
            });
        }
    }
}

/// A reply the client makes up to report a local decision.
fn local_reply(text: &'static str) -> Reply {
    Reply::trusted(ReplyCode::TRANSACTION_FAILED, text)
}

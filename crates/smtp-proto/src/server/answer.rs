//! The application's answers to events, and the EHLO reply the server builds from its
//! configuration (RFC 5321 §4.1.1.1, RFC 1869).

use bytes::BytesMut;
use mail_core::message::{Envelope, EsmtpParameter, Recipient};

use super::{AbortReason, Connection, Pending, Transaction, esc};
use crate::capability::{Capability, EhloReply};
use crate::error::SendError;
use crate::reply::{EnhancedStatusCode, Reply, ReplyCode};

impl Connection {
    /// Answers the pending event with the server's standard positive reply: the EHLO
    /// capability list, `250 2.1.0 Ok` for MAIL, `250 2.1.5 Ok` for RCPT, `250 2.0.0 Ok`
    /// (per recipient in LMTP) for a message.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no event awaits an answer, or the pending event
    /// has no standard positive reply (VRFY, EXPN, ETRN, unknown commands, AUTH).
    pub fn accept(&mut self) -> Result<(), SendError> {
        let reply = match &self.pending {
            Some(Pending::Helo { extended: true, .. }) => self.ehlo_reply()?,
            Some(Pending::Helo {
                extended: false, ..
            }) => Reply::new(ReplyCode::OK, None, &self.config.hostname)
                .map_err(|_| SendError::InvalidReply)?,
            Some(Pending::Mail { .. }) => self.standard(ReplyCode::OK, esc(2, 1, 0), "Ok")?,
            Some(Pending::Rcpt { .. }) => self.standard(ReplyCode::OK, esc(2, 1, 5), "Ok")?,
            Some(Pending::MessageEnd { replies_left }) => {
                let n = *replies_left;
                let reply = self.standard(ReplyCode::OK, esc(2, 0, 0), "Ok: queued")?;
                for _ in 0..n {
                    self.send(reply.clone())?;
                }
                return Ok(());
            }
            _ => return Err(SendError::NotAllowed),
        };
        self.send(reply)
    }

    pub(super) fn standard(
        &self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) -> Result<Reply, SendError> {
        Reply::new(code, self.enhanced(enhanced), text).map_err(|_| SendError::InvalidReply)
    }

    /// Returns the EHLO reply the server would send now.
    pub(super) fn ehlo_reply(&self) -> Result<Reply, SendError> {
        let ext = &self.config.extensions;
        let mut caps = Vec::new();
        if ext.pipelining {
            caps.push(Capability::Pipelining);
        }
        caps.push(Capability::Size(
            (self.config.max_message_size > 0).then_some(self.config.max_message_size),
        ));
        if ext.eight_bit_mime {
            caps.push(Capability::EightBitMime);
        }
        if ext.chunking {
            caps.push(Capability::Chunking);
            if ext.binarymime {
                caps.push(Capability::BinaryMime);
            }
        }
        if ext.smtputf8 {
            caps.push(Capability::SmtpUtf8);
        }
        if ext.enhanced_status_codes {
            caps.push(Capability::EnhancedStatusCodes);
        }
        if ext.dsn {
            caps.push(Capability::Dsn);
        }
        if ext.starttls && !self.tls_active {
            caps.push(Capability::StartTls);
        }
        if ext.requiretls && self.tls_active {
            caps.push(Capability::RequireTls);
        }
        let mechs = self.offered_mechanisms();
        if !mechs.is_empty() && !self.authenticated {
            caps.push(Capability::Auth(mechs));
        }
        if ext.help {
            caps.push(Capability::Help);
        }
        caps.extend(ext.other.iter().cloned());
        EhloReply::new(&self.config.hostname, caps)
            .to_reply()
            .map_err(|_| SendError::InvalidReply)
    }

    /// Answers the pending event with `reply`. A `2yz` reply accepts (starts the
    /// transaction, adds the recipient, takes the message); anything else refuses.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when no event awaits an answer (nothing is sent then), or
    /// the pending event is an [`Event::AuthVerify`](super::Event::AuthVerify) (use [`Connection::auth_answer`]).
    pub fn send(&mut self, reply: Reply) -> Result<(), SendError> {
        let Some(pending) = self.pending.take() else {
            return Err(SendError::NotAllowed);
        };
        let positive = reply.code().is_positive_completion();
        match pending {
            Pending::Auth => {
                self.pending = Some(Pending::Auth);
                return Err(SendError::NotAllowed);
            }
            Pending::Helo { domain, extended } => {
                if positive {
                    // RFC 5321 §4.1.4: EHLO/HELO resets any transaction, like RSET.
                    self.abort_message(AbortReason::Reset);
                    self.transaction = None;
                    self.helo = Some(domain);
                    self.esmtp = extended;
                }
            }
            Pending::Mail {
                reverse_path,
                parameters,
            } => {
                if positive {
                    let mut envelope = Envelope::new(reverse_path);
                    envelope.parameters = wire_parameters(|w| parameters.encode(w));
                    self.transaction = Some(Transaction {
                        envelope,
                        size: 0,
                        too_large: false,
                        bdat: false,
                        failed: false,
                        newlines: super::data::BdatNewlines::default(),
                    });
                }
            }
            Pending::Rcpt {
                forward_path,
                parameters,
            } => {
                if positive && let Some(t) = &mut self.transaction {
                    let mut recipient = Recipient::new(forward_path);
                    recipient.parameters = wire_parameters(|w| parameters.encode(w));
                    t.envelope.recipients.push(recipient);
                }
            }
            Pending::MessageEnd { replies_left } => {
                if replies_left > 1 {
                    self.pending = Some(Pending::MessageEnd {
                        replies_left: replies_left - 1,
                    });
                } else {
                    self.transaction = None;
                }
            }
            Pending::Free => {}
        }
        if positive {
            self.errors = 0;
        }
        reply.encode(self.core.output());
        Ok(())
    }
}

/// Returns the parameters that `encode` writes, in wire form, for the envelope.
fn wire_parameters(encode: impl FnOnce(&mut BytesMut)) -> Vec<EsmtpParameter> {
    let mut wire = BytesMut::new();
    encode(&mut wire);
    wire[..]
        .split(|&b| b == b' ')
        .filter(|p| !p.is_empty())
        .filter_map(|p| EsmtpParameter::parse(p).ok())
        .collect()
}

//! Message content: `DATA` (RFC 5321 §4.1.1.4, dot-stuffed, streamed) and `BDAT`
//! (RFC 3030, counted chunks), with the size limit and the bare-newline policy.

use bytes::Bytes;
use mail_core::dot::{DotDecoder, DotEvent};

use super::{AbortReason, Connection, Event, Pending, Phase, esc};
use crate::reply::ReplyCode;

impl Connection {
    /// Reports the message in progress, if any, as void.
    pub(super) fn abort_message(&mut self, reason: AbortReason) {
        let in_message = matches!(self.phase, Phase::Data(_) | Phase::Bdat { .. })
            || self
                .transaction
                .as_ref()
                .is_some_and(|t| t.bdat && !t.failed);
        if in_message {
            self.core.push_event(Event::MessageAborted { reason });
        }
    }

    pub(super) fn data(&mut self) {
        let Some(t) = &mut self.transaction else {
            return self.bad_sequence("Need MAIL and RCPT before DATA");
        };
        if t.bdat {
            // RFC 3030 §3: "DATA and BDAT commands cannot be used in the same transaction".
            return self.bad_sequence("DATA after BDAT");
        }
        if t.envelope.recipients.is_empty() {
            return self.error(
                ReplyCode::TRANSACTION_FAILED,
                esc(5, 5, 1),
                "No valid recipients",
            );
        }
        t.size = 0;
        t.too_large = false;
        let envelope = t.envelope.clone();
        self.errors = 0;
        self.reply(
            ReplyCode::START_MAIL_INPUT,
            None,
            "End data with <CR><LF>.<CR><LF>",
        );
        self.phase = Phase::Data(DotDecoder::new(self.config.bare_newline));
        self.core.push_event(Event::MessageStart { envelope });
    }

    pub(super) fn bdat(&mut self, size: u64, last: bool) {
        let usable = self.config.extensions.chunking
            && self
                .transaction
                .as_ref()
                .is_some_and(|t| !t.envelope.recipients.is_empty() && !t.failed);
        if !usable {
            // RFC 3030 §2: the chunk is read even though the command is refused.
            self.phase = Phase::Bdat {
                remaining: size,
                last,
                discard: true,
            };
            let text = if self.config.extensions.chunking {
                "No valid transaction for BDAT"
            } else {
                "BDAT not offered"
            };
            return self.bad_sequence(text);
        }
        if let Some(t) = &mut self.transaction
            && !t.bdat
        {
            t.bdat = true;
            t.size = 0;
            t.too_large = false;
            let envelope = t.envelope.clone();
            self.core.push_event(Event::MessageStart { envelope });
        }
        self.phase = Phase::Bdat {
            remaining: size,
            last,
            discard: false,
        };
    }

    /// Decodes DATA content. Returns false when more input is needed.
    pub(super) fn step_data(&mut self) -> bool {
        let Phase::Data(decoder) = &mut self.phase else {
            return false;
        };
        match decoder.decode(self.core.input()) {
            None => false,
            Some(DotEvent::Data(chunk)) => {
                self.content(chunk);
                true
            }
            Some(DotEvent::End(result)) => {
                self.phase = Phase::Command;
                self.framer.reset();
                let too_large = self.transaction.as_ref().is_some_and(|t| t.too_large);
                if too_large {
                    self.transaction = None;
                    self.error(
                        ReplyCode::EXCEEDED_STORAGE,
                        esc(5, 3, 4),
                        "Message size exceeds fixed maximum message size",
                    );
                } else if result.is_err() {
                    self.core.push_event(Event::MessageAborted {
                        reason: AbortReason::BareNewline,
                    });
                    self.transaction = None;
                    self.error(
                        ReplyCode::MAILBOX_UNAVAILABLE,
                        esc(5, 5, 2),
                        "Bare CR or LF in message data",
                    );
                } else {
                    self.message_end();
                }
                true
            }
            Some(_) => true,
        }
    }

    /// Counts and forwards a piece of content, or drops it once the message is too large.
    pub(super) fn content(&mut self, chunk: Bytes) {
        let max = self.config.max_message_size;
        let Some(t) = &mut self.transaction else {
            return;
        };
        if t.too_large || t.failed {
            return;
        }
        t.size = t.size.saturating_add(chunk.len() as u64);
        if max > 0 && t.size > max {
            t.too_large = true;
            self.core.push_event(Event::MessageAborted {
                reason: AbortReason::TooLarge,
            });
            return;
        }
        self.core.push_event(Event::MessageData(chunk));
    }

    pub(super) fn message_end(&mut self) {
        let Some(t) = &self.transaction else {
            return;
        };
        let replies_left = if self.config.lmtp {
            t.envelope.recipients.len().max(1)
        } else {
            1
        };
        self.core.push_event(Event::MessageEnd {
            envelope: t.envelope.clone(),
        });
        self.pending = Some(Pending::MessageEnd { replies_left });
    }

    /// Reads BDAT content. Returns false when more input is needed.
    pub(super) fn step_bdat(&mut self) -> bool {
        let Phase::Bdat {
            remaining,
            last,
            discard,
        } = &mut self.phase
        else {
            return false;
        };
        if *remaining > 0 {
            if !self.core.has_input() {
                return false;
            }
            let take = usize::try_from(*remaining)
                .unwrap_or(usize::MAX)
                .min(self.core.input().len());
            let chunk = self.core.input().split_to(take).freeze();
            *remaining -= take as u64;
            if !*discard {
                self.content(chunk);
            }
            return true;
        }
        let (last, discard) = (*last, *discard);
        self.phase = Phase::Command;
        self.framer.reset();
        if discard {
            // The refusal was already sent with the command.
            return true;
        }
        let (too_large, failed) = self
            .transaction
            .as_ref()
            .map_or((false, true), |t| (t.too_large, t.failed));
        if too_large {
            if let Some(t) = &mut self.transaction {
                t.failed = true;
            }
            self.error(
                ReplyCode::EXCEEDED_STORAGE,
                esc(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            );
            if last {
                self.transaction = None;
            }
        } else if failed {
            self.bad_sequence("No valid transaction for BDAT");
        } else if last {
            self.message_end();
        } else {
            let size = self.transaction.as_ref().map_or(0, |t| t.size);
            let text = format!("{size} octets received");
            self.ok(esc(2, 0, 0), &text);
        }
        true
    }
}

//! Message content: `DATA` (RFC 5321 §4.1.1.4, dot-stuffed, streamed) and `BDAT`
//! (RFC 3030, counted chunks), with the size limit and the bare-newline policy.

use bytes::{BufMut, Bytes, BytesMut};
use mail_core::dot::{BareNewline, DotDecoder, DotEvent};
use memchr::memchr2;

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
                    self.refuse_bare_newline();
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

    /// Refuses the message for a bare CR or LF under [`BareNewline::Reject`] (DATA and BDAT
    /// alike; Postfix answers the same way).
    fn refuse_bare_newline(&mut self) {
        self.core.push_event(Event::MessageAborted {
            reason: AbortReason::BareNewline,
        });
        self.transaction = None;
        self.error(
            ReplyCode::MAILBOX_UNAVAILABLE,
            esc(5, 5, 2),
            "Bare CR or LF in message data",
        );
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
                let chunk = self.bdat_newlines(chunk);
                if !chunk.is_empty() {
                    self.content(chunk);
                }
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
        } else if last && self.bdat_finish_newlines() {
            self.refuse_bare_newline();
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

/// Bare CR and bare LF in `BDAT` content (RFC 5321 §2.3.8), tracked across chunks: a CRLF
/// may be split between two `BDAT` commands.
///
/// `BDAT` content is counted, not dot-stuffed, so nothing in the framing sees its line ends;
/// without this check a client could pass what `DATA` refuses (and POP3 would then send the
/// message with more octets than it has). `BODY=BINARYMIME` content (RFC 3030 §3) is exempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct BdatNewlines {
    /// The content so far ends with a CR whose meaning depends on the next octet. Under
    /// [`BareNewline::Normalize`] that CR is held back until then.
    pending_cr: bool,
    /// A bare CR or LF was seen.
    bare: bool,
}

impl BdatNewlines {
    /// Scans `chunk`; when `out` is given, appends the chunk there with every bare CR and
    /// bare LF written as CRLF.
    fn scan(&mut self, chunk: &[u8], mut out: Option<&mut BytesMut>) {
        let mut rest = chunk;
        while let Some(&first) = rest.first() {
            if self.pending_cr {
                self.pending_cr = false;
                if let Some(o) = out.as_deref_mut() {
                    o.put_slice(b"\r\n");
                }
                if first == b'\n' {
                    rest = rest.get(1..).unwrap_or_default();
                } else {
                    self.bare = true;
                }
                continue;
            }
            let Some((text, after)) =
                memchr2(b'\r', b'\n', rest).and_then(|i| rest.split_at_checked(i))
            else {
                if let Some(o) = out.as_deref_mut() {
                    o.put_slice(rest);
                }
                return;
            };
            if let Some(o) = out.as_deref_mut() {
                o.put_slice(text);
            }
            match after.split_first() {
                Some((b'\r', tail)) => {
                    self.pending_cr = true;
                    rest = tail;
                }
                Some((_, tail)) => {
                    self.bare = true;
                    if let Some(o) = out.as_deref_mut() {
                        o.put_slice(b"\r\n");
                    }
                    rest = tail;
                }
                None => return,
            }
        }
    }
}

impl Connection {
    /// Applies the bare-newline policy to a `BDAT` chunk: returns it unchanged (noting any
    /// bare CR or LF under [`BareNewline::Reject`]) or with CRLF line ends
    /// ([`BareNewline::Normalize`]).
    fn bdat_newlines(&mut self, chunk: Bytes) -> Bytes {
        let normalize = self.config.bare_newline == BareNewline::Normalize;
        let Some(t) = &mut self.transaction else {
            return chunk;
        };
        if is_binarymime(t) {
            return chunk;
        }
        if normalize {
            let mut out = BytesMut::with_capacity(chunk.len().saturating_add(2));
            t.newlines.scan(&chunk, Some(&mut out));
            out.freeze()
        } else {
            t.newlines.scan(&chunk, None);
            chunk
        }
    }

    /// Ends the `BDAT` content's newline check at the `LAST` chunk. Returns whether the
    /// message is refused for a bare CR or LF; under [`BareNewline::Normalize`] a CR held
    /// back at the end is sent as CRLF and nothing is refused.
    fn bdat_finish_newlines(&mut self) -> bool {
        let normalize = self.config.bare_newline == BareNewline::Normalize;
        let Some(t) = &mut self.transaction else {
            return false;
        };
        if is_binarymime(t) {
            return false;
        }
        let newlines = std::mem::take(&mut t.newlines);
        if newlines.pending_cr && normalize {
            self.content(Bytes::from_static(b"\r\n"));
        }
        !normalize && (newlines.bare || newlines.pending_cr)
    }
}

/// Returns whether the transaction declared `BODY=BINARYMIME` (RFC 3030 §3), whose content
/// is any octets.
fn is_binarymime(t: &super::Transaction) -> bool {
    t.envelope
        .parameter("BODY")
        .and_then(|p| p.value())
        .is_some_and(|v| v.eq_ignore_ascii_case("BINARYMIME"))
}

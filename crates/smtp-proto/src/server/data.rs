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

/// Octets [`BdatNewlines::check`] looks at between two chances to stop early.
const CHECK_BLOCK: usize = 4096;

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
    /// Notes whether `chunk` holds a bare CR or LF, without changing it: the same verdict as
    /// [`scan`](Self::scan), computed block by block with no branch per octet (the common
    /// case, text with CRLF line ends, costs about what DATA's decoder costs).
    fn check(&mut self, chunk: &[u8]) {
        let (Some(&first), Some(&last)) = (chunk.first(), chunk.last()) else {
            return;
        };
        if self.pending_cr != (first == b'\n') {
            self.bare = true;
        }
        if !self.bare {
            // A CR not followed by LF, or an LF not preceded by CR, inside the chunk.
            let mut start = 0;
            while start + 1 < chunk.len() && !self.bare {
                let end = chunk.len().min(start + CHECK_BLOCK + 1);
                let (Some(octets), Some(next)) =
                    (chunk.get(start..end - 1), chunk.get(start + 1..end))
                else {
                    break;
                };
                self.bare = octets
                    .iter()
                    .zip(next)
                    .fold(false, |acc, (&c, &n)| acc | ((c == b'\r') != (n == b'\n')));
                start = end - 1;
            }
        }
        self.pending_cr = last == b'\r';
    }

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
            t.newlines.check(&chunk);
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

#[cfg(test)]
mod tests {
    use super::BdatNewlines;

    /// The verdict of `scan` (octet by octet) and `check` (block-wise) over `chunks`.
    fn verdicts(chunks: &[&[u8]]) -> (bool, bool) {
        let (mut scanned, mut checked) = (BdatNewlines::default(), BdatNewlines::default());
        for chunk in chunks {
            scanned.scan(chunk, None);
            checked.check(chunk);
            assert_eq!(scanned.pending_cr, checked.pending_cr, "{chunks:?}");
        }
        (
            scanned.bare || scanned.pending_cr,
            checked.bare || checked.pending_cr,
        )
    }

    #[test]
    fn the_block_check_agrees_with_the_octet_scan_for_any_split() {
        // Every string of up to 7 octets over {a, CR, LF}, cut at every point, and long
        // texts with one bare newline at each place around a block boundary.
        let alphabet = [b'a', b'\r', b'\n'];
        for len in 0..=7u32 {
            for n in 0..3usize.pow(len) {
                let mut text = Vec::new();
                let mut k = n;
                for _ in 0..len {
                    text.extend_from_slice(
                        alphabet
                            .get(k % 3)
                            .map(core::slice::from_ref)
                            .unwrap_or_default(),
                    );
                    k /= 3;
                }
                for cut in 0..=text.len() {
                    let (a, b) = text.split_at(cut);
                    let (scan, check) = verdicts(&[a, b]);
                    assert_eq!(scan, check, "{text:?} cut at {cut}");
                }
            }
        }
        let clean = b"line\r\n".repeat(2000);
        assert_eq!(verdicts(&[&clean]), (false, false));
        for at in [0, 1, 4095, 4096, 4097, 8191, 11_999] {
            for bad in [b'\r', b'\n'] {
                let mut text = clean.clone();
                if let Some(octet) = text.get_mut(at) {
                    *octet = if *octet == bad { b'x' } else { bad };
                }
                let (scan, check) = verdicts(&[&text]);
                assert_eq!(scan, check, "{bad} at {at}");
                assert!(scan, "{bad} at {at}");
            }
        }
    }
}

//! APPEND (RFC 9051 §6.3.12) and MULTIAPPEND (RFC 3502), streamed: each message is announced
//! to the application, which accepts or refuses it *before* `+` is sent, and its octets then
//! reach the application as slices of the input as they arrive. A message is never held
//! whole, whatever its size.
//!
//! ```abnf
//! append         = "APPEND" SP mailbox 1*append-message
//! append-message = append-opts SP append-data
//! append-opts    = [SP flag-list] [SP date-time]
//! append-data    = literal / literal8 / "UTF8" SP "(" literal8 ")"   ; RFC 6855 §4
//! ```
//!
//! An APPEND whose line ends with a literal announcement is read here, before the framer
//! would buffer it; `CATENATE` (RFC 4469) is framed whole and handed to the application as a
//! command.

use bytes::Bytes;
use mail_core::line::LineError;

use super::mailbox::Flush;
use super::{Connection, Event, LiteralPlus, Pending, Reading};
use crate::error::{ParseError, SendError};
use crate::framing::{LITERAL_MINUS_MAX, literal_announcement};
use crate::response::{Code, Condition, StatusKind};
use crate::types::parser::Parser;
use crate::types::{DateTime, Flag, Mailbox, Tag};

/// An APPEND in progress.
#[derive(Debug)]
pub(in crate::server) struct Appending {
    /// The command's tag; `None` when it was unreadable (the answer is then untagged).
    tag: Option<Tag>,
    mailbox: Mailbox,
    phase: Phase,
    /// `UTF8 (` was opened: `)` follows the literal.
    utf8_open: bool,
    /// The announced message is sent without waiting for `+`.
    non_sync: bool,
    /// The size of the message being decided on.
    size: u64,
    /// Messages the application accepted.
    accepted: u32,
    /// The answer to send once the command's octets are consumed, when a message the client
    /// sent without waiting was refused.
    refusal: Option<(StatusKind, Option<Code>, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The application decides on the announced message.
    Decide,
    /// The message's octets.
    Literal { remaining: u64, discard: bool },
    /// The rest of the line after a message: CRLF, or the next message.
    Rest,
}

/// One message's options and its literal, as read from a line.
struct Head {
    flags: Option<Vec<Flag>>,
    date: Option<DateTime>,
    utf8: bool,
    size: u64,
    non_sync: bool,
    binary: bool,
}

impl Connection {
    /// Starts a streamed APPEND when the first complete line in the input is one. Returns
    /// whether it did.
    pub(super) fn try_append(&mut self) -> bool {
        let max = self.config.max_line;
        let input = self.core.input();
        let window = input.get(..input.len().min(max)).unwrap_or_default();
        let Some(lf) = memchr::memchr(b'\n', window) else {
            return false;
        };
        let line = window.get(..lf).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !is_append(line) || literal_announcement(line).is_none() {
            return false;
        }
        let line = Bytes::copy_from_slice(line);
        let parsed = parse_first(&line, self.config.max_depth);
        // The line is consumed here; the message octets follow in the input.
        let _ = self.core.input().split_to(lf.saturating_add(1));
        match parsed {
            Ok((tag, mailbox, head)) => {
                self.reading = Reading::Append(Appending {
                    tag: Some(tag),
                    mailbox,
                    phase: Phase::Decide,
                    utf8_open: head.utf8,
                    non_sync: head.non_sync,
                    size: head.size,
                    accepted: 0,
                    refusal: None,
                });
                self.announce(head);
            }
            Err((tag, e)) => {
                let text = format!("Error in IMAP command APPEND: {e}");
                match literal_announcement(&line) {
                    Some((size, false, _)) => {
                        // The octets come anyway: read past them, then answer.
                        self.reading = Reading::Append(Appending {
                            tag,
                            mailbox: Mailbox::Inbox,
                            phase: Phase::Literal {
                                remaining: size,
                                discard: true,
                            },
                            utf8_open: false,
                            non_sync: true,
                            size,
                            accepted: 0,
                            refusal: Some((StatusKind::Bad, None, text)),
                        });
                    }
                    _ => self.bad_text(tag, &text),
                }
            }
        }
        true
    }

    /// Announces a message to the application, or refuses it for the limits.
    fn announce(&mut self, head: Head) {
        let Reading::Append(a) = &mut self.reading else {
            return;
        };
        a.utf8_open = head.utf8;
        a.non_sync = head.non_sync;
        a.size = head.size;
        let limit = self.config.max_append;
        let too_large = limit > 0 && head.size > limit;
        let minus = self.config.literal_plus == LiteralPlus::Minus
            && head.non_sync
            && head.size > LITERAL_MINUS_MAX;
        if minus {
            // RFC 7888 §5: a non-synchronising literal over 4096 octets under LITERAL-.
            return self.refuse_message(StatusKind::Bad, None, "Literal over the LITERAL- limit");
        }
        if too_large {
            return self.refuse_message(
                StatusKind::No,
                Some(Code::Condition(Condition::Limit)),
                "Message too large",
            );
        }
        if a.refusal.is_some() {
            // An earlier message of this command was refused: so is the rest.
            return self.refuse_message(StatusKind::No, None, "APPEND refused");
        }
        let mailbox = a.mailbox.clone();
        a.phase = Phase::Decide;
        self.pending = Some(Pending::AppendStart);
        self.core.push_event(Event::AppendStart {
            mailbox,
            flags: head.flags,
            date: head.date,
            size: head.size,
            binary: head.binary || head.utf8,
            utf8: head.utf8,
        });
    }

    /// Refuses the announced message: at once when the client waits for `+` (it will not
    /// send the octets, RFC 9051 §4.3), after its octets otherwise.
    fn refuse_message(&mut self, kind: StatusKind, code: Option<Code>, text: &str) {
        let Reading::Append(a) = &mut self.reading else {
            return;
        };
        if a.non_sync {
            a.phase = Phase::Literal {
                remaining: a.size,
                discard: true,
            };
            if a.refusal.is_none() {
                a.refusal = Some((kind, code, text.to_owned()));
            }
            return;
        }
        let tag = a.tag.clone();
        let (kind, code, text) = a.refusal.take().unwrap_or((kind, code, text.to_owned()));
        self.reading = Reading::Commands;
        self.finish_append(tag, kind, code, &text);
    }

    /// Sends an APPEND's completion, untagged when its tag was unreadable.
    fn finish_append(
        &mut self,
        tag: Option<Tag>,
        kind: StatusKind,
        code: Option<Code>,
        text: &str,
    ) {
        match tag {
            Some(tag) => self.complete_with(tag, kind, code, text),
            None => self.bad(None, text),
        }
    }

    /// Answers [`Event::AppendStart`]: the message is wanted, its octets follow as
    /// [`Event::AppendData`] (the server sends `+` first when the client waits for it).
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::AppendStart`] is pending.
    pub fn accept_append(&mut self) -> Result<(), SendError> {
        if !matches!(self.pending, Some(Pending::AppendStart)) {
            return Err(SendError::NotAllowed);
        }
        self.pending = None;
        let Reading::Append(a) = &mut self.reading else {
            return Err(SendError::NotAllowed);
        };
        a.phase = Phase::Literal {
            remaining: a.size,
            discard: false,
        };
        a.accepted = a.accepted.saturating_add(1);
        if !a.non_sync {
            self.continuation("Ready for literal data");
        }
        Ok(())
    }

    /// Refuses the pending [`Event::AppendStart`].
    pub(super) fn refuse_append(&mut self, kind: StatusKind, code: Option<Code>, text: &str) {
        self.pending = None;
        self.refuse_message(kind, code, text);
    }

    /// Answers [`Event::AppendDone`]: the messages are stored; `uids` are the UIDs they got
    /// in `uid_validity` (RFC 4315 §3 `APPENDUID`), when the mailbox keeps UIDs for them.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] unless [`Event::AppendDone`] is pending.
    pub fn append_done(&mut self, uid: Option<super::CopyUid>) -> Result<(), SendError> {
        let Some(Pending::AppendDone { tag }) = self.pending.take() else {
            return Err(SendError::NotAllowed);
        };
        let code = uid.and_then(|u| {
            crate::types::SequenceSet::from_sorted(&u.destination).map(|uids| Code::AppendUid {
                uid_validity: u.uid_validity,
                uids,
            })
        });
        self.flush_updates(Flush::All);
        self.complete_with(tag, StatusKind::Ok, code, "APPEND completed");
        Ok(())
    }

    /// Reads the octets of the message being appended, or the rest of its line. Returns false
    /// when more input is needed.
    pub(super) fn step_append(&mut self) -> bool {
        let Reading::Append(a) = &mut self.reading else {
            return false;
        };
        match a.phase {
            Phase::Decide => false,
            Phase::Literal { remaining, discard } => {
                if remaining == 0 {
                    a.phase = Phase::Rest;
                    if !discard {
                        self.core.push_event(Event::AppendEnd);
                    }
                    return true;
                }
                let input = self.core.input();
                let take = usize::try_from(remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                if take == 0 {
                    return false;
                }
                // A zero-copy slice of the input: the message is never gathered.
                let chunk = input.split_to(take).freeze();
                a.phase = Phase::Literal {
                    remaining: remaining.saturating_sub(take as u64),
                    discard,
                };
                if !discard {
                    self.core.push_event(Event::AppendData(chunk));
                }
                true
            }
            Phase::Rest => self.step_rest(),
        }
    }

    /// Reads what follows a message: `)` after `UTF8 (…`, then CRLF or another message.
    fn step_rest(&mut self) -> bool {
        let Reading::Append(a) = &self.reading else {
            return false;
        };
        let utf8_open = a.utf8_open;
        let depth = self.config.max_depth;
        let read = self.lines.next_line_with(self.core.input(), |rest| {
            parse_rest(rest, utf8_open, depth).map_err(|e| (e, literal_announcement(rest)))
        });
        let rest = match read {
            None => return false,
            Some(Ok(rest)) => rest,
            Some(Err(LineError::TooLong { .. })) => {
                Err((ParseError::syntax(0, "a shorter APPEND line"), None))
            }
            Some(Err(_)) => Err((ParseError::syntax(0, "CRLF"), None)),
        };
        let Reading::Append(a) = &mut self.reading else {
            return true;
        };
        match rest {
            Ok(Some(head)) => self.announce(head),
            Ok(None) => {
                let tag = a.tag.clone();
                let refusal = a.refusal.take();
                self.reading = Reading::Commands;
                match (refusal, tag) {
                    (None, Some(tag)) => {
                        self.pending = Some(Pending::AppendDone { tag });
                        self.core.push_event(Event::AppendDone);
                    }
                    (Some((kind, code, text)), tag) => self.finish_append(tag, kind, code, &text),
                    (None, None) => self.bad(None, "Error in IMAP command APPEND"),
                }
            }
            Err((e, announced)) => {
                let text = format!("Error in IMAP command APPEND: {e}");
                match announced {
                    Some((size, false, _)) => {
                        a.refusal.get_or_insert((StatusKind::Bad, None, text));
                        a.phase = Phase::Literal {
                            remaining: size,
                            discard: true,
                        };
                    }
                    _ => {
                        let tag = a.tag.clone();
                        self.reading = Reading::Commands;
                        self.finish_append(tag, StatusKind::Bad, None, &text);
                    }
                }
            }
        }
        true
    }
}

/// Returns whether the line is `tag SP APPEND SP …`.
fn is_append(line: &[u8]) -> bool {
    let Some(sp) = line.iter().position(|&b| b == b' ') else {
        return false;
    };
    line.get(sp.saturating_add(1)..sp.saturating_add(8))
        .is_some_and(|w| w.eq_ignore_ascii_case(b"APPEND "))
}

/// Reads `tag SP "APPEND" SP mailbox` and the first message's options and literal.
fn parse_first(
    line: &Bytes,
    depth: usize,
) -> Result<(Tag, Mailbox, Head), (Option<Tag>, ParseError)> {
    let mut p = Parser::new(line).with_max_depth(depth);
    let tag = Tag::read(&mut p).map_err(|e| (None, e))?;
    let fail = |e: ParseError| (Some(tag.clone()), e);
    p.sp().map_err(fail)?;
    p.expect_keyword(b"APPEND", "APPEND").map_err(fail)?;
    p.sp().map_err(fail)?;
    let mailbox = Mailbox::read(&mut p).map_err(fail)?;
    p.sp().map_err(fail)?;
    if p.keyword(b"CATENATE") {
        return Err(fail(p.err("a message literal (CATENATE is framed whole)")));
    }
    let head = read_head(&mut p).map_err(fail)?;
    Ok((tag, mailbox, head))
}

/// Reads the rest of a line after a message: `None` at the end of the command, or the next
/// message (MULTIAPPEND).
fn parse_rest(rest: &[u8], utf8_open: bool, depth: usize) -> Result<Option<Head>, ParseError> {
    let bytes = Bytes::copy_from_slice(rest);
    let mut p = Parser::new(&bytes).with_max_depth(depth);
    if utf8_open {
        p.byte(b')', "')' closing UTF8 (")?;
    }
    if p.at_end() {
        return Ok(None);
    }
    p.sp()?;
    read_head(&mut p).map(Some)
}

/// Reads `[flag-list SP] [date-time SP] ["UTF8" SP "("] literal-announcement` to the end.
fn read_head(p: &mut Parser<'_>) -> Result<Head, ParseError> {
    let flags = if p.peek() == Some(b'(') {
        let f = Flag::read_list(p)?;
        p.sp()?;
        Some(f)
    } else {
        None
    };
    let date = if p.peek() == Some(b'"') {
        let d = DateTime::read(p)?;
        p.sp()?;
        Some(d)
    } else {
        None
    };
    let utf8 = p.keyword(b"UTF8");
    if utf8 {
        p.sp()?;
        p.byte(b'(', "'(' after UTF8")?;
    }
    let at = p.pos();
    let Some((size, sync, binary)) = literal_announcement(p.rest()) else {
        return Err(p.invalid(at, "a literal ending the line"));
    };
    // The announcement must be all that is left: `{n}`, `{n+}`, `~{n}` or `~{n+}`.
    let digits = p.rest().iter().filter(|b| b.is_ascii_digit()).count();
    let expected = digits + 2 + usize::from(!sync) + usize::from(binary);
    if p.rest().len() != expected {
        return Err(p.invalid(at, "a literal"));
    }
    Ok(Head {
        flags,
        date,
        utf8,
        size,
        non_sync: !sync,
        binary,
    })
}

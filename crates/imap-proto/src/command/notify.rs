//! NOTIFY's arguments: event groups, mailbox filters and events (RFC 5465 §3, §8).

use super::FetchAttribute;
use super::mailbox::encode_list;
use crate::error::ParseError;
use crate::types::parser::{PResult, Parser, Upper};
use crate::types::{Atom, Encode, Encoder, Mailbox};

/// What `NOTIFY` asks for (RFC 5465 §3).
///
/// ```abnf
/// notify           = "NOTIFY" SP (notify-set / notify-none)
/// notify-set       = "SET" [status-indicator] SP event-groups
/// notify-none      = "NONE"
/// status-indicator = SP "STATUS"
/// event-groups     = event-group *(SP event-group)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Notify {
    /// `NONE`: cancel every registered event.
    None,
    /// `SET [STATUS] groups`: replace the registered events.
    Set {
        /// `STATUS`: send a STATUS response for each mailbox of the groups now.
        status: bool,
        /// The event groups (at least one).
        event_groups: Vec<EventGroup>,
    },
}

/// One `event-group` of NOTIFY SET (RFC 5465 §5, §8).
///
/// ```abnf
/// event-group = "(" filter-mailboxes SP events ")"
/// events      = ( "(" event *(SP event) ")" ) / "NONE"
/// ```
///
/// Tolerance: events without their parentheses, as in the example of RFC 5465 §3.1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EventGroup {
    /// The mailboxes the events apply to.
    pub filter: FilterMailboxes,
    /// The events (at least one), or `None` for `NONE`: no events for these mailboxes.
    pub events: Option<Vec<NotifyEvent>>,
}

impl EventGroup {
    /// Returns a group; `events` of `None` sends `NONE`.
    pub const fn new(filter: FilterMailboxes, events: Option<Vec<NotifyEvent>>) -> Self {
        Self { filter, events }
    }
}

/// The mailboxes of an event group (RFC 5465 §6).
///
/// ```abnf
/// filter-mailboxes          = filter-mailboxes-selected / filter-mailboxes-other
/// filter-mailboxes-other    = "inboxes" / "personal" / "subscribed" /
///                             ( "subtree" SP one-or-more-mailbox ) /
///                             ( "mailboxes" SP one-or-more-mailbox )
/// filter-mailboxes-selected = "selected" / "selected-delayed"
/// one-or-more-mailbox       = mailbox / many-mailboxes
/// many-mailboxes            = "(" mailbox *(SP mailbox) ")"
/// ```
///
/// The mailbox lists hold at least one mailbox; one is sent without parentheses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterMailboxes {
    /// `SELECTED`: the selected mailbox, reported as it changes.
    Selected,
    /// `SELECTED-DELAYED`: the selected mailbox, expunges held back until a command allows
    /// them.
    SelectedDelayed,
    /// `INBOXES`: every mailbox that may receive mail.
    Inboxes,
    /// `PERSONAL`: every mailbox of the user's personal namespace.
    Personal,
    /// `SUBSCRIBED`: every subscribed mailbox.
    Subscribed,
    /// `SUBTREE mailbox…`: these mailboxes and every mailbox below them.
    Subtree(Vec<Mailbox>),
    /// `MAILBOXES mailbox…`: exactly these mailboxes.
    Mailboxes(Vec<Mailbox>),
}

/// An event of NOTIFY (RFC 5465 §5) and an `event-name` of the `BADEVENT` response code.
///
/// ```abnf
/// event         = message-event / mailbox-event / user-event / event-ext
/// message-event = ( "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")" ] ) /
///                 "MessageExpunge" / "FlagChange" / "AnnotationChange"
/// mailbox-event = "MailboxName" / "SubscriptionChange" / "MailboxMetadataChange"
/// user-event    = "ServerMetadataChange"
/// event-ext     = atom
/// ```
///
/// Names are matched case-insensitively and written as the RFC spells them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotifyEvent {
    /// `MessageNew [(fetch-att …)]`: new messages, with what to FETCH about each (only for
    /// the selected mailbox; empty when absent).
    MessageNew(Vec<FetchAttribute>),
    /// `MessageExpunge`.
    MessageExpunge,
    /// `FlagChange`.
    FlagChange,
    /// `AnnotationChange`.
    AnnotationChange,
    /// `MailboxName`: mailboxes created, deleted or renamed.
    MailboxName,
    /// `SubscriptionChange`.
    SubscriptionChange,
    /// `MailboxMetadataChange`.
    MailboxMetadataChange,
    /// `ServerMetadataChange`.
    ServerMetadataChange,
    /// Another event (`event-ext`), never one of the names above.
    Other(Atom),
}

impl NotifyEvent {
    /// Returns the event's name, as RFC 5465 spells it.
    pub fn name(&self) -> &str {
        match self {
            Self::MessageNew(_) => "MessageNew",
            Self::MessageExpunge => "MessageExpunge",
            Self::FlagChange => "FlagChange",
            Self::AnnotationChange => "AnnotationChange",
            Self::MailboxName => "MailboxName",
            Self::SubscriptionChange => "SubscriptionChange",
            Self::MailboxMetadataChange => "MailboxMetadataChange",
            Self::ServerMetadataChange => "ServerMetadataChange",
            Self::Other(a) => a.as_str(),
        }
    }

    /// Reads an `event-name`: an event without MessageNew's fetch attributes.
    pub(crate) fn read_name(p: &mut Parser<'_>) -> PResult<Self> {
        let atom = Atom::read(p)?;
        Ok(match Upper::new(atom.as_str().as_bytes()).as_bytes() {
            b"MESSAGENEW" => Self::MessageNew(Vec::new()),
            b"MESSAGEEXPUNGE" => Self::MessageExpunge,
            b"FLAGCHANGE" => Self::FlagChange,
            b"ANNOTATIONCHANGE" => Self::AnnotationChange,
            b"MAILBOXNAME" => Self::MailboxName,
            b"SUBSCRIPTIONCHANGE" => Self::SubscriptionChange,
            b"MAILBOXMETADATACHANGE" => Self::MailboxMetadataChange,
            b"SERVERMETADATACHANGE" => Self::ServerMetadataChange,
            _ => Self::Other(atom),
        })
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mut event = Self::read_name(p)?;
        if let Self::MessageNew(attributes) = &mut event
            && p.peek() == Some(b' ')
            && p.peek_at(1) == Some(b'(')
        {
            p.advance(1);
            *attributes = p.list(true, FetchAttribute::read)?;
        }
        Ok(event)
    }
}

impl Encode for NotifyEvent {
    fn encode(&self, e: &mut Encoder) {
        e.raw(self.name().as_bytes());
        if let Self::MessageNew(attributes) = self
            && !attributes.is_empty()
        {
            e.sp();
            encode_list(attributes, e);
        }
    }
}

/// Reads `one-or-more-mailbox` after SP.
fn read_mailboxes(p: &mut Parser<'_>) -> PResult<Vec<Mailbox>> {
    p.sp()?;
    if p.peek() == Some(b'(') {
        p.list(true, Mailbox::read)
    } else {
        Mailbox::read(p).map(|m| vec![m])
    }
}

impl FilterMailboxes {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let name = Upper::new(p.atom()?);
        Ok(match name.as_bytes() {
            b"SELECTED" => Self::Selected,
            b"SELECTED-DELAYED" => Self::SelectedDelayed,
            b"INBOXES" => Self::Inboxes,
            b"PERSONAL" => Self::Personal,
            b"SUBSCRIBED" => Self::Subscribed,
            b"SUBTREE" => Self::Subtree(read_mailboxes(p)?),
            b"MAILBOXES" => Self::Mailboxes(read_mailboxes(p)?),
            _ => {
                return Err(ParseError::syntax(
                    at,
                    "SELECTED, SELECTED-DELAYED, INBOXES, PERSONAL, SUBSCRIBED, SUBTREE or MAILBOXES",
                ));
            }
        })
    }
}

impl Encode for FilterMailboxes {
    fn encode(&self, e: &mut Encoder) {
        let (name, mailboxes): (&[u8], _) = match self {
            Self::Selected => (b"SELECTED", None),
            Self::SelectedDelayed => (b"SELECTED-DELAYED", None),
            Self::Inboxes => (b"INBOXES", None),
            Self::Personal => (b"PERSONAL", None),
            Self::Subscribed => (b"SUBSCRIBED", None),
            Self::Subtree(m) => (b"SUBTREE", Some(m)),
            Self::Mailboxes(m) => (b"MAILBOXES", Some(m)),
        };
        e.raw(name);
        if let Some(mailboxes) = mailboxes {
            e.sp();
            match mailboxes.as_slice() {
                [one] => one.encode(e),
                many => encode_list(many, e),
            }
        }
    }
}

impl EventGroup {
    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'(', "'(' opening an event group")?;
        // Tolerance: spaces after "(" and before ")", as in every other list.
        p.eat_sp();
        let filter = FilterMailboxes::read(p)?;
        p.sp()?;
        let events = if p.keyword(b"NONE") {
            None
        } else if p.peek() == Some(b'(') {
            Some(p.list(true, NotifyEvent::read)?)
        } else {
            // Tolerance: events without their parentheses, as RFC 5465 §3.1's own example
            // sends them (`(subtree Lists MessageNew)`).
            let mut events = vec![NotifyEvent::read(p)?];
            while !p.at_close() {
                p.sp()?;
                events.push(NotifyEvent::read(p)?);
            }
            Some(events)
        };
        if !p.at_close() {
            return Err(p.err("')' ending the event group"));
        }
        p.advance(1);
        Ok(Self { filter, events })
    }
}

impl Encode for EventGroup {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        self.filter.encode(e);
        e.sp();
        match &self.events {
            None => e.raw(b"NONE"),
            Some(events) => encode_list(events, e),
        }
        e.raw(b")");
    }
}

impl Notify {
    /// Reads the arguments of NOTIFY after its name and SP.
    pub(super) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.keyword(b"NONE") {
            return Ok(Self::None);
        }
        p.expect_keyword(b"SET", "SET or NONE")?;
        p.sp()?;
        let status = p.keyword(b"STATUS");
        if status {
            p.sp()?;
        }
        let mut event_groups = vec![EventGroup::read(p)?];
        // Tolerance: trailing spaces.
        while p.eat_sp() && !p.at_end() {
            event_groups.push(EventGroup::read(p)?);
        }
        Ok(Self::Set {
            status,
            event_groups,
        })
    }
}

impl Encode for Notify {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::None => e.raw(b"NONE"),
            Self::Set {
                status,
                event_groups,
            } => {
                e.raw(if *status { b"SET STATUS" } else { b"SET" });
                for group in event_groups {
                    e.sp();
                    group.encode(e);
                }
            }
        }
    }
}

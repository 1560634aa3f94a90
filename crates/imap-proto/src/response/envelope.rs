//! ENVELOPE of FETCH (RFC 9051 §7.5.2): the parsed main header fields and their addresses.

use crate::types::parser::{Encoder, PResult, Parser};
use crate::types::{Encode, NString};

use super::value::open;

/// An address of an envelope (RFC 9051 §7.5.2, §9).
///
/// ```abnf
/// address      = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
/// addr-adl     = nstring
/// addr-host    = nstring   ; NIL indicates RFC 5322 group syntax.
/// addr-mailbox = nstring   ; NIL indicates end of RFC 5322 group; if non-NIL and
///                          ; addr-host is NIL, holds RFC 5322 group name.
/// addr-name    = nstring
/// ```
///
/// A group (RFC 3501 §7.4.2) is a start marker ([`Address::is_group_start`]: host NIL,
/// mailbox the group name), its members, and an end marker ([`Address::is_group_end`]:
/// mailbox and host NIL); the list keeps that wire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Address {
    /// The display name.
    pub name: NString,
    /// The source route (obsolete).
    pub adl: NString,
    /// The local part, or the group name.
    pub mailbox: NString,
    /// The domain; NIL for group markers.
    pub host: NString,
}

impl Address {
    /// Returns whether this is the start of a group: host NIL, mailbox the group name.
    pub const fn is_group_start(&self) -> bool {
        self.host.0.is_none() && self.mailbox.0.is_some()
    }

    /// Returns whether this ends a group: mailbox and host NIL.
    pub const fn is_group_end(&self) -> bool {
        self.host.0.is_none() && self.mailbox.0.is_none()
    }

    fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.byte(b'(', "'(' starting an address")?;
        p.eat_sp();
        let name = NString::read(p)?;
        p.sp()?;
        let adl = NString::read(p)?;
        p.sp()?;
        let mailbox = NString::read(p)?;
        p.sp()?;
        let host = NString::read(p)?;
        p.eat_sp();
        p.byte(b')', "')' ending an address")?;
        Ok(Self {
            name,
            adl,
            mailbox,
            host,
        })
    }
}

impl Encode for Address {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        self.name.encode(e);
        e.sp();
        self.adl.encode(e);
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        self.host.encode(e);
        e.raw(b")");
    }
}

/// Reads `"(" 1*address ")" / nil`. Tolerances: `()` for none, spaces between addresses.
fn read_addresses(p: &mut Parser<'_>) -> PResult<Vec<Address>> {
    if p.keyword(b"NIL") {
        return Ok(Vec::new());
    }
    p.byte(b'(', "'(' or NIL for an address list")?;
    // Most lists hold one address (From, Sender, Reply-To nearly always): allocate for one
    // rather than the four a first push reserves.
    p.eat_sp();
    let mut out = if p.peek() == Some(b')') {
        Vec::new()
    } else {
        Vec::with_capacity(1)
    };
    loop {
        p.eat_sp();
        if p.eat(b')') {
            return Ok(out);
        }
        out.push(Address::read(p)?);
    }
}

fn write_addresses(e: &mut Encoder, list: &[Address]) {
    if list.is_empty() {
        e.raw(b"NIL");
    } else {
        e.raw(b"(");
        for a in list {
            a.encode(e);
        }
        e.raw(b")");
    }
}

/// The envelope of a message (RFC 9051 §7.5.2): its main header fields, parsed by the server.
///
/// ```abnf
/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
///            env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
/// env-from = "(" 1*address ")" / nil      ; and so on for the other address lists
/// ```
///
/// Address lists are empty for NIL. Tolerance: `()` for an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Envelope {
    /// `Date:`.
    pub date: NString,
    /// `Subject:`.
    pub subject: NString,
    /// `From:`.
    pub from: Vec<Address>,
    /// `Sender:`.
    pub sender: Vec<Address>,
    /// `Reply-To:`.
    pub reply_to: Vec<Address>,
    /// `To:`.
    pub to: Vec<Address>,
    /// `Cc:`.
    pub cc: Vec<Address>,
    /// `Bcc:`.
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`.
    pub in_reply_to: NString,
    /// `Message-ID:`.
    pub message_id: NString,
}

impl Envelope {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        open(p, "'(' starting an envelope")?;
        p.eat_sp();
        let date = NString::read(p)?;
        p.sp()?;
        let subject = NString::read(p)?;
        let mut lists: [Vec<Address>; 6] = Default::default();
        for l in &mut lists {
            p.sp()?;
            *l = read_addresses(p)?;
        }
        p.sp()?;
        let in_reply_to = NString::read(p)?;
        p.sp()?;
        let message_id = NString::read(p)?;
        p.eat_sp();
        p.byte(b')', "')' ending the envelope")?;
        p.leave();
        let [from, sender, reply_to, to, cc, bcc] = lists;
        Ok(Self {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        })
    }
}

impl Encode for Envelope {
    fn encode(&self, e: &mut Encoder) {
        e.raw(b"(");
        self.date.encode(e);
        e.sp();
        self.subject.encode(e);
        for l in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            e.sp();
            write_addresses(e, l);
        }
        e.sp();
        self.in_reply_to.encode(e);
        e.sp();
        self.message_id.encode(e);
        e.raw(b")");
    }
}

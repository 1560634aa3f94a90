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
#[non_exhaustive]
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
    /// Returns an address from its four fields.
    pub const fn new(name: NString, adl: NString, mailbox: NString, host: NString) -> Self {
        Self {
            name,
            adl,
            mailbox,
            host,
        }
    }
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

/// Reads `"(" 1*address ")" / nil` onto `out`. Tolerances: `()` for none, spaces between
/// addresses.
fn read_addresses(p: &mut Parser<'_>, out: &mut Vec<Address>) -> PResult<()> {
    if p.nil() {
        return Ok(());
    }
    p.byte(b'(', "'(' or NIL for an address list")?;
    loop {
        p.eat_sp();
        if p.eat(b')') {
            return Ok(());
        }
        // One allocation for the whole envelope: eight addresses (1 KiB) hold the From,
        // Sender, Reply-To and a few recipients of most messages.
        if out.capacity() == 0 {
            out.reserve(8);
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
/// The six address lists are kept in one `Vec`, in wire order, so that an envelope costs one
/// allocation for all of them: read them with [`from`](Self::from), [`sender`](Self::sender),
/// [`reply_to`](Self::reply_to), [`to`](Self::to), [`cc`](Self::cc) and [`bcc`](Self::bcc),
/// set them with [`set_addresses`](Self::set_addresses). A list is empty for NIL.
/// Tolerance: `()` for an empty list.
///
/// A Sender or Reply-To that a server fills in from From (RFC 9051 §7.5.2) is not stored
/// twice: the envelope notes that the list is From's. Equality and hashing compare the six
/// lists, however they are stored.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// `Date:`.
    pub date: NString,
    /// `Subject:`.
    pub subject: NString,
    /// The addresses of From, Sender, Reply-To, To, Cc and Bcc, one list after the other.
    addresses: Vec<Address>,
    /// Where each of the six lists ends in `addresses`.
    ends: [usize; 6],
    /// Bit `i` set: list `i` (Sender or Reply-To) is From's list, stored once (its own range
    /// is empty).
    same_as_from: u8,
    /// `In-Reply-To:`.
    pub in_reply_to: NString,
    /// `Message-ID:`.
    pub message_id: NString,
}

impl PartialEq for Envelope {
    fn eq(&self, other: &Self) -> bool {
        self.date == other.date
            && self.subject == other.subject
            && (0..6).all(|i| self.list(i) == other.list(i))
            && self.in_reply_to == other.in_reply_to
            && self.message_id == other.message_id
    }
}

impl Eq for Envelope {}

impl core::hash::Hash for Envelope {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.date.hash(state);
        self.subject.hash(state);
        for i in 0..6 {
            self.list(i).hash(state);
        }
        self.in_reply_to.hash(state);
        self.message_id.hash(state);
    }
}

impl Envelope {
    /// The `i`th address list (0 = From … 5 = Bcc).
    fn list(&self, i: usize) -> &[Address] {
        let i = if self.same_as_from & (1 << i) != 0 {
            0
        } else {
            i
        };
        let start = match i.checked_sub(1) {
            Some(prev) => self.ends.get(prev).copied().unwrap_or_default(),
            None => 0,
        };
        let end = self.ends.get(i).copied().unwrap_or_default();
        self.addresses.get(start..end).unwrap_or_default()
    }

    /// `From:`.
    pub fn from(&self) -> &[Address] {
        self.list(0)
    }

    /// `Sender:`.
    pub fn sender(&self) -> &[Address] {
        self.list(1)
    }

    /// `Reply-To:`.
    pub fn reply_to(&self) -> &[Address] {
        self.list(2)
    }

    /// `To:`.
    pub fn to(&self) -> &[Address] {
        self.list(3)
    }

    /// `Cc:`.
    pub fn cc(&self) -> &[Address] {
        self.list(4)
    }

    /// `Bcc:`.
    pub fn bcc(&self) -> &[Address] {
        self.list(5)
    }

    /// Every address of the six lists, From's first and Bcc's last (a Sender or Reply-To
    /// that is From's list gives From's addresses again).
    pub fn addresses(&self) -> impl Iterator<Item = &Address> {
        (0..6).flat_map(|i| self.list(i))
    }

    /// Replaces the address lists with `addresses`, the six lists one after the other, list
    /// `i` ending at `ends[i]` (a server building an envelope fills one vector); bit 1 and
    /// bit 2 of `same_as_from` make Sender and Reply-To From's list (their ranges are then
    /// empty).
    pub(crate) fn set_address_lists(
        &mut self,
        addresses: Vec<Address>,
        ends: [usize; 6],
        same_as_from: u8,
    ) {
        let len = addresses.len();
        self.addresses = addresses;
        let mut last = 0;
        for (end, given) in self.ends.iter_mut().zip(ends) {
            last = given.clamp(last, len);
            *end = last;
        }
        self.same_as_from = same_as_from & 0b110;
    }

    /// Replaces the address lists: `[from, sender, reply_to, to, cc, bcc]`.
    pub fn set_addresses(&mut self, lists: [Vec<Address>; 6]) {
        self.addresses.clear();
        self.same_as_from = 0;
        for (list, end) in lists.into_iter().zip(&mut self.ends) {
            self.addresses.extend(list);
            *end = self.addresses.len();
        }
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        open(p, "'(' starting an envelope")?;
        p.eat_sp();
        let date = NString::read(p)?;
        p.sp()?;
        let subject = NString::read(p)?;
        let mut addresses = Vec::new();
        let mut ends = [0usize; 6];
        for end in &mut ends {
            p.sp()?;
            read_addresses(p, &mut addresses)?;
            *end = addresses.len();
        }
        p.sp()?;
        let in_reply_to = NString::read(p)?;
        p.sp()?;
        let message_id = NString::read(p)?;
        p.eat_sp();
        p.byte(b')', "')' ending the envelope")?;
        p.leave();
        Ok(Self {
            date,
            subject,
            addresses,
            ends,
            same_as_from: 0,
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
        for i in 0..6 {
            e.sp();
            write_addresses(e, self.list(i));
        }
        e.sp();
        self.in_reply_to.encode(e);
        e.sp();
        self.message_id.encode(e);
        e.raw(b")");
    }
}

//! ENVELOPE of a message or of an embedded message/rfc822 part (RFC 9051 §7.5.2), with the
//! address parsing that goes with it (RFC 5322 §3.4), read as Dovecot reads it.

use bytes::Bytes;
use mail_core::mime::MimeTree;
use mail_core::mime::grammar::{FieldName, Rest, cfws, cfws_with, is_atext, quoted_string};

use crate::response::{Address, Envelope};
use crate::types::{IString, NString};

use super::text::{Source, for_humans, istring, nolf, replace_nul, slice_of};

/// Text read from an address list: a range of the field value while what was read is one
/// contiguous run of it (the usual case, served without a copy), else built bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Text {
    /// Nothing yet.
    #[default]
    Empty,
    /// `data[start..end]`.
    Span(usize, usize),
    /// Built: unescaped, unfolded or joined from pieces.
    Owned(Vec<u8>),
    /// A placeholder Dovecot writes for what is missing.
    Static(&'static [u8]),
}

impl Text {
    fn len(&self) -> usize {
        match self {
            Self::Empty => 0,
            Self::Span(a, b) => b - a,
            Self::Owned(v) => v.len(),
            Self::Static(s) => s.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn bytes<'d>(&'d self, data: &'d [u8]) -> &'d [u8] {
        match self {
            Self::Empty => &[],
            Self::Span(a, b) => data.get(*a..*b).unwrap_or_default(),
            Self::Owned(v) => v,
            Self::Static(s) => s,
        }
    }

    /// Appends `piece`, which does not continue the span: the text becomes owned.
    fn append(&mut self, data: &[u8], piece: &[u8]) {
        if let Self::Owned(v) = self {
            v.extend_from_slice(piece);
        } else {
            let mut v = Vec::with_capacity(self.len() + piece.len() + 8);
            v.extend_from_slice(self.bytes(data));
            v.extend_from_slice(piece);
            *self = Self::Owned(v);
        }
    }

    /// Appends `data[start..end]`.
    fn push_range(&mut self, data: &[u8], start: usize, end: usize) {
        if start >= end {
            return;
        }
        match self {
            Self::Empty => *self = Self::Span(start, end),
            Self::Span(_, e) if *e == start => *e = end,
            _ => self.append(data, data.get(start..end).unwrap_or_default()),
        }
    }

    /// Appends the byte `b`, which continues the span when the value has it next.
    fn push_byte(&mut self, data: &[u8], b: u8) {
        if let Self::Span(_, e) = self
            && data.get(*e) == Some(&b)
        {
            *e += 1;
            return;
        }
        self.append(data, &[b]);
    }

    /// Appends built bytes.
    fn push_bytes(&mut self, data: &[u8], bytes: &[u8]) {
        if !bytes.is_empty() {
            self.append(data, bytes);
        }
    }
}

/// One parsed address before it becomes an IMAP address structure.
#[derive(Debug, Default, Clone)]
struct Addr {
    name: Option<Text>,
    route: Option<Text>,
    mailbox: Option<Text>,
    domain: Option<Text>,
    invalid: bool,
}

/// An RFC 5322 address-list reader that never fails: what it cannot read becomes
/// `MISSING_MAILBOX` / `MISSING_DOMAIN` / `SYNTAX_ERROR` placeholders, as Dovecot writes them,
/// so that a client still sees that an address was there. Return codes follow Dovecot's
/// parser: negative for an error, 0 at the end of the input, positive when input remains.
struct AddressParser<'a> {
    /// The field value the texts are slices of.
    src: Source<'a>,
    data: &'a [u8],
    pos: usize,
    last_comment: Vec<u8>,
    text: Text,
    cur: Addr,
    out: &'a mut Vec<Address>,
}

impl<'a> AddressParser<'a> {
    /// Appends `a` to the list as an IMAP address structure: the display name "for humans"
    /// (white space folded, as Dovecot writes it), the rest as read.
    fn emit(&mut self, a: Addr) {
        let src = self.src;
        self.out.push(Address {
            name: a
                .name
                .map_or(NString(None), |n| for_humans(src, n.bytes(src.bytes()))),
            adl: nstring(src, a.route),
            mailbox: nstring(src, a.mailbox),
            host: nstring(src, a.domain),
        });
    }

    fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn seek_rest(&mut self, rest: &[u8]) {
        self.pos = self.data.len() - rest.len();
    }

    /// `CFWS`, remembering the last comment.
    fn skip_lwsp(&mut self) -> i32 {
        // The usual case: a token follows at once.
        match self.peek() {
            None => return 0,
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'(') => {}
            Some(_) => return 1,
        }
        let rest = self.rest();
        match cfws_with(rest, Some(&mut self.last_comment)) {
            Ok((r, more)) => {
                self.seek_rest(r);
                i32::from(more == Rest::More)
            }
            Err(_) => {
                self.pos = self.data.len();
                -1
            }
        }
    }

    fn quoted(&mut self, into_text: bool) -> i32 {
        let rest = self.rest();
        // Without a backslash, line break or NUL the content is served as it stands.
        let body = rest.get(1..).unwrap_or_default();
        if let Some(close) = memchr::memchr(b'"', body)
            && !body
                .get(..close)
                .unwrap_or_default()
                .iter()
                .any(|&b| matches!(b, b'\\' | b'\r' | b'\n' | 0))
        {
            let start = self.pos + 1;
            if into_text {
                self.text.push_range(self.data, start, start + close);
            }
            self.pos = start + close + 1;
            if self.at_end() {
                return 0;
            }
            // White space and comments after the closing quote, as `quoted_string` skips
            // them (a comment here is not a display name).
            return match cfws(self.rest()) {
                Ok((r, more)) => {
                    self.seek_rest(r);
                    i32::from(more == Rest::More)
                }
                Err(_) => {
                    self.pos = self.data.len();
                    -1
                }
            };
        }
        let mut out = Vec::new();
        let r = quoted_string(rest, &mut out);
        if into_text {
            self.text.push_bytes(self.data, &out);
        }
        match r {
            Ok((r, more)) => {
                self.seek_rest(r);
                i32::from(more == Rest::More)
            }
            Err(_) => {
                self.pos = self.data.len();
                -1
            }
        }
    }

    /// `dot-atom` (RFC 5322 §3.2.3), white space and comments allowed around the dots.
    fn dot_atom(&mut self) -> i32 {
        if !self.peek().is_some_and(is_atext) {
            return -1;
        }
        let mut start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            if is_atext(b) {
                self.pos += 1;
                continue;
            }
            if start == self.pos {
                return -1;
            }
            self.text.push_range(self.data, start, self.pos);
            let ret = self.skip_lwsp();
            if ret <= 0 {
                return ret;
            }
            if self.peek() != Some(b'.') {
                return 1;
            }
            self.text.push_range(self.data, self.pos, self.pos + 1);
            self.pos += 1;
            if self.skip_lwsp() <= 0 {
                return -1;
            }
            start = self.pos;
        }
        self.text.push_range(self.data, start, self.pos);
        0
    }

    /// A run of `atext` and dots, then `CFWS`.
    fn atom_or_dot(&mut self) -> i32 {
        let start = self.pos;
        while self.peek().is_some_and(|b| is_atext(b) || b == b'.') {
            self.pos += 1;
        }
        self.text.push_range(self.data, start, self.pos);
        if self.at_end() { 0 } else { self.skip_lwsp() }
    }

    /// `phrase` (RFC 5322 §3.2.5, with `obs-phrase` dots): words joined by one space.
    fn phrase(&mut self) -> i32 {
        if self.at_end() {
            return 0;
        }
        if self.peek() == Some(b'.') {
            return -1;
        }
        loop {
            let ret = if self.peek() == Some(b'"') {
                self.quoted(true)
            } else {
                self.atom_or_dot()
            };
            if ret <= 0 {
                return ret;
            }
            match self.peek() {
                Some(b) if is_atext(b) || b == b'"' || b == b'.' => {
                    self.text.push_byte(self.data, b' ');
                }
                _ => break,
            }
        }
        self.skip_lwsp()
    }

    /// `domain` after its `@` (RFC 5322 §3.4.1), appended to the text.
    fn domain_into_text(&mut self) -> i32 {
        self.pos += 1;
        if self.skip_lwsp() <= 0 {
            return -1;
        }
        if self.peek() == Some(b'[') {
            return self.domain_literal();
        }
        self.dot_atom()
    }

    fn domain_literal(&mut self) -> i32 {
        let mut start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            match b {
                b'[' => return -1,
                b']' => {
                    self.text.push_range(self.data, start, self.pos + 1);
                    self.pos += 1;
                    return self.skip_lwsp();
                }
                b'\n' => {
                    let mut end = self.pos;
                    if end > start && self.data.get(end - 1) == Some(&b'\r') {
                        end -= 1;
                    }
                    self.text.push_range(self.data, start, end);
                    start = self.pos + 1;
                }
                b'\\' if self.data.get(self.pos + 1).is_none() => return -1,
                b'\\' => {}
                _ => {}
            }
            self.pos += 1;
        }
        -1
    }

    /// A local part with dots anywhere (`ann..x`, `.ann`, `ann.`), as real mail has them.
    fn nonstrict_dot_atom(&mut self) -> i32 {
        let mut ret = -1;
        loop {
            while self.peek() == Some(b'.') {
                self.text.push_range(self.data, self.pos, self.pos + 1);
                self.pos += 1;
                if self.at_end() {
                    return 0;
                }
                ret = 1;
            }
            if self.peek() == Some(b'@') {
                break;
            }
            ret = self.atom();
            if !(ret > 0 && self.peek() == Some(b'.')) {
                break;
            }
        }
        ret
    }

    /// `atom` (RFC 5322 §3.2.3): at least one `atext`, then `CFWS`.
    fn atom(&mut self) -> i32 {
        if !self.peek().is_some_and(is_atext) {
            return -1;
        }
        let start = self.pos;
        while self.peek().is_some_and(is_atext) {
            self.pos += 1;
        }
        self.text.push_range(self.data, start, self.pos);
        if self.at_end() { 0 } else { self.skip_lwsp() }
    }

    fn local_part(&mut self) -> i32 {
        self.text = Text::Empty;
        let ret = if self.peek() == Some(b'"') {
            self.quoted(true)
        } else {
            self.nonstrict_dot_atom()
        };
        if ret < 0 {
            return -1;
        }
        self.cur.mailbox = Some(self.text.clone());
        ret
    }

    fn domain(&mut self) -> i32 {
        self.text = Text::Empty;
        let ret = self.domain_into_text();
        if ret < 0 {
            return -1;
        }
        // Every reader of the text after this one starts it afresh: no copy is needed.
        self.cur.domain = Some(core::mem::take(&mut self.text));
        ret
    }

    /// `obs-domain-list` of a source route: `@a,@b`.
    fn domain_list(&mut self) -> i32 {
        self.text = Text::Empty;
        loop {
            if self.at_end() {
                return 0;
            }
            if self.peek() != Some(b'@') {
                break;
            }
            if !self.text.is_empty() {
                self.text.push_byte(self.data, b',');
            }
            self.text.push_range(self.data, self.pos, self.pos + 1);
            let ret = self.domain_into_text();
            if ret <= 0 {
                return ret;
            }
            while self.skip_lwsp() > 0 && self.peek() == Some(b',') {
                self.pos += 1;
            }
        }
        self.cur.route = Some(core::mem::take(&mut self.text));
        1
    }

    /// `angle-addr` (RFC 5322 §3.4) with an `obs-route`.
    fn angle_addr(&mut self) -> i32 {
        self.pos += 1;
        if self.skip_lwsp() <= 0 {
            return -1;
        }
        if self.peek() == Some(b'@') {
            if self.domain_list() > 0 && self.peek() == Some(b':') {
                self.pos += 1;
            } else {
                self.cur.route = Some(Text::Static(b"INVALID_ROUTE"));
                if self.at_end() {
                    return -1;
                }
            }
            if self.skip_lwsp() <= 0 {
                return -1;
            }
        }
        if self.peek() != Some(b'>') {
            if self.local_part() <= 0 {
                return -1;
            }
            if self.peek() == Some(b'@') && self.domain() <= 0 {
                return -1;
            }
        }
        if self.peek() != Some(b'>') {
            return -1;
        }
        self.pos += 1;
        self.skip_lwsp()
    }

    fn name_addr(&mut self) -> i32 {
        self.text = Text::Empty;
        if self.phrase() <= 0 || self.peek() != Some(b'<') {
            return -1;
        }
        self.cur.name = (!self.text.is_empty()).then(|| core::mem::take(&mut self.text));
        if self.angle_addr() < 0 {
            self.cur.domain = Some(Text::Static(b"SYNTAX_ERROR"));
            self.cur.invalid = true;
        }
        i32::from(!self.at_end())
    }

    fn addr_spec(&mut self) -> i32 {
        self.last_comment.clear();
        let quoted = self.peek() == Some(b'"');
        let mut ret = self.local_part();
        if ret <= 0 {
            self.cur.invalid = true;
        }
        let mut ret2 = -2;
        if ret != 0 && self.peek() == Some(b'@') {
            ret2 = self.domain();
            if ret2 <= 0 {
                ret = ret2;
            }
        }
        if !self.last_comment.is_empty() {
            self.cur.name = Some(Text::Owned(self.last_comment.clone()));
        } else if ret2 == -2 {
            // A lone word is a mailbox; followed by more words it was a display name.
            self.text.push_byte(self.data, b' ');
            let before = self.text.len();
            self.phrase();
            if self.text.len() != before {
                self.cur.mailbox = None;
                self.cur.name = Some(core::mem::take(&mut self.text));
            } else if !quoted {
                self.cur.domain = Some(Text::Empty);
            }
            self.cur.invalid = true;
            ret = -1;
        }
        ret
    }

    fn add_fixed(&mut self) {
        if self.cur.mailbox.is_none() {
            self.cur.mailbox = Some(Text::Static(b"MISSING_MAILBOX"));
            self.cur.invalid = true;
        }
        if self.cur.domain.as_ref().is_none_or(Text::is_empty) {
            self.cur.domain = Some(Text::Static(b"MISSING_DOMAIN"));
            self.cur.invalid = true;
        }
        let a = core::mem::take(&mut self.cur);
        self.emit(a);
    }

    fn mailbox(&mut self) -> i32 {
        let start = self.pos;
        let mut ret = self.name_addr();
        if ret < 0 {
            self.pos = start;
            ret = self.addr_spec();
            if self.cur.invalid
                && self.cur.name.is_none()
                && self.cur.mailbox.is_some()
                && self.cur.domain.is_none()
            {
                self.cur.name = self.cur.mailbox.take();
            }
        }
        if ret < 0 {
            self.cur.invalid = true;
        }
        self.add_fixed();
        ret
    }

    /// `group` (RFC 5322 §3.4): a start marker, the members, an end marker.
    fn group(&mut self) -> i32 {
        self.text = Text::Empty;
        if self.phrase() <= 0 || self.peek() != Some(b':') {
            return -1;
        }
        self.pos += 1;
        let mut ret = self.skip_lwsp();
        self.cur.mailbox = Some(core::mem::take(&mut self.text));
        let a = core::mem::take(&mut self.cur);
        self.emit(a);
        if ret > 0 && self.peek() != Some(b';') {
            loop {
                self.mailbox();
                if self.at_end() || self.peek() != Some(b',') {
                    break;
                }
                self.pos += 1;
                if self.skip_lwsp() <= 0 {
                    ret = -1;
                    break;
                }
            }
        }
        if ret >= 0 {
            if self.peek() != Some(b';') {
                ret = -1;
            } else {
                self.pos += 1;
                ret = self.skip_lwsp();
            }
        }
        self.emit(Addr::default());
        if ret == 0 { 0 } else { 1 }
    }

    fn address(&mut self) -> i32 {
        let start = self.pos;
        let saved = self.cur.clone();
        let ret = self.group();
        if ret < 0 {
            self.pos = start;
            self.cur = saved;
            return self.mailbox();
        }
        ret
    }

    fn list(&mut self) {
        if self.skip_lwsp() <= 0 {
            return;
        }
        loop {
            if self.address() == 0 {
                break;
            }
            if self.peek() != Some(b',') {
                break;
            }
            self.pos += 1;
            let ret = self.skip_lwsp();
            if ret <= 0 {
                if ret < 0 {
                    self.add_fixed();
                }
                break;
            }
        }
    }
}

/// Parses the address list `src` the way Dovecot fills an envelope (RFC 5322 §3.4
/// `address-list`, with `obs-` forms and repairs), appending the addresses to `out`.
pub(super) fn parse_addresses(src: Source<'_>, out: &mut Vec<Address>) {
    if simple_addresses(src, src.bytes(), out) {
        return;
    }
    full_addresses(src, out);
}

/// The full parser of [`parse_addresses`], for any input.
fn full_addresses(src: Source<'_>, out: &mut Vec<Address>) {
    let mut p = AddressParser {
        src,
        data: src.bytes(),
        pos: 0,
        last_comment: Vec::new(),
        text: Text::Empty,
        cur: Addr::default(),
        out,
    };
    p.list();
}

/// The length of the dot-atom at the start of `s` (RFC 5322 §3.2.3 `dot-atom-text`: atoms
/// joined by single dots), 0 when none starts it.
fn dot_atom_len(s: &[u8]) -> usize {
    let mut i = 0;
    loop {
        let start = i;
        while s.get(i).copied().is_some_and(is_atext) {
            i += 1;
        }
        if i == start {
            // An empty atom: before a dot, or at the very start.
            return if start == 0 { 0 } else { start - 1 };
        }
        if s.get(i) != Some(&b'.') {
            return i;
        }
        i += 1;
    }
}

/// The common forms, read without the full parser: a list of `local@domain` and
/// `Display Name <local@domain>` (dot-atoms, atoms of the name joined by single spaces),
/// separated by `,` and optional spaces, with nothing else. For these the full parser gives
/// exactly this result (tested against it); anything else returns `false` having added
/// nothing, and the full parser reads the value.
///
/// `data` is the value, a part of `src`'s bytes: the texts are slices of `src`.
// Inlined into its one caller: measured 34k instructions fewer over the message set.
#[inline(always)]
fn simple_addresses(src: Source<'_>, data: &[u8], out: &mut Vec<Address>) -> bool {
    let Some(base) = (data.as_ptr() as usize)
        .checked_sub(src.bytes().as_ptr() as usize)
        .filter(|b| b + data.len() <= src.bytes().len())
    else {
        return false;
    };
    let start_len = out.len();
    let mut i = 0;
    let slice = |a: usize, b: usize| NString(Some(src.range(base + a, base + b)));
    loop {
        let rest = data.get(i..).unwrap_or_default();
        let first = dot_atom_len(rest);
        let after = rest.get(first..).unwrap_or_default();
        if first > 0 && after.first() == Some(&b'@') {
            // local@domain
            let domain = dot_atom_len(after.get(1..).unwrap_or_default());
            if domain == 0 {
                break;
            }
            out.push(Address {
                name: NString(None),
                adl: NString(None),
                mailbox: slice(i, i + first),
                host: slice(i + first + 1, i + first + 1 + domain),
            });
            i += first + 1 + domain;
        } else {
            // Display Name <local@domain>: atoms joined by single spaces, then " <".
            let mut j = i;
            let mut words = 0;
            while data.get(j).copied().is_some_and(is_atext) {
                while data.get(j).copied().is_some_and(is_atext) {
                    j += 1;
                }
                words += 1;
                if data.get(j) != Some(&b' ') {
                    break;
                }
                j += 1;
            }
            if words == 0 || data.get(j) != Some(&b'<') || data.get(j - 1) != Some(&b' ') {
                break;
            }
            let name_end = j - 1;
            let local_start = j + 1;
            let local = dot_atom_len(data.get(local_start..).unwrap_or_default());
            if local == 0 || data.get(local_start + local) != Some(&b'@') {
                break;
            }
            let domain_start = local_start + local + 1;
            let domain = dot_atom_len(data.get(domain_start..).unwrap_or_default());
            if domain == 0 || data.get(domain_start + domain) != Some(&b'>') {
                break;
            }
            out.push(Address {
                name: slice(i, name_end),
                adl: NString(None),
                mailbox: slice(local_start, local_start + local),
                host: slice(domain_start, domain_start + domain),
            });
            i = domain_start + domain + 1;
        }
        match data.get(i) {
            None => return true,
            Some(b',') => {
                i += 1;
                while data.get(i) == Some(&b' ') {
                    i += 1;
                }
                if i >= data.len() {
                    break;
                }
            }
            Some(_) => break,
        }
    }
    out.truncate(start_len);
    false
}

/// One text of an address: a slice of `src` (the field value) unless it had to be built.
fn nstring(src: Source<'_>, text: Option<Text>) -> NString {
    NString(text.map(|t| match t {
        Text::Empty => IString(Bytes::new()),
        Text::Span(a, b) => src.range(a, b),
        Text::Owned(v) => istring(v),
        Text::Static(s) => IString(Bytes::from_static(s)),
    }))
}

/// The ENVELOPE of the header of part `index` (RFC 9051 §7.5.2): the last Date, Subject,
/// From, … field of each name wins; Sender and Reply-To fall back to From when absent or
/// empty; a field present but empty is `""` for the four strings and NIL for the address
/// lists; encoded words are left as they are. Every string that needs no change is a slice
/// of the message.
pub(super) fn envelope(tree: &MimeTree, index: usize) -> Envelope {
    let message = Source::message(tree);
    let mut env = Envelope::default();
    // The address fields, found in the same pass as the four strings: a few are kept on the
    // stack; a header with more is searched again per list.
    let mut found = [(0usize, 0usize); 8];
    let mut count = 0usize;
    // Which of the six lists have a field: the others are not searched for.
    let mut present = 0u8;
    for (n, f) in tree.fields(index).iter().enumerate() {
        if !f.has_colon() {
            continue;
        }
        let value = tree.raw_value(f);
        match field(tree.name(f)) {
            Some(Field::Date) => env.date = nolf(message, value),
            Some(Field::Subject) => {
                env.subject = if message.may_hold_nul() && memchr::memchr(0, value).is_some() {
                    let copy = Bytes::from(replace_nul(value));
                    for_humans(Source::new(&copy), &copy)
                } else {
                    for_humans(message, value)
                };
            }
            Some(Field::MessageId) => env.message_id = nolf(message, value),
            Some(Field::InReplyTo) => env.in_reply_to = nolf(message, value),
            Some(Field::List(i)) => {
                present |= 1 << i;
                if let Some(slot) = found.get_mut(count) {
                    *slot = (i, n);
                }
                count += 1;
            }
            None => {}
        }
    }
    // All six lists in one vector, in wire order; a repeated address field adds its
    // addresses (Dovecot 2.3's reading).
    // Each field usually holds one address (Sender and Reply-To that repeat From are not
    // copied).
    let mut all = Vec::with_capacity(count);
    let mut ends = [0usize; 6];
    let mut same_as_from = 0u8;
    let fields = tree.fields(index);
    for (i, end) in ends.iter_mut().enumerate() {
        let start = all.len();
        if present & (1 << i) == 0 {
            // No such field.
        } else if count <= found.len() {
            for &(list, n) in found.get(..count).unwrap_or_default() {
                if list == i
                    && let Some(f) = fields.get(n)
                {
                    addresses(message, tree.raw_value(f), &mut all);
                }
            }
        } else {
            for f in fields {
                if f.has_colon() && field(tree.name(f)) == Some(Field::List(i)) {
                    addresses(message, tree.raw_value(f), &mut all);
                }
            }
        }
        // RFC 9051 §7.5.2: "If the Sender or Reply-To header fields are absent in the
        // [RFC5322] header, or are present but empty, the server sets the corresponding
        // member of the envelope to be the same value as the from member": noted, not
        // copied.
        if (i == 1 || i == 2) && all.len() == start {
            same_as_from |= 1 << i;
        }
        *end = all.len();
    }
    env.set_address_lists(all, ends, same_as_from);
    env
}

/// Parses the address field `value` onto `out`: the addresses are slices of the message,
/// or of a copy of the value with NUL replaced.
fn addresses(message: Source<'_>, value: &[u8], out: &mut Vec<Address>) {
    let nul = message.may_hold_nul() && memchr::memchr(0, value).is_some();
    // The common forms are sliced from the message straight away.
    if !nul && simple_addresses(message, value, out) {
        return;
    }
    let src = if nul {
        Bytes::from(replace_nul(value))
    } else {
        slice_of(message.bytes(), value)
    };
    // Either way `src` holds no NUL now. A value without NUL was not of the common forms.
    let src = Source::without_nul(&src);
    if nul {
        parse_addresses(src, out);
    } else {
        full_addresses(src, out);
    }
}

/// The header fields ENVELOPE reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Date,
    Subject,
    MessageId,
    InReplyTo,
    /// From, Sender, Reply-To, To, Cc, Bcc: the index of the list.
    List(usize),
}

/// Which ENVELOPE field `name` is (case-insensitive), sorted by length first: most names
/// are rejected by their length alone.
fn field(name: &[u8]) -> Option<Field> {
    const TO: FieldName = FieldName::new("to");
    const CC: FieldName = FieldName::new("cc");
    const BCC: FieldName = FieldName::new("bcc");
    const DATE: FieldName = FieldName::new("date");
    const FROM: FieldName = FieldName::new("from");
    const SENDER: FieldName = FieldName::new("sender");
    const SUBJECT: FieldName = FieldName::new("subject");
    const REPLY_TO: FieldName = FieldName::new("reply-to");
    const MESSAGE_ID: FieldName = FieldName::new("message-id");
    const IN_REPLY_TO: FieldName = FieldName::new("in-reply-to");
    Some(match name.len() {
        2 if TO.matches(name) => Field::List(3),
        2 if CC.matches(name) => Field::List(4),
        3 if BCC.matches(name) => Field::List(5),
        4 if DATE.matches(name) => Field::Date,
        4 if FROM.matches(name) => Field::List(0),
        6 if SENDER.matches(name) => Field::List(1),
        7 if SUBJECT.matches(name) => Field::Subject,
        8 if REPLY_TO.matches(name) => Field::List(2),
        10 if MESSAGE_ID.matches(name) => Field::MessageId,
        11 if IN_REPLY_TO.matches(name) => Field::InReplyTo,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(list: &str) -> String {
        let src = Bytes::copy_from_slice(list.as_bytes());
        let mut addrs = Vec::new();
        parse_addresses(Source::new(&src), &mut addrs);
        addrs
            .iter()
            .map(|a| String::from_utf8_lossy(&crate::types::Encode::to_wire(a)).into_owned())
            .collect()
    }

    #[test]
    fn rfc5322_addresses() {
        assert_eq!(wire("ann@example.com"), "(NIL NIL \"ann\" \"example.com\")");
        assert_eq!(
            wire("Ann Example <ann@example.com>"),
            "(\"Ann Example\" NIL \"ann\" \"example.com\")"
        );
        assert_eq!(
            wire("ann@example.com (Ann)"),
            "(\"Ann\" NIL \"ann\" \"example.com\")"
        );
        assert_eq!(
            wire("<@a,@b:ann@example.com>"),
            "(NIL \"@a,@b\" \"ann\" \"example.com\")"
        );
        assert_eq!(
            wire("G: a@b, c@d;"),
            "(NIL NIL \"G\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")(NIL NIL NIL NIL)"
        );
    }

    /// The fast path gives what the full parser gives, or leaves the value to it.
    #[test]
    fn simple_forms_read_as_the_full_parser_reads_them() {
        let atoms = [
            "ann",
            "a.b",
            "x-y_z",
            "ann.",
            ".ann",
            "a..b",
            "caf\u{e9}",
            "1",
        ];
        let names = [
            "Ann",
            "Ann Example",
            "Ann  Example",
            "A.B",
            "\"Ann\"",
            "Ann\tB",
            "",
        ];
        let mut inputs: Vec<String> = Vec::new();
        for l in atoms {
            for d in atoms {
                inputs.push(format!("{l}@{d}"));
                for n in names {
                    inputs.push(format!("{n} <{l}@{d}>"));
                    inputs.push(format!("{n}<{l}@{d}>"));
                }
            }
        }
        let extra = [
            "a@b, c@d",
            "a@b,c@d",
            "a@b ,c@d",
            "a@b, ",
            "a@b,",
            ",a@b",
            "a@b,,c@d",
            "Ann <a@b>, Bob <c@d>",
            "a@b (c)",
            "a@b c",
            "a @b",
            "a@ b",
            "<a@b>",
            "Ann <a@b",
            "Ann <a@b> x",
            "Ann <@r:a@b>",
            "G: a@b;",
            "a",
            "",
            " ",
            "Ann <a@b>,Bob <c@d>",
        ];
        inputs.extend(extra.iter().map(|s| (*s).to_owned()));
        for input in inputs {
            let src = Bytes::copy_from_slice(input.as_bytes());
            let mut fast = Vec::new();
            let took = simple_addresses(Source::new(&src), &src, &mut fast);
            let mut full = Vec::new();
            full_addresses(Source::new(&src), &mut full);
            if took {
                assert_eq!(fast, full, "{input:?}");
            } else {
                assert!(fast.is_empty(), "{input:?}");
            }
        }
        // The common forms do take the fast path.
        for common in [
            "ann@example.com",
            "Ann Example <ann@example.com>, bob@example.org",
        ] {
            let src = Bytes::copy_from_slice(common.as_bytes());
            assert!(
                simple_addresses(Source::new(&src), &src, &mut Vec::new()),
                "{common}"
            );
        }
    }

    #[test]
    fn broken_addresses_are_filled() {
        assert_eq!(wire("ann"), "(NIL NIL \"ann\" \"MISSING_DOMAIN\")");
        assert_eq!(
            wire("@example.com"),
            "(NIL NIL \"MISSING_MAILBOX\" \"example.com\")"
        );
        assert_eq!(
            wire("just a name"),
            "(\"just a name\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")"
        );
        assert_eq!(wire(""), "");
    }
}

#[cfg(test)]
mod envelope_rules {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::types::Encode;

    fn env(header: &str) -> Envelope {
        let tree = MimeTree::parse(Bytes::copy_from_slice(
            format!("{header}\r\nbody\r\n").as_bytes(),
        ));
        envelope(&tree, 0)
    }

    fn wire(e: &Envelope) -> String {
        String::from_utf8(e.to_wire()).unwrap()
    }

    fn text(n: &NString) -> Option<&[u8]> {
        n.0.as_ref().map(|s| &s.as_bytes()[..])
    }

    #[test]
    fn raw_unfolded_values_with_encoded_words_left_as_they_are() {
        let e = env(
            "Subject: =?utf-8?q?caf=C3=A9?=\r\n  and\r\n\tmore\r\nDate: Tue, 1 Oct 2024\r\n 10:00:00 +0000\r\n",
        );
        assert_eq!(
            text(&e.subject),
            Some(&b"=?utf-8?q?caf=C3=A9?= and more"[..])
        );
        assert_eq!(text(&e.date), Some(&b"Tue, 1 Oct 2024 10:00:00 +0000"[..]));
    }

    #[test]
    fn nil_versus_empty_string() {
        let e = env("Subject:\r\nMessage-ID: \r\n");
        assert_eq!(text(&e.subject), Some(&b""[..]));
        assert_eq!(text(&e.message_id), Some(&b""[..]));
        assert_eq!(e.date.0, None);
        assert_eq!(e.in_reply_to.0, None);
        // An empty address field is NIL, not an empty list.
        let e = env("To:\r\n");
        assert!(e.to().is_empty());
        assert!(wire(&e).contains("NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL"));
    }

    #[test]
    fn last_occurrence_of_a_field_wins() {
        let e = env("Subject: first\r\nSubject: second\r\nDate: one\r\nDate: two\r\n");
        assert_eq!(text(&e.subject), Some(&b"second"[..]));
        assert_eq!(text(&e.date), Some(&b"two"[..]));
    }

    #[test]
    fn sender_and_reply_to_fall_back_to_from() {
        let e = env("From: Ann <ann@example.com>\r\n");
        assert_eq!(e.sender(), e.from());
        assert_eq!(e.reply_to(), e.from());
        // Present but empty falls back too (RFC 9051 §7.5.2).
        let e = env("From: ann@example.com\r\nSender:\r\nReply-To: r@example.com\r\n");
        assert_eq!(e.sender(), e.from());
        assert_eq!(text(&e.reply_to()[0].mailbox), Some(&b"r"[..]));
        // No From: all three are NIL.
        let e = env("To: bob@example.org\r\n");
        assert!(e.from().is_empty() && e.sender().is_empty() && e.reply_to().is_empty());
    }

    #[test]
    fn sender_from_from_equals_a_stored_copy() {
        // The fallback is noted, not copied: the envelope still equals, hashes and encodes
        // as one that holds the copies (as a client reads it from the wire).
        use core::hash::{BuildHasher, Hash};
        let e =
            env("From: Ann <ann@example.com>\r\nReply-To: r@example.com\r\nTo: b@x.example\r\n");
        let mut copy = e.clone();
        copy.set_addresses([
            e.from().to_vec(),
            e.from().to_vec(),
            e.reply_to().to_vec(),
            e.to().to_vec(),
            Vec::new(),
            Vec::new(),
        ]);
        assert_eq!(e, copy);
        let hasher = std::collections::hash_map::RandomState::new();
        let hash = |v: &Envelope| {
            let mut h = hasher.build_hasher();
            v.hash(&mut h);
            core::hash::Hasher::finish(&h)
        };
        assert_eq!(hash(&e), hash(&copy));
        assert_eq!(wire(&e), wire(&copy));
        assert_eq!(e.addresses().count(), 4);
        assert_eq!(
            e.addresses().collect::<Vec<_>>(),
            copy.addresses().collect::<Vec<_>>()
        );
        // Another Sender differs.
        copy.set_addresses([
            e.from().to_vec(),
            e.to().to_vec(),
            e.reply_to().to_vec(),
            e.to().to_vec(),
            Vec::new(),
            Vec::new(),
        ]);
        assert_ne!(e, copy);
    }

    #[test]
    fn groups_are_start_members_end() {
        let e = env("To: Team: a@x.example, b@y.example;, c@z.example\r\n");
        let to = e.to();
        assert_eq!(to.len(), 5);
        assert!(to[0].is_group_start() && text(&to[0].mailbox) == Some(&b"Team"[..]));
        assert!(to[3].is_group_end());
        assert_eq!(text(&to[4].host), Some(&b"z.example"[..]));
        // An empty group.
        let e = env("Cc: undisclosed-recipients:;\r\n");
        assert_eq!(e.cc().len(), 2);
        assert!(e.cc()[0].is_group_start() && e.cc()[1].is_group_end());
    }

    #[test]
    fn source_route_goes_to_the_adl() {
        let e = env("From: Ann <@relay1.example,@relay2.example:ann@example.com>\r\n");
        let a = &e.from()[0];
        assert_eq!(text(&a.adl), Some(&b"@relay1.example,@relay2.example"[..]));
        assert_eq!(text(&a.mailbox), Some(&b"ann"[..]));
    }

    #[test]
    fn trailing_comment_is_the_name() {
        let e = env("From: ann@example.com (Ann   Example)\r\n");
        assert_eq!(text(&e.from()[0].name), Some(&b"Ann Example"[..]));
        // A display name wins over a comment, and is written for humans.
        let e = env("From: \"Ann\r\n  Example\" <ann@example.com> (comment)\r\n");
        assert_eq!(text(&e.from()[0].name), Some(&b"Ann Example"[..]));
    }

    #[test]
    fn broken_addresses_get_placeholders() {
        let e = env("From: @example.com\r\nTo: bob\r\nCc: \"unterminated <ann@example.com>\r\n");
        assert_eq!(text(&e.from()[0].mailbox), Some(&b"MISSING_MAILBOX"[..]));
        assert_eq!(text(&e.to()[0].host), Some(&b"MISSING_DOMAIN"[..]));
        let cc = &e.cc()[0];
        assert_eq!(
            (text(&cc.mailbox), text(&cc.host)),
            (Some(&b"MISSING_MAILBOX"[..]), Some(&b"MISSING_DOMAIN"[..]))
        );
    }

    #[test]
    fn strings_are_slices_of_the_message() {
        let m =
            Bytes::from_static(b"From: Ann Example <ann@example.com>\r\nSubject: hi there\r\n\r\n");
        let tree = MimeTree::parse(m.clone());
        let e = envelope(&tree, 0);
        let range = m.as_ptr() as usize..m.as_ptr() as usize + m.len();
        let a = &e.from()[0];
        for s in [&a.name, &a.mailbox, &a.host, &e.subject] {
            let p = s.0.as_ref().unwrap().as_bytes().as_ptr() as usize;
            assert!(range.contains(&p));
        }
    }
}

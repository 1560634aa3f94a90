//! Header addresses (RFC 5322 §3.4): mailboxes, groups and address lists, with RFC 6532 UTF-8.
//!
//! ```abnf
//! address         =   mailbox / group
//! mailbox         =   name-addr / addr-spec
//! name-addr       =   [display-name] angle-addr
//! angle-addr      =   [CFWS] "<" addr-spec ">" [CFWS] /
//!                     obs-angle-addr
//! group           =   display-name ":" [group-list] ";" [CFWS]
//! display-name    =   phrase
//! mailbox-list    =   (mailbox *("," mailbox)) / obs-mbox-list
//! address-list    =   (address *("," address)) / obs-addr-list
//! group-list      =   mailbox-list / CFWS / obs-group-list
//! addr-spec       =   local-part "@" domain
//! local-part      =   dot-atom / quoted-string / obs-local-part
//! domain          =   dot-atom / domain-literal / obs-domain
//! ```
//!
//! The parsers take a header field body (what follows `From:`, `To:`…), still folded and with
//! comments, and keep only the semantic content (RFC 5322 §3.2.2, §3.2.4): comments and
//! folding white space are dropped, quoted strings are unescaped, display name words are
//! joined with single spaces and their RFC 2047 encoded words decoded
//! ([`encoded_word`](super::encoded_word)). `Display` emits the canonical strict form, quoting
//! only where needed, so `parse(x.to_string()) == x` holds for every value.
//!
//! What the parsers tolerate, each from RFC 5322 §4.4 unless noted:
//! - `obs-phrase`: periods in display names (`John Q. Public <jqp@example.com>`);
//! - `obs-local-part` and `obs-domain`: CFWS around the dots (`jdoe@test  . example`) and
//!   quoted words mixed with atoms (`"john".doe@example.com`, read as `john.doe`);
//! - `obs-angle-addr`: a source route (`<@a.test,@b.test:user@c.test>`), dropped;
//! - `obs-addr-list`, `obs-mbox-list`, `obs-group-list`: empty list elements (`a@b, , c@d`);
//! - an address list with no address at all (the `Bcc:` form of RFC 5322 §3.6.3);
//! - RFC 2047 encoded words containing `.` (split by the grammar into several atoms) when no
//!   white space separates the parts.
//!
//! What they reject: bytes that are not UTF-8 (RFC 6532 §3.2), comments included; CR or LF
//! not part of a `CRLF WSP` fold; control characters (the `obs-NO-WS-CTL`, `obs-qp` and
//! `obs-dtext` forms are not accepted, so no value ever holds NUL, CR or LF); comments nested
//! deeper than [`Limits::max_comment_depth`]; more than [`Limits::max_addresses`] addresses.
//! The input is a field body without its terminating CRLF.

mod parse;

use core::fmt;
use core::str::FromStr;

use super::is_atext;
use crate::ParseError;

/// Limits that the RFC 5322 address parsers enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest comment nesting accepted (`(a (b) c)` is depth 2; 0 forbids comments).
    /// Default 32.
    pub max_comment_depth: usize,
    /// Most mailboxes and groups accepted in one field body, group members included.
    /// Default 4096.
    pub max_addresses: usize,
}

impl Limits {
    /// The default limits: comments nested 32 deep, 4096 addresses.
    pub const DEFAULT: Self = Self {
        max_comment_depth: 32,
        max_addresses: 4096,
    };

    /// Returns these limits with `max_comment_depth` set to `depth`.
    #[must_use]
    pub const fn with_max_comment_depth(mut self, depth: usize) -> Self {
        self.max_comment_depth = depth;
        self
    }

    /// Returns these limits with `max_addresses` set to `count`.
    #[must_use]
    pub const fn with_max_addresses(mut self, count: usize) -> Self {
        self.max_addresses = count;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a value could not be built by a constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The display name holds a control character other than HTAB.
    #[error("display name contains a control character")]
    DisplayName,
    /// The local part holds a control character other than HTAB.
    #[error("local part contains a control character")]
    LocalPart,
    /// The domain is neither a dot-atom nor a domain literal.
    #[error("domain is neither a dot-atom nor a domain literal")]
    Domain,
}

/// Returns whether `s` can be the content of a quoted string: no control character but HTAB
/// (RFC 5322 §3.2.4 `qtext` plus `WSP`, RFC 6532 §3.2 UTF-8).
fn is_quotable(s: &str) -> bool {
    !s.chars().any(|c| c.is_ascii_control() && c != '\t')
}

/// Returns whether `s` is a `dot-atom-text` (RFC 5322 §3.2.3) with RFC 6532 UTF-8 atext.
fn is_dot_atom_text(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(|b| is_atext(b) || b >= 0x80))
}

/// Returns whether `s` is a `domain-literal` without CFWS (RFC 5322 §3.4.1), `[` and `]`
/// included, with `dtext`, WSP and RFC 6532 UTF-8 inside.
fn is_domain_literal(s: &str) -> bool {
    s.strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .is_some_and(|inner| {
            inner
                .bytes()
                .all(|b| matches!(b, 33..=90 | 94..=126 | b' ' | b'\t') || b >= 0x80)
        })
}

/// Writes `s` as a quoted string, escaping only `"` and `\` (RFC 5322 §3.2.4).
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    let mut rest = s;
    while let Some(i) = rest.find(['"', '\\']) {
        let (plain, tail) = rest.split_at_checked(i).unwrap_or((rest, ""));
        f.write_str(plain)?;
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            write!(f, "\\{c}")?;
        }
        rest = chars.as_str();
    }
    f.write_str(rest)?;
    f.write_str("\"")
}

/// Writes a display name: as atoms when it is a phrase of atoms separated by single spaces,
/// otherwise as one quoted string. Text that looks like an encoded word is quoted so that it
/// is not decoded when read back (RFC 2047 §5 (3)).
fn write_phrase(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let atoms = !name.is_empty()
        && !name.contains("=?")
        && name
            .split(' ')
            .all(|w| !w.is_empty() && w.bytes().all(|b| is_atext(b) || b >= 0x80));
    if atoms {
        f.write_str(name)
    } else {
        write_quoted(f, name)
    }
}

/// An `addr-spec`: `local-part "@" domain` (RFC 5322 §3.4.1), comments and FWS removed.
///
/// The local part is its semantic content: a quoted local part is unescaped (`"a b"@x` has
/// local part `a b`), and `Display` quotes it again when it is not a dot-atom. The domain is
/// a dot-atom (`example.com`, UTF-8 allowed by RFC 6532) or a domain literal with its
/// brackets (`[192.0.2.1]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddrSpec {
    local_part: String,
    domain: String,
}

impl AddrSpec {
    /// Returns the addr-spec `local_part@domain`.
    ///
    /// # Errors
    /// [`AddressError::LocalPart`] if the local part holds a control character other than
    /// HTAB; [`AddressError::Domain`] if the domain is neither a dot-atom nor a domain literal.
    pub fn new(
        local_part: impl Into<String>,
        domain: impl Into<String>,
    ) -> Result<Self, AddressError> {
        let local_part = local_part.into();
        let domain = domain.into();
        if !is_quotable(&local_part) {
            return Err(AddressError::LocalPart);
        }
        if !is_dot_atom_text(&domain) && !is_domain_literal(&domain) {
            return Err(AddressError::Domain);
        }
        Ok(Self { local_part, domain })
    }

    /// Parses an `addr-spec` with optional CFWS around it (RFC 5322 §3.4.1, obsolete forms of
    /// §4.4 tolerated).
    ///
    /// ```abnf
    /// addr-spec       =   local-part "@" domain
    /// local-part      =   dot-atom / quoted-string / obs-local-part
    /// domain          =   dot-atom / domain-literal / obs-domain
    /// domain-literal  =   [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]
    /// obs-local-part  =   word *("." word)
    /// obs-domain      =   atom *("." atom)
    /// ```
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses an `addr-spec` like [`AddrSpec::parse`] under `limits`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        parse::Parser::new(input, limits)?.whole(parse::Parser::addr_spec_only)
    }

    /// Returns the local part, unescaped.
    pub fn local_part(&self) -> &str {
        &self.local_part
    }

    /// Returns the domain: a dot-atom, or a domain literal with its brackets.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Returns whether the domain is a domain literal (`[…]`).
    pub fn is_domain_literal(&self) -> bool {
        self.domain.starts_with('[')
    }
}

impl fmt::Display for AddrSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_dot_atom_text(&self.local_part) {
            f.write_str(&self.local_part)?;
        } else {
            write_quoted(f, &self.local_part)?;
        }
        write!(f, "@{}", self.domain)
    }
}

impl FromStr for AddrSpec {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

/// A `mailbox` (RFC 5322 §3.4): an addr-spec with an optional display name.
///
/// `Display` writes `Name <local@domain>` (quoting the name only when it is not a phrase of
/// atoms) or a bare `local@domain` when there is no name. A name-addr with no display name
/// (`<a@b>`) parses to a mailbox without a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    display_name: Option<String>,
    addr_spec: AddrSpec,
}

impl Mailbox {
    /// Returns the mailbox `display_name <addr_spec>`.
    ///
    /// # Errors
    /// [`AddressError::DisplayName`] if the name holds a control character other than HTAB.
    pub fn new(display_name: Option<String>, addr_spec: AddrSpec) -> Result<Self, AddressError> {
        if display_name.as_deref().is_some_and(|n| !is_quotable(n)) {
            return Err(AddressError::DisplayName);
        }
        Ok(Self {
            display_name,
            addr_spec,
        })
    }

    /// Parses one `mailbox` with optional CFWS around it (RFC 5322 §3.4).
    ///
    /// ```abnf
    /// mailbox         =   name-addr / addr-spec
    /// name-addr       =   [display-name] angle-addr
    /// angle-addr      =   [CFWS] "<" addr-spec ">" [CFWS] /
    ///                     obs-angle-addr
    /// display-name    =   phrase
    /// phrase          =   1*word / obs-phrase
    /// obs-phrase      =   word *(word / "." / CFWS)
    /// obs-angle-addr  =   [CFWS] "<" obs-route addr-spec ">" [CFWS]
    /// obs-route       =   obs-domain-list ":"
    /// obs-domain-list =   *(CFWS / ",") "@" domain
    ///                     *("," [CFWS] ["@" domain])
    /// ```
    ///
    /// The route is dropped (RFC 5322 §4.4). See the [module docs](self) for tolerances.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses one `mailbox` like [`Mailbox::parse`] under `limits`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        parse::Parser::new(input, limits)?.whole(parse::Parser::mailbox)
    }

    /// Returns the display name: phrase words joined by single spaces, encoded words decoded.
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// Returns the address.
    pub fn addr_spec(&self) -> &AddrSpec {
        &self.addr_spec
    }
}

impl From<AddrSpec> for Mailbox {
    fn from(addr_spec: AddrSpec) -> Self {
        Self {
            display_name: None,
            addr_spec,
        }
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.display_name {
            Some(name) => {
                write_phrase(f, name)?;
                write!(f, " <{}>", self.addr_spec)
            }
            None => write!(f, "{}", self.addr_spec),
        }
    }
}

impl FromStr for Mailbox {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

/// A `group` (RFC 5322 §3.4): a display name and a possibly empty list of mailboxes.
///
/// `Display` writes `Name: a@b, c@d;`, or `Name:;` for an empty group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    display_name: String,
    members: Vec<Mailbox>,
}

impl Group {
    /// Returns the group `display_name: members;`.
    ///
    /// # Errors
    /// [`AddressError::DisplayName`] if the name holds a control character other than HTAB.
    pub fn new(
        display_name: impl Into<String>,
        members: Vec<Mailbox>,
    ) -> Result<Self, AddressError> {
        let display_name = display_name.into();
        if !is_quotable(&display_name) {
            return Err(AddressError::DisplayName);
        }
        Ok(Self {
            display_name,
            members,
        })
    }

    /// Parses one `group` with optional CFWS around it (RFC 5322 §3.4).
    ///
    /// ```abnf
    /// group           =   display-name ":" [group-list] ";" [CFWS]
    /// group-list      =   mailbox-list / CFWS / obs-group-list
    /// obs-group-list  =   1*([CFWS] ",") [CFWS]
    /// ```
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses one `group` like [`Group::parse`] under `limits`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let mut parser = parse::Parser::new(input, limits)?;
        parser.whole(|p| {
            let start = p.offset();
            match p.address(true)? {
                Address::Group(g) => Ok(g),
                Address::Mailbox(_) => Err(ParseError::new(start, "group (display name and ':')")),
            }
        })
    }

    /// Returns the group's display name.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// Returns the members, possibly none.
    pub fn members(&self) -> &[Mailbox] {
        &self.members
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_phrase(f, &self.display_name)?;
        f.write_str(":")?;
        for (i, m) in self.members.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            write!(f, "{m}")?;
        }
        f.write_str(";")
    }
}

impl FromStr for Group {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

/// An `address` (RFC 5322 §3.4): a mailbox or a group.
///
/// Not `#[non_exhaustive]`: RFC 5322 defines exactly these two forms, so a `match` on them is
/// complete.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A named group of mailboxes.
    Group(Group),
}

impl Address {
    /// Parses one `address` with optional CFWS around it (RFC 5322 §3.4).
    ///
    /// ```abnf
    /// address         =   mailbox / group
    /// ```
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses one `address` like [`Address::parse`] under `limits`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        parse::Parser::new(input, limits)?.whole(|p| p.address(true))
    }

    /// Returns every mailbox this address stands for: itself, or the group's members.
    pub fn mailboxes(&self) -> &[Mailbox] {
        match self {
            Self::Mailbox(m) => core::slice::from_ref(m),
            Self::Group(g) => &g.members,
        }
    }
}

impl From<Mailbox> for Address {
    fn from(m: Mailbox) -> Self {
        Self::Mailbox(m)
    }
}

impl From<Group> for Address {
    fn from(g: Group) -> Self {
        Self::Group(g)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mailbox(m) => m.fmt(f),
            Self::Group(g) => g.fmt(f),
        }
    }
}

impl FromStr for Address {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

/// An `address-list` (RFC 5322 §3.4), the body of `To:`, `Cc:`, `Bcc:`, `Reply-To:`.
///
/// May be empty: `Bcc:` allows a body with no address (RFC 5322 §3.6.3). `Display` joins the
/// addresses with `, `.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AddressList(pub Vec<Address>);

impl AddressList {
    /// Parses an `address-list` (RFC 5322 §3.4, §4.4).
    ///
    /// ```abnf
    /// address-list    =   (address *("," address)) / obs-addr-list
    /// obs-addr-list   =   *([CFWS] ",") address *("," [address / CFWS])
    /// ```
    ///
    /// Empty elements are skipped, and a body with no address at all (only CFWS and commas)
    /// gives an empty list. See the [module docs](self) for the other tolerances.
    ///
    /// ```
    /// use mail_core::address::rfc5322::AddressList;
    /// let list = AddressList::parse(b"Mary Smith <mary@x.test>, jdoe@example.org").unwrap();
    /// assert_eq!(list.0.len(), 2);
    /// assert_eq!(list.to_string(), "Mary Smith <mary@x.test>, jdoe@example.org");
    /// ```
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses an `address-list` like [`AddressList::parse`] under `limits`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let mut parser = parse::Parser::new(input, limits)?;
        parser.list(true).map(Self)
    }

    /// Returns every mailbox of the list, group members flattened in order.
    pub fn mailboxes(&self) -> impl Iterator<Item = &Mailbox> {
        self.0.iter().flat_map(Address::mailboxes)
    }
}

impl From<Vec<Address>> for AddressList {
    fn from(addresses: Vec<Address>) -> Self {
        Self(addresses)
    }
}

impl IntoIterator for AddressList {
    type Item = Address;
    type IntoIter = std::vec::IntoIter<Address>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a AddressList {
    type Item = &'a Address;
    type IntoIter = core::slice::Iter<'a, Address>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for AddressList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            a.fmt(f)?;
        }
        Ok(())
    }
}

impl FromStr for AddressList {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

/// A `mailbox-list` (RFC 5322 §3.4), the body of `From:`: at least one mailbox, no groups.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxList(Vec<Mailbox>);

impl MailboxList {
    /// Returns the list of `mailboxes`, or `None` if it is empty (a mailbox-list holds at
    /// least one mailbox).
    pub fn new(mailboxes: Vec<Mailbox>) -> Option<Self> {
        (!mailboxes.is_empty()).then_some(Self(mailboxes))
    }

    /// Parses a `mailbox-list` (RFC 5322 §3.4, §4.4).
    ///
    /// ```abnf
    /// mailbox-list    =   (mailbox *("," mailbox)) / obs-mbox-list
    /// obs-mbox-list   =   *([CFWS] ",") mailbox *("," [mailbox / CFWS])
    /// ```
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative, or at the
    /// end of the input if it holds no mailbox.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses a `mailbox-list` like [`MailboxList::parse`] under `limits`.
    ///
    /// # Errors
    /// [`ParseError`] with the offset of the first byte that fits no alternative.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let mut parser = parse::Parser::new(input, limits)?;
        let list = parser.list(false)?;
        let mut mailboxes = Vec::with_capacity(list.len());
        for a in list {
            if let Address::Mailbox(m) = a {
                mailboxes.push(m);
            }
        }
        Self::new(mailboxes).ok_or(ParseError::new(input.len(), "mailbox"))
    }

    /// Returns the mailboxes, at least one.
    pub fn mailboxes(&self) -> &[Mailbox] {
        &self.0
    }

    /// Returns the mailboxes, consuming the list.
    pub fn into_vec(self) -> Vec<Mailbox> {
        self.0
    }
}

impl fmt::Display for MailboxList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            m.fmt(f)?;
        }
        Ok(())
    }
}

impl FromStr for MailboxList {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

//! The RFC 5322 address parser: a hand-written scanner, iterative, with no recursion.
//!
//! Lexical tokens (RFC 5322 §3.2, with RFC 6532 §3.2 UTF-8):
//!
//! ```abnf
//! quoted-pair     =   ("\" (VCHAR / WSP)) / obs-qp
//! FWS             =   ([*WSP CRLF] 1*WSP) /  obs-FWS
//! ctext           =   %d33-39 / %d42-91 / %d93-126 / obs-ctext
//! ccontent        =   ctext / quoted-pair / comment
//! comment         =   "(" *([FWS] ccontent) [FWS] ")"
//! CFWS            =   (1*([FWS] comment) [FWS]) / FWS
//! atom            =   [CFWS] 1*atext [CFWS]
//! qtext           =   %d33 / %d35-91 / %d93-126 / obs-qtext
//! qcontent        =   qtext / quoted-pair
//! quoted-string   =   [CFWS]
//!                     DQUOTE *([FWS] qcontent) [FWS] DQUOTE
//!                     [CFWS]
//! word            =   atom / quoted-string
//! ```

use super::{AddrSpec, Address, Group, Limits, Mailbox};
use crate::ParseError;
use crate::address::encoded_word::decode_encoded_word;
use crate::address::is_atext;

/// One lexical item of a phrase or local part.
enum Token {
    /// A run of `atext` (and UTF-8) bytes.
    Atom(String),
    /// The unescaped content of a quoted string.
    Quoted(String),
    /// A `.` between words (dot-atom, obs-local-part, obs-phrase).
    Dot,
}

/// A token with where it starts and whether CFWS came before it.
struct Item {
    token: Token,
    offset: usize,
    cfws_before: bool,
}

/// Scanning state over one field body.
pub(super) struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    limits: &'a Limits,
    addresses: usize,
}

/// Returns whether `b` is WSP (RFC 5234 B.1).
const fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Returns whether `b` may start or continue an atom (RFC 5322 §3.2.3, RFC 6532 §3.2).
const fn is_atom_byte(b: u8) -> bool {
    is_atext(b) || b >= 0x80
}

impl<'a> Parser<'a> {
    /// Returns a parser over `input`, which must be UTF-8 as a whole (RFC 6532 §3.2).
    pub(super) fn new(input: &'a [u8], limits: &'a Limits) -> Result<Self, ParseError> {
        core::str::from_utf8(input)
            .map_err(|e| ParseError::new(e.valid_up_to(), "valid UTF-8 (RFC 6532 §3.2)"))?;
        Ok(Self {
            input,
            pos: 0,
            limits,
            addresses: 0,
        })
    }

    /// Returns the offset the parser has reached.
    pub(super) const fn offset(&self) -> usize {
        self.pos
    }

    /// Runs `rule` with CFWS allowed before and after it, and requires the end of the input.
    pub(super) fn whole<T>(
        &mut self,
        rule: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.skip_cfws()?;
        let value = rule(self)?;
        self.skip_cfws()?;
        if self.pos < self.input.len() {
            return Err(self.error("end of the field body"));
        }
        Ok(value)
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.input.get(self.pos.saturating_add(ahead)).copied()
    }

    fn error(&self, expected: &'static str) -> ParseError {
        ParseError::new(self.pos, expected)
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    /// Skips a `CRLF WSP` fold if one starts here; errors on any other CR or LF.
    fn skip_fold(&mut self) -> Result<bool, ParseError> {
        match self.peek() {
            Some(b'\r')
                if self.peek_at(1) == Some(b'\n') && self.peek_at(2).is_some_and(is_wsp) =>
            {
                self.pos = self.pos.saturating_add(2);
                Ok(true)
            }
            Some(b'\r' | b'\n') => {
                Err(self.error("white space after CRLF (folding, RFC 5322 §3.2.2)"))
            }
            _ => Ok(false),
        }
    }

    /// Skips `FWS` (RFC 5322 §3.2.2, obs-FWS §4.2); returns whether anything was skipped.
    fn skip_fws(&mut self) -> Result<bool, ParseError> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b) if is_wsp(b) => self.bump(),
                Some(b'\r' | b'\n') => {
                    self.skip_fold()?;
                }
                _ => return Ok(self.pos != start),
            }
        }
    }

    /// Skips `CFWS` (RFC 5322 §3.2.2); returns whether anything was skipped.
    fn skip_cfws(&mut self) -> Result<bool, ParseError> {
        let start = self.pos;
        loop {
            self.skip_fws()?;
            if self.peek() == Some(b'(') {
                self.skip_comment()?;
            } else {
                return Ok(self.pos != start);
            }
        }
    }

    /// Skips one `comment`, nested comments included, with a depth counter instead of
    /// recursion so that hostile nesting cannot exhaust the stack.
    fn skip_comment(&mut self) -> Result<(), ParseError> {
        let mut depth: usize = 0;
        loop {
            match self.peek() {
                Some(b'(') => {
                    depth = depth.saturating_add(1);
                    if depth > self.limits.max_comment_depth {
                        return Err(self.error("comment nested no deeper than the limit"));
                    }
                    self.bump();
                }
                Some(b')') => {
                    self.bump();
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(b'\\') => {
                    self.bump();
                    self.quoted_pair_byte()?;
                }
                Some(b'\r' | b'\n') => {
                    self.skip_fold()?;
                }
                // ctext, WSP and UTF-8 (RFC 6532 §3.2 `ctext =/ UTF8-non-ascii`).
                Some(b) if matches!(b, 33..=126) || is_wsp(b) || b >= 0x80 => self.bump(),
                Some(_) => return Err(self.error("comment text (ctext)")),
                None => return Err(self.error("')' closing the comment")),
            }
        }
    }

    /// Consumes the byte after a `\` of a quoted-pair and returns it (RFC 5322 §3.2.1:
    /// `"\" (VCHAR / WSP)`; RFC 6532 adds UTF-8 to VCHAR). `obs-qp` is rejected so that no
    /// value can hold NUL, CR or LF.
    fn quoted_pair_byte(&mut self) -> Result<u8, ParseError> {
        match self.peek() {
            Some(b) if matches!(b, 33..=126) || is_wsp(b) || b >= 0x80 => {
                self.bump();
                Ok(b)
            }
            _ => Err(self.error("printable character or WSP after '\\' (quoted-pair)")),
        }
    }

    /// Reads an `atom`'s text (`1*atext`, with UTF-8); the caller has seen an atom byte.
    fn atom_text(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(is_atom_byte) {
            self.bump();
        }
        self.text(
            start,
            self.input.get(start..self.pos).unwrap_or_default().to_vec(),
        )
    }

    /// Returns `bytes` as a string; the input was checked to be UTF-8 and tokens end on ASCII
    /// bytes or at the end, so this cannot fail in practice.
    fn text(&self, start: usize, bytes: Vec<u8>) -> Result<String, ParseError> {
        String::from_utf8(bytes).map_err(|_| ParseError::new(start, "valid UTF-8 (RFC 6532 §3.2)"))
    }

    /// Reads a `quoted-string` (RFC 5322 §3.2.4) at `"` and returns its unescaped content.
    /// The CRLF of a fold inside is removed and the WSP kept, as §3.2.4 says.
    fn quoted_string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.bump();
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return self.text(start, out);
                }
                Some(b'\\') => {
                    self.bump();
                    let b = self.quoted_pair_byte()?;
                    out.push(b);
                }
                Some(b'\r' | b'\n') => {
                    self.skip_fold()?;
                }
                // qtext, WSP and UTF-8 (RFC 6532 §3.2 `qtext =/ UTF8-non-ascii`).
                Some(b) if matches!(b, 33..=126) || is_wsp(b) || b >= 0x80 => {
                    out.push(b);
                    self.bump();
                }
                Some(_) => return Err(self.error("quoted-string text (qtext)")),
                None => return Err(self.error("'\"' closing the quoted-string")),
            }
        }
    }

    /// Reads the words, dots and CFWS that start a mailbox or group, up to the first special
    /// that decides what they are (`<`, `:`, `@`, or anything else).
    fn words(&mut self) -> Result<Vec<Item>, ParseError> {
        let mut items = Vec::new();
        let mut cfws_before = false;
        loop {
            let offset = self.pos;
            let token = match self.peek() {
                Some(b'"') => Token::Quoted(self.quoted_string()?),
                Some(b'.') => {
                    self.bump();
                    Token::Dot
                }
                Some(b) if is_atom_byte(b) => Token::Atom(self.atom_text()?),
                _ => return Ok(items),
            };
            items.push(Item {
                token,
                offset,
                cfws_before,
            });
            cfws_before = self.skip_cfws()?;
        }
    }

    /// Counts one more address against [`Limits::max_addresses`].
    fn count_address(&mut self, offset: usize) -> Result<(), ParseError> {
        self.addresses = self.addresses.saturating_add(1);
        if self.addresses > self.limits.max_addresses {
            return Err(ParseError::new(offset, "no more addresses than the limit"));
        }
        Ok(())
    }

    /// Parses an `address` (or, when `allow_group` is false, a `mailbox`) after CFWS.
    pub(super) fn address(&mut self, allow_group: bool) -> Result<Address, ParseError> {
        let start = self.pos;
        self.count_address(start)?;
        let items = self.words()?;
        match self.peek() {
            Some(b'<') => {
                let display_name = phrase(&items)?;
                let addr_spec = self.angle_addr()?;
                Ok(Address::Mailbox(Mailbox {
                    display_name,
                    addr_spec,
                }))
            }
            Some(b'@') => {
                let addr_spec = self.addr_spec_rest(&items)?;
                Ok(Address::Mailbox(Mailbox {
                    display_name: None,
                    addr_spec,
                }))
            }
            Some(b':') if allow_group => {
                let display_name =
                    phrase(&items)?.ok_or_else(|| self.error("group display name"))?;
                self.bump();
                let members = self.group_list()?;
                Ok(Address::Group(Group {
                    display_name,
                    members,
                }))
            }
            Some(b':') => Err(self.error("mailbox ('<' or '@'; groups do not nest)")),
            _ if items.is_empty() => Err(self.error("address")),
            _ => Err(self.error("'<' or '@' after the words of a mailbox")),
        }
    }

    /// Parses a `mailbox`.
    pub(super) fn mailbox(&mut self) -> Result<Mailbox, ParseError> {
        match self.address(false)? {
            Address::Mailbox(m) => Ok(m),
            Address::Group(_) => Err(self.error("mailbox")),
        }
    }

    /// Parses the members of a group after its `:` up to and including the `;`; empty
    /// elements are skipped (`obs-group-list`, RFC 5322 §4.4).
    fn group_list(&mut self) -> Result<Vec<Mailbox>, ParseError> {
        let mut members = Vec::new();
        loop {
            self.skip_cfws()?;
            match self.peek() {
                Some(b';') => {
                    self.bump();
                    return Ok(members);
                }
                Some(b',') => self.bump(),
                None => return Err(self.error("';' ending the group")),
                Some(_) => {
                    members.push(self.mailbox()?);
                    self.skip_cfws()?;
                    match self.peek() {
                        Some(b',') => self.bump(),
                        Some(b';') => {}
                        _ => return Err(self.error("',' or ';' after a group member")),
                    }
                }
            }
        }
    }

    /// Parses an `address-list` (or a `mailbox-list` when `allow_group` is false) up to the
    /// end of the input, skipping empty elements (`obs-addr-list`, `obs-mbox-list`).
    pub(super) fn list(&mut self, allow_group: bool) -> Result<Vec<Address>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.skip_cfws()?;
            match self.peek() {
                None => return Ok(out),
                Some(b',') => self.bump(),
                Some(_) => {
                    out.push(self.address(allow_group)?);
                    self.skip_cfws()?;
                    match self.peek() {
                        None => return Ok(out),
                        Some(b',') => self.bump(),
                        Some(_) => return Err(self.error("',' between addresses")),
                    }
                }
            }
        }
    }

    /// Parses an `angle-addr` or `obs-angle-addr` at `<`, dropping any `obs-route`.
    fn angle_addr(&mut self) -> Result<AddrSpec, ParseError> {
        self.bump();
        self.skip_cfws()?;
        if matches!(self.peek(), Some(b'@' | b',')) {
            self.obs_route()?;
            self.skip_cfws()?;
        }
        let items = self.words()?;
        if self.peek() != Some(b'@') {
            return Err(self.error("'@' in the addr-spec"));
        }
        let addr_spec = self.addr_spec_rest(&items)?;
        self.skip_cfws()?;
        if self.peek() != Some(b'>') {
            return Err(self.error("'>' closing the angle-addr"));
        }
        self.bump();
        Ok(addr_spec)
    }

    /// Skips an `obs-route` (RFC 5322 §4.4) up to and including its `:`.
    ///
    /// ```abnf
    /// obs-route       =   obs-domain-list ":"
    /// obs-domain-list =   *(CFWS / ",") "@" domain
    ///                     *("," [CFWS] ["@" domain])
    /// ```
    fn obs_route(&mut self) -> Result<(), ParseError> {
        let mut domains = 0usize;
        loop {
            self.skip_cfws()?;
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'@') => {
                    self.bump();
                    self.domain()?;
                    domains = domains.saturating_add(1);
                }
                Some(b':') if domains > 0 => {
                    self.bump();
                    return Ok(());
                }
                _ if domains == 0 => return Err(self.error("'@' domain in the obs-route")),
                _ => return Err(self.error("',' or ':' in the obs-route")),
            }
        }
    }

    /// Parses an addr-spec alone (for [`AddrSpec::parse`]).
    pub(super) fn addr_spec_only(&mut self) -> Result<AddrSpec, ParseError> {
        let items = self.words()?;
        if self.peek() != Some(b'@') {
            return Err(self.error("'@' in the addr-spec"));
        }
        self.addr_spec_rest(&items)
    }

    /// Finishes an addr-spec whose local-part words are `items`, at the `@`.
    fn addr_spec_rest(&mut self, items: &[Item]) -> Result<AddrSpec, ParseError> {
        let at = self.pos;
        let local_part = local_part(items, at)?;
        self.bump();
        let domain = self.domain()?;
        Ok(AddrSpec { local_part, domain })
    }

    /// Parses a `domain`: dot-atom, domain-literal or obs-domain (RFC 5322 §3.4.1, §4.4).
    fn domain(&mut self) -> Result<String, ParseError> {
        self.skip_cfws()?;
        if self.peek() == Some(b'[') {
            return self.domain_literal();
        }
        let mut out = String::new();
        loop {
            if !self.peek().is_some_and(is_atom_byte) {
                return Err(self.error("domain atom"));
            }
            out.push_str(&self.atom_text()?);
            self.skip_cfws()?;
            if self.peek() == Some(b'.') {
                self.bump();
                out.push('.');
                self.skip_cfws()?;
            } else {
                return Ok(out);
            }
        }
    }

    /// Parses a `domain-literal` at `[`; WSP inside is kept, the CRLF of folds removed.
    ///
    /// ```abnf
    /// domain-literal  =   [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]
    /// dtext           =   %d33-90 / %d94-126 / obs-dtext
    /// ```
    fn domain_literal(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let mut out = Vec::new();
        out.push(b'[');
        self.bump();
        loop {
            match self.peek() {
                Some(b']') => {
                    out.push(b']');
                    self.bump();
                    return self.text(start, out);
                }
                Some(b'\r' | b'\n') => {
                    self.skip_fold()?;
                }
                Some(b) if matches!(b, 33..=90 | 94..=126) || is_wsp(b) || b >= 0x80 => {
                    out.push(b);
                    self.bump();
                }
                _ => return Err(self.error("dtext or ']' in the domain-literal")),
            }
        }
    }
}

/// Returns the local part that `items` spell: words separated by dots, with CFWS around
/// them tolerated (`obs-local-part`, RFC 5322 §4.4). `at` is the offset of the `@`.
fn local_part(items: &[Item], at: usize) -> Result<String, ParseError> {
    let mut out = String::new();
    let mut want_word = true;
    for item in items {
        match (&item.token, want_word) {
            (Token::Atom(s) | Token::Quoted(s), true) => out.push_str(s),
            (Token::Dot, false) => out.push('.'),
            (Token::Dot, true) => {
                return Err(ParseError::new(
                    item.offset,
                    "word before '.' in the local-part",
                ));
            }
            (_, false) => {
                return Err(ParseError::new(
                    item.offset,
                    "'.' or '@' after a local-part word",
                ));
            }
        }
        want_word = !want_word;
    }
    if want_word {
        return Err(ParseError::new(at, "local-part word before '@'"));
    }
    Ok(out)
}

/// One piece of a display name.
struct Piece {
    text: String,
    encoded: bool,
}

/// Returns the display name that `items` spell, or `None` if there are none.
///
/// Atoms and dots not separated by CFWS form one run (`Q.` in `John Q. Public`, allowed by
/// `obs-phrase`, RFC 5322 §4.1); a run that is an RFC 2047 encoded word is decoded, unless it
/// decodes to a control character other than HTAB, in which case it stays literal so that a
/// name never holds CR, LF or NUL. Pieces are joined by single spaces, except that two
/// adjacent encoded words are joined directly (RFC 2047 §6.2). Quoted strings are never
/// decoded (RFC 2047 §5 (3)).
fn phrase(items: &[Item]) -> Result<Option<String>, ParseError> {
    let Some(first) = items.first() else {
        return Ok(None);
    };
    if matches!(first.token, Token::Dot) {
        return Err(ParseError::new(
            first.offset,
            "word starting the display name",
        ));
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut run: Option<String> = None;
    for item in items {
        match &item.token {
            Token::Atom(s) if !item.cfws_before && run.is_some() => {
                if let Some(r) = run.as_mut() {
                    r.push_str(s);
                }
            }
            Token::Dot if !item.cfws_before && run.is_some() => {
                if let Some(r) = run.as_mut() {
                    r.push('.');
                }
            }
            Token::Atom(s) => {
                flush_run(&mut pieces, run.take());
                run = Some(s.clone());
            }
            Token::Dot => {
                flush_run(&mut pieces, run.take());
                run = Some(String::from("."));
            }
            Token::Quoted(s) => {
                flush_run(&mut pieces, run.take());
                pieces.push(Piece {
                    text: s.clone(),
                    encoded: false,
                });
            }
        }
    }
    flush_run(&mut pieces, run);
    let mut name = String::new();
    let mut previous_encoded = None;
    for piece in pieces {
        match previous_encoded {
            Some(true) if piece.encoded => {}
            Some(_) => name.push(' '),
            None => {}
        }
        name.push_str(&piece.text);
        previous_encoded = Some(piece.encoded);
    }
    Ok(Some(name))
}

/// Ends a run of atoms: decodes it if it is an acceptable encoded word.
fn flush_run(pieces: &mut Vec<Piece>, run: Option<String>) {
    let Some(run) = run else { return };
    let decoded = if run.starts_with("=?") {
        decode_encoded_word(&run).filter(|d| !d.chars().any(|c| c.is_ascii_control() && c != '\t'))
    } else {
        None
    };
    pieces.push(match decoded {
        Some(text) => Piece {
            text,
            encoded: true,
        },
        None => Piece {
            text: run,
            encoded: false,
        },
    });
}

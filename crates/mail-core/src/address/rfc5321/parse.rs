//! The byte-level scanners behind the public `parse` functions.
//!
//! Every scanner takes the whole input and an absolute start position, so that each
//! [`ParseError`] offset points at the offending byte of the caller's input. None of them
//! recurses, and each one is bounded by the window it is given (see [`bounded`]).

use super::literal::{self, AddressLiteral};
use super::text::Text;
use super::{Domain, Host, Limits, LocalPart, Mailbox};
use crate::ParseError;
use crate::address::{is_atext, is_utf8_non_ascii};

/// What a path parser found between the angle brackets.
pub(super) enum PathValue {
    /// `<>`
    Null,
    /// `<Postmaster>` (any case)
    Postmaster,
    /// `<Mailbox>`, source route already dropped
    Mailbox(Mailbox),
}

/// Which special forms a path may take besides `<Mailbox>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PathKind {
    /// `Reverse-path = Path / "<>"`
    Reverse,
    /// `"<Postmaster>" / Forward-path`
    Forward,
}

/// Runs `parse` on at most `limit + 1` bytes of `input`, and turns "ran past the limit" into
/// one error at offset `limit` saying `what`.
///
/// This caps the work done on hostile input at the limit: a scanner never looks past the
/// window, and a value that needs more than `limit` bytes is reported as too long rather than
/// as a syntax error somewhere in a truncated tail.
pub(super) fn bounded<T>(
    input: &[u8],
    limit: usize,
    what: &'static str,
    parse: impl FnOnce(&[u8]) -> Result<(T, usize), ParseError>,
) -> Result<(T, usize), ParseError> {
    let window_len = input.len().min(limit.saturating_add(1));
    let window = input.get(..window_len).unwrap_or(input);
    let truncated = window_len < input.len();
    match parse(window) {
        Ok((_, used)) if used > limit => Err(ParseError::new(limit, what)),
        Err(e) if truncated && e.offset >= window_len => Err(ParseError::new(limit, what)),
        other => other,
    }
}

/// The error for a path longer than [`Limits::max_path`].
pub(super) const PATH_TOO_LONG: &str = "end of path within the length limit (RFC 5321 §4.5.3.1.3)";

/// Parses a path at the start of `input` (whose first byte must be `<` unless
/// [`Limits::allow_missing_brackets`] is set).
pub(super) fn path(
    input: &[u8],
    limits: &Limits,
    kind: PathKind,
) -> Result<(PathValue, usize), ParseError> {
    if input.first() == Some(&b'<') {
        bounded(input, limits.max_path, PATH_TOO_LONG, |w| {
            bracketed(w, limits, kind)
        })
    } else if limits.allow_missing_brackets {
        // The brackets this form omits still count towards the limit: the value is written
        // back with them, and must parse again.
        let limit = limits.max_path.saturating_sub(2);
        bounded(input, limit, PATH_TOO_LONG, |w| {
            if kind == PathKind::Forward
                && w.get(..10)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"postmaster"))
                && matches!(w.get(10), None | Some(b' '))
            {
                return Ok((PathValue::Postmaster, 10));
            }
            let (mailbox, used) = mailbox(w, 0, limits)?;
            Ok((PathValue::Mailbox(mailbox), used))
        })
    } else {
        Err(ParseError::new(0, "'<' opening the path"))
    }
}

/// `"<" [ A-d-l ":" ] Mailbox ">"`, plus `<>` or `<Postmaster>` as `kind` allows.
fn bracketed(
    input: &[u8],
    limits: &Limits,
    kind: PathKind,
) -> Result<(PathValue, usize), ParseError> {
    match kind {
        PathKind::Reverse if input.get(1) == Some(&b'>') => return Ok((PathValue::Null, 2)),
        // The '>' first: it rules out nearly every other path in one comparison.
        PathKind::Forward
            if input.get(11) == Some(&b'>')
                && input
                    .get(1..11)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"postmaster")) =>
        {
            return Ok((PathValue::Postmaster, 12));
        }
        _ => {}
    }
    let mut pos = 1;
    if input.get(pos) == Some(&b'@') {
        // A-d-l = At-domain *( "," At-domain ): recognised, then dropped (§4.1.1.3, App. C).
        loop {
            let (_, next) = domain_span(input, pos.saturating_add(1), limits)?;
            pos = next;
            match input.get(pos) {
                Some(b',') => {
                    pos = pos.saturating_add(1);
                    if input.get(pos) != Some(&b'@') {
                        return Err(ParseError::new(pos, "'@' starting the next At-domain"));
                    }
                }
                Some(b':') => {
                    pos = pos.saturating_add(1);
                    break;
                }
                _ => return Err(ParseError::new(pos, "',' or ':' after an At-domain")),
            }
        }
    }
    let (mailbox, end) = mailbox(input, pos, limits)?;
    if input.get(end) != Some(&b'>') {
        return Err(ParseError::new(end, "'>' closing the path"));
    }
    Ok((PathValue::Mailbox(mailbox), end.saturating_add(1)))
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` starting at `start`.
pub(super) fn mailbox(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(Mailbox, usize), ParseError> {
    match ascii_mailbox(input, start, limits) {
        Some(found) => Ok(found),
        None => general_mailbox(input, start, limits),
    }
}

/// [`mailbox`] for every input: quoted strings, UTF-8, address literals, errors.
pub(super) fn general_mailbox(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(Mailbox, usize), ParseError> {
    let (local_part, at) = local_part(input, start, limits)?;
    if input.get(at) != Some(&b'@') {
        return Err(ParseError::new(at, "'@' after the local part"));
    }
    let (host, end) = host(input, at.saturating_add(1), limits)?;
    Ok((Mailbox { local_part, host }, end))
}

/// The byte classes of the one-pass ASCII scanners, one bit each in [`CLASSES`].
const ATEXT: u8 = 1;
/// `Let-dig = ALPHA / DIGIT`.
const LET_DIG: u8 = 2;
/// `"."`, which separates atoms and labels.
const DOT: u8 = 4;

/// The classes of every byte value; non-ASCII bytes belong to none.
const CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut rest: &mut [u8] = &mut table;
    let mut b: u8 = 0;
    while let [slot, tail @ ..] = rest {
        if is_atext(b) {
            *slot |= ATEXT;
        }
        if is_let_dig(b) {
            *slot |= LET_DIG;
        }
        if b == b'.' {
            *slot |= DOT;
        }
        b = b.wrapping_add(1);
        rest = tail;
    }
    table
};

/// The common case of [`mailbox`] in one pass: an ASCII `Dot-string "@" Domain`, within the
/// limits. Returns `None` for anything else (a quoted string, UTF-8, an address literal, a
/// trailing dot, an error), which the general scanners then read, errors included; whatever
/// this accepts, they accept with the same result.
pub(super) fn ascii_mailbox(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Option<(Mailbox, usize)> {
    let (at, end) = ascii_mailbox_span(input, start, limits)?;
    Some((ascii_mailbox_at(input, start, at, end)?, end))
}

/// Scans what [`ascii_mailbox`] accepts; returns the offsets of the `@` and of the end.
#[inline]
fn ascii_mailbox_span(input: &[u8], start: usize, limits: &Limits) -> Option<(usize, usize)> {
    let rest = input.get(start..)?;
    // Dot-string = Atom *("." Atom), then "@": atoms of at least one atext, one dot apart.
    let mut at = 0;
    loop {
        let end = run(rest, at, ATEXT);
        if end == at {
            return None;
        }
        match rest.get(end) {
            Some(b'.') => at = end + 1,
            Some(b'@') => {
                at = end;
                break;
            }
            _ => return None,
        }
    }
    if at > limits.max_local_part {
        return None;
    }
    let domain_len = ascii_domain_len(rest.get(at + 1..)?, limits)?;
    Some((start + at, start + at + 1 + domain_len))
}

/// Returns whether byte `b` belongs to `class` (a table lookup the compiler needs no bounds
/// check for).
#[inline]
fn is_class(b: u8, class: u8) -> bool {
    CLASSES.get(usize::from(b)).copied().unwrap_or(0) & class != 0
}

/// Returns the end of the run of `class` bytes in `input` that starts at `from`.
///
/// Eight octets per bounds check: within a chunk, each octet costs its table test alone.
#[inline(always)]
fn run(input: &[u8], from: usize, class: u8) -> usize {
    let mut i = from;
    while let Some(chunk) = input.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        for (k, &b) in chunk.iter().enumerate() {
            if !is_class(b, class) {
                return i + k;
            }
        }
        i += 8;
    }
    while let Some(&b) = input.get(i) {
        if !is_class(b, class) {
            break;
        }
        i += 1;
    }
    i
}

/// Builds the mailbox [`ascii_mailbox_span`] found.
#[inline]
fn ascii_mailbox_at(input: &[u8], start: usize, at: usize, end: usize) -> Option<Mailbox> {
    Some(Mailbox {
        local_part: LocalPart {
            content: Text::from_scanned_ascii(input.get(start..at)?)?,
        },
        host: Host::Domain(Domain(Text::from_scanned_ascii(input.get(at + 1..end)?)?)),
    })
}

/// The common case of [`path`]: `"<" Mailbox ">"` where the mailbox is one
/// [`ascii_mailbox`] accepts, within [`Limits::max_path`]. Returns the mailbox and the bytes
/// used, or `None` for the general scanners to decide; whatever this accepts, [`path`]
/// accepts with the same result, for either [`PathKind`] (neither `<>` nor `<Postmaster>`
/// has an `@`).
#[inline]
pub(super) fn ascii_bracketed_mailbox(input: &[u8], limits: &Limits) -> Option<(Mailbox, usize)> {
    if input.first() != Some(&b'<') {
        return None;
    }
    let (at, end) = ascii_mailbox_span(input, 1, limits)?;
    // `path` reads at most max_path + 1 bytes and refuses a path longer than max_path.
    if input.get(end) != Some(&b'>') || end >= limits.max_path {
        return None;
    }
    Some((ascii_mailbox_at(input, 1, at, end)?, end + 1))
}

/// The length of an ASCII `Domain` at the start of `input` (LDH labels of at most 63 octets,
/// at most [`Limits::max_domain`] in all), or `None` when the general [`domain_span`] must
/// decide: a U-label, a trailing dot, or an error.
pub(super) fn ascii_domain_len(input: &[u8], limits: &Limits) -> Option<usize> {
    let mut label = 0;
    let mut i = 0;
    loop {
        // sub-domain = Let-dig [Ldh-str]: runs of Let-dig joined by hyphens, so that a
        // label neither starts nor ends with one; most labels are a single run.
        let end = run(input, i, LET_DIG);
        if end == i {
            return None;
        }
        i = end;
        match input.get(i) {
            Some(b'-') => {
                while input.get(i) == Some(&b'-') {
                    i += 1;
                }
                continue;
            }
            // RFC 1035 §2.3.4: at most 63 octets a label.
            _ if i - label > 63 => return None,
            Some(b'.') => {
                i += 1;
                label = i;
            }
            // A U-label goes on: the general scanner reads it.
            Some(&b) if is_utf8_non_ascii(b) => return None,
            _ => return (i <= limits.max_domain).then_some(i),
        }
    }
}

/// `Domain / address-literal` starting at `start`.
pub(super) fn host(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(Host, usize), ParseError> {
    if input.get(start) == Some(&b'[') {
        let (literal, end) = literal::address_literal(input, start)?;
        check_domain_len(start, end, limits)?;
        Ok((Host::AddressLiteral(literal), end))
    } else {
        let (domain, end) = domain(input, start, limits)?;
        Ok((Host::Domain(domain), end))
    }
}

/// RFC 5321 §4.5.3.1.2: "The maximum total length of a domain name or number is 255 octets."
fn check_domain_len(start: usize, end: usize, limits: &Limits) -> Result<(), ParseError> {
    if end.saturating_sub(start) > limits.max_domain {
        return Err(ParseError::new(
            start.saturating_add(limits.max_domain),
            "end of domain within the length limit (RFC 5321 §4.5.3.1.2)",
        ));
    }
    Ok(())
}

/// `Domain` starting at `start`, as a validated [`Domain`].
pub(super) fn domain(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(Domain, usize), ParseError> {
    if let Some(len) = input
        .get(start..)
        .and_then(|rest| ascii_domain_len(rest, limits))
    {
        let end = start + len;
        if let Some(text) = input.get(start..end).and_then(Text::from_ascii) {
            return Ok((Domain(text), end));
        }
    }
    let (text_end, next) = domain_span(input, start, limits)?;
    let text = utf8(input, start, text_end)?;
    Ok((Domain(Text::new(text)), next))
}

/// Scans a `Domain` starting at `start`; returns the end of its text (without a tolerated
/// trailing dot) and the position after it.
///
/// ```abnf
/// Domain     = sub-domain *("." sub-domain)
/// sub-domain = Let-dig [Ldh-str]        ; RFC 5321 §4.1.2
/// sub-domain =/ U-label                 ; RFC 6531 §3.3
/// ```
pub(super) fn domain_span(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(usize, usize), ParseError> {
    let mut pos = start;
    let (text_end, next) = loop {
        let label_start = pos;
        if !input
            .get(pos)
            .is_some_and(|&b| is_let_dig(b) || is_utf8_non_ascii(b))
        {
            return Err(ParseError::new(
                pos,
                "letter or digit starting a sub-domain",
            ));
        }
        let mut ascii = true;
        while let Some(&b) = input.get(pos) {
            if is_let_dig(b) || b == b'-' {
                pos = pos.saturating_add(1);
            } else if is_utf8_non_ascii(b) {
                ascii = false;
                pos = pos.saturating_add(1);
            } else {
                break;
            }
        }
        let last = pos.saturating_sub(1);
        if input.get(last) == Some(&b'-') {
            return Err(ParseError::new(last, "letter or digit ending a sub-domain"));
        }
        // RFC 1035 §2.3.4 / RFC 5890 §2.3.1: a DNS label has at most 63 octets. A U-label's
        // limit applies to its A-label form, which needs IDNA to compute, so it is not checked.
        if ascii && pos.saturating_sub(label_start) > 63 {
            return Err(ParseError::new(
                label_start.saturating_add(63),
                "end of label (at most 63 octets, RFC 1035 §2.3.4)",
            ));
        }
        if input.get(pos) != Some(&b'.') {
            break (pos, pos);
        }
        let after = pos.saturating_add(1);
        if input
            .get(after)
            .is_some_and(|&b| is_let_dig(b) || is_utf8_non_ascii(b))
        {
            pos = after;
        } else if limits.allow_trailing_dot {
            break (pos, after);
        } else {
            return Err(ParseError::new(after, "sub-domain after '.'"));
        }
    };
    check_domain_len(start, text_end, limits)?;
    Ok((text_end, next))
}

/// `Local-part = Dot-string / Quoted-string` starting at `start` (RFC 5321 §4.1.2, RFC 6531
/// §3.3), as a [`LocalPart`] holding the decoded content.
pub(super) fn local_part(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(LocalPart, usize), ParseError> {
    if input.get(start) == Some(&b'"') {
        return quoted_string(input, start, limits);
    }
    let mut pos = start;
    loop {
        let atom_start = pos;
        while input
            .get(pos)
            .is_some_and(|&b| is_atext(b) || is_utf8_non_ascii(b))
        {
            pos = pos.saturating_add(1);
        }
        if pos == atom_start {
            let expected = if pos == start {
                "local part (atext or '\"')"
            } else {
                "atext after '.'"
            };
            return Err(ParseError::new(pos, expected));
        }
        if input.get(pos) != Some(&b'.') {
            break;
        }
        pos = pos.saturating_add(1);
    }
    check_local_len(start, pos, limits)?;
    let text = utf8(input, start, pos)?;
    Ok((
        LocalPart {
            content: Text::new(text),
        },
        pos,
    ))
}

/// RFC 5321 §4.5.3.1.1: "The maximum total length of a user name or other local-part is 64
/// octets." Counted on the wire form, quotes and backslashes included.
fn check_local_len(start: usize, end: usize, limits: &Limits) -> Result<(), ParseError> {
    if end.saturating_sub(start) > limits.max_local_part {
        return Err(ParseError::new(
            start.saturating_add(limits.max_local_part),
            "end of local part within the length limit (RFC 5321 §4.5.3.1.1)",
        ));
    }
    Ok(())
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE` with the RFC 6531 `UTF8-non-ascii` extension.
fn quoted_string(
    input: &[u8],
    start: usize,
    limits: &Limits,
) -> Result<(LocalPart, usize), ParseError> {
    let mut pos = start.saturating_add(1);
    let mut escaped = false;
    loop {
        match input.get(pos) {
            None => return Err(ParseError::new(pos, "'\"' closing the quoted string")),
            Some(b'"') => break,
            Some(b'\\') => {
                let next = pos.saturating_add(1);
                if !input.get(next).is_some_and(|b| (32..=126).contains(b)) {
                    return Err(ParseError::new(
                        next,
                        "quoted-pairSMTP character (%d32-126)",
                    ));
                }
                escaped = true;
                pos = pos.saturating_add(2);
            }
            Some(&b) if (32..=126).contains(&b) || is_utf8_non_ascii(b) => {
                pos = pos.saturating_add(1);
            }
            Some(_) => return Err(ParseError::new(pos, "qtextSMTP or quoted-pairSMTP")),
        }
    }
    let end = pos.saturating_add(1);
    check_local_len(start, end, limits)?;
    // A backslash is only ever followed by ASCII, so removing it cannot split a UTF-8
    // sequence: the raw text is valid UTF-8 exactly when the content is.
    let raw = utf8(input, start.saturating_add(1), pos)?;
    let content = if escaped {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                out.extend(chars.next());
            } else {
                out.push(c);
            }
        }
        Text::from_string(out)
    } else {
        Text::new(raw)
    };
    Ok((LocalPart::from_valid_content(content), end))
}

/// Returns `input[start..end]` as `str`, or an error at the first byte that is not valid
/// UTF-8 (RFC 6531 §3.3 admits only well-formed `UTF8-non-ascii`).
fn utf8(input: &[u8], start: usize, end: usize) -> Result<&str, ParseError> {
    let bytes = input.get(start..end).unwrap_or_default();
    core::str::from_utf8(bytes).map_err(|e| {
        ParseError::new(
            start.saturating_add(e.valid_up_to()),
            "valid UTF-8 (RFC 6531 §3.3)",
        )
    })
}

/// `Let-dig = ALPHA / DIGIT`
pub(super) const fn is_let_dig(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Parses the whole of `input` with `parse`, which must consume all of it.
pub(super) fn complete<T>(
    input: &[u8],
    parse: impl FnOnce(&[u8]) -> Result<(T, usize), ParseError>,
) -> Result<T, ParseError> {
    let (value, used) = parse(input)?;
    if used != input.len() {
        return Err(ParseError::new(used, "end of input"));
    }
    Ok(value)
}

/// Parses a standalone address literal `[...]` and checks the domain length limit.
pub(super) fn standalone_literal(
    input: &[u8],
    limits: &Limits,
) -> Result<(AddressLiteral, usize), ParseError> {
    if input.first() != Some(&b'[') {
        return Err(ParseError::new(0, "'[' opening the address literal"));
    }
    bounded(
        input,
        limits.max_domain,
        "end of domain within the length limit (RFC 5321 §4.5.3.1.2)",
        |w| literal::address_literal(w, 0),
    )
}

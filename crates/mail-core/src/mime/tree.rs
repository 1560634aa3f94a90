//! The MIME walker: a message's part tree with byte offsets, found in one pass without
//! recursion.

use std::borrow::Cow;

use bytes::Bytes;

use super::grammar;
use super::grammar::word;

/// Limits of the walk; a message beyond them is still walked, the excess is flattened.
///
/// The defaults are Dovecot's (`MESSAGE_PARSER_DEFAULT_MAX_NESTED_MIME_PARTS`,
/// `..._MAX_TOTAL_MIME_PARTS`), so that a part tree matches what a Dovecot server shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How deep parts nest: a multipart or message/rfc822 part at depth `max_depth - 1`
    /// keeps its content as one opaque body ([`Part::overflowed`]).
    pub max_depth: usize,
    /// How many parts a message has at most: the part that reaches the count takes the rest
    /// of the message as its body, boundaries and all. Read as at least 2 (the message and
    /// one part).
    pub max_parts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 100,
            max_parts: 10_000,
        }
    }
}

impl Limits {
    /// Returns limits of `max_depth` levels and `max_parts` parts.
    pub const fn new(max_depth: usize, max_parts: usize) -> Self {
        Self {
            max_depth,
            max_parts,
        }
    }
}

/// The size of a header or body: raw octets, octets with every bare LF counted as CRLF
/// (what IMAP reports, RFC 9051 §2.3.4), and lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Size {
    /// Octets as stored.
    pub raw: u64,
    /// Octets with line ends normalised to CRLF.
    pub octets: u64,
    /// Line feeds.
    pub lines: u64,
}

impl Size {
    fn add(&mut self, other: Self) {
        self.raw += other.raw;
        self.octets += other.octets;
        self.lines += other.lines;
    }

    /// The size of `msg[a..b]`: its line feeds and the bare ones among them (a LF at `a`
    /// counts as bare unless `msg[a - 1]` is CR), counted in one vectorised pass.
    fn of(msg: &[u8], a: usize, b: usize) -> Self {
        let raw = b.saturating_sub(a) as u64;
        let (lines, bare) = count_line_ends(msg, a, b);
        Self {
            raw,
            octets: raw + bare as u64,
            lines: lines as u64,
        }
    }

    fn sub(&mut self, other: Self) {
        self.raw = self.raw.saturating_sub(other.raw);
        self.octets = self.octets.saturating_sub(other.octets);
        self.lines = self.lines.saturating_sub(other.lines);
    }
}

/// What a part is, after MIME defaults (RFC 2045 §5.2, RFC 2046 §5.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PartKind {
    /// `text/*`, and every part without a usable `Content-Type`.
    Text,
    /// `multipart/*` with its parts as children (`digest` when `multipart/digest`).
    Multipart {
        /// Whether it is a `multipart/digest`, whose parts default to message/rfc822.
        digest: bool,
    },
    /// `message/rfc822`, with the embedded message as its one child.
    Message,
    /// Any other type, or a container flattened by the limits.
    Other,
}

/// One header field: offsets into the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    start: usize,
    name_end: usize,
    value_start: usize,
    value_end: usize,
    end: usize,
    colon: bool,
}

impl Field {
    /// The offset of the field's first byte.
    pub const fn start(&self) -> usize {
        self.start
    }

    /// The offset just after the field's last line end.
    pub const fn end(&self) -> usize {
        self.end
    }

    /// Whether the line had a colon; a line without one is kept as a field with the whole
    /// line as its name and no value, as Dovecot keeps it.
    pub const fn has_colon(&self) -> bool {
        self.colon
    }
}

const NONE: u32 = u32::MAX;

/// One part of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    header_start: usize,
    body_start: usize,
    header: Size,
    body: Size,
    fields: (u32, u32),
    kind: PartKind,
    mime: bool,
    overflowed: bool,
    parent: u32,
    subtree_end: u32,
    depth: u32,
    /// The first Content-Type as the walker read it, so that its users need not read it
    /// again.
    content_type: Option<ContentTypeAt>,
}

/// Where the type, the subtype and the parameters of a Content-Type are in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ContentTypeAt {
    media: (u32, u32),
    subtype: (u32, u32),
    /// Where the parameters start; `u32::MAX` when the type is broken and they do not count.
    params: u32,
    /// Where the field value ends.
    end: u32,
}

impl Part {
    fn new(start: usize, parent: u32, depth: u32, mime: bool) -> Self {
        Self {
            header_start: start,
            body_start: start,
            header: Size::default(),
            body: Size::default(),
            fields: (0, 0),
            kind: PartKind::Text,
            mime,
            overflowed: false,
            parent,
            subtree_end: 0,
            depth,
            content_type: None,
        }
    }

    /// The offset of the first header byte.
    pub const fn header_start(&self) -> usize {
        self.header_start
    }

    /// The offset of the first body byte (after the empty line, when there is one).
    pub const fn body_start(&self) -> usize {
        self.body_start
    }

    /// The offset just after the body: the CRLF before a boundary is not part of it
    /// (RFC 2046 §5.1.1: "the CRLF preceding the boundary delimiter line is conceptually
    /// attached to the boundary").
    pub fn end(&self) -> usize {
        self.body_start
            .saturating_add(usize::try_from(self.body.raw).unwrap_or(usize::MAX))
    }

    /// The header's size, the empty line included.
    pub const fn header_size(&self) -> Size {
        self.header
    }

    /// The body's size.
    pub const fn body_size(&self) -> Size {
        self.body
    }

    /// What the part is.
    pub const fn kind(&self) -> PartKind {
        self.kind
    }

    /// Whether its `Content-*` header fields count: a child of a multipart always, another
    /// part when it has `MIME-Version` or `Content-Type` (RFC 2045 §4, read leniently as
    /// Dovecot does).
    pub const fn is_mime(&self) -> bool {
        self.mime
    }

    /// Whether a limit flattened this part (see [`Limits`]).
    pub const fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// How deep it is: 0 for the message itself.
    pub const fn depth(&self) -> usize {
        self.depth as usize
    }

    /// The parent's index, `None` for the message itself.
    pub const fn parent(&self) -> Option<usize> {
        if self.parent == NONE {
            None
        } else {
            Some(self.parent as usize)
        }
    }
}

/// A message walked into its MIME parts (RFC 2045, RFC 2046 §5), with every offset, size and
/// header field, as Dovecot's message parser finds them.
///
/// Parts are stored in document order, the message itself first (index 0); a part's
/// descendants follow it. The walk is one pass over the bytes with an explicit stack of
/// open boundaries: no recursion, time linear in the message for a bounded depth.
///
/// What it tolerates, as Dovecot does: bare LF line ends (sizes are also given with LF
/// counted as CRLF); header lines without a colon; a missing empty line after a header;
/// boundaries followed by white space or other text (RFC 2046 §5.1.1 lets a boundary line
/// be matched by its prefix); a missing first boundary (the whole body is preamble) or final
/// boundary (parts run to the end); a multipart without parts or without a `boundary`
/// parameter; `Content-Type` without `MIME-Version`.
///
/// ```
/// use bytes::Bytes;
/// use mail_core::mime::{MimeTree, PartKind};
///
/// let tree = MimeTree::parse(Bytes::from_static(
///     b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\none\r\n--x\r\nContent-Type: image/png\r\n\r\ntwo\r\n--x--\r\n",
/// ));
/// assert_eq!(tree.parts().len(), 3);
/// assert_eq!(tree.root().kind(), PartKind::Multipart { digest: false });
/// let first = tree.part(1).unwrap();
/// assert_eq!(&tree.message()[first.body_start()..first.end()], b"one");
/// assert_eq!(tree.part(2).unwrap().kind(), PartKind::Other);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MimeTree {
    message: Bytes,
    parts: Vec<Part>,
    fields: Vec<Field>,
    bare_lf: bool,
    nul: bool,
}

/// An open boundary: its text (at most 80 octets, as Dovecot truncates it) and its part,
/// with its first eight octets as a word and a hash of the whole, so that a `--` line is
/// compared in full only with a boundary it can equal (see [`Walker::boundary_at`]).
struct Boundary<'a> {
    text: Cow<'a, [u8]>,
    part: usize,
    head: u64,
    mask: u64,
    /// Computed the first time it is needed: most boundaries never share their first
    /// eight octets with another open one, and then it is not.
    hash: Option<u64>,
}

impl<'a> Boundary<'a> {
    fn new(text: Cow<'a, [u8]>, part: usize) -> Self {
        let n = text.len().min(8);
        let head = word(&text);
        let mask = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        Self {
            text,
            part,
            head,
            mask,
            hash: None,
        }
    }

    /// The FNV-1a hash of the text.
    fn hash(&mut self) -> u64 {
        *self
            .hash
            .get_or_insert_with(|| self.text.iter().fold(FNV_BASIS, |h, &b| fnv(h, b)))
    }
}

/// FNV-1a, whose hash of every prefix of a line comes from one pass over it.
const FNV_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// One FNV-1a step.
const fn fnv(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
}

/// The FNV-1a hashes of the prefixes of `data` (entry `k`: the first `k` octets), up to
/// the longest boundary.
fn prefix_hashes(data: &[u8]) -> [u64; BOUNDARY_MAX + 1] {
    let mut out = [FNV_BASIS; BOUNDARY_MAX + 1];
    let mut h = FNV_BASIS;
    for (slot, &b) in out.iter_mut().skip(1).zip(data) {
        h = fnv(h, b);
        *slot = h;
    }
    out
}

/// Dovecot truncates boundaries to this length (RFC 2046 §5.1.1 allows 70).
const BOUNDARY_MAX: usize = 80;
/// How far a boundary line without a line end is compared.
const BOUNDARY_LINE_MAX: usize = BOUNDARY_MAX + 4;

/// Finds the next line that starts with `--`.
static DASH_LINE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\n--"));

/// How many lines [`next_dash_line`] looks at one by one before it searches.
const SHORT_LINES: usize = 2;

/// The start of the first line after `at` that starts with `--` (the first `\n--` at or
/// after `at`). The next [`SHORT_LINES`] lines are looked at one by one, a word at a time:
/// many bodies are a line or two, too short for the substring search to pay for its
/// set-up; the rest is searched with it.
fn next_dash_line(msg: &[u8], at: usize) -> Option<usize> {
    let mut from = at;
    for _ in 0..SHORT_LINES {
        let next = from + find_lf(msg.get(from..)?)? + 1;
        if msg.get(next..next + 2) == Some(b"--") {
            return Some(next);
        }
        from = next;
    }
    // Every LF before `from` has been looked at.
    msg.get(from..)
        .and_then(|rest| DASH_LINE.find(rest))
        .map(|i| from + i + 1)
}

/// A boundary line found: the index of its boundary and whether it is the close delimiter.
struct Hit {
    index: usize,
    close: bool,
}

impl MimeTree {
    /// Walks `message` with the default [`Limits`].
    pub fn parse(message: Bytes) -> Self {
        Self::parse_with(message, &Limits::default())
    }

    /// Walks `message` within `limits`.
    pub fn parse_with(message: Bytes, limits: &Limits) -> Self {
        Self::walk(message, limits).0
    }

    /// Walks `message`; returns the tree and the number of full boundary comparisons.
    fn walk(message: Bytes, limits: &Limits) -> (Self, u64) {
        // Room for eight parts (960 octets, still served from malloc's per-thread cache):
        // a message with five to eight parts then grows no vector.
        let mut parts = Vec::with_capacity(8);
        parts.push(Part::new(0, NONE, 0, false));
        let mut w = Walker {
            msg: &message,
            parts,
            // Room for the fields of most headers at once; 21 fields (1008 octets) is the
            // most that malloc still serves from its per-thread cache (32 measured slower).
            fields: Vec::with_capacity(21),
            boundaries: Vec::new(),
            cur: 0,
            pos: 0,
            limits: Limits {
                max_parts: limits.max_parts.max(2),
                ..*limits
            },
            to_eof: false,
            compares: 0,
            scratch: ROOT.clone(),
        };
        w.run();
        let (parts, fields, compares) = (w.parts, w.fields, w.compares);
        let nul = memchr::memchr(0, &message).is_some();
        // The root's header and body are the whole message: its sizes tell whether any LF
        // was bare, without a pass of its own.
        let bare_lf = parts.first().is_some_and(|root| {
            root.header.octets + root.body.octets > root.header.raw + root.body.raw
        });
        let tree = Self {
            message,
            parts,
            fields,
            bare_lf,
            nul,
        };
        (tree, compares)
    }

    /// The whole message.
    pub const fn message(&self) -> &Bytes {
        &self.message
    }

    /// Every part in document order; index 0 is the message itself.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The message itself.
    pub fn root(&self) -> &Part {
        // The walker always creates the root.
        self.parts.first().unwrap_or(&ROOT)
    }

    /// The part at `index`.
    pub fn part(&self, index: usize) -> Option<&Part> {
        self.parts.get(index)
    }

    /// The indices of the children of the part at `index`, in order.
    pub fn children(&self, index: usize) -> Children<'_> {
        let end = self.parts.get(index).map_or(0, |p| p.subtree_end as usize);
        Children {
            parts: &self.parts,
            next: index + 1,
            end,
        }
    }

    /// The header fields of the part at `index`, in order.
    pub fn fields(&self, index: usize) -> &[Field] {
        self.parts
            .get(index)
            .and_then(|p| self.fields.get(p.fields.0 as usize..p.fields.1 as usize))
            .unwrap_or_default()
    }

    /// A field's name as written (without white space before the colon).
    pub fn name(&self, field: &Field) -> &[u8] {
        self.message
            .get(field.start..field.name_end)
            .unwrap_or_default()
    }

    /// A field's value as written: after the colon and the white space that follows it,
    /// folding line breaks kept, the final line break not included. Empty without a colon.
    pub fn raw_value(&self, field: &Field) -> &[u8] {
        self.message
            .get(field.value_start..field.value_end)
            .unwrap_or_default()
    }

    /// The first field of the part named `name` (case-insensitive, RFC 5322 §1.2.2).
    pub fn first(&self, index: usize, name: &str) -> Option<&Field> {
        self.fields(index)
            .iter()
            .find(|f| f.colon && self.name(f).eq_ignore_ascii_case(name.as_bytes()))
    }

    /// The last field of the part named `name` (case-insensitive).
    pub fn last(&self, index: usize, name: &str) -> Option<&Field> {
        self.fields(index)
            .iter()
            .rev()
            .find(|f| f.colon && self.name(f).eq_ignore_ascii_case(name.as_bytes()))
    }

    /// The first `Content-Type` field of part `index` as the walker read it
    /// ([`grammar::content_type_head`]): the type, the subtype, and the parameter text
    /// (`None` when the type is broken). `None` when the part has no Content-Type (or the
    /// message is too large for the walker to keep the offsets); read the field then.
    pub fn content_type(&self, index: usize) -> Option<grammar::ContentTypeHead<'_>> {
        let at = self.parts.get(index)?.content_type?;
        let get = |(a, b): (u32, u32)| self.message.get(a as usize..b as usize);
        let params = if at.params == u32::MAX {
            None
        } else {
            Some(self.message.get(at.params as usize..at.end as usize)?)
        };
        Some((get(at.media)?, get(at.subtype)?, params))
    }

    /// Whether any line of the message ends with a bare LF (the sections of such a message
    /// are served with CRLF, see [`Size::octets`]).
    pub const fn has_bare_lf(&self) -> bool {
        self.bare_lf
    }

    /// Whether the message holds a NUL octet anywhere (an IMAP string cannot, RFC 9051
    /// §4.3, so text taken from such a message is checked before it is served).
    pub const fn has_nul(&self) -> bool {
        self.nul
    }
}

static ROOT: Part = Part {
    header_start: 0,
    body_start: 0,
    header: Size {
        raw: 0,
        octets: 0,
        lines: 0,
    },
    body: Size {
        raw: 0,
        octets: 0,
        lines: 0,
    },
    fields: (0, 0),
    kind: PartKind::Text,
    mime: false,
    overflowed: false,
    parent: NONE,
    subtree_end: 1,
    depth: 0,
    content_type: None,
};

/// The children of a part (see [`MimeTree::children`]).
#[derive(Debug, Clone)]
pub struct Children<'a> {
    parts: &'a [Part],
    next: usize,
    end: usize,
}

impl Iterator for Children<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next = self
            .parts
            .get(i)
            .map_or(self.end, |p| p.subtree_end as usize);
        Some(i)
    }
}

/// How a header ended.
enum HeaderEnd {
    /// At the empty line.
    Empty,
    /// At the end of the message.
    Eof,
    /// At a boundary line of an enclosing multipart.
    Boundary(Hit),
}

struct Walker<'a> {
    msg: &'a [u8],
    parts: Vec<Part>,
    fields: Vec<Field>,
    boundaries: Vec<Boundary<'a>>,
    cur: usize,
    pos: usize,
    limits: Limits,
    /// The part count limit was reached: the rest is one body.
    to_eof: bool,
    /// How many boundaries were compared in full with a `--` line: the work a hostile
    /// message can make, checked by tests.
    compares: u64,
    /// What an out-of-range index would write to (never, as indices come from the walker).
    scratch: Part,
}

/// What the walker does next.
enum Step {
    Header,
    Body { first_line: bool },
    Done,
}

/// The offsets of a Content-Type read in `msg`, when they fit in 32 bits.
fn content_type_at(
    msg: &[u8],
    media: &[u8],
    subtype: &[u8],
    params: Option<&[u8]>,
    end: usize,
) -> Option<ContentTypeAt> {
    let base = msg.as_ptr() as usize;
    let range = |s: &[u8]| -> Option<(u32, u32)> {
        // An empty slice may not point into the message: any empty range will do.
        if s.is_empty() {
            return Some((0, 0));
        }
        let a = (s.as_ptr() as usize).checked_sub(base)?;
        Some((u32::try_from(a).ok()?, u32::try_from(a + s.len()).ok()?))
    };
    let params = match params {
        None => u32::MAX,
        Some([]) => u32::try_from(end).ok()?,
        Some(p) => range(p)?.0,
    };
    Some(ContentTypeAt {
        media: range(media)?,
        subtype: range(subtype)?,
        params,
        end: u32::try_from(end).ok()?,
    })
}

const MIME_VERSION: grammar::FieldName = grammar::FieldName::new("mime-version");
const CONTENT_TYPE: grammar::FieldName = grammar::FieldName::new("content-type");

/// The `boundary` parameter: the plain one when there is one, found without building the
/// parameter list, else the one RFC 2231 sections merge into.
fn boundary_param(params: &[u8]) -> Option<Cow<'_, [u8]>> {
    grammar::find_parameter(params, "boundary").or_else(|| {
        grammar::parameters(params)
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(b"boundary"))
            .map(|(_, v)| v)
    })
}

impl<'a> Walker<'a> {
    fn part_mut(&mut self, i: usize) -> &mut Part {
        match self.parts.get_mut(i) {
            Some(p) => p,
            None => &mut self.scratch,
        }
    }

    fn part(&self, i: usize) -> &Part {
        self.parts.get(i).unwrap_or(&ROOT)
    }

    fn size(&self, a: usize, b: usize) -> Size {
        Size::of(self.msg, a, b)
    }

    /// The size of `msg[a..b]`, which holds no LF but at its end (one line, or a line end):
    /// found without counting.
    fn line_size(&self, a: usize, b: usize) -> Size {
        let raw = b.saturating_sub(a) as u64;
        let lf = b > a && self.msg.get(b - 1) == Some(&b'\n');
        // That LF is bare unless a CR is before it (Size::of's rule).
        let bare = lf && (b < 2 || self.msg.get(b - 2) != Some(&b'\r'));
        Size {
            raw,
            octets: raw + u64::from(bare),
            lines: u64::from(lf),
        }
    }

    fn line_end(&self, from: usize) -> usize {
        find_lf(self.msg.get(from..).unwrap_or_default()).map_or(self.msg.len(), |i| from + i + 1)
    }

    fn run(&mut self) {
        let mut step = Step::Header;
        loop {
            step = match step {
                Step::Header => self.header(),
                Step::Body { first_line } => self.body(first_line),
                Step::Done => break,
            };
        }
        while self.cur != 0 {
            self.finish_part();
        }
        self.part_mut(0).subtree_end = u32::try_from(self.parts.len()).unwrap_or(NONE);
    }

    /// Reads the header of the current part, then decides what its body is.
    fn header(&mut self) -> Step {
        let first_field = self.fields.len();
        let header_start = self.pos;
        let mut prev_newline = 0usize;
        let mut end = HeaderEnd::Eof;
        let mut open_field: Option<usize> = None;
        // The header's size is counted line by line as the lines are found, not by scanning
        // the header again.
        let mut lines = 0u64;
        let mut bare = 0u64;
        while self.pos < self.msg.len() {
            if !self.boundaries.is_empty()
                && self.msg.get(self.pos..self.pos + 2) == Some(b"--")
                && let Some(hit) = self.boundary_at(self.pos)
            {
                end = HeaderEnd::Boundary(hit);
                break;
            }
            let line_end = self.line_end(self.pos);
            let line = self.msg.get(self.pos..line_end).unwrap_or_default();
            let (content_len, newline) = split_newline(line);
            if newline > 0 {
                lines += 1;
                // A LF alone is bare unless the octet before the line is a CR.
                if newline == 1
                    && (content_len > 0
                        || self.pos == 0
                        || self.msg.get(self.pos - 1) != Some(&b'\r'))
                {
                    bare += 1;
                }
            }
            if content_len == 0 && newline > 0 {
                self.pos = line_end;
                end = HeaderEnd::Empty;
                prev_newline = newline;
                break;
            }
            let content_end = self.pos + content_len;
            match (line.first(), open_field) {
                (Some(b' ' | b'\t'), Some(f)) => {
                    if let Some(field) = self.fields.get_mut(f) {
                        if field.colon {
                            field.value_end = content_end;
                        }
                        field.end = line_end;
                    }
                }
                _ => {
                    let content = line.get(..content_len).unwrap_or_default();
                    // Field names are short: a word-at-a-time search finds the colon sooner
                    // than a vectorised search would start.
                    let field = match find_byte::<b':'>(content) {
                        Some(colon) => {
                            let mut name_end = colon;
                            while name_end > 0
                                && matches!(content.get(name_end - 1), Some(b' ' | b'\t'))
                            {
                                name_end -= 1;
                            }
                            let value = content.get(colon + 1..).unwrap_or_default();
                            let lwsp = value
                                .iter()
                                .take_while(|b| matches!(b, b' ' | b'\t'))
                                .count();
                            // Skip the white space after the colon; when the line holds
                            // nothing else, only its first byte (Dovecot's reading).
                            let skip = if lwsp == value.len() {
                                lwsp.min(1)
                            } else {
                                lwsp
                            };
                            Field {
                                start: self.pos,
                                name_end: self.pos + name_end,
                                value_start: self.pos + colon + 1 + skip,
                                value_end: content_end,
                                end: line_end,
                                colon: true,
                            }
                        }
                        None => Field {
                            start: self.pos,
                            name_end: content_end,
                            value_start: content_end,
                            value_end: content_end,
                            end: line_end,
                            colon: false,
                        },
                    };
                    open_field = Some(self.fields.len());
                    self.fields.push(field);
                }
            }
            prev_newline = newline;
            self.pos = line_end;
        }
        let raw = (self.pos - header_start) as u64;
        let size = Size {
            raw,
            octets: raw + bare,
            lines,
        };
        let cur = self.cur;
        let fields_end = self.fields.len();
        {
            let p = self.part_mut(cur);
            p.header = size;
            p.fields = (
                u32::try_from(first_field).unwrap_or(NONE),
                u32::try_from(fields_end).unwrap_or(NONE),
            );
        }
        if let HeaderEnd::Boundary(_) = end
            && prev_newline > 0
        {
            // The line end before a boundary belongs to the boundary, so it leaves the
            // header for the parent's body.
            let nl = self.line_size(self.pos - prev_newline, self.pos);
            self.part_mut(cur).header.sub(nl);
            let parent = self.part(cur).parent as usize;
            self.part_mut(parent).body.add(nl);
        }
        let boundary = self.classify(cur, first_field, fields_end);
        if matches!(end, HeaderEnd::Empty) {
            let kind = self.part(cur).kind;
            if let Some(text) = boundary.filter(|_| matches!(kind, PartKind::Multipart { .. })) {
                self.boundaries.push(Boundary::new(text, cur));
            }
            // An empty line straight before a boundary line of an enclosing multipart is
            // the line end that belongs to that boundary, not the end of the header
            // (Dovecot's reading). Only an enclosing multipart's boundary can do that.
            if self.boundaries.iter().any(|b| b.part != cur)
                && let Some(hit) = self.boundary_at(self.pos)
                && self
                    .boundaries
                    .get(hit.index)
                    .is_some_and(|b| b.part != cur)
            {
                let nl = self.line_size(self.pos - prev_newline, self.pos);
                self.part_mut(cur).header.sub(nl);
                let parent = self.part(cur).parent as usize;
                self.part_mut(parent).body.add(nl);
                end = HeaderEnd::Boundary(hit);
            }
        }
        let p = self.part(cur);
        let body_start = p.header_start + usize::try_from(p.header.raw).unwrap_or(0);
        self.part_mut(cur).body_start = body_start;
        let kind = self.part(cur).kind;
        match end {
            HeaderEnd::Boundary(hit) => {
                if kind == PartKind::Message {
                    // The embedded message is empty: it starts and ends where the body does.
                    let at = self.pos;
                    self.pos = body_start;
                    self.new_child(cur, false);
                    if self.to_eof {
                        // It is the last part the limit allows: it takes the rest of the
                        // message, the line end given to the boundary included, and the
                        // boundary line is no boundary any more.
                        let nl = self.size(body_start, at);
                        let parent = self.part(cur).parent as usize;
                        self.part_mut(parent).body.sub(nl);
                        return Step::Header;
                    }
                    self.pos = at;
                }
                self.take_boundary(hit)
            }
            _ => {
                if kind == PartKind::Message {
                    self.new_child(cur, false);
                    Step::Header
                } else {
                    Step::Body { first_line: true }
                }
            }
        }
    }

    /// Sets the kind of the part from its header fields; returns its boundary when it is a
    /// multipart that may have parts.
    fn classify(&mut self, cur: usize, from: usize, to: usize) -> Option<Cow<'a, [u8]>> {
        let msg: &'a [u8] = self.msg;
        let mut mime = self.part(cur).mime;
        let mut kind = None;
        let mut boundary = None;
        let mut content_type = None;
        for f in self.fields.get(from..to).unwrap_or_default() {
            if !f.colon {
                continue;
            }
            let name = msg.get(f.start..f.name_end).unwrap_or_default();
            // Only two names matter here; most fields differ from them in length.
            if MIME_VERSION.matches(name) {
                mime = true;
            } else if CONTENT_TYPE.matches(name) {
                mime = true;
                if kind.is_none() {
                    let value = msg.get(f.value_start..f.value_end).unwrap_or_default();
                    let (t, s, params) = grammar::content_type_head(value);
                    content_type = content_type_at(msg, t, s, params, f.value_end);
                    kind = Some(
                        if t.eq_ignore_ascii_case(b"message") && s.eq_ignore_ascii_case(b"rfc822") {
                            Some(PartKind::Message)
                        } else if t.eq_ignore_ascii_case(b"text") {
                            Some(PartKind::Text)
                        } else if t.eq_ignore_ascii_case(b"multipart") && !s.is_empty() {
                            boundary = params.and_then(boundary_param).map(|b| match b {
                                Cow::Borrowed(b) => {
                                    Cow::Borrowed(b.get(..BOUNDARY_MAX).unwrap_or(b))
                                }
                                Cow::Owned(mut b) => {
                                    b.truncate(BOUNDARY_MAX);
                                    Cow::Owned(b)
                                }
                            });
                            Some(PartKind::Multipart {
                                digest: s.eq_ignore_ascii_case(b"digest"),
                            })
                        } else {
                            None
                        },
                    );
                }
            }
        }
        let parent_digest = self
            .part(cur)
            .parent()
            .is_some_and(|p| matches!(self.part(p).kind, PartKind::Multipart { digest: true }));
        let default = if parent_digest {
            PartKind::Message
        } else {
            PartKind::Text
        };
        let mut kind = match (mime, kind) {
            (true, Some(Some(k))) => k,
            (true, Some(None)) => PartKind::Other,
            _ => default,
        };
        let container = matches!(kind, PartKind::Message)
            || (matches!(kind, PartKind::Multipart { .. }) && boundary.is_some());
        let depth = self.part(cur).depth as usize;
        let max_depth = self.limits.max_depth;
        let p = self.part_mut(cur);
        p.mime = mime;
        p.content_type = content_type;
        if container && (depth + 1 >= max_depth || p.overflowed) {
            // Too deep, or the part count is reached: the content stays one body.
            p.overflowed = true;
            kind = PartKind::Other;
            boundary = None;
        }
        if p.overflowed && matches!(kind, PartKind::Multipart { .. }) {
            kind = PartKind::Other;
        }
        p.kind = kind;
        if matches!(kind, PartKind::Multipart { .. }) {
            boundary
        } else {
            None
        }
    }

    /// Starts a child of `parent` at the current position.
    fn new_child(&mut self, parent: usize, mime: bool) {
        let depth = self.part(parent).depth + 1;
        let mut child = Part::new(self.pos, u32::try_from(parent).unwrap_or(NONE), depth, mime);
        if self.parts.len() + 1 >= self.limits.max_parts {
            // The last part allowed takes the rest of the message: no boundary is looked
            // for any more.
            child.overflowed = true;
            self.to_eof = true;
            self.boundaries.clear();
        }
        self.parts.push(child);
        self.cur = self.parts.len() - 1;
    }

    /// Ends the current part: its sizes go into its parent's body.
    fn finish_part(&mut self) {
        let cur = self.cur;
        let end = u32::try_from(self.parts.len()).unwrap_or(NONE);
        let (header, body, parent) = {
            let p = self.part_mut(cur);
            p.subtree_end = end;
            (p.header, p.body, p.parent as usize)
        };
        let parent_part = self.part_mut(parent);
        parent_part.body.add(header);
        parent_part.body.add(body);
        self.cur = parent;
    }

    /// Reads the body of the current part up to a boundary line or the end. Only lines that
    /// start with `--` are looked at (found by [`next_dash_line`]), and the size of the
    /// lines in between is counted once, not line by line.
    fn body(&mut self, first_line: bool) -> Step {
        let cur = self.cur;
        let start = self.pos;
        let msg: &'a [u8] = self.msg;
        if !self.boundaries.is_empty() && !self.to_eof {
            let mut at = start;
            let mut first = first_line;
            loop {
                if msg.get(at..at + 2) == Some(b"--")
                    && let Some(hit) = self.boundary_at(at)
                {
                    self.pos = at;
                    if first {
                        let size = self.size(start, at);
                        self.part_mut(cur).body.add(size);
                    } else {
                        // The line end before the boundary line belongs to the boundary.
                        let nl = newline_before(msg, at);
                        let size = self.size(start, at - nl);
                        self.part_mut(cur).body.add(size);
                        let owner = self.boundaries.get(hit.index).map_or(0, |b| b.part);
                        while self.cur != owner && self.cur != 0 {
                            self.finish_part();
                        }
                        let nl_size = self.line_size(at - nl, at);
                        let c = self.cur;
                        self.part_mut(c).body.add(nl_size);
                    }
                    return self.take_boundary(hit);
                }
                match next_dash_line(msg, at) {
                    Some(next) => {
                        at = next;
                        first = false;
                    }
                    None => break,
                }
            }
        }
        let size = self.size(start, msg.len());
        self.part_mut(cur).body.add(size);
        self.pos = msg.len();
        Step::Done
    }

    /// Handles the boundary line at the current position: ends the parts it closes, adds
    /// the line to the multipart's body, then starts the next part or the epilogue.
    fn take_boundary(&mut self, hit: Hit) -> Step {
        let owner = self.boundaries.get(hit.index).map_or(0, |b| b.part);
        while self.cur != owner && self.cur != 0 {
            self.finish_part();
        }
        if hit.close {
            self.boundaries.truncate(hit.index);
        } else {
            self.boundaries.truncate(hit.index + 1);
        }
        let line_end = self.line_end(self.pos);
        let line = self.line_size(self.pos, line_end);
        self.part_mut(owner).body.add(line);
        self.pos = line_end;
        if hit.close {
            Step::Body { first_line: true }
        } else {
            self.new_child(owner, true);
            Step::Header
        }
    }

    /// The boundary whose delimiter line starts at `at`, if any (RFC 2046 §5.1.1): the
    /// longest open boundary that prefixes the line after `--`, the newest on a tie.
    ///
    /// A boundary is compared in full only when it fits in the line, its first eight octets
    /// are the line's and, once more than one boundary passes that test, the hash of the
    /// line's prefix of its length is its hash. A hostile line (many open boundaries that
    /// share their first octets with it) so costs one pass over at most 80 octets and one
    /// word comparison per open boundary, and full comparisons only with boundaries it
    /// really starts with (or, rarely, whose hash collides); `compares` counts those.
    fn boundary_at(&mut self, at: usize) -> Option<Hit> {
        let rest = self.msg.get(at..)?;
        let data = rest.strip_prefix(b"--")?;
        let find = match find_lf(data) {
            Some(lf) => {
                let mut n = lf;
                if n > 0 && data.get(n - 1) == Some(&b'\r') {
                    n -= 1;
                }
                if n > 2 && data.get(n - 2..n) == Some(b"--") {
                    n -= 2;
                }
                n
            }
            None => data.len().min(BOUNDARY_LINE_MAX),
        };
        let line = data.get(..find).unwrap_or_default();
        let line_head = word(line);
        let mut best: Option<(usize, usize)> = None;
        let mut candidates = 0usize;
        let mut hashes: Option<[u64; BOUNDARY_MAX + 1]> = None;
        for (i, b) in self.boundaries.iter_mut().enumerate().rev() {
            let len = b.text.len();
            if len <= find && line_head & b.mask == b.head && best.is_none_or(|(_, l)| l < len) {
                candidates += 1;
                if candidates > 1 {
                    let hashes = hashes.get_or_insert_with(|| prefix_hashes(line));
                    if hashes.get(len) != Some(&b.hash()) {
                        continue;
                    }
                }
                self.compares += 1;
                if data.get(..len) == Some(&b.text[..]) {
                    best = Some((i, len));
                    if len == find {
                        break;
                    }
                }
            }
        }
        let (index, len) = best?;
        let close = data.get(len..len + 2) == Some(b"--");
        Some(Hit { index, close })
    }
}

/// The position of the first LF in `s`, eight octets at a time: header and boundary lines
/// are too short for a vectorised search to pay for its set-up, so it is used only past
/// 128 octets.
fn find_lf(s: &[u8]) -> Option<usize> {
    find_byte::<b'\n'>(s)
}

/// The position of the first `B` in `s`, eight octets at a time (see [`find_lf`]).
fn find_byte<const B: u8>(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let lf: u64 = LO * B as u64;
    let mut at = 0;
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word) ^ lf;
        // The lowest flagged octet is the first zero octet (the first LF).
        let zero = w.wrapping_sub(LO) & !w & HI;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
        if at >= 128 {
            return memchr::memchr(B, s.get(at..)?).map(|i| at + i);
        }
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == B)
        .map(|i| at + i)
}

/// The LFs of `msg[a..b]` and how many of them are bare (not after a CR; the octet before
/// `a` counts). Short ranges go eight octets at a time; long ones 32 at a time, compared
/// without a branch (vectorised).
fn count_line_ends(msg: &[u8], a: usize, b: usize) -> (usize, usize) {
    let Some(range) = msg.get(a..b) else {
        return (0, 0);
    };
    let before = a
        .checked_sub(1)
        .and_then(|i| msg.get(i))
        .copied()
        .unwrap_or(0);
    if range.len() <= 64 {
        const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const LF: u64 = 0x0a0a_0a0a_0a0a_0a0a;
        const CR: u64 = 0x0d0d_0d0d_0d0d_0d0d;
        // 0x80 in every octet of `w` that is zero, exactly.
        let zeros = |w: u64| !(((w & LO7) + LO7) | w | LO7);
        let (mut lines, mut crlf) = (0u32, 0u32);
        let mut carry = u64::from(before);
        let (words, tail) = range.as_chunks::<8>();
        for word in words {
            let w = u64::from_le_bytes(*word);
            // The octet before each octet of `w`.
            let prev = w << 8 | carry;
            let lf = zeros(w ^ LF);
            lines += lf.count_ones();
            crlf += (lf & zeros(prev ^ CR)).count_ones();
            carry = w >> 56;
        }
        let mut prev = carry as u8;
        for &c in tail {
            lines += u32::from(c == b'\n');
            crlf += u32::from(c == b'\n' && prev == b'\r');
            prev = c;
        }
        return (lines as usize, (lines - crlf) as usize);
    }
    // Each octet with the one before it: `before`, then the range shifted by one.
    let first = range.first().copied().unwrap_or(0);
    let (mut lines, mut crlf) = (
        usize::from(first == b'\n'),
        usize::from(first == b'\n' && before == b'\r'),
    );
    let (Some(prev), Some(cur)) = (range.get(..range.len() - 1), range.get(1..)) else {
        return (lines, lines - crlf);
    };
    let count = |p: &[u8], c: &[u8]| {
        p.iter().zip(c).fold((0u8, 0u8), |(lf, crlf), (&p, &c)| {
            let is_lf = u8::from(c == b'\n');
            (lf + is_lf, crlf + (is_lf & u8::from(p == b'\r')))
        })
    };
    let (prev_chunks, prev_tail) = prev.as_chunks::<32>();
    let (cur_chunks, cur_tail) = cur.as_chunks::<32>();
    for (p, c) in prev_chunks.iter().zip(cur_chunks) {
        let (l, k) = count(p, c);
        lines += usize::from(l);
        crlf += usize::from(k);
    }
    let (l, k) = count(prev_tail, cur_tail);
    (
        lines + usize::from(l),
        lines + usize::from(l) - crlf - usize::from(k),
    )
}

/// The length of a line without its line end, and the line end's length (0, 1 or 2).
fn split_newline(line: &[u8]) -> (usize, usize) {
    match line {
        [rest @ .., b'\r', b'\n'] => (rest.len(), 2),
        [rest @ .., b'\n'] => (rest.len(), 1),
        _ => (line.len(), 0),
    }
}

/// The length of the line end just before `at` (1 for LF, 2 for CRLF).
fn newline_before(msg: &[u8], at: usize) -> usize {
    if at >= 2 && msg.get(at - 2..at) == Some(b"\r\n") {
        2
    } else {
        usize::from(at >= 1 && msg.get(at - 1) == Some(&b'\n'))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn walk(m: &str) -> MimeTree {
        MimeTree::parse(Bytes::copy_from_slice(m.as_bytes()))
    }

    /// The body of part `i` as text.
    fn body(t: &MimeTree, i: usize) -> &str {
        let p = t.part(i).unwrap();
        core::str::from_utf8(&t.message()[p.body_start()..p.end()]).unwrap()
    }

    fn kinds(t: &MimeTree) -> Vec<PartKind> {
        t.parts().iter().map(Part::kind).collect()
    }

    const MP: &str = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n";

    #[test]
    fn crlf_before_a_boundary_belongs_to_the_boundary() {
        // RFC 2046 §5.1.1: "the CRLF preceding the boundary delimiter line is conceptually
        // attached to the boundary".
        let t = walk(&format!("{MP}--b\r\n\r\none\r\ntwo\r\n--b--\r\n"));
        assert_eq!(body(&t, 1), "one\r\ntwo");
        let p = t.part(1).unwrap();
        assert_eq!(
            p.body_size(),
            Size {
                raw: 8,
                octets: 8,
                lines: 1
            }
        );
        // An empty body is empty, not a line end.
        let t = walk(&format!("{MP}--b\r\n\r\n\r\n--b--\r\n"));
        assert_eq!(body(&t, 1), "");
    }

    #[test]
    fn boundary_followed_by_white_space_or_text_still_delimits() {
        // RFC 2046 §5.1.1 lets a boundary line be matched by its prefix.
        let t = walk(&format!(
            "{MP}--b  \r\n\r\none\r\n--b\t\r\n\r\ntwo\r\n--b-- trailing\r\n"
        ));
        assert_eq!(t.parts().len(), 3);
        assert_eq!((body(&t, 1), body(&t, 2)), ("one", "two"));
    }

    #[test]
    fn missing_first_boundary_makes_the_body_a_preamble() {
        let t = walk(&format!("{MP}no boundary here\r\n"));
        assert_eq!(t.parts().len(), 1);
        assert_eq!(t.root().kind(), PartKind::Multipart { digest: false });
        assert_eq!(t.children(0).count(), 0);
    }

    #[test]
    fn missing_final_boundary_lets_the_last_part_run_to_the_end() {
        let t = walk(&format!(
            "{MP}--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\nthree\r\n"
        ));
        assert_eq!(t.parts().len(), 3);
        assert_eq!(body(&t, 2), "two\r\nthree\r\n");
        assert_eq!(t.part(2).unwrap().end(), t.message().len());
    }

    #[test]
    fn empty_multipart_has_no_parts() {
        let t = walk(&format!("{MP}--b--\r\n"));
        assert_eq!(t.parts().len(), 1);
        // Without a boundary parameter a multipart cannot have parts either.
        let t = walk("Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\nx\r\n");
        assert_eq!(t.parts().len(), 1);
    }

    #[test]
    fn header_without_body_or_empty_line() {
        let t = walk("Subject: only a header");
        let root = t.root();
        assert_eq!(root.body_start(), t.message().len());
        assert_eq!(root.body_size(), Size::default());
        assert_eq!(t.fields(0).len(), 1);
        assert_eq!(t.raw_value(&t.fields(0)[0]), b"only a header");
        let t = walk("");
        assert_eq!(t.parts().len(), 1);
    }

    #[test]
    fn bare_lf_counts_as_crlf_in_octets() {
        let t = walk("Subject: x\n\nline one\nline two\r\n");
        assert!(t.has_bare_lf());
        let root = t.root();
        assert_eq!(
            root.header_size(),
            Size {
                raw: 12,
                octets: 14,
                lines: 2
            }
        );
        assert_eq!(
            root.body_size(),
            Size {
                raw: 19,
                octets: 20,
                lines: 2
            }
        );
        assert!(!walk("Subject: x\r\n\r\nbody\r\n").has_bare_lf());
    }

    #[test]
    fn sizes_and_line_counts_sum_up_the_tree() {
        let m = format!(
            "{MP}--b\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>\r\n</p>\r\n--b--\r\n"
        );
        let t = walk(&m);
        let root = t.root();
        assert_eq!(
            root.header_size().raw + root.body_size().raw,
            m.len() as u64
        );
        assert_eq!(t.part(2).unwrap().body_size().lines, 1);
        assert_eq!(
            root.header_size().lines + root.body_size().lines,
            m.matches('\n').count() as u64
        );
    }

    #[test]
    fn header_fields_keep_order_case_and_raw_folded_values() {
        let t = walk("X-B: 2\r\nsubject:  =?utf-8?q?a?=\r\n folded\r\nX-A: 1\r\nno colon\r\n\r\n");
        let f = t.fields(0);
        let names: Vec<&[u8]> = f.iter().map(|f| t.name(f)).collect();
        assert_eq!(names, [&b"X-B"[..], b"subject", b"X-A", b"no colon"]);
        assert_eq!(t.raw_value(&f[1]), b"=?utf-8?q?a?=\r\n folded");
        assert!(!f[3].has_colon());
        assert_eq!(
            t.first(0, "SUBJECT").map(|f| t.raw_value(f)),
            Some(&b"=?utf-8?q?a?=\r\n folded"[..])
        );
        assert_eq!(t.last(0, "x-a").map(|f| t.raw_value(f)), Some(&b"1"[..]));
    }

    #[test]
    fn content_type_is_kept_as_read() {
        let t = walk(
            "Content-Type: (c) Text/Plain ; charset=\"utf-8\"\r\nContent-Type: image/png\r\n\r\nx",
        );
        let (m, s, p) = t.content_type(0).unwrap();
        assert_eq!((m, s), (&b"Text"[..], &b"Plain"[..]));
        assert_eq!(p, Some(&b"; charset=\"utf-8\""[..]));
        // A broken type has no parameters; no field, no value.
        let t = walk("Content-Type: text/plain garbage; a=b\r\n\r\nx");
        assert_eq!(t.content_type(0), Some((&b""[..], &b""[..], None)));
        assert_eq!(walk("Subject: x\r\n\r\n").content_type(0), None);
    }

    #[test]
    fn message_rfc822_is_walked_into_its_message() {
        let t = walk(
            "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: message/rfc822\r\n\r\nSubject: innermost\r\n\r\nbody\r\n",
        );
        assert_eq!(
            kinds(&t),
            [PartKind::Message, PartKind::Message, PartKind::Text]
        );
        assert_eq!(t.part(2).unwrap().depth(), 2);
        assert_eq!(t.raw_value(t.first(2, "subject").unwrap()), b"innermost");
        assert_eq!(body(&t, 2), "body\r\n");
    }

    #[test]
    fn digest_parts_default_to_message_rfc822() {
        let t = walk(
            "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: a\r\n\r\nA\r\n--d\r\nContent-Type: text/plain\r\n\r\nB\r\n--d--\r\n",
        );
        assert_eq!(
            kinds(&t),
            [
                PartKind::Multipart { digest: true },
                PartKind::Message,
                PartKind::Text,
                PartKind::Text
            ]
        );
    }

    #[test]
    fn content_type_counts_only_with_mime_version_or_in_a_multipart() {
        // Content-Type alone makes the part MIME (Dovecot's lenient reading of RFC 2045 §4).
        assert!(walk("Content-Type: text/html\r\n\r\nx").root().is_mime());
        assert!(walk("MIME-Version: 1.0\r\n\r\nx").root().is_mime());
        let t = walk("Content-Transfer-Encoding: base64\r\n\r\nx");
        assert!(!t.root().is_mime());
        assert_eq!(t.root().kind(), PartKind::Text);
        // Every part of a multipart is MIME.
        let t = walk(&format!("{MP}--b\r\nX: y\r\n\r\none\r\n--b--\r\n"));
        assert!(t.part(1).unwrap().is_mime());
    }

    #[test]
    fn nested_multiparts_three_deep() {
        let m = "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/related; boundary=c\r\n\r\n--c\r\n\r\ndeep\r\n--c--\r\n--b--\r\n--a\r\n\r\nlast\r\n--a--\r\n";
        let t = walk(m);
        let depths: Vec<usize> = t.parts().iter().map(Part::depth).collect();
        assert_eq!(depths, [0, 1, 2, 3, 1]);
        assert_eq!(body(&t, 3), "deep");
        assert_eq!(body(&t, 4), "last");
        assert_eq!(t.children(0).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(t.part(3).unwrap().parent(), Some(2));
    }

    #[test]
    fn boundaries_longer_than_80_octets_are_truncated() {
        let long = "x".repeat(90);
        let m = format!(
            "Content-Type: multipart/mixed; boundary=\"{long}\"\r\n\r\n--{}\r\n\r\none\r\n--{}--\r\n",
            &long[..80],
            &long[..80]
        );
        let t = walk(&m);
        assert_eq!(t.parts().len(), 2);
        assert_eq!(body(&t, 1), "one");
    }

    /// `levels` multiparts nested in each other, the innermost holding one text part.
    fn nested(levels: usize) -> String {
        // Zero-padded, so that no boundary is a prefix of another.
        let mut m = String::from("Content-Type: multipart/mixed; boundary=b00000\r\n\r\n");
        for i in 1..levels {
            m.push_str(&format!(
                "--b{:05}\r\nContent-Type: multipart/mixed; boundary=b{i:05}\r\n\r\n",
                i - 1
            ));
        }
        m.push_str(&format!("--b{:05}\r\n\r\nleaf\r\n", levels - 1));
        for i in (0..levels).rev() {
            m.push_str(&format!("--b{i:05}--\r\n"));
        }
        m
    }

    #[test]
    fn nesting_limit_one_under_and_one_over() {
        // 99 multiparts (depths 0..=98) and the leaf at depth 99: 100 levels, all walked.
        let t = walk(&nested(99));
        assert_eq!(t.parts().len(), 100);
        assert!(t.parts().iter().all(|p| !p.overflowed()));
        assert_eq!(t.part(99).unwrap().depth(), 99);
        assert_eq!(body(&t, 99), "leaf");
        // One more: the multipart at depth 99 keeps its content as one opaque body.
        let t = walk(&nested(100));
        assert_eq!(t.parts().len(), 100);
        let last = t.part(99).unwrap();
        assert!(last.overflowed());
        assert_eq!(last.kind(), PartKind::Other);
        assert!(body(&t, 99).contains("leaf"));
        // Far deeper input is still walked without recursion.
        let t = walk(&nested(20_000));
        assert_eq!(t.parts().len(), 100);
    }

    /// A multipart with `n` empty text parts.
    fn many(n: usize) -> String {
        let mut m = String::from(MP);
        for _ in 0..n {
            m.push_str("--b\r\n\r\nx\r\n");
        }
        m.push_str("--b--\r\nepilogue\r\n");
        m
    }

    #[test]
    fn part_limit_one_under_at_and_one_over() {
        // 9 998 parts and the message: under the limit, every part ends at its boundary.
        let t = walk(&many(9_998));
        assert_eq!(t.parts().len(), 9_999);
        assert!(t.parts().iter().all(|p| !p.overflowed()));
        assert_eq!(body(&t, 9_998), "x");
        // The part that reaches 10 000 takes the rest of the message.
        let t = walk(&many(9_999));
        assert_eq!(t.parts().len(), 10_000);
        let last = t.part(9_999).unwrap();
        assert!(last.overflowed());
        assert_eq!(body(&t, 9_999), "x\r\n--b--\r\nepilogue\r\n");
        // One over: still 10 000 parts, the rest is one body.
        let t = walk(&many(10_000));
        assert_eq!(t.parts().len(), 10_000);
        assert_eq!(
            body(&t, 9_999),
            "x\r\n--b\r\n\r\nx\r\n--b--\r\nepilogue\r\n"
        );
        // Smaller limits are kept the same way.
        let t = MimeTree::parse_with(Bytes::from(many(10)), &Limits::new(100, 4));
        assert_eq!(t.parts().len(), 4);
    }

    #[test]
    fn part_limit_reached_by_an_empty_embedded_message() {
        // Found by fuzzing: a message/rfc822 part whose header ends at a boundary line gets
        // an empty embedded message; when that is the last part the limit allows, it takes
        // the rest and no part is started after it.
        let m = format!("{MP}--b\r\nContent-Type: message/rfc822\r\n--b\r\n\r\nx\r\n--b--\r\n");
        for max_parts in 0..6 {
            let t = MimeTree::parse_with(Bytes::from(m.clone()), &Limits::new(100, max_parts));
            assert!(t.parts().len() <= max_parts.max(2), "{max_parts}");
            let root = t.root();
            assert_eq!(root.end(), m.len(), "{max_parts}");
            assert_eq!(
                root.header_size().raw + root.body_size().raw,
                m.len() as u64
            );
            for p in t.parts() {
                assert!(p.header_start() <= p.body_start() && p.end() <= m.len());
                assert_eq!(
                    p.header_start() + p.header_size().raw as usize,
                    p.body_start()
                );
            }
        }
        let t = MimeTree::parse_with(Bytes::from(m.clone()), &Limits::new(100, 3));
        assert_eq!(t.parts().len(), 3);
        assert!(t.part(2).unwrap().overflowed());
        assert_eq!(t.part(2).unwrap().end(), m.len());
    }

    #[test]
    fn next_dash_line_agrees_with_the_substring_search() {
        // Every start offset of bodies with dash lines at every line index (the first few
        // are looked at one by one, the rest searched), LF and CRLF, short and long lines.
        let mut bodies: Vec<Vec<u8>> = vec![b"".to_vec(), b"--".to_vec(), b"\n--".to_vec()];
        for dash_at in 0..6 {
            for long in [false, true] {
                for crlf in [false, true] {
                    let nl = if crlf { "\r\n" } else { "\n" };
                    let text = if long {
                        "x".repeat(150)
                    } else {
                        "line -".to_string()
                    };
                    let mut m = String::new();
                    for i in 0..6 {
                        if i == dash_at {
                            m.push_str("--b");
                        } else {
                            m.push_str(&text);
                        }
                        m.push_str(nl);
                    }
                    bodies.push(m.into_bytes());
                }
            }
        }
        for m in &bodies {
            for at in 0..=m.len() {
                let want = m
                    .get(at..)
                    .and_then(|rest| DASH_LINE.find(rest))
                    .map(|i| at + i + 1);
                assert_eq!(next_dash_line(m, at), want, "{at} {:?}", m);
            }
        }
    }

    #[test]
    fn hostile_boundary_lines_cost_no_full_comparison() {
        // 98 open boundaries that share 60 octets, then 200 000 `--` lines that share
        // those 60 octets with every boundary but equal none: each line costs a word
        // comparison and one prefix hash per boundary, and at most one full comparison.
        let prefix = "x".repeat(60);
        let mut m = String::new();
        for i in 0..98 {
            m.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{prefix}{i:02}\"\r\n\r\n--{prefix}{i:02}\r\n"
            ));
        }
        m.push_str("\r\n");
        let lines = 200_000;
        let hostile = format!("--{prefix}zz\r\n");
        m.push_str(&hostile.repeat(lines));
        let (t, compares) = MimeTree::walk(Bytes::from(m), &Limits::default());
        assert_eq!(t.parts().len(), 99);
        // The 98 real boundary lines, and the first candidate of each hostile line: the
        // one boundary that passes the word test without a hash.
        assert!(compares <= 98 * 98 + lines as u64, "{compares}");
        // Lines that do not share the boundaries' first octets cost no comparison at all.
        let mut m = String::from(MP);
        m.push_str("--b\r\n\r\n");
        m.push_str(&"--not-a-boundary\r\n".repeat(lines));
        let (_, compares) = MimeTree::walk(Bytes::from(m), &Limits::default());
        // The one real boundary line.
        assert_eq!(compares, 1);
    }

    /// The LFs of `msg[a..b]` and the bare ones among them, one octet at a time.
    fn naive_line_ends(msg: &[u8], a: usize, b: usize) -> (usize, usize) {
        let lfs = (a..b).filter(|&i| msg[i] == b'\n');
        let bare = lfs
            .clone()
            .filter(|&i| i == 0 || msg[i - 1] != b'\r')
            .count();
        (lfs.count(), bare)
    }

    proptest::proptest! {
        /// Both paths of `count_line_ends` (eight and 32 octets at a time) agree with the
        /// octet-by-octet count on every range, and the tree's bare-LF flag, taken from
        /// the root's sizes, agrees with a scan of the whole message.
        #[test]
        fn line_ends_are_counted_exactly(
            msg in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'\r', b'\n', b'-', b':', b' ']),
                0..300,
            ),
            cut in 0usize..300,
            len in 0usize..300,
        ) {
            let a = cut.min(msg.len());
            let b = (a + len).min(msg.len());
            proptest::prop_assert_eq!(count_line_ends(&msg, a, b), naive_line_ends(&msg, a, b));
            let tree = MimeTree::parse(Bytes::from(msg.clone()));
            proptest::prop_assert_eq!(tree.has_bare_lf(), naive_line_ends(&msg, 0, msg.len()).1 > 0);
        }
    }
}

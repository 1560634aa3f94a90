//! BODY and BODYSTRUCTURE of a walked message (RFC 9051 §7.5.2), as Dovecot computes them.

use bytes::Bytes;
use mail_core::mime::grammar::{self, FieldName, Param, decode_ext_value};
use mail_core::mime::{Children, MimeTree, PartKind};

use crate::response::{BodyExtension, BodyParams, BodyStructure, Disposition, SinglePartKind};
use crate::types::{IString, NString};

use super::envelope::envelope;
use super::text::{Source, istring, nolf, shared};

/// The `Content-*` data of one part, first field of each name winning (Dovecot's reading),
/// borrowed from the message.
#[derive(Debug, Default)]
struct ContentData<'a> {
    /// `None`: no Content-Type field; `Some(t, s)` as parsed (possibly empty).
    media: Option<(&'a [u8], &'a [u8])>,
    params: Params<'a>,
    encoding: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
    description: Option<&'a [u8]>,
    md5: Option<&'a [u8]>,
    disposition: Option<&'a [u8]>,
    disposition_params: Vec<Param<'a>>,
    language: Vec<&'a [u8]>,
    location: Option<&'a [u8]>,
}

/// The `Content-*` fields BODYSTRUCTURE reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Type,
    TransferEncoding,
    Id,
    Description,
    Md5,
    Location,
    Language,
    Disposition,
}

const CONTENT_TYPE: FieldName = FieldName::new("content-type");
const CONTENT_TRANSFER_ENCODING: FieldName = FieldName::new("content-transfer-encoding");
const CONTENT_ID: FieldName = FieldName::new("content-id");
const CONTENT_DESCRIPTION: FieldName = FieldName::new("content-description");
const CONTENT_MD5: FieldName = FieldName::new("content-md5");
const CONTENT_LOCATION: FieldName = FieldName::new("content-location");
const CONTENT_LANGUAGE: FieldName = FieldName::new("content-language");
const CONTENT_DISPOSITION: FieldName = FieldName::new("content-disposition");

/// The parameters of a Content-Type: the walker found where they are written, and they are
/// read straight into the answer ([`type_params`]); read into a list when the walker did not
/// keep their place.
#[derive(Debug, Default)]
enum Params<'a> {
    #[default]
    None,
    Text(&'a [u8]),
    Parsed(Vec<Param<'a>>),
}

/// Fills `d` (empty) with the data of part `index`. Filled in place: returned by value,
/// even inlined, its 200 octets were copied once more for every part.
#[inline(always)]
fn read_content_data<'a>(tree: &'a MimeTree, index: usize, d: &mut ContentData<'a>) {
    // RFC 2045 §4 (read as Dovecot does): without MIME-Version or Content-Type the
    // Content-* fields do not count.
    let fields = if tree.part(index).is_some_and(|p| p.is_mime()) {
        tree.fields(index)
    } else {
        &[]
    };
    for f in fields {
        if !f.has_colon() {
            continue;
        }
        let name = tree.name(f);
        // Which Content-* field, by length first: most names are rejected by it alone.
        let which = match name.len() {
            10 if CONTENT_ID.matches(name) => Content::Id,
            11 if CONTENT_MD5.matches(name) => Content::Md5,
            12 if CONTENT_TYPE.matches(name) => Content::Type,
            16 if CONTENT_LOCATION.matches(name) => Content::Location,
            16 if CONTENT_LANGUAGE.matches(name) => Content::Language,
            19 if CONTENT_DESCRIPTION.matches(name) => Content::Description,
            19 if CONTENT_DISPOSITION.matches(name) => Content::Disposition,
            25 if CONTENT_TRANSFER_ENCODING.matches(name) => Content::TransferEncoding,
            _ => continue,
        };
        let value = tree.raw_value(f);
        match which {
            Content::Type => {
                if d.media.is_none() {
                    // The walker has read the first Content-Type's head already.
                    if let Some((t, st, params)) = tree.content_type(index) {
                        d.media = Some((t, st));
                        d.params = params.map_or(Params::None, Params::Text);
                    } else {
                        let ct = grammar::content_type(value);
                        d.media = Some((ct.media_type, ct.subtype));
                        d.params = Params::Parsed(ct.params);
                    }
                }
            }
            Content::TransferEncoding => {
                if d.encoding.is_none() {
                    d.encoding = grammar::transfer_encoding(value);
                }
            }
            Content::Id => d.id = d.id.or(Some(value)),
            Content::Description => d.description = d.description.or(Some(value)),
            Content::Md5 => d.md5 = d.md5.or(Some(value)),
            Content::Location => d.location = d.location.or(Some(value)),
            Content::Language => {
                if d.language.is_empty() {
                    d.language = grammar::content_language(value);
                }
            }
            Content::Disposition => {
                if d.disposition_params.is_empty()
                    && let Some((kind, params)) = grammar::content_disposition(value)
                {
                    d.disposition = Some(kind);
                    d.disposition_params = params;
                }
            }
        }
    }
}

/// A parameter list; with `default_charset`, `charset` is added as `us-ascii` when missing
/// (RFC 2045 §5.2 default). Extended RFC 2231 values are decoded to UTF-8 when their charset
/// is known (RFC 9051 §7.5.2: "the server should decode them per [RFC2231], convert to
/// UTF-8, concatenate, and return the resulting value as a parameter "foo*"").
fn params(message: Source<'_>, list: &[Param<'_>], default_charset: bool) -> BodyParams {
    let add_charset =
        default_charset && !list.iter().any(|(k, _)| k.eq_ignore_ascii_case(b"charset"));
    let mut out = BodyParams::new();
    for (k, v) in list {
        let value = if k.last() == Some(&b'*') {
            decode_ext_value(v).map_or_else(|| shared(message, v), |t| istring(t.into_bytes()))
        } else {
            shared(message, v)
        };
        out.push((token(message, k), value));
    }
    if add_charset {
        out.push((s(b"charset"), s(b"us-ascii")));
    }
    out
}

/// The Content-Type parameters as [`params`] gives them, read without building a parameter
/// list first unless RFC 2231 sections need merging.
fn type_params(message: Source<'_>, list: &Params<'_>, default_charset: bool) -> BodyParams {
    match list {
        Params::None => params(message, &[], default_charset),
        Params::Parsed(list) => params(message, list, default_charset),
        Params::Text(text) => {
            let mut out = BodyParams::new();
            let mut has_charset = false;
            // A plain parameter's name never ends in `*` (that is a section), so its value
            // is served as written.
            let plain = grammar::plain_parameters(text, |k, v| {
                has_charset |= k.eq_ignore_ascii_case(b"charset");
                out.push((token(message, k), token(message, &v)));
            });
            if !plain {
                return params(message, &grammar::parameters(text), default_charset);
            }
            if default_charset && !has_charset {
                out.push((s(b"charset"), s(b"us-ascii")));
            }
            out
        }
    }
}

fn opt(message: Source<'_>, v: Option<&[u8]>) -> NString {
    v.map_or(NString(None), |v| nolf(message, v))
}

// Inlined: its value is then built in place in the part's structure, not copied in.
#[inline(always)]
fn extension(message: Source<'_>, d: &ContentData<'_>) -> BodyExtension {
    BodyExtension {
        disposition: d.disposition.map(|k| {
            Box::new(Disposition {
                kind: token(message, k),
                params: params(message, &d.disposition_params, false),
            })
        }),
        // Most parts have none: no collecting then.
        language: if d.language.is_empty() {
            Vec::new()
        } else {
            d.language.iter().map(|l| shared(message, l)).collect()
        },
        location: opt(message, d.location),
        extensions: Vec::new(),
    }
}

/// A constant string (no allocation).
fn s(bytes: &'static [u8]) -> IString {
    IString(Bytes::from_static(bytes))
}

/// `part` as [`shared`] gives it, but a constant without a reference count when it is one
/// of the media types, subtypes, encodings, parameter names and values that most parts
/// write, exactly as written (case matters: the answer shows what the message says):
/// neither building nor dropping the answer then touches the message's reference count.
// Inlined: most calls end at the first comparisons.
#[inline(always)]
fn token(src: Source<'_>, part: &[u8]) -> IString {
    let t: &'static [u8] = match part {
        b"text" => b"text",
        b"plain" => b"plain",
        b"html" => b"html",
        b"multipart" => b"multipart",
        b"mixed" => b"mixed",
        b"alternative" => b"alternative",
        b"application" => b"application",
        b"octet-stream" => b"octet-stream",
        b"7bit" => b"7bit",
        b"base64" => b"base64",
        b"charset" => b"charset",
        b"boundary" => b"boundary",
        b"name" => b"name",
        b"us-ascii" => b"us-ascii",
        b"utf-8" => b"utf-8",
        _ => return shared(src, part),
    };
    s(t)
}

/// The dummy part of a multipart without parts (RFC 9051 §9 requires at least one):
/// an empty text/plain, as Dovecot shows it.
fn empty_part(extended: bool) -> BodyStructure {
    BodyStructure::Single {
        media_type: s(b"text"),
        subtype: s(b"plain"),
        params: BodyParams::one(s(b"charset"), s(b"us-ascii")),
        id: NString(None),
        description: NString(None),
        encoding: s(b"7bit"),
        octets: 0,
        kind: SinglePartKind::Text { lines: 0 },
        md5: NString(None),
        extension: extended.then(BodyExtension::default),
    }
}

/// An open container while the structure is built: its part index, whether it is a
/// multipart, the structures of its children so far (a message/rfc822 part's one child,
/// its message, included) and the children still to build.
struct Open<'a> {
    index: usize,
    multipart: bool,
    parts: Vec<BodyStructure>,
    children: Children<'a>,
}

/// Builds the structure of part `root` without recursion: a part is built when it is
/// reached in document order, straight into its container's list of parts (a 384-octet
/// value is not moved through a variable first); only the open containers (multiparts and
/// message/rfc822 parts) are stacked.
pub(super) fn body_structure(tree: &MimeTree, root: usize, extended: bool) -> BodyStructure {
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut index = root;
    loop {
        // Down: open the containers down to the first part that is none.
        let leaf = loop {
            let Some(part) = tree.part(index) else {
                break None;
            };
            let multipart = matches!(part.kind(), PartKind::Multipart { .. });
            let mut children = tree.children(index);
            let first = if multipart || part.kind() == PartKind::Message {
                children.next()
            } else {
                None
            };
            let Some(first) = first else {
                break Some(index);
            };
            let capacity = if multipart {
                tree.children(index).count()
            } else {
                1
            };
            open.push(Open {
                index,
                multipart,
                parts: Vec::with_capacity(capacity),
                children,
            });
            index = first;
        };
        match open.last_mut() {
            Some(top) => top.parts.push(leaf_structure(tree, leaf, extended)),
            None => return leaf_structure(tree, leaf, extended),
        }
        // Up: close the containers that part completes, each built into its own container.
        loop {
            if let Some(top) = open.last_mut()
                && top.multipart
                && let Some(next) = top.children.next()
            {
                index = next;
                break;
            }
            let Some(done) = open.pop() else {
                return empty_part(extended);
            };
            match open.last_mut() {
                Some(top) => top
                    .parts
                    .push(build_one(tree, done.index, extended, done.parts)),
                None => return build_one(tree, done.index, extended, done.parts),
            }
        }
    }
}

/// The structure of a part without children to build, `leaf`; the dummy part when the
/// tree has no such part.
// Inlined: called in a `push` or a `return`, its value is built where it goes.
#[inline(always)]
fn leaf_structure(tree: &MimeTree, leaf: Option<usize>, extended: bool) -> BodyStructure {
    match leaf {
        Some(index) => build_one(tree, index, extended, Vec::new()),
        None => empty_part(extended),
    }
}

/// Builds part `index` from the structures of its children, `parts`: a multipart's parts,
/// or a message/rfc822 part's one, the structure of its message.
fn build_one(
    tree: &MimeTree,
    index: usize,
    extended: bool,
    mut parts: Vec<BodyStructure>,
) -> BodyStructure {
    let Some(part) = tree.part(index) else {
        return empty_part(extended);
    };
    let src = Source::message(tree);
    let mut d = ContentData::default();
    read_content_data(tree, index, &mut d);
    let size = part.body_size();
    let octets = u32::try_from(size.octets).unwrap_or(u32::MAX);
    match part.kind() {
        PartKind::Multipart { .. } => {
            if parts.is_empty() {
                parts.push(empty_part(extended));
            }
            let subtype = d
                .media
                .map_or_else(|| s(b"x-unknown"), |(_, st)| token(src, st));
            let (params, extension) = if extended {
                (type_params(src, &d.params, false), Some(extension(src, &d)))
            } else {
                (BodyParams::new(), None)
            };
            BodyStructure::Multipart {
                parts,
                subtype,
                params,
                extension,
            }
        }
        kind => {
            let message = kind == PartKind::Message;
            let (media_type, subtype, text) = if message {
                (s(b"message"), s(b"rfc822"), false)
            } else if part.overflowed() && kind == PartKind::Other {
                // A container flattened by the limits is shown as opaque data.
                (s(b"application"), s(b"octet-stream"), false)
            } else {
                match d.media {
                    None => (s(b"text"), s(b"plain"), true),
                    Some((t, st)) => (
                        token(src, t),
                        token(src, st),
                        t.eq_ignore_ascii_case(b"text"),
                    ),
                }
            };
            let kind = if text {
                SinglePartKind::Text { lines: size.lines }
            } else if message {
                let child = tree.children(index).next();
                match child {
                    Some(c) => SinglePartKind::Message {
                        envelope: Box::new(envelope(tree, c)),
                        body: Box::new(parts.pop().unwrap_or_else(|| empty_part(extended))),
                        lines: size.lines,
                    },
                    None => SinglePartKind::Basic,
                }
            } else {
                SinglePartKind::Basic
            };
            BodyStructure::Single {
                media_type,
                subtype,
                params: type_params(src, &d.params, text),
                id: opt(src, d.id),
                description: opt(src, d.description),
                encoding: d.encoding.map_or_else(|| s(b"7bit"), |e| token(src, e)),
                octets,
                kind,
                md5: if extended {
                    opt(src, d.md5)
                } else {
                    NString(None)
                },
                extension: extended.then(|| extension(src, &d)),
            }
        }
    }
}

/// The transfer encoding BINARY decodes: the first `Content-Transfer-Encoding` field, even
/// without `MIME-Version` (Dovecot decodes such a body too); `None` when that field cannot
/// be read (an empty or broken value is an unknown encoding, RFC 3516 §4.3).
pub(super) fn binary_encoding(tree: &MimeTree, index: usize) -> Option<Bytes> {
    match tree.fields(index).iter().find(|f| {
        f.has_colon()
            && tree
                .name(f)
                .eq_ignore_ascii_case(b"content-transfer-encoding")
    }) {
        None => Some(Bytes::from_static(b"7bit")),
        Some(f) => grammar::transfer_encoding(tree.raw_value(f)).map(Bytes::copy_from_slice),
    }
}

/// The declared charset of part `index`, when it is text.
pub(super) fn charset(tree: &MimeTree, index: usize) -> Option<Vec<u8>> {
    let mut d = ContentData::default();
    read_content_data(tree, index, &mut d);
    let list = match d.params {
        Params::None => Vec::new(),
        Params::Text(text) => grammar::parameters(text),
        Params::Parsed(list) => list,
    };
    list.into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(b"charset"))
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::types::Encode;

    fn bs(m: &str, extended: bool) -> String {
        let tree = MimeTree::parse(Bytes::copy_from_slice(m.as_bytes()));
        String::from_utf8(body_structure(&tree, 0, extended).to_wire()).unwrap()
    }

    const HEAD: &str = "MIME-Version: 1.0\r\n";

    #[test]
    fn defaults_text_plain_us_ascii_7bit() {
        assert_eq!(
            bs("Subject: x\r\n\r\nhello\r\n", false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 7 1)"
        );
        // A text type without charset gets the default; other types do not.
        assert!(
            bs(&format!("{HEAD}Content-Type: text/html\r\n\r\nx"), false)
                .starts_with("(\"text\" \"html\" (\"charset\" \"us-ascii\")")
        );
        assert!(
            bs(&format!("{HEAD}Content-Type: image/png\r\n\r\nx"), false)
                .starts_with("(\"image\" \"png\" NIL NIL NIL \"7bit\" 1)")
        );
    }

    #[test]
    fn content_fields_ignored_without_mime_version_and_content_type() {
        let m = "Content-Transfer-Encoding: base64\r\nContent-ID: <x@y>\r\nContent-Description: d\r\n\r\naGk=\r\n";
        assert_eq!(
            bs(m, false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1)"
        );
        assert!(bs(&format!("{HEAD}{m}"), false).contains("\"<x@y>\" \"d\" \"base64\""));
    }

    #[test]
    fn digest_children_are_message_rfc822() {
        let m = "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: a\r\n\r\nA\r\n--d--\r\n";
        let s = bs(m, false);
        assert!(
            s.starts_with("((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 15 (NIL \"a\""),
            "{s}"
        );
        assert!(s.ends_with(" 2) \"digest\")"), "{s}");
    }

    #[test]
    fn empty_multipart_gets_a_dummy_part() {
        assert_eq!(
            bs(
                &format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n"),
                true
            ),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"
        );
    }

    #[test]
    fn crlf_before_a_boundary_is_not_counted() {
        let s = bs(
            &format!(
                "{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nab\r\ncd\r\n--b--\r\n"
            ),
            false,
        );
        assert!(s.contains("\"7bit\" 6 1)"), "{s}");
    }

    #[test]
    fn line_counts_only_for_text_and_message() {
        let s = bs(
            &format!(
                "{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf\r\n\r\n1\r\n2\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: s\r\n\r\nx\r\n--b--\r\n"
            ),
            false,
        );
        assert!(
            s.contains("(\"application\" \"pdf\" NIL NIL NIL \"7bit\" 4)"),
            "{s}"
        );
        // message/rfc822: envelope, structure (its text part counts its own lines), and
        // the line count of the whole part.
        assert!(s.contains("\"7bit\" 1 0) 2)"), "{s}");
    }

    #[test]
    fn extension_data_md5_disposition_language_location() {
        let m = format!(
            "{HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-MD5: Q2hlY2s=\r\nContent-Disposition: attachment; filename=\"a b.txt\"\r\nContent-Language: en, de\r\nContent-Location: http://example.com/a\r\n\r\nx"
        );
        assert!(bs(&m, true).ends_with(
            "1 0 \"Q2hlY2s=\" (\"attachment\" (\"filename\" \"a b.txt\")) (\"en\" \"de\") \"http://example.com/a\")"
        ));
        // BODY carries none of it.
        assert!(bs(&m, false).ends_with("\"7bit\" 1 0)"));
    }

    #[test]
    fn common_tokens_are_constants_with_the_bytes_as_written() {
        let m = Bytes::from_static(b"text Text TEXT us-ascii");
        let src = Source::new(&m);
        let inside = |i: &IString| {
            let p = i.as_bytes().as_ptr() as usize;
            (m.as_ptr() as usize..m.as_ptr() as usize + m.len()).contains(&p)
        };
        // Exactly a known token: a constant, not a slice of the message.
        let t = token(src, &m[..4]);
        assert_eq!(t.as_bytes(), &b"text"[..]);
        assert!(!inside(&t));
        let t = token(src, &m[15..]);
        assert_eq!(t.as_bytes(), &b"us-ascii"[..]);
        assert!(!inside(&t));
        // Other spellings are served as written, as slices.
        for range in [5..9, 10..14] {
            let t = token(src, &m[range.clone()]);
            assert_eq!(t.as_bytes(), &m[range]);
            assert!(inside(&t));
        }
    }

    #[test]
    fn rfc2231_values_are_decoded_to_utf8() {
        let m = format!(
            "{HEAD}Content-Type: application/octet-stream; name*0*=iso-8859-1''caf%E9; name*1=\".txt\"\r\n\r\nx"
        );
        // 8-bit text goes as a literal.
        assert!(
            bs(&m, false).contains("(\"name*\" {9}\r\ncafé.txt)"),
            "{}",
            bs(&m, false)
        );
    }
}

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Properties of the MIME walker and the section products: for any generated part tree,
//! walking its rendering gives back the same tree (kinds, nesting, bodies), and every
//! section is a slice that lies within the message, and the sizes count every octet once.

use std::num::NonZeroU32;

use bytes::Bytes;
use imap_proto::message::MessageStructure;
use imap_proto::types::{Section, SectionText};
use mail_core::mime::PartKind;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Node {
    Leaf { subtype: &'static str, body: String },
    Multipart(Vec<Node>),
    Message(Box<Node>),
}

fn leaf() -> impl Strategy<Value = Node> {
    (
        prop::sample::select(vec!["plain", "html", "octet-stream"]),
        prop::collection::vec("[a-z ]{0,12}", 0..4),
    )
        .prop_map(|(subtype, lines)| Node::Leaf {
            subtype,
            body: lines.join("\r\n"),
        })
}

fn tree() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Node::Multipart),
            inner.prop_map(|n| Node::Message(Box::new(n))),
        ]
    })
}

/// Renders a node; `next` numbers the boundaries so that none is a prefix of another.
fn render(node: &Node, next: &mut u32, out: &mut String) {
    match node {
        Node::Leaf { subtype, body } => {
            let t = if *subtype == "octet-stream" {
                "application"
            } else {
                "text"
            };
            out.push_str(&format!("Content-Type: {t}/{subtype}\r\n\r\n{body}"));
        }
        Node::Multipart(children) => {
            let b = format!("bnd{:04}", *next);
            *next += 1;
            out.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n"
            ));
            for c in children {
                out.push_str(&format!("--{b}\r\n"));
                render(c, next, out);
                out.push_str("\r\n");
            }
            out.push_str(&format!("--{b}--"));
        }
        Node::Message(child) => {
            out.push_str(
                "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nMIME-Version: 1.0\r\n",
            );
            render(child, next, out);
        }
    }
}

/// The kinds of the model in document order, and the body of every leaf.
fn expected(node: &Node, kinds: &mut Vec<PartKind>, bodies: &mut Vec<Option<String>>) {
    match node {
        Node::Leaf { subtype, body } => {
            kinds.push(if *subtype == "octet-stream" {
                PartKind::Other
            } else {
                PartKind::Text
            });
            bodies.push(Some(body.clone()));
        }
        Node::Multipart(children) => {
            kinds.push(PartKind::Multipart { digest: false });
            bodies.push(None);
            for c in children {
                expected(c, kinds, bodies);
            }
        }
        Node::Message(child) => {
            kinds.push(PartKind::Message);
            bodies.push(None);
            expected(child, kinds, bodies);
        }
    }
}

/// Renders the message: the root's header, then the node.
fn message(node: &Node) -> String {
    let mut out = String::from("Subject: generated\r\nMIME-Version: 1.0\r\n");
    render(node, &mut 0, &mut out);
    out
}

fn within(outer: &Bytes, inner: &Bytes) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    inner.is_empty() || (i >= o && i + inner.len() <= o + outer.len())
}

proptest! {
    #[test]
    fn walking_a_rendering_gives_the_tree(node in tree()) {
        let text = message(&node);
        let msg = MessageStructure::parse(Bytes::from(text.clone()));
        let (mut kinds, mut bodies) = (Vec::new(), Vec::new());
        expected(&node, &mut kinds, &mut bodies);
        let tree = msg.tree();
        // The root is the top node itself; a message/rfc822 adds its embedded message.
        let walked: Vec<PartKind> = tree.parts().iter().map(|p| p.kind()).collect();
        let mut model_iter = kinds.iter();
        let mut body_iter = bodies.iter();
        let mut i = 0;
        while i < walked.len() {
            let k = model_iter.next().expect("more parts walked than modelled");
            let body = body_iter.next().unwrap();
            prop_assert_eq!(walked[i], *k, "part {} of {:?}", i, text);
            if let Some(body) = body {
                let p = tree.part(i).unwrap();
                prop_assert_eq!(&text.as_bytes()[p.body_start()..p.end()], body.as_bytes());
            }
            if *k == PartKind::Message {
                // The embedded message is the child walked next: its kind is the child's.
                i += 1;
                let child = tree.part(i).unwrap();
                prop_assert_eq!(child.parent(), Some(i - 1));
                continue;
            }
            i += 1;
        }
        prop_assert!(model_iter.next().is_none());
        prop_assert_eq!(tree.root().end(), text.len());
    }

    #[test]
    fn sections_lie_within_the_message(node in tree(), extra in 1u32..4) {
        let raw = Bytes::from(message(&node));
        let msg = MessageStructure::parse(raw.clone());
        let count = msg.tree().parts().len() as u32 + extra;
        for a in 1..=count.min(6) {
            for b in [None, Some(1), Some(2)] {
                let mut path = vec![NonZeroU32::new(a).unwrap()];
                path.extend(b.and_then(NonZeroU32::new));
                for text in [None, Some(SectionText::Mime), Some(SectionText::Text), Some(SectionText::Header)] {
                    let section = Section::new(path.clone(), text).unwrap();
                    let data = msg.section(&section);
                    prop_assert!(within(&raw, &data), "{:?}", section);
                }
            }
        }
        prop_assert!(within(&raw, &msg.section(&Section::default())));
    }

    /// With any of its CRLFs made bare LFs, a message's root sizes count every octet once:
    /// raw octets, LFs, and octets with each bare LF counted as CRLF (what RFC822.SIZE
    /// reports); the tree's bare-LF flag follows.
    #[test]
    fn sizes_count_every_octet_once(node in tree(), bare in prop::collection::vec(any::<bool>(), 0..64)) {
        let mut text = Vec::new();
        let mut n = 0;
        let crlf = message(&node);
        let mut rest = crlf.as_bytes();
        while let Some(i) = rest.windows(2).position(|w| w == b"\r\n") {
            text.extend_from_slice(&rest[..i]);
            if bare.get(n).copied().unwrap_or(false) {
                text.push(b'\n');
            } else {
                text.extend_from_slice(b"\r\n");
            }
            n += 1;
            rest = &rest[i + 2..];
        }
        text.extend_from_slice(rest);
        let lfs = text.iter().filter(|&&b| b == b'\n').count() as u64;
        let bare_lfs = (0..text.len())
            .filter(|&i| text[i] == b'\n' && (i == 0 || text[i - 1] != b'\r'))
            .count() as u64;
        let msg = MessageStructure::parse(Bytes::from(text.clone()));
        let root = msg.tree().root();
        let (h, b) = (root.header_size(), root.body_size());
        prop_assert_eq!(h.raw + b.raw, text.len() as u64);
        prop_assert_eq!(h.lines + b.lines, lfs);
        prop_assert_eq!(h.octets + b.octets, text.len() as u64 + bare_lfs);
        prop_assert_eq!(msg.tree().has_bare_lf(), bare_lfs > 0);
    }
}

//! Fuzzes the MIME walker and its IMAP products: any input walks without panicking, every
//! offset lies within the message and agrees with the sizes, and the encoded BODYSTRUCTURE
//! and ENVELOPE parse back through imap-proto's response grammar to exactly the same values.
//! libFuzzer's time limit catches a walk that is not linear in the input.
#![no_main]

use bytes::Bytes;
use imap_proto::message::MessageStructure;
use imap_proto::response::{Data, FetchItem, Response};
use imap_proto::types::Section;
use mail_core::mime::Limits;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let message = Bytes::copy_from_slice(data);
    for limits in [Limits::default(), Limits::new(3, 8)] {
        let msg = MessageStructure::parse_with(message.clone(), &limits);
        let tree = msg.tree();
        assert!(tree.parts().len() <= limits.max_parts.max(2));
        for (i, p) in tree.parts().iter().enumerate() {
            assert!(p.header_start() <= p.body_start(), "{i}");
            assert!(p.body_start() <= p.end() && p.end() <= data.len(), "{i}");
            assert_eq!(
                p.header_size().raw as usize,
                p.body_start() - p.header_start()
            );
            assert!(p.depth() < limits.max_depth.max(1) + 1);
            if let Some(parent) = p.parent().and_then(|q| tree.part(q)) {
                assert!(parent.body_start() <= p.header_start() && p.end() <= parent.end());
            }
            for f in tree.fields(i) {
                assert!(p.header_start() <= f.start() && f.end() <= data.len());
            }
        }
        let root = tree.root();
        assert_eq!(root.end(), data.len());
        let size = msg.rfc822_size();
        assert!(size >= data.len() as u64);
        for extended in [true, false] {
            let ours = msg.body_structure(extended);
            let item = if extended {
                FetchItem::BodyStructure(Box::new(ours.clone()))
            } else {
                FetchItem::Body(Box::new(ours.clone()))
            };
            let wire = Response::Data(Data::Fetch {
                seq: core::num::NonZeroU32::MIN,
                items: vec![item, FetchItem::Envelope(Box::new(msg.envelope()))],
            })
            .to_bytes();
            let line = Bytes::copy_from_slice(wire.strip_suffix(b"\r\n").unwrap_or(&wire));
            let parsed = Response::parse_bytes(&line, 10_000).expect("our BODYSTRUCTURE parses");
            let Response::Data(Data::Fetch { items, .. }) = parsed else {
                panic!("not a FETCH");
            };
            let (FetchItem::BodyStructure(back) | FetchItem::Body(back)) = &items[0] else {
                panic!("not a body structure");
            };
            assert_eq!(**back, ours);
            assert_eq!(items[1], FetchItem::Envelope(Box::new(msg.envelope())));
        }
        for text in [
            &b"[]"[..],
            b"[HEADER]",
            b"[TEXT]",
            b"[1]",
            b"[1.MIME]",
            b"[2.1.TEXT]",
        ] {
            let section = Section::parse(text).expect("a valid section");
            assert!(msg.section(&section).len() as u64 <= size + 1);
        }
        let _ = msg.binary_size(&[core::num::NonZeroU32::MIN]);
        let _ = msg.body_contains("x");
    }
});

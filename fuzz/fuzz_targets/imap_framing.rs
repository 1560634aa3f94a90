//! Frames arbitrary bytes with the IMAP framer at split points taken from the data, with
//! small limits, as a server (deciding each synchronising literal from its size) and as a
//! client. No panic; frames and buffered input stay within the limits; the split points
//! do not change the result.
#![no_main]

use bytes::BytesMut;
use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
use libfuzzer_sys::fuzz_target;

const MAX_LINE: usize = 48;
const MAX_LITERAL: u64 = 64;
const MAX_MESSAGE: u64 = 160;

fn frame(config: &FramerConfig, chunks: &[&[u8]]) -> Vec<String> {
    let mut framer = Framer::new(config.clone());
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(ev) = framer.next_frame(&mut buf) {
            match ev {
                Ok(FrameEvent::Frame(f)) => {
                    assert!(f.bytes().len() as u64 <= MAX_MESSAGE);
                    out.push(format!("frame {:?}", f.bytes()));
                }
                Ok(FrameEvent::LiteralAnnounced { size, .. }) => {
                    assert!(size <= MAX_LITERAL);
                    out.push(format!("announced {size}"));
                    if size % 3 == 0 {
                        framer.reject_literal(&mut buf);
                    } else {
                        framer.accept_literal();
                    }
                }
                Ok(other) => out.push(format!("{other:?}")),
                Err(e) => out.push(format!("error {e:?}")),
            }
        }
        assert!(buf.len() as u64 <= MAX_MESSAGE + MAX_LINE as u64 + chunk.len() as u64);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let mut server = FramerConfig::server();
    server.max_line = MAX_LINE;
    server.max_literal = MAX_LITERAL;
    server.max_message = MAX_MESSAGE;
    server.literal_minus = first & 1 == 1;
    let mut client = server.clone();
    client.announce_sync_literals = false;
    let step = usize::from(first % 16) + 1;
    let pieces: Vec<&[u8]> = input.chunks(step).collect();
    for config in [&server, &client] {
        let whole = frame(config, &[input]);
        assert_eq!(frame(config, &pieces), whole);
    }
});

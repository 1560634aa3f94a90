#![no_main]
//! Frames arbitrary bytes, split at a point taken from the data, under both bare-newline
//! policies with a small limit. No panic, and no line ever contains CR or LF or exceeds the
//! limit; the split must not change the result.

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use mail_core::line::{BareNewline, LineError, LineFramer};

fn frame(max_len: usize, policy: BareNewline, chunks: &[&[u8]]) -> Vec<Result<Bytes, LineError>> {
    let mut framer = LineFramer::new(max_len, policy);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(item) = framer.next_line(&mut buf) {
            if let Ok(line) = &item {
                assert!(!line.contains(&b'\r') && !line.contains(&b'\n'));
                assert!(line.len() < max_len);
            }
            out.push(item);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let max_len = usize::from(first % 64) + 2;
    let cut = if input.is_empty() {
        0
    } else {
        usize::from(first) * 7 % input.len()
    };
    let (a, b) = input.split_at(cut);
    for policy in [BareNewline::Reject, BareNewline::Normalize] {
        let whole = frame(max_len, policy, &[input]);
        assert_eq!(frame(max_len, policy, &[a, b]), whole);
    }
});

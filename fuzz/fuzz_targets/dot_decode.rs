#![no_main]
//! Decodes arbitrary bytes as dot-stuffed data under both bare-newline policies, whole and
//! split at a point taken from the data, and checks that encode → decode gives the input
//! back in canonical form (CRLF line ends, a final CRLF).

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use mail_core::dot::{BareNewline, DotDecoder, DotEncoder, DotError, DotEvent};

fn decode(
    policy: BareNewline,
    chunks: &[&[u8]],
) -> (Vec<u8>, Option<Result<(), DotError>>, Vec<u8>) {
    let mut decoder = DotDecoder::new(policy);
    let mut buf = BytesMut::new();
    let mut content = Vec::new();
    let mut end = None;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(event) = decoder.decode(&mut buf) {
            match event {
                DotEvent::Data(data) => {
                    assert!(end.is_none() && !data.is_empty());
                    content.extend_from_slice(&data);
                }
                DotEvent::End(result) => {
                    assert!(end.is_none());
                    end = Some(result);
                }
                _ => unreachable!(),
            }
        }
    }
    (content, end, buf.to_vec())
}

/// Every bare CR or LF as CRLF, and a final CRLF on non-empty content.
fn canonical(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 2);
    let mut rest = content;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if let Some(after) = rest.strip_prefix(b"\n") {
                    rest = after;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let cut = data
        .first()
        .map_or(0, |&b| usize::from(b) * 13 % (data.len() + 1));
    let (a, b) = data.split_at(cut);
    for policy in [BareNewline::Reject, BareNewline::Normalize] {
        let whole = decode(policy, &[data]);
        assert_eq!(decode(policy, &[a, b]), whole);
        // Only CRLF.CRLF (with the CRLF before the data) can end it.
        if whole.1.is_some() {
            let framed = [&b"\r\n"[..], data].concat();
            assert!(framed.windows(5).any(|w| w == b"\r\n.\r\n"));
        }
    }

    let mut wire = BytesMut::new();
    let mut encoder = DotEncoder::new();
    encoder.encode(a, &mut wire);
    encoder.encode(b, &mut wire);
    encoder.finish(&mut wire);
    let (content, end, rest) = decode(BareNewline::Reject, &[&wire]);
    assert_eq!(content, canonical(data));
    assert_eq!(end, Some(Ok(())));
    assert!(rest.is_empty());
});

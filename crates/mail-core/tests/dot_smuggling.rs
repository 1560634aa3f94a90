#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! SMTP smuggling: only `CRLF.CRLF` ends the data (RFC 5321 §4.5.2, §2.3.8).
//!
//! Every near-miss terminator is placed inside a message that has a real terminator later,
//! under both bare-newline policies, and fed whole, byte by byte and at pseudo-random split
//! points, also after a long body so that the decoder's block fast path meets it.

use bytes::BytesMut;
use mail_core::dot::{BareNewline, DotDecoder, DotError, DotEvent};

/// The near-miss terminators of ARCHITECTURE.md's security rules.
const VECTORS: &[&[u8]] = &[
    b"\n.\n",
    b"\n.\r\n",
    b"\r\n.\n",
    b"\r.\r",
    b"\r.\r\n",
    b"\n.\r",
    b"\r.\n",
    b"\r\n.\r\r\n",
    b"\r\r\n.\r\r\n",
    b"\r\n\x00.\r\n",
    b"\r\n.\x00\r\n",
];

const POLICIES: [BareNewline; 2] = [BareNewline::Reject, BareNewline::Normalize];

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    content: Vec<u8>,
    ends: Vec<Result<(), DotError>>,
    rest: Vec<u8>,
}

/// Feeds `chunks` one after the other, draining the decoder after each.
fn run(policy: BareNewline, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = DotDecoder::new(policy);
    let mut buf = BytesMut::new();
    let mut content = Vec::new();
    let mut ends = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(event) = decoder.decode(&mut buf) {
            match event {
                DotEvent::Data(data) => {
                    assert!(ends.is_empty(), "data after the end");
                    content.extend_from_slice(&data);
                }
                DotEvent::End(result) => ends.push(result),
                _ => unreachable!(),
            }
        }
    }
    Outcome {
        content,
        ends,
        rest: buf.to_vec(),
    }
}

/// Runs `input` whole, byte by byte and at several pseudo-random split points, and checks
/// that all three give the same outcome.
fn run_all_ways(policy: BareNewline, input: &[u8]) -> Outcome {
    let whole = run(policy, &[input]);
    let bytewise: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(policy, &bytewise), whole, "byte by byte");
    let mut seed = 0x9e37_79b9_u32 ^ input.len() as u32;
    for _ in 0..8 {
        let mut chunks = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let n = (seed >> 24) as usize % 97 + 1;
            let (head, tail) = rest.split_at(n.min(rest.len()));
            chunks.push(head);
            rest = tail;
        }
        assert_eq!(run(policy, &chunks), whole, "random splits");
    }
    whole
}

fn has_bare_newline(data: &[u8]) -> bool {
    data.iter().enumerate().any(|(i, &b)| match b {
        b'\r' => data.get(i + 1) != Some(&b'\n'),
        b'\n' => i == 0 || data[i - 1] != b'\r',
        _ => false,
    })
}

/// `prefix + vector + "tail\r\n"` then the real terminator and a pipelined command.
fn check_vector(prefix: &[u8], vector: &[u8]) {
    let mut data = prefix.to_vec();
    data.extend_from_slice(vector);
    data.extend_from_slice(b"tail\r\n");
    let mut input = data.clone();
    input.extend_from_slice(b".\r\nQUIT\r\n");
    let bare = has_bare_newline(&data);
    for policy in POLICIES {
        let outcome = run_all_ways(policy, &input);
        let shown = String::from_utf8_lossy(vector);
        assert_eq!(outcome.ends.len(), 1, "{shown:?} under {policy:?}");
        assert_eq!(outcome.rest, b"QUIT\r\n", "{shown:?} under {policy:?}");
        match policy {
            BareNewline::Reject => {
                // Passed through unchanged, refused at the end if it had a bare newline.
                assert_eq!(outcome.content, data, "{shown:?}");
                assert_eq!(outcome.ends[0].is_err(), bare, "{shown:?}");
            }
            BareNewline::Normalize => {
                assert_eq!(outcome.ends[0], Ok(()), "{shown:?}");
                assert!(!has_bare_newline(&outcome.content), "{shown:?}");
                assert!(outcome.content.ends_with(b"tail\r\n"), "{shown:?}");
            }
        }
    }
}

#[test]
fn near_miss_terminators_never_end_the_data() {
    let long_body = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n".repeat(5);
    for vector in VECTORS {
        check_vector(b"", vector);
        check_vector(b"body", vector);
        check_vector(b"Subject: test\r\n\r\nbody", vector);
        let mut long = long_body.clone();
        long.extend_from_slice(b"body");
        check_vector(&long, vector);
        // The vector at every alignment relative to the decoder's 64-octet blocks.
        for pad in 0..70 {
            let mut padded = long_body.clone();
            padded.extend(std::iter::repeat_n(b'x', pad));
            let input = [&padded[..], vector, b"tail\r\n.\r\nQUIT\r\n"].concat();
            for policy in POLICIES {
                let outcome = run(policy, &[&input]);
                assert_eq!(outcome.ends.len(), 1);
                assert_eq!(outcome.rest, b"QUIT\r\n");
            }
        }
    }
}

#[test]
fn near_miss_then_real_terminator_directly() {
    // The real terminator right after the vector: it ends there, and nowhere earlier.
    for vector in VECTORS {
        let input = [b"body", *vector, b"\r\n.\r\nQUIT\r\n"].concat();
        for policy in POLICIES {
            let outcome = run_all_ways(policy, &input);
            assert_eq!(outcome.ends.len(), 1);
            assert_eq!(outcome.rest, b"QUIT\r\n");
            if policy == BareNewline::Reject {
                assert_eq!(outcome.content, [b"body", *vector, b"\r\n"].concat());
            }
        }
    }
}

#[test]
fn near_miss_without_real_terminator_never_ends() {
    for vector in VECTORS {
        let input = [b"body", *vector, b"MAIL FROM:<x@y.example>\r\n"].concat();
        for policy in POLICIES {
            let outcome = run_all_ways(policy, &input);
            assert!(outcome.ends.is_empty(), "{vector:?} under {policy:?}");
        }
    }
}

#[test]
fn smuggled_transaction_stays_inside_the_message() {
    let smuggle: &[u8] = b"body\n.\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nsmuggled\r\n.\r\n";
    let input = [smuggle, b"QUIT\r\n"].concat();
    let data = &smuggle[..smuggle.len() - 3];

    let reject = run_all_ways(BareNewline::Reject, &input);
    assert_eq!(reject.content, data);
    assert_eq!(reject.ends, vec![Err(DotError::BareLf { offset: 4 })]);
    assert_eq!(reject.rest, b"QUIT\r\n");

    let normalize = run_all_ways(BareNewline::Normalize, &input);
    assert_eq!(
        normalize.content,
        b"body\r\n.\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nsmuggled\r\n"
    );
    assert_eq!(normalize.ends, vec![Ok(())]);
    assert_eq!(normalize.rest, b"QUIT\r\n");
}

#[test]
fn smuggled_transaction_followed_later_by_real_terminator() {
    // The attacker's "end" arrives in one packet, the real one much later.
    let first: &[u8] = b"body\n.\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nsmuggled\r\n";
    let second: &[u8] = b"more text\r\n.\r\nQUIT\r\n";
    for policy in POLICIES {
        let outcome = run(policy, &[first, b"", second]);
        assert_eq!(outcome.ends.len(), 1);
        assert!(outcome.content.ends_with(b"smuggled\r\nmore text\r\n"));
        assert_eq!(outcome.rest, b"QUIT\r\n");
        let whole = run_all_ways(policy, &[first, second].concat());
        assert_eq!(whole, outcome);
    }
}

#[test]
fn each_vector_at_the_very_start_of_the_data() {
    for vector in VECTORS {
        let input = [*vector, b"x\r\n.\r\n"].concat();
        for policy in POLICIES {
            let outcome = run_all_ways(policy, &input);
            assert_eq!(outcome.ends.len(), 1, "{vector:?} under {policy:?}");
            assert!(outcome.rest.is_empty());
        }
    }
}

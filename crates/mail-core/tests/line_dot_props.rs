#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Properties of the line framer and the dot-stuffing codec: any split of the input gives
//! the same result, encode → decode is the identity, the decoder agrees with a plain
//! byte-at-a-time model, and nothing panics on arbitrary bytes.

use bytes::{Bytes, BytesMut};
use mail_core::dot::{BareNewline, DotDecoder, DotEncoder, DotError, DotEvent};
use mail_core::line::{LineError, LineFramer};
use proptest::prelude::*;

fn policy() -> impl Strategy<Value = BareNewline> {
    prop_oneof![Just(BareNewline::Reject), Just(BareNewline::Normalize)]
}

/// Mail-like text: long plain runs (so the decoder's block fast path is used), dots at line
/// starts, and every kind of newline, bare or not.
fn mail_like(with_bare: bool) -> impl Strategy<Value = Vec<u8>> {
    let piece = if with_bare {
        prop_oneof![
            4 => Just(&b"Lorem ipsum dolor sit amet, consectetur adipiscing elit "[..]),
            3 => Just(&b"\r\n"[..]),
            2 => Just(&b"."[..]),
            2 => Just(&b".."[..]),
            1 => Just(&b"\n"[..]),
            1 => Just(&b"\r"[..]),
            1 => Just(&b"\r\n.\r\n"[..]),
            1 => Just(&b"x"[..]),
            1 => Just(&b"\0"[..]),
        ]
        .boxed()
    } else {
        prop_oneof![
            4 => Just(&b"Lorem ipsum dolor sit amet, consectetur adipiscing elit "[..]),
            3 => Just(&b"\r\n"[..]),
            2 => Just(&b"."[..]),
            2 => Just(&b".."[..]),
            1 => Just(&b"\r\n.\r\n"[..]),
            1 => Just(&b"x"[..]),
            1 => Just(&b"\0"[..]),
        ]
        .boxed()
    };
    prop::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

/// Cuts `input` at the given (reduced modulo its length) points.
fn split<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| if input.is_empty() { 0 } else { c % input.len() })
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for p in points {
        chunks.push(&input[start..p]);
        start = p;
    }
    chunks.push(&input[start..]);
    chunks
}

#[derive(Debug, PartialEq, Eq)]
struct Decoded {
    content: Vec<u8>,
    end: Option<Result<(), DotError>>,
    rest: Vec<u8>,
}

fn decode(policy: BareNewline, chunks: &[&[u8]]) -> Decoded {
    let mut decoder = DotDecoder::new(policy);
    let mut buf = BytesMut::new();
    let mut content = Vec::new();
    let mut end = None;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(event) = decoder.decode(&mut buf) {
            match event {
                DotEvent::Data(data) => {
                    assert!(end.is_none());
                    assert!(!data.is_empty());
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
    Decoded {
        content,
        end,
        rest: buf.to_vec(),
    }
}

/// The decoder's specification, one octet at a time: the data ends at the first `CRLF.CRLF`
/// (counting a CRLF before the data); `..` at a line start loses a dot; bare CR and LF are
/// reported (Reject) or become CRLF (Normalize) and start a line.
fn model(policy: BareNewline, input: &[u8]) -> Option<Decoded> {
    let framed = [&b"\r\n"[..], input].concat();
    let end = framed.windows(5).position(|w| w == b"\r\n.\r\n")?;
    let data = &input[..end];
    let rest = input[end + 3..].to_vec();
    let mut content = Vec::new();
    let mut violation = None;
    let mut line_start = true;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if line_start && b == b'.' && data.get(i + 1) == Some(&b'.') {
            i += 1;
            line_start = false;
            continue;
        }
        line_start = false;
        if b == b'\r' && data.get(i + 1) == Some(&b'\n') {
            content.extend_from_slice(b"\r\n");
            i += 2;
            line_start = true;
        } else if b == b'\r' || b == b'\n' {
            let offset = i as u64;
            let error = if b == b'\r' {
                DotError::BareCr { offset }
            } else {
                DotError::BareLf { offset }
            };
            violation.get_or_insert(error);
            match policy {
                BareNewline::Reject => content.push(b),
                _ => content.extend_from_slice(b"\r\n"),
            }
            i += 1;
            line_start = true;
        } else {
            content.push(b);
            i += 1;
        }
    }
    let end = match (policy, violation) {
        (BareNewline::Reject, Some(error)) => Err(error),
        _ => Ok(()),
    };
    Some(Decoded {
        content,
        end: Some(end),
        rest,
    })
}

fn encode(chunks: &[&[u8]]) -> Vec<u8> {
    let mut out = BytesMut::new();
    let mut encoder = DotEncoder::new();
    for chunk in chunks {
        encoder.encode(chunk, &mut out);
    }
    encoder.finish(&mut out);
    out.to_vec()
}

/// What an encode → decode round trip gives: every bare CR or LF becomes CRLF, and a final
/// CRLF is added to non-empty content that does not end with one.
fn canonical(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'\r' if content.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// As [`frame`], through `next_line_with` (the borrowing path).
fn frame_lent(
    max_len: usize,
    policy: BareNewline,
    chunks: &[&[u8]],
) -> Vec<Result<Bytes, LineError>> {
    let mut framer = LineFramer::new(max_len, policy);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(item) = framer.next_line_with(&mut buf, Bytes::copy_from_slice) {
            out.push(item);
        }
    }
    out
}

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoder_matches_model_for_any_split(
        policy in policy(),
        body in mail_like(true),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let input = [&body[..], b"\r\n.\r\nQUIT\r\n"].concat();
        let expected = model(policy, &input).unwrap();
        prop_assert_eq!(&decode(policy, &[&input]), &expected);
        prop_assert_eq!(&decode(policy, &split(&input, &cuts)), &expected);
    }

    #[test]
    fn decoder_matches_model_byte_by_byte(policy in policy(), body in mail_like(true)) {
        let input = [&body[..], b"\r\n.\r\n"].concat();
        let chunks: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(decode(policy, &chunks), model(policy, &input).unwrap());
    }

    #[test]
    fn decoder_matches_model_on_arbitrary_bytes(
        policy in policy(),
        body in prop::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), Just(b'a'), any::<u8>()],
            0..400,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let input = [&body[..], b"\r\n.\r\n"].concat();
        let expected = model(policy, &input).unwrap();
        prop_assert_eq!(decode(policy, &split(&input, &cuts)), expected);
        // Without a terminator: no end, no panic, and what came out is a prefix of the
        // content the model gives once a terminator follows.
        let open = decode(policy, &split(&body, &cuts));
        if open.end.is_none() {
            let closed = model(policy, &input).unwrap();
            prop_assert!(closed.content.starts_with(&open.content));
        }
    }

    #[test]
    fn encode_decode_is_identity_for_crlf_content(
        content in mail_like(false),
        encode_cuts in prop::collection::vec(any::<usize>(), 0..8),
        decode_cuts in prop::collection::vec(any::<usize>(), 0..8),
        policy in policy(),
    ) {
        let wire = encode(&split(&content, &encode_cuts));
        let decoded = decode(policy, &split(&wire, &decode_cuts));
        let mut expected = content.clone();
        if !expected.is_empty() && !expected.ends_with(b"\r\n") {
            expected.extend_from_slice(b"\r\n");
        }
        prop_assert_eq!(decoded.content, expected);
        prop_assert_eq!(decoded.end, Some(Ok(())));
        prop_assert!(decoded.rest.is_empty());
    }

    #[test]
    fn encoder_output_is_valid_wire_data_for_any_input(
        content in prop::collection::vec(any::<u8>(), 0..300),
        extra in mail_like(true),
        encode_cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let content = [content, extra].concat();
        let wire = encode(&split(&content, &encode_cuts));
        // The same whatever the chunking.
        prop_assert_eq!(&wire, &encode(&[&content]));
        // Decodes, under Reject, without a violation and back to the canonical content.
        let decoded = decode(BareNewline::Reject, &[&wire]);
        prop_assert_eq!(decoded.content, canonical(&content));
        prop_assert_eq!(decoded.end, Some(Ok(())));
        prop_assert!(decoded.rest.is_empty());
    }

    #[test]
    fn framer_gives_the_same_frames_for_any_split(
        policy in policy(),
        max_len in 2usize..80,
        input in prop::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'A'), Just(b' '), any::<u8>()],
            0..600,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = frame(max_len, policy, &[&input]);
        prop_assert_eq!(&frame(max_len, policy, &split(&input, &cuts)), &whole);
        // Lending the line gives the same lines and errors as splitting it off.
        prop_assert_eq!(&frame_lent(max_len, policy, &split(&input, &cuts)), &whole);
        let bytewise: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(&frame(max_len, policy, &bytewise), &whole);
    }

    #[test]
    fn framer_length_limit_under_at_and_over(
        policy in policy(),
        max_len in 2usize..1200,
        delta in 0usize..3,
    ) {
        // A line of max_len - 1 + delta octets including its CRLF, then NOOP.
        let text_len = (max_len + delta).saturating_sub(3);
        let mut input = vec![b'A'; text_len];
        input.extend_from_slice(b"\r\nNOOP\r\n");
        let noop = if 6 <= max_len {
            Ok(Bytes::from_static(b"NOOP"))
        } else {
            Err(LineError::TooLong { max_len })
        };
        let expected = if delta <= 1 {
            vec![Ok(Bytes::from(vec![b'A'; text_len])), noop]
        } else {
            vec![Err(LineError::TooLong { max_len }), noop]
        };
        prop_assert_eq!(frame(max_len, policy, &[&input]), expected.clone());
        let bytewise: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(frame(max_len, policy, &bytewise), expected);
    }

    #[test]
    fn over_long_tail_never_comes_out(
        policy in policy(),
        pad in 513usize..2000,
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut input = vec![b'A'; pad];
        input.extend_from_slice(b"RSET\r\nNOOP\r\n");
        let expected = vec![
            Err(LineError::TooLong { max_len: 512 }),
            Ok(Bytes::from_static(b"NOOP")),
        ];
        prop_assert_eq!(frame(512, policy, &split(&input, &cuts)), expected);
    }
}

/// What a receiver gets back from the encoder's output for `chunks`: its length is the
/// size `CrlfSize` must give.
fn sent_content(chunks: &[&[u8]]) -> Vec<u8> {
    let decoded = decode(BareNewline::Reject, &[&encode(chunks)]);
    assert_eq!(decoded.end, Some(Ok(())), "the encoder's output is clean");
    decoded.content
}

#[test]
fn crlf_size_counts_bare_cr_and_lf_as_the_encoder_sends_them() {
    use mail_core::dot::crlf_size;
    // A message with a bare CR and bare LFs: LIST once said 48 where RETR sent 51.
    let message = b"Subject: bare\r\n\r\nline one\rline two\nline three\n";
    assert_eq!(crlf_size(message), sent_content(&[message]).len() as u64);
    assert_eq!(crlf_size(message), message.len() as u64 + 3);
    assert_eq!(crlf_size(b""), 0);
    assert_eq!(crlf_size(b"x"), 3);
    assert_eq!(crlf_size(b"\r"), 2);
    assert_eq!(crlf_size(b"\r\n"), 2);
    assert_eq!(crlf_size(b"\n\r"), 4);
    assert_eq!(crlf_size(b".\r\n"), 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn crlf_size_is_what_the_encoder_sends_for_any_split(
        body in prop::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), Just(b'a'), any::<u8>()],
            0..400,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
        more in mail_like(true),
    ) {
        for content in [&body[..], &more[..]] {
            let chunks = split(content, &cuts);
            let mut size = mail_core::dot::CrlfSize::new();
            for chunk in &chunks {
                size.update(chunk);
            }
            let expected = sent_content(&chunks).len() as u64;
            prop_assert_eq!(size.finish(), expected);
            prop_assert_eq!(mail_core::dot::crlf_size(content), expected);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `DotEncoder::crlf_only` (BDAT content) sends exactly what a receiver of the
    /// dot-stuffed form gets back, for any split: the same line ends, no dots added.
    #[test]
    fn crlf_only_sends_the_content_data_would_deliver(
        body in prop::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), Just(b'a'), any::<u8>()],
            0..400,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let chunks = split(&body, &cuts);
        let mut encoder = mail_core::dot::DotEncoder::crlf_only();
        let mut out = bytes::BytesMut::new();
        for chunk in &chunks {
            encoder.encode(chunk, &mut out);
        }
        encoder.end_line(&mut out);
        prop_assert_eq!(&out[..], &sent_content(&chunks)[..]);
        prop_assert_eq!(out.len() as u64, mail_core::dot::crlf_size(&body));
    }
}

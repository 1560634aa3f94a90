//! Property tests of the reply codec: `parse(encode(x)) == x`, and no panic on any input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use smtp_proto::reply::{EnhancedStatusCode, Reply, ReplyCode, ReplyParser};

fn reply_code() -> impl Strategy<Value = ReplyCode> {
    (2u16..=5, 0u16..=5, 0u16..=9)
        .prop_map(|(a, b, c)| ReplyCode::new(a * 100 + b * 10 + c).unwrap())
}

fn enhanced() -> impl Strategy<Value = Option<EnhancedStatusCode>> {
    proptest::option::of(
        (
            prop_oneof![Just(2u8), Just(4), Just(5)],
            0u16..1000,
            0u16..1000,
        )
            .prop_map(|(c, s, d)| EnhancedStatusCode::new(c, s, d).unwrap()),
    )
}

fn text_line() -> impl Strategy<Value = String> {
    "[\t -~\u{e9}\u{4e2d}]{0,40}"
}

proptest! {
    #[test]
    fn parse_of_encode_is_identity(
        code in reply_code(),
        enhanced in enhanced(),
        lines in proptest::collection::vec(text_line(), 0..6),
    ) {
        let reply = Reply::multiline(code, enhanced, lines.iter().map(String::as_str)).unwrap();
        let wire = reply.to_bytes();
        prop_assert_eq!(Reply::parse(&wire).unwrap(), reply);
    }

    #[test]
    fn the_line_parser_never_panics(lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..10)) {
        let mut p = ReplyParser::default();
        for line in &lines {
            let _ = p.push_line(line);
        }
    }
}

//! Unit tests of the private helpers; the behaviour of the public API is tested in
//! `tests/address_5321.rs`.

use super::local_part::is_dot_string;
use super::parse::bounded;
use super::*;
use crate::ParseError;

#[test]
fn dot_string_recognition() {
    assert!(is_dot_string("a.b.c"));
    assert!(is_dot_string("üser"));
    assert!(!is_dot_string(""));
    assert!(!is_dot_string(".a"));
    assert!(!is_dot_string("a."));
    assert!(!is_dot_string("a..b"));
    assert!(!is_dot_string("a b"));
    assert!(!is_dot_string("a\"b"));
}

#[test]
fn encoded_len_matches_display() {
    for content in ["abc", "", "a b", "a\"b\\c", "Joe,Smith", "ü ü", "."] {
        let lp = LocalPart::from_content(content).unwrap();
        assert_eq!(lp.encoded_len(), lp.to_string().len(), "{content:?}");
    }
    for host in [
        "example.com",
        "[1.2.3.4]",
        "[IPv6:::1]",
        "[x-tag:abc]",
        "[IPv6:::ffff:1.2.3.4]",
    ] {
        let h = Host::parse(host.as_bytes()).unwrap();
        assert_eq!(h.encoded_len(), h.to_string().len(), "{host}");
    }
}

#[test]
fn bounded_reports_the_limit() {
    let input = [b'a'; 10];
    let r: Result<((), usize), ParseError> = bounded(&input, 4, "short", |w| {
        assert_eq!(w.len(), 5);
        Ok(((), w.len()))
    });
    assert_eq!(r.unwrap_err(), ParseError::new(4, "short"));
    let r: Result<((), usize), ParseError> = bounded(&input, 4, "short", |w| {
        Err(ParseError::new(w.len(), "more"))
    });
    assert_eq!(r.unwrap_err(), ParseError::new(4, "short"));
    let r: Result<((), usize), ParseError> = bounded(&input, 4, "short", |_| Ok(((), 3)));
    assert_eq!(r.unwrap().1, 3);
}

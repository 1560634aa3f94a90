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

mod fast_path {
    use super::super::parse::{
        PathKind, PathValue, ascii_bracketed_mailbox, ascii_domain_len, ascii_mailbox, domain_span,
        general_mailbox, path,
    };
    use super::*;
    use proptest::prelude::*;

    fn limits() -> impl Strategy<Value = Limits> {
        (1usize..70, 1usize..70, any::<bool>()).prop_map(|(local, domain, dot)| Limits {
            max_local_part: local,
            max_domain: domain,
            allow_trailing_dot: dot,
            ..Limits::default()
        })
    }

    fn input() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            8 => prop::sample::select(b"abcXYZ019".to_vec()),
            2 => prop::sample::select(b".-@".to_vec()),
            1 => prop::sample::select(b"+_\"\\[]> :\x00\xc3\xbc\xff".to_vec()),
        ];
        prop::collection::vec(byte, 0..90)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the one-pass scanner accepts, the general scanner accepts the same way.
        #[test]
        fn ascii_mailbox_agrees_with_the_general_scanner(input in input(), limits in limits()) {
            if let Some(fast) = ascii_mailbox(&input, 0, &limits) {
                prop_assert_eq!(Ok(fast), general_mailbox(&input, 0, &limits));
            }
        }

        /// Whatever the bracketed fast path accepts, the general path scanner accepts the
        /// same way, for both kinds of path.
        #[test]
        fn ascii_bracketed_mailbox_agrees_with_path(
            local in input(),
            word in prop::collection::vec(
                prop_oneof![8 => prop::sample::select(b"ab09".to_vec()), 1 => prop::sample::select(b".-+_".to_vec())],
                0..40,
            ),
            domain in prop::collection::vec(
                prop_oneof![8 => prop::sample::select(b"ab09".to_vec()), 1 => prop::sample::select(b".-".to_vec())],
                0..60,
            ),
            shaped in any::<bool>(),
            limits in limits(),
            max_path in 1usize..120,
        ) {
            let limits = Limits { max_path, ..limits };
            let mut bracketed = b"<".to_vec();
            bracketed.extend_from_slice(if shaped { &word } else { &local });
            if shaped {
                // Mostly `<local@domain>...`, so that the fast path is taken often.
                bracketed.push(b'@');
                bracketed.extend_from_slice(&domain);
                bracketed.push(b'>');
            }
            if let Some((fast, used)) = ascii_bracketed_mailbox(&bracketed, &limits) {
                for kind in [PathKind::Reverse, PathKind::Forward] {
                    match path(&bracketed, &limits, kind) {
                        Ok((PathValue::Mailbox(m), n)) => {
                            prop_assert_eq!((&fast, used), (&m, n));
                        }
                        _ => prop_assert!(false, "general path disagrees"),
                    }
                }
            }
        }

        /// `Host::parse` with its ASCII fast path reads what the general scanners read.
        #[test]
        fn host_parse_agrees_with_the_general_scanner(input in input()) {
            let limits = Limits::default();
            let general = super::super::parse::complete(&input, |i| {
                bounded(i, limits.max_domain, "end of domain within the length limit (RFC 5321 §4.5.3.1.2)", |w| {
                    super::super::parse::host(w, 0, &limits)
                })
            });
            prop_assert_eq!(Host::parse(&input), general);
        }

        #[test]
        fn ascii_domain_len_agrees_with_domain_span(input in input(), limits in limits()) {
            if let Some(len) = ascii_domain_len(&input, &limits) {
                prop_assert_eq!(Ok((len, len)), domain_span(&input, 0, &limits));
            }
        }
    }

    #[test]
    fn the_fast_path_takes_the_common_forms() {
        let l = Limits::default();
        let (m, end) = ascii_mailbox(b"<bob.smith@mx.example.com> X", 1, &l).unwrap();
        assert_eq!(
            (m.to_string().as_str(), end),
            ("bob.smith@mx.example.com", 25)
        );
        assert_eq!(ascii_domain_len(b"mx.example.com", &l), Some(14));
        // Left to the general scanner.
        assert!(ascii_mailbox(b"\"a b\"@x", 0, &l).is_none());
        assert!(ascii_mailbox("ü@x".as_bytes(), 0, &l).is_none());
        assert!(ascii_mailbox(b"a@[1.2.3.4]", 0, &l).is_none());
        assert!(ascii_domain_len(b"x.", &l).is_none());
        assert!(ascii_domain_len("x.ü".as_bytes(), &l).is_none());
    }
}

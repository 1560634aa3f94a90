#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! RFC 5321 paths and mailboxes: every form of §4.1.2–4.1.3, the limits of §4.5.3.1, the
//! UTF-8 forms of RFC 6531 §3.3, hostile input, and round-trip properties.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use mail_core::ParseError;
use mail_core::address::rfc5321::{
    AddressLiteral, Domain, ForwardPath, GeneralAddressLiteral, Host, Limits, LocalPart, Mailbox,
    ReversePath,
};
use proptest::prelude::*;

fn rev(s: &str) -> Result<ReversePath, ParseError> {
    ReversePath::parse(s.as_bytes())
}

fn fwd(s: &str) -> Result<ForwardPath, ParseError> {
    ForwardPath::parse(s.as_bytes())
}

fn mbox(s: &str) -> Mailbox {
    Mailbox::parse(s.as_bytes()).unwrap()
}

fn err_offset(r: Result<impl std::fmt::Debug, ParseError>) -> usize {
    r.unwrap_err().offset
}

fn literal(s: &str) -> Result<AddressLiteral, ParseError> {
    AddressLiteral::parse(s.as_bytes())
}

// ----- §4.1.2 forms -------------------------------------------------------------------------

#[test]
fn rfc5321_appendix_d_paths() {
    for s in [
        "<Smith@bar.com>",
        "<Jones@foo.com>",
        "<Green@foo.com>",
        "<Brown@foo.com>",
    ] {
        assert_eq!(rev(s).unwrap().to_string(), s);
        assert_eq!(fwd(s).unwrap().to_string(), s);
    }
}

#[test]
fn dot_string_local_part() {
    let m = mbox("first.last+tag!#$%&'*/=?^_`{|}~-@example.com");
    assert_eq!(m.local_part().as_str(), "first.last+tag!#$%&'*/=?^_`{|}~-");
    assert!(!m.local_part().needs_quoting());
    assert_eq!(m.domain().unwrap().as_str(), "example.com");
}

#[test]
fn dot_string_errors_point_at_the_bad_byte() {
    assert_eq!(err_offset(rev("<.a@b>")), 1);
    assert_eq!(err_offset(rev("<a.@b>")), 3);
    assert_eq!(err_offset(rev("<a..b@c>")), 3);
    assert_eq!(err_offset(rev("<@b>")), 3); // a source route needs ':' — '>' found instead
    assert_eq!(err_offset(rev("<a b@c>")), 2);
    assert_eq!(err_offset(rev("<a(b)@c>")), 2);
}

#[test]
fn quoted_string_with_escapes_rfc_example() {
    // §4.1.2: "Joe\,Smith" is a nine-character user name with the comma fourth.
    let m = mbox(r#""Joe\,Smith"@example.com"#);
    assert_eq!(m.local_part().as_str(), "Joe,Smith");
    assert_eq!(m.local_part().as_str().len(), 9);
    assert_eq!(m.to_string(), r#""Joe,Smith"@example.com"#);
}

#[test]
fn quoted_forms_are_equivalent_and_minimally_quoted() {
    // §4.1.2: "all quoted forms MUST be treated as equivalent"; send minimum quoting.
    let a = mbox(r#""abc"@x.org"#);
    let b = mbox(r#""\a\b\c"@x.org"#);
    let c = mbox("abc@x.org");
    assert_eq!(a, c);
    assert_eq!(b, c);
    assert_eq!(a.to_string(), "abc@x.org");
    assert_eq!(b.to_string(), "abc@x.org");
}

#[test]
fn quoted_display_escapes_only_quote_and_backslash() {
    let m = mbox(r#""a\ b\"c\\d\e@f"@x.org"#);
    assert_eq!(m.local_part().as_str(), r#"a b"c\de@f"#);
    assert_eq!(m.to_string(), r#""a b\"c\\de@f"@x.org"#);
    assert_eq!(mbox(&m.to_string()), m);
}

#[test]
fn empty_quoted_local_part() {
    let m = mbox(r#"""@example.com"#);
    assert_eq!(m.local_part().as_str(), "");
    assert_eq!(m.to_string(), r#"""@example.com"#);
}

#[test]
fn quoted_string_errors() {
    assert_eq!(err_offset(rev(r#"<"abc@x>"#)), 8); // unterminated quote
    assert_eq!(err_offset(rev("<\"a\\\u{e9}\"@x>")), 4); // quoted-pair needs ASCII
    assert_eq!(err_offset(rev("<\"a\\\x01\"@x>")), 4); // quoted-pair needs %d32-126
    assert_eq!(err_offset(rev("<\"a\x7f\"@x>")), 3); // DEL is not qtextSMTP
    assert_eq!(err_offset(rev(r#"<"a"b@x>"#)), 4); // a quoted string is the whole local part
}

#[test]
fn null_reverse_path() {
    let p = rev("<>").unwrap();
    assert!(p.is_null());
    assert_eq!(p.mailbox(), None);
    assert_eq!(p.to_string(), "<>");
}

#[test]
fn null_is_not_a_forward_path() {
    assert_eq!(err_offset(fwd("<>")), 1);
}

#[test]
fn postmaster_forward_path_any_case() {
    for s in [
        "<Postmaster>",
        "<postmaster>",
        "<POSTMASTER>",
        "<pOsTmAsTeR>",
    ] {
        let p = fwd(s).unwrap();
        assert!(p.is_postmaster(), "{s}");
        assert_eq!(p.to_string(), "<Postmaster>");
    }
}

#[test]
fn postmaster_with_domain_is_an_ordinary_mailbox() {
    let p = fwd("<Postmaster@example.com>").unwrap();
    assert!(!p.is_postmaster());
    let m = p.mailbox().unwrap();
    assert!(m.local_part().is_postmaster());
    assert_eq!(p.to_string(), "<Postmaster@example.com>");
}

#[test]
fn postmaster_without_domain_is_not_a_reverse_path() {
    assert_eq!(err_offset(rev("<Postmaster>")), 11);
    assert_eq!(err_offset(fwd("<Postmasterx>")), 12);
}

// ----- §4.1.3 address literals --------------------------------------------------------------

#[test]
fn ipv4_literal() {
    let m = mbox("user@[123.255.37.2]");
    assert_eq!(
        m.host(),
        &Host::AddressLiteral(AddressLiteral::Ipv4(Ipv4Addr::new(123, 255, 37, 2)))
    );
    assert_eq!(m.domain(), None);
    assert_eq!(m.to_string(), "user@[123.255.37.2]");
    // Leading zeros are decimal (`Snum = 1*3DIGIT`) and dropped on output.
    assert_eq!(literal("[010.0.0.001]").unwrap().to_string(), "[10.0.0.1]");
}

#[test]
fn ipv4_literal_invalid() {
    for (s, offset) in [
        ("[256.1.1.1]", 1),
        ("[1.2.3]", 6),
        ("[1.2.3.4.5]", 8),
        ("[1.2.3.1234]", 10),
        ("[1..2.3]", 3),
        ("[1.2.3.4", 8),
        ("[]", 1),
        ("[ 1.2.3.4]", 1),
        ("[abc]", 4), // a tag needs ':'
        ("[1a.2.3.4]", 3),
    ] {
        assert_eq!(err_offset(literal(s)), offset, "{s}");
    }
}

#[test]
fn ipv6_full_form() {
    let a = literal("[IPv6:2001:0db8:0000:0000:0000:ff00:0042:8329]").unwrap();
    assert_eq!(
        a,
        AddressLiteral::Ipv6("2001:db8::ff00:42:8329".parse().unwrap())
    );
    assert_eq!(a.to_string(), "[IPv6:2001:db8::ff00:42:8329]");
}

#[test]
fn ipv6_comp_forms() {
    for (s, want) in [
        ("[IPv6:::]", "::"),
        ("[IPv6:::1]", "::1"),
        ("[IPv6:fe80::]", "fe80::"),
        ("[IPv6:2001:db8::1]", "2001:db8::1"),
        ("[IPv6:1:2:3:4:5:6::]", "1:2:3:4:5:6::"),
        ("[IPv6:::3:4:5:6:7:8]", "::3:4:5:6:7:8"),
        ("[IPv6:1:2:3::6:7:8]", "1:2:3::6:7:8"),
    ] {
        assert_eq!(
            literal(s).unwrap(),
            AddressLiteral::Ipv6(want.parse().unwrap()),
            "{s}"
        );
    }
}

#[test]
fn ipv6v4_full_form() {
    let a = literal("[IPv6:0:0:0:0:0:ffff:192.0.2.1]").unwrap();
    assert_eq!(a, AddressLiteral::Ipv6("::ffff:c000:201".parse().unwrap()));
    assert_eq!(a.to_string(), "[IPv6:::ffff:192.0.2.1]");
}

#[test]
fn ipv6v4_comp_forms() {
    for (s, want) in [
        ("[IPv6:::192.0.2.1]", "::c000:201"),
        ("[IPv6:::ffff:192.0.2.1]", "::ffff:c000:201"),
        ("[IPv6:1:2:3:4::192.0.2.1]", "1:2:3:4::c000:201"),
        ("[IPv6:1::2:3:4:192.0.2.1]", "1::2:3:4:c000:201"),
    ] {
        assert_eq!(
            literal(s).unwrap(),
            AddressLiteral::Ipv6(want.parse().unwrap()),
            "{s}"
        );
    }
}

#[test]
fn ipv6_tag_is_case_insensitive() {
    let a = literal("[ipv6:::1]").unwrap();
    assert_eq!(a, AddressLiteral::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(literal("[IPV6:::1]").unwrap(), a);
    assert_eq!(a.to_string(), "[IPv6:::1]");
}

#[test]
fn ipv6_invalid_forms() {
    for (s, offset) in [
        ("[IPv6:1:2:3:4:5:6:7:8:9]", 22),     // too many groups
        ("[IPv6:1:2:3:4:5:6:7]", 19),         // IPv6-full needs 8 groups
        ("[IPv6:1::2::3]", 11),               // two '::'
        ("[IPv6:1:2:3:4:5:6:7::]", 18),       // '::' for a single group
        ("[IPv6:1:2:3:4:5:6::7]", 19),        // seven groups besides '::'
        ("[IPv6:1:2:3:4:5:1.2.3.4]", 16),     // IPv6v4-full needs 6 groups
        ("[IPv6:1:2:3:4:5:6:7:1.2.3.4]", 20), // too many before the IPv4 part
        ("[IPv6:1:2:3:4:5::1.2.3.4]", 14),    // IPv6v4-comp allows 4 groups
        ("[IPv6:::1.2.3.256]", 14),           // bad embedded IPv4
        ("[IPv6:::1.2.3]", 13),               // short embedded IPv4
        ("[IPv6:::1.2.3.4:5]", 15),           // IPv4 part must be last
        ("[IPv6:12345::]", 10),               // five hex digits
        ("[IPv6::1]", 7),                     // single leading ':'
        ("[IPv6:1:]", 8),                     // trailing ':'
        ("[IPv6:::g]", 8),                    // not hex
        ("[IPv6:]", 6),                       // empty
        ("[IPv6:::1", 9),                     // unterminated
    ] {
        assert_eq!(err_offset(literal(s)), offset, "{s}");
    }
}

#[test]
fn general_address_literal() {
    let a = literal("[x-foo:some.Thing/here=1]").unwrap();
    let AddressLiteral::General(g) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(g.tag(), "x-foo");
    assert_eq!(g.content(), "some.Thing/here=1");
    assert_eq!(a.to_string(), "[x-foo:some.Thing/here=1]");
    // The tag ignores case; the content does not.
    assert_eq!(literal("[X-FOO:some.Thing/here=1]").unwrap(), a);
    assert_ne!(literal("[x-foo:some.thing/here=1]").unwrap(), a);
    // Content may hold ':'.
    assert!(literal("[tag:a:b:c]").is_ok());
}

#[test]
fn general_address_literal_invalid() {
    for (s, offset) in [
        ("[tag:]", 5),     // 1*dcontent
        ("[tag-:x]", 4),   // Ldh-str ends with Let-dig
        ("[tag:a[b]", 6),  // '[' is not dcontent
        ("[tag:a\\b]", 6), // '\' is not dcontent
        ("[tag:a b]", 6),  // SP is not dcontent
        ("[t_g:ab]", 2),   // '_' not in a tag
    ] {
        assert_eq!(err_offset(literal(s)), offset, "{s}");
    }
    assert!(GeneralAddressLiteral::new("IPv6", "::1").is_err());
    assert!(GeneralAddressLiteral::new("", "x").is_err());
    assert!(GeneralAddressLiteral::new("tag", "").is_err());
    assert_eq!(
        GeneralAddressLiteral::new("tag", "a]").unwrap_err().offset,
        5
    );
    let g = GeneralAddressLiteral::new("x-tag", "a:b").unwrap();
    assert_eq!(
        AddressLiteral::General(Box::new(g)).to_string(),
        "[x-tag:a:b]"
    );
}

#[test]
fn literal_from_ip_addresses() {
    let v4 = AddressLiteral::from(Ipv4Addr::new(192, 0, 2, 1));
    let v6 = AddressLiteral::from(Ipv6Addr::LOCALHOST);
    let m = Mailbox::new(LocalPart::from_content("a").unwrap(), v4).unwrap();
    assert_eq!(m.to_string(), "a@[192.0.2.1]");
    let m = Mailbox::new(LocalPart::from_content("a").unwrap(), v6).unwrap();
    assert_eq!(m.to_string(), "a@[IPv6:::1]");
}

// ----- Domains ------------------------------------------------------------------------------

#[test]
fn domain_ldh_rules() {
    assert!(Domain::parse(b"a-b.c0.9z").is_ok());
    assert!(Domain::parse(b"123.example").is_ok());
    assert_eq!(err_offset(Domain::parse(b"-a.com")), 0);
    assert_eq!(err_offset(Domain::parse(b"a-.com")), 1);
    assert_eq!(err_offset(Domain::parse(b"a..com")), 2);
    assert_eq!(err_offset(Domain::parse(b".com")), 0);
    // §4.1.2: "In particular, the underscore character is not permitted."
    assert_eq!(err_offset(Domain::parse(b"my_host.com")), 2);
    assert_eq!(err_offset(Domain::parse(b"")), 0);
}

#[test]
fn domain_labels() {
    let d = Domain::parse(b"mail.Example.com").unwrap();
    assert_eq!(d.labels().collect::<Vec<_>>(), ["mail", "Example", "com"]);
}

#[test]
fn label_limit_63_octets() {
    let ok = format!("{}.com", "a".repeat(63));
    let bad = format!("{}.com", "a".repeat(64));
    assert!(Domain::parse(ok.as_bytes()).is_ok());
    assert_eq!(err_offset(Domain::parse(bad.as_bytes())), 63);
}

#[test]
fn domains_compare_case_insensitively_local_parts_do_not() {
    assert_eq!(mbox("user@EXAMPLE.com"), mbox("user@example.COM"));
    assert_ne!(mbox("User@example.com"), mbox("user@example.com"));
    let set: HashSet<Mailbox> = ["user@EXAMPLE.com", "user@example.com", "User@example.com"]
        .iter()
        .map(|s| mbox(s))
        .collect();
    assert_eq!(set.len(), 2);
    // Display keeps the received case.
    assert_eq!(mbox("user@EXAMPLE.com").to_string(), "user@EXAMPLE.com");
}

#[test]
fn trailing_dot_is_refused_by_default() {
    assert_eq!(err_offset(rev("<a@example.com.>")), 15);
    assert_eq!(err_offset(Domain::parse(b"example.com.")), 12);
}

#[test]
fn trailing_dot_tolerance() {
    let mut limits = Limits::default();
    limits.allow_trailing_dot = true;
    let p = ReversePath::parse_with(b"<a@example.com.>", &limits).unwrap();
    assert_eq!(p.to_string(), "<a@example.com>");
    assert_eq!(p, rev("<a@example.com>").unwrap());
    let d = Domain::parse_with(b"example.com.", &limits).unwrap();
    assert_eq!(d.as_str(), "example.com");
    // Only one dot, and still not an empty label in the middle.
    assert!(ReversePath::parse_with(b"<a@example.com..>", &limits).is_err());
    assert!(ReversePath::parse_with(b"<a@example..com>", &limits).is_err());
    assert!(ReversePath::parse_with(b"<a@.>", &limits).is_err());
}

// ----- Source routes ------------------------------------------------------------------------

#[test]
fn source_route_is_dropped_rfc_example() {
    // §4.1.1.3: RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org> is delivered as <userc@d.bar.org>.
    let p = fwd("<@hosta.int,@jkl.org:userc@d.bar.org>").unwrap();
    assert_eq!(p, fwd("<userc@d.bar.org>").unwrap());
    assert_eq!(p.to_string(), "<userc@d.bar.org>");
    let p = rev("<@ONE,@TWO:JOE@THREE>").unwrap();
    assert_eq!(p.to_string(), "<JOE@THREE>");
}

#[test]
fn source_route_syntax_errors() {
    assert_eq!(err_offset(fwd("<@a.b,c:u@d>")), 6); // missing '@' of the next At-domain
    assert_eq!(err_offset(fwd("<@a.b;u@d>")), 5); // ',' or ':' expected
    assert_eq!(err_offset(fwd("<@:u@d>")), 2); // empty domain
    assert_eq!(err_offset(fwd("<@[1.2.3.4]:u@d>")), 2); // A-d-l takes domains only
    assert_eq!(err_offset(fwd("<@a:>")), 4); // mailbox missing
}

// ----- Limits (§4.5.3.1) --------------------------------------------------------------------

#[test]
fn local_part_64_ok_65_refused() {
    let ok = format!("<{}@example.com>", "a".repeat(64));
    let bad = format!("<{}@example.com>", "a".repeat(65));
    assert_eq!(
        rev(&ok)
            .unwrap()
            .mailbox()
            .unwrap()
            .local_part()
            .as_str()
            .len(),
        64
    );
    assert_eq!(err_offset(rev(&bad)), 65);
    // Quoted: the quotes count.
    let ok = format!("<\"{}\"@example.com>", "a b".repeat(20) + "ab");
    let bad = format!("<\"{}\"@example.com>", "a b".repeat(21));
    assert!(rev(&ok).is_ok());
    assert_eq!(err_offset(rev(&bad)), 65);
}

#[test]
fn local_part_limit_counts_bytes_not_characters() {
    let ok = format!("{}@x.org", "é".repeat(32)); // 64 bytes
    let bad = format!("{}@x.org", "é".repeat(32) + "a"); // 65 bytes
    assert!(Mailbox::parse(ok.as_bytes()).is_ok());
    assert_eq!(err_offset(Mailbox::parse(bad.as_bytes())), 64);
}

#[test]
fn domain_255_ok_256_refused() {
    fn domain_of(len: usize) -> String {
        // Labels of 62 'a' joined by dots, cut to `len` (255 and 256 end in a letter).
        let label = "a".repeat(62);
        let mut d = [label.as_str(); 5].join(".");
        d.truncate(len);
        d
    }
    let ok = domain_of(255);
    let bad = domain_of(256);
    assert!(!ok.ends_with('.') && !bad.ends_with('.'));
    assert_eq!(Domain::parse(ok.as_bytes()).unwrap().as_str().len(), 255);
    assert_eq!(err_offset(Domain::parse(bad.as_bytes())), 255);
    // Inside a mailbox, with a small local part so that the path limit is not reached first.
    let mut limits = Limits::default();
    limits.max_path = 1000;
    assert!(Mailbox::parse_with(format!("a@{ok}").as_bytes(), &limits).is_ok());
    assert_eq!(
        err_offset(Mailbox::parse_with(format!("a@{bad}").as_bytes(), &limits)),
        257
    );
}

fn path_of_len(len: usize) -> String {
    // "<" + 64-byte local part + "@" + domain + ">"
    let local = "l".repeat(64);
    let domain_len = len - 64 - 3;
    let mut domain = String::new();
    while domain.len() < domain_len {
        if !domain.is_empty() {
            domain.push('.');
        }
        let take = (domain_len - domain.len()).min(40);
        domain.push_str(&"d".repeat(take));
    }
    let p = format!("<{local}@{domain}>");
    assert_eq!(p.len(), len);
    p
}

#[test]
fn path_256_ok_257_refused() {
    let ok = path_of_len(256);
    let bad = path_of_len(257);
    assert_eq!(rev(&ok).unwrap().to_string(), ok);
    assert_eq!(fwd(&ok).unwrap().to_string(), ok);
    let e = rev(&bad).unwrap_err();
    assert_eq!(e.offset, 256);
    assert_eq!(err_offset(fwd(&bad)), 256);
}

#[test]
fn path_limit_counts_the_source_route() {
    let route = format!("@{}:", "r".repeat(40));
    let ok = path_of_len(256 - route.len());
    let long = format!("<{route}{}", &ok[1..]);
    assert_eq!(long.len(), 256);
    assert!(rev(&long).is_ok());
    let longer = format!("<@x,{}", &long[1..]);
    assert_eq!(err_offset(rev(&longer)), 256);
}

#[test]
fn hostile_length_stops_at_the_limit() {
    let huge = format!("<{}@example.com>", "a".repeat(1_000_000));
    assert_eq!(err_offset(rev(&huge)), 65);
    let huge = format!("<a@{}>", "b".repeat(1_000_000));
    assert_eq!(err_offset(rev(&huge)), 66); // the 64th byte of the label
    let huge = format!("<@{}:a@b>", "c.".repeat(500_000));
    assert_eq!(err_offset(rev(&huge)), 256);
}

#[test]
fn limits_can_be_raised() {
    let long = format!("<{}@example.com>", "a".repeat(100));
    assert!(rev(&long).is_err());
    let mut limits = Limits::default();
    limits.max_local_part = 128;
    let p = ReversePath::parse_with(long.as_bytes(), &limits).unwrap();
    assert_eq!(
        ReversePath::parse_with(p.to_string().as_bytes(), &limits).unwrap(),
        p
    );
    limits.max_local_part = 2;
    assert_eq!(err_offset(ReversePath::parse_with(b"<abc@d>", &limits)), 3);
}

#[test]
fn default_limits_are_the_rfc_values() {
    let l = Limits::default();
    assert_eq!((l.max_local_part, l.max_domain, l.max_path), (64, 255, 256));
    assert!(!l.allow_missing_brackets && !l.allow_trailing_dot);
    assert_eq!(l, Limits::RFC);
}

// ----- RFC 6531 UTF-8 -----------------------------------------------------------------------

#[test]
fn utf8_local_part_and_smtputf8() {
    let p = rev("<用户@example.com>").unwrap();
    assert!(p.needs_smtputf8());
    assert_eq!(p.mailbox().unwrap().local_part().as_str(), "用户");
    assert_eq!(p.to_string(), "<用户@example.com>");
    let p = rev("<\"José Pérez\"@example.com>").unwrap();
    assert!(p.needs_smtputf8());
    assert_eq!(p.to_string(), "<\"José Pérez\"@example.com>");
}

#[test]
fn utf8_domain_u_labels() {
    let p = fwd("<user@bücher.例え.jp>").unwrap();
    assert!(p.needs_smtputf8());
    let d = p.mailbox().unwrap().domain().unwrap();
    assert!(d.needs_smtputf8());
    assert_eq!(d.labels().collect::<Vec<_>>(), ["bücher", "例え", "jp"]);
    assert_eq!(err_offset(Domain::parse("-bücher.de".as_bytes())), 0);
    assert_eq!(err_offset(Domain::parse("bücher-.de".as_bytes())), 7);
}

#[test]
fn ascii_paths_do_not_need_smtputf8() {
    assert!(!rev("<>").unwrap().needs_smtputf8());
    assert!(!fwd("<Postmaster>").unwrap().needs_smtputf8());
    assert!(!rev("<\"a b\"@[IPv6:::1]>").unwrap().needs_smtputf8());
    assert!(!mbox("a@b.c").needs_smtputf8());
}

#[test]
fn invalid_utf8_is_refused_at_the_bad_byte() {
    for (input, offset) in [
        (&b"<a\xff@b>"[..], 2),         // not UTF-8 at all
        (b"<a\xc3@b>", 2),              // truncated sequence
        (b"<\xc0\xafx@b>", 1),          // overlong encoding of '/'
        (b"<a@b\xe4\xb8.c>", 4),        // truncated in the domain
        (b"<\"a \xed\xa0\x80\"@b>", 4), // surrogate in a quoted string
        (b"<a@b.c\x80>", 6),            // lone continuation byte
    ] {
        assert_eq!(err_offset(ReversePath::parse(input)), offset, "{input:?}");
    }
}

// ----- Hostile bytes ------------------------------------------------------------------------

#[test]
fn cr_lf_nul_are_never_accepted() {
    let good = "<@r.example:\"q u\"@d.example>";
    let forms = [
        good,
        "<a.b@[1.2.3.4]>",
        "<a@[IPv6:::1]>",
        "<a@[x:y]>",
        "<Postmaster>",
    ];
    let mut tolerant = Limits::default();
    tolerant.allow_missing_brackets = true;
    tolerant.allow_trailing_dot = true;
    for form in forms {
        for pos in 0..=form.len() {
            for bad in ["\r", "\n", "\0", "\r\n"] {
                let (head, tail) = form.split_at(pos);
                let s = format!("{head}{bad}{tail}");
                for limits in [Limits::default(), tolerant] {
                    let r = ForwardPath::parse_with(s.as_bytes(), &limits);
                    assert!(r.is_err(), "{s:?} parsed as {r:?}");
                    let r = ReversePath::parse_with(s.as_bytes(), &limits);
                    assert!(r.is_err(), "{s:?} parsed as {r:?}");
                }
            }
        }
    }
    assert!(LocalPart::from_content("a\rb").is_err());
    assert!(LocalPart::from_content("a\nb").is_err());
    assert!(LocalPart::from_content("a\0b").is_err());
}

#[test]
fn error_offsets_and_messages() {
    let e = rev("a@b").unwrap_err();
    assert_eq!(e.offset, 0);
    assert_eq!(e.to_string(), "'<' opening the path expected at byte 0");
    assert_eq!(err_offset(rev("<a@b")), 4);
    assert_eq!(err_offset(rev("<ab>")), 3);
    assert_eq!(err_offset(rev("<a@>")), 3);
    assert_eq!(err_offset(rev("<a@b> ")), 5);
    assert_eq!(err_offset(rev("")), 0);
    assert_eq!(err_offset(Mailbox::parse(b"a@b.c d")), 5);
}

// ----- Prefix parsing -----------------------------------------------------------------------

#[test]
fn prefix_parse_leaves_the_parameters() {
    let line = b"<a@b> SIZE=1";
    let (p, used) = ReversePath::parse_prefix(line).unwrap();
    assert_eq!(p.to_string(), "<a@b>");
    assert_eq!(&line[used..], b" SIZE=1");
    let (p, used) = ForwardPath::parse_prefix(b"<postmaster> NOTIFY=NEVER").unwrap();
    assert!(p.is_postmaster());
    assert_eq!(used, 12);
    let (p, used) = ReversePath::parse_prefix(b"<> BODY=8BITMIME").unwrap();
    assert!(p.is_null());
    assert_eq!(used, 2);
    let (m, used) = Mailbox::parse_prefix(b"x@y.z>rest").unwrap();
    assert_eq!((m.to_string().as_str(), used), ("x@y.z", 5));
}

#[test]
fn prefix_parse_of_a_long_line_is_bounded_by_the_path() {
    let mut line = path_of_len(256).into_bytes();
    line.extend_from_slice(&[b' '; 10_000]);
    let (_, used) = ReversePath::parse_prefix(&line).unwrap();
    assert_eq!(used, 256);
}

#[test]
fn missing_brackets_refused_by_default() {
    assert_eq!(
        err_offset(ReversePath::parse_prefix(b"user@example.com SIZE=1")),
        0
    );
    assert_eq!(err_offset(fwd("postmaster")), 0);
}

#[test]
fn missing_brackets_tolerance() {
    let mut limits = Limits::default();
    limits.allow_missing_brackets = true;
    let (p, used) = ReversePath::parse_prefix_with(b"user@example.com SIZE=100", &limits).unwrap();
    assert_eq!((p.to_string().as_str(), used), ("<user@example.com>", 16));
    let (p, used) = ForwardPath::parse_prefix_with(b"Postmaster NOTIFY=NEVER", &limits).unwrap();
    assert_eq!((p, used), (ForwardPath::Postmaster, 10));
    let p = ForwardPath::parse_with(b"postmaster@example.com", &limits).unwrap();
    assert!(!p.is_postmaster());
    // The bracketed form still works, and a stray '>' is not swallowed.
    assert!(ReversePath::parse_with(b"<user@example.com>", &limits).is_ok());
    assert_eq!(
        err_offset(ReversePath::parse_with(b"user@example.com>", &limits)),
        16
    );
    // The omitted brackets count: 254 bytes are the most a bare path may have.
    let ok = path_of_len(256);
    let ok = &ok[1..255];
    assert!(ReversePath::parse_with(ok.as_bytes(), &limits).is_ok());
    let bad = path_of_len(257);
    assert_eq!(
        err_offset(ReversePath::parse_with(&bad.as_bytes()[1..256], &limits)),
        254
    );
}

// ----- Construction from parts --------------------------------------------------------------

#[test]
fn mailbox_from_parts() {
    let lp = LocalPart::from_content("John Doe").unwrap();
    assert!(lp.needs_quoting());
    let m = Mailbox::new(lp, "example.com".parse::<Domain>().unwrap()).unwrap();
    assert_eq!(m.to_string(), "\"John Doe\"@example.com");
    assert_eq!(mbox(&m.to_string()), m);
    let (lp, host) = m.into_parts();
    assert_eq!(lp.as_str(), "John Doe");
    assert_eq!(host.to_string(), "example.com");
}

#[test]
fn mailbox_from_parts_checks_limits() {
    // 63 bytes of content with 2 quotes: 65 bytes on the wire.
    assert_eq!(
        LocalPart::from_content(&" ".repeat(63)).unwrap_err().offset,
        64
    );
    assert!(LocalPart::from_content(&" ".repeat(62)).is_ok());
    // A 64-byte local part and a 255-byte domain cannot share one 256-byte path.
    let lp = LocalPart::from_content(&"a".repeat(64)).unwrap();
    let domain = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(63)
    );
    let d = Domain::parse(domain.as_bytes()).unwrap();
    assert_eq!(Mailbox::new(lp.clone(), d).unwrap_err().offset, 254);
    let d = Domain::parse(b"example.com").unwrap();
    assert!(Mailbox::new(lp, d).is_ok());
}

#[test]
fn local_part_parse_and_content() {
    assert_eq!("\"a\\\"b\"".parse::<LocalPart>().unwrap().as_str(), "a\"b");
    assert_eq!(err_offset(LocalPart::parse(b"a@b")), 1);
    assert_eq!(err_offset(LocalPart::parse(&[b'a'; 65])), 64);
    assert_eq!(LocalPart::from_content("a\u{7f}").unwrap_err().offset, 1);
    assert_eq!(
        LocalPart::from_content("x").unwrap(),
        "\"x\"".parse().unwrap()
    );
}

#[test]
fn conversions_agree() {
    let s = "<a@b.c>";
    let a: ReversePath = s.parse().unwrap();
    let b = ReversePath::try_from(s.as_bytes()).unwrap();
    assert_eq!(a, b);
    let a: ForwardPath = s.parse().unwrap();
    let b = ForwardPath::try_from(s.as_bytes()).unwrap();
    assert_eq!(a, b);
    let m: Mailbox = "a@b.c".parse().unwrap();
    assert_eq!(ReversePath::from(m.clone()), rev(s).unwrap());
    assert_eq!(ForwardPath::from(m.clone()), fwd(s).unwrap());
    assert_eq!(Mailbox::try_from(&b"a@b.c"[..]).unwrap(), m);
    assert_eq!(
        "[1.2.3.4]".parse::<Host>().unwrap().to_string(),
        "[1.2.3.4]"
    );
}

#[test]
fn encode_appends_the_canonical_form() {
    let mut out = b"MAIL FROM:".to_vec();
    rev("<\"\\a\"@B.c>").unwrap().encode(&mut out);
    out.extend_from_slice(b" RCPT TO:");
    fwd("<postmaster>").unwrap().encode(&mut out);
    out.push(b' ');
    mbox("x@[IPv6:0::1]").encode(&mut out);
    assert_eq!(out, b"MAIL FROM:<a@B.c> RCPT TO:<Postmaster> x@[IPv6:::1]");
}

// ----- Properties ---------------------------------------------------------------------------

const ATEXT: &str = "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]";

fn local_part_strategy() -> impl Strategy<Value = LocalPart> {
    prop_oneof![
        // dot-strings
        proptest::string::string_regex(&format!("{ATEXT}{{1,8}}(\\.{ATEXT}{{1,8}}){{0,3}}"))
            .unwrap(),
        // anything printable, which may need quoting
        "[ -~]{0,20}",
        // quote and backslash heavy
        "[\"\\\\ a.]{0,12}",
        // UTF-8
        "[a-zé用户ß.]{1,10}",
        "[ a-zé\"]{0,10}",
    ]
    .prop_filter_map("within limits", |s| LocalPart::from_content(&s).ok())
}

fn domain_strategy() -> impl Strategy<Value = Domain> {
    let label = prop_oneof![
        "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?",
        "[a-zäöü例え]{1,6}",
        "[a-z0-9ü]([a-z0-9ü-]{0,4}[a-z0-9ü])?",
    ];
    proptest::collection::vec(label, 1..5).prop_filter_map("valid domain", |labels| {
        Domain::parse(labels.join(".").as_bytes()).ok()
    })
}

fn literal_strategy() -> impl Strategy<Value = AddressLiteral> {
    prop_oneof![
        any::<u32>().prop_map(|a| AddressLiteral::Ipv4(Ipv4Addr::from(a))),
        any::<u128>().prop_map(|a| AddressLiteral::Ipv6(Ipv6Addr::from(a))),
        // Many zero groups, to exercise every '::' placement and the IPv4-mapped form.
        proptest::array::uniform8(prop_oneof![Just(0u16), Just(0xffff), any::<u16>()])
            .prop_map(|g| AddressLiteral::Ipv6(Ipv6Addr::from(g))),
        (
            "[a-zA-Z0-9]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?",
            "[!-Z^-~]{1,12}"
        )
            .prop_filter_map("not IPv6", |(t, c)| GeneralAddressLiteral::new(&t, &c)
                .ok()
                .map(|g| AddressLiteral::General(Box::new(g)))),
    ]
}

fn mailbox_strategy() -> impl Strategy<Value = Mailbox> {
    let host = prop_oneof![
        3 => domain_strategy().prop_map(Host::Domain),
        1 => literal_strategy().prop_map(Host::AddressLiteral),
    ];
    (local_part_strategy(), host).prop_filter_map("fits a path", |(l, h)| Mailbox::new(l, h).ok())
}

fn reverse_path_strategy() -> impl Strategy<Value = ReversePath> {
    prop_oneof![1 => Just(ReversePath::Null), 6 => mailbox_strategy().prop_map(ReversePath::Mailbox)]
}

fn forward_path_strategy() -> impl Strategy<Value = ForwardPath> {
    prop_oneof![1 => Just(ForwardPath::Postmaster), 6 => mailbox_strategy().prop_map(ForwardPath::Mailbox)]
}

proptest! {
    #[test]
    fn mailbox_round_trips(m in mailbox_strategy()) {
        let text = m.to_string();
        let back = Mailbox::parse(text.as_bytes()).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.to_string(), text);
        prop_assert_eq!(m.needs_smtputf8(), !m.to_string().is_ascii());
    }

    #[test]
    fn reverse_path_round_trips(p in reverse_path_strategy(), rest in "( [A-Z]+=[0-9]+)?") {
        let text = p.to_string();
        prop_assert_eq!(&ReversePath::parse(text.as_bytes()).unwrap(), &p);
        let line = format!("{text}{rest}");
        let (q, used) = ReversePath::parse_prefix(line.as_bytes()).unwrap();
        prop_assert_eq!(q, p);
        prop_assert_eq!(&line[used..], rest.as_str());
    }

    #[test]
    fn forward_path_round_trips(p in forward_path_strategy()) {
        let text = p.to_string();
        prop_assert_eq!(&ForwardPath::parse(text.as_bytes()).unwrap(), &p);
        let mut encoded = Vec::new();
        p.encode(&mut encoded);
        prop_assert_eq!(encoded, text.into_bytes());
    }

    #[test]
    fn address_literal_round_trips(a in literal_strategy()) {
        let text = a.to_string();
        prop_assert_eq!(AddressLiteral::parse(text.as_bytes()).unwrap(), a);
    }

    #[test]
    fn ipv6_agrees_with_std(addr in any::<u128>().prop_map(Ipv6Addr::from)) {
        // Every form std writes (RFC 5952) is one of the RFC 5321 forms.
        let text = format!("[IPv6:{addr}]");
        prop_assert_eq!(literal(&text).unwrap(), AddressLiteral::Ipv6(addr));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_any(&bytes);
    }

    #[test]
    fn path_shaped_noise_never_panics(s in "<?[<>@.:,\\[\\]\"\\\\ a1fF-]{0,40}>?") {
        check_any(s.as_bytes());
    }
}

/// Whatever the input, each parser either fails inside the input or yields a value that
/// round-trips.
fn check_any(bytes: &[u8]) {
    let mut tolerant = Limits::default();
    tolerant.allow_missing_brackets = true;
    tolerant.allow_trailing_dot = true;
    for limits in [Limits::default(), tolerant] {
        match ReversePath::parse_prefix_with(bytes, &limits) {
            Ok((p, used)) => {
                assert!(used <= bytes.len());
                assert_eq!(
                    ReversePath::parse_with(p.to_string().as_bytes(), &limits).unwrap(),
                    p
                );
            }
            Err(e) => assert!(e.offset <= bytes.len().max(limits.max_path)),
        }
        match ForwardPath::parse_prefix_with(bytes, &limits) {
            Ok((p, used)) => {
                assert!(used <= bytes.len());
                assert_eq!(
                    ForwardPath::parse_with(p.to_string().as_bytes(), &limits).unwrap(),
                    p
                );
            }
            Err(e) => assert!(e.offset <= bytes.len().max(limits.max_path)),
        }
        if let Ok(m) = Mailbox::parse_with(bytes, &limits) {
            assert_eq!(
                Mailbox::parse_with(m.to_string().as_bytes(), &limits).unwrap(),
                m
            );
        }
    }
    if let Ok(d) = Domain::parse(bytes) {
        assert_eq!(Domain::parse(d.to_string().as_bytes()).unwrap(), d);
    }
    if let Ok(l) = LocalPart::parse(bytes) {
        assert_eq!(LocalPart::parse(l.to_string().as_bytes()).unwrap(), l);
    }
    if let Ok(a) = AddressLiteral::parse(bytes) {
        assert_eq!(AddressLiteral::parse(a.to_string().as_bytes()).unwrap(), a);
    }
    if let Ok(h) = Host::parse(bytes) {
        assert_eq!(Host::parse(h.to_string().as_bytes()).unwrap(), h);
    }
}

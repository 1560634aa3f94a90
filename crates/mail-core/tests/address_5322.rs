#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! RFC 5322 addresses and RFC 2047 encoded words: the RFCs' examples, hostile input, limits
//! and round-trip properties.

use mail_core::ParseError;
use mail_core::address::encoded_word::{decode_encoded_word, decode_encoded_words, encode_phrase};
use mail_core::address::rfc5322::{
    AddrSpec, Address, AddressError, AddressList, Group, Limits, Mailbox, MailboxList,
};
use proptest::prelude::*;

fn list(body: &str) -> AddressList {
    let parsed = AddressList::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}"));
    assert_round_trip(&parsed);
    parsed
}

fn assert_round_trip(parsed: &AddressList) {
    let shown = parsed.to_string();
    let again = AddressList::parse(shown.as_bytes()).unwrap_or_else(|e| panic!("{shown:?}: {e}"));
    assert_eq!(&again, parsed, "round trip through {shown:?}");
}

fn mailbox(body: &str) -> Mailbox {
    let m = Mailbox::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}"));
    assert_eq!(Mailbox::parse(m.to_string().as_bytes()).unwrap(), m);
    m
}

fn mb(name: Option<&str>, local: &str, domain: &str) -> Mailbox {
    Mailbox::new(
        name.map(String::from),
        AddrSpec::new(local, domain).unwrap(),
    )
    .unwrap()
}

fn addr(name: Option<&str>, local: &str, domain: &str) -> Address {
    Address::Mailbox(mb(name, local, domain))
}

fn err(body: &[u8]) -> ParseError {
    AddressList::parse(body).expect_err("must be rejected")
}

fn name_of(body: &str) -> String {
    mailbox(body).display_name().unwrap().to_owned()
}

// ---- RFC 5322 Appendix A ----

#[test]
fn a1_1_simple_addressing() {
    assert_eq!(
        list("John Doe <jdoe@machine.example>").0,
        vec![addr(Some("John Doe"), "jdoe", "machine.example")]
    );
    assert_eq!(
        list("Mary Smith <mary@example.net>").0,
        vec![addr(Some("Mary Smith"), "mary", "example.net")]
    );
}

#[test]
fn a1_2_different_types_of_mailboxes() {
    let from = list("\"Joe Q. Public\" <john.q.public@example.com>");
    assert_eq!(
        from.0,
        vec![addr(Some("Joe Q. Public"), "john.q.public", "example.com")]
    );
    assert_eq!(
        from.to_string(),
        "\"Joe Q. Public\" <john.q.public@example.com>"
    );

    let to = list("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>");
    assert_eq!(
        to.0,
        vec![
            addr(Some("Mary Smith"), "mary", "x.test"),
            addr(None, "jdoe", "example.org"),
            addr(Some("Who?"), "one", "y.test"),
        ]
    );
    assert_eq!(
        to.to_string(),
        "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"
    );

    let cc = list(r#"<boss@nil.test>, "Giant; \"Big\" Box" <sysservices@example.net>"#);
    assert_eq!(
        cc.0,
        vec![
            addr(None, "boss", "nil.test"),
            addr(Some("Giant; \"Big\" Box"), "sysservices", "example.net"),
        ]
    );
    assert_eq!(
        cc.to_string(),
        r#"boss@nil.test, "Giant; \"Big\" Box" <sysservices@example.net>"#
    );
}

#[test]
fn a1_3_group_addresses() {
    assert_eq!(
        list("Pete <pete@silly.example>").0,
        vec![addr(Some("Pete"), "pete", "silly.example")]
    );
    let to = list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;");
    let group = Group::new(
        "A Group",
        vec![
            mb(Some("Ed Jones"), "c", "a.test"),
            mb(None, "joe", "where.test"),
            mb(Some("John"), "jdoe", "one.test"),
        ],
    )
    .unwrap();
    assert_eq!(to.0, vec![Address::Group(group)]);
    assert_eq!(
        to.to_string(),
        "A Group: Ed Jones <c@a.test>, joe@where.test, John <jdoe@one.test>;"
    );
    let cc = list("Undisclosed recipients:;");
    assert_eq!(
        cc.0,
        vec![Address::Group(
            Group::new("Undisclosed recipients", vec![]).unwrap()
        )]
    );
    assert_eq!(cc.to_string(), "Undisclosed recipients:;");
}

#[test]
fn a2_reply_and_sender() {
    assert_eq!(
        list("\"Mary Smith: Personal Account\" <smith@home.example>").0,
        vec![addr(
            Some("Mary Smith: Personal Account"),
            "smith",
            "home.example"
        )]
    );
    assert_eq!(
        mailbox("Michael Jones <mjones@machine.example>"),
        mb(Some("Michael Jones"), "mjones", "machine.example")
    );
    assert_eq!(
        list("John Doe <jdoe@machine.example>").0,
        vec![addr(Some("John Doe"), "jdoe", "machine.example")]
    );
}

#[test]
fn a3_resent_fields() {
    assert_eq!(
        list("Mary Smith <mary@example.net>").0,
        vec![addr(Some("Mary Smith"), "mary", "example.net")]
    );
    assert_eq!(
        list("Jane Brown <j-brown@other.example>").0,
        vec![addr(Some("Jane Brown"), "j-brown", "other.example")]
    );
}

#[test]
fn a4_trace_fields_addresses() {
    assert_eq!(
        list("John Doe <jdoe@node.example>").0,
        vec![addr(Some("John Doe"), "jdoe", "node.example")]
    );
}

#[test]
fn a5_comments_in_from() {
    let from = list(r"Pete(A nice \) chap) <pete(his account)@silly.test(his host)>");
    assert_eq!(from.0, vec![addr(Some("Pete"), "pete", "silly.test")]);
}

#[test]
fn a5_group_with_comments_and_folding() {
    let to = list(
        "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
    );
    let group = Group::new(
        "A Group",
        vec![
            mb(Some("Chris Jones"), "c", "public.example"),
            mb(None, "joe", "example.org"),
            mb(Some("John"), "jdoe", "one.test"),
        ],
    )
    .unwrap();
    assert_eq!(to.0, vec![Address::Group(group)]);
}

#[test]
fn a5_group_from_brief_unfolded() {
    let to = list(
        "A Group(Some people) :Chris Jones <c@(Chris's host.)public.example>, joe@example.org, John <jdoe@one.test> (my dear friend); (the end of the group)",
    );
    assert_eq!(to.mailboxes().count(), 3);
}

#[test]
fn a5_empty_group_with_nested_comments() {
    let cc = list("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;");
    assert_eq!(
        cc.0,
        vec![Address::Group(
            Group::new("Hidden recipients", vec![]).unwrap()
        )]
    );
}

#[test]
fn a6_1_obsolete_addressing() {
    let from = list("Joe Q. Public <john.q.public@example.com>");
    assert_eq!(
        from.0,
        vec![addr(Some("Joe Q. Public"), "john.q.public", "example.com")]
    );
    assert_eq!(
        from.to_string(),
        "\"Joe Q. Public\" <john.q.public@example.com>"
    );
    let to = list("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example");
    assert_eq!(
        to.0,
        vec![
            addr(Some("Mary Smith"), "mary", "example.net"),
            addr(None, "jdoe", "test.example")
        ]
    );
}

// ---- obsolete forms, one by one (RFC 5322 §4.4) ----

#[test]
fn obs_phrase_periods() {
    assert_eq!(name_of("John Q. Public <jqp@x>"), "John Q. Public");
    assert_eq!(name_of("J. R. R. Tolkien <t@x>"), "J. R. R. Tolkien");
    assert_eq!(name_of("John Q . Public <jqp@x>"), "John Q . Public");
    assert_eq!(err(b". John <a@b>").offset, 0);
}

#[test]
fn obs_local_part_cfws_around_dots() {
    assert_eq!(
        mailbox("john . doe@example.com").addr_spec().local_part(),
        "john.doe"
    );
    assert_eq!(
        mailbox("john(c).(c)doe@example.com")
            .addr_spec()
            .local_part(),
        "john.doe"
    );
    assert_eq!(
        mailbox("\"john\".doe@example.com").addr_spec().local_part(),
        "john.doe"
    );
    assert_eq!(
        mailbox("\"john\".doe@example.com").to_string(),
        "john.doe@example.com"
    );
}

#[test]
fn obs_domain_cfws_around_dots() {
    assert_eq!(
        mailbox("jdoe@test  . example").addr_spec().domain(),
        "test.example"
    );
    assert_eq!(
        mailbox("jdoe@ (c) test (c) . (c) example (c)")
            .addr_spec()
            .domain(),
        "test.example"
    );
}

#[test]
fn obs_route_dropped() {
    let m = mailbox("<@a,@b:user@c>");
    assert_eq!(m, mb(None, "user", "c"));
    let m = mailbox("Name < @a.test , ,@b.test : user@c.test >");
    assert_eq!(m, mb(Some("Name"), "user", "c.test"));
    assert_eq!(m.to_string(), "Name <user@c.test>");
    // A route needs at least one domain and its ':'.
    assert!(Mailbox::parse(b"<,:user@c>").is_err());
    assert!(Mailbox::parse(b"<@a user@c>").is_err());
}

#[test]
fn obs_addr_list_empty_elements() {
    let l = list("a@b, , c@d");
    assert_eq!(l.0, vec![addr(None, "a", "b"), addr(None, "c", "d")]);
    assert_eq!(list(", ,a@b,").0, vec![addr(None, "a", "b")]);
    assert_eq!(list("a@b,(c),c@d").0.len(), 2);
}

#[test]
fn obs_group_list() {
    let l = list("G: , (x) , ;");
    assert_eq!(l.0, vec![Address::Group(Group::new("G", vec![]).unwrap())]);
    let l = list("G: ,a@b, , c@d,;");
    assert_eq!(
        l.0,
        vec![Address::Group(
            Group::new("G", vec![mb(None, "a", "b"), mb(None, "c", "d")]).unwrap()
        )]
    );
}

#[test]
fn obs_mbox_list_empty_elements() {
    let l = MailboxList::parse(b", a@b, ,c@d ,").unwrap();
    assert_eq!(l.mailboxes(), &[mb(None, "a", "b"), mb(None, "c", "d")]);
    assert_eq!(l.to_string(), "a@b, c@d");
}

// ---- RFC 2047 §8 ----

#[test]
fn rfc2047_8_from_to_cc() {
    assert_eq!(
        name_of("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
        "Keith Moore"
    );
    assert_eq!(
        name_of("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
        "Keld Jørn Simonsen"
    );
    let cc = mailbox("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>");
    assert_eq!(cc, mb(Some("André Pirard"), "PIRARD", "vm1.ulg.ac.be"));
    assert_eq!(cc.to_string(), "André Pirard <PIRARD@vm1.ulg.ac.be>");
    assert_eq!(
        name_of("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>"),
        "Olle Järnefors"
    );
    assert_eq!(
        list("ietf-822@dimacs.rutgers.edu, ojarnef@admin.kth.se").0,
        vec![
            addr(None, "ietf-822", "dimacs.rutgers.edu"),
            addr(None, "ojarnef", "admin.kth.se")
        ]
    );
    assert_eq!(
        list("Dave Crocker <dcrocker@mordor.stanford.edu>").0,
        vec![addr(
            Some("Dave Crocker"),
            "dcrocker",
            "mordor.stanford.edu"
        )]
    );
    assert_eq!(
        list("ietf-822@dimacs.rutgers.edu, paf@comsol.se").0.len(),
        2
    );
    assert_eq!(
        name_of("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>"),
        "Patrik Fältström"
    );
}

#[test]
fn rfc2047_8_encoded_word_in_comment_is_no_name() {
    let from = list(
        "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n      (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
    );
    assert_eq!(
        from.0,
        vec![addr(
            Some("Nathaniel Borenstein"),
            "nsb",
            "thumper.bellcore.com"
        )]
    );
    let to = list(
        "Greg Vaudreuil <gvaudre@NRI.Reston.VA.US>, Ned Freed\r\n   <ned@innosoft.com>, Keith Moore <moore@cs.utk.edu>",
    );
    assert_eq!(
        to.0,
        vec![
            addr(Some("Greg Vaudreuil"), "gvaudre", "NRI.Reston.VA.US"),
            addr(Some("Ned Freed"), "ned", "innosoft.com"),
            addr(Some("Keith Moore"), "moore", "cs.utk.edu"),
        ]
    );
}

/// The §8 table: in a structured field these are comments, which an address drops.
#[test]
fn rfc2047_8_table_as_comments() {
    for comment in [
        "(=?ISO-8859-1?Q?a?=)",
        "(=?ISO-8859-1?Q?a?= b)",
        "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)",
        "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)",
        "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)",
        "(=?ISO-8859-1?Q?a_b?=)",
        "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)",
    ] {
        let body = format!("x@y.test {comment}");
        assert_eq!(
            list(&body).0,
            vec![addr(None, "x", "y.test")],
            "{comment:?}"
        );
    }
}

/// The §8 table's display rules applied to a phrase (display name).
#[test]
fn rfc2047_8_table_as_phrases() {
    for (phrase, shown) in [
        ("=?ISO-8859-1?Q?a?=", "a"),
        ("=?ISO-8859-1?Q?a?= b", "a b"),
        ("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"),
        ("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab"),
        ("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab"),
        ("=?ISO-8859-1?Q?a_b?=", "a b"),
        ("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b"),
    ] {
        assert_eq!(
            name_of(&format!("{phrase} <x@y.test>")),
            shown,
            "{phrase:?}"
        );
    }
}

#[test]
fn rfc2047_8_subject_unstructured() {
    assert_eq!(
        decode_encoded_words(
            "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
        ),
        "If you can read this you understand the example."
    );
    assert_eq!(
        decode_encoded_words("Time for ISO 10646?"),
        "Time for ISO 10646?"
    );
}

#[test]
fn encoded_word_in_quoted_string_not_decoded() {
    let m = mailbox("\"=?ISO-8859-1?Q?a?=\" <x@y.test>");
    assert_eq!(m.display_name(), Some("=?ISO-8859-1?Q?a?="));
    assert_eq!(m.to_string(), "\"=?ISO-8859-1?Q?a?=\" <x@y.test>");
}

#[test]
fn encoded_words_malformed_or_unknown_kept() {
    assert_eq!(name_of("=?utf-8?q?=ZZ?= <x@y>"), "=?utf-8?q?=ZZ?=");
    assert_eq!(name_of("=?x-klingon?q?a?= <x@y>"), "=?x-klingon?q?a?=");
    assert_eq!(name_of("=?utf-8?z?a?= <x@y>"), "=?utf-8?z?a?=");
    assert_eq!(name_of("=?utf-8?b?!!!?= <x@y>"), "=?utf-8?b?!!!?=");
    assert_eq!(
        name_of("=?utf-8?q?a?= =?bogus?q?b?= <x@y>"),
        "a =?bogus?q?b?="
    );
}

#[test]
fn encoded_word_decoding_to_controls_kept_literally() {
    assert_eq!(
        name_of("=?utf-8?q?a=0D=0Ab?= <x@y>"),
        "=?utf-8?q?a=0D=0Ab?="
    );
    assert_eq!(name_of("=?utf-8?q?a=00?= <x@y>"), "=?utf-8?q?a=00?=");
    assert_eq!(name_of("=?utf-8?q?a=09b?= <x@y>"), "a\tb");
}

#[test]
fn encoded_word_variants() {
    assert_eq!(name_of("=?utf-8?b?SsO2aG4=?= <x@y>"), "Jöhn");
    assert_eq!(name_of("=?UTF-8?B?SsO2aG4?= <x@y>"), "Jöhn");
    assert_eq!(name_of("=?UTF-8*en?Q?Hi?= <x@y>"), "Hi");
    assert_eq!(name_of("=?utf-8?q?J._Doe?= <x@y>"), "J. Doe");
    assert_eq!(name_of("=?windows-1252?q?=80uro?= <x@y>"), "€uro");
    assert_eq!(name_of("=?iso-8859-15?q?=A4uro?= <x@y>"), "€uro");
    assert_eq!(name_of("\"quoted\" =?utf-8?q?=C3=A9?= <x@y>"), "quoted é");
}

#[test]
fn encoder_produces_valid_phrase() {
    let name = "Jörg Müller-Lüdenscheidt, the \"Big\" Boss (CEO) of 日本";
    let encoded = encode_phrase(name);
    assert!(encoded.is_ascii());
    assert!(encoded.split(' ').all(|w| w.len() <= 75));
    let m = mailbox(&format!("{encoded} <j@x.test>"));
    assert_eq!(m.display_name(), Some(name));
    assert_eq!(
        decode_encoded_word("=?UTF-8?Q?J=C3=B6rg?=").as_deref(),
        Some("Jörg")
    );
}

// ---- comments: nesting limit and hostile nesting ----

fn nested(depth: usize) -> String {
    format!("{}c{} a@b", "(".repeat(depth), ")".repeat(depth))
}

#[test]
fn comment_depth_at_limit_accepted() {
    assert_eq!(list(&nested(32)).0, vec![addr(None, "a", "b")]);
    assert_eq!(list(&nested(31)).0.len(), 1);
}

#[test]
fn comment_depth_over_limit_rejected() {
    let e = err(nested(33).as_bytes());
    assert_eq!(e.offset, 32);
}

#[test]
fn comment_depth_configurable() {
    let limits = Limits::default().with_max_comment_depth(2);
    assert!(AddressList::parse_with(b"((c)) a@b", &limits).is_ok());
    assert_eq!(
        AddressList::parse_with(b"(((c))) a@b", &limits)
            .unwrap_err()
            .offset,
        2
    );
    let none = Limits::default().with_max_comment_depth(0);
    assert_eq!(
        AddressList::parse_with(b"a@b (c)", &none)
            .unwrap_err()
            .offset,
        4
    );
}

#[test]
fn hundred_thousand_open_parens() {
    let input = "(".repeat(100_000);
    assert_eq!(err(input.as_bytes()).offset, 32);
    let unlimited = Limits::default().with_max_comment_depth(usize::MAX);
    let e = AddressList::parse_with(input.as_bytes(), &unlimited).unwrap_err();
    assert_eq!(e.offset, 100_000);
    let deep = format!("{}{} a@b", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(
        AddressList::parse_with(deep.as_bytes(), &unlimited)
            .unwrap()
            .0
            .len(),
        1
    );
    assert!(Mailbox::parse(format!("a@b{}", "(".repeat(100_000)).as_bytes()).is_err());
}

#[test]
fn unterminated_comment() {
    assert_eq!(err(b"a@b (c").offset, 6);
    assert_eq!(err(b"a@b (c\\)").offset, 8);
}

// ---- folding, CR and LF ----

#[test]
fn folded_input_accepted() {
    let l = list("Mary Smith\r\n <mary@x.test>,\r\n\tjdoe@example.org");
    assert_eq!(
        l.0,
        vec![
            addr(Some("Mary Smith"), "mary", "x.test"),
            addr(None, "jdoe", "example.org")
        ]
    );
    // A fold inside a quoted string loses its CRLF and keeps its WSP (RFC 5322 §3.2.4).
    assert_eq!(name_of("\"Joe\r\n Public\" <j@x>"), "Joe Public");
    // obs-FWS: several folds in a row.
    assert_eq!(list("a@b,\r\n \r\n c@d").0.len(), 2);
}

#[test]
fn bare_cr_and_lf_rejected() {
    assert_eq!(err(b"a@b,\nc@d").offset, 4);
    assert_eq!(err(b"a@b,\rc@d").offset, 4);
    assert_eq!(err(b"a@b,\r\nc@d").offset, 4);
    assert_eq!(err(b"a@b\r\n").offset, 3);
    assert_eq!(err(b"\"a\nb\" <a@b>").offset, 2);
    assert_eq!(err(b"a@b (x\ry)").offset, 6);
    assert_eq!(err(b"a@[1.2\n]").offset, 6);
}

#[test]
fn nul_and_controls_rejected() {
    assert_eq!(err(b"a\0@b").offset, 1);
    assert_eq!(err(b"\"a\0\" <a@b>").offset, 2);
    assert_eq!(err(b"\"a\\\0\" <a@b>").offset, 3);
    assert_eq!(err(b"a@b (\x07)").offset, 5);
    assert_eq!(err(b"a@b\x7f").offset, 3);
}

// ---- UTF-8 (RFC 6532) ----

#[test]
fn utf8_in_atoms_quoted_strings_and_domains() {
    let m = mailbox("Jöhn Dœ <jöhn@exämple.test>");
    assert_eq!(m, mb(Some("Jöhn Dœ"), "jöhn", "exämple.test"));
    assert_eq!(m.to_string(), "Jöhn Dœ <jöhn@exämple.test>");
    assert_eq!(name_of("\"山田, 太郎\" <yamada@example.jp>"), "山田, 太郎");
    assert_eq!(mailbox("\"ü ü\"@x.test").addr_spec().local_part(), "ü ü");
    assert_eq!(mailbox("a@x.test (cömment)"), mb(None, "a", "x.test"));
}

#[test]
fn invalid_utf8_rejected() {
    assert_eq!(err(b"J\xf6hn <j@x>").offset, 1);
    assert_eq!(err(b"j@x (\xff)").offset, 5);
    assert_eq!(err(b"\"a\xc3\" <j@x>").offset, 2);
}

// ---- quoted local parts and domain literals ----

#[test]
fn quoted_local_parts() {
    let m = mailbox("\"john doe\"@example.com");
    assert_eq!(m.addr_spec().local_part(), "john doe");
    assert_eq!(m.to_string(), "\"john doe\"@example.com");
    let m = mailbox(r#""a\"b\\c"@x"#);
    assert_eq!(m.addr_spec().local_part(), r#"a"b\c"#);
    assert_eq!(m.to_string(), r#""a\"b\\c"@x"#);
    // Needless quoting and escaping disappear from the canonical form.
    assert_eq!(mailbox(r#""\j\o\e"@x"#).to_string(), "joe@x");
    assert_eq!(mailbox("\"\"@x").to_string(), "\"\"@x");
    assert_eq!(mailbox("\"a..b\"@x").to_string(), "\"a..b\"@x");
}

#[test]
fn domain_literals() {
    let m = mailbox("jdoe@[192.0.2.1]");
    assert!(m.addr_spec().is_domain_literal());
    assert_eq!(m.addr_spec().domain(), "[192.0.2.1]");
    assert_eq!(
        mailbox("x@[IPv6:2001:db8::1]").addr_spec().domain(),
        "[IPv6:2001:db8::1]"
    );
    assert_eq!(mailbox("x@ (c) [1.2.3.4] (c)").to_string(), "x@[1.2.3.4]");
    assert_eq!(err(b"x@[a[b]").offset, 4);
    assert_eq!(err(b"x@[a\\]b]").offset, 4);
    assert_eq!(err(b"x@[abc").offset, 6);
}

// ---- display ----

#[test]
fn display_quotes_only_where_needed() {
    assert_eq!(
        mb(Some("Joe Public"), "j", "x").to_string(),
        "Joe Public <j@x>"
    );
    assert_eq!(
        mb(Some("Joe Q. Public"), "j", "x").to_string(),
        "\"Joe Q. Public\" <j@x>"
    );
    assert_eq!(
        mb(Some("a\"b\\c"), "j", "x").to_string(),
        r#""a\"b\\c" <j@x>"#
    );
    assert_eq!(mb(Some(" lead"), "j", "x").to_string(), "\" lead\" <j@x>");
    assert_eq!(
        mb(Some("two  spaces"), "j", "x").to_string(),
        "\"two  spaces\" <j@x>"
    );
    assert_eq!(mb(Some(""), "j", "x").to_string(), "\"\" <j@x>");
    assert_eq!(
        mb(Some("Smith, John"), "j", "x").to_string(),
        "\"Smith, John\" <j@x>"
    );
    assert_eq!(mb(None, "j", "x").to_string(), "j@x");
    let g = Group::new("Team", vec![mb(None, "a", "b"), mb(Some("C D"), "c", "d")]).unwrap();
    assert_eq!(g.to_string(), "Team: a@b, C D <c@d>;");
    let l = AddressList(vec![Address::Group(g), addr(None, "e", "f")]);
    assert_eq!(l.to_string(), "Team: a@b, C D <c@d>;, e@f");
    assert_round_trip(&l);
}

#[test]
fn angle_addr_without_name() {
    let m = mailbox("<boss@nil.test>");
    assert_eq!(m.display_name(), None);
    assert_eq!(m.to_string(), "boss@nil.test");
    assert_eq!(mailbox("\"\" <a@b>").display_name(), Some(""));
}

#[test]
fn adjacent_words_without_space() {
    assert_eq!(name_of("\"a\"b <x@y>"), "a b");
    assert_eq!(name_of("a(c)b <x@y>"), "a b");
}

// ---- constructors validate ----

#[test]
fn constructors_validate() {
    assert_eq!(AddrSpec::new("a\r\nb", "x"), Err(AddressError::LocalPart));
    assert_eq!(AddrSpec::new("a\0", "x"), Err(AddressError::LocalPart));
    assert_eq!(AddrSpec::new("a", "bad domain"), Err(AddressError::Domain));
    assert_eq!(AddrSpec::new("a", "x..y"), Err(AddressError::Domain));
    assert_eq!(AddrSpec::new("a", ""), Err(AddressError::Domain));
    assert_eq!(AddrSpec::new("a", "[a]b]"), Err(AddressError::Domain));
    assert!(AddrSpec::new("a b", "[1.2.3.4]").is_ok());
    let spec = AddrSpec::new("a", "x").unwrap();
    assert_eq!(
        Mailbox::new(Some("a\nb".into()), spec.clone()),
        Err(AddressError::DisplayName)
    );
    assert_eq!(Group::new("x\r", vec![]), Err(AddressError::DisplayName));
    assert!(MailboxList::new(vec![]).is_none());
    assert_eq!(Mailbox::from(spec.clone()).to_string(), "a@x");
}

// ---- structural errors ----

#[test]
fn structural_errors_have_offsets() {
    assert_eq!(err(b"a@b c@d").offset, 4);
    assert_eq!(err(b"John Doe jdoe@x").offset, 5);
    assert_eq!(err(b"John <jdoe@x").offset, 12);
    assert_eq!(err(b"John <jdoe>").offset, 10);
    assert_eq!(err(b"<>").offset, 1);
    assert_eq!(err(b"a@").offset, 2);
    assert_eq!(err(b"a@b.").offset, 4);
    assert_eq!(err(b"@b").offset, 0);
    assert_eq!(err(b".a@b").offset, 0);
    assert_eq!(err(b"a.@b").offset, 2);
    assert_eq!(err(b"G: a@b").offset, 6);
    assert_eq!(err(b"G: H: a@b;;").offset, 4);
    assert_eq!(err(b"\"open <a@b>").offset, 11);
    assert_eq!(err(b": a@b;").offset, 0);
}

#[test]
fn mailbox_list_rejects_groups_and_emptiness() {
    assert_eq!(MailboxList::parse(b"a@b, G: c@d;").unwrap_err().offset, 6);
    assert_eq!(MailboxList::parse(b" , (c) ").unwrap_err().offset, 7);
    assert!(Mailbox::parse(b"a@b, c@d").is_err());
    assert!(Mailbox::parse(b"G:;").is_err());
}

#[test]
fn empty_address_list_is_the_bcc_form() {
    assert_eq!(AddressList::parse(b"").unwrap(), AddressList::default());
    assert_eq!(AddressList::parse(b" (hidden) ").unwrap().0, vec![]);
    assert_eq!(AddressList::default().to_string(), "");
}

#[test]
fn single_item_parsers_and_from_str() {
    let a: Address = " G : a@b ; ".parse().unwrap();
    assert_eq!(a.mailboxes().len(), 1);
    let g: Group = "G:a@b;".parse().unwrap();
    assert_eq!(g.display_name(), "G");
    assert_eq!(g.members().len(), 1);
    assert!(Group::parse(b"a@b").is_err());
    let s: AddrSpec = " (c) a . b @ c . d (c) ".parse().unwrap();
    assert_eq!(s.to_string(), "a.b@c.d");
    assert!(AddrSpec::parse(b"N <a@b>").is_err());
    let l: AddressList = "a@b, c@d".parse().unwrap();
    assert_eq!(l.mailboxes().count(), 2);
    let m: Mailbox = "N <a@b>".parse().unwrap();
    assert_eq!(m.addr_spec().domain(), "b");
    let ml: MailboxList = "a@b".parse().unwrap();
    assert_eq!(ml.into_vec().len(), 1);
}

#[test]
fn group_names_decode_and_quote() {
    let g = Group::parse(b"=?utf-8?q?=C3=89quipe?= (team) : a@b ;").unwrap();
    assert_eq!(g.display_name(), "Équipe");
    assert_eq!(g.to_string(), "Équipe: a@b;");
    let g = Group::parse(br#""Team: \\ \"A\"":;"#).unwrap();
    assert_eq!(g.display_name(), "Team: \\ \"A\"");
    assert_eq!(g.to_string(), r#""Team: \\ \"A\"":;"#);
    assert_eq!(Group::parse(g.to_string().as_bytes()).unwrap(), g);
    assert_eq!(Group::parse(b" a@b").unwrap_err().offset, 1);
}

#[test]
fn tab_in_quoted_name_kept() {
    let m = mailbox("\"a\tb\" <x@y>");
    assert_eq!(m.display_name(), Some("a\tb"));
    assert_eq!(m.to_string(), "\"a\tb\" <x@y>");
}

#[test]
fn list_iteration() {
    let l: AddressList = vec![addr(None, "a", "b"), addr(None, "c", "d")].into();
    assert_eq!((&l).into_iter().count(), 2);
    let domains: Vec<String> = l
        .into_iter()
        .map(|a| match a {
            Address::Mailbox(m) => m.addr_spec().domain().to_owned(),
            Address::Group(g) => g.display_name().to_owned(),
        })
        .collect();
    assert_eq!(domains, ["b", "d"]);
}

// ---- the address-count limit ----

#[test]
fn address_count_limit() {
    let limits = Limits::default().with_max_addresses(3);
    assert!(AddressList::parse_with(b"a@b, c@d, e@f", &limits).is_ok());
    assert_eq!(
        AddressList::parse_with(b"a@b, c@d, e@f, g@h", &limits)
            .unwrap_err()
            .offset,
        15
    );
    // A group counts, and so does each member.
    assert!(AddressList::parse_with(b"G: a@b, c@d;", &limits).is_ok());
    assert_eq!(
        AddressList::parse_with(b"G: a@b, c@d, e@f;", &limits)
            .unwrap_err()
            .offset,
        13
    );
    let many = "a@b,".repeat(4097);
    assert!(AddressList::parse(many.as_bytes()).is_err());
    assert!(AddressList::parse("a@b,".repeat(4096).as_bytes()).is_ok());
}

// ---- properties ----

fn atom() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}"
}

fn display_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(atom(), 1..4).prop_map(|w| w.join(" ")),
        "[ -~\t]{0,20}",
        "[a-zäöü日本 .,\"\\\\]{0,12}",
        "[^\\x00-\\x08\\x0a-\\x1f\\x7f]{0,12}",
    ]
}

fn local_part() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(atom(), 1..3).prop_map(|w| w.join(".")),
        "[ -~\t]{0,12}",
        "[a-zé]{1,6}",
    ]
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec("[a-z0-9-]{1,8}", 1..4).prop_map(|w| w.join(".")),
        "[a-zä]{1,5}\\.[a-z]{2,3}",
        "\\[[!-Z^-~ ]{0,12}\\]",
        "\\[IPv6:[0-9a-f:]{2,12}\\]",
    ]
}

fn mailbox_value() -> impl Strategy<Value = Mailbox> {
    (prop::option::of(display_name()), local_part(), domain())
        .prop_map(|(n, l, d)| Mailbox::new(n, AddrSpec::new(l, d).unwrap()).unwrap())
}

fn address_value() -> impl Strategy<Value = Address> {
    prop_oneof![
        3 => mailbox_value().prop_map(Address::Mailbox),
        1 => (display_name(), prop::collection::vec(mailbox_value(), 0..3))
            .prop_map(|(n, m)| Address::Group(Group::new(n, m).unwrap())),
    ]
}

proptest! {
    #[test]
    fn address_list_round_trips(list in prop::collection::vec(address_value(), 0..4)) {
        let list = AddressList(list);
        let shown = list.to_string();
        prop_assert_eq!(AddressList::parse(shown.as_bytes()), Ok(list), "{}", shown);
    }

    #[test]
    fn address_round_trips(a in address_value()) {
        let shown = a.to_string();
        prop_assert_eq!(Address::parse(shown.as_bytes()), Ok(a), "{}", shown);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(list) = AddressList::parse(&bytes) {
            prop_assert_eq!(AddressList::parse(list.to_string().as_bytes()), Ok(list));
        }
        let _ = Mailbox::parse(&bytes);
        let _ = MailboxList::parse(&bytes);
        let _ = AddrSpec::parse(&bytes);
    }

    #[test]
    fn header_like_input_round_trips(s in "[()<>@,;:\\\\\".\\[\\] abc\r\n\t=?_éQq]{0,64}") {
        if let Ok(list) = AddressList::parse(s.as_bytes()) {
            let shown = list.to_string();
            prop_assert_eq!(AddressList::parse(shown.as_bytes()), Ok(list), "{} -> {}", s, shown);
        }
        let _ = decode_encoded_words(&s);
    }

    #[test]
    fn encoded_words_round_trip(s in any::<String>()) {
        let encoded = encode_phrase(&s);
        prop_assert!(encoded.is_ascii());
        prop_assert!(encoded.split(' ').all(|w| w.len() <= 75));
        prop_assert_eq!(decode_encoded_words(&encoded), s);
    }

    #[test]
    fn encoded_display_names_round_trip(s in "[^\\x00-\\x08\\x0a-\\x1f\\x7f]{1,40}") {
        let encoded = encode_phrase(&s);
        let m = Mailbox::parse(format!("{encoded} <a@b>").as_bytes()).unwrap();
        prop_assert_eq!(m.display_name(), Some(s.as_str()));
    }
}

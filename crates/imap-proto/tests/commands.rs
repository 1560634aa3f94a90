//! Every client command example of RFC 9051 §6, RFC 3501 §6 and the extension RFCs, parsed,
//! checked, and round-tripped through the encoder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::NonZeroU32;

use bytes::{Bytes, BytesMut};
use imap_proto::command::*;
use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
use imap_proto::response::ExtValue;
use imap_proto::types::*;
use mail_core::sasl::Mechanism;

/// Frames `wire` (with its CRLFs), parses the one command, and checks that encoding and
/// parsing again gives the same command.
fn cmd(wire: &str) -> Command {
    let mut framer = Framer::new(FramerConfig::client());
    let mut buf = BytesMut::from(wire.as_bytes());
    buf.extend_from_slice(b"\r\n");
    let Some(Ok(FrameEvent::Frame(frame))) = framer.next_frame(&mut buf) else {
        panic!("no frame for {wire:?}");
    };
    assert!(buf.is_empty(), "left over after {wire:?}");
    let c = Command::parse(&frame).unwrap_or_else(|e| panic!("{wire:?}: {e}"));
    let encoded = c.to_bytes();
    let again = Command::parse_bytes(
        &Bytes::copy_from_slice(encoded.strip_suffix(b"\r\n").unwrap()),
        DEFAULT_MAX_DEPTH,
    )
    .unwrap_or_else(|e| panic!("re-parse of {:?}: {e}", String::from_utf8_lossy(&encoded)));
    assert_eq!(again, c, "round trip of {wire:?}");
    c
}

fn bad(wire: &str) {
    let bytes = Bytes::copy_from_slice(wire.as_bytes());
    assert!(
        Command::parse_bytes(&bytes, DEFAULT_MAX_DEPTH).is_err(),
        "{wire:?} parsed"
    );
}

fn mb(name: &str) -> Mailbox {
    Mailbox::try_from(name).unwrap()
}

fn astr(s: &str) -> AString {
    AString::try_from(s).unwrap()
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::parse(s.as_bytes()).unwrap()
}

macro_rules! examples {
    ($($name:ident: $wire:expr => $pat:pat $(if $guard:expr)?,)*) => {
        $(
            #[test]
            fn $name() {
                let c = cmd($wire);
                assert!(matches!(&c.body, $pat $(if $guard)?), "{}: {:?}", $wire, c.body);
            }
        )*
    };
}

examples! {
    // Seed overview client lines.
    seed_capability: "A001 CAPABILITY" => CommandBody::Capability,
    seed_login: "A002 LOGIN username password" => CommandBody::Login { username, password }
        if *username == astr("username") && *password.expose() == astr("password"),
    seed_select: "A003 SELECT INBOX" => CommandBody::Select { mailbox: Mailbox::Inbox, params }
        if *params == SelectParams::default(),
    seed_fetch_all: "A004 FETCH 1:2 ALL" => CommandBody::Fetch { uid: false, items: FetchItems::All, set: s, .. }
        if *s == set("1:2"),

    // RFC 9051 §6.1
    rfc9051_capability: "abcd CAPABILITY" => CommandBody::Capability,
    rfc9051_noop: "a002 NOOP" => CommandBody::Noop,
    rfc9051_logout: "A023 LOGOUT" => CommandBody::Logout,
    // §6.2
    rfc9051_starttls: "a002 STARTTLS" => CommandBody::StartTls,
    rfc9051_auth_gssapi: "A001 AUTHENTICATE GSSAPI" => CommandBody::Authenticate {
        mechanism: Mechanism::Other(_), initial_response: None },
    rfc9051_auth_plain_ir: "a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=" =>
        CommandBody::Authenticate { mechanism: Mechanism::Plain, initial_response: Some(ir) }
        if ir.expose() == b"test\0test\0test",
    rfc4959_external_empty: "A01 AUTHENTICATE EXTERNAL =" =>
        CommandBody::Authenticate { mechanism: Mechanism::External, initial_response: Some(ir) }
        if ir.expose().is_empty(),
    rfc4959_external: "A01 AUTHENTICATE EXTERNAL" =>
        CommandBody::Authenticate { mechanism: Mechanism::External, initial_response: None },
    rfc9051_login: "a001 LOGIN SMITH SESAME" => CommandBody::Login { .. },
    rfc3501_login_fred: "A001 LOGIN fred blurdybloop" => CommandBody::Login { .. },
    rfc7888_login_quoted: "A001 LOGIN \"FRED FOOBAR\" \"fat man\"" => CommandBody::Login { username, .. }
        if username.as_bytes() == "FRED FOOBAR",
    rfc7888_login_literal_plus: "A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man" =>
        CommandBody::Login { username, password }
        if username.as_bytes() == "FRED FOOBAR" && password.expose().as_bytes() == "fat man",
    // §6.3
    rfc5161_enable: "a1 ENABLE CONDSTORE" => CommandBody::Enable(c) if *c == [Capability::CondStore],
    rfc5161_enable_two: "t2 ENABLE CONDSTORE X-GOOD-IDEA" => CommandBody::Enable(c)
        if c.len() == 2 && matches!(c[1], Capability::Other(_)),
    rfc9051_select: "A142 SELECT INBOX" => CommandBody::Select { mailbox: Mailbox::Inbox, .. },
    rfc9051_select_drafts: "A143 SELECT Drafts" => CommandBody::Select { mailbox, .. } if *mailbox == mb("Drafts"),
    rfc9051_examine: "A932 EXAMINE blurdybloop" => CommandBody::Examine { .. },
    rfc7162_select_condstore: "A142 SELECT INBOX (CONDSTORE)" => CommandBody::Select { params, .. }
        if params.condstore,
    rfc7162_select_qresync: "A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))" =>
        CommandBody::Select { params, .. }
        if params.qresync.as_ref().is_some_and(|q| q.uid_validity.get() == 3857529045
            && q.mod_seq == 20010715194032001 && q.known_uids == Some(set("1:198"))),
    rfc7162_select_qresync_a02: "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))" =>
        CommandBody::Select { params, .. } if params.qresync.is_some(),
    rfc7162_select_qresync_seq_match: "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))" =>
        CommandBody::Select { params, .. }
        if params.qresync.as_ref().is_some_and(|q| q.seq_match.as_ref().is_some_and(|(s, _)| *s == set("5000,7500,9000,9990:9999"))),
    rfc4466_select_annotate: "a SELECT INBOX (ANNOTATE)" => CommandBody::Select { params, .. }
        if !params.condstore && params.other.len() == 1 && params.other[0].name().as_str() == "ANNOTATE"
            && params.other[0].value().is_none(),
    rfc4466_examine_three_params: "a EXAMINE INBOX (ANNOTATE RESPONSES (\"UID Responses\") CONDSTORE)" =>
        CommandBody::Examine { params, .. }
        if params.condstore && params.other.len() == 2
            && params.other[0].name().as_str() == "ANNOTATE" && params.other[0].value().is_none()
            && params.other[1].name().as_str() == "RESPONSES"
            && matches!(params.other[1].value(), Some(ExtValue::List(v))
                if matches!(&v[..], [ExtValue::String(s)] if s.as_bytes()[..] == b"UID Responses"[..])),
    rfc4466_select_unknown: "a SELECT INBOX (BLURDYBLOOP)" => CommandBody::Select { params, .. }
        if params.other.len() == 1 && params.other[0].name().as_str() == "BLURDYBLOOP",
    rfc4466_select_simple_values: "a SELECT INBOX (X-A 1:5 QRESYNC (1 2) X-B * X-C)" => CommandBody::Select { params, .. }
        if params.qresync.is_some() && params.other.len() == 3
            && params.other[0].value() == Some(&ExtValue::token("1:5").unwrap())
            && params.other[1].value() == Some(&ExtValue::token("*").unwrap())
            && params.other[2].value().is_none(),
    rfc9051_create_sent: "A004 CREATE \"Sent Mail\"" => CommandBody::Create { mailbox, special_use: None }
        if *mailbox == mb("Sent Mail"),
    rfc9051_create_slash: "A003 CREATE owatagusiam/" => CommandBody::Create { .. },
    rfc9051_create_nested: "A004 CREATE owatagusiam/blurdybloop" => CommandBody::Create { .. },
    rfc9051_create_nonnormalized: "A005 CREATE NonNormalized" => CommandBody::Create { .. },
    rfc2342_create_mh: "A006 CREATE \"#mh/Deleted Items\"" => CommandBody::Create { .. },
    rfc6154_create_use: "t2 CREATE MySpecial (USE (\\Drafts \\Sent))" => CommandBody::Create { special_use: Some(u), .. }
        if *u == [SpecialUse::Drafts, SpecialUse::Sent],
    rfc6154_create_all: "t3 CREATE Everything (USE (\\All))" => CommandBody::Create { special_use: Some(u), .. }
        if *u == [SpecialUse::All],
    rfc9051_delete: "A683 DELETE blurdybloop" => CommandBody::Delete(_),
    rfc9051_delete_nested: "A685 DELETE foo/bar" => CommandBody::Delete(_),
    rfc9051_rename: "A683 RENAME blurdybloop sarasoop" => CommandBody::Rename { .. },
    rfc9051_rename_inbox: "Z433 RENAME INBOX old-mail" => CommandBody::Rename { from: Mailbox::Inbox, .. },
    rfc9051_rename_xy: "1001 RENAME X Y" => CommandBody::Rename { .. },
    rfc9051_subscribe: "A002 SUBSCRIBE #news.comp.mail.mime" => CommandBody::Subscribe(_),
    rfc9051_unsubscribe: "A002 UNSUBSCRIBE #news.comp.mail.mime" => CommandBody::Unsubscribe(_),
    rfc9051_list_empty: "A101 LIST \"\" \"\"" => CommandBody::List { selection: None, return_options: None, patterns, .. }
        if patterns[0].as_bytes().is_empty(),
    rfc9051_list_news: "A102 LIST #news.comp.mail.misc \"\"" => CommandBody::List { .. },
    rfc9051_list_staff: "A103 LIST /usr/staff/jones \"\"" => CommandBody::List { .. },
    rfc9051_list_tilde: "A202 LIST ~/Mail/ %" => CommandBody::List { patterns, .. } if patterns[0].as_bytes() == "%",
    rfc9051_list_star: "A682 LIST \"\" *" => CommandBody::List { .. },
    rfc9051_list_users: "A002 LIST \"\" \"#Users/%\"" => CommandBody::List { .. },
    rfc9051_list_special_use: "A002 LIST (SPECIAL-USE) \"\" \"*\"" => CommandBody::List { selection: Some(s), .. }
        if *s == [ListSelectOption::SpecialUse],
    rfc9051_list_status: "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))" =>
        CommandBody::List { return_options: Some(r), .. }
        if *r == [ListReturnOption::Status(vec![StatusItem::Messages, StatusItem::Unseen])],
    rfc5819_list_no_space: "A02 LIST (SUBSCRIBED RECURSIVEMATCH)\"\" % RETURN (STATUS (MESSAGES))" =>
        CommandBody::List { selection: Some(s), .. } if s.len() == 2,
    rfc5258_list_empty_selection: "A03 LIST () \"\" \"%\" RETURN (CHILDREN)" =>
        CommandBody::List { selection: Some(s), return_options: Some(r), .. }
        if s.is_empty() && *r == [ListReturnOption::Children],
    rfc5258_list_remote: "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)" => CommandBody::List { .. },
    rfc5258_list_remote_subscribed: "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"" => CommandBody::List { selection: Some(s), .. }
        if *s == [ListSelectOption::Remote, ListSelectOption::Subscribed],
    rfc5258_list_return_subscribed: "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)" => CommandBody::List { .. },
    rfc5258_list_patterns: "BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")" => CommandBody::List { patterns, .. }
        if patterns.len() == 3,
    rfc5258_list_patterns_atoms: "a3.1 LIST \"\" (% music/rock)" => CommandBody::List { patterns, .. }
        if patterns.len() == 2,
    rfc5258_list_recursive: "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)" => CommandBody::List { .. },
    rfc5258_list_star2: "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"" => CommandBody::List { .. },
    rfc5258_list_foo: "a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)" => CommandBody::List { .. },
    rfc6154_list_return_special_use: "t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)" => CommandBody::List { return_options: Some(r), .. }
        if *r == [ListReturnOption::SpecialUse],
    rfc5258_option_values: "a LIST (REMOTE X-SEL (1 (a \"b c\"))) \"\" % RETURN (X-RET (x) CHILDREN X-BARE)" =>
        CommandBody::List { selection: Some(s), return_options: Some(r), .. }
        if s.len() == 2 && matches!(&s[1], ListSelectOption::OtherWithValue(a, v) if a.as_str() == "X-SEL" && v.len() == 2)
            && r.len() == 3 && matches!(&r[0], ListReturnOption::OtherWithValue(a, v) if a.as_str() == "X-RET" && v.len() == 1)
            && r[1] == ListReturnOption::Children
            && matches!(&r[2], ListReturnOption::Other(a) if a.as_str() == "X-BARE"),
    rfc3501_lsub: "A003 LSUB \"#news.\" \"comp.%\"" => CommandBody::Lsub { .. },
    rfc9051_namespace: "A001 NAMESPACE" => CommandBody::Namespace,
    rfc9051_status: "A042 STATUS blurdybloop (UIDNEXT MESSAGES)" => CommandBody::Status { items, .. }
        if *items == [StatusItem::UidNext, StatusItem::Messages],
    rfc7162_status_highestmodseq: "A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)" => CommandBody::Status { items, .. }
        if items.contains(&StatusItem::HighestModSeq),
    rfc9208_status_deleted_storage: "S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)" => CommandBody::Status { items, .. }
        if items.contains(&StatusItem::DeletedStorage),
    rfc9051_append: "A003 APPEND saved-messages (\\Seen) {326}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\nSubject: afternoon meeting\r\nTo: mooch@owatagu.siam.edu.example\r\nMessage-Id: <B27397-0100000@Blurdybloop.example>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n" =>
        CommandBody::Append { messages, .. }
        if messages.len() == 1 && matches!(&messages[0].data, AppendData::Literal(m) if m.len() == 326) && messages[0].flags == Some(vec![Flag::Seen]),
    rfc9051_append_literal_plus: "A003 APPEND saved-messages (\\Seen) {5+}\r\nhello" => CommandBody::Append { messages, .. }
        if messages[0].data == AppendData::Literal(Bytes::from_static(b"hello")),
    append_date_time: "A1 APPEND INBOX (\\Seen \\Draft) \"17-Jul-1996 02:44:25 -0700\" {2}\r\nhi" =>
        CommandBody::Append { messages, .. } if messages[0].date.is_some(),
    append_date_only: "A1 APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" {2}\r\nhi" =>
        CommandBody::Append { messages, .. } if messages[0].flags.is_none(),
    append_literal8: "A1 APPEND INBOX ~{3}\r\na\0b" => CommandBody::Append { messages, .. }
        if messages[0].data == AppendData::Literal8(Bytes::from_static(b"a\0b")),
    rfc6855_append_utf8: "A1 APPEND INBOX UTF8 (~{4}\r\néta)" => CommandBody::Append { messages, .. }
        if messages[0].data == AppendData::Utf8(Bytes::from_static("éta".as_bytes())),
    rfc6855_multiappend_utf8: "A1 APPEND INBOX (\\Seen) UTF8 (~{1}\r\nx) utf8 ({1}\r\ny)" => CommandBody::Append { messages, .. }
        if messages.len() == 2 && messages[0].data == AppendData::Utf8(Bytes::from_static(b"x"))
            && messages[1].data == AppendData::Utf8(Bytes::from_static(b"y")),
    rfc8474_status_mailboxid: "6 status foo (mailboxid)" => CommandBody::Status { items, .. } if *items == [StatusItem::MailboxId],
    rfc8474_search_emailid: "27 search emailid M6d99ac3275bb4e" => CommandBody::Search { criteria, .. }
        if criteria[0] == SearchKey::EmailId(ObjectId::try_from("M6d99ac3275bb4e").unwrap()),
    rfc8474_search_threadid: "28 search threadid T64b478a75b7ea9" => CommandBody::Search { criteria, .. }
        if matches!(criteria[0], SearchKey::ThreadId(_)),
    rfc8474_list_status_mailboxid: "11 list \"\" \"*\" return (status (mailboxid))" => CommandBody::List { .. },
    multiappend: "A1 APPEND INBOX (\\Seen) {2}\r\nhi {3}\r\nyou" => CommandBody::Append { messages, .. }
        if messages.len() == 2 && messages[1].flags.is_none(),
    rfc9051_idle: "A002 IDLE" => CommandBody::Idle,
    // §6.4
    rfc3501_check: "FXXZ CHECK" => CommandBody::Check,
    rfc9051_close: "A341 CLOSE" => CommandBody::Close,
    rfc9051_unselect: "A342 UNSELECT" => CommandBody::Unselect,
    rfc9051_expunge: "A202 EXPUNGE" => CommandBody::Expunge,
    rfc9051_uid_expunge: "A003 UID EXPUNGE 3000:3002" => CommandBody::UidExpunge(s) if *s == set("3000:3002"),
    rfc9051_search_text: "A284 SEARCH TEXT \"string not in mailbox\"" => CommandBody::Search { criteria, .. }
        if *criteria == [SearchKey::Text(astr("string not in mailbox"))],
    rfc3501_search_flagged: "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"" => CommandBody::Search { criteria, .. }
        if criteria.len() == 3 && matches!(&criteria[2], SearchKey::Not(k) if **k == SearchKey::From(astr("Smith"))),
    rfc9051_search_charset_literal: "A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск" => CommandBody::Search { charset: Some(c), criteria, .. }
        if c.as_str() == "UTF-8" && criteria[0] == SearchKey::Text(astr("отпуск")),
    rfc9051_search_return_min_count: "A282 SEARCH RETURN (MIN COUNT) FLAGGED" => CommandBody::Search { return_options: Some(r), .. }
        if *r == [SearchReturn::Min, SearchReturn::Count],
    rfc9051_search_return_empty: "A283 SEARCH RETURN () FLAGGED" => CommandBody::Search { return_options: Some(r), .. } if r.is_empty(),
    rfc9051_uid_search_min_max: "A285 UID SEARCH RETURN (MIN MAX) 1:5000" => CommandBody::Search { uid: true, criteria, .. }
        if criteria[0] == SearchKey::SequenceSet(set("1:5000")),
    rfc9394_partial_last: "A01 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk" =>
        CommandBody::Search { uid: true, return_options: Some(r), criteria, .. }
        if *r == [SearchReturn::Partial(PartialRange::Last(NonZeroU32::new(1).unwrap(), NonZeroU32::new(100).unwrap()))]
            && criteria.len() == 2,
    rfc9394_partial_first: "A02 UID SEARCH RETURN (PARTIAL 23500:24000) UNDELETED UNKEYWORD $Junk" =>
        CommandBody::Search { return_options: Some(r), .. }
        if *r == [SearchReturn::Partial(PartialRange::First(NonZeroU32::new(23500).unwrap(), NonZeroU32::new(24000).unwrap()))],
    rfc9394_partial_a03: "A03 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED UNKEYWORD $Junk" =>
        CommandBody::Search { return_options: Some(r), .. }
        if matches!(r[..], [SearchReturn::Partial(p)] if p.bounds().1.get() == 500),
    rfc9394_partial_with_min_save: "A05 SEARCH RETURN (MIN partial 500:400 SAVE) ALL" =>
        CommandBody::Search { return_options: Some(r), .. }
        if r.len() == 3 && matches!(r[1], SearchReturn::Partial(p) if p.bounds().0.get() == 400),
    rfc9051_search_save: "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994" => CommandBody::Search { return_options: Some(r), .. }
        if *r == [SearchReturn::Save],
    rfc9051_fetch_saved: "A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])" => CommandBody::Fetch { set: s, items: FetchItems::Attributes(a), .. }
        if s.is_saved() && a.len() == 4,
    rfc9051_uid_search_saved: "A301 UID SEARCH UID $ SMALLER 4096" => CommandBody::Search { criteria, .. }
        if criteria[0] == SearchKey::Uid(SequenceSet::saved()) && criteria[1] == SearchKey::Smaller(4096),
    rfc9051_uid_search_saved_bare: "A301 UID SEARCH $ SMALLER 4096" => CommandBody::Search { .. },
    rfc9051_search_or_saved: "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать" => CommandBody::Search { criteria, .. }
        if matches!(&criteria[0], SearchKey::And(k) if matches!(&k[0], SearchKey::Or(..))),
    rfc9051_search_keyword: "F282 SEARCH RETURN (SAVE) KEYWORD $Junk" => CommandBody::Search { criteria, .. }
        if criteria[0] == SearchKey::Keyword(Atom::try_from("$Junk").unwrap()),
    rfc9051_search_charset_koi8: "B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}\r\n\u{0435}\u{0436}" => CommandBody::Search { .. },
    rfc9051_search_all_save_min: "C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006" => CommandBody::Search { return_options: Some(r), .. } if r.len() == 3,
    rfc9051_search_count_deleted: "A286 SEARCH RETURN (COUNT) DELETED" => CommandBody::Search { .. },
    rfc9051_fetch_all: "A003 FETCH 4 ALL" => CommandBody::Fetch { items: FetchItems::All, .. },
    rfc9051_fetch_header_fields: "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. }
        if matches!(&a[1], FetchAttribute::BodySection { peek: false, section, partial: None }
            if matches!(section.text(), Some(SectionText::HeaderFields(f)) if f.len() == 2)),
    rfc9051_uid_fetch_flags: "A999 UID FETCH 4827313:4828442 FLAGS" => CommandBody::Fetch { uid: true, items: FetchItems::Attributes(a), .. }
        if *a == [FetchAttribute::Flags],
    rfc7162_fetch_modseq: "a FETCH 1:3 (MODSEQ)" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. } if *a == [FetchAttribute::ModSeq],
    rfc7162_fetch_changedsince: "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)" => CommandBody::Fetch { modifiers, .. }
        if modifiers.changed_since == Some(12345) && !modifiers.vanished,
    rfc7162_fetch_vanished: "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)" => CommandBody::Fetch { modifiers, .. }
        if modifiers.vanished,
    rfc8474_fetch_objectids: "22 fetch 1:* (emailid threadid)" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. }
        if *a == [FetchAttribute::EmailId, FetchAttribute::ThreadId],
    rfc8514_fetch_savedate: "a FETCH 1:* (UID SAVEDATE)" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. }
        if *a == [FetchAttribute::Uid, FetchAttribute::SaveDate],
    rfc8970_fetch_preview: "a FETCH 1 preview" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. }
        if *a == [FetchAttribute::Preview { lazy: false }],
    rfc8970_fetch_preview_lazy: "a UID FETCH 1:* (FLAGS PREVIEW (LAZY) UID)" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. }
        if *a == [FetchAttribute::Flags, FetchAttribute::Preview { lazy: true }, FetchAttribute::Uid],
    // A parenthesis after a lone PREVIEW opens the fetch-modifiers unless LAZY starts it.
    fetch_preview_then_modifiers: "a FETCH $ PREVIEW (CHANGEDSINCE 0)" => CommandBody::Fetch { items: FetchItems::Attributes(a), modifiers, .. }
        if *a == [FetchAttribute::Preview { lazy: false }] && modifiers.changed_since == Some(0),
    fetch_preview_lazy_then_modifiers: "a FETCH 1 PREVIEW (LAZY) (CHANGEDSINCE 7)" => CommandBody::Fetch { items: FetchItems::Attributes(a), modifiers, .. }
        if *a == [FetchAttribute::Preview { lazy: true }] && modifiers.changed_since == Some(7),
    fetch_fast: "a FETCH 1 fast" => CommandBody::Fetch { items: FetchItems::Fast, .. },
    fetch_full: "a FETCH 1 FULL" => CommandBody::Fetch { items: FetchItems::Full, .. },
    fetch_every_attribute: "a FETCH 1:* (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE UID BODY[] BODY.PEEK[1.2.MIME]<0.1024> BINARY[1] BINARY.PEEK[]<5.10> BINARY.SIZE[2.1] MODSEQ EMAILID THREADID)" =>
        CommandBody::Fetch { items: FetchItems::Attributes(a), .. } if a.len() == 18,
    fetch_body_text_partial: "a FETCH 1 BODY[TEXT]<0.2048>" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. }
        if matches!(&a[0], FetchAttribute::BodySection { partial: Some(p), .. } if p.length.get() == 2048),
    fetch_header_fields_not: "a FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Received X-Spam)]" => CommandBody::Fetch { .. },
    rfc9051_store: "A003 STORE 2:4 +FLAGS (\\Deleted)" => CommandBody::Store { flags, unchanged_since: None, .. }
        if flags.mode == StoreMode::Add && !flags.silent && flags.flags == [Flag::Deleted],
    rfc9051_store_saved_silent: "F284 STORE $ +FLAGS.Silent (\\Deleted)" => CommandBody::Store { flags, .. } if flags.silent,
    rfc7162_store_unchanged: "A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen" => CommandBody::Store { unchanged_since: Some(96), flags, .. }
        if flags.flags == [Flag::Seen],
    rfc7162_store_minus: "A330 STORE 7 -FLAGS.SILENT (\\Answered \\Seen)" => CommandBody::Store { flags, .. }
        if flags.mode == StoreMode::Remove && flags.flags.len() == 2,
    rfc7162_store_zero: "a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)" => CommandBody::Store { unchanged_since: Some(0), .. },
    rfc7162_uid_store: "a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)" => CommandBody::Store { uid: true, .. },
    rfc7162_store_replace_seen_caps: "B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\SEEN)" => CommandBody::Store { flags, .. }
        if flags.flags == [Flag::Seen],
    store_replace_keywords: "a STORE 1 FLAGS ($Forwarded NonJunk)" => CommandBody::Store { flags, .. }
        if flags.mode == StoreMode::Replace && flags.flags.len() == 2,
    store_empty: "a STORE 1 FLAGS ()" => CommandBody::Store { flags, .. } if flags.flags.is_empty(),
    rfc9051_copy: "A003 COPY 2:4 MEETING" => CommandBody::Copy { uid: false, .. },
    rfc3501_copy: "A223 COPY 3:200 blurdybloop" => CommandBody::Copy { .. },
    rfc9051_uid_copy: "A005 UID COPY 305:310 meeting" => CommandBody::Copy { uid: true, .. },
    rfc9051_copy_saved: "E283 COPY $ \"Other Messages\"" => CommandBody::Copy { set: s, .. } if s.is_saved(),
    rfc6851_uid_move: "a UID MOVE 42:69 foo" => CommandBody::Move { uid: true, .. },
    move_plain: "a MOVE 1 Trash" => CommandBody::Move { uid: false, .. },
    rfc9051_xcommand: "A442 XPIG-LATIN" => CommandBody::Other(o) if o.name().as_str() == "XPIG-LATIN" && o.arguments().is_none(),
    xcommand_args_literal: "A1 XFOO bar {3}\r\nbaz qux" => CommandBody::Other(o) if o.arguments().is_some(),
    // Extensions
    rfc7162_search_modseq_entry: "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338" => CommandBody::Search { criteria, .. }
        if matches!(&criteria[0], SearchKey::ModSeq { entry: Some((n, EntryType::All)), modseq: 620162338 } if n.as_str() == "/flags/\\draft"),
    rfc7162_search_return_modseq: "a SEARCH RETURN (ALL) MODSEQ 1234" => CommandBody::Search { .. },
    rfc7162_sort_return: "a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234" => CommandBody::Sort { return_options: Some(_), .. },
    rfc5256_sort: "A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL" => CommandBody::Sort { criteria, .. }
        if criteria.len() == 2 && criteria[1].reverse && criteria[1].key == SortKey::Date,
    rfc5256_sort_text: "A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"" => CommandBody::Sort { .. },
    rfc5256_uid_sort: "A1 UID SORT (ARRIVAL) UTF-8 ALL" => CommandBody::Sort { uid: true, .. },
    rfc5256_thread_ordered: "A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"" => CommandBody::Thread { algorithm: ThreadAlgorithm::OrderedSubject, .. },
    rfc5256_thread_references: "A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000" => CommandBody::Thread { algorithm: ThreadAlgorithm::References, search, .. }
        if search[0] == SearchKey::Since(Date::new(2000, 3, 5).unwrap()),
    rfc9208_getquota: "G0001 GETQUOTA \"!partition/sda4\"" => CommandBody::GetQuota(r) if r.as_bytes() == "!partition/sda4",
    rfc9208_getquotaroot: "G0002 GETQUOTAROOT INBOX" => CommandBody::GetQuotaRoot(Mailbox::Inbox),
    rfc9208_setquota: "S0001 SETQUOTA \"#user/alice\" (STORAGE 510)" => CommandBody::SetQuota { limits, .. }
        if limits.len() == 1 && limits[0].limit == 510,
    setquota_empty: "S0001 SETQUOTA \"\" ()" => CommandBody::SetQuota { limits, .. } if limits.is_empty(),
    rfc5464_getmetadata_server: "a GETMETADATA \"\" /shared/comment" => CommandBody::GetMetadata { mailbox, entries, .. }
        if mailbox.as_bytes().is_empty() && entries.len() == 1,
    rfc5464_getmetadata_list: "a GETMETADATA \"INBOX\" (/shared/comment /private/comment)" => CommandBody::GetMetadata { mailbox: Mailbox::Inbox, entries, .. }
        if entries.len() == 2,
    rfc5464_getmetadata_maxsize_after: "a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)" =>
        CommandBody::GetMetadata { options, .. } if options.max_size == Some(1024),
    rfc5464_getmetadata_depth_after: "a GETMETADATA \"INBOX\" (DEPTH 1) (/private/filters/values)" =>
        CommandBody::GetMetadata { options, .. } if options.depth == Some(MetadataDepth::One),
    rfc5464_getmetadata_options_first: "a GETMETADATA (DEPTH infinity MAXSIZE 5) INBOX /private" =>
        CommandBody::GetMetadata { options, .. } if options.depth == Some(MetadataDepth::Infinity),
    rfc5464_getmetadata_unparenthesised: "a GETMETADATA \"INBOX\" /private/comment /shared/comment" =>
        CommandBody::GetMetadata { entries, .. } if entries.len() == 2,
    getmetadata_entry_named_like_an_option: "a GETMETADATA INBOX  MAXSIZE 1" => CommandBody::GetMetadata { options, entries, .. }
        if options.max_size.is_none() && entries.len() == 2,
    rfc5464_setmetadata_nil: "a SETMETADATA INBOX (/private/comment NIL)" => CommandBody::SetMetadata { entries, .. }
        if entries[0].value == MetadataValue::Nil,
    rfc5464_setmetadata_two: "a SETMETADATA INBOX (/private/comment \"My new comment\" /shared/comment \"This one is for you!\")" =>
        CommandBody::SetMetadata { entries, .. } if entries.len() == 2,
    rfc5464_setmetadata_literal: "a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)" =>
        CommandBody::SetMetadata { entries, .. } if matches!(&entries[0].value, MetadataValue::String(s) if s.as_bytes().len() == 33),
    setmetadata_literal8: "a SETMETADATA INBOX (/private/bin ~{2}\r\n\0\x01)" =>
        CommandBody::SetMetadata { entries, .. } if matches!(&entries[0].value, MetadataValue::Binary(b) if b.len() == 2),
    rfc6154_setmetadata_specialuse: "t3 SETMETADATA \"SavedDrafts\" (/private/specialuse \"\\\\Drafts\")" => CommandBody::SetMetadata { .. },
    rfc2971_id: "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")" =>
        CommandBody::Id(Some(p)) if p.len() == 3,
    rfc2971_id_nil: "a023 ID NIL" => CommandBody::Id(None),
    id_nil_value: "a ID (\"name\" NIL)" => CommandBody::Id(Some(p)) if p[0].1 == NString(None),
    rfc4978_compress: "a COMPRESS DEFLATE" => CommandBody::Compress(a) if a.as_str() == "DEFLATE",
    rfc8437_unauthenticate: "a UNAUTHENTICATE" => CommandBody::Unauthenticate,
    // RFC 8514 §4.3: SAVEDATE search keys.
    rfc8514_search_savedon: "A102 SEARCH SAVEDON 28-Dec-2014" => CommandBody::Search { criteria, .. }
        if *criteria == [SearchKey::SavedOn(Date::new(2014, 12, 28).unwrap())],
    rfc8514_search_savedsince: "A103 SEARCH SAVEDSINCE 28-Dec-2014" => CommandBody::Search { criteria, .. }
        if *criteria == [SearchKey::SavedSince(Date::new(2014, 12, 28).unwrap())],
    savedbefore_as_dovecot_gets_it: "a UID SEARCH SAVEDBEFORE 1-Jan-2030" => CommandBody::Search { uid: true, criteria, .. }
        if *criteria == [SearchKey::SavedBefore(Date::new(2030, 1, 1).unwrap())],
    savedatesupported_in_or: "a search or savedatesupported not savedsince 2-Feb-2020 deleted" => CommandBody::Search { criteria, .. }
        if criteria.len() == 2 && matches!(&criteria[0], SearchKey::Or(a, b)
            if **a == SearchKey::SaveDateSupported
                && **b == SearchKey::Not(Box::new(SearchKey::SavedSince(Date::new(2020, 2, 2).unwrap())))),
    // RFC 4469 Appendix A: CATENATE (the RFC's continuation lines joined at their leading
    // space).
    rfc4469_example1_replace_attachment: "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {42}\r\n\r\n--------------030308070208000400050907\r\n URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\" TEXT {42}\r\n\r\n--------------030308070208000400050907\r\n URL \"/Drafts;UIDVALIDITY=385759045/;UID=30\" TEXT {44}\r\n\r\n--------------030308070208000400050907--\r\n)" =>
        CommandBody::Append { mailbox, messages }
        if *mailbox == mb("Drafts") && messages.len() == 1
            && messages[0].flags.as_ref().is_some_and(|f| f.len() == 3)
            && matches!(&messages[0].data, AppendData::Catenate(parts) if parts.len() == 7
                && parts[0] == CatenatePart::Url(astr("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER"))
                && parts[1] == CatenatePart::Text(Bytes::from_static(b"\r\n--------------030308070208000400050907\r\n"))
                && parts[4] == CatenatePart::Text(Bytes::from_static(b"\r\n--------------030308070208000400050907\r\n"))
                && parts[5] == CatenatePart::Url(astr("/Drafts;UIDVALIDITY=385759045/;UID=30"))
                && parts[6] == CatenatePart::Text(Bytes::from_static(b"\r\n--------------030308070208000400050907--\r\n"))),
    // The shape of RFC 4469's example 2: a TEXT part first, then URLs.
    catenate_text_first: "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (TEXT {12}\r\nSubject: hi\n URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;Section=2.MIME\" URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;Section=2\" TEXT {44}\r\n\r\n--------------030308070208000400050907--\r\n)" =>
        CommandBody::Append { messages, .. }
        if matches!(&messages[0].data, AppendData::Catenate(parts) if parts.len() == 4
            && matches!(&parts[0], CatenatePart::Text(t) if t.len() == 12)),
    rfc4469_lowercase_and_literal_plus: "a append INBOX catenate (url \"/INBOX;UIDVALIDITY=1/;UID=2\" text {3+}\r\nabc)" =>
        CommandBody::Append { messages, .. }
        if messages[0].data == AppendData::Catenate(vec![
            CatenatePart::Url(astr("/INBOX;UIDVALIDITY=1/;UID=2")),
            CatenatePart::Text(Bytes::from_static(b"abc")),
        ]),
    rfc6855_catenate_utf8_part: "a APPEND INBOX CATENATE (UTF8 (~{4}\r\néta) URL \"/INBOX;UIDVALIDITY=1/;UID=2\")" =>
        CommandBody::Append { messages, .. }
        if matches!(&messages[0].data, AppendData::Catenate(parts)
            if parts[0] == CatenatePart::Utf8(Bytes::from_static("éta".as_bytes()))),
    multiappend_literal_then_catenate: "a APPEND INBOX {2}\r\nhi (\\Seen) CATENATE (URL \"/INBOX;UIDVALIDITY=1/;UID=2\")" =>
        CommandBody::Append { messages, .. }
        if messages.len() == 2 && messages[0].data == AppendData::Literal(Bytes::from_static(b"hi"))
            && messages[1].flags == Some(vec![Flag::Seen])
            && matches!(&messages[1].data, AppendData::Catenate(p) if p.len() == 1),
    // RFC 5465: NOTIFY (§3.1, §6).
    rfc5465_notify_set_status_selected_subtree: "b notify set status (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists MessageNew)" =>
        CommandBody::Notify(Notify::Set { status: true, event_groups })
        if event_groups.len() == 2
            && event_groups[0].filter == FilterMailboxes::Selected
            && matches!(event_groups[0].events.as_deref(), Some([NotifyEvent::MessageNew(a), NotifyEvent::MessageExpunge])
                if a.len() == 2 && a[0] == FetchAttribute::Uid)
            && event_groups[1].filter == FilterMailboxes::Subtree(vec![mb("Lists")])
            && event_groups[1].events == Some(vec![NotifyEvent::MessageNew(vec![])]),
    rfc5465_notify_mailboxes_personal: "a notify set (mailboxes INBOX (Messagenew messageExpunge)) (personal (SubscriptionChange))" =>
        CommandBody::Notify(Notify::Set { status: false, event_groups })
        if *event_groups == [
            EventGroup::new(FilterMailboxes::Mailboxes(vec![Mailbox::Inbox]),
                Some(vec![NotifyEvent::MessageNew(vec![]), NotifyEvent::MessageExpunge])),
            EventGroup::new(FilterMailboxes::Personal, Some(vec![NotifyEvent::SubscriptionChange])),
        ],
    rfc5465_notify_selected_personal: "a notify set (selected (Messagenew (uid flags) messageExpunge)) (personal (MessageNew FlagChange MessageExpunge))" =>
        CommandBody::Notify(Notify::Set { event_groups, .. })
        if matches!(event_groups[0].events.as_deref(), Some([NotifyEvent::MessageNew(a), _]) if *a == [FetchAttribute::Uid, FetchAttribute::Flags])
            && event_groups[1].events.as_ref().is_some_and(|e| e.len() == 3),
    rfc5465_notify_none: "a NOTIFY NONE" => CommandBody::Notify(Notify::None),
    notify_every_filter_and_event: "a NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange AnnotationChange)) (inboxes (MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange XEVENT)) (subscribed NONE) (subtree (a b) (MailboxName)) (mailboxes (\"Sent Items\") (FlagChange))" =>
        CommandBody::Notify(Notify::Set { status: false, event_groups })
        if event_groups.len() == 5
            && event_groups[0].filter == FilterMailboxes::SelectedDelayed
            && event_groups[1].events.as_ref().is_some_and(|e| matches!(&e[4], NotifyEvent::Other(a) if a.as_str() == "XEVENT"))
            && event_groups[2] == EventGroup::new(FilterMailboxes::Subscribed, None)
            && event_groups[3].filter == FilterMailboxes::Subtree(vec![mb("a"), mb("b")])
            && event_groups[4].filter == FilterMailboxes::Mailboxes(vec![mb("Sent Items")]),
    // Tolerances
    lowercase_everything: "a1 uid fetch 1:* (flags body.peek[header.fields (subject)])" => CommandBody::Fetch { uid: true, .. },
    extra_spaces: "a1  FETCH  1  ( FLAGS  UID )" => CommandBody::Fetch { items: FetchItems::Attributes(a), .. } if a.len() == 2,
    trailing_spaces: "a1 NOOP  " => CommandBody::Noop,
    inbox_any_case: "a1 SELECT iNbOx" => CommandBody::Select { mailbox: Mailbox::Inbox, .. },
    reversed_range: "a1 FETCH 4:2 FLAGS" => CommandBody::Fetch { set: s, .. } if s.to_string() == "2:4",
    utf8_mailbox: "a1 SELECT \"Entwürfe\"" => CommandBody::Select { mailbox, .. } if mailbox.to_utf8().unwrap() == "Entwürfe",
    mutf7_mailbox: "a1 SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-" => CommandBody::Select { mailbox, .. }
        if mailbox.to_utf8().unwrap() == "~peter/mail/台北/日本語",
    search_nested: "a SEARCH OR (SEEN FLAGGED) NOT (OR DRAFT (DELETED ANSWERED))" => CommandBody::Search { criteria, .. } if criteria.len() == 1,
    search_every_key: "a SEARCH ALL ANSWERED BCC x BEFORE 1-Jan-2000 BODY y CC z DELETED DRAFT FLAGGED FROM f HEADER Subject hi KEYWORD k LARGER 10 NEW OLD ON 2-Feb-2001 RECENT SEEN SENTBEFORE 3-Mar-2002 SENTON 4-Apr-2003 SENTSINCE 5-May-2004 SINCE 6-Jun-2005 SMALLER 20 SUBJECT s TEXT t TO u UID 1:* UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD k UNSEEN 1,2 OLDER 60 YOUNGER 30 MODSEQ 5" =>
        CommandBody::Search { criteria, .. } if criteria.len() == 37,
}

#[test]
fn rejections() {
    for wire in [
        "",
        "A1",
        "A1 ",
        "+1 NOOP",
        "A1 NOOP extra",
        "A1 LOGIN onlyuser",
        "A1 SELECT",
        "A1 FETCH 0 FLAGS",
        "A1 FETCH 1 (FLAGS",
        "A1 FETCH 1 BODY[MIME]",
        "A1 FETCH 1 ()",
        "A1 STORE 1 +FLAG (\\Seen)",
        "A1 SEARCH",
        "A1 SEARCH NOT",
        "A1 SEARCH OR SEEN",
        "A1 SEARCH BEFORE 32-Jan-2000",
        "A1 SEARCH FOO",
        "A1 SEARCH ()",
        "A1 STATUS INBOX ()",
        "A1 STATUS INBOX (FOO)",
        "A1 UID FOO 1",
        "A1 UID EXPUNGE",
        "A1 AUTHENTICATE PLAIN !!!",
        "A1 AUTHENTICATE",
        "A1 APPEND INBOX",
        "A1 APPEND INBOX (\\Seen)",
        "A1 APPEND INBOX {5}\r\nabc",
        "A1 ENABLE",
        "A1 LOGIN \"a\rb\" c",
        "A1 LOGIN {2}\r\na\0 c",
        "A1 SELECT INBOX (QRESYNC (0 1))",
        "A1 SELECT INBOX (1FOO)",
        "A1 FETCH 1 (PREVIEW ())",
        "A1 SEARCH RETURN (PARTIAL) ALL",
        "A1 SEARCH RETURN (PARTIAL 0:5) ALL",
        "A1 SEARCH RETURN (PARTIAL -1:5) ALL",
        "A1 SEARCH RETURN (PARTIAL 1:*) ALL",
        "A1 FETCH 1 (PREVIEW (FUZZY))",
        "A1 FETCH 1 PREVIEW (LAZY",
        "A1 SELECT INBOX (FOO \"x\")",
        "A1 SELECT INBOX (FOO (x)",
        "A1 LIST (XOPT (a) \"\" %",
        "A1 CREATE x (USE \\Drafts)",
        "A1 SORT () UTF-8 ALL",
        "A1 GETMETADATA INBOX",
        "A1 SETMETADATA INBOX ()",
        "A1 LIST \"\"",
        "A1 FETCH 4294967296 FLAGS",
        "A1 SEARCH LARGER 99999999999999999999",
        "A1 X\rY",
        "A1 COMPRESS",
        "A1 SEARCH SAVEDON",
        "A1 SEARCH SAVEDBEFORE 1-Jan",
        "A1 SEARCH SAVEDATESUPPORTED2",
        "A1 APPEND INBOX CATENATE ()",
        "A1 APPEND INBOX CATENATE (URL)",
        "A1 APPEND INBOX CATENATE (TEXT \"abc\")",
        "A1 APPEND INBOX CATENATE (FILE \"x\")",
        "A1 APPEND INBOX CATENATE URL \"x\"",
        "A1 APPEND INBOX CATENATE (URL \"x\"",
        "A1 NOTIFY",
        "A1 NOTIFY SET",
        "A1 NOTIFY SET STATUS",
        "A1 NOTIFY GET (selected (MessageNew))",
        "A1 NOTIFY SET ()",
        "A1 NOTIFY SET (selected)",
        "A1 NOTIFY SET (selected ())",
        "A1 NOTIFY SET (everything (MessageNew))",
        "A1 NOTIFY SET (subtree (MessageNew))",
        "A1 NOTIFY SET (subtree () (MessageNew))",
        "A1 NOTIFY SET (selected (MessageNew ()))",
        "A1 NOTIFY SET (selected (MessageNew)) extra",
        "A1 NOTIFY SET (selected (MessageNew) (FlagChange))",
    ] {
        bad(wire);
    }
}

#[test]
fn errors_carry_offsets() {
    let e = Command::parse_bytes(&Bytes::from_static(b"A1 FETCH 1 (FLAGS BOGUS)"), 64).unwrap_err();
    assert_eq!(e.offset(), 18);
    let e = Command::parse_bytes(&Bytes::from_static(b"A1 LOGIN x"), 64).unwrap_err();
    assert_eq!(e.offset(), 10);
    assert_eq!(tag_of(b"A1 FETCH x").unwrap().as_str(), "A1");
    assert!(tag_of(b"+ x").is_none());
}

#[test]
fn depth_budget_100000_parens() {
    let mut wire = b"A1 SEARCH ".to_vec();
    wire.extend(std::iter::repeat_n(b'(', 100_000));
    wire.extend_from_slice(b"ALL");
    wire.extend(std::iter::repeat_n(b')', 100_000));
    let e = Command::parse_bytes(&Bytes::from(wire), DEFAULT_MAX_DEPTH).unwrap_err();
    assert!(matches!(
        e,
        imap_proto::error::ParseError::TooDeep {
            max: DEFAULT_MAX_DEPTH,
            ..
        }
    ));
}

#[test]
fn depth_budget_100000_nots_and_ors() {
    let mut wire = b"A1 SEARCH ".to_vec();
    for _ in 0..100_000 {
        wire.extend_from_slice(b"NOT OR ALL ");
    }
    wire.extend_from_slice(b"ALL");
    let e = Command::parse_bytes(&Bytes::from(wire), DEFAULT_MAX_DEPTH).unwrap_err();
    assert!(matches!(e, imap_proto::error::ParseError::TooDeep { .. }));
}

#[test]
fn depth_budget_exactly_at_limit() {
    let wire = |n: usize| {
        let mut w = b"A1 SEARCH ".to_vec();
        w.extend(std::iter::repeat_n(b'(', n));
        w.extend_from_slice(b"ALL");
        w.extend(std::iter::repeat_n(b')', n));
        Bytes::from(w)
    };
    assert!(Command::parse_bytes(&wire(8), 8).is_ok());
    assert!(Command::parse_bytes(&wire(9), 8).is_err());
}

#[test]
fn encoder_literal_fragments() {
    let c = Command::new(
        Tag::try_from("A1").unwrap(),
        CommandBody::Login {
            username: astr("FRED FOOBAR"),
            password: mail_core::Secret::new(astr("fat\r\nman")),
        },
    );
    let mut f = Vec::new();
    c.encode(&mut f);
    assert_eq!(
        f,
        vec![
            Fragment::Line(Bytes::from_static(b"A1 LOGIN \"FRED FOOBAR\" {8}\r\n")),
            Fragment::Literal {
                data: Bytes::from_static(b"fat\r\nman"),
                mode: imap_proto::framing::LiteralMode::Sync,
                binary: false
            },
            Fragment::Line(Bytes::from_static(b"\r\n")),
        ]
    );
    let mut f = Vec::new();
    c.encode_with(Encoder::non_synchronizing(false), &mut f);
    assert_eq!(
        fragments_to_bytes(&f),
        b"A1 LOGIN \"FRED FOOBAR\" {8+}\r\nfat\r\nman\r\n"
    );
}

#[test]
fn literal_minus_keeps_big_literals_synchronising() {
    let big = Bytes::from(vec![b'x'; 5000]);
    let c = Command::new(
        Tag::try_from("A1").unwrap(),
        CommandBody::Append {
            mailbox: Mailbox::Inbox,
            messages: vec![AppendMessage::new(AppendData::Literal(big))],
        },
    );
    let mut f = Vec::new();
    c.encode_with(Encoder::non_synchronizing(true), &mut f);
    assert_eq!(
        f[0],
        Fragment::Line(Bytes::from_static(b"A1 APPEND INBOX {5000}\r\n"))
    );
}

#[test]
fn append_with_nul_goes_as_literal8() {
    let c = Command::new(
        Tag::try_from("A1").unwrap(),
        CommandBody::Append {
            mailbox: Mailbox::Inbox,
            messages: vec![
                AppendMessage::new(AppendData::Literal(Bytes::from_static(b"a\0")))
                    .with_flags(vec![]),
            ],
        },
    );
    assert_eq!(&c.to_bytes()[..], b"A1 APPEND INBOX () ~{2}\r\na\0\r\n");
}

#[test]
fn idle_done_and_authenticate_continuations() {
    assert!(parse_idle_done(b"DONE").is_ok());
    assert!(parse_idle_done(b"done  ").is_ok());
    assert!(parse_idle_done(b"DONE x").is_err());
    assert!(parse_idle_done(b"").is_err());
    assert_eq!(
        parse_authenticate_response(b"*", 100).unwrap(),
        mail_core::sasl::ClientResponse::Cancel
    );
    assert!(matches!(
        parse_authenticate_response(b"dGVzdA==", 100).unwrap(),
        mail_core::sasl::ClientResponse::Data(d) if d.expose() == b"test"
    ));
    assert!(parse_authenticate_response(b"dGVzdA", 100).is_err());
}

#[test]
fn other_command_refuses_injection() {
    let name = Atom::try_from("XFOO").unwrap();
    assert!(OtherCommand::new(name.clone(), Some(Bytes::from_static(b"a\r\nB NOOP"))).is_err());
    assert!(OtherCommand::new(name.clone(), Some(Bytes::from_static(b"a\nb"))).is_err());
    assert!(OtherCommand::new(name.clone(), Some(Bytes::from_static(b"a\0b"))).is_err());
    assert!(OtherCommand::new(name.clone(), Some(Bytes::from_static(b"~{1}\r\n\0"))).is_ok());
    assert!(OtherCommand::new(name.clone(), Some(Bytes::from_static(b"{3}\r\nabc x"))).is_ok());
    let o = OtherCommand::new(
        name,
        Some(Bytes::from_static(b"a {3+}\r\nabc ~{1+}\r\n\0 x")),
    )
    .unwrap();
    assert_eq!(&o.arguments().unwrap()[..], b"a {3}\r\nabc ~{1}\r\n\0 x");
}

#[test]
fn select_param_new_validates() {
    let atom = |s: &str| Atom::try_from(s).unwrap();
    let ok = SelectParam::new(atom("X.a-b_c:1"), Some(ExtValue::token("1:5").unwrap())).unwrap();
    assert_eq!(ok.name().as_str(), "X.a-b_c:1");
    assert!(SelectParam::new(atom("1X"), None).is_err());
    assert!(SelectParam::new(atom("X$"), None).is_err());
    assert!(SelectParam::new(atom("condstore"), None).is_err());
    assert!(SelectParam::new(atom("QRESYNC"), None).is_err());
    // A bare word or a string as the value would read back as the next parameter.
    assert!(SelectParam::new(atom("X"), Some(ExtValue::token("abc").unwrap())).is_err());
    let s = ExtValue::String(IString::try_from(&b"v"[..]).unwrap());
    assert!(SelectParam::new(atom("X"), Some(s.clone())).is_err());
    let list = SelectParam::new(atom("X"), Some(ExtValue::List(vec![s]))).unwrap();
    let params = SelectParams {
        condstore: true,
        other: vec![list, SelectParam::new(atom("Y"), None).unwrap()],
        ..SelectParams::default()
    };
    let c = Command {
        tag: Tag::try_from("a").unwrap(),
        body: CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params,
        },
    };
    assert_eq!(
        &c.to_bytes()[..],
        b"a SELECT INBOX (CONDSTORE X (\"v\") Y)\r\n"
    );
}

#[test]
fn too_deep_offset_is_the_paren() {
    // "a SELECT INBOX (X ((1)))": the parameter list is level 1, the value's list level 2,
    // and the `(` at offset 19 is the one a budget of 2 refuses.
    let e = Command::parse_bytes(&Bytes::from_static(b"a SELECT INBOX (X ((1)))"), 2).unwrap_err();
    assert_eq!(
        e,
        imap_proto::error::ParseError::TooDeep { offset: 19, max: 2 }
    );
    assert!(Command::parse_bytes(&Bytes::from_static(b"a SELECT INBOX (X (1))"), 2).is_ok());
    // A plain list (STATUS items) with no room left at all.
    let e = Command::parse_bytes(&Bytes::from_static(b"a STATUS INBOX (MESSAGES)"), 0).unwrap_err();
    assert_eq!(
        e,
        imap_proto::error::ParseError::TooDeep { offset: 15, max: 0 }
    );
}

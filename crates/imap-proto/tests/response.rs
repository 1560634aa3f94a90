#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Responses: typed results of real server lines, tolerances, errors, depth budget, and the
//! encoder's choice of wire forms.

use core::num::NonZeroU32;

use bytes::{Bytes, BytesMut};
use imap_proto::command::{MetadataValue, NotifyEvent, SpecialUse, StatusItem};
use imap_proto::error::ParseError;
use imap_proto::framing::{FrameEvent, Framer, FramerConfig};
use imap_proto::response::*;
use imap_proto::types::*;

fn parse(line: &str) -> Response {
    parse_bytes(line.as_bytes())
}

fn parse_bytes(line: &[u8]) -> Response {
    let bytes = Bytes::copy_from_slice(line);
    let r = Response::parse_bytes(&bytes, DEFAULT_MAX_DEPTH)
        .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(line)));
    // Every parsed response encodes to something that parses back to it.
    let wire = r.to_bytes();
    let again = Bytes::copy_from_slice(&wire[..wire.len() - 2]);
    assert_eq!(
        Response::parse_bytes(&again, DEFAULT_MAX_DEPTH).unwrap(),
        r,
        "round trip of {}",
        String::from_utf8_lossy(&wire)
    );
    r
}

fn err(line: &[u8]) -> ParseError {
    Response::parse_bytes(&Bytes::copy_from_slice(line), DEFAULT_MAX_DEPTH).unwrap_err()
}

fn status(line: &str) -> Status {
    match parse(line) {
        Response::Status(s) => s,
        other => panic!("not a status: {other:?}"),
    }
}

fn data(line: &str) -> Data {
    match parse(line) {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

fn fetch(line: &[u8]) -> (u32, Vec<FetchItem>) {
    match parse_bytes(line) {
        Response::Data(Data::Fetch { seq, items }) => (seq.get(), items),
        other => panic!("not FETCH: {other:?}"),
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn s(v: &str) -> IString {
    IString::try_from(v).unwrap()
}

fn ns(v: &str) -> NString {
    NString(Some(s(v)))
}

fn wire(r: &Response) -> String {
    String::from_utf8(r.to_bytes().to_vec()).unwrap()
}

// ---------------------------------------------------------------- seed overview lines

#[test]
fn seed_capability() {
    let Data::Capability(caps) =
        data("* CAPABILITY IMAP4rev1 CHILDREN IDLE NAMES STARTTLS UIDPLUS")
    else {
        panic!()
    };
    assert_eq!(caps.len(), 6);
    assert_eq!(caps[0], Capability::Imap4rev1);
    assert_eq!(caps[2], Capability::Idle);
    assert!(matches!(&caps[3], Capability::Other(a) if a.as_str() == "NAMES"));
    assert_eq!(caps[5], Capability::UidPlus);
}

#[test]
fn seed_tagged_ok() {
    let st = status("A001 OK CAPABILITY completed");
    assert_eq!(st.tag().unwrap().as_str(), "A001");
    assert_eq!(st.kind(), StatusKind::Ok);
    assert_eq!(st.code(), None);
    assert_eq!(st.text().to_str(), Some("CAPABILITY completed"));
    assert_eq!(
        status("A002 OK Logged in").text().to_str(),
        Some("Logged in")
    );
}

#[test]
fn seed_exists_recent_flags() {
    assert_eq!(data("* 1 EXISTS"), Data::Exists(1));
    assert_eq!(data("* 2 RECENT"), Data::Recent(2));
    assert_eq!(
        data(r"* FLAGS (\Seen \Answered \Flagged \Deleted \Draft)"),
        Data::Flags(vec![
            Flag::Seen,
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Draft
        ])
    );
}

#[test]
fn seed_selected_read_write() {
    let st = status("A003 OK [READ-WRITE] Selected");
    assert_eq!(st.code(), Some(&Code::ReadWrite));
    assert_eq!(st.text().to_str(), Some("Selected"));
}

#[test]
fn seed_fetch_flags_internaldate_rfc822_literal() {
    let (seq, items) = fetch(
        b"* 1 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822 {23}\r\nSubject: hi\r\n\r\nHello!\r\n)",
    );
    assert_eq!(seq, 1);
    assert_eq!(items[0], FetchItem::Flags(vec![Flag::Seen]));
    assert_eq!(
        items[1],
        FetchItem::InternalDate(DateTime::parse(b"\"17-Jul-1996 02:44:25 -0700\"").unwrap())
    );
    let FetchItem::Rfc822(NString(Some(body))) = &items[2] else {
        panic!()
    };
    assert_eq!(&body.as_bytes()[..], b"Subject: hi\r\n\r\nHello!\r\n");
}

// ---------------------------------------------------------------- status responses

#[test]
fn greetings() {
    let frame =
        imap_proto::framing::Frame::new(Bytes::from_static(b"* OK IMAP4rev2 Service Ready"));
    assert_eq!(
        Response::parse_greeting(&frame).unwrap().kind(),
        StatusKind::Ok
    );
    let frame = imap_proto::framing::Frame::new(Bytes::from_static(
        b"* PREAUTH [CAPABILITY IMAP4rev2] Logged in as fred",
    ));
    let g = Response::parse_greeting(&frame).unwrap();
    assert_eq!(g.kind(), StatusKind::PreAuth);
    assert_eq!(
        g.code(),
        Some(&Code::Capability(vec![Capability::Imap4rev2]))
    );
    let frame =
        imap_proto::framing::Frame::new(Bytes::from_static(b"* BYE Autologout; idle too long"));
    assert_eq!(
        Response::parse_greeting(&frame).unwrap().kind(),
        StatusKind::Bye
    );
}

#[test]
fn greeting_refuses_other_responses() {
    for bad in [
        &b"* NO go away"[..],
        b"A1 OK done",
        b"* 3 EXISTS",
        b"+ Ready",
    ] {
        let frame = imap_proto::framing::Frame::new(Bytes::copy_from_slice(bad));
        assert!(Response::parse_greeting(&frame).is_err(), "{bad:?}");
    }
}

#[test]
fn tagged_no_and_bad() {
    let st = status("A002 NO [TRYCREATE] Mailbox doesn't exist");
    assert_eq!(st.kind(), StatusKind::No);
    assert_eq!(st.code(), Some(&Code::TryCreate));
    let st = status("A003 BAD Command unrecognized");
    assert_eq!(st.kind(), StatusKind::Bad);
}

#[test]
fn untagged_no_bad_bye() {
    assert_eq!(status("* NO Disk is 98% full").kind(), StatusKind::No);
    assert_eq!(status("* BAD Empty command line").kind(), StatusKind::Bad);
    assert_eq!(status("* BYE server shutting down").kind(), StatusKind::Bye);
}

#[test]
fn tolerance_status_without_text() {
    let st = status("A1 OK");
    assert!(st.text().is_empty());
    assert_eq!(wire(&Response::Status(st)), "A1 OK\r\n");
    assert!(status("* OK").text().is_empty());
    let st = status("* OK [READ-ONLY]");
    assert_eq!(st.code(), Some(&Code::ReadOnly));
    assert!(st.text().is_empty());
}

#[test]
fn tolerance_lower_case_and_trailing_spaces() {
    let st = status("a1 ok [read-write] done  ");
    assert_eq!(st.kind(), StatusKind::Ok);
    assert_eq!(st.code(), Some(&Code::ReadWrite));
    assert_eq!(data("* 3 exists  "), Data::Exists(3));
    assert_eq!(data("* flags (\\seen)"), Data::Flags(vec![Flag::Seen]));
}

#[test]
fn tolerance_code_without_space_before_text() {
    let st = status("* OK [ALERT]System going down");
    assert_eq!(st.code(), Some(&Code::Alert));
    assert_eq!(st.text().to_str(), Some("System going down"));
}

#[test]
fn tolerance_bracket_that_is_no_code_is_text() {
    let st = status("* OK [not closed");
    assert_eq!(st.code(), None);
    assert_eq!(st.text().to_str(), Some("[not closed"));
}

#[test]
fn tagged_preauth_and_bye_refused() {
    assert!(matches!(
        err(b"A1 BYE x"),
        ParseError::Syntax { offset: 3, .. }
    ));
    assert!(err(b"A1 PREAUTH x").to_string().contains("OK, NO or BAD"));
    assert!(Status::tagged(Tag::try_from("A1").unwrap(), StatusKind::Bye, None, "x").is_err());
}

#[test]
fn status_text_is_checked() {
    assert!(Status::untagged(StatusKind::Ok, None, "a\r\nb").is_err());
    assert!(Status::untagged(StatusKind::Ok, None, "[x] y").is_err());
    assert!(Status::untagged(StatusKind::Ok, Some(Code::Alert), "[x] y").is_ok());
    assert!(Text::try_from("a\0").is_err());
}

#[test]
fn latin1_text_is_kept() {
    let st = status_bytes(b"* OK caf\xe9");
    assert_eq!(&st.text().as_bytes()[..], b"caf\xe9");
    assert_eq!(st.text().to_str(), None);
}

fn status_bytes(line: &[u8]) -> Status {
    match parse_bytes(line) {
        Response::Status(s) => s,
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- response codes

fn code(line: &str) -> Code {
    status(line).code().cloned().unwrap()
}

#[test]
fn codes_without_data() {
    for (text, c) in [
        ("ALERT", Code::Alert),
        ("PARSE", Code::Parse),
        ("READ-ONLY", Code::ReadOnly),
        ("READ-WRITE", Code::ReadWrite),
        ("TRYCREATE", Code::TryCreate),
        ("CLOSED", Code::Closed),
        ("UIDNOTSTICKY", Code::UidNotSticky),
        ("NOMODSEQ", Code::NoModSeq),
    ] {
        assert_eq!(code(&format!("* OK [{text}] x")), c);
    }
}

#[test]
fn every_rfc5530_condition() {
    assert!(Condition::ALL.len() >= 20);
    for c in Condition::ALL {
        let line = format!("A1 NO [{}] failed", c.as_str());
        assert_eq!(code(&line), Code::Condition(*c));
        let lower = line.to_ascii_lowercase();
        assert_eq!(code(&lower), Code::Condition(*c));
    }
    assert_eq!(
        code("a NO [AUTHENTICATIONFAILED] Authentication failed"),
        Code::Condition(Condition::AuthenticationFailed)
    );
    assert_eq!(
        code("a NO [ALREADYEXISTS] Mailbox exists"),
        Code::Condition(Condition::AlreadyExists)
    );
    assert_eq!(
        code("a NO [NONEXISTENT] No such mailbox"),
        Code::Condition(Condition::NonExistent)
    );
    assert_eq!(
        code("a NO [HASCHILDREN] Has children"),
        Code::Condition(Condition::HasChildren)
    );
}

#[test]
fn code_numbers() {
    assert_eq!(
        code("* OK [UIDNEXT 4392] Predicted"),
        Code::UidNext(nz(4392))
    );
    assert_eq!(
        code("* OK [UIDVALIDITY 3857529045] UIDs valid"),
        Code::UidValidity(nz(3857529045))
    );
    assert_eq!(code("* OK [UNSEEN 12] first unseen"), Code::Unseen(nz(12)));
    assert_eq!(
        code("* OK [HIGHESTMODSEQ 715194045007] Highest"),
        Code::HighestModSeq(715194045007)
    );
}

#[test]
fn code_uidnext_zero_is_not_a_code() {
    // A malformed code falls back to text rather than losing the response.
    let st = status("* OK [UIDNEXT 0] x");
    assert_eq!(st.code(), None);
}

#[test]
fn code_permanentflags() {
    assert_eq!(
        code(r"* OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited"),
        Code::PermanentFlags(vec![
            FlagPerm::Flag(Flag::Deleted),
            FlagPerm::Flag(Flag::Seen),
            FlagPerm::Wildcard
        ])
    );
    assert_eq!(
        code("* OK [PERMANENTFLAGS ()] none"),
        Code::PermanentFlags(vec![])
    );
}

#[test]
fn code_capability() {
    let Code::Capability(caps) = code("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Ready")
    else {
        panic!()
    };
    assert_eq!(caps.len(), 3);
    assert_eq!(caps[1], Capability::SaslIr);
}

#[test]
fn code_badcharset_forms() {
    assert_eq!(
        code("B1 NO [BADCHARSET (UTF-8 \"KOI8-R\")] x"),
        Code::BadCharset(vec![
            AString::try_from("UTF-8").unwrap(),
            AString::try_from("KOI8-R").unwrap()
        ])
    );
    assert_eq!(code("B1 NO [BADCHARSET] x"), Code::BadCharset(vec![]));
    // RFC 9051 §6.4.4's own example leaves out the parentheses.
    assert_eq!(
        code("B283 NO [BADCHARSET UTF-8] KOI8-R is not supported"),
        Code::BadCharset(vec![AString::try_from("UTF-8").unwrap()])
    );
    let r = parse("B1 NO [BADCHARSET UTF-8] x");
    assert_eq!(wire(&r), "B1 NO [BADCHARSET (UTF-8)] x\r\n");
}

#[test]
fn code_appenduid_copyuid() {
    assert_eq!(
        code("A003 OK [APPENDUID 38505 3955] APPEND completed"),
        Code::AppendUid {
            uid_validity: nz(38505),
            uids: SequenceSet::parse(b"3955").unwrap()
        }
    );
    assert_eq!(
        code("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done"),
        Code::CopyUid {
            uid_validity: nz(38505),
            source: SequenceSet::parse(b"304,319:320").unwrap(),
            destination: SequenceSet::parse(b"3956:3958").unwrap()
        }
    );
}

#[test]
fn code_modified() {
    assert_eq!(
        code("d105 OK [MODIFIED 7,9] Conditional STORE failed"),
        Code::Modified(SequenceSet::parse(b"7,9").unwrap())
    );
}

#[test]
fn code_metadata() {
    assert_eq!(
        code("a OK [METADATA LONGENTRIES 2199] done"),
        Code::Metadata(MetadataCode::LongEntries(2199))
    );
    assert_eq!(
        code("a NO [METADATA MAXSIZE 1024] too big"),
        Code::Metadata(MetadataCode::MaxSize(1024))
    );
    assert_eq!(
        code("a NO [METADATA TOOMANY] x"),
        Code::Metadata(MetadataCode::TooMany)
    );
    assert_eq!(
        code("a NO [METADATA NOPRIVATE] x"),
        Code::Metadata(MetadataCode::NoPrivate)
    );
}

#[test]
fn code_mailboxid() {
    assert_eq!(
        code("3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed"),
        Code::MailboxId(ObjectId::try_from("F2212ea87-6097-4256-9d51-71338625").unwrap())
    );
}

#[test]
fn rfc4469_codes_badurl_toobig() {
    // RFC 4469 §4.
    assert_eq!(
        code("A003 NO [BADURL /Drafts;UIDVALIDITY=385759045/;UID=20/;section=1] no such part"),
        Code::BadUrl(
            CodeData::try_from("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1").unwrap()
        )
    );
    assert_eq!(
        code("A003 NO [TOOBIG] message would exceed 4 GB"),
        Code::Condition(Condition::TooBig)
    );
    // A malformed code is no code: the bracket stays in the text, as for any other code.
    for bad in ["A003 NO [BADURL] x", "A003 NO [BADURL ] x"] {
        let s = status(bad);
        assert_eq!(s.code(), None, "{bad}");
        assert!(s.text().as_bytes().starts_with(b"[BADURL"), "{bad}");
    }
}

#[test]
fn rfc5465_codes_notificationoverflow_badevent() {
    // RFC 5465 §5.8's example, and §3.1's BADEVENT listing what the server supports.
    assert_eq!(
        code("* OK [NOTIFICATIONOVERFLOW] ...A comment can go here..."),
        Code::Condition(Condition::NotificationOverflow)
    );
    assert_eq!(
        code("b NO [BADEVENT (MessageNew MessageExpunge flagchange MailboxName XFOO)] unsupported"),
        Code::BadEvent(vec![
            NotifyEvent::MessageNew(vec![]),
            NotifyEvent::MessageExpunge,
            NotifyEvent::FlagChange,
            NotifyEvent::MailboxName,
            NotifyEvent::Other(Atom::try_from("XFOO").unwrap()),
        ])
    );
    // Event names only: MessageNew's fetch attributes are no part of one.
    for bad in [
        "b NO [BADEVENT (MessageNew (UID))] x",
        "b NO [BADEVENT ()] x",
    ] {
        assert_eq!(status(bad).code(), None, "{bad}");
    }
}

#[test]
fn rfc5465_list_noaccess() {
    // RFC 5465 §6: a mailbox the user lost access to.
    let l = list(r#"* LIST (\NoAccess) "/" Lists/Secret"#);
    assert_eq!(l.attributes, vec![MailboxAttribute::NoAccess]);
}

#[test]
fn unknown_codes_are_kept() {
    let c = code("* OK [X-SOMETHING some data here] text");
    let Code::Other { name, data } = &c else {
        panic!()
    };
    assert_eq!(name.as_str(), "X-SOMETHING");
    assert_eq!(&data.as_ref().unwrap().as_bytes()[..], b"some data here");
    let c = code("* OK [XYZZY] text");
    assert!(matches!(c, Code::Other { data: None, .. }));
    // Gmail's WEBALERT carries a URL.
    let c = code("* NO [WEBALERT https://accounts.google.com/x?y=z] Web login required");
    assert!(matches!(c, Code::Other { ref name, .. } if name.as_str() == "WEBALERT"));
}

// ---------------------------------------------------------------- continuation

#[test]
fn continuation_text() {
    let r = parse("+ Ready for literal data");
    let Response::Continuation(Continuation::Text { code, text }) = &r else {
        panic!()
    };
    assert_eq!(*code, None);
    assert_eq!(text.to_str(), Some("Ready for literal data"));
    assert_eq!(wire(&r), "+ Ready for literal data\r\n");
}

#[test]
fn continuation_base64_challenge() {
    let r = parse("+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC");
    let Response::Continuation(c) = &r else {
        panic!()
    };
    assert!(matches!(c, Continuation::Base64(_)));
    assert_eq!(c.challenge().unwrap().len(), 36);
    let r = parse("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    let Response::Continuation(c) = &r else {
        panic!()
    };
    assert_eq!(
        c.challenge().unwrap(),
        b"<1896.697170952@postoffice.reston.mci.net>"
    );
}

#[test]
fn continuation_empty_and_bare() {
    for line in ["+ ", "+"] {
        let Response::Continuation(c) = parse(line) else {
            panic!()
        };
        assert_eq!(c.challenge(), Some(&b""[..]), "{line:?}");
    }
    let Response::Continuation(c) = parse("+ idling") else {
        panic!()
    };
    assert_eq!(c.challenge(), None);
}

#[test]
fn continuation_with_code() {
    let Response::Continuation(Continuation::Text { code, .. }) = parse("+ [ALERT] go on") else {
        panic!()
    };
    assert_eq!(code, Some(Code::Alert));
}

// ---------------------------------------------------------------- CAPABILITY, ENABLED

#[test]
fn enabled() {
    assert_eq!(
        data("* ENABLED CONDSTORE QRESYNC"),
        Data::Enabled(vec![Capability::CondStore, Capability::QResync])
    );
    assert_eq!(data("* ENABLED"), Data::Enabled(vec![]));
}

#[test]
fn capability_trailing_space() {
    assert_eq!(
        data("* CAPABILITY IMAP4rev2 "),
        Data::Capability(vec![Capability::Imap4rev2])
    );
}

// ---------------------------------------------------------------- LIST, LSUB

fn list(line: &str) -> MailboxList {
    match data(line) {
        Data::List(l) | Data::Lsub(l) => l,
        other => panic!("{other:?}"),
    }
}

#[test]
fn list_basic() {
    let l = list(r#"* LIST (\Noselect) "/" ~/Mail/foo"#);
    assert_eq!(l.attributes, vec![MailboxAttribute::NoSelect]);
    assert_eq!(l.delimiter, Some('/'));
    assert_eq!(l.mailbox.as_bytes(), b"~/Mail/foo");
    assert!(l.extended.is_empty());
}

#[test]
fn list_inbox_and_nil_delimiter() {
    let l = list(r#"* LIST (\HasNoChildren) NIL inbox"#);
    assert_eq!(l.delimiter, None);
    assert_eq!(l.mailbox, Mailbox::Inbox);
}

#[test]
fn list_special_use() {
    let l = list(r#"* LIST (\HasNoChildren \Sent) "/" "Sent Mail""#);
    assert_eq!(
        l.attributes,
        vec![
            MailboxAttribute::HasNoChildren,
            MailboxAttribute::SpecialUse(SpecialUse::Sent)
        ]
    );
    let l = list(r#"* LIST (\All \Archive \Drafts \Flagged \Junk \Trash \X-Custom) "." x"#);
    assert_eq!(l.attributes.len(), 7);
    assert_eq!(
        l.attributes[3],
        MailboxAttribute::SpecialUse(SpecialUse::Flagged)
    );
    assert!(matches!(&l.attributes[6], MailboxAttribute::Other(a) if a.as_str() == "X-Custom"));
}

#[test]
fn list_gmail() {
    let l = list(r#"* LIST (\HasNoChildren \Important) "/" "[Gmail]/Important""#);
    assert_eq!(l.mailbox.as_bytes(), b"[Gmail]/Important");
    let l = list(r#"* LIST (\All \HasNoChildren) "/" "[Gmail]/All Mail""#);
    assert_eq!(
        l.attributes[0],
        MailboxAttribute::SpecialUse(SpecialUse::All)
    );
}

#[test]
fn list_childinfo_and_oldname() {
    let l = list(r#"* LIST () "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"#);
    assert_eq!(
        l.extended,
        vec![ListExtendedItem::ChildInfo(vec![
            AString::try_from("SUBSCRIBED").unwrap()
        ])]
    );
    let l = list(r#"* LIST () "/" "NewMailbox" ("OLDNAME" ("OldMailbox"))"#);
    assert_eq!(
        l.extended,
        vec![ListExtendedItem::OldName(
            Mailbox::try_from("OldMailbox").unwrap()
        )]
    );
    let r = parse(r#"* LIST () "/" "Foo" (CHILDINFO (SUBSCRIBED))"#);
    assert_eq!(
        wire(&r),
        "* LIST () \"/\" Foo (CHILDINFO (\"SUBSCRIBED\"))\r\n"
    );
}

#[test]
fn list_unknown_extended_item() {
    let l = list(
        r#"* LIST (\Marked) ":" Tables (tablecloth (("edge" "lacy") ("color" "red")) Sample "text")"#,
    );
    assert_eq!(l.extended.len(), 2);
    assert!(
        matches!(&l.extended[0], ListExtendedItem::Other(tag, ExtValue::List(v)) if tag.as_bytes() == "tablecloth" && v.len() == 2)
    );
}

#[test]
fn lsub() {
    assert!(matches!(
        data(r#"* LSUB () "." #news.comp.mail.misc"#),
        Data::Lsub(_)
    ));
}

#[test]
fn list_quoted_delimiter_escape() {
    let l = list(r#"* LIST () "\\" foo"#);
    assert_eq!(l.delimiter, Some('\\'));
    assert_eq!(
        wire(&Response::Data(Data::List(l))),
        "* LIST () \"\\\\\" foo\r\n"
    );
}

#[test]
fn list_mailbox_literal() {
    let l = match parse_bytes(b"* LIST () \"/\" {5}\r\na\r\nbc") {
        Response::Data(Data::List(l)) => l,
        _ => panic!(),
    };
    assert_eq!(l.mailbox.as_bytes(), b"a\r\nbc");
}

// ---------------------------------------------------------------- NAMESPACE, STATUS

#[test]
fn namespace() {
    let Data::Namespace {
        personal,
        other,
        shared,
    } = data(r##"* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/"))"##)
    else {
        panic!()
    };
    assert_eq!(personal.len(), 1);
    assert_eq!(personal[0].prefix, s(""));
    assert_eq!(personal[0].delimiter, Some('/'));
    assert_eq!(other[0].prefix, s("~"));
    assert_eq!(shared.len(), 2);
    let Data::Namespace { other, shared, .. } = data(r#"* NAMESPACE (("INBOX." ".")) NIL  NIL"#)
    else {
        panic!()
    };
    assert!(other.is_empty() && shared.is_empty());
}

#[test]
fn namespace_extension() {
    let Data::Namespace { personal, .. } =
        data(r##"* NAMESPACE (("" "/")("#mh/" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL NIL"##)
    else {
        panic!()
    };
    assert_eq!(
        personal[1].extensions,
        vec![(s("X-PARAM"), vec![s("FLAG1"), s("FLAG2")])]
    );
}

#[test]
fn status_response() {
    let Data::Status {
        mailbox,
        attributes,
    } = data("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)")
    else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"blurdybloop");
    assert_eq!(
        attributes,
        vec![
            StatusAttribute::Count(StatusItem::Messages, 231),
            StatusAttribute::Count(StatusItem::UidNext, 44292),
            StatusAttribute::Count(StatusItem::HighestModSeq, 7011231777)
        ]
    );
    let Data::Status { attributes, .. } =
        data("* STATUS foo (MAILBOXID (F2212ea87) SIZE 44021 DELETED-STORAGE 8)")
    else {
        panic!()
    };
    assert_eq!(
        attributes[0],
        StatusAttribute::MailboxId(ObjectId::try_from("F2212ea87").unwrap())
    );
    assert_eq!(attributes.len(), 3);
}

#[test]
fn status_unknown_item_is_an_error() {
    let e = err(b"* STATUS foo (MESSAGES 1 FOO 2)");
    assert_eq!(
        e,
        ParseError::Syntax {
            offset: 25,
            expected: "status-att"
        }
    );
}

// ---------------------------------------------------------------- SEARCH, ESEARCH, SORT, THREAD

#[test]
fn search() {
    assert_eq!(
        data("* SEARCH 2 84 882"),
        Data::Search {
            numbers: vec![nz(2), nz(84), nz(882)],
            mod_seq: None
        }
    );
    assert_eq!(
        data("* SEARCH"),
        Data::Search {
            numbers: vec![],
            mod_seq: None
        }
    );
    assert_eq!(
        data("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)"),
        Data::Search {
            numbers: [2, 5, 6, 7, 11, 12, 18, 19, 20, 23].map(nz).to_vec(),
            mod_seq: Some(917162500)
        }
    );
    // Tolerance: trailing space (Exchange).
    assert_eq!(
        data("* SEARCH 1 2 "),
        Data::Search {
            numbers: vec![nz(1), nz(2)],
            mod_seq: None
        }
    );
}

#[test]
fn search_zero_is_an_error() {
    assert!(matches!(
        err(b"* SEARCH 1 0"),
        ParseError::Invalid { offset: 11, .. }
    ));
}

#[test]
fn sort() {
    assert_eq!(
        data("* SORT 2 3 6"),
        Data::Sort {
            numbers: vec![nz(2), nz(3), nz(6)],
            mod_seq: None
        }
    );
}

#[test]
fn esearch() {
    let Data::ESearch(e) = data(r#"* ESEARCH (TAG "A285") UID MIN 7 MAX 3800"#) else {
        panic!()
    };
    assert_eq!(e.tag.unwrap().as_str(), "A285");
    assert!(e.uid);
    assert_eq!(
        e.items,
        vec![ESearchItem::Min(nz(7)), ESearchItem::Max(nz(3800))]
    );
    let Data::ESearch(e) =
        data("* ESEARCH (TAG \"A283\") ALL 2,10:11 COUNT 3 MODSEQ 12 XFOO (1 2)")
    else {
        panic!()
    };
    assert_eq!(e.items.len(), 4);
    assert_eq!(e.items[1], ESearchItem::Count(3));
    assert_eq!(e.items[2], ESearchItem::ModSeq(12));
    let Data::ESearch(e) = data("* ESEARCH") else {
        panic!()
    };
    assert_eq!(e.tag, None);
    assert!(e.items.is_empty());
}

#[test]
fn esearch_partial_rfc9394() {
    // RFC 9394 §3.1, verbatim: the range is past the end of the results.
    let Data::ESearch(e) = data(r#"* ESEARCH (TAG "A04") UID PARTIAL (24000:24500 NIL)"#) else {
        panic!()
    };
    assert!(e.uid);
    assert_eq!(
        e.items,
        vec![ESearchItem::Partial {
            range: PartialRange::First(nz(24000), nz(24500)),
            results: None
        }]
    );
    // The examples whose sets the RFC elides, with a set filled in.
    let Data::ESearch(e) =
        data(r#"* ESEARCH (TAG "A01") UID PARTIAL (-1:-100 23665:23764) COUNT 23764"#)
    else {
        panic!()
    };
    assert_eq!(
        e.items[0],
        ESearchItem::Partial {
            range: PartialRange::Last(nz(1), nz(100)),
            results: Some("23665:23764".parse().unwrap())
        }
    );
    assert_eq!(e.items[1], ESearchItem::Count(23764));
    let Data::ESearch(e) = data(r#"* ESEARCH (TAG "A03") UID partial ( 1:500 1:3,7 )"#) else {
        panic!()
    };
    assert!(
        matches!(&e.items[0], ESearchItem::Partial { results: Some(s), .. } if s.to_string() == "1:3,7")
    );
    for bad in [
        &b"* ESEARCH PARTIAL 1:5 NIL"[..],
        b"* ESEARCH PARTIAL (1:5)",
        b"* ESEARCH PARTIAL (0:5 NIL)",
        b"* ESEARCH PARTIAL (-1:5 1)",
        b"* ESEARCH PARTIAL (1:5 NIL",
    ] {
        assert!(
            Response::parse_bytes(&Bytes::copy_from_slice(bad), 64).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn thread_rfc5256_example() {
    let Data::Thread(t) = data("* THREAD (2)(3 6 (4 23)(44 7 96))") else {
        panic!()
    };
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].members, vec![nz(2)]);
    assert_eq!(t[1].members, vec![nz(3), nz(6)]);
    assert_eq!(t[1].children.len(), 2);
    assert_eq!(t[1].children[0].members, vec![nz(4), nz(23)]);
    assert_eq!(t[1].children[1].members, vec![nz(44), nz(7), nz(96)]);
    let r = parse("* THREAD (2)(3 6 (4 23)(44 7 96))");
    assert_eq!(wire(&r), "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
}

#[test]
fn thread_nested_root_and_empty() {
    let Data::Thread(t) = data("* THREAD ((3)(5))") else {
        panic!()
    };
    assert!(t[0].members.is_empty());
    assert_eq!(t[0].children.len(), 2);
    assert_eq!(data("* THREAD"), Data::Thread(vec![]));
}

#[test]
fn thread_member_after_nested_is_an_error() {
    assert!(err(b"* THREAD (1 (2)(3) 4)").to_string().contains("thread"));
}

// ---------------------------------------------------------------- EXPUNGE, VANISHED

#[test]
fn expunge() {
    assert_eq!(data("* 44 EXPUNGE"), Data::Expunge(nz(44)));
    assert!(matches!(
        err(b"* 0 EXPUNGE"),
        ParseError::Invalid { offset: 2, .. }
    ));
}

#[test]
fn vanished() {
    assert_eq!(
        data("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540"),
        Data::Vanished {
            earlier: true,
            uids: SequenceSet::parse(b"41,43:116,118,120:211,214:540").unwrap()
        }
    );
    assert_eq!(
        data("* VANISHED 405,407,410,425"),
        Data::Vanished {
            earlier: false,
            uids: SequenceSet::parse(b"405,407,410,425").unwrap()
        }
    );
}

#[test]
fn unknown_numbered_response_is_an_error() {
    assert_eq!(
        err(b"* 3 FOO"),
        ParseError::Syntax {
            offset: 4,
            expected: "EXISTS, RECENT, EXPUNGE or FETCH"
        }
    );
}

// ---------------------------------------------------------------- FETCH

#[test]
fn fetch_items_in_any_order() {
    let (_, a) = fetch(br"* 1 FETCH (UID 5 FLAGS (\Seen))");
    let (_, b) = fetch(br"* 1 FETCH (FLAGS (\Seen) UID 5)");
    assert_eq!(a[0], FetchItem::Uid(nz(5)));
    assert_eq!(b[1], FetchItem::Uid(nz(5)));
    assert_eq!(a[1], b[0]);
}

#[test]
fn fetch_body_section_forms() {
    let (_, items) = fetch(b"* 2 FETCH (BODY[] {5}\r\nhello BODY[TEXT] \"t\" BODY[1.2.MIME] NIL)");
    assert_eq!(
        items[0],
        FetchItem::BodySection {
            section: Section::default(),
            origin: None,
            data: ns("hello")
        }
    );
    assert!(
        matches!(&items[1], FetchItem::BodySection { section, .. } if section.text() == Some(&SectionText::Text))
    );
    assert!(
        matches!(&items[2], FetchItem::BodySection { section, data: NString(None), .. } if section.part().len() == 2)
    );
}

#[test]
fn fetch_body_partial_origin() {
    let (_, items) = fetch(b"* 3 FETCH (BODY[]<0> {3}\r\nabc)");
    assert_eq!(
        items[0],
        FetchItem::BodySection {
            section: Section::default(),
            origin: Some(0),
            data: ns("abc")
        }
    );
    let r = parse_bytes(b"* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<10> \"x\")");
    assert_eq!(
        wire(&r),
        "* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<10> \"x\")\r\n"
    );
}

#[test]
fn fetch_header_fields_literal() {
    let (_, items) = fetch(
        b"* 12 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {54}\r\nDate: Wed, 17 Jul 1996 02:23:25 -0700\r\nFrom: a@b.c\r\n\r\n)",
    );
    let FetchItem::BodySection { data, .. } = &items[0] else {
        panic!()
    };
    assert_eq!(data.0.as_ref().unwrap().as_bytes().len(), 54);
}

#[test]
fn fetch_binary_literal8_with_nul() {
    let (_, items) = fetch(b"* 4 FETCH (BINARY[1] ~{4}\r\na\0bc BINARY.SIZE[1] 4)");
    assert_eq!(
        items[0],
        FetchItem::Binary {
            section: vec![nz(1)],
            origin: None,
            data: Some(Bytes::from_static(b"a\0bc"))
        }
    );
    assert_eq!(
        items[1],
        FetchItem::BinarySize {
            section: vec![nz(1)],
            size: 4
        }
    );
    let r = parse_bytes(b"* 4 FETCH (BINARY[1] ~{4}\r\na\0bc)");
    let mut fragments = Vec::new();
    r.encode(&mut fragments);
    assert!(
        matches!(&fragments[1], Fragment::Literal { binary: true, data, .. } if &data[..] == b"a\0bc")
    );
}

#[test]
fn fetch_binary_string_and_nil() {
    let (_, items) = fetch(b"* 4 FETCH (BINARY[] \"abc\" BINARY[2]<5> NIL)");
    assert!(matches!(&items[0], FetchItem::Binary { data: Some(d), .. } if &d[..] == b"abc"));
    assert!(matches!(
        &items[1],
        FetchItem::Binary {
            data: None,
            origin: Some(5),
            ..
        }
    ));
}

#[test]
fn fetch_rfc822_forms() {
    let (_, items) = fetch(
        b"* 5 FETCH (RFC822.SIZE 44827 RFC822.HEADER {2}\r\nab RFC822.TEXT NIL RFC822 \"x\")",
    );
    assert_eq!(items[0], FetchItem::Rfc822Size(44827));
    assert_eq!(items[1], FetchItem::Rfc822Header(ns("ab")));
    assert_eq!(items[2], FetchItem::Rfc822Text(NString(None)));
    assert_eq!(items[3], FetchItem::Rfc822(ns("x")));
}

#[test]
fn fetch_modseq() {
    let (_, items) = fetch(b"* 50 FETCH (UID 119 MODSEQ (65402) FLAGS (\\Draft $MDNSent))");
    assert_eq!(items[1], FetchItem::ModSeq(65402));
    assert_eq!(
        items[2],
        FetchItem::Flags(vec![Flag::Draft, Flag::keyword("$MDNSent").unwrap()])
    );
}

#[test]
fn fetch_gmail_extensions_kept() {
    let (_, items) = fetch(
        br#"* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS (\Inbox \Sent Important "Muy Importante") UID 4 FLAGS (\Seen))"#,
    );
    assert_eq!(items.len(), 5);
    let FetchItem::Other { name, value } = &items[2] else {
        panic!()
    };
    assert_eq!(name.as_str(), "X-GM-LABELS");
    let ExtValue::List(labels) = value else {
        panic!()
    };
    assert_eq!(labels[0], ExtValue::token("\\Inbox").unwrap());
    assert_eq!(labels[3], ExtValue::String(s("Muy Importante")));
    assert!(
        matches!(&items[0], FetchItem::Other { value: ExtValue::Token(t), .. } if &t[..] == b"1278455344230334865")
    );
}

#[test]
fn fetch_objectid_typed() {
    // RFC 8474 §5: EMAILID and THREADID, with THREADID NIL when there is no thread.
    let (_, items) = fetch(b"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID NIL UID 1)");
    assert_eq!(
        items[0],
        FetchItem::EmailId(ObjectId::try_from("M6d99ac3275bb4e").unwrap())
    );
    assert_eq!(items[1], FetchItem::ThreadId(None));
    let (_, items) = fetch(b"* 2 FETCH (threadid ( T64b478a75b7ea9 ))");
    assert_eq!(
        items[0],
        FetchItem::ThreadId(Some(ObjectId::try_from("T64b478a75b7ea9").unwrap()))
    );
    for bad in [
        &b"* 1 FETCH (EMAILID NIL)"[..],
        b"* 1 FETCH (EMAILID M1)",
        b"* 1 FETCH (EMAILID (M!1))",
        b"* 1 FETCH (EMAILID ())",
        b"* 1 FETCH (THREADID (T1)",
    ] {
        assert!(
            Response::parse_bytes(&Bytes::copy_from_slice(bad), 64).is_err(),
            "{bad:?}"
        );
    }
    // 255 octets is the longest objectid; 256 is refused.
    let id = "a".repeat(255);
    let (_, items) = fetch(format!("* 1 FETCH (EMAILID ({id}))").as_bytes());
    assert!(matches!(&items[0], FetchItem::EmailId(i) if i.as_str().len() == 255));
    let long = format!("* 1 FETCH (EMAILID ({id}a))");
    assert!(Response::parse_bytes(&Bytes::from(long), 64).is_err());
    assert!(FetchItemName::try_from("EMAILID").is_err());
    assert!(FetchItemName::try_from("savedate").is_err());
}

#[test]
fn fetch_savedate_and_preview() {
    // RFC 8514 §4: SAVEDATE is a date-time, or NIL where the mailbox keeps none.
    let (_, items) =
        fetch(b"* 3 FETCH (SAVEDATE \"17-Jul-1996 02:44:25 -0700\" PREVIEW \"Hello there\")");
    assert_eq!(
        items[0],
        FetchItem::SaveDate(Some(
            DateTime::parse(b"\"17-Jul-1996 02:44:25 -0700\"").unwrap()
        ))
    );
    assert_eq!(
        items[1],
        FetchItem::Preview(NString(Some(s("Hello there"))))
    );
    // RFC 8970 §3.2: a LAZY preview not computed yet is NIL.
    let (_, items) = fetch(b"* 4 FETCH (UID 9 SAVEDATE NIL PREVIEW NIL)");
    assert_eq!(items[1], FetchItem::SaveDate(None));
    assert_eq!(items[2], FetchItem::Preview(NString(None)));
    let (_, items) = fetch(b"* 5 FETCH (PREVIEW {5}\r\nab\"cd)");
    assert_eq!(items[0], FetchItem::Preview(NString(Some(s("ab\"cd")))));
    for bad in [
        &b"* 1 FETCH (SAVEDATE 17-Jul-1996)"[..],
        b"* 1 FETCH (SAVEDATE)",
        b"* 1 FETCH (PREVIEW hello)",
        b"* 1 FETCH (PREVIEW)",
    ] {
        assert!(
            Response::parse_bytes(&Bytes::copy_from_slice(bad), 64).is_err(),
            "{bad:?}"
        );
    }
    let r = Response::parse_bytes(
        &Bytes::from_static(b"* 1 FETCH (SAVEDATE NIL PREVIEW \"x\")"),
        64,
    )
    .unwrap();
    assert_eq!(
        &r.to_bytes()[..],
        b"* 1 FETCH (SAVEDATE NIL PREVIEW \"x\")\r\n"
    );
}

#[test]
fn fetch_lower_case_items() {
    let (_, items) = fetch(b"* 1 FETCH (uid 7 flags () rfc822.size 3 body[text] {1}\r\nx)");
    assert_eq!(items[0], FetchItem::Uid(nz(7)));
    assert_eq!(items[1], FetchItem::Flags(vec![]));
    assert_eq!(items[2], FetchItem::Rfc822Size(3));
    assert!(matches!(&items[3], FetchItem::BodySection { .. }));
}

#[test]
fn fetch_recent_flag() {
    let (_, items) = fetch(b"* 1 FETCH (FLAGS (\\Recent \\Seen $Junk))");
    assert_eq!(
        items[0],
        FetchItem::Flags(vec![
            Flag::Recent,
            Flag::Seen,
            Flag::keyword("$Junk").unwrap()
        ])
    );
}

#[test]
fn fetch_empty_list_is_an_error() {
    assert_eq!(
        err(b"* 1 FETCH ()"),
        ParseError::Syntax {
            offset: 4,
            expected: "at least one FETCH item"
        }
    );
}

#[test]
fn fetch_zero_is_an_error() {
    assert!(matches!(
        err(b"* 0 FETCH (UID 1)"),
        ParseError::Invalid { offset: 2, .. }
    ));
}

#[test]
fn fetch_errors_say_where() {
    let e = err(b"* 1 FETCH (UID x)");
    assert_eq!(
        e,
        ParseError::Syntax {
            offset: 15,
            expected: "number"
        }
    );
    let e = err(b"* 1 FETCH (FLAGS (\\Seen)");
    assert_eq!(e.offset(), 24);
    let e = err(b"* 1 FETCH (BODY[] {10}\r\nabc)");
    assert!(e.to_string().contains("literal"));
}

// ---------------------------------------------------------------- ENVELOPE

const ENVELOPE_GROUP: &[u8] = br#"* 7 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "afternoon meeting" (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) NIL ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "team" NIL)("Ann" NIL "ann" "example.com")("Bob" NIL "bob" "example.com")(NIL NIL NIL NIL)) NIL NIL "<B27397-0100000@Blurdybloop.example>"))"#;

fn envelope(line: &[u8]) -> Envelope {
    let (_, items) = fetch(line);
    match items.into_iter().next() {
        Some(FetchItem::Envelope(e)) => *e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn envelope_fields() {
    let e = envelope(ENVELOPE_GROUP);
    assert_eq!(e.date, ns("Mon, 7 Feb 1994 21:52:25 -0800 (PST)"));
    assert_eq!(e.subject, ns("afternoon meeting"));
    assert_eq!(e.from()[0].name, ns("Fred Foobar"));
    assert_eq!(e.from()[0].mailbox, ns("foobar"));
    assert_eq!(e.from()[0].host, ns("Blurdybloop.example"));
    assert!(e.reply_to().is_empty());
    assert!(e.bcc().is_empty());
    assert_eq!(e.in_reply_to, NString(None));
    assert_eq!(e.message_id, ns("<B27397-0100000@Blurdybloop.example>"));
}

#[test]
fn envelope_groups() {
    let e = envelope(ENVELOPE_GROUP);
    // An empty group: "undisclosed-recipients:;".
    assert_eq!(e.to().len(), 2);
    assert!(e.to()[0].is_group_start());
    assert!(e.to()[1].is_group_end());
    // A group with two members: "team: Ann <ann@example.com>, Bob <bob@example.com>;".
    assert_eq!(e.cc().len(), 4);
    assert!(e.cc()[0].is_group_start());
    assert_eq!(e.cc()[0].mailbox, ns("team"));
    assert!(!e.cc()[1].is_group_start() && !e.cc()[1].is_group_end());
    assert!(e.cc()[3].is_group_end());
}

#[test]
fn envelope_tolerates_empty_lists_and_nil_subject() {
    let e = envelope(br#"* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL NIL NIL NIL NIL NIL))"#);
    assert_eq!(e, Envelope::default());
}

#[test]
fn envelope_subject_literal_utf8() {
    let e = envelope(
        "* 1 FETCH (ENVELOPE (NIL {6}\r\nhéllo NIL NIL NIL NIL NIL NIL NIL NIL))".as_bytes(),
    );
    assert_eq!(e.subject.0.unwrap().to_str(), Some("héllo"));
}

#[test]
fn envelope_errors() {
    let e = err(br#"* 1 FETCH (ENVELOPE (NIL NIL (("a" NIL "b")) NIL NIL NIL NIL NIL NIL NIL))"#);
    assert!(matches!(e, ParseError::Syntax { expected: "SP", .. }));
}

// ---------------------------------------------------------------- BODYSTRUCTURE

fn body_structure(line: &[u8]) -> BodyStructure {
    let (_, items) = fetch(line);
    match items.into_iter().next() {
        Some(FetchItem::BodyStructure(b) | FetchItem::Body(b)) => *b,
        other => panic!("{other:?}"),
    }
}

/// A multipart/mixed holding a multipart/alternative (text and HTML) and a PDF
/// attachment, as Dovecot sends it.
const ALTERNATIVE_WITH_ATTACHMENT: &[u8] = br#"* 1 FETCH (UID 42 BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 1024 30 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 4096 80 NIL NIL NIL NIL) "alternative" ("boundary" "b2") NIL NIL NIL)("application" "pdf" ("name" "report.pdf") NIL NIL "base64" 65536 NIL ("attachment" ("filename" "report.pdf")) NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL))"#;

#[test]
fn bodystructure_alternative_with_attachment() {
    let (_, items) = fetch(ALTERNATIVE_WITH_ATTACHMENT);
    assert_eq!(items[0], FetchItem::Uid(nz(42)));
    let FetchItem::BodyStructure(b) = &items[1] else {
        panic!()
    };
    let BodyStructure::Multipart {
        parts,
        subtype,
        params,
        ..
    } = &**b
    else {
        panic!()
    };
    assert_eq!(*subtype, s("mixed"));
    assert_eq!(params, &vec![(s("boundary"), s("b1"))]);
    assert_eq!(parts.len(), 2);
    let BodyStructure::Multipart {
        parts: alt,
        subtype,
        ..
    } = &parts[0]
    else {
        panic!()
    };
    assert_eq!(*subtype, s("alternative"));
    assert!(matches!(
        &alt[1],
        BodyStructure::Single { subtype, octets: 4096, kind: SinglePartKind::Text { lines: 80 }, .. } if *subtype == s("html")
    ));
    let BodyStructure::Single {
        media_type,
        encoding,
        kind,
        extension,
        ..
    } = &parts[1]
    else {
        panic!()
    };
    assert_eq!(*media_type, s("application"));
    assert_eq!(*encoding, s("base64"));
    assert_eq!(*kind, SinglePartKind::Basic);
    assert_eq!(
        extension.as_ref().unwrap().disposition,
        Some(Box::new(Disposition::new(
            s("attachment"),
            vec![(s("filename"), s("report.pdf"))].into()
        )))
    );
}

/// A forwarded message: multipart/mixed with a text part and a message/rfc822 part that
/// holds its own envelope and multipart body.
const FORWARD: &[u8] = br#"* 9 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 120 4 NIL NIL NIL NIL)("MESSAGE" "RFC822" ("NAME" "fwd.eml") NIL "Forwarded message" "7BIT" 2048 ("Tue, 1 Oct 2024 10:00:00 +0000" "Original" (("Ann" NIL "ann" "example.com")) (("Ann" NIL "ann" "example.com")) (("Ann" NIL "ann" "example.com")) ((NIL NIL "bob" "example.org")) NIL NIL NIL "<orig@example.com>") (("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "8BIT" 300 10 NIL NIL NIL NIL)("IMAGE" "PNG" ("NAME" "a.png") "<img1@x>" NIL "BASE64" 1200 NIL ("inline" NIL) NIL NIL) "RELATED" ("BOUNDARY" "inner") NIL NIL NIL) 52 NIL ("attachment" ("filename" "fwd.eml")) ("en" "de") "http://example.com/fwd") "MIXED" ("BOUNDARY" "outer") NIL "en" NIL))"#;

#[test]
fn bodystructure_message_rfc822_forward() {
    let b = body_structure(FORWARD);
    let BodyStructure::Multipart {
        parts, extension, ..
    } = &b
    else {
        panic!()
    };
    assert_eq!(extension.as_ref().unwrap().language, vec![s("en")]);
    let BodyStructure::Single {
        kind:
            SinglePartKind::Message {
                envelope,
                body,
                lines,
            },
        description,
        extension,
        ..
    } = &parts[1]
    else {
        panic!("{:?}", parts[1])
    };
    assert_eq!(*description, ns("Forwarded message"));
    assert_eq!(*lines, 52);
    assert_eq!(envelope.subject, ns("Original"));
    assert_eq!(envelope.to()[0].mailbox, ns("bob"));
    let extension = extension.as_ref().unwrap();
    assert_eq!(extension.language, vec![s("en"), s("de")]);
    assert_eq!(extension.location, ns("http://example.com/fwd"));
    let BodyStructure::Multipart { parts: inner, .. } = &**body else {
        panic!()
    };
    assert!(matches!(&inner[1], BodyStructure::Single { id, .. } if *id == ns("<img1@x>")));
}

#[test]
fn body_rfc9051_example() {
    let b = body_structure(
        br#"* 12 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))"#,
    );
    assert!(matches!(
        b,
        BodyStructure::Single {
            octets: 3028,
            kind: SinglePartKind::Text { lines: 92 },
            ..
        }
    ));
}

#[test]
fn bodystructure_rfc3501_multipart_example() {
    let b = body_structure(
        br#"* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED"))"#,
    );
    let BodyStructure::Multipart { parts, subtype, .. } = b else {
        panic!()
    };
    assert_eq!(subtype, s("MIXED"));
    assert_eq!(parts.len(), 2);
}

#[test]
fn bodystructure_extension_data_and_body_extensions() {
    let b = body_structure(
        br#"* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1 "md5sum" ("inline" NIL) NIL NIL 42 ("x" (1 2))))"#,
    );
    let BodyStructure::Single { md5, extension, .. } = b else {
        panic!()
    };
    assert_eq!(md5, ns("md5sum"));
    let extension = extension.unwrap();
    assert_eq!(extension.extensions.len(), 2);
    assert_eq!(extension.extensions[0], ExtValue::token("42").unwrap());
}

#[test]
fn bodystructure_tolerates_nil_fields() {
    // Exchange: NIL media type, subtype and encoding; empty parameter list.
    let b = body_structure(br#"* 1 FETCH (BODYSTRUCTURE (NIL NIL () NIL NIL NIL 0 0))"#);
    let BodyStructure::Single {
        media_type,
        encoding,
        params,
        ..
    } = b
    else {
        panic!()
    };
    assert!(media_type.as_bytes().is_empty());
    assert!(encoding.as_bytes().is_empty());
    assert!(params.is_empty());
}

#[test]
fn bodystructure_tolerates_nil_octets_and_spaces() {
    let b = body_structure(
        br#"* 1 FETCH (BODYSTRUCTURE ( ("text" "plain" NIL NIL NIL "7bit" NIL 1 ) ("text" "html" NIL NIL NIL "7bit" 5 1) "alternative" ))"#,
    );
    assert!(matches!(b, BodyStructure::Multipart { ref parts, .. } if parts.len() == 2));
}

#[test]
fn bodystructure_message_without_envelope_is_basic() {
    let b = body_structure(br#"* 1 FETCH (BODY ("message" "rfc822" NIL NIL NIL "7bit" 100))"#);
    assert!(matches!(
        b,
        BodyStructure::Single {
            kind: SinglePartKind::Basic,
            ..
        }
    ));
}

#[test]
fn bodystructure_minimal_encoding() {
    // `()` is written as NIL; extension data that was sent, even all NIL, is written back
    // (parse and encode agree on one representation, so values round-trip exactly), and
    // extension data that was not sent is not invented.
    let r = parse_bytes(
        br#"* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" () NIL NIL "7BIT" 10 1 NIL NIL NIL NIL))"#,
    );
    assert_eq!(
        wire(&r),
        "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL))\r\n"
    );
    let r = parse_bytes(br#"* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" () NIL NIL "7BIT" 10 1))"#);
    assert_eq!(
        wire(&r),
        "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1))\r\n"
    );
}

// ---------------------------------------------------------------- ID, QUOTA, METADATA, other

#[test]
fn id() {
    assert_eq!(data("* ID NIL"), Data::Id(None));
    assert_eq!(
        data(r#"* ID ("name" "Cyrus" "version" NIL)"#),
        Data::Id(Some(vec![
            (s("name"), ns("Cyrus")),
            (s("version"), NString(None))
        ]))
    );
}

#[test]
fn quota() {
    assert_eq!(
        data(r#"* QUOTA "" (STORAGE 10 512 MESSAGE 1 100)"#),
        Data::Quota {
            root: AString::try_from("").unwrap(),
            resources: vec![
                QuotaResource::new(Atom::try_from("STORAGE").unwrap(), 10, 512),
                QuotaResource::new(Atom::try_from("MESSAGE").unwrap(), 1, 100)
            ]
        }
    );
    assert_eq!(
        data(r#"* QUOTAROOT INBOX "" "#),
        Data::QuotaRoot {
            mailbox: Mailbox::Inbox,
            roots: vec![AString::try_from("").unwrap()]
        }
    );
    assert_eq!(
        data("* QUOTAROOT comp.mail.mime"),
        Data::QuotaRoot {
            mailbox: Mailbox::try_from("comp.mail.mime").unwrap(),
            roots: vec![]
        }
    );
}

#[test]
fn metadata() {
    let Data::Metadata { mailbox, entries } =
        data(r#"* METADATA "INBOX" (/private/comment "My comment" /shared/x NIL)"#)
    else {
        panic!()
    };
    assert_eq!(mailbox, Mailbox::Inbox);
    let MetadataResponse::Values(v) = entries else {
        panic!()
    };
    assert_eq!(v[0].entry.as_bytes(), "/private/comment");
    assert_eq!(v[0].value, MetadataValue::String(s("My comment")));
    assert_eq!(v[1].value, MetadataValue::Nil);
    let Data::Metadata { entries, .. } = data("* METADATA INBOX /shared/comment /private/comment")
    else {
        panic!()
    };
    assert_eq!(
        entries,
        MetadataResponse::Changed(vec![
            AString::try_from("/shared/comment").unwrap(),
            AString::try_from("/private/comment").unwrap()
        ])
    );
}

#[test]
fn metadata_literal8_value() {
    let Response::Data(Data::Metadata { entries, .. }) =
        parse_bytes(b"* METADATA \"\" (/shared/x ~{3}\r\na\0b)")
    else {
        panic!()
    };
    assert_eq!(
        entries,
        MetadataResponse::Values(vec![imap_proto::command::MetadataEntry {
            entry: AString::try_from("/shared/x").unwrap(),
            value: MetadataValue::Binary(Bytes::from_static(b"a\0b"))
        }])
    );
}

#[test]
fn unknown_untagged_response_kept() {
    let d = data(r#"* XLIST (\HasNoChildren \Inbox) "/" "Inbox""#);
    let Data::Other { name, arguments } = d else {
        panic!()
    };
    assert_eq!(name.as_str(), "XLIST");
    assert_eq!(arguments.len(), 3);
}

// ---------------------------------------------------------------- encoding

#[test]
fn encoder_picks_quoted_or_literal() {
    let r = Response::Data(Data::Fetch {
        seq: nz(1),
        items: vec![FetchItem::BodySection {
            section: Section::default(),
            origin: None,
            data: ns("line1\r\nline2"),
        }],
    });
    let mut fragments = Vec::new();
    r.encode(&mut fragments);
    assert_eq!(fragments.len(), 3);
    assert_eq!(&fragments[0].as_bytes()[..], b"* 1 FETCH (BODY[] {12}\r\n");
    assert_eq!(&fragments[1].as_bytes()[..], b"line1\r\nline2");
    assert_eq!(&fragments[2].as_bytes()[..], b")\r\n");
    let r = Response::Data(Data::Fetch {
        seq: nz(1),
        items: vec![FetchItem::Rfc822Header(ns("say \"hi\""))],
    });
    assert_eq!(wire(&r), "* 1 FETCH (RFC822.HEADER \"say \\\"hi\\\"\")\r\n");
}

#[test]
fn encoded_quoted_strings_never_hold_cr_or_lf() {
    for v in ["a\rb", "a\nb", "\r\n"] {
        let r = Response::Data(Data::Id(Some(vec![(s("k"), ns(v))])));
        let mut fragments = Vec::new();
        r.encode(&mut fragments);
        for f in &fragments {
            if let Fragment::Line(l) = f {
                let body = &l[..l.len() - 2];
                assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "{l:?}");
            }
        }
    }
}

#[test]
fn encode_status_with_code_and_text() {
    let st = Status::tagged(
        Tag::try_from("A1").unwrap(),
        StatusKind::Ok,
        Some(Code::CopyUid {
            uid_validity: nz(9),
            source: SequenceSet::parse(b"1:3").unwrap(),
            destination: SequenceSet::parse(b"7:9").unwrap(),
        }),
        "Done",
    )
    .unwrap();
    assert_eq!(
        wire(&Response::Status(st)),
        "A1 OK [COPYUID 9 1:3 7:9] Done\r\n"
    );
}

#[test]
fn encode_base64_continuation() {
    let r = Response::Continuation(Continuation::Base64(Bytes::from_static(b"hello")));
    assert_eq!(wire(&r), "+ aGVsbG8=\r\n");
}

#[test]
fn fetch_item_name_validation() {
    assert!(FetchItemName::try_from("X-GM-LABELS").is_ok());
    assert!(FetchItemName::try_from("UID").is_err());
    assert!(FetchItemName::try_from("a b").is_err());
    assert!(ExtValue::token("a(b").is_err());
    assert!(ExtValue::token("").is_err());
}

// ---------------------------------------------------------------- framing + parse

#[test]
fn framed_transcript_with_literals() {
    let input = b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n* 1 FETCH (UID 3 BODY[] {11}\r\nHello\r\nWorl FLAGS (\\Seen))\r\nA1 OK done\r\n";
    for split in [input.len(), 1, 7] {
        let mut framer = Framer::new(FramerConfig::client());
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for chunk in input.chunks(split) {
            buf.extend_from_slice(chunk);
            while let Some(ev) = framer.next_frame(&mut buf) {
                let Ok(FrameEvent::Frame(frame)) = ev else {
                    panic!("{ev:?}")
                };
                out.push(Response::parse(&frame).unwrap());
            }
        }
        assert_eq!(out.len(), 3, "split {split}");
        let Response::Data(Data::Fetch { items, .. }) = &out[1] else {
            panic!()
        };
        assert_eq!(
            items[1],
            FetchItem::BodySection {
                section: Section::default(),
                origin: None,
                data: ns("Hello\r\nWorl")
            }
        );
    }
}

// ---------------------------------------------------------------- depth budget

fn nested(prefix: &str, depth: usize, inner: &str, suffix: &str) -> Bytes {
    let mut v = prefix.as_bytes().to_vec();
    v.extend(std::iter::repeat_n(b'(', depth));
    v.extend_from_slice(inner.as_bytes());
    v.extend(std::iter::repeat_n(b')', depth));
    v.extend_from_slice(suffix.as_bytes());
    Bytes::from(v)
}

fn too_deep(input: &Bytes) {
    let e = Response::parse_bytes(input, DEFAULT_MAX_DEPTH).unwrap_err();
    assert!(matches!(e, ParseError::TooDeep { max: 64, .. }), "{e:?}");
}

#[test]
fn depth_100k_bodystructure() {
    too_deep(&nested("* 1 FETCH (BODYSTRUCTURE ", 100_000, "", "))"));
}

#[test]
fn depth_100k_thread() {
    too_deep(&nested("* THREAD ", 100_000, "1", ""));
}

#[test]
fn depth_100k_unknown_fetch_item() {
    too_deep(&nested("* 1 FETCH (X-GM-LABELS ", 100_000, "a", ")"));
}

#[test]
fn depth_100k_unknown_response_and_list_item() {
    too_deep(&nested("* XFOO ", 100_000, "", ""));
    too_deep(&nested("* LIST () \"/\" a (x ", 100_000, "", ")"));
    too_deep(&nested("* ESEARCH XFOO ", 100_000, "", ""));
}

#[test]
fn depth_100k_message_rfc822() {
    // message/rfc822 parts nested in each other.
    let part =
        r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "#;
    let mut v = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    for _ in 0..20_000 {
        v.extend_from_slice(part.as_bytes());
    }
    too_deep(&Bytes::from(v));
}

#[test]
fn depth_100k_in_a_code_is_text_never_a_crash() {
    let input = nested("* OK [XFOO ", 100_000, "", "] x");
    let r = Response::parse_bytes(&input, DEFAULT_MAX_DEPTH).unwrap();
    assert!(matches!(r, Response::Status(_)));
}

#[test]
fn depth_at_and_over_the_budget() {
    // THREAD: each level is one budget unit; 10 fits a budget of 10, 11 does not.
    let ok = nested("* THREAD ", 10, "1", "");
    assert!(Response::parse_bytes(&ok, 10).is_ok());
    let over = nested("* THREAD ", 11, "1", "");
    assert!(matches!(
        Response::parse_bytes(&over, 10),
        Err(ParseError::TooDeep { max: 10, .. })
    ));
}

#[test]
fn depth_budget_allows_realistic_nesting() {
    assert!(Response::parse_bytes(&Bytes::from_static(FORWARD), DEFAULT_MAX_DEPTH).is_ok());
}

#[test]
fn nesting_just_under_the_budget_fits_a_test_thread_stack() {
    // Multiparts nested as deep as the budget allows: no error, and no stack overflow on a
    // 2 MiB test thread in a debug build.
    let mut v = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    let depth = DEFAULT_MAX_DEPTH - 6;
    v.extend(std::iter::repeat_n(b'(', depth));
    v.extend_from_slice(br#"("text" "plain" ("a" "b") NIL NIL "7bit" 1 1 NIL ("inline" ("x" "y")) ("en" "de") NIL (1 (2)))"#);
    v.extend(
        std::iter::repeat_n(&b" \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)"[..], depth).flatten(),
    );
    v.extend_from_slice(b")");
    let r = Response::parse_bytes(&Bytes::from(v), DEFAULT_MAX_DEPTH);
    assert!(r.is_ok(), "{r:?}");
    // message/rfc822 parts nested as deep as the budget allows.
    let part =
        r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "#;
    let n = (DEFAULT_MAX_DEPTH - 3) / 2;
    let mut v = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    for _ in 0..n {
        v.extend_from_slice(part.as_bytes());
    }
    v.extend_from_slice(br#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)"#);
    for _ in 0..n {
        v.extend_from_slice(b" 1)");
    }
    v.extend_from_slice(b")");
    let r = Response::parse_bytes(&Bytes::from(v), DEFAULT_MAX_DEPTH);
    assert!(r.is_ok(), "{r:?}");
    let r = r.unwrap();
    // Encoding and dropping the deep value is fine too.
    assert!(!r.to_bytes().is_empty());
}

#[test]
fn badcharset_encodes_charsets_as_atom_or_quoted() {
    let r = parse(r#"B1 NO [BADCHARSET ("a]b" UTF-8)] x"#);
    assert_eq!(wire(&r), "B1 NO [BADCHARSET (\"a]b\" UTF-8)] x\r\n");
    let r = parse_bytes(b"B1 NO [BADCHARSET ({3}\r\na b)] x");
    assert_eq!(wire(&r), "B1 NO [BADCHARSET (\"a b\")] x\r\n");
}

// ---------------------------------------------------------------- real-server transcripts

/// Frames `stream` with a client framer fed whole, byte by byte and in 7-byte pieces, and
/// checks that each way yields the same parsed responses, each of which round-trips.
fn transcript(stream: &[u8]) -> Vec<Response> {
    let mut results: Vec<Vec<Response>> = Vec::new();
    for split in [stream.len().max(1), 1, 7, 13] {
        let mut framer = Framer::new(FramerConfig::client());
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for chunk in stream.chunks(split) {
            buf.extend_from_slice(chunk);
            while let Some(ev) = framer.next_frame(&mut buf) {
                let Ok(FrameEvent::Frame(frame)) = ev else {
                    panic!("{ev:?}")
                };
                let r = Response::parse(&frame)
                    .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(frame.bytes())));
                let wire = r.to_bytes();
                let again = Bytes::copy_from_slice(&wire[..wire.len() - 2]);
                assert_eq!(Response::parse_bytes(&again, DEFAULT_MAX_DEPTH).unwrap(), r);
                out.push(r);
            }
        }
        assert!(buf.is_empty(), "left over: {buf:?}");
        results.push(out);
    }
    for r in &results[1..] {
        assert_eq!(r, &results[0]);
    }
    results.swap_remove(0)
}

#[test]
fn dovecot_session() {
    let r = transcript(
        b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Ubuntu) ready.\r\n\
a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE] Logged in\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n\
* 3 EXISTS\r\n\
* 0 RECENT\r\n\
* OK [UNSEEN 2] First unseen.\r\n\
* OK [UIDVALIDITY 1700000000] UIDs valid\r\n\
* OK [UIDNEXT 4] Predicted next UID\r\n\
* OK [HIGHESTMODSEQ 7] Highest\r\n\
a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n\
* 1 FETCH (UID 1 RFC822.SIZE 1024 FLAGS (\\Seen) BODY[HEADER.FIELDS (SUBJECT)] {20}\r\nSubject: greetings\r\n)\r\n\
* ESEARCH (TAG \"a4\") UID ALL 1:3\r\n\
* THREAD (1 2)(3)\r\n\
a5 OK Thread completed (0.001 + 0.000 secs).\r\n",
    );
    assert_eq!(r.len(), 15);
    assert!(matches!(&r[12], Response::Data(Data::ESearch(e)) if e.uid));
}

#[test]
fn gmail_session() {
    let r = transcript(
        b"* OK Gimap ready for requests from 192.0.2.1 r12mb1234\r\n\
* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH\r\n\
* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\" NIL)\r\n\
* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n\
* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"\r\n\
* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n\
* LIST (\\HasNoChildren \\Trash) \"/\" \"[Gmail]/Trash\"\r\n\
* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Important \\Sent \"Travel plans\") UID 4 FLAGS (\\Seen))\r\n\
* NO [WEBALERT https://accounts.google.com/signin/continue?sarp=1] Web login required.\r\n\
* QUOTAROOT \"INBOX\" \"\"\r\n\
* QUOTA \"\" (STORAGE 1024 15728640)\r\n\
A7 OK Success\r\n",
    );
    assert_eq!(r.len(), 12);
    assert!(matches!(&r[10], Response::Data(Data::Quota { .. })));
}

#[test]
fn exchange_session() {
    let r = transcript(
        b"* OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADAAMQBDAEEAMAAwADAANwAuAG4AYQBtAHAAcgBkADAAMQAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]\r\n\
* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n\
* LIST (\\HasNoChildren) \"/\" Archive\r\n\
* LIST (\\Marked \\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
* SEARCH 1 2 3 \r\n\
* 1 FETCH (UID 5 ENVELOPE (\"Tue, 1 Oct 2024 10:00:00 +0000\" \"Report\" ((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL ((\"Bob\" NIL \"bob\" \"example.org\")) NIL NIL NIL \"<r@example.com>\") BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)(\"application\" \"octet-stream\" (\"name\" \"file.bin\") NIL NIL \"base64\" 1234 NIL (\"attachment\" (\"filename\" \"file.bin\" \"size\" \"900\" \"creation-date\" \"Tue, 01 Oct 2024 10:00:00 GMT\")) NIL NIL) \"mixed\" (\"boundary\" \"_000_\") NIL NIL NIL))\r\n\
a3 OK FETCH completed.\r\n",
    );
    assert_eq!(r.len(), 7);
    // The greeting text starts with no code, so its trailing bracket is text.
    let Response::Status(g) = &r[0] else { panic!() };
    assert_eq!(g.code(), None);
}

#[test]
fn cyrus_and_qresync_session() {
    let r = transcript(
        b"* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE AUTH=PLAIN SASL-IR] server ready\r\n\
* ENABLED QRESYNC\r\n\
* OK [CLOSED] Previous mailbox closed\r\n\
* 10 EXISTS\r\n\
* OK [UIDVALIDITY 67890007] Ok\r\n\
* OK [HIGHESTMODSEQ 90060128194045007] Highest\r\n\
* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n\
* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n\
A02 OK [READ-WRITE] mailbox selected\r\n\
* 3 EXPUNGE\r\n\
* VANISHED 405,407,410,425\r\n\
* METADATA \"INBOX\" (/private/comment {5}\r\nhello)\r\n\
A03 NO [OVERQUOTA] Over quota\r\n",
    );
    assert_eq!(r.len(), 13);
}

#[test]
fn authenticate_exchange() {
    let r = transcript(b"+ \r\n+ dGVzdA==\r\n+ [ALERT] slow down\r\nA1 OK Success\r\n");
    let Response::Continuation(c) = &r[0] else {
        panic!()
    };
    assert_eq!(c.challenge(), Some(&b""[..]));
    let Response::Continuation(c) = &r[1] else {
        panic!()
    };
    assert_eq!(c.challenge(), Some(&b"test"[..]));
}

// ---------------------------------------------------------------- errors say where and what

#[test]
fn errors_point_at_the_offending_byte() {
    for (input, offset, expected) in [
        (&b""[..], 0, "tag"),
        (b"*", 1, "SP"),
        (b"A1 HELLO", 3, "OK, NO or BAD after a tag"),
        (b"* 3", 3, "SP"),
        (b"* LIST () \"/\"", 13, "SP"),
        (
            b"* LIST (\\Noselect \"/\" a",
            18,
            "'\\' starting a mailbox attribute",
        ),
        (b"* STATUS a MESSAGES 1", 11, "'('"),
        (b"* VANISHED (LATER) 1", 12, "EARLIER"),
        (b"* 1 FETCH (BODYSTRUCTURE (\"a\"))", 29, "SP"),
        (b"* 1 FETCH (ENVELOPE ())", 21, "string"),
        (b"* QUOTA a (STORAGE x 1)", 19, "number"),
    ] {
        let e = err(input);
        assert_eq!(
            e,
            ParseError::Syntax { offset, expected },
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn error_messages_are_readable() {
    let e = err(b"* 1 FETCH (UID 1");
    assert_eq!(e.to_string(), "SP expected at byte 16");
    let e =
        Response::parse_bytes(&nested("* THREAD ", 70, "1", ""), DEFAULT_MAX_DEPTH).unwrap_err();
    assert_eq!(e.to_string(), "nesting deeper than 64 levels at byte 73");
}

#[test]
fn literal_cut_short_is_an_error() {
    let e = err(b"* 1 FETCH (RFC822 {100}\r\nabc)");
    assert_eq!(
        e,
        ParseError::Syntax {
            offset: 29,
            expected: "the literal's octets"
        }
    );
}

#[test]
fn nul_in_text_or_literal_is_an_error() {
    assert!(err(b"* OK a\0b").to_string().contains("TEXT-CHAR"));
    assert!(matches!(
        err(b"* 1 FETCH (RFC822 {3}\r\na\0b)"),
        ParseError::Invalid { .. }
    ));
}

#[test]
fn trailing_garbage_is_an_error() {
    assert_eq!(
        err(b"* 1 EXISTS x"),
        ParseError::Syntax {
            offset: 11,
            expected: "end of line"
        }
    );
    assert!(
        err(b"* 1 FETCH (UID 1) x")
            .to_string()
            .contains("end of line")
    );
}

#[test]
fn text_never_starts_with_a_space() {
    assert!(Text::try_from(" x").is_err());
    assert!(Text::try_from("x ").is_ok());
    assert!(Text::try_from("").is_ok());
    // The parser absorbs every space before the text.
    assert_eq!(status("* OK    spaced").text().to_str(), Some("spaced"));
    assert_eq!(
        status("* OK [ALERT]   spaced").text().to_str(),
        Some("spaced")
    );
}

/// The server side of RFC 9051 §8's sample session, page-layout line wraps joined, with
/// the 342-octet header literal built from the example's own lines.
#[test]
fn rfc9051_section8_sample_session() {
    let header = [
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
        "From: Terry Gray <gray@cac.washington.edu>",
        "Subject: IMAP4rev2 WG mtg summary and minutes",
        "To: imap@cac.washington.edu",
        "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>",
        "Message-Id: <B27397-0100000@cac.washington.edu>",
        "MIME-Version: 1.0",
        "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
        "",
    ]
    .map(|l| format!("{l}\r\n"))
    .concat();
    assert_eq!(header.len(), 342);
    let stream = format!(
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n\
a000 OK Proceed with TLS negotiation\r\n\
+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n\
+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n\
A001 OK SCRAM-SHA-256 authentication successful\r\n\
* ENABLED IMAP4rev2\r\n\
babc OK Some capabilities enabled\r\n\
* 18 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n\
a002 OK [READ-WRITE] SELECT completed\r\n\
* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.ed>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
a003 OK FETCH completed\r\n\
* 12 FETCH (BODY[HEADER] {{342}}\r\n{header})\r\n\
a004 OK FETCH completed\r\n\
* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
a005 OK +FLAGS completed\r\n\
* BYE IMAP4rev2 server terminating connection\r\n\
a006 OK LOGOUT completed\r\n"
    );
    let r = transcript(stream.as_bytes());
    assert_eq!(r.len(), 20);
    let Response::Continuation(c) = &r[2] else {
        panic!()
    };
    assert!(
        c.challenge()
            .unwrap()
            .starts_with(b"r=rOprNGfwEbeRWgbNEkqO")
    );
    let Response::Data(Data::Fetch { items, .. }) = &r[12] else {
        panic!()
    };
    let FetchItem::Envelope(env) = &items[3] else {
        panic!()
    };
    assert_eq!(env.cc().len(), 2);
    assert_eq!(env.cc()[1].name, ns("John Klensin"));
    let Response::Data(Data::Fetch { items, .. }) = &r[14] else {
        panic!()
    };
    assert_eq!(
        items[0],
        FetchItem::BodySection {
            section: Section::parse(b"[HEADER]").unwrap(),
            origin: None,
            data: ns(&header)
        }
    );
}

//! Response parsing and encoding: status lines, codes, listings, bodies, continuations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use pop3_proto::capability::{Capability, Expire};
use pop3_proto::command::{Command, MessageNumber};
use pop3_proto::error::{ResponseError, ValueError};
use pop3_proto::response::{
    Expect, Language, Response, ResponseCode, ScanListing, Status, StatusLine, Text, UidListing,
};

fn parse(expect: Expect, wire: &[u8]) -> Response {
    let (r, n) = Response::parse(expect, wire).unwrap();
    assert_eq!(n, wire.len(), "{}", String::from_utf8_lossy(wire));
    r
}

fn m(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

#[test]
fn rfc1939_stat_and_list() {
    assert_eq!(
        parse(Expect::Stat, b"+OK 2 320\r\n"),
        Response::Stat {
            count: 2,
            size: 320
        }
    );
    assert_eq!(
        parse(Expect::Scan, b"+OK 2 200\r\n"),
        Response::Scan(ScanListing {
            msg: m(2),
            size: 200
        })
    );
    let Response::ScanList { line, listings } = parse(
        Expect::ScanList,
        b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
    ) else {
        panic!()
    };
    assert_eq!(line.text().as_bytes(), b"2 messages (320 octets)");
    assert_eq!(
        listings,
        vec![
            ScanListing {
                msg: m(1),
                size: 120
            },
            ScanListing {
                msg: m(2),
                size: 200
            }
        ]
    );
}

#[test]
fn scan_listing_tolerates_trailing_information() {
    assert_eq!(
        ScanListing::parse(b"1 120 extra info").unwrap(),
        ScanListing {
            msg: m(1),
            size: 120
        }
    );
    assert_eq!(
        parse(Expect::Stat, b"+OK 2 320 octets\r\n"),
        Response::Stat {
            count: 2,
            size: 320
        }
    );
    assert!(ScanListing::parse(b"0 120").is_err());
    assert!(ScanListing::parse(b"1").is_err());
    assert!(Response::parse(Expect::Stat, b"+OK two\r\n").is_err());
}

#[test]
fn rfc1939_uidl() {
    let Response::UniqueIdList { listings, .. } = parse(
        Expect::UniqueIdList,
        b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n",
    ) else {
        panic!()
    };
    assert_eq!(listings[1].uid.as_str(), "QhdPYR:00WBw1Ph7x7");
    assert_eq!(
        parse(Expect::UniqueId, b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n"),
        Response::UniqueId(UidListing {
            msg: m(2),
            uid: "QhdPYR:00WBw1Ph7x7".parse().unwrap()
        })
    );
    assert!(
        UidListing::parse(b"1 a b").is_err(),
        "a space in a unique-id"
    );
    assert!(UidListing::parse(&[b"1 ".as_slice(), &[b'u'; 71]].concat()).is_err());
    assert!(
        UidListing::parse(b"1 abc  ").is_ok(),
        "trailing spaces tolerated"
    );
}

#[test]
fn error_is_single_line_whatever_was_expected() {
    for expect in [
        Expect::ScanList,
        Expect::Message,
        Expect::Capabilities,
        Expect::Stat,
    ] {
        let r = parse(expect, b"-ERR no such message\r\n");
        assert!(matches!(r, Response::Status(l) if l.status() == Status::Err));
    }
}

#[test]
fn response_codes() {
    for (wire, code) in [
        (&b"-ERR [IN-USE] locked"[..], ResponseCode::InUse),
        (b"-ERR [LOGIN-DELAY] wait", ResponseCode::LoginDelay),
        (b"-ERR [SYS/TEMP] later", ResponseCode::SysTemp),
        (b"-ERR [SYS/PERM] never", ResponseCode::SysPerm),
        (b"-ERR [AUTH] bad", ResponseCode::Auth),
        (b"-ERR [UTF8] needs UTF8", ResponseCode::Utf8),
        (b"-ERR [in-use] lower case", ResponseCode::InUse),
        (b"-ERR [X/Y/Z]", ResponseCode::Other("X/Y/Z".into())),
    ] {
        assert_eq!(
            StatusLine::parse(wire).unwrap().code(),
            Some(&code),
            "{wire:?}"
        );
    }
    assert_eq!(ResponseCode::new("A//B"), Err(ValueError::Empty));
    assert_eq!(
        ResponseCode::new("A]B"),
        Err(ValueError::Forbidden { offset: 1 })
    );
    assert_eq!(StatusLine::parse(b"+OK [a b] x").unwrap().code(), None);
    assert_eq!(StatusLine::parse(b"+OK []").unwrap().code(), None);
}

#[test]
fn status_line_forms() {
    let l = StatusLine::parse(b"+OK").unwrap();
    assert!(l.is_ok() && l.text().is_empty());
    let l = StatusLine::parse(b"+ok lower").unwrap();
    assert_eq!(l.text().to_string(), "lower");
    let l = StatusLine::parse(b"-ERR [AUTH]").unwrap();
    assert!(l.text().is_empty());
    assert!(StatusLine::parse(b"-ERRfoo").is_err());
    assert!(StatusLine::parse(b"").is_err());
    assert!(StatusLine::parse(b"+OK a\x00b").is_err());
    let mut out = bytes::BytesMut::new();
    StatusLine::err_with(ResponseCode::SysTemp, "try later").encode(&mut out);
    assert_eq!(&out[..], b"-ERR [SYS/TEMP] try later\r\n");
}

#[test]
fn text_refuses_line_breaks() {
    assert_eq!(
        Text::try_from("a\rb"),
        Err(ValueError::Forbidden { offset: 1 })
    );
    assert_eq!(
        Text::try_from("a\nb"),
        Err(ValueError::Forbidden { offset: 1 })
    );
    assert_eq!(
        Text::try_from("\0"),
        Err(ValueError::Forbidden { offset: 0 })
    );
    // Text that cannot be sent is dropped by the lossy constructors, never sent.
    assert!(StatusLine::ok("a\r\n+OK injected").text().is_empty());
}

#[test]
fn greeting_timestamps() {
    let ts = |wire: &[u8]| match parse(Expect::Greeting, wire) {
        Response::Greeting(g) => g.timestamp.map(|t| t.to_vec()),
        other => panic!("{other:?}"),
    };
    assert_eq!(ts(b"+OK ready\r\n"), None);
    assert_eq!(ts(b"+OK ready <>\r\n"), Some(b"<>".to_vec()));
    assert_eq!(ts(b"+OK <a@b> trailing\r\n"), Some(b"<a@b>".to_vec()));
    assert_eq!(ts(b"+OK <unterminated\r\n"), None);
    assert_eq!(ts(b"+OK <has space>\r\n"), None);
}

#[test]
fn rfc2449_capa_response() {
    let Response::Capabilities { capabilities, .. } = parse(
        Expect::Capabilities,
        b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\n\
          RESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\n\
          IMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n",
    ) else {
        panic!()
    };
    assert_eq!(capabilities.len(), 9);
    assert!(capabilities.contains(&Capability::Expire {
        policy: Expire::Days(60),
        per_user: false
    }));
    assert!(capabilities.contains(&Capability::LoginDelay {
        seconds: 900,
        per_user: false
    }));
}

#[test]
fn stuffed_list_lines_are_unstuffed() {
    let Response::Capabilities { capabilities, .. } =
        parse(Expect::Capabilities, b"+OK\r\n..X-DOT\r\n.\r\n")
    else {
        panic!()
    };
    assert!(matches!(&capabilities[0], Capability::Other { tag, .. } if tag.as_str() == ".X-DOT"));
    let wire = Response::Capabilities {
        line: StatusLine::ok(""),
        capabilities,
    }
    .to_bytes();
    assert_eq!(&wire[..], b"+OK\r\n..X-DOT\r\n.\r\n");
}

#[test]
fn rfc6856_languages() {
    let Response::Languages { languages, .. } = parse(
        Expect::Languages,
        b"+OK Language listing follows:\r\nen English\r\nen-boont English Boontling dialect\r\nde\r\n.\r\n",
    ) else {
        panic!()
    };
    assert_eq!(languages.len(), 3);
    assert_eq!(
        languages[1].description.to_string(),
        "English Boontling dialect"
    );
    assert!(languages[2].description.is_empty());
    assert!(Language::parse(b"").is_err());
}

#[test]
fn message_body_is_unstuffed() {
    let r = parse(
        Expect::Message,
        b"+OK 10 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n",
    );
    assert_eq!(
        r,
        Response::Message {
            line: StatusLine::ok("10 octets"),
            body: bytes::Bytes::from_static(b"Subject: x\r\n\r\n.dot\r\n"),
        }
    );
    assert_eq!(
        parse(Expect::Message, b"+OK\r\n.\r\n"),
        Response::Message {
            line: StatusLine::ok(""),
            body: bytes::Bytes::new(),
        }
    );
}

#[test]
fn only_crlf_dot_crlf_ends_a_body() {
    for vector in [
        &b"\n.\n"[..],
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
    ] {
        let wire = [b"+OK\r\nline".as_slice(), vector, b"more"].concat();
        assert_eq!(
            Response::parse(Expect::Message, &wire).err(),
            Some(ResponseError::Incomplete),
            "{vector:?} ended the body"
        );
    }
}

#[test]
fn incomplete_input() {
    for wire in [
        &b""[..],
        b"+OK",
        b"+OK 1 2\r",
        b"+OK\r\n1 2\r\n",
        b"+OK\r\nbody\r\n.\r",
    ] {
        let expect = if wire.len() > 8 {
            Expect::ScanList
        } else {
            Expect::Stat
        };
        let expect = if wire.ends_with(b".\r") {
            Expect::Message
        } else {
            expect
        };
        assert_eq!(
            Response::parse(expect, wire).err(),
            Some(ResponseError::Incomplete),
            "{wire:?}"
        );
    }
}

#[test]
fn bare_newlines_in_lines_are_errors() {
    assert!(matches!(
        Response::parse(Expect::Status, b"+OK\n"),
        Err(ResponseError::Syntax { .. })
    ));
    assert!(matches!(
        Response::parse(Expect::Status, b"+OK a\rb\r\n"),
        Err(ResponseError::Syntax { .. })
    ));
    assert!(matches!(
        Response::parse(Expect::ScanList, b"+OK\r\n1 2\n.\r\n"),
        Err(ResponseError::Syntax { .. })
    ));
}

#[test]
fn continuations() {
    assert_eq!(
        parse(Expect::Auth, b"+ \r\n"),
        Response::Continuation(vec![])
    );
    assert_eq!(
        parse(Expect::Auth, b"+\r\n"),
        Response::Continuation(vec![])
    );
    assert_eq!(
        parse(Expect::Auth, b"+ aGk=\r\n"),
        Response::Continuation(b"hi".to_vec())
    );
    assert!(matches!(
        parse(Expect::Auth, b"+OK done\r\n"),
        Response::Status(_)
    ));
    assert!(Response::parse(Expect::Auth, b"+ a\r\n").is_err());
    assert_eq!(&Response::Continuation(vec![]).to_bytes()[..], b"+ \r\n");
}

#[test]
fn expectation_follows_the_command() {
    for (line, expect) in [
        ("STAT", Expect::Stat),
        ("LIST", Expect::ScanList),
        ("LIST 1", Expect::Scan),
        ("UIDL", Expect::UniqueIdList),
        ("UIDL 1", Expect::UniqueId),
        ("RETR 1", Expect::Message),
        ("TOP 1 2", Expect::Message),
        ("CAPA", Expect::Capabilities),
        ("LANG", Expect::Languages),
        ("LANG en", Expect::Status),
        ("AUTH PLAIN", Expect::Auth),
        ("DELE 1", Expect::Status),
        ("XTND", Expect::Status),
    ] {
        let command = Command::parse(line.as_bytes()).unwrap();
        assert_eq!(Expect::for_command(&command), expect, "{line}");
    }
    assert!(Expect::Message.is_multi_line() && !Expect::Stat.is_multi_line());
}

#[test]
fn encoders_write_rfc_syntax() {
    assert_eq!(
        &Response::Stat {
            count: 2,
            size: 320
        }
        .to_bytes()[..],
        b"+OK 2 320\r\n"
    );
    assert_eq!(
        &Response::ScanList {
            line: StatusLine::ok("2 messages"),
            listings: vec![ScanListing {
                msg: m(1),
                size: 120
            }],
        }
        .to_bytes()[..],
        b"+OK 2 messages\r\n1 120\r\n.\r\n"
    );
    assert_eq!(
        StatusLine::new(Status::Ok, None, Text::try_from("[AUTH]").unwrap()),
        Err(ValueError::AmbiguousText)
    );
}

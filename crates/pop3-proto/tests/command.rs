//! Command parsing and encoding: every keyword, every argument rule, every tolerance.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mail_core::sasl::Mechanism;
use pop3_proto::command::{
    ApopDigest, Argument, Command, Keyword, MessageNumber, Password, SaslStart, UniqueId,
};
use pop3_proto::error::{CommandError, ValueError};

fn p(s: &str) -> Command {
    Command::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn err(s: &[u8]) -> CommandError {
    Command::parse(s).expect_err(&String::from_utf8_lossy(s))
}

fn m(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

fn wire(c: &Command) -> String {
    String::from_utf8(c.to_bytes().to_vec()).unwrap()
}

#[test]
fn every_keyword_in_any_case() {
    for (line, want) in [
        ("STAT", Command::Stat),
        ("noop", Command::Noop),
        ("Rset", Command::Rset),
        ("quit", Command::Quit),
        ("capa", Command::Capa),
        ("stls", Command::Stls),
        ("utf8", Command::Utf8),
        ("list", Command::List(None)),
        ("uidl", Command::Uidl(None)),
        ("lang", Command::Lang(None)),
        ("auth", Command::Auth(None)),
        ("dele 3", Command::Dele(m(3))),
        (
            "top 3 4",
            Command::Top {
                msg: m(3),
                lines: 4,
            },
        ),
    ] {
        assert_eq!(p(line), want, "{line}");
    }
}

#[test]
fn encoding_is_canonical() {
    assert_eq!(wire(&p("stat")), "STAT\r\n");
    assert_eq!(wire(&p("list  007")), "LIST 7\r\n");
    assert_eq!(wire(&p("top 1 0")), "TOP 1 0\r\n");
    assert_eq!(wire(&p("uidl 12")), "UIDL 12\r\n");
    assert_eq!(wire(&p("user mrose")), "USER mrose\r\n");
    assert_eq!(wire(&p("lang *")), "LANG *\r\n");
}

#[test]
fn user_needs_exactly_one_argument() {
    assert!(matches!(
        err(b"USER"),
        CommandError::Syntax { offset: 4, .. }
    ));
    assert!(matches!(
        err(b"USER a b"),
        CommandError::Syntax { offset: 7, .. }
    ));
}

#[test]
fn user_rejects_controls_and_invalid_utf8() {
    assert!(matches!(
        err(b"USER a\x01b"),
        CommandError::Syntax { offset: 6, .. }
    ));
    assert!(matches!(err(b"USER a\x00"), CommandError::Syntax { .. }));
    assert!(matches!(
        err(b"USER \xff"),
        CommandError::Syntax { offset: 5, .. }
    ));
    assert!(matches!(err(b"USER a\x7f"), CommandError::Syntax { .. }));
}

#[test]
fn user_accepts_utf8_names() {
    assert_eq!(
        p("USER josé"),
        Command::User(Argument::new("josé").unwrap())
    );
}

#[test]
fn pass_takes_the_rest_of_the_line() {
    let Command::Pass(pw) = p("PASS a b  c") else {
        panic!()
    };
    assert_eq!(pw.expose(), "a b  c");
    let Command::Pass(pw) = p("pass    ") else {
        panic!()
    };
    assert_eq!(pw.expose(), "   ");
}

#[test]
fn pass_needs_a_password() {
    assert!(err(b"PASS").to_string().contains("password"));
    assert!(matches!(
        err(b"PASS "),
        CommandError::Syntax { offset: 4, .. }
    ));
    assert!(matches!(
        err(b"PASS a\x00b"),
        CommandError::Syntax { offset: 6, .. }
    ));
}

#[test]
fn password_debug_is_redacted() {
    let Command::Pass(pw) = p("PASS hunter2") else {
        panic!()
    };
    assert!(!format!("{pw:?}").contains("hunter2"));
    assert!(!format!("{:?}", Command::Pass(pw)).contains("hunter2"));
}

#[test]
fn password_construction_limits() {
    assert_eq!(Password::new(""), Err(ValueError::Empty));
    assert_eq!(
        Password::new("a\r\nQUIT"),
        Err(ValueError::Forbidden { offset: 1 })
    );
    assert!(Password::new("x".repeat(250)).is_ok());
    assert_eq!(Password::new("x".repeat(251)), Err(ValueError::TooLong));
}

#[test]
fn apop_digest_is_32_hex_digits() {
    assert!(
        err(b"APOP mrose c4c9334bac560ecc979e58001b3e22f")
            .to_string()
            .contains("hex")
    );
    assert!(
        err(b"APOP mrose c4c9334bac560ecc979e58001b3e22fbb")
            .to_string()
            .contains("hex")
    );
    assert!(
        err(b"APOP mrose g4c9334bac560ecc979e58001b3e22fb")
            .to_string()
            .contains("hex")
    );
    assert!(matches!(err(b"APOP mrose"), CommandError::Syntax { .. }));
    assert!(matches!(
        err(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb x"),
        CommandError::Syntax { .. }
    ));
}

#[test]
fn apop_digest_encodes_lower_case() {
    let c = p("APOP mrose C4C9334BAC560ECC979E58001B3E22FB");
    assert_eq!(wire(&c), "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
}

#[test]
fn apop_verify_is_exact() {
    let ts = b"<1896.697170952@dbc.mtview.ca.us>";
    let d: ApopDigest = "c4c9334bac560ecc979e58001b3e22fb".parse().unwrap();
    assert!(d.verify(ts, b"tanstaaf"));
    assert!(!d.verify(ts, b"tanstaa"));
    assert!(!d.verify(b"<1896.697170953@dbc.mtview.ca.us>", b"tanstaaf"));
    assert_eq!(ApopDigest::from_bytes(*d.as_bytes()), d);
    assert!("xyz".parse::<ApopDigest>().is_err());
}

#[test]
fn message_numbers() {
    assert_eq!(p("RETR 0001"), Command::Retr(m(1)));
    assert_eq!(p("RETR 4294967295"), Command::Retr(m(u32::MAX)));
    for bad in [
        &b"RETR 0"[..],
        b"RETR 4294967296",
        b"RETR +1",
        b"RETR 1a",
        b"RETR",
        b"DELE",
    ] {
        assert!(Command::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(MessageNumber::new(0), None);
    assert_eq!(m(3).index(), 2);
    assert_eq!(MessageNumber::from_index(2), Some(m(3)));
    assert_eq!("0".parse::<MessageNumber>(), Err(ValueError::OutOfRange));
}

#[test]
fn top_needs_a_message_and_a_line_count() {
    assert_eq!(
        p("TOP 1 0"),
        Command::Top {
            msg: m(1),
            lines: 0
        }
    );
    assert!(Command::parse(b"TOP 1").is_err());
    assert!(Command::parse(b"TOP 1 -1").is_err());
    assert!(Command::parse(b"TOP 0 1").is_err());
    assert!(Command::parse(b"TOP 1 1 1").is_err());
    assert!(Command::parse(b"TOP 1 4294967296").is_err());
}

#[test]
fn list_and_uidl_take_an_optional_message() {
    assert_eq!(p("LIST"), Command::List(None));
    assert_eq!(p("LIST 2"), Command::List(Some(m(2))));
    assert_eq!(p("UIDL 2"), Command::Uidl(Some(m(2))));
    assert!(Command::parse(b"LIST 1 2").is_err());
    assert!(Command::parse(b"UIDL x").is_err());
}

#[test]
fn commands_without_arguments_refuse_them() {
    for line in [
        "STAT 1", "NOOP x", "RSET 1", "QUIT now", "CAPA x", "STLS x", "UTF8 x",
    ] {
        assert!(Command::parse(line.as_bytes()).is_err(), "{line}");
    }
}

#[test]
fn tolerated_spaces() {
    assert_eq!(p("STAT "), Command::Stat);
    assert_eq!(p("RETR   1  "), Command::Retr(m(1)));
    assert_eq!(
        p("TOP 1    2"),
        Command::Top {
            msg: m(1),
            lines: 2
        }
    );
}

#[test]
fn auth_with_initial_response() {
    assert_eq!(
        p("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="),
        Command::Auth(Some(SaslStart {
            mechanism: Mechanism::Plain,
            initial_response: Some(b"test\0test\0test".to_vec().into()),
        }))
    );
    assert_eq!(
        p("auth plain ="),
        Command::Auth(Some(SaslStart {
            mechanism: Mechanism::Plain,
            initial_response: Some(Vec::new().into()),
        }))
    );
    assert_eq!(wire(&p("auth plain =")), "AUTH PLAIN =\r\n");
}

#[test]
fn auth_rejects_bad_initial_responses_and_names() {
    assert!(Command::parse(b"AUTH PLAIN *").is_err());
    assert!(Command::parse(b"AUTH PLAIN =AAA").is_err());
    assert!(Command::parse(b"AUTH PLAIN AAA=BBB").is_err());
    assert!(Command::parse(b"AUTH PLAIN dGVzdA== x").is_err());
    assert!(
        Command::parse(b"AUTH ABCDEFGHIJKLMNOPQRSTU").is_err(),
        "21 characters"
    );
    assert!(Command::parse(b"AUTH PL@IN").is_err());
}

#[test]
fn auth_keeps_unknown_mechanisms() {
    let Command::Auth(Some(start)) = p("AUTH GSSAPI") else {
        panic!()
    };
    assert_eq!(start.mechanism.as_str(), "GSSAPI");
    assert_eq!(start.initial_response, None);
}

#[test]
fn lang_arguments() {
    assert_eq!(
        p("LANG *"),
        Command::Lang(Some(Argument::new("*").unwrap()))
    );
    assert_eq!(
        p("LANG en-boont"),
        Command::Lang(Some(Argument::new("en-boont").unwrap()))
    );
    assert!(Command::parse(b"LANG en de").is_err());
}

#[test]
fn unknown_commands_are_kept() {
    let c = p("XTND XMIT now");
    assert_eq!(
        c,
        Command::Unknown {
            keyword: Keyword::new("XTND").unwrap(),
            arguments: vec![
                Argument::new("XMIT").unwrap(),
                Argument::new("now").unwrap()
            ],
        }
    );
    assert_eq!(c.keyword(), "XTND");
    assert_eq!(wire(&c), "XTND XMIT now\r\n");
    assert_eq!(p("SUPERLONGVERB").keyword(), "SUPERLONGVERB");
}

#[test]
fn unknown_keyword_limits() {
    assert!(Command::parse(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ").is_err());
    assert_eq!(
        Keyword::new("STAT"),
        Err(ValueError::Forbidden { offset: 0 })
    );
    assert_eq!(
        Keyword::new("top"),
        Err(ValueError::Forbidden { offset: 0 })
    );
    assert_eq!(Keyword::new(""), Err(ValueError::Empty));
    assert!(Keyword::new("X Y").is_err());
}

#[test]
fn empty_and_malformed_lines() {
    assert!(matches!(err(b""), CommandError::Syntax { offset: 0, .. }));
    assert!(matches!(
        err(b" STAT"),
        CommandError::Syntax { offset: 0, .. }
    ));
    assert!(matches!(
        err(b"ST\x00T"),
        CommandError::Syntax { offset: 2, .. }
    ));
    assert!(matches!(err(b"\xffSTAT"), CommandError::Syntax { .. }));
}

#[test]
fn argument_and_unique_id_construction() {
    assert_eq!(
        Argument::new("a b"),
        Err(ValueError::Forbidden { offset: 1 })
    );
    assert_eq!(Argument::new(""), Err(ValueError::Empty));
    assert_eq!(Argument::new("x".repeat(256)), Err(ValueError::TooLong));
    assert_eq!(
        "a\tb".parse::<UniqueId>(),
        Err(ValueError::Forbidden { offset: 1 })
    );
    let u: UniqueId = "QhdPYR:00WBw1Ph7x7".parse().unwrap();
    assert_eq!(u.as_str(), "QhdPYR:00WBw1Ph7x7");
    assert_eq!(u.to_string(), "QhdPYR:00WBw1Ph7x7");
    assert_eq!(
        "é".parse::<UniqueId>(),
        Err(ValueError::Forbidden { offset: 0 })
    );
}

#[test]
fn error_messages_are_lowercase_and_say_where() {
    let e = err(b"RETR x");
    assert_eq!(
        e,
        CommandError::Syntax {
            offset: 5,
            expected: "nz-number"
        }
    );
    assert_eq!(
        e.to_string(),
        "nz-number expected at byte 5 of the command line"
    );
}

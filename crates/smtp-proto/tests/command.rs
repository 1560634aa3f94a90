//! Command parsing and encoding: every verb, every parameter, the tolerances, the errors,
//! and `parse(encode(x)) == x` for arbitrary commands.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mail_core::Secret;
use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::message::EsmtpParameter;
use mail_core::sasl::Mechanism;
use proptest::prelude::*;
use smtp_proto::command::{
    Argument, Body, Command, DeliverBy, HeloDomain, MailParameters, Notify, OriginalRecipient,
    RcptParameters, Ret, bdat_size,
};
use smtp_proto::error::CommandError;

fn parse(s: &str) -> Command {
    Command::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn wire(c: &Command) -> String {
    String::from_utf8(c.to_bytes().to_vec()).unwrap()
}

#[test]
fn verbs_are_case_insensitive() {
    assert_eq!(parse("quit"), Command::Quit);
    assert_eq!(parse("QuIt"), Command::Quit);
    assert_eq!(parse("rset"), Command::Rset);
    assert_eq!(parse("data"), Command::Data);
    assert_eq!(parse("starttls"), Command::StartTls);
    assert!(matches!(
        parse("mail from:<a@b.example>"),
        Command::Mail { .. }
    ));
    assert!(matches!(
        parse("rcpt to:<a@b.example>"),
        Command::Rcpt { .. }
    ));
}

#[test]
fn helo_ehlo_lhlo() {
    let Command::Ehlo(HeloDomain::Host(h)) = parse("EHLO bar.com") else {
        panic!()
    };
    assert_eq!(h.to_string(), "bar.com");
    assert!(matches!(
        parse("EHLO [192.0.2.1]"),
        Command::Ehlo(HeloDomain::Host(_))
    ));
    assert!(matches!(
        parse("EHLO [IPv6:2001:db8::1]"),
        Command::Ehlo(HeloDomain::Host(_))
    ));
    assert!(matches!(parse("HELO relay.example"), Command::Helo(_)));
    assert!(matches!(parse("LHLO foo.edu"), Command::Lhlo(_)));
    // Tolerance: names that are no domains, and trailing spaces.
    assert_eq!(
        parse("HELO my_laptop"),
        Command::Helo(HeloDomain::Other("my_laptop".into()))
    );
    // A bare IPv4 address is a valid LDH domain by the grammar, and trailing spaces go.
    assert!(matches!(
        parse("EHLO 192.0.2.1  "),
        Command::Ehlo(HeloDomain::Host(_))
    ));
    assert_eq!(
        parse("EHLO under_score.example "),
        Command::Ehlo(HeloDomain::Other("under_score.example".into()))
    );
    assert!(Command::parse(b"EHLO").is_err());
    assert!(Command::parse(b"EHLO ").is_err());
    assert!(Command::parse(b"EHLO a b").is_err());
    assert!(Command::parse(b"EHLO a\x01").is_err());
}

#[test]
fn mail_from_with_every_parameter() {
    let c = parse(
        "MAIL FROM:<Smith@bar.com> SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 \
         AUTH=e+3Dmc2@example.com REQUIRETLS MT-PRIORITY=-3 BY=120;RT HOLDFOR=60 X-FOO=bar",
    );
    let Command::Mail {
        reverse_path,
        parameters,
    } = c.clone()
    else {
        panic!()
    };
    assert_eq!(reverse_path.to_string(), "<Smith@bar.com>");
    assert_eq!(parameters.size, Some(1000));
    assert_eq!(parameters.body, Some(Body::EightBitMime));
    assert!(parameters.smtputf8);
    assert_eq!(parameters.extras().ret, Some(Ret::Headers));
    assert_eq!(parameters.extras().envid.as_deref(), Some("QQ314159"));
    assert_eq!(
        parameters.extras().auth.as_deref(),
        Some("e=mc2@example.com")
    );
    assert!(parameters.requiretls);
    assert_eq!(parameters.extras().mt_priority, Some(-3));
    assert_eq!(
        parameters.extras().by,
        Some(DeliverBy {
            time: 120,
            return_on_expiry: true,
            trace: true
        })
    );
    assert_eq!(parameters.extras().hold_for, Some(60));
    assert_eq!(
        parameters.extras().other,
        vec![EsmtpParameter::new("X-FOO", Some("bar")).unwrap()]
    );
    assert_eq!(
        Command::parse(&c.to_bytes()[..c.to_bytes().len() - 2]).unwrap(),
        c
    );
}

#[test]
fn mail_from_null_path_and_holduntil() {
    let Command::Mail {
        reverse_path,
        parameters,
    } = parse("MAIL FROM:<> HOLDUNTIL=2026-12-01T10:00:00Z")
    else {
        panic!()
    };
    assert!(reverse_path.is_null());
    assert_eq!(
        parameters.extras().hold_until.as_deref(),
        Some("2026-12-01T10:00:00Z")
    );
    assert!(Command::parse(b"MAIL FROM:<> HOLDFOR=1 HOLDUNTIL=2026-12-01T10:00:00Z").is_err());
}

#[test]
fn rcpt_to_with_dsn_and_rrvs() {
    let Command::Rcpt {
        forward_path,
        parameters,
    } = parse(
        "RCPT TO:<Jones@foo.com> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Jones+40foo.com RRVS=2014-04-03T23:01:00Z;C",
    )
    else {
        panic!()
    };
    assert_eq!(forward_path.to_string(), "<Jones@foo.com>");
    assert_eq!(
        parameters.notify,
        Some(Notify {
            success: true,
            failure: false,
            delay: true
        })
    );
    assert_eq!(
        parameters.extras().orcpt.as_ref(),
        Some(&OriginalRecipient {
            addr_type: "rfc822".into(),
            address: "Jones@foo.com".into()
        })
    );
    assert_eq!(
        parameters.extras().rrvs.as_deref(),
        Some("2014-04-03T23:01:00Z;C")
    );
    let never = parse("RCPT TO:<a@b.example> NOTIFY=never");
    assert!(matches!(
        never,
        Command::Rcpt {
            parameters: RcptParameters {
                notify: Some(Notify::NEVER),
                ..
            },
            ..
        }
    ));
}

#[test]
fn rcpt_to_postmaster() {
    let Command::Rcpt { forward_path, .. } = parse("RCPT TO:<Postmaster>") else {
        panic!()
    };
    assert_eq!(forward_path, ForwardPath::Postmaster);
    let Command::Rcpt { forward_path, .. } = parse("RCPT TO:<postmaster>") else {
        panic!()
    };
    assert_eq!(forward_path, ForwardPath::Postmaster);
}

#[test]
fn tolerates_a_space_after_the_colon_and_extra_spaces() {
    assert_eq!(
        parse("MAIL FROM: <a@b.example>"),
        parse("MAIL FROM:<a@b.example>")
    );
    assert_eq!(
        parse("RCPT TO: <a@b.example>  NOTIFY=NEVER "),
        parse("RCPT TO:<a@b.example> NOTIFY=NEVER")
    );
    assert_eq!(parse("QUIT "), Command::Quit);
}

#[test]
fn parameter_errors_name_the_keyword() {
    let cases: &[(&str, CommandError)] = &[
        (
            "MAIL FROM:<> SIZE=x",
            CommandError::Parameter {
                keyword: "SIZE",
                reason: "a number expected",
            },
        ),
        (
            "MAIL FROM:<> SIZE=123456789012345678901",
            CommandError::Parameter {
                keyword: "SIZE",
                reason: "a number expected",
            },
        ),
        (
            "MAIL FROM:<> BODY=8BIT",
            CommandError::Parameter {
                keyword: "BODY",
                reason: "7BIT, 8BITMIME or BINARYMIME expected",
            },
        ),
        (
            "MAIL FROM:<> SMTPUTF8=yes",
            CommandError::Parameter {
                keyword: "SMTPUTF8",
                reason: "takes no value",
            },
        ),
        (
            "MAIL FROM:<> RET=ALL",
            CommandError::Parameter {
                keyword: "RET",
                reason: "FULL or HDRS expected",
            },
        ),
        (
            "MAIL FROM:<> ENVID=a+ZZ",
            CommandError::Parameter {
                keyword: "ENVID",
                reason: "invalid xtext",
            },
        ),
        (
            "MAIL FROM:<> MT-PRIORITY=10",
            CommandError::Parameter {
                keyword: "MT-PRIORITY",
                reason: "-9 to 9 expected",
            },
        ),
        (
            "MAIL FROM:<> BY=10;X",
            CommandError::Parameter {
                keyword: "BY",
                reason: "by-time;by-mode expected",
            },
        ),
        (
            "MAIL FROM:<> SIZE=1 size=2",
            CommandError::DuplicateParameter { keyword: "SIZE" },
        ),
        (
            "RCPT TO:<a@b.c> NOTIFY=NEVER,DELAY",
            CommandError::Parameter {
                keyword: "NOTIFY",
                reason: "NEVER or SUCCESS,FAILURE,DELAY expected",
            },
        ),
        (
            "RCPT TO:<a@b.c> ORCPT=rfc822",
            CommandError::Parameter {
                keyword: "ORCPT",
                reason: "addr-type;xtext expected",
            },
        ),
    ];
    for (line, want) in cases {
        assert_eq!(
            Command::parse(line.as_bytes()).unwrap_err(),
            *want,
            "{line}"
        );
    }
}

#[test]
fn syntax_errors_point_at_the_offending_byte() {
    let e = Command::parse(b"MAIL FROM:<a@b.example").unwrap_err();
    assert!(
        matches!(e, CommandError::Syntax { offset: 22, .. }),
        "{e:?}"
    );
    let e = Command::parse(b"MAIL TO:<a@b.example>").unwrap_err();
    assert!(matches!(e, CommandError::Syntax { offset: 5, .. }), "{e:?}");
    let e = Command::parse(b"MAIL FROM:<a@b.example>X").unwrap_err();
    assert!(
        matches!(e, CommandError::Syntax { offset: 23, .. }),
        "{e:?}"
    );
    let e = Command::parse(b"RCPT TO:<a@b.example> =x").unwrap_err();
    assert!(
        matches!(e, CommandError::Syntax { offset: 22, .. }),
        "{e:?}"
    );
    assert!(matches!(
        Command::parse(b"MAIL"),
        Err(CommandError::Syntax { offset: 4, .. })
    ));
    assert!(matches!(
        Command::parse(b"DATA x"),
        Err(CommandError::Syntax { offset: 4, .. })
    ));
    assert!(matches!(
        Command::parse(b""),
        Err(CommandError::Syntax { offset: 0, .. })
    ));
}

#[test]
fn a_path_over_256_octets_is_refused() {
    let local = "a".repeat(64);
    let domain = format!(
        "{}.{}.{}.{}",
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(63),
        "e".repeat(60)
    );
    let path = format!("<{local}@{domain}>");
    assert!(path.len() > 256);
    assert!(Command::parse(format!("RCPT TO:{path}").as_bytes()).is_err());
}

#[test]
fn bdat_forms() {
    assert_eq!(
        parse("BDAT 86 LAST"),
        Command::Bdat {
            size: 86,
            last: true
        }
    );
    assert_eq!(
        parse("BDAT 0 last"),
        Command::Bdat {
            size: 0,
            last: true
        }
    );
    assert_eq!(
        parse("BDAT 100000"),
        Command::Bdat {
            size: 100_000,
            last: false
        }
    );
    assert_eq!(
        parse("BDAT 18446744073709551615"),
        Command::Bdat {
            size: u64::MAX,
            last: false
        }
    );
    for bad in [
        "BDAT 18446744073709551616",
        "BDAT -1",
        "BDAT 5 LAST junk",
        "BDAT",
        "BDAT x",
        "BDAT 5 FIRST",
        "BDAT 5  LAST",
    ] {
        assert!(Command::parse(bad.as_bytes()).is_err(), "{bad}");
    }
    assert_eq!(bdat_size(b"5 LAST junk"), Some(5));
    assert_eq!(bdat_size(b"18446744073709551616"), None);
    assert_eq!(bdat_size(b"-1"), None);
}

#[test]
fn auth_with_and_without_initial_response() {
    assert_eq!(
        parse("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ="),
        Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: Some(Secret::new(b"test\0test\x001234".to_vec()))
        }
    );
    assert_eq!(
        parse("AUTH login"),
        Command::Auth {
            mechanism: Mechanism::Login,
            initial_response: None
        }
    );
    assert_eq!(
        parse("AUTH EXTERNAL ="),
        Command::Auth {
            mechanism: Mechanism::External,
            initial_response: Some(Secret::new(Vec::new()))
        }
    );
    assert!(matches!(
        parse("AUTH X-UNKNOWN"),
        Command::Auth {
            mechanism: Mechanism::Other(_),
            ..
        }
    ));
    for bad in [
        "AUTH",
        "AUTH PLAIN =AAA",
        "AUTH PLAIN AAA=BBB",
        "AUTH PLAIN *",
        "AUTH PLAIN !!!!",
        "AUTH TOO-LONG-MECHANISM-NAME-X",
    ] {
        assert!(Command::parse(bad.as_bytes()).is_err(), "{bad}");
    }
    // The password never shows in Debug output.
    let shown = format!("{:?}", parse("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ="));
    assert!(!shown.contains("1234"), "{shown}");
}

#[test]
fn free_text_commands() {
    assert_eq!(
        parse("VRFY Crispin"),
        Command::Vrfy(Argument::try_from("Crispin").unwrap())
    );
    assert_eq!(
        parse("EXPN Example-People"),
        Command::Expn(Argument::try_from("Example-People").unwrap())
    );
    assert_eq!(parse("HELP"), Command::Help(None));
    assert_eq!(
        parse("HELP MAIL"),
        Command::Help(Some(Argument::try_from("MAIL").unwrap()))
    );
    assert_eq!(parse("NOOP"), Command::Noop(None));
    assert_eq!(
        parse("NOOP anything at all"),
        Command::Noop(Some(Argument::try_from("anything at all").unwrap()))
    );
    assert_eq!(
        parse("ETRN @example.com"),
        Command::Etrn(Argument::try_from("@example.com").unwrap())
    );
    assert!(Command::parse(b"VRFY").is_err());
    assert!(Command::parse(b"VRFY ").is_err());
    assert!(Command::parse(b"VRFY a\x00b").is_err());
}

#[test]
fn unknown_verbs_are_kept() {
    assert_eq!(
        parse("XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2"),
        Command::Unknown {
            verb: "XCLIENT".into(),
            arguments: Some(
                Argument::try_from("NAME=spike.porcupine.org ADDR=168.100.189.2").unwrap()
            )
        }
    );
    assert_eq!(
        parse("TURN"),
        Command::Unknown {
            verb: "TURN".into(),
            arguments: None
        }
    );
    assert!(Command::parse(b"BAD\x1bVERB").is_err());
}

#[test]
fn encodes_the_canonical_form() {
    assert_eq!(
        wire(&parse("mail from: <a@b.example>  size=10")),
        "MAIL FROM:<a@b.example> SIZE=10\r\n"
    );
    assert_eq!(
        wire(&parse("rcpt to:<postmaster>")),
        "RCPT TO:<Postmaster>\r\n"
    );
    assert_eq!(wire(&parse("bdat 5 last")), "BDAT 5 LAST\r\n");
    assert_eq!(wire(&parse("auth external =")), "AUTH EXTERNAL =\r\n");
    assert_eq!(wire(&parse("ehlo bar.com")), "EHLO bar.com\r\n");
    assert_eq!(
        wire(&parse("MAIL FROM:<a@b.example> ENVID=a+2Bb AUTH=<>")),
        "MAIL FROM:<a@b.example> ENVID=a+2Bb AUTH=<>\r\n"
    );
}

#[test]
fn cr_or_lf_cannot_get_into_an_encoded_argument() {
    for bad in ["a\r\nRSET", "a\rb", "a\nb", "a\0b"] {
        assert!(Argument::try_from(bad).is_err(), "{bad:?}");
        assert!(HeloDomain::parse(bad.as_bytes()).is_err(), "{bad:?}");
        assert!(EsmtpParameter::new("X", Some(bad)).is_err(), "{bad:?}");
        assert!(
            format!("<{bad}@x.example>").parse::<ReversePath>().is_err(),
            "{bad:?}"
        );
    }
    // xtext-encoded values carry any character safely.
    let mut p = MailParameters::default();
    p.extras_mut().envid = Some("a b=c+d".into());
    let mut out = bytes::BytesMut::new();
    p.encode(&mut out);
    assert_eq!(&out[..], b" ENVID=a+20b+3Dc+2Bd");
}

fn domain() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z][a-z0-9]{0,6}", 1..4).prop_map(|l| l.join("."))
}

fn mailbox() -> impl Strategy<Value = String> {
    ("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}", domain()).prop_map(|(l, d)| format!("{l}@{d}"))
}

fn argument() -> impl Strategy<Value = Argument> {
    "[!-~][ -~]{0,20}[!-~]".prop_map(|s| Argument::try_from(s.as_str()).unwrap())
}

fn xtext_value() -> impl Strategy<Value = String> {
    "[ -~]{1,20}"
}

fn mail_parameters() -> impl Strategy<Value = MailParameters> {
    (
        proptest::option::of(any::<u64>()),
        proptest::option::of(prop_oneof![
            Just(Body::SevenBit),
            Just(Body::EightBitMime),
            Just(Body::BinaryMime)
        ]),
        any::<bool>(),
        proptest::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        proptest::option::of(xtext_value()),
        proptest::option::of(prop_oneof![mailbox(), Just("<>".to_string())]),
        any::<bool>(),
        proptest::option::of(-9i8..=9),
        proptest::option::of((-99_999_999i32..=999_999_999, any::<bool>(), any::<bool>())),
        proptest::option::of(0u64..=9_999_999_999),
    )
        .prop_map(
            |(size, body, smtputf8, ret, envid, auth, requiretls, mt_priority, by, hold_for)| {
                let mut p = MailParameters::default();
                p.size = size;
                p.body = body;
                p.smtputf8 = smtputf8;
                p.extras_mut().ret = ret;
                p.extras_mut().envid = envid;
                p.extras_mut().auth = auth;
                p.requiretls = requiretls;
                p.extras_mut().mt_priority = mt_priority;
                p.extras_mut().by = by.map(|(time, return_on_expiry, trace)| DeliverBy {
                    time,
                    return_on_expiry,
                    trace,
                });
                p.extras_mut().hold_for = hold_for;
                p
            },
        )
}

fn rcpt_parameters() -> impl Strategy<Value = RcptParameters> {
    (
        proptest::option::of((any::<bool>(), any::<bool>(), any::<bool>())),
        proptest::option::of(mailbox()),
        proptest::option::of(Just("2014-04-03T23:01:00Z".to_string())),
    )
        .prop_map(|(notify, orcpt, rrvs)| {
            let mut p = RcptParameters::default();
            p.notify = notify.map(|(success, failure, delay)| Notify {
                success,
                failure,
                delay,
            });
            let extras = p.extras_mut();
            extras.orcpt = orcpt.map(|address| OriginalRecipient {
                addr_type: "rfc822".into(),
                address,
            });
            extras.rrvs = rrvs;
            extras.other = vec![EsmtpParameter::new("X-TEST", Some("1")).unwrap()];
            p
        })
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        domain().prop_map(|d| Command::Ehlo(HeloDomain::parse(d.as_bytes()).unwrap())),
        domain().prop_map(|d| Command::Helo(HeloDomain::parse(d.as_bytes()).unwrap())),
        domain().prop_map(|d| Command::Lhlo(HeloDomain::parse(d.as_bytes()).unwrap())),
        (proptest::option::of(mailbox()), mail_parameters()).prop_map(|(m, parameters)| {
            Command::Mail {
                reverse_path: format!("<{}>", m.unwrap_or_default()).parse().unwrap(),
                parameters,
            }
        }),
        (mailbox(), rcpt_parameters()).prop_map(|(m, parameters)| Command::Rcpt {
            forward_path: format!("<{m}>").parse().unwrap(),
            parameters,
        }),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        Just(Command::Quit),
        Just(Command::StartTls),
        argument().prop_map(Command::Vrfy),
        argument().prop_map(Command::Expn),
        argument().prop_map(Command::Etrn),
        proptest::option::of(argument()).prop_map(Command::Help),
        proptest::option::of(argument()).prop_map(Command::Noop),
        (
            prop_oneof![
                Just(Mechanism::Plain),
                Just(Mechanism::Login),
                Just(Mechanism::ScramSha256),
                Just(Mechanism::External)
            ],
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        )
            .prop_map(|(mechanism, ir)| Command::Auth {
                mechanism,
                initial_response: ir.map(Secret::new)
            }),
        ("X[A-Z]{1,8}", proptest::option::of(argument()))
            .prop_map(|(verb, arguments)| Command::Unknown { verb, arguments }),
    ]
}

proptest! {
    #[test]
    fn parse_of_encode_is_identity(cmd in command()) {
        let wire = cmd.to_bytes();
        prop_assert!(wire.ends_with(b"\r\n"));
        let line = &wire[..wire.len() - 2];
        prop_assert!(!line.contains(&b'\n') && !line.contains(&b'\r'));
        prop_assert_eq!(Command::parse(line).unwrap(), cmd);
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(line in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Command::parse(&line);
    }

    #[test]
    fn parsing_arbitrary_command_like_lines_never_panics(
        verb in prop_oneof![Just("MAIL FROM:"), Just("RCPT TO:"), Just("BDAT "), Just("AUTH "), Just("EHLO ")],
        rest in "[ -~]{0,80}",
    ) {
        let _ = Command::parse(format!("{verb}{rest}").as_bytes());
    }
}

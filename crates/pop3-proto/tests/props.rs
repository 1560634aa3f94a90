//! Property tests: every wire type survives `parse(encode(x))`, and no input panics a parser
//! or a state machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bytes::Bytes;
use mail_core::Secret;
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Answer;
use pop3_proto::capability::{Capability, Expire};
use pop3_proto::client;
use pop3_proto::command::{
    ApopDigest, Argument, Command, Keyword, MessageNumber, Password, SaslStart, UniqueId,
};
use pop3_proto::prelude::*;
use pop3_proto::response::{
    Expect, Greeting, Language, Response, ResponseCode, ScanListing, Status, StatusLine, Text,
    UidListing,
};
use pop3_proto::server::{self, Maildrop, MaildropEntry, Refusal};
use proptest::prelude::*;

fn argument() -> impl Strategy<Value = Argument> {
    prop_oneof!["[!-~]{1,20}", "[a-zé€]{1,8}"].prop_map(|s| Argument::new(s).unwrap())
}

fn msg() -> impl Strategy<Value = MessageNumber> {
    (1u32..).prop_map(|n| MessageNumber::new(n).unwrap())
}

fn mechanism() -> impl Strategy<Value = Mechanism> {
    prop_oneof![
        proptest::sample::select(Mechanism::IMPLEMENTED.to_vec()),
        "[A-Z][A-Z0-9_-]{0,19}".prop_map(|s| s.parse::<Mechanism>().unwrap()),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        argument().prop_map(Command::User),
        "[ -~]{1,60}".prop_map(|p| Command::Pass(Password::new(p).unwrap())),
        (argument(), any::<[u8; 16]>()).prop_map(|(name, d)| Command::Apop {
            name,
            digest: ApopDigest::from_bytes(d)
        }),
        Just(Command::Stat),
        proptest::option::of(msg()).prop_map(Command::List),
        msg().prop_map(Command::Retr),
        msg().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        Just(Command::Quit),
        (msg(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        proptest::option::of(msg()).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        proptest::option::of((
            mechanism(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40))
        ))
        .prop_map(|a| Command::Auth(a.map(|(mechanism, ir)| SaslStart {
            mechanism,
            initial_response: ir.map(Secret::new),
        }))),
        Just(Command::Utf8),
        proptest::option::of(argument()).prop_map(Command::Lang),
        ("[A-Z]{5,8}", proptest::collection::vec(argument(), 0..4)).prop_map(|(k, arguments)| {
            Command::Unknown {
                keyword: Keyword::new(k).unwrap(),
                arguments,
            }
        }),
    ]
}

fn text() -> impl Strategy<Value = Text> {
    "[ -~\u{80}-\u{10ff}]{0,40}".prop_map(|t| Text::try_from(t.as_str()).unwrap())
}

fn code() -> impl Strategy<Value = ResponseCode> {
    prop_oneof![
        Just(ResponseCode::InUse),
        Just(ResponseCode::LoginDelay),
        Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm),
        Just(ResponseCode::Auth),
        Just(ResponseCode::Utf8),
        "X-[A-Z]{1,6}(/[A-Z0-9]{1,6}){0,2}".prop_map(|c| ResponseCode::new(&c).unwrap()),
    ]
}

fn status_line(status: Option<Status>) -> impl Strategy<Value = StatusLine> {
    let status = match status {
        Some(s) => Just(s).boxed(),
        None => prop_oneof![Just(Status::Ok), Just(Status::Err)].boxed(),
    };
    (status, proptest::option::of(code()), text())
        .prop_filter_map("ambiguous", |(s, c, t)| StatusLine::new(s, c, t).ok())
}

fn uid() -> impl Strategy<Value = UniqueId> {
    "[!-~]{1,70}".prop_map(|u| u.parse().unwrap())
}

fn capability() -> impl Strategy<Value = Capability> {
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        proptest::collection::vec(mechanism(), 0..4).prop_map(Capability::Sasl),
        Just(Capability::RespCodes),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        (
            prop_oneof![Just(Expire::Never), any::<u32>().prop_map(Expire::Days)],
            any::<bool>()
        )
            .prop_map(|(policy, per_user)| Capability::Expire { policy, per_user }),
        Just(Capability::Uidl),
        "[ -~]{0,30}".prop_map(|t| Capability::Implementation(Text::try_from(t.as_str()).unwrap())),
        Just(Capability::Stls),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        Just(Capability::Lang),
        Just(Capability::AuthRespCode),
        ("X-[A-Z.]{1,8}", proptest::collection::vec(argument(), 0..3)).prop_map(|(t, params)| {
            Capability::Other {
                tag: Argument::new(t).unwrap(),
                params,
            }
        }),
    ]
}

fn response() -> impl Strategy<Value = (Expect, Response)> {
    let ok = || status_line(Some(Status::Ok));
    prop_oneof![
        status_line(None).prop_map(|l| (Expect::Status, Response::Status(l))),
        status_line(Some(Status::Err)).prop_map(|l| (Expect::Message, Response::Status(l))),
        ok().prop_map(|l| (Expect::Greeting, Response::Greeting(Greeting::new(l)))),
        (any::<u32>(), any::<u64>())
            .prop_map(|(count, size)| (Expect::Stat, Response::Stat { count, size })),
        (msg(), any::<u64>())
            .prop_map(|(msg, size)| (Expect::Scan, Response::Scan(ScanListing { msg, size }))),
        (msg(), uid()).prop_map(|(msg, uid)| (
            Expect::UniqueId,
            Response::UniqueId(UidListing { msg, uid })
        )),
        (
            ok(),
            proptest::collection::vec((msg(), any::<u64>()), 0..10)
        )
            .prop_map(|(line, l)| (
                Expect::ScanList,
                Response::ScanList {
                    line,
                    listings: l
                        .into_iter()
                        .map(|(msg, size)| ScanListing { msg, size })
                        .collect()
                }
            )),
        (ok(), proptest::collection::vec((msg(), uid()), 0..10)).prop_map(|(line, l)| (
            Expect::UniqueIdList,
            Response::UniqueIdList {
                line,
                listings: l
                    .into_iter()
                    .map(|(msg, uid)| UidListing { msg, uid })
                    .collect()
            }
        )),
        (ok(), proptest::collection::vec(capability(), 0..10)).prop_map(|(line, capabilities)| (
            Expect::Capabilities,
            Response::Capabilities { line, capabilities }
        )),
        (
            ok(),
            proptest::collection::vec(("[a-z]{2}(-[a-z]{2,5})?", "[ -~]{0,20}"), 0..5)
        )
            .prop_map(|(line, l)| (
                Expect::Languages,
                Response::Languages {
                    line,
                    languages: l
                        .into_iter()
                        .map(|(t, d)| Language {
                            tag: Argument::new(t).unwrap(),
                            description: Text::try_from(d.as_str()).unwrap()
                        })
                        .collect()
                }
            )),
        (ok(), proptest::collection::vec("[ -~]{0,30}", 0..10)).prop_map(|(line, lines)| {
            let body: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
            (
                Expect::Message,
                Response::Message {
                    line,
                    body: Bytes::from(body),
                },
            )
        }),
        proptest::collection::vec(any::<u8>(), 0..60)
            .prop_map(|c| (Expect::Auth, Response::Continuation(c))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn command_round_trip(command in command()) {
        let wire = command.to_bytes();
        prop_assert!(wire.ends_with(b"\r\n"));
        let line = &wire[..wire.len() - 2];
        prop_assert!(!line.contains(&b'\n') && !line.contains(&b'\r') && !line.contains(&0));
        prop_assert_eq!(Command::parse(line).unwrap(), command);
    }

    #[test]
    fn response_round_trip((expect, response) in response()) {
        let wire = response.to_bytes();
        let (parsed, used) = Response::parse(expect, &wire).unwrap();
        prop_assert_eq!(used, wire.len());
        prop_assert_eq!(parsed, response);
        // Any prefix is incomplete, never an error or a different response.
        let cut = wire.len() / 2;
        if cut > 0 {
            prop_assert_eq!(
                Response::parse(expect, &wire[..cut]).err(),
                Some(pop3_proto::error::ResponseError::Incomplete)
            );
        }
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Command::parse(&bytes);
        let _ = StatusLine::parse(&bytes);
        let _ = Capability::parse(&bytes);
        let _ = Language::parse(&bytes);
        let _ = ScanListing::parse(&bytes);
        let _ = UidListing::parse(&bytes);
        for expect in [
            Expect::Greeting, Expect::Status, Expect::Stat, Expect::Scan, Expect::ScanList,
            Expect::UniqueId, Expect::UniqueIdList, Expect::Capabilities, Expect::Languages,
            Expect::Message, Expect::Auth,
        ] {
            let _ = Response::parse(expect, &bytes);
        }
    }

    #[test]
    fn server_never_panics(
        input in proptest::collection::vec(
            prop_oneof![
                any::<u8>().prop_map(|b| vec![b]),
                proptest::sample::select(vec![
                    b"USER username\r\n".to_vec(), b"PASS password\r\n".to_vec(),
                    b"STAT\r\n".to_vec(), b"LIST\r\n".to_vec(), b"RETR 1\r\n".to_vec(),
                    b"TOP 2 1\r\n".to_vec(), b"DELE 1\r\n".to_vec(), b"RSET\r\n".to_vec(),
                    b"UIDL\r\n".to_vec(), b"QUIT\r\n".to_vec(), b"STLS\r\n".to_vec(),
                    b"AUTH PLAIN\r\n".to_vec(), b"AUTH LOGIN\r\n".to_vec(), b"*\r\n".to_vec(),
                    b"CAPA\r\n".to_vec(), b"\r\n".to_vec(), b"\n".to_vec(), b"\r".to_vec(),
                    b"APOP username 00000000000000000000000000000000\r\n".to_vec(),
                ]),
            ],
            0..40,
        ),
        decisions in any::<u64>(),
        split in 1usize..20,
    ) {
        let input: Vec<u8> = input.concat();
        let mut config = server::Config::default();
        config.allow_plaintext_auth = decisions & 1 == 0;
        config.stls = true;
        config.sasl_mechanisms = Mechanism::IMPLEMENTED.to_vec();
        config.nonce = Some("n".parse().unwrap());
        config.apop_timestamp = Some("<1@x>".into());
        let mut conn = server::Connection::new(config);
        let mut out = conn.take_output().to_vec();
        let mut n = 0u32;
        let maildrop = Maildrop::new(vec![
            MaildropEntry::new(10, "a".parse().unwrap()),
            MaildropEntry::new(20, "b".parse().unwrap()),
        ]);
        for chunk in input.chunks(split) {
            conn.receive(chunk);
            loop {
                let event = match conn.next_event() {
                    Some(e) => e,
                    None => break,
                };
                n = n.wrapping_add(1);
                let yes = decisions.rotate_left(n % 64) & 2 == 0;
                match event {
                    server::Event::CheckPassword { .. } | server::Event::AuthVerify(_) => {
                        conn.auth_answer(if yes { Answer::Accept } else { Answer::Reject }).unwrap();
                    }
                    server::Event::ApopSecret { .. } => {
                        conn.auth_answer(Answer::Password("s".to_owned().into())).unwrap();
                    }
                    server::Event::Authorized { .. } => {
                        if yes { conn.open_maildrop(maildrop.clone()).unwrap() }
                        else { conn.refuse(Refusal::InUse).unwrap() }
                    }
                    server::Event::Retrieve { .. } => {
                        if yes {
                            conn.message_data(b"A: b\r\n\r\n.x\r\ny").unwrap();
                            conn.message_end().unwrap();
                        } else {
                            conn.send(StatusLine::err("gone")).unwrap();
                        }
                    }
                    server::Event::Update { .. } => conn.update_done().unwrap(),
                    server::Event::StartTls => conn.tls_established().unwrap(),
                    _ => {}
                }
            }
            out.extend_from_slice(&conn.take_output());
        }
        conn.receive_eof();
        while conn.next_event().is_some() {}
        out.extend_from_slice(&conn.take_output());
        // Every line the server wrote ends with CRLF, and no line holds a bare CR.
        prop_assert!(out.is_empty() || out.ends_with(b"\r\n"));
        for line in out.split(|&b| b == b'\n') {
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            prop_assert!(!body.contains(&b'\r'));
        }
    }

    #[test]
    fn client_never_panics(
        input in proptest::collection::vec(
            prop_oneof![
                any::<u8>().prop_map(|b| vec![b]),
                proptest::sample::select(vec![
                    b"+OK\r\n".to_vec(), b"-ERR [AUTH] no\r\n".to_vec(), b".\r\n".to_vec(),
                    b"+ \r\n".to_vec(), b"+ aGk=\r\n".to_vec(), b"1 2\r\n".to_vec(),
                    b"SASL PLAIN\r\n".to_vec(), b"PIPELINING\r\n".to_vec(),
                    b"+OK <1@x>\r\n".to_vec(), b"\r\n".to_vec(), b"\n".to_vec(),
                ]),
            ],
            0..40,
        ),
        calls in proptest::collection::vec(0u8..14, 0..20),
        split in 1usize..20,
    ) {
        let input: Vec<u8> = input.concat();
        let mut config = client::Config::default();
        config.allow_plaintext_auth = true;
        let mut conn = client::Connection::new(config);
        let mut calls = calls.into_iter().cycle().take(200);
        let one = MessageNumber::new(1).unwrap();
        for chunk in input.chunks(split) {
            conn.receive(chunk);
            loop {
                match conn.next_event() {
                    Some(client::Event::StartTls) => { let _ = conn.tls_established(); }
                    Some(_) => {}
                    None => break,
                }
            }
            let _ = match calls.next() {
                Some(0) => conn.capa(),
                Some(1) => conn.stls(),
                Some(2) => conn.login(client::Login::new("u", "p")),
                Some(3) => conn.stat(),
                Some(4) => conn.list(None),
                Some(5) => conn.uidl(Some(one)),
                Some(6) => conn.retr(one),
                Some(7) => conn.top(one, 3),
                Some(8) => conn.dele(one),
                Some(9) => conn.rset(),
                Some(10) => conn.noop(),
                Some(11) => conn.quit(),
                Some(12) => conn.lang(None),
                _ => conn.utf8(),
            };
            let _ = conn.take_output();
        }
        conn.receive_eof();
        while conn.next_event().is_some() {}
    }
}

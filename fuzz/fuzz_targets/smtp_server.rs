//! Fuzzes the SMTP server state machine: arbitrary client bytes, split at arbitrary points,
//! with arbitrary application decisions. It must never panic, and whatever it writes must be
//! well-formed replies.
#![no_main]

use mail_core::line::BareNewline;
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Answer;
use mail_testkit::Delivery;
use smtp_proto::prelude::*;
use smtp_proto::reply::{Reply, ReplyCode};
use smtp_proto::server::{Config, Connection, Event};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let Some((&decisions, input)) = rest.split_first() else {
        return;
    };
    let mut config = Config::default();
    config.bare_newline = if knobs & 1 == 0 {
        BareNewline::Reject
    } else {
        BareNewline::Normalize
    };
    config.lmtp = knobs & 2 != 0;
    config.max_message_size = u64::from(knobs) * 16;
    config.max_recipients = usize::from(knobs % 5) + 1;
    config.extensions.starttls = knobs & 4 != 0;
    config.allow_plaintext_auth = true;
    config.nonce = Some("fuzznonce".parse().expect("valid nonce"));
    config.max_auth_failures = u32::from(knobs % 4);
    config.sasl_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ];
    let mut conn = Connection::new(config);
    let mut closed = 0;
    let mut n = 0u32;
    let mut output = Vec::new();
    let step = usize::from(knobs >> 3) + 1;
    // Every other chunk goes through the zero-copy path, as a tokio adapter hands it over.
    let mut reader = bytes::BytesMut::new();
    for (i, chunk) in input.chunks(step).enumerate() {
        match Delivery::of(chunk, &mut reader, i % 2 == 1) {
            Delivery::Copy(chunk) => conn.receive(chunk),
            Delivery::Buffer(reader) => conn.receive_buf(reader),
        }
        loop {
            let Some(event) = conn.next_event() else {
                break;
            };
            assert_eq!(closed, 0, "an event after Closed");
            n = n.wrapping_add(1);
            let yes = (decisions.rotate_left(n % 8)) & 1 == 0;
            match event {
                Event::AuthVerify(_) => {
                    let _ = conn.auth_answer(if yes { Answer::Accept } else { Answer::Reject });
                }
                Event::StartTls => {
                    let _ = conn.tls_established();
                }
                Event::Closed { .. } => closed += 1,
                e if e.needs_answer() => {
                    if yes {
                        let _ = conn.accept();
                    } else {
                        let reply = Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, None, "no")
                            .expect("valid reply");
                        let _ = conn.send(reply);
                    }
                }
                _ => {}
            }
        }
        output.extend_from_slice(&conn.take_output());
    }
    conn.receive_eof();
    while let Some(event) = conn.next_event() {
        assert_eq!(closed, 0, "an event after Closed");
        match event {
            Event::Closed { .. } => closed += 1,
            // An answer still owed at end of input: the application gives it.
            e if e.needs_answer() => {
                let _ = conn.accept();
            }
            _ => {}
        }
    }
    output.extend_from_slice(&conn.take_output());
    assert_eq!(closed, 1, "one Closed event ends every session");
    // Every line written is a reply line: three digits, then SP, '-' or CRLF.
    for line in output.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        assert!(line.ends_with(b"\r"), "{line:?}");
        assert!(
            line.len() >= 4 && line.iter().take(3).all(u8::is_ascii_digit),
            "{line:?}"
        );
    }
});

//! Fuzzes the POP3 server state machine: arbitrary client bytes, split at arbitrary points,
//! with arbitrary application decisions. It must never panic, and everything it writes must
//! be CRLF-terminated lines.
#![no_main]

use mail_core::line::BareNewline;
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Answer;
use mail_testkit::Delivery;
use pop3_proto::prelude::*;
use pop3_proto::response::StatusLine;
use pop3_proto::server::{Config, Connection, Event, Maildrop, MaildropEntry, Refusal};

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
    config.allow_plaintext_auth = knobs & 2 == 0;
    config.stls = knobs & 4 != 0;
    config.utf8 = true;
    config.apop_timestamp = Some("<1.2@fuzz>".into());
    config.nonce = Some("fuzznonce".parse().expect("valid nonce"));
    config.sasl_mechanisms = Mechanism::IMPLEMENTED.to_vec();
    let mut conn = Connection::new(config);
    let maildrop = Maildrop::new(
        (0..3)
            .map(|i| MaildropEntry::new(20 + i, format!("uid{i}").parse().expect("valid uid")))
            .collect(),
    );
    let mut output = conn.take_output().to_vec();
    let mut n = 0u32;
    let step = usize::from(knobs >> 3) + 1;
    // Every other chunk goes through the zero-copy path, as a tokio adapter hands it over.
    let mut reader = bytes::BytesMut::new();
    let mut closed = 0;
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
            let yes = decisions.rotate_left(n % 8) & 1 == 0;
            match event {
                Event::CheckPassword { .. } | Event::AuthVerify(_) => {
                    let _ = conn.auth_answer(if yes { Answer::Accept } else { Answer::Reject });
                }
                Event::ApopSecret { .. } => {
                    let _ = conn.auth_answer(Answer::Password("secret".to_owned().into()));
                }
                Event::Authorized { .. } => {
                    if yes {
                        let _ = conn.open_maildrop(maildrop.clone());
                    } else {
                        let _ = conn.refuse(Refusal::InUse);
                    }
                }
                Event::Retrieve { .. } => {
                    if yes {
                        let _ = conn.message_data(b"H: v\r\n\r\n.a\r\nb\rc\n");
                        let _ = conn.message_end();
                    } else {
                        let _ = conn.send(StatusLine::err("no"));
                    }
                }
                Event::Update { .. } => {
                    let _ = conn.update_done();
                }
                Event::StartTls => {
                    let _ = conn.tls_established();
                }
                Event::Closed { .. } => closed += 1,
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
            Event::Retrieve { .. } => {
                let _ = conn.message_end();
            }
            Event::Update { .. } => {
                let _ = conn.update_done();
            }
            Event::CheckPassword { .. } | Event::AuthVerify(_) | Event::ApopSecret { .. } => {
                let _ = conn.auth_answer(Answer::Reject);
            }
            Event::Authorized { .. } => {
                let _ = conn.refuse(Refusal::InUse);
            }
            _ => {}
        }
    }
    assert_eq!(closed, 1, "one Closed event ends every session");
    output.extend_from_slice(&conn.take_output());
    assert!(output.is_empty() || output.ends_with(b"\r\n"));
    for line in output.split(|&b| b == b'\n') {
        let body = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(!body.contains(&b'\r'), "{line:?}");
    }
});

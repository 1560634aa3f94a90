//! Fuzzes the SMTP client state machine with arbitrary server bytes while it tries to send a
//! message: it must never panic, whatever it writes must be CRLF-terminated lines, and the
//! session ends with exactly one `Closed` event, the last one.
#![no_main]

use mail_core::address::rfc5321::ForwardPath;
use mail_testkit::Delivery;
use smtp_proto::client::{Config, Connection, Event, MailTransaction};
use smtp_proto::command::HeloDomain;
use smtp_proto::prelude::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&knobs, input)) = data.split_first() else {
        return;
    };
    let mut config = Config::new(HeloDomain::parse(b"client.example").expect("valid name"));
    config.lmtp = knobs & 1 != 0;
    config.chunking = knobs & 2 != 0;
    config.pipelining = knobs & 4 != 0;
    let mut conn = Connection::new(config);
    let rcpt: ForwardPath = "<a@b.example>".parse().expect("valid path");
    let step = usize::from(knobs >> 3) + 1;
    // Every other chunk goes through the zero-copy path, as a tokio adapter hands it over.
    let mut reader = bytes::BytesMut::new();
    let mut closed = 0;
    for (i, chunk) in input.chunks(step).enumerate() {
        match Delivery::of(chunk, &mut reader, i % 2 == 1) {
            Delivery::Copy(chunk) => conn.receive(chunk),
            Delivery::Buffer(reader) => conn.receive_buf(reader),
        }
        while let Some(event) = conn.next_event() {
            assert_eq!(closed, 0, "an event after Closed");
            match event {
                Event::Ready(_) => {
                    let mail = MailTransaction::new(
                        "<x@y.example>".parse().expect("valid path"),
                        [rcpt.clone(), ForwardPath::Postmaster],
                    );
                    let _ = conn.send_mail(mail);
                }
                Event::SendBody => {
                    let _ = conn.send_body(b"Subject: x\r\n\r\n.dot\r\n");
                    let _ = conn.finish_body();
                }
                Event::StartTls => {
                    let _ = conn.tls_established();
                }
                Event::Closed { .. } => closed += 1,
                _ => {}
            }
        }
        let out = conn.take_output();
        assert!(out.is_empty() || out.ends_with(b"\r\n"));
    }
    conn.receive_eof();
    while let Some(event) = conn.next_event() {
        assert_eq!(closed, 0, "an event after Closed");
        if let Event::Closed { .. } = event {
            closed += 1;
        }
    }
    assert_eq!(closed, 1, "one Closed event ends every session");
    assert!(conn.is_closed());
});

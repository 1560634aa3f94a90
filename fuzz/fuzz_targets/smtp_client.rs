//! Fuzzes the SMTP client state machine with arbitrary server bytes while it tries to send a
//! message: it must never panic, and whatever it writes must be CRLF-terminated lines.
#![no_main]

use mail_core::address::rfc5321::ForwardPath;
use mail_testkit::Delivery;
use smtp_proto::client::{Config, Connection, Event, MailTransaction};
use smtp_proto::command::HeloDomain;

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
    for (i, chunk) in input.chunks(step).enumerate() {
        match Delivery::of(chunk, &mut reader, i % 2 == 1) {
            Delivery::Copy(chunk) => conn.receive(chunk),
            Delivery::Buffer(reader) => conn.receive_buf(reader),
        }
        loop {
            match conn.next_event() {
                Ok(Some(Event::Ready(_))) => {
                    let mail = MailTransaction::new(
                        "<x@y.example>".parse().expect("valid path"),
                        [rcpt.clone(), ForwardPath::Postmaster],
                    );
                    let _ = conn.send_mail(mail);
                }
                Ok(Some(Event::SendBody)) => {
                    let _ = conn.send_body(b"Subject: x\r\n\r\n.dot\r\n");
                    let _ = conn.finish_body();
                }
                Ok(Some(Event::StartTls)) => {
                    let _ = conn.tls_established();
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let out = conn.take_output();
        assert!(out.is_empty() || out.ends_with(b"\r\n"));
    }
});

//! Fuzzes the POP3 client state machine with arbitrary server bytes while the application
//! logs in and issues commands: it must never panic, and whatever it writes must be
//! CRLF-terminated lines; the session ends with exactly one `Closed` event, the last one.
#![no_main]

use mail_testkit::Delivery;
use pop3_proto::client::{Config, Connection, Event, Login};
use pop3_proto::command::MessageNumber;
use pop3_proto::prelude::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&knobs, input)) = data.split_first() else {
        return;
    };
    let mut config = Config::default();
    config.allow_plaintext_auth = knobs & 1 == 0;
    let mut conn = Connection::new(config);
    let one = MessageNumber::new(1).expect("non-zero");
    let step = usize::from(knobs >> 2) + 1;
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
                Event::Greeting(_) => {
                    let _ = conn.capa();
                }
                Event::Capabilities(caps) => {
                    if caps.stls() && knobs & 2 != 0 {
                        let _ = conn.stls();
                    } else {
                        let mut login = Login::new("user", "pencil");
                        login.nonce = "fuzznonce".parse().ok();
                        let _ = conn.login(login);
                    }
                }
                Event::StartTls => {
                    let _ = conn.tls_established();
                }
                Event::LoggedIn { .. } => {
                    let _ = conn.stat();
                    let _ = conn.list(None);
                    let _ = conn.uidl(None);
                    let _ = conn.retr(one);
                    let _ = conn.top(one, 2);
                    let _ = conn.dele(one);
                    let _ = conn.quit();
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
});

//! Fuzzes the IMAP client state machine with arbitrary server bytes while the application
//! issues commands the input picks (login, select, fetch, store, idle/done, a streamed
//! APPEND, logout, …) and literals are streamed from a threshold the input picks: it must
//! never panic, and the session ends with exactly one `Closed` event, the last one.
#![no_main]

use imap_proto::client::{Config, Connection, Event};
use imap_proto::command::{FetchAttribute, FetchItems, StoreFlags, StoreMode};
use imap_proto::prelude::*;
use imap_proto::types::{Flag, Mailbox, SequenceSet};
use mail_testkit::Delivery;

fn command(conn: &mut Connection, pick: u8) {
    let set = SequenceSet::parse(b"1:*").expect("valid set");
    let inbox = Mailbox::from_utf8("INBOX").expect("valid name");
    let _ = match pick % 14 {
        0 => conn.capability(),
        1 => conn.login("user", "p\u{e9}ncil"),
        2 => conn.select(inbox),
        3 => conn.fetch(
            set,
            FetchItems::Attributes(vec![FetchAttribute::Uid, FetchAttribute::Flags]),
        ),
        4 => conn.store(
            set,
            StoreFlags {
                mode: StoreMode::Add,
                silent: false,
                flags: vec![Flag::Seen],
            },
        ),
        5 => conn.idle(),
        6 => conn.done().map(|()| dummy()),
        7 => conn.append_start(inbox, None, None, 5),
        8 => conn
            .append_data(b"hello")
            .and_then(|()| conn.append_end())
            .map(|()| dummy()),
        9 => conn.noop(),
        10 => conn.expunge(),
        11 => conn.starttls(),
        12 => conn.examine(inbox),
        _ => conn.logout(),
    };
}

fn dummy() -> imap_proto::types::Tag {
    imap_proto::types::Tag::try_from("X").expect("valid tag")
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let Some((&picks, input)) = rest.split_first() else {
        return;
    };
    let mut config = Config::default();
    config.allow_plaintext_auth = knobs & 1 == 0;
    config.stream_literals_over = u64::from(knobs >> 4) * 16;
    let mut conn = Connection::new(config);
    let step = usize::from((knobs >> 1) & 7) + 1;
    let mut reader = bytes::BytesMut::new();
    let mut closed = 0;
    let mut pick = picks;
    for (i, chunk) in input.chunks(step).enumerate() {
        match Delivery::of(chunk, &mut reader, i % 2 == 1) {
            Delivery::Copy(chunk) => conn.receive(chunk),
            Delivery::Buffer(reader) => conn.receive_buf(reader),
        }
        while let Some(event) = conn.next_event() {
            assert_eq!(closed, 0, "an event after Closed");
            match event {
                Event::Closed { .. } => closed += 1,
                Event::StartTls => {
                    let _ = conn.tls_established();
                }
                _ => {}
            }
            pick = pick.rotate_left(3).wrapping_add(chunk.len() as u8);
            command(&mut conn, pick);
        }
        let _ = conn.take_output();
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

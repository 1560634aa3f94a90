//! Fuzzes the POP3 command parser: it must never panic, and whatever it accepts must encode
//! to a line that parses back to the same command.
#![no_main]

use pop3_proto::command::Command;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(command) = Command::parse(data) {
        let wire = command.to_bytes();
        let line = wire.strip_suffix(b"\r\n").expect("CRLF-terminated");
        assert!(!line.contains(&b'\n') && !line.contains(&b'\r'));
        assert_eq!(Command::parse(line).expect("re-parses"), command);
    }
});

//! Fuzzes the SMTP command parser: any line either fails or parses to a command whose
//! encoding is one line that parses back to the same command.
#![no_main]

use smtp_proto::command::Command;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(command) = Command::parse(data) {
        let wire = command.to_bytes();
        let line = wire
            .strip_suffix(b"\r\n")
            .expect("an encoded command ends with CRLF");
        assert!(
            !line.contains(&b'\r') && !line.contains(&b'\n'),
            "{command:?}"
        );
        assert_eq!(Command::parse(line).as_ref(), Ok(&command), "{data:?}");
    }
});

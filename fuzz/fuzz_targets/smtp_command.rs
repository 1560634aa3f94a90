//! Fuzzes the SMTP command parser: any line either fails or parses to a command whose
//! encoding is one line that parses back to the same command, even under the strict
//! envelope syntax; what the strict syntax accepts, Postfix's accepts the same way.
#![no_main]

use smtp_proto::command::{Command, EnvelopeSyntax};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(strict) = Command::parse_with(data, EnvelopeSyntax::strict()) {
        assert_eq!(Command::parse(data).as_ref(), Ok(&strict), "{data:?}");
    }
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
        assert_eq!(
            Command::parse_with(line, EnvelopeSyntax::strict()).as_ref(),
            Ok(&command),
            "{data:?}"
        );
    }
});

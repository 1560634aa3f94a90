//! Fuzzes the SMTP reply parser line by line: no panic, limits respected, and every reply it
//! assembles encodes to bytes that parse back to the same reply.
#![no_main]

use smtp_proto::capability::EhloReply;
use smtp_proto::reply::{Reply, ReplyLimits, ReplyParser};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = ReplyLimits {
        max_lines: 8,
        max_bytes: 512,
    };
    let mut parser = ReplyParser::new(limits);
    for line in data.split(|&b| b == b'\n') {
        if let Ok(Some(reply)) = parser.push_line(line.strip_suffix(b"\r").unwrap_or(line)) {
            assert!(reply.lines().len() <= limits.max_lines);
            assert_eq!(Reply::parse(&reply.to_bytes()).as_ref(), Ok(&reply));
            let _ = reply.enhanced_code();
            let _ = reply.text().count();
            if let Ok(ehlo) = EhloReply::from_reply(&reply) {
                let _ = ehlo.to_reply();
                let _ = ehlo.auth_mechanisms();
            }
        }
    }
    let _ = Reply::parse(data);
});

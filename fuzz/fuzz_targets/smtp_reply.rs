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
            assert!(reply.text_lines().eq(reply.lines().iter().copied()));
            assert_eq!(Reply::parse(&reply.to_bytes()).as_ref(), Ok(&reply));
            let _ = reply.enhanced_code();
            let _ = reply.text().count();
            if let Ok(ehlo) = EhloReply::from_reply(&reply) {
                let _ = ehlo.to_reply();
                let _ = ehlo.auth_mechanisms();
            }
        }
    }
    // EHLO replies read straight from the bytes read as the Reply path reads them.
    let direct = EhloReply::parse(data);
    let via_reply = Reply::parse(data).and_then(|r| EhloReply::from_reply(&r));
    assert_eq!(direct, via_reply, "{data:?}");
});

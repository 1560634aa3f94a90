//! Fuzzes the RFC 5321 path parsers: any input either fails or yields a value whose canonical
//! form parses back to the same value.
#![no_main]

use mail_core::address::rfc5321::{ForwardPath, Limits, Mailbox, ReversePath};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut tolerant = Limits::default();
    tolerant.allow_missing_brackets = true;
    tolerant.allow_trailing_dot = true;
    for limits in [Limits::default(), tolerant] {
        if let Ok(p) = ReversePath::parse_with(data, &limits) {
            let again = ReversePath::parse_with(p.to_string().as_bytes(), &limits);
            assert_eq!(again.as_ref(), Ok(&p), "{data:?}");
        }
        if let Ok((p, used)) = ReversePath::parse_prefix_with(data, &limits) {
            assert!(used <= data.len());
            let again = ReversePath::parse_with(p.to_string().as_bytes(), &limits);
            assert_eq!(again.as_ref(), Ok(&p), "{data:?}");
        }
        if let Ok(p) = ForwardPath::parse_with(data, &limits) {
            let again = ForwardPath::parse_with(p.to_string().as_bytes(), &limits);
            assert_eq!(again.as_ref(), Ok(&p), "{data:?}");
        }
        if let Ok((p, used)) = ForwardPath::parse_prefix_with(data, &limits) {
            assert!(used <= data.len());
            let again = ForwardPath::parse_with(p.to_string().as_bytes(), &limits);
            assert_eq!(again.as_ref(), Ok(&p), "{data:?}");
        }
        if let Ok(m) = Mailbox::parse_with(data, &limits) {
            let again = Mailbox::parse_with(m.to_string().as_bytes(), &limits);
            assert_eq!(again.as_ref(), Ok(&m), "{data:?}");
        }
    }
});

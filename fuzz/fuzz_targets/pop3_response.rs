//! Fuzzes the POP3 response parsers with every expectation: they must never panic, and a
//! parsed response must encode to bytes that parse back to the same response.
#![no_main]

use pop3_proto::capability::Capability;
use pop3_proto::response::{Expect, Response, StatusLine};

const EXPECTS: [Expect; 11] = [
    Expect::Greeting,
    Expect::Status,
    Expect::Stat,
    Expect::Scan,
    Expect::ScanList,
    Expect::UniqueId,
    Expect::UniqueIdList,
    Expect::Capabilities,
    Expect::Languages,
    Expect::Message,
    Expect::Auth,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, input)) = data.split_first() else {
        return;
    };
    let _ = StatusLine::parse(input);
    let _ = Capability::parse(input);
    let expect = EXPECTS[usize::from(which) % EXPECTS.len()];
    if let Ok((response, used)) = Response::parse(expect, input) {
        assert!(used <= input.len());
        let wire = response.to_bytes();
        let (again, n) = Response::parse(expect, &wire).expect("re-parses");
        assert_eq!(n, wire.len());
        // Lenient input (`+ok`, trailing text after listings) re-encodes canonically, so
        // compare the canonical forms.
        assert_eq!(again.to_bytes(), wire);
    }
});

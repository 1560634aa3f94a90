//! Fuzzes the IMAP response parser: any frame either fails or parses to a response whose
//! encoding parses back to the same response, and whose line fragments hold no CR, LF or
//! NUL outside their final CRLF.
#![no_main]

use bytes::Bytes;
use imap_proto::response::Response;
use imap_proto::types::{DEFAULT_MAX_DEPTH, Fragment, fragments_to_bytes};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let frame = Bytes::copy_from_slice(data);
    if let Ok(response) = Response::parse_bytes(&frame, DEFAULT_MAX_DEPTH) {
        let mut fragments = Vec::new();
        response.encode(&mut fragments);
        for f in &fragments {
            if let Fragment::Line(line) = f {
                let body = line
                    .strip_suffix(b"\r\n")
                    .expect("a line fragment ends with CRLF");
                assert!(!body.contains(&b'\r') && !body.contains(&b'\n') && !body.contains(&0));
            }
        }
        let wire = fragments_to_bytes(&fragments);
        let body = wire
            .strip_suffix(b"\r\n")
            .expect("a response ends with CRLF");
        let again = Response::parse_bytes(&Bytes::copy_from_slice(body), DEFAULT_MAX_DEPTH);
        assert_eq!(again.as_ref(), Ok(&response), "{data:?}");
    }
});

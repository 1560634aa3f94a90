//! Fuzzes the RFC 5322 address-list parser and the RFC 2047 decoder.
//!
//! Properties: no panic on any input; whatever parses re-parses from its `Display` form to
//! the same value; the encoded-word decoder never panics and encoding then decoding any
//! string gives it back.
#![no_main]

use mail_core::address::encoded_word::{decode_encoded_words, encode_phrase};
use mail_core::address::rfc5322::{AddressList, Limits, Mailbox};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(list) = AddressList::parse(data) {
        let shown = list.to_string();
        assert_eq!(
            AddressList::parse(shown.as_bytes()).as_ref(),
            Ok(&list),
            "{shown:?}"
        );
    }
    let tight = Limits::default()
        .with_max_comment_depth(4)
        .with_max_addresses(8);
    if let Ok(m) = Mailbox::parse_with(data, &tight) {
        assert_eq!(Mailbox::parse(m.to_string().as_bytes()).as_ref(), Ok(&m));
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = decode_encoded_words(text);
        assert_eq!(decode_encoded_words(&encode_phrase(text)), text);
    }
});

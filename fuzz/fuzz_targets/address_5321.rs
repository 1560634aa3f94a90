#![no_main]
// Being written: replaced by the real target before this lands.
libfuzzer_sys::fuzz_target!(|_data: &[u8]| {});

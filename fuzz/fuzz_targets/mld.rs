#![no_main]
// placeholder: being written
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = data;
});

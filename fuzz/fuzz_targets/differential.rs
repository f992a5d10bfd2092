//! Fuzz target `differential`: see `fuzz/checks.rs` for the property it checks.
#![no_main]
// checks.rs holds every target's check; this binary uses one of them.
#![allow(dead_code)]

include!("../checks.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| differential(data));

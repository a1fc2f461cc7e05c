//! The generator on arbitrary spec text: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stripe_notify_codegen::{SpecSource, generate};

fuzz_target!(|text: &str| {
    let source = SpecSource {
        file_name: "fuzz.json".into(),
        sha256: String::new(),
    };
    let _ = generate(text, &source);
});

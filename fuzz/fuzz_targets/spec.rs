//! The generator on arbitrary spec text: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stripe_notify_codegen::{ResourceMap, SpecFile, generate};

fuzz_target!(|text: &str| {
    let spec = SpecFile {
        name: "fuzz.json",
        sha256: "",
        text,
    };
    let _ = generate(&[spec], &ResourceMap::default());
});

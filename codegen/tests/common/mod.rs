//! Helpers shared by the generator's tests: the fixture spec, generating from it, and compiling
//! what it generates.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use stripe_notify_codegen::{Error, Generated, GeneratedFile, ResourceMap, SpecFile, generate};

/// The workspace root.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The hand-written fixture spec, in the GA shape.
pub fn fixture() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("spec/fixture.json")).expect("spec/fixture.json")
}

/// A spec file named `name`, with a placeholder sha256.
pub fn spec<'a>(name: &'a str, text: &'a str) -> SpecFile<'a> {
    SpecFile {
        name,
        sha256: "0000000000000000000000000000000000000000000000000000000000000000",
        text,
    }
}

/// The external types the fixture's tests use: the meter as a type of another crate, behind
/// the feature `external-meter` (any JSON stands for it, so that compiling needs no heavy
/// crate); and three classic types: the thin twin of one (`balance.available`, a singleton),
/// one of several objects, and one Stripe sends only as snapshot events.
pub fn external() -> ResourceMap {
    ResourceMap::from_json(
        r#"{
            "resources": {"billing.meter": {"crate": "external-meter", "type": "serde_json::Value"}},
            "classic_events": {
                "balance.available": {
                    "description": "Occurs whenever your Stripe balance has been updated.",
                    "objects": {"balance": {"crate": "external-meter", "type": "serde_json::Value"}}
                },
                "billing.meter.error_report_triggered": {
                    "objects": {
                        "billing.meter": {"crate": "external-meter", "type": "serde_json::Value"},
                        "card": {"crate": "external-meter", "type": "serde_json::Value"}
                    }
                },
                "treasury.received_credit.created": {
                    "description": "Occurs whenever a received_credit is created.",
                    "objects": {"treasury.received_credit": {"crate": "external-meter", "type": "serde_json::Value"}}
                }
            }
        }"#,
    )
    .expect("the test map is valid")
}

/// Generates from these specs, in order.
pub fn generate_from(specs: &[(&str, &str)]) -> Result<Generated, Error> {
    let files: Vec<SpecFile<'_>> = specs.iter().map(|(name, text)| spec(name, text)).collect();
    generate(&files, &external())
}

/// The text of the generated file at `path`.
pub fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|file| file.path == path)
        .unwrap_or_else(|| panic!("no generated {path}"))
        .contents
}

pub fn generate_fixture() -> Vec<GeneratedFile> {
    generate_from(&[("fixture.json", &fixture())])
        .expect("the fixture generates")
        .files
}

/// Writes `files` as the `src/` of a scratch crate depending on the runtime, and `cargo check`s
/// it with warnings as errors, with the given features of its own on.
pub fn assert_compiles(name: &str, files: &[GeneratedFile], features: &[&str]) {
    let root = Path::new(ROOT);
    let scratch = root.join("target/codegen-compile");
    let dir = scratch.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("scratch crate folder");
    let manifest = format!(
        r#"[package]
name = "generated-{name}"
version = "0.0.0"
edition = "2024"
publish = false

[features]
client = ["stripe-notify-runtime/client"]
inbox = ["stripe-notify-runtime/inbox"]
http = ["inbox", "stripe-notify-runtime/http"]
axum = ["http", "stripe-notify-runtime/axum"]
testing = ["axum", "client", "stripe-notify-runtime/testing"]
lambda = ["stripe-notify-runtime/lambda"]
inbox-admin = ["axum", "stripe-notify-runtime/inbox-admin"]
external-meter = []

[dependencies]
stripe-notify-runtime = {{ path = "{runtime}" }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[workspace]
"#,
        runtime = root.join("runtime").display()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    for file in files {
        std::fs::write(dir.join("src").join(&file.path), &file.contents).expect("generated file");
    }
    let output = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--features", &features.join(",")])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("RUSTFLAGS", "-D warnings -W missing-docs")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the crate generated as {name} does not compile with features {features:?}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

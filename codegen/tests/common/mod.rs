//! Paths and helpers shared by the generator's tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use stripe_notify_codegen::{GeneratedFile, SpecSource, generate};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

pub fn source(name: &str) -> SpecSource {
    SpecSource {
        file_name: name.to_owned(),
        sha256: "0".repeat(64),
    }
}

/// The hand-written fixture spec, in the GA shape.
pub fn fixture() -> String {
    std::fs::read_to_string(workspace_root().join("spec/fixture.json")).expect("spec/fixture.json")
}

pub fn generate_fixture() -> Vec<GeneratedFile> {
    generate(&fixture(), &source("fixture.json")).expect("the fixture generates")
}

/// An upstream spec under `spec/` (copied there by `.ci/run`). When it is absent the test says
/// so loudly and is skipped, unless `STRIPE_NOTIFY_REQUIRE_SPEC` is set (as in CI): then it fails.
pub fn upstream_spec(file_name: &str) -> Option<String> {
    let path = workspace_root().join("spec").join(file_name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) if std::env::var_os("STRIPE_NOTIFY_REQUIRE_SPEC").is_some() => {
            panic!(
                "{} is required (STRIPE_NOTIFY_REQUIRE_SPEC is set) but unreadable: {error}",
                path.display()
            )
        }
        Err(_) => {
            eprintln!(
                "\n*** SKIPPED: {} is missing; copy it from ../shared/spec/ (see spec/README.md) ***\n",
                path.display()
            );
            None
        }
    }
}

/// Writes `files` as the `src/` of a scratch crate depending on the runtime, and `cargo check`s
/// it with warnings as errors.
pub fn assert_compiles(name: &str, files: &[GeneratedFile]) {
    let root = workspace_root();
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
        .args(["check", "--offline", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("RUSTFLAGS", "-D warnings -W missing-docs")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the crate generated as {name} does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

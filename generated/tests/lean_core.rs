//! The lean core: a program depending on `stripe-notify` alone, with `default-features = false`
//! (`tests/lean-core/`), verifies, parses and routes with `handle_blocking`, and pulls at most 30
//! crates; with `async-stripe-shared` on, it names async-stripe's types through
//! `stripe_notify::async_stripe` without a dependency of its own. Built by a cargo of its own,
//! outside this workspace, so that none of the workspace's features leak into it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The most crates (normal dependencies, `stripe-notify` and its runtime included) the lean
/// core may pull.
const MOST_CRATES: usize = 30;

fn program() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lean-core")
}

/// Runs cargo on the program, offline, with the workspace's lockfile (same versions) and a
/// target folder of its own; one run at a time, as both write the program's lockfile.
fn cargo(args: &[&str]) -> Output {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::copy(root.join("Cargo.lock"), program().join("Cargo.lock")).expect("Cargo.lock");
    Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .current_dir(program())
        .env("CARGO_TARGET_DIR", root.join("target/lean-core"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_lean_core_verifies_parses_and_routes_in_at_most_30_crates() {
    let tree = cargo(&[
        "tree",
        "-q",
        "-p",
        "stripe-notify",
        "-e",
        "normal",
        "--prefix",
        "none",
    ]);
    assert_success("cargo tree", &tree);
    let mut crates: Vec<&str> = std::str::from_utf8(&tree.stdout)
        .unwrap()
        .lines()
        .map(|line| line.trim_end_matches(" (*)"))
        .collect();
    crates.sort_unstable();
    crates.dedup();
    assert!(
        crates.len() <= MOST_CRATES,
        "{} crates: {crates:#?}",
        crates.len()
    );
    for heavy in ["tokio", "reqwest", "hyper", "rustls", "http"] {
        assert!(
            !crates.iter().any(|c| c.starts_with(&format!("{heavy} "))),
            "{heavy} in the lean core: {crates:#?}"
        );
    }
    assert_success("the lean program's tests", &cargo(&["test", "-q"]));
}

#[test]
fn async_stripe_types_are_named_through_stripe_notify_alone() {
    if !Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/fixtures3.json")
        .exists()
    {
        assert!(
            std::env::var_os("STRIPE_NOTIFY_REQUIRE_SPEC").is_none(),
            "spec/fixtures3.json is required (STRIPE_NOTIFY_REQUIRE_SPEC is set)"
        );
        eprintln!("\n*** SKIPPED: spec/fixtures3.json is missing; see spec/README.md ***\n");
        return;
    }
    assert_success(
        "the program's tests with async-stripe-shared",
        &cargo(&["test", "-q", "--features", "typed"]),
    );
}

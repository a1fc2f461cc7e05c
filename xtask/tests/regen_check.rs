//! `cargo xtask regen --check` against the real preview spec: the committed `generated/src` is
//! exactly what the generator makes from it, and a changed spec shows up as stale files.

use std::path::PathBuf;

use xtask::{DEFAULT_OUT, DEFAULT_SPEC, render, stale_files, workspace_root};

fn preview_spec() -> Option<PathBuf> {
    let path = workspace_root().join(DEFAULT_SPEC);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("STRIPE_NOTIFY_REQUIRE_SPEC").is_none(),
        "{} is required (STRIPE_NOTIFY_REQUIRE_SPEC is set) but missing",
        path.display()
    );
    eprintln!(
        "\n*** SKIPPED: {} is missing; see spec/README.md ***\n",
        path.display()
    );
    None
}

#[test]
fn committed_generated_code_is_up_to_date() {
    let Some(spec) = preview_spec() else { return };
    let files = render(&spec).expect("the preview spec generates");
    let stale = stale_files(&files, &workspace_root().join(DEFAULT_OUT));
    assert!(
        stale.is_empty(),
        "generated/src is stale, run `cargo xtask regen`: {stale:?}"
    );
    let events = files
        .iter()
        .find(|f| f.path == "handler.rs")
        .map(|f| f.contents.matches("pub fn on_v").count());
    assert_eq!(
        events,
        Some(58),
        "one on_* method per thin event of the preview spec"
    );
}

#[test]
fn a_changed_spec_names_the_stale_files() {
    let Some(spec) = preview_spec() else { return };
    let text = std::fs::read_to_string(&spec).expect("spec");
    let changed = text.replacen(
        "Occurs when a Meter has invalid async usage events.",
        "Occurs when a Meter has invalid async usage events (changed).",
        1,
    );
    assert_ne!(text, changed, "the description to change is in the spec");
    let scratch = workspace_root().join("target/xtask-test/changed.json");
    std::fs::create_dir_all(scratch.parent().expect("parent")).expect("scratch dir");
    std::fs::write(&scratch, changed).expect("scratch spec");
    let files = render(&scratch).expect("the changed spec generates");
    let stale = stale_files(&files, &workspace_root().join(DEFAULT_OUT));
    // Every file names the spec's sha256 in its header; events.rs also has the new description.
    assert_eq!(stale, ["events.rs", "handler.rs", "lib.rs", "schemas.rs"]);
}

#[test]
fn a_missing_default_spec_says_how_to_get_it() {
    let missing = workspace_root()
        .join("target/xtask-test/nowhere")
        .join(DEFAULT_SPEC);
    let message = render(&missing).expect_err("missing spec");
    assert!(message.contains("stripe/stripe-cli"), "{message}");
    assert!(
        message.contains("7064e560557108d74e43a9a35a5076e36637e1b7312dbc75014f759bc6fde7eb"),
        "{message}"
    );
}

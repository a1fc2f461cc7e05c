//! `cargo xtask regen --check` against the real specs: the committed `generated/src` is exactly
//! what the generator makes from the three specs and the async-stripe map, and a changed spec
//! shows up as stale files.

use std::path::PathBuf;

use xtask::{
    DEFAULT_OUT, DEFAULT_SPECS, DEFAULT_TYPES, default_specs_or_skip, render, stale_files, workspace_root,
};

fn types() -> PathBuf {
    workspace_root().join(DEFAULT_TYPES)
}

#[test]
fn committed_generated_code_is_up_to_date() {
    let Some(specs) = default_specs_or_skip() else {
        return;
    };
    let generated = render(&specs, Some(&types())).expect("the specs generate");
    let stale = stale_files(&generated.files, &workspace_root().join(DEFAULT_OUT));
    assert!(
        stale.is_empty(),
        "generated/src is stale, run `cargo xtask regen`: {stale:?}"
    );
    let catalog = generated
        .files
        .iter()
        .find(|f| f.path == "catalog.rs")
        .expect("catalog.rs");
    let rows = catalog
        .contents
        .lines()
        .filter(|line| line.contains(" on_v"))
        .count();
    assert_eq!(
        rows,
        279 + 52,
        "one row per thin event type of the three specs, and one per classic type without a thin twin"
    );
    let snapshot_only = catalog
        .contents
        .lines()
        .filter(|line| line.contains("snapshot_only \""))
        .count();
    assert_eq!(snapshot_only, 52);
    // Overlaps are named: the 19 GA types the preview spec also has, the 3 of the clover spec,
    // and the 10 resources of the clover spec the preview spec repeats.
    let events = generated
        .overlaps
        .iter()
        .filter(|o| o.what == "event type")
        .count();
    let resources = generated.overlaps.iter().filter(|o| o.what == "resource").count();
    assert_eq!((events, resources), (19, 10));
    assert!(
        generated
            .overlaps
            .iter()
            .all(|o| o.what != "event type" || o.used == "spec3.sdk.thin-events.json"),
        "the GA spec comes first"
    );
}

#[test]
fn a_changed_spec_names_the_stale_files() {
    let Some(mut specs) = default_specs_or_skip() else {
        return;
    };
    let text = std::fs::read_to_string(&specs[2]).expect("spec");
    let changed = text.replacen(
        "Occurs when an OutboundPayment transitions into the posted state.",
        "Occurs when an OutboundPayment transitions into the posted state (changed).",
        1,
    );
    assert_ne!(text, changed, "the description to change is in the spec");
    let scratch = workspace_root().join("target/xtask-test/spec3.v2.sdk.preview.json");
    std::fs::create_dir_all(scratch.parent().expect("parent")).expect("scratch dir");
    std::fs::write(&scratch, changed).expect("scratch spec");
    specs[2] = scratch;
    let generated = render(&specs, Some(&types())).expect("the changed spec generates");
    let stale = stale_files(&generated.files, &workspace_root().join(DEFAULT_OUT));
    // Every file names each spec's sha256 in its header; catalog.rs also has the new description.
    assert_eq!(stale, ["catalog.rs", "lib.rs", "objects.rs", "schemas.rs"]);
    let catalog = &generated.files[0].contents;
    assert!(catalog.contains("posted state (changed)."));
}

#[test]
fn a_missing_default_spec_says_how_to_get_it() {
    let missing: Vec<PathBuf> = DEFAULT_SPECS
        .iter()
        .map(|spec| workspace_root().join("target/xtask-test/nowhere").join(spec))
        .collect();
    let message = render(&missing, None).expect_err("missing spec");
    assert!(message.contains("spec3.sdk.thin-events.json"), "{message}");
    assert!(message.contains("cp ../shared/spec/"), "{message}");
}

#[test]
fn a_spec_that_does_not_parse_is_named() {
    let Some(mut specs) = default_specs_or_skip() else {
        return;
    };
    let scratch = workspace_root().join("target/xtask-test/truncated.json");
    std::fs::create_dir_all(scratch.parent().expect("parent")).expect("scratch dir");
    std::fs::write(&scratch, "{\"openapi\": \"3.0.0\", ").expect("scratch spec");
    specs.insert(1, scratch);
    let message = render(&specs, Some(&types())).expect_err("a broken spec");
    assert!(message.starts_with("truncated.json: "), "{message}");
}

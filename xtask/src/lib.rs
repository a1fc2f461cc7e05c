//! Maintainer tasks. `regen` turns Stripe's specs into `generated/src`; `--check` proves the
//! committed files are what the generator makes from them. `async-stripe-types` refreshes the
//! map of async-stripe's resource types the generator reads. `coverage` compares the event
//! types with stripe-python's.

pub mod async_stripe_types;
mod classic_events;
pub mod coverage;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stripe_notify_codegen::{Generated, GeneratedFile, HEADER_PREFIX, ResourceMap, SpecFile, generate};

/// The specs the committed `generated/src` comes from, in this order (the first wins where they
/// overlap), relative to the workspace root.
pub const DEFAULT_SPECS: &[&str] = &[
    "spec/spec3.sdk.thin-events.json",
    "spec/spec3.v2.sdk.json",
    "spec/spec3.v2.sdk.preview.json",
];
/// The map of async-stripe's types for v1 resources, relative to the workspace root.
pub const DEFAULT_TYPES: &str = "spec/async-stripe-types.json";
/// Where the generated files go, relative to the workspace root.
pub const DEFAULT_OUT: &str = "generated/src";

/// How to obtain the default specs, for when one is missing.
pub const HOW_TO_GET_THE_SPECS: &str = "\
the upstream specs are not committed (see spec/README.md). Get them with:
  cp ../shared/spec/spec3.*.json spec/
spec/README.md names the upstream repository, commit and sha256 of each.";

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The default specs, when they are all there. When one is missing it says so loudly and gives
/// `None` (the caller skips), unless `STRIPE_NOTIFY_REQUIRE_SPEC` is set (as in CI): then it
/// panics. For tests.
pub fn default_specs_or_skip() -> Option<Vec<PathBuf>> {
    let root = workspace_root();
    let specs: Vec<PathBuf> = DEFAULT_SPECS.iter().map(|spec| root.join(spec)).collect();
    if let Some(missing) = specs.iter().find(|spec| !spec.exists()) {
        assert!(
            std::env::var_os("STRIPE_NOTIFY_REQUIRE_SPEC").is_none(),
            "{} is required (STRIPE_NOTIFY_REQUIRE_SPEC is set) but missing",
            missing.display()
        );
        eprintln!(
            "\n*** SKIPPED: {} is missing; see spec/README.md ***\n",
            missing.display()
        );
        return None;
    }
    Some(specs)
}

/// Reads the specs at `spec_paths` and the resource type map at `types` (none: no external
/// types) and generates the files.
pub fn render(spec_paths: &[PathBuf], types: Option<&Path>) -> Result<Generated, String> {
    let root = workspace_root();
    let mut read = Vec::with_capacity(spec_paths.len());
    for path in spec_paths {
        let bytes = fs::read(path).map_err(|e| {
            let mut message = format!("cannot read the spec {}: {e}", path.display());
            if DEFAULT_SPECS
                .iter()
                .any(|spec| path.ends_with(spec) || *path == root.join(spec))
            {
                let _ = write!(message, "\n{HOW_TO_GET_THE_SPECS}");
            }
            message
        })?;
        let text = String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let sha256 = hex(&Sha256::digest(text.as_bytes()));
        read.push((name, sha256, text));
    }
    let specs: Vec<SpecFile<'_>> = read
        .iter()
        .map(|(name, sha256, text)| SpecFile { name, sha256, text })
        .collect();
    let external = match types {
        Some(path) => {
            let text =
                fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            ResourceMap::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => ResourceMap::default(),
    };
    generate(&specs, &external).map_err(|e| e.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Paths below `out_dir` that differ from `files`: changed or missing files, and generated
/// files (they start with the generated header) that the generator no longer makes.
pub fn stale_files(files: &[GeneratedFile], out_dir: &Path) -> Vec<String> {
    let mut stale: Vec<String> = files
        .iter()
        .filter(|file| fs::read_to_string(out_dir.join(&file.path)).ok().as_deref() != Some(&file.contents))
        .map(|file| file.path.clone())
        .collect();
    stale.extend(orphans(files, out_dir));
    stale.sort();
    stale
}

/// Generated files in `out_dir` that `files` does not contain.
fn orphans(files: &[GeneratedFile], out_dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(out_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".rs") && !files.iter().any(|f| &f.path == name))
        .filter(|name| {
            fs::read_to_string(out_dir.join(name)).is_ok_and(|text| text.starts_with(HEADER_PREFIX))
        })
        .collect()
}

/// Writes `files` into `out_dir` (only those that changed) and removes orphaned generated files.
pub fn write(files: &[GeneratedFile], out_dir: &Path) -> Result<Vec<String>, String> {
    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let changed = stale_files(files, out_dir);
    for orphan in orphans(files, out_dir) {
        fs::remove_file(out_dir.join(&orphan)).map_err(|e| format!("cannot remove {orphan}: {e}"))?;
    }
    for file in files.iter().filter(|f| changed.contains(&f.path)) {
        let path = out_dir.join(&file.path);
        fs::write(&path, &file.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(changed)
}

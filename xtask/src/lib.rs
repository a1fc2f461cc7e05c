//! Maintainer tasks. `regen` turns Stripe's spec into `generated/src`; `--check` proves the
//! committed files are what the generator makes from that spec.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stripe_notify_codegen::{GeneratedFile, HEADER_PREFIX, SpecSource, generate};

/// The spec the committed `generated/src` comes from, relative to the workspace root.
pub const DEFAULT_SPEC: &str = "spec/spec3.v2.sdk.preview.json";
/// Where the generated files go, relative to the workspace root.
pub const DEFAULT_OUT: &str = "generated/src";

/// How to obtain the default spec, for when it is missing.
pub const HOW_TO_GET_THE_SPEC: &str = "\
the spec is not committed (see spec/README.md). Get it with either:
  cp ../shared/spec/spec3.v2.sdk.preview.json spec/
or from the GitHub repository stripe/stripe-cli, file api/openapi-spec/spec3.v2.sdk.preview.json
at commit 7b3fe48cf022db72ef04e2e0c204336edd09182e
(sha256 7064e560557108d74e43a9a35a5076e36637e1b7312dbc75014f759bc6fde7eb).";

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Reads the spec at `path` and generates the files.
pub fn render(spec_path: &Path) -> Result<Vec<GeneratedFile>, String> {
    let bytes = fs::read(spec_path).map_err(|e| {
        let mut message = format!("cannot read the spec {}: {e}", spec_path.display());
        if spec_path.ends_with(DEFAULT_SPEC) {
            let _ = write!(message, "\n{HOW_TO_GET_THE_SPEC}");
        }
        message
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("{}: not UTF-8: {e}", spec_path.display()))?;
    let source = SpecSource {
        file_name: spec_path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        sha256: hex(&Sha256::digest(&bytes)),
    };
    generate(text, &source).map_err(|e| format!("{}: {e}", spec_path.display()))
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

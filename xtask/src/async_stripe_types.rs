//! Derives the map from Stripe resource ids to async-stripe's types from async-stripe's own
//! sources: each type that serializes itself with `"object": "<resource id>"` is that
//! resource's type; and the classic event types with the objects they carry, from
//! async-stripe-webhook ([`classic_events`](crate::classic_events)). The crates are found
//! through `cargo metadata` (the generated crate depends on them behind its `async-stripe-*`
//! features, and on async-stripe-webhook for its benchmark); the map is written as JSON for
//! `cargo xtask regen` to read.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::{classic_events, workspace_root};

/// Crates of async-stripe that hold no resource types of their own.
const NOT_TYPE_CRATES: &[&str] = &[
    "async-stripe",
    "async-stripe-types",
    "async-stripe-client-core",
    "async-stripe-webhook",
];

/// The crate with the classic event types.
const WEBHOOK_CRATE: &str = "async-stripe-webhook";

/// Writes the map to `out`; returns how many resources and classic event types it maps.
pub fn refresh(out: &Path) -> Result<(usize, usize), String> {
    let all = async_stripe_crates()?;
    let webhook = all
        .iter()
        .find(|krate| krate.name == WEBHOOK_CRATE)
        .ok_or("cargo metadata lists no async-stripe-webhook: does generated/Cargo.toml depend on it?")?;
    let crates: Vec<&Crate> = all
        .iter()
        .filter(|krate| !NOT_TYPE_CRATES.contains(&krate.name.as_str()))
        .collect();
    if crates.is_empty() {
        return Err(
            "cargo metadata lists no async-stripe crate: does generated/Cargo.toml depend on them?".into(),
        );
    }
    let mut version = String::new();
    let mut resources: BTreeMap<String, BTreeMap<&str, String>> = BTreeMap::new();
    let mut object_of: BTreeMap<String, String> = BTreeMap::new();
    for krate in &crates {
        version.clone_from(&krate.version);
        for file in rust_files(&krate.src)? {
            let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            for (type_name, object) in serialized_objects(&text) {
                let entry = resources.entry(object.to_owned()).or_default();
                let path = format!("{}::{type_name}", krate.lib);
                object_of.insert(path.clone(), object.to_owned());
                if type_name.starts_with("Deleted") {
                    entry.insert("deleted", path);
                } else if entry.insert("type", path).is_none() {
                    entry.insert("crate", krate.name.clone());
                }
            }
        }
    }
    resources.retain(|_, entry| entry.contains_key("type"));
    let source_file = webhook.src.join("generated").join("mod.rs");
    let source = fs::read_to_string(&source_file).map_err(|e| format!("{}: {e}", source_file.display()))?;
    let events = classic_events::read(&source, |path| object_of.get(path).cloned())?;
    let crate_of = |path: &str| {
        let lib = path.split("::").next().unwrap_or_default();
        crates
            .iter()
            .find(|krate| krate.lib == lib)
            .map_or_else(String::new, |krate| krate.name.clone())
    };
    let map = json!({
        "about": "Stripe resource id -> async-stripe type (and its type once deleted); classic (snapshot) event type -> its description and the objects it carries, with their async-stripe types (from async-stripe-webhook's EventObject). Made by `cargo xtask async-stripe-types` from the async-stripe crates' sources; read by `cargo xtask regen`.",
        "version": version,
        "resources": resources,
        "classic_events": classic_events::to_json(&events, crate_of),
    });
    let text = serde_json::to_string_pretty(&map).map_err(|e| e.to_string())?;
    fs::write(out, format!("{text}\n")).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok((resources.len(), events.len()))
}

/// An async-stripe crate with types: its package name, library name, version and sources.
struct Crate {
    name: String,
    lib: String,
    version: String,
    src: PathBuf,
}

fn async_stripe_crates() -> Result<Vec<Crate>, String> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--all-features"])
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
    let mut crates: Vec<Crate> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|package| {
            let name = package["name"].as_str()?;
            if !name.starts_with("async-stripe") {
                return None;
            }
            let lib = package["targets"].as_array()?.iter().find(|target| {
                target["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"))
            })?;
            Some(Crate {
                name: name.to_owned(),
                lib: lib["name"].as_str()?.to_owned(),
                version: package["version"].as_str()?.to_owned(),
                src: Path::new(package["manifest_path"].as_str()?)
                    .parent()?
                    .join("src"),
            })
        })
        .collect();
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(crates)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `(type, resource id)` for each `impl serde::Serialize for <type>` whose body writes
/// `serialize_field("object", "<resource id>")`.
fn serialized_objects(text: &str) -> Vec<(&str, &str)> {
    const IMPL: &str = "impl serde::Serialize for ";
    const FIELD: &str = "serialize_field(\"object\", \"";
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(IMPL) {
        rest = rest.get(at + IMPL.len()..).unwrap_or("");
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = rest.get(..name_len).unwrap_or("");
        let body = rest.get(..rest.find("\n}").unwrap_or(rest.len())).unwrap_or("");
        let object = body
            .find(FIELD)
            .and_then(|at| body.get(at + FIELD.len()..))
            .and_then(|tail| tail.get(..tail.find('"')?));
        if let Some(object) = object {
            found.push((name, object));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::serialized_objects;

    #[test]
    fn finds_the_object_each_type_serializes_as() {
        let text = r#"
impl serde::Serialize for Charge {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut s = s.serialize_struct("Charge", 2)?;
        s.serialize_field("object", "charge")?;
        s.end()
    }
}
impl serde::Serialize for ChargeStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
impl serde::Serialize for DeletedCharge {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_field("object", "charge")?;
    }
}
"#;
        assert_eq!(
            serialized_objects(text),
            [("Charge", "charge"), ("DeletedCharge", "charge")]
        );
    }
}

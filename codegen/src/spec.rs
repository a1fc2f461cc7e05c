//! Reading a spec: JSON or YAML text into openapiv3's document, safely.

use std::rc::Rc;

use indexmap::IndexMap;
use openapiv3::{OpenAPI, ReferenceOr, Schema};
use serde_json::Value;

use crate::error::Error;

/// A spec as the caller hands it over: its file name, the sha256 of its bytes, and its text.
#[derive(Debug, Clone, Copy)]
pub struct SpecFile<'a> {
    /// The file name, as generated files name it (`spec3.sdk.thin-events.json`).
    pub name: &'a str,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: &'a str,
    /// The file's text (JSON or YAML).
    pub text: &'a str,
}

/// A spec, read.
pub(crate) struct Spec {
    /// The file name.
    pub(crate) name: Rc<str>,
    pub(crate) sha256: String,
    pub(crate) openapi: OpenAPI,
}

impl Spec {
    /// The spec's API version (`info.version`).
    pub(crate) fn api_version(&self) -> &str {
        &self.openapi.info.version
    }

    /// Its `components.schemas`.
    pub(crate) fn schemas(&self) -> &IndexMap<String, ReferenceOr<Schema>> {
        static EMPTY: std::sync::LazyLock<IndexMap<String, ReferenceOr<Schema>>> =
            std::sync::LazyLock::new(IndexMap::new);
        self.openapi
            .components
            .as_ref()
            .map_or(&*EMPTY, |components| &components.schemas)
    }
}

/// Reads a spec from JSON, or YAML. The text goes through `serde_json::Value` first: openapiv3
/// panics on a schema that fails its first parse but passes its second, from a `Value` (a
/// duplicate key does that); from a `Value` both parses agree. A panic left in it all the same
/// becomes an error: a broken spec must never take the generator down.
pub(crate) fn read(file: &SpecFile<'_>) -> Result<Spec, Error> {
    let not_a_spec = |reason: String| Error::NotASpec {
        spec: file.name.to_owned(),
        reason,
    };
    let value: Value = if file.text.trim_start().starts_with('{') {
        serde_json::from_str(file.text).map_err(|e| not_a_spec(format!("JSON: {e}")))?
    } else {
        serde_yaml_ng::from_str(file.text).map_err(|e| not_a_spec(format!("YAML: {e}")))?
    };
    let openapi = std::panic::catch_unwind(move || serde_json::from_value::<OpenAPI>(value))
        .map_err(|_| not_a_spec("the OpenAPI parser failed on this document".to_owned()))?
        .map_err(|e| not_a_spec(e.to_string()))?;
    Ok(Spec {
        name: Rc::from(file.name),
        sha256: file.sha256.to_owned(),
        openapi,
    })
}

//! What the generator cannot handle, said with the spec file, schema and field it stopped at.

use thiserror::Error;

/// Why specs could not be turned into code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// No spec was given.
    #[error("no spec to generate from")]
    NoSpecs,
    /// A spec is not an OpenAPI 3.0 document in JSON or YAML (empty, unreadable, wrong shape).
    #[error("{spec}: not an OpenAPI 3.0 document in JSON or YAML: {reason}")]
    NotASpec {
        /// The spec's file name.
        spec: String,
        /// What is wrong.
        reason: String,
    },
    /// None of the specs defines a thin event.
    #[error("no thin events in {specs} (no schema in components.schemas has `x-stripeEvent.kind: thin`)")]
    NoThinEvents {
        /// The specs' file names.
        specs: String,
    },
    /// A schema has a construct the generator does not support, or contradicts itself.
    #[error("{spec}: schema `{schema}`, field `{field}`: {problem}")]
    Schema {
        /// The spec's file name.
        spec: String,
        /// The `components.schemas` key.
        schema: String,
        /// The path inside it (`data.reason.error_types[]`); empty for the schema itself.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The map of external resource types is not what it should be.
    #[error("the resource type map: {0}")]
    ResourceMap(String),
    /// The emitted code is not valid Rust: a bug in the generator, not in the spec.
    #[error("the generated code does not parse (a generator bug): {0}")]
    Emit(String),
}

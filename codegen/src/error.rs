//! What the generator cannot handle, said with the schema and field it stopped at.

use thiserror::Error;

/// Why a spec could not be turned into code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The input is not an OpenAPI 3.0 document in JSON or YAML (empty, unreadable, wrong shape).
    #[error("the spec is not an OpenAPI 3.0 document in JSON or YAML: {0}")]
    NotASpec(String),
    /// The spec defines no thin event.
    #[error("the spec has no thin events (no schema in components.schemas has `x-stripeEvent.kind: thin`)")]
    NoThinEvents,
    /// A schema has a construct the generator does not support, or contradicts itself.
    #[error("schema `{schema}`, field `{field}`: {problem}")]
    Schema {
        /// The `components.schemas` key.
        schema: String,
        /// The path inside it (`data.reason.error_types[]`); empty for the schema itself.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The emitted tokens are not valid Rust: a bug in the generator, not in the spec.
    #[error("the generated code does not parse (a generator bug): {0}")]
    Emit(String),
}

//! Generator of the `stripe-notify` crate from Stripe's OpenAPI spec.
//!
//! Data flows one way: spec text → [`parse`] (openapiv3) → [`ir::Catalog`] (a plain list of
//! events and the types they need, every name decided; types of the same shape merged by
//! [`dedup`]) → [`emit`] (`quote` token streams,
//! formatted by `prettyplease`) → files. No I/O: the xtask reads the spec and writes the files.

pub mod dedup;
pub mod emit;
pub mod error;
pub mod ir;
pub mod names;
pub mod parse;
pub mod schema;

pub use emit::{GeneratedFile, HEADER_PREFIX, SpecSource, emit};
pub use error::Error;
pub use parse::parse;

/// Spec text → the generated crate's `src/` files, sorted by path.
pub fn generate(spec_json: &str, source: &SpecSource) -> Result<Vec<GeneratedFile>, Error> {
    let catalog = parse(spec_json)?;
    emit(&catalog, source).map_err(|e| Error::Emit(e.to_string()))
}

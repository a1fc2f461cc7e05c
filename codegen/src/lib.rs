//! Generator of the `stripe-notify` crate from Stripe's OpenAPI specs.
//!
//! Data flows one way: spec files → [`spec`](SpecFile) (openapiv3) → [`parse`]: the union of
//! their thin events and resources, lowered to an [`ir::Catalog`] (a plain list of events and
//! the types they need, every name decided; types of the same shape merged) → emit: the
//! catalog's rows for the runtime's `event_catalog!`, the types formatted by `prettyplease`,
//! and `lib.rs` → files. No I/O: the xtask reads the specs and writes the files.

mod dedup;
mod emit;
mod error;
mod events;
mod exports;
pub mod ir;
mod location;
mod lower;
mod names;
mod object;
mod parse;
mod refs;
mod related;
mod resources;
mod spec;

pub use emit::{GeneratedFile, HEADER_PREFIX};
pub use error::Error;
pub use parse::{Overlap, Parsed};
pub use resources::ResourceMap;
pub use spec::SpecFile;

/// What generating made: the files of the crate's `src/`, sorted by path, and where the specs
/// overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The files.
    pub files: Vec<GeneratedFile>,
    /// Event types and resources several specs define (the first spec listed is used).
    pub overlaps: Vec<Overlap>,
}

/// Reads the specs (the first one listed wins where they overlap) into the IR.
pub fn parse(specs: &[SpecFile<'_>], external: &ResourceMap) -> Result<Parsed, Error> {
    let specs = specs.iter().map(spec::read).collect::<Result<Vec<_>, _>>()?;
    parse::parse(&specs, external)
}

/// Specs → the generated crate's `src/` files.
pub fn generate(specs: &[SpecFile<'_>], external: &ResourceMap) -> Result<Generated, Error> {
    let parsed = parse(specs, external)?;
    Ok(Generated {
        files: emit::emit(&parsed.catalog)?,
        overlaps: parsed.overlaps,
    })
}

//! Schemas and references to them, whichever way openapiv3 boxed them.

use openapiv3::{ReferenceOr, Schema};

use crate::error::Error;
use crate::location::Location;

/// A schema or a reference to one.
#[derive(Clone, Copy)]
pub(crate) enum SchemaRef<'s> {
    /// `$ref`.
    Reference(&'s str),
    /// An inline schema.
    Item(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SchemaRef<'s> {
    fn from(r: &'s ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => Self::Reference(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SchemaRef<'s> {
    fn from(r: &'s ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => Self::Reference(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

/// The key of a local reference, `#/components/schemas/<key>`.
pub(crate) fn component_key<'r>(reference: &'r str, at: &Location) -> Result<&'r str, Error> {
    reference.strip_prefix("#/components/schemas/").ok_or_else(|| {
        at.error(format!(
            "`$ref` to `{reference}`: only #/components/schemas/ references are supported"
        ))
    })
}

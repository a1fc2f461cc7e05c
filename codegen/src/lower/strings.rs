//! String schemas: open enums, and strings with a format.

use std::collections::BTreeSet;

use openapiv3::{Schema, StringFormat, StringType, VariantOrUnknownOrEmpty};

use super::{Lowering, Naming, describe};
use crate::error::Error;
use crate::ir::{OpenEnum, TypeDef, TypeRef};
use crate::location::Location;
use crate::names::{self, NameSet};

impl Lowering<'_> {
    /// A string: an open enum when it lists values, else a string of its format.
    pub(super) fn lower_string(
        &mut self,
        string: &StringType,
        schema: &Schema,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        let values = enum_values(string, schema);
        if values.len() > 1 {
            let name = self.name(naming, at)?;
            let mut variant_names = NameSet::reserving(["Unknown"]);
            let variants = values
                .into_iter()
                .map(|value| (variant_names.claim_free(&names::variant_name(&value)), value))
                .collect();
            self.types.push(TypeDef::Enum(OpenEnum {
                name: name.clone(),
                description: describe(schema, at),
                variants,
            }));
            return Ok(TypeRef::Named(name));
        }
        Ok(match &string.format {
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::Timestamp,
            VariantOrUnknownOrEmpty::Unknown(format) if format == "date-time" => TypeRef::Timestamp,
            VariantOrUnknownOrEmpty::Unknown(format) if format == "decimal" => TypeRef::Decimal,
            VariantOrUnknownOrEmpty::Unknown(format) if format == "int64" => TypeRef::Int64String,
            _ => TypeRef::String,
        })
    }
}

/// A string schema's values: `enum`, else Stripe's `x-stripeEnum.values` (plain strings or
/// `{value, description}` objects); `null`s and repeats dropped.
fn enum_values(string: &StringType, schema: &Schema) -> Vec<String> {
    let mut values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
    if values.is_empty() {
        values = schema
            .schema_data
            .extensions
            .get("x-stripeEnum")
            .and_then(|e| e.get("values"))
            .and_then(|v| v.as_array())
            .map(|values| {
                values
                    .iter()
                    .filter_map(|v| v.as_str().or_else(|| v.get("value")?.as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
    }
    let mut seen = BTreeSet::new();
    values.retain(|value| seen.insert(value.clone()));
    values
}

//! `anyOf` and `oneOf`: untagged unions of their distinct shapes, tried in order.

use openapiv3::{ReferenceOr, Schema};

use super::{Lowering, Naming, describe, optional, strip_optional};
use crate::error::Error;
use crate::ir::{TypeDef, TypeRef, Union};
use crate::location::Location;
use crate::names::NameSet;

impl<'s> Lowering<'s> {
    /// A union of `variants`; one distinct shape is that shape, and a `{nullable: true}` member
    /// makes the whole optional rather than a variant.
    pub(super) fn lower_union(
        &mut self,
        variants: &'s [ReferenceOr<Schema>],
        schema: &'s Schema,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        let mut lowered = Vec::new();
        for (index, variant) in variants.iter().enumerate() {
            let ty = self.lower_ref(
                variant.into(),
                naming.child(&format!("variant{}", index.saturating_add(1))),
                at,
            )?;
            if !lowered.contains(&ty) {
                lowered.push(ty);
            }
        }
        let nullable = lowered.iter().any(|ty| matches!(ty, TypeRef::Optional(_)));
        let mut plain: Vec<TypeRef> = lowered.into_iter().map(strip_optional).collect();
        plain.dedup();
        let ty = match plain.len() {
            0 => TypeRef::Json,
            1 => plain.remove(0),
            _ => {
                let name = self.name(naming, at)?;
                let mut variant_names = NameSet::default();
                let variants = plain
                    .into_iter()
                    .map(|ty| (variant_names.claim_free(&variant_label(&ty)), ty))
                    .collect();
                self.types.push(TypeDef::Union(Union {
                    name: name.clone(),
                    description: describe(schema, at),
                    variants,
                }));
                TypeRef::Named(name)
            }
        };
        Ok(if nullable { optional(ty) } else { ty })
    }
}

/// A union variant's name, from its type.
fn variant_label(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "Bool".to_owned(),
        TypeRef::Integer | TypeRef::Int64String => "Integer".to_owned(),
        TypeRef::Number => "Number".to_owned(),
        TypeRef::Decimal => "Decimal".to_owned(),
        TypeRef::Timestamp => "Timestamp".to_owned(),
        TypeRef::Json => "Json".to_owned(),
        TypeRef::List(_) => "List".to_owned(),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Optional(inner) | TypeRef::Boxed(inner) => variant_label(inner),
        TypeRef::Named(name) => name.clone(),
    }
}

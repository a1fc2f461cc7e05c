//! Object schemas: structs, or maps when they have only additional properties.

use openapiv3::{AdditionalProperties, Schema};

use super::{Lowering, Naming, describe, optional};
use crate::error::Error;
use crate::ir::{Field, Struct, TypeDef, TypeRef};
use crate::location::Location;
use crate::names::{self, NameSet};
use crate::object::ObjectView;
use crate::refs::SchemaRef;

impl<'s> Lowering<'s> {
    /// An object: a struct of its properties (`always_struct` makes one even without any), or a
    /// map of its additional properties, or any JSON.
    pub(super) fn lower_object(
        &mut self,
        view: &ObjectView<'s>,
        schema: &'s Schema,
        naming: Naming,
        at: &Location,
        always_struct: bool,
    ) -> Result<TypeRef, Error> {
        let additional = match view.additional {
            None | Some(AdditionalProperties::Any(false)) => None,
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(values)) => {
                Some(self.lower_ref((&**values).into(), naming.child("value"), &at.field("*"))?)
            }
        };
        if view.properties.is_empty() && !always_struct {
            return Ok(additional.map_or(TypeRef::Json, |values| TypeRef::Map(Box::new(values))));
        }
        let name = self.name(naming, at)?;
        let mut field_names = NameSet::default();
        let mut fields = Vec::with_capacity(view.properties.len());
        for (json_name, property) in view.properties {
            let field_at = at.field(json_name);
            let property_ref = SchemaRef::from(property);
            let ty = self.lower_ref(
                property_ref,
                Naming::Hint(format!("{name}{}", names::type_name(json_name))),
                &field_at,
            )?;
            let required = view.required.iter().any(|r| r == json_name);
            let description = match property_ref {
                SchemaRef::Item(property) => property.schema_data.description.clone(),
                SchemaRef::Reference(_) => None,
            }
            .or_else(|| Some(format!("The `{json_name}` property.")));
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name: field_names.claim_free(&names::field_name(json_name)),
                ty: if required { ty } else { optional(ty) },
                description,
            });
        }
        self.types.push(TypeDef::Struct(Struct {
            name: name.clone(),
            description: describe(schema, at),
            fields,
            additional,
        }));
        Ok(TypeRef::Named(name))
    }
}

//! The properties view of an object-like schema: typed `object`, or one openapiv3 kept as "any".

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, Type};

/// An object schema's properties, required list and additional properties.
pub(crate) struct ObjectView<'s> {
    /// Properties, in the spec's order.
    pub(crate) properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    pub(crate) required: &'s [String],
    pub(crate) additional: Option<&'s AdditionalProperties>,
}

/// The object view of a schema, if it is an object.
pub(crate) fn object_view(schema: &Schema) -> Option<ObjectView<'_>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => Some(ObjectView {
            properties: &object.properties,
            required: &object.required,
            additional: object.additional_properties.as_ref(),
        }),
        SchemaKind::Any(any) if is_object_like(any) => Some(ObjectView {
            properties: &any.properties,
            required: &any.required,
            additional: any.additional_properties.as_ref(),
        }),
        _ => None,
    }
}

fn is_object_like(any: &AnySchema) -> bool {
    any.typ.as_deref() == Some("object") || (any.typ.is_none() && !any.properties.is_empty())
}

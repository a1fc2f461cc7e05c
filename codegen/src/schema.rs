//! Lowering OpenAPI schemas to Rust types: structs, open enums, unions, and the plain types
//! around them. Every named type gets its name here, from its path, through one [`NameSet`].

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, StringFormat, StringType, Type,
    VariantOrUnknownOrEmpty,
};

use crate::error::Error;
use crate::ir::{Field, OpenEnum, Struct, TypeDef, TypeRef, Union};
use crate::names::{self, NameSet};

/// Where in the spec a schema sits, for error messages.
#[derive(Debug, Clone)]
pub struct Location {
    schema: String,
    field: String,
}

impl Location {
    /// The top of a `components.schemas` entry.
    pub fn schema(key: &str) -> Self {
        Self {
            schema: key.to_owned(),
            field: String::new(),
        }
    }

    /// A property below this one.
    pub fn field(&self, name: &str) -> Self {
        let field = if self.field.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.field)
        };
        Self {
            schema: self.schema.clone(),
            field,
        }
    }

    fn items(&self) -> Self {
        Self {
            schema: self.schema.clone(),
            field: format!("{}[]", self.field),
        }
    }

    /// A description for a type made here when the spec gives none.
    fn origin(&self) -> String {
        if self.field.is_empty() {
            format!("Schema `{}` of Stripe's spec.", self.schema)
        } else {
            format!("`{}` in schema `{}` of Stripe's spec.", self.field, self.schema)
        }
    }

    /// An error at this place.
    pub fn error(&self, problem: impl Into<String>) -> Error {
        Error::Schema {
            schema: self.schema.clone(),
            field: self.field.clone(),
            problem: problem.into(),
        }
    }
}

/// A schema or a reference to one, whichever way openapiv3 boxed it.
#[derive(Clone, Copy)]
pub enum SchemaRef<'s> {
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

/// How the type made for a schema is named.
#[derive(Debug, Clone)]
pub enum Naming {
    /// Derive it from this path name (claimed from the name set when a type is made).
    Hint(String),
    /// Already claimed: use exactly this.
    Claimed(String),
}

impl Naming {
    fn hint(&self) -> &str {
        match self {
            Self::Hint(name) | Self::Claimed(name) => name,
        }
    }

    fn child(&self, suffix: &str) -> Self {
        Self::Hint(format!("{}{}", self.hint(), names::type_name(suffix)))
    }
}

/// The properties view of an object-like schema (typed `object`, or one openapiv3 kept as "any").
pub struct ObjectView<'s> {
    /// Properties, in the spec's order.
    pub properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
}

/// The object view of a schema, if it is an object.
pub fn object_view(schema: &Schema) -> Option<ObjectView<'_>> {
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

/// Lowers schemas to types, collecting every named type it makes.
pub struct Lowering<'s> {
    schemas: &'s IndexMap<String, ReferenceOr<Schema>>,
    names: NameSet,
    types: Vec<TypeDef>,
    /// `components.schemas` keys already lowered, and their types.
    components: HashMap<String, TypeRef>,
    /// Components being lowered, with their claimed names: a reference back to one of these is
    /// recursive and gets boxed.
    in_progress: HashMap<String, String>,
}

impl<'s> Lowering<'s> {
    /// A lowering over these component schemas, with `names` already holding reserved names.
    pub fn new(schemas: &'s IndexMap<String, ReferenceOr<Schema>>, names: NameSet) -> Self {
        Self {
            schemas,
            names,
            types: Vec::new(),
            components: HashMap::new(),
            in_progress: HashMap::new(),
        }
    }

    /// The inline schema of a `components.schemas` entry.
    pub fn schema(&self, key: &str) -> Option<&'s Schema> {
        match self.schemas.get(key)? {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { .. } => None,
        }
    }

    /// Claims a name for an item that is not a spec type (an event kind).
    pub fn claim(&mut self, wanted: &str) -> String {
        self.names.claim(wanted)
    }

    /// The types made so far, in the order they were made.
    pub fn into_types(self) -> Vec<TypeDef> {
        self.types
    }

    /// Resolves `$ref`s (following chains) to the schema and the component key it came from.
    pub fn resolve(
        &self,
        schema: SchemaRef<'s>,
        at: &Location,
    ) -> Result<(&'s Schema, Option<&'s str>), Error> {
        let mut current = schema;
        let mut key = None;
        for _ in 0..32 {
            match current {
                SchemaRef::Item(schema) => return Ok((schema, key)),
                SchemaRef::Reference(reference) => {
                    let name = component_key(reference, at)?;
                    let target = self.schemas.get(name).ok_or_else(|| {
                        at.error(format!("`$ref` to `{reference}`, which the spec does not define"))
                    })?;
                    key = Some(name);
                    current = target.into();
                }
            }
        }
        Err(at.error("a cycle of `$ref`s that never reaches a schema"))
    }

    /// The type of a `components.schemas` entry, lowered once and named `name`.
    pub fn component(&mut self, key: &str, name: &str) -> Result<TypeRef, Error> {
        if let Some(done) = self.components.get(key) {
            return Ok(done.clone());
        }
        let at = Location::schema(key);
        let schemas = self.schemas;
        let (entry_key, entry) = schemas
            .get_key_value(key)
            .ok_or_else(|| at.error("no such schema in components.schemas"))?;
        let (schema, _) = self.resolve(entry.into(), &at)?;
        let claimed = self.names.claim(name);
        self.in_progress.insert(entry_key.clone(), claimed.clone());
        let lowered = self.lower(schema, Naming::Claimed(claimed), &at);
        self.in_progress.remove(key);
        let ty = lowered?;
        self.components.insert(entry_key.clone(), ty.clone());
        Ok(ty)
    }

    /// The type name a referenced component gets: from its resource id, else its key.
    fn component_name(&self, key: &str) -> String {
        let resource_id = self.schemas.get(key).and_then(|entry| match entry {
            ReferenceOr::Item(schema) => schema.schema_data.extensions.get("x-resourceId")?.as_str(),
            ReferenceOr::Reference { .. } => None,
        });
        names::resource_type(resource_id.unwrap_or(key))
    }

    /// Lowers a schema or reference.
    pub fn lower_ref(
        &mut self,
        schema: SchemaRef<'s>,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        match schema {
            SchemaRef::Item(schema) => self.lower(schema, naming, at),
            SchemaRef::Reference(reference) => {
                let key = component_key(reference, at)?;
                if !self.schemas.contains_key(key) {
                    return Err(at.error(format!("`$ref` to `{reference}`, which the spec does not define")));
                }
                if let Some(name) = self.in_progress.get(key) {
                    // A recursive reference: box it so that the type has a finite size.
                    return Ok(TypeRef::Boxed(Box::new(TypeRef::Named(name.clone()))));
                }
                let name = self.component_name(key);
                self.component(key, &name)
            }
        }
    }

    /// Lowers an inline schema. `nullable` makes it optional.
    pub fn lower(&mut self, schema: &'s Schema, naming: Naming, at: &Location) -> Result<TypeRef, Error> {
        let ty = self.lower_kind(schema, naming, at)?;
        Ok(if schema.schema_data.nullable {
            optional(ty)
        } else {
            ty
        })
    }

    /// Lowers an object schema to a struct even when it has no properties (event `data`).
    pub fn lower_struct(
        &mut self,
        schema: &'s Schema,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        match object_view(schema) {
            Some(view) => self.lower_object(&view, schema, naming, at, true),
            None => self.lower(schema, naming, at),
        }
    }

    fn lower_kind(&mut self, schema: &'s Schema, naming: Naming, at: &Location) -> Result<TypeRef, Error> {
        if let Some(view) = object_view(schema) {
            return self.lower_object(&view, schema, naming, at, false);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => self.lower_string(string, schema, naming, at),
            SchemaKind::Type(Type::Integer(_)) => Ok(TypeRef::Integer),
            SchemaKind::Type(Type::Number(_)) => Ok(TypeRef::Number),
            SchemaKind::Type(Type::Boolean(_)) => Ok(TypeRef::Bool),
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => {
                    let item = self.lower_ref(items.into(), naming.child("item"), &at.items())?;
                    Ok(TypeRef::List(Box::new(item)))
                }
                None => Ok(TypeRef::List(Box::new(TypeRef::Json))),
            },
            SchemaKind::Type(Type::Object(_)) => Ok(TypeRef::Json),
            SchemaKind::AnyOf { any_of: variants } | SchemaKind::OneOf { one_of: variants } => {
                self.lower_union(variants, schema, naming, at)
            }
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [only] => self.lower_ref(only.into(), naming, at),
                _ => Err(at.error("`allOf` with several schemas is not supported")),
            },
            SchemaKind::Not { .. } => Err(at.error("`not` is not supported")),
            SchemaKind::Any(any) => self.lower_any(any, schema, naming, at),
        }
    }

    /// A schema openapiv3 could not classify: mixed keywords, or a bare description.
    fn lower_any(
        &mut self,
        any: &'s AnySchema,
        schema: &'s Schema,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        if !any.any_of.is_empty() {
            return self.lower_union(&any.any_of, schema, naming, at);
        }
        if !any.one_of.is_empty() {
            return self.lower_union(&any.one_of, schema, naming, at);
        }
        match any.typ.as_deref() {
            None => Ok(TypeRef::Json),
            Some("string") => Ok(TypeRef::String),
            Some("integer") => Ok(TypeRef::Integer),
            Some("number") => Ok(TypeRef::Number),
            Some("boolean") => Ok(TypeRef::Bool),
            Some("array") => Ok(TypeRef::List(Box::new(TypeRef::Json))),
            Some(other) => Err(at.error(format!("unsupported type `{other}`"))),
        }
    }

    fn lower_string(
        &mut self,
        string: &StringType,
        schema: &Schema,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        let values = enum_values(string, schema);
        if values.len() > 1 {
            let name = self.name(naming);
            let mut variant_names = NameSet::reserving(["Unknown"]);
            let variants = values
                .into_iter()
                .map(|value| (variant_names.claim(&names::variant_name(&value)), value))
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

    fn lower_object(
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
        let name = self.name(naming);
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
                rust_name: field_names.claim(&names::field_name(json_name)),
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

    fn lower_union(
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
        // `{nullable: true}` members and the like make the whole optional, not a variant.
        let nullable = lowered.iter().any(|ty| matches!(ty, TypeRef::Optional(_)));
        let mut plain: Vec<TypeRef> = lowered.into_iter().map(strip_optional).collect();
        plain.dedup();
        let ty = match plain.len() {
            0 => TypeRef::Json,
            1 => plain.remove(0),
            _ => {
                let name = self.name(naming);
                let mut variant_names = NameSet::default();
                let variants = plain
                    .into_iter()
                    .map(|ty| (variant_names.claim(&variant_label(&ty)), ty))
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

    fn name(&mut self, naming: Naming) -> String {
        match naming {
            Naming::Claimed(name) => name,
            Naming::Hint(hint) => self.names.claim(&hint),
        }
    }
}

/// The schema's description, else where it comes from.
fn describe(schema: &Schema, at: &Location) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| Some(at.origin()))
}

/// The key of a local reference, `#/components/schemas/<key>`.
fn component_key<'r>(reference: &'r str, at: &Location) -> Result<&'r str, Error> {
    reference.strip_prefix("#/components/schemas/").ok_or_else(|| {
        at.error(format!(
            "`$ref` to `{reference}`: only #/components/schemas/ references are supported"
        ))
    })
}

/// A string schema's values: `enum`, else Stripe's `x-stripeEnum.values`; `null`s dropped.
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
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
    }
    let mut seen = BTreeSet::new();
    values.retain(|value| seen.insert(value.clone()));
    values
}

fn optional(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Optional(_) => ty,
        other => TypeRef::Optional(Box::new(other)),
    }
}

fn strip_optional(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Optional(inner) => *inner,
        other => other,
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

//! Lowering OpenAPI schemas to Rust types: structs, open enums, unions, and the plain types
//! around them. Every named type gets its name here, from its path, through one [`NameSet`].

mod objects;
mod strings;
mod unions;

use std::collections::HashMap;

use indexmap::IndexMap;
use openapiv3::{AnySchema, ReferenceOr, Schema, SchemaKind, Type};

use crate::error::Error;
use crate::ir::{TypeDef, TypeRef};
use crate::location::Location;
use crate::names::{self, NameSet};
use crate::object::object_view;
use crate::refs::{SchemaRef, component_key};
use crate::spec::Spec;

/// How the type made for a schema is named.
#[derive(Debug, Clone)]
pub(crate) enum Naming {
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

/// A `components.schemas` entry of one of the specs.
type ComponentId = (usize, String);

/// Lowers schemas of several specs to types, collecting every named type it makes.
pub(crate) struct Lowering<'s> {
    specs: &'s [Spec],
    names: NameSet,
    types: Vec<TypeDef>,
    /// Components already lowered, and their types.
    components: HashMap<ComponentId, TypeRef>,
    /// Components being lowered, with their claimed names: a reference back to one of these is
    /// recursive and gets boxed.
    in_progress: HashMap<ComponentId, String>,
}

impl<'s> Lowering<'s> {
    /// A lowering over these specs, with `names` already holding the names it must not take.
    pub(crate) fn new(specs: &'s [Spec], names: NameSet) -> Self {
        Self {
            specs,
            names,
            types: Vec::new(),
            components: HashMap::new(),
            in_progress: HashMap::new(),
        }
    }

    /// Claims a name for an item that is not a spec type (an event kind, its aliases).
    pub(crate) fn claim(&mut self, wanted: &str, at: &Location) -> Result<String, Error> {
        self.names.claim(wanted).map_err(|taken| at.error(taken))
    }

    /// The types made so far, in the order they were made.
    pub(crate) fn into_types(self) -> Vec<TypeDef> {
        self.types
    }

    fn schemas(&self, spec: usize) -> Option<&'s IndexMap<String, ReferenceOr<Schema>>> {
        self.specs.get(spec).map(Spec::schemas)
    }

    /// The inline schema of a `components.schemas` entry.
    pub(crate) fn schema(&self, spec: usize, key: &str) -> Option<&'s Schema> {
        match self.schemas(spec)?.get(key)? {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { .. } => None,
        }
    }

    /// Resolves `$ref`s (following chains) in `at`'s spec to the schema.
    pub(crate) fn resolve(&self, schema: SchemaRef<'s>, at: &Location) -> Result<&'s Schema, Error> {
        let schemas = self.schemas(at.spec).ok_or_else(|| at.error("no such spec"))?;
        let mut current = schema;
        for _ in 0..32 {
            match current {
                SchemaRef::Item(schema) => return Ok(schema),
                SchemaRef::Reference(reference) => {
                    let target = schemas.get(component_key(reference, at)?).ok_or_else(|| {
                        at.error(format!("`$ref` to `{reference}`, which the spec does not define"))
                    })?;
                    current = target.into();
                }
            }
        }
        Err(at.error("a cycle of `$ref`s that never reaches a schema"))
    }

    /// The type of a `components.schemas` entry of spec `spec`, lowered once and named `name`.
    pub(crate) fn component(&mut self, spec: usize, key: &str, name: &str) -> Result<TypeRef, Error> {
        let id = (spec, key.to_owned());
        if let Some(done) = self.components.get(&id) {
            return Ok(done.clone());
        }
        let spec_name = self
            .specs
            .get(spec)
            .map(|s| std::rc::Rc::clone(&s.name))
            .unwrap_or_else(|| "?".into());
        let at = Location::schema(spec, &spec_name, key);
        let entry = self
            .schemas(spec)
            .and_then(|schemas| schemas.get(key))
            .ok_or_else(|| at.error("no such schema in components.schemas"))?;
        let schema = self.resolve(entry.into(), &at)?;
        let claimed = self.claim(name, &at)?;
        self.in_progress.insert(id.clone(), claimed.clone());
        let lowered = self.lower(schema, Naming::Claimed(claimed), &at);
        self.in_progress.remove(&id);
        let ty = lowered?;
        self.components.insert(id, ty.clone());
        Ok(ty)
    }

    /// The type name a referenced component gets: from its resource id, else its key.
    fn component_name(&self, spec: usize, key: &str) -> String {
        let resource_id = self
            .schema(spec, key)
            .and_then(|schema| schema.schema_data.extensions.get("x-resourceId")?.as_str());
        names::resource_type(resource_id.unwrap_or(key))
    }

    /// Lowers a schema or reference.
    pub(crate) fn lower_ref(
        &mut self,
        schema: SchemaRef<'s>,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        match schema {
            SchemaRef::Item(schema) => self.lower(schema, naming, at),
            SchemaRef::Reference(reference) => {
                let key = component_key(reference, at)?;
                if !self
                    .schemas(at.spec)
                    .is_some_and(|schemas| schemas.contains_key(key))
                {
                    return Err(at.error(format!("`$ref` to `{reference}`, which the spec does not define")));
                }
                if let Some(name) = self.in_progress.get(&(at.spec, key.to_owned())) {
                    // A recursive reference: box it so that the type has a finite size.
                    return Ok(TypeRef::Boxed(Box::new(TypeRef::Named(name.clone()))));
                }
                let name = self.component_name(at.spec, key);
                self.component(at.spec, key, &name)
            }
        }
    }

    /// Lowers an inline schema. `nullable` makes it optional.
    pub(crate) fn lower(
        &mut self,
        schema: &'s Schema,
        naming: Naming,
        at: &Location,
    ) -> Result<TypeRef, Error> {
        let ty = self.lower_kind(schema, naming, at)?;
        Ok(if schema.schema_data.nullable {
            optional(ty)
        } else {
            ty
        })
    }

    /// Lowers an object schema to a struct even when it has no properties (event `data`).
    pub(crate) fn lower_struct(
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

    /// The name for a type made here.
    fn name(&mut self, naming: Naming, at: &Location) -> Result<String, Error> {
        match naming {
            Naming::Claimed(name) => Ok(name),
            Naming::Hint(hint) => self.claim(&hint, at),
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

/// `Option<ty>`, unless it is one already.
pub(crate) fn optional(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Optional(_) => ty,
        other => TypeRef::Optional(Box::new(other)),
    }
}

/// `ty` without its `Option`, if it has one.
pub(crate) fn strip_optional(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Optional(inner) => *inner,
        other => other,
    }
}

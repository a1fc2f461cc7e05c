//! Spec → IR: find the thin events, their related objects and resources, and lower their data.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::error::Error;
use crate::ir::{Catalog, Event, Related, RelatedResource, TypeRef};
use crate::names::{self, NameSet};
use crate::schema::{Location, Lowering, Naming, SchemaRef, object_view};

/// Names the generated crate defines itself; spec types never take them.
pub const RESERVED_NAMES: &[&str] = &[
    "Catalog",
    "EventNotificationHandler",
    "EventNotificationHandlerBuilder",
    "API_VERSION",
    "KNOWN_EVENT_TYPES",
];

/// Reads a spec (JSON, or YAML) into the IR.
pub fn parse(spec_json: &str) -> Result<Catalog, Error> {
    let spec = read_spec(spec_json)?;
    let empty = IndexMap::new();
    let schemas = spec
        .components
        .as_ref()
        .map_or(&empty, |components| &components.schemas);

    let thin = thin_events(schemas)?;
    if thin.is_empty() {
        return Err(Error::NoThinEvents);
    }
    let mut lowering = Lowering::new(schemas, NameSet::reserving(RESERVED_NAMES.iter().copied()));
    // Event kinds claim their names first: they are the API users type.
    let kinds: Vec<String> = thin
        .keys()
        .map(|event_type| lowering.claim(&names::event_kind(event_type)))
        .collect();
    let resource_keys = resource_index(schemas);

    let mut events = Vec::with_capacity(thin.len());
    for ((event_type, (key, schema)), kind) in thin.into_iter().zip(kinds) {
        let at = Location::schema(key);
        let view = object_view(schema).ok_or_else(|| at.error("a thin event schema must be an object"))?;
        let data = match view.properties.get("data") {
            Some(data) => {
                let (data_schema, _) = lowering.resolve(data.into(), &at.field("data"))?;
                lowering.lower_struct(
                    data_schema,
                    Naming::Hint(format!("{kind}EventData")),
                    &at.field("data"),
                )?
            }
            None => TypeRef::Json,
        };
        let related = match view.properties.get("related_object") {
            None => Related::None,
            Some(related) => {
                let at = at.field("related_object");
                let (related_schema, _) = lowering.resolve(related.into(), &at)?;
                related_shape(related_schema, &resource_keys, &mut lowering, &at)?
            }
        };
        events.push(Event {
            method: names::on_method(&event_type),
            event_type,
            schema: key.to_owned(),
            kind,
            description: schema.schema_data.description.clone(),
            related,
            data,
        });
    }
    Ok(Catalog {
        api_version: spec.info.version.clone(),
        events,
        types: crate::dedup::dedup(lowering.into_types()),
    })
}

/// The spec as openapiv3 reads it, from JSON or YAML. The text goes through
/// `serde_json::Value` first: openapiv3 panics on a schema that fails its first parse but
/// passes its second, from a `Value` (a duplicate key does that); from a `Value` both parses
/// agree. A panic left in it all the same becomes an error: a broken spec must never take the
/// generator down.
fn read_spec(spec: &str) -> Result<OpenAPI, Error> {
    let value: Value = if spec.trim_start().starts_with('{') {
        serde_json::from_str(spec).map_err(|e| Error::NotASpec(format!("JSON: {e}")))?
    } else {
        serde_yaml_ng::from_str(spec).map_err(|e| Error::NotASpec(format!("YAML: {e}")))?
    };
    std::panic::catch_unwind(move || serde_json::from_value::<OpenAPI>(value))
        .map_err(|_| Error::NotASpec("the OpenAPI parser failed on this document".to_owned()))?
        .map_err(|e| Error::NotASpec(e.to_string()))
}

/// Thin event schemas by type string (sorted), checked: a type, agreeing with the `type`
/// property's enum, and unique.
fn thin_events(
    schemas: &IndexMap<String, ReferenceOr<Schema>>,
) -> Result<BTreeMap<String, (&str, &Schema)>, Error> {
    let mut events = BTreeMap::new();
    for (key, entry) in schemas {
        let ReferenceOr::Item(schema) = entry else {
            continue;
        };
        let Some(marker) = schema.schema_data.extensions.get("x-stripeEvent") else {
            continue;
        };
        if marker.get("kind").and_then(Value::as_str) != Some("thin") {
            continue;
        }
        let at = Location::schema(key);
        let event_type = marker
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                at.field("x-stripeEvent.type")
                    .error("a thin event needs its type string")
            })?;
        if let Some(declared) = declared_type(schema).filter(|declared| declared != &[event_type]) {
            return Err(at.field("type").error(format!(
                "the `type` enum {declared:?} disagrees with x-stripeEvent.type {event_type:?}"
            )));
        }
        if let Some((first, _)) = events.insert(event_type.to_owned(), (key.as_str(), schema)) {
            return Err(at.field("x-stripeEvent.type").error(format!(
                "event type {event_type:?} is also defined by schema `{first}`"
            )));
        }
    }
    Ok(events)
}

/// The values of the `type` property's enum, when it has one.
fn declared_type(schema: &Schema) -> Option<Vec<&str>> {
    let property = object_view(schema)?.properties.get("type")?;
    let ReferenceOr::Item(property) = property else {
        return None;
    };
    match &property.schema_kind {
        SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
            Some(string.enumeration.iter().flatten().map(String::as_str).collect())
        }
        _ => None,
    }
}

/// The path of a resource's `retrieve` operation (`x-stripeOperations`).
fn retrieve_path(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .extensions
        .get("x-stripeOperations")?
        .as_array()?
        .iter()
        .find(|operation| operation.get("method_type").and_then(Value::as_str) == Some("retrieve"))?
        .get("path")?
        .as_str()
        .map(str::to_owned)
}

/// A resource path by Stripe's convention when the spec has no retrieve operation for it:
/// `billing.meter` → `/v1/billing/meters/{id}`, `v2.core.thing` → `/v2/core/things/{id}`;
/// a singleton has no id (`balance` → `/v1/balance`).
fn derived_path(object_type: &str, singleton: bool) -> String {
    let path = object_type.replace('.', "/");
    let path = if object_type.starts_with("v2.") {
        path
    } else {
        format!("v1/{path}")
    };
    if singleton {
        format!("/{path}")
    } else {
        format!("/{path}s/{{id}}")
    }
}

/// `x-resourceId` → schema key.
fn resource_index(schemas: &IndexMap<String, ReferenceOr<Schema>>) -> BTreeMap<&str, &str> {
    schemas
        .iter()
        .filter_map(|(key, entry)| match entry {
            ReferenceOr::Item(schema) => {
                let id = schema.schema_data.extensions.get("x-resourceId")?.as_str()?;
                Some((id, key.as_str()))
            }
            ReferenceOr::Reference { .. } => None,
        })
        .collect()
}

/// The related object's shape: `id` nullable means a singleton resource. Its resource type is
/// the `type` property's single enum value, typed when a schema has that `x-resourceId`.
fn related_shape(
    schema: &Schema,
    resource_keys: &BTreeMap<&str, &str>,
    lowering: &mut Lowering<'_>,
    at: &Location,
) -> Result<Related, Error> {
    let view = object_view(schema).ok_or_else(|| at.error("related_object must be an object"))?;
    let object_type = match declared_type(schema).as_deref() {
        Some([single]) => Some((*single).to_owned()),
        Some(several) => {
            return Err(at.field("type").error(format!(
                "a related object has one type, the enum lists {several:?}"
            )));
        }
        None => None,
    };
    let resource = match object_type
        .as_deref()
        .and_then(|t| resource_keys.get(t).map(|key| (t, *key)))
    {
        Some((resource_id, key)) => Some(lowering.component(key, &names::resource_type(resource_id))?),
        None => None,
    };
    let singleton = match view.properties.get("id") {
        Some(id) => match SchemaRef::from(id) {
            SchemaRef::Item(id) => id.schema_data.nullable,
            SchemaRef::Reference(_) => false,
        },
        None => false,
    };
    let url_template = object_type.as_deref().map(|object_type| {
        let schema = resource_keys
            .get(object_type)
            .and_then(|key| lowering.schema(key));
        schema
            .and_then(retrieve_path)
            .unwrap_or_else(|| derived_path(object_type, singleton))
    });
    let related = RelatedResource {
        object_type,
        resource,
        url_template,
    };
    Ok(if singleton {
        Related::Singleton(related)
    } else {
        Related::Object(related)
    })
}

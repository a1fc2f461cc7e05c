//! The thin events of one spec: schemas marked `x-stripeEvent.kind: thin`, each checked to name
//! its type once and consistently.

use std::collections::BTreeMap;

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::error::Error;
use crate::location::Location;
use crate::object::object_view;
use crate::spec::Spec;

/// A thin event schema of a spec.
pub(crate) struct ThinEvent<'s> {
    /// The spec's index among those read.
    pub(crate) spec: usize,
    /// The `components.schemas` key.
    pub(crate) key: &'s str,
    pub(crate) schema: &'s Schema,
}

impl ThinEvent<'_> {
    /// Where the event's schema is.
    pub(crate) fn location(&self, specs: &[Spec]) -> Location {
        let name = specs
            .get(self.spec)
            .map_or_else(|| "?".into(), |s| s.name.clone());
        Location::schema(self.spec, &name, self.key)
    }
}

/// The thin events of spec `index`, by type string (sorted), checked: a type, agreeing with the
/// `type` property's enum, and unique.
pub(crate) fn thin_events(index: usize, spec: &Spec) -> Result<BTreeMap<String, ThinEvent<'_>>, Error> {
    let mut events = BTreeMap::new();
    for (key, entry) in spec.schemas() {
        let ReferenceOr::Item(schema) = entry else {
            continue;
        };
        let Some(marker) = schema.schema_data.extensions.get("x-stripeEvent") else {
            continue;
        };
        if marker.get("kind").and_then(Value::as_str) != Some("thin") {
            continue;
        }
        let at = Location::schema(index, &spec.name, key);
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
        let event = ThinEvent {
            spec: index,
            key,
            schema,
        };
        if let Some(first) = events.insert(event_type.to_owned(), event) {
            return Err(at.field("x-stripeEvent.type").error(format!(
                "event type {event_type:?} is also defined by schema `{}`",
                first.key
            )));
        }
    }
    Ok(events)
}

/// The values of the `type` property's enum, when it has one.
pub(crate) fn declared_type(schema: &Schema) -> Option<Vec<&str>> {
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

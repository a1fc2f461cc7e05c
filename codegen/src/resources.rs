//! Where resources are defined: the specs' own schemas (`x-resourceId`), first spec first, and
//! types of another crate for the resources no spec defines (async-stripe's, read from a map
//! committed beside the specs).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;
use crate::ir::{ExternalType, Snapshot};
use crate::spec::Spec;

/// Every resource id the specs define: the spec and schema key that defines it (the first spec
/// listed wins), and the others that define it too.
pub(crate) struct ResourceIndex<'s> {
    pub(crate) defined: BTreeMap<&'s str, Definition<'s>>,
}

/// Where a resource is defined.
pub(crate) struct Definition<'s> {
    pub(crate) spec: usize,
    pub(crate) key: &'s str,
    /// `(spec, key)` of the same resource in later specs, which lose.
    pub(crate) also: Vec<(usize, &'s str)>,
}

impl<'s> ResourceIndex<'s> {
    pub(crate) fn new(specs: &'s [Spec]) -> Self {
        let mut defined: BTreeMap<&'s str, Definition<'s>> = BTreeMap::new();
        for (index, spec) in specs.iter().enumerate() {
            for (key, entry) in spec.schemas() {
                let openapiv3::ReferenceOr::Item(schema) = entry else {
                    continue;
                };
                let Some(id) = schema
                    .schema_data
                    .extensions
                    .get("x-resourceId")
                    .and_then(|v| v.as_str())
                else {
                    continue;
                };
                match defined.get_mut(id) {
                    Some(first) => first.also.push((index, key)),
                    None => {
                        defined.insert(
                            id,
                            Definition {
                                spec: index,
                                key,
                                also: Vec::new(),
                            },
                        );
                    }
                }
            }
        }
        Self { defined }
    }
}

/// Types of another crate for resources, by resource id: the committed
/// `spec/async-stripe-types.json`, which `cargo xtask async-stripe-types` derives from the
/// async-stripe crates' own sources.
///
/// It also maps each classic (snapshot) event type to its description and the objects it
/// carries, with their async-stripe types (from async-stripe-webhook's `EventObject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ResourceMap {
    resources: BTreeMap<String, MappedResource>,
    #[serde(default)]
    classic_events: BTreeMap<String, ClassicEvent>,
}

/// A classic event type: its description and the objects its `data.object` may be.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct ClassicEvent {
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Object type → its type in another crate.
    pub(crate) objects: BTreeMap<String, MappedObject>,
}

/// The type of a classic event's object.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct MappedObject {
    #[serde(rename = "crate")]
    krate: String,
    #[serde(rename = "type")]
    path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct MappedResource {
    /// The crate, which is also the generated crate's feature that brings it in.
    #[serde(rename = "crate")]
    krate: String,
    /// The resource's type.
    #[serde(rename = "type")]
    path: String,
    /// The type of the resource once deleted (`{id, object, deleted: true}`), if the crate has
    /// one.
    #[serde(default)]
    deleted: Option<String>,
}

impl ResourceMap {
    /// The map from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let map: Self = serde_json::from_str(text).map_err(|e| Error::ResourceMap(e.to_string()))?;
        let resource_paths = map.resources.iter().flat_map(|(id, mapped)| {
            std::iter::once(&mapped.path)
                .chain(&mapped.deleted)
                .map(move |p| (id, p))
        });
        let object_paths = map
            .classic_events
            .iter()
            .flat_map(|(event_type, event)| event.objects.values().map(move |o| (event_type, &o.path)));
        for (id, path) in resource_paths.chain(object_paths) {
            if syn::parse_str::<syn::Path>(path).is_err() {
                return Err(Error::ResourceMap(format!("{id}: `{path}` is not a Rust path")));
            }
        }
        if let Some((event_type, _)) = map.classic_events.iter().find(|(_, e)| e.objects.is_empty()) {
            return Err(Error::ResourceMap(format!(
                "classic event type {event_type} names no object type"
            )));
        }
        Ok(map)
    }

    /// The classic event types, sorted.
    pub(crate) fn classic_events(&self) -> &BTreeMap<String, ClassicEvent> {
        &self.classic_events
    }

    /// The type for the related object of `event_type`, of resource `resource_id`: the deleted
    /// resource's type for a `*.deleted` event, when there is one.
    pub(crate) fn external(&self, resource_id: &str, event_type: &str) -> Option<ExternalType> {
        let mapped = self.resources.get(resource_id)?;
        let path = match &mapped.deleted {
            Some(deleted) if event_type.ends_with(".deleted") => deleted,
            _ => &mapped.path,
        };
        Some(ExternalType {
            feature: mapped.krate.clone(),
            path: path.clone(),
        })
    }
}

impl ClassicEvent {
    /// The snapshot info of classic type `event_type`.
    pub(crate) fn snapshot(&self, event_type: &str) -> Snapshot {
        Snapshot {
            event_type: event_type.to_owned(),
            objects: self
                .objects
                .iter()
                .map(|(object, mapped)| {
                    (
                        object.clone(),
                        ExternalType {
                            feature: mapped.krate.clone(),
                            path: mapped.path.clone(),
                        },
                    )
                })
                .collect(),
        }
    }
}

//! Where resources are defined: the specs' own schemas (`x-resourceId`), first spec first, and
//! types of another crate for the resources no spec defines (async-stripe's, read from a map
//! committed beside the specs).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;
use crate::ir::ExternalType;
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ResourceMap {
    resources: BTreeMap<String, MappedResource>,
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
        for (id, mapped) in &map.resources {
            for path in std::iter::once(&mapped.path).chain(&mapped.deleted) {
                if syn::parse_str::<syn::Path>(path).is_err() {
                    return Err(Error::ResourceMap(format!("{id}: `{path}` is not a Rust path")));
                }
            }
        }
        Ok(map)
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

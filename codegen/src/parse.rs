//! Specs → IR: the union of their thin events and resources, the first spec listed winning
//! where several define one, and each event's data, changes and related object lowered.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;
use std::rc::Rc;

use openapiv3::Schema;

use crate::dedup::dedup;
use crate::error::Error;
use crate::events::{ThinEvent, thin_events};
use crate::exports;
use crate::ir::{Catalog, Event, Related, SpecSource, TypeRef};
use crate::location::Location;
use crate::lower::{Lowering, Naming, strip_optional};
use crate::names::{self, NameSet};
use crate::object::object_view;
use crate::related::{RelatedContext, related_shape};
use crate::resources::{ClassicEvent, ResourceIndex, ResourceMap};
use crate::spec::Spec;

/// What a classic type's thin twin starts with: `invoice.paid` is `v1.invoice.paid`.
const CLASSIC_PREFIX: &str = "v1.";

/// Where the classic types come from, for the rows and errors of snapshot-only types.
const CLASSIC_EVENTS_SOURCE: &str = "async-stripe-types.json";

/// The IR of several specs, and where they overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// What the generated crate is made of.
    pub catalog: Catalog,
    /// Event types and resources that several specs define, in the order found.
    pub overlaps: Vec<Overlap>,
}

/// An event type or a resource that several specs define: the first spec listed is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// `event type` or `resource`.
    pub what: &'static str,
    /// The event type or resource id.
    pub name: String,
    /// The spec whose definition is used.
    pub used: String,
    /// The later specs that define it too.
    pub ignored: Vec<String>,
    /// Whether every definition has the same shape.
    pub same_shape: bool,
}

impl fmt::Display for Overlap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}`: from {}, also in {} ({})",
            self.what,
            self.name,
            self.used,
            self.ignored.join(", "),
            if self.same_shape {
                "same shape"
            } else {
                "shapes differ"
            }
        )
    }
}

impl Overlap {
    fn new(what: &'static str, name: &str, specs: &[Spec], used: usize) -> Self {
        Self {
            what,
            name: name.to_owned(),
            used: spec_name(specs, used),
            ignored: Vec::new(),
            same_shape: true,
        }
    }

    fn also(&mut self, specs: &[Spec], spec: usize, same_shape: bool) {
        self.ignored.push(spec_name(specs, spec));
        self.same_shape &= same_shape;
    }
}

fn spec_name(specs: &[Spec], index: usize) -> String {
    specs
        .get(index)
        .map_or_else(String::new, |spec| spec.name.to_string())
}

/// Whether two schemas are the same, field for field.
fn same_shape(a: &Schema, b: &Schema) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

/// Reads the specs into the IR.
pub(crate) fn parse(specs: &[Spec], external: &ResourceMap) -> Result<Parsed, Error> {
    let first = specs.first().ok_or(Error::NoSpecs)?;
    let mut overlaps = Vec::new();

    let mut events: BTreeMap<String, ThinEvent<'_>> = BTreeMap::new();
    let mut event_overlaps: BTreeMap<String, Overlap> = BTreeMap::new();
    for (index, spec) in specs.iter().enumerate() {
        for (event_type, event) in thin_events(index, spec)? {
            match events.entry(event_type) {
                Entry::Vacant(vacant) => {
                    vacant.insert(event);
                }
                Entry::Occupied(used) => {
                    let same = same_shape(used.get().schema, event.schema);
                    event_overlaps
                        .entry(used.key().clone())
                        .or_insert_with(|| Overlap::new("event type", used.key(), specs, used.get().spec))
                        .also(specs, index, same);
                }
            }
        }
    }
    overlaps.extend(event_overlaps.into_values());
    if events.is_empty() {
        let names: Vec<&str> = specs.iter().map(|spec| &*spec.name).collect();
        return Err(Error::NoThinEvents {
            specs: names.join(", "),
        });
    }

    let resources = ResourceIndex::new(specs);
    for (id, definition) in &resources.defined {
        if definition.also.is_empty() {
            continue;
        }
        let mut overlap = Overlap::new("resource", id, specs, definition.spec);
        let used = specs
            .get(definition.spec)
            .and_then(|s| s.schemas().get(definition.key));
        for &(spec, key) in &definition.also {
            let other = specs.get(spec).and_then(|s| s.schemas().get(key));
            let same = serde_json::to_value(used).ok() == serde_json::to_value(other).ok();
            overlap.also(specs, spec, same);
        }
        overlaps.push(overlap);
    }

    // The classic types Stripe sends only as snapshot events get rows of their own, named as
    // Stripe names thin twins: `treasury.received_credit.created` is
    // `v1.treasury.received_credit.created`.
    let snapshot_only: BTreeMap<String, (&str, &ClassicEvent)> = external
        .classic_events()
        .iter()
        .map(|(classic, event)| (format!("{CLASSIC_PREFIX}{classic}"), (classic.as_str(), event)))
        .filter(|(event_type, _)| !events.contains_key(event_type))
        .collect();
    let classic_source: Rc<str> = Rc::from(CLASSIC_EVENTS_SOURCE);

    let mut lowering = Lowering::new(specs, NameSet::forbidding(exports::forbidden()));
    // Event kinds and their aliases claim their names first: they are the API users type.
    let mut kinds: BTreeMap<String, &str> = BTreeMap::new();
    let mut names = BTreeMap::new();
    let every_type =
        events
            .iter()
            .map(|(event_type, event)| (event_type, event.location(specs)))
            .chain(snapshot_only.iter().map(|(event_type, (classic, _))| {
                (event_type, Location::schema(0, &classic_source, classic))
            }));
    for (event_type, at) in every_type {
        let kind = names::event_kind(event_type);
        if let Some(other) = kinds.insert(kind.clone(), event_type) {
            return Err(at.error(format!(
                "event types `{other}` and `{event_type}` would both be named `{kind}`"
            )));
        }
        let claimed = (
            lowering.claim(&kind, &at)?,
            lowering.claim(&format!("{kind}EventNotification"), &at)?,
            lowering.claim(&format!("{kind}Event"), &at)?,
        );
        names.insert(event_type.clone(), claimed);
    }

    let context = RelatedContext {
        resources: &resources,
        external,
    };
    let mut lowered = Vec::with_capacity(events.len() + snapshot_only.len());
    for (event_type, event) in &events {
        let at = event.location(specs);
        let (kind, notification, fetched) = names.remove(event_type).unwrap_or_default();
        let view =
            object_view(event.schema).ok_or_else(|| at.error("a thin event schema must be an object"))?;
        let data = match view.properties.get("data") {
            Some(data) => {
                let at = at.field("data");
                let schema = lowering.resolve(data.into(), &at)?;
                lowering.lower_struct(schema, Naming::Hint(format!("{kind}EventData")), &at)?
            }
            None => TypeRef::Json,
        };
        let changes = match view.properties.get("changes") {
            Some(changes) => {
                let at = at.field("changes");
                let schema = lowering.resolve(changes.into(), &at)?;
                strip_optional(lowering.lower(schema, Naming::Hint(format!("{kind}EventChanges")), &at)?)
            }
            None => TypeRef::Json,
        };
        let related = match view.properties.get("related_object") {
            None => Related::None,
            Some(related) => {
                let at = at.field("related_object");
                let schema = lowering.resolve(related.into(), &at)?;
                related_shape(event_type, event.schema, schema, &context, &mut lowering, &at)?
            }
        };
        lowered.push(Event {
            method: names::on_method(event_type),
            event_type: event_type.clone(),
            spec: spec_name(specs, event.spec),
            schema: event.key.to_owned(),
            kind,
            notification,
            fetched,
            description: event.schema.schema_data.description.clone(),
            related,
            data,
            changes,
            thin: true,
            snapshot: event_type
                .strip_prefix(CLASSIC_PREFIX)
                .and_then(|classic| Some(external.classic_events().get(classic)?.snapshot(classic))),
        });
    }
    for (event_type, (classic, event)) in snapshot_only {
        let (kind, notification, fetched) = names.remove(&event_type).unwrap_or_default();
        lowered.push(Event {
            method: names::on_method(&event_type),
            spec: CLASSIC_EVENTS_SOURCE.to_owned(),
            schema: classic.to_owned(),
            kind,
            notification,
            fetched,
            description: event.description.clone(),
            related: Related::None,
            data: TypeRef::Json,
            changes: TypeRef::Json,
            thin: false,
            snapshot: Some(event.snapshot(classic)),
            event_type,
        });
    }
    lowered.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    Ok(Parsed {
        catalog: Catalog {
            api_version: first.api_version().to_owned(),
            specs: specs
                .iter()
                .map(|spec| SpecSource {
                    name: spec.name.to_string(),
                    api_version: spec.api_version().to_owned(),
                    sha256: spec.sha256.clone(),
                })
                .collect(),
            events: lowered,
            types: dedup(lowering.into_types()),
        },
        overlaps,
    })
}

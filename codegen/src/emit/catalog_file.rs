//! `catalog.rs`: one row per event type, for the runtime's `event_catalog!`. Rows are written
//! as text, one event type to a row, so that the file reads as the table it is.

use std::fmt::Write as _;

use super::objects_file::{choice_features, choice_name};
use super::rust::{doc_lines, type_text};
use crate::error::Error;
use crate::ir::{Catalog, Event, Related, RelatedResource};

pub(super) fn contents(catalog: &Catalog) -> Result<String, Error> {
    let mut out = String::from(
        "//! The catalog: one row per event type, which the runtime's `event_catalog!` turns into\n\
         //! the kinds, their notification and event aliases, and the `on_*` methods. A row with\n\
         //! `snapshot` also serves the type's classic snapshot events; `snapshot_only` marks a type\n\
         //! Stripe sends only so.\n\n\
         #[allow(unused_imports)]\nuse crate::schemas::*;\n\n\
         stripe_notify_runtime::event_catalog! {\n",
    );
    let _ = writeln!(out, "    api_version: {:?};", catalog.api_version);
    for (index, event) in catalog.events.iter().enumerate() {
        row(&mut out, index, event);
    }
    out.push_str("}\n");
    // The rows are text: check that they are Rust before anyone compiles them.
    syn::parse_file(&out).map_err(|e| Error::Emit(format!("catalog.rs: {e}")))?;
    Ok(out)
}

fn row(out: &mut String, index: usize, event: &Event) {
    for line in doc_lines(event.description.as_deref()) {
        let _ = writeln!(out, "    ///{line}");
    }
    let _ = writeln!(
        out,
        "    {} = {index} {:?} {} ({}, {})",
        event.kind, event.event_type, event.method, event.notification, event.fetched
    );
    let _ = writeln!(
        out,
        "        data {}, changes {},",
        type_text(&event.data),
        type_text(&event.changes)
    );
    let (shape, resource) = match &event.related {
        Related::Object(related) => (related_column("Object", related), Some(related)),
        Related::Singleton(related) => (related_column("Singleton", related), Some(related)),
        Related::None => ("None".to_owned(), None),
    };
    let _ = writeln!(out, "        related {shape},");
    let resource_type = resource
        .and_then(|r| r.resource.as_ref())
        .map_or_else(|| "serde_json::Value".to_owned(), type_text);
    let external = resource
        .and_then(|r| r.external.as_ref())
        .map(|external| format!(" | {:?} {}", external.feature, external.path))
        .unwrap_or_default();
    let snapshot = event.snapshot.as_ref().map(|snapshot| {
        let objects: Vec<String> = snapshot
            .objects
            .iter()
            .map(|(object, _)| format!("{object:?}"))
            .collect();
        // One object type: its own crate's type with that crate's feature. Several (a bank
        // account or a card): their choice in `objects.rs`, when every type's feature is on.
        let typed = match (snapshot.objects.as_slice(), choice_name(&snapshot.objects)) {
            ([(_, external)], _) => format!(" | {:?} {}", external.feature, external.path),
            (objects, Some(choice)) => {
                let features: Vec<String> = choice_features(objects)
                    .into_iter()
                    .map(|feature| format!("{feature:?}"))
                    .collect();
                format!(" | {} crate::objects::{choice}", features.join(" "))
            }
            ([], None) | (_, None) => String::new(),
        };
        format!(
            ",\n        {} {:?} [{}] object serde_json::Value{typed}",
            if event.thin { "snapshot" } else { "snapshot_only" },
            snapshot.event_type,
            objects.join(", ")
        )
    });
    let _ = writeln!(
        out,
        "        resource {resource_type}{external}{};",
        snapshot.unwrap_or_default()
    );
}

/// `Object("invoice", "/v1/invoices/{id}", "in_1" @ "/v1/invoices/in_1")`.
fn related_column(shape: &str, related: &RelatedResource) -> String {
    let example = related.example.as_ref().map(|example| {
        let id = example
            .id
            .as_ref()
            .map(|id| format!("{id:?} "))
            .unwrap_or_default();
        format!(", {id}@ {:?}", example.url)
    });
    format!(
        "{shape}({:?}, {:?}{})",
        related.object_type,
        related.url_template,
        example.unwrap_or_default()
    )
}

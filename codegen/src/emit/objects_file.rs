//! `objects.rs`: the choices of object a classic event carries when its `data.object` may be
//! one of several types (`customer.source.created`: a bank account, a card or a source), each an
//! enum of async-stripe's types read as the one the object's `object` names. Written as text
//! for the runtime's `object_choice!`, as the catalog is.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use heck::ToUpperCamelCase;

use crate::error::Error;
use crate::ir::{Catalog, ExternalType};

/// The object types a classic event may carry, with their types in other crates.
type Objects = [(String, ExternalType)];

/// The choice's name, from its object types: `BankAccountOrCardOrSource`. `None` for a single
/// object type, which is its own crate's type.
pub(super) fn choice_name(objects: &Objects) -> Option<String> {
    (objects.len() > 1).then(|| {
        objects
            .iter()
            .map(|(object, _)| object.to_upper_camel_case())
            .collect::<Vec<_>>()
            .join("Or")
    })
}

/// The features that bring every type of the choice, sorted: the choice exists when all are on.
pub(super) fn choice_features(objects: &Objects) -> BTreeSet<&str> {
    objects
        .iter()
        .map(|(_, external)| external.feature.as_str())
        .collect()
}

pub(super) fn contents(catalog: &Catalog) -> Result<String, Error> {
    // Each choice once, with the classic types that carry it.
    let mut choices: BTreeMap<String, (&Objects, Vec<&str>)> = BTreeMap::new();
    for snapshot in catalog.events.iter().filter_map(|event| event.snapshot.as_ref()) {
        let Some(name) = choice_name(&snapshot.objects) else {
            continue;
        };
        let (objects, event_types) = choices
            .entry(name)
            .or_insert_with(|| (&snapshot.objects, Vec::new()));
        // One name, one enum: the same object types in other crates' types would be another.
        if *objects != snapshot.objects.as_slice() {
            return Err(Error::Emit(format!(
                "objects.rs: `{}` carries the object types of `{}` as other types",
                snapshot.event_type,
                event_types.first().copied().unwrap_or_default()
            )));
        }
        event_types.push(&snapshot.event_type);
    }
    let mut out = String::from(
        "//! The objects of the classic events whose `data.object` may be one of several types,\n\
         //! each an enum of async-stripe's types that reads the variant the object's `object`\n\
         //! names. A callback gets one from `Snapshot::object()` when the features of its types\n\
         //! are on.\n",
    );
    for (name, (objects, event_types)) in &choices {
        choice(&mut out, name, objects, event_types);
    }
    // The rows are text: check that they are Rust before anyone compiles them.
    syn::parse_file(&out).map_err(|e| Error::Emit(format!("objects.rs: {e}")))?;
    Ok(out)
}

fn choice(out: &mut String, name: &str, objects: &Objects, event_types: &[&str]) {
    let listed: Vec<String> = objects.iter().map(|(object, _)| format!("`{object}`")).collect();
    let carried: Vec<String> = event_types.iter().map(|t| format!("`{t}`")).collect();
    let features: Vec<String> = choice_features(objects)
        .into_iter()
        .map(|feature| format!("feature = {feature:?}"))
        .collect();
    // `all(..)` only when there are several: clippy asks generated code for the minimal cfg too.
    let cfg = match features.as_slice() {
        [one] => one.clone(),
        several => format!("all({})", several.join(", ")),
    };
    let _ = write!(
        out,
        "\n#[cfg({cfg})]\nstripe_notify_runtime::object_choice! {{\n    \
         /// The object of a classic {} event: {}, as its `object` says.\n    \
         #[derive(Clone)]\n    pub enum {name} {{\n",
        carried.join(", "),
        listed.join(" or "),
    );
    for (object, external) in objects {
        let _ = writeln!(
            out,
            "        /// An object whose `object` is `{object}`.\n        {} = {object:?} {},",
            object.to_upper_camel_case(),
            external.path
        );
    }
    out.push_str("    }\n}\n");
}

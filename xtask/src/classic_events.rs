//! The classic (snapshot) event types and the object each carries, read from
//! async-stripe-webhook's generated `EventObject`: its `from_raw_data` names each type's variant,
//! the variant's boxed type is the object's type (or an enum of several, tagged by `object`), and
//! the variant's doc comment is Stripe's description of the type.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// One object type a classic event may carry: its async-stripe type, by path.
pub(crate) struct ObjectType {
    pub(crate) object: String,
    pub(crate) path: String,
}

/// One classic event type.
pub(crate) struct ClassicEvent {
    pub(crate) description: String,
    pub(crate) objects: Vec<ObjectType>,
}

/// The classic event types in `source` (async-stripe-webhook's `src/generated/mod.rs`), with
/// `object_of` telling the object type a type path serializes as.
pub(crate) fn read(
    source: &str,
    object_of: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, ClassicEvent>, String> {
    let variants = event_object_variants(source)?;
    let enums = tagged_enums(source);
    let mut events = BTreeMap::new();
    for (event_type, variant) in dispatched_types(source) {
        let (description, boxed) = variants
            .get(variant)
            .ok_or_else(|| format!("`{event_type}`: no EventObject variant {variant}"))?;
        let objects = match enums.get(boxed.as_str()) {
            Some(tagged) => tagged
                .iter()
                .map(|(object, path)| ObjectType {
                    object: object.clone(),
                    path: path.clone(),
                })
                .collect(),
            None => vec![ObjectType {
                object: object_of(boxed).ok_or_else(|| {
                    format!("`{event_type}`: no async-stripe type {boxed} serializes an `object`")
                })?,
                path: boxed.clone(),
            }],
        };
        events.insert(
            event_type.to_owned(),
            ClassicEvent {
                description: description.clone(),
                objects,
            },
        );
    }
    if events.is_empty() {
        return Err("found no classic event type in async-stripe-webhook's sources".into());
    }
    Ok(events)
}

/// The JSON the map keeps them as.
pub(crate) fn to_json(events: &BTreeMap<String, ClassicEvent>, crate_of: impl Fn(&str) -> String) -> Value {
    let entries: serde_json::Map<String, Value> = events
        .iter()
        .map(|(event_type, event)| {
            let objects: serde_json::Map<String, Value> = event
                .objects
                .iter()
                .map(|o| {
                    (
                        o.object.clone(),
                        json!({ "type": o.path, "crate": crate_of(&o.path) }),
                    )
                })
                .collect();
            (
                event_type.clone(),
                json!({ "description": event.description, "objects": objects }),
            )
        })
        .collect();
    Value::Object(entries)
}

/// `(event type, variant)` from `from_raw_data`: `if typ == "<type>" { return
/// parse_and_box(data).map(Self::<Variant>);`.
fn dispatched_types(source: &str) -> Vec<(&str, &str)> {
    const TYPE: &str = "if typ == \"";
    const VARIANT: &str = ".map(Self::";
    let body = source
        .find("fn from_raw_data")
        .and_then(|at| source.get(at..))
        .unwrap_or("");
    let body = body
        .get(..body.find("\n    }\n").unwrap_or(body.len()))
        .unwrap_or("");
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(TYPE) {
        rest = rest.get(at + TYPE.len()..).unwrap_or("");
        let event_type = rest.get(..rest.find('"').unwrap_or(0)).unwrap_or("");
        let variant = rest
            .find(VARIANT)
            .and_then(|at| rest.get(at + VARIANT.len()..))
            .and_then(|tail| tail.get(..tail.find(')')?))
            .unwrap_or("");
        if !event_type.is_empty() && !variant.is_empty() {
            found.push((event_type, variant));
        }
    }
    found
}

/// `EventObject`'s variants: name → (doc comment, boxed type path).
fn event_object_variants(source: &str) -> Result<BTreeMap<&str, (String, String)>, String> {
    let body = source
        .find("pub enum EventObject {")
        .and_then(|at| source.get(at..))
        .ok_or("async-stripe-webhook has no `pub enum EventObject`")?;
    let body = body.get(..body.find("\n}").unwrap_or(body.len())).unwrap_or("");
    let mut variants = BTreeMap::new();
    let mut doc = Vec::new();
    let mut rest = body.lines().skip(1);
    while let Some(line) = rest.next() {
        let line = line.trim();
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.trim().to_owned());
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some((name, tail)) = line.split_once('(') else {
            doc.clear();
            continue;
        };
        // A variant's type may be on the next line (`Variant(\n Box<path>,\n)`).
        let mut text = tail.to_owned();
        while !text.contains('>') {
            match rest.next() {
                Some(next) => text.push_str(next.trim()),
                None => break,
            }
        }
        if let Some(path) = text
            .split_once("Box<")
            .and_then(|(_, tail)| tail.split_once('>'))
            .map(|(path, _)| path)
        {
            variants.insert(name, (doc.join(" "), path.to_owned()));
        }
        doc.clear();
    }
    Ok(variants)
}

/// The enums of several objects (`AccountExternalAccountCreated`): enum → `(object, type path)`,
/// from each variant's `serde(rename = "<object>")` and type.
fn tagged_enums(source: &str) -> BTreeMap<&str, Vec<(String, String)>> {
    const RENAME: &str = "serde(rename = \"";
    let mut enums = BTreeMap::new();
    for block in source.split("\npub enum ").skip(1) {
        let Some((name, body)) = block.split_once(" {") else {
            continue;
        };
        if name == "EventObject" {
            continue;
        }
        let body = body.get(..body.find("\n}").unwrap_or(body.len())).unwrap_or("");
        let mut variants = Vec::new();
        let mut lines = body.lines();
        while let Some(line) = lines.next() {
            let Some(object) = line
                .find(RENAME)
                .and_then(|at| line.get(at + RENAME.len()..))
                .and_then(|tail| tail.get(..tail.find('"')?))
            else {
                continue;
            };
            let path = lines
                .next()
                .and_then(|next| next.split_once('('))
                .and_then(|(_, tail)| tail.split_once(')'))
                .map(|(path, _)| path.trim().to_owned());
            if let Some(path) = path {
                variants.push((object.to_owned(), path));
            }
        }
        if !variants.is_empty() {
            enums.insert(name, variants);
        }
    }
    enums
}

#[cfg(test)]
mod tests {
    use super::read;

    const SOURCE: &str = r#"
pub enum AccountExternalAccountCreated {
    #[cfg_attr(any(feature = "deserialize", feature = "serialize"), serde(rename = "bank_account"))]
    BankAccount(stripe_shared::BankAccount),
    #[cfg_attr(any(feature = "deserialize", feature = "serialize"), serde(rename = "card"))]
    Card(stripe_shared::Card),
}

pub enum EventObject {
    /// Occurs whenever an external account is created.
    AccountExternalAccountCreated(Box<AccountExternalAccountCreated>),
    /// Occurs whenever a customer's entitlements change.
    #[cfg(feature = "async-stripe-misc")]
    EntitlementsActiveEntitlementSummaryUpdated(
        Box<stripe_misc::EntitlementsActiveEntitlementSummary>,
    ),
    /// Occurs whenever an invoice payment attempt succeeds
    /// or an invoice is marked as paid out-of-band.
    InvoicePaid(Box<stripe_shared::Invoice>),
    Unknown(miniserde::json::Value),
}
impl EventObject {
    pub(crate) fn from_raw_data(typ: &str, data: miniserde::json::Value) -> Option<Self> {
        if typ == "account.external_account.created" {
            return parse_and_box(data).map(Self::AccountExternalAccountCreated);
        }
        #[cfg(feature = "async-stripe-misc")]
        if typ == "entitlements.active_entitlement_summary.updated" {
            return parse_and_box(data).map(Self::EntitlementsActiveEntitlementSummaryUpdated);
        }
        if typ == "invoice.paid" {
            return parse_and_box(data).map(Self::InvoicePaid);
        }
        Some(Self::Unknown(data))
    }
}
"#;

    #[test]
    fn reads_each_type_its_objects_and_description() {
        let events = read(SOURCE, |path| {
            Some(
                match path {
                    "stripe_shared::Invoice" => "invoice",
                    "stripe_misc::EntitlementsActiveEntitlementSummary" => {
                        "entitlements.active_entitlement_summary"
                    }
                    _ => return None,
                }
                .to_owned(),
            )
        })
        .unwrap();
        /// Type, `(object, type path)`s, description.
        type Summary<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
        let summary: Vec<Summary<'_>> = events
            .iter()
            .map(|(t, e)| {
                (
                    t.as_str(),
                    e.objects
                        .iter()
                        .map(|o| (o.object.as_str(), o.path.as_str()))
                        .collect(),
                    e.description.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "account.external_account.created",
                    vec![
                        ("bank_account", "stripe_shared::BankAccount"),
                        ("card", "stripe_shared::Card")
                    ],
                    "Occurs whenever an external account is created."
                ),
                (
                    "entitlements.active_entitlement_summary.updated",
                    vec![(
                        "entitlements.active_entitlement_summary",
                        "stripe_misc::EntitlementsActiveEntitlementSummary"
                    )],
                    "Occurs whenever a customer's entitlements change."
                ),
                (
                    "invoice.paid",
                    vec![("invoice", "stripe_shared::Invoice")],
                    "Occurs whenever an invoice payment attempt succeeds or an invoice is marked as paid out-of-band."
                ),
            ]
        );
    }

    #[test]
    fn a_type_no_crate_serializes_is_an_error_naming_it() {
        let error = read(SOURCE, |_| None).err().unwrap();
        assert!(
            error.contains("stripe_misc::EntitlementsActiveEntitlementSummary"),
            "{error}"
        );
    }
}

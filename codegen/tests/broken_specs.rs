//! A spec the generator cannot handle fails with an error naming the schema and the field;
//! never a panic, never an event silently dropped.

mod common;

use serde_json::{Value, json};
use stripe_notify_codegen::{Error, generate};

/// The fixture with `edit` applied to its parsed JSON.
fn fixture_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut spec: Value = serde_json::from_str(&common::fixture()).expect("fixture is JSON");
    edit(&mut spec);
    spec.to_string()
}

fn schemas(spec: &mut Value) -> &mut serde_json::Map<String, Value> {
    spec["components"]["schemas"]
        .as_object_mut()
        .expect("schemas object")
}

fn error_for(spec: &str) -> Error {
    generate(spec, &common::source("broken.json")).expect_err("the spec must be rejected")
}

fn assert_names(error: &Error, schema: &str, field: &str, problem: &str) {
    match error {
        Error::Schema {
            schema: s,
            field: f,
            problem: p,
        } => {
            assert_eq!((s.as_str(), f.as_str()), (schema, field), "{error}");
            assert!(p.contains(problem), "{error}");
        }
        other => panic!("expected a schema error, got {other}"),
    }
    let message = error.to_string();
    assert!(message.contains(schema) && message.contains(field), "{message}");
}

#[test]
fn missing_event_type() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.balance.available"]["x-stripeEvent"] = json!({"kind": "thin"});
    });
    assert_names(
        &error_for(&spec),
        "v1.balance.available",
        "x-stripeEvent.type",
        "needs its type string",
    );
}

#[test]
fn type_enum_disagreeing_with_the_event_type() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.balance.available"]["properties"]["type"]["enum"] = json!(["v1.balance.updated"]);
    });
    assert_names(&error_for(&spec), "v1.balance.available", "type", "disagrees");
}

#[test]
fn two_events_with_the_same_type() {
    let spec = fixture_with(|s| {
        let copy = schemas(s)["v1.balance.available"].clone();
        schemas(s).insert("v1.balance.available.copy".into(), copy);
    });
    let error = error_for(&spec);
    assert_names(
        &error,
        "v1.balance.available.copy",
        "x-stripeEvent.type",
        "also defined by schema",
    );
    assert!(error.to_string().contains("`v1.balance.available`"), "{error}");
}

#[test]
fn unsupported_constructs_name_schema_and_field() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.billing.meter.error_report_triggered"]["properties"]["data"]["properties"]["reason"]
            ["properties"]["error_count"] = json!({"not": {"type": "string"}});
    });
    assert_names(
        &error_for(&spec),
        "v1.billing.meter.error_report_triggered",
        "data.reason.error_count",
        "`not` is not supported",
    );

    let spec = fixture_with(|s| {
        schemas(s)["balance_amount"]["properties"]["currency"] =
            json!({"allOf": [{"type": "string"}, {"type": "object"}]});
    });
    assert_names(&error_for(&spec), "balance_amount", "currency", "allOf");
}

#[test]
fn dangling_reference() {
    let spec = fixture_with(|s| {
        schemas(s)["balance"]["properties"]["available"]["items"] =
            json!({"$ref": "#/components/schemas/nope"});
    });
    assert_names(&error_for(&spec), "balance", "available[]", "does not define");
}

#[test]
fn not_json_empty_and_not_openapi() {
    for text in ["", "   ", "not json at all", "{\"openapi\": ", "[1, 2, 3]"] {
        assert!(matches!(error_for(text), Error::NotASpec(_)), "{text:?}");
    }
}

#[test]
fn a_spec_without_thin_events() {
    let spec = fixture_with(|s| {
        for (_, schema) in schemas(s).iter_mut() {
            if let Some(object) = schema.as_object_mut() {
                object.remove("x-stripeEvent");
            }
        }
    });
    assert_eq!(error_for(&spec), Error::NoThinEvents);
}

#[test]
fn classic_snapshot_events_are_not_thin_events() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.balance.available"]["x-stripeEvent"] = json!({"type": "balance.available"});
    });
    let catalog = stripe_notify_codegen::parse(&spec).expect("the rest still generates");
    assert!(
        catalog
            .events
            .iter()
            .all(|e| e.event_type != "v1.balance.available")
    );
    assert_eq!(catalog.events.len(), 3);
}

/// Inputs the fuzzer found crashing the generator, kept as regressions.
#[test]
fn fuzz_crash_inputs_are_errors() {
    // openapiv3 panicked ("somehow this parsed successfully the second time") on a schema that
    // failed its first parse but passed as a `serde_json::Value`.
    let text = include_str!("data/fuzz-spec-duplicate-key.json");
    assert!(generate(text, &common::source("fuzz.json")).is_err());
}

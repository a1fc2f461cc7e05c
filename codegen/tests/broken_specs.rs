//! A spec the generator cannot handle fails with an error naming the spec file, the schema and
//! the field; never a panic, never an event silently dropped.

mod common;

use serde_json::{Value, json};
use stripe_notify_codegen::Error;

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
    match common::generate_from(&[("broken.json", spec)]) {
        Ok(_) => panic!("the spec must be rejected"),
        Err(error) => error,
    }
}

fn assert_names(error: &Error, schema: &str, field: &str, problem: &str) {
    match error {
        Error::Schema {
            spec,
            schema: s,
            field: f,
            problem: p,
        } => {
            assert_eq!(
                (spec.as_str(), s.as_str(), f.as_str()),
                ("broken.json", schema, field),
                "{error}"
            );
            assert!(p.contains(problem), "{error}");
        }
        other => panic!("expected a schema error, got {other}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("broken.json") && message.contains(schema) && message.contains(field),
        "{message}"
    );
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
        let error = error_for(text);
        assert!(
            matches!(&error, Error::NotASpec { spec, .. } if spec == "broken.json"),
            "{text:?}: {error}"
        );
        assert!(error.to_string().starts_with("broken.json: "), "{error}");
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
    let error = common::generate_from(&[("broken.json", &spec)]).expect_err("nothing to generate");
    assert_eq!(
        error,
        Error::NoThinEvents {
            specs: "broken.json".into()
        }
    );
}

#[test]
fn classic_snapshot_events_are_not_thin_events() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.balance.available"]["x-stripeEvent"] = json!({"type": "balance.available"});
    });
    let parsed = stripe_notify_codegen::parse(&[common::spec("fixture.json", &spec)], &common::external())
        .expect("the rest still generates");
    let catalog = parsed.catalog;
    // Not a thin event; the classic type's own row (from the map of classic types) remains.
    assert!(
        catalog
            .events
            .iter()
            .all(|e| e.event_type != "v1.balance.available" || !e.thin)
    );
    assert_eq!(catalog.events.iter().filter(|e| e.thin).count(), 3);
}

/// Inputs the fuzzer found crashing the generator, kept as regressions.
#[test]
fn fuzz_crash_inputs_are_errors() {
    // openapiv3 panicked ("somehow this parsed successfully the second time") on a schema that
    // failed its first parse but passed as a `serde_json::Value`.
    let text = include_str!("data/fuzz-spec-duplicate-key.json");
    assert!(common::generate_from(&[("fuzz.json", text)]).is_err());
}

#[test]
fn related_objects_of_an_unknown_shape() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.billing.meter.error_report_triggered"]["properties"]["related_object"]["properties"]
            .as_object_mut()
            .expect("properties")
            .remove("type");
    });
    assert_names(
        &error_for(&spec),
        "v1.billing.meter.error_report_triggered",
        "related_object.type",
        "needs a `type` enum",
    );

    let spec = fixture_with(|s| {
        schemas(s)["v1.billing.meter.error_report_triggered"]["properties"]["related_object"] =
            json!({"type": "string"});
    });
    assert_names(
        &error_for(&spec),
        "v1.billing.meter.error_report_triggered",
        "related_object",
        "must be an object",
    );
}

#[test]
fn a_spec_type_named_like_a_runtime_item() {
    // `x-resourceId: notification` would be the type `Notification`, which the crate re-exports
    // from the runtime.
    let spec = fixture_with(|s| {
        schemas(s)["balance"]["x-resourceId"] = json!("notification");
        schemas(s)["v1.balance.available"]["properties"]["related_object"]["properties"]["type"]["enum"] =
            json!(["notification"]);
    });
    assert_names(&error_for(&spec), "balance", "", "`Notification`");
}

#[test]
fn two_event_types_with_one_name() {
    let spec = fixture_with(|s| {
        let mut copy = schemas(s)["v1.balance.available"].clone();
        copy["x-stripeEvent"]["type"] = json!("v1.balance_available");
        copy["properties"]["type"]["enum"] = json!(["v1.balance_available"]);
        schemas(s).insert("v1.balance_available".into(), copy);
    });
    assert_names(
        &error_for(&spec),
        "v1.balance_available",
        "",
        "would both be named `V1BalanceAvailable`",
    );
}

#[test]
fn two_specs_disagreeing_about_a_type_is_no_error() {
    let spec = fixture_with(|s| {
        schemas(s)["v1.balance.available"]["description"] = json!("Another description.");
    });
    let generated = common::generate_from(&[("fixture.json", &common::fixture()), ("other.json", &spec)])
        .expect("the first spec wins");
    assert!(
        generated
            .overlaps
            .iter()
            .any(|o| o.name == "v1.balance.available" && o.used == "fixture.json" && !o.same_shape)
    );
}

#[test]
fn a_broken_map_of_classic_types_is_refused_naming_the_type() {
    use stripe_notify_codegen::ResourceMap;
    let not_a_path = r#"{"resources": {}, "classic_events": {"invoice.paid": {"objects": {"invoice": {"crate": "c", "type": "not a path"}}}}}"#;
    let error = ResourceMap::from_json(not_a_path).unwrap_err().to_string();
    assert!(
        error.contains("invoice.paid") && error.contains("not a path"),
        "{error}"
    );
    let no_object = r#"{"resources": {}, "classic_events": {"invoice.paid": {"objects": {}}}}"#;
    let error = ResourceMap::from_json(no_object).unwrap_err().to_string();
    assert!(
        error.contains("invoice.paid") && error.contains("no object type"),
        "{error}"
    );
    let wrong_shape = r#"{"resources": {}, "classic_events": {"invoice.paid": ["invoice"]}}"#;
    assert!(ResourceMap::from_json(wrong_shape).is_err());
}

//! The generator's output for the hand-written fixture spec: a snapshot of every file, a crate
//! built from it compiles, and several specs make one crate.

mod common;

use expect_test::expect_file;
use serde_json::{Value, json};
use stripe_notify_codegen::ir::{Related, TypeRef};

#[test]
fn output_matches_the_snapshots() {
    let files = common::generate_fixture();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["catalog.rs", "lib.rs", "objects.rs", "schemas.rs"]);
    let snapshots = [
        expect_file!["snapshots/fixture/catalog.rs.snap"],
        expect_file!["snapshots/fixture/lib.rs.snap"],
        expect_file!["snapshots/fixture/objects.rs.snap"],
        expect_file!["snapshots/fixture/schemas.rs.snap"],
    ];
    for (file, snapshot) in files.iter().zip(snapshots) {
        snapshot.assert_eq(&file.contents);
    }
}

#[test]
fn output_is_deterministic() {
    assert_eq!(common::generate_fixture(), common::generate_fixture());
}

#[test]
fn every_file_starts_with_the_generated_header() {
    for file in common::generate_fixture() {
        let first = file.contents.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(stripe_notify_codegen::HEADER_PREFIX),
            "{}",
            file.path
        );
        assert!(
            first.contains("fixture.json (API version 2026-01-01.fixture, sha256 0000"),
            "{first}"
        );
        assert!(first.ends_with("Do not edit."), "{}", file.path);
    }
}

#[test]
fn fixture_output_compiles_with_and_without_its_external_type() {
    let files = common::generate_fixture();
    common::assert_compiles("fixture", &files, &[]);
    common::assert_compiles("fixture", &files, &["external-meter", "axum", "testing"]);
}

#[test]
fn fixture_ir_has_every_related_object_shape_and_payload_style() {
    let spec = common::fixture();
    let parsed = stripe_notify_codegen::parse(&[common::spec("fixture.json", &spec)], &common::external())
        .expect("fixture parses");
    let catalog = parsed.catalog;
    assert_eq!(catalog.api_version, "2026-01-01.fixture");
    /// Type, method, shape, the spec's resource type, the external type's feature.
    type Summary<'a> = (&'a str, &'a str, &'a str, Option<&'a TypeRef>, Option<&'a str>);
    let summary: Vec<Summary<'_>> = catalog
        .events
        .iter()
        .map(|e| {
            let (shape, resource, external) = match &e.related {
                Related::Object(r) => ("object", r.resource.as_ref(), r.external.as_ref()),
                Related::Singleton(r) => ("singleton", r.resource.as_ref(), r.external.as_ref()),
                Related::None => ("none", None, None),
            };
            let external = external.map(|external| external.feature.as_str());
            (
                e.event_type.as_str(),
                e.method.as_str(),
                shape,
                resource,
                external,
            )
        })
        .collect();
    let named = |n: &str| TypeRef::Named(n.to_owned());
    assert_eq!(
        summary,
        [
            (
                "v1.balance.available",
                "on_v1_balance_available",
                "singleton",
                Some(&named("Balance")),
                None
            ),
            (
                "v1.billing.meter.error_report_triggered",
                "on_v1_billing_meter_error_report_triggered",
                "object",
                None,
                Some("external-meter")
            ),
            (
                "v1.treasury.received_credit.created",
                "on_v1_treasury_received_credit_created",
                "none",
                None,
                None
            ),
            (
                "v2.core.account[requirements].updated",
                "on_v2_core_account_including_requirements_updated",
                "object",
                Some(&named("V2CoreAccount")),
                None
            ),
            (
                "v2.core.account_link.returned",
                "on_v2_core_account_link_returned",
                "none",
                None,
                None
            ),
        ]
    );
    // Styles: a thin type with a classic twin, one of several objects, one only classic, and
    // thin types without one.
    let styles: Vec<(&str, bool, Option<Vec<&str>>)> = catalog
        .events
        .iter()
        .map(|e| {
            let objects = e
                .snapshot
                .as_ref()
                .map(|s| s.objects.iter().map(|(object, _)| object.as_str()).collect());
            (e.event_type.as_str(), e.thin, objects)
        })
        .collect();
    assert_eq!(
        styles,
        [
            ("v1.balance.available", true, Some(vec!["balance"])),
            (
                "v1.billing.meter.error_report_triggered",
                true,
                Some(vec!["billing.meter", "card"])
            ),
            (
                "v1.treasury.received_credit.created",
                false,
                Some(vec!["treasury.received_credit"])
            ),
            ("v2.core.account[requirements].updated", true, None),
            ("v2.core.account_link.returned", true, None),
        ]
    );
}

#[test]
fn a_yaml_spec_generates_the_same_code_as_its_json() {
    let value: Value = serde_json::from_str(&common::fixture()).expect("fixture is JSON");
    let yaml = serde_yaml_ng::to_string(&value).expect("as YAML");
    assert!(!yaml.trim_start().starts_with('{'));
    let from_yaml = common::generate_from(&[("fixture.json", &yaml)]).expect("YAML generates");
    assert_eq!(from_yaml.files, common::generate_fixture());
}

/// A second spec: another API version, one event the fixture has (with another description),
/// one it has not, and a resource both define.
fn second_spec() -> String {
    let mut spec: Value = serde_json::from_str(&common::fixture()).expect("fixture is JSON");
    spec["info"]["version"] = json!("2026-02-02.second");
    let schemas = spec["components"]["schemas"].as_object_mut().expect("schemas");
    let mut added = schemas["v2.core.account_link.returned"].clone();
    added["x-stripeEvent"]["type"] = json!("v2.core.account_link.expired");
    added["properties"]["type"]["enum"] = json!(["v2.core.account_link.expired"]);
    schemas.insert("v2.core.account_link.expired".into(), added);
    schemas["v1.balance.available"]["description"] = json!("The second spec's description.");
    let keep = [
        "v1.balance.available",
        "v2.core.account_link.expired",
        "balance",
        "balance_amount",
    ];
    schemas.retain(|key, _| keep.contains(&key.as_str()));
    spec.to_string()
}

#[test]
fn several_specs_make_one_crate_the_first_winning_where_they_overlap() {
    let (first, second) = (common::fixture(), second_spec());
    let generated = common::generate_from(&[("first.json", &first), ("second.json", &second)])
        .expect("two specs generate");
    let overlaps: Vec<String> = generated.overlaps.iter().map(ToString::to_string).collect();
    assert_eq!(
        overlaps,
        [
            "event type `v1.balance.available`: from first.json, also in second.json (shapes differ)",
            "resource `balance`: from first.json, also in second.json (same shape)",
        ]
    );
    let catalog = common::file(&generated.files, "catalog.rs");
    assert!(
        catalog.contains(r#""v2.core.account_link.expired""#),
        "the second spec's own event"
    );
    assert!(
        catalog.contains("Occurs when your Stripe balance has been updated."),
        "the first wins"
    );
    assert!(!catalog.contains("The second spec's description."));
    assert!(
        catalog.contains(r#"api_version: "2026-01-01.fixture";"#),
        "the first spec's version"
    );
    for file in &generated.files {
        let header = file.contents.lines().next().unwrap_or_default();
        assert!(
            header.contains("first.json (API version 2026-01-01.fixture")
                && header.contains("second.json (API version 2026-02-02.second"),
            "{header}"
        );
    }
    common::assert_compiles("two-specs", &generated.files, &[]);

    let reversed = common::generate_from(&[("second.json", &second), ("first.json", &first)])
        .expect("two specs generate");
    let catalog = common::file(&reversed.files, "catalog.rs");
    assert!(
        catalog.contains("The second spec's description."),
        "now the second wins"
    );
    assert!(catalog.contains(r#"api_version: "2026-02-02.second";"#));
}

//! The generator's output for the hand-written fixture spec: a snapshot of every file, and a
//! crate built from it compiles.

mod common;

use expect_test::expect_file;

#[test]
fn output_matches_the_snapshots() {
    let files = common::generate_fixture();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["events.rs", "handler.rs", "lib.rs", "schemas.rs"]);
    let snapshots = [
        expect_file!["snapshots/fixture/events.rs.snap"],
        expect_file!["snapshots/fixture/handler.rs.snap"],
        expect_file!["snapshots/fixture/lib.rs.snap"],
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
        assert!(
            file.contents.starts_with(stripe_notify_codegen::HEADER_PREFIX),
            "{}",
            file.path
        );
        assert!(
            file.contents
                .lines()
                .next()
                .is_some_and(|l| l.contains("Do not edit")),
            "{}",
            file.path
        );
    }
}

#[test]
fn fixture_output_compiles() {
    common::assert_compiles("fixture", &common::generate_fixture());
}

#[test]
fn ga_spec_output_compiles() {
    let Some(spec) = common::upstream_spec("spec3.v2.sdk.json") else {
        return;
    };
    let files = stripe_notify_codegen::generate(&spec, &common::source("spec3.v2.sdk.json"))
        .expect("GA spec generates");
    common::assert_compiles("ga", &files);
}

#[test]
fn fixture_ir_has_every_related_object_shape() {
    use stripe_notify_codegen::ir::{Related, TypeRef};
    let catalog = stripe_notify_codegen::parse(&common::fixture()).expect("fixture parses");
    assert_eq!(catalog.api_version, "2026-01-01.fixture");
    let summary: Vec<(&str, &str, &str, Option<&TypeRef>)> = catalog
        .events
        .iter()
        .map(|e| {
            let (shape, resource) = match &e.related {
                Related::Object(r) => ("object", r.resource.as_ref()),
                Related::Singleton(r) => ("singleton", r.resource.as_ref()),
                Related::None => ("none", None),
            };
            (e.event_type.as_str(), e.method.as_str(), shape, resource)
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
                Some(&named("Balance"))
            ),
            (
                "v1.billing.meter.error_report_triggered",
                "on_v1_billing_meter_error_report_triggered",
                "object",
                None
            ),
            (
                "v2.core.account[requirements].updated",
                "on_v2_core_account_including_requirements_updated",
                "object",
                Some(&named("V2CoreAccount"))
            ),
            (
                "v2.core.account_link.returned",
                "on_v2_core_account_link_returned",
                "none",
                None
            ),
        ]
    );
}

#[test]
fn a_yaml_spec_generates_the_same_code_as_its_json() {
    let value: serde_json::Value = serde_json::from_str(&common::fixture()).expect("fixture is JSON");
    let yaml = serde_yaml_ng::to_string(&value).expect("as YAML");
    assert!(!yaml.trim_start().starts_with('{'));
    let from_yaml =
        stripe_notify_codegen::generate(&yaml, &common::source("fixture.json")).expect("YAML generates");
    assert_eq!(from_yaml, common::generate_fixture());
}

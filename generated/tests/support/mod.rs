//! What the generated crate's tests share: Stripe's resource fixtures.
#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// Stripe's `fixtures3.json` (realistic v1 resources, as stripe-mock serves them), copied into
/// `spec/` by `.ci/run`. When it is absent the test says so loudly and is skipped, unless
/// `STRIPE_NOTIFY_REQUIRE_SPEC` is set (as in CI): then it fails.
pub fn fixtures() -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures3.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("fixtures3.json is JSON")),
        Err(error) => {
            assert!(
                std::env::var_os("STRIPE_NOTIFY_REQUIRE_SPEC").is_none(),
                "{} is required (STRIPE_NOTIFY_REQUIRE_SPEC is set) but unreadable: {error}",
                path.display()
            );
            eprintln!(
                "\n*** SKIPPED: {} is missing; see spec/README.md ***\n",
                path.display()
            );
            None
        }
    }
}

/// The fixture of resource `object_type` (`invoice`, `billing.meter`), as its JSON text.
pub fn fixture(fixtures: &Value, object_type: &str) -> Option<String> {
    fixtures["resources"].get(object_type).map(Value::to_string)
}

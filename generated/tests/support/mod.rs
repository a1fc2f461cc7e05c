//! What the generated crate's tests share: Stripe's resource fixtures, and a v2 resource.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

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

/// A v2 outbound payment, as the preview spec defines it.
pub const OUTBOUND_PAYMENT: &str = r#"{
  "id": "obp_1",
  "object": "v2.money_management.outbound_payment",
  "amount": {"value": 1000, "currency": "usd"},
  "cancelable": false,
  "created": "2026-10-01T00:00:00.000Z",
  "from": {"debited": {"value": 1000, "currency": "usd"}, "financial_account": "fa_1"},
  "livemode": false,
  "recipient_notification": {"setting": "configured"},
  "statement_descriptor": "ACME",
  "status": "posted",
  "to": {"credited": {"value": 1000, "currency": "usd"}, "payout_method": "pm_1", "recipient": "acct_3"},
  "trace_id": {"status": "supported", "value": "trace_1"}
}"#;

/// An example's binary (`name`, built with the cargo arguments `features`), built by `cargo
/// test` or, when a test runs alone, here, in the same target folder and profile.
pub fn example_binary((name, features): (&str, &[&str])) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap().to_path_buf();
    let binary = profile_dir.join("examples").join(name);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        if !binary.exists() {
            let target = profile_dir.parent().unwrap();
            let status = Command::new(env!("CARGO"))
                .args(["build", "--quiet", "-p", "stripe-notify", "--example", name])
                .args(features)
                .env("CARGO_TARGET_DIR", target)
                .status()
                .unwrap();
            assert!(status.success(), "the {name} example builds");
        }
        built.push(name.to_owned());
    }
    binary
}

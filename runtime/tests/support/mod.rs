//! A small catalog of event kinds, made by the same macro as the generated crate's, so that the
//! runtime is tested without depending on generated code.
#![allow(dead_code)]

use serde::Deserialize;

#[cfg(feature = "inbox-admin")]
pub mod admin;

#[derive(Debug, Deserialize)]
pub struct MeterData {
    pub developer_message_summary: String,
}

stripe_notify_runtime::event_catalog! {
    api_version: "2025-12-15.preview";
    /// A singleton related object.
    BalanceAvailable = 0 "v1.balance.available" on_v1_balance_available (BalanceAvailableNotification, BalanceAvailableEvent)
        data serde_json::Value, changes serde_json::Value,
        related Singleton("balance", "/v1/balance"),
        resource serde_json::Value;
    /// A related object with an id.
    MeterErrorReportTriggered = 1 "v1.billing.meter.error_report_triggered" on_v1_billing_meter_error_report_triggered (MeterNotification, MeterEvent)
        data MeterData, changes serde_json::Value,
        related Object("billing.meter", "/v1/billing/meters/{id}"),
        resource serde_json::Value,
        snapshot "billing.meter.error_report_triggered" ["billing.meter"] object serde_json::Value;
    /// No related object.
    AccountLinkReturned = 2 "v2.core.account_link.returned" on_v2_core_account_link_returned (AccountLinkNotification, AccountLinkEvent)
        data serde_json::Value, changes serde_json::Value,
        related None,
        resource serde_json::Value;
}

/// The catalog under the name the tests use.
pub type TestCatalog = Catalog;

pub const SECRET: &str = "whsec_test_secret";

/// A thin event notification body with these fields (and `"object": "v2.core.event"`).
pub fn body(event_type: &str, extra: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"evt_123","object":"v2.core.event","type":"{event_type}","livemode":false,"created":"2024-09-17T06:20:52.246Z"{extra}}}"#
    )
    .into_bytes()
}

pub const METER_RELATED: &str =
    r#","related_object":{"id":"mtr_123","type":"billing.meter","url":"/v1/billing/meters/mtr_123"}"#;

/// The clock of the tests that sign: Unix seconds.
pub const NOW: i64 = 1_726_554_052;

/// A meter error report notification with event id `id`, and its signature at [`NOW`].
pub fn signed_meter(id: &str) -> (Vec<u8>, String) {
    let body = format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2024-09-17T06:20:52.246Z"{METER_RELATED}}}"#
    )
    .into_bytes();
    let header = stripe_notify_runtime::sign(&body, SECRET, NOW);
    (body, header)
}

/// `prefix` and a random suffix: a name no other test uses.
pub fn unique(prefix: &str) -> String {
    use std::hash::{BuildHasher, RandomState};
    format!("{prefix}_{:016x}", RandomState::new().hash_one(prefix))
}

/// A fresh SQLite file's path, in a folder `folder` of the temporary directory.
pub fn temp_sqlite(folder: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}.sqlite", unique("store")))
}

/// A fresh schema of its own on the test PostgreSQL (its URL), or `None` as [`postgres_url`].
pub async fn postgres_schema() -> Option<String> {
    let url = postgres_url()?;
    Some(
        stripe_notify_runtime::testing::isolated_schema(&url)
            .await
            .expect("a schema of the test's own"),
    )
}

/// The PostgreSQL URL, or `None` (the test says so and stops) when the tests may go without:
/// unless `STRIPE_NOTIFY_REQUIRE_POSTGRES` is set (as `.ci/run` does), when they fail.
pub fn postgres_url() -> Option<String> {
    match std::env::var("STRIPE_NOTIFY_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("STRIPE_NOTIFY_REQUIRE_POSTGRES").is_some() => {
            panic!("STRIPE_NOTIFY_REQUIRE_POSTGRES is set but STRIPE_NOTIFY_POSTGRES_URL is not")
        }
        Err(_) => {
            eprintln!("\n*** SKIPPED: set STRIPE_NOTIFY_POSTGRES_URL to test the PostgreSQL stores ***\n");
            None
        }
    }
}

//! A small catalog of event kinds, made by the same macro as the generated crate's, so that the
//! runtime is tested without depending on generated code.
#![allow(dead_code)]

use serde::Deserialize;

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
        resource serde_json::Value;
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

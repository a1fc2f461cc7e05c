//! A small hand-written catalog of event kinds, shaped like the generated crate's, so that the
//! runtime is tested without depending on generated code.
#![allow(dead_code)]

use serde::Deserialize;
use stripe_notify_runtime::{
    EventCatalog, EventInfo, EventKind, HandlerBuilder, HasNoRelatedObject, HasRelatedObject,
    HasSingletonRelatedObject, KnownEventKind, RelatedInfo, RelatedResourceInfo,
};

pub struct TestCatalog;

impl EventCatalog for TestCatalog {
    const EVENTS: &'static [EventInfo] = &[
        EventInfo {
            event_type: BalanceAvailable::EVENT_TYPE,
            related: RelatedInfo::Singleton(RelatedResourceInfo {
                object_type: Some("balance"),
                url_template: Some("/v1/balance"),
            }),
        },
        EventInfo {
            event_type: MeterErrorReportTriggered::EVENT_TYPE,
            related: RelatedInfo::Object(RelatedResourceInfo {
                object_type: Some("billing.meter"),
                url_template: Some("/v1/billing/meters/{id}"),
            }),
        },
        EventInfo {
            event_type: AccountLinkReturned::EVENT_TYPE,
            related: RelatedInfo::None,
        },
    ];
    const API_VERSION: &'static str = "2025-12-15.preview";
    type Builder = HandlerBuilder<Self>;

    fn index_of(event_type: &str) -> Option<usize> {
        match event_type {
            BalanceAvailable::EVENT_TYPE => Some(0),
            MeterErrorReportTriggered::EVENT_TYPE => Some(1),
            AccountLinkReturned::EVENT_TYPE => Some(2),
            _ => None,
        }
    }
}

macro_rules! kind {
    ($name:ident, $type:literal, $index:literal, $related:ty, $data:ty) => {
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name;
        impl EventKind for $name {
            type Data = $data;
            type RelatedObject = $related;
            type Resource = serde_json::Value;
        }
        impl KnownEventKind for $name {
            const EVENT_TYPE: &'static str = $type;
            const INDEX: usize = $index;
        }
    };
}

#[derive(Debug, Deserialize)]
pub struct MeterData {
    pub developer_message_summary: String,
}

kind!(
    MeterErrorReportTriggered,
    "v1.billing.meter.error_report_triggered",
    1,
    HasRelatedObject,
    MeterData
);
kind!(
    BalanceAvailable,
    "v1.balance.available",
    0,
    HasSingletonRelatedObject,
    serde_json::Value
);
kind!(
    AccountLinkReturned,
    "v2.core.account_link.returned",
    2,
    HasNoRelatedObject,
    serde_json::Value
);

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

//! Recovery of events that never arrived (an outage, a misconfigured endpoint): list them from
//! the Events API and feed each through the handler's own routing. With a ledger, events already
//! processed are skipped, so a recovery can cover a generous window and run again safely.

use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::catalog::EventCatalog;
use crate::dispatch::{Handled, Handler};
use crate::error::ClientError;

/// Which events to recover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryFilter {
    /// Events created at or after this instant (`created[gte]`).
    pub created_from: Option<Timestamp>,
    /// Events created before this instant (`created[lt]`).
    pub created_before: Option<Timestamp>,
    /// Only these event types (`types`); all when empty.
    pub types: Vec<String>,
}

/// What a recovery did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Events that ran through a callback or the fallback.
    pub processed: usize,
    /// Events the ledger holds as processed already.
    pub skipped: usize,
    /// Events whose handling failed: `(event id, error)`. They stay retryable.
    pub failed: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct EventPage {
    data: Vec<Box<RawValue>>,
    #[serde(default)]
    next_page_url: Option<String>,
}

#[derive(Deserialize)]
struct EventId {
    #[serde(default)]
    id: String,
}

const PAGE_SIZE: u32 = 100;

/// `/v2/core/events?limit=100&created[gte]=...&types=...`, values percent-encoded.
fn first_page(filter: &RecoveryFilter) -> String {
    let encode = |value: &str| {
        percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut path = format!("/v2/core/events?limit={PAGE_SIZE}");
    if let Some(from) = filter.created_from {
        let _ = write!(path, "&created[gte]={}", encode(&from.to_string()));
    }
    if let Some(before) = filter.created_before {
        let _ = write!(path, "&created[lt]={}", encode(&before.to_string()));
    }
    for event_type in &filter.types {
        let _ = write!(path, "&types={}", encode(event_type));
    }
    path
}

impl<C: EventCatalog> Handler<C> {
    /// Lists the events `filter` selects from the Events API (`GET /v2/core/events`, every
    /// page) with the handler's client, and routes each as if it had been delivered: its
    /// callback or the fallback, `pre_handle` and the ledger included. The events come over the
    /// authenticated API, so no signature is checked. Fails only when a page cannot be fetched;
    /// an event that fails is counted and recovery goes on.
    pub async fn recover(&self, filter: &RecoveryFilter) -> Result<RecoveryReport, ClientError> {
        let mut report = RecoveryReport::default();
        let mut next = Some(first_page(filter));
        while let Some(path) = next {
            let page: EventPage = self.client().get(&path, None).await?;
            for event in &page.data {
                match self.handle_without_verification(event.get().as_bytes()).await {
                    Ok(Handled::AlreadyProcessed) => report.skipped = report.skipped.saturating_add(1),
                    Ok(_) => report.processed = report.processed.saturating_add(1),
                    Err(error) => {
                        let id = serde_json::from_str::<EventId>(event.get())
                            .map(|e| e.id)
                            .unwrap_or_default();
                        report.failed.push((id, error.to_string()));
                    }
                }
            }
            next = page.next_page_url.filter(|url| !url.is_empty());
        }
        Ok(report)
    }
}

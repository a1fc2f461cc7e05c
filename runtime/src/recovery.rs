//! Recovery of events that never arrived (an outage, a misconfigured endpoint): the Events API's
//! pages of events, and the report of what routing them did. The handler's `recover` feeds each
//! event through its own routing; with a ledger, events already processed are skipped, so a
//! recovery can cover a generous window and run again safely.

use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::client::{self, StripeClient};
use crate::error::{ClientError, HandleError};
use crate::outcome::Handled;

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
#[non_exhaustive]
pub struct RecoveryReport {
    /// Events that ran through a callback or the fallback.
    pub processed: usize,
    /// Events the ledger holds as processed already.
    pub skipped: usize,
    /// Events whose handling failed: `(event id, error)`. They stay retryable.
    pub failed: Vec<(String, String)>,
}

impl RecoveryReport {
    /// Counts what routing `event` (its JSON text) did.
    pub(crate) fn record(&mut self, event: &str, outcome: Result<Handled, HandleError>) {
        match outcome {
            Ok(Handled::AlreadyProcessed) => self.skipped = self.skipped.saturating_add(1),
            Ok(_) => self.processed = self.processed.saturating_add(1),
            Err(error) => {
                let id = serde_json::from_str::<EventId>(event)
                    .map(|e| e.id)
                    .unwrap_or_default();
                self.failed.push((id, error.to_string()));
            }
        }
    }
}

/// A page of the Events API.
#[derive(Deserialize)]
pub(crate) struct EventPage {
    data: Vec<Box<RawValue>>,
    #[serde(default)]
    next_page_url: Option<String>,
}

impl EventPage {
    /// The page's events, as JSON text.
    pub(crate) fn events(&self) -> impl Iterator<Item = &str> {
        self.data.iter().map(|event| event.get())
    }
}

#[derive(Deserialize)]
struct EventId {
    #[serde(default)]
    id: String,
}

const PAGE_SIZE: u32 = 100;

/// The pages of events a filter selects, fetched one after the other.
pub(crate) struct EventPages {
    next: Option<String>,
}

impl EventPages {
    /// `/v2/core/events?limit=100&created[gte]=...&types=...`, values percent-encoded.
    pub(crate) fn new(filter: &RecoveryFilter) -> Self {
        let mut path = format!("/v2/core/events?limit={PAGE_SIZE}");
        if let Some(from) = filter.created_from {
            let _ = write!(path, "&created[gte]={}", client::encode(&from.to_string()));
        }
        if let Some(before) = filter.created_before {
            let _ = write!(path, "&created[lt]={}", client::encode(&before.to_string()));
        }
        for event_type in &filter.types {
            let _ = write!(path, "&types={}", client::encode(event_type));
        }
        Self { next: Some(path) }
    }

    /// The next page, `None` after the last.
    pub(crate) async fn next(&mut self, client: &StripeClient) -> Result<Option<EventPage>, ClientError> {
        let Some(path) = self.next.take() else {
            return Ok(None);
        };
        let page: EventPage = client.get(&path, None).await?;
        self.next = page.next_page_url.clone().filter(|url| !url.is_empty());
        Ok(Some(page))
    }
}

//! The list APIs' pages: `/v2/core/events` (thin, `page` links) and `/v1/events` (snapshot,
//! `starting_after` cursors, at most 20 `types[]` a request), fetched one after the other, at
//! most at the pace asked for.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::time::Instant;

use super::{RecoveryFilter, event_id};
use crate::catalog::EventCatalog;
use crate::client::{self, StripeClient};
use crate::error::ClientError;
use crate::style::EventStyle;

const PAGE_SIZE: u32 = 100;

/// `/v1/events` takes at most this many `types[]` a request.
const TYPES_PER_REQUEST: usize = 20;

/// A page of either list API.
#[derive(Deserialize)]
pub(crate) struct EventPage {
    data: Vec<Box<RawValue>>,
    /// Thin: the next page's path.
    #[serde(default)]
    next_page_url: Option<String>,
    /// Snapshot: whether a page follows the last event of this one.
    #[serde(default)]
    has_more: bool,
}

impl EventPage {
    /// The page's events, as JSON text.
    pub(crate) fn events(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.data.iter().map(|event| event.get())
    }
}

/// One list request's pages: a style, and the path of its next page.
struct Listing {
    style: EventStyle,
    /// The first page's path; a snapshot listing's next pages add `starting_after`.
    first: String,
    next: Option<String>,
}

impl Listing {
    fn new(style: EventStyle, first: String) -> Self {
        Self {
            style,
            next: Some(first.clone()),
            first,
        }
    }

    /// The path of the page after `page`, if any.
    fn after(&self, page: &EventPage) -> Option<String> {
        match self.style {
            EventStyle::Thin => page.next_page_url.clone().filter(|url| !url.is_empty()),
            EventStyle::Snapshot if page.has_more => {
                // The cursor is the page's last event that has an id.
                let last = page.events().rev().map(event_id).find(|id| !id.is_empty())?;
                Some(format!("{}&starting_after={}", self.first, client::encode(&last)))
            }
            EventStyle::Snapshot => None,
        }
    }
}

/// The pages of events a filter selects, fetched one after the other: thin first, then
/// snapshot.
pub(crate) struct EventPages {
    listings: VecDeque<Listing>,
    /// The least time between two requests, for a request rate.
    pace: Duration,
    last_request: Option<Instant>,
}

impl EventPages {
    /// The listings of `filter`, type names as each style has them in catalog `C`.
    pub(crate) fn new<C: EventCatalog>(filter: &RecoveryFilter) -> Self {
        let mut listings = VecDeque::new();
        if let Some(types) = filter.types_for::<C>(EventStyle::Thin) {
            listings.push_back(Listing::new(EventStyle::Thin, thin_path(filter, &types)));
        }
        if let Some(types) = filter.types_for::<C>(EventStyle::Snapshot) {
            if types.is_empty() {
                listings.push_back(Listing::new(EventStyle::Snapshot, snapshot_path(filter, &[])));
            }
            for chunk in types.chunks(TYPES_PER_REQUEST) {
                listings.push_back(Listing::new(EventStyle::Snapshot, snapshot_path(filter, chunk)));
            }
        }
        Self {
            listings,
            pace: Duration::ZERO,
            last_request: None,
        }
    }

    /// At most `per_second` requests a second.
    #[cfg(feature = "inbox")]
    pub(crate) fn at_most_per_second(mut self, per_second: f64) -> Self {
        if per_second > 0.0 && per_second.is_finite() {
            self.pace = Duration::from_secs_f64(1.0 / per_second);
        }
        self
    }

    /// The next page and the style of its events, `None` after the last.
    pub(crate) async fn next(
        &mut self,
        client: &StripeClient,
    ) -> Result<Option<(EventStyle, EventPage)>, ClientError> {
        loop {
            let Some(listing) = self.listings.front_mut() else {
                return Ok(None);
            };
            let Some(path) = listing.next.take() else {
                self.listings.pop_front();
                continue;
            };
            if let Some(next) = self.last_request.and_then(|last| last.checked_add(self.pace)) {
                tokio::time::sleep_until(next).await;
            }
            self.last_request = Some(Instant::now());
            let page: EventPage = client.get(&path, None).await?;
            listing.next = listing.after(&page);
            return Ok(Some((listing.style, page)));
        }
    }
}

/// `/v2/core/events?limit=100&created[gte]=...&types=...`, values percent-encoded.
fn thin_path(filter: &RecoveryFilter, types: &[String]) -> String {
    let mut path = format!("/v2/core/events?limit={PAGE_SIZE}");
    if let Some(from) = filter.created_from {
        let _ = write!(path, "&created[gte]={}", client::encode(&from.to_string()));
    }
    if let Some(before) = filter.created_before {
        let _ = write!(path, "&created[lt]={}", client::encode(&before.to_string()));
    }
    for event_type in types {
        let _ = write!(path, "&types={}", client::encode(event_type));
    }
    path
}

/// `/v1/events?limit=100&created[gte]=<unix>&types[]=...&delivery_success=false`.
fn snapshot_path(filter: &RecoveryFilter, types: &[String]) -> String {
    let mut path = format!("/v1/events?limit={PAGE_SIZE}");
    if let Some(from) = filter.created_from {
        let _ = write!(path, "&created[gte]={}", from.as_second());
    }
    if let Some(before) = filter.created_before {
        // `created[lt]` is in whole seconds: an instant within a second lists that second.
        let before = if before.subsec_nanosecond() == 0 {
            before.as_second()
        } else {
            before.as_second().saturating_add(1)
        };
        let _ = write!(path, "&created[lt]={before}");
    }
    for event_type in types {
        let _ = write!(path, "&types[]={}", client::encode(event_type));
    }
    if filter.undelivered_only {
        path.push_str("&delivery_success=false");
    }
    path
}

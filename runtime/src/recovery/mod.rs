//! Recovery of events that never arrived (an outage, a disabled or misconfigured endpoint): the
//! list APIs' pages of events of both styles (`/v2/core/events` thin, `/v1/events` snapshot),
//! and the report of what routing or storing them did. The handler's `recover` feeds each event
//! through its own routing; with a ledger or an inbox, events already there are skipped, so a
//! recovery can cover a generous window and run again safely.

mod pages;
#[cfg(feature = "inbox")]
mod reconciler;

use jiff::Timestamp;
use serde::Deserialize;

use crate::catalog::EventCatalog;
use crate::error::HandleError;
use crate::outcome::Handled;
use crate::style::EventStyle;

pub(crate) use pages::EventPages;
#[cfg(feature = "inbox")]
pub use reconciler::Reconciler;
#[cfg(feature = "inbox")]
pub(crate) use reconciler::run as run_reconciler;

/// How far back the list APIs go: Stripe keeps events listable for 30 days.
pub const RECOVERY_WINDOW: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Which events to recover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryFilter {
    /// Events created at or after this instant (`created[gte]`).
    pub created_from: Option<Timestamp>,
    /// Events created before this instant (`created[lt]`).
    pub created_before: Option<Timestamp>,
    /// Only these event types; all when empty. Name them as either style does
    /// (`v1.invoice.paid` or `invoice.paid`): a type this crate knows is listed in each style it
    /// arrives in, under that style's name; another goes to the style its name is of (`v1.`,
    /// `v2.`, ... are thin).
    pub types: Vec<String>,
    /// Which payload styles to list.
    pub styles: RecoveryStyles,
    /// Snapshot events only those that no endpoint has acknowledged yet
    /// (`delivery_success=false`: still being retried, or given up on). The thin list API has
    /// no such filter; its events are all listed.
    pub undelivered_only: bool,
}

/// Which payload styles a recovery lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecoveryStyles {
    /// Thin events, from `/v2/core/events`.
    Thin,
    /// Classic snapshot events, from `/v1/events`.
    Snapshot,
    /// Both.
    #[default]
    Both,
}

impl RecoveryStyles {
    /// Whether `style` is listed.
    pub fn includes(self, style: EventStyle) -> bool {
        matches!(
            (self, style),
            (Self::Both, _) | (Self::Thin, EventStyle::Thin) | (Self::Snapshot, EventStyle::Snapshot)
        )
    }
}

impl std::str::FromStr for RecoveryStyles {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "thin" => Ok(Self::Thin),
            "snapshot" => Ok(Self::Snapshot),
            "both" => Ok(Self::Both),
            other => Err(format!("`{other}` is not a style: thin, snapshot or both")),
        }
    }
}

impl RecoveryFilter {
    /// The types to list in `style`, named as that style names them: `None` when the style is
    /// not listed at all (not chosen, or the filter names only types of the other style), an
    /// empty list for every type.
    pub(crate) fn types_for<C: EventCatalog>(&self, style: EventStyle) -> Option<Vec<String>> {
        if !self.styles.includes(style) {
            return None;
        }
        if self.types.is_empty() {
            return Some(Vec::new());
        }
        let mut types: Vec<String> = Vec::new();
        for name in self.types.iter().filter_map(|name| style_name::<C>(name, style)) {
            if !types.contains(&name) {
                types.push(name);
            }
        }
        (!types.is_empty()).then_some(types)
    }
}

/// `name` (either style's) as `style` names it, if events of that name arrive in `style`.
fn style_name<C: EventCatalog>(name: &str, style: EventStyle) -> Option<String> {
    let known = C::info(name).or_else(|| C::snapshot_index_of(name).and_then(|index| C::EVENTS.get(index)));
    match (known, style) {
        (Some(info), EventStyle::Thin) => info.thin.then(|| info.event_type.to_owned()),
        (Some(info), EventStyle::Snapshot) => info.snapshot.map(|s| s.event_type.to_owned()),
        (None, _) => (is_thin_name(name) == (style == EventStyle::Thin)).then(|| name.to_owned()),
    }
}

/// Whether `name` is a thin event's: thin names begin with their API's version, `v1.`, `v2.`.
fn is_thin_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(version, _)| {
        version
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// What a recovery did, per payload style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// Thin events.
    pub thin: RecoveryCounts,
    /// Snapshot events.
    pub snapshot: RecoveryCounts,
    /// Pages fetched.
    pub pages: usize,
}

/// What a recovery did with the events of one style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveryCounts {
    /// Events that ran through a callback or the fallback (`recover`), or that were stored
    /// (`recover_into`): events that had not been received.
    pub processed: usize,
    /// Events the ledger or inbox holds already (delivered, or recovered before).
    pub skipped: usize,
    /// Events whose handling or storing failed, malformed ones included: `(event id, error)`.
    /// They stay recoverable.
    pub failed: Vec<(String, String)>,
}

impl RecoveryReport {
    /// The counts of `style`.
    pub fn counts(&self, style: EventStyle) -> &RecoveryCounts {
        match style {
            EventStyle::Thin => &self.thin,
            EventStyle::Snapshot => &self.snapshot,
        }
    }

    /// Events processed (or stored), both styles.
    pub fn processed(&self) -> usize {
        self.thin.processed.saturating_add(self.snapshot.processed)
    }

    /// Events skipped as there already, both styles.
    pub fn skipped(&self) -> usize {
        self.thin.skipped.saturating_add(self.snapshot.skipped)
    }

    /// Events that failed, both styles: `(event id, error)`.
    pub fn failed(&self) -> impl Iterator<Item = &(String, String)> {
        self.thin.failed.iter().chain(&self.snapshot.failed)
    }

    /// Counts what routing or storing `event` (its JSON text), listed as `style`, did.
    pub(crate) fn record(&mut self, style: EventStyle, event: &str, outcome: Result<Handled, HandleError>) {
        let counts = match style {
            EventStyle::Thin => &mut self.thin,
            EventStyle::Snapshot => &mut self.snapshot,
        };
        match outcome {
            Ok(Handled::AlreadyProcessed) => counts.skipped = counts.skipped.saturating_add(1),
            Ok(_) => counts.processed = counts.processed.saturating_add(1),
            Err(error) => counts.failed.push((event_id(event), error.to_string())),
        }
    }
}

/// The `id` of an event's JSON text, or empty when it has none.
pub(crate) fn event_id(event: &str) -> String {
    #[derive(Deserialize)]
    struct EventId {
        #[serde(default)]
        id: String,
    }
    serde_json::from_str::<EventId>(event)
        .map(|e| e.id)
        .unwrap_or_default()
}

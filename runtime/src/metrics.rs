//! What the crate counts and times through the `metrics` facade (feature `metrics`); the
//! application installs the exporter (Prometheus, StatsD, ...) before building its handler.
//! Label values come from the catalog (a known type's name) or are `unknown`, never from a
//! body: a sender cannot grow the label set.
//!
//! - `stripe_notify_deliveries_total{event_type, outcome}`: what became of each notification
//!   handled (`callback`, `fallback_known`, `fallback_unknown`, `skipped`, `already_processed`,
//!   `refused_signature`, `refused_timestamp`, `refused_payload`, `in_progress`,
//!   `failed_callback`, `failed_ledger`, `failed_inbox`);
//! - `stripe_notify_handle_seconds{event_type}`: `handle`, verification to the callback's end;
//! - `stripe_notify_callback_seconds{event_type}`: the callback (or the fallback) alone;
//! - the inbox's: `stripe_notify_inbox_events{state}` and
//!   `stripe_notify_inbox_oldest_due_age_seconds` (gauges, refreshed by the workers),
//!   `stripe_notify_inbox_attempts_total{outcome}` (`done`, `retrying`, `dead`),
//!   `stripe_notify_inbox_claims_lost_total`, `stripe_notify_inbox_lease_renewals_total`;
//! - recovery's (the reconciler's among them): `stripe_notify_recovery_missed_total{style}`,
//!   the events it found that the endpoint never received.
//!
//! With an inbox, a delivery is counted when a worker routes it (or when the endpoint refuses
//! it), and `handle_seconds` times the worker's attempt.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{Counter, Histogram};

/// Times what is timed: the CPU's counter (`quanta`), a few nanoseconds a read where
/// `std::time::Instant` takes twenty; two are read per callback and two per delivery.
pub(crate) struct Stopwatch(quanta::Instant);

impl Stopwatch {
    /// Starts.
    pub(crate) fn start() -> Self {
        Self(quanta::Instant::now())
    }

    /// The time since the start.
    pub(crate) fn elapsed(&self) -> Duration {
        quanta::Instant::now().saturating_duration_since(self.0)
    }
}

/// What became of a delivery: the `outcome` label. Its discriminant places its handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Callback,
    FallbackKnown,
    FallbackUnknown,
    Skipped,
    AlreadyProcessed,
    RefusedSignature,
    RefusedTimestamp,
    RefusedPayload,
    InProgress,
    FailedCallback,
    FailedLedger,
    FailedInbox,
}

impl Outcome {
    /// How many outcomes there are: a handle for each, per event type.
    const COUNT: usize = Self::FailedInbox as usize + 1;

    fn label(self) -> &'static str {
        match self {
            Self::Callback => "callback",
            Self::FallbackKnown => "fallback_known",
            Self::FallbackUnknown => "fallback_unknown",
            Self::Skipped => "skipped",
            Self::AlreadyProcessed => "already_processed",
            Self::RefusedSignature => "refused_signature",
            Self::RefusedTimestamp => "refused_timestamp",
            Self::RefusedPayload => "refused_payload",
            Self::InProgress => "in_progress",
            Self::FailedCallback => "failed_callback",
            Self::FailedLedger => "failed_ledger",
            Self::FailedInbox => "failed_inbox",
        }
    }
}

/// A handler's handles, per event type of its catalog (and one for `unknown`) and outcome,
/// each registered with the recorder on first use: a delivery costs an increment and two
/// histogram records, no label building.
pub(crate) struct HandlerMetrics {
    event_types: Vec<&'static str>,
    deliveries: Box<[OnceLock<Counter>]>,
    handle_seconds: Box<[OnceLock<Histogram>]>,
    callback_seconds: Box<[OnceLock<Histogram>]>,
}

impl HandlerMetrics {
    /// The handles for a catalog of these event types.
    pub(crate) fn new(event_types: impl Iterator<Item = &'static str>) -> Self {
        let mut event_types: Vec<&'static str> = event_types.collect();
        event_types.push("unknown");
        Self {
            deliveries: cells(event_types.len().saturating_mul(Outcome::COUNT)),
            handle_seconds: cells(event_types.len()),
            callback_seconds: cells(event_types.len()),
            event_types,
        }
    }

    /// The label of the type at `index` (`None`: not known, or not parsed).
    fn slot(&self, index: Option<usize>) -> usize {
        let unknown = self.event_types.len().saturating_sub(1);
        index.filter(|&index| index < unknown).unwrap_or(unknown)
    }

    /// Counts a delivery of the type at `index` and what it came to, and times it.
    pub(crate) fn delivery(&self, index: Option<usize>, outcome: Outcome, took: Duration) {
        let slot = self.slot(index);
        self.count(slot, outcome);
        let event_type = self.event_types.get(slot).copied().unwrap_or("unknown");
        if let Some(cell) = self.handle_seconds.get(slot) {
            cell.get_or_init(
                || metrics::histogram!("stripe_notify_handle_seconds", "event_type" => event_type),
            )
            .record(took);
        }
    }

    /// Counts a delivery the endpoint refused, or could not store, before any type was known.
    #[cfg(feature = "inbox")]
    pub(crate) fn refusal(&self, outcome: Outcome) {
        self.count(self.slot(None), outcome);
    }

    fn count(&self, slot: usize, outcome: Outcome) {
        let event_type = self.event_types.get(slot).copied().unwrap_or("unknown");
        if let Some(cell) = self.deliveries.get(
            slot.saturating_mul(Outcome::COUNT)
                .saturating_add(outcome as usize),
        ) {
            cell.get_or_init(|| {
                metrics::counter!("stripe_notify_deliveries_total", "event_type" => event_type, "outcome" => outcome.label())
            })
            .increment(1);
        }
    }

    /// Times a callback (or the fallback) of the type at `index`.
    pub(crate) fn callback(&self, index: Option<usize>, took: Duration) {
        let slot = self.slot(index);
        let event_type = self.event_types.get(slot).copied().unwrap_or("unknown");
        if let Some(cell) = self.callback_seconds.get(slot) {
            cell.get_or_init(
                || metrics::histogram!("stripe_notify_callback_seconds", "event_type" => event_type),
            )
            .record(took);
        }
    }
}

/// `n` empty cells.
fn cells<T>(n: usize) -> Box<[OnceLock<T>]> {
    (0..n).map(|_| OnceLock::new()).collect()
}

/// The inbox's events per state (`pending`, ...), and how long its oldest due event has
/// waited, as the workers last saw them.
#[cfg(feature = "inbox")]
pub(crate) fn inbox_stats(states: impl IntoIterator<Item = (&'static str, u64)>, oldest_due_age: Duration) {
    for (state, count) in states {
        metrics::gauge!("stripe_notify_inbox_events", "state" => state).set(count as f64);
    }
    metrics::gauge!("stripe_notify_inbox_oldest_due_age_seconds").set(oldest_due_age.as_secs_f64());
}

/// Counts settled attempts: `done`, `retrying` (due again) or `dead`.
#[cfg(feature = "inbox")]
pub(crate) fn inbox_attempt(outcome: &'static str) {
    metrics::counter!("stripe_notify_inbox_attempts_total", "outcome" => outcome).increment(1);
}

/// Counts claims found taken over (their lease ran out) when renewing or settling.
#[cfg(feature = "inbox")]
pub(crate) fn inbox_claims_lost(count: u64) {
    if count > 0 {
        metrics::counter!("stripe_notify_inbox_claims_lost_total").increment(count);
    }
}

/// Counts leases renewed.
#[cfg(feature = "inbox")]
pub(crate) fn inbox_renewals(count: u64) {
    metrics::counter!("stripe_notify_inbox_lease_renewals_total").increment(count);
}

/// Counts an event recovery found that the endpoint never received.
#[cfg(all(feature = "inbox", feature = "client"))]
pub(crate) fn recovery_missed(style: &'static str) {
    metrics::counter!("stripe_notify_recovery_missed_total", "style" => style).increment(1);
}

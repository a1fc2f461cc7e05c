//! Process each event once. Stripe delivers at least once: it retries for days, and the same
//! event can reach two servers at the same moment. A ledger records which event ids are being
//! processed and which are done, so that the handler runs a callback once per event:
//!
//! - a delivery of a done event answers success without running anything;
//! - a delivery while another is processing the same id is refused (and Stripe retries later);
//! - a failed callback releases its claim, so that Stripe's retry runs it again;
//! - a claim left by a process that died expires after the processing timeout.
//!
//! The ledgers are the inbox's stores, on the inbox's table: [`MemoryInbox`] (one process),
//! `SqliteInbox` (one machine, survives restarts; feature `inbox-sqlite`), `PostgresInbox`
//! (several servers sharing a database; feature `inbox-postgres`). A store serves as a ledger
//! (handling inline, once per event) and as an inbox (stored, then handled by workers) alike.
//!
//! [`MemoryInbox`]: crate::inbox::MemoryInbox

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, as ledger methods return (the trait is used as `dyn EventLedger`).
pub type LedgerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LedgerError>> + Send + 'a>>;

/// What a claim found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The id is now this caller's to process.
    Claimed,
    /// Another delivery is processing it.
    Processing,
    /// It was processed already.
    Done,
}

/// A ledger's storage failed.
#[derive(Debug, thiserror::Error)]
#[error("the event ledger failed: {0}")]
pub struct LedgerError(pub String);

/// How long a ledger keeps what it knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// How long a done event is remembered. Stripe retries a delivery for up to three days.
    pub done: Duration,
    /// After how long a claim that was never marked done nor released (its process died) may be
    /// claimed again.
    pub processing: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            done: Duration::from_secs(7 * 24 * 3600),
            processing: Duration::from_secs(5 * 60),
        }
    }
}

/// Storage of which event ids are being processed and which are done.
pub trait EventLedger: Send + Sync + 'static {
    /// Atomically claims `event_id`: of concurrent claims, exactly one gets [`Claim::Claimed`].
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim>;
    /// Records that `event_id` was processed; later claims get [`Claim::Done`].
    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()>;
    /// Gives up a claim after a failure, so that a redelivery can claim it again.
    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()>;
}

/// A shared ledger is a ledger: several handlers (or a ledger chosen at run time) can share one.
impl<L: EventLedger + ?Sized> EventLedger for std::sync::Arc<L> {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        (**self).claim(event_id)
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        (**self).mark_done(event_id)
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        (**self).release(event_id)
    }
}

//! The inbox: answer Stripe at once, process durably. The endpoint verifies and parses a
//! notification, stores it here and answers 200 (503 when it cannot store, so that Stripe
//! retries); workers claim due events, run `pre_handle` and the callback (or the fallback), and
//! mark them done. A failure is retried with exponential backoff and jitter up to a limit, then
//! the event is *dead*: kept with its last error, listed, retried by hand. A claim is a lease
//! that the workers renew while its callback runs: a callback longer than the lease keeps its
//! claim, and a worker that dies stops renewing, so that its events are due again within one
//! lease.
//!
//! States: `pending` (due, never tried), `retrying` (due again after a failure), `processing`
//! (claimed by a worker), `done`, `dead`. No order is promised (Stripe promises none); each
//! event keeps its `created`.
//!
//! Three stores, one table each, with the same semantics: [`MemoryInbox`] (tests, one process),
//! `SqliteInbox` (one machine, survives restarts; feature `inbox-sqlite`), `PostgresInbox` (many
//! servers sharing a database, claims with `FOR UPDATE SKIP LOCKED`; feature `inbox-postgres`).
//! Each is also an [`EventLedger`](crate::ledger::EventLedger) on the same table: handling
//! inline, once per event.

mod leases;
mod memory;
#[cfg(feature = "inbox-postgres")]
mod postgres;
mod settler;
#[cfg(feature = "inbox-sqlite")]
mod sqlite;
pub(crate) mod workers;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

pub use memory::MemoryInbox;
#[cfg(feature = "inbox-postgres")]
pub use postgres::PostgresInbox;
#[cfg(feature = "inbox-sqlite")]
pub use sqlite::SqliteInbox;
pub use workers::{InboxWorkers, RetryPolicy};

/// A boxed future, as inbox methods return (the trait is used as `dyn Inbox`).
pub type InboxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, InboxError>> + Send + 'a>>;

/// The inbox's storage failed (the database is down, the disk is full).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the inbox failed: {0}")]
pub struct InboxError(pub String);

/// A notification to store: verified and parsed already.
#[derive(Clone, Copy, Debug)]
pub struct NewEvent<'a> {
    /// Event id, `evt_...`: the key.
    pub id: &'a str,
    /// Event type.
    pub event_type: &'a str,
    /// When Stripe created the event.
    pub created: Timestamp,
    /// The body as received.
    pub body: &'a [u8],
    /// The signature's timestamp (`t`), Unix seconds; `None` for a notification that came over an
    /// authenticated channel or from recovery.
    pub signed_at: Option<i64>,
    /// The id of the object the event is about (its related object's), for workers that run
    /// one event at a time per object ([`InboxWorkers::one_at_a_time_per_object`]).
    pub object_id: Option<&'a str>,
}

/// A [`NewEvent`] owned: for a store that hands it to another task or thread.
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
struct OwnedEvent {
    id: String,
    event_type: String,
    created: Timestamp,
    body: Vec<u8>,
    signed_at: Option<i64>,
    object_id: Option<String>,
}

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
impl From<NewEvent<'_>> for OwnedEvent {
    fn from(event: NewEvent<'_>) -> Self {
        Self {
            id: event.id.to_owned(),
            event_type: event.event_type.to_owned(),
            created: event.created,
            body: event.body.to_vec(),
            signed_at: event.signed_at,
            object_id: event.object_id.map(str::to_owned),
        }
    }
}

/// What storing found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// The event is new: it is now pending.
    New,
    /// The event was in the inbox already (a redelivery): nothing changed.
    Duplicate,
}

/// An event a worker claimed: its own to process while its lease holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedEvent {
    /// Event id.
    pub id: String,
    /// Event type.
    pub event_type: String,
    /// The body as received.
    pub body: Vec<u8>,
    /// Which attempt this is, from 1. Completing, failing or renewing names it: a claim taken
    /// over after its lease expired no longer counts.
    pub attempt: u32,
}

/// What an attempt came to, to record in the inbox: [`Inbox::settle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement<'a> {
    /// Event id.
    pub id: &'a str,
    /// The attempt settled: nothing changes if the claim was taken over since.
    pub attempt: u32,
    /// `None`: done.
    pub failure: Option<Failure<'a>>,
}

/// A failed attempt: due again after `retry_in`, or dead when `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure<'a> {
    /// The error, kept as the event's last.
    pub error: &'a str,
    /// When the event is due again; `None`: it is dead.
    pub retry_in: Option<Duration>,
}

/// What asking for a turn at a periodic task found ([`Inbox::take_turn`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// The turn is the asker's, until its lease runs out; the task's checkpoint, if any.
    Taken {
        /// Where the last completed run got to.
        checkpoint: Option<Timestamp>,
    },
    /// Another holds the turn, or the task is not due yet.
    NotNow,
}

impl Turn {
    /// What a store's row gave: the checkpoint in Unix milliseconds when the turn was taken.
    pub(crate) fn from_row(taken: Option<Option<i64>>) -> Self {
        match taken {
            Some(checkpoint) => Self::Taken {
                checkpoint: checkpoint.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
            },
            None => Self::NotNow,
        }
    }
}

/// An event's state, as an operator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum State {
    /// Stored, due, never tried.
    Pending,
    /// Failed, due again at `due_at`.
    Retrying,
    /// Claimed by a worker (or by a handler with the inbox as its ledger).
    Processing,
    /// Processed.
    Done,
    /// Failed as many times as the retry policy allows; kept with its last error.
    Dead,
}

impl State {
    /// The state's name: `pending`, `retrying`, `processing`, `done`, `dead`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Retrying => "retrying",
            Self::Processing => "processing",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// Every state.
    pub const ALL: [State; 5] = [
        Self::Pending,
        Self::Retrying,
        Self::Processing,
        Self::Done,
        Self::Dead,
    ];
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for State {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not a state (pending, retrying, processing, done, dead)"))
    }
}

/// Counts per state, and the oldest event waiting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// How many events are in each state, in the order of [`State::ALL`].
    pub counts: [u64; 5],
    /// When the event waiting longest (pending or retrying) became due.
    pub oldest_due: Option<Timestamp>,
}

impl Stats {
    /// How many events are in `state`.
    pub fn count(&self, state: State) -> u64 {
        State::ALL
            .iter()
            .position(|s| *s == state)
            .and_then(|index| self.counts.get(index))
            .copied()
            .unwrap_or(0)
    }
}

/// An event as an operator lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSummary {
    /// Event id.
    pub id: String,
    /// Event type.
    pub event_type: String,
    /// Its state.
    pub state: State,
    /// Attempts so far.
    pub attempts: u32,
    /// The last attempt's error, if it failed.
    pub last_error: Option<String>,
    /// When it was received.
    pub received_at: Timestamp,
    /// When it is due (pending, retrying).
    pub due_at: Option<Timestamp>,
}

/// Which events to list: those in one state, of one type or of all, oldest received first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing<'a> {
    /// Their state.
    pub state: State,
    /// Their type, or `None` for every type.
    pub event_type: Option<&'a str>,
    /// At most this many.
    pub limit: usize,
}

impl<'a> Listing<'a> {
    /// The first 100 events in `state`, of every type.
    pub fn of(state: State) -> Self {
        Self {
            state,
            event_type: None,
            limit: 100,
        }
    }

    /// Only events of `event_type`.
    #[must_use]
    pub fn event_type(self, event_type: &'a str) -> Self {
        Self {
            event_type: Some(event_type),
            ..self
        }
    }

    /// At most `limit` events.
    #[must_use]
    pub fn limit(self, limit: usize) -> Self {
        Self { limit, ..self }
    }

    /// Whether an event of `state` and `event_type` is listed.
    pub(crate) fn lists(&self, state: State, event_type: &str) -> bool {
        state == self.state && self.event_type.is_none_or(|wanted| wanted == event_type)
    }
}

/// One event as an operator inspects it: what a listing says of it, and its body as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDetail {
    /// Its id, type, state, attempts, last error and times.
    pub summary: EventSummary,
    /// The body Stripe sent, or `None` for a handler's claim on the inbox as its ledger (no body
    /// is kept: the callback ran in the request).
    pub body: Option<Vec<u8>>,
}

impl EventDetail {
    /// The body for a person to read: JSON pretty-printed, anything else as text (bytes that are
    /// not UTF-8 replaced); `None` when no body is kept.
    pub fn body_text(&self) -> Option<String> {
        let body = self.body.as_deref()?;
        Some(
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|json| serde_json::to_string_pretty(&json).ok())
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned()),
        )
    }
}

/// Which events to retry by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry<'a> {
    /// This one (dead, or retrying: due now).
    Event(&'a str),
    /// Every dead event.
    AllDead,
}

/// Storage of notifications to process. Implement it for another database, or use one of the
/// three stores.
pub trait Inbox: Send + Sync + 'static {
    /// Stores a notification, pending and due now, unless its id is in the inbox already.
    fn store<'a>(&'a self, event: NewEvent<'a>) -> InboxFuture<'a, Stored>;

    /// Stores several notifications ([`store`](Self::store) each), what each found in order:
    /// recovery's, the pages fetched since its last commit. By default every store begins
    /// before any is awaited, so that a store that shares commits among concurrent writes
    /// (PostgreSQL's) shares them here; SQLite's stores the batch in one transaction, which
    /// does not wait for the disk: these are events Stripe lists, and a crash of the machine
    /// that loses the last of them leaves them for the next pass (a later commit that waits,
    /// a delivery's or the reconciler's checkpoint, makes them last too). On an error, some
    /// may be stored: storing them again finds them.
    fn store_batch<'a>(&'a self, events: &'a [NewEvent<'a>]) -> InboxFuture<'a, Vec<Stored>> {
        let stores: Vec<_> = events.iter().map(|event| self.store(*event)).collect();
        Box::pin(async move {
            let mut stored = Vec::with_capacity(stores.len());
            for store in stores {
                stored.push(store.await?);
            }
            Ok(stored)
        })
    }

    /// Claims up to `limit` due events: pending or retrying ones whose time has come, and
    /// processing ones whose lease expired (their worker died). Of concurrent claims, each
    /// event goes to one. A claimed event is processing until `lease` has passed, unless
    /// renewed. With `per_object`, an event with an object id is due only when no other event
    /// of its object is processing and none created before it is waiting (pending or
    /// retrying): the events of one object run one at a time, in `created` order.
    fn claim<'a>(
        &'a self,
        limit: usize,
        lease: Duration,
        per_object: bool,
    ) -> InboxFuture<'a, Vec<ClaimedEvent>>;

    /// Renews the leases of `claims` (event id and attempt), in one call: each still held
    /// (processing, at that attempt) is processing until `lease` from now. Returns how many were
    /// renewed; the others were taken over after their lease expired.
    fn renew<'a>(&'a self, claims: &'a [(String, u32)], lease: Duration) -> InboxFuture<'a, u64>;

    /// Records what attempts came to, in one commit: done, due again later, or dead. An attempt
    /// whose claim was taken over changes nothing. Returns how many were recorded.
    fn settle<'a>(&'a self, settlements: &'a [Settlement<'a>]) -> InboxFuture<'a, u64>;

    /// Marks attempt `attempt` of event `id` done (nothing, if the claim was taken over).
    fn complete<'a>(&'a self, id: &'a str, attempt: u32) -> InboxFuture<'a, ()> {
        Box::pin(async move {
            let settlements = [Settlement {
                id,
                attempt,
                failure: None,
            }];
            self.settle(&settlements).await.map(|_| ())
        })
    }

    /// Records that attempt `attempt` of event `id` failed with `error`: due again after
    /// `retry_in`, or dead when `None` (nothing, if the claim was taken over).
    fn fail<'a>(
        &'a self,
        id: &'a str,
        attempt: u32,
        error: &'a str,
        retry_in: Option<Duration>,
    ) -> InboxFuture<'a, ()> {
        Box::pin(async move {
            let settlements = [Settlement {
                id,
                attempt,
                failure: Some(Failure { error, retry_in }),
            }];
            self.settle(&settlements).await.map(|_| ())
        })
    }

    /// Takes, or renews, `holder`'s turn at the periodic task `task` (the reconciler's pass),
    /// for `lease` from now. Taken when no turn is held (none yet, ended, or its lease ran out)
    /// and the task's checkpoint is at least `every` old (or absent); renewed while `holder`
    /// holds it. Of servers sharing the inbox, one at a time has the turn. A store that keeps
    /// no turns (the default, for stores written before the reconciler) fails, and the
    /// reconciler says so in its logs.
    fn take_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        lease: Duration,
        every: Duration,
    ) -> InboxFuture<'a, Turn> {
        let _ = (task, holder, lease, every);
        keeps_no_turns()
    }

    /// Ends `holder`'s turn at `task`, recording `checkpoint` when given (else keeping the
    /// last). False when the turn was taken over since.
    fn end_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        checkpoint: Option<Timestamp>,
    ) -> InboxFuture<'a, bool> {
        let _ = (task, holder, checkpoint);
        keeps_no_turns()
    }

    /// Counts per state.
    fn stats(&self) -> InboxFuture<'_, Stats>;

    /// The events `listing` names, oldest received first.
    fn list<'a>(&'a self, listing: Listing<'a>) -> InboxFuture<'a, Vec<EventSummary>>;

    /// The event `id`, with its body; `None` when the inbox has no such event.
    fn event<'a>(&'a self, id: &'a str) -> InboxFuture<'a, Option<EventDetail>>;

    /// Makes events due now again, with their attempts reset; returns how many.
    fn retry<'a>(&'a self, which: Retry<'a>) -> InboxFuture<'a, u64>;

    /// Forgets done events older than `older_than`; returns how many.
    fn purge_done(&self, older_than: Duration) -> InboxFuture<'_, u64>;

    /// Woken when this process stores an event, so that workers need not wait for their next
    /// poll.
    fn stored(&self) -> Option<Arc<tokio::sync::Notify>> {
        None
    }
}

/// What a store that keeps no turns answers to [`Inbox::take_turn`] and [`Inbox::end_turn`].
fn keeps_no_turns<T>() -> InboxFuture<'static, T> {
    Box::pin(async {
        Err(InboxError(
            "this inbox keeps no turns for periodic tasks".to_owned(),
        ))
    })
}

/// A shared inbox is an inbox: the endpoint and the workers share one.
impl<I: Inbox + ?Sized> Inbox for Arc<I> {
    fn store<'a>(&'a self, event: NewEvent<'a>) -> InboxFuture<'a, Stored> {
        (**self).store(event)
    }

    fn store_batch<'a>(&'a self, events: &'a [NewEvent<'a>]) -> InboxFuture<'a, Vec<Stored>> {
        (**self).store_batch(events)
    }

    fn claim<'a>(
        &'a self,
        limit: usize,
        lease: Duration,
        per_object: bool,
    ) -> InboxFuture<'a, Vec<ClaimedEvent>> {
        (**self).claim(limit, lease, per_object)
    }

    fn renew<'a>(&'a self, claims: &'a [(String, u32)], lease: Duration) -> InboxFuture<'a, u64> {
        (**self).renew(claims, lease)
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement<'a>]) -> InboxFuture<'a, u64> {
        (**self).settle(settlements)
    }

    fn take_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        lease: Duration,
        every: Duration,
    ) -> InboxFuture<'a, Turn> {
        (**self).take_turn(task, holder, lease, every)
    }

    fn end_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        checkpoint: Option<Timestamp>,
    ) -> InboxFuture<'a, bool> {
        (**self).end_turn(task, holder, checkpoint)
    }

    fn stats(&self) -> InboxFuture<'_, Stats> {
        (**self).stats()
    }

    fn list<'a>(&'a self, listing: Listing<'a>) -> InboxFuture<'a, Vec<EventSummary>> {
        (**self).list(listing)
    }

    fn event<'a>(&'a self, id: &'a str) -> InboxFuture<'a, Option<EventDetail>> {
        (**self).event(id)
    }

    fn retry<'a>(&'a self, which: Retry<'a>) -> InboxFuture<'a, u64> {
        (**self).retry(which)
    }

    fn purge_done(&self, older_than: Duration) -> InboxFuture<'_, u64> {
        (**self).purge_done(older_than)
    }

    fn stored(&self) -> Option<Arc<tokio::sync::Notify>> {
        (**self).stored()
    }
}

/// Opens the inbox `spec` names: `memory`, `sqlite:<path>` or `postgres://...` (`postgres:` then
/// a URL also works). For servers and the command line.
pub async fn open(spec: &str) -> Result<Arc<dyn Inbox>, InboxError> {
    match spec.split_once(':') {
        None if spec == "memory" => Ok(Arc::new(MemoryInbox::new())),
        Some(("sqlite", path)) => open_sqlite(path),
        Some(("postgres" | "postgresql", rest)) => {
            open_postgres(if rest.starts_with("//") { spec } else { rest }).await
        }
        _ => Err(InboxError(format!(
            "an inbox is memory, sqlite:<path> or postgres://..., not {:?}",
            crate::text::truncate(spec, 64)
        ))),
    }
}

#[cfg(feature = "inbox-sqlite")]
fn open_sqlite(path: &str) -> Result<Arc<dyn Inbox>, InboxError> {
    Ok(Arc::new(SqliteInbox::open(path)?))
}

#[cfg(not(feature = "inbox-sqlite"))]
fn open_sqlite(_: &str) -> Result<Arc<dyn Inbox>, InboxError> {
    Err(InboxError("a SQLite inbox needs the feature inbox-sqlite".into()))
}

#[cfg(feature = "inbox-postgres")]
async fn open_postgres(url: &str) -> Result<Arc<dyn Inbox>, InboxError> {
    Ok(Arc::new(PostgresInbox::connect(url).await?))
}

#[cfg(not(feature = "inbox-postgres"))]
async fn open_postgres(_: &str) -> Result<Arc<dyn Inbox>, InboxError> {
    Err(InboxError(
        "a PostgreSQL inbox needs the feature inbox-postgres".into(),
    ))
}

/// What an attempt settles to, at `now` (Unix milliseconds): done now; retrying, due `retry_in`
/// later; or dead now when `retry_in` is `None`. With the failure's error, if any.
fn settled_state<'a>(settlement: &Settlement<'a>, now: i64) -> (State, i64, Option<&'a str>) {
    match settlement.failure {
        None => (State::Done, now, None),
        Some(Failure {
            error,
            retry_in: Some(delay),
        }) => (State::Retrying, now.saturating_add(millis(delay)), Some(error)),
        Some(Failure {
            error,
            retry_in: None,
        }) => (State::Dead, now, Some(error)),
    }
}

/// Milliseconds in a duration, saturating.
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

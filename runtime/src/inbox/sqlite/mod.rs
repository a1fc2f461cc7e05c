//! The inbox in a SQLite file: one machine, surviving restarts. Several processes may share the
//! file: every change is one statement or an immediate transaction, so that each event is
//! claimed once.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::Notify;

mod checkpointer;

use checkpointer::Checkpointer;

use super::{
    ClaimedEvent, EventDetail, EventSummary, Inbox, InboxError, InboxFuture, Listing, NewEvent, OwnedEvent,
    Retry, Settlement, State, Stats, Stored, Turn, millis, settled_state,
};
use crate::clock::unix_now_millis;
use crate::ledger::{Claim, EventLedger, LedgerError, LedgerFuture, Retention};

/// The table: one row per event. `state_at` is when the state ends or ended: the event is due
/// (pending, retrying), its claim expires (processing), it was settled (done, dead); Unix
/// milliseconds. A row without a body is the claim of a handler using the inbox as its ledger.
const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS stripe_notify_inbox (
        id TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        created TEXT,
        body BLOB,
        signed_at INTEGER,
        received_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'retrying', 'processing', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        state_at INTEGER NOT NULL,
        last_error TEXT
    );
    CREATE INDEX IF NOT EXISTS stripe_notify_inbox_due ON stripe_notify_inbox (state_at)
        WHERE state IN ('pending', 'retrying', 'processing');
    CREATE TABLE IF NOT EXISTS stripe_notify_tasks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        checkpoint INTEGER
    );
";

/// Taking a turn at a periodic task (`?1`) for `?2` until `?3`, at `?4`, when its checkpoint
/// is at or before `?5`: a row when taken, with the checkpoint. As the PostgreSQL store's.
const TAKE_TURN: &str = "
    INSERT INTO stripe_notify_tasks (name, holder, lease_until) VALUES (?1, ?2, ?3)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
    WHERE (stripe_notify_tasks.lease_until < ?4
           AND (stripe_notify_tasks.checkpoint IS NULL OR stripe_notify_tasks.checkpoint <= ?5))
       OR (stripe_notify_tasks.holder = excluded.holder AND stripe_notify_tasks.lease_until >= ?4)
    RETURNING checkpoint
";

/// Columns added since the table's first version, each with its type: added to a table that
/// lacks them. `object_id` and `created_ns` (`created` in Unix nanoseconds, which sorts by
/// time where the text does not) place an event among its object's.
const ADDED_COLUMNS: &[(&str, &str)] = &[("object_id", "TEXT"), ("created_ns", "INTEGER")];

/// The index of each object's unfinished events, once its columns exist.
const OBJECT_INDEX: &str = "
    CREATE INDEX IF NOT EXISTS stripe_notify_inbox_object ON stripe_notify_inbox (object_id, created_ns)
        WHERE object_id IS NOT NULL AND state IN ('pending', 'retrying', 'processing');
";

/// How the connection commits, but for recovery's batches: each commit waits for the disk (a
/// delivery's 200 promises it), and one that grows the log past 1,000 pages copies it into the
/// database (SQLite's own checkpoint, which completes: this process's writes wait for it).
const SYNCED: &str = "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000";

/// How it commits recovery's batches: without waiting for the disk, and leaving the copy to the
/// checkpointer, which runs beside the next batch instead of in this one.
const LISTED: &str = "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0";

/// How long a store's commit must last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Durability {
    /// Past a crash of the machine: a delivery, answered 200 once stored.
    Synced,
    /// Past a crash of the process: events Stripe lists (recovery's). A crash of the machine
    /// may lose the last of them, for the next pass to list again; any later synced commit (a
    /// delivery's, the reconciler's checkpoint's) or checkpoint syncs them too, since the log
    /// reaches the disk in order.
    Listed,
}

/// Inserts `events` in one transaction: what each found.
fn insert(connection: &mut Connection, events: &[OwnedEvent]) -> rusqlite::Result<Vec<Stored>> {
    let now = unix_now_millis();
    let transaction = connection.transaction()?;
    let mut found = Vec::with_capacity(events.len());
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO stripe_notify_inbox
                 (id, event_type, created, body, signed_at, received_at, state, state_at, object_id, created_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
        )?;
        for event in events {
            let inserted = insert.execute(params![
                event.id,
                event.event_type,
                event.created.to_string(),
                event.body,
                event.signed_at,
                now,
                event.object_id,
                // `created` in Unix nanoseconds, which sorts by time where the text does not.
                i64::try_from(event.created.as_nanosecond()).unwrap_or(i64::MAX)
            ])?;
            found.push(if inserted == 1 {
                Stored::New
            } else {
                Stored::Duplicate
            });
        }
    }
    transaction.commit()?;
    Ok(found)
}

/// Brings a table made by an earlier version up to date.
fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    let mut statement = connection.prepare("SELECT name FROM pragma_table_info('stripe_notify_inbox')")?;
    let columns: Vec<String> = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for (column, kind) in ADDED_COLUMNS {
        if !columns.iter().any(|existing| existing == column) {
            connection.execute_batch(&format!(
                "ALTER TABLE stripe_notify_inbox ADD COLUMN {column} {kind}"
            ))?;
        }
    }
    connection.execute_batch(OBJECT_INDEX)
}

/// Claiming: the due events, oldest due first; the statement with the condition `$per_object`
/// adds.
macro_rules! claim {
    ($($per_object:literal)?) => {
        concat!(
            "UPDATE stripe_notify_inbox SET state = 'processing', attempts = attempts + 1, state_at = ?1
             WHERE id IN (
                 SELECT id FROM stripe_notify_inbox AS candidate
                 WHERE state IN ('pending', 'retrying', 'processing') AND body IS NOT NULL AND state_at <= ?2",
            $($per_object,)?
            " ORDER BY state_at LIMIT ?3)
             RETURNING id, event_type, body, attempts"
        )
    };
}

const CLAIM: &str = claim!();

/// One at a time per object: no other event of the object processing, none created before it
/// waiting.
const CLAIM_PER_OBJECT: &str = claim!(
    " AND (object_id IS NULL OR NOT EXISTS (
         SELECT 1 FROM stripe_notify_inbox AS other
         WHERE other.object_id = candidate.object_id AND other.id <> candidate.id
           AND (other.state = 'processing'
                OR (other.state IN ('pending', 'retrying')
                    AND (other.created_ns, other.id) < (candidate.created_ns, candidate.id)))))"
);

/// An inbox in a SQLite file (created if missing).
#[derive(Debug, Clone)]
pub struct SqliteInbox {
    connection: Arc<Mutex<Connection>>,
    checkpointer: Arc<Checkpointer>,
    retention: Retention,
    stored: Arc<Notify>,
}

fn failed(error: rusqlite::Error) -> InboxError {
    InboxError(format!("sqlite: {error}"))
}

impl SqliteInbox {
    /// Opens (or creates) the inbox at `path`, with the default ledger retention.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, InboxError> {
        let connection = Connection::open(path.as_ref()).map_err(failed)?;
        connection.busy_timeout(Duration::from_secs(5)).map_err(failed)?;
        connection.execute_batch(SCHEMA).map_err(failed)?;
        migrate(&connection).map_err(failed)?;
        connection.execute_batch(SYNCED).map_err(failed)?;
        let connection = Arc::new(Mutex::new(connection));
        let checkpointer = Checkpointer::start(path.as_ref(), Arc::downgrade(&connection))?;
        Ok(Self {
            connection,
            checkpointer: Arc::new(checkpointer),
            retention: Retention::default(),
            stored: Arc::default(),
        })
    }

    /// The same inbox with this retention, for its use as a ledger.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Stores `events` in one transaction: one commit, however many. A `Durability::Listed`
    /// commit does not wait for the disk.
    fn store_batch_owned(
        &self,
        events: Vec<OwnedEvent>,
        durability: Durability,
    ) -> InboxFuture<'static, Vec<Stored>> {
        let stored = Arc::clone(&self.stored);
        let checkpointer = Arc::clone(&self.checkpointer);
        let inserted = self.run(move |connection| match durability {
            Durability::Synced => insert(connection, &events),
            Durability::Listed => {
                connection.execute_batch(LISTED)?;
                let found = insert(connection, &events);
                // Back to how deliveries commit, whether or not the insert went through.
                connection.execute_batch(SYNCED)?;
                checkpointer.wrote();
                found
            }
        });
        Box::pin(async move {
            let found = inserted.await?;
            if found.contains(&Stored::New) {
                stored.notify_one();
            }
            Ok(found)
        })
    }

    /// Runs `work` on the connection: on the runtime's blocking threads when there is a Tokio
    /// runtime (a write waits for the disk), inline otherwise.
    fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> InboxFuture<'static, T> {
        let connection = Arc::clone(&self.connection);
        let work = move || {
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection).map_err(failed)
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => Box::pin(async move {
                runtime
                    .spawn_blocking(work)
                    .await
                    .map_err(|e| InboxError(format!("sqlite: {e}")))?
            }),
            Err(_) => {
                let done = work();
                Box::pin(async move { done })
            }
        }
    }

    /// [`run`](Self::run) for the ledger.
    fn ledger<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> LedgerFuture<'static, T> {
        let done = self.run(work);
        Box::pin(async move { done.await.map_err(|InboxError(error)| LedgerError(error)) })
    }
}

fn timestamp(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn state(text: &str) -> State {
    text.parse().unwrap_or(State::Dead)
}

/// The columns [`summary`] reads, first in a `SELECT`.
macro_rules! summary_columns {
    () => {
        "id, event_type, state, attempts, last_error, received_at, state_at"
    };
}

/// An event's summary from a row that starts with [`summary_columns`].
fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventSummary> {
    let state = state(&row.get::<_, String>(2)?);
    Ok(EventSummary {
        id: row.get(0)?,
        event_type: row.get(1)?,
        state,
        attempts: row.get(3)?,
        last_error: row.get(4)?,
        received_at: timestamp(row.get(5)?),
        due_at: matches!(state, State::Pending | State::Retrying).then(|| timestamp(row.get(6).unwrap_or(0))),
    })
}

impl Inbox for SqliteInbox {
    fn store<'a>(&'a self, event: NewEvent<'a>) -> InboxFuture<'a, Stored> {
        let stored = self.store_batch_owned(vec![OwnedEvent::from(event)], Durability::Synced);
        Box::pin(async move {
            let stored = stored.await?;
            Ok(stored.first().copied().unwrap_or(Stored::Duplicate))
        })
    }

    fn store_batch<'a>(&'a self, events: &'a [NewEvent<'a>]) -> InboxFuture<'a, Vec<Stored>> {
        let events = events.iter().copied().map(OwnedEvent::from).collect();
        self.store_batch_owned(events, Durability::Listed)
    }

    fn claim<'a>(
        &'a self,
        limit: usize,
        lease: Duration,
        per_object: bool,
    ) -> InboxFuture<'a, Vec<ClaimedEvent>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |connection| {
            let now = unix_now_millis();
            let mut statement =
                connection.prepare_cached(if per_object { CLAIM_PER_OBJECT } else { CLAIM })?;
            let params = params![now.saturating_add(millis(lease)), now, limit];
            let rows = statement.query_map(params, |row| {
                Ok(ClaimedEvent {
                    id: row.get(0)?,
                    event_type: row.get(1)?,
                    body: row.get(2)?,
                    attempt: row.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    fn renew<'a>(&'a self, claims: &'a [(String, u32)], lease: Duration) -> InboxFuture<'a, u64> {
        let claims = claims.to_vec();
        self.run(move |connection| {
            let until = unix_now_millis().saturating_add(millis(lease));
            let transaction = connection.transaction()?;
            let mut renewed = 0_u64;
            {
                let mut statement = transaction.prepare_cached(
                    "UPDATE stripe_notify_inbox SET state_at = ?3
                     WHERE id = ?1 AND state = 'processing' AND attempts = ?2",
                )?;
                for (id, attempt) in &claims {
                    let changed = statement.execute(params![id, attempt, until])?;
                    renewed = renewed.saturating_add(u64::try_from(changed).unwrap_or(0));
                }
            }
            transaction.commit()?;
            Ok(renewed)
        })
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement<'a>]) -> InboxFuture<'a, u64> {
        let now = unix_now_millis();
        let rows: Vec<(String, u32, &'static str, i64, Option<String>)> = settlements
            .iter()
            .map(|settlement| {
                let (state, at, error) = settled_state(settlement, now);
                (
                    settlement.id.to_owned(),
                    settlement.attempt,
                    state.as_str(),
                    at,
                    error.map(str::to_owned),
                )
            })
            .collect();
        self.run(move |connection| {
            // One transaction, one commit, for the whole batch.
            let transaction = connection.transaction()?;
            let mut settled = 0_u64;
            {
                let mut statement = transaction.prepare_cached(
                    "UPDATE stripe_notify_inbox SET state = ?3, state_at = ?4, last_error = ?5
                     WHERE id = ?1 AND state = 'processing' AND attempts = ?2",
                )?;
                for (id, attempt, state, at, error) in &rows {
                    let changed = statement.execute(params![id, attempt, state, at, error])?;
                    settled = settled.saturating_add(u64::try_from(changed).unwrap_or(0));
                }
            }
            transaction.commit()?;
            Ok(settled)
        })
    }

    fn stats(&self) -> InboxFuture<'_, Stats> {
        self.run(|connection| {
            let mut stats = Stats::default();
            let mut statement = connection
                .prepare_cached("SELECT state, count(*) FROM stripe_notify_inbox GROUP BY state")?;
            let counts =
                statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?)))?;
            for count in counts {
                let (name, count) = count?;
                if let Some(slot) = State::ALL
                    .iter()
                    .position(|s| *s == state(&name))
                    .and_then(|index| stats.counts.get_mut(index))
                {
                    *slot = count;
                }
            }
            let oldest: Option<i64> = connection.query_row(
                "SELECT min(state_at) FROM stripe_notify_inbox WHERE state IN ('pending', 'retrying')",
                [],
                |row| row.get(0),
            )?;
            stats.oldest_due = oldest.map(timestamp);
            Ok(stats)
        })
    }

    fn list<'a>(&'a self, listing: Listing<'a>) -> InboxFuture<'a, Vec<EventSummary>> {
        let limit = i64::try_from(listing.limit).unwrap_or(i64::MAX);
        let (state, event_type) = (listing.state.as_str(), listing.event_type.map(str::to_owned));
        self.run(move |connection| {
            let mut statement = connection.prepare_cached(concat!(
                "SELECT ",
                summary_columns!(),
                " FROM stripe_notify_inbox WHERE state = ?1 AND (?2 IS NULL OR event_type = ?2)
                 ORDER BY received_at, id LIMIT ?3"
            ))?;
            let rows = statement.query_map(params![state, event_type, limit], summary)?;
            rows.collect()
        })
    }

    fn event<'a>(&'a self, id: &'a str) -> InboxFuture<'a, Option<EventDetail>> {
        let id = id.to_owned();
        self.run(move |connection| {
            let mut statement = connection.prepare_cached(concat!(
                "SELECT ",
                summary_columns!(),
                ", body FROM stripe_notify_inbox WHERE id = ?1"
            ))?;
            statement
                .query_row(params![id], |row| {
                    Ok(EventDetail {
                        summary: summary(row)?,
                        body: row.get(7)?,
                    })
                })
                .optional()
        })
    }

    fn retry<'a>(&'a self, which: Retry<'a>) -> InboxFuture<'a, u64> {
        let id = match which {
            Retry::Event(id) => Some(id.to_owned()),
            Retry::AllDead => None,
        };
        let stored = Arc::clone(&self.stored);
        let retried = self.run(move |connection| {
            let now = unix_now_millis();
            let changed = match id {
                Some(id) => connection.execute(
                    "UPDATE stripe_notify_inbox SET state = 'pending', attempts = 0, state_at = ?2
                     WHERE id = ?1 AND state IN ('dead', 'retrying') AND body IS NOT NULL",
                    params![id, now],
                )?,
                None => connection.execute(
                    "UPDATE stripe_notify_inbox SET state = 'pending', attempts = 0, state_at = ?1
                     WHERE state = 'dead' AND body IS NOT NULL",
                    params![now],
                )?,
            };
            Ok(u64::try_from(changed).unwrap_or(u64::MAX))
        });
        Box::pin(async move {
            let retried = retried.await?;
            if retried > 0 {
                stored.notify_one();
            }
            Ok(retried)
        })
    }

    fn take_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        lease: Duration,
        every: Duration,
    ) -> InboxFuture<'a, Turn> {
        let (task, holder) = (task.to_owned(), holder.to_owned());
        self.run(move |connection| {
            let now = unix_now_millis();
            let params = params![
                task,
                holder,
                now.saturating_add(millis(lease)),
                now,
                now.saturating_sub(millis(every))
            ];
            let taken = connection
                .query_row(TAKE_TURN, params, |row| row.get::<_, Option<i64>>(0))
                .optional()?;
            Ok(Turn::from_row(taken))
        })
    }

    fn end_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        checkpoint: Option<Timestamp>,
    ) -> InboxFuture<'a, bool> {
        let (task, holder) = (task.to_owned(), holder.to_owned());
        let checkpoint = checkpoint.map(|c| c.as_millisecond());
        self.run(move |connection| {
            let ended = connection.execute(
                "UPDATE stripe_notify_tasks SET lease_until = 0, checkpoint = coalesce(?3, checkpoint)
                 WHERE name = ?1 AND holder = ?2",
                params![task, holder, checkpoint],
            )?;
            Ok(ended == 1)
        })
    }

    fn purge_done(&self, older_than: Duration) -> InboxFuture<'_, u64> {
        self.run(move |connection| {
            let before = unix_now_millis().saturating_sub(millis(older_than));
            let purged = connection.execute(
                "DELETE FROM stripe_notify_inbox WHERE state = 'done' AND state_at < ?1",
                params![before],
            )?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
    }

    fn stored(&self) -> Option<Arc<Notify>> {
        Some(Arc::clone(&self.stored))
    }
}

/// The inbox as a ledger: a claim is a row without a body, processing until the retention's
/// `processing` time; done rows count for its `done` time. Claims are immediate transactions,
/// so that processes sharing the file claim each id once.
impl EventLedger for SqliteInbox {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        let id = event_id.to_owned();
        let retention = self.retention;
        self.ledger(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = unix_now_millis();
            let until = now.saturating_add(millis(retention.processing));
            let inserted = transaction.execute(
                "INSERT INTO stripe_notify_inbox (id, event_type, received_at, state, attempts, state_at)
                 VALUES (?1, '', ?2, 'processing', 1, ?3) ON CONFLICT (id) DO NOTHING",
                params![id, now, until],
            )?;
            let claim = if inserted == 1 {
                Claim::Claimed
            } else {
                let (state, at): (String, i64) = transaction.query_row(
                    "SELECT state, state_at FROM stripe_notify_inbox WHERE id = ?1",
                    params![id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?;
                match state.as_str() {
                    "done" if at >= now.saturating_sub(millis(retention.done)) => Claim::Done,
                    "processing" if at > now => Claim::Processing,
                    _ => {
                        transaction.execute(
                            "UPDATE stripe_notify_inbox SET state = 'processing', attempts = attempts + 1, state_at = ?2
                             WHERE id = ?1",
                            params![id, until],
                        )?;
                        Claim::Claimed
                    }
                }
            };
            transaction.commit()?;
            Ok(claim)
        })
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        let id = event_id.to_owned();
        self.ledger(move |connection| {
            connection
                .execute(
                    "UPDATE stripe_notify_inbox SET state = 'done', state_at = ?2, last_error = NULL WHERE id = ?1",
                    params![id, unix_now_millis()],
                )
                .map(|_| ())
        })
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        let id = event_id.to_owned();
        self.ledger(move |connection| {
            // A bare claim is forgotten; a stored event goes back to the workers.
            connection.execute(
                "DELETE FROM stripe_notify_inbox WHERE id = ?1 AND state = 'processing' AND body IS NULL",
                params![id],
            )?;
            connection
                .execute(
                    "UPDATE stripe_notify_inbox SET state = 'pending', state_at = ?2 WHERE id = ?1 AND state = 'processing'",
                    params![id, unix_now_millis()],
                )
                .map(|_| ())
        })
    }
}

//! The inbox in PostgreSQL: several servers behind a load balancer, one database. Workers claim
//! with `FOR UPDATE SKIP LOCKED`, so that each event goes to one of them; a pool of connections
//! replaces those a database restart breaks; deliveries are stored in shared commits
//! ([`writer`]); each commit that stores wakes the workers of every server ([`listener`]).

mod listener;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use jiff::Timestamp;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_postgres::NoTls;

use super::{
    ClaimedEvent, EventDetail, EventSummary, Inbox, InboxError, InboxFuture, Listing, NewEvent, Retry,
    Settlement, State, Stats, Stored, Turn, millis, settled_state,
};
use crate::ledger::{Claim, EventLedger, LedgerError, LedgerFuture, Retention};

/// The table, as the SQLite store's; times are the database's (`now()`), so that servers whose
/// clocks differ agree. Created under an advisory lock, so that servers starting together do
/// not race.
const SCHEMA: &str = "
    SELECT pg_advisory_xact_lock(7227336401265946);
    CREATE TABLE IF NOT EXISTS stripe_notify_inbox (
        id TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        created TIMESTAMPTZ,
        body BYTEA,
        signed_at BIGINT,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        state TEXT NOT NULL CHECK (state IN ('pending', 'retrying', 'processing', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        state_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_error TEXT
    );
    CREATE INDEX IF NOT EXISTS stripe_notify_inbox_due ON stripe_notify_inbox (state_at)
        WHERE state IN ('pending', 'retrying', 'processing');
    -- Added since the first version: the object an event is about, to run an object's events
    -- one at a time.
    ALTER TABLE stripe_notify_inbox ADD COLUMN IF NOT EXISTS object_id TEXT;
    CREATE INDEX IF NOT EXISTS stripe_notify_inbox_object ON stripe_notify_inbox (object_id, created)
        WHERE object_id IS NOT NULL AND state IN ('pending', 'retrying', 'processing');
    -- Periodic tasks (the reconciler): whose turn it is, until when, and where the last run got
    -- to; Unix milliseconds.
    CREATE TABLE IF NOT EXISTS stripe_notify_tasks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        lease_until BIGINT NOT NULL,
        checkpoint BIGINT
    );
";

/// Taking a turn at a periodic task (`$1`) for `$2` for `$3` ms, when its checkpoint is `$4` ms
/// old or more: a row when taken, with the checkpoint. Of two servers asking at once, the
/// second waits for the first's row lock and then finds the turn held. Times are the
/// database's.
const TAKE_TURN: &str = "
    WITH clock AS (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now)
    INSERT INTO stripe_notify_tasks AS task (name, holder, lease_until)
        SELECT $1, $2, clock.now + $3::bigint FROM clock
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
    WHERE (task.lease_until < excluded.lease_until - $3::bigint
           AND (task.checkpoint IS NULL OR task.checkpoint <= excluded.lease_until - $3::bigint - $4::bigint))
       OR (task.holder = excluded.holder AND task.lease_until >= excluded.lease_until - $3::bigint)
    RETURNING task.checkpoint
";

/// Claiming: the due events, oldest due first, each to one claimant; the statement with the
/// condition `$per_object` adds.
macro_rules! claim {
    ($($per_object:literal)?) => {
        concat!(
            "UPDATE stripe_notify_inbox
             SET state = 'processing', attempts = attempts + 1, state_at = now() + $1::bigint * interval '1 millisecond'
             WHERE id IN (
                 SELECT id FROM stripe_notify_inbox AS candidate
                 WHERE state IN ('pending', 'retrying', 'processing') AND body IS NOT NULL AND state_at <= now()",
            $($per_object,)?
            " ORDER BY state_at LIMIT $2
                 FOR UPDATE SKIP LOCKED)
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
                    AND (other.created, other.id) < (candidate.created, candidate.id)))))"
);

/// How long waiting for a connection, or opening one, may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The default number of connections.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// How many group commits of deliveries may be under way at once. Measured (`bench_inbox
/// enqueue`, 8 clients, beside bare single-row inserts): 1 commit 1.05–1.09× the bare
/// inserts, 2 commits 0.96–1.00×, 4 (half the default pool) 0.86–0.94×, 8 0.83–0.86×.
const COMMITS_UNDER_WAY: usize = 2;

/// An inbox in a PostgreSQL table (created if missing).
#[derive(Clone)]
pub struct PostgresInbox {
    pool: Pool,
    retention: Retention,
    stored: Arc<Notify>,
    /// Deliveries to store, for the writer's group commits.
    writes: mpsc::UnboundedSender<writer::Pending>,
}

impl std::fmt::Debug for PostgresInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection string (with its password) is never kept.
        f.debug_struct("PostgresInbox")
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

/// The error with its causes: `tokio_postgres` says only "db error" and keeps the database's
/// reason (`deadlock detected`, `relation ... does not exist`) in its source.
fn failed(error: impl std::error::Error) -> InboxError {
    let mut message = format!("postgres: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    InboxError(message)
}

/// Seconds since the epoch, as milliseconds, of a `timestamptz` expression.
macro_rules! epoch_millis {
    ($column:literal) => {
        concat!("(extract(epoch from ", $column, ") * 1000)::bigint")
    };
}

impl PostgresInbox {
    /// Connects to `url` (`postgres://user:password@host/database`) with a pool of
    /// [`DEFAULT_POOL_SIZE`] connections, and creates the table if missing.
    pub async fn connect(url: &str) -> Result<Self, InboxError> {
        Self::connect_with_pool(url, DEFAULT_POOL_SIZE).await
    }

    /// [`connect`](Self::connect) with a pool of `size` connections.
    pub async fn connect_with_pool(url: &str, size: usize) -> Result<Self, InboxError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| InboxError("postgres: the connection string is not valid".into()))?;
        // A database that is unreachable fails a request in seconds (503: Stripe retries),
        // rather than holding it until Stripe's own timeout.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(TIMEOUT);
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(TIMEOUT))
            .create_timeout(Some(TIMEOUT))
            .recycle_timeout(Some(TIMEOUT))
            .build()
            .map_err(failed)?;
        let stored = Arc::default();
        let (writes, queue) = mpsc::unbounded_channel();
        // At most two commits under way, whatever the pool: fewer, larger commits store more
        // (what arrives while two are under way waits for the next, and goes in with the
        // rest), and the second keeps storing while the first waits on a slow flush or on a row
        // another server is inserting. The rest of the pool is the workers'.
        let commits = COMMITS_UNDER_WAY.min(size);
        // The listener stops with the writer, once the last clone of the inbox is gone.
        let (writing, closed) = oneshot::channel::<()>();
        let writer = writer::run(pool.clone(), queue, commits, Arc::clone(&stored));
        tokio::spawn(async move {
            writer.await;
            drop(writing);
        });
        tokio::spawn(listener::run(config, Arc::clone(&stored), closed));
        let inbox = Self {
            pool,
            retention: Retention::default(),
            stored,
            writes,
        };
        let mut client = inbox.pool.get().await.map_err(failed)?;
        let transaction = client.transaction().await.map_err(failed)?;
        transaction.batch_execute(SCHEMA).await.map_err(failed)?;
        transaction.commit().await.map_err(failed)?;
        Ok(inbox)
    }

    /// The same inbox with this retention, for its use as a ledger.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Runs one statement, giving the rows changed.
    async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, InboxError> {
        let client = self.pool.get().await.map_err(failed)?;
        let statement = client.prepare_cached(sql).await.map_err(failed)?;
        client.execute(&statement, params).await.map_err(failed)
    }

    /// Runs one query, giving its rows.
    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, InboxError> {
        let client = self.pool.get().await.map_err(failed)?;
        let statement = client.prepare_cached(sql).await.map_err(failed)?;
        client.query(&statement, params).await.map_err(failed)
    }

    /// Runs one query in a transaction whose commit does not wait for the disk
    /// (`synchronous_commit = off`, for this transaction alone). For claims: a claim that a
    /// crash of the database loses leaves its event due again, as a worker that dies does, so
    /// waiting for its flush buys nothing, and it halves the flushes an event costs.
    async fn query_unflushed(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, InboxError> {
        let mut client = self.pool.get().await.map_err(failed)?;
        let transaction = client.transaction().await.map_err(failed)?;
        transaction
            .batch_execute("SET LOCAL synchronous_commit = off")
            .await
            .map_err(failed)?;
        let statement = transaction.prepare_cached(sql).await.map_err(failed)?;
        let rows = transaction.query(&statement, params).await.map_err(failed)?;
        transaction.commit().await.map_err(failed)?;
        Ok(rows)
    }
}

fn timestamp(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The columns [`summary`] reads, first in a `SELECT`.
macro_rules! summary_columns {
    () => {
        concat!(
            "id, event_type, state, attempts, last_error, ",
            epoch_millis!("received_at"),
            ", ",
            epoch_millis!("state_at")
        )
    };
}

/// An event's summary from a row that starts with [`summary_columns`].
fn summary(row: &tokio_postgres::Row) -> Result<EventSummary, InboxError> {
    let state: State = row
        .try_get::<_, &str>(2)
        .map_err(failed)?
        .parse()
        .unwrap_or(State::Dead);
    Ok(EventSummary {
        id: row.try_get(0).map_err(failed)?,
        event_type: row.try_get(1).map_err(failed)?,
        state,
        attempts: u32::try_from(row.try_get::<_, i32>(3).map_err(failed)?).unwrap_or(0),
        last_error: row.try_get(4).map_err(failed)?,
        received_at: timestamp(row.try_get(5).map_err(failed)?),
        due_at: matches!(state, State::Pending | State::Retrying)
            .then(|| row.try_get(6).map(timestamp).ok())
            .flatten(),
    })
}

fn attempt(attempt: u32) -> i32 {
    i32::try_from(attempt).unwrap_or(i32::MAX)
}

impl Inbox for PostgresInbox {
    fn store<'a>(&'a self, event: NewEvent<'a>) -> InboxFuture<'a, Stored> {
        let (pending, answered) = writer::Pending::new(event);
        let queued = self.writes.send(pending);
        Box::pin(async move {
            let stopped = || InboxError("postgres: the inbox's writer stopped".into());
            queued.map_err(|_| stopped())?;
            answered.await.map_err(|_| stopped())?
        })
    }

    fn claim<'a>(
        &'a self,
        limit: usize,
        lease: Duration,
        per_object: bool,
    ) -> InboxFuture<'a, Vec<ClaimedEvent>> {
        Box::pin(async move {
            let (lease, limit) = (millis(lease), i64::try_from(limit).unwrap_or(i64::MAX));
            let sql = if per_object { CLAIM_PER_OBJECT } else { CLAIM };
            let rows = self.query_unflushed(sql, &[&lease, &limit]).await?;
            rows.iter()
                .map(|row| {
                    Ok(ClaimedEvent {
                        id: row.try_get(0).map_err(failed)?,
                        event_type: row.try_get(1).map_err(failed)?,
                        body: row.try_get(2).map_err(failed)?,
                        attempt: u32::try_from(row.try_get::<_, i32>(3).map_err(failed)?).unwrap_or(0),
                    })
                })
                .collect()
        })
    }

    fn renew<'a>(&'a self, claims: &'a [(String, u32)], lease: Duration) -> InboxFuture<'a, u64> {
        Box::pin(async move {
            let ids: Vec<&str> = claims.iter().map(|(id, _)| id.as_str()).collect();
            let attempts: Vec<i32> = claims.iter().map(|(_, number)| attempt(*number)).collect();
            // All of a process's leases in one statement; like a claim, a renewal need not wait
            // for the disk: one lost in a crash only makes its event due sooner.
            let rows = self
                .query_unflushed(
                    "UPDATE stripe_notify_inbox AS inbox
                     SET state_at = now() + $3::bigint * interval '1 millisecond'
                     FROM unnest($1::text[], $2::int[]) AS held(id, attempt)
                     WHERE inbox.id = held.id AND inbox.attempts = held.attempt AND inbox.state = 'processing'
                     RETURNING inbox.id",
                    &[&ids, &attempts, &millis(lease)],
                )
                .await?;
            Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
        })
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement<'a>]) -> InboxFuture<'a, u64> {
        Box::pin(async move {
            let mut ids = Vec::with_capacity(settlements.len());
            let mut attempts = Vec::with_capacity(settlements.len());
            let mut states = Vec::with_capacity(settlements.len());
            let mut delays = Vec::with_capacity(settlements.len());
            let mut errors = Vec::with_capacity(settlements.len());
            for settlement in settlements {
                // The database's clock: the offset from its `now()`.
                let (state, delay, error) = settled_state(settlement, 0);
                ids.push(settlement.id);
                attempts.push(attempt(settlement.attempt));
                states.push(state.as_str());
                delays.push(delay);
                errors.push(error);
            }
            // The whole batch in one statement and one commit.
            self.execute(
                "UPDATE stripe_notify_inbox AS inbox
                 SET state = settled.state, state_at = now() + settled.delay * interval '1 millisecond',
                     last_error = settled.error
                 FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::text[])
                     AS settled(id, attempt, state, delay, error)
                 WHERE inbox.id = settled.id AND inbox.attempts = settled.attempt AND inbox.state = 'processing'",
                &[&ids, &attempts, &states, &delays, &errors],
            )
            .await
        })
    }

    fn stats(&self) -> InboxFuture<'_, Stats> {
        Box::pin(async move {
            let mut stats = Stats::default();
            for row in self
                .query(
                    "SELECT state, count(*) FROM stripe_notify_inbox GROUP BY state",
                    &[],
                )
                .await?
            {
                let (name, count): (String, i64) =
                    (row.try_get(0).map_err(failed)?, row.try_get(1).map_err(failed)?);
                let index = State::ALL.iter().position(|s| s.as_str() == name);
                if let Some(slot) = index.and_then(|index| stats.counts.get_mut(index)) {
                    *slot = u64::try_from(count).unwrap_or(0);
                }
            }
            let oldest = self
                .query(
                    concat!(
                        "SELECT ",
                        epoch_millis!("min(state_at)"),
                        " FROM stripe_notify_inbox WHERE state IN ('pending', 'retrying')"
                    ),
                    &[],
                )
                .await?;
            stats.oldest_due = oldest
                .first()
                .and_then(|row| row.try_get::<_, Option<i64>>(0).ok().flatten())
                .map(timestamp);
            Ok(stats)
        })
    }

    fn list<'a>(&'a self, listing: Listing<'a>) -> InboxFuture<'a, Vec<EventSummary>> {
        Box::pin(async move {
            let limit = i64::try_from(listing.limit).unwrap_or(i64::MAX);
            let rows = self
                .query(
                    concat!(
                        "SELECT ",
                        summary_columns!(),
                        " FROM stripe_notify_inbox WHERE state = $1 AND ($2::text IS NULL OR event_type = $2)
                         ORDER BY received_at, id LIMIT $3"
                    ),
                    &[&listing.state.as_str(), &listing.event_type, &limit],
                )
                .await?;
            rows.iter().map(summary).collect()
        })
    }

    fn event<'a>(&'a self, id: &'a str) -> InboxFuture<'a, Option<EventDetail>> {
        Box::pin(async move {
            let rows = self
                .query(
                    concat!(
                        "SELECT ",
                        summary_columns!(),
                        ", body FROM stripe_notify_inbox WHERE id = $1"
                    ),
                    &[&id],
                )
                .await?;
            rows.first()
                .map(|row| {
                    Ok(EventDetail {
                        summary: summary(row)?,
                        body: row.try_get(7).map_err(failed)?,
                    })
                })
                .transpose()
        })
    }

    fn retry<'a>(&'a self, which: Retry<'a>) -> InboxFuture<'a, u64> {
        Box::pin(async move {
            let retried = match which {
                Retry::Event(id) => {
                    self.execute(
                        "UPDATE stripe_notify_inbox SET state = 'pending', attempts = 0, state_at = now()
                         WHERE id = $1 AND state IN ('dead', 'retrying') AND body IS NOT NULL",
                        &[&id],
                    )
                    .await?
                }
                Retry::AllDead => {
                    self.execute(
                        "UPDATE stripe_notify_inbox SET state = 'pending', attempts = 0, state_at = now()
                         WHERE state = 'dead' AND body IS NOT NULL",
                        &[],
                    )
                    .await?
                }
            };
            if retried > 0 {
                self.stored.notify_one();
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
        Box::pin(async move {
            let rows = self
                .query(TAKE_TURN, &[&task, &holder, &millis(lease), &millis(every)])
                .await?;
            let taken = match rows.first() {
                Some(row) => Some(row.try_get::<_, Option<i64>>(0).map_err(failed)?),
                None => None,
            };
            Ok(Turn::from_row(taken))
        })
    }

    fn end_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        checkpoint: Option<Timestamp>,
    ) -> InboxFuture<'a, bool> {
        Box::pin(async move {
            let checkpoint = checkpoint.map(|c| c.as_millisecond());
            let ended = self
                .execute(
                    "UPDATE stripe_notify_tasks SET lease_until = 0, checkpoint = coalesce($3, checkpoint)
                     WHERE name = $1 AND holder = $2",
                    &[&task, &holder, &checkpoint],
                )
                .await?;
            Ok(ended == 1)
        })
    }

    fn purge_done(&self, older_than: Duration) -> InboxFuture<'_, u64> {
        Box::pin(async move {
            self.execute(
                "DELETE FROM stripe_notify_inbox WHERE state = 'done' AND state_at < now() - $1::bigint * interval '1 millisecond'",
                &[&millis(older_than)],
            )
            .await
        })
    }

    fn stored(&self) -> Option<Arc<Notify>> {
        Some(Arc::clone(&self.stored))
    }
}

fn ledger<T>(outcome: Result<T, InboxError>) -> Result<T, LedgerError> {
    outcome.map_err(|InboxError(error)| LedgerError(error))
}

/// The inbox as a ledger: a claim is a row without a body. Of concurrent claims from any
/// number of servers, one wins: an insert, else an update whose condition the database checks
/// again once the row's lock is free.
impl EventLedger for PostgresInbox {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        Box::pin(async move {
            let (processing, done) = (millis(self.retention.processing), millis(self.retention.done));
            let inserted = ledger(
                self.execute(
                    "INSERT INTO stripe_notify_inbox (id, event_type, state, attempts, state_at)
                     VALUES ($1, '', 'processing', 1, now() + $2::bigint * interval '1 millisecond')
                     ON CONFLICT (id) DO NOTHING",
                    &[&event_id, &processing],
                )
                .await,
            )?;
            if inserted == 1 {
                return Ok(Claim::Claimed);
            }
            let taken = ledger(
                self.execute(
                    "UPDATE stripe_notify_inbox
                     SET state = 'processing', attempts = attempts + 1, state_at = now() + $2::bigint * interval '1 millisecond'
                     WHERE id = $1 AND NOT (
                         (state = 'done' AND state_at >= now() - $3::bigint * interval '1 millisecond')
                      OR (state = 'processing' AND state_at > now()))",
                    &[&event_id, &processing, &done],
                )
                .await,
            )?;
            if taken == 1 {
                return Ok(Claim::Claimed);
            }
            let rows = ledger(
                self.query(
                    "SELECT state FROM stripe_notify_inbox WHERE id = $1",
                    &[&event_id],
                )
                .await,
            )?;
            let state: Option<String> = rows.first().and_then(|row| row.try_get(0).ok());
            // Gone since: released by a failed delivery; retry later.
            Ok(if state.as_deref() == Some("done") {
                Claim::Done
            } else {
                Claim::Processing
            })
        })
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            ledger(
                self.execute(
                    "UPDATE stripe_notify_inbox SET state = 'done', state_at = now(), last_error = NULL WHERE id = $1",
                    &[&event_id],
                )
                .await,
            )
            .map(|_| ())
        })
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            // A bare claim is forgotten; a stored event goes back to the workers.
            ledger(
                self.execute(
                    "DELETE FROM stripe_notify_inbox WHERE id = $1 AND state = 'processing' AND body IS NULL",
                    &[&event_id],
                )
                .await,
            )?;
            ledger(
                self.execute(
                    "UPDATE stripe_notify_inbox SET state = 'pending', state_at = now() WHERE id = $1 AND state = 'processing'",
                    &[&event_id],
                )
                .await,
            )
            .map(|_| ())
        })
    }
}

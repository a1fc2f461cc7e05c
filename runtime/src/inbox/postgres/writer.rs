//! Group commit for storing: concurrent deliveries go into the table together, in one
//! `INSERT ... SELECT FROM unnest(...)` and one commit, and each is answered once that commit is
//! durable (a failed commit fails every delivery in it: each answers 503, and Stripe retries).
//! Nothing waits on purpose: deliveries queue while commits are under way and the next commit
//! takes all of them, so that a lone delivery costs one commit as before and a busy endpoint
//! shares each commit among many.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};
use tokio_postgres::types::ToSql;

use super::failed;
use crate::inbox::{InboxError, NewEvent, OwnedEvent, Stored};

/// The most deliveries stored in one commit.
const MOST_PER_COMMIT: usize = 256;

/// How often, at most, a commit that stores notifies the other servers' workers. At a low rate
/// every commit does; under load, one every few milliseconds wakes them as well, without
/// serializing every commit on `NOTIFY`'s lock.
pub(super) const NOTIFY_EVERY: Duration = Duration::from_millis(5);

/// A delivery to store, and where its answer goes.
pub(super) struct Pending {
    event: OwnedEvent,
    answer: oneshot::Sender<Result<Stored, InboxError>>,
}

impl Pending {
    pub(super) fn new(event: NewEvent<'_>) -> (Self, oneshot::Receiver<Result<Stored, InboxError>>) {
        let (answer, answered) = oneshot::channel();
        let event = OwnedEvent::from(event);
        (Self { event, answer }, answered)
    }
}

/// Stores what `queue` receives, up to `commits` commits under way at once, until every sender
/// is gone. `stored` is woken when a commit stored something new.
pub(super) async fn run(
    pool: Pool,
    mut queue: mpsc::UnboundedReceiver<Pending>,
    commits: usize,
    stored: Arc<Notify>,
) {
    let commits = Arc::new(Semaphore::new(commits.max(1)));
    let mut last_notified: Option<tokio::time::Instant> = None;
    loop {
        // A commit slot first: while none is free, deliveries queue up for the next batch.
        let Ok(slot) = Arc::clone(&commits).acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
        if queue.recv_many(&mut batch, MOST_PER_COMMIT).await == 0 {
            return;
        }
        let notify = last_notified.is_none_or(|at| at.elapsed() >= NOTIFY_EVERY);
        if notify {
            last_notified = Some(tokio::time::Instant::now());
        }
        let (pool, stored) = (pool.clone(), Arc::clone(&stored));
        tokio::spawn(async move {
            let outcome = insert(&pool, &batch, notify).await;
            answer(batch, outcome, &stored);
            drop(slot);
        });
    }
}

/// Inserts `batch` in one statement, notifying the listeners with its commit when `notify` and
/// it stored anything new; the ids it inserted (the others were there already).
async fn insert(pool: &Pool, batch: &[Pending], notify: bool) -> Result<HashSet<String>, InboxError> {
    let client = pool.get().await.map_err(failed)?;
    let sql = Insert {
        one_row: batch.len() == 1,
        notify,
    }
    .sql();
    let statement = client.prepare_cached(sql).await.map_err(failed)?;
    let rows = match batch {
        [Pending { event: one, .. }] => {
            let created = one.created.to_string();
            let params: [&(dyn ToSql + Sync); 6] = [
                &one.id,
                &one.event_type,
                &created,
                &one.body,
                &one.signed_at,
                &one.object_id,
            ];
            client.query(&statement, &params).await
        }
        _ => {
            let events = || batch.iter().map(|pending| &pending.event);
            let ids: Vec<&str> = events().map(|e| e.id.as_str()).collect();
            let types: Vec<&str> = events().map(|e| e.event_type.as_str()).collect();
            let created: Vec<String> = events().map(|e| e.created.to_string()).collect();
            let bodies: Vec<&[u8]> = events().map(|e| e.body.as_slice()).collect();
            let signed_at: Vec<Option<i64>> = events().map(|e| e.signed_at).collect();
            let objects: Vec<Option<&str>> = events().map(|e| e.object_id.as_deref()).collect();
            let params: [&(dyn ToSql + Sync); 6] = [&ids, &types, &created, &bodies, &signed_at, &objects];
            client.query(&statement, &params).await
        }
    };
    rows.map_err(failed)?
        .iter()
        .map(|row| row.try_get(0).map_err(failed))
        .collect()
}

/// Which insert statement a commit runs.
#[derive(Clone, Copy)]
struct Insert {
    /// One delivery, as a plain row (a quiet endpoint, or few clients): cheaper for the server
    /// than arrays of one. Else arrays, one element per delivery.
    one_row: bool,
    /// Whether it notifies the listeners (in the same statement, so with its commit).
    notify: bool,
}

impl Insert {
    /// Its SQL: parameters `$1`..`$6` are `id, event_type, created, body, signed_at, object_id`
    /// (each an array for many rows); it answers the ids it inserted. Rows go in in id order:
    /// two commits inserting the same ids (one event delivered to two servers at once) then
    /// wait on each other's rows in one order and never deadlock. The notification runs once,
    /// the first time the outer query's condition is evaluated: only if a row was inserted.
    fn sql(self) -> &'static str {
        macro_rules! insert {
            ($rows:expr, $answer:expr) => {
                concat!(
                    "WITH inserted AS (
                         INSERT INTO stripe_notify_inbox (id, event_type, created, body, signed_at, object_id, state)
                         SELECT id, event_type, created::timestamptz, body, signed_at, object_id, 'pending'
                         FROM ",
                    $rows,
                    " AS delivered(id, event_type, created, body, signed_at, object_id)
                         ORDER BY id
                         ON CONFLICT (id) DO NOTHING
                         RETURNING id
                     )",
                    $answer
                )
            };
        }
        macro_rules! one_row {
            () => {
                "(VALUES ($1::text, $2::text, $3::text, $4::bytea, $5::bigint, $6::text))"
            };
        }
        macro_rules! many_rows {
            () => {
                "unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::text[])"
            };
        }
        macro_rules! notifying {
            () => {
                ", woken AS (SELECT pg_notify('stripe_notify_inbox', ''))
                 SELECT id FROM inserted WHERE (SELECT count(*) FROM woken) >= 0"
            };
        }
        macro_rules! quiet {
            () => {
                " SELECT id FROM inserted"
            };
        }
        match (self.one_row, self.notify) {
            (true, true) => insert!(one_row!(), notifying!()),
            (true, false) => insert!(one_row!(), quiet!()),
            (false, true) => insert!(many_rows!(), notifying!()),
            (false, false) => insert!(many_rows!(), quiet!()),
        }
    }
}

/// Answers each delivery of `batch`: new for the first delivery of an id the commit inserted, a
/// duplicate for the others (stored before, or twice in this batch), or the commit's error.
fn answer(batch: Vec<Pending>, outcome: Result<HashSet<String>, InboxError>, stored: &Notify) {
    match outcome {
        Ok(mut inserted) => {
            if !inserted.is_empty() {
                stored.notify_one();
            }
            for pending in batch {
                let new = inserted.remove(&pending.event.id);
                // The delivery may have given up (its request was cut): nothing to answer.
                let _ = pending
                    .answer
                    .send(Ok(if new { Stored::New } else { Stored::Duplicate }));
            }
        }
        Err(error) => {
            for pending in batch {
                let _ = pending.answer.send(Err(error.clone()));
            }
        }
    }
}

//! The SQLite ledger: one file, for one machine whose process restarts.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Claim, EventLedger, LedgerError, LedgerFuture, Retention, whole_seconds};

/// A ledger in a SQLite file (created if missing). Claims are transactions, so that several
/// processes on the machine sharing the file also claim each id once. Its operations are short
/// local writes, done inline.
#[derive(Debug)]
pub struct SqliteLedger {
    connection: Mutex<Connection>,
    retention: Retention,
}

fn failed(error: rusqlite::Error) -> LedgerError {
    LedgerError(format!("sqlite: {error}"))
}

impl SqliteLedger {
    /// Opens (or creates) the ledger at `path` with the default retention.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        Self::open_with_retention(path, Retention::default())
    }

    /// Opens (or creates) the ledger at `path` with this retention.
    pub fn open_with_retention(path: impl AsRef<Path>, retention: Retention) -> Result<Self, LedgerError> {
        let connection = Connection::open(path).map_err(failed)?;
        connection.busy_timeout(Duration::from_secs(5)).map_err(failed)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS stripe_notify_events (
                     id TEXT PRIMARY KEY,
                     state TEXT NOT NULL CHECK (state IN ('processing', 'done')),
                     updated_at INTEGER NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS stripe_notify_events_updated_at
                     ON stripe_notify_events (updated_at);",
            )
            .map_err(failed)?;
        Ok(Self {
            connection: Mutex::new(connection),
            retention,
        })
    }

    fn claim_now(&self, event_id: &str) -> Result<Claim, LedgerError> {
        let mut connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let now = crate::clock::unix_now();
        let done_before = now.saturating_sub(whole_seconds(self.retention.done));
        let processing_before = now.saturating_sub(whole_seconds(self.retention.processing));
        transaction
            .execute(
                "DELETE FROM stripe_notify_events
                 WHERE (state = 'done' AND updated_at < ?1) OR (state = 'processing' AND updated_at < ?2)",
                params![done_before, processing_before],
            )
            .map_err(failed)?;
        let inserted = transaction
            .execute(
                "INSERT INTO stripe_notify_events (id, state, updated_at) VALUES (?1, 'processing', ?2)
                 ON CONFLICT (id) DO NOTHING",
                params![event_id, now],
            )
            .map_err(failed)?;
        let claim = if inserted == 1 {
            Claim::Claimed
        } else {
            let state: Option<String> = transaction
                .query_row(
                    "SELECT state FROM stripe_notify_events WHERE id = ?1",
                    params![event_id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(failed)?;
            if state.as_deref() == Some("done") {
                Claim::Done
            } else {
                Claim::Processing
            }
        };
        transaction.commit().map_err(failed)?;
        Ok(claim)
    }

    fn execute(&self, sql: &str, parameters: impl rusqlite::Params) -> Result<(), LedgerError> {
        let connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        connection.execute(sql, parameters).map(|_| ()).map_err(failed)
    }
}

impl EventLedger for SqliteLedger {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        let claim = self.claim_now(event_id);
        Box::pin(async move { claim })
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        let done = self.execute(
            "UPDATE stripe_notify_events SET state = 'done', updated_at = ?2 WHERE id = ?1",
            params![event_id, crate::clock::unix_now()],
        );
        Box::pin(async move { done })
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        let released = self.execute(
            "DELETE FROM stripe_notify_events WHERE id = ?1 AND state = 'processing'",
            params![event_id],
        );
        Box::pin(async move { released })
    }
}

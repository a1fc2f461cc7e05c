//! The PostgreSQL ledger: several servers behind a load balancer, one database.

use tokio_postgres::{Client, NoTls};

use super::{Claim, EventLedger, LedgerError, LedgerFuture, Retention, whole_seconds};

/// A ledger in a PostgreSQL table (created if missing). A claim is one `INSERT ... ON CONFLICT
/// DO NOTHING`: of concurrent claims from any number of servers, the database lets one win.
pub struct PostgresLedger {
    client: Client,
    retention: Retention,
}

impl std::fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection string (with its password) is never kept.
        f.debug_struct("PostgresLedger")
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

fn failed(error: tokio_postgres::Error) -> LedgerError {
    LedgerError(format!("postgres: {error}"))
}

impl PostgresLedger {
    /// Connects to `url` (`postgres://user:password@host/database`) with the default retention.
    /// The connection is driven by a task on the current tokio runtime.
    pub async fn connect(url: &str) -> Result<Self, LedgerError> {
        Self::connect_with_retention(url, Retention::default()).await
    }

    /// Connects with this retention.
    pub async fn connect_with_retention(url: &str, retention: Retention) -> Result<Self, LedgerError> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(failed)?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::error!(%error, "the event ledger's PostgreSQL connection failed");
            }
        });
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS stripe_notify_events (
                     id TEXT PRIMARY KEY,
                     state TEXT NOT NULL CHECK (state IN ('processing', 'done')),
                     updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 );
                 CREATE INDEX IF NOT EXISTS stripe_notify_events_updated_at
                     ON stripe_notify_events (updated_at);",
            )
            .await
            .map_err(failed)?;
        Ok(Self { client, retention })
    }

    async fn claim_now(&self, event_id: &str) -> Result<Claim, LedgerError> {
        let done = whole_seconds(self.retention.done);
        let processing = whole_seconds(self.retention.processing);
        self.client
            .execute(
                "DELETE FROM stripe_notify_events WHERE id = $1 AND (
                     (state = 'done' AND updated_at < now() - make_interval(secs => $2::bigint))
                  OR (state = 'processing' AND updated_at < now() - make_interval(secs => $3::bigint)))",
                &[&event_id, &done, &processing],
            )
            .await
            .map_err(failed)?;
        let inserted = self
            .client
            .execute(
                "INSERT INTO stripe_notify_events (id, state) VALUES ($1, 'processing') ON CONFLICT (id) DO NOTHING",
                &[&event_id],
            )
            .await
            .map_err(failed)?;
        if inserted == 1 {
            return Ok(Claim::Claimed);
        }
        let row = self
            .client
            .query_opt(
                "SELECT state FROM stripe_notify_events WHERE id = $1",
                &[&event_id],
            )
            .await
            .map_err(failed)?;
        let state: Option<String> = row.map(|row| row.get(0));
        // Gone between the insert and the select: released by a failed delivery; retry later.
        Ok(if state.as_deref() == Some("done") {
            Claim::Done
        } else {
            Claim::Processing
        })
    }
}

impl EventLedger for PostgresLedger {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        Box::pin(self.claim_now(event_id))
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            self.client
                .execute(
                    "UPDATE stripe_notify_events SET state = 'done', updated_at = now() WHERE id = $1",
                    &[&event_id],
                )
                .await
                .map(|_| ())
                .map_err(failed)
        })
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            self.client
                .execute(
                    "DELETE FROM stripe_notify_events WHERE id = $1 AND state = 'processing'",
                    &[&event_id],
                )
                .await
                .map(|_| ())
                .map_err(failed)
        })
    }
}

//! A PostgreSQL of one's own for a test: a fresh schema on a shared server.

use crate::inbox::InboxError;

/// Creates a fresh schema on the PostgreSQL server at `url` and returns a URL whose connections
/// use it (`options=-csearch_path=...`), so that tests running at once on one server do not see
/// each other's inbox tables.
pub async fn isolated_schema(url: &str) -> Result<String, InboxError> {
    use std::hash::{BuildHasher as _, RandomState};
    let schema = format!("stripe_notify_test_{:016x}", RandomState::new().hash_one(url));
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| InboxError(format!("postgres: {e}")))?;
    let connection = tokio::spawn(connection);
    let created = client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .await
        .map_err(|e| InboxError(format!("postgres: {e}")));
    drop(client);
    let _ = connection.await;
    created?;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}options=-csearch_path%3D{schema}"))
}

//! The inbox page's tests' world: a real SQLite inbox holding pending, retrying and dead events,
//! and the page served on loopback, mounted at `/inbox` as the example server mounts it.

use std::sync::Arc;
use std::time::Duration;

use stripe_notify_runtime::Timestamp;
use stripe_notify_runtime::inbox::{Inbox, NewEvent, SqliteInbox};

/// The token the tests' pages take.
pub const TOKEN: &str = "a-long-enough-admin-token";

/// The dead event's body: it holds markup that must show as text.
pub const HOSTILE_BODY: &str =
    r#"{"id":"evt_dead_1","object":"event","note":"<script>document.title='pwned'</script><b>bold</b>"}"#;

/// A SQLite inbox holding `evt_dead_1` (`invoice.paid`, dead, with the error
/// `the CRM answered 502 <i>twice</i>`), `evt_retrying_1` (`charge.failed`, retrying in an hour),
/// and `evt_pending_1` (`invoice.paid`) and `evt_pending_2` (`charge.failed`), pending.
pub async fn seeded_inbox() -> Arc<SqliteInbox> {
    let inbox = Arc::new(SqliteInbox::open(super::temp_sqlite("stripe-notify-admin-tests")).unwrap());
    let store = |id: &'static str, event_type: &'static str, body: &'static str| {
        let inbox = Arc::clone(&inbox);
        async move {
            inbox
                .store(new_event(id, event_type, body.as_bytes()))
                .await
                .unwrap();
        }
    };
    let lease = Duration::from_secs(60);
    store("evt_dead_1", "invoice.paid", HOSTILE_BODY).await;
    let claimed = inbox.claim(1, lease, false).await.unwrap();
    inbox
        .fail(&claimed[0].id, 1, "the CRM answered 502 <i>twice</i>", None)
        .await
        .unwrap();
    store("evt_retrying_1", "charge.failed", r#"{"id":"evt_retrying_1"}"#).await;
    let claimed = inbox.claim(1, lease, false).await.unwrap();
    inbox
        .fail(&claimed[0].id, 1, "timed out", Some(Duration::from_secs(3600)))
        .await
        .unwrap();
    store("evt_pending_1", "invoice.paid", r#"{"id":"evt_pending_1"}"#).await;
    store("evt_pending_2", "charge.failed", r#"{"id":"evt_pending_2"}"#).await;
    inbox
}

/// An event to store, received now, about no object.
pub fn new_event<'a>(id: &'a str, event_type: &'a str, body: &'a [u8]) -> NewEvent<'a> {
    NewEvent {
        id,
        event_type,
        created: Timestamp::UNIX_EPOCH,
        body,
        signed_at: None,
        object_id: None,
    }
}

/// Serves `admin` at `/inbox` on a loopback port: the server's root URL, `http://127.0.0.1:<port>`.
pub async fn serve(admin: axum::Router) -> String {
    let app = axum::Router::new().nest("/inbox", admin);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

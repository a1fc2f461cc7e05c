//! What the example server and the demo share: the handler they register and the routes.
// Each example uses a part of this module.
#![allow(dead_code)]

use std::io::Write as _;
use std::sync::Arc;

use axum::Router;
use stripe_notify::endpoint::WebhookEndpoint;
use stripe_notify::ledger::{EventLedger, MemoryLedger, PostgresLedger, SqliteLedger};
use stripe_notify::{CallbackError, EventNotificationHandler, RegisterCallbacks, StripeClient};

/// A fixed secret for local testing when `STRIPE_WEBHOOK_SECRET` is unset.
pub const DEMO_SECRET: &str = "whsec_demo_local_testing_only";

/// Prints one line to stdout and flushes it, so that a reader of a pipe sees it at once.
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Where the handler reports what it did, one line per event (the server prints them).
pub type Report = Arc<dyn Fn(&str) + Send + Sync>;

/// The demo handler: a callback for `v1.billing.meter.error_report_triggered` and a fallback,
/// each reporting `handled <type> <id> by <callback|fallback-known|fallback-unknown>`. With
/// `fetch`, the callback then fetches the event and its related object and reports
/// `fetched <id> <related object type|none>` or `fetch failed <id> <error kind>`.
pub fn handler(
    client: StripeClient,
    secret: &str,
    fetch: bool,
    ledger: Option<Arc<dyn EventLedger>>,
    report: Report,
) -> Result<EventNotificationHandler, CallbackError> {
    let fallback_report = Arc::clone(&report);
    let handler = EventNotificationHandler::builder(client, secret, move |n, _, details| {
        let by = if details.is_known_event_type {
            "fallback-known"
        } else {
            "fallback-unknown"
        };
        fallback_report(&format!("handled {} {} by {by}", n.event_type(), n.id()));
        async { Ok(()) }
    })?
    .on_v1_billing_meter_error_report_triggered(move |n, _| {
        let say = Arc::clone(&report);
        async move {
            say(&format!("handled {} {} by callback", n.event_type(), n.id()));
            if fetch {
                let fetched = async {
                    Ok::<_, stripe_notify::ClientError>((
                        n.fetch_event().await?,
                        n.fetch_related_object().await?,
                    ))
                };
                match fetched.await {
                    Ok((event, related)) => {
                        let related_type = related.map_or("none", |_| n.related_object().object_type);
                        say(&format!("fetched {} {related_type}", event.id));
                    }
                    Err(error) => {
                        say(&format!("fetch failed {} {}", n.id(), error.kind()));
                        return Err(error.into());
                    }
                }
            }
            Ok(())
        }
    })?;
    Ok(match ledger {
        Some(ledger) => handler.ledger(ledger).build(),
        None => handler.build(),
    })
}

/// The ledger `STRIPE_LEDGER` names: `memory`, `sqlite:<path>` or `postgres:<url>`; none when
/// unset.
pub async fn ledger_from_env() -> Result<Option<Arc<dyn EventLedger>>, CallbackError> {
    let Ok(spec) = std::env::var("STRIPE_LEDGER") else {
        return Ok(None);
    };
    let ledger: Arc<dyn EventLedger> = match spec.split_once(':') {
        None if spec == "memory" => Arc::new(MemoryLedger::new(100_000)),
        Some(("sqlite", path)) => Arc::new(SqliteLedger::open(path)?),
        Some(("postgres", url)) => Arc::new(PostgresLedger::connect(url).await?),
        _ => {
            return Err(format!(
                "STRIPE_LEDGER must be memory, sqlite:<path> or postgres:<url>, not {spec:?}"
            )
            .into());
        }
    };
    Ok(Some(ledger))
}

/// `POST /webhook` (verified) and `POST /webhook/unverified` (EventBridge, Event Grid).
pub fn app(handler: EventNotificationHandler) -> Router {
    Router::new()
        .route("/webhook", WebhookEndpoint::new(handler.clone()).verified())
        .route("/webhook/unverified", WebhookEndpoint::new(handler).unverified())
}

//! The inbox's stores as event ledgers: one suite of semantics run against memory, SQLite and
//! PostgreSQL, and the handler processing each event once, inline, with them.
//!
//! PostgreSQL tests use `STRIPE_NOTIFY_POSTGRES_URL`; without it they say so and stop, unless
//! `STRIPE_NOTIFY_REQUIRE_POSTGRES` is set (as `.ci/run` does), when they fail.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use stripe_notify_runtime::inbox::{MemoryInbox, PostgresInbox, SqliteInbox};
use stripe_notify_runtime::ledger::{Claim, EventLedger, Retention};
use stripe_notify_runtime::{FixedClock, HandleError, Handled, Handler, Notification, StripeClient};
use support::{
    MeterErrorReportTriggered, NOW, SECRET, TestCatalog, postgres_url, signed_meter, temp_sqlite, unique,
};

fn quick_expiry() -> Retention {
    Retention {
        done: Duration::from_secs(3600),
        processing: Duration::from_secs(1),
    }
}

async fn postgres(retention: Retention) -> Option<PostgresInbox> {
    let url = postgres_url()?;
    Some(
        PostgresInbox::connect(&url)
            .await
            .expect("PostgreSQL reachable")
            .with_retention(retention),
    )
}

/// The semantics every ledger must have.
async fn ledger_semantics(ledger: Arc<dyn EventLedger>, expiry: Duration) {
    let id = unique("evt_semantics");
    assert_eq!(ledger.claim(&id).await.unwrap(), Claim::Claimed);
    assert_eq!(
        ledger.claim(&id).await.unwrap(),
        Claim::Processing,
        "a second claim while processing"
    );
    ledger.release(&id).await.unwrap();
    assert_eq!(
        ledger.claim(&id).await.unwrap(),
        Claim::Claimed,
        "a released id is claimable again"
    );
    ledger.mark_done(&id).await.unwrap();
    assert_eq!(ledger.claim(&id).await.unwrap(), Claim::Done);
    assert_eq!(ledger.claim(&id).await.unwrap(), Claim::Done);

    // Many claimants at once: exactly one wins.
    let contested = unique("evt_contested");
    let claims = (0..32).map(|_| {
        let (ledger, contested) = (Arc::clone(&ledger), contested.clone());
        tokio::spawn(async move { ledger.claim(&contested).await.unwrap() })
    });
    let claims: Vec<Claim> = futures_join(claims).await;
    assert_eq!(
        claims.iter().filter(|c| **c == Claim::Claimed).count(),
        1,
        "{claims:?}"
    );
    assert!(
        claims
            .iter()
            .all(|c| matches!(c, Claim::Claimed | Claim::Processing))
    );

    // A claim whose process died expires.
    let abandoned = unique("evt_abandoned");
    assert_eq!(ledger.claim(&abandoned).await.unwrap(), Claim::Claimed);
    tokio::time::sleep(expiry + Duration::from_millis(1100)).await;
    assert_eq!(
        ledger.claim(&abandoned).await.unwrap(),
        Claim::Claimed,
        "an expired claim is claimable"
    );
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_ledger_semantics() {
    ledger_semantics(
        Arc::new(MemoryInbox::new().with_retention(quick_expiry())),
        Duration::from_secs(1),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_ledger_semantics() {
    let ledger = SqliteInbox::open(temp_sqlite("stripe-notify-ledger-tests"))
        .unwrap()
        .with_retention(quick_expiry());
    ledger_semantics(Arc::new(ledger), Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_ledger_semantics() {
    let Some(ledger) = postgres(quick_expiry()).await else {
        return;
    };
    ledger_semantics(Arc::new(ledger), Duration::from_secs(1)).await;
}

/// A handler whose meter callback counts runs, sleeps a little (so that deliveries overlap), and
/// fails while `failing` is set.
fn counting_handler(
    ledger: impl EventLedger,
    runs: &Arc<AtomicUsize>,
    failing: &Arc<AtomicUsize>,
) -> Handler<TestCatalog> {
    let (runs, failing) = (Arc::clone(runs), Arc::clone(failing));
    Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .ledger(ledger)
        .on(move |_: Notification<MeterErrorReportTriggered>, _| {
            let (runs, failing) = (Arc::clone(&runs), Arc::clone(&failing));
            async move {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                if failing.load(Ordering::SeqCst) > 0 {
                    return Err("the callback failed".into());
                }
                Ok(())
            }
        })
        .unwrap()
        .build()
}

/// Sends `body` through `handlers` at the same moment; returns the outcomes.
async fn deliver_concurrently(
    handlers: &[Handler<TestCatalog>],
    body: &[u8],
    header: &str,
) -> Vec<Result<Handled, HandleError>> {
    let deliveries = handlers.iter().map(|handler| {
        let (handler, body, header) = (handler.clone(), body.to_vec(), header.to_owned());
        tokio::spawn(async move { handler.handle(&body, Some(&header)).await })
    });
    futures_join(deliveries).await
}

async fn runs_each_event_once(
    first: Handler<TestCatalog>,
    second: Handler<TestCatalog>,
    runs: &AtomicUsize,
    failing: &AtomicUsize,
) {
    // Twice, one after the other: the callback runs once, the redelivery is acknowledged.
    let (body, header) = signed_meter(&unique("evt_twice"));
    assert_eq!(
        first.handle(&body, Some(&header)).await.unwrap(),
        Handled::Callback
    );
    assert_eq!(
        second.handle(&body, Some(&header)).await.unwrap(),
        Handled::AlreadyProcessed
    );
    assert_eq!(runs.swap(0, Ordering::SeqCst), 1);

    // Twice at the same moment: one runs, the other is told to come back.
    let (body, header) = signed_meter(&unique("evt_concurrent"));
    let outcomes = deliver_concurrently(&[first.clone(), second.clone()], &body, &header).await;
    assert_eq!(runs.swap(0, Ordering::SeqCst), 1, "{outcomes:?}");
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Handled::Callback)))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Err(HandleError::InProgress)))
            .count(),
        1,
        "{outcomes:?}"
    );

    // A failure leaves the event retryable; the retry runs the callback again.
    let (body, header) = signed_meter(&unique("evt_failing"));
    failing.store(1, Ordering::SeqCst);
    assert!(matches!(
        first.handle(&body, Some(&header)).await,
        Err(HandleError::Callback(_))
    ));
    failing.store(0, Ordering::SeqCst);
    assert_eq!(
        second.handle(&body, Some(&header)).await.unwrap(),
        Handled::Callback
    );
    assert_eq!(
        second.handle(&body, Some(&header)).await.unwrap(),
        Handled::AlreadyProcessed
    );
    assert_eq!(runs.swap(0, Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_handler_runs_each_event_once_with_the_memory_ledger() {
    let (runs, failing) = (Arc::default(), Arc::default());
    // One process: the same handler takes both deliveries.
    let handler = counting_handler(MemoryInbox::new(), &runs, &failing);
    runs_each_event_once(handler.clone(), handler, &runs, &failing).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_handler_runs_each_event_once_with_sqlite_across_a_restart() {
    let (runs, failing) = (Arc::default(), Arc::default());
    let path = temp_sqlite("stripe-notify-ledger-tests");
    let handler = counting_handler(SqliteInbox::open(&path).unwrap(), &runs, &failing);
    runs_each_event_once(handler.clone(), handler.clone(), &runs, &failing).await;

    let (body, header) = signed_meter(&unique("evt_restart"));
    assert_eq!(
        handler.handle(&body, Some(&header)).await.unwrap(),
        Handled::Callback
    );
    drop(handler);
    let restarted = counting_handler(SqliteInbox::open(&path).unwrap(), &runs, &failing);
    assert_eq!(
        restarted.handle(&body, Some(&header)).await.unwrap(),
        Handled::AlreadyProcessed
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_handler_instances_share_the_postgres_ledger() {
    let (runs, failing) = (Arc::default(), Arc::default());
    let (Some(a), Some(b)) = (
        postgres(Retention::default()).await,
        postgres(Retention::default()).await,
    ) else {
        return;
    };
    let first = counting_handler(a, &runs, &failing);
    let second = counting_handler(b, &runs, &failing);
    runs_each_event_once(first, second, &runs, &failing).await;
}

/// An occurrence delivered in both styles runs once with a ledger, whichever style comes first:
/// a thin interop event names its classic twin, and both are kept under the classic id.
async fn an_occurrence_in_both_styles_runs_once(ledger: impl EventLedger) {
    let (runs, failing) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let handler = counting_handler(ledger, &runs, &failing);
    let classic = unique("evt_classic");
    let snapshot = format!(
        r#"{{"id":"{classic}","object":"event","type":"billing.meter.error_report_triggered","created":1726554052,"data":{{"object":{{"id":"mtr_1","object":"billing.meter"}}}}}}"#
    );
    let thin = format!(
        r#"{{"id":"evt_thin","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2024-09-17T06:20:52Z","snapshot_event":"{classic}","related_object":{{"id":"mtr_1","type":"billing.meter","url":"/v1/billing/meters/mtr_1"}}}}"#
    );
    for (body, handled) in [(&thin, Handled::Callback), (&snapshot, Handled::AlreadyProcessed)] {
        let header = stripe_notify_runtime::sign(body.as_bytes(), SECRET, NOW);
        assert_eq!(
            handler.handle(body.as_bytes(), Some(&header)).await.unwrap(),
            handled
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_occurrence_in_both_styles_runs_once_with_each_ledger() {
    an_occurrence_in_both_styles_runs_once(MemoryInbox::new()).await;
    an_occurrence_in_both_styles_runs_once(SqliteInbox::open(temp_sqlite("ledger-styles")).unwrap()).await;
    if let Some(postgres) = postgres(quick_expiry()).await {
        an_occurrence_in_both_styles_runs_once(postgres).await;
    }
}

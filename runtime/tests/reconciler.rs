//! The reconciler against a fake Stripe serving a history of events of both styles: what the
//! endpoint never received is stored once and run once, on SQLite and PostgreSQL; a `429` is
//! waited out; a reconciler that dies mid-pass is taken over from the checkpoint; servers
//! sharing an inbox run one pass an interval.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stripe_notify_runtime::inbox::{Inbox, InboxWorkers, PostgresInbox, SqliteInbox, State};
use stripe_notify_runtime::recovery::Reconciler;
use stripe_notify_runtime::testing::FakeStripe;
use stripe_notify_runtime::{Handler, Notification, StripeClient, sign, unix_now};
use support::{METER_RELATED, MeterErrorReportTriggered, SECRET, TestCatalog, postgres_schema, temp_sqlite};
use tokio::sync::oneshot;

/// Runs per event id, callback and fallback alike.
type Runs = Arc<Mutex<HashMap<String, usize>>>;

/// `count` events of each style, one a second, ending a minute ago: half meter events (a
/// callback), half of types the catalog does not know (the fallback).
fn history(count: usize) -> Vec<String> {
    let start = unix_now() - 60 - count as i64;
    (0..count)
        .flat_map(|i| {
            let created = start + i as i64;
            let at = jiff::Timestamp::from_second(created).unwrap();
            let thin = if i % 2 == 0 {
                format!(
                    r#"{{"id":"evt_thin_{i:04}","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"{at}","livemode":false{METER_RELATED}}}"#
                )
            } else {
                format!(r#"{{"id":"evt_thin_{i:04}","object":"v2.core.event","type":"v9.other","created":"{at}","livemode":false}}"#)
            };
            let (classic, object) = if i % 2 == 0 {
                ("billing.meter.error_report_triggered", r#"{"id":"mtr_1","object":"billing.meter"}"#)
            } else {
                ("charge.succeeded", r#"{"id":"ch_1","object":"charge"}"#)
            };
            let snapshot = format!(
                r#"{{"id":"evt_snap_{i:04}","object":"event","type":"{classic}","created":{created},"api_version":"2026-09-30.endive","livemode":false,"pending_webhooks":1,"request":{{"id":null,"idempotency_key":null}},"data":{{"object":{object}}}}}"#
            );
            [thin, snapshot]
        })
        .collect()
}

fn handler(stripe: &FakeStripe, runs: &Runs) -> Handler<TestCatalog> {
    let (fallback, callback) = (Arc::clone(runs), Arc::clone(runs));
    let client = StripeClient::builder("sk_test_reconcile")
        .api_base(stripe.url())
        .build()
        .unwrap();
    Handler::<TestCatalog>::builder(client, SECRET, move |n, _, _| {
        *fallback.lock().unwrap().entry(n.id().to_owned()).or_default() += 1;
        async { Ok(()) }
    })
    .unwrap()
    .on(move |n: Notification<MeterErrorReportTriggered>, _| {
        *callback.lock().unwrap().entry(n.id().to_owned()).or_default() += 1;
        async { Ok(()) }
    })
    .unwrap()
    .build()
}

/// Runs `handler`'s reconciler over `inbox` until the returned sender fires or is dropped.
fn start_reconciler(
    handler: &Handler<TestCatalog>,
    inbox: Arc<dyn Inbox>,
    options: Reconciler,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handler = handler.clone();
    let task = tokio::spawn(async move {
        let options = options.shutdown(async move {
            let _ = stopped.await;
        });
        handler.run_reconciler(inbox, options).await;
    });
    (stop, task)
}

fn start_workers(
    handler: &Handler<TestCatalog>,
    inbox: Arc<dyn Inbox>,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handler = handler.clone();
    let task = tokio::spawn(async move {
        let options = InboxWorkers::default()
            .poll_interval(Duration::from_millis(20))
            .shutdown(async move {
                let _ = stopped.await;
            });
        handler.run_inbox_workers(inbox, options).await;
    });
    (stop, task)
}

async fn wait_for_done(inbox: &dyn Inbox, count: u64, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let done = inbox.stats().await.unwrap().count(State::Done);
        if done >= count {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{done} of {count} done");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The endpoint received 90 % of 2,000 events (10 % never sent, 5 % sent twice); one pass
/// later every event has run exactly once. Every seventh list request is a 429.
async fn a_pass_closes_the_gap(inbox: Arc<dyn Inbox>) {
    let stripe = FakeStripe::start().await.unwrap();
    let events = history(1000);
    stripe.serve_events(events.clone()).unwrap();
    stripe.throttle_event_lists(7);
    let runs = Runs::default();
    let handler = handler(&stripe, &runs);
    for (i, body) in events.iter().enumerate() {
        let times = match i % 20 {
            0 | 1 => 0,
            2 => 2,
            _ => 1,
        };
        for _ in 0..times {
            let signature = sign(body.as_bytes(), SECRET, unix_now());
            handler
                .enqueue(body.as_bytes(), Some(&signature), &*inbox)
                .await
                .unwrap();
        }
    }
    assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 1800);

    let (stop_workers, workers) = start_workers(&handler, Arc::clone(&inbox));
    let (stop_reconciler, reconciler) = start_reconciler(
        &handler,
        Arc::clone(&inbox),
        Reconciler::default().requests_per_second(1000.0),
    );
    wait_for_done(&*inbox, 2000, Duration::from_secs(60)).await;
    stop_reconciler.send(()).unwrap();
    reconciler.await.unwrap();
    stop_workers.send(()).unwrap();
    workers.await.unwrap();

    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 2000, "every event ran");
    assert!(runs.values().all(|&n| n == 1), "each once");
    let throttled = stripe.requests().len();
    // 10 pages of each style, and a 429 every seventh request.
    assert!(throttled > 20, "{throttled} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_closes_the_gap_on_sqlite() {
    let inbox = SqliteInbox::open(temp_sqlite("stripe-notify-reconciler-tests")).unwrap();
    a_pass_closes_the_gap(Arc::new(inbox)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_closes_the_gap_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    a_pass_closes_the_gap(Arc::new(PostgresInbox::connect(&schema).await.unwrap())).await;
}

/// The first list request of each pass, per style.
fn passes(stripe: &FakeStripe) -> (usize, usize) {
    let requests = stripe.requests();
    let first = |prefix: &str| {
        requests
            .iter()
            .filter(|r| {
                r.path.starts_with(prefix) && !r.path.contains("starting_after") && !r.path.contains("page=")
            })
            .count()
    };
    (first("/v2/core/events"), first("/v1/events"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_sharing_postgres_run_one_pass_an_interval() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let stripe = FakeStripe::start().await.unwrap();
    stripe.serve_events(history(300)).unwrap();
    let runs = Runs::default();
    let handler = handler(&stripe, &runs);
    let mut servers = Vec::new();
    for _ in 0..2 {
        servers.push(PostgresInbox::connect(&schema).await.unwrap());
    }
    let options = || {
        Reconciler::default()
            .interval(Duration::from_secs(2))
            .requests_per_second(1000.0)
    };
    let mut running = Vec::new();
    for inbox in servers {
        running.push(start_reconciler(&handler, Arc::new(inbox), options()));
    }
    // The first pass at once, then one each 2 s: by 5 s, three passes (two servers without
    // turns would make six).
    tokio::time::sleep(Duration::from_millis(5000)).await;
    for (stop, task) in running {
        stop.send(()).unwrap();
        task.await.unwrap();
    }
    let (thin, snapshot) = passes(&stripe);
    assert_eq!(thin, snapshot);
    assert!((2..=3).contains(&thin), "{thin} passes in 5 s at one each 2 s");
    let inbox = PostgresInbox::connect(&schema).await.unwrap();
    assert_eq!(
        inbox.stats().await.unwrap().count(State::Pending),
        600,
        "each event stored once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconciler_that_dies_mid_pass_is_taken_over_from_the_checkpoint() {
    let path = temp_sqlite("stripe-notify-reconciler-tests");
    let inbox: Arc<dyn Inbox> = Arc::new(SqliteInbox::open(&path).unwrap());
    let stripe = FakeStripe::start().await.unwrap();
    stripe.serve_events(history(1000)).unwrap();
    let runs = Runs::default();
    let handler = handler(&stripe, &runs);
    // An earlier pass got to 20 minutes ago.
    let checkpoint = jiff::Timestamp::from_second(unix_now() - 20 * 60).unwrap();
    let task = "stripe-notify-reconciler";
    let _ = inbox
        .take_turn(task, "earlier", Duration::from_secs(1), Duration::ZERO)
        .await
        .unwrap();
    assert!(inbox.end_turn(task, "earlier", Some(checkpoint)).await.unwrap());
    let (stop_workers, workers) = start_workers(&handler, Arc::clone(&inbox));
    // Leases of a second, and two pages a second: the pass takes ten seconds. It dies after
    // three, holding its turn.
    let options = |rate| {
        Reconciler::default()
            .lease(Duration::from_secs(1))
            .requests_per_second(rate)
    };
    let (_stop, first) = start_reconciler(&handler, Arc::clone(&inbox), options(2.0));
    tokio::time::sleep(Duration::from_secs(3)).await;
    first.abort();
    let _ = first.await;
    let stored = inbox.stats().await.unwrap();
    let part = stored.count(State::Pending) + stored.count(State::Done) + stored.count(State::Processing);
    assert!((100..2000).contains(&part), "part of the pass stored: {part}");

    // Another server (here, another reconciler on the same file) takes over once the dead one's
    // lease ran out, from the checkpoint (none yet: the first window again).
    let (stop, second) = start_reconciler(
        &handler,
        Arc::new(SqliteInbox::open(&path).unwrap()),
        options(1000.0),
    );
    let taken_over = tokio::time::Instant::now();
    wait_for_done(&*inbox, 2000, Duration::from_secs(30)).await;
    assert!(
        taken_over.elapsed() < Duration::from_secs(10),
        "within a few leases"
    );
    stop.send(()).unwrap();
    second.await.unwrap();
    stop_workers.send(()).unwrap();
    workers.await.unwrap();
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 2000);
    assert!(runs.values().all(|&n| n == 1), "none twice");
    // Both passes listed from the checkpoint, less the default overlap of 10 minutes (the first
    // died among the thin pages).
    let from = jiff::Timestamp::from_second(checkpoint.as_second() - 600).unwrap();
    let from = format!("created[gte]={}", from.to_string().replace(':', "%3A"));
    let firsts: Vec<String> = stripe
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/v2/core/events") && !p.contains("page="))
        .collect();
    assert_eq!(firsts.len(), 2, "{firsts:#?}");
    assert!(firsts.iter().all(|p| p.contains(&from)), "{from}: {firsts:#?}");
}

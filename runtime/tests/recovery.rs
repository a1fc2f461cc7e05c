//! Recovery of missed events of both styles from the list APIs, through the same handler, ledger
//! and inbox, against a fake Stripe serving scripted pages or a history of events.

mod support;

use std::sync::{Arc, Mutex};

use stripe_notify_runtime::inbox::MemoryInbox;
use stripe_notify_runtime::ledger::EventLedger;
use stripe_notify_runtime::testing::FakeStripe;
use stripe_notify_runtime::{
    Handler, Notification, RecoveryCounts, RecoveryFilter, RecoveryStyles, StripeClient,
};
use support::{METER_RELATED, MeterErrorReportTriggered, SECRET, TestCatalog};

/// Every thin event.
const THIN: RecoveryFilter = RecoveryFilter {
    created_from: None,
    created_before: None,
    types: Vec::new(),
    styles: RecoveryStyles::Thin,
    undelivered_only: false,
};

fn event(id: &str, event_type: &str) -> String {
    let related = if event_type.starts_with("v1.billing.meter") {
        METER_RELATED
    } else {
        ""
    };
    format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"{event_type}","created":"2025-01-02T03:04:05Z","livemode":false,"data":{{}}{related}}}"#
    )
}

#[tokio::test]
async fn recovery_replays_exactly_the_missed_events() {
    let stripe = FakeStripe::start().await.unwrap();
    // Values are percent-encoded but for RFC 3986's unreserved characters, as event ids in paths.
    let first = "/v2/core/events?limit=100&created[gte]=2025-01-01T00%3A00%3A00Z&types=v1.billing.meter.error_report_triggered&types=v9.other";
    stripe.respond(
        first,
        200,
        format!(
            r#"{{"data":[{},{}],"next_page_url":"/v2/core/events?page=p2","previous_page_url":null}}"#,
            event("evt_a", "v1.billing.meter.error_report_triggered"),
            event("evt_fails", "v1.billing.meter.error_report_triggered"),
        ),
    );
    stripe.respond(
        "/v2/core/events?page=p2",
        200,
        format!(
            r#"{{"data":[{},{}],"next_page_url":"/v2/core/events?page=p3","previous_page_url":"/v2/core/events?page=p1"}}"#,
            event("evt_done", "v1.billing.meter.error_report_triggered"),
            event("evt_b", "v9.other"),
        ),
    );
    stripe.respond(
        "/v2/core/events?page=p3",
        200,
        r#"{"data":[],"next_page_url":null,"previous_page_url":null}"#,
    );

    let ledger = MemoryInbox::new();
    // evt_done was delivered and processed before the outage.
    ledger.claim("evt_done").await.unwrap();
    ledger.mark_done("evt_done").await.unwrap();

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (s1, s2) = (Arc::clone(&seen), Arc::clone(&seen));
    let client = StripeClient::builder("sk_test_recover")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let handler = Handler::<TestCatalog>::builder(client, SECRET, move |n, _, _| {
        s1.lock().unwrap().push(format!("fallback {}", n.id()));
        async { Ok(()) }
    })
    .unwrap()
    .ledger(ledger)
    .on(move |n: Notification<MeterErrorReportTriggered>, _| {
        s2.lock().unwrap().push(format!("callback {}", n.id()));
        let fails = n.id() == "evt_fails";
        async move {
            if fails {
                Err("the callback failed".into())
            } else {
                Ok(())
            }
        }
    })
    .unwrap()
    .build();

    let filter = RecoveryFilter {
        created_from: Some("2025-01-01T00:00:00Z".parse().unwrap()),
        created_before: None,
        types: vec![
            "v1.billing.meter.error_report_triggered".into(),
            "v9.other".into(),
        ],
        styles: RecoveryStyles::Thin,
        undelivered_only: false,
    };
    let report = handler.recover(&filter).await.unwrap();
    assert_eq!((report.thin.processed, report.thin.skipped), (2, 1));
    assert_eq!(report.thin.failed.len(), 1);
    assert_eq!(report.thin.failed[0].0, "evt_fails");
    assert_eq!((report.snapshot, report.pages), (RecoveryCounts::default(), 3));
    assert_eq!(
        *seen.lock().unwrap(),
        ["callback evt_a", "callback evt_fails", "fallback evt_b"]
    );

    let requests = stripe.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [first, "/v2/core/events?page=p2", "/v2/core/events?page=p3"]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer sk_test_recover"))
    );

    // Run again: what succeeded is skipped; the failure is retried (and fails again here).
    seen.lock().unwrap().clear();
    let again = handler.recover(&filter).await.unwrap();
    assert_eq!(
        (again.processed(), again.skipped(), again.failed().count()),
        (0, 3, 1)
    );
    assert_eq!(*seen.lock().unwrap(), ["callback evt_fails"]);
}

/// A handler whose client asks `stripe` and tries each request once.
fn handler_without_retries(stripe: &FakeStripe) -> Handler<TestCatalog> {
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .max_retries(0)
        .build()
        .unwrap();
    Handler::<TestCatalog>::builder(client, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .build()
}

#[tokio::test]
async fn a_page_that_cannot_be_fetched_is_an_error() {
    let stripe = FakeStripe::start().await.unwrap();
    let error = handler_without_retries(&stripe).recover(&THIN).await.unwrap_err();
    assert_eq!(error.status(), Some(404));
}

#[tokio::test]
async fn recovery_into_an_inbox_stores_each_missed_event_once_and_runs_nothing() {
    use stripe_notify_runtime::inbox::{Inbox, Listing, State};
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v2/core/events?limit=100",
        200,
        format!(
            r#"{{"data":[{},{}],"next_page_url":null,"previous_page_url":null}}"#,
            event("evt_a", "v1.billing.meter.error_report_triggered"),
            event("evt_b", "v9.other"),
        ),
    );
    let client = StripeClient::builder("sk_test_recover")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let ran: Arc<Mutex<u32>> = Arc::default();
    let counter = Arc::clone(&ran);
    let handler = Handler::<TestCatalog>::builder(client, SECRET, move |_, _, _| {
        *counter.lock().unwrap() += 1;
        async { Ok(()) }
    })
    .unwrap()
    .build();
    let inbox = MemoryInbox::new();

    let report = handler.recover_into(&THIN, &inbox).await.unwrap();
    assert_eq!(
        (report.processed(), report.skipped(), report.failed().count()),
        (2, 0, 0)
    );
    let again = handler.recover_into(&THIN, &inbox).await.unwrap();
    assert_eq!((again.processed(), again.skipped()), (0, 2), "stored once");
    assert_eq!(
        *ran.lock().unwrap(),
        0,
        "the workers run the callbacks, not recovery"
    );
    let pending = inbox.list(Listing::of(State::Pending).limit(10)).await.unwrap();
    let mut ids: Vec<&str> = pending.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["evt_a", "evt_b"]);
}

#[tokio::test]
async fn a_page_that_cannot_be_fetched_ends_recovery_into_an_inbox_with_the_pages_before_stored() {
    use stripe_notify_runtime::inbox::{Inbox, Listing, State};
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v2/core/events?limit=100",
        200,
        format!(
            r#"{{"data":[{}],"next_page_url":"/v2/core/events?page=gone","previous_page_url":null}}"#,
            event("evt_first_page", "v1.billing.meter.error_report_triggered"),
        ),
    );
    let inbox = MemoryInbox::new();

    let error = handler_without_retries(&stripe)
        .recover_into(&THIN, &inbox)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404), "the second page's error");
    let pending = inbox.list(Listing::of(State::Pending).limit(10)).await.unwrap();
    let ids: Vec<&str> = pending.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_first_page"], "the first page is stored");
}

/// A classic snapshot event of `event_type`, created at `created` (Unix seconds).
fn snapshot(id: &str, event_type: &str, created: i64) -> String {
    let object = if event_type.starts_with("billing.meter") {
        r#"{"id":"mtr_1","object":"billing.meter"}"#
    } else {
        r#"{"id":"ch_1","object":"charge"}"#
    };
    format!(
        r#"{{"id":"{id}","object":"event","type":"{event_type}","created":{created},"api_version":"2026-09-30.endive","livemode":false,"pending_webhooks":1,"request":{{"id":null,"idempotency_key":null}},"data":{{"object":{object}}}}}"#
    )
}

/// A thin event of `event_type`, created at `created` (Unix seconds).
fn thin(id: &str, event_type: &str, created: i64) -> String {
    let created = jiff::Timestamp::from_second(created).unwrap();
    event(id, event_type).replace("2025-01-02T03:04:05Z", &created.to_string())
}

/// A handler whose every run (callback or fallback) is counted by event id.
fn counting_handler(stripe: &FakeStripe) -> (Handler<TestCatalog>, Arc<Mutex<Vec<String>>>) {
    let runs: Arc<Mutex<Vec<String>>> = Arc::default();
    let (fallback, callback) = (Arc::clone(&runs), Arc::clone(&runs));
    let client = StripeClient::builder("sk_test_recover")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let handler = Handler::<TestCatalog>::builder(client, SECRET, move |n, _, _| {
        fallback.lock().unwrap().push(n.id().to_owned());
        async { Ok(()) }
    })
    .unwrap()
    .ledger(MemoryInbox::new())
    .on(move |n: Notification<MeterErrorReportTriggered>, _| {
        callback.lock().unwrap().push(n.id().to_owned());
        async { Ok(()) }
    })
    .unwrap()
    .build();
    (handler, runs)
}

/// 250 events of each style, one a minute from `START`, of two types each.
const START: i64 = 1_767_225_600;

fn history() -> Vec<String> {
    (0..250)
        .flat_map(|i| {
            let created = START + i * 60;
            let (thin_type, classic_type) = if i % 2 == 0 {
                (
                    "v1.billing.meter.error_report_triggered",
                    "billing.meter.error_report_triggered",
                )
            } else {
                ("v9.other", "charge.succeeded")
            };
            [
                thin(&format!("evt_thin_{i:03}"), thin_type, created),
                snapshot(&format!("evt_snap_{i:03}"), classic_type, created),
            ]
        })
        .collect()
}

#[tokio::test]
async fn both_styles_are_recovered_through_the_same_routing_each_event_once() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.serve_events(history()).unwrap();
    let (handler, runs) = counting_handler(&stripe);
    let filter = RecoveryFilter {
        created_from: Some(jiff::Timestamp::from_second(START + 50 * 60).unwrap()),
        created_before: Some(jiff::Timestamp::from_second(START + 200 * 60).unwrap()),
        ..RecoveryFilter::default()
    };
    let report = handler.recover(&filter).await.unwrap();
    assert_eq!((report.thin.processed, report.snapshot.processed), (150, 150));
    assert_eq!((report.skipped(), report.failed().count()), (0, 0));
    // 150 a style, 100 a page: two pages each.
    assert_eq!(report.pages, 4);
    let mut ran = runs.lock().unwrap().clone();
    ran.sort_unstable();
    let mut expected: Vec<String> = (50..200)
        .flat_map(|i| [format!("evt_thin_{i:03}"), format!("evt_snap_{i:03}")])
        .collect();
    expected.sort_unstable();
    assert_eq!(ran, expected, "every event in the window once, none outside");

    // Again, over a wider window: only what is new runs.
    runs.lock().unwrap().clear();
    let again = handler
        .recover(&RecoveryFilter {
            created_before: Some(jiff::Timestamp::from_second(START + 210 * 60).unwrap()),
            ..filter
        })
        .await
        .unwrap();
    assert_eq!((again.processed(), again.skipped()), (20, 300));
    assert_eq!(runs.lock().unwrap().len(), 20);
}

#[tokio::test]
async fn type_names_of_either_style_list_in_each_style_in_requests_of_twenty() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.serve_events(history()).unwrap();
    stripe.undelivered(["evt_snap_010".to_owned(), "evt_snap_011".to_owned()]);
    let (handler, runs) = counting_handler(&stripe);
    // The meter type by its thin name (known: listed in both styles), 43 other classic names,
    // and one thin name this crate does not know.
    let mut types = vec![
        "v1.billing.meter.error_report_triggered".to_owned(),
        "v9.other".to_owned(),
    ];
    types.extend((0..42).map(|i| format!("charge.kind_{i}")));
    types.push("charge.succeeded".to_owned());
    let report = handler
        .recover(&RecoveryFilter {
            types,
            undelivered_only: true,
            ..RecoveryFilter::default()
        })
        .await
        .unwrap();
    let requests = stripe.requests();
    let lists: Vec<&str> = requests
        .iter()
        .map(|r| r.path.as_str())
        .filter(|p| p.starts_with("/v1/events"))
        .collect();
    assert_eq!(lists.len(), 3, "45 classic names: three requests, {lists:#?}");
    for list in &lists {
        assert!(list.matches("types[]=").count() <= 20, "{list}");
        assert!(list.ends_with("&delivery_success=false"), "{list}");
    }
    assert!(lists[0].contains("types[]=billing.meter.error_report_triggered&"));
    let thin: Vec<&str> = requests
        .iter()
        .map(|r| r.path.as_str())
        .filter(|p| p.starts_with("/v2/core/events"))
        .collect();
    assert_eq!(
        thin[0],
        "/v2/core/events?limit=100&types=v1.billing.meter.error_report_triggered&types=v9.other"
    );
    // Every thin event (the thin list has no delivery filter), and the two undelivered ones.
    assert_eq!((report.thin.processed, report.snapshot.processed), (250, 2));
    let ran = runs.lock().unwrap();
    assert!(ran.contains(&"evt_snap_010".to_owned()) && ran.contains(&"evt_snap_011".to_owned()));
}

#[tokio::test]
async fn a_malformed_event_is_reported_with_its_id_and_the_rest_is_stored() {
    use stripe_notify_runtime::inbox::{Inbox, State};
    let stripe = FakeStripe::start().await.unwrap();
    let mut events = history();
    // A classic meter event whose object is of another type: refused by the verdict.
    events.push(
        snapshot("evt_snap_bad", "billing.meter.error_report_triggered", START)
            .replace(r#""object":"billing.meter""#, r#""object":"invoice""#),
    );
    stripe.serve_events(events).unwrap();
    let (handler, runs) = counting_handler(&stripe);
    let inbox = MemoryInbox::new();
    let report = handler
        .recover_into(&RecoveryFilter::default(), &inbox)
        .await
        .unwrap();
    assert_eq!((report.thin.processed, report.snapshot.processed), (250, 250));
    let failed: Vec<&str> = report.failed().map(|(id, _)| id.as_str()).collect();
    assert_eq!(failed, ["evt_snap_bad"]);
    assert!(
        report.snapshot.failed[0].1.contains("payload"),
        "{:?}",
        report.snapshot.failed
    );
    assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 500);
    assert!(runs.lock().unwrap().is_empty(), "stored, not run");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_the_pass_finishes() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.serve_events(history()).unwrap();
    stripe.throttle_event_lists(3);
    let (handler, runs) = counting_handler(&stripe);
    let started = std::time::Instant::now();
    let report = handler.recover(&RecoveryFilter::default()).await.unwrap();
    assert_eq!(report.processed(), 500);
    assert_eq!(runs.lock().unwrap().len(), 500);
    assert_eq!(report.pages, 6);
    // Six pages and two 429s among the eight requests: each waited its second.
    assert_eq!(stripe.requests().len(), 8);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
}

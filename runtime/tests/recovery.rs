//! Recovery of missed events from the Events API, through the same handler and ledger, against
//! a fake Stripe serving several pages.

mod support;

use std::sync::{Arc, Mutex};

use stripe_notify_runtime::inbox::MemoryInbox;
use stripe_notify_runtime::ledger::EventLedger;
use stripe_notify_runtime::testing::FakeStripe;
use stripe_notify_runtime::{Handler, Notification, RecoveryFilter, StripeClient};
use support::{METER_RELATED, MeterErrorReportTriggered, SECRET, TestCatalog};

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
    };
    let report = handler.recover(&filter).await.unwrap();
    assert_eq!((report.processed, report.skipped), (2, 1));
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, "evt_fails");
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
    assert_eq!((again.processed, again.skipped, again.failed.len()), (0, 3, 1));
    assert_eq!(*seen.lock().unwrap(), ["callback evt_fails"]);
}

#[tokio::test]
async fn a_page_that_cannot_be_fetched_is_an_error() {
    let stripe = FakeStripe::start().await.unwrap();
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .max_retries(0)
        .build()
        .unwrap();
    let handler = Handler::<TestCatalog>::builder(client, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .build();
    let error = handler.recover(&RecoveryFilter::default()).await.unwrap_err();
    assert_eq!(error.status(), Some(404));
}

#[tokio::test]
async fn recovery_into_an_inbox_stores_each_missed_event_once_and_runs_nothing() {
    use stripe_notify_runtime::inbox::{Inbox, State};
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

    let report = handler
        .recover_into(&RecoveryFilter::default(), &inbox)
        .await
        .unwrap();
    assert_eq!((report.processed, report.skipped, report.failed.len()), (2, 0, 0));
    let again = handler
        .recover_into(&RecoveryFilter::default(), &inbox)
        .await
        .unwrap();
    assert_eq!((again.processed, again.skipped), (0, 2), "stored once");
    assert_eq!(
        *ran.lock().unwrap(),
        0,
        "the workers run the callbacks, not recovery"
    );
    let pending = inbox.list(State::Pending, 10).await.unwrap();
    let mut ids: Vec<&str> = pending.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["evt_a", "evt_b"]);
}

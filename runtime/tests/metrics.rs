//! What a handler records through the `metrics` facade, read back from a real Prometheus
//! recorder: deliveries by type and outcome, durations, and labels that a body cannot choose.

mod support;

use metrics_exporter_prometheus::PrometheusBuilder;
use stripe_notify_runtime::{FixedClock, Handler, Notification, StripeClient, sign};
use support::{METER_RELATED, MeterErrorReportTriggered, NOW, SECRET, TestCatalog, body};

/// The value of the sample line that begins with `series`, if any.
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[test]
fn deliveries_are_counted_by_known_type_and_outcome_and_timed() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let page = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        let handler =
            Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async {
                Ok(())
            })
            .unwrap()
            .clock(FixedClock(NOW))
            .on(|n: Notification<MeterErrorReportTriggered>, _| {
                let fails = n.id() == "evt_fails";
                async move {
                    if fails {
                        Err("the CRM is down".into())
                    } else {
                        Ok(())
                    }
                }
            })
            .unwrap()
            .build();
        let deliver = |body: &[u8], signature: &str| {
            let _ = handler.handle_blocking(body, Some(signature));
        };
        let meter = body("v1.billing.meter.error_report_triggered", METER_RELATED);
        deliver(&meter, &sign(&meter, SECRET, NOW));
        deliver(&meter, &sign(&meter, SECRET, NOW));
        let failing = String::from_utf8(meter.clone())
            .unwrap()
            .replace("evt_123", "evt_fails");
        deliver(failing.as_bytes(), &sign(failing.as_bytes(), SECRET, NOW));
        // Known without a callback; a type no catalog has, named by the sender.
        let balance = body(
            "v1.balance.available",
            r#","related_object":{"type":"balance","url":"/v1/balance"}"#,
        );
        deliver(&balance, &sign(&balance, SECRET, NOW));
        let invented = body("v1.sender.chosen_label_0001", "");
        deliver(&invented, &sign(&invented, SECRET, NOW));
        // Refused: a forged signature, a stale one, a body that is not an event.
        deliver(&meter, &sign(&meter, "whsec_wrong", NOW));
        deliver(&meter, &sign(&meter, SECRET, NOW - 3600));
        deliver(b"not json", &sign(b"not json", SECRET, NOW));
    });
    let page = page.render();
    let deliveries = |event_type: &str, outcome: &str| {
        sample(
            &page,
            &format!("stripe_notify_deliveries_total{{event_type=\"{event_type}\",outcome=\"{outcome}\"}}"),
        )
    };
    let meter = "v1.billing.meter.error_report_triggered";
    assert_eq!(deliveries(meter, "callback"), Some(2.0), "{page}");
    assert_eq!(deliveries(meter, "failed_callback"), Some(1.0), "{page}");
    assert_eq!(
        deliveries("v1.balance.available", "fallback_known"),
        Some(1.0),
        "{page}"
    );
    assert_eq!(deliveries("unknown", "fallback_unknown"), Some(1.0), "{page}");
    assert_eq!(deliveries("unknown", "refused_signature"), Some(1.0), "{page}");
    assert_eq!(deliveries("unknown", "refused_timestamp"), Some(1.0), "{page}");
    assert_eq!(deliveries("unknown", "refused_payload"), Some(1.0), "{page}");
    assert!(!page.contains("sender"), "a body chose no label: {page}");
    // Every delivery is timed, and every callback or fallback that ran.
    let count =
        |name: &str, event_type: &str| sample(&page, &format!("{name}_count{{event_type=\"{event_type}\"}}"));
    assert_eq!(count("stripe_notify_handle_seconds", meter), Some(3.0), "{page}");
    assert_eq!(
        count("stripe_notify_handle_seconds", "unknown"),
        Some(4.0),
        "{page}"
    );
    assert_eq!(
        count("stripe_notify_callback_seconds", meter),
        Some(3.0),
        "{page}"
    );
    assert_eq!(
        count("stripe_notify_callback_seconds", "v1.balance.available"),
        Some(1.0),
        "{page}"
    );
}

#[test]
fn the_inbox_s_work_and_states_are_recorded() {
    use std::sync::Arc;
    use std::time::Duration;
    use stripe_notify_runtime::inbox::{Inbox, InboxWorkers, MemoryInbox, RetryPolicy, State};
    let recorder = PrometheusBuilder::new().build_recorder();
    let page = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        // One thread: every task the workers start records into this test's recorder.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let attempts = Arc::new(std::sync::Mutex::new(
                std::collections::HashMap::<String, u32>::new(),
            ));
            let seen = Arc::clone(&attempts);
            let handler =
                Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async {
                    Ok(())
                })
                .unwrap()
                .clock(FixedClock(NOW))
                .on(move |n: Notification<MeterErrorReportTriggered>, _| {
                    let attempt = {
                        let mut seen = seen.lock().unwrap();
                        let attempt = seen.entry(n.id().to_owned()).or_default();
                        *attempt += 1;
                        *attempt
                    };
                    // evt_ok succeeds; evt_twice fails once; evt_dead always fails.
                    let fails = n.id() == "evt_dead" || (n.id() == "evt_twice" && attempt == 1);
                    async move { if fails { Err("no".into()) } else { Ok(()) } }
                })
                .unwrap()
                .build();
            let inbox = Arc::new(MemoryInbox::new());
            for id in ["evt_ok", "evt_twice", "evt_dead"] {
                let body = String::from_utf8(body("v1.billing.meter.error_report_triggered", METER_RELATED))
                    .unwrap()
                    .replace("evt_123", id);
                let signature = sign(body.as_bytes(), SECRET, NOW);
                handler
                    .enqueue(body.as_bytes(), Some(&signature), &*inbox)
                    .await
                    .unwrap();
            }
            let forged = sign(b"{}", "whsec_wrong", NOW);
            assert!(handler.enqueue(b"{}", Some(&forged), &*inbox).await.is_err());
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let options = InboxWorkers::default()
                .poll_interval(Duration::from_millis(20))
                .retry(RetryPolicy {
                    max_attempts: 2,
                    base_delay: Duration::from_millis(10),
                    max_delay: Duration::from_millis(10),
                })
                .shutdown(async move {
                    let _ = stopped.await;
                });
            let workers = tokio::spawn({
                let (handler, inbox) = (handler.clone(), Arc::clone(&inbox));
                async move { handler.run_inbox_workers(inbox, options).await }
            });
            // Two done, one dead; then a refresh of the gauges (every second here).
            loop {
                let stats = inbox.stats().await.unwrap();
                if stats.count(State::Done) == 2 && stats.count(State::Dead) == 1 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tokio::time::sleep(Duration::from_millis(1100)).await;
            stop.send(()).unwrap();
            workers.await.unwrap();
        });
    });
    let page = page.render();
    let value = |series: &str| sample(&page, series);
    assert_eq!(
        value("stripe_notify_inbox_attempts_total{outcome=\"done\"}"),
        Some(2.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_inbox_attempts_total{outcome=\"retrying\"}"),
        Some(2.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_inbox_attempts_total{outcome=\"dead\"}"),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_inbox_events{state=\"done\"}"),
        Some(2.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_inbox_events{state=\"dead\"}"),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_inbox_events{state=\"pending\"}"),
        Some(0.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_inbox_oldest_due_age_seconds"),
        Some(0.0),
        "{page}"
    );
    // The workers' attempts are deliveries; the forged one is refused at the door.
    let meter = "v1.billing.meter.error_report_triggered";
    assert_eq!(
        value(&format!(
            "stripe_notify_deliveries_total{{event_type=\"{meter}\",outcome=\"callback\"}}"
        )),
        Some(2.0),
        "{page}"
    );
    assert_eq!(
        value(&format!(
            "stripe_notify_deliveries_total{{event_type=\"{meter}\",outcome=\"failed_callback\"}}"
        )),
        Some(3.0),
        "{page}"
    );
    assert_eq!(
        value("stripe_notify_deliveries_total{event_type=\"unknown\",outcome=\"refused_signature\"}"),
        Some(1.0),
        "{page}"
    );
}

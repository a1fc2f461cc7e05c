//! The Lambda function for EventBridge, without AWS: `lambda::handle` called with realistic
//! EventBridge events from Stripe's event destination and with malformed ones, and the
//! `lambda_eventbridge` example run as Lambda runs it, against a fake Lambda Runtime API on
//! loopback.

mod support;

use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;
use stripe_notify::lambda::{Context, LambdaEvent};
use stripe_notify::{
    Catalog, EventCatalog, EventNotificationHandler, HandleError, Handled, RegisterCallbacks, StripeClient,
    sample,
};

type Seen = Arc<Mutex<Vec<String>>>;

fn handler(seen: &Seen) -> EventNotificationHandler {
    let (fallback, callback) = (Arc::clone(seen), Arc::clone(seen));
    EventNotificationHandler::builder(StripeClient::new("sk_test_1"), "whsec_unused", move |n, _, d| {
        fallback.lock().unwrap().push(format!(
            "fallback {} known={}",
            n.event_type(),
            d.is_known_event_type
        ));
        async { Ok(()) }
    })
    .unwrap()
    .on_v1_billing_meter_error_report_triggered(move |n, _| {
        callback.lock().unwrap().push(format!("callback {}", n.id()));
        async { Ok(()) }
    })
    .unwrap()
    .on_v2_core_account_created(|_, _| async { Err("the CRM is down".into()) })
    .unwrap()
    .build()
}

/// An invocation as Lambda makes it: the payload as sent, a context with a request id.
fn invocation(payload: String) -> LambdaEvent<Box<RawValue>> {
    let mut context = Context::default();
    context.request_id = "c0ffee00-0000-4000-8000-000000000001".to_owned();
    LambdaEvent::new(RawValue::from_string(payload).unwrap(), context)
}

/// An EventBridge event as Stripe's event destination puts it on the partner bus.
fn eventbridge(thin: &str) -> String {
    let detail_type = serde_json::from_str::<serde_json::Value>(thin).unwrap()["type"].clone();
    format!(
        r#"{{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": {detail_type},
  "source": "aws.partner/stripe.com/ed_test_61RM8ltWcTW4mbsxf16RJyfa2xSQLHJJh1sxm7H0KVT6",
  "account": "123456789012",
  "time": "2026-12-05T07:00:00Z",
  "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1::event-source/aws.partner/stripe.com/ed_test_61RM8ltWcTW4mbsxf16RJyfa2xSQLHJJh1sxm7H0KVT6"],
  "detail": {thin}
}}"#,
    )
}

fn sample_of(event_type: &str) -> String {
    sample::notification(Catalog::info(event_type).unwrap(), None)
}

#[tokio::test]
async fn an_eventbridge_event_reaches_its_callback_or_the_fallback() {
    let seen = Seen::default();
    let handler = handler(&seen);
    let meter = sample_of("v1.billing.meter.error_report_triggered");
    let meter_id = serde_json::from_str::<serde_json::Value>(&meter).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let outcome = stripe_notify::lambda::handle(&handler, invocation(eventbridge(&meter))).await;
    assert_eq!(outcome.unwrap(), Handled::Callback);
    let account = sample_of("v2.core.account.updated");
    let outcome = stripe_notify::lambda::handle(&handler, invocation(eventbridge(&account))).await;
    assert!(matches!(outcome.unwrap(), Handled::Fallback(_)));
    let unknown = r#"{"id":"evt_1","object":"v2.core.event","type":"v3.future.thing","created":"2026-12-05T07:00:00Z"}"#;
    stripe_notify::lambda::handle(&handler, invocation(eventbridge(unknown)))
        .await
        .unwrap();
    // A snapshot destination's events, in `detail` too.
    let invoice = sample::snapshot_event(
        Catalog::info("v1.invoice.paid").unwrap(),
        None,
        None,
        "2026-09-30.endive",
    )
    .unwrap();
    let classic_unknown = r#"{"id":"evt_2","object":"event","type":"future.thing","created":1,"data":{"object":{"object":"x"}}}"#;
    for snapshot in [invoice.as_str(), classic_unknown] {
        let outcome = stripe_notify::lambda::handle(&handler, invocation(eventbridge(snapshot))).await;
        assert!(matches!(outcome.unwrap(), Handled::Fallback(_)));
    }
    let broken = r#"{"id":"evt_3","object":"event","type":"invoice.paid","created":1,"data":{"object":{"id":"card_1","object":"card"}}}"#;
    let outcome = stripe_notify::lambda::handle(&handler, invocation(eventbridge(broken))).await;
    assert!(matches!(outcome.unwrap_err(), HandleError::Payload(_)));
    assert_eq!(
        *seen.lock().unwrap(),
        [
            format!("callback {meter_id}"),
            "fallback v2.core.account.updated known=true".to_owned(),
            "fallback v3.future.thing known=false".to_owned(),
            "fallback invoice.paid known=true".to_owned(),
            "fallback future.thing known=false".to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_failing_callback_fails_the_invocation_so_that_lambda_retries() {
    let handler = handler(&Seen::default());
    let account = sample_of("v2.core.account.created");
    let error = stripe_notify::lambda::handle(&handler, invocation(eventbridge(&account)))
        .await
        .unwrap_err();
    assert!(matches!(error, HandleError::Callback(_)), "{error}");
}

#[tokio::test]
async fn malformed_events_fail_with_a_payload_error_and_run_nothing() {
    let seen = Seen::default();
    let handler = handler(&seen);
    let cases = [
        // An EventBridge event of something else than a thin event.
        r#"{"version":"0","id":"x","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"instance-id":"i-1","state":"running"}}"#.to_owned(),
        // A thin event missing its type.
        eventbridge(r#"{"id":"evt_1","object":"v2.core.event","created":"2026-12-05T07:00:00Z"}"#),
        // A known type whose related object is missing.
        eventbridge(r#"{"id":"evt_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2026-12-05T07:00:00Z"}"#),
        // A classic snapshot event.
        eventbridge(r#"{"id":"evt_1","object":"event","type":"invoice.paid","created":1764918000}"#),
        // Not an envelope at all.
        r#"{"hello":"world"}"#.to_owned(),
        "[]".to_owned(),
        r#""a string""#.to_owned(),
    ];
    for payload in cases {
        let outcome = stripe_notify::lambda::handle(&handler, invocation(payload.clone())).await;
        assert!(
            matches!(outcome, Err(HandleError::Payload(_))),
            "{payload}: {outcome:?}"
        );
    }
    assert!(seen.lock().unwrap().is_empty());
}

/// What the function reported for an invocation: `response` or `error`, and the body.
type Reports = Arc<Mutex<Vec<(String, String, String)>>>;

/// A fake Lambda Runtime API (a real HTTP server on loopback): hands out `invocations` in turn
/// on `GET .../invocation/next` (then holds the request, as Lambda does when there is nothing to
/// do), and records what the function posts back.
async fn fake_runtime_api(invocations: Vec<(&'static str, String)>) -> (std::net::SocketAddr, Reports) {
    use axum::extract::{Path, State};
    use axum::routing::{get, post};
    let queue = Arc::new(Mutex::new(std::collections::VecDeque::from(invocations)));
    let reports = Reports::default();
    let next = move || {
        let queue = Arc::clone(&queue);
        async move {
            let Some((id, payload)) = queue.lock().unwrap().pop_front() else {
                return std::future::pending().await;
            };
            let deadline = (stripe_notify::unix_now() + 60) * 1000;
            (
                [
                    ("lambda-runtime-aws-request-id", id.to_owned()),
                    ("lambda-runtime-deadline-ms", deadline.to_string()),
                    (
                        "lambda-runtime-invoked-function-arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:stripe".to_owned(),
                    ),
                    ("content-type", "application/json".to_owned()),
                ],
                payload,
            )
        }
    };
    let report = |State(reports): State<Reports>, Path((id, kind)): Path<(String, String)>, body: String| async move {
        reports.lock().unwrap().push((id, kind, body));
        axum::http::StatusCode::ACCEPTED
    };
    let app = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(report))
        .with_state(Arc::clone(&reports));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, reports)
}

#[tokio::test]
async fn the_example_function_runs_under_the_lambda_runtime_api() {
    let meter = sample_of("v1.billing.meter.error_report_triggered");
    let meter: serde_json::Value = serde_json::from_str(&meter).unwrap();
    let (address, reports) = fake_runtime_api(vec![
        ("inv-1", eventbridge(&meter.to_string())),
        (
            "inv-2",
            r#"{"version":"0","source":"aws.ec2","detail":{"state":"running"}}"#.to_owned(),
        ),
        ("inv-3", eventbridge(&sample_of("v2.core.account.updated"))),
        (
            "inv-4",
            eventbridge(
                &sample::snapshot_event(
                    Catalog::info("v1.invoice.paid").unwrap(),
                    None,
                    None,
                    "2026-09-30.endive",
                )
                .unwrap(),
            ),
        ),
    ])
    .await;
    let mut function = tokio::process::Command::new(support::example_binary((
        "lambda_eventbridge",
        &["--features", "lambda"],
    )))
    .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
    .env("AWS_LAMBDA_FUNCTION_NAME", "stripe")
    .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
    .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    .stdout(std::process::Stdio::piped())
    .kill_on_drop(true)
    .spawn()
    .expect("the lambda_eventbridge example runs");

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while reports.lock().unwrap().len() < 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "reports: {:?}",
            reports.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    function.kill().await.unwrap();
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports[0], ("inv-1".into(), "response".into(), "null".into()));
    let (id, kind, body) = &reports[1];
    assert_eq!((id.as_str(), kind.as_str()), ("inv-2", "error"), "{body}");
    let error: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(error["errorType"], "stripe_notify::payload", "{body}");
    assert_eq!(reports[2], ("inv-3".into(), "response".into(), "null".into()));

    let mut stdout = String::new();
    use tokio::io::AsyncReadExt as _;
    function
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .await
        .unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(reports[3], ("inv-4".into(), "response".into(), "null".into()));
    assert_eq!(
        lines[0],
        format!(
            "meter {} reported errors ({})",
            meter["related_object"]["id"].as_str().unwrap(),
            meter["id"].as_str().unwrap()
        )
    );
    assert!(
        lines[1].starts_with("unhandled v2.core.account.updated evt_") && lines[1].ends_with("(known: true)"),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("unhandled invoice.paid evt_") && lines[2].ends_with("(known: true)"),
        "{stdout}"
    );
}

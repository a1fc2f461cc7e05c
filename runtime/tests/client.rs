//! The client on the wire, against a fake Stripe on loopback: paths, every header, typed
//! results, hostile URLs refused before sending, retries and error mapping.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use stripe_notify_runtime::testing::{FakeStripe, RecordedRequest};
use stripe_notify_runtime::{
    ApiError, ClientError, Event, FixedClock, Handler, Notification, StripeClient, StripeContext,
    UnknownEventNotification, sign,
};
use support::{MeterErrorReportTriggered, SECRET, TestCatalog, body};

const NOW: i64 = 1_726_554_052;

const METER_EVENT: &str = r#"{"id":"evt_123","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2024-09-17T06:20:52.246Z","livemode":false,"context":"acct_1/acct_2","data":{"developer_message_summary":"1 invalid event"}}"#;

fn client(stripe: &FakeStripe) -> StripeClient {
    StripeClient::builder("sk_test_wire")
        .api_base(stripe.url())
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap()
}

/// What a callback did with a fetch, sent back to the test.
type Outcome<T> = Arc<Mutex<Option<Result<T, ClientError>>>>;

/// Delivers `body` through a handler whose callbacks run `fetch` on the notification, and
/// returns what it gave.
async fn through_handler<T, F, Fut>(base: StripeClient, body: &[u8], fetch: F) -> Result<T, ClientError>
where
    T: Send + 'static,
    F: Fn(UnknownEventNotification) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, ClientError>> + Send + 'static,
{
    let outcome: Outcome<T> = Arc::default();
    let slot = Arc::clone(&outcome);
    let fetch = Arc::new(fetch);
    let handler = Handler::<TestCatalog>::builder(base, SECRET, move |n, _, _| {
        let (slot, fetch) = (Arc::clone(&slot), Arc::clone(&fetch));
        async move {
            let result = fetch(n).await;
            *slot.lock().unwrap() = Some(result);
            Ok(())
        }
    })
    .unwrap()
    .clock(FixedClock(NOW))
    .build();
    let header = sign(body, SECRET, NOW);
    handler.handle(body, Some(&header)).await.unwrap();
    outcome.lock().unwrap().take().expect("the fallback ran")
}

/// Delivers a meter notification to a typed callback that fetches its event.
async fn fetch_meter_event(
    base: StripeClient,
    context: &str,
) -> Result<Event<MeterErrorReportTriggered>, ClientError> {
    let outcome: Outcome<Event<MeterErrorReportTriggered>> = Arc::default();
    let slot = Arc::clone(&outcome);
    let handler = Handler::<TestCatalog>::builder(base, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .on(move |n: Notification<MeterErrorReportTriggered>, _| {
            let slot = Arc::clone(&slot);
            async move {
                *slot.lock().unwrap() = Some(n.fetch_event().await);
                Ok(())
            }
        })
        .unwrap()
        .build();
    let b = body(
        "v1.billing.meter.error_report_triggered",
        &format!("{context}{}", support::METER_RELATED),
    );
    handler.handle(&b, Some(&sign(&b, SECRET, NOW))).await.unwrap();
    outcome.lock().unwrap().take().expect("the callback ran")
}

fn only_request(stripe: &FakeStripe) -> RecordedRequest {
    let requests = stripe.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn fetch_event_sends_the_right_request_and_types_the_data() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond("/v2/core/events/evt_123", 200, METER_EVENT);
    let event = fetch_meter_event(client(&stripe), r#","context":"acct_1/acct_2""#)
        .await
        .unwrap();
    assert_eq!(event.data.developer_message_summary, "1 invalid event");
    assert_eq!(
        event.context.map(|c| c.to_string()).as_deref(),
        Some("acct_1/acct_2")
    );

    let request = only_request(&stripe);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v2/core/events/evt_123")
    );
    assert_eq!(request.header("authorization"), Some("Bearer sk_test_wire"));
    assert_eq!(
        request.header("stripe-version"),
        Some("2025-12-15.preview"),
        "the catalog's version"
    );
    assert_eq!(request.header("stripe-context"), Some("acct_1/acct_2"));
    assert_eq!(request.header("stripe-request-trigger"), Some("event=evt_123"));
    assert_eq!(request.header("stripe-account"), None);
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("stripe-notify/"))
    );
}

#[tokio::test]
async fn no_event_context_means_no_context_header_even_if_the_base_client_had_one() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond("/v2/core/events/evt_123", 200, METER_EVENT);
    let base = client(&stripe).with_stripe_context(StripeContext::parse("acct_base"));
    fetch_meter_event(base, "").await.unwrap();
    let request = only_request(&stripe);
    assert_eq!(request.header("stripe-context"), None);
    assert_eq!(request.header("stripe-account"), None);
}

#[tokio::test]
async fn an_explicit_api_version_wins() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond("/v2/core/events/evt_123", 200, METER_EVENT);
    let base = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .api_version("2030-01-01.x")
        .build()
        .unwrap();
    fetch_meter_event(base, "").await.unwrap();
    assert_eq!(
        only_request(&stripe).header("stripe-version"),
        Some("2030-01-01.x")
    );
}

#[tokio::test]
async fn event_ids_are_percent_encoded_in_the_path() {
    let stripe = FakeStripe::start().await.unwrap();
    let b = br#"{"id":"evt_1/../x y?z","type":"v9.unknown","created":"2024-09-17T06:20:52.246Z"}"#;
    let result = through_handler(client(&stripe), b, |n| async move { n.fetch_event().await }).await;
    assert_eq!(result.err().and_then(|e| e.status()), Some(404));
    assert_eq!(
        only_request(&stripe).path,
        "/v2/core/events/evt_1%2F..%2Fx%20y%3Fz"
    );
}

#[tokio::test]
async fn fetch_related_object_gets_its_url_with_the_same_headers() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v1/billing/meters/mtr_123",
        200,
        r#"{"id":"mtr_123","object":"billing.meter"}"#,
    );
    let b = body(
        "v1.billing.meter.error_report_triggered",
        &format!(r#","context":"acct_9"{}"#, support::METER_RELATED),
    );
    let object = through_handler(
        client(&stripe),
        &b,
        |n| async move { n.fetch_related_object().await },
    )
    .await;
    assert_eq!(object.unwrap().unwrap()["id"], "mtr_123");
    let request = only_request(&stripe);
    assert_eq!(request.path, "/v1/billing/meters/mtr_123");
    assert_eq!(request.header("stripe-context"), Some("acct_9"));
    assert_eq!(request.header("stripe-request-trigger"), Some("event=evt_123"));
    assert_eq!(request.header("authorization"), Some("Bearer sk_test_wire"));
}

#[tokio::test]
async fn a_type_with_a_related_object_fetches_the_object_itself() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v1/billing/meters/mtr_123",
        200,
        r#"{"id":"mtr_123","object":"billing.meter"}"#,
    );
    let outcome: Outcome<serde_json::Value> = Arc::default();
    let slot = Arc::clone(&outcome);
    let handler = Handler::<TestCatalog>::builder(client(&stripe), SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .on(move |n: Notification<MeterErrorReportTriggered>, _| {
            let slot = Arc::clone(&slot);
            async move {
                // No `Option`: the parse checked the related object is there.
                let meter: Result<serde_json::Value, ClientError> = n.fetch_related_object().await;
                *slot.lock().unwrap() = Some(meter);
                Ok(())
            }
        })
        .unwrap()
        .build();
    let b = body("v1.billing.meter.error_report_triggered", support::METER_RELATED);
    handler.handle(&b, Some(&sign(&b, SECRET, NOW))).await.unwrap();
    let meter = outcome.lock().unwrap().take().unwrap().unwrap();
    assert_eq!(meter["id"], "mtr_123");
}

#[tokio::test]
async fn the_fallback_without_a_related_object_gets_none_and_sends_nothing() {
    let stripe = FakeStripe::start().await.unwrap();
    let none = through_handler(client(&stripe), &body("v9.unknown", ""), |n| async move {
        n.fetch_related_object().await
    })
    .await;
    assert_eq!(none.unwrap(), None);
    assert!(stripe.requests().is_empty());
}

fn with_related_url(url: &str) -> Vec<u8> {
    let related = serde_json::json!({"id": "x_1", "type": "x", "url": url});
    body("v9.unknown", &format!(r#","related_object":{related}"#))
}

#[tokio::test]
async fn hostile_related_urls_are_refused_before_sending() {
    let stripe = FakeStripe::start().await.unwrap();
    for url in [
        "//evil.example/x",
        "https://evil.example/x",
        "@evil.example/x",
        ":80@evil.example/x",
        "",
        "v1/customers",
        "/\\evil.example/x",
        "/v1/customers\r\nX-Injected: 1",
        " /v1/customers",
    ] {
        let result = through_handler(client(&stripe), &with_related_url(url), |n| async move {
            n.fetch_related_object().await
        })
        .await;
        assert!(
            matches!(result, Err(ClientError::UnsafeUrl(_))),
            "{url:?}: {result:?}"
        );
    }
    assert!(stripe.requests().is_empty(), "{:?}", stripe.requests());
}

#[tokio::test]
async fn paths_with_queries_are_sent_as_given() {
    let stripe = FakeStripe::start().await.unwrap();
    for url in ["/v1/customers?email=a%40b.c", "/v2/core/accounts?page=p&limit=2"] {
        stripe.respond(url, 200, "{}");
        let result = through_handler(client(&stripe), &with_related_url(url), |n| async move {
            n.fetch_related_object().await
        })
        .await;
        assert!(result.is_ok(), "{url}: {result:?}");
    }
    let paths: Vec<String> = stripe.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/v1/customers?email=a%40b.c", "/v2/core/accounts?page=p&limit=2"]
    );
}

async fn get(stripe: &FakeStripe, path: &str) -> Result<serde_json::Value, ClientError> {
    client(stripe).get(path, None).await
}

#[tokio::test]
async fn a_503_then_a_200_succeeds() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond_once("/v1/x", 503, &[], r#"{"error":{"type":"api_error"}}"#);
    stripe.respond("/v1/x", 200, r#"{"ok":true}"#);
    assert_eq!(get(&stripe, "/v1/x").await.unwrap()["ok"], true);
    assert_eq!(stripe.requests().len(), 2);
}

#[tokio::test]
async fn a_400_is_not_retried_and_maps_to_a_typed_api_error() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond_once(
        "/v1/x",
        400,
        &[("request-id", "req_abc")],
        r#"{"error":{"type":"invalid_request_error","code":"parameter_missing","message":"Missing id","param":"id"}}"#,
    );
    let error = get(&stripe, "/v1/x").await.unwrap_err();
    let ClientError::Api(api) = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        *api,
        ApiError {
            status: 400,
            error_type: Some("invalid_request_error".into()),
            code: Some("parameter_missing".into()),
            message: Some("Missing id".into()),
            param: Some("id".into()),
            request_id: Some("req_abc".into()),
        }
    );
    assert_eq!(stripe.requests().len(), 1);
}

#[tokio::test]
async fn v2_error_bodies_and_non_json_errors_map_too() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v2/x",
        404,
        r#"{"error":{"type":"not_found","code":"event_not_found","message":"No such event"}}"#,
    );
    stripe.respond("/v2/y", 403, "<html>forbidden</html>");
    let Err(ClientError::Api(api)) = get(&stripe, "/v2/x").await else {
        panic!()
    };
    assert_eq!(
        (api.status, api.error_type.as_deref(), api.code.as_deref()),
        (404, Some("not_found"), Some("event_not_found"))
    );
    let Err(ClientError::Api(api)) = get(&stripe, "/v2/y").await else {
        panic!()
    };
    assert_eq!((api.status, api.error_type.as_deref()), (403, None));
}

#[tokio::test]
async fn retries_stop_after_max_and_honour_stripe_should_retry() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond("/v1/down", 500, "{}");
    assert_eq!(
        get(&stripe, "/v1/down").await.err().and_then(|e| e.status()),
        Some(500)
    );
    assert_eq!(stripe.requests().len(), 3, "one try and two retries");

    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond_once("/v1/busy", 429, &[("stripe-should-retry", "false")], "{}");
    assert!(get(&stripe, "/v1/busy").await.is_err());
    assert_eq!(stripe.requests().len(), 1, "Stripe-Should-Retry: false wins");

    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond_once("/v1/conflict", 409, &[("stripe-should-retry", "true")], "{}");
    stripe.respond("/v1/conflict", 200, "{}");
    assert!(get(&stripe, "/v1/conflict").await.is_ok());
    assert_eq!(stripe.requests().len(), 2, "Stripe-Should-Retry: true wins");
}

#[tokio::test]
async fn connection_refused_is_a_network_error_and_timeouts_are_timeouts() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let unreachable = StripeClient::builder("sk_test_1")
        .api_base(format!("http://{closed}"))
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    let error = unreachable
        .get::<serde_json::Value>("/v1/x", None)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Network(_)), "{error:?}");
    assert!(!error.to_string().contains("sk_test_1"));

    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond_slowly("/v1/slow", Duration::from_secs(5), "{}");
    let impatient = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .build()
        .unwrap();
    assert!(matches!(
        impatient.get::<serde_json::Value>("/v1/slow", None).await,
        Err(ClientError::Timeout)
    ));
}

#[test]
fn a_bad_api_base_is_a_config_error() {
    for base in ["not a url", "ftp://example.com", "http://"] {
        assert!(
            matches!(
                StripeClient::builder("sk").api_base(base).build(),
                Err(ClientError::Config(_))
            ),
            "{base}"
        );
    }
}

#[test]
fn the_blocking_client_makes_the_same_requests() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stripe = runtime.block_on(FakeStripe::start()).unwrap();
    stripe.respond("/v2/core/events/evt_123", 200, METER_EVENT);
    stripe.respond_once("/v1/flaky", 502, &[], "{}");
    stripe.respond("/v1/flaky", 200, r#"{"ok":1}"#);
    let blocking = StripeClient::builder("sk_test_blocking")
        .api_base(stripe.url())
        .api_version("2025-12-15.preview")
        .retry_base_delay(Duration::from_millis(1))
        .build_blocking()
        .unwrap()
        .with_stripe_context(StripeContext::parse("acct_7"));
    let value: serde_json::Value = blocking.get("/v1/flaky", Some("evt_9")).unwrap();
    assert_eq!(value["ok"], 1);
    let event: Event<MeterErrorReportTriggered> = blocking.get("/v2/core/events/evt_123", None).unwrap();
    assert_eq!(event.data.developer_message_summary, "1 invalid event");
    let requests = stripe.requests();
    assert_eq!(requests.len(), 3);
    let last = &requests[2];
    assert_eq!(last.header("authorization"), Some("Bearer sk_test_blocking"));
    assert_eq!(last.header("stripe-version"), Some("2025-12-15.preview"));
    assert_eq!(last.header("stripe-context"), Some("acct_7"));
    assert_eq!(requests[0].header("stripe-request-trigger"), Some("event=evt_9"));
    assert!(matches!(
        blocking.get::<serde_json::Value>("//evil.example", None),
        Err(ClientError::UnsafeUrl(_))
    ));
    drop(blocking);
    drop(stripe);
}

#[test]
fn client_debug_never_shows_the_key() {
    let client = StripeClient::new("sk_live_verysecretkey");
    let text = format!("{client:?} {:?}", StripeClient::builder("rk_test_verysecretkey"));
    assert!(!text.contains("verysecret"), "{text}");
    assert!(
        text.contains("sk_live_<redacted>") && text.contains("rk_test_<redacted>"),
        "{text}"
    );
}

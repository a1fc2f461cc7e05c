//! The endpoint end to end over real HTTP on loopback, served by each framework it has a layer
//! for, with the same cases: status codes, categories, body limit, timeout, the unverified
//! route, an inbox (stored once, 503 when it cannot store), and the blocking handler.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stripe_notify::endpoint::WebhookEndpoint;
use stripe_notify::inbox::{
    ClaimedEvent, EventDetail, EventSummary, Inbox, InboxError, InboxFuture, InboxWorkers, Listing,
    MemoryInbox, NewEvent, Retry, Settlement, State, Stats, Stored,
};
use stripe_notify::{
    Catalog, EventCatalog, EventNotificationHandler, Handled, RegisterCallbacks, StripeClient, sample, sign,
};

const SECRET: &str = "whsec_endpoint_test";

type Seen = Arc<Mutex<Vec<String>>>;

fn handler(seen: &Seen) -> EventNotificationHandler {
    let (s1, s2, s3) = (Arc::clone(seen), Arc::clone(seen), Arc::clone(seen));
    EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, move |n, _, d| {
        let by = if d.is_known_event_type {
            "fallback-known"
        } else {
            "fallback-unknown"
        };
        s1.lock().unwrap().push(format!("{by} {}", n.event_type()));
        async { Ok(()) }
    })
    .unwrap()
    .on_v1_billing_meter_error_report_triggered(move |n, _| {
        s2.lock().unwrap().push(format!("callback {}", n.event_type()));
        async { Ok(()) }
    })
    .unwrap()
    .on_v1_customer_created({
        let seen = Arc::clone(seen);
        move |n, _| {
            seen.lock()
                .unwrap()
                .push(format!("callback {} {:?}", n.event_type(), n.style()));
            async { Ok(()) }
        }
    })
    .unwrap()
    .on_v2_core_account_created(|_, _| async { Err("the ledger is down".into()) })
    .unwrap()
    // Slower than the test server's timeout (300 ms), which bounds receiving the body only.
    .on_v2_core_account_closed(move |n, _| {
        let seen = Arc::clone(&s3);
        async move {
            tokio::time::sleep(Duration::from_millis(600)).await;
            seen.lock()
                .unwrap()
                .push(format!("slow callback {}", n.event_type()));
            Ok(())
        }
    })
    .unwrap()
    .build()
}

/// The servers the endpoint is served by.
#[derive(Clone, Copy, Debug)]
enum Framework {
    /// The ready axum routes.
    Axum,
    /// hyper, through the framework-neutral `serve`.
    Hyper,
    /// The ready actix-web routes (feature `actix-web`).
    #[cfg(feature = "actix-web")]
    Actix,
}

const FRAMEWORKS: &[Framework] = &[
    Framework::Axum,
    Framework::Hyper,
    #[cfg(feature = "actix-web")]
    Framework::Actix,
];

struct Server {
    url: String,
    seen: Seen,
    http: reqwest::Client,
}

impl Server {
    /// `POST /webhook` (verified) and `POST /unverified` on `framework`, handling in the request.
    async fn start(framework: Framework, body_limit: usize) -> Self {
        Self::serve(framework, |handler| {
            WebhookEndpoint::new(handler)
                .body_limit(body_limit)
                .timeout(Duration::from_millis(300))
        })
        .await
    }

    /// The same routes, storing each notification in `inbox` and answering at once.
    async fn with_inbox(framework: Framework, inbox: Arc<dyn Inbox>) -> Self {
        Self::serve(framework, |handler| WebhookEndpoint::new(handler).inbox(inbox)).await
    }

    async fn serve(
        framework: Framework,
        endpoint: impl FnOnce(EventNotificationHandler) -> WebhookEndpoint<Catalog>,
    ) -> Self {
        let seen = Seen::default();
        let endpoint = endpoint(handler(&seen));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        match framework {
            Framework::Axum => {
                let app = axum::Router::new()
                    .route("/webhook", endpoint.clone().verified())
                    .route("/unverified", endpoint.unverified());
                tokio::spawn(async move { axum::serve(listener, app).await });
            }
            Framework::Hyper => {
                tokio::spawn(serve_with_hyper(listener, endpoint));
            }
            #[cfg(feature = "actix-web")]
            Framework::Actix => {
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new()
                        .route("/webhook", endpoint.clone().actix_verified())
                        .route("/unverified", endpoint.clone().actix_unverified())
                })
                .workers(1)
                .disable_signals()
                .listen(listener.into_std().unwrap())
                .unwrap()
                .run();
                tokio::spawn(server);
            }
        }
        Self {
            url,
            seen,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, body: Vec<u8>, signature: Option<String>) -> (u16, serde_json::Value) {
        let mut request = self.http.post(format!("{}{path}", self.url)).body(body);
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    async fn deliver(&self, body: Vec<u8>) -> (u16, serde_json::Value) {
        let signature = sign(&body, SECRET, stripe_notify::unix_now());
        self.post("/webhook", body, Some(signature)).await
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// The endpoint served by hyper alone, as the README shows.
async fn serve_with_hyper(listener: tokio::net::TcpListener, endpoint: WebhookEndpoint<Catalog>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let endpoint = endpoint.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let endpoint = endpoint.clone();
            async move {
                Ok::<_, std::convert::Infallible>(if request.uri().path() == "/unverified" {
                    endpoint.serve_unverified(request).await
                } else {
                    endpoint.serve(request).await
                })
            }
        });
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

fn sample_of(event_type: &str) -> Vec<u8> {
    sample::notification(Catalog::info(event_type).unwrap(), None).into_bytes()
}

fn category(answer: &serde_json::Value) -> &str {
    answer["error"]["category"].as_str().unwrap_or("none")
}

#[tokio::test]
async fn handled_notifications_get_200_and_run_once() {
    for &framework in FRAMEWORKS {
        let server = Server::start(framework, 1 << 20).await;
        let received = serde_json::json!({"received": true});
        assert_eq!(
            server
                .deliver(sample_of("v1.billing.meter.error_report_triggered"))
                .await,
            (200, received.clone())
        );
        assert_eq!(
            server.deliver(sample_of("v2.core.account.updated")).await,
            (200, received.clone())
        );
        let unknown =
            br#"{"id":"evt_1","object":"v2.core.event","type":"v3.new","created":"2025-01-01T00:00:00Z"}"#;
        assert_eq!(server.deliver(unknown.to_vec()).await, (200, received));
        assert_eq!(
            server.seen(),
            [
                "callback v1.billing.meter.error_report_triggered",
                "fallback-known v2.core.account.updated",
                "fallback-unknown v3.new"
            ]
        );
    }
}

#[tokio::test]
async fn rejected_requests_get_400_with_their_category_and_never_the_secret() {
    for &framework in FRAMEWORKS {
        let server = Server::start(framework, 1 << 20).await;
        let body = sample_of("v1.billing.meter.error_report_triggered");
        let cases = [
            (
                Some(sign(&body, "whsec_forged", stripe_notify::unix_now())),
                body.clone(),
                "signature",
            ),
            (
                Some(sign(&body, SECRET, stripe_notify::unix_now() - 3600)),
                body.clone(),
                "timestamp",
            ),
            (Some("t=abc,v1=zz".to_owned()), body.clone(), "signature"),
            (None, body.clone(), "signature"),
            (
                Some(sign(b"not json", SECRET, stripe_notify::unix_now())),
                b"not json".to_vec(),
                "payload",
            ),
            (
                Some(sign(
                    br#"{"id":"evt_1","object":"event","type":"customer.created","created":1}"#,
                    SECRET,
                    stripe_notify::unix_now(),
                )),
                br#"{"id":"evt_1","object":"event","type":"customer.created","created":1}"#.to_vec(),
                "payload",
            ),
        ];
        for (signature, body, expected) in cases {
            let (status, answer) = server.post("/webhook", body, signature.clone()).await;
            assert_eq!(
                (status, category(&answer)),
                (400, expected),
                "{signature:?}: {answer}"
            );
            assert!(!answer.to_string().contains(SECRET));
        }
        assert!(server.seen().is_empty());
    }
}

#[tokio::test]
async fn a_failing_callback_gets_500_so_that_stripe_retries() {
    for &framework in FRAMEWORKS {
        let server = Server::start(framework, 1 << 20).await;
        let (status, answer) = server.deliver(sample_of("v2.core.account.created")).await;
        assert_eq!((status, category(&answer)), (500, "callback"));
        assert!(
            !answer.to_string().contains("ledger"),
            "the callback's error stays in the logs: {answer}"
        );
    }
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    for &framework in FRAMEWORKS {
        let server = Server::start(framework, 4096).await;
        let mut body = sample_of("v1.billing.meter.error_report_triggered");
        body.truncate(body.len() - 1);
        body.extend(format!(r#","padding":"{}"}}"#, "x".repeat(8192)).bytes());
        let signature = sign(&body, SECRET, stripe_notify::unix_now());
        let (status, _) = server.post("/webhook", body, Some(signature)).await;
        assert_eq!(status, 413);
        assert!(server.seen().is_empty());
    }
}

#[tokio::test]
async fn the_unverified_route_unwraps_an_eventbridge_envelope() {
    for &framework in FRAMEWORKS {
        let server = Server::start(framework, 1 << 20).await;
        let thin = String::from_utf8(sample_of("v1.billing.meter.error_report_triggered")).unwrap();
        let envelope = format!(
            r#"{{"version":"0","id":"e-1","detail-type":"x","source":"aws.partner/stripe.com","detail":{thin}}}"#
        );
        let (status, _) = server.post("/unverified", envelope.into_bytes(), None).await;
        assert_eq!(status, 200);
        assert_eq!(
            server.seen(),
            ["callback v1.billing.meter.error_report_triggered"]
        );
        let (status, answer) = server.post("/unverified", b"{}".to_vec(), None).await;
        assert_eq!((status, category(&answer)), (400, "payload"));
    }
}

#[test]
fn the_blocking_handler_runs_sync_callbacks_without_a_runtime() {
    let seen = Seen::default();
    let handler = handler(&seen);
    let body = sample_of("v1.billing.meter.error_report_triggered");
    let header = sign(&body, SECRET, stripe_notify::unix_now());
    assert_eq!(
        handler.handle_blocking(&body, Some(&header)).unwrap(),
        Handled::Callback
    );
    let forged = sign(&body, "whsec_forged", stripe_notify::unix_now());
    assert!(handler.handle_blocking(&body, Some(&forged)).is_err());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_slow_sender_gets_408_and_no_callback() {
    for &framework in FRAMEWORKS {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let server = Server::start(framework, 1 << 20).await;
        let address = server.url.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /webhook HTTP/1.1\r\nHost: {address}\r\nContent-Length: 1000\r\nStripe-Signature: t=1,v1=00\r\n\r\n{{\"id\":"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = vec![0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
            .await
            .expect("the server answers before the client finishes")
            .unwrap();
        assert!(
            String::from_utf8_lossy(&answer[..read]).starts_with("HTTP/1.1 408"),
            "{:?}",
            String::from_utf8_lossy(&answer[..read])
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(server.seen().is_empty());
    }
}

#[tokio::test]
async fn a_callback_slower_than_the_timeout_runs_to_its_end() {
    for &framework in FRAMEWORKS {
        // Cancelling a callback halfway would leave its work (and a ledger's claim) half done; the
        // timeout is for slow senders, not for slow callbacks.
        let server = Server::start(framework, 1 << 20).await;
        let (status, _) = server.deliver(sample_of("v2.core.account.closed")).await;
        assert_eq!(status, 200);
        assert_eq!(server.seen(), ["slow callback v2.core.account.closed"]);
    }
}

#[test]
fn ledger_outcomes_map_to_409_and_500() {
    use axum::response::IntoResponse;
    use stripe_notify::HandleError;
    use stripe_notify::ledger::LedgerError;
    assert_eq!(HandleError::InProgress.into_response().status(), 409);
    let failed = HandleError::Ledger(LedgerError("postgres: connection refused".into()));
    assert_eq!(failed.category(), "ledger");
    assert_eq!(failed.into_response().status(), 500);
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_refusal_is_logged_at_warn_with_the_event_id_and_what_to_check() {
    use stripe_notify::endpoint::Verification;
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let endpoint = WebhookEndpoint::new(handler(&Seen::default()));
    let body = sample_of("v1.billing.meter.error_report_triggered");
    let id = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let forged = sign(&body, "whsec_forged", stripe_notify::unix_now());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(endpoint.process(&body, Verification::Signature(Some(forged.as_bytes()))))
    });
    assert_eq!(answer.status, 400);
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("WARN"), "{logs}");
    assert!(
        logs.contains(&format!("event_id=\"{id}\"")) || logs.contains(&format!("event_id={id}")),
        "{logs}"
    );
    assert!(
        logs.contains("signing secret (whsec_...)") && logs.contains("raw bytes"),
        "{logs}"
    );
    assert!(!logs.contains(SECRET) && !logs.contains("whsec_forged"), "{logs}");
}

/// An inbox in memory that can be taken down: a database that went away.
#[derive(Default)]
struct FlakyInbox {
    store: MemoryInbox,
    down: AtomicBool,
}

impl FlakyInbox {
    fn check(&self) -> Result<(), InboxError> {
        if self.down.load(Ordering::SeqCst) {
            Err(InboxError("connection refused".into()))
        } else {
            Ok(())
        }
    }
}

impl Inbox for FlakyInbox {
    fn store<'a>(&'a self, event: NewEvent<'a>) -> InboxFuture<'a, Stored> {
        match self.check() {
            Ok(()) => self.store.store(event),
            Err(error) => Box::pin(async { Err(error) }),
        }
    }

    fn claim<'a>(
        &'a self,
        limit: usize,
        lease: Duration,
        per_object: bool,
    ) -> InboxFuture<'a, Vec<ClaimedEvent>> {
        self.store.claim(limit, lease, per_object)
    }

    fn renew<'a>(&'a self, claims: &'a [(String, u32)], lease: Duration) -> InboxFuture<'a, u64> {
        self.store.renew(claims, lease)
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement<'a>]) -> InboxFuture<'a, u64> {
        self.store.settle(settlements)
    }

    fn stats(&self) -> InboxFuture<'_, Stats> {
        self.store.stats()
    }

    fn list<'a>(&'a self, listing: Listing<'a>) -> InboxFuture<'a, Vec<EventSummary>> {
        self.store.list(listing)
    }

    fn event<'a>(&'a self, id: &'a str) -> InboxFuture<'a, Option<EventDetail>> {
        self.store.event(id)
    }

    fn retry<'a>(&'a self, which: Retry<'a>) -> InboxFuture<'a, u64> {
        self.store.retry(which)
    }

    fn purge_done(&self, older_than: Duration) -> InboxFuture<'_, u64> {
        self.store.purge_done(older_than)
    }
}

/// Runs the server's handler as inbox workers until one event is done.
async fn run_workers_until_one_is_done(server: &Server, inbox: &Arc<FlakyInbox>, framework: Framework) {
    let handler = handler(&server.seen);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn({
        let inbox = Arc::clone(inbox);
        async move {
            let options = InboxWorkers::default()
                .poll_interval(Duration::from_millis(10))
                .shutdown(async {
                    let _ = stopped.await;
                });
            handler.run_inbox_workers(inbox, options).await;
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while inbox.stats().await.unwrap().count(State::Done) < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{framework:?}: never done"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();
    workers.await.unwrap();
}

#[tokio::test]
async fn with_an_inbox_a_delivery_is_stored_once_and_answered_before_its_callback_runs() {
    for &framework in FRAMEWORKS {
        let inbox = Arc::new(FlakyInbox::default());
        let server = Server::with_inbox(framework, inbox.clone()).await;
        let body = sample_of("v1.billing.meter.error_report_triggered");
        let received = serde_json::json!({"received": true});
        assert_eq!(server.deliver(body.clone()).await, (200, received.clone()));
        assert_eq!(
            server.deliver(body.clone()).await,
            (200, received),
            "a redelivery"
        );
        assert!(
            server.seen().is_empty(),
            "{framework:?}: nothing runs in the request"
        );
        let pending = inbox.list(Listing::of(State::Pending).limit(10)).await.unwrap();
        assert_eq!(pending.len(), 1, "{framework:?}: stored once");
        assert_eq!(pending[0].event_type, "v1.billing.meter.error_report_triggered");

        // The workers run it, once.
        run_workers_until_one_is_done(&server, &inbox, framework).await;
        assert_eq!(
            server.seen(),
            ["callback v1.billing.meter.error_report_triggered"]
        );
    }
}

#[tokio::test]
async fn with_an_inbox_that_cannot_store_the_answer_is_503_so_that_stripe_retries() {
    for &framework in FRAMEWORKS {
        let inbox = Arc::new(FlakyInbox::default());
        let server = Server::with_inbox(framework, inbox.clone()).await;
        inbox.down.store(true, Ordering::SeqCst);
        let body = sample_of("v1.billing.meter.error_report_triggered");
        let (status, answer) = server.deliver(body.clone()).await;
        assert_eq!((status, category(&answer)), (503, "inbox"), "{framework:?}");
        assert!(
            !answer.to_string().contains("connection refused"),
            "the store's error stays in the logs: {answer}"
        );
        // Stripe's retry, once the database is back, is stored.
        inbox.down.store(false, Ordering::SeqCst);
        assert_eq!(server.deliver(body).await.0, 200);
        assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 1);
    }
}

#[tokio::test]
async fn with_an_inbox_a_rejected_request_gets_400_and_nothing_is_stored() {
    for &framework in FRAMEWORKS {
        let inbox = Arc::new(FlakyInbox::default());
        let server = Server::with_inbox(framework, inbox.clone()).await;
        let body = sample_of("v1.billing.meter.error_report_triggered");
        let forged = sign(&body, "whsec_forged", stripe_notify::unix_now());
        let (status, answer) = server.post("/webhook", body, Some(forged)).await;
        assert_eq!((status, category(&answer)), (400, "signature"));
        let garbage = b"{\"id\":1}".to_vec();
        let (status, answer) = server.deliver(garbage.clone()).await;
        assert_eq!((status, category(&answer)), (400, "payload"));
        let (status, _) = server.post("/unverified", garbage, None).await;
        assert_eq!(status, 400);
        assert_eq!(inbox.stats().await.unwrap(), Stats::default(), "{framework:?}");
    }
}

/// A classic snapshot event of `event_type` (its thin name), with a minimal object.
fn snapshot_of(event_type: &str) -> Vec<u8> {
    sample::snapshot_event(
        Catalog::info(event_type).unwrap(),
        None,
        None,
        stripe_notify::API_VERSION,
    )
    .unwrap()
    .into_bytes()
}

#[tokio::test]
async fn snapshot_events_get_the_same_answers_as_thin_ones() {
    for &framework in FRAMEWORKS {
        let server = Server::start(framework, 4096).await;
        let received = serde_json::json!({"received": true});
        // Signed: the thin twin's callback, the fallback as known, the fallback as unknown.
        let meter = snapshot_of("v1.customer.created");
        assert_eq!(server.deliver(meter.clone()).await, (200, received.clone()));
        assert_eq!(
            server.deliver(snapshot_of("v1.invoice.paid")).await,
            (200, received.clone())
        );
        let unknown = br#"{"id":"evt_9","object":"event","type":"future.thing","created":1,"data":{"object":{"object":"x"}}}"#;
        assert_eq!(server.deliver(unknown.to_vec()).await, (200, received));
        // Forged, stale, malformed, oversized.
        let forged = sign(&meter, "whsec_forged", stripe_notify::unix_now());
        let stale = sign(&meter, SECRET, stripe_notify::unix_now() - 3600);
        let wrong_object =
            br#"{"id":"evt_8","object":"event","type":"invoice.paid","created":1,"data":{"object":{"id":"ch_1","object":"charge"}}}"#;
        let rfc3339 = br#"{"id":"evt_7","object":"event","type":"invoice.paid","created":"2026-01-01T00:00:00Z","data":{"object":{"id":"in_1","object":"invoice"}}}"#;
        let mut oversized = snapshot_of("v1.invoice.paid");
        oversized.truncate(oversized.len() - 1);
        oversized.extend(format!(r#","padding":"{}"}}"#, "x".repeat(8192)).bytes());
        for (body, signature, expected) in [
            (meter.clone(), Some(forged), (400, "signature")),
            (meter.clone(), Some(stale), (400, "timestamp")),
            (meter.clone(), Some(String::new()), (400, "signature")),
            (wrong_object.to_vec(), None, (400, "payload")),
            (rfc3339.to_vec(), None, (400, "payload")),
            (oversized, None, (413, "none")),
        ] {
            // `None`: signed as Stripe signs.
            let signature = signature.or_else(|| Some(sign(&body, SECRET, stripe_notify::unix_now())));
            let (status, answer) = server.post("/webhook", body, signature).await;
            assert_eq!((status, category(&answer)), expected, "{framework:?}: {answer}");
        }
        // EventBridge puts a snapshot destination's event in `detail` too.
        let detail = String::from_utf8(snapshot_of("v1.customer.created")).unwrap();
        let envelope =
            format!(r#"{{"version":"0","id":"e-1","source":"aws.partner/stripe.com","detail":{detail}}}"#);
        assert_eq!(
            server.post("/unverified", envelope.into_bytes(), None).await.0,
            200
        );
        assert_eq!(
            server.seen(),
            [
                "callback customer.created Snapshot",
                "fallback-known invoice.paid",
                "fallback-unknown future.thing",
                "callback customer.created Snapshot",
            ],
            "{framework:?}"
        );
    }
}

#[tokio::test]
async fn with_an_inbox_a_snapshot_event_is_stored_once_with_its_object_and_run_by_the_workers() {
    for &framework in FRAMEWORKS {
        let inbox = Arc::new(FlakyInbox::default());
        let server = Server::with_inbox(framework, inbox.clone()).await;
        let body = snapshot_of("v1.customer.created");
        assert_eq!(server.deliver(body.clone()).await.0, 200);
        assert_eq!(server.deliver(body.clone()).await.0, 200, "a redelivery");
        let pending = inbox.list(Listing::of(State::Pending).limit(10)).await.unwrap();
        assert_eq!(pending.len(), 1, "{framework:?}: stored once");
        assert_eq!(pending[0].event_type, "customer.created");
        run_workers_until_one_is_done(&server, &inbox, framework).await;
        assert_eq!(server.seen(), ["callback customer.created Snapshot"]);
    }
}

//! What the example server and the demo share: the handler they register and the routes.
// Each example uses a part of this module.
#![allow(dead_code)]

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[cfg(feature = "axum")]
use axum::Router;
use stripe_notify::endpoint::WebhookEndpoint;
use stripe_notify::inbox::{Inbox, InboxWorkers};
use stripe_notify::recovery::Reconciler;
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

/// What the demo handler's callbacks do besides reporting.
#[derive(Clone, Copy, Debug, Default)]
pub struct Behaviour {
    /// The callback fetches the event and its related object.
    pub fetch: bool,
    /// Each callback fails on its first attempt at an event (`STRIPE_DEMO_FAIL_FIRST=1`), so
    /// that a retry shows.
    pub fail_first: bool,
    /// How long the callback takes (`STRIPE_DEMO_CALLBACK_MS`), so that callbacks are in
    /// flight when a server is stopped.
    pub callback_time: Duration,
}

/// The demo handler: callbacks for `v1.billing.meter.error_report_triggered` and
/// `v1.invoice.paid` (which serves thin `v1.invoice.paid` and snapshot `invoice.paid` events
/// alike) and a fallback, each reporting `handled <type> <id> by
/// <callback|fallback-known|fallback-unknown>`; for a snapshot event, the invoice callback first
/// reports `snapshot <id> <object type> <object id> amount_paid=<amount>`, read from the
/// object it carries. With
/// `fetch`, the callback then fetches the event and its related object and reports
/// `fetched <id> <related object type|none>` or `fetch failed <id> <error kind>`. With
/// `fail_first`, each then reports `failed <id> (first attempt)` and fails, the first time it
/// sees an event.
pub fn handler(
    client: StripeClient,
    secret: &str,
    behaviour: Behaviour,
    report: Report,
) -> Result<EventNotificationHandler, CallbackError> {
    let first_attempt = FirstAttempt::new(behaviour.fail_first, Arc::clone(&report));
    let fallback_report = Arc::clone(&report);
    let fallback_attempt = first_attempt.clone();
    let (invoice_report, invoice_attempt) = (Arc::clone(&report), first_attempt.clone());
    let handler = EventNotificationHandler::builder(client, secret, move |n, _, details| {
        let by = if details.is_known_event_type {
            "fallback-known"
        } else {
            "fallback-unknown"
        };
        fallback_report(&format!("handled {} {} by {by}", n.event_type(), n.id()));
        let outcome = fallback_attempt.check(n.id());
        async { outcome }
    })?
    .on_v1_invoice_paid(move |n, _| {
        if let Some(snapshot) = n.snapshot() {
            // The invoice as it was when paid: no request. (As JSON, whatever the features.)
            let amount = snapshot
                .object_as::<serde_json::Value>()
                .map(|invoice| invoice["amount_paid"].to_string())
                .unwrap_or_else(|error| error.to_string());
            invoice_report(&format!(
                "snapshot {} {} {} amount_paid={amount}",
                n.id(),
                snapshot.object_type().unwrap_or("?"),
                snapshot.object_id().unwrap_or("?")
            ));
        }
        invoice_report(&format!("handled {} {} by callback", n.event_type(), n.id()));
        let outcome = invoice_attempt.check(n.id());
        async move {
            tokio::time::sleep(behaviour.callback_time).await;
            outcome
        }
    })?
    .on_v1_billing_meter_error_report_triggered(move |n, _| {
        let say = Arc::clone(&report);
        let first_attempt = first_attempt.clone();
        async move {
            say(&format!("handled {} {} by callback", n.event_type(), n.id()));
            tokio::time::sleep(behaviour.callback_time).await;
            first_attempt.check(n.id())?;
            if behaviour.fetch {
                let fetched = async {
                    Ok::<_, stripe_notify::ClientError>((
                        n.fetch_event().await?,
                        n.fetch_related_object().await?,
                    ))
                };
                match fetched.await {
                    Ok((event, _meter)) => {
                        say(&format!(
                            "fetched {} {}",
                            event.id,
                            n.related_object().object_type
                        ));
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
    Ok(handler.build())
}

/// Fails the first attempt at each event, when asked to.
#[derive(Clone)]
struct FirstAttempt {
    seen: Option<Arc<Mutex<HashSet<String>>>>,
    report: Report,
}

impl FirstAttempt {
    fn new(enabled: bool, report: Report) -> Self {
        Self {
            seen: enabled.then(Arc::default),
            report,
        }
    }

    /// An error the first time `id` is seen, when enabled.
    fn check(&self, id: &str) -> Result<(), CallbackError> {
        let Some(seen) = &self.seen else {
            return Ok(());
        };
        if seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned())
        {
            (self.report)(&format!("failed {id} (first attempt)"));
            return Err("STRIPE_DEMO_FAIL_FIRST: the first attempt at each event fails".into());
        }
        Ok(())
    }
}

/// The example server's settings, from the environment: `PORT` (default 4242; 0 picks a free
/// port), `STRIPE_WEBHOOK_SECRET` (the demo secret when unset), `STRIPE_API_KEY` (the callback
/// fetches), `STRIPE_API_BASE`, `STRIPE_INBOX=memory|sqlite:<path>|postgres:<url>` (store, answer,
/// process in workers), `STRIPE_INBOX_WORKERS` (default 4), `STRIPE_INBOX_LEASE_MS` (default
/// 30,000), `STRIPE_DEMO_FETCH=0` (with a key, the callbacks do not fetch),
/// `STRIPE_RECONCILE_SECS` (with an inbox and an API key: run the reconciler that often), `STRIPE_RECONCILE_RATE` (list requests a second, default 20),
/// `STRIPE_RECONCILE_LEASE_MS` (default 60,000), `STRIPE_METRICS=1` (with the `metrics`
/// feature: `GET /metrics`, Prometheus text), `STRIPE_INBOX_ADMIN_TOKEN` (with an inbox and the
/// `inbox-admin` feature: the inbox page at `/inbox`, opened by this token), `STRIPE_DEMO_FAIL_FIRST=1`,
/// `STRIPE_DEMO_CALLBACK_MS` (default 0).
pub struct Server {
    /// The port to listen on.
    pub port: u16,
    /// The handler.
    pub handler: EventNotificationHandler,
    /// The inbox, how many workers process it, and their lease.
    pub inbox: Option<(Arc<dyn Inbox>, usize, Duration)>,
    /// The reconciler's interval, rate and lease, when it runs.
    pub reconcile: Option<(Duration, f64, Duration)>,
    /// `GET /metrics`'s page (Prometheus text), when `STRIPE_METRICS=1`.
    pub metrics: Option<Metrics>,
    /// The inbox page's token, when `STRIPE_INBOX_ADMIN_TOKEN` is set.
    pub admin_token: Option<String>,
}

/// Renders the metrics recorded so far, as Prometheus text.
pub type Metrics = Arc<dyn Fn() -> String + Send + Sync>;

/// With `STRIPE_METRICS=1` (and the `metrics` feature), a Prometheus recorder installed before
/// the handler is built, and its page.
fn metrics_from_env() -> Result<Option<Metrics>, CallbackError> {
    if std::env::var("STRIPE_METRICS").map_or(true, |v| v != "1") {
        return Ok(None);
    }
    #[cfg(feature = "metrics")]
    {
        let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .map_err(|e| format!("STRIPE_METRICS: {e}"))?;
        say("metrics at GET /metrics");
        Ok(Some(Arc::new(move || handle.render())))
    }
    #[cfg(not(feature = "metrics"))]
    Err("STRIPE_METRICS=1 needs the `metrics` feature (--features metrics)".into())
}

/// The number in environment variable `name`, or `default` when it is unset.
fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("{name} must be a number, not {text:?}")),
        Err(_) => Ok(default),
    }
}

impl Server {
    /// Reads the environment, reporting to stdout.
    pub async fn from_env() -> Result<Self, CallbackError> {
        let port: u16 = env_number("PORT", 4242)?;
        let secret = std::env::var("STRIPE_WEBHOOK_SECRET").unwrap_or_else(|_| {
            say(&format!(
                "STRIPE_WEBHOOK_SECRET is unset: using the demo secret {DEMO_SECRET}"
            ));
            DEMO_SECRET.to_owned()
        });
        let api_key = std::env::var("STRIPE_API_KEY").ok();
        let mut client = StripeClient::builder(api_key.clone().unwrap_or_default());
        if let Ok(base) = std::env::var("STRIPE_API_BASE") {
            client = client.api_base(base);
        }
        let behaviour = Behaviour {
            // A key for the reconciler alone: `STRIPE_DEMO_FETCH=0`.
            fetch: api_key.is_some() && std::env::var("STRIPE_DEMO_FETCH").map_or(true, |v| v != "0"),
            fail_first: std::env::var("STRIPE_DEMO_FAIL_FIRST").is_ok_and(|v| v == "1"),
            callback_time: Duration::from_millis(env_number("STRIPE_DEMO_CALLBACK_MS", 0)?),
        };
        let metrics = metrics_from_env()?;
        let handler = handler(client.build()?, &secret, behaviour, Arc::new(say))?;
        let inbox = match std::env::var("STRIPE_INBOX") {
            Ok(spec) => {
                let workers = env_number("STRIPE_INBOX_WORKERS", 4)?;
                let lease = Duration::from_millis(env_number("STRIPE_INBOX_LEASE_MS", 30_000)?);
                let inbox = stripe_notify::inbox::open(&spec)
                    .await
                    .map_err(|e| format!("STRIPE_INBOX: {e}"))?;
                Some((inbox, workers, lease))
            }
            Err(_) => None,
        };
        let reconcile = match std::env::var("STRIPE_RECONCILE_SECS") {
            Ok(_) if inbox.is_none() || api_key.is_none() => {
                return Err("STRIPE_RECONCILE_SECS needs STRIPE_INBOX and STRIPE_API_KEY".into());
            }
            Ok(_) => Some((
                Duration::from_secs(env_number("STRIPE_RECONCILE_SECS", 300)?),
                env_number("STRIPE_RECONCILE_RATE", 20.0)?,
                Duration::from_millis(env_number("STRIPE_RECONCILE_LEASE_MS", 60_000)?),
            )),
            Err(_) => None,
        };
        let admin_token = match std::env::var("STRIPE_INBOX_ADMIN_TOKEN") {
            Ok(_) if inbox.is_none() => return Err("STRIPE_INBOX_ADMIN_TOKEN needs STRIPE_INBOX".into()),
            Ok(token) => Some(token),
            Err(_) => None,
        };
        Ok(Self {
            port,
            handler,
            inbox,
            reconcile,
            metrics,
            admin_token,
        })
    }

    /// The endpoints: verified (`/webhook`) and unverified (`/webhook/unverified`).
    pub fn endpoints(
        &self,
    ) -> (
        WebhookEndpoint<stripe_notify::Catalog>,
        WebhookEndpoint<stripe_notify::Catalog>,
    ) {
        endpoints(
            self.handler.clone(),
            self.inbox.as_ref().map(|(inbox, ..)| Arc::clone(inbox)),
        )
    }

    /// The operator's routes, as configured: `GET /metrics` (`STRIPE_METRICS=1`) and the inbox
    /// page at `/inbox` (`STRIPE_INBOX_ADMIN_TOKEN`).
    #[cfg(feature = "axum")]
    pub fn operator_routes(&self) -> Result<Router, CallbackError> {
        let mut router = Router::new();
        if let Some(render) = self.metrics.clone() {
            router = router.route(
                "/metrics",
                axum::routing::get(move || std::future::ready(render())),
            );
        }
        if let (Some(token), Some((inbox, ..))) = (&self.admin_token, &self.inbox) {
            router = router.nest("/inbox", inbox_page(Arc::clone(inbox), token)?);
            say("the inbox page at GET /inbox");
        }
        Ok(router)
    }

    /// Runs the inbox's workers, if there is an inbox, and the reconciler, if asked for, until
    /// `stop` resolves.
    pub fn spawn_workers(&self, stop: &StopSignal) -> tokio::task::JoinHandle<()> {
        let handler = self.handler.clone();
        let inbox = self.inbox.clone();
        let reconcile = self.reconcile;
        let (stop_workers, stop_reconciler) = (stop(), stop());
        tokio::spawn(async move {
            let Some((inbox, workers, lease)) = inbox else {
                return;
            };
            let options = InboxWorkers::default()
                .concurrency(workers)
                .lease(lease)
                .poll_interval(Duration::from_millis(200))
                .shutdown(stop_workers);
            let reconciler = async {
                if let Some((interval, rate, lease)) = reconcile {
                    say(&format!("reconciling every {} s", interval.as_secs()));
                    let options = Reconciler::default()
                        .interval(interval)
                        .requests_per_second(rate)
                        .lease(lease)
                        .shutdown(stop_reconciler);
                    handler.run_reconciler(Arc::clone(&inbox), options).await;
                }
            };
            tokio::join!(handler.run_inbox_workers(Arc::clone(&inbox), options), reconciler);
        })
    }
}

/// The verified and unverified endpoints of `handler`, storing into `inbox` when there is one.
pub fn endpoints(
    handler: EventNotificationHandler,
    inbox: Option<Arc<dyn Inbox>>,
) -> (
    WebhookEndpoint<stripe_notify::Catalog>,
    WebhookEndpoint<stripe_notify::Catalog>,
) {
    let verified = WebhookEndpoint::new(handler.clone());
    let unverified = WebhookEndpoint::new(handler);
    match inbox {
        Some(inbox) => (verified.inbox(Arc::clone(&inbox)), unverified.inbox(inbox)),
        None => (verified, unverified),
    }
}

/// What [`stop_signal`] gives: a fresh future for each task that waits for the stop.
pub type StopSignal =
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync;

/// A stop signal several tasks wait for: it resolves for each on Ctrl-C or SIGTERM.
pub fn stop_signal()
-> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        terminated().await;
        let _ = stop.send(true);
    });
    move || {
        let mut stopped = stopped.clone();
        Box::pin(async move {
            let _ = stopped.wait_for(|stopped| *stopped).await;
        })
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn terminated() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// The inbox page of `inbox`, opened by `token`.
#[cfg(feature = "inbox-admin")]
fn inbox_page(inbox: Arc<dyn Inbox>, token: &str) -> Result<Router, CallbackError> {
    let admin = stripe_notify::inbox_admin::InboxAdmin::new(inbox)
        .bearer_token(token)
        .map_err(|e| format!("STRIPE_INBOX_ADMIN_TOKEN: {e}"))?;
    Ok(admin.router())
}

#[cfg(all(feature = "axum", not(feature = "inbox-admin")))]
fn inbox_page(_: Arc<dyn Inbox>, _: &str) -> Result<Router, CallbackError> {
    Err("STRIPE_INBOX_ADMIN_TOKEN needs the `inbox-admin` feature (--features inbox-admin)".into())
}

/// `POST /webhook` (verified) and `POST /webhook/unverified` (EventBridge, Event Grid), as axum
/// routes.
#[cfg(feature = "axum")]
pub fn app(
    (verified, unverified): (
        WebhookEndpoint<stripe_notify::Catalog>,
        WebhookEndpoint<stripe_notify::Catalog>,
    ),
) -> Router {
    Router::new()
        .route("/webhook", verified.verified())
        .route("/webhook/unverified", unverified.unverified())
}

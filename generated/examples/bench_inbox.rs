//! The inbox's benchmarks (release build; `bench/inbox.sh` runs them all):
//!
//! - `bench_inbox enqueue <postgres-url> [clients] [events-per-round] [rounds]`: events/s stored by
//!   `Handler::enqueue` (verify, parse, insert) from `clients` concurrent tasks, beside the same
//!   single-row `INSERT ... ON CONFLICT DO NOTHING` of the same rows done bare, through the same
//!   driver and pool settings, into an identical table, in alternating rounds (median printed);
//! - `bench_inbox drain <inbox> [events] [workers]`: `events` stored first, then `workers`
//!   workers run a no-op callback on each: events/s end to end;
//! - `bench_inbox delay <inbox> [events-per-second] [seconds] [workers] [apart]`: events stored
//!   at a steady rate while the workers run: p50/p99/max delay from receipt to the callback's
//!   start; with `apart` (PostgreSQL), the workers run on an inbox of their own over the same
//!   table, with the default poll interval, as on a second server that does not store;
//! - `bench_inbox recover <inbox> [events] [rounds] [latency-ms]`: `events` events (half thin meter events,
//!   half classic `invoice.paid` around Stripe's invoice fixture when `spec/fixtures3.json` is
//!   there) served by the fake Stripe on loopback; `Handler::recover_into` an empty inbox beside
//!   fetching the same pages alone (the same client, each page decoded with its events kept
//!   raw), in alternating rounds (medians printed); with `latency-ms`, each page takes that
//!   long to come, as Stripe's do over the internet;
//! - `bench_inbox requests <count> [tag]`: `count` distinct signed deliveries (ids
//!   `evt_<tag>_<n>`), one per line as `<Stripe-Signature>\t<body>`, for wrk
//!   (`bench/deliveries.lua`).
//!
//! `<inbox>` is `sqlite:<path>`, `postgres://...` or `memory`; each run starts from an empty table (a
//! fresh SQLite file, a fresh PostgreSQL schema). Every event is checked to reach its callback.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use stripe_notify::inbox::{Inbox, InboxWorkers, PostgresInbox};
use stripe_notify::{EventNotificationHandler, RegisterCallbacks, StripeClient, Timestamp, sign};

type Error = Box<dyn std::error::Error + Send + Sync>;

const SECRET: &str = "whsec_test_secret";

const USAGE: &str = "usage: bench_inbox enqueue <postgres-url> [clients] [events-per-round] [rounds]
       bench_inbox drain <sqlite:path|postgres://...> [events] [workers]
       bench_inbox delay <sqlite:path|postgres://...> [events-per-second] [seconds] [workers] [apart]
       bench_inbox recover <sqlite:path|postgres://...|memory> [events] [rounds] [latency-ms]
       bench_inbox requests <count> [tag]";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| -> Result<u64, Error> {
        args.get(i).map_or(Ok(default), |a| Ok(a.parse()?))
    };
    let target = || args.get(1).map(String::as_str).ok_or(USAGE);
    match args.first().map(String::as_str) {
        Some("enqueue") => enqueue(target()?, arg(2, 8)?, arg(3, 20_000)?, arg(4, 5)?).await,
        Some("drain") => drain(target()?, arg(2, 100_000)?, arg(3, 4)?).await,
        Some("delay") => {
            let apart = args.get(5).is_some_and(|a| a == "apart");
            delay(target()?, arg(2, 1_000)?, arg(3, 10)?, arg(4, 4)?, apart).await
        }
        Some("recover") => recover(target()?, arg(2, 10_000)?, arg(3, 3)?, arg(4, 0)?).await,
        Some("requests") => {
            let count = args.get(1).ok_or(USAGE)?.parse()?;
            let tag = args.get(2).map_or("wrk", String::as_str);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for delivery in deliveries(tag, count, Timestamp::now()) {
                use std::io::Write as _;
                writeln!(out, "{}\t{}", delivery.signature, delivery.body)?;
            }
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

/// A signed delivery of a 511-byte `v1.billing.meter.error_report_triggered` (the shape of
/// `../shared/bench/thin_event.json`), with its own id.
struct Delivery {
    body: String,
    signature: String,
}

/// A delivery of event `id`, created at `created`.
fn delivery(id: &str, created: Timestamp) -> Delivery {
    let created = created.strftime("%Y-%m-%dT%H:%M:%S%.6fZ");
    let body = format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","livemode":false,"created":"{created}","context":"acct_1PGlswJ7lanVTnAx","related_object":{{"id":"mtr_test_61R9IjkCGSWIXLMaL41FBgxfFPXkvDwu","type":"billing.meter","url":"/v1/billing/meters/mtr_test_61R9IjkCGSWIXLMaL41FBgxfFPXkvDwu"}},"reason":{{"type":"request","request":{{"id":"req_v2KmtZjkLQRMHcAtL","idempotency_key":"f5b3c0d2-6b3e-4f7a-9d6c-2a1b8e4f9c3d"}}}}}}"#
    );
    let signature = sign(body.as_bytes(), SECRET, stripe_notify::unix_now());
    Delivery { body, signature }
}

/// `count` deliveries with ids `evt_<run>_<n>`, padded to the sample event's id length.
fn deliveries(run: &str, count: u64, created: Timestamp) -> Vec<Delivery> {
    (0..count)
        .map(|n| delivery(&format!("evt_{run}_{n:0>40}"), created))
        .collect()
}

/// A handler whose callback for the benchmark's type runs `callback`; every other outcome is
/// an error, so that a benchmark that routes wrong fails.
fn handler(
    callback: impl Fn(&stripe_notify::V1BillingMeterErrorReportTriggeredEventNotification) + Send + Sync + 'static,
) -> Result<EventNotificationHandler, Error> {
    Ok(
        EventNotificationHandler::builder(StripeClient::new("sk_test_bench"), SECRET, |_, _, _| async {
            Err("the benchmark's events must reach their callback".into())
        })?
        .on_v1_billing_meter_error_report_triggered(move |n, _| {
            callback(&n);
            std::future::ready(Ok(()))
        })?
        .build(),
    )
}

/// A fresh, empty inbox for a run: a new SQLite file, or a new PostgreSQL schema.
async fn open(spec: &str) -> Result<Arc<dyn Inbox>, Error> {
    Ok(open_with_url(spec).await?.0)
}

/// [`open`], and the URL of the PostgreSQL schema.
async fn open_with_url(spec: &str) -> Result<(Arc<dyn Inbox>, Option<String>), Error> {
    if spec == "memory" {
        return Ok((stripe_notify::inbox::open(spec).await?, None));
    }
    if let Some(path) = spec.strip_prefix("sqlite:") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        return Ok((stripe_notify::inbox::open(spec).await?, None));
    }
    let url = stripe_notify::testing::isolated_schema(spec).await?;
    Ok((stripe_notify::inbox::open(&url).await?, Some(url)))
}

/// Runs `work` for each of `items` from `clients` concurrent tasks; the time it took.
async fn concurrently<T: Send + Sync + 'static, F>(
    items: Arc<Vec<T>>,
    clients: u64,
    work: impl Fn(Arc<Vec<T>>, usize) -> F + Send + Sync + Clone + 'static,
) -> Result<Duration, Error>
where
    F: Future<Output = Result<(), Error>> + Send + 'static,
{
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (items, next, work) = (Arc::clone(&items), Arc::clone(&next), work.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if i >= items.len() {
                        return Ok::<_, Error>(());
                    }
                    work(Arc::clone(&items), i).await?;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed())
}

fn rate(events: u64, took: Duration) -> f64 {
    events as f64 / took.as_secs_f64()
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// The table of the bare insert: the inbox's own, copied.
const BARE_TABLE: &str = "CREATE TABLE IF NOT EXISTS bare_inbox (LIKE stripe_notify_inbox INCLUDING ALL)";
/// The row the inbox stores, its object's id included (the inbox indexes it, to run an
/// object's events one at a time), inserted bare.
const BARE_INSERT: &str =
    "INSERT INTO bare_inbox (id, event_type, created, body, signed_at, object_id, state)
     VALUES ($1, $2, $3::text::timestamptz, $4, $5, $6, 'pending') ON CONFLICT (id) DO NOTHING";

async fn enqueue(url: &str, clients: u64, per_round: u64, rounds: u64) -> Result<(), Error> {
    let url = stripe_notify::testing::isolated_schema(url).await?;
    let pool_size = usize::try_from(clients)?;
    let inbox = Arc::new(PostgresInbox::connect_with_pool(&url, pool_size).await?);
    // The pool the inbox builds, built again for the bare side.
    let bare = Pool::builder(Manager::from_config(
        url.parse()?,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    ))
    .max_size(pool_size)
    .runtime(deadpool_postgres::Runtime::Tokio1)
    .build()?;
    bare.get().await?.batch_execute(BARE_TABLE).await?;
    let handler = handler(|_| {})?;
    let (mut inbox_rates, mut bare_rates) = (Vec::new(), Vec::new());
    // Round 0 warms both up and is not counted.
    for round in 0..=rounds {
        let client = bare.get().await?;
        client
            .batch_execute("TRUNCATE stripe_notify_inbox; TRUNCATE bare_inbox")
            .await?;
        drop(client);
        let events = Arc::new(deliveries(&format!("r{round}"), per_round, Timestamp::now()));
        let (inbox, handler) = (Arc::clone(&inbox), handler.clone());
        let took = concurrently(Arc::clone(&events), clients, move |events, i| {
            let (inbox, handler) = (Arc::clone(&inbox), handler.clone());
            async move {
                let delivery = &events[i];
                let stored = handler
                    .enqueue(delivery.body.as_bytes(), Some(&delivery.signature), &*inbox)
                    .await?;
                assert_eq!(stored, stripe_notify::inbox::Stored::New);
                Ok(())
            }
        })
        .await?;
        // What the handler takes from each body, taken beforehand for the bare side.
        let rows: Vec<_> = events
            .iter()
            .map(|delivery| {
                let value: serde_json::Value = serde_json::from_str(&delivery.body)?;
                let field = |name: &str| value[name].as_str().unwrap_or_default().to_owned();
                let object_id = value["related_object"]["id"].as_str().map(str::to_owned);
                Ok::<_, Error>((
                    field("id"),
                    field("type"),
                    field("created"),
                    delivery.body.clone(),
                    object_id,
                ))
            })
            .collect::<Result<_, _>>()?;
        let bare = bare.clone();
        let now = stripe_notify::unix_now();
        let bare_took = concurrently(Arc::new(rows), clients, move |rows, i| {
            let bare = bare.clone();
            async move {
                let (id, event_type, created, body, object_id) = &rows[i];
                let client = bare.get().await?;
                let statement = client.prepare_cached(BARE_INSERT).await?;
                let inserted = client
                    .execute(
                        &statement,
                        &[id, event_type, created, &body.as_bytes(), &Some(now), object_id],
                    )
                    .await?;
                assert_eq!(inserted, 1);
                Ok(())
            }
        })
        .await?;
        if round > 0 {
            inbox_rates.push(rate(per_round, took));
            bare_rates.push(rate(per_round, bare_took));
        }
    }
    let (inbox_rate, bare_rate) = (median(&mut inbox_rates), median(&mut bare_rates));
    println!("enqueue (verify, parse, insert), {clients} clients: {inbox_rate:.0} events/s");
    println!("bare INSERT ... ON CONFLICT DO NOTHING, {clients} clients: {bare_rate:.0} events/s");
    println!("enqueue / bare insert: {:.2}", inbox_rate / bare_rate);
    Ok(())
}

/// Runs `workers` workers over `inbox` until `events` callbacks ran; the time from their start.
async fn run_workers_until(
    handler: &EventNotificationHandler,
    inbox: Arc<dyn Inbox>,
    workers: u64,
    ran: Arc<(AtomicU64, tokio::sync::Notify)>,
    events: u64,
    started: Instant,
    poll: Option<Duration>,
) -> Result<Duration, Error> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut options = InboxWorkers::default()
        .concurrency(usize::try_from(workers)?)
        .shutdown(async {
            let _ = stopped.await;
        });
    if let Some(poll) = poll {
        options = options.poll_interval(poll);
    }
    let handler = handler.clone();
    let running = tokio::spawn(async move { handler.run_inbox_workers(inbox, options).await });
    while ran.0.load(Ordering::SeqCst) < events {
        ran.1.notified().await;
    }
    let took = started.elapsed();
    let _ = stop.send(());
    running.await?;
    Ok(took)
}

fn counting() -> Arc<(AtomicU64, tokio::sync::Notify)> {
    Arc::new((AtomicU64::new(0), tokio::sync::Notify::new()))
}

async fn drain(spec: &str, events: u64, workers: u64) -> Result<(), Error> {
    let inbox = open(spec).await?;
    let ran = counting();
    let count = Arc::clone(&ran);
    let handler = handler(move |_| {
        count.0.fetch_add(1, Ordering::SeqCst);
        count.1.notify_one();
    })?;
    let deliveries = Arc::new(deliveries("drain", events, Timestamp::now()));
    let (stored_by, into) = (handler.clone(), Arc::clone(&inbox));
    let stored = concurrently(deliveries, 8, move |deliveries, i| {
        let (handler, inbox) = (stored_by.clone(), Arc::clone(&into));
        async move {
            let delivery = &deliveries[i];
            handler
                .enqueue(delivery.body.as_bytes(), Some(&delivery.signature), &*inbox)
                .await?;
            Ok(())
        }
    })
    .await?;
    println!(
        "stored {events} events: {:.0} events/s (8 clients)",
        rate(events, stored)
    );
    let took = run_workers_until(
        &handler,
        inbox,
        workers,
        ran,
        events,
        Instant::now(),
        Some(Duration::from_millis(50)),
    )
    .await?;
    println!(
        "{workers} workers, no-op callback: {events} events in {:.1} s = {:.0} events/s",
        took.as_secs_f64(),
        rate(events, took)
    );
    Ok(())
}

async fn delay(spec: &str, per_second: u64, seconds: u64, workers: u64, apart: bool) -> Result<(), Error> {
    let (inbox, url) = open_with_url(spec).await?;
    // The workers' inbox: the same, or another over the same table (a second server).
    let (worker_inbox, poll) = match url.filter(|_| apart) {
        Some(url) => (stripe_notify::inbox::open(&url).await?, None),
        None => (Arc::clone(&inbox), Some(Duration::from_millis(50))),
    };
    let events = per_second * seconds;
    let ran = counting();
    let delays = Arc::new(Mutex::new(Vec::with_capacity(usize::try_from(events)?)));
    let (count, seen) = (Arc::clone(&ran), Arc::clone(&delays));
    let handler = handler(move |n| {
        // The body's `created` is when it was received (see below).
        let delay = Timestamp::now().as_microsecond() - n.created().as_microsecond();
        seen.lock().unwrap().push(delay);
        count.0.fetch_add(1, Ordering::SeqCst);
        count.1.notify_one();
    })?;
    let producer = {
        let (handler, inbox) = (handler.clone(), Arc::clone(&inbox));
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(1) / u32::try_from(per_second)?);
            let mut tasks = Vec::new();
            for n in 0..events {
                ticks.tick().await;
                let (handler, inbox) = (handler.clone(), Arc::clone(&inbox));
                // Each delivery a task of its own, as concurrent requests are.
                tasks.push(tokio::spawn(async move {
                    let delivery = delivery(&format!("evt_delay_{n:0>40}"), Timestamp::now());
                    handler
                        .enqueue(delivery.body.as_bytes(), Some(&delivery.signature), &*inbox)
                        .await
                }));
            }
            for task in tasks {
                task.await??;
            }
            Ok::<_, Error>(())
        })
    };
    let took = run_workers_until(&handler, worker_inbox, workers, ran, events, Instant::now(), poll).await?;
    producer.await??;
    let mut delays = delays.lock().unwrap().clone();
    delays.sort_unstable();
    let at = |q: f64| delays[((delays.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    println!(
        "{per_second} events/s for {seconds} s, {workers} workers{} ({:.0} events/s run): delay from receipt to callback p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        if apart { " on another server" } else { "" },
        rate(events, took),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

/// A page of either list API, its events kept raw: what fetching alone decodes.
#[derive(serde::Deserialize)]
struct Page {
    data: Vec<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    next_page_url: Option<String>,
    #[serde(default)]
    has_more: bool,
}

/// Fetches every page of both list APIs, as recovery does; the events fetched.
async fn fetch_all(client: &StripeClient) -> Result<usize, Error> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let mut events = 0;
    let mut next = Some("/v2/core/events?limit=100".to_owned());
    while let Some(path) = next {
        let page: Page = client.get(&path, None).await?;
        events += page.data.len();
        next = page.next_page_url.filter(|url| !url.is_empty());
    }
    let mut path = "/v1/events?limit=100".to_owned();
    loop {
        let page: Page = client.get(&path, None).await?;
        events += page.data.len();
        match page.data.last() {
            Some(last) if page.has_more => {
                let last: Id = serde_json::from_str(last.get())?;
                path = format!("/v1/events?limit=100&starting_after={}", last.id);
            }
            _ => return Ok(events),
        }
    }
}

async fn recover(spec: &str, events: u64, rounds: u64, latency_ms: u64) -> Result<(), Error> {
    use stripe_notify::{Catalog, EventCatalog, RecoveryFilter};
    let stripe = stripe_notify::testing::FakeStripe::start().await?;
    let meter = Catalog::info("v1.billing.meter.error_report_triggered").ok_or("no meter type")?;
    let invoice = Catalog::info("v1.invoice.paid").ok_or("no invoice type")?;
    let fixture = std::fs::read_to_string("spec/fixtures3.json")
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|fixtures| {
            fixtures["resources"]
                .get("invoice")
                .map(|invoice| invoice.to_string())
        });
    let history = (0..events).map(|i| {
        if i % 2 == 0 {
            stripe_notify::sample::notification(meter, None)
        } else {
            stripe_notify::sample::snapshot_event(
                invoice,
                fixture.as_deref(),
                None,
                stripe_notify::API_VERSION,
            )
            .unwrap_or_default()
        }
    });
    stripe.serve_events(history)?;
    stripe.delay_event_lists(Duration::from_millis(latency_ms));
    let client = StripeClient::builder("sk_test_bench")
        .api_base(stripe.url())
        .build()?;
    let handler =
        EventNotificationHandler::builder(client.clone(), SECRET, |_, _, _| async { Ok(()) })?.build();
    println!(
        "{events} events, {} of them classic invoices {}; pages after {latency_ms} ms",
        events / 2,
        if fixture.is_some() {
            "around Stripe's fixture"
        } else {
            "with a minimal object"
        }
    );
    let (mut fetched, mut recovered) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        let count = fetch_all(&client).await?;
        fetched.push(rate(count as u64, started.elapsed()));

        let inbox = open(spec).await?;
        let started = Instant::now();
        let report = handler.recover_into(&RecoveryFilter::default(), &*inbox).await?;
        recovered.push(rate(report.processed() as u64, started.elapsed()));
        // SQLite's checkpointer copies the last writes after the pass, on its own thread: done
        // before fetching is timed again.
        drop(inbox);
        tokio::time::sleep(Duration::from_secs(1)).await;
        if report.processed() as u64 != events || report.failed().count() > 0 {
            return Err(format!(
                "recovered {} of {events} events, {} failed",
                report.processed(),
                report.failed().count()
            )
            .into());
        }
    }
    let (fetched, recovered) = (median(&mut fetched), median(&mut recovered));
    println!("fetching the pages alone: {fetched:.0} events/s");
    println!(
        "recovering into {spec}: {recovered:.0} events/s ({:.2}x)",
        recovered / fetched
    );
    Ok(())
}

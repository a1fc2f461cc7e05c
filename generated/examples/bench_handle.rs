//! Throughput of `handle` beside the floor, in one run, on the same signed payload:
//! `cargo run --release -p stripe-notify --example bench_handle -- <payload.json> <iterations>`.
//!
//! With `STRIPE_BENCH_METRICS=1` (built with `--features metrics`), a Prometheus recorder is
//! installed first, its upkeep running every 5 s (or every `STRIPE_BENCH_UPKEEP_MS`), so that
//! `handle` counts and times every delivery.
//!
//! Prints exactly two lines, `handle: <N> events/s` and `floor: <N> events/s`. The callback
//! counts, and the count is checked. Compare with `../shared/bench/` (the Python and Node
//! handlers print `<N> events/s` on the same payload).

#[path = "../benches/floor.rs"]
mod floor;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use stripe_notify::{EventNotificationHandler, RegisterCallbacks, StripeClient, sign};

const SECRET: &str = "whsec_test_secret";

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_handle <payload.json> <iterations>";
    let body = std::fs::read(args.next().ok_or(usage)?)?;
    let iterations: u64 = args.next().ok_or(usage)?.parse()?;
    let now = stripe_notify::unix_now();
    let header = sign(&body, SECRET, now);
    if std::env::var("STRIPE_BENCH_METRICS").is_ok_and(|v| v == "1") {
        #[cfg(feature = "metrics")]
        {
            // The exporter's upkeep (draining histogram samples into their summaries) runs on a
            // thread of its own, as `PrometheusBuilder::install` runs it: every 5 s, its default,
            // or every `STRIPE_BENCH_UPKEEP_MS`.
            let every = match std::env::var("STRIPE_BENCH_UPKEEP_MS") {
                Ok(millis) => std::time::Duration::from_millis(millis.parse()?),
                Err(_) => std::time::Duration::from_secs(5),
            };
            let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(every);
                    prometheus.run_upkeep();
                }
            });
        }
        #[cfg(not(feature = "metrics"))]
        return Err("STRIPE_BENCH_METRICS=1 needs --features metrics".into());
    }

    let count = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&count);
    let handler =
        EventNotificationHandler::builder(StripeClient::new("sk_test_bench"), SECRET, |_, _, _| async {
            Err("the benchmark payload must reach its callback".into())
        })?
        .on_v1_billing_meter_error_report_triggered(move |_, _| {
            counter.fetch_add(1, Ordering::Relaxed);
            std::future::ready(Ok(()))
        })?
        .build();

    let floor = floor::Floor::new(SECRET);
    // Rounds alternate between the two, and each prints its median round: a machine's drift
    // (frequency, neighbours) then weighs on both alike rather than on whichever ran second.
    let per_round = (iterations / ROUNDS).max(1);
    let (mut handle_rates, mut floor_rates) = (Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        let handled = pollster::block_on(async {
            let started = Instant::now();
            for _ in 0..per_round {
                handler.handle(std::hint::black_box(&body), Some(&header)).await?;
            }
            Ok::<_, stripe_notify::HandleError>(rate(per_round, started))
        })?;
        let started = Instant::now();
        let mut verified = 0u64;
        for _ in 0..per_round {
            verified += u64::from(floor.run(std::hint::black_box(&body), &header));
        }
        let floored = rate(per_round, started);
        if verified != per_round {
            return Err("the floor failed to verify the payload".into());
        }
        // Round 0 warms up caches and branch predictors.
        if round > 0 {
            handle_rates.push(handled);
            floor_rates.push(floored);
        }
    }
    let handled = count.load(Ordering::Relaxed);
    if handled != per_round * (ROUNDS + 1) {
        return Err(format!(
            "the callback ran {handled} times, not {}",
            per_round * (ROUNDS + 1)
        )
        .into());
    }
    let (handle_rate, floor_rate) = (median(&mut handle_rates), median(&mut floor_rates));

    println!("handle: {handle_rate:.0} events/s");
    println!("floor: {floor_rate:.0} events/s");
    Ok(())
}

/// How many rounds each side runs, after a warm-up round.
const ROUNDS: u64 = 9;

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

#[allow(clippy::cast_precision_loss)]
fn rate(iterations: u64, started: Instant) -> f64 {
    iterations as f64 / started.elapsed().as_secs_f64()
}

//! Throughput of `handle` beside the floor, in one run, on the same signed payload:
//! `cargo run --release -p stripe-notify --example bench_handle -- <payload.json> <iterations>`.
//!
//! Prints exactly two lines, `handle: <N> events/s` and `floor: <N> events/s`. The callback
//! counts, and the count is checked. Compare with `../shared/bench/` (the Python and Node
//! handlers print `<N> events/s` on the same payload).

#[path = "../benches/floor.rs"]
mod floor;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use stripe_notify::{EventNotificationHandler, StripeClient, sign};

const SECRET: &str = "whsec_test_secret";

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_handle <payload.json> <iterations>";
    let body = std::fs::read(args.next().ok_or(usage)?)?;
    let iterations: u64 = args.next().ok_or(usage)?.parse()?;
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
    let header = sign(&body, SECRET, now);

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

    let warmup = (iterations / 10).max(100);
    let handle_rate = pollster::block_on(async {
        for _ in 0..warmup {
            handler.handle(&body, Some(&header)).await?;
        }
        let started = Instant::now();
        for _ in 0..iterations {
            handler.handle(std::hint::black_box(&body), Some(&header)).await?;
        }
        Ok::<_, stripe_notify::HandleError>(rate(iterations, started))
    })?;
    let handled = count.load(Ordering::Relaxed);
    if handled != warmup + iterations {
        return Err(format!("the callback ran {handled} times, not {}", warmup + iterations).into());
    }

    let floor = floor::Floor::new(SECRET);
    for _ in 0..warmup {
        assert!(floor.run(&body, &header));
    }
    let started = Instant::now();
    let mut ok = 0u64;
    for _ in 0..iterations {
        ok += u64::from(floor.run(std::hint::black_box(&body), &header));
    }
    let floor_rate = rate(iterations, started);
    if ok != iterations {
        return Err("the floor failed to verify the payload".into());
    }

    println!("handle: {handle_rate:.0} events/s");
    println!("floor: {floor_rate:.0} events/s");
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn rate(iterations: u64, started: Instant) -> f64 {
    iterations as f64 / started.elapsed().as_secs_f64()
}

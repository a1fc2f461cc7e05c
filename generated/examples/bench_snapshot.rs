//! Throughput of snapshot events, side by side in one run, on the same signed classic
//! `invoice.paid`: `cargo run --release -p stripe-notify --features async-stripe-shared --example
//! bench_snapshot -- ../shared/bench/snapshot_invoice_paid.json <iterations>`.
//!
//! Rounds alternate between five ways of handling it, and each prints its median round:
//! - `untyped`: `handle`, the callback registered for `v1.invoice.paid` not reading the object;
//! - `typed`: `handle`, the callback reading `amount_paid` from the typed `Invoice`;
//! - `construct_event`: async-stripe-webhook 1.0.0-rc.10's `Webhook::construct_event`, then a
//!   `match` on the typed object reading `amount_paid`;
//! - `floor`: HMAC-SHA256 of the body from a pre-keyed state and a borrowed serde parse of the
//!   envelope with `data.object` kept raw;
//! - `typed floor`: the floor, then `serde_json::from_str::<Invoice>` of the raw object.
//!
//! Each line is `<name>: <N> events/s`. The callbacks count, and the counts are checked.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use hmac::{Hmac, Mac};
use serde_json::value::RawValue;
use sha2::Sha256;
use stripe_notify::async_stripe::shared::Invoice;
use stripe_notify::{EventNotificationHandler, RegisterCallbacks, StripeClient, sign};

const SECRET: &str = "whsec_test_secret";
/// How many rounds each runs, after a warm-up round.
const ROUNDS: u64 = 9;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_snapshot <snapshot.json> <iterations>";
    let body = std::fs::read(args.next().ok_or(usage)?)?;
    let text = std::str::from_utf8(&body)?.to_owned();
    let iterations: u64 = args.next().ok_or(usage)?.parse()?;
    let header = sign(&body, SECRET, stripe_notify::unix_now());

    let count = Arc::new(AtomicU64::new(0));
    let paid = Arc::new(AtomicI64::new(0));
    let untyped = handler(&count, None)?;
    let typed = handler(&count, Some(&paid))?;
    let floor = Floor::new(SECRET);

    let per_round = (iterations / ROUNDS).max(1);
    let mut rates: [Vec<f64>; 5] = Default::default();
    for round in 0..=ROUNDS {
        let mut measured = [0.0; 5];
        measured[0] = timed(per_round, || {
            pollster::block_on(untyped.handle(std::hint::black_box(&body), Some(&header))).is_ok()
        });
        measured[1] = timed(per_round, || {
            pollster::block_on(typed.handle(std::hint::black_box(&body), Some(&header))).is_ok()
        });
        measured[2] = timed(per_round, || {
            match stripe_webhook::Webhook::construct_event(std::hint::black_box(&text), &header, SECRET) {
                Ok(event) => match event.data.object {
                    stripe_webhook::EventObject::InvoicePaid(invoice) => {
                        paid.fetch_add(invoice.amount_paid, Ordering::Relaxed);
                        true
                    }
                    _ => false,
                },
                Err(_) => false,
            }
        });
        measured[3] = timed(per_round, || {
            floor.run(std::hint::black_box(&body), &header).is_some()
        });
        measured[4] = timed(per_round, || {
            floor
                .run(std::hint::black_box(&body), &header)
                .and_then(|object| serde_json::from_str::<Invoice>(object).ok())
                .is_some_and(|invoice| {
                    paid.fetch_add(invoice.amount_paid, Ordering::Relaxed);
                    true
                })
        });
        // Round 0 warms up caches and branch predictors.
        if round > 0 {
            for (all, rate) in rates.iter_mut().zip(measured) {
                all.push(rate);
            }
        }
    }
    let expected = 2 * per_round * (ROUNDS + 1);
    let counted = count.load(Ordering::Relaxed);
    if counted != expected {
        return Err(format!("the callbacks ran {counted} times, not {expected}").into());
    }
    let names = ["untyped", "typed", "construct_event", "floor", "typed floor"];
    for (name, all) in names.iter().zip(&mut rates) {
        println!("{name}: {:.0} events/s", median(all));
    }
    Ok(())
}

/// A handler whose `v1.invoice.paid` callback counts, and, given `paid`, reads the typed
/// invoice's `amount_paid` into it.
fn handler(
    count: &Arc<AtomicU64>,
    paid: Option<&Arc<AtomicI64>>,
) -> Result<EventNotificationHandler, Box<dyn std::error::Error + Send + Sync>> {
    let (count, paid) = (Arc::clone(count), paid.map(Arc::clone));
    Ok(
        EventNotificationHandler::builder(StripeClient::new("sk_test_bench"), SECRET, |_, _, _| async {
            Err("the benchmark payload must reach its callback".into())
        })?
        .on_v1_invoice_paid(move |n, _| {
            count.fetch_add(1, Ordering::Relaxed);
            let read = match (&paid, n.snapshot()) {
                (Some(paid), Some(snapshot)) => snapshot
                    .object()
                    .map(|invoice| {
                        paid.fetch_add(invoice.amount_paid, Ordering::Relaxed);
                    })
                    .map_err(Into::into),
                _ => Ok(()),
            };
            std::future::ready(read)
        })?
        .build(),
    )
}

/// Runs `step` `iterations` times; its rate, in calls per second. Every call must succeed.
fn timed(iterations: u64, mut step: impl FnMut() -> bool) -> f64 {
    let started = Instant::now();
    let mut succeeded = 0u64;
    for _ in 0..iterations {
        succeeded += u64::from(step());
    }
    assert_eq!(succeeded, iterations, "every call succeeds");
    #[allow(clippy::cast_precision_loss)]
    let rate = iterations as f64 / started.elapsed().as_secs_f64();
    rate
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

/// The floor for a snapshot event: take `t` and the `v1` hex out of the header, decode the hex,
/// HMAC-SHA256 from a pre-keyed state over `"{t}.{body}"`, compare in constant time, and parse
/// the envelope borrowed, `data.object` kept raw; nothing else.
struct Floor {
    keyed: Hmac<Sha256>,
}

/// A classic event's envelope, borrowed.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Envelope<'a> {
    id: &'a str,
    object: &'a str,
    #[serde(default)]
    account: Option<&'a str>,
    #[serde(default)]
    api_version: Option<&'a str>,
    created: i64,
    #[serde(borrow)]
    data: Data<'a>,
    #[serde(default)]
    livemode: bool,
    #[serde(default)]
    pending_webhooks: u64,
    #[serde(rename = "type")]
    event_type: &'a str,
}

#[derive(serde::Deserialize)]
struct Data<'a> {
    #[serde(borrow)]
    object: &'a RawValue,
    #[serde(borrow, default)]
    #[allow(dead_code)]
    previous_attributes: Option<&'a RawValue>,
}

impl Floor {
    fn new(secret: &str) -> Self {
        Self {
            keyed: Hmac::new_from_slice(secret.as_bytes()).expect("any key length"),
        }
    }

    /// Verifies and parses `body`; its raw `data.object` when both succeed.
    fn run<'b>(&self, body: &'b [u8], header: &str) -> Option<&'b str> {
        let (t, v1) = header.strip_prefix("t=")?.split_once(",v1=")?;
        let mut signature = [0u8; 32];
        for (byte, pair) in signature.iter_mut().zip(v1.as_bytes().chunks_exact(2)) {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            *byte = u8::try_from((hi << 4) | lo).ok()?;
        }
        let mut mac = self.keyed.clone();
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&signature).ok()?;
        let envelope: Envelope<'b> = serde_json::from_str(std::str::from_utf8(body).ok()?).ok()?;
        Some(envelope.data.object.get())
    }
}

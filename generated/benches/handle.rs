//! `cargo bench -p stripe-notify --bench handle`: each step of handling beside the floor, for
//! bodies of 511 B (the benchmark event), 4 KiB and 64 KiB.

mod floor;

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use stripe_notify::{EventNotificationHandler, FixedClock, RegisterCallbacks, StripeClient, Verifier, sign};
// The steps below the handler's API are the runtime's.
use stripe_notify_runtime::notification::RawNotification;
use stripe_notify_runtime::{SignatureHeader, WebhookSecret};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_726_554_052;
const SIZES: [usize; 3] = [511, 4096, 65536];

/// The benchmark event, padded with an unknown field to `size` bytes.
fn body(size: usize) -> Vec<u8> {
    static EVENT: LazyLock<Vec<u8>> = LazyLock::new(|| {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../runtime/tests/data/thin_event.json"
        ))
        .expect("event")
    });
    let mut body = EVENT.clone();
    if size > body.len() {
        while body.last().is_some_and(u8::is_ascii_whitespace) {
            body.pop();
        }
        assert_eq!(body.pop(), Some(b'}'), "the event is a JSON object");
        let padding = size - body.len() - r#","padding":""}"#.len();
        body.extend(format!(r#","padding":"{}"}}"#, "x".repeat(padding)).bytes());
    }
    assert_eq!(body.len(), size);
    body
}

fn handler(with_callback: bool) -> EventNotificationHandler {
    let builder = EventNotificationHandler::builder(StripeClient::new("sk_test_bench"), SECRET, |_, _, _| {
        std::future::ready(Ok(()))
    })
    .expect("secret")
    .clock(FixedClock(NOW));
    if with_callback {
        builder
            .on_v1_billing_meter_error_report_triggered(|_, _| std::future::ready(Ok(())))
            .expect("once")
            .build()
    } else {
        builder.build()
    }
}

fn main() {
    divan::main();
}

#[divan::bench(args = SIZES)]
fn floor(bencher: Bencher<'_, '_>, size: usize) {
    let body = body(size);
    let (floor, header) = (floor::Floor::new(SECRET), sign(&body, SECRET, NOW));
    bencher
        .counter(divan::counter::BytesCount::new(size))
        .bench(|| assert!(floor.run(black_box(&body), &header)));
}

#[divan::bench]
fn header_parse(bencher: Bencher<'_, '_>) {
    let header = sign(&body(511), SECRET, NOW);
    bencher.bench(|| SignatureHeader::parse(black_box(header.as_bytes())).map(|h| h.timestamp()));
}

#[divan::bench(args = SIZES)]
fn verify(bencher: Bencher<'_, '_>, size: usize) {
    let body = body(size);
    let header = sign(&body, SECRET, NOW);
    let verifier = Verifier::new([&WebhookSecret::new(SECRET).expect("secret")]).with_clock(FixedClock(NOW));
    bencher.counter(divan::counter::BytesCount::new(size)).bench(|| {
        verifier
            .verify(black_box(&body), Some(header.as_bytes()))
            .expect("verifies")
    });
}

#[divan::bench(args = SIZES)]
fn envelope_parse(bencher: Bencher<'_, '_>, size: usize) {
    let body = body(size);
    bencher.counter(divan::counter::BytesCount::new(size)).bench(|| {
        RawNotification::parse(black_box(&body))
            .map(|n| n.livemode())
            .expect("parses");
    });
}

#[divan::bench(args = SIZES)]
fn handle_callback(bencher: Bencher<'_, '_>, size: usize) {
    let (body, handler) = (body(size), handler(true));
    let header = sign(&body, SECRET, NOW);
    bencher
        .counter(divan::counter::BytesCount::new(size))
        .bench(|| pollster::block_on(handler.handle(black_box(&body), Some(&header))).expect("handled"));
}

#[divan::bench(args = SIZES)]
fn handle_fallback(bencher: Bencher<'_, '_>, size: usize) {
    let (body, handler) = (body(size), handler(false));
    let header = sign(&body, SECRET, NOW);
    bencher
        .counter(divan::counter::BytesCount::new(size))
        .bench(|| pollster::block_on(handler.handle(black_box(&body), Some(&header))).expect("handled"));
}

//! Allocations on the hot path, counted by a global allocator: none to verify, one to parse.

use stripe_notify_runtime::notification::RawNotification;
use stripe_notify_runtime::testing::{CountingAllocator, allocations_during};
use stripe_notify_runtime::{FixedClock, SignatureHeader, Verifier, WebhookSecret, sign};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[test]
fn verifying_a_signature_allocates_nothing() {
    // The counter sees allocations at all (else the assertions below would prove nothing).
    assert!(allocations_during(|| drop(std::hint::black_box(String::from("x")))) > 0);

    let body = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/thin_event.json")).unwrap();
    let now = 1_726_554_052;
    let verifier = Verifier::new([
        &WebhookSecret::new("whsec_old").unwrap(),
        &WebhookSecret::new("whsec_test_secret").unwrap(),
    ])
    .with_clock(FixedClock(now));
    let good = sign(&body, "whsec_test_secret", now);
    let other = sign(&body, "whsec_other", now);
    let several = format!("{good},{}", other.replace("t=", "v0="));

    for header in [&good, &other, &several, &"garbage".to_owned()] {
        let count = allocations_during(|| {
            let _ = std::hint::black_box(verifier.verify(&body, Some(header.as_bytes())));
            let _ = std::hint::black_box(SignatureHeader::parse(header.as_bytes()));
        });
        assert_eq!(count, 0, "verify allocated for header {header}");
    }
    assert!(verifier.verify(&body, Some(good.as_bytes())).is_ok());
}

#[test]
fn parsing_a_notification_allocates_its_one_buffer() {
    // Strings with escapes (which Stripe does not send) cost more: serde_json decodes them into
    // buffers of its own, and the notification keeps them after the body.
    let body = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/thin_event.json")).unwrap();
    let count = allocations_during(|| drop(std::hint::black_box(RawNotification::parse(&body).unwrap())));
    assert_eq!(count, 1);
}

//! The verify path allocates nothing: a counting global allocator proves it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use stripe_notify_runtime::{FixedClock, SignatureHeader, Verifier, WebhookSecret, sign};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// A global allocator is the one place that needs unsafe: it is test-only.
// SAFETY: delegates every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

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

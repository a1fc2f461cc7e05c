//! Allocations in a full `handle` of the 511-byte benchmark event with a registered no-op
//! callback: counted with a counting global allocator, stated here and held.

use stripe_notify::testing::{CountingAllocator, allocations_during};
use stripe_notify::{EventNotificationHandler, FixedClock, Handled, RegisterCallbacks, StripeClient, sign};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The allocations of one `handle` of the benchmark event: the notification's strings, copied
/// from the body into one shared buffer (1), and the boxed callback future (1). Verifying and
/// parsing allocate nothing.
const ALLOCATIONS_PER_HANDLE: usize = 2;

#[test]
fn a_full_handle_allocates_a_stated_number_of_times() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/tests/data/thin_event.json"
    ))
    .unwrap();
    let now = 1_726_554_052;
    let header = sign(&body, "whsec_test_secret", now);
    let handler = EventNotificationHandler::builder(
        StripeClient::new("sk_test_1"),
        "whsec_test_secret",
        |_, _, _| async { Ok(()) },
    )
    .unwrap()
    .clock(FixedClock(now))
    .on_v1_billing_meter_error_report_triggered(|_, _| std::future::ready(Ok(())))
    .unwrap()
    .build();
    let run = || pollster::block_on(handler.handle(&body, Some(&header)));
    assert_eq!(run().unwrap(), Handled::Callback);
    // What the executor itself allocates per block_on, which is not the handler's.
    let executor = allocations_during(|| pollster::block_on(async {}));
    let count = allocations_during(|| assert_eq!(run().unwrap(), Handled::Callback)) - executor;
    assert_eq!(count, ALLOCATIONS_PER_HANDLE, "allocations in one handle");
}

//! The notification parser and the whole handler on arbitrary, correctly signed bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stripe_notify_runtime::notification::RawNotification;
use stripe_notify::{RegisterCallbacks, EventNotificationHandler, FixedClock, StripeClient, sign};

fuzz_target!(|body: &[u8]| {
    let _ = RawNotification::parse(body);
    let Ok(builder) =
        EventNotificationHandler::builder(StripeClient::new("sk_test_fuzz"), "whsec_fuzz", |n, _, _| {
            let _ = (
                n.id().len(),
                n.event_type().len(),
                n.reason(),
                n.related_object(),
                n.context(),
            );
            async { Ok(()) }
        })
    else {
        return;
    };
    let Ok(builder) = builder.on_v1_billing_meter_error_report_triggered(|n, _| {
        let _ = (n.related_object().url.len(), n.reason());
        async { Ok(()) }
    }) else {
        return;
    };
    let handler = builder.clock(FixedClock(1_700_000_000)).build();
    let header = sign(body, "whsec_fuzz", 1_700_000_000);
    let _ = handler.handle_blocking(body, Some(header.as_bytes()));
});

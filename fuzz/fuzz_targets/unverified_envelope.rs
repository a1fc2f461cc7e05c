//! `handle_without_verification` (EventBridge and Event Grid envelopes) on arbitrary bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stripe_notify::{EventNotificationHandler, StripeClient};

fuzz_target!(|body: &[u8]| {
    let Ok(builder) =
        EventNotificationHandler::builder(StripeClient::new("sk_test_fuzz"), "whsec_fuzz", |_, _, _| async {
            Ok(())
        })
    else {
        return;
    };
    let handler = builder.build();
    let _ = pollster::block_on(handler.handle_without_verification(body));
});

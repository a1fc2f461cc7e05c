//! A webhook handler with no HTTP stack: verify, parse and route a Stripe notification, then
//! answer with the status the caller's own server sends back.

use std::sync::{Arc, Mutex};

use stripe_notify::prelude::*;
use stripe_notify::{ConfigError, HandleError, Handled};

/// What the callbacks saw, in order.
pub type Seen = Arc<Mutex<Vec<String>>>;

/// A handler with a callback for `v1.billing.meter.error_report_triggered`; every other type
/// goes to the fallback.
pub fn handler(secret: &str, seen: &Seen) -> Result<EventNotificationHandler, ConfigError> {
    let (fallback, meter) = (Arc::clone(seen), Arc::clone(seen));
    let handler = EventNotificationHandler::builder(
        StripeClient::new("sk_test_lean"),
        secret,
        move |n, client, details| {
            fallback.lock().unwrap().push(format!(
                "fallback {} known={} context={:?}",
                n.event_type(),
                details.is_known_event_type,
                client.context().map(ToString::to_string)
            ));
            async { Ok(()) }
        },
    )?
    .on_v1_billing_meter_error_report_triggered(move |n, _| {
        meter
            .lock()
            .unwrap()
            .push(format!("meter {} of {}", n.related_object().id, n.id()));
        async { Ok(()) }
    })?
    .build();
    Ok(handler)
}

/// The status to answer Stripe with: 200 when handled, 400 for a request never to be handled,
/// 500 when processing failed (Stripe retries).
pub fn answer(outcome: &Result<Handled, HandleError>) -> u16 {
    match outcome {
        Ok(_) => 200,
        Err(error) if error.is_processing_failure() => 500,
        Err(_) => 400,
    }
}

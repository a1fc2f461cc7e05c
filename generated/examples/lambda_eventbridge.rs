//! An AWS Lambda function for Stripe's Amazon EventBridge event destination: `cargo build
//! --release -p stripe-notify --features lambda --example lambda_eventbridge` (for Lambda,
//! with `cargo lambda build`, or for the `provided.al2023` runtime's target).
//!
//! Stripe puts each event (thin, or snapshot: the destination's payload style) on the partner
//! event bus named in the destination; an
//! EventBridge rule on that bus (source `aws.partner/stripe.com/...`) invokes this function,
//! which routes the event in its `detail` to its callback or the fallback, as a webhook
//! endpoint would. There is no signature to check: the event bus authenticates the sender.
//! `STRIPE_API_KEY` lets callbacks fetch the event and its related object.

use stripe_notify::prelude::*;

#[tokio::main]
async fn main() -> Result<(), stripe_notify::lambda::Error> {
    let client = StripeClient::new(std::env::var("STRIPE_API_KEY").unwrap_or_default());
    // A webhook secret is what a handler verifies with; EventBridge events are not signed, so
    // it is never used here (`handle_without_verification`).
    let handler =
        EventNotificationHandler::builder(client, "whsec_unused_for_eventbridge", |notif, _, details| {
            println!(
                "unhandled {} {} (known: {})",
                notif.event_type(),
                notif.id(),
                details.is_known_event_type
            );
            async { Ok(()) }
        })?
        .on_v1_billing_meter_error_report_triggered(|notif, _| async move {
            println!(
                "meter {} reported errors ({})",
                notif.related_object().id,
                notif.id()
            );
            Ok(())
        })?
        .build();
    stripe_notify::lambda::run(handler).await
}

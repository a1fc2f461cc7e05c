//! AWS Lambda for Stripe's Amazon EventBridge event destinations (feature `lambda`): a function
//! that receives each EventBridge event, unwraps the thin event in its `detail` and routes it
//! as [`Handler::handle_without_verification`] does.
//!
//! EventBridge events carry no `Stripe-Signature`: Stripe puts them on a partner event bus of
//! your AWS account, and a rule sends them to the function; their authenticity is the bus's
//! (only Stripe can put events on its partner source, only your rules invoke your function).
//! Never expose this function through a URL or API Gateway: anyone could call it there.
//!
//! ```no_run
//! # async fn start<C: stripe_notify_runtime::catalog::EventCatalog>(
//! #     handler: stripe_notify_runtime::Handler<C>,
//! # ) -> Result<(), stripe_notify_runtime::lambda::Error> {
//! // In `main`, with the handler built as for a webhook endpoint:
//! stripe_notify_runtime::lambda::run(handler).await
//! # }
//! ```

/// What Lambda hands a function: an invocation's payload and context, and the error a function
/// returns (re-exported, so that a function needs no `lambda_runtime` of its own).
pub use lambda_runtime::{Context, Error, LambdaEvent};
use lambda_runtime::{Diagnostic, service_fn};
use serde_json::value::RawValue;

use crate::catalog::EventCatalog;
use crate::error::HandleError;
use crate::handler::Handler;
use crate::outcome::Handled;

/// Handles one invocation: `event`'s payload is an EventBridge event whose `detail` is a thin
/// event (a bare thin event, or an Event Grid event, is taken too). An error makes the
/// invocation fail, so that Lambda retries it and then sends it to the function's on-failure
/// destination: a failed callback, but also a payload that is not a thin event. Logged as the
/// endpoint logs (a refusal at `warn`, a failure at `error`).
pub async fn handle<C: EventCatalog>(
    handler: &Handler<C>,
    event: LambdaEvent<Box<RawValue>>,
) -> Result<Handled, HandleError> {
    let body = event.payload.get().as_bytes();
    let outcome = handler.handle_without_verification(body).await;
    if let Err(error) = &outcome {
        error.log(body);
    }
    outcome
}

/// Runs the Lambda function: polls Lambda's runtime API (the environment Lambda sets) and
/// [`handle`]s each invocation, until the function is shut down.
pub async fn run<C: EventCatalog>(handler: Handler<C>) -> Result<(), Error> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let handler = handler.clone();
        async move {
            handle(&handler, event)
                .await
                .map(|_| ())
                .map_err(|error| Diagnostic {
                    // `stripe_notify::payload`, `stripe_notify::callback`: what Lambda's logs and
                    // metrics group failures by.
                    error_type: format!("stripe_notify::{}", error.category()),
                    error_message: error.to_string(),
                })
        }
    }))
    .await
}

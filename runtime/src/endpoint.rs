//! The webhook endpoint for axum: read the raw body (bounded) and the `Stripe-Signature`
//! header, call the handler, and answer as Stripe expects.
//!
//! | outcome | status | body |
//! |---|---|---|
//! | handled (callback or fallback), skipped by `pre_handle`, or already processed | 200 | `{"received": true}` |
//! | signature missing, malformed or not matching | 400 | `{"error": {"category": "signature", ...}}` |
//! | timestamp outside tolerance | 400 | `{"error": {"category": "timestamp", ...}}` |
//! | body not a thin event | 400 | `{"error": {"category": "payload", ...}}` |
//! | body over the limit | 413 | |
//! | body not received within the timeout (a slow sender) | 408 | |
//! | body broken off by the sender | 400 | `{"error": {"category": "payload", ...}}` |
//! | callback or `pre_handle` failed | 500 | `{"error": {"category": "callback", ...}}`, so that Stripe retries |
//! | the event is being processed by another delivery (with a ledger) | 409 | `{"error": {"category": "in_progress", ...}}` |
//! | the ledger failed | 500 | `{"error": {"category": "ledger", ...}}` |

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use crate::catalog::EventCatalog;
use crate::error::HandleError;
use crate::handler::Handler;
use crate::outcome::Handled;

/// Default limit of a webhook body: thin events are small (about 500 bytes).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The answer to a handled notification.
const RECEIVED: &str = r#"{"received":true}"#;

/// The header Stripe signs with; a ready name spares each request parsing a string into one.
pub const STRIPE_SIGNATURE: HeaderName = HeaderName::from_static("stripe-signature");

/// Default time allowed to receive a request's body: a slow sender cannot hold a connection and
/// a task longer than this.
pub const DEFAULT_RECEIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook endpoint over a handler; turn it into axum routes with [`Self::verified`] and
/// [`Self::unverified`]. Serve them on a Tokio runtime with timers enabled (`#[tokio::main]`
/// enables them), which the timeout needs.
#[derive(Debug)]
pub struct WebhookEndpoint<C: EventCatalog> {
    handler: Handler<C>,
    body_limit: usize,
    timeout: Duration,
}

// By hand: a derive would ask the catalog type to be `Clone` too.
impl<C: EventCatalog> Clone for WebhookEndpoint<C> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            body_limit: self.body_limit,
            timeout: self.timeout,
        }
    }
}

impl<C: EventCatalog> WebhookEndpoint<C> {
    /// An endpoint with the default body limit (1 MiB) and timeout (10 s).
    pub fn new(handler: Handler<C>) -> Self {
        Self {
            handler,
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: DEFAULT_RECEIVE_TIMEOUT,
        }
    }

    /// Sets the time allowed to receive a request's body (408 beyond; default 10 s). The
    /// callbacks' own time is not bounded: cancelling one halfway would leave its work, and a
    /// ledger's claim, in an unknown state.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest body accepted; larger ones get 413 before anything is parsed.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// `POST` route for Stripe's webhooks: verifies `Stripe-Signature`, then handles.
    pub fn verified<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        post(verified::<C>).with_state(self)
    }

    /// `POST` route for pre-authenticated channels (EventBridge, Event Grid): no signature.
    /// Mount it only where the channel itself authenticates the sender.
    pub fn unverified<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        post(unverified::<C>).with_state(self)
    }

    /// The whole body, or the answer refusing it: 413 over the limit, 408 when it does not
    /// arrive in time, 400 when the sender broke off.
    ///
    /// Read here rather than through axum's `DefaultBodyLimit` and tower-http's `TimeoutLayer`:
    /// those layers cost the endpoint a tenth of its throughput (a boxed service per layer, and
    /// a timer armed before the first poll), where `tokio::time::timeout` arms its timer only if
    /// the body is not already there.
    async fn receive(&self, body: Body) -> Result<Bytes, Response> {
        match tokio::time::timeout(self.timeout, Limited::new(body, self.body_limit).collect()).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(error)) if error.is::<LengthLimitError>() => {
                Err(StatusCode::PAYLOAD_TOO_LARGE.into_response())
            }
            Ok(Err(_)) => Err(HandleError::Payload(crate::PayloadError::invalid(
                "the request body could not be read",
            ))
            .into_response()),
            Err(_) => Err(StatusCode::REQUEST_TIMEOUT.into_response()),
        }
    }
}

async fn verified<C: EventCatalog>(State(endpoint): State<WebhookEndpoint<C>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match endpoint.receive(body).await {
        Ok(body) => respond(
            endpoint
                .handler
                .handle(&body, parts.headers.get(STRIPE_SIGNATURE))
                .await,
        ),
        Err(refusal) => refusal,
    }
}

async fn unverified<C: EventCatalog>(
    State(endpoint): State<WebhookEndpoint<C>>,
    request: Request,
) -> Response {
    match endpoint.receive(request.into_body()).await {
        Ok(body) => respond(endpoint.handler.handle_without_verification(&body).await),
        Err(refusal) => refusal,
    }
}

/// The HTTP answer for an outcome of `handle`.
fn respond(outcome: Result<Handled, HandleError>) -> Response {
    match outcome {
        // A constant body: no JSON value built per request on the hot path.
        Ok(_) => {
            let mut response = Response::new(Body::from(RECEIVED));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(error) => {
            if error.status().is_server_error() {
                // The application's business, not the sender's: logged only.
                tracing::error!(%error, "a Stripe notification could not be processed");
            } else {
                tracing::warn!(%error, category = error.category(), "rejected a Stripe notification");
            }
            error.into_response()
        }
    }
}

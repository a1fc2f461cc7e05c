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
//! | request not received within the timeout (a slow sender) | 408 | |
//! | callback or `pre_handle` failed | 500 | `{"error": {"category": "callback", ...}}`, so that Stripe retries |
//! | the event is being processed by another delivery (with a ledger) | 409 | `{"error": {"category": "in_progress", ...}}` |
//! | the ledger failed | 500 | `{"error": {"category": "ledger", ...}}` |

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use serde_json::json;
use tower_http::timeout::TimeoutLayer;

use crate::catalog::EventCatalog;
use crate::dispatch::{Handled, Handler};
use crate::error::{HandleError, SignatureError};

/// Default limit of a webhook body: thin events are small (about 500 bytes).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The answer to a handled notification.
const RECEIVED: &str = r#"{"received":true}"#;

/// Default time allowed to receive a request and answer it: a slow sender cannot hold a
/// connection and a task longer than this.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook endpoint over a handler; turn it into axum routes with [`Self::verified`] and
/// [`Self::unverified`].
#[derive(Debug, Clone)]
pub struct WebhookEndpoint<C: EventCatalog> {
    handler: Handler<C>,
    body_limit: usize,
    timeout: Duration,
}

impl<C: EventCatalog> WebhookEndpoint<C> {
    /// An endpoint with the default body limit (1 MiB).
    pub fn new(handler: Handler<C>) -> Self {
        Self {
            handler,
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Sets the time allowed to receive a request and answer it (408 beyond; default 10 s).
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
        self.route(post(verified::<C>))
    }

    /// `POST` route for pre-authenticated channels (EventBridge, Event Grid): no signature.
    /// Mount it only where the channel itself authenticates the sender.
    pub fn unverified<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        self.route(post(unverified::<C>))
    }

    /// The route with the handler as state, the body limit and the timeout.
    fn route<S: Clone + Send + Sync + 'static>(self, route: MethodRouter<Handler<C>>) -> MethodRouter<S> {
        route
            .with_state::<S>(self.handler)
            .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(self.body_limit))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                self.timeout,
            ))
    }
}

async fn verified<C: EventCatalog>(
    State(handler): State<Handler<C>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers.get("stripe-signature");
    respond(handler.handle(&body, signature).await)
}

async fn unverified<C: EventCatalog>(State(handler): State<Handler<C>>, body: Bytes) -> Response {
    respond(handler.handle_without_verification(&body).await)
}

/// The HTTP answer for an outcome of `handle`.
pub fn respond(outcome: Result<Handled, HandleError>) -> Response {
    let error = match outcome {
        // A constant body: no JSON value built per request on the hot path.
        Ok(_) => {
            return (
                [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                RECEIVED,
            )
                .into_response();
        }
        Err(error) => error,
    };
    let (status, category) = match &error {
        HandleError::Signature(SignatureError::OutsideTolerance { .. }) => {
            (StatusCode::BAD_REQUEST, "timestamp")
        }
        HandleError::Signature(_) => (StatusCode::BAD_REQUEST, "signature"),
        HandleError::Payload(_) => (StatusCode::BAD_REQUEST, "payload"),
        HandleError::PreHandle(_) | HandleError::Callback(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "callback")
        }
        HandleError::InProgress => (StatusCode::CONFLICT, "in_progress"),
        HandleError::Ledger(_) => (StatusCode::INTERNAL_SERVER_ERROR, "ledger"),
    };
    let message = if status.is_server_error() {
        // Callback and ledger failures are the application's business, not the sender's: logged only.
        tracing::error!(%error, "a Stripe notification callback failed");
        "the notification could not be processed; it will be retried".to_owned()
    } else {
        tracing::warn!(%error, category, "rejected a Stripe notification");
        error.to_string()
    };
    (
        status,
        Json(json!({"error": {"category": category, "message": message}})),
    )
        .into_response()
}

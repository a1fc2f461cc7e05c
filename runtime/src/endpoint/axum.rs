//! The endpoint as axum routes: a thin layer over [`WebhookEndpoint::serve`].

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use bytes::Bytes;
use http_body_util::Full;

use super::{Answer, WebhookEndpoint};
use crate::catalog::EventCatalog;
use crate::error::HandleError;

/// The answer to Stripe for a handling error, as the endpoint gives it: its
/// [`status`](HandleError::status) and `{"error": {"category": ..., "message": ...}}`.
impl IntoResponse for HandleError {
    fn into_response(self) -> Response {
        http::Response::<Full<Bytes>>::from(Answer::error(&self)).map(Body::new)
    }
}

impl<C: EventCatalog> WebhookEndpoint<C> {
    /// `POST` route for Stripe's webhooks: verifies `Stripe-Signature`, then handles.
    pub fn verified<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        post(verified::<C>).with_state(self)
    }

    /// `POST` route for pre-authenticated channels (EventBridge, Event Grid): no signature.
    /// Mount it only where the channel itself authenticates the sender.
    pub fn unverified<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        post(unverified::<C>).with_state(self)
    }
}

async fn verified<C: EventCatalog>(State(endpoint): State<WebhookEndpoint<C>>, request: Request) -> Response {
    endpoint.serve(request).await.map(Body::new)
}

async fn unverified<C: EventCatalog>(
    State(endpoint): State<WebhookEndpoint<C>>,
    request: Request,
) -> Response {
    endpoint.serve_unverified(request).await.map(Body::new)
}

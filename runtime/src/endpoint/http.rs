//! The endpoint on the `http` crate's types: a request with any body in, the response out. What
//! hyper, tower, axum and Lambda servers are built on.

use bytes::Bytes;
use http_body::Body;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};

use super::{Answer, Refusal, Verification, WebhookEndpoint};
use crate::catalog::EventCatalog;

/// The header Stripe signs with; a ready name spares each request parsing a string into one.
pub const STRIPE_SIGNATURE: http::HeaderName = http::HeaderName::from_static(super::STRIPE_SIGNATURE_HEADER);

impl<C: EventCatalog> WebhookEndpoint<C> {
    /// Answers a webhook request: reads its body (bounded), verifies its `Stripe-Signature`,
    /// handles the notification, and answers as the module's table says.
    pub async fn serve<B>(&self, request: http::Request<B>) -> http::Response<Full<Bytes>>
    where
        B: Body,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let (parts, body) = request.into_parts();
        let signature = parts
            .headers
            .get(STRIPE_SIGNATURE)
            .map(http::HeaderValue::as_bytes);
        self.answer(body, Verification::Signature(signature)).await
    }

    /// Answers a request from an authenticated channel (EventBridge, Event Grid): no
    /// signature. Only where the channel itself authenticates the sender.
    pub async fn serve_unverified<B>(&self, request: http::Request<B>) -> http::Response<Full<Bytes>>
    where
        B: Body,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        self.answer(request.into_body(), Verification::None).await
    }

    async fn answer<B>(&self, body: B, verification: Verification<'_>) -> http::Response<Full<Bytes>>
    where
        B: Body,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        self.receive_and_process(body, verification).await.into()
    }

    /// The answer to a request whose body is `body`: received (bounded), then processed. What
    /// every framework's layer calls.
    pub(crate) async fn receive_and_process<B>(&self, body: B, verification: Verification<'_>) -> Answer
    where
        B: Body,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        match self.receive(body).await {
            Ok(body) => self.process(&body, verification).await,
            Err(refusal) => Answer::refused(refusal),
        }
    }

    /// The whole body, or why not: over the limit, not there in time, broken off.
    ///
    /// Read here rather than through axum's `DefaultBodyLimit` and tower-http's `TimeoutLayer`:
    /// those layers cost the endpoint a tenth of its throughput (a boxed service per layer, and
    /// a timer armed before the first poll), where `tokio::time::timeout` arms its timer only if
    /// the body is not already there.
    async fn receive<B>(&self, body: B) -> Result<Bytes, Refusal>
    where
        B: Body,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        match tokio::time::timeout(self.timeout, Limited::new(body, self.body_limit).collect()).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(error)) if error.is::<LengthLimitError>() => Err(Refusal::TooLarge),
            Ok(Err(_)) => Err(Refusal::BrokenOff),
            Err(_) => Err(Refusal::TooSlow),
        }
    }
}

impl From<Answer> for http::Response<Full<Bytes>> {
    fn from(answer: Answer) -> Self {
        let status =
            http::StatusCode::from_u16(answer.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = match answer.body_bytes() {
            Some(body) => {
                let mut response = http::Response::new(Full::new(body));
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                response
            }
            None => http::Response::new(Full::new(Bytes::new())),
        };
        *response.status_mut() = status;
        response
    }
}

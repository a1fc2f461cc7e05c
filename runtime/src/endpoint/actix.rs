//! The endpoint as actix-web routes: a thin layer over the answers the endpoint decides once
//! (the same body limit, timeout, status codes and JSON bodies as every other framework's).
//!
//! ```no_run
//! # use stripe_notify_runtime::{catalog::EventCatalog, endpoint::WebhookEndpoint};
//! # async fn serve<C: EventCatalog>(endpoint: WebhookEndpoint<C>) -> std::io::Result<()> {
//! use actix_web::{App, HttpServer};
//! HttpServer::new(move || App::new().route("/webhook", endpoint.clone().actix_verified()))
//!     .bind(("127.0.0.1", 4242))?
//!     .run()
//!     .await
//! # }
//! ```

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, Route, web};
use futures_util::StreamExt as _;
use http_body::Frame;
use http_body_util::StreamBody;

use super::{Answer, STRIPE_SIGNATURE_HEADER, Verification, WebhookEndpoint};
use crate::catalog::EventCatalog;

impl<C: EventCatalog> WebhookEndpoint<C> {
    /// `POST` route for Stripe's webhooks on actix-web: verifies `Stripe-Signature`, then
    /// handles (or stores, with an inbox).
    pub fn actix_verified(self) -> Route {
        web::post().to(move |request: HttpRequest, payload: web::Payload| {
            let endpoint = self.clone();
            async move {
                let signature = request
                    .headers()
                    .get(STRIPE_SIGNATURE_HEADER)
                    .map(HeaderValue::as_bytes);
                endpoint
                    .actix_answer(payload, Verification::Signature(signature))
                    .await
            }
        })
    }

    /// `POST` route for pre-authenticated channels (EventBridge, Event Grid) on actix-web: no
    /// signature. Mount it only where the channel itself authenticates the sender.
    pub fn actix_unverified(self) -> Route {
        web::post().to(move |payload: web::Payload| {
            let endpoint = self.clone();
            async move { endpoint.actix_answer(payload, Verification::None).await }
        })
    }

    async fn actix_answer(&self, payload: web::Payload, verification: Verification<'_>) -> HttpResponse {
        // actix's body stream, read as any other body: one reading of the limit and timeout.
        let body = StreamBody::new(payload.map(|chunk| chunk.map(Frame::data)));
        response(self.receive_and_process(body, verification).await)
    }
}

fn response(answer: Answer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    match answer.body_bytes() {
        Some(body) => response.content_type("application/json").body(body),
        None => response.finish(),
    }
}

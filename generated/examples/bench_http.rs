//! The HTTP benchmark's server: `POST /bare` only reads the `Stripe-Signature` header and the
//! body (the ceiling of any axum endpoint), `POST /floor` does the floor's work on them (the
//! ceiling of any verifying endpoint: see `benches/floor.rs`), `POST /webhook` is the real
//! endpoint with a no-op callback. Listens on `127.0.0.1:$PORT` (default 4243). Driven by
//! `bench/http.sh`.

#[path = "../benches/floor.rs"]
mod floor;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use stripe_notify::endpoint::WebhookEndpoint;
use stripe_notify::{EventNotificationHandler, StripeClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let port: u16 = std::env::var("PORT").map_or(Ok(4243), |p| p.parse())?;
    let secret = std::env::var("STRIPE_WEBHOOK_SECRET").unwrap_or_else(|_| "whsec_test_secret".to_owned());
    let floor = Arc::new(floor::Floor::new(&secret));
    let handler =
        EventNotificationHandler::builder(StripeClient::new("sk_test_bench"), secret, |_, _, _| async {
            Ok(())
        })?
        .on_v1_billing_meter_error_report_triggered(|_, _| std::future::ready(Ok(())))?
        .build();
    let app = Router::new()
        .route(
            "/bare",
            post(|headers: HeaderMap, body: Bytes| async move {
                let signed = headers.get("stripe-signature").is_some();
                if signed && !body.is_empty() {
                    "{\"received\":true}"
                } else {
                    "{}"
                }
            }),
        )
        .route(
            "/floor",
            post(move |headers: HeaderMap, body: Bytes| async move {
                let signature = headers.get("stripe-signature").and_then(|h| h.to_str().ok());
                if floor.run(&body, signature.unwrap_or_default()) {
                    "{\"received\":true}"
                } else {
                    "{}"
                }
            }),
        )
        .route("/webhook", WebhookEndpoint::new(handler).verified());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

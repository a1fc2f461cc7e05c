//! The HTTP benchmark's server: `POST /bare` only reads the `Stripe-Signature` header and the
//! body (the ceiling of any axum endpoint), `POST /floor` does the floor's work on them (the
//! ceiling of any verifying endpoint: see `benches/floor.rs`), `POST /webhook` is the real
//! endpoint with a no-op callback; with `STRIPE_INBOX` set (`sqlite:<path>`, `postgres://...`),
//! `POST /inbox` is the endpoint storing each notification in that inbox (no workers: the
//! answer's cost alone). Listens on `127.0.0.1:$PORT` (default 4243); with the feature
//! `actix-web`, the same endpoint on actix-web listens on `127.0.0.1:$ACTIX_PORT` (default 4253),
//! `POST /webhook`. Driven by `bench/http.sh` and `bench/inbox.sh`.

#[path = "../benches/floor.rs"]
mod floor;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::post;
use stripe_notify::endpoint::{DEFAULT_BODY_LIMIT, STRIPE_SIGNATURE, WebhookEndpoint};
use stripe_notify::{EventNotificationHandler, RegisterCallbacks, StripeClient};

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
    let mut app = Router::new()
        .route(
            "/bare",
            post(|request: Request| async move {
                answer(read(request).await.is_some_and(|(parts, body)| {
                    parts.headers.contains_key(STRIPE_SIGNATURE) && !body.is_empty()
                }))
            }),
        )
        .route(
            "/floor",
            post(move |request: Request| async move {
                answer(read(request).await.is_some_and(|(parts, body)| {
                    let signature = parts.headers.get(STRIPE_SIGNATURE).and_then(|h| h.to_str().ok());
                    floor.run(&body, signature.unwrap_or_default())
                }))
            }),
        )
        .route("/webhook", WebhookEndpoint::new(handler.clone()).verified());
    if let Ok(inbox) = std::env::var("STRIPE_INBOX") {
        let inbox = stripe_notify::inbox::open(&inbox).await?;
        app = app.route(
            "/inbox",
            WebhookEndpoint::new(handler.clone()).inbox(inbox).verified(),
        );
    }
    #[cfg(feature = "actix-web")]
    {
        let port: u16 = std::env::var("ACTIX_PORT").map_or(Ok(4253), |p| p.parse())?;
        let endpoint = WebhookEndpoint::new(handler);
        let actix = actix_web::HttpServer::new(move || {
            actix_web::App::new().route("/webhook", endpoint.clone().actix_verified())
        })
        .disable_signals()
        .bind(("127.0.0.1", port))?
        .run();
        tokio::spawn(actix);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// The request's head and whole body, read as the endpoint reads them (no copy of the header
/// map, the same body limit), so that the routes differ only in the work done on them.
async fn read(request: Request) -> Option<(Parts, Bytes)> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, DEFAULT_BODY_LIMIT).await.ok()?;
    Some((parts, body))
}

/// The endpoint's answer when `ok`, else 400: `bench/http.sh` refuses a run with any non-2xx
/// answer, so a route that fails cannot pass for a fast one.
fn answer(ok: bool) -> (StatusCode, &'static str) {
    if ok {
        (StatusCode::OK, r#"{"received":true}"#)
    } else {
        (StatusCode::BAD_REQUEST, "{}")
    }
}

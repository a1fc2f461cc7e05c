//! The webhook server on actix-web: `cargo run -p stripe-notify --features actix-web --example
//! webhook_server_actix`.
//!
//! The same server as `webhook_server` (axum): the same environment variables (`PORT`,
//! `STRIPE_WEBHOOK_SECRET`, `STRIPE_API_KEY`, `STRIPE_API_BASE`, `STRIPE_INBOX`,
//! `STRIPE_INBOX_WORKERS`, `STRIPE_INBOX_LEASE_MS`, `STRIPE_DEMO_FAIL_FIRST`,
//! `STRIPE_DEMO_CALLBACK_MS`), the same routes (`POST /webhook`,
//! `POST /webhook/unverified`), answers and output lines; stops cleanly on Ctrl-C or SIGTERM.

mod common;

use actix_web::{App, HttpServer};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // actix-web's runtime: Tokio underneath, so the inbox's workers and the signals run on it.
    actix_web::rt::System::new().block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let server = common::Server::from_env().await?;
    if server.admin_token.is_some() {
        return Err(
            "the inbox page is an axum Router: serve it from the axum example (webhook_server)".into(),
        );
    }
    let stop = common::stop_signal();
    let workers = server.spawn_workers(&stop);

    let (verified, unverified) = server.endpoints();
    let metrics = server.metrics.clone();
    let http = HttpServer::new(move || {
        let app = App::new()
            .route("/webhook", verified.clone().actix_verified())
            .route("/webhook/unverified", unverified.clone().actix_unverified());
        match metrics.clone() {
            Some(render) => app.route(
                "/metrics",
                actix_web::web::get().to(move || std::future::ready(render())),
            ),
            None => app,
        }
    })
    // The same stop signal as the workers': running requests finish, then the server stops.
    .disable_signals()
    .bind(("127.0.0.1", server.port))?;
    let address = http.addrs().first().copied().ok_or("no address bound")?;
    common::say(&format!("listening on http://{address}/webhook"));
    let http = http.run();
    let handle = http.handle();
    let stopping = stop();
    actix_web::rt::spawn(async move {
        stopping.await;
        handle.stop(true).await;
    });
    http.await?;
    workers.await?;
    common::say("stopped");
    Ok(())
}

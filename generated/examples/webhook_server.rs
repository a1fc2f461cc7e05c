//! A webhook server: `cargo run -p stripe-notify --example webhook_server`.
//!
//! Listens on `127.0.0.1:$PORT` (default 4242; `PORT=0` picks a free port), `POST /webhook`.
//! `STRIPE_WEBHOOK_SECRET` is the endpoint's secret (a fixed demo secret when unset);
//! with `STRIPE_API_KEY` set, the callback fetches the event and its related object (from
//! `STRIPE_API_BASE` when set). `STRIPE_INBOX=memory|sqlite:<path>|postgres:<url>` stores each
//! event and answers at once, `STRIPE_INBOX_WORKERS` workers (default 4) running the callbacks,
//! each event once, under leases of `STRIPE_INBOX_LEASE_MS` (default 30,000);
//! `STRIPE_DEMO_FAIL_FIRST=1` fails each callback's first attempt, so that a retry shows;
//! `STRIPE_DEMO_CALLBACK_MS` makes each callback take that long. `STRIPE_METRICS=1` serves
//! `GET /metrics` (feature `metrics`); `STRIPE_INBOX_ADMIN_TOKEN=<token>` serves the inbox page at
//! `/inbox` (feature `inbox-admin`), opened by that token. Stops cleanly on Ctrl-C or SIGTERM: running callbacks finish.

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let server = common::Server::from_env().await?;
    let stop = common::stop_signal();
    let workers = server.spawn_workers(&stop);

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", server.port)).await?;
    common::say(&format!("listening on http://{}/webhook", listener.local_addr()?));
    let app = common::app(server.endpoints()).merge(server.operator_routes()?);
    axum::serve(listener, app).with_graceful_shutdown(stop()).await?;
    workers.await?;
    common::say("stopped");
    Ok(())
}

//! A webhook server: `cargo run -p stripe-notify --example webhook_server`.
//!
//! Listens on `127.0.0.1:$PORT` (default 4242; `PORT=0` picks a free port), `POST /webhook`.
//! `STRIPE_WEBHOOK_SECRET` is the endpoint's secret (a fixed demo secret when unset);
//! with `STRIPE_API_KEY` set, the callback fetches the event and its related object (from
//! `STRIPE_API_BASE` when set). `STRIPE_LEDGER=memory|sqlite:<path>|postgres:<url>` processes
//! each event once (a redelivery is acknowledged without running the callback). Stops cleanly on
//! Ctrl-C or SIGTERM.

mod common;

use stripe_notify::StripeClient;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {port:?}"))?,
        Err(_) => 4242,
    };
    let secret = std::env::var("STRIPE_WEBHOOK_SECRET").unwrap_or_else(|_| {
        common::say(&format!(
            "STRIPE_WEBHOOK_SECRET is unset: using the demo secret {}",
            common::DEMO_SECRET
        ));
        common::DEMO_SECRET.to_owned()
    });
    let api_key = std::env::var("STRIPE_API_KEY").ok();
    let mut client = StripeClient::builder(api_key.clone().unwrap_or_default());
    if let Ok(base) = std::env::var("STRIPE_API_BASE") {
        client = client.api_base(base);
    }
    let ledger = common::ledger_from_env().await?;
    let report = std::sync::Arc::new(common::say);
    let handler = common::handler(client.build()?, &secret, api_key.is_some(), ledger, report)?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    common::say(&format!("listening on http://{}/webhook", listener.local_addr()?));
    axum::serve(listener, common::app(handler))
        .with_graceful_shutdown(shutdown())
        .await?;
    common::say("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

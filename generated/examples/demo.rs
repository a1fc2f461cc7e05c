//! The demo: `cargo run -p stripe-notify --example demo`.
//!
//! Starts the example webhook server in this process on a free port, sends it over real HTTP a
//! signed sample of every known event type in each style it arrives in (thin notifications, and
//! classic snapshot events around Stripe's fixture of their object when `spec/fixtures3.json` is
//! there), one of an unknown type, one with a forged signature and one with a stale timestamp,
//! and prints what happened to each. `v1.invoice.paid` shows one callback serving both styles.

mod common;

use std::sync::{Arc, Mutex};

use stripe_notify::{Catalog, EventCatalog, RelatedInfo, StripeClient, sample, sign, unix_now};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let reports: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&reports);
    let handler = common::handler(
        StripeClient::new("sk_test_demo"),
        common::DEMO_SECRET,
        common::Behaviour::default(),
        Arc::new(move |line: &str| {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line.to_owned())
        }),
    )?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhook", listener.local_addr()?);
    let server =
        tokio::spawn(
            async move { axum::serve(listener, common::app(common::endpoints(handler, None))).await },
        );

    let now = unix_now();
    let fixtures: serde_json::Value =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/fixtures3.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
    let mut cases: Vec<(String, Vec<u8>, String)> = Vec::new();
    for info in Catalog::EVENTS {
        let mut push = |label: String, body: Vec<u8>| {
            let header = sign(&body, common::DEMO_SECRET, now);
            cases.push((label, body, header));
        };
        if info.thin {
            push(
                info.event_type.to_owned(),
                sample::notification(info, None).into_bytes(),
            );
        }
        if let Some(snapshot) = info.snapshot {
            let object = snapshot
                .object_types
                .iter()
                .find_map(|object_type| fixtures["resources"].get(object_type))
                .map(serde_json::Value::to_string);
            let body = sample::snapshot_event(info, object.as_deref(), None, stripe_notify::API_VERSION)
                .unwrap_or_default();
            push(format!("{} (snapshot)", snapshot.event_type), body.into_bytes());
        }
    }
    let unknown =
        sample::notification_of_type("v3.brand_new.event_happened", &RelatedInfo::None, None).into_bytes();
    let header = sign(&unknown, common::DEMO_SECRET, now);
    cases.push(("v3.brand_new.event_happened (unknown)".into(), unknown, header));
    let meter =
        Catalog::info("v1.billing.meter.error_report_triggered").ok_or("the meter event type is known")?;
    let forged = sample::notification(meter, None).into_bytes();
    let header = sign(&forged, "whsec_not_the_secret", now);
    cases.push(("forged signature".into(), forged, header));
    let stale = sample::notification(meter, None).into_bytes();
    let header = sign(&stale, common::DEMO_SECRET, now - 3600);
    cases.push(("timestamp an hour old".into(), stale, header));

    let http = reqwest::Client::new();
    println!("{:<72} {:>6}  outcome", "sent", "status");
    let mut ok = 0;
    for (label, body, header) in &cases {
        let id = serde_json::from_slice::<serde_json::Value>(body)?["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let response = http
            .post(&url)
            .header("stripe-signature", header)
            .body(body.clone())
            .send()
            .await?;
        let status = response.status().as_u16();
        let answer: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
        let outcome = match answer["error"]["category"].as_str() {
            Some(category) => format!("rejected ({category})"),
            None => {
                ok += 1;
                let reports = reports.lock().unwrap_or_else(|e| e.into_inner());
                let line = reports
                    .iter()
                    .find(|line| line.contains(&id) && line.starts_with("handled "))
                    .cloned()
                    .unwrap_or_default();
                line.rsplit(" by ").next().unwrap_or("?").to_owned()
            }
        };
        println!("{label:<72} {status:>6}  {outcome}");
    }
    let rejected = cases.len().saturating_sub(ok);
    let reports = reports.lock().unwrap_or_else(|e| e.into_inner());
    for line in reports.iter().filter(|line| line.starts_with("snapshot ")) {
        println!("{line}");
    }
    println!("\n{ok} notifications handled, {rejected} rejected (the forged one and the stale one must be).");
    server.abort();
    Ok(())
}

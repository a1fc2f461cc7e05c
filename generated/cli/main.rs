//! `stripe-notify`: list the known event types, print samples, sign bodies, and send signed
//! test events to a webhook endpoint, all offline (no Stripe account, no Stripe CLI); operate
//! an inbox.

mod inbox;

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stripe_notify::{Catalog, EventCatalog, EventInfo, StripeContext, sample, sign, unix_now};

#[derive(Parser)]
#[command(
    name = "stripe-notify",
    version,
    about = "Sign and send Stripe thin event notifications for testing; operate an inbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every known event type, one a line.
    List,
    /// A realistic thin notification for an event type (fresh ids each call).
    Sample {
        /// The event type, `v1.billing.meter.error_report_triggered`.
        event_type: String,
        /// The account context, `acct_1/acct_2`.
        #[arg(long)]
        context: Option<String>,
    },
    /// The `Stripe-Signature` header value for the body read from standard input.
    Sign {
        /// The webhook secret (`whsec_...`).
        #[arg(long)]
        secret: String,
        /// Unix seconds to sign at (default: now).
        #[arg(long)]
        timestamp: Option<i64>,
    },
    /// Signs a sample of an event type and POSTs it, printing each response.
    Send {
        /// The event type.
        event_type: String,
        /// The webhook endpoint, `http://127.0.0.1:4242/webhook`.
        #[arg(long)]
        url: String,
        /// The webhook secret (`whsec_...`).
        #[arg(long)]
        secret: String,
        /// The account context, `acct_1/acct_2`.
        #[arg(long)]
        context: Option<String>,
        /// How many events to send (each with fresh ids).
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Deliver each event twice, as Stripe may (the second must not run the callback again).
        #[arg(long)]
        duplicate: bool,
    },
    /// Operates an inbox: counts, lists, retries, purges.
    Inbox {
        /// The inbox's database: `sqlite:<path>` or `postgres://...`.
        #[arg(long)]
        database: String,
        #[command(subcommand)]
        command: inbox::InboxCommand,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::List => {
            for info in Catalog::EVENTS {
                println!("{}", info.event_type);
            }
            Ok(())
        }
        Command::Sample { event_type, context } => {
            println!(
                "{}",
                sample::notification(known(&event_type)?, parse_context(context.as_deref()).as_ref())
            );
            Ok(())
        }
        Command::Sign { secret, timestamp } => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            println!("{}", sign(&body, &secret, timestamp.unwrap_or_else(unix_now)));
            Ok(())
        }
        Command::Send {
            event_type,
            url,
            secret,
            context,
            count,
            duplicate,
        } => {
            let deliveries = if duplicate { 2 } else { 1 };
            let context = parse_context(context.as_deref());
            send(
                known(&event_type)?,
                &url,
                &secret,
                context.as_ref(),
                count,
                deliveries,
            )
        }
        Command::Inbox { database, command } => inbox::run(&database, command),
    }
}

fn known(event_type: &str) -> Result<&'static EventInfo, String> {
    Catalog::info(event_type).ok_or_else(|| {
        format!("unknown event type {event_type:?} (`stripe-notify list` shows the known ones)")
    })
}

fn parse_context(context: Option<&str>) -> Option<StripeContext> {
    context.and_then(StripeContext::parse)
}

fn send(
    info: &EventInfo,
    url: &str,
    secret: &str,
    context: Option<&StripeContext>,
    count: u32,
    deliveries: u32,
) -> Result<(), String> {
    let target = reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| format!("{url:?} is not an http(s) URL"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let http = reqwest::Client::new();
    let mut failures = 0u32;
    for _ in 0..count {
        let body = sample::notification(info, context);
        for _ in 0..deliveries {
            let header = sign(body.as_bytes(), secret, unix_now());
            let (status, answer) = runtime.block_on(async {
                let response = http
                    .post(target.clone())
                    .header("content-type", "application/json")
                    .header("stripe-signature", header)
                    .body(body.clone())
                    .send()
                    .await
                    .map_err(|e| format!("cannot send to {url}: {e}"))?;
                let status = response.status();
                Ok::<_, String>((status, response.text().await.unwrap_or_default()))
            })?;
            println!("{} {}", status.as_u16(), answer.trim());
            if !status.is_success() {
                failures = failures.saturating_add(1);
            }
        }
    }
    if failures > 0 {
        let total = count.saturating_mul(deliveries);
        return Err(format!("{failures} of {total} requests were not answered 2xx"));
    }
    Ok(())
}

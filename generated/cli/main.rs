//! `stripe-notify`: list the known event types and the styles they arrive in, print samples of
//! either style, sign bodies, and send signed test events to a webhook endpoint, all offline (no
//! Stripe account, no Stripe CLI); operate an inbox; recover missed events into it.

mod inbox;
mod recover;

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stripe_notify::{Catalog, EventCatalog, EventInfo, StripeContext, sample, sign, unix_now};

#[derive(Parser)]
#[command(
    name = "stripe-notify",
    version,
    about = "Sign and send Stripe event notifications (thin or snapshot) for testing; operate an inbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every known event type, one a line: the type, a tab, the styles it arrives in (`thin`,
    /// `snapshot` or both), and for a snapshot a tab and its classic type.
    List,
    /// A realistic notification for an event type (fresh ids each call): thin, or with
    /// `--snapshot` a classic snapshot event around Stripe's fixture of the object.
    Sample {
        /// The event type, `v1.billing.meter.error_report_triggered` (or, with `--snapshot`, the
        /// classic type, `invoice.paid`).
        event_type: String,
        /// The account context, `acct_1/acct_2` (with `--snapshot`, the `account`).
        #[arg(long)]
        context: Option<String>,
        #[command(flatten)]
        snapshot: SnapshotArgs,
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
        #[command(flatten)]
        snapshot: SnapshotArgs,
    },
    /// Lists the events of a window from Stripe (both styles) and stores those the inbox lacks,
    /// for its workers; the key comes from `STRIPE_API_KEY`. Exits non-zero when an event failed.
    Recover(recover::RecoverArgs),
    /// Operates an inbox: counts, lists, retries, purges.
    Inbox {
        /// The inbox's database: `sqlite:<path>` or `postgres://...`.
        #[arg(long)]
        database: String,
        #[command(subcommand)]
        command: inbox::InboxCommand,
    },
}

/// The payload style of `sample` and `send`.
#[derive(clap::Args)]
struct SnapshotArgs {
    /// A classic snapshot event (`"object": "event"`) rather than a thin notification.
    #[arg(long)]
    snapshot: bool,
    /// Stripe's resource fixtures, for the snapshot's object (`fixtures3.json`; without one, a
    /// minimal object of the type).
    #[arg(long, default_value = "spec/fixtures3.json")]
    fixtures: std::path::PathBuf,
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
                match info.snapshot {
                    Some(snapshot) => {
                        println!("{}\t{}\t{}", info.event_type, info.styles(), snapshot.event_type)
                    }
                    None => println!("{}\t{}", info.event_type, info.styles()),
                }
            }
            Ok(())
        }
        Command::Sample {
            event_type,
            context,
            snapshot,
        } => {
            let mut samples = Samples::new(&event_type, context.as_deref(), &snapshot)?;
            println!("{}", samples.next());
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
            snapshot,
        } => {
            let deliveries = if duplicate { 2 } else { 1 };
            let samples = Samples::new(&event_type, context.as_deref(), &snapshot)?;
            send(samples, &url, &secret, count, deliveries)
        }
        Command::Inbox { database, command } => inbox::run(&database, command),
        Command::Recover(args) => recover::run(args),
    }
}

/// Samples of one event type in one style, each with fresh ids.
struct Samples {
    info: &'static EventInfo,
    context: Option<StripeContext>,
    /// For snapshot events: the object's JSON (Stripe's fixture), if there is one.
    snapshot: Option<Option<String>>,
}

impl Samples {
    fn new(event_type: &str, context: Option<&str>, style: &SnapshotArgs) -> Result<Self, String> {
        let unknown =
            || format!("unknown event type {event_type:?} (`stripe-notify list` shows the known ones)");
        let info = if style.snapshot {
            // The thin name or the classic one.
            Catalog::info(event_type)
                .or_else(|| {
                    Catalog::snapshot_index_of(event_type).and_then(|index| Catalog::EVENTS.get(index))
                })
                .ok_or_else(unknown)?
        } else {
            match Catalog::info(event_type) {
                Some(info) if !info.thin => {
                    return Err(format!(
                        "{event_type} is sent only as a snapshot event: add --snapshot"
                    ));
                }
                info => info.ok_or_else(unknown)?,
            }
        };
        let snapshot = match (style.snapshot, info.snapshot) {
            (false, _) => None,
            (true, None) => {
                return Err(format!(
                    "{event_type} has no snapshot events (it is sent only thin)"
                ));
            }
            (true, Some(snapshot)) => Some(fixture(&style.fixtures, snapshot.object_types)?),
        };
        Ok(Self {
            info,
            context: context.and_then(StripeContext::parse),
            snapshot,
        })
    }

    fn next(&mut self) -> String {
        match &self.snapshot {
            None => sample::notification(self.info, self.context.as_ref()),
            Some(object) => sample::snapshot_event(
                self.info,
                object.as_deref(),
                self.context.as_ref().map(StripeContext::as_str),
                stripe_notify::API_VERSION,
            )
            .unwrap_or_default(),
        }
    }
}

/// Stripe's fixture of the first of `object_types` it has, from the fixtures file at `path`;
/// `None` when the file is absent or has none of them.
fn fixture(path: &std::path::Path, object_types: &[&str]) -> Result<Option<String>, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let fixtures: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    Ok(object_types
        .iter()
        .find_map(|object_type| fixtures["resources"].get(object_type))
        .map(serde_json::Value::to_string))
}

fn send(mut samples: Samples, url: &str, secret: &str, count: u32, deliveries: u32) -> Result<(), String> {
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
        let body = samples.next();
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

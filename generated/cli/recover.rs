//! `stripe-notify recover`: lists the events of a window from Stripe's list APIs (both styles)
//! and stores those an inbox lacks, for its workers; with `--dry-run`, says what it would store.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use stripe_notify::inbox::{self, Inbox, Listing, MemoryInbox, State};
use stripe_notify::{
    EventNotificationHandler, RecoveryFilter, RecoveryReport, RecoveryStyles, StripeClient, Timestamp,
};

use crate::inbox::parse_age;

/// What to recover, and where to.
#[derive(clap::Args)]
pub struct RecoverArgs {
    /// Events created since: an age (`2h`, `3d`) or an instant (`2026-12-01T00:00:00Z`).
    /// Stripe lists the last 30 days.
    #[arg(long, value_parser = parse_instant)]
    since: Timestamp,
    /// Events created before: an age or an instant (default: now).
    #[arg(long, value_parser = parse_instant)]
    until: Option<Timestamp>,
    /// Which payload styles: thin, snapshot or both.
    #[arg(long, default_value = "both")]
    style: RecoveryStyles,
    /// Snapshot events only those no endpoint has acknowledged (`delivery_success=false`).
    #[arg(long)]
    undelivered: bool,
    /// Only this type (either style's name); repeat for more.
    #[arg(long = "type")]
    types: Vec<String>,
    /// The inbox to store into: `sqlite:<path>` or `postgres://...`.
    #[arg(long, required_unless_present = "dry_run")]
    inbox: Option<String>,
    /// List what would be stored, and store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Another Stripe API, such as a test's fake (default: `STRIPE_API_BASE`, else Stripe's).
    #[arg(long)]
    api_base: Option<String>,
}

/// Runs a recovery; the key comes from `STRIPE_API_KEY`. An error when a page cannot be
/// fetched or an event failed.
pub fn run(args: RecoverArgs) -> Result<(), String> {
    let key = std::env::var("STRIPE_API_KEY")
        .map_err(|_| "set STRIPE_API_KEY to the secret or restricted key to list events with".to_owned())?;
    let mut client = StripeClient::builder(key);
    if let Some(base) = args.api_base.or_else(|| std::env::var("STRIPE_API_BASE").ok()) {
        client = client.api_base(base);
    }
    let client = client.build().map_err(|e| e.to_string())?;
    // Listed events come over the authenticated API: no signature is checked, no secret used.
    let handler =
        EventNotificationHandler::builder(client, "whsec_recovery_checks_no_signature", |_, _, _| async {
            Ok(())
        })
        .map_err(|e| e.to_string())?
        .build();
    let filter = RecoveryFilter {
        created_from: Some(args.since),
        created_before: args.until,
        types: args.types,
        styles: args.style,
        undelivered_only: args.undelivered,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        let target: Box<dyn Inbox> = match (&args.inbox, args.dry_run) {
            (Some(database), false) => Box::new(inbox::open(database).await.map_err(|e| e.to_string())?),
            // A dry run stores into memory: the same verdict and deduplication, nothing kept.
            _ => Box::new(MemoryInbox::new()),
        };
        let progress = Progress::new();
        let started = Instant::now();
        let report = handler
            .recover_into_with_progress(&filter, &*target, &mut |report| progress.page(report))
            .await
            .map_err(|e| format!("listing events failed: {e}"));
        progress.finish();
        let report = report?;
        if args.dry_run {
            let listed = target
                .list(Listing::of(State::Pending).limit(usize::MAX))
                .await
                .map_err(|e| e.to_string())?;
            for event in listed {
                println!("would store\t{}\t{}", event.id, event.event_type);
            }
        }
        summary(&report, started.elapsed(), args.dry_run);
        let failed = report.failed().count();
        if failed > 0 {
            return Err(format!("{failed} events failed"));
        }
        Ok(())
    })
}

/// A progress bar on a terminal; a plain line a page otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            started: Instant::now(),
        }
    }

    fn page(&self, report: &RecoveryReport) {
        let events = report.processed() + report.skipped() + report.failed().count();
        let rate = events as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        let line = format!(
            "{} pages, {events} events ({} new, {} there, {} failed), {rate:.0} events/s",
            report.pages,
            report.processed(),
            report.skipped(),
            report.failed().count()
        );
        match &self.bar {
            Some(bar) => bar.set_message(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The counts per style, and each failed event.
fn summary(report: &RecoveryReport, elapsed: Duration, dry_run: bool) {
    let new = if dry_run { "to store" } else { "stored" };
    println!("{:<9} {new:>9} {:>13} {:>7}", "style", "already there", "failed");
    for (style, counts) in [("thin", &report.thin), ("snapshot", &report.snapshot)] {
        println!(
            "{style:<9} {:>9} {:>13} {:>7}",
            counts.processed,
            counts.skipped,
            counts.failed.len()
        );
    }
    println!(
        "{:<9} {:>9} {:>13} {:>7}",
        "total",
        report.processed(),
        report.skipped(),
        report.failed().count()
    );
    println!("{} pages in {:.1} s", report.pages, elapsed.as_secs_f64());
    for (id, error) in report.failed() {
        println!("failed\t{id}\t{error}");
    }
}

/// `2h` (that long ago) or `2026-12-01T00:00:00Z`.
fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let age = parse_age(text)
        .map_err(|_| format!("{text:?} is neither an age (2h, 3d) nor an instant (2026-12-01T00:00:00Z)"))?;
    jiff::SignedDuration::try_from(age)
        .ok()
        .and_then(|age| Timestamp::now().checked_sub(age).ok())
        .ok_or_else(|| format!("{text:?} is too long ago"))
}

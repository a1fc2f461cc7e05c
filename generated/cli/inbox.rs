//! `stripe-notify inbox ...`: operate an inbox (SQLite or PostgreSQL) from the command line.

use std::time::Duration;

use clap::Subcommand;
use stripe_notify::inbox::{self, EventSummary, Inbox, Listing, Retry, State};
use stripe_notify::{Timestamp, unix_now};

/// What to do with the inbox.
#[derive(Subcommand)]
pub enum InboxCommand {
    /// How many events are in each state, and how long the oldest due one has waited.
    Stats,
    /// The events in a state, oldest first: id, type, state, attempts, received, due, last error.
    List {
        /// pending, retrying, processing, done or dead.
        #[arg(long)]
        state: State,
        /// Only events of this type (`invoice.paid`, `v1.billing.meter.error_report_triggered`).
        #[arg(long = "type")]
        event_type: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One event: its summary line, then its body as Stripe sent it (JSON pretty-printed).
    Show {
        /// The event id, `evt_...`.
        event_id: String,
    },
    /// Makes an event (dead or retrying), or every dead one, due now, its attempts reset.
    Retry {
        /// The event id, `evt_...`.
        #[arg(required_unless_present = "all_dead", conflicts_with = "all_dead")]
        event_id: Option<String>,
        /// Every dead event.
        #[arg(long)]
        all_dead: bool,
    },
    /// Forgets done events older than an age (`7d`, `12h`, `30m`).
    Purge {
        /// The age, `7d`.
        #[arg(long, value_parser = parse_age)]
        done_older_than: Duration,
    },
}

/// Runs `command` against the inbox `database` names (`sqlite:<path>`, `postgres://...`).
pub fn run(database: &str, command: InboxCommand) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        let inbox = inbox::open(database).await.map_err(|e| e.to_string())?;
        execute(&*inbox, command).await
    })
}

async fn execute(inbox: &dyn Inbox, command: InboxCommand) -> Result<(), String> {
    match command {
        InboxCommand::Stats => {
            let stats = inbox.stats().await.map_err(|e| e.to_string())?;
            for state in State::ALL {
                println!("{:<11} {}", state.as_str(), stats.count(state));
            }
            match stats.oldest_due {
                Some(due) => println!("{:<11} {due} ({} s ago)", "oldest due", age(due)),
                None => println!("{:<11} none", "oldest due"),
            }
        }
        InboxCommand::List {
            state,
            event_type,
            limit,
        } => {
            let mut listing = Listing::of(state).limit(limit);
            if let Some(event_type) = &event_type {
                listing = listing.event_type(event_type);
            }
            for event in inbox.list(listing).await.map_err(|e| e.to_string())? {
                println!("{}", line(&event));
            }
        }
        InboxCommand::Show { event_id } => {
            let event = inbox.event(&event_id).await.map_err(|e| e.to_string())?;
            let event = event.ok_or_else(|| format!("no event {event_id:?} in the inbox"))?;
            println!("{}", line(&event.summary));
            match event.body_text() {
                Some(body) => println!("{body}"),
                None => println!("(no body: a claim of a handler using the inbox as its ledger)"),
            }
        }
        InboxCommand::Retry { event_id, all_dead } => {
            let which = match &event_id {
                Some(id) if !all_dead => Retry::Event(id),
                _ => Retry::AllDead,
            };
            let retried = inbox.retry(which).await.map_err(|e| e.to_string())?;
            if let (Retry::Event(id), 0) = (which, retried) {
                return Err(format!("no dead or retrying event {id:?} in the inbox"));
            }
            println!("{retried} due now");
        }
        InboxCommand::Purge { done_older_than } => {
            let purged = inbox
                .purge_done(done_older_than)
                .await
                .map_err(|e| e.to_string())?;
            println!("{purged} purged");
        }
    }
    Ok(())
}

/// One event, tab-separated; `-` for what it has not.
fn line(event: &EventSummary) -> String {
    let due = event.due_at.map_or_else(|| "-".to_owned(), |due| due.to_string());
    let error = event
        .last_error
        .as_deref()
        .unwrap_or("-")
        .replace(['\t', '\n'], " ");
    format!(
        "{}\t{}\t{}\t{}\t{}\t{due}\t{error}",
        event.id, event.event_type, event.state, event.attempts, event.received_at
    )
}

/// Whole seconds since `at`.
fn age(at: Timestamp) -> i64 {
    unix_now().saturating_sub(at.as_second()).max(0)
}

/// `7d`, `12h`, `30m`, `1h 30m`: jiff's friendly durations, days of 24 hours.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let span: jiff::Span = text
        .parse()
        .map_err(|e| format!("{text:?} is not an age like 7d, 12h or 30m: {e}"))?;
    span.to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .ok()
        .and_then(|d| Duration::try_from(d).ok())
        .ok_or_else(|| format!("{text:?} is not a positive age"))
}

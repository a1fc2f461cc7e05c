//! The reconciler: recovery that runs by itself. Every interval it lists both styles from its
//! checkpoint (minus an overlap: the list APIs show an event a little after it happens), stores
//! into the inbox what the inbox lacks, and moves the checkpoint, kept in the inbox's own
//! database, so that a restart goes on from it. Servers sharing the inbox take turns (a lease
//! in the database): one pass an interval, not one per server.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::{RECOVERY_WINDOW, RecoveryFilter, RecoveryReport, RecoveryStyles};
use crate::error::ClientError;
use crate::inbox::{Inbox, Turn};

type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the reconciler runs: see [`Handler::run_reconciler`](crate::Handler::run_reconciler).
pub struct Reconciler {
    pub(crate) task: String,
    interval: Duration,
    overlap: Duration,
    first_window: Duration,
    lease: Duration,
    pub(crate) requests_per_second: f64,
    styles: RecoveryStyles,
    types: Vec<String>,
    shutdown: Option<Shutdown>,
}

impl std::fmt::Debug for Reconciler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconciler")
            .field("task", &self.task)
            .field("interval", &self.interval)
            .field("overlap", &self.overlap)
            .field("first_window", &self.first_window)
            .field("lease", &self.lease)
            .field("requests_per_second", &self.requests_per_second)
            .field("styles", &self.styles)
            .field("types", &self.types)
            .finish_non_exhaustive()
    }
}

impl Default for Reconciler {
    fn default() -> Self {
        Self {
            task: "stripe-notify-reconciler".to_owned(),
            interval: Duration::from_secs(5 * 60),
            overlap: Duration::from_secs(10 * 60),
            first_window: Duration::from_secs(3600),
            lease: Duration::from_secs(60),
            requests_per_second: 20.0,
            styles: RecoveryStyles::Both,
            types: Vec::new(),
            shutdown: None,
        }
    }
}

impl Reconciler {
    /// How often a pass runs, across every server sharing the inbox (default 5 minutes).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// How far before the checkpoint a pass starts (default 10 minutes): an event shows in the
    /// list APIs a little after it happens, and one created just before a pass may show only
    /// after it. Events seen twice are stored once.
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = overlap;
        self
    }

    /// How far back the first pass goes, when the inbox has no checkpoint yet (default 1 hour;
    /// at most the 30 days the list APIs keep). Stripe retries a failed delivery for three
    /// days: a first pass of three days finds what an outage before it lost.
    pub fn first_window(mut self, window: Duration) -> Self {
        self.first_window = window.min(RECOVERY_WINDOW);
        self
    }

    /// How long a server's turn lasts unless renewed (default 60 s); renewed every third of it
    /// while its pass runs. A server that dies mid-pass gives the turn up within one lease, and
    /// the next pass starts again from the checkpoint.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// At most this many list requests a second (default 20; Stripe allows 100 reads a second
    /// in live mode, shared with everything else the account does). A `429` is waited out as
    /// its `Retry-After` says.
    pub fn requests_per_second(mut self, rate: f64) -> Self {
        self.requests_per_second = rate;
        self
    }

    /// Which styles to list (default both).
    pub fn styles(mut self, styles: RecoveryStyles) -> Self {
        self.styles = styles;
        self
    }

    /// Only these types, named as [`RecoveryFilter::types`] names them (default all).
    pub fn types(mut self, types: Vec<String>) -> Self {
        self.types = types;
        self
    }

    /// The name of the checkpoint and the turn in the inbox's database (default
    /// `stripe-notify-reconciler`): reconcilers of one name share them.
    pub fn task(mut self, name: impl Into<String>) -> Self {
        self.task = name.into();
        self
    }

    /// Stops the reconciler when `signal` resolves: a pass under way stops, its turn is given up
    /// and the checkpoint stays where the last whole pass left it.
    pub fn shutdown(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    /// The window of a pass that starts `now` from `checkpoint`.
    fn window(&self, checkpoint: Option<Timestamp>, now: Timestamp) -> RecoveryFilter {
        let back = |duration: Duration| {
            SignedDuration::try_from(duration)
                .ok()
                .and_then(|d| now.checked_sub(d).ok())
                .unwrap_or(Timestamp::UNIX_EPOCH)
        };
        let from = match checkpoint {
            Some(checkpoint) => checkpoint
                .checked_sub(SignedDuration::try_from(self.overlap).unwrap_or_default())
                .unwrap_or(checkpoint),
            None => back(self.first_window),
        };
        RecoveryFilter {
            created_from: Some(from.max(back(RECOVERY_WINDOW))),
            created_before: Some(now),
            types: self.types.clone(),
            styles: self.styles,
            undelivered_only: false,
        }
    }
}

/// A reconciler's turns at its task in the inbox: whose, how long each lasts, how often due.
struct Turns<'a> {
    inbox: &'a dyn Inbox,
    task: &'a str,
    holder: String,
    lease: Duration,
    every: Duration,
}

impl Turns<'_> {
    /// Takes the turn, or renews it while this reconciler holds it.
    async fn take(&self) -> Result<Turn, crate::inbox::InboxError> {
        self.inbox
            .take_turn(self.task, &self.holder, self.lease, self.every)
            .await
    }

    /// Ends the turn, moving the checkpoint when given.
    async fn end(&self, checkpoint: Option<Timestamp>) {
        if let Err(error) = self.inbox.end_turn(self.task, &self.holder, checkpoint).await {
            tracing::warn!(%error, "could not end the reconciler's turn");
        }
    }
}

/// Runs passes over `inbox` until the shutdown signal; `pass` lists a window into the inbox.
pub(crate) async fn run<P, Fut>(inbox: &dyn Inbox, mut options: Reconciler, pass: P)
where
    P: Fn(RecoveryFilter) -> Fut,
    Fut: Future<Output = Result<RecoveryReport, ClientError>>,
{
    let mut shutdown = options
        .shutdown
        .take()
        .unwrap_or_else(|| Box::pin(std::future::pending()));
    let turns = Turns {
        inbox,
        task: &options.task,
        holder: format!("{}-{:016x}", std::process::id(), crate::random::below(u64::MAX)),
        lease: options.lease,
        every: options.interval,
    };
    // Look for a turn several times an interval, and at least once a lease: a pass starts
    // soon after it is due, and a dead server's turn is taken over soon after its lease ran out.
    let look = options
        .interval
        .checked_div(4)
        .unwrap_or_default()
        .min(options.lease)
        .clamp(Duration::from_millis(100), Duration::from_secs(30));
    loop {
        let now = Timestamp::now();
        match turns.take().await {
            Ok(Turn::Taken { checkpoint }) => {
                let window = options.window(checkpoint, now);
                if !run_pass(&turns, window, &pass, &mut shutdown).await {
                    return;
                }
            }
            Ok(Turn::NotNow) => {}
            Err(error) => tracing::warn!(%error, "the reconciler could not reach the inbox"),
        }
        tokio::select! {
            () = tokio::time::sleep(look) => {}
            () = &mut shutdown => return,
        }
    }
}

/// One pass over `window` in a turn, renewing it every third of its lease meanwhile, then the
/// turn ended with the new checkpoint (the window's end) when the pass went through. False
/// when the shutdown signal stopped it.
async fn run_pass<P, Fut>(
    turns: &Turns<'_>,
    window: RecoveryFilter,
    pass: &P,
    shutdown: &mut Shutdown,
) -> bool
where
    P: Fn(RecoveryFilter) -> Fut,
    Fut: Future<Output = Result<RecoveryReport, ClientError>>,
{
    let renew_every = turns
        .lease
        .checked_div(3)
        .unwrap_or_default()
        .max(Duration::from_millis(10));
    let mut renewals = tokio::time::interval(renew_every);
    renewals.reset();
    let mut running = std::pin::pin!(pass(window.clone()));
    let outcome = loop {
        tokio::select! {
            outcome = &mut running => break Some(outcome),
            _ = renewals.tick() => {
                // A failed renewal does not stop the pass: the worst is that another server
                // runs the same window, and the inbox stores each event once.
                if let Err(error) = turns.take().await {
                    tracing::warn!(%error, "could not renew the reconciler's turn");
                }
            }
            () = &mut *shutdown => break None,
        }
    };
    let checkpoint = match &outcome {
        Some(Ok(report)) => {
            log(report, &window);
            window.created_before
        }
        Some(Err(error)) => {
            tracing::warn!(%error, "a reconciler pass stopped; the next starts from the same checkpoint");
            None
        }
        None => None,
    };
    turns.end(checkpoint).await;
    outcome.is_some()
}

fn log(report: &RecoveryReport, window: &RecoveryFilter) {
    let failed = report.failed().count();
    let (from, to) = (window.created_from, window.created_before);
    if report.processed() > 0 || failed > 0 {
        tracing::warn!(
            missed = report.processed(),
            failed,
            pages = report.pages,
            ?from,
            ?to,
            "the reconciler found events the endpoint never received"
        );
    } else {
        tracing::debug!(
            pages = report.pages,
            skipped = report.skipped(),
            ?from,
            ?to,
            "a reconciler pass found nothing missing"
        );
    }
}

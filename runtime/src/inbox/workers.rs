//! The workers: claim due events, process each in a task of its own, renew the leases of those
//! running ([`leases`](super::leases)), settle each in batches (done, due again later, or dead:
//! [`settler`](super::settler)), and stop gracefully: running callbacks finish and are settled,
//! nothing new is claimed.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::Instrument as _;

use super::leases::{self, Leases};
use super::settler::{self, Finished};
use super::{ClaimedEvent, Failure, Inbox, Settlement};

/// How failed events are retried: exponential backoff with jitter, from `base_delay`, doubling
/// up to `max_delay`, until `max_attempts` attempts have failed; then the event is dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before an event is dead (default 8).
    pub max_attempts: u32,
    /// The first retry's delay (default 1 s).
    pub base_delay: Duration,
    /// The longest delay (default 1 h).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// How long after failed attempt `attempt` (from 1) the event is due again; `None`: dead.
    pub fn after(&self, attempt: u32) -> Option<Duration> {
        (attempt < self.max_attempts)
            .then(|| crate::backoff::delay(self.base_delay, attempt.saturating_sub(1), self.max_delay))
    }
}

type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the workers run: see [`Handler::run_inbox_workers`](crate::Handler::run_inbox_workers).
pub struct InboxWorkers {
    concurrency: usize,
    claim_batch: usize,
    per_object: bool,
    lease: Duration,
    poll_interval: Duration,
    retry: RetryPolicy,
    shutdown: Option<Shutdown>,
}

impl std::fmt::Debug for InboxWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxWorkers")
            .field("concurrency", &self.concurrency)
            .field("claim_batch", &self.claim_batch)
            .field("per_object", &self.per_object)
            .field("lease", &self.lease)
            .field("poll_interval", &self.poll_interval)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for InboxWorkers {
    fn default() -> Self {
        Self {
            concurrency: 4,
            claim_batch: 32,
            per_object: false,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
            retry: RetryPolicy::default(),
            shutdown: None,
        }
    }
}

impl InboxWorkers {
    /// How many events are processed at once (default 4).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// How many due events one claim takes at most (default 32; at least the free slots). The
    /// ones not running yet wait in this process, their leases renewed, and start as slots
    /// free up: one claim's round trip serves many events. On shutdown they are handed back,
    /// due at once (their claim counts as an attempt). With slow callbacks on several servers,
    /// set it to `concurrency`, so that no server holds events another could run now.
    pub fn claim_batch(mut self, most: usize) -> Self {
        self.claim_batch = most.max(1);
        self
    }

    /// Runs the events about one object (their related object) one at a time, in `created`
    /// order, across every server sharing the inbox (default off): an event waits while
    /// another of its object runs, or while one created before it waits (pending, or retrying
    /// after a failure, until it is done or dead). Events of different objects still run in
    /// parallel. Stripe promises no order; this is the order of the events' `created`, as the
    /// inbox holds them: an event that arrives after a later one of its object has run runs
    /// after it.
    pub fn one_at_a_time_per_object(mut self, on: bool) -> Self {
        self.per_object = on;
        self
    }

    /// How long a claim lasts unless renewed (default 30 s). The workers renew the leases of
    /// the callbacks running every third of it, so a callback may take longer; a worker that
    /// dies stops renewing, and its events are due again within one lease. Longer leases ride
    /// out longer database outages (a lease that cannot be renewed runs out); shorter ones bring
    /// a dead worker's events back sooner.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How often an idle worker looks for due events (default 500 ms). Events stored by this
    /// process wake the workers at once.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How failed events are retried.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Stops the workers when `signal` resolves (Ctrl-C, a token): running callbacks finish and
    /// are settled, events claimed but not started are handed back, nothing new is claimed, and
    /// the workers' future resolves.
    pub fn shutdown(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }
}

/// What processing an event came to.
pub(crate) enum Attempt {
    /// Done.
    Done,
    /// Failed; `retryable` unless retrying cannot help (a body that does not parse).
    Failed { error: String, retryable: bool },
}

/// Runs workers over `inbox` until the shutdown signal, processing each claimed event with
/// `process`.
pub(crate) async fn run<P, Fut>(inbox: Arc<dyn Inbox>, options: InboxWorkers, process: P)
where
    P: Fn(ClaimedEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Attempt> + Send + 'static,
{
    let InboxWorkers {
        concurrency,
        claim_batch,
        per_object,
        lease,
        poll_interval,
        retry,
        shutdown,
    } = options;
    let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
    let process = Arc::new(process);
    let stored = inbox.stored();
    let leases = Arc::new(Leases::default());
    // Every third of the lease: a renewal may fail, or be late, twice before a lease runs out.
    let renewal_period = lease
        .checked_div(3)
        .unwrap_or_default()
        .max(Duration::from_millis(1));
    let mut renewals = tokio::time::interval(renewal_period);
    renewals.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once; nothing is held yet.
    renewals.reset();
    let (finished, to_settle) = mpsc::unbounded_channel();
    // Woken after each batch is settled: with one at a time per object, events that waited on
    // those may be due now.
    let settled = Arc::new(tokio::sync::Notify::new());
    let mut settling = {
        let (inbox, leases, settled) = (Arc::clone(&inbox), Arc::clone(&leases), Arc::clone(&settled));
        tokio::spawn(async move { settler::run(&*inbox, to_settle, &leases, &settled).await })
    };
    // The inbox's states as gauges, refreshed while the workers run.
    #[cfg(feature = "metrics")]
    let _gauges = {
        let inbox = Arc::clone(&inbox);
        AbortOnDrop(tokio::spawn(async move {
            // Ten polls, within a second and ten: fresh enough for a scrape, cheap for the store.
            let period = poll_interval
                .saturating_mul(10)
                .clamp(Duration::from_secs(1), Duration::from_secs(10));
            let mut every = tokio::time::interval(period);
            loop {
                every.tick().await;
                if let Ok(stats) = inbox.stats().await {
                    let age = stats
                        .oldest_due
                        .and_then(|due| Duration::try_from(jiff::Timestamp::now().duration_since(due)).ok())
                        .unwrap_or_default();
                    crate::metrics::inbox_stats(
                        super::State::ALL.map(|state| (state.as_str(), stats.count(state))),
                        age,
                    );
                }
            }
        }))
    };
    let mut running = JoinSet::new();
    // Claimed, waiting for a free slot.
    let mut waiting = VecDeque::new();
    loop {
        let free = concurrency.saturating_sub(running.len());
        if free > 0 && waiting.is_empty() {
            // Taken before claiming: the lease cannot outlive it.
            let expires = Instant::now().checked_add(lease);
            match inbox.claim(free.max(claim_batch), lease, per_object).await {
                Ok(events) => {
                    for event in events {
                        leases.hold(&event, expires);
                        waiting.push_back(event);
                    }
                }
                // The store is down: the workers resume when it is back.
                Err(error) => tracing::warn!(%error, "could not claim events from the inbox"),
            }
        }
        while running.len() < concurrency {
            let Some(event) = waiting.pop_front() else { break };
            running.spawn(attempt(Arc::clone(&process), event, retry, finished.clone()));
        }
        let woken = async {
            match &stored {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            _ = renewals.tick() => leases::renew(&*inbox, &leases, lease).await,
            Some(_) = running.join_next(), if !running.is_empty() => {}
            () = woken, if running.len() < concurrency && waiting.is_empty() => {}
            // Only one at a time per object makes a settle free other events; otherwise waking
            // would only cost a claim that finds nothing.
            () = settled.notified(), if per_object && running.len() < concurrency && waiting.is_empty() => {}
            () = tokio::time::sleep(poll_interval) => {}
        }
    }
    // Graceful: what was claimed but not started is handed back, due at once; what runs finishes and is settled, its lease renewed meanwhile; nothing new
    // is claimed. The settler ends once the last attempt's outcome is in.
    hand_back(&*inbox, &leases, waiting).await;
    drop(finished);
    loop {
        tokio::select! {
            _ = renewals.tick() => leases::renew(&*inbox, &leases, lease).await,
            _ = &mut settling => break,
        }
    }
}

/// A task that stops when its owner is dropped.
#[cfg(feature = "metrics")]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

#[cfg(feature = "metrics")]
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One attempt of one event, handed to the settler.
async fn attempt<P, Fut>(
    process: Arc<P>,
    event: ClaimedEvent,
    retry: RetryPolicy,
    finished: mpsc::UnboundedSender<Finished>,
) where
    P: Fn(ClaimedEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Attempt> + Send + 'static,
{
    let span = tracing::info_span!(
        "stripe_inbox_attempt",
        event_id = %event.id,
        event_type = %event.event_type,
        attempt = event.attempt
    );
    let (id, number) = (event.id.clone(), event.attempt);
    async {
        let failure = match process(event).await {
            Attempt::Done => None,
            Attempt::Failed { error, retryable } => {
                let retry_in = if retryable { retry.after(number) } else { None };
                match retry_in {
                    Some(delay) => {
                        tracing::warn!(%error, ?delay, "a Stripe event failed; it will be retried")
                    }
                    None => tracing::error!(%error, "a Stripe event failed for good: it is dead"),
                }
                Some((error, retry_in))
            }
        };
        // The settler outlives every attempt: it ends once all of them are done.
        let _ = finished.send(Finished {
            id,
            attempt: number,
            failure,
        });
    }
    .instrument(span)
    .await;
}

/// Makes claimed events that never started due again at once: `retrying`, their claim counted
/// as an attempt, with a note of why.
async fn hand_back(inbox: &dyn Inbox, leases: &Leases, waiting: VecDeque<ClaimedEvent>) {
    let settlements: Vec<Settlement<'_>> = waiting
        .iter()
        .map(|event| Settlement {
            id: &event.id,
            attempt: event.attempt,
            failure: Some(Failure {
                error: "not started: its workers stopped, and handed it back",
                retry_in: Some(Duration::ZERO),
            }),
        })
        .collect();
    if settlements.is_empty() {
        return;
    }
    if let Err(error) = inbox.settle(&settlements).await {
        tracing::warn!(%error, "could not hand claimed events back to the inbox: they are due again when their leases run out");
    }
    for event in &waiting {
        leases.release(&event.id, event.attempt);
    }
}

//! The workers: claim due events, process each in a task of its own, renew the leases of those
//! running, settle each (done, due again later, or dead), and stop gracefully: running callbacks
//! finish, nothing new is claimed.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use tokio::task::JoinSet;
use tracing::Instrument as _;

use super::{ClaimedEvent, Inbox};

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
    lease: Duration,
    poll_interval: Duration,
    retry: RetryPolicy,
    shutdown: Option<Shutdown>,
}

impl std::fmt::Debug for InboxWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxWorkers")
            .field("concurrency", &self.concurrency)
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

    /// Stops the workers when `signal` resolves (Ctrl-C, a token): running callbacks finish,
    /// nothing new is claimed, and the workers' future resolves.
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
    let mut running = JoinSet::new();
    loop {
        let free = concurrency.saturating_sub(running.len());
        if free > 0 {
            // Taken before claiming: the lease cannot outlive it.
            let expires = Instant::now().checked_add(lease);
            match inbox.claim(free, lease).await {
                Ok(events) => {
                    for event in events {
                        leases.hold(&event, expires);
                        running.spawn(attempt(
                            Arc::clone(&inbox),
                            Arc::clone(&process),
                            event,
                            retry,
                            Arc::clone(&leases),
                        ));
                    }
                }
                // The store is down: the workers resume when it is back.
                Err(error) => tracing::warn!(%error, "could not claim events from the inbox"),
            }
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
            _ = renewals.tick() => renew(&*inbox, &leases, lease).await,
            Some(_) = running.join_next(), if !running.is_empty() => {}
            () = woken, if running.len() < concurrency => {}
            () = tokio::time::sleep(poll_interval) => {}
        }
    }
    // Graceful: what runs finishes and is settled, its lease renewed meanwhile; nothing new is
    // claimed.
    loop {
        tokio::select! {
            _ = renewals.tick() => renew(&*inbox, &leases, lease).await,
            joined = running.join_next() => if joined.is_none() { break },
        }
    }
}

/// The claims this process's workers hold: each event's attempt, and when its lease runs out
/// unless renewed (`None`: a lease too long to count, never reached).
#[derive(Default)]
struct Leases(Mutex<HashMap<String, (u32, Option<Instant>)>>);

impl Leases {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, Option<Instant>)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn hold(&self, event: &ClaimedEvent, expires: Option<Instant>) {
        self.lock().insert(event.id.clone(), (event.attempt, expires));
    }

    fn release(&self, id: &str) {
        self.lock().remove(id);
    }

    /// When the lease of `id` runs out; `None` if it is not held or never runs out.
    fn expires(&self, id: &str) -> Option<Instant> {
        self.lock().get(id).and_then(|(_, expires)| *expires)
    }

    fn held(&self) -> Vec<(String, u32)> {
        self.lock()
            .iter()
            .map(|(id, (attempt, _))| (id.clone(), *attempt))
            .collect()
    }

    /// `claims` were renewed until `expires`, those still held at the same attempt.
    fn renewed(&self, claims: &[(String, u32)], expires: Option<Instant>) {
        let mut held = self.lock();
        for (id, attempt) in claims {
            if let Some(lease) = held.get_mut(id).filter(|(held, _)| held == attempt) {
                lease.1 = expires;
            }
        }
    }
}

/// Renews every lease held, in one store call. A failure (the database is away) stops
/// nothing: the callbacks run on, and each is settled while its lease holds.
async fn renew(inbox: &dyn Inbox, leases: &Leases, lease: Duration) {
    let claims = leases.held();
    if claims.is_empty() {
        return;
    }
    // Taken before renewing: the lease cannot outlive it.
    let expires = Instant::now().checked_add(lease);
    match inbox.renew(&claims, lease).await {
        Ok(renewed) => {
            leases.renewed(&claims, expires);
            let lost = u64::try_from(claims.len())
                .unwrap_or(u64::MAX)
                .saturating_sub(renewed);
            if lost > 0 {
                tracing::warn!(
                    lost,
                    "leases lost: their events were taken over after the lease ran out"
                );
            }
        }
        Err(error) => tracing::warn!(%error, "could not renew the inbox's leases"),
    }
}

/// One attempt of one event, settled in the inbox.
async fn attempt<P, Fut>(
    inbox: Arc<dyn Inbox>,
    process: Arc<P>,
    event: ClaimedEvent,
    retry: RetryPolicy,
    leases: Arc<Leases>,
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
        let outcome = match process(event).await {
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
        settle(&*inbox, &id, number, outcome.as_ref(), &leases).await;
        leases.release(&id);
    }
    .instrument(span)
    .await;
}

/// Records an attempt's outcome (`None`: done). A store that is down is tried again while the
/// lease holds (renewals going on meanwhile, when the store answers them): once it runs out the
/// event may run again elsewhere, and settling would be too late; before, giving up would run a
/// callback twice for a short outage.
async fn settle(
    inbox: &dyn Inbox,
    id: &str,
    number: u32,
    outcome: Option<&(String, Option<Duration>)>,
    leases: &Leases,
) {
    let mut pause = Duration::from_millis(50);
    loop {
        let settled = match outcome {
            None => inbox.complete(id, number).await,
            Some((error, retry_in)) => inbox.fail(id, number, error, *retry_in).await,
        };
        let Err(error) = settled else { return };
        let holds_beyond_pause = leases
            .expires(id)
            .is_none_or(|expires| expires.saturating_duration_since(Instant::now()) > pause);
        if !holds_beyond_pause {
            // Its claim expires, and the event is processed again.
            tracing::warn!(%error, "could not settle an event in the inbox before its claim expired");
            return;
        }
        tracing::warn!(%error, ?pause, "could not settle an event in the inbox; trying again");
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2).min(Duration::from_secs(2));
    }
}

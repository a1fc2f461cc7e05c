//! The workers: claim due events, process each in a task of its own, settle it (done, due
//! again later, or dead), and stop gracefully: running callbacks finish, nothing new is claimed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

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
    visibility_timeout: Duration,
    poll_interval: Duration,
    retry: RetryPolicy,
    shutdown: Option<Shutdown>,
}

impl std::fmt::Debug for InboxWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxWorkers")
            .field("concurrency", &self.concurrency)
            .field("visibility_timeout", &self.visibility_timeout)
            .field("poll_interval", &self.poll_interval)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for InboxWorkers {
    fn default() -> Self {
        Self {
            concurrency: 4,
            visibility_timeout: Duration::from_secs(300),
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

    /// How long a claim lasts (default 5 min): longer than any callback takes, for a claim held
    /// longer is taken over, as one whose worker died.
    pub fn visibility_timeout(mut self, timeout: Duration) -> Self {
        self.visibility_timeout = timeout;
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
        visibility_timeout,
        poll_interval,
        retry,
        shutdown,
    } = options;
    let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
    let process = Arc::new(process);
    let stored = inbox.stored();
    let mut running = JoinSet::new();
    loop {
        let free = concurrency.saturating_sub(running.len());
        if free > 0 {
            // Taken before claiming: the claim cannot outlive it. `None`: a timeout too long to
            // count, never reached.
            let claim_expires = tokio::time::Instant::now().checked_add(visibility_timeout);
            match inbox.claim(free, visibility_timeout).await {
                Ok(events) => {
                    for event in events {
                        running.spawn(attempt(
                            Arc::clone(&inbox),
                            Arc::clone(&process),
                            event,
                            retry,
                            claim_expires,
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
            Some(_) = running.join_next(), if !running.is_empty() => {}
            () = woken, if running.len() < concurrency => {}
            () = tokio::time::sleep(poll_interval) => {}
        }
    }
    // Graceful: what runs finishes and is settled; nothing new is claimed.
    while running.join_next().await.is_some() {}
}

/// One attempt of one event, settled in the inbox.
async fn attempt<P, Fut>(
    inbox: Arc<dyn Inbox>,
    process: Arc<P>,
    event: ClaimedEvent,
    retry: RetryPolicy,
    claim_expires: Option<tokio::time::Instant>,
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
        settle(&*inbox, &id, number, outcome.as_ref(), claim_expires).await;
    }
    .instrument(span)
    .await;
}

/// Records an attempt's outcome (`None`: done). A store that is down is tried again while the
/// claim holds: once it expires the event may run again elsewhere, and settling would be too
/// late; before, giving up would run a callback twice for a short outage.
async fn settle(
    inbox: &dyn Inbox,
    id: &str,
    number: u32,
    outcome: Option<&(String, Option<Duration>)>,
    claim_expires: Option<tokio::time::Instant>,
) {
    let mut pause = Duration::from_millis(50);
    loop {
        let settled = match outcome {
            None => inbox.complete(id, number).await,
            Some((error, retry_in)) => inbox.fail(id, number, error, *retry_in).await,
        };
        let Err(error) = settled else { return };
        let holds_beyond_pause = claim_expires
            .is_none_or(|expires| expires.saturating_duration_since(tokio::time::Instant::now()) > pause);
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

//! The settler: records what attempts came to, in batches. Finished attempts queue up while a
//! batch is being committed and go together in the next, so that a busy inbox pays one commit
//! per batch, not per event, and an idle one waits for nothing.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::leases::Leases;
use super::{Failure, Inbox, Settlement};

/// The most attempts settled in one commit.
const MOST_PER_BATCH: usize = 100;

/// What an attempt came to, to settle.
#[derive(Debug)]
pub(super) struct Finished {
    pub(super) id: String,
    pub(super) attempt: u32,
    /// `None`: done; else the error, and when the event is due again (`None`: dead).
    pub(super) failure: Option<(String, Option<Duration>)>,
}

impl Finished {
    fn settlement(&self) -> Settlement<'_> {
        Settlement {
            id: &self.id,
            attempt: self.attempt,
            failure: self.failure.as_ref().map(|(error, retry_in)| Failure {
                error,
                retry_in: *retry_in,
            }),
        }
    }
}

/// Settles what `finished` receives until every sender is gone, then returns. Each attempt's
/// lease is released once it is settled (or given up), and `settled` is woken after each batch.
pub(super) async fn run(
    inbox: &dyn Inbox,
    mut finished: mpsc::UnboundedReceiver<Finished>,
    leases: &Leases,
    settled: &tokio::sync::Notify,
) {
    let mut batch = Vec::with_capacity(MOST_PER_BATCH);
    while finished.recv_many(&mut batch, MOST_PER_BATCH).await > 0 {
        settle(inbox, &mut batch, leases).await;
        for attempt in batch.drain(..) {
            leases.release(&attempt.id, attempt.attempt);
        }
        settled.notify_one();
    }
}

/// Records `batch` in one store call. A store that is down is tried again while the leases
/// hold (renewals going on meanwhile, when the store answers them): once a lease runs out its
/// event may run again elsewhere, and settling it would be too late; before, giving up would run
/// a callback twice for a short outage.
async fn settle(inbox: &dyn Inbox, batch: &mut Vec<Finished>, leases: &Leases) {
    let mut pause = Duration::from_millis(50);
    loop {
        let settlements: Vec<Settlement<'_>> = batch.iter().map(Finished::settlement).collect();
        let error = match inbox.settle(&settlements).await {
            Ok(settled) => {
                let lost = u64::try_from(settlements.len())
                    .unwrap_or(u64::MAX)
                    .saturating_sub(settled);
                #[cfg(feature = "metrics")]
                {
                    crate::metrics::inbox_claims_lost(lost);
                    for settlement in &settlements {
                        crate::metrics::inbox_attempt(match settlement.failure {
                            None => "done",
                            Some(Failure {
                                retry_in: Some(_), ..
                            }) => "retrying",
                            Some(Failure { retry_in: None, .. }) => "dead",
                        });
                    }
                }
                if lost > 0 {
                    tracing::warn!(
                        lost,
                        "attempts settled too late: their events were taken over after the lease ran out"
                    );
                }
                return;
            }
            Err(error) => error,
        };
        drop(settlements);
        // Those whose lease runs out before the next try are processed again.
        let before = batch.len();
        batch.retain(|attempt| {
            leases
                .expires(&attempt.id)
                .is_none_or(|expires| expires.saturating_duration_since(Instant::now()) > pause)
        });
        if batch.len() < before {
            tracing::warn!(%error, given_up = before.saturating_sub(batch.len()), "could not settle events in the inbox before their leases ran out");
        }
        if batch.is_empty() {
            return;
        }
        tracing::warn!(%error, ?pause, "could not settle events in the inbox; trying again");
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2).min(Duration::from_secs(2));
    }
}

//! Leases: the claims this process's workers hold, and their renewal, all of them in one store
//! call every third of the lease, while their callbacks run and until they are settled.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::{ClaimedEvent, Inbox};

/// The claims this process's workers hold: each event's attempt, and when its lease runs out
/// unless renewed (`None`: a lease too long to count, never reached).
#[derive(Default)]
pub(super) struct Leases(Mutex<HashMap<String, (u32, Option<Instant>)>>);

impl Leases {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, Option<Instant>)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn hold(&self, event: &ClaimedEvent, expires: Option<Instant>) {
        self.lock().insert(event.id.clone(), (event.attempt, expires));
    }

    /// Forgets the lease of attempt `attempt` of `id` (not a later attempt's, when this process
    /// claimed the event again after the lease ran out).
    pub(super) fn release(&self, id: &str, attempt: u32) {
        let mut held = self.lock();
        if held.get(id).is_some_and(|(held, _)| *held == attempt) {
            held.remove(id);
        }
    }

    /// When the lease of `id` runs out; `None` if it is not held or never runs out.
    pub(super) fn expires(&self, id: &str) -> Option<Instant> {
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
pub(super) async fn renew(inbox: &dyn Inbox, leases: &Leases, lease: Duration) {
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
            #[cfg(feature = "metrics")]
            {
                crate::metrics::inbox_renewals(renewed);
                crate::metrics::inbox_claims_lost(lost);
            }
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

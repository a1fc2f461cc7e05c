//! The handler's recovery: events listed from the Events API, routed as if delivered, or
//! stored in an inbox.

use super::Handler;
use crate::catalog::EventCatalog;
use crate::error::ClientError;
use crate::recovery::{EventPages, RecoveryFilter, RecoveryReport};
#[cfg(feature = "inbox")]
use crate::{inbox::Inbox, inbox::Stored, outcome::Handled};

impl<C: EventCatalog> Handler<C> {
    /// Lists the events `filter` selects from the Events API (`GET /v2/core/events`, every
    /// page) with the handler's client, and routes each as if it had been delivered: its
    /// callback or the fallback, `pre_handle` and the ledger included. The events come over the
    /// authenticated API, so no signature is checked. Fails only when a page cannot be fetched;
    /// an event that fails is counted and recovery goes on.
    pub async fn recover(&self, filter: &RecoveryFilter) -> Result<RecoveryReport, ClientError> {
        let mut report = RecoveryReport::default();
        let mut pages = EventPages::new(filter);
        while let Some(page) = pages.next(self.client()).await? {
            for event in page.events() {
                report.record(event, self.handle_without_verification(event.as_bytes()).await);
            }
        }
        Ok(report)
    }

    #[cfg(feature = "inbox")]
    /// Recovery ([`recover`](Self::recover)) into `inbox`: each listed event is stored for the
    /// workers (once; those already in the inbox are skipped) instead of handled now.
    pub async fn recover_into(
        &self,
        filter: &RecoveryFilter,
        inbox: &dyn Inbox,
    ) -> Result<RecoveryReport, ClientError> {
        let mut report = RecoveryReport::default();
        let mut pages = EventPages::new(filter);
        while let Some(page) = pages.next(self.client()).await? {
            for event in page.events() {
                let outcome = self
                    .store(event.as_bytes(), None, inbox)
                    .await
                    .map(|stored| match stored {
                        Stored::New => Handled::Callback,
                        Stored::Duplicate => Handled::AlreadyProcessed,
                    });
                report.record(event, outcome);
            }
        }
        Ok(report)
    }
}

//! The handler's inbox: storing verified notifications for later, and the workers that route
//! them from there.

use std::sync::Arc;

use super::Handler;
use crate::catalog::EventCatalog;
use crate::envelope;
use crate::error::HandleError;
use crate::inbox::workers::{self, Attempt};
use crate::inbox::{Inbox, InboxWorkers, NewEvent, Stored};
use crate::notification::RawNotification;

impl<C: EventCatalog> Handler<C> {
    /// Verifies and parses a notification, then stores it in `inbox` for the workers
    /// ([`run_inbox_workers`](Self::run_inbox_workers)) instead of handling it now: what an
    /// endpoint does to answer Stripe at once. A redelivery of a stored event is
    /// [`Stored::Duplicate`], stored once. Nothing runs here, `pre_handle` included.
    pub async fn enqueue(
        &self,
        body: &[u8],
        signature: Option<impl AsRef<[u8]>>,
        inbox: &dyn Inbox,
    ) -> Result<Stored, HandleError> {
        let stored = match self
            .inner
            .verifier
            .verified_timestamp(body, signature.as_ref().map(AsRef::as_ref))
        {
            Ok(signed_at) => self.store(body, Some(signed_at), inbox).await,
            Err(error) => Err(error.into()),
        };
        self.count_refusal(&stored);
        stored
    }

    /// Counts a delivery the endpoint refused or could not store; one stored is counted when a
    /// worker routes it.
    fn count_refusal(&self, stored: &Result<Stored, HandleError>) {
        #[cfg(feature = "metrics")]
        if let Err(error) = stored {
            self.inner.metrics.refusal(super::metric_failure(error));
        }
        #[cfg(not(feature = "metrics"))]
        let _ = stored;
    }

    /// [`enqueue`](Self::enqueue) for a notification from an authenticated channel
    /// (EventBridge, Event Grid): no signature.
    pub async fn enqueue_without_verification(
        &self,
        body: &[u8],
        inbox: &dyn Inbox,
    ) -> Result<Stored, HandleError> {
        let stored = match envelope::inner_event(body) {
            Ok(event) => self.store(event, None, inbox).await,
            Err(error) => Err(error.into()),
        };
        self.count_refusal(&stored);
        stored
    }

    /// Runs workers over `inbox` until `options`' shutdown signal: each due event is parsed
    /// from its stored body and routed as [`handle`](Self::handle) routes (`pre_handle`, then
    /// the callback or the fallback; the handler's ledger is not consulted: the inbox is one),
    /// then marked done; a failure is retried per the retry policy, then dead. A body that does
    /// not parse is dead at once.
    pub async fn run_inbox_workers(&self, inbox: impl Inbox, options: InboxWorkers) {
        let handler = self.clone();
        workers::run(Arc::new(inbox), options, move |event| {
            let handler = handler.clone();
            async move { handler.attempt(&event.body).await }
        })
        .await;
    }

    /// One worker attempt at a stored body.
    async fn attempt(&self, body: &[u8]) -> Attempt {
        #[cfg(feature = "metrics")]
        let started = crate::metrics::Stopwatch::start();
        let (index, retryable, routed) = match self.classify(body) {
            Ok((raw, index)) => (index, true, self.route(raw, index).await),
            Err(error) => (None, false, Err(error.into())),
        };
        #[cfg(feature = "metrics")]
        self.inner
            .metrics
            .delivery(index, super::metric_outcome(&routed), started.elapsed());
        #[cfg(not(feature = "metrics"))]
        let _ = index;
        match routed {
            Ok(_) => Attempt::Done,
            Err(error) => Attempt::Failed {
                error: error.to_string(),
                retryable,
            },
        }
    }

    /// Parses `body` and stores it in `inbox`.
    pub(super) async fn store(
        &self,
        body: &[u8],
        signed_at: Option<i64>,
        inbox: &dyn Inbox,
    ) -> Result<Stored, HandleError> {
        let (raw, _) = self.classify(body)?;
        Ok(inbox.store(new_event(&raw, signed_at)).await?)
    }

    /// Parses each of `bodies` (from an authenticated channel) and stores those that parse in
    /// `inbox` at once ([`Inbox::store_batch`]): what each came to, in order.
    #[cfg(feature = "client")]
    pub(super) async fn store_batch(
        &self,
        bodies: &[&str],
        inbox: &dyn Inbox,
    ) -> Vec<Result<Stored, HandleError>> {
        let parsed: Vec<Result<RawNotification, HandleError>> = bodies
            .iter()
            .map(|body| Ok(self.classify(body.as_bytes())?.0))
            .collect();
        let events: Vec<NewEvent<'_>> = parsed
            .iter()
            .filter_map(|raw| raw.as_ref().ok())
            .map(|raw| new_event(raw, None))
            .collect();
        let mut stored = match inbox.store_batch(&events).await {
            Ok(stored) => stored.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(error) => vec![Err(error); events.len()],
        }
        .into_iter();
        parsed
            .into_iter()
            .map(|raw| match raw {
                Ok(_) => stored
                    .next()
                    .unwrap_or_else(|| {
                        Err(crate::inbox::InboxError(
                            "the inbox answered for fewer events than it was given".into(),
                        ))
                    })
                    .map_err(HandleError::from),
                Err(error) => Err(error),
            })
            .collect()
    }
}

/// What the inbox keeps of a parsed notification.
fn new_event(raw: &RawNotification, signed_at: Option<i64>) -> NewEvent<'_> {
    NewEvent {
        // Keyed by occurrence: a thin event and its classic twin are stored once.
        id: raw.occurrence_id(),
        event_type: raw.event_type(),
        created: raw.created(),
        body: raw.body(),
        signed_at,
        object_id: raw
            .object_id()
            .or_else(|| raw.related_object().and_then(|related| related.id)),
    }
}

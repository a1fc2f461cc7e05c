//! The handler's recovery: events listed from the list APIs of both styles, routed as if
//! delivered, or stored in an inbox.

use super::Handler;
use crate::catalog::EventCatalog;
use crate::error::ClientError;
use crate::recovery::{EventPages, RecoveryFilter, RecoveryReport};
#[cfg(feature = "inbox")]
use crate::{
    error::HandleError,
    inbox::{Inbox, Stored},
    outcome::Handled,
    style::EventStyle,
};

/// Where recovered events go: into an inbox for the workers, else (`None`) through the
/// handler's routing now.
#[cfg(feature = "inbox")]
type Sink<'a> = Option<&'a dyn Inbox>;
#[cfg(not(feature = "inbox"))]
type Sink<'a> = Option<&'a std::convert::Infallible>;

impl<C: EventCatalog> Handler<C> {
    /// Lists the events `filter` selects (`GET /v2/core/events` for thin events, `GET
    /// /v1/events` for snapshot events, every page) with the handler's client, and routes each
    /// as if it had been delivered: the same verdict, its callback or the fallback,
    /// `pre_handle` and the ledger included. The events come over the authenticated API, so no
    /// signature is checked. Fails only when a page cannot be fetched; an event that fails
    /// (its callback, or a malformed one) is counted with its id and recovery goes on.
    pub async fn recover(&self, filter: &RecoveryFilter) -> Result<RecoveryReport, ClientError> {
        self.recover_pages(EventPages::new::<C>(filter), None, &mut |_| {})
            .await
    }

    #[cfg(feature = "inbox")]
    /// Recovery ([`recover`](Self::recover)) into `inbox`: each listed event is stored for the
    /// workers (once; those already in the inbox, delivered or recovered before, are skipped)
    /// instead of handled now. An event the inbox lacked is one whose delivery was lost: each
    /// is logged.
    pub async fn recover_into(
        &self,
        filter: &RecoveryFilter,
        inbox: &dyn Inbox,
    ) -> Result<RecoveryReport, ClientError> {
        self.recover_into_with_progress(filter, inbox, &mut |_| {}).await
    }

    #[cfg(feature = "inbox")]
    /// [`recover_into`](Self::recover_into), calling `progress` after each commit (the pages
    /// fetched meanwhile) with the report so far: for a progress bar.
    pub async fn recover_into_with_progress(
        &self,
        filter: &RecoveryFilter,
        inbox: &dyn Inbox,
        progress: &mut (dyn FnMut(&RecoveryReport) + Send),
    ) -> Result<RecoveryReport, ClientError> {
        self.recover_pages(EventPages::new::<C>(filter), Some(inbox), progress)
            .await
    }

    #[cfg(feature = "inbox")]
    /// Runs the reconciler over `inbox` until `options`' shutdown signal: every interval, the
    /// events created since the checkpoint (minus an overlap) are listed in both styles and
    /// those the inbox lacks are stored for the workers, logged as missed deliveries; then the
    /// checkpoint moves. Servers sharing the inbox take turns, one pass an interval. Run it
    /// beside [`run_inbox_workers`](Self::run_inbox_workers).
    pub async fn run_reconciler(&self, inbox: impl Inbox, options: crate::recovery::Reconciler) {
        let rate = options.requests_per_second;
        let inbox = std::sync::Arc::new(inbox);
        let handler = self.clone();
        let shared = std::sync::Arc::clone(&inbox);
        crate::recovery::run_reconciler(&*inbox, options, move |filter: RecoveryFilter| {
            let (handler, inbox) = (handler.clone(), std::sync::Arc::clone(&shared));
            async move {
                let pages = EventPages::new::<C>(&filter).at_most_per_second(rate);
                handler.recover_pages(pages, Some(&*inbox), &mut |_| {}).await
            }
        })
        .await;
    }

    /// Sends each event of every page to `sink`, and counts what it did, telling `progress`
    /// after each page (into an inbox: after each commit).
    async fn recover_pages(
        &self,
        mut pages: EventPages,
        sink: Sink<'_>,
        progress: &mut (dyn FnMut(&RecoveryReport) + Send),
    ) -> Result<RecoveryReport, ClientError> {
        #[cfg(feature = "inbox")]
        if let Some(inbox) = sink {
            return self.store_pages(pages, inbox, progress).await;
        }
        let _ = sink;
        let mut report = RecoveryReport::default();
        while let Some((style, page)) = pages.next(self.client()).await? {
            report.pages = report.pages.saturating_add(1);
            for event in page.events() {
                let outcome = self.handle_without_verification(event.as_bytes()).await;
                report.record(style, event, outcome);
            }
            progress(&report);
        }
        Ok(report)
    }

    /// [`recover_pages`](Self::recover_pages) into `inbox`. Fetching runs ahead of storing (by
    /// at most [`PAGES_AHEAD`] pages), and each commit stores every page fetched while the
    /// one before was under way: on a disk that syncs each commit, pages share a sync instead
    /// of queueing one behind the other, so the store keeps up with the API. A page that
    /// cannot be fetched ends recovery with its error once the pages before it are stored.
    #[cfg(feature = "inbox")]
    async fn store_pages(
        &self,
        mut pages: EventPages,
        inbox: &dyn Inbox,
        progress: &mut (dyn FnMut(&RecoveryReport) + Send),
    ) -> Result<RecoveryReport, ClientError> {
        let (fetched, mut to_store) = tokio::sync::mpsc::channel(PAGES_AHEAD);
        let client = self.client();
        let fetch = async move {
            while let Some(page) = pages.next(client).await.transpose() {
                let failed = page.is_err();
                // The receiver is gone only once storing has ended.
                if fetched.send(page).await.is_err() || failed {
                    break;
                }
            }
        };
        let store = async move {
            let mut report = RecoveryReport::default();
            while let Some(first) = to_store.recv().await {
                // This page and those fetched meanwhile, up to a failed fetch (the last).
                let (mut batch, mut failure) = (Vec::new(), None);
                for page in std::iter::once(first).chain(std::iter::from_fn(|| to_store.try_recv().ok())) {
                    match page {
                        Ok(page) => batch.push(page),
                        Err(error) => failure = Some(error),
                    }
                }
                let events: Vec<(EventStyle, &str)> = batch
                    .iter()
                    .flat_map(|(style, page)| page.events().map(move |event| (*style, event)))
                    .collect();
                if !events.is_empty() {
                    let bodies: Vec<&str> = events.iter().map(|(_, event)| *event).collect();
                    let outcomes = self.store_batch(&bodies, inbox).await;
                    for ((style, event), outcome) in events.into_iter().zip(outcomes) {
                        report.record(style, event, stored(style, event, outcome));
                    }
                }
                report.pages = report.pages.saturating_add(batch.len());
                progress(&report);
                if let Some(error) = failure {
                    return Err(error);
                }
            }
            Ok(report)
        };
        tokio::join!(fetch, store).1
    }
}

/// How many pages fetching may run ahead of storing: 100 events each.
#[cfg(feature = "inbox")]
const PAGES_AHEAD: usize = 8;

/// What storing a recovered event came to: an event the inbox lacked is one whose delivery was
/// lost, and is logged.
#[cfg(feature = "inbox")]
fn stored(
    style: EventStyle,
    event: &str,
    outcome: Result<Stored, HandleError>,
) -> Result<Handled, HandleError> {
    Ok(match outcome? {
        Stored::New => {
            tracing::warn!(
                event_id = %crate::recovery::event_id(event),
                style = style.as_str(),
                "recovered an event the endpoint never received"
            );
            #[cfg(feature = "metrics")]
            crate::metrics::recovery_missed(style.as_str());
            Handled::Callback
        }
        Stored::Duplicate => Handled::AlreadyProcessed,
    })
}

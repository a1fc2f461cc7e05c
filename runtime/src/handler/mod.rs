//! The dispatch engine: the frozen [`Handler`] that verifies, parses and routes each
//! notification, and the [`HandlerBuilder`] that registers its callbacks.
//!
//! The runtime names no event type: the generated crate supplies an [`EventCatalog`] (the sorted
//! type list and a `match` from type string to index) and one
//! [`KnownEventKind`](crate::KnownEventKind) per type. Callbacks live in a slice indexed by that
//! position, so routing is one `match` on the type string and one slice access.

mod builder;
#[cfg(feature = "inbox")]
mod inbox;
#[cfg(feature = "client")]
mod recover;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

pub use builder::HandlerBuilder;

use crate::catalog::{EventCatalog, EventInfo};
use crate::client::StripeClient;
use crate::envelope;
use crate::error::{CallbackResult, ConfigError, HandleError, PayloadError};
use crate::ledger::{Claim, EventLedger};
use crate::notification::{Conformed, Expected, Notification, RawNotification, UnknownEventNotification};
use crate::outcome::{Handled, UnhandledNotificationDetails};
use crate::signature::Verifier;
use crate::style::EventStyle;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A typed callback with its notification type erased: builds the typed notification from the
/// envelope and starts the user's future.
type ErasedCallback = Box<dyn Fn(RawNotification, StripeClient) -> BoxFuture<CallbackResult> + Send + Sync>;
type FallbackFn = Box<
    dyn Fn(UnknownEventNotification, StripeClient, UnhandledNotificationDetails) -> BoxFuture<CallbackResult>
        + Send
        + Sync,
>;
type PreHandleFn =
    Box<dyn Fn(UnknownEventNotification, StripeClient) -> BoxFuture<CallbackResult<bool>> + Send + Sync>;

/// What a handler is made of: gathered by the builder, then shared, frozen, by the handler.
struct Parts {
    client: StripeClient,
    verifier: Verifier,
    /// One slot per catalog event type, by index.
    callbacks: Vec<Option<ErasedCallback>>,
    fallback: FallbackFn,
    pre_handle: Option<PreHandleFn>,
    ledger: Option<Arc<dyn EventLedger>>,
    #[cfg(feature = "metrics")]
    metrics: crate::metrics::HandlerMetrics,
}

/// A frozen event notification handler: verifies, parses and routes notifications. `Send +
/// Sync`, and cheap to clone (the registrations are shared).
pub struct Handler<C: EventCatalog> {
    inner: Arc<Parts>,
    catalog: PhantomData<C>,
}

impl<C: EventCatalog> Clone for Handler<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            catalog: PhantomData,
        }
    }
}

impl<C: EventCatalog> fmt::Debug for Handler<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handler")
            .field("client", &self.inner.client)
            .field("verifier", &self.inner.verifier)
            .field("registered_event_types", &self.registered_event_types())
            .field("pre_handle", &self.inner.pre_handle.is_some())
            .finish_non_exhaustive()
    }
}

impl<C: EventCatalog> Handler<C> {
    /// Starts a builder: see [`HandlerBuilder::new`].
    pub fn builder<F, Fut>(
        client: StripeClient,
        webhook_secret: impl Into<String>,
        fallback: F,
    ) -> Result<HandlerBuilder<C>, ConfigError>
    where
        F: Fn(UnknownEventNotification, StripeClient, UnhandledNotificationDetails) -> Fut
            + Send
            + Sync
            + 'static,
        Fut: Future<Output = CallbackResult> + Send + 'static,
    {
        HandlerBuilder::new(client, webhook_secret, fallback)
    }

    /// Verifies `signature` (the `Stripe-Signature` header) for `body` (the raw request body),
    /// parses the notification and routes it: to its type's callback, else to the fallback.
    pub async fn handle(
        &self,
        body: &[u8],
        signature: Option<impl AsRef<[u8]>>,
    ) -> Result<Handled, HandleError> {
        self.deliver(|| {
            self.inner
                .verifier
                .verify(body, signature.as_ref().map(AsRef::as_ref))?;
            Ok(body)
        })
        .await
    }

    /// Verifies and parses a notification without routing it: the typed notification of its
    /// type (`C::Any`, the generated `AnyNotification`), for code that routes by hand
    /// (`match`) or queues the work itself. The same checks as [`handle`](Self::handle); the
    /// errors are `Signature` and `Payload` only. The notification's
    /// [`body`](crate::Notification::body) can be stored and parsed again later with
    /// [`parse_verified`](Self::parse_verified).
    pub fn parse(&self, body: &[u8], signature: Option<impl AsRef<[u8]>>) -> Result<C::Any, HandleError> {
        self.inner
            .verifier
            .verify(body, signature.as_ref().map(AsRef::as_ref))?;
        Ok(self.parse_verified(body)?)
    }

    /// Parses a body whose signature was verified before (a notification stored by the inbox,
    /// or by code of yours): the same checks as [`parse`](Self::parse) but the signature.
    pub fn parse_verified(&self, body: &[u8]) -> Result<C::Any, PayloadError> {
        let (raw, index) = self.classify(body)?;
        let client = self.client_for(&raw);
        Ok(C::any(index, Conformed(raw), client))
    }

    /// [`handle`](Self::handle) for code without an async runtime: runs the callbacks to
    /// completion on this thread. Callbacks must not need a runtime of their own (use the
    /// blocking client in them).
    pub fn handle_blocking(
        &self,
        body: &[u8],
        signature: Option<impl AsRef<[u8]>>,
    ) -> Result<Handled, HandleError> {
        pollster::block_on(self.handle(body, signature))
    }

    /// Routes a notification that arrived over an authenticated channel, without a signature:
    /// an AWS EventBridge event (`detail`, a thin or a snapshot event), an Azure Event Grid
    /// event (`data`), or a bare event of either style.
    pub async fn handle_without_verification(&self, body: &[u8]) -> Result<Handled, HandleError> {
        self.deliver(|| Ok(envelope::inner_event(body)?)).await
    }

    /// Dispatches the event `admit` gives (once verified, or out of its envelope), and with
    /// the `metrics` feature counts and times the delivery, refusals included.
    async fn deliver<'b>(
        &self,
        admit: impl FnOnce() -> Result<&'b [u8], HandleError>,
    ) -> Result<Handled, HandleError> {
        #[cfg(feature = "metrics")]
        let started = crate::metrics::Stopwatch::start();
        let (index, handled) = match admit() {
            Ok(event) => self.dispatch(event).await,
            Err(error) => (None, Err(error)),
        };
        #[cfg(feature = "metrics")]
        self.inner
            .metrics
            .delivery(index, metric_outcome(&handled), started.elapsed());
        #[cfg(not(feature = "metrics"))]
        let _ = index;
        handled
    }

    /// The event types with a registered callback, sorted.
    pub fn registered_event_types(&self) -> Vec<&'static str> {
        registered(C::EVENTS, &self.inner.callbacks)
    }

    /// The client callbacks get (before binding it to an event's context).
    pub fn client(&self) -> &StripeClient {
        &self.inner.client
    }

    /// The verifier this handler checks signatures with.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The envelope of `body`, conformed to what the catalog says of its type, and the type's
    /// index. Before anything runs, and whether a callback is registered or not: one verdict
    /// per body.
    fn classify(&self, body: &[u8]) -> Result<(RawNotification, Option<usize>), PayloadError> {
        let reading = RawNotification::read(body)?;
        let index = C::lookup(reading.style(), reading.event_type());
        let raw = reading.conform(index.and_then(|index| C::EVENTS.get(index)).map(|info| Expected {
            related: &info.related,
            snapshot: info.snapshot.as_ref(),
        }))?;
        Ok((raw, index))
    }

    /// The client a notification's callbacks get: bound to a thin event's context, or to a
    /// snapshot event's account.
    fn client_for(&self, raw: &RawNotification) -> StripeClient {
        match raw.style() {
            EventStyle::Thin => self.inner.client.with_stripe_context(raw.stripe_context()),
            EventStyle::Snapshot => self.inner.client.with_stripe_account(raw.account()),
        }
    }

    /// Parses and routes `body`: the index of its type, and what routing came to.
    async fn dispatch(&self, body: &[u8]) -> (Option<usize>, Result<Handled, HandleError>) {
        let (raw, index) = match self.classify(body) {
            Ok(classified) => classified,
            Err(error) => return (None, Err(error.into())),
        };
        let handled = match &self.inner.ledger {
            None => self.route(raw, index).await,
            // Boxed: the ledger's state would otherwise weigh on every handler's future (it is
            // moved, whole, at each step), and a ledger's round trips dwarf an allocation.
            Some(ledger) => Box::pin(self.route_once(&**ledger, raw, index)).await,
        };
        (index, handled)
    }

    /// [`route`](Self::route), at most once per event id as `ledger` keeps them.
    async fn route_once(
        &self,
        ledger: &dyn EventLedger,
        raw: RawNotification,
        index: Option<usize>,
    ) -> Result<Handled, HandleError> {
        // Keyed by occurrence: a thin event and its classic twin run once between them.
        let id = raw.clone();
        match ledger.claim(id.occurrence_id()).await? {
            Claim::Done => return Ok(Handled::AlreadyProcessed),
            Claim::Processing => return Err(HandleError::InProgress),
            Claim::Claimed => {}
        }
        let outcome = self.route(raw, index).await;
        match &outcome {
            Ok(_) => ledger.mark_done(id.occurrence_id()).await?,
            Err(_) => {
                // The failure is what the caller must see; a failed release only delays the
                // retry until the claim expires.
                if let Err(_error) = ledger.release(id.occurrence_id()).await {
                    #[cfg(feature = "tracing")]
                    tracing::error!(error = %_error, event_id = id.id(), "could not release a failed event's claim");
                }
            }
        }
        outcome
    }

    /// `pre_handle`, then the type's callback or the fallback.
    async fn route(&self, raw: RawNotification, index: Option<usize>) -> Result<Handled, HandleError> {
        let inner = &*self.inner;
        #[cfg(feature = "tracing")]
        let span = tracing::debug_span!(
            "stripe_notification",
            id = raw.id(),
            event_type = raw.event_type()
        );
        let client = self.client_for(&raw);
        if let Some(pre_handle) = &inner.pre_handle {
            let notification = Notification::new(raw.clone(), client.clone());
            if !pre_handle(notification, client.clone())
                .await
                .map_err(HandleError::PreHandle)?
            {
                return Ok(Handled::Skipped);
            }
        }
        let callback = index
            .and_then(|index| inner.callbacks.get(index))
            .and_then(Option::as_ref);
        let (running, handled) = match callback {
            Some(callback) => (callback(raw, client), Handled::Callback),
            None => {
                let details = UnhandledNotificationDetails {
                    is_known_event_type: index.is_some(),
                };
                let notification = Notification::new(raw, client.clone());
                (
                    (inner.fallback)(notification, client, details),
                    Handled::Fallback(details),
                )
            }
        };
        #[cfg(feature = "tracing")]
        let running = tracing::Instrument::instrument(running, span);
        #[cfg(feature = "metrics")]
        let started = crate::metrics::Stopwatch::start();
        let ran = running.await;
        #[cfg(feature = "metrics")]
        inner.metrics.callback(index, started.elapsed());
        ran.map_err(HandleError::Callback)?;
        Ok(handled)
    }
}

/// What handling came to, as the metrics label it.
#[cfg(feature = "metrics")]
pub(crate) fn metric_outcome(handled: &Result<Handled, HandleError>) -> crate::metrics::Outcome {
    use crate::metrics::Outcome;
    match handled {
        Ok(Handled::Callback) => Outcome::Callback,
        Ok(Handled::Fallback(details)) if details.is_known_event_type => Outcome::FallbackKnown,
        Ok(Handled::Fallback(_)) => Outcome::FallbackUnknown,
        Ok(Handled::Skipped) => Outcome::Skipped,
        Ok(Handled::AlreadyProcessed) => Outcome::AlreadyProcessed,
        Err(error) => metric_failure(error),
    }
}

/// A refusal or a failure, as the metrics label it.
#[cfg(feature = "metrics")]
pub(crate) fn metric_failure(error: &HandleError) -> crate::metrics::Outcome {
    use crate::metrics::Outcome;
    match error.category() {
        "signature" => Outcome::RefusedSignature,
        "timestamp" => Outcome::RefusedTimestamp,
        "payload" => Outcome::RefusedPayload,
        "in_progress" => Outcome::InProgress,
        "callback" => Outcome::FailedCallback,
        "ledger" => Outcome::FailedLedger,
        _ => Outcome::FailedInbox,
    }
}

fn registered<T>(events: &'static [EventInfo], callbacks: &[Option<T>]) -> Vec<&'static str> {
    events
        .iter()
        .zip(callbacks)
        .filter_map(|(info, callback)| callback.as_ref().map(|_| info.event_type))
        .collect()
}

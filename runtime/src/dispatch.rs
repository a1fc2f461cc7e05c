//! The dispatch engine: a builder that registers callbacks per event type, and the frozen
//! [`Handler`] that verifies, parses and routes each notification.
//!
//! The runtime names no event type: the generated crate supplies an [`EventCatalog`] (the sorted
//! type list and a `match` from type string to index) and one
//! [`KnownEventKind`] per type.
//! Callbacks live in a slice indexed by that position, so routing is one `match` on the type
//! string and one slice access.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use tracing::Instrument;

use crate::catalog::{EventCatalog, EventInfo};
use crate::client::StripeClient;
use crate::envelope;
use crate::error::{CallbackResult, ConfigError, HandleError};
use crate::ledger::{Claim, EventLedger};
use crate::notification::{KnownEventKind, Notification, RawNotification, UnknownEventNotification};
use crate::signature::{Clock, Tolerance, Verifier, WebhookSecret};

/// Given to the fallback: why no typed callback ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnhandledNotificationDetails {
    /// `true` when the type is in the generated catalog but has no callback registered; `false`
    /// for a type this crate was not generated with (Stripe added it since).
    pub is_known_event_type: bool,
}

/// What [`Handler::handle`] did with a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    /// The type's registered callback ran.
    Callback,
    /// The fallback ran.
    Fallback(UnhandledNotificationDetails),
    /// `pre_handle` returned `false`; nothing else ran.
    Skipped,
    /// The ledger holds the event as processed already (a redelivery); nothing ran.
    AlreadyProcessed,
}

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

/// Registers callbacks; [`build`](Self::build) freezes them into a [`Handler`].
pub struct HandlerBuilder<C: EventCatalog> {
    parts: Parts,
    catalog: PhantomData<C>,
}

/// What a handler is made of: gathered by the builder, then shared, frozen, by the handler.
struct Parts {
    client: StripeClient,
    verifier: Verifier,
    /// One slot per catalog event type, by index.
    callbacks: Vec<Option<ErasedCallback>>,
    fallback: FallbackFn,
    pre_handle: Option<PreHandleFn>,
    ledger: Option<Arc<dyn EventLedger>>,
}

impl<C: EventCatalog> fmt::Debug for HandlerBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerBuilder")
            .field("client", &self.parts.client)
            .field("verifier", &self.parts.verifier)
            .field(
                "registered_event_types",
                &registered(C::EVENTS, &self.parts.callbacks),
            )
            .finish_non_exhaustive()
    }
}

impl<C: EventCatalog> HandlerBuilder<C> {
    /// A builder with the client callbacks get, the endpoint's webhook secret, and the fallback
    /// for every notification without a registered callback. A blank secret is an error.
    pub fn new<F, Fut>(
        client: StripeClient,
        webhook_secret: impl Into<String>,
        fallback: F,
    ) -> Result<Self, ConfigError>
    where
        F: Fn(UnknownEventNotification, StripeClient, UnhandledNotificationDetails) -> Fut
            + Send
            + Sync
            + 'static,
        Fut: Future<Output = CallbackResult> + Send + 'static,
    {
        Ok(Self {
            parts: Parts {
                client,
                verifier: Verifier::new([&WebhookSecret::new(webhook_secret)?]),
                callbacks: std::iter::repeat_with(|| None).take(C::EVENTS.len()).collect(),
                fallback: Box::new(move |notification, client, details| {
                    Box::pin(fallback(notification, client, details))
                }),
                pre_handle: None,
                ledger: None,
            },
            catalog: PhantomData,
        })
    }

    /// Registers the callback for event type `K`; a second registration for the same type is an
    /// error. The generated `on_*` methods call this.
    pub fn on<K, F, Fut>(mut self, callback: F) -> Result<Self, ConfigError>
    where
        K: KnownEventKind,
        F: Fn(Notification<K>, StripeClient) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallbackResult> + Send + 'static,
    {
        let slot = self
            .parts
            .callbacks
            .get_mut(K::INDEX)
            .filter(|_| C::EVENTS.get(K::INDEX).map(|info| info.event_type) == Some(K::EVENT_TYPE))
            .ok_or(ConfigError::UnknownEventType(K::EVENT_TYPE))?;
        if slot.is_some() {
            return Err(ConfigError::DuplicateCallback(K::EVENT_TYPE));
        }
        *slot = Some(Box::new(move |raw, client| {
            let notification = Notification::<K>::new(raw, client.clone());
            Box::pin(callback(notification, client))
        }));
        Ok(self)
    }

    /// Sets a hook that runs before any callback or the fallback; returning `false` stops the
    /// notification there. Setting it twice is an error.
    pub fn pre_handle<F, Fut>(mut self, hook: F) -> Result<Self, ConfigError>
    where
        F: Fn(UnknownEventNotification, StripeClient) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallbackResult<bool>> + Send + 'static,
    {
        if self.parts.pre_handle.is_some() {
            return Err(ConfigError::DuplicatePreHandle);
        }
        self.parts.pre_handle = Some(Box::new(move |notification, client| {
            Box::pin(hook(notification, client))
        }));
        Ok(self)
    }

    /// Processes each event once: see [`ledger`](crate::ledger). A redelivery of a processed
    /// event answers success without running anything; one arriving while the event is being
    /// processed is refused ([`HandleError::InProgress`]); a failure lets a redelivery run again.
    pub fn ledger(mut self, ledger: impl EventLedger) -> Self {
        self.parts.ledger = Some(Arc::new(ledger));
        self
    }

    /// Adds another accepted secret, for rotating the endpoint's secret without downtime.
    pub fn add_secret(mut self, webhook_secret: impl Into<String>) -> Result<Self, ConfigError> {
        self.parts.verifier = self
            .parts
            .verifier
            .with_secret(&WebhookSecret::new(webhook_secret)?);
        Ok(self)
    }

    /// Sets the timestamp tolerance (default 300 s).
    pub fn tolerance(mut self, tolerance: Tolerance) -> Self {
        self.parts.verifier = self.parts.verifier.with_tolerance(tolerance);
        self
    }

    /// Sets the clock timestamps are checked against (default: the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.parts.verifier = self.parts.verifier.with_clock(clock);
        self
    }

    /// Freezes the registrations into a handler.
    pub fn build(self) -> Handler<C> {
        let mut parts = self.parts;
        parts.client = parts.client.with_default_api_version(C::API_VERSION);
        Handler {
            inner: Arc::new(parts),
            catalog: PhantomData,
        }
    }
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
    ) -> Result<C::Builder, ConfigError>
    where
        F: Fn(UnknownEventNotification, StripeClient, UnhandledNotificationDetails) -> Fut
            + Send
            + Sync
            + 'static,
        Fut: Future<Output = CallbackResult> + Send + 'static,
    {
        HandlerBuilder::new(client, webhook_secret, fallback).map(C::Builder::from)
    }

    /// Verifies `signature` (the `Stripe-Signature` header) for `body` (the raw request body),
    /// parses the notification and routes it: to its type's callback, else to the fallback.
    pub async fn handle(
        &self,
        body: &[u8],
        signature: Option<impl AsRef<[u8]>>,
    ) -> Result<Handled, HandleError> {
        self.inner
            .verifier
            .verify(body, signature.as_ref().map(AsRef::as_ref))?;
        self.dispatch(body).await
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
    /// an AWS EventBridge event (`detail`), an Azure Event Grid event (`data`), or a bare thin
    /// event.
    pub async fn handle_without_verification(&self, body: &[u8]) -> Result<Handled, HandleError> {
        self.dispatch(envelope::unwrap(body)?).await
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

    async fn dispatch(&self, body: &[u8]) -> Result<Handled, HandleError> {
        let mut raw = RawNotification::read(body)?;
        let index = C::index_of(raw.event_type());
        // Before anything runs, and whether a callback is registered or not: one verdict per body.
        raw.conform(
            index
                .and_then(|index| C::EVENTS.get(index))
                .map(|info| &info.related),
        )?;
        match &self.inner.ledger {
            None => self.route(raw, index).await,
            // Boxed: the ledger's state would otherwise weigh on every handler's future (it is
            // moved, whole, at each step), and a ledger's round trips dwarf an allocation.
            Some(ledger) => Box::pin(self.route_once(&**ledger, raw, index)).await,
        }
    }

    /// [`route`](Self::route), at most once per event id as `ledger` keeps them.
    async fn route_once(
        &self,
        ledger: &dyn EventLedger,
        raw: RawNotification,
        index: Option<usize>,
    ) -> Result<Handled, HandleError> {
        let id = raw.clone();
        match ledger.claim(id.id()).await? {
            Claim::Done => return Ok(Handled::AlreadyProcessed),
            Claim::Processing => return Err(HandleError::InProgress),
            Claim::Claimed => {}
        }
        let outcome = self.route(raw, index).await;
        match &outcome {
            Ok(_) => ledger.mark_done(id.id()).await?,
            Err(_) => {
                // The failure is what the caller must see; a failed release only delays the
                // retry until the claim expires.
                if let Err(error) = ledger.release(id.id()).await {
                    tracing::error!(%error, event_id = id.id(), "could not release a failed event's claim");
                }
            }
        }
        outcome
    }

    /// `pre_handle`, then the type's callback or the fallback.
    async fn route(&self, raw: RawNotification, index: Option<usize>) -> Result<Handled, HandleError> {
        let inner = &*self.inner;
        let span = tracing::debug_span!(
            "stripe_notification",
            id = raw.id(),
            event_type = raw.event_type()
        );
        let client = inner.client.with_stripe_context(raw.stripe_context());
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
        running.instrument(span).await.map_err(HandleError::Callback)?;
        Ok(handled)
    }
}

fn registered<T>(events: &'static [EventInfo], callbacks: &[Option<T>]) -> Vec<&'static str> {
    events
        .iter()
        .zip(callbacks)
        .filter_map(|(info, callback)| callback.as_ref().map(|_| info.event_type))
        .collect()
}

//! Registering callbacks: the builder that [`build`](HandlerBuilder::build) freezes into a
//! [`Handler`].

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use super::{BoxFuture, Handler, Parts, registered};
use crate::catalog::{EventCatalog, KnownEventKind};
use crate::client::StripeClient;
use crate::clock::Clock;
use crate::error::{CallbackResult, ConfigError};
use crate::ledger::EventLedger;
use crate::notification::{Notification, UnknownEventNotification};
use crate::outcome::UnhandledNotificationDetails;
use crate::signature::{Tolerance, Verifier, WebhookSecret};

/// Registers callbacks and options; [`build`](Self::build) freezes them into a [`Handler`].
/// The generated crate adds one `on_*` method per event type (its `RegisterCallbacks` trait).
pub struct HandlerBuilder<C: EventCatalog> {
    parts: Parts,
    catalog: PhantomData<C>,
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
                #[cfg(feature = "metrics")]
                metrics: crate::metrics::HandlerMetrics::new(C::EVENTS.iter().map(|info| info.event_type)),
            },
            catalog: PhantomData,
        })
    }

    /// Registers the callback for event kind `K`, one of this catalog's; a second registration
    /// for the same type is an error. The generated `on_*` methods call this.
    pub fn on<K, F, Fut>(mut self, callback: F) -> Result<Self, ConfigError>
    where
        K: KnownEventKind<Catalog = C>,
        F: Fn(Notification<K>, StripeClient) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CallbackResult> + Send + 'static,
    {
        // The catalog's own compile-time checks make the slot exist; a hand-written kind with
        // a wrong index is refused rather than trusted.
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
            Box::pin(callback(notification, client)) as BoxFuture<CallbackResult>
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
    /// processed is refused ([`HandleError::InProgress`](crate::HandleError::InProgress)); a
    /// failure lets a redelivery run again.
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

    /// Freezes the registrations into a handler: nothing can be registered after this.
    pub fn build(self) -> Handler<C> {
        #[cfg(feature = "client")]
        let parts = Parts {
            client: self.parts.client.with_default_api_version(C::API_VERSION),
            ..self.parts
        };
        #[cfg(not(feature = "client"))]
        let parts = self.parts;
        Handler {
            inner: Arc::new(parts),
            catalog: PhantomData,
        }
    }
}

//! Event notifications of both styles: the untyped envelope parsed from the body
//! ([`RawNotification`]), the typed [`Notification`] handed to callbacks, bound to a client, what
//! a snapshot event carries ([`Snapshot`]), and the [`Event`] a thin one fetches.
//!
//! A notification keeps one shared copy of its body and where each of its strings lies in it:
//! building a thin one costs a single allocation whatever the event (a snapshot one, one or two
//! more for what only it has), and cloning it (for `pre_handle`) none.

mod event;
#[cfg(feature = "client")]
mod fetch;
mod parse;
mod raw;
mod scan;
mod snapshot;
mod timestamp;

use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use jiff::Timestamp;
use serde::Deserialize;

pub use event::Event;
#[cfg(feature = "client")]
pub use fetch::FetchedObject;
pub(crate) use raw::Expected;
pub use raw::RawNotification;
pub use snapshot::Snapshot;

use crate::client::StripeClient;
use crate::context::StripeContext;
use crate::error::ObjectError;
use crate::kind::{EventKind, Unknown};
use crate::related::RelatedObjectShape;
use crate::style::EventStyle;

/// The `object` value of a thin event.
pub const THIN_EVENT_OBJECT: &str = "v2.core.event";

/// The `object` value of a classic snapshot event.
pub const SNAPSHOT_EVENT_OBJECT: &str = "event";

/// Why an event happened: `reason.type` and the API request behind it. `S` is `&str` in a
/// notification (borrowed from it) and `String` in a fetched [`Event`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Reason<S = String> {
    /// The reason type; `request` for events caused by an API request.
    #[serde(rename = "type")]
    pub reason_type: S,
    /// The API request behind the event, for `request` reasons.
    #[serde(default)]
    pub request: Option<ReasonRequest<S>>,
}

/// The API request that caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReasonRequest<S = String> {
    /// The request id, `req_...`.
    pub id: S,
    /// The idempotency key sent with the request.
    #[serde(default)]
    pub idempotency_key: Option<S>,
}

/// A notification handled without a typed callback (given to the fallback and to
/// `pre_handle`): its type is a string, its related object of any shape.
pub type UnknownEventNotification = Notification<Unknown>;

/// A notification whose related object was checked against the shape of the catalog entry it
/// was looked up as: what the generated `AnyNotification` is made from.
#[doc(hidden)]
pub struct Conformed(pub(crate) RawNotification);

/// A verified event notification of kind `K`, of either style, bound to a client for its
/// context. A thin one names the object to fetch; a snapshot one also carries the object as it
/// was ([`snapshot`](Self::snapshot)).
pub struct Notification<K: EventKind> {
    raw: RawNotification,
    client: StripeClient,
    /// A snapshot's object, read on the first ask. Boxed: a thin notification carries one
    /// pointer for it, whatever the size of the type.
    object: ObjectCell<K::Object>,
    kind: PhantomData<fn() -> K>,
}

/// A snapshot's object, read once.
type ObjectCell<T> = OnceLock<Box<Result<T, ObjectError>>>;

impl<K: EventKind> Notification<K> {
    /// Binds the notification to `client`, which must be in the event's context
    /// ([`RawNotification::stripe_context`]). Its related object must have been conformed to
    /// `K`'s shape.
    pub(crate) fn new(raw: RawNotification, client: StripeClient) -> Self {
        Self {
            raw,
            client,
            object: OnceLock::new(),
            kind: PhantomData,
        }
    }

    /// The notification of a body the runtime conformed to `K`'s catalog entry (the generated
    /// `AnyNotification` is built so).
    #[doc(hidden)]
    pub fn from_conformed(conformed: Conformed, client: StripeClient) -> Self {
        Self::new(conformed.0, client)
    }

    /// The untyped envelope.
    #[doc(hidden)]
    pub fn envelope(&self) -> &RawNotification {
        &self.raw
    }

    /// Event id, `evt_...`.
    pub fn id(&self) -> &str {
        self.raw.id()
    }

    /// Thin or snapshot: the style of the destination that sent it.
    pub fn style(&self) -> EventStyle {
        self.raw.style()
    }

    /// What a snapshot event carries: the object as it was when the event happened, its
    /// previous attributes, the API version it was rendered at; `None` for a thin event.
    pub fn snapshot(&self) -> Option<Snapshot<'_, K>> {
        (self.raw.style() == EventStyle::Snapshot).then(|| Snapshot::new(&self.raw, &self.object))
    }

    /// The body as received, signature aside: store it to handle the notification later
    /// ([`Handler::parse_verified`](crate::Handler::parse_verified)).
    pub fn body(&self) -> &[u8] {
        self.raw.body()
    }

    /// The event type string, as sent: `v1.invoice.paid` in a thin event, `invoice.paid` in a
    /// snapshot event.
    pub fn event_type(&self) -> &str {
        self.raw.event_type()
    }

    /// When the event was created.
    pub fn created(&self) -> Timestamp {
        self.raw.created()
    }

    /// Live mode or test mode.
    pub fn livemode(&self) -> bool {
        self.raw.livemode()
    }

    /// The account path the event belongs to (the context its client is bound to): a thin
    /// event's `context`, a snapshot event's `account`.
    pub fn context(&self) -> Option<&StripeContext> {
        self.client.context()
    }

    /// Why a thin event happened (a snapshot event has its [`request`](Snapshot::request)).
    pub fn reason(&self) -> Option<Reason<&str>> {
        self.raw.reason()
    }

    /// The object the event is about, in the shape of `K`'s related object. For a snapshot event
    /// it is `data.object`'s id and type, and the URL the type's resource is fetched from.
    pub fn related_object(&self) -> <K::RelatedObject as RelatedObjectShape>::View<'_> {
        K::RelatedObject::view(self.raw.related_object())
    }

    /// The client bound to this event's context.
    pub fn client(&self) -> &StripeClient {
        &self.client
    }
}

impl<K: EventKind> Clone for Notification<K> {
    fn clone(&self) -> Self {
        // The clone reads a snapshot's object again if asked: the object's type need not be
        // `Clone`, and `pre_handle`'s clone seldom reads it.
        Self {
            raw: self.raw.clone(),
            client: self.client.clone(),
            object: OnceLock::new(),
            kind: PhantomData,
        }
    }
}

impl<K: EventKind> fmt::Debug for Notification<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id())
            .field("type", &self.event_type())
            .field("created", &self.created())
            .field("livemode", &self.livemode())
            .field("context", &self.context())
            .field("reason", &self.reason())
            .field("related_object", &self.related_object())
            .field("style", &self.style())
            .finish_non_exhaustive()
    }
}

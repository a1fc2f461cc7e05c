//! Thin event notifications: the envelope parsed borrowed from the body ([`raw`]), and the
//! owned, typed [`Notification`] handed to callbacks.
//!
//! A notification owns its strings in one shared buffer, copied once from the body: building
//! one costs a single allocation whatever the event, and cloning it (for `pre_handle`) none.

pub mod raw;
mod related;
mod timestamp;

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use raw::{RawNotification, THIN_EVENT_OBJECT, Text};
pub(crate) use raw::{describe_json_error, truncate};
pub use related::{
    AnyRelatedObject, HasAnyRelatedObject, HasNoRelatedObject, HasRelatedObject, HasSingletonRelatedObject,
    RelatedObject, RelatedObjectShape, SingletonRelatedObject,
};

use crate::client::StripeClient;
use crate::context::StripeContext;
use crate::error::PayloadError;

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

/// What an event type is: its `data`, the shape of its related object, and the resource that
/// object fetches as. The generated crate implements it for every event type in the spec.
pub trait EventKind: Send + Sync + 'static {
    /// The event's `data` (as returned by `fetch_event`).
    type Data: DeserializeOwned + fmt::Debug + Send + 'static;
    /// The shape of `related_object`.
    type RelatedObject: RelatedObjectShape;
    /// What `fetch_related_object` returns: the resource's struct, or `serde_json::Value` when
    /// the spec does not define it.
    type Resource: DeserializeOwned + fmt::Debug + Send + 'static;
}

/// An event type known at compile time, with its position in the catalog's sorted type list.
pub trait KnownEventKind: EventKind {
    /// The event type string.
    const EVENT_TYPE: &'static str;
    /// Index of [`Self::EVENT_TYPE`] in [`EventCatalog::EVENTS`](crate::EventCatalog::EVENTS).
    const INDEX: usize;
}

/// The kind of a notification handled without a typed callback: any type, any related object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unknown;

impl EventKind for Unknown {
    type Data = serde_json::Value;
    type RelatedObject = HasAnyRelatedObject;
    type Resource = serde_json::Value;
}

/// A notification handled without a typed callback (given to the fallback and to
/// `pre_handle`): its type is a string, its related object of any shape.
pub type UnknownEventNotification = Notification<Unknown>;

/// The strings a notification keeps, in the order they lie in its buffer.
#[derive(Clone, Copy)]
enum Field {
    Id,
    EventType,
    Context,
    ReasonType,
    RequestId,
    IdempotencyKey,
    RelatedId,
    RelatedType,
    RelatedUrl,
}

const FIELDS: usize = 9;

/// What every notification holds, whatever its kind: its strings in one buffer and where each
/// ends. Small (it moves through every step of dispatch) and cheap to clone.
#[derive(Clone)]
pub(crate) struct Core {
    strings: Arc<str>,
    /// Where each [`Field`] ends in `strings`; it starts where the one before it ends.
    ends: [u32; FIELDS],
    /// Bit `field` is set when the field was sent.
    present: u16,
    created: Timestamp,
    livemode: bool,
}

thread_local! {
    /// Scratch space to gather a notification's strings before the one allocation that keeps
    /// them; reused across notifications on a thread.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

impl Core {
    /// Copies what a notification keeps out of the parsed envelope.
    pub(crate) fn new(raw: &RawNotification<'_>) -> Result<Self, PayloadError> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut buffer) => Self::gather(raw, &mut buffer),
            // Only reentrancy could hold the borrow; a fresh buffer serves as well.
            Err(_) => Self::gather(raw, &mut String::new()),
        })
    }

    fn gather(raw: &RawNotification<'_>, buffer: &mut String) -> Result<Self, PayloadError> {
        buffer.clear();
        let (reason, request) = (
            raw.reason.as_ref(),
            raw.reason.as_ref().and_then(|r| r.request.as_ref()),
        );
        let related = raw.related_object.as_ref();
        // In `Field` order.
        let fields: [Option<&str>; FIELDS] = [
            Some(&raw.id),
            Some(&raw.event_type),
            raw.context.as_deref(),
            reason.map(|reason| &*reason.reason_type),
            request.map(|request| &*request.id),
            request.and_then(|request| request.idempotency_key.as_deref()),
            related.and_then(|related| related.id.as_deref()),
            related.map(|related| &*related.object_type),
            related.map(|related| &*related.url),
        ];
        let (mut ends, mut present) = ([0u32; FIELDS], 0u16);
        for (bit, (field, end)) in fields.iter().zip(&mut ends).enumerate() {
            if let Some(text) = field {
                buffer.push_str(text);
                present |= 1 << bit;
            }
            *end = u32::try_from(buffer.len())
                .map_err(|_| PayloadError::invalid("the notification's strings exceed 4 GiB"))?;
        }
        Ok(Self {
            strings: Arc::from(buffer.as_str()),
            ends,
            present,
            created: raw.created,
            livemode: raw.livemode,
        })
    }

    /// Where `field` lies in `strings`, when it was sent.
    fn range(&self, field: Field) -> Option<(usize, usize)> {
        let index = field as usize;
        if self.present & (1 << index) == 0 {
            return None;
        }
        let start = index
            .checked_sub(1)
            .and_then(|before| self.ends.get(before))
            .copied()
            .unwrap_or(0);
        Some((
            usize::try_from(start).ok()?,
            usize::try_from(*self.ends.get(index)?).ok()?,
        ))
    }

    fn get(&self, field: Field) -> Option<&str> {
        self.range(field)
            .and_then(|(start, end)| self.strings.get(start..end))
    }

    pub(crate) fn id(&self) -> &str {
        self.get(Field::Id).unwrap_or_default()
    }

    pub(crate) fn event_type(&self) -> &str {
        self.get(Field::EventType).unwrap_or_default()
    }

    /// The event's context, sharing the notification's buffer; `None` when it has none.
    pub(crate) fn stripe_context(&self) -> Option<StripeContext> {
        let (start, end) = self.range(Field::Context)?;
        StripeContext::within(&self.strings, start, end)
    }

    fn reason(&self) -> Option<Reason<&str>> {
        Some(Reason {
            reason_type: self.get(Field::ReasonType)?,
            request: self.get(Field::RequestId).map(|id| ReasonRequest {
                id,
                idempotency_key: self.get(Field::IdempotencyKey),
            }),
        })
    }

    fn related(&self) -> Option<AnyRelatedObject<&str>> {
        Some(AnyRelatedObject {
            id: self.get(Field::RelatedId),
            object_type: self.get(Field::RelatedType)?,
            url: self.get(Field::RelatedUrl)?,
        })
    }
}

/// A verified thin event notification of kind `K`, bound to a client for its context.
pub struct Notification<K: EventKind> {
    core: Core,
    client: StripeClient,
    kind: PhantomData<fn() -> K>,
}

impl<K: EventKind> Notification<K> {
    /// Checks the related object's shape against `K`'s and binds the notification to `client`,
    /// which must be in the event's context ([`Core::stripe_context`]).
    pub(crate) fn new(core: Core, client: StripeClient) -> Result<Self, PayloadError> {
        K::RelatedObject::check(core.related().as_ref(), core.event_type())?;
        Ok(Self {
            core,
            client,
            kind: PhantomData,
        })
    }

    /// Event id, `evt_...`.
    pub fn id(&self) -> &str {
        self.core.id()
    }

    /// The event type string.
    pub fn event_type(&self) -> &str {
        self.core.event_type()
    }

    /// When the event was created.
    pub fn created(&self) -> Timestamp {
        self.core.created
    }

    /// Live mode or test mode.
    pub fn livemode(&self) -> bool {
        self.core.livemode
    }

    /// The account path the event belongs to (the context its client is bound to).
    pub fn context(&self) -> Option<&StripeContext> {
        self.client.context()
    }

    /// Why the event happened.
    pub fn reason(&self) -> Option<Reason<&str>> {
        self.core.reason()
    }

    /// The object the event is about, in the shape of `K`'s related object.
    pub fn related_object(&self) -> <K::RelatedObject as RelatedObjectShape>::View<'_> {
        K::RelatedObject::view(self.core.related())
    }

    /// Where the related object is fetched from; `None` when there is none.
    pub(crate) fn related_url(&self) -> Option<&str> {
        self.core
            .get(Field::RelatedUrl)
            .filter(|_| K::RelatedObject::FETCHES)
    }

    /// The client bound to this event's context.
    pub fn client(&self) -> &StripeClient {
        &self.client
    }
}

impl<K: EventKind> Clone for Notification<K> {
    fn clone(&self) -> Self {
        Self {
            core: self.core.clone(),
            client: self.client.clone(),
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
            .finish_non_exhaustive()
    }
}

/// A full event as returned by `GET /v2/core/events/{id}`, with its typed `data`.
#[derive(Deserialize)]
#[serde(bound(deserialize = ""))]
pub struct Event<K: EventKind> {
    /// Event id.
    pub id: String,
    /// Event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event was created.
    pub created: Timestamp,
    /// Live mode or test mode.
    #[serde(default)]
    pub livemode: bool,
    /// The account path the event belongs to.
    #[serde(default, deserialize_with = "crate::context::deserialize_optional")]
    pub context: Option<StripeContext>,
    /// Why the event happened.
    #[serde(default)]
    pub reason: Option<Reason>,
    /// The object the event is about.
    #[serde(default)]
    pub related_object: Option<AnyRelatedObject>,
    /// The event's data, typed from the spec.
    pub data: K::Data,
    /// Before and after states of the related object, for events that carry them.
    #[serde(default)]
    pub changes: Option<serde_json::Value>,
    #[serde(skip)]
    kind: PhantomData<fn() -> K>,
}

impl<K: EventKind> fmt::Debug for Event<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("type", &self.event_type)
            .field("created", &self.created)
            .field("livemode", &self.livemode)
            .field("context", &self.context)
            .field("reason", &self.reason)
            .field("related_object", &self.related_object)
            .field("data", &self.data)
            .field("changes", &self.changes)
            .finish()
    }
}

//! Thin event notifications: the borrowed envelope parsed from the body, and the owned,
//! typed [`Notification`] handed to callbacks.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::StripeClient;
use crate::context::StripeContext;
use crate::error::PayloadError;

/// A string of the body: borrowed when it has no escapes, decoded into an owned string when it
/// has. (serde's own `Cow<str>` borrows only as a direct field, never inside an `Option`.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    /// Whether the text points into the body (no copy was made).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(text)))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// The `object` value of a thin event.
pub const THIN_EVENT_OBJECT: &str = "v2.core.event";

/// The envelope of a thin event notification, borrowing from the body where it can.
#[derive(Debug, Deserialize)]
pub struct RawNotification<'a> {
    /// Event id, `evt_...`.
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    object: Option<Text<'a>>,
    /// Event type, `v1.billing.meter.error_report_triggered`.
    #[serde(borrow, rename = "type")]
    pub event_type: Text<'a>,
    /// When the event was created.
    pub created: Timestamp,
    /// Live mode or test mode.
    #[serde(default)]
    pub livemode: bool,
    /// The account path; `""` and `null` mean none.
    #[serde(borrow, default)]
    pub context: Option<Text<'a>>,
    /// Why the event happened.
    #[serde(borrow, default)]
    pub reason: Option<RawReason<'a>>,
    /// The object the event is about.
    #[serde(borrow, default)]
    pub related_object: Option<RawRelatedObject<'a>>,
}

/// `reason` as sent, borrowed.
#[derive(Debug, Deserialize)]
pub struct RawReason<'a> {
    #[serde(borrow, rename = "type")]
    reason_type: Text<'a>,
    #[serde(borrow, default)]
    request: Option<RawReasonRequest<'a>>,
}

#[derive(Debug, Deserialize)]
struct RawReasonRequest<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow, default)]
    idempotency_key: Option<Text<'a>>,
}

impl RawReason<'_> {
    /// The owned reason.
    pub fn to_owned_reason(&self) -> Reason {
        Reason {
            reason_type: self.reason_type.as_ref().to_owned(),
            request: self.request.as_ref().map(|request| ReasonRequest {
                id: request.id.as_ref().to_owned(),
                idempotency_key: request.idempotency_key.as_deref().map(str::to_owned),
            }),
        }
    }
}

/// `related_object` as sent: `id` is absent or null for singleton resources.
#[derive(Debug, Deserialize)]
pub struct RawRelatedObject<'a> {
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, rename = "type")]
    object_type: Text<'a>,
    #[serde(borrow)]
    url: Text<'a>,
}

/// Just the `object` field, to name a payload that failed to parse as a thin event.
#[derive(Deserialize)]
struct ObjectProbe<'a> {
    #[serde(borrow, default)]
    object: Option<Text<'a>>,
}

impl<'a> RawNotification<'a> {
    /// Parses a body: UTF-8, a JSON object, `object` `v2.core.event` or absent, `id`, `type`
    /// and `created` present.
    pub fn parse(body: &'a [u8]) -> Result<Self, PayloadError> {
        // serde_json checks UTF-8 itself (JSON outside strings is ASCII, strings are checked as
        // they are read), so the valid path makes one pass; the error path says what is wrong.
        match serde_json::from_slice::<Self>(body) {
            Ok(raw) => {
                check_object(raw.object.as_deref())?;
                Ok(raw)
            }
            Err(error) => {
                if let Err(e) = std::str::from_utf8(body) {
                    return Err(PayloadError::invalid(format_args!(
                        "the body is not UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    )));
                }
                // A classic event or another object fails the envelope's shape (its `created`
                // is a number, say): name it rather than the first field that did not fit.
                if let Ok(probe) = serde_json::from_slice::<ObjectProbe<'_>>(body) {
                    check_object(probe.object.as_deref())?;
                }
                Err(PayloadError::invalid(describe_json_error(&error)))
            }
        }
    }

    /// The context, if any.
    pub fn stripe_context(&self) -> Option<StripeContext> {
        self.context.as_deref().and_then(StripeContext::parse)
    }
}

fn check_object(object: Option<&str>) -> Result<(), PayloadError> {
    match object {
        None | Some(THIN_EVENT_OBJECT) => Ok(()),
        Some("event") => Err(PayloadError::SnapshotEvent),
        Some(other) => Err(PayloadError::UnexpectedObject(truncate(other, 64).to_owned())),
    }
}

pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Syntax | Category::Eof => "the body is not JSON",
        Category::Data => "the body is not a thin event notification",
        Category::Io => "the body could not be read",
    };
    format!("{what}: {error}")
}

/// At most `max` bytes of `text`, cut at a character boundary (error messages quote untrusted
/// input; they stay short).
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default()
}

/// Why an event happened.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Reason {
    /// The reason type; `request` for events caused by an API request.
    #[serde(rename = "type")]
    pub reason_type: String,
    /// The API request behind the event, for `request` reasons.
    #[serde(default)]
    pub request: Option<ReasonRequest>,
}

/// The API request that caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReasonRequest {
    /// The request id, `req_...`.
    pub id: String,
    /// The idempotency key sent with the request.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// A related object with an id: `{id, type, url}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RelatedObject {
    /// The object's id.
    pub id: String,
    /// The object's type, `v2.core.account`.
    #[serde(rename = "type")]
    pub object_type: String,
    /// The API path to fetch it, `/v2/core/accounts/acct_...`.
    pub url: String,
}

/// A related singleton resource (such as `balance`): `{type, url}` with no id.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SingletonRelatedObject {
    /// The object's type.
    #[serde(rename = "type")]
    pub object_type: String,
    /// The API path to fetch it.
    pub url: String,
}

/// The event type has no related object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoRelatedObject;

/// A related object of any shape, for notifications whose type is not statically known.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AnyRelatedObject {
    /// The object's id; `None` for singleton resources.
    #[serde(default)]
    pub id: Option<String>,
    /// The object's type.
    #[serde(rename = "type")]
    pub object_type: String,
    /// The API path to fetch it.
    pub url: String,
}

/// The shape of an event type's `related_object`: [`RelatedObject`],
/// [`SingletonRelatedObject`], [`NoRelatedObject`], or `Option<AnyRelatedObject>` when unknown.
pub trait RelatedObjectShape: sealed::FromRaw + fmt::Debug + Clone + Send + Sync + 'static {
    /// The path to fetch the object from; `None` when there is none.
    fn url(&self) -> Option<&str>;
}

mod sealed {
    use super::{PayloadError, RawRelatedObject};

    /// Builds the shape from the envelope; sealed so that only the runtime defines shapes.
    pub trait FromRaw: Sized {
        fn from_raw(raw: Option<&RawRelatedObject<'_>>, event_type: &str) -> Result<Self, PayloadError>;
    }
}

fn missing_related(event_type: &str, what: &str) -> PayloadError {
    PayloadError::invalid(format_args!(
        "event type {} must have {what}",
        truncate(event_type, 128)
    ))
}

impl sealed::FromRaw for RelatedObject {
    fn from_raw(raw: Option<&RawRelatedObject<'_>>, event_type: &str) -> Result<Self, PayloadError> {
        let raw = raw.ok_or_else(|| missing_related(event_type, "a related_object"))?;
        let id = raw
            .id
            .as_deref()
            .ok_or_else(|| missing_related(event_type, "a related_object.id"))?;
        Ok(Self {
            id: id.to_owned(),
            object_type: raw.object_type.as_ref().to_owned(),
            url: raw.url.as_ref().to_owned(),
        })
    }
}

impl RelatedObjectShape for RelatedObject {
    fn url(&self) -> Option<&str> {
        Some(&self.url)
    }
}

impl sealed::FromRaw for SingletonRelatedObject {
    fn from_raw(raw: Option<&RawRelatedObject<'_>>, event_type: &str) -> Result<Self, PayloadError> {
        let raw = raw.ok_or_else(|| missing_related(event_type, "a related_object"))?;
        Ok(Self {
            object_type: raw.object_type.as_ref().to_owned(),
            url: raw.url.as_ref().to_owned(),
        })
    }
}

impl RelatedObjectShape for SingletonRelatedObject {
    fn url(&self) -> Option<&str> {
        Some(&self.url)
    }
}

impl sealed::FromRaw for NoRelatedObject {
    fn from_raw(_: Option<&RawRelatedObject<'_>>, _: &str) -> Result<Self, PayloadError> {
        Ok(Self)
    }
}

impl RelatedObjectShape for NoRelatedObject {
    fn url(&self) -> Option<&str> {
        None
    }
}

impl sealed::FromRaw for Option<AnyRelatedObject> {
    fn from_raw(raw: Option<&RawRelatedObject<'_>>, _: &str) -> Result<Self, PayloadError> {
        Ok(raw.map(|raw| AnyRelatedObject {
            id: raw.id.as_deref().map(str::to_owned),
            object_type: raw.object_type.as_ref().to_owned(),
            url: raw.url.as_ref().to_owned(),
        }))
    }
}

impl RelatedObjectShape for Option<AnyRelatedObject> {
    fn url(&self) -> Option<&str> {
        self.as_ref().map(|related| related.url.as_str())
    }
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
    /// The event type string.
    fn event_type(&self) -> &str;
    /// The kind for a parsed notification.
    #[doc(hidden)]
    fn from_event_type(event_type: &str) -> Self;
}

/// An event type known at compile time, with its position in the catalog's sorted type list.
pub trait KnownEventKind: EventKind + Default {
    /// The event type string.
    const EVENT_TYPE: &'static str;
    /// Index of [`Self::EVENT_TYPE`] in [`EventCatalog::EVENTS`](crate::EventCatalog::EVENTS).
    const INDEX: usize;
}

/// The kind of a notification whose type has no typed callback: it carries its type string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    event_type: String,
}

impl EventKind for Unknown {
    type Data = serde_json::Value;
    type RelatedObject = Option<AnyRelatedObject>;
    type Resource = serde_json::Value;

    fn event_type(&self) -> &str {
        &self.event_type
    }

    fn from_event_type(event_type: &str) -> Self {
        Self {
            event_type: event_type.to_owned(),
        }
    }
}

/// A notification handled without a typed callback (given to the fallback and to
/// `pre_handle`): its type is a string, its related object of any shape.
pub type UnknownEventNotification = Notification<Unknown>;

/// A verified thin event notification of kind `K`, bound to a client for its context.
pub struct Notification<K: EventKind> {
    /// Event id, `evt_...`.
    pub id: String,
    /// When the event was created.
    pub created: Timestamp,
    /// Live mode or test mode.
    pub livemode: bool,
    /// The account path the event belongs to.
    pub context: Option<StripeContext>,
    /// Why the event happened.
    pub reason: Option<Reason>,
    /// The object the event is about.
    pub related_object: K::RelatedObject,
    kind: K,
    client: StripeClient,
}

impl<K: EventKind> Notification<K> {
    /// Builds the notification from a parsed envelope. `client` is already bound to its context.
    pub(crate) fn from_raw(raw: &RawNotification<'_>, client: StripeClient) -> Result<Self, PayloadError> {
        Ok(Self {
            id: raw.id.as_ref().to_owned(),
            created: raw.created,
            livemode: raw.livemode,
            context: client.context().cloned(),
            reason: raw.reason.as_ref().map(RawReason::to_owned_reason),
            related_object: sealed::FromRaw::from_raw(raw.related_object.as_ref(), &raw.event_type)?,
            kind: K::from_event_type(&raw.event_type),
            client,
        })
    }

    /// The event type string.
    pub fn event_type(&self) -> &str {
        self.kind.event_type()
    }

    /// The client bound to this event's context.
    pub fn client(&self) -> &StripeClient {
        &self.client
    }
}

impl<K: EventKind> Clone for Notification<K>
where
    K: Clone,
{
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            created: self.created,
            livemode: self.livemode,
            context: self.context.clone(),
            reason: self.reason.clone(),
            related_object: self.related_object.clone(),
            kind: self.kind.clone(),
            client: self.client.clone(),
        }
    }
}

impl<K: EventKind> fmt::Debug for Notification<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("type", &self.event_type())
            .field("created", &self.created)
            .field("livemode", &self.livemode)
            .field("context", &self.context)
            .field("reason", &self.reason)
            .field("related_object", &self.related_object)
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

//! The envelope of a thin event notification, untyped: one copy of the body and where each of
//! its strings lies in it.

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;

use super::parse::{self, FIELDS, Field, Parsed, RELATED_FIELDS, Strings};
use super::{Reason, ReasonRequest};
use crate::context::StripeContext;
use crate::error::PayloadError;
use crate::related::{AnyRelatedObject, RelatedInfo};
use crate::style::{EventStyle, SnapshotInfo};
use crate::text::truncate;

/// The envelope of an event notification of either style, untyped. It keeps a copy of the body
/// and where each of its strings lies in it: parsing a thin event costs one allocation and one
/// copy whatever the event (a snapshot event, one or two allocations more), cloning a thin one
/// costs a reference count, and the value stays small, because it moves through every step of dispatch. Strings with escapes, which cannot point into the body, are decoded after it in
/// the same buffer. A snapshot event's object stays JSON text until a callback asks for it.
#[derive(Clone)]
pub struct RawNotification {
    /// The body, followed by the strings decoded from escapes if any.
    strings: Arc<str>,
    /// The body's length: the body is `strings[..body_len]`.
    body_len: u32,
    /// Where each field a thin event can have lies in `strings`: `start..end`.
    spans: [(u32, u32); THIN_SPANS],
    /// Bit `field` is set when the field was sent (and not `null`).
    present: u32,
    created: Timestamp,
    livemode: bool,
    style: EventStyle,
    /// What only a snapshot event has, boxed: a thin notification, which moves through every
    /// step of dispatch, stays as small as before snapshots existed.
    snapshot: Option<Box<SnapshotParts>>,
}

/// The fields before [`Field::Account`] are a thin event's (and the id, type, context and
/// related object both styles share); those from it on only a snapshot event's.
const THIN_SPANS: usize = Field::Account as usize;

/// What only a snapshot event has.
#[derive(Clone)]
struct SnapshotParts {
    /// Where each field from [`Field::Account`] on lies in the notification's buffer.
    spans: [(u32, u32); FIELDS - THIN_SPANS],
    pending_webhooks: u32,
    /// Its related object's URL, made from its type's template: kept apart from the body's
    /// buffer, which would otherwise be built twice (body and URL joined, then copied into its
    /// shared allocation).
    url: Option<Box<str>>,
}

/// A body read but not yet judged against what the catalog says of its type: the type string
/// and the style, to look the type up with.
pub(crate) struct Reading<'b>(Parsed<'b>);

/// What the catalog says of a known type, for [`Reading::conform`].
#[derive(Clone, Copy)]
pub(crate) struct Expected<'a> {
    pub(crate) related: &'a RelatedInfo,
    pub(crate) snapshot: Option<&'a SnapshotInfo>,
}

impl Reading<'_> {
    /// The event type string, as sent.
    pub(crate) fn event_type(&self) -> &str {
        self.0.strings.get(Field::EventType).unwrap_or_default()
    }

    /// The payload style.
    pub(crate) fn style(&self) -> EventStyle {
        self.0.style
    }

    /// Checks the body against what the catalog says of its type (`None`: a type the catalog
    /// does not know), so that a body gets the same verdict on every path, whether a callback
    /// is registered or not. A thin event's `related_object`:
    /// - a type with a related object needs one, well-formed, with an `id` unless it is a
    ///   singleton;
    /// - a type without one ignores whatever `related_object` the body has, as any other field
    ///   its spec does not define;
    /// - a type the catalog does not know may have one or not, but a malformed one is invalid.
    ///
    /// A snapshot event's `data.object` must be of an object type of its event type; it is the
    /// related object of a type that has one (with the URL the type's resource is fetched from).
    pub(crate) fn conform(self, expected: Option<Expected<'_>>) -> Result<RawNotification, PayloadError> {
        let mut parsed = self.0;
        let snapshot_url = match parsed.style {
            EventStyle::Thin => {
                conform_thin(&mut parsed.strings, expected.map(|e| e.related))?;
                None
            }
            EventStyle::Snapshot => conform_snapshot(&mut parsed.strings, expected)?,
        };
        let strings = &parsed.strings;
        let (thin, rest) = strings.spans.split_at(THIN_SPANS);
        let snapshot = (parsed.style == EventStyle::Snapshot).then(|| {
            Box::new(SnapshotParts {
                spans: rest.try_into().unwrap_or_default(),
                pending_webhooks: parsed.pending_webhooks,
                url: snapshot_url.map(String::into_boxed_str),
            })
        });
        Ok(RawNotification {
            body_len: u32::try_from(strings.body.len()).unwrap_or(u32::MAX),
            strings: strings.buffer(),
            spans: thin.try_into().unwrap_or_default(),
            present: strings.present,
            created: parsed.created,
            livemode: parsed.livemode,
            style: parsed.style,
            snapshot,
        })
    }
}

/// [`Reading::conform`] for a thin event.
fn conform_thin(strings: &mut Strings<'_>, related: Option<&RelatedInfo>) -> Result<(), PayloadError> {
    let (needed, needs_id) = match related {
        Some(RelatedInfo::None) => {
            strings.present &= !RELATED_FIELDS;
            return Ok(());
        }
        Some(RelatedInfo::Object(_)) => (true, true),
        Some(RelatedInfo::Singleton(_)) => (true, false),
        None => (false, false),
    };
    if let Some(problem) = strings.related_problem {
        return Err(PayloadError::invalid(format_args!(
            "the body is not a thin event notification: {problem}"
        )));
    }
    let missing = |what: &str| {
        PayloadError::invalid(format_args!(
            "event type {} must have {what}",
            truncate(strings.get(Field::EventType).unwrap_or_default(), 128)
        ))
    };
    if needed && strings.present & RELATED_FIELDS == 0 {
        return Err(missing("a related_object"));
    }
    if needs_id && !strings.has(Field::RelatedId) {
        return Err(missing("a related_object.id"));
    }
    Ok(())
}

/// [`Reading::conform`] for a snapshot event; the URL of its related object, when it has one.
fn conform_snapshot(
    strings: &mut Strings<'_>,
    expected: Option<Expected<'_>>,
) -> Result<Option<String>, PayloadError> {
    strings.copy(Field::ObjectId, Field::RelatedId);
    strings.copy(Field::ObjectType, Field::RelatedType);
    let Some(expected) = expected else {
        return Ok(None);
    };
    let event_type = truncate(strings.get(Field::EventType).unwrap_or_default(), 128);
    let object_types = expected
        .snapshot
        .map_or(&[][..], |snapshot| snapshot.object_types);
    match strings.get(Field::ObjectType) {
        None => {
            return Err(PayloadError::invalid(format_args!(
                "event type {event_type} must have a `data.object.object`"
            )));
        }
        Some(object_type) if !object_types.contains(&object_type) => {
            return Err(PayloadError::invalid(format_args!(
                "event type {event_type} carries {}, not `data.object.object` {:?}",
                object_types.join(" or "),
                truncate(object_type, 64)
            )));
        }
        Some(_) => {}
    }
    let url = match expected.related {
        RelatedInfo::None => return Ok(None),
        // The snapshot carries another object than the thin twin's related one (a
        // `billing.alert_triggered`, where the thin event names the `billing.alert`): it names
        // no related object.
        RelatedInfo::Object(resource) | RelatedInfo::Singleton(resource)
            if !object_types.contains(&resource.object_type) =>
        {
            strings.present &= !RELATED_FIELDS;
            return Ok(None);
        }
        RelatedInfo::Singleton(resource) => resource.url_template.to_owned(),
        RelatedInfo::Object(resource) => {
            let id = strings.get(Field::ObjectId).ok_or_else(|| {
                PayloadError::invalid(format_args!(
                    "event type {event_type} must have a `data.object.id`"
                ))
            })?;
            // The id goes into a path the API key is sent to: Stripe's ids are made of these.
            if !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                || id.starts_with('.')
            {
                return Err(PayloadError::invalid(format_args!(
                    "`data.object.id` {:?} is not an object id",
                    truncate(id, 64)
                )));
            }
            resource.url_template.replace("{id}", id)
        }
    };
    Ok(Some(url))
}

impl RawNotification {
    /// Parses a body of either style: UTF-8, a JSON object, `object` `v2.core.event` (or
    /// absent) or `event`, `id`, `type` and `created` present; unknown fields are ignored. It is
    /// checked as a type that is not known: a thin event's `related_object` may be absent, but
    /// when present it must be well-formed; a snapshot event's `data.object` must be an object.
    pub fn parse(body: &[u8]) -> Result<Self, PayloadError> {
        Self::read(body)?.conform(None)
    }

    /// Reads a body, to be [conformed](Reading::conform) once its type is looked up.
    pub(crate) fn read(body: &[u8]) -> Result<Reading<'_>, PayloadError> {
        parse::read(body).map(Reading)
    }

    /// `field`'s text, when it was sent.
    fn get(&self, field: Field) -> Option<&str> {
        if self.present & field.bit() == 0 {
            return None;
        }
        let &(start, end) = match (field as usize).checked_sub(THIN_SPANS) {
            None => self.spans.get(field as usize)?,
            Some(index) => self.snapshot.as_ref()?.spans.get(index)?,
        };
        let text = self
            .strings
            .get(usize::try_from(start).ok()?..usize::try_from(end).ok()?);
        debug_assert!(text.is_some(), "the parse recorded {field:?} within the buffer");
        text
    }

    /// A field the parse requires.
    fn required(&self, field: Field) -> &str {
        let text = self.get(field);
        debug_assert!(text.is_some(), "the parse requires {field:?}");
        text.unwrap_or("")
    }

    /// The body as received: what to store to handle the notification later.
    pub fn body(&self) -> &[u8] {
        let body = usize::try_from(self.body_len)
            .ok()
            .and_then(|len| self.strings.as_bytes().get(..len));
        debug_assert!(body.is_some(), "the body is the head of the buffer");
        body.unwrap_or_default()
    }

    /// Event id, `evt_...`.
    pub fn id(&self) -> &str {
        self.required(Field::Id)
    }

    /// Event type, `v1.billing.meter.error_report_triggered`.
    pub fn event_type(&self) -> &str {
        self.required(Field::EventType)
    }

    /// When the event was created.
    pub fn created(&self) -> Timestamp {
        self.created
    }

    /// Live mode or test mode.
    pub fn livemode(&self) -> bool {
        self.livemode
    }

    /// The account path the event belongs to; `None` when it is absent, `null` or `""`. A
    /// snapshot event's `account` when it has no `context`.
    pub fn stripe_context(&self) -> Option<StripeContext> {
        self.get(Field::Context)
            .or_else(|| self.get(Field::Account))
            .and_then(StripeContext::parse)
    }

    /// The payload style.
    pub fn style(&self) -> EventStyle {
        self.style
    }

    /// The id this occurrence is known by, whatever the style it came in: a thin event's
    /// `snapshot_event` when it has a classic twin, else the event's id. A ledger and an inbox
    /// key events by it, so that an occurrence sent in both styles (two destinations during a
    /// move) runs once.
    pub fn occurrence_id(&self) -> &str {
        self.get(Field::SnapshotEvent).unwrap_or_else(|| self.id())
    }

    /// A thin event's classic twin, for interop types.
    pub fn snapshot_event(&self) -> Option<&str> {
        self.get(Field::SnapshotEvent)
    }

    /// A snapshot event's connected account (`account`).
    pub fn account(&self) -> Option<&str> {
        self.get(Field::Account)
    }

    /// The API version a snapshot event was rendered at.
    pub fn api_version(&self) -> Option<&str> {
        self.get(Field::ApiVersion)
    }

    /// A snapshot event's `data.object`, as JSON text.
    pub fn object_json(&self) -> Option<&str> {
        self.get(Field::Object)
    }

    /// A snapshot event's `data.object.id`.
    pub fn object_id(&self) -> Option<&str> {
        self.get(Field::ObjectId)
    }

    /// A snapshot event's `data.object.object`.
    pub fn object_type(&self) -> Option<&str> {
        self.get(Field::ObjectType)
    }

    /// A snapshot event's `data.previous_attributes`, as JSON text.
    pub fn previous_attributes_json(&self) -> Option<&str> {
        self.get(Field::PreviousAttributes)
    }

    /// A snapshot event's `request`: the API request behind it, when there was one.
    pub fn request(&self) -> Option<ReasonRequest<&str>> {
        Some(ReasonRequest {
            id: self.get(Field::SnapshotRequestId)?,
            idempotency_key: self.get(Field::SnapshotIdempotencyKey),
        })
    }

    /// A snapshot event's `pending_webhooks`: how many endpoints have not yet acknowledged it.
    pub fn pending_webhooks(&self) -> u32 {
        self.snapshot
            .as_ref()
            .map_or(0, |snapshot| snapshot.pending_webhooks)
    }

    /// Why the event happened.
    pub fn reason(&self) -> Option<Reason<&str>> {
        Some(Reason {
            reason_type: self.get(Field::ReasonType)?,
            request: self.get(Field::RequestId).map(|id| ReasonRequest {
                id,
                idempotency_key: self.get(Field::IdempotencyKey),
            }),
        })
    }

    /// The object the event is about, of any shape.
    pub fn related_object(&self) -> Option<AnyRelatedObject<&str>> {
        Some(AnyRelatedObject {
            id: self.get(Field::RelatedId),
            object_type: self.get(Field::RelatedType)?,
            url: self
                .get(Field::RelatedUrl)
                .or_else(|| self.snapshot.as_ref()?.url.as_deref())?,
        })
    }
}

impl fmt::Debug for RawNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawNotification")
            .field("id", &self.id())
            .field("type", &self.event_type())
            .field("created", &self.created)
            .field("livemode", &self.livemode)
            .field("context", &self.stripe_context())
            .field("reason", &self.reason())
            .field("related_object", &self.related_object())
            .field("style", &self.style)
            .finish()
    }
}

//! Reading the envelope: one pass of serde_json over the body that records where each string
//! lies (in the body, or after it when it had escapes) instead of copying it, and checks the
//! envelope's shape as it goes.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use serde_json::value::RawValue;

use super::scan;
use super::{SNAPSHOT_EVENT_OBJECT, THIN_EVENT_OBJECT};
use crate::error::PayloadError;
use crate::style::EventStyle;
use crate::text::truncate;

/// The strings of a notification, each at its place in the notification's buffer. The first
/// nine are a thin event's, the next seven a snapshot event's; `snapshot_event` is an interop
/// thin event's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    Id,
    EventType,
    Context,
    ReasonType,
    RequestId,
    IdempotencyKey,
    RelatedId,
    RelatedType,
    RelatedUrl,
    SnapshotEvent,
    Account,
    ApiVersion,
    /// `data.object`, as JSON text.
    Object,
    /// `data.previous_attributes`, as JSON text.
    PreviousAttributes,
    /// `data.object.id`.
    ObjectId,
    /// `data.object.object`.
    ObjectType,
    /// A snapshot event's `request.id`.
    SnapshotRequestId,
    /// A snapshot event's `request.idempotency_key`.
    SnapshotIdempotencyKey,
}

pub(super) const FIELDS: usize = 18;

/// The presence bits of `related_object`'s fields.
pub(super) const RELATED_FIELDS: u32 =
    (1 << Field::RelatedId as u32) | (1 << Field::RelatedType as u32) | (1 << Field::RelatedUrl as u32);

/// The presence bits of the fields only a thin event has.
const THIN_FIELDS: u32 = RELATED_FIELDS
    | (1 << Field::ReasonType as u32)
    | (1 << Field::RequestId as u32)
    | (1 << Field::IdempotencyKey as u32)
    | (1 << Field::SnapshotEvent as u32);

/// The presence bits of the fields only a snapshot event has.
const SNAPSHOT_FIELDS: u32 = (1 << Field::Account as u32)
    | (1 << Field::ApiVersion as u32)
    | (1 << Field::Object as u32)
    | (1 << Field::PreviousAttributes as u32)
    | (1 << Field::ObjectId as u32)
    | (1 << Field::ObjectType as u32)
    | (1 << Field::SnapshotRequestId as u32)
    | (1 << Field::SnapshotIdempotencyKey as u32);

/// What is wrong with a body's `related_object`. Noted rather than raised while parsing: a type
/// whose spec has no related object ignores the field, as it ignores any field it does not
/// define; only [`RawNotification::conform`](super::RawNotification::conform) knows the type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RelatedProblem {
    /// Neither an object nor `null`.
    NotAnObject,
    /// A field that is not a string (or `null`, for `id`).
    WrongType(Field),
    /// A required field is missing.
    Missing(Field),
    /// A key sent twice: `related_object` itself, or one of its fields.
    Repeated(&'static str),
}

impl fmt::Display for RelatedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => f.write_str("invalid type: `related_object` must be an object or null"),
            Self::WrongType(Field::RelatedId) => {
                f.write_str("invalid type: `related_object.id` must be a string or null")
            }
            Self::WrongType(field) => write!(
                f,
                "invalid type: `related_object.{}` must be a string",
                field.key()
            ),
            Self::Missing(field) => write!(f, "missing field `{}` in `related_object`", field.key()),
            Self::Repeated(key) => write!(f, "duplicate field `{key}`"),
        }
    }
}

/// A body, read: where its strings lie (in the body, or decoded after it), and the other
/// values. Not yet frozen into a buffer, so that conforming it to its type can still add the
/// URL of a snapshot's object.
pub(super) struct Parsed<'b> {
    pub(super) strings: Strings<'b>,
    pub(super) style: EventStyle,
    pub(super) created: Timestamp,
    pub(super) livemode: bool,
    pub(super) pending_webhooks: u32,
}

/// Reads a body: UTF-8, a JSON object, `object` `v2.core.event` (or absent) or `event`, `id`,
/// `type` and `created` present, and for a snapshot event a `data.object` that is an object;
/// unknown fields are ignored, and so are the fields of the other style; what is wrong with
/// `related_object` is noted.
pub(super) fn read(body: &[u8]) -> Result<Parsed<'_>, PayloadError> {
    // One SIMD pass over the body for UTF-8 is cheaper than serde_json checking each string.
    let text = std::str::from_utf8(body).map_err(|e| {
        PayloadError::invalid(format_args!(
            "the body is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    if u32::try_from(text.len()).is_err() {
        return Err(PayloadError::invalid("the notification exceeds 4 GiB"));
    }
    let mut strings = Strings {
        body: text,
        decoded: String::new(),
        spans: [(0, 0); FIELDS],
        present: 0,
        related_problem: None,
        snapshot_problem: None,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let scalars = deserializer
        .deserialize_map(EnvelopeVisitor(&mut strings))
        .and_then(|scalars| deserializer.end().map(|()| scalars));
    let scalars = match scalars {
        Ok(scalars) => scalars,
        Err(error) => {
            // Another object fails the envelope's shape: name it rather than the first field
            // that did not fit.
            if let Ok(probe) = serde_json::from_str::<ObjectProbe<'_>>(text) {
                style_of(probe.object.as_deref())?;
            }
            return Err(PayloadError::from_json(&error));
        }
    };
    let style = style_of(scalars.object.as_deref())?;
    let created = match (style, scalars.created) {
        (EventStyle::Thin, Created::Text(created)) | (EventStyle::Snapshot, Created::Seconds(created)) => {
            created
        }
        (EventStyle::Thin, Created::Seconds(_)) => {
            return Err(PayloadError::invalid(
                "the body is not a thin event notification: `created` must be an RFC 3339 timestamp",
            ));
        }
        (EventStyle::Snapshot, Created::Text(_)) => {
            return Err(PayloadError::invalid(
                "the body is not a snapshot event: `created` must be an integer (Unix seconds)",
            ));
        }
    };
    match style {
        EventStyle::Thin => strings.present &= !SNAPSHOT_FIELDS,
        EventStyle::Snapshot => {
            strings.present &= !THIN_FIELDS;
            strings.related_problem = None;
            if let Some(problem) = strings.snapshot_problem {
                return Err(PayloadError::invalid(format_args!(
                    "the body is not a snapshot event: {problem}"
                )));
            }
            strings.require_object()?;
        }
    }
    Ok(Parsed {
        strings,
        style,
        created,
        livemode: scalars.livemode,
        pending_webhooks: scalars
            .pending_webhooks
            .map_or(0, |count| u32::try_from(count).unwrap_or(u32::MAX)),
    })
}

/// A string of the body: borrowed when it has no escapes, decoded into an owned string when it
/// has. (serde's own `Cow<str>` borrows only as a direct field, never inside an `Option`.)
pub(super) struct Text<'a>(Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
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

/// Where each string of the envelope lies, gathered while parsing: in the body when it has no
/// escapes, else in `decoded`, which the buffer appends to the body.
pub(super) struct Strings<'b> {
    pub(super) body: &'b str,
    pub(super) decoded: String,
    pub(super) spans: [(u32, u32); FIELDS],
    pub(super) present: u32,
    /// The first thing wrong with `related_object`.
    pub(super) related_problem: Option<RelatedProblem>,
    /// The first thing wrong with the fields only a snapshot event has: it matters only when
    /// the body turns out to be one.
    snapshot_problem: Option<&'static str>,
}

impl Strings<'_> {
    /// A string that points into the body.
    fn borrowed<E: de::Error>(&mut self, field: Field, text: &str) -> Result<(), E> {
        // serde_json hands out slices of the body it reads; a slice found anywhere else (never,
        // today) is kept as if decoded.
        let start = (text.as_ptr() as usize).wrapping_sub(self.body.as_ptr() as usize);
        match start.checked_add(text.len()) {
            Some(end) if end <= self.body.len() => self.put(field, start, end),
            _ => self.decoded(field, text),
        }
    }

    /// A string decoded from escapes, kept after the body.
    fn decoded<E: de::Error>(&mut self, field: Field, text: &str) -> Result<(), E> {
        let start = self.body.len().saturating_add(self.decoded.len());
        self.decoded.push_str(text);
        self.put(field, start, start.saturating_add(text.len()))
    }

    fn put<E: de::Error>(&mut self, field: Field, start: usize, end: usize) -> Result<(), E> {
        if self.has(field) {
            return Err(E::duplicate_field(field.key()));
        }
        let offset = |at: usize| u32::try_from(at).map_err(|_| E::custom("the notification exceeds 4 GiB"));
        if let Some(span) = self.spans.get_mut(field as usize) {
            *span = (offset(start)?, offset(end)?);
        }
        self.present |= field.bit();
        Ok(())
    }

    pub(super) fn has(&self, field: Field) -> bool {
        self.present & field.bit() != 0
    }

    /// Notes what is wrong with `related_object` (the first problem is the one reported).
    fn related_problem(&mut self, problem: RelatedProblem) {
        self.related_problem.get_or_insert(problem);
    }

    /// Fails on the first of `fields` that was not sent.
    fn require<E: de::Error>(&self, fields: &[Field]) -> Result<(), E> {
        match fields.iter().find(|field| !self.has(**field)) {
            Some(missing) => Err(E::missing_field(missing.key())),
            None => Ok(()),
        }
    }

    /// `field`'s text, when it was sent.
    pub(super) fn get(&self, field: Field) -> Option<&str> {
        if !self.has(field) {
            return None;
        }
        let &(start, end) = self.spans.get(field as usize)?;
        let (start, end) = (usize::try_from(start).ok()?, usize::try_from(end).ok()?);
        match start.checked_sub(self.body.len()) {
            None => self.body.get(start..end),
            Some(start) => self.decoded.get(start..end.checked_sub(self.body.len())?),
        }
    }

    /// Records `field` as another field's span (the same text).
    pub(super) fn copy(&mut self, from: Field, to: Field) {
        let span = self.spans.get(from as usize).copied().filter(|_| self.has(from));
        if let (Some(span), Some(slot)) = (span, self.spans.get_mut(to as usize)) {
            *slot = span;
            self.present |= to.bit();
        }
    }

    /// Notes what is wrong with a field only a snapshot event has.
    fn snapshot_problem(&mut self, problem: &'static str) {
        self.snapshot_problem.get_or_insert(problem);
    }

    /// A snapshot event must have a `data.object`.
    fn require_object(&self) -> Result<(), PayloadError> {
        if self.has(Field::Object) {
            Ok(())
        } else {
            Err(PayloadError::invalid(
                "the body is not a snapshot event: missing field `data.object`",
            ))
        }
    }

    /// Where `text`, a slice of the body serde_json handed out, starts in the body.
    fn offset_in_body(&self, text: &str) -> Option<usize> {
        let start = (text.as_ptr() as usize).checked_sub(self.body.as_ptr() as usize)?;
        (start.checked_add(text.len())? <= self.body.len()).then_some(start)
    }

    /// The body, followed by the strings decoded from escapes if any.
    pub(super) fn buffer(&self) -> Arc<str> {
        if self.decoded.is_empty() {
            Arc::from(self.body)
        } else {
            Arc::from([self.body, self.decoded.as_str()].concat())
        }
    }
}

impl Field {
    /// The field's bit in a presence mask.
    pub(super) fn bit(self) -> u32 {
        1 << self as u32
    }

    /// The field's key in its JSON object.
    fn key(self) -> &'static str {
        match self {
            Self::Id | Self::RequestId | Self::RelatedId | Self::ObjectId | Self::SnapshotRequestId => "id",
            Self::EventType | Self::ReasonType | Self::RelatedType => "type",
            Self::Context => "context",
            Self::IdempotencyKey | Self::SnapshotIdempotencyKey => "idempotency_key",
            Self::RelatedUrl => "url",
            Self::SnapshotEvent => "snapshot_event",
            Self::Account => "account",
            Self::ApiVersion => "api_version",
            Self::Object | Self::ObjectType => "object",
            Self::PreviousAttributes => "previous_attributes",
        }
    }
}

/// A string value recorded as `field`; `null` too when `nullable` (the field then stays
/// absent).
struct StringInto<'s, 'b> {
    strings: &'s mut Strings<'b>,
    field: Field,
    nullable: bool,
}

impl<'de> DeserializeSeed<'de> for StringInto<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.nullable {
            deserializer.deserialize_option(self)
        } else {
            deserializer.deserialize_str(self)
        }
    }
}

impl<'de> Visitor<'de> for StringInto<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.nullable {
            "a string or null"
        } else {
            "a string"
        })
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<(), E> {
        self.strings.borrowed(self.field, text)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.strings.decoded(self.field, text)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

/// An object of the envelope (`reason`, `reason.request`), `null` allowed, its strings recorded.
struct ObjectInto<'s, 'b> {
    strings: &'s mut Strings<'b>,
    object: Object,
}

#[derive(Clone, Copy)]
enum Object {
    Reason,
    Request,
}

impl Object {
    /// The object's key in its parent.
    fn key(self) -> &'static str {
        match self {
            Self::Reason => "reason",
            Self::Request => "request",
        }
    }

    /// The field `key` fills in this object, with whether it may be `null`.
    fn field(self, key: NestedKey) -> Option<(Field, bool)> {
        match (self, key) {
            (Self::Reason, NestedKey::Type) => Some((Field::ReasonType, false)),
            (Self::Request, NestedKey::Id) => Some((Field::RequestId, false)),
            (Self::Request, NestedKey::IdempotencyKey) => Some((Field::IdempotencyKey, true)),
            _ => None,
        }
    }

    /// The fields the object must have.
    fn required(self) -> &'static [Field] {
        match self {
            Self::Reason => &[Field::ReasonType],
            Self::Request => &[Field::RequestId],
        }
    }
}

impl<'de> DeserializeSeed<'de> for ObjectInto<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ObjectInto<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut request_seen = None;
        while let Some(key) = map.next_key::<NestedKey>()? {
            if let Some((field, nullable)) = self.object.field(key) {
                map.next_value_seed(StringInto {
                    strings: &mut *self.strings,
                    field,
                    nullable,
                })?;
            } else if matches!((self.object, key), (Object::Reason, NestedKey::Request)) {
                once(&mut request_seen, Object::Request.key(), ())?;
                map.next_value_seed(ObjectInto {
                    strings: &mut *self.strings,
                    object: Object::Request,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        self.strings.require(self.object.required())
    }
}

/// `related_object` and each of its fields, read without failing: whatever is wrong is noted as
/// a [`RelatedProblem`] and the value skipped, so that the rest of the body is still read. One
/// visitor for both levels (`field` is `None` for the object itself), so that serde_json's
/// `deserialize_any` is instantiated once on the hot path.
struct RelatedInto<'s, 'b> {
    strings: &'s mut Strings<'b>,
    field: Option<Field>,
}

impl RelatedInto<'_, '_> {
    /// The value is of the wrong type for where it is.
    fn wrong_type(self) {
        let problem = match self.field {
            None => RelatedProblem::NotAnObject,
            Some(field) => RelatedProblem::WrongType(field),
        };
        self.strings.related_problem(problem);
    }
}

impl<'de> DeserializeSeed<'de> for RelatedInto<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RelatedInto<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.field.is_none() {
            "an object or null"
        } else {
            "a string"
        })
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.wrong_type();
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.wrong_type();
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.wrong_type();
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.wrong_type();
        Ok(())
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<(), E> {
        match self.field {
            Some(field) => self.strings.borrowed(field, text),
            None => {
                self.wrong_type();
                Ok(())
            }
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        match self.field {
            Some(field) => self.strings.decoded(field, text),
            None => {
                self.wrong_type();
                Ok(())
            }
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        // `related_object` may be null, and its `id` is null for singleton resources; the other
        // fields must be strings.
        if !matches!(self.field, None | Some(Field::RelatedId)) {
            self.wrong_type();
        }
        Ok(())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.wrong_type();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.field.is_some() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            self.wrong_type();
            return Ok(());
        }
        let strings = self.strings;
        while let Some(key) = map.next_key::<NestedKey>()? {
            let field = match key {
                NestedKey::Id => Field::RelatedId,
                NestedKey::Type => Field::RelatedType,
                NestedKey::Url => Field::RelatedUrl,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if strings.has(field) {
                strings.related_problem(RelatedProblem::Repeated(field.key()));
                map.next_value::<IgnoredAny>()?;
            } else {
                map.next_value_seed(RelatedInto {
                    strings: &mut *strings,
                    field: Some(field),
                })?;
            }
        }
        for field in [Field::RelatedType, Field::RelatedUrl] {
            if !strings.has(field) {
                strings.related_problem(RelatedProblem::Missing(field));
            }
        }
        Ok(())
    }
}

/// The envelope's values that are not strings kept in the buffer.
struct Scalars<'de> {
    object: Option<Text<'de>>,
    created: Created,
    livemode: bool,
    pending_webhooks: Option<u64>,
}

/// The top-level keys of the envelope, of either style.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Id,
    Object,
    #[serde(rename = "type")]
    Type,
    Created,
    Livemode,
    Context,
    Reason,
    RelatedObject,
    SnapshotEvent,
    Account,
    ApiVersion,
    Data,
    Request,
    PendingWebhooks,
    #[serde(other)]
    Other,
}

/// The keys of the envelope's objects.
#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum NestedKey {
    Id,
    #[serde(rename = "type")]
    Type,
    Url,
    Request,
    IdempotencyKey,
    Object,
    PreviousAttributes,
    #[serde(other)]
    Other,
}

/// `created`, parsed as it is read: an RFC 3339 timestamp in a thin event, Unix seconds in a
/// snapshot event.
enum Created {
    Text(Timestamp),
    Seconds(Timestamp),
}

impl<'de> Deserialize<'de> for Created {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CreatedVisitor)
    }
}

struct CreatedVisitor;

impl<'de> Visitor<'de> for CreatedVisitor {
    type Value = Created;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp or a number of seconds")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Created, E> {
        super::timestamp::parse(text).map(Created::Text).ok_or_else(|| {
            E::custom(format_args!(
                "`created` {:?} is not an RFC 3339 timestamp",
                truncate(text, 64)
            ))
        })
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Created, E> {
        Timestamp::from_second(seconds)
            .map(Created::Seconds)
            .map_err(|_| E::custom(format_args!("`created` {seconds} is out of range")))
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Created, E> {
        match i64::try_from(seconds) {
            Ok(seconds) => self.visit_i64(seconds),
            Err(_) => Err(E::custom(format_args!("`created` {seconds} is out of range"))),
        }
    }
}

struct EnvelopeVisitor<'s, 'b>(&'s mut Strings<'b>);

impl<'de> Visitor<'de> for EnvelopeVisitor<'_, '_> {
    type Value = Scalars<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a thin event notification or a snapshot event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalars<'de>, A::Error> {
        let strings = self.0;
        let (mut object, mut created, mut livemode) = (None, None, None);
        let (mut reason_seen, mut related_seen) = (None, false);
        let mut pending_webhooks = None;
        while let Some(key) = map.next_key::<Key>()? {
            let (field, nullable) = match key {
                Key::Id => (Field::Id, false),
                Key::Type => (Field::EventType, false),
                Key::Context => (Field::Context, true),
                Key::Object => {
                    once(&mut object, "object", map.next_value::<Option<Text<'de>>>()?)?;
                    continue;
                }
                Key::Created => {
                    once(&mut created, "created", map.next_value::<Created>()?)?;
                    continue;
                }
                Key::Livemode => {
                    once(&mut livemode, "livemode", map.next_value::<bool>()?)?;
                    continue;
                }
                Key::Reason => {
                    once(&mut reason_seen, Object::Reason.key(), ())?;
                    map.next_value_seed(ObjectInto {
                        strings: &mut *strings,
                        object: Object::Reason,
                    })?;
                    continue;
                }
                Key::RelatedObject => {
                    if related_seen {
                        strings.related_problem(RelatedProblem::Repeated("related_object"));
                        map.next_value::<IgnoredAny>()?;
                    } else {
                        related_seen = true;
                        map.next_value_seed(RelatedInto {
                            strings: &mut *strings,
                            field: None,
                        })?;
                    }
                    continue;
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                Key::SnapshotEvent | Key::Account | Key::ApiVersion | Key::Data | Key::Request => {
                    let loose = match key {
                        Key::SnapshotEvent => Loose::Text(Field::SnapshotEvent),
                        Key::Account => Loose::Text(Field::Account),
                        Key::ApiVersion => Loose::Text(Field::ApiVersion),
                        Key::Data => Loose::Data,
                        _ => Loose::Request,
                    };
                    map.next_value_seed(LooseInto {
                        strings: &mut *strings,
                        loose,
                    })?;
                    continue;
                }
                Key::PendingWebhooks => {
                    let count = map.next_value_seed(LooseInto {
                        strings: &mut *strings,
                        loose: Loose::Count,
                    })?;
                    if pending_webhooks.replace(count).is_some() {
                        strings.snapshot_problem("duplicate field `pending_webhooks`");
                    }
                    continue;
                }
            };
            map.next_value_seed(StringInto {
                strings: &mut *strings,
                field,
                nullable,
            })?;
        }
        strings.require(&[Field::Id, Field::EventType])?;
        Ok(Scalars {
            object: object.flatten(),
            created: created.ok_or_else(|| de::Error::missing_field("created"))?,
            livemode: livemode.unwrap_or(false),
            pending_webhooks: pending_webhooks.flatten(),
        })
    }
}

/// A field of one style only, read without failing: the body's style is known only once it is
/// read (`object` may come last), and a field the body's style does not have is ignored, as any
/// unknown field. What is wrong is noted, and reported if the body is a snapshot event.
#[derive(Clone, Copy)]
enum Loose {
    /// A string or `null`.
    Text(Field),
    /// `data`: `object` and `previous_attributes`, kept as JSON text.
    Data,
    /// A snapshot event's `request`: `{id, idempotency_key}`, both nullable; a bare id in old
    /// API versions; or `null`.
    Request,
    /// A count (`pending_webhooks`).
    Count,
}

impl Loose {
    /// What the value must be, for the note when it is not.
    fn problem(self) -> &'static str {
        match self {
            Self::Text(Field::Account) => "invalid type: `account` must be a string or null",
            Self::Text(Field::ApiVersion) => "invalid type: `api_version` must be a string or null",
            Self::Text(Field::SnapshotRequestId) => "invalid type: `request.id` must be a string or null",
            Self::Text(Field::SnapshotIdempotencyKey) => {
                "invalid type: `request.idempotency_key` must be a string or null"
            }
            Self::Text(_) => "invalid type: a string or null was expected",
            Self::Data => "invalid type: `data` must be an object",
            Self::Request => "invalid type: `request` must be an object, a string or null",
            Self::Count => "invalid type: `pending_webhooks` must be a non-negative integer",
        }
    }
}

struct LooseInto<'s, 'b> {
    strings: &'s mut Strings<'b>,
    loose: Loose,
}

impl LooseInto<'_, '_> {
    /// Notes the value's wrong type (it matters only in a snapshot event) and goes on.
    fn wrong_type<E>(self) -> Result<Option<u64>, E> {
        if !matches!(self.loose, Loose::Text(Field::SnapshotEvent)) {
            self.strings.snapshot_problem(self.loose.problem());
        }
        Ok(None)
    }

    /// Records a string as `field`, unless it was sent already.
    fn text<E: de::Error>(self, field: Field, text: &str, borrowed: bool) -> Result<Option<u64>, E> {
        if self.strings.has(field) {
            self.strings
                .snapshot_problem("a field of the snapshot event is repeated");
            return Ok(None);
        }
        if borrowed {
            self.strings.borrowed(field, text)?;
        } else {
            self.strings.decoded(field, text)?;
        }
        Ok(None)
    }
}

impl<'de> DeserializeSeed<'de> for LooseInto<'_, '_> {
    type Value = Option<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<u64>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LooseInto<'_, '_> {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.loose.problem())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u64>, E> {
        self.wrong_type()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<u64>, E> {
        self.wrong_type()
    }

    fn visit_u64<E: de::Error>(self, count: u64) -> Result<Option<u64>, E> {
        match self.loose {
            Loose::Count => Ok(Some(count)),
            _ => self.wrong_type(),
        }
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<u64>, E> {
        self.wrong_type()
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Option<u64>, E> {
        match self.loose {
            Loose::Text(field) => self.text(field, text, true),
            Loose::Request => self.text(Field::SnapshotRequestId, text, true),
            _ => self.wrong_type(),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<u64>, E> {
        match self.loose {
            Loose::Text(field) => self.text(field, text, false),
            Loose::Request => self.text(Field::SnapshotRequestId, text, false),
            _ => self.wrong_type(),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
        match self.loose {
            Loose::Data => self.wrong_type(),
            _ => Ok(None),
        }
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.wrong_type()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
        let strings = self.strings;
        let fields: &[(NestedKey, Field)] = match self.loose {
            Loose::Data => &[
                (NestedKey::Object, Field::Object),
                (NestedKey::PreviousAttributes, Field::PreviousAttributes),
            ],
            Loose::Request => &[
                (NestedKey::Id, Field::SnapshotRequestId),
                (NestedKey::IdempotencyKey, Field::SnapshotIdempotencyKey),
            ],
            Loose::Text(_) | Loose::Count => {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return LooseInto {
                    strings,
                    loose: self.loose,
                }
                .wrong_type();
            }
        };
        while let Some(key) = map.next_key::<NestedKey>()? {
            let Some(&(_, field)) = fields.iter().find(|(k, _)| *k == key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if field == Field::Object {
                if strings.has(field) {
                    strings.snapshot_problem("duplicate field in `data`");
                    map.next_value::<IgnoredAny>()?;
                } else {
                    map.next_value_seed(ObjectSpanInto {
                        strings: &mut *strings,
                    })?;
                }
            } else if matches!(self.loose, Loose::Data) {
                // Kept as JSON text, read when the callback asks for it.
                let raw = map.next_value::<&'de RawValue>()?;
                if strings.has(field) {
                    strings.snapshot_problem("duplicate field in `data`");
                } else if raw.get() != "null" {
                    strings.borrowed(field, raw.get())?;
                }
            } else {
                map.next_value_seed(LooseInto {
                    strings: &mut *strings,
                    loose: Loose::Text(field),
                })?;
            }
        }
        Ok(None)
    }
}

/// A snapshot's `data.object`, read in the envelope's one pass: each value taken as raw JSON
/// (which serde_json skips as fast as it skips anything), `id` and `object` recorded, and the
/// object's own extent found around its first and last values, so that it stays JSON text for
/// the callback to read when it asks. Anything but an object is noted.
struct ObjectSpanInto<'s, 'b> {
    strings: &'s mut Strings<'b>,
}

impl ObjectSpanInto<'_, '_> {
    /// Notes that `data.object` is not an object.
    fn not_an_object<E>(self) -> Result<(), E> {
        self.strings
            .snapshot_problem("invalid type: `data.object` must be an object");
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ObjectSpanInto<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectSpanInto<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let strings = self.strings;
        let (mut start, mut end) = (None, None);
        while let Some(key) = map.next_key::<Text<'de>>()? {
            let value = map.next_value::<&'de RawValue>()?;
            let text = value.get();
            let at = strings.offset_in_body(text);
            if start.is_none() {
                start = at.and_then(|at| scan::object_start(strings.body, at));
            }
            end = at.map(|at| at.saturating_add(text.len()));
            let field = match &*key {
                "id" => Field::ObjectId,
                "object" => Field::ObjectType,
                _ => continue,
            };
            // A string value; anything else (`null`) leaves the field absent.
            match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                Some(inner) if !inner.contains('\\') && !strings.has(field) => {
                    strings.borrowed(field, inner)?
                }
                Some(_) if !strings.has(field) => {
                    let decoded: String = serde_json::from_str(text).map_err(de::Error::custom)?;
                    strings.decoded(field, &decoded)?;
                }
                _ => {}
            }
        }
        let span = match (start, end) {
            (Some(start), Some(end)) => scan::object_end(strings.body, end).map(|end| (start, end)),
            // No value at all: `{}`, kept as such.
            (None, None) => return strings.decoded(Field::Object, "{}"),
            _ => None,
        };
        match span {
            Some((start, end)) => strings.put(Field::Object, start, end),
            None => Err(de::Error::custom(
                "`data.object` could not be located in the body",
            )),
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_an_object()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_an_object()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_an_object()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_an_object()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_object()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_an_object()
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object()
    }
}

/// Sets a value read once; a second occurrence of its key is an error.
fn once<T, E: de::Error>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(key));
    }
    *slot = Some(value);
    Ok(())
}

/// Just the `object` field, to name a payload that failed to parse as a thin event.
#[derive(Deserialize)]
struct ObjectProbe<'a> {
    #[serde(borrow, default)]
    object: Option<Text<'a>>,
}

/// The style `object` names.
fn style_of(object: Option<&str>) -> Result<EventStyle, PayloadError> {
    match object {
        None | Some(THIN_EVENT_OBJECT) => Ok(EventStyle::Thin),
        Some(SNAPSHOT_EVENT_OBJECT) => Ok(EventStyle::Snapshot),
        Some(other) => Err(PayloadError::UnexpectedObject(truncate(other, 64).to_owned())),
    }
}

//! Reading the envelope: one pass of serde_json over the body that records where each string
//! lies (in the body, or after it when it had escapes) instead of copying it, and checks the
//! envelope's shape as it goes.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::THIN_EVENT_OBJECT;
use crate::error::PayloadError;
use crate::text::truncate;

/// The strings of a notification, each at its place in the notification's buffer.
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
}

pub(super) const FIELDS: usize = 9;

/// The presence bits of `related_object`'s fields.
pub(super) const RELATED_FIELDS: u16 =
    (1 << Field::RelatedId as u16) | (1 << Field::RelatedType as u16) | (1 << Field::RelatedUrl as u16);

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

/// A body, read: the buffer its strings lie in, where they lie, and the other values.
pub(super) struct Parsed {
    /// The body, followed by the strings decoded from escapes if any.
    pub(super) buffer: Arc<str>,
    /// The body's length in the buffer.
    pub(super) body_len: u32,
    pub(super) spans: [(u32, u32); FIELDS],
    pub(super) present: u16,
    pub(super) created: Timestamp,
    pub(super) livemode: bool,
    pub(super) related_problem: Option<RelatedProblem>,
}

/// Reads a body: UTF-8, a JSON object, `object` `v2.core.event` or absent, `id`, `type` and
/// `created` present; unknown fields are ignored; what is wrong with `related_object` is noted.
pub(super) fn read(body: &[u8]) -> Result<Parsed, PayloadError> {
    // One SIMD pass over the body for UTF-8 is cheaper than serde_json checking each string.
    let text = std::str::from_utf8(body).map_err(|e| {
        PayloadError::invalid(format_args!(
            "the body is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let mut strings = Strings {
        body: text,
        decoded: String::new(),
        spans: [(0, 0); FIELDS],
        present: 0,
        related_problem: None,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let scalars = deserializer
        .deserialize_map(EnvelopeVisitor(&mut strings))
        .and_then(|scalars| deserializer.end().map(|()| scalars));
    match scalars {
        Ok(scalars) => {
            check_object(scalars.object.as_deref())?;
            Ok(Parsed {
                body_len: u32::try_from(text.len())
                    .map_err(|_| PayloadError::invalid("the notification exceeds 4 GiB"))?,
                buffer: strings.buffer(),
                spans: strings.spans,
                present: strings.present,
                created: scalars.created,
                livemode: scalars.livemode,
                related_problem: strings.related_problem,
            })
        }
        Err(error) => {
            // A classic event or another object fails the envelope's shape (its `created` is a
            // number, say): name it rather than the first field that did not fit.
            if let Ok(probe) = serde_json::from_str::<ObjectProbe<'_>>(text) {
                check_object(probe.object.as_deref())?;
            }
            Err(PayloadError::from_json(&error))
        }
    }
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
struct Strings<'b> {
    body: &'b str,
    decoded: String,
    spans: [(u32, u32); FIELDS],
    present: u16,
    /// The first thing wrong with `related_object`.
    related_problem: Option<RelatedProblem>,
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

    fn has(&self, field: Field) -> bool {
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

    /// The body, followed by the strings decoded from escapes if any.
    fn buffer(&self) -> Arc<str> {
        if self.decoded.is_empty() {
            Arc::from(self.body)
        } else {
            Arc::from([self.body, self.decoded.as_str()].concat())
        }
    }
}

impl Field {
    /// The field's bit in a presence mask.
    pub(super) fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The field's key in its JSON object.
    fn key(self) -> &'static str {
        match self {
            Self::Id | Self::RequestId | Self::RelatedId => "id",
            Self::EventType | Self::ReasonType | Self::RelatedType => "type",
            Self::Context => "context",
            Self::IdempotencyKey => "idempotency_key",
            Self::RelatedUrl => "url",
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
    created: Timestamp,
    livemode: bool,
}

/// The top-level keys of the envelope.
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
    #[serde(other)]
    Other,
}

/// The keys of the envelope's objects.
#[derive(Clone, Copy, Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum NestedKey {
    Id,
    #[serde(rename = "type")]
    Type,
    Url,
    Request,
    IdempotencyKey,
    #[serde(other)]
    Other,
}

/// `created`, parsed as it is read.
struct Created(Timestamp);

impl<'de> Deserialize<'de> for Created {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::timestamp::deserialize(deserializer).map(Self)
    }
}

struct EnvelopeVisitor<'s, 'b>(&'s mut Strings<'b>);

impl<'de> Visitor<'de> for EnvelopeVisitor<'_, '_> {
    type Value = Scalars<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a thin event notification")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalars<'de>, A::Error> {
        let strings = self.0;
        let (mut object, mut created, mut livemode) = (None, None, None);
        let (mut reason_seen, mut related_seen) = (None, false);
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
                    once(&mut created, "created", map.next_value::<Created>()?.0)?;
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
        })
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

fn check_object(object: Option<&str>) -> Result<(), PayloadError> {
    match object {
        None | Some(THIN_EVENT_OBJECT) => Ok(()),
        Some("event") => Err(PayloadError::SnapshotEvent),
        Some(other) => Err(PayloadError::UnexpectedObject(truncate(other, 64).to_owned())),
    }
}

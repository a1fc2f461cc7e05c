//! The envelope of a thin event notification, untyped: one copy of the body and where each of
//! its strings lies in it.

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;

use super::parse::{self, FIELDS, Field, RELATED_FIELDS, RelatedProblem};
use super::{Reason, ReasonRequest};
use crate::context::StripeContext;
use crate::error::PayloadError;
use crate::related::{AnyRelatedObject, RelatedInfo};
use crate::text::truncate;

/// The envelope of a thin event notification, untyped. It keeps a copy of the body (a thin
/// event is small) and where each of its strings lies in it: parsing costs one allocation and
/// one copy whatever the event, cloning costs none, and the value stays small, because it moves
/// through every step of dispatch. Strings with escapes, which cannot point into the body, are
/// decoded after it in the same buffer.
#[derive(Clone)]
pub struct RawNotification {
    /// The body, followed by the strings decoded from escapes if any.
    strings: Arc<str>,
    /// The body's length: the body is `strings[..body_len]`.
    body_len: u32,
    /// Where each [`Field`] lies in `strings`: `start..end`.
    spans: [(u32, u32); FIELDS],
    /// Bit `field` is set when the field was sent (and not `null`).
    present: u16,
    created: Timestamp,
    livemode: bool,
    /// What was wrong with `related_object`, if anything: whether that matters depends on the
    /// event type ([`Self::conform`]).
    related_problem: Option<RelatedProblem>,
}

impl RawNotification {
    /// Parses a body: UTF-8, a JSON object, `object` `v2.core.event` or absent, `id`, `type`
    /// and `created` present; unknown fields are ignored. `related_object` is checked as for a
    /// type that is not known: it may be absent, but when present it must be well-formed.
    pub fn parse(body: &[u8]) -> Result<Self, PayloadError> {
        let mut raw = Self::read(body)?;
        raw.conform(None)?;
        Ok(raw)
    }

    /// Parses a body as [`parse`](Self::parse) does, but keeps a malformed `related_object` as
    /// a problem for [`conform`](Self::conform) to judge once the type is known.
    pub(crate) fn read(body: &[u8]) -> Result<Self, PayloadError> {
        let parsed = parse::read(body)?;
        Ok(Self {
            body_len: parsed.body_len,
            strings: parsed.buffer,
            spans: parsed.spans,
            present: parsed.present,
            created: parsed.created,
            livemode: parsed.livemode,
            related_problem: parsed.related_problem,
        })
    }

    /// Checks `related_object` against what the event type's spec says of it (`None` for a
    /// type the catalog does not know), so that a body gets the same verdict on every path,
    /// whether a callback is registered or not:
    /// - a type with a related object needs one, well-formed, with an `id` unless it is a
    ///   singleton;
    /// - a type without one ignores whatever `related_object` the body has, as any other field
    ///   its spec does not define;
    /// - a type the catalog does not know may have one or not, but a malformed one is invalid.
    pub(crate) fn conform(&mut self, related: Option<&RelatedInfo>) -> Result<(), PayloadError> {
        let (needed, needs_id) = match related {
            Some(RelatedInfo::None) => {
                self.present &= !RELATED_FIELDS;
                self.related_problem = None;
                return Ok(());
            }
            Some(RelatedInfo::Object(_)) => (true, true),
            Some(RelatedInfo::Singleton(_)) => (true, false),
            None => (false, false),
        };
        if let Some(problem) = self.related_problem {
            return Err(PayloadError::invalid(format_args!(
                "the body is not a thin event notification: {problem}"
            )));
        }
        let missing = |what: &str| {
            PayloadError::invalid(format_args!(
                "event type {} must have {what}",
                truncate(self.event_type(), 128)
            ))
        };
        if needed && self.present & RELATED_FIELDS == 0 {
            return Err(missing("a related_object"));
        }
        if needs_id && self.present & Field::RelatedId.bit() == 0 {
            return Err(missing("a related_object.id"));
        }
        Ok(())
    }

    /// `field`'s text, when it was sent.
    fn get(&self, field: Field) -> Option<&str> {
        if self.present & field.bit() == 0 {
            return None;
        }
        let &(start, end) = self.spans.get(field as usize)?;
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

    /// The account path the event belongs to; `None` when it is absent, `null` or `""`.
    pub fn stripe_context(&self) -> Option<StripeContext> {
        self.get(Field::Context).and_then(StripeContext::parse)
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
            url: self.get(Field::RelatedUrl)?,
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
            .finish()
    }
}

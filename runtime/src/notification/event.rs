//! A full event as the Events API returns it.

use std::fmt;
use std::marker::PhantomData;

use jiff::Timestamp;
use serde::Deserialize;

use super::Reason;
use crate::context::StripeContext;
use crate::kind::EventKind;
use crate::related::AnyRelatedObject;

/// A full event as returned by `GET /v2/core/events/{id}`, with its typed `data` and `changes`.
#[derive(Deserialize)]
#[serde(bound(deserialize = ""))]
#[non_exhaustive]
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
    /// What the event changed in the related object (`before` and `after`), for the types that
    /// track changes; `None` for the others.
    #[serde(default)]
    pub changes: Option<K::Changes>,
    /// For an event that also exists as a classic snapshot event, that event's id.
    #[serde(default)]
    pub snapshot_event: Option<String>,
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
            .field("snapshot_event", &self.snapshot_event)
            .finish()
    }
}

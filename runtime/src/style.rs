//! The two payload styles Stripe sends, and what the catalog says of a type's snapshot events.

/// Whether a body is a thin event notification or a classic snapshot event: its `object` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventStyle {
    /// A thin event notification (`"object": "v2.core.event"`, or no `object`): the event's
    /// type, ids and a related object to fetch.
    Thin,
    /// A classic snapshot event (`"object": "event"`): the object as it was when the event
    /// happened, in `data.object`.
    Snapshot,
}

impl EventStyle {
    /// `thin` or `snapshot`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Thin => "thin",
            Self::Snapshot => "snapshot",
        }
    }
}

/// What an event type's classic snapshot events are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The classic type string, `invoice.paid` (the thin twin's without `v1.`).
    pub event_type: &'static str,
    /// The object types `data.object` may have, `["invoice"]`; several for some types
    /// (`["bank_account", "card"]`).
    pub object_types: &'static [&'static str],
}

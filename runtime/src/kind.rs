//! What an event type is: the type of its `data` and `changes`, the shape of its related object,
//! the resource that object fetches as, and the object its snapshot events carry. The generated
//! crate defines one kind per event type.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::object::SnapshotObject;
use crate::related::{HasAnyRelatedObject, RelatedObjectShape};

/// What an event type is. The generated crate implements it for every event type in its spec;
/// [`Unknown`] stands for any other.
pub trait EventKind: Send + Sync + 'static {
    /// The event's `data` (as returned by `fetch_event`).
    type Data: DeserializeOwned + fmt::Debug + Send + 'static;
    /// The event's `changes`: `before` and `after` for the types that track them, else any JSON.
    type Changes: DeserializeOwned + fmt::Debug + Send + 'static;
    /// The shape of `related_object`.
    type RelatedObject: RelatedObjectShape;
    /// What `fetch_related_object` returns: the resource's struct, or `serde_json::Value` when
    /// the spec does not define it.
    type Resource: DeserializeOwned + fmt::Debug + Send + 'static;
    /// The object a snapshot event of this type carries in `data.object`: async-stripe's type
    /// for it with the matching feature (or a choice of them), else `serde_json::Value`.
    type Object: SnapshotObject;
}

/// The kind of a notification handled without a typed callback: any type, any related object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unknown;

impl EventKind for Unknown {
    type Data = serde_json::Value;
    type Changes = serde_json::Value;
    type RelatedObject = HasAnyRelatedObject;
    type Resource = serde_json::Value;
    type Object = serde_json::Value;
}

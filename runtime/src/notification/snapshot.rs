//! What a snapshot event carries besides its envelope: the object as it was when the event
//! happened, read only when asked for and then once, its previous attributes, and the API version
//! it was rendered at.

use std::fmt;

use serde::de::DeserializeOwned;

use super::raw::RawNotification;
use super::{ObjectCell, ReasonRequest};
use crate::error::ObjectError;
use crate::kind::EventKind;
use crate::object::{ObjectJson, SnapshotObject};

/// The snapshot side of a [`Notification`](super::Notification) of kind `K`
/// ([`snapshot`](super::Notification::snapshot)).
pub struct Snapshot<'a, K: EventKind> {
    raw: &'a RawNotification,
    object: &'a ObjectCell<K::Object>,
}

impl<K: EventKind> Clone for Snapshot<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: EventKind> Copy for Snapshot<'_, K> {}

impl<'a, K: EventKind> Snapshot<'a, K> {
    pub(super) fn new(raw: &'a RawNotification, object: &'a ObjectCell<K::Object>) -> Self {
        Self { raw, object }
    }

    /// The object as it was when the event happened, typed as `K`'s resource (async-stripe's
    /// type with the `async-stripe` features, or an enum of them for a type of several objects,
    /// else `serde_json::Value`). Read from the body on
    /// the first call, and kept. An object rendered at another API version than the crate's
    /// still reads when it only adds fields or enum values; when it cannot be read, the error
    /// names the field, and [`object_json`](Self::object_json) still has it all.
    pub fn object(&self) -> Result<&'a K::Object, ObjectError> {
        let read = self.object.get_or_init(|| {
            Box::new(K::Object::read(
                self.object_read("data.object", self.object_json()),
            ))
        });
        match &**read {
            Ok(object) => Ok(object),
            Err(error) => Err(error.clone()),
        }
    }

    fn object_read(&self, what: &'static str, json: &'a str) -> ObjectJson<'a> {
        ObjectJson::new(
            (self.raw.id(), self.raw.event_type()),
            what,
            json,
            self.object_type(),
        )
    }

    /// The object read as any type: your own struct, another crate's.
    pub fn object_as<T: DeserializeOwned>(&self) -> Result<T, ObjectError> {
        self.object_read("data.object", self.object_json()).read_as()
    }

    /// The object as JSON text, as received.
    pub fn object_json(&self) -> &'a str {
        self.raw.object_json().unwrap_or("{}")
    }

    /// The object's type, `data.object.object` (`invoice`).
    pub fn object_type(&self) -> Option<&'a str> {
        self.raw.object_type()
    }

    /// The object's id, `data.object.id` (`None` for a singleton such as `balance`).
    pub fn object_id(&self) -> Option<&'a str> {
        self.raw.object_id()
    }

    /// `data.previous_attributes` as JSON text: for `*.updated` events, the values of the
    /// attributes that changed, before the change.
    pub fn previous_attributes_json(&self) -> Option<&'a str> {
        self.raw.previous_attributes_json()
    }

    /// `data.previous_attributes` read as `T` (a `serde_json::Value`, or a struct of the fields
    /// you watch); `None` when the event has none.
    pub fn previous_attributes_as<T: DeserializeOwned>(&self) -> Result<Option<T>, ObjectError> {
        self.previous_attributes_json()
            .map(|json| self.object_read("data.previous_attributes", json).read_as())
            .transpose()
    }

    /// The API version the event was rendered at (the endpoint's, or the account's default).
    pub fn api_version(&self) -> Option<&'a str> {
        self.raw.api_version()
    }

    /// The connected account the event happened on, for Connect endpoints.
    pub fn account(&self) -> Option<&'a str> {
        self.raw.account()
    }

    /// The API request that caused the event; `None` for events Stripe caused itself.
    pub fn request(&self) -> Option<ReasonRequest<&'a str>> {
        self.raw.request()
    }

    /// How many endpoints had not yet acknowledged the event when this delivery was sent.
    pub fn pending_webhooks(&self) -> u32 {
        self.raw.pending_webhooks()
    }
}

impl<K: EventKind> fmt::Debug for Snapshot<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("object_type", &self.object_type())
            .field("object_id", &self.object_id())
            .field("api_version", &self.api_version())
            .field("account", &self.account())
            .field("request", &self.request())
            .field("pending_webhooks", &self.pending_webhooks())
            .finish_non_exhaustive()
    }
}

//! What a notification fetches: its full event, and the object it is about. Each request goes
//! through the client bound to the event's context, and names the event that triggered it.

use serde::de::DeserializeOwned;

use super::{Event, Notification};
use crate::client::{self, blocking};
use crate::error::ClientError;
use crate::kind::EventKind;
use crate::related::FetchRelatedObject;
use crate::style::EventStyle;

/// The API path of an event: `/v2/core/events/{id}`, the id percent-encoded.
fn event_path(id: &str) -> String {
    format!("/v2/core/events/{}", client::encode(id))
}

/// What `fetch_related_object_as::<T>` returns for kind `K`: `T`, or `Option<T>` in the fallback.
pub type FetchedObject<K, T> = <<K as EventKind>::RelatedObject as FetchRelatedObject>::Fetched<T>;

impl<K: EventKind> Notification<K> {
    /// Fetches the full thin event (`GET /v2/core/events/{id}`), with its typed `data`. A
    /// snapshot event has no thin event to fetch (its data is in the notification,
    /// [`snapshot`](Self::snapshot)): [`ClientError::SnapshotEvent`], with no request sent.
    pub async fn fetch_event(&self) -> Result<Event<K>, ClientError> {
        self.thin()?;
        self.client.get(&event_path(self.id()), Some(self.id())).await
    }

    /// [`fetch_event`](Self::fetch_event) with a blocking client (in the event's context).
    pub fn fetch_event_blocking(&self, client: &blocking::StripeClient) -> Result<Event<K>, ClientError> {
        self.thin()?;
        self.blocking(client).get(&event_path(self.id()), Some(self.id()))
    }

    fn thin(&self) -> Result<(), ClientError> {
        match self.style() {
            EventStyle::Thin => Ok(()),
            EventStyle::Snapshot => Err(ClientError::SnapshotEvent),
        }
    }

    /// `client` bound as this event's client is.
    fn blocking(&self, client: &blocking::StripeClient) -> blocking::StripeClient {
        client.bound_like(&self.client)
    }
}

/// Event types with a related object (and the fallback's notification, whose type is not
/// statically known); a type without one has no `fetch_related_object`.
impl<K: EventKind> Notification<K>
where
    K::RelatedObject: FetchRelatedObject,
{
    /// Fetches the object the event is about (`GET {related_object.url}`) as it is now (a
    /// snapshot event also has it as it was, [`Snapshot::object`](super::Snapshot::object)), typed
    /// when the spec defines its resource. The object itself for a type that has one (the parse
    /// checked it is there); in the fallback, `None` without any request when there is none. A
    /// URL that is not a path on the API host is refused before anything is sent. A snapshot
    /// event that carries another object than the thin twin's related one
    /// (`billing.alert.triggered`) names none: [`ClientError::SnapshotEvent`].
    pub async fn fetch_related_object(&self) -> Result<FetchedObject<K, K::Resource>, ClientError> {
        self.fetch_related_object_as().await
    }

    /// [`fetch_related_object`](Self::fetch_related_object) into any type: an async-stripe
    /// type, your own struct, `serde_json::Value`.
    pub async fn fetch_related_object_as<T: DeserializeOwned>(
        &self,
    ) -> Result<FetchedObject<K, T>, ClientError> {
        match K::RelatedObject::locate(self.related_object()) {
            Err(nothing) => Ok(nothing),
            Ok("") if self.style() == EventStyle::Snapshot => Err(ClientError::SnapshotEvent),
            Ok(url) => self
                .client
                .get(url, Some(self.id()))
                .await
                .map(K::RelatedObject::fetched),
        }
    }

    /// [`fetch_related_object`](Self::fetch_related_object) with a blocking client.
    pub fn fetch_related_object_blocking(
        &self,
        client: &blocking::StripeClient,
    ) -> Result<FetchedObject<K, K::Resource>, ClientError> {
        self.fetch_related_object_as_blocking(client)
    }

    /// [`fetch_related_object_as`](Self::fetch_related_object_as) with a blocking client.
    pub fn fetch_related_object_as_blocking<T: DeserializeOwned>(
        &self,
        client: &blocking::StripeClient,
    ) -> Result<FetchedObject<K, T>, ClientError> {
        match K::RelatedObject::locate(self.related_object()) {
            Err(nothing) => Ok(nothing),
            Ok("") if self.style() == EventStyle::Snapshot => Err(ClientError::SnapshotEvent),
            Ok(url) => self
                .blocking(client)
                .get(url, Some(self.id()))
                .map(K::RelatedObject::fetched),
        }
    }
}

//! What a generated crate tells the runtime about its event types.

/// Every event type a generated crate knows.
pub trait EventCatalog: Sized + Send + Sync + 'static {
    /// The known event types, sorted by type string; a type's index here is its
    /// [`KnownEventKind::INDEX`](crate::KnownEventKind::INDEX).
    const EVENTS: &'static [EventInfo];
    /// The Stripe API version the catalog was generated for, sent as `Stripe-Version`.
    const API_VERSION: &'static str;
    /// The user-facing builder, with one `on_*` method per event type.
    type Builder: From<crate::HandlerBuilder<Self>>;
    /// The index of `event_type` in [`Self::EVENTS`], if known (a generated `match`).
    fn index_of(event_type: &str) -> Option<usize>;

    /// The info of a known event type.
    fn info(event_type: &str) -> Option<&'static EventInfo> {
        Self::index_of(event_type).and_then(|index| Self::EVENTS.get(index))
    }
}

/// What the spec says of one event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// The type string, `v1.billing.meter.error_report_triggered`.
    pub event_type: &'static str,
    /// Its related object.
    pub related: RelatedInfo,
}

/// The related object of an event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelatedInfo {
    /// `{id, type, url}`.
    Object(RelatedResourceInfo),
    /// A singleton resource, `{type, url}`.
    Singleton(RelatedResourceInfo),
    /// None.
    None,
}

/// What a related object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelatedResourceInfo {
    /// The object type, `v2.core.account`, when the spec says.
    pub object_type: Option<&'static str>,
    /// The path it is fetched from, `/v2/core/accounts/{id}`.
    pub url_template: Option<&'static str>,
}

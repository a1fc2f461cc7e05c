//! The names the generated crate defines besides its spec types: what it re-exports from the
//! runtime, and what the runtime's `event_catalog!` defines in it. The generated `lib.rs`
//! re-exports exactly [`RUNTIME_ITEMS`], and no spec type may take any of these names (a
//! generator error, not a silent renaming).

/// Items of `stripe-notify-runtime` re-exported at the generated crate's root.
pub(crate) const RUNTIME_ITEMS: &[&str] = &[
    "AnyRelatedObject",
    "ApiError",
    "CallbackError",
    "CallbackResult",
    "ClientError",
    "Clock",
    "ConfigError",
    "Event",
    "EventCatalog",
    "EventInfo",
    "EventKind",
    "FetchRelatedObject",
    "FetchedObject",
    "FixedClock",
    "HandleError",
    "Handled",
    "HasAnyRelatedObject",
    "HasNoRelatedObject",
    "HasRelatedObject",
    "HasSingletonRelatedObject",
    "KnownEventKind",
    "MalformedHeader",
    "Notification",
    "PayloadError",
    "Reason",
    "ReasonRequest",
    "RecoveryFilter",
    "RecoveryReport",
    "RelatedExample",
    "RelatedInfo",
    "RelatedObject",
    "RelatedObjectShape",
    "RelatedResourceInfo",
    "SignatureError",
    "SingletonRelatedObject",
    "StripeClient",
    "StripeClientBuilder",
    "StripeContext",
    "SystemClock",
    "Timestamp",
    "Tolerance",
    "UnhandledNotificationDetails",
    "Unknown",
    "UnknownEventNotification",
    "Verifier",
    "sign",
    "unix_now",
];

/// Modules of `stripe-notify-runtime` re-exported as modules, with the generated crate's
/// feature each needs (`None`: always).
pub(crate) const RUNTIME_MODULES: &[(&str, Option<&str>)] = &[
    ("client", None),
    ("endpoint", Some("http")),
    ("inbox", None),
    ("lambda", Some("lambda")),
    ("ledger", None),
    ("sample", None),
    ("testing", Some("testing")),
    ("types", None),
];

/// What `event_catalog!` defines besides the kinds and their aliases, and what the generated
/// `lib.rs` defines.
pub(crate) const CATALOG_ITEMS: &[&str] = &[
    "API_VERSION",
    "AnyNotification",
    "Catalog",
    "EventNotificationHandler",
    "EventNotificationHandlerBuilder",
    "KNOWN_EVENT_TYPES",
    "RegisterCallbacks",
    "async_stripe",
    "prelude",
];

/// Every name a spec type may not take.
pub(crate) fn forbidden() -> impl Iterator<Item = &'static str> {
    RUNTIME_ITEMS
        .iter()
        .chain(CATALOG_ITEMS)
        .copied()
        .chain(RUNTIME_MODULES.iter().map(|(module, _)| *module))
}

//! The names the generated crate defines besides its spec types: what it re-exports from the
//! runtime, and what the runtime's `event_catalog!` defines in it. The generated `lib.rs`
//! re-exports exactly [`RUNTIME_ITEMS`], and no spec type may take any of these names (a
//! generator error, not a silent renaming).

/// Items of `stripe-notify-runtime` re-exported at the generated crate's root, with the
/// generated crate's feature each needs (`None`: always).
pub(crate) const RUNTIME_ITEMS: &[(&str, Option<&str>)] = &[
    ("AnyRelatedObject", None),
    ("ApiError", None),
    ("CallbackError", None),
    ("CallbackResult", None),
    ("ClientError", None),
    ("Clock", None),
    ("ConfigError", None),
    ("Event", None),
    ("EventCatalog", None),
    ("EventInfo", None),
    ("EventKind", None),
    ("EventStyle", None),
    ("FetchRelatedObject", None),
    ("FetchedObject", Some("client")),
    ("FixedClock", None),
    ("HandleError", None),
    ("Handled", None),
    ("HasAnyRelatedObject", None),
    ("HasNoRelatedObject", None),
    ("HasRelatedObject", None),
    ("HasSingletonRelatedObject", None),
    ("KnownEventKind", None),
    ("MalformedHeader", None),
    ("Notification", None),
    ("ObjectError", None),
    ("ObjectJson", None),
    ("PayloadError", None),
    ("Reason", None),
    ("ReasonRequest", None),
    ("RecoveryCounts", Some("client")),
    ("RecoveryFilter", Some("client")),
    ("RecoveryReport", Some("client")),
    ("RecoveryStyles", Some("client")),
    ("RelatedExample", None),
    ("RelatedInfo", None),
    ("RelatedObject", None),
    ("RelatedObjectShape", None),
    ("RelatedResourceInfo", None),
    ("SignatureError", None),
    ("SingletonRelatedObject", None),
    ("Snapshot", None),
    ("SnapshotInfo", None),
    ("SnapshotObject", None),
    ("StripeClient", None),
    ("StripeClientBuilder", None),
    ("StripeContext", None),
    ("SystemClock", None),
    ("Timestamp", None),
    ("Tolerance", None),
    ("UnhandledNotificationDetails", None),
    ("Unknown", None),
    ("UnknownEventNotification", None),
    ("Verifier", None),
    ("sign", None),
    ("unix_now", None),
];

/// Modules of `stripe-notify-runtime` re-exported as modules, with the generated crate's
/// feature each needs (`None`: always).
pub(crate) const RUNTIME_MODULES: &[(&str, Option<&str>)] = &[
    ("client", None),
    ("endpoint", Some("http")),
    ("inbox", Some("inbox")),
    ("inbox_admin", Some("inbox-admin")),
    ("lambda", Some("lambda")),
    ("ledger", None),
    ("recovery", Some("client")),
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
        .chain(RUNTIME_MODULES)
        .map(|(name, _)| *name)
        .chain(CATALOG_ITEMS.iter().copied())
}

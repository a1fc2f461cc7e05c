//! What handling a notification did.

/// Given to the fallback: why no typed callback ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnhandledNotificationDetails {
    /// `true` when the type is in the generated catalog but has no callback registered; `false`
    /// for a type this crate was not generated with (Stripe added it since).
    pub is_known_event_type: bool,
}

/// What [`Handler::handle`](crate::Handler::handle) did with a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handled {
    /// The type's registered callback ran.
    Callback,
    /// The fallback ran.
    Fallback(UnhandledNotificationDetails),
    /// `pre_handle` returned `false`; nothing else ran.
    Skipped,
    /// The ledger holds the event as processed already (a redelivery); nothing ran.
    AlreadyProcessed,
}

//! What a generated crate tells the runtime about its event types: the catalog of every type it
//! knows ([`EventCatalog`]) and each type's place in it ([`KnownEventKind`]). Both are
//! implemented by [`event_catalog!`](crate::event_catalog), from one row per event type.

use crate::client::StripeClient;
use crate::kind::EventKind;
use crate::notification::Conformed;
use crate::related::RelatedInfo;
use crate::style::{EventStyle, SnapshotInfo};

/// Every event type a generated crate knows.
pub trait EventCatalog: Sized + Send + Sync + 'static {
    /// The known event types, sorted by type string; a type's index here is its
    /// [`KnownEventKind::INDEX`].
    const EVENTS: &'static [EventInfo];
    /// The Stripe API version the catalog was generated for, sent as `Stripe-Version`.
    const API_VERSION: &'static str;
    /// Any notification of the catalog, typed: one variant per kind, and one for types the
    /// catalog does not know (the generated `AnyNotification`).
    type Any: Send + 'static;

    /// The typed notification of a body conformed to the catalog entry at `index` (`None`: not
    /// a known type).
    #[doc(hidden)]
    fn any(index: Option<usize>, notification: Conformed, client: StripeClient) -> Self::Any;

    /// The index of `event_type` in [`Self::EVENTS`], if known: a generated `match`, which the
    /// compiler turns into a decision tree (a few nanoseconds, where a binary search of the
    /// sorted list costs a hundred).
    #[doc(hidden)]
    fn index_of(event_type: &str) -> Option<usize>;

    /// The index of the kind whose classic snapshot type is `event_type` (`invoice.paid`), if
    /// known: a generated `match` too.
    #[doc(hidden)]
    fn snapshot_index_of(event_type: &str) -> Option<usize>;

    /// The index of the kind a body of `style` and type `event_type` is: a snapshot-only kind
    /// is not known in a thin body.
    #[doc(hidden)]
    fn lookup(style: EventStyle, event_type: &str) -> Option<usize> {
        match style {
            EventStyle::Thin => Self::index_of(event_type)
                .filter(|&index| Self::EVENTS.get(index).is_some_and(|info| info.thin)),
            EventStyle::Snapshot => Self::snapshot_index_of(event_type),
        }
    }

    /// Calls `visitor` with every kind of the catalog, in order.
    #[doc(hidden)]
    fn for_each_kind<V: KindVisitor<Self>>(visitor: &mut V);

    /// The info of a known event type (by its thin name, `v1.invoice.paid`).
    fn info(event_type: &str) -> Option<&'static EventInfo> {
        Self::index_of(event_type).and_then(|index| Self::EVENTS.get(index))
    }
}

/// An event type known at compile time, with its place in its catalog.
pub trait KnownEventKind: EventKind {
    /// The catalog the kind belongs to: a handler registers callbacks for its own catalog's
    /// kinds only, which the compiler checks.
    type Catalog: EventCatalog;
    /// The event type string: the thin type, `v1.invoice.paid` (named so for a type Stripe sends
    /// only as snapshot events, as it names thin twins).
    const EVENT_TYPE: &'static str;
    /// Index of [`Self::EVENT_TYPE`] in [`EventCatalog::EVENTS`].
    #[doc(hidden)]
    const INDEX: usize;
}

/// Something done once per kind of a catalog ([`EventCatalog::for_each_kind`]): the way to go
/// over types, which a loop over values cannot.
#[doc(hidden)]
pub trait KindVisitor<C: EventCatalog> {
    /// Called with each kind.
    fn visit<K: KnownEventKind<Catalog = C>>(&mut self);
}

/// What the spec says of one event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// The type string, `v1.billing.meter.error_report_triggered`.
    pub event_type: &'static str,
    /// Its related object.
    pub related: RelatedInfo,
    /// Whether Stripe sends it as a thin event (a spec defines it); `false` for a type only
    /// sent as snapshot events.
    pub thin: bool,
    /// Its classic snapshot type, when it has one.
    pub snapshot: Option<SnapshotInfo>,
}

impl EventInfo {
    /// The styles the type arrives in: `thin`, `snapshot`, or both.
    pub fn styles(&self) -> &'static str {
        match (self.thin, self.snapshot.is_some()) {
            (true, true) => "thin, snapshot",
            (false, true) => "snapshot",
            _ => "thin",
        }
    }
}

/// Checks the generated code runs at compile time.
#[doc(hidden)]
#[expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time, where a slip is a compile error, not a panic"
)]
pub mod checks {
    /// Whether `a` and `b` are the same string.
    pub const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Whether `a` sorts strictly before `b`, byte by byte.
    const fn before(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut i = 0;
        while i < a.len() && i < b.len() {
            if a[i] != b[i] {
                return a[i] < b[i];
            }
            i += 1;
        }
        a.len() < b.len()
    }

    /// Whether `types` is sorted without repeats.
    pub const fn sorted(types: &[&str]) -> bool {
        let mut i = 1;
        while i < types.len() {
            if !before(types[i - 1], types[i]) {
                return false;
            }
            i += 1;
        }
        true
    }
}

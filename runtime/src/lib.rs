//! Runtime of [stripe-notify](https://docs.rs/stripe-notify): everything that does not depend on
//! Stripe's spec.
//!
//! - [`signature`]: `Stripe-Signature` verification (HMAC-SHA256, constant-time, rotation,
//!   tolerance) and [`sign`] for tests;
//! - [`notification`]: the envelope of both payload styles (thin notifications and classic
//!   snapshot events), parsed into spans of one copy of the body, the typed [`Notification`],
//!   what a snapshot carries and what a notification fetches;
//! - [`client`]: the context-bound [`StripeClient`], which knows requests, not notifications;
//! - [`handler`]: the builder and the frozen [`Handler`] that verifies, parses and routes;
//! - [`event_catalog!`]: what a generated crate is made of, one row per event type.
//!
//! Without features this is the lean core: verify, parse, route, `handle_blocking`, with no
//! HTTP stack. `client` adds the HTTP client (fetching, recovery); `inbox` the inbox and its
//! workers; `http`, `axum`, `actix-web` the endpoint; `lambda`, `inbox-sqlite`,
//! `inbox-postgres`, `inbox-admin`, `testing` what they name; `tracing` the logs (on with every feature that
//! does I/O).
//!
//! Users depend on the generated `stripe-notify` crate, which re-exports this API and adds one
//! typed notification and one `on_*` method per event type.
//!
//! Modules are layered, each using only those above it: `text`, `decimal`, `random`, `clock`,
//! `context`, `types`, `error`, `style`; `signature`, `related`, `kind`, `client`; `notification`;
//! `catalog`, `envelope`, `outcome`, `ledger`, `inbox`, `recovery`, `sample`; `handler`; `endpoint`,
//! `inbox_admin`, `lambda`, `testing`.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

#[cfg(any(feature = "client", feature = "inbox"))]
mod backoff;
pub mod catalog;
pub mod client;
mod clock;
pub mod context;
mod decimal;
#[cfg(feature = "http")]
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod handler;
#[cfg(feature = "inbox")]
pub mod inbox;
#[cfg(feature = "inbox-admin")]
pub mod inbox_admin;
mod kind;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod ledger;
mod macros;
#[cfg(feature = "metrics")]
mod metrics;
pub mod notification;
mod object;
mod outcome;
mod random;
#[cfg(feature = "client")]
pub mod recovery;
mod related;
pub mod sample;
pub mod signature;
mod style;
#[cfg(feature = "testing")]
pub mod testing;
mod text;
pub mod types;

pub use catalog::{EventCatalog, EventInfo, KindVisitor, KnownEventKind};
pub use client::{StripeClient, StripeClientBuilder};
pub use clock::{Clock, FixedClock, SystemClock, unix_now};
pub use context::StripeContext;
pub use error::{
    ApiError, CallbackError, CallbackResult, ClientError, ConfigError, HandleError, MalformedHeader,
    ObjectError, PayloadError, SignatureError,
};
pub use handler::{Handler, HandlerBuilder};
pub use jiff::Timestamp;
pub use kind::{EventKind, Unknown};
#[cfg(feature = "client")]
pub use notification::FetchedObject;
pub use notification::{Event, Notification, Reason, ReasonRequest, Snapshot, UnknownEventNotification};
pub use object::{ObjectJson, SnapshotObject};
pub use outcome::{Handled, UnhandledNotificationDetails};
#[cfg(feature = "client")]
pub use recovery::{RecoveryCounts, RecoveryFilter, RecoveryReport, RecoveryStyles};
pub use related::{
    AnyRelatedObject, FetchRelatedObject, HasAnyRelatedObject, HasNoRelatedObject, HasRelatedObject,
    HasSingletonRelatedObject, RelatedExample, RelatedInfo, RelatedObject, RelatedObjectShape,
    RelatedResourceInfo, SingletonRelatedObject,
};
pub use signature::{SignatureHeader, Tolerance, Verifier, WebhookSecret, sign};
pub use style::{EventStyle, SnapshotInfo};

//! Runtime of [stripe-notify](https://docs.rs/stripe-notify): everything that does not depend on
//! Stripe's spec.
//!
//! - [`signature`]: `Stripe-Signature` verification (HMAC-SHA256, constant-time, rotation,
//!   tolerance) and [`sign`] for tests;
//! - [`notification`]: the thin event envelope, parsed into spans of one copy of the body, and
//!   the typed [`Notification`];
//! - [`envelope`]: EventBridge and Event Grid envelopes for the unverified path;
//! - [`dispatch`]: the builder and the frozen [`Handler`];
//! - [`client`]: the context-bound [`StripeClient`].
//!
//! Users depend on the generated `stripe-notify` crate, which re-exports this API and adds one
//! typed notification and one `on_*` method per event type.
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

pub mod catalog;
pub mod client;
pub mod context;
mod decimal;
pub mod dispatch;
#[cfg(feature = "axum")]
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod ledger;
pub mod notification;
pub mod recovery;
pub mod sample;
pub mod signature;
#[cfg(feature = "testing")]
pub mod testing;
pub mod types;

pub use catalog::{EventCatalog, EventInfo, RelatedInfo, RelatedResourceInfo};
pub use client::{StripeClient, StripeClientBuilder};
pub use context::StripeContext;
pub use dispatch::{Handled, Handler, HandlerBuilder, UnhandledNotificationDetails};
pub use error::{
    ApiError, CallbackError, CallbackResult, ClientError, ConfigError, HandleError, MalformedHeader,
    PayloadError, SignatureError,
};
pub use jiff::Timestamp;
pub use notification::{
    AnyRelatedObject, Event, EventKind, HasAnyRelatedObject, HasNoRelatedObject, HasRelatedObject,
    HasSingletonRelatedObject, KnownEventKind, Notification, Reason, ReasonRequest, RelatedObject,
    RelatedObjectShape, SingletonRelatedObject, Unknown, UnknownEventNotification,
};
pub use recovery::{RecoveryFilter, RecoveryReport};
pub use signature::{
    Clock, FixedClock, SignatureHeader, SystemClock, Tolerance, Verifier, WebhookSecret, sign,
};

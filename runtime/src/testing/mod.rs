//! Helpers for tests of code that uses stripe-notify: a fake Stripe API on loopback
//! ([`FakeStripe`]), for code that fetches events and related objects or lists a history of them, and a counting
//! allocator ([`CountingAllocator`]), for tests that state how many allocations a path makes;
//! a loopback TCP proxy a test can cut ([`TcpProxy`]), for a database that goes away; with
//! `inbox-postgres`, a schema of a test's own on a shared PostgreSQL ([`isolated_schema`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use stripe_notify_runtime::testing::FakeStripe;
//! let stripe = FakeStripe::start().await?;
//! stripe.respond("/v1/billing/meters/mtr_1", 200, r#"{"id":"mtr_1"}"#);
//! let client = stripe_notify_runtime::StripeClient::builder("sk_test_1").api_base(stripe.url()).build();
//! # Ok(()) }
//! ```

mod allocations;
mod event_history;
mod fake_stripe;
#[cfg(feature = "inbox-postgres")]
mod postgres;
mod proxy;

pub use allocations::{CountingAllocator, allocations_during};
pub use fake_stripe::{FakeStripe, RecordedRequest};
#[cfg(feature = "inbox-postgres")]
pub use postgres::isolated_schema;
pub use proxy::TcpProxy;

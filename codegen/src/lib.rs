//! Generator of the `stripe-notify` crate from Stripe's OpenAPI spec.

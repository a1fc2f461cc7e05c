//! `StripeClient`: the API client handed to callbacks, bound to the event's context.

use std::fmt;
use std::sync::Arc;

use crate::context::StripeContext;

/// Stripe's API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// A Stripe API client. Cheap to clone; the key is never shown by `Debug`.
#[derive(Clone)]
pub struct StripeClient {
    config: Arc<ClientConfig>,
    context: Option<StripeContext>,
}

struct ClientConfig {
    api_key: String,
    api_base: String,
}

impl StripeClient {
    /// A client for Stripe's API with this secret or restricted key.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self::with_api_base(api_key, DEFAULT_API_BASE)
    }

    /// A client for another base URL (a proxy, or a fake Stripe in tests).
    pub fn with_api_base(api_key: impl Into<String>, api_base: impl Into<String>) -> Self {
        let api_base = api_base.into().trim_end_matches('/').to_owned();
        Self {
            config: Arc::new(ClientConfig {
                api_key: api_key.into(),
                api_base,
            }),
            context: None,
        }
    }

    /// The same client with requests in `context` (`Stripe-Context` header), or in no context.
    pub fn with_stripe_context(&self, context: Option<StripeContext>) -> Self {
        Self {
            config: Arc::clone(&self.config),
            context,
        }
    }

    /// The context requests are made in.
    pub fn context(&self) -> Option<&StripeContext> {
        self.context.as_ref()
    }

    /// The base URL requests go to.
    pub fn api_base(&self) -> &str {
        &self.config.api_base
    }
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient")
            .field("api_key", &redacted(&self.config.api_key))
            .field("api_base", &self.config.api_base)
            .field("context", &self.context)
            .finish()
    }
}

/// `sk_test_<redacted>`: the key's kind, never its secret part.
fn redacted(key: &str) -> String {
    let kind = ["sk_live_", "sk_test_", "rk_live_", "rk_test_"]
        .into_iter()
        .find(|prefix| key.starts_with(prefix))
        .unwrap_or("");
    format!("{kind}<redacted>")
}

//! A blocking Stripe client, for code without an async runtime: the async [`StripeClient`]
//! driven by a runtime of its own, so that both make the same requests, with the same checks,
//! headers, retries and errors.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::context::StripeContext;
use crate::error::ClientError;

/// A blocking Stripe API client; build it with
/// [`StripeClientBuilder::build_blocking`](super::StripeClientBuilder::build_blocking). Do not
/// use or drop it inside an async runtime.
#[derive(Clone)]
pub struct StripeClient {
    client: super::StripeClient,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::StripeClient")
            .field(&self.client)
            .finish()
    }
}

impl StripeClient {
    pub(super) fn new(client: super::StripeClient) -> Result<Self, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ClientError::Config(format!("cannot start the blocking client's runtime: {e}")))?;
        Ok(Self {
            client,
            runtime: Arc::new(runtime),
        })
    }

    /// The same client with requests in `context`, or in no context.
    pub fn with_stripe_context(&self, context: Option<StripeContext>) -> Self {
        Self {
            client: self.client.with_stripe_context(context),
            runtime: Arc::clone(&self.runtime),
        }
    }

    /// The same client bound as `client` is (to an event's context or account).
    pub(crate) fn bound_like(&self, client: &super::StripeClient) -> Self {
        Self {
            client: self.client.bound_like(client),
            runtime: Arc::clone(&self.runtime),
        }
    }

    /// The context requests are made in.
    pub fn context(&self) -> Option<&StripeContext> {
        self.client.context()
    }

    /// `GET path`, as [`super::StripeClient::get`].
    pub fn get<T: DeserializeOwned>(&self, path: &str, event_id: Option<&str>) -> Result<T, ClientError> {
        self.runtime.block_on(self.client.get(path, event_id))
    }
}

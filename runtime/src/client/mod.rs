//! `StripeClient`: the API client handed to callbacks, bound to the event's context. It knows
//! requests (URLs that stay on the API host, Stripe's headers, retries, typed errors), not
//! notifications: a notification fetches through it. Sending is the `client` feature's
//! (`request`, `retry`, `blocking`); without it a client carries the account and the context
//! only, so that callbacks have one signature whatever the features.

#[cfg(feature = "client")]
pub mod blocking;
mod config;
mod key;
#[cfg(feature = "client")]
mod request;
#[cfg(feature = "client")]
mod retry;

use std::fmt;
use std::sync::Arc;

#[cfg(feature = "client")]
use reqwest::header::HeaderValue;
#[cfg(feature = "client")]
use serde::de::DeserializeOwned;

pub use config::{DEFAULT_API_BASE, StripeClientBuilder};
#[cfg(feature = "client")]
pub use config::{DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_BASE_DELAY};
#[cfg(feature = "client")]
pub(crate) use request::encode;

use crate::context::StripeContext;
use crate::error::ClientError;
use config::ClientConfig;

#[cfg(feature = "client")]
const USER_AGENT: &str = concat!("stripe-notify/", env!("CARGO_PKG_VERSION"));

/// A Stripe API client. Cheap to clone (the connection pool is shared); the key is never shown
/// by `Debug` or in errors.
#[derive(Clone)]
pub struct StripeClient {
    shared: Arc<Shared>,
    context: Option<StripeContext>,
    #[cfg_attr(not(feature = "client"), expect(dead_code, reason = "read when sending"))]
    /// Whether the context is a v1 connected account (a snapshot event's `account`): sent as
    /// `Stripe-Account` to v1 APIs, as Stripe documents for them, and as `Stripe-Context` to v2.
    as_account: bool,
}

/// What every clone of a client shares: one reference count to bump per notification.
struct Shared {
    config: ClientConfig,
    #[cfg(feature = "client")]
    http: reqwest::Client,
}

impl StripeClient {
    /// A client for Stripe's API with this secret or restricted key, with the defaults of
    /// [`builder`](Self::builder).
    ///
    /// # Panics
    ///
    /// With the `client` feature, if the TLS backend cannot be initialized, as
    /// `reqwest::Client::new` does.
    #[expect(
        clippy::expect_used,
        reason = "the default configuration always checks out; only a TLS backend that cannot start fails, where reqwest::Client::new panics too"
    )]
    pub fn new(api_key: impl AsRef<str>) -> Self {
        Self::builder(api_key)
            .build()
            .expect("the default client configuration is valid")
    }

    /// A builder, to set the base URL, API version, timeout and retries.
    pub fn builder(api_key: impl AsRef<str>) -> StripeClientBuilder {
        StripeClientBuilder::new(api_key.as_ref())
    }

    fn from_config(config: ClientConfig) -> Result<Self, ClientError> {
        #[cfg(feature = "client")]
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(config.transport.timeout)
            .connect_timeout(config.transport.timeout)
            .build()
            .map_err(|e| ClientError::Config(e.to_string()))?;
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                #[cfg(feature = "client")]
                http,
            }),
            context: None,
            as_account: false,
        })
    }

    /// The same client with requests in `context` (`Stripe-Context`), or in no context.
    pub fn with_stripe_context(&self, context: Option<StripeContext>) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            context,
            as_account: false,
        }
    }

    /// The same client with requests on behalf of a connected `account` (`acct_...`), or of
    /// none: `Stripe-Account` to the v1 API, `Stripe-Context` to v2, as Stripe documents each.
    /// Callbacks of snapshot events get a client bound so to the event's `account`.
    pub fn with_stripe_account(&self, account: Option<&str>) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            context: account.and_then(StripeContext::parse),
            as_account: true,
        }
    }

    /// The same client bound as `other` is: to its context or account.
    #[cfg(feature = "client")]
    pub(crate) fn bound_like(&self, other: &Self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            context: other.context.clone(),
            as_account: other.as_account,
        }
    }

    /// The same client sending `version` as `Stripe-Version`, unless one was set explicitly.
    #[cfg(feature = "client")]
    pub(crate) fn with_default_api_version(&self, version: &'static str) -> Self {
        if self.shared.config.transport.api_version.is_some() {
            return self.clone();
        }
        let mut config = self.shared.config.clone();
        config.transport.api_version = Some(HeaderValue::from_static(version));
        Self {
            shared: Arc::new(Shared {
                config,
                http: self.shared.http.clone(),
            }),
            context: self.context.clone(),
            as_account: self.as_account,
        }
    }

    /// The context requests are made in.
    pub fn context(&self) -> Option<&StripeContext> {
        self.context.as_ref()
    }

    /// The base URL requests go to.
    pub fn api_base(&self) -> &str {
        &self.shared.config.api_base
    }

    /// `GET path` (a path beginning with one `/`), retried per the client's policy, decoded as
    /// `T`. `event_id` names the event that triggered it (`Stripe-Request-Trigger`).
    #[cfg(feature = "client")]
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        event_id: Option<&str>,
    ) -> Result<T, ClientError> {
        let config = &self.shared.config;
        let url = request::url(config, path)?;
        let binding = self.context.as_ref().map(|context| request::Binding {
            context,
            as_account: self.as_account && path.starts_with("/v1/"),
        });
        let headers = request::headers(config, binding, event_id)?;
        let mut attempt = 0;
        loop {
            let outcome = self.send(url.clone(), headers.clone()).await;
            match retry::delay(config, attempt, &outcome) {
                Some(delay) => {
                    tracing::debug!(attempt, ?delay, "retrying a Stripe request");
                    tokio::time::sleep(delay).await;
                    attempt = attempt.saturating_add(1);
                }
                None => return request::decode(outcome?),
            }
        }
    }

    #[cfg(feature = "client")]
    async fn send(
        &self,
        url: reqwest::Url,
        headers: reqwest::header::HeaderMap,
    ) -> Result<request::Response, ClientError> {
        let response = self
            .shared
            .http
            .get(url)
            .headers(headers)
            .send()
            .await
            .map_err(|e| request::transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| request::transport_error(&e))?;
        Ok(request::Response {
            status,
            headers,
            body: body.to_vec(),
        })
    }
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient")
            .field("api_key", &self.shared.config.api_key)
            .field("api_base", &self.shared.config.api_base)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

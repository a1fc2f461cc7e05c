//! How a client is configured: the builder, its defaults and its checks. Without the `client`
//! feature a client only carries the account (its key, never shown) and the API base; what
//! sending needs (the parsed base, the version header, timeouts, retries) comes with the feature.

#[cfg(feature = "client")]
use std::time::Duration;

#[cfg(feature = "client")]
use reqwest::header::HeaderValue;

use super::StripeClient;
#[cfg(feature = "client")]
use super::blocking;
use super::key::ApiKey;
use crate::error::ClientError;

/// Stripe's API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
/// Default timeout of one request attempt.
#[cfg(feature = "client")]
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries of a failed request.
#[cfg(feature = "client")]
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default backoff before the first retry.
#[cfg(feature = "client")]
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(500);

/// What a client is configured with, checked; shared by the clones of a client.
#[derive(Clone, Debug)]
pub(crate) struct ClientConfig {
    pub(crate) api_key: ApiKey,
    /// The base URL, without a trailing `/`.
    pub(crate) api_base: String,
    #[cfg(feature = "client")]
    pub(crate) transport: Transport,
}

/// What sending requests needs.
#[cfg(feature = "client")]
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    /// The base URL, parsed: requests must stay on its origin.
    pub(crate) api_url: reqwest::Url,
    pub(crate) api_version: Option<HeaderValue>,
    pub(crate) timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) retry_base_delay: Duration,
}

/// Builds a [`StripeClient`] (or, with the `client` feature, a [`blocking::StripeClient`]).
#[derive(Clone, Debug)]
pub struct StripeClientBuilder {
    api_key: ApiKey,
    api_base: String,
    #[cfg(feature = "client")]
    sending: Sending,
}

/// How requests are sent, as set on the builder, before its checks.
#[cfg(feature = "client")]
#[derive(Clone, Debug)]
struct Sending {
    api_version: Option<String>,
    timeout: Duration,
    max_retries: u32,
    retry_base_delay: Duration,
}

#[cfg(feature = "client")]
impl Default for Sending {
    fn default() -> Self {
        Self {
            api_version: None,
            timeout: DEFAULT_REQUEST_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
        }
    }
}

impl StripeClientBuilder {
    /// A builder with the defaults: Stripe's API, the generated crate's API version, a 30 s
    /// timeout per attempt, 2 retries from 500 ms.
    pub(crate) fn new(api_key: &str) -> Self {
        Self {
            api_key: ApiKey::new(api_key),
            api_base: DEFAULT_API_BASE.to_owned(),
            #[cfg(feature = "client")]
            sending: Sending::default(),
        }
    }

    /// The base URL requests go to (default `https://api.stripe.com`): a proxy, or a fake
    /// Stripe on loopback in tests.
    pub fn api_base(mut self, api_base: impl Into<String>) -> Self {
        self.api_base = api_base.into();
        self
    }

    /// The `Stripe-Version` sent (default: the version the generated crate was made for).
    #[cfg(feature = "client")]
    pub fn api_version(mut self, api_version: impl Into<String>) -> Self {
        self.sending.api_version = Some(api_version.into());
        self
    }

    /// Timeout of one request attempt (default 30 s).
    #[cfg(feature = "client")]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.sending.timeout = timeout;
        self
    }

    /// Retries after a connection failure, a timeout, a 429 or a 5xx (default 2).
    #[cfg(feature = "client")]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.sending.max_retries = max_retries;
        self
    }

    /// The first retry's backoff; each next one doubles, with jitter, up to 5 s (default 500 ms).
    #[cfg(feature = "client")]
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.sending.retry_base_delay = delay;
        self
    }

    /// The async client. With the `client` feature, fails when the base URL is not an http(s)
    /// URL or the API version cannot be sent in a header.
    pub fn build(self) -> Result<StripeClient, ClientError> {
        StripeClient::from_config(self.config()?)
    }

    /// The blocking client, for code without an async runtime. Do not build, use or drop it
    /// inside an async runtime (it runs one of its own).
    #[cfg(feature = "client")]
    pub fn build_blocking(self) -> Result<blocking::StripeClient, ClientError> {
        blocking::StripeClient::new(self.build()?)
    }

    fn config(self) -> Result<ClientConfig, ClientError> {
        let api_base = self.api_base.trim_end_matches('/').to_owned();
        #[cfg(feature = "client")]
        let transport = {
            let api_url = reqwest::Url::parse(&api_base)
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
                .ok_or_else(|| {
                    ClientError::Config(format!("the API base {api_base:?} is not an http(s) URL"))
                })?;
            let api_version = self
                .sending
                .api_version
                .map(|v| HeaderValue::from_str(&v))
                .transpose()
                .map_err(|_| {
                    ClientError::Config("the API version has characters a header cannot carry".into())
                })?;
            Transport {
                api_url,
                api_version,
                timeout: self.sending.timeout,
                max_retries: self.sending.max_retries,
                retry_base_delay: self.sending.retry_base_delay,
            }
        };
        Ok(ClientConfig {
            api_key: self.api_key,
            api_base,
            #[cfg(feature = "client")]
            transport,
        })
    }
}

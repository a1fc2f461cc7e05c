//! `StripeClient`: the API client handed to callbacks, bound to the event's context, with the
//! two requests a thin event needs: fetch the event, fetch its related object.

pub mod blocking;
mod request;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;

use crate::context::StripeContext;
use crate::error::ClientError;
use crate::notification::{Event, EventKind, Notification};

/// Stripe's API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
/// Default timeout of one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries of a failed request.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default backoff before the first retry.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(500);

const USER_AGENT: &str = concat!("stripe-notify/", env!("CARGO_PKG_VERSION"));

/// A Stripe API client. Cheap to clone (the connection pool is shared); the key is never shown
/// by `Debug` or in errors.
#[derive(Clone)]
pub struct StripeClient {
    shared: Arc<Shared>,
    context: Option<StripeContext>,
}

/// What every clone of a client shares: one reference count to bump per notification.
struct Shared {
    config: ClientConfig,
    http: reqwest::Client,
}

/// What a client is configured with; shared by the async and blocking clients.
#[derive(Clone)]
pub(crate) struct ClientConfig {
    api_key: String,
    /// `Bearer <key>`, marked sensitive so that `http`'s `Debug` hides it; `None` when the key
    /// has characters no header can carry (every request then fails with a config error).
    authorization: Option<HeaderValue>,
    /// The base URL, without a trailing `/`.
    api_base: String,
    /// The same, parsed: requests must stay on its origin.
    api_url: reqwest::Url,
    api_version: Option<HeaderValue>,
    timeout: Duration,
    max_retries: u32,
    retry_base_delay: Duration,
}

/// Builds a [`StripeClient`] (or a [`blocking::StripeClient`]).
#[derive(Clone)]
pub struct StripeClientBuilder {
    api_key: String,
    api_base: String,
    api_version: Option<String>,
    timeout: Duration,
    max_retries: u32,
    retry_base_delay: Duration,
}

impl fmt::Debug for StripeClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClientBuilder")
            .field("api_key", &redacted(&self.api_key))
            .field("api_base", &self.api_base)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

impl StripeClientBuilder {
    /// The base URL requests go to (default `https://api.stripe.com`): a proxy, or a fake
    /// Stripe on loopback in tests.
    pub fn api_base(mut self, api_base: impl Into<String>) -> Self {
        self.api_base = api_base.into();
        self
    }

    /// The `Stripe-Version` sent (default: the version the generated crate was made for).
    pub fn api_version(mut self, api_version: impl Into<String>) -> Self {
        self.api_version = Some(api_version.into());
        self
    }

    /// Timeout of one request attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after a connection failure, a timeout, a 429 or a 5xx (default 2).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The first retry's backoff; each next one doubles, with jitter, up to 5 s (default 500 ms).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    fn config(self) -> Result<ClientConfig, ClientError> {
        let api_base = self.api_base.trim_end_matches('/').to_owned();
        let api_url = reqwest::Url::parse(&api_base)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
            .ok_or_else(|| ClientError::Config(format!("the API base {api_base:?} is not an http(s) URL")))?;
        let api_version = self
            .api_version
            .map(|v| HeaderValue::from_str(&v))
            .transpose()
            .map_err(|_| {
                ClientError::Config("the API version has characters a header cannot carry".into())
            })?;
        Ok(ClientConfig {
            authorization: authorization(&self.api_key),
            api_key: self.api_key,
            api_url,
            api_base,
            api_version,
            timeout: self.timeout,
            max_retries: self.max_retries,
            retry_base_delay: self.retry_base_delay,
        })
    }

    /// The async client. Fails when the base URL is not an http(s) URL or the API version
    /// cannot be sent in a header.
    pub fn build(self) -> Result<StripeClient, ClientError> {
        Ok(StripeClient::from_config(self.config()?))
    }

    /// The blocking client, for code without an async runtime. Do not build or drop it inside
    /// an async runtime (reqwest's blocking client runs its own).
    pub fn build_blocking(self) -> Result<blocking::StripeClient, ClientError> {
        blocking::StripeClient::from_config(self.config()?)
    }
}

impl StripeClient {
    /// A client for Stripe's API with this secret or restricted key, with defaults.
    ///
    /// # Panics
    ///
    /// If the TLS backend cannot be initialized, as `reqwest::Client::new` does.
    pub fn new(api_key: impl Into<String>) -> Self {
        let api_key = api_key.into();
        Self::from_config(ClientConfig {
            authorization: authorization(&api_key),
            api_key,
            api_base: DEFAULT_API_BASE.to_owned(),
            api_url: default_api_url(),
            api_version: None,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
        })
    }

    /// A builder, to set the base URL, API version, timeout and retries.
    pub fn builder(api_key: impl Into<String>) -> StripeClientBuilder {
        StripeClientBuilder {
            api_key: api_key.into(),
            api_base: DEFAULT_API_BASE.to_owned(),
            api_version: None,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
        }
    }

    #[allow(clippy::expect_used)]
    fn from_config(config: ClientConfig) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            // Only a TLS backend that cannot start fails here; reqwest's own `Client::new`
            // panics in that case too, and no request could be made anyway.
            .expect("the HTTP client's TLS backend initializes");
        Self {
            shared: Arc::new(Shared { config, http }),
            context: None,
        }
    }

    /// The same client with requests in `context` (`Stripe-Context`), or in no context.
    pub fn with_stripe_context(&self, context: Option<StripeContext>) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            context,
        }
    }

    /// The same client sending `version` as `Stripe-Version`, unless one was set explicitly.
    pub(crate) fn with_default_api_version(&self, version: &'static str) -> Self {
        if self.shared.config.api_version.is_some() {
            return self.clone();
        }
        let mut config = self.shared.config.clone();
        config.api_version = Some(HeaderValue::from_static(version));
        Self {
            shared: Arc::new(Shared {
                config,
                http: self.shared.http.clone(),
            }),
            context: self.context.clone(),
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
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        event_id: Option<&str>,
    ) -> Result<T, ClientError> {
        let url = request::url(&self.shared.config, path)?;
        let headers = request::headers(&self.shared.config, self.context.as_ref(), event_id)?;
        let mut attempt = 0;
        loop {
            let outcome = self.send(url.clone(), headers.clone()).await;
            match request::retry_delay(&self.shared.config, attempt, &outcome) {
                Some(delay) => {
                    tracing::debug!(attempt, ?delay, "retrying a Stripe request");
                    tokio::time::sleep(delay).await;
                    attempt = attempt.saturating_add(1);
                }
                None => return request::decode(outcome?),
            }
        }
    }

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

/// `https://api.stripe.com`, parsed.
#[allow(clippy::expect_used)]
fn default_api_url() -> reqwest::Url {
    reqwest::Url::parse(DEFAULT_API_BASE).expect("DEFAULT_API_BASE is a valid URL")
}

/// The `Authorization` header for a key, marked sensitive; `None` if no header can carry it.
fn authorization(api_key: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {api_key}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient")
            .field("api_key", &redacted(&self.shared.config.api_key))
            .field("api_base", &self.shared.config.api_base)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

/// `sk_test_<redacted>`: the key's kind, never its secret part.
pub(crate) fn redacted(key: &str) -> String {
    let kind = ["sk_live_", "sk_test_", "rk_live_", "rk_test_"]
        .into_iter()
        .find(|prefix| key.starts_with(prefix))
        .unwrap_or("");
    format!("{kind}<redacted>")
}

impl<K: EventKind> Notification<K> {
    /// Fetches the full event (`GET /v2/core/events/{id}`), with its typed `data`.
    pub async fn fetch_event(&self) -> Result<Event<K>, ClientError> {
        self.client()
            .get(&request::event_path(self.id()), Some(self.id()))
            .await
    }

    /// Fetches the object the event is about (`GET {related_object.url}`), typed when the spec
    /// defines its resource. `None`, without any request, when there is no related object. A
    /// URL that is not a path on the API host is refused before anything is sent.
    pub async fn fetch_related_object(&self) -> Result<Option<K::Resource>, ClientError> {
        match self.related_url() {
            None => Ok(None),
            Some(url) => self.client().get(url, Some(self.id())).await.map(Some),
        }
    }
}

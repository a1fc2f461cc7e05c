//! A blocking Stripe client, for code without an async runtime: the same requests, headers,
//! URL checks, error mapping and retries as the async [`StripeClient`](super::StripeClient).

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::{ClientConfig, USER_AGENT, redacted, request};
use crate::context::StripeContext;
use crate::error::ClientError;
use crate::notification::{Event, EventKind, Notification};

/// A blocking Stripe API client; build it with
/// [`StripeClientBuilder::build_blocking`](super::StripeClientBuilder::build_blocking).
#[derive(Clone)]
pub struct StripeClient {
    config: Arc<ClientConfig>,
    http: reqwest::blocking::Client,
    context: Option<StripeContext>,
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::StripeClient")
            .field("api_key", &redacted(&self.config.api_key))
            .field("api_base", &self.config.api_base)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl StripeClient {
    pub(super) fn from_config(config: ClientConfig) -> Result<Self, ClientError> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| ClientError::Config(e.to_string()))?;
        Ok(Self {
            config: Arc::new(config),
            http,
            context: None,
        })
    }

    /// The same client with requests in `context`, or in no context.
    pub fn with_stripe_context(&self, context: Option<StripeContext>) -> Self {
        Self {
            config: Arc::clone(&self.config),
            http: self.http.clone(),
            context,
        }
    }

    /// The context requests are made in.
    pub fn context(&self) -> Option<&StripeContext> {
        self.context.as_ref()
    }

    /// `GET path`, as [`super::StripeClient::get`].
    pub fn get<T: DeserializeOwned>(&self, path: &str, event_id: Option<&str>) -> Result<T, ClientError> {
        let url = request::url(&self.config, path)?;
        let headers = request::headers(&self.config, self.context.as_ref(), event_id)?;
        let mut attempt = 0;
        loop {
            let outcome = self.send(url.clone(), headers.clone());
            match request::retry_delay(&self.config, attempt, &outcome) {
                Some(delay) => {
                    std::thread::sleep(delay);
                    attempt = attempt.saturating_add(1);
                }
                None => return request::decode(outcome?),
            }
        }
    }

    fn send(
        &self,
        url: reqwest::Url,
        headers: reqwest::header::HeaderMap,
    ) -> Result<request::Response, ClientError> {
        let response = self
            .http
            .get(url)
            .headers(headers)
            .send()
            .map_err(|e| request::transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().map_err(|e| request::transport_error(&e))?;
        Ok(request::Response {
            status,
            headers,
            body: body.to_vec(),
        })
    }

    /// Fetches `notification`'s full event, in the notification's context.
    pub fn fetch_event<K: EventKind>(&self, notification: &Notification<K>) -> Result<Event<K>, ClientError> {
        self.with_stripe_context(notification.context().cloned())
            .get(&request::event_path(notification.id()), Some(notification.id()))
    }

    /// Fetches `notification`'s related object, in its context; `None` without a request when
    /// it has none.
    pub fn fetch_related_object<K: EventKind>(
        &self,
        notification: &Notification<K>,
    ) -> Result<Option<K::Resource>, ClientError> {
        match notification.related_url() {
            None => Ok(None),
            Some(url) => self
                .with_stripe_context(notification.context().cloned())
                .get(url, Some(notification.id()))
                .map(Some),
        }
    }
}

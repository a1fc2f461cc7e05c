//! What the async and blocking clients share: the request's URL and headers, how a response
//! becomes a value or a typed error, and when to retry.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ClientError};
use crate::notification::truncate;

use super::ClientConfig;
use crate::context::StripeContext;

/// The API path of an event: `/v2/core/events/{id}`, the id percent-encoded.
pub(crate) fn event_path(id: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    format!(
        "/v2/core/events/{}",
        percent_encoding::utf8_percent_encode(id, UNRESERVED)
    )
}

/// The full URL for an API `path`. Only a path beginning with exactly one `/` is accepted, and
/// the result must stay on the configured API host: a related object's `url` comes from the
/// request body, and must never send the API key elsewhere (`//evil.example`, `@evil.example`,
/// `https://evil.example`).
pub(crate) fn url(config: &ClientConfig, path: &str) -> Result<reqwest::Url, ClientError> {
    let refuse = || ClientError::UnsafeUrl(truncate(path, 200).to_owned());
    let rest = path.strip_prefix('/').ok_or_else(refuse)?;
    if rest.starts_with(['/', '\\']) || path.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refuse());
    }
    let url = reqwest::Url::parse(&format!("{}{path}", config.api_base)).map_err(|_| refuse())?;
    if url.origin() != config.api_url.origin() {
        return Err(refuse());
    }
    Ok(url)
}

/// Headers for a request in `context`, triggered by event `event_id`.
pub(crate) fn headers(
    config: &ClientConfig,
    context: Option<&StripeContext>,
    event_id: Option<&str>,
) -> Result<HeaderMap, ClientError> {
    let authorization = config
        .authorization
        .clone()
        .ok_or_else(|| ClientError::Config("the API key has characters a header cannot carry".into()))?;
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(reqwest::header::AUTHORIZATION, authorization);
    if let Some(version) = &config.api_version {
        headers.insert(HeaderName::from_static("stripe-version"), version.clone());
    }
    // Header values are checked rather than trusted: a context or id with a newline in it
    // (from a hostile body) is dropped, never sent.
    if let Some(context) = context.and_then(|c| HeaderValue::from_str(c.as_str()).ok()) {
        headers.insert(HeaderName::from_static("stripe-context"), context);
    }
    if let Some(trigger) = event_id.and_then(|id| HeaderValue::from_str(&format!("event={id}")).ok()) {
        headers.insert(HeaderName::from_static("stripe-request-trigger"), trigger);
    }
    Ok(headers)
}

/// A response, read in full.
pub(crate) struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A success body as `T`, or the error Stripe's body describes.
pub(crate) fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    if response.status.is_success() {
        return serde_json::from_slice(&response.body).map_err(|e| ClientError::Decode(e.to_string()));
    }
    Err(ClientError::Api(Box::new(api_error(&response))))
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    error_type: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    param: Option<String>,
}

fn api_error(response: &Response) -> ApiError {
    let detail = serde_json::from_slice::<ErrorBody>(&response.body)
        .ok()
        .map(|body| body.error);
    let (error_type, code, message, param) = match detail {
        Some(d) => (d.error_type, d.code, d.message, d.param),
        None => (None, None, None, None),
    };
    ApiError {
        status: response.status.as_u16(),
        error_type,
        code,
        message,
        param,
        request_id: response
            .headers
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// How long to wait before retry number `attempt` (0-based), or `None` to stop. Stripe's
/// `Stripe-Should-Retry` header wins; otherwise 429, 5xx and connection failures retry.
pub(crate) fn retry_delay(
    config: &ClientConfig,
    attempt: u32,
    outcome: &Result<Response, ClientError>,
) -> Option<Duration> {
    if attempt >= config.max_retries {
        return None;
    }
    let retry = match outcome {
        Ok(response) => match response
            .headers
            .get("stripe-should-retry")
            .map(HeaderValue::as_bytes)
        {
            Some(b"true") => true,
            Some(b"false") => false,
            _ => response.status == StatusCode::TOO_MANY_REQUESTS || response.status.is_server_error(),
        },
        Err(error) => matches!(error, ClientError::Network(_) | ClientError::Timeout),
    };
    retry.then(|| backoff(config.retry_base_delay, attempt))
}

/// Exponential backoff with "equal jitter": half the step fixed, half random; capped at 5 s.
fn backoff(base: Duration, attempt: u32) -> Duration {
    const CAP: Duration = Duration::from_secs(5);
    let step = base.saturating_mul(2u32.saturating_pow(attempt)).min(CAP);
    let half = step.checked_div(2).unwrap_or_default();
    // RandomState is randomly seeded per instance: enough randomness for jitter, no dependency.
    let random = RandomState::new().hash_one(attempt);
    let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    let jitter = random
        .checked_rem(half_nanos.saturating_add(1))
        .unwrap_or_default();
    half.saturating_add(Duration::from_nanos(jitter))
}

/// A transport error, typed.
pub(crate) fn transport_error(error: &reqwest::Error) -> ClientError {
    if error.is_timeout() {
        ClientError::Timeout
    } else {
        // reqwest's message names the URL, never the headers: no key in it.
        ClientError::Network(error.to_string())
    }
}

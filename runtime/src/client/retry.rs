//! When to retry a request, and how long to wait first.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderValue;

use super::config::ClientConfig;
use super::request::Response;
use crate::error::ClientError;

/// How long to wait before retry number `attempt` (0-based), or `None` to stop. Stripe's
/// `Stripe-Should-Retry` header wins; otherwise 429, 5xx and connection failures retry.
pub(super) fn delay(
    config: &ClientConfig,
    attempt: u32,
    outcome: &Result<Response, ClientError>,
) -> Option<Duration> {
    if attempt >= config.transport.max_retries {
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
    let backoff = crate::backoff::delay(config.transport.retry_base_delay, attempt, Duration::from_secs(5));
    retry.then(|| backoff.max(retry_after(outcome).unwrap_or_default()))
}

/// A `Retry-After` in seconds, as Stripe sends with a 429: waited before the retry, up to a
/// minute (a longer wait is better left to the caller).
fn retry_after(outcome: &Result<Response, ClientError>) -> Option<Duration> {
    let seconds: u64 = outcome
        .as_ref()
        .ok()?
        .headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(60)))
}

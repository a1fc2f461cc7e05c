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
    retry.then(|| backoff(config.retry_base_delay, attempt, Duration::from_secs(5)))
}

/// Exponential backoff with "equal jitter": the step is `base` doubled per attempt, capped at
/// `cap`; half of it is waited for sure, the other half at random.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "halving a duration cannot overflow"
)]
pub(super) fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let step = base.saturating_mul(2u32.saturating_pow(attempt)).min(cap);
    let half = step / 2;
    let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half.saturating_add(Duration::from_nanos(crate::random::below(
        half_nanos.saturating_add(1),
    )))
}

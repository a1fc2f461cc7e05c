//! Exponential backoff with jitter, for retrying requests and failed events.

use std::time::Duration;

/// Exponential backoff with "equal jitter": the step is `base` doubled per attempt, capped at
/// `cap`; half of it is waited for sure, the other half at random.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "halving a duration cannot overflow"
)]
pub(crate) fn delay(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let step = base.saturating_mul(2u32.saturating_pow(attempt)).min(cap);
    let half = step / 2;
    let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half.saturating_add(Duration::from_nanos(crate::random::below(
        half_nanos.saturating_add(1),
    )))
}

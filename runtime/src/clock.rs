//! The time signatures are checked against, and stored events are stamped with.

use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in Unix seconds; injectable so that tests control the clock.
pub trait Clock: Send + Sync + 'static {
    /// The current time, in seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        unix_now()
    }
}

/// A clock stopped at a fixed instant, for tests and replays.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// The system time in Unix seconds. A clock before 1970 reads as 1970: every signed timestamp
/// then looks far in the future and fails the tolerance check, which is the safe outcome.
pub fn unix_now() -> i64 {
    i64::try_from(since_epoch().as_secs()).unwrap_or(i64::MAX)
}

/// The system time in Unix milliseconds (1970 for a clock before it).
#[cfg(feature = "inbox")]
pub(crate) fn unix_now_millis() -> i64 {
    i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX)
}

/// The system time since 1970 (zero for a clock before it).
fn since_epoch() -> std::time::Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

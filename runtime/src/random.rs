//! Randomness for jitter and sample ids: not for secrets.

use std::hash::{BuildHasher, RandomState};

/// A random number below `bound` (0 when `bound` is 0). `RandomState` is seeded randomly per
/// instance: enough for jitter and fresh sample ids, with no dependency.
pub(crate) fn below(bound: u64) -> u64 {
    RandomState::new().hash_one(bound).checked_rem(bound).unwrap_or(0)
}

//! ASCII decimal numbers, read without overflow branches: the signature header's `t` and the
//! parts of `created` are read on every request.

/// The most digits a number may have: 18 always fit an `i64`.
pub(crate) const MAX_DIGITS: usize = 18;

/// An ASCII digit's value.
pub(crate) fn digit(b: u8) -> Option<i64> {
    // One comparison: a byte below `0` wraps past 9.
    let value = b.wrapping_sub(b'0');
    (value <= 9).then_some(i64::from(value))
}

/// The number `digits` spell: ASCII digits only, at most [`MAX_DIGITS`] of them.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "18 digits are below 10^18 < i64::MAX: no step can overflow"
)]
pub(crate) fn number(digits: &[u8]) -> Option<i64> {
    if digits.len() > MAX_DIGITS {
        return None;
    }
    digits
        .iter()
        .try_fold(0i64, |value, &b| Some(value * 10 + digit(b)?))
}

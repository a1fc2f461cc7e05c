//! ASCII decimal numbers, read without overflow branches: the signature header's `t` and the
//! parts of `created` are read on every request.

/// The most digits a number may have: 18 always fit an `i64`.
pub(crate) const MAX_DIGITS: usize = 18;

/// An ASCII digit's value.
pub(crate) fn digit(b: u8) -> Option<i64> {
    let value = b.wrapping_sub(b'0');
    (value <= 9).then_some(i64::from(value))
}

/// The number `digits` spell: ASCII digits only, at most [`MAX_DIGITS`] of them, so the
/// arithmetic cannot overflow and wrapping keeps overflow branches out of the loop.
pub(crate) fn number(digits: &[u8]) -> Option<i64> {
    if digits.len() > MAX_DIGITS {
        return None;
    }
    digits.iter().try_fold(0i64, |value, &b| {
        Some(value.wrapping_mul(10).wrapping_add(digit(b)?))
    })
}

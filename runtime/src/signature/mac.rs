//! HMAC-SHA256 from a pre-keyed state, hex decoding into a stack buffer, constant-time equality.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Length in bytes of an HMAC-SHA256 signature.
pub(super) const MAC_LEN: usize = 32;

/// An HMAC-SHA256 state keyed with one secret: each signature clones it, skipping the key
/// schedule.
#[derive(Clone)]
pub(super) struct KeyedMac(Hmac<Sha256>);

impl KeyedMac {
    /// The state for `key`, used as the HMAC key as given.
    #[expect(
        clippy::expect_used,
        reason = "HMAC takes keys of any length (RFC 2104 hashes long keys and pads short ones)"
    )]
    pub(super) fn new(key: &[u8]) -> Self {
        Self(Hmac::new_from_slice(key).expect("HMAC accepts keys of any length"))
    }

    /// The signature of `"{timestamp_digits}.{body}"`.
    pub(super) fn sign(&self, timestamp_digits: &str, body: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = self.0.clone();
        mac.update(timestamp_digits.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

/// Compares two MACs in constant time: the differences of all their words are gathered without
/// a branch, and only that one word goes through `subtle`'s comparison (which hides it from the
/// optimizer).
pub(super) fn equal(a: &[u8; MAC_LEN], b: &[u8; MAC_LEN]) -> bool {
    let (a_words, _) = a.as_chunks::<8>();
    let (b_words, _) = b.as_chunks::<8>();
    let difference = a_words.iter().zip(b_words).fold(0u64, |difference, (a, b)| {
        difference | (u64::from_ne_bytes(*a) ^ u64::from_ne_bytes(*b))
    });
    bool::from(difference.ct_eq(&0))
}

/// Decodes 64 hex digits (either case) into a stack buffer; anything else is `None`.
pub(super) fn decode_hex(text: &str) -> Option<[u8; MAC_LEN]> {
    let (pairs, []) = text.as_bytes().as_chunks::<2>() else {
        return None;
    };
    if pairs.len() != MAC_LEN {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    // One check at the end rather than a branch per digit.
    let mut invalid = 0u8;
    for (byte, &[hi, lo]) in out.iter_mut().zip(pairs) {
        let (hi, lo) = (hex_value(hi), hex_value(lo));
        invalid |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (invalid & NOT_HEX == 0).then_some(out)
}

/// Marks a byte that is not a hex digit in [`hex_value`]'s result.
const NOT_HEX: u8 = 0x80;

/// A hex digit's value, or [`NOT_HEX`].
#[expect(
    clippy::arithmetic_side_effects,
    reason = "each arm's range keeps the result in 0..16"
)]
fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => NOT_HEX,
    }
}

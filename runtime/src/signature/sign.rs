//! Signing, as Stripe does: for tests and for sending test events.

use super::mac::KeyedMac;
use crate::text::push_hex;

/// Builds a `Stripe-Signature` header value for `payload`, as Stripe would send it: the same as
/// `generate_signature_header` in Stripe's SDKs.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let digits = timestamp.to_string();
    let mac = KeyedMac::new(secret.as_bytes()).sign(&digits, payload);
    let mut header = format!("t={digits},v1=");
    push_hex(&mut header, &mac);
    header
}

//! The floor a handler is measured against: the least work any verified handling does.
//! Per request: take `t` and the `v1` hex out of the header (no other checks), decode the hex,
//! HMAC-SHA256 from a pre-keyed state over `"{t}.{body}"`, compare in constant time, and parse
//! the whole envelope borrowed with serde; nothing else (no clock, no routing, no notification).
//! Shared by the `handle` benchmark and the `bench_handle` example.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The envelope's fields, borrowed (strings with escapes would fail: the floor's payloads have
/// none).
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Envelope<'a> {
    id: &'a str,
    #[serde(default)]
    object: Option<&'a str>,
    #[serde(rename = "type")]
    event_type: &'a str,
    created: &'a str,
    #[serde(default)]
    livemode: bool,
    #[serde(default)]
    context: Option<&'a str>,
    #[serde(borrow, default)]
    reason: Option<Reason<'a>>,
    #[serde(borrow, default)]
    related_object: Option<RelatedObject<'a>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Reason<'a> {
    #[serde(rename = "type")]
    reason_type: &'a str,
    #[serde(borrow, default)]
    request: Option<Request<'a>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Request<'a> {
    id: &'a str,
    #[serde(default)]
    idempotency_key: Option<&'a str>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct RelatedObject<'a> {
    #[serde(default)]
    id: Option<&'a str>,
    #[serde(rename = "type")]
    object_type: &'a str,
    url: &'a str,
}

/// A pre-keyed verifier.
pub struct Floor {
    keyed: Hmac<Sha256>,
}

impl Floor {
    /// For bodies signed with `secret`.
    pub fn new(secret: &str) -> Self {
        Self {
            keyed: Hmac::new_from_slice(secret.as_bytes()).expect("any key length"),
        }
    }

    /// Verifies `body` against a header made by `stripe_notify::sign` and parses it; true when
    /// both succeed.
    pub fn run(&self, body: &[u8], header: &str) -> bool {
        let Some((t, v1)) = header.strip_prefix("t=").and_then(|rest| rest.split_once(",v1=")) else {
            return false;
        };
        let mut signature = [0u8; 32];
        for (byte, pair) in signature.iter_mut().zip(v1.as_bytes().chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (hex(pair[0]), hex(pair[1])) else {
                return false;
            };
            *byte = (hi << 4) | lo;
        }
        let mut mac = self.keyed.clone();
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&signature).is_ok()
            && std::str::from_utf8(body).is_ok_and(|text| serde_json::from_str::<Envelope<'_>>(text).is_ok())
    }
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

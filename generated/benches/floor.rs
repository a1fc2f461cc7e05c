//! The floor a handler is measured against: the least work any verified handling does.
//! HMAC-SHA256 from a pre-keyed state over `"{t}.{body}"`, a constant-time comparison with the
//! sent signature, and a borrowed serde parse of the envelope; nothing else.
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

/// A pre-keyed verifier for one body's signature.
pub struct Floor {
    keyed: Hmac<Sha256>,
    timestamp: String,
    signature: [u8; 32],
}

impl Floor {
    /// For a header made by `stripe_notify::sign(.., secret, timestamp)`.
    pub fn new(secret: &str, header: &str) -> Self {
        let (t, v1) = header
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(",v1="))
            .expect("t=..,v1=..");
        let mut signature = [0u8; 32];
        for (byte, pair) in signature.iter_mut().zip(v1.as_bytes().chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).expect("hex"), 16).expect("hex");
        }
        Self {
            keyed: Hmac::new_from_slice(secret.as_bytes()).expect("any key length"),
            timestamp: t.to_owned(),
            signature,
        }
    }

    /// Verifies and parses `body`; true when both succeed.
    pub fn run(&self, body: &[u8]) -> bool {
        let mut mac = self.keyed.clone();
        mac.update(self.timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&self.signature).is_ok() && serde_json::from_slice::<Envelope<'_>>(body).is_ok()
    }
}

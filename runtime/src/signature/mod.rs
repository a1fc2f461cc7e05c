//! `Stripe-Signature` verification.
//!
//! The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`; the expected signature is the
//! lowercase hex of HMAC-SHA256 keyed with the webhook secret (as given, `whsec_` included) over
//! `"{t}.{raw body}"`. The verify path allocates nothing: each secret's HMAC state is keyed once
//! and cloned per request, and candidate signatures are hex-decoded into a stack buffer.

mod header;
mod mac;
mod secret;
mod sign;

use std::fmt;
use std::sync::Arc;

pub use header::SignatureHeader;
pub use secret::WebhookSecret;
pub use sign::sign;

use crate::clock::{Clock, SystemClock};
use crate::error::SignatureError;
use mac::KeyedMac;

/// The default tolerance between the signed timestamp and the clock, as in Stripe's SDKs.
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// How far the signed timestamp may be from the clock, in either direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tolerance {
    /// Reject timestamps more than this many seconds in the past or in the future.
    /// `Seconds(0)` accepts only the current second; it does not disable the check.
    Seconds(u64),
    /// Do not check the timestamp at all (replay protection off). Must be chosen explicitly.
    Disabled,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self::Seconds(DEFAULT_TOLERANCE_SECONDS)
    }
}

/// Verifies `Stripe-Signature` headers against one or more secrets (several during rotation).
#[derive(Clone)]
pub struct Verifier {
    /// One HMAC state per secret, keyed once; cloning a keyed state skips the key schedule.
    keyed: Vec<KeyedMac>,
    tolerance: Tolerance,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.keyed.len())
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for these secrets with the default tolerance and the system clock.
    pub fn new<'s>(secrets: impl IntoIterator<Item = &'s WebhookSecret>) -> Self {
        Self {
            keyed: secrets.into_iter().map(WebhookSecret::keyed).collect(),
            tolerance: Tolerance::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Also accepts signatures made with `secret` (secret rotation).
    pub fn with_secret(mut self, secret: &WebhookSecret) -> Self {
        self.keyed.push(secret.keyed());
        self
    }

    /// Sets the timestamp tolerance.
    pub fn with_tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Sets the clock the timestamp is checked against.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies `header` for `body`, checking in this order: header present, well-formed, has a
    /// `v1` signature, a signature matches, timestamp within tolerance. The signature is checked
    /// before the timestamp so that a forged request learns nothing about the clock.
    pub fn verify(&self, body: &[u8], header: Option<&[u8]>) -> Result<(), SignatureError> {
        self.verified_timestamp(body, header).map(|_| ())
    }

    /// [`verify`](Self::verify), giving the signed timestamp (Unix seconds) of a header that
    /// passes.
    pub fn verified_timestamp(&self, body: &[u8], header: Option<&[u8]>) -> Result<i64, SignatureError> {
        let header = SignatureHeader::parse(header.ok_or(SignatureError::MissingHeader)?)?;
        if !header.has_v1() {
            return Err(SignatureError::NoV1Signature);
        }
        let matched = self.keyed.iter().any(|keyed| {
            let expected = keyed.sign(header.timestamp_digits(), body);
            // Each comparison of secret-derived bytes is constant-time; which candidate matched
            // is not a secret.
            header
                .v1_signatures()
                .any(|candidate| mac::decode_hex(candidate).is_some_and(|c| mac::equal(&c, &expected)))
        });
        if !matched {
            return Err(SignatureError::NoMatch);
        }
        if let Tolerance::Seconds(tolerance) = self.tolerance {
            let now = self.clock.now_unix();
            if now.abs_diff(header.timestamp()) > tolerance {
                return Err(SignatureError::OutsideTolerance {
                    timestamp: header.timestamp(),
                    now,
                    tolerance_seconds: tolerance,
                });
            }
        }
        Ok(header.timestamp())
    }
}

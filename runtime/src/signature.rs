//! `Stripe-Signature` verification.
//!
//! The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`; the expected signature is the
//! lowercase hex of HMAC-SHA256 keyed with the webhook secret (as given, `whsec_` included) over
//! `"{t}.{raw body}"`. The verify path allocates nothing: each secret's HMAC state is keyed once
//! and cloned per request, and candidate signatures are hex-decoded into a stack buffer.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::decimal;
use crate::error::{ConfigError, MalformedHeader, SignatureError};

type HmacSha256 = Hmac<Sha256>;

/// Length in bytes of an HMAC-SHA256 signature.
const MAC_LEN: usize = 32;

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
        // A clock before 1970 reads as 1970: every timestamp then looks far in the future and
        // fails the tolerance check, which is the safe outcome.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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

/// A webhook signing secret. Never shown by `Debug`.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps a secret, used verbatim. A blank secret (empty or only ASCII whitespace) is
    /// rejected: it would make every signature trivially forgeable by anyone who guesses it.
    pub fn new(secret: impl Into<String>) -> Result<Self, ConfigError> {
        let secret = secret.into();
        if secret.trim_ascii().is_empty() {
            return Err(ConfigError::BlankSecret);
        }
        Ok(Self(secret))
    }

    /// The secret's bytes, as used for the HMAC key.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// A parsed `Stripe-Signature` header, borrowing the header's text.
#[derive(Clone, Copy, Debug)]
pub struct SignatureHeader<'a> {
    timestamp: i64,
    /// The `t` value as sent, without leading zeros: the signed payload starts with it.
    timestamp_digits: &'a str,
    /// The first `v1` value, found while parsing (usually the only one).
    first_v1: Option<&'a str>,
    /// The items after the first `v1`, where any others are.
    after_first_v1: &'a str,
}

impl<'a> SignatureHeader<'a> {
    /// Parses the header value. Items are comma-separated `key=value`; whitespace around an item
    /// is ignored; unknown keys (`v0`, future schemes) are ignored.
    pub fn parse(header: &'a [u8]) -> Result<Self, SignatureError> {
        let items = std::str::from_utf8(header)
            .map_err(|_| SignatureError::MalformedHeader(MalformedHeader::NotAscii))?;
        if items.trim_ascii().is_empty() {
            return Err(SignatureError::MissingHeader);
        }
        let mut timestamp = None;
        let (mut first_v1, mut after_first_v1) = (None, "");
        let mut rest = Some(items);
        while let Some(remaining) = rest {
            let (item, after) = match remaining.split_once(',') {
                Some((item, after)) => (item, Some(after)),
                None => (remaining, None),
            };
            rest = after;
            let (key, value) = item
                .trim_ascii()
                .split_once('=')
                .ok_or(SignatureError::MalformedHeader(
                    MalformedHeader::ItemWithoutEquals,
                ))?;
            match key {
                "t" if timestamp.is_some() => {
                    return Err(SignatureError::MalformedHeader(
                        MalformedHeader::RepeatedTimestamp,
                    ));
                }
                "t" => timestamp = Some(parse_timestamp(value)?),
                "v1" if first_v1.is_none() => {
                    (first_v1, after_first_v1) = (Some(value), rest.unwrap_or_default());
                }
                _ => {}
            }
        }
        let (timestamp, timestamp_digits) =
            timestamp.ok_or(SignatureError::MalformedHeader(MalformedHeader::MissingTimestamp))?;
        Ok(Self {
            timestamp,
            timestamp_digits,
            first_v1,
            after_first_v1,
        })
    }

    /// The signed timestamp, in Unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The `v1` signatures, as sent.
    pub fn v1_signatures(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let others = self
            .after_first_v1
            .split(',')
            .filter_map(|item| item.trim_ascii().split_once('='))
            .filter_map(|(key, value)| (key == "v1").then_some(value));
        self.first_v1.into_iter().chain(others)
    }
}

/// Parses `t`: ASCII digits only, at most [`decimal::MAX_DIGITS`] of them after leading zeros
/// (any `i64` time a signature could carry). Returns the value and its digits without leading
/// zeros (the form Stripe signs).
fn parse_timestamp(value: &str) -> Result<(i64, &str), SignatureError> {
    let malformed = SignatureError::MalformedHeader(MalformedHeader::InvalidTimestamp);
    if value.is_empty() {
        return Err(malformed);
    }
    let digits = value.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let parsed = decimal::number(digits.as_bytes()).ok_or(malformed)?;
    Ok((parsed, digits))
}

/// Verifies `Stripe-Signature` headers against one or more secrets (several during rotation).
#[derive(Clone)]
pub struct Verifier {
    /// One HMAC state per secret, keyed once; cloning a keyed state skips the key schedule.
    keyed: Vec<HmacSha256>,
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
            keyed: secrets.into_iter().map(keyed_mac).collect(),
            tolerance: Tolerance::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Also accepts signatures made with `secret` (secret rotation).
    pub fn with_secret(mut self, secret: &WebhookSecret) -> Self {
        self.keyed.push(keyed_mac(secret));
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
        let header = SignatureHeader::parse(header.ok_or(SignatureError::MissingHeader)?)?;
        if header.first_v1.is_none() {
            return Err(SignatureError::NoV1Signature);
        }
        let matched = self.keyed.iter().any(|keyed| {
            let expected = expected_mac(keyed, header.timestamp_digits, body);
            // `|` rather than `||` would not make this constant-time across candidates either;
            // what matters is that each comparison of secret-derived bytes is constant-time.
            header
                .v1_signatures()
                .any(|candidate| decode_hex(candidate).is_some_and(|c| macs_equal(&c, &expected)))
        });
        if !matched {
            return Err(SignatureError::NoMatch);
        }
        if let Tolerance::Seconds(tolerance) = self.tolerance {
            let now = self.clock.now_unix();
            let skew = now.abs_diff(header.timestamp);
            if skew > tolerance {
                return Err(SignatureError::OutsideTolerance {
                    timestamp: header.timestamp,
                    now,
                    tolerance_seconds: tolerance,
                });
            }
        }
        Ok(())
    }
}

fn keyed_mac(secret: &WebhookSecret) -> HmacSha256 {
    hmac_for_key(secret.expose().as_bytes())
}

#[allow(clippy::expect_used)]
fn hmac_for_key(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (RFC 2104 hashes long keys and pads short ones);
    // `new_from_slice` can only fail for MACs with a fixed key size, never for HMAC.
    HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn expected_mac(keyed: &HmacSha256, timestamp_digits: &str, body: &[u8]) -> [u8; MAC_LEN] {
    let mut mac = keyed.clone();
    mac.update(timestamp_digits.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Compares two MACs in constant time: the differences of all their words are gathered without
/// a branch, and only that one word goes through `subtle`'s comparison (which hides it from the
/// optimizer).
fn macs_equal(a: &[u8; MAC_LEN], b: &[u8; MAC_LEN]) -> bool {
    let difference = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .fold(0u64, |difference, (a, b)| difference | (word(a) ^ word(b)));
    bool::from(difference.ct_eq(&0))
}

fn word(bytes: &[u8]) -> u64 {
    u64::from_ne_bytes(bytes.try_into().unwrap_or_default())
}

/// Decodes 64 hex digits (either case) into a stack buffer; anything else is `None`.
fn decode_hex(text: &str) -> Option<[u8; MAC_LEN]> {
    let text = text.as_bytes();
    if text.len() != MAC_LEN * 2 {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    // One check at the end rather than a branch per digit.
    let mut invalid = 0u8;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        if let [hi, lo] = pair {
            let (hi, lo) = (hex_value(*hi), hex_value(*lo));
            invalid |= hi | lo;
            *byte = (hi << 4) | (lo & 0x0f);
        }
    }
    (invalid & NOT_HEX == 0).then_some(out)
}

/// Marks a byte that is not a hex digit in [`hex_value`]'s result.
const NOT_HEX: u8 = 0x80;

/// A hex digit's value, or [`NOT_HEX`].
fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit.wrapping_sub(b'0'),
        b'a'..=b'f' => digit.wrapping_sub(b'a').wrapping_add(10),
        b'A'..=b'F' => digit.wrapping_sub(b'A').wrapping_add(10),
        _ => NOT_HEX,
    }
}

/// Builds a `Stripe-Signature` header value for `payload`, as Stripe would send it: the same as
/// `generate_signature_header` in Stripe's SDKs. For tests and for sending test events.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    use std::fmt::Write as _;
    let digits = timestamp.to_string();
    let mac = expected_mac(&hmac_for_key(secret.as_bytes()), &digits, payload);
    let mut header = format!("t={digits},v1=");
    for byte in mac {
        // Writing to a String cannot fail.
        let _ = write!(header, "{byte:02x}");
    }
    header
}

//! The `Stripe-Signature` header's grammar: `t=<digits>,v1=<hex>[,v1=...][,<other>=...]`.

use crate::decimal;
use crate::error::{MalformedHeader, SignatureError};

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
        let malformed = |how| SignatureError::MalformedHeader(how);
        let items = std::str::from_utf8(header).map_err(|_| malformed(MalformedHeader::NotAscii))?;
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
                .ok_or(malformed(MalformedHeader::ItemWithoutEquals))?;
            match key {
                "t" if timestamp.is_some() => return Err(malformed(MalformedHeader::RepeatedTimestamp)),
                "t" => timestamp = Some(parse_timestamp(value)?),
                "v1" if first_v1.is_none() => {
                    (first_v1, after_first_v1) = (Some(value), after.unwrap_or(""));
                }
                _ => {}
            }
        }
        let (timestamp, timestamp_digits) = timestamp.ok_or(malformed(MalformedHeader::MissingTimestamp))?;
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

    /// The timestamp's digits as signed (without leading zeros).
    pub(crate) fn timestamp_digits(&self) -> &'a str {
        self.timestamp_digits
    }

    /// Whether the header has a `v1` signature at all.
    pub(crate) fn has_v1(&self) -> bool {
        self.first_v1.is_some()
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

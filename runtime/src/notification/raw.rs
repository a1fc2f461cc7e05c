//! The envelope of a thin event notification, parsed borrowed from the body.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;

use crate::context::StripeContext;
use crate::error::PayloadError;

/// A string of the body: borrowed when it has no escapes, decoded into an owned string when it
/// has. (serde's own `Cow<str>` borrows only as a direct field, never inside an `Option`.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    /// Whether the text points into the body (no copy was made).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(text)))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// The `object` value of a thin event.
pub const THIN_EVENT_OBJECT: &str = "v2.core.event";

/// The envelope of a thin event notification, borrowing from the body where it can.
#[derive(Debug, Deserialize)]
pub struct RawNotification<'a> {
    /// Event id, `evt_...`.
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    object: Option<Text<'a>>,
    /// Event type, `v1.billing.meter.error_report_triggered`.
    #[serde(borrow, rename = "type")]
    pub event_type: Text<'a>,
    /// When the event was created.
    #[serde(deserialize_with = "super::timestamp::deserialize")]
    pub created: Timestamp,
    /// Live mode or test mode.
    #[serde(default)]
    pub livemode: bool,
    /// The account path; `""` and `null` mean none.
    #[serde(borrow, default)]
    pub context: Option<Text<'a>>,
    /// Why the event happened.
    #[serde(borrow, default)]
    pub reason: Option<RawReason<'a>>,
    /// The object the event is about.
    #[serde(borrow, default)]
    pub related_object: Option<RawRelatedObject<'a>>,
}

/// `reason` as sent, borrowed.
#[derive(Debug, Deserialize)]
pub struct RawReason<'a> {
    /// `request`, or another reason type.
    #[serde(borrow, rename = "type")]
    pub reason_type: Text<'a>,
    /// The API request behind the event.
    #[serde(borrow, default)]
    pub request: Option<RawReasonRequest<'a>>,
}

#[derive(Debug, Deserialize)]
/// `reason.request` as sent, borrowed.
pub struct RawReasonRequest<'a> {
    /// The request id.
    #[serde(borrow)]
    pub id: Text<'a>,
    /// The idempotency key.
    #[serde(borrow, default)]
    pub idempotency_key: Option<Text<'a>>,
}

/// `related_object` as sent: `id` is absent or null for singleton resources.
#[derive(Debug, Deserialize)]
pub struct RawRelatedObject<'a> {
    /// The object's id; absent or null for singletons.
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    /// The object's type.
    #[serde(borrow, rename = "type")]
    pub object_type: Text<'a>,
    /// The path to fetch it.
    #[serde(borrow)]
    pub url: Text<'a>,
}

/// Just the `object` field, to name a payload that failed to parse as a thin event.
#[derive(Deserialize)]
struct ObjectProbe<'a> {
    #[serde(borrow, default)]
    object: Option<Text<'a>>,
}

impl<'a> RawNotification<'a> {
    /// Parses a body: UTF-8, a JSON object, `object` `v2.core.event` or absent, `id`, `type`
    /// and `created` present.
    pub fn parse(body: &'a [u8]) -> Result<Self, PayloadError> {
        // One SIMD pass over the body for UTF-8 is cheaper than serde_json checking each string.
        let text = std::str::from_utf8(body).map_err(|e| {
            PayloadError::invalid(format_args!(
                "the body is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ))
        })?;
        match serde_json::from_str::<Self>(text) {
            Ok(raw) => {
                check_object(raw.object.as_deref())?;
                Ok(raw)
            }
            Err(error) => {
                // A classic event or another object fails the envelope's shape (its `created`
                // is a number, say): name it rather than the first field that did not fit.
                if let Ok(probe) = serde_json::from_str::<ObjectProbe<'_>>(text) {
                    check_object(probe.object.as_deref())?;
                }
                Err(PayloadError::invalid(describe_json_error(&error)))
            }
        }
    }

    /// The context, if any.
    pub fn stripe_context(&self) -> Option<StripeContext> {
        self.context.as_deref().and_then(StripeContext::parse)
    }
}

fn check_object(object: Option<&str>) -> Result<(), PayloadError> {
    match object {
        None | Some(THIN_EVENT_OBJECT) => Ok(()),
        Some("event") => Err(PayloadError::SnapshotEvent),
        Some(other) => Err(PayloadError::UnexpectedObject(truncate(other, 64).to_owned())),
    }
}

pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Syntax | Category::Eof => "the body is not JSON",
        Category::Data => "the body is not a thin event notification",
        Category::Io => "the body could not be read",
    };
    format!("{what}: {error}")
}

/// At most `max` bytes of `text`, cut at a character boundary (error messages quote untrusted
/// input; they stay short).
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default()
}

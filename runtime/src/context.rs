//! `StripeContext`: the account path an event belongs to (`acct_1/acct_2`).

use std::fmt;

use serde::{Deserialize, Deserializer};
use smol_str::SmolStr;

/// The `/`-separated chain of accounts an event happened in, sent back to Stripe as the
/// `Stripe-Context` header when fetching the event or its object. Cheap to clone: a context of
/// one account is kept inline (no allocation, no reference count to touch), a longer one is
/// shared.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StripeContext(SmolStr);

impl StripeContext {
    /// A context from its text form; `None` for an empty string (no context).
    pub fn parse(text: &str) -> Option<Self> {
        (!text.is_empty()).then(|| Self(SmolStr::new(text)))
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.as_str().split('/')
    }

    /// A new context with `segment` appended (a child account).
    pub fn push(&self, segment: &str) -> Self {
        Self(SmolStr::from(format!("{}/{segment}", self.as_str())))
    }

    /// A new context without its last segment; `None` when this is a single segment.
    pub fn pop(&self) -> Option<Self> {
        self.as_str()
            .rsplit_once('/')
            .map(|(parent, _)| Self(SmolStr::new(parent)))
    }

    /// The text form, `acct_1/acct_2`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StripeContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for StripeContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StripeContext({:?})", self.as_str())
    }
}

/// Deserializes `""`, `null` and an absent field (with `#[serde(default)]`) as no context.
pub(crate) fn deserialize_optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<StripeContext>, D::Error> {
    let text = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    Ok(text.as_deref().and_then(StripeContext::parse))
}

//! `StripeContext`: the account path an event belongs to (`acct_1/acct_2`).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer};

/// The `/`-separated chain of accounts an event happened in, sent back to Stripe as the
/// `Stripe-Context` header when fetching the event or its object. Cheap to clone: it shares the
/// text of the notification it came from.
#[derive(Clone)]
pub struct StripeContext {
    text: Arc<str>,
    start: usize,
    end: usize,
}

impl StripeContext {
    /// A context from its text form; `None` for an empty string (no context).
    pub fn parse(text: &str) -> Option<Self> {
        (!text.is_empty()).then(|| Self::whole(Arc::from(text)))
    }

    fn whole(text: Arc<str>) -> Self {
        let end = text.len();
        Self { text, start: 0, end }
    }

    /// The context at `start..end` of a shared text, without copying; `None` when that range
    /// is empty or not in the text.
    pub(crate) fn within(text: &Arc<str>, start: usize, end: usize) -> Option<Self> {
        text.get(start..end).filter(|s| !s.is_empty())?;
        Some(Self {
            text: Arc::clone(text),
            start,
            end,
        })
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.as_str().split('/')
    }

    /// A new context with `segment` appended (a child account).
    pub fn push(&self, segment: &str) -> Self {
        Self::whole(Arc::from(format!("{}/{segment}", self.as_str())))
    }

    /// A new context without its last segment; `None` when this is a single segment.
    pub fn pop(&self) -> Option<Self> {
        self.as_str()
            .rsplit_once('/')
            .map(|(parent, _)| Self::whole(Arc::from(parent)))
    }

    /// The text form, `acct_1/acct_2`.
    pub fn as_str(&self) -> &str {
        self.text.get(self.start..self.end).unwrap_or_default()
    }
}

impl PartialEq for StripeContext {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for StripeContext {}

impl std::hash::Hash for StripeContext {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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

//! The API key: sent as `Authorization: Bearer`, never shown.

use std::fmt;

#[cfg(feature = "client")]
use reqwest::header::HeaderValue;

/// A secret or restricted API key. `Debug` shows its kind only (`sk_test_<redacted>`).
#[derive(Clone)]
pub(crate) struct ApiKey {
    kind: &'static str,
    /// `Bearer <key>`, marked sensitive so that `http`'s `Debug` hides it too; `None` when the
    /// key has characters no header can carry (every request then fails with a config error).
    /// Only a client that sends requests keeps the key.
    #[cfg(feature = "client")]
    authorization: Option<HeaderValue>,
}

impl ApiKey {
    pub(crate) fn new(key: &str) -> Self {
        let kind = ["sk_live_", "sk_test_", "rk_live_", "rk_test_"]
            .into_iter()
            .find(|prefix| key.starts_with(prefix))
            .unwrap_or("");
        #[cfg(feature = "client")]
        let authorization = HeaderValue::from_str(&format!("Bearer {key}"))
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        Self {
            kind,
            #[cfg(feature = "client")]
            authorization,
        }
    }

    /// The `Authorization` header value, if a header can carry the key.
    #[cfg(feature = "client")]
    pub(crate) fn authorization(&self) -> Option<&HeaderValue> {
        self.authorization.as_ref()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}<redacted>", self.kind)
    }
}

//! The webhook signing secret, which is never shown.

use std::fmt;

use super::mac::KeyedMac;
use crate::error::ConfigError;

/// A webhook signing secret. Never shown by `Debug`, never kept once keyed: a verifier holds
/// only the HMAC state it derives.
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

    /// The HMAC state keyed with this secret's bytes.
    pub(super) fn keyed(&self) -> KeyedMac {
        KeyedMac::new(self.0.as_bytes())
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

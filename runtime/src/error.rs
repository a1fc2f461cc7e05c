//! Errors. None of them ever carries a secret: messages name what is wrong and what to check.

use thiserror::Error;

/// The error a callback, the fallback or `pre_handle` returns: any error, boxed, so that `?`
/// works on every error type. [`HandleError::Callback`] hands it back unchanged (downcast it
/// to get your own type back).
pub type CallbackError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a callback returns.
pub type CallbackResult<T = ()> = Result<T, CallbackError>;

/// The `Stripe-Signature` header did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No header, or an empty one.
    #[error("the Stripe-Signature header is missing or empty")]
    MissingHeader,
    /// The header is not of the form `t=<seconds>,v1=<hex>`.
    #[error("the Stripe-Signature header is malformed: {0}")]
    MalformedHeader(MalformedHeader),
    /// The header has no `v1` signature (only `v0` or unknown schemes).
    #[error("the Stripe-Signature header has no v1 signature")]
    NoV1Signature,
    /// No `v1` signature matches the body for any configured secret. The two mistakes behind
    /// nearly every such failure are the wrong secret and a re-serialised body; the message
    /// says how to check both.
    #[error(
        "no signature in the Stripe-Signature header matches the body. Check the secret: it must \
         be the signing secret (whsec_...) of the event destination that sends here; each \
         destination has its own, and `stripe listen` prints another one for the events it \
         forwards. Check the body: it must be the raw bytes as received, not JSON parsed and \
         serialised again (which changes spacing, escapes and key order)"
    )]
    NoMatch,
    /// The signature matches but the signed timestamp is too far from the clock (a replay, or a
    /// skewed clock).
    #[error(
        "the Stripe-Signature timestamp {timestamp} is outside the tolerance of \
         {tolerance_seconds} s from now ({now}): a replayed request, or a skewed clock"
    )]
    OutsideTolerance {
        /// The signed timestamp, Unix seconds.
        timestamp: i64,
        /// The clock when checked, Unix seconds.
        now: i64,
        /// The tolerance in force.
        tolerance_seconds: u64,
    },
}

/// How a `Stripe-Signature` header is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MalformedHeader {
    /// The header is not ASCII text.
    #[error("it is not ASCII text")]
    NotAscii,
    /// An item is not of the form `key=value`.
    #[error("an item has no `=`")]
    ItemWithoutEquals,
    /// No `t=` item.
    #[error("it has no timestamp (`t=`)")]
    MissingTimestamp,
    /// More than one `t=` item.
    #[error("it has more than one timestamp (`t=`)")]
    RepeatedTimestamp,
    /// `t` is empty, not all ASCII digits, or too large.
    #[error("the timestamp (`t=`) is not a number of seconds")]
    InvalidTimestamp,
}

/// The body is neither a thin event notification nor a snapshot event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// Not UTF-8, not JSON, not an object, a required field missing or of the wrong type.
    #[error("invalid payload: {0}")]
    Invalid(String),
    /// `object` is none of `v2.core.event` (or absent) and `event`.
    #[error(
        "unexpected object type {0:?}: a thin event notification has object \"v2.core.event\", a snapshot event \"event\""
    )]
    UnexpectedObject(String),
    /// The body is none of a thin event, an EventBridge envelope or an Event Grid envelope.
    #[error(
        "unrecognized event format: expected a thin event notification, a snapshot event, an AWS EventBridge \
         envelope (`detail`) or an Azure Event Grid envelope (`specversion` and `data`)"
    )]
    UnrecognizedFormat,
}

impl PayloadError {
    /// An [`PayloadError::Invalid`] with this description.
    pub(crate) fn invalid(what: impl std::fmt::Display) -> Self {
        Self::Invalid(what.to_string())
    }

    /// The [`PayloadError::Invalid`] for a body serde_json could not read, saying whether it is
    /// not JSON at all or JSON of the wrong shape.
    pub(crate) fn from_json(error: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let what = match error.classify() {
            Category::Syntax | Category::Eof => "the body is not JSON",
            Category::Data => "the body is not an event notification",
            Category::Io => "the body could not be read",
        };
        Self::invalid(format_args!("{what}: {error}"))
    }
}

/// The handler (or the inbox page) could not be built as asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The webhook secret is empty or only whitespace.
    #[error("the webhook secret is blank: pass the endpoint's signing secret (whsec_...)")]
    BlankSecret,
    /// A callback was already registered for this event type.
    #[error("a callback is already registered for event type {0}")]
    DuplicateCallback(&'static str),
    /// The event type is not in this handler's catalog (a kind from another generated crate).
    #[error("event type {0} is not in this handler's catalog")]
    UnknownEventType(&'static str),
    /// `pre_handle` was already set.
    #[error("pre_handle is already set")]
    DuplicatePreHandle,
    /// The inbox page's bearer token is shorter than 16 characters.
    #[error("the inbox page's token is too short: use at least 16 random characters")]
    ShortAdminToken,
}

/// Why [`Handler::handle`](crate::Handler::handle) did not handle a notification.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HandleError {
    /// The signature did not verify: answer 400.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body is not a thin event notification: answer 400.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// `pre_handle` returned an error: answer 500 so that Stripe retries.
    #[error("pre_handle failed: {0}")]
    PreHandle(#[source] CallbackError),
    /// The callback (or the fallback) returned an error: answer 500 so that Stripe retries.
    #[error("the callback failed: {0}")]
    Callback(#[source] CallbackError),
    /// Another delivery of this event is being processed: answer 409 so that Stripe retries
    /// later (when it is done, or has failed and released the event).
    #[error("this event is being processed by another delivery")]
    InProgress,
    /// The event ledger failed: answer 500 so that Stripe retries.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The inbox could not store the event: answer 503 so that Stripe retries.
    #[cfg(feature = "inbox")]
    #[error(transparent)]
    Inbox(#[from] crate::inbox::InboxError),
}

impl HandleError {
    /// The HTTP status to answer Stripe with: 400 for a request that will never be handled
    /// (Stripe does not retry it), 409 while another delivery processes the event, 500 when
    /// processing failed and 503 when the inbox could not store it (Stripe retries those).
    #[cfg(feature = "http")]
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::Signature(_) | Self::Payload(_) => http::StatusCode::BAD_REQUEST,
            Self::InProgress => http::StatusCode::CONFLICT,
            Self::Inbox(_) => http::StatusCode::SERVICE_UNAVAILABLE,
            Self::PreHandle(_) | Self::Callback(_) | Self::Ledger(_) => {
                http::StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// Whether processing failed on this side (a callback, the ledger, the inbox): the
    /// application's business, not the sender's, and retried by Stripe.
    pub fn is_processing_failure(&self) -> bool {
        !matches!(self, Self::Signature(_) | Self::Payload(_) | Self::InProgress)
    }

    /// What kind of failure it is, as the endpoint's answers name it: `signature`,
    /// `timestamp`, `payload`, `callback`, `in_progress`, `ledger`, `inbox`.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Signature(SignatureError::OutsideTolerance { .. }) => "timestamp",
            Self::Signature(_) => "signature",
            Self::Payload(_) => "payload",
            Self::PreHandle(_) | Self::Callback(_) => "callback",
            Self::InProgress => "in_progress",
            Self::Ledger(_) => "ledger",
            #[cfg(feature = "inbox")]
            Self::Inbox(_) => "inbox",
        }
    }

    /// Logs this outcome of handling `body`, as every entry point does (the endpoint, Lambda): a
    /// refusal at `warn` with its category, a failure of processing (the application's
    /// business, not the sender's) at `error`; each with the body's event id when it has one.
    #[cfg(any(feature = "http", feature = "lambda"))]
    pub(crate) fn log(&self, body: &[u8]) {
        let event_id = event_id(body);
        let event_id = event_id.as_deref().unwrap_or("unknown");
        if self.is_processing_failure() {
            tracing::error!(error = %self, event_id, "a Stripe notification could not be processed");
        } else {
            tracing::warn!(error = %self, event_id, category = self.category(), "rejected a Stripe notification");
        }
    }

    /// The message the sender may see: what is wrong with its request, or, for a failure of
    /// this side's processing (the application's business), only that it will be retried.
    pub fn public_message(&self) -> String {
        if self.is_processing_failure() {
            "the notification could not be processed; it will be retried".to_owned()
        } else {
            self.to_string()
        }
    }
}

/// The event id of a body, for the logs: best effort, of a body that may be anything.
#[cfg(any(feature = "http", feature = "lambda"))]
fn event_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: std::borrow::Cow<'a, str>,
    }
    let id = serde_json::from_slice::<Id<'_>>(body).ok()?.id;
    Some(crate::text::truncate(&id, 64).to_owned())
}

/// A request to Stripe's API failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Stripe answered with an error (boxed: it is much larger than the other variants).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The related object's URL is not a path on the API host; nothing was sent.
    #[error("refused to request {0:?}: only a path beginning with a single `/` on the API host is allowed")]
    UnsafeUrl(String),
    /// The request timed out (after any retries).
    #[error("the request to Stripe timed out")]
    Timeout,
    /// Stripe could not be reached (after any retries).
    #[error("could not reach Stripe: {0}")]
    Network(String),
    /// Stripe's answer is not what the spec describes.
    #[error("unexpected response body from Stripe: {0}")]
    Decode(String),
    /// The client is misconfigured.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// Asked a snapshot event for what only its thin twin names: the thin event
    /// (`fetch_event`), or a related object other than the object it carries; nothing was sent.
    #[error(
        "a snapshot event names no thin event nor another object to fetch: its object is in the notification (`snapshot().object()`)"
    )]
    SnapshotEvent,
}

impl ClientError {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// A short name of the kind of error: `api`, `unsafe_url`, `timeout`, `network`, `decode`,
    /// `config`, `snapshot_event`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Api(_) => "api",
            Self::UnsafeUrl(_) => "unsafe_url",
            Self::Timeout => "timeout",
            Self::Network(_) => "network",
            Self::Decode(_) => "decode",
            Self::Config(_) => "config",
            Self::SnapshotEvent => "snapshot_event",
        }
    }
}

/// An error answer from Stripe's API (`{"error": {"type", "code", "message", "param"}}`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "Stripe API error (HTTP {status}, type {}, code {}): {} [request id {}]",
    error_type.as_deref().unwrap_or("unknown"),
    code.as_deref().unwrap_or("none"),
    message.as_deref().unwrap_or("no message"),
    request_id.as_deref().unwrap_or("none")
)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stripe's error type (`invalid_request_error`, `not_found`, ...).
    pub error_type: Option<String>,
    /// Stripe's error code (`resource_missing`, ...).
    pub code: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
    /// The parameter the error is about.
    pub param: Option<String>,
    /// The `Request-Id` response header, for Stripe support.
    pub request_id: Option<String>,
}

#[cfg(all(test, feature = "http"))]
mod tests {
    use super::*;

    /// Two views of one rule: what fails on this side is what is answered 5xx.
    #[test]
    fn processing_failures_are_the_server_errors() {
        let errors = [
            HandleError::Signature(SignatureError::MissingHeader),
            HandleError::Payload(PayloadError::Invalid("x".into())),
            HandleError::PreHandle("x".into()),
            HandleError::Callback("x".into()),
            HandleError::InProgress,
            HandleError::Ledger(crate::ledger::LedgerError("x".into())),
            HandleError::Inbox(crate::inbox::InboxError("x".into())),
        ];
        for error in errors {
            assert_eq!(
                error.is_processing_failure(),
                error.status().is_server_error(),
                "{error:?}"
            );
        }
    }
}

/// A snapshot event's object (or previous attributes) could not be read as the type asked for:
/// rendered at another API version, say. The event's envelope is still usable, and so is the
/// object as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "event {} ({}): cannot read {} as {}: at `{}`: {}",
    .0.event_id, .0.event_type, .0.what, .0.type_name, .0.path, .0.message
)]
pub struct ObjectError(Box<ObjectErrorDetail>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct ObjectErrorDetail {
    event_id: String,
    event_type: String,
    what: &'static str,
    type_name: &'static str,
    path: String,
    message: String,
}

impl ObjectError {
    pub(crate) fn new(
        (event_id, event_type): (&str, &str),
        what: &'static str,
        type_name: &'static str,
        path: String,
        message: String,
    ) -> Self {
        Self(Box::new(ObjectErrorDetail {
            event_id: event_id.to_owned(),
            event_type: event_type.to_owned(),
            what,
            type_name,
            path,
            message,
        }))
    }

    /// The event id.
    pub fn event_id(&self) -> &str {
        &self.0.event_id
    }

    /// The event type, as sent.
    pub fn event_type(&self) -> &str {
        &self.0.event_type
    }

    /// What was read: `data.object` or `data.previous_attributes`.
    pub fn what(&self) -> &'static str {
        self.0.what
    }

    /// The Rust type it was read as.
    pub fn type_name(&self) -> &'static str {
        self.0.type_name
    }

    /// The JSON path of the field that failed, `lines.data[0].amount` (`.` for the object
    /// itself).
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

//! The webhook endpoint: read the raw body (bounded in size and time) and the
//! `Stripe-Signature` header, hand them to the handler, and answer as Stripe expects. The
//! answers are decided once, here; [`http`](self::http) serves them for any server built on the
//! `http` crate's types (hyper, tower, axum, Lambda), `axum` and `actix` as ready routes
//! (features `axum`, `actix-web`).
//!
//! | outcome | status | body |
//! |---|---|---|
//! | handled (callback or fallback), skipped by `pre_handle`, or already processed | 200 | `{"received": true}` |
//! | signature missing, malformed or not matching | 400 | `{"error": {"category": "signature", ...}}` |
//! | timestamp outside tolerance | 400 | `{"error": {"category": "timestamp", ...}}` |
//! | body not a thin event | 400 | `{"error": {"category": "payload", ...}}` |
//! | body over the limit | 413 | |
//! | body not received within the timeout (a slow sender) | 408 | |
//! | body broken off by the sender | 400 | `{"error": {"category": "payload", ...}}` |
//! | callback or `pre_handle` failed | 500 | `{"error": {"category": "callback", ...}}`, so that Stripe retries |
//! | the event is being processed by another delivery (with a ledger) | 409 | `{"error": {"category": "in_progress", ...}}` |
//! | the ledger failed | 500 | `{"error": {"category": "ledger", ...}}` |
//!
//! With an inbox ([`WebhookEndpoint::inbox`]), a verified notification is stored and answered
//! 200 at once (a redelivery of a stored event too, stored once); a store that fails answers
//! 503 `{"error": {"category": "inbox", ...}}`, so that Stripe retries. Never 200 for an event not
//! stored.

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
pub mod http;

pub use http::STRIPE_SIGNATURE;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::EventCatalog;
use crate::error::{HandleError, PayloadError};
use crate::handler::Handler;
use crate::inbox::Inbox;

/// Default limit of a webhook body: thin events are small (about 500 bytes).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Default time allowed to receive a request's body: a slow sender cannot hold a connection and
/// a task longer than this.
pub const DEFAULT_RECEIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// The header Stripe signs with, lowercase.
pub const STRIPE_SIGNATURE_HEADER: &str = "stripe-signature";

/// The answer to a handled notification.
const RECEIVED: &str = r#"{"received":true}"#;

/// A webhook endpoint over a handler: its body limit and timeout. Serve it with
/// [`serve`](Self::serve) (any `http::Request`), or as axum routes ([`Self::verified`],
/// [`Self::unverified`], feature `axum`). It needs a Tokio runtime with timers enabled
/// (`#[tokio::main]` enables them), for the timeout.
pub struct WebhookEndpoint<C: EventCatalog> {
    handler: Handler<C>,
    body_limit: usize,
    timeout: Duration,
    /// Where notifications are stored to be handled later; `None`: handled in the request.
    inbox: Option<Arc<dyn Inbox>>,
}

impl<C: EventCatalog> std::fmt::Debug for WebhookEndpoint<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("handler", &self.handler)
            .field("body_limit", &self.body_limit)
            .field("timeout", &self.timeout)
            .field("inbox", &self.inbox.is_some())
            .finish()
    }
}

// By hand: a derive would ask the catalog type to be `Clone` too.
impl<C: EventCatalog> Clone for WebhookEndpoint<C> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            body_limit: self.body_limit,
            timeout: self.timeout,
            inbox: self.inbox.clone(),
        }
    }
}

impl<C: EventCatalog> WebhookEndpoint<C> {
    /// An endpoint with the default body limit (1 MiB) and timeout (10 s).
    pub fn new(handler: Handler<C>) -> Self {
        Self {
            handler,
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: DEFAULT_RECEIVE_TIMEOUT,
            inbox: None,
        }
    }

    /// Stores each verified notification in `inbox` and answers at once, instead of handling it
    /// in the request: run the handler's workers over the same inbox
    /// ([`Handler::run_inbox_workers`]).
    pub fn inbox(mut self, inbox: impl Inbox) -> Self {
        self.inbox = Some(Arc::new(inbox));
        self
    }

    /// Sets the time allowed to receive a request's body (408 beyond; default 10 s). The
    /// callbacks' own time is not bounded: cancelling one halfway would leave its work, and a
    /// ledger's claim, in an unknown state.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest body accepted; larger ones get 413 before anything is parsed.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The largest body accepted.
    pub fn limit(&self) -> usize {
        self.body_limit
    }

    /// The time allowed to receive a body.
    pub fn receive_timeout(&self) -> Duration {
        self.timeout
    }

    /// Handles a received body: verified against `signature` (the `Stripe-Signature` header),
    /// or, for `Verification::None`, as an event from an authenticated channel (EventBridge,
    /// Event Grid). The answer for any framework.
    pub async fn process(&self, body: &[u8], verification: Verification<'_>) -> Answer {
        let handler = &self.handler;
        match (&self.inbox, verification) {
            (None, Verification::Signature(signature)) => {
                Answer::of(handler.handle(body, signature).await, body)
            }
            (None, Verification::None) => Answer::of(handler.handle_without_verification(body).await, body),
            (Some(inbox), Verification::Signature(signature)) => {
                Answer::of(handler.enqueue(body, signature, &**inbox).await, body)
            }
            (Some(inbox), Verification::None) => {
                Answer::of(handler.enqueue_without_verification(body, &**inbox).await, body)
            }
        }
    }
}

/// How a request is authenticated.
#[derive(Clone, Copy, Debug)]
pub enum Verification<'a> {
    /// By its `Stripe-Signature` header (`None` when the request has none).
    Signature(Option<&'a [u8]>),
    /// By the channel it came over (EventBridge, Event Grid): no signature. Only where the
    /// channel itself authenticates the sender.
    None,
}

/// What the endpoint answers: a status and a JSON body (none for 408 and 413).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body, if any.
    pub body: Option<Cow<'static, str>>,
}

impl Answer {
    /// 200 `{"received":true}`.
    fn received() -> Self {
        Self {
            status: 200,
            body: Some(Cow::Borrowed(RECEIVED)),
        }
    }

    /// The answer for what handling `body` came to, logged when it is not a success
    /// ([`HandleError::log`]).
    pub(crate) fn of<T>(outcome: Result<T, HandleError>, body: &[u8]) -> Self {
        match outcome {
            Ok(_) => Self::received(),
            Err(error) => {
                error.log(body);
                Self::error(&error)
            }
        }
    }

    /// `{"error": {"category", "message"}}` with the error's status: never a secret, never the
    /// application's own error text.
    pub(crate) fn error(error: &HandleError) -> Self {
        let body = serde_json::json!({
            "error": {"category": error.category(), "message": error.public_message()}
        });
        Self {
            status: error.status().as_u16(),
            body: Some(Cow::Owned(body.to_string())),
        }
    }

    /// The JSON body as bytes, for any framework's response; the static answers are not copied.
    pub(crate) fn body_bytes(self) -> Option<bytes::Bytes> {
        self.body.map(|body| match body {
            Cow::Borrowed(text) => bytes::Bytes::from_static(text.as_bytes()),
            Cow::Owned(text) => bytes::Bytes::from(text),
        })
    }

    /// The answer to a body that could not be received.
    pub(crate) fn refused(refusal: Refusal) -> Self {
        match refusal {
            Refusal::TooLarge => Self {
                status: 413,
                body: None,
            },
            Refusal::TooSlow => Self {
                status: 408,
                body: None,
            },
            Refusal::BrokenOff => Self::error(&HandleError::Payload(PayloadError::invalid(
                "the request body could not be read",
            ))),
        }
    }
}

/// Why a request's body was not received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Over the body limit: 413.
    TooLarge,
    /// Not received within the timeout: 408.
    TooSlow,
    /// Broken off by the sender: 400.
    BrokenOff,
}

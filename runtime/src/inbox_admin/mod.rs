//! The inbox page for operators (feature `inbox-admin`): an axum [`Router`] to mount where you
//! like. Server-rendered HTML, no JavaScript: counts per state and the oldest due event, a list
//! filtered by state and type, one event's detail with its body pretty-printed, and buttons to
//! retry an event, retry every dead one and purge done events older than a number of days.
//!
//! It is closed unless you authorise it: [`InboxAdmin::router`] without a
//! [`bearer_token`](InboxAdmin::bearer_token) answers 401 on every route. With a token, a
//! request gets in with `Authorization: Bearer <token>`, or a browser signs in once on the 401
//! page and gets a session cookie. Or put your own authentication in front with
//! [`InboxAdmin::router_behind`]. Every button is a POST carrying a CSRF token; every value
//! from the inbox (bodies, errors, types) is escaped.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use stripe_notify_runtime::inbox::{Inbox, SqliteInbox};
//! use stripe_notify_runtime::inbox_admin::InboxAdmin;
//!
//! let inbox: Arc<dyn Inbox> = Arc::new(SqliteInbox::open("events.sqlite")?);
//! let token = std::env::var("STRIPE_INBOX_ADMIN_TOKEN")?;
//! let app = axum::Router::new().nest("/inbox", InboxAdmin::new(inbox).bearer_token(&token)?.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```

mod access;
mod pages;
mod routes;

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{Route, get, post};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tower_layer::Layer;
use tower_service::Service;

use crate::error::ConfigError;
use crate::inbox::Inbox;
use access::{Access, Token};

/// The sign-in form's path below the mount.
const SIGN_IN: &str = "/sign-in";

/// The shortest bearer token accepted: a token is a password that never expires, and the page
/// can retry and purge.
const SHORTEST_TOKEN: usize = 16;

/// Builds the inbox page's router; see [the module](self).
pub struct InboxAdmin {
    inbox: Arc<dyn Inbox>,
    access: Access,
}

impl std::fmt::Debug for InboxAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is never shown, nor what is derived from it.
        let access = match self.access {
            Access::Closed => "closed",
            Access::Bearer(_) => "bearer token",
            Access::Trusted => "trusted",
        };
        f.debug_struct("InboxAdmin")
            .field("access", &access)
            .finish_non_exhaustive()
    }
}

impl InboxAdmin {
    /// The page of `inbox`, closed: until you give it a [`bearer_token`](Self::bearer_token)
    /// or build it [behind your own layer](Self::router_behind), every route answers 401.
    pub fn new(inbox: Arc<dyn Inbox>) -> Self {
        Self {
            inbox,
            access: Access::Closed,
        }
    }

    /// Admits requests that carry `token` (`Authorization: Bearer <token>`), and browsers that
    /// signed in with it. An error if it is shorter than 16 characters: use a long random one.
    pub fn bearer_token(self, token: &str) -> Result<Self, ConfigError> {
        let token = token.trim();
        if token.chars().count() < SHORTEST_TOKEN {
            return Err(ConfigError::ShortAdminToken);
        }
        Ok(Self {
            access: Access::Bearer(Token::new(token)),
            ..self
        })
    }

    /// The router: mount it with `Router::nest` (`/inbox`, say) or serve it as it is.
    pub fn router(self) -> Router {
        let admin = Arc::new(Admin {
            inbox: self.inbox,
            access: self.access,
        });
        Router::new()
            .route("/", get(routes::index))
            .route("/events/{id}", get(routes::event))
            .route("/events/{id}/retry", post(routes::retry_one))
            .route("/retry-dead", post(routes::retry_dead))
            .route("/purge", post(routes::purge))
            .route(SIGN_IN, post(routes::sign_in))
            // A fallback of its own, so that nested, an unknown path below the mount is behind
            // the guard too (401 before 404).
            .fallback(routes::no_such_page)
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&admin),
                access::guard,
            ))
            .with_state(admin)
    }

    /// The router behind `layer`, your own authentication (a session check, an SSO proxy's
    /// header check): what `layer` lets through is served; the CSRF tokens still apply.
    pub fn router_behind<L>(self, layer: L) -> Router
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        Self {
            access: Access::Trusted,
            ..self
        }
        .router()
        .layer(layer)
    }
}

/// What the routes share.
struct Admin {
    inbox: Arc<dyn Inbox>,
    access: Access,
}

/// Where the page is mounted, as a request shows it: its links and cookies name full paths, so
/// that it works nested anywhere.
struct Page {
    /// The mount's path, `/inbox` (empty at the root).
    base: String,
    /// The request's path below it, `/events/evt_1`.
    path: String,
}

impl Page {
    fn of(uri: &Uri, extensions: &Extensions) -> Self {
        let path = uri.path().to_owned();
        let original = extensions
            .get::<OriginalUri>()
            .map_or(path.as_str(), |original| original.path());
        let base = original
            .strip_suffix(path.as_str())
            .unwrap_or(original)
            .trim_end_matches('/')
            .to_owned();
        Self { base, path }
    }

    /// The index's path; the cookies' path.
    fn index(&self) -> String {
        if self.base.is_empty() {
            "/".to_owned()
        } else {
            self.base.clone()
        }
    }

    /// The path of `action` (`/purge`) below the mount.
    fn action(&self, action: &str) -> String {
        format!("{}{action}", self.base)
    }

    /// One event's page.
    fn event(&self, id: &str) -> String {
        self.action(&format!("/events/{}", path_segment(id)))
    }

    fn is_sign_in(&self) -> bool {
        self.path == SIGN_IN
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::of(&parts.uri, &parts.extensions))
    }
}

/// What a change did, as the page after it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Notice {
    /// Events made due now.
    Retried(u64),
    /// Done events forgotten.
    Purged(u64),
}

impl Notice {
    fn query(self) -> String {
        match self {
            Self::Retried(count) => format!("notice=retried&count={count}"),
            Self::Purged(count) => format!("notice=purged&count={count}"),
        }
    }

    /// Only the notices the page itself makes: the text shown is never the query's.
    fn from_query(notice: Option<&str>, count: Option<u64>) -> Option<Self> {
        let count = count?;
        match notice? {
            "retried" => Some(Self::Retried(count)),
            "purged" => Some(Self::Purged(count)),
            _ => None,
        }
    }
}

/// `303 See Other` to `location`: after a POST, the browser GETs the page.
fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_owned())]).into_response()
}

/// What an event id is in a path: anything but letters and digits (and `_`, `-`, `.`)
/// percent-encoded, so that an id cannot leave its segment.
fn path_segment(id: &str) -> String {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-').remove(b'.');
    utf8_percent_encode(id, SEGMENT).to_string()
}

//! What each route does: read the inbox and render a page, or change it and go back to a page
//! with a notice (POST, then redirect, so that reloading does not repeat the change).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::access::{self, Access, CarriesCsrf, CheckedForm};
use super::{Admin, Notice, Page, pages, see_other};
use crate::inbox::{InboxError, Listing, Retry, State as EventState};

/// The most events a list shows.
const LIST_LIMIT: usize = 100;

/// What a page shows: on the index, a state and a type (both optional); on both, the notice of
/// the change just made.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PageQuery {
    state: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    notice: Option<String>,
    count: Option<u64>,
}

/// A form with nothing but its CSRF value.
#[derive(Debug, Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// The purge form: done events older than `days` days.
#[derive(Debug, Deserialize)]
pub(super) struct PurgeForm {
    #[serde(default)]
    csrf: String,
    days: String,
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub(super) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

impl CarriesCsrf for ActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CarriesCsrf for PurgeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CarriesCsrf for SignInForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The index: counts, the oldest due event, a filtered list, the bulk actions.
pub(super) async fn index(
    State(admin): State<Arc<Admin>>,
    Query(query): Query<PageQuery>,
    page: Page,
    headers: HeaderMap,
) -> Response {
    let (csrf, set_cookie) = access::csrf_for(&headers, &page);
    let stats = match admin.inbox.stats().await {
        Ok(stats) => stats,
        Err(error) => return unavailable(&error),
    };
    let wanted = query.state.as_deref().and_then(|state| state.parse().ok());
    // Without a state asked for, the first that has events, the most urgent first.
    let state = wanted.unwrap_or_else(|| {
        [
            EventState::Dead,
            EventState::Retrying,
            EventState::Pending,
            EventState::Processing,
            EventState::Done,
        ]
        .into_iter()
        .find(|state| stats.count(*state) > 0)
        .unwrap_or(EventState::Dead)
    });
    let event_type = query
        .event_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let mut listing = Listing::of(state).limit(LIST_LIMIT);
    if let Some(event_type) = event_type {
        listing = listing.event_type(event_type);
    }
    let events = match admin.inbox.list(listing).await {
        Ok(events) => events,
        Err(error) => return unavailable(&error),
    };
    let view = pages::IndexView {
        page: &page,
        csrf: &csrf,
        stats: &stats,
        state,
        event_type,
        events: &events,
        limit: LIST_LIMIT,
        notice: Notice::from_query(query.notice.as_deref(), query.count),
    };
    access::with_cookies(pages::index(&view).into_response(), set_cookie)
}

/// One event: its summary, its body, and the retry button where it applies.
pub(super) async fn event(
    State(admin): State<Arc<Admin>>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    page: Page,
    headers: HeaderMap,
) -> Response {
    let (csrf, set_cookie) = access::csrf_for(&headers, &page);
    match admin.inbox.event(&id).await {
        Ok(Some(event)) => {
            let html = pages::event(
                &page,
                &csrf,
                &event,
                Notice::from_query(query.notice.as_deref(), query.count),
            );
            access::with_cookies(html.into_response(), set_cookie)
        }
        Ok(None) => (StatusCode::NOT_FOUND, pages::not_found(&page, &id)).into_response(),
        Err(error) => unavailable(&error),
    }
}

/// Makes one event due now (dead or retrying), then shows it.
pub(super) async fn retry_one(
    State(admin): State<Arc<Admin>>,
    Path(id): Path<String>,
    page: Page,
    _checked: CheckedForm<ActionForm>,
) -> Response {
    match admin.inbox.retry(Retry::Event(&id)).await {
        Ok(count) => see_other(&format!("{}?{}", page.event(&id), Notice::Retried(count).query())),
        Err(error) => unavailable(&error),
    }
}

/// Makes every dead event due now, then shows the dead (none, unless some died since).
pub(super) async fn retry_dead(
    State(admin): State<Arc<Admin>>,
    page: Page,
    _checked: CheckedForm<ActionForm>,
) -> Response {
    match admin.inbox.retry(Retry::AllDead).await {
        Ok(count) => back_to_index(&page, Notice::Retried(count)),
        Err(error) => unavailable(&error),
    }
}

/// Forgets done events older than the form's number of days.
pub(super) async fn purge(
    State(admin): State<Arc<Admin>>,
    page: Page,
    CheckedForm(form): CheckedForm<PurgeForm>,
) -> Response {
    let Ok(days) = form.days.trim().parse::<u16>() else {
        return (StatusCode::BAD_REQUEST, pages::bad_days(&page, &form.days)).into_response();
    };
    let older_than = Duration::from_secs(u64::from(days).saturating_mul(86_400));
    match admin.inbox.purge_done(older_than).await {
        Ok(count) => back_to_index(&page, Notice::Purged(count)),
        Err(error) => unavailable(&error),
    }
}

/// Signs a browser in with the token: a session cookie, or the sign-in page again (401).
pub(super) async fn sign_in(
    State(admin): State<Arc<Admin>>,
    page: Page,
    CheckedForm(form): CheckedForm<SignInForm>,
) -> Response {
    match &admin.access {
        Access::Bearer(token) if token.matches(form.token.trim()) => {
            let signed_in = see_other(&page.index());
            access::with_cookies(signed_in, access::session_cookie(token, &page))
        }
        Access::Bearer(_) => {
            let html = pages::sign_in(&page, &form.csrf, Some("That is not the token."));
            (StatusCode::UNAUTHORIZED, html).into_response()
        }
        // Trusted: nothing to sign in to.
        Access::Trusted | Access::Closed => see_other(&page.index()),
    }
}

/// 404 for a path the page does not have.
pub(super) async fn no_such_page(page: Page) -> Response {
    (StatusCode::NOT_FOUND, pages::no_such_page(&page)).into_response()
}

fn back_to_index(page: &Page, notice: Notice) -> Response {
    see_other(&format!("{}?{}", page.index(), notice.query()))
}

/// The inbox failed: 503 with its error (the page is for operators, who need it).
fn unavailable(error: &InboxError) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, pages::unavailable(error)).into_response()
}

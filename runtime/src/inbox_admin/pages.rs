//! The HTML: maud escapes every value it is given, so that a body, an error or a type from the
//! inbox shows as text, whatever it holds.

use jiff::Timestamp;
use maud::{DOCTYPE, Markup, html};

use super::{Notice, Page, SIGN_IN, path_segment};
use crate::clock::unix_now_millis;
use crate::inbox::{EventDetail, EventSummary, InboxError, State, Stats};

/// What the index shows.
pub(super) struct IndexView<'a> {
    pub(super) page: &'a Page,
    pub(super) csrf: &'a str,
    pub(super) stats: &'a Stats,
    /// The state listed.
    pub(super) state: State,
    /// The type listed, if one was asked for.
    pub(super) event_type: Option<&'a str>,
    pub(super) events: &'a [EventSummary],
    /// The most a list shows.
    pub(super) limit: usize,
    pub(super) notice: Option<Notice>,
}

/// The index: counts per state, the oldest due event, the filter, the list, the bulk actions.
pub(super) fn index(view: &IndexView<'_>) -> Markup {
    let page = view.page;
    let listed = view.stats.count(view.state);
    layout(
        "Inbox",
        html! {
            (notice(view.notice))
            nav.counts aria-label="Events per state" {
                @for state in State::ALL {
                    a.count.current[state == view.state] href={ (page.index()) "?state=" (state) } {
                        span.number { (view.stats.count(state)) } " " (state)
                    }
                }
            }
            p.oldest {
                @match view.stats.oldest_due {
                    Some(due) => { "Oldest due: " time datetime=(due) { (due) } " (" (ago(due)) ")" },
                    None => "Nothing is waiting.",
                }
            }
            form.filter method="get" action=(page.index()) {
                label { "State " select name="state" {
                    @for state in State::ALL {
                        option value=(state) selected[state == view.state] { (state) }
                    }
                } }
                label { "Type " input type="text" name="type" value=[view.event_type]
                    placeholder="invoice.paid"; }
                button type="submit" { "Show" }
            }
            @if view.events.is_empty() {
                p.empty { "No " (view.state) " events" @if let Some(t) = view.event_type { " of type " code { (t) } } "." }
            } @else {
                table.events {
                    thead { tr { th { "Event" } th { "Type" } th { "Attempts" } th { "Received" } th { "Due" } th { "Last error" } } }
                    tbody {
                        @for event in view.events {
                            tr {
                                td { a href=(page.event(&event.id)) { code { (event.id) } } }
                                td { code { (event.event_type) } }
                                td.number { (event.attempts) }
                                td { (ago(event.received_at)) }
                                td { @if let Some(due) = event.due_at { (ago(due)) } @else { "–" } }
                                td.error { (event.last_error.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
                @if view.events.len() >= view.limit {
                    // The count is per state: with a type asked for, how many of it is unknown.
                    @if view.event_type.is_some() {
                        p.more { "The oldest " (view.limit) " are shown." }
                    } @else {
                        p.more { "The oldest " (view.limit) " of " (listed) " are shown." }
                    }
                }
            }
            section.actions {
                form method="post" action=(page.action("/retry-dead")) {
                    input type="hidden" name="csrf" value=(view.csrf);
                    button type="submit" disabled[view.stats.count(State::Dead) == 0] {
                        "Retry all dead (" (view.stats.count(State::Dead)) ")"
                    }
                }
                form method="post" action=(page.action("/purge")) {
                    input type="hidden" name="csrf" value=(view.csrf);
                    label { "Purge done events older than "
                        input type="number" name="days" value="7" min="0" max="36500" required;
                        " days" }
                    button type="submit" { "Purge" }
                }
            }
        },
    )
}

/// One event: its summary, the retry button if it is dead or retrying, its body.
pub(super) fn event(page: &Page, csrf: &str, event: &EventDetail, notice_shown: Option<Notice>) -> Markup {
    let summary = &event.summary;
    let retryable = matches!(summary.state, State::Dead | State::Retrying);
    layout(
        &summary.id,
        html! {
            p { a href={ (page.index()) "?state=" (summary.state) } { "← " (summary.state) " events" } }
            (notice(notice_shown))
            h2 { code { (summary.id) } }
            dl.event {
                dt { "Type" } dd { code { (summary.event_type) } }
                dt { "State" } dd.state { (summary.state) }
                dt { "Attempts" } dd { (summary.attempts) }
                dt { "Received" } dd { time datetime=(summary.received_at) { (summary.received_at) } " (" (ago(summary.received_at)) ")" }
                @if let Some(due) = summary.due_at {
                    dt { "Due" } dd { time datetime=(due) { (due) } " (" (ago(due)) ")" }
                }
                @if let Some(error) = &summary.last_error {
                    dt { "Last error" } dd.error { pre { (error) } }
                }
            }
            @if retryable {
                form method="post" action=(page.action(&format!("/events/{}/retry", path_segment(&summary.id)))) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { "Retry now" }
                }
            }
            h3 { "Body" }
            @match event.body_text() {
                Some(body) => pre.body { (body) },
                None => p { "No body: the claim of a handler that used the inbox as its ledger." },
            }
        },
    )
}

/// The 401 page where there is a token: a form to sign in with it.
pub(super) fn sign_in(page: &Page, csrf: &str, error: Option<&str>) -> Markup {
    layout(
        "Sign in",
        html! {
            @if let Some(error) = error { p.notice.bad { (error) } }
            p { "This page needs the inbox page's token." }
            form.sign-in method="post" action=(page.action(SIGN_IN)) {
                input type="hidden" name="csrf" value=(csrf);
                label { "Token " input type="password" name="token" autocomplete="current-password" required autofocus; }
                button type="submit" { "Sign in" }
            }
        },
    )
}

/// The 401 page where no authorisation was given.
pub(super) fn closed() -> Markup {
    layout(
        "Closed",
        html! {
            p { "The inbox page is closed: the server gave it no authorisation (a bearer token, or a layer of its own)." }
        },
    )
}

/// The 403 page of a form without the page's CSRF value.
pub(super) fn forbidden() -> Markup {
    layout(
        "Refused",
        html! { p { "The form did not come from this page (its CSRF token is missing or wrong). Reload the page and try again." } },
    )
}

/// The 404 page of an event the inbox does not have.
pub(super) fn not_found(page: &Page, id: &str) -> Markup {
    layout(
        "Not found",
        html! { p { "The inbox has no event " code { (id) } ". " a href=(page.index()) { "Back to the inbox" } } },
    )
}

/// The 404 page of a path the page does not have.
pub(super) fn no_such_page(page: &Page) -> Markup {
    layout(
        "Not found",
        html! { p { "The inbox page has no " code { (page.path) } ". " a href=(page.index()) { "Back to the inbox" } } },
    )
}

/// The 400 page of a purge whose number of days is not one.
pub(super) fn bad_days(page: &Page, days: &str) -> Markup {
    layout(
        "Not a number of days",
        html! { p { code { (days) } " is not a number of days (0 to 65535). " a href=(page.index()) { "Back to the inbox" } } },
    )
}

/// The 503 page: the inbox failed.
pub(super) fn unavailable(error: &InboxError) -> Markup {
    layout("Inbox unavailable", html! { p.notice.bad { (error) } })
}

/// What a change did.
fn notice(notice: Option<Notice>) -> Markup {
    html! {
        @match notice {
            Some(Notice::Retried(count)) => p.notice role="status" { (count) " " (events(count)) " due now." },
            Some(Notice::Purged(count)) => p.notice role="status" { (count) " done " (events(count)) " purged." },
            None => {},
        }
    }
}

fn events(count: u64) -> &'static str {
    if count == 1 { "event" } else { "events" }
}

/// How long ago `at` was (or how far ahead), roughly: `4 s ago`, `in 3 min`, `2 h ago`.
fn ago(at: Timestamp) -> String {
    let millis = unix_now_millis().saturating_sub(at.as_millisecond());
    let seconds = millis.unsigned_abs() / 1000;
    let amount = match seconds {
        0..120 => format!("{seconds} s"),
        120..7_200 => format!("{} min", seconds / 60),
        7_200..172_800 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86_400),
    };
    if millis >= 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// The page around `body`: a title, a heading, and the style sheet (no script).
fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · stripe-notify inbox" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header { h1 { "stripe-notify inbox" } }
                main { (body) }
            }
        }
    }
}

/// The style sheet: a constant, never built from input.
const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1a1f36; background: #f6f8fa; }
header { background: #635bff; color: white; padding: 0.6em 1.5em; }
header h1 { font-size: 1.15em; margin: 0; }
main { padding: 1em 1.5em; max-width: 72em; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; }
pre.body { background: white; border: 1px solid #d8dee4; padding: 1em; overflow: auto; }
nav.counts { display: flex; gap: 0.6em; flex-wrap: wrap; margin-bottom: 0.6em; }
a.count { background: white; border: 1px solid #d8dee4; border-radius: 6px; padding: 0.4em 0.9em;
  color: inherit; text-decoration: none; }
a.count.current { border-color: #635bff; box-shadow: 0 0 0 1px #635bff; }
a.count .number { font-weight: 600; font-size: 1.2em; }
table.events { border-collapse: collapse; width: 100%; background: white; }
table.events th, table.events td { border-bottom: 1px solid #e3e8ee; padding: 0.35em 0.6em;
  text-align: left; vertical-align: top; }
td.number { text-align: right; }
td.error, dd.error { color: #c0123c; }
form { margin: 0.6em 0; }
form.filter, section.actions { display: flex; gap: 1em; flex-wrap: wrap; align-items: center; }
section.actions { margin-top: 1.2em; border-top: 1px solid #d8dee4; padding-top: 0.6em; }
input[type=number] { width: 5em; }
button { background: #635bff; color: white; border: 0; border-radius: 5px; padding: 0.35em 0.9em;
  font: inherit; cursor: pointer; }
button:disabled { background: #a3acb9; cursor: default; }
dl.event { display: grid; grid-template-columns: max-content auto; gap: 0.3em 1.2em; }
dt { font-weight: 600; }
dd { margin: 0; }
p.notice { background: #e6f4ea; border: 1px solid #a8dab5; padding: 0.5em 0.9em; border-radius: 5px; }
p.notice.bad { background: #fdecea; border-color: #f5b5b0; }
";

//! The inbox page over real HTTP on loopback, against a real SQLite inbox: who gets in, what
//! each page shows, what each button changes, and that nothing from the inbox is markup.

mod support;

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use stripe_notify_runtime::ConfigError;
use stripe_notify_runtime::inbox::{Inbox, State};
use stripe_notify_runtime::inbox_admin::InboxAdmin;
use support::admin::{TOKEN, new_event, seeded_inbox, serve};

/// A client that follows no redirects, so that the tests see each answer.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The page with the tests' token, served; the inbox behind it.
async fn open_page() -> (String, Arc<dyn Inbox>) {
    let inbox: Arc<dyn Inbox> = seeded_inbox().await;
    let admin = InboxAdmin::new(Arc::clone(&inbox)).bearer_token(TOKEN).unwrap();
    (serve(admin.router()).await, inbox)
}

/// GET `url` with the token: the status and the page.
async fn get(url: &str) -> (StatusCode, String) {
    let response = client().get(url).bearer_auth(TOKEN).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// GET `url` with one header (no token unless that is it).
async fn get_with(url: &str, name: &str, value: String) -> reqwest::Response {
    client().get(url).header(name, value).send().await.unwrap()
}

/// The CSRF value a page gave (its cookie) and the `Cookie` header that sends it back.
async fn csrf(url: &str) -> (String, String) {
    let response = client().get(url).bearer_auth(TOKEN).send().await.unwrap();
    let cookie = set_cookie(&response, "stripe_notify_csrf").expect("a CSRF cookie");
    (cookie.clone(), format!("stripe_notify_csrf={cookie}"))
}

/// The value of the cookie `name` a response sets.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get_all(SET_COOKIE).iter().find_map(|value| {
        let value = value.to_str().unwrap();
        let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
        assert!(
            attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"),
            "{value}"
        );
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

#[tokio::test]
async fn without_an_authorisation_every_route_is_401() {
    let inbox: Arc<dyn Inbox> = seeded_inbox().await;
    let root = serve(InboxAdmin::new(Arc::clone(&inbox)).router()).await;
    for path in ["/inbox", "/inbox/events/evt_dead_1", "/inbox/nowhere"] {
        let response = client()
            .get(format!("{root}{path}"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(response.text().await.unwrap().contains("closed"));
    }
    for path in [
        "/inbox/retry-dead",
        "/inbox/events/evt_dead_1/retry",
        "/inbox/sign-in",
    ] {
        let response = client()
            .post(format!("{root}{path}"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(
        inbox.stats().await.unwrap().count(State::Dead),
        1,
        "nothing retried"
    );
}

#[test]
fn a_short_token_is_refused_and_no_token_is_ever_shown() {
    let admin = InboxAdmin::new(Arc::new(stripe_notify_runtime::inbox::MemoryInbox::new()));
    let short = admin.bearer_token("  short-token  ").unwrap_err();
    assert_eq!(short, ConfigError::ShortAdminToken);
    let admin = InboxAdmin::new(Arc::new(stripe_notify_runtime::inbox::MemoryInbox::new()));
    let shown = format!("{:?}", admin.bearer_token(TOKEN).unwrap());
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("bearer token"), "{shown}");
}

#[tokio::test]
async fn the_token_admits_a_bearer_and_a_browser_that_signs_in() {
    let (root, _inbox) = open_page().await;
    let index = format!("{root}/inbox");

    // Without it, or with another: 401 and the sign-in page.
    let anonymous = client().get(&index).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let csrf = set_cookie(&anonymous, "stripe_notify_csrf").expect("the sign-in form's CSRF cookie");
    let page = anonymous.text().await.unwrap();
    assert!(
        page.contains("name=\"token\"") && !page.contains("evt_dead_1"),
        "{page}"
    );
    let wrong = get_with(&index, "authorization", "Bearer not-the-token-at-all".to_owned()).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    // With it: the page, which no script may run in and no other site may frame.
    let response = client().get(&index).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none';") && policy.contains("frame-ancestors 'none'"));
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    assert!(page.contains("evt_dead_1"), "{page}");

    // A browser signs in: the wrong token, then the right one, which gives a session cookie.
    let sign_in = |token: &'static str| {
        client()
            .post(format!("{root}/inbox/sign-in"))
            .header(COOKIE, format!("stripe_notify_csrf={csrf}"))
            .form(&[("csrf", csrf.as_str()), ("token", token)])
            .send()
    };
    let refused = sign_in("not-the-token-at-all").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("not the token"));
    let signed_in = sign_in(TOKEN).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[LOCATION], "/inbox");
    let session = set_cookie(&signed_in, "stripe_notify_admin").expect("a session cookie");
    assert!(!session.contains(TOKEN), "the cookie is not the token");
    let with_session = get_with(&index, "cookie", format!("stripe_notify_admin={session}")).await;
    assert_eq!(with_session.status(), StatusCode::OK);
    let forged = get_with(&index, "cookie", format!("stripe_notify_admin={TOKEN}")).await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_index_counts_lists_and_filters_by_state_and_type() {
    let (root, _inbox) = open_page().await;
    let (_, page) = get(&format!("{root}/inbox")).await;
    for count in [
        "2</span> pending",
        "1</span> retrying",
        "0</span> processing",
        "0</span> done",
        "1</span> dead",
    ] {
        assert!(page.contains(count), "{count}: {page}");
    }
    assert!(page.contains("Oldest due: "), "{page}");
    // Without a state asked for, the dead first.
    assert!(page.contains("href=\"/inbox/events/evt_dead_1\""), "{page}");
    assert!(!page.contains("evt_pending_1"));

    let (_, pending) = get(&format!("{root}/inbox?state=pending")).await;
    assert!(pending.contains("evt_pending_1") && pending.contains("evt_pending_2"));
    let (_, paid) = get(&format!("{root}/inbox?state=pending&type=invoice.paid")).await;
    assert!(
        paid.contains("evt_pending_1") && !paid.contains("evt_pending_2"),
        "{paid}"
    );
    let (status, _) = get(&format!("{root}/inbox/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, none) = get(&format!("{root}/inbox?state=pending&type=%3Cscript%3E")).await;
    assert!(
        none.contains("No pending events of type <code>&lt;script&gt;</code>"),
        "{none}"
    );
}

#[tokio::test]
async fn an_event_s_page_shows_its_body_and_error_as_text() {
    let (root, _inbox) = open_page().await;
    let (status, page) = get(&format!("{root}/inbox/events/evt_dead_1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("<script>") && !page.contains("<b>") && !page.contains("<i>"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("the CRM answered 502 &lt;i&gt;twice&lt;/i&gt;"),
        "{page}"
    );
    // Pretty-printed.
    assert!(
        page.contains("\n  &quot;id&quot;: &quot;evt_dead_1&quot;"),
        "{page}"
    );
    assert!(page.contains("Retry now"), "a dead event can be retried");

    let (_, pending) = get(&format!("{root}/inbox/events/evt_pending_1")).await;
    assert!(!pending.contains("Retry now"), "a pending event is due already");
    let (missing, page) = get(&format!("{root}/inbox/events/%3Cb%3Eevt%3C%2Fb%3E")).await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
    assert!(page.contains("&lt;b&gt;evt&lt;/b&gt;"), "{page}");
}

#[tokio::test]
async fn buttons_change_the_inbox_only_with_the_page_s_csrf_token() {
    let (root, inbox) = open_page().await;
    let (csrf, cookie) = csrf(&format!("{root}/inbox")).await;
    let post = |path: &str, cookie: Option<&str>, form: &[(&str, &str)]| {
        let mut request = client()
            .post(format!("{root}{path}"))
            .bearer_auth(TOKEN)
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie.to_owned());
        }
        request.send()
    };
    // Without the cookie, without the field, with another value: refused, nothing changed.
    for (cookie, form) in [
        (None, vec![("csrf", csrf.as_str())]),
        (Some(cookie.as_str()), vec![]),
        (
            Some(cookie.as_str()),
            vec![("csrf", "0123456789abcdef0123456789abcdef")],
        ),
    ] {
        let refused = post("/inbox/events/evt_dead_1/retry", cookie, &form)
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(inbox.stats().await.unwrap().count(State::Dead), 1);

    // Retry one: due now, and the event's page says so.
    let retried = post(
        "/inbox/events/evt_dead_1/retry",
        Some(&cookie),
        &[("csrf", &csrf)],
    )
    .await
    .unwrap();
    assert_eq!(retried.status(), StatusCode::SEE_OTHER);
    let location = retried.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, "/inbox/events/evt_dead_1?notice=retried&count=1");
    let event = inbox.event("evt_dead_1").await.unwrap().unwrap();
    assert_eq!((event.summary.state, event.summary.attempts), (State::Pending, 0));
    let (_, page) = get(&format!("{root}{location}")).await;
    assert!(page.contains("1 event due now."), "{page}");

    // Retry all dead: none left.
    let all = post("/inbox/retry-dead", Some(&cookie), &[("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(all.headers()[LOCATION], "/inbox?notice=retried&count=0");

    // Purge: a number of days, or 400.
    let bad = post(
        "/inbox/purge",
        Some(&cookie),
        &[("csrf", &csrf), ("days", "a week")],
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("a week"));
    let claimed = inbox
        .claim(10, std::time::Duration::from_secs(60), false)
        .await
        .unwrap();
    for event in &claimed {
        inbox.complete(&event.id, event.attempt).await.unwrap();
    }
    assert_eq!(inbox.stats().await.unwrap().count(State::Done), 3);
    let kept = post("/inbox/purge", Some(&cookie), &[("csrf", &csrf), ("days", "7")])
        .await
        .unwrap();
    assert_eq!(kept.headers()[LOCATION], "/inbox?notice=purged&count=0");
    let purged = post("/inbox/purge", Some(&cookie), &[("csrf", &csrf), ("days", "0")])
        .await
        .unwrap();
    assert_eq!(purged.headers()[LOCATION], "/inbox?notice=purged&count=3");
    assert_eq!(inbox.stats().await.unwrap().count(State::Done), 0);
}

#[tokio::test]
async fn behind_the_user_s_own_layer_the_layer_decides() {
    use axum::http::StatusCode as AxumStatus;
    let inbox: Arc<dyn Inbox> = seeded_inbox().await;
    // An application's check: a header its proxy sets.
    let layer = axum::middleware::from_fn(
        |request: axum::extract::Request, next: axum::middleware::Next| async move {
            if request.headers().contains_key("x-operator") {
                next.run(request).await
            } else {
                axum::response::IntoResponse::into_response(AxumStatus::FORBIDDEN)
            }
        },
    );
    let root = serve(InboxAdmin::new(inbox).router_behind(layer)).await;
    let refused = client().get(format!("{root}/inbox")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let admitted = get_with(
        &format!("{root}/inbox/events/evt_dead_1"),
        "x-operator",
        "ana".to_owned(),
    )
    .await;
    assert_eq!(admitted.status(), StatusCode::OK);
    let bearer_is_nothing_here = get_with(
        &format!("{root}/inbox"),
        "authorization",
        format!("Bearer {TOKEN}"),
    )
    .await;
    assert_eq!(bearer_is_nothing_here.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_id_that_is_not_a_plain_word_stays_in_its_path_segment() {
    let (root, inbox) = open_page().await;
    let id = "evt_../../x?\"<b>";
    inbox.store(new_event(id, "invoice.paid", b"{}")).await.unwrap();
    let (_, page) = get(&format!("{root}/inbox?state=pending")).await;
    let link = "href=\"/inbox/events/evt_..%2F..%2Fx%3F%22%3Cb%3E\"";
    assert!(page.contains(link), "{page}");
    let (status, detail) = get(&format!("{root}/inbox/events/evt_..%2F..%2Fx%3F%22%3Cb%3E")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("evt_../../x?&quot;&lt;b&gt;"), "{detail}");
}

#[tokio::test]
async fn a_long_list_shows_the_oldest_hundred_and_says_so() {
    let (root, inbox) = open_page().await;
    let ids: Vec<String> = (0..101).map(|i| format!("evt_many_{i:03}")).collect();
    let events: Vec<_> = ids
        .iter()
        .map(|id| new_event(id, "invoice.paid", b"{}"))
        .collect();
    inbox.store_batch(&events).await.unwrap();
    let (_, page) = get(&format!("{root}/inbox?state=pending")).await;
    assert_eq!(page.matches("<tr><td><a href=").count(), 100, "{page}");
    assert!(page.contains("The oldest 100 of 103 are shown."), "{page}");
    let (_, paid) = get(&format!("{root}/inbox?state=pending&type=invoice.paid")).await;
    assert!(paid.contains("The oldest 100 are shown."), "{paid}");
}

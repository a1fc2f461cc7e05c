//! Who may see the page, and proof that a form was sent from it.
//!
//! Access is one of three: closed (no authorisation was given: every route answers 401), a
//! bearer token, or trusted (the user's own layer in front decides). With a token, a request
//! gets in with `Authorization: Bearer <token>`, or with the session cookie that signing in on
//! the 401 page sets: an HMAC of the token, so that the cookie never holds the token itself and
//! changing the token signs everyone out. Both are compared in constant time, as digests of
//! equal length.
//!
//! Every POST carries a CSRF token: a random value the page sets as a cookie and repeats in each
//! form (a double-submit cookie), so that it needs no server-side state and works across
//! servers. Another site can make a browser send the cookie, but cannot read it to put it in
//! the form. The cookies are `HttpOnly`, `Secure` and `SameSite=Strict`; a browser keeps `Secure`
//! cookies only over HTTPS or on `localhost`/`127.0.0.1`, so serve the page over HTTPS.

use std::sync::Arc;

use axum::Form;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Admin, Page, pages};
use crate::text::push_hex;

/// The session cookie's name.
const SESSION_COOKIE: &str = "stripe_notify_admin";
/// The CSRF cookie's name; each form repeats its value in a field named `csrf`.
const CSRF_COOKIE: &str = "stripe_notify_csrf";

/// Who may use the page.
pub(super) enum Access {
    /// No authorisation was given: every route answers 401.
    Closed,
    /// A bearer token, or the session signing in with it gives.
    Bearer(Token),
    /// The user's own layer in front of the router decides.
    Trusted,
}

/// The bearer token, kept only as what it is compared with.
pub(super) struct Token {
    /// SHA-256 of the token: a presented token is hashed and compared in constant time.
    digest: [u8; 32],
    /// The session cookie's value: hex of HMAC-SHA256 of a fixed text, keyed by the token.
    session: String,
}

impl Token {
    pub(super) fn new(token: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"stripe-notify inbox page session");
        let mut session = String::with_capacity(64);
        push_hex(&mut session, &mac.finalize().into_bytes());
        Self {
            digest: Sha256::digest(token.as_bytes()).into(),
            session,
        }
    }

    /// Whether `presented` is the token.
    pub(super) fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }

    /// Whether `headers` carry the token or its session.
    fn admits(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if let Some(presented) = bearer {
            return self.matches(presented.trim());
        }
        cookie(headers, SESSION_COOKIE)
            .is_some_and(|session| bool::from(session.as_bytes().ct_eq(self.session.as_bytes())))
    }
}

/// Lets a request through to the page, or answers 401: the sign-in page where there is a token
/// (the sign-in form itself is let through), a page saying the inbox page is closed where there
/// is none. Every answer carries the page's security headers.
pub(super) async fn guard(State(admin): State<Arc<Admin>>, request: Request, next: Next) -> Response {
    let page = Page::of(request.uri(), request.extensions());
    let mut response = match &admin.access {
        Access::Trusted => next.run(request).await,
        Access::Bearer(token) if token.admits(request.headers()) => next.run(request).await,
        Access::Bearer(_) if page.is_sign_in() && request.method() == Method::POST => next.run(request).await,
        Access::Bearer(_) => {
            let (csrf, set_cookie) = csrf_for(request.headers(), &page);
            let html = pages::sign_in(&page, &csrf, None);
            with_cookies((StatusCode::UNAUTHORIZED, html).into_response(), set_cookie)
        }
        Access::Closed => (StatusCode::UNAUTHORIZED, pages::closed()).into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// What every answer of the page says to the browser: no script of any origin runs (were a
/// value ever left unescaped, it would still not run), forms post only to the page, no other
/// site may frame it (no clickjacking of its buttons), and nothing of it is cached or sent on
/// as a referrer.
const SECURITY_HEADERS: [(header::HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CACHE_CONTROL, "no-store"),
];

/// A form whose CSRF value is the cookie's (compared in constant time); the extractor answers
/// 403 otherwise, before the handler runs.
pub(super) struct CheckedForm<T>(pub(super) T);

/// A form's CSRF field.
pub(super) trait CarriesCsrf {
    fn csrf(&self) -> &str;
}

impl<S: Send + Sync, T: DeserializeOwned + CarriesCsrf> FromRequest<S> for CheckedForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let expected = cookie(request.headers(), CSRF_COOKIE).map(str::to_owned);
        let Form(form) = Form::<T>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if csrf_matches(expected.as_deref(), form.csrf()) {
            Ok(Self(form))
        } else {
            Err((StatusCode::FORBIDDEN, pages::forbidden()).into_response())
        }
    }
}

/// Whether a form's CSRF value is the cookie's, which must be one.
fn csrf_matches(cookie: Option<&str>, form_value: &str) -> bool {
    cookie.is_some_and(|expected| {
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(form_value.as_bytes()))
    })
}

/// The CSRF value for the forms of a page: the cookie's if the browser has one, else a new one,
/// with the `Set-Cookie` that gives it.
pub(super) fn csrf_for(headers: &HeaderMap, page: &Page) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE) {
        Some(value) if is_csrf_value(value) => (value.to_owned(), None),
        _ => {
            let value = random_hex();
            let set_cookie = set_cookie(CSRF_COOKIE, &value, page);
            (value, set_cookie)
        }
    }
}

/// The `Set-Cookie` of the session a correct sign-in gets.
pub(super) fn session_cookie(token: &Token, page: &Page) -> Option<HeaderValue> {
    set_cookie(SESSION_COOKIE, &token.session, page)
}

/// `response` with `set_cookie` added, if any.
pub(super) fn with_cookies(mut response: Response, set_cookie: Option<HeaderValue>) -> Response {
    if let Some(value) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A `Set-Cookie` for the page's path.
fn set_cookie(name: &str, value: &str, page: &Page) -> Option<HeaderValue> {
    let path = page.index();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; Secure; SameSite=Strict"
    ))
    .ok()
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

/// Whether `value` is one [`random_hex`] could have made (anything else is replaced).
fn is_csrf_value(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// 16 bytes from the operating system's generator, as hex.
fn random_hex() -> String {
    let mut bytes = [0_u8; 16];
    // Without the system's generator there is no safe value: the page then has an empty CSRF
    // value, which `check_csrf` refuses, so that forms fail closed.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    let mut hex = String::with_capacity(32);
    push_hex(&mut hex, &bytes);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_str(value).unwrap()))
            .collect()
    }

    #[test]
    fn a_token_admits_its_bearer_and_its_session_only() {
        let token = Token::new("a-token-of-some-length");
        let bearer = |value| headers(&[(header::AUTHORIZATION, value)]);
        assert!(token.admits(&bearer("Bearer a-token-of-some-length")));
        assert!(!token.admits(&bearer("Bearer a-token-of-some-lengtH")));
        assert!(!token.admits(&bearer("a-token-of-some-length")));
        let session = format!("other=1; {SESSION_COOKIE}={}", token.session);
        assert!(token.admits(&headers(&[(header::COOKIE, &session)])));
        assert!(!token.admits(&headers(&[(
            header::COOKIE,
            "stripe_notify_admin=a-token-of-some-length"
        )])));
        assert!(!token.session.contains("a-token"), "the cookie is not the token");
        assert!(!token.admits(&HeaderMap::new()));
    }

    #[test]
    fn a_form_passes_only_with_the_cookie_s_csrf_value() {
        let value = random_hex();
        assert!(is_csrf_value(&value));
        assert!(csrf_matches(Some(&value), &value));
        assert!(!csrf_matches(Some(&value), "0123456789abcdef0123456789abcdef"));
        assert!(!csrf_matches(None, &value));
        assert!(!csrf_matches(Some(""), ""), "an empty value never passes");
        let with_cookie = headers(&[(header::COOKIE, &format!("a=b; {CSRF_COOKIE}={value}"))]);
        assert_eq!(cookie(&with_cookie, CSRF_COOKIE), Some(value.as_str()));
    }
}

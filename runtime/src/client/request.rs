//! One request: its URL (which must stay on the API host), its headers, and how the response
//! becomes a value or a typed error.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::config::ClientConfig;
use crate::context::StripeContext;
use crate::error::{ApiError, ClientError};
use crate::text::truncate;

/// `text` percent-encoded for a path segment or a query value: everything but RFC 3986's
/// unreserved characters.
pub(crate) fn encode(text: &str) -> percent_encoding::PercentEncode<'_> {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, UNRESERVED)
}

/// The full URL for an API `path`. Only a path beginning with exactly one `/` is accepted, and
/// the result must stay on the configured API host: a related object's `url` comes from the
/// request body, and must never send the API key elsewhere (`//evil.example`, `@evil.example`,
/// `https://evil.example`).
pub(super) fn url(config: &ClientConfig, path: &str) -> Result<reqwest::Url, ClientError> {
    let refuse = || ClientError::UnsafeUrl(truncate(path, 200).to_owned());
    let rest = path.strip_prefix('/').ok_or_else(refuse)?;
    if rest.starts_with(['/', '\\']) || path.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refuse());
    }
    let url = reqwest::Url::parse(&format!("{}{path}", config.api_base)).map_err(|_| refuse())?;
    if url.origin() != config.transport.api_url.origin() {
        return Err(refuse());
    }
    Ok(url)
}

/// The account a request is made for, and the header that says so.
#[derive(Clone, Copy)]
pub(super) struct Binding<'a> {
    pub(super) context: &'a StripeContext,
    /// `Stripe-Account` rather than `Stripe-Context`.
    pub(super) as_account: bool,
}

/// Headers for a request bound to an account or context, triggered by event `event_id`.
pub(super) fn headers(
    config: &ClientConfig,
    binding: Option<Binding<'_>>,
    event_id: Option<&str>,
) -> Result<HeaderMap, ClientError> {
    let authorization = config
        .api_key
        .authorization()
        .cloned()
        .ok_or_else(|| ClientError::Config("the API key has characters a header cannot carry".into()))?;
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(reqwest::header::AUTHORIZATION, authorization);
    if let Some(version) = &config.transport.api_version {
        headers.insert(HeaderName::from_static("stripe-version"), version.clone());
    }
    // Header values are checked rather than trusted: a context or id with a newline in it
    // (from a hostile body) is dropped, never sent.
    if let Some((binding, value)) =
        binding.and_then(|binding| Some((binding, HeaderValue::from_str(binding.context.as_str()).ok()?)))
    {
        let name = if binding.as_account {
            "stripe-account"
        } else {
            "stripe-context"
        };
        headers.insert(HeaderName::from_static(name), value);
    }
    if let Some(trigger) = event_id.and_then(|id| HeaderValue::from_str(&format!("event={id}")).ok()) {
        headers.insert(HeaderName::from_static("stripe-request-trigger"), trigger);
    }
    Ok(headers)
}

/// A response, read in full.
pub(super) struct Response {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
}

/// A success body as `T`, or the error Stripe's body describes.
pub(super) fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    if response.status.is_success() {
        return serde_json::from_slice(&response.body).map_err(|e| ClientError::Decode(e.to_string()));
    }
    Err(ClientError::Api(Box::new(api_error(&response))))
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Default, Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    error_type: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    param: Option<String>,
}

fn api_error(response: &Response) -> ApiError {
    let detail = serde_json::from_slice::<ErrorBody>(&response.body)
        .map(|body| body.error)
        .unwrap_or_default();
    ApiError {
        status: response.status.as_u16(),
        error_type: detail.error_type,
        code: detail.code,
        message: detail.message,
        param: detail.param,
        request_id: response
            .headers
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// A transport error, typed.
pub(super) fn transport_error(error: &reqwest::Error) -> ClientError {
    if error.is_timeout() {
        ClientError::Timeout
    } else {
        // reqwest's message names the URL, never the headers: no key in it.
        ClientError::Network(error.to_string())
    }
}

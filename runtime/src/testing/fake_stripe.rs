//! A fake Stripe API on loopback: a real HTTP server that records every request and answers
//! what it is told to.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::event_history::EventHistory;

/// A request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`.
    pub method: String,
    /// Path and query, as sent (`/v2/core/events/evt_1`).
    pub path: String,
    /// Headers, names lowercase.
    pub headers: HashMap<String, String>,
}

impl RecordedRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

#[derive(Default)]
struct FakeState {
    requests: Vec<RecordedRequest>,
    /// Answers used once each, in order, before the standing ones.
    once: HashMap<String, VecDeque<Answer>>,
    standing: HashMap<String, Answer>,
    /// The list APIs' events, when a test serves some.
    history: Option<EventHistory>,
}

/// The fake Stripe server; it stops when dropped.
pub struct FakeStripe {
    addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeStripe {
    /// Starts the server on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(FakeState::default()));
        let app = Router::new().fallback(answer).with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, state, server })
    }

    /// The base URL to give the client, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers every request for `path` (path and query) with this status and JSON body.
    pub fn respond(&self, path: &str, status: u16, body: impl Into<String>) {
        self.lock().standing.insert(
            path.to_owned(),
            answer_of(status, &[], body.into(), Duration::ZERO),
        );
    }

    /// Answers the next request for `path` with this, once; then the standing answer.
    pub fn respond_once(&self, path: &str, status: u16, headers: &[(&str, &str)], body: impl Into<String>) {
        let answer = answer_of(status, headers, body.into(), Duration::ZERO);
        self.lock()
            .once
            .entry(path.to_owned())
            .or_default()
            .push_back(answer);
    }

    /// Answers every request for `path` only after `delay` (to exercise timeouts).
    pub fn respond_slowly(&self, path: &str, delay: Duration, body: impl Into<String>) {
        self.lock()
            .standing
            .insert(path.to_owned(), answer_of(200, &[], body.into(), delay));
    }

    /// Serves `GET /v1/events` and `GET /v2/core/events` from these events (JSON texts of
    /// either style), filtered and paged as Stripe does, newest first; scripted answers still
    /// win. An event without an `id`, a `type` or a `created` is an error.
    pub fn serve_events(&self, events: impl IntoIterator<Item = String>) -> Result<(), String> {
        self.lock().history = Some(EventHistory::new(events)?);
        Ok(())
    }

    /// Marks served events as never delivered: `delivery_success=false` lists only these.
    pub fn undelivered(&self, ids: impl IntoIterator<Item = String>) {
        if let Some(history) = &mut self.lock().history {
            history.undelivered(ids);
        }
    }

    /// Answers each list request only after `latency`, as a distant API does.
    pub fn delay_event_lists(&self, latency: Duration) {
        if let Some(history) = &mut self.lock().history {
            history.latency = latency;
        }
    }

    /// Answers every `every`-th list request with 429 and `Retry-After: 1`.
    pub fn throttle_event_lists(&self, every: usize) {
        if let Some(history) = &mut self.lock().history {
            history.throttle_every = Some(every);
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn answer_of(status: u16, headers: &[(&str, &str)], body: String, delay: Duration) -> Answer {
    Answer {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body,
        delay,
    }
}

async fn answer(
    State(state): State<Arc<Mutex<FakeState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    _body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let answer = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.requests.push(RecordedRequest {
            method: method.to_string(),
            path: path.clone(),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        });
        let once = state.once.get_mut(&path).and_then(VecDeque::pop_front);
        once.or_else(|| state.standing.get(&path).cloned()).or_else(|| {
            let history = state.history.as_mut()?;
            let latency = history.latency;
            let (status, headers, body) = history.answer(&path)?;
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Some(answer_of(status, &headers, body, latency))
        })
    };
    let Some(answer) = answer else {
        let body = format!(
            r#"{{"error":{{"type":"invalid_request_error","code":"resource_missing","message":"No such path: {path}"}}}}"#
        );
        return (StatusCode::NOT_FOUND, [("request-id", "req_fake_404")], body).into_response();
    };
    tokio::time::sleep(answer.delay).await;
    let mut response = answer.body.into_response();
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            axum::http::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

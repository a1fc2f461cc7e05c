//! The fake Stripe's list APIs over a history of events, as Stripe serves them: newest first,
//! `/v1/events` with `created[gte|gt|lt|lte]`, `types[]`, `delivery_success` and
//! `starting_after` cursors, `/v2/core/events` with `created[...]`, `types` and `page` links.

use std::collections::HashSet;

use jiff::Timestamp;
use reqwest::Url;
use serde_json::Value;

use crate::style::EventStyle;

/// The events the fake lists, and how it lists them.
#[derive(Default)]
pub(super) struct EventHistory {
    /// Newest first.
    events: Vec<HistoryEvent>,
    /// Each event's place in `events`, by id: where a cursor continues.
    position: std::collections::HashMap<String, usize>,
    undelivered: HashSet<String>,
    /// Answer every this-many-th list request with 429 and `Retry-After: 1`.
    pub(super) throttle_every: Option<usize>,
    /// How long each list request takes.
    pub(super) latency: std::time::Duration,
    list_requests: usize,
}

struct HistoryEvent {
    id: String,
    style: EventStyle,
    event_type: String,
    created: i64,
    json: String,
}

/// What the fake answers a list request: a status, headers and the body.
pub(super) type Listed = (u16, Vec<(String, String)>, String);

impl EventHistory {
    /// A history of these events (JSON texts of either style). An event without an `id`, a
    /// `type` or a `created` is an error naming it.
    pub(super) fn new(events: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut events = events
            .into_iter()
            .map(HistoryEvent::read)
            .collect::<Result<Vec<_>, _>>()?;
        events.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
        let position = events
            .iter()
            .enumerate()
            .map(|(at, event)| (event.id.clone(), at))
            .collect();
        Ok(Self {
            events,
            position,
            ..Self::default()
        })
    }

    /// Marks these events as not delivered to any endpoint (`delivery_success=false` lists
    /// them).
    pub(super) fn undelivered(&mut self, ids: impl IntoIterator<Item = String>) {
        self.undelivered.extend(ids);
    }

    /// The answer to `path` (path and query), if it is a list request.
    pub(super) fn answer(&mut self, path: &str) -> Option<Listed> {
        let url = Url::parse(&format!("http://fake{path}")).ok()?;
        let style = match url.path() {
            "/v1/events" => EventStyle::Snapshot,
            "/v2/core/events" => EventStyle::Thin,
            _ => return None,
        };
        self.list_requests = self.list_requests.saturating_add(1);
        if let Some(every) = self.throttle_every
            && every > 0
            && self.list_requests.is_multiple_of(every)
        {
            let headers = vec![("retry-after".to_owned(), "1".to_owned())];
            let body = r#"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}"#;
            return Some((429, headers, body.to_owned()));
        }
        Some(match self.list(style, &url) {
            Ok(body) => (200, Vec::new(), body),
            Err(message) => (
                400,
                Vec::new(),
                serde_json::json!({"error": {"type": "invalid_request_error", "message": message}})
                    .to_string(),
            ),
        })
    }

    fn list(&self, style: EventStyle, url: &Url) -> Result<String, String> {
        let query = Query::read(style, url)?;
        // Where the page starts in the whole history: after the cursor's event, or at the
        // thin page token (a place in the history), or at the newest.
        let start = match (&query.starting_after, query.page) {
            (Some(after), _) => self
                .position
                .get(after)
                .map(|&at| at.saturating_add(1))
                .ok_or_else(|| format!("no such event: {after}"))?,
            (None, Some(page)) => page,
            (None, None) => 0,
        };
        let mut selected = self
            .events
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, event)| event.style == style && query.selects(event, &self.undelivered));
        let page: Vec<(usize, &HistoryEvent)> = selected.by_ref().take(query.limit).collect();
        let more = selected.next().is_some();
        let data = page
            .iter()
            .map(|(_, event)| event.json.as_str())
            .collect::<Vec<_>>()
            .join(",");
        Ok(match style {
            EventStyle::Snapshot => {
                format!(r#"{{"object":"list","url":"/v1/events","has_more":{more},"data":[{data}]}}"#)
            }
            EventStyle::Thin => {
                let next = match page.last() {
                    Some((at, _)) if more => {
                        let pairs: Vec<(String, String)> = url
                            .query_pairs()
                            .filter(|(key, _)| key != "page")
                            .map(|(k, v)| (k.into_owned(), v.into_owned()))
                            .collect();
                        let mut next = url.clone();
                        next.query_pairs_mut()
                            .clear()
                            .extend_pairs(pairs)
                            .append_pair("page", &at.saturating_add(1).to_string());
                        serde_json::to_string(&format!(
                            "{}?{}",
                            next.path(),
                            next.query().unwrap_or_default()
                        ))
                        .unwrap_or_default()
                    }
                    _ => "null".to_owned(),
                };
                format!(r#"{{"data":[{data}],"next_page_url":{next},"previous_page_url":null}}"#)
            }
        })
    }
}

impl HistoryEvent {
    fn read(json: String) -> Result<Self, String> {
        let value: Value = serde_json::from_str(&json).map_err(|e| format!("an event is not JSON: {e}"))?;
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .ok_or("an event has no id")?
            .to_owned();
        let style = match value.get("object").and_then(Value::as_str) {
            Some("event") => EventStyle::Snapshot,
            _ => EventStyle::Thin,
        };
        let created = match value.get("created").unwrap_or(&Value::Null) {
            Value::Number(seconds) => seconds.as_i64(),
            Value::String(text) => text.parse::<Timestamp>().ok().map(|t| t.as_second()),
            _ => None,
        }
        .ok_or_else(|| format!("event {id} has no created"))?;
        let event_type = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("event {id} has no type"))?
            .to_owned();
        Ok(Self {
            id,
            style,
            event_type,
            created,
            json,
        })
    }
}

/// A list request's filters.
struct Query {
    from: Option<i64>,
    before: Option<i64>,
    types: Vec<String>,
    undelivered_only: bool,
    starting_after: Option<String>,
    /// A thin page token: the place in the history where the page starts.
    page: Option<usize>,
    limit: usize,
}

impl Query {
    fn read(style: EventStyle, url: &Url) -> Result<Self, String> {
        let mut query = Self {
            from: None,
            before: None,
            types: Vec::new(),
            undelivered_only: false,
            starting_after: None,
            page: None,
            limit: 10,
        };
        let time = |value: &str| -> Result<i64, String> {
            match style {
                EventStyle::Snapshot => value
                    .parse()
                    .map_err(|_| format!("`{value}` is not Unix seconds")),
                EventStyle::Thin => value
                    .parse::<Timestamp>()
                    .map(|t| t.as_second())
                    .map_err(|_| format!("`{value}` is not an RFC 3339 time")),
            }
        };
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), style) {
                ("limit", _) => {
                    query.limit = value.parse().map_err(|_| format!("bad limit {value}"))?;
                    if !(1..=100).contains(&query.limit) {
                        return Err(format!("limit {value} is not in 1..=100"));
                    }
                }
                ("created[gte]", _) => query.from = Some(time(&value)?),
                ("created[gt]", _) => query.from = Some(time(&value)?.saturating_add(1)),
                ("created[lt]", _) => query.before = Some(time(&value)?),
                ("created[lte]", _) => query.before = Some(time(&value)?.saturating_add(1)),
                ("types[]", EventStyle::Snapshot) | ("types", EventStyle::Thin) => {
                    query.types.push(value.into_owned());
                }
                ("delivery_success", EventStyle::Snapshot) => query.undelivered_only = value == "false",
                ("starting_after", EventStyle::Snapshot) => query.starting_after = Some(value.into_owned()),
                ("page", EventStyle::Thin) => {
                    query.page = Some(value.parse().map_err(|_| format!("bad page {value}"))?);
                }
                (other, _) => return Err(format!("unknown parameter {other}")),
            }
        }
        if style == EventStyle::Snapshot && query.types.len() > 20 {
            return Err(format!("{} types: at most 20", query.types.len()));
        }
        Ok(query)
    }

    fn selects(&self, event: &HistoryEvent, undelivered: &HashSet<String>) -> bool {
        self.from.is_none_or(|from| event.created >= from)
            && self.before.is_none_or(|before| event.created < before)
            && (self.types.is_empty() || self.types.contains(&event.event_type))
            && (!self.undelivered_only || undelivered.contains(&event.id))
    }
}

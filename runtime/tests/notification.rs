//! Parsing the envelope of both styles (thin notifications and classic snapshot events): required
//! fields, optional ones, and every way a body can fail to be a notification.

mod support;

use stripe_notify_runtime::notification::RawNotification;
use stripe_notify_runtime::{EventStyle, PayloadError};
use support::body;

fn parse(body: &[u8]) -> Result<RawNotification, PayloadError> {
    RawNotification::parse(body)
}

fn invalid_message(body: &[u8]) -> String {
    match parse(body) {
        Err(PayloadError::Invalid(message)) => message,
        other => panic!("expected an invalid payload error, got {other:?}"),
    }
}

#[test]
fn parses_the_envelope() {
    let b = body(
        "v1.billing.meter.error_report_triggered",
        r#","context":"acct_1","reason":{"type":"request","request":{"id":"req_1","idempotency_key":"ik_1"}},"related_object":{"id":"mtr_1","type":"billing.meter","url":"/v1/billing/meters/mtr_1"}"#,
    );
    let n = parse(&b).expect("valid notification");
    assert_eq!(n.id(), "evt_123");
    assert_eq!(n.event_type(), "v1.billing.meter.error_report_triggered");
    assert_eq!(n.created().to_string(), "2024-09-17T06:20:52.246Z");
    assert!(!n.livemode());
    assert_eq!(
        n.stripe_context().map(|c| c.to_string()).as_deref(),
        Some("acct_1")
    );
    let reason = n.reason().expect("reason");
    assert_eq!(reason.reason_type, "request");
    let request = reason.request.expect("request");
    assert_eq!((request.id, request.idempotency_key), ("req_1", Some("ik_1")));
    let related = n.related_object().expect("related object");
    assert_eq!(
        (related.id, related.object_type, related.url),
        (Some("mtr_1"), "billing.meter", "/v1/billing/meters/mtr_1")
    );
}

#[test]
fn fields_may_come_in_any_order() {
    let b = br#"{"related_object":{"url":"/v1/x/x_1","type":"x","id":"x_1"},"reason":{"request":{"idempotency_key":null,"id":"req_1"},"type":"request"},"created":"2024-01-01T00:00:00Z","context":"acct_1","type":"a.b","id":"evt_1"}"#;
    let n = parse(b).expect("valid");
    assert_eq!((n.id(), n.event_type()), ("evt_1", "a.b"));
    assert_eq!(
        n.stripe_context().map(|c| c.to_string()).as_deref(),
        Some("acct_1")
    );
    let request = n.reason().and_then(|reason| reason.request).expect("request");
    assert_eq!((request.id, request.idempotency_key), ("req_1", None));
    let related = n.related_object().expect("related object");
    assert_eq!((related.id, related.url), (Some("x_1"), "/v1/x/x_1"));
}

#[test]
fn escaped_strings_are_decoded() {
    let b = br#"{"id":"evt_\u0031","type":"a.b","created":"2024-01-01T00:00:00Z","context":"acct_\u0032","related_object":{"type":"x","url":"\/v1\/x"}}"#;
    let n = parse(b).expect("valid");
    assert_eq!(n.id(), "evt_1");
    assert_eq!(
        n.stripe_context().map(|c| c.to_string()).as_deref(),
        Some("acct_2")
    );
    assert_eq!(n.related_object().map(|related| related.url), Some("/v1/x"));
}

#[test]
fn object_may_be_absent_livemode_defaults_to_false() {
    let n = parse(br#"{"id":"evt_1","type":"a.b","created":"2024-01-01T00:00:00Z"}"#).expect("valid");
    assert!(!n.livemode());
    assert!(n.reason().is_none() && n.related_object().is_none() && n.stripe_context().is_none());
}

#[test]
fn null_objects_and_null_optional_strings_are_absent() {
    let b = body(
        "a.b",
        r#","reason":null,"related_object":{"id":null,"type":"balance","url":"/v1/balance"}"#,
    );
    let n = parse(&b).expect("valid");
    assert!(n.reason().is_none());
    assert_eq!(n.related_object().map(|related| related.id), Some(None));
    let b = body("a.b", r#","reason":{"type":"request","request":null}"#);
    let n = parse(&b).expect("valid");
    let reason = n.reason().expect("reason");
    assert_eq!((reason.reason_type, reason.request), ("request", None));
}

#[test]
fn required_nested_fields_and_repeated_keys_are_invalid() {
    for (extra, names) in [
        (r#","related_object":{"id":"x_1","type":"x"}"#, "`url`"),
        (r#","related_object":{"id":"x_1","url":"/v1/x"}"#, "`type`"),
        (r#","reason":{"request":{"id":"req_1"}}"#, "`type`"),
        (r#","reason":{"type":"request","request":{}}"#, "`id`"),
        (r#","context":"acct_1","context":"acct_2""#, "`context`"),
        (r#","livemode":true,"livemode":false"#, "`livemode`"),
        (r#","reason":null,"reason":null"#, "`reason`"),
        (
            r#","related_object":{"type":"x","type":"y","url":"/v1/x"}"#,
            "`type`",
        ),
        (r#","id":"evt_2""#, "`id`"),
    ] {
        let message = invalid_message(&body("a.b", extra));
        assert!(message.contains(names), "{extra}: {message}");
    }
    for (missing, without) in [
        ("`id`", r#"{"type":"a.b","created":"2024-01-01T00:00:00Z"}"#),
        ("`type`", r#"{"id":"evt_1","created":"2024-01-01T00:00:00Z"}"#),
        ("`created`", r#"{"id":"evt_1","type":"a.b"}"#),
    ] {
        let message = invalid_message(without.as_bytes());
        assert!(message.contains(missing), "{without}: {message}");
    }
}

#[test]
fn wrong_types_are_invalid() {
    for extra in [
        r#","context":5"#,
        r#","reason":"request""#,
        r#","related_object":[]"#,
        r#","related_object":{"id":5,"type":"x","url":"/v1/x"}"#,
        r#","reason":{"type":null}"#,
    ] {
        let message = invalid_message(&body("a.b", extra));
        assert!(message.contains("event notification"), "{extra}: {message}");
    }
}

#[test]
fn empty_null_and_absent_context_mean_none() {
    for extra in [r#","context":"""#, r#","context":null"#, ""] {
        let b = body("a.b", extra);
        assert!(parse(&b).expect("valid").stripe_context().is_none(), "{extra}");
    }
    let b = body("a.b", r#","context":"acct_1/acct_2""#);
    let context = parse(&b).expect("valid").stripe_context().expect("context");
    assert_eq!(context.segments().collect::<Vec<_>>(), ["acct_1", "acct_2"]);
}

#[test]
fn unknown_fields_are_ignored() {
    let b = body("a.b", r#","brand_new_field":{"nested":[1,2,3]},"data":{}"#);
    assert!(parse(&b).is_ok());
}

#[test]
fn body_not_utf8_is_invalid() {
    let message = invalid_message(b"{\"id\":\"evt_\xff\"}");
    assert!(message.contains("not UTF-8"), "{message}");
}

#[test]
fn body_not_json_is_invalid() {
    for garbage in [&b"not json"[..], b"", b"{", b"{\"id\":", b"\x00\x01"] {
        let message = invalid_message(garbage);
        assert!(message.contains("not JSON"), "{garbage:?}: {message}");
    }
}

#[test]
fn json_that_is_not_an_object_is_invalid() {
    for other in [&b"[]"[..], b"[1,2]", b"42", b"\"evt\"", b"null", b"true"] {
        let message = invalid_message(other);
        assert!(
            message.contains("not an event notification"),
            "{other:?}: {message}"
        );
    }
}

const SNAPSHOT: &str = r#"{"id":"evt_1","object":"event","account":"acct_9","api_version":"2026-09-30.endive","created":1700000000,"data":{"object":{"id":"in_1","object":"invoice","amount_paid":500,"lines":{"data":[{"id":"x","object":"line_item"}]}},"previous_attributes":{"status":"open"}},"livemode":true,"pending_webhooks":2,"request":{"id":"req_1","idempotency_key":"ik_1"},"type":"invoice.paid"}"#;

#[test]
fn a_classic_snapshot_event_parses_with_all_it_carries() {
    let n = parse(SNAPSHOT.as_bytes()).expect("a snapshot event");
    assert_eq!(n.style(), EventStyle::Snapshot);
    assert_eq!((n.id(), n.event_type()), ("evt_1", "invoice.paid"));
    assert_eq!(n.created().as_second(), 1_700_000_000);
    assert!(n.livemode());
    assert_eq!(n.account(), Some("acct_9"));
    assert_eq!(
        n.stripe_context().map(|c| c.to_string()).as_deref(),
        Some("acct_9")
    );
    assert_eq!(n.api_version(), Some("2026-09-30.endive"));
    assert_eq!((n.object_id(), n.object_type()), (Some("in_1"), Some("invoice")));
    let object: serde_json::Value = serde_json::from_str(n.object_json().unwrap()).unwrap();
    assert_eq!(object["amount_paid"], 500);
    assert_eq!(n.previous_attributes_json(), Some(r#"{"status":"open"}"#));
    assert_eq!(n.pending_webhooks(), 2);
    let request = n.request().unwrap();
    assert_eq!((request.id, request.idempotency_key), ("req_1", Some("ik_1")));
    assert!(n.reason().is_none());
    // Not a related object the catalog vouches for: no URL to fetch from.
    assert!(n.related_object().is_none());
    assert_eq!(n.body(), SNAPSHOT.as_bytes());
}

#[test]
fn a_snapshot_events_optional_fields_may_be_null_absent_or_old_style() {
    let b = br#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":{"object":{"object":"balance"},"previous_attributes":null},"request":"req_old","api_version":null,"account":null}"#;
    let n = parse(b).expect("valid");
    assert_eq!((n.account(), n.api_version()), (None, None));
    assert_eq!(n.request().map(|r| r.id), Some("req_old"));
    assert_eq!(n.previous_attributes_json(), None);
    assert_eq!((n.object_id(), n.object_type()), (None, Some("balance")));
    assert_eq!(n.pending_webhooks(), 0);
    let escaped = br#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":{"object":{"object":"inv\u006fice","id":"in_\"1\""}}}"#;
    let n = parse(escaped).expect("valid");
    assert_eq!(
        (n.object_id(), n.object_type()),
        (Some("in_\"1\""), Some("invoice"))
    );
}

#[test]
fn a_snapshot_event_needs_its_fields_in_their_types() {
    for (body, says) in [
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":1}"#,
            "missing field `data.object`",
        ),
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":{}}"#,
            "missing field `data.object`",
        ),
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":5}"#,
            "`data` must be an object",
        ),
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":{"object":[1]}}"#,
            "`data.object` must be an object",
        ),
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":"2024-01-01T00:00:00Z","data":{"object":{}}}"#,
            "Unix seconds",
        ),
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":{"object":{}},"account":7}"#,
            "`account` must be",
        ),
        (
            r#"{"id":"evt_1","object":"event","type":"a.b","created":1,"data":{"object":{}},"pending_webhooks":-1}"#,
            "`pending_webhooks`",
        ),
        (
            r#"{"id":"evt_1","object":"event","created":1,"data":{"object":{}}}"#,
            "missing field `type`",
        ),
        (
            r#"{"object":"event","type":"a.b","created":1,"data":{"object":{}}}"#,
            "missing field `id`",
        ),
    ] {
        let message = invalid_message(body.as_bytes());
        assert!(message.contains(says), "{body}: {message}");
    }
}

#[test]
fn a_thin_event_ignores_the_snapshot_fields_whatever_they_hold() {
    let b = body(
        "a.b",
        r#","data":5,"account":7,"request":[1],"pending_webhooks":"x","api_version":{},"previous_attributes":1"#,
    );
    let n = parse(&b).expect("unknown fields are ignored");
    assert_eq!(n.style(), EventStyle::Thin);
    assert_eq!((n.account(), n.object_json(), n.request()), (None, None, None));
}

#[test]
fn an_interop_thin_event_names_its_classic_twin() {
    let b = body("v1.invoice.paid", r#","snapshot_event":"evt_classic""#);
    let n = parse(&b).unwrap();
    assert_eq!(n.snapshot_event(), Some("evt_classic"));
    assert_eq!(n.occurrence_id(), "evt_classic");
    assert_eq!(parse(&body("a.b", "")).unwrap().occurrence_id(), "evt_123");
}

#[test]
fn other_objects_are_unexpected() {
    let customer = br#"{"id":"cus_1","object":"customer","email":"a@b.c"}"#;
    assert_eq!(
        parse(customer).err(),
        Some(PayloadError::UnexpectedObject("customer".into()))
    );
    let long = format!(r#"{{"object":"{}"}}"#, "x".repeat(10_000));
    match parse(long.as_bytes()) {
        Err(PayloadError::UnexpectedObject(object)) => assert!(object.len() <= 64),
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_required_fields_are_named() {
    for (field, b) in [
        ("id", r#"{"type":"a.b","created":"2024-01-01T00:00:00Z"}"#),
        ("type", r#"{"id":"evt_1","created":"2024-01-01T00:00:00Z"}"#),
        ("created", r#"{"id":"evt_1","type":"a.b"}"#),
    ] {
        let message = invalid_message(b.as_bytes());
        assert!(message.contains(&format!("missing field `{field}`")), "{message}");
    }
}

#[test]
fn created_must_be_rfc3339() {
    let message = invalid_message(br#"{"id":"evt_1","type":"a.b","created":"yesterday"}"#);
    assert!(message.contains("not an event notification"), "{message}");
    let seconds = invalid_message(br#"{"id":"evt_1","type":"a.b","created":1700000000}"#);
    assert!(seconds.contains("RFC 3339"), "{seconds}");
}

#[test]
fn livemode_must_be_a_bool() {
    for value in [r#""true""#, "1", "null"] {
        let b = String::from_utf8(body("a.b", ""))
            .expect("utf-8")
            .replace(r#""livemode":false"#, &format!(r#""livemode":{value}"#));
        assert!(parse(b.as_bytes()).is_err(), "livemode {value}");
    }
    let b = String::from_utf8(body("a.b", ""))
        .expect("utf-8")
        .replace("false", "true");
    assert!(parse(b.as_bytes()).expect("valid").livemode());
}

#[test]
fn strings_are_found_whatever_surrounds_them_and_whichever_are_escaped() {
    let padding = "x".repeat(10_000);
    let b = format!(
        r#"{{"before":"{padding}","id":"evt_1","type":"a.b","middle":"{padding}","created":"2024-01-01T00:00:00Z","context":"acct_\u0031","reason":{{"type":"request","request":{{"id":"req_\u0032","idempotency_key":"ik_3"}}}},"related_object":{{"id":"x_1","type":"x","url":"/v1/x/x_1"}},"after":"{padding}"}}"#
    );
    let n = parse(b.as_bytes()).expect("valid");
    assert_eq!((n.id(), n.event_type()), ("evt_1", "a.b"));
    assert_eq!(
        n.stripe_context().map(|c| c.to_string()).as_deref(),
        Some("acct_1")
    );
    let reason = n.reason().expect("reason");
    let request = reason.request.expect("request");
    assert_eq!(
        (reason.reason_type, request.id, request.idempotency_key),
        ("request", "req_2", Some("ik_3"))
    );
    let related = n.related_object().expect("related object");
    assert_eq!(
        (related.id, related.object_type, related.url),
        (Some("x_1"), "x", "/v1/x/x_1")
    );
}

#[test]
fn created_keeps_nanoseconds_of_a_longer_fraction() {
    let b = br#"{"id":"evt_1","type":"a.b","created":"2026-03-30T05:37:07.575123456789Z"}"#;
    let created = parse(b).expect("valid").created();
    assert_eq!(created.to_string(), "2026-03-30T05:37:07.575123456Z");
    let offset = br#"{"id":"evt_1","type":"a.b","created":"2026-03-30T07:37:07.5751234567+02:00"}"#;
    assert_eq!(parse(offset).expect("valid").created(), created);
}

//! Properties over arbitrary input: nothing panics, signatures hold exactly when they should,
//! and the parsers agree with serde_json and jiff.

mod support;

use proptest::prelude::*;
use serde_json::Value;
use stripe_notify_runtime::notification::RawNotification;
use stripe_notify_runtime::{
    FixedClock, HandleError, Handler, SignatureError, SignatureHeader, StripeClient, StripeContext, Verifier,
    WebhookSecret, sign,
};
use support::{SECRET, TestCatalog};

const NOW: i64 = 1_726_554_052;

fn verifier() -> Verifier {
    Verifier::new([&WebhookSecret::new(SECRET).unwrap()]).with_clock(FixedClock(NOW))
}

fn handler() -> Handler<TestCatalog> {
    Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .on(|_: stripe_notify_runtime::Notification<support::MeterErrorReportTriggered>, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .build()
}

/// Any JSON value, nested a few levels.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        prop_oneof![
            Just("v2.core.event"),
            Just("event"),
            Just("v1.billing.meter.error_report_triggered"),
            Just("2024-09-17T06:20:52.246Z"),
            Just("/v1/x")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("id".to_owned()),
            Just("object".to_owned()),
            Just("type".to_owned()),
            Just("created".to_owned()),
            Just("livemode".to_owned()),
            Just("context".to_owned()),
            Just("reason".to_owned()),
            Just("related_object".to_owned()),
            Just("url".to_owned()),
            Just("request".to_owned()),
            Just("detail".to_owned()),
            Just("specversion".to_owned()),
            Just("data".to_owned()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(keys, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_header_parser_never_panics(header in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = SignatureHeader::parse(&header);
        let _ = verifier().verify(b"{}", Some(&header));
    }

    #[test]
    fn header_like_strings_never_panic(header in "[tv01=, a-fA-F0-9\\-+]{0,160}") {
        let _ = verifier().verify(b"{}", Some(header.as_bytes()));
    }

    #[test]
    fn handle_never_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..400), header in ".{0,100}") {
        let handler = handler();
        let _ = handler.handle_blocking(&body, Some(header.as_bytes()));
        let _ = handler.handle_blocking(&body, Some(sign(&body, SECRET, NOW).as_bytes()));
        let _ = pollster::block_on(handler.handle_without_verification(&body));
    }

    #[test]
    fn arbitrary_json_gets_a_typed_answer(value in json()) {
        let body = value.to_string().into_bytes();
        let handler = handler();
        match handler.handle_blocking(&body, Some(sign(&body, SECRET, NOW).as_bytes())) {
            Ok(_) | Err(HandleError::Payload(_)) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
        let wrapped = serde_json::json!({"detail": value}).to_string().into_bytes();
        let _ = pollster::block_on(handler.handle_without_verification(&wrapped));
    }

    #[test]
    fn what_is_signed_verifies_within_tolerance(body in prop::collection::vec(any::<u8>(), 0..300), skew in -300i64..=300) {
        let header = sign(&body, SECRET, NOW + skew);
        prop_assert_eq!(verifier().verify(&body, Some(header.as_bytes())), Ok(()));
    }

    #[test]
    fn flipping_any_byte_of_body_timestamp_or_signature_fails(
        body in prop::collection::vec(any::<u8>(), 1..200),
        index in any::<prop::sample::Index>(),
        part in 0..3usize,
        flip in 1..=255u8,
    ) {
        let header = sign(&body, SECRET, NOW);
        let (mut body, mut header) = (body, header.into_bytes());
        match part {
            0 => {
                let i = index.index(body.len());
                body[i] ^= flip;
            }
            1 => {
                // A digit of `t=`, replaced by another digit (anything else is malformed anyway).
                let digits = 2..header.iter().position(|&b| b == b',').unwrap();
                let i = digits.start + index.index(digits.len());
                header[i] = b'0' + (header[i] - b'0' + flip % 9 + 1) % 10;
            }
            _ => {
                // A hex digit replaced by one of another value (a change of case is no change).
                let start = header.len() - 64;
                let i = start + index.index(64);
                let value = char::from(header[i]).to_digit(16).unwrap();
                let other = (value + u32::from(flip % 15) + 1) % 16;
                header[i] = char::from_digit(other, 16).unwrap() as u8;
            }
        }
        prop_assert!(verifier().verify(&body, Some(&header)).is_err());
    }

    #[test]
    fn another_secret_never_verifies(body in prop::collection::vec(any::<u8>(), 0..200), other in "whsec_[a-z0-9]{1,20}") {
        prop_assume!(other != SECRET);
        let header = sign(&body, &other, NOW);
        prop_assert_eq!(verifier().verify(&body, Some(header.as_bytes())), Err(SignatureError::NoMatch));
    }

    #[test]
    fn stripe_context_round_trips(segments in prop::collection::vec("acct_[A-Za-z0-9]{1,16}", 1..5)) {
        let text = segments.join("/");
        let context = StripeContext::parse(&text).unwrap();
        prop_assert_eq!(context.to_string(), text.clone());
        prop_assert_eq!(context.segments().collect::<Vec<_>>(), segments.iter().map(String::as_str).collect::<Vec<_>>());
        let pushed = context.push("acct_child");
        prop_assert_eq!(pushed.pop(), Some(context));
    }

    #[test]
    fn the_notification_parser_accepts_only_what_serde_json_accepts(body in prop::collection::vec(any::<u8>(), 0..200)) {
        if RawNotification::parse(&body).is_ok() {
            prop_assert!(serde_json::from_slice::<Value>(&body).is_ok());
        }
    }

    #[test]
    fn the_notification_parser_agrees_on_json_validity(value in json(), cut in any::<prop::sample::Index>()) {
        let text = value.to_string();
        let truncated = &text.as_bytes()[..cut.index(text.len() + 1)];
        let ours = RawNotification::parse(truncated);
        let theirs = serde_json::from_slice::<Value>(truncated);
        if theirs.is_err() {
            prop_assert!(ours.is_err());
        }
        if ours.is_ok() {
            prop_assert!(theirs.is_ok());
        }
    }

    #[test]
    fn created_is_read_as_jiff_reads_it(seconds in -62_135_596_800i64..253_402_200_000, nanos in 0..1_000_000_000i32, precision in 0..=9usize) {
        let timestamp = jiff::Timestamp::new(seconds, nanos).unwrap();
        let text = format!("{timestamp:.precision$}");
        let body = format!(r#"{{"id":"evt_1","type":"a.b","created":"{text}"}}"#);
        let parsed = RawNotification::parse(body.as_bytes()).map(|raw| raw.created());
        prop_assert_eq!(parsed.ok(), text.parse::<jiff::Timestamp>().ok());
    }

    #[test]
    fn created_keeps_the_first_nine_fraction_digits(
        seconds in -62_135_596_800i64..253_402_200_000,
        nanos in 0..1_000_000_000i32,
        extra in "[0-9]{1,12}",
        offset in prop_oneof![Just("Z"), Just("+00:00"), Just("z")],
    ) {
        let timestamp = jiff::Timestamp::new(seconds, nanos).unwrap();
        let nine = format!("{timestamp:.9}");
        let longer = format!("{}{extra}{offset}", nine.trim_end_matches('Z'));
        let body = format!(r#"{{"id":"evt_1","type":"a.b","created":"{longer}"}}"#);
        let parsed = RawNotification::parse(body.as_bytes()).map(|raw| raw.created());
        prop_assert_eq!(parsed.ok(), Some(timestamp), "{}", longer);
    }
}

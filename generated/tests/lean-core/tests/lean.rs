//! Verify, parse and route with `handle_blocking`, on the lean core.

use lean_core_user::{Seen, answer, handler};
use stripe_notify::{HandleError, SignatureError, sign, unix_now};

const SECRET: &str = "whsec_lean";

fn meter(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2026-10-01T00:00:00.000Z","context":"acct_1","related_object":{{"id":"mtr_1","type":"billing.meter","url":"/v1/billing/meters/mtr_1"}}}}"#
    )
}

#[test]
fn signed_notifications_reach_their_callback_or_the_fallback() {
    let seen = Seen::default();
    let handler = handler(SECRET, &seen).unwrap();
    let unknown = r#"{"id":"evt_2","object":"v2.core.event","type":"v9.brand_new.thing","created":"2026-10-01T00:00:00Z","context":"acct_1/acct_2"}"#;
    // A classic snapshot event from a webhook endpoint, on a connected account.
    let snapshot = r#"{"id":"evt_3","object":"event","account":"acct_9","created":1790000000,"data":{"object":{"id":"in_1","object":"invoice"}},"type":"invoice.paid"}"#;
    for body in [meter("evt_1"), unknown.to_owned(), snapshot.to_owned()] {
        let signature = sign(body.as_bytes(), SECRET, unix_now());
        let outcome = handler.handle_blocking(body.as_bytes(), Some(signature.as_str()));
        assert_eq!(answer(&outcome), 200, "{outcome:?}");
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "meter mtr_1 of evt_1",
            r#"fallback v9.brand_new.thing known=false context=Some("acct_1/acct_2")"#,
            r#"fallback invoice.paid known=true context=Some("acct_9")"#,
        ]
    );
}

#[test]
fn forged_and_malformed_requests_are_refused_before_any_callback() {
    let seen = Seen::default();
    let handler = handler(SECRET, &seen).unwrap();
    let body = meter("evt_1");
    let forged = sign(body.as_bytes(), "whsec_other", unix_now());
    let outcome = handler.handle_blocking(body.as_bytes(), Some(forged.as_str()));
    assert!(
        matches!(outcome, Err(HandleError::Signature(SignatureError::NoMatch))),
        "{outcome:?}"
    );
    assert_eq!(answer(&outcome), 400);
    let garbage = b"not json";
    let signature = sign(garbage, SECRET, unix_now());
    let outcome = handler.handle_blocking(garbage, Some(signature.as_str()));
    assert!(matches!(outcome, Err(HandleError::Payload(_))), "{outcome:?}");
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn a_blank_secret_is_refused() {
    assert!(handler(" ", &Seen::default()).is_err());
}

/// With `typed`: async-stripe's invoice, named through stripe-notify, reads Stripe's fixture.
#[cfg(feature = "typed")]
#[test]
fn async_stripe_types_are_named_through_stripe_notify() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../spec/fixtures3.json");
    let fixtures: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let invoice: stripe_notify::async_stripe::shared::Invoice =
        serde_json::from_value(fixtures["resources"]["invoice"].clone()).unwrap();
    assert_eq!(invoice.amount_due, 1000);
}

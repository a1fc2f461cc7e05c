//! Routing: callbacks, fallback, pre_handle, errors, registration rules, unverified envelopes.

mod support;

use std::sync::{Arc, Mutex};

use stripe_notify_runtime::{
    ConfigError, FixedClock, HandleError, Handled, Handler, HandlerBuilder, Notification, PayloadError,
    SignatureError, StripeClient, StripeContext, UnhandledNotificationDetails, UnknownEventNotification,
    sign,
};
use support::{
    AccountLinkReturned, BalanceAvailable, METER_RELATED, MeterErrorReportTriggered, SECRET, TestCatalog,
    body,
};

const NOW: i64 = 1_726_554_052;

/// What callbacks saw, in order.
type Log = Arc<Mutex<Vec<String>>>;

fn builder(log: &Log) -> HandlerBuilder<TestCatalog> {
    let log = Arc::clone(log);
    Handler::<TestCatalog>::builder(
        StripeClient::new("sk_test_123"),
        SECRET,
        move |notification: UnknownEventNotification,
              client: StripeClient,
              details: UnhandledNotificationDetails| {
            log.lock().unwrap().push(format!(
                "fallback {} known={} context={:?} related={:?}",
                notification.event_type(),
                details.is_known_event_type,
                client.context().map(ToString::to_string),
                notification.related_object().map(|r| (r.id, r.object_type)),
            ));
            async { Ok(()) }
        },
    )
    .expect("valid secret")
    .clock(FixedClock(NOW))
}

fn meter_callback(
    log: &Log,
) -> impl Fn(
    Notification<MeterErrorReportTriggered>,
    StripeClient,
) -> std::future::Ready<stripe_notify_runtime::CallbackResult>
+ Send
+ Sync
+ 'static {
    let log = Arc::clone(log);
    move |notification, client| {
        log.lock().unwrap().push(format!(
            "meter {} {} {} context={:?}",
            notification.id(),
            notification.related_object().id,
            notification.related_object().url,
            client.context().map(ToString::to_string),
        ));
        std::future::ready(Ok(()))
    }
}

async fn handle(handler: &Handler<TestCatalog>, body: &[u8]) -> Result<Handled, HandleError> {
    let header = sign(body, SECRET, NOW);
    handler.handle(body, Some(&header)).await
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[tokio::test]
async fn registered_type_runs_its_callback_once() {
    let log = Log::default();
    let handler = builder(&log).on(meter_callback(&log)).unwrap().build();
    let b = body(
        "v1.billing.meter.error_report_triggered",
        &format!(r#","context":"acct_1"{METER_RELATED}"#),
    );
    assert_eq!(handle(&handler, &b).await.unwrap(), Handled::Callback);
    assert_eq!(
        entries(&log),
        ["meter evt_123 mtr_123 /v1/billing/meters/mtr_123 context=Some(\"acct_1\")"]
    );
}

#[tokio::test]
async fn known_unregistered_type_goes_to_the_fallback_as_known() {
    let log = Log::default();
    let handler = builder(&log).on(meter_callback(&log)).unwrap().build();
    let b = body(
        "v1.balance.available",
        r#","related_object":{"type":"balance","url":"/v1/balance"}"#,
    );
    assert_eq!(
        handle(&handler, &b).await.unwrap(),
        Handled::Fallback(UnhandledNotificationDetails {
            is_known_event_type: true
        })
    );
    assert_eq!(
        entries(&log),
        ["fallback v1.balance.available known=true context=None related=Some((None, \"balance\"))"]
    );
}

#[tokio::test]
async fn unknown_type_goes_to_the_fallback_as_unknown_with_its_related_object() {
    let log = Log::default();
    let handler = builder(&log).build();
    let b = body(
        "v9.brand_new.thing_happened",
        r#","related_object":{"id":"thing_1","type":"v9.thing","url":"/v9/things/thing_1"},"data":{"x":1}"#,
    );
    assert_eq!(
        handle(&handler, &b).await.unwrap(),
        Handled::Fallback(UnhandledNotificationDetails {
            is_known_event_type: false
        })
    );
    assert_eq!(
        entries(&log),
        [
            "fallback v9.brand_new.thing_happened known=false context=None related=Some((Some(\"thing_1\"), \"v9.thing\"))"
        ]
    );
}

#[tokio::test]
async fn related_object_shapes_are_typed_per_kind() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s1, s2) = (Arc::clone(&seen), Arc::clone(&seen));
    let handler = builder(&Log::default())
        .on(move |n: Notification<BalanceAvailable>, _| {
            s1.lock().unwrap().push(format!(
                "singleton {} {}",
                n.related_object().object_type,
                n.related_object().url
            ));
            async { Ok(()) }
        })
        .unwrap()
        .on(move |n: Notification<AccountLinkReturned>, _| {
            s2.lock().unwrap().push(format!("none {:?}", n.related_object()));
            async { Ok(()) }
        })
        .unwrap()
        .build();
    let singleton = body(
        "v1.balance.available",
        r#","related_object":{"id":null,"type":"balance","url":"/v1/balance"}"#,
    );
    handle(&handler, &singleton).await.unwrap();
    handle(&handler, &body("v2.core.account_link.returned", ""))
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["singleton balance /v1/balance", "none ()"]
    );
}

#[tokio::test]
async fn a_full_related_object_kind_without_an_id_is_an_invalid_payload() {
    let log = Log::default();
    let handler = builder(&log).on(meter_callback(&log)).unwrap().build();
    let b = body(
        "v1.billing.meter.error_report_triggered",
        r#","related_object":{"type":"billing.meter","url":"/v1/billing/meters"}"#,
    );
    assert!(
        matches!(handle(&handler, &b).await, Err(HandleError::Payload(PayloadError::Invalid(m))) if m.contains("related_object.id"))
    );
    assert!(entries(&log).is_empty());
}

#[tokio::test]
async fn pre_handle_false_stops_callbacks_and_fallback() {
    let log = Log::default();
    let pre_log = Arc::clone(&log);
    let handler = builder(&log)
        .on(meter_callback(&log))
        .unwrap()
        .pre_handle(move |n: UnknownEventNotification, _| {
            pre_log.lock().unwrap().push(format!("pre {}", n.event_type()));
            async { Ok(false) }
        })
        .unwrap()
        .build();
    let meter = body("v1.billing.meter.error_report_triggered", METER_RELATED);
    assert_eq!(handle(&handler, &meter).await.unwrap(), Handled::Skipped);
    assert_eq!(
        handle(&handler, &body("v9.unknown", "")).await.unwrap(),
        Handled::Skipped
    );
    assert_eq!(
        entries(&log),
        ["pre v1.billing.meter.error_report_triggered", "pre v9.unknown"]
    );
}

#[tokio::test]
async fn pre_handle_true_lets_the_callback_run() {
    let log = Log::default();
    let handler = builder(&log)
        .on(meter_callback(&log))
        .unwrap()
        .pre_handle(|_, _| async { Ok(true) })
        .unwrap()
        .build();
    let meter = body("v1.billing.meter.error_report_triggered", METER_RELATED);
    assert_eq!(handle(&handler, &meter).await.unwrap(), Handled::Callback);
    assert_eq!(entries(&log).len(), 1);
}

#[derive(Debug, thiserror::Error)]
#[error("the ledger is down")]
struct LedgerDown;

#[tokio::test]
async fn callback_errors_come_back_unchanged() {
    let handler = builder(&Log::default())
        .on(|_: Notification<MeterErrorReportTriggered>, _| async { Err(LedgerDown.into()) })
        .unwrap()
        .build();
    let meter = body("v1.billing.meter.error_report_triggered", METER_RELATED);
    match handle(&handler, &meter).await {
        Err(HandleError::Callback(error)) => assert!(error.downcast_ref::<LedgerDown>().is_some()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn fallback_and_pre_handle_errors_come_back() {
    let handler = Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async {
        Err(LedgerDown.into())
    })
    .unwrap()
    .clock(FixedClock(NOW))
    .build();
    assert!(
        matches!(handle(&handler, &body("v9.x", "")).await, Err(HandleError::Callback(e)) if e.is::<LedgerDown>())
    );

    let handler = builder(&Log::default())
        .pre_handle(|_, _| async { Err(LedgerDown.into()) })
        .unwrap()
        .build();
    assert!(
        matches!(handle(&handler, &body("v9.x", "")).await, Err(HandleError::PreHandle(e)) if e.is::<LedgerDown>())
    );
}

#[test]
fn duplicate_registration_and_second_pre_handle_are_errors() {
    let log = Log::default();
    let result = builder(&log)
        .on(meter_callback(&log))
        .unwrap()
        .on(meter_callback(&log));
    assert_eq!(
        result.err().map(|e| e.to_string()),
        Some(ConfigError::DuplicateCallback("v1.billing.meter.error_report_triggered").to_string())
    );
    let result = builder(&log)
        .pre_handle(|_, _| async { Ok(true) })
        .unwrap()
        .pre_handle(|_, _| async { Ok(true) });
    assert!(matches!(result.err(), Some(ConfigError::DuplicatePreHandle)));
}

#[test]
fn blank_secret_is_rejected_when_building() {
    let result =
        Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), "  ", |_, _, _| async { Ok(()) });
    assert!(matches!(result.err(), Some(ConfigError::BlankSecret)));
    assert!(matches!(
        builder(&Log::default()).add_secret("").err(),
        Some(ConfigError::BlankSecret)
    ));
}

#[test]
fn registered_event_types_are_sorted() {
    let handler = builder(&Log::default())
        .on(|_: Notification<AccountLinkReturned>, _| async { Ok(()) })
        .unwrap()
        .on(|_: Notification<MeterErrorReportTriggered>, _| async { Ok(()) })
        .unwrap()
        .on(|_: Notification<BalanceAvailable>, _| async { Ok(()) })
        .unwrap()
        .build();
    let types = handler.registered_event_types();
    let mut sorted = types.clone();
    sorted.sort_unstable();
    assert_eq!(types, sorted);
    assert_eq!(types.len(), 3);
}

#[tokio::test]
async fn verification_failures_stop_before_any_callback() {
    let log = Log::default();
    let handler = builder(&log).on(meter_callback(&log)).unwrap().build();
    let meter = body("v1.billing.meter.error_report_triggered", METER_RELATED);
    let forged = sign(&meter, "whsec_forged", NOW);
    assert!(matches!(
        handler.handle(&meter, Some(forged.as_str())).await,
        Err(HandleError::Signature(SignatureError::NoMatch))
    ));
    assert!(matches!(
        handler.handle(&meter, None::<&str>).await,
        Err(HandleError::Signature(SignatureError::MissingHeader))
    ));
    assert!(entries(&log).is_empty());
}

#[tokio::test]
async fn a_verified_body_that_is_not_utf8_is_an_invalid_payload() {
    let handler = builder(&Log::default()).build();
    let b = b"{\"id\":\"\xff\"}";
    assert!(matches!(
        handle(&handler, b).await,
        Err(HandleError::Payload(PayloadError::Invalid(_)))
    ));
}

#[tokio::test]
async fn callbacks_get_a_client_bound_to_the_event_context_and_none_without() {
    let contexts = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&contexts);
    let base = StripeClient::new("sk_test_1").with_stripe_context(StripeContext::parse("acct_base"));
    let handler = Handler::<TestCatalog>::builder(base, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .on(
            move |n: Notification<MeterErrorReportTriggered>, client: StripeClient| {
                seen.lock().unwrap().push((
                    client.context().map(ToString::to_string),
                    n.client().context().map(ToString::to_string),
                    n.context().as_ref().map(ToString::to_string),
                ));
                async { Ok(()) }
            },
        )
        .unwrap()
        .build();
    let with = body(
        "v1.billing.meter.error_report_triggered",
        &format!(r#","context":"acct_1/acct_2"{METER_RELATED}"#),
    );
    let without = body("v1.billing.meter.error_report_triggered", METER_RELATED);
    handle(&handler, &with).await.unwrap();
    handle(&handler, &without).await.unwrap();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        *contexts.lock().unwrap(),
        [
            (
                some("acct_1/acct_2"),
                some("acct_1/acct_2"),
                some("acct_1/acct_2")
            ),
            (None, None, None)
        ]
    );
}

#[tokio::test]
async fn eventbridge_and_event_grid_envelopes_are_unwrapped_without_verification() {
    let log = Log::default();
    let handler = builder(&log).on(meter_callback(&log)).unwrap().build();
    let thin = String::from_utf8(body("v1.billing.meter.error_report_triggered", METER_RELATED)).unwrap();
    let eventbridge = format!(
        r#"{{"version":"0","id":"eb-1","detail-type":"v1.billing.meter.error_report_triggered","source":"aws.partner/stripe.com/ed_1","account":"1","time":"2024-09-17T06:20:52Z","region":"us-west-2","resources":[],"detail":{thin}}}"#
    );
    let event_grid = format!(
        r#"{{"specversion":"1.0","id":"eg-1","source":"stripe","type":"v1.billing.meter.error_report_triggered","data":{thin}}}"#
    );
    for body in [eventbridge.as_str(), event_grid.as_str(), thin.as_str()] {
        assert_eq!(
            handler
                .handle_without_verification(body.as_bytes())
                .await
                .unwrap(),
            Handled::Callback
        );
    }
    assert_eq!(entries(&log).len(), 3);

    for unrecognized in [r#"{"hello":"world"}"#, "[]", r#"{"specversion":"1.0"}"#] {
        assert!(
            matches!(
                handler.handle_without_verification(unrecognized.as_bytes()).await,
                Err(HandleError::Payload(PayloadError::UnrecognizedFormat))
            ),
            "{unrecognized}"
        );
    }
    assert!(matches!(
        handler.handle_without_verification(b"not json").await,
        Err(HandleError::Payload(PayloadError::Invalid(_)))
    ));
}

#[test]
fn handler_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Handler<TestCatalog>>();
}

#[test]
fn stripe_context_push_pop_display() {
    let context = StripeContext::parse("acct_1").unwrap();
    let child = context.push("acct_2");
    assert_eq!(child.to_string(), "acct_1/acct_2");
    assert_eq!(child.pop(), Some(context.clone()));
    assert_eq!(context.pop(), None);
    assert_eq!(StripeContext::parse(""), None);
}

#[test]
fn debug_output_never_shows_secrets() {
    let handler = Handler::<TestCatalog>::builder(
        StripeClient::new("sk_test_topsecretkey"),
        "whsec_topsecretwebhook",
        |_, _, _| async { Ok(()) },
    )
    .unwrap()
    .build();
    let text = format!("{handler:?}");
    assert!(!text.contains("topsecret"), "{text}");
    assert!(text.contains("sk_test_<redacted>"), "{text}");
}

/// Bodies whose `related_object` breaks what a type with one requires.
const RELATED_VIOLATIONS: &[&str] = &[
    "",
    r#","related_object":null"#,
    r#","related_object":[]"#,
    r#","related_object":"mtr_1""#,
    r#","related_object":{"id":5,"type":"billing.meter","url":"/v1/billing/meters/mtr_1"}"#,
    r#","related_object":{"id":"mtr_1","type":"billing.meter"}"#,
    r#","related_object":{"id":"mtr_1","type":null,"url":"/v1/billing/meters/mtr_1"}"#,
    r#","related_object":{"id":"mtr_1","type":"billing.meter","url":{"path":"/v1"}}"#,
    r#","related_object":{"id":"mtr_1","type":"billing.meter","type":"x","url":"/v1/x"}"#,
];

#[tokio::test]
async fn a_known_type_gets_one_verdict_whether_or_not_a_callback_is_registered() {
    let log = Log::default();
    let pre = Arc::clone(&log);
    let with_callbacks = builder(&log)
        .on(meter_callback(&log))
        .unwrap()
        .on(|_: Notification<BalanceAvailable>, _| async { Ok(()) })
        .unwrap()
        .pre_handle(move |n: UnknownEventNotification, _| {
            pre.lock().unwrap().push(format!("pre {}", n.event_type()));
            async { Ok(true) }
        })
        .unwrap()
        .build();
    let without_callbacks = builder(&log).build();
    for event_type in ["v1.billing.meter.error_report_triggered", "v1.balance.available"] {
        for violation in RELATED_VIOLATIONS {
            let b = body(event_type, violation);
            for handler in [&with_callbacks, &without_callbacks] {
                let outcome = handle(handler, &b).await;
                assert!(
                    matches!(outcome, Err(HandleError::Payload(PayloadError::Invalid(_)))),
                    "{event_type} {violation}: {outcome:?}"
                );
            }
        }
    }
    let meter_without_id = body(
        "v1.billing.meter.error_report_triggered",
        r#","related_object":{"id":null,"type":"billing.meter","url":"/v1/billing/meters"}"#,
    );
    for handler in [&with_callbacks, &without_callbacks] {
        assert!(handle(handler, &meter_without_id).await.is_err());
    }
    assert!(
        entries(&log).is_empty(),
        "nothing ran, pre_handle included: {:?}",
        entries(&log)
    );
}

#[tokio::test]
async fn a_type_without_a_related_object_ignores_whatever_related_object_is_sent() {
    let log = Log::default();
    let callback_log = Arc::clone(&log);
    let with_callback = builder(&log)
        .on(move |n: Notification<AccountLinkReturned>, _| {
            callback_log
                .lock()
                .unwrap()
                .push(format!("callback {:?}", n.related_object()));
            async { Ok(()) }
        })
        .unwrap()
        .build();
    let without_callback = builder(&log).build();
    for violation in RELATED_VIOLATIONS
        .iter()
        .chain([&r#","related_object":{"id":"x_1","type":"x","url":"/v1/x"}"#])
    {
        let b = body("v2.core.account_link.returned", violation);
        assert_eq!(
            handle(&with_callback, &b).await.unwrap(),
            Handled::Callback,
            "{violation}"
        );
        assert!(handle(&without_callback, &b).await.is_ok(), "{violation}");
    }
    let fallbacks = entries(&log)
        .into_iter()
        .filter(|line| line.starts_with("fallback"))
        .collect::<Vec<_>>();
    assert_eq!(fallbacks.len(), RELATED_VIOLATIONS.len() + 1);
    assert!(
        fallbacks.iter().all(|line| line.ends_with("related=None")),
        "the fallback does not see a field the type does not define: {fallbacks:?}"
    );
}

#[tokio::test]
async fn an_unknown_type_may_lack_a_related_object_but_not_have_a_malformed_one() {
    let log = Log::default();
    let handler = builder(&log).build();
    for (violation, valid) in RELATED_VIOLATIONS
        .iter()
        .zip([true, true])
        .chain(RELATED_VIOLATIONS.iter().skip(2).zip(std::iter::repeat(false)))
    {
        let outcome = handle(&handler, &body("v9.brand_new.thing_happened", violation)).await;
        assert_eq!(outcome.is_ok(), valid, "{violation}: {outcome:?}");
    }
}

//! The generated crate end to end: signed payloads of real event types reach their typed
//! callbacks; fetched events deserialize into the typed `data`; new enum values parse.

use std::sync::{Arc, Mutex};

use stripe_notify::{
    Catalog, EventCatalog, EventNotificationHandler, FixedClock, Handled, KNOWN_EVENT_TYPES, KnownEventKind,
    RegisterCallbacks, StripeClient, UnhandledNotificationDetails, V1BillingMeterErrorReportTriggered,
    V1BillingMeterErrorReportTriggeredEvent,
    V1BillingMeterErrorReportTriggeredEventDataReasonErrorTypesItemCode as ErrorCode,
    V2CoreAccountIncludingConfigurationCustomerUpdated, V2MoneyManagementOutboundPaymentPosted, sign,
};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_726_554_052;

fn notification(event_type: &str, related: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"evt_1","object":"v2.core.event","type":"{event_type}","livemode":false,"created":"2024-09-17T06:20:52.246Z","context":"acct_1"{related}}}"#
    )
    .into_bytes()
}

fn related(id: &str, object_type: &str, url: &str) -> String {
    format!(r#","related_object":{{"id":"{id}","type":"{object_type}","url":"{url}"}}"#)
}

#[tokio::test]
async fn signed_payloads_reach_their_typed_callbacks() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (s1, s2, s3, s4) = (seen.clone(), seen.clone(), seen.clone(), seen.clone());
    let handler = EventNotificationHandler::builder(
        StripeClient::new("sk_test_1"),
        SECRET,
        move |n, _, d: UnhandledNotificationDetails| {
            s4.lock().unwrap().push(format!(
                "fallback {} known={}",
                n.event_type(),
                d.is_known_event_type
            ));
            async { Ok(()) }
        },
    )
    .unwrap()
    .clock(FixedClock(NOW))
    .on_v1_billing_meter_error_report_triggered(move |n, _| {
        s1.lock().unwrap().push(format!(
            "meter {} {}",
            n.related_object().id,
            n.related_object().url
        ));
        async { Ok(()) }
    })
    .unwrap()
    .on_v2_core_account_including_configuration_customer_updated(move |n, client| {
        s2.lock().unwrap().push(format!(
            "account {} {} {:?}",
            n.event_type(),
            n.related_object().id,
            client.context().map(|c| c.to_string())
        ));
        async { Ok(()) }
    })
    .unwrap()
    .on_v2_money_management_outbound_payment_posted(move |n, _| {
        s3.lock().unwrap().push(format!(
            "payment {} {}",
            n.related_object().object_type,
            n.related_object().id
        ));
        async { Ok(()) }
    })
    .unwrap()
    .build();

    let bodies = [
        notification(
            "v1.billing.meter.error_report_triggered",
            &related("mtr_1", "billing.meter", "/v1/billing/meters/mtr_1"),
        ),
        notification(
            "v2.core.account[configuration.customer].updated",
            &related("acct_2", "v2.core.account", "/v2/core/accounts/acct_2"),
        ),
        notification(
            "v2.money_management.outbound_payment.posted",
            &related(
                "obp_1",
                "v2.money_management.outbound_payment",
                "/v2/money_management/outbound_payments/obp_1",
            ),
        ),
        notification("v1.billing.meter.no_meter_found", ""),
        notification("v3.future.thing", ""),
    ];
    let mut outcomes = Vec::new();
    for body in &bodies {
        let header = sign(body, SECRET, NOW);
        outcomes.push(handler.handle(body, Some(header.as_str())).await.unwrap());
    }
    assert_eq!(
        outcomes,
        [
            Handled::Callback,
            Handled::Callback,
            Handled::Callback,
            Handled::Fallback(UnhandledNotificationDetails {
                is_known_event_type: true
            }),
            Handled::Fallback(UnhandledNotificationDetails {
                is_known_event_type: false
            }),
        ]
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "meter mtr_1 /v1/billing/meters/mtr_1",
            "account v2.core.account[configuration.customer].updated acct_2 Some(\"acct_1\")",
            "payment v2.money_management.outbound_payment obp_1",
            "fallback v1.billing.meter.no_meter_found known=true",
            "fallback v3.future.thing known=false",
        ]
    );
    assert_eq!(
        handler.registered_event_types(),
        [
            V1BillingMeterErrorReportTriggered::EVENT_TYPE,
            V2CoreAccountIncludingConfigurationCustomerUpdated::EVENT_TYPE,
            V2MoneyManagementOutboundPaymentPosted::EVENT_TYPE,
        ]
    );
}

#[test]
fn the_catalog_knows_all_279_thin_types_and_52_snapshot_only_ones_in_order() {
    // The union of the three specs: 240 GA types, and 39 more from the v2 preview spec; and the
    // 52 classic types with no thin twin.
    assert_eq!(KNOWN_EVENT_TYPES.len(), 279 + 52);
    assert_eq!(Catalog::EVENTS.iter().filter(|info| info.thin).count(), 279);
    assert!(
        KNOWN_EVENT_TYPES.windows(2).all(|w| w[0] < w[1]),
        "sorted and unique"
    );
    for (index, event_type) in KNOWN_EVENT_TYPES.iter().enumerate() {
        assert_eq!(Catalog::index_of(event_type), Some(index), "{event_type}");
    }
    assert_eq!(
        Catalog::index_of("v1.billing.meter.error_report_triggered "),
        None
    );
    assert_eq!(
        Catalog::index_of(V1BillingMeterErrorReportTriggered::EVENT_TYPE),
        Some(V1BillingMeterErrorReportTriggered::INDEX)
    );
    // The first spec's version, `Stripe-Version`.
    assert_eq!(stripe_notify::API_VERSION, "2026-09-30.endive");
}

const FETCHED_METER_EVENT: &str = r#"{
  "id": "evt_test_65R9Ijk8Z4l0ICiY2Ld16RS8v1oMIeFBgxfFPXkvY5UY",
  "object": "v2.core.event",
  "type": "v1.billing.meter.error_report_triggered",
  "created": "2024-09-17T06:20:52.246Z",
  "livemode": false,
  "context": "acct_1PGlswJ7lanVTnAx",
  "related_object": {"id": "mtr_test_61R9IjkCGSWIXLMaL41FBgxfFPXkvDwu", "type": "billing.meter", "url": "/v1/billing/meters/mtr_test_61R9IjkCGSWIXLMaL41FBgxfFPXkvDwu"},
  "reason": {"type": "request", "request": {"id": "req_v2KmtZjkLQRMHcAtL", "idempotency_key": "f5b3c0d2"}},
  "data": {
    "developer_message_summary": "There is 1 invalid event",
    "validation_start": "2024-09-17T06:10:00Z",
    "validation_end": "2024-09-17T06:20:00.5Z",
    "reason": {
      "error_count": 1,
      "error_types": [
        {
          "code": "meter_event_no_customer_defined",
          "error_count": 1,
          "sample_errors": [
            {"error_message": "Customer mapping key stripe_customer_id not found in payload.", "request": {"identifier": "idem_1"}}
          ]
        },
        {"code": "a_code_stripe_added_later", "error_count": 0, "sample_errors": []}
      ]
    }
  }
}"#;

#[test]
fn a_fetched_event_deserializes_into_its_typed_data() {
    let event: V1BillingMeterErrorReportTriggeredEvent = serde_json::from_str(FETCHED_METER_EVENT).unwrap();
    assert_eq!(event.data.developer_message_summary, "There is 1 invalid event");
    assert_eq!(event.data.validation_end.to_string(), "2024-09-17T06:20:00.5Z");
    let first = &event.data.reason.error_types[0];
    assert_eq!(first.code, ErrorCode::MeterEventNoCustomerDefined);
    assert_eq!(first.sample_errors[0].request.identifier, "idem_1");
    assert_eq!(
        event.context.map(|c| c.to_string()).as_deref(),
        Some("acct_1PGlswJ7lanVTnAx")
    );
}

#[test]
fn an_enum_value_the_spec_does_not_list_parses_as_unknown() {
    let event: V1BillingMeterErrorReportTriggeredEvent = serde_json::from_str(FETCHED_METER_EVENT).unwrap();
    let code = &event.data.reason.error_types[1].code;
    assert_eq!(code, &ErrorCode::Unknown("a_code_stripe_added_later".into()));
    assert_eq!(code.as_str(), "a_code_stripe_added_later");
    assert_eq!(
        serde_json::to_string(code).unwrap(),
        r#""a_code_stripe_added_later""#
    );
    assert_eq!(
        serde_json::to_string(&ErrorCode::NoMeter).unwrap(),
        r#""no_meter""#
    );
}

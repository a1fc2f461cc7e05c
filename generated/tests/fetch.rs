//! Typed fetches with the generated types: events of three types and resources of two, built
//! from the spec's own schemas, served by a fake Stripe on loopback.

mod support;

use std::sync::{Arc, Mutex};

use stripe_notify::testing::FakeStripe;
use stripe_notify::{
    EventNotificationHandler, FixedClock, RegisterCallbacks, StripeClient,
    V2CoreAccountAppliedConfigurationsItem, V2MoneyManagementOutboundPaymentStatus, sign,
};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_726_554_052;

fn notification(id: &str, event_type: &str, related: Option<(&str, &str, &str)>) -> Vec<u8> {
    let related = related.map_or_else(String::new, |(id, t, url)| {
        format!(r#","related_object":{{"id":"{id}","type":"{t}","url":"{url}"}}"#)
    });
    format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"{event_type}","livemode":false,"created":"2025-01-02T03:04:05.000Z","context":"acct_1"{related}}}"#
    )
    .into_bytes()
}

fn event(id: &str, event_type: &str, data: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"{event_type}","livemode":false,"created":"2025-01-02T03:04:05.000Z","data":{data}}}"#
    )
}

const ACCOUNT: &str = r#"{
  "id": "acct_2",
  "object": "v2.core.account",
  "applied_configurations": ["customer", "merchant", "a_configuration_added_later"],
  "created": "2025-01-02T03:04:05.000Z",
  "livemode": false,
  "display_name": "Furever",
  "contact_email": "furever@example.com",
  "metadata": {"order": "6735"}
}"#;

#[tokio::test]
async fn callbacks_fetch_typed_events_and_resources() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v2/core/events/evt_meter",
        200,
        event(
            "evt_meter",
            "v1.billing.meter.error_report_triggered",
            r#"{"developer_message_summary":"1 error","validation_start":"2025-01-02T03:00:00Z","validation_end":"2025-01-02T03:05:00Z","reason":{"error_count":1,"error_types":[{"code":"no_meter","error_count":1,"sample_errors":[]}]}}"#,
        ),
    );
    stripe.respond(
        "/v2/core/events/evt_person",
        200,
        event(
            "evt_person",
            "v2.core.account_person.created",
            r#"{"account_id":"acct_2"}"#,
        ),
    );
    stripe.respond(
        "/v2/core/events/evt_transfer",
        200,
        event(
            "evt_transfer",
            "v2.money_management.inbound_transfer.available",
            r#"{"transaction_id":"trxn_1"}"#,
        ),
    );
    stripe.respond("/v2/core/accounts/acct_2", 200, ACCOUNT);
    stripe.respond(
        "/v2/money_management/outbound_payments/obp_1",
        200,
        support::OUTBOUND_PAYMENT,
    );

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (s1, s2, s3, s4, s5) = (
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
    );
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let handler = EventNotificationHandler::builder(client, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .on_v1_billing_meter_error_report_triggered(move |n, _| {
            let seen = s1.clone();
            async move {
                let event = n.fetch_event().await?;
                let code = event.data.reason.error_types[0].code.as_str().to_owned();
                seen.lock().unwrap().push(format!("meter {} {code}", event.data.developer_message_summary));
                Ok(())
            }
        })
        .unwrap()
        .on_v2_core_account_person_created(move |n, _| {
            let seen = s2.clone();
            async move {
                let event = n.fetch_event().await?;
                seen.lock().unwrap().push(format!("person in {}", event.data.account_id));
                Ok(())
            }
        })
        .unwrap()
        .on_v2_money_management_inbound_transfer_available(move |n, _| {
            let seen = s3.clone();
            async move {
                let event = n.fetch_event().await?;
                seen.lock().unwrap().push(format!("transfer {}", event.data.transaction_id));
                Ok(())
            }
        })
        .unwrap()
        .on_v2_core_account_updated(move |n, _| {
            let seen = s4.clone();
            async move {
                let account = n.fetch_related_object().await?;
                let configurations = account.applied_configurations;
                assert_eq!(configurations[0], V2CoreAccountAppliedConfigurationsItem::Customer);
                assert!(matches!(&configurations[2], V2CoreAccountAppliedConfigurationsItem::Unknown(v) if v == "a_configuration_added_later"));
                seen.lock().unwrap().push(format!(
                    "account {} {:?} {}",
                    account.id,
                    account.display_name,
                    account.created
                ));
                Ok(())
            }
        })
        .unwrap()
        .on_v2_money_management_outbound_payment_posted(move |n, _| {
            let seen = s5.clone();
            async move {
                let payment = n.fetch_related_object().await?;
                assert_eq!(payment.status, V2MoneyManagementOutboundPaymentStatus::Posted);
                seen.lock().unwrap().push(format!("payment {} {}", payment.id, payment.statement_descriptor));
                Ok(())
            }
        })
        .unwrap()
        .build();

    let bodies = [
        notification(
            "evt_meter",
            "v1.billing.meter.error_report_triggered",
            Some(("mtr_1", "billing.meter", "/v1/billing/meters/mtr_1")),
        ),
        notification(
            "evt_person",
            "v2.core.account_person.created",
            Some((
                "person_1",
                "v2.core.account_person",
                "/v2/core/accounts/acct_2/persons/person_1",
            )),
        ),
        notification(
            "evt_transfer",
            "v2.money_management.inbound_transfer.available",
            Some((
                "ibt_1",
                "v2.money_management.inbound_transfer",
                "/v2/money_management/inbound_transfers/ibt_1",
            )),
        ),
        notification(
            "evt_account",
            "v2.core.account.updated",
            Some(("acct_2", "v2.core.account", "/v2/core/accounts/acct_2")),
        ),
        notification(
            "evt_payment",
            "v2.money_management.outbound_payment.posted",
            Some((
                "obp_1",
                "v2.money_management.outbound_payment",
                "/v2/money_management/outbound_payments/obp_1",
            )),
        ),
    ];
    for body in &bodies {
        handler
            .handle(body, Some(sign(body, SECRET, NOW).as_str()))
            .await
            .unwrap();
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "meter 1 error no_meter",
            "person in acct_2",
            "transfer trxn_1",
            "account acct_2 Some(\"Furever\") 2025-01-02T03:04:05Z",
            "payment obp_1 ACME",
        ]
    );
    let paths: Vec<String> = stripe.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/v2/core/events/evt_meter",
            "/v2/core/events/evt_person",
            "/v2/core/events/evt_transfer",
            "/v2/core/accounts/acct_2",
            "/v2/money_management/outbound_payments/obp_1",
        ]
    );
    assert!(
        stripe
            .requests()
            .iter()
            .all(|r| r.header("stripe-version") == Some(stripe_notify::API_VERSION))
    );
}

//! The event types most users handle, end to end: a signed body reaches its typed callback,
//! which fetches its related object from a fake Stripe on loopback: `v1.invoice.paid` (a v1
//! resource: any JSON, or async-stripe's `Invoice` with the `async-stripe` feature) and
//! `v2.money_management.outbound_payment.posted` (a v2 resource, typed from the spec).

mod support;

use std::sync::{Arc, Mutex};

use stripe_notify::testing::FakeStripe;
use stripe_notify::{
    EventNotificationHandler, FixedClock, RegisterCallbacks, StripeClient,
    V2MoneyManagementOutboundPaymentStatus, sign,
};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_726_554_052;

fn notification(id: &str, event_type: &str, related: (&str, &str, &str)) -> Vec<u8> {
    let (related_id, object_type, url) = related;
    format!(
        r#"{{"id":"{id}","object":"v2.core.event","type":"{event_type}","livemode":false,"created":"2026-10-01T00:00:00.000Z","related_object":{{"id":"{related_id}","type":"{object_type}","url":"{url}"}}}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn invoice_paid_and_outbound_payment_posted_fetch_their_related_objects() {
    let Some(fixtures) = support::fixtures() else {
        return;
    };
    let invoice = support::fixture(&fixtures, "invoice").expect("an invoice fixture");
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond("/v1/invoices/in_1", 200, invoice);
    stripe.respond(
        "/v2/money_management/outbound_payments/obp_1",
        200,
        support::OUTBOUND_PAYMENT,
    );

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (invoices, payments) = (Arc::clone(&seen), Arc::clone(&seen));
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let handler = EventNotificationHandler::builder(client, SECRET, |_, _, _| async {
        Err("the registered types reach their callbacks".into())
    })
    .unwrap()
    .clock(FixedClock(NOW))
    .on_v1_invoice_paid(move |n, _| {
        let seen = Arc::clone(&invoices);
        async move {
            // Into any type: here the JSON as sent.
            let json: serde_json::Value = n.fetch_related_object_as().await?;
            seen.lock()
                .unwrap()
                .push(format!("invoice {} {}", n.related_object().id, json["object"]));
            #[cfg(feature = "async-stripe-shared")]
            {
                // With the feature, the related object is async-stripe's invoice.
                let invoice: stripe_shared::Invoice = n.fetch_related_object().await?;
                seen.lock().unwrap().push(format!(
                    "typed invoice {} due {}",
                    invoice.currency, invoice.amount_due
                ));
            }
            Ok(())
        }
    })
    .unwrap()
    .on_v2_money_management_outbound_payment_posted(move |n, _| {
        let seen = Arc::clone(&payments);
        async move {
            let payment = n.fetch_related_object().await?;
            assert_eq!(payment.status, V2MoneyManagementOutboundPaymentStatus::Posted);
            seen.lock().unwrap().push(format!(
                "payment {} {} {}",
                payment.id,
                payment.amount.value.unwrap_or(0),
                payment.statement_descriptor
            ));
            Ok(())
        }
    })
    .unwrap()
    .build();

    for body in [
        notification(
            "evt_1",
            "v1.invoice.paid",
            ("in_1", "invoice", "/v1/invoices/in_1"),
        ),
        notification(
            "evt_2",
            "v2.money_management.outbound_payment.posted",
            (
                "obp_1",
                "v2.money_management.outbound_payment",
                "/v2/money_management/outbound_payments/obp_1",
            ),
        ),
    ] {
        handler
            .handle(&body, Some(sign(&body, SECRET, NOW).as_str()))
            .await
            .unwrap();
    }
    let mut expected = vec![r#"invoice in_1 "invoice""#.to_owned()];
    if cfg!(feature = "async-stripe-shared") {
        expected.push("typed invoice usd due 1000".to_owned());
    }
    expected.push("payment obp_1 1000 ACME".to_owned());
    assert_eq!(*seen.lock().unwrap(), expected);
    let requests = stripe.requests();
    assert!(requests.iter().all(|r| {
        r.header("stripe-request-trigger")
            .is_some_and(|t| t.starts_with("event=evt_"))
    }));
    assert!(
        requests
            .iter()
            .all(|r| r.header("stripe-version") == Some(stripe_notify::API_VERSION))
    );
}

/// Whether `url` is an instance of `template`: the same segments, each `{name}` standing for
/// one non-empty segment (and `{id}` for the object's own id).
fn instance_of(template: &str, url: &str, id: Option<&str>) -> bool {
    let (template, url): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), url.split('/').collect());
    template.len() == url.len()
        && template
            .iter()
            .zip(&url)
            .all(|(pattern, segment)| match *pattern {
                "{id}" => Some(*segment) == id,
                _ if pattern.starts_with('{') && pattern.ends_with('}') => !segment.is_empty(),
                _ => pattern == segment,
            })
}

#[test]
fn every_url_template_fits_its_example() {
    use stripe_notify::{Catalog, EventCatalog, RelatedInfo};
    let mut checked = 0;
    for info in Catalog::EVENTS {
        let (resource, singleton) = match info.related {
            RelatedInfo::Object(resource) => (resource, false),
            RelatedInfo::Singleton(resource) => (resource, true),
            RelatedInfo::None => continue,
        };
        let Some(example) = resource.example else { continue };
        assert!(
            instance_of(resource.url_template, example.url, example.id),
            "{}: template {} does not fit the example {}",
            info.event_type,
            resource.url_template,
            example.url
        );
        assert_eq!(
            example.id.is_none(),
            singleton,
            "{}: a singleton has no id, an object has one",
            info.event_type
        );
        checked += 1;
    }
    assert!(checked > 150, "only {checked} rows have an example");
}

//! `match`-style handling: `parse` gives the typed notification of any known type, and
//! `parse_verified` gives it again from the stored body, without a signature.

use stripe_notify::testing::FakeStripe;
use stripe_notify::{
    API_VERSION, AnyNotification, Catalog, EventCatalog, EventNotificationHandler, FixedClock, HandleError,
    PayloadError, SignatureError, StripeClient, sample, sign,
};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_726_554_052;

fn handler(client: StripeClient) -> EventNotificationHandler {
    EventNotificationHandler::builder(client, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .build()
}

fn parse(handler: &EventNotificationHandler, body: &str) -> Result<AnyNotification, HandleError> {
    handler.parse(body.as_bytes(), Some(sign(body.as_bytes(), SECRET, NOW)))
}

#[test]
fn every_known_type_parses_as_its_own_variant_and_again_from_its_body() {
    let handler = handler(StripeClient::new("sk_test_1"));
    let samples = Catalog::EVENTS.iter().flat_map(|info| {
        let thin = info
            .thin
            .then(|| (info, info.event_type, sample::notification(info, None)));
        let snapshot = info.snapshot.and_then(|snapshot| {
            Some((
                info,
                snapshot.event_type,
                sample::snapshot_event(info, None, None, API_VERSION)?,
            ))
        });
        thin.into_iter().chain(snapshot)
    });
    for (info, event_type, body) in samples {
        let notification = parse(&handler, &body).unwrap();
        assert_eq!(notification.event_type(), event_type);
        assert!(
            !matches!(notification, AnyNotification::Unknown(_)),
            "{}",
            info.event_type
        );
        // What an inbox stores, and handles later: the same notification.
        assert_eq!(notification.body(), body.as_bytes());
        let again = handler.parse_verified(notification.body()).unwrap();
        assert_eq!(
            (again.id(), again.event_type()),
            (notification.id(), notification.event_type())
        );
    }
}

#[test]
fn each_related_object_shape_is_typed_in_its_variant() {
    let handler = handler(StripeClient::new("sk_test_1"));
    let invoice = r#"{"id":"evt_1","object":"v2.core.event","type":"v1.invoice.paid","created":"2026-10-01T00:00:00Z","related_object":{"id":"in_1","type":"invoice","url":"/v1/invoices/in_1"}}"#;
    let balance = r#"{"id":"evt_2","object":"v2.core.event","type":"v1.balance.available","created":"2026-10-01T00:00:00Z","related_object":{"id":null,"type":"balance","url":"/v1/balance"}}"#;
    let link = r#"{"id":"evt_3","object":"v2.core.event","type":"v2.core.account_link.returned","created":"2026-10-01T00:00:00Z"}"#;
    let future = r#"{"id":"evt_4","object":"v2.core.event","type":"v3.future.thing","created":"2026-10-01T00:00:00Z","related_object":{"id":"x_1","type":"x","url":"/v3/xs/x_1"}}"#;
    let mut seen = Vec::new();
    for body in [invoice, balance, link, future] {
        seen.push(match parse(&handler, body).unwrap() {
            AnyNotification::V1InvoicePaid(n) => format!("invoice {}", n.related_object().id),
            AnyNotification::V1BalanceAvailable(n) => format!("balance {}", n.related_object().url),
            AnyNotification::V2CoreAccountLinkReturned(n) => format!("link {:?}", n.related_object()),
            AnyNotification::Unknown(n) => format!(
                "unknown {} {:?}",
                n.event_type(),
                n.related_object().map(|r| r.id)
            ),
            other => format!("other {}", other.event_type()),
        });
    }
    assert_eq!(
        seen,
        [
            "invoice in_1",
            "balance /v1/balance",
            "link ()",
            "unknown v3.future.thing Some(Some(\"x_1\"))"
        ]
    );
}

#[test]
fn parse_checks_as_handle_does() {
    let handler = handler(StripeClient::new("sk_test_1"));
    let body = r#"{"id":"evt_1","object":"v2.core.event","type":"v1.invoice.paid","created":"2026-10-01T00:00:00Z"}"#;
    assert!(matches!(
        handler.parse(body.as_bytes(), Some(sign(body.as_bytes(), "whsec_other", NOW))),
        Err(HandleError::Signature(SignatureError::NoMatch))
    ));
    // A known type without the related object its spec promises, with or without a signature.
    assert!(matches!(parse(&handler, body), Err(HandleError::Payload(_))));
    assert!(matches!(
        handler.parse_verified(body.as_bytes()),
        Err(PayloadError::Invalid(_))
    ));
}

#[tokio::test]
async fn a_parsed_notification_fetches_in_its_context() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond("/v1/invoices/in_1", 200, r#"{"id":"in_1","object":"invoice"}"#);
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let handler = handler(client);
    let body = r#"{"id":"evt_1","object":"v2.core.event","type":"v1.invoice.paid","created":"2026-10-01T00:00:00Z","context":"acct_1","related_object":{"id":"in_1","type":"invoice","url":"/v1/invoices/in_1"}}"#;
    let AnyNotification::V1InvoicePaid(notification) = parse(&handler, body).unwrap() else {
        panic!("an invoice.paid notification");
    };
    let invoice: serde_json::Value = notification.fetch_related_object_as().await.unwrap();
    assert_eq!(invoice["id"], "in_1");
    let request = &stripe.requests()[0];
    assert_eq!(request.header("stripe-context"), Some("acct_1"));
    assert_eq!(request.header("stripe-request-trigger"), Some("event=evt_1"));
}

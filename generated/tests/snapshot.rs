//! Classic snapshot events through the generated crate: one registration serves a thin event and
//! its classic twin; the snapshot carries its object (typed with the async-stripe features), read
//! on demand; one verdict per body; fetching binds to the event's account; an occurrence sent in
//! both styles runs once with a ledger.

mod support;

use std::sync::{Arc, Mutex};

use stripe_notify::testing::FakeStripe;
use stripe_notify::{
    Catalog, ClientError, EventCatalog, EventNotificationHandler, EventStyle, HandleError, Handled,
    PayloadError, RegisterCallbacks, StripeClient, sign, unix_now,
};

const SECRET: &str = "whsec_test_secret";

/// A classic `invoice.paid` around `object`, on `account`.
fn invoice_paid(object: &str, account: Option<&str>) -> String {
    let account = account
        .map(|a| format!(r#""account":"{a}","#))
        .unwrap_or_default();
    format!(
        r#"{{"id":"evt_snap_1","object":"event",{account}"api_version":"2026-09-30.endive","created":1760000000,"data":{{"object":{object},"previous_attributes":{{"status":"open"}}}},"livemode":false,"pending_webhooks":1,"request":{{"id":"req_1","idempotency_key":"ik_1"}},"type":"invoice.paid"}}"#
    )
}

const INVOICE: &str = r#"{"id":"in_1","object":"invoice","amount_paid":2000,"status":"paid"}"#;

const THIN_INVOICE_PAID: &str = r#"{"id":"evt_thin_1","object":"v2.core.event","type":"v1.invoice.paid","created":"2026-10-01T00:00:00Z","related_object":{"id":"in_1","type":"invoice","url":"/v1/invoices/in_1"}}"#;

fn signed(body: &str) -> String {
    sign(body.as_bytes(), SECRET, unix_now())
}

type Seen = Arc<Mutex<Vec<String>>>;

fn handler_noting(seen: &Seen, client: StripeClient) -> stripe_notify::EventNotificationHandlerBuilder {
    let (on_paid, fallback) = (Arc::clone(seen), Arc::clone(seen));
    EventNotificationHandler::builder(client, SECRET, move |n, _, details| {
        let object = n
            .snapshot()
            .map(|s| s.object().map(|o| o["object"].to_string()).unwrap_or_default());
        fallback.lock().unwrap().push(format!(
            "fallback {} {:?} known={} {object:?}",
            n.event_type(),
            n.style(),
            details.is_known_event_type
        ));
        async { Ok(()) }
    })
    .unwrap()
    .on_v1_invoice_paid(move |n, client| {
        let line = match n.snapshot() {
            None => format!("paid thin {} {}", n.id(), n.related_object().id),
            Some(snapshot) => format!(
                "paid snapshot {} {} {:?} {:?} {:?} {} {:?}",
                n.id(),
                n.related_object().url,
                snapshot.api_version(),
                snapshot.account(),
                snapshot.request().map(|r| (r.id, r.idempotency_key)),
                snapshot.pending_webhooks(),
                client.context().map(ToString::to_string),
            ),
        };
        on_paid.lock().unwrap().push(line);
        async { Ok(()) }
    })
    .unwrap()
}

#[tokio::test]
async fn one_registration_serves_a_thin_event_and_its_classic_twin() {
    let seen = Seen::default();
    let handler = handler_noting(&seen, StripeClient::new("sk_test_1")).build();
    let snapshot = invoice_paid(INVOICE, Some("acct_9"));
    for body in [THIN_INVOICE_PAID, snapshot.as_str()] {
        let handled = handler.handle(body.as_bytes(), Some(signed(body))).await.unwrap();
        assert_eq!(handled, Handled::Callback);
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "paid thin evt_thin_1 in_1",
            r#"paid snapshot evt_snap_1 /v1/invoices/in_1 Some("2026-09-30.endive") Some("acct_9") Some(("req_1", Some("ik_1"))) 1 Some("acct_9")"#,
        ]
    );
}

#[tokio::test]
async fn the_snapshot_object_is_typed_read_once_and_named_when_it_does_not_read() {
    let handler =
        EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
            .unwrap()
            .build();
    // Stripe's own invoice, paid 2000.
    let Some(fixtures) = support::fixtures() else {
        return;
    };
    let mut fixture: serde_json::Value =
        serde_json::from_str(&support::fixture(&fixtures, "invoice").unwrap()).unwrap();
    fixture["id"] = "in_1".into();
    fixture["amount_paid"] = 2000.into();
    let body = invoice_paid(&fixture.to_string(), None);
    let stripe_notify::AnyNotification::V1InvoicePaid(n) =
        handler.parse(body.as_bytes(), Some(signed(&body))).unwrap()
    else {
        panic!("an invoice.paid notification");
    };
    assert_eq!(n.style(), EventStyle::Snapshot);
    assert_eq!(n.event_type(), "invoice.paid");
    let snapshot = n.snapshot().unwrap();
    let first = snapshot.object().unwrap();
    // Read once: the second ask is the same value.
    assert!(std::ptr::eq(first, snapshot.object().unwrap()));
    let previous: serde_json::Value = snapshot.previous_attributes_as().unwrap().unwrap();
    assert_eq!(previous["status"], "open");
    assert_eq!(
        (snapshot.object_type(), snapshot.object_id()),
        (Some("invoice"), Some("in_1"))
    );

    #[cfg(feature = "async-stripe-shared")]
    {
        let invoice: &stripe_notify::async_stripe::shared::Invoice = first;
        assert_eq!(invoice.amount_paid, 2000);
        // An object rendered at another API version with a field of another type: a typed error
        // naming the event and the field; the envelope and the JSON stay usable.
        fixture["amount_paid"] = "lots".into();
        let odd = invoice_paid(&fixture.to_string(), None);
        let stripe_notify::AnyNotification::V1InvoicePaid(n) =
            handler.parse_verified(odd.as_bytes()).unwrap()
        else {
            panic!("an invoice.paid notification");
        };
        let error = n.snapshot().unwrap().object().unwrap_err();
        assert_eq!((error.event_id(), error.path()), ("evt_snap_1", "amount_paid"));
        assert!(error.to_string().contains("invoice.paid"), "{error}");
        let value: serde_json::Value = n.snapshot().unwrap().object_as().unwrap();
        assert_eq!(value["amount_paid"], "lots");
    }
    #[cfg(not(feature = "async-stripe-shared"))]
    assert_eq!(first["amount_paid"], 2000);
}

#[tokio::test]
async fn one_verdict_per_snapshot_body_before_anything_runs() {
    let seen = Seen::default();
    let pre = Arc::clone(&seen);
    let handler = handler_noting(&seen, StripeClient::new("sk_test_1"))
        .pre_handle(move |n, _| {
            pre.lock().unwrap().push(format!("pre {}", n.id()));
            async { Ok(true) }
        })
        .unwrap()
        .build();
    let card = invoice_paid(r#"{"id":"card_1","object":"card"}"#, None);
    let untyped = invoice_paid(r#"{"id":"in_1"}"#, None);
    let bad_id = invoice_paid(r#"{"id":"../../v1/balance","object":"invoice"}"#, None);
    let refund_without_object = r#"{"id":"evt_2","object":"event","type":"charge.refunded","created":1,"data":{"object":{"id":"ch_1"}}}"#;
    for (body, says) in [
        (
            card.as_str(),
            "carries invoice, not `data.object.object` \"card\"",
        ),
        (untyped.as_str(), "must have a `data.object.object`"),
        (bad_id.as_str(), "is not an object id"),
        (refund_without_object, "must have a `data.object.object`"),
    ] {
        let error = handler
            .handle(body.as_bytes(), Some(signed(body)))
            .await
            .unwrap_err();
        match error {
            HandleError::Payload(PayloadError::Invalid(message)) => {
                assert!(message.contains(says), "{message}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    assert!(seen.lock().unwrap().is_empty(), "{:?}", seen.lock().unwrap());
}

#[tokio::test]
async fn unknown_classic_types_and_snapshot_only_types() {
    let seen = Seen::default();
    let handler = handler_noting(&seen, StripeClient::new("sk_test_1")).build();
    let unknown = r#"{"id":"evt_u","object":"event","type":"future.thing.happened","created":1,"data":{"object":{"id":"ft_1","object":"future.thing"}}}"#;
    let treasury = r#"{"id":"evt_t","object":"event","type":"treasury.received_credit.created","created":1,"data":{"object":{"id":"rc_1","object":"treasury.received_credit"}}}"#;
    // Stripe sends it only as a snapshot event: as a thin type, it is not one the crate knows.
    let thin_treasury = r#"{"id":"evt_tt","object":"v2.core.event","type":"v1.treasury.received_credit.created","created":"2026-10-01T00:00:00Z"}"#;
    for body in [unknown, treasury, thin_treasury] {
        handler.handle(body.as_bytes(), Some(signed(body))).await.unwrap();
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            r#"fallback future.thing.happened Snapshot known=false Some("\"future.thing\"")"#,
            r#"fallback treasury.received_credit.created Snapshot known=true Some("\"treasury.received_credit\"")"#,
            "fallback v1.treasury.received_credit.created Thin known=false None",
        ]
    );
    let info = Catalog::info("v1.treasury.received_credit.created").unwrap();
    assert_eq!((info.thin, info.styles()), (false, "snapshot"));
    assert_eq!(
        Catalog::info("v1.invoice.paid").unwrap().styles(),
        "thin, snapshot"
    );
    assert_eq!(Catalog::info("v2.core.account.created").unwrap().styles(), "thin");
    let classic = Catalog::EVENTS
        .iter()
        .filter(|info| info.snapshot.is_some())
        .count();
    let snapshot_only = Catalog::EVENTS.iter().filter(|info| !info.thin).count();
    assert_eq!((classic, snapshot_only), (268, 52));
}

#[tokio::test]
async fn a_snapshot_fetches_the_object_now_on_behalf_of_its_account() {
    let stripe = FakeStripe::start().await.unwrap();
    stripe.respond(
        "/v1/invoices/in_1",
        200,
        r#"{"id":"in_1","object":"invoice","status":"void"}"#,
    );
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let handler = EventNotificationHandler::builder(client, SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .build();
    let body = invoice_paid(INVOICE, Some("acct_9"));
    let stripe_notify::AnyNotification::V1InvoicePaid(n) = handler.parse_verified(body.as_bytes()).unwrap()
    else {
        panic!("an invoice.paid notification");
    };
    let now: serde_json::Value = n.fetch_related_object_as().await.unwrap();
    assert_eq!(now["status"], "void");
    let request = &stripe.requests()[0];
    assert_eq!(request.path, "/v1/invoices/in_1");
    assert_eq!(request.header("stripe-account"), Some("acct_9"));
    assert_eq!(request.header("stripe-context"), None);
    assert_eq!(request.header("stripe-request-trigger"), Some("event=evt_snap_1"));
    // A v2 request of the same client names the account as v2 does.
    let _: Result<serde_json::Value, _> = n.client().get("/v2/core/accounts/acct_9", None).await;
    let request = &stripe.requests()[1];
    assert_eq!(request.header("stripe-context"), Some("acct_9"));
    assert_eq!(request.header("stripe-account"), None);
    // No thin event to fetch: a typed error, and nothing sent.
    assert!(matches!(n.fetch_event().await, Err(ClientError::SnapshotEvent)));
    assert_eq!(stripe.requests().len(), 2);
}

#[tokio::test]
async fn an_occurrence_sent_in_both_styles_runs_once_with_a_ledger() {
    let seen = Seen::default();
    let handler = handler_noting(&seen, StripeClient::new("sk_test_1"))
        .ledger(stripe_notify::inbox::MemoryInbox::new())
        .build();
    let thin = THIN_INVOICE_PAID.replace(
        r#""type":"v1.invoice.paid""#,
        r#""type":"v1.invoice.paid","snapshot_event":"evt_snap_1""#,
    );
    let snapshot = invoice_paid(INVOICE, None);
    assert_eq!(
        handler
            .handle(snapshot.as_bytes(), Some(signed(&snapshot)))
            .await
            .unwrap(),
        Handled::Callback
    );
    assert_eq!(
        handler
            .handle(thin.as_bytes(), Some(signed(&thin)))
            .await
            .unwrap(),
        Handled::AlreadyProcessed
    );
    // Without the twin's id, a thin event is its own occurrence.
    assert_eq!(
        handler
            .handle(THIN_INVOICE_PAID.as_bytes(), Some(signed(THIN_INVOICE_PAID)))
            .await
            .unwrap(),
        Handled::Callback
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

//! With the `async-stripe` features, each v1 related object is fetched as async-stripe's type
//! of its resource: every such type must deserialize Stripe's own fixture of that resource
//! (`fixtures3.json`), served by a fake Stripe at the URL a sample notification names; and every
//! classic type's snapshot object reads typed, the types of several objects as their choice.
#![cfg(feature = "async-stripe")]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use stripe_notify::testing::FakeStripe;
use stripe_notify::{
    Catalog, EventCatalog, EventKind, EventNotificationHandler, EventNotificationHandlerBuilder,
    KnownEventKind, StripeClient, sample, sign, unix_now,
};
use stripe_notify_runtime::KindVisitor;

const SECRET: &str = "whsec_test_secret";

/// What fetching each type's related object gave: its Rust type, and the error if any.
type Outcomes = Arc<Mutex<BTreeMap<&'static str, (&'static str, Result<(), String>)>>>;

/// Registers, for every kind whose resource is an async-stripe type, a callback that fetches
/// the related object and notes the outcome.
struct FetchTyped {
    builder: Option<EventNotificationHandlerBuilder>,
    outcomes: Outcomes,
    /// `(event type, resource type)`.
    types: Vec<(&'static str, &'static str)>,
}

impl KindVisitor<Catalog> for FetchTyped {
    fn visit<K: KnownEventKind<Catalog = Catalog>>(&mut self) {
        let resource = std::any::type_name::<<K as EventKind>::Resource>();
        if !resource.starts_with("stripe_") || resource.starts_with("stripe_notify") {
            return;
        }
        self.types.push((K::EVENT_TYPE, resource));
        let outcomes = Arc::clone(&self.outcomes);
        let builder = self.builder.take().expect("a builder");
        self.builder = Some(
            builder
                .on::<K, _, _>(move |n, _| {
                    let outcomes = Arc::clone(&outcomes);
                    async move {
                        // Generic over every kind, with or without a related object, so
                        // through the client: the request `fetch_related_object` sends.
                        let body: serde_json::Value = serde_json::from_slice(n.body()).unwrap();
                        let url = body["related_object"]["url"].as_str().unwrap();
                        let outcome = match n.client().get::<K::Resource>(url, Some(n.id())).await {
                            Ok(_) => Ok(()),
                            Err(error) => Err(error.to_string()),
                        };
                        outcomes
                            .lock()
                            .unwrap()
                            .insert(K::EVENT_TYPE, (resource, outcome));
                        Ok(())
                    }
                })
                .expect("each kind once"),
        );
    }
}

#[tokio::test]
async fn every_async_stripe_type_deserializes_its_fixture() {
    let Some(fixtures) = support::fixtures() else {
        return;
    };
    let stripe = FakeStripe::start().await.unwrap();
    let client = StripeClient::builder("sk_test_1")
        .api_base(stripe.url())
        .build()
        .unwrap();
    let builder = EventNotificationHandler::builder(client, SECRET, |_, _, _| async { Ok(()) }).unwrap();
    let outcomes = Outcomes::default();
    let mut fetch = FetchTyped {
        builder: Some(builder),
        outcomes: Arc::clone(&outcomes),
        types: Vec::new(),
    };
    Catalog::for_each_kind(&mut fetch);
    let handler = fetch.builder.take().expect("a builder").build();

    let mut without_fixture = Vec::new();
    for &(event_type, resource) in &fetch.types {
        let info = Catalog::info(event_type).expect("a known type");
        let body = sample::notification(info, None);
        let notification: serde_json::Value = serde_json::from_str(&body).unwrap();
        let related = &notification["related_object"];
        let (object_type, url) = (
            related["type"].as_str().unwrap(),
            related["url"].as_str().unwrap(),
        );
        let fixture = support::fixture(&fixtures, object_type);
        let answer = if resource.contains("::Deleted") {
            // A deleted object: the resource as it was, marked deleted.
            fixture.map(|fixture| {
                let mut deleted: serde_json::Value = serde_json::from_str(&fixture).unwrap();
                deleted["deleted"] = true.into();
                deleted.to_string()
            })
        } else {
            fixture
        };
        let Some(answer) = answer else {
            without_fixture.push(format!("{event_type} ({object_type})"));
            continue;
        };
        stripe.respond(url, 200, answer);
        handler
            .handle(
                body.as_bytes(),
                Some(sign(body.as_bytes(), SECRET, unix_now()).as_str()),
            )
            .await
            .unwrap();
    }
    let outcomes = outcomes.lock().unwrap();
    let failed: Vec<String> = outcomes
        .iter()
        .filter_map(|(event_type, (resource, outcome))| {
            outcome
                .as_ref()
                .err()
                .map(|error| format!("{event_type} as {resource}: {error}"))
        })
        .collect();
    eprintln!(
        "{} types fetched typed from fixtures; without a fixture: {without_fixture:?}",
        outcomes.len()
    );
    assert!(
        failed.is_empty(),
        "fixtures that did not deserialize:\n{}",
        failed.join("\n")
    );
    assert!(
        outcomes.len() >= 150,
        "most v1 types are typed: {}",
        outcomes.len()
    );
}

/// Registers, for every kind with classic snapshot events, a callback that reads the snapshot's
/// object typed and notes the outcome.
struct ReadSnapshots {
    builder: Option<EventNotificationHandlerBuilder>,
    outcomes: Outcomes,
}

impl KindVisitor<Catalog> for ReadSnapshots {
    fn visit<K: KnownEventKind<Catalog = Catalog>>(&mut self) {
        let object = std::any::type_name::<<K as EventKind>::Object>();
        let outcomes = Arc::clone(&self.outcomes);
        let builder = self.builder.take().expect("a builder");
        self.builder = Some(
            builder
                .on::<K, _, _>(move |n, _| {
                    let outcome = n
                        .snapshot()
                        .expect("a snapshot event")
                        .object()
                        .map(|_| ())
                        .map_err(|error| error.to_string());
                    outcomes.lock().unwrap().insert(K::EVENT_TYPE, (object, outcome));
                    async { Ok(()) }
                })
                .expect("each kind once"),
        );
    }
}

#[tokio::test]
async fn every_classic_types_sample_reads_its_object_typed() {
    let Some(fixtures) = support::fixtures() else {
        return;
    };
    let builder =
        EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
            .unwrap();
    let outcomes = Outcomes::default();
    let mut read = ReadSnapshots {
        builder: Some(builder),
        outcomes: Arc::clone(&outcomes),
    };
    Catalog::for_each_kind(&mut read);
    let handler = read.builder.take().expect("a builder").build();

    let mut without_fixture = Vec::new();
    for info in Catalog::EVENTS {
        let Some(snapshot) = info.snapshot else {
            continue;
        };
        let Some(fixture) = snapshot
            .object_types
            .iter()
            .find_map(|object_type| support::fixture(&fixtures, object_type))
        else {
            without_fixture.push(snapshot.event_type);
            continue;
        };
        let body =
            sample::snapshot_event(info, Some(&fixture), Some("acct_1"), stripe_notify::API_VERSION).unwrap();
        handler
            .handle(
                body.as_bytes(),
                Some(sign(body.as_bytes(), SECRET, unix_now()).as_str()),
            )
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", snapshot.event_type));
    }
    let outcomes = outcomes.lock().unwrap();
    let failed: Vec<(&str, String)> = outcomes
        .iter()
        .filter_map(|(event_type, (object, outcome))| {
            outcome
                .as_ref()
                .err()
                .map(|error| (*event_type, format!("{event_type} as {object}: {error}")))
        })
        .collect();
    // async-stripe-reserve 1.0.0-rc.10 requires a `destination` that Stripe's fixtures of the
    // reserve objects do not have: the typed read fails, naming the field, and the object is
    // still at hand as JSON. Any other failure is a finding.
    let unexpected: Vec<&String> = failed
        .iter()
        .filter(|(event_type, error)| {
            !(event_type.starts_with("v1.reserve.") && error.contains("missing field `destination`"))
        })
        .map(|(_, error)| error)
        .collect();
    assert!(
        unexpected.is_empty(),
        "objects that did not read:\n{unexpected:#?}"
    );
    assert_eq!(failed.len(), 7, "{failed:#?}");
    // async-stripe's own types, and the choices of them for the types of several objects.
    let typed = outcomes
        .values()
        .filter(|(object, _)| *object != std::any::type_name::<serde_json::Value>())
        .count();
    eprintln!(
        "{} classic types read, {typed} typed; without a fixture: {without_fixture:?}",
        outcomes.len()
    );
    // Stripe's fixtures have every object the classic types carry but the Apps install.
    assert_eq!(
        without_fixture,
        [
            "apps.install.created",
            "apps.install.deleted",
            "apps.install.updated"
        ]
    );
    assert_eq!(outcomes.len(), 265);
    assert_eq!(typed, 265, "every classic type with a fixture reads typed");
}

/// What a callback saw of a classic source or external account event: the variant's object type
/// and the object's id.
type Seen = Arc<Mutex<Vec<(&'static str, String)>>>;

fn source_seen(object: &stripe_notify::objects::BankAccountOrCardOrSource) -> (&'static str, String) {
    use stripe_notify::objects::BankAccountOrCardOrSource as Choice;
    match object {
        Choice::BankAccount(account) => ("bank_account", account.id.to_string()),
        Choice::Card(card) => ("card", card.id.to_string()),
        Choice::Source(source) => ("source", source.id.to_string()),
    }
}

#[tokio::test]
async fn a_classic_event_of_several_object_types_reads_the_one_its_object_names() {
    use stripe_notify::RegisterCallbacks as _;
    use stripe_notify::objects::CardOrSource;
    let Some(fixtures) = support::fixtures() else {
        return;
    };
    let seen = Seen::default();
    let (created, updated, expiring) = (Arc::clone(&seen), Arc::clone(&seen), Arc::clone(&seen));
    let handler =
        EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
            .unwrap()
            .on_v1_customer_source_created(move |n, _| {
                let object = n.snapshot().expect("a snapshot").object().map(source_seen);
                created.lock().unwrap().push(object.expect("typed"));
                async { Ok(()) }
            })
            .unwrap()
            .on_v1_account_external_account_updated(move |n, _| {
                let object = n.snapshot().expect("a snapshot").object().map(source_seen);
                updated.lock().unwrap().push(object.expect("typed"));
                async { Ok(()) }
            })
            .unwrap()
            .on_v1_customer_source_expiring(move |n, _| {
                let object = n
                    .snapshot()
                    .expect("a snapshot")
                    .object()
                    .map(|object| match object {
                        CardOrSource::Card(card) => ("card", card.id.to_string()),
                        CardOrSource::Source(source) => ("source", source.id.to_string()),
                    });
                expiring.lock().unwrap().push(object.expect("typed"));
                async { Ok(()) }
            })
            .unwrap()
            .build();

    let mut expected = Vec::new();
    for (event_type, object_types) in [
        (
            "v1.customer.source.created",
            &["bank_account", "card", "source"][..],
        ),
        (
            "v1.account.external_account.updated",
            &["bank_account", "card", "source"],
        ),
        ("v1.customer.source.expiring", &["card", "source"]),
    ] {
        let info = Catalog::EVENTS
            .iter()
            .find(|info| info.event_type == event_type)
            .expect("a known type");
        for &object_type in object_types {
            let fixture = support::fixture(&fixtures, object_type).expect("Stripe has a fixture");
            let id = serde_json::from_str::<serde_json::Value>(&fixture).unwrap()["id"]
                .as_str()
                .expect("an id")
                .to_owned();
            let body =
                sample::snapshot_event(info, Some(&fixture), None, stripe_notify::API_VERSION).unwrap();
            handler
                .handle(
                    body.as_bytes(),
                    Some(sign(body.as_bytes(), SECRET, unix_now()).as_str()),
                )
                .await
                .unwrap_or_else(|error| panic!("{event_type} of a {object_type}: {error}"));
            expected.push((object_type, id));
        }
    }
    assert_eq!(*seen.lock().unwrap(), expected);
}

#[tokio::test]
async fn a_choice_that_cannot_be_read_names_the_field_inside_the_variant() {
    use stripe_notify::RegisterCallbacks as _;
    let error = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&error);
    let handler =
        EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
            .unwrap()
            .on_v1_customer_source_expiring(move |n, _| {
                let snapshot = n.snapshot().expect("a snapshot");
                *seen.lock().unwrap() = snapshot.object().err();
                assert_eq!(
                    snapshot.object_id(),
                    Some("card_1"),
                    "the envelope is still usable"
                );
                async { Ok(()) }
            })
            .unwrap()
            .build();
    let info = Catalog::EVENTS
        .iter()
        .find(|info| info.event_type == "v1.customer.source.expiring")
        .expect("a known type");
    let card = r#"{"object":"card","id":"card_1","brand":"Visa","exp_month":"June","exp_year":2030,"last4":"4242","funding":"credit"}"#;
    let body = sample::snapshot_event(info, Some(card), None, stripe_notify::API_VERSION).unwrap();
    handler
        .handle(
            body.as_bytes(),
            Some(sign(body.as_bytes(), SECRET, unix_now()).as_str()),
        )
        .await
        .unwrap();
    let error = error.lock().unwrap().take().expect("the month is not a number");
    assert_eq!(error.path(), "exp_month", "{error}");
    assert_eq!(error.type_name(), "stripe_shared::card::Card", "{error}");
}

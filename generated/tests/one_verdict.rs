//! One verdict per body, over the whole catalog: for every known type and every shape a
//! `related_object` (thin) or a `data.object` (snapshot) can take, a handler with a callback
//! registered for the type and one without answer alike, and as the type's spec says they must.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use stripe_notify::{
    Catalog, EventCatalog, EventNotificationHandler, EventNotificationHandlerBuilder, FixedClock,
    HandleError, KnownEventKind, RelatedInfo, StripeClient, sign,
};
use stripe_notify_runtime::KindVisitor;

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_726_554_052;

/// A `related_object` (or its absence), and whether each shape of type accepts it.
struct Shape {
    json: &'static str,
    with_id: bool,
    singleton: bool,
}

const SHAPES: &[Shape] = &[
    Shape {
        json: r#","related_object":{"id":"x_1","type":"x","url":"/v1/xs/x_1"}"#,
        with_id: true,
        singleton: true,
    },
    Shape {
        json: r#","related_object":{"id":null,"type":"x","url":"/v1/x"}"#,
        with_id: false,
        singleton: true,
    },
    Shape {
        json: r#","related_object":{"type":"x","url":"/v1/x"}"#,
        with_id: false,
        singleton: true,
    },
    Shape {
        json: "",
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":null"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":[]"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":"x_1""#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":{"id":5,"type":"x","url":"/v1/xs/x_1"}"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":{"id":"x_1","url":"/v1/xs/x_1"}"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":{"id":"x_1","type":"x"}"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":{"id":"x_1","type":"x","url":{"path":"/v1"}}"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":{"id":"x_1","type":"x","type":"y","url":"/v1/xs/x_1"}"#,
        with_id: false,
        singleton: false,
    },
    Shape {
        json: r#","related_object":{"id":"x_1","type":"x","url":"/v1/xs/x_1"},"related_object":null"#,
        with_id: false,
        singleton: false,
    },
];

/// Registers a counting callback for every kind of the catalog.
struct RegisterAll {
    builder: Option<EventNotificationHandlerBuilder>,
    ran: Arc<AtomicUsize>,
}

impl KindVisitor<Catalog> for RegisterAll {
    fn visit<K: KnownEventKind<Catalog = Catalog>>(&mut self) {
        let ran = Arc::clone(&self.ran);
        let builder = self.builder.take().expect("a builder");
        self.builder = Some(
            builder
                .on::<K, _, _>(move |_, _| {
                    ran.fetch_add(1, Ordering::Relaxed);
                    async { Ok(()) }
                })
                .expect("each kind once"),
        );
    }
}

fn builder(ran: &Arc<AtomicUsize>) -> EventNotificationHandlerBuilder {
    let ran = Arc::clone(ran);
    EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, move |_, _, _| {
        ran.fetch_add(1, Ordering::Relaxed);
        async { Ok(()) }
    })
    .expect("a secret")
    .clock(FixedClock(NOW))
}

#[tokio::test]
async fn every_known_type_gets_one_verdict_with_or_without_its_callback() {
    let ran = Arc::new(AtomicUsize::new(0));
    let mut all = RegisterAll {
        builder: Some(builder(&ran)),
        ran: Arc::clone(&ran),
    };
    Catalog::for_each_kind(&mut all);
    let with_callbacks = all.builder.take().expect("a builder").build();
    assert_eq!(
        with_callbacks.registered_event_types().len(),
        Catalog::EVENTS.len()
    );
    let without = builder(&ran).build();

    let (mut accepted, mut rejected, mut tried) = (0, 0, 0);
    for info in Catalog::EVENTS {
        for shape in SHAPES {
            if !info.thin {
                // Sent only as snapshot events: a thin body of it is a type the crate does not
                // know, which the next test covers.
                continue;
            }
            tried += 1;
            let body = format!(
                r#"{{"id":"evt_1","object":"v2.core.event","type":"{}","created":"2024-09-17T06:20:52.246Z","livemode":false{}}}"#,
                info.event_type, shape.json
            );
            let header = sign(body.as_bytes(), SECRET, NOW);
            let expected = match info.related {
                RelatedInfo::None => true,
                RelatedInfo::Singleton(_) => shape.singleton,
                RelatedInfo::Object(_) => shape.with_id,
            };
            for handler in [&with_callbacks, &without] {
                let before = ran.load(Ordering::Relaxed);
                let outcome = handler.handle(body.as_bytes(), Some(&header)).await;
                let ran_once = ran.load(Ordering::Relaxed) == before + 1;
                match outcome {
                    Ok(_) => {
                        assert!(expected, "{} accepted {}", info.event_type, shape.json);
                        assert!(ran_once, "{}: the callback or the fallback ran", info.event_type);
                        accepted += 1;
                    }
                    Err(HandleError::Payload(_)) => {
                        assert!(!expected, "{} rejected {}", info.event_type, shape.json);
                        assert!(!ran_once, "{}: nothing ran", info.event_type);
                        rejected += 1;
                    }
                    Err(other) => panic!("{} {}: {other}", info.event_type, shape.json),
                }
            }
        }
    }
    // Every thin type was tried with every shape, with and without its callback; both
    // verdicts occur.
    assert_eq!(accepted + rejected, 2 * tried);
    assert_eq!(tried, 279 * SHAPES.len());
    assert!(accepted > 0 && rejected > 0);
}

/// A snapshot event's `data.object`, given the type's first object type, its related object
/// type if any; and whether the type accepts it.
fn snapshot_objects(object_type: &str, related: Option<&str>) -> Vec<(String, bool)> {
    // A related object with an id must have one, when the snapshot's object is that object.
    let needs_id = related == Some(object_type);
    vec![
        (format!(r#"{{"id":"x_1","object":"{object_type}"}}"#), true),
        (
            format!(r#"{{"object":"{object_type}","id":"x_1","a":[{{"object":"card"}}]}}"#),
            true,
        ),
        (format!(r#"{{"object":"{object_type}"}}"#), !needs_id),
        (format!(r#"{{"id":null,"object":"{object_type}"}}"#), !needs_id),
        (format!(r#"{{"id":"../x","object":"{object_type}"}}"#), !needs_id),
        (r#"{"id":"x_1","object":"not_its_object"}"#.to_owned(), false),
        (r#"{"id":"x_1"}"#.to_owned(), false),
        (r#"{"id":"x_1","object":5}"#.to_owned(), false),
        ("[]".to_owned(), false),
        ("null".to_owned(), false),
        ("\"x_1\"".to_owned(), false),
    ]
}

#[tokio::test]
async fn every_classic_type_gets_one_verdict_with_or_without_its_callback() {
    let ran = Arc::new(AtomicUsize::new(0));
    let mut all = RegisterAll {
        builder: Some(builder(&ran)),
        ran: Arc::clone(&ran),
    };
    Catalog::for_each_kind(&mut all);
    let with_callbacks = all.builder.take().expect("a builder").build();
    let without = builder(&ran).build();

    let (mut accepted, mut rejected, mut types) = (0, 0, 0);
    for info in Catalog::EVENTS {
        let Some(snapshot) = info.snapshot else {
            continue;
        };
        types += 1;
        let related = match info.related {
            RelatedInfo::Object(resource) => Some(resource.object_type),
            _ => None,
        };
        for (object, expected) in snapshot_objects(snapshot.object_types[0], related) {
            let body = format!(
                r#"{{"id":"evt_1","object":"event","type":"{}","created":1726554052,"data":{{"object":{object}}},"livemode":false}}"#,
                snapshot.event_type
            );
            let header = sign(body.as_bytes(), SECRET, NOW);
            for handler in [&with_callbacks, &without] {
                let before = ran.load(Ordering::Relaxed);
                let outcome = handler.handle(body.as_bytes(), Some(&header)).await;
                let ran_once = ran.load(Ordering::Relaxed) == before + 1;
                match outcome {
                    Ok(_) => {
                        assert!(expected, "{} accepted {object}", snapshot.event_type);
                        assert!(
                            ran_once,
                            "{}: the callback or the fallback ran",
                            snapshot.event_type
                        );
                        accepted += 1;
                    }
                    Err(HandleError::Payload(_)) => {
                        assert!(!expected, "{} rejected {object}", snapshot.event_type);
                        assert!(!ran_once, "{}: nothing ran", snapshot.event_type);
                        rejected += 1;
                    }
                    Err(other) => panic!("{} {object}: {other}", snapshot.event_type),
                }
            }
        }
    }
    assert_eq!(types, 268);
    assert!(accepted > 0 && rejected > 0);
    // A type the catalog does not know takes any object, and the thin name of a type sent only
    // as snapshot events is such a type.
    for body in [
        r#"{"id":"evt_1","object":"event","type":"no.such.type","created":1,"data":{"object":{"object":"anything"}}}"#,
        r#"{"id":"evt_1","object":"v2.core.event","type":"v1.treasury.received_credit.created","created":"2024-09-17T06:20:52.246Z"}"#,
    ] {
        let header = sign(body.as_bytes(), SECRET, NOW);
        assert!(
            with_callbacks
                .handle(body.as_bytes(), Some(&header))
                .await
                .is_ok(),
            "{body}"
        );
    }
}

//! One verdict per body, over the whole catalog: for every known type and every shape a
//! `related_object` can take, a handler with a callback registered for the type and one
//! without answer alike, and as the type's spec says they must.

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

    let (mut accepted, mut rejected) = (0, 0);
    for info in Catalog::EVENTS {
        for shape in SHAPES {
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
    // Every type was tried with every shape, with and without its callback; both verdicts occur.
    assert_eq!(accepted + rejected, 2 * Catalog::EVENTS.len() * SHAPES.len());
    assert!(accepted > 0 && rejected > 0);
}

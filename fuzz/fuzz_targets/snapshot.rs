//! Signed classic snapshot events through the whole handler: the first byte picks a classic type
//! of the catalog, the rest is its `data.object` (or, when it is not JSON text, the whole body),
//! and every kind's callback reads what a snapshot carries. (Without the `async-stripe`
//! features, objects read as JSON: the typed reads are async-stripe's derives, which
//! `generated/tests/async_stripe.rs` covers with Stripe's fixtures, and instrumenting them made
//! the target take longer to build than to run.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use stripe_notify::{
    Catalog, EventCatalog, EventNotificationHandler, EventNotificationHandlerBuilder, FixedClock, KnownEventKind,
    StripeClient, sign,
};
use stripe_notify_runtime::KindVisitor;

/// Registers, for every kind, a callback that reads all a snapshot carries.
struct ReadAll(Option<EventNotificationHandlerBuilder>);

impl KindVisitor<Catalog> for ReadAll {
    fn visit<K: KnownEventKind<Catalog = Catalog>>(&mut self) {
        let Some(builder) = self.0.take() else { return };
        self.0 = builder
            .on::<K, _, _>(|n, _| {
                if let Some(snapshot) = n.snapshot() {
                    let _ = (snapshot.object().map(|o| format!("{o:?}")), snapshot.object().is_ok());
                    let _ = snapshot.previous_attributes_as::<serde_json::Value>();
                    let _ = (snapshot.api_version(), snapshot.account(), snapshot.request());
                    let _ = (snapshot.object_type(), snapshot.object_id(), snapshot.pending_webhooks());
                }
                let _ = (format!("{:?}", n.related_object()), n.context(), n.style());
                async { Ok(()) }
            })
            .ok();
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&pick, rest)) = input.split_first() else { return };
    let classic: Vec<&str> = Catalog::EVENTS
        .iter()
        .filter_map(|info| info.snapshot.map(|s| s.event_type))
        .collect();
    let event_type = classic[usize::from(pick) % classic.len()];
    let body = match std::str::from_utf8(rest) {
        Ok(object) if pick % 4 != 0 => format!(
            r#"{{"id":"evt_fuzz","object":"event","type":"{event_type}","created":1700000000,"account":"acct_1","data":{{"object":{object},"previous_attributes":{object}}},"request":{{"id":"req_1","idempotency_key":null}},"pending_webhooks":1}}"#
        )
        .into_bytes(),
        _ => rest.to_vec(),
    };
    let Ok(builder) = EventNotificationHandler::builder(StripeClient::new("sk_test_fuzz"), "whsec_fuzz", |n, _, _| {
        let _ = n.snapshot().map(|s| s.object().map(|o| o.to_string()));
        async { Ok(()) }
    }) else {
        return;
    };
    let mut all = ReadAll(Some(builder.clock(FixedClock(1_700_000_000))));
    Catalog::for_each_kind(&mut all);
    let Some(builder) = all.0 else { return };
    let handler = builder.build();
    let header = sign(&body, "whsec_fuzz", 1_700_000_000);
    let _ = handler.handle_blocking(&body, Some(header.as_bytes()));
    let _ = handler.parse_verified(&body);
});

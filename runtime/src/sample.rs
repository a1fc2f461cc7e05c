//! Realistic sample notifications built from the catalog's info: the right `type`, the related
//! object's shape, type and URL (the spec's example when it has one), a fresh event id; and
//! classic snapshot events around an object (Stripe's fixture of it, where there is one). For
//! tests, demos and the CLI.

use serde_json::{Value, json};

use crate::catalog::EventInfo;
use crate::context::StripeContext;
use crate::related::{RelatedInfo, RelatedResourceInfo};

/// A thin event notification body for `info`, with fresh ids, created now.
pub fn notification(info: &EventInfo, context: Option<&StripeContext>) -> String {
    notification_of_type(info.event_type, &info.related, context)
}

/// A thin event notification body for any type string (known or not) and related object.
pub fn notification_of_type(
    event_type: &str,
    related: &RelatedInfo,
    context: Option<&StripeContext>,
) -> String {
    let mut body = serde_json::Map::new();
    body.insert("id".into(), fresh_id("evt_test").into());
    body.insert("object".into(), "v2.core.event".into());
    body.insert("type".into(), event_type.into());
    body.insert("livemode".into(), false.into());
    body.insert("created".into(), jiff::Timestamp::now().to_string().into());
    if let Some(context) = context {
        body.insert("context".into(), context.as_str().into());
    }
    let related = match related {
        RelatedInfo::Object(resource) => {
            let (id, url) = match resource.example {
                Some(example) => (
                    example
                        .id
                        .map_or_else(|| fresh_id(&id_prefix(resource.object_type)), str::to_owned),
                    example.url.to_owned(),
                ),
                None => {
                    let id = fresh_id(&format!("{}_test", id_prefix(resource.object_type)));
                    let url = url(resource, &id);
                    (id, url)
                }
            };
            Some(json!({"id": id, "type": resource.object_type, "url": url}))
        }
        RelatedInfo::Singleton(resource) => {
            let url = resource
                .example
                .map_or_else(|| url(resource, ""), |example| example.url.to_owned());
            Some(json!({"type": resource.object_type, "url": url}))
        }
        RelatedInfo::None => None,
    };
    if let Some(related) = related {
        body.insert("related_object".into(), related);
    }
    Value::Object(body).to_string()
}

/// A classic snapshot event of `info`'s snapshot type (`None` for a type that has none), with a
/// fresh id, created now, rendered at `api_version`. Its `data.object` is `object` (the JSON of
/// one of the type's objects, such as Stripe's fixture of it), else a minimal object of the
/// type's first object type with a fresh id; `account` is set when given.
pub fn snapshot_event(
    info: &EventInfo,
    object: Option<&str>,
    account: Option<&str>,
    api_version: &str,
) -> Option<String> {
    let snapshot = info.snapshot?;
    let object = match object.and_then(|text| serde_json::from_str::<Value>(text).ok()) {
        Some(object) => object,
        None => {
            let object_type = snapshot.object_types.first().copied().unwrap_or("object");
            json!({"id": fresh_id(&format!("{}_test", id_prefix(object_type))), "object": object_type})
        }
    };
    let mut body = serde_json::Map::new();
    body.insert("id".into(), fresh_id("evt_test").into());
    body.insert("object".into(), "event".into());
    if let Some(account) = account {
        body.insert("account".into(), account.into());
    }
    body.insert("api_version".into(), api_version.into());
    body.insert("created".into(), jiff::Timestamp::now().as_second().into());
    body.insert("data".into(), json!({ "object": object }));
    body.insert("livemode".into(), false.into());
    body.insert("pending_webhooks".into(), 1.into());
    body.insert("request".into(), json!({"id": null, "idempotency_key": null}));
    body.insert("type".into(), snapshot.event_type.into());
    Some(Value::Object(body).to_string())
}

/// The URL template with `{id}` filled in, and any other `{param}` given a plausible id.
fn url(resource: &RelatedResourceInfo, id: &str) -> String {
    let template = resource.url_template;
    let mut url = String::with_capacity(template.len().saturating_add(32));
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        url.push_str(before);
        let Some((param, tail)) = after.split_once('}') else {
            url.push('{');
            rest = after;
            continue;
        };
        if param == "id" {
            url.push_str(id);
        } else {
            let noun = param.strip_suffix("_id").unwrap_or(param);
            url.push_str(&fresh_id(&format!("{}_test", id_prefix(noun))));
        }
        rest = tail;
    }
    url.push_str(rest);
    url
}

/// Stripe's id prefix for an object type (`v2.core.account` → `acct`), else the initials of
/// its last word (`outbound_setup_intent` → `osi`).
fn id_prefix(object_type: &str) -> String {
    let noun = object_type.rsplit('.').next().unwrap_or(object_type);
    let known = match noun {
        "account" => "acct",
        "meter" => "mtr",
        "person" => "person",
        "event_destination" => "ed",
        "financial_account" => "fa",
        "financial_address" => "fadr",
        "inbound_transfer" => "ibt",
        "outbound_payment" => "obp",
        "outbound_transfer" => "obt",
        "received_credit" => "rc",
        "received_debit" => "rd",
        "transaction" => "trxn",
        "adjustment" => "adj",
        "payout_method" => "pm",
        "customer" => "cus",
        _ => "",
    };
    if known.is_empty() {
        noun.split('_').filter_map(|word| word.chars().next()).collect()
    } else {
        known.to_owned()
    }
}

/// `prefix_` and 24 random alphanumerics.
fn fresh_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let suffix: String = (0..24)
        .map(|_| {
            let index = usize::try_from(crate::random::below(62)).unwrap_or(0);
            ALPHABET.get(index).map_or('0', |&b| char::from(b))
        })
        .collect();
    format!("{prefix}_{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::related::RelatedExample;

    const METER: EventInfo = EventInfo {
        event_type: "v1.billing.meter.error_report_triggered",
        related: RelatedInfo::Object(RelatedResourceInfo {
            object_type: "billing.meter",
            url_template: "/v1/billing/meters/{id}",
            example: None,
        }),
        thin: true,
        snapshot: Some(crate::SnapshotInfo {
            event_type: "billing.meter.error_report_triggered",
            object_types: &["billing.meter"],
        }),
    };

    #[test]
    fn snapshot_samples_carry_the_object_given_or_a_minimal_one() {
        let given = snapshot_event(
            &METER,
            Some(r#"{"id":"mtr_1","object":"billing.meter"}"#),
            Some("acct_1"),
            "2026-09-30.endive",
        )
        .unwrap();
        let event: Value = serde_json::from_str(&given).unwrap();
        assert_eq!(event["object"], "event");
        assert_eq!(event["type"], "billing.meter.error_report_triggered");
        assert_eq!(event["data"]["object"]["id"], "mtr_1");
        assert_eq!(event["account"], "acct_1");
        assert_eq!(event["api_version"], "2026-09-30.endive");
        assert!(event["created"].is_i64());
        let minimal: Value = serde_json::from_str(&snapshot_event(&METER, None, None, "v").unwrap()).unwrap();
        assert_eq!(minimal["data"]["object"]["object"], "billing.meter");
        assert!(minimal.get("account").is_none());
        let thin_only = EventInfo {
            snapshot: None,
            ..METER
        };
        assert_eq!(snapshot_event(&thin_only, None, None, "v"), None);
    }

    #[test]
    fn samples_have_the_type_and_related_object_of_their_info() {
        let sample: Value =
            serde_json::from_str(&notification(&METER, StripeContext::parse("acct_1").as_ref())).unwrap();
        assert_eq!(sample["type"], "v1.billing.meter.error_report_triggered");
        assert_eq!(sample["object"], "v2.core.event");
        assert_eq!(sample["context"], "acct_1");
        let id = sample["related_object"]["id"].as_str().unwrap();
        assert!(
            id.starts_with("mtr_test_") && id.len() == "mtr_test_".len() + 24,
            "{id}"
        );
        assert_eq!(
            sample["related_object"]["url"],
            format!("/v1/billing/meters/{id}")
        );
        assert!(
            sample["created"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .is_ok()
        );
    }

    #[test]
    fn ids_are_fresh_per_call() {
        assert_ne!(notification(&METER, None), notification(&METER, None));
    }

    #[test]
    fn singleton_and_none_shapes_and_path_parameters() {
        let person = RelatedInfo::Object(RelatedResourceInfo {
            object_type: "v2.core.account_person",
            url_template: "/v2/core/accounts/{account_id}/persons/{id}",
            example: None,
        });
        let sample: Value = serde_json::from_str(&notification_of_type("x.y", &person, None)).unwrap();
        let url = sample["related_object"]["url"].as_str().unwrap();
        let id = sample["related_object"]["id"].as_str().unwrap();
        assert!(
            url.starts_with("/v2/core/accounts/acct_test_") && url.ends_with(&format!("/persons/{id}")),
            "{url}"
        );

        let balance = RelatedInfo::Singleton(RelatedResourceInfo {
            object_type: "balance",
            url_template: "/v1/balance",
            example: None,
        });
        let sample: Value =
            serde_json::from_str(&notification_of_type("v1.balance.available", &balance, None)).unwrap();
        assert_eq!(
            sample["related_object"],
            json!({"type": "balance", "url": "/v1/balance"})
        );

        let none: Value =
            serde_json::from_str(&notification_of_type("a.b", &RelatedInfo::None, None)).unwrap();
        assert!(none.get("related_object").is_none() && none.get("context").is_none());
    }

    #[test]
    fn the_specs_example_gives_the_related_object() {
        let refund = RelatedInfo::Object(RelatedResourceInfo {
            object_type: "fee_refund",
            url_template: "/v1/fee_refunds/{id}",
            example: Some(RelatedExample {
                id: Some("fr_1"),
                url: "/v1/application_fees/fee_1/refunds/fr_1",
            }),
        });
        let sample: Value = serde_json::from_str(&notification_of_type(
            "v1.application_fee.refund.updated",
            &refund,
            None,
        ))
        .unwrap();
        assert_eq!(
            sample["related_object"],
            json!({"id": "fr_1", "type": "fee_refund", "url": "/v1/application_fees/fee_1/refunds/fr_1"})
        );
    }
}

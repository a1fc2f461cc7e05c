//! An event's related object: its shape (with an id, a singleton, none), its resource, where it
//! is fetched from, and the spec's example of it.

use openapiv3::Schema;
use serde_json::Value;

use crate::error::Error;
use crate::events::declared_type;
use crate::ir::{Related, RelatedExample, RelatedResource};
use crate::location::Location;
use crate::lower::Lowering;
use crate::names;
use crate::object::object_view;
use crate::refs::SchemaRef;
use crate::resources::{ResourceIndex, ResourceMap};

/// What reading a related object needs besides its schema.
pub(crate) struct RelatedContext<'a, 's> {
    pub(crate) resources: &'a ResourceIndex<'s>,
    pub(crate) external: &'a ResourceMap,
}

/// The related object's shape: `id` nullable means a singleton resource. Its resource type is
/// the `type` property's single enum value: the spec's struct when a spec defines it, else the
/// external type, else any JSON.
pub(crate) fn related_shape<'s>(
    event_type: &str,
    event: &'s Schema,
    related: &'s Schema,
    context: &RelatedContext<'_, 's>,
    lowering: &mut Lowering<'s>,
    at: &Location,
) -> Result<Related, Error> {
    let view = object_view(related).ok_or_else(|| at.error("related_object must be an object"))?;
    let object_type = match declared_type(related).as_deref() {
        Some([single]) => (*single).to_owned(),
        Some(several) => {
            return Err(at.field("type").error(format!(
                "a related object has one type, the enum lists {several:?}"
            )));
        }
        None => {
            return Err(at
                .field("type")
                .error("a related object needs a `type` enum naming its resource"));
        }
    };
    // The v2 specs give only `type`; the GA spec gives `{id, type, url}`, `id` nullable for a
    // singleton.
    let singleton = view
        .properties
        .get("id")
        .is_some_and(|id| match SchemaRef::from(id) {
            SchemaRef::Item(id) => id.schema_data.nullable,
            SchemaRef::Reference(_) => false,
        });
    let definition = context.resources.defined.get(object_type.as_str());
    let resource = match definition {
        Some(definition) => Some(lowering.component(
            definition.spec,
            definition.key,
            &names::resource_type(&object_type),
        )?),
        None => None,
    };
    let example = example(event, &object_type, singleton);
    let url_template = definition
        .and_then(|definition| lowering.schema(definition.spec, definition.key))
        .and_then(retrieve_path)
        .or_else(|| example.as_ref().map(template_of_example))
        .unwrap_or_else(|| conventional_path(&object_type, singleton));
    let related = RelatedResource {
        external: resource
            .is_none()
            .then(|| context.external.external(&object_type, event_type))
            .flatten(),
        object_type,
        url_template,
        example,
        resource,
    };
    Ok(if singleton {
        Related::Singleton(related)
    } else {
        Related::Object(related)
    })
}

/// The related object of the event schema's `example`, when it has a usable one: of the
/// object's type, at a path (some examples are placeholders, `{"id": "4242", "url": "4242"}`).
fn example(event: &Schema, object_type: &str, singleton: bool) -> Option<RelatedExample> {
    let related = event.schema_data.example.as_ref()?.get("related_object")?;
    if related.get("type")?.as_str()? != object_type {
        return None;
    }
    let url = related
        .get("url")?
        .as_str()
        .filter(|url| url.starts_with('/'))?
        .to_owned();
    let id = related.get("id").and_then(Value::as_str).map(str::to_owned);
    match (singleton, id) {
        (true, _) => Some(RelatedExample { id: None, url }),
        (false, Some(id)) => Some(RelatedExample { id: Some(id), url }),
        (false, None) => None,
    }
}

/// The path of a resource's `retrieve` operation (`x-stripeOperations`).
fn retrieve_path(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .extensions
        .get("x-stripeOperations")?
        .as_array()?
        .iter()
        .find(|operation| operation.get("method_type").and_then(Value::as_str) == Some("retrieve"))?
        .get("path")?
        .as_str()
        .map(str::to_owned)
}

/// The example's URL as a template: its own id becomes `{id}`, and the id of each parent
/// (`/v1/application_fees/fee_1B73DOKbnvuxQXGuhY8Aw0TN/refunds/...`) `{application_fee_id}`.
fn template_of_example(example: &RelatedExample) -> String {
    let segments: Vec<&str> = example.url.split('/').collect();
    let mut template = Vec::with_capacity(segments.len());
    for (index, segment) in segments.iter().enumerate() {
        if Some(*segment) == example.id.as_deref() {
            template.push("{id}".to_owned());
        } else if looks_like_an_id(segment) {
            let parent = index
                .checked_sub(1)
                .and_then(|before| segments.get(before))
                .map_or("parent", |noun| noun.strip_suffix('s').unwrap_or(noun));
            template.push(format!("{{{parent}_id}}"));
        } else {
            template.push((*segment).to_owned());
        }
    }
    template.join("/")
}

/// `cus_NffrFeUfNV2Hib`: a short prefix, an underscore, and a long alphanumeric tail with a digit
/// or a capital in it (`balance_settings`, a singleton's path, is a word, not an id).
fn looks_like_an_id(segment: &str) -> bool {
    segment.split_once('_').is_some_and(|(prefix, tail)| {
        (1..=8).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_lowercase())
            && tail.len() >= 8
            && tail.bytes().all(|b| b.is_ascii_alphanumeric())
            && tail.bytes().any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    })
}

/// A resource path by Stripe's convention when the spec says nothing better:
/// `billing.meter` → `/v1/billing/meters/{id}`, `v2.core.thing` → `/v2/core/things/{id}`;
/// a singleton has no id (`balance` → `/v1/balance`).
fn conventional_path(object_type: &str, singleton: bool) -> String {
    let path = object_type.replace('.', "/");
    let path = if object_type.starts_with("v2.") {
        path
    } else {
        format!("v1/{path}")
    };
    if singleton {
        format!("/{path}")
    } else {
        format!("/{path}s/{{id}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_urls_become_templates() {
        let refund = RelatedExample {
            id: Some("fr_1Nispe2eZvKYlo2Cd31jOCgZ".into()),
            url: "/v1/application_fees/fee_1B73DOKbnvuxQXGuhY8Aw0TN/refunds/fr_1Nispe2eZvKYlo2Cd31jOCgZ"
                .into(),
        };
        assert_eq!(
            template_of_example(&refund),
            "/v1/application_fees/{application_fee_id}/refunds/{id}"
        );
        let discount = RelatedExample {
            id: None,
            url: "/v1/customers/cus_NffrFeUfNV2Hib/discount".into(),
        };
        assert_eq!(
            template_of_example(&discount),
            "/v1/customers/{customer_id}/discount"
        );
        let balance = RelatedExample {
            id: None,
            url: "/v1/balance".into(),
        };
        assert_eq!(template_of_example(&balance), "/v1/balance");
        let balance_settings = RelatedExample {
            id: None,
            url: "/v1/balance_settings".into(),
        };
        assert_eq!(template_of_example(&balance_settings), "/v1/balance_settings");
    }

    #[test]
    fn conventional_paths() {
        assert_eq!(
            conventional_path("billing.meter", false),
            "/v1/billing/meters/{id}"
        );
        assert_eq!(
            conventional_path("v2.core.account", false),
            "/v2/core/accounts/{id}"
        );
        assert_eq!(conventional_path("balance", true), "/v1/balance");
    }
}

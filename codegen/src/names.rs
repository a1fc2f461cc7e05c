//! Rust names for Stripe's names, following the official SDKs so that their docs carry over.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// The words of an event type: `v2.core.account[configuration.customer].updated` reads
/// `v2 core account including configuration customer updated`, as in Stripe's SDKs.
fn event_type_words(event_type: &str) -> impl Iterator<Item = String> + '_ {
    event_type
        .split(['.', '[', ']'])
        .zip(bracket_marks(event_type))
        .filter(|(word, _)| !word.is_empty())
        .flat_map(|(word, opens_bracket)| {
            opens_bracket
                .then(|| "including".to_owned())
                .into_iter()
                .chain(std::iter::once(word.to_owned()))
        })
}

/// For each `.`/`[`/`]`-separated word of `event_type`, whether it is the first inside `[...]`.
fn bracket_marks(event_type: &str) -> impl Iterator<Item = bool> + '_ {
    std::iter::once(false).chain(
        event_type
            .chars()
            .filter(|c| matches!(c, '.' | '[' | ']'))
            .map(|c| c == '['),
    )
}

/// `V2CoreAccountIncludingConfigurationCustomerUpdated`.
pub fn event_kind(event_type: &str) -> String {
    event_type_words(event_type)
        .map(|word| word.to_upper_camel_case())
        .collect()
}

/// `on_v2_core_account_including_configuration_customer_updated`.
pub fn on_method(event_type: &str) -> String {
    let words: Vec<String> = event_type_words(event_type)
        .map(|word| word.to_snake_case())
        .collect();
    format!("on_{}", words.join("_"))
}

/// `v2.money_management.inbound_transfer` → `V2MoneyManagementInboundTransfer`.
pub fn resource_type(resource_id: &str) -> String {
    type_name(resource_id)
}

/// An UpperCamelCase type name for any text; never empty, never starting with a digit.
pub fn type_name(text: &str) -> String {
    let name = text.to_upper_camel_case();
    match name.chars().next() {
        None => "Value".to_owned(),
        Some(first) if first.is_ascii_digit() => format!("V{name}"),
        // The one UpperCamelCase keyword.
        Some(_) if name == "Self" => "SelfValue".to_owned(),
        Some(_) => name,
    }
}

/// A field name: snake_case; a Rust keyword gets a raw identifier (`r#type`) and the few that
/// cannot be raw (`self`, `super`, `crate`, `Self`) a trailing underscore.
pub fn field_name(json_name: &str) -> String {
    let snake = json_name.to_snake_case();
    let snake = match snake.chars().next() {
        None => "field".to_owned(),
        Some(first) if first.is_ascii_digit() => format!("field_{snake}"),
        Some(_) => snake,
    };
    if matches!(snake.as_str(), "self" | "super" | "crate" | "Self" | "_") {
        format!("{snake}_")
    } else if syn::parse_str::<syn::Ident>(&snake).is_err() {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// An enum variant for a string value: `timestamp_in_future` → `TimestampInFuture`.
pub fn variant_name(value: &str) -> String {
    if value.is_empty() {
        "Empty".to_owned()
    } else {
        type_name(value)
    }
}

/// Names handed out so far; a name asked for twice gets a numeric suffix, so that no two
/// generated items ever collide, whatever the spec's paths.
#[derive(Debug, Default)]
pub struct NameSet {
    taken: BTreeSet<String>,
}

impl NameSet {
    /// Names that must stay free (items the generated crate defines besides spec types).
    pub fn reserving<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: names.into_iter().map(str::to_owned).collect(),
        }
    }

    /// `wanted` if free, else `wanted2`, `wanted3`, ...
    pub fn claim(&mut self, wanted: &str) -> String {
        let name = (1usize..)
            .map(|n| {
                if n == 1 {
                    wanted.to_owned()
                } else {
                    format!("{wanted}{n}")
                }
            })
            .find(|candidate| !self.taken.contains(candidate))
            .unwrap_or_else(|| wanted.to_owned());
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_follow_the_sdks() {
        let t = "v1.billing.meter.error_report_triggered";
        assert_eq!(event_kind(t), "V1BillingMeterErrorReportTriggered");
        assert_eq!(on_method(t), "on_v1_billing_meter_error_report_triggered");
    }

    #[test]
    fn bracketed_parts_read_including() {
        let t = "v2.core.account[configuration.customer].capability_status_updated";
        assert_eq!(
            event_kind(t),
            "V2CoreAccountIncludingConfigurationCustomerCapabilityStatusUpdated"
        );
        assert_eq!(
            on_method(t),
            "on_v2_core_account_including_configuration_customer_capability_status_updated"
        );
        assert_eq!(
            event_kind("v2.core.account[defaults].updated"),
            "V2CoreAccountIncludingDefaultsUpdated"
        );
    }

    #[test]
    fn keywords_and_odd_field_names_become_identifiers() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("3d_secure"), "field_3d_secure");
        assert_eq!(
            field_name("developer_message_summary"),
            "developer_message_summary"
        );
        assert_eq!(field_name(""), "field");
    }

    #[test]
    fn names_never_collide() {
        let mut names = NameSet::reserving(["Catalog"]);
        assert_eq!(names.claim("Catalog"), "Catalog2");
        assert_eq!(names.claim("Foo"), "Foo");
        assert_eq!(names.claim("Foo"), "Foo2");
        assert_eq!(names.claim("Foo"), "Foo3");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("timestamp_in_future"), "TimestampInFuture");
        assert_eq!(variant_name("2024-01"), "V202401");
        assert_eq!(variant_name("self"), "SelfValue");
        assert_eq!(variant_name(""), "Empty");
    }
}

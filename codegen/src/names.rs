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
pub(crate) fn event_kind(event_type: &str) -> String {
    event_type_words(event_type)
        .map(|word| word.to_upper_camel_case())
        .collect()
}

/// `on_v2_core_account_including_configuration_customer_updated`.
pub(crate) fn on_method(event_type: &str) -> String {
    let words: Vec<String> = event_type_words(event_type)
        .map(|word| word.to_snake_case())
        .collect();
    format!("on_{}", words.join("_"))
}

/// `v2.money_management.inbound_transfer` → `V2MoneyManagementInboundTransfer`.
pub(crate) fn resource_type(resource_id: &str) -> String {
    type_name(resource_id)
}

/// An UpperCamelCase type name for any text; never empty, never starting with a digit.
pub(crate) fn type_name(text: &str) -> String {
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
pub(crate) fn field_name(json_name: &str) -> String {
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
pub(crate) fn variant_name(value: &str) -> String {
    if value.is_empty() {
        "Empty".to_owned()
    } else {
        type_name(value)
    }
}

/// Names handed out so far; a name asked for twice gets a numeric suffix, so that no two
/// generated items ever collide, whatever the spec's paths. Some names may be forbidden: the
/// crate defines them itself, and a spec type asking for one is an error, not a renaming users
/// would trip over.
#[derive(Debug, Default)]
pub(crate) struct NameSet {
    taken: BTreeSet<String>,
    forbidden: BTreeSet<String>,
}

impl NameSet {
    /// Names that are taken already: asking for one gets a suffixed name.
    pub(crate) fn reserving<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: names.into_iter().map(str::to_owned).collect(),
            forbidden: BTreeSet::new(),
        }
    }

    /// Names no one may ask for.
    pub(crate) fn forbidding<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: BTreeSet::new(),
            forbidden: names.into_iter().map(str::to_owned).collect(),
        }
    }

    /// `wanted` if free, else `wanted2`, `wanted3`, ...; an error for a forbidden name.
    pub(crate) fn claim(&mut self, wanted: &str) -> Result<String, String> {
        if self.forbidden.contains(wanted) {
            return Err(format!(
                "its Rust name `{wanted}` is one the generated crate defines itself"
            ));
        }
        Ok(self.claim_free(wanted))
    }

    /// [`claim`](Self::claim), with forbidden names taken as taken.
    pub(crate) fn claim_free(&mut self, wanted: &str) -> String {
        let name = (1usize..)
            .map(|n| {
                if n == 1 {
                    wanted.to_owned()
                } else {
                    format!("{wanted}{n}")
                }
            })
            .find(|candidate| !self.is_taken(candidate))
            .unwrap_or_else(|| wanted.to_owned());
        self.taken.insert(name.clone());
        name
    }

    /// Whether `name` is handed out or forbidden.
    pub(crate) fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name) || self.forbidden.contains(name)
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
        let mut names = NameSet::reserving(["Unknown"]);
        assert_eq!(names.claim_free("Unknown"), "Unknown2");
        assert_eq!(names.claim_free("Foo"), "Foo");
        assert_eq!(names.claim_free("Foo"), "Foo2");
        assert_eq!(names.claim_free("Foo"), "Foo3");
    }

    #[test]
    fn forbidden_names_are_errors() {
        let mut names = NameSet::forbidding(["Catalog"]);
        assert!(names.claim("Catalog").unwrap_err().contains("`Catalog`"));
        assert_eq!(names.claim("Catalogue"), Ok("Catalogue".to_owned()));
        assert_eq!(names.claim_free("Catalog"), "Catalog2");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("timestamp_in_future"), "TimestampInFuture");
        assert_eq!(variant_name("2024-01"), "V202401");
        assert_eq!(variant_name("self"), "SelfValue");
        assert_eq!(variant_name(""), "Empty");
    }
}

//! What a snapshot event's object reads as: any type serde reads, or a choice of types named by
//! the object's `object` ([`object_choice!`](crate::object_choice)), for the classic types whose
//! object may be a bank account, a card or a source.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::error::ObjectError;

/// A type a snapshot event's `data.object` reads as ([`Snapshot::object`](crate::Snapshot::object)).
/// Every type serde reads is one; an [`object_choice!`](crate::object_choice) enum reads the
/// variant its `object` names, so that an error names the field inside that variant.
pub trait SnapshotObject: Sized + fmt::Debug + Send + Sync + 'static {
    /// Reads the object.
    fn read(object: ObjectJson<'_>) -> Result<Self, ObjectError>;
}

impl<T: DeserializeOwned + fmt::Debug + Send + Sync + 'static> SnapshotObject for T {
    fn read(object: ObjectJson<'_>) -> Result<Self, ObjectError> {
        object.read_as()
    }
}

/// An object of a snapshot event as JSON, with what names it in an error.
#[derive(Clone, Copy, Debug)]
pub struct ObjectJson<'a> {
    event: (&'a str, &'a str),
    what: &'static str,
    json: &'a str,
    object_type: Option<&'a str>,
}

impl<'a> ObjectJson<'a> {
    /// `json`, the `what` (`data.object`) of event `(id, type)`, whose `object` is `object_type`.
    pub(crate) fn new(
        event: (&'a str, &'a str),
        what: &'static str,
        json: &'a str,
        object_type: Option<&'a str>,
    ) -> Self {
        Self {
            event,
            what,
            json,
            object_type,
        }
    }

    /// The object's `object`, `card`.
    pub fn object_type(&self) -> Option<&'a str> {
        self.object_type
    }

    /// The object read as `T`, or an error naming the event, the type and the JSON path that
    /// failed.
    pub fn read_as<T: DeserializeOwned>(&self) -> Result<T, ObjectError> {
        // Tracking the path costs on every field: it is done only again, for the error, when
        // the plain read fails.
        if let Ok(value) = serde_json::from_str(self.json) {
            return Ok(value);
        }
        let mut deserializer = serde_json::Deserializer::from_str(self.json);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            ObjectError::new(
                self.event,
                self.what,
                std::any::type_name::<T>(),
                error.path().to_string(),
                error.into_inner().to_string(),
            )
        })
    }

    /// The error for an object whose `object` is none of the choice `T`'s `expected`.
    pub fn not_one_of<T>(&self, expected: &[&str]) -> ObjectError {
        ObjectError::new(
            self.event,
            self.what,
            std::any::type_name::<T>(),
            ".object".to_owned(),
            format!(
                "`{}` is none of {}",
                self.object_type.unwrap_or("(absent)"),
                expected.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
    pub struct Card {
        id: String,
        exp_month: u8,
    }

    #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
    pub struct Source {
        id: String,
    }

    crate::object_choice! {
        /// A card or a source.
        #[derive(Clone, PartialEq)]
        pub enum CardOrSource {
            /// A card.
            Card = "card" Card,
            /// A source.
            Source = "source" Source,
        }
    }

    fn read(json: &str, object_type: Option<&str>) -> Result<CardOrSource, ObjectError> {
        CardOrSource::read(ObjectJson::new(
            ("evt_1", "customer.source.expiring"),
            "data.object",
            json,
            object_type,
        ))
    }

    #[test]
    fn a_choice_reads_the_variant_its_object_names() {
        let card = r#"{"object": "card", "id": "card_1", "exp_month": 6}"#;
        assert_eq!(
            read(card, Some("card")),
            Ok(CardOrSource::Card(Card {
                id: "card_1".into(),
                exp_month: 6
            }))
        );
        let source = r#"{"object": "source", "id": "src_1"}"#;
        assert_eq!(
            read(source, Some("source")),
            Ok(CardOrSource::Source(Source { id: "src_1".into() }))
        );
    }

    #[test]
    fn a_choice_names_the_field_of_its_variant_and_refuses_other_objects() {
        let card = r#"{"object": "card", "id": "card_1", "exp_month": "June"}"#;
        let error = read(card, Some("card")).unwrap_err();
        assert_eq!(
            (error.path(), error.type_name()),
            ("exp_month", std::any::type_name::<Card>())
        );
        assert_eq!(error.event_id(), "evt_1");

        let account = r#"{"object": "bank_account", "id": "ba_1"}"#;
        let error = read(account, Some("bank_account")).unwrap_err();
        assert_eq!(error.path(), ".object");
        assert_eq!(error.message(), "`bank_account` is none of card, source");
        assert!(read(account, None).is_err());
    }
}

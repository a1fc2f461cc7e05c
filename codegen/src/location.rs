//! Where in the specs a schema sits, for error messages and for the descriptions of types the
//! spec does not describe.

use std::rc::Rc;

use crate::error::Error;

/// A place in one of the specs: the spec, a `components.schemas` entry, a path inside it.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    /// The spec's index among those read, and its name.
    pub(crate) spec: usize,
    spec_name: Rc<str>,
    schema: Rc<str>,
    field: String,
}

impl Location {
    /// The top of a `components.schemas` entry of spec `spec`.
    pub(crate) fn schema(spec: usize, spec_name: &Rc<str>, key: &str) -> Self {
        Self {
            spec,
            spec_name: Rc::clone(spec_name),
            schema: Rc::from(key),
            field: String::new(),
        }
    }

    /// A property below this one.
    pub(crate) fn field(&self, name: &str) -> Self {
        let field = if self.field.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.field)
        };
        Self {
            field,
            ..self.clone()
        }
    }

    /// The items of the array here.
    pub(crate) fn items(&self) -> Self {
        Self {
            field: format!("{}[]", self.field),
            ..self.clone()
        }
    }

    /// A description for a type made here when the spec gives none.
    pub(crate) fn origin(&self) -> String {
        if self.field.is_empty() {
            format!("Schema `{}` of Stripe's spec.", self.schema)
        } else {
            format!("`{}` in schema `{}` of Stripe's spec.", self.field, self.schema)
        }
    }

    /// An error at this place.
    pub(crate) fn error(&self, problem: impl Into<String>) -> Error {
        Error::Schema {
            spec: self.spec_name.to_string(),
            schema: self.schema.to_string(),
            field: self.field.clone(),
            problem: problem.into(),
        }
    }
}

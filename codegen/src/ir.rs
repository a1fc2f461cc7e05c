//! The intermediate representation: a plain list of events and the Rust types they need, with
//! every name decided. Parsing fills it; emitting only prints it.

/// Everything the generated crate is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// The spec's API version (`info.version`), sent as `Stripe-Version`.
    pub api_version: String,
    /// Thin events, sorted by type string.
    pub events: Vec<Event>,
    /// Types for event data and related resources, in a deterministic order.
    pub types: Vec<TypeDef>,
}

/// One thin event type.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `v1.billing.meter.error_report_triggered`.
    pub event_type: String,
    /// The schema it was read from, for messages.
    pub schema: String,
    /// The kind's type name, `V1BillingMeterErrorReportTriggered`.
    pub kind: String,
    /// The registration method, `on_v1_billing_meter_error_report_triggered`.
    pub method: String,
    /// From the schema's description.
    pub description: Option<String>,
    /// The shape of `related_object`.
    pub related: Related,
    /// The type of the event's `data`.
    pub data: TypeRef,
}

/// The shape of an event's `related_object`.
#[derive(Debug, Clone, PartialEq)]
pub enum Related {
    /// `{id, type, url}`.
    Object(RelatedResource),
    /// A singleton resource: `{type, url}`, no id.
    Singleton(RelatedResource),
    /// No related object.
    None,
}

/// What a related object is.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedResource {
    /// The object type string, `v2.core.account`; `None` when the spec does not say.
    pub object_type: Option<String>,
    /// The resource's type when the spec defines the resource (`x-resourceId`).
    pub resource: Option<TypeRef>,
    /// The path to retrieve it, `/v2/core/accounts/{id}`: from the resource's `retrieve`
    /// operation, else derived from the object type.
    pub url_template: Option<String>,
}

/// A Rust type, as a field or a generic argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// A `format: int64` string: an `i64` that travels as a string.
    Int64String,
    /// A `format: decimal` string, kept exact.
    Decimal,
    /// A `format: date-time` string.
    Timestamp,
    /// Any JSON.
    Json,
    /// `Vec<T>`.
    List(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>`.
    Optional(Box<TypeRef>),
    /// `Box<T>`: a recursive reference.
    Boxed(Box<TypeRef>),
    /// A generated type, by name.
    Named(String),
}

/// A generated type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// A struct with named fields.
    Struct(Struct),
    /// An open string enum: one variant per known value, plus `Unknown(String)`.
    Enum(OpenEnum),
    /// One of several shapes (`anyOf`/`oneOf`), tried in order.
    Union(Union),
    /// Another name for a type of the same shape.
    Alias(Alias),
}

impl TypeDef {
    /// The type's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Struct(s) => &s.name,
            Self::Enum(e) => &e.name,
            Self::Union(u) => &u.name,
            Self::Alias(a) => &a.name,
        }
    }
}

/// A struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Type name.
    pub name: String,
    /// Doc comment.
    pub description: Option<String>,
    /// Fields, in the spec's order.
    pub fields: Vec<Field>,
    /// Type of additional properties besides the fields, when the schema allows them.
    pub additional: Option<TypeRef>,
}

/// A struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON key.
    pub json_name: String,
    /// The Rust field name (may be a raw identifier, `r#type`).
    pub rust_name: String,
    /// The field's type (already `Optional` when not required or nullable).
    pub ty: TypeRef,
    /// Doc comment.
    pub description: Option<String>,
}

/// An open string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    /// Type name.
    pub name: String,
    /// Doc comment.
    pub description: Option<String>,
    /// `(variant name, value)`, in the spec's order.
    pub variants: Vec<(String, String)>,
}

/// A union of shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Type name.
    pub name: String,
    /// Doc comment.
    pub description: Option<String>,
    /// `(variant name, type)`, tried in this order.
    pub variants: Vec<(String, TypeRef)>,
}

/// A type emitted as another name of a type of the same shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    /// Type name.
    pub name: String,
    /// The type that has the definition.
    pub target: String,
}

//! The intermediate representation: a plain list of events and the Rust types they need, with
//! every name decided. Parsing fills it; emitting only prints it.

/// Everything the generated crate is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// The first spec's API version (`info.version`), sent as `Stripe-Version`.
    pub api_version: String,
    /// The specs it was made from, in the order given.
    pub specs: Vec<SpecSource>,
    /// Event types, sorted by type string: the specs' thin events, and the classic types Stripe
    /// sends only as snapshot events (named as thin twins are).
    pub events: Vec<Event>,
    /// Types for event data and related resources, in a deterministic order.
    pub types: Vec<TypeDef>,
}

/// A spec the catalog was made from, as every generated file's header names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecSource {
    /// The file name.
    pub name: String,
    /// Its `info.version`.
    pub api_version: String,
    /// The sha256 of its bytes.
    pub sha256: String,
}

/// One event type.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `v1.billing.meter.error_report_triggered`.
    pub event_type: String,
    /// The spec it was read from (the classic types' map, for a snapshot-only type).
    pub spec: String,
    /// The schema it was read from (the classic type, for a snapshot-only type).
    pub schema: String,
    /// Whether Stripe sends it as a thin event (a spec defines it).
    pub thin: bool,
    /// Its classic snapshot type, when Stripe also (or only) sends it so.
    pub snapshot: Option<Snapshot>,
    /// The kind's type name, `V1BillingMeterErrorReportTriggered`.
    pub kind: String,
    /// The notification's alias, `V1BillingMeterErrorReportTriggeredEventNotification`.
    pub notification: String,
    /// The fetched event's alias, `V1BillingMeterErrorReportTriggeredEvent`.
    pub fetched: String,
    /// The registration method, `on_v1_billing_meter_error_report_triggered`.
    pub method: String,
    /// From the schema's description.
    pub description: Option<String>,
    /// The shape of `related_object`.
    pub related: Related,
    /// The type of the event's `data`.
    pub data: TypeRef,
    /// The type of the event's `changes`.
    pub changes: TypeRef,
}

/// The classic snapshot type of an event type, and what its `data.object` may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// `invoice.paid`.
    pub event_type: String,
    /// The object types `data.object` may have, sorted, each with its type in another crate.
    pub objects: Vec<(String, ExternalType)>,
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
    /// The object type string, `v2.core.account`.
    pub object_type: String,
    /// The path to retrieve it, `/v2/core/accounts/{id}`: from the resource's `retrieve`
    /// operation, else from the spec's example, else by Stripe's convention.
    pub url_template: String,
    /// The related object of the spec's example event.
    pub example: Option<RelatedExample>,
    /// The resource's type when a spec defines the resource (`x-resourceId`).
    pub resource: Option<TypeRef>,
    /// Its type in another crate, behind a feature, when no spec defines it.
    pub external: Option<ExternalType>,
}

/// A related object as the spec's example event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedExample {
    /// Its id; `None` for a singleton.
    pub id: Option<String>,
    /// Its URL.
    pub url: String,
}

/// A resource type from another crate (async-stripe's), used when a cargo feature is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalType {
    /// The generated crate's feature that brings the crate in.
    pub feature: String,
    /// The type's path, `stripe_shared::Invoice`.
    pub path: String,
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

//! Rust spelling of the IR: identifiers, doc comments, types.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::error::Error;
use crate::ir::TypeRef;

/// An identifier, raw when the name says so (`r#type`).
pub(super) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The lines of a doc comment from a description. Lines are trimmed so that nothing in
/// Stripe's prose becomes an indented code block, and code fences are marked `text` so that
/// rustdoc never compiles them as doctests.
pub(super) fn doc_lines(description: Option<&str>) -> Vec<String> {
    let Some(description) = description.map(str::trim).filter(|d| !d.is_empty()) else {
        return Vec::new();
    };
    description
        .lines()
        .map(|line| {
            let line = line.trim();
            if line.starts_with("```") {
                " ```text".to_owned()
            } else if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

/// Doc attributes from a description.
pub(super) fn docs(description: Option<&str>) -> TokenStream {
    let lines = doc_lines(description);
    quote!(#(#[doc = #lines])*)
}

/// A type as Rust source text.
pub(super) fn type_text(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::Integer => "i64".to_owned(),
        TypeRef::Number => "f64".to_owned(),
        TypeRef::Int64String => "stripe_notify_runtime::types::Int64".to_owned(),
        TypeRef::Decimal => "stripe_notify_runtime::types::Decimal".to_owned(),
        TypeRef::Timestamp => "stripe_notify_runtime::Timestamp".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::List(item) => format!("Vec<{}>", type_text(item)),
        TypeRef::Map(value) => format!("std::collections::BTreeMap<String, {}>", type_text(value)),
        TypeRef::Optional(inner) => format!("Option<{}>", type_text(inner)),
        TypeRef::Boxed(inner) => format!("Box<{}>", type_text(inner)),
        TypeRef::Named(name) => name.clone(),
    }
}

/// A type as tokens.
pub(super) fn type_tokens(ty: &TypeRef) -> Result<TokenStream, Error> {
    let text = type_text(ty);
    syn::parse_str::<syn::Type>(&text)
        .map(|ty| ty.into_token_stream())
        .map_err(|e| Error::Emit(format!("type `{text}`: {e}")))
}

//! `schemas.rs`: the types of event `data` and `changes` and of related resources, sorted by
//! name: structs, open enums, untagged unions, and aliases for repeated shapes.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{docs, ident, type_tokens};
use super::unparse_spaced;
use crate::error::Error;
use crate::ir::{Alias, Catalog, Field, OpenEnum, Struct, TypeDef, TypeRef, Union};

pub(super) fn contents(catalog: &Catalog) -> Result<String, Error> {
    let mut types: Vec<&TypeDef> = catalog.types.iter().collect();
    types.sort_by(|a, b| a.name().cmp(b.name()));
    let types = types
        .into_iter()
        .map(|ty| match ty {
            TypeDef::Struct(s) => struct_tokens(s),
            TypeDef::Enum(e) => Ok(enum_tokens(e)),
            TypeDef::Union(u) => union_tokens(u),
            TypeDef::Alias(a) => Ok(alias_tokens(a)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    unparse_spaced(quote! {
        //! The types of event `data` and `changes` and of related resources, from the specs'
        //! schemas.

        use serde::{Deserialize, Serialize};

        #(#types)*
    })
}

fn struct_tokens(s: &Struct) -> Result<TokenStream, Error> {
    let name = ident(&s.name);
    let description = docs(s.description.as_deref());
    let fields = s.fields.iter().map(field_tokens).collect::<Result<Vec<_>, _>>()?;
    let additional = s
        .additional
        .as_ref()
        .map(|values| {
            let values = type_tokens(values)?;
            Ok::<_, Error>(quote! {
                /// Properties besides the named fields.
                #[serde(flatten)]
                pub additional: std::collections::BTreeMap<String, #values>,
            })
        })
        .transpose()?;
    Ok(quote! {
        #description
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
    })
}

fn field_tokens(field: &Field) -> Result<TokenStream, Error> {
    let name = ident(&field.rust_name);
    let ty = type_tokens(&field.ty)?;
    let description = docs(field.description.as_deref());
    let bare = field.rust_name.strip_prefix("r#").unwrap_or(&field.rust_name);
    let rename = (bare != field.json_name).then(|| {
        let json = &field.json_name;
        quote!(#[serde(rename = #json)])
    });
    let optional = matches!(field.ty, TypeRef::Optional(_))
        .then(|| quote!(#[serde(default, skip_serializing_if = "Option::is_none")]));
    Ok(quote! {
        #description
        #rename
        #optional
        pub #name: #ty,
    })
}

fn enum_tokens(e: &OpenEnum) -> TokenStream {
    let name = ident(&e.name);
    let description = docs(e.description.as_deref());
    let variants = e.variants.iter().map(|(variant, value)| {
        let variant = ident(variant);
        let doc = format!(" `{value}`");
        quote! {
            #[doc = #doc]
            #[serde(rename = #value)]
            #variant,
        }
    });
    let arms = e.variants.iter().map(|(variant, value)| {
        let variant = ident(variant);
        quote!(Self::#variant => #value,)
    });
    quote! {
        #description
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum #name {
            #(#variants)*
            /// A value this crate's spec did not list (Stripe added it since).
            #[serde(untagged)]
            Unknown(String),
        }

        impl #name {
            /// The value as Stripe sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#arms)*
                    Self::Unknown(value) => value,
                }
            }
        }
    }
}

fn alias_tokens(alias: &Alias) -> TokenStream {
    let name = ident(&alias.name);
    let target = ident(&alias.target);
    let doc = format!(" The same shape as [`{}`] (the spec repeats it).", alias.target);
    quote! {
        #[doc = #doc]
        pub type #name = #target;
    }
}

fn union_tokens(u: &Union) -> Result<TokenStream, Error> {
    let name = ident(&u.name);
    let description = docs(u.description.as_deref());
    let variants = u
        .variants
        .iter()
        .map(|(variant, ty)| {
            let doc = format!(" The `{variant}` shape.");
            let variant = ident(variant);
            let ty = type_tokens(ty)?;
            Ok::<_, Error>(quote! {
                #[doc = #doc]
                #variant(#ty),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quote! {
        #description
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }
    })
}

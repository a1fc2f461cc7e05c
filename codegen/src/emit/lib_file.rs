//! `lib.rs`: the crate's root, its explicit re-exports of the runtime, and the prelude.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::ident;
use super::unparse_spaced;
use crate::error::Error;
use crate::exports::{RUNTIME_ITEMS, RUNTIME_MODULES};
use crate::ir::{Catalog, Related};

pub(super) fn contents(catalog: &Catalog) -> Result<String, Error> {
    let thin = catalog.events.iter().filter(|event| event.thin).count();
    let snapshot = catalog
        .events
        .iter()
        .filter(|event| event.snapshot.is_some())
        .count();
    let specs: Vec<&str> = catalog.specs.iter().map(|spec| spec.name.as_str()).collect();
    let summary = format!(
        " Typed Stripe event notifications, thin and snapshot, for API version `{}`: {thin} thin event types from {}, and {snapshot} classic snapshot types.",
        catalog.api_version,
        specs.join(", ")
    );
    // The items every build has, in one `use`; the modules, and the items a feature brings,
    // one `use` each.
    let items = RUNTIME_ITEMS
        .iter()
        .filter(|(_, feature)| feature.is_none())
        .map(|(item, _)| ident(item));
    let gated = RUNTIME_ITEMS
        .iter()
        .filter(|(_, feature)| feature.is_some())
        .chain(RUNTIME_MODULES)
        .map(|(name, feature)| {
            let name = ident(name);
            let cfg = feature.map(|feature| quote!(#[cfg(feature = #feature)]));
            quote!(#cfg pub use stripe_notify_runtime::#name;)
        });
    let crates = external_crates(catalog);
    let async_stripe = (!crates.is_empty()).then(|| {
        let reexports = crates.into_iter().map(|(krate, feature)| {
            let module = ident(krate.strip_prefix("stripe_").unwrap_or(&krate));
            let krate = ident(&krate);
            quote! {
                #[cfg(feature = #feature)]
                pub use ::#krate as #module;
            }
        });
        quote! {
            /// async-stripe's crates that the enabled `async-stripe-*` features bring, for naming
            /// the types `fetch_related_object` returns without depending on async-stripe
            /// yourself: `stripe_notify::async_stripe::shared::Invoice`.
            pub mod async_stripe {
                #(#reexports)*
            }
        }
    });
    let tokens: TokenStream = quote! {
        #![doc = #summary]
        #![doc = ""]
        #![doc = " Each event type has a kind (`V1BillingMeterErrorReportTriggered`), a notification"]
        #![doc = " (`V1BillingMeterErrorReportTriggeredEventNotification`), a fetched event with typed `data`"]
        #![doc = " (`V1BillingMeterErrorReportTriggeredEvent`) and a registration method"]
        #![doc = " (`on_v1_billing_meter_error_report_triggered`, of [`RegisterCallbacks`]). Start with"]
        #![doc = " `use stripe_notify::prelude::*;` and [`EventNotificationHandler::builder`]."]
        // Descriptions come verbatim from Stripe's spec; their markdown is theirs.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, clippy::large_enum_variant)]
        #![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]
        #![deny(
            clippy::unwrap_used,
            clippy::expect_used,
            clippy::panic,
            clippy::indexing_slicing,
            clippy::arithmetic_side_effects
        )]

        // rustfmt must leave generated code as generated.
        #[rustfmt::skip]
        mod catalog;
        #[rustfmt::skip]
        mod schemas;
        #[rustfmt::skip]
        pub mod objects;

        pub use catalog::*;
        pub use schemas::*;
        #[rustfmt::skip]
        pub use stripe_notify_runtime::{#(#items),*};
        #(#gated)*

        #async_stripe

        /// What a handler's code needs in scope: `use stripe_notify::prelude::*;`.
        #[rustfmt::skip]
        pub mod prelude {
            pub use crate::{EventNotificationHandler, RegisterCallbacks, StripeClient};
            #[cfg(feature = "http")]
            pub use crate::endpoint::WebhookEndpoint;
        }

        /// The README's examples, compiled and run as doctests.
        #[cfg(doctest)]
        #[doc = include_str!("../../README.md")]
        struct ReadmeDoctests;
    };
    unparse_spaced(tokens)
}

/// The crates of the external types the catalog names (`stripe_shared`), each with the feature
/// that brings it.
fn external_crates(catalog: &Catalog) -> std::collections::BTreeMap<String, &str> {
    catalog
        .events
        .iter()
        .flat_map(|event| {
            let related = match &event.related {
                Related::Object(resource) | Related::Singleton(resource) => resource.external.as_ref(),
                Related::None => None,
            };
            let objects = event
                .snapshot
                .iter()
                .flat_map(|snapshot| snapshot.objects.iter().map(|(_, t)| t));
            related.into_iter().chain(objects)
        })
        .filter_map(|external| {
            let krate = external.path.split("::").next()?;
            Some((krate.to_owned(), external.feature.as_str()))
        })
        .collect()
}

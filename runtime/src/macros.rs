//! [`event_catalog!`](crate::event_catalog): the event types of a generated crate, from one row
//! per type. The generator writes the rows (data: names, type strings, related objects, types);
//! everything made of them (the kinds, their aliases, the catalog, the `on_*` methods) is
//! written here, once.

/// Defines a catalog of event types, one row per type, sorted by type string:
///
/// ```
/// stripe_notify_runtime::event_catalog! {
///     api_version: "2026-09-30.endive";
///     /// Occurs whenever your Stripe balance has been updated.
///     V1BalanceAvailable = 0 "v1.balance.available" on_v1_balance_available (V1BalanceAvailableEventNotification, V1BalanceAvailableEvent)
///         data serde_json::Value, changes serde_json::Value,
///         related Singleton("balance", "/v1/balance", @ "/v1/balance"),
///         resource serde_json::Value;
///     /// Occurs whenever an invoice payment attempt succeeds.
///     V1InvoicePaid = 1 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
///         data serde_json::Value, changes serde_json::Value,
///         related Object("invoice", "/v1/invoices/{id}", "in_1" @ "/v1/invoices/in_1"),
///         resource serde_json::Value,
///         snapshot "invoice.paid" ["invoice"] object serde_json::Value;
///     /// Occurs whenever a received credit is created.
///     V1TreasuryReceivedCreditCreated = 2 "v1.treasury.received_credit.created" on_v1_treasury_received_credit_created (V1TreasuryReceivedCreditCreatedEventNotification, V1TreasuryReceivedCreditCreatedEvent)
///         data serde_json::Value, changes serde_json::Value,
///         related None,
///         resource serde_json::Value,
///         snapshot_only "treasury.received_credit.created" ["treasury.received_credit"] object serde_json::Value;
/// }
/// # fn main() {}
/// ```
///
/// `related` is `Object(type, url template[, example id @ example url])`,
/// `Singleton(type, url template[, @ example url])` or `None`; `resource` may be followed by
/// `| "feature" path::Type`, the resource's type when that cargo feature of the crate is on.
/// A type Stripe also sends as classic snapshot events ends with
/// `, snapshot "invoice.paid" ["invoice"] object serde_json::Value | "feature" path::Invoice`:
/// the classic type, the object types its `data.object` may have, and the object's Rust type
/// (several features, `| "a" "b" path`, when the type needs them all);
/// `snapshot_only` in place of `snapshot` marks a type Stripe sends only so (it is then not
/// known in a thin body).
///
/// It defines, for each row, the kind (`V1InvoicePaid`, implementing [`EventKind`] and
/// [`KnownEventKind`]), its notification and event aliases, and its `on_*` method on
/// [`RegisterCallbacks`](#registercallbacks); and once: `Catalog` ([`EventCatalog`]), the
/// `AnyNotification` enum (a variant per kind), `API_VERSION`, `KNOWN_EVENT_TYPES`, `EventNotificationHandler`,
/// `EventNotificationHandlerBuilder` and the `RegisterCallbacks` trait. Rows out of order, or
/// an index that is not the row's place, fail to compile.
///
/// [`EventKind`]: crate::EventKind
/// [`KnownEventKind`]: crate::KnownEventKind
/// [`EventCatalog`]: crate::EventCatalog
///
/// # What the types rule out
///
/// With this catalog, the builder takes a callback per type, and a handler is made:
///
/// ```
/// # mod catalog {
/// #     stripe_notify_runtime::event_catalog! {
/// #         api_version: "2026-09-30.endive";
/// #         V1BalanceAvailable = 0 "v1.balance.available" on_v1_balance_available (V1BalanceAvailableEventNotification, V1BalanceAvailableEvent)
/// #             data serde_json::Value, changes serde_json::Value, related Singleton("balance", "/v1/balance"), resource serde_json::Value;
/// #         V1InvoicePaid = 1 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
/// #             data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
/// #     }
/// # }
/// use catalog::{EventNotificationHandler, RegisterCallbacks, V1InvoicePaidEventNotification};
/// use stripe_notify_runtime::StripeClient;
///
/// let handler = EventNotificationHandler::builder(StripeClient::new("sk_test_1"), "whsec_1", |_, _, _| async { Ok(()) })?
///     .on_v1_invoice_paid(|n: V1InvoicePaidEventNotification, _| async move { Ok(()) })?
///     .build();
/// # Ok::<(), stripe_notify_runtime::ConfigError>(())
/// ```
///
/// Nothing can be registered once the handler is built:
///
/// ```compile_fail,E0599
/// # mod catalog {
/// #     stripe_notify_runtime::event_catalog! {
/// #         api_version: "2026-09-30.endive";
/// #         V1InvoicePaid = 0 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
/// #             data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
/// #     }
/// # }
/// # use catalog::{EventNotificationHandler, RegisterCallbacks};
/// # use stripe_notify_runtime::StripeClient;
/// let handler = EventNotificationHandler::builder(StripeClient::new("sk_test_1"), "whsec_1", |_, _, _| async { Ok(()) })?.build();
/// handler.on_v1_invoice_paid(|_, _| async { Ok(()) });
/// # Ok::<(), stripe_notify_runtime::ConfigError>(())
/// ```
///
/// A callback takes its own type's notification:
///
/// ```compile_fail,E0631
/// # mod catalog {
/// #     stripe_notify_runtime::event_catalog! {
/// #         api_version: "2026-09-30.endive";
/// #         V1BalanceAvailable = 0 "v1.balance.available" on_v1_balance_available (V1BalanceAvailableEventNotification, V1BalanceAvailableEvent)
/// #             data serde_json::Value, changes serde_json::Value, related Singleton("balance", "/v1/balance"), resource serde_json::Value;
/// #         V1InvoicePaid = 1 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
/// #             data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
/// #     }
/// # }
/// # use catalog::{EventNotificationHandler, RegisterCallbacks, V1BalanceAvailableEventNotification};
/// # use stripe_notify_runtime::StripeClient;
/// EventNotificationHandler::builder(StripeClient::new("sk_test_1"), "whsec_1", |_, _, _| async { Ok(()) })?
///     .on_v1_invoice_paid(|n: V1BalanceAvailableEventNotification, _| async move { Ok(()) })?;
/// # Ok::<(), stripe_notify_runtime::ConfigError>(())
/// ```
///
/// A type with a related object fetches the object itself, no `Option` to check; a type without
/// one has nothing to fetch:
///
/// ```
/// # mod catalog {
/// #     stripe_notify_runtime::event_catalog! {
/// #         api_version: "2026-09-30.endive";
/// #         V1InvoicePaid = 0 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
/// #             data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
/// #         V2CoreAccountLinkReturned = 1 "v2.core.account_link.returned" on_v2_core_account_link_returned (V2CoreAccountLinkReturnedEventNotification, V2CoreAccountLinkReturnedEvent)
/// #             data serde_json::Value, changes serde_json::Value, related None, resource serde_json::Value;
/// #     }
/// # }
/// # use catalog::V1InvoicePaidEventNotification;
/// async fn paid(n: V1InvoicePaidEventNotification) -> Result<(), stripe_notify_runtime::ClientError> {
///     let invoice: serde_json::Value = n.fetch_related_object().await?;
///     Ok(())
/// }
/// ```
///
/// ```compile_fail,E0599
/// # mod catalog {
/// #     stripe_notify_runtime::event_catalog! {
/// #         api_version: "2026-09-30.endive";
/// #         V2CoreAccountLinkReturned = 0 "v2.core.account_link.returned" on_v2_core_account_link_returned (V2CoreAccountLinkReturnedEventNotification, V2CoreAccountLinkReturnedEvent)
/// #             data serde_json::Value, changes serde_json::Value, related None, resource serde_json::Value;
/// #     }
/// # }
/// # use catalog::V2CoreAccountLinkReturnedEventNotification;
/// async fn returned(n: V2CoreAccountLinkReturnedEventNotification) -> Result<(), stripe_notify_runtime::ClientError> {
///     let nothing = n.fetch_related_object().await?;
///     Ok(())
/// }
/// ```
///
/// A handler registers its own catalog's kinds only:
///
/// ```compile_fail,E0271
/// mod ours {
///     stripe_notify_runtime::event_catalog! {
///         api_version: "2026-09-30.endive";
///         V1InvoicePaid = 0 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
///             data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
///     }
/// }
/// mod theirs {
///     stripe_notify_runtime::event_catalog! {
///         api_version: "2026-09-30.endive";
///         V1InvoicePaid = 0 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
///             data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
///     }
/// }
/// # use stripe_notify_runtime::StripeClient;
/// ours::EventNotificationHandler::builder(StripeClient::new("sk_test_1"), "whsec_1", |_, _, _| async { Ok(()) })?
///     .on::<theirs::V1InvoicePaid, _, _>(|_, _| async { Ok(()) })?;
/// # Ok::<(), stripe_notify_runtime::ConfigError>(())
/// ```
///
/// Rows out of order do not compile:
///
/// ```compile_fail,E0080
/// stripe_notify_runtime::event_catalog! {
///     api_version: "2026-09-30.endive";
///     V1InvoicePaid = 0 "v1.invoice.paid" on_v1_invoice_paid (V1InvoicePaidEventNotification, V1InvoicePaidEvent)
///         data serde_json::Value, changes serde_json::Value, related Object("invoice", "/v1/invoices/{id}"), resource serde_json::Value;
///     V1BalanceAvailable = 1 "v1.balance.available" on_v1_balance_available (V1BalanceAvailableEventNotification, V1BalanceAvailableEvent)
///         data serde_json::Value, changes serde_json::Value, related Singleton("balance", "/v1/balance"), resource serde_json::Value;
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! event_catalog {
    (
        api_version: $api_version:literal;
        $(
            $(#[$attr:meta])*
            $kind:ident = $index:literal $event_type:literal $on:ident ($notification:ident, $event:ident)
                data $data:ty, changes $changes:ty,
                related $shape:ident $(($($related:tt)*))?,
                resource $resource:ty $(| $feature:literal $typed:ty)?
                $(, $style:ident $classic:literal [$($object_type:literal),*] object $object:ty $(| $($object_feature:literal)+ $object_typed:ty)?)?;
        )*
    ) => {
        /// The Stripe API version this crate was generated for, sent as `Stripe-Version`.
        pub const API_VERSION: &str = $api_version;

        /// Every event type this crate knows, sorted.
        pub const KNOWN_EVENT_TYPES: &[&str] = &[$($event_type),*];

        /// The catalog of this crate's event types, for the runtime's dispatch.
        #[derive(Clone, Copy, Debug, Default)]
        pub struct Catalog;

        impl $crate::EventCatalog for Catalog {
            const EVENTS: &'static [$crate::EventInfo] = &[$(
                $crate::EventInfo {
                    event_type: $event_type,
                    related: $crate::__related!(info $shape $(($($related)*))?),
                    thin: $crate::__snapshot!(thin $($style)?),
                    snapshot: $crate::__snapshot!(info $($classic [$($object_type),*])?),
                }
            ),*];
            const API_VERSION: &'static str = $api_version;
            type Any = AnyNotification;

            fn any(
                index: ::core::option::Option<usize>,
                notification: $crate::notification::Conformed,
                client: $crate::StripeClient,
            ) -> AnyNotification {
                match index {
                    $(::core::option::Option::Some($index) => {
                        AnyNotification::$kind($crate::Notification::from_conformed(notification, client))
                    })*
                    _ => AnyNotification::Unknown($crate::Notification::from_conformed(notification, client)),
                }
            }

            fn index_of(event_type: &str) -> ::core::option::Option<usize> {
                match event_type {
                    $($event_type => ::core::option::Option::Some($index),)*
                    _ => ::core::option::Option::None,
                }
            }

            fn snapshot_index_of(event_type: &str) -> ::core::option::Option<usize> {
                match event_type {
                    $($($classic => ::core::option::Option::Some($index),)?)*
                    _ => ::core::option::Option::None,
                }
            }

            fn for_each_kind<V: $crate::KindVisitor<Self>>(visitor: &mut V) {
                $(visitor.visit::<$kind>();)*
            }
        }

        const _: () = ::core::assert!(
            $crate::catalog::checks::sorted(KNOWN_EVENT_TYPES),
            "the catalog's rows are sorted by event type, without repeats"
        );

        /// Any notification, typed: one variant per event type this crate knows, named as its
        /// kind, and `Unknown` for the others. What
        /// [`EventNotificationHandler::parse`](stripe_notify_runtime::Handler::parse) returns,
        /// for code that routes by hand (`match`) or queues work itself.
        #[non_exhaustive]
        pub enum AnyNotification {
            $(
                #[doc = ::core::concat!("A `", $event_type, "` notification.")]
                $kind($notification),
            )*
            /// A type this crate does not know (Stripe added it since).
            Unknown($crate::UnknownEventNotification),
        }

        // By hand: a derive would write a `Debug` arm per type.
        impl ::core::fmt::Debug for AnyNotification {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_tuple("AnyNotification").field(self.envelope()).finish()
            }
        }

        impl AnyNotification {
            /// The notification's untyped envelope.
            fn envelope(&self) -> &$crate::notification::RawNotification {
                match self {
                    $(Self::$kind(notification) => notification.envelope(),)*
                    Self::Unknown(notification) => notification.envelope(),
                }
            }

            /// Event id, `evt_...`.
            pub fn id(&self) -> &str {
                self.envelope().id()
            }

            /// The event type string.
            pub fn event_type(&self) -> &str {
                self.envelope().event_type()
            }

            /// The body as received: store it to handle the notification later
            /// ([`parse_verified`](stripe_notify_runtime::Handler::parse_verified)).
            pub fn body(&self) -> &[u8] {
                self.envelope().body()
            }
        }

        /// Verifies, parses and routes Stripe thin event notifications. Start with
        /// [`EventNotificationHandler::builder`](stripe_notify_runtime::Handler::builder).
        pub type EventNotificationHandler = $crate::Handler<Catalog>;

        /// Registers callbacks: one `on_*` method per event type ([`RegisterCallbacks`]), and the
        /// handler's options; [`build`](stripe_notify_runtime::HandlerBuilder::build) freezes
        /// them into an [`EventNotificationHandler`].
        pub type EventNotificationHandlerBuilder = $crate::HandlerBuilder<Catalog>;

        /// The `on_*` methods of [`EventNotificationHandlerBuilder`], one per event type. Bring
        /// it into scope with the crate's prelude.
        pub trait RegisterCallbacks: ::core::marker::Sized {
            #[doc(hidden)]
            fn register<K, F, Fut>(self, callback: F) -> ::core::result::Result<Self, $crate::ConfigError>
            where
                K: $crate::KnownEventKind<Catalog = Catalog>,
                F: Fn($crate::Notification<K>, $crate::StripeClient) -> Fut + Send + Sync + 'static,
                Fut: ::core::future::Future<Output = $crate::CallbackResult> + Send + 'static;

            $(
                #[doc = ::core::concat!("Registers the callback for `", $event_type, "` notifications; registering a second one is an error.")]
                fn $on<F, Fut>(self, callback: F) -> ::core::result::Result<Self, $crate::ConfigError>
                where
                    F: Fn($notification, $crate::StripeClient) -> Fut + Send + Sync + 'static,
                    Fut: ::core::future::Future<Output = $crate::CallbackResult> + Send + 'static,
                {
                    self.register::<$kind, F, Fut>(callback)
                }
            )*
        }

        impl RegisterCallbacks for $crate::HandlerBuilder<Catalog> {
            fn register<K, F, Fut>(self, callback: F) -> ::core::result::Result<Self, $crate::ConfigError>
            where
                K: $crate::KnownEventKind<Catalog = Catalog>,
                F: Fn($crate::Notification<K>, $crate::StripeClient) -> Fut + Send + Sync + 'static,
                Fut: ::core::future::Future<Output = $crate::CallbackResult> + Send + 'static,
            {
                self.on::<K, F, Fut>(callback)
            }
        }

        $(
            #[doc = ::core::concat!("The `", $event_type, "` event type.")]
            #[doc = ""]
            $(#[$attr])*
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct $kind;

            impl $crate::EventKind for $kind {
                type Data = $data;
                type Changes = $changes;
                type RelatedObject = $crate::__related!(shape $shape);
                $(
                    #[cfg(feature = $feature)]
                    type Resource = $typed;
                    #[cfg(not(feature = $feature))]
                )?
                type Resource = $resource;
                $crate::__snapshot!(object $($object $(| $($object_feature)+ $object_typed)?)?);
            }

            impl $crate::KnownEventKind for $kind {
                type Catalog = Catalog;
                const EVENT_TYPE: &'static str = $event_type;
                const INDEX: usize = $index;
            }

            const _: () = ::core::assert!(
                $crate::catalog::checks::same(
                    <Catalog as $crate::EventCatalog>::EVENTS[$index].event_type,
                    $event_type,
                ),
                "a kind's index is its row's place in the catalog"
            );

            #[doc = ::core::concat!("A verified `", $event_type, "` notification.")]
            pub type $notification = $crate::Notification<$kind>;

            #[doc = ::core::concat!("A `", $event_type, "` event as fetched from the Events API, with its typed `data`.")]
            pub type $event = $crate::Event<$kind>;
        )*
    };
}

/// The parts of [`event_catalog!`]'s snapshot column: whether the type arrives thin, its
/// snapshot info, and the type of its snapshot's object.
#[doc(hidden)]
#[macro_export]
macro_rules! __snapshot {
    (thin) => { true };
    (thin snapshot) => { true };
    (thin snapshot_only) => { false };
    (info) => { ::core::option::Option::None };
    (info $classic:literal [$($object_type:literal),*]) => {
        ::core::option::Option::Some($crate::SnapshotInfo { event_type: $classic, object_types: &[$($object_type),*] })
    };
    (object) => { type Object = serde_json::Value; };
    (object $object:ty) => { type Object = $object; };
    (object $object:ty | $($feature:literal)+ $typed:ty) => {
        #[cfg(all($(feature = $feature),+))]
        type Object = $typed;
        #[cfg(not(all($(feature = $feature),+)))]
        type Object = $object;
    };
}

/// The parts of [`event_catalog!`]'s `related` column: the shape's type, and its info.
#[doc(hidden)]
#[macro_export]
macro_rules! __related {
    (shape None) => { $crate::HasNoRelatedObject };
    (shape Object) => { $crate::HasRelatedObject };
    (shape Singleton) => { $crate::HasSingletonRelatedObject };
    (info None) => { $crate::RelatedInfo::None };
    (info $shape:ident($object_type:literal, $url_template:literal $(, $($example_id:literal)? @ $example_url:literal)?)) => {
        $crate::RelatedInfo::$shape($crate::RelatedResourceInfo {
            object_type: $object_type,
            url_template: $url_template,
            example: $crate::__related!(example $($($example_id)? @ $example_url)?),
        })
    };
    (example) => { ::core::option::Option::None };
    (example @ $url:literal) => {
        ::core::option::Option::Some($crate::RelatedExample { id: ::core::option::Option::None, url: $url })
    };
    (example $id:literal @ $url:literal) => {
        ::core::option::Option::Some($crate::RelatedExample { id: ::core::option::Option::Some($id), url: $url })
    };
}

/// Defines the object of the classic events whose `data.object` may be one of several types
/// (`customer.source.created`: a bank account, a card or a source): an enum with a variant per
/// object type, read as the variant the object's `object` names. An error then names the field
/// inside that variant, and an object of none of the types is an error, not a guess.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// pub struct Card { pub id: String, pub exp_month: u8 }
/// #[derive(Debug, serde::Deserialize)]
/// pub struct Source { pub id: String }
///
/// stripe_notify_runtime::object_choice! {
///     /// A card or a source.
///     pub enum CardOrSource {
///         /// A card.
///         Card = "card" Card,
///         /// A source.
///         Source = "source" Source,
///     }
/// }
/// ```
#[macro_export]
macro_rules! object_choice {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_attr:meta])*
                $variant:ident = $object_type:literal $type:ty,
            )+
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug)]
        pub enum $name {
            $(
                $(#[$variant_attr])*
                $variant($type),
            )+
        }

        impl $crate::SnapshotObject for $name {
            fn read(object: $crate::ObjectJson<'_>) -> ::core::result::Result<Self, $crate::ObjectError> {
                match object.object_type() {
                    $(::core::option::Option::Some($object_type) => object.read_as().map(Self::$variant),)+
                    _ => ::core::result::Result::Err(object.not_one_of::<Self>(&[$($object_type),+])),
                }
            }
        }
    };
}

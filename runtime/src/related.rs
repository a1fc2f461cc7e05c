//! The related object of a notification: what the spec says of it per event type
//! ([`RelatedInfo`]), its shape as a type ([`RelatedObjectShape`]), and the views a notification
//! gives of it: with an id, a singleton resource (no id), none, or any of these when the type is
//! not statically known.

use std::fmt;

use serde::Deserialize;

/// A related object with an id: `{id, type, url}`. `S` is `&str` in a notification and
/// `String` where it is owned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct RelatedObject<S = String> {
    /// The object's id.
    pub id: S,
    /// The object's type, `v2.core.account`.
    #[serde(rename = "type")]
    pub object_type: S,
    /// The API path to fetch it, `/v2/core/accounts/acct_...`.
    pub url: S,
}

/// A related singleton resource (such as `balance`): `{type, url}`, no id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SingletonRelatedObject<S = String> {
    /// The object's type.
    #[serde(rename = "type")]
    pub object_type: S,
    /// The API path to fetch it.
    pub url: S,
}

/// A related object of any shape: its id is `None` for singleton resources.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct AnyRelatedObject<S = String> {
    /// The object's id; `None` for singleton resources.
    #[serde(default)]
    pub id: Option<S>,
    /// The object's type.
    #[serde(rename = "type")]
    pub object_type: S,
    /// The API path to fetch it.
    pub url: S,
}

/// What the spec says of an event type's related object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelatedInfo {
    /// `{id, type, url}`.
    Object(RelatedResourceInfo),
    /// A singleton resource, `{type, url}` (such as `balance`).
    Singleton(RelatedResourceInfo),
    /// None.
    None,
}

/// What a related object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelatedResourceInfo {
    /// The object type, `v2.core.account`.
    pub object_type: &'static str,
    /// The path it is fetched from, `/v2/core/accounts/{id}`: from the resource's `retrieve`
    /// operation in the spec, else by Stripe's convention.
    pub url_template: &'static str,
    /// The related object of the spec's example event, when it has one.
    pub example: Option<RelatedExample>,
}

/// A related object as the spec's example of an event shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelatedExample {
    /// Its id; `None` for a singleton.
    pub id: Option<&'static str>,
    /// Its URL, `/v1/application_fees/fee_1B73DOKbnvuxQXGuhY8Aw0TN/refunds/fr_1Nispe2eZvKYlo2Cd31jOCgZ`.
    pub url: &'static str,
}

/// The shape of an event type's `related_object`, and the view a notification gives of it.
pub trait RelatedObjectShape: sealed::Sealed + Send + Sync + 'static {
    /// What `Notification::related_object` returns.
    type View<'a>: fmt::Debug + Copy;
    /// The view of a related object, which the notification's parse checked has this shape.
    #[doc(hidden)]
    fn view(related: Option<AnyRelatedObject<&str>>) -> Self::View<'_>;
}

/// A shape with an object to fetch: every shape but [`HasNoRelatedObject`], whose notifications
/// have no `fetch_related_object` at all.
pub trait FetchRelatedObject: RelatedObjectShape {
    /// What fetching the related object into a `T` gives: `T` where the event type always has
    /// one (the parse checked it), `Option<T>` where the type is not statically known.
    type Fetched<T>;
    /// Where to fetch the object from, or, when there is nothing to fetch, the answer itself.
    #[doc(hidden)]
    fn locate<T>(view: Self::View<'_>) -> Result<&str, Self::Fetched<T>>;
    /// The answer for a fetched object.
    #[doc(hidden)]
    fn fetched<T>(object: T) -> Self::Fetched<T>;
}

impl FetchRelatedObject for HasRelatedObject {
    type Fetched<T> = T;

    fn locate<T>(view: Self::View<'_>) -> Result<&str, T> {
        Ok(view.url)
    }

    fn fetched<T>(object: T) -> T {
        object
    }
}

impl FetchRelatedObject for HasSingletonRelatedObject {
    type Fetched<T> = T;

    fn locate<T>(view: Self::View<'_>) -> Result<&str, T> {
        Ok(view.url)
    }

    fn fetched<T>(object: T) -> T {
        object
    }
}

impl FetchRelatedObject for HasAnyRelatedObject {
    type Fetched<T> = Option<T>;

    fn locate<T>(view: Self::View<'_>) -> Result<&str, Option<T>> {
        view.map(|related| related.url).ok_or(None)
    }

    fn fetched<T>(object: T) -> Option<T> {
        Some(object)
    }
}

mod sealed {
    /// Only the runtime defines shapes.
    pub trait Sealed {}
    impl Sealed for super::HasRelatedObject {}
    impl Sealed for super::HasSingletonRelatedObject {}
    impl Sealed for super::HasNoRelatedObject {}
    impl Sealed for super::HasAnyRelatedObject {}
}

/// The event type's related object has an id: the view is a [`RelatedObject`].
#[derive(Clone, Copy, Debug, Default)]
pub struct HasRelatedObject;

/// The event type's related object is a singleton: the view is a [`SingletonRelatedObject`].
#[derive(Clone, Copy, Debug, Default)]
pub struct HasSingletonRelatedObject;

/// The event type has no related object: the view is `()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct HasNoRelatedObject;

/// The event type is not statically known: the view is an `Option<AnyRelatedObject>`.
#[derive(Clone, Copy, Debug, Default)]
pub struct HasAnyRelatedObject;

impl RelatedObjectShape for HasRelatedObject {
    type View<'a> = RelatedObject<&'a str>;

    fn view(related: Option<AnyRelatedObject<&str>>) -> Self::View<'_> {
        // The parse checked the related object and its id; only a snapshot event that carries
        // another object has none (empty strings, then).
        related.map_or_else(RelatedObject::default, |r| RelatedObject {
            id: r.id.unwrap_or_default(),
            object_type: r.object_type,
            url: r.url,
        })
    }
}

impl RelatedObjectShape for HasSingletonRelatedObject {
    type View<'a> = SingletonRelatedObject<&'a str>;

    fn view(related: Option<AnyRelatedObject<&str>>) -> Self::View<'_> {
        // As for `HasRelatedObject`.
        related.map_or_else(SingletonRelatedObject::default, |r| SingletonRelatedObject {
            object_type: r.object_type,
            url: r.url,
        })
    }
}

impl RelatedObjectShape for HasNoRelatedObject {
    type View<'a> = ();

    fn view(_: Option<AnyRelatedObject<&str>>) -> Self::View<'_> {}
}

impl RelatedObjectShape for HasAnyRelatedObject {
    type View<'a> = Option<AnyRelatedObject<&'a str>>;

    fn view(related: Option<AnyRelatedObject<&str>>) -> Self::View<'_> {
        related
    }
}

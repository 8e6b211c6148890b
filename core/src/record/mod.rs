//! The business's records (rules section 0): the data that already exists in its MongoDB.
//!
//! Each record reads the existing documents unchanged (`from_document`, or serde's
//! `Deserialize`, which goes through the same checks) and checks itself (`validate`), so no
//! invalid record enters an engine through either door.

mod contact;
mod customer;
mod dataset;
mod delivery;
mod order;
mod payment;
mod product;
mod subscription;

pub use contact::{normalize_phone, valid_email};
pub use customer::Customer;
pub use dataset::{Dataset, Rejected};
pub(crate) use delivery::check_delivery_status;
pub use delivery::{DeliveryRecord, DeliverySource, DeliveryStatus};
pub use order::{Order, OrderItem, OrderStatus};
pub use payment::{Payment, PaymentMethod};
pub use product::{DatedPrice, DatedRate, Product};
pub use subscription::{Pause, Schedule, Subscription, SubscriptionStatus, Weekday};

use serde_json::Value;

use crate::validation::{Problems, ValidationError};

/// A record read from a business document and checked against the rules.
pub trait Record: Sized {
    /// The collection's name in error messages and audit records (`order`, `customer`...).
    const KIND: &'static str;

    /// Reads a document (as the business's MongoDB holds it), reporting every problem.
    fn from_document(document: &Value) -> Result<Self, ValidationError> {
        let mut problems = Problems::new();
        match Self::read(document, "", &mut problems) {
            Some(record) => problems.finish(record),
            None => Err(problems.into_error(Self::KIND)),
        }
    }

    /// Reads a document from JSON text.
    fn from_json(text: &str) -> Result<Self, ValidationError> {
        Self::from_document(&crate::document::parse_json(text)?)
    }

    /// Reads the fields of a document at `path`, pushing every problem found.
    /// Returns `None` when the record could not be built.
    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self>;

    /// Checks the rules of section 0 on a record built in code.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        self.check(&mut problems);
        problems.finish(())
    }

    /// Pushes every rule this record breaks.
    fn check(&self, problems: &mut Problems);

    /// The record's id.
    fn id(&self) -> &str;
}

/// Defines a closed set of status strings: parsed case-insensitively, written in one case.
macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vmeta])* #[cfg_attr(feature = "typescript", ts(rename = $text))] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical string of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The accepted strings, for error messages.
            pub fn allowed() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            /// Accepts the canonical string in upper or lower case.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $(if s.eq_ignore_ascii_case($text) {
                    return Ok($name::$variant);
                })+
                Err(format!("unknown {}: {s:?}", stringify!($name)))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use status_enum;

/// Implements serde for a record through `Record::from_document`, so serde input is
/// checked exactly like a document.
macro_rules! record_serde {
    ($name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(d)?;
                <$name as $crate::record::Record>::from_document(&value)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use record_serde;

#[cfg(test)]
mod tests;

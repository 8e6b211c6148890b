//! The mobile binding of `earlybird`: the core's types and functions for Kotlin (Android) and
//! Swift (iOS) through UniFFI.
//!
//! The delivery staff's phones work offline, so the rules run on the phone through this
//! library. Nothing here decides anything: every module converts types and errors and calls
//! the core. Core records cross as UniFFI *remote* records (their definitions are mirrored
//! here and checked against the core by the compiler); money, dates, instants and JSON
//! snapshots cross as custom types (see [`types`]).
//!
//! One module per concern of the core; each next engine lands as one more module of thin
//! wrappers (`billing.rs`, `loyalty.rs`...) and one more arm in [`error`].

// UniFFI returns the error by value (it is serialised across the FFI, a `Box` cannot be an
// exported error), and the foreign side is far costlier than moving a few strings.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!("earlybird");

pub mod activation;
pub mod billing;
pub mod churn;
pub mod data;
pub mod error;
pub mod lifecycle;
pub mod loyalty;
pub mod offline;
pub mod record;
pub mod routing;
pub mod schedule;
pub mod types;

pub use error::EarlybirdError;

/// The library version, the same in every binding.
#[uniffi::export]
pub fn version() -> String {
    earlybird::VERSION.to_owned()
}

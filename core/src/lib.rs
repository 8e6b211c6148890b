//! EarlyBird's business rules in one pure Rust library.
//!
//! Every runtime of the business links this crate: the FastAPI backend through Python, the
//! Node frontends through napi-rs, the phones through UniFFI, and Rust services directly. The
//! engines are pure functions over plain records; storage sits behind async traits.

pub mod activation;
pub mod audit;
pub mod billing;
pub(crate) mod document;
pub mod error;
pub mod lifecycle;
pub mod loyalty;
pub mod notification;
pub mod record;
pub mod schedule;
pub mod service;
pub mod store;
pub mod time;
#[cfg(feature = "typescript")]
pub mod typescript;
pub mod validation;

pub use error::{Error, Result};

pub mod routing;

/// The library version, the same in every binding.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub mod churn;

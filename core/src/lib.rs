//! EarlyBird's business rules in one pure Rust library.

pub mod routing;

/// The library version, the same in every binding.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

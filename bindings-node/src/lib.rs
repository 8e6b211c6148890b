//! The Node binding of `earlybird`: thin napi-rs wrappers that convert JavaScript values to the
//! core's types and back, and core errors to JavaScript `Error`s. No business rule lives here.
//!
//! Conventions at the boundary (see `docs/node.md`): names are camelCase, records are plain
//! objects, money and quantities are decimal strings, dates `YYYY-MM-DD` strings, instants
//! RFC 3339 strings. Each concern of the core is one module of wrappers; an engine that lands
//! in the core becomes one more module here.

// napi registers the exports only outside `cfg(test)`, so the test build that
// `cargo clippy --all-targets` checks sees every export as unused.
#![cfg_attr(test, allow(dead_code))]

mod activation;
mod batch;
mod billing;
mod churn;
mod convert;
mod dataset;
mod failure;
mod lifecycle;
mod loyalty;
mod plain;
mod record;
mod routing;
mod schedule;

use napi_derive::napi;

/// The version of the core library, the same in every binding.
#[napi]
pub fn version() -> String {
    earlybird::VERSION.to_owned()
}

//! The TypeScript names of the text forms the engines write (feature `typescript`).
//!
//! Engine types derive `ts_rs::TS` under this feature so that the Node binding can generate
//! its declarations from them. A decimal, a date or an instant crosses as a string, and these
//! named string types say which string: fields point at them with `#[ts(as = ...)]`. They
//! are never built; they exist only for their declarations.

use ts_rs::TS;

/// A decimal string keeping its scale: `"295.00"`. Never a JS number (a binary float).
#[derive(TS)]
#[ts(type = "string")]
pub struct DecimalString;

/// An RFC 3339 instant; results are always UTC with `Z`. Arguments also take a `Date`.
#[derive(TS)]
#[ts(type = "string")]
pub struct Instant;

/// A calendar date, `YYYY-MM-DD`.
#[derive(TS)]
#[ts(type = "string")]
pub struct DateString;

/// A record document as stored (snake_case or camelCase keys); money as decimal strings.
#[derive(TS)]
#[ts(type = "Record<string, unknown>")]
pub struct RecordDocument;

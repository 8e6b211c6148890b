//! How the core's scalar types cross the FFI: as strings with an exact textual form, lifted by
//! `uniffi.toml` into the platform's own types.
//!
//! | Rust | FFI | Kotlin | Swift |
//! |---|---|---|---|
//! | `Decimal` (money, quantities) | decimal string, scale kept | `java.math.BigDecimal` | `Foundation.Decimal` |
//! | `NaiveDate` (business-local day) | `YYYY-MM-DD` | `java.time.LocalDate` | `String` (ISO date) |
//! | `DateTime<Utc>` | RFC 3339, `Z` | `java.time.Instant` | `Foundation.Date` |
//! | `serde_json::Value` (audit snapshots) | JSON text | `String` | `String` |
//!
//! Strings rather than numbers because a binary float cannot hold rupees and paise exactly,
//! and because the core's canonical JSON writes these values the same way.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use earlybird::validation::{Problems, Rule};
use rust_decimal::Decimal;

use crate::error::EarlybirdError;

/// Money and quantities: a decimal string such as `"28.50"` (the scale is kept).
pub type Amount = Decimal;

/// A business-local calendar day, `YYYY-MM-DD`.
pub type CalendarDate = NaiveDate;

/// A point in time, RFC 3339 in UTC.
pub type Instant = DateTime<Utc>;

/// A JSON value (an audit record's before/after snapshot) as JSON text.
pub type JsonText = serde_json::Value;

/// A value the core cannot hold (a `BigDecimal` beyond 28 digits, a year after 9999...).
///
/// Returned as the function's own `VALIDATION_FAILED` error, so the app catches one exception
/// type (UniFFI passes an argument's conversion error through when it is the function's error
/// type) instead of an internal error; the field is the type's name since a conversion does
/// not know which argument or field it is reading.
pub(crate) fn refused(
    type_name: &str,
    rule: Rule,
    text: String,
    message: &str,
) -> uniffi::deps::anyhow::Error {
    let mut problems = Problems::new();
    problems.push(type_name, rule, text, message);
    EarlybirdError::from(problems.into_error(type_name)).into()
}

uniffi::custom_type!(Amount, String, {
    remote,
    try_lift: |text| Decimal::from_str(&text).map_err(|_| {
        refused("Amount", Rule::Decimal, text, "not a decimal the core can hold (28 digits at most)")
    }),
    lower: |amount| amount.to_string(),
});

uniffi::custom_type!(CalendarDate, String, {
    remote,
    try_lift: |text| NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| refused("CalendarDate", Rule::Date, text, "not a YYYY-MM-DD date")),
    lower: |date| date.format("%Y-%m-%d").to_string(),
});

uniffi::custom_type!(Instant, String, {
    remote,
    try_lift: |text| match DateTime::parse_from_rfc3339(&text) {
        Ok(instant) => Ok(instant.with_timezone(&Utc)),
        Err(_) => Err(refused("Instant", Rule::Instant, text, "not an RFC 3339 instant")),
    },
    lower: |instant| instant.to_rfc3339_opts(SecondsFormat::AutoSi, true),
});

uniffi::custom_type!(JsonText, String, {
    remote,
    try_lift: |text| serde_json::from_str(&text)
        .map_err(|_| refused("JsonText", Rule::Type, text, "not JSON text")),
    lower: |value| value.to_string(),
});

/// The core's canonical JSON of a result, as its serde output writes it.
///
/// Every type passed here is a core record or outcome whose `Serialize` cannot fail (string
/// keys only, no fallible custom impls); should that ever change, the text says so instead of
/// panicking inside the phone app.
pub(crate) fn canonical_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|e| serde_json::json!({ "serialisation_error": e.to_string() }).to_string())
}

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
use rust_decimal::Decimal;

/// Money and quantities: a decimal string such as `"28.50"` (the scale is kept).
pub type Amount = Decimal;

/// A business-local calendar day, `YYYY-MM-DD`.
pub type CalendarDate = NaiveDate;

/// A point in time, RFC 3339 in UTC.
pub type Instant = DateTime<Utc>;

/// A JSON value (an audit record's before/after snapshot) as JSON text.
pub type JsonText = serde_json::Value;

uniffi::custom_type!(Amount, String, {
    remote,
    try_lift: |text| Ok(Decimal::from_str(&text)?),
    lower: |amount| amount.to_string(),
});

uniffi::custom_type!(CalendarDate, String, {
    remote,
    try_lift: |text| Ok(NaiveDate::parse_from_str(&text, "%Y-%m-%d")?),
    lower: |date| date.format("%Y-%m-%d").to_string(),
});

uniffi::custom_type!(Instant, String, {
    remote,
    try_lift: |text| Ok(DateTime::parse_from_rfc3339(&text)?.with_timezone(&Utc)),
    lower: |instant| instant.to_rfc3339_opts(SecondsFormat::AutoSi, true),
});

uniffi::custom_type!(JsonText, String, {
    remote,
    try_lift: |text| Ok(serde_json::from_str(&text)?),
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

//! What the engines' plain data needs besides the types of [`crate::types`]: reading the
//! core's serde form from JSON text (the backend sends engine inputs and settings as JSON),
//! and counts (`usize` in Rust, which UniFFI does not carry).

use earlybird::validation::{Problems, Rule};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::EarlybirdError;
use crate::types::refused;

/// A count or a position in a list (`usize`): `UInt64` across the FFI, `Int` in Kotlin.
pub type Count = usize;

uniffi::custom_type!(Count, u64, {
    remote,
    try_lift: |n| usize::try_from(n)
        .map_err(|_| refused("Count", Rule::Range, n.to_string(), "too large for this platform")),
    lower: |n| n as u64,
});

/// Reads engine data (an input, a configuration) from JSON text through the core's own
/// `Deserialize`; what it refuses is `VALIDATION_FAILED` on `name` with serde's sentence.
///
/// The text is read into a `Value` first, as the core's own case runner does: with
/// serde_json's `arbitrary_precision` (which the core enables to keep money exact), a float
/// inside an internally tagged enum (a churn rule's `risk`) is refused when read straight
/// from text, and read when taken from a `Value` (serde-rs/json#1046).
pub(crate) fn from_json<T: DeserializeOwned>(name: &str, json: &str) -> Result<T, EarlybirdError> {
    let refuse = |message: String| {
        let mut problems = Problems::new();
        problems.push(name, Rule::Type, "", message);
        EarlybirdError::from(problems.into_error(name))
    };
    let value: Value =
        serde_json::from_str(json).map_err(|e| refuse(format!("not valid JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| refuse(e.to_string()))
}

//! Conversions at the boundary: JavaScript arguments to core types, and the core's text forms
//! of dates, instants and decimals for results. Records going in pass through the core's own
//! document reader, so every rule (and every problem it reports) is the core's.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use earlybird::record::Record;
use earlybird::validation::{Problems, Rule};
use napi::bindgen_prelude::{FromNapiValue, Function, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::failure::Failure;

/// One bad argument as a validation failure on the argument's name.
pub fn bad(field: &str, rule: Rule, value: &str, message: impl Into<String>) -> Failure {
    let mut problems = Problems::new();
    problems.push(field, rule, value, message);
    problems.into_error("argument").into()
}

/// Converts argument `name` to `T`. Arguments arrive untyped so that a value of the wrong
/// JavaScript type is a `VALIDATION_FAILED` error naming the argument (rule `type`), like
/// every other input problem, instead of a bare napi status.
pub fn arg<T: FromNapiValue>(env: &Env, name: &str, value: Unknown<'_>) -> Result<T, Failure> {
    // SAFETY: `value` is a live handle of the current call, made by the same `env`.
    unsafe { T::from_napi_value(env.raw(), value.raw()) }
        .map_err(|e| bad(name, Rule::Type, "", e.reason))
}

/// A core value that serialises to one JSON string (an effect, a status) as that string.
pub fn name_of<C: Serialize>(value: &C) -> Result<String, Failure> {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => Ok(name),
        Ok(other) => Err(Failure::Conversion(format!("{other} is not a name"))),
        Err(e) => Err(Failure::Conversion(e.to_string())),
    }
}

/// A date as the core writes it: `YYYY-MM-DD`.
pub fn day_text(day: &NaiveDate) -> String {
    day.to_string()
}

/// An instant as the core writes it: RFC 3339 in UTC, `Z`, fractions only when present.
pub fn instant_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A decimal as the core writes it, keeping its scale (`"28.50"`).
pub fn decimal_text(value: &Decimal) -> String {
    value.to_string()
}

/// The canonical JSON document of a binding object.
pub fn document<A: Serialize>(value: &A) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Conversion(e.to_string()))
}

/// A binding object as a core record, read and checked by the core like any document.
pub fn to_core<A: Serialize, C: Record>(value: &A) -> Result<C, Failure> {
    Ok(C::from_document(&document(value)?)?)
}

/// A document argument as JSON text. A string is taken as JSON text already; anything else is
/// written by JavaScript's own `JSON.stringify`, which was faster than walking the object
/// through napi (`docs/node.md`), has no napi cap on the number of values, turns a `Date`
/// into its ISO string (as the MongoDB driver hands dates over) and drops `undefined` fields.
/// Numbers are then read by their shortest text.
pub fn json_text(env: &Env, name: &str, value: Unknown<'_>) -> Result<String, Failure> {
    if matches!(value.get_type(), Ok(ValueType::String)) {
        return arg(env, name, value);
    }
    stringify(env, name, value)
}

/// Any JavaScript value written by `JSON.stringify` (a string becomes a JSON string, a `Date`
/// its ISO instant).
pub fn stringify(env: &Env, name: &str, value: Unknown<'_>) -> Result<String, Failure> {
    let written = (|| -> napi::Result<Option<String>> {
        let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
        let stringify: Function<'_, Unknown<'_>, Option<String>> =
            json.get_named_property("stringify")?;
        stringify.call(value)
    })();
    match written {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(bad(name, Rule::Required, "", "a document is required")),
        Err(e) => Err(bad(name, Rule::Type, "", e.reason)),
    }
}

/// A calendar date argument, `YYYY-MM-DD`.
pub fn date(name: &str, text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| bad(name, Rule::Date, text, "must be a date string YYYY-MM-DD"))
}

/// An instant argument, RFC 3339 with any offset (`2026-01-15T01:10:00Z`).
pub fn instant(name: &str, text: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad(name, Rule::Instant, text, "must be an RFC 3339 instant"))
}

/// A list of quantities or amounts: decimal strings only. A JS number is refused because it
/// is a binary float that has already lost the exact value (0.1 is not one tenth).
pub fn decimals(name: &str, values: &[Value]) -> Result<Vec<Decimal>, Failure> {
    let mut problems = Problems::new();
    let mut out = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let field = format!("{name}[{i}]");
        match value {
            Value::String(text) => match text.parse::<Decimal>() {
                Ok(d) => out.push(d),
                Err(_) => problems.push(field, Rule::Decimal, text, "must be a decimal string"),
            },
            other => problems.push(
                field,
                Rule::Type,
                other.to_string(),
                "money and quantities cross as decimal strings such as \"1.50\", never JS numbers",
            ),
        }
    }
    Ok(problems.finish(out)?)
}

//! Engine values (loyalty, routing) across the boundary: the core's own serde form with the
//! object keys renamed, snake_case in Rust and camelCase in JavaScript. Values are never
//! touched (statuses, tiers, event types stay as the core writes them), and every rule on the
//! input is the core's, through its `Deserialize` and its checks.

use earlybird::validation::Rule;
use napi::bindgen_prelude::{ToNapiValue, TypeName, Unknown};
use napi::{Env, ValueType, sys};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::convert::{bad, document, stringify};
use crate::failure::Failure;

/// `customer_id` → `customerId`.
fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `customerId` → `customer_id`; a snake_case key stays as it is.
fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn rename_keys(value: Value, rename: fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (rename(&k), rename_keys(v, rename)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| rename_keys(v, rename)).collect())
        }
        other => other,
    }
}

/// A core value as the plain JavaScript object: its serde form with camelCase keys.
pub fn output<T: Serialize>(value: &T) -> Result<Value, Failure> {
    Ok(rename_keys(document(value)?, camel))
}

/// Keys of an already built JSON value made camelCase.
pub fn camel_keys(value: Value) -> Value {
    rename_keys(value, camel)
}

/// JSON text of a JavaScript argument read as the core type `T` (keys camelCase or
/// snake_case). A value the core's `Deserialize` refuses is `VALIDATION_FAILED` on `name`.
pub fn from_text<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, Failure> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| bad(name, Rule::Type, "", format!("not JSON: {e}")))?;
    serde_json::from_value(rename_keys(value, snake))
        .map_err(|e| bad(name, Rule::Type, "", e.to_string()))
}

/// A JavaScript argument (a plain object, a string, a number, a `Date`) as the core type `T`.
pub fn input<T: DeserializeOwned>(env: &Env, name: &str, value: Unknown<'_>) -> Result<T, Failure> {
    from_text(name, &stringify(env, name, value)?)
}

/// A plain value as the result of an `AsyncTask` (which needs a named JavaScript type).
pub struct Resolved(pub Value);

impl TypeName for Resolved {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Resolved {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: called by napi with the live `env` of the resolving callback.
        unsafe { Value::to_napi_value(env, value.0) }
    }
}

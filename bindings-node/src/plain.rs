//! Engine values (loyalty, routing, billing, activation, churn) across the boundary: the core's
//! own serde form with the object keys renamed, snake_case in Rust and camelCase in
//! JavaScript. Values are never touched (statuses, tiers, event types stay as the core writes
//! them), and every rule on the input is the core's, through its `Deserialize` and its checks;
//! the binding adds one check of the boundary itself: a decimal given as a JS number (a float)
//! is refused.

use earlybird::record::Record;
use earlybird::validation::{Problems, Rule};
use napi::bindgen_prelude::{
    Function, JsObjectValue, JsValue, Object, ToNapiValue, TypeName, Unknown,
};
use napi::{Env, ValueType, sys};
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::convert::{bad, document, json_text, stringify};
use crate::failure::{Failure, call};

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

/// A plain value handed to JavaScript: written to JSON text in Rust and read by JavaScript's
/// own `JSON.parse`. Building a large result through napi property by property hits napi's
/// cap on the number of values ("Exceeded maximum JSON value count", a month of bills or a
/// ranked customer base) and is slower; `JSON.parse` has neither problem. Also the result of
/// an `AsyncTask` (which needs a named JavaScript type).
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
        let text = serde_json::to_string(&value.0)
            .map_err(|e| napi::Error::from_reason(format!("BINDING_CONVERSION: {e}")))?;
        let env = Env::from_raw(env);
        let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
        let parse: Function<'_, String, Unknown<'_>> = json.get_named_property("parse")?;
        Ok(parse.call(text)?.raw())
    }
}

/// Runs a call for JavaScript whose result is a plain value (see `Resolved`).
pub fn give(env: &Env, work: impl FnOnce() -> Result<Value, Failure>) -> napi::Result<Resolved> {
    call(env, work).map(Resolved)
}

/// The message of a JS number given where the core takes a decimal.
const NUMBER_FOR_DECIMAL: &str =
    "money and quantities cross as decimal strings such as \"1.50\", never JS numbers";

fn has_number(value: &Value) -> bool {
    match value {
        Value::Number(_) => true,
        Value::Array(items) => items.iter().any(has_number),
        Value::Object(map) => map.values().any(has_number),
        _ => false,
    }
}

/// Every place where the JavaScript value held a number and the core's form of what it read
/// holds a decimal string: a decimal that crossed as a binary float.
fn numbers_for_decimals(given: &Value, read: &Value, path: &str, problems: &mut Problems) {
    match (given, read) {
        (Value::Number(n), Value::String(_)) => {
            problems.push(path, Rule::Type, n.to_string(), NUMBER_FOR_DECIMAL);
        }
        (Value::Array(given), Value::Array(read)) => {
            for (i, (g, r)) in given.iter().zip(read).enumerate() {
                numbers_for_decimals(g, r, &format!("{path}[{i}]"), problems);
            }
        }
        (Value::Object(given), Value::Object(read)) => {
            for (key, g) in given {
                if let Some(r) = read.get(key) {
                    let at = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    numbers_for_decimals(g, r, &at, problems);
                }
            }
        }
        _ => {}
    }
}

/// Refuses a JavaScript value (keys already snake_case) that gave a decimal as a JS number:
/// `read` is what the core made of it, and the core writes every decimal as a string, so a
/// number in `given` facing a string in the core's form is money or a quantity that crossed
/// as a float. Problems are named `path` + the field's path.
pub fn no_float_decimals<T: Serialize>(given: &Value, read: &T, path: &str) -> Result<(), Failure> {
    if !has_number(given) {
        return Ok(());
    }
    let mut problems = Problems::new();
    numbers_for_decimals(given, &document(read)?, path, &mut problems);
    Ok(problems.finish(())?)
}

/// A JavaScript argument read as the engine type `T` by the core's `Deserialize`, refusing
/// decimals given as JS numbers (`VALIDATION_FAILED`, rule `type`, on `name.field`).
pub fn engine_input<T: DeserializeOwned + Serialize>(
    env: &Env,
    name: &str,
    value: Unknown<'_>,
) -> Result<T, Failure> {
    let text = stringify(env, name, value)?;
    let given: Value = serde_json::from_str(&text)
        .map_err(|e| bad(name, Rule::Type, "", format!("not JSON: {e}")))?;
    let given = rename_keys(given, snake);
    let read: T = serde_json::from_value(given.clone())
        .map_err(|e| bad(name, Rule::Type, "", e.to_string()))?;
    no_float_decimals(&given, &read, name)?;
    Ok(read)
}

/// An engine argument as a JSON value with snake_case keys, and whether it came from a JS
/// object (numbers in it were floats) rather than JSON text (numbers read digit for digit).
pub fn engine_document(
    env: &Env,
    name: &str,
    value: Unknown<'_>,
) -> Result<(Value, bool), Failure> {
    let from_js = !matches!(value.get_type(), Ok(ValueType::String));
    let text = json_text(env, name, value)?;
    let parsed: Value = serde_json::from_str(&text)
        .map_err(|e| bad(name, Rule::Type, "", format!("not JSON: {e}")))?;
    Ok((rename_keys(parsed, snake), from_js))
}

/// An optional argument: absent, `undefined` and `null` are `None`.
pub fn given(value: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
    value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null)))
}

/// An optional engine argument (a configuration, options): `T::default()` when absent.
pub fn engine_option<T: DeserializeOwned + Serialize + Default>(
    env: &Env,
    name: &str,
    value: Option<Unknown<'_>>,
) -> Result<T, Failure> {
    given(value).map_or_else(|| Ok(T::default()), |v| engine_input(env, name, v))
}

/// Reads a list of records at `field` of a document with the core's reader, every problem
/// named by its path (`deliveries[3].delivered_quantity`); absent or `null` is no records.
pub fn records<T: Record>(list: Option<&Value>, field: &str, problems: &mut Problems) -> Vec<T> {
    match list {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, doc)| T::read(doc, &format!("{field}[{i}]"), problems))
            .collect(),
        Some(_) => {
            problems.push(field, Rule::Type, "", "must be a list of documents");
            Vec::new()
        }
    }
}

/// A field of a document read with serde (engine data, not records); absent is the default.
pub fn field<T: DeserializeOwned + Default>(
    document: &Value,
    field: &str,
    problems: &mut Problems,
) -> Option<T> {
    match document.get(field) {
        None | Some(Value::Null) => Some(T::default()),
        Some(v) => match T::deserialize(v) {
            Ok(read) => Some(read),
            Err(e) => {
                problems.push(field, Rule::Type, "", e.to_string());
                None
            }
        },
    }
}

/// A money or quantity argument: a decimal string; a JS number is refused (rule `type`).
pub fn decimal_arg(env: &Env, name: &str, value: Unknown<'_>) -> Result<Decimal, Failure> {
    if matches!(value.get_type(), Ok(ValueType::Number)) {
        let shown = stringify(env, name, value).unwrap_or_default();
        return Err(bad(name, Rule::Type, &shown, NUMBER_FOR_DECIMAL));
    }
    let text: String = crate::convert::arg(env, name, value)?;
    text.parse().map_err(|_| {
        bad(
            name,
            Rule::Decimal,
            &text,
            "must be a decimal string such as \"1.50\"",
        )
    })
}

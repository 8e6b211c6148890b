//! Strict arguments in, native Python values out.
//!
//! pyo3's own conversions are lenient: its `Decimal` accepts a `float` and its `date` accepts a
//! `datetime` (dropping the time). Money, quantities, dates and instants are therefore read
//! here, and every bad argument of a call is reported at once as a `ValidationError` with the
//! argument's name as the field, exactly like a bad field of a document.

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::validation::{Problems, Rule};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyTuple};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::{at_offset, datetime_parts, decimal_class, show, to_python, type_name};
use crate::errors::{internal, invalid};

/// The problems of one call's arguments, raised together.
#[derive(Default)]
pub(crate) struct Args {
    problems: Problems,
}

impl Args {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A `decimal.Decimal` (or an `int`, which is exact); a `float` is refused because its
    /// binary value is not the figure that was meant.
    pub(crate) fn decimal(&mut self, value: &Bound<'_, PyAny>, field: &str) -> Option<Decimal> {
        let py = value.py();
        let is_decimal = decimal_class(py).is_ok_and(|cls| value.is_instance(cls).unwrap_or(false));
        let is_int = value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>();
        if !is_decimal && !is_int {
            let message = if value.is_instance_of::<PyFloat>() {
                "money and quantities must be decimal.Decimal, not float (a float is not exact)"
                    .to_owned()
            } else {
                format!("must be decimal.Decimal, not {}", type_name(value))
            };
            self.problems
                .push(field, Rule::Decimal, show(value), message);
            return None;
        }
        match value.extract::<Decimal>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.problems.push(
                    field,
                    Rule::Decimal,
                    show(value),
                    "must be a finite decimal of at most 28 significant digits",
                );
                None
            }
        }
    }

    /// A list (or tuple) of decimals, each checked like [`Args::decimal`].
    pub(crate) fn decimals(
        &mut self,
        value: &Bound<'_, PyAny>,
        field: &str,
    ) -> Option<Vec<Decimal>> {
        let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = value.cast::<PyList>() {
            list.iter().collect()
        } else if let Ok(tuple) = value.cast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            self.problems.push(
                field,
                Rule::Type,
                show(value),
                format!(
                    "must be a list of decimal.Decimal, not {}",
                    type_name(value)
                ),
            );
            return None;
        };
        let read: Vec<Option<Decimal>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.decimal(item, &format!("{field}[{i}]")))
            .collect();
        read.into_iter().collect()
    }

    /// A `datetime.date` that is not a `datetime` (whose time would be silently dropped).
    pub(crate) fn date(&mut self, value: &Bound<'_, PyAny>, field: &str) -> Option<NaiveDate> {
        if value.is_instance_of::<PyDateTime>() || !value.is_instance_of::<PyDate>() {
            self.problems.push(
                field,
                Rule::Date,
                show(value),
                format!("must be datetime.date, not {}", type_name(value)),
            );
            return None;
        }
        value.extract().ok()
    }

    /// A time-zone-aware `datetime.datetime`, converted to UTC.
    pub(crate) fn instant(
        &mut self,
        value: &Bound<'_, PyAny>,
        field: &str,
    ) -> Option<DateTime<Utc>> {
        let parts = value.cast::<PyDateTime>().ok().map(datetime_parts);
        let instant = match parts {
            Some(Ok((wall, Some(offset)))) => at_offset(wall, offset),
            Some(Err(error)) => Err(error),
            None | Some(Ok((_, None))) => {
                self.problems.push(
                    field,
                    Rule::Instant,
                    show(value),
                    "must be a time-zone-aware datetime.datetime (e.g. tzinfo=timezone.utc)",
                );
                return None;
            }
        };
        match instant {
            Ok(instant) => Some(instant),
            Err(_) => {
                self.problems
                    .push(field, Rule::Instant, show(value), "not a valid instant");
                None
            }
        }
    }

    /// A choice among fixed strings (an argument like `kind` or `mode`).
    pub(crate) fn unknown(&mut self, field: &str, value: &str, allowed: &str) {
        self.problems.push(
            field,
            Rule::UnknownValue,
            value,
            format!("must be one of {allowed}"),
        );
    }

    /// An argument of the wrong kind (`expected` says which).
    pub(crate) fn wrong_type(&mut self, field: &str, value: &Bound<'_, PyAny>, expected: &str) {
        self.problems.push(
            field,
            Rule::Type,
            show(value),
            format!("must be {expected}, not {}", type_name(value)),
        );
    }

    /// Raises every problem found, or returns nothing when the arguments were good.
    pub(crate) fn finish(self, py: Python<'_>) -> PyResult<()> {
        self.problems.finish(()).map_err(|e| invalid(py, e))
    }
}

/// A core result as a dict of native Python values (`Decimal`, `date`, aware `datetime`),
/// with the same keys the core's canonical JSON has.
pub(crate) trait NativeDict {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>>;
}

/// The native dicts of a list of results.
pub(crate) fn native_list<'py, T: NativeDict>(
    py: Python<'py>,
    items: &[T],
) -> PyResult<Bound<'py, PyList>> {
    let dicts = items
        .iter()
        .map(|item| item.native_dict(py))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, dicts)
}

/// Sets `key` only when there is a value, as the core's JSON omits absent optional fields.
pub(crate) fn set_some<'py, T: IntoPyObject<'py> + Copy>(
    dict: &Bound<'py, PyDict>,
    key: &str,
    value: Option<T>,
) -> PyResult<()> {
    match value {
        Some(v) => dict.set_item(key, v),
        None => Ok(()),
    }
}

/// `to_dict(mode=...)`: `"python"` gives native values, `"json"` the core's canonical JSON
/// (decimals as exact strings, ISO dates, RFC 3339 instants) as plain Python data.
pub(crate) fn to_dict<'py, T: NativeDict + Serialize>(
    py: Python<'py>,
    result: &T,
    mode: &str,
) -> PyResult<Bound<'py, PyDict>> {
    match mode {
        "python" => result.native_dict(py),
        "json" => {
            let json = serde_json::to_value(result).map_err(|e| internal(py, &e.to_string()))?;
            to_python(py, &json)?
                .cast_into::<PyDict>()
                .map_err(|_| internal(py, "a result is not a JSON object"))
        }
        other => {
            let mut args = Args::new();
            args.unknown("mode", other, "python, json");
            args.finish(py)?;
            Ok(PyDict::new(py))
        }
    }
}

/// A string as Python's `repr()` writes a plain one (`'ORD_1'`), for `__repr__`s.
pub(crate) fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The core's canonical JSON text of a result.
pub(crate) fn to_json_text<T: Serialize>(py: Python<'_>, result: &T) -> PyResult<String> {
    serde_json::to_string(result).map_err(|e| internal(py, &e.to_string()))
}

/// An argument given in the core's serde shape (a dict of plain or native values: `Decimal`,
/// `date`, aware `datetime`), read by the core's own `Deserialize`. A value with no JSON form
/// or a shape the core refuses is a `ValidationError` naming the argument.
pub(crate) fn serde_arg<T: serde::de::DeserializeOwned>(
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<T> {
    let py = value.py();
    let json = crate::document::to_serde_json(value, field).map_err(|e| invalid(py, e))?;
    serde_json::from_value(json).map_err(|e| {
        let mut problems = earlybird::validation::Problems::new();
        problems.push(field, Rule::Type, show(value), e.to_string());
        match problems.finish(()) {
            Ok(()) => internal(py, "a refused argument without a problem"),
            Err(error) => invalid(py, error),
        }
    })
}

/// A configuration argument named `field`: `None` for the defaults, or a dict of overrides
/// (absent keys keep their default, as the core's `#[serde(default)]` says), read like
/// [`serde_arg`].
pub(crate) fn config_named<T: serde::de::DeserializeOwned + Default>(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<T> {
    match value {
        Some(value) if !value.is_none() => serde_arg(value, field),
        _ => Ok(T::default()),
    }
}

/// The `config` argument of an engine's call (see [`config_named`]).
pub(crate) fn config_arg<T: serde::de::DeserializeOwned + Default>(
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<T> {
    config_named(value, "config")
}

/// A core result in its canonical JSON form as plain Python data (the `mode="json"` form:
/// decimals as exact strings, ISO dates, RFC 3339 instants; points and counts as `int`).
pub(crate) fn json_out<'py, T: Serialize>(
    py: Python<'py>,
    result: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(result).map_err(|e| internal(py, &e.to_string()))?;
    to_python(py, &json)
}

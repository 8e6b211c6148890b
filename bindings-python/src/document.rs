//! Python object trees (MongoDB documents as pymongo returns them) to JSON values and back.
//!
//! The core reads documents as `serde_json::Value`; this file only changes the representation,
//! never a value. Numbers keep their exact text (serde_json's `arbitrary_precision`): an `int`
//! or a `decimal.Decimal` is written with `str()`, a `float` with `repr()` (the shortest text
//! that reads back as the same float), so no figure ever goes through binary arithmetic here.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use earlybird::validation::{Problems, Rule, ValidationError, field_path};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString,
    PyTimeAccess, PyTuple, PyType, PyTzInfo, PyTzInfoAccess,
};
use serde_json::{Map, Number, Value};

/// Deeper documents are refused instead of risking the stack (a dict that contains itself).
const MAX_DEPTH: usize = 64;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The class `decimal.Decimal`.
pub(crate) fn decimal_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// Short text of a Python value for a problem (`repr`, cut like the core cuts its values).
pub(crate) fn show(value: &Bound<'_, PyAny>) -> String {
    let text = value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "<unprintable>".to_owned());
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The name of a value's type, for messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

thread_local! {
    /// Whether the conversion running on this thread writes a `Decimal` as a JSON string: the
    /// engines' serde shapes read decimals from strings only (the records read both).
    static DECIMALS_AS_TEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Like [`to_json`], with every `decimal.Decimal` written as its exact text (`"590.00"`), the
/// form the engines' serde inputs (loyalty events, redemption requests) read.
pub(crate) fn to_serde_json(
    value: &Bound<'_, PyAny>,
    path: &str,
) -> Result<Value, ValidationError> {
    /// Puts the flag back even if the conversion unwinds.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            DECIMALS_AS_TEXT.with(|flag| flag.set(false));
        }
    }
    DECIMALS_AS_TEXT.with(|flag| flag.set(true));
    let _reset = Reset;
    to_json(value, path)
}

/// Converts a document to JSON, or reports every value that has no JSON form.
pub(crate) fn to_json(value: &Bound<'_, PyAny>, path: &str) -> Result<Value, ValidationError> {
    let mut problems = Problems::new();
    let json = convert(value, Path::Root(path), 0, &mut problems);
    problems.finish(json)
}

/// Where a value sits in the document, rendered only when a problem is reported (building
/// every field's path text up front cost more than the rest of the conversion).
#[derive(Clone, Copy)]
enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The path as the core writes it (`items[1].quantity`); the root is `$`.
    fn render(&self) -> String {
        let text = self.text();
        if text.is_empty() {
            "$".to_owned()
        } else {
            text
        }
    }

    fn text(&self) -> String {
        match self {
            Path::Root(root) => (*root).to_owned(),
            Path::Key(parent, name) => field_path(&parent.text(), name),
            Path::Index(parent, i) => format!("{}[{i}]", parent.text()),
        }
    }
}

fn number(text: &str, value: &Bound<'_, PyAny>, path: Path<'_>, problems: &mut Problems) -> Value {
    match Number::from_str(text) {
        Ok(n) => Value::Number(n),
        Err(_) => {
            problems.push(
                path.render(),
                Rule::Decimal,
                show(value),
                "must be a finite number",
            );
            Value::Null
        }
    }
}

/// A datetime's wall-clock fields and its UTC offset (`None`: naive), read from the object's
/// fields: the offset of a `timezone.utc` datetime (what callers usually pass) needs no call,
/// any other zone is asked once for its `utcoffset()`. Neither text nor a converted copy
/// (`astimezone`) is made.
pub(crate) fn datetime_parts(
    value: &Bound<'_, PyDateTime>,
) -> PyResult<(NaiveDateTime, Option<TimeDelta>)> {
    let py = value.py();
    let wall = NaiveDate::from_ymd_opt(
        value.get_year(),
        value.get_month().into(),
        value.get_day().into(),
    )
    .and_then(|day| {
        day.and_hms_micro_opt(
            value.get_hour().into(),
            value.get_minute().into(),
            value.get_second().into(),
            value.get_microsecond(),
        )
    })
    .ok_or_else(|| PyValueError::new_err("not a valid datetime"))?;
    let offset = match value.get_tzinfo() {
        None => None,
        Some(zone) if zone.is(PyTzInfo::utc(py)?) => Some(TimeDelta::zero()),
        Some(_) => {
            let offset = value.call_method0(intern!(py, "utcoffset"))?;
            if offset.is_none() {
                None
            } else {
                Some(offset.extract::<TimeDelta>()?)
            }
        }
    };
    Ok((wall, offset))
}

/// The UTC instant of wall-clock time `wall` at `offset` from UTC.
pub(crate) fn at_offset(wall: NaiveDateTime, offset: TimeDelta) -> PyResult<DateTime<Utc>> {
    wall.checked_sub_signed(offset)
        .map(|utc| utc.and_utc())
        .ok_or_else(|| PyValueError::new_err("not a valid instant"))
}

/// An aware datetime in UTC; a naive one is taken as UTC, as pymongo returns them.
pub(crate) fn utc_instant(value: &Bound<'_, PyDateTime>) -> PyResult<DateTime<Utc>> {
    let (wall, offset) = datetime_parts(value)?;
    at_offset(wall, offset.unwrap_or_default())
}

/// Checks go from the most frequent document value to the rarest.
fn convert(
    value: &Bound<'_, PyAny>,
    path: Path<'_>,
    depth: usize,
    problems: &mut Problems,
) -> Value {
    if depth > MAX_DEPTH {
        problems.push(
            path.render(),
            Rule::Type,
            "",
            format!("nested more than {MAX_DEPTH} levels deep"),
        );
        return Value::Null;
    }
    let py = value.py();
    if let Ok(text) = value.cast::<PyString>() {
        return match text.to_str() {
            Ok(s) => Value::String(s.to_owned()),
            Err(_) => {
                problems.push(
                    path.render(),
                    Rule::Type,
                    show(value),
                    "not valid Unicode text",
                );
                Value::Null
            }
        };
    }
    if value.is_none() {
        return Value::Null;
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Value::Bool(flag.is_true());
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(small) = value.extract::<i64>() {
            return Value::Number(small.into());
        }
        let text = value.str().map(|s| s.to_string()).unwrap_or_default();
        return number(&text, value, path, problems);
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        return object(dict.iter(), path, depth, problems);
    }
    if let Ok(list) = value.cast::<PyList>() {
        return array(list.iter(), path, depth, problems);
    }
    if decimal_class(py).is_ok_and(|cls| value.is_instance(cls).unwrap_or(false)) {
        // NaN and infinities have no JSON number form: `number` reports them.
        let text = value.str().map(|s| s.to_string()).unwrap_or_default();
        let json = number(&text, value, path, problems);
        if json.is_number() && DECIMALS_AS_TEXT.with(std::cell::Cell::get) {
            return Value::String(text);
        }
        return json;
    }
    if value.is_instance_of::<PyFloat>() {
        let text = value.repr().map(|s| s.to_string()).unwrap_or_default();
        return number(&text, value, path, problems);
    }
    if let Ok(instant) = value.cast::<PyDateTime>() {
        return match utc_instant(instant) {
            Ok(instant) => Value::String(instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Err(_) => {
                problems.push(
                    path.render(),
                    Rule::Instant,
                    show(value),
                    "not a valid instant",
                );
                Value::Null
            }
        };
    }
    if value.is_instance_of::<PyDate>() {
        return match value.extract::<NaiveDate>() {
            Ok(date) => Value::String(date.format("%Y-%m-%d").to_string()),
            Err(_) => {
                problems.push(path.render(), Rule::Date, show(value), "not a valid date");
                Value::Null
            }
        };
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return array(tuple.iter(), path, depth, problems);
    }
    if let Ok(mapping) = value.cast::<PyMapping>() {
        let items = mapping
            .items()
            .map(|items| items.iter().collect::<Vec<_>>());
        let pairs = items.map(|items| {
            items
                .into_iter()
                .filter_map(|pair| pair.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>().ok())
                .collect::<Vec<_>>()
        });
        if let Ok(pairs) = pairs {
            return object(pairs.into_iter(), path, depth, problems);
        }
    }
    // bson.Decimal128 (and look-alikes): exact through its own `to_decimal()`.
    if let Ok(exact) = value.call_method0("to_decimal") {
        return convert(&exact, path, depth + 1, problems);
    }
    // bson.ObjectId: the document's `_id`, kept as its hex text.
    if type_name(value) == "ObjectId" {
        return Value::String(value.str().map(|s| s.to_string()).unwrap_or_default());
    }
    problems.push(
        path.render(),
        Rule::Type,
        show(value),
        format!("unsupported Python type {} in a document", type_name(value)),
    );
    Value::Null
}

fn object<'py>(
    entries: impl Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    path: Path<'_>,
    depth: usize,
    problems: &mut Problems,
) -> Value {
    let mut map = Map::new();
    for (key, item) in entries {
        match key.cast::<PyString>().ok().and_then(|k| k.to_str().ok()) {
            Some(name) => {
                let json = convert(&item, Path::Key(&path, name), depth + 1, problems);
                map.insert(name.to_owned(), json);
            }
            None => problems.push(
                path.render(),
                Rule::Type,
                show(&key),
                "document keys must be strings",
            ),
        }
    }
    Value::Object(map)
}

fn array<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    path: Path<'_>,
    depth: usize,
    problems: &mut Problems,
) -> Value {
    Value::Array(
        items
            .enumerate()
            .map(|(i, item)| convert(&item, Path::Index(&path, i), depth + 1, problems))
            .collect(),
    )
}

/// A JSON value as plain Python data: the canonical JSON form of a result.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            let text = n.to_string();
            if text.contains(['.', 'e', 'E']) {
                PyFloat::new(py, text.parse::<f64>().unwrap_or(f64::NAN)).into_any()
            } else {
                py.get_type::<PyInt>().call1((text,))?
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

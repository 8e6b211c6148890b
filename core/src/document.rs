//! Reading the business's existing MongoDB documents (JSON) into typed records.
//!
//! Documents are read field by field instead of through a derived `Deserialize`, so a
//! document with several bad fields reports all of them at once. Money and quantities are
//! read from the number's own text (serde_json keeps it with `arbitrary_precision`), never
//! through a float.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::validation::{FieldProblem, Problems, Rule, ValidationError, field_path};

/// One JSON object being read, with the path of the object inside the whole document.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

/// Short text of a value for error messages (long values are cut).
pub(crate) fn show(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

impl<'a> Fields<'a> {
    /// Opens `value` as an object at `path`; records a problem and returns `None` otherwise.
    pub(crate) fn open(value: &'a Value, path: &str, problems: &mut Problems) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self {
                map,
                prefix: path.to_owned(),
            }),
            other => {
                let field = if path.is_empty() { "$" } else { path };
                problems.push(field, Rule::Object, show(other), "must be an object");
                None
            }
        }
    }

    /// The full path of a field of this object.
    pub(crate) fn path(&self, name: &str) -> String {
        field_path(&self.prefix, name)
    }

    /// Every field of the object with its value, in document order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The raw value of a field, `None` when absent or null.
    pub(crate) fn raw(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn required<T>(
        &self,
        name: &str,
        problems: &mut Problems,
        read: impl FnOnce(&Value, &str, &mut Problems) -> Option<T>,
    ) -> Option<T> {
        let path = self.path(name);
        match self.raw(name) {
            Some(value) => read(value, &path, problems),
            None => {
                problems.push(path, Rule::Required, "", "is required");
                None
            }
        }
    }

    fn optional<T>(
        &self,
        name: &str,
        problems: &mut Problems,
        read: impl FnOnce(&Value, &str, &mut Problems) -> Option<T>,
    ) -> Option<T> {
        let path = self.path(name);
        self.raw(name)
            .and_then(|value| read(value, &path, problems))
    }

    pub(crate) fn string(&self, name: &str, problems: &mut Problems) -> Option<String> {
        self.required(name, problems, read_string)
    }

    pub(crate) fn opt_string(&self, name: &str, problems: &mut Problems) -> Option<String> {
        self.optional(name, problems, read_string)
    }

    /// A required identifier: a non-empty string.
    pub(crate) fn id(&self, name: &str, problems: &mut Problems) -> Option<String> {
        let id = self.string(name, problems)?;
        problems.id(&self.path(name), &id);
        Some(id)
    }

    pub(crate) fn date(&self, name: &str, problems: &mut Problems) -> Option<NaiveDate> {
        self.required(name, problems, read_date)
    }

    pub(crate) fn opt_date(&self, name: &str, problems: &mut Problems) -> Option<NaiveDate> {
        self.optional(name, problems, read_date)
    }

    pub(crate) fn opt_instant(&self, name: &str, problems: &mut Problems) -> Option<DateTime<Utc>> {
        self.optional(name, problems, read_instant)
    }

    pub(crate) fn decimal(&self, name: &str, problems: &mut Problems) -> Option<Decimal> {
        self.required(name, problems, read_decimal)
    }

    pub(crate) fn opt_decimal(&self, name: &str, problems: &mut Problems) -> Option<Decimal> {
        self.optional(name, problems, read_decimal)
    }

    /// A required quantity, checked at once (> 0, at most 3 decimal places).
    pub(crate) fn quantity(&self, name: &str, problems: &mut Problems) -> Option<Decimal> {
        let q = self.decimal(name, problems)?;
        problems.quantity(&self.path(name), q);
        Some(q)
    }

    /// A required price, checked at once (>= 0, paise).
    pub(crate) fn price(&self, name: &str, problems: &mut Problems) -> Option<Decimal> {
        let price = self.decimal(name, problems)?;
        problems.price(&self.path(name), price);
        Some(price)
    }

    pub(crate) fn opt_price(&self, name: &str, problems: &mut Problems) -> Option<Decimal> {
        let price = self.opt_decimal(name, problems)?;
        problems.price(&self.path(name), price);
        Some(price)
    }

    pub(crate) fn opt_f64(&self, name: &str, problems: &mut Problems) -> Option<f64> {
        self.optional(name, problems, |value, path, problems| {
            match value.as_f64() {
                Some(x) => Some(x),
                None => {
                    problems.push(path, Rule::Type, show(value), "must be a number");
                    None
                }
            }
        })
    }

    /// A required status-like string parsed with the type's `FromStr` (case-insensitive).
    pub(crate) fn enumerated<T: FromStr>(
        &self,
        name: &str,
        problems: &mut Problems,
        allowed: &str,
    ) -> Option<T> {
        self.required(name, problems, |v, p, pr| read_enum(v, p, pr, allowed))
    }

    pub(crate) fn opt_enumerated<T: FromStr>(
        &self,
        name: &str,
        problems: &mut Problems,
        allowed: &str,
    ) -> Option<T> {
        self.optional(name, problems, |v, p, pr| read_enum(v, p, pr, allowed))
    }

    /// A list field: each element with its own path. Absent lists are empty when optional.
    pub(crate) fn list(
        &self,
        name: &str,
        required: bool,
        problems: &mut Problems,
    ) -> Option<Vec<(String, &'a Value)>> {
        let path = self.path(name);
        match self.raw(name) {
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{path}[{i}]"), v))
                    .collect(),
            ),
            Some(other) => {
                problems.push(path, Rule::Type, show(other), "must be a list");
                None
            }
            None if required => {
                problems.push(path, Rule::Required, "", "is required");
                None
            }
            None => Some(Vec::new()),
        }
    }
}

fn read_string(value: &Value, path: &str, problems: &mut Problems) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => {
            problems.push(path, Rule::Type, show(other), "must be a string");
            None
        }
    }
}

/// Unwraps MongoDB extended JSON (`{"$date": ...}`, `{"$numberDecimal": "12.50"}`,
/// `{"$numberInt": "2"}`, `{"$numberLong": ...}`) so exported documents read as they are.
fn unwrap_extended(value: &Value) -> &Value {
    const WRAPPERS: [&str; 4] = ["$date", "$numberDecimal", "$numberInt", "$numberLong"];
    match value {
        Value::Object(map) if map.len() == 1 => {
            WRAPPERS.iter().find_map(|w| map.get(*w)).unwrap_or(value)
        }
        other => other,
    }
}

/// A calendar date: `YYYY-MM-DD`, or an RFC 3339 instant taken in the business time zone.
pub(crate) fn read_date(value: &Value, path: &str, problems: &mut Problems) -> Option<NaiveDate> {
    let text = match unwrap_extended(value) {
        Value::String(s) => s.as_str(),
        other => {
            problems.push(
                path,
                Rule::Date,
                show(other),
                "must be a date string YYYY-MM-DD",
            );
            return None;
        }
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date);
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(crate::time::business_date(instant.with_timezone(&Utc)));
    }
    problems.push(path, Rule::Date, text, "must be a real date YYYY-MM-DD");
    None
}

fn read_instant(value: &Value, path: &str, problems: &mut Problems) -> Option<DateTime<Utc>> {
    match unwrap_extended(value) {
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(instant) => Some(instant.with_timezone(&Utc)),
            Err(_) => {
                problems.push(
                    path,
                    Rule::Instant,
                    s.as_str(),
                    "must be an RFC 3339 instant",
                );
                None
            }
        },
        other => {
            problems.push(
                path,
                Rule::Instant,
                show(other),
                "must be an RFC 3339 instant string",
            );
            None
        }
    }
}

/// A decimal from a JSON number's own digits or from a string; never through `f64`.
pub(crate) fn read_decimal(value: &Value, path: &str, problems: &mut Problems) -> Option<Decimal> {
    let text = match unwrap_extended(value) {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        other => {
            problems.push(
                path,
                Rule::Decimal,
                show(other),
                "must be a decimal number or string",
            );
            return None;
        }
    };
    let parsed = Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text));
    match parsed {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(path, Rule::Decimal, text, "must be a decimal number");
            None
        }
    }
}

fn read_enum<T: FromStr>(
    value: &Value,
    path: &str,
    problems: &mut Problems,
    allowed: &str,
) -> Option<T> {
    match value {
        Value::String(s) => match s.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(
                    path,
                    Rule::UnknownValue,
                    s.as_str(),
                    format!("must be one of {allowed}"),
                );
                None
            }
        },
        other => {
            problems.push(path, Rule::Type, show(other), "must be a string");
            None
        }
    }
}

/// Parses JSON text into a value, turning syntax errors into a validation problem.
pub(crate) fn parse_json(text: &str) -> Result<Value, ValidationError> {
    serde_json::from_str(text).map_err(|e| ValidationError {
        problems: vec![FieldProblem {
            field: "$".to_owned(),
            rule: Rule::Type,
            value: String::new(),
            message: format!("not valid JSON: {e}"),
        }],
    })
}

//! Field problems, collected so that one bad document reports every problem at once.
//!
//! Every record entering an engine is checked by the rules here; a check never stops at the
//! first problem, because the person fixing a document wants the whole list.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The rule a field broke. The string code is stable across every binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A required field is absent or null.
    Required,
    /// The JSON type is wrong (a number where a string was expected...).
    Type,
    /// The document (or a nested value) must be an object.
    Object,
    /// Not a real calendar date in `YYYY-MM-DD` form.
    Date,
    /// Not an RFC 3339 instant.
    Instant,
    /// Not a decimal number.
    Decimal,
    /// Not an Indian mobile number.
    Phone,
    /// Not a well-formed e-mail address.
    Email,
    /// A value that must be greater than zero is not.
    Positive,
    /// A value that must be zero or more is negative.
    NonNegative,
    /// More decimal places than the field allows.
    Scale,
    /// A value outside its allowed range.
    Range,
    /// A status, method, schedule kind or weekday that is not one of the known strings.
    UnknownValue,
    /// A list that must hold at least one element is empty.
    Empty,
    /// An end that comes before its start.
    DateOrder,
    /// An identifier that must not be empty is empty.
    EmptyId,
    /// The same key appears twice where it must be unique.
    Duplicate,
    /// Fields that contradict each other (a status and its quantities...).
    Inconsistent,
    /// A referenced record does not exist.
    UnknownReference,
}

impl Rule {
    /// Stable code of the rule, the same string in every language.
    pub const fn code(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::Type => "type",
            Rule::Object => "object",
            Rule::Date => "date",
            Rule::Instant => "instant",
            Rule::Decimal => "decimal",
            Rule::Phone => "phone",
            Rule::Email => "email",
            Rule::Positive => "positive",
            Rule::NonNegative => "non_negative",
            Rule::Scale => "scale",
            Rule::Range => "range",
            Rule::UnknownValue => "unknown_value",
            Rule::Empty => "empty",
            Rule::DateOrder => "date_order",
            Rule::EmptyId => "empty_id",
            Rule::Duplicate => "duplicate",
            Rule::Inconsistent => "inconsistent",
            Rule::UnknownReference => "unknown_reference",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem with one field: where, which rule, the offending value and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// Path of the field in the document, e.g. `items[1].quantity`.
    pub field: String,
    /// The rule broken.
    pub rule: Rule,
    /// The offending value as text (empty when the field is missing).
    pub value: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.rule, self.message)?;
        if !self.value.is_empty() {
            write!(f, " [value: {}]", self.value)?;
        }
        Ok(())
    }
}

/// Every problem found in one input. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{} invalid field(s): {}", problems.len(), join(problems))]
pub struct ValidationError {
    /// The problems, in the order the fields were read.
    pub problems: Vec<FieldProblem>,
}

fn join(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ValidationError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        "VALIDATION_FAILED"
    }

    /// The field paths with problems, in order (handy in tests and error displays).
    pub fn fields(&self) -> Vec<&str> {
        self.problems.iter().map(|p| p.field.as_str()).collect()
    }
}

/// The path of field `name` inside the object at `prefix` (`items[0]` + `quantity`).
pub fn field_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Collects field problems while a document or record is checked.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<FieldProblem>,
}

impl Problems {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one problem.
    pub fn push(
        &mut self,
        field: impl Into<String>,
        rule: Rule,
        value: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.list.push(FieldProblem {
            field: field.into(),
            rule,
            value: value.into(),
            message: message.into(),
        });
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Moves the problems of another collection into this one.
    pub fn extend(&mut self, other: ValidationError) {
        self.list.extend(other.problems);
    }

    /// `Ok(value)` when nothing was found, else every problem as one error.
    pub fn finish<T>(self, value: T) -> Result<T, ValidationError> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(ValidationError {
                problems: self.list,
            })
        }
    }

    /// The problems as an error when a record could not be built at all; a reader that
    /// built nothing always said why, but should it not have, the error still says so.
    pub fn into_error(mut self, kind: &str) -> ValidationError {
        if self.list.is_empty() {
            self.push(
                "$",
                Rule::Object,
                "",
                format!("could not read the {kind} document"),
            );
        }
        ValidationError {
            problems: self.list,
        }
    }

    /// Checks that an id is not blank.
    pub fn id(&mut self, field: &str, id: &str) {
        if id.trim().is_empty() {
            self.push(field, Rule::EmptyId, id, "must not be empty");
        }
    }

    /// Checks a quantity: greater than zero with at most three decimal places.
    pub fn quantity(&mut self, field: &str, q: Decimal) {
        if q <= Decimal::ZERO {
            self.push(
                field,
                Rule::Positive,
                q.to_string(),
                "quantity must be greater than 0",
            );
        }
        self.scale(field, q, 3);
    }

    /// Checks a delivered quantity: zero or more, at most three decimal places, and at most
    /// `ordered` when the ordered quantity is known.
    pub fn delivered_quantity(
        &mut self,
        field: &str,
        delivered: Decimal,
        ordered: Option<Decimal>,
    ) {
        if delivered < Decimal::ZERO {
            self.push(
                field,
                Rule::NonNegative,
                delivered.to_string(),
                "must not be negative",
            );
        } else if let Some(ordered) = ordered.filter(|o| delivered > *o) {
            self.push(
                field,
                Rule::Range,
                delivered.to_string(),
                format!("delivered quantity must not exceed the ordered {ordered}"),
            );
        }
        self.scale(field, delivered, 3);
    }

    /// Checks a price: zero or more, in rupees and paise.
    pub fn price(&mut self, field: &str, price: Decimal) {
        if price < Decimal::ZERO {
            self.push(
                field,
                Rule::NonNegative,
                price.to_string(),
                "price must not be negative",
            );
        }
        self.scale(field, price, 2);
    }

    /// Checks an amount of money that must be greater than zero (a payment, a top-up).
    pub fn positive_amount(&mut self, field: &str, amount: Decimal) {
        if amount <= Decimal::ZERO {
            self.push(
                field,
                Rule::Positive,
                amount.to_string(),
                "amount must be greater than 0",
            );
        }
        self.scale(field, amount, 2);
    }

    /// Checks that a value has at most `places` decimal places (ignoring trailing zeros).
    pub fn scale(&mut self, field: &str, value: Decimal, places: u32) {
        if value.normalize().scale() > places {
            self.push(
                field,
                Rule::Scale,
                value.to_string(),
                format!("at most {places} decimal places"),
            );
        }
    }

    /// Checks `low <= value <= high`.
    pub fn within(&mut self, field: &str, value: f64, low: f64, high: f64) {
        if !(low..=high).contains(&value) {
            self.push(
                field,
                Rule::Range,
                value.to_string(),
                format!("must be between {low} and {high}"),
            );
        }
    }
}

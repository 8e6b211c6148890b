//! Replays the shared, language-neutral cases of `tests/cases/` against the Rust core.
//!
//! Each binding has its own replayer calling its own API; this one is the reference: what it
//! produces is what every language must produce.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::Error;
use earlybird::churn::{ChurnConfig, ChurnEngine, ChurnInput, CustomerRecords};
use earlybird::lifecycle::{self, Actor};
use earlybird::record::{
    Customer, DeliveryRecord, Order, Payment, Product, Record, Subscription, normalize_phone,
};
use earlybird::validation::{Problems, Rule};
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

mod activation;
mod billing;
mod loyalty;

/// One case file.
#[derive(Debug, serde::Deserialize)]
pub struct Case {
    pub name: String,
    pub operation: String,
    pub input: Value,
    #[serde(default)]
    pub expected: Option<Value>,
    #[serde(default)]
    pub expected_error: Option<Value>,
}

/// Every case file under `dir`, sorted by path.
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The folder of the shared cases.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// The error as the cases write it: its code and the field and rule of each problem.
pub fn error_json(error: &Error) -> Value {
    let problems: Vec<Value> = error
        .problems()
        .iter()
        .map(|p| json!({"field": p.field, "rule": p.rule.code()}))
        .collect();
    json!({"code": error.code(), "problems": problems})
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("core results serialise")
}

/// Reads a field of a case input with the core's own document reader.
fn field<T: Record>(input: &Value, name: &str) -> Result<T, Error> {
    Ok(T::from_document(&input[name])?)
}

fn text<'a>(input: &'a Value, name: &str) -> Result<&'a str, Error> {
    input[name]
        .as_str()
        .ok_or_else(|| bad_input(name, "a string"))
}

pub(crate) fn bad_input(name: &str, wanted: &str) -> Error {
    let mut problems = Problems::new();
    problems.push(
        name,
        Rule::Type,
        "",
        format!("the case input needs {wanted}"),
    );
    problems.into_error("case input").into()
}

fn date(input: &Value, name: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(text(input, name)?, "%Y-%m-%d").map_err(|_| bad_input(name, "a date"))
}

fn actor(input: &Value) -> Result<Actor, Error> {
    let id = text(&input["actor"], "id")?;
    let at: DateTime<Utc> = text(&input["actor"], "at")?
        .parse()
        .map_err(|_| bad_input("actor.at", "an instant"))?;
    Ok(Actor::new(id, at))
}

fn quantities(input: &Value) -> Result<Vec<Decimal>, Error> {
    let list = input["delivered"]
        .as_array()
        .ok_or_else(|| bad_input("delivered", "a list"))?;
    list.iter()
        .map(|q| {
            q.as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad_input("delivered", "decimal strings"))
        })
        .collect()
}

/// Reads an optional plain-data field of a case input (engine inputs and configurations are
/// serde data, not documents); absent or null gives the default.
fn data<T: DeserializeOwned + Default>(input: &Value, name: &str) -> Result<T, Error> {
    match &input[name] {
        Value::Null => Ok(T::default()),
        value => serde_json::from_value(value.clone())
            .map_err(|e| bad_input(name, &format!("a valid {name} ({e})"))),
    }
}

/// Reads a list of documents, each with the core's own document reader; absent gives none.
fn records<T: Record>(input: &Value, name: &str) -> Result<Vec<T>, Error> {
    match &input[name] {
        Value::Null => Ok(Vec::new()),
        Value::Array(list) => Ok(list
            .iter()
            .map(T::from_document)
            .collect::<Result<_, _>>()?),
        _ => Err(bad_input(name, "a list of documents")),
    }
}

/// Runs one operation of the case format on the core.
pub fn run(operation: &str, input: &Value) -> Result<Value, Error> {
    Ok(match operation {
        "record.parse" => {
            let document = &input["document"];
            match text(input, "kind")? {
                "customer" => to_json(&Customer::from_document(document)?),
                "product" => to_json(&Product::from_document(document)?),
                "subscription" => to_json(&Subscription::from_document(document)?),
                "order" => to_json(&Order::from_document(document)?),
                "delivery" => to_json(&DeliveryRecord::from_document(document)?),
                "payment" => to_json(&Payment::from_document(document)?),
                _ => return Err(bad_input("kind", "a record kind")),
            }
        }
        "phone.normalize" => {
            let raw = text(input, "phone")?;
            match normalize_phone(raw) {
                Some(phone) => Value::String(phone),
                None => {
                    let mut problems = Problems::new();
                    problems.push("phone", Rule::Phone, raw, "not an Indian mobile number");
                    return Err(problems.into_error("phone").into());
                }
            }
        }
        "schedule.due_between" => {
            let subscription: Subscription = field(input, "subscription")?;
            to_json(&subscription.due_between(date(input, "from")?, date(input, "to")?))
        }
        "lifecycle.dispatch" => to_json(&lifecycle::dispatch(
            &field(input, "order")?,
            &actor(input)?,
        )?),
        "lifecycle.cancel" => to_json(&lifecycle::cancel(&field(input, "order")?, &actor(input)?)?),
        "lifecycle.confirm_delivery" => to_json(&lifecycle::confirm_delivery(
            &field(input, "order")?,
            &quantities(input)?,
            input["reason"].as_str(),
            &actor(input)?,
        )?),
        "lifecycle.correct_delivery" => to_json(&lifecycle::correct_delivery(
            &field(input, "order")?,
            &quantities(input)?,
            text(input, "reason")?,
            &actor(input)?,
        )?),
        "churn.score" => {
            let engine = ChurnEngine::new(data::<ChurnConfig>(input, "config")?)?;
            let customer: ChurnInput = data(input, "input")?;
            to_json(&engine.score(&customer, date(input, "now")?)?)
        }
        "churn.rank" => {
            let engine = ChurnEngine::new(data::<ChurnConfig>(input, "config")?)?;
            let customers: Vec<ChurnInput> = data(input, "customers")?;
            to_json(&engine.rank(&customers, date(input, "now")?)?)
        }
        "churn.from_records" => {
            let customer: Customer = field(input, "customer")?;
            let products: Vec<Product> = records(input, "products")?;
            let orders: Vec<Order> = records(input, "orders")?;
            let deliveries: Vec<DeliveryRecord> = records(input, "deliveries")?;
            let subscriptions: Vec<Subscription> = records(input, "subscriptions")?;
            let window_days = input["window_days"]
                .as_u64()
                .and_then(|w| u32::try_from(w).ok())
                .ok_or_else(|| bad_input("window_days", "a whole number of days"))?;
            let customer_records = CustomerRecords {
                customer: &customer,
                products: &products,
                orders: &orders,
                deliveries: &deliveries,
                subscriptions: &subscriptions,
                payments: data(input, "payments")?,
                service: data(input, "service")?,
            };
            to_json(&ChurnInput::from_records(
                &customer_records,
                date(input, "now")?,
                window_days,
            ))
        }
        op if op.starts_with("activation.") => activation::run(op, input)?,
        op if op.starts_with("billing.") => billing::run(op, input)?,
        op if op.starts_with("loyalty.") => loyalty::run(op, input)?,
        other => {
            return Err(bad_input(
                "operation",
                &format!("a known operation, not {other}"),
            ));
        }
    })
}

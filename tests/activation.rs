//! The activation operations of the shared cases.

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::Error;
use earlybird::activation::{
    ActivationConfig, ActivationEvent, ActivityTable, CustomerActivation, CustomerHistory,
    CustomerRecords, Granularity, backfill, backfill_events, cohort_retention,
};
use earlybird::record::{Customer, DeliveryRecord, Order, Subscription};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::{bad_input, error_json, to_json};

fn field<T: DeserializeOwned>(input: &Value, name: &str) -> Result<T, Error> {
    serde_json::from_value(input[name].clone()).map_err(|e| bad_input(name, &e.to_string()))
}

fn config(input: &Value) -> Result<ActivationConfig, Error> {
    match input.get("config") {
        Some(_) => field(input, "config"),
        None => Ok(ActivationConfig::default()),
    }
}

/// A customer's state, recorded dates, timeline and the intents of its transitions.
fn customer_output(c: &CustomerActivation) -> Value {
    let intents: Vec<Value> = c
        .intents(c.timeline())
        .iter()
        .map(|i| json!({"template": i.template, "variables": i.variables, "at": i.at}))
        .collect();
    json!({"state": c.state(), "dates": c.dates(), "timeline": c.timeline(), "intents": intents})
}

/// Runs one `activation.*` operation.
pub fn run(operation: &str, input: &Value) -> Result<Value, Error> {
    Ok(match operation {
        "activation.replay" => {
            let history: CustomerHistory = field(input, "history")?;
            customer_output(&CustomerActivation::replay(
                history,
                field(input, "now")?,
                config(input)?,
            )?)
        }
        "activation.record" => {
            let history: CustomerHistory = field(input, "history")?;
            let mut c = CustomerActivation::replay(history, field(input, "now")?, config(input)?)?;
            let arrivals: Vec<ActivationEvent> = field(input, "arrivals")?;
            let recorded: Vec<Value> = arrivals
                .into_iter()
                .map(|event| match c.record(event) {
                    Ok(r) => to_json(&r),
                    Err(e) => json!({"error": error_json(&e.into())}),
                })
                .collect();
            let sweep_at: DateTime<Utc> = field(input, "sweep_at")?;
            c.sweep(sweep_at);
            let mut out = customer_output(&c);
            out["recorded"] = Value::Array(recorded);
            out
        }
        "activation.backfill" => {
            let customer: Customer = field(input, "customer")?;
            let orders: Vec<Order> = field(input, "orders")?;
            let deliveries: Vec<DeliveryRecord> = field(input, "deliveries")?;
            let subscriptions: Vec<Subscription> = field(input, "subscriptions")?;
            let records = CustomerRecords {
                customer: &customer,
                orders: &orders,
                deliveries: &deliveries,
                subscriptions: &subscriptions,
            };
            let config = config(input)?;
            let events = backfill_events(records, &config)?;
            let mut out = customer_output(&backfill(records, field(input, "now")?, config)?);
            out["events"] = to_json(&events);
            out
        }
        "activation.cohort_retention" => {
            let mut table = ActivityTable::new();
            for c in input["customers"].as_array().into_iter().flatten() {
                let signed_up_on: NaiveDate = field(c, "signed_up_on")?;
                let activity: Vec<NaiveDate> = field(c, "activity")?;
                table.push(signed_up_on, activity);
            }
            let granularity: Granularity = field(input, "granularity")?;
            let as_of: NaiveDate = field(input, "as_of")?;
            to_json(&cohort_retention(&table, granularity, as_of))
        }
        other => {
            return Err(bad_input(
                "operation",
                &format!("a known operation, not {other}"),
            ));
        }
    })
}

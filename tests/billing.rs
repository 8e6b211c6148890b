//! The billing operations of the shared cases.

use earlybird::Error;
use earlybird::billing::{BillingConfig, BillingInput, Month, NumberSeries, compute_bill};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::{bad_input, to_json};

fn field<T: DeserializeOwned>(input: &Value, name: &str) -> Result<T, Error> {
    serde_json::from_value(input[name].clone()).map_err(|e| bad_input(name, &e.to_string()))
}

fn config(input: &Value) -> Result<BillingConfig, Error> {
    match input.get("config") {
        Some(_) => field(input, "config"),
        None => Ok(BillingConfig::default()),
    }
}

/// Runs one `billing.*` operation.
pub fn run(operation: &str, input: &Value) -> Result<Value, Error> {
    Ok(match operation {
        "billing.compute_bill" => {
            let records: BillingInput = serde_json::from_value(input.clone())
                .map_err(|e| bad_input("input", &e.to_string()))?;
            let customer: String = field(input, "customer_id")?;
            let month: Month = field(input, "month")?;
            to_json(&compute_bill(&records, &customer, month, &config(input)?)?)
        }
        "billing.next_number" => {
            let series: NumberSeries = field(input, "series")?;
            let (number, series) = series.next(field(input, "bill_date")?, &config(input)?)?;
            json!({"number": number, "series": series})
        }
        other => {
            return Err(bad_input(
                "operation",
                &format!("a known operation, not {other}"),
            ));
        }
    })
}

//! Replays the language-neutral activation cases of `tests/cases/activation/` (format in
//! `tests/cases/README.md`).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::activation::{
    ActivationConfig, ActivationError, ActivationEvent, ActivityTable, CustomerActivation,
    CustomerHistory, CustomerRecords, Granularity, backfill, backfill_events, cohort_retention,
};
use earlybird::record::{Customer, DeliveryRecord, Order, Subscription};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn field<T: DeserializeOwned>(input: &Value, name: &str) -> T {
    serde_json::from_value(input[name].clone()).unwrap_or_else(|e| panic!("input.{name}: {e}"))
}

fn config(input: &Value) -> ActivationConfig {
    match input.get("config") {
        Some(c) => serde_json::from_value(c.clone()).unwrap(),
        None => ActivationConfig::default(),
    }
}

fn error(e: &ActivationError) -> Value {
    let fields: Vec<&str> = match e {
        ActivationError::Invalid(v) => v.fields(),
        ActivationError::Template(_) => vec![],
    };
    json!({"error": {"code": e.code(), "fields": fields}})
}

fn customer_output(c: &CustomerActivation) -> Value {
    json!({
        "state": c.state(),
        "dates": c.dates(),
        "timeline": c.timeline(),
        "intents": c.intents(c.timeline()).iter().map(|i| json!({
            "template": i.template, "variables": i.variables, "at": i.at
        })).collect::<Vec<_>>(),
    })
}

fn run(operation: &str, input: &Value) -> Value {
    match operation {
        "activation.replay" => {
            let history: CustomerHistory = field(input, "history");
            let now: DateTime<Utc> = field(input, "now");
            match CustomerActivation::replay(history, now, config(input)) {
                Ok(c) => customer_output(&c),
                Err(e) => error(&e),
            }
        }
        "activation.record" => {
            let history: CustomerHistory = field(input, "history");
            let now: DateTime<Utc> = field(input, "now");
            let mut c = CustomerActivation::replay(history, now, config(input)).unwrap();
            let arrivals: Vec<ActivationEvent> = field(input, "arrivals");
            let mut recorded = Vec::new();
            for event in arrivals {
                match c.record(event) {
                    Ok(r) => recorded.push(serde_json::to_value(r).unwrap()),
                    Err(e) => recorded.push(error(&e)),
                }
            }
            let sweep_at: DateTime<Utc> = field(input, "sweep_at");
            c.sweep(sweep_at);
            let mut out = customer_output(&c);
            out["recorded"] = Value::Array(recorded);
            out
        }
        "activation.backfill" => {
            let customer: Customer = field(input, "customer");
            let orders: Vec<Order> = field(input, "orders");
            let deliveries: Vec<DeliveryRecord> = field(input, "deliveries");
            let subscriptions: Vec<Subscription> = field(input, "subscriptions");
            let now: DateTime<Utc> = field(input, "now");
            let records = CustomerRecords {
                customer: &customer,
                orders: &orders,
                deliveries: &deliveries,
                subscriptions: &subscriptions,
            };
            let config = config(input);
            let events = match backfill_events(records, &config) {
                Ok(events) => events,
                Err(e) => return error(&e),
            };
            let c = backfill(records, now, config).unwrap();
            let mut out = customer_output(&c);
            out["events"] = serde_json::to_value(events).unwrap();
            out
        }
        "activation.cohort_retention" => {
            let mut table = ActivityTable::new();
            for c in input["customers"].as_array().unwrap() {
                let signed_up_on: NaiveDate = field(c, "signed_up_on");
                let activity: Vec<NaiveDate> = field(c, "activity");
                table.push(signed_up_on, activity);
            }
            let granularity: Granularity = field(input, "granularity");
            let as_of: NaiveDate = field(input, "as_of");
            serde_json::to_value(cohort_retention(&table, granularity, as_of)).unwrap()
        }
        other => panic!("unknown operation {other}"),
    }
}

#[test]
fn every_activation_case_gives_its_expected_output() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cases/activation");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "cases in {}", dir.display());
    for path in paths {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = case["name"].as_str().unwrap_or_default();
        let operation = case["operation"].as_str().unwrap();
        let actual = run(operation, &case["input"]);
        for (key, expected) in case["expected"].as_object().unwrap() {
            assert_eq!(
                &actual[key],
                expected,
                "case {name} ({}): {key}\nactual: {}",
                path.display(),
                serde_json::to_string_pretty(&actual[key]).unwrap()
            );
        }
    }
}

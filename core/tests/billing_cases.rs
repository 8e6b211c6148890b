//! Replays the language-neutral billing cases of `tests/cases/billing/` (format in
//! `tests/cases/README.md`): every binding replays the same files and must agree exactly.

use std::path::{Path, PathBuf};

use earlybird::billing::{BillingConfig, BillingInput, Month, NumberSeries, compute_bill};
use serde_json::{Value, json};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cases/billing")
}

fn config(input: &Value) -> BillingConfig {
    input
        .get("config")
        .map(|c| serde_json::from_value(c.clone()).expect("config"))
        .unwrap_or_default()
}

/// Runs one operation; an error becomes `{"error": {"code", "fields"}}`.
fn run(operation: &str, input: &Value) -> Value {
    match operation {
        "billing.compute_bill" => {
            let records: BillingInput = serde_json::from_value(input.clone()).expect("input");
            let customer = input["customer_id"].as_str().expect("customer_id");
            let month: Month = serde_json::from_value(input["month"].clone()).expect("month");
            match compute_bill(&records, customer, month, &config(input)) {
                Ok(bill) => serde_json::to_value(bill).expect("bill"),
                Err(e) => json!({"error": {"code": e.code(), "fields": e.fields()}}),
            }
        }
        "billing.next_number" => {
            let series: NumberSeries =
                serde_json::from_value(input["series"].clone()).expect("series");
            let date = serde_json::from_value(input["bill_date"].clone()).expect("bill_date");
            match series.next(date, &config(input)) {
                Ok((number, series)) => json!({"number": number, "series": series}),
                Err(e) => json!({"error": {"code": e.code(), "fields": e.fields()}}),
            }
        }
        other => panic!("unknown operation {other}"),
    }
}

#[test]
fn every_billing_case_gives_exactly_its_expected_output() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases/billing")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "too few cases: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read case");
        let case: Value = serde_json::from_str(&text).expect("case JSON");
        let operation = case["operation"].as_str().expect("operation");
        assert!(operation.starts_with("billing."), "{}", file.display());
        let got = run(operation, &case["input"]);
        assert_eq!(
            got,
            case["expected"],
            "{}: {}\ngot: {}",
            file.display(),
            case["name"],
            serde_json::to_string_pretty(&got).unwrap_or_default()
        );
    }
}

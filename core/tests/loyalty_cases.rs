//! Replays the language-neutral loyalty cases of `tests/cases/loyalty/*.json`.

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use earlybird::loyalty::{
    LoyaltyConfig, LoyaltyError, LoyaltyEvent, Position, Program, RedemptionRequest, preview,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cases/loyalty")
}

fn field<T: serde::de::DeserializeOwned>(value: &Value, name: &str) -> T {
    serde_json::from_value(value[name].clone())
        .unwrap_or_else(|e| panic!("input.{name}: {e} in {value}"))
}

fn program(input: &Value) -> Program {
    let config: LoyaltyConfig = match input.get("config") {
        Some(c) => serde_json::from_value(c.clone()).expect("input.config"),
        None => LoyaltyConfig::default(),
    };
    let mut program = Program::new(config).expect("valid config");
    for step in input["steps"].as_array().into_iter().flatten() {
        if let Some(event) = step.get("event") {
            let event: LoyaltyEvent = serde_json::from_value(event.clone()).expect("event");
            program.apply(&event).expect("step event");
        } else if let Some(request) = step.get("redeem") {
            let request: RedemptionRequest =
                serde_json::from_value(request.clone()).expect("redeem");
            program.redeem(&request).expect("step redemption");
        } else if let Some(now) = step.get("expire") {
            program.expire(serde_json::from_value(now.clone()).expect("expire"));
        } else if let Some(now) = step.get("review") {
            program.monthly_review(serde_json::from_value(now.clone()).expect("review"));
        } else {
            panic!("unknown step {step}");
        }
    }
    program
}

fn error(e: &LoyaltyError) -> Value {
    let mut v = serde_json::to_value(e).expect("error serializes");
    v["code"] = json!(e.code());
    json!({ "error": v })
}

fn positions(list: Vec<Position>) -> Value {
    serde_json::to_value(list).expect("positions serialize")
}

fn replay(input: &Value) -> Value {
    let program = program(input);
    let id: String = field(input, "customer_id");
    let member = program.member(&id).expect("member exists");
    let entries: Vec<Value> = member
        .ledger()
        .entries()
        .iter()
        .map(|e| json!({ "key": e.key, "kind": e.kind(), "points": e.points }))
        .collect();
    let changes: Vec<Value> = member
        .tier_history()
        .iter()
        .map(|c| json!({ "from": c.from, "to": c.to, "cause": c.cause }))
        .collect();
    json!({
        "balance": member.balance(),
        "tier": member.tier(),
        "entries": entries,
        "tier_changes": changes,
        "badges": member.badges().keys().collect::<Vec<_>>(),
    })
}

fn run(operation: &str, input: &Value) -> Value {
    match operation {
        "loyalty.replay" => replay(input),
        "loyalty.redeem" => {
            let mut program = program(input);
            let request: RedemptionRequest = field(input, "request");
            match program.redeem(&request) {
                Ok(r) => json!({
                    "redemption": r.redemption,
                    "balance": program.member(&request.customer_id).map(|m| m.balance()),
                }),
                Err(e) => error(&e),
            }
        }
        "loyalty.preview_redemption" => {
            let config = LoyaltyConfig::default();
            let balance: i64 = field(input, "balance");
            let charges: Decimal = field(input, "bill_charges");
            serde_json::to_value(preview(&config, balance, charges)).expect("preview")
        }
        "loyalty.leaderboards" => {
            let program = program(input);
            let now: DateTime<Utc> = field(input, "now");
            let n: usize = field(input, "top");
            let boards = program.leaderboards(now);
            let by_tier: serde_json::Map<String, Value> = boards
                .by_tier
                .iter()
                .map(|(t, b)| (t.to_string(), positions(b.top(n))))
                .collect();
            json!({
                "all_time": positions(boards.all_time.top(n)),
                "by_tier": by_tier,
                "this_week": positions(boards.this_week.top(n)),
            })
        }
        other => panic!("unknown operation {other}"),
    }
}

/// Every key of `expected` is in `actual` with the same value (errors name only the fields
/// that matter); anything else must match exactly.
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected.get("error"), actual.get("error")) {
        (Some(Value::Object(want)), Some(got)) => want.iter().all(|(k, v)| got.get(k) == Some(v)),
        _ => expected == actual,
    }
}

#[test]
fn every_loyalty_case_gives_its_expected_output() {
    let mut files: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("tests/cases/loyalty exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected at least three case files");
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = fs::read_to_string(file).expect("readable case file");
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        let cases = match parsed {
            Value::Array(list) => list,
            one => vec![one],
        };
        for case in cases {
            count += 1;
            let actual = run(
                case["operation"].as_str().expect("operation"),
                &case["input"],
            );
            if !matches(&case["expected"], &actual) {
                failures.push(format!(
                    "{} / {}:\n expected {}\n actual   {}",
                    file.display(),
                    case["name"],
                    case["expected"],
                    actual
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 5);
}

//! The loyalty operations of the shared cases.

use chrono::{DateTime, Utc};
use earlybird::Error;
use earlybird::loyalty::{
    LoyaltyConfig, LoyaltyEvent, Position, Program, RedemptionRequest, preview,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::{bad_input, to_json};

fn field<T: serde::de::DeserializeOwned>(value: &Value, name: &str) -> Result<T, Error> {
    serde_json::from_value(value[name].clone()).map_err(|e| bad_input(name, &e.to_string()))
}

/// A programme built by applying the input's `steps` in order.
fn program(input: &Value) -> Result<Program, Error> {
    let config: LoyaltyConfig = match input.get("config") {
        Some(_) => field(input, "config")?,
        None => LoyaltyConfig::default(),
    };
    let mut program = Program::new(config)?;
    for step in input["steps"].as_array().into_iter().flatten() {
        if step.get("event").is_some() {
            program.apply(&field::<LoyaltyEvent>(step, "event")?)?;
        } else if step.get("redeem").is_some() {
            program.redeem(&field::<RedemptionRequest>(step, "redeem")?)?;
        } else if step.get("expire").is_some() {
            program.expire(field(step, "expire")?);
        } else if step.get("review").is_some() {
            program.monthly_review(field(step, "review")?);
        } else {
            return Err(bad_input("steps", "event, redeem, expire or review steps"));
        }
    }
    Ok(program)
}

fn positions(list: Vec<Position>) -> Value {
    to_json(&list)
}

/// Runs one `loyalty.*` operation.
pub fn run(operation: &str, input: &Value) -> Result<Value, Error> {
    Ok(match operation {
        "loyalty.replay" => {
            let program = program(input)?;
            let id: String = field(input, "customer_id")?;
            let member = program
                .member(&id)
                .ok_or_else(|| bad_input("customer_id", "a member"))?;
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
        "loyalty.redeem" => {
            let mut program = program(input)?;
            let request: RedemptionRequest = field(input, "request")?;
            let redeemed = program.redeem(&request)?;
            json!({
                "redemption": redeemed.redemption,
                "balance": program.member(&request.customer_id).map(|m| m.balance()),
            })
        }
        "loyalty.preview_redemption" => {
            let balance: i64 = field(input, "balance")?;
            let charges: Decimal = field(input, "bill_charges")?;
            to_json(&preview(&LoyaltyConfig::default(), balance, charges))
        }
        "loyalty.leaderboards" => {
            let program = program(input)?;
            let now: DateTime<Utc> = field(input, "now")?;
            let n: usize = field(input, "top")?;
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
        other => {
            return Err(bad_input(
                "operation",
                &format!("a known operation, not {other}"),
            ));
        }
    })
}

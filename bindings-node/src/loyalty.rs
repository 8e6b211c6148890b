//! The loyalty programme as a JavaScript class. A `LoyaltyProgram` holds the core's
//! `Program` (every member under one configuration); events, redemption requests and results
//! are plain objects in the core's serde form with camelCase keys (`plain`): points are
//! numbers, money decimal strings, instants ISO strings (`Date`s are accepted in arguments).

use chrono::{DateTime, Utc};
use earlybird::loyalty::{
    Leaderboard, LoyaltyConfig, LoyaltyEvent, Position, Program, RedemptionRequest, preview,
};
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::failure::{Failure, call};
use crate::plain::{camel_keys, input, output};

/// The configuration argument: the defaults when absent, else the core's config read with
/// `#[serde(default)]`, so an object may override a few fields only.
fn config(env: &Env, value: Option<Unknown<'_>>) -> Result<LoyaltyConfig, Failure> {
    match value {
        Some(v)
            if !matches!(
                v.get_type(),
                Ok(napi::ValueType::Undefined | napi::ValueType::Null)
            ) =>
        {
            input(env, "config", v)
        }
        _ => Ok(LoyaltyConfig::default()),
    }
}

fn instant(env: &Env, name: &str, value: Unknown<'_>) -> Result<DateTime<Utc>, Failure> {
    input(env, name, value)
}

fn board(board: &Leaderboard, top: Option<u32>) -> Result<Value, Failure> {
    let n = top.map_or(board.len(), |n| n as usize);
    output(&board.top(n))
}

fn place(position: Option<Position>) -> Result<Value, Failure> {
    position.map_or(Ok(Value::Null), |p| output(&p))
}

/// The loyalty programme: members, their ledgers, tiers, badges and the leaderboards.
#[napi]
pub struct LoyaltyProgram {
    program: Program,
}

#[napi]
impl LoyaltyProgram {
    /// A programme with no members. `config` overrides the defaults field by field; an
    /// invalid configuration throws `VALIDATION_FAILED` with every problem.
    #[napi(constructor, ts_args_type = "config?: Partial<LoyaltyConfig> | null")]
    pub fn new(env: Env, config_arg: Option<Unknown<'_>>) -> napi::Result<Self> {
        call(&env, || {
            let program = Program::new(config(&env, config_arg)?)?;
            Ok(Self { program })
        })
    }

    /// The default configuration of rules section 4 (tiers, bonuses, expiry, redemption, badges).
    #[napi(ts_return_type = "LoyaltyConfig")]
    pub fn default_config(env: Env) -> napi::Result<Value> {
        call(&env, || output(&LoyaltyConfig::default()))
    }

    /// What `previewRedemption` shows for a `balance` under `config` (the defaults when absent).
    #[napi(
        ts_args_type = "balance: number, billCharges: string, config?: Partial<LoyaltyConfig> | null",
        ts_return_type = "RedemptionPreview"
    )]
    pub fn preview(
        env: Env,
        balance: Unknown<'_>,
        bill_charges: Unknown<'_>,
        config_arg: Option<Unknown<'_>>,
    ) -> napi::Result<Value> {
        call(&env, || {
            let balance: i64 = input(&env, "balance", balance)?;
            let charges: Decimal = input(&env, "billCharges", bill_charges)?;
            output(&preview(&config(&env, config_arg)?, balance, charges))
        })
    }

    /// The programme's configuration.
    #[napi(getter, ts_return_type = "LoyaltyConfig")]
    pub fn config(&self, env: Env) -> napi::Result<Value> {
        call(&env, || output(self.program.config()))
    }

    /// Applies an event (idempotent under its key); enrols the customer on their first event.
    #[napi(
        ts_args_type = "event: LoyaltyEvent",
        ts_return_type = "LoyaltyApplied"
    )]
    pub fn apply(&mut self, env: Env, event: Unknown<'_>) -> napi::Result<Value> {
        call(&env, || {
            let event: LoyaltyEvent = input(&env, "event", event)?;
            output(&self.program.apply(&event)?)
        })
    }

    /// Redeems points against a bill; refused (nothing changed) below the minimum, above the
    /// cap or the balance.
    #[napi(
        ts_args_type = "request: RedemptionRequest",
        ts_return_type = "LoyaltyRedeemed"
    )]
    pub fn redeem(&mut self, env: Env, request: Unknown<'_>) -> napi::Result<Value> {
        call(&env, || {
            let request: RedemptionRequest = input(&env, "request", request)?;
            output(&self.program.redeem(&request)?)
        })
    }

    /// How much `customerId` can redeem on a bill with `billCharges` at `now`.
    #[napi(
        ts_args_type = "customerId: string, billCharges: string, now: string | Date",
        ts_return_type = "RedemptionPreview"
    )]
    pub fn preview_redemption(
        &self,
        env: Env,
        customer_id: Unknown<'_>,
        bill_charges: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Value> {
        call(&env, || {
            let id: String = input(&env, "customerId", customer_id)?;
            let charges: Decimal = input(&env, "billCharges", bill_charges)?;
            let now = instant(&env, "now", now)?;
            output(&self.program.preview_redemption(&id, charges, now))
        })
    }

    /// The daily expiry sweep at `now`: the expiry entries written, by customer id.
    #[napi(ts_args_type = "now: string | Date", ts_return_type = "LoyaltyEntry[]")]
    pub fn expire(&mut self, env: Env, now: Unknown<'_>) -> napi::Result<Value> {
        call(&env, || {
            let now = instant(&env, "now", now)?;
            output(&self.program.expire(now))
        })
    }

    /// The monthly tier review at `now`: the tier changes, by customer id.
    #[napi(ts_args_type = "now: string | Date", ts_return_type = "TierChange[]")]
    pub fn monthly_review(&mut self, env: Env, now: Unknown<'_>) -> napi::Result<Value> {
        call(&env, || {
            let now = instant(&env, "now", now)?;
            output(&self.program.monthly_review(now))
        })
    }

    /// What the app shows a member at `now`, or `null` for a customer without an account.
    #[napi(
        ts_args_type = "customerId: string, now: string | Date",
        ts_return_type = "MemberSummary | null"
    )]
    pub fn summary(
        &self,
        env: Env,
        customer_id: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Value> {
        call(&env, || {
            let id: String = input(&env, "customerId", customer_id)?;
            let now = instant(&env, "now", now)?;
            self.program
                .summary(&id, now)
                .map_or(Ok(Value::Null), |s| output(&s))
        })
    }

    /// A member's account: balance, tier, ledger, tier history, unlocked badges (by code,
    /// sorted) and stats; `null` for a customer without an account.
    #[napi(
        ts_args_type = "customerId: string",
        ts_return_type = "LoyaltyMember | null"
    )]
    pub fn member(&self, env: Env, customer_id: Unknown<'_>) -> napi::Result<Value> {
        call(&env, || {
            let id: String = input(&env, "customerId", customer_id)?;
            let Some(m) = self.program.member(&id) else {
                return Ok(Value::Null);
            };
            // Badge codes are data, not keys: they cross as a list, never renamed.
            let badges: Vec<Value> = m
                .badges()
                .iter()
                .map(|(code, at)| json!({ "code": code, "at": at }))
                .collect();
            Ok(json!({
                "customerId": m.customer_id(),
                "joinedAt": m.joined_at(),
                "balance": m.balance(),
                "tier": m.tier(),
                "entries": output(&m.ledger().entries())?,
                "tierHistory": output(&m.tier_history())?,
                "badges": badges,
                "stats": output(m.stats())?,
            }))
        })
    }

    /// The customer ids of every member, sorted.
    #[napi]
    pub fn customer_ids(&self) -> Vec<String> {
        self.program
            .members()
            .map(|m| m.customer_id().to_owned())
            .collect()
    }

    /// The all-time, per-tier (keyed by tier name) and this-week boards at `now`: the first
    /// `top` positions of each (all of them when `top` is absent).
    #[napi(
        ts_args_type = "now: string | Date, top?: number | null",
        ts_return_type = "Leaderboards"
    )]
    pub fn leaderboards(
        &self,
        env: Env,
        now: Unknown<'_>,
        top: Option<Unknown<'_>>,
    ) -> napi::Result<Value> {
        call(&env, || {
            let now = instant(&env, "now", now)?;
            let top: Option<u32> = match top {
                Some(v) => input(&env, "top", v)?,
                None => None,
            };
            let boards = self.program.leaderboards(now);
            let mut by_tier = Map::new();
            for (tier, b) in &boards.by_tier {
                by_tier.insert(tier.to_string(), board(b, top)?);
            }
            Ok(json!({
                "allTime": board(&boards.all_time, top)?,
                "byTier": by_tier,
                "thisWeek": board(&boards.this_week, top)?,
            }))
        })
    }

    /// Where `customerId` stands at `now`: rank, board size and percentile on the all-time
    /// board, on the board of their tier and this week (`null` where they are not on it).
    #[napi(
        ts_args_type = "customerId: string, now: string | Date",
        ts_return_type = "Standings"
    )]
    pub fn position(
        &self,
        env: Env,
        customer_id: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Value> {
        call(&env, || {
            let id: String = input(&env, "customerId", customer_id)?;
            let now = instant(&env, "now", now)?;
            let boards = self.program.leaderboards(now);
            let tier = self
                .program
                .member(&id)
                .and_then(|m| boards.by_tier.get(&m.tier()))
                .and_then(|b| b.position(&id));
            Ok(camel_keys(json!({
                "all_time": place(boards.all_time.position(&id))?,
                "tier": place(tier)?,
                "this_week": place(boards.this_week.position(&id))?,
            })))
        })
    }
}

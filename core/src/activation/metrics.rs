//! Metrics over a set of customers at "now": states, stalled onboarding, the funnel and
//! revenue per state.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::ActivationConfig;
use super::event::ActivationState;
use super::snapshot::{CustomerSnapshot, Snapshot};

/// Customers stuck before their first delivery (a metric, not a state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Stalled {
    /// NEW for more than `stalled_new_after_days`.
    pub new: u64,
    /// ONBOARDED and still without a delivery `stalled_onboarded_after_hours` after the
    /// first order.
    pub onboarded: u64,
}

/// One step of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct FunnelStep {
    /// `signed_up`, `first_order`, `first_delivery`, `active_30_days_later` (the 30 is
    /// `retained_after_days`).
    pub step: String,
    pub customers: u64,
    /// Customers who could have reached this step by now: the previous step's count, or for
    /// the last step those whose first delivery is at least 30 days old.
    pub eligible: u64,
    /// `customers / eligible`, 4 decimals.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub rate_from_previous: Decimal,
    /// `customers / signed up`, 4 decimals.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub rate_from_start: Decimal,
}

/// The funnel signup → first order → first delivery → still active 30 days later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Funnel {
    pub steps: Vec<FunnelStep>,
}

/// Every metric of rules section 3 at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ActivationMetrics {
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::Instant"))]
    pub at: DateTime<Utc>,
    pub customers: u64,
    /// Every state, with 0 for the empty ones.
    pub per_state: BTreeMap<ActivationState, u64>,
    pub stalled: Stalled,
    pub funnel: Funnel,
    /// Bill totals summed by the customer's current state.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "BTreeMap<ActivationState, crate::typescript::DecimalString>")
    )]
    pub revenue_per_state: BTreeMap<ActivationState, Decimal>,
    /// Bill totals of customers not in the set.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub revenue_unmatched: Decimal,
}

/// `part / whole` rounded half-up to 4 decimals, without trailing zeros; 0 when `whole` is 0.
pub(crate) fn rate(part: u64, whole: u64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) / Decimal::from(whole))
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

#[derive(Default)]
struct Tally {
    per_state: [u64; 6],
    revenue: [Decimal; 6],
    stalled: Stalled,
    signed_up: u64,
    ordered: u64,
    delivered: u64,
    judged: u64,
    retained: u64,
}

impl Tally {
    fn merge(mut self, other: Self) -> Self {
        for i in 0..6 {
            self.per_state[i] += other.per_state[i];
            self.revenue[i] += other.revenue[i];
        }
        self.stalled.new += other.stalled.new;
        self.stalled.onboarded += other.stalled.onboarded;
        self.signed_up += other.signed_up;
        self.ordered += other.ordered;
        self.delivered += other.delivered;
        self.judged += other.judged;
        self.retained += other.retained;
        self
    }

    fn add(
        &mut self,
        snapshot: &Snapshot,
        bill: Option<Decimal>,
        now: DateTime<Utc>,
        config: &ActivationConfig,
    ) {
        let mut s = *snapshot;
        s.advance(config.zone.date_of(now), config, &mut |_| {});
        let Some(state) = s.state else { return };
        // Declaration order, the order of `ActivationState::ALL`.
        let index = state as usize;
        self.per_state[index] += 1;
        self.revenue[index] += bill.unwrap_or(Decimal::ZERO);
        let age = |at: Option<DateTime<Utc>>| at.map(|t| now - t);
        let stalled_new = Duration::days(i64::from(config.stalled_new_after_days));
        let stalled_onboarded = Duration::hours(i64::from(config.stalled_onboarded_after_hours));
        match state {
            ActivationState::New if age(s.dates.signed_up_at).is_some_and(|a| a > stalled_new) => {
                self.stalled.new += 1;
            }
            ActivationState::Onboarded
                if s.dates.first_delivery_at.is_none()
                    && age(s.dates.first_order_at).is_some_and(|a| a >= stalled_onboarded) =>
            {
                self.stalled.onboarded += 1;
            }
            _ => {}
        }
        self.signed_up += 1;
        // A delivery implies an order, even when the order event predates the records.
        self.ordered +=
            u64::from(s.dates.first_order_at.is_some() || s.dates.first_delivery_at.is_some());
        self.delivered += u64::from(s.dates.first_delivery_at.is_some());
        if let Some(retained) = s.retained {
            self.judged += 1;
            self.retained += u64::from(retained);
        }
    }
}

/// The metrics of `customers` at `now`; `bills` maps customer id → bill total (any period
/// the host chooses). Each snapshot is swept to `now` on a copy; the inputs are unchanged.
pub fn metrics(
    customers: &[CustomerSnapshot],
    bills: &BTreeMap<String, Decimal>,
    now: DateTime<Utc>,
    config: &ActivationConfig,
) -> ActivationMetrics {
    let tally = customers
        .par_chunks(4096)
        .map(|chunk| {
            let mut tally = Tally::default();
            for c in chunk {
                tally.add(&c.snapshot, bills.get(&c.customer_id).copied(), now, config);
            }
            tally
        })
        .reduce(Tally::default, Tally::merge);
    let matched: Decimal = tally.revenue.iter().copied().sum();
    let billed: Decimal = bills.values().copied().sum();
    let step = |step: &str, customers: u64, eligible: u64| FunnelStep {
        step: step.to_owned(),
        customers,
        eligible,
        rate_from_previous: rate(customers, eligible),
        rate_from_start: rate(customers, tally.signed_up),
    };
    let funnel = Funnel {
        steps: vec![
            step("signed_up", tally.signed_up, tally.signed_up),
            step("first_order", tally.ordered, tally.signed_up),
            step("first_delivery", tally.delivered, tally.ordered),
            step(
                &format!("active_{}_days_later", config.retained_after_days),
                tally.retained,
                tally.judged,
            ),
        ],
    };
    ActivationMetrics {
        at: now,
        customers: tally.signed_up,
        per_state: ActivationState::ALL
            .iter()
            .zip(tally.per_state)
            .map(|(s, n)| (*s, n))
            .collect(),
        stalled: tally.stalled,
        funnel,
        revenue_per_state: ActivationState::ALL
            .iter()
            .zip(tally.revenue)
            .map(|(s, r)| (*s, r))
            .collect(),
        revenue_unmatched: billed - matched,
    }
}

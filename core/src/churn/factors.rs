//! The seven churn factors and how each turns a customer's data into a risk in [0, 1].
//!
//! Only `+ - * /` on `f64` are used here and in the purchase model (no library `exp`, `ln` or
//! `powf`), so a risk is the same bit for bit on every platform and in every binding.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::input::ChurnInput;
use super::purchase_model::PurchaseModel;
use crate::validation::{Problems, Rule};

/// One factor of the score. The order of [`Factor::ALL`] is the tie-break order everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Days since the last purchase, against the customer's own usual gap and in absolute days.
    Recency,
    /// Purchase days in the recent window against the customer's earlier average.
    FrequencyDrop,
    /// Spend in the recent window against the customer's earlier average.
    SpendDrop,
    /// Cancelled, paused or skipped subscription deliveries.
    Subscription,
    /// Overdue bills and failed payments.
    Payment,
    /// Complaints, disputes, partial and failed deliveries.
    Service,
    /// New customers churn more than long-standing ones.
    Tenure,
}

impl Factor {
    /// Every factor, in the fixed order used for arrays and tie-breaks.
    pub const ALL: [Factor; 7] = [
        Factor::Recency,
        Factor::FrequencyDrop,
        Factor::SpendDrop,
        Factor::Subscription,
        Factor::Payment,
        Factor::Service,
        Factor::Tenure,
    ];

    /// Position in [`Factor::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Field name used in configuration and error paths.
    pub fn name(self) -> &'static str {
        match self {
            Factor::Recency => "recency",
            Factor::FrequencyDrop => "frequency_drop",
            Factor::SpendDrop => "spend_drop",
            Factor::Subscription => "subscription",
            Factor::Payment => "payment",
            Factor::Service => "service",
            Factor::Tenure => "tenure",
        }
    }

    /// The reason code reported when this factor drives the score.
    pub fn reason(self) -> ReasonCode {
        match self {
            Factor::Recency => ReasonCode::RecencyOverdue,
            Factor::FrequencyDrop => ReasonCode::FrequencyDrop,
            Factor::SpendDrop => ReasonCode::SpendDrop,
            Factor::Subscription => ReasonCode::SubscriptionDisengaged,
            Factor::Payment => ReasonCode::PaymentOverdue,
            Factor::Service => ReasonCode::ServiceIssues,
            Factor::Tenure => ReasonCode::NewCustomer,
        }
    }
}

/// Stable reason codes shown to staff and matched by hosts, serialised as e.g. `RECENCY_OVERDUE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReasonCode {
    RecencyOverdue,
    FrequencyDrop,
    SpendDrop,
    SubscriptionDisengaged,
    PaymentOverdue,
    ServiceIssues,
    NewCustomer,
}

impl ReasonCode {
    /// The code as text, identical to its serialised form.
    pub fn code(self) -> &'static str {
        match self {
            ReasonCode::RecencyOverdue => "RECENCY_OVERDUE",
            ReasonCode::FrequencyDrop => "FREQUENCY_DROP",
            ReasonCode::SpendDrop => "SPEND_DROP",
            ReasonCode::SubscriptionDisengaged => "SUBSCRIPTION_DISENGAGED",
            ReasonCode::PaymentOverdue => "PAYMENT_OVERDUE",
            ReasonCode::ServiceIssues => "SERVICE_ISSUES",
            ReasonCode::NewCustomer => "NEW_CUSTOMER",
        }
    }
}

/// The risk of each factor in [0, 1]; `None` means the host has no data for it (neutral).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct FactorRisks {
    pub recency: Option<f64>,
    pub frequency_drop: Option<f64>,
    pub spend_drop: Option<f64>,
    pub subscription: Option<f64>,
    pub payment: Option<f64>,
    pub service: Option<f64>,
    pub tenure: Option<f64>,
}

impl FactorRisks {
    /// The risks in [`Factor::ALL`] order.
    pub fn to_array(&self) -> [Option<f64>; 7] {
        [
            self.recency,
            self.frequency_drop,
            self.spend_drop,
            self.subscription,
            self.payment,
            self.service,
            self.tenure,
        ]
    }

    /// Builds risks from an array in [`Factor::ALL`] order.
    pub fn from_array(a: [Option<f64>; 7]) -> Self {
        Self {
            recency: a[0],
            frequency_drop: a[1],
            spend_drop: a[2],
            subscription: a[3],
            payment: a[4],
            service: a[5],
            tenure: a[6],
        }
    }

    /// Risk of one factor.
    pub fn get(&self, factor: Factor) -> Option<f64> {
        self.to_array()[factor.index()]
    }

    /// Checks risks supplied by the host directly: each must be within [0, 1] (NaN is not).
    pub fn check(&self, prefix: &str, problems: &mut Problems) {
        for f in Factor::ALL {
            if let Some(r) = self.get(f) {
                problems.within(&format!("{prefix}{}", f.name()), r, 0.0, 1.0);
            }
        }
    }
}

/// Tunable constants of the factor formulas; see `docs/churn.md` for each formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct FactorParams {
    /// Gap assumed before a customer has shown their own (days); shrinks short histories.
    pub prior_gap_days: f64,
    /// How many observed gaps the prior gap is worth.
    pub prior_gap_weight: f64,
    /// Share of the recency risk that is relative to the own gap; the rest is absolute days.
    pub recency_relative_share: f64,
    /// Days without a purchase at which the absolute recency risk is 0.5.
    pub recency_half_days: f64,
    /// Length of the "recent" window of the frequency and spend drops (days).
    pub drop_window_days: u32,
    /// Risk of a window in which every subscription was paused throughout.
    pub full_pause_risk: f64,
    /// When set, the spend factor also rises for low spenders: spend per purchase day (rupees)
    /// at which this level risk is 0.5. The factor is then the mean of the drop and the level.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DecimalString>")
    )]
    pub spend_level_half_amount: Option<Decimal>,
    /// Overdue days at which the overdue risk is 0.5.
    pub overdue_half_days: f64,
    /// Overdue amount (rupees) at which the overdue risk is 0.5.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub overdue_half_amount: Decimal,
    /// Risk added by each failed payment (combined as independent events).
    pub failed_payment_risk: f64,
    pub complaint_risk: f64,
    pub dispute_risk: f64,
    pub partial_delivery_risk: f64,
    pub failed_delivery_risk: f64,
    /// Tenure (days) at which the calendar half of the new-customer risk is 0.5.
    pub tenure_half_days: f64,
    /// Repeat purchase days at which the habit half of the new-customer risk is 0.5.
    pub tenure_half_repeats: f64,
    /// When set (fitted with [`PurchaseModel::fit`]), the recency risk is the model's
    /// probability of no purchase in its horizon instead of the own-gap formula.
    pub purchase_model: Option<PurchaseModel>,
}

impl Default for FactorParams {
    fn default() -> Self {
        Self {
            prior_gap_days: 7.0,
            prior_gap_weight: 3.0,
            recency_relative_share: 0.5,
            recency_half_days: 30.0,
            drop_window_days: 30,
            full_pause_risk: 0.5,
            spend_level_half_amount: None,
            overdue_half_days: 15.0,
            overdue_half_amount: Decimal::from(500),
            failed_payment_risk: 0.3,
            complaint_risk: 0.25,
            dispute_risk: 0.4,
            partial_delivery_risk: 0.1,
            failed_delivery_risk: 0.2,
            tenure_half_days: 90.0,
            tenure_half_repeats: 3.0,
            purchase_model: None,
        }
    }
}

impl FactorParams {
    pub(crate) fn check(&self, problems: &mut Problems) {
        let positive = [
            ("prior_gap_days", self.prior_gap_days),
            ("recency_half_days", self.recency_half_days),
            ("overdue_half_days", self.overdue_half_days),
            ("tenure_half_days", self.tenure_half_days),
            ("tenure_half_repeats", self.tenure_half_repeats),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                problems.push(
                    format!("params.{name}"),
                    Rule::Positive,
                    v.to_string(),
                    "must be a finite number above zero",
                );
            }
        }
        if !(self.prior_gap_weight.is_finite() && self.prior_gap_weight >= 0.0) {
            problems.push(
                "params.prior_gap_weight",
                Rule::NonNegative,
                self.prior_gap_weight.to_string(),
                "must be a finite number, zero or more",
            );
        }
        let shares = [
            ("recency_relative_share", self.recency_relative_share),
            ("full_pause_risk", self.full_pause_risk),
            ("failed_payment_risk", self.failed_payment_risk),
            ("complaint_risk", self.complaint_risk),
            ("dispute_risk", self.dispute_risk),
            ("partial_delivery_risk", self.partial_delivery_risk),
            ("failed_delivery_risk", self.failed_delivery_risk),
        ];
        for (name, v) in shares {
            problems.within(&format!("params.{name}"), v, 0.0, 1.0);
        }
        if self.drop_window_days == 0 {
            problems.push(
                "params.drop_window_days",
                Rule::Positive,
                "0",
                "must be at least one day",
            );
        }
        if self.overdue_half_amount <= Decimal::ZERO {
            problems.push(
                "params.overdue_half_amount",
                Rule::Positive,
                self.overdue_half_amount.to_string(),
                "must be above zero",
            );
        }
        if let Some(half) = self.spend_level_half_amount
            && half <= Decimal::ZERO
        {
            problems.push(
                "params.spend_level_half_amount",
                Rule::Positive,
                half.to_string(),
                "must be above zero",
            );
        }
        if let Some(model) = &self.purchase_model {
            model.check("params.purchase_model", problems);
        }
    }
}

/// What the purchase history says, collected in one pass whatever the input order.
struct History {
    first: NaiveDate,
    last: NaiveDate,
    days: u32,
    recent_days: u32,
    recent_spend: Decimal,
    earlier_spend: Decimal,
}

fn history(input: &ChurnInput, window_start: NaiveDate) -> Option<History> {
    let first = input.purchases.iter().map(|p| p.date).min()?;
    let last = input.purchases.iter().map(|p| p.date).max()?;
    let mut recent_spend = Decimal::ZERO;
    let mut earlier_spend = Decimal::ZERO;
    for p in &input.purchases {
        if p.date > window_start {
            recent_spend += p.amount;
        } else {
            earlier_spend += p.amount;
        }
    }
    let (days, recent_days) = if input.purchases.is_sorted_by_key(|p| p.date) {
        distinct_days(input.purchases.iter().map(|p| p.date), window_start)
    } else {
        let mut dates: Vec<NaiveDate> = input.purchases.iter().map(|p| p.date).collect();
        dates.sort_unstable();
        distinct_days(dates.into_iter(), window_start)
    };
    Some(History {
        first,
        last,
        days,
        recent_days,
        recent_spend,
        earlier_spend,
    })
}

/// Counts distinct dates of a sorted sequence: all of them, and those after `window_start`.
fn distinct_days(dates: impl Iterator<Item = NaiveDate>, window_start: NaiveDate) -> (u32, u32) {
    let mut previous = None;
    let (mut all, mut recent) = (0u32, 0u32);
    for d in dates {
        if previous != Some(d) {
            all += 1;
            if d > window_start {
                recent += 1;
            }
            previous = Some(d);
        }
    }
    (all, recent)
}

fn days_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64
}

/// `x / (x + half)`: 0 at 0, 0.5 at `half`, approaching 1; the saturating curve of every factor.
fn saturate(x: f64, half: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { x / (x + half) }
}

/// Probability that at least one of `n` independent incidents of risk `p` happens.
fn any_of(p: f64, n: u32) -> f64 {
    let mut keep = 1.0;
    for _ in 0..n.min(64) {
        keep *= 1.0 - p;
    }
    1.0 - keep
}

fn drop_risk(recent: f64, earlier: f64, window: f64, earlier_span: f64) -> Option<f64> {
    let expected = earlier * window / earlier_span.max(window);
    (expected > 0.0).then(|| (1.0 - recent / expected).clamp(0.0, 1.0))
}

/// Computes the seven factor risks of a customer at `now`. The input must be valid.
pub(crate) fn factor_risks(input: &ChurnInput, now: NaiveDate, p: &FactorParams) -> FactorRisks {
    let window = f64::from(p.drop_window_days);
    let window_start = now
        .checked_sub_days(chrono::Days::new(u64::from(p.drop_window_days)))
        .unwrap_or(NaiveDate::MIN);
    let h = history(input, window_start);

    let recency = h.as_ref().map(|h| {
        if let Some(model) = &p.purchase_model {
            return model.no_purchase_probability(
                h.days - 1,
                days_between(h.first, h.last),
                days_between(h.first, now),
            );
        }
        let since = days_between(h.last, now);
        let gaps = f64::from(h.days - 1);
        let usual_gap = (days_between(h.first, h.last) + p.prior_gap_days * p.prior_gap_weight)
            / (gaps + p.prior_gap_weight).max(f64::MIN_POSITIVE);
        let usual_gap = if usual_gap > 0.0 {
            usual_gap
        } else {
            p.prior_gap_days
        };
        let overdue = (since - usual_gap).max(0.0) / usual_gap;
        let relative = overdue / (1.0 + overdue);
        let absolute = saturate(since, p.recency_half_days);
        p.recency_relative_share * relative + (1.0 - p.recency_relative_share) * absolute
    });

    let earlier = h.as_ref().filter(|h| h.first <= window_start);
    // With a purchase model the frequency factor looks ahead: a drop in the customer's pace
    // lowers the model's P(alive) and so the purchases it still expects. Risk 0.5 at one
    // expected purchase day in the model's horizon.
    let frequency_drop = match &p.purchase_model {
        Some(model) => h.as_ref().map(|h| {
            let expected = model.expected_purchases(
                h.days - 1,
                days_between(h.first, h.last),
                days_between(h.first, now),
            );
            1.0 - saturate(expected, 1.0)
        }),
        None => earlier.and_then(|h| {
            drop_risk(
                f64::from(h.recent_days),
                f64::from(h.days - h.recent_days),
                window,
                days_between(h.first, window_start),
            )
        }),
    };
    let spend_drop = earlier.and_then(|h| {
        drop_risk(
            h.recent_spend.to_f64().unwrap_or(0.0),
            h.earlier_spend.to_f64().unwrap_or(0.0),
            window,
            days_between(h.first, window_start),
        )
    });
    let spend_level = p.spend_level_half_amount.zip(h.as_ref()).map(|(half, h)| {
        let per_day =
            (h.recent_spend + h.earlier_spend).to_f64().unwrap_or(0.0) / f64::from(h.days);
        1.0 - saturate(per_day, half.to_f64().unwrap_or(1.0))
    });
    // The mean, not "either": a drop of 1 (nothing bought in the window) would otherwise hide
    // the level, and the level is what separates big spenders from small ones among the quiet.
    let spend_drop = match (spend_drop, spend_level) {
        (Some(drop), Some(level)) => Some(0.5 * drop + 0.5 * level),
        (drop, level) => drop.or(level),
    };

    let subscription = input.subscription.as_ref().map(|s| {
        if s.cancelled {
            return 1.0;
        }
        let paused = (f64::from(s.paused_days) / window).min(1.0) * p.full_pause_risk;
        let skipped = if s.scheduled_deliveries == 0 {
            0.0
        } else {
            f64::from(s.skipped_deliveries) / f64::from(s.scheduled_deliveries)
        };
        1.0 - (1.0 - paused) * (1.0 - skipped)
    });

    let payment = input.payments.as_ref().map(|pay| {
        let overdue = if pay.overdue_amount > Decimal::ZERO {
            let by_days = saturate(f64::from(pay.overdue_days), p.overdue_half_days);
            let amount = pay.overdue_amount.to_f64().unwrap_or(f64::MAX);
            let half = p.overdue_half_amount.to_f64().unwrap_or(1.0);
            by_days.max(saturate(amount, half))
        } else {
            0.0
        };
        let failed = any_of(p.failed_payment_risk, pay.failed_payments);
        1.0 - (1.0 - overdue) * (1.0 - failed)
    });

    let service = (input.service.is_some() || input.deliveries.is_some()).then(|| {
        let mut keep = 1.0;
        if let Some(s) = &input.service {
            keep *= 1.0 - any_of(p.complaint_risk, s.complaints);
            keep *= 1.0 - any_of(p.dispute_risk, s.disputes);
        }
        if let Some(d) = &input.deliveries {
            keep *= 1.0 - any_of(p.partial_delivery_risk, d.partially_delivered);
            keep *= 1.0 - any_of(p.failed_delivery_risk, d.not_delivered);
        }
        1.0 - keep
    });

    // Tenure measures a buying relationship: before the first purchase there is none to lose
    // (a signup that never bought is the activation engine's "stalled" metric), so it is neutral.
    let tenure = h.as_ref().map(|h| {
        let start = input.signup_date.unwrap_or(h.first);
        let calendar = 1.0 - saturate(days_between(start, now), p.tenure_half_days);
        let habit = 1.0 - saturate(f64::from(h.days - 1), p.tenure_half_repeats);
        1.0 - (1.0 - calendar) * (1.0 - habit)
    });

    FactorRisks {
        recency,
        frequency_drop,
        spend_drop,
        subscription,
        payment,
        service,
        tenure,
    }
}

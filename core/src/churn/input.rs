//! What the host knows about one customer, in plain data; every group is optional.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::ChurnError;
use crate::validation::{Problems, Rule};

/// One purchase: an order or a delivered day, as the host counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Purchase {
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    /// Amount in rupees, never negative.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
}

/// Delivery outcomes over the host's recent window (e.g. the last 30 days).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct DeliverySignals {
    pub delivered: u32,
    pub partially_delivered: u32,
    pub not_delivered: u32,
}

/// Subscription behaviour over the recent window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct SubscriptionSignals {
    /// Every subscription of the customer is cancelled.
    pub cancelled: bool,
    /// Days in the window on which every subscription was paused.
    pub paused_days: u32,
    /// Deliveries the schedule planned in the window.
    pub scheduled_deliveries: u32,
    /// Of those, deliveries the customer skipped.
    pub skipped_deliveries: u32,
}

/// Money the customer owes and payments that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct PaymentSignals {
    /// Sum of overdue bills in rupees.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub overdue_amount: Decimal,
    /// Days since the oldest unpaid bill fell due.
    pub overdue_days: u32,
    pub failed_payments: u32,
}

/// Complaints and disputes over the recent window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ServiceSignals {
    pub complaints: u32,
    pub disputes: u32,
}

/// Largest amount accepted (Rs 1 lakh crore), so that sums of amounts can never overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(
    1_000_000_000_000u64 as u32,
    (1_000_000_000_000u64 >> 32) as u32,
    0,
    false,
    0,
);

/// Everything the churn score reads about one customer. A missing group makes its factor neutral.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ChurnInput {
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::DateString>", optional = nullable))]
    pub signup_date: Option<NaiveDate>,
    /// Purchases in any order; several on one day count as one purchase day.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub purchases: Vec<Purchase>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub deliveries: Option<DeliverySignals>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub subscription: Option<SubscriptionSignals>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub payments: Option<PaymentSignals>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub service: Option<ServiceSignals>,
}

impl ChurnInput {
    /// Checks every rule and reports all problems at once.
    pub fn validate(&self, now: NaiveDate) -> Result<(), ChurnError> {
        let mut problems = Problems::new();
        if let Some(signup) = self.signup_date
            && signup > now
        {
            problems.push(
                "signup_date",
                Rule::DateOrder,
                signup.to_string(),
                format!("must not be after now ({now})"),
            );
        }
        for (i, p) in self.purchases.iter().enumerate() {
            amount(&mut problems, &format!("purchases[{i}].amount"), p.amount);
            if p.date > now {
                problems.push(
                    format!("purchases[{i}].date"),
                    Rule::DateOrder,
                    p.date.to_string(),
                    format!("must not be after now ({now})"),
                );
            }
        }
        if let Some(s) = &self.subscription
            && s.skipped_deliveries > s.scheduled_deliveries
        {
            problems.push(
                "subscription.skipped_deliveries",
                Rule::Inconsistent,
                s.skipped_deliveries.to_string(),
                format!(
                    "must not exceed scheduled_deliveries ({})",
                    s.scheduled_deliveries
                ),
            );
        }
        if let Some(p) = &self.payments {
            amount(&mut problems, "payments.overdue_amount", p.overdue_amount);
        }
        problems.finish(()).map_err(ChurnError::InvalidInput)
    }
}

/// An amount must be zero or more and at most [`MAX_AMOUNT`].
fn amount(problems: &mut Problems, field: &str, value: Decimal) {
    if value < Decimal::ZERO {
        problems.push(
            field,
            Rule::NonNegative,
            value.to_string(),
            "must not be negative",
        );
    } else if value > MAX_AMOUNT {
        problems.push(
            field,
            Rule::Range,
            value.to_string(),
            format!("must be at most {MAX_AMOUNT}"),
        );
    }
}

//! Redemption: points turned into a credit line on a bill.
//!
//! The billing engine puts `Redemption::amount` on the bill as a negative line; everything
//! here is paise-exact, so the credit and the points always agree.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::config::LoyaltyConfig;
use crate::validation::{Problems, Rule, ValidationError};

/// A request to redeem points against one bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct RedemptionRequest {
    pub customer_id: String,
    /// Idempotency key, e.g. the bill number: the same key redeems once.
    pub key: String,
    pub points: i64,
    /// The bill's charges: subtotal + tax, before credits.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub bill_charges: Decimal,
    #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
    pub at: DateTime<Utc>,
}

impl RedemptionRequest {
    /// Checks every field, reporting all problems at once.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        problems.id("customer_id", &self.customer_id);
        problems.id("key", &self.key);
        if self.points <= 0 {
            problems.push(
                "points",
                Rule::Positive,
                self.points.to_string(),
                "must redeem at least one point",
            );
        }
        problems.price("bill_charges", self.bill_charges);
        problems.finish(())
    }
}

/// Points redeemed and the credit they buy: a bill line of `-amount` rupees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Redemption {
    pub customer_id: String,
    pub points: i64,
    /// Rupees, two decimal places, positive: the bill shows it as a credit (negative line).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
    /// The request's idempotency key.
    pub key: String,
}

impl Redemption {
    /// The description of the bill's credit line.
    pub fn line_description(&self) -> String {
        format!("Loyalty points redeemed ({} points)", self.points)
    }
}

/// How much a member can redeem on a bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct RedemptionPreview {
    /// Points available (expired points excluded).
    pub balance: i64,
    /// The most points redeemable on this bill; 0 when below the minimum.
    pub max_points: i64,
    /// Rupees `max_points` are worth.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub max_amount: Decimal,
    /// The cap in rupees: the allowed share of the bill's charges.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub cap_amount: Decimal,
    pub minimum_points: i64,
}

/// Rupees `points` are worth: rounded to paise half-up, always two decimal places.
pub fn points_value(config: &LoyaltyConfig, points: i64) -> Decimal {
    let mut amount = (Decimal::from(points) * config.point_value)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    amount.rescale(2);
    amount
}

/// The cap in rupees for a bill with `bill_charges`: unrounded, so the comparison is exact.
pub fn cap_amount(config: &LoyaltyConfig, bill_charges: Decimal) -> Decimal {
    bill_charges.max(Decimal::ZERO) * config.max_bill_share
}

/// The most points whose value stays within the cap of a bill with `bill_charges`.
pub fn cap_points(config: &LoyaltyConfig, bill_charges: Decimal) -> i64 {
    let cap = cap_amount(config, bill_charges);
    let mut points = cap
        .checked_div(config.point_value)
        .map_or(0, |q| q.floor().to_i64().unwrap_or(i64::MAX));
    while points > 0 && points_value(config, points) > cap {
        points -= 1;
    }
    points
}

/// The most a member with `balance` available points can redeem on a bill with `bill_charges`.
///
/// ```
/// use earlybird::loyalty::{LoyaltyConfig, preview};
/// use rust_decimal::Decimal;
///
/// // Charges of Rs 590.00 (subtotal + tax): at most half, Rs 295.00, i.e. 590 points.
/// let p = preview(&LoyaltyConfig::default(), 5_000, Decimal::new(590_00, 2));
/// assert_eq!((p.max_points, p.max_amount), (590, Decimal::new(295_00, 2)));
/// ```
pub fn preview(config: &LoyaltyConfig, balance: i64, bill_charges: Decimal) -> RedemptionPreview {
    let most = balance.min(cap_points(config, bill_charges)).max(0);
    let max_points = if most >= config.minimum_redemption {
        most
    } else {
        0
    };
    let mut cap =
        cap_amount(config, bill_charges).round_dp_with_strategy(2, RoundingStrategy::ToZero);
    cap.rescale(2);
    RedemptionPreview {
        balance,
        max_points,
        max_amount: points_value(config, max_points),
        cap_amount: cap,
        minimum_points: config.minimum_redemption,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn points_are_worth_fifty_paise_capped_at_half_the_charges_with_a_minimum_of_100() {
        let config = LoyaltyConfig::default();
        assert_eq!(points_value(&config, 200), dec!(100.00));
        assert_eq!(points_value(&config, 201), dec!(100.50));
        // Bill of Rs 1,000 (subtotal + tax): at most Rs 500, i.e. 1,000 points.
        let p = preview(&config, 5_000, dec!(1000.00));
        assert_eq!((p.max_points, p.max_amount), (1_000, dec!(500.00)));
        assert_eq!(p.cap_amount, dec!(500.00));
        // The balance limits before the cap does.
        let p = preview(&config, 350, dec!(1000.00));
        assert_eq!((p.max_points, p.max_amount), (350, dec!(175.00)));
        // Rs 99.99 of charges: cap Rs 49.995, so 99 points (Rs 49.50), below the minimum.
        assert_eq!(cap_points(&config, dec!(99.99)), 99);
        assert_eq!(preview(&config, 5_000, dec!(99.99)).max_points, 0);
        // Rs 100.00 of charges: exactly the minimum.
        assert_eq!(preview(&config, 5_000, dec!(100.00)).max_points, 100);
        assert_eq!(preview(&config, 99, dec!(1000)).max_points, 0);
    }

    #[test]
    fn a_point_value_that_is_not_whole_paise_never_rounds_above_the_cap() {
        let config = LoyaltyConfig {
            point_value: dec!(0.333),
            ..LoyaltyConfig::default()
        };
        let charges = dec!(10.01);
        let points = cap_points(&config, charges);
        assert!(points_value(&config, points) <= cap_amount(&config, charges));
        assert!(points_value(&config, points + 1) > cap_amount(&config, charges));
    }
}

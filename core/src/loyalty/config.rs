//! The programme's numbers: plain serde data with the rules' defaults, changeable by the host.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::achievement::{BadgeRule, default_badges};
use super::tier::Tier;
use crate::time::BusinessZone;
use crate::validation::{Problems, Rule, ValidationError};

/// Threshold and earn multiplier of one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct TierRule {
    /// Qualifying points needed to hold the tier.
    pub threshold: i64,
    /// Points per rupee paid while in the tier.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub multiplier: Decimal,
}

impl TierRule {
    fn new(threshold: i64, multiplier: Decimal) -> Self {
        Self {
            threshold,
            multiplier,
        }
    }
}

/// One rule per tier, named, so a lookup can never miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct TierTable {
    pub bronze: TierRule,
    pub silver: TierRule,
    pub gold: TierRule,
    pub platinum: TierRule,
    pub diamond: TierRule,
}

impl Default for TierTable {
    fn default() -> Self {
        Self {
            bronze: TierRule::new(0, Decimal::ONE),
            silver: TierRule::new(1_000, Decimal::new(11, 1)),
            gold: TierRule::new(5_000, Decimal::new(125, 2)),
            platinum: TierRule::new(15_000, Decimal::new(14, 1)),
            diamond: TierRule::new(40_000, Decimal::new(15, 1)),
        }
    }
}

impl TierTable {
    /// The rule of `tier`.
    pub const fn rule(&self, tier: Tier) -> &TierRule {
        match tier {
            Tier::Bronze => &self.bronze,
            Tier::Silver => &self.silver,
            Tier::Gold => &self.gold,
            Tier::Platinum => &self.platinum,
            Tier::Diamond => &self.diamond,
        }
    }
}

/// Every number of rules section 4, with its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct LoyaltyConfig {
    pub tiers: TierTable,
    /// Bonus for the first delivered order.
    pub first_order_bonus: i64,
    /// Bonus to the referrer when the referred customer's first delivery completes.
    pub referral_bonus: i64,
    /// Bonus for a review, at most one per order.
    pub review_bonus: i64,
    /// Length of the trailing window of tier qualification, in calendar months.
    pub qualifying_months: u32,
    /// Months after which earned points expire.
    pub expiry_months: u32,
    /// Rupees one point is worth when redeemed.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub point_value: Decimal,
    /// Fewest points one redemption may use.
    pub minimum_redemption: i64,
    /// Largest share of a bill's charges (subtotal + tax) a redemption may cover, 0 < share ≤ 1.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub max_bill_share: Decimal,
    /// The business time zone: months, weeks and expiry dates are business-local.
    pub zone: BusinessZone,
    /// The badge catalogue; the host may replace it.
    pub badges: Vec<BadgeRule>,
}

impl Default for LoyaltyConfig {
    fn default() -> Self {
        Self {
            tiers: TierTable::default(),
            first_order_bonus: 50,
            referral_bonus: 100,
            review_bonus: 20,
            qualifying_months: 12,
            expiry_months: 12,
            point_value: Decimal::new(50, 2),
            minimum_redemption: 100,
            max_bill_share: Decimal::new(50, 2),
            zone: BusinessZone::default(),
            badges: default_badges(),
        }
    }
}

impl LoyaltyConfig {
    /// Checks every number, reporting all problems at once.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        if self.tiers.bronze.threshold != 0 {
            problems.push(
                "tiers.bronze.threshold",
                Rule::Range,
                self.tiers.bronze.threshold.to_string(),
                "BRONZE is the entry tier: its threshold must be 0",
            );
        }
        for pair in Tier::ALL.windows(2) {
            let (low, high) = (self.tiers.rule(pair[0]), self.tiers.rule(pair[1]));
            if high.threshold <= low.threshold {
                problems.push(
                    format!("tiers.{}.threshold", tier_field(pair[1])),
                    Rule::Range,
                    high.threshold.to_string(),
                    format!("must be above the {} threshold {}", pair[0], low.threshold),
                );
            }
        }
        for tier in Tier::ALL {
            let multiplier = self.tiers.rule(*tier).multiplier;
            if multiplier <= Decimal::ZERO {
                problems.push(
                    format!("tiers.{}.multiplier", tier_field(*tier)),
                    Rule::Positive,
                    multiplier.to_string(),
                    "multiplier must be greater than 0",
                );
            }
        }
        for (field, value) in [
            ("first_order_bonus", self.first_order_bonus),
            ("referral_bonus", self.referral_bonus),
            ("review_bonus", self.review_bonus),
        ] {
            if value < 0 {
                problems.push(
                    field,
                    Rule::NonNegative,
                    value.to_string(),
                    "bonus must not be negative",
                );
            }
        }
        for (field, value) in [
            ("qualifying_months", self.qualifying_months),
            ("expiry_months", self.expiry_months),
        ] {
            if value == 0 {
                problems.push(field, Rule::Positive, "0", "must be at least one month");
            }
        }
        if self.point_value <= Decimal::ZERO {
            problems.push(
                "point_value",
                Rule::Positive,
                self.point_value.to_string(),
                "a point must be worth more than 0",
            );
        }
        if self.minimum_redemption < 1 {
            problems.push(
                "minimum_redemption",
                Rule::Positive,
                self.minimum_redemption.to_string(),
                "must be at least 1 point",
            );
        }
        if self.max_bill_share <= Decimal::ZERO || self.max_bill_share > Decimal::ONE {
            problems.push(
                "max_bill_share",
                Rule::Range,
                self.max_bill_share.to_string(),
                "must be above 0 and at most 1",
            );
        }
        let mut codes = BTreeSet::new();
        for (i, badge) in self.badges.iter().enumerate() {
            let path = format!("badges[{i}]");
            problems.id(&format!("{path}.code"), &badge.code);
            if !codes.insert(badge.code.as_str()) {
                problems.push(
                    format!("{path}.code"),
                    Rule::Duplicate,
                    badge.code.clone(),
                    "badge codes must be unique",
                );
            }
            if badge.target == 0 {
                problems.push(
                    format!("{path}.target"),
                    Rule::Positive,
                    "0",
                    "a badge needs a target of at least 1",
                );
            }
        }
        problems.finish(())
    }
}

fn tier_field(tier: Tier) -> String {
    tier.as_str().to_ascii_lowercase()
}

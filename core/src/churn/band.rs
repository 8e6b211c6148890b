//! Risk bands: the three buckets staff act on.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::validation::{Problems, Rule};

/// How urgent a customer's churn risk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RiskBand {
    Low,
    Medium,
    High,
}

/// Score thresholds of the bands: low below `medium_from`, high from `high_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct BandThresholds {
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub medium_from: Decimal,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub high_from: Decimal,
}

impl Default for BandThresholds {
    fn default() -> Self {
        Self {
            medium_from: Decimal::from(30),
            high_from: Decimal::from(60),
        }
    }
}

impl BandThresholds {
    /// The band of a score.
    pub fn band(&self, score: Decimal) -> RiskBand {
        if score >= self.high_from {
            RiskBand::High
        } else if score >= self.medium_from {
            RiskBand::Medium
        } else {
            RiskBand::Low
        }
    }

    pub(crate) fn check(&self, problems: &mut Problems) {
        let hundred = Decimal::ONE_HUNDRED;
        for (field, value) in [
            ("bands.medium_from", self.medium_from),
            ("bands.high_from", self.high_from),
        ] {
            if value <= Decimal::ZERO || value > hundred {
                problems.push(
                    field,
                    Rule::Range,
                    value.to_string(),
                    "must be above 0 and at most 100",
                );
            }
        }
        if self.high_from <= self.medium_from {
            problems.push(
                "bands.high_from",
                Rule::Inconsistent,
                self.high_from.to_string(),
                format!("must be above medium_from ({})", self.medium_from),
            );
        }
    }
}

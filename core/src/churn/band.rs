//! Risk bands: the three buckets staff act on.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::Problem;

/// How urgent a customer's churn risk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskBand {
    Low,
    Medium,
    High,
}

/// Score thresholds of the bands: low below `medium_from`, high from `high_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BandThresholds {
    pub medium_from: Decimal,
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

    pub(crate) fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let hundred = Decimal::ONE_HUNDRED;
        if self.medium_from <= Decimal::ZERO || self.medium_from > hundred {
            problems.push(Problem::new(
                "bands.medium_from",
                "above_0_at_most_100",
                self.medium_from,
            ));
        }
        if self.high_from <= Decimal::ZERO || self.high_from > hundred {
            problems.push(Problem::new(
                "bands.high_from",
                "above_0_at_most_100",
                self.high_from,
            ));
        }
        if self.high_from <= self.medium_from {
            problems.push(Problem::new(
                "bands.high_from",
                "above_medium_from",
                self.high_from,
            ));
        }
        problems
    }
}

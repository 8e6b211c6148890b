//! The engine's configuration: plain serde data with defaults, changeable without recompiling.

use serde::{Deserialize, Serialize};

use super::action::{ActionRule, check_rules, default_rules};
use super::band::BandThresholds;
use super::error::ChurnError;
use super::factors::{Factor, FactorParams};
use crate::validation::{Problems, Rule};

/// Weight of each factor. Only ratios matter: the weights of the factors with data are
/// renormalised to sum to 1 for each customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct FactorWeights {
    pub recency: f64,
    pub frequency_drop: f64,
    pub spend_drop: f64,
    pub subscription: f64,
    pub payment: f64,
    pub service: f64,
    pub tenure: f64,
}

impl Default for FactorWeights {
    /// Hand-set weights that need no training: recency leads, money and service problems next.
    fn default() -> Self {
        Self {
            recency: 0.35,
            frequency_drop: 0.10,
            spend_drop: 0.05,
            subscription: 0.15,
            payment: 0.15,
            service: 0.10,
            tenure: 0.10,
        }
    }
}

impl FactorWeights {
    /// The weights in [`Factor::ALL`] order.
    pub fn to_array(&self) -> [f64; 7] {
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

    /// Builds weights from an array in [`Factor::ALL`] order.
    pub fn from_array(a: [f64; 7]) -> Self {
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

    /// Only one factor counts: used to score a single factor alone.
    pub fn only(factor: Factor) -> Self {
        let mut a = [0.0; 7];
        a[factor.index()] = 1.0;
        Self::from_array(a)
    }

    fn check(&self, problems: &mut Problems) {
        for (f, w) in Factor::ALL.iter().zip(self.to_array()) {
            if !(w.is_finite() && w >= 0.0) {
                problems.push(
                    format!("weights.{}", f.name()),
                    Rule::NonNegative,
                    w.to_string(),
                    "must be a finite number, zero or more",
                );
            }
        }
        if self.to_array().iter().all(|w| *w == 0.0) {
            problems.push(
                "weights",
                Rule::Positive,
                "0",
                "at least one weight must be above zero",
            );
        }
    }
}

/// Everything a host can tune: weights, band thresholds, action rules and factor formulas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct ChurnConfig {
    pub weights: FactorWeights,
    pub bands: BandThresholds,
    /// Checked in order; the first rule whose conditions all hold gives the action.
    pub rules: Vec<ActionRule>,
    /// How many reason codes to report, largest contribution first.
    pub top_reasons: usize,
    pub params: FactorParams,
}

impl Default for ChurnConfig {
    fn default() -> Self {
        Self {
            weights: FactorWeights::default(),
            bands: BandThresholds::default(),
            rules: default_rules(),
            top_reasons: 3,
            params: FactorParams::default(),
        }
    }
}

impl ChurnConfig {
    /// Checks every rule of the configuration and reports all problems at once.
    pub fn validate(&self) -> Result<(), ChurnError> {
        let mut problems = Problems::new();
        self.weights.check(&mut problems);
        self.bands.check(&mut problems);
        check_rules(&self.rules, &mut problems);
        self.params.check(&mut problems);
        problems.finish(()).map_err(ChurnError::InvalidConfig)
    }
}

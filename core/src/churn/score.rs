//! The score: weighted factor risks on a 0-100 scale whose per-factor points add up exactly.

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::action::{RecommendedAction, recommend};
use super::band::RiskBand;
use super::config::ChurnConfig;
use super::error::ChurnError;
use super::factors::{Factor, FactorRisks, ReasonCode, factor_risks};
use super::input::ChurnInput;
use crate::validation::Problems;

/// Hundredths of a point in the whole 0-100 scale.
const SCALE: f64 = 10_000.0;

/// What one factor adds to the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Contribution {
    pub factor: Factor,
    /// The factor's risk in [0, 1], `None` when the host had no data (neutral).
    pub risk: Option<f64>,
    /// The weight's share after renormalising over the factors with data (0 when neutral).
    pub weight: f64,
    /// Points on the 0-100 scale, two decimals; the points of all factors sum to the score.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub points: Decimal,
}

/// A customer's churn score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ChurnScore {
    /// 0.00 to 100.00; higher means more likely to churn.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub score: Decimal,
    pub band: RiskBand,
    /// One entry per factor, in [`Factor::ALL`] order.
    pub contributions: [Contribution; 7],
    /// Factors with the largest points first (ties in [`Factor::ALL`] order), at most
    /// `top_reasons`, only factors with points above zero.
    pub reasons: Vec<ReasonCode>,
    pub action: RecommendedAction,
}

/// One line of a ranking: which customer (index in the scored list) and their score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct RankedCustomer {
    pub index: usize,
    pub churn: ChurnScore,
}

/// A validated configuration, ready to score customers one by one or in batches.
///
/// ```
/// use chrono::NaiveDate;
/// use earlybird::churn::{ChurnConfig, ChurnEngine, ChurnInput, Purchase};
/// use rust_decimal::Decimal;
///
/// let engine = ChurnEngine::new(ChurnConfig::default())?;
/// let now = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// let input = ChurnInput {
///     purchases: vec![Purchase {
///         date: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
///         amount: Decimal::new(5600, 2),
///     }],
///     ..ChurnInput::default()
/// };
/// let scored = engine.score(&input, now)?;
/// let total: Decimal = scored.contributions.iter().map(|c| c.points).sum();
/// assert_eq!(total, scored.score);
/// # Ok::<(), earlybird::churn::ChurnError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChurnEngine {
    config: ChurnConfig,
    weights: [f64; 7],
}

impl ChurnEngine {
    /// Validates the configuration once, so that scoring only checks the customer's data.
    pub fn new(config: ChurnConfig) -> Result<Self, ChurnError> {
        config.validate()?;
        let weights = config.weights.to_array();
        Ok(Self { config, weights })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ChurnConfig {
        &self.config
    }

    /// The seven factor risks of a customer at `now`, after validating the input.
    pub fn risks(&self, input: &ChurnInput, now: NaiveDate) -> Result<FactorRisks, ChurnError> {
        input.validate(now)?;
        Ok(factor_risks(input, now, &self.config.params))
    }

    /// Scores one customer at `now`.
    pub fn score(&self, input: &ChurnInput, now: NaiveDate) -> Result<ChurnScore, ChurnError> {
        let risks = self.risks(input, now)?;
        Ok(self.explain(&risks))
    }

    /// Scores precomputed risks (each `None` or within [0, 1]).
    pub fn score_risks(&self, risks: &FactorRisks) -> Result<ChurnScore, ChurnError> {
        let mut problems = Problems::new();
        risks.check("risks.", &mut problems);
        problems.finish(()).map_err(ChurnError::InvalidInput)?;
        Ok(self.explain(risks))
    }

    /// Scores a whole customer base at `now` in parallel; results keep the input order.
    pub fn score_batch(
        &self,
        inputs: &[ChurnInput],
        now: NaiveDate,
    ) -> Vec<Result<ChurnScore, ChurnError>> {
        inputs.par_iter().map(|i| self.score(i, now)).collect()
    }

    /// Scores every customer at `now` and orders them by risk, highest score first (ties keep
    /// the input order): the list staff work through. Each entry is the customer's index in
    /// `inputs` and their score. An invalid input fails the whole ranking with the problems of
    /// every customer, field paths prefixed `customers[i].`.
    pub fn rank(
        &self,
        inputs: &[ChurnInput],
        now: NaiveDate,
    ) -> Result<Vec<RankedCustomer>, ChurnError> {
        let mut problems = Problems::new();
        let mut ranked = Vec::with_capacity(inputs.len());
        for (i, result) in self.score_batch(inputs, now).into_iter().enumerate() {
            match result {
                Ok(churn) => ranked.push(RankedCustomer { index: i, churn }),
                Err(e) => {
                    for p in e.problems() {
                        problems.push(
                            format!("customers[{i}].{}", p.field),
                            p.rule,
                            p.value.clone(),
                            p.message.clone(),
                        );
                    }
                }
            }
        }
        let mut ranked = problems.finish(ranked).map_err(ChurnError::InvalidInput)?;
        ranked.sort_by_key(|r| std::cmp::Reverse(r.churn.score));
        Ok(ranked)
    }

    /// Scores precomputed risks of many customers in parallel; results keep the input order.
    pub fn score_risks_batch(&self, risks: &[FactorRisks]) -> Vec<Result<ChurnScore, ChurnError>> {
        risks.par_iter().map(|r| self.score_risks(r)).collect()
    }

    fn explain(&self, risks: &FactorRisks) -> ChurnScore {
        let r = risks.to_array();
        let (hundredths, shares) = points(&self.weights, &r);
        let total: i64 = hundredths.iter().sum();
        let score = Decimal::new(total, 2);
        let band = self.config.bands.band(score);
        let contributions = std::array::from_fn(|i| Contribution {
            factor: Factor::ALL[i],
            risk: r[i],
            weight: shares[i],
            points: Decimal::new(hundredths[i], 2),
        });
        let mut left = hundredths.map(|h| h as f64);
        let mut reasons = Vec::with_capacity(self.config.top_reasons.min(7));
        while reasons.len() < self.config.top_reasons {
            let i = largest(&left);
            if left[i] <= 0.0 {
                break;
            }
            reasons.push(Factor::ALL[i].reason());
            left[i] = 0.0;
        }
        let action = recommend(&self.config.rules, risks, band);
        ChurnScore {
            score,
            band,
            contributions,
            reasons,
            action,
        }
    }
}

/// Per-factor points in hundredths of a point and the renormalised weight shares.
///
/// The exact contribution of factor i is `10000 · wᵢ · rᵢ / Σ w` (the sum over factors with
/// data). The score is the exact sum rounded half-up to a hundredth; each factor gets the floor
/// of its exact contribution and the hundredths still missing go to the largest remainders
/// (ties to the earlier factor), so the points add up to the score exactly.
fn points(weights: &[f64; 7], risks: &[Option<f64>; 7]) -> ([i64; 7], [f64; 7]) {
    let total_weight: f64 = (0..7)
        .filter(|&i| risks[i].is_some())
        .map(|i| weights[i])
        .sum();
    if total_weight <= 0.0 {
        return ([0; 7], [0.0; 7]);
    }
    let shares: [f64; 7] =
        std::array::from_fn(|i| risks[i].map_or(0.0, |_| weights[i] / total_weight));
    let exact: [f64; 7] =
        std::array::from_fn(|i| SCALE * weights[i] * risks[i].unwrap_or(0.0) / total_weight);
    // Every value is ≥ 0, so truncation is the floor.
    let score = ((exact.iter().sum::<f64>() + 0.5) as i64).min(SCALE as i64);
    let mut hundredths: [i64; 7] = std::array::from_fn(|i| exact[i] as i64);
    let mut remainder: [f64; 7] = std::array::from_fn(|i| exact[i] - hundredths[i] as f64);
    let mut missing = score - hundredths.iter().sum::<i64>();
    while missing > 0 {
        let i = largest(&remainder);
        hundredths[i] += 1;
        remainder[i] = f64::NEG_INFINITY;
        missing -= 1;
    }
    while missing < 0 {
        let i = largest(&hundredths.map(|h| h as f64));
        hundredths[i] -= 1;
        missing += 1;
    }
    (hundredths, shares)
}

/// Index of the largest value, the earliest on ties.
fn largest(values: &[f64; 7]) -> usize {
    (1..7).fold(0, |best, i| if values[i] > values[best] { i } else { best })
}

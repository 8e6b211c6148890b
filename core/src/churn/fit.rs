//! Learning the weights from the business's own labelled history.
//!
//! A logistic model `P(churn) = σ(b₀ + Σ βᵢ rᵢ)` on the factor risks, fitted by Newton's method
//! (iteratively reweighted least squares) with an L2 penalty on the βs and step halving. Weights
//! must stay non-negative to keep the per-factor explanation, so a factor whose β comes out
//! negative is dropped and the model refitted (an active-set method) until every β is ≥ 0.
//! The weights are then β / Σβ: the 0-100 score is a monotone map of the model's log-odds, so
//! it ranks customers as the model does.

use serde::{Deserialize, Serialize};

use super::config::FactorWeights;
use super::error::ChurnError;
use super::factors::FactorRisks;
use crate::validation::{Problems, Rule};

/// One past customer: the factor risks at some date and whether they churned afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct LabelledRisks {
    pub risks: FactorRisks,
    pub churned: bool,
}

/// Knobs of the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct FitOptions {
    /// L2 penalty on the factor coefficients (not on the intercept).
    pub l2: f64,
    /// Newton steps allowed per active set.
    pub max_iterations: usize,
    /// Converged when no coefficient moves by more than this.
    pub tolerance: f64,
    /// Fewer labelled customers than this is an error.
    pub min_samples: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            l2: 1.0,
            max_iterations: 100,
            tolerance: 1e-9,
            min_samples: 30,
        }
    }
}

/// The fitted model and the weights to put in [`super::ChurnConfig::weights`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct FittedWeights {
    /// Non-negative weights summing to 1.
    pub weights: FactorWeights,
    /// The logistic model's intercept and coefficients (in [`super::Factor::ALL`] order).
    pub intercept: f64,
    pub coefficients: [f64; 7],
    /// Value used for a factor without data while fitting: its mean over the customers with data.
    pub fill: [f64; 7],
    /// Newton steps taken in total.
    pub iterations: usize,
}

const DIM: usize = 8;

/// Fits non-negative factor weights to labelled customers.
///
/// ```
/// use earlybird::churn::{FactorRisks, FitOptions, LabelledRisks, fit_weights};
///
/// let samples: Vec<LabelledRisks> = (0..100)
///     .map(|i| {
///         let recency = f64::from(i) / 100.0;
///         LabelledRisks {
///             risks: FactorRisks { recency: Some(recency), ..FactorRisks::default() },
///             churned: (i * 37) % 100 < i,
///         }
///     })
///     .collect();
/// let fitted = fit_weights(&samples, &FitOptions::default())?;
/// assert_eq!(fitted.weights.recency, 1.0);
/// # Ok::<(), earlybird::churn::ChurnError>(())
/// ```
pub fn fit_weights(
    samples: &[LabelledRisks],
    options: &FitOptions,
) -> Result<FittedWeights, ChurnError> {
    check_options(options)?;
    if samples.len() < options.min_samples.max(2) {
        return Err(ChurnError::TooFewSamples {
            got: samples.len(),
            needed: options.min_samples.max(2),
        });
    }
    let churned = samples.iter().filter(|s| s.churned).count();
    if churned == 0 || churned == samples.len() {
        return Err(ChurnError::OneClass {
            count: samples.len(),
            churned: churned > 0,
        });
    }
    let mut problems = Problems::new();
    for (i, s) in samples.iter().enumerate() {
        s.risks
            .check(&format!("samples[{i}].risks."), &mut problems);
    }
    problems.finish(()).map_err(ChurnError::InvalidInput)?;

    let fill = column_means(samples);
    let rows: Vec<([f64; DIM], f64)> = samples
        .iter()
        .map(|s| {
            let r = s.risks.to_array();
            let mut x = [1.0; DIM];
            for j in 0..7 {
                x[j + 1] = r[j].unwrap_or(fill[j].unwrap_or(0.0));
            }
            (x, if s.churned { 1.0 } else { 0.0 })
        })
        .collect();

    let mut active = [true; DIM];
    for j in 0..7 {
        active[j + 1] = fill[j].is_some();
    }
    let mut iterations = 0;
    loop {
        let (theta, steps) = newton(&rows, &active, options)?;
        iterations += steps;
        let most_negative = (1..DIM)
            .filter(|&j| active[j] && theta[j] < 0.0)
            .min_by(|&a, &b| theta[a].total_cmp(&theta[b]).then(a.cmp(&b)));
        match most_negative {
            Some(j) => active[j] = false,
            None => return finish(theta, fill, iterations),
        }
    }
}

fn check_options(o: &FitOptions) -> Result<(), ChurnError> {
    let mut problems = Problems::new();
    if !(o.l2.is_finite() && o.l2 >= 0.0) {
        problems.push(
            "options.l2",
            Rule::NonNegative,
            o.l2.to_string(),
            "must be a finite number, zero or more",
        );
    }
    if !(o.tolerance.is_finite() && o.tolerance > 0.0) {
        problems.push(
            "options.tolerance",
            Rule::Positive,
            o.tolerance.to_string(),
            "must be a finite number above zero",
        );
    }
    if o.max_iterations == 0 {
        problems.push(
            "options.max_iterations",
            Rule::Positive,
            "0",
            "at least one iteration",
        );
    }
    problems.finish(()).map_err(ChurnError::InvalidConfig)
}

fn column_means(samples: &[LabelledRisks]) -> [Option<f64>; 7] {
    std::array::from_fn(|j| {
        let (sum, n) = samples
            .iter()
            .filter_map(|s| s.risks.to_array()[j])
            .fold((0.0, 0usize), |(s, n), r| (s + r, n + 1));
        (n > 0).then(|| sum / n as f64)
    })
}

fn finish(
    theta: [f64; DIM],
    fill: [Option<f64>; 7],
    iterations: usize,
) -> Result<FittedWeights, ChurnError> {
    let coefficients: [f64; 7] = std::array::from_fn(|j| theta[j + 1].max(0.0));
    let total: f64 = coefficients.iter().sum();
    if total <= 0.0 {
        return Err(ChurnError::NoSignal);
    }
    Ok(FittedWeights {
        weights: FactorWeights::from_array(std::array::from_fn(|j| coefficients[j] / total)),
        intercept: theta[0],
        coefficients,
        fill: std::array::from_fn(|j| fill[j].unwrap_or(0.0)),
        iterations,
    })
}

fn dot(a: &[f64; DIM], b: &[f64; DIM], active: &[bool; DIM]) -> f64 {
    (0..DIM).filter(|&j| active[j]).map(|j| a[j] * b[j]).sum()
}

/// `log(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

fn penalised_loss(
    rows: &[([f64; DIM], f64)],
    theta: &[f64; DIM],
    active: &[bool; DIM],
    l2: f64,
) -> f64 {
    let data: f64 = rows
        .iter()
        .map(|(x, y)| {
            let z = dot(x, theta, active);
            softplus(z) - y * z
        })
        .sum();
    let penalty: f64 = (1..DIM)
        .filter(|&j| active[j])
        .map(|j| theta[j] * theta[j])
        .sum();
    data + 0.5 * l2 * penalty
}

/// Newton's method with step halving on the active coordinates; returns θ and the steps taken.
fn newton(
    rows: &[([f64; DIM], f64)],
    active: &[bool; DIM],
    options: &FitOptions,
) -> Result<([f64; DIM], usize), ChurnError> {
    let mut theta = [0.0; DIM];
    let mut loss = penalised_loss(rows, &theta, active, options.l2);
    let mut last_step = f64::INFINITY;
    for iteration in 1..=options.max_iterations {
        let mut gradient = [0.0; DIM];
        let mut hessian = [[0.0; DIM]; DIM];
        for (x, y) in rows {
            let p = 1.0 / (1.0 + (-dot(x, &theta, active)).exp());
            let w = p * (1.0 - p);
            for a in (0..DIM).filter(|&a| active[a]) {
                gradient[a] += (p - y) * x[a];
                for b in (0..=a).filter(|&b| active[b]) {
                    hessian[a][b] += w * x[a] * x[b];
                }
            }
        }
        for a in (1..DIM).filter(|&a| active[a]) {
            gradient[a] += options.l2 * theta[a];
            hessian[a][a] += options.l2;
        }
        hessian[0][0] += 1e-9;
        let Some(step) = solve(&hessian, &gradient, active) else {
            return Err(ChurnError::NoConvergence {
                iterations: iteration,
                last_step,
            });
        };
        let mut t = 1.0;
        let mut candidate = theta;
        for _ in 0..40 {
            candidate = std::array::from_fn(|j| theta[j] - t * step[j]);
            let candidate_loss = penalised_loss(rows, &candidate, active, options.l2);
            if candidate_loss <= loss {
                loss = candidate_loss;
                break;
            }
            t *= 0.5;
        }
        last_step = (0..DIM)
            .map(|j| (candidate[j] - theta[j]).abs())
            .fold(0.0, f64::max);
        theta = candidate;
        if last_step < options.tolerance {
            return Ok((theta, iteration));
        }
    }
    Err(ChurnError::NoConvergence {
        iterations: options.max_iterations,
        last_step,
    })
}

/// Solves `H x = g` on the active coordinates by Cholesky (H symmetric, lower triangle filled).
fn solve(h: &[[f64; DIM]; DIM], g: &[f64; DIM], active: &[bool; DIM]) -> Option<[f64; DIM]> {
    let idx: Vec<usize> = (0..DIM).filter(|&j| active[j]).collect();
    let n = idx.len();
    let mut l = [[0.0; DIM]; DIM];
    for i in 0..n {
        for k in 0..=i {
            let sum = h[idx[i]][idx[k]] - (0..k).map(|m| l[i][m] * l[k][m]).sum::<f64>();
            if i == k {
                if !(sum > 0.0 && sum.is_finite()) {
                    return None;
                }
                l[i][i] = sum.sqrt();
            } else {
                l[i][k] = sum / l[k][k];
            }
        }
    }
    let mut z = [0.0; DIM];
    for i in 0..n {
        let sum = g[idx[i]] - (0..i).map(|m| l[i][m] * z[m]).sum::<f64>();
        z[i] = sum / l[i][i];
    }
    let mut x = [0.0; DIM];
    for i in (0..n).rev() {
        let sum = z[i] - (i + 1..n).map(|m| l[m][i] * x[m]).sum::<f64>();
        x[i] = sum / l[i][i];
    }
    let mut out = [0.0; DIM];
    for (i, &j) in idx.iter().enumerate() {
        out[j] = x[i];
    }
    Some(out)
}

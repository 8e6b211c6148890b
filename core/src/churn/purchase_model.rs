//! A buy-till-you-die model (BG/NBD) of each customer's purchases, for the recency and frequency
//! factors.
//!
//! While active, a customer buys at their own rate λ (Poisson, λ ~ Gamma(r, α) over customers);
//! after each purchase they may drop out for good with their own probability p
//! (p ~ Beta(a, b)). From the number of repeat purchase days `x`, the day of the last one `tₓ`
//! and the customer's age `T` (days since the first purchase), the model gives the probability
//! that the customer makes no purchase in the next `h` days:
//!
//! `P(none in h) = 1 − P(alive) + P(alive) · ((α + T) / (α + T + h))^(r + x)`, with
//! `P(alive) = 1 / (1 + [x > 0] · a / (b + x − 1) · ((α + T) / (α + tₓ))^(r + x))`.
//!
//! This is "recency relative to the customer's own usual gap" made exact: a long silence is
//! alarming for someone who bought often and normal for someone who rarely buys. The four
//! parameters are fitted by maximum likelihood on purchase histories only (no churn labels).
//! Scoring uses only `+ - * /` (its own `ln` and `exp` below), so risks stay identical bit for
//! bit on every platform; fitting uses the standard library's `ln`/`exp`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ChurnError;
use super::input::ChurnInput;
use crate::validation::{Problems, Rule};

/// Fitted BG/NBD parameters (time in days) and the horizon the recency risk looks ahead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct PurchaseModel {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution (days).
    pub alpha: f64,
    /// Beta parameters of the drop-out probability after a purchase.
    pub a: f64,
    pub b: f64,
    /// The recency risk is the probability of no purchase in this many days.
    pub horizon_days: u32,
}

/// One customer's history in the model's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Summary {
    /// Repeat purchase days.
    x: u32,
    /// Days from the first to the last purchase.
    t_x: i64,
    /// Days from the first purchase to now.
    t: i64,
}

impl PurchaseModel {
    /// The recency risk: probability of no purchase in the next `horizon_days`, in [0, 1].
    ///
    /// `repeats` = purchase days after the first, `last` and `age` = days from the first
    /// purchase to the last one and to now (`last ≤ age`).
    pub fn no_purchase_probability(&self, repeats: u32, last: f64, age: f64) -> f64 {
        let power = self.r + f64::from(repeats);
        let alive = self.alive_probability(repeats, last, age);
        let span = self.alpha + age;
        let quiet_if_alive = exp(-power * ln((span + f64::from(self.horizon_days)) / span));
        (1.0 - alive + alive * quiet_if_alive).clamp(0.0, 1.0)
    }

    /// Probability that the customer has not dropped out, in [0, 1] (arguments as above).
    pub fn alive_probability(&self, repeats: u32, last: f64, age: f64) -> f64 {
        if repeats == 0 {
            return 1.0;
        }
        let x = f64::from(repeats);
        let odds = self.a / (self.b + x - 1.0)
            * exp((self.r + x) * ln((self.alpha + age) / (self.alpha + last)));
        1.0 / (1.0 + odds)
    }

    /// Purchase days expected in the next `horizon_days` at the customer's present pace:
    /// `P(alive) · (r + x) / (α + T) · h`, the expected rate of a customer still active times
    /// the probability that they are (later drop-outs are not discounted). The frequency factor.
    pub fn expected_purchases(&self, repeats: u32, last: f64, age: f64) -> f64 {
        let rate = (self.r + f64::from(repeats)) / (self.alpha + age);
        self.alive_probability(repeats, last, age) * rate * f64::from(self.horizon_days)
    }

    /// Fits r, α, a, b by maximum likelihood (Nelder–Mead on their logarithms) to the
    /// purchase histories of `customers` as seen at `now`. Customers without purchases are
    /// ignored. Errors: `CHURN_INVALID_INPUT` for the first customer invalid at `now`,
    /// `CHURN_TOO_FEW_SAMPLES` without two distinct histories including one repeat buyer,
    /// `CHURN_NO_CONVERGENCE` when the search ends on parameters that are not finite and
    /// positive.
    pub fn fit(
        customers: &[ChurnInput],
        now: NaiveDate,
        horizon_days: u32,
    ) -> Result<Self, ChurnError> {
        let mut groups: std::collections::BTreeMap<Summary, f64> = Default::default();
        for c in customers {
            c.validate(now)?;
            if let Some(s) = summary(c, now) {
                *groups.entry(s).or_insert(0.0) += 1.0;
            }
        }
        let groups: Vec<(Summary, f64)> = groups.into_iter().collect();
        let repeaters = groups.iter().filter(|(s, _)| s.x > 0).count();
        if groups.len() < 2 || repeaters == 0 {
            return Err(ChurnError::TooFewSamples {
                got: customers.len(),
                needed: 2,
            });
        }
        let mean_age = groups.iter().map(|(s, n)| s.t as f64 * n).sum::<f64>()
            / groups.iter().map(|(_, n)| n).sum::<f64>();
        let start = [0.0, mean_age.max(1.0).ln(), 0.0, 0.0];
        let loss = |theta: &[f64; 4]| -log_likelihood(&groups, theta);
        let (theta, _) = nelder_mead(loss, start, 4000, 1e-10);
        let model = Self {
            r: theta[0].exp(),
            alpha: theta[1].exp(),
            a: theta[2].exp(),
            b: theta[3].exp(),
            horizon_days,
        };
        let mut problems = Problems::new();
        model.check("purchase_model", &mut problems);
        problems
            .finish(model)
            .map_err(|_| ChurnError::NoConvergence {
                iterations: 4000,
                last_step: f64::NAN,
            })
    }

    pub(crate) fn check(&self, prefix: &str, problems: &mut Problems) {
        for (name, v) in [
            ("r", self.r),
            ("alpha", self.alpha),
            ("a", self.a),
            ("b", self.b),
        ] {
            if !(v.is_finite() && v > 0.0) {
                problems.push(
                    format!("{prefix}.{name}"),
                    Rule::Positive,
                    v.to_string(),
                    "must be a finite number above zero",
                );
            }
        }
        if self.horizon_days == 0 {
            problems.push(
                format!("{prefix}.horizon_days"),
                Rule::Positive,
                "0",
                "must be at least one day",
            );
        }
    }
}

fn summary(c: &ChurnInput, now: NaiveDate) -> Option<Summary> {
    let first = c.purchases.iter().map(|p| p.date).min()?;
    let last = c.purchases.iter().map(|p| p.date).max()?;
    let mut days: Vec<NaiveDate> = c.purchases.iter().map(|p| p.date).collect();
    days.sort_unstable();
    days.dedup();
    Some(Summary {
        x: u32::try_from(days.len() - 1).unwrap_or(u32::MAX),
        t_x: (last - first).num_days(),
        t: (now - first).num_days(),
    })
}

/// BG/NBD log-likelihood of the grouped histories at θ = ln(r, α, a, b). Γ ratios of an
/// integer shift are products, so no log-gamma function is needed.
fn log_likelihood(groups: &[(Summary, f64)], theta: &[f64; 4]) -> f64 {
    let [r, alpha, a, b] = theta.map(f64::exp);
    if ![r, alpha, a, b].iter().all(|v| v.is_finite() && *v > 0.0) {
        return f64::NEG_INFINITY;
    }
    let mut total = 0.0;
    for &(s, count) in groups {
        let x = f64::from(s.x);
        let mut ll = r * alpha.ln();
        for k in 0..s.x {
            let k = f64::from(k);
            ll += (r + k).ln() + (b + k).ln() - (a + b + k).ln();
        }
        let (t, t_x) = (s.t as f64, s.t_x as f64);
        ll -= (r + x) * (alpha + t).ln();
        if s.x > 0 {
            let u = (a / (b + x - 1.0)).ln() + (r + x) * ((alpha + t) / (alpha + t_x)).ln();
            ll += if u > 0.0 {
                u + (-u).exp().ln_1p()
            } else {
                u.exp().ln_1p()
            };
        }
        total += count * ll;
    }
    total
}

/// Minimises `f` from `start` with the Nelder–Mead simplex; returns the best point and value.
fn nelder_mead(
    f: impl Fn(&[f64; 4]) -> f64,
    start: [f64; 4],
    max_iterations: usize,
    tolerance: f64,
) -> ([f64; 4], f64) {
    let value = |p: &[f64; 4]| {
        let v = f(p);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut simplex: Vec<([f64; 4], f64)> = (0..5)
        .map(|i| {
            let mut p = start;
            if i > 0 {
                p[i - 1] += 1.0;
            }
            (p, value(&p))
        })
        .collect();
    for _ in 0..max_iterations {
        simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
        let (best, worst) = (simplex[0].1, simplex[4].1);
        if (worst - best).abs() <= tolerance * (1.0 + best.abs()) {
            break;
        }
        let centroid: [f64; 4] =
            std::array::from_fn(|j| simplex[..4].iter().map(|(p, _)| p[j]).sum::<f64>() / 4.0);
        let towards = |t: f64| -> [f64; 4] {
            std::array::from_fn(|j| centroid[j] + t * (simplex[4].0[j] - centroid[j]))
        };
        let reflected = towards(-1.0);
        let fr = value(&reflected);
        if fr < simplex[0].1 {
            let expanded = towards(-2.0);
            let fe = value(&expanded);
            simplex[4] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[3].1 {
            simplex[4] = (reflected, fr);
        } else {
            let contracted = if fr < worst {
                towards(-0.5)
            } else {
                towards(0.5)
            };
            let fc = value(&contracted);
            if fc < fr.min(worst) {
                simplex[4] = (contracted, fc);
            } else {
                let best_point = simplex[0].0;
                for (p, v) in simplex.iter_mut().skip(1) {
                    *p = std::array::from_fn(|j| best_point[j] + 0.5 * (p[j] - best_point[j]));
                    *v = value(p);
                }
            }
        }
    }
    simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
    simplex[0]
}

const LN_2: f64 = std::f64::consts::LN_2;

/// Natural logarithm of `y > 0` with `+ - * /` only: `y = m · 2^k` with m in [√½, √2), then
/// `ln m = 2 atanh((m − 1)/(m + 1))` by its series.
fn ln(y: f64) -> f64 {
    if y.is_nan() || y < 0.0 {
        return f64::NAN;
    }
    if y == 0.0 {
        return f64::NEG_INFINITY;
    }
    if y.is_infinite() {
        return f64::INFINITY;
    }
    let (mut m, mut k) = (y, 0i32);
    while m >= std::f64::consts::SQRT_2 {
        m /= 2.0;
        k += 1;
    }
    while m < std::f64::consts::FRAC_1_SQRT_2 {
        m *= 2.0;
        k -= 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut n = 1.0;
    while n < 60.0 {
        sum += term / n;
        term *= s2;
        n += 2.0;
    }
    2.0 * sum + f64::from(k) * LN_2
}

/// `e^z` with `+ - * /` only: `z = k ln 2 + f` with |f| ≤ ½ ln 2, Taylor series of `e^f`,
/// then `k` doublings or halvings.
fn exp(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z > 709.0 {
        return f64::INFINITY;
    }
    if z < -745.0 {
        return 0.0;
    }
    let k = (z / LN_2 + if z < 0.0 { -0.5 } else { 0.5 }) as i32;
    let f = z - f64::from(k) * LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=20 {
        term *= f / f64::from(n);
        sum += term;
    }
    let mut result = sum;
    for _ in 0..k.unsigned_abs() {
        result = if k > 0 { result * 2.0 } else { result / 2.0 };
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_ln_and_exp_match_the_standard_library() {
        for y in [
            1e-300, 1e-9, 0.3, 0.999, 1.0, 1.5, 2.0, 7.25, 365.0, 1e12, 1e300,
        ] {
            assert!(
                (ln(y) - y.ln()).abs() <= 1e-13 * (1.0 + y.ln().abs()),
                "ln {y}"
            );
        }
        for z in [-700.0, -30.0, -1.0, -0.1, 0.0, 0.5, 1.0, 20.0, 700.0] {
            let want: f64 = f64::exp(z);
            assert!((exp(z) - want).abs() <= 1e-13 * want, "exp {z}");
        }
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
    }

    #[test]
    fn a_long_silence_matters_more_for_frequent_buyers() {
        let m = PurchaseModel {
            r: 0.25,
            alpha: 30.0,
            a: 0.8,
            b: 2.5,
            horizon_days: 90,
        };
        let frequent = m.no_purchase_probability(10, 100.0, 200.0);
        let rare = m.no_purchase_probability(1, 100.0, 200.0);
        assert!(frequent > rare);
        let recent = m.no_purchase_probability(10, 195.0, 200.0);
        assert!(recent < frequent);
        for p in [
            frequent,
            rare,
            recent,
            m.no_purchase_probability(0, 0.0, 0.0),
        ] {
            assert!((0.0..=1.0).contains(&p));
        }
    }
}

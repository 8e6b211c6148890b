//! Typed errors of the churn engine, each with a stable code the bindings can match on.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One broken rule in an input or a configuration: where, which rule, and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Path of the field, e.g. `purchases[2].amount` or `weights.recency`.
    pub path: String,
    /// Stable name of the rule that was broken, e.g. `non_negative`.
    pub rule: String,
    /// The offending value as text.
    pub value: String,
}

impl Problem {
    pub(crate) fn new(path: impl Into<String>, rule: &str, value: impl ToString) -> Self {
        Self {
            path: path.into(),
            rule: rule.to_string(),
            value: value.to_string(),
        }
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{} {} (got {})", p.path, p.rule, p.value))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that can go wrong when scoring or fitting.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ChurnError {
    /// A customer's input breaks one or more rules; all of them are listed.
    #[error("invalid churn input: {}", list(.problems))]
    InvalidInput { problems: Vec<Problem> },
    /// The configuration (weights, bands, rules, factor parameters) breaks one or more rules.
    #[error("invalid churn configuration: {}", list(.problems))]
    InvalidConfig { problems: Vec<Problem> },
    /// Fitting needs at least `needed` labelled customers.
    #[error("too few labelled customers to fit weights: {got}, need at least {needed}")]
    TooFewSamples { got: usize, needed: usize },
    /// Fitting needs both churned and retained customers.
    #[error("all {count} labelled customers have churned = {churned}: both classes are needed")]
    OneClass { count: usize, churned: bool },
    /// Newton's method did not settle within the iteration limit.
    #[error("weight fitting did not converge in {iterations} iterations (last step {last_step:e})")]
    NoConvergence { iterations: usize, last_step: f64 },
    /// Every factor came out as lowering churn, so no non-negative weight explains the labels.
    #[error("no factor raises churn risk in the labelled history: no weights to fit")]
    NoSignal,
}

impl ChurnError {
    /// Stable machine-readable code, identical in every binding.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "CHURN_INVALID_INPUT",
            Self::InvalidConfig { .. } => "CHURN_INVALID_CONFIG",
            Self::TooFewSamples { .. } => "CHURN_TOO_FEW_SAMPLES",
            Self::OneClass { .. } => "CHURN_ONE_CLASS",
            Self::NoConvergence { .. } => "CHURN_NO_CONVERGENCE",
            Self::NoSignal => "CHURN_NO_SIGNAL",
        }
    }
}

//! Typed errors of the churn engine, each with a stable code the bindings can match on.

use thiserror::Error;

use crate::validation::ValidationError;

/// Everything that can go wrong when scoring or fitting.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ChurnError {
    /// A customer's input (or a sample of a fit) breaks one or more rules; all are listed.
    #[error("invalid churn input: {0}")]
    InvalidInput(ValidationError),
    /// The configuration (weights, bands, rules, factor parameters, fit options) breaks one or
    /// more rules; all are listed.
    #[error("invalid churn configuration: {0}")]
    InvalidConfig(ValidationError),
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
            Self::InvalidInput(_) => "CHURN_INVALID_INPUT",
            Self::InvalidConfig(_) => "CHURN_INVALID_CONFIG",
            Self::TooFewSamples { .. } => "CHURN_TOO_FEW_SAMPLES",
            Self::OneClass { .. } => "CHURN_ONE_CLASS",
            Self::NoConvergence { .. } => "CHURN_NO_CONVERGENCE",
            Self::NoSignal => "CHURN_NO_SIGNAL",
        }
    }

    /// The field problems of an invalid input or configuration; none for the other errors.
    pub fn problems(&self) -> &[crate::validation::FieldProblem] {
        match self {
            Self::InvalidInput(e) | Self::InvalidConfig(e) => &e.problems,
            _ => &[],
        }
    }
}

//! Churn scoring: an explainable 0-100 risk per customer, with reasons and a recommended action.
//!
//! Seven factors each give a risk in [0, 1]; the score is their weighted sum on a 0-100 scale
//! and the per-factor points add up to it exactly. A factor without data is neutral: it is left
//! out and the other weights are renormalised. Weights have defaults that need no training and
//! can be fitted to the business's labelled history with [`fit_weights`]. The recency and
//! frequency factors can use a [`PurchaseModel`] fitted on purchase histories alone. A customer
//! without any purchase (only a signup) scores 0: no factor has data. [`ChurnInput::from_records`]
//! builds the input from the business's records. "now" is always a parameter, never read from
//! a clock. See `docs/churn.md`.

mod action;
mod band;
mod config;
mod error;
mod factors;
mod fit;
mod input;
mod purchase_model;
mod records;
mod score;

pub use action::{ActionRule, Condition, RecommendedAction, default_rules, recommend};
pub use band::{BandThresholds, RiskBand};
pub use config::{ChurnConfig, FactorWeights};
pub use error::ChurnError;
pub use factors::{Factor, FactorParams, FactorRisks, ReasonCode};
pub use fit::{FitOptions, FittedWeights, LabelledRisks, fit_weights};
pub use input::{
    ChurnInput, DeliverySignals, MAX_AMOUNT, PaymentSignals, Purchase, ServiceSignals,
    SubscriptionSignals,
};
pub use purchase_model::PurchaseModel;
pub use records::CustomerRecords;
pub use score::{ChurnEngine, ChurnScore, Contribution, RankedCustomer};

#[cfg(test)]
mod tests;

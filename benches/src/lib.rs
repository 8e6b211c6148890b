//! Shared code of the benchmark programs in `benches/src/bin/`.

pub mod activation_data;
pub mod churn_metrics;
pub mod synthetic;

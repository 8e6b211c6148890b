//! The customer activation lifecycle (rules section 3).
//!
//! A customer is NEW, ONBOARDED, ACTIVE, ENGAGED, INACTIVE or CHURNED. The state is a pure
//! fold over the customer's events (signed up, order placed, subscription started, delivery
//! completed) in `(instant, sequence)` order, with the sweep rows of the table evaluated at
//! 00:00 business-local of every day in between. Nothing here reads a clock: every function
//! takes `now` (or a [`Clock`]) from the host.
//!
//! - [`CustomerActivation`]: one customer's events, state and timeline; late events refold.
//! - [`Snapshot`]: the compact standing the daily sweep needs, O(1) per customer;
//!   [`sweep_snapshots`] sweeps a whole base in parallel.
//! - [`metrics`], [`cohort_retention`]: counts per state, stalled onboarding, the funnel,
//!   revenue per state and cohort retention; [`funnel_text`] and [`cohort_text`] print them.
//! - [`backfill`]: events and state from the orders, deliveries and subscriptions that exist.
//! - [`table`]: the transition table itself, as data.

mod backfill;
mod clock;
mod cohort;
mod config;
mod customer;
mod error;
mod event;
mod fold;
mod holiday;
mod metrics;
mod report;
mod snapshot;
mod sweep;
pub mod table;

pub use backfill::{CustomerRecords, backfill, backfill_events};
pub use clock::{Clock, FixedClock};
pub use cohort::{ActivityTable, CohortRow, CohortTable, Granularity, cohort_retention};
pub use config::ActivationConfig;
pub use customer::{CustomerActivation, CustomerHistory, Recorded, intent};
pub use error::ActivationError;
pub use event::{ActivationEvent, ActivationState, EventKind};
pub use holiday::Holidays;
pub use metrics::{ActivationMetrics, Funnel, FunnelStep, Stalled, metrics};
pub use report::{cohort_text, funnel_text};
pub use snapshot::{CustomerSnapshot, RecordedDates, Snapshot};
pub use sweep::{
    SweptTransition, replay_all, sweep_customers, sweep_snapshots, sweep_snapshots_with,
};
pub use table::{Cause, Message, SweepRule, Transition};

#[cfg(test)]
mod tests;

//! The daily sweep over a whole customer base, in parallel.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::clock::Clock;
use super::config::ActivationConfig;
use super::customer::{CustomerActivation, CustomerHistory};
use super::error::ActivationError;
use super::snapshot::CustomerSnapshot;
use super::table::Transition;

/// A transition the sweep made, with its customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct SweptTransition {
    pub customer_id: String,
    pub transition: Transition,
}

const CHUNK: usize = 4096;

/// Applies the sweep of every morning up to `now` to every snapshot, in parallel on the
/// current rayon pool: O(1) per customer. The transitions come back in the order of the
/// customers, then of time, whatever the number of threads.
pub fn sweep_snapshots(
    customers: &mut [CustomerSnapshot],
    now: DateTime<Utc>,
    config: &ActivationConfig,
) -> Vec<SweptTransition> {
    let day = config.zone.date_of(now);
    let parts: Vec<Vec<SweptTransition>> = customers
        .par_chunks_mut(CHUNK)
        .map(|chunk| {
            let mut made = Vec::new();
            for customer in chunk {
                let id = &customer.customer_id;
                customer.snapshot.advance(day, config, &mut |transition| {
                    made.push(SweptTransition {
                        customer_id: id.clone(),
                        transition,
                    });
                });
            }
            made
        })
        .collect();
    parts.concat()
}

/// [`sweep_snapshots`] at the clock's instant.
pub fn sweep_snapshots_with(
    customers: &mut [CustomerSnapshot],
    clock: &impl Clock,
    config: &ActivationConfig,
) -> Vec<SweptTransition> {
    sweep_snapshots(customers, clock.now(), config)
}

/// Sweeps full customer records (timelines included) up to `now`, in parallel.
pub fn sweep_customers(
    customers: &mut [CustomerActivation],
    now: DateTime<Utc>,
) -> Vec<SweptTransition> {
    let parts: Vec<Vec<SweptTransition>> = customers
        .par_chunks_mut(CHUNK)
        .map(|chunk| {
            let mut made = Vec::new();
            for customer in chunk {
                for transition in customer.sweep(now) {
                    made.push(SweptTransition {
                        customer_id: customer.customer_id().to_owned(),
                        transition,
                    });
                }
            }
            made
        })
        .collect();
    parts.concat()
}

/// Replays many customers' histories in parallel (the backfill and migration path).
pub fn replay_all(
    histories: Vec<CustomerHistory>,
    now: DateTime<Utc>,
    config: ActivationConfig,
) -> Vec<Result<CustomerActivation, ActivationError>> {
    histories
        .into_par_iter()
        .with_min_len(1024)
        .map(|history| CustomerActivation::replay(history, now, config))
        .collect()
}

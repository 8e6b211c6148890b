//! When a subscription is due: the phone's "today's route" asks this for every subscription.

use earlybird::record::Subscription;
use earlybird::schedule::DueDelivery;

use crate::types::{Amount, CalendarDate, canonical_json};

/// One day on which a subscription is due, with the quantity due.
#[uniffi::remote(Record)]
pub struct DueDelivery {
    pub date: CalendarDate,
    pub quantity: Amount,
}

/// Every day from `from` to `to` (inclusive) on which the subscription is due.
#[uniffi::export]
pub fn subscription_due_between(
    subscription: Subscription,
    from: CalendarDate,
    to: CalendarDate,
) -> Vec<DueDelivery> {
    subscription.due_between(from, to)
}

/// The quantity due on `date`, if any: scheduled, running and not paused.
#[uniffi::export]
pub fn subscription_due_on(subscription: Subscription, date: CalendarDate) -> Option<Amount> {
    subscription.due_on(date)
}

/// Whether `date` falls inside one of the subscription's pauses.
#[uniffi::export]
pub fn subscription_is_paused_on(subscription: Subscription, date: CalendarDate) -> bool {
    subscription.is_paused_on(date)
}

/// Whether the subscription runs on `date` (between its start and its end).
#[uniffi::export]
pub fn subscription_runs_on(subscription: Subscription, date: CalendarDate) -> bool {
    subscription.runs_on(date)
}

/// The core's canonical JSON of a list of due deliveries.
#[uniffi::export]
pub fn due_deliveries_to_json(due: Vec<DueDelivery>) -> String {
    canonical_json(&due)
}

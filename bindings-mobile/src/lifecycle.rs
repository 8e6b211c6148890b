//! The order lifecycle and delivery confirmation: what the delivery person's phone does at
//! the door, offline, with the outcome stored and synced later.

use earlybird::audit::AuditRecord;
use earlybird::lifecycle::{self, Actor, DeliveryOutcome, Effect, OrderOutcome};
use earlybird::record::{DeliveryRecord, Order};

use crate::error::EarlybirdError;
use crate::types::{Amount, Instant, JsonText, canonical_json};

/// Who made a change and when; every command carries it into the audit trail.
#[uniffi::remote(Record)]
pub struct Actor {
    pub id: String,
    pub at: Instant,
}

/// What a command did.
#[uniffi::remote(Enum)]
pub enum Effect {
    /// The record changed; store the outcome.
    Changed,
    /// The same command was applied before: nothing to store.
    Unchanged,
    /// Nothing was delivered: the order stays open.
    DeliveryFailed,
}

/// One state change of one entity; `before`/`after` are JSON snapshots.
#[uniffi::remote(Record)]
pub struct AuditRecord {
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub actor: String,
    pub at: Instant,
    pub before: Option<JsonText>,
    pub after: Option<JsonText>,
    pub reason: Option<String>,
}

/// The result of an order command: the order to store, its delivery records and its audit.
#[uniffi::remote(Record)]
pub struct OrderOutcome {
    pub effect: Effect,
    pub order: Order,
    pub deliveries: Vec<DeliveryRecord>,
    pub audit: Vec<AuditRecord>,
}

/// The result of recording a subscription delivery: the record to store and its audit.
#[uniffi::remote(Record)]
pub struct DeliveryOutcome {
    pub effect: Effect,
    pub delivery: DeliveryRecord,
    pub audit: Vec<AuditRecord>,
}

/// PENDING → OUT_FOR_DELIVERY; repeating it changes nothing.
#[uniffi::export]
pub fn dispatch_order(order: Order, actor: Actor) -> Result<OrderOutcome, EarlybirdError> {
    Ok(lifecycle::dispatch(&order, &actor)?)
}

/// PENDING or OUT_FOR_DELIVERY → CANCELLED; repeating it changes nothing.
#[uniffi::export]
pub fn cancel_order(order: Order, actor: Actor) -> Result<OrderOutcome, EarlybirdError> {
    Ok(lifecycle::cancel(&order, &actor)?)
}

/// Confirms an OUT_FOR_DELIVERY order with the quantity delivered of each item (in item
/// order). The same confirmation again is `Effect.UNCHANGED`; a different one is
/// `ConflictingConfirmation` (use [`correct_delivery`]).
#[uniffi::export]
pub fn confirm_delivery(
    order: Order,
    delivered: Vec<Amount>,
    reason: Option<String>,
    actor: Actor,
) -> Result<OrderOutcome, EarlybirdError> {
    Ok(lifecycle::confirm_delivery(
        &order,
        &delivered,
        reason.as_deref(),
        &actor,
    )?)
}

/// Changes the confirmed quantities of a delivered order, auditing before, after and why.
#[uniffi::export]
pub fn correct_delivery(
    order: Order,
    delivered: Vec<Amount>,
    reason: String,
    actor: Actor,
) -> Result<OrderOutcome, EarlybirdError> {
    Ok(lifecycle::correct_delivery(
        &order, &delivered, &reason, &actor,
    )?)
}

/// Records one subscription delivery (`existing`: what is stored under the same id). The
/// same record again changes nothing; a different one is `ConflictingConfirmation`.
#[uniffi::export]
pub fn record_delivery(
    existing: Option<DeliveryRecord>,
    delivery: DeliveryRecord,
    actor: Actor,
) -> Result<DeliveryOutcome, EarlybirdError> {
    Ok(lifecycle::record_delivery(
        existing.as_ref(),
        delivery,
        &actor,
    )?)
}

/// Replaces a recorded subscription delivery, auditing before, after and the reason.
#[uniffi::export]
pub fn correct_recorded_delivery(
    existing: DeliveryRecord,
    corrected: DeliveryRecord,
    reason: String,
    actor: Actor,
) -> Result<DeliveryOutcome, EarlybirdError> {
    Ok(lifecycle::correct_recorded_delivery(
        &existing, corrected, &reason, &actor,
    )?)
}

/// The core's canonical JSON of an order outcome.
#[uniffi::export]
pub fn order_outcome_to_json(outcome: OrderOutcome) -> String {
    canonical_json(&outcome)
}

/// The core's canonical JSON of a delivery outcome.
#[uniffi::export]
pub fn delivery_outcome_to_json(outcome: DeliveryOutcome) -> String {
    canonical_json(&outcome)
}

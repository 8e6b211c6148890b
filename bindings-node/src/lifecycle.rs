//! The order and delivery lifecycle: commands on a record returning the new record, the
//! delivery records and the audit records to store.

use earlybird::audit::AuditRecord as CoreAuditRecord;
use earlybird::error::LifecycleError;
use earlybird::lifecycle::{
    self, Actor as CoreActor, DeliveryOutcome as CoreDeliveryOutcome,
    OrderOutcome as CoreOrderOutcome,
};
use earlybird::record::{DeliveryRecord as CoreDeliveryRecord, Order as CoreOrder};
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

use crate::convert::{arg, decimals, document, instant, instant_text, name_of, to_core};
use crate::failure::{Failure, call};
use crate::record::{DeliveryRecord, Order};

/// Who makes a change and when: `at` is an RFC 3339 instant (`2026-01-15T01:10:00Z`; any
/// offset is accepted, results are written in UTC).
#[napi(object)]
pub struct Actor {
    pub id: String,
    pub at: String,
}

/// One state change of one entity, as stored in the audit trail. `before` and `after` are
/// the entity's canonical stored documents (snake_case keys), absent on creation.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub entity: String,
    pub entity_id: String,
    /// What happened: `dispatched`, `delivery_confirmed`, `delivery_corrected`...
    pub action: String,
    pub actor: String,
    pub at: String,
    #[napi(ts_type = "Record<string, unknown>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[napi(ts_type = "Record<string, unknown>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The result of an order command. `effect` is `changed` (store the outcome), `unchanged`
/// (an idempotent repeat: nothing to store) or `delivery_failed` (nothing was delivered; the
/// order stays open, only the audit record is stored).
#[napi(object)]
pub struct OrderOutcome {
    pub effect: String,
    pub order: Order,
    pub deliveries: Vec<DeliveryRecord>,
    pub audit: Vec<AuditRecord>,
}

/// The result of recording a subscription delivery (`effect` as in `OrderOutcome`).
#[napi(object)]
pub struct DeliveryOutcome {
    pub effect: String,
    pub delivery: DeliveryRecord,
    pub audit: Vec<AuditRecord>,
}

impl From<&CoreAuditRecord> for AuditRecord {
    fn from(record: &CoreAuditRecord) -> Self {
        let CoreAuditRecord {
            entity,
            entity_id,
            action,
            actor,
            at,
            before,
            after,
            reason,
        } = record;
        Self {
            entity: entity.clone(),
            entity_id: entity_id.clone(),
            action: action.clone(),
            actor: actor.clone(),
            at: instant_text(at),
            before: before.clone(),
            after: after.clone(),
            reason: reason.clone(),
        }
    }
}

fn order_outcome(
    outcome: Result<CoreOrderOutcome, LifecycleError>,
) -> Result<OrderOutcome, Failure> {
    let CoreOrderOutcome {
        effect,
        order,
        deliveries,
        audit,
    } = outcome?;
    Ok(OrderOutcome {
        effect: name_of(&effect)?,
        order: (&order).into(),
        deliveries: deliveries.iter().map(Into::into).collect(),
        audit: audit.iter().map(Into::into).collect(),
    })
}

fn delivery_outcome(
    outcome: Result<CoreDeliveryOutcome, LifecycleError>,
) -> Result<DeliveryOutcome, Failure> {
    let CoreDeliveryOutcome {
        effect,
        delivery,
        audit,
    } = outcome?;
    Ok(DeliveryOutcome {
        effect: name_of(&effect)?,
        delivery: (&delivery).into(),
        audit: audit.iter().map(Into::into).collect(),
    })
}

fn actor(env: &Env, value: Unknown<'_>) -> Result<CoreActor, Failure> {
    let Actor { id, at } = arg(env, "actor", value)?;
    Ok(CoreActor::new(id, instant("actor.at", &at)?))
}

fn order(env: &Env, value: Unknown<'_>) -> Result<CoreOrder, Failure> {
    to_core(&arg::<Order>(env, "order", value)?)
}

fn delivery(env: &Env, name: &str, value: Unknown<'_>) -> Result<CoreDeliveryRecord, Failure> {
    to_core(&arg::<DeliveryRecord>(env, name, value)?)
}

fn delivered(env: &Env, value: Unknown<'_>) -> Result<Vec<rust_decimal::Decimal>, Failure> {
    decimals("delivered", &arg::<Vec<Value>>(env, "delivered", value)?)
}

/// PENDING → OUT_FOR_DELIVERY. Repeating it changes nothing.
#[napi(ts_args_type = "order: Order, actor: Actor")]
pub fn dispatch(
    env: Env,
    order_value: Unknown<'_>,
    actor_value: Unknown<'_>,
) -> napi::Result<OrderOutcome> {
    call(&env, || {
        order_outcome(lifecycle::dispatch(
            &order(&env, order_value)?,
            &actor(&env, actor_value)?,
        ))
    })
}

/// PENDING or OUT_FOR_DELIVERY → CANCELLED. Repeating it changes nothing.
#[napi(ts_args_type = "order: Order, actor: Actor")]
pub fn cancel(
    env: Env,
    order_value: Unknown<'_>,
    actor_value: Unknown<'_>,
) -> napi::Result<OrderOutcome> {
    call(&env, || {
        order_outcome(lifecycle::cancel(
            &order(&env, order_value)?,
            &actor(&env, actor_value)?,
        ))
    })
}

/// Confirms the delivery of an OUT_FOR_DELIVERY order with the quantity delivered of each
/// item (decimal strings, one per item). Confirming again with the same quantities changes
/// nothing; with others it is `LIFECYCLE_CONFLICTING_CONFIRMATION` (use `correctDelivery`).
#[napi(
    ts_args_type = "order: Order, delivered: Array<string>, reason: string | null | undefined, actor: Actor"
)]
pub fn confirm_delivery(
    env: Env,
    order_value: Unknown<'_>,
    delivered_value: Unknown<'_>,
    reason: Unknown<'_>,
    actor_value: Unknown<'_>,
) -> napi::Result<OrderOutcome> {
    call(&env, || {
        let order = order(&env, order_value)?;
        let delivered = delivered(&env, delivered_value)?;
        let reason: Option<String> = arg(&env, "reason", reason)?;
        let actor = actor(&env, actor_value)?;
        order_outcome(lifecycle::confirm_delivery(
            &order,
            &delivered,
            reason.as_deref(),
            &actor,
        ))
    })
}

/// Changes the confirmed quantities of a DELIVERED or PARTIALLY_DELIVERED order, auditing
/// before, after and the reason.
#[napi(ts_args_type = "order: Order, delivered: Array<string>, reason: string, actor: Actor")]
pub fn correct_delivery(
    env: Env,
    order_value: Unknown<'_>,
    delivered_value: Unknown<'_>,
    reason: Unknown<'_>,
    actor_value: Unknown<'_>,
) -> napi::Result<OrderOutcome> {
    call(&env, || {
        let order = order(&env, order_value)?;
        let delivered = delivered(&env, delivered_value)?;
        let reason: String = arg(&env, "reason", reason)?;
        let actor = actor(&env, actor_value)?;
        order_outcome(lifecycle::correct_delivery(
            &order, &delivered, &reason, &actor,
        ))
    })
}

/// Records one subscription delivery; `existing` is what is stored under the same id
/// (`null` if nothing). The same record again changes nothing; a different one is
/// `LIFECYCLE_CONFLICTING_CONFIRMATION`.
#[napi(
    ts_args_type = "existing: DeliveryRecord | null | undefined, delivery: DeliveryRecord, actor: Actor"
)]
pub fn record_delivery(
    env: Env,
    existing_value: Unknown<'_>,
    delivery_value: Unknown<'_>,
    actor_value: Unknown<'_>,
) -> napi::Result<DeliveryOutcome> {
    call(&env, || {
        let existing = arg::<Option<DeliveryRecord>>(&env, "existing", existing_value)?
            .map(|e| to_core::<_, CoreDeliveryRecord>(&e))
            .transpose()?;
        let delivery = delivery(&env, "delivery", delivery_value)?;
        let actor = actor(&env, actor_value)?;
        delivery_outcome(lifecycle::record_delivery(
            existing.as_ref(),
            delivery,
            &actor,
        ))
    })
}

/// Replaces a recorded subscription delivery, auditing before, after and the reason.
#[napi(
    ts_args_type = "existing: DeliveryRecord, corrected: DeliveryRecord, reason: string, actor: Actor"
)]
pub fn correct_recorded_delivery(
    env: Env,
    existing_value: Unknown<'_>,
    corrected_value: Unknown<'_>,
    reason: Unknown<'_>,
    actor_value: Unknown<'_>,
) -> napi::Result<DeliveryOutcome> {
    call(&env, || {
        let existing = delivery(&env, "existing", existing_value)?;
        let corrected = delivery(&env, "corrected", corrected_value)?;
        let reason: String = arg(&env, "reason", reason)?;
        let actor = actor(&env, actor_value)?;
        delivery_outcome(lifecycle::correct_recorded_delivery(
            &existing, corrected, &reason, &actor,
        ))
    })
}

/// The canonical stored document of an audit record (snake_case keys).
#[napi(
    ts_args_type = "record: AuditRecord",
    ts_return_type = "Record<string, unknown>"
)]
pub fn audit_document(env: Env, record: Unknown<'_>) -> napi::Result<Value> {
    call(&env, || {
        let record: AuditRecord = arg(&env, "record", record)?;
        let core: CoreAuditRecord = serde_json::from_value(document(&record)?).map_err(|e| {
            crate::convert::bad(
                "record",
                earlybird::validation::Rule::Type,
                "",
                e.to_string(),
            )
        })?;
        document(&core)
    })
}

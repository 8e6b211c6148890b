//! The order and delivery lifecycle (rules section 1).
//!
//! Pure functions: each takes the current record and a command and returns the new record,
//! the delivery records and audit records to store, or a typed error. Nothing is written
//! here, so a failed command leaves nothing behind.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::audit::AuditRecord;
use crate::record::{DeliveryRecord, DeliverySource, DeliveryStatus, Order, OrderStatus, Record};
use crate::validation::{Problems, ValidationError};

/// What went wrong applying a lifecycle command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The rules have no such transition (e.g. DELIVERED → CANCELLED).
    #[error("order {order_id}: cannot {action} an order that is {from}")]
    InvalidTransition {
        order_id: String,
        from: OrderStatus,
        action: &'static str,
    },
    /// Deliveries of a cancelled order cannot be confirmed.
    #[error("order {order_id} is CANCELLED: its delivery cannot be confirmed")]
    OrderCancelled { order_id: String },
    /// A second confirmation disagrees with the first; use an explicit correction.
    #[error(
        "{entity} {id}: already confirmed with {recorded}, now {requested}; use a correction to change it"
    )]
    ConflictingConfirmation {
        entity: &'static str,
        id: String,
        recorded: String,
        requested: String,
    },
    /// A correction of something that was never confirmed.
    #[error("{entity} {id}: nothing confirmed yet, so nothing to correct")]
    NotConfirmed { entity: &'static str, id: String },
    /// A correction that changes nothing.
    #[error("{entity} {id}: the correction changes nothing")]
    NothingToCorrect { entity: &'static str, id: String },
    /// A correction may not turn a delivered order into "nothing delivered"; refund it with a
    /// credit note instead, so the bill keeps its history.
    #[error(
        "order {order_id}: a correction cannot make a delivered order undelivered; issue a credit note"
    )]
    CorrectionToNothing { order_id: String },
    /// The confirmation's quantities do not fit the order or record.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl LifecycleError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        match self {
            LifecycleError::InvalidTransition { .. } => "LIFECYCLE_INVALID_TRANSITION",
            LifecycleError::OrderCancelled { .. } => "LIFECYCLE_ORDER_CANCELLED",
            LifecycleError::ConflictingConfirmation { .. } => "LIFECYCLE_CONFLICTING_CONFIRMATION",
            LifecycleError::NotConfirmed { .. } => "LIFECYCLE_NOT_CONFIRMED",
            LifecycleError::NothingToCorrect { .. } => "LIFECYCLE_NOTHING_TO_CORRECT",
            LifecycleError::CorrectionToNothing { .. } => "LIFECYCLE_CORRECTION_TO_NOTHING",
            LifecycleError::Invalid(e) => e.code(),
        }
    }
}

/// Who made a change and when: every command carries it into the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub id: String,
    pub at: DateTime<Utc>,
}

impl Actor {
    /// `id` acting at `at`.
    pub fn new(id: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self { id: id.into(), at }
    }
}

/// What a command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The record changed; store the outcome.
    Changed,
    /// The same command was applied before: nothing to store (idempotent repeat).
    Unchanged,
    /// Nothing was delivered: the order stays open for a retry (or a cancellation).
    DeliveryFailed,
}

/// The result of an order command: the order to store, its delivery records and its audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderOutcome {
    pub effect: Effect,
    pub order: Order,
    /// Delivery records to upsert (the trace of a confirmation or correction).
    pub deliveries: Vec<DeliveryRecord>,
    pub audit: Vec<AuditRecord>,
}

/// The id of the delivery record tracing item `index` of an order.
pub fn order_delivery_id(order_id: &str, index: usize) -> String {
    format!("{order_id}#{index}")
}

/// Moves an order to `to`; `(verb, done)` name the command in errors and in the audit trail.
fn transition(
    order: &Order,
    to: OrderStatus,
    (verb, done): (&'static str, &'static str),
    actor: &Actor,
) -> Result<OrderOutcome, LifecycleError> {
    let allowed = matches!(
        (order.status, to),
        (OrderStatus::Pending, OrderStatus::OutForDelivery)
            | (
                OrderStatus::Pending | OrderStatus::OutForDelivery,
                OrderStatus::Cancelled
            )
    );
    if order.status == to {
        return Ok(OrderOutcome {
            effect: Effect::Unchanged,
            order: order.clone(),
            deliveries: vec![],
            audit: vec![],
        });
    }
    if !allowed {
        return Err(LifecycleError::InvalidTransition {
            order_id: order.id.clone(),
            from: order.status,
            action: verb,
        });
    }
    let after = Order {
        status: to,
        ..order.clone()
    };
    let audit = AuditRecord::change(
        Order::KIND,
        &order.id,
        done,
        &actor.id,
        actor.at,
        Some(order),
        Some(&after),
    );
    Ok(OrderOutcome {
        effect: Effect::Changed,
        order: after,
        deliveries: vec![],
        audit: vec![audit],
    })
}

/// PENDING → OUT_FOR_DELIVERY. Repeating it is a no-op.
pub fn dispatch(order: &Order, actor: &Actor) -> Result<OrderOutcome, LifecycleError> {
    transition(
        order,
        OrderStatus::OutForDelivery,
        ("dispatch", "dispatched"),
        actor,
    )
}

/// PENDING or OUT_FOR_DELIVERY → CANCELLED. Repeating it is a no-op.
pub fn cancel(order: &Order, actor: &Actor) -> Result<OrderOutcome, LifecycleError> {
    transition(
        order,
        OrderStatus::Cancelled,
        ("cancel", "cancelled"),
        actor,
    )
}

fn check_quantities(order: &Order, delivered: &[Decimal]) -> Result<(), LifecycleError> {
    let mut problems = Problems::new();
    if delivered.len() != order.items.len() {
        problems.push(
            "delivered",
            crate::validation::Rule::Inconsistent,
            delivered.len().to_string(),
            format!(
                "one delivered quantity per item: the order has {} items",
                order.items.len()
            ),
        );
    }
    for (i, (item, q)) in order.items.iter().zip(delivered).enumerate() {
        problems.delivered_quantity(&format!("delivered[{i}]"), *q, Some(item.quantity));
    }
    problems.finish(()).map_err(LifecycleError::from)
}

fn with_delivered(order: &Order, delivered: &[Decimal]) -> Order {
    let items = order
        .items
        .iter()
        .zip(delivered)
        .map(|(item, q)| crate::record::OrderItem {
            delivered_quantity: Some(*q),
            ..item.clone()
        })
        .collect();
    Order {
        items,
        ..order.clone()
    }
}

fn recorded(order: &Order) -> Vec<Decimal> {
    order
        .items
        .iter()
        .map(|i| i.delivered_quantity.unwrap_or(Decimal::ZERO))
        .collect()
}

fn show_quantities(q: &[Decimal]) -> String {
    let parts: Vec<String> = q.iter().map(|d| d.normalize().to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// The delivery records that trace an order's confirmation, one per item.
fn trace(order: &Order, actor: &Actor, reason: Option<&str>) -> Vec<DeliveryRecord> {
    order
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let delivered = item.delivered_quantity.unwrap_or(Decimal::ZERO);
            DeliveryRecord {
                id: order_delivery_id(&order.id, i),
                customer_id: order.customer_id.clone(),
                date: order.delivery_date,
                source: DeliverySource::Order(order.id.clone()),
                product_id: item.product_id.clone(),
                ordered_quantity: item.quantity,
                delivered_quantity: delivered,
                status: DeliveryStatus::from_quantities(delivered, item.quantity),
                reason: reason.map(str::to_owned),
                delivery_boy_id: None,
                confirmed_at: Some(actor.at),
            }
        })
        .collect()
}

/// Confirms the delivery of an OUT_FOR_DELIVERY order with the quantity delivered of each item.
///
/// Everything delivered → DELIVERED; some → PARTIALLY_DELIVERED; nothing → the order stays
/// open (`Effect::DeliveryFailed`, audited with `reason`). Confirming again with the same
/// quantities changes nothing; with other quantities it is an error (see [`correct_delivery`]).
///
/// ```
/// # use earlybird::record::{Order, OrderStatus, Record};
/// # use earlybird::lifecycle::{Actor, Effect, confirm_delivery};
/// # use rust_decimal::Decimal;
/// let order = Order::from_json(r#"{"id": "ORD_1", "customer_id": "CUST_001",
///     "items": [{"product_id": "MILK", "quantity": 2, "unit_price": "30"}],
///     "delivery_date": "2026-01-15", "status": "OUT_FOR_DELIVERY"}"#).unwrap();
/// let actor = Actor::new("DB_7", "2026-01-15T01:10:00Z".parse().unwrap());
/// let done = confirm_delivery(&order, &[Decimal::ONE], None, &actor).unwrap();
/// assert_eq!(done.order.status, OrderStatus::PartiallyDelivered);
/// let again = confirm_delivery(&done.order, &[Decimal::ONE], None, &actor).unwrap();
/// assert_eq!(again.effect, Effect::Unchanged);
/// ```
pub fn confirm_delivery(
    order: &Order,
    delivered: &[Decimal],
    reason: Option<&str>,
    actor: &Actor,
) -> Result<OrderOutcome, LifecycleError> {
    match order.status {
        OrderStatus::Cancelled => {
            return Err(LifecycleError::OrderCancelled {
                order_id: order.id.clone(),
            });
        }
        OrderStatus::Pending => {
            return Err(LifecycleError::InvalidTransition {
                order_id: order.id.clone(),
                from: order.status,
                action: "confirm delivery of",
            });
        }
        OrderStatus::Delivered | OrderStatus::PartiallyDelivered => {
            check_quantities(order, delivered)?;
            let before = recorded(order);
            if before.as_slice() == delivered {
                return Ok(OrderOutcome {
                    effect: Effect::Unchanged,
                    order: order.clone(),
                    deliveries: vec![],
                    audit: vec![],
                });
            }
            return Err(LifecycleError::ConflictingConfirmation {
                entity: Order::KIND,
                id: order.id.clone(),
                recorded: show_quantities(&before),
                requested: show_quantities(delivered),
            });
        }
        OrderStatus::OutForDelivery => {}
    }
    check_quantities(order, delivered)?;
    let attempted = with_delivered(order, delivered);
    let Some(status) = Order::status_from_quantities(&attempted.items) else {
        let audit = AuditRecord::change(
            Order::KIND,
            &order.id,
            "delivery_failed",
            &actor.id,
            actor.at,
            Some(order),
            Some(&attempted),
        )
        .because(reason);
        return Ok(OrderOutcome {
            effect: Effect::DeliveryFailed,
            order: order.clone(),
            deliveries: vec![],
            audit: vec![audit],
        });
    };
    let after = Order {
        status,
        ..attempted
    };
    let deliveries = trace(&after, actor, reason);
    let audit = AuditRecord::change(
        Order::KIND,
        &order.id,
        "delivery_confirmed",
        &actor.id,
        actor.at,
        Some(order),
        Some(&after),
    );
    Ok(OrderOutcome {
        effect: Effect::Changed,
        order: after,
        deliveries,
        audit: vec![audit],
    })
}

/// Changes the confirmed quantities of a DELIVERED or PARTIALLY_DELIVERED order, recording
/// the before and after values and the reason in the audit trail.
pub fn correct_delivery(
    order: &Order,
    delivered: &[Decimal],
    reason: &str,
    actor: &Actor,
) -> Result<OrderOutcome, LifecycleError> {
    if !order.status.is_confirmed() {
        return Err(LifecycleError::NotConfirmed {
            entity: Order::KIND,
            id: order.id.clone(),
        });
    }
    check_quantities(order, delivered)?;
    if recorded(order).as_slice() == delivered {
        return Err(LifecycleError::NothingToCorrect {
            entity: Order::KIND,
            id: order.id.clone(),
        });
    }
    let corrected = with_delivered(order, delivered);
    let status = Order::status_from_quantities(&corrected.items).ok_or_else(|| {
        LifecycleError::CorrectionToNothing {
            order_id: order.id.clone(),
        }
    })?;
    let after = Order {
        status,
        ..corrected
    };
    let deliveries = trace(&after, actor, Some(reason));
    let audit = AuditRecord::change(
        Order::KIND,
        &order.id,
        "delivery_corrected",
        &actor.id,
        actor.at,
        Some(order),
        Some(&after),
    )
    .because(Some(reason));
    Ok(OrderOutcome {
        effect: Effect::Changed,
        order: after,
        deliveries,
        audit: vec![audit],
    })
}

/// The result of recording a subscription delivery: the record to store and its audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryOutcome {
    pub effect: Effect,
    pub delivery: DeliveryRecord,
    pub audit: Vec<AuditRecord>,
}

/// Records the outcome of one subscription delivery (`existing` is what is stored under the
/// same id, if anything). The same record again is a no-op; a different one is an error.
pub fn record_delivery(
    existing: Option<&DeliveryRecord>,
    delivery: DeliveryRecord,
    actor: &Actor,
) -> Result<DeliveryOutcome, LifecycleError> {
    delivery.validate()?;
    if let Some(order_id) = delivery.order_id() {
        let mut problems = Problems::new();
        problems.push(
            "order_id",
            crate::validation::Rule::Inconsistent,
            order_id,
            "a one-time order's delivery is confirmed through its order (confirm_delivery)",
        );
        problems.finish(())?;
    }
    if let Some(existing) = existing {
        if same_outcome(existing, &delivery) {
            return Ok(DeliveryOutcome {
                effect: Effect::Unchanged,
                delivery: existing.clone(),
                audit: vec![],
            });
        }
        return Err(LifecycleError::ConflictingConfirmation {
            entity: DeliveryRecord::KIND,
            id: delivery.id.clone(),
            recorded: describe(existing),
            requested: describe(&delivery),
        });
    }
    let delivery = DeliveryRecord {
        confirmed_at: delivery.confirmed_at.or(Some(actor.at)),
        ..delivery
    };
    let audit = AuditRecord::change(
        DeliveryRecord::KIND,
        &delivery.id,
        "delivery_recorded",
        &actor.id,
        actor.at,
        None,
        Some(&delivery),
    );
    Ok(DeliveryOutcome {
        effect: Effect::Changed,
        delivery,
        audit: vec![audit],
    })
}

/// Replaces a recorded subscription delivery, auditing before, after and the reason.
pub fn correct_recorded_delivery(
    existing: &DeliveryRecord,
    corrected: DeliveryRecord,
    reason: &str,
    actor: &Actor,
) -> Result<DeliveryOutcome, LifecycleError> {
    corrected.validate()?;
    if same_outcome(existing, &corrected) {
        return Err(LifecycleError::NothingToCorrect {
            entity: DeliveryRecord::KIND,
            id: existing.id.clone(),
        });
    }
    let corrected = DeliveryRecord {
        reason: Some(reason.to_owned()),
        confirmed_at: Some(actor.at),
        ..corrected
    };
    let audit = AuditRecord::change(
        DeliveryRecord::KIND,
        &existing.id,
        "delivery_corrected",
        &actor.id,
        actor.at,
        Some(existing),
        Some(&corrected),
    )
    .because(Some(reason));
    Ok(DeliveryOutcome {
        effect: Effect::Changed,
        delivery: corrected,
        audit: vec![audit],
    })
}

/// Two records of the same delivery say the same thing (ignoring when and why it was typed).
fn same_outcome(a: &DeliveryRecord, b: &DeliveryRecord) -> bool {
    a.id == b.id
        && a.customer_id == b.customer_id
        && a.date == b.date
        && a.source == b.source
        && a.product_id == b.product_id
        && a.ordered_quantity == b.ordered_quantity
        && a.delivered_quantity == b.delivered_quantity
        && a.status == b.status
}

fn describe(d: &DeliveryRecord) -> String {
    format!(
        "{} of {} ({})",
        d.delivered_quantity.normalize(),
        d.ordered_quantity.normalize(),
        d.status
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::OrderItem;
    use proptest::prelude::*;

    fn at(minute: u32) -> Actor {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
            .unwrap()
            .and_hms_opt(0, minute % 60, 0)
            .unwrap()
            .and_utc();
        Actor::new("DB_7", t)
    }

    fn order(quantities: &[i64]) -> Order {
        Order {
            id: "ORD_1".into(),
            customer_id: "CUST_001".into(),
            items: quantities
                .iter()
                .enumerate()
                .map(|(i, q)| OrderItem {
                    product_id: format!("P{i}"),
                    quantity: Decimal::from(*q),
                    unit_price: Decimal::new(2850, 2),
                    delivered_quantity: None,
                })
                .collect(),
            delivery_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
            status: OrderStatus::Pending,
            created_at: None,
        }
    }

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn full_delivery_is_delivered_and_traced_and_audited() {
        let out = dispatch(&order(&[2, 1]), &at(1)).unwrap();
        assert_eq!(out.order.status, OrderStatus::OutForDelivery);
        let done = confirm_delivery(&out.order, &[d(2), d(1)], None, &at(2)).unwrap();
        assert_eq!(done.effect, Effect::Changed);
        assert_eq!(done.order.status, OrderStatus::Delivered);
        assert_eq!(done.deliveries.len(), 2);
        assert_eq!(done.deliveries[1].id, "ORD_1#1");
        assert_eq!(done.deliveries[1].order_id(), Some("ORD_1"));
        let audit = &done.audit[0];
        assert_eq!(
            (audit.entity.as_str(), audit.action.as_str()),
            ("order", "delivery_confirmed")
        );
        assert_eq!(audit.before.as_ref().unwrap()["status"], "OUT_FOR_DELIVERY");
        assert_eq!(audit.after.as_ref().unwrap()["status"], "DELIVERED");
    }

    #[test]
    fn partial_delivery_and_failed_delivery() {
        let out = dispatch(&order(&[2, 1]), &at(1)).unwrap().order;
        let partial = confirm_delivery(&out, &[d(1), d(0)], None, &at(2)).unwrap();
        assert_eq!(partial.order.status, OrderStatus::PartiallyDelivered);
        assert_eq!(partial.deliveries[1].status, DeliveryStatus::NotDelivered);
        let failed = confirm_delivery(&out, &[d(0), d(0)], Some("door locked"), &at(2)).unwrap();
        assert_eq!(failed.effect, Effect::DeliveryFailed);
        assert_eq!(failed.order, out, "a failed delivery leaves the order open");
        assert!(failed.deliveries.is_empty());
        assert_eq!(failed.audit[0].action, "delivery_failed");
        assert!(
            cancel(&failed.order, &at(3)).is_ok(),
            "and it can still be cancelled"
        );
    }

    #[test]
    fn confirming_a_cancelled_order_is_an_error() {
        let cancelled = cancel(&order(&[1]), &at(1)).unwrap().order;
        let err = confirm_delivery(&cancelled, &[d(1)], None, &at(2)).unwrap_err();
        assert_eq!(err.code(), "LIFECYCLE_ORDER_CANCELLED");
    }

    #[test]
    fn confirming_again_is_idempotent_and_a_conflict_needs_a_correction() {
        let out = dispatch(&order(&[2]), &at(1)).unwrap().order;
        let done = confirm_delivery(&out, &[d(2)], None, &at(2)).unwrap().order;
        let again = confirm_delivery(&done, &[d(2)], None, &at(9)).unwrap();
        assert_eq!(
            (again.effect, again.audit.len(), again.deliveries.len()),
            (Effect::Unchanged, 0, 0)
        );
        let err = confirm_delivery(&done, &[d(1)], None, &at(9)).unwrap_err();
        assert_eq!(err.code(), "LIFECYCLE_CONFLICTING_CONFIRMATION");
        assert!(
            err.to_string().contains("[2]") && err.to_string().contains("[1]"),
            "{err}"
        );
        let fixed = correct_delivery(&done, &[d(1)], "one packet leaked", &at(10)).unwrap();
        assert_eq!(fixed.order.status, OrderStatus::PartiallyDelivered);
        let audit = &fixed.audit[0];
        assert_eq!(audit.action, "delivery_corrected");
        assert_eq!(
            audit.before.as_ref().unwrap()["items"][0]["delivered_quantity"],
            "2"
        );
        assert_eq!(
            audit.after.as_ref().unwrap()["items"][0]["delivered_quantity"],
            "1"
        );
        assert_eq!(audit.reason.as_deref(), Some("one packet leaked"));
        assert_eq!(fixed.deliveries[0].delivered_quantity, d(1));
        let to_nothing = correct_delivery(&done, &[d(0)], "x", &at(10)).unwrap_err();
        assert_eq!(to_nothing.code(), "LIFECYCLE_CORRECTION_TO_NOTHING");
    }

    #[test]
    fn transitions_outside_the_rules_are_refused() {
        let delivered = {
            let out = dispatch(&order(&[1]), &at(1)).unwrap().order;
            confirm_delivery(&out, &[d(1)], None, &at(2)).unwrap().order
        };
        assert_eq!(
            cancel(&delivered, &at(3)).unwrap_err().code(),
            "LIFECYCLE_INVALID_TRANSITION"
        );
        assert_eq!(
            dispatch(&delivered, &at(3)).unwrap_err().code(),
            "LIFECYCLE_INVALID_TRANSITION"
        );
        let pending = order(&[1]);
        assert_eq!(
            confirm_delivery(&pending, &[d(1)], None, &at(3))
                .unwrap_err()
                .code(),
            "LIFECYCLE_INVALID_TRANSITION"
        );
        let out = dispatch(&pending, &at(1)).unwrap().order;
        let err = confirm_delivery(&out, &[d(2)], None, &at(3)).unwrap_err();
        assert_eq!(err.code(), "VALIDATION_FAILED");
        let err = confirm_delivery(&out, &[d(1), d(1)], None, &at(3)).unwrap_err();
        assert_eq!(err.code(), "VALIDATION_FAILED");
    }

    fn subscription_delivery(delivered: i64) -> DeliveryRecord {
        DeliveryRecord {
            id: "SUB_1@2026-01-15".into(),
            customer_id: "CUST_001".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
            source: DeliverySource::Subscription("SUB_1".into()),
            product_id: "MILK".into(),
            ordered_quantity: d(2),
            delivered_quantity: d(delivered),
            status: DeliveryStatus::from_quantities(d(delivered), d(2)),
            reason: None,
            delivery_boy_id: Some("DB_7".into()),
            confirmed_at: None,
        }
    }

    #[test]
    fn subscription_deliveries_are_recorded_once() {
        let first = record_delivery(None, subscription_delivery(2), &at(1)).unwrap();
        assert_eq!(first.effect, Effect::Changed);
        let stored = first.delivery;
        let again = record_delivery(Some(&stored), subscription_delivery(2), &at(5)).unwrap();
        assert_eq!((again.effect, again.audit.len()), (Effect::Unchanged, 0));
        let err = record_delivery(Some(&stored), subscription_delivery(1), &at(5)).unwrap_err();
        assert_eq!(err.code(), "LIFECYCLE_CONFLICTING_CONFIRMATION");
        let fixed =
            correct_recorded_delivery(&stored, subscription_delivery(1), "short", &at(6)).unwrap();
        assert_eq!(fixed.delivery.status, DeliveryStatus::PartiallyDelivered);
        assert_eq!(
            fixed.audit[0].before.as_ref().unwrap()["delivered_quantity"],
            "2"
        );
        let mut order_delivery = subscription_delivery(2);
        order_delivery.source = DeliverySource::Order("ORD_1".into());
        assert_eq!(
            record_delivery(None, order_delivery, &at(1))
                .unwrap_err()
                .code(),
            "VALIDATION_FAILED"
        );
    }

    #[derive(Debug, Clone)]
    enum Command {
        Dispatch,
        Cancel,
        Confirm(Vec<i64>),
        Correct(Vec<i64>),
    }

    fn command(items: usize) -> impl Strategy<Value = Command> {
        let quantities = prop::collection::vec(0i64..4, items..=items);
        prop_oneof![
            Just(Command::Dispatch),
            Just(Command::Cancel),
            quantities.clone().prop_map(Command::Confirm),
            quantities.prop_map(Command::Correct),
        ]
    }

    fn allowed(from: OrderStatus, to: OrderStatus) -> bool {
        use OrderStatus::*;
        from == to
            || matches!(
                (from, to),
                (Pending, OutForDelivery)
                    | (Pending | OutForDelivery, Cancelled)
                    | (OutForDelivery, Delivered | PartiallyDelivered)
                    | (
                        Delivered | PartiallyDelivered,
                        Delivered | PartiallyDelivered
                    )
            )
    }

    proptest! {
        #[test]
        fn no_command_sequence_leaves_the_rules(
            (sizes, commands) in prop::collection::vec(1i64..4, 1..4)
                .prop_flat_map(|sizes| {
                    let n = sizes.len();
                    (Just(sizes), prop::collection::vec(command(n), 0..12))
                })
        ) {
            let mut current = order(&sizes);
            for (i, cmd) in commands.iter().enumerate() {
                let actor = at(i as u32);
                let q = |v: &Vec<i64>| v.iter().map(|x| d(*x)).collect::<Vec<_>>();
                let result = match cmd {
                    Command::Dispatch => dispatch(&current, &actor),
                    Command::Cancel => cancel(&current, &actor),
                    Command::Confirm(v) => confirm_delivery(&current, &q(v), None, &actor),
                    Command::Correct(v) => correct_delivery(&current, &q(v), "fix", &actor),
                };
                if let Ok(out) = result {
                    prop_assert!(allowed(current.status, out.order.status), "{:?} -> {:?}", current.status, out.order.status);
                    prop_assert_eq!(out.order.validate(), Ok(()));
                    prop_assert_eq!(out.effect == Effect::Changed, !out.audit.is_empty() && out.order != current);
                    if out.order.status.is_confirmed() && out.effect == Effect::Changed {
                        prop_assert_eq!(out.deliveries.len(), out.order.items.len());
                    }
                    current = out.order;
                }
            }
        }

        #[test]
        fn confirming_twice_with_the_same_data_changes_nothing(
            quantities in prop::collection::vec((1i64..4, 0i64..4), 1..4)
        ) {
            let sizes: Vec<i64> = quantities.iter().map(|(q, _)| *q).collect();
            let delivered: Vec<Decimal> = quantities.iter().map(|(q, x)| d(*x.min(q))).collect();
            let out = dispatch(&order(&sizes), &at(1)).unwrap().order;
            let first = confirm_delivery(&out, &delivered, None, &at(2)).unwrap();
            let second = confirm_delivery(&first.order, &delivered, None, &at(3)).unwrap();
            if first.effect == Effect::Changed {
                prop_assert_eq!(second.effect, Effect::Unchanged);
                prop_assert_eq!(&second.order, &first.order);
                prop_assert!(second.audit.is_empty() && second.deliveries.is_empty());
            } else {
                prop_assert_eq!(first.effect, Effect::DeliveryFailed);
                prop_assert_eq!(&second.order, &out);
            }
        }
    }
}

//! Backfill: the events of a customer who existed before the engine, derived from the orders,
//! delivery records and subscriptions the business already has.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::config::ActivationConfig;
use super::customer::{CustomerActivation, CustomerHistory};
use super::error::ActivationError;
use super::event::{ActivationEvent, EventKind};
use crate::record::{Customer, DeliveryRecord, DeliverySource, Order, Record, Subscription};
use crate::validation::{Problems, Rule};

/// The records of one customer.
#[derive(Debug, Clone, Copy)]
pub struct CustomerRecords<'a> {
    pub customer: &'a Customer,
    pub orders: &'a [Order],
    pub deliveries: &'a [DeliveryRecord],
    pub subscriptions: &'a [Subscription],
}

/// Derives the events: `signed_up` at 00:00 of the signup date (moved earlier when the
/// records show activity before it), `order_placed` at `created_at` (else 00:00 of the
/// delivery date), `subscription_started` at 00:00 of the start date, and one
/// `delivery_completed` per delivered order and per delivered subscription record, at its
/// `confirmed_at` when that is on the delivery date, else at 00:00 of the delivery date.
/// Sequences follow the derived order.
pub fn backfill_events(
    records: CustomerRecords<'_>,
    config: &ActivationConfig,
) -> Result<Vec<ActivationEvent>, ActivationError> {
    let customer_id = records.customer.id.as_str();
    check_owner(records, &mut Problems::new())?;
    let zone = config.zone;
    let day_start = |date: NaiveDate| zone.start_of(date);
    let delivered_at = |date: NaiveDate, confirmed: Option<DateTime<Utc>>| {
        confirmed
            .filter(|c| zone.date_of(*c) == date)
            .unwrap_or_else(|| day_start(date))
    };
    // (instant, kind, order, subscription, source record) → sorted, then numbered.
    type Derived = (
        DateTime<Utc>,
        EventKind,
        Option<String>,
        Option<String>,
        String,
    );
    let mut derived: Vec<Derived> = Vec::new();
    for s in records.subscriptions {
        derived.push((
            day_start(s.start_date),
            EventKind::SubscriptionStarted,
            None,
            Some(s.id.clone()),
            s.id.clone(),
        ));
    }
    let mut order_deliveries: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    for d in records.deliveries.iter().filter(|d| d.status.is_billable()) {
        let at = delivered_at(d.date, d.confirmed_at);
        match &d.source {
            DeliverySource::Order(order_id) => {
                let earliest = order_deliveries.entry(order_id).or_insert(at);
                *earliest = (*earliest).min(at);
            }
            DeliverySource::Subscription(subscription_id) => derived.push((
                at,
                EventKind::DeliveryCompleted,
                None,
                Some(subscription_id.clone()),
                d.id.clone(),
            )),
        }
    }
    for o in records.orders {
        let placed = o.created_at.unwrap_or_else(|| day_start(o.delivery_date));
        derived.push((
            placed,
            EventKind::OrderPlaced,
            Some(o.id.clone()),
            None,
            o.id.clone(),
        ));
        if o.status.is_confirmed() && !order_deliveries.contains_key(o.id.as_str()) {
            order_deliveries.insert(&o.id, delivered_at(o.delivery_date, None));
        }
    }
    for (order_id, at) in order_deliveries {
        derived.push((
            at,
            EventKind::DeliveryCompleted,
            Some(order_id.to_owned()),
            None,
            order_id.to_owned(),
        ));
    }
    derived.sort();
    let signup_date = day_start(records.customer.signup_date);
    let signed_up_at = derived
        .first()
        .map_or(signup_date, |first| signup_date.min(first.0));
    let mut events = Vec::with_capacity(derived.len() + 1);
    events.push(ActivationEvent {
        customer_id: customer_id.to_owned(),
        kind: EventKind::SignedUp,
        at: signed_up_at,
        sequence: 0,
        order_id: None,
        subscription_id: None,
    });
    for (i, (at, kind, order_id, subscription_id, _)) in derived.into_iter().enumerate() {
        events.push(ActivationEvent {
            customer_id: customer_id.to_owned(),
            kind,
            at,
            sequence: i as u64 + 1,
            order_id,
            subscription_id,
        });
    }
    Ok(events)
}

/// Derives the events and folds them up to the sweep at `now`.
pub fn backfill(
    records: CustomerRecords<'_>,
    now: DateTime<Utc>,
    config: ActivationConfig,
) -> Result<CustomerActivation, ActivationError> {
    let events = backfill_events(records, &config)?;
    CustomerActivation::replay(
        CustomerHistory {
            customer_id: records.customer.id.clone(),
            events,
            subscriptions: records.subscriptions.to_vec(),
        },
        now,
        config,
    )
}

/// Every record must be valid and the customer's own.
fn check_owner(
    records: CustomerRecords<'_>,
    problems: &mut Problems,
) -> Result<(), ActivationError> {
    let owner = records.customer.id.as_str();
    let mut check = |path: String,
                     customer_id: &str,
                     checked: Result<(), crate::validation::ValidationError>| {
        if let Err(e) = checked {
            for p in e.problems {
                problems.push(format!("{path}.{}", p.field), p.rule, p.value, p.message);
            }
        }
        if customer_id != owner {
            problems.push(
                format!("{path}.customer_id"),
                Rule::Inconsistent,
                customer_id,
                format!("the records are customer {owner}'s"),
            );
        }
    };
    check("customer".into(), owner, records.customer.validate());
    for (i, o) in records.orders.iter().enumerate() {
        check(format!("orders[{i}]"), &o.customer_id, o.validate());
    }
    for (i, d) in records.deliveries.iter().enumerate() {
        check(format!("deliveries[{i}]"), &d.customer_id, d.validate());
    }
    for (i, s) in records.subscriptions.iter().enumerate() {
        check(format!("subscriptions[{i}]"), &s.customer_id, s.validate());
    }
    std::mem::take(problems).finish(()).map_err(Into::into)
}

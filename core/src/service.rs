//! The business operations a backend calls, over any [`Store`].
//!
//! Each operation reads what it needs, runs the pure rules, and writes the change, its audit
//! records and its notification intents as one [`ChangeSet`]. Operations guarded by a status
//! are retried when another app server changed the record in between: the retry re-reads
//! and re-decides, so a repeated confirmation ends as the no-op it is, and a conflicting one
//! as the error it is.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::audit::AuditRecord;
use crate::error::{Error, Result};
use crate::lifecycle::{self, Actor, Effect, LifecycleError, OrderOutcome};
use crate::notification::NotificationIntent;
use crate::record::{Customer, Order, OrderStatus, Payment, Record};
use crate::store::{ChangeSet, Expectation, RecordKind, Store, StoreError, Write};
use crate::validation::{Problems, Rule};

/// How often an operation re-reads and retries after a concurrent change.
const ATTEMPTS: usize = 5;

/// The business operations over one store.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
}

fn intent(
    template: &str,
    customer_id: &str,
    actor: &Actor,
    variables: &[(&str, String)],
) -> NotificationIntent {
    NotificationIntent {
        template: template.to_owned(),
        customer_id: customer_id.to_owned(),
        variables: variables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        at: actor.at,
    }
}

fn created<T: Record + serde::Serialize>(record: &T, action: &str, actor: &Actor) -> AuditRecord {
    AuditRecord::change(
        T::KIND,
        record.id(),
        action,
        &actor.id,
        actor.at,
        None,
        Some(record),
    )
}

/// What an operation did, with the record as it now stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Done<T> {
    pub effect: Effect,
    pub record: T,
}

impl<S: Store> Service<S> {
    /// The operations over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store underneath, for reads.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Registers a new customer (`welcome` intent). Registering the same customer again is
    /// a no-op; another customer under the same id is a conflict.
    pub async fn register_customer(
        &self,
        customer: Customer,
        actor: &Actor,
    ) -> Result<Done<Customer>> {
        customer.validate()?;
        if let Some(existing) = self.store.customer(&customer.id).await? {
            return same_again(existing, &customer);
        }
        let welcome = intent(
            "welcome",
            &customer.id,
            actor,
            &[("name", customer.name.clone())],
        );
        let changes = ChangeSet::new()
            .expect(Expectation::Absent {
                kind: RecordKind::Customer,
                id: customer.id.clone(),
            })
            .audit([created(&customer, "registered", actor)])
            .notify([welcome])
            .write(Write::Customer(customer.clone()));
        self.store.apply(changes).await?;
        Ok(Done {
            effect: Effect::Changed,
            record: customer,
        })
    }

    /// Places a new one-time order (PENDING) for a known customer (`order_confirmation`).
    pub async fn place_order(&self, order: Order, actor: &Actor) -> Result<Done<Order>> {
        order.validate()?;
        if order.status != OrderStatus::Pending {
            let mut problems = Problems::new();
            problems.push(
                "status",
                Rule::Inconsistent,
                order.status.as_str(),
                "a new order is PENDING",
            );
            problems.finish(())?;
        }
        if let Some(existing) = self.store.order(&order.id).await? {
            return same_again(existing, &order);
        }
        if self.store.customer(&order.customer_id).await?.is_none() {
            return Err(Error::NotFound {
                kind: Customer::KIND,
                id: order.customer_id.clone(),
            });
        }
        let confirmation = intent(
            "order_confirmation",
            &order.customer_id,
            actor,
            &[
                ("order_id", order.id.clone()),
                ("delivery_date", order.delivery_date.to_string()),
            ],
        );
        let changes = ChangeSet::new()
            .expect(Expectation::Absent {
                kind: RecordKind::Order,
                id: order.id.clone(),
            })
            .audit([created(&order, "placed", actor)])
            .notify([confirmation])
            .write(Write::Order(order.clone()));
        self.store.apply(changes).await?;
        Ok(Done {
            effect: Effect::Changed,
            record: order,
        })
    }

    /// PENDING → OUT_FOR_DELIVERY.
    pub async fn dispatch_order(&self, order_id: &str, actor: &Actor) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::dispatch(order, actor),
            |_| None,
        )
        .await
    }

    /// PENDING or OUT_FOR_DELIVERY → CANCELLED.
    pub async fn cancel_order(&self, order_id: &str, actor: &Actor) -> Result<OrderOutcome> {
        self.order_command(order_id, |order| lifecycle::cancel(order, actor), |_| None)
            .await
    }

    /// Confirms what was delivered of each item (`delivery_confirmed` when something was).
    pub async fn confirm_delivery(
        &self,
        order_id: &str,
        delivered: &[Decimal],
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::confirm_delivery(order, delivered, reason, actor),
            |order: &Order| {
                order.status.is_confirmed().then(|| {
                    intent(
                        "delivery_confirmed",
                        &order.customer_id,
                        actor,
                        &[
                            ("delivery_date", order.delivery_date.to_string()),
                            ("order_id", order.id.clone()),
                        ],
                    )
                })
            },
        )
        .await
    }

    /// Corrects the delivered quantities of a confirmed order, with the reason.
    pub async fn correct_delivery(
        &self,
        order_id: &str,
        delivered: &[Decimal],
        reason: &str,
        actor: &Actor,
    ) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::correct_delivery(order, delivered, reason, actor),
            |_| None,
        )
        .await
    }

    /// Records a payment received (`payment_confirmation`). The same payment again is a no-op.
    pub async fn record_payment(&self, payment: Payment, actor: &Actor) -> Result<Done<Payment>> {
        payment.validate()?;
        if let Some(existing) = self.store.payment(&payment.id).await? {
            return same_again(existing, &payment);
        }
        if self.store.customer(&payment.customer_id).await?.is_none() {
            return Err(Error::NotFound {
                kind: Customer::KIND,
                id: payment.customer_id.clone(),
            });
        }
        let receipt = intent(
            "payment_confirmation",
            &payment.customer_id,
            actor,
            &[
                ("amount", payment.amount.to_string()),
                ("payment_id", payment.id.clone()),
            ],
        );
        let changes = ChangeSet::new()
            .expect(Expectation::Absent {
                kind: RecordKind::Payment,
                id: payment.id.clone(),
            })
            .audit([created(&payment, "received", actor)])
            .notify([receipt])
            .write(Write::Payment(payment.clone()));
        self.store.apply(changes).await?;
        Ok(Done {
            effect: Effect::Changed,
            record: payment,
        })
    }

    /// Reads the order, applies `command`, and stores the outcome guarded by the status it
    /// was read with; on a concurrent change, reads again and decides again.
    async fn order_command(
        &self,
        order_id: &str,
        command: impl Fn(&Order) -> std::result::Result<OrderOutcome, LifecycleError>,
        notify: impl Fn(&Order) -> Option<NotificationIntent>,
    ) -> Result<OrderOutcome> {
        for _ in 0..ATTEMPTS {
            let order = self
                .store
                .order(order_id)
                .await?
                .ok_or_else(|| Error::NotFound {
                    kind: Order::KIND,
                    id: order_id.to_owned(),
                })?;
            let outcome = command(&order)?;
            if outcome.effect == Effect::Unchanged {
                return Ok(outcome);
            }
            let mut changes = ChangeSet::new()
                .expect(Expectation::OrderStatus {
                    order_id: order.id.clone(),
                    status: order.status,
                })
                .audit(outcome.audit.clone())
                .notify(notify(&outcome.order).filter(|_| outcome.effect == Effect::Changed));
            if outcome.effect == Effect::Changed {
                changes = changes.write(Write::Order(outcome.order.clone()));
            }
            let changes = outcome
                .deliveries
                .iter()
                .cloned()
                .fold(changes, |c, d| c.write(Write::Delivery(d)));
            match self.store.apply(changes).await {
                Ok(_) => return Ok(outcome),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(format!(
            "order {order_id} kept changing under {ATTEMPTS} attempts"
        ))
        .into())
    }
}

/// The same record sent again is a no-op; a different one under the same id is a conflict.
fn same_again<T: Record + PartialEq>(existing: T, sent: &T) -> Result<Done<T>> {
    if existing == *sent {
        Ok(Done {
            effect: Effect::Unchanged,
            record: existing,
        })
    } else {
        Err(
            StoreError::Conflict(format!("{} {} exists with other data", T::KIND, sent.id()))
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use chrono::Duration;

    fn actor(minute: i64) -> Actor {
        Actor::new(
            "DB_7",
            "2026-01-15T00:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                + Duration::minutes(minute),
        )
    }

    fn customer() -> Customer {
        Customer::from_json(
            r#"{"id": "C1", "name": "Asha", "phone": "9845012345", "signup_date": "2026-01-02"}"#,
        )
        .unwrap()
    }

    fn order() -> Order {
        Order::from_json(
            r#"{"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-15", "status": "PENDING",
                "items": [{"product_id": "P1", "quantity": 2, "unit_price": "28.50"}]}"#,
        )
        .unwrap()
    }

    async fn intents(service: &Service<MemoryStore>) -> Vec<String> {
        let claimed = service
            .store()
            .claim_intents("t", 100, actor(0).at, Duration::minutes(1))
            .await
            .unwrap();
        claimed.into_iter().map(|e| e.intent.template).collect()
    }

    #[tokio::test]
    async fn an_order_from_registration_to_delivery() {
        let service = Service::new(MemoryStore::new());
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        assert_eq!(
            service
                .register_customer(customer(), &actor(1))
                .await
                .unwrap()
                .effect,
            Effect::Unchanged
        );
        service.place_order(order(), &actor(2)).await.unwrap();
        service.dispatch_order("O1", &actor(3)).await.unwrap();
        let done = service
            .confirm_delivery("O1", &[Decimal::TWO], None, &actor(4))
            .await
            .unwrap();
        assert_eq!(done.order.status, OrderStatus::Delivered);
        let again = service
            .confirm_delivery("O1", &[Decimal::TWO], None, &actor(5))
            .await
            .unwrap();
        assert_eq!(again.effect, Effect::Unchanged);
        let conflict = service
            .confirm_delivery("O1", &[Decimal::ONE], None, &actor(6))
            .await
            .unwrap_err();
        assert_eq!(conflict.code(), "LIFECYCLE_CONFLICTING_CONFIRMATION");
        assert_eq!(
            intents(&service).await,
            ["welcome", "order_confirmation", "delivery_confirmed"]
        );
        let trail = service.store().audit_trail("order", "O1").await.unwrap();
        let actions: Vec<_> = trail.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["placed", "dispatched", "delivery_confirmed"]);
        assert_eq!(service.store().deliveries_of("C1").await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn unknown_records_and_wrong_input_are_typed_errors() {
        let service = Service::new(MemoryStore::new());
        assert_eq!(
            service
                .place_order(order(), &actor(0))
                .await
                .unwrap_err()
                .code(),
            "NOT_FOUND"
        );
        assert_eq!(
            service
                .dispatch_order("O404", &actor(0))
                .await
                .unwrap_err()
                .code(),
            "NOT_FOUND"
        );
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        let delivered = Order {
            status: OrderStatus::Delivered,
            ..order()
        };
        let err = service.place_order(delivered, &actor(0)).await.unwrap_err();
        assert_eq!(
            (err.code(), err.problems()[0].field.as_str()),
            ("VALIDATION_FAILED", "status")
        );
        let other = Customer {
            name: "Someone else".into(),
            ..customer()
        };
        assert_eq!(
            service
                .register_customer(other, &actor(1))
                .await
                .unwrap_err()
                .code(),
            "STORE_CONFLICT"
        );
    }

    #[tokio::test]
    async fn payments_are_recorded_once() {
        let service = Service::new(MemoryStore::new());
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        let payment = Payment::from_json(
            r#"{"id": "PAY1", "customer_id": "C1", "amount": "560.00", "method": "upi", "date": "2026-02-03"}"#,
        )
        .unwrap();
        assert_eq!(
            service
                .record_payment(payment.clone(), &actor(1))
                .await
                .unwrap()
                .effect,
            Effect::Changed
        );
        assert_eq!(
            service
                .record_payment(payment, &actor(2))
                .await
                .unwrap()
                .effect,
            Effect::Unchanged
        );
        assert_eq!(intents(&service).await, ["welcome", "payment_confirmation"]);
    }
}

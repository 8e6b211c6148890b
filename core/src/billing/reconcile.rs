//! Reconciliation (rule 2.9): every delivered rupee that no finalized bill carries, and the
//! records that contradict each other. This is the Rs 50,000-a-month leak made visible.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::bill::round_paise;
use super::compute::{Billed, Ledger};
use super::{BillStatus, BillingInput, Month, SourceRef};
use crate::record::{DeliverySource, OrderStatus, Product, Subscription};

/// A delivered source (or part of one) that is in no finalized bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct MissingItem {
    pub customer_id: String,
    pub source: SourceRef,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    pub product_id: String,
    /// Delivered but not billed (all of it, or what a correction added).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub quantity: Decimal,
    /// `None` when no price can be found (the amount is then 0 and the item still listed).
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DecimalString>")
    )]
    pub unit_price: Option<Decimal>,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
}

/// Records that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all_fields = "camelCase"))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Inconsistency {
    /// A delivery record names an order that does not exist.
    DeliveryForMissingOrder {
        delivery_id: String,
        order_id: String,
    },
    /// A delivery record says something was delivered for a cancelled order.
    DeliveryForCancelledOrder {
        delivery_id: String,
        order_id: String,
    },
    /// A delivery record says delivered, but its order was never confirmed: its items are
    /// not billable until the order is (the very leak of the old system).
    DeliveryForUnconfirmedOrder {
        delivery_id: String,
        order_id: String,
        status: OrderStatus,
    },
    /// A delivery record names a subscription that does not exist.
    DeliveryForMissingSubscription {
        delivery_id: String,
        subscription_id: String,
    },
    /// A source billed for the first time in more than one finalized bill.
    BilledTwice {
        source: SourceRef,
        bills: Vec<String>,
    },
    /// Finalized bills charged more than is delivered now, and no correction followed yet.
    BilledMoreThanDelivered {
        source: SourceRef,
        #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
        billed: Decimal,
        #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
        delivered: Decimal,
    },
    /// A bill whose lines do not add up to its totals.
    LinesDoNotAddUp {
        customer_id: String,
        month: Month,
        number: Option<String>,
        problems: Vec<String>,
    },
}

/// What reconciliation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ReconciliationReport {
    /// Sources dated up to the end of this month were checked.
    pub through: Month,
    /// By customer, date, source.
    pub missing: Vec<MissingItem>,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub total_missing: Decimal,
    pub inconsistencies: Vec<Inconsistency>,
}

/// Lists every delivered order item and subscription delivery dated up to the end of
/// `through` that no finalized bill carries in full, with the amount missing, and every
/// inconsistency between records and bills.
pub fn reconcile(input: &BillingInput, through: Month) -> ReconciliationReport {
    let last = through.last_day();
    let finalized = input
        .bills
        .iter()
        .filter(|b| b.status == BillStatus::Finalized);
    let ledger = Ledger::of_bills(finalized.clone());
    let products: FxHashMap<&str, &Product> =
        input.products.iter().map(|p| (p.id.as_str(), p)).collect();
    let subscriptions: FxHashMap<&str, &Subscription> = input
        .subscriptions
        .iter()
        .map(|s| (s.id.as_str(), s))
        .collect();
    let orders: FxHashMap<&str, &crate::record::Order> =
        input.orders.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut missing = Vec::new();
    let mut inconsistencies = Vec::new();
    let mut over_billed = Vec::new();
    let mut compare = |source: SourceRef,
                       customer_id: &str,
                       date: NaiveDate,
                       product_id: &str,
                       delivered: Decimal,
                       billed: Option<&Billed<'_>>,
                       price: Option<Decimal>| {
        let billed_quantity = billed.map_or(Decimal::ZERO, |b| b.quantity);
        let gap = delivered - billed_quantity;
        if gap > Decimal::ZERO {
            let unit_price = billed.map(|b| b.unit_price).or(price);
            missing.push(MissingItem {
                customer_id: customer_id.to_owned(),
                source,
                date,
                product_id: product_id.to_owned(),
                quantity: gap.normalize(),
                unit_price,
                amount: unit_price.map_or(Decimal::ZERO, |p| round_paise(gap * p)),
            });
        } else if gap < Decimal::ZERO {
            over_billed.push(Inconsistency::BilledMoreThanDelivered {
                source,
                billed: billed_quantity,
                delivered,
            });
        }
    };
    for d in &input.deliveries {
        match &d.source {
            DeliverySource::Subscription(subscription_id) => {
                let subscription = subscriptions.get(subscription_id.as_str());
                if subscription.is_none() {
                    inconsistencies.push(Inconsistency::DeliveryForMissingSubscription {
                        delivery_id: d.id.clone(),
                        subscription_id: subscription_id.clone(),
                    });
                }
                if d.date > last {
                    continue;
                }
                let delivered = if d.status.is_billable() {
                    d.delivered_quantity
                } else {
                    Decimal::ZERO
                };
                let price = subscription.and_then(|s| s.price_override).or_else(|| {
                    products
                        .get(d.product_id.as_str())
                        .and_then(|p| p.price_on(d.date))
                });
                compare(
                    SourceRef::Delivery {
                        delivery_id: d.id.as_str().into(),
                    },
                    &d.customer_id,
                    d.date,
                    &d.product_id,
                    delivered,
                    ledger.deliveries.get(d.id.as_str()),
                    price,
                );
            }
            DeliverySource::Order(order_id) => {
                let delivered = d.status.is_billable();
                match orders.get(order_id.as_str()) {
                    None => inconsistencies.push(Inconsistency::DeliveryForMissingOrder {
                        delivery_id: d.id.clone(),
                        order_id: order_id.clone(),
                    }),
                    Some(o) if delivered && o.status == OrderStatus::Cancelled => {
                        inconsistencies.push(Inconsistency::DeliveryForCancelledOrder {
                            delivery_id: d.id.clone(),
                            order_id: order_id.clone(),
                        });
                    }
                    Some(o) if delivered && !o.status.is_confirmed() => {
                        inconsistencies.push(Inconsistency::DeliveryForUnconfirmedOrder {
                            delivery_id: d.id.clone(),
                            order_id: order_id.clone(),
                            status: o.status,
                        });
                    }
                    Some(_) => {}
                }
            }
        }
    }
    for o in input.orders.iter().filter(|o| o.delivery_date <= last) {
        for (item_index, item) in o.items.iter().enumerate() {
            let delivered = if o.status.is_confirmed() {
                item.delivered_quantity.unwrap_or(Decimal::ZERO)
            } else {
                Decimal::ZERO
            };
            compare(
                SourceRef::OrderItem {
                    order_id: o.id.as_str().into(),
                    item: item_index,
                },
                &o.customer_id,
                o.delivery_date,
                &item.product_id,
                delivered,
                ledger.items.get(&(o.id.as_str(), item_index)),
                Some(item.unit_price),
            );
        }
    }
    inconsistencies.append(&mut over_billed);
    let mut first_billed: FxHashMap<&SourceRef, Vec<String>> = FxHashMap::default();
    for bill in finalized {
        let number = bill.number.clone().unwrap_or_default();
        for (kind, s) in bill.sources() {
            if kind.bills_for_the_first_time() || matches!(s.source, SourceRef::Credit { .. }) {
                first_billed
                    .entry(&s.source)
                    .or_default()
                    .push(number.clone());
            }
        }
    }
    let mut twice: Vec<(&SourceRef, Vec<String>)> = first_billed
        .into_iter()
        .filter(|(_, bills)| bills.len() > 1)
        .collect();
    twice.sort();
    inconsistencies.extend(
        twice
            .into_iter()
            .map(|(source, bills)| Inconsistency::BilledTwice {
                source: source.clone(),
                bills,
            }),
    );
    for bill in &input.bills {
        let problems = bill.arithmetic_problems();
        if !problems.is_empty() {
            inconsistencies.push(Inconsistency::LinesDoNotAddUp {
                customer_id: bill.customer_id.clone(),
                month: bill.month,
                number: bill.number.clone(),
                problems,
            });
        }
    }
    missing.sort_by(|a, b| {
        (&a.customer_id, a.date, &a.source).cmp(&(&b.customer_id, b.date, &b.source))
    });
    let total_missing = missing.iter().map(|m| m.amount).sum();
    ReconciliationReport {
        through,
        missing,
        total_missing,
        inconsistencies,
    }
}

//! Builds a customer's [`ChurnInput`] from the business's own records.
//!
//! What the records say is read from them: purchases from delivered one-time orders and
//! subscription deliveries, subscription signals from subscriptions and their delivery records,
//! delivery trouble, tenure from the signup date. What they do not carry (complaints, disputes,
//! overdue bills, failed payments) is passed in by the host, or left out and neutral.

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::input::{
    ChurnInput, DeliverySignals, PaymentSignals, Purchase, ServiceSignals, SubscriptionSignals,
};
use crate::record::{Customer, DeliveryRecord, DeliveryStatus, Order, Product, Subscription};

/// Everything the business holds about one customer. Records of other customers and records
/// dated after "now" are ignored, so the host may pass unfiltered lists.
#[derive(Debug, Clone)]
pub struct CustomerRecords<'a> {
    pub customer: &'a Customer,
    /// The catalogue, to price subscription deliveries.
    pub products: &'a [Product],
    pub orders: &'a [Order],
    pub deliveries: &'a [DeliveryRecord],
    pub subscriptions: &'a [Subscription],
    /// Overdue bills and failed payments, which the records do not carry (billing does).
    pub payments: Option<PaymentSignals>,
    /// Complaints and disputes, which the records do not carry.
    pub service: Option<ServiceSignals>,
}

impl ChurnInput {
    /// The churn input of a customer at `now`; `window_days` is the recent window of the
    /// subscription and delivery counts (use the same as `FactorParams::drop_window_days`).
    ///
    /// - Purchases: each DELIVERED or PARTIALLY_DELIVERED one-time order on its delivery date,
    ///   amount = Σ delivered quantity × unit price; each subscription delivery record that
    ///   delivered something, amount = delivered quantity × the subscription's price override
    ///   or the product's price on that day (0 when no price is known: still activity).
    ///   Delivery records of one-time orders are not purchases again (the order is).
    /// - Subscription signals (when the customer has a subscription): cancelled when every
    ///   subscription has ended; paused days in the window on which every running subscription
    ///   is paused; scheduled deliveries due in the window; skipped = subscription delivery
    ///   records NOT_DELIVERED in the window (at most the scheduled count).
    /// - Delivery signals (when the customer has a delivery record): outcomes of the records
    ///   in the window, subscription non-deliveries excepted (they count as skips above).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use earlybird::churn::{ChurnInput, CustomerRecords};
    /// use earlybird::record::{Customer, Order, Record};
    ///
    /// let customer = Customer::from_json(r#"{"id": "C1", "name": "Asha", "phone": "9876543210",
    ///     "signup_date": "2026-01-01"}"#).unwrap();
    /// let order = Order::from_json(r#"{"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-15",
    ///     "status": "DELIVERED", "items": [{"product_id": "P1", "quantity": 2, "unit_price": "28.50"}]}"#).unwrap();
    /// let records = CustomerRecords {
    ///     customer: &customer, products: &[], orders: &[order], deliveries: &[],
    ///     subscriptions: &[], payments: None, service: None,
    /// };
    /// let now = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    /// let input = ChurnInput::from_records(&records, now, 30);
    /// assert_eq!(input.purchases[0].amount.to_string(), "57.00");
    /// assert!(input.subscription.is_none());
    /// ```
    pub fn from_records(records: &CustomerRecords<'_>, now: NaiveDate, window_days: u32) -> Self {
        let id = records.customer.id.as_str();
        let window_start = now
            .checked_sub_days(Days::new(u64::from(window_days)))
            .unwrap_or(NaiveDate::MIN);
        let in_window = |d: NaiveDate| d > window_start && d <= now;
        let subscriptions: Vec<&Subscription> = records
            .subscriptions
            .iter()
            .filter(|s| s.customer_id == id && s.start_date <= now)
            .collect();
        let deliveries: Vec<&DeliveryRecord> = records
            .deliveries
            .iter()
            .filter(|d| d.customer_id == id && d.date <= now)
            .collect();

        let mut purchases: Vec<Purchase> = records
            .orders
            .iter()
            .filter(|o| o.customer_id == id && o.status.is_confirmed() && o.delivery_date <= now)
            .map(|o| Purchase {
                date: o.delivery_date,
                amount: money(
                    o.items
                        .iter()
                        .map(|i| i.delivered_quantity.unwrap_or(i.quantity) * i.unit_price)
                        .sum(),
                ),
            })
            .collect();
        for d in &deliveries {
            let Some(sub_id) = d.subscription_id() else {
                continue;
            };
            if !d.status.is_billable() {
                continue;
            }
            let price = subscriptions
                .iter()
                .find(|s| s.id == sub_id)
                .and_then(|s| s.price_override)
                .or_else(|| {
                    records
                        .products
                        .iter()
                        .find(|p| p.id == d.product_id)
                        .and_then(|p| p.price_on(d.date))
                })
                .unwrap_or(Decimal::ZERO);
            purchases.push(Purchase {
                date: d.date,
                amount: money(d.delivered_quantity * price),
            });
        }
        purchases.sort_by_key(|p| p.date);

        let subscription = (!subscriptions.is_empty()).then(|| {
            let cancelled = subscriptions.iter().all(|s| !s.runs_on(now));
            let paused_days = window_start
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= now)
                .filter(|&d| {
                    let running: Vec<_> = subscriptions.iter().filter(|s| s.runs_on(d)).collect();
                    !running.is_empty() && running.iter().all(|s| s.is_paused_on(d))
                })
                .count();
            let scheduled: usize = subscriptions
                .iter()
                .map(|s| {
                    s.due_between(window_start.succ_opt().unwrap_or(now), now)
                        .len()
                })
                .sum();
            let skipped = deliveries
                .iter()
                .filter(|d| {
                    d.subscription_id().is_some()
                        && d.status == DeliveryStatus::NotDelivered
                        && in_window(d.date)
                })
                .count()
                .min(scheduled);
            SubscriptionSignals {
                cancelled,
                paused_days: count(paused_days),
                scheduled_deliveries: count(scheduled),
                skipped_deliveries: count(skipped),
            }
        });

        let delivery_signals = (!deliveries.is_empty()).then(|| {
            let mut signals = DeliverySignals::default();
            for d in deliveries.iter().filter(|d| in_window(d.date)) {
                match d.status {
                    DeliveryStatus::Delivered => signals.delivered += 1,
                    DeliveryStatus::PartiallyDelivered => signals.partially_delivered += 1,
                    DeliveryStatus::NotDelivered if d.order_id().is_some() => {
                        signals.not_delivered += 1;
                    }
                    DeliveryStatus::NotDelivered => {}
                }
            }
            signals
        });

        ChurnInput {
            signup_date: Some(records.customer.signup_date),
            purchases,
            deliveries: delivery_signals,
            subscription,
            payments: records.payments.clone(),
            service: records.service.clone(),
        }
    }
}

/// Rupees and paise (always two decimals), half away from zero.
fn money(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn customer() -> Customer {
        Customer::from_json(
            r#"{"id": "C1", "name": "Asha", "phone": "9876543210", "signup_date": "2026-01-10"}"#,
        )
        .unwrap()
    }

    #[test]
    fn records_become_purchases_signals_and_tenure() {
        let milk = Product::from_json(
            r#"{"id": "MILK", "name": "Milk", "prices": [{"price": "28.00", "effective_from": "2026-01-01"}]}"#,
        )
        .unwrap();
        let orders = [
            Order::from_json(r#"{"id": "O1", "customer_id": "C1", "delivery_date": "2026-03-02", "status": "PARTIALLY_DELIVERED",
                "items": [{"product_id": "PANEER", "quantity": 2, "unit_price": "90", "delivered_quantity": 1}]}"#).unwrap(),
            Order::from_json(r#"{"id": "O2", "customer_id": "C1", "delivery_date": "2026-03-03", "status": "CANCELLED",
                "items": [{"product_id": "PANEER", "quantity": 1, "unit_price": "90"}]}"#).unwrap(),
            Order::from_json(r#"{"id": "O3", "customer_id": "C2", "delivery_date": "2026-03-03", "status": "DELIVERED",
                "items": [{"product_id": "PANEER", "quantity": 1, "unit_price": "90"}]}"#).unwrap(),
        ];
        let subscription = Subscription::from_json(
            r#"{"id": "S1", "customer_id": "C1", "product_id": "MILK", "quantity": "1", "schedule": "daily",
                "start_date": "2026-02-01", "pauses": [{"from": "2026-03-08", "to": "2026-03-09"}]}"#,
        )
        .unwrap();
        let delivery = |id: &str, date: &str, delivered: &str, status: &str| {
            DeliveryRecord::from_json(&format!(
                r#"{{"id": "{id}", "customer_id": "C1", "date": "{date}", "subscription_id": "S1",
                    "product_id": "MILK", "ordered_quantity": "1", "delivered_quantity": "{delivered}", "status": "{status}"}}"#
            ))
            .unwrap()
        };
        let deliveries = [
            delivery("D1", "2026-03-04", "1", "DELIVERED"),
            delivery("D2", "2026-03-05", "0.5", "PARTIALLY_DELIVERED"),
            delivery("D3", "2026-03-06", "0", "NOT_DELIVERED"),
            delivery("D4", "2026-03-20", "1", "DELIVERED"),
        ];
        let records = CustomerRecords {
            customer: &customer(),
            products: &[milk],
            orders: &orders,
            deliveries: &deliveries,
            subscriptions: &[subscription],
            payments: None,
            service: Some(ServiceSignals {
                complaints: 1,
                disputes: 0,
            }),
        };
        let input = ChurnInput::from_records(&records, day(10), 7);
        let bought: Vec<(NaiveDate, String)> = input
            .purchases
            .iter()
            .map(|p| (p.date, p.amount.to_string()))
            .collect();
        assert_eq!(
            bought,
            vec![
                (day(2), "90.00".to_string()),
                (day(4), "28.00".to_string()),
                (day(5), "14.00".to_string()),
            ]
        );
        assert_eq!(input.signup_date, Some(customer().signup_date));
        assert_eq!(
            input.subscription,
            Some(SubscriptionSignals {
                cancelled: false,
                paused_days: 2,
                scheduled_deliveries: 5,
                skipped_deliveries: 1,
            })
        );
        assert_eq!(
            input.deliveries,
            Some(DeliverySignals {
                delivered: 1,
                partially_delivered: 1,
                not_delivered: 0,
            })
        );
        assert_eq!(input.service.as_ref().map(|s| s.complaints), Some(1));
        assert!(input.payments.is_none());
        assert!(input.validate(day(10)).is_ok());
    }

    #[test]
    fn a_customer_with_only_a_signup_is_scored_on_tenure_alone() {
        let records = CustomerRecords {
            customer: &customer(),
            products: &[],
            orders: &[],
            deliveries: &[],
            subscriptions: &[],
            payments: None,
            service: None,
        };
        let input = ChurnInput::from_records(&records, day(10), 30);
        assert!(input.purchases.is_empty());
        assert!(input.subscription.is_none() && input.deliveries.is_none());
        let cancelled = Subscription::from_json(
            r#"{"id": "S1", "customer_id": "C1", "product_id": "MILK", "quantity": "1", "schedule": "daily",
                "start_date": "2026-02-01", "end_date": "2026-03-01", "status": "cancelled"}"#,
        )
        .unwrap();
        let with_sub = CustomerRecords {
            subscriptions: std::slice::from_ref(&cancelled),
            ..records
        };
        let input = ChurnInput::from_records(&with_sub, day(10), 30);
        assert!(input.subscription.is_some_and(|s| s.cancelled));
    }
}

//! A deterministic synthetic month of the business, shared by the billing, store and binding
//! benchmarks: customers with daily, alternate-day and weekday subscriptions, a mid-month
//! price change, some price overrides, partial and failed deliveries, and one-time orders.
//!
//! The same spec gives the same records, bit for bit (a SplitMix64 generator, no clock).

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use earlybird::billing::{BillingInput, Month};
use earlybird::record::{
    DatedPrice, DatedRate, DeliveryRecord, DeliverySource, DeliveryStatus, Order, OrderItem,
    OrderStatus, Product, Schedule, Subscription, SubscriptionStatus, Weekday,
};
use rust_decimal::Decimal;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct MonthSpec {
    pub month: Month,
    pub customers: usize,
    /// One-time orders in the month.
    pub orders: usize,
    pub seed: u64,
}

impl MonthSpec {
    /// The design size: 100,000 customers, about 4.5 million delivery records and 50,000
    /// one-time orders in a 30-day month.
    pub fn full() -> Self {
        Self::customers(100_000)
    }

    /// A month of `customers` customers, with one one-time order per two customers.
    pub fn customers(customers: usize) -> Self {
        Self {
            month: Month::new(2026, 6).expect("June 2026"),
            customers,
            orders: customers / 2,
            seed: 20_260_601,
        }
    }
}

/// SplitMix64: small, fast and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

fn rupees(text: &str) -> Decimal {
    text.parse().expect("a literal amount")
}

/// The catalogue: milk at 0 % GST with a price change on the 16th, dairy at 5 %.
pub fn products(month: Month) -> Vec<Product> {
    let since = NaiveDate::from_ymd_opt(2025, 4, 1).expect("date");
    let change = month.first_day() + Duration::days(15);
    let item = |id: &str, name: &str, old: &str, new: Option<&str>, gst: &str| Product {
        id: id.to_owned(),
        name: name.to_owned(),
        unit: None,
        prices: std::iter::once(DatedPrice {
            price: rupees(old),
            effective_from: since,
        })
        .chain(new.map(|p| DatedPrice {
            price: rupees(p),
            effective_from: change,
        }))
        .collect(),
        gst_rates: vec![DatedRate {
            rate: rupees(gst),
            effective_from: None,
        }],
    };
    vec![
        item("MILK-500", "Toned milk 500ml", "28.00", Some("30.00"), "0"),
        item("MILK-1L", "Toned milk 1L", "54.00", Some("56.00"), "0"),
        item("COW-1L", "Cow milk 1L", "64.00", Some("66.00"), "0"),
        item("BUFFALO-1L", "Buffalo milk 1L", "72.00", None, "0"),
        item("CURD-400", "Curd 400g", "35.00", None, "0"),
        item("BUTTERMILK", "Buttermilk 500ml", "15.00", None, "0"),
        item("PANEER-200", "Paneer 200g", "90.00", Some("95.00"), "5"),
        item("GHEE-500", "Ghee 500ml", "325.00", None, "5"),
        item("BUTTER-100", "Butter 100g", "58.00", None, "5"),
        item("CHEESE-200", "Cheese slices 200g", "140.00", None, "5"),
        item("BREAD", "Bread 400g", "45.00", None, "0"),
        item("EGGS-6", "Eggs (6)", "48.00", None, "0"),
    ]
}

/// Subscriptions are to the first six products (the daily ones).
const DAILY_PRODUCTS: u64 = 6;

/// The records of one month: products, subscriptions, their delivery records (in date
/// order, as the delivery staff confirm them), and one-time orders.
pub fn month(spec: MonthSpec) -> BillingInput {
    let mut rng = Rng::new(spec.seed);
    let products = products(spec.month);
    let first = spec.month.first_day();
    let last = spec.month.last_day();
    let quantities = ["0.5", "1", "1", "1", "1.5", "2"].map(rupees);
    let mut subscriptions = Vec::with_capacity(spec.customers * 3 / 2);
    for c in 0..spec.customers {
        let count = if rng.chance(500) { 2 } else { 1 };
        for k in 0..count {
            let product = &products[rng.below(DAILY_PRODUCTS) as usize];
            let schedule = match rng.below(20) {
                0 => Schedule::AlternateDays,
                1 => Schedule::Weekdays {
                    days: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri, Weekday::Sat],
                },
                _ => Schedule::Daily,
            };
            let pauses = if rng.chance(30) {
                let from = first + Duration::days(rng.below(25) as i64);
                vec![earlybird::record::Pause {
                    from,
                    to: from + Duration::days(3),
                }]
            } else {
                Vec::new()
            };
            subscriptions.push(Subscription {
                id: format!("S{c:06}-{k}"),
                customer_id: format!("C{c:06}"),
                product_id: product.id.clone(),
                quantity: quantities[rng.below(quantities.len() as u64) as usize],
                schedule,
                start_date: first - Duration::days(rng.below(400) as i64),
                end_date: None,
                pauses,
                price_override: rng.chance(20).then(|| rupees("26.00")),
                status: SubscriptionStatus::Active,
            });
        }
    }
    let mut deliveries = Vec::with_capacity(spec.customers * 45);
    let mut serial = 0u64;
    for date in first.iter_days().take_while(|d| *d <= last) {
        let confirmed = Utc
            .from_utc_datetime(&date.and_hms_opt(1, 30, 0).expect("time"))
            .to_owned();
        for s in &subscriptions {
            let Some(ordered) = s.due_on(date) else {
                continue;
            };
            serial += 1;
            let (delivered, status) = match rng.below(1000) {
                0..15 => (Decimal::ZERO, DeliveryStatus::NotDelivered),
                15..30 => (ordered / Decimal::TWO, DeliveryStatus::PartiallyDelivered),
                _ => (ordered, DeliveryStatus::Delivered),
            };
            deliveries.push(DeliveryRecord {
                id: format!("DS{serial:09}"),
                customer_id: s.customer_id.clone(),
                date,
                source: DeliverySource::Subscription(s.id.clone()),
                product_id: s.product_id.clone(),
                ordered_quantity: ordered,
                delivered_quantity: delivered,
                status,
                reason: None,
                delivery_boy_id: None,
                confirmed_at: Some(confirmed),
            });
        }
    }
    let days = (last - first).num_days() as u64 + 1;
    let orders = (0..spec.orders)
        .map(|o| {
            let customer = rng.below(spec.customers.max(1) as u64);
            let delivery_date = first + Duration::days(rng.below(days) as i64);
            let status = match rng.below(100) {
                0..5 => OrderStatus::Cancelled,
                5..10 => OrderStatus::Pending,
                10..15 => OrderStatus::PartiallyDelivered,
                _ => OrderStatus::Delivered,
            };
            let lines = 1 + rng.below(3) as usize;
            let items = (0..lines)
                .map(|k| {
                    let product = &products[rng.below(products.len() as u64) as usize];
                    let ordered = 1 + rng.below(3);
                    // A partial order's first item is short by one, so it needs two to deliver any.
                    let short = status == OrderStatus::PartiallyDelivered && k == 0;
                    let quantity = Decimal::from(if short { ordered.max(2) } else { ordered });
                    let delivered = match status {
                        OrderStatus::Delivered => Some(quantity),
                        OrderStatus::PartiallyDelivered if k == 0 => Some(quantity - Decimal::ONE),
                        OrderStatus::PartiallyDelivered => Some(quantity),
                        _ => None,
                    };
                    OrderItem {
                        product_id: product.id.clone(),
                        quantity,
                        unit_price: product.prices[0].price,
                        delivered_quantity: delivered,
                    }
                })
                .collect();
            Order {
                id: format!("O{o:07}"),
                customer_id: format!("C{customer:06}"),
                items,
                delivery_date,
                status,
                created_at: Some(
                    Utc.from_utc_datetime(
                        &(delivery_date - Duration::days(1))
                            .and_hms_opt(15, 0, 0)
                            .expect("time"),
                    ),
                ),
            }
        })
        .collect();
    BillingInput {
        products,
        subscriptions,
        orders,
        deliveries,
        ..BillingInput::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earlybird::record::Record;

    /// Every generated record passes the core's checks, so a store or a binding reads the
    /// month back whole (sizes 500 to 1,000 once made a partial order with nothing delivered).
    #[test]
    fn every_generated_record_is_valid() {
        for customers in [500, 700, 1_000] {
            let input = month(MonthSpec::customers(customers));
            for order in &input.orders {
                assert!(order.validate().is_ok(), "{customers}: order {}", order.id);
            }
            for delivery in &input.deliveries {
                assert!(
                    delivery.validate().is_ok(),
                    "{customers}: delivery {}",
                    delivery.id
                );
            }
        }
    }
}

//! The core's own cost of the calls the mobile benchmark makes through the binding
//! (`benches/mobile/run.sh` runs both and prints the ratios).
//!
//! Prints one line per call: `<name> <nanoseconds per call>`.

use std::hint::black_box;
use std::time::Instant;

use earlybird::billing::{BillingConfig, BillingInput, Month, preview_bill};
use earlybird::churn::{ChurnConfig, ChurnEngine, ChurnInput};
use earlybird::lifecycle::{Actor, confirm_delivery};
use earlybird::record::{Order, Record, normalize_phone};
use rust_decimal::Decimal;

const ORDER: &str = r#"{"id": "ORD_7", "customer_id": "CUST_001",
  "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": "90"}],
  "delivery_date": "2026-01-15", "status": "OUT_FOR_DELIVERY",
  "created_at": "2026-01-14T18:30:00Z"}"#;

/// A customer's January so far: daily milk at Rs 60, the first 20 days delivered.
fn month_of_milk() -> String {
    let deliveries: Vec<String> = (1..=20)
        .map(|d| {
            format!(
                r#"{{"id": "D{d}", "customer_id": "C1", "date": "2026-01-{d:02}", "subscription_id": "S1", "product_id": "MILK", "ordered_quantity": "1", "delivered_quantity": "1", "status": "DELIVERED"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"products": [{{"id": "MILK", "name": "Milk 1L", "prices": [{{"price": "60.00", "effective_from": "2025-01-01"}}]}}], "subscriptions": [{{"id": "S1", "customer_id": "C1", "product_id": "MILK", "quantity": "1", "schedule": "daily", "start_date": "2026-01-01"}}], "deliveries": [{}]}}"#,
        deliveries.join(", ")
    )
}

/// The customer of the shared case churn/score_payment_trouble.json.
const CHURN_INPUT: &str = r#"{"signup_date": "2025-01-10", "purchases": [{"date": "2026-11-20", "amount": "28.00"}, {"date": "2026-11-22", "amount": "28.00"}, {"date": "2026-11-24", "amount": "28.00"}], "payments": {"overdue_amount": "1250.00", "overdue_days": 20, "failed_payments": 1}, "deliveries": {"delivered": 28, "partially_delivered": 1, "not_delivered": 0}, "subscription": {"cancelled": false, "paused_days": 0, "scheduled_deliveries": 30, "skipped_deliveries": 1}, "service": {"complaints": 0, "disputes": 0}}"#;

fn measure(name: &str, calls: u32, mut call: impl FnMut()) {
    for _ in 0..calls / 5 {
        call();
    }
    let start = Instant::now();
    for _ in 0..calls {
        call();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(calls);
    println!("{name} {ns:.0}");
}

fn main() {
    let order = Order::from_json(ORDER).expect("the benchmark order is valid");
    let actor = Actor::new("DB_7", "2026-01-15T01:10:00Z".parse().expect("an instant"));
    let delivered = [Decimal::TWO, Decimal::ZERO];
    measure("normalize_phone", 1_000_000, || {
        black_box(normalize_phone(black_box("098765 43210")));
    });
    measure("parse_order", 200_000, || {
        black_box(Order::from_json(black_box(ORDER)).ok());
    });
    measure("confirm_delivery", 200_000, || {
        black_box(confirm_delivery(black_box(&order), &delivered, None, &actor).ok());
    });
    measure("order_to_json", 200_000, || {
        black_box(serde_json::to_string(black_box(&order)).ok());
    });
    let month: BillingInput =
        serde_json::from_str(&month_of_milk()).expect("the benchmark month is valid");
    let january: Month = "2026-01".parse().expect("a month");
    let config = BillingConfig::default();
    measure("preview_bill", 20_000, || {
        black_box(preview_bill(black_box(&month), "C1", january, &config).ok());
    });
    let engine = ChurnEngine::new(ChurnConfig::default()).expect("the default configuration");
    let customer: ChurnInput = serde_json::from_str(CHURN_INPUT).expect("the churn input");
    let now = "2026-11-25".parse().expect("a date");
    measure("churn_score", 200_000, || {
        black_box(engine.score(black_box(&customer), now).ok());
    });
}

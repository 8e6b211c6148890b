//! The core's own cost of the calls the mobile benchmark makes through the binding
//! (`benches/mobile/run.sh` runs both and prints the ratios).
//!
//! Prints one line per call: `<name> <nanoseconds per call>`.

use std::hint::black_box;
use std::time::Instant;

use earlybird::lifecycle::{Actor, confirm_delivery};
use earlybird::record::{Order, Record, normalize_phone};
use rust_decimal::Decimal;

const ORDER: &str = r#"{"id": "ORD_7", "customer_id": "CUST_001",
  "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": "90"}],
  "delivery_date": "2026-01-15", "status": "OUT_FOR_DELIVERY",
  "created_at": "2026-01-14T18:30:00Z"}"#;

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
}

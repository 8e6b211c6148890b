//! The core's own cost of the calls the Node binding benchmark measures (`benches/node/`),
//! so that the binding's overhead can be stated as a ratio. Prints one JSON line.
//!
//! `cargo run --release -p earlybird-benches --bin node_baseline`

use std::hint::black_box;
use std::time::Instant;

use earlybird::record::{Order, Record, normalize_phone};

/// The order document the Node benchmark parses, as JSON text.
const ORDER: &str = r#"{"id": "ORD_1", "customer_id": "CUST_001",
    "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
              {"product_id": "CURD_400G", "quantity": "1", "unit_price": 45}],
    "delivery_date": "2026-01-15", "status": "PENDING",
    "created_at": {"$date": "2026-01-14T16:45:00Z"}}"#;

/// Nanoseconds per call of `f`, the best of 40 short rounds of `n` calls: on a machine shared
/// with other builds the best round is the one least disturbed.
fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    (0..40)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(n)
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let document: serde_json::Value = serde_json::from_str(ORDER).expect("the order is JSON");
    let phone = per_call(20_000, || {
        black_box(normalize_phone(black_box("098450 12345")));
    });
    let from_document = per_call(2_000, || {
        black_box(Order::from_document(black_box(&document)).is_ok());
    });
    let from_json = per_call(2_000, || {
        black_box(Order::from_json(black_box(ORDER)).is_ok());
    });
    println!(
        "{{\"normalize_phone_ns\": {phone:.0}, \"order_from_document_ns\": {from_document:.0}, \"order_from_json_ns\": {from_json:.0}}}"
    );
}

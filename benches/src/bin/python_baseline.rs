//! The core's own cost of the calls the Python binding benchmark measures, on the same inputs.
//!
//! Called by `benches/python/overhead.py` with the order document (JSON) and the phone number
//! as arguments; prints nanoseconds per call as JSON so the script can show both side by side.
//! `actor_new` is the core's side of `Actor(id, datetime)`: building the actor from an instant
//! already read.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Utc};
use earlybird::lifecycle::Actor;
use earlybird::record::{Order, Record, normalize_phone};

/// Best of five runs of `calls` calls, in nanoseconds per call.
fn per_call(calls: u32, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(calls)
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(order_json), Some(phone)) = (args.next(), args.next()) else {
        eprintln!("usage: python_baseline <order document JSON> <phone>");
        std::process::exit(2);
    };
    let document: serde_json::Value = match serde_json::from_str(&order_json) {
        Ok(value) => value,
        Err(e) => {
            eprintln!("the order document is not JSON: {e}");
            std::process::exit(2);
        }
    };
    let phone_ns = per_call(200_000, || {
        black_box(normalize_phone(black_box(&phone)));
    });
    let document_ns = per_call(20_000, || {
        black_box(Order::from_document(black_box(&document)).is_ok());
    });
    let json_ns = per_call(20_000, || {
        black_box(Order::from_json(black_box(&order_json)).is_ok());
    });
    let order = match Order::from_document(&document) {
        Ok(order) => order,
        Err(e) => {
            eprintln!("the order document is not a valid order: {e}");
            std::process::exit(2);
        }
    };
    let serialise_ns = per_call(20_000, || {
        black_box(serde_json::to_value(black_box(&order)).is_ok());
    });
    // The instant `overhead.py` gives `Actor`: 2026-01-15 01:10 UTC.
    let at: DateTime<Utc> = DateTime::from_timestamp(1_768_439_400, 0).unwrap_or_default();
    let actor_ns = per_call(200_000, || {
        black_box(Actor::new(black_box("DB_7"), black_box(at)));
    });
    println!(
        "{{\"normalize_phone\": {phone_ns:.1}, \"order_from_document\": {document_ns:.1}, \
         \"order_from_json\": {json_ns:.1}, \"order_to_json_value\": {serialise_ns:.1}, \
         \"actor_new\": {actor_ns:.1}}}"
    );
}

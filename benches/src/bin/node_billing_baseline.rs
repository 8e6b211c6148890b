//! The core's own side of the Node billing benchmark (`benches/node/billing.mjs`): writes the
//! synthetic month of `customers` customers to `month.json` in the core's serde form (the text
//! the Node side bills), then times, best of `rounds`, reading that text into a
//! `BillingInput` and `bill_month` on it. Prints one JSON line.
//!
//! `cargo run --release -p earlybird-benches --bin node_billing_baseline -- 2000 5 month.json`

use std::time::Instant;

use earlybird::billing::{BillingConfig, BillingInput, bill_month};
use earlybird_benches::synthetic::{MonthSpec, month};
use rust_decimal::Decimal;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: node_billing_baseline <customers> <rounds> <month.json>";
    let customers: usize = args.next().expect(usage).parse().expect(usage);
    let rounds: u32 = args.next().expect(usage).parse().expect(usage);
    let path = args.next().expect(usage);
    let spec = MonthSpec::customers(customers);
    let text = serde_json::to_string(&month(spec)).expect("the month serialises");
    std::fs::write(&path, &text).expect("the month file is writable");
    let config = BillingConfig::default();
    let (mut read_ms, mut bill_ms) = (f64::INFINITY, f64::INFINITY);
    let mut bills = Vec::new();
    let mut records = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let input: BillingInput = serde_json::from_str(&text).expect("the month reads back");
        read_ms = read_ms.min(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        bills = bill_month(&input, spec.month, &config).expect("the month bills");
        bill_ms = bill_ms.min(started.elapsed().as_secs_f64() * 1000.0);
        records = input.deliveries.len();
    }
    let total: Decimal = bills.iter().map(|b| b.total).sum();
    println!(
        "{{\"month\": \"{}\", \"delivery_records\": {records}, \"bills\": {}, \"total\": \"{total}\", \"bytes\": {}, \"read_ms\": {read_ms:.1}, \"bill_ms\": {bill_ms:.1}}}",
        spec.month,
        bills.len(),
        text.len()
    );
}

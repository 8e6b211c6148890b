//! The core's own billing throughput on the synthetic month the Python billing benchmark bills,
//! and that month exported as JSON for it.
//!
//! Called by `benches/python/billing.py`: `python_billing_baseline <customers> <export.json>`
//! writes the month's records (the core's canonical JSON, the MongoDB document shape) to the
//! file and prints the best of five `bill_month` runs on all threads as JSON: records, bills,
//! wall and CPU nanoseconds, and the sum of the bills' totals (to check the Python side).

use std::time::{Duration, Instant};

use earlybird::billing::{BillingConfig, bill_month};
use earlybird_benches::synthetic::{MonthSpec, month};

/// CPU time used by the whole process so far (user + system, all threads), from
/// `/proc/self/stat` (100 Hz ticks).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(customers), Some(export)) = (args.next().and_then(|c| c.parse().ok()), args.next())
    else {
        eprintln!("usage: python_billing_baseline <customers> <export.json>");
        std::process::exit(2);
    };
    let spec = MonthSpec::customers(customers);
    let input = month(spec);
    let text = match serde_json::to_string(&input) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot serialise the month: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(&export, text) {
        eprintln!("cannot write {export}: {e}");
        std::process::exit(1);
    }
    let config = BillingConfig::default();
    let mut best = (Duration::MAX, Duration::MAX);
    let mut bills = Vec::new();
    for _ in 0..5 {
        let cpu = cpu_time();
        let started = Instant::now();
        bills = match bill_month(&input, spec.month, &config) {
            Ok(bills) => bills,
            Err(e) => {
                eprintln!("billing failed: {e}");
                std::process::exit(1);
            }
        };
        let took = (started.elapsed(), cpu_time() - cpu);
        if took.0 < best.0 {
            best = took;
        }
    }
    let total: rust_decimal::Decimal = bills.iter().map(|b| b.total).sum();
    println!(
        "{{\"month\": \"{}\", \"records\": {}, \"orders\": {}, \"bills\": {}, \"wall_ns\": {}, \"cpu_ns\": {}, \"threads\": {}, \"total\": \"{total}\"}}",
        spec.month,
        input.deliveries.len(),
        input.orders.len(),
        bills.len(),
        best.0.as_nanos(),
        best.1.as_nanos(),
        rayon::current_num_threads()
    );
}

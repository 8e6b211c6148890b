//! Billing throughput: a whole synthetic month billed in one call, on one thread and on all,
//! at several sizes to show the cost is linear in the number of delivery records; the same
//! month billed from delivery columns (`bill_month_columns`) in the same run, side by side,
//! and the output floor: what writing only the bills' line sources costs, the ceiling any
//! implementation returning these bills stands under.
//!
//! Run: `cargo run --release -p earlybird-benches --bin billing` (optionally followed by
//! `-- <customers>...` to bill only those sizes). `BILLING_SORTED=1` also bills each month
//! with its records in customer order; `BILLING_RUNS=<n>` sets the runs per measurement
//! (default 3, the best is kept).

use std::time::{Duration, Instant};

use earlybird::billing::{
    BillingConfig, BillingInput, DeliveryColumns, LineSource, SourceId, SourceRef, bill_month,
    bill_month_columns, compute_bill,
};
use earlybird_benches::synthetic::{MonthSpec, month};

/// Measured anchors on this machine for the same kind of month (delivery records / s).
const ANCHORS: [(&str, f64); 3] = [
    ("plain Python loop", 3.25e6),
    ("pandas (floats, loses paise)", 3.06e6),
    ("DuckDB, 1 thread (doubles)", 5.84e6),
];

/// CPU time used by the whole process so far (user + system, all threads), from
/// `/proc/self/stat`: on a shared machine this, not the wall clock, says what a core does.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 of the file (utime, stime) are 12 and 13 after the name; 100 Hz ticks.
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// What this machine does at the very least per record: read its date and quantity and sum
/// them (no grouping, no ids, no prices) — the floor any billing pass stands on.
fn floor(input: &BillingInput) -> (Duration, Duration) {
    let cpu = cpu_time();
    let started = Instant::now();
    let mut days = 0u64;
    let mut thousandths = 0i128;
    for d in &input.deliveries {
        days += u64::from(chrono::Datelike::day(&d.date));
        thousandths += d.delivered_quantity.mantissa();
    }
    let took = (started.elapsed(), cpu_time() - cpu);
    std::hint::black_box((days, thousandths));
    took
}

/// What returning the bills costs at the very least, whatever computes them: one line source
/// (`SourceRef` with the delivery id, date, `Decimal` quantity; 56 bytes) written per billed
/// record into a list per customer, from the columns with each customer's records already
/// listed (`by_customer`, not timed). No rule, no price, no line, no bill: a ceiling on the
/// records per second any implementation of these bills can reach on this machine.
fn output_floor(columns: &DeliveryColumns, by_customer: &[Vec<u32>]) -> Vec<Vec<LineSource>> {
    let parts = columns.parts();
    by_customer
        .iter()
        .map(|records| {
            let mut sources = Vec::with_capacity(records.len());
            for &r in records {
                let i = r as usize;
                sources.push(LineSource {
                    source: SourceRef::Delivery {
                        delivery_id: SourceId::new(columns.id(i)),
                    },
                    date: parts.date[i],
                    quantity: rust_decimal::Decimal::new(parts.delivered[i], 3),
                });
            }
            sources
        })
        .collect()
}

/// Each customer's records in the columns, in record order.
fn records_by_customer(columns: &DeliveryColumns) -> Vec<Vec<u32>> {
    let parts = columns.parts();
    let mut by_customer = vec![Vec::new(); parts.customer_ids.len()];
    for (r, &c) in (0u32..).zip(&parts.customer) {
        by_customer[c as usize].push(r);
    }
    by_customer
}

/// The fastest of `runs` runs of `bill` on `threads` threads: (wall time, CPU time of that
/// run, bills made).
fn best_of(
    runs: usize,
    threads: usize,
    bill: impl Fn() -> Vec<earlybird::billing::Bill> + Sync,
) -> (Duration, Duration, usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let mut best = (Duration::MAX, Duration::MAX);
    let mut bills = 0;
    for _ in 0..runs {
        let cpu = cpu_time();
        let started = Instant::now();
        let out = pool.install(&bill);
        let took = (started.elapsed(), cpu_time() - cpu);
        bills = out.len();
        if took.1 < best.1 {
            best = took;
        }
        drop(out);
    }
    (best.0, best.1, bills)
}

fn main() {
    let threads = rayon::current_num_threads();
    println!("billing benchmark: {threads} thread(s) available");
    // Sizes in customers; the arguments replace the default list (e.g. `-- 25000`).
    let chosen: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if chosen.is_empty() {
        vec![11_000, 25_000, 50_000, 75_000, 100_000]
    } else {
        chosen
    };
    println!(
        "{:>9} {:>9} {:>6} | {:>9} {:>11} {:>11} | {:>9} {:>11} {:>11}",
        "customers",
        "records",
        "orders",
        "1 thread",
        "rec/s wall",
        "rec/s/core",
        "all",
        "rec/s wall",
        "rec/s/core"
    );
    // Runs per measurement (the best is kept); `BILLING_RUNS` changes it.
    let runs: usize = std::env::var("BILLING_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let mut full_per_core = 0.0;
    for customers in sizes {
        let spec = MonthSpec::customers(customers);
        let input = month(spec);
        let records = input.deliveries.len();
        let rate = |d: Duration| records as f64 / d.as_secs_f64() / 1e6;
        let config = BillingConfig::default();
        let records_path = || bill_month(&input, spec.month, &config).expect("bills");
        let (one_wall, one_cpu, bills) = best_of(runs, 1, records_path);
        let (all_wall, all_cpu, _) = best_of(runs, threads, records_path);
        println!(
            "{customers:>9} {records:>9} {:>6} | {:>7.0}ms {:>10.2}M {:>10.2}M | {:>7.0}ms {:>10.2}M {:>10.2}M",
            input.orders.len(),
            one_wall.as_secs_f64() * 1e3,
            rate(one_wall),
            rate(one_cpu),
            all_wall.as_secs_f64() * 1e3,
            rate(all_wall),
            rate(all_cpu),
        );
        assert_eq!(bills, customers, "every customer gets a bill");
        let (floor_wall, floor_cpu) = floor(&input);
        println!(
            "          floor: one pass summing date and quantity of every record: {:.0}ms, {:.2}M/s/core",
            floor_wall.as_secs_f64() * 1e3,
            rate(floor_cpu)
        );
        if std::env::var_os("BILLING_SORTED").is_some() {
            // Cloned in customer order, so that their strings are also laid out in that order,
            // as when a store returns them `ORDER BY customer_id, date`.
            let mut order: Vec<&earlybird::record::DeliveryRecord> =
                input.deliveries.iter().collect();
            order.sort_by(|a, b| (&a.customer_id, a.date).cmp(&(&b.customer_id, b.date)));
            let sorted = BillingInput {
                deliveries: order.into_iter().cloned().collect(),
                ..input.clone()
            };
            let (wall, cpu, _) = best_of(runs, 1, || {
                bill_month(&sorted, spec.month, &config).expect("bills")
            });
            println!(
                "          records sorted by customer, 1 thread: {:.0}ms, {:.2}M/s/core",
                wall.as_secs_f64() * 1e3,
                rate(cpu)
            );
        }
        columns_side_by_side(&input, spec, runs, threads, (one_cpu, all_cpu));
        if customers == 100_000 {
            full_per_core = rate(one_cpu) * 1e6;
            check_batch_equals_one_by_one(&input, spec);
        }
    }
    if full_per_core > 0.0 {
        println!("\nsingle-thread throughput per core at 100,000 customers vs measured anchors:");
        for (name, anchor) in ANCHORS {
            println!(
                "  {:>5.1}x {name} ({:.2}M records/s)",
                full_per_core / anchor,
                anchor / 1e6
            );
        }
    }
}

/// The batch must equal billing customers one by one (checked on the first 50 customers).
fn check_batch_equals_one_by_one(input: &BillingInput, spec: MonthSpec) {
    let config = BillingConfig::default();
    let batch = bill_month(input, spec.month, &config).expect("bills");
    let first = |id: &str| id < "C000050";
    let sample = BillingInput {
        deliveries: input
            .deliveries
            .iter()
            .filter(|d| first(&d.customer_id))
            .cloned()
            .collect(),
        orders: input
            .orders
            .iter()
            .filter(|o| first(&o.customer_id))
            .cloned()
            .collect(),
        ..input.clone()
    };
    for bill in batch.iter().take_while(|b| first(&b.customer_id)) {
        let alone = compute_bill(&sample, &bill.customer_id, spec.month, &config).expect("bill");
        assert_eq!(&alone, bill, "batch differs for {}", bill.customer_id);
    }
    let billed: rust_decimal::Decimal = batch.iter().map(|b| b.total).sum();
    let lines: usize = batch.iter().map(|b| b.lines.len()).sum();
    println!(
        "full month: {} bills, {lines} lines, total Rs {billed}; batch = one by one on the first 50 customers",
        batch.len()
    );
}

/// The same month from delivery columns: the columns built once from the records (timed
/// apart: a host builds them from its query), then billed; checked equal to the records'
/// bills, and timed in the same run as the record path (`records`: its best CPU times on
/// one thread and on all).
fn columns_side_by_side(
    input: &BillingInput,
    spec: MonthSpec,
    runs: usize,
    threads: usize,
    records: (Duration, Duration),
) {
    let config = BillingConfig::default();
    let started = Instant::now();
    let columns = DeliveryColumns::of_records(&input.deliveries, input).expect("columns");
    let built = started.elapsed();
    let rest = BillingInput {
        deliveries: Vec::new(),
        ..input.clone()
    };
    let columns_path = || bill_month_columns(&rest, &columns, spec.month, &config).expect("bills");
    assert!(
        columns_path() == bill_month(input, spec.month, &config).expect("bills"),
        "the columns give the records' bills"
    );
    let (one_wall, one_cpu, _) = best_of(runs, 1, columns_path);
    let (all_wall, all_cpu, _) = best_of(runs, threads, columns_path);
    let rate = |d: Duration| input.deliveries.len() as f64 / d.as_secs_f64() / 1e6;
    let by_customer = records_by_customer(&columns);
    let mut floor_cpu = Duration::MAX;
    for _ in 0..runs {
        let cpu = cpu_time();
        let sources = output_floor(&columns, &by_customer);
        floor_cpu = floor_cpu.min(cpu_time() - cpu);
        drop(std::hint::black_box(sources));
    }
    println!(
        "          output floor (one line source per record, nothing else), 1 thread: {:.2}M/s/core; columns path at {:.0}% of it",
        rate(floor_cpu),
        100.0 * floor_cpu.as_secs_f64() / one_cpu.as_secs_f64()
    );
    println!(
        "          columns: 1 thread {:.0}ms {:.2}M/s/core ({:.2}x records) | all {:.0}ms {:.2}M/s wall {:.2}M/s/core ({:.2}x records); same bills; columns built from records in {:.0}ms",
        one_wall.as_secs_f64() * 1e3,
        rate(one_cpu),
        records.0.as_secs_f64() / one_cpu.as_secs_f64(),
        all_wall.as_secs_f64() * 1e3,
        rate(all_wall),
        rate(all_cpu),
        records.1.as_secs_f64() / all_cpu.as_secs_f64(),
        built.as_secs_f64() * 1e3,
    );
}

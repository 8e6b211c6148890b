//! Churn scoring speed: a million synthetic customers scored in one call.
//!
//! Usage: `cargo run --release -p earlybird-benches --bin churn_speed -- [CUSTOMERS]`
//! Reports ns per customer on one thread and on all threads, for scoring precomputed factor
//! risks and for scoring from raw histories (feature extraction included). Each figure is the
//! best of 5 runs.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use earlybird::churn::{
    ChurnConfig, ChurnEngine, ChurnInput, DeliverySignals, FactorParams, FactorRisks,
    PaymentSignals, Purchase, PurchaseModel, ServiceSignals, SubscriptionSignals,
};
use rust_decimal::Decimal;

/// A fixed linear congruential generator: the same customers on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn customers(n: usize, now: NaiveDate) -> Vec<ChurnInput> {
    let mut rng = Lcg(42);
    (0..n)
        .map(|_| {
            let count = 1 + rng.below(12);
            let gap = 1 + rng.below(20);
            let since = rng.below(120);
            let purchases = (0..count)
                .map(|i| Purchase {
                    date: now - Days::new(since + i * gap),
                    amount: Decimal::new(2_000 + rng.below(50_000) as i64, 2),
                })
                .collect();
            let with = |rng: &mut Lcg| rng.below(2) == 0;
            ChurnInput {
                signup_date: Some(now - Days::new(since + count * gap + rng.below(400))),
                purchases,
                deliveries: with(&mut rng).then(|| DeliverySignals {
                    delivered: 25,
                    partially_delivered: rng.below(3) as u32,
                    not_delivered: rng.below(3) as u32,
                }),
                subscription: with(&mut rng).then(|| SubscriptionSignals {
                    cancelled: rng.below(20) == 0,
                    paused_days: rng.below(10) as u32,
                    scheduled_deliveries: 30,
                    skipped_deliveries: rng.below(5) as u32,
                }),
                payments: with(&mut rng).then(|| PaymentSignals {
                    overdue_amount: Decimal::new(rng.below(300_000) as i64, 2),
                    overdue_days: rng.below(60) as u32,
                    failed_payments: rng.below(3) as u32,
                }),
                service: with(&mut rng).then(|| ServiceSignals {
                    complaints: rng.below(3) as u32,
                    disputes: rng.below(2) as u32,
                }),
            }
        })
        .collect()
}

/// CPU time of the whole process (user + system) from `/proc/self/stat`, in 10 ms ticks.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.to_string();
            let f: Vec<u64> = after
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|v| v.parse().ok())
                .collect();
            Some(f.iter().sum::<u64>())
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// Best wall time and best CPU time of `runs` runs (the machine is shared: CPU time shows the
/// work done, wall time what a caller waited).
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut wall = Duration::MAX;
    let mut cpu = Duration::MAX;
    for _ in 0..runs {
        let (start, start_cpu) = (Instant::now(), cpu_time());
        let out = f();
        let (w, c) = (start.elapsed(), cpu_time().saturating_sub(start_cpu));
        drop(std::hint::black_box(out));
        wall = wall.min(w);
        cpu = cpu.min(c);
    }
    (wall, cpu)
}

fn ns_per(d: Duration, n: usize) -> f64 {
    d.as_nanos() as f64 / n as f64
}

fn main() -> Result<(), String> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().map_err(|e| format!("customers: {e}")))
        .transpose()?
        .unwrap_or(1_000_000);
    let now = NaiveDate::from_ymd_opt(2026, 11, 25).ok_or("date")?;
    let engine = ChurnEngine::new(ChurnConfig::default()).map_err(|e| e.to_string())?;
    let inputs = customers(n, now);
    let risks: Vec<FactorRisks> = inputs
        .iter()
        .map(|i| engine.risks(i, now).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| e.to_string())?;
    let threads = rayon::current_num_threads();

    let risks_1 = one.install(|| best_of(5, || engine.score_risks_batch(&risks)));
    let risks_all = best_of(5, || engine.score_risks_batch(&risks));
    let full_1 = one.install(|| best_of(5, || engine.score_batch(&inputs, now)));
    let full_all = best_of(5, || engine.score_batch(&inputs, now));
    let compute_1 = best_of(5, || {
        risks
            .iter()
            .filter_map(|r| engine.score_risks(r).ok())
            .map(|s| s.score)
            .max()
    });
    let extract_1 = best_of(5, || {
        inputs
            .iter()
            .map(|i| engine.risks(i, now).is_ok())
            .filter(|ok| *ok)
            .count()
    });

    let fit = best_of(1, || PurchaseModel::fit(&inputs, now, 91).map(|m| m.r));
    let model = PurchaseModel::fit(&inputs, now, 91).map_err(|e| e.to_string())?;
    let model_engine = ChurnEngine::new(ChurnConfig {
        params: FactorParams {
            purchase_model: Some(model),
            spend_level_half_amount: Some(Decimal::from(50)),
            ..FactorParams::default()
        },
        ..ChurnConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let extract_model = best_of(5, || {
        inputs
            .iter()
            .map(|i| model_engine.risks(i, now).is_ok())
            .filter(|ok| *ok)
            .count()
    });

    let purchases: usize = inputs.iter().map(|i| i.purchases.len()).sum();
    println!(
        "{n} synthetic customers, {:.1} purchases each on average, {threads} threads",
        purchases as f64 / n as f64
    );
    println!(
        "\n| what | 1 thread: wall ns/customer | 1 thread: CPU ns/customer | {threads} threads: wall ns/customer | {threads} threads: CPU ns/customer | wall speed-up |"
    );
    println!("|---|---|---|---|---|---|");
    let line = |what: &str, a: (Duration, Duration), b: (Duration, Duration)| {
        println!(
            "| {what} | {:.0} | {:.0} | {:.0} | {:.0} | {:.2}x |",
            ns_per(a.0, n),
            ns_per(a.1, n),
            ns_per(b.0, n),
            ns_per(b.1, n),
            a.0.as_secs_f64() / b.0.as_secs_f64()
        );
    };
    line(
        "score from precomputed risks (`score_risks_batch`)",
        risks_1,
        risks_all,
    );
    line(
        "score from raw history (`score_batch`, extraction included)",
        full_1,
        full_all,
    );
    println!(
        "| score from precomputed risks, sequential, explanation built then dropped (no 1M-result vector) | {:.0} | {:.0} | | | |",
        ns_per(compute_1.0, n),
        ns_per(compute_1.1, n)
    );
    println!(
        "| feature extraction alone (`risks`, sequential, no output kept) | {:.0} | {:.0} | | | |",
        ns_per(extract_1.0, n),
        ns_per(extract_1.1, n)
    );
    println!(
        "| feature extraction with the purchase model and spend level (`risks`, sequential) | {:.0} | {:.0} | | | |",
        ns_per(extract_model.0, n),
        ns_per(extract_model.1, n)
    );
    println!(
        "\nFitting the purchase model on all {n} customers (once, sequential): {:.2} s wall, {:.2} s CPU.",
        fit.0.as_secs_f64(),
        fit.1.as_secs_f64()
    );
    Ok(())
}

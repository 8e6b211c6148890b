//! Loyalty at scale: one million members, ten million ledger entries.
//!
//! Measures ingesting the events, deriving every balance, building the three leaderboards,
//! answering rank and percentile queries (against a linear scan, as a ratio), the expiry
//! sweep and the monthly review. Run with
//! `cargo run --release -p earlybird-benches --bin loyalty [members]`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, Utc};
use earlybird::loyalty::{LoyaltyConfig, LoyaltyEvent, Program, RedemptionRequest, Standing};
use earlybird::record::{Payment, PaymentMethod};
use rust_decimal::Decimal;

/// SplitMix64: a tiny deterministic generator, so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn customer(i: u64) -> String {
    format!("c{i:07}")
}

fn payment(id: String, customer_id: &str, paise: u64, at: DateTime<Utc>) -> LoyaltyEvent {
    LoyaltyEvent::PaymentReceived {
        payment: Payment {
            id,
            customer_id: customer_id.to_owned(),
            amount: Decimal::new(paise as i64, 2),
            method: PaymentMethod::Upi,
            date: at.date_naive(),
            reference: None,
        },
        at,
    }
}

/// Ten ledger entries per member: a first-order bonus, a review bonus, seven payments and
/// either a redemption (90 %) or a refund (10 %), spread over the last eleven months and
/// applied in time order.
fn ingest(program: &mut Program, members: u64, now: DateTime<Utc>, rng: &mut Rng) -> u64 {
    let mut events = 0;
    for i in 0..members {
        let id = customer(i);
        let scale = 1 + rng.below(40);
        let mut days: Vec<u64> = (0..7).map(|_| 1 + rng.below(330)).collect();
        days.sort_unstable_by(|a, b| b.cmp(a));
        let first = now - Days::new(days[0] + 1);
        let mut apply = |event: LoyaltyEvent| {
            program.apply(&event).expect("generated events are valid");
            events += 1;
        };
        apply(LoyaltyEvent::OrderDelivered {
            customer_id: id.clone(),
            order_id: format!("o{i}"),
            at: first,
        });
        apply(LoyaltyEvent::ReviewPosted {
            customer_id: id.clone(),
            order_id: format!("o{i}"),
            at: first,
        });
        let mut last_paise = 0;
        for (k, d) in days.iter().enumerate() {
            last_paise = 5_000 + rng.below(10_000) * scale;
            apply(payment(
                format!("p{i}-{k}"),
                &id,
                last_paise,
                now - Days::new(*d),
            ));
        }
        if rng.below(10) == 0 {
            apply(LoyaltyEvent::PaymentRefunded {
                customer_id: id.clone(),
                payment_id: format!("p{i}-3"),
                at: now - Days::new(1),
            });
        } else {
            let at = now - Days::new(1);
            let charges = Decimal::new(last_paise as i64 * 2, 2);
            let preview = program.preview_redemption(&id, charges, at);
            let points = preview.max_points.max(100);
            let request = RedemptionRequest {
                customer_id: id.clone(),
                key: format!("bill{i}"),
                points,
                bill_charges: charges.max(Decimal::from(points)),
                at,
            };
            if program.redeem(&request).is_ok() {
                events += 1;
            }
        }
    }
    events
}

fn per(d: Duration, n: u64) -> String {
    let ns = d.as_nanos() as f64 / n.max(1) as f64;
    if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn rate(d: Duration, n: u64) -> String {
    format!("{:.2} M/s", n as f64 / d.as_secs_f64() / 1e6)
}

/// CPU time of this process so far (user + system), from `/proc/self/stat`: on a shared,
/// oversubscribed machine it says what the work cost, where wall time also counts waiting.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.to_owned();
            let fields: Vec<&str> = after.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some(utime + stime)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// Wall and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let out = f();
    (out, wall.elapsed(), cpu_time().saturating_sub(cpu))
}

fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or_else(|| "n/a".to_owned(), |kb| format!("{} MiB", kb / 1024))
}

fn main() {
    let members: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let now: DateTime<Utc> = "2026-11-25T06:00:00Z".parse().expect("instant");
    let mut rng = Rng(0x5EED_2026);
    let mut program = Program::new(LoyaltyConfig::default()).expect("default config");
    let line = |name: &str, wall: Duration, cpu: Duration, what: String| {
        println!("{name:<16} wall {wall:>9.2?}  cpu {cpu:>9.2?}  {what}");
    };

    let (events, wall, cpu) = timed(|| ingest(&mut program, members, now, &mut rng));
    let entries: u64 = program
        .members()
        .map(|m| m.ledger().entries().len() as u64)
        .sum();
    println!("members {members}, events {events}, ledger entries {entries}");
    line(
        "ingest",
        wall,
        cpu,
        format!(
            "{} events by cpu time ({} cpu per event)",
            rate(cpu, events),
            per(cpu, events)
        ),
    );

    let (total, wall, cpu) = timed(|| {
        program
            .members()
            .map(|m| black_box(m.balance()))
            .sum::<i64>()
    });
    line(
        "balances",
        wall,
        cpu,
        format!(
            "{} entries by wall time ({} wall per member), total {total} points",
            rate(wall, entries),
            per(wall, members)
        ),
    );

    let (boards, wall, cpu) = timed(|| program.leaderboards(now));
    line(
        "leaderboards",
        wall,
        cpu,
        format!(
            "all-time {} + {} tier boards + this week {}",
            boards.all_time.len(),
            boards.by_tier.len(),
            boards.this_week.len()
        ),
    );

    // Rank and percentile of random members.
    let queries = members.min(1_000_000);
    let ids: Vec<String> = (0..queries).map(|_| customer(rng.below(members))).collect();
    let (found, query_wall, cpu) = timed(|| {
        ids.iter()
            .filter_map(|id| black_box(boards.all_time.position(id)))
            .count()
    });
    let mut latencies: Vec<Duration> = ids
        .iter()
        .take(100_000)
        .map(|id| {
            let t = Instant::now();
            black_box(boards.all_time.position(id));
            t.elapsed()
        })
        .collect();
    latencies.sort_unstable();
    let pct = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    line(
        "rank+percentile",
        query_wall,
        cpu,
        format!(
            "{queries} queries ({found} found): {} queries by wall time, {} wall per query; 100k timed one by one: p50 {:?}, p99 {:?}",
            rate(query_wall, queries),
            per(query_wall, queries),
            pct(0.5),
            pct(0.99),
        ),
    );

    // The same answer by a linear scan over the standings, for the ratio.
    let scans = 200u64;
    let standings: &[Standing] = boards.all_time.standings();
    let (_, scan_wall, cpu) = timed(|| {
        for id in ids.iter().take(scans as usize) {
            black_box(standings.iter().position(|s| &s.customer_id == id));
        }
    });
    let ratio =
        (scan_wall.as_secs_f64() / scans as f64) / (query_wall.as_secs_f64() / queries as f64);
    line(
        "linear scan",
        scan_wall,
        cpu,
        format!(
            "{scans} queries, {} per query: the indexed query is {ratio:.0}x faster",
            per(scan_wall, scans)
        ),
    );

    println!("\n{}", boards.this_week.render("This week (top 5)", 5));

    let (changes, wall, cpu) = timed(|| program.monthly_review(now + Days::new(7)).len());
    line(
        "monthly review",
        wall,
        cpu,
        format!(
            "{changes} tier changes ({} wall per member)",
            per(wall, members)
        ),
    );
    let (expired, wall, cpu) = timed(|| program.expire(now + Days::new(183)).len() as u64);
    line(
        "expiry sweep",
        wall,
        cpu,
        format!(
            "{expired} expire entries at now + 183 days ({} wall per member)",
            per(wall, members)
        ),
    );
    println!("peak RSS {}", peak_rss_mib());
}

//! Activation benchmark: full replay of 1,000,000 generated customers, the daily snapshot
//! sweep at "now", and weekly cohort retention, on one thread and on every core.
//!
//! `cargo run --release -p earlybird-benches --bin activation [customers] [--anchors]`
//!
//! `--anchors` also runs `benches/anchors/activation.py` (Python, pandas, DuckDB) on the same
//! data in the same run and prints the ratios.

use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use earlybird::activation::{
    ActivationConfig, ActivityTable, CustomerSnapshot, Granularity, cohort_retention, cohort_text,
    funnel_text, metrics, replay_all, sweep_snapshots,
};
use earlybird_benches::activation_data::history;

const CHUNK: u64 = 100_000;
/// Measured anchors on this machine (see RESULTS.md): seconds.
const PYTHON_NAIVE_SWEEP: f64 = 0.33;
const PANDAS_COHORT: f64 = 2.1;
const DUCKDB_COHORT: f64 = 0.84;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

/// Time this thread has spent on a CPU. The machine is shared by several engineers at once,
/// so the on-CPU time of the single worker says more than the wall clock.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// CPU time of the whole process (every thread), user and system.
fn process_cpu() -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value to be overwritten by the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage for the duration of the call.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Runs `f` on the pool and returns (wall, on-CPU time of the calling worker, result).
fn timed<T: Send>(
    pool: &rayon::ThreadPool,
    f: impl FnOnce() -> T + Send,
) -> (Duration, Duration, T) {
    let wall = Instant::now();
    let (cpu, out) = pool.install(|| {
        let cpu = thread_cpu();
        let out = f();
        (thread_cpu() - cpu, out)
    });
    (wall.elapsed(), cpu, out)
}

/// The run with the smallest wall time out of `runs`.
fn best<T>(runs: usize, mut f: impl FnMut() -> (Duration, Duration, T)) -> (Duration, Duration, T) {
    let mut best = f();
    for _ in 1..runs {
        let next = f();
        if next.0 < best.0 {
            best = next;
        }
    }
    best
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The generated data as flat integer columns for the Python anchors (days from 0001-01-01).
#[derive(Default)]
struct Export {
    signup: Vec<i32>,
    customer: Vec<i32>,
    day: Vec<i32>,
}

fn write_i32(path: &std::path::Path, values: &[i32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).expect("the temporary directory is writable");
}

/// Runs `benches/anchors/activation.py` on the same data, in the same run, and prints the
/// ratios (anchor time ÷ ours; wall and process CPU).
fn run_anchors(
    export: &Export,
    today: NaiveDate,
    sweep: (Duration, Duration),
    weekly: (Duration, Duration),
) {
    let dir = std::env::temp_dir().join("earlybird-activation-anchors");
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    write_i32(&dir.join("signup.i32"), &export.signup);
    write_i32(&dir.join("activity_customer.i32"), &export.customer);
    write_i32(&dir.join("activity_day.i32"), &export.day);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/anchors/activation.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(&dir)
        .arg(today.num_days_from_ce().to_string())
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        _ => {
            println!("anchors: python3 with pandas and duckdb is needed ({script})");
            return;
        }
    };
    println!("anchors on the same data, one thread (wall / process CPU), ratio = anchor / ours:");
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [name, wall, cpu] = parts[..] else {
            continue;
        };
        let (Ok(wall), Ok(cpu)) = (wall.parse::<f64>(), cpu.parse::<f64>()) else {
            continue;
        };
        let ours = if name.contains("sweep") {
            sweep
        } else {
            weekly
        };
        println!(
            "  {name}: {wall:.4} s wall / {cpu:.4} s CPU; ours {:.4} s / {:.4} s; ratio {:.1}x wall, {:.1}x CPU",
            secs(ours.0),
            secs(ours.1),
            wall / secs(ours.0),
            cpu / secs(ours.1)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let customers: u64 = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let anchors = args.iter().any(|a| a == "--anchors");
    let mut export = Export::default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one, all) = (pool(1), pool(cores));
    let config = ActivationConfig::default();
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
    let yesterday = today - Days::new(1);
    let zone = config.zone;
    let now = zone.start_of(today) + chrono::Duration::hours(1);
    let replay_until = zone.start_of(yesterday) + chrono::Duration::hours(1);

    println!("activation benchmark: {customers} customers, {cores} cores");
    println!("times: wall (on-CPU of the single worker thread, where 1 thread)");
    let mut snapshots: Vec<CustomerSnapshot> = Vec::with_capacity(customers as usize);
    let mut table = ActivityTable::with_capacity(customers as usize, 9 * customers as usize);
    let mut replay_one = (Duration::ZERO, Duration::ZERO);
    let mut replay_many = (Duration::ZERO, Duration::ZERO);
    let (mut events, mut activity, mut transitions) = (0usize, 0usize, 0usize);
    let mut start = 0;
    while start < customers {
        let end = (start + CHUNK).min(customers);
        let histories: Vec<_> = (start..end).map(|n| history(n, today)).collect();
        for h in &histories {
            events += h.events.len();
            let signup = h.events.first().map_or(today, |e| zone.date_of(e.at));
            let acts = h.events.iter().filter(|e| e.kind.is_activity());
            activity += acts.clone().count();
            if anchors {
                let index = export.signup.len() as i32;
                export.signup.push(signup.num_days_from_ce());
                for e in acts.clone() {
                    export.customer.push(index);
                    export.day.push(zone.date_of(e.at).num_days_from_ce());
                }
            }
            table.push(signup, acts.map(|e| zone.date_of(e.at)));
        }
        let copy = histories.clone();
        let (wall, cpu, folded) = timed(&one, || replay_all(copy, replay_until, config));
        replay_one.0 += wall;
        replay_one.1 += cpu;
        drop(folded);
        let cpu = process_cpu();
        let (wall, _, folded) = timed(&all, || replay_all(histories, replay_until, config));
        replay_many.0 += wall;
        replay_many.1 += process_cpu() - cpu;
        for c in folded {
            let c = c.expect("generated histories are valid");
            transitions += c.timeline().len();
            snapshots.push(c.snapshot());
        }
        start = end;
    }
    println!(
        "generated {events} events ({activity} activity events); the replay made {transitions} transitions"
    );
    println!(
        "full replay (validate, sort, fold with timelines and holidays): 1 thread {:.3} s ({:.3} s CPU, {:.0} ns/event), {cores} threads {:.3} s ({:.3} s CPU, all threads)",
        secs(replay_one.0),
        secs(replay_one.1),
        secs(replay_one.1) * 1e9 / events as f64,
        secs(replay_many.0),
        secs(replay_many.1)
    );

    let sweep = |pool: &rayon::ThreadPool, at| {
        best(5, || {
            let mut base = snapshots.clone();
            timed(pool, || sweep_snapshots(&mut base, at, &config).len())
        })
    };
    let (wall, cpu, made) = sweep(&one, now);
    let ours_sweep = (wall, cpu);
    let (wall_all, _, _) = sweep(&all, now);
    println!(
        "snapshot sweep at now (the morning after the replay): {made} transitions; 1 thread {:.4} s ({:.4} s CPU; naive Python sweep {PYTHON_NAIVE_SWEEP} s = {:.1}x CPU), {cores} threads {:.4} s",
        secs(wall),
        secs(cpu),
        PYTHON_NAIVE_SWEEP / secs(cpu),
        secs(wall_all)
    );
    let (wall, cpu, made) = sweep(&one, now + chrono::Duration::days(30));
    println!(
        "snapshot sweep 30 days later (30 mornings at once): {made} transitions; 1 thread {:.4} s ({:.4} s CPU)",
        secs(wall),
        secs(cpu)
    );

    let cohorts = |pool: &rayon::ThreadPool, granularity| {
        best(5, || {
            timed(pool, || cohort_retention(&table, granularity, today))
        })
    };
    let (wall, cpu, weekly) = cohorts(&one, Granularity::Week);
    let ours_weekly = (wall, cpu);
    let (wall_all, _, _) = cohorts(&all, Granularity::Week);
    println!(
        "weekly cohort retention: {} cohorts x {} periods; 1 thread {:.4} s ({:.4} s CPU; pandas {PANDAS_COHORT} s = {:.1}x, DuckDB {DUCKDB_COHORT} s = {:.1}x CPU), {cores} threads {:.4} s",
        weekly.rows.len(),
        weekly.periods,
        secs(wall),
        secs(cpu),
        PANDAS_COHORT / secs(cpu),
        DUCKDB_COHORT / secs(cpu),
        secs(wall_all)
    );
    let (wall, cpu, monthly) = cohorts(&one, Granularity::Month);
    println!(
        "monthly cohort retention: {} cohorts; 1 thread {:.4} s ({:.4} s CPU)",
        monthly.rows.len(),
        secs(wall),
        secs(cpu)
    );
    let bills = std::collections::BTreeMap::new();
    let (wall, cpu, m) = best(3, || {
        timed(&one, || metrics(&snapshots, &bills, now, &config))
    });
    println!(
        "metrics at now (states, stalled, funnel): 1 thread {:.4} s ({:.4} s CPU)",
        secs(wall),
        secs(cpu)
    );
    if anchors {
        run_anchors(&export, today, ours_sweep, ours_weekly);
    }
    println!("\n{}", funnel_text(&m.funnel));
    println!("per state: {:?}", m.per_state);
    println!("\n{}", cohort_text(&monthly, 12));
}

//! The core's own time for `routing::solve` on the problem the Node routing benchmark
//! (`benches/node/routing.mjs`) solves through the binding, read from the JSON file it writes.
//! Prints one JSON line: the best of `rounds` solves in milliseconds and the plan's distance.
//!
//! `cargo run --release -p earlybird-benches --bin node_routing_baseline -- problem.json 5`

use std::time::Instant;

use earlybird::routing::{Problem, solve};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: node_routing_baseline <problem.json> [rounds]");
    let rounds: u32 = args
        .next()
        .map_or(5, |r| r.parse().expect("rounds is a number"));
    let text = std::fs::read_to_string(&path).expect("the problem file is readable");
    // Read through a `Value`, as the binding does: serde_json's direct reader (without its
    // `float_roundtrip` feature) may read a coordinate one ulp off, which changes the plan's
    // last digits (docs/node.md, "Noticed").
    let value: serde_json::Value = serde_json::from_str(&text).expect("the problem is JSON");
    let problem: Problem = serde_json::from_value(value).expect("the problem is the core's JSON");
    let mut best = f64::INFINITY;
    let mut distance = 0.0;
    for _ in 0..rounds {
        let start = Instant::now();
        let plan = solve(&problem).expect("the benchmark problem is valid");
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        distance = plan.total_distance;
    }
    println!("{{\"solve_ms\": {best:.2}, \"total_distance\": {distance}}}");
}

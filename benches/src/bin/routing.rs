//! Route optimizer benchmark over the public instances in `bench-data/` (TSPLIB, Solomon
//! VRPTW with its 25-vehicle fleet, Uchoa X CVRP): gap to the optimum / best-known, wall time
//! and vehicles used at each time budget, single-threaded, with the instances' own distance
//! conventions fed as a host matrix. `benches/routing_compare.py` prints the same table for
//! OR-Tools and PyVRP.
//!
//! Usage: `cargo run --release -p earlybird-benches --bin routing -- [DATA_DIR] [--budgets 1 10] [--only tsp,vrptw,cvrp]`
//! (DATA_DIR defaults to `$EARLYBIRD_BENCH_DATA`, then `../shared/bench-data` beside the repository).

use std::path::{Path, PathBuf};
use std::time::Instant;

use earlybird::routing::{
    Distances, Problem, RouteEnd, SolveOptions, Speed, Stop, TimeWindow, Vehicle, solve,
    validate::validate,
};

struct Instance {
    family: &'static str,
    name: String,
    reference: f64,
    problem: Problem,
}

fn numbers(line: &str) -> Vec<f64> {
    line.split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn euclid(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn matrix(coords: &[(f64, f64)], round: impl Fn(f64) -> f64) -> Vec<Vec<f64>> {
    coords
        .iter()
        .map(|a| coords.iter().map(|b| round(euclid(*a, *b))).collect())
        .collect()
}

fn stop(i: usize, demand: f64, window: Option<TimeWindow>, service: f64) -> Stop {
    Stop {
        id: format!("{i}"),
        location: None,
        service_minutes: service,
        time_window: window,
        demand: vec![demand],
        priority: 0,
        drop_penalty: None,
    }
}

fn problem(distances: Vec<Vec<f64>>, stops: Vec<Stop>, vehicles: Vec<Vehicle>) -> Problem {
    Problem {
        depot: None,
        stops,
        vehicles,
        distances: Distances::Matrix {
            durations: Some(distances.clone()),
            distances,
        },
        speed: Speed::default(),
        previous_plan: None,
        options: SolveOptions::default(),
    }
}

fn vehicle(id: usize, capacity: f64, shift_start: f64, shift_end: f64) -> Vehicle {
    Vehicle {
        id: format!("v{id}"),
        capacity: vec![capacity],
        shift_start,
        shift_end,
        start: None,
        end: RouteEnd::Depot,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reference cost and number of routes of a `.sol` file.
fn solution(path: &Path) -> (f64, usize) {
    let text = read(path);
    let routes = text.lines().filter(|l| l.starts_with("Route")).count();
    let cost = text
        .lines()
        .find_map(|l| l.strip_prefix("Cost").and_then(|c| c.trim().parse().ok()))
        .unwrap_or(f64::NAN);
    (cost, routes)
}

fn sorted_files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    files.sort();
    files
}

fn coordinate_section(text: &str, section: &str) -> Vec<Vec<f64>> {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with(section))
        .skip(1)
        .take_while(|l| !l.contains("SECTION") && !l.trim_start().starts_with("EOF"))
        .map(numbers)
        .filter(|n| !n.is_empty())
        .collect()
}

fn tsplib(data: &Path) -> Vec<Instance> {
    let optima = read(&data.join("tsplib/solutions.txt"));
    let optimum = |name: &str| {
        optima.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            (n.trim() == name)
                .then(|| numbers(v).first().copied())
                .flatten()
        })
    };
    let mut out: Vec<Instance> = sorted_files(&data.join("tsplib"), "tsp")
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let coords: Vec<(f64, f64)> = coordinate_section(&read(&path), "NODE_COORD_SECTION")
                .iter()
                .map(|r| (r[1], r[2]))
                .collect();
            let stops = (1..coords.len()).map(|i| stop(i, 0.0, None, 0.0)).collect();
            let vehicles = vec![Vehicle {
                capacity: Vec::new(),
                ..vehicle(0, 0.0, 0.0, 1e12)
            }];
            Instance {
                family: "TSP",
                reference: optimum(&name).unwrap_or(f64::NAN),
                name,
                problem: problem(matrix(&coords, |d| (d + 0.5).floor()), stops, vehicles),
            }
        })
        .collect();
    out.sort_by_key(|i| i.problem.stops.len());
    out
}

fn solomon(data: &Path) -> Vec<Instance> {
    sorted_files(&data.join("solomon"), "txt")
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = read(&path);
            let lines: Vec<&str> = text.lines().collect();
            let fleet_line = lines
                .iter()
                .position(|l| l.contains("NUMBER"))
                .map(|k| numbers(lines[k + 1]))
                .unwrap_or_default();
            let (fleet, capacity) = (fleet_line[0] as usize, fleet_line[1]);
            let rows: Vec<Vec<f64>> = lines
                .iter()
                .map(|l| numbers(l))
                .filter(|n| n.len() == 7)
                .collect();
            let coords: Vec<(f64, f64)> = rows.iter().map(|r| (r[1], r[2])).collect();
            let stops = rows[1..]
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    stop(
                        i + 1,
                        r[3],
                        Some(TimeWindow {
                            start: r[4],
                            end: r[5],
                        }),
                        r[6],
                    )
                })
                .collect();
            let vehicles = (0..fleet)
                .map(|v| vehicle(v, capacity, rows[0][4], rows[0][5]))
                .collect();
            Instance {
                family: "VRPTW",
                reference: solution(&path.with_extension("sol")).0,
                name,
                problem: problem(
                    matrix(&coords, |d| (10.0 * d).floor() / 10.0),
                    stops,
                    vehicles,
                ),
            }
        })
        .collect()
}

fn uchoa(data: &Path) -> Vec<Instance> {
    let mut out: Vec<Instance> = sorted_files(&data.join("cvrp-x"), "vrp")
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = read(&path);
            let capacity = text
                .lines()
                .find(|l| l.trim_start().starts_with("CAPACITY"))
                .and_then(|l| numbers(l).first().copied())
                .unwrap_or(0.0);
            let coords: Vec<(f64, f64)> = coordinate_section(&text, "NODE_COORD_SECTION")
                .iter()
                .map(|r| (r[1], r[2]))
                .collect();
            let demand: Vec<f64> = coordinate_section(&text, "DEMAND_SECTION")
                .iter()
                .map(|r| r[1])
                .collect();
            let (reference, routes) = solution(&path.with_extension("sol"));
            let k: usize = name
                .rsplit("-k")
                .next()
                .and_then(|k| k.parse().ok())
                .unwrap_or(routes);
            let stops = (1..coords.len())
                .map(|i| stop(i, demand[i], None, 0.0))
                .collect();
            let vehicles = (0..k.max(routes) + 2)
                .map(|v| vehicle(v, capacity, 0.0, 1e12))
                .collect();
            Instance {
                family: "CVRP",
                reference,
                name,
                problem: problem(matrix(&coords, |d| (d + 0.5).floor()), stops, vehicles),
            }
        })
        .collect();
    out.sort_by_key(|i| i.problem.stops.len());
    out
}

/// Gap in percent, rounded to 2 decimals (so float noise does not print as -0.00).
fn percent(cost: f64, reference: f64) -> f64 {
    let gap = (100.0 * (cost - reference) / reference * 100.0).round() / 100.0;
    if gap == 0.0 { 0.0 } else { gap }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut budgets = vec![1.0, 10.0];
    let mut only = vec!["tsp".to_string(), "vrptw".into(), "cvrp".into()];
    let mut data = None;
    let mut k = 0;
    while k < args.len() {
        match args[k].as_str() {
            "--budgets" => {
                budgets.clear();
                while let Some(b) = args.get(k + 1).and_then(|a| a.parse().ok()) {
                    budgets.push(b);
                    k += 1;
                }
            }
            "--only" => {
                only = args
                    .get(k + 1)
                    .map(|a| a.split(',').map(String::from).collect())
                    .unwrap_or_default();
                k += 1;
            }
            other => data = Some(PathBuf::from(other)),
        }
        k += 1;
    }
    let data = data
        .or_else(|| std::env::var_os("EARLYBIRD_BENCH_DATA").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench-data"));
    let mut instances = Vec::new();
    if only.iter().any(|o| o == "tsp") {
        instances.extend(tsplib(&data));
    }
    if only.iter().any(|o| o == "vrptw") {
        instances.extend(solomon(&data));
    }
    if only.iter().any(|o| o == "cvrp") {
        instances.extend(uchoa(&data));
    }
    println!(
        "| family | instance | solver | budget s | cost | ref | gap % | wall s | vehicles | nn gap % | valid | iterations |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    let mut rows: Vec<(&str, f64, f64)> = Vec::new();
    for instance in &instances {
        for &budget in &budgets {
            let mut problem = instance.problem.clone();
            problem.options = SolveOptions {
                seed: 1,
                time_budget_ms: Some((budget * 1000.0) as u64),
                iteration_limit: None,
                threads: 1,
            };
            let started = Instant::now();
            let result = solve(&problem);
            let wall = started.elapsed().as_secs_f64();
            let Ok(plan) = result else {
                println!(
                    "| {} | {} | earlybird | {budget} | error | {} | inf | {wall:.2} | 0 | - | no | 0 |",
                    instance.family, instance.name, instance.reference
                );
                rows.push((instance.family, budget, f64::INFINITY));
                continue;
            };
            let valid = validate(&problem, &plan).is_empty() && plan.unassigned.is_empty();
            let gap = if valid {
                percent(plan.total_distance, instance.reference)
            } else {
                f64::INFINITY
            };
            let nn = plan
                .comparison
                .as_ref()
                .filter(|c| c.nearest_neighbour.stops_served == problem.stops.len())
                .map_or("over fleet".to_string(), |c| {
                    format!(
                        "{:.2}",
                        percent(c.nearest_neighbour.distance, instance.reference)
                    )
                });
            println!(
                "| {} | {} | earlybird | {budget} | {:.1} | {} | {gap:.2} | {wall:.2} | {} | {nn} | {} | {} |",
                instance.family,
                instance.name,
                plan.total_distance,
                instance.reference,
                plan.vehicles_used,
                if valid { "yes" } else { "NO" },
                plan.iterations
            );
            rows.push((instance.family, budget, gap));
        }
    }
    println!();
    println!("| family | solver | budget s | median gap % | no valid plan |");
    println!("|---|---|---:|---:|---:|");
    for family in ["TSP", "VRPTW", "CVRP"] {
        for &budget in &budgets {
            let gaps: Vec<f64> = rows
                .iter()
                .filter(|r| r.0 == family && r.1 == budget)
                .map(|r| r.2)
                .collect();
            if !gaps.is_empty() {
                let failed = gaps.iter().filter(|g| g.is_infinite()).count();
                println!(
                    "| {family} | earlybird | {budget} | {:.2} | {failed} |",
                    median(gaps)
                );
            }
        }
    }
}

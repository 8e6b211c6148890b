//! The search driver: budget, the choice between the single-tour search and the general
//! ruin-and-recreate search, and optional parallel runs with different seeds.

use std::time::{Duration, Instant};

use super::construct::insert_all;
use super::instance::Instance;
use super::metaheuristic;
use super::problem::SolveOptions;
use super::rng::Rng;
use super::solution::Solution;
use super::tsp::improve_tour;

/// Iterations and wall-clock time left to the search.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    started: Instant,
    time: Option<Duration>,
    limit: Option<u64>,
    pub done: u64,
}

impl Budget {
    /// A budget counted from `started` (the moment the host called the optimizer).
    pub(crate) fn new(options: &SolveOptions, started: Instant) -> Self {
        Budget {
            started,
            time: options.time_budget_ms.map(Duration::from_millis),
            limit: options.iteration_limit,
            done: 0,
        }
    }

    /// Counts one more iteration and returns the progress in `[0, 1]`, or `None` when spent.
    pub(crate) fn next(&mut self) -> Option<f64> {
        let by_count = match self.limit {
            Some(limit) if self.done >= limit => return None,
            Some(limit) => self.done as f64 / limit as f64,
            None => 0.0,
        };
        let by_time = match self.time {
            Some(time) => {
                let used = self.started.elapsed().as_secs_f64() / time.as_secs_f64().max(1e-9);
                if used >= 1.0 {
                    return None;
                }
                used
            }
            None => 0.0,
        };
        self.done += 1;
        Some(by_count.max(by_time))
    }
}

/// Best solution found within the options' budget, and the iterations it took.
pub(crate) fn run(
    instance: &Instance,
    options: &SolveOptions,
    started: Instant,
) -> (Solution, u64) {
    if options.threads <= 1 {
        return run_seed(instance, options, options.seed, started);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build();
    let seeds: Vec<u64> = (0..options.threads as u64)
        .map(|k| options.seed.wrapping_add(k))
        .collect();
    let results: Vec<(Solution, u64)> = match pool {
        Ok(pool) => pool.install(|| {
            use rayon::prelude::*;
            seeds
                .par_iter()
                .map(|&seed| run_seed(instance, options, seed, started))
                .collect()
        }),
        Err(_) => seeds
            .iter()
            .map(|&seed| run_seed(instance, options, seed, started))
            .collect(),
    };
    let iterations = results.iter().map(|r| r.1).sum();
    let best = results.into_iter().map(|r| r.0).reduce(|best, next| {
        if next.cost(instance) < best.cost(instance) {
            next
        } else {
            best
        }
    });
    (
        best.unwrap_or_else(|| Solution::empty(instance)),
        iterations,
    )
}

fn run_seed(
    instance: &Instance,
    options: &SolveOptions,
    seed: u64,
    started: Instant,
) -> (Solution, u64) {
    let mut rng = Rng::new(seed);
    let mut budget = Budget::new(options, started);
    if instance.stops == 0 {
        return (Solution::empty(instance), 0);
    }
    if let Some(tour) = single_tour(instance, &mut rng, &mut budget) {
        return (tour, budget.done);
    }
    let mut initial = Solution::empty(instance);
    let mut order = std::mem::take(&mut initial.unserved);
    let depot = instance.vehicles.first().map_or(0, |v| v.start);
    order.sort_by(|&a, &b| {
        instance
            .cost(depot, b)
            .total_cmp(&instance.cost(depot, a))
            .then(a.cmp(&b))
    });
    insert_all(instance, &mut initial, &order, &mut rng, 0.0);
    let best = metaheuristic::search(instance, initial, &mut rng, &mut budget);
    (best, budget.done)
}

/// One delivery person, no windows, no binding capacity, every stop mandatory, symmetric
/// static costs and a route that ends at its start or anywhere: solved as a (path) TSP.
/// Returns `None` when the problem is not of that kind or the tour breaks the shift end.
fn single_tour(instance: &Instance, rng: &mut Rng, budget: &mut Budget) -> Option<Solution> {
    let [vehicle] = instance.vehicles.as_slice() else {
        return None;
    };
    let n = instance.stops;
    let stops = 1..=n;
    let open = vehicle.end == instance.travel.anywhere();
    let timeless = stops
        .clone()
        .all(|p| instance.window_start[p].is_infinite() && instance.window_end[p].is_infinite());
    let roomy = (0..instance.dims)
        .all(|d| stops.clone().map(|p| instance.demand(p)[d]).sum::<f64>() <= vehicle.capacity[d]);
    let mandatory = stops.clone().all(|p| !instance.optional[p]);
    let closed_or_open = open || vehicle.end == vehicle.start;
    if n < 4
        || !timeless
        || !roomy
        || !mandatory
        || !closed_or_open
        || instance.travel.time_dependent()
        || !instance.symmetric()
    {
        return None;
    }
    let m = n + 1 + usize::from(open);
    let place = |k: usize| if k == 0 { vehicle.start } else { k };
    let longest = (0..=n)
        .flat_map(|a| (0..=n).map(move |b| (a, b)))
        .map(|(a, b)| instance.cost(place(a), place(b)))
        .fold(0.0, f64::max);
    let far = (n as f64 + 2.0) * longest + 1.0;
    let mut cost = vec![0.0; m * m];
    for a in 0..m {
        for b in 0..m {
            cost[a * m + b] = match (a > n, b > n) {
                (false, false) => instance.cost(place(a), place(b)),
                (true, true) => 0.0,
                _ if a == 0 || b == 0 => 0.0,
                _ => far,
            };
        }
    }
    let mut initial = Vec::with_capacity(m);
    let mut visited = vec![false; m];
    let mut current = 0;
    visited[0] = true;
    initial.push(0);
    for _ in 1..m {
        let next = (0..m).filter(|&b| !visited[b]).min_by(|&x, &y| {
            cost[current * m + x]
                .total_cmp(&cost[current * m + y])
                .then(x.cmp(&y))
        })?;
        visited[next] = true;
        initial.push(next);
        current = next;
    }
    let tour = improve_tour(&cost, m, initial, rng, budget);
    let start = tour.iter().position(|&k| k == 0)?;
    let mut order: Vec<usize> = tour[start + 1..]
        .iter()
        .chain(&tour[..start])
        .copied()
        .collect();
    if open && order.first() == Some(&(n + 1)) {
        order.reverse();
    }
    order.retain(|&k| k <= n);
    let solution = Solution::from_routes(instance, vec![order]);
    instance
        .feasible(0, &solution.routes[0].stops)
        .then_some(solution)
}

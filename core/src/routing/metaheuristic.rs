//! Slack-induced string removal (SISR) ruin-and-recreate with simulated-annealing acceptance,
//! polished by the local search whenever it finds a new best plan.

use super::construct::insert_all;
use super::instance::Instance;
use super::local_search::improve;
use super::rng::Rng;
use super::search::Budget;
use super::solution::Solution;

/// Average number of stops removed per ruin.
const AVERAGE_REMOVED: f64 = 10.0;
/// Longest string removed from one route.
const MAX_STRING: f64 = 10.0;
/// Probability of skipping an insertion position (keeps recreate diverse).
const BLINK: f64 = 0.01;

/// Improves `initial` until the budget runs out and returns the best solution seen.
pub(crate) fn search(
    instance: &Instance,
    initial: Solution,
    rng: &mut Rng,
    budget: &mut Budget,
) -> Solution {
    let mut best = initial;
    improve(instance, &mut best, rng, None);
    let mut best_cost = best.cost(instance);
    let mut current = best.clone();
    let mut current_cost = best_cost;
    let arcs = best
        .routes
        .iter()
        .filter(|r| !r.stops.is_empty())
        .map(|r| r.stops.len() + 1)
        .sum::<usize>()
        .max(1);
    let distance: f64 = best.routes.iter().map(|r| r.cost).sum();
    let average_arc = (distance / arcs as f64).max(1e-9);
    let (hot, cold) = (1.5 * average_arc, 0.015 * average_arc);
    while let Some(progress) = budget.next() {
        let temperature = hot * (cold / hot).powf(progress);
        let mut candidate = current.clone();
        let removed = ruin(instance, &mut candidate, rng);
        recreate(instance, &mut candidate, removed, rng);
        let cost = candidate.cost(instance);
        if cost < current_cost - temperature * rng.unit().max(f64::MIN_POSITIVE).ln() {
            current = candidate;
            current_cost = cost;
            if current_cost < best_cost - 1e-9 {
                let changed: Vec<bool> = current
                    .routes
                    .iter()
                    .zip(&best.routes)
                    .map(|(now, before)| now.stops != before.stops)
                    .collect();
                improve(instance, &mut current, rng, Some(&changed));
                current_cost = current.cost(instance);
                best = current.clone();
                best_cost = current_cost;
            }
        }
    }
    best
}

/// Removes strings of consecutive stops from routes near a random seed stop.
fn ruin(instance: &Instance, solution: &mut Solution, rng: &mut Rng) -> Vec<usize> {
    let used: Vec<usize> = (0..solution.routes.len())
        .filter(|&r| !solution.routes[r].stops.is_empty())
        .collect();
    let served: usize = used.iter().map(|&r| solution.routes[r].stops.len()).sum();
    if served == 0 {
        return Vec::new();
    }
    let cardinality = served as f64 / used.len() as f64;
    let longest = MAX_STRING.min(cardinality);
    let most_routes = (4.0 * AVERAGE_REMOVED / (1.0 + longest) - 1.0).max(1.0);
    let routes_to_ruin = 1 + rng.below(most_routes as usize);
    let positions = solution.positions(instance.travel.size());
    let mut pick = rng.below(served);
    let mut seed = 0;
    for &r in &used {
        let stops = &solution.routes[r].stops;
        if pick < stops.len() {
            seed = stops[pick];
            break;
        }
        pick -= stops.len();
    }
    let mut ruined: Vec<usize> = Vec::new();
    let mut removed = Vec::new();
    for &stop in std::iter::once(&seed).chain(&instance.neighbours[seed]) {
        if ruined.len() >= routes_to_ruin {
            break;
        }
        let Some((r, k)) = positions[stop] else {
            continue;
        };
        if ruined.contains(&r) {
            continue;
        }
        let route = &mut solution.routes[r];
        let len = route.stops.len();
        let most = (longest.min(len as f64) as usize).max(1);
        let length = 1 + rng.below(most);
        let first_start = (k + 1).saturating_sub(length);
        let last_start = k.min(len - length);
        let start = first_start + rng.below(last_start - first_start + 1);
        removed.extend(route.stops.drain(start..start + length));
        route.refresh(instance);
        ruined.push(r);
    }
    removed
}

/// Re-inserts the removed stops and some unserved ones in one of the SISR orders. When many
/// stops cannot be served, only a random sample of them is retried per iteration so that an
/// overfull day does not make every iteration slow.
fn recreate(instance: &Instance, solution: &mut Solution, mut stops: Vec<usize>, rng: &mut Rng) {
    let retried = (2.0 * AVERAGE_REMOVED) as usize;
    if solution.unserved.len() > retried {
        rng.shuffle(&mut solution.unserved);
        stops.extend(solution.unserved.drain(..retried));
    } else {
        stops.append(&mut solution.unserved);
    }
    let depot = instance.vehicles.first().map_or(0, |v| v.start);
    let total = |p: usize| instance.demand(p).iter().sum::<f64>();
    match rng.below(11) {
        0..=3 => rng.shuffle(&mut stops),
        4..=7 => {
            rng.shuffle(&mut stops);
            stops.sort_by(|&a, &b| total(b).total_cmp(&total(a)));
        }
        8..=9 => stops.sort_by(|&a, &b| {
            instance
                .cost(depot, b)
                .total_cmp(&instance.cost(depot, a))
                .then(a.cmp(&b))
        }),
        _ => stops.sort_by(|&a, &b| {
            instance
                .cost(depot, a)
                .total_cmp(&instance.cost(depot, b))
                .then(a.cmp(&b))
        }),
    }
    insert_all(instance, solution, &stops, rng, BLINK);
}

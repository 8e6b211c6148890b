//! Building routes: cheapest insertion (also the "recreate" of ruin-and-recreate) and the
//! two baselines the plan is compared with: the input order and the nearest-neighbour tour.

use super::instance::Instance;
use super::rng::Rng;
use super::solution::Solution;

/// Best place to insert a stop: (route, position, cost increase).
pub(crate) fn best_insertion(
    instance: &Instance,
    solution: &Solution,
    stop: usize,
    rng: &mut Rng,
    blink: f64,
) -> Option<(usize, usize, f64)> {
    let mut best: Option<(usize, usize, f64)> = None;
    let mut tried_empty: Vec<usize> = Vec::new();
    let demand = instance.demand(stop);
    for (r, route) in solution.routes.iter().enumerate() {
        let vehicle = &instance.vehicles[route.vehicle];
        if route.stops.is_empty() {
            if tried_empty.contains(&vehicle.class) {
                continue;
            }
            tried_empty.push(vehicle.class);
        }
        if (0..instance.dims).any(|d| route.load[d] + demand[d] > vehicle.capacity[d]) {
            continue;
        }
        let len = route.stops.len();
        for k in 0..=len {
            if blink > 0.0 && rng.chance(blink) {
                continue;
            }
            let prev = route.before(instance, k);
            let next = route.stops.get(k).copied().unwrap_or(vehicle.end);
            let mut delta = instance.cost(prev, stop) + instance.cost(stop, next);
            if len > 0 {
                delta -= instance.cost(prev, next);
            }
            if best.is_some_and(|b| delta >= b.2) {
                continue;
            }
            let Some(start) = instance.arrive(prev, stop, route.depart_before(instance, k)) else {
                continue;
            };
            let depart = start + instance.service[stop];
            let tail = &route.stops[k..];
            if instance.finishes(
                route.vehicle,
                depart,
                stop,
                tail.iter().copied(),
                Some(&route.latest[k..]),
            ) {
                best = Some((r, k, delta));
            }
        }
    }
    best
}

/// Inserts the stops one by one at their cheapest feasible place; a stop that fits nowhere,
/// or (optional) costs more than its penalty, stays unserved.
pub(crate) fn insert_all(
    instance: &Instance,
    solution: &mut Solution,
    order: &[usize],
    rng: &mut Rng,
    blink: f64,
) {
    for &stop in order {
        match best_insertion(instance, solution, stop, rng, blink) {
            Some((r, k, delta)) if !instance.optional[stop] || delta <= instance.penalty[stop] => {
                let route = &mut solution.routes[r];
                route.stops.insert(k, stop);
                route.refresh(instance);
            }
            _ => solution.unserved.push(stop),
        }
    }
}

/// Whether `stop` can follow the partial route `(prev, depart, load)` of `vehicle`.
fn can_append(
    instance: &Instance,
    vehicle: usize,
    prev: usize,
    depart: f64,
    load: &[f64],
    stop: usize,
) -> Option<f64> {
    let v = &instance.vehicles[vehicle];
    let demand = instance.demand(stop);
    if (0..instance.dims).any(|d| load[d] + demand[d] > v.capacity[d]) {
        return None;
    }
    let start = instance.arrive(prev, stop, depart)?;
    let leave = start + instance.service[stop];
    instance
        .finishes(vehicle, leave, stop, std::iter::empty(), None)
        .then_some(leave)
}

/// Route building by a rule that picks the next stop among the unserved ones that still fit.
fn greedy(
    instance: &Instance,
    pick: impl Fn(usize, &[usize], &dyn Fn(usize) -> bool) -> Option<usize>,
) -> Vec<Vec<usize>> {
    let mut unserved: Vec<usize> = (1..=instance.stops).collect();
    let mut routes = Vec::with_capacity(instance.vehicles.len());
    for (vehicle, v) in instance.vehicles.iter().enumerate() {
        let mut stops = Vec::new();
        let (mut prev, mut depart) = (v.start, v.shift_start);
        let mut load = vec![0.0; instance.dims];
        loop {
            let fits =
                |stop: usize| can_append(instance, vehicle, prev, depart, &load, stop).is_some();
            let Some(stop) = pick(prev, &unserved, &fits) else {
                break;
            };
            let Some(leave) = can_append(instance, vehicle, prev, depart, &load, stop) else {
                break;
            };
            for (d, amount) in instance.demand(stop).iter().enumerate() {
                load[d] += amount;
            }
            unserved.retain(|&s| s != stop);
            stops.push(stop);
            prev = stop;
            depart = leave;
        }
        routes.push(stops);
    }
    routes
}

/// What the business does today: each delivery person in turn drives to the nearest stop that
/// still fits (capacity, window, shift) until none does.
pub(crate) fn nearest_neighbour(instance: &Instance) -> Vec<Vec<usize>> {
    greedy(instance, |prev, unserved, fits| {
        unserved
            .iter()
            .copied()
            .filter(|&s| fits(s))
            .min_by(|&a, &b| {
                let (da, db) = (
                    instance.travel.distance(prev, a),
                    instance.travel.distance(prev, b),
                );
                da.total_cmp(&db).then(a.cmp(&b))
            })
    })
}

/// The stops in the order the host listed them, each delivery person taking the next ones
/// that still fit.
pub(crate) fn input_order(instance: &Instance) -> Vec<Vec<usize>> {
    greedy(instance, |_, unserved, fits| {
        unserved.iter().copied().find(|&s| fits(s))
    })
}

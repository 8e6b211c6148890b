//! The plan handed back to the host: ordered routes with times, totals, the stops left out
//! with their reason, and the comparison with today's ways of ordering the stops.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::construct::best_insertion;
use super::instance::Instance;
use super::problem::{Location, Problem};
use super::rng::Rng;
use super::solution::Solution;

/// One stop on a route, with its times in minutes since midnight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Visit {
    /// The stop's id as given.
    pub stop_id: String,
    /// The stop's location, for drawing.
    pub location: Option<Location>,
    /// When the delivery person gets there.
    pub arrival: f64,
    /// When service starts (later than arrival when the window opens later).
    pub service_start: f64,
    /// When the delivery person leaves.
    pub departure: f64,
}

/// One delivery person's route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Route {
    /// The delivery person's id as given.
    pub vehicle_id: String,
    /// Where the route starts (none when the host gave only a matrix).
    pub start: Option<Location>,
    /// Where the route ends; none for a route that ends at its last stop.
    pub end: Option<Location>,
    /// The stops in visiting order; empty when this delivery person is not needed.
    pub visits: Vec<Visit>,
    /// When the route leaves its start (the shift start).
    pub departure: f64,
    /// When the route reaches its end (or finishes its last stop).
    pub finish: f64,
    /// Travel distance of the route.
    pub distance: f64,
    /// Minutes from departure to finish.
    pub minutes: f64,
    /// Load carried per capacity dimension.
    pub load: Vec<f64>,
}

/// Why a stop is not on any route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UnassignedReason {
    /// Its demand exceeds what any delivery person can carry, or what is left on every route.
    NoCapacity,
    /// No delivery person can reach it within its time window, even going there first.
    WindowUnreachable,
    /// It can be reached in its window, but not served and the route finished by shift end.
    ShiftEnd,
    /// It fits alone, but no route has room for it in time among the other stops.
    NoRoomInTime,
    /// An optional stop whose detour costs more than its drop penalty.
    NotWorthPenalty,
}

/// A stop left out of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Unassigned {
    /// The stop's id as given.
    pub stop_id: String,
    /// The most basic cause found.
    pub reason: UnassignedReason,
}

/// A simple way of ordering the same stops with the same delivery persons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Baseline {
    /// Total travel distance of the baseline routes.
    pub distance: f64,
    /// Stops the baseline could fit (it may serve fewer than the plan).
    pub stops_served: usize,
}

/// The plan against the input order and the nearest-neighbour routes. The improvement is
/// given only when the baseline serves as many stops as the plan (otherwise distances are not
/// comparable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Comparison {
    /// Each delivery person takes the next listed stops that still fit.
    pub input_order: Baseline,
    /// Each delivery person drives to the nearest stop that still fits (today's method).
    pub nearest_neighbour: Baseline,
    /// `100 × (baseline − plan) / baseline` against the input order.
    pub improvement_over_input_order_percent: Option<f64>,
    /// `100 × (baseline − plan) / baseline` against the nearest-neighbour routes.
    pub improvement_over_nearest_neighbour_percent: Option<f64>,
}

/// The optimized plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "RoutingPlan", rename_all = "camelCase")
)]
pub struct Plan {
    /// One route per delivery person, in the order of the problem's vehicles.
    pub routes: Vec<Route>,
    /// Stops on no route, in input order, with the reason.
    pub unassigned: Vec<Unassigned>,
    /// Sum of the routes' distances.
    pub total_distance: f64,
    /// Sum of the routes' minutes.
    pub total_minutes: f64,
    /// Routes with at least one stop.
    pub vehicles_used: usize,
    /// Against the input order and the nearest-neighbour routes (`solve` only).
    pub comparison: Option<Comparison>,
    /// With a previous plan: consecutive stop pairs of this plan that the previous one did not
    /// have (what the delivery persons must relearn).
    pub changed_pairs: Option<usize>,
    /// Search iterations done.
    pub iterations: u64,
}

/// Turns a solution into the host's plan (without comparison).
pub(crate) fn build(
    problem: &Problem,
    instance: &Instance,
    solution: &Solution,
    iterations: u64,
) -> Plan {
    let place_location = |p: usize| instance.locations.get(p).copied().flatten();
    let routes: Vec<Route> = solution
        .routes
        .iter()
        .map(|route| {
            let v = &instance.vehicles[route.vehicle];
            let (mut t, mut prev, mut distance) = (v.shift_start, v.start, 0.0);
            let mut visits = Vec::with_capacity(route.stops.len());
            for &p in &route.stops {
                let arrival = t + instance.travel.minutes(prev, p, t);
                let service_start = arrival.max(instance.window_start[p]);
                t = service_start + instance.service[p];
                distance += instance.travel.distance(prev, p);
                visits.push(Visit {
                    stop_id: problem.stops[p - 1].id.clone(),
                    location: place_location(p),
                    arrival,
                    service_start,
                    departure: t,
                });
                prev = p;
            }
            let finish = if visits.is_empty() {
                v.shift_start
            } else {
                distance += instance.travel.distance(prev, v.end);
                t + instance.travel.minutes(prev, v.end, t)
            };
            Route {
                vehicle_id: problem.vehicles[route.vehicle].id.clone(),
                start: place_location(v.start),
                end: place_location(v.end),
                visits,
                departure: v.shift_start,
                finish,
                distance,
                minutes: finish - v.shift_start,
                load: route.load.clone(),
            }
        })
        .collect();
    let mut unserved = solution.unserved.clone();
    unserved.sort_unstable();
    let unassigned = unserved
        .iter()
        .map(|&p| Unassigned {
            stop_id: problem.stops[p - 1].id.clone(),
            reason: reason(instance, solution, p),
        })
        .collect();
    let changed_pairs = problem.previous_plan.as_ref().map(|previous| {
        let known: BTreeSet<(&str, &str)> = previous
            .routes
            .iter()
            .flat_map(|r| r.windows(2).map(|w| (w[0].as_str(), w[1].as_str())))
            .collect();
        routes
            .iter()
            .flat_map(|r| r.visits.windows(2))
            .filter(|w| !known.contains(&(w[0].stop_id.as_str(), w[1].stop_id.as_str())))
            .count()
    });
    Plan {
        changed_pairs,
        total_distance: routes.iter().map(|r| r.distance).sum(),
        total_minutes: routes.iter().map(|r| r.minutes).sum(),
        vehicles_used: routes.iter().filter(|r| !r.visits.is_empty()).count(),
        routes,
        unassigned,
        comparison: None,
        iterations,
    }
}

/// Why `stop` is unserved in `solution`, from the most basic cause to the least.
fn reason(instance: &Instance, solution: &Solution, stop: usize) -> UnassignedReason {
    let demand = instance.demand(stop);
    let carriers: Vec<usize> = (0..instance.vehicles.len())
        .filter(|&v| (0..instance.dims).all(|d| demand[d] <= instance.vehicles[v].capacity[d]))
        .collect();
    if carriers.is_empty() {
        return UnassignedReason::NoCapacity;
    }
    let reach: Vec<(usize, f64)> = carriers
        .iter()
        .filter_map(|&v| {
            let vehicle = &instance.vehicles[v];
            instance
                .arrive(vehicle.start, stop, vehicle.shift_start)
                .map(|start| (v, start + instance.service[stop]))
        })
        .collect();
    if reach.is_empty() {
        return UnassignedReason::WindowUnreachable;
    }
    let finishing = reach
        .iter()
        .any(|&(v, leave)| instance.finishes(v, leave, stop, std::iter::empty(), None));
    if !finishing {
        return UnassignedReason::ShiftEnd;
    }
    if instance.optional[stop]
        && best_insertion(instance, solution, stop, &mut Rng::new(0), 0.0).is_some()
    {
        return UnassignedReason::NotWorthPenalty;
    }
    let room = solution.routes.iter().any(|r| {
        let capacity = &instance.vehicles[r.vehicle].capacity;
        (0..instance.dims).all(|d| r.load[d] + demand[d] <= capacity[d])
    });
    if room {
        UnassignedReason::NoRoomInTime
    } else {
        UnassignedReason::NoCapacity
    }
}

/// Distance of routes given as stop places (for the baselines).
pub(crate) fn baseline(instance: &Instance, routes: &[Vec<usize>]) -> Baseline {
    let distance = routes
        .iter()
        .enumerate()
        .filter(|(_, stops)| !stops.is_empty())
        .map(|(v, stops)| {
            let vehicle = &instance.vehicles[v];
            let mut path = vec![vehicle.start];
            path.extend(stops);
            path.push(vehicle.end);
            path.windows(2)
                .map(|w| instance.travel.distance(w[0], w[1]))
                .sum::<f64>()
        })
        .sum();
    Baseline {
        distance,
        stops_served: routes.iter().map(Vec::len).sum(),
    }
}

/// Adds the comparison with the two baselines to a plan.
pub(crate) fn compare(plan: &mut Plan, input_order: Baseline, nearest_neighbour: Baseline) {
    let served: usize = plan.routes.iter().map(|r| r.visits.len()).sum();
    let improvement = |b: &Baseline| {
        (b.stops_served == served && b.distance > 0.0)
            .then(|| 100.0 * (b.distance - plan.total_distance) / b.distance)
    };
    plan.comparison = Some(Comparison {
        improvement_over_input_order_percent: improvement(&input_order),
        improvement_over_nearest_neighbour_percent: improvement(&nearest_neighbour),
        input_order,
        nearest_neighbour,
    });
}

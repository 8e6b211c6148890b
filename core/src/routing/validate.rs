//! An independent checker of a plan against its problem: it recomputes distances and times
//! from the problem itself (not from the optimizer's internal tables) and lists every broken
//! hard constraint or inconsistent number.

use std::collections::BTreeMap;

use super::distance::haversine_m;
use super::plan::Plan;
use super::problem::{Distances, Location, Problem, RouteEnd};

/// Relative tolerance for reported numbers.
const TOLERANCE: f64 = 1e-6;

enum Place {
    Depot,
    Stop(usize),
    /// A vehicle's own start or end place: matrix row and location.
    Extra(usize, Location),
    Nowhere,
}

/// Every violation found, in words; empty when the plan is valid for the problem.
pub fn validate(problem: &Problem, plan: &Plan) -> Vec<String> {
    let mut violations = Vec::new();
    let index: BTreeMap<&str, usize> = problem
        .stops
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut seen = vec![0usize; problem.stops.len()];
    for id in plan
        .routes
        .iter()
        .flat_map(|r| r.visits.iter().map(|v| &v.stop_id))
        .chain(plan.unassigned.iter().map(|u| &u.stop_id))
    {
        match index.get(id.as_str()) {
            Some(&i) => seen[i] += 1,
            None => violations.push(format!("unknown stop {id}")),
        }
    }
    for (i, count) in seen.iter().enumerate() {
        if *count != 1 {
            violations.push(format!(
                "stop {} appears {count} times",
                problem.stops[i].id
            ));
        }
    }
    if plan.routes.len() != problem.vehicles.len() {
        violations.push(format!(
            "{} routes for {} vehicles",
            plan.routes.len(),
            problem.vehicles.len()
        ));
    }
    let mut extra = 1 + problem.stops.len();
    let mut total = 0.0;
    for (vehicle, route) in problem.vehicles.iter().zip(&plan.routes) {
        let start = match vehicle.start {
            Some(at) => {
                extra += 1;
                Place::Extra(extra - 1, at)
            }
            None => Place::Depot,
        };
        let end = match vehicle.end {
            RouteEnd::At(at) => {
                extra += 1;
                Place::Extra(extra - 1, at)
            }
            RouteEnd::Depot => Place::Depot,
            RouteEnd::Anywhere => Place::Nowhere,
        };
        if route.vehicle_id != vehicle.id {
            violations.push(format!(
                "route of {} listed for vehicle {}",
                route.vehicle_id, vehicle.id
            ));
        }
        let name = &vehicle.id;
        let dims = vehicle.capacity.len();
        let mut load = vec![0.0; dims];
        let (mut t, mut at, mut distance) = (vehicle.shift_start, start, 0.0);
        for visit in &route.visits {
            let Some(&i) = index.get(visit.stop_id.as_str()) else {
                continue;
            };
            let stop = &problem.stops[i];
            for (d, amount) in stop.demand.iter().enumerate().take(dims) {
                load[d] += amount;
            }
            let (leg, minutes) = leg(problem, &at, &Place::Stop(i), t);
            distance += leg;
            let arrival = t + minutes;
            let window = stop
                .time_window
                .map_or((f64::NEG_INFINITY, f64::INFINITY), |w| (w.start, w.end));
            let service_start = arrival.max(window.0);
            if service_start > window.1 {
                violations.push(format!(
                    "{name}: stop {} served at {service_start} after its window ends at {}",
                    stop.id, window.1
                ));
            }
            t = service_start + stop.service_minutes;
            for (what, reported, expected) in [
                ("arrival", visit.arrival, arrival),
                ("service start", visit.service_start, service_start),
                ("departure", visit.departure, t),
            ] {
                if !close(reported, expected) {
                    violations.push(format!(
                        "{name}: stop {} {what} reported {reported}, expected {expected}",
                        stop.id
                    ));
                }
            }
            at = Place::Stop(i);
        }
        for (d, amount) in load.iter().enumerate() {
            if *amount > vehicle.capacity[d] {
                violations.push(format!(
                    "{name}: load {amount} over capacity {} in dimension {d}",
                    vehicle.capacity[d]
                ));
            }
        }
        let finish = if route.visits.is_empty() {
            vehicle.shift_start
        } else {
            let (leg, minutes) = leg(problem, &at, &end, t);
            distance += leg;
            t + minutes
        };
        if finish > vehicle.shift_end {
            violations.push(format!(
                "{name}: finishes at {finish} after shift end {}",
                vehicle.shift_end
            ));
        }
        if !close(route.finish, finish) {
            violations.push(format!(
                "{name}: finish reported {}, expected {finish}",
                route.finish
            ));
        }
        if !close(route.distance, distance) {
            violations.push(format!(
                "{name}: distance reported {}, expected {distance}",
                route.distance
            ));
        }
        total += distance;
    }
    if !close(plan.total_distance, total) {
        violations.push(format!(
            "total distance reported {}, expected {total}",
            plan.total_distance
        ));
    }
    violations
}

fn close(reported: f64, expected: f64) -> bool {
    (reported - expected).abs() <= TOLERANCE * (1.0 + expected.abs())
}

fn location(problem: &Problem, place: &Place) -> Option<Location> {
    match place {
        Place::Depot => problem.depot,
        Place::Stop(i) => problem.stops.get(*i).and_then(|s| s.location),
        Place::Extra(_, at) => Some(*at),
        Place::Nowhere => None,
    }
}

fn row(place: &Place) -> Option<usize> {
    match place {
        Place::Depot => Some(0),
        Place::Stop(i) => Some(i + 1),
        Place::Extra(k, _) => Some(*k),
        Place::Nowhere => None,
    }
}

/// Distance and minutes of one leg leaving at `depart`.
fn leg(problem: &Problem, from: &Place, to: &Place, depart: f64) -> (f64, f64) {
    let (Some(a), Some(b)) = (row(from), row(to)) else {
        return (0.0, 0.0);
    };
    let distance = match &problem.distances {
        Distances::Haversine { road_factor } => {
            match (location(problem, from), location(problem, to)) {
                (Some(x), Some(y)) => haversine_m(x, y) * road_factor,
                _ => f64::NAN,
            }
        }
        Distances::Matrix { distances, .. } => distances
            .get(a)
            .and_then(|r| r.get(b))
            .copied()
            .unwrap_or(f64::NAN),
    };
    if let Distances::Matrix {
        durations: Some(durations),
        ..
    } = &problem.distances
    {
        return (
            distance,
            durations
                .get(a)
                .and_then(|r| r.get(b))
                .copied()
                .unwrap_or(f64::NAN),
        );
    }
    let speed = &problem.speed;
    let kmh = speed
        .profile
        .iter()
        .rev()
        .find(|band| band.from_minute <= depart)
        .map_or(speed.speed_kmh, |band| band.speed_kmh);
    (distance, distance / (kmh * 1000.0 / 60.0))
}

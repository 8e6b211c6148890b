//! The validated problem compiled to index form for the search: place 0 is the depot,
//! places `1..=n` the stops in input order, then vehicle start and end places, then the
//! virtual "anywhere" place where open routes end.

use std::collections::BTreeSet;

use super::check::{dimensions, place_count};
use super::distance::Travel;
use super::problem::{Distances, Location, Problem, RouteEnd};

/// Neighbours kept per stop for the local search and the ruin step.
const NEIGHBOURS: usize = 40;

/// A delivery person in index form.
#[derive(Debug, Clone)]
pub(crate) struct VehicleData {
    pub start: usize,
    pub end: usize,
    pub shift_start: f64,
    pub shift_end: f64,
    /// Capacity per dimension (infinite when the host gave none).
    pub capacity: Vec<f64>,
    /// Vehicles with equal class are interchangeable: only one empty one is tried.
    pub class: usize,
    /// Vehicles with equal end class finish alike, so their route tails' slack is shared.
    pub end_class: usize,
}

/// The compiled problem.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub stops: usize,
    pub travel: Travel,
    /// Arc cost: distance plus the stability penalty of pairs not in the previous plan.
    cost: Vec<f64>,
    pub service: Vec<f64>,
    pub window_start: Vec<f64>,
    pub window_end: Vec<f64>,
    pub dims: usize,
    demand: Vec<f64>,
    /// Objective cost of leaving a stop unserved.
    pub penalty: Vec<f64>,
    pub optional: Vec<bool>,
    pub vehicles: Vec<VehicleData>,
    /// Per stop place: the nearest other stop places by arc cost.
    pub neighbours: Vec<Vec<usize>>,
    pub locations: Vec<Option<Location>>,
}

impl Instance {
    /// Compiles a problem that passed `check`.
    pub(crate) fn new(problem: &Problem) -> Self {
        let n = problem.stops.len();
        let mut locations: Vec<Option<Location>> = vec![problem.depot];
        locations.extend(problem.stops.iter().map(|s| s.location));
        let mut ends = Vec::with_capacity(problem.vehicles.len());
        for vehicle in &problem.vehicles {
            let start = match vehicle.start {
                Some(at) => {
                    locations.push(Some(at));
                    locations.len() - 1
                }
                None => 0,
            };
            let end = match vehicle.end {
                RouteEnd::At(at) => {
                    locations.push(Some(at));
                    Some(locations.len() - 1)
                }
                RouteEnd::Depot => Some(0),
                RouteEnd::Anywhere => None,
            };
            ends.push((start, end));
        }
        debug_assert_eq!(locations.len(), place_count(problem));
        let travel = match &problem.distances {
            Distances::Haversine { road_factor } => {
                let located: Vec<Location> = locations
                    .iter()
                    .map(|l| l.unwrap_or(Location { lat: 0.0, lon: 0.0 }))
                    .collect();
                Travel::new(
                    Travel::haversine(&located, *road_factor),
                    None,
                    &problem.speed,
                )
            }
            Distances::Matrix {
                distances,
                durations,
            } => Travel::new(distances.clone(), durations.clone(), &problem.speed),
        };
        let size = travel.size();
        let anywhere = travel.anywhere();
        let mut cost: Vec<f64> = (0..size * size)
            .map(|k| travel.distance(k / size, k % size))
            .collect();
        if let Some(previous) = &problem.previous_plan {
            let index = |id: &String| {
                problem
                    .stops
                    .iter()
                    .position(|s| &s.id == id)
                    .map(|i| i + 1)
            };
            let mut kept = BTreeSet::new();
            for route in &previous.routes {
                let places: Vec<usize> = route.iter().filter_map(index).collect();
                kept.extend(places.windows(2).map(|w| (w[0], w[1])));
            }
            for a in 1..=n {
                for b in 1..=n {
                    if a != b && !kept.contains(&(a, b)) {
                        cost[a * size + b] += previous.penalty_per_changed_pair;
                    }
                }
            }
        }
        let dims = dimensions(problem);
        let mut service = vec![0.0; size];
        let mut window_start = vec![f64::NEG_INFINITY; size];
        let mut window_end = vec![f64::INFINITY; size];
        let mut demand = vec![0.0; size * dims];
        let mut optional = vec![false; size];
        for (i, stop) in problem.stops.iter().enumerate() {
            let p = i + 1;
            service[p] = stop.service_minutes;
            if let Some(window) = stop.time_window {
                window_start[p] = window.start;
                window_end[p] = window.end;
            }
            demand[p * dims..p * dims + stop.demand.len()].copy_from_slice(&stop.demand);
            optional[p] = stop.drop_penalty.is_some();
        }
        let longest = cost.iter().copied().fold(0.0, f64::max);
        let mandatory = 2.0 * longest * (n as f64 + 2.0) + 1.0;
        let mut penalty = vec![0.0; size];
        for (i, stop) in problem.stops.iter().enumerate() {
            let base = stop.drop_penalty.unwrap_or(mandatory);
            penalty[i + 1] = base * (1.0 + f64::from(stop.priority));
        }
        let mut classes: Vec<String> = Vec::new();
        let mut end_classes: Vec<String> = Vec::new();
        let class_of =
            |list: &mut Vec<String>, key: String| match list.iter().position(|k| *k == key) {
                Some(c) => c,
                None => {
                    list.push(key);
                    list.len() - 1
                }
            };
        let vehicles = problem
            .vehicles
            .iter()
            .zip(ends)
            .map(|(v, (start, end))| {
                let end = end.unwrap_or(anywhere);
                let capacity = if v.capacity.is_empty() {
                    vec![f64::INFINITY; dims]
                } else {
                    v.capacity.clone()
                };
                let end_key = format!("{end}/{}", v.shift_end.to_bits());
                let key = format!("{start}/{}/{end_key}/{capacity:?}", v.shift_start.to_bits());
                VehicleData {
                    start,
                    end,
                    shift_start: v.shift_start,
                    shift_end: v.shift_end,
                    capacity,
                    class: class_of(&mut classes, key),
                    end_class: class_of(&mut end_classes, end_key),
                }
            })
            .collect();
        let neighbours = (0..size)
            .map(|a| {
                if a == 0 || a > n {
                    return Vec::new();
                }
                let mut near: Vec<usize> = (1..=n).filter(|&b| b != a).collect();
                let closeness = |x: &usize, y: &usize| {
                    let cx = cost[a * size + x].min(cost[x * size + a]);
                    let cy = cost[a * size + y].min(cost[y * size + a]);
                    cx.total_cmp(&cy).then(x.cmp(y))
                };
                if near.len() > NEIGHBOURS {
                    near.select_nth_unstable_by(NEIGHBOURS, closeness);
                }
                near.truncate(NEIGHBOURS);
                near.sort_by(closeness);
                near
            })
            .collect();
        Instance {
            stops: n,
            travel,
            cost,
            service,
            window_start,
            window_end,
            dims,
            demand,
            penalty,
            optional,
            vehicles,
            neighbours,
            locations,
        }
    }

    /// Arc cost used by the objective.
    #[inline]
    pub(crate) fn cost(&self, from: usize, to: usize) -> f64 {
        self.cost[from * self.travel.size() + to]
    }

    /// True when the arc costs are the same both ways.
    pub(crate) fn symmetric(&self) -> bool {
        let size = self.travel.size();
        (0..size).all(|a| (0..a).all(|b| self.cost[a * size + b] == self.cost[b * size + a]))
    }

    /// Demand of a stop place per dimension.
    #[inline]
    pub(crate) fn demand(&self, place: usize) -> &[f64] {
        &self.demand[place * self.dims..(place + 1) * self.dims]
    }

    /// Service start at `place` when leaving `prev` at `depart`, or `None` past its window.
    #[inline]
    pub(crate) fn arrive(&self, prev: usize, place: usize, depart: f64) -> Option<f64> {
        let arrival = depart + self.travel.minutes(prev, place, depart);
        let start = arrival.max(self.window_start[place]);
        (start <= self.window_end[place]).then_some(start)
    }

    /// Whether a vehicle leaving `prev` at `depart` can serve `stops` in order and reach its end
    /// in its shift; `slack` gives each stop's latest feasible service start when known.
    pub(crate) fn finishes(
        &self,
        vehicle: usize,
        mut depart: f64,
        mut prev: usize,
        stops: impl IntoIterator<Item = usize>,
        slack: Option<&[f64]>,
    ) -> bool {
        let usable = slack.filter(|_| !self.travel.time_dependent());
        for (k, place) in stops.into_iter().enumerate() {
            let Some(start) = self.arrive(prev, place, depart) else {
                return false;
            };
            if let Some(latest) = usable {
                return latest.get(k).is_some_and(|l| start <= *l);
            }
            depart = start + self.service[place];
            prev = place;
        }
        let v = &self.vehicles[vehicle];
        depart + self.travel.minutes(prev, v.end, depart) <= v.shift_end
    }

    /// Cost of serving `stops` in order with `vehicle`; zero for an unused vehicle.
    pub(crate) fn route_cost(&self, vehicle: usize, stops: &[usize]) -> f64 {
        let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
            return 0.0;
        };
        let v = &self.vehicles[vehicle];
        let inner: f64 = stops.windows(2).map(|w| self.cost(w[0], w[1])).sum();
        self.cost(v.start, *first) + inner + self.cost(*last, v.end)
    }

    /// Whether the route is feasible in time and capacity.
    pub(crate) fn feasible(&self, vehicle: usize, stops: &[usize]) -> bool {
        let v = &self.vehicles[vehicle];
        let fits = (0..self.dims)
            .all(|d| stops.iter().map(|&p| self.demand(p)[d]).sum::<f64>() <= v.capacity[d]);
        fits && (stops.is_empty()
            || self.finishes(vehicle, v.shift_start, v.start, stops.iter().copied(), None))
    }
}

//! A solution in index form: one route per vehicle (possibly empty) and the unserved stops,
//! with per-route caches that make insertion checks O(1) on static travel times.

use super::instance::Instance;

/// One vehicle's stops with cached schedule data.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub vehicle: usize,
    pub stops: Vec<usize>,
    /// Departure after service at each position (earliest schedule).
    pub depart: Vec<f64>,
    /// Latest service start at each position that keeps the rest of the route feasible.
    pub latest: Vec<f64>,
    /// Load per dimension over the whole route.
    pub load: Vec<f64>,
    /// Cumulative load per dimension: `prefix[k * dims + d]` = load of the first `k` stops.
    pub prefix: Vec<f64>,
    pub cost: f64,
}

impl Route {
    pub(crate) fn new(instance: &Instance, vehicle: usize, stops: Vec<usize>) -> Self {
        let mut route = Route {
            vehicle,
            stops,
            depart: Vec::new(),
            latest: Vec::new(),
            load: Vec::new(),
            prefix: Vec::new(),
            cost: 0.0,
        };
        route.refresh(instance);
        route
    }

    /// Recomputes the caches after the stops changed.
    pub(crate) fn refresh(&mut self, instance: &Instance) {
        let v = &instance.vehicles[self.vehicle];
        let dims = instance.dims;
        let len = self.stops.len();
        self.depart.clear();
        let (mut t, mut prev) = (v.shift_start, v.start);
        for &p in &self.stops {
            let arrival = t + instance.travel.minutes(prev, p, t);
            t = arrival.max(instance.window_start[p]) + instance.service[p];
            self.depart.push(t);
            prev = p;
        }
        self.latest.clear();
        self.latest.resize(len, 0.0);
        let mut next_latest = f64::NAN;
        for k in (0..len).rev() {
            let p = self.stops[k];
            let bound = if k + 1 == len {
                v.shift_end - instance.travel.minutes(p, v.end, 0.0) - instance.service[p]
            } else {
                next_latest
                    - instance.travel.minutes(p, self.stops[k + 1], 0.0)
                    - instance.service[p]
            };
            next_latest = bound.min(instance.window_end[p]);
            self.latest[k] = next_latest;
        }
        self.prefix.clear();
        self.prefix.resize((len + 1) * dims, 0.0);
        for (k, &p) in self.stops.iter().enumerate() {
            for d in 0..dims {
                self.prefix[(k + 1) * dims + d] = self.prefix[k * dims + d] + instance.demand(p)[d];
            }
        }
        self.load = self.prefix[len * dims..].to_vec();
        self.cost = instance.route_cost(self.vehicle, &self.stops);
    }

    /// Where the vehicle is before position `k` (its start place for `k == 0`).
    #[inline]
    pub(crate) fn before(&self, instance: &Instance, k: usize) -> usize {
        if k == 0 {
            instance.vehicles[self.vehicle].start
        } else {
            self.stops[k - 1]
        }
    }

    /// Where the vehicle goes after position `k` (its end place after the last stop).
    #[inline]
    pub(crate) fn after(&self, instance: &Instance, k: usize) -> usize {
        self.stops
            .get(k + 1)
            .copied()
            .unwrap_or(instance.vehicles[self.vehicle].end)
    }

    /// Departure time from the place before position `k`.
    #[inline]
    pub(crate) fn depart_before(&self, instance: &Instance, k: usize) -> f64 {
        if k == 0 {
            instance.vehicles[self.vehicle].shift_start
        } else {
            self.depart[k - 1]
        }
    }

    /// Load per dimension of positions `from..to`.
    pub(crate) fn load_between(&self, dims: usize, from: usize, to: usize, d: usize) -> f64 {
        self.prefix[to * dims + d] - self.prefix[from * dims + d]
    }
}

/// Routes (index = vehicle) and unserved stops.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub routes: Vec<Route>,
    pub unserved: Vec<usize>,
}

impl Solution {
    pub(crate) fn empty(instance: &Instance) -> Self {
        Solution {
            routes: (0..instance.vehicles.len())
                .map(|v| Route::new(instance, v, Vec::new()))
                .collect(),
            unserved: (1..=instance.stops).collect(),
        }
    }

    pub(crate) fn from_routes(instance: &Instance, routes: Vec<Vec<usize>>) -> Self {
        let mut served = vec![false; instance.travel.size()];
        for &p in routes.iter().flatten() {
            served[p] = true;
        }
        Solution {
            routes: routes
                .into_iter()
                .enumerate()
                .map(|(v, stops)| Route::new(instance, v, stops))
                .collect(),
            unserved: (1..=instance.stops).filter(|&p| !served[p]).collect(),
        }
    }

    /// Objective: route costs plus the penalties of unserved stops.
    pub(crate) fn cost(&self, instance: &Instance) -> f64 {
        let routes: f64 = self.routes.iter().map(|r| r.cost).sum();
        routes
            + self
                .unserved
                .iter()
                .map(|&p| instance.penalty[p])
                .sum::<f64>()
    }

    /// Position of every stop place: (route, index) or `None` when unserved.
    pub(crate) fn positions(&self, size: usize) -> Vec<Option<(usize, usize)>> {
        let mut at = vec![None; size];
        for (r, route) in self.routes.iter().enumerate() {
            for (k, &p) in route.stops.iter().enumerate() {
                at[p] = Some((r, k));
            }
        }
        at
    }
}

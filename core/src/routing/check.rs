//! Input validation: every problem of a routing input is collected, none is fatal alone.

use std::collections::BTreeMap;

use super::error::RoutingError;
use super::problem::{Distances, Location, Problem, RouteEnd};
use crate::validation::{FieldProblem, Rule, ValidationError};

/// Checks a problem and returns every rule it breaks, or `Ok` when it can be solved.
pub fn check(problem: &Problem) -> Result<(), RoutingError> {
    let mut found = Problems::default();
    let haversine = matches!(problem.distances, Distances::Haversine { .. });
    match problem.depot {
        Some(depot) => found.location("depot", depot),
        None if haversine => found.push(
            "depot",
            Rule::Required,
            "required with Haversine distances",
            "none",
        ),
        None => {}
    }
    let dims = dimensions(problem);
    check_stops(problem, haversine, dims, &mut found);
    check_vehicles(problem, dims, &mut found);
    check_distances(problem, &mut found);
    check_speed(problem, &mut found);
    check_previous_plan(problem, &mut found);
    check_options(problem, &mut found);
    if found.0.is_empty() {
        Ok(())
    } else {
        Err(RoutingError::InvalidInput(ValidationError {
            problems: found.0,
        }))
    }
}

/// Number of capacity dimensions: the longest capacity or demand vector.
pub(crate) fn dimensions(problem: &Problem) -> usize {
    let stops = problem.stops.iter().map(|s| s.demand.len());
    let vehicles = problem.vehicles.iter().map(|v| v.capacity.len());
    stops.chain(vehicles).max().unwrap_or(0)
}

/// Number of places a host matrix must cover: depot, stops, then set vehicle starts and ends.
pub(crate) fn place_count(problem: &Problem) -> usize {
    let extra: usize = problem
        .vehicles
        .iter()
        .map(|v| usize::from(v.start.is_some()) + usize::from(matches!(v.end, RouteEnd::At(_))))
        .sum();
    1 + problem.stops.len() + extra
}

#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn push(&mut self, field: impl Into<String>, rule: Rule, message: &str, value: impl ToString) {
        self.0.push(FieldProblem {
            field: field.into(),
            rule,
            value: value.to_string(),
            message: format!("must be {message}"),
        });
    }

    fn non_negative(&mut self, field: impl Into<String>, value: f64) {
        if !value.is_finite() || value < 0.0 {
            self.push(field, Rule::Range, "finite number >= 0", value);
        }
    }

    fn finite(&mut self, field: impl Into<String>, value: f64) -> bool {
        let ok = value.is_finite();
        if !ok {
            self.push(field, Rule::Range, "finite number", value);
        }
        ok
    }

    fn location(&mut self, field: &str, at: Location) {
        if !at.lat.is_finite() || !(-90.0..=90.0).contains(&at.lat) {
            self.push(
                format!("{field}.lat"),
                Rule::Range,
                "latitude between -90 and 90",
                at.lat,
            );
        }
        if !at.lon.is_finite() || !(-180.0..=180.0).contains(&at.lon) {
            self.push(
                format!("{field}.lon"),
                Rule::Range,
                "longitude between -180 and 180",
                at.lon,
            );
        }
    }

    fn id(&mut self, field: String, id: &str, seen: &mut BTreeMap<String, usize>, index: usize) {
        if id.trim().is_empty() {
            self.push(
                format!("{field}.id"),
                Rule::EmptyId,
                "non-empty id",
                format!("{id:?}"),
            );
        } else if let Some(first) = seen.insert(id.to_string(), index) {
            self.push(
                format!("{field}.id"),
                Rule::Duplicate,
                &format!("unique id (also used at index {first})"),
                id,
            );
        }
    }
}

fn check_stops(problem: &Problem, haversine: bool, dims: usize, found: &mut Problems) {
    let mut seen = BTreeMap::new();
    for (i, stop) in problem.stops.iter().enumerate() {
        let field = format!("stops[{i}]");
        found.id(field.clone(), &stop.id, &mut seen, i);
        match stop.location {
            Some(at) => found.location(&format!("{field}.location"), at),
            None if haversine => found.push(
                format!("{field}.location"),
                Rule::Required,
                "required with Haversine distances",
                "none",
            ),
            None => {}
        }
        found.non_negative(format!("{field}.service_minutes"), stop.service_minutes);
        if let Some(window) = stop.time_window {
            let start = found.finite(format!("{field}.time_window.start"), window.start);
            let end = found.finite(format!("{field}.time_window.end"), window.end);
            if start && end && window.end < window.start {
                found.push(
                    format!("{field}.time_window.end"),
                    Rule::DateOrder,
                    "end >= start",
                    window.end,
                );
            }
        }
        if !stop.demand.is_empty() && stop.demand.len() != dims {
            found.push(
                format!("{field}.demand"),
                Rule::Inconsistent,
                &format!("one value per capacity dimension ({dims})"),
                stop.demand.len(),
            );
        }
        for (d, amount) in stop.demand.iter().enumerate() {
            found.non_negative(format!("{field}.demand[{d}]"), *amount);
        }
        if let Some(penalty) = stop.drop_penalty {
            found.non_negative(format!("{field}.drop_penalty"), penalty);
        }
    }
}

fn check_vehicles(problem: &Problem, dims: usize, found: &mut Problems) {
    if problem.vehicles.is_empty() {
        found.push("vehicles", Rule::Empty, "at least one vehicle", 0);
    }
    let mut seen = BTreeMap::new();
    for (i, vehicle) in problem.vehicles.iter().enumerate() {
        let field = format!("vehicles[{i}]");
        found.id(field.clone(), &vehicle.id, &mut seen, i);
        if !vehicle.capacity.is_empty() && vehicle.capacity.len() != dims {
            found.push(
                format!("{field}.capacity"),
                Rule::Inconsistent,
                &format!("one value per capacity dimension ({dims})"),
                vehicle.capacity.len(),
            );
        }
        for (d, amount) in vehicle.capacity.iter().enumerate() {
            found.non_negative(format!("{field}.capacity[{d}]"), *amount);
        }
        let start = found.finite(format!("{field}.shift_start"), vehicle.shift_start);
        let end = found.finite(format!("{field}.shift_end"), vehicle.shift_end);
        if start && end && vehicle.shift_end < vehicle.shift_start {
            found.push(
                format!("{field}.shift_end"),
                Rule::DateOrder,
                "shift end >= shift start",
                vehicle.shift_end,
            );
        }
        if let Some(at) = vehicle.start {
            found.location(&format!("{field}.start"), at);
        }
        if let RouteEnd::At(at) = vehicle.end {
            found.location(&format!("{field}.end"), at);
        }
    }
}

fn check_matrix(name: &str, matrix: &[Vec<f64>], places: usize, found: &mut Problems) {
    if matrix.len() != places {
        found.push(
            name,
            Rule::Inconsistent,
            &format!("{places} rows (depot, stops, vehicle start and end places)"),
            matrix.len(),
        );
    }
    for (r, row) in matrix.iter().enumerate() {
        if row.len() != places {
            found.push(
                format!("{name}[{r}]"),
                Rule::Inconsistent,
                &format!("{places} columns"),
                row.len(),
            );
        }
        for (c, value) in row.iter().enumerate() {
            if !value.is_finite() || *value < 0.0 {
                found.push(
                    format!("{name}[{r}][{c}]"),
                    Rule::Range,
                    "finite number >= 0",
                    value,
                );
            }
        }
    }
}

fn check_distances(problem: &Problem, found: &mut Problems) {
    match &problem.distances {
        Distances::Haversine { road_factor } => {
            if !road_factor.is_finite() || *road_factor < 1.0 {
                found.push(
                    "distances.road_factor",
                    Rule::Range,
                    "finite number >= 1",
                    road_factor,
                );
            }
        }
        Distances::Matrix {
            distances,
            durations,
        } => {
            let places = place_count(problem);
            check_matrix("distances.distances", distances, places, found);
            if let Some(durations) = durations {
                check_matrix("distances.durations", durations, places, found);
            }
        }
    }
}

fn check_speed(problem: &Problem, found: &mut Problems) {
    let speed = &problem.speed;
    if !speed.speed_kmh.is_finite() || speed.speed_kmh <= 0.0 {
        found.push(
            "speed.speed_kmh",
            Rule::Positive,
            "finite number > 0",
            speed.speed_kmh,
        );
    }
    let mut previous = f64::NEG_INFINITY;
    for (i, band) in speed.profile.iter().enumerate() {
        let field = format!("speed.profile[{i}]");
        if found.finite(format!("{field}.from_minute"), band.from_minute) {
            if band.from_minute <= previous {
                found.push(
                    format!("{field}.from_minute"),
                    Rule::Inconsistent,
                    "bands sorted by strictly increasing from_minute",
                    band.from_minute,
                );
            }
            previous = band.from_minute;
        }
        if !band.speed_kmh.is_finite() || band.speed_kmh <= 0.0 {
            found.push(
                format!("{field}.speed_kmh"),
                Rule::Positive,
                "finite number > 0",
                band.speed_kmh,
            );
        }
    }
}

fn check_previous_plan(problem: &Problem, found: &mut Problems) {
    let Some(previous) = &problem.previous_plan else {
        return;
    };
    found.non_negative(
        "previous_plan.penalty_per_changed_pair",
        previous.penalty_per_changed_pair,
    );
    let known: BTreeMap<&str, ()> = problem.stops.iter().map(|s| (s.id.as_str(), ())).collect();
    let mut seen = BTreeMap::new();
    for (r, route) in previous.routes.iter().enumerate() {
        for (k, id) in route.iter().enumerate() {
            let field = format!("previous_plan.routes[{r}][{k}]");
            if !known.contains_key(id.as_str()) {
                found.push(
                    field,
                    Rule::UnknownReference,
                    "id of a stop of this problem",
                    id,
                );
            } else if seen.insert(id.as_str(), ()).is_some() {
                found.push(field, Rule::Duplicate, "each stop at most once", id);
            }
        }
    }
}

fn check_options(problem: &Problem, found: &mut Problems) {
    let options = &problem.options;
    if options.time_budget_ms.is_none() && options.iteration_limit.is_none() {
        found.push(
            "options",
            Rule::Required,
            "a time budget or an iteration limit (or both)",
            "neither",
        );
    }
    if options.threads == 0 {
        found.push("options.threads", Rule::Positive, "at least 1", 0);
    }
}

//! Route optimization on the phone: the delivery person computes and recomputes their own
//! route offline (a stop added, a customer away), with the core's optimizer.
//!
//! The problem and the plan are the core's types (remote records). Minutes, distances and
//! coordinates are `Double` (the optimizer works in `f64`; none of it is money); counts the
//! core keeps as `usize` cross as [`Count`].

use earlybird::Error;
use earlybird::routing::{
    self, Baseline, Comparison, Distances, Location, Plan, PreviousPlan, Problem, Route, RouteEnd,
    SolveOptions, Speed, SpeedBand, Stop, TimeWindow, Unassigned, UnassignedReason, Vehicle, Visit,
};

use crate::data::{Count, from_json};
use crate::error::EarlybirdError;
use crate::types::canonical_json;

/// A point in degrees.
#[uniffi::remote(Record)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

/// When service may start, in minutes since business-local midnight (`end` = latest start).
#[uniffi::remote(Record)]
pub struct TimeWindow {
    pub start: f64,
    pub end: f64,
}

/// A customer to visit; `drop_penalty` set makes the stop optional at that cost.
#[uniffi::remote(Record)]
pub struct Stop {
    pub id: String,
    pub location: Option<Location>,
    pub service_minutes: f64,
    pub time_window: Option<TimeWindow>,
    pub demand: Vec<f64>,
    pub priority: u32,
    pub drop_penalty: Option<f64>,
}

/// Where a route ends: back at the depot, after the last stop, or at a place.
#[uniffi::remote(Enum)]
pub enum RouteEnd {
    Depot,
    Anywhere,
    At(Location),
}

/// A delivery person: capacity per dimension (empty = unlimited) and shift in minutes.
#[uniffi::remote(Record)]
pub struct Vehicle {
    pub id: String,
    pub capacity: Vec<f64>,
    pub shift_start: f64,
    pub shift_end: f64,
    pub start: Option<Location>,
    pub end: RouteEnd,
}

/// A speed in force from a minute of the day on.
#[uniffi::remote(Record)]
pub struct SpeedBand {
    pub from_minute: f64,
    pub speed_kmh: f64,
}

/// Travel speed when no duration matrix is given.
#[uniffi::remote(Record)]
pub struct Speed {
    pub speed_kmh: f64,
    pub profile: Vec<SpeedBand>,
}

/// How distances are measured: great-circle × road factor, or the host's matrices.
#[uniffi::remote(Enum)]
pub enum Distances {
    Haversine {
        road_factor: f64,
    },
    Matrix {
        distances: Vec<Vec<f64>>,
        durations: Option<Vec<Vec<f64>>>,
    },
}

/// The routes known before (stop ids in order): changing their order costs the penalty per
/// new pair, so a recomputed route stays close to the one the delivery person knows.
#[uniffi::remote(Record)]
pub struct PreviousPlan {
    pub routes: Vec<Vec<String>>,
    pub penalty_per_changed_pair: f64,
}

/// The search budget: with a seed and an iteration limit (no time budget) the plan is the
/// same every time; a time budget makes it depend on the phone's speed.
#[uniffi::remote(Record)]
pub struct SolveOptions {
    pub seed: u64,
    pub time_budget_ms: Option<u64>,
    pub iteration_limit: Option<u64>,
    pub threads: Count,
}

/// A routing problem: depot, stops, delivery persons, distances, speed, previous plan,
/// options (`docs/routing.md`).
#[uniffi::remote(Record)]
pub struct Problem {
    pub depot: Option<Location>,
    pub stops: Vec<Stop>,
    pub vehicles: Vec<Vehicle>,
    pub distances: Distances,
    pub speed: Speed,
    pub previous_plan: Option<PreviousPlan>,
    pub options: SolveOptions,
}

/// One stop of a route with its times, in minutes since midnight.
#[uniffi::remote(Record)]
pub struct Visit {
    pub stop_id: String,
    pub location: Option<Location>,
    pub arrival: f64,
    pub service_start: f64,
    pub departure: f64,
}

/// One delivery person's route (empty `visits` when not needed).
#[uniffi::remote(Record)]
pub struct Route {
    pub vehicle_id: String,
    pub start: Option<Location>,
    pub end: Option<Location>,
    pub visits: Vec<Visit>,
    pub departure: f64,
    pub finish: f64,
    pub distance: f64,
    pub minutes: f64,
    pub load: Vec<f64>,
}

/// Why a stop was left out.
#[uniffi::remote(Enum)]
pub enum UnassignedReason {
    NoCapacity,
    WindowUnreachable,
    ShiftEnd,
    NoRoomInTime,
    NotWorthPenalty,
}

/// A stop left out, with the reason.
#[uniffi::remote(Record)]
pub struct Unassigned {
    pub stop_id: String,
    pub reason: UnassignedReason,
}

/// A baseline's distance and how many stops it served.
#[uniffi::remote(Record)]
pub struct Baseline {
    pub distance: f64,
    pub stops_served: Count,
}

/// The plan against the input order and the nearest-neighbour routes of today.
#[uniffi::remote(Record)]
pub struct Comparison {
    pub input_order: Baseline,
    pub nearest_neighbour: Baseline,
    pub improvement_over_input_order_percent: Option<f64>,
    pub improvement_over_nearest_neighbour_percent: Option<f64>,
}

/// The optimized routes, one per delivery person in input order, with totals.
#[uniffi::remote(Record)]
pub struct Plan {
    pub routes: Vec<Route>,
    pub unassigned: Vec<Unassigned>,
    pub total_distance: f64,
    pub total_minutes: f64,
    pub vehicles_used: Count,
    pub comparison: Option<Comparison>,
    pub changed_pairs: Option<Count>,
    pub iterations: u64,
}

/// Optimizes the routes within the problem's options (seed, time budget, iteration limit).
/// Blocks for up to the time budget: call it off the UI thread. A refused problem is
/// `ROUTING_INVALID_INPUT` with every field problem.
#[uniffi::export]
pub fn solve_routes(problem: Problem) -> Result<Plan, EarlybirdError> {
    Ok(routing::solve(&problem).map_err(Error::Routing)?)
}

/// The routes built today (each delivery person drives to the nearest stop that still
/// fits), to show next to the optimized plan.
#[uniffi::export]
pub fn nearest_neighbour_plan(problem: Problem) -> Result<Plan, EarlybirdError> {
    Ok(routing::nearest_neighbour_plan(&problem).map_err(Error::Routing)?)
}

/// Checks a problem without solving it: every field problem at once.
#[uniffi::export]
pub fn check_routing_problem(problem: Problem) -> Result<(), EarlybirdError> {
    Ok(routing::check(&problem).map_err(Error::Routing)?)
}

/// Every rule the plan breaks for the problem (capacity, windows, shifts, stops missing or
/// twice, mis-reported distances or times), in words; empty when the plan is valid.
#[uniffi::export]
pub fn validate_plan(problem: Problem, plan: Plan) -> Vec<String> {
    routing::validate::validate(&problem, &plan)
}

/// The plan drawn as an SVG document of `width` × `height` pixels under `title`.
#[uniffi::export]
pub fn render_plan_svg(plan: Plan, width: u32, height: u32, title: String) -> String {
    routing::svg::render(&plan, width, height, &title)
}

/// Reads a problem from the backend's JSON (`docs/routing.md`; absent options keep their
/// defaults).
#[uniffi::export]
pub fn parse_routing_problem(json: String) -> Result<Problem, EarlybirdError> {
    from_json("problem", &json)
}

/// The core's JSON of a problem.
#[uniffi::export]
pub fn routing_problem_to_json(problem: Problem) -> String {
    canonical_json(&problem)
}

/// The core's JSON of a plan.
#[uniffi::export]
pub fn plan_to_json(plan: Plan) -> String {
    canonical_json(&plan)
}

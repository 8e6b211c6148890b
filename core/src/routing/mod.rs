//! Route optimization: the morning delivery routes of every delivery person.
//!
//! A [`Problem`] (depot, stops with windows, service minutes, demands and priorities,
//! delivery persons with capacity and shift) goes in; a [`Plan`] (ordered routes with times,
//! totals, unassigned stops with reasons, and the comparison with the input order and the
//! nearest-neighbour routes) comes out. Returned routes never break capacity, time windows or
//! shift ends. Times are minutes since midnight; see `docs/routing.md`.
//!
//! ```
//! use earlybird::routing::{solve, Problem, Stop, Vehicle, Location, SolveOptions};
//! let at = |lat, lon| Some(Location { lat, lon });
//! let stop = |id: &str, lat, lon| Stop {
//!     id: id.into(), location: at(lat, lon), service_minutes: 2.0, time_window: None,
//!     demand: vec![1.0], priority: 0, drop_penalty: None,
//! };
//! let problem = Problem {
//!     depot: at(12.9716, 77.5946),
//!     stops: vec![stop("a", 12.975, 77.60), stop("b", 12.98, 77.59), stop("c", 12.97, 77.585)],
//!     vehicles: vec![Vehicle {
//!         id: "ravi".into(), capacity: vec![10.0], shift_start: 300.0, shift_end: 420.0,
//!         start: None, end: Default::default(),
//!     }],
//!     distances: Default::default(),
//!     speed: Default::default(),
//!     previous_plan: None,
//!     options: SolveOptions { seed: 7, time_budget_ms: None, iteration_limit: Some(200), threads: 1 },
//! };
//! let plan = solve(&problem).unwrap();
//! assert_eq!(plan.routes[0].visits.len(), 3);
//! assert!(plan.unassigned.is_empty());
//! assert!(earlybird::routing::validate::validate(&problem, &plan).is_empty());
//! ```

mod check;
mod construct;
pub mod distance;
pub mod error;
mod instance;
mod local_search;
mod metaheuristic;
pub mod plan;
pub mod problem;
mod rng;
mod search;
mod solution;
pub mod svg;
mod tsp;
pub mod validate;

pub use check::check;
pub use error::RoutingError;
pub use plan::{Baseline, Comparison, Plan, Route, Unassigned, UnassignedReason, Visit};
pub use problem::{
    Distances, Location, PreviousPlan, Problem, RouteEnd, SolveOptions, Speed, SpeedBand, Stop,
    TimeWindow, Vehicle,
};

use instance::Instance;
use solution::Solution;

/// Optimizes the routes of a problem within its options' budget.
pub fn solve(problem: &Problem) -> Result<Plan, RoutingError> {
    let started = std::time::Instant::now();
    check(problem)?;
    let instance = Instance::new(problem);
    let (solution, iterations) = search::run(&instance, &problem.options, started);
    let mut plan = plan::build(problem, &instance, &solution, iterations);
    let input_order = plan::baseline(&instance, &construct::input_order(&instance));
    let nearest = plan::baseline(&instance, &construct::nearest_neighbour(&instance));
    plan::compare(&mut plan, input_order, nearest);
    Ok(plan)
}

/// The routes the business builds today: each delivery person in turn drives to the nearest
/// stop that still fits. Useful to show next to the optimized plan.
pub fn nearest_neighbour_plan(problem: &Problem) -> Result<Plan, RoutingError> {
    check(problem)?;
    let instance = Instance::new(problem);
    let solution = Solution::from_routes(&instance, construct::nearest_neighbour(&instance));
    Ok(plan::build(problem, &instance, &solution, 0))
}

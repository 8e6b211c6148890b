//! The routing problem as the host hands it in: plain data with serde derives.
//!
//! Times are minutes since the business-local midnight (`f64`, so 5:30 am is `330.0`);
//! distances are metres for Haversine and the host's unit for a host matrix.

use serde::{Deserialize, Serialize};

/// A point on the map in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Location {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

/// When service at a stop may start, in minutes since midnight (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct TimeWindow {
    /// Earliest start of service; arriving earlier means waiting.
    pub start: f64,
    /// Latest start of service.
    pub end: f64,
}

/// A customer to deliver to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "RoutingStop", rename_all = "camelCase")
)]
pub struct Stop {
    /// Unique id (usually the customer id).
    pub id: String,
    /// Where the stop is; required for Haversine distances and for drawing.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub location: Option<Location>,
    /// Minutes spent at the stop.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub service_minutes: f64,
    /// When service may start; none means any time within the shift.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub time_window: Option<TimeWindow>,
    /// Load per capacity dimension (e.g. `[litres of milk, empty bottles]`); empty means none.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub demand: Vec<f64>,
    /// Higher is more important: when not every stop fits, lower priorities are dropped first.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub priority: u32,
    /// `Some(penalty)` makes the stop optional: it is skipped when serving it costs more than
    /// this penalty (in distance units). `None` means the stop must be served if at all possible.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub drop_penalty: Option<f64>,
}

/// Where a delivery person's route ends. JSON: `"depot"`, `"anywhere"` or
/// `{"at": {"lat": .., "lon": ..}}` (externally tagged: it survives serde_json's
/// `arbitrary_precision`, which internally tagged enums with numbers do not).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RouteEnd {
    /// Back at the depot (a closed tour).
    #[default]
    Depot,
    /// At the last stop: the route may end anywhere (an open tour).
    Anywhere,
    /// At a given place, e.g. the delivery person's home.
    At(Location),
}

/// A delivery person (vehicle) with a shift and a capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "RoutingVehicle", rename_all = "camelCase")
)]
pub struct Vehicle {
    /// Unique id (usually the delivery boy id).
    pub id: String,
    /// Capacity per dimension, same length as the stops' demands; empty means unlimited.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub capacity: Vec<f64>,
    /// Start of the shift, minutes since midnight: the route leaves its start place then.
    pub shift_start: f64,
    /// End of the shift: the route must reach its end (or finish its last stop) by then.
    pub shift_end: f64,
    /// Where the route starts; none means the depot.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub start: Option<Location>,
    /// Where the route ends.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub end: RouteEnd,
}

/// A band of a time-of-day speed profile: from `from_minute` until the next band's start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct SpeedBand {
    /// Minutes since midnight at which this speed starts to apply.
    pub from_minute: f64,
    /// Travel speed in km/h.
    pub speed_kmh: f64,
}

/// How travel times follow from distances when the host gives no duration matrix; missing
/// fields take their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct Speed {
    /// Speed used outside every band, km/h.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub speed_kmh: f64,
    /// Time-of-day bands (sorted by `from_minute`); the speed at departure applies to a leg.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub profile: Vec<SpeedBand>,
}

impl Default for Speed {
    /// 20 km/h: a two-wheeler in a town before 7 am.
    fn default() -> Self {
        Speed {
            speed_kmh: 20.0,
            profile: Vec::new(),
        }
    }
}

/// Where distances (and travel times) come from. JSON: `{"haversine": {"road_factor": 1.3}}`
/// or `{"matrix": {"distances": [[..]], "durations": [[..]]}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all_fields = "camelCase"))]
#[serde(rename_all = "snake_case")]
pub enum Distances {
    /// Great-circle distance in metres times a road factor (roads are not straight).
    Haversine {
        /// Multiplier on the great-circle distance *(default 1.3)*.
        road_factor: f64,
    },
    /// A matrix from the host (e.g. a road-routing engine). Rows and columns are places in
    /// this order: the depot, every stop in input order, then for each vehicle in order its
    /// `start` (when set) and its `end` when it is `RouteEnd::At`.
    Matrix {
        /// Distance from row place to column place.
        distances: Vec<Vec<f64>>,
        /// Travel minutes from row place to column place; none means distance / speed.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(optional = nullable))]
        durations: Option<Vec<Vec<f64>>>,
    },
}

impl Default for Distances {
    fn default() -> Self {
        Distances::Haversine { road_factor: 1.3 }
    }
}

/// Keep yesterday's (or the current) order when changing it gains little.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct PreviousPlan {
    /// Stop ids of each known route in visiting order.
    pub routes: Vec<Vec<String>>,
    /// Cost (in distance units) of each consecutive pair of stops that the new plan does not
    /// keep from the previous plan.
    pub penalty_per_changed_pair: f64,
}

/// How long and how the optimizer searches; missing fields take their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct SolveOptions {
    /// Seed of the pseudo-random search.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub seed: u64,
    /// Wall-clock budget in milliseconds; none means only the iteration limit stops the search.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub time_budget_ms: Option<u64>,
    /// Iteration limit; with a seed and no time budget the result is the same bit for bit.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub iteration_limit: Option<u64>,
    /// Independent searches run in parallel (different seeds, best kept); 1 by default.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub threads: usize,
}

impl Default for SolveOptions {
    /// One second on one core, seed 1.
    fn default() -> Self {
        SolveOptions {
            seed: 1,
            time_budget_ms: Some(1000),
            iteration_limit: None,
            threads: 1,
        }
    }
}

/// A whole routing problem: one depot, the stops, the delivery persons and the options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "RoutingProblem", rename_all = "camelCase")
)]
pub struct Problem {
    /// Where the milk is loaded; routes start (and by default end) here.
    pub depot: Option<Location>,
    /// The stops to serve.
    pub stops: Vec<Stop>,
    /// The delivery persons available.
    pub vehicles: Vec<Vehicle>,
    /// Where distances come from.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub distances: Distances,
    /// How travel time follows from distance when no duration matrix is given.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub speed: Speed,
    /// The plan to stay close to, if any.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub previous_plan: Option<PreviousPlan>,
    /// Search budget and seed.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub options: SolveOptions,
}

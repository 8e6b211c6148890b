//! Route optimizer tests: feasibility checked by the independent validator, determinism,
//! Haversine, windows and shift ends, unassigned reasons, stability and bad input.

use earlybird::routing::{
    Distances, Location, PreviousPlan, Problem, RouteEnd, SolveOptions, Speed, SpeedBand, Stop,
    TimeWindow, UnassignedReason, Vehicle, distance::haversine_m, nearest_neighbour_plan, solve,
    svg, validate::validate,
};
use proptest::prelude::*;

fn at(lat: f64, lon: f64) -> Option<Location> {
    Some(Location { lat, lon })
}

fn stop(id: &str, lat: f64, lon: f64) -> Stop {
    Stop {
        id: id.into(),
        location: at(lat, lon),
        service_minutes: 2.0,
        time_window: None,
        demand: vec![1.0],
        priority: 0,
        drop_penalty: None,
    }
}

fn vehicle(id: &str, capacity: f64, shift_start: f64, shift_end: f64) -> Vehicle {
    Vehicle {
        id: id.into(),
        capacity: vec![capacity],
        shift_start,
        shift_end,
        start: None,
        end: RouteEnd::Depot,
    }
}

fn options(iterations: u64) -> SolveOptions {
    SolveOptions {
        seed: 3,
        time_budget_ms: None,
        iteration_limit: Some(iterations),
        threads: 1,
    }
}

/// A depot in Bengaluru and `n` stops on a grid around it, about 200 m apart.
fn town(n: usize, vehicles: Vec<Vehicle>) -> Problem {
    let stops = (0..n)
        .map(|i| {
            let (row, col) = ((i * 7) % 11, (i * 3) % 13);
            stop(
                &format!("c{i}"),
                12.96 + 0.002 * row as f64,
                77.58 + 0.002 * col as f64,
            )
        })
        .collect();
    Problem {
        depot: at(12.97, 77.59),
        stops,
        vehicles,
        distances: Distances::default(),
        speed: Speed::default(),
        previous_plan: None,
        options: options(150),
    }
}

fn served(plan: &earlybird::routing::Plan) -> usize {
    plan.routes.iter().map(|r| r.visits.len()).sum()
}

#[test]
fn haversine_matches_known_city_distances() {
    let delhi = Location {
        lat: 28.6139,
        lon: 77.2090,
    };
    let mumbai = Location {
        lat: 19.0760,
        lon: 72.8777,
    };
    let london = Location {
        lat: 51.5074,
        lon: -0.1278,
    };
    let paris = Location {
        lat: 48.8566,
        lon: 2.3522,
    };
    assert!((haversine_m(delhi, mumbai) / 1000.0 - 1148.1).abs() < 2.0);
    assert!((haversine_m(london, paris) / 1000.0 - 343.6).abs() < 1.0);
    assert_eq!(haversine_m(delhi, delhi), 0.0);
}

#[test]
fn road_factor_scales_distances() {
    let mut problem = town(6, vec![vehicle("ravi", 50.0, 300.0, 480.0)]);
    let straight = {
        problem.distances = Distances::Haversine { road_factor: 1.0 };
        solve(&problem).unwrap().total_distance
    };
    problem.distances = Distances::default();
    let road = solve(&problem).unwrap().total_distance;
    assert!((road / straight - 1.3).abs() < 1e-9);
}

#[test]
fn solves_a_town_within_every_constraint_and_beats_nearest_neighbour() {
    let problem = town(
        40,
        vec![
            vehicle("ravi", 15.0, 300.0, 420.0),
            vehicle("anil", 15.0, 300.0, 420.0),
            vehicle("sunil", 15.0, 300.0, 420.0),
        ],
    );
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    assert!(plan.unassigned.is_empty());
    let comparison = plan.comparison.unwrap();
    assert!(plan.total_distance <= comparison.nearest_neighbour.distance + 1e-9);
    assert!(comparison.improvement_over_input_order_percent.unwrap() > 0.0);
    let nearest = nearest_neighbour_plan(&problem).unwrap();
    assert_eq!(validate(&problem, &nearest), Vec::<String>::new());
}

#[test]
fn same_seed_and_iteration_limit_give_the_same_plan_bit_for_bit() {
    let mut problem = town(
        30,
        vec![
            vehicle("ravi", 12.0, 300.0, 420.0),
            vehicle("anil", 12.0, 300.0, 420.0),
            vehicle("sunil", 12.0, 300.0, 420.0),
        ],
    );
    for (i, s) in problem.stops.iter_mut().enumerate() {
        s.time_window = Some(TimeWindow {
            start: 300.0 + (i % 4) as f64 * 20.0,
            end: 360.0 + (i % 4) as f64 * 20.0,
        });
    }
    let first = serde_json::to_string(&solve(&problem).unwrap()).unwrap();
    let second = serde_json::to_string(&solve(&problem).unwrap()).unwrap();
    assert_eq!(first, second);
    problem.options.threads = 2;
    let parallel = serde_json::to_string(&solve(&problem).unwrap()).unwrap();
    assert_eq!(
        parallel,
        serde_json::to_string(&solve(&problem).unwrap()).unwrap()
    );
}

#[test]
fn single_delivery_person_tour_is_optimal_on_a_circle() {
    let n = 12;
    let stops: Vec<Stop> = (0..n)
        .map(|i| {
            let angle = (i * 5 % n) as f64 * std::f64::consts::TAU / n as f64;
            stop(
                &format!("s{i}"),
                12.97 + 0.01 * angle.sin(),
                77.59 + 0.01 * angle.cos(),
            )
        })
        .collect();
    let mut problem = town(
        0,
        vec![Vehicle {
            capacity: vec![],
            ..vehicle("ravi", 0.0, 300.0, 600.0)
        }],
    );
    problem.depot = stops[0].location;
    problem.stops = stops[1..].to_vec();
    let plan = solve(&problem).unwrap();
    let mut around: Vec<usize> = plan.routes[0]
        .visits
        .iter()
        .map(|v| v.stop_id[1..].parse::<usize>().unwrap() * 5 % n)
        .collect();
    if around[0] > around[1] {
        around.reverse();
    }
    assert_eq!(around, (1..n).collect::<Vec<_>>());
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
}

#[test]
fn open_routes_and_own_start_and_end_places() {
    let mut problem = town(
        15,
        vec![
            vehicle("ravi", 20.0, 300.0, 420.0),
            vehicle("anil", 20.0, 300.0, 420.0),
        ],
    );
    problem.vehicles[0].end = RouteEnd::Anywhere;
    problem.vehicles[1].start = at(12.99, 77.60);
    problem.vehicles[1].end = RouteEnd::At(Location {
        lat: 12.95,
        lon: 77.57,
    });
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    assert!(plan.routes[0].end.is_none());
    assert_eq!(plan.routes[1].start, at(12.99, 77.60));
    assert!(plan.unassigned.is_empty());
}

#[test]
fn host_matrix_with_vehicle_places_is_used() {
    // depot, 3 stops, then vehicle 0's own end place: 5 places.
    let d = vec![
        vec![0.0, 1.0, 2.0, 3.0, 9.0],
        vec![1.0, 0.0, 1.0, 2.0, 8.0],
        vec![2.0, 1.0, 0.0, 1.0, 7.0],
        vec![3.0, 2.0, 1.0, 0.0, 1.0],
        vec![9.0, 8.0, 7.0, 1.0, 0.0],
    ];
    let mut problem = town(3, vec![vehicle("ravi", 10.0, 0.0, 100.0)]);
    problem.depot = None;
    for s in &mut problem.stops {
        s.location = None;
    }
    problem.vehicles[0].end = RouteEnd::At(Location { lat: 0.0, lon: 0.0 });
    problem.distances = Distances::Matrix {
        distances: d.clone(),
        durations: Some(d),
    };
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    assert_eq!(plan.total_distance, 4.0);
}

#[test]
fn time_windows_and_shift_end_are_respected_with_a_speed_profile() {
    let mut problem = town(
        25,
        vec![
            vehicle("ravi", 30.0, 300.0, 400.0),
            vehicle("anil", 30.0, 300.0, 400.0),
        ],
    );
    problem.speed = Speed {
        speed_kmh: 20.0,
        profile: vec![
            SpeedBand {
                from_minute: 330.0,
                speed_kmh: 8.0,
            },
            SpeedBand {
                from_minute: 360.0,
                speed_kmh: 15.0,
            },
        ],
    };
    for (i, s) in problem.stops.iter_mut().enumerate() {
        s.service_minutes = 4.0;
        s.time_window = Some(TimeWindow {
            start: 300.0 + (i % 3) as f64 * 25.0,
            end: 330.0 + (i % 3) as f64 * 25.0,
        });
    }
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    for route in &plan.routes {
        assert!(route.finish <= 400.0);
    }
}

#[test]
fn unassigned_stops_carry_the_right_reason() {
    let mut problem = town(4, vec![vehicle("ravi", 5.0, 300.0, 420.0)]);
    problem.stops[0].demand = vec![6.0];
    problem.stops[1].time_window = Some(TimeWindow {
        start: 200.0,
        end: 250.0,
    });
    problem.stops.push(stop("far", 13.5, 77.59));
    problem.stops.push(Stop {
        drop_penalty: Some(1.0),
        ..stop("optional", 12.90, 77.50)
    });
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    let reason = |id: &str| {
        plan.unassigned
            .iter()
            .find(|u| u.stop_id == id)
            .map(|u| u.reason)
    };
    assert_eq!(reason("c0"), Some(UnassignedReason::NoCapacity));
    assert_eq!(reason("c1"), Some(UnassignedReason::WindowUnreachable));
    assert_eq!(reason("far"), Some(UnassignedReason::ShiftEnd));
    assert_eq!(reason("optional"), Some(UnassignedReason::NotWorthPenalty));
    assert_eq!(reason("c2"), None);
    assert_eq!(reason("c3"), None);
}

#[test]
fn when_not_everything_fits_lower_priorities_are_dropped_and_reasons_given() {
    let mut problem = town(6, vec![vehicle("ravi", 3.0, 300.0, 420.0)]);
    for s in &mut problem.stops[..3] {
        s.priority = 5;
    }
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    let kept: Vec<&str> = plan.routes[0]
        .visits
        .iter()
        .map(|v| v.stop_id.as_str())
        .collect();
    assert_eq!(kept.len(), 3);
    assert!(kept.iter().all(|id| ["c0", "c1", "c2"].contains(id)));
    assert!(
        plan.unassigned
            .iter()
            .all(|u| u.reason == UnassignedReason::NoCapacity)
    );
}

#[test]
fn same_window_for_two_far_stops_leaves_one_without_room() {
    let mut problem = town(2, vec![vehicle("ravi", 10.0, 300.0, 420.0)]);
    problem.stops[0] = Stop {
        time_window: Some(TimeWindow {
            start: 310.0,
            end: 311.0,
        }),
        ..stop("north", 12.98, 77.59)
    };
    problem.stops[1] = Stop {
        time_window: Some(TimeWindow {
            start: 310.0,
            end: 311.0,
        }),
        ..stop("south", 12.96, 77.59)
    };
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    assert_eq!(plan.unassigned.len(), 1);
    assert_eq!(plan.unassigned[0].reason, UnassignedReason::NoRoomInTime);
}

#[test]
fn second_capacity_dimension_limits_empty_bottles() {
    let mut problem = town(
        8,
        vec![
            Vehicle {
                capacity: vec![100.0, 4.0],
                ..vehicle("ravi", 0.0, 300.0, 420.0)
            },
            Vehicle {
                capacity: vec![100.0, 4.0],
                ..vehicle("anil", 0.0, 300.0, 420.0)
            },
        ],
    );
    for s in &mut problem.stops {
        s.demand = vec![1.0, 1.0];
    }
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    assert!(plan.unassigned.is_empty());
    assert!(plan.routes.iter().all(|r| r.load[1] <= 4.0));
    assert_eq!(plan.vehicles_used, 2);
}

#[test]
fn previous_plan_keeps_the_known_order_when_it_costs_little() {
    let mut problem = town(20, vec![vehicle("ravi", 30.0, 300.0, 480.0)]);
    let known: Vec<String> = problem.stops.iter().map(|s| s.id.clone()).collect();
    problem.previous_plan = Some(PreviousPlan {
        routes: vec![known.clone()],
        penalty_per_changed_pair: 5000.0,
    });
    let plan = solve(&problem).unwrap();
    let order: Vec<String> = plan.routes[0]
        .visits
        .iter()
        .map(|v| v.stop_id.clone())
        .collect();
    assert_eq!(order, known);
    assert_eq!(plan.changed_pairs, Some(0));
    problem.previous_plan = Some(PreviousPlan {
        routes: vec![known.clone()],
        penalty_per_changed_pair: 0.0,
    });
    let free = solve(&problem).unwrap();
    assert!(free.total_distance < plan.total_distance);
}

#[test]
fn bad_input_lists_every_problem() {
    let mut problem = town(3, vec![]);
    problem.stops[0].location = at(f64::NAN, 77.0);
    problem.stops[1].demand = vec![-1.0];
    problem.stops[2].time_window = Some(TimeWindow {
        start: 400.0,
        end: 300.0,
    });
    problem.stops.push(stop("c0", 12.9, 77.5));
    let error = solve(&problem).unwrap_err();
    assert_eq!(error.code(), "ROUTING_INVALID_INPUT");
    let earlybird::routing::RoutingError::InvalidInput(invalid) = error;
    let fields = invalid.fields();
    for expected in [
        "stops[0].location.lat",
        "stops[1].demand[0]",
        "stops[2].time_window.end",
        "stops[3].id",
        "vehicles",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
}

#[test]
fn wrong_matrix_size_and_bad_options_are_reported() {
    let mut problem = town(3, vec![vehicle("ravi", 10.0, 300.0, 200.0)]);
    problem.distances = Distances::Matrix {
        distances: vec![vec![0.0; 3]; 3],
        durations: None,
    };
    problem.options = SolveOptions {
        seed: 1,
        time_budget_ms: None,
        iteration_limit: None,
        threads: 0,
    };
    let Err(earlybird::routing::RoutingError::InvalidInput(invalid)) = solve(&problem) else {
        panic!("expected an input error");
    };
    let fields = invalid.fields();
    for expected in [
        "distances.distances",
        "distances.distances[0]",
        "vehicles[0].shift_end",
        "options",
        "options.threads",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
}

#[test]
fn empty_problem_gives_empty_plan() {
    let problem = town(0, vec![vehicle("ravi", 10.0, 300.0, 420.0)]);
    let plan = solve(&problem).unwrap();
    assert_eq!(plan.vehicles_used, 0);
    assert_eq!(plan.total_distance, 0.0);
    assert!(svg::render(&plan, 100, 100, "none").ends_with("</svg>"));
}

fn arbitrary_problem() -> impl Strategy<Value = Problem> {
    let stop = (
        0.0..0.05f64,
        0.0..0.05f64,
        0.0..5.0f64,
        0u32..3,
        proptest::option::of((300.0..420.0f64, 0.0..60.0f64)),
        0.0..4.0f64,
        any::<bool>(),
    );
    let vehicle = (1.0..20.0f64, 280.0..320.0f64, 30.0..150.0f64, any::<bool>());
    (
        proptest::collection::vec(stop, 1..25),
        proptest::collection::vec(vehicle, 1..4),
        any::<u64>(),
    )
        .prop_map(|(stops, vehicles, seed)| Problem {
            depot: at(12.97, 77.59),
            stops: stops
                .into_iter()
                .enumerate()
                .map(
                    |(i, (dlat, dlon, service, priority, window, demand, optional))| Stop {
                        id: format!("s{i}"),
                        location: at(12.95 + dlat, 77.57 + dlon),
                        service_minutes: service,
                        time_window: window.map(|(start, width)| TimeWindow {
                            start,
                            end: start + width,
                        }),
                        demand: vec![demand],
                        priority,
                        drop_penalty: optional.then_some(2000.0),
                    },
                )
                .collect(),
            vehicles: vehicles
                .into_iter()
                .enumerate()
                .map(|(i, (capacity, start, length, open))| Vehicle {
                    id: format!("v{i}"),
                    capacity: vec![capacity],
                    shift_start: start,
                    shift_end: start + length,
                    start: None,
                    end: if open {
                        RouteEnd::Anywhere
                    } else {
                        RouteEnd::Depot
                    },
                })
                .collect(),
            distances: Distances::default(),
            speed: Speed::default(),
            previous_plan: None,
            options: SolveOptions {
                seed,
                time_budget_ms: None,
                iteration_limit: Some(40),
                threads: 1,
            },
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_returned_plan_passes_the_validator(problem in arbitrary_problem()) {
        let plan = solve(&problem).unwrap();
        prop_assert_eq!(validate(&problem, &plan), Vec::<String>::new());
        prop_assert_eq!(served(&plan) + plan.unassigned.len(), problem.stops.len());
        let nearest = nearest_neighbour_plan(&problem).unwrap();
        prop_assert_eq!(validate(&problem, &nearest), Vec::<String>::new());
    }
}

#[test]
fn open_single_tour_ends_at_the_far_end_of_a_street() {
    let mut problem = town(
        0,
        vec![Vehicle {
            capacity: vec![],
            end: RouteEnd::Anywhere,
            ..vehicle("ravi", 0.0, 300.0, 600.0)
        }],
    );
    let order = [3, 7, 1, 9, 5, 2, 8, 4, 6];
    problem.stops = order
        .iter()
        .map(|&k| stop(&format!("h{k}"), 12.97, 77.59 + 0.001 * k as f64))
        .collect();
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    let visited: Vec<&str> = plan.routes[0]
        .visits
        .iter()
        .map(|v| v.stop_id.as_str())
        .collect();
    assert_eq!(
        visited,
        ["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9"]
    );
    let street = haversine_m(
        Location {
            lat: 12.97,
            lon: 77.59,
        },
        Location {
            lat: 12.97,
            lon: 77.599,
        },
    ) * 1.3;
    assert!((plan.total_distance - street).abs() < 1e-6);
}

#[test]
fn reoptimizing_after_a_few_changes_keeps_the_rest_of_each_route() {
    let mut problem = town(
        30,
        vec![
            vehicle("ravi", 20.0, 300.0, 480.0),
            vehicle("anil", 20.0, 300.0, 480.0),
        ],
    );
    let yesterday = solve(&problem).unwrap();
    let routes: Vec<Vec<String>> = yesterday
        .routes
        .iter()
        .map(|r| r.visits.iter().map(|v| v.stop_id.clone()).collect())
        .collect();
    problem.stops.retain(|s| s.id != "c5");
    problem.stops.push(stop("new1", 12.965, 77.585));
    problem.stops.push(stop("new2", 12.975, 77.595));
    let known: Vec<Vec<String>> = routes
        .iter()
        .map(|r| r.iter().filter(|id| *id != "c5").cloned().collect())
        .collect();
    problem.previous_plan = Some(PreviousPlan {
        routes: known,
        penalty_per_changed_pair: 2000.0,
    });
    let today = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &today), Vec::<String>::new());
    assert!(today.unassigned.is_empty());
    assert!(
        today.changed_pairs.unwrap() <= 4,
        "{:?}",
        today.changed_pairs
    );
}

#[test]
fn accepts_the_hosts_json_with_defaults() {
    let json = r#"{
        "depot": {"lat": 12.97, "lon": 77.59},
        "stops": [
            {"id": "a", "location": {"lat": 12.975, "lon": 77.60}, "time_window": {"start": 330, "end": 360}},
            {"id": "b", "location": {"lat": 12.965, "lon": 77.58}, "demand": [2], "drop_penalty": 500}
        ],
        "vehicles": [{"id": "ravi", "capacity": [10], "shift_start": 300, "shift_end": 420, "end": "anywhere"},
                     {"id": "anil", "shift_start": 300, "shift_end": 420, "end": {"at": {"lat": 12.99, "lon": 77.6}}}],
        "distances": {"haversine": {"road_factor": 1.4}},
        "options": {"iteration_limit": 50, "time_budget_ms": null}
    }"#;
    let problem: Problem = serde_json::from_str(json).unwrap();
    assert_eq!(problem.options.seed, 1);
    let plan = solve(&problem).unwrap();
    assert_eq!(validate(&problem, &plan), Vec::<String>::new());
    let back: earlybird::routing::Plan =
        serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back, plan);
}

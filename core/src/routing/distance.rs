//! Distances and travel times between places: Haversine × road factor or a host matrix,
//! with travel time from a speed and an optional time-of-day speed profile.

use super::problem::{Location, Speed};

/// Mean Earth radius in metres (IUGG).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two points.
///
/// ```
/// use earlybird::routing::{distance::haversine_m, Location};
/// let mumbai = Location { lat: 18.9400, lon: 72.8350 };
/// let pune = Location { lat: 18.5204, lon: 73.8567 };
/// let km = haversine_m(mumbai, pune) / 1000.0;
/// assert!((km - 117.3).abs() < 0.5);
/// ```
pub fn haversine_m(a: Location, b: Location) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Travel between places as dense row-major matrices, plus the speed profile when travel
/// time depends on the time of day.
#[derive(Debug, Clone)]
pub(crate) struct Travel {
    size: usize,
    distance: Vec<f64>,
    minutes: Vec<f64>,
    /// (from minute, metres per minute) bands, when the departure time matters.
    bands: Option<Vec<(f64, f64)>>,
    metres_per_minute: f64,
}

impl Travel {
    /// Builds travel from a square distance matrix and, if given, a duration matrix.
    /// The last row and column are a virtual "anywhere" place at zero distance from all.
    pub(crate) fn new(
        distances: Vec<Vec<f64>>,
        durations: Option<Vec<Vec<f64>>>,
        speed: &Speed,
    ) -> Self {
        let size = distances.len() + 1;
        let flatten = |rows: &[Vec<f64>]| {
            let mut flat = vec![0.0; size * size];
            for (r, row) in rows.iter().enumerate() {
                flat[r * size..r * size + row.len()].copy_from_slice(row);
            }
            flat
        };
        let distance = flatten(&distances);
        let metres_per_minute = speed.speed_kmh * 1000.0 / 60.0;
        let (minutes, bands) = match durations {
            Some(rows) => (flatten(&rows), None),
            None => {
                let minutes = distance.iter().map(|d| d / metres_per_minute).collect();
                let bands = speed
                    .profile
                    .iter()
                    .map(|b| (b.from_minute, b.speed_kmh * 1000.0 / 60.0))
                    .collect::<Vec<_>>();
                let varies = bands.iter().any(|b| b.1 != metres_per_minute);
                (minutes, varies.then_some(bands))
            }
        };
        Travel {
            size,
            distance,
            minutes,
            bands,
            metres_per_minute,
        }
    }

    /// Builds the distance matrix of located places with Haversine × road factor.
    pub(crate) fn haversine(places: &[Location], road_factor: f64) -> Vec<Vec<f64>> {
        places
            .iter()
            .map(|a| {
                places
                    .iter()
                    .map(|b| haversine_m(*a, *b) * road_factor)
                    .collect()
            })
            .collect()
    }

    /// Number of places including the virtual "anywhere" place.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The virtual place where open routes end.
    pub(crate) fn anywhere(&self) -> usize {
        self.size - 1
    }

    pub(crate) fn distance(&self, from: usize, to: usize) -> f64 {
        self.distance[from * self.size + to]
    }

    /// True when a leg's duration depends on when it starts.
    pub(crate) fn time_dependent(&self) -> bool {
        self.bands.is_some()
    }

    /// Minutes to drive from `from` to `to` leaving at minute `depart`.
    pub(crate) fn minutes(&self, from: usize, to: usize, depart: f64) -> f64 {
        match &self.bands {
            None => self.minutes[from * self.size + to],
            Some(bands) => {
                let speed = bands
                    .iter()
                    .rev()
                    .find(|b| b.0 <= depart)
                    .map_or(self.metres_per_minute, |b| b.1);
                self.distance(from, to) / speed
            }
        }
    }
}

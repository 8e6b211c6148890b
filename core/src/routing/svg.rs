//! A plain SVG drawing of a plan: one coloured polyline per route, stops as dots, the
//! depot as a square. Built by string formatting, no dependencies.

use std::fmt::Write;

use super::plan::Plan;
use super::problem::Location;

const COLOURS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

/// Renders the routes of `plan` into a `width`×`height` SVG document titled `title`.
/// Routes without locations (matrix-only problems) are skipped.
///
/// ```
/// use earlybird::routing::{svg, Location, Plan, Route, Visit};
/// let visit = |id: &str, lat, lon| Visit {
///     stop_id: id.into(), location: Some(Location { lat, lon }),
///     arrival: 0.0, service_start: 0.0, departure: 0.0,
/// };
/// let depot = Some(Location { lat: 12.97, lon: 77.59 });
/// let plan = Plan {
///     routes: vec![Route {
///         vehicle_id: "ravi".into(), start: depot, end: depot,
///         visits: vec![visit("a", 12.98, 77.60), visit("b", 12.96, 77.61)],
///         departure: 300.0, finish: 330.0, distance: 5000.0, minutes: 30.0, load: vec![],
///     }],
///     unassigned: vec![], total_distance: 5000.0, total_minutes: 30.0,
///     vehicles_used: 1, comparison: None, changed_pairs: None, iterations: 0,
/// };
/// let drawing = svg::render(&plan, 400, 300, "Optimized");
/// assert!(drawing.starts_with("<svg"));
/// assert!(drawing.contains("<polyline"));
/// ```
pub fn render(plan: &Plan, width: u32, height: u32, title: &str) -> String {
    let points: Vec<Location> = plan
        .routes
        .iter()
        .flat_map(|r| {
            r.start
                .iter()
                .chain(r.end.iter())
                .copied()
                .chain(r.visits.iter().filter_map(|v| v.location))
        })
        .filter(|l| l.lat.is_finite() && l.lon.is_finite())
        .collect();
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="white"/><text x="8" y="18" font-family="sans-serif" font-size="14">{}</text>"#,
        escape(title)
    );
    if !points.is_empty() {
        let fold = |f: fn(f64, f64) -> f64, init: f64, key: fn(&Location) -> f64| {
            points.iter().map(key).fold(init, f)
        };
        let (min_lon, max_lon) = (
            fold(f64::min, f64::INFINITY, |l| l.lon),
            fold(f64::max, f64::NEG_INFINITY, |l| l.lon),
        );
        let (min_lat, max_lat) = (
            fold(f64::min, f64::INFINITY, |l| l.lat),
            fold(f64::max, f64::NEG_INFINITY, |l| l.lat),
        );
        let margin = 24.0;
        // A degree of longitude is shorter than one of latitude away from the equator.
        let squeeze = ((min_lat + max_lat) / 2.0).to_radians().cos().max(0.01);
        let scale = ((w - 2.0 * margin) / ((max_lon - min_lon) * squeeze).max(1e-12))
            .min((h - 2.0 * margin) / (max_lat - min_lat).max(1e-12));
        let xy = |l: Location| {
            (
                margin + (l.lon - min_lon) * squeeze * scale,
                h - margin - (l.lat - min_lat) * scale,
            )
        };
        for (k, route) in plan
            .routes
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.visits.is_empty())
        {
            let colour = COLOURS[k % COLOURS.len()];
            let path: Vec<Location> = route
                .start
                .into_iter()
                .chain(route.visits.iter().filter_map(|v| v.location))
                .chain(route.end)
                .collect();
            let coords: Vec<String> = path
                .iter()
                .map(|l| {
                    let (x, y) = xy(*l);
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            let _ = write!(
                out,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"/>"#,
                coords.join(" ")
            );
            for visit in &route.visits {
                if let Some(l) = visit.location {
                    let (x, y) = xy(l);
                    let _ = write!(
                        out,
                        r#"<circle cx="{x:.1}" cy="{y:.1}" r="2.5" fill="{colour}"><title>{}</title></circle>"#,
                        escape(&visit.stop_id)
                    );
                }
            }
            if let Some(start) = route.start {
                let (x, y) = xy(start);
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="black"/>"#,
                    x - 4.0,
                    y - 4.0
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

//! Plain-text views of the funnel and the cohort table, for demos and terminals.

use std::fmt::Write;

use super::cohort::{CohortTable, Granularity};
use super::metrics::Funnel;

/// The funnel as aligned text, one step per line.
pub fn funnel_text(funnel: &Funnel) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:>10} {:>10} {:>10}",
        "step", "customers", "of prev", "of signup"
    );
    for step in &funnel.steps {
        let _ = writeln!(
            out,
            "{:<24} {:>10} {:>9}% {:>9}%",
            step.step,
            step.customers,
            percent(step.rate_from_previous),
            percent(step.rate_from_start),
        );
    }
    out
}

/// A rate as a percentage with one decimal, rounded half-up (Decimal's `{:.1}` truncates).
fn percent(rate: rust_decimal::Decimal) -> String {
    let p = rate * rust_decimal::Decimal::ONE_HUNDRED;
    format!(
        "{:.1}",
        p.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

/// The cohort table as text: a row per cohort, its size, then retention per period in
/// percent, at most `max_periods` columns.
pub fn cohort_text(table: &CohortTable, max_periods: usize) -> String {
    let unit = match table.granularity {
        Granularity::Week => "W",
        Granularity::Month => "M",
    };
    let columns = table.periods.min(max_periods);
    let mut out = String::new();
    let _ = write!(out, "{:<10} {:>8}", "cohort", "size");
    for k in 0..columns {
        let _ = write!(out, " {:>6}", format!("{unit}{k}"));
    }
    out.push('\n');
    for row in &table.rows {
        let _ = write!(out, "{:<10} {:>8}", row.cohort.to_string(), row.size);
        for r in row.retention.iter().take(columns) {
            let _ = write!(out, " {:>5}%", percent(*r));
        }
        out.push('\n');
    }
    out
}

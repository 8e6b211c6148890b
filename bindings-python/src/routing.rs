//! Route optimization (`earlybird::routing`): problem dict in, plan dict out.
//!
//! The problem and the plan are the core's serde shapes (`docs/routing.md`); minutes,
//! distances and coordinates are `float` (the routing engine works in `f64`, none of it is
//! money). Solving runs without the GIL.

use earlybird::Error;
use earlybird::routing::{Plan, Problem, RoutingError};
use pyo3::prelude::*;

use crate::convert::{json_out, serde_arg};
use crate::errors::{guard, to_py_err};

fn routing_err(py: Python<'_>, error: RoutingError) -> PyErr {
    to_py_err(py, Error::Routing(error))
}

/// Optimizes the routes of `problem` within its `options` budget (seed, time budget,
/// iteration limit): the plan, compared with the input order and the nearest-neighbour routes.
/// The GIL is released while the core searches.
#[pyfunction]
fn solve<'py>(py: Python<'py>, problem: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let problem: Problem = serde_arg(problem, "problem")?;
        let plan = py
            .detach(|| earlybird::routing::solve(&problem))
            .map_err(|e| routing_err(py, e))?;
        json_out(py, &plan)
    })
}

/// The routes the business builds today (nearest stop that still fits), as a plan.
#[pyfunction]
fn nearest_neighbour_plan<'py>(
    py: Python<'py>,
    problem: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let problem: Problem = serde_arg(problem, "problem")?;
        let plan = py
            .detach(|| earlybird::routing::nearest_neighbour_plan(&problem))
            .map_err(|e| routing_err(py, e))?;
        json_out(py, &plan)
    })
}

/// Checks a problem without solving it: raises `ValidationError` (code
/// `ROUTING_INVALID_INPUT`) listing every problem, or returns `None`.
#[pyfunction]
fn check_problem(py: Python<'_>, problem: &Bound<'_, PyAny>) -> PyResult<()> {
    guard(py, || {
        let problem: Problem = serde_arg(problem, "problem")?;
        earlybird::routing::check(&problem).map_err(|e| routing_err(py, e))
    })
}

/// Every violation of `plan` against `problem` (capacity, windows, shifts, stops missing or
/// twice), in words; empty when the plan is valid.
#[pyfunction]
fn validate_plan(
    py: Python<'_>,
    problem: &Bound<'_, PyAny>,
    plan: &Bound<'_, PyAny>,
) -> PyResult<Vec<String>> {
    guard(py, || {
        let problem: Problem = serde_arg(problem, "problem")?;
        let plan: Plan = serde_arg(plan, "plan")?;
        Ok(py.detach(|| earlybird::routing::validate::validate(&problem, &plan)))
    })
}

/// The plan drawn as an SVG document (`width` x `height` pixels, `title` on top).
#[pyfunction]
#[pyo3(signature = (plan, width = 800, height = 600, title = ""))]
fn render_svg(
    py: Python<'_>,
    plan: &Bound<'_, PyAny>,
    width: u32,
    height: u32,
    title: &str,
) -> PyResult<String> {
    guard(py, || {
        let plan: Plan = serde_arg(plan, "plan")?;
        Ok(earlybird::routing::svg::render(&plan, width, height, title))
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(nearest_neighbour_plan, m)?)?;
    m.add_function(wrap_pyfunction!(check_problem, m)?)?;
    m.add_function(wrap_pyfunction!(validate_plan, m)?)?;
    m.add_function(wrap_pyfunction!(render_svg, m)?)?;
    Ok(())
}

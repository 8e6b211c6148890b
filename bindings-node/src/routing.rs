//! Route optimization. The problem and the plan are plain objects in the core's serde form
//! with camelCase keys (`plain`; the core's snake_case JSON is accepted too, and a problem may
//! be given as JSON text). `solveAsync` runs the optimizer on the libuv thread pool.

use earlybird::routing::{self, Plan, Problem};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{arg, json_text};
use crate::failure::{Failure, call, contain};
use crate::plain::{Resolved, from_text, input, output};

fn problem(env: &Env, value: Unknown<'_>) -> Result<Problem, Failure> {
    from_text("problem", &json_text(env, "problem", value)?)
}

fn plan(env: &Env, value: Unknown<'_>) -> Result<Plan, Failure> {
    input(env, "plan", value)
}

/// Optimizes the routes of `problem` within its `options` (seed, time budget, iteration
/// limit, threads), on the calling thread. Refused problems throw `ROUTING_INVALID_INPUT`
/// with every problem listed.
#[napi(
    ts_args_type = "problem: RoutingProblem | string",
    ts_return_type = "RoutingPlan"
)]
pub fn solve(env: Env, problem_arg: Unknown<'_>) -> napi::Result<Value> {
    call(&env, || {
        output(&routing::solve(&problem(&env, problem_arg)?)?)
    })
}

/// The routes built today (nearest stop that still fits, person by person), to show next to
/// the optimized plan.
#[napi(
    ts_args_type = "problem: RoutingProblem | string",
    ts_return_type = "RoutingPlan"
)]
pub fn nearest_neighbour_plan(env: Env, problem_arg: Unknown<'_>) -> napi::Result<Value> {
    call(&env, || {
        output(&routing::nearest_neighbour_plan(&problem(
            &env,
            problem_arg,
        )?)?)
    })
}

/// Every rule `plan` breaks for `problem` (capacity, windows, shifts, unknown or repeated
/// stops), as sentences; empty when the plan is valid.
#[napi(
    ts_args_type = "problem: RoutingProblem | string, plan: RoutingPlan",
    ts_return_type = "string[]"
)]
pub fn validate_plan(
    env: Env,
    problem_arg: Unknown<'_>,
    plan_arg: Unknown<'_>,
) -> napi::Result<Vec<String>> {
    call(&env, || {
        let problem = problem(&env, problem_arg)?;
        Ok(routing::validate::validate(
            &problem,
            &plan(&env, plan_arg)?,
        ))
    })
}

/// The plan drawn as an SVG document of `width` × `height` pixels under `title`.
#[napi(ts_args_type = "plan: RoutingPlan, width: number, height: number, title: string")]
pub fn render_svg(
    env: Env,
    plan_arg: Unknown<'_>,
    width: Unknown<'_>,
    height: Unknown<'_>,
    title: Unknown<'_>,
) -> napi::Result<String> {
    call(&env, || {
        let plan = plan(&env, plan_arg)?;
        let width: u32 = arg(&env, "width", width)?;
        let height: u32 = arg(&env, "height", height)?;
        let title: String = arg(&env, "title", title)?;
        Ok(routing::svg::render(&plan, width, height, &title))
    })
}

/// `solve` on the libuv thread pool. Only writing the problem to JSON text happens on the
/// calling thread; reading it, the search and writing the plan's JSON form do not.
pub struct Solve {
    problem: Option<Result<String, Failure>>,
}

impl Task for Solve {
    type Output = Result<Value, Failure>;
    type JsValue = Resolved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let problem = self.problem.take();
        Ok(contain(|| match problem {
            Some(Ok(text)) => output(&routing::solve(&from_text("problem", &text)?)?),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Conversion(
                "the problem was solved twice".to_owned(),
            )),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map(Resolved).map_err(|f| f.into_js(&env))
    }
}

/// Like `solve`, returning a Promise; the optimization runs off the event loop. Every
/// failure, bad arguments included, rejects the Promise.
#[napi(
    ts_args_type = "problem: RoutingProblem | string",
    ts_return_type = "Promise<RoutingPlan>"
)]
pub fn solve_async(env: Env, problem_arg: Unknown<'_>) -> AsyncTask<Solve> {
    let problem = contain(|| json_text(&env, "problem", problem_arg));
    AsyncTask::new(Solve {
        problem: Some(problem),
    })
}

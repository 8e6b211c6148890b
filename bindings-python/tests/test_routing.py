"""Route optimization through the binding: problem dict in, plan dict out, GIL released."""

from __future__ import annotations

from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs, while_another_thread_runs


def problem(stops: int = 6, iterations: int = 300) -> dict[str, Any]:
    return {
        "depot": {"lat": 12.97, "lon": 77.59},
        "stops": [
            {
                "id": f"s{i}",
                "location": {"lat": 12.95 + (i % 7) * 0.006, "lon": 77.57 + (i // 7) * 0.005},
                "service_minutes": 2,
                "demand": [1],
            }
            for i in range(stops)
        ],
        "vehicles": [
            {"id": "ravi", "capacity": [200], "shift_start": 300, "shift_end": 900, "end": "depot"},
            {"id": "anil", "capacity": [200], "shift_start": 300, "shift_end": 900, "end": "anywhere"},
        ],
        "distances": {"haversine": {"road_factor": 1.3}},
        "options": {"seed": 1, "iteration_limit": iterations, "time_budget_ms": None},
    }


def test_solve_validate_and_draw() -> None:
    given = problem()
    plan = eb.solve(given)
    assert sorted(v["stop_id"] for r in plan["routes"] for v in r["visits"]) == sorted(
        s["id"] for s in given["stops"]
    )
    assert plan["unassigned"] == []
    assert eb.validate_plan(given, plan) == []
    assert eb.solve(given) == plan, "a seed and an iteration limit give the same plan"
    nearest = eb.nearest_neighbour_plan(given)
    assert plan["total_distance"] <= nearest["total_distance"] + 1e-6
    assert eb.render_svg(plan, 400, 300, "Tomorrow").startswith("<svg")
    eb.check_problem(given)


def test_bad_problems_list_every_problem() -> None:
    bad = problem()
    bad["stops"][0]["service_minutes"] = -1
    bad["vehicles"][0]["shift_end"] = 100
    with pytest.raises(eb.ValidationError) as error:
        eb.solve(bad)
    assert error.value.code == "ROUTING_INVALID_INPUT"
    assert len(error.value.problems) >= 2
    with pytest.raises(eb.ValidationError) as shape:
        eb.solve({"stops": "nope"})
    assert shape.value.problems[0].field == "problem"


def test_another_thread_runs_while_solve_works(no_forced_switches: None) -> None:
    given = problem(stops=60, iterations=3000)
    plan, during = while_another_thread_runs(lambda: eb.solve(given))
    assert plan["routes"]
    assert during > 0, "no other thread ran during solve: the GIL was held"


def test_another_coroutine_runs_while_solve_async_works(no_forced_switches: None) -> None:
    given = problem(stops=60, iterations=3000)

    plan, during = while_another_coroutine_runs(lambda: eb.solve_async(given))
    assert plan["routes"]
    assert during > 0, "the event loop did not run while solve_async worked"

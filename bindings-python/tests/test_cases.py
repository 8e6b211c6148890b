"""Every shared case of `tests/cases/` replayed through the binding's public API.

Each operation of `tests/cases/README.md` calls the matching function of `earlybird`; the
native result (`to_dict()`) is converted to the canonical JSON form and compared with the
case's `expected`, and errors with `expected_error` (code + field/rule of every problem). An
operation this file does not know fails its case, so a new engine's cases fail here until
the binding exposes them.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import earlybird as eb
from conftest import CASES_DIR, REPLAYED, canonical, load_document

CASE_FILES = sorted(CASES_DIR.rglob("*.json"))
RECORD_CLASSES: dict[str, Any] = {
    "customer": eb.Customer,
    "product": eb.Product,
    "subscription": eb.Subscription,
    "order": eb.Order,
    "delivery": eb.DeliveryRecord,
    "payment": eb.Payment,
}


class UnknownOperation(Exception):
    pass


def actor(data: dict[str, Any]) -> eb.Actor:
    return eb.Actor(data["id"], dt.datetime.fromisoformat(data["at"].replace("Z", "+00:00")))


def quantities(values: list[Any]) -> list[Decimal]:
    return [Decimal(v) for v in values]


def result(outcome: Any) -> Any:
    """The canonical form of a result; both `to_dict` modes must agree."""
    native = canonical(outcome.to_dict())
    assert native == outcome.to_dict(mode="json"), "to_dict() and to_dict(mode='json') differ"
    return native


def run(operation: str, given: dict[str, Any]) -> Any:
    if operation == "record.parse":
        kind = given["kind"]
        record = RECORD_CLASSES[kind].from_document(given["document"])
        assert eb.parse(kind, given["document"]) == record
        assert json.loads(record.to_json()) == record.to_dict(mode="json")
        return result(record)
    if operation == "phone.normalize":
        phone = eb.normalize_phone(given["phone"])
        if phone is None:
            # As the Rust replayer does: the core answers "not a mobile number" with None.
            return {"error": {"code": "VALIDATION_FAILED", "problems": [{"field": "phone", "rule": "phone"}]}}
        return phone
    if operation == "schedule.due_between":
        due = eb.due_between(
            given["subscription"],
            dt.date.fromisoformat(given["from"]),
            dt.date.fromisoformat(given["to"]),
        )
        return [result(d) for d in due]
    if operation == "lifecycle.dispatch":
        return result(eb.dispatch(given["order"], actor(given["actor"])))
    if operation == "lifecycle.cancel":
        return result(eb.cancel(given["order"], actor(given["actor"])))
    if operation == "lifecycle.confirm_delivery":
        return result(
            eb.confirm_delivery(
                given["order"],
                quantities(given["delivered"]),
                actor(given["actor"]),
                reason=given.get("reason"),
            )
        )
    if operation == "lifecycle.correct_delivery":
        return result(
            eb.correct_delivery(
                given["order"], quantities(given["delivered"]), actor(given["actor"]), given["reason"]
            )
        )
    raise UnknownOperation(f"the Python binding does not replay operation {operation!r} yet")


def error_json(error: eb.EarlybirdError) -> dict[str, Any]:
    if error.code == "VALIDATION_FAILED":
        assert isinstance(error, eb.ValidationError)
    if error.code.startswith("LIFECYCLE_"):
        assert isinstance(error, eb.LifecycleError)
    return {"code": error.code, "problems": [{"field": p.field, "rule": p.rule} for p in error.problems]}


def test_there_are_cases() -> None:
    assert CASE_FILES, f"no case files under {CASES_DIR}"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: str(p.relative_to(CASES_DIR)))
def test_shared_case(path: Path) -> None:
    case = json.loads(path.read_text())
    given = load_document(path.read_text())["input"]
    assert ("expected" in case) != ("expected_error" in case), "a case has exactly one expectation"
    try:
        got: Any = run(case["operation"], given)
    except eb.EarlybirdError as error:
        got = {"error": error_json(error)}
    if isinstance(got, dict) and set(got) == {"error"}:
        assert "expected_error" in case, f"{case['name']}: failed with {got['error']}"
        assert got["error"] == case["expected_error"], case["name"]
    else:
        assert "expected" in case, f"{case['name']}: gave {got}"
        assert got == case["expected"], case["name"]
    REPLAYED.append(case["name"])

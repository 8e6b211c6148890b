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
    if operation.startswith("loyalty."):
        return run_loyalty(operation, given)
    if operation.startswith("activation."):
        return run_activation(operation, given)
    if operation.startswith("churn."):
        return run_churn(operation, given)
    if operation.startswith("billing."):
        return run_billing(operation, given)
    raise UnknownOperation(f"the Python binding does not replay operation {operation!r} yet")


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def case_input_error(field: str) -> dict[str, Any]:
    # As the Rust replayer's `bad_input`: the case itself lacks something.
    return {"error": {"code": "VALIDATION_FAILED", "problems": [{"field": field, "rule": "type"}]}}


def program(given: dict[str, Any]) -> eb.Program:
    """A programme built by the input's `steps`, through the public API."""
    built = eb.Program(given.get("config"))
    for step in given.get("steps", []):
        if "event" in step:
            built.apply(step["event"])
        elif "redeem" in step:
            built.redeem(step["redeem"])
        elif "expire" in step:
            built.expire(instant(step["expire"]))
        elif "review" in step:
            built.monthly_review(instant(step["review"]))
        else:
            raise UnknownOperation(f"unknown loyalty step {step!r}")
    return built


def run_loyalty(operation: str, given: dict[str, Any]) -> Any:
    if operation == "loyalty.replay":
        member = program(given).member(given["customer_id"])
        if member is None:
            return case_input_error("customer_id")
        return {
            "balance": member["balance"],
            "tier": member["tier"],
            "entries": [{"key": e["key"], "kind": e["kind"], "points": e["points"]} for e in member["entries"]],
            "tier_changes": [{"from": c["from"], "to": c["to"], "cause": c["cause"]} for c in member["tier_changes"]],
            "badges": sorted(member["badges"]),
        }
    if operation == "loyalty.redeem":
        built = program(given)
        redeemed = built.redeem(given["request"])
        member = built.member(given["request"]["customer_id"])
        return {"redemption": redeemed["redemption"], "balance": None if member is None else member["balance"]}
    if operation == "loyalty.preview_redemption":
        return eb.preview_redemption(given["balance"], Decimal(given["bill_charges"]))
    if operation == "loyalty.leaderboards":
        return program(given).leaderboards(instant(given["now"]), given["top"])
    raise UnknownOperation(f"the Python binding does not replay operation {operation!r} yet")


def activation_output(customer: eb.CustomerActivation) -> dict[str, Any]:
    """As the Rust replayer's `customer_output`: state, dates, timeline and intents."""
    return {
        "state": customer.state,
        "dates": result(customer.dates),
        "timeline": [result(t) for t in customer.timeline],
        "intents": [
            {"template": i.template, "variables": i.variables, "at": canonical(i.at)} for i in customer.intents()
        ],
    }


def run_activation(operation: str, given: dict[str, Any]) -> Any:
    if operation == "activation.replay":
        return activation_output(eb.CustomerActivation.replay(given["history"], instant(given["now"]), given.get("config")))
    if operation == "activation.record":
        customer = eb.CustomerActivation.replay(given["history"], instant(given["now"]), given.get("config"))
        recorded: list[Any] = []
        for event in given["arrivals"]:
            try:
                recorded.append(result(customer.record(event)))
            except eb.EarlybirdError as error:
                recorded.append({"error": error_json(error)})
        customer.sweep(instant(given["sweep_at"]))
        return {**activation_output(customer), "recorded": recorded}
    if operation == "activation.backfill":
        records = {key: given.get(key) for key in ("orders", "deliveries", "subscriptions")}
        events = eb.backfill_events(given["customer"], **records, config=given.get("config"))
        customer = eb.backfill(given["customer"], instant(given["now"]), **records, config=given.get("config"))
        return {**activation_output(customer), "events": [result(e) for e in events]}
    if operation == "activation.cohort_retention":
        table = eb.cohort_retention(given["customers"], given["granularity"], dt.date.fromisoformat(given["as_of"]))
        return result(table)
    raise UnknownOperation(f"the Python binding does not replay operation {operation!r} yet")


def floats(value: Any) -> Any:
    """Churn weights and risks are `float` in the core's shape (money is a decimal string in
    the cases), so the numbers the file reader made `Decimal` go back to `float`."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [floats(item) for item in value]
    return value


def run_churn(operation: str, given: dict[str, Any]) -> Any:
    now = dt.date.fromisoformat(given["now"])
    if operation == "churn.score":
        return result(eb.ChurnEngine(floats(given.get("config"))).score(floats(given["input"]), now))
    if operation == "churn.rank":
        return [result(r) for r in eb.ChurnEngine(floats(given.get("config"))).rank(floats(given["customers"]), now)]
    if operation == "churn.from_records":
        return result(
            eb.ChurnInput.from_records(
                given["customer"],
                now,
                products=given.get("products"),
                orders=given.get("orders"),
                deliveries=given.get("deliveries"),
                subscriptions=given.get("subscriptions"),
                payments=given.get("payments"),
                service=given.get("service"),
                window_days=given["window_days"],
            )
        )
    raise UnknownOperation(f"the Python binding does not replay operation {operation!r} yet")


BILLING_RECORDS = ("products", "subscriptions", "orders", "deliveries", "bills", "payments", "credits", "wallet")


def run_billing(operation: str, given: dict[str, Any]) -> Any:
    if operation == "billing.compute_bill":
        records = {key: given[key] for key in BILLING_RECORDS if key in given}
        return result(eb.compute_bill(records, given["customer_id"], given["month"], given.get("config")))
    if operation == "billing.next_number":
        series = eb.NumberSeries(given["series"]["financial_year"], given["series"]["last"])
        number, after = series.next(dt.date.fromisoformat(given["bill_date"]), given.get("config"))
        return {"number": number, "series": result(after)}
    raise UnknownOperation(f"the Python binding does not replay operation {operation!r} yet")


def error_json(error: eb.EarlybirdError) -> dict[str, Any]:
    if error.code == "VALIDATION_FAILED":
        assert isinstance(error, eb.ValidationError)
    if error.code.startswith("LIFECYCLE_"):
        assert isinstance(error, eb.LifecycleError)
    if error.code.startswith("LOYALTY_"):
        assert isinstance(error, eb.LoyaltyError)
    if error.code in ("CHURN_INVALID_INPUT", "CHURN_INVALID_CONFIG"):
        assert isinstance(error, eb.ValidationError)
    elif error.code.startswith("CHURN_"):
        assert isinstance(error, eb.ChurnError)
    if error.code.startswith("BILLING_"):
        assert isinstance(error, eb.ValidationError if error.code == "BILLING_INVALID_INPUT" else eb.BillingError)
    return {"code": error.code, "problems": [{"field": p.field, "rule": p.rule} for p in error.problems]}


# Engines whose operations this binding does not expose yet (issue 9 lists them): their cases
# are reported as skipped with this reason, never passed. Remove an engine when it lands.
PENDING_ENGINES: tuple[str, ...] = ()


def test_there_are_cases() -> None:
    assert CASE_FILES, f"no case files under {CASES_DIR}"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: str(p.relative_to(CASES_DIR)))
def test_shared_case(path: Path) -> None:
    cases = json.loads(path.read_text())
    first = cases[0] if isinstance(cases, list) else cases
    if first["operation"].startswith(PENDING_ENGINES):
        pytest.skip(f"{first['operation']}: engine not exposed in the Python binding yet")
    documents = load_document(path.read_text())
    if isinstance(cases, list):
        for case, document in zip(cases, documents, strict=True):
            replay(case, document["input"])
    else:
        replay(cases, documents["input"])


def replay(case: dict[str, Any], given: dict[str, Any]) -> None:
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

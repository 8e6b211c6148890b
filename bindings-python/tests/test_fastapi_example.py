"""The FastAPI example of docs/examples, driven through FastAPI's TestClient."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "fastapi_app.py"


@pytest.fixture
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fastapi_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fastapi_app"] = module
    spec.loader.exec_module(module)
    module.ORDERS["ORD_7"] = {
        "_id": "65a1f0c2e4b0a1b2c3d4e5f6",
        "id": "ORD_7",
        "customer_id": "CUST_001",
        "items": [
            {"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.50")},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": 90},
        ],
        "delivery_date": "2026-01-15",
        "status": "OUT_FOR_DELIVERY",
    }
    return module


def test_confirming_a_delivery(example: ModuleType) -> None:
    client = TestClient(example.app)
    response = client.post("/orders/ORD_7/confirm", json={"delivered": ["2", 0], "delivery_boy_id": "DB_7"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["effect"] == "changed"
    assert body["order"]["status"] == "PARTIALLY_DELIVERED"
    assert body["order"]["items"][0]["unit_price"] == "28.50"
    assert [d["status"] for d in body["deliveries"]] == ["DELIVERED", "NOT_DELIVERED"]
    assert body["audit"][0]["actor"] == "DB_7"
    assert example.ORDERS["ORD_7"]["status"] == "PARTIALLY_DELIVERED"
    again = client.post("/orders/ORD_7/confirm", json={"delivered": ["2", "0"], "delivery_boy_id": "DB_7"})
    assert again.json()["effect"] == "unchanged"


def test_errors_become_http_answers(example: ModuleType) -> None:
    client = TestClient(example.app)
    too_much = client.post("/orders/ORD_7/confirm", json={"delivered": ["3", "-1"], "delivery_boy_id": "DB_7"})
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "VALIDATION_FAILED"
    assert [(p["field"], p["rule"]) for p in too_much.json()["problems"]] == [
        ("delivered[0]", "range"),
        ("delivered[1]", "non_negative"),
    ]
    client.post("/orders/ORD_7/confirm", json={"delivered": ["2", "1"], "delivery_boy_id": "DB_7"})
    conflict = client.post("/orders/ORD_7/confirm", json={"delivered": ["1", "1"], "delivery_boy_id": "DB_7"})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "LIFECYCLE_CONFLICTING_CONFIRMATION"
    assert client.post("/orders/NOPE/confirm", json={"delivered": [], "delivery_boy_id": "x"}).status_code == 404


def test_async_import(example: ModuleType) -> None:
    client = TestClient(example.app)
    good = dict(example.ORDERS["ORD_7"], id="ORD_8")
    response = client.post("/orders/import", json=[jsonable_encoder(good)])
    assert response.json() == {"imported": 1}
    bad = client.post("/orders/import", json=[{"id": "ORD_9"}])
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "[0].customer_id"


def test_records_are_pydantic_types(example: ModuleType) -> None:
    client = TestClient(example.app)
    read = client.get("/orders/ORD_7")
    assert read.status_code == 200
    assert read.json()["items"][0]["unit_price"] == "28.50"
    order = dict(example.ORDERS["ORD_7"], status="pending")
    dispatched = client.post("/dispatch", json={"order": jsonable_encoder(order), "by": "OPS_1"})
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["order"]["status"] == "OUT_FOR_DELIVERY"
    bad = client.post("/dispatch", json={"order": {"id": "ORD_9", "status": "lost"}, "by": "OPS_1"})
    assert bad.status_code == 422
    detail = bad.json()["detail"][0]
    assert detail["type"] == "earlybird_validation" and detail["loc"] == ["body", "order"]
    assert detail["ctx"]["code"] == "VALIDATION_FAILED"
    assert ("status", "unknown_value") in [(p["field"], p["rule"]) for p in detail["ctx"]["problems"]]
    schema = client.get("/openapi.json")
    assert schema.status_code == 200, schema.text


def test_pydantic_models_hold_earlybird_values() -> None:
    import earlybird as eb
    from pydantic import BaseModel, ValidationError

    class Delivery(BaseModel):
        record: eb.DeliveryRecord

    document = {
        "id": "D1", "customer_id": "C1", "date": "2026-01-15", "subscription_id": "S1",
        "product_id": "P1", "ordered_quantity": Decimal("2"), "delivered_quantity": Decimal("2.000"),
        "status": "delivered",
    }
    model = Delivery.model_validate({"record": document})
    assert isinstance(model.record, eb.DeliveryRecord)
    assert Delivery(record=model.record).record == model.record
    assert model.model_dump(mode="json")["record"]["delivered_quantity"] == "2.000"
    with pytest.raises(ValidationError):
        Delivery.model_validate({"record": {"id": ""}})


def test_plain_fastapi_encoding_would_lose_exact_decimals() -> None:
    # Why earlybird's classes serialise themselves: FastAPI turns a Decimal into a float.
    assert jsonable_encoder({"price": Decimal("28.50")}) == {"price": 28.5}


def test_loyalty_summary_and_route_plan(example: ModuleType) -> None:
    client = TestClient(example.app)
    event = {
        "type": "payment_received",
        "payment": {"id": "p-1", "customer_id": "c-1", "amount": "1200.50", "method": "upi", "date": "2026-05-01"},
        "at": "2026-05-01T04:00:00Z",
    }
    applied = client.post("/loyalty/events", json=event)
    assert applied.status_code == 200 and applied.json()["entries"][0]["points"] == 1200
    summary = client.get("/loyalty/c-1/summary")
    assert summary.status_code == 200 and summary.json()["balance"] == 1200
    assert client.get("/loyalty/nobody/summary").status_code == 404
    refund = {"type": "payment_refunded", "customer_id": "c-1", "payment_id": "nope", "at": "2026-05-02T04:00:00Z"}
    refused = client.post("/loyalty/events", json=refund)
    assert refused.status_code == 409 and refused.json()["code"] == "LOYALTY_UNKNOWN_PAYMENT"
    problem = {
        "depot": {"lat": 12.97, "lon": 77.59},
        "stops": [
            {"id": "c1", "location": {"lat": 12.975, "lon": 77.60}, "service_minutes": 2, "demand": [2]},
            {"id": "c2", "location": {"lat": 12.965, "lon": 77.58}, "demand": [1]},
        ],
        "vehicles": [{"id": "ravi", "capacity": [40], "shift_start": 300, "shift_end": 420, "end": "anywhere"}],
        "options": {"seed": 1, "iteration_limit": 200, "time_budget_ms": None},
    }
    plan = client.post("/routes/plan", json=problem)
    assert plan.status_code == 200
    assert sorted(v["stop_id"] for v in plan.json()["routes"][0]["visits"]) == ["c1", "c2"]
    bad = client.post("/routes/plan", json=dict(problem, stops="nope"))
    assert bad.status_code == 422


def activation_history(customer: str, delivered: bool) -> dict[str, Any]:
    """Signed up on 1 January (10:00 in India), ordered the next day, delivered on the 3rd."""

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2026, 1, day, hour, 30, tzinfo=dt.timezone.utc)

    events: list[dict[str, Any]] = [
        {"customer_id": customer, "kind": "signed_up", "at": at(1, 4), "sequence": 1},
        {"customer_id": customer, "kind": "order_placed", "at": at(2, 4), "sequence": 2, "order_id": f"O_{customer}"},
    ]
    if delivered:
        events.append(
            {"customer_id": customer, "kind": "delivery_completed", "at": at(3, 1), "sequence": 3, "order_id": f"O_{customer}"}
        )
    return {"customer_id": customer, "events": events}


def test_the_activation_dashboard(example: ModuleType) -> None:
    example.ACTIVATION_HISTORIES.update(
        {"CUST_001": activation_history("CUST_001", True), "CUST_002": activation_history("CUST_002", False)}
    )
    client = TestClient(example.app)
    response = client.get(
        "/activation/dashboard", params={"now": "2026-01-20T00:00:00Z", "as_of": "2026-01-18", "granularity": "week"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["at"] == "2026-01-20T00:00:00Z" and body["customers"] == 2
    assert body["per_state"] == {"NEW": 0, "ONBOARDED": 1, "ACTIVE": 1, "ENGAGED": 0, "INACTIVE": 0, "CHURNED": 0}
    assert body["stalled"] == {"new": 0, "onboarded": 1}
    assert [(s["step"], s["customers"], s["rate_from_start"]) for s in body["funnel"]] == [
        ("signed_up", 2, "1"),
        ("first_order", 2, "1"),
        ("first_delivery", 1, "0.5"),
        ("active_30_days_later", 0, "0"),
    ]
    cohorts = body["cohorts"]
    assert (cohorts["granularity"], cohorts["as_of"], cohorts["periods"]) == ("week", "2026-01-18", 3)
    assert cohorts["rows"] == [
        {"cohort": "2025-12-29", "size": 2, "active": [2, 0, 0], "retention": ["1", "0", "0"]}
    ]
    refused = client.get("/activation/dashboard", params={"now": "2026-01-20T00:00:00Z", "granularity": "day"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "granularity"]


def test_a_customers_bill_for_a_month(example: ModuleType) -> None:
    example.BILLING["products"].append({"id": "MILK", "name": "Milk 1L", "prices": [
        {"price": Decimal("28.00"), "effective_from": "2025-01-01"},
        {"price": Decimal("30.00"), "effective_from": "2026-01-16"}]})
    example.BILLING["subscriptions"].append({"id": "S1", "customer_id": "C1", "product_id": "MILK",
                                             "quantity": 1, "schedule": "daily", "start_date": "2025-12-01"})
    example.BILLING["deliveries"].extend(
        {"id": f"D{d}", "customer_id": "C1", "date": f"2026-01-{d}", "subscription_id": "S1", "product_id": "MILK",
         "ordered_quantity": Decimal(1), "delivered_quantity": Decimal(1), "status": "DELIVERED"}
        for d in (15, 16)
    )
    client = TestClient(example.app)
    response = client.get("/customers/C1/bills/2026-01")
    assert response.status_code == 200, response.text
    bill = response.json()
    assert bill["status"] == "DRAFT" and bill["total"] == "58.00" and bill["amount_due"] == "58.00"
    assert [(line["unit_price"], line["amount"]) for line in bill["lines"]] == [("28.00", "28.00"), ("30.00", "30.00")]
    bad = client.get("/customers/C1/bills/2026-13")
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "month"
    import earlybird as eb

    final, _ = eb.finalize(eb.Bill.from_dict(bill), [], eb.NumberSeries(2025))
    example.BILLING["bills"].append(final.to_dict(mode="json"))
    assert client.get("/customers/C1/bills/2026-01").json()["number"] == "EB/25-26/000001"
    closed = client.get("/customers/C1/bills/2025-12")
    assert closed.status_code == 409 and closed.json()["code"] == "BILLING_MONTH_CLOSED"


def test_loyalty_from_the_store(example: ModuleType) -> None:
    import earlybird as eb

    store = example.STORE.store
    actor = eb.Actor("DB_7", dt.datetime.now(dt.timezone.utc))
    for cid, phone in (("C1", "098450 12345"), ("C2", "098450 12346")):
        store.register_customer({"id": cid, "name": "Asha Rao", "phone": phone, "signup_date": "2026-01-02"}, actor)
        store.record_payment(
            {"id": f"PAY_{cid}", "customer_id": cid, "amount": Decimal("1250.50"), "method": "upi", "date": "2026-01-31"},
            actor,
        )
    client = TestClient(example.app)
    summary = client.get("/customers/C1/loyalty")
    assert summary.status_code == 200, summary.text
    assert summary.json()["balance"] == 1250 and summary.json()["tier"]["tier"] == "SILVER"
    assert client.get("/customers/NOBODY/loyalty").status_code == 404

    request = {"points": 100, "bill_charges": "147.00", "key": "EB/25-26/000001"}
    redeemed = client.post("/customers/C1/loyalty/redeem", json=request)
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json() == {"customer_id": "C1", "points": 100, "amount": "50.00", "key": "EB/25-26/000001"}
    assert client.post("/customers/C1/loyalty/redeem", json=request).json() == redeemed.json()
    assert client.get("/customers/C1/loyalty").json()["balance"] == 1150

    too_many = client.post("/customers/C1/loyalty/redeem", json=dict(request, points=5000, bill_charges="20000", key="K2"))
    assert too_many.status_code == 409 and too_many.json()["code"] == "LOYALTY_INSUFFICIENT_POINTS"
    above_cap = client.post("/customers/C1/loyalty/redeem", json=dict(request, points=300, key="K3"))
    assert above_cap.status_code == 409 and above_cap.json()["code"] == "LOYALTY_ABOVE_CAP"
    negative = client.post("/customers/C1/loyalty/redeem", json=dict(request, bill_charges="-1", key="K4"))
    assert negative.status_code == 422 and negative.json()["code"] == "VALIDATION_FAILED"
    assert negative.json()["problems"][0]["field"] == "bill_charges"
    assert client.post("/customers/C1/loyalty/redeem", json=dict(request, points="many")).status_code == 422
    taken = client.post("/customers/C2/loyalty/redeem", json=request)
    assert taken.status_code == 409 and taken.json()["code"] == "STORE_CONFLICT"


def test_wallet_top_ups_through_the_store(example: ModuleType) -> None:
    import earlybird as eb

    store = example.STORE.store
    store.register_customer(
        {"id": "C7", "name": "Asha Rao", "phone": "098450 12347", "signup_date": "2026-01-02"},
        eb.Actor("DB_7", dt.datetime.now(dt.timezone.utc)),
    )
    client = TestClient(example.app)
    top_up = {"id": "RZP_1", "amount": "250.50", "date": "2026-01-10"}
    first = client.post("/customers/C7/wallet/top-ups", json=top_up)
    assert first.status_code == 200, first.text
    assert first.json() == {"effect": "changed"}
    assert client.post("/customers/C7/wallet/top-ups", json=top_up).json() == {"effect": "unchanged"}
    assert client.post("/customers/C7/wallet/top-ups", json=dict(top_up, amount="1")).status_code == 409
    assert client.post("/customers/NOBODY/wallet/top-ups", json=dict(top_up, id="RZP_2")).status_code == 404
    zero = client.post("/customers/C7/wallet/top-ups", json=dict(top_up, id="RZP_3", amount="0"))
    assert zero.status_code == 422 and zero.json()["problems"][0]["field"] == "amount"

    read = client.get("/customers/C7/wallet", params={"on": "2026-01-31"}).json()
    assert read["balance"] == "250.50"
    assert [(e["id"], e["kind"], e["amount"]) for e in read["entries"]] == [("RZP_1", "top_up", "250.50")]
    assert client.get("/customers/C7/wallet", params={"on": "2026-01-09"}).json()["balance"] == "0"

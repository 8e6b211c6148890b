"""The stores and the service layer: a temporary SQLite file, memory, and PostgreSQL when
`EARLYBIRD_TEST_POSTGRES_URL` is set (tests/run-all.sh starts a throwaway server); without it they fail
unless `EARLYBIRD_SKIP_POSTGRES=1` asks to skip them, as the core's tests do."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs

AT = dt.datetime(2026, 1, 15, 1, 10, tzinfo=dt.timezone.utc)
POSTGRES = os.environ.get("EARLYBIRD_TEST_POSTGRES_URL")


def customer_doc(cid: str = "CUST_001") -> dict[str, Any]:
    return {"id": cid, "name": "Asha Rao", "phone": "098450 12345", "signup_date": "2026-01-02"}


def order_doc(oid: str = "ORD_7", cid: str = "CUST_001") -> dict[str, Any]:
    return {
        "id": oid,
        "customer_id": cid,
        "items": [
            {"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.50")},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": Decimal("90")},
        ],
        "delivery_date": "2026-01-15",
        "status": "PENDING",
    }


def payment_doc(cid: str = "CUST_001") -> dict[str, Any]:
    return {"id": "PAY_1", "customer_id": cid, "amount": Decimal("1250.50"), "method": "UPI", "date": "2026-01-31"}


@pytest.fixture(params=["sqlite", "memory", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[eb.Store]:
    if request.param == "sqlite":
        yield eb.Store.sqlite(str(tmp_path / "earlybird.db"))
    elif request.param == "memory":
        yield eb.Store.memory()
    else:
        if not POSTGRES:
            # As in the core's tests: never skipped silently, only when asked to.
            if os.environ.get("EARLYBIRD_SKIP_POSTGRES"):
                pytest.skip("PostgreSQL store not tested: EARLYBIRD_SKIP_POSTGRES is set")
            pytest.fail("EARLYBIRD_TEST_POSTGRES_URL is not set: run tests/run-all.sh (it starts PostgreSQL) or set EARLYBIRD_SKIP_POSTGRES=1")
        yield eb.Store.postgres(POSTGRES)


def ids() -> tuple[str, str]:
    """Fresh ids, so runs against a shared PostgreSQL database do not collide."""
    tag = uuid.uuid4().hex[:8]
    return f"CUST_{tag}", f"ORD_{tag}"


def test_service_operations_and_reads(store: eb.Store) -> None:
    actor = eb.Actor("DB_7", AT)
    cid, oid = ids()
    effect, customer = store.register_customer(customer_doc(cid), actor)
    assert (effect, customer.id) == ("changed", cid)
    assert store.register_customer(customer, actor)[0] == "unchanged"
    assert store.customer(cid) == customer and store.customer("nobody") is None
    assert store.place_order(order_doc(oid, cid), actor)[0] == "changed"
    assert store.dispatch_order(oid, actor).order.status == "OUT_FOR_DELIVERY"
    outcome = store.confirm_delivery(oid, [Decimal("2"), Decimal("0")], actor)
    assert outcome.order.status == "PARTIALLY_DELIVERED"
    corrected = store.correct_delivery(oid, [Decimal("2"), Decimal("1")], actor, "paneer found")
    assert corrected.order.status == "DELIVERED"
    assert [o.id for o in store.orders_of(cid)] == [oid]
    day = dt.date(2026, 1, 15)
    assert oid in [o.id for o in store.orders_between(day, day)]
    assert {d.customer_id for d in store.deliveries_between(day, day)} >= {cid}
    assert store.deliveries_of(cid)
    trail = store.audit_trail("order", oid)
    assert [a.action for a in trail][0] != "" and len(trail) >= 3
    pay = dict(payment_doc(cid), id=f"PAY_{oid}")
    assert store.record_payment(pay, actor)[1].amount == Decimal("1250.50")
    assert [p.id for p in store.payments_of(cid)] == [f"PAY_{oid}"]
    assert store.order(oid) is not None and store.payment(f"PAY_{oid}") is not None


def test_errors_of_the_service(store: eb.Store) -> None:
    actor = eb.Actor("DB_7", AT)
    cid, oid = ids()
    with pytest.raises(eb.NotFoundError) as missing:
        store.dispatch_order(f"{oid}_missing", actor)
    assert missing.value.code.startswith("NOT_FOUND") or missing.value.code
    store.register_customer(customer_doc(cid), actor)
    with pytest.raises(eb.EarlybirdError):
        store.register_customer(dict(customer_doc(cid), name="Someone Else"), actor)
    store.place_order(order_doc(oid, cid), actor)
    store.dispatch_order(oid, actor)
    store.confirm_delivery(oid, [Decimal("2"), Decimal("1")], actor)
    with pytest.raises(eb.InvalidTransitionError):
        store.cancel_order(oid, actor)
    with pytest.raises(eb.ValidationError):
        store.confirm_delivery(oid, [2.0, Decimal("1")], actor)  # type: ignore[list-item]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_finalize_month_numbers_and_stores_the_bills(kind: str, tmp_path: Path) -> None:
    # A store of its own: a month is finalized for every customer in it (the PostgreSQL path,
    # with concurrent finalizations, is tested in the core).
    store = eb.Store.memory() if kind == "memory" else eb.Store.sqlite(str(tmp_path / "bills.db"))
    actor = eb.Actor("DB_7", AT)
    products = [
        {"id": "MILK_500ML", "name": "Toned milk 500 ml", "prices": [{"price": Decimal("28.50"), "effective_from": "2026-01-01"}]},
        {"id": "PANEER_200G", "name": "Paneer 200 g", "prices": [{"price": Decimal("90"), "effective_from": "2026-01-01"}]},
    ]
    store.import_export({"products": products}, "all_or_nothing", actor)
    store.register_customer(customer_doc(), actor)
    store.place_order(order_doc(), actor)
    store.dispatch_order("ORD_7", actor)
    store.confirm_delivery("ORD_7", [Decimal("2"), Decimal("1")], actor)

    bills = store.finalize_month("2026-01", actor)
    assert [(b.customer_id, b.status, b.number) for b in bills] == [("CUST_001", "FINALIZED", "EB/25-26/000001")]
    assert bills[0].subtotal == Decimal("147.00") and bills[0].amount_due == bills[0].total
    assert store.finalize_month("2026-01", actor) == [], "a second finalization bills nothing"
    assert store.bills_of("CUST_001") == bills
    assert [a.action for a in store.audit_trail("bill", "EB/25-26/000001")] == ["finalized"]
    with pytest.raises(eb.ValidationError) as refused:
        store.finalize_month("2026-13", actor)
    assert [(p.field, p.rule) for p in refused.value.problems] == [("month", "date")]


def test_outbox_claim_and_mark_sent(store: eb.Store) -> None:
    actor = eb.Actor("DB_7", AT)
    cid, _ = ids()
    store.register_customer(customer_doc(cid), actor)
    claimant = f"sender-{uuid.uuid4().hex[:6]}"
    claimed = store.claim_intents(claimant, 1000, AT, 60)
    mine = [c for c in claimed if c["intent"]["customer_id"] == cid]
    assert [c["intent"]["template"] for c in mine] == ["welcome"]
    assert store.mark_sent(claimant, [c["seq"] for c in claimed]) == len(claimed)
    assert all(c["intent"]["customer_id"] != cid for c in store.claim_intents(claimant, 1000, AT, 60))


def test_import_export(store: eb.Store) -> None:
    actor = eb.Actor("importer", AT)
    cid, oid = ids()
    export = {"customers": [customer_doc(cid)], "orders": [order_doc(oid, cid), order_doc(f"{oid}b", "GHOST")]}
    report = store.import_export(export, "all_or_nothing", actor)
    assert report["imported"] == {} and len(report["rejected"]) == 1
    report = store.import_export(export, "skip_rejected", actor)
    assert report["imported"] == {"customer": 1, "order": 1}
    assert store.customer(cid) is not None
    with pytest.raises(eb.ValidationError) as error:
        store.import_export(export, "everything", actor)  # type: ignore[arg-type]
    assert error.value.problems[0].field == "mode"


def test_async_store_lets_the_loop_run(tmp_path: Path, no_forced_switches: None) -> None:
    store = eb.AsyncStore(eb.Store.sqlite(str(tmp_path / "async.db")))
    actor = eb.Actor("DB_7", AT)

    async def work() -> None:
        for i in range(20):
            await store.register_customer(customer_doc(f"C{i}"), actor)
        assert len(await store.customers()) == 20
        assert await store.customer("C3") is not None

    _, during = while_another_coroutine_runs(work)
    assert during > 0, "the event loop did not run while the store worked"

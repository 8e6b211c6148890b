"""Phone, schedules, the order lifecycle and delivery recording, and the exception classes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb

UTC = dt.timezone.utc


def order_doc(status: str = "OUT_FOR_DELIVERY", **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "ORD_7",
        "customer_id": "CUST_001",
        "items": [
            {"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.50")},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": Decimal("90")},
        ],
        "delivery_date": dt.date(2026, 1, 15),
        "status": status,
    }
    doc.update(changes)
    return doc


def delivery_doc(delivered: str = "2", status: str = "DELIVERED") -> dict[str, Any]:
    return {
        "id": "SUB_1@2026-01-15",
        "customer_id": "CUST_001",
        "date": dt.date(2026, 1, 15),
        "subscription_id": "SUB_1",
        "product_id": "MILK_500ML",
        "ordered_quantity": Decimal("2"),
        "delivered_quantity": Decimal(delivered),
        "status": status,
    }


def test_phone_and_email() -> None:
    assert eb.normalize_phone("+91-98765-43210") == "+919876543210"
    assert eb.normalize_phone("5876543210") is None
    assert eb.valid_email("priya@example.in") and not eb.valid_email("priya@localhost")
    with pytest.raises(TypeError):
        eb.normalize_phone(9876543210)  # type: ignore[arg-type]


def test_due_between_function_and_methods() -> None:
    doc = {
        "id": "S1", "customer_id": "C1", "product_id": "P1", "quantity": "0.5",
        "schedule": "alternate_days", "start_date": "2026-01-01",
        "pauses": [{"from": "2026-01-05", "to": "2026-01-07"}],
    }
    due = eb.due_between(doc, dt.date(2026, 1, 1), dt.date(2026, 1, 10))
    assert [(d.date, d.quantity) for d in due] == [
        (dt.date(2026, 1, 1), Decimal("0.5")),
        (dt.date(2026, 1, 3), Decimal("0.5")),
        (dt.date(2026, 1, 9), Decimal("0.5")),
    ]
    assert due[0].to_dict() == {"date": dt.date(2026, 1, 1), "quantity": Decimal("0.5")}
    assert due[0].to_dict(mode="json") == {"date": "2026-01-01", "quantity": "0.5"}
    sub = eb.Subscription.from_document(doc)
    assert sub.due_between(dt.date(2026, 1, 1), dt.date(2026, 1, 10)) == due
    assert eb.due_between(sub, dt.date(2026, 1, 1), dt.date(2026, 1, 10)) == due
    assert sub.due_on(dt.date(2026, 1, 3)) == Decimal("0.5") and sub.due_on(dt.date(2026, 1, 2)) is None
    assert sub.is_paused_on(dt.date(2026, 1, 6)) and not sub.is_paused_on(dt.date(2026, 1, 8))
    assert sub.runs_on(dt.date(2026, 1, 2)) and not sub.runs_on(dt.date(2025, 12, 31))


def test_dates_are_strict() -> None:
    sub = eb.Subscription.from_document(
        {"id": "S1", "customer_id": "C1", "product_id": "P1", "quantity": 1, "schedule": "daily", "start_date": "2026-01-01"}
    )
    with pytest.raises(eb.ValidationError) as error:
        sub.due_between(dt.datetime(2026, 1, 1, 23, 0), "2026-01-05")  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("from_date", "date"), ("to_date", "date")]
    for method in (sub.due_on, sub.is_paused_on, sub.runs_on):
        with pytest.raises(eb.ValidationError):
            method(dt.datetime(2026, 1, 1))


def test_actor_needs_an_aware_datetime() -> None:
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    actor = eb.Actor("DB_7", dt.datetime(2026, 1, 15, 6, 40, tzinfo=ist))
    assert actor.id == "DB_7" and actor.at == dt.datetime(2026, 1, 15, 1, 10, tzinfo=UTC)
    assert actor.to_dict(mode="json") == {"id": "DB_7", "at": "2026-01-15T01:10:00Z"}
    assert actor.to_dict()["at"].tzinfo is not None and "DB_7" in repr(actor)
    for bad in (dt.datetime(2026, 1, 15), dt.date(2026, 1, 15), "2026-01-15T01:10:00Z"):
        with pytest.raises(eb.ValidationError) as error:
            eb.Actor("DB_7", bad)  # type: ignore[arg-type]
        assert error.value.problems[0].field == "at"


def test_an_instant_is_read_as_python_converts_it() -> None:
    # The binding reads a datetime's fields and its offset itself; Python's own astimezone is
    # the reference: every zone kind, a DST fold, microseconds, sub-minute offsets, a subclass.
    from zoneinfo import ZoneInfo

    class Stamp(dt.datetime):
        pass

    new_york = ZoneInfo("America/New_York")
    samples = [
        dt.datetime(2026, 1, 15, 1, 10, tzinfo=UTC),
        dt.datetime(2026, 1, 15, 1, 10, 0, 123456, tzinfo=UTC),
        dt.datetime(2026, 1, 15, 6, 40, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        dt.datetime(2026, 1, 15, 6, 40, tzinfo=ZoneInfo("Asia/Kolkata")),
        dt.datetime(2026, 11, 1, 1, 30, tzinfo=new_york),
        dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=new_york),
        dt.datetime(2026, 1, 1, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(seconds=-7, microseconds=-250))),
        dt.datetime(1, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=11))),
        Stamp(2026, 1, 15, 1, 10, 59, 999999, tzinfo=UTC),
    ]
    for at in samples:
        assert eb.Actor("DB_7", at).at == at.astimezone(UTC), at
    # A document's naive datetime is UTC (pymongo); an aware one is converted.
    for created in (dt.datetime(2026, 1, 14, 16, 45), dt.datetime(2026, 1, 14, 22, 15, tzinfo=new_york)):
        expected = created.astimezone(UTC).replace(tzinfo=None) if created.tzinfo else created
        order = eb.Order.from_document(dict(order_doc("PENDING"), created_at=created))
        assert order.created_at == expected.replace(tzinfo=UTC), created


def test_dispatch_cancel_and_idempotence(utc_actor: eb.Actor) -> None:
    out = eb.dispatch(order_doc("PENDING"), utc_actor)
    assert out.effect == "changed" and out.order.status == "OUT_FOR_DELIVERY"
    assert out.deliveries == [] and out.audit[0].action == "dispatched"
    again = eb.dispatch(out.order, utc_actor)
    assert again.effect == "unchanged" and again.audit == []
    cancelled = eb.cancel(out.order, utc_actor)
    assert cancelled.order.status == "CANCELLED"
    audit = cancelled.audit[0]
    assert (audit.entity, audit.entity_id, audit.actor, audit.reason) == ("order", "ORD_7", "DB_7", None)
    assert audit.at == utc_actor.at
    assert audit.before is not None and audit.before["status"] == "OUT_FOR_DELIVERY"
    assert audit.after is not None and audit.after["status"] == "CANCELLED"
    assert audit.to_dict(mode="json") == audit.to_dict() | {"at": "2026-01-15T01:10:00Z"}


def test_confirm_and_correct_delivery(utc_actor: eb.Actor) -> None:
    done = eb.confirm_delivery(order_doc(), [Decimal("2"), 0], utc_actor)
    assert done.effect == "changed" and done.order.status == "PARTIALLY_DELIVERED"
    assert [d.status for d in done.deliveries] == ["DELIVERED", "NOT_DELIVERED"]
    assert done.deliveries[0].order_id == "ORD_7" and done.deliveries[0].confirmed_at == utc_actor.at
    native = done.to_dict()
    assert native["order"]["items"][0]["delivered_quantity"] == Decimal("2")
    assert native["deliveries"][1]["delivered_quantity"] == Decimal("0")
    failed = eb.confirm_delivery(order_doc(), (Decimal(0), Decimal(0)), utc_actor, reason="door locked")
    assert failed.effect == "delivery_failed" and failed.audit[0].reason == "door locked"
    fixed = eb.correct_delivery(done.order, [Decimal("2"), Decimal("1")], utc_actor, "found the paneer")
    assert fixed.order.status == "DELIVERED" and fixed.audit[0].action == "delivery_corrected"
    assert fixed.audit[0].reason == "found the paneer"


def test_money_and_quantities_refuse_floats(utc_actor: eb.Actor) -> None:
    with pytest.raises(eb.ValidationError) as error:
        eb.confirm_delivery(order_doc(), [2.0, "1"], utc_actor)  # type: ignore[list-item]
    problems = error.value.problems
    assert [(p.field, p.rule) for p in problems] == [("delivered[0]", "decimal"), ("delivered[1]", "decimal")]
    assert "not float" in problems[0].message
    with pytest.raises(eb.ValidationError) as error:
        eb.confirm_delivery(order_doc(), Decimal("2"), utc_actor)  # type: ignore[arg-type]
    assert error.value.problems[0].field == "delivered"
    with pytest.raises(eb.ValidationError) as error:
        eb.confirm_delivery(order_doc(), [Decimal("NaN"), Decimal("1e40")], utc_actor)
    assert [p.rule for p in error.value.problems] == ["decimal", "decimal"]


def test_record_and_correct_a_subscription_delivery(utc_actor: eb.Actor) -> None:
    recorded = eb.record_delivery(None, delivery_doc(), utc_actor)
    assert recorded.effect == "changed" and recorded.delivery.confirmed_at == utc_actor.at
    assert recorded.audit[0].before is None and recorded.audit[0].action == "delivery_recorded"
    assert recorded.to_dict(mode="json")["delivery"]["confirmed_at"] == "2026-01-15T01:10:00Z"
    again = eb.record_delivery(recorded.delivery, delivery_doc(), utc_actor)
    assert again.effect == "unchanged"
    with pytest.raises(eb.ConflictingConfirmationError):
        eb.record_delivery(recorded.delivery, delivery_doc("1", "PARTIALLY_DELIVERED"), utc_actor)
    corrected = eb.correct_recorded_delivery(
        recorded.delivery, delivery_doc("1", "PARTIALLY_DELIVERED"), utc_actor, "one packet torn"
    )
    assert corrected.delivery.delivered_quantity == Decimal("1")
    assert corrected.delivery.reason == "one packet torn"
    with pytest.raises(eb.NothingToCorrectError):
        eb.correct_recorded_delivery(recorded.delivery, delivery_doc(), utc_actor, "no change")


@pytest.mark.parametrize(
    ("call", "cls", "code"),
    [
        (lambda a: eb.cancel(order_doc("DELIVERED"), a), eb.InvalidTransitionError, "LIFECYCLE_INVALID_TRANSITION"),
        (lambda a: eb.confirm_delivery(order_doc("CANCELLED"), [1, 1], a), eb.OrderCancelledError,
         "LIFECYCLE_ORDER_CANCELLED"),
        (lambda a: eb.confirm_delivery(order_doc("DELIVERED"), [1, 1], a), eb.ConflictingConfirmationError,
         "LIFECYCLE_CONFLICTING_CONFIRMATION"),
        (lambda a: eb.correct_delivery(order_doc(), [1, 1], a, "why"), eb.NotConfirmedError,
         "LIFECYCLE_NOT_CONFIRMED"),
        (lambda a: eb.correct_delivery(order_doc("DELIVERED"), [2, 1], a, "why"), eb.NothingToCorrectError,
         "LIFECYCLE_NOTHING_TO_CORRECT"),
        (lambda a: eb.correct_delivery(order_doc("DELIVERED"), [0, 0], a, "why"), eb.CorrectionToNothingError,
         "LIFECYCLE_CORRECTION_TO_NOTHING"),
        (lambda a: eb.confirm_delivery(order_doc(), [3], a), eb.ValidationError, "VALIDATION_FAILED"),
        (lambda a: eb.dispatch({"id": "X"}, a), eb.ValidationError, "VALIDATION_FAILED"),
    ],
)
def test_each_core_error_has_its_class_and_code(call: Any, cls: type, code: str, utc_actor: eb.Actor) -> None:
    with pytest.raises(cls) as error:
        call(utc_actor)
    err = error.value
    assert isinstance(err, eb.EarlybirdError) and err.code == code
    assert isinstance(err.problems, list)
    assert bool(err.problems) == (code == "VALIDATION_FAILED")
    if code.startswith("LIFECYCLE_"):
        assert isinstance(err, eb.LifecycleError) and "ORD_7" in str(err)


def test_exception_hierarchy() -> None:
    for cls in (eb.ValidationError, eb.LifecycleError, eb.InternalError):
        assert issubclass(cls, eb.EarlybirdError) and issubclass(cls, Exception)
    for cls in (
        eb.InvalidTransitionError,
        eb.OrderCancelledError,
        eb.ConflictingConfirmationError,
        eb.NotConfirmedError,
        eb.NothingToCorrectError,
        eb.CorrectionToNothingError,
    ):
        assert issubclass(cls, eb.LifecycleError)
    assert eb.ValidationError.__module__ == "earlybird"


def test_commands_take_record_objects_or_documents(utc_actor: eb.Actor) -> None:
    order = eb.Order.from_document(order_doc("PENDING"))
    assert eb.dispatch(order, utc_actor).to_dict() == eb.dispatch(order_doc("PENDING"), utc_actor).to_dict()
    with pytest.raises(TypeError):
        eb.dispatch(order, {"id": "DB_7"})  # type: ignore[arg-type]


def test_version() -> None:
    assert eb.__version__ == "0.1.0"

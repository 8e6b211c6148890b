"""The activation lifecycle through the binding: one customer's fold, late events, the base's
sweep, metrics, cohort table and backfill, with native dates and instants (IST business days:
00:00 in India is 18:30 UTC the day before)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs, while_another_thread_runs

UTC = dt.timezone.utc


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def event(customer: str, kind: str, when: dt.datetime, sequence: int, **ids: str) -> dict[str, Any]:
    return {"customer_id": customer, "kind": kind, "at": when, "sequence": sequence, **ids}


def delivered_once(customer: str = "A") -> dict[str, Any]:
    """Signed up 1 January, ordered on the 2nd, delivered on the 3rd (07:00 in India)."""
    return {
        "customer_id": customer,
        "events": [
            event(customer, "signed_up", at(1, 1, 4, 30), 1),
            event(customer, "order_placed", at(1, 2, 4, 30), 2, order_id="O1"),
            event(customer, "delivery_completed", at(1, 3, 1, 30), 3, order_id="O1"),
        ],
    }


def test_config_defaults_overrides_and_problems() -> None:
    defaults = eb.activation_config()
    assert (defaults["inactive_after_days"], defaults["churned_after_days"]) == (30, 60)
    assert defaults["holidays_pause_inactivity"] is True
    assert eb.activation_config({"inactive_after_days": 14})["inactive_after_days"] == 14
    with pytest.raises(eb.ValidationError) as error:
        eb.activation_config({"engaged_min_orders": 0, "churned_after_days": 10})
    assert [(p.field, p.rule) for p in error.value.problems] == [
        ("engaged_min_orders", "positive"),
        ("churned_after_days", "range"),
    ]
    with pytest.raises(eb.ValidationError) as error:
        eb.activation_config({"inactive_after_days": "thirty"})
    assert error.value.problems[0].field == "config"


def test_replay_gives_state_timeline_dates_and_intents() -> None:
    customer = eb.CustomerActivation.replay(delivered_once(), at(2, 20))
    assert customer.customer_id == "A"
    assert customer.state == "INACTIVE"
    timeline = customer.timeline
    assert [(t.from_, t.to) for t in timeline] == [
        (None, "NEW"),
        ("NEW", "ONBOARDED"),
        ("ONBOARDED", "ACTIVE"),
        ("ACTIVE", "INACTIVE"),
    ]
    assert timeline[1].cause == {"type": "event", "kind": "order_placed", "sequence": 2, "reference": "O1"}
    # 30 days without activity after 3 January: the sweep at 00:00 IST on 2 February.
    assert timeline[3].cause == {"type": "sweep", "rule": "inactivity"}
    assert timeline[3].at == at(2, 1, 18, 30)
    assert timeline[3].last_activity_on == dt.date(2026, 1, 3)
    assert timeline[0].last_activity_on is None
    assert [t.message for t in timeline] == ["welcome", "order_confirmation", "thank_you_upsell", "we_miss_you"]
    dates = customer.dates
    assert dates.signed_up_at == at(1, 1, 4, 30)
    assert dates.first_order_at == at(1, 2, 4, 30)
    assert dates.first_delivery_at == dates.last_activity_at == at(1, 3, 1, 30)
    assert dates.churned_on is None
    assert [e.kind for e in customer.events] == ["signed_up", "order_placed", "delivery_completed"]
    assert customer.events[1].order_id == "O1" and customer.events[1].subscription_id is None
    assert customer.events[2].at == at(1, 3, 1, 30) and customer.events[2].sequence == 3
    state = customer.state_at(at(1, 2, 12))
    assert state is not None and state.to == "ONBOARDED"
    assert customer.state_at(at(12, 31, year=2025)) is None
    intents = customer.intents()
    assert [i.template for i in intents] == ["welcome", "order_confirmation", "thank_you_upsell", "we_miss_you"]
    assert intents[1].variables == {"order_id": "O1"} and intents[1].customer_id == "A"
    assert intents[3].variables == {"last_activity_date": "2026-01-03"}
    assert intents[3].at == at(2, 1, 18, 30)
    assert [i.template for i in customer.intents(timeline[2:3])] == ["thank_you_upsell"]
    assert intents[1].render() == "Order #O1 confirmed"
    assert intents[0].render({"welcome": "Hello from EarlyBird"}) == "Hello from EarlyBird"
    assert customer.config == eb.activation_config()
    assert repr(customer) == "CustomerActivation(customer_id='A', state=INACTIVE)"


def test_to_dict_modes_agree_with_the_core_json() -> None:
    customer = eb.CustomerActivation.replay(delivered_once(), at(2, 20))
    native = customer.to_dict()
    as_json = customer.to_dict(mode="json")
    assert native["dates"]["signed_up_at"] == at(1, 1, 4, 30)
    assert as_json["dates"]["signed_up_at"] == "2026-01-01T04:30:00Z"
    assert as_json["timeline"][3] == {
        "from": "ACTIVE",
        "to": "INACTIVE",
        "cause": {"type": "sweep", "rule": "inactivity"},
        "at": "2026-02-01T18:30:00Z",
        "last_activity_on": "2026-01-03",
    }
    assert "last_activity_on" not in as_json["timeline"][0]
    assert native["timeline"][3]["last_activity_on"] == dt.date(2026, 1, 3)
    assert as_json["events"][1] == {
        "customer_id": "A",
        "kind": "order_placed",
        "at": "2026-01-02T04:30:00Z",
        "sequence": 2,
        "order_id": "O1",
    }
    assert customer.timeline[3].to_dict(mode="json") == as_json["timeline"][3]
    with pytest.raises(eb.ValidationError):
        customer.to_dict(mode="yaml")  # type: ignore[arg-type]


def test_sweep_record_on_time_late_and_refused() -> None:
    customer = eb.CustomerActivation.replay(delivered_once(), at(2, 20))
    swept = customer.sweep(at(3, 10))
    # 60 counted days after 3 January: CHURNED at 00:00 IST on 4 March.
    assert [(t.from_, t.to, t.at) for t in swept] == [("INACTIVE", "CHURNED", at(3, 3, 18, 30))]
    assert customer.dates.churned_on == dt.date(2026, 3, 4)
    assert customer.sweep(at(3, 10)) == []

    on_time = customer.record(event("A", "order_placed", at(3, 12, 5), 4, order_id="O2"))
    assert on_time.late is False and on_time.rewrote_history is False
    assert [(t.from_, t.to, t.message) for t in on_time.transitions] == [("CHURNED", "ACTIVE", "welcome_back")]

    late = customer.record(event("A", "delivery_completed", at(1, 25, 1, 30), 5, order_id="O9"))
    assert late.late is True and late.rewrote_history is True
    # The refold moves INACTIVE to 30 days after 25 January; the churn never happened.
    assert [(t.from_, t.to, t.at) for t in late.transitions] == [
        ("ACTIVE", "INACTIVE", at(2, 23, 18, 30)),
        ("INACTIVE", "ACTIVE", at(3, 12, 5)),
    ]
    assert customer.state == "ACTIVE" and customer.dates.churned_on is None
    assert late.to_dict(mode="json")["late"] is True

    again = customer.events[-1]  # an ActivationEvent object is accepted as well as a dict
    with pytest.raises(eb.ValidationError) as error:
        customer.record(again)
    assert [(p.field, p.rule) for p in error.value.problems] == [("event.sequence", "duplicate")]
    with pytest.raises(eb.ValidationError) as error:
        customer.record(event("B", "order_placed", at(3, 13), 9, order_id="O3"))
    assert ("event.customer_id", "inconsistent") in [(p.field, p.rule) for p in error.value.problems]


def test_thresholds_and_holidays_from_the_config() -> None:
    longer = eb.CustomerActivation.replay(
        delivered_once(), at(2, 20), {"inactive_after_days": 60, "churned_after_days": 90}
    )
    assert longer.state == "ACTIVE"
    assert longer.config["inactive_after_days"] == 60
    away = {
        "customer_id": "H",
        "events": [event("H", "signed_up", at(12, 31, 12, year=2025), 1)]
        + [event("H", "delivery_completed", at(1, d, 1, 30), d + 1, subscription_id="S1") for d in range(1, 6)],
        "subscriptions": [
            {  # a MongoDB document, paused 6 January to 4 February
                "id": "S1",
                "customer_id": "H",
                "product_id": "MILK_500ML",
                "quantity": Decimal("0.5"),
                "schedule": "daily",
                "start_date": "2026-01-01",
                "pauses": [{"from": "2026-01-06", "to": "2026-02-04"}],
            }
        ],
    }
    # The holiday does not count: 30 counted days after 5 January end on 6 March.
    on_holiday = eb.CustomerActivation.replay(away, at(3, 10))
    assert on_holiday.state == "INACTIVE"
    assert on_holiday.timeline[-1].at == at(3, 5, 18, 30)
    counted = eb.CustomerActivation.replay(away, at(3, 10), {"holidays_pause_inactivity": False})
    assert counted.state == "CHURNED"


def test_replay_problems_are_reported_together() -> None:
    history = {
        "customer_id": "A",
        "events": [event("A", "order_placed", at(1, 2), 1), event("B", "signed_up", at(1, 1), 2)],
    }
    with pytest.raises(eb.ValidationError) as error:
        eb.CustomerActivation.replay(history, at(2, 1), {"churned_after_days": 10})
    problems = [(p.field, p.rule) for p in error.value.problems]
    assert ("config.churned_after_days", "range") in problems
    assert ("events[0].kind", "required") in problems
    assert ("events[1].customer_id", "inconsistent") in problems
    assert error.value.code == "VALIDATION_FAILED"
    with pytest.raises(eb.ValidationError) as error:
        eb.CustomerActivation.replay({"events": []}, at(2, 1))
    assert [(p.field, p.rule) for p in error.value.problems] == [("customer_id", "required")]
    with pytest.raises(eb.ValidationError) as error:
        eb.CustomerActivation.replay(delivered_once(), dt.datetime(2026, 2, 1))
    assert [(p.field, p.rule) for p in error.value.problems] == [("now", "instant")]
    with pytest.raises(eb.ValidationError) as error:
        eb.CustomerActivation.replay(delivered_once(), dt.date(2026, 2, 1))  # type: ignore[arg-type]
    assert error.value.problems[0].field == "now"
    with pytest.raises(eb.ValidationError) as error:
        eb.CustomerActivation.replay({"customer_id": "A", "events": [{"kind": "signed_up"}]}, at(2, 1))
    assert error.value.problems[0].field == "events[0]"


def test_a_template_problem_is_an_activation_error() -> None:
    intent = eb.CustomerActivation.replay(delivered_once(), at(2, 20)).intents()[0]
    with pytest.raises(eb.ActivationError) as error:
        intent.render({"welcome": "Hello {{name}}"})
    assert error.value.code == "NOTIFICATION_MISSING_VARIABLE"
    assert error.value.problems == []
    with pytest.raises(eb.ActivationError) as error:
        intent.render({"welcome": "Hello {{name"})
    assert error.value.code == "NOTIFICATION_MALFORMED_TEMPLATE"


CUSTOMER = {"id": "C1", "name": "Asha Rao", "phone": "9876543210", "signup_date": "2026-01-01"}
ORDER = {
    "id": "O1",
    "customer_id": "C1",
    "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.00")}],
    "delivery_date": "2026-01-03",
    "status": "DELIVERED",
    "created_at": at(1, 2, 4, 30),
}


def test_backfill_from_records() -> None:
    events = eb.backfill_events(CUSTOMER, orders=[ORDER])
    assert [(e.kind, e.at, e.sequence) for e in events] == [
        ("signed_up", at(12, 31, 18, 30, year=2025), 0),
        ("order_placed", at(1, 2, 4, 30), 1),
        ("delivery_completed", at(1, 2, 18, 30), 2),
    ]
    customer = eb.backfill(eb.Customer.from_document(CUSTOMER), at(1, 10), orders=[eb.Order.from_document(ORDER)])
    assert customer.state == "ACTIVE"
    assert customer.events == events
    assert eb.backfill(CUSTOMER, at(1, 10)).state == "NEW"
    with pytest.raises(eb.ValidationError) as error:
        eb.backfill(CUSTOMER, at(1, 10), orders=[dict(ORDER, customer_id="C2")])
    assert [(p.field, p.rule) for p in error.value.problems] == [("orders[0].customer_id", "inconsistent")]
    with pytest.raises(eb.ValidationError) as error:
        eb.backfill_events(CUSTOMER, orders=[dict(ORDER, status="LOST")])
    assert error.value.problems[0].field == "orders[0].status"


def histories() -> list[dict[str, Any]]:
    """A delivered at 3 January; B only signed up; C ordered but was never delivered."""
    return [
        delivered_once("A"),
        {"customer_id": "B", "events": [event("B", "signed_up", at(1, 1, 5), 1)]},
        {
            "customer_id": "C",
            "events": [
                event("C", "signed_up", at(1, 1, 6), 1),
                event("C", "order_placed", at(1, 2, 6), 2, order_id="O7"),
            ],
        },
    ]


def test_a_base_replays_sweeps_and_counts() -> None:
    base = eb.ActivationBase.replay(histories(), at(2, 20))
    assert len(base) == 3 and base.customer_ids == ["A", "B", "C"]
    assert base.config == eb.activation_config()
    a = base.customer("A")
    assert a is not None and a.state == "INACTIVE"
    assert base.customer("Z") is None

    metrics = base.metrics(at(2, 20), {"A": Decimal("84.00"), "Z": 10})
    assert metrics.at == at(2, 20) and metrics.customers == 3
    assert metrics.per_state == {"NEW": 1, "ONBOARDED": 1, "ACTIVE": 0, "ENGAGED": 0, "INACTIVE": 1, "CHURNED": 0}
    assert metrics.stalled == {"new": 1, "onboarded": 1}
    assert [(s.step, s.customers, s.eligible) for s in metrics.funnel] == [
        ("signed_up", 3, 3),
        ("first_order", 2, 3),
        ("first_delivery", 1, 2),
        ("active_30_days_later", 0, 1),  # A was already INACTIVE on the morning of 2 February
    ]
    assert metrics.funnel[1].rate_from_previous == Decimal("0.6667")
    assert metrics.funnel[2].rate_from_start == Decimal("0.3333")
    assert metrics.revenue_per_state["INACTIVE"] == Decimal("84.00")
    assert metrics.revenue_per_state["NEW"] == Decimal("0")
    assert metrics.revenue_unmatched == Decimal("10")
    as_json = metrics.to_dict(mode="json")
    assert as_json["funnel"]["steps"][1]["rate_from_previous"] == "0.6667"
    assert as_json["revenue_per_state"]["INACTIVE"] == "84.00"
    assert metrics.to_dict()["funnel"]["steps"][1]["rate_from_previous"] == Decimal("0.6667")
    text = metrics.funnel_text().splitlines()
    assert text[2].split() == ["first_order", "2", "66.7%", "66.7%"]

    # Metrics sweep a copy: the base itself still stands at 20 February.
    assert base.metrics(at(3, 10)).per_state["CHURNED"] == 1
    swept = base.sweep(at(3, 10))
    assert [(s.customer_id, s.transition.from_, s.transition.to) for s in swept] == [("A", "INACTIVE", "CHURNED")]
    assert swept[0].to_dict(mode="json")["transition"]["at"] == "2026-03-03T18:30:00Z"
    assert base.sweep(at(3, 10)) == []

    with pytest.raises(eb.ValidationError) as error:
        base.metrics(at(3, 10), {"A": 84.0})  # type: ignore[dict-item]
    assert [(p.field, p.rule) for p in error.value.problems] == [("bills[A]", "decimal")]


def test_cohort_retention_of_a_base_and_of_plain_dates() -> None:
    base = eb.ActivationBase.replay(histories(), at(2, 20))
    weekly = base.cohort_retention("week", dt.date(2026, 1, 31))
    assert weekly.granularity == "week" and weekly.as_of == dt.date(2026, 1, 31)
    assert weekly.periods == 5
    (row,) = weekly.rows
    # Thursday 1 January is in the ISO week of Monday 29 December; A and C were active in it.
    assert row.cohort == dt.date(2025, 12, 29) and row.size == 3
    assert row.active == [2, 0, 0, 0, 0]
    assert row.retention[0] == Decimal("0.6667")
    assert weekly.to_dict(mode="json")["rows"][0]["retention"][0] == "0.6667"
    lines = weekly.to_text(max_periods=2).splitlines()
    assert lines[0].split() == ["cohort", "size", "W0", "W1"]
    assert lines[1].split() == ["2025-12-29", "3", "66.7%", "0.0%"]
    monthly = base.cohort_retention("month", dt.date(2026, 2, 20))
    assert [(r.cohort, r.active) for r in monthly.rows] == [(dt.date(2026, 1, 1), [2, 0])]

    table = eb.cohort_retention(
        [
            {"signed_up_on": dt.date(2026, 1, 5), "activity": [dt.date(2026, 1, 6), dt.date(2026, 1, 14)]},
            {"signed_up_on": dt.date(2026, 1, 6), "activity": []},
        ],
        "week",
        dt.date(2026, 1, 14),
    )
    assert table.rows[0].size == 2 and table.rows[0].active == [1, 1]
    assert table.rows[0].retention == [Decimal("0.5"), Decimal("0.5")]
    with pytest.raises(eb.ValidationError) as error:
        base.cohort_retention("day", dt.date(2026, 1, 31))  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("granularity", "unknown_value")]
    with pytest.raises(eb.ValidationError) as error:
        eb.cohort_retention([], "week", at(1, 31))  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("as_of", "date")]


def test_a_base_from_customers_and_its_problems() -> None:
    a = eb.CustomerActivation.replay(delivered_once("A"), at(2, 20))
    b = eb.CustomerActivation.replay(delivered_once("B"), at(2, 20))
    base = eb.ActivationBase([a, b])
    assert base.customer_ids == ["A", "B"] and repr(base) == "ActivationBase(customers=2)"
    assert len(eb.ActivationBase([], {"inactive_after_days": 14})) == 0
    assert eb.ActivationBase([], {"inactive_after_days": 14}).config["inactive_after_days"] == 14
    other = eb.CustomerActivation.replay(delivered_once("C"), at(2, 20), {"inactive_after_days": 14})
    with pytest.raises(eb.ValidationError) as error:
        eb.ActivationBase([a, other])
    assert [(p.field, p.rule) for p in error.value.problems] == [("customers[1].config", "inconsistent")]
    with pytest.raises(eb.ValidationError) as error:
        eb.ActivationBase([a, "B"])  # type: ignore[list-item]
    assert [(p.field, p.rule) for p in error.value.problems] == [("customers[1]", "type")]
    broken = histories()
    broken[1]["events"] = []
    with pytest.raises(eb.ValidationError) as error:
        eb.ActivationBase.replay(broken, at(2, 20))
    assert [(p.field, p.rule) for p in error.value.problems] == [("histories[1].events", "required")]


def large_base() -> eb.ActivationBase:
    """50,000 copies of an ACTIVE customer; swept to June each goes INACTIVE then CHURNED."""
    customer = eb.CustomerActivation.replay(delivered_once(), at(1, 10))
    return eb.ActivationBase([customer] * 50_000)


def test_another_thread_runs_while_the_base_is_swept(no_forced_switches: None) -> None:
    base = large_base()
    swept, during = while_another_thread_runs(lambda: base.sweep(at(6, 1)))
    assert len(swept) == 100_000
    assert during > 0, "no other thread ran during the sweep: the GIL was held"


def test_another_coroutine_runs_while_sweep_async_works(no_forced_switches: None) -> None:
    base = large_base()

    swept, during = while_another_coroutine_runs(lambda: eb.sweep_async(base, at(6, 1)))
    assert len(swept) == 100_000
    assert during > 0, "the event loop did not run while sweep_async worked"

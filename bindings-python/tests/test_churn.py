"""Churn scoring through the binding: scores worked out by hand from docs/churn.md on inputs
with one or two factors, ranking, records, fitting, errors and the GIL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs, while_another_thread_runs

NOW = dt.date(2026, 11, 25)
FACTORS = ["recency", "frequency_drop", "spend_drop", "subscription", "payment", "service", "tenure"]


def complaints(n: int) -> dict[str, Any]:
    """Only the service factor has data: its risk is 1 - 0.75^n and its weight share is 1."""
    return {"service": {"complaints": n, "disputes": 0}}


OVERDUE = {"payments": {"overdue_amount": Decimal("500.00"), "overdue_days": 15, "failed_payments": 0}}
"""Only the payment factor: max(sat(15 days, 15), sat(Rs 500, 500)) = 0.5."""


def test_one_factor_scores_and_neutral_factors() -> None:
    engine = eb.ChurnEngine()
    scored = engine.score(complaints(1), NOW)
    assert scored.score == Decimal("25.00")
    assert scored.band == "low" and scored.action == "none"
    assert scored.reasons == ["SERVICE_ISSUES"]
    assert [c.factor for c in scored.contributions] == FACTORS
    service = scored.contributions[5]
    assert (service.risk, service.weight, service.points) == (0.25, 1.0, Decimal("25.00"))
    recency = scored.contributions[0]
    assert (recency.risk, recency.weight, recency.points) == (None, 0.0, Decimal("0.00"))
    # 1 - 0.75^3 = 0.578125: 57.81 points, and a service risk of 0.5 or more calls for a call.
    three = engine.score(complaints(3), NOW)
    assert (three.score, three.band, three.action) == (Decimal("57.81"), "medium", "service_recovery_call")
    two = engine.score(complaints(2), NOW)
    assert (two.score, two.band, two.action) == (Decimal("43.75"), "medium", "engagement_nudge")
    empty = engine.score({}, NOW)
    assert (empty.score, empty.band, empty.reasons, empty.action) == (Decimal("0.00"), "low", [], "none")


def test_contributions_add_up_with_the_default_weights() -> None:
    scored = eb.ChurnEngine().score({**complaints(1), **OVERDUE}, NOW)
    # Shares 0.10 / 0.25 and 0.15 / 0.25: 0.4 · 0.25 + 0.6 · 0.5 = 0.4.
    assert scored.score == Decimal("40.00")
    assert scored.contributions[4].points == Decimal("30.00")
    assert scored.contributions[5].points == Decimal("10.00")
    assert scored.contributions[4].weight == pytest.approx(0.6)
    assert scored.contributions[5].weight == pytest.approx(0.4)
    assert sum(c.points for c in scored.contributions) == scored.score
    assert scored.reasons == ["PAYMENT_OVERDUE", "SERVICE_ISSUES"]
    assert scored.action == "payment_reminder"
    as_json = scored.to_dict(mode="json")
    assert as_json["score"] == "40.00" and as_json["contributions"][4]["points"] == "30.00"
    assert as_json["contributions"][0] == {"factor": "recency", "risk": None, "weight": 0.0, "points": "0.00"}
    assert scored.to_dict()["score"] == Decimal("40.00")
    assert scored.contributions[4].to_dict(mode="json")["factor"] == "payment"


def test_purchases_with_native_dates_and_decimals() -> None:
    engine = eb.ChurnEngine()
    customer = {
        "signup_date": dt.date(2026, 3, 1),
        "purchases": [
            {"date": dt.date(2026, 8, 1), "amount": Decimal("56.00")},
            {"date": dt.date(2026, 11, 1), "amount": Decimal("30.00")},
        ],
    }
    scored = engine.score(customer, NOW)
    risks = engine.risks(customer, NOW)
    assert set(risks) == set(FACTORS)
    assert risks["payment"] is None and risks["service"] is None and risks["subscription"] is None
    assert risks["recency"] is not None and 0 < risks["recency"] < 1
    assert [c.risk for c in scored.contributions] == [risks[c.factor] for c in scored.contributions]
    assert sum(c.points for c in scored.contributions) == scored.score
    again = engine.score(eb.ChurnInput.from_dict(customer), NOW)
    assert again == scored


def test_custom_weights_bands_rules_and_reasons() -> None:
    config = {
        "weights": {"payment": 1.0, "service": 3.0},
        "bands": {"medium_from": Decimal("10"), "high_from": Decimal("20")},
        "rules": [{"when": [{"if": "band_at_least", "band": "high"}], "action": "win_back_offer"}],
        "top_reasons": 1,
    }
    engine = eb.ChurnEngine(config)
    assert engine.config["weights"]["service"] == 3.0
    assert engine.config["bands"] == {"medium_from": "10", "high_from": "20"}
    scored = engine.score({**complaints(1), **OVERDUE}, NOW)
    # Shares 0.25 and 0.75: 0.25 · 0.5 + 0.75 · 0.25 = 0.3125.
    assert scored.score == Decimal("31.25")
    assert scored.band == "high" and scored.action == "win_back_offer"
    assert scored.reasons == ["SERVICE_ISSUES"]
    defaults = eb.churn_config()
    assert defaults["weights"]["recency"] == 0.35 and defaults["top_reasons"] == 3
    assert [r["action"] for r in defaults["rules"]] == [
        "payment_reminder",
        "service_recovery_call",
        "win_back_offer",
        "engagement_nudge",
    ]
    assert eb.churn_config({"top_reasons": 5})["top_reasons"] == 5


def test_invalid_configuration_and_input() -> None:
    with pytest.raises(eb.ValidationError) as error:
        eb.ChurnEngine({"weights": {"recency": -1.0}, "bands": {"medium_from": Decimal("70"), "high_from": Decimal("60")}})
    assert error.value.code == "CHURN_INVALID_CONFIG"
    assert [(p.field, p.rule) for p in error.value.problems] == [
        ("weights.recency", "non_negative"),
        ("bands.high_from", "inconsistent"),
    ]
    with pytest.raises(eb.ValidationError) as error:
        eb.churn_config({"rules": [{"when": [{"if": "factor_risk_at_least", "factor": "payment", "risk": 1.5}], "action": "payment_reminder"}]})
    assert [(p.field, p.rule) for p in error.value.problems] == [("rules[0].when[0].risk", "range")]
    with pytest.raises(eb.ValidationError) as error:
        eb.ChurnEngine({"weights": {"recency": Decimal("0.5")}})
    assert error.value.code == "VALIDATION_FAILED" and error.value.problems[0].field == "config"

    engine = eb.ChurnEngine()
    with pytest.raises(eb.ValidationError) as error:
        engine.score({"signup_date": dt.date(2026, 12, 1), "purchases": [{"date": dt.date(2026, 11, 1), "amount": Decimal("-5")}]}, NOW)
    assert error.value.code == "CHURN_INVALID_INPUT"
    assert [(p.field, p.rule) for p in error.value.problems] == [
        ("signup_date", "date_order"),
        ("purchases[0].amount", "non_negative"),
    ]
    with pytest.raises(eb.ValidationError) as error:
        engine.score({"purchases": [{"date": dt.date(2026, 11, 1), "amount": 30.5}]}, NOW)
    assert error.value.problems[0].field == "input"
    with pytest.raises(eb.ValidationError) as error:
        engine.score({}, dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc))  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("now", "date")]


def test_rank_orders_by_risk_and_keeps_ties_in_input_order() -> None:
    engine = eb.ChurnEngine()
    customers: list[Any] = [OVERDUE, complaints(3), {}, eb.ChurnInput.from_dict(OVERDUE)]
    ranked = engine.rank(customers, NOW)
    assert [(r.index, r.churn.score) for r in ranked] == [
        (1, Decimal("57.81")),
        (0, Decimal("50.00")),
        (3, Decimal("50.00")),
        (2, Decimal("0.00")),
    ]
    assert ranked[1].churn.action == "payment_reminder"
    assert ranked[0].to_dict(mode="json")["churn"]["score"] == "57.81"
    assert engine.rank(iter([complaints(1)]), NOW)[0].churn.score == Decimal("25.00")
    assert engine.rank([], NOW) == []
    bad = {"purchases": [{"date": dt.date(2026, 11, 1), "amount": Decimal("-1")}]}
    with pytest.raises(eb.ValidationError) as error:
        engine.rank([OVERDUE, bad, bad], NOW)
    assert error.value.code == "CHURN_INVALID_INPUT"
    assert [p.field for p in error.value.problems] == ["customers[1].purchases[0].amount", "customers[2].purchases[0].amount"]
    with pytest.raises(eb.ValidationError) as error:
        engine.rank([OVERDUE, {"purchases": "many"}], NOW)
    assert error.value.code == "VALIDATION_FAILED"
    assert [p.field for p in error.value.problems] == ["customers[1]"]


def test_input_from_records() -> None:
    customer = {"id": "C1", "name": "Asha Rao", "phone": "9876543210", "signup_date": "2026-01-01"}
    order = {
        "id": "O1",
        "customer_id": "C1",
        "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.00")}],
        "delivery_date": "2026-01-03",
        "status": "DELIVERED",
    }
    other = dict(order, id="O2", customer_id="C2")
    built = eb.ChurnInput.from_records(
        eb.Customer.from_document(customer),
        dt.date(2026, 1, 10),
        orders=[order, eb.Order.from_document(other)],
        service={"complaints": 1, "disputes": 0},
        window_days=7,
    )
    assert built.signup_date == dt.date(2026, 1, 1)
    assert built.purchases == [{"date": dt.date(2026, 1, 3), "amount": Decimal("56.00")}]
    assert built.service == {"complaints": 1, "disputes": 0}
    assert built.deliveries is None and built.subscription is None and built.payments is None
    assert built.to_dict(mode="json") == {
        "signup_date": "2026-01-01",
        "purchases": [{"date": "2026-01-03", "amount": "56.00"}],
        "deliveries": None,
        "subscription": None,
        "payments": None,
        "service": {"complaints": 1, "disputes": 0},
    }
    assert eb.ChurnInput.from_dict(built.to_dict(mode="json")) == built
    with pytest.raises(eb.ValidationError) as error:
        eb.ChurnInput.from_records(customer, dt.date(2026, 1, 10), orders=[dict(order, status="LOST")])
    assert error.value.problems[0].field == "orders[0].status"
    with_payments = eb.ChurnInput.from_records(customer, dt.date(2026, 1, 10), payments=OVERDUE["payments"])
    assert with_payments.payments == OVERDUE["payments"]


def samples(n: int = 100) -> list[dict[str, Any]]:
    """Churn becomes likelier as the recency risk grows (the core's own doc example)."""
    return [{"risks": {"recency": i / 100}, "churned": (i * 37) % 100 < i} for i in range(n)]


def test_fit_weights_and_its_errors() -> None:
    fitted = eb.fit_weights(samples())
    assert fitted.weights == {f: (1.0 if f == "recency" else 0.0) for f in FACTORS}
    assert fitted.coefficients[0] > 0 and fitted.coefficients[1:] == [0.0] * 6
    assert fitted.iterations > 0 and len(fitted.fill) == 7
    assert fitted.to_dict()["weights"]["recency"] == 1.0
    assert fitted.to_dict(mode="json") == fitted.to_dict()
    assert isinstance(fitted.intercept, float)
    # The fitted weights go straight into a configuration.
    assert eb.ChurnEngine({"weights": fitted.weights}).config["weights"]["recency"] == 1.0

    with pytest.raises(eb.ChurnError) as error:
        eb.fit_weights(samples(5))
    assert error.value.code == "CHURN_TOO_FEW_SAMPLES"
    with pytest.raises(eb.ChurnError) as error:
        eb.fit_weights([{"risks": {"recency": i / 100}, "churned": True} for i in range(50)])
    assert error.value.code == "CHURN_ONE_CLASS"
    with pytest.raises(eb.ChurnError) as error:
        eb.fit_weights(samples(), {"max_iterations": 1})
    assert error.value.code == "CHURN_NO_CONVERGENCE"
    assert "did not converge in 1 iterations" in str(error.value)
    with pytest.raises(eb.ValidationError) as invalid:
        eb.fit_weights(samples(), {"l2": -1.0})
    assert invalid.value.code == "CHURN_INVALID_CONFIG"
    assert [(p.field, p.rule) for p in invalid.value.problems] == [("options.l2", "non_negative")]
    with pytest.raises(eb.ValidationError) as invalid:
        eb.fit_weights([{"risks": {"recency": 2.0}, "churned": i % 2 == 0} for i in range(40)])
    assert invalid.value.code == "CHURN_INVALID_INPUT"
    assert invalid.value.problems[0].field == "samples[0].risks.recency"


def base(n: int = 20_000) -> list[dict[str, Any]]:
    return [
        {
            "signup_date": dt.date(2025, 1, 1),
            "purchases": [{"date": dt.date(2026, 11, 1 + i % 20), "amount": Decimal("28.00")}],
            **complaints(i % 4),
        }
        for i in range(n)
    ]


def test_another_thread_runs_while_a_base_is_ranked(no_forced_switches: None) -> None:
    customers = base()
    engine = eb.ChurnEngine()
    ranked, during = while_another_thread_runs(lambda: engine.rank(customers, NOW))
    assert len(ranked) == len(customers)
    assert all(a.churn.score >= b.churn.score for a, b in zip(ranked, ranked[1:]))
    assert during > 0, "no other thread ran during rank: the GIL was held"


def test_another_coroutine_runs_while_rank_async_works(no_forced_switches: None) -> None:
    customers = base()
    engine = eb.ChurnEngine()

    ranked, during = while_another_coroutine_runs(lambda: eb.rank_async(engine, customers, NOW))
    assert len(ranked) == len(customers)
    assert during > 0, "the event loop did not run while rank_async worked"

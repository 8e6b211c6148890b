"""The loyalty programme through the binding: events as dicts, results in canonical JSON form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb

AT = dt.datetime(2026, 5, 1, 4, 0, tzinfo=dt.timezone.utc)


def payment_event(customer: str = "c-1", amount: Decimal = Decimal("2000"), pid: str = "p-1") -> dict[str, Any]:
    return {
        "type": "payment_received",
        "payment": {"id": pid, "customer_id": customer, "amount": amount, "method": "upi", "date": AT.date()},
        "at": AT,
    }


def test_config_defaults_and_overrides() -> None:
    defaults = eb.loyalty_config()
    assert defaults["minimum_redemption"] > 0 and "tiers" in defaults
    changed = eb.loyalty_config({"referral_bonus": 150})
    assert changed["referral_bonus"] == 150
    assert {k: v for k, v in changed.items() if k != "referral_bonus"} == {
        k: v for k, v in defaults.items() if k != "referral_bonus"
    }
    assert eb.Program({"referral_bonus": 150}).config == changed
    with pytest.raises(eb.ValidationError) as error:
        eb.loyalty_config({"referral_bonus": "many"})
    assert error.value.problems[0].field == "config"


def test_earn_redeem_preview_and_summary() -> None:
    program = eb.Program()
    applied = program.apply(payment_event())
    assert applied["duplicate"] is False and applied["entries"][0]["kind"] == "earn"
    assert program.apply(payment_event())["duplicate"] is True
    member = program.member("c-1")
    assert member is not None and member["balance"] == 2000 and member["tier"] == "SILVER"
    preview = program.preview_redemption("c-1", Decimal("590.00"), AT)
    assert preview["max_points"] == 590 and preview["max_amount"] == "295.00"
    assert eb.preview_redemption(2000, Decimal("590.00")) == preview
    request = {"customer_id": "c-1", "key": "EB/1", "points": 590, "bill_charges": Decimal("590.00"), "at": AT}
    redeemed = program.redeem(request)
    assert redeemed["redemption"]["amount"] == "295.00"
    summary = program.summary("c-1", AT)
    assert summary is not None and summary["balance"] == 1410
    assert program.summary("nobody", AT) is None and program.member("nobody") is None
    assert program.customer_ids == ["c-1"] and len(program) == 1
    assert program.expire(AT) == [] and isinstance(program.monthly_review(AT), list)
    assert program.to_dict()["members"]["c-1"]["customer_id"] == "c-1"


@pytest.mark.parametrize(
    ("points", "charges", "cls", "code"),
    [
        (5000, Decimal("100000"), eb.InsufficientPointsError, "LOYALTY_INSUFFICIENT_POINTS"),
        (1, Decimal("590"), eb.BelowMinimumError, "LOYALTY_BELOW_MINIMUM"),
        (591, Decimal("590.00"), eb.AboveCapError, "LOYALTY_ABOVE_CAP"),
    ],
)
def test_redemption_errors_have_their_classes(points: int, charges: Decimal, cls: type, code: str) -> None:
    program = eb.Program()
    program.apply(payment_event())
    with pytest.raises(cls) as error:
        program.redeem({"customer_id": "c-1", "key": "K", "points": points, "bill_charges": charges, "at": AT})
    assert isinstance(error.value, eb.LoyaltyError) and error.value.code == code


def test_unknown_member_payment_and_bad_events() -> None:
    program = eb.Program()
    with pytest.raises(eb.UnknownMemberError):
        program.redeem({"customer_id": "x", "key": "K", "points": 100, "bill_charges": Decimal("500"), "at": AT})
    with pytest.raises(eb.UnknownPaymentError):
        program.apply({"type": "payment_refunded", "customer_id": "c-1", "payment_id": "nope", "at": AT})
    with pytest.raises(eb.ReviewNotDeliveredError):
        program.apply({"type": "review_posted", "customer_id": "c-1", "order_id": "o-1", "at": AT})
    with pytest.raises(eb.ValidationError) as error:
        program.apply({"type": "no_such_event"})
    assert error.value.problems[0].field == "event"
    with pytest.raises(eb.ValidationError):
        program.preview_redemption("c-1", 1.5, AT)  # type: ignore[arg-type]


def test_leaderboards_rank_and_percentile() -> None:
    program = eb.Program()
    results = program.apply_many(
        [payment_event(f"c-{i}", Decimal(100 * (i + 1)), f"p-{i}") for i in range(5)]
    )
    assert len(results) == 5
    boards = program.leaderboards(AT, 3)
    assert [p["customer_id"] for p in boards["all_time"]] == ["c-4", "c-3", "c-2"]
    assert boards["all_time"][0]["rank"] == 1 and boards["all_time"][0]["of"] == 5
    assert isinstance(boards["all_time"][0]["percentile"], str)
    assert set(boards["by_tier"]) == {"BRONZE"}
    assert len(program.leaderboards(AT)["all_time"]) == 5
    position = program.position("c-0", AT)
    assert position is not None and position["all_time"]["rank"] == 5
    assert program.position("nobody", AT) is None


def test_leaderboards_async() -> None:
    import asyncio

    program = eb.Program()
    program.apply(payment_event())
    boards = asyncio.run(eb.leaderboards_async(program, AT, 1))
    assert boards["all_time"][0]["customer_id"] == "c-1"

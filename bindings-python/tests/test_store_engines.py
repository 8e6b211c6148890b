"""The engines' state in a store, through the service: points redeemed onto the bill, the
member's summary, the activation sweep and state, and the settings a store is opened with. Each
test has a store of its own (memory and SQLite): the sweep and the month's bills cover every
customer in it. PostgreSQL runs the same service code and is covered by the core's tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs
from test_store import AT, customer_doc, order_doc, payment_doc

UTC = dt.timezone.utc
PRODUCTS = [
    {"id": "MILK_500ML", "name": "Toned milk 500 ml", "prices": [{"price": Decimal("28.50"), "effective_from": "2026-01-01"}]},
    {"id": "PANEER_200G", "name": "Paneer 200 g", "prices": [{"price": Decimal("90"), "effective_from": "2026-01-01"}]},
]
# 01:30 on 21 January in India, after the order was delivered and paid.
REDEEMED_AT = dt.datetime(2026, 1, 20, 20, 0, tzinfo=UTC)

Opener = Callable[..., eb.Store]


@pytest.fixture(params=["memory", "sqlite"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """Opens a fresh store of the parametrized kind, with the keyword settings given."""

    files = itertools.count()

    def open_(**settings: Any) -> eb.Store:
        if request.param == "memory":
            return eb.Store.memory(**settings)
        return eb.Store.sqlite(str(tmp_path / f"engines-{next(files)}.db"), **settings)

    return open_


def delivered_and_paid(store: eb.Store) -> eb.Actor:
    """CUST_001 registered, ORD_7 (147.00) delivered on 15 January, Rs 1250.50 paid by UPI:
    1,300 points (the first delivered order's bonus 50, then 1,250 at BRONZE's 1.0), SILVER."""
    actor = eb.Actor("DB_7", AT)
    store.import_export({"products": PRODUCTS}, "all_or_nothing", actor)
    store.register_customer(customer_doc(), actor)
    store.place_order(order_doc(), actor)
    store.dispatch_order("ORD_7", actor)
    store.confirm_delivery("ORD_7", [Decimal("2"), Decimal("1")], actor)
    store.record_payment(payment_doc(), actor)
    return actor


def test_a_redemption_is_stored_once_and_reaches_the_bill(open_store: Opener) -> None:
    store = open_store()
    actor = delivered_and_paid(store)
    before = store.loyalty_summary("CUST_001", REDEEMED_AT)
    assert before is not None and (before.balance, before.available) == (1300, 1300)

    redemption = store.redeem_points("CUST_001", 100, Decimal("147.00"), "BILL-2026-01", REDEEMED_AT)
    assert isinstance(redemption, eb.Redemption)
    assert (redemption.customer_id, redemption.points, redemption.amount, redemption.key) == (
        "CUST_001", 100, Decimal("50.00"), "BILL-2026-01",
    )
    assert redemption.line_description == "Loyalty points redeemed (100 points)"
    again = store.redeem_points("CUST_001", 100, Decimal("147.00"), "BILL-2026-01", REDEEMED_AT + dt.timedelta(days=1))
    assert again == redemption, "the same key redeems once"
    after = store.loyalty_summary("CUST_001", REDEEMED_AT)
    assert after is not None and after.balance == 1200
    assert [a.action for a in store.audit_trail("loyalty", "CUST_001")] == ["redeemed"]

    bills = store.finalize_month("2026-01", eb.Actor("billing", dt.datetime(2026, 2, 1, 1, 0, tzinfo=UTC)))
    assert len(bills) == 1
    credits = [(line["kind"], line["amount"]) for line in bills[0].lines if line["kind"] == "loyalty_redemption"]
    assert credits == [("loyalty_redemption", Decimal("-50.00"))]
    assert (bills[0].subtotal, bills[0].credits, bills[0].total) == (Decimal("147.00"), Decimal("50.00"), Decimal("97.00"))
    assert store.finalize_month("2026-01", actor) == []


def test_redemption_refusals_store_nothing(open_store: Opener) -> None:
    store = open_store()
    delivered_and_paid(store)
    with pytest.raises(eb.BelowMinimumError) as below:
        store.redeem_points("CUST_001", 99, Decimal("147.00"), "K1", REDEEMED_AT)
    assert below.value.code.startswith("LOYALTY_")
    with pytest.raises(eb.InsufficientPointsError):
        store.redeem_points("CUST_001", 2000, Decimal("5000.00"), "K2", REDEEMED_AT)
    with pytest.raises(eb.AboveCapError):
        store.redeem_points("CUST_001", 300, Decimal("147.00"), "K3", REDEEMED_AT)
    with pytest.raises(eb.UnknownMemberError):
        store.redeem_points("NOBODY", 100, Decimal("147.00"), "K4", REDEEMED_AT)
    with pytest.raises(eb.ValidationError) as invalid:
        store.redeem_points("CUST_001", -5, Decimal("147.00"), "K5", REDEEMED_AT)
    assert [p.field for p in invalid.value.problems] == ["points"]
    with pytest.raises(eb.ValidationError) as arguments:
        store.redeem_points("CUST_001", 100, 147.0, "K6", dt.datetime(2026, 1, 20))  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in arguments.value.problems] == [("bill_charges", "decimal"), ("now", "instant")]
    summary = store.loyalty_summary("CUST_001", REDEEMED_AT)
    assert summary is not None and summary.balance == 1300, "nothing was redeemed"
    assert store.audit_trail("loyalty", "CUST_001") == []

    # A key already used as another customer's credit id.
    actor = eb.Actor("DB_7", AT)
    store.register_customer(dict(customer_doc("CUST_002"), phone="098450 12346"), actor)
    store.record_payment(dict(payment_doc("CUST_002"), id="PAY_2"), actor)
    store.redeem_points("CUST_002", 100, Decimal("147.00"), "BILL-X", REDEEMED_AT)
    with pytest.raises(eb.StoreConflictError) as taken:
        store.redeem_points("CUST_001", 100, Decimal("147.00"), "BILL-X", REDEEMED_AT)
    assert "another credit" in str(taken.value)
    summary = store.loyalty_summary("CUST_001", REDEEMED_AT)
    assert summary is not None and summary.balance == 1300


def test_the_wallet_pays_the_bill_and_is_stored_with_it(open_store: Opener) -> None:
    store = open_store()
    actor = eb.Actor("DB_7", AT)
    top_up = {"id": "W1", "customer_id": "CUST_001", "kind": "top_up", "amount": Decimal("100.00"), "date": "2026-01-10"}
    with pytest.raises(eb.NotFoundError):
        store.record_wallet_entry(top_up, actor)
    store.import_export({"products": PRODUCTS}, "all_or_nothing", actor)
    store.register_customer(customer_doc(), actor)
    store.place_order(order_doc(), actor)
    store.dispatch_order("ORD_7", actor)
    store.confirm_delivery("ORD_7", [Decimal("2"), Decimal("1")], actor)

    effect, entry = store.record_wallet_entry(top_up, actor)
    assert effect == "changed"
    assert (entry["kind"], entry["amount"], entry["date"]) == ("top_up", Decimal("100.00"), dt.date(2026, 1, 10))
    assert store.record_wallet_entry(top_up, actor)[0] == "unchanged"
    promotion = {"id": "W2", "customer_id": "CUST_001", "kind": "promotional", "amount": Decimal("20.00"),
                 "date": "2026-01-12", "expires_on": "2026-03-31"}
    store.record_wallet_entry(promotion, actor)
    with pytest.raises(eb.StoreConflictError):
        store.record_wallet_entry(dict(top_up, amount=Decimal("1.00")), actor)
    with pytest.raises(eb.ValidationError) as applied:
        store.record_wallet_entry(dict(top_up, id="W3", kind="applied", amount=Decimal("0")), actor)
    assert [(p.field, p.rule) for p in applied.value.problems] == [("kind", "inconsistent"), ("amount", "positive")]
    assert store.wallet("CUST_001").balance_on(dt.date(2026, 2, 1)) == Decimal("120.00")

    billed_at = dt.datetime(2026, 2, 1, 1, 0, tzinfo=UTC)
    before = store.loyalty_summary("CUST_001", billed_at)
    bills = store.finalize_month("2026-01", eb.Actor("billing", billed_at))
    bill = bills[0]
    assert (bill.total, bill.wallet_applied, bill.amount_due) == (Decimal("147.00"), Decimal("120.00"), Decimal("27.00"))
    after = store.loyalty_summary("CUST_001", billed_at)
    assert before is not None and after is not None
    assert after.balance - before.balance == 120, "the wallet's application earns as a payment"
    wallet = store.wallet("CUST_001")
    assert isinstance(wallet, eb.Wallet)
    assert bill.wallet_payment is not None
    applied_id = bill.wallet_payment.id
    assert [(e["id"], e["kind"]) for e in wallet.entries] == [("W1", "top_up"), ("W2", "promotional"), (applied_id, "applied")]
    assert wallet.balance_on(dt.date(2026, 2, 1)) == Decimal("0.00")
    assert store.wallet("NOBODY").entries == []
    assert [a.action for a in store.audit_trail("wallet_entry", "W1")] == ["recorded"]


def test_the_loyalty_summary(open_store: Opener) -> None:
    store = open_store()
    assert store.loyalty_summary("CUST_001", AT) is None
    delivered_and_paid(store)
    summary = store.loyalty_summary("CUST_001", REDEEMED_AT)
    assert isinstance(summary, eb.MemberSummary)
    tier = summary.tier
    assert isinstance(tier, eb.TierProgress)
    assert (tier.tier, tier.qualifying_points, tier.next_tier, tier.next_threshold, tier.points_to_next) == (
        "SILVER", 1300, "GOLD", 5000, 3700,
    )
    assert len(summary.badges) >= 15 and all(isinstance(b, eb.BadgeProgress) for b in summary.badges)
    unlocked = {b.code: b.unlocked_at for b in summary.badges if b.unlocked_at is not None}
    assert unlocked and all(at.tzinfo is not None for at in unlocked.values())
    first = summary.badges[0]
    assert first.category in {"orders", "points", "referrals", "reviews", "streaks", "social", "tier"}
    assert 0 <= first.current <= first.target

    native = summary.to_dict()
    assert native["balance"] == 1300 and native["tier"]["tier"] == "SILVER"
    assert native["badges"][0] == first.to_dict()
    as_json = summary.to_dict(mode="json")
    assert as_json["tier"] == tier.to_dict(mode="json") == native["tier"]
    assert [b["unlocked_at"] for b in as_json["badges"] if b["unlocked_at"]] != []
    assert all(isinstance(b["unlocked_at"], (str, type(None))) for b in as_json["badges"])
    with pytest.raises(eb.ValidationError) as naive:
        store.loyalty_summary("CUST_001", dt.datetime(2026, 1, 20))
    assert [(p.field, p.rule) for p in naive.value.problems] == [("now", "instant")]


def test_the_sweep_and_the_activation_state(open_store: Opener) -> None:
    store = open_store()
    actor = eb.Actor("DB_7", AT)
    assert store.activation_state("CUST_001") is None
    store.register_customer(customer_doc(), actor)
    assert store.activation_state("CUST_001") == "NEW"
    store.place_order(order_doc(), actor)
    assert store.activation_state("CUST_001") == "ONBOARDED"
    store.dispatch_order("ORD_7", actor)
    store.confirm_delivery("ORD_7", [Decimal("2"), Decimal("1")], actor)
    assert store.activation_state("CUST_001") == "ACTIVE"

    later = AT + dt.timedelta(days=45)
    swept = store.run_daily_sweep(later)
    assert [(s.customer_id, s.transition.from_, s.transition.to) for s in swept] == [("CUST_001", "ACTIVE", "INACTIVE")]
    assert swept[0].transition.message == "we_miss_you"
    assert swept[0].to_dict(mode="json")["transition"]["cause"]["type"] == "sweep"
    assert store.run_daily_sweep(later) == [], "the same morning again changes nothing"
    assert store.activation_state("CUST_001") == "INACTIVE"
    assert [a.action for a in store.audit_trail("activation", "CUST_001")] == ["swept"]
    claimed = store.claim_intents("sender", 100, later)
    assert "we_miss_you" in [c["intent"]["template"] for c in claimed]
    with pytest.raises(eb.ValidationError) as naive:
        store.run_daily_sweep(dt.datetime(2026, 3, 1))
    assert [(p.field, p.rule) for p in naive.value.problems] == [("now", "instant")]


def test_settings_given_when_opening(open_store: Opener) -> None:
    store = open_store(
        activation={"inactive_after_days": 10},
        loyalty={"minimum_redemption": 50, "point_value": "1.00"},
        billing={"number_prefix": "MB"},
    )
    actor = delivered_and_paid(store)
    redemption = store.redeem_points("CUST_001", 50, Decimal("147.00"), "BILL-1", REDEEMED_AT)
    assert redemption.amount == Decimal("50.00")
    swept = store.run_daily_sweep(AT + dt.timedelta(days=12))
    assert [s.transition.to for s in swept] == ["INACTIVE"]
    bills = store.finalize_month("2026-01", actor)
    assert bills[0].number == "MB/25-26/000001"

    with pytest.raises(eb.ValidationError) as refused:
        open_store(activation={"inactive_after_days": 90, "churned_after_days": 60})
    assert [(p.field, p.rule) for p in refused.value.problems] == [("activation.churned_after_days", "range")]
    with pytest.raises(eb.ValidationError) as shape:
        open_store(loyalty={"minimum_redemption": "many"})
    assert [p.field for p in shape.value.problems] == ["loyalty"]
    with pytest.raises(eb.ValidationError) as numbers:
        open_store(billing={"number_prefix": "M B", "number_digits": 0})
    assert [(p.field, p.rule) for p in numbers.value.problems] == [
        ("billing.number_prefix", "range"),
        ("billing.number_digits", "range"),
    ]


def test_the_awaitable_twins_let_the_loop_run(tmp_path: Path, no_forced_switches: None) -> None:
    store = eb.Store.sqlite(str(tmp_path / "async-engines.db"))
    delivered_and_paid(store)
    awaitable = eb.AsyncStore(store)

    async def work() -> tuple[Any, ...]:
        redemption = await awaitable.redeem_points("CUST_001", 100, Decimal("147.00"), "BILL-1", REDEEMED_AT)
        summary = await awaitable.loyalty_summary("CUST_001", REDEEMED_AT)
        swept = await awaitable.run_daily_sweep(AT + dt.timedelta(days=45))
        state = await awaitable.activation_state("CUST_001")
        return redemption, summary, swept, state

    (redemption, summary, swept, state), during = while_another_coroutine_runs(work)
    assert redemption.amount == Decimal("50.00") and summary is not None and summary.balance == 1200
    assert [s.transition.to for s in swept] == ["INACTIVE"] and state == "INACTIVE"
    assert during > 0, "the event loop did not run while the store worked"

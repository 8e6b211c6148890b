"""Billing through the Python API: bills from MongoDB-shaped dicts, the month's batch (from
dicts and from columns), finalization and numbers, payments, the wallet, reconciliation,
errors, and the GIL released during the batch."""

from __future__ import annotations

import datetime as dt
import json
from array import array
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs, while_another_thread_runs

JAN = dt.date(2026, 1, 1)


def day(n: int, month: int = 1) -> dt.date:
    return dt.date(2026, month, n)


def records(customers: int = 3, days: int = 31) -> dict[str, Any]:
    """A January of `customers` daily milk subscriptions (price change on the 16th, the 5th
    day partial, the 7th not delivered) and one one-time paneer order each, at 5 % GST."""
    products = [
        {"id": "MILK", "name": "Milk 1L", "prices": [
            {"price": Decimal("28.00"), "effective_from": "2025-01-01"},
            {"price": Decimal("30.00"), "effective_from": "2026-01-16"},
        ]},
        {"id": "PANEER", "name": "Paneer 200g", "gst_rate": 5,
         "prices": [{"price": Decimal("90.00"), "effective_from": "2025-01-01"}]},
    ]
    subscriptions = []
    deliveries = []
    orders = []
    for c in range(customers):
        customer = f"C{c}"
        subscriptions.append({"id": f"S{c}", "customer_id": customer, "product_id": "MILK", "quantity": 1,
                              "schedule": "daily", "start_date": "2025-12-01"})
        for d in range(1, days + 1):
            status, delivered = ("DELIVERED", Decimal(1))
            if d == 5:
                status, delivered = ("PARTIALLY_DELIVERED", Decimal("0.5"))
            if d == 7:
                status, delivered = ("NOT_DELIVERED", Decimal(0))
            deliveries.append({"id": f"D{c}-{d:02}", "customer_id": customer, "date": day(d).isoformat(),
                               "subscription_id": f"S{c}", "product_id": "MILK", "ordered_quantity": Decimal(1),
                               "delivered_quantity": delivered, "status": status})
        orders.append({"id": f"O{c}", "customer_id": customer, "status": "DELIVERED", "delivery_date": "2026-01-20",
                       "items": [{"product_id": "PANEER", "quantity": 2, "unit_price": Decimal("90.00"),
                                  "delivered_quantity": 2}]})
    return {"products": products, "subscriptions": subscriptions, "deliveries": deliveries, "orders": orders}


def test_a_bill_from_mongodb_dicts_applies_every_rule() -> None:
    bill = eb.compute_bill(records(1), "C0", "2026-01")
    assert isinstance(bill, eb.Bill) and bill.status == "DRAFT" and bill.number is None
    lines = [(line["kind"], line["quantity"], line["unit_price"], line["amount"]) for line in bill.lines]
    # Days 1-15 at 28 (day 5 half, day 7 not delivered): 13.5 litres; days 16-31 at 30: 16.
    assert lines == [
        ("subscription", Decimal("13.5"), Decimal("28.00"), Decimal("378.00")),
        ("subscription", Decimal("16"), Decimal("30.00"), Decimal("480.00")),
        ("one_time", Decimal("2"), Decimal("90.00"), Decimal("180.00")),
    ]
    assert bill.subtotal == Decimal("1038.00") and bill.tax == Decimal("9.00")
    assert bill.total == Decimal("1047.00") and bill.amount_due == Decimal("1047.00")
    assert bill.bill_date == dt.date(2026, 2, 1) and bill.due_date == dt.date(2026, 2, 8)
    assert [(t["rate"], t["taxable"], t["tax"]) for t in bill.taxes] == [
        (Decimal("0"), Decimal("858.00"), Decimal("0.00")),
        (Decimal("5"), Decimal("180.00"), Decimal("9.00")),
    ]
    assert bill.arithmetic_problems() == []
    as_json = bill.to_dict(mode="json")
    assert as_json["total"] == "1047.00" and as_json["bill_date"] == "2026-02-01"
    assert json.loads(bill.to_json()) == as_json
    native = bill.to_dict()
    assert native["total"] == Decimal("1047.00") and native["lines"][0]["sources"][0]["date"] == day(1)
    assert eb.Bill.from_dict(as_json) == bill


def test_money_must_be_decimal_and_months_text() -> None:
    wallet = eb.Wallet("C0")
    with pytest.raises(eb.ValidationError) as float_money:
        wallet.top_up("T1", 10.5, day(1))  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in float_money.value.problems] == [("amount", "decimal")]
    with pytest.raises(eb.ValidationError) as a_datetime:
        wallet.top_up("T1", Decimal(10), dt.datetime(2026, 1, 1, 9))
    assert a_datetime.value.problems[0].field == "date"
    with pytest.raises(eb.ValidationError) as bad_month:
        eb.compute_bill(records(1), "C0", "2026-13")
    assert [(p.field, p.rule) for p in bad_month.value.problems] == [("month", "date")]


def test_bad_records_are_reported_all_at_once_with_their_paths() -> None:
    given = records(1, days=3)
    given["deliveries"][1]["status"] = "LOST"
    given["orders"][0]["items"][0]["unit_price"] = Decimal("-1")
    with pytest.raises(eb.ValidationError) as error:
        eb.compute_bill(given, "C0", "2026-01")
    assert ("deliveries[1].status", "unknown_value") in [(p.field, p.rule) for p in error.value.problems]
    with pytest.raises(eb.ValidationError) as unknown:
        eb.compute_bill({"delivery": []}, "C0", "2026-01")
    assert unknown.value.problems[0].rule == "unknown_value"


def test_a_credit_note_for_something_never_billed_is_refused_with_the_billing_code() -> None:
    given = records(1, days=3)
    given["credits"] = [{"id": "CN1", "customer_id": "C0", "kind": "credit_note", "amount": "10",
                         "date": "2026-01-20", "order_id": "NOPE"}]
    with pytest.raises(eb.ValidationError) as error:
        eb.compute_bill(given, "C0", "2026-01")
    assert error.value.code == "BILLING_INVALID_INPUT"
    assert [p.field for p in error.value.problems] == ["credits[0].order_id"]


def test_the_month_batch_equals_billing_customers_one_by_one() -> None:
    read = eb.BillingInput(records(4))
    assert read.counts()["deliveries"] == 4 * 31
    bills = eb.bill_month(read, "2026-01")
    assert [b.customer_id for b in bills] == ["C0", "C1", "C2", "C3"]
    assert bills == [eb.compute_bill(read, f"C{c}", "2026-01") for c in range(4)]


def test_the_columnar_batch_gives_exactly_the_bills_of_the_dict_batch() -> None:
    given = records(5)
    columns = eb.delivery_columns(given["deliveries"], given["subscriptions"], given["products"])
    assert isinstance(columns["date"], array) and len(columns["customer_ids"]) == 5
    others = {key: value for key, value in given.items() if key != "deliveries"}
    from_columns = eb.bill_month_columns(others, columns, "2026-01")
    from_dicts = eb.bill_month(given, "2026-01")
    assert from_columns == from_dicts
    assert [b.to_dict(mode="json") for b in from_columns] == [b.to_dict(mode="json") for b in from_dicts]


def test_columns_are_checked_like_records() -> None:
    given = records(1, days=2)
    columns = eb.delivery_columns(given["deliveries"], given["subscriptions"], given["products"])
    others = {key: value for key, value in given.items() if key != "deliveries"}
    broken = dict(columns, product=array("q", [0, 9]), delivered=array("q", [1000, -5]))
    with pytest.raises(eb.ValidationError) as error:
        eb.bill_month_columns(others, broken, "2026-01")
    assert [(p.field, p.rule) for p in error.value.problems] == [
        ("deliveries[1].product_id", "unknown_reference"),
        ("deliveries[1].delivered_quantity", "non_negative"),
    ]
    broken = dict(columns, delivered=array("q", [1000, -5]))
    with pytest.raises(eb.ValidationError) as negative:
        eb.bill_month_columns(others, broken, "2026-01")
    assert [p.field for p in negative.value.problems][0] == "deliveries[1].delivered_quantity"
    with pytest.raises(eb.ValidationError) as short:
        eb.bill_month_columns(others, dict(columns, status=array("b", [0])), "2026-01")
    assert [p.field for p in short.value.problems] == ["deliveries.status"]
    with pytest.raises(eb.ValidationError) as floats:
        eb.bill_month_columns(others, dict(columns, date=array("d", [1.0, 2.0])), "2026-01")
    assert [p.field for p in floats.value.problems] == ["deliveries.date"]


def test_finalize_numbers_and_closes_the_month() -> None:
    given = records(2, days=2)
    drafts = eb.bill_month(given, "2026-01")
    series = eb.NumberSeries(2025, 41)
    bills, after = eb.finalize_all(drafts, [], series)
    assert [b.number for b in bills] == ["EB/25-26/000042", "EB/25-26/000043"]
    assert all(b.status == "FINALIZED" for b in bills) and after.last == 43
    assert after.to_dict() == {"financial_year": 2025, "last": 43}
    with pytest.raises(eb.BillingError) as again:
        eb.finalize(bills[0], [], after)
    assert again.value.code == "BILLING_NOT_DRAFT"
    with pytest.raises(eb.BillingError) as closed:
        eb.compute_bill(dict(given, bills=bills), "C0", "2026-01")
    assert closed.value.code == "BILLING_MONTH_CLOSED"
    one, _ = eb.finalize(eb.compute_bill(given, "C0", "2026-01"), [], {"financial_year": 2025, "last": 0})
    assert one.number == "EB/25-26/000001"
    number, nxt = eb.NumberSeries(2025, 57).next(dt.date(2026, 4, 1))
    assert (number, nxt.financial_year, nxt.last) == ("EB/26-27/000001", 2026, 1)
    with pytest.raises(eb.BillingError) as backwards:
        nxt.next(dt.date(2026, 3, 1))
    assert backwards.value.code == "BILLING_NUMBERING_BACKWARDS"


def test_number_settings_a_bill_number_cannot_hold_are_refused() -> None:
    assert eb.billing_config({"number_prefix": "MB"})["number_prefix"] == "MB"
    with pytest.raises(eb.ValidationError) as settings:
        eb.billing_config({"number_prefix": "M B", "number_digits": 11})
    assert [(p.field, p.rule) for p in settings.value.problems] == [
        ("number_prefix", "range"),
        ("number_digits", "range"),
    ]
    with pytest.raises(eb.ValidationError) as numbering:
        eb.NumberSeries(2026).next(dt.date(2026, 4, 1), {"number_digits": 4294967295})
    assert [p.field for p in numbering.value.problems] == ["number_digits"]


def test_payments_are_allocated_oldest_first_and_overpayment_is_credit() -> None:
    given = records(1, days=2)
    january, _ = eb.finalize(eb.compute_bill(given, "C0", "2026-01"), [], eb.NumberSeries(2025))
    assert january.total == Decimal("245.00")  # 2 litres at 28, paneer 180 + 5 % GST
    payments = [{"id": "P1", "customer_id": "C0", "amount": Decimal("100"), "method": "upi", "date": "2026-02-03"}]
    partly = eb.allocate_payments("C0", [january], payments, dt.date(2026, 2, 5))
    assert partly.bills[0]["status"] == "PARTIALLY_PAID" and partly.balance == Decimal("145.00")
    late = eb.allocate_payments("C0", [january], payments, dt.date(2026, 2, 20))
    assert late.bills[0]["status"] == "OVERDUE"
    payments.append({"id": "P2", "customer_id": "C0", "amount": Decimal("200"), "method": "cash", "date": "2026-02-04"})
    paid = eb.allocate_payments("C0", [january], payments, dt.date(2026, 2, 20))
    assert paid.bills[0]["status"] == "PAID"
    assert paid.unallocated == Decimal("55.00") and paid.balance == Decimal("-55.00")
    assert [(a["payment_id"], a["amount"]) for a in paid.allocations] == [("P1", Decimal("100")), ("P2", Decimal("145.00"))]
    february = eb.compute_bill(dict(given, bills=[january], payments=payments), "C0", "2026-02")
    assert february.opening_balance == Decimal("-55.00")


def test_the_wallet_pays_part_of_the_bill_and_never_goes_negative() -> None:
    wallet = eb.Wallet("C0")
    wallet.top_up("T1", Decimal("50"), day(3))
    wallet.grant("G1", Decimal("20"), day(4), day(10))
    assert wallet.balance_on(day(10)) == Decimal("70")
    assert wallet.balance_on(day(11)) == Decimal("50")
    with pytest.raises(eb.BillingError) as too_much:
        wallet.apply("A1", Decimal("80"), day(5), "P-A1")
    assert too_much.value.code == "BILLING_INSUFFICIENT_WALLET"
    assert [m["kind"] for m in wallet.history()] == ["top_up", "promotional", "expired"]
    bill = eb.compute_bill(dict(records(1, days=2), wallet=wallet.to_dict(mode="json")["entries"]), "C0", "2026-01")
    assert bill.wallet_applied == Decimal("50.00") and bill.amount_due == bill.total - Decimal("50")
    assert bill.wallet_payment is not None and bill.wallet_payment.method == "wallet"
    assert eb.Wallet("C0", wallet.to_dict(mode="json")["entries"]).balance_on(day(31)) == Decimal("50")


def test_preview_lists_unconfirmed_days_and_reconciliation_the_missing_rupees() -> None:
    given = records(1, days=3)
    preview = eb.preview_bill(given, "C0", "2026-01")
    assert preview.bill == eb.compute_bill(given, "C0", "2026-01")
    assert [u["date"] for u in preview.unconfirmed] == [day(d) for d in range(4, 32)]
    report = eb.reconcile(given, "2026-01")
    assert report.through == "2026-01"
    # Nothing is finalized: every delivered source is missing, the paneer order included.
    assert report.total_missing == preview.bill.subtotal
    assert {m["source"]["kind"] for m in report.missing} == {"delivery", "order_item"}
    bill, _ = eb.finalize(preview.bill, [], eb.NumberSeries(2025))
    assert eb.reconcile(dict(given, bills=[bill]), "2026-01").total_missing == Decimal("0")


def test_results_are_pydantic_and_fastapi_ready() -> None:
    from pydantic import BaseModel

    class Answer(BaseModel):
        bill: eb.Bill

    bill = eb.compute_bill(records(1, days=2), "C0", "2026-01")
    assert Answer(bill=bill).model_dump(mode="json")["bill"]["total"] == "245.00"


def test_another_thread_runs_while_the_month_is_billed(no_forced_switches: None) -> None:
    # 2,000 customers keep the call busy for about 50 ms: with 400 (7 ms for the whole call)
    # the waiting thread was sometimes not woken in time on a loaded machine.
    read = eb.BillingInput(records(2000))
    bills, during = while_another_thread_runs(lambda: eb.bill_month(read, "2026-01"))
    assert len(bills) == 2000
    assert during > 0, "no other thread ran during bill_month: the GIL was held"


def test_another_coroutine_runs_while_the_month_is_billed(no_forced_switches: None) -> None:
    given = records(400)
    columns = eb.delivery_columns(given["deliveries"], given["subscriptions"], given["products"])
    others = {key: value for key, value in given.items() if key != "deliveries"}

    async def both() -> tuple[list[eb.Bill], list[eb.Bill]]:
        bills = await eb.bill_month_async(eb.BillingInput(given), "2026-01")
        return bills, await eb.bill_month_columns_async(others, columns, "2026-01")

    (bills, from_columns), during = while_another_coroutine_runs(both)
    assert len(bills) == len(from_columns) == 400
    assert during > 0, "the event loop did not run while bill_month_async worked"

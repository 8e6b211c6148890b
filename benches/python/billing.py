"""A synthetic month billed four ways, side by side in one run: a straightforward pure-Python
implementation of rules section 2, the binding from dicts (`bill_month`), the binding's batch
path from columns (`bill_month_columns`), and the Rust core on its own.

Run from the repository root, after `bindings-python/test.sh` (which installs the release
wheel into .venv/):

    .venv/bin/python benches/python/billing.py [customers]      # default 10,000

The month is `earlybird_benches::synthetic::month` (the core billing benchmark's month),
exported by `cargo run --release -p earlybird-benches --bin python_billing_baseline`, which
also times the core's `bill_month` on it. Every path must give the same total per customer
(checked), and the two binding paths the same bills (checked).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import earlybird as eb

PAISE = Decimal("0.01")
BILLABLE = ("DELIVERED", "PARTIALLY_DELIVERED")


def paise(amount: Decimal) -> Decimal:
    return amount.quantize(PAISE, rounding=ROUND_HALF_UP)


def bill_month_python(records: dict[str, Any], month: str) -> dict[str, dict[str, Any]]:
    """Rules 2.1, 2.2, 2.4 and 2.6 as a Python developer would write them: subscription lines
    by (product, unit price, GST rate) with the price in force on the delivery date (or the
    subscription's override), partial deliveries billed for what was delivered, one-time
    order lines by delivery date, GST per rate; every line keeps its sources."""
    products = {p["id"]: p for p in records["products"]}
    subscriptions = {s["id"]: s for s in records["subscriptions"]}

    def price_on(product: dict[str, Any], date: str) -> Decimal:
        best = None
        for p in product["prices"]:
            if p["effective_from"] <= date and (best is None or p["effective_from"] > best["effective_from"]):
                best = p
        assert best is not None, f"no price for {product['id']} on {date}"
        return best["price"]

    def gst_on(product: dict[str, Any], date: str) -> Decimal:
        rates = product.get("gst_rates") or [{"rate": Decimal(product.get("gst_rate", 0))}]
        best = None
        for r in rates:
            since = r.get("effective_from") or ""
            if since <= date and (best is None or since > (best.get("effective_from") or "")):
                best = r
        return best["rate"] if best is not None else Decimal(0)

    groups: dict[str, dict[tuple[str, Decimal, Decimal], list[Any]]] = defaultdict(dict)
    for d in records["deliveries"]:
        if d.get("subscription_id") is None or not d["date"].startswith(month) or d["status"] not in BILLABLE:
            continue
        product = products[d["product_id"]]
        override = subscriptions[d["subscription_id"]].get("price_override")
        price = override if override is not None else price_on(product, d["date"])
        key = (d["product_id"], price, gst_on(product, d["date"]))
        line = groups[d["customer_id"]].get(key)
        if line is None:
            line = groups[d["customer_id"]][key] = [Decimal(0), []]
        line[0] += d["delivered_quantity"]
        line[1].append(d["id"])
    bills: dict[str, dict[str, Any]] = {}
    for customer, lines in groups.items():
        bills[customer] = {"lines": [(k[0], q, k[1], paise(q * k[1]), k[2], ids) for k, (q, ids) in lines.items()]}
    for o in records["orders"]:
        if o["status"] not in BILLABLE or not o["delivery_date"].startswith(month):
            continue
        bill = bills.setdefault(o["customer_id"], {"lines": []})
        for i, item in enumerate(o["items"]):
            delivered = item.get("delivered_quantity") or Decimal(0)
            if delivered > 0:
                rate = gst_on(products[item["product_id"]], o["delivery_date"])
                amount = paise(delivered * item["unit_price"])
                bill["lines"].append((item["product_id"], delivered, item["unit_price"], amount, rate, [(o["id"], i)]))
    for bill in bills.values():
        taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
        for line in bill["lines"]:
            taxable[line[4]] += line[3]
        bill["subtotal"] = sum(taxable.values(), Decimal(0))
        bill["tax"] = sum((paise(amount * rate / 100) for rate, amount in taxable.items()), Decimal(0))
        bill["total"] = paise(bill["subtotal"] + bill["tax"])
    return bills


DECIMAL_FIELDS = {"quantity", "ordered_quantity", "delivered_quantity", "price", "unit_price", "rate", "price_override"}


def as_mongodb(value: Any, key: str = "") -> Any:
    """The exported JSON as pymongo hands documents over: money and quantities `Decimal`."""
    if isinstance(value, dict):
        return {k: as_mongodb(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [as_mongodb(v, key) for v in value]
    if key in DECIMAL_FIELDS and isinstance(value, str):
        return Decimal(value)
    return value


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best of `repeat` runs by wall time: (wall seconds, CPU seconds of the process, result)."""
    best = (float("inf"), float("inf"), None)
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = run()
        took = (time.perf_counter() - wall, time.process_time() - cpu, result)
        if took[0] < best[0]:
            best = took
    return best


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        export = os.path.join(tmp, "month.json")
        core = json.loads(
            subprocess.run(
                ["cargo", "run", "-q", "--release", "-p", "earlybird-benches", "--bin", "python_billing_baseline",
                 "--", str(customers), export],
                check=True, capture_output=True, text=True,
            ).stdout
        )
        with open(export) as f:
            records = as_mongodb(json.load(f))
    month = core["month"]
    n = len(records["deliveries"])
    assert n == core["records"]
    others = {k: records[k] for k in ("products", "subscriptions", "orders")}
    started = time.perf_counter()
    columns = eb.delivery_columns(records["deliveries"], records["subscriptions"], records["products"])
    columns_built = time.perf_counter() - started

    python_wall, python_cpu, python_bills = timed(lambda: bill_month_python(records, month), 2)
    dicts_wall, dicts_cpu, dict_bills = timed(lambda: eb.bill_month(records, month), 3)
    started = time.perf_counter()
    tables = eb.BillingInput(others)
    tables_read = time.perf_counter() - started
    cols_wall, cols_cpu, col_bills = timed(lambda: eb.bill_month_columns(tables, columns, month), 3)
    with_dicts_wall, with_dicts_cpu, with_dicts_bills = timed(lambda: eb.bill_month_columns(others, columns, month), 3)
    assert with_dicts_bills == col_bills
    small = eb.NumberSeries(2026, 122)
    day = __import__("datetime").date(2027, 2, 1)
    calls = 100_000
    call_wall, call_cpu, _ = timed(lambda: [small.next(day) for _ in range(calls)], 3)

    assert col_bills == dict_bills, "the batch path differs from bill_month"
    core_totals = {b.customer_id: b.total for b in dict_bills}
    python_totals = {c: b["total"] for c, b in python_bills.items()}
    assert python_totals == core_totals, "the pure-Python bills differ from the core's"
    assert str(sum(core_totals.values(), Decimal(0))) == core["total"]

    core_wall, core_cpu = core["wall_ns"] / 1e9, core["cpu_ns"] / 1e9
    rows = [
        ("pure Python (Decimal, rules 2.1/2.2/2.4/2.6)", python_wall, python_cpu),
        ("binding, bill_month(dicts)", dicts_wall, dicts_cpu),
        ("binding, bill_month_columns(tables read once, columns)", cols_wall, cols_cpu),
        ("binding, bill_month_columns(table dicts, columns)", with_dicts_wall, with_dicts_cpu),
        ("Rust core, bill_month", core_wall, core_cpu),
    ]
    print(f"Python {platform.python_version()}, earlybird {eb.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, core threads {core['threads']}")
    print(f"{customers:,} customers, {n:,} delivery records, {core['orders']:,} one-time orders, "
          f"{len(dict_bills):,} bills, total Rs {core['total']} (all four paths agree per customer)")
    print("| path | wall (ms) | records/s wall | CPU (ms) | records/s per core (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for name, wall, cpu in rows:
        print(f"| {name} | {wall * 1e3:,.0f} | {n / wall / 1e6:.2f} M | {cpu * 1e3:,.0f} | {n / cpu / 1e6:.2f} M |")
    print()
    print(f"- batch path vs pure Python: {python_wall / cols_wall:.1f}x wall, {python_cpu / cols_cpu:.1f}x CPU")
    print(f"- batch path vs core: {cols_wall / core_wall:.2f}x the core's wall time, {cols_cpu / core_cpu:.2f}x its CPU")
    print(f"- dicts vs pure Python: {python_wall / dicts_wall:.1f}x wall; dicts vs core: {dicts_wall / core_wall:.1f}x wall")
    print(f"- reading the small tables once (BillingInput of products, subscriptions, orders dicts; not in the rows): "
          f"{tables_read * 1e3:,.0f} ms")
    print(f"- building the columns from the dicts in Python (delivery_columns, not in the rows): {columns_built * 1e3:,.0f} ms")
    print(f"- per call of a small billing function (NumberSeries.next, date in, (str, NumberSeries) out): "
          f"{call_cpu / calls * 1e6:.2f} us CPU, {call_wall / calls * 1e6:.2f} us wall")


if __name__ == "__main__":
    main()

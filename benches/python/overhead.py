"""Per-call cost of the Python binding next to the core's own cost of the same calls.

Run from the repository root, after `bindings-python/test.sh` (which installs the release
wheel into .venv/):

    .venv/bin/python benches/python/overhead.py

It runs the Rust baseline (`cargo run --release -p earlybird-benches --bin python_baseline`)
on the same inputs and prints both, with the overhead the binding adds per call.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import sys
import timeit
from decimal import Decimal
from typing import Any, Callable

import earlybird as eb

PHONE = "098765 43210"
ORDER: dict[str, Any] = {
    "id": "ORD_1",
    "customer_id": "CUST_001",
    "items": [
        {"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.50")},
        {"product_id": "CURD_400G", "quantity": 1, "unit_price": Decimal("45")},
    ],
    "delivery_date": "2026-01-15",
    "status": "DELIVERED",
    "created_at": "2026-01-14T16:45:00Z",
}
ORDER_JSON = json.dumps(ORDER, default=str)
AT = dt.datetime(2026, 1, 15, 1, 10, tzinfo=dt.timezone.utc)
AT_IN_INDIA = AT.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
# The same order as pymongo hands it over: `created_at` a naive datetime (UTC).
ORDER_WITH_DATETIME = dict(ORDER, created_at=dt.datetime(2026, 1, 14, 16, 45))


def per_call_ns(function: Callable[[], object], calls: int) -> float:
    """Best of five runs, nanoseconds per call."""
    return min(timeit.repeat(function, number=calls, repeat=5)) / calls * 1e9


def main() -> None:
    core = json.loads(
        subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "earlybird-benches", "--bin", "python_baseline",
             "--", ORDER_JSON, PHONE],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    order = eb.Order.from_document(ORDER)
    batch = [ORDER] * 1000
    rows = [
        ("normalize_phone(str)", per_call_ns(lambda: eb.normalize_phone(PHONE), 200_000), core["normalize_phone"]),
        ("Order.from_document(dict with Decimals)", per_call_ns(lambda: eb.Order.from_document(ORDER), 20_000),
         core["order_from_document"]),
        ("Order.from_json(str)", per_call_ns(lambda: eb.Order.from_json(ORDER_JSON), 20_000),
         core["order_from_json"]),
        ("parse_many('order', 1000 dicts), per order", per_call_ns(lambda: eb.parse_many("order", batch), 20) / 1000,
         core["order_from_document"]),
        ("Actor(str, datetime in UTC)", per_call_ns(lambda: eb.Actor("DB_7", AT), 200_000), core["actor_new"]),
        ("Actor(str, datetime at +05:30)", per_call_ns(lambda: eb.Actor("DB_7", AT_IN_INDIA), 200_000),
         core["actor_new"]),
        ("Order.from_document(dict with a naive datetime)",
         per_call_ns(lambda: eb.Order.from_document(ORDER_WITH_DATETIME), 20_000), core["order_from_document"]),
        ("order.to_dict() (native values)", per_call_ns(order.to_dict, 20_000), core["order_to_json_value"]),
        ("order.to_dict(mode='json')", per_call_ns(lambda: order.to_dict(mode="json"), 20_000),
         core["order_to_json_value"]),
    ]
    print(f"Python {platform.python_version()} ({sys.implementation.name}), earlybird {eb.__version__}")
    print(f"| call | Python binding (µs) | core in Rust (µs) | overhead (µs) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, binding, rust in rows:
        print(f"| `{name}` | {binding / 1000:.2f} | {rust / 1000:.2f} | {(binding - rust) / 1000:.2f} | {binding / rust:.1f}x |")


if __name__ == "__main__":
    main()

"""The GIL is released while the core works on a batch, and the awaitable variant lets the
event loop run meanwhile.

Both tests set a very long switch interval: the interpreter then never takes the GIL away
from the calling thread by itself, so the other thread (or coroutine) can only advance while
the native call has detached from the interpreter.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb
from conftest import while_another_coroutine_runs, while_another_thread_runs

BATCH = 5_000


def documents() -> list[dict[str, Any]]:
    return [
        {
            "id": f"ORD_{i}",
            "customer_id": f"CUST_{i % 97}",
            "items": [
                {"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.50")},
                {"product_id": "CURD_400G", "quantity": "1", "unit_price": "45"},
            ],
            "delivery_date": "2026-01-15",
            "status": "DELIVERED",
        }
        for i in range(BATCH)
    ]


def test_another_thread_runs_while_parse_many_works(no_forced_switches: None) -> None:
    docs = documents()
    orders, during = while_another_thread_runs(lambda: eb.parse_many("order", docs))
    assert len(orders) == BATCH
    assert during > 0, "no other thread ran during parse_many: the GIL was held"


def test_another_coroutine_runs_while_parse_many_async_works(no_forced_switches: None) -> None:
    docs = documents()

    orders, during = while_another_coroutine_runs(lambda: eb.parse_many_async("order", docs))
    assert len(orders) == BATCH
    assert during > 0, "the event loop did not run while parse_many_async worked"

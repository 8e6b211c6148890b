"""The GIL is released while the core works on a batch, and the awaitable variant lets the
event loop run meanwhile.

Both tests set a very long switch interval: the interpreter then never takes the GIL away
from the calling thread by itself, so the other thread (or coroutine) can only advance while
the native call has detached from the interpreter.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb

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


@pytest.fixture
def no_forced_switches() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_another_thread_runs_while_parse_many_works(no_forced_switches: None) -> None:
    docs = documents()
    ticks = 0
    started = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1
            time.sleep(0)  # releases the GIL, then queues for it again

    worker = threading.Thread(target=spin)
    worker.start()
    started.wait()
    before = ticks
    orders = eb.parse_many("order", docs)
    during = ticks - before
    stop.set()
    worker.join()
    assert len(orders) == BATCH
    assert during > 0, "no other thread ran during parse_many: the GIL was held"


def test_another_coroutine_runs_while_parse_many_async_works(no_forced_switches: None) -> None:
    docs = documents()

    async def main() -> tuple[int, int]:
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        before = ticks
        orders = await eb.parse_many_async("order", docs)
        during = ticks - before
        done = True
        await task
        return len(orders), during

    count, during = asyncio.run(main())
    assert count == BATCH
    assert during > 0, "the event loop did not run while parse_many_async worked"

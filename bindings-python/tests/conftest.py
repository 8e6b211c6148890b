"""Shared helpers of the Python binding's tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

CASES_DIR = Path(__file__).resolve().parents[2] / "tests" / "cases"
REPLAYED: list[str] = []


def canonical(value: Any) -> Any:
    """A native result in the core's canonical JSON form: decimals as their exact fixed-point
    text (scale kept), dates ISO, instants RFC 3339 UTC as chrono writes them."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.timezone.utc)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        if utc.microsecond % 1000 == 0 and utc.microsecond:
            text += f".{utc.microsecond // 1000:03d}"
        elif utc.microsecond:
            text += f".{utc.microsecond:06d}"
        return text + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    return value


def load_document(text: str) -> Any:
    """JSON as pymongo would hand it over: numbers with a fraction as exact `Decimal`."""
    return json.loads(text, parse_float=Decimal)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPLAYED:
        terminalreporter.write_line(f"{len(REPLAYED)} shared cases replayed through the Python API")


@pytest.fixture
def utc_actor() -> Any:
    import earlybird

    return earlybird.Actor("DB_7", dt.datetime(2026, 1, 15, 1, 10, tzinfo=dt.timezone.utc))


@pytest.fixture
def no_forced_switches() -> Iterator[None]:
    """A very long switch interval: the interpreter then never takes the GIL away from the
    calling thread by itself, so another thread (or coroutine) can only advance while a native
    call has detached from the interpreter."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def while_another_thread_runs(call: Callable[[], T]) -> tuple[T, int]:
    """`call()`'s result and how often another thread advanced meanwhile: 0 when the call held
    the GIL throughout (with `no_forced_switches`)."""
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
    try:
        before = ticks
        result = call()
        return result, ticks - before
    finally:
        stop.set()
        worker.join()


def while_another_coroutine_runs(work: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    """The result of awaiting `work()` and how often another coroutine ran meanwhile: 0 when the
    awaitable blocked the event loop."""

    async def main() -> tuple[T, int]:
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        try:
            before = ticks
            result = await work()
            return result, ticks - before
        finally:
            done = True
            await task

    return asyncio.run(main())

"""Shared helpers of the Python binding's tests."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

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

"""Billing from Python: the awaitable batch calls and the columnar layout of delivery records.

The functions and classes themselves come from the native module (``compute_bill``,
``preview_bill``, ``bill_month``, ``bill_month_columns``, ``reconcile``, ``finalize``,
``finalize_all``, ``allocate_payments``, ``Bill``, ``NumberSeries``, ``Wallet``...) and are
re-exported by ``earlybird``. This module adds:

- :func:`bill_month_async` and :func:`bill_month_columns_async` for ``async def`` endpoints;
- :func:`delivery_columns`, which builds the columns of ``bill_month_columns`` from delivery
  documents (for tests and small jobs: a large job builds them straight from its query, e.g.
  NumPy arrays, without one Python dict per record).
"""

from __future__ import annotations

import asyncio
import datetime
from array import array
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from earlybird._earlybird import Bill, BillingInput, bill_month, bill_month_columns

DELIVERY_STATUS_CODES = {"DELIVERED": 0, "PARTIALLY_DELIVERED": 1, "NOT_DELIVERED": 2}
"""The codes of the ``status`` column."""

_EPOCH = datetime.date(1970, 1, 1)

Records = BillingInput | Mapping[str, Any]


async def bill_month_async(records: Records, month: str, config: Mapping[str, Any] | None = None) -> list[Bill]:
    """:func:`bill_month` in a worker thread: the core bills without the GIL, so the event loop
    keeps serving meanwhile."""
    return await asyncio.to_thread(bill_month, records, month, config)


async def bill_month_columns_async(
    records: Records, deliveries: Mapping[str, Any], month: str, config: Mapping[str, Any] | None = None
) -> list[Bill]:
    """:func:`bill_month_columns` in a worker thread (the core reads the columns and bills
    without the GIL)."""
    return await asyncio.to_thread(bill_month_columns, records, deliveries, month, config)


def _thousandths(value: Any, field: str) -> int:
    quantity = Decimal(value) if isinstance(value, (str, int)) else value
    if not isinstance(quantity, Decimal):
        raise TypeError(f"{field} must be decimal.Decimal, not {type(value).__name__}")
    scaled = quantity * 1000
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{field} has more than 3 decimal places: {value}")
    return int(scaled)


def delivery_columns(
    deliveries: Iterable[Mapping[str, Any]],
    subscriptions: Sequence[Mapping[str, Any]],
    products: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The columns of ``bill_month_columns`` for subscription delivery documents.

    ``subscriptions`` and ``products`` are the lists passed as ``records`` (the columns hold
    indexes into them). Documents with an ``order_id`` are left out: billing reads one-time
    orders from their items, never from their delivery records."""
    subscription_index = {s["id"]: i for i, s in enumerate(subscriptions)}
    product_index = {p["id"]: i for i, p in enumerate(products)}
    customer_index: dict[str, int] = {}
    ids = bytearray()
    offsets = array("q", [0])
    columns = {name: array("q") for name in ("customer", "subscription", "product", "date", "ordered", "delivered")}
    status = array("b")
    for d in deliveries:
        if d.get("subscription_id") is None:
            continue
        ids += str(d["id"]).encode()
        offsets.append(len(ids))
        columns["customer"].append(customer_index.setdefault(d["customer_id"], len(customer_index)))
        columns["subscription"].append(subscription_index[d["subscription_id"]])
        columns["product"].append(product_index[d["product_id"]])
        day = d["date"] if isinstance(d["date"], datetime.date) else datetime.date.fromisoformat(d["date"])
        columns["date"].append((day - _EPOCH).days)
        columns["ordered"].append(_thousandths(d["ordered_quantity"], "ordered_quantity"))
        columns["delivered"].append(_thousandths(d["delivered_quantity"], "delivered_quantity"))
        status.append(DELIVERY_STATUS_CODES[str(d["status"]).upper()])
    return {
        "id_data": bytes(ids),
        "id_offsets": offsets,
        "customer_ids": list(customer_index),
        "status": status,
        **columns,
    }


__all__ = [
    "DELIVERY_STATUS_CODES",
    "bill_month_async",
    "bill_month_columns_async",
    "delivery_columns",
]

"""EarlyBird's business rules for Python, from the Rust core ``earlybird``.

Everything public comes from the native module ``earlybird._earlybird``; this package adds the
literal types of the canonical strings and the awaitable variants of the batch calls.

Types at the boundary: money and quantities are ``decimal.Decimal`` (a ``float`` argument is
refused), calendar dates ``datetime.date``, instants time-zone-aware ``datetime.datetime`` in
UTC, statuses their canonical strings. Documents are the MongoDB dicts as they are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from earlybird._earlybird import (
    ActivationError,
    Actor,
    AuditRecord,
    BillingError,
    ChurnError,
    ConflictingConfirmationError,
    CorrectionToNothingError,
    Customer,
    Dataset,
    DatedPrice,
    DatedRate,
    DeliveryOutcome,
    DeliveryRecord,
    DueDelivery,
    EarlybirdError,
    FieldProblem,
    InternalError,
    InvalidTransitionError,
    LifecycleError,
    LoyaltyError,
    NotConfirmedError,
    NotFoundError,
    NothingToCorrectError,
    Order,
    OrderCancelledError,
    OrderItem,
    OrderOutcome,
    Pause,
    Payment,
    Product,
    Schedule,
    StoreError,
    Subscription,
    ValidationError,
    __version__,
    cancel,
    confirm_delivery,
    correct_delivery,
    correct_recorded_delivery,
    dispatch,
    due_between,
    normalize_phone,
    parse,
    parse_many,
    record_delivery,
    valid_email,
)

RecordKind = Literal["customer", "product", "subscription", "order", "delivery", "payment"]
"""The ``kind`` argument of :func:`parse` and :func:`parse_many`."""
OrderStatus = Literal["PENDING", "OUT_FOR_DELIVERY", "DELIVERED", "PARTIALLY_DELIVERED", "CANCELLED"]
DeliveryStatus = Literal["DELIVERED", "PARTIALLY_DELIVERED", "NOT_DELIVERED"]
SubscriptionStatus = Literal["active", "cancelled"]
PaymentMethod = Literal["upi", "cash", "card", "netbanking", "wallet"]
Effect = Literal["changed", "unchanged", "delivery_failed"]
Record = Customer | Product | Subscription | Order | DeliveryRecord | Payment
Document = Mapping[str, Any]


async def parse_many_async(kind: RecordKind, documents: Iterable[Document]) -> list[Record]:
    """:func:`parse_many` for ``async def`` endpoints: runs in a worker thread, and the core
    reads the documents without holding the GIL, so the event loop keeps serving meanwhile."""
    return await asyncio.to_thread(parse_many, kind, documents)


__all__ = [
    "ActivationError",
    "Actor",
    "BillingError",
    "ChurnError",
    "AuditRecord",
    "ConflictingConfirmationError",
    "CorrectionToNothingError",
    "Customer",
    "Dataset",
    "DatedPrice",
    "DatedRate",
    "DeliveryOutcome",
    "DeliveryRecord",
    "DeliveryStatus",
    "Document",
    "DueDelivery",
    "EarlybirdError",
    "Effect",
    "FieldProblem",
    "InternalError",
    "InvalidTransitionError",
    "LifecycleError",
    "LoyaltyError",
    "NotConfirmedError",
    "NotFoundError",
    "NothingToCorrectError",
    "Order",
    "OrderCancelledError",
    "OrderItem",
    "OrderOutcome",
    "OrderStatus",
    "Pause",
    "Payment",
    "PaymentMethod",
    "Product",
    "Record",
    "RecordKind",
    "Schedule",
    "Subscription",
    "SubscriptionStatus",
    "StoreError",
    "ValidationError",
    "__version__",
    "cancel",
    "confirm_delivery",
    "correct_delivery",
    "correct_recorded_delivery",
    "dispatch",
    "due_between",
    "normalize_phone",
    "parse",
    "parse_many",
    "parse_many_async",
    "record_delivery",
    "valid_email",
]

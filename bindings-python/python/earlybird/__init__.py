"""EarlyBird's business rules for Python, from the Rust core ``earlybird``.

Everything public comes from the native module ``earlybird._earlybird``; this package adds the
literal types of the canonical strings and the awaitable variants of the batch calls.

Types at the boundary: money and quantities are ``decimal.Decimal`` (a ``float`` argument is
refused), calendar dates ``datetime.date``, instants time-zone-aware ``datetime.datetime`` in
UTC, statuses their canonical strings. Documents are the MongoDB dicts as they are.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from earlybird._earlybird import (
    ActivationEvent,
    Transition,
    Recorded,
    RecordedDates,
    NotificationIntent,
    SweptTransition,
    FunnelStep,
    ActivationMetrics,
    CohortRow,
    CohortTable,
    CustomerActivation,
    ActivationBase,
    activation_config,
    backfill,
    backfill_events,
    cohort_retention,
    ChurnInput,
    Contribution,
    ChurnScore,
    RankedCustomer,
    FittedWeights,
    ChurnEngine,
    churn_config,
    fit_weights,
)
from earlybird._earlybird import (
    ActivationError,
    AboveCapError,
    BelowMinimumError,
    InsufficientPointsError,
    BadgeProgress,
    MemberSummary,
    Program,
    Redemption,
    ReviewNotDeliveredError,
    Store,
    TierProgress,
    StoreConflictError,
    UnknownMemberError,
    UnknownPaymentError,
    check_problem,
    loyalty_config,
    nearest_neighbour_plan,
    preview_redemption,
    render_svg,
    solve,
    validate_plan,
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

from earlybird._earlybird import (
    Bill,
    BillingInput,
    BillPreview,
    NumberSeries,
    ReconciliationReport,
    Statement,
    Wallet,
    allocate_payments,
    bill_month,
    bill_month_columns,
    billing_config,
    compute_bill,
    finalize,
    finalize_all,
    preview_bill,
    reconcile,
)
from earlybird.billing import bill_month_async, bill_month_columns_async, delivery_columns

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


async def solve_async(problem: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`solve` for ``async def`` endpoints: the core searches in a worker thread without
    the GIL, so the event loop keeps serving meanwhile."""
    return await asyncio.to_thread(solve, problem)


async def leaderboards_async(
    program: Program, now: datetime.datetime, top: int | None = None
) -> dict[str, Any]:
    """``program.leaderboards(now, top)`` in a worker thread (built without the GIL). Do not
    change ``program`` until it is done: a concurrent change raises ``RuntimeError``."""
    return await asyncio.to_thread(program.leaderboards, now, top)


ActivationState = Literal["NEW", "ONBOARDED", "ACTIVE", "ENGAGED", "INACTIVE", "CHURNED"]
RiskBand = Literal["low", "medium", "high"]
Granularity = Literal["week", "month"]


async def sweep_async(base: ActivationBase, now: datetime.datetime) -> list[SweptTransition]:
    """``base.sweep(now)`` in a worker thread (the core sweeps without the GIL), so the event
    loop keeps serving. Do not use ``base`` until it is done: a concurrent call raises
    ``RuntimeError``."""
    return await asyncio.to_thread(base.sweep, now)


async def rank_async(
    engine: ChurnEngine, customers: Iterable[ChurnInput | Mapping[str, Any]], now: datetime.date
) -> list[RankedCustomer]:
    """``engine.rank(customers, now)`` in a worker thread (the core reads and scores without
    the GIL), so the event loop keeps serving."""
    return await asyncio.to_thread(engine.rank, customers, now)


_Quantity = Decimal | int


class AsyncStore:
    """The awaitable face of a :class:`Store` for ``async def`` endpoints: every call runs in a
    worker thread, and the binding waits on the store with the GIL released, so the event loop
    keeps serving. ``AsyncStore(store)`` shares the store (and its connections)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def _run(self, call: Any, *args: Any) -> Any:
        return await asyncio.to_thread(call, *args)

    async def register_customer(self, customer: Customer | Document, actor: Actor) -> tuple[Effect, Customer]:
        result: tuple[Effect, Customer] = await self._run(self.store.register_customer, customer, actor)
        return result

    async def place_order(self, order: Order | Document, actor: Actor) -> tuple[Effect, Order]:
        result: tuple[Effect, Order] = await self._run(self.store.place_order, order, actor)
        return result

    async def dispatch_order(self, order_id: str, actor: Actor) -> OrderOutcome:
        result: OrderOutcome = await self._run(self.store.dispatch_order, order_id, actor)
        return result

    async def cancel_order(self, order_id: str, actor: Actor) -> OrderOutcome:
        result: OrderOutcome = await self._run(self.store.cancel_order, order_id, actor)
        return result

    async def confirm_delivery(
        self, order_id: str, delivered: Sequence[_Quantity], actor: Actor, reason: str | None = None
    ) -> OrderOutcome:
        result: OrderOutcome = await self._run(self.store.confirm_delivery, order_id, delivered, actor, reason)
        return result

    async def correct_delivery(
        self, order_id: str, delivered: Sequence[_Quantity], actor: Actor, reason: str
    ) -> OrderOutcome:
        result: OrderOutcome = await self._run(self.store.correct_delivery, order_id, delivered, actor, reason)
        return result

    async def record_payment(self, payment: Payment | Document, actor: Actor) -> tuple[Effect, Payment]:
        result: tuple[Effect, Payment] = await self._run(self.store.record_payment, payment, actor)
        return result

    async def record_wallet_entry(self, entry: Document, actor: Actor) -> tuple[Effect, dict[str, Any]]:
        result: tuple[Effect, dict[str, Any]] = await self._run(self.store.record_wallet_entry, entry, actor)
        return result

    async def wallet(self, customer_id: str) -> Wallet:
        result: Wallet = await self._run(self.store.wallet, customer_id)
        return result

    async def finalize_month(self, month: str, actor: Actor) -> list[Bill]:
        result: list[Bill] = await self._run(self.store.finalize_month, month, actor)
        return result

    async def bills_of(self, customer_id: str) -> list[Bill]:
        result: list[Bill] = await self._run(self.store.bills_of, customer_id)
        return result

    async def redeem_points(
        self, customer_id: str, points: int, bill_charges: Decimal | int, key: str, now: datetime.datetime
    ) -> Redemption:
        result: Redemption = await self._run(self.store.redeem_points, customer_id, points, bill_charges, key, now)
        return result

    async def loyalty_summary(self, customer_id: str, now: datetime.datetime) -> MemberSummary | None:
        result: MemberSummary | None = await self._run(self.store.loyalty_summary, customer_id, now)
        return result

    async def run_daily_sweep(self, now: datetime.datetime) -> list[SweptTransition]:
        result: list[SweptTransition] = await self._run(self.store.run_daily_sweep, now)
        return result

    async def activation_state(self, customer_id: str) -> ActivationState | None:
        result: ActivationState | None = await self._run(self.store.activation_state, customer_id)
        return result

    async def import_export(
        self, export: Mapping[str, Any], mode: Literal["all_or_nothing", "skip_rejected"], actor: Actor
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._run(self.store.import_export, export, mode, actor)
        return result

    async def claim_intents(
        self, claimant: str, limit: int, now: datetime.datetime, lease_seconds: int = 60
    ) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._run(self.store.claim_intents, claimant, limit, now, lease_seconds)
        return result

    async def mark_sent(self, claimant: str, seqs: Sequence[int]) -> int:
        result: int = await self._run(self.store.mark_sent, claimant, list(seqs))
        return result

    async def customer(self, id: str) -> Customer | None:
        result: Customer | None = await self._run(self.store.customer, id)
        return result

    async def customers(self) -> list[Customer]:
        result: list[Customer] = await self._run(self.store.customers)
        return result

    async def product(self, id: str) -> Product | None:
        result: Product | None = await self._run(self.store.product, id)
        return result

    async def products(self) -> list[Product]:
        result: list[Product] = await self._run(self.store.products)
        return result

    async def subscription(self, id: str) -> Subscription | None:
        result: Subscription | None = await self._run(self.store.subscription, id)
        return result

    async def subscriptions_of(self, customer_id: str) -> list[Subscription]:
        result: list[Subscription] = await self._run(self.store.subscriptions_of, customer_id)
        return result

    async def order(self, id: str) -> Order | None:
        result: Order | None = await self._run(self.store.order, id)
        return result

    async def orders_of(self, customer_id: str) -> list[Order]:
        result: list[Order] = await self._run(self.store.orders_of, customer_id)
        return result

    async def orders_between(self, from_date: datetime.date, to_date: datetime.date) -> list[Order]:
        result: list[Order] = await self._run(self.store.orders_between, from_date, to_date)
        return result

    async def delivery(self, id: str) -> DeliveryRecord | None:
        result: DeliveryRecord | None = await self._run(self.store.delivery, id)
        return result

    async def deliveries_of(self, customer_id: str) -> list[DeliveryRecord]:
        result: list[DeliveryRecord] = await self._run(self.store.deliveries_of, customer_id)
        return result

    async def deliveries_between(self, from_date: datetime.date, to_date: datetime.date) -> list[DeliveryRecord]:
        result: list[DeliveryRecord] = await self._run(self.store.deliveries_between, from_date, to_date)
        return result

    async def payment(self, id: str) -> Payment | None:
        result: Payment | None = await self._run(self.store.payment, id)
        return result

    async def payments_of(self, customer_id: str) -> list[Payment]:
        result: list[Payment] = await self._run(self.store.payments_of, customer_id)
        return result

    async def audit_trail(self, entity: str, entity_id: str) -> list[AuditRecord]:
        result: list[AuditRecord] = await self._run(self.store.audit_trail, entity, entity_id)
        return result


__all__ = [
    "ActivationEvent",
    "Transition",
    "Recorded",
    "RecordedDates",
    "NotificationIntent",
    "SweptTransition",
    "FunnelStep",
    "ActivationMetrics",
    "CohortRow",
    "CohortTable",
    "CustomerActivation",
    "ActivationBase",
    "activation_config",
    "backfill",
    "backfill_events",
    "cohort_retention",
    "ChurnInput",
    "Contribution",
    "ChurnScore",
    "RankedCustomer",
    "FittedWeights",
    "ChurnEngine",
    "churn_config",
    "fit_weights",
    "sweep_async",
    "rank_async",
    "ActivationState",
    "RiskBand",
    "Granularity",
    "ActivationError",
    "AboveCapError",
    "BelowMinimumError",
    "InsufficientPointsError",
    "BadgeProgress",
    "MemberSummary",
    "Program",
    "Redemption",
    "TierProgress",
    "ReviewNotDeliveredError",
    "Store",
    "StoreConflictError",
    "UnknownMemberError",
    "UnknownPaymentError",
    "check_problem",
    "loyalty_config",
    "nearest_neighbour_plan",
    "preview_redemption",
    "render_svg",
    "solve",
    "validate_plan",
    "AsyncStore",
    "solve_async",
    "leaderboards_async",
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

__all__ += [
    "Bill",
    "BillingInput",
    "BillPreview",
    "NumberSeries",
    "ReconciliationReport",
    "Statement",
    "Wallet",
    "allocate_payments",
    "bill_month",
    "bill_month_async",
    "bill_month_columns",
    "bill_month_columns_async",
    "billing_config",
    "compute_bill",
    "delivery_columns",
    "finalize",
    "finalize_all",
    "preview_bill",
    "reconcile",
]

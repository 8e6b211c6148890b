"""A FastAPI app confirming order deliveries with earlybird.

Run it with ``uvicorn docs.examples.fastapi_app:app``; its test is
``bindings-python/tests/test_fastapi_example.py``. A dict stands in for the MongoDB collection
``orders``: pymongo hands documents over as exactly such dicts, and earlybird reads them as they
are. earlybird's classes are Pydantic types: an endpoint returns them as they are and FastAPI
writes their canonical JSON (decimals as exact strings), never floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import earlybird as eb

ORDERS: dict[str, dict[str, Any]] = {}
"""The `orders` collection: order id -> document."""

app = FastAPI(title="EarlyBird orders")


class Confirmation(BaseModel):
    """What the delivery person's app sends: one delivered quantity per item of the order."""

    delivered: list[Decimal]
    delivery_boy_id: str
    reason: str | None = None


@app.exception_handler(eb.ValidationError)
async def invalid_input(_: Request, error: eb.ValidationError) -> JSONResponse:
    problems = [problem.to_dict() for problem in error.problems]
    return JSONResponse(status_code=422, content={"code": error.code, "problems": problems})


@app.exception_handler(eb.LifecycleError)
async def refused(_: Request, error: eb.LifecycleError) -> JSONResponse:
    return JSONResponse(status_code=409, content={"code": error.code, "message": str(error)})


@app.post("/orders/{order_id}/confirm")
def confirm_delivery(order_id: str, body: Confirmation) -> eb.OrderOutcome:
    """Confirms what was delivered; stores the new order, its delivery records and audit."""
    document = ORDERS.get(order_id)
    if document is None:
        raise HTTPException(status_code=404, detail=f"no order {order_id}")
    actor = eb.Actor(body.delivery_boy_id, dt.datetime.now(dt.timezone.utc))
    outcome = eb.confirm_delivery(document, body.delivered, actor, reason=body.reason)
    if outcome.effect == "changed":
        # Decimal strings keep the exact figures and the core reads them back unchanged.
        ORDERS[order_id] = outcome.order.to_dict(mode="json")
    return outcome


@app.get("/orders/{order_id}")
def read_order(order_id: str) -> eb.Order:
    """The order as the core reads it (statuses in canonical case, exact decimals)."""
    document = ORDERS.get(order_id)
    if document is None:
        raise HTTPException(status_code=404, detail=f"no order {order_id}")
    return eb.Order.from_document(document)


class Dispatch(BaseModel):
    """An order given in full in the request, read and checked by the core as a field."""

    order: eb.Order
    by: str


@app.post("/dispatch")
def dispatch(body: Dispatch) -> eb.OrderOutcome:
    return eb.dispatch(body.order, eb.Actor(body.by, dt.datetime.now(dt.timezone.utc)))


@app.post("/orders/import")
async def import_orders(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Checks a batch of order documents (all problems at once) without blocking the loop."""
    orders = await eb.parse_many_async("order", documents)
    for order in orders:
        ORDERS[order.id] = order.to_dict(mode="json")
    return {"imported": len(orders)}


PROGRAM = eb.Program()
"""The loyalty programme, fed with the business's events (payments, deliveries, referrals)."""


@app.exception_handler(eb.LoyaltyError)
async def loyalty_refused(_: Request, error: eb.LoyaltyError) -> JSONResponse:
    return JSONResponse(status_code=409, content={"code": error.code, "message": str(error)})


@app.post("/loyalty/events")
def loyalty_event(event: dict[str, Any]) -> dict[str, Any]:
    """Applies one `LoyaltyEvent` (JSON as the core defines it, tagged by `type`)."""
    return PROGRAM.apply(event)


@app.get("/loyalty/{customer_id}/summary")
def loyalty_summary(customer_id: str) -> dict[str, Any]:
    """Balance, available points, tier progress and badges; points int, rupees exact strings."""
    summary = PROGRAM.summary(customer_id, dt.datetime.now(dt.timezone.utc))
    if summary is None:
        raise HTTPException(status_code=404, detail=f"no loyalty account for {customer_id}")
    return summary


STORE = eb.AsyncStore(eb.Store.memory())
"""The store-backed service (in production `eb.Store.sqlite(path)` or `eb.Store.postgres(url)`,
opened once per process): registrations, payments and redemptions go through it, so points
are earned on the payments it records and a redemption reaches the month's bill as a credit."""


class Redeem(BaseModel):
    """Points to redeem against a bill: its charges (subtotal + tax) and its number as the key."""

    points: int
    bill_charges: Decimal
    key: str


@app.exception_handler(eb.StoreConflictError)
async def store_conflict(_: Request, error: eb.StoreConflictError) -> JSONResponse:
    return JSONResponse(status_code=409, content={"code": error.code, "message": str(error)})


@app.get("/customers/{customer_id}/loyalty")
async def customer_loyalty(customer_id: str) -> eb.MemberSummary:
    """The member's balance, points available, tier progress and badges, from the store."""
    summary = await STORE.loyalty_summary(customer_id, dt.datetime.now(dt.timezone.utc))
    if summary is None:
        raise HTTPException(status_code=404, detail=f"no loyalty account for {customer_id}")
    return summary


@app.post("/customers/{customer_id}/loyalty/redeem")
async def redeem(customer_id: str, body: Redeem) -> eb.Redemption:
    """Redeems points once per key; the credit is stored with it and reaches the bill. Too few
    points or above the bill's cap is a 409 (`LOYALTY_...`), bad figures a 422."""
    return await STORE.redeem_points(
        customer_id, body.points, body.bill_charges, body.key, dt.datetime.now(dt.timezone.utc)
    )


class TopUp(BaseModel):
    """Money a customer paid into the wallet, under the payment gateway's id: a retried
    request stores it once."""

    id: str
    amount: Decimal
    date: dt.date


@app.post("/customers/{customer_id}/wallet/top-ups")
async def top_up(customer_id: str, body: TopUp) -> dict[str, Any]:
    """Records a top-up (`changed`, or `unchanged` when retried); the next bill takes it
    (`finalize_month` stores the application with the bill). Another top-up under the same id
    is a 409, an unknown customer a 404, a bad amount a 422."""
    entry = {"id": body.id, "customer_id": customer_id, "kind": "top_up", "amount": body.amount, "date": body.date}
    try:
        effect, _ = await STORE.record_wallet_entry(entry, eb.Actor("CASHIER", dt.datetime.now(dt.timezone.utc)))
    except eb.NotFoundError as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    return {"effect": effect}


@app.get("/customers/{customer_id}/wallet")
async def wallet(customer_id: str, on: dt.date) -> dict[str, Any]:
    """The balance usable on a day and every entry, with exact decimal strings."""
    stored = await STORE.wallet(customer_id)
    return {"balance": str(stored.balance_on(on)), "entries": stored.to_dict(mode="json")["entries"]}


@app.post("/routes/plan")
async def plan_routes(problem: dict[str, Any]) -> dict[str, Any]:
    """Tomorrow's routes: the core searches in a worker thread without the GIL, so this
    `async def` endpoint does not block the other requests."""
    return await eb.solve_async(problem)


ACTIVATION_HISTORIES: dict[str, dict[str, Any]] = {}
"""Each customer's activation events (`customer_id`, `events`, `subscriptions`), as the backend
keeps them; events are dicts in the core's shape with aware datetimes."""


@app.get("/activation/dashboard")
def activation_dashboard(
    now: dt.datetime | None = None, as_of: dt.date | None = None, granularity: eb.Granularity = "week"
) -> dict[str, Any]:
    """The activation dashboard at `now` (default: this moment): customers per state, stalled
    onboarding, the funnel, and the cohort retention table up to `as_of` by `granularity`
    (`week` or `month`, checked by FastAPI from the literal type). A plain `def`: FastAPI runs it
    in its thread pool, and the core replays and counts the base without the GIL."""
    at = now or dt.datetime.now(dt.timezone.utc)
    base = eb.ActivationBase.replay(list(ACTIVATION_HISTORIES.values()), at)
    metrics = base.metrics(at).to_dict(mode="json")
    cohorts = base.cohort_retention(granularity, as_of or at.date())
    return {
        "at": metrics["at"],
        "customers": metrics["customers"],
        "per_state": metrics["per_state"],
        "stalled": metrics["stalled"],
        "funnel": metrics["funnel"]["steps"],
        "cohorts": cohorts.to_dict(mode="json"),
    }


BILLING: dict[str, list[dict[str, Any]]] = {
    "products": [], "subscriptions": [], "orders": [], "deliveries": [], "bills": [], "payments": [],
}
"""The collections a bill is computed from (documents as pymongo returns them); `bills` holds
the finalized bills as `Bill.to_dict(mode="json")`."""


@app.exception_handler(eb.BillingError)
async def billing_refused(_: Request, error: eb.BillingError) -> JSONResponse:
    return JSONResponse(status_code=409, content={"code": error.code, "message": str(error)})


@app.get("/customers/{customer_id}/bills/{month}")
def customer_bill(customer_id: str, month: str) -> eb.Bill:
    """The customer's bill for `month` (`YYYY-MM`): the DRAFT computed now, or the finalized
    bill when the month is closed. FastAPI writes it as the core's canonical JSON."""
    for stored in BILLING["bills"]:
        if stored["customer_id"] == customer_id and stored["month"] == month:
            return eb.Bill.from_dict(stored)
    mine = {
        name: [d for d in documents if d.get("customer_id", customer_id) == customer_id]
        for name, documents in BILLING.items()
    }
    return eb.compute_bill(mine, customer_id, month)

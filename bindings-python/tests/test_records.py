"""Records read from MongoDB-shaped dicts: every class, both `to_dict` modes, exact values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

import earlybird as eb

UTC = dt.timezone.utc
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def order_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": "65a1f0c2e4b0a1b2c3d4e5f6",
        "id": "ORD_1",
        "customer_id": "CUST_001",
        "items": [
            {"product_id": "MILK_500ML", "quantity": 2, "unit_price": Decimal("28.50")},
            {"product_id": "CURD_400G", "quantity": Decimal("1"), "unit_price": "45"},
        ],
        "delivery_date": dt.date(2026, 1, 15),
        "status": "pending",
    }
    doc.update(changes)
    return doc


def customer_doc() -> dict[str, Any]:
    return {
        "id": "CUST_001",
        "name": "Asha Rao",
        "phone": "098450 12345",
        "email": "asha@example.in",
        "address": "12, 4th Cross",
        "lat": 12.9719,
        "lon": Decimal("77.6412"),
        "user_id": "U1",
        "delivery_boy_id": "DB_7",
        "signup_date": "2026-01-02",
        "referred_by": None,
    }


def product_doc() -> dict[str, Any]:
    return {
        "id": "MILK_500ML",
        "name": "Milk 500 ml",
        "unit": "packet",
        "prices": [
            {"price": Decimal("28.00"), "effective_from": dt.date(2026, 1, 1)},
            {"price": Decimal("30.00"), "effective_from": dt.date(2026, 2, 1)},
        ],
        "gst_rate": Decimal("5"),
    }


def subscription_doc() -> dict[str, Any]:
    return {
        "id": "SUB_1",
        "customer_id": "CUST_001",
        "product_id": "MILK_500ML",
        "quantity": Decimal("1.5"),
        "schedule": {"kind": "weekdays", "days": ["mon", "THU"]},
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 3, 31),
        "pauses": [{"from": dt.date(2026, 1, 10), "to": dt.date(2026, 1, 12)}],
        "price_override": Decimal("27.00"),
        "status": "ACTIVE",
    }


def delivery_doc() -> dict[str, Any]:
    return {
        "id": "DEL_1",
        "customer_id": "CUST_001",
        "date": dt.date(2026, 1, 15),
        "subscription_id": "SUB_1",
        "product_id": "MILK_500ML",
        "ordered_quantity": Decimal("2"),
        "delivered_quantity": Decimal("1"),
        "status": "PARTIALLY_DELIVERED",
        "reason": "short stock",
        "delivery_boy_id": "DB_7",
        "confirmed_at": dt.datetime(2026, 1, 15, 1, 10, tzinfo=UTC),
    }


def payment_doc() -> dict[str, Any]:
    return {
        "id": "PAY_1",
        "customer_id": "CUST_001",
        "amount": Decimal("1250.50"),
        "method": "UPI",
        "date": dt.date(2026, 1, 31),
        "reference": "UTR123",
    }


def test_order_attributes_are_native_python_values() -> None:
    order = eb.Order.from_document(order_doc(created_at=dt.datetime(2026, 1, 14, 16, 45)))
    assert order.id == "ORD_1" and order.customer_id == "CUST_001"
    assert order.status == "PENDING"
    assert order.delivery_date == dt.date(2026, 1, 15)
    # pymongo returns naive datetimes meaning UTC
    assert order.created_at == dt.datetime(2026, 1, 14, 16, 45, tzinfo=UTC)
    first = order.items[0]
    assert (first.product_id, first.quantity, first.unit_price) == ("MILK_500ML", Decimal("2"), Decimal("28.50"))
    assert str(first.unit_price) == "28.50"  # the scale survives the round trip
    assert first.delivered_quantity is None
    assert isinstance(first, eb.OrderItem)
    assert repr(order).startswith("Order(")


def test_to_dict_modes() -> None:
    order = eb.Order.from_document(order_doc(created_at=dt.datetime(2026, 1, 14, 22, 15, tzinfo=IST)))
    native = order.to_dict()
    assert native["items"][0]["unit_price"] == Decimal("28.50")
    assert native["delivery_date"] == dt.date(2026, 1, 15)
    assert native["created_at"] == dt.datetime(2026, 1, 14, 16, 45, tzinfo=UTC)
    assert "delivered_quantity" not in native["items"][0]
    as_json = order.to_dict(mode="json")
    assert as_json["items"][0]["unit_price"] == "28.50"
    assert as_json["delivery_date"] == "2026-01-15"
    assert as_json["created_at"] == "2026-01-14T16:45:00Z"
    assert json.loads(order.to_json()) == as_json
    with pytest.raises(eb.ValidationError) as error:
        order.to_dict(mode="yaml")  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("mode", "unknown_value")]


def test_customer() -> None:
    customer = eb.Customer.from_document(customer_doc())
    assert customer.phone == "+919845012345"
    assert customer.lat == pytest.approx(12.9719) and customer.lon == pytest.approx(77.6412)
    assert (customer.email, customer.address, customer.user_id) == ("asha@example.in", "12, 4th Cross", "U1")
    assert (customer.delivery_boy_id, customer.referred_by) == ("DB_7", None)
    assert customer.signup_date == dt.date(2026, 1, 2)
    assert customer.name == "Asha Rao" and customer.id == "CUST_001"
    assert "referred_by" not in customer.to_dict()
    assert customer.to_dict()["lat"] == 12.9719


def test_product_prices_and_gst() -> None:
    product = eb.Product.from_document(product_doc())
    assert (product.id, product.name, product.unit) == ("MILK_500ML", "Milk 500 ml", "packet")
    assert [p.price for p in product.prices] == [Decimal("28.00"), Decimal("30.00")]
    assert product.prices[1].effective_from == dt.date(2026, 2, 1)
    assert product.gst_rates[0].rate == Decimal("5") and product.gst_rates[0].effective_from is None
    assert product.price_on(dt.date(2026, 1, 31)) == Decimal("28.00")
    assert product.price_on(dt.date(2025, 12, 31)) is None
    assert product.gst_rate_on(dt.date(2026, 3, 1)) == Decimal("5")
    assert product.to_dict(mode="json")["prices"][0] == {"price": "28.00", "effective_from": "2026-01-01"}
    assert product.to_dict()["gst_rates"] == [{"rate": Decimal("5")}]
    assert product.prices[0].to_dict() == {"price": Decimal("28.00"), "effective_from": dt.date(2026, 1, 1)}
    assert product.gst_rates[0].to_dict(mode="json") == {"rate": "5"}


def test_subscription_and_its_schedule() -> None:
    sub = eb.Subscription.from_document(subscription_doc())
    assert (sub.id, sub.customer_id, sub.product_id) == ("SUB_1", "CUST_001", "MILK_500ML")
    assert sub.quantity == Decimal("1.5") and sub.price_override == Decimal("27.00")
    assert sub.status == "active"
    assert (sub.start_date, sub.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert sub.schedule.kind == "weekdays" and sub.schedule.days == ["mon", "thu"]
    assert sub.schedule.quantities is None
    assert sub.pauses[0].from_ == dt.date(2026, 1, 10) and sub.pauses[0].to == dt.date(2026, 1, 12)
    assert sub.pauses[0].to_dict() == {"from": dt.date(2026, 1, 10), "to": dt.date(2026, 1, 12)}
    assert sub.to_dict()["schedule"] == {"kind": "weekdays", "days": ["mon", "thu"]}
    custom = eb.Subscription.from_document(
        subscription_doc() | {"schedule": {"kind": "custom", "quantities": {"sat": "2", "sun": Decimal("1.5")}}}
    )
    assert custom.schedule.quantities == {"sat": Decimal("2"), "sun": Decimal("1.5")}
    assert custom.schedule.days is None
    assert custom.schedule.to_dict(mode="json") == {"kind": "custom", "quantities": {"sat": "2", "sun": "1.5"}}
    daily = eb.Subscription.from_document(subscription_doc() | {"schedule": "daily"})
    assert daily.schedule.to_dict() == {"kind": "daily"}


def test_delivery_record() -> None:
    delivery = eb.DeliveryRecord.from_document(delivery_doc())
    assert (delivery.subscription_id, delivery.order_id) == ("SUB_1", None)
    assert (delivery.ordered_quantity, delivery.delivered_quantity) == (Decimal("2"), Decimal("1"))
    assert delivery.status == "PARTIALLY_DELIVERED" and delivery.reason == "short stock"
    assert delivery.delivery_boy_id == "DB_7" and delivery.product_id == "MILK_500ML"
    assert delivery.confirmed_at == dt.datetime(2026, 1, 15, 1, 10, tzinfo=UTC)
    assert delivery.date == dt.date(2026, 1, 15) and delivery.customer_id == "CUST_001"
    assert delivery.id == "DEL_1"
    assert delivery.to_dict(mode="json")["subscription_id"] == "SUB_1"
    assert "order_id" not in delivery.to_dict()


def test_payment() -> None:
    payment = eb.Payment.from_document(payment_doc())
    assert (payment.id, payment.customer_id, payment.reference) == ("PAY_1", "CUST_001", "UTR123")
    assert payment.amount == Decimal("1250.50") and payment.method == "upi"
    assert payment.date == dt.date(2026, 1, 31)
    assert payment.to_dict(mode="json")["amount"] == "1250.50"


def test_from_json_reads_json_text() -> None:
    order = eb.Order.from_json(json.dumps(order_doc(delivery_date="2026-01-15", items=[
        {"product_id": "M", "quantity": 1, "unit_price": "28.50"}
    ])))
    assert order.items[0].unit_price == Decimal("28.50")
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_json("{not json")
    assert error.value.problems[0].rule == "type"
    classes: list[tuple[Any, dict[str, Any]]] = [
        (eb.Customer, customer_doc()),
        (eb.Payment, payment_doc()),
        (eb.Product, product_doc()),
        (eb.Subscription, subscription_doc()),
        (eb.DeliveryRecord, delivery_doc()),
    ]
    for cls, doc in classes:
        record = cls.from_document(doc)
        assert cls.from_json(record.to_json()) == record


def test_records_compare_by_value() -> None:
    assert eb.Order.from_document(order_doc()) == eb.Order.from_document(order_doc())
    assert eb.Order.from_document(order_doc()) != eb.Order.from_document(order_doc(id="ORD_2"))


def test_every_problem_is_reported_with_field_rule_value_message() -> None:
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_document(order_doc(status="shipped", customer_id="", delivery_date="2026-02-30"))
    err = error.value
    assert err.code == "VALIDATION_FAILED"
    assert [(p.field, p.rule) for p in err.problems] == [
        ("customer_id", "empty_id"),
        ("status", "unknown_value"),
        ("delivery_date", "date"),
    ]
    assert err.problems[1].value == "shipped" and "PENDING" in err.problems[1].message
    assert err.problems[1].to_dict() == {
        "field": "status",
        "rule": "unknown_value",
        "value": "shipped",
        "message": err.problems[1].message,
    }
    assert "3 invalid field(s)" in str(err)


class Decimal128:
    """What bson.Decimal128 looks like to the binding."""

    def __init__(self, text: str) -> None:
        self.text = text

    def to_decimal(self) -> Decimal:
        return Decimal(self.text)


class ObjectId:
    def __init__(self, hex_id: str) -> None:
        self.hex_id = hex_id

    def __str__(self) -> str:
        return self.hex_id


class FrozenDoc(Mapping[str, Any]):
    """A read-only Mapping that is not a dict (like bson's RawBSONDocument)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def test_pymongo_values_are_read_exactly() -> None:
    doc = order_doc(
        _id=ObjectId("65a1f0c2e4b0a1b2c3d4e5f6"),
        items=(
            {"product_id": "MILK", "quantity": Decimal128("2"), "unit_price": Decimal128("28.50")},
            FrozenDoc({"product_id": "CURD", "quantity": 1, "unit_price": 45.25}),
        ),
        delivery_date=dt.datetime(2026, 1, 14, 19, 0, tzinfo=UTC),  # 00:30 on the 15th in India
    )
    order = eb.Order.from_document(doc)
    assert order.items[0].unit_price == Decimal("28.50")
    assert order.items[1].unit_price == Decimal("45.25")  # float read from repr(), not f64 arithmetic
    assert order.delivery_date == dt.date(2026, 1, 15)


def test_floats_in_documents_keep_their_repr_text() -> None:
    order = eb.Order.from_document(order_doc(items=[{"product_id": "M", "quantity": 0.1, "unit_price": 28.5}]))
    assert order.items[0].quantity == Decimal("0.1")
    assert str(order.items[0].unit_price) == "28.5"


def test_values_without_a_json_form_are_reported() -> None:
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_document(order_doc(
            notes={1: "int key"},
            blob=b"bytes",
            items=[{"product_id": "M", "quantity": float("nan"), "unit_price": Decimal("Infinity")}],
        ))
    assert [(p.field, p.rule) for p in error.value.problems] == [
        ("items[0].quantity", "decimal"),
        ("items[0].unit_price", "decimal"),
        ("notes", "type"),
        ("blob", "type"),
    ]


def test_a_document_containing_itself_is_refused_not_a_crash() -> None:
    doc: dict[str, Any] = order_doc()
    doc["self"] = doc
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_document(doc)
    assert error.value.problems[0].rule == "type"


def test_a_non_mapping_document() -> None:
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_document(["not", "a", "dict"])  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("$", "object")]


def test_parse_dispatches_on_kind() -> None:
    assert isinstance(eb.parse("customer", customer_doc()), eb.Customer)
    assert isinstance(eb.parse("product", product_doc()), eb.Product)
    assert isinstance(eb.parse("subscription", subscription_doc()), eb.Subscription)
    assert isinstance(eb.parse("order", order_doc()), eb.Order)
    assert isinstance(eb.parse("delivery", delivery_doc()), eb.DeliveryRecord)
    assert isinstance(eb.parse("payment", payment_doc()), eb.Payment)
    with pytest.raises(eb.ValidationError) as error:
        eb.parse("invoice", {})  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("kind", "unknown_value")]


def test_parse_many_reads_a_batch_and_reports_every_bad_document() -> None:
    orders = eb.parse_many("order", [order_doc(id=f"ORD_{i}") for i in range(50)])
    assert [o.id for o in orders] == [f"ORD_{i}" for i in range(50)]
    assert eb.parse_many("payment", iter([payment_doc()]))[0] == eb.Payment.from_document(payment_doc())
    with pytest.raises(eb.ValidationError) as error:
        eb.parse_many("order", [order_doc(), order_doc(id=""), order_doc(status="lost", items=[])])
    assert [(p.field, p.rule) for p in error.value.problems] == [
        ("[1].id", "empty_id"),
        ("[2].status", "unknown_value"),
        ("[2].items", "empty"),
    ]
    with pytest.raises(eb.ValidationError):
        eb.parse_many("invoice", [])  # type: ignore[arg-type]
    assert eb.parse_many("customer", []) == []


def test_dataset_checks_references() -> None:
    data = eb.Dataset(
        customers=[customer_doc()],
        products=[eb.Product.from_document(product_doc())],
        subscriptions=[subscription_doc()],
        orders=[order_doc(items=[{"product_id": "MILK_500ML", "quantity": 1, "unit_price": "28.50"}])],
        deliveries=[delivery_doc()],
        payments=[payment_doc()],
    )
    data.validate_references()
    assert [c.id for c in data.customers] == ["CUST_001"]
    assert len(data.products) == len(data.subscriptions) == len(data.orders) == 1
    assert len(data.deliveries) == len(data.payments) == 1
    assert "orders=1" in repr(data)
    broken = eb.Dataset(customers=[customer_doc()], orders=[order_doc(customer_id="CUST_404")], products=[product_doc()])
    with pytest.raises(eb.ValidationError) as error:
        broken.validate_references()
    assert {p.rule for p in error.value.problems} == {"unknown_reference"}
    with pytest.raises(eb.ValidationError) as error:
        eb.Dataset(orders=[order_doc(), order_doc(quantity="x", status="??")])
    assert error.value.problems[0].field == "orders[1].status"
    with pytest.raises(eb.ValidationError) as error:
        eb.Dataset(orders=[eb.Order.from_document(order_doc()), order_doc(status="??")])
    assert [p.field for p in error.value.problems] == ["orders[1].status"]
    with pytest.raises(eb.ValidationError) as error:
        eb.Dataset(orders="not a list")  # type: ignore[arg-type]
    assert [(p.field, p.rule) for p in error.value.problems] == [("orders", "type")]


def test_records_pickle_and_repr() -> None:
    import pickle

    for record in (
        eb.Order.from_document(order_doc()),
        eb.Customer.from_document(customer_doc()),
        eb.Product.from_document(product_doc()),
        eb.Subscription.from_document(subscription_doc()),
        eb.DeliveryRecord.from_document(delivery_doc()),
        eb.Payment.from_document(payment_doc()),
    ):
        assert pickle.loads(pickle.dumps(record)) == record
    assert repr(eb.Order.from_document(order_doc(id="O'1"))) == "Order(id='O\\'1')"
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_document(order_doc(status="x"))
    assert repr(error.value.problems[0]).startswith("FieldProblem(field='status', rule='unknown_value'")


def test_integers_of_any_size_keep_their_digits() -> None:
    order = eb.Order.from_document(order_doc(items=[{"product_id": "M", "quantity": 3, "unit_price": 10**20}]))
    assert order.items[0].unit_price == Decimal(10**20)
    with pytest.raises(eb.ValidationError) as error:
        eb.Order.from_document(order_doc(items=[{"product_id": "M", "quantity": 1, "unit_price": 10**40}]))
    assert error.value.problems[0].field == "items[0].unit_price"

"""Writes sample.json: a small, realistic EarlyBird dataset in the MongoDB export shape.

Deterministic (fixed seed). Run `python3 generate.py` to regenerate; the demo reads the file.
Customers sit around Indiranagar / Koramangala / HSR Layout in Bengaluru; the depot is in
Domlur. October 2026 is a complete month with deliveries; November runs up to the 24th.
"""
import datetime as dt
import json
import random

rng = random.Random(20261125)
FIRST = ["Asha", "Ravi", "Meera", "Karthik", "Divya", "Suresh", "Lakshmi", "Arjun", "Priya",
         "Naveen", "Kavya", "Rahul", "Deepa", "Manoj", "Sneha", "Vikram", "Anita", "Rohan",
         "Pooja", "Ganesh"]
LAST = ["Rao", "Iyer", "Reddy", "Nair", "Shetty", "Gowda", "Menon", "Kumar", "Bhat", "Pai"]
AREAS = [("Indiranagar", 12.9719, 77.6412), ("Koramangala", 12.9352, 77.6245),
         ("HSR Layout", 12.9116, 77.6474), ("Domlur", 12.9609, 77.6387),
         ("Jeevan Bhima Nagar", 12.9634, 77.6570)]

products = [
    {"id": "MILK_TONED_500", "name": "Toned milk 500 ml", "unit": "packet",
     "prices": [{"price": "27.00", "effective_from": "2026-01-01"},
                {"price": "28.00", "effective_from": "2026-10-16"}], "gst_rate": 0},
    {"id": "MILK_FULL_1L", "name": "Full cream milk 1 l", "unit": "packet",
     "prices": [{"price": "66.00", "effective_from": "2026-01-01"}], "gst_rate": 0},
    {"id": "CURD_400", "name": "Curd 400 g", "unit": "cup",
     "prices": [{"price": "35.00", "effective_from": "2026-01-01"}], "gst_rate": "5"},
    {"id": "PANEER_200", "name": "Paneer 200 g", "unit": "pack",
     "prices": [{"price": "95.00", "effective_from": "2026-01-01"}], "gst_rate": "5"},
    {"id": "GHEE_500", "name": "Ghee 500 ml", "unit": "jar",
     "prices": [{"price": "340.00", "effective_from": "2026-01-01"}], "gst_rate": "12"},
]
price = {p["id"]: p["prices"][-1]["price"] for p in products}

customers, subscriptions, orders, deliveries, payments = [], [], [], [], []
start = dt.date(2026, 9, 1)
for i in range(1, 49):
    area, lat, lon = AREAS[i % len(AREAS)]
    cid = f"CUST_{i:03d}"
    signup = start + dt.timedelta(days=rng.randrange(0, 60))
    customers.append({
        "id": cid, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "phone": rng.choice(["", "+91", "0"]) + str(rng.choice([6, 7, 8, 9])) + "".join(str(rng.randrange(10)) for _ in range(9)),
        "email": f"{cid.lower()}@example.in" if i % 3 else None,
        "address": f"{rng.randrange(1, 300)}, {rng.randrange(1, 20)}th Cross, {area}",
        "lat": round(lat + rng.uniform(-0.012, 0.012), 5), "lon": round(lon + rng.uniform(-0.012, 0.012), 5),
        "delivery_boy_id": f"DB_{1 + i % 3}", "signup_date": signup.isoformat(),
        "referred_by": f"CUST_{rng.randrange(1, i):03d}" if i > 3 and i % 4 == 0 else None,
    })
    if i % 5 != 0:  # four in five customers subscribe
        kind = ["daily", "alternate_days", {"kind": "weekdays", "days": ["mon", "wed", "fri"]},
                {"kind": "custom", "quantities": {"sat": "2", "sun": "2", "wed": "1"}}][i % 4]
        sub_start = signup + dt.timedelta(days=rng.randrange(1, 5))
        sub = {"id": f"SUB_{i:03d}", "customer_id": cid,
               "product_id": "MILK_TONED_500" if i % 2 else "MILK_FULL_1L",
               "quantity": rng.choice(["1", "2", "0.5"]) if i % 2 else "1", "schedule": kind,
               "start_date": sub_start.isoformat(), "pauses": [], "status": "active"}
        if i % 6 == 1:
            p0 = dt.date(2026, 10, 10 + i % 5)
            sub["pauses"].append({"from": p0.isoformat(), "to": (p0 + dt.timedelta(days=4)).isoformat()})
        if i == 14:
            sub["status"], sub["end_date"] = "cancelled", "2026-10-20"
        subscriptions.append(sub)
    for k in range(rng.randrange(0, 4)):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(0, 54))
        pid = rng.choice(["CURD_400", "PANEER_200", "GHEE_500"])
        orders.append({"id": f"ORD_{i:03d}_{k}", "customer_id": cid, "delivery_date": day.isoformat(),
                       "created_at": (dt.datetime.combine(day, dt.time(18, 30)) - dt.timedelta(days=1)).isoformat() + "Z",
                       "status": "OUT_FOR_DELIVERY" if day >= dt.date(2026, 11, 20) else rng.choice(["DELIVERED", "DELIVERED", "PENDING", "CANCELLED"]),
                       "items": [{"product_id": pid, "quantity": rng.choice([1, 2]), "unit_price": price[pid]}]})

# This morning's van: one-time orders out for delivery on the demo's business date.
for i in range(1, 7):
    pid = ["CURD_400", "PANEER_200", "GHEE_500"][i % 3]
    orders.append({"id": f"ORD_TODAY_{i}", "customer_id": f"CUST_{i * 3:03d}", "delivery_date": "2026-11-25",
                   "created_at": "2026-11-24T13:00:00Z", "status": "OUT_FOR_DELIVERY",
                   "items": [{"product_id": pid, "quantity": 2, "unit_price": price[pid]},
                             {"product_id": "MILK_FULL_1L", "quantity": 1, "unit_price": price["MILK_FULL_1L"]}]})


def due(sub, day):
    s = dt.date.fromisoformat(sub["start_date"])
    if day < s or ("end_date" in sub and day > dt.date.fromisoformat(sub["end_date"])):
        return None
    if any(dt.date.fromisoformat(p["from"]) <= day <= dt.date.fromisoformat(p["to"]) for p in sub["pauses"]):
        return None
    k = sub["schedule"]
    wd = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday()]
    if k == "daily":
        return sub["quantity"]
    if k == "alternate_days":
        return sub["quantity"] if (day - s).days % 2 == 0 else None
    if k["kind"] == "weekdays":
        return sub["quantity"] if wd in k["days"] else None
    return k["quantities"].get(wd)

for sub in subscriptions:
    day = dt.date(2026, 10, 1)
    while day <= dt.date(2026, 11, 24):
        q = due(sub, day)
        if q is not None:
            roll = rng.random()
            delivered = q if roll > 0.06 else ("0" if roll < 0.03 else str(float(q) / 2).rstrip("0").rstrip("."))
            status = "DELIVERED" if delivered == q else ("NOT_DELIVERED" if delivered == "0" else "PARTIALLY_DELIVERED")
            deliveries.append({
                "id": f"DEL_{sub['id']}_{day.isoformat()}", "customer_id": sub["customer_id"],
                "date": day.isoformat(), "subscription_id": sub["id"], "product_id": sub["product_id"],
                "ordered_quantity": q, "delivered_quantity": delivered, "status": status,
                "reason": None if status == "DELIVERED" else rng.choice(["house locked", "short stock"]),
                "delivery_boy_id": "DB_1", "confirmed_at": f"{day.isoformat()}T01:{rng.randrange(10, 59)}:00Z"})
        day += dt.timedelta(days=1)

for c in customers:
    if rng.random() < 0.7:
        payments.append({"id": f"PAY_{c['id']}_OCT", "customer_id": c["id"],
                         "amount": f"{rng.randrange(300, 2500)}.00", "method": rng.choice(["upi", "upi", "cash", "card"]),
                         "date": "2026-11-05", "reference": None})

    if rng.random() < 0.4:
        payments.append({"id": f"PAY_{c['id']}_WEEK48", "customer_id": c["id"],
                         "amount": f"{rng.randrange(200, 1500)}.00", "method": rng.choice(["upi", "cash"]),
                         "date": rng.choice(["2026-11-23", "2026-11-24"]), "reference": None})

# Three documents as they really arrive sometimes: the demo shows how they are refused.
rejects = {
    "orders": [{"id": "ORD_BAD_1", "customer_id": "CUST_002", "delivery_date": "2026-11-31",
                "status": "SHIPPED", "items": [{"product_id": "CURD_400", "quantity": 0, "unit_price": "35.00"}]}],
    "customers": [{"id": "CUST_BAD", "name": "Test", "phone": "12345", "email": "test@", "signup_date": "2026-10-01"}],
}

json.dump({"customers": customers, "products": products, "subscriptions": subscriptions, "orders": orders,
           "deliveries": deliveries, "payments": payments, "rejects": rejects},
          open("sample.json", "w"), indent=1)
print(len(customers), "customers,", len(subscriptions), "subscriptions,", len(orders), "orders,",
      len(deliveries), "deliveries,", len(payments), "payments")

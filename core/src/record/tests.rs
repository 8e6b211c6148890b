use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::validation::Rule;

fn rules(err: &ValidationError) -> Vec<(&str, Rule)> {
    err.problems
        .iter()
        .map(|p| (p.field.as_str(), p.rule))
        .collect()
}

#[test]
fn a_seed_shaped_order_document_parses() {
    let order = Order::from_document(&json!({
        "id": "ORD_1", "customer_id": "CUST_001",
        "items": [{"product_id": "MILK_500", "quantity": 2, "unit_price": 28.5}],
        "delivery_date": "2026-01-15", "status": "DELIVERED"
    }))
    .unwrap();
    assert_eq!(order.status, OrderStatus::Delivered);
    assert_eq!(order.items[0].unit_price.to_string(), "28.5");
    // DELIVERED without per-item quantities means everything was delivered.
    assert_eq!(
        order.items[0].delivered_quantity,
        Some(order.items[0].quantity)
    );
}

#[test]
fn three_bad_fields_are_reported_together() {
    let err = Order::from_document(&json!({
        "id": "ORD_1", "customer_id": "CUST_001",
        "items": [{"product_id": "MILK_500", "quantity": -1, "unit_price": "28.50"}],
        "delivery_date": "2026-02-30", "status": "SHIPPED"
    }))
    .unwrap_err();
    assert_eq!(
        rules(&err),
        vec![
            ("status", Rule::UnknownValue),
            ("items[0].quantity", Rule::Positive),
            ("delivery_date", Rule::Date),
        ]
    );
    assert_eq!(err.code(), "VALIDATION_FAILED");
    let message = err.to_string();
    for field in [
        "status",
        "items[0].quantity",
        "delivery_date",
        "SHIPPED",
        "2026-02-30",
    ] {
        assert!(message.contains(field), "{message} names {field}");
    }
}

#[test]
fn money_never_goes_through_a_float() {
    // 0.1 + 0.2 style values keep their exact digits from JSON numbers and strings alike.
    let order = Order::from_json(
        r#"{"id": "O", "customer_id": "C", "delivery_date": "2026-01-15", "status": "pending",
            "items": [{"product_id": "P", "quantity": 0.1, "unit_price": 0.29},
                      {"product_id": "P", "quantity": "1.005", "unit_price": "12345678901234.56"}]}"#,
    )
    .unwrap();
    assert_eq!(order.items[0].quantity.to_string(), "0.1");
    assert_eq!(order.items[0].unit_price.to_string(), "0.29");
    assert_eq!(order.items[1].unit_price.to_string(), "12345678901234.56");
}

#[test]
fn mongodb_extended_json_numbers_and_dates_are_read() {
    let order = Order::from_document(&json!({
        "id": "O", "customer_id": "C", "status": "PENDING",
        "delivery_date": {"$date": "2026-01-14T19:00:00Z"},
        "items": [{"product_id": "P", "quantity": {"$numberInt": "2"},
                   "unit_price": {"$numberDecimal": "28.50"}}]
    }))
    .unwrap();
    assert_eq!(order.items[0].unit_price.to_string(), "28.50");
    assert_eq!(order.items[0].quantity.to_string(), "2");
    assert_eq!(
        order.delivery_date.to_string(),
        "2026-01-15",
        "19:00 UTC is the next day in India"
    );
}

#[test]
fn statuses_are_read_in_either_case_and_unknown_ones_are_errors() {
    for status in ["PENDING", "pending", "Out_For_Delivery", "cancelled"] {
        let doc = json!({"id": "O", "customer_id": "C", "delivery_date": "2026-01-15",
            "status": status, "items": [{"product_id": "P", "quantity": 1, "unit_price": 1}]});
        assert!(Order::from_document(&doc).is_ok(), "{status}");
    }
    let doc = json!({"id": "O", "customer_id": "C", "delivery_date": "2026-01-15",
        "status": "DONE", "items": [{"product_id": "P", "quantity": 1, "unit_price": 1}]});
    assert_eq!(
        rules(&Order::from_document(&doc).unwrap_err()),
        vec![("status", Rule::UnknownValue)]
    );
}

#[test]
fn an_order_needs_an_item_and_consistent_quantities() {
    let empty = json!({"id": "O", "customer_id": "C", "delivery_date": "2026-01-15",
        "status": "PENDING", "items": []});
    assert_eq!(
        rules(&Order::from_document(&empty).unwrap_err()),
        vec![("items", Rule::Empty)]
    );
    let over = json!({"id": "O", "customer_id": "C", "delivery_date": "2026-01-15",
        "status": "PARTIALLY_DELIVERED",
        "items": [{"product_id": "P", "quantity": 2, "unit_price": 1, "delivered_quantity": 3},
                  {"product_id": "P", "quantity": 2, "unit_price": 1}]});
    assert_eq!(
        rules(&Order::from_document(&over).unwrap_err()),
        vec![
            ("items[0].delivered_quantity", Rule::Range),
            ("items[1].delivered_quantity", Rule::Required),
        ]
    );
    let lying = json!({"id": "O", "customer_id": "C", "delivery_date": "2026-01-15",
        "status": "DELIVERED",
        "items": [{"product_id": "P", "quantity": 2, "unit_price": 1, "delivered_quantity": 1}]});
    assert_eq!(
        rules(&Order::from_document(&lying).unwrap_err()),
        vec![("status", Rule::Inconsistent)]
    );
}

#[test]
fn customer_phone_is_normalised_and_bad_fields_all_reported() {
    let c = Customer::from_document(&json!({"id": "C1", "name": "Asha", "phone": "098450 12345",
        "signup_date": "2026-01-02", "email": "asha@example.in"}))
    .unwrap();
    assert_eq!(c.phone, "+919845012345");
    let err = Customer::from_document(&json!({"id": "", "name": "Asha", "phone": "12345",
        "email": "asha@", "lat": 123.0, "signup_date": "yesterday"}))
    .unwrap_err();
    assert_eq!(
        rules(&err),
        vec![
            ("id", Rule::EmptyId),
            ("phone", Rule::Phone),
            ("email", Rule::Email),
            ("lat", Rule::Range),
            ("signup_date", Rule::Date),
        ]
    );
}

#[test]
fn a_delivery_record_has_exactly_one_source_and_a_status_matching_its_quantities() {
    let both = json!({"id": "D", "customer_id": "C", "date": "2026-01-15",
        "subscription_id": "S", "order_id": "O", "product_id": "P",
        "ordered_quantity": 1, "delivered_quantity": 1, "status": "DELIVERED"});
    assert_eq!(
        rules(&DeliveryRecord::from_document(&both).unwrap_err()),
        vec![("order_id", Rule::Inconsistent)]
    );
    let neither = json!({"id": "D", "customer_id": "C", "date": "2026-01-15", "product_id": "P",
        "ordered_quantity": 1, "delivered_quantity": 0, "status": "DELIVERED"});
    assert_eq!(
        rules(&DeliveryRecord::from_document(&neither).unwrap_err()),
        vec![("subscription_id", Rule::Required)]
    );
    let mismatch = json!({"id": "D", "customer_id": "C", "date": "2026-01-15",
        "subscription_id": "S", "product_id": "P",
        "ordered_quantity": 1, "delivered_quantity": 0, "status": "delivered"});
    assert_eq!(
        rules(&DeliveryRecord::from_document(&mismatch).unwrap_err()),
        vec![("status", Rule::Inconsistent)]
    );
}

#[test]
fn subscription_documents_with_every_schedule_kind_parse() {
    for schedule in [
        json!("daily"),
        json!({"kind": "alternate_days"}),
        json!({"kind": "weekdays", "days": ["mon", "WED"]}),
        json!({"type": "custom", "quantities": {"sat": "1.5", "sun": 2}}),
    ] {
        let doc = json!({"id": "S", "customer_id": "C", "product_id": "P", "quantity": "0.5",
            "schedule": schedule, "start_date": "2026-01-01"});
        let sub = Subscription::from_document(&doc).unwrap();
        let again = serde_json::to_value(&sub).unwrap();
        assert_eq!(Subscription::from_document(&again).unwrap(), sub);
    }
    let bad = json!({"id": "S", "customer_id": "C", "product_id": "P", "quantity": "0.0005",
        "schedule": {"kind": "weekdays", "days": ["funday"]}, "start_date": "2026-01-10",
        "end_date": "2026-01-01", "pauses": [{"from": "2026-01-05", "to": "2026-01-04"}],
        "status": "paused"});
    assert_eq!(
        rules(&Subscription::from_document(&bad).unwrap_err()),
        vec![
            ("quantity", Rule::Scale),
            ("schedule.days[0]", Rule::UnknownValue),
            ("end_date", Rule::DateOrder),
            ("pauses[0].to", Rule::DateOrder),
            ("status", Rule::UnknownValue),
        ]
    );
}

#[test]
fn product_prices_and_gst_are_dated() {
    let p = Product::from_document(&json!({"id": "GHEE", "name": "Ghee", "unit": "kg",
        "prices": [{"price": 650, "effective_from": "2026-01-16"},
                   {"price": "600.00", "effective_from": "2026-01-01"}],
        "gst_rate": 12, "gst_rates": [{"rate": 5, "effective_from": "2026-02-01"}]}))
    .unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    assert_eq!(p.price_on(day(1, 15)).unwrap().to_string(), "600.00");
    assert_eq!(p.price_on(day(1, 16)).unwrap().to_string(), "650");
    assert_eq!(p.gst_rate_on(day(1, 20)).to_string(), "12");
    assert_eq!(p.gst_rate_on(day(2, 1)).to_string(), "5");
    let before = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    assert_eq!(p.price_on(before), None);
    let again = serde_json::to_value(&p).unwrap();
    assert_eq!(Product::from_document(&again).unwrap(), p);
}

#[test]
fn payments_must_be_positive_and_of_a_known_method() {
    let err = Payment::from_document(&json!({"id": "PAY", "customer_id": "C", "amount": "0",
        "method": "cheque", "date": "2026-01-31"}))
    .unwrap_err();
    assert_eq!(
        rules(&err),
        vec![("amount", Rule::Positive), ("method", Rule::UnknownValue)]
    );
}

#[test]
fn references_are_checked_against_the_loaded_set() {
    let data = Dataset {
        customers: vec![
            Customer::from_json(r#"{"id": "C1", "name": "A", "phone": "9876543210", "signup_date": "2026-01-01", "referred_by": "C9"}"#)
                .unwrap(),
        ],
        orders: vec![
            Order::from_json(r#"{"id": "O1", "customer_id": "C2", "delivery_date": "2026-01-15", "status": "PENDING", "items": [{"product_id": "P", "quantity": 1, "unit_price": 1}]}"#)
                .unwrap(),
        ],
        ..Dataset::default()
    };
    let err = data.validate_references().unwrap_err();
    assert_eq!(
        rules(&err),
        vec![
            ("customers[0].referred_by", Rule::UnknownReference),
            ("orders[0].customer_id", Rule::UnknownReference),
        ]
    );
}

#[test]
fn serde_deserialize_goes_through_the_same_checks() {
    let err = serde_json::from_str::<Payment>(
        r#"{"id": "PAY", "customer_id": "C", "amount": -5, "method": "upi", "date": "2026-01-31"}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("amount"), "{err}");
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-zA-Z0-9_ +.:-]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "2026-01-15",
            "DELIVERED",
            "9876543210",
            "1e400",
            "-0.0001",
            "daily"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    let keys = prop::sample::select(vec![
        "id",
        "customer_id",
        "items",
        "product_id",
        "quantity",
        "unit_price",
        "delivered_quantity",
        "delivery_date",
        "status",
        "phone",
        "name",
        "signup_date",
        "prices",
        "price",
        "effective_from",
        "schedule",
        "kind",
        "days",
        "quantities",
        "start_date",
        "end_date",
        "pauses",
        "from",
        "to",
        "amount",
        "method",
        "date",
        "subscription_id",
        "order_id",
        "ordered_quantity",
        "gst_rate",
        "email",
        "lat",
        "mon",
    ]);
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..10).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics_and_errors_always_name_a_field(doc in arbitrary_json()) {
        fn check<R: Record>(doc: &Value) -> Result<(), TestCaseError> {
            if let Err(e) = R::from_document(doc) {
                prop_assert!(!e.problems.is_empty());
                prop_assert!(e.problems.iter().all(|p| !p.field.is_empty()));
            }
            Ok(())
        }
        check::<Customer>(&doc)?;
        check::<Product>(&doc)?;
        check::<Subscription>(&doc)?;
        check::<Order>(&doc)?;
        check::<DeliveryRecord>(&doc)?;
        check::<Payment>(&doc)?;
    }

    #[test]
    fn accepted_records_pass_their_own_validation_and_round_trip(doc in arbitrary_json()) {
        fn check<R: Record + serde::Serialize + PartialEq + std::fmt::Debug>(doc: &Value) -> Result<(), TestCaseError> {
            if let Ok(record) = R::from_document(doc) {
                prop_assert_eq!(record.validate(), Ok(()));
                let again = serde_json::to_value(&record).unwrap();
                prop_assert_eq!(R::from_document(&again).unwrap(), record);
            }
            Ok(())
        }
        check::<Order>(&doc)?;
        check::<Payment>(&doc)?;
        check::<DeliveryRecord>(&doc)?;
    }
}

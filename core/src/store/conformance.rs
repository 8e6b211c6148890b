//! The conformance suite every [`Store`] implementation must pass, written once.
//!
//! Each check gets a fresh, empty store from the factory. A check that fails panics with
//! what it expected, so a store's test is one line:
//!
//! ```ignore
//! earlybird::store::conformance::run(|| async { MyStore::open_temporary().await }).await;
//! ```

use std::future::Future;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::{ChangeSet, Expectation, LoyaltyFact, RecordKind, Store, StoreError, Write};
use crate::activation::{
    ActivationEvent, ActivationState, Cause, CustomerSnapshot, EventKind, Snapshot, SweepRule,
    Transition,
};
use crate::audit::AuditRecord;
use crate::billing::{
    self, Bill, BillStatus, BillingConfig, Credit, CreditKind, FinancialYear, LineKind, Month,
    NumberSeries, SourceRef, WalletEntry, WalletEntryKind,
};
use crate::lifecycle::{self, Actor};
use crate::loyalty::{LoyaltyEvent, RedemptionRequest};
use crate::notification::NotificationIntent;
use crate::record::{
    Customer, DatedPrice, DatedRate, DeliveryRecord, DeliverySource, DeliveryStatus, Order,
    OrderItem, OrderStatus, Pause, Payment, PaymentMethod, Product, Record, Schedule, Subscription,
    SubscriptionStatus,
};

/// Runs every check, each on a fresh store; returns how many checks ran.
pub async fn run<S, F, Fut>(fresh: F) -> usize
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    records_round_trip(&fresh().await).await;
    writes_replace_by_id(&fresh().await).await;
    lists_are_filtered_and_sorted(&fresh().await).await;
    absent_expectation_guards_creation(&fresh().await).await;
    order_status_expectation_guards_transitions(&fresh().await).await;
    a_failed_change_set_leaves_nothing_behind(&fresh().await).await;
    invalid_records_are_refused_whole(&fresh().await).await;
    audit_trail_keeps_order_and_entity(&fresh().await).await;
    outbox_hands_each_intent_to_one_claimant(&fresh().await).await;
    outbox_reclaims_after_a_lease_expires(&fresh().await).await;
    lifecycle_outcome_is_stored_in_one_change(&fresh().await).await;
    concurrent_changes_are_all_kept(&fresh().await).await;
    racing_confirmations_apply_once(&fresh().await).await;
    activation_state_is_kept(&fresh().await).await;
    loyalty_facts_are_kept_once_per_key(&fresh().await).await;
    billing_reads_one_view_of_the_records(&fresh().await).await;
    bills_and_the_number_series_are_kept(&fresh().await).await;
    a_source_is_billed_once(&fresh().await).await;
    credits_are_kept_once_per_id(&fresh().await).await;
    wallet_entries_are_kept_once_and_never_overdraw(&fresh().await).await;
    20
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).expect("a January day")
}

fn instant(minute: i64) -> DateTime<Utc> {
    day(15).and_hms_opt(0, 0, 0).expect("midnight").and_utc() + Duration::minutes(minute)
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal literal")
}

/// A customer with every optional field set, so a store must keep them all.
pub fn customer(id: &str) -> Customer {
    Customer {
        id: id.to_owned(),
        name: format!("Customer {id}"),
        phone: "+919845012345".to_owned(),
        email: Some("asha@example.in".to_owned()),
        address: Some("12, 4th Cross, Indiranagar".to_owned()),
        lat: Some(12.9719),
        lon: Some(77.6412),
        user_id: Some(format!("U-{id}")),
        delivery_boy_id: Some("DB_7".to_owned()),
        signup_date: day(2),
        referred_by: Some("C0".to_owned()),
    }
}

fn product(id: &str) -> Product {
    Product {
        id: id.to_owned(),
        name: "Toned milk 500 ml".to_owned(),
        unit: Some("packet".to_owned()),
        prices: vec![
            DatedPrice {
                price: dec("28.00"),
                effective_from: day(1),
            },
            DatedPrice {
                price: dec("30.50"),
                effective_from: day(16),
            },
        ],
        gst_rates: vec![
            DatedRate {
                rate: dec("0"),
                effective_from: None,
            },
            DatedRate {
                rate: dec("5"),
                effective_from: Some(day(20)),
            },
        ],
    }
}

fn subscription(id: &str, customer: &str) -> Subscription {
    Subscription {
        id: id.to_owned(),
        customer_id: customer.to_owned(),
        product_id: "P1".to_owned(),
        quantity: dec("0.5"),
        schedule: Schedule::Weekdays {
            days: vec![crate::record::Weekday::Mon, crate::record::Weekday::Thu],
        },
        start_date: day(1),
        end_date: Some(day(31)),
        pauses: vec![Pause {
            from: day(10),
            to: day(12),
        }],
        price_override: Some(dec("27.00")),
        status: SubscriptionStatus::Active,
    }
}

fn order(id: &str, customer: &str, delivery: NaiveDate) -> Order {
    Order {
        id: id.to_owned(),
        customer_id: customer.to_owned(),
        items: vec![
            OrderItem {
                product_id: "P1".into(),
                quantity: dec("2"),
                unit_price: dec("28.50"),
                delivered_quantity: None,
            },
            OrderItem {
                product_id: "P2".into(),
                quantity: dec("1.250"),
                unit_price: dec("90"),
                delivered_quantity: None,
            },
        ],
        delivery_date: delivery,
        status: OrderStatus::OutForDelivery,
        created_at: Some(instant(-600)),
    }
}

fn delivery(id: &str, customer: &str, date: NaiveDate) -> DeliveryRecord {
    DeliveryRecord {
        id: id.to_owned(),
        customer_id: customer.to_owned(),
        date,
        source: DeliverySource::Subscription("S1".into()),
        product_id: "P1".into(),
        ordered_quantity: dec("1.5"),
        delivered_quantity: dec("1"),
        status: DeliveryStatus::PartiallyDelivered,
        reason: Some("short stock".into()),
        delivery_boy_id: Some("DB_7".into()),
        confirmed_at: Some(instant(70)),
    }
}

fn payment(id: &str, customer: &str, date: NaiveDate) -> Payment {
    Payment {
        id: id.to_owned(),
        customer_id: customer.to_owned(),
        amount: dec("1234.50"),
        method: PaymentMethod::Upi,
        date,
        reference: Some("UPI-REF-1".into()),
    }
}

fn intent(template: &str, customer: &str) -> NotificationIntent {
    NotificationIntent {
        template: template.to_owned(),
        customer_id: customer.to_owned(),
        variables: [("name".to_owned(), "Asha".to_owned())]
            .into_iter()
            .collect(),
        at: instant(0),
    }
}

fn audit(entity_id: &str, action: &str, minute: i64) -> AuditRecord {
    AuditRecord::change(
        Order::KIND,
        entity_id,
        action,
        "tester",
        instant(minute),
        None,
        Some(&order(entity_id, "C1", day(15))),
    )
}

async fn ok<T>(what: &str, result: Result<T, StoreError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{what}: unexpected store error {e}"),
    }
}

async fn records_round_trip<S: Store>(store: &S) {
    let changes = ChangeSet::new()
        .write(Write::Customer(customer("C1")))
        .write(Write::Product(product("P1")))
        .write(Write::Subscription(subscription("S1", "C1")))
        .write(Write::Order(order("O1", "C1", day(15))))
        .write(Write::Delivery(delivery("D1", "C1", day(15))))
        .write(Write::Payment(payment("PAY1", "C1", day(31))));
    ok("apply", store.apply(changes).await).await;
    assert_eq!(
        ok("customer", store.customer("C1").await).await,
        Some(customer("C1")),
        "customer round trip"
    );
    assert_eq!(
        ok("product", store.product("P1").await).await,
        Some(product("P1")),
        "product round trip"
    );
    assert_eq!(
        ok("subscription", store.subscription("S1").await).await,
        Some(subscription("S1", "C1")),
        "subscription round trip"
    );
    assert_eq!(
        ok("order", store.order("O1").await).await,
        Some(order("O1", "C1", day(15))),
        "order round trip"
    );
    assert_eq!(
        ok("delivery", store.delivery("D1").await).await,
        Some(delivery("D1", "C1", day(15))),
        "delivery round trip"
    );
    assert_eq!(
        ok("payment", store.payment("PAY1").await).await,
        Some(payment("PAY1", "C1", day(31))),
        "payment round trip"
    );
    assert_eq!(
        ok("missing", store.customer("C404").await).await,
        None,
        "a missing id is None"
    );
    // Decimals keep their scale: "28.50" must not come back as "28.5".
    let o = ok("order", store.order("O1").await).await.expect("stored");
    assert_eq!(
        o.items[0].unit_price.to_string(),
        "28.50",
        "decimal scale kept"
    );
    assert_eq!(
        o.items[1].quantity.to_string(),
        "1.250",
        "quantity scale kept"
    );
}

async fn writes_replace_by_id<S: Store>(store: &S) {
    ok(
        "first",
        store
            .apply(ChangeSet::new().write(Write::Customer(customer("C1"))))
            .await,
    )
    .await;
    let renamed = Customer {
        name: "Asha Rao".into(),
        email: None,
        ..customer("C1")
    };
    ok(
        "second",
        store
            .apply(ChangeSet::new().write(Write::Customer(renamed.clone())))
            .await,
    )
    .await;
    assert_eq!(
        ok("read", store.customer("C1").await).await,
        Some(renamed),
        "a write replaces the record"
    );
    assert_eq!(
        ok("list", store.customers().await).await.len(),
        1,
        "no duplicate after a replace"
    );
}

async fn lists_are_filtered_and_sorted<S: Store>(store: &S) {
    let changes = ChangeSet::new()
        .write(Write::Customer(customer("C2")))
        .write(Write::Customer(customer("C1")))
        .write(Write::Product(product("P2")))
        .write(Write::Product(product("P1")))
        .write(Write::Subscription(subscription("S2", "C1")))
        .write(Write::Subscription(subscription("S1", "C1")))
        .write(Write::Subscription(subscription("S3", "C2")))
        .write(Write::Order(order("O3", "C1", day(20))))
        .write(Write::Order(order("O2", "C1", day(10))))
        .write(Write::Order(order("O1", "C2", day(10))))
        .write(Write::Delivery(delivery("D3", "C1", day(5))))
        .write(Write::Delivery(delivery("D2", "C1", day(5))))
        .write(Write::Delivery(delivery("D1", "C2", day(31))))
        .write(Write::Payment(payment("PAY2", "C1", day(3))))
        .write(Write::Payment(payment("PAY1", "C1", day(9))));
    ok("apply", store.apply(changes).await).await;
    let ids = |v: Vec<String>| v;
    assert_eq!(
        ids(ok("customers", store.customers().await)
            .await
            .into_iter()
            .map(|c| c.id)
            .collect()),
        ["C1", "C2"]
    );
    assert_eq!(
        ids(ok("products", store.products().await)
            .await
            .into_iter()
            .map(|p| p.id)
            .collect()),
        ["P1", "P2"]
    );
    assert_eq!(
        ids(ok("subs", store.subscriptions_of("C1").await)
            .await
            .into_iter()
            .map(|s| s.id)
            .collect()),
        ["S1", "S2"]
    );
    assert_eq!(
        ids(ok("orders", store.orders_of("C1").await)
            .await
            .into_iter()
            .map(|o| o.id)
            .collect()),
        ["O2", "O3"]
    );
    assert_eq!(
        ids(ok(
            "orders between",
            store.orders_between(day(10), day(19)).await
        )
        .await
        .into_iter()
        .map(|o| o.id)
        .collect()),
        ["O1", "O2"],
        "orders by delivery date, inclusive range"
    );
    assert_eq!(
        ids(ok("deliveries", store.deliveries_of("C1").await)
            .await
            .into_iter()
            .map(|d| d.id)
            .collect()),
        ["D2", "D3"]
    );
    assert_eq!(
        ids(ok(
            "deliveries between",
            store.deliveries_between(day(5), day(31)).await
        )
        .await
        .into_iter()
        .map(|d| d.id)
        .collect()),
        ["D2", "D3", "D1"],
        "deliveries by date then id, inclusive range"
    );
    assert_eq!(
        ids(ok("payments", store.payments_of("C1").await)
            .await
            .into_iter()
            .map(|p| p.id)
            .collect()),
        ["PAY2", "PAY1"]
    );
    assert!(ok("none", store.orders_of("C404").await).await.is_empty());
}

async fn absent_expectation_guards_creation<S: Store>(store: &S) {
    let create = || {
        ChangeSet::new()
            .expect(Expectation::Absent {
                kind: RecordKind::Customer,
                id: "C1".into(),
            })
            .write(Write::Customer(customer("C1")))
    };
    ok("first", store.apply(create()).await).await;
    match store.apply(create()).await {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("creating C1 twice must conflict, got {other:?}"),
    }
}

async fn order_status_expectation_guards_transitions<S: Store>(store: &S) {
    ok(
        "seed",
        store
            .apply(ChangeSet::new().write(Write::Order(order("O1", "C1", day(15)))))
            .await,
    )
    .await;
    let cancelled = Order {
        status: OrderStatus::Cancelled,
        ..order("O1", "C1", day(15))
    };
    let guarded = |status| {
        ChangeSet::new()
            .expect(Expectation::OrderStatus {
                order_id: "O1".into(),
                status,
            })
            .write(Write::Order(cancelled.clone()))
    };
    match store.apply(guarded(OrderStatus::Pending)).await {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("a wrong expected status must conflict, got {other:?}"),
    }
    ok(
        "right status",
        store.apply(guarded(OrderStatus::OutForDelivery)).await,
    )
    .await;
    let stored = ok("read", store.order("O1").await).await.map(|o| o.status);
    assert_eq!(stored, Some(OrderStatus::Cancelled));
    match store
        .apply(ChangeSet::new().expect(Expectation::OrderStatus {
            order_id: "O404".into(),
            status: OrderStatus::Pending,
        }))
        .await
    {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("an expectation on a missing order must conflict, got {other:?}"),
    }
}

async fn a_failed_change_set_leaves_nothing_behind<S: Store>(store: &S) {
    ok(
        "seed",
        store
            .apply(ChangeSet::new().write(Write::Customer(customer("C1"))))
            .await,
    )
    .await;
    let doomed = ChangeSet::new()
        .write(Write::Order(order("O1", "C1", day(15))))
        .write(Write::Payment(payment("PAY1", "C1", day(15))))
        .audit([audit("O1", "created", 0)])
        .notify([intent("order_confirmation", "C1")])
        .expect(Expectation::Absent {
            kind: RecordKind::Customer,
            id: "C1".into(),
        });
    assert!(
        matches!(store.apply(doomed).await, Err(StoreError::Conflict(_))),
        "the expectation fails"
    );
    assert_eq!(
        ok("order", store.order("O1").await).await,
        None,
        "no write of a failed change set"
    );
    assert_eq!(
        ok("payment", store.payment("PAY1").await).await,
        None,
        "no write of a failed change set"
    );
    assert!(
        ok("audit", store.audit_trail("order", "O1").await)
            .await
            .is_empty(),
        "no audit of a failed change set"
    );
    let claimed = ok(
        "claim",
        store
            .claim_intents("w", 10, instant(0), Duration::minutes(5))
            .await,
    )
    .await;
    assert!(claimed.is_empty(), "no intent of a failed change set");
}

async fn invalid_records_are_refused_whole<S: Store>(store: &S) {
    let mut bad = order("O1", "C1", day(15));
    bad.items[0].quantity = dec("-1");
    let changes = ChangeSet::new()
        .write(Write::Customer(customer("C1")))
        .write(Write::Order(bad));
    match store.apply(changes).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.fields(), ["writes[1].items[0].quantity"]),
        other => panic!("an invalid record must be refused, got {other:?}"),
    }
    assert_eq!(
        ok("customer", store.customer("C1").await).await,
        None,
        "nothing of an invalid change set is written"
    );
}

async fn audit_trail_keeps_order_and_entity<S: Store>(store: &S) {
    ok(
        "a",
        store
            .apply(ChangeSet::new().audit([audit("O1", "created", 5), audit("O2", "created", 1)]))
            .await,
    )
    .await;
    ok(
        "b",
        store
            .apply(ChangeSet::new().audit([audit("O1", "dispatched", 2)]))
            .await,
    )
    .await;
    let trail = ok("trail", store.audit_trail("order", "O1").await).await;
    let actions: Vec<_> = trail.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        ["created", "dispatched"],
        "in the order written, not by instant"
    );
    assert_eq!(
        trail[0],
        audit("O1", "created", 5),
        "audit records round trip whole"
    );
    assert!(
        ok("other", store.audit_trail("delivery", "O1").await)
            .await
            .is_empty(),
        "filtered by entity kind"
    );
}

async fn outbox_hands_each_intent_to_one_claimant<S: Store>(store: &S) {
    let applied = ok(
        "apply",
        store
            .apply(ChangeSet::new().notify([
                intent("welcome", "C1"),
                intent("welcome", "C2"),
                intent("welcome", "C3"),
            ]))
            .await,
    )
    .await;
    assert_eq!(applied.outbox.len(), 3);
    assert!(
        applied.outbox.windows(2).all(|w| w[0] < w[1]),
        "sequence numbers increase"
    );
    let lease = Duration::minutes(5);
    let a = ok("a", store.claim_intents("a", 2, instant(0), lease).await).await;
    let b = ok("b", store.claim_intents("b", 10, instant(1), lease).await).await;
    let customers = |v: &[super::OutboxEntry]| {
        v.iter()
            .map(|e| e.intent.customer_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(customers(&a), ["C1", "C2"], "oldest first, up to the limit");
    assert_eq!(customers(&b), ["C3"], "a leased intent goes to no one else");
    assert_eq!(
        a[0].intent,
        intent("welcome", "C1"),
        "intents round trip whole"
    );
    assert_eq!(
        ok("wrong claimant", store.mark_sent("b", &[a[0].seq]).await).await,
        0,
        "only the holder marks"
    );
    assert_eq!(
        ok("mark", store.mark_sent("a", &[a[0].seq, a[1].seq]).await).await,
        2
    );
    assert_eq!(
        ok("again", store.mark_sent("a", &[a[0].seq]).await).await,
        0,
        "marking twice counts once"
    );
    let later = ok(
        "later",
        store.claim_intents("c", 10, instant(60), lease).await,
    )
    .await;
    assert_eq!(
        customers(&later),
        ["C3"],
        "sent intents are never handed out again; expired leases are"
    );
}

async fn outbox_reclaims_after_a_lease_expires<S: Store>(store: &S) {
    ok(
        "apply",
        store
            .apply(ChangeSet::new().notify([intent("we_miss_you", "C1")]))
            .await,
    )
    .await;
    let lease = Duration::minutes(5);
    let first = ok(
        "first",
        store.claim_intents("a", 10, instant(0), lease).await,
    )
    .await;
    assert_eq!(first.len(), 1);
    assert!(
        ok(
            "during",
            store.claim_intents("b", 10, instant(4), lease).await
        )
        .await
        .is_empty(),
        "held during the lease"
    );
    let second = ok(
        "after",
        store.claim_intents("b", 10, instant(5), lease).await,
    )
    .await;
    assert_eq!(second.len(), 1, "handed out again once the lease expired");
    assert_eq!(
        ok("stale holder", store.mark_sent("a", &[first[0].seq]).await).await,
        0,
        "the old holder lost it"
    );
    assert_eq!(
        ok("new holder", store.mark_sent("b", &[second[0].seq]).await).await,
        1
    );
}

async fn lifecycle_outcome_is_stored_in_one_change<S: Store>(store: &S) {
    let placed = order("O1", "C1", day(15));
    ok(
        "seed",
        store
            .apply(ChangeSet::new().write(Write::Order(placed.clone())))
            .await,
    )
    .await;
    let actor = Actor::new("DB_7", instant(70));
    let outcome = match lifecycle::confirm_delivery(&placed, &[dec("2"), dec("1")], None, &actor) {
        Ok(outcome) => outcome,
        Err(e) => panic!("confirmation: {e}"),
    };
    let changes = ChangeSet::new()
        .expect(Expectation::OrderStatus {
            order_id: "O1".into(),
            status: placed.status,
        })
        .write(Write::Order(outcome.order.clone()))
        .audit(outcome.audit.clone());
    let changes = outcome
        .deliveries
        .iter()
        .cloned()
        .fold(changes, |c, d| c.write(Write::Delivery(d)));
    ok("store the outcome", store.apply(changes.clone()).await).await;
    assert_eq!(
        ok("order", store.order("O1").await).await,
        Some(outcome.order.clone())
    );
    let deliveries = ok("deliveries", store.deliveries_of("C1").await).await;
    assert_eq!(
        deliveries, outcome.deliveries,
        "one delivery record per item"
    );
    assert_eq!(
        ok("audit", store.audit_trail("order", "O1").await).await,
        outcome.audit
    );
    assert!(
        matches!(store.apply(changes).await, Err(StoreError::Conflict(_))),
        "a replayed confirmation conflicts"
    );
    assert_eq!(
        ok("audit", store.audit_trail("order", "O1").await)
            .await
            .len(),
        1,
        "and writes no second audit record"
    );
}

async fn concurrent_changes_are_all_kept<S: Store>(store: &S) {
    let writes = (0..20).map(|i| {
        store.apply(
            ChangeSet::new()
                .write(Write::Payment(payment(
                    &format!("PAY{i:02}"),
                    "C1",
                    day(1 + (i % 28) as u32),
                )))
                .notify([intent("payment_confirmation", "C1")]),
        )
    });
    for result in futures::future::join_all(writes).await {
        ok("concurrent apply", result).await;
    }
    assert_eq!(
        ok("payments", store.payments_of("C1").await).await.len(),
        20
    );
    let claimed = ok(
        "claim",
        store
            .claim_intents("w", 100, instant(0), Duration::minutes(1))
            .await,
    )
    .await;
    let mut seqs: Vec<u64> = claimed.iter().map(|e| e.seq).collect();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        20,
        "every intent kept once with its own sequence number"
    );
}

/// Ten app servers confirm the same order at once: exactly one wins, the others conflict,
/// and the trail holds one confirmation.
async fn racing_confirmations_apply_once<S: Store>(store: &S) {
    let placed = order("O1", "C1", day(15));
    ok(
        "seed",
        store
            .apply(ChangeSet::new().write(Write::Order(placed.clone())))
            .await,
    )
    .await;
    let attempts = (0..10).map(|i| {
        let actor = Actor::new(format!("DB_{i}"), instant(70 + i));
        let outcome = lifecycle::confirm_delivery(&placed, &[dec("2"), dec("1")], None, &actor)
            .unwrap_or_else(|e| panic!("confirmation: {e}"));
        let changes = ChangeSet::new()
            .expect(Expectation::OrderStatus {
                order_id: "O1".into(),
                status: placed.status,
            })
            .write(Write::Order(outcome.order))
            .audit(outcome.audit)
            .notify([intent("delivery_confirmed", "C1")]);
        store.apply(changes)
    });
    let results = futures::future::join_all(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict(_))))
        .count();
    assert_eq!(
        (won, conflicts),
        (1, 9),
        "one confirmation wins, the rest conflict: {results:?}"
    );
    assert_eq!(
        ok("audit", store.audit_trail("order", "O1").await)
            .await
            .len(),
        1,
        "one audit record"
    );
    let claimed = ok(
        "claim",
        store
            .claim_intents("w", 100, instant(0), Duration::minutes(1))
            .await,
    )
    .await;
    assert_eq!(claimed.len(), 1, "one notification");
}

fn activation_event(
    customer: &str,
    kind: EventKind,
    minute: i64,
    order: Option<&str>,
) -> ActivationEvent {
    ActivationEvent {
        customer_id: customer.to_owned(),
        kind,
        at: instant(minute),
        sequence: u64::try_from(minute).unwrap_or_default(),
        order_id: order.map(str::to_owned),
        subscription_id: None,
    }
}

/// Events are kept once per key and read back in time order; the snapshot is replaced and
/// guards the change; the timeline is appended to.
async fn activation_state_is_kept<S: Store>(store: &S) {
    let signup = activation_event("C1", EventKind::SignedUp, 1, None);
    let placed = activation_event("C1", EventKind::OrderPlaced, 5, Some("O1"));
    let mut snapshot = CustomerSnapshot {
        customer_id: "C1".into(),
        snapshot: Snapshot {
            state: Some(ActivationState::New),
            as_of: day(15),
            ..Snapshot::default()
        },
    };
    snapshot.snapshot.dates.signed_up_at = Some(instant(1));
    let transition = Transition {
        from: Some(ActivationState::Active),
        to: ActivationState::Inactive,
        cause: Cause::Sweep {
            rule: SweepRule::Inactivity,
        },
        at: instant(3),
        last_activity_on: Some(day(2)),
    };
    let first = ChangeSet::new()
        .expect(Expectation::ActivationSnapshot {
            customer_id: "C1".into(),
            snapshot: None,
        })
        .write(Write::ActivationEvent(placed.clone()))
        .write(Write::ActivationEvent(signup.clone()))
        .write(Write::ActivationSnapshot(snapshot.clone()))
        .write(Write::ActivationTransition {
            customer_id: "C1".into(),
            transition: transition.clone(),
        });
    ok("activation state applies", store.apply(first.clone()).await).await;
    let stale = store.apply(first).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(_))),
        "a stale snapshot expectation is a conflict: {stale:?}"
    );
    let again = ChangeSet::new()
        .write(Write::ActivationEvent(ActivationEvent {
            sequence: 99,
            ..placed.clone()
        }))
        .write(Write::ActivationEvent(activation_event(
            "C2",
            EventKind::SignedUp,
            2,
            None,
        )))
        .write(Write::ActivationSnapshot(CustomerSnapshot {
            customer_id: "C0".into(),
            snapshot: Snapshot::default(),
        }));
    ok(
        "a repeated event applies as a no-op",
        store.apply(again).await,
    )
    .await;
    assert_eq!(
        ok("events read", store.activation_events("C1").await).await,
        vec![signup, placed],
        "events are kept once per key, in time order"
    );
    assert_eq!(
        ok("snapshot read", store.activation_snapshot("C1").await).await,
        Some(snapshot.clone())
    );
    let ids: Vec<String> = ok("snapshots read", store.activation_snapshots().await)
        .await
        .into_iter()
        .map(|s| s.customer_id)
        .collect();
    assert_eq!(ids, ["C0", "C1"]);
    assert_eq!(
        ok("timeline read", store.activation_timeline("C1").await).await,
        vec![transition]
    );
    assert!(
        ok("no timeline", store.activation_timeline("C2").await)
            .await
            .is_empty()
    );
    ok(
        "the current snapshot holds",
        store
            .apply(ChangeSet::new().expect(Expectation::ActivationSnapshot {
                customer_id: "C1".into(),
                snapshot: Some(snapshot.snapshot),
            }))
            .await,
    )
    .await;
}

/// A member's facts come back in the order written; a key already used is a no-op, and the
/// count expectation guards against a concurrent change.
async fn loyalty_facts_are_kept_once_per_key<S: Store>(store: &S) {
    let earn = LoyaltyFact::Event {
        event: LoyaltyEvent::PaymentReceived {
            payment: payment("PAY1", "C1", day(3)),
            at: instant(0),
        },
    };
    let redeem = LoyaltyFact::Redemption {
        request: RedemptionRequest {
            customer_id: "C1".into(),
            key: "BILL-1".into(),
            points: 100,
            bill_charges: dec("500.00"),
            at: instant(10),
        },
    };
    let fact = |key: &str, fact: &LoyaltyFact| Write::LoyaltyFact {
        customer_id: "C1".into(),
        key: key.into(),
        fact: fact.clone(),
    };
    let first = ChangeSet::new()
        .expect(Expectation::LoyaltyFacts {
            customer_id: "C1".into(),
            count: 0,
        })
        .write(fact("earn:PAY1", &earn))
        .write(fact("redeem:BILL-1", &redeem))
        .write(fact("earn:PAY1", &redeem));
    ok("facts apply", store.apply(first.clone()).await).await;
    let stale = store.apply(first).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(_))),
        "a stale count is a conflict: {stale:?}"
    );
    ok(
        "a used key applies as a no-op",
        store
            .apply(
                ChangeSet::new()
                    .expect(Expectation::LoyaltyFacts {
                        customer_id: "C1".into(),
                        count: 2,
                    })
                    .write(fact("redeem:BILL-1", &earn)),
            )
            .await,
    )
    .await;
    assert_eq!(
        ok("facts read", store.loyalty_facts("C1").await).await,
        vec![earn, redeem]
    );
    assert!(
        ok("no facts", store.loyalty_facts("C2").await)
            .await
            .is_empty()
    );
}

/// January's records for billing (a subscription delivery and a delivered one-time order)
/// and February's (which a January run must not read).
async fn billable_records<S: Store>(store: &S) {
    let mut delivered = order("O1", "C1", day(15));
    delivered.status = OrderStatus::Delivered;
    for item in &mut delivered.items {
        item.delivered_quantity = Some(item.quantity);
    }
    let february = NaiveDate::from_ymd_opt(2026, 2, 3).expect("a February day");
    let changes = ChangeSet::new()
        .write(Write::Product(product("P1")))
        .write(Write::Product(Product {
            id: "P2".into(),
            ..product("P1")
        }))
        .write(Write::Subscription(subscription("S1", "C1")))
        .write(Write::Delivery(delivery("D1", "C1", day(5))))
        .write(Write::Delivery(delivery("D2", "C1", february)))
        .write(Write::Order(delivered))
        .write(Write::Order(order("O2", "C1", february)))
        .write(Write::Payment(payment("PAY1", "C1", day(20))));
    ok("billable records", store.apply(changes).await).await;
}

/// January's bill of C1, computed from what the store reads and numbered first in its year.
async fn january_bill<S: Store>(store: &S) -> (Bill, NumberSeries) {
    let january = Month::new(2026, 1).expect("January");
    let input = ok("billing input", store.billing_input(day(31)).await).await;
    let drafts =
        billing::bill_month(&input, january, &BillingConfig::default()).expect("January bills");
    let series = NumberSeries::new(FinancialYear(2025));
    let (mut bills, series) =
        billing::finalize_all(&drafts, &input.bills, series, &BillingConfig::default())
            .expect("January finalizes");
    assert_eq!(bills.len(), 1, "one customer to bill");
    (bills.remove(0), series)
}

async fn billing_reads_one_view_of_the_records<S: Store>(store: &S) {
    billable_records(store).await;
    let input = ok("billing input", store.billing_input(day(31)).await).await;
    let ids = |v: Vec<&str>| v.join(",");
    assert_eq!(
        ids(input.products.iter().map(|p| p.id.as_str()).collect()),
        "P1,P2"
    );
    assert_eq!(input.subscriptions, [subscription("S1", "C1")]);
    assert_eq!(
        input.deliveries,
        [delivery("D1", "C1", day(5))],
        "records dated after the run's last day are not read"
    );
    assert_eq!(
        ids(input.orders.iter().map(|o| o.id.as_str()).collect()),
        "O1"
    );
    assert_eq!(input.payments, [payment("PAY1", "C1", day(20))]);
    assert!(input.bills.is_empty());
    let later = NaiveDate::from_ymd_opt(2026, 2, 28).expect("a date");
    let input = ok("billing input", store.billing_input(later).await).await;
    assert_eq!(
        ids(input.deliveries.iter().map(|d| d.id.as_str()).collect()),
        "D1,D2"
    );
    assert_eq!(
        ids(input.orders.iter().map(|o| o.id.as_str()).collect()),
        "O1,O2"
    );
}

async fn bills_and_the_number_series_are_kept<S: Store>(store: &S) {
    billable_records(store).await;
    assert_eq!(ok("series", store.number_series().await).await, None);
    let (bill, series) = january_bill(store).await;
    assert_eq!(bill.number.as_deref(), Some("EB/25-26/000001"));
    let changes = ChangeSet::new()
        .expect(Expectation::NumberSeries { series: None })
        .write(Write::Bill(bill.clone()))
        .write(Write::NumberSeries(series));
    ok("finalized bill", store.apply(changes).await).await;
    assert_eq!(
        ok("bill", store.bill("EB/25-26/000001").await).await,
        Some(bill.clone()),
        "a bill reads back whole, lines and sources included"
    );
    assert_eq!(
        ok("bills of", store.bills_of("C1").await).await,
        std::slice::from_ref(&bill)
    );
    assert!(ok("bills of", store.bills_of("C2").await).await.is_empty());
    assert_eq!(
        ok("series", store.number_series().await).await,
        Some(series)
    );
    let input = ok("billing input", store.billing_input(day(31)).await).await;
    assert_eq!(input.bills, [bill]);

    let stale = ChangeSet::new()
        .expect(Expectation::NumberSeries { series: None })
        .write(Write::Customer(customer("C9")));
    assert!(
        matches!(store.apply(stale).await, Err(StoreError::Conflict(_))),
        "numbering from a series that moved on is refused"
    );
    assert_eq!(ok("customer", store.customer("C9").await).await, None);

    let next_year = NumberSeries {
        financial_year: FinancialYear(2026),
        last: 7,
    };
    let changes = ChangeSet::new()
        .expect(Expectation::NumberSeries {
            series: Some(series),
        })
        .write(Write::NumberSeries(next_year));
    ok("next year", store.apply(changes).await).await;
    assert_eq!(
        ok("series", store.number_series().await).await,
        Some(next_year),
        "the latest financial year's series"
    );
    let moved = NumberSeries {
        last: 8,
        ..next_year
    };
    ok(
        "series moves on",
        store
            .apply(ChangeSet::new().write(Write::NumberSeries(moved)))
            .await,
    )
    .await;
    assert_eq!(ok("series", store.number_series().await).await, Some(moved));
}

async fn a_source_is_billed_once<S: Store>(store: &S) {
    billable_records(store).await;
    let (bill, _) = january_bill(store).await;
    ok(
        "first bill",
        store
            .apply(ChangeSet::new().write(Write::Bill(bill.clone())))
            .await,
    )
    .await;
    let again = Bill {
        number: Some("EB/25-26/000002".into()),
        ..bill.clone()
    };
    let refused = ChangeSet::new()
        .write(Write::Customer(customer("C9")))
        .write(Write::Bill(again.clone()));
    assert!(
        matches!(store.apply(refused).await, Err(StoreError::Conflict(_))),
        "a source already billed is refused"
    );
    assert_eq!(ok("bill", store.bill("EB/25-26/000002").await).await, None);
    assert_eq!(
        ok("customer", store.customer("C9").await).await,
        None,
        "nothing of the change is written"
    );
    let same_number = ChangeSet::new().write(Write::Bill(Bill {
        customer_id: "C2".into(),
        lines: Vec::new(),
        taxes: Vec::new(),
        subtotal: dec("0"),
        credits: dec("0"),
        tax: dec("0"),
        round_off: dec("0"),
        total: dec("0"),
        opening_balance: dec("0"),
        wallet_applied: dec("0"),
        amount_due: dec("0"),
        wallet_payment: None,
        ..bill.clone()
    }));
    assert!(
        matches!(store.apply(same_number).await, Err(StoreError::Conflict(_))),
        "a number is given once"
    );
    assert_eq!(ok("bills of", store.bills_of("C2").await).await, []);

    // A correction names a billed source again; it claims nothing and is stored.
    let mut correction = again.clone();
    for line in &mut correction.lines {
        line.kind = LineKind::Adjustment;
    }
    ok(
        "an adjustment",
        store
            .apply(ChangeSet::new().write(Write::Bill(correction.clone())))
            .await,
    )
    .await;
    assert_eq!(
        ok("bills of", store.bills_of("C1").await).await.len(),
        2,
        "the adjustment is kept next to the bill it corrects"
    );

    let mut unbilled = Bill {
        customer_id: "C3".into(),
        ..bill.clone()
    };
    for line in &mut unbilled.lines {
        for s in &mut line.sources {
            s.source = match &s.source {
                SourceRef::Delivery { delivery_id } => SourceRef::Delivery {
                    delivery_id: format!("{delivery_id}-C3").into(),
                },
                SourceRef::OrderItem { order_id, item } => SourceRef::OrderItem {
                    order_id: format!("{order_id}-C3").into(),
                    item: *item,
                },
                other => other.clone(),
            };
        }
    }
    let twice = ChangeSet::new()
        .write(Write::Bill(Bill {
            number: Some("EB/25-26/000003".into()),
            ..unbilled.clone()
        }))
        .write(Write::Bill(Bill {
            number: Some("EB/25-26/000004".into()),
            ..unbilled.clone()
        }));
    assert!(
        matches!(store.apply(twice).await, Err(StoreError::Conflict(_))),
        "two bills of one change billing the same source are refused"
    );
    assert!(ok("bills of", store.bills_of("C3").await).await.is_empty());
    ok(
        "one of them alone",
        store
            .apply(ChangeSet::new().write(Write::Bill(Bill {
                number: Some("EB/25-26/000003".into()),
                ..unbilled
            })))
            .await,
    )
    .await;

    let draft = Bill {
        status: BillStatus::Draft,
        number: None,
        ..bill
    };
    match store
        .apply(ChangeSet::new().write(Write::Bill(draft)))
        .await
    {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.fields(), ["writes[0].status", "writes[0].number"]);
        }
        other => panic!("a draft is not stored, got {other:?}"),
    }
}

fn credit(id: &str, date: NaiveDate, amount: &str) -> Credit {
    Credit {
        id: id.to_owned(),
        customer_id: "C1".to_owned(),
        kind: CreditKind::LoyaltyRedemption,
        amount: dec(amount),
        date,
        order_id: None,
        delivery_id: None,
        reason: Some("Loyalty points redeemed (100 points)".to_owned()),
    }
}

/// What is kept once under its id (credits, wallet entries): `stored`, written again, is a
/// no-op; `another` under a stored id, and `twice` (two different ones under one id in one
/// change), are conflicts that write nothing of their change.
async fn kept_once_per_id<S: Store>(store: &S, stored: Write, another: Write, twice: [Write; 2]) {
    let again = ChangeSet::new()
        .write(stored)
        .write(Write::Customer(customer("C8")));
    ok("the same again is a no-op", store.apply(again).await).await;
    assert!(ok("customer", store.customer("C8").await).await.is_some());
    let [first, second] = twice;
    for (what, writes) in [
        ("another under a stored id", vec![another]),
        ("two of one change under one id", vec![first, second]),
    ] {
        let mut changes = ChangeSet::new().write(Write::Customer(customer("C9")));
        for write in writes {
            changes = changes.write(write);
        }
        let refused = store.apply(changes).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{what} is a conflict: {refused:?}"
        );
        assert_eq!(
            ok("customer", store.customer("C9").await).await,
            None,
            "nothing of the change is written"
        );
    }
}

async fn credits_are_kept_once_per_id<S: Store>(store: &S) {
    billable_records(store).await;
    let january = credit("R1", day(10), "50.00");
    let february = credit(
        "R2",
        NaiveDate::from_ymd_opt(2026, 2, 3).expect("a date"),
        "5.00",
    );
    let first = ChangeSet::new()
        .write(Write::Credit(january.clone()))
        .write(Write::Credit(february.clone()))
        .write(Write::Credit(january.clone()));
    ok("credits", store.apply(first).await).await;
    kept_once_per_id(
        store,
        Write::Credit(january.clone()),
        Write::Credit(credit("R1", day(10), "60.00")),
        [
            Write::Credit(credit("R3", day(11), "1.00")),
            Write::Credit(credit("R3", day(12), "1.00")),
        ],
    )
    .await;
    match store
        .apply(ChangeSet::new().write(Write::Credit(credit("", day(10), "0"))))
        .await
    {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.fields(), ["writes[0].id", "writes[0].amount"]);
        }
        other => panic!("an unnamed credit of nothing is not stored, got {other:?}"),
    }

    let input = ok("billing input", store.billing_input(day(31)).await).await;
    assert_eq!(
        input.credits,
        std::slice::from_ref(&january),
        "credits dated after the run's last day are not read"
    );
    let later = NaiveDate::from_ymd_opt(2026, 2, 28).expect("a date");
    let input = ok("billing input", store.billing_input(later).await).await;
    assert_eq!(input.credits, [january.clone(), february]);

    // January's bill carries the credit and claims it: no other bill may credit it again.
    let (bill, _) = january_bill(store).await;
    let credited: Vec<_> = bill
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::LoyaltyRedemption)
        .map(|l| l.amount.to_string())
        .collect();
    assert_eq!(credited, ["-50.00"]);
    ok(
        "the bill",
        store
            .apply(ChangeSet::new().write(Write::Bill(bill.clone())))
            .await,
    )
    .await;
    let mut again = Bill {
        customer_id: "C2".into(),
        number: Some("EB/25-26/000002".into()),
        ..bill
    };
    again
        .lines
        .retain(|l| l.kind == LineKind::LoyaltyRedemption);
    again.taxes.clear();
    let credit_total = again.lines.iter().map(|l| l.amount).sum::<Decimal>();
    again.subtotal = Decimal::ZERO;
    again.credits = -credit_total;
    again.tax = Decimal::ZERO;
    again.round_off = Decimal::ZERO;
    again.total = credit_total;
    again.opening_balance = Decimal::ZERO;
    again.wallet_applied = Decimal::ZERO;
    again.amount_due = credit_total;
    again.wallet_payment = None;
    assert!(
        matches!(
            store
                .apply(ChangeSet::new().write(Write::Bill(again)))
                .await,
            Err(StoreError::Conflict(_))
        ),
        "a credit is on one bill only"
    );
}

fn wallet_entry(
    id: &str,
    customer_id: &str,
    kind: WalletEntryKind,
    amount: &str,
    d: u32,
) -> WalletEntry {
    WalletEntry {
        id: id.to_owned(),
        customer_id: customer_id.to_owned(),
        kind,
        amount: dec(amount),
        date: day(d),
        expires_on: (kind == WalletEntryKind::Promotional).then(|| day(d + 5)),
        reference: (kind == WalletEntryKind::Applied).then(|| format!("PAY-{id}")),
    }
}

async fn wallet_entries_are_kept_once_and_never_overdraw<S: Store>(store: &S) {
    use WalletEntryKind::{Applied, Promotional, TopUp};
    let top_up = wallet_entry("W1", "C1", TopUp, "100.00", 2);
    let promotion = wallet_entry("W2", "C1", Promotional, "20.00", 3);
    let applied = wallet_entry("W3", "C1", Applied, "110.00", 5);
    let other = wallet_entry("W4", "C2", TopUp, "5.00", 3);
    let first = ChangeSet::new()
        .write(Write::WalletEntry(applied.clone()))
        .write(Write::WalletEntry(top_up.clone()))
        .write(Write::WalletEntry(promotion.clone()))
        .write(Write::WalletEntry(other.clone()))
        .write(Write::WalletEntry(top_up.clone()));
    // The application comes first in the change but is dated after the money it spends:
    // the balance is checked day by day, whatever order the entries are written in.
    ok("wallet entries", store.apply(first).await).await;
    let wallet = ok("wallet", store.wallet("C1").await).await;
    assert_eq!(
        wallet.entries,
        [top_up.clone(), promotion.clone(), applied.clone()],
        "a customer's entries, by date then id"
    );
    assert_eq!(
        wallet.balance_on(day(5)).map_err(|e| e.to_string()),
        Ok(dec("10.00"))
    );
    assert!(
        ok("wallet", store.wallet("C9").await)
            .await
            .entries
            .is_empty()
    );
    kept_once_per_id(
        store,
        Write::WalletEntry(top_up.clone()),
        Write::WalletEntry(wallet_entry("W1", "C1", TopUp, "1.00", 2)),
        [
            Write::WalletEntry(wallet_entry("W5", "C1", TopUp, "1.00", 6)),
            Write::WalletEntry(wallet_entry("W5", "C1", TopUp, "2.00", 6)),
        ],
    )
    .await;
    // C1 has 10.00 left from the 5th: 10.01 more overdraws it. C2's 5.00 is paid in on the
    // 3rd: spending it on the 2nd overdraws that day. And 15.00 spent on the 4th leaves too
    // little for the 110.00 stored on the 5th: the new application is the one named.
    for (what, entry) in [
        (
            "more than the balance",
            wallet_entry("W6", "C1", Applied, "10.01", 6),
        ),
        (
            "spent before it was paid in",
            wallet_entry("W7", "C2", Applied, "5.00", 2),
        ),
        (
            "spent before a stored application",
            wallet_entry("W10", "C1", Applied, "15.00", 4),
        ),
    ] {
        let refused = store
            .apply(
                ChangeSet::new()
                    .write(Write::Customer(customer("C9")))
                    .write(Write::WalletEntry(entry)),
            )
            .await;
        match refused {
            Err(StoreError::Invalid(e)) => {
                let problems: Vec<_> = e
                    .problems
                    .iter()
                    .map(|p| (p.field.as_str(), p.rule.code()))
                    .collect();
                assert_eq!(problems, [("writes[1].amount", "non_negative")], "{what}");
            }
            other => panic!("{what} is refused as invalid, got {other:?}"),
        }
        assert_eq!(
            ok("customer", store.customer("C9").await).await,
            None,
            "{what}: nothing written"
        );
    }
    let spent_in_one_change = ChangeSet::new()
        .write(Write::WalletEntry(wallet_entry(
            "W8", "C1", Applied, "6.00", 7,
        )))
        .write(Write::WalletEntry(wallet_entry(
            "W9", "C1", Applied, "6.00", 7,
        )));
    match store.apply(spent_in_one_change).await {
        Err(StoreError::Invalid(e)) => assert_eq!(
            e.fields(),
            ["writes[1].amount"],
            "two applications of one change that only overdraw the wallet together"
        ),
        other => panic!("applications overdrawing together are refused, got {other:?}"),
    }
    match store
        .apply(ChangeSet::new().write(Write::WalletEntry(WalletEntry {
            customer_id: String::new(),
            expires_on: None,
            ..wallet_entry("", "", Promotional, "0", 1)
        })))
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(
            e.fields(),
            [
                "writes[0].customer_id",
                "writes[0].id",
                "writes[0].amount",
                "writes[0].expires_on"
            ]
        ),
        other => panic!("a malformed entry is not stored, got {other:?}"),
    }
    let input = ok("billing input", store.billing_input(day(1)).await).await;
    assert_eq!(
        input.wallet,
        [top_up, promotion, other, applied],
        "a billing run reads every wallet entry, by date then id: the engine replays each wallet to its bill date"
    );
}

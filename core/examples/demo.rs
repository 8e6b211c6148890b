//! The EarlyBird demo: the engines on a small, realistic sample of the business's documents.
//!
//! Run with `cargo run --release --example demo`. It reads `examples/data/sample.json` (a
//! MongoDB-shaped export of 20 Bengaluru customers), shows how bad documents are refused,
//! stores the rest, runs this morning's orders through their lifecycle and prints the audit
//! trail, and prints tomorrow's demand from the subscription schedules.

use std::collections::BTreeMap;
use std::error::Error as StdError;

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::lifecycle::{self, Actor, Effect};
use earlybird::record::{Dataset, Order, OrderStatus};
use earlybird::store::{ChangeSet, Expectation, MemoryStore, Store, Write};
use earlybird::time::BusinessZone;
use rust_decimal::Decimal;
use serde_json::Value;

type DemoResult<T = ()> = Result<T, Box<dyn StdError>>;

const SAMPLE: &str = include_str!("data/sample.json");

fn main() -> DemoResult {
    futures::executor::block_on(run())
}

async fn run() -> DemoResult {
    let export: Value = serde_json::from_str(SAMPLE)?;
    let now: DateTime<Utc> = "2026-11-25T00:30:00Z".parse()?;
    let today = earlybird::time::business_date(now);
    println!(
        "EarlyBird core {} — demo at {now} (business date {today})\n",
        earlybird::VERSION
    );

    section("1. Documents in, as the MongoDB export has them");
    let (data, _) = Dataset::read_export(&export);
    println!(
        "read {} customers, {} products, {} subscriptions, {} orders, {} delivery records, {} payments",
        data.customers.len(),
        data.products.len(),
        data.subscriptions.len(),
        data.orders.len(),
        data.deliveries.len(),
        data.payments.len()
    );
    data.validate_references()?;
    println!("every reference between them resolves\n");
    let (_, rejected) = Dataset::read_export(&export["rejects"]);
    for r in &rejected {
        println!(
            "refused {}[{}] ({}):",
            r.collection,
            r.index,
            r.id.as_deref().unwrap_or("no id")
        );
        for p in &r.problems {
            println!("   - {p}");
        }
    }

    section("2. Stored in one transaction (in-memory store)");
    let store = MemoryStore::new();
    store.apply(load(&data)).await?;
    println!("{} customers stored\n", store.customers().await?.len());

    section("3. This morning's one-time orders");
    let out_for_delivery: Vec<Order> = store
        .orders_between(today, today)
        .await?
        .into_iter()
        .filter(|o| o.status == OrderStatus::OutForDelivery)
        .collect();
    for (n, order) in out_for_delivery.iter().enumerate() {
        let actor = Actor::new("DB_1", now + chrono::Duration::minutes(n as i64 * 7));
        // A realistic morning: most orders delivered in full, one short, one house locked.
        let delivered: Vec<Decimal> = order
            .items
            .iter()
            .map(|i| match n % 4 {
                1 => (i.quantity / Decimal::TWO).floor(),
                2 => Decimal::ZERO,
                _ => i.quantity,
            })
            .collect();
        let reason = (n % 4 == 2).then_some("house locked");
        let outcome = lifecycle::confirm_delivery(order, &delivered, reason, &actor)?;
        println!(
            "{} for {}: {:?} → {}",
            order.id, order.customer_id, outcome.effect, outcome.order.status
        );
        let mut changes = ChangeSet::new()
            .expect(Expectation::OrderStatus {
                order_id: order.id.clone(),
                status: order.status,
            })
            .audit(outcome.audit.clone());
        if outcome.effect == Effect::Changed {
            changes = changes.write(Write::Order(outcome.order.clone()));
        }
        for d in outcome.deliveries {
            changes = changes.write(Write::Delivery(d));
        }
        store.apply(changes).await?;
    }

    if let Some(first) = out_for_delivery.first() {
        let stored = store.order(&first.id).await?.ok_or("order vanished")?;
        let actor = Actor::new("DB_1", now + chrono::Duration::minutes(30));
        let full: Vec<Decimal> = stored.items.iter().map(|i| i.quantity).collect();
        let repeat = lifecycle::confirm_delivery(&stored, &full, None, &actor)?;
        println!(
            "\nthe phone sends {}'s confirmation again: {:?} (nothing written)",
            stored.id, repeat.effect
        );
        let less: Vec<Decimal> = stored
            .items
            .iter()
            .map(|i| i.quantity - Decimal::ONE)
            .collect();
        match lifecycle::confirm_delivery(&stored, &less, None, &actor) {
            Err(e) => println!("a different confirmation is refused: [{}] {e}", e.code()),
            Ok(o) => println!("unexpected: {:?}", o.effect),
        }
        let support = Actor::new("SUPPORT_2", now + chrono::Duration::hours(3));
        let fixed = lifecycle::correct_delivery(
            &stored,
            &less,
            "customer returned one, leaking",
            &support,
        )?;
        let changes = ChangeSet::new()
            .expect(Expectation::OrderStatus {
                order_id: stored.id.clone(),
                status: stored.status,
            })
            .write(Write::Order(fixed.order.clone()))
            .audit(fixed.audit);
        store
            .apply(
                fixed
                    .deliveries
                    .into_iter()
                    .fold(changes, |c, d| c.write(Write::Delivery(d))),
            )
            .await?;

        println!("\naudit trail of {}:", stored.id);
        for a in store.audit_trail("order", &stored.id).await? {
            let status = |v: &Option<Value>| {
                v.as_ref()
                    .map_or("-".to_owned(), |v| v["status"].to_string())
            };
            println!(
                "   {} {:<20} by {:<9} {} → {}{}",
                BusinessZone::default().local(a.at).format("%H:%M IST"),
                a.action,
                a.actor,
                status(&a.before),
                status(&a.after),
                a.reason.map(|r| format!(" ({r})")).unwrap_or_default()
            );
        }
    }

    section("4. Tomorrow's demand from the subscription schedules");
    let tomorrow = today.succ_opt().ok_or("no tomorrow")?;
    print_demand(&data, tomorrow);
    Ok(())
}

fn load(data: &Dataset) -> ChangeSet {
    let writes = data
        .customers
        .iter()
        .cloned()
        .map(Write::Customer)
        .chain(data.products.iter().cloned().map(Write::Product))
        .chain(data.subscriptions.iter().cloned().map(Write::Subscription))
        .chain(data.orders.iter().cloned().map(Write::Order))
        .chain(data.deliveries.iter().cloned().map(Write::Delivery))
        .chain(data.payments.iter().cloned().map(Write::Payment));
    writes.fold(ChangeSet::new(), ChangeSet::write)
}

fn print_demand(data: &Dataset, day: NaiveDate) {
    let mut demand: BTreeMap<&str, (usize, Decimal)> = BTreeMap::new();
    for sub in &data.subscriptions {
        if let Some(quantity) = sub.due_on(day) {
            let entry = demand.entry(sub.product_id.as_str()).or_default();
            entry.0 += 1;
            entry.1 += quantity;
        }
    }
    println!("{day} ({}):", day.format("%A"));
    for (product, (customers, quantity)) in demand {
        let who = if customers == 1 {
            "customer"
        } else {
            "customers"
        };
        println!("   {product:<16} {quantity:>6} units for {customers} {who}");
    }
}

fn section(title: &str) {
    println!("\n== {title}\n");
}

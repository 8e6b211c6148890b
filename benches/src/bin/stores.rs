//! Bulk import into PostgreSQL: one upsert per record (what `Store::apply` does) against
//! COPY into a temporary table and one upsert per table (`Store::apply_bulk`, which
//! `store::import` uses), on the same records. Needs a PostgreSQL database URL:
//! `EARLYBIRD_BENCH_POSTGRES_URL=postgres://... cargo run --release -p earlybird-benches --bin stores [deliveries]`.

use std::time::Instant;

use chrono::{Days, NaiveDate};
use earlybird::record::{Customer, DeliveryRecord, DeliverySource, DeliveryStatus};
use earlybird::store::{ChangeSet, SqlStore, Store, Write};
use rust_decimal::Decimal;

const CUSTOMERS: usize = 2_000;

/// The records of one run, under ids of their own (`run`), so runs never overlap.
fn records(run: &str, deliveries: usize) -> ChangeSet {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let mut changes = ChangeSet::new();
    for c in 0..CUSTOMERS {
        changes = changes.write(Write::Customer(Customer {
            id: format!("{run}-C{c}"),
            name: format!("Customer {c}"),
            phone: format!("+919{}", 845_012_345 + c),
            email: None,
            address: Some(format!("{c}, 4th Cross, Indiranagar")),
            lat: None,
            lon: None,
            user_id: None,
            delivery_boy_id: Some("DB_7".into()),
            signup_date: start,
            referred_by: None,
        }));
    }
    for d in 0..deliveries {
        let customer = d % CUSTOMERS;
        let day = u64::try_from(d / CUSTOMERS % 28).unwrap_or_default();
        changes = changes.write(Write::Delivery(DeliveryRecord {
            id: format!("{run}-D{d}"),
            customer_id: format!("{run}-C{customer}"),
            date: start + Days::new(day),
            source: DeliverySource::Subscription(format!("{run}-S{customer}")),
            product_id: "P1".into(),
            ordered_quantity: Decimal::new(15, 1),
            delivered_quantity: Decimal::new(15, 1),
            status: DeliveryStatus::Delivered,
            reason: None,
            delivery_boy_id: Some("DB_7".into()),
            confirmed_at: None,
        }));
    }
    changes
}

#[tokio::main]
async fn main() {
    let deliveries: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let url = std::env::var("EARLYBIRD_BENCH_POSTGRES_URL")
        .expect("EARLYBIRD_BENCH_POSTGRES_URL names a PostgreSQL database to write into");
    let store = SqlStore::open(&url).await.expect("the database opens");
    let total = CUSTOMERS + deliveries;
    println!("{total} records ({CUSTOMERS} customers, {deliveries} deliveries) per run");
    // Alternating, so neither path always writes into the larger tables.
    let mut rows = Vec::new();
    let mut copy = Vec::new();
    for (run, bulk) in [("r1", false), ("c1", true), ("c2", true), ("r2", false)] {
        let changes = records(run, deliveries);
        let began = Instant::now();
        let applied = if bulk {
            store.apply_bulk(changes).await
        } else {
            store.apply(changes).await
        };
        applied.expect("the records are written");
        let seconds = began.elapsed().as_secs_f64();
        let per_second = total as f64 / seconds;
        let how = if bulk {
            "COPY"
        } else {
            "one upsert per record"
        };
        println!("{run}: {how}: {seconds:.2} s, {per_second:.0} records/s");
        if bulk { &mut copy } else { &mut rows }.push(seconds);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "COPY is {:.1}x faster (mean of two runs each)",
        mean(&rows) / mean(&copy)
    );
}

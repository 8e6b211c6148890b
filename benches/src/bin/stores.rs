//! Two measurements of the stores.
//!
//! Bulk import into PostgreSQL: one upsert per record (what `Store::apply` does) against
//! COPY into a temporary table and one upsert per table (`Store::apply_bulk`, which
//! `store::import` uses), on the same records. Needs a PostgreSQL database URL:
//! `EARLYBIRD_BENCH_POSTGRES_URL=postgres://... cargo run --release -p earlybird-benches --bin stores [deliveries]`.
//!
//! Importing and billing the synthetic month (`stores billing [customers]`): the month's
//! records imported into a store (`Store::apply_bulk`) and billed from it
//! (`Service::finalize_month`: read, compute, number, store bills, audit and outbox in one
//! change), in memory, in a new SQLite file and — when `EARLYBIRD_BENCH_POSTGRES_URL` names
//! an EMPTY database — in PostgreSQL; next to the engine alone billing the same records
//! already in memory (`bill_month` + `finalize_all`).
//!
//! What wallets cost a billing run (`stores wallets [customers]`): the synthetic month in new
//! SQLite files, billed by `Service::finalize_month` with no wallet and with a Rs 500 top-up
//! for every customer (so every bill stores a wallet payment, its applied entry and the
//! points it earns, and the store replays each wallet it wrote to), alternating.

use std::time::Instant;

use chrono::{Days, NaiveDate};
use earlybird::billing::{
    self, Bill, BillingConfig, BillingInput, FinancialYear, NumberSeries, WalletEntry,
    WalletEntryKind,
};
use earlybird::lifecycle::Actor;
use earlybird::record::{Customer, DeliveryRecord, DeliverySource, DeliveryStatus};
use earlybird::service::Service;
use earlybird::store::{ChangeSet, MemoryStore, SqlStore, Store, Write};
use earlybird_benches::synthetic::{MonthSpec, month};
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

/// The synthetic month's records as one change set.
fn month_records(input: &BillingInput) -> ChangeSet {
    let writes = input
        .products
        .iter()
        .cloned()
        .map(Write::Product)
        .chain(input.subscriptions.iter().cloned().map(Write::Subscription))
        .chain(input.orders.iter().cloned().map(Write::Order))
        .chain(input.deliveries.iter().cloned().map(Write::Delivery));
    writes.fold(ChangeSet::new(), ChangeSet::write)
}

fn record_count(input: &BillingInput) -> usize {
    input.products.len() + input.subscriptions.len() + input.orders.len() + input.deliveries.len()
}

/// One store's run: (import seconds, billing seconds, bills).
async fn import_and_bill<S: Store>(
    store: S,
    input: &BillingInput,
    spec: MonthSpec,
) -> (f64, f64, usize) {
    assert!(
        store
            .number_series()
            .await
            .expect("the store answers")
            .is_none(),
        "the store must hold no bill yet"
    );
    let began = Instant::now();
    store
        .apply_bulk(month_records(input))
        .await
        .expect("the month is imported");
    let import = began.elapsed().as_secs_f64();
    let (billing, bills) = finalize_timed(store, spec).await;
    (import, billing, bills.len())
}

/// `Service::finalize_month` on the store, as the billing job runs it at 01:00 on the bill
/// date: (seconds, bills).
async fn finalize_timed<S: Store>(store: S, spec: MonthSpec) -> (f64, Vec<Bill>) {
    let at = spec
        .month
        .bill_date()
        .and_hms_opt(1, 0, 0)
        .expect("a time")
        .and_utc();
    let began = Instant::now();
    let bills = Service::new(store)
        .finalize_month(spec.month, &Actor::new("billing", at))
        .await
        .expect("the month is billed");
    (began.elapsed().as_secs_f64(), bills)
}

async fn billing_bench(customers: usize) {
    let spec = MonthSpec::customers(customers);
    let input = month(spec);
    let records = record_count(&input);
    println!(
        "synthetic month {}: {customers} customers, {records} records ({} delivery records, {} orders, {} subscriptions, {} products)",
        spec.month,
        input.deliveries.len(),
        input.orders.len(),
        input.subscriptions.len(),
        input.products.len()
    );
    let config = BillingConfig::default();
    let began = Instant::now();
    let drafts = billing::bill_month(&input, spec.month, &config).expect("the month bills");
    let series = NumberSeries::new(FinancialYear::of(spec.month.bill_date()));
    let (bills, _) =
        billing::finalize_all(&drafts, &[], series, &config).expect("the bills finalize");
    let engine = began.elapsed().as_secs_f64();
    println!(
        "engine alone (records already in memory): billing {engine:.2} s, {:.0} records/s, {} bills",
        records as f64 / engine,
        bills.len()
    );
    let mut rows = vec![(
        "memory store",
        import_and_bill(MemoryStore::new(), &input, spec).await,
    )];
    let path = std::env::temp_dir().join(format!("earlybird-bench-{}.sqlite", std::process::id()));
    let path = path.to_str().expect("a UTF-8 path").to_owned();
    let sqlite = SqlStore::open_sqlite(&path).await.expect("SQLite opens");
    rows.push(("SQLite file", import_and_bill(sqlite, &input, spec).await));
    let _ = std::fs::remove_file(&path);
    match std::env::var("EARLYBIRD_BENCH_POSTGRES_URL") {
        Ok(url) => {
            let postgres = SqlStore::open(&url).await.expect("PostgreSQL opens");
            rows.push(("PostgreSQL", import_and_bill(postgres, &input, spec).await));
        }
        Err(_) => println!("PostgreSQL skipped: EARLYBIRD_BENCH_POSTGRES_URL is not set"),
    }
    println!(
        "| store | import s | import records/s | billing s | billing records/s | bills | billing vs engine alone |"
    );
    for (name, (import, bill, count)) in rows {
        println!(
            "| {name} | {import:.2} | {:.0} | {bill:.2} | {:.0} | {count} | {:.1}x slower |",
            records as f64 / import,
            records as f64 / bill,
            bill / engine
        );
    }
}

/// One SQLite run of `wallet_bench`: (seconds writing the top-ups, seconds billing, wallet
/// payments among the bills).
async fn bill_with_wallets(
    input: &BillingInput,
    spec: MonthSpec,
    top_ups: bool,
) -> (f64, f64, usize) {
    let path = std::env::temp_dir().join(format!(
        "earlybird-bench-wallets-{}.sqlite",
        std::process::id()
    ));
    let path = path.to_str().expect("a UTF-8 path").to_owned();
    let store = SqlStore::open_sqlite(&path).await.expect("SQLite opens");
    store
        .apply_bulk(month_records(input))
        .await
        .expect("the month is imported");
    let began = Instant::now();
    if top_ups {
        let mut owners: Vec<&str> = input
            .subscriptions
            .iter()
            .map(|s| s.customer_id.as_str())
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let entries = owners.into_iter().map(|customer_id| {
            Write::WalletEntry(WalletEntry {
                id: format!("TOPUP-{customer_id}"),
                customer_id: customer_id.to_owned(),
                kind: WalletEntryKind::TopUp,
                amount: Decimal::new(50_000, 2),
                date: spec.month.first_day(),
                expires_on: None,
                reference: None,
            })
        });
        let changes = entries.fold(ChangeSet::new(), ChangeSet::write);
        store.apply(changes).await.expect("the top-ups are stored");
    }
    let written = began.elapsed().as_secs_f64();
    let (billing, bills) = finalize_timed(store, spec).await;
    let _ = std::fs::remove_file(&path);
    let paid = bills.iter().filter(|b| b.wallet_payment.is_some()).count();
    (written, billing, paid)
}

async fn wallet_bench(customers: usize) {
    let spec = MonthSpec::customers(customers);
    let input = month(spec);
    println!(
        "synthetic month {}: {customers} customers, {} records",
        spec.month,
        record_count(&input)
    );
    println!("| run | wallets | top-ups written s | finalize_month s | wallet payments |");
    let mut times = [Vec::new(), Vec::new()];
    for (run, top_ups) in [(1, false), (2, true), (3, false), (4, true)] {
        let (written, billing, paid) = bill_with_wallets(&input, spec, top_ups).await;
        println!(
            "| {run} | {} | {written:.2} | {billing:.2} | {paid} |",
            if top_ups { "a top-up each" } else { "none" }
        );
        times[usize::from(top_ups)].push(billing);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "finalize_month with a wallet payment on every bill takes {:.2}x the time without (mean of two runs each)",
        mean(&times[1]) / mean(&times[0])
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("wallets") {
        let customers = std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        wallet_bench(customers).await;
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("billing") {
        let customers = std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        billing_bench(customers).await;
        return;
    }
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
